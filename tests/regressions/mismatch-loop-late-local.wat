;; A local that a byte-comparison loop sets only after its exit kept its value from before the loop when wasmc's check skipped iterations (wasmc_mismatch), though those iterations set it
;; Found by: by hand: the random comparison loops of tests/test_scan_loops.py, once they set a constant after the exit; clang and GCC
;; wasmc (when found): mismatch: result
;; wasmc (when found): 'late-flag'(i32:0): wasmtime (i32:1007), wasmc (i32:7)
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'late-flag'(i32:0) -> (i32:1007)
;;   invoke 'late-flag'(i32:-2147483648) -> (i32:1007)
;;   memory 'mem': 1 pages, sha256 4f292ee210672d12
;; nans: exact
;; opt: 2
;; status: fixed
;; (no signature line on purpose: "mismatch: result" is too general; tolerating it would hide other wrong results in the CI fuzz runs)
(module
  (memory (export "mem") 1)
  (data (i32.const 0) "abcdefgXabcdefgY")
  ;; A memcmp-like loop (two byte loads, a br_if out when they differ, a counter) that sets
  ;; $f after its exit: the strings at 0 and 8 differ at their eighth byte, so the loop runs
  ;; seven iterations that set $f and leaves in the eighth. wasmc's check in front of the
  ;; loop skipped those seven (wasmc_mismatch) and the loop's remaining iteration left at
  ;; once, so $f kept its value from before the loop.
  (func (export "late-flag") (param $x i32) (result i32)
    (local $p i32) (local $q i32) (local $n i32) (local $f i32)
    (local.set $q (i32.const 8))
    (local.set $n (i32.const 8))
    (block $out (loop $l
      (br_if $out (i32.ne (i32.load8_u (local.get $p)) (i32.load8_u (local.get $q))))
      (local.set $f (i32.const 1))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
    (i32.add (i32.mul (local.get $f) (i32.const 1000)) (local.get $p))))

;; At -O2 an out-of-bounds load whose value the C compiler can prove irrelevant (dropped, dropped by an inlining caller, x*0, x-x, load8_u>>8, x op NaN, identical branches, stored back where it came from) is deleted and does not trap unless it goes through WASMC_KEEP/WASMC_KEEP_FLOAT
;; Found by: by hand, when WASMC_KEEP got a float variant ("x"/"w" instead of "r"); with an empty WASMC_KEEP none of the 19 exports traps with clang -O2, 2 of 19 with GCC -O2
;; wasmc (when found): agrees with Wasmtime (a guard written by hand: the loads trap only because of WASMC_KEEP)
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'f32-drop'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f32-drop'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-drop'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-drop'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f32-br'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f32-br'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-dead-local'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-dead-local'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-inlined-dropped'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-inlined-dropped'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f32-inlined-dropped'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f32-inlined-dropped'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-mul-nan'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-mul-nan'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-add-nan-stored'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-add-nan-stored'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f32-same-branches'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f32-same-branches'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-store-back'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-store-back'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-loop'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-loop'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f32-select-same'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f32-select-same'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'i32-mul-zero'(i32:0) -> trap: out of bounds memory access
;;   invoke 'i32-mul-zero'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'i64-and-zero'(i32:0) -> trap: out of bounds memory access
;;   invoke 'i64-and-zero'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'i32-sub-self'(i32:0) -> trap: out of bounds memory access
;;   invoke 'i32-sub-self'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'i32-load8-shr'(i32:0) -> trap: out of bounds memory access
;;   invoke 'i32-load8-shr'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-unreachable'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-unreachable'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-then-div'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-then-div'(i32:-2147483648) -> trap: out of bounds memory access
;;   invoke 'f64-then-store-inbounds'(i32:0) -> trap: out of bounds memory access
;;   invoke 'f64-then-store-inbounds'(i32:-2147483648) -> trap: out of bounds memory access
;;   memory 'mem': 1 pages, sha256 f734c9b4354d3d4d
;; nans: exact
;; opt: 2
;; status: fixed
(module
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 0))
  ;; Every export loads out of bounds (65534 + p: p is 0, then 0x80000000) and discards the
  ;; value in a way clang or GCC can see through; the load must trap all the same. With an
  ;; empty WASMC_KEEP, none of the 19 traps at -O2 with clang, and only two with GCC.
  (func $oob (param $p i32) (result i32) (i32.add (local.get $p) (i32.const 65534)))
  (func $ld32 (param $a i32) (result f32) (f32.load (local.get $a)))
  (func $ld64 (param $a i32) (result f64) (f64.load (local.get $a)))
  ;; float loads (WASMC_KEEP_FLOAT)
  (func (export "f32-drop") (param $p i32) (drop (f32.load (call $oob (local.get $p)))))
  (func (export "f64-drop") (param $p i32) (drop (f64.load (call $oob (local.get $p)))))
  (func (export "f32-br") (param $p i32)
    (drop (block (result f32) (f32.load (call $oob (local.get $p))) (br 0))))
  (func (export "f64-dead-local") (param $p i32) (local $x f64)
    (local.set $x (f64.load (call $oob (local.get $p)))))
  ;; the load is in a function that is inlined, and the caller drops its result
  (func (export "f64-inlined-dropped") (param $p i32) (drop (call $ld64 (call $oob (local.get $p)))))
  (func (export "f32-inlined-dropped") (param $p i32) (drop (call $ld32 (call $oob (local.get $p)))))
  ;; the value is used, but the result does not depend on it: x * NaN, x + (a stored NaN)
  (func (export "f64-mul-nan") (param $p i32) (result f64)
    (f64.mul (f64.load (call $oob (local.get $p))) (f64.const nan)))
  (func (export "f64-add-nan-stored") (param $p i32)
    (f64.store (i32.const 0) (f64.const nan))
    (f64.store (i32.const 8) (f64.add (f64.load (call $oob (local.get $p))) (f64.load (i32.const 0)))))
  ;; both arms of the if are the same
  (func (export "f32-same-branches") (param $p i32) (result f32)
    (if (result f32) (global.get $g)
      (then (drop (f32.load (call $oob (local.get $p)))) (f32.const 1))
      (else (drop (f32.load (call $oob (local.get $p)))) (f32.const 1))))
  ;; storing a value back where it was loaded from is a no-op the compiler deletes
  (func (export "f64-store-back") (param $p i32)
    (f64.store (call $oob (local.get $p)) (f64.load (call $oob (local.get $p)))))
  (func (export "f64-loop") (param $p i32) (local $i i32) (local $s f64)
    (loop $l
      (local.set $s (f64.load (i32.add (call $oob (local.get $p)) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4)))))
  (func (export "f32-select-same") (param $p i32) (result f32)
    (select (f32.const 2) (f32.const 2) (i32.reinterpret_f32 (f32.load (call $oob (local.get $p))))))
  ;; integer loads (WASMC_KEEP): results that do not depend on the value
  (func (export "i32-mul-zero") (param $p i32) (result i32)
    (i32.mul (i32.load (call $oob (local.get $p))) (i32.const 0)))
  (func (export "i64-and-zero") (param $p i32) (result i64)
    (i64.and (i64.load (call $oob (local.get $p))) (i64.const 0)))
  (func (export "i32-sub-self") (param $p i32) (result i32) (local $x i32)
    (local.set $x (i32.load (call $oob (local.get $p))))
    (i32.sub (local.get $x) (local.get $x)))
  (func (export "i32-load8-shr") (param $p i32) (result i32)
    (i32.shr_u (i32.load8_u (call $oob (i32.add (local.get $p) (i32.const 2)))) (i32.const 8)))
  ;; the load must trap before what follows it: another trap, or an in-bounds store
  (func (export "f64-unreachable") (param $p i32)
    (drop (f64.load (call $oob (local.get $p)))) (unreachable))
  (func (export "f64-then-div") (param $p i32) (result i32)
    (drop (f64.load (call $oob (local.get $p))))
    (i32.div_u (i32.const 1) (global.get $g)))
  (func (export "f64-then-store-inbounds") (param $p i32)
    (local $x f64)
    (local.set $x (f64.load offset=8 (i32.add (local.get $p) (i32.const 65528))))
    (f64.store (i32.add (local.get $p) (i32.const 65528)) (f64.const 5)))
)

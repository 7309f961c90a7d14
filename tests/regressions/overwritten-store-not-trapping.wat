;; At -O1/-O2 an out-of-bounds store that a later store to the same bytes overwrites is deleted by the C compiler (dead-store elimination), so an in-bounds store between them happens before the trap and memory differs afterwards
;; Found by: by hand, while reviewing WASMC_KEEP (loads); clang and GCC, -O1 and -O2
;; wasmc (when found): mismatch: memory
;; wasmc (when found): memory 'mem': bytes differ at 0xfffc: wasmtime 00000000 wasmc 07000000
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'overwritten-store'(i32:0) -> trap: out of bounds memory access
;;   invoke 'overwritten-store'(i32:-2147483648) -> trap: out of bounds memory access
;;   memory 'mem': 1 pages, sha256 de2f256064a0af79
;; nans: exact
;; opt: 2
;; status: fixed
;; (no signature line on purpose: "mismatch: memory" is too general, tolerating it would hide other memory bugs in the CI fuzz runs)
(module
  (memory (export "mem") 1)
  ;; a = 65532 + p (p is 0, then 0x80000000): the first store (bytes a+8..a+15) is out of
  ;; bounds and must trap before the second (bytes a..a+3, in bounds for p = 0) happens, so
  ;; memory stays all zero. The C compiler sees that the third store overwrites the first
  ;; with no read in between and deletes the first (dead-store elimination): the second
  ;; store writes 7 at 65532, then the third one traps.
  (func (export "overwritten-store") (param $a i32)
    (local.set $a (i32.add (local.get $a) (i32.const 65532)))
    (i64.store offset=8 (local.get $a) (i64.const 1))
    (i32.store offset=0 (local.get $a) (i32.const 7))
    (i64.store offset=8 (local.get $a) (i64.const 2))))

;; Loads whose value is partly used (narrowed by the C compiler to the used bytes) or unused, and overwritten v128 stores, must trap when their last bytes are out of bounds
;; Found by: written by hand (2026-12-06) while trying volatile accesses in place of the asm keeps (rejected, docs/performance.md); with plain loads (no keep) clang and GCC narrow v128.load + i64x2.extract_lane 0 to an 8-byte load
;; wasmc (when found): agrees with Wasmtime (asm keeps); with plain loads: v128-lane0-of-straddling-load returned (i64:0) with clang and GCC
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'v128-lane0-of-straddling-load'() -> trap: out of bounds memory access
;;   invoke 'v128-lane0-of-straddling-load'() -> trap: out of bounds memory access
;;   invoke 'i64-wrapped-straddling-load'() -> trap: out of bounds memory access
;;   invoke 'i64-wrapped-straddling-load'() -> trap: out of bounds memory access
;;   invoke 'i32-low-byte-of-straddling-load'() -> trap: out of bounds memory access
;;   invoke 'i32-low-byte-of-straddling-load'() -> trap: out of bounds memory access
;;   invoke 'v128-load-then-br'() -> trap: out of bounds memory access
;;   invoke 'v128-load-then-br'() -> trap: out of bounds memory access
;;   invoke 'v128-load-splat-dead'() -> trap: out of bounds memory access
;;   invoke 'v128-load-splat-dead'() -> trap: out of bounds memory access
;;   invoke 'v128-load-lane-dead'() -> trap: out of bounds memory access
;;   invoke 'v128-load-lane-dead'() -> trap: out of bounds memory access
;;   invoke 'v128-overwritten-store'() -> trap: out of bounds memory access
;;   invoke 'v128-overwritten-store'() -> trap: out of bounds memory access
;;   invoke 'read-back'() -> (i64:0)
;;   invoke 'read-back'() -> (i64:0)
;; nans: exact
;; opt: 2
;; status: fixed
(module
  (memory 1)
  ;; Each export reads bytes of which the last ones are out of bounds (one page: 65536
  ;; bytes) but uses only the in-bounds part of the value, or none of it: the access must
  ;; trap all the same. A C compiler narrows a load to the bytes used, or deletes it.
  (func (export "v128-lane0-of-straddling-load") (result i64)
    (i64x2.extract_lane 0 (v128.load (i32.const 65528))))
  (func (export "i64-wrapped-straddling-load") (result i32)
    (i32.wrap_i64 (i64.load (i32.const 65532))))
  (func (export "i32-low-byte-of-straddling-load") (result i32)
    (i32.and (i32.load (i32.const 65534)) (i32.const 255)))
  (func (export "v128-load-then-br")
    (block (drop (v128.load (i32.const 65536))) (br 0)))
  (func (export "v128-load-splat-dead") (local v128)
    (local.set 0 (v128.load32_splat (i32.const 65534))))
  (func (export "v128-load-lane-dead") (local v128)
    (local.set 0 (v128.load16_lane 3 (i32.const 65535) (v128.const i64x2 0 0))))
  ;; a store that the next one overwrites must trap before the next one happens
  (func (export "v128-overwritten-store") (result i32)
    (v128.store (i32.const 65528) (v128.const i64x2 1 1))
    (v128.store (i32.const 65520) (v128.const i64x2 2 2))
    (v128.store (i32.const 65528) (v128.const i64x2 3 3))
    (i32.const 0))
  (func (export "read-back") (result i64)
    (i64.load (i32.const 65520))))

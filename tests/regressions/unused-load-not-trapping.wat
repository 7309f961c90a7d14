;; At -O1/-O2 an out-of-bounds load whose value is never used does not trap: the C compiler deletes it (drop is handled, but not a value discarded by br/return/unreachable or stored to a dead local)
;; Found by: python scripts/fuzz.py diff --count 3000 --seed 2 -O 2 (52 of the first 200 modules, e.g. 2:0, 2:136), reduced by hand
;; wasmc (when found): mismatch: trap
;; wasmc (when found): 'load-then-br'(): wasmtime trap: out of bounds memory access, wasmc ()
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'load-then-br'() -> trap: out of bounds memory access
;;   invoke 'load-then-br'() -> trap: out of bounds memory access
;;   invoke 'load-then-return'() -> trap: out of bounds memory access
;;   invoke 'load-then-return'() -> trap: out of bounds memory access
;;   invoke 'load-then-unreachable'() -> trap: out of bounds memory access
;;   invoke 'load-then-unreachable'() -> trap: out of bounds memory access
;;   invoke 'load-into-dead-local'() -> trap: out of bounds memory access
;;   invoke 'load-into-dead-local'() -> trap: out of bounds memory access
;;   invoke 'load-then-drop'() -> trap: out of bounds memory access
;;   invoke 'load-then-drop'() -> trap: out of bounds memory access
;; nans: exact
;; opt: 2
;; status: fixed
(module
  (memory 0)
  (global $g (mut i32) (i32.const 0))
  ;; Each export loads from an empty memory and never uses the value: the load must trap.
  (func (export "load-then-br")
    (i32.const 0)
    (f64.load)
    (br 0))
  (func (export "load-then-return")
    (i32.const 0)
    (i64.load)
    (i64.eqz)
    (return))
  (func (export "load-then-unreachable")
    (i32.const 0)
    (i32.load8_u)
    (unreachable))
  (func (export "load-into-dead-local") (local i32)
    (local.set 0 (i32.load (i32.const 0))))
  ;; what already works: `drop` keeps the load (WASMC_KEEP)
  (func (export "load-then-drop")
    (drop (i32.load (i32.const 0)))))

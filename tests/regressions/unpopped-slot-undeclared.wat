;; C does not compile: a value that no instruction pops (left behind by br/return/unreachable) is assigned to a stack slot that is never declared
;; Found by: python scripts/fuzz.py diff --seed 1 (about a third of all modules, e.g. 1:0), reduced with wasm-tools shrink and by hand
;; wasmc (when found): cc-error: use of undeclared identifier '_'
;; wasmc (when found): use of undeclared identifier 's0_i64'
;; wasmc (when found): module0.c:40:3: error: use of undeclared identifier 's0_i64'
;; wasmc (when found): module0.c:52:3: error: use of undeclared identifier 's0_i64'
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'f'() -> ()
;;   invoke 'f'() -> ()
;;   invoke 'g'(f64:0.0(0x0000000000000000)) -> trap: unreachable
;;   invoke 'g'(f64:nan(0x7ff8000000000000)) -> trap: unreachable
;; nans: exact
;; opt: 0
;; status: fixed
;; signature: cc-error: use of undeclared identifier '_'
;; signature: cc-error: '_' undeclared (first use in this function); did you mean '_'?
(module
  ;; the i64 is pushed and never popped: `br 0` leaves the function with it on the stack
  (func (export "f")
    (i32.const 1)
    (i64.extend_i32_u)
    (br 0))
  (func (export "g") (param f64)
    (local.get 0)
    (i64.trunc_sat_f64_s)
    (unreachable)))

;; C does not compile: in a block that starts in dead code, a branch jumps to a label that is never emitted
;; Found by: python scripts/fuzz.py diff --seed 1 (about a third of all modules), reduced by hand
;; wasmc (when found): cc-error: use of undeclared label '_'
;; wasmc (when found): use of undeclared label 'L0'
;; wasmc (when found): module0.c:33:8: error: use of undeclared label 'L0'
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'f'() -> ()
;;   invoke 'f'() -> ()
;; nans: exact
;; opt: 0
;; status: fixed
;; signature: cc-error: use of undeclared label '_'
;; signature: cc-error: label '_' used but not defined
(module
  (func (export "f")
    (block
      (br 0)
      (block (br 0)))))

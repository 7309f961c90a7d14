;; C does not compile: a branch inside a block that starts in dead code jumps to a label that is never emitted
;; Found by: python scripts/fuzz.py diff --seed 1 (most modules; e.g. 1:0), reduced by hand
;; wasmc: cc-error: use of undeclared label '_'
;; wasmc: use of undeclared label 'L0'
;; wasmc: module0.c:31:8: error: use of undeclared label 'L0'
;; Expected (Wasmtime; each export called twice with fixed arguments, see tests/fuzz/engines.py):
;;   instantiate: ()
;;   invoke 'f'() -> ()
;;   invoke 'f'() -> ()
;; nans: exact
;; status: open
(module
  (type (;0;) (func))
  (export "f" (func 0))
  (func (;0;) (type 0)
    block ;; label = @1
      br 0 (;@1;)
      block ;; label = @2
        br 0 (;@2;)
      end
    end
  )
)

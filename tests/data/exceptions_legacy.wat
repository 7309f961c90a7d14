;; The legacy exception instructions (try, catch, catch_all, delegate, rethrow) across
;; call_indirect and tail calls. wasm-tools cannot parse them: tests/test_exceptions.py
;; converts this file with wabt's wat2wasm.
(module
  (type $i_v (func (param i32)))
  (tag $e (param i32))
  (tag $f)
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $throw_e $throw_f)
  (func $throw_e (param i32) (throw $e (local.get 0)))
  (func $throw_f (param i32) (throw $f))
  (func $tail (param i32) (return_call_indirect $t (type $i_v) (local.get 0) (i32.const 0)))

  ;; $e: payload + 10; $f (catch_all): 99.
  (func (export "catch_indirect") (param i32 i32) (result i32)
    (try (result i32)
      (do (call_indirect $t (type $i_v) (local.get 1) (local.get 0)) (i32.const 0))
      (catch $e (i32.add (i32.const 10)))
      (catch_all (i32.const 99))))

  (func (export "catch_tail") (param i32) (result i32)
    (try (result i32)
      (do (call $tail (local.get 0)) (i32.const 0))
      (catch $e)))

  ;; rethrow from a catch, caught outside with the payload intact.
  (func (export "rethrow") (param i32) (result i32)
    (try (result i32)
      (do
        (try
          (do (call $throw_e (local.get 0)))
          (catch_all (rethrow 0)))
        (i32.const 0))
      (catch $e)))

  ;; delegate 1 skips the middle try's catch_all and lands in the outer catch.
  (func (export "delegate") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (try (do (call $throw_e (local.get 0))) (delegate 1))
            (i32.const 0))
          (catch_all (i32.const -1))))
      (catch $e (i32.add (i32.const 1000)))))
)

;; A tail call to a function with more stack arguments than the caller has (x86-64: the
;; eighth integer argument and on): GCC's sibling calls can't carry it, so with GCC the
;; module keeps the trampoline (docs/tail-calls.md).
(module
  (func $small (export "small") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (return_call $big (i64.sub (local.get 0) (i64.const 1)) (i64.const 1) (i64.const 2)
              (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6) (i64.const 7)))))
  (func $big (param i64 i64 i64 i64 i64 i64 i64 i64) (result i64)
    (return_call $small (i64.add (local.get 0) (i64.mul (local.get 7) (i64.const 0)))))
)

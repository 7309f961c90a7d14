;; Mutual tail recursion between functions of different signatures, directly and through a
;; table. 10 million calls deep: without constant-stack tail calls this exhausts the stack.
(module
  (type $even_t (func (param i64) (result i32)))
  (type $odd_t (func (param i32 i64 f64) (result i32)))
  (table funcref (elem $even_ind $odd_ind))

  (func $even (export "even") (type $even_t)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i32.const 7) (i64.sub (local.get 0) (i64.const 1))
                              (f64.const 0.5)))))
  (func $odd (type $odd_t)
    (if (result i32) (i64.eqz (local.get 1))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 1) (i64.const 1))))))

  (func $even_ind (export "even_indirect") (type $even_t)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call_indirect (type $odd_t)
              (i32.const 7) (i64.sub (local.get 0) (i64.const 1)) (f64.const 0.5)
              (i32.const 1)))))
  (func $odd_ind (type $odd_t)
    (if (result i32) (i64.eqz (local.get 1))
      (then (i32.const 0))
      (else (return_call_indirect (type $even_t)
              (i64.sub (local.get 1) (i64.const 1)) (i32.const 0)))))

  ;; Same signature: clang compiles these to musttail jumps.
  (func $count (export "count") (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $count (i64.sub (local.get 0) (i64.const 1))
                                (i64.add (local.get 1) (i64.const 2))))))
)

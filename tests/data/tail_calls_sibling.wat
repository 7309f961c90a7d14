;; Tail calls that GCC's sibling calls carry (docs/tail-calls.md), and one that they can't.
(module
  (type $t9 (func (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  ;; Written at run time (set_table), so calls through it are not resolved statically.
  (table $tab 2 funcref)
  (elem declare func $even9 $odd9)

  ;; Same signature, with nine parameters: three of them on the stack (x86-64), which the
  ;; jump reuses. Counts down the first parameter, alternating between the two; $even9
  ;; adds the last one (1) to the second, so the result is half the count.
  (func $even9 (type $t9)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_indirect $tab (type $t9)
              (i32.sub (local.get 0) (i32.const 1)) (i32.add (local.get 1) (local.get 8))
              (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6)
              (local.get 7) (i32.const 1) (i32.const 1)))))
  (func $odd9 (type $t9)
    (if (result i32) (i32.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_indirect $tab (type $t9)
              (i32.sub (local.get 0) (i32.const 1)) (local.get 1) (local.get 2)
              (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7)
              (i32.const 1) (i32.const 0)))))
  (func (export "set_table")
    (table.set $tab (i32.const 0) (ref.func $even9))
    (table.set $tab (i32.const 1) (ref.func $odd9)))
  (func (export "count9") (param i32) (result i32)
    (call_indirect $tab (type $t9) (local.get 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0)))

  ;; A function that makes both a tail call and an ordinary call: the ordinary call must
  ;; still take stack (recursion exhausts it), the tail call must not.
  (func $both (export "both") (param i32 i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else
        (if (result i32) (local.get 1)
          (then (call $both (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))
          (else (return_call $both (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))))))
)

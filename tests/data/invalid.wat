;; Invalid: a function that must return i32 leaves an i64 on the stack.
(module
  (func $bad (export "bad") (result i32)
    (i64.const 0)))

;; Modules for the CLI's trap tests: each export traps in a different way.
(module
  (memory 1)
  (global $depth (mut i32) (i32.const 0))

  ;; one page is 65536 bytes: reading 4 bytes at 65535 is out of bounds
  (func $oob (export "oob") (result i32)
    (i32.load (i32.const 65535)))

  (func $div (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))

  (func $unreachable (export "unreachable")
    unreachable)

  ;; unbounded, non-tail recursion with a side effect per call (so no C compiler turns it
  ;; into a loop)
  (func $recurse (export "recurse") (param $n i32) (result i32)
    (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
    (i32.sub (call $recurse (i32.add (local.get $n) (i32.const 1))) (local.get $n)))
)

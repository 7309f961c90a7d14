;; The module of the C embedding example (docs/embedding-c.md, host.c).
(module
  ;; Provided by the C host.
  (import "env" "scale" (func $scale (param f64) (result f64)))
  (import "env" "log" (func $log (param i32 i64)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))

  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))

  ;; Traps with "integer divide by zero" when $b is 0.
  (func (export "div") (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))

  ;; Calls the host twice; the host traps for a negative x.
  (func (export "scaled-sum") (param $x f64) (param $y f64) (result f64)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (call $log (global.get $calls) (i64.reinterpret_f64 (local.get $x)))
    (f64.add (call $scale (local.get $x)) (call $scale (local.get $y))))

  ;; Two results: the quotient and remainder of an unsigned division.
  (func (export "divmod") (param $a i64) (param $b i64) (result i64 i64)
    (i64.div_u (local.get $a) (local.get $b))
    (i64.rem_u (local.get $a) (local.get $b)))

  ;; Stores `len` bytes of `byte` at `addr`; out of bounds traps.
  (func (export "fill") (param $addr i32) (param $byte i32) (param $len i32)
    (memory.fill (local.get $addr) (local.get $byte) (local.get $len))))

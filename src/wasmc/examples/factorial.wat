;; Factorial in 64-bit integers and in doubles:
;;   wasmc run src/wasmc/examples/factorial.wat --invoke fac 20       -> 2432902008176640000
;;   wasmc run src/wasmc/examples/factorial.wat --invoke fac_f64 170  -> 7.257415615308004e+306
(module
  (func $fac (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.le_s (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fac (i64.sub (local.get $n) (i64.const 1)))))))

  (func (export "fac_f64") (param $n f64) (result f64)
    (local $acc f64)
    (local.set $acc (f64.const 1))
    (block $done
      (loop $next
        (br_if $done (f64.le (local.get $n) (f64.const 1)))
        (local.set $acc (f64.mul (local.get $acc) (local.get $n)))
        (local.set $n (f64.sub (local.get $n) (f64.const 1)))
        (br $next)))
    (local.get $acc))
)

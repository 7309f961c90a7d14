(module
  (func $down (export "down") (param $n i64) (result i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else
        (local.set $a (i64.mul (local.get $n) (i64.const 3)))
        (local.set $b (i64.add (local.get $a) (i64.const 1)))
        (local.set $c (call $down (i64.sub (local.get $n) (i64.const 1))))
        (local.set $d (i64.add (local.get $c) (i64.and (local.get $b) (i64.const 1))))
        (local.get $d)))))

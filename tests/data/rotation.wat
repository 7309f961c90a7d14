;; Loops for the unroll hint of codegen/rotation.py: a loop that shifts values through three
;; or more locals (SHA-1's round: e = d, d = c, c = rotl(b, 30), b = a, a = t) gets it; a
;; loop that carries a pair (Fibonacci: a = b, b = a + b) does not.
(module
  (func (export "sha1ish") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $t i32)
    (local.set $a (i32.const 0x67452301))
    (local.set $b (i32.const 0xefcdab89))
    (local.set $c (i32.const 0x98badcfe))
    (local.set $d (i32.const 0x10325476))
    (local.set $e (i32.const 0xc3d2e1f0))
    (loop $round
      (local.set $t (i32.add (i32.add (i32.rotl (local.get $a) (i32.const 5))
                                      (i32.xor (local.get $b) (i32.xor (local.get $c)
                                                                       (local.get $d))))
                             (i32.add (local.get $e) (local.get $n))))
      (local.set $e (local.get $d))
      (local.set $d (local.get $c))
      (local.set $c (i32.rotl (local.get $b) (i32.const 30)))
      (local.set $b (local.get $a))
      (local.set $a (local.get $t))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $round (local.get $n)))
    (i32.xor (i32.xor (local.get $a) (local.get $b))
             (i32.xor (local.get $c) (i32.add (local.get $d) (local.get $e)))))

  (func (export "fib") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $t i32)
    (local.set $b (i32.const 1))
    (loop $step
      (local.set $t (i32.add (local.get $a) (local.get $b)))
      (local.set $a (local.get $b))
      (local.set $b (local.get $t))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $step (local.get $n)))
    (local.get $a))
)

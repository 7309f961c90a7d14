;; A throw-heavy loop (docs/exceptions.md, "Measured"): run(n, 0) enters a try_table and
;; calls 10 frames deep n/2 times; run(n, 1) also throws from the bottom every time.
(module
  (tag $e (param i32))
  (func $leaf (param i32) (result i32)
    (if (i32.and (local.get 0) (i32.const 1)) (then (throw $e (local.get 0))))
    (local.get 0))
  (func $mid (param i32) (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 1))
      (then (call $leaf (local.get 0)))
      (else (i32.add (call $mid (local.get 0) (i32.sub (local.get 1) (i32.const 1))) (i32.const 1)))))
  ;; n iterations; odd i throws through 10 frames, even i returns normally
  (func (export "run") (param $n i32) (param $odd i32) (result i32)
    (local $i i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (block $h (result i32)
          (try_table (result i32) (catch $e $h)
            (call $mid (i32.or (local.get $i) (local.get $odd)) (i32.const 10))))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 2))) (local.get $n))))
    (local.get $sum))
)

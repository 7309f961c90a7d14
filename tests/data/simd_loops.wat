;; Loops for the unroll hint of codegen/function.py (simd_loops): only the innermost loop
;; that moves vectors through memory and makes no call gets `#pragma GCC unroll` and the
;; `while (1)` form.
(module
  (memory (export "mem") 1)
  (func $id (param i32) (result i32) (local.get 0))
  ;; The sum, lane by lane, of `n` i32x4 vectors at `p`, stopping early (a branch out of
  ;; the loop to an enclosing block) at a vector whose first lane is -1; each row of an
  ;; outer loop `rows` times (the outer loop gets no hint: it is not innermost).
  (func (export "sum") (param $p i32) (param $n i32) (param $rows i32) (result i32)
    (local $acc v128) (local $q i32) (local $k i32)
    (block $stop
      (loop $row
        (local.set $q (local.get $p))
        (local.set $k (local.get $n))
        (if (local.get $k)
          (then
            (loop $vec
              (br_if $stop (i32.eq (i32x4.extract_lane 0 (v128.load (local.get $q)))
                                   (i32.const -1)))
              (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $q))))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (br_if $vec (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))))
        (br_if $row (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get $acc))
                      (i32x4.extract_lane 1 (local.get $acc)))
             (i32.add (i32x4.extract_lane 2 (local.get $acc))
                      (i32x4.extract_lane 3 (local.get $acc)))))
  ;; A vector loop with a call in it: no hint.
  (func (export "scale") (param $p i32) (param $n i32)
    (loop $l
      (v128.store (local.get $p) (i32x4.mul (v128.load (local.get $p))
                                            (i32x4.splat (call $id (i32.const 3)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; A vector loop longer than UNROLL_MAX_INSTRUCTIONS: no hint.
  (func (export "long") (param $p i32) (param $n i32) (result i32) (local $acc v128)
    (loop $l
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32x4.extract_lane 0 (local.get $acc))))

;; Recurrences for the store-to-load forwarding of codegen/forwarding.py: loops that store
;; w[i] and load w[i-1] and w[i-2] (forwarded), and loops that must not be forwarded.
(module
  (memory (export "mem") 1)

  ;; w[i] = 3 * w[i-2] + w[i-1] + 4i for the i32 words at $p, from byte index $i (at least
  ;; 8, or the first loads wrap below 0 and trap) while below $end; at least one iteration.
  ;; Both loads are forwarded: w[i-2] at distance 2, w[i-1] at distance 1.
  (func $recur (export "recur") (param $p i32) (param $i i32) (param $end i32)
    (loop $l
      (i32.store (i32.add (local.get $p) (local.get $i))
        (i32.add
          (i32.add
            (i32.mul (i32.load (i32.sub (i32.add (local.get $p) (local.get $i)) (i32.const 8)))
                     (i32.const 3))
            (i32.load offset=0 (i32.add (i32.add (local.get $i) (local.get $p)) (i32.const -4))))
          (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $end)))))

;; `rounds` times: w[0] = r, w[1] = 7r, then the recurrence of recur over w[2..n) (n >= 3)
  ;; in an inner loop; returns the sum of the last words. The inner loop is entered again
  ;; each round: what it forwarded in the last round must not leak into the first
  ;; iterations of the next.
  (func (export "rounds") (param $p i32) (param $n i32) (param $rounds i32) (result i32)
    (local $r i32) (local $sum i32) (local $i i32)
    (loop $round
      (i32.store (local.get $p) (local.get $r))
      (i32.store offset=4 (local.get $p) (i32.mul (local.get $r) (i32.const 7)))
      (local.set $i (i32.const 8))
      (loop $l
        (i32.store (i32.add (local.get $p) (local.get $i))
          (i32.add
            (i32.add
              (i32.mul (i32.load (i32.sub (i32.add (local.get $p) (local.get $i)) (i32.const 8)))
                       (i32.const 3))
              (i32.load (i32.add (i32.add (local.get $i) (local.get $p)) (i32.const -4))))
            (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $l (i32.lt_u (local.get $i) (i32.shl (local.get $n) (i32.const 2)))))
      (local.set $sum (i32.add (local.get $sum)
        (i32.load (i32.add (local.get $p) (i32.shl (i32.sub (local.get $n) (i32.const 1))
                                                   (i32.const 2))))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $r) (local.get $rounds))))
    (local.get $sum))

  ;; 64-bit words and a downward loop: x[i] = x[i+1] ^ (x[i+2] >> 1) + i, byte index $i
  ;; from its start down to (but not below) 0 in steps of 8. x[i+1] is forwarded (distance
  ;; 1); x[i+2] is not: its address has a memarg offset, the store's has none, and
  ;; zext(a) + 16 is not zext(a + 16) when a + 16 wraps.
  (func (export "down64") (param $p i32) (param $i i32)
    (loop $l
      (i64.store (i32.add (local.get $p) (local.get $i))
        (i64.add
          (i64.xor (i64.load (i32.add (i32.add (local.get $p) (local.get $i)) (i32.const 8)))
                   (i64.shr_u (i64.load offset=16 (i32.add (local.get $p) (local.get $i)))
                              (i64.const 1)))
          (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.sub (local.get $i) (i32.const 8)))
      (br_if $l (i32.ge_s (local.get $i) (i32.const 0)))))

  ;; Not forwarded: the stores overlap. Each iteration stores 4 bytes at p+i but i moves by
  ;; 2, so iteration k+1 overwrites half of what iteration k stored before iteration k+2
  ;; loads it (at p+i-4).
  (func (export "overlap") (param $p i32) (param $i i32) (param $end i32)
    (loop $l
      (i32.store (i32.add (local.get $p) (local.get $i))
        (i32.add (i32.mul (i32.load (i32.sub (i32.add (local.get $p) (local.get $i))
                                             (i32.const 4)))
                          (i32.const 0x9e3779b1))
                 (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $end)))))

;; Not forwarded: a second store (w[i] = w[i] ^ i, after w[i] = w[i-1] + 5) changes
  ;; what the next iteration loads.
  (func (export "twostores") (param $p i32) (param $i i32) (param $end i32)
    (loop $l
      (i32.store (i32.add (local.get $p) (local.get $i))
        (i32.add (i32.load (i32.sub (i32.add (local.get $p) (local.get $i)) (i32.const 4)))
                 (i32.const 5)))
      (i32.store (i32.add (local.get $p) (local.get $i))
        (i32.xor (i32.load (i32.add (local.get $p) (local.get $i))) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $end)))))

;; Not forwarded: a call in the loop, to a function that changes the word just stored.
  (func $touch (param $a i32)
    (i32.store (local.get $a) (i32.xor (i32.load (local.get $a)) (i32.const 0xffff))))
  (func (export "withcall") (param $p i32) (param $i i32) (param $end i32)
    (loop $l
      (i32.store (i32.add (local.get $p) (local.get $i))
        (i32.add (i32.load (i32.sub (i32.add (local.get $p) (local.get $i)) (i32.const 4)))
                 (i32.const 5)))
      (call $touch (i32.add (local.get $p) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $end)))))

  ;; Not forwarded: the load comes after the store (in the same iteration it reads what an
  ;; earlier iteration stored, but the emitter only handles loads before the store).
  (func (export "afterstore") (param $p i32) (param $i i32) (param $end i32) (result i32)
    (local $sum i32)
    (loop $l
      (i32.store (i32.add (local.get $p) (local.get $i)) (local.get $i))
      (local.set $sum (i32.add (local.get $sum)
        (i32.load (i32.sub (i32.add (local.get $p) (local.get $i)) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $end))))
    (local.get $sum))
)

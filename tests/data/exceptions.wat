;; Exception handling across the ways control reaches a throw: direct, indirect (table and
;; call_ref), tail calls (same signature: musttail with clang; other signatures: the
;; trampoline), many frames, and the exnref round trip. tests/test_exceptions.py runs it.
(module
  (type $i_v (func (param i32)))
  (type $i_i (func (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (tag $other (export "other") (param i64 f64))
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $throw_e $throw_other)
  (elem declare func $throw_e)

  (func $throw_e (param i32) (throw $e (local.get 0)))
  (func $throw_other (param i32)
    (throw $other (i64.extend_i32_u (local.get 0)) (f64.const 2.5)))

  ;; Recursion: throws $e with n after n frames.
  (func $deep (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 1234))))
    (call $deep (i32.sub (local.get 0) (i32.const 1))))

  ;; catch $e: the payload; catch $other: -1; nothing thrown: 0.
  (func $catcher (param $how i32) (param $n i32) (result i32)
    (block $got_e (result i32)
      (block $got_other (result i64 f64)
        (try_table (catch $e $got_e) (catch $other $got_other)
          (call_indirect $t (type $i_v) (local.get $n) (local.get $how)))
        (return (i32.const 0)))
      (drop) (drop) (return (i32.const -1))))
  (func (export "through_call_indirect") (param i32 i32) (result i32)
    (call $catcher (local.get 0) (local.get 1)))

  (func (export "through_call_ref") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call_ref $i_v (local.get 0) (ref.func $throw_e)))
      (i32.const 0)))

  (func (export "through_many_frames") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $deep (local.get 0)))
      (i32.const 0)))

  ;; return_call of a function of the same type (a musttail jump with clang) that throws.
  (func $tail_same (param i32) (return_call $throw_e (local.get 0)))
  ;; return_call_indirect to another type: the trampoline (thunk mode).
  (func $tail_other (param i32 i64)
    (return_call_indirect $t (type $i_v) (local.get 0) (i32.const 0)))
  (func (export "through_tail_calls") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $tail_same (local.get 0))
        (call $tail_other (i32.add (local.get 0) (i32.const 1)) (i64.const 0)))
      (i32.const 0)))
  (func (export "through_tail_call_other_type") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $tail_other (local.get 0) (i64.const 0)))
      (i32.const 0)))

  ;; A tail call leaves the caller's frame, and its handlers with it: the exception that the
  ;; callee throws is the caller's caller's to catch (here: 100 + payload).
  (func $try_then_tail_call (param i32)
    (block $mine
      (try_table (catch_all $mine)
        (return_call $throw_e (local.get 0))))
    (unreachable))
  (func (export "tail_call_leaves_handler") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $try_then_tail_call (local.get 0)))
      (i32.const 0))
    (i32.add (i32.const 100)))
  ;; The same with a trampolined tail call (another signature) out of a try body.
  (func $try_then_tail_call_other (param i32 i64)
    (block $mine
      (try_table (catch_all $mine)
        (return_call_indirect $t (type $i_v) (local.get 0) (i32.const 0))))
    (unreachable))
  (func (export "trampolined_tail_call_leaves_handler") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $try_then_tail_call_other (local.get 0) (i64.const 0)))
      (i32.const 0))
    (i32.add (i32.const 100)))

  ;; A local written in the try body keeps its value in the handler (setjmp and volatile).
  (func (export "local_survives") (param i32) (result i32)
    (local $x i32)
    (block $h
      (try_table (catch_all $h)
        (local.set $x (i32.mul (local.get 0) (i32.const 3)))
        (call $throw_e (local.get 0))))
    (local.get $x))

  ;; The same for a parameter.
  (func (export "param_survives") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h)
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (call $throw_e (local.get 0))))
    (local.get 0))

  ;; catch_ref, then throw_ref: the same exception, payload intact, caught outside.
  (func (export "rethrow_ref") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (catch $e $outer)
        (block $inner (result exnref)
          (try_table (catch_all_ref $inner) (call $throw_e (local.get 0)))
          (return (i32.const -1)))
        (throw_ref))
      (i32.const -2)))

  ;; A trap inside a try body with catch_all is still a trap.
  (func (export "trap_in_try") (result i32)
    (block $h
      (try_table (catch_all $h) (unreachable)))
    (i32.const 7))

  ;; Throws and catches n times (each throw must leave no handler behind).
  (func (export "loop") (param $n i32) (result i32)
    (local $sum i32)
    (loop $again
      (block $h (result i32)
        (try_table (catch $e $h) (call $throw_e (local.get $n)))
        (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))

  ;; br_table out of a try body inside a loop (16+ targets: a computed goto with clang):
  ;; every target leaves the handler. Wasmtime gives 21 for n = 10 and 26 for n = 100.
  (func $throw_if_3_mod_7 (param i32)
    (if (i32.eq (i32.rem_u (local.get 0) (i32.const 7)) (i32.const 3))
      (then (throw $e (local.get 0)))))
  (func $br_table_leaves_handler (export "br_table_leaves_handler") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $done (i32.gt_u (local.get $i) (local.get $n)))
        (block $caught (result i32)
          (try_table (catch $e $caught)
            (call $throw_if_3_mod_7 (local.get $i))
            (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
            (br_table $next $next $next $next $next $next $next $next
                      $next $next $next $next $next $next $next $done $next
                      (i32.and (local.get $i) (i32.const 15))))
          (unreachable))
        (local.set $acc (i32.add (local.get $acc)))
        (br $next)))
    (local.get $acc))

  ;; Had it left its handler behind, this throw would land in its dead frame.
  (func (export "throw_after_br_table") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (drop (call $br_table_leaves_handler (i32.const 10)))
        (throw $e (i32.const 77)))
      (i32.const 0)))

  (func (export "uncaught") (param i32) (call $throw_e (local.get 0)))
  (func (export "uncaught_other") (param i32) (call $throw_other (local.get 0)))
)

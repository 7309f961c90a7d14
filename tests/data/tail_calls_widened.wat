;; A tail-calling interpreter whose handlers load through their first parameter (pc):
;; with clang, fast bodies take that i32 zero-extended in a uint64_t
;; (ModuleEmitter.find_widened_params); the second (acc) is never an address and stays a
;; uint32_t. Each handler gets pc at its own opcode byte.
;;   0: halt (result acc)   1 n: acc += n   2: skip (pc + 1, wrapping)   3: acc += pc
;;   4: the host's peek(pc, acc)
;; And $walk, whose fast body takes the memory base m0 among its parameters, after the
;; third integer one (spelling.membase_position): between $q and $r, the f64 not counted.
(module
  (type $h (func (param i32 i32) (result i32)))
  ;; 4: the host's function (through a forwarder with the fast prototype), which ends the run
  (import "host" "peek" (func $peek (type $h)))
  (memory (export "mem") 1)
  (table 5 funcref)
  (elem (i32.const 0) $halt $add $skip $addpc $peek)
  (func $halt (type $h) (local.get 1))
  (func $add (type $h)
    (local.set 1 (i32.add (local.get 1) (i32.load8_u offset=1 (local.get 0))))
    (local.set 0 (i32.add (local.get 0) (i32.const 2)))
    (return_call_indirect (type $h) (local.get 0) (local.get 1) (i32.load8_u (local.get 0))))
  (func $skip (type $h)
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (return_call_indirect (type $h) (local.get 0) (local.get 1) (i32.load8_u (local.get 0))))
  (func $addpc (type $h)
    (local.set 1 (i32.add (local.get 1) (local.get 0)))
    (local.set 0 (i32.add (local.get 0) (i32.const 1)))
    (return_call_indirect (type $h) (local.get 0) (local.get 1) (i32.load8_u (local.get 0))))
  ;; Entries from the host (through f<N>, which widens the arguments).
  (func (export "run") (type $h)
    (return_call_indirect (type $h) (local.get 0) (local.get 1) (i32.load8_u (local.get 0))))
  (func (export "skip_from") (type $h) (return_call $skip (local.get 0) (local.get 1)))
  ;; n steps of p += 1, x += 0.5, r += 2; then mem[p] + mem[q] + x + r.
  (func $walk (export "walk") (param $p i32) (param $x f64) (param $q i32) (param $r i64)
      (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (return_call $walk (i32.add (local.get $p) (i32.const 1))
                               (f64.add (local.get $x) (f64.const 0.5)) (local.get $q)
                               (i64.add (local.get $r) (i64.const 2))
                               (i32.sub (local.get $n) (i32.const 1))))
      (else (i32.add (i32.add (i32.load8_u (local.get $p)) (i32.load8_u (local.get $q)))
                     (i32.add (i32.trunc_f64_s (local.get $x))
                              (i32.wrap_i64 (local.get $r))))))))


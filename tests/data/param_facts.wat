;; A tail-calling interpreter in the style that param_facts.py is for: handlers of one type
;; in a table that never changes, each passing the program's base address on unchanged
;; (a constant: the analysis drops it from the fast bodies) and the pc masked to a byte (a
;; bound), and functions that code outside the analysed calls also reaches, whose
;; parameters must stay unknown. tests/test_param_facts.py runs it.
(module
  (type $handler (func (param $base i32) (param $pc i32) (param $acc i32) (result i32)))
  (type $unary (func (param i32) (result i32)))
  (memory (export "mem") 1)
  (table $ops 4 4 funcref)
  (elem (table $ops) (i32.const 0) func $halt $inc $double $jump)

  ;; The next opcode's handler, with pc + 1.
  (func $next (type $handler) (param $base i32) (param $pc i32) (param $acc i32) (result i32)
    (return_call_indirect $ops (type $handler)
      (local.get $base)
      (i32.and (i32.add (local.get $pc) (i32.const 1)) (i32.const 0xff))
      (local.get $acc)
      (i32.load8_u (i32.add (local.get $base) (local.get $pc)))))
  (func $halt (type $handler)
    (param $base i32) (param $pc i32) (param $acc i32) (result i32) (local.get $acc))
  (func $inc (type $handler)
    (param $base i32) (param $pc i32) (param $acc i32) (result i32)
    (return_call $next (local.get $base) (local.get $pc)
      (i32.add (local.get $acc) (i32.const 1))))
  (func $double (type $handler)
    (param $base i32) (param $pc i32) (param $acc i32) (result i32)
    (return_call $next (local.get $base) (local.get $pc)
      (i32.shl (local.get $acc) (i32.const 1))))
  ;; pc = the byte after the opcode (a load: at most 255).
  (func $jump (type $handler)
    (param $base i32) (param $pc i32) (param $acc i32) (result i32)
    (local.set $pc (i32.load8_u (i32.add (local.get $base) (local.get $pc))))
    (return_call $next (local.get $base) (local.get $pc) (local.get $acc)))
  (func (export "run") (param $acc i32) (result i32)
    (call $next (i32.const 1000) (i32.const 0) (local.get $acc)))

  ;; Called with 5 here, and from outside with anything: exported.
  (func $exported (export "plus_one") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  (func (export "plus_one_of_5") (result i32)
    (call $exported (i32.const 5)))

  ;; Called with 5 through a static table, and through what table.get reads from it ...
  (table $read 1 1 funcref)
  (elem (table $read) (i32.const 0) func $times_two)
  (func $times_two (type $unary) (i32.shl (local.get 0) (i32.const 1)))
  (func (export "times_two_of_5") (result i32)
    (call_indirect $read (type $unary) (i32.const 5) (i32.const 0)))
  (table $other 1 1 funcref)
  (func (export "times_two_by_get") (param i32) (result i32)
    (table.set $other (i32.const 0) (table.get $read (i32.const 0)))
    (call_indirect $other (type $unary) (local.get 0) (i32.const 0)))
  ;; ... and $halved, through a copy of its table's element.
  (table $read2 1 1 funcref)
  (elem (table $read2) (i32.const 0) func $halved)
  (func $halved (type $unary) (i32.shr_u (local.get 0) (i32.const 1)))
  (func (export "halved_of_8") (result i32)
    (call_indirect $read2 (type $unary) (i32.const 8) (i32.const 0)))
  (func (export "halved_by_copy") (param i32) (result i32)
    (table.copy $other $read2 (i32.const 0) (i32.const 0) (i32.const 1))
    (call_indirect $other (type $unary) (local.get 0) (i32.const 0)))

  ;; Called with 7 directly, and through the reference ref.func takes.
  (func $minus_one (type $unary) (i32.sub (local.get 0) (i32.const 1)))
  (func (export "minus_one_of_7") (result i32) (call $minus_one (i32.const 7)))
  (func (export "minus_one_by_ref") (param i32) (result i32)
    (call_ref $unary (local.get 0) (ref.func $minus_one)))
  (elem declare func $minus_one)

  ;; A parameter written before it is passed on: $square gets 3 + 1, not 3.
  (func $square (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $square_of_next (param $x i32) (result i32)
    (local.set $x (i32.add (local.get $x) (i32.const 1)))
    (call $square (local.get $x)))
  (func (export "square_of_4") (result i32) (call $square_of_next (i32.const 3)))

  ;; A bound that one caller keeps (x & 0xff) and another does not (1000).
  (func $above_255 (param i32) (result i32) (i32.gt_u (local.get 0) (i32.const 255)))
  (func (export "above_255_masked") (param i32) (result i32)
    (call $above_255 (i32.and (local.get 0) (i32.const 0xff))))
  (func (export "above_255_of_1000") (result i32) (call $above_255 (i32.const 1000)))

  ;; A local reused for two values, one of them unbounded: the bound must not stick.
  (func $above_255_b (param i32) (result i32) (i32.gt_u (local.get 0) (i32.const 255)))
  (func (export "reused_local") (param $x i32) (result i32)
    (local $t i32)
    (local.set $t (local.get $x))
    (if (i32.gt_u (local.get $x) (i32.const 2000))
      (then (local.set $t (i32.and (local.get $x) (i32.const 0xff)))))
    (call $above_255_b (local.get $t)))
)

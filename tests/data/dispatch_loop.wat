;; A bytecode interpreter loop whose dispatch is a 21-entry br_table inside a loop: with
;; clang, wasmc compiles it to a computed goto (function.py, DISPATCH_TABLE_MIN). Every branch
;; carries the accumulator to its block, two return from the function, and out-of-range
;; opcodes take the default. The same size of table outside a loop stays a switch.
(module
  (memory (export "mem") 1)
  ;; run(pc, acc): executes one-byte opcodes from memory at pc:
  ;;   0..9  acc += opcode    10..15  acc *= 2    16  acc = -acc    17, 19  return acc
  ;;   18    acc -= 1         20 and above (default): acc ^= 0x55
  (func (export "run") (param $pc i32) (param $acc i32) (result i32)
    (local $op i32)
    (loop $next
      (local.set $op (i32.load8_u (local.get $pc)))
      (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
      (block $xor (result i32)
        (block $double (result i32)
          (block $dec (result i32)
            (block $neg (result i32)
              (block $add (result i32)
                (br_table $add $add $add $add $add $add $add $add $add $add
                          $double $double $double $double $double $double
                          $neg 6 $dec 6 $xor
                  (local.get $acc) (local.get $op)))
              (local.set $acc (i32.add (local.get $op)))
              (br $next))
            (local.set $acc)
            (local.set $acc (i32.sub (i32.const 0) (local.get $acc)))
            (br $next))
          (local.set $acc (i32.sub (i32.const 1)))
          (br $next))
        (local.set $acc (i32.mul (i32.const 2)))
        (br $next))
      (local.set $acc (i32.xor (i32.const 0x55)))
      (br $next))
    (unreachable))
  (func (export "classify") (param $x i32) (result i32)
    (block $big
      (block $small
        (br_table $small $small $small $small $small $small $small $small $small $small
                  $small $small $small $small $small $small $small $small $small $small $big
          (local.get $x)))
      (return (i32.const 1)))
    (i32.const 2)))

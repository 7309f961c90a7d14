;; exnparse: a recursive-descent parser and evaluator of generated arithmetic expressions
;; that reports errors by throwing Wasm exceptions. The same program as exnparse.cpp (read
;; its header for what it does), written by hand in WAT because the ziglang clang cannot
;; link C++ exceptions for wasm32-wasi (its libc++abi for wasm has none).
;;
;; This file is everything but the functions that catch: `;; @try-sites` below is replaced
;; by exnparse_try_exnref.wat (try_table, catch_all_ref, throw_ref: the Wasm 3.0
;; instructions) for most engines, or by exnparse_try_legacy.wat (try, catch, catch_all,
;; rethrow) for V8 in node 20, which knows only the legacy instructions
;; (src/wasmc/bench/programs.py assembles both).
;;
;; Memory: 0 the iovec for fd_write, 16.. strings, 512 the multiplicative operators,
;; 800..820 digits being printed, 1024 argv, 2048 the argument bytes, 4096 the output
;; line, 8192 the character classes (which factor parser), 8448 the operator indexes,
;; 65536 the expression's text.
(module
  (type $binop (func (param i32 i32 i32) (result i32)))  ;; a, b, position -> a op b
  (type $parser (func (result i32)))                    ;; parses a factor at $pos
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 3)

  ;; the errors, with the byte position
  (tag $div_zero (param i32))
  (tag $syntax (param i32))

  ;; 0..4: the binary operators by op index; 5..8: the factor parsers by character class
  (table 9 9 funcref)
  (elem (i32.const 0) func $op_add $op_sub $op_mul $op_div $op_rem
    $parse_bad $parse_number $parse_group $parse_guard)

  (data (i32.const 16) "exnparse: ")
  (data (i32.const 48) " expressions: ")
  (data (i32.const 80) " ok, ")
  (data (i32.const 112) " division by zero, ")
  (data (i32.const 144) " syntax error; ")
  (data (i32.const 176) " guarded, max depth ")
  (data (i32.const 208) ", checksum ")
  (data (i32.const 240) "\n")
  (data (i32.const 272) "depth ")
  (data (i32.const 304) " after expression ")
  (data (i32.const 512) "**/%")

  (global $seed (mut i32) (i32.const 42))
  (global $len (mut i32) (i32.const 0))        ;; of the expression's text
  (global $pos (mut i32) (i32.const 0))        ;; the parser's position in it
  (global $depth (mut i32) (i32.const 0))      ;; open groups
  (global $max_depth (mut i32) (i32.const 0))
  (global $guarded (mut i32) (i32.const 0))    ;; DivZero caught by a guard
  (global $ok (mut i32) (i32.const 0))
  (global $div_zero_count (mut i32) (i32.const 0))
  (global $syntax_count (mut i32) (i32.const 0))
  (global $checksum (mut i32) (i32.const 0))
  (global $out_len (mut i32) (i32.const 0))

  (func $rnd (param $n i32) (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245))
                               (i32.const 12345)))
    (i32.shr_u (i32.mul (i32.shr_u (global.get $seed) (i32.const 16)) (local.get $n))
               (i32.const 16)))

  ;; ---- the generator ----

  (func $put (param $c i32)
    (i32.store8 offset=65536 (global.get $len) (local.get $c))
    (global.set $len (i32.add (global.get $len) (i32.const 1))))

  (func $gen_factor (param $depth i32) (param $spine i32)
    (local $guard i32)
    (if (i32.and (local.get $spine) (i32.ne (local.get $depth) (i32.const 0)))
      (then
        (local.set $guard (i32.eqz (call $rnd (i32.const 4))))
        (call $put (select (i32.const 91) (i32.const 40) (local.get $guard)))  ;; [ (
        (call $gen_expr (i32.sub (local.get $depth) (i32.const 1)))
        (call $put (select (i32.const 93) (i32.const 41) (local.get $guard))))  ;; ] )
      (else
        (if (i32.eqz (call $rnd (i32.const 64)))
          (then (call $put (i32.const 63)))  ;; ?
          (else (call $put (i32.add (i32.const 48) (call $rnd (i32.const 10)))))))))

  (func $gen_term (param $depth i32) (param $spine i32)
    (local $factors i32) (local $on_spine i32) (local $f i32)
    (local.set $factors (i32.add (i32.const 1) (call $rnd (i32.const 3))))
    (local.set $on_spine (call $rnd (local.get $factors)))
    (loop $next
      (if (local.get $f)
        (then (call $put (i32.load8_u offset=512 (call $rnd (i32.const 4))))))
      (call $gen_factor (local.get $depth)
        (i32.and (local.get $spine) (i32.eq (local.get $f) (local.get $on_spine))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $f) (local.get $factors)))))

  (func $gen_expr (param $depth i32)
    (local $terms i32) (local $on_spine i32) (local $t i32)
    (local.set $terms (i32.add (i32.const 1) (call $rnd (i32.const 3))))
    (local.set $on_spine (call $rnd (local.get $terms)))
    (loop $next
      (if (local.get $t)
        (then (call $put (select (i32.const 45) (i32.const 43)  ;; - +
                                 (call $rnd (i32.const 2))))))
      (call $gen_term (local.get $depth) (i32.eq (local.get $t) (local.get $on_spine)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $t) (local.get $terms)))))

  ;; ---- the parser and evaluator ----

  (func $op_add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $op_sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $op_mul (type $binop) (i32.mul (local.get 0) (local.get 1)))
  (func $op_div (type $binop)
    (if (i32.eqz (local.get 1)) (then (throw $div_zero (local.get 2))))
    (i32.div_u (local.get 0) (local.get 1)))
  (func $op_rem (type $binop)
    (if (i32.eqz (local.get 1)) (then (throw $div_zero (local.get 2))))
    (i32.rem_u (local.get 0) (local.get 1)))

  (func $char_at_pos (result i32)
    (i32.load8_u offset=65536 (global.get $pos)))

  (func $expect (param $c i32)
    (if (i32.ne (call $char_at_pos) (local.get $c))
      (then (throw $syntax (global.get $pos))))
    (global.set $pos (i32.add (global.get $pos) (i32.const 1))))

  (func $parse_bad (type $parser)
    (throw $syntax (global.get $pos)))

  (func $parse_number (type $parser)
    (local $p i32)
    (local.set $p (global.get $pos))
    (global.set $pos (i32.add (local.get $p) (i32.const 1)))
    (i32.sub (i32.load8_u offset=65536 (local.get $p)) (i32.const 48)))

  ;; entering a group: what DepthGuard's constructor does in exnparse.cpp
  (func $enter_group
    (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
    (if (i32.gt_u (global.get $depth) (global.get $max_depth))
      (then (global.set $max_depth (global.get $depth)))))

  ;; After a DivZero inside a guard: the position of the guard's closing ']'.
  (func $closing_bracket (param $i i32) (result i32)
    (local $open i32) (local $c i32)
    (loop $scan (result i32)
      (local.set $c (i32.load8_u offset=65536 (local.get $i)))
      (if (i32.or (i32.eq (local.get $c) (i32.const 40)) (i32.eq (local.get $c) (i32.const 91)))
        (then (local.set $open (i32.add (local.get $open) (i32.const 1))))
        (else
          (if (i32.or (i32.eq (local.get $c) (i32.const 41))
                      (i32.eq (local.get $c) (i32.const 93)))
            (then
              (if (i32.eqz (local.get $open)) (then (return (local.get $i))))
              (local.set $open (i32.sub (local.get $open) (i32.const 1)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $scan)))

  (func $parse_factor (result i32)
    (call_indirect (type $parser)
      (i32.add (i32.const 5) (i32.load8_u offset=8192 (call $char_at_pos)))))

  (func $parse_term (result i32)
    (local $v i32) (local $op i32) (local $at i32) (local $r i32)
    (local.set $v (call $parse_factor))
    (block $done
      (loop $more
        (local.set $op (i32.load8_u offset=8448 (call $char_at_pos)))
        (br_if $done (i32.or (i32.lt_u (local.get $op) (i32.const 2))
                             (i32.gt_u (local.get $op) (i32.const 4))))
        (local.set $at (global.get $pos))
        (global.set $pos (i32.add (local.get $at) (i32.const 1)))
        (local.set $r (call $parse_factor))
        (local.set $v (call_indirect (type $binop)
                        (local.get $v) (local.get $r) (local.get $at) (local.get $op)))
        (br $more)))
    (local.get $v))

  (func $parse_expr (result i32)
    (local $v i32) (local $op i32) (local $at i32) (local $r i32)
    (local.set $v (call $parse_term))
    (block $done
      (loop $more
        (local.set $op (i32.load8_u offset=8448 (call $char_at_pos)))
        (br_if $done (i32.gt_u (local.get $op) (i32.const 1)))
        (local.set $at (global.get $pos))
        (global.set $pos (i32.add (local.get $at) (i32.const 1)))
        (local.set $r (call $parse_term))
        (local.set $v (call_indirect (type $binop)
                        (local.get $v) (local.get $r) (local.get $at) (local.get $op)))
        (br $more)))
    (local.get $v))

  ;; The functions that catch: $parse_group (restores $depth when an exception passes
  ;; through), $parse_guard (catches $div_zero inside "[ ]"), $evaluate (one expression;
  ;; catches both errors and counts them).
  ;; @try-sites

  ;; ---- output and the command line ----

  (func $print (param $ptr i32) (param $n i32)
    (memory.copy (i32.add (i32.const 4096) (global.get $out_len)) (local.get $ptr) (local.get $n))
    (global.set $out_len (i32.add (global.get $out_len) (local.get $n))))

  (func $print_u32 (param $v i32)
    (local $n i32)
    (loop $digit
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (i32.store8 (i32.sub (i32.const 820) (local.get $n))
                  (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digit (local.get $v)))
    (call $print (i32.sub (i32.const 820) (local.get $n)) (local.get $n)))

  (func $flush
    (i32.store (i32.const 0) (i32.const 4096))
    (i32.store (i32.const 4) (global.get $out_len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (global.set $out_len (i32.const 0)))

  ;; argv[1] as a decimal number (its leading digits, as strtoul), or 1000 without one
  (func $read_count (result i32)
    (local $p i32) (local $c i32) (local $v i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (if (i32.lt_u (i32.load (i32.const 0)) (i32.const 2)) (then (return (i32.const 1000))))
    (if (i32.or (i32.gt_u (i32.load (i32.const 0)) (i32.const 256))
                (i32.gt_u (i32.load (i32.const 4)) (i32.const 2048)))
      (then unreachable))
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (local.set $p (i32.load (i32.const 1028)))
    (block $end
      (loop $digit
        (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (br_if $end (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 10)) (local.get $c)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $digit)))
    (local.get $v))

  (func (export "_start")
    (local $count i32) (local $i i32) (local $c i32)
    ;; character classes: digits 1, ( 2, [ 3, everything else 0 (a syntax error)
    (local.set $c (i32.const 48))
    (loop $digits
      (i32.store8 offset=8192 (local.get $c) (i32.const 1))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $digits (i32.le_u (local.get $c) (i32.const 57))))
    (i32.store8 offset=8192 (i32.const 40) (i32.const 2))
    (i32.store8 offset=8192 (i32.const 91) (i32.const 3))
    ;; operator indexes: + 0, - 1, * 2, / 3, % 4, anything else 5
    (memory.fill (i32.const 8448) (i32.const 5) (i32.const 256))
    (i32.store8 offset=8448 (i32.const 43) (i32.const 0))
    (i32.store8 offset=8448 (i32.const 45) (i32.const 1))
    (i32.store8 offset=8448 (i32.const 42) (i32.const 2))
    (i32.store8 offset=8448 (i32.const 47) (i32.const 3))
    (i32.store8 offset=8448 (i32.const 37) (i32.const 4))

    (local.set $count (call $read_count))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (global.set $len (i32.const 0))
        (call $gen_expr (i32.add (i32.const 4) (call $rnd (i32.const 24))))
        (call $put (i32.const 0))
        (global.set $pos (i32.const 0))
        (call $evaluate)
        (if (global.get $depth)
          (then
            (call $print (i32.const 16) (i32.const 10))
            (call $print (i32.const 272) (i32.const 6))
            (call $print_u32 (global.get $depth))
            (call $print (i32.const 304) (i32.const 18))
            (call $print_u32 (local.get $i))
            (call $print (i32.const 240) (i32.const 1))
            (call $flush)
            (call $proc_exit (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))

    (call $print (i32.const 16) (i32.const 10))
    (call $print_u32 (local.get $count))
    (call $print (i32.const 48) (i32.const 14))
    (call $print_u32 (global.get $ok))
    (call $print (i32.const 80) (i32.const 5))
    (call $print_u32 (global.get $div_zero_count))
    (call $print (i32.const 112) (i32.const 19))
    (call $print_u32 (global.get $syntax_count))
    (call $print (i32.const 144) (i32.const 15))
    (call $print_u32 (global.get $guarded))
    (call $print (i32.const 176) (i32.const 20))
    (call $print_u32 (global.get $max_depth))
    (call $print (i32.const 208) (i32.const 11))
    (call $print_u32 (global.get $checksum))
    (call $print (i32.const 240) (i32.const 1))
    (call $flush))
)

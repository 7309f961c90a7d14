  ;; exnparse's functions that catch, with the Wasm 3.0 instructions (try_table,
  ;; catch_all_ref, throw_ref): spliced into exnparse.wat at `;; @try-sites`.

  ;; "( expr )": a cleanup restores $depth when an exception passes through (as
  ;; DepthGuard's destructor does in exnparse.cpp)
  (func $parse_group (type $parser)
    (local $v i32)
    (call $enter_group)
    (block $cleanup (result exnref)
      (try_table (catch_all_ref $cleanup)
        (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
        (local.set $v (call $parse_expr))
        (call $expect (i32.const 41)))  ;; )
      (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
      (return (local.get $v)))
    (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
    (throw_ref))

  ;; "[ expr ]": a division by zero inside makes it 0
  (func $parse_guard (type $parser)
    (local $start i32) (local $v i32)
    (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
    (local.set $start (global.get $pos))
    (block $parsed
      (block $caught (result i32)
        (try_table (result i32) (catch $div_zero $caught)
          (call $parse_expr))
        (local.set $v)
        (br $parsed))
      (drop)  ;; the division's position
      (global.set $guarded (i32.add (global.get $guarded) (i32.const 1)))
      (global.set $pos (call $closing_bracket (local.get $start)))
      (local.set $v (i32.const 0)))
    (call $expect (i32.const 93))  ;; ]
    (local.get $v))

  ;; one expression: its value or its error goes into the counts and the checksum
  (func $evaluate
    (local $v i32)
    (block $done
      (block $syntax_error (result i32)
        (block $division (result i32)
          (try_table (catch $div_zero $division) (catch $syntax $syntax_error)
            (local.set $v (call $parse_expr))
            (if (call $char_at_pos) (then (throw $syntax (global.get $pos)))))
          (global.set $ok (i32.add (global.get $ok) (i32.const 1)))
          (global.set $checksum (i32.add (i32.mul (global.get $checksum) (i32.const 31))
                                         (local.get $v)))
          (br $done))
        (local.set $v)  ;; the division's position
        (global.set $div_zero_count (i32.add (global.get $div_zero_count) (i32.const 1)))
        (global.set $checksum (i32.add (i32.mul (global.get $checksum) (i32.const 31))
                                       (local.get $v)))
        (br $done))
      (local.set $v)  ;; the bad character's position
      (global.set $syntax_count (i32.add (global.get $syntax_count) (i32.const 1)))
      (global.set $checksum (i32.add (i32.mul (global.get $checksum) (i32.const 31))
                                     (i32.add (local.get $v) (i32.const 7))))))

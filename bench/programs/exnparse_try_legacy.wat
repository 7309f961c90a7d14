  ;; exnparse's functions that catch, with the legacy instructions (try, catch, catch_all,
  ;; rethrow) that V8 in node 20 knows: spliced into exnparse.wat at `;; @try-sites`.
  ;; The same work as exnparse_try_exnref.wat.

  ;; "( expr )": a cleanup restores $depth when an exception passes through
  (func $parse_group (type $parser)
    (local $v i32)
    (call $enter_group)
    try
      (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
      (local.set $v (call $parse_expr))
      (call $expect (i32.const 41))  ;; )
    catch_all
      (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
      rethrow 0
    end
    (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
    (local.get $v))

  ;; "[ expr ]": a division by zero inside makes it 0
  (func $parse_guard (type $parser)
    (local $start i32) (local $v i32)
    (global.set $pos (i32.add (global.get $pos) (i32.const 1)))
    (local.set $start (global.get $pos))
    try (result i32)
      (call $parse_expr)
    catch $div_zero
      (drop)  ;; the division's position
      (global.set $guarded (i32.add (global.get $guarded) (i32.const 1)))
      (global.set $pos (call $closing_bracket (local.get $start)))
      (i32.const 0)
    end
    (local.set $v)
    (call $expect (i32.const 93))  ;; ]
    (local.get $v))

  ;; one expression: its value or its error goes into the counts and the checksum
  (func $evaluate
    (local $v i32)
    try
      (local.set $v (call $parse_expr))
      (if (call $char_at_pos) (then (throw $syntax (global.get $pos))))
      (global.set $ok (i32.add (global.get $ok) (i32.const 1)))
      (global.set $checksum (i32.add (i32.mul (global.get $checksum) (i32.const 31))
                                     (local.get $v)))
    catch $div_zero
      (local.set $v)  ;; the division's position
      (global.set $div_zero_count (i32.add (global.get $div_zero_count) (i32.const 1)))
      (global.set $checksum (i32.add (i32.mul (global.get $checksum) (i32.const 31))
                                     (local.get $v)))
    catch $syntax
      (local.set $v)  ;; the bad character's position
      (global.set $syntax_count (i32.add (global.get $syntax_count) (i32.const 1)))
      (global.set $checksum (i32.add (i32.mul (global.get $checksum) (i32.const 31))
                                     (i32.add (local.get $v) (i32.const 7))))
    end)

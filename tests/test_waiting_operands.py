"""Constants, local.gets and pure expressions go into the instruction that uses them
(FunctionEmitter.emit's `pending`): the C has no statement that only copies one into a
stack slot, and a value read from a local (or a slot) before the local (or the slot) is
written, or before control leaves the straight line, is still the value it had when it
was read."""

import re

import pytest

import wasmc.api

WAT = """
(module
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 0))
  (func $id (param i32) (result i32) (local.get 0))
  ;; a + 1, written as straight-line code: every operand waits for its use
  (func $inc (export "inc") (param $a i32) (result i32)
    (i32.add (local.get $a) (i32.const 1)))
  ;; the old a, then a becomes 5: old a + 5 + 5
  (func $set_after_get (export "set_after_get") (param $a i32) (result i32)
    (local.get $a)
    (local.set $a (i32.const 5))
    (i32.add (local.get $a))
    (i32.add (i32.const 5)))
  ;; old a + (old a + 1), the second through local.tee
  (func $tee_after_get (export "tee_after_get") (param $a i32) (result i32)
    (local.get $a)
    (local.tee $a (i32.add (local.get $a) (i32.const 1)))
    (i32.add))
  ;; the old a waits below a block that sets a to 9: old a + 9
  (func $block_between (export "block_between") (param $a i32) (result i32)
    (local.get $a)
    (block (local.set $a (i32.const 9)))
    (i32.add (local.get $a)))
  ;; br_if with a value and a waiting condition: a if b != 0, else 7
  (func $br_if_value (export "br_if_value") (param $a i32) (param $b i32) (result i32)
    (block $out (result i32)
      (drop (br_if $out (local.get $a) (local.get $b)))
      (i32.const 7)))
  ;; the old a passed to a call after a was set, through a global and a store
  (func $call_args (export "call_args") (param $a i32) (result i32)
    (local.get $a)
    (local.set $a (i32.const 3))
    (global.set $g (local.get $a))
    (i32.store (i32.const 16) (local.get $a))
    (call $id)
    (i32.add (i32.load (i32.const 16)))
    (i32.add (global.get $g)))
  ;; select over waiting values; the loser is the other local
  (func $pick (export "pick") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (select (local.get $a) (local.get $b) (local.get $c)))
  ;; a loop that counts a down, with its old value kept on the stack across the loop
  (func $loop_between (export "loop_between") (param $a i32) (result i32)
    (local.get $a)
    (loop $again
      (local.set $a (i32.sub (local.get $a) (i32.const 1)))
      (br_if $again (local.get $a)))
    (i32.add (local.get $a)))
  ;; comparisons of loaded values wait, then a load at their operand's height: whether
  ;; words 0, 4 and 8 hold 65, 7 and 9 (the spec's memory.wast found this one)
  (func $loads_compared (export "loads_compared") (result i32)
    (i32.and
      (i32.and
        (i32.eq (i32.load (i32.const 0)) (i32.const 65))
        (i32.eq (i32.load (i32.const 4)) (i32.const 7)))
      (i32.eq (i32.load (i32.const 8)) (i32.const 9))))
  ;; a pure expression over a local set just after: (a + 1) * 3 with a old, then a + a new
  (func $expr_then_set (export "expr_then_set") (param $a i32) (result i32)
    (i32.mul (i32.add (local.get $a) (i32.const 1)) (i32.const 3))
    (local.set $a (i32.const 100))
    (i32.add (local.get $a))
    (local.set $a)
    (f32.ceil (f32.add (f32.convert_i32_s (local.get $a)) (f32.const 0.5)))
    (i32.trunc_f32_s)
    (i32.add (local.get $a)))
  ;; an f64 and an i64 constant, and a dropped local.get
  (func $mixed (export "mixed") (param $x f64) (result i64)
    (drop (local.get $x))
    (i64.add (i64.trunc_f64_s (f64.mul (local.get $x) (f64.const 2.5))) (i64.const 40)))
)
"""


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    """Each function's C, by its Wasm name."""
    _, c = wasmc.api.translate(wasmc.api.read_source(WAT))
    return {m.group(1): m.group(2) for m in re.finditer(
        r"^/\* func \d+: (\S+) .*?\n(.*?)\n}\n", c, re.MULTILINE | re.DOTALL)}


def test_no_statement_only_copies_a_constant_or_a_local(bodies):
    copies = re.compile(r"^  s\d+_\w+ = (l\d+|UINT32_C\(\w+\)|UINT64_C\(\w+\));", re.MULTILINE)
    assert "UINT32_C(0x1)" in bodies["inc"]
    for name in ("inc", "pick", "mixed", "expr_then_set"):
        assert not copies.search(bodies[name]), (name, bodies[name])


def test_a_local_read_before_its_write_takes_its_slot_first(bodies):
    body = bodies["set_after_get"]
    assert re.search(r"s0_i32 = l0;\n  l0 = UINT32_C\(0x5\);", body), body


@pytest.mark.parametrize("cc,opt", [(None, 0), (None, 2), ("gcc", 0), ("gcc", 2)],
                         ids=["clang-O0", "clang-O2", "gcc-O0", "gcc-O2"])
def test_results(cc, opt):
    e = wasmc.api.load(WAT, cc=cc, opt=opt).exports
    assert e["inc"](41) == 42
    assert e["set_after_get"](100) == 110
    assert e["tee_after_get"](100) == 201
    assert e["block_between"](100) == 109
    assert e["br_if_value"](11, 1) == 11
    assert e["br_if_value"](11, 0) == 7
    assert e["call_args"](100) == 106
    assert e["pick"](1, 2, 1) == 1
    assert e["pick"](1, 2, 0) == 2
    assert e["loop_between"](4) == 4
    assert e["mixed"](4.0) == 50
    mem = e["mem"]
    mem.write(0, b"".join(v.to_bytes(4, "little") for v in (65, 7, 9)))
    assert e["loads_compared"]() == 1
    mem.write(4, (8).to_bytes(4, "little"))
    assert e["loads_compared"]() == 0
    # a = (2 + 1) * 3 + 100 = 109; ceil(109.5) = 110; 110 + 109
    assert e["expr_then_set"](2) == 219

"""The memory base read again after a call (FunctionEmitter.reload_bases): which functions
get it (a call in a loop or a call of the function itself; not in functions with a try),
what the C then looks like, and that the compiled functions still compute the right
values with both compilers."""

import re

import pytest

import wasmc.api

WAT = """
(module
  (memory (export "mem") 1)
  (tag $oops)
  (func $leaf (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1)))
  ;; the sum of the n words at 0, 4, ..., read from the last one down, by recursion
  (func $rec (export "rec") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else
        (i32.add
          (i32.load (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 2)))
          (call $rec (i32.sub (local.get $n) (i32.const 1)))))))
  ;; words 0..n-1 each become leaf(word) + its index; returns the new sum
  (func $looped (export "looped") (param $n i32) (result i32)
    (local $i i32) (local $sum i32) (local $a i32)
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i32.shl (local.get $i) (i32.const 2)))
        (i32.store (local.get $a)
          (i32.add (call $leaf (i32.load (local.get $a))) (local.get $i)))
        (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $a))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  ;; one call, after a loop that has ended: no call runs more than once
  (func $once (export "once") (param $n i32) (result i32)
    (local $i i32)
    (loop $spin
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spin (i32.lt_u (local.get $i) (local.get $n))))
    (i32.store (i32.const 64) (call $leaf (i32.load (i32.const 64))))
    (i32.load (i32.const 64)))
  ;; a call in a loop, no memory: nothing to read again
  (func $nomem (export "nomem") (param $n i32) (result i32)
    (local $acc i32)
    (block $out
      (loop $next
        (br_if $out (i32.eqz (local.get $n)))
        (local.set $acc (call $leaf (local.get $acc)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  ;; a call in a loop in a function with a try: left as it was
  (func $tried (export "tried") (param $n i32) (result i32)
    (local $i i32)
    (block $caught
      (try_table (catch $oops $caught)
        (loop $next
          (i32.store (i32.const 128) (call $leaf (i32.load (i32.const 128))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))))
    (i32.load (i32.const 128)))
)
"""

RELOAD = "m0 = inst->membase0;"


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    """Each function's C, by its Wasm name."""
    _, c = wasmc.api.translate(wasmc.api.read_source(WAT))
    found = {}
    for m in re.finditer(r"^/\* func \d+: (\S+) .*?\n(.*?)\n}\n", c, re.MULTILINE | re.DOTALL):
        found[m.group(1)] = m.group(2)
    return found


def test_recursive_and_looped_calls_read_the_base_again(bodies):
    for name, callee in (("rec", "f1("), ("looped", "f0(")):
        body = bodies[name]
        assert "uint8_t *m0 = inst->membase0;" in body, name
        calls = [line for line in body.splitlines()
                 if callee in line and not line.startswith("static")]
        assert calls and all(line.rstrip().endswith(RELOAD) for line in calls), (name, calls)


@pytest.mark.parametrize("name", ["once", "tried"])
def test_other_functions_keep_a_constant_base(bodies, name):
    body = bodies[name]
    assert "uint8_t *const m0 = inst->membase0;" in body
    assert RELOAD not in body.replace("*const m0 = inst->membase0;", "")


def test_no_memory_nothing_to_read(bodies):
    assert "membase" not in bodies["nomem"]


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_results(cc):
    instance = wasmc.api.load(WAT, cc=cc, opt=2)
    mem = instance.exports["mem"]
    words = [5, 0, 2**32 - 1, 77, 1, 123456]
    mem.write(0, b"".join(w.to_bytes(4, "little") for w in words))
    assert instance.exports["rec"](len(words)) == sum(words) & 0xFFFFFFFF
    new = [(w + 1 + i) & 0xFFFFFFFF for i, w in enumerate(words)]
    assert instance.exports["looped"](len(words)) & 0xFFFFFFFF == sum(new) & 0xFFFFFFFF
    assert mem.read(0, 4 * len(words)) == b"".join(w.to_bytes(4, "little") for w in new)
    assert instance.exports["rec"](len(words)) == sum(new) & 0xFFFFFFFF
    mem.write(64, (41).to_bytes(4, "little"))
    assert instance.exports["once"](10) == 42
    assert instance.exports["nomem"](9) == 9
    mem.write(128, (0).to_bytes(4, "little"))
    assert instance.exports["tried"](1000) == 1000

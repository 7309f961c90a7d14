"""Random recurrences against Wasmtime: loops that store one word per iteration and load
words around it (the shape codegen/forwarding.py forwards), with random steps, offsets,
widths and base addresses, some near the top of memory or wrapping past 2**32. wasmc
(clang, -O2) must leave the same memory and trap in the same calls as Wasmtime, whether or
not a load is forwarded."""

from __future__ import annotations

import random
import re

import pytest

import wasmc.api

wasmtime = pytest.importorskip("wasmtime")

FUNCTIONS = 48
PAGE = 65536


def _loop_function(rng: random.Random, k: int) -> str:
    """`f<k>(p, i, n)`: n > 0 iterations of: store at p + i + c (i32 or i64), loads at
    p + i + c' for a few c', i += step; some with memarg offsets (the same as the store's,
    which may be forwarded, or another one, which may not)."""
    wide = rng.random() < 0.3
    t, width = ("i64", 8) if wide else ("i32", 4)
    step = rng.choice([width, width, 2 * width, -width, 4, 1, 2, 12, -8])
    c_store = rng.randrange(-32, 33)
    offset_store = rng.choice([0, 0, 8])
    loads = []
    for _ in range(rng.randint(1, 3)):
        d = rng.randint(1, 5)
        jitter = rng.choice([0, 0, 0, 1, -1, 2, width])
        offset = rng.choice([0, offset_store, 8])
        c_load = c_store + offset_store - offset - d * step + jitter
        load_type = t if rng.random() < 0.85 else ("i32" if wide else "i64")
        loads.append((load_type, c_load, offset))
    terms = []
    for load_type, c, offset in loads:
        load = (f"({load_type}.load offset={offset} (i32.add (i32.add (local.get $p) "
                f"(local.get $i)) (i32.const {c})))")
        if load_type != t:
            load = f"(i64.extend_i32_u {load})" if t == "i64" else f"(i32.wrap_i64 {load})"
        terms.append(load)
    value = terms[0]
    for term in terms[1:]:
        value = f"({t}.add ({t}.mul {value} ({t}.const 3)) {term})"
    index = "(i64.extend_i32_u (local.get $i))" if wide else "(local.get $i)"
    value = f"({t}.xor {value} {index})"
    return f"""
  (func (export "f{k}") (param $p i32) (param $i i32) (param $n i32)
    (loop $l
      ({t}.store offset={offset_store}
        (i32.add (i32.add (local.get $p) (local.get $i)) (i32.const {c_store}))
        {value})
      (local.set $i (i32.add (local.get $i) (i32.const {step})))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))"""


def _module(seed: int) -> str:
    rng = random.Random(seed)
    functions = "".join(_loop_function(rng, k) for k in range(FUNCTIONS))
    return f'(module (memory (export "mem") 1){functions})'


def _calls(rng: random.Random) -> list[tuple[int, int, int]]:
    calls = []
    for _ in range(6):
        n = rng.choice([1, 2, 3, 4, 5, 9, 40])
        where = rng.random()
        if where < 0.6:
            p = rng.randrange(64, PAGE - 800)  # in bounds
        elif where < 0.8:
            p = PAGE - rng.randrange(0, 120)  # runs off the top of memory
        else:
            p = (1 << 32) - rng.randrange(0, 300)  # p + i wraps to a small address
        calls.append((p, rng.randrange(0, 64), n))
    return calls


@pytest.mark.parametrize("seed", [1, 2])
def test_random_recurrences_agree_with_wasmtime(seed: int) -> None:
    text = _module(seed)
    _module_c, c = wasmc.api.translate(wasmc.api.read_source(text))
    forwarded = len(re.findall(r"if \(fw\d+_n >= ", c))
    assert forwarded >= 10  # the generator does make forwardable loops
    ours = wasmc.api.load(text, opt=2)
    store = wasmtime.Store()
    theirs = wasmtime.Instance(store, wasmtime.Module(store.engine, wasmc.api.read_source(text)),
                               [])
    their_memory = theirs.exports(store)["mem"]
    rng = random.Random(seed * 1000)
    seed_bytes = bytes(rng.randrange(256) for _ in range(PAGE))
    for k in range(FUNCTIONS):
        for p, i, n in _calls(rng):
            ours.exports["mem"].write(0, seed_bytes)
            their_memory.write(store, seed_bytes, 0)
            try:
                theirs.exports(store)[f"f{k}"](store, p & 0xFFFFFFFF, i, n)
                their_trap = False
            except wasmtime.Trap:
                their_trap = True
            try:
                ours.exports[f"f{k}"](p & 0xFFFFFFFF, i, n)
                our_trap = False
            except wasmc.api.Trap:
                our_trap = True
            assert our_trap == their_trap, (k, p, i, n)
            assert ours.exports["mem"].read(0, PAGE) == their_memory.read(store, 0, PAGE), \
                (k, p, i, n)

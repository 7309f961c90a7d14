"""Scalar f64 code paired into f64x2 in a bounds-checked copy of a loop body
(codegen/f64_pairs.py, docs/simd.md): the copy is emitted where it may be, and computes what
the usual body computes, byte for byte in memory, traps included, for any aliasing of the
accessed fields.

The module has each loop twice: as is, and with a neutral trapping instruction in the body
(`i32.div_u` by 1), which keeps the copy away: the reference, in the same build."""

from __future__ import annotations

import math
import random
import struct

import pytest
from loop_copies import run_on_memory, same_f64_words

import wasmc.api

# Bodies of 40 bytes: m, x, y, vx, vy (the velocity last, so that a body sticking out of
# the memory by 8 bytes traps at its vy load, after its vx store). Body $i and the $n bodies
# from $j pull on each other.
# {mass} is body i's mass: a local loaded before the loop, or a load in the body (which may
# overlap body j's stores: then the j pair must stay unpaired). {neutral}: the reference's
# extra instruction.
_LOOP = """
  (func (export "{name}") (param $i i32) (param $j i32) (param $n i32)
    (local $dx f64) (local $dy f64) (local $s f64) (local $mi f64)
    {premass}
    (loop $pairs
      {neutral}
      (local.set $dx (f64.sub (f64.load offset=8 (local.get $i))
                              (f64.load offset=8 (local.get $j))))
      (local.set $dy (f64.sub (f64.load offset=16 (local.get $i))
                              (f64.load (i32.add (local.get $j) (i32.const 16)))))
      (local.set $s (f64.div (f64.load (local.get $j))
                             (f64.sqrt (f64.add (f64.mul (local.get $dx) (local.get $dx))
                                                (f64.mul (local.get $dy) (local.get $dy))))))
      (f64.store offset=24 (local.get $i)
        (f64.sub (f64.load offset=24 (local.get $i)) (f64.mul (local.get $dx) (local.get $s))))
      (f64.store offset=32 (local.get $i)
        (f64.sub (f64.load offset=32 (local.get $i)) (f64.mul (local.get $dy) (local.get $s))))
      (f64.store offset=32 (local.get $j)
        (f64.add (f64.load offset=32 (local.get $j)) (f64.mul (local.get $dy) {mass})))
      (f64.store offset=24 (local.get $j)
        (f64.add (f64.load offset=24 (local.get $j)) (f64.mul (local.get $dx) {mass})))
      (local.set $j (i32.add (local.get $j) (i32.const 40)))
      (br_if $pairs (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
"""
_HOISTED = "(local.get $mi)"
_LOADED = "(f64.load (local.get $i))"
_PREMASS = f"(local.set $mi {_LOADED})"
_NEUTRAL = "(drop (i32.div_u (local.get $n) (i32.const 1)))"
# A store to body j between two loads of body i's vx, vy, whose doubles are stored as a
# pair: one 16-byte load at the vx load's place would read vy before that store.
_LOAD_PAST_STORE = """
  (func (export "{name}") (param $i i32) (param $j i32) (param $n i32)
    (local $vx f64)
    (loop $l
      {neutral}
      (local.set $vx (f64.load offset=24 (local.get $i)))
      (f64.store offset=32 (local.get $j) (f64.load (local.get $j)))
      (f64.store offset=8 (local.get $i) (f64.mul (local.get $vx) (f64.const 2)))
      (f64.store offset=16 (local.get $i)
        (f64.mul (f64.load offset=32 (local.get $i)) (f64.const 2)))
      (local.set $j (i32.add (local.get $j) (i32.const 40)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
"""
LOOPS = {  # name -> its reference
    "step": "step_ref",  # both pairs (v_i: low store first; v_j: high store first)
    "step_loaded": "step_loaded_ref",  # v_i only: v_j's stores would move past a load of i
    "load_past_store": "load_past_store_ref",  # the stores pair, the loads must not
}
WAT = "(module (memory (export \"mem\") 1)" + "".join(
    _LOOP.format(name=name, mass=mass, premass=premass, neutral=neutral)
    for name, mass, premass in (("step", _HOISTED, _PREMASS), ("step_loaded", _LOADED, ""))
    for name, neutral in ((name, ""), (LOOPS[name], _NEUTRAL))
) + "".join(_LOAD_PAST_STORE.format(name=name, neutral=neutral)
            for name, neutral in (("load_past_store", ""),
                                  ("load_past_store_ref", _NEUTRAL))) + """
  (func $id (param f64) (result f64) (local.get 0))
  (func (export "with_call") (param $p i32) (param $n i32)
    (loop $l
      (f64.store (local.get $p) (call $id (f64.load (local.get $p))))
      (f64.store offset=8 (local.get $p) (f64.add (f64.load offset=8 (local.get $p))
                                                  (f64.const 1)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
)"""
PAGE = 65536


def test_copies_where_the_body_allows_and_pairs_where_order_allows() -> None:
    _module, c = wasmc.api.translate(wasmc.api.read_source(WAT))
    # step, step_loaded and load_past_store get a copy; the references (a trapping
    # instruction) and with_call (a call) do not.
    assert c.count("_pairs_done:;") == 3
    # step: both pairs; step_loaded: the v_i pair only; load_past_store: its one pair.
    assert c.count("wasmc_simd_store(") == 4


def _special(rng: random.Random) -> float:
    return rng.choice([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1.0, -1.0])


def _words(rng: random.Random, n: int, specials: bool) -> bytes:
    out = []
    for _ in range(n):
        if specials and rng.random() < 0.15:
            if rng.random() < 0.5:  # a NaN with a payload, quiet or signalling
                bits = 0x7FF0000000000000 | rng.getrandbits(52) | 1
                out.append(struct.pack("<Q", bits | (rng.getrandbits(1) << 63)))
                continue
            out.append(struct.pack("<d", _special(rng)))
        else:
            out.append(struct.pack("<d", rng.uniform(-50, 50)))
    return b"".join(out)


def _cases(rng: random.Random) -> list[tuple[int, int, int]]:
    """(i, j, n) relative to an area of 40 bodies: apart, i == j, i inside j's range,
    and i overlapping j's fields at every 8-byte shift."""
    cases = [(0, 400, 5), (400, 0, 9), (200, 200, 1), (200, 200, 3), (80, 0, 6)]
    cases += [(200 + shift, 200, 4) for shift in (-32, -24, -16, -8, 8, 16, 24, 32)]
    cases += [(rng.randrange(0, 1200, 8), rng.randrange(0, 1200, 8), rng.randrange(1, 8))
              for _ in range(12)]
    return cases


@pytest.mark.parametrize(("cc", "opt"), [(None, 2), ("gcc", 2), (None, 0)],
                         ids=["clang", "gcc", "clang-O0"])
def test_the_copy_computes_what_the_body_computes(cc: str | None, opt: int) -> None:
    instance = wasmc.api.load(WAT, cc=cc, opt=opt)
    rng = random.Random(12)
    base = 4096
    for case in _cases(rng):
        i, j, n = case
        for specials in (False, True):
            init = _words(rng, 200, specials)  # 1600 bytes: every body the cases touch
            for name, ref in LOOPS.items():
                args = (base + i, base + j, n)
                got = run_on_memory(instance, name, init, base, args)
                want = run_on_memory(instance, ref, init, base, args)
                assert got[0] is None and want[0] is None
                assert same_f64_words(got[1], want[1]), (name, case, specials)


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_a_trap_leaves_memory_as_the_body_does(cc: str | None) -> None:
    """Bodies that stick out of the memory's end by 8-32 bytes: the iteration that reaches
    past it fails the check and runs the usual body, which does what comes before the
    trapping access (earlier iterations' stores; for body i, its vx store before the vy
    load traps) and traps there."""
    instance = wasmc.api.load(WAT, cc=cc, opt=2)
    rng = random.Random(5)
    tail = 4 * 40
    area = PAGE - tail
    for out in (8, 16, 24, 32):
        # the third body j sticks out; body i sticks out (j elsewhere)
        for i, j in ((0, tail - 120 + out), (tail - 40 + out, 0)):
            init = _words(rng, tail // 8, False)
            for name, ref in LOOPS.items():
                args = (area + i, area + j, 3)
                got = run_on_memory(instance, name, init, area, args)
                want = run_on_memory(instance, ref, init, area, args)
                assert got[0] == want[0] == "out of bounds memory access", (name, out, i)
                assert same_f64_words(got[1], want[1]), (name, out, i)


def test_results_agree_with_wasmtime() -> None:
    wasmtime = pytest.importorskip("wasmtime")
    store = wasmtime.Store()
    module = wasmtime.Module(store.engine, WAT)
    reference = wasmtime.Instance(store, module, [])
    memory = reference.exports(store)["mem"]
    instance = wasmc.api.load(WAT, opt=2)
    rng = random.Random(3)
    for i, j, n in _cases(rng):
        init = _words(rng, 200, False)
        for name in LOOPS:
            memory.write(store, init, 4096)
            reference.exports(store)[name](store, 4096 + i, 4096 + j, n)
            want = bytes(memory.read(store, 4096, 4096 + len(init)))
            got = run_on_memory(instance, name, init, 4096, (4096 + i, 4096 + j, n))
            assert got[0] is None
            assert same_f64_words(got[1], want), (name, i, j, n)


# ---- random loops ---------------------------------------------------------------------------
# Straight-line loop bodies over two base locals ($a, $b), whose stores come in pairs of
# adjacent fields with lane-for-lane alike values (so that many of them pair), interleaved
# with unpaired stores and loads from both bases: the copy's reordering meets every kind of
# overlap when $a and $b are 0-32 bytes apart.

def _random_expr(rng: random.Random, depth: int, lane: int, shift: int, base: str) -> str:
    """An f64 expression; `lane` (0 or 1) shifts its loads from `base` by 8 bytes, so that
    the two lanes' expressions are alike."""
    pick = rng.random()
    if depth == 0 or pick < 0.3:
        leaf = rng.random()
        if leaf < 0.55:
            offset = shift + 8 * lane if rng.random() < 0.8 else rng.randrange(0, 48, 8)
            where = base if rng.random() < 0.75 else rng.choice(("$a", "$b"))
            return f"(f64.load offset={offset} (local.get {where}))"
        if leaf < 0.8:
            return f"(local.get $t{rng.randrange(2)})"
        return f"(f64.const {rng.choice(['1.5', '-0.25', '3', '1', '0', '-0'])})"
    if pick < 0.4:
        return f"(f64.sqrt {_random_expr(rng, depth - 1, lane, shift, base)})"
    op = rng.choice(["add", "sub", "mul", "div"])
    left = _random_expr(rng, depth - 1, lane, shift, base)
    right = _random_expr(rng, depth - 1, lane, shift, base)
    return f"(f64.{op} {left} {right})"


def _random_loop(rng: random.Random, name: str, neutral: bool) -> str:
    lines = []
    for _ in range(rng.randrange(2, 6)):
        kind = rng.random()
        base = rng.choice(("$a", "$b"))
        if kind < 0.6:  # a pair of stores to adjacent fields, alike values
            offset = rng.randrange(0, 40, 8)
            seed = rng.getrandbits(32)
            lanes = [f"(f64.store offset={offset + 8 * lane} (local.get {base}) "
                     f"{_random_expr(random.Random(seed), 3, lane, rng.randrange(0, 40, 8), base)})"
                     for lane in (0, 1)]
            if rng.random() < 0.5:
                lanes.reverse()
            if rng.random() < 0.4:  # something in between: a local, or a store to either base
                other = rng.choice(("$a", "$b"))
                between = _random_expr(rng, 2, 0, 0, other)
                lanes.insert(1, f"(local.set $t{rng.randrange(2)} {between})"
                             if rng.random() < 0.4 else
                             f"(f64.store offset={rng.randrange(0, 48, 8)} (local.get {other}) "
                             f"{between})")
            lines += lanes
        elif kind < 0.8:
            lines.append(f"(f64.store offset={rng.randrange(0, 48, 8)} (local.get {base}) "
                         f"{_random_expr(rng, 2, 0, 0, base)})")
        else:
            lines.append(f"(local.set $t{rng.randrange(2)} {_random_expr(rng, 2, 0, 0, base)})")
    step_a, step_b = rng.choice((0, 8, 16, 40)), rng.choice((0, 8, 16, 40))
    body = "\n      ".join(lines)
    extra = _NEUTRAL if neutral else ""
    return f"""
  (func (export "{name}") (param $a i32) (param $b i32) (param $n i32)
    (local $t0 f64) (local $t1 f64)
    (local.set $t0 (f64.load offset=48 (local.get $a)))
    (local.set $t1 (f64.load offset=48 (local.get $b)))
    (loop $l
      {extra}
      {body}
      (local.set $a (i32.add (local.get $a) (i32.const {step_a})))
      (local.set $b (i32.add (local.get $b) (i32.const {step_b})))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
"""


RANDOM_LOOPS = 60


def _random_module() -> str:
    rng = random.Random(2026)
    funcs = []
    for k in range(RANDOM_LOOPS):
        state = rng.getstate()
        funcs.append(_random_loop(rng, f"r{k}", False))
        rng.setstate(state)  # the same loop again, with the neutral instruction
        funcs.append(_random_loop(rng, f"r{k}_ref", True))
    return "(module (memory (export \"mem\") 1)" + "".join(funcs) + ")"


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_random_loops_compute_what_the_body_computes(cc: str | None) -> None:
    wat = _random_module()
    _module, c = wasmc.api.translate(wasmc.api.read_source(wat))
    copies, pairs = c.count("_pairs_done:;"), c.count("wasmc_simd_store(")
    assert copies >= RANDOM_LOOPS // 3 and pairs >= RANDOM_LOOPS // 3, (copies, pairs)
    instance = wasmc.api.load(wat, cc=cc, opt=2)
    rng = random.Random(7)
    area = 4096
    for k in range(RANDOM_LOOPS):
        for _ in range(6):
            a, b = rng.randrange(0, 33, 8), rng.randrange(0, 33, 8)
            n = rng.randrange(1, 5)
            init = _words(rng, 96, rng.random() < 0.3)
            args = (area + a, area + b, n)
            got = run_on_memory(instance, f"r{k}", init, area, args)
            want = run_on_memory(instance, f"r{k}_ref", init, area, args)
            assert got[0] == want[0] and same_f64_words(got[1], want[1]), (k, a, b, n)
        # near the memory's end: some iteration traps
        end = PAGE - 96 * 8
        a, b = rng.choice(((700, 0), (0, 700), (712, 712)))
        init = _words(rng, 96, False)
        got = run_on_memory(instance, f"r{k}", init, end, (end + a, end + b, 4))
        want = run_on_memory(instance, f"r{k}_ref", init, end, (end + a, end + b, 4))
        assert got[0] == want[0] and same_f64_words(got[1], want[1]), (k, "end", a, b)

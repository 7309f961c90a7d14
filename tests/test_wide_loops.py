"""Counted loops run in a helper that the C compiler vectorizes at full width
(codegen/wide_loops.py): the helper is emitted where it may be, and the loop computes what
the usual loop computes, byte for byte in memory, traps included, for any overlap of the
memory it reads and writes.

The module has each loop twice: as is, and with a neutral trapping instruction in the body
(`i32.div_u` by 1), which keeps the helper away: the reference, in the same build."""

from __future__ import annotations

import random
import struct

import pytest
from loop_copies import run_on_memory, same_f64_words

import wasmc.api

NEUTRAL = "(drop (i32.div_u (local.get $n) (i32.const 1)))"
# matmul-simd128's inner loop: c[j..j+1] += s * b[j..j+1], a counter down by 2
AXPY_SIMD = """
      (v128.store (local.get $c)
        (f64x2.add (v128.load (local.get $c))
                   (f64x2.mul (local.get $s) (v128.load (local.get $b)))))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 2))))"""
# Each loop: (its parameters, its locals, its body). $n counts the iterations.
LOOPS = {
    # matmul-simd128's, s = splat(a)
    "axpy_simd": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)",
                  "(local $s v128)", "(local.set $s (f64x2.splat (local.get $a)))", AXPY_SIMD),
    # matmul's, unrolled twice by the Wasm build: stores at +0, loads at +8 of one stride
    "axpy2": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)",
              "(local $j i32) (local $p i32)", "", """
      (local.set $p (i32.add (local.get $c) (local.get $j)))
      (f64.store (local.get $p) (f64.add (f64.load (local.get $p))
        (f64.mul (local.get $a) (f64.load (i32.add (local.get $b) (local.get $j))))))
      (f64.store offset=8 (local.get $p) (f64.add (f64.load offset=8 (local.get $p))
        (f64.mul (local.get $a) (f64.load offset=8 (i32.add (local.get $b) (local.get $j))))))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))"""),
    # the same with lanes that differ in the v128 it receives: lane-wise, not lane by lane
    "axpy_lanes": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)",
                   "(local $s v128)", """(local.set $s (f64x2.replace_lane 1
                     (f64x2.splat (local.get $a)) (f64.const 0.5)))""", AXPY_SIMD),
    # f32x4 lanes and a splat in the loop, of a value the same in every iteration
    "scale_f32x4": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)",
                    "(local $f f32)", "(local.set $f (f32.demote_f64 (local.get $a)))", """
      (v128.store (local.get $c)
        (f32x4.sub (v128.load (local.get $b)) (f32x4.splat (local.get $f))))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))"""),
    # a splat of the counter, which changes per iteration: lane-wise
    "ramp": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)", "", "", """
      (v128.store (local.get $c)
        (f64x2.add (v128.load (local.get $b)) (f64x2.splat (f64.convert_i32_s (local.get $n)))))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))"""),
    # lanes of 8 and of 4 bytes in one loop: lane-wise
    "two_widths": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)", "", "", """
      (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (v128.load (local.get $b))))
      (v128.store (local.get $b) (i32x4.mul (v128.load (local.get $b)) (v128.load (local.get $b))))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 16)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))"""),
    # a recurrence: each iteration reads what the one before stored (no independence)
    "recur": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)", "", "", """
      (f64.store offset=8 (local.get $c) (f64.add (f64.load offset=8 (local.get $c))
        (f64.mul (local.get $a) (f64.load (local.get $c)))))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))"""),
    # bytes, an index counting up to $n (`i != n`)
    "bytes": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)", "(local $i i32)",
              "", """
      (i32.store8 (i32.add (local.get $c) (local.get $i))
        (i32.add (i32.load8_u (i32.add (local.get $b) (local.get $i))) (i32.const 7)))
      (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                        (local.get $n)))"""),
    # i32x4 lanes, both pointers walking down
    "lanes_down": ("(param $c i32) (param $b i32) (param $n i32) (param $a f64)", "", "", """
      (v128.store (local.get $c)
        (i32x4.mul (v128.load (local.get $b))
                   (i32x4.add (v128.load offset=16 (local.get $b)) (v128.load (local.get $c)))))
      (local.set $c (i32.sub (local.get $c) (i32.const 16)))
      (local.set $b (i32.sub (local.get $b) (i32.const 16)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))"""),
}
# Loops that keep to the usual body: a float constant in it, a store that overlaps the
# next iteration's, a loop-carried float.
PLAIN = """
  (func (export "with_const") (param $c i32) (param $n i32)
    (loop $l
      (f64.store (local.get $c) (f64.mul (f64.load (local.get $c)) (f64.const 1)))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "smear") (param $c i32) (param $n i32)
    (loop $l
      (f64.store (local.get $c) (f64.convert_i32_u (local.get $n)))
      (local.set $c (i32.add (local.get $c) (i32.const 4)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "sum") (param $c i32) (param $n i32) (result f64) (local $s f64)
    (loop $l
      (local.set $s (f64.add (local.get $s) (f64.load (local.get $c))))
      (local.set $c (i32.add (local.get $c) (i32.const 8)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $s))
"""
WAT = "(module (memory (export \"mem\") 1)" + "".join(
    f"""
  (func (export "{name}{suffix}") {params} {locals}
    {before}
    (loop $l {neutral} {body}))"""
    for name, (params, locals, before, body) in LOOPS.items()
    for suffix, neutral in (("", ""), ("_ref", NEUTRAL))) + PLAIN + ")"
PAGE = 65536
AREA = 4096  # the cases' bytes: [AREA, AREA + 24 KiB)


def test_widened_where_it_may() -> None:
    _module, c = wasmc.api.translate(wasmc.api.read_source(WAT))
    helpers = [line for line in c.splitlines() if "static __attribute__((noinline))" in line]
    # every loop of LOOPS but the recurrence (its iterations depend on each other), none
    # of their references (a trapping instruction), with_const (a float constant), smear
    # (8-byte stores 4 bytes apart) or sum (a float carried from one iteration to the next)
    assert len(helpers) == len(LOOPS) - 1, helpers
    assert "wide" not in c[c.index("recur"):c.index("recur_ref")]
    # Lane by lane: axpy_simd, scale_f32x4, and axpy_lanes after a check of its v128's
    # lanes (which also checks axpy_simd's); not two_widths, nor lanes_down (it walks down).
    assert c.count("/* lane by lane */") == 3
    assert c.count("__builtin_memcmp(&l") == 2
    assert c.count("vectorize(assume_safety)") == len(LOOPS) - 1 + 2


def _words(rng: random.Random, n: int) -> bytes:
    """n doubles: ordinary values, and now and then a NaN with a payload (quiet or
    signalling), an infinity, a zero or a subnormal."""
    out = []
    for _ in range(n):
        if rng.random() < 0.1:
            bits = rng.choice([0x7FF0000000000000 | rng.getrandbits(52) | 1,
                               0x7FF0000000000000, 0, 1 << 63, 1])
            out.append(struct.pack("<Q", bits | (rng.getrandbits(1) << 63)))
        else:
            out.append(struct.pack("<d", rng.uniform(-50, 50)))
    return b"".join(out)


def _cases(rng: random.Random) -> list[tuple[int, int, int]]:
    """(c, b, n), c and b relative to AREA + 8 KiB: apart, equal, and overlapping by every
    multiple of 8 bytes up to 48 either way; trip counts below and above MIN_TRIPS."""
    cases = [(0, 4000, 2), (0, 4000, 40), (4000, 0, 300), (0, 0, 64), (0, 0, 2)]
    cases += [(shift, 0, 100) for shift in range(-48, 49, 8) if shift]
    cases += [(rng.randrange(-2000, 2000, 8), rng.randrange(-2000, 2000, 8),
               2 * rng.randrange(1, 200)) for _ in range(8)]
    return cases


@pytest.mark.parametrize(("cc", "opt"), [(None, 2), ("gcc", 2), (None, 0)],
                         ids=["clang", "gcc", "clang-O0"])
def test_the_widened_loop_computes_what_the_loop_computes(cc: str | None, opt: int) -> None:
    instance = wasmc.api.load(WAT, cc=cc, opt=opt)
    rng = random.Random(7)
    middle = AREA + 8192
    for c, b, n in _cases(rng):
        init = _words(rng, 3 * 1024)
        for name in LOOPS:
            # the down-walking loop starts at the top of its run
            down = 16 * (n - 1) if name == "lanes_down" else 0
            args = (middle + c + down, middle + b + down, n, 2.5)
            got = run_on_memory(instance, name, init, AREA, args)
            want = run_on_memory(instance, name + "_ref", init, AREA, args)
            assert got[0] is None and want[0] is None, (name, c, b, n)
            assert same_f64_words(got[1], want[1]), (name, c, b, n)


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_a_trap_leaves_memory_as_the_loop_does(cc: str | None) -> None:
    """Runs that reach 0-40 bytes past the memory's end (the last iteration or an earlier
    one), and counters that never reach zero: the check fails, the usual loop stores what
    it stores before the access that traps, and traps there."""
    instance = wasmc.api.load(WAT, cc=cc, opt=2)
    rng = random.Random(5)
    start = PAGE - 4096
    for past in range(0, 41, 8):
        for n in (64, 65):  # 65: axpy_simd's counter steps over zero
            init = _words(rng, 512)
            for name in LOOPS:
                stride = {"bytes": 1, "recur": 8, "axpy_simd": 8, "axpy_lanes": 8}.get(name, 16)
                c = PAGE - stride * n + past - 16
                b = start
                if name == "lanes_down":
                    c, b = start + 16 * (n - 1), past + 8  # b walks down past 0
                args = (c, b, n, 1.5)
                got = run_on_memory(instance, name, init, start, args)
                want = run_on_memory(instance, name + "_ref", init, start, args)
                assert got[0] == want[0], (name, past, n, got[0], want[0])
                assert same_f64_words(got[1], want[1]), (name, past, n)


def test_results_agree_with_wasmtime() -> None:
    wasmtime = pytest.importorskip("wasmtime")
    store = wasmtime.Store()
    reference = wasmtime.Instance(store, wasmtime.Module(store.engine, WAT), [])
    memory = reference.exports(store)["mem"]
    instance = wasmc.api.load(WAT, opt=2)
    rng = random.Random(3)
    middle = AREA + 8192
    for c, b, n in _cases(rng):
        init = _words(rng, 3 * 1024)
        for name in LOOPS:
            down = 16 * (n - 1) if name == "lanes_down" else 0
            args = (middle + c + down, middle + b + down, n, -0.75)
            memory.write(store, init, AREA)
            reference.exports(store)[name](store, *args)
            want = bytes(memory.read(store, AREA, AREA + len(init)))
            got = run_on_memory(instance, name, init, AREA, args)
            assert got[0] is None
            assert same_f64_words(got[1], want), (name, c, b, n)


# ---- random loops ---------------------------------------------------------------------------
# Counted loops over two pointers ($a, $b) with their own strides, whose stores and loads
# (f64 and i32, at offsets 0-40) meet each other in every way when $a and $b are 0-48 bytes
# apart: the independence the helper promises (within a pointer's accesses, proven; across
# pointers, checked at run time) must hold or the loop must stay as it is.

def _random_value(rng: random.Random, type_: str, depth: int) -> str:
    base = rng.choice(("$a", "$b"))
    offset = rng.randrange(0, 44, 4)
    if depth == 0 or rng.random() < 0.35:
        pick = rng.random()
        if pick < 0.6:
            return f"({type_}.load offset={offset} (local.get {base}))"
        if pick < 0.8:
            return "(local.get $x)" if type_ == "f64" else "(local.get $k)"
        return "(f64.convert_i32_s (local.get $k))" if type_ == "f64" else "(i32.const 3)"
    ops = ("add", "sub", "mul") if type_ == "f64" else ("add", "sub", "mul", "xor", "shl")
    op = rng.choice(ops)
    return (f"({type_}.{op} {_random_value(rng, type_, depth - 1)} "
            f"{_random_value(rng, type_, depth - 1)})")


def _random_loop(rng: random.Random, name: str, neutral: str) -> str:
    statements = []
    for _ in range(rng.randrange(1, 5)):
        type_ = rng.choice(("f64", "i32"))
        base = rng.choice(("$a", "$b"))
        offset = rng.randrange(0, 44, 4)
        statements.append(f"({type_}.store offset={offset} (local.get {base}) "
                          f"{_random_value(rng, type_, 2)})")
    strides = [rng.choice((4, 8, 16, 24, 48, -16, -48)) for _ in range(2)]
    return _two_pointer_loop(name, "(local $k i32)",
                             "(local.set $k (i32.trunc_f64_s (local.get $x)))",
                             neutral, statements, strides)


def _two_pointer_loop(name: str, locals_: str, before: str, neutral: str,
                      statements: list[str], strides: list[int]) -> str:
    """An export running `statements` over pointers $a and $b, which move by `strides`,
    for $n iterations; `neutral` (or nothing) at the top of the body."""
    return f"""
  (func (export "{name}") (param $a i32) (param $b i32) (param $n i32) (param $x f64)
    {locals_}
    {before}
    (loop $l
      {neutral}
      {" ".join(statements)}
      (local.set $a (i32.add (local.get $a) (i32.const {strides[0]})))
      (local.set $b (i32.add (local.get $b) (i32.const {strides[1]})))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))"""


def test_random_loops_compute_what_the_loop_computes() -> None:
    rng = random.Random(1206)
    count = 60
    funcs = []
    for k in range(count):
        seed = rng.getrandbits(32)
        funcs.append(_random_loop(random.Random(seed), f"r{k}", ""))
        funcs.append(_random_loop(random.Random(seed), f"r{k}_ref", NEUTRAL))
    wat = "(module (memory (export \"mem\") 1)" + "".join(funcs) + ")"
    _module, c = wasmc.api.translate(wasmc.api.read_source(wat))
    # Loops whose stores meet their own or other accesses of the same pointer in other
    # iterations stay as they are; the others get a helper (none of the references).
    widened = c.count("static __attribute__((noinline))")
    assert count // 4 <= widened < count, widened
    instance = wasmc.api.load(wat, opt=2)
    data = random.Random(9)
    middle = AREA + 8192
    for k in range(count):
        for shift in range(-48, 49, 4):
            for n in (3, 40):
                init = b"".join(struct.pack("<d", data.uniform(-9, 9)) for _ in range(3 * 1024))
                args = (middle + 2048, middle + 2048 + shift, n, 2.5)
                got = run_on_memory(instance, f"r{k}", init, AREA, args)
                want = run_on_memory(instance, f"r{k}_ref", init, AREA, args)
                assert got == want, (k, shift, n)


# ---- random SIMD loops -----------------------------------------------------------------------
# Loops of v128 operations over two pointers, of one lane shape (now and then with a
# statement of integer lanes of the other width), with v128 values the loop receives (equal
# lanes or not) and splats (of a value the same in every iteration, or of the counter):
# lane by lane where the module's doc says it may, lane-wise or as it is elsewhere, and
# always what the usual loop computes.

_LANE_TYPE = {"f64x2": "f64", "i64x2": "i64", "f32x4": "f32", "i32x4": "i32"}
_FROM_X = {"f64": "(local.get $x)", "f32": "(f32.demote_f64 (local.get $x))",
           "i64": "(i64.trunc_f64_s (local.get $x))", "i32": "(i32.trunc_f64_s (local.get $x))"}
_FROM_N = {"f64": "(f64.convert_i32_s (local.get $n))",
           "f32": "(f32.convert_i32_s (local.get $n))",
           "i64": "(i64.extend_i32_s (local.get $n))", "i32": "(local.get $n)"}


def _offset(rng: random.Random, base: str, offsets: dict[str, int]) -> int:
    """Mostly the pointer's own offset, so that many loops have independent iterations."""
    return offsets[base] if rng.random() < 0.85 else rng.randrange(0, 48, 8)


def _random_simd_value(rng: random.Random, shape: str, depth: int,
                       offsets: dict[str, int]) -> str:
    if depth == 0 or rng.random() < 0.35:
        pick = rng.random()
        if pick < 0.6:
            base = rng.choice(("$a", "$b"))
            return f"(v128.load offset={_offset(rng, base, offsets)} (local.get {base}))"
        if pick < 0.8:
            return "(local.get $v)"
        scalar = "(local.get $s)" if pick < 0.9 else _FROM_N[_LANE_TYPE[shape]]
        return f"({shape}.splat {scalar})"
    op = rng.choice(("add", "sub", "mul"))
    return (f"({shape}.{op} {_random_simd_value(rng, shape, depth - 1, offsets)} "
            f"{_random_simd_value(rng, shape, depth - 1, offsets)})")


def _random_simd_loop(rng: random.Random, name: str, neutral: str, shape: str) -> str:
    lane = _LANE_TYPE[shape]
    other = "i32x4" if lane in ("f64", "i64") else "i64x2"
    statements = []
    offsets = {"$a": rng.randrange(0, 32, 8), "$b": rng.randrange(0, 32, 8)}
    for _ in range(rng.randrange(1, 4)):
        base = rng.choice(("$a", "$b"))
        offset = _offset(rng, base, offsets)
        value = (_random_simd_value(rng, shape, 2, offsets) if rng.random() < 0.85 else
                 f"({other}.add (v128.load (local.get $a)) (v128.load (local.get $b)))")
        statements.append(f"(v128.store offset={offset} (local.get {base}) {value})")
    strides = [rng.choice((16, 16, 16, 32, -16)) for _ in range(2)]
    v = f"({shape}.splat (local.get $s))"
    if rng.random() < 0.3:
        v = f"({shape}.replace_lane 1 {v} ({lane}.const 3))"
    return _two_pointer_loop(name, f"(local $s {lane}) (local $v v128)",
                             f"(local.set $s {_FROM_X[lane]}) (local.set $v {v})",
                             neutral, statements, strides)


def test_random_simd_loops_compute_what_the_loop_computes() -> None:
    rng = random.Random(1207)
    count = 48
    funcs, shapes = [], []
    for k in range(count):
        seed, shape = rng.getrandbits(32), rng.choice(tuple(_LANE_TYPE))
        shapes.append(shape)
        funcs.append(_random_simd_loop(random.Random(seed), f"r{k}", "", shape))
        funcs.append(_random_simd_loop(random.Random(seed), f"r{k}_ref", NEUTRAL, shape))
    wat = "(module (memory (export \"mem\") 1)" + "".join(funcs) + ")"
    _module, c = wasmc.api.translate(wasmc.api.read_source(wat))
    widened = c.count("static __attribute__((noinline))")
    flat = c.count("/* lane by lane */")
    assert count // 4 <= widened < count and 0 < flat < widened, (widened, flat)
    instance = wasmc.api.load(wat, opt=2)
    data = random.Random(9)
    middle = AREA + 8192
    for k in range(count):
        # floats that no operation here turns into a NaN (whose payload may differ)
        fmt = "<d" if _LANE_TYPE[shapes[k]] in ("f64", "i64") else "<f"
        for shift in range(-48, 49, 8):
            for n in (3, 40):
                init = b"".join(struct.pack(fmt, data.uniform(-9, 9))
                                for _ in range(24 * 1024 // struct.calcsize(fmt)))
                args = (middle, middle + shift, n, 2.5)
                got = run_on_memory(instance, f"r{k}", init, AREA, args)
                want = run_on_memory(instance, f"r{k}_ref", init, AREA, args)
                assert got == want, (k, shapes[k], shift, n)

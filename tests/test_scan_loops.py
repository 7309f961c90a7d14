"""Byte loops that a Wasm libc and compressors are full of start with a faster search
(codegen/wide_loops.py) and return what the usual loop returns: the same results, the same
locals left behind, the same trap where the bytes run past the memory's end, and the same
wrapped 32-bit addresses.

- Scans (`strlen`, `memchr`: read bytes upwards until one value): the host's `memchr`
  first (ScanLoop).
- Comparisons (`memcmp`, an LZ77 match: two byte strings until they differ or a counter
  runs out): wasmc_mismatch first, 8 bytes at a time (MismatchLoop).

Where what the loop's last iteration leaves in its locals is known without running it, a
scan that finds its byte and a comparison of strings equal to the end skip the loop
altogether; the loops kept_byte and times_byte, and some of the random ones, do not.

The module has each loop twice: as is, and with a neutral trapping instruction in the body
(`i32.div_u` by 1), which keeps the faster search away: the reference, in the same build."""

from __future__ import annotations

import random

import pytest

import wasmc.api
from wasmc.errors import Trap

NEUTRAL = "(drop (i32.div_u (local.get $p) (i32.const 1)))"
# Each loop: (its locals, its body, what the function returns). $p is the parameter.
SCANS = {
    # wasi-libc's strlen as clang builds it: an index, the address kept in a temporary
    "strlen": ("(local $i i32) (local $a i32) (local $j i32)", """
      (local.set $a (i32.add (local.get $p) (local.get $i)))
      (local.set $i (local.tee $j (i32.add (local.get $i) (i32.const 1))))
      (br_if $l (i32.load8_u (local.get $a)))""",
               "(i32.add (i32.mul (local.get $j) (i32.const 65536)) (local.get $a))"),
    # a pointer moved before its load (the first byte read is $p + 1)
    "pre_increment": ("", """
      (br_if $l (i32.load8_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))))""",
                      "(local.get $p)"),
    # memchr for ',' with a memarg offset, and a second induction variable
    "comma": ("(local $k i32)", """
      (local.set $k (i32.add (local.get $k) (i32.const 3)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $l (i32.ne (i32.const 44) (i32.load8_u offset=7 (local.get $p))))""",
              "(i32.xor (local.get $p) (i32.shl (local.get $k) (i32.const 20)))"),
    # a byte times 3 kept in a local: not known after the loop without running it
    "times_byte": ("(local $v i32) (local $w i32)", """
      (local.set $v (i32.load8_u (local.get $p)))
      (local.set $w (i32.mul (local.get $v) (i32.const 3)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $l (local.get $v))""",
                   "(i32.add (local.get $p) (i32.shl (local.get $w) (i32.const 16)))"),
    # a signed byte load against -16 (the byte 0xf0), the value kept in a local
    "signed": ("(local $v i32)", """
      (local.set $v (i32.load8_s (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $l (i32.ne (local.get $v) (i32.const -16)))""",
               "(i32.xor (local.get $p) (i32.mul (local.get $v) (i32.const 3)))"),
}
# Each comparison: (its locals, its body, what the function returns), with parameters $p
# and $q (the two strings) and $n (a count).
COMPARES = {
    # zig's memcmp for wasm32: the difference of the first two bytes that differ
    "memcmp": ("(local $d i32)", """
      (br_if $out (local.tee $d (i32.sub (i32.load8_u (local.get $p))
                                         (i32.load8_u (local.get $q)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))""",
               "(i32.add (i32.mul (local.get $d) (i32.const 65536)) (local.get $n))"),
    # an LZ77 match: an index up to a limit, offsets in the loads, signed bytes
    "match": ("(local $i i32)", """
      (br_if $out (i32.ne (i32.load8_s offset=3 (i32.add (local.get $p) (local.get $i)))
                          (i32.load8_s offset=1 (i32.add (local.get $q) (local.get $i)))))
      (br_if $l (i32.ne (local.get $n) (local.tee $i (i32.add (local.get $i)
                                                              (i32.const 1)))))""",
              "(i32.add (local.get $i) (i32.shl (local.get $p) (i32.const 16)))"),
    # memcmp keeping a byte in a local: what the last iteration leaves there is not known
    # without running it, so equal strings still run the loop's last iteration
    "kept_byte": ("(local $a i32)", """
      (local.set $a (i32.load8_u (local.get $p)))
      (br_if $out (i32.ne (local.get $a) (i32.load8_u (local.get $q))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))""",
                  "(i32.add (i32.mul (local.get $a) (i32.const 65536)) (local.get $n))"),
    # a flag set after the exit: the iteration that leaves does not set it, those before
    # it do (skipped iterations included)
    "late_flag": ("(local $f i32)", """
      (br_if $out (i32.ne (i32.load8_u (local.get $p)) (i32.load8_u (local.get $q))))
      (local.set $f (i32.const 1))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))""",
                  "(i32.add (i32.mul (local.get $f) (i32.const 65536)) (local.get $p))"),
    # the counter's old value kept after the exit for the loop's condition (two loops of
    # yosys.wasm): the check sets it as the last skipped iteration did
    "late_counter": ("(local $c i32)", """
      (br_if $out (i32.ne (i32.load8_u (local.get $p)) (i32.load8_u (local.get $q))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (local.set $c (local.get $n))
      (local.set $n (i32.add (local.get $n) (i32.const -1)))
      (br_if $l (local.get $c))""",
                     "(i32.add (i32.mul (local.get $c) (i32.const 65536)) (local.get $n))"),
    # an index from 16: a string at 2^32 - 16 + x is at x
    "match16": ("(local $i i32) (local.set $i (i32.const 16))", """
      (br_if $out (i32.xor (i32.load8_u (i32.add (local.get $p) (local.get $i)))
                           (i32.load8_u (i32.add (local.get $q) (local.get $i)))))
      (br_if $l (i32.ne (local.get $n) (local.tee $i (i32.add (local.get $i)
                                                              (i32.const 1)))))""",
                "(local.get $i)"),
}
# Loops that stay as they are: a byte that the load cannot give (300), a step of 2, a
# second load; comparisons of bytes of two kinds, or by a counter that moves by 2.
PLAIN = """
  (func (export "never") (param $p i32) (result i32)
    (loop $l (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $l (i32.ne (i32.load8_u (local.get $p)) (i32.const 300))))
    (local.get $p))
  (func (export "stride2") (param $p i32) (result i32)
    (loop $l (local.set $p (i32.add (local.get $p) (i32.const 2)))
      (br_if $l (i32.load8_u (local.get $p))))
    (local.get $p))
  (func (export "two_loads") (param $p i32) (result i32) (local $s i32)
    (loop $l (local.set $s (i32.add (local.get $s) (i32.load8_u offset=1 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $l (i32.load8_u (local.get $p))))
    (local.get $s))
  (func (export "mixed") (param $p i32) (param $q i32) (param $n i32) (result i32)
    (block $out (loop $l
      (br_if $out (i32.ne (i32.load8_u (local.get $p)) (i32.load8_s (local.get $q))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -1))))))
    (local.get $p))
  (func (export "count2") (param $p i32) (param $q i32) (param $n i32) (result i32)
    (block $out (loop $l
      (br_if $out (i32.ne (i32.load8_u (local.get $p)) (i32.load8_u (local.get $q))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const -2))))))
    (local.get $p))
"""
WAT = "(module (memory (export \"mem\") 1)" + "".join(
    f"""
  (func (export "{name}{suffix}") (param $p i32) (result i32) {locals}
    (loop $l {neutral} {body})
    {result})"""
    for name, (locals, body, result) in SCANS.items()
    for suffix, neutral in (("", ""), ("_ref", NEUTRAL))) + "".join(
    f"""
  (func (export "{name}{suffix}") (param $p i32) (param $q i32) (param $n i32) (result i32)
    {locals}
    (block $out (loop $l {neutral} {body}))
    {result})"""
    for name, (locals, body, result) in COMPARES.items()
    for suffix, neutral in (("", ""), ("_ref", NEUTRAL))) + PLAIN + ")"
PAGE = 65536
TARGETS = {"strlen": 0, "pre_increment": 0, "comma": 44, "times_byte": 0, "signed": 0xF0}


def test_scanned_where_it_may() -> None:
    _module, c = wasmc.api.translate(wasmc.api.read_source(WAT))
    # one memchr per loop of SCANS, one comparison per loop of COMPARES, none in their
    # references or in PLAIN's loops; every one of them but kept_byte and times_byte may
    # skip its loop
    assert c.count("memchr(") == len(SCANS), c.count("memchr(")
    assert c.count("uint64_t mm_size") == len(COMPARES), c.count("uint64_t mm_size")
    assert c.count("_done;\n") == len(SCANS) + len(COMPARES) - 2, c.count("_done;\n")


def _memory(rng: random.Random, byte: int) -> bytes:
    """A page of bytes other than `byte`, with `byte` here and there."""
    others = [b for b in range(256) if b != byte]
    page = bytearray(rng.choice(others) for _ in range(PAGE))
    for _ in range(40):
        page[rng.randrange(PAGE)] = byte
    return bytes(page)


def _call(instance, name: str, memory: bytes, p: int) -> tuple[str, int | str]:
    instance.exports["mem"].write(0, memory)
    try:
        return "ok", instance.exports[name](p)
    except Trap as trap:
        return "trap", trap.message


def _starts(rng: random.Random, memory: bytes, byte: int) -> list[int]:
    """Addresses to start from: anywhere, just before a target byte, on it, past the last
    one (the scan runs to the memory's end and traps), beyond the memory, and near 2^32,
    where the address wraps to the bottom of the memory."""
    last = memory.rindex(bytes([byte]))
    starts = [rng.randrange(PAGE) for _ in range(20)]
    starts += [last - 1, last, last + 1, PAGE - 1, PAGE, PAGE + 5, 2**32 - 1, 2**32 - 8]
    starts += [i - 1 for i in range(PAGE) if memory[i] == byte][:5]
    return [s & 0xFFFFFFFF for s in starts]


@pytest.mark.parametrize(("cc", "opt"), [(None, 2), ("gcc", 2), (None, 0)],
                         ids=["clang", "gcc", "clang-O0"])
def test_the_scan_returns_what_the_loop_returns(cc: str | None, opt: int) -> None:
    instance = wasmc.api.load(WAT, cc=cc, opt=opt)
    rng = random.Random(11)
    outcomes = set()
    for name in SCANS:
        for _ in range(3):
            memory = _memory(rng, TARGETS[name])
            for p in _starts(rng, memory, TARGETS[name]):
                got = _call(instance, name, memory, p)
                assert got == _call(instance, name + "_ref", memory, p), (name, p)
                outcomes.add(got[0])
    assert outcomes == {"ok", "trap"}


def _strings(rng: random.Random) -> tuple[bytes, list[tuple[int, int, int]]]:
    """A page with runs of equal bytes at two places, and (p, q, n) for the comparisons:
    equal for 0-40 bytes then a difference, equal up to the count, counts of 0 (which
    wraps: 2^32 iterations), of 1 and of up to 300 bytes, strings that overlap, that reach
    the memory's end or start past it, and addresses that wrap past 2^32."""
    page = bytearray(rng.randrange(256) for _ in range(PAGE))
    cases = []
    for _ in range(30):
        length = rng.choice([0, 1, 3, 7, 8, 9, 15, 16, 17, 40, 200])
        p, q = rng.randrange(PAGE - 300), rng.randrange(PAGE - 300)
        page[q:q + length] = page[p:p + length]  # (overlapping: equal only in part)
        n = rng.choice([length, length + 1, length + 2, max(length - 3, 0), 1, 0, 300])
        cases.append((p, q, n))
    page[PAGE - 64:] = page[PAGE - 128:PAGE - 64]  # equal up to the end of the memory
    cases += [(PAGE - 128, PAGE - 64, 64), (PAGE - 128, PAGE - 64, 65), (PAGE - 128, PAGE - 64, 0),
              (PAGE - 64, PAGE - 128, 100), (PAGE, 0, 5), (0, PAGE + 1, 5),
              (2**32 - 4, 60, 10), (2**32 - 1, 2**32 - 1, 10), (5, 5, 3000)]
    page[4:44] = page[200:240]  # for match16: equal at (2^32 - 12) + 16 and 184 + 16
    cases += [(2**32 - 12, 184, 60), (2**32 - 16, 2**32 - 16, 50), (184, 2**32 - 12, 30)]
    return bytes(page), cases


@pytest.mark.parametrize(("cc", "opt"), [(None, 2), ("gcc", 2), (None, 0)],
                         ids=["clang", "gcc", "clang-O0"])
def test_the_comparison_returns_what_the_loop_returns(cc: str | None, opt: int) -> None:
    instance = wasmc.api.load(WAT, cc=cc, opt=opt)
    rng = random.Random(17)
    outcomes = set()
    for _ in range(3):
        memory, cases = _strings(rng)
        instance.exports["mem"].write(0, memory)
        for name in COMPARES:
            for p, q, n in cases:
                got, want = (_compare(instance, name + suffix, p, q, n)
                             for suffix in ("", "_ref"))
                assert got == want, (name, p, q, n)
                outcomes.add(got[0])
    assert outcomes == {"ok", "trap"}


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_a_difference_in_the_last_bytes_of_the_memory(cc: str | None) -> None:
    """A string that ends at the memory's end and differs from the other in one of its
    last bytes, compared with a count that runs past the end: the comparison reads
    nothing beyond the memory, so it returns the difference where the loop does."""
    instance = wasmc.api.load(WAT, cc=cc, opt=2)
    rng = random.Random(23)
    page = bytearray(rng.randrange(256) for _ in range(PAGE))
    outcomes = set()
    for tail in range(56, 73):  # the second string's bytes up to the memory's end
        for last in range(10):  # where they differ: that many bytes before the end (0: equal)
            page[PAGE - tail:] = page[1000:1000 + tail]
            if last:
                page[PAGE - last] ^= 0x5A
            instance.exports["mem"].write(0, bytes(page))
            for name in COMPARES:
                for n in (tail - 1, tail, tail + 1, tail + 9):
                    got, want = (_compare(instance, name + suffix, 1000, PAGE - tail, n)
                                 for suffix in ("", "_ref"))
                    assert got == want, (name, tail, last, n)
                    outcomes.add(got[0])
    assert outcomes == {"ok", "trap"}


def _compare(instance, name: str, p: int, q: int, n: int) -> tuple[str, int | str]:
    try:
        return "ok", instance.exports[name](p & 0xFFFFFFFF, q & 0xFFFFFFFF, n)
    except Trap as trap:
        return "trap", trap.message


def test_loops_that_are_no_scans_run_as_before() -> None:
    instance = wasmc.api.load(WAT, opt=2)
    memory = bytes([7] * 100 + [0] * (PAGE - 100))
    instance.exports["mem"].write(0, memory)
    assert instance.exports["stride2"](1) == 101
    assert instance.exports["two_loads"](0) == 7 * 99
    with pytest.raises(Trap, match="out of bounds"):
        instance.exports["never"](0)
    assert instance.exports["mixed"](0, 50, 90) == 50
    assert instance.exports["count2"](0, 1, 6) == 3


def test_results_agree_with_wasmtime() -> None:
    wasmtime = pytest.importorskip("wasmtime")
    store = wasmtime.Store()
    reference = wasmtime.Instance(store, wasmtime.Module(store.engine, WAT), [])
    exports = reference.exports(store)
    instance = wasmc.api.load(WAT, opt=2)
    rng = random.Random(13)
    for name in SCANS:
        memory = _memory(rng, TARGETS[name])
        exports["mem"].write(store, memory, 0)
        for p in _starts(rng, memory, TARGETS[name]):
            try:
                want: tuple[str, int | str] = ("ok", exports[name](store, p) & 0xFFFFFFFF)
            except wasmtime.Trap:
                want = ("trap", "")
            got = _call(instance, name, memory, p)
            if got[0] == "ok":
                got = ("ok", got[1] & 0xFFFFFFFF)
            assert (got[0], got[1] if got[0] == "ok" else "") == want, (name, p)
    memory, cases = _strings(rng)
    exports["mem"].write(store, memory, 0)
    instance.exports["mem"].write(0, memory)
    for name in COMPARES:
        for p, q, n in cases:
            args = (p & 0xFFFFFFFF, q & 0xFFFFFFFF, n)
            try:
                want = ("ok", exports[name](store, *args) & 0xFFFFFFFF)
            except wasmtime.Trap:
                want = ("trap", "")
            got = _compare(instance, name, *args)
            assert (got[0], got[1] & 0xFFFFFFFF if got[0] == "ok" else "") == want, (name, p)


# ---- random byte loops ------------------------------------------------------------------
# Scans and comparisons written in many ways (pointers or an index, offsets, signed or
# unsigned bytes, either operand order, `ne`/`sub`/`xor`, counters up or down, an extra
# induction variable and temporaries that the caller sees), some of them not scans or
# comparisons at all (a stride of 2, a byte the load cannot give): each must return what
# its reference returns.

def _random_scan(rng: random.Random, name: str, neutral: str) -> str:
    load = rng.choice(("i32.load8_u", "i32.load8_s"))
    byte = rng.choice((0, 0, 10, 44, 0x7F, 0xF0, 300))
    if load == "i32.load8_s" and byte >= 0x80 and byte < 0x100:
        byte -= 0x100
    offset = rng.choice((0, 0, 3, 70000))
    stride = rng.choice((1, 1, 1, 2))
    address = rng.choice(("(local.get $p)", "(i32.add (local.get $p) (local.get $i))",
                          "(i32.add (local.get $i) (i32.add (local.get $p) (i32.const 5)))"))
    value = f"({load} offset={offset} {address})"
    test = rng.choice((value, f"(i32.ne {value} (i32.const {byte}))",
                       f"(i32.ne (i32.const {byte}) {value})"))
    if test == value:
        byte = 0
    moves = [f"(local.set $p (i32.add (local.get $p) (i32.const {stride})))"
             if "$i" not in address else
             f"(local.set $i (i32.add (local.get $i) (i32.const {stride})))",
             f"(local.set $k (i32.add (local.get $k) (i32.const {rng.randrange(-9, 9)})))",
             # (a rotation is no linear form: not known after the loop without running it)
             f"(local.set $t (i32.{rng.choice(('mul', 'mul', 'rotl'))} {address} (i32.const 3)))"]
    rng.shuffle(moves)
    split = rng.randrange(len(moves) + 1)
    body = " ".join(moves[:split]) + f" (local.set $v {test}) " + " ".join(moves[split:])
    return f"""
  (func (export "{name}") (param $p i32) (param $q i32) (param $n i32) (result i32)
    (local $i i32) (local $k i32) (local $t i32) (local $v i32)
    (loop $l {neutral} {body} (br_if $l (local.get $v)))
    (i32.xor (i32.add (local.get $p) (i32.mul (local.get $i) (i32.const 7)))
             (i32.add (i32.add (i32.shl (local.get $k) (i32.const 9)) (local.get $v))
                      (i32.shl (local.get $t) (i32.const 3)))))"""


def _random_compare(rng: random.Random, name: str, neutral: str) -> str:
    load = rng.choice(("i32.load8_u", "i32.load8_s"))
    offsets = [rng.choice((0, 0, 1, 9)) for _ in range(2)]
    indexed = rng.random() < 0.5
    addresses = (["(i32.add (local.get $p) (local.get $i))",
                  "(i32.add (local.get $q) (local.get $i))"]
                 if indexed else ["(local.get $p)", "(local.get $q)"])
    values = [f"({load} offset={o} {a})" for o, a in zip(offsets, addresses, strict=True)]
    rng.shuffle(values)
    step = rng.choice((1, 1, 1, 2))
    moves = ([f"(local.set $i (i32.add (local.get $i) (i32.const {step})))"] if indexed else
             [f"(local.set $p (i32.add (local.get $p) (i32.const {step})))",
              "(local.set $q (i32.add (local.get $q) (i32.const 1)))"])
    moves.append(f"(local.set $k (i32.add (local.get $k) (i32.const {rng.randrange(-9, 9)})))")
    moves.append(f"(local.set $c (i32.const {rng.randrange(1, 99)}))")  # known after the loop
    # a linear form, before or after the exit (moves[0] comes before it)
    moves.append(f"(local.set $g (i32.add (local.get $k) (i32.const {rng.randrange(1, 9)})))")
    rng.shuffle(moves)
    if rng.random() < 0.3:  # a byte kept in a local: not known after the loop
        values[0] = f"(local.tee $t {values[0]})"
    if rng.random() < 0.5:  # count down to zero
        counter = "(local.tee $n (i32.sub (local.get $n) (i32.const 1)))"
    else:  # count up to $n
        counter = "(i32.ne (local.get $n) (local.tee $j (i32.add (local.get $j) (i32.const 1))))"
    if rng.random() < 0.3:  # the condition kept in a local, before the exit: 0 after the loop
        moves.insert(0, f"(local.set $e {counter})")
        counter = "(local.get $e)"
    exit_ = f"(local.tee $d (i32.{rng.choice(('ne', 'sub', 'xor'))} {values[0]} {values[1]}))"
    return f"""
  (func (export "{name}") (param $p i32) (param $q i32) (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $k i32) (local $d i32) (local $c i32) (local $t i32)
    (local $e i32) (local $g i32)
    (block $out (loop $l {neutral} {moves[0]} (br_if $out {exit_}) {" ".join(moves[1:])}
      (br_if $l {counter})))
    (i32.xor (i32.add (i32.add (i32.add (local.get $p) (i32.add (local.get $e)
                                                                 (i32.rotl (local.get $g)
                                                                           (i32.const 13))))
                               (i32.mul (local.get $i) (i32.const 7)))
                      (i32.add (i32.mul (local.get $c) (i32.const 1000003))
                               (i32.shl (local.get $t) (i32.const 12))))
             (i32.add (i32.shl (local.get $k) (i32.const 9))
                      (i32.add (i32.shl (local.get $d) (i32.const 20)) (local.get $n)))))"""


def test_random_byte_loops_return_what_the_loop_returns() -> None:
    rng = random.Random(1207)
    count = 40
    funcs = []
    for k in range(count):
        make = _random_scan if k % 2 else _random_compare
        seed = rng.getrandbits(32)
        funcs.append(make(random.Random(seed), f"r{k}", ""))
        funcs.append(make(random.Random(seed), f"r{k}_ref", NEUTRAL))
    wat = "(module (memory (export \"mem\") 2)" + "".join(funcs) + ")"
    _module, c = wasmc.api.translate(wasmc.api.read_source(wat))
    compares = c.count("uint64_t mm_size")
    faster = c.count("memchr(") + compares
    assert count // 2 <= faster < count, faster
    # some loops are skipped whole when they reach their end, some run their last iteration
    assert 0 < c.count("_done;\n") < faster, (c.count("_done;\n"), faster)
    instance = wasmc.api.load(wat, opt=2)
    data = random.Random(19)
    size = 2 * PAGE
    for _ in range(4):
        memory = bytearray(data.choice((0, 10, 44, 0x7F, 0xF0, data.randrange(256)))
                           if data.random() < 0.03 else data.randrange(1, 256)
                           for _ in range(size))
        for start in range(0, size - 200, 997):  # equal runs for the comparisons
            length = data.randrange(40)
            memory[start + 100:start + 100 + length] = memory[start:start + length]
        memory[20000:25000] = b"U" * 5000  # equal for as long as the counter lets them
        instance.exports["mem"].write(0, bytes(memory))
        for k in range(count):
            for p, q, n in [(data.randrange(size), data.randrange(size), data.randrange(60))
                            for _ in range(12)] + [
                                (20000 + data.randrange(2000), 22000 + data.randrange(2000),
                                 data.choice((0, 1, 2, 7, 8, 9, 33, 900))) for _ in range(6)] + [
                                (24960 + data.randrange(40), 23000, data.randrange(60))
                                for _ in range(6)] + [
                                (size - 20, size - 120, 50), (size, 3, 4),
                                                   (2**32 - 3, 97, 30), (5, 5, 0)]:
                args = (p & 0xFFFFFFFF, q & 0xFFFFFFFF, n)
                got, want = (_compare(instance, f"r{k}{suffix}", *args)
                             for suffix in ("", "_ref"))
                assert got == want, (k, args)

"""Store-to-load forwarding across loop iterations (codegen/forwarding.py): which loads get
the value a store of an earlier iteration left, and that the compiled loops compute what
the spec says (against a model of the memory), forwarded or not, including the first
iterations (loaded from memory), a loop entered again, and a load that traps."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

import wasmc.api
from wasmc.api import Trap

WAT = Path(__file__).parent / "data" / "forwarding.wat"
MASK32 = (1 << 32) - 1
MASK64 = (1 << 64) - 1


def _u32(mem: bytearray, at: int) -> int:
    return struct.unpack_from("<I", mem, at)[0]


def _put32(mem: bytearray, at: int, value: int) -> None:
    struct.pack_into("<I", mem, at, value & MASK32)


def recur(mem: bytearray, p: int, i: int, end: int) -> None:
    while True:
        value = 3 * _u32(mem, p + i - 8) + _u32(mem, p + i - 4) + i
        _put32(mem, p + i, value)
        i += 4
        if not i < end:
            return


def rounds(mem: bytearray, p: int, n: int, count: int) -> int:
    total = 0
    for r in range(count):
        _put32(mem, p, r)
        _put32(mem, p + 4, 7 * r)
        recur(mem, p, 8, 4 * n)
        total += _u32(mem, p + 4 * (n - 1))
    return total & MASK32


def down64(mem: bytearray, p: int, i: int) -> None:
    while True:
        a, b = struct.unpack_from("<QQ", mem, p + i + 8)
        struct.pack_into("<Q", mem, p + i, ((a ^ (b >> 1)) + i) & MASK64)
        i -= 8
        if i < 0:
            return


def overlap(mem: bytearray, p: int, i: int, end: int) -> None:
    while True:
        _put32(mem, p + i, _u32(mem, p + i - 4) * 0x9E3779B1 + i)
        i += 2
        if not i < end:
            return


def twostores(mem: bytearray, p: int, i: int, end: int) -> None:
    while True:
        _put32(mem, p + i, _u32(mem, p + i - 4) + 5)
        _put32(mem, p + i, _u32(mem, p + i) ^ i)
        i += 4
        if not i < end:
            return


def withcall(mem: bytearray, p: int, i: int, end: int) -> None:
    while True:
        _put32(mem, p + i, _u32(mem, p + i - 4) + 5)
        _put32(mem, p + i, _u32(mem, p + i) ^ 0xFFFF)
        i += 4
        if not i < end:
            return


def afterstore(mem: bytearray, p: int, i: int, end: int) -> int:
    total = 0
    while True:
        _put32(mem, p + i, i)
        total += _u32(mem, p + i - 4)
        i += 4
        if not i < end:
            return total & MASK32


def test_which_loads_are_forwarded() -> None:
    _module, c = wasmc.api.translate(wasmc.api.read_source(WAT))
    forwarded = [int(d) for d in re.findall(r"if \(fw\d+_n >= (\d+)\)", c)]
    # recur and the inner loop of rounds: w[i-2] (distance 2) and w[i-1] (1); down64:
    # x[i+1] (1). Nothing else: not overlap, twostores, withcall, afterstore, nor the outer
    # loop of rounds (it holds a loop).
    assert sorted(forwarded) == [1, 1, 1, 2, 2]
    assert len(re.findall(r"fw\d+_n\+\+;", c)) == 5


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_loops_compute_what_the_spec_says(cc: str | None) -> None:
    instance = wasmc.api.load(WAT, cc=cc, opt=2)
    memory = instance.exports["mem"]
    size = 65536
    seed = bytearray((k * 37 + 11) & 0xFF for k in range(size))

    def check(name: str, model, *args: int) -> None:  # type: ignore[no-untyped-def]
        memory.write(0, bytes(seed))
        expected_mem = bytearray(seed)
        expected = model(expected_mem, *args)
        got = instance.exports[name](*args)
        if got is not None:
            got &= MASK32  # i32 results come back signed
        assert got == expected, (name, args)
        assert memory.read(0, size) == bytes(expected_mem), (name, args)

    # trip counts 1, 2, 3 (fewer iterations than the distance, then just enough) and more
    for end in (12, 16, 20, 24, 400):
        check("recur", recur, 100, 8, end)
    check("recur", recur, 0, 8, 4000)
    check("recur", recur, 4096, 60, 8000)  # starts at an unaligned address
    for n, count in ((3, 1), (3, 4), (50, 5)):
        check("rounds", rounds, 200, n, count)
    for start in (0, 8, 16, 800):
        check("down64", down64, 300, start)
    for name, model in (("overlap", overlap), ("twostores", twostores),
                        ("withcall", withcall), ("afterstore", afterstore)):
        for end in (12, 16, 40, 404):
            check(name, model, 100, 8, end)


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_a_load_of_the_first_iterations_still_traps(cc: str | None) -> None:
    """w[i-2] of the first iteration at address 0 - 8 wraps to 0xfffffff8: out of bounds,
    as the forwarded load of the first iterations reads memory."""
    instance = wasmc.api.load(WAT, cc=cc, opt=2)
    memory = instance.exports["mem"]
    memory.write(0, bytes(64))
    with pytest.raises(Trap, match="out of bounds"):
        instance.exports["recur"](0, 0, 64)
    assert memory.read(0, 64) == bytes(64)  # trapped before its first store

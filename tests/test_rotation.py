"""The unroll hint for loops that shift values through locals (codegen/rotation.py): which
loops get it, and that they compute what the spec says for trip counts around the unroll
factor."""

from __future__ import annotations

from pathlib import Path

import pytest

import wasmc.api

WAT = Path(__file__).parent / "data" / "rotation.wat"
MASK32 = (1 << 32) - 1


def rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & MASK32


def sha1ish(n: int) -> int:
    a, b, c, d, e = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
    while True:
        t = (rotl(a, 5) + (b ^ c ^ d) + e + n) & MASK32
        a, b, c, d, e = t, a, rotl(b, 30), c, d
        n = (n - 1) & MASK32
        if not n:
            return a ^ b ^ c ^ ((d + e) & MASK32)


def fib(n: int) -> int:
    a, b = 0, 1
    while True:
        a, b = b, (a + b) & MASK32
        n -= 1
        if not n:
            return a


def test_only_the_loop_that_shifts_three_locals_is_marked() -> None:
    _module, c = wasmc.api.translate(wasmc.api.read_source(WAT))
    assert c.count("#pragma GCC unroll") == 1
    marked = c.index("#pragma GCC unroll")
    assert c.rindex("/* func", 0, marked) == c.index("/* func 0")  # sha1ish, not fib


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_unrolled_loops_compute_what_the_spec_says(cc: str | None) -> None:
    instance = wasmc.api.load(WAT, cc=cc, opt=2)
    for n in (*range(1, 10), 100, 1001):
        assert instance.exports["sha1ish"](n) & MASK32 == sha1ish(n), n
        assert instance.exports["fib"](n) & MASK32 == fib(n), n

"""The unroll hint for vector loops (codegen/function.py, simd_loops): an innermost loop that
moves vectors through memory, calls nothing and is short is a C `while (1)` under `#pragma GCC
unroll`; branches back to it and out of it, and falling off its end, keep their meaning."""

import struct
from pathlib import Path

import pytest

import wasmc.api

WAT = Path(__file__).parent / "data" / "simd_loops.wat"


def expected_sum(vectors: list[tuple[int, int, int, int]], rows: int) -> int:
    lanes = [0, 0, 0, 0]
    for _ in range(rows):
        for v in vectors:
            if v[0] == -1:
                return sum(lanes)
            lanes = [(a + b) & 0xFFFFFFFF for a, b in zip(lanes, v, strict=True)]
    return sum(lanes)


def signed32(x: int) -> int:
    return (x & 0xFFFFFFFF) - (1 << 32 if x & 0x80000000 else 0)


def test_only_the_innermost_call_free_vector_loop_is_marked() -> None:
    _module, c = wasmc.api.translate(wasmc.api.read_source(WAT))
    assert c.count("#pragma GCC unroll") == 1
    assert c.count("while (1)") == 1


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
@pytest.mark.parametrize("opt", [0, 2])
def test_vector_loops_compute_what_the_spec_says(cc: str | None, opt: int) -> None:
    instance = wasmc.api.load(WAT, cc=cc, opt=opt)
    memory, total = instance.exports["mem"], instance.exports["sum"]
    vectors = [(k, 2 * k, -k, 7) for k in range(1, 40)]
    memory.write(64, b"".join(struct.pack("<4i", *v) for v in vectors))
    for n in (1, 2, 3, 5, 8, 39):  # trip counts around the unroll factor
        for rows in (1, 3):
            assert total(64, n, rows) == signed32(expected_sum(vectors[:n], rows)), (n, rows)
    memory.write(64 + 16 * 6, struct.pack("<4i", -1, 0, 0, 0))  # stops early
    assert total(64, 39, 2) == signed32(expected_sum([*vectors[:6], (-1, 0, 0, 0)], 2))
    instance.exports["scale"](64, 2)
    assert struct.unpack("<4i", memory.read(64, 16)) == (3, 6, -3, 21)
    assert instance.exports["long"](64, 2) == 2 * 13 * 3

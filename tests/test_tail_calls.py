"""Tail calls run in constant C stack, with clang (musttail) and GCC (trampoline)."""

from pathlib import Path

import pytest

import wasmc.api

DATA = Path(__file__).parent / "data"
DEPTH = 10_000_000


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
@pytest.mark.parametrize("opt", [0, 2])
def test_deep_mutual_tail_recursion_across_signatures(cc, opt):
    exports = wasmc.api.load(DATA / "tail_calls.wat", cc=cc, opt=opt).exports
    assert exports["even"](DEPTH) == 1
    assert exports["even"](DEPTH + 1) == 0
    assert exports["even_indirect"](DEPTH) == 1
    assert exports["even_indirect"](DEPTH + 1) == 0
    assert exports["count"](DEPTH, 0) == 2 * DEPTH

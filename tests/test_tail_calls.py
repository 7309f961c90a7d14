"""Tail calls run in constant C stack, with clang (musttail) and GCC (sibling calls or the
trampoline)."""

from pathlib import Path

import pytest

import wasmc.api
from wasmc.codegen.module import gcc_sibcalls
from wasmc.errors import Trap

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


# GCC's sibling calls (docs/tail-calls.md): with optimization, GCC makes tail calls plain
# jumps where that is certain; the depth shows that they are (with calls, 10 million frames
# exhaust the stack), and the C shows which scheme each build used.
@pytest.mark.parametrize("opt", [0, 1, 2])
def test_gcc_sibling_calls_with_stack_arguments(opt):
    data = wasmc.api.read_source(DATA / "tail_calls_sibling.wat")
    _module, c_code = wasmc.api.translate(data, "m", musttail=False,
                                          sibcalls=gcc_sibcalls("gcc", opt))
    assert ("WASMC_SIBCALLS" in c_code) == (opt > 0)
    assert ("const wasmc_func *t0(" in c_code) == (opt == 0)  # the trampoline's thunk
    exports = wasmc.api.load(DATA / "tail_calls_sibling.wat", cc="gcc", opt=opt).exports
    exports["set_table"]()
    assert exports["count9"](DEPTH) == DEPTH // 2
    assert exports["both"](DEPTH, 0) == 0
    # Its ordinary calls still take stack: deep recursion through them traps.
    with pytest.raises(Trap, match="call stack exhausted"):
        exports["both"](DEPTH, 1)


def test_gcc_keeps_the_trampoline_for_more_stack_arguments():
    data = wasmc.api.read_source(DATA / "tail_calls_stack_growth.wat")
    _module, c_code = wasmc.api.translate(data, "m", musttail=False, sibcalls=True)
    assert "WASMC_SIBCALLS" not in c_code and "const wasmc_func *t0(" in c_code
    exports = wasmc.api.load(DATA / "tail_calls_stack_growth.wat", cc="gcc", opt=2).exports
    assert exports["small"](DEPTH) == 0


# Fast bodies (clang) take the i32 parameters that a function of their type loads through
# as uint64_t, zero-extended (ModuleEmitter.find_widened_params); the C must still compute
# with 32-bit values: pc + 1 wraps to 0, and out-of-bounds pcs trap.
def test_widened_parameters_are_declared_only_for_addresses():
    data = wasmc.api.read_source(DATA / "tail_calls_widened.wat")
    _module, c_code = wasmc.api.translate(data, "m")
    # The fast pointer types: the memory base goes last with fewer than three integers.
    assert "(void *env, uint64_t, uint32_t, uint8_t *);" in c_code
    assert "(void *env, uint64_t, double, uint64_t, uint64_t, uint8_t *, uint32_t);" in c_code
    assert c_code.count("if (z0 > UINT32_MAX) __builtin_unreachable();") == 7
    assert c_code.count("if (z2 > UINT32_MAX) __builtin_unreachable();") == 1  # walk's q
    assert "z1" not in c_code and "z4" not in c_code  # acc, walk's n: no load through them
    _module, c_code = wasmc.api.translate(data, "m", musttail=False)  # for GCC: no p<N>
    assert "z0" not in c_code


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
@pytest.mark.parametrize("opt", [0, 2])
def test_widened_parameters_keep_32_bit_values(cc, opt):
    seen = []

    def peek(pc: int, acc: int) -> int:
        seen.append((pc % 2**32, acc % 2**32))
        return 1000

    exports = wasmc.api.load(DATA / "tail_calls_widened.wat", {"host": {"peek": peek}},
                             cc=cc, opt=opt).exports
    memory = exports["mem"]
    u32 = 2**32
    memory.write(0, bytes([1, 5, 3, 1, 7, 2, 4]))  # 5: skip, 6: the host's peek
    assert exports["run"](6, u32 - 2) == 1000 and seen == [(6, u32 - 2)]
    assert exports["run"](3, 1) == 1000 and seen[-1] == (6, 1 + 7)  # add 7, skip, peek
    memory.write(5, bytes([0]))  # 5: halt, from here on
    assert exports["run"](0, 10) % u32 == 10 + 5 + 2 + 7
    assert exports["run"](5, u32 - 1) % u32 == u32 - 1  # halt: acc passes through as it is
    assert exports["run"](2, u32 - 3) % u32 == (u32 - 3 + 2 + 7) % u32
    # pc 0xffffffff + 1 wraps to 0: then the program at 0 runs.
    assert exports["skip_from"](u32 - 1, 1) % u32 == 1 + 5 + 2 + 7
    memory.write(65535, bytes([3]))
    for pc in (u32 - 1, 65536, u32 // 2):
        with pytest.raises(Trap, match="out of bounds memory access"):
            exports["run"](pc, 0)
    with pytest.raises(Trap, match="out of bounds memory access"):  # acc += 65535, then 65536
        exports["run"](65535, 0)
    memory.write(65530, bytes(range(100, 106)))
    assert exports["walk"](65530, 1.0, 2, u32 + 5, 5) == 105 + 3 + 3 + 15
    with pytest.raises(Trap, match="out of bounds memory access"):
        exports["walk"](65530, 0.0, 0, 0, 6)

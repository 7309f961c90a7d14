"""br_table inside a loop: a computed goto with clang, and with GCC at -O2/-O3 where
toolchain.py raises GCC's limit for duplicating it; otherwise a switch (function.py,
DISPATCH_TABLE_MIN). Both must compute what the spec says, at -O0 and -O2."""

import re
import shutil
from pathlib import Path

import pytest

import wasmc.api
from wasmc import toolchain

DATA = Path(__file__).parent / "data"


def interpret(program: bytes, acc: int) -> int:
    """The interpreter of dispatch_loop.wat, in Python."""
    pc = 0
    while True:
        op = program[pc]
        pc += 1
        if op <= 9:
            acc += op
        elif op <= 15:
            acc *= 2
        elif op == 16:
            acc = -acc
        elif op in (17, 19):
            return acc
        elif op == 18:
            acc -= 1
        else:
            acc ^= 0x55
        acc = (acc + 2**31) % 2**32 - 2**31  # i32, read back signed


PROGRAMS = [
    bytes([1, 2, 3, 17]),
    bytes([9, 10, 11, 16, 18, 19]),
    bytes([5, 200, 20, 255, 12, 16, 3, 19]),  # out-of-range opcodes take the default
    bytes([*range(17), 18, *range(20, 40), 19]),
]


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
@pytest.mark.parametrize("opt", [0, 2])
def test_dispatch_loop(cc, opt):
    instance = wasmc.api.load(DATA / "dispatch_loop.wat", cc=cc, opt=opt)
    run, memory = instance.exports["run"], instance.exports["mem"]
    for program in PROGRAMS:
        for acc in (0, 7, -3):
            memory.write(100, program)
            assert run(100, acc) == interpret(program, acc), (program, acc)
    classify = instance.exports["classify"]
    assert [classify(x) for x in (0, 19, 20, 21, 2**31)] == [1, 1, 2, 2, 2]


def test_dispatch_is_a_computed_goto_only_in_the_loop():
    module, c = wasmc.api.translate(wasmc.api.read_source(DATA / "dispatch_loop.wat"))
    assert c.count("goto *table[") == 1


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")
def test_gcc_gives_each_handler_its_own_dispatch_jump(tmp_path):
    """With GCC at -O2 the dispatch is copied into the end of each of the five opcode
    handlers, so each has its own indirect jump for the CPU to predict; with one shared jump
    the Uxn switch interpreter's speed depended on code placement (toolchain.py,
    GCC_DISPATCH_FLAGS; docs/performance.md, "wasmc (GCC) against wasm2c + GCC")."""
    _, c = wasmc.api.translate(wasmc.api.read_source(DATA / "dispatch_loop.wat"))
    cc = toolchain.find_compiler("gcc")
    c_file, asm = tmp_path / "m.c", tmp_path / "m.s"
    c_file.write_text(c)
    toolchain.run_compiler(cc, [*toolchain.generated_code_flags(cc, 2, pic=True), "-S",
                                str(c_file), "-o", str(asm)])
    indirect_jumps = re.findall(r"^\s*jmp\s+\*", asm.read_text(), re.MULTILINE)
    assert len(indirect_jumps) >= 5

"""What every call passes to a parameter (codegen/param_facts.py): the facts proved on
tests/data/param_facts.wat, what the emitter makes of them, and that the compiled module
still computes what the spec says, also for the functions that code outside the analysed
calls reaches (exported, read from a table, referenced), where nothing may be assumed."""

import re
from pathlib import Path

import pytest

import wasmc.api
from wasmc.binary.decoder import decode
from wasmc.codegen.module import ModuleEmitter
from wasmc.codegen.param_facts import TOP, Fact
from wasmc.validate.validator import validate

DATA = Path(__file__).parent / "data"
HALT, INC, DOUBLE, JUMP = range(4)
BASE = 1000  # where `run` finds the program


def interpret(program: list[int], acc: int) -> int:
    """param_facts.wat's interpreter, in Python."""
    pc = 0
    while True:
        op = program[pc]
        pc = (pc + 1) & 0xFF
        if op == HALT:
            return acc
        if op == INC:
            acc = (acc + 1) & 0xFFFFFFFF
        elif op == DOUBLE:
            acc = (acc << 1) & 0xFFFFFFFF
        else:
            pc = program[pc]


PROGRAMS = [
    [INC, INC, DOUBLE, HALT],
    [JUMP, 5, INC, INC, INC, DOUBLE, INC, HALT],
    [DOUBLE] * 40 + [INC, HALT],
    # A jump over the end of the 256 bytes' worth of pc: pc wraps to 0 and halts there.
    [HALT, *[INC] * 200, JUMP, 250, *[0] * 48, *[INC] * 5, HALT],
]


def emitter() -> ModuleEmitter:
    module = decode(wasmc.api.read_source(DATA / "param_facts.wat"))
    return ModuleEmitter(module, validate(module), "m")


def facts_by_name(em: ModuleEmitter) -> dict[str, tuple]:
    m = em.module
    n = em.n_imported_funcs
    return {"$" + m.func_name(n + k): facts for k, facts in enumerate(em.param_facts)}


def test_the_facts():
    facts = facts_by_name(emitter())
    interpreter = (Fact(BASE, True), Fact(0xFF), TOP)
    for handler in ("$halt", "$inc", "$double", "$jump", "$next"):
        assert facts[handler] == interpreter, handler
    assert facts["$square"] == (Fact(4, True),)  # 3 + 1: the write before the call counts
    assert facts["$above_255"] == (Fact(1023),)  # 1000 or at most 255
    # Reached from outside: exported, read by table.get or table.copy, referenced by
    # ref.func, or
    # called with a value that a reused local may hold.
    for name in ("$exported", "$times_two", "$halved", "$minus_one", "$above_255_b"):
        assert facts[name] == (TOP,), name


def test_fast_bodies_do_not_take_a_constant_parameter():
    """The handlers' base is dropped from their fast bodies (with clang: musttail) and
    starts from its value; the pc's bound is told to the C compiler, and the pc travels
    zero-extended in a uint64_t (a widened parameter)."""
    em = emitter()
    assert em.dropped == {"iii_i": frozenset({0})}
    assert em.widened == {"iii_i": frozenset({1})}
    _, c = wasmc.api.translate(wasmc.api.read_source(DATA / "param_facts.wat"))
    bodies = re.findall(r"^static WASMC_CC uint32_t p\d+\(void \*env, uint64_t z1, uint32_t l2, "
                        r"uint8_t \*m0\) \{\n(?:.*\n){4}  uint32_t l0 = 1000u;\n"
                        r"  if \(l1 > 255u\) __builtin_unreachable\(\);\n", c, re.MULTILINE)
    assert len(bodies) == 5


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
@pytest.mark.parametrize("opt", [0, 2])
def test_results(cc, opt):
    instance = wasmc.api.load(DATA / "param_facts.wat", cc=cc, opt=opt)
    run, memory = instance.exports["run"], instance.exports["mem"]
    for program in PROGRAMS:
        memory.write(BASE, bytes(program + [0] * (256 - len(program))))
        for acc in (0, 7, 2**31 - 1):
            assert run(acc) & 0xFFFFFFFF == interpret(program, acc), (program, acc)
    call = {name: instance.exports[name] for name in (
        "plus_one", "plus_one_of_5", "times_two_of_5", "times_two_by_get", "halved_of_8",
        "halved_by_copy", "minus_one_of_7",
        "minus_one_by_ref", "square_of_4", "above_255_masked", "above_255_of_1000",
        "reused_local")}
    assert (call["plus_one"](10), call["plus_one_of_5"]()) == (11, 6)
    assert (call["times_two_by_get"](21), call["times_two_of_5"]()) == (42, 10)
    assert (call["halved_by_copy"](100), call["halved_of_8"]()) == (50, 4)
    assert (call["minus_one_by_ref"](100), call["minus_one_of_7"]()) == (99, 6)
    assert call["square_of_4"]() == 16
    assert (call["above_255_masked"](1000), call["above_255_of_1000"]()) == (0, 1)
    assert (call["reused_local"](1000), call["reused_local"](5000)) == (1, 0)

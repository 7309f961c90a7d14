"""What every call passes to a parameter (codegen/param_facts.py): the facts proved on
tests/data/param_facts.wat, what the emitter makes of them, and that the compiled module
still computes what the spec says, also for the functions that code outside the analysed
calls reaches (exported, read from a table, referenced), where nothing may be assumed."""

import random
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


# ---- random modules -------------------------------------------------------------------------
# Functions (the last few also in a static table) that call later ones directly or through
# the table, with constants, parameters passed on or rewritten, masks, shifts, sums, byte
# loads and reused locals; some exported; all compared with Wasmtime on values on both
# sides of the bounds.

N_FUNCS = 40
IN_TABLE = 32  # the functions from this one on are also in a static table
CONSTANTS = (0, 7, 255, 256, 1000, 65535, 0xFFFFFFFF)
BOUNDS = (0, 1, 7, 15, 127, 200, 255, 256, 1000, 32767, 65535, 65536)


def _random_arg(rng: random.Random) -> str:
    p = f"(local.get {rng.randrange(2)})"
    return rng.choice((
        f"(i32.const {rng.choice(CONSTANTS)})",
        p,
        f"(i32.and {p} (i32.const {rng.choice((0xF, 0xFF, 0xFFFF))}))",
        f"(i32.load8_u (i32.and {p} (i32.const 0xfff)))",
        f"(i32.shr_u {p} (i32.const {rng.choice((4, 16, 24))}))",
        f"(i32.add {p} (i32.const {rng.choice(CONSTANTS)}))",
        "(local.get $t)",
    ))


def _random_function(rng: random.Random, k: int) -> str:
    lines = [f"  (func $f{k} (type $f) (param i32 i32) (result i32) (local $t i32)"]
    if rng.random() < 0.3:  # a parameter rewritten before it is passed on
        lines.append(f"    (local.set {rng.randrange(2)} {_random_arg(rng)})")
    lines.append(f"    (local.set $t {_random_arg(rng)})")
    if rng.random() < 0.5:  # the local reused on one path
        lines.append(f"    (if (i32.gt_u (local.get 0) (i32.const {rng.choice(BOUNDS)}))"
                     f" (then (local.set $t {_random_arg(rng)})))")
    value = (f"(i32.add (i32.mul (local.get 0) (i32.const 3)) (select (i32.const 5) (i32.const 9)"
             f" (i32.gt_u (local.get 1) (i32.const {rng.choice(BOUNDS)}))))")
    if k < N_FUNCS - 1 and rng.random() < 0.8:
        callee = rng.randrange(k + 1, N_FUNCS)
        args = f"{_random_arg(rng)} {_random_arg(rng)}"
        call = (f"(call_indirect $table (type $f) {args} (i32.const {callee - IN_TABLE}))"
                if callee >= IN_TABLE and rng.random() < 0.5 else f"(call $f{callee} {args})")
        value = f"(i32.xor {value} {call})"
    lines.append(f"    {value})")
    return "\n".join(lines)


def _random_module(rng: random.Random) -> tuple[str, list[str]]:
    data = "".join("\\" + format(b, "02x") for b in rng.randbytes(4096))
    funcs = " ".join(f"$f{k}" for k in range(IN_TABLE, N_FUNCS))
    parts = ["(module", "  (type $f (func (param i32 i32) (result i32)))",
             "  (memory 1)", f'  (data (i32.const 0) "{data}")',
             f"  (table $table {N_FUNCS - IN_TABLE} funcref)",
             f"  (elem (table $table) (i32.const 0) func {funcs})"]
    parts += [_random_function(rng, k) for k in range(N_FUNCS)]
    exports = []
    for k in range(N_FUNCS):
        if k < 4 or rng.random() < 0.15:  # entries, and some functions reached from outside
            parts.append(f'  (export "f{k}" (func $f{k}))')
            exports.append(f"f{k}")
    parts.append(")")
    return "\n".join(parts), exports


def test_random_modules_agree_with_wasmtime():
    wasmtime = pytest.importorskip("wasmtime")
    rng = random.Random(5)
    values = [0, 1, 15, 16, 255, 256, 1000, 65535, 65536, 2**31, 2**32 - 1]
    with_facts = 0
    for _ in range(20):
        wat, exports = _random_module(rng)
        module = decode(wasmc.api.read_source(wat))
        em = ModuleEmitter(module, validate(module), "m")
        with_facts += sum(fact is not None and fact.useful for facts in em.param_facts
                          for fact in facts)
        store = wasmtime.Store()
        reference = wasmtime.Instance(store, wasmtime.Module(store.engine, wat), [])
        instance = wasmc.api.load(wat, opt=2)
        for name in exports:
            for x in values:
                y = rng.choice(values)
                want = reference.exports(store)[name](store, x, y)
                got = instance.exports[name](x, y)
                assert got == want, (name, x, y, wat)
    assert with_facts >= 50, with_facts  # the analysis found something to use here

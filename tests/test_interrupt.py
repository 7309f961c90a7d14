"""Limits for untrusted code (docs/limits.md, "Untrusted code"): interrupt checks and
deadlines (interrupt.py, the `interruptible` compile option), and resource limits on memories
and tables (limits.py).

A check that does not work must fail a test, not hang it: every long-running export here
stops by itself after a few seconds (a counted loop, a recursion of bounded depth), so
without working checks it returns a value where the test expects a trap.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

import wasmc
from wasmc import libcache
from wasmc.binary.decoder import decode
from wasmc.codegen import split
from wasmc.codegen.module import emit_module
from wasmc.compiler import read_source
from wasmc.validate.validator import validate

# Each export runs for seconds at -O0 unless interrupted: `count` loops n times, `fib` is
# the naive recursion (no loops: only the function-entry checks can stop it; $fib is not
# exported, so it has its check because it calls).
LONG = """(module
  (memory (export "memory") 1)
  (func (export "count") (param $n i64) (result i64)
    (local $i i64)
    (loop $again
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0)))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "one") (result i32) (i32.const 1))
  (func $double (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))
  (func (export "twice") (param i32) (result i32) (call $double (local.get 0))))"""
LOOPS = 3_000_000_000  # several seconds of `count` at -O0
FIB = 40  # 330 million calls
# A module that calls into LONG's `count`: linked instances share one interrupt cell.
CALLER = """(module
  (import "long" "count" (func $count (param i64) (result i64)))
  (func (export "run") (param i64) (result i64) (call $count (local.get 0))))"""
# Runs for seconds from its start function.
SLOW_START = """(module
  (func $count (local $i i64)
    (loop $again
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (i64.const 3000000000)))))
  (start $count))"""


@pytest.fixture(scope="module")
def long_module() -> wasmc.Module:
    return wasmc.compile_module(LONG, opt=0, interruptible=True)


def trap_of(call, *args, **kwargs) -> wasmc.Trap:
    try:
        result = call(*args, **kwargs)
    except wasmc.Trap as trap:
        return trap
    raise AssertionError(f"no trap: the call returned {result}")


def test_default_c_has_no_checks_and_interruptible_c_checks_each_entry_and_loop():
    module = decode(read_source(LONG))
    plain = emit_module(module, validate(module), "m")
    checked = emit_module(module, validate(module), "m", interruptible=True)
    assert "interrupt" not in plain
    # 1 loop header and the entries of the 4 exported functions and of $fib (it calls), not
    # of $double (neither exported nor calling: bounded); and the instance's slot entry point
    assert checked.count("wasmc_check_interrupt(inst->interrupt);") == 6
    assert "uint32_t **m_interrupt_slot(void *arg)" in checked


def test_deadline_stops_a_loop_and_stays_until_the_next(long_module):
    inst = long_module.instantiate()
    assert inst.exports.count(10) == 10  # no deadline: runs to the end
    inst.set_deadline(0.05)
    started = time.monotonic()
    trap = trap_of(inst.exports.count, LOOPS)
    assert time.monotonic() - started < 2
    assert (trap.message, trap.function) == ("deadline exceeded", "count")
    assert trap_of(inst.exports.one).message == "deadline exceeded"  # passed: every call traps
    inst.set_deadline(None)
    assert inst.exports.one() == 1
    inst.set_deadline(30)  # a deadline in the future lets calls run
    assert inst.exports.count(1000) == 1000


def test_deadline_stops_a_recursion_without_loops(long_module):
    inst = long_module.instantiate()
    assert inst.exports.fib(10) == 55
    inst.set_deadline(0.05)
    assert trap_of(inst.exports.fib, FIB).message == "deadline exceeded"


def test_interrupt_from_another_thread_is_used_up_by_its_trap(long_module):
    inst = long_module.instantiate()
    timer = threading.Timer(0.05, inst.interrupt)
    timer.start()
    trap = trap_of(inst.exports.count, LOOPS)
    timer.join()
    assert (trap.message, trap.function) == ("interrupt", "count")
    assert inst.exports.one() == 1  # the next call runs
    inst.interrupt()  # with nothing running: the next call traps
    assert trap_of(inst.exports.one).message == "interrupt"
    assert inst.exports.one() == 1


def test_linked_instances_share_the_interrupt(long_module):
    long = long_module.instantiate()
    other = long_module.instantiate()  # not linked: runs on
    caller = wasmc.load(CALLER, {"long": long}, opt=0, interruptible=True)
    caller.set_deadline(0.05)  # the caller's group now holds `long`
    assert trap_of(caller.exports.run, LOOPS).message == "deadline exceeded"
    assert trap_of(long.exports.one).message == "deadline exceeded"
    assert other.exports.one() == 1


def test_groups_that_merge_share_one_cell(long_module):
    first, second = long_module.instantiate(), long_module.instantiate()
    both = wasmc.load(CALLER.replace("(func (export", '(import "second" "one" (func (result i32)))'
                                     ' (func (export', 1),
                      {"long": first, "second": second}, opt=0, interruptible=True)
    second.set_deadline(0)  # passed at once: the whole merged group traps
    assert trap_of(first.exports.one).message == "deadline exceeded"
    assert trap_of(both.exports.run, 5).message == "deadline exceeded"
    first.set_deadline(None)
    assert second.exports.one() == 1
    threading.Timer(0.05, first.interrupt).start()
    assert trap_of(second.exports.count, LOOPS).message == "interrupt"


def test_deadline_at_instantiation_bounds_the_start_function():
    module = wasmc.compile_module(SLOW_START, opt=0, interruptible=True)
    trap = trap_of(module.instantiate, None, deadline=0.05)
    assert trap.message == "deadline exceeded"


def test_an_uninterruptible_module_says_how_to_get_one():
    inst = wasmc.load("(module (func (export \"f\")))", opt=0)
    with pytest.raises(ValueError, match="interruptible=True"):
        inst.set_deadline(1)
    with pytest.raises(ValueError, match="interruptible=True"):
        inst.interrupt()


# --- modules compiled in parts (codegen/split.py) -----------------------------------------
# LONG made to split like a large module: a file per function, emitted by worker processes.
CHECK = "wasmc_check_interrupt(inst->interrupt);"


def split_like_a_large_module(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(split, "SPLIT_MIN_INSTRS", 1)
    mp.setattr(split, "BUCKET_INSTRS", 1)  # each function a file of its own
    mp.setattr(split, "PARALLEL_MIN_INSTRS", 1)  # emitted in worker processes


@pytest.fixture(scope="module")
def split_long(tmp_path_factory) -> tuple[wasmc.Module, Path]:
    """LONG compiled split, with interrupt checks, into a fresh directory of compiled modules
    (so that the workers emit it on every run), and that directory."""
    modules_dir = tmp_path_factory.mktemp("modules")
    with pytest.MonkeyPatch.context() as mp:
        split_like_a_large_module(mp)
        mp.setattr(libcache, "_modules_dir", lambda: modules_dir)
        assert split.should_split(decode(read_source(LONG)))
        return wasmc.compile_module(LONG, opt=0, jobs=2, interruptible=True), modules_dir


def test_split_c_has_the_checks_of_one_file_in_every_file_and_none_by_default(
        tmp_path, monkeypatch):
    split_like_a_large_module(monkeypatch)
    module = decode(read_source(LONG))
    one_file = emit_module(module, validate(module), "m", musttail=False, interruptible=True)
    outputs = {}
    for name, interruptible, jobs in [("plain", False, 2), ("workers", True, 2),
                                      ("here", True, 1)]:
        (tmp_path / name).mkdir()
        out = split.emit_split(module, "m", False, tmp_path / name, jobs=jobs,
                               interruptible=interruptible)
        outputs[name] = {p.name: p.read_text() for p in [out.header, *out.sources]}
    checked, plain = outputs["workers"], outputs["plain"]
    assert len(checked) == 8  # the header, the module file and a file per function
    assert checked == outputs["here"]  # the workers emit what this process does
    # The 6 checks of the one-file C, each in its function's file; $double's file has none
    assert sum(text.count(CHECK) for text in checked.values()) == one_file.count(CHECK) == 6
    assert [name for name, text in checked.items() if CHECK in text] == [
        "m_000.c", "m_001.c", "m_002.c", "m_003.c", "m_005.c"]
    assert "uint32_t *interrupt; uint32_t interrupt_cell;" in checked["m.h"]
    assert "inst->interrupt = &inst->interrupt_cell;" in checked["m.c"]
    assert "uint32_t **m_interrupt_slot(void *arg)" in checked["m.c"]
    # Without the option, no file mentions interrupts; the function files differ from the
    # checked ones by the checks alone
    assert not any("interrupt" in text for text in plain.values())
    for name in [name for name in plain if name.startswith("m_")]:
        without = checked[name].replace(f"\n {CHECK}", "").replace(f" {CHECK}", "")
        assert without == plain[name], name


def test_deadline_stops_a_split_module(split_long):
    inst = split_long[0].instantiate()
    assert inst.exports.count(10) == 10
    inst.set_deadline(0.05)
    started = time.monotonic()
    trap = trap_of(inst.exports.count, LOOPS)
    assert time.monotonic() - started < 2
    assert (trap.message, trap.function) == ("deadline exceeded", "count")
    assert trap_of(inst.exports.one).message == "deadline exceeded"
    inst.set_deadline(None)
    assert inst.exports.fib(10) == 55
    inst.set_deadline(0.05)  # the recursion: stopped by the entry check of $fib, in its file
    assert trap_of(inst.exports.fib, FIB).message == "deadline exceeded"


def test_interrupt_from_another_thread_stops_a_split_module(split_long):
    inst = split_long[0].instantiate()
    timer = threading.Timer(0.05, inst.interrupt)
    timer.start()
    trap = trap_of(inst.exports.count, LOOPS)
    timer.join()
    assert (trap.message, trap.function) == ("interrupt", "count")
    assert inst.exports.twice(21) == 42  # the next call runs


def test_split_builds_with_and_without_checks_are_cached_apart(split_long, monkeypatch):
    """The library of a split module is keyed by its bytes, not its C (libcache.py): the
    key must tell the interruptible build from the plain one."""
    checked, modules_dir = split_long
    split_like_a_large_module(monkeypatch)
    monkeypatch.setattr(libcache, "_modules_dir", lambda: modules_dir)
    plain = wasmc.compile_module(LONG, opt=0, jobs=2)
    assert checked.interruptible and not plain.interruptible
    assert plain._lib is not checked._lib
    assert plain.instantiate().exports.count(1000) == 1000


def test_executable_of_a_split_module_with_checks(tmp_path, monkeypatch):
    """build_executable(interruptible=True) of a split module (its checks never fire there:
    for measuring what they cost) links the checks to the runtime and runs."""
    split_like_a_large_module(monkeypatch)
    exe = wasmc.build_executable(LONG, tmp_path / "long", opt=0, jobs=2,
                                 emit_c_dir=tmp_path / "c", interruptible=True)
    assert CHECK in (tmp_path / "c" / "module_000.c").read_text()
    proc = subprocess.run([exe, "--invoke", "count", "1000"], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout) == (0, "1000\n")


GROW = """(module
  (memory (export "memory") 2 100)
  (table (export "table") 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_table") (param i32) (result i32)
    (table.grow (ref.null func) (local.get 0))))"""
PAGE = 65536


@pytest.fixture(scope="module")
def grow_module() -> wasmc.Module:
    return wasmc.compile_module(GROW, opt=0)


def test_memory_limit_fails_growth_beyond_it_and_allows_it_below(grow_module):
    inst = grow_module.instantiate(limits=wasmc.ResourceLimits(memory_size=4 * PAGE + 100))
    assert inst.exports.grow(1) == 2  # 3 pages
    assert inst.exports.grow(2) == -1  # 5 pages: over
    assert inst.exports.grow(1) == 3  # 4 pages: the limit
    assert inst.exports.grow(1) == -1
    assert inst.exports.memory.grow(1) == -1  # the host's grow too
    assert inst.exports.memory.size == 4
    assert inst.exports.memory.type.limits.max == 100  # the type is the module's
    free = grow_module.instantiate()  # without limits: the module's maximum
    assert free.exports.grow(50) == 2


def test_memory_limit_below_the_initial_size_fails_instantiation(grow_module):
    with pytest.raises(wasmc.InstantiationError,
                       match=r"memory 0 needs 2 pages \(131072 bytes\) at first, more than the "
                             r"memory limit of 131071 bytes"):
        grow_module.instantiate(limits=wasmc.ResourceLimits(memory_size=2 * PAGE - 1))


def test_table_limit(grow_module):
    inst = grow_module.instantiate(limits=wasmc.ResourceLimits(table_elements=3))
    assert inst.exports.grow_table(2) == 1
    assert inst.exports.grow_table(1) == -1
    assert inst.exports.table.grow(1) == -1
    assert inst.exports.table.size == 3
    with pytest.raises(wasmc.InstantiationError, match="table 0 needs 1 elements"):
        grow_module.instantiate(limits=wasmc.ResourceLimits(table_elements=0))


def test_limits_apply_to_this_instantiation_only(grow_module):
    grow_module.instantiate(limits=wasmc.ResourceLimits(memory_size=2 * PAGE))
    later = wasmc.Memory.new(1, 10)  # made on the same thread afterwards
    assert later.grow(5) == 1
    with pytest.raises(ValueError, match="memory_size"):
        wasmc.ResourceLimits(memory_size=-1)


# --- the wasmtime-py compatible layer: epochs, limits, trap codes, Val --------------------
# Each runs through real wasmtime-py and through wasmc.wasmtime, with the same code.

import wasmtime as real_wasmtime  # noqa: E402

import wasmc.wasmtime as wasmc_wasmtime  # noqa: E402

BOTH = pytest.mark.parametrize("wt", [real_wasmtime, wasmc_wasmtime],
                               ids=["wasmtime-py", "wasmc.wasmtime"])


def quick_config(wt):
    config = wt.Config()
    config.cranelift_opt_level = "none"  # wasmc: -O0
    return config


def compat_trap(call, *args) -> Exception:
    try:
        result = call(*args)
    except Exception as exc:  # noqa: BLE001 - the test looks at what it is
        return exc
    raise AssertionError(f"no trap: the call returned {result}")


@BOTH
def test_compat_epoch_deadline(wt):
    config = quick_config(wt)
    config.epoch_interruption = True
    engine = wt.Engine(config)
    store = wt.Store(engine)
    exports = wt.Instance(store, wt.Module(engine, LONG), []).exports(store)
    # No deadline set yet: 0, so the first check traps (Wasmtime's rule).
    trap = compat_trap(exports["one"], store)
    assert isinstance(trap, wt.Trap) and trap.trap_code == wt.TrapCode.INTERRUPT
    store.set_epoch_deadline(1)
    assert exports["one"](store) == 1
    timer = threading.Timer(0.05, engine.increment_epoch)
    timer.start()
    trap = compat_trap(exports["count"], store, LOOPS)
    timer.join()
    assert isinstance(trap, wt.Trap) and trap.trap_code == wt.TrapCode.INTERRUPT
    assert compat_trap(exports["one"], store).trap_code == wt.TrapCode.INTERRUPT  # stays
    store.set_epoch_deadline(2)
    engine.increment_epoch()
    assert exports["one"](store) == 1  # one tick of two


@BOTH
def test_compat_memory_and_count_limits(wt):
    engine = wt.Engine(quick_config(wt))
    module = wt.Module(engine, GROW)
    store = wt.Store(engine)
    store.set_limits(memory_size=3 * PAGE)
    exports = wt.Instance(store, module, []).exports(store)
    grow = exports["grow"]
    assert [grow(store, 1), grow(store, 1), grow(store, 0)] == [2, -1, 3]
    with pytest.raises(wt.WasmtimeError):
        exports["memory"].grow(store, 1)
    small = wt.Store(engine)
    small.set_limits(memory_size=PAGE)
    error = compat_trap(wt.Instance, small, module, [])
    assert isinstance(error, wt.WasmtimeError)
    assert "memory minimum size of 2 pages exceeds memory limits" in str(error)
    error = compat_trap(wt.Memory, small, wt.MemoryType(wt.Limits(2, None)))
    assert "memory minimum size of 2 pages exceeds memory limits" in str(error)
    tables = wt.Store(engine)
    tables.set_limits(table_elements=3)
    table_grow = wt.Instance(tables, module, []).exports(tables)["grow_table"]
    assert [table_grow(tables, 2), table_grow(tables, 1)] == [1, -1]
    error = compat_trap(wt.Table, tables, wt.TableType(wt.ValType.funcref(), wt.Limits(5, None)),
                        None)
    assert "table minimum size of 5 elements exceeds table limits" in str(error)
    # Memories and tables the host makes do not count against the store's count limits.
    few = wt.Store(engine)
    few.set_limits(memories=1, tables=1)
    for _ in range(2):
        wt.Memory(few, wt.MemoryType(wt.Limits(1, None)))
        wt.Table(few, wt.TableType(wt.ValType.funcref(), wt.Limits(1, None)), None)
    counted = wt.Store(engine)
    counted.set_limits(instances=1)
    wt.Instance(counted, module, [])
    error = compat_trap(wt.Instance, counted, module, [])
    assert "resource limit exceeded: instance count too high at 2" in str(error)


@BOTH
def test_compat_trap_codes_and_val(wt):
    engine = wt.Engine(quick_config(wt))
    store = wt.Store(engine)
    exports = wt.Instance(store, wt.Module(engine, """(module
      (func (export "divide") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "stop") unreachable)
      (func (export "mix") (param i64 f64) (result f64)
        (f64.add (f64.convert_i64_s (local.get 0)) (local.get 1))))"""), []).exports(store)
    assert compat_trap(exports["divide"], store, 1, 0).trap_code == \
        wt.TrapCode.INTEGER_DIVISION_BY_ZERO
    assert compat_trap(exports["divide"], store, -2**31, -1).trap_code == \
        wt.TrapCode.INTEGER_OVERFLOW
    assert compat_trap(exports["stop"], store).trap_code == wt.TrapCode.UNREACHABLE
    assert exports["divide"](store, wt.Val.i32(7), wt.Val.i32(2)) == 3
    assert exports["mix"](store, wt.Val.i64(-2), wt.Val.f64(0.5)) == -1.5
    with pytest.raises(TypeError):
        exports["divide"](store, wt.Val.i64(7), 2)
    assert wt.Val.i32(-1) == wt.Val.i32(0xFFFFFFFF) == -1
    assert wt.Val.i32(5).type == wt.ValType.i32() and wt.Val.i32(5).value == 5
    assert wt.Val.ref_null(wt.ValType.funcref()).value is None


# --- wasmc run --timeout ----------------------------------------------------------------

from wasmc_cli import wasmc_cli  # noqa: E402

# Prints "started", then counts for seconds at -O0 (and prints "finished").
SLOW_COMMAND = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "started\\nfinished\\n")
  (func $say (param i32 i32)
    (i32.store (i32.const 0) (local.get 0))
    (i32.store (i32.const 4) (local.get 1))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start") (local $i i64)
    (call $say (i32.const 16) (i32.const 8))
    (loop $again
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (i64.const 5000000000))))
    (call $say (i32.const 24) (i32.const 9))))"""


def test_run_timeout_stops_the_program_as_a_trap(tmp_path):
    program = tmp_path / "slow.wat"
    program.write_text(SLOW_COMMAND)
    started = time.monotonic()
    proc = wasmc_cli("run", "-O", "0", "--timeout", "0.5", program)
    assert (proc.returncode, proc.stdout) == (134, "started\n")
    assert proc.stderr == "error: wasm trap: deadline exceeded (--timeout 0.5 s)\n"
    assert time.monotonic() - started < 60  # (the build is most of it)
    bad = wasmc_cli("run", "--timeout", "0", program)
    assert bad.returncode == 2 and "--timeout must be a positive number" in bad.stderr

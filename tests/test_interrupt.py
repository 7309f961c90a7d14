"""Limits for untrusted code (docs/limits.md, "Untrusted code"): interrupt checks and
deadlines (interrupt.py, the `interruptible` compile option), and resource limits on memories
and tables (limits.py).

A check that does not work must fail a test, not hang it: every long-running export here
stops by itself after a few seconds (a counted loop, a recursion of bounded depth), so
without working checks it returns a value where the test expects a trap.
"""

from __future__ import annotations

import threading
import time

import pytest

import wasmc
from wasmc.binary.decoder import decode
from wasmc.codegen.module import emit_module
from wasmc.compiler import read_source
from wasmc.validate.validator import validate

# Each export runs for seconds at -O0 unless interrupted: `count` loops n times, `fib` is
# the naive recursion (no loops: only the function-entry checks can stop it).
LONG = """(module
  (memory (export "memory") 1)
  (func (export "count") (param $n i64) (result i64)
    (local $i i64)
    (loop $again
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $again (i64.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "one") (result i32) (i32.const 1)))"""
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
    # 3 function entries and 1 loop header; and the instance's slot entry point
    assert checked.count("wasmc_check_interrupt(inst->interrupt);") == 4
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

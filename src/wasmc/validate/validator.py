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
from ..binary.opcodes import NATURAL_ALIGN, OPS, Op
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


_HANDLERS: dict = {}  # instruction name -> FunctionValidator.op_* method
# Instructions that close a block (and may open the next part of it): their operands and
# results sit at the block's entry height.
_STRUCTURAL = frozenset(("else", "end", "catch", "catch_all", "delegate"))

# The instructions FunctionValidator.run checks inline, by name: (kind, first param, second
# param, result, params, results, values moved, natural alignment). SIG0/1/2: a fixed
# signature with 0/1/2 params; LOAD/STORE: the same with a memarg. Params and results are
# the opcode table's tuples, recorded as they are (the general path records them too).
(_F_SIG0, _F_SIG1, _F_SIG2, _F_LOAD, _F_STORE, _F_LOCAL_GET, _F_LOCAL_SET, _F_LOCAL_TEE,
 _F_GLOBAL_GET, _F_GLOBAL_SET, _F_CALL, _F_BLOCK, _F_IF, _F_ELSE, _F_END, _F_BR, _F_BR_IF,
 _F_DROP, _F_SELECT, _F_RETURN, _F_UNREACHABLE) = range(21)
_F_KINDS = {"local.get": _F_LOCAL_GET, "local.set": _F_LOCAL_SET, "local.tee": _F_LOCAL_TEE,
            "global.get": _F_GLOBAL_GET, "global.set": _F_GLOBAL_SET, "call": _F_CALL,
            "block": _F_BLOCK, "loop": _F_BLOCK, "if": _F_IF, "else": _F_ELSE, "end": _F_END,
            "br": _F_BR, "br_if": _F_BR_IF, "drop": _F_DROP, "select": _F_SELECT,
            "return": _F_RETURN, "unreachable": _F_UNREACHABLE}
# The results of the block types the fast path handles: none, or one number.
_BLOCK_RESULTS: dict = {None: (), I32: (I32,), I64: (I64,), F32: (F32,), F64: (F64,)}
_I32_ONE = (I32,)


def _fast_entry(op: Op) -> tuple | None:
    if op.sig is None:
        kind = _F_KINDS.get(op.name)
        moves = {_F_LOCAL_TEE: 2, _F_LOCAL_GET: 1, _F_LOCAL_SET: 1, _F_GLOBAL_GET: 1,
                 _F_GLOBAL_SET: 1}.get(kind, 0)  # the others count their own
        return None if kind is None else (kind, None, None, None, (), (), moves, None)
    params, results = op.sig
    p0, p1 = (*params, None, None)[:2]
    r0 = results[0] if results else None
    if op.imm == "memarg":
        kind, align = (_F_LOAD if results else _F_STORE), NATURAL_ALIGN[op.name]
        assert (len(params), len(results)) == ((1, 1) if results else (2, 0))
    else:
        kind, align = (_F_SIG0, _F_SIG1, _F_SIG2)[len(params)], None
        assert len(results) == 1 or (not params and not results)
    return kind, p0, p1, r0, params, results, len(params) + len(results), align


_FAST: dict[str, tuple | None] = {op.name: _fast_entry(op) for op in OPS}


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
        n = len(types)
        if not n:
            return ()
        vals = self.vals
        # Fast path: the top values are exactly these types (the usual case).
        if len(vals) - n >= self.ctrls[-1].height and tuple(vals[-n:]) == types:
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
        for t in params:
            self.push(t)

    def pop_ctrl(self) -> Frame:
        if not self.ctrls:
            raise self.error("unexpected end")
        frame = self.ctrls[-1]
        self.pop_many(frame.results)
        if len(self.vals) != frame.height:
            raise self.error("type mismatch")
        self.ctrls.pop()
        self.closed_height = frame.height
        while len(self.inits) > frame.init_height:  # sets inside the block end with it
            self.local_init[self.inits.pop()] = False
        return frame

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
            raise self.error("unknown local")
        return self.locals[i]

    def init_local(self, i: int) -> None:
        if not self.local_init[i]:
            self.local_init[i] = True
            self.inits.append(i)

    def memarg(self, ins: Instr) -> None:
        align, offset, mem = ins.imm
        mt = self.ctx.memory(mem, self)
        # The alignment is checked first, as in the reference interpreter (align.wast).
        if align > NATURAL_ALIGN[ins.op.name]:
            raise self.error("alignment must not be larger than natural")
        if offset > 0xFFFFFFFF and not mt.limits.is64:  # u64 offsets only for memory64
            raise self.error("offset out of range")

    # -- the main loop --
    def run(self) -> FuncInfo:
        """Validate the body. The most common instructions (see _FAST) are checked inline
        when nothing is unusual about them: the innermost block is reachable, the operands
        on top are exactly the expected types, the indices are in range. Anything else (a
        mismatch, a subtype, dead code, an error) takes the general path, `step`, from the
        same state, so errors and their offsets are the same either way."""
        info = self.info
        heights, pops, pushes = info.heights, info.pops, info.pushes
        add_height, add_pops, add_pushes = heights.append, pops.append, pushes.append
        vals, ctrls, step = self.vals, self.ctrls, self.step
        push_val, pop_val = vals.append, vals.pop
        fast = _FAST
        ctx = self.ctx
        local_types = self.locals
        n_locals = len(local_types)
        local_one = [(t,) for t in local_types]  # what local.get pushes, local.set pops
        local_init, inits = self.local_init, self.inits
        globals_, global_one = ctx.globals, ctx.global_one
        n_globals = len(globals_)
        # Loads and stores of 64-bit memories take the general path (i64 addresses).
        n_memories = len(ctx.memories)
        mem32 = [not mt.limits.is64 for mt in ctx.memories]
        funcs = ctx.funcs
        n_funcs = len(funcs)
        block_results = _BLOCK_RESULTS
        left = self.moves_left
        self.push_ctrl("func", (), self.func_type.results)
        frame = ctrls[-1]  # the innermost block
        fh = frame.height  # its entry height
        dead = False  # it is unreachable (dead code)
        ins = None
        body = iter(self.body)
        for ins in body:
            entry = None
            if not dead:
                try:
                    entry = fast[ins.op.name]
                except KeyError:  # not an instruction of the opcode table
                    pass
            elif len(vals) == fh and ins.op.name in ("end", "else"):
                # The end of dead code, with no values pushed since it became dead.
                entry = fast[ins.op.name]
            if entry is not None:
                kind, p0, p1, r0, popped, pushed, moves, align = entry
                n = len(vals)
                ok = False
                if kind <= _F_LOCAL_TEE:  # the data instructions
                    if kind == _F_LOCAL_GET:
                        i = ins.imm
                        if i < n_locals and local_init[i]:
                            push_val(local_types[i])
                            base, pushed, ok = n, local_one[i], True
                    elif kind == _F_SIG2:
                        if n - 2 >= fh and vals[-1] == p1 and vals[-2] == p0:
                            pop_val()
                            vals[-1] = r0
                            base, ok = n - 2, True
                    elif kind == _F_SIG0:
                        if r0 is not None:
                            push_val(r0)
                        base, ok = n, True
                    elif kind == _F_SIG1:
                        if n > fh and vals[-1] == p0:
                            vals[-1] = r0
                            base, ok = n - 1, True
                    elif kind == _F_LOCAL_SET or kind == _F_LOCAL_TEE:
                        i = ins.imm
                        if i < n_locals and n > fh and vals[-1] == local_types[i]:
                            if kind == _F_LOCAL_SET:
                                pop_val()
                            else:
                                pushed = local_one[i]  # the value stays
                            if not local_init[i]:
                                self.init_local(i)
                            base, popped, ok = n - 1, local_one[i], True
                    else:  # load, store
                        a, offset, mem = ins.imm
                        if (mem < n_memories and mem32[mem] and offset <= 0xFFFFFFFF
                                and a <= align):
                            if kind == _F_LOAD:
                                if n > fh and vals[-1] == p0:
                                    vals[-1] = r0
                                    base, ok = n - 1, True
                            elif n - 2 >= fh and vals[-1] == p1 and vals[-2] == p0:
                                del vals[-2:]
                                base, ok = n - 2, True
                elif kind == _F_END:
                    popped = pushed = frame.results
                    k = len(popped)
                    if frame.kind != "if" or frame.params == popped:
                        if dead:  # (n == fh) the results are unknown: push them
                            ok = True
                            if k and frame.kind != "func":
                                vals.extend(popped)
                        elif n - k == fh and (k == 0 or tuple(vals[-k:]) == popped):
                            ok = True  # the results stay where they are
                            if k and frame.kind == "func":
                                del vals[-k:]  # (returned)
                    if ok:
                        ctrls.pop()
                        if len(inits) > frame.init_height:
                            while len(inits) > frame.init_height:
                                local_init[inits.pop()] = False
                        base, moves = fh, 2 * k
                        if ctrls:
                            frame = ctrls[-1]
                            fh, dead = frame.height, frame.unreachable
                        else:
                            frame = None  # the function's end: stop after recording it
                elif kind == _F_BR_IF:
                    depth = ins.imm
                    if depth < len(ctrls) and n > fh and vals[-1] == I32:
                        target = ctrls[-1 - depth]
                        pushed = target.params if target.kind == "loop" else target.results
                        k = len(pushed)
                        if k == 0:
                            popped, base, moves, ok = _I32_ONE, n - 1, 1, True
                        elif n - 1 - k >= fh and tuple(vals[-1 - k:-1]) == pushed:
                            popped, base, moves, ok = pushed + _I32_ONE, n - 1 - k, 2 * k + 1, True
                        if ok:
                            pop_val()  # the label's values stay
                elif kind == _F_BLOCK or kind == _F_IF:
                    results = block_results.get(ins.imm)
                    if results is not None and len(ctrls) <= MAX_NESTING:
                        if kind == _F_BLOCK:
                            base, ok = n, True
                            block_kind = ins.op.name
                        elif n > fh and vals[-1] == I32:
                            pop_val()
                            base, popped, moves, ok = n - 1, _I32_ONE, 1, True
                            block_kind = "if"
                        if ok:
                            frame = Frame(block_kind, (), results, base, len(inits))
                            ctrls.append(frame)
                            fh = base
                elif kind == _F_ELSE:
                    popped = frame.results
                    k = len(popped)
                    if frame.kind == "if" and not frame.params and (dead or n - k == fh and (
                            k == 0 or tuple(vals[-k:]) == popped)):
                        # (in dead code, n == fh: the results are unknown)
                        ctrls.pop()
                        if len(inits) > frame.init_height:
                            while len(inits) > frame.init_height:
                                local_init[inits.pop()] = False
                        if k and not dead:
                            del vals[-k:]
                        base, moves, ok = fh, k, True
                        frame = Frame("else", (), popped, fh, len(inits))
                        ctrls.append(frame)
                        dead = False
                elif kind == _F_CALL:
                    i = ins.imm
                    if i < n_funcs:
                        ft = funcs[i]
                        popped, pushed = ft.params, ft.results
                        k = len(popped)
                        if k == 0:
                            ok = True
                        elif n - k >= fh and tuple(vals[-k:]) == popped:
                            del vals[-k:]
                            ok = True
                        if ok:
                            vals.extend(pushed)
                            base, moves = n - k, k + len(pushed)
                elif kind == _F_GLOBAL_GET:
                    i = ins.imm
                    if i < n_globals:
                        pushed = global_one[i]
                        push_val(pushed[0])
                        base, ok = n, True
                elif kind == _F_GLOBAL_SET:
                    i = ins.imm
                    if i < n_globals and n > fh:
                        g = globals_[i]
                        if g.mutable and vals[-1] == g.valtype:
                            pop_val()
                            base, popped, ok = n - 1, global_one[i], True
                elif kind == _F_BR:
                    depth = ins.imm
                    if depth < len(ctrls):
                        target = ctrls[-1 - depth]
                        popped = target.params if target.kind == "loop" else target.results
                        k = len(popped)
                        if n - k >= fh and (k == 0 or tuple(vals[-k:]) == popped):
                            del vals[fh:]
                            frame.unreachable = dead = True
                            base, moves, ok = n - k, k, True
                elif kind == _F_RETURN:
                    popped = self.func_type.results
                    k = len(popped)
                    if n - k >= fh and (k == 0 or tuple(vals[-k:]) == popped):
                        del vals[fh:]
                        frame.unreachable = dead = True
                        base, moves, ok = n - k, k, True
                elif kind == _F_UNREACHABLE:
                    del vals[fh:]
                    frame.unreachable = dead = True
                    base, ok = n, True
                elif kind == _F_DROP:
                    if n > fh:
                        popped = (pop_val(),)
                        base, moves, ok = n - 1, 1, True
                elif kind == _F_SELECT:
                    if n - 3 >= fh and vals[-1] == I32:
                        t = vals[-2]
                        if t == vals[-3] and t in NUM_TYPES:
                            del vals[-2:]
                            popped, pushed = (t, t, I32), (t,)
                            base, moves, ok = n - 3, 4, True
                if ok:
                    add_height(base)
                    add_pops(popped)
                    add_pushes(pushed)
                    left -= moves
                    if left < 0:
                        self.offset = ins.offset
                        raise self.too_many_moves(left)
                    if frame is None:
                        break
                    continue
            # The general path.
            self.offset = ins.offset
            before = len(vals)
            popped, pushed = step(ins)
            left -= len(popped) + len(pushed)
            if left < 0:
                raise self.too_many_moves(left)
            # Record where this instruction's operands and results live. A block's results
            # always sit at the block's entry height (dead code may have fewer values).
            structural = ins.op.name in _STRUCTURAL
            base = self.closed_height if structural else before - len(popped)
            add_height(base)
            if dead and not structural:
                add_pops(None)
                add_pushes(())
            else:
                add_pops(popped)
                add_pushes(pushed)
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

    def step(self, ins: Instr) -> tuple[tuple | None, tuple]:
        """Type-check one instruction; return (popped types, pushed types)."""
        op = ins.op
        name = op.name
        if op.sig is not None:
            params = op.sig[0]
            if op.imm == "memarg":
                self.memarg(ins)
                if self.ctx.memories[ins.imm[2]].limits.is64:  # memory64: an i64 address
                    params = (I64,) + tuple(params[1:])
            popped = self.pop_many(params)
            self.vals.extend(op.sig[1])
            return popped, op.sig[1]
        handler = _HANDLERS.get(name)
        if handler is None:
            handler = getattr(FunctionValidator, "op_" + name.replace(".", "_"), None)
            if handler is None:
                raise UnsupportedError(f"instruction {name} is not supported", self.offset,
                                       self.name)
            _HANDLERS[name] = handler
        return handler(self, ins)

    # -- control --
    def op_unreachable(self, ins):
        self.set_unreachable()
        return (), ()

    def op_block(self, ins):
        ft = self.block_type(ins.imm)
        popped = self.pop_many(ft.params)
        self.push_ctrl(ins.op.name, ft.params, ft.results)
        return popped, ft.params

    op_loop = op_block

    def op_if(self, ins):
        ft = self.block_type(ins.imm)
        self.pop(I32)
        popped = self.pop_many(ft.params)
        self.push_ctrl("if", ft.params, ft.results)
        return popped + (I32,), ft.params

    def op_else(self, ins):
        frame = self.pop_ctrl()
        if frame.kind != "if":
            raise self.error("else without matching if")
        self.push_ctrl("else", frame.params, frame.results)
        return frame.results, frame.params

    def op_end(self, ins):
        frame = self.pop_ctrl()
        if frame.kind == "if" and not (
            len(frame.params) == len(frame.results)
            and all(map(val_matches, frame.params, frame.results))
        ):
            raise self.error("type mismatch")  # an `if` without `else` must pass its params through
        if frame.kind != "func":
            for t in frame.results:
                self.push(t)
        return frame.results, frame.results

    def op_br(self, ins):
        types = self.label(ins.imm).label_types
        popped = self.pop_many(types)
        self.set_unreachable()
        return popped, ()

    def op_br_if(self, ins):
        types = self.label(ins.imm).label_types
        self.pop(I32)
        popped = self.pop_many(types)
        # The label's types go back, not the (maybe more precise) popped ones (gc#516).
        for t in types:
            self.push(t)
        return popped + (I32,), types

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

    def op_return(self, ins):
        popped = self.pop_many(self.func_type.results)
        self.set_unreachable()
        return popped, ()

    def op_call(self, ins):
        ft = self.ctx.func_type(ins.imm, self)
        popped = self.pop_many(ft.params)
        for t in ft.results:
            self.push(t)
        return popped, ft.results

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

    # -- variables --
    def op_local_get(self, ins):
        t = self.local(ins.imm)
        if not self.local_init[ins.imm]:
            raise self.error("uninitialized local")
        self.push(t)
        return (), (t,)

    def op_local_set(self, ins):
        popped = self.pop(self.local(ins.imm))
        self.init_local(ins.imm)
        return (popped,), ()

    def op_local_tee(self, ins):
        t = self.local(ins.imm)
        popped = self.pop(t)
        self.init_local(ins.imm)
        self.push(t)  # the local's type, not the popped one (gc#516)
        return (popped,), (t,)

    def op_global_get(self, ins):
        t = self.ctx.global_type(ins.imm, self).valtype
        self.push(t)
        return (), (t,)

    def op_global_set(self, ins):
        gt = self.ctx.global_type(ins.imm, self)
        if not gt.mutable:
            raise self.error("immutable global")
        return (self.pop(gt.valtype),), ()

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
            if t == V128:
                raise UnsupportedError("SIMD (v128) is not supported yet",
                                       getattr(where, "offset", where))
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
    CONST_OPS = {"i32.const": I32, "i64.const": I64, "f32.const": F32, "f64.const": F64}
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
    for mt in ctx.memories:
        check_limits(mt.limits, MAX_PAGES_64 if mt.limits.is64 else MAX_PAGES, "memory",
                     mt.limits.offset)

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

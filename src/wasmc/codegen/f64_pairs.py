"""Scalar f64 code on adjacent memory paired into f64x2, in a bounds-checked copy of an
innermost loop's body (docs/simd.md, "Pairing scalar f64 code into f64x2").

A Wasm build may leave scalar what a native build vectorizes (clang's wasm32 cost model
refuses nbody's pair loop), and the C compiler cannot redo it on wasmc's C: the load keeps,
`-ffp-exception-behavior=maytrap` and the 32-bit address arithmetic, all there for
correctness, stop its vectorizers. So for a loop whose body is straight-line code over
locals, constants, non-trapping i32/f64 arithmetic and f64 loads and stores at `local +
constant` addresses, the emitter writes a second copy of the body in front of the usual one:

    L9_top:;
      if ((uint64_t)l0 + 112u <= pairs_size9 && (uint64_t)l1 + 48u <= pairs_size9) {
        ... the body, with f64 stores to adjacent addresses done as one f64x2 store ...
        if (cond) goto L9_top;
        goto L9_pairs_done;
      }
      ... the usual body ...

The copy runs only when every access of the iteration is in bounds, so nothing in it can
trap: it needs no keeps, its accesses may move as long as no two that may overlap change
order, and `local + c` cannot wrap (it is at most the memory's size, 2^32). When the check
fails, the usual body runs that iteration and traps where it always did. The vector
operations are wasmc_simd.h's f64x2 ones, lane for lane the scalar operations; operands are
never swapped, so even NaN payloads come out as in the scalar code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..binary.module import Instr
from ..binary.opcodes import Op
from .forwarding import PlainLoop
from .spelling import C_TYPE

# WASMC_NO_F64_PAIRS=1 emits every loop as before (tests compare the two).
PAIR_F64 = not os.environ.get("WASMC_NO_F64_PAIRS")

# Longer bodies are left alone: the order check below is quadratic in the accesses.
MAX_BODY_INSTRUCTIONS = 400

# Operations the copy may contain: the opcode table's C templates of those that cannot trap.
_SCALAR_OPS = frozenset((
    "i32.eqz", "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s", "i32.gt_u", "i32.le_s",
    "i32.le_u", "i32.ge_s", "i32.ge_u", "i32.add", "i32.sub", "i32.mul", "i32.and", "i32.or",
    "i32.xor", "i32.shl", "i32.shr_s", "i32.shr_u",
    "f64.eq", "f64.ne", "f64.lt", "f64.gt", "f64.le", "f64.ge", "f64.abs", "f64.neg",
    "f64.sqrt", "f64.add", "f64.sub", "f64.mul", "f64.div", "f64.min", "f64.max",
    "f64.copysign",
))
# The operations that pair, with their f64x2 form (operands in the same order).
_VECTOR_OPS = {
    "f64.add": "wasmc_simd_f64x2_add", "f64.sub": "wasmc_simd_f64x2_sub",
    "f64.mul": "wasmc_simd_f64x2_mul", "f64.div": "wasmc_simd_f64x2_div",
    "f64.sqrt": "wasmc_simd_f64x2_sqrt",
}
_LOCAL_TYPES = frozenset(("i32", "i64", "f32", "f64"))


@dataclass(eq=False)
class Value:
    """One value of the loop body: a local's value at the top of the iteration ("entry"),
    a constant, the result of an operation, or a loaded f64."""
    kind: str  # "entry", "const", "op", "load"
    type: str
    pos: int  # index (in the body) of the instruction that makes it; -1: before the body
    name: str  # its C variable in the copy
    imm: int = 0  # "entry": the local; "const": the bits
    op: Op | None = None  # "op": the opcode row
    args: tuple[Value, ...] = ()
    access: Access | None = None  # "load"


@dataclass(eq=False)
class Access:
    """An f64 load or store at base + offset: `base` is an "entry" value (an i32 local)."""
    pos: int
    store: bool
    base: Value
    offset: int
    value: Value  # the stored value, or the load's result

    def overlaps(self, other: Access) -> bool:
        """Whether the two 8-byte accesses may touch a common byte (different bases: they
        may hold anything)."""
        return self.base is not other.base or abs(self.offset - other.offset) < 8


@dataclass(eq=False)
class Pack:
    """Two f64 values as one f64x2, lane 0 and lane 1: one 16-byte load ("load"), one value
    twice ("splat"), two computed scalars ("gather"), or an operation on packs ("op")."""
    kind: str
    lanes: tuple[Value, Value]
    pos: int  # where the copy computes it: after the body's instruction at this index
    name: str
    args: tuple[Pack, ...] = ()

    def vector_work(self) -> bool:
        return self.kind in ("load", "op")


@dataclass(eq=False)
class StorePair:
    """f64 stores to base + o (lane 0) and base + o + 8 (lane 1), done as one f64x2 store
    at the later one's place."""
    low: Access
    high: Access
    value: Pack

    @property
    def at(self) -> int:
        return max(self.low.pos, self.high.pos)


@dataclass
class PairedLoop:
    """What the copy of one loop's body is made of."""
    body: list[Instr]  # the body: the loop's instructions between `loop` and `end`
    values: list[Value]  # every value the body makes, in order
    entries: dict[int, Value]  # local -> its value at the top of the iteration
    stores: list[Access]
    sets: dict[int, Value]  # local -> its value at the end of the iteration
    condition: Value  # the br_if's operand
    pairs: list[StorePair]
    packs: list[Pack]  # every pack the pairs use, arguments before their users
    memory: int
    limits: dict[int, int] = field(default_factory=dict)  # base local -> bytes it must cover

    def size_name(self, label: int) -> str:
        return f"pairs_size{label}"

    def size_line(self, label: int) -> str:
        """Memory's byte size, read before the loop: nothing in the body can change it."""
        return (f"  uint64_t {self.size_name(label)} = "
                f"inst->mem{self.memory}->pages * WASMC_PAGE_SIZE;")

    def lines(self, label: int, membase: str, constant: Callable[[str, int], str]) -> list[str]:
        """The copy, placed right after the loop's label. `membase` is the memory's base
        pointer in C, `constant(type, bits)` spells a constant as the usual body does."""
        size = self.size_name(label)
        check = " && ".join(f"(uint64_t)l{k} + {n}u <= {size}"
                            for k, n in sorted(self.limits.items()))
        out = [f"  if (WASMC_LIKELY({check})) {{"]
        for k, v in sorted(self.entries.items()):
            out.append(f"    {C_TYPE[v.type]} {v.name} = l{k};")
        due: dict[int, list[Pack]] = {}
        for pack in self.packs:
            due.setdefault(pack.pos, []).append(pack)
        # The earlier store of each pair is left out; the later one stores both lanes.
        dropped = {id(p.low if p.low.pos < p.high.pos else p.high) for p in self.pairs}
        stored_here = {p.at: p for p in self.pairs}

        def address(a: Access) -> str:
            return f"{membase} + (uint64_t){a.base.name} + UINT64_C({a.offset})"

        def emit_packs(pos: int) -> None:
            for p in due.get(pos, ()):
                out.append(f"    wasmc_v128 {p.name} = {pack_expr(p)};")

        def pack_expr(p: Pack) -> str:
            lo, hi = p.lanes
            if p.kind == "load":
                assert lo.access is not None
                return f"wasmc_simd_load({address(lo.access)})"
            if p.kind == "splat":
                return f"wasmc_simd_f64x2_splat({lo.name})"
            if p.kind == "gather":
                return f"(wasmc_v128)(wasmc_f64x2){{{lo.name}, {hi.name}}}"
            assert lo.op is not None
            fn = _VECTOR_OPS[lo.op.name]
            return f"{fn}({', '.join(a.name for a in p.args)})"

        emit_packs(-1)
        values_at = {v.pos: v for v in self.values if v.pos >= 0}
        stores_at = {a.pos: a for a in self.stores}
        for pos in range(len(self.body)):
            v = values_at.get(pos)
            if v is not None:
                out.append(f"    {C_TYPE[v.type]} {v.name} = {value_expr(v, address, constant)};")
            a = stores_at.get(pos)
            if a is not None:
                pair = stored_here.get(pos)
                if pair is not None:
                    out.append(f"    wasmc_simd_store({address(pair.low)}, {pair.value.name});")
                elif id(a) not in dropped:
                    out.append(f"    wasmc_store_f64({address(a)}, {a.value.name});")
            emit_packs(pos)
        out += [f"    l{k} = {v.name};" for k, v in self.sets.items()]
        out.append(f"    if ({self.condition.name}) goto L{label}_top;")
        out.append(f"    goto L{label}_pairs_done;")
        out.append("  }")
        return out


def value_expr(v: Value, address: Callable[[Access], str],
               constant: Callable[[str, int], str]) -> str:
    """The C expression of a value of the copy (its operands are earlier C variables)."""
    if v.kind == "const":
        return constant(v.type, v.imm)
    if v.kind == "load":
        assert v.access is not None
        return f"wasmc_load_f64({address(v.access)})"
    assert v.op is not None and v.op.c is not None
    return v.op.c.format(*(a.name for a in v.args))


def analyse(body: list[Instr], local_types: list[str], memories64: set[int]
            ) -> PairedLoop | None:
    """The copy of a loop body (a plain loop's, without its `loop` and `end`), or None if
    the body has something the copy
    cannot do, or no pair of stores to pair."""
    values: list[Value] = []
    entries: dict[int, Value] = {}
    current: dict[int, Value] = {}
    sets: dict[int, Value] = {}
    stack: list[Value] = []
    accesses: list[Access] = []
    memory: int | None = None
    condition: Value | None = None

    def new(kind: str, type_: str, pos: int, **kw) -> Value:
        v = Value(kind, type_, pos, f"pairs_v{len(values)}", **kw)
        values.append(v)
        return v

    def local(k: int) -> Value | None:
        if k in current:
            return current[k]
        if local_types[k] not in _LOCAL_TYPES:
            return None
        v = entries[k] = current[k] = Value("entry", local_types[k], -1, f"pairs_l{k}", imm=k)
        return v

    def split_address(v: Value, offset: int) -> tuple[Value, int] | None:
        """base (an i32 local's entry value) and constant offset of an address."""
        while v.kind == "op" and v.op.name == "i32.add":
            a, b = v.args
            if b.kind == "const":
                v, offset = a, offset + b.imm
            elif a.kind == "const":
                v, offset = b, offset + a.imm
            else:
                break
        return (v, offset) if v.kind == "entry" and v.type == "i32" else None

    for pos, ins in enumerate(body):
        name = ins.op.name
        if name in ("local.get",):
            v = local(ins.imm)
            if v is None:
                return None
            stack.append(v)
        elif name in ("local.set", "local.tee"):
            if local_types[ins.imm] not in _LOCAL_TYPES:
                return None
            v = stack.pop() if name == "local.set" else stack[-1]
            current[ins.imm] = sets[ins.imm] = v
        elif name in ("i32.const", "f64.const"):
            bits = ins.imm & 0xFFFFFFFF if name == "i32.const" else ins.imm
            stack.append(new("const", name[:3], pos, imm=bits))
        elif name in _SCALAR_OPS:
            params, results = ins.op.sig
            args = tuple(stack[len(stack) - len(params):])
            del stack[len(stack) - len(params):]
            stack.append(new("op", results[0], pos, op=ins.op, args=args))
        elif name in ("f64.load", "f64.store"):
            _align, offset, mem = ins.imm
            if mem in memories64 or (memory is not None and mem != memory):
                return None
            memory = mem
            stored = stack.pop() if name == "f64.store" else None
            where = split_address(stack.pop(), offset)
            if where is None:
                return None
            base, total = where
            if name == "f64.load":
                v = new("load", "f64", pos)
                v.access = Access(pos, False, base, total, v)
                accesses.append(v.access)
                stack.append(v)
            else:
                assert stored is not None
                accesses.append(Access(pos, True, base, total, stored))
        elif name == "drop":
            stack.pop()
        elif name == "nop":
            pass
        elif name == "br_if" and pos == len(body) - 1:
            condition = stack.pop()
        else:
            return None
    if condition is None or stack or memory is None:
        return None
    stores = [a for a in accesses if a.store]
    pairs, packs = _pair_stores(accesses, stores)
    if not pairs:
        return None
    limits: dict[int, int] = {}
    for a in accesses:
        limits[a.base.imm] = max(limits.get(a.base.imm, 0), a.offset + 8)
    if max(limits.values()) > 1 << 32:  # (a "negative" i32 offset) the check could never pass
        return None
    return PairedLoop(body, values, entries, stores, sets, condition, pairs, packs, memory,
                      limits)


def _pair_stores(accesses: list[Access], stores: list[Access]
                 ) -> tuple[list[StorePair], list[Pack]]:
    """The store pairs whose values pair into vector work and whose reordering keeps every
    two accesses that may overlap in their order; and the packs they use."""
    memo: dict[tuple[int, int, bool], Pack] = {}
    order: list[Pack] = []

    def pack(lo: Value, hi: Value, loads: bool) -> Pack:
        """The pack of two values; with `loads` False, two loads are gathered scalars
        rather than one 16-byte load (which may not move to the first load's place)."""
        key = (id(lo), id(hi), loads)
        found = memo.get(key)
        if found is not None:
            return found
        if lo is hi:
            p = Pack("splat", (lo, hi), lo.pos, "")
        elif (loads and lo.kind == "load" and hi.kind == "load" and lo.access and hi.access
              and lo.access.base is hi.access.base and hi.access.offset == lo.access.offset + 8):
            # One 16-byte load where the first of the two was (the check below says whether
            # the other may move there).
            p = Pack("load", (lo, hi), min(lo.pos, hi.pos), "")
        elif (lo.kind == "op" and hi.kind == "op" and lo.op is hi.op
              and lo.op.name in _VECTOR_OPS):
            args = tuple(pack(a, b, loads) for a, b in zip(lo.args, hi.args, strict=True))
            p = Pack("op", (lo, hi), max(a.pos for a in args), "", args)
        else:
            p = Pack("gather", (lo, hi), max(lo.pos, hi.pos), "")
        p.name = f"pairs_q{len(memo)}"
        memo[key] = p
        order.append(p)
        return p

    pairs: list[StorePair] = []
    taken: set[int] = set()
    for i, first in enumerate(stores):
        if id(first) in taken:
            continue
        for second in stores[i + 1:]:
            if id(second) in taken or second.base is not first.base:
                continue
            if abs(second.offset - first.offset) != 8:
                continue
            low, high = (first, second) if first.offset < second.offset else (second, first)
            for loads in (True, False):
                value = pack(low.value, high.value, loads)
                candidate = StorePair(low, high, value)
                if value.vector_work() and _order_kept(accesses, [*pairs, candidate]):
                    pairs.append(candidate)
                    taken |= {id(first), id(second)}
                    break
            if id(first) in taken:
                break
    used: set[int] = set()

    def mark(p: Pack) -> None:
        if id(p) not in used:
            used.add(id(p))
            for a in p.args:
                mark(a)

    for pair in pairs:
        mark(pair.value)
    return pairs, [p for p in order if id(p) in used]


def _order_kept(accesses: list[Access], pairs: list[StorePair]) -> bool:
    """Whether, with these pairs, every load and store that may overlap a store keeps its
    order with it. In the copy a paired store happens at the later store's place, and a
    16-byte load where the earlier of its two loads was; other accesses stay put."""
    moved_to: dict[int, int] = {}  # id(access) -> its place in the copy
    for pair in pairs:
        moved_to[id(pair.low)] = moved_to[id(pair.high)] = pair.at
    # The 16-byte loads the pairs' values use, with the place of each lane's read.
    reads: list[tuple[Access, int]] = [(a, a.pos) for a in accesses if not a.store]
    seen: set[int] = set()

    def vector_loads(p: Pack) -> None:
        if id(p) in seen:
            return
        seen.add(id(p))
        if p.kind == "load":
            for lane in p.lanes:
                assert lane.access is not None
                reads.append((lane.access, p.pos))
        for a in p.args:
            vector_loads(a)

    for pair in pairs:
        vector_loads(pair.value)
    writes = [(a, moved_to.get(id(a), a.pos)) for a in accesses if a.store]
    for r, r_at in reads:
        for w, w_at in writes:
            if r.overlaps(w) and (r_at < w_at) != (r.pos < w.pos):
                return False
    for k, (w1, at1) in enumerate(writes):
        for w2, at2 in writes[k + 1:]:
            if w1.overlaps(w2) and (at1 < at2) != (w1.pos < w2.pos):
                return False
    return True


def find_paired_loops(body: list[Instr], loops: list[PlainLoop], local_types: list[str],
                      memories64: set[int]) -> dict[int, PairedLoop]:
    """id() of each `loop` in `body` that gets a paired copy -> the copy. Candidates are the
    function's plain loops (forwarding.plain_loops: straight-line bodies ending in
    `br_if 0`) without parameters or results and of at most MAX_BODY_INSTRUCTIONS."""
    found: dict[int, PairedLoop] = {}
    for loop in loops:
        if (body[loop.start].imm is not None
                or loop.end - loop.start - 1 > MAX_BODY_INSTRUCTIONS):
            continue
        paired = analyse(body[loop.start + 1:loop.end], local_types, memories64)
        if paired is not None:
            found[id(body[loop.start])] = paired
    return found

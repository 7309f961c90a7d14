"""C for one function body.

Each Wasm local is a C local `l<N>`, each operand-stack slot a C local `s<height>_<type>`
(validation told us the height and types of every instruction's operands). Structured control
flow becomes labels and `goto`: a block's results always sit in the slots at the block's entry
height, so a branch copies its values there and jumps; `br_table` becomes a `switch`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from ..binary.module import EXN, FUNC, I32, V128, FuncType, Instr, parse_ref, ref_family
from ..binary.opcodes import OPS
from ..toolchain import DISPATCH_TABLE_MACRO
from ..validate.validator import FuncInfo
from . import eh_locals, f64_pairs, fuel, wide_loops
from .atomics import HANDLERS as ATOMIC_HANDLERS
from .forwarding import Forward, find_forwarded_loads, plain_loops
from .rotation import rotating_loops
from .simd import HANDLERS as SIMD_HANDLERS
from .spelling import (
    C_TYPE,
    SHORT,
    const_literal,
    fn_pointer_type,
    result_type,
    slot_count,
    slot_loads,
    slot_stores,
    type_id_expr,
    zero_value,
)

if TYPE_CHECKING:
    from .module import ModuleEmitter


# Every trampoline's slot buffer holds at least this many values (docs/tail-calls.md).
MIN_TAIL_SLOTS = 8

# The bits of +-0.0 and +-1.0: identities that C compilers fold away (see wasmc.h).
FOLDABLE_FLOAT_CONSTANTS = {
    "f32": (0x00000000, 0x80000000, 0x3F800000, 0xBF800000),
    "f64": (0, 1 << 63, 0x3FF0000000000000, 0xBFF0000000000000),
}


# instruction name -> FunctionEmitter.op_* method (the SIMD and atomic ones from their modules)
_HANDLERS: dict = {**SIMD_HANDLERS, **ATOMIC_HANDLERS}


@lru_cache(maxsize=65536)
def slot(height: int, valtype: str) -> str:
    return f"s{height}_{SHORT[valtype]}"


# Slot names by value type, indexed by height: _SLOT_NAMES[t][h] == slot(h, t). Types with
# the same C representation share a list. Grown by `slot_names` as functions need.
_SLOT_NAMES: dict[str, list[str]] = {}
_SLOT_NAMES_BY_SHORT: dict[str, list[str]] = {}


_LOCAL_NAMES: list[str] = []  # _LOCAL_NAMES[k] == f"l{k}", grown by `local_names`


def local_names(n: int) -> list[str]:
    """The names of locals 0..n-1 (at least)."""
    names = _LOCAL_NAMES
    if len(names) < n:
        names.extend(f"l{k}" for k in range(len(names), n))
    return names


def slot_names(slots: set[tuple[int, str]]) -> dict[str, list[str]]:
    """The slot-name lists, long enough for every (height, type) in `slots`."""
    top: dict[str, int] = {}
    for h, t in slots:
        if h >= top.get(t, 0):
            top[t] = h + 1
    names = _SLOT_NAMES
    for t, n in top.items():
        lst = names.get(t)
        if lst is None:
            short = SHORT[t]
            lst = names[t] = _SLOT_NAMES_BY_SHORT.setdefault(short, [])
        if len(lst) < n:
            short = SHORT[t]
            lst.extend(f"s{h}_{short}" for h in range(len(lst), n))
    return names


# With clang, a br_table with at least this many entries, inside a loop, becomes a computed
# goto through a table of label addresses instead of a switch. That is the dispatch of an
# interpreter loop: each branch back to the loop head ends in its own copy of the indirect
# jump (clang tail-duplicates a block that ends in one, but not a switch's range check and
# jump), so the CPU predicts each dispatch from the previous opcode. It took the Uxn switch
# interpreter from 0.22 s to 0.14 s (fib) and 0.41 s to 0.28 s (mandel). GCC duplicates
# such a block only up to a size that a dispatch block exceeds, so it gets the table only
# where toolchain.py also raises that limit (it defines DISPATCH_TABLE_MACRO); elsewhere,
# e.g. C embedded in a program built with other flags, GCC keeps the switch: the table
# without the duplication made sieve 0.24 -> 0.34 s (docs/performance.md, "wasmc (GCC)
# against wasm2c + GCC"). Not for small tables nor outside loops: clang and GCC do not
# inline a function with a computed goto.
DISPATCH_TABLE_MIN = 16


# Fast paths (c35086e): caches of lines and names, and shortcuts for the usual case of an
# instruction; switched off by WASMC_NO_FAST_PATHS=1 (or FAST_PATHS = False), which must not
# change the C (tests/test_fast_paths.py).
FAST_PATHS = not os.environ.get("WASMC_NO_FAST_PATHS")

# The instructions FunctionEmitter.emit writes itself, by kind: those of the opcode table's
# C templates, and the most common others. Every other instruction has an op_<name> method.
_KIND_ORDER = range(18)
(_E_LOCAL_GET, _E_EXPR, _E_LOCAL_SET, _E_CONST, _E_LOAD, _E_STORE, _E_GLOBAL_GET,
 _E_GLOBAL_SET, _E_NOTHING, _E_BLOCK, _E_ELSE, _E_END, _E_BR, _E_BR_IF, _E_CALL,
 _E_SELECT, _E_RETURN, _E_UNREACHABLE) = _KIND_ORDER
_KIND_BY_NAME = {
    "local.get": _E_LOCAL_GET, "local.set": _E_LOCAL_SET, "local.tee": _E_LOCAL_SET,
    "global.get": _E_GLOBAL_GET, "global.set": _E_GLOBAL_SET, "nop": _E_NOTHING,
    "drop": _E_NOTHING, "block": _E_BLOCK, "loop": _E_BLOCK, "if": _E_BLOCK, "else": _E_ELSE,
    "end": _E_END, "br": _E_BR, "br_if": _E_BR_IF, "call": _E_CALL, "select": _E_SELECT,
    "select_t": _E_SELECT, "return": _E_RETURN, "unreachable": _E_UNREACHABLE}
_NUMERIC = frozenset(("i32", "i64", "f32", "f64"))
# The block types whose results emit knows without asking the module: none, or one number.
_SIMPLE_BLOCK_RESULTS: dict = {None: (), "i32": ("i32",), "i64": ("i64",), "f32": ("f32",),
                               "f64": ("f64",)}
# Lines of _E_EXPR instructions are cached by height up to this one (they depend only on the
# opcode and the height: their operands and results are numbers, so the types are fixed).
_LINE_CACHE_HEIGHTS = 512


def _kind(op) -> tuple | None:
    """How emit writes this opcode row: (kind, C template or helper, line cache by height
    (None: not cached), result type), or None for an op_<name> method."""
    if op.c is not None:
        params, results = op.sig
        r0 = results[0] if results else None
        if op.imm == "memarg":
            return (_E_LOAD if results else _E_STORE), op.c, None, r0
        # A template that uses the immediate ({imm}) differs per instruction: not cached.
        return _E_EXPR, op.c, (None if "{imm" in op.c else {}), r0
    if op.imm in _NUMERIC:  # i32.const etc.
        return _E_CONST, None, None, op.imm
    kind = _KIND_BY_NAME.get(op.name)
    return None if kind is None else (kind, None, None, None)


_KINDS: dict[str, tuple] = {op.name: k for op in OPS if (k := _kind(op)) is not None}
# How often each template instruction's C template names each operand (an operand named
# more than once must be a name or a constant, or the C would repeat its expression).
_TEMPLATE_USES: dict[str, tuple[int, ...]] = {
    op.name: tuple(op.c.count(f"{{{k}}}") for k in range(len(op.sig[0])))
    for op in OPS if op.name in _KINDS and _KINDS[op.name][0] == _E_EXPR}
# The template instructions over numbers that cannot trap and have no effect: their result
# may wait for its use as an expression, like a constant (FunctionEmitter.emit).
_TRAPPING = ("div_s", "div_u", "rem_s", "rem_u", "trunc_f32_s", "trunc_f32_u", "trunc_f64_s",
             "trunc_f64_u")
_FOLDABLE = frozenset(
    op.name for op in OPS
    if op.name in _TEMPLATE_USES and op.name.split(".")[1] not in _TRAPPING
    and all(t in _NUMERIC for t in op.sig[0] + op.sig[1]))
# How deep waiting expressions nest at most (clang refuses brackets nested 256 deep).
_MAX_FOLD_DEPTH = 12


class Waiting(NamedTuple):
    """A value that waits for its use instead of taking its slot (FunctionEmitter.emit)."""
    slot: str  # where it goes if it must be written first
    expr: str  # the C expression
    reads: tuple[str, ...]  # the locals it reads
    depth: int  # 0: a name or a constant; else how many expressions it nests
    reads_slot: bool = False  # whether it reads the slot at its height (its first operand's)


def waiting_parts(pending: dict[int, Waiting], h: int, uses: tuple[int, ...]
                  ) -> tuple[tuple[str, ...], int, bool] | None:
    """For a pure instruction at height h that names its operands `uses` times: the
    locals, depth and slot read of its expression if it may wait, else None. It may if
    every operand above its own slot waits too and reads no slot (so the expression reads
    no slot but the one at h, which nothing else writes while it waits), an expression
    named more than once is none of them, and the nesting stays shallow."""
    reads: list[str] = []
    depth, reads_slot = 0, True
    for k, n in enumerate(uses):
        inner = pending.get(h + k)
        if inner is None or (inner.depth and n > 1):
            if k:
                return None
            continue  # operand 0 is (or is written to) the slot at h
        if k and inner.reads_slot:
            return None
        if not k:
            reads_slot = inner.reads_slot
        reads.extend(inner.reads)
        depth = max(depth, inner.depth)
    if depth >= _MAX_FOLD_DEPTH:
        return None
    return tuple(reads), depth + 1, reads_slot


# The loads that take their address from the stack (every memarg load but the SIMD ones).
LOAD_OPS = frozenset(name for name, k in _KINDS.items() if k[0] == _E_LOAD)


# Innermost loops that move vectors through memory are emitted as a C `while (1)` with an
# unroll hint (`#pragma GCC unroll`, which clang reads too): clang does not unroll a loop
# with a run-time trip count at -O2, and the vector loops of a -msimd128 build are bound by
# instruction throughput, where unrolling saves the loop overhead and the index moves.
# Only these, and only short ones (the loop overhead is a large part of a short body): other
# loops keep their goto form (lz77 and the scalar matmul ran 8-10 % slower with clang's
# run-time unrolling of every loop; blur-simd's 58-66-instruction vector loops 4 % slower
# unrolled; docs/performance.md).
UNROLL_SIMD_LOOPS = 4
UNROLL_MAX_INSTRUCTIONS = 48  # Wasm instructions in the loop, its `loop` and `end` included
_UNROLL_STOPPERS = ("call", "call_indirect", "call_ref", "return_call", "return_call_indirect",
                    "return_call_ref", "throw", "throw_ref", "rethrow", "try", "try_table",
                    "delegate", "br_table")


@dataclass
class _OpenBlock:
    """What simd_loops knows of a block it is inside."""
    loop: Instr | None  # the `loop` instruction, or None for another kind of block
    start: int  # index of its first instruction
    has_loop: bool = False  # a loop inside it
    has_vector_access: bool = False  # a v128 load or store
    has_stopper: bool = False  # one of _UNROLL_STOPPERS


# The instructions that open a block (each closed by `end`, or a legacy try by `delegate`).
BLOCK_OPENERS = frozenset({"block", "loop", "if", "try", "try_table"})


def simd_loops(body: list[Instr]) -> set[int]:
    """The id()s of the `loop` instructions in `body` that get the unroll hint: short
    innermost loops with a v128 load or store and no call, throw, try or br_table."""
    found: set[int] = set()
    stack: list[_OpenBlock] = []
    for i, ins in enumerate(body):
        name = ins.op.name
        if name in BLOCK_OPENERS:
            stack.append(_OpenBlock(ins if name == "loop" else None, i))
        elif name == "end" and stack:
            block = stack.pop()
            if (block.loop is not None and not block.has_loop and block.has_vector_access
                    and not block.has_stopper and i - block.start + 1 <= UNROLL_MAX_INSTRUCTIONS):
                found.add(id(block.loop))
            if stack:  # what the block held, its enclosing block holds
                outer = stack[-1]
                outer.has_loop |= block.has_loop or block.loop is not None
                outer.has_vector_access |= block.has_vector_access
                outer.has_stopper |= block.has_stopper
        elif stack:
            if name in _UNROLL_STOPPERS:
                stack[-1].has_stopper = True
            elif ins.op.prefix is not None and name.startswith("v128.") and ins.op.align:
                stack[-1].has_vector_access = True
    return found


@dataclass
class Block:
    kind: str  # "func", "block", "loop", "if"
    label: int
    height: int  # entry height: where its params start and its results end up
    params: tuple[str, ...]
    results: tuple[str, ...]
    live: bool  # False when the block starts in dead code: emit nothing for it
    has_else: bool = False
    # Exception handling: the block's body runs under a handler h<label> (try_table with
    # catch clauses, legacy try with catch or delegate); `clause` numbers a legacy try's
    # catch parts; `catch_all` says whether one of them is catch_all.
    handler: bool = False
    clause: int = 0
    catch_all: bool = False
    unrolled: bool = False  # a `while (1)` with an unroll hint (simd_loops)
    paired: bool = False  # a loop with a paired f64 copy of its body (f64_pairs.py)
    done: bool = False  # a loop whose check in front may jump past it (L<label>_done)

    @property
    def branch_types(self) -> tuple[str, ...]:
        return self.params if self.kind == "loop" else self.results


_CLOSERS = frozenset({"end", "delegate"})
_CALLS = frozenset({"call", "call_indirect", "call_ref"})


def calls_repeat(body: list[Instr], funcidx: int) -> bool:
    """Whether a call of this function body runs many times for one call of the function:
    it is inside a loop, or it calls the function itself (recursion)."""
    open_loops: list[bool] = []  # per open block: whether it is a loop
    loops = 0
    for ins in body:
        name = ins.op.name
        if name in BLOCK_OPENERS:
            open_loops.append(name == "loop")
            loops += name == "loop"
        elif name in _CLOSERS:
            if open_loops and open_loops.pop():
                loops -= 1
        elif name in _CALLS and (loops or (name == "call" and ins.imm == funcidx)):
            return True
    return False


class FunctionEmitter:
    def __init__(self, mod: ModuleEmitter, funcidx: int, info: FuncInfo, body: list[Instr],
                 thunk: bool = False):
        self.mod = mod
        self.funcidx = funcidx
        self.info = info
        self.body = body
        # Fuel (codegen/fuel.py): the cost of the straight-line code not yet added, and the
        # bulk instructions whose length is a constant.
        self.fuel_pending = 0
        self.small_lengths: dict[int, int] = {}
        self.type: FuncType = info.type
        # Thunk mode (docs/tail-calls.md): the body is compiled as the function's trampoline
        # entry t<N>(self, slots, cap): parameters come from slots, results go back there,
        # and a tail call returns the callee instead of calling it.
        self.thunk = thunk
        self.out: list[str] = []
        self.blocks: list[Block] = []
        self.next_label = 0
        self.memories_used: set[int] = set()
        # The lines (indexes in the body) of the calls that return here: after each, the
        # memory bases are read again (see reload_bases).
        self.call_lines: list[int] = []
        # Exception handling (docs/exceptions.md): how many blocks around the current
        # instruction have an active handler, the labels of all handlers (h<label>) and of
        # the legacy try blocks' caught exceptions (e<label>), and the locals that need
        # `volatile` because a try body writes them (EhAnalysis).
        self.open_eh_blocks = 0
        self.handler_labels: list[int] = []
        self.exn_labels: list[int] = []
        self.eh = EhAnalysis(body, info.locals) if funcidx in mod.eh_funcs else None
        self.try_catches: dict[int, tuple] = {}  # try_table label -> its catch clauses
        # Whether this function's exnref values stay in it (exn_confined): then its catch_ref
        # clauses give the exception to its frame instead of keeping it for good.
        self.exn_confined = self.eh is not None and exn_confined(self.type, body, info)
        # GCC's sibling calls (docs/tail-calls.md): in a function compiled with them, every
        # ordinary call is followed by WASMC_NOT_TAIL, so that only its return_calls become
        # jumps (a Wasm call must take stack: recursion must exhaust it, not loop).
        self.not_tail = " WASMC_NOT_TAIL();" if funcidx in mod.sibcall_funcs else ""
        # Memory 0's base: a parameter of fast bodies (ModuleEmitter.fast_membase), which
        # calls to fast bodies pass on.
        self.membase_param = mod.fast_membase and not thunk and mod.is_fast(funcidx)
        self.membase = "m0" if self.membase_param else "inst->membase0"
        # The widened i32 parameters of a fast body (ModuleEmitter.find_widened_params)
        # arrive zero-extended in uint64_t z<k>, and the body tells the C compiler so. Each
        # needs that assumption, also where this function does not load through it: an
        # unchanged parameter is then passed on as it is, not zero-extended again at every
        # tail call.
        fast_body = not thunk and mod.is_fast(funcidx)
        self.widened_params = sorted(mod.widened_params(self.type)) if fast_body else []
        # What every call passes (param_facts.py): a constant parameter starts from its
        # value, in a local of the head where the fast body does not take it (dropped).
        self.param_facts = mod.facts(funcidx)
        self.dropped_params = mod.dropped_params(self.type) if fast_body else frozenset()

    # -- helpers --
    def w(self, line: str) -> None:
        self.out.append("  " + line)

    def new_label(self) -> int:
        self.next_label += 1
        return self.next_label

    def copy_values(self, types: tuple[str, ...], src: int, dst: int) -> str:
        """Assignments moving `types` from slots at height src to height dst (dst <= src)."""
        if src == dst:
            return ""
        return " ".join(
            f"{slot(dst + k, t)} = {slot(src + k, t)};" for k, t in enumerate(types)
        )

    def return_stmt(self, height: int) -> str:
        if self.mod.fuel:  # the count goes back to the counter (codegen/fuel.py)
            return f"{fuel.SAVE} {self.return_stmt_fuel_saved(height)}"
        return self.return_stmt_fuel_saved(height)

    def return_stmt_fuel_saved(self, height: int) -> str:
        leave = self.leave_handlers(len(self.blocks) - 1)
        if leave:
            return f"{leave} {self.return_stmt_only(height)}"
        return self.return_stmt_only(height)

    def return_stmt_only(self, height: int) -> str:
        results = self.type.results
        if self.thunk:
            values = [slot(height + k, t) for k, t in enumerate(results)]
            stores = " ".join(slot_stores(results, values, "slots"))
            return f"{stores} return NULL;".strip()
        if not results:
            return "return;"
        if len(results) == 1:
            return f"return {slot(height, results[0])};"
        values = ", ".join(slot(height + k, t) for k, t in enumerate(results))
        return f"return ({result_type(self.type)}){{{values}}};"

    def branch(self, depth: int, height: int) -> str:
        """A jump to the label `depth` levels out, with the values at `height`.. on top."""
        target = self.blocks[-1 - depth]
        if target.kind == "func":
            return self.return_stmt(height)
        copies = self.copy_values(target.branch_types, height, target.height)
        where = f"L{target.label}_top" if target.kind == "loop" else f"L{target.label}"
        # A branch to a try block's own label leaves its body too (to the end).
        leave = self.leave_handlers(depth + (target.kind != "loop"))
        return " ".join(part for part in (leave, copies, f"goto {where};") if part)

    def mem64_addr(self, memidx: int, addr: str, offset: int, align: int) -> str:
        """The address of an access of 2**align bytes to a 64-bit memory (memory64): an
        explicit bounds check against the current size (docs/codegen.md)."""
        return f"wasmc_mem64_at(inst->mem{memidx}, {addr}, UINT64_C({offset}), {1 << align})"

    def access_address(self, mem: int, addr: str, offset: int, align: int) -> str:
        """The address of a load or store of 2**align bytes at `addr` (a slot) + offset in
        memory `mem`, as `emit` computes it for the scalar loads and stores: for a 32-bit
        memory, base + address (guard pages catch the out-of-bounds ones); for memory64,
        a bounds check (mem64_addr)."""
        if mem in self.mod.memories64:
            return self.mem64_addr(mem, addr, offset, align)
        self.memories_used.add(mem)
        return f"m{mem} + (uint64_t){addr} + {offset}u" if offset else f"m{mem} + (uint64_t){addr}"

    # -- the body --
    def emit(self) -> list[str]:
        """The function's C lines. The instructions of `_KINDS` are written here, by kind
        (the most common ones, and those of the opcode table's C templates); every other
        instruction by its op_<name> method (see `instr`)."""
        info = self.info
        blocks = self.blocks
        blocks.append(Block("func", 0, 0, (), self.type.results, True))
        body_lines: list[str] = []
        self.out = body_lines
        append = body_lines.append
        names = slot_names(info.slots)
        lnames = local_names(len(info.locals))
        kinds = _KINDS
        fast = FAST_PATHS
        # The kinds (_KINDS) as locals: every instruction is compared with some of them.
        (E_LOCAL_GET, E_EXPR, E_LOCAL_SET, E_CONST, E_LOAD, E_STORE, E_GLOBAL_GET, E_GLOBAL_SET,
         E_NOTHING, E_BLOCK, E_ELSE, E_END, E_BR, E_BR_IF, E_CALL, E_SELECT, E_RETURN,
         E_UNREACHABLE) = _KIND_ORDER
        instr = self.instr
        mod = self.mod
        memories_used = self.memories_used
        memories64 = self.mod.memories64
        # Per-function caches (fast paths): what the module emitter says for an index.
        global_reads: dict[int, str] = {}
        global_lvalues: dict[int, str] = {}
        direct_names: dict[int, str] = {}  # (direct_name's side effect is idempotent)
        simple_blocks = _SIMPLE_BLOCK_RESULTS if fast else {}
        # (a v128 load pushes a v128 slot: functions without one have no loop to mark)
        uses_v128 = any(t == V128 for _, t in info.slots)
        unrolled_loops = simd_loops(self.body) if uses_v128 else set()
        # Straight-line loops: loads that take the value a store of an earlier iteration
        # left (forwarding.py), f64 stores that pair into f64x2 (f64_pairs.py; such a loop
        # has an f64 slot, and EH functions, whose locals may be volatile, are left alone),
        # and loops that shift values through locals (rotation.py; not a paired loop, whose
        # copy the unrolled form would lose).
        loops = plain_loops(self.body, info)
        forwarding = find_forwarded_loads(self.body, loops, memories64)
        # Counted loops also get a copy that the C compiler may vectorize at full width
        # (wide_loops.py; not in interruptible modules, whose loops check at each
        # iteration; nor in a split module's inlinable copy of another file's function,
        # which may not use a static helper); such a loop is neither paired nor unrolled.
        widen = (wide_loops.WIDEN and self.eh is None and not mod.interrupt_check
                 and not mod.fuel)  # (nor with fuel, which counts every iteration's code)
        widened = (
            wide_loops.find_wide_loops(self.body, loops, info.locals, memories64,
                                       f"wide{'t' if self.thunk else ''}_f{self.funcidx}")
            if loops and widen and not mod.emitting_imported_copy
            else {})
        # Loops that compare two byte strings (not plain: they leave in the middle too;
        # they need no helper, so an imported copy gets them as well).
        if widen:
            widened |= wide_loops.find_exit_loops(self.body, info.locals, memories64)
        paired_loops = (
            f64_pairs.find_paired_loops(self.body, loops, info.locals, memories64)
            if loops and f64_pairs.PAIR_F64 and self.eh is None and not mod.fuel
            and any(t == "f64" for _, t in info.slots)
            else {})
        if widened:
            paired_loops = {k: v for k, v in paired_loops.items() if k not in widened}
            unrolled_loops = unrolled_loops - widened.keys()
        if loops:
            unrolled_loops = unrolled_loops | (rotating_loops(self.body, loops)
                                               - paired_loops.keys() - widened.keys())
        helpers: list[str] = []
        forwarded_loads, forwarded_stores = forwarding.loads, forwarding.stores
        forward_resets = forwarding.resets
        live = True  # blocks[-1].live
        counts_fuel = mod.fuel
        if counts_fuel:  # bulk instructions with a small constant length (codegen/fuel.py)
            self.small_lengths = fuel.small_lengths(self.body, len(self.type.params))
            all_memories = mod.module.all_memories()
        # Constants, numeric local.gets and the results of pure template instructions
        # (_FOLDABLE) are not written to their slot: they wait in `pending` (by height) and
        # go into the expression of the instruction that uses them. They read only locals
        # (`Waiting.reads`) and their own slot, so a write of one of those locals, or
        # leaving the straight line (any control instruction, and every instruction that
        # emit does not write itself), makes a value take its slot first (`flush`). At -O2
        # the C compiler sees the same values either way; at -O0 (the quick build) each
        # copy was a store and a load of the stack (docs/large-modules.md).
        pending: dict[int, Waiting] = {}

        def write(waiting: Waiting) -> None:
            append(f"  {waiting.slot} = {waiting.expr};")

        def flush() -> None:
            for waiting in pending.values():
                write(waiting)
            pending.clear()

        def operand(t: str, k: int, uses: int = 1) -> str:
            waiting = pending.pop(k, None)
            if waiting is None:
                return names[t][k]
            if not waiting.depth:
                return waiting.expr
            if uses > 1:  # named more than once: computed once, into its slot
                write(waiting)
                return waiting.slot
            return f"({waiting.expr})"

        for ins, h, pops, pushes in zip(self.body, info.heights, info.pops, info.pushes,
                                        strict=True):
            # Dead code: after br/return/unreachable (pops is None), and everything inside a
            # block that starts in dead code (which validation types as reachable again).
            # Only keep track of its block structure.
            if pops is None or not live:
                name = ins.op.name
                if name in BLOCK_OPENERS:
                    blocks.append(Block(name, 0, 0, (), (), False))
                    live = False
                elif (name == "end" or name == "delegate") and not live:
                    blocks.pop()
                    live = blocks[-1].live
                continue
            if counts_fuel:
                name = ins.op.name
                if name not in fuel.FREE:
                    self.fuel_pending += 1
                saves = name in fuel.SAVES or (ins.op.align is not None and
                                               fuel.always_out_of_bounds(ins, all_memories))
                if self.fuel_pending and (saves or name in fuel.FLUSHES):
                    append(fuel.add(self.fuel_pending))
                    self.fuel_pending = 0
                if saves:
                    append(f"  {fuel.SAVE}")
            try:
                kind, c, cache, r0 = kinds[ins.op.name]
            except KeyError:  # an op_<name> method's instruction
                if pending:
                    flush()
                instr(ins, h, pops, pushes)
                if counts_fuel and ins.op.name in fuel.RELOADS:
                    append(f"  {fuel.RELOAD}")
                live = blocks[-1].live if blocks else False
                continue
            if kind <= E_STORE:
                if kind == E_LOCAL_GET:
                    t = pushes[0]
                    if t in _NUMERIC:
                        local = lnames[ins.imm]
                        pending[h] = Waiting(names[t][h], local, (local,), 0)
                    else:
                        append(f"  {names[t][h]} = {lnames[ins.imm]};")
                elif kind == E_EXPR:
                    # A C template over the operands (and the immediate): the line depends on
                    # the height only, unless the template uses the immediate (cache None).
                    # (every value waiting at h or above is an operand of this one)
                    waiting = pending and max(pending) >= h
                    if waiting:
                        uses = _TEMPLATE_USES[ins.op.name]
                        parts = (waiting_parts(pending, h, uses)
                                 if ins.op.name in _FOLDABLE else None)
                        args = [operand(t, h + k, n) for k, (t, n) in
                                enumerate(zip(pops, uses, strict=True))]
                        if parts is not None:  # it waits too
                            pending[h] = Waiting(names[r0][h], c.format(*args), *parts)
                            continue
                        line = f"  {names[r0][h]} = {c.format(*args, imm=ins.imm)};"
                    else:
                        line = cache.get(h) if fast and cache is not None else None
                        if line is None:
                            args = [names[t][h + k] for k, t in enumerate(pops)]
                            line = f"  {names[r0][h]} = {c.format(*args, imm=ins.imm)};"
                            if cache is not None and h < _LINE_CACHE_HEIGHTS:
                                cache[h] = line
                    append(line)
                elif kind == E_LOCAL_SET:  # local.set, local.tee (the value stays)
                    target = lnames[ins.imm]
                    # (local.tee: a value that waited now waits as the local)
                    tee_waits = ins.op.name == "local.tee" and h in pending
                    value = operand(pops[0], h)
                    # Values still waiting that read the local take their slots first.
                    for k, waiting in list(pending.items()):
                        if target in waiting.reads:
                            write(waiting)
                            del pending[k]
                    if value != target:
                        append(f"  {target} = {value};")
                    if tee_waits:
                        pending[h] = Waiting(names[pops[0]][h], target, (target,), 0)
                elif kind == E_CONST:
                    pending[h] = Waiting(names[r0][h], constant_expr(r0, ins.imm), (), 0)
                else:  # load, store
                    _align, offset, mem = ins.imm
                    addr = operand(pops[0], h)
                    if mem in memories64:
                        addr = self.mem64_addr(mem, addr, offset, ins.op.align)
                    else:
                        memories_used.add(mem)
                        if offset:
                            addr = f"m{mem} + (uint64_t){addr} + {offset}u"
                        else:
                            addr = f"m{mem} + (uint64_t){addr}"
                    if kind == E_LOAD:
                        # WASMC_KEEP: an out-of-bounds load must trap even if its value is
                        # never used, but C compilers delete unused loads (wasmc.h). Every
                        # load is kept: no analysis of how the value is used can tell what
                        # the C compiler will fold away (x*0, x-x, a store it finds dead, a
                        # result an inlined caller drops). f32/f64 take the float variant,
                        # which leaves the value in its FP register instead of copying it
                        # to an integer register (docs/codegen.md, "Memory").
                        res = names[r0][h]
                        keep = "WASMC_KEEP_FLOAT" if r0 in ("f32", "f64") else "WASMC_KEEP"
                        load = f"{res} = {c}({addr}); {keep}({res});"
                        forward = forwarded_loads.get(id(ins)) if forwarded_loads else None
                        if forward is not None:
                            fw, d = f"fw{forward.key}", forward.distance
                            load = f"if ({fw}_n >= {d}) {res} = {fw}_{d}; else {{ {load} }}"
                        append(f"  {load}")
                    else:
                        value = operand(pops[1], h + 1)
                        if mem in memories64:
                            append(f"  {c}({addr}, {value});")
                        else:  # kept as a store into m<mem> (WASMC_KEEP_MEMORY_STORE)
                            append(f"  {c}_in(m{mem}, {addr}, {value});")
                        if forwarded_stores and id(ins) in forwarded_stores:
                            for forward in forwarded_stores[id(ins)]:
                                append("  " + remember_store(forward, value))
            elif kind == E_NOTHING:  # nop, drop
                if pops:
                    pending.pop(h, None)
            elif kind == E_GLOBAL_GET:
                value = global_reads.get(ins.imm)
                if value is None:
                    value = mod.global_read(ins.imm)
                    if fast:
                        global_reads[ins.imm] = value
                append(f"  {names[pushes[0]][h]} = {value};")
            elif kind == E_GLOBAL_SET:
                target = global_lvalues.get(ins.imm)
                if target is None:
                    target = mod.global_lvalue(ins.imm)
                    if fast:
                        global_lvalues[ins.imm] = target
                t = pops[0]
                value = operand(t, h)
                if t == V128:  # a byte array in wasmc_global (see global_read)
                    append(f"  wasmc_simd_store({target}, {value});")
                    continue
                append(f"  {target} = {value if fast and t in _NUMERIC else as_void(value, t)};")
            elif kind == E_SELECT:  # select, select_t
                cond = operand(I32, h + 2)
                second = operand(pops[1], h + 1)
                append(f"  {names[pushes[0]][h]} = WASMC_SELECT({cond}) ? "
                       f"{operand(pops[0], h)} : {second};")
            elif kind == E_CALL:
                idx = ins.imm
                args = [operand(t, h + k) for k, t in enumerate(pops)]
                if mod.is_imported_func(idx):
                    ft = mod.func_types[idx]
                    f = f"inst->fimp{idx}"
                    callee, call_args = f"(({fn_pointer_type(ft)}){f}->fn)", [f"{f}->env", *args]
                else:
                    callee = direct_names.get(idx)
                    if callee is None:
                        callee = mod.direct_name(idx)
                        if fast:
                            direct_names[idx] = callee
                    call_args = mod.fast_args(mod.func_types[idx], self.membase, args)
                    if fast and len(pushes) < 2:  # call_stmt's usual case
                        call = f"{callee}({', '.join(call_args)})"
                        stmt = f"{names[pushes[0]][h]} = {call};" if pushes else f"{call};"
                        append(f"  {stmt}{self.not_tail}")
                        self.call_lines.append(len(body_lines) - 1)
                        if counts_fuel:
                            append(f"  {fuel.RELOAD}")
                        continue
                res = [names[t][h + k] for k, t in enumerate(pushes)]
                self.call_stmt(callee, call_args, mod.func_types[idx], res)
                if counts_fuel:
                    append(f"  {fuel.RELOAD}")
            elif pending:
                # Leaving the straight line: the values waiting take their slots, except
                # the condition of a br_if or an if, which is read before the jump.
                top = h + len(pops) - 1
                cond = (pending.pop(top, None) if kind == E_BR_IF or ins.op.name == "if"
                        else None)
                flush()
                if cond is not None:
                    pending[top] = cond
            if kind == E_END:
                block = blocks.pop()
                if block.kind == "func":
                    append("  " + self.return_stmt(0))
                elif block.live:
                    if block.kind in EH_BLOCK_KINDS:  # pops its handler, lands the catches
                        self.end_eh_block(block)
                    else:
                        if block.kind == "if" and not block.has_else:
                            append(f"L{block.label}_else:;")
                        if block.kind != "loop":
                            append(f"L{block.label}:;")
                        elif block.unrolled:
                            append(f"  break; L{block.label}_top:; }}")
                        elif block.paired:
                            append(f"L{block.label}_pairs_done:;")
                        if block.done:
                            append(f"L{block.label}_done:;")
            elif kind == E_BR_IF or kind == E_BR:
                target = blocks[-1 - ins.imm]
                if (not fast or target.kind == "func"
                        or (h != target.height and target.branch_types)
                        or self.open_eh_blocks):
                    stmt = self.branch(ins.imm, h)  # returns, moves values or leaves handlers
                elif target.kind == "loop":
                    stmt = f"goto L{target.label}_top;"
                else:
                    stmt = f"goto L{target.label};"
                if kind == E_BR_IF:
                    append(f"  if ({operand(I32, h + len(pops) - 1)}) {{ {stmt} }}")
                else:
                    append(f"  {stmt}")
            elif kind == E_BLOCK:  # block, loop, if
                params, results = (), simple_blocks.get(ins.imm)
                if results is None:
                    ft = mod.block_type(ins.imm)
                    params, results = ft.params, ft.results
                self.next_label = label = self.next_label + 1
                block_kind = ins.op.name
                blocks.append(Block(block_kind, label, h, params, results, True))
                if block_kind == "loop":
                    wide = widened.get(id(ins)) if widened else None
                    if wide is not None:
                        memories_used.add(wide.memory)
                        body_lines.extend(wide.check(label, f"m{wide.memory}",
                                                     f"inst->mem{wide.memory}"))
                        # (a check that knows the last iteration's locals may jump past)
                        blocks[-1].done = wide.finals is not None
                        helpers.extend(wide.helper)
                    for forward in forward_resets.get(id(ins), ()):
                        append(f"  fw{forward.key}_n = 0;")
                    if id(ins) in unrolled_loops:
                        # `goto L_top` goes to the end of the body and so round the loop;
                        # falling off the end breaks out (the loop's `end`).
                        blocks[-1].unrolled = True
                        append(f"#pragma GCC unroll {UNROLL_SIMD_LOOPS}")
                        append(f"  while (1) {{{mod.loop_check}")
                    elif paired_loops and id(ins) in paired_loops:
                        # A copy of the body that runs when none of its accesses can trap,
                        # with f64 stores to adjacent addresses paired (f64_pairs.py).
                        paired = paired_loops[id(ins)]
                        blocks[-1].paired = True
                        memories_used.add(paired.memory)
                        append(paired.size_line(label))
                        append(f"L{label}_top:;{mod.loop_check}")
                        body_lines.extend(paired.lines(label, f"m{paired.memory}",
                                                       constant_expr))
                    else:
                        append(f"L{label}_top:;{mod.loop_check}")
                elif block_kind == "if":
                    append(f"  if (!{operand(I32, h + len(pops) - 1)}) goto L{label}_else;")
            elif kind == E_ELSE:
                block = blocks[-1]
                if block.live:
                    block.has_else = True
                    append(f"  goto L{block.label};")
                    append(f"L{block.label}_else:;")
            elif kind == E_RETURN:
                append("  " + self.return_stmt(h))
            elif kind == E_UNREACHABLE:
                append("  wasmc_trap(WASMC_TRAP_UNREACHABLE);")

        mod = self.mod
        head = [f"/* {mod.func_comment(self.funcidx)} */"]
        if self.thunk:
            head.append(f"{mod.thunk_signature(self.funcidx)} {{")
            head.append("  void *env = self->env; (void)cap;")
        else:
            head.append(mod.body_signature(self.funcidx) + " {")
        head.append(f"  {mod.instance_type} *inst = ({mod.instance_type} *)env;")
        head.append("  (void)inst;")
        if self.thunk:
            head += [f"  {C_TYPE[t]} l{k} = {value};" for k, (t, value) in enumerate(
                zip(self.type.params, slot_loads(self.type.params, "slots"), strict=True))]
        for k in self.widened_params:
            head.append(f"  if (z{k} > UINT32_MAX) __builtin_unreachable();")
            head.append(f"  uint32_t l{k} = (uint32_t)z{k};")
        head += self.param_fact_lines()
        reload = self.reload_bases(body_lines)
        for m in sorted(self.memories_used):
            if m or not self.membase_param:
                head.append(f"  uint8_t *{'' if reload else 'const '}m{m} = inst->membase{m};")
        nparams = len(self.type.params)
        if self.eh is not None:
            head = self.eh_head(head, nparams)
            self.fill_in_roots(body_lines)
        for k, t in enumerate(info.locals[nparams:], start=nparams):
            head.append(f"  {C_TYPE[t]}{self.local_qualifier(k)} l{k} = {zero_value(t)};")
        for forward in forwarding.loads.values():
            values = ", ".join(f"fw{forward.key}_{j} = 0" for j in range(1, forward.distance + 1))
            head.append(f"  uint32_t fw{forward.key}_n = 0; {C_TYPE[forward.valtype]} {values};")
        # Reference subtypes share a slot (s2_fr holds funcref and (ref $t) alike): declare
        # each slot once.
        slots = {slot(h, t): C_TYPE[t] for h, t in info.slots}
        for name, ctype in sorted(slots.items(), key=lambda s: slot_order(s[0])):
            head.append(f"  {ctype} {name} = {'{0}' if ctype == C_TYPE[V128] else '0'};")
        # An interruptible module checks at entry, as at each loop header (docs/limits.md);
        # with fuel every function does, as in Wasmtime.
        entry = [mod.interrupt_check] if mod.needs_entry_check(self.funcidx, self.body) else []
        if mod.fuel:  # a function's entry costs 1, charged before the check, as in Wasmtime
            entry.append(f"  int64_t fuel = *inst->fuel + 1;{mod.fuel_check}")
        return helpers + head + entry + body_lines + ["}", ""]

    def instr(self, ins: Instr, h: int, pops: tuple, pushes: tuple) -> None:
        """An instruction that `emit` does not write itself: its op_<name> method, given
        the slot names of its operands (`args`) and results (`res`)."""
        name = ins.op.name
        args = [slot(h + k, t) for k, t in enumerate(pops)]
        res = [slot(h + k, t) for k, t in enumerate(pushes)]
        handler = _HANDLERS.get(name)
        if handler is None:
            handler = _HANDLERS[name] = getattr(FunctionEmitter, "op_" + name.replace(".", "_"))
        handler(self, ins, h, pops, pushes, args, res)

    # -- control --
    def op_br_table(self, ins, h, pops, pushes, args, res):
        labels, default = ins.imm
        dispatch = len(labels) >= DISPATCH_TABLE_MIN and any(b.kind == "loop"
                                                             for b in self.blocks)
        if dispatch:
            stubs = self.dispatch_table(labels, default, args[-1], h)
            self.out.append("#else")
        cases: dict[int, list[int]] = {}
        for k, depth in enumerate(labels):
            if depth != default:
                cases.setdefault(depth, []).append(k)
        self.w(f"switch ({args[-1]}) {{")
        for depth, indices in cases.items():
            labels_c = " ".join(f"case {k}u:" for k in indices)
            self.w(f"  {labels_c} {self.branch(depth, h)}")
        self.w(f"  default: {self.branch(default, h)}")
        self.w("}")
        if dispatch:
            self.out.append("#endif")
            for stub in stubs:
                self.w(stub)

    def dispatch_table(self, labels: list[int], default: int, index: str, h: int) -> list[str]:
        """With clang (and GCC given DISPATCH_TABLE_MACRO), br_table as a computed goto
        through a table of label addresses (see DISPATCH_TABLE_MIN). Emits `#if` and the
        jump; returns the stubs for branches that move values or return first, to be placed
        after the `#endif`."""
        targets: dict[int, str] = {}  # depth -> the C label that branch goes to
        stubs: list[str] = []
        for depth in (*labels, default):
            if depth in targets:
                continue
            stmt = self.branch(depth, h)
            if stmt.startswith("goto ") and stmt.count(";") == 1:
                targets[depth] = stmt[len("goto "):-1]
            else:
                stub = f"L{self.new_label()}_case"
                targets[depth] = stub
                stubs.append(f"{stub}: {stmt}")
        n = len(labels)
        entries = ", ".join(f"&&{targets[d]}" for d in (*labels, default))
        self.out.append(f"#if defined(__clang__) || defined({DISPATCH_TABLE_MACRO})")
        # Out-of-range indices take the last entry, the default (a cmov, not a branch).
        self.w(f"{{ static const void *const table[] = {{{entries}}};")
        self.w(f"  goto *table[{index} < {n}u ? {index} : {n}u]; }}")
        return stubs

    # -- calls --
    def call_stmt(self, callee: str, call_args: list[str], ft: FuncType,
                  res: list[str]) -> None:
        """A call of `callee` with `call_args` (env first) that stores the results in `res`."""
        call = f"{callee}({', '.join(call_args)})"
        if not ft.results:
            self.w(f"{call};{self.not_tail}")
        elif len(ft.results) == 1:
            self.w(f"{res[0]} = {call};{self.not_tail}")
        else:
            unpack = " ".join(f"{r} = r.r{k};" for k, r in enumerate(res))
            self.w(f"{{ {result_type(ft)} r = {call};{self.not_tail} {unpack} }}")
        self.call_lines.append(len(self.out) - 1)

    def reload_bases(self, body_lines: list[str]) -> bool:
        """Read the memory bases again after every call that returns here, so that they are
        not values the C compiler must keep across the call. The base never moves, so this
        changes no result; what it changes is register pressure around calls: clang keeps
        `m0` in a callee-saved register and, short of them, spills the incoming arguments
        it passes on (env, l0, ...) with a store and an immediate reload that the callee's
        first load then waits for (regex's recursive `add_thread`: docs/performance.md).
        Only where a call runs many times per call of the function (calls_repeat): there
        the registers count; elsewhere the code is left as it was. Not in functions with a
        try (their locals must not change between setjmp and longjmp unless volatile).
        Whether it applied: the bases are then not const."""
        if not self.call_lines or not self.memories_used or self.eh is not None:
            return False
        if not calls_repeat(self.body, self.funcidx):
            return False
        reads = " ".join(f"m{m} = inst->membase{m};" for m in sorted(self.memories_used))
        for i in self.call_lines:
            body_lines[i] += " " + reads
        return True

    def static_dispatch(self, table: int, ft: FuncType, index: str) -> str | None:
        """The C function to call for call_indirect on a table whose contents are known
        (see ModuleEmitter.find_static_tables), after checking the index; else None."""
        array = self.mod.dispatch_array(table, ft)
        if array is None:
            return None
        size = len(self.mod.static_tables[table])
        self.w(f"if (WASMC_UNLIKELY({index} >= {size}u)) wasmc_trap(WASMC_TRAP_UNDEFINED_ELEMENT);")
        return f"{array}[{index}]"

    def op_call_indirect(self, ins, h, pops, pushes, args, res):
        typeidx, table = ins.imm
        ft = self.mod.canonical_types[typeidx]
        direct = self.static_dispatch(table, ft, args[-1])
        if direct is not None:
            self.call_stmt(direct, self.mod.fast_args(ft, self.membase, args[:-1]), ft, res)
            return
        target = (f"wasmc_indirect(inst->tab{table}, {sat32(args[-1], pops[-1])}, "
                  f"{type_id_expr(ft)})")
        self.w(f"{{ const wasmc_func *callee = {target};")
        self.call_stmt(f"(({fn_pointer_type(ft)})callee->fn)", ["callee->env", *args[:-1]], ft,
                       res)
        self.w("}")

    def op_call_ref(self, ins, h, pops, pushes, args, res):
        # Statically typed: the reference has the type's native signature, no check needed
        # beyond null (and not even that when the operand's type is non-nullable).
        ft = self.mod.module.types[ins.imm]
        callee = args[-1]
        self.w("{")
        if is_nullable(pops[-1]):
            self.w(f"  if (WASMC_UNLIKELY({callee} == NULL)) "
                   "wasmc_trap(WASMC_TRAP_NULL_FUNCTION_REFERENCE);")
        self.call_stmt(f"(({fn_pointer_type(ft)}){callee}->fn)", [f"{callee}->env", *args[:-1]],
                       ft, res)
        self.w("}")

    # -- tail calls (docs/tail-calls.md) --
    def tail_call(self, callee_func: str, ft: FuncType, args: list[str],
                  direct: str | None) -> None:
        """A return_call to the wasmc_func `callee_func` of type `ft`. `direct` is the C
        function to call when it is known statically (an own function)."""
        if self.thunk:
            stores = " ".join(slot_stores(ft.params, args, "slots"))
            n = slot_count(ft.params)
            if n > MIN_TAIL_SLOTS:  # a caller's buffer may be too small: call instead
                call = (f"(({fn_pointer_type(ft)}){callee_func}->fn)"
                        f"({', '.join([callee_func + '->env'] + args)})")
                if len(ft.results) > 1:
                    call = f"{result_type(ft)} r = {call};"
                    keep = " ".join(slot_stores(
                        ft.results, [f"r.r{k}" for k in range(len(ft.results))], "slots"))
                elif ft.results:
                    call, keep = "", slot_stores(ft.results, [call], "slots")[0]
                else:
                    call, keep = f"{call};", ""
                self.w(f"if (WASMC_UNLIKELY({n}u > cap)) {{ {call} {keep} return NULL; }}")
            self.w(f"{{ {stores} return {callee_func}; }}")
            return
        # musttail: caller and callee have the same C prototype (the same Wasm type).
        if direct is not None:
            direct_args = self.mod.fast_args(ft, self.membase, args)
            self.w(f"WASMC_MUSTTAIL return {direct}({', '.join(direct_args)});")
            return
        fn = f"(({fn_pointer_type(ft)}){callee_func}->fn)"
        # Pass our own env when the callee shares it (the usual case: a function of this
        # module). Then the callee's memory accesses don't wait for callee->env to be loaded:
        # in a tail-calling interpreter that would chain every dispatch to the one before.
        self.w(f"if (WASMC_LIKELY({callee_func}->env == env)) "
               f"{{ WASMC_MUSTTAIL return {fn}({', '.join(['env'] + args)}); }}")
        self.w(f"WASMC_MUSTTAIL return {fn}({', '.join([callee_func + '->env'] + args)});")

    def op_return_call(self, ins, h, pops, pushes, args, res):
        self.leave_all_handlers()
        ft = self.mod.func_types[ins.imm]
        own = not self.mod.is_imported_func(ins.imm)
        self.tail_call(f"({self.mod.func_ref(ins.imm)})", ft, args,
                       self.mod.direct_name(ins.imm) if own else None)

    def op_return_call_indirect(self, ins, h, pops, pushes, args, res):
        self.leave_all_handlers()
        typeidx, table = ins.imm
        ft = self.mod.canonical_types[typeidx]  # canonical: its type_id is checked
        if not self.thunk:
            direct = self.static_dispatch(table, ft, args[-1])
            if direct is not None:
                call_args = self.mod.fast_args(ft, self.membase, args[:-1])
                self.w(f"WASMC_MUSTTAIL return {direct}({', '.join(call_args)});")
                return
        target = (f"wasmc_indirect(inst->tab{table}, {sat32(args[-1], pops[-1])}, "
                  f"{type_id_expr(ft)})")
        self.w(f"{{ const wasmc_func *callee = {target};")
        self.tail_call("callee", ft, args[:-1], None)
        self.w("}")

    def op_return_call_ref(self, ins, h, pops, pushes, args, res):
        self.leave_all_handlers()
        ft = self.mod.module.types[ins.imm]
        callee = args[-1]
        self.w("{")
        if is_nullable(pops[-1]):
            self.w(f"  if (WASMC_UNLIKELY({callee} == NULL)) "
                   "wasmc_trap(WASMC_TRAP_NULL_FUNCTION_REFERENCE);")
        self.tail_call(callee, ft, args[:-1], None)
        self.w("}")

    # -- memory --
    # A 64-bit memory (memory64) uses the wasmc_memory64_* variants, which take 64-bit
    # addresses and lengths (i32 operands, e.g. a copy's length from a 32-bit memory, widen).
    def op_memory_size(self, ins, h, pops, pushes, args, res):
        ctype = "uint64_t" if ins.imm in self.mod.memories64 else "uint32_t"
        self.w(f"{res[0]} = ({ctype})inst->mem{ins.imm}->pages;")

    def fuel_for_length(self, ins: Instr, length: str) -> None:
        """With fuel, after a bulk instruction: charge its `length` (bytes or elements) as
        Wasmtime does (codegen/fuel.py): a small constant with the straight-line code, any
        other at once, with a check (so an access out of bounds traps first)."""
        if not self.mod.fuel:
            return
        small = self.small_lengths.get(id(ins))
        if small is not None:
            self.fuel_pending += small
        else:
            self.w(f"fuel += {self.fuel_pending} + (int64_t){length};{self.mod.fuel_check}")
            self.fuel_pending = 0

    def grow_with_fuel(self, ins: Instr, delta: str, grow: str, failed: str) -> str:
        """`grow` (a statement that grows by `delta` and sets a result that is `failed` if
        it did not), charging the delta as Wasmtime does (codegen/fuel.py): a small
        constant with the straight-line code, any other only if the grow succeeded, with a
        check."""
        if not self.mod.fuel:
            return grow
        small = self.small_lengths.get(id(ins))
        if small is not None:
            self.fuel_pending += small
            return grow
        pending, self.fuel_pending = self.fuel_pending, 0
        return (f"{{ uint64_t fuel_delta = {delta}; fuel += {pending}; {grow} "
                f"if (!({failed})) {{ fuel += (int64_t)fuel_delta;{self.mod.fuel_check} }} }}")

    def op_memory_grow(self, ins, h, pops, pushes, args, res):
        v = "64" if ins.imm in self.mod.memories64 else ""
        grow = f"{res[0]} = wasmc_memory{v}_grow(inst->mem{ins.imm}, {args[0]});"
        failed = f"{res[0]} == {'UINT64_MAX' if v else 'UINT32_MAX'}"
        self.w(self.grow_with_fuel(ins, args[0], grow, failed))

    def op_memory_fill(self, ins, h, pops, pushes, args, res):
        v = "64" if ins.imm in self.mod.memories64 else ""
        self.w(f"wasmc_memory{v}_fill(inst->mem{ins.imm}, {', '.join(args)});")
        self.fuel_for_length(ins, args[2])

    def op_memory_copy(self, ins, h, pops, pushes, args, res):
        dst, src = ins.imm
        # Between 32-bit memories: the inline fast path (wasmc.h), not a call to the runtime.
        name = "memory64_copy" if {dst, src} & self.mod.memories64 else "memory_copy_inline"
        self.w(f"wasmc_{name}(inst->mem{dst}, inst->mem{src}, {', '.join(args)});")
        self.fuel_for_length(ins, args[2])

    def op_memory_init(self, ins, h, pops, pushes, args, res):
        data, mem = ins.imm
        v = "64" if mem in self.mod.memories64 else ""
        self.w(f"wasmc_memory{v}_init(inst->mem{mem}, inst->datas[{data}].bytes, "
               f"inst->datas[{data}].len, {', '.join(args)});")
        self.fuel_for_length(ins, args[2])

    def op_data_drop(self, ins, h, pops, pushes, args, res):
        self.w(f"inst->datas[{ins.imm}].len = 0;")

    # -- references and tables --
    def op_ref_null(self, ins, h, pops, pushes, args, res):
        self.w(f"{res[0]} = NULL;")

    def op_ref_is_null(self, ins, h, pops, pushes, args, res):
        self.w(f"{res[0]} = {args[0]} == NULL;")

    def op_ref_func(self, ins, h, pops, pushes, args, res):
        self.w(f"{res[0]} = {self.mod.func_ref(ins.imm)};")

    def op_ref_as_non_null(self, ins, h, pops, pushes, args, res):
        # The value stays in its slot (res[0] is args[0]): only the check is code.
        if is_nullable(pops[0]):
            self.w(f"if (WASMC_UNLIKELY({args[0]} == NULL)) wasmc_trap(WASMC_TRAP_NULL_REFERENCE);")

    def op_br_on_null(self, ins, h, pops, pushes, args, res):
        # The label's values sit below the reference, from height h: branch with them.
        if is_nullable(pops[-1]):
            self.w(f"if ({args[-1]} == NULL) {{ {self.branch(ins.imm, h)} }}")

    def op_br_on_non_null(self, ins, h, pops, pushes, args, res):
        # The label takes the values and the (now non-null) reference, all from height h.
        branch = self.branch(ins.imm, h)
        if is_nullable(pops[-1]):
            self.w(f"if ({args[-1]} != NULL) {{ {branch} }}")
        else:
            self.w(branch)

    # table64: i64 indices and lengths go through wasmc_sat32 (wasmc.h) to the 32-bit
    # functions (`sat32` leaves i32 operands as they are).
    def op_table_get(self, ins, h, pops, pushes, args, res):
        index = sat32(args[0], pops[0])
        self.w(f"{res[0]} = ({C_TYPE[pushes[0]]})wasmc_table_get(inst->tab{ins.imm}, {index});")

    def op_table_set(self, ins, h, pops, pushes, args, res):
        index = sat32(args[0], pops[0])
        self.w(f"wasmc_table_set(inst->tab{ins.imm}, {index}, {as_void(args[1], pops[1])});")

    def op_table_size(self, ins, h, pops, pushes, args, res):
        self.w(f"{res[0]} = inst->tab{ins.imm}->size;")

    def op_table_grow(self, ins, h, pops, pushes, args, res):
        init = as_void(args[0], pops[0])
        grow = f"wasmc_table_grow(inst->tab{ins.imm}, {sat32(args[1], pops[1])}, {init})"
        if pops[1] == "i64":  # -1 is UINT64_MAX
            stmt = f"{{ uint32_t r = {grow}; {res[0]} = r == UINT32_MAX ? UINT64_MAX : r; }}"
        else:
            stmt = f"{res[0]} = {grow};"
        failed = f"{res[0]} == {'UINT64_MAX' if pops[1] == 'i64' else 'UINT32_MAX'}"
        self.w(self.grow_with_fuel(ins, args[1], stmt, failed))

    def op_table_fill(self, ins, h, pops, pushes, args, res):
        value = as_void(args[1], pops[1])
        self.w(f"wasmc_table_fill(inst->tab{ins.imm}, {sat32(args[0], pops[0])}, {value}, "
               f"{sat32(args[2], pops[2])});")
        self.fuel_for_length(ins, args[2])

    def op_table_copy(self, ins, h, pops, pushes, args, res):
        dst, src = ins.imm
        operands = ", ".join(map(sat32, args, pops))
        self.w(f"wasmc_table_copy(inst->tab{dst}, inst->tab{src}, {operands});")
        self.fuel_for_length(ins, args[2])

    def op_table_init(self, ins, h, pops, pushes, args, res):
        elem, table = ins.imm
        self.w(f"wasmc_table_init(inst->tab{table}, inst->elem{elem}, inst->elem{elem}_len, "
               f"{', '.join(map(sat32, args, pops))});")
        self.fuel_for_length(ins, args[2])

    def op_elem_drop(self, ins, h, pops, pushes, args, res):
        self.w(f"inst->elem{ins.imm}_len = 0;")


    # -- exception handling (docs/exceptions.md) --
    # A handler is a setjmp in the function that runs the try body: wasmc_throw longjmps
    # to it, and its landing pad (L<label>_landing) picks the catch clause. Every way out
    # of the body (fallthrough, branch, return, tail call) pops the handler first. An
    # exception that a legacy catch part holds (e<label>), or that a catch_ref clause of an
    # exn-confined function put in a slot, belongs to the function's frame
    # (wasmc_exn_own): the runtime frees it once none of the frame's exnref variables (the
    # "roots") holds it, or the frame is gone.
    def leave_handlers(self, n: int) -> str:
        """The statement that leaves the `n` innermost blocks: pop the outermost of their
        handlers (the ones inside it were pushed after it)."""
        if not self.open_eh_blocks:
            return ""
        blocks = self.blocks
        for block in blocks[len(blocks) - n:]:
            if block.handler:
                return f"wasmc_try_pop(&h{block.label});"
        return ""

    def own(self, exn: str) -> str:
        """Gives `exn` (a thrown exception just caught into a variable) to this frame."""
        return f"wasmc_exn_own({exn}, __builtin_frame_address(0), {ROOTS_PLACEHOLDER});"

    def fill_in_roots(self, lines: list[str]) -> None:
        """Every variable that may hold an exception this frame owns: the legacy catch
        parts' e<label>, and the exnref locals and slots (read at each wasmc_exn_own)."""
        names = [f"e{label}" for label in self.exn_labels]
        names += [f"l{k}" for k, t in enumerate(self.info.locals) if ref_family(t) == EXN]
        names += sorted({slot(h, t) for h, t in self.info.slots if ref_family(t) == EXN},
                        key=slot_order)
        roots = f"(wasmc_exn *const[]){{{', '.join(names)}}}, {len(names)}u" if names \
            else "NULL, 0u"
        for k, line in enumerate(lines):
            if ROOTS_PLACEHOLDER in line:
                lines[k] = line.replace(ROOTS_PLACEHOLDER, roots)

    def leave_all_handlers(self) -> None:
        leave = self.leave_handlers(len(self.blocks) - 1)
        if leave:
            self.w(leave)

    def open_handler(self, block: Block) -> None:
        block.handler = True
        self.open_eh_blocks += 1
        self.handler_labels.append(block.label)
        self.w(f"wasmc_try_push(&h{block.label});")
        self.w(f"if (setjmp(h{block.label}.env)) goto L{block.label}_landing;")

    def close_handler(self, block: Block) -> None:
        """The end of a handler's body: fall through out of it, then its landing pad."""
        block.handler = False
        self.open_eh_blocks -= 1
        self.w(f"wasmc_try_pop(&h{block.label}); goto L{block.label};")
        self.out.append(f"L{block.label}_landing:;")

    def tag_ref(self, tagidx: int) -> str:
        """The wasmc_tag * of tag `tagidx` (its identity)."""
        if tagidx < self.mod.n_imported_tags:
            return f"inst->timp{tagidx}"
        return f"&inst->tag{tagidx}"

    def op_throw(self, ins, h, pops, pushes, args, res):
        stores = "".join(f" {store}" for store in slot_stores(pops, args, "x->values"))
        self.w(f"{{ wasmc_exn *x = wasmc_exn_new({self.tag_ref(ins.imm)}, {slot_count(pops)}u);"
               f"{stores} wasmc_throw(x); }}")

    def op_throw_ref(self, ins, h, pops, pushes, args, res):
        if is_nullable(pops[0]):
            self.w(f"if (WASMC_UNLIKELY({args[0]} == NULL)) "
                   "wasmc_trap(WASMC_TRAP_NULL_EXCEPTION_REFERENCE);")
        # the throw's own reference (a frame may still own the exception)
        self.w(f"wasmc_exn_hold({args[0]}); wasmc_throw({args[0]});")

    def open_try_block(self, kind: str, blocktype, h: int) -> Block:
        """A try_table or legacy try block (emit opens the other blocks itself)."""
        ft = self.mod.block_type(blocktype)
        block = Block(kind, self.new_label(), h, ft.params, ft.results, True)
        self.blocks.append(block)
        return block

    def op_try_table(self, ins, h, pops, pushes, args, res):
        bt, catches = ins.imm
        block = self.open_try_block("try_table", bt, h)
        self.try_catches[block.label] = catches
        if catches:
            self.open_handler(block)

    def op_try(self, ins, h, pops, pushes, args, res):
        block = self.open_try_block("try", ins.imm, h)
        if self.eh.has_handler(ins):
            self.open_handler(block)

    def end_eh_block(self, block: Block) -> None:
        """The end of a try_table or a legacy try/catch block (already popped)."""
        label = block.label
        if block.kind == "try_table" and block.handler:
            self.close_handler(block)
            self.landing_pad(label, self.try_catches[label])
        elif block.kind == "catch":  # a legacy try's last catch part
            self.w(f"goto L{label};")
            if not block.catch_all:  # no catch part matched: on it goes
                self.out.append(f"L{label}_c{block.clause}:;")
                self.w(f"wasmc_exn_hold(e{label}); wasmc_throw(e{label});")
        elif block.handler:  # a legacy try without catch parts: nothing to catch
            self.open_eh_blocks -= 1
            block.handler = False
            self.w(f"wasmc_try_pop(&h{label});")
        self.out.append(f"L{label}:;")

    def landing_pad(self, label: int, catches: tuple) -> None:
        """try_table's catch clauses, tried in order; the try_table's block is popped, so
        their labels count from the blocks around it."""
        self.w("{ wasmc_exn *x = wasmc_caught();" + (f" {fuel.RELOAD}" if self.mod.fuel else ""))
        for kind, tag, depth in catches:
            target = self.blocks[-1 - depth]
            types = target.branch_types
            n = len(types) - (kind.endswith("_ref"))
            loads = slot_loads(types[:n], "x->values")
            stores = [f"{slot(target.height + k, t)} = {value};"
                      for k, (t, value) in enumerate(zip(types[:n], loads, strict=True))]
            if kind.endswith("_ref") and self.exn_confined:
                stores.append(f"{slot(target.height + n, types[n])} = x; {self.own('x')}")
            elif kind.endswith("_ref"):  # it may go anywhere: kept for good
                stores.append(f"x->escaped = 1; {slot(target.height + n, types[n])} = x;")
            else:
                stores.append("wasmc_exn_release(x);")  # the throw's reference
            stmt = f"{' '.join(stores)} {self.branch(depth, target.height)}"
            if tag is None:
                self.w(f"  {{ {stmt} }}")
                break  # catch_all: later clauses never run
            self.w(f"  if (x->tag == {self.tag_ref(tag)}) {{ {stmt} }}")
        else:  # no clause matched: on to the next handler
            self.w("  wasmc_throw(x);")
        self.w("}")

    def begin_catch(self, block: Block) -> None:
        """A legacy try's catch or catch_all: the end of the part before it."""
        label = block.label
        if block.kind == "try":  # the end of the body: its handler catches into e<label>
            self.close_handler(block)
            self.exn_labels.append(label)
            self.w(f"e{label} = wasmc_caught(); {self.own(f'e{label}')}"
                   + (f" {fuel.RELOAD}" if self.mod.fuel else ""))
            block.kind = "catch"
        else:
            self.w(f"goto L{label};")
            self.out.append(f"L{label}_c{block.clause}:;")
        block.clause += 1

    def op_catch(self, ins, h, pops, pushes, args, res):
        block = self.blocks[-1]
        self.begin_catch(block)
        label = block.label
        self.w(f"if (e{label}->tag != {self.tag_ref(ins.imm)}) goto L{label}_c{block.clause};")
        for r, value in zip(res, slot_loads(pushes, f"e{label}->values"), strict=True):
            self.w(f"{r} = {value};")

    def op_catch_all(self, ins, h, pops, pushes, args, res):
        block = self.blocks[-1]
        self.begin_catch(block)
        block.catch_all = True

    def op_delegate(self, ins, h, pops, pushes, args, res):
        block = self.blocks.pop()
        if block.handler:
            self.close_handler(block)
            # Throw again from the block `ins.imm` names: leave the handlers inside it.
            leave = self.leave_handlers(ins.imm)
            self.w(f"{{ wasmc_exn *x = wasmc_caught(); {leave} wasmc_throw(x); }}".replace(
                "  ", " "))
        self.out.append(f"L{block.label}:;")

    def op_rethrow(self, ins, h, pops, pushes, args, res):
        exn = f"e{self.blocks[-1 - ins.imm].label}"
        self.w(f"wasmc_exn_hold({exn}); wasmc_throw({exn});")

    def local_qualifier(self, k: int) -> str:
        """` volatile` for a local that a try body writes (see EhAnalysis), else nothing.
        It goes after the type: for a reference (a C pointer) the variable must be volatile,
        not what it points to (`wasmc_exn * volatile l3`, not `volatile wasmc_exn *l3`)."""
        return " volatile" if self.eh is not None and k in self.eh.volatile_locals else ""

    def param_fact_lines(self) -> list[str]:
        """The head's statements for what is known of the parameters (param_facts.py): a
        constant's value, and a bound the C compiler may then assume (`pc & 0xffff`
        passed on: `ram + pc` needs no 32-bit wrap, and folds into the address)."""
        lines = []
        for k, fact in enumerate(self.param_facts or ()):
            if k in self.dropped_params:
                lines.append(f"  uint32_t l{k} = {fact.bound if fact else 0}u;")
            elif fact is not None and fact.exact:
                lines.append(f"  l{k} = {fact.bound}u;")
            elif fact is not None and fact.useful:
                lines.append(f"  if (l{k} > {fact.bound}u) __builtin_unreachable();")
        return lines

    def eh_head(self, head: list[str], nparams: int) -> list[str]:
        """The declarations exception handling adds to a function's head: its handlers,
        its caught exceptions, and `volatile` on the parameters that need it."""
        signature = head[1]
        for k in sorted(self.eh.volatile_locals):
            if (k < nparams and not self.thunk and k not in self.widened_params
                    and k not in self.dropped_params):
                ctype = C_TYPE[self.type.params[k]]
                signature = re.sub(rf", {re.escape(ctype)} l{k}(?=[,)])",
                                   f", {ctype} volatile l{k}", signature)
            elif k < nparams:  # thunk mode, a widened or dropped parameter: a head local
                head = [re.sub(rf"^  {re.escape(C_TYPE[self.type.params[k]])} l{k} = ",
                               f"  {C_TYPE[self.type.params[k]]} volatile l{k} = ", line)
                        for line in head]
        head = [head[0], signature, *head[2:]]
        head += [f"  wasmc_handler h{label};" for label in self.handler_labels]
        head += [f"  wasmc_exn *e{label} = NULL;" for label in self.exn_labels]
        return head


EH_BLOCK_KINDS = frozenset(("try_table", "try", "catch"))
ROOTS_PLACEHOLDER = "@EXN_ROOTS@"  # filled in by fill_in_roots once the function is done

# The instructions that move exnref values only inside a function (between its locals,
# slots and blocks) or throw them; any other instruction with an exnref operand or result
# (a call, global, table or throw payload) lets the value out of the function.
_EXN_INTERNAL_OPS = frozenset((
    "local.get", "local.set", "local.tee", "drop", "select", "select_t", "block", "loop",
    "if", "else", "end", "br", "br_if", "br_table", "return", "try_table", "try", "catch",
    "catch_all", "delegate", "ref.null", "ref.is_null", "ref.as_non_null", "br_on_null",
    "br_on_non_null", "throw_ref",
))


def exn_confined(ftype: FuncType, body: list[Instr], info: FuncInfo) -> bool:
    """Whether no exnref value can leave the function but by `throw_ref`: none among its
    parameters and results, and no instruction outside _EXN_INTERNAL_OPS takes or gives
    one. Then the exceptions its catch_ref clauses catch can be held only by its own
    variables, and its frame can own them (docs/exceptions.md)."""
    if any(ref_family(t) == EXN for t in (*ftype.params, *ftype.results)):
        return False
    for ins, pops, pushes in zip(body, info.pops, info.pushes, strict=True):
        if ins.op.name in _EXN_INTERNAL_OPS or pops is None:
            continue
        if any(ref_family(t) == EXN for t in (*pops, *pushes)):
            return False
    return True


class EhAnalysis:
    """What a function with try blocks needs to know before it is emitted: which legacy
    `try` blocks have a handler (a catch part or delegate), and which locals must be
    `volatile` because a try body writes them and they are read after its exceptions land
    (setjmp and C11 7.13.2.1; eh_locals.py)."""

    def __init__(self, body: list[Instr], local_types: list[str]):
        self.handled_tries: set[int] = set()  # offsets of legacy trys with a handler
        open_tries: list[int | None] = []  # per open block: a legacy try's offset, or None
        for ins in body:
            name = ins.op.name
            if name in BLOCK_OPENERS:
                open_tries.append(ins.offset if name == "try" else None)
            elif name in ("catch", "catch_all", "delegate") and open_tries[-1] is not None:
                self.handled_tries.add(open_tries[-1])
            if name in ("end", "delegate") and open_tries:
                open_tries.pop()
        self.volatile_locals = eh_locals.volatile_locals(body, local_types)

    def has_handler(self, ins: Instr) -> bool:
        return ins.offset in self.handled_tries


def constant_expr(valtype: str, bits: int) -> str:
    """A constant as C: ±0.0 and ±1.0 through an opaque barrier (WASMC_OPAQUE in wasmc.h)."""
    value = const_literal(valtype, bits)
    if bits in FOLDABLE_FLOAT_CONSTANTS.get(valtype, ()):
        value = f"wasmc_{valtype}_opaque({value})"
    return value


def remember_store(forward: Forward, value: str) -> str:
    """After a store that feeds a forwarded load: the last `distance` stored values, the
    latest in fw<key>_1, and one more store counted."""
    fw, d = f"fw{forward.key}", forward.distance
    shifts = [f"{fw}_{j} = {fw}_{j - 1};" for j in range(d, 1, -1)]
    return " ".join([*shifts, f"{fw}_1 = {value};", f"{fw}_n++;"])


def as_void(expr: str, valtype: str) -> str:
    """A reference as the `void *` that tables store (funcrefs are const pointers)."""
    return f"(void *)(uintptr_t){expr}" if ref_family(valtype) == FUNC else expr


def is_nullable(valtype: str) -> bool:
    r = parse_ref(valtype)
    return r is None or r.nullable


def slot_order(name: str) -> tuple[int, str]:
    """Slots by height, then type (`s12_i32` -> (12, "i32"))."""
    height, short = name[1:].split("_", 1)
    return int(height), short


__all__ = ["FunctionEmitter", "slot", "I32"]


def sat32(value: str, valtype: str) -> str:
    """A table index or length for the runtime's 32-bit table functions: an i64 (table64)
    saturates to UINT32_MAX, out of bounds in every table (wasmc_sat32, wasmc.h)."""
    return f"wasmc_sat32({value})" if valtype == "i64" else value

"""Counted innermost loops, run in a copy that the C compiler may vectorize at full width.

Wasm SIMD is 128 bits wide and a Wasm build of scalar code is often left scalar, while a
native build of the same loop uses the host's full vector width (AVX-512 on the machines we
measure: `matmul` runs 8 doubles per instruction natively, 1 or 2 in Wasm). The C compiler
could vectorize wasmc's C the same way, were it not for what keeps the C exact: loads kept
by an asm (WASMC_KEEP), 32-bit address sums that may wrap, clang's
`-ffp-exception-behavior=maytrap` (a "strictfp" function, which LLVM's vectorizers skip),
and 128-bit vector types in the loop (which LLVM's loop vectorizer does not widen).

So for a loop whose body is straight-line code (forwarding.plain_loops) that

- counts: every local the body changes and reads at the top of the iteration is an
  induction variable (`local = local + constant`), and the `br_if` operand is `x` or
  `x != y` with `x - y` linear in them, moving by a power of two per iteration;
- computes every address as a linear form in locals (forwarding.Linear), in one 32-bit
  memory;
- does nothing else that could trap or have an effect: integer arithmetic without
  division, float `+ - * /`, `sqrt`, comparisons and conversions from integers, no float
  constant, and the lane-wise `f64x2`/`f32x4`/`i32x4` arithmetic and splats,

the emitter (function.py) puts a check in front of the loop. It computes the trip count T
from the counter, and checks that every access of the first T - 1 iterations is in bounds:
an address `A(t) = a0 + D * t` is linear in the iteration number t, so checking it at
t = 0 and t = T - 2 covers every t in between, computed exactly in 64 bits (in [0, 2^32),
where `A(t) mod 2^32`, Wasm's wrapped sum, is `A(t)` itself). If the check passes, a helper
function runs those T - 1 iterations: plain C with 64-bit addresses, no keeps and every
`v128` value as scalar lanes, compiled without "strictfp" (`#pragma float_control`), so
clang vectorizes it at the host's width. Then the induction variables are advanced by
T - 1 steps and the usual loop runs the last iteration, which sets every other local the
loop leaves behind and exits. When the check fails, the usual loop runs everything and
traps where it always did.

A loop of Wasm SIMD (what clang's `-msimd128` makes of a scalar loop) runs in the copy lane
by lane where it can: one lane of every v128 per iteration of a loop that is 2 or 4 times
longer, which is the scalar loop the Wasm build started from, and which the C compiler
vectorizes as it would natively. As lanes of 128-bit values, the loop ran 2 doubles at a
time with shuffles between them (clang saw every access as two interleaved streams):
matmul-simd128 took 1.17× native clang's time lane-wise, 0.99× lane by lane. It may when
- every v128 operation has lanes of one width (`f64x2` and `i64x2`, or `f32x4` and
  `i32x4`), so lane j of a value comes only from lane j of its operands;
- every access is a `v128.load` or `v128.store` that moves up 16 bytes per iteration, so
  lane j of iteration t is element 2t + j (4t + j) of one contiguous stream;
- every scalar that reaches a v128 (through a splat) is the same in every iteration;
- and every v128 the loop receives has equal lanes (a splat hoisted out of the loop): the
  helper checks that, and runs the loop lane-wise when they differ.
Then the order of the accesses changes only within an iteration, between lanes: lane j's
store may now come before lane j + 1's load. No byte can be touched by two different lanes
of one iteration: within a group of accesses (same locals, same 16-byte step) two accesses
that start less than 16 bytes apart, but not at the same byte, would also overlap across
adjacent iterations, which `_disjoint` refuses; different groups are checked apart at run
time.

Why the copy is exact: nothing in it can trap (every access was checked; nothing else in
it can trap); each operation is the same C operation as in the usual body, so integer
results are the same, and IEEE float operations without contraction (-ffp-contract=off)
give the same results at any vector width; the vectorizer keeps the order of accesses that
may overlap (it checks at run time or leaves the loop scalar). What "strictfp" guards
against is the folding of operations on signalling NaNs with constants (`x * 1.0` to `x`,
toolchain.SNAN_FLAGS): the copy has no float constants, and every float it receives from
outside passes an empty asm first, so the compiler knows no float value in it.

A plain loop that does not count but scans (its only access a byte load one byte further
on per iteration, running while the byte is not some constant: the `strlen` and `memchr`
of a Wasm libc) gets another check in front of it instead: the host's `memchr` finds the
byte and the induction variables skip the iterations before it (ScanLoop). A loop with one
`br_if` out besides its end, which compares two byte strings until they differ or a
counter runs out (`memcmp`), gets wasmc_mismatch in front of it the same way
(MismatchLoop, find_exit_loops).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

from ..binary.module import Instr
from ..binary.opcodes import OPS, Op
from .forwarding import CONTROL, Linear, PlainLoop, evaluate
from .spelling import C_TYPE

# WASMC_NO_WIDE_LOOPS=1 emits every loop as before (tests compare the two).
WIDEN = not os.environ.get("WASMC_NO_WIDE_LOOPS")

MIN_TRIPS = 16
"""Fewer iterations than this run in the usual loop: the helper's call and its vectorized
loop's own checks cost more than they save on a short loop."""

MAX_BODY_INSTRUCTIONS = 200
MAX_TERMS = 8  # locals in one address
MAX_COEFFICIENT = 1 << 20  # |coefficient| and |step| of an address: keeps the 64-bit check exact

_MASK = (1 << 32) - 1

# Operations the copy may contain: those whose C template is plain C (operators, casts,
# `__builtin_`s: a call to one of wasmc's helpers would leave the copy strictfp), that
# cannot trap, and, for floats, that no C compiler folds differently for a signalling NaN.
_FLOAT_OPS = frozenset((
    "f32.add", "f32.sub", "f32.mul", "f32.div", "f32.sqrt",
    "f64.add", "f64.sub", "f64.mul", "f64.div", "f64.sqrt",
    "f32.eq", "f32.ne", "f32.lt", "f32.gt", "f32.le", "f32.ge",
    "f64.eq", "f64.ne", "f64.lt", "f64.gt", "f64.le", "f64.ge",
    "f32.convert_i32_s", "f32.convert_i32_u", "f32.convert_i64_s", "f32.convert_i64_u",
    "f64.convert_i32_s", "f64.convert_i32_u", "f64.convert_i64_s", "f64.convert_i64_u",
    "f64.promote_f32",
))
_CALL = re.compile(r"\b(?!__builtin_)[A-Za-z_]\w*\(")
_SCALAR_OPS: dict[str, Op] = {
    op.name: op for op in OPS
    if op.c and op.sig and not op.imm and not _CALL.search(op.c)
    and all(t in ("i32", "i64") for t in (*op.sig[0], *op.sig[1])) or op.name in _FLOAT_OPS}

# Lane shapes of v128 values: C type of a lane, lanes.
_SHAPES = {"f64x2": ("double", 2), "f32x4": ("float", 4), "i32x4": ("uint32_t", 4),
           "i64x2": ("uint64_t", 2)}
# Lane-wise v128 operations: (shape, C operator); splats: shape.
_LANE_OPS = {f"{s}.{name}": (s, sym) for s in ("f64x2", "f32x4")
             for name, sym in (("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/"))}
_LANE_OPS |= {f"{s}.{name}": (s, sym) for s in ("i32x4", "i64x2")
              for name, sym in (("add", "+"), ("sub", "-"), ("mul", "*"))}
_SPLATS = {f"{s}.splat": s for s in _SHAPES}

# Loads and stores: the C type in memory, and the value's C type when it differs.
_LOADS = {"i32.load": "uint32_t", "i64.load": "uint64_t", "f32.load": "float",
          "f64.load": "double", "i32.load8_u": "uint8_t", "i32.load8_s": "int8_t",
          "i32.load16_u": "uint16_t", "i32.load16_s": "int16_t", "v128.load": None}
_STORES = {"i32.store": "uint32_t", "i64.store": "uint64_t", "f32.store": "float",
           "f64.store": "double", "i32.store8": "uint8_t", "i32.store16": "uint16_t",
           "v128.store": None}
_LOCAL_TYPES = frozenset(("i32", "i64", "f32", "f64", "v128"))
_BYTE_LOADS = ("i32.load8_u", "i32.load8_s")
_CONTROL_BUT_BR_IF = CONTROL - {"br_if"}


@dataclass(eq=False)
class Node:
    """One value the body computes, or a store."""

    kind: str  # "entry", "const", "op", "load", "store", "lanes" (a v128 op), "splat"
    type: str  # Wasm type ("" for a store)
    name: str
    imm: int = 0  # "entry": the local; "const": the value
    op: str = ""
    args: tuple[Node, ...] = ()
    linear: Linear | None = None  # an i32 value's linear form, if it has one
    access: int = -1  # loads and stores: index into WideLoop.addresses


@dataclass
class Access:
    """A load or store of `width` bytes at `form + offset` (form: the i32 address operand)."""

    form: Linear
    offset: int
    width: int
    store: bool

    @property
    def start(self) -> int:
        """Its first byte, from the base of its group (WideLoop.groups)."""
        return _signed(self.form.const) + self.offset


@dataclass
class WideLoop:
    """The helper and the check in front of one loop (see the module's doc)."""

    helper_name: str
    memory: int
    steps: dict[int, int]  # induction variable -> step (mod 2**32)
    entries: dict[int, str]  # local read at the top of the iteration -> its Wasm type
    distance: Linear  # the br_if's operand is nonzero while this is (mod 2**32)
    shift: int  # |its change per iteration| is 1 << shift
    upward: bool  # it grows per iteration
    addresses: list[Access] = field(default_factory=list)
    helper: list[str] = field(default_factory=list)
    finals = None  # (the usual loop always runs its last iteration: no jump past it)

    def groups(self) -> list[tuple[tuple[tuple[int, int], ...], int, int]]:
        """The addresses by their locals: (terms, lowest constant, highest constant plus
        the bytes accessed), with signed constants."""
        found: dict[tuple[tuple[int, int], ...], tuple[int, int]] = {}
        for a in self.addresses:
            c = _signed(a.form.const)
            low, high = found.get(a.form.terms, (c, c + a.offset + a.width))
            found[a.form.terms] = (min(low, c), max(high, c + a.offset + a.width))
        return [(terms, low, high) for terms, (low, high) in found.items()]

    def per_iteration(self, form: Linear) -> int:
        return _per_iteration(form, self.steps)

    def check(self, label: int, membase: str, inst_memory: str) -> list[str]:
        """C in front of the loop: the trip count, the bounds check, the helper's call and
        the induction variables' advance."""
        d = self.distance
        start = _c_u32(d)
        n, size = f"wide_n{label}", f"wide_size{label}"
        step_mask = (1 << self.shift) - 1
        out = ["  {",
               f"    uint32_t wide_d{label} = {start if not self.upward else f'0u - ({start})'};",
               f"    uint64_t {n} = wide_d{label} >> {self.shift};",
               # (n: the iterations before the last, which the usual loop runs)
               f"    if ((wide_d{label} & {step_mask}u) == 0 && {n} >= {MIN_TRIPS}) {{",
               f"      int64_t {size} = (int64_t)({inst_memory}->pages * WASMC_PAGE_SIZE);"]
        conditions = []
        extents: list[tuple[str, str, bool]] = []  # per group: first byte, end, stores?
        for g, (terms, low, high) in enumerate(self.groups()):
            base = _c_i64(Linear(0, terms))
            per = self.per_iteration(Linear(0, terms))
            first, last = f"wide_b{label}_{g}", f"wide_e{label}_{g}"
            out.append(f"      int64_t {first} = {base};")
            out.append(f"      int64_t {last} = {first} + {per} * (int64_t)({n} - 1);")
            # Every access of the group, at the first and at the last of the n iterations.
            for v in (first, last):
                conditions.append(f"{v} + {low} >= 0 && {v} + {high} <= {size}")
            extents.append((f"({first} < {last} ? {first} : {last}) + {low}",
                            f"({first} < {last} ? {last} : {first}) + {high}",
                            any(a.store and a.form.terms == terms for a in self.addresses)))
        # The helper promises the vectorizer independent iterations (_disjoint): true
        # within each group; across groups, when the bytes that they span are apart.
        for g, (lo_g, hi_g, store_g) in enumerate(extents):
            for lo_h, hi_h, store_h in extents[g + 1:]:
                if store_g or store_h:
                    conditions.append(f"({hi_g} <= {lo_h} || {hi_h} <= {lo_g})")
        out.append(f"      if (WASMC_LIKELY({' && '.join(conditions)})) {{")
        args = ", ".join([membase, n, *(f"l{k}" for k in sorted(self.entries))])
        out.append(f"        {self.helper_name}({args});")
        out += _advance(self.steps, n, "        ")
        out += ["      }", "    }", "  }"]
        return out


@dataclass
class ScanLoop:
    """A loop that reads bytes upwards until it meets one value (C's `strlen`, `memchr`;
    libc's are such loops in Wasm): the check in front of it finds that byte with the host
    libc's `memchr`, which reads many bytes per instruction, and advances the induction
    variables past every iteration that reads another byte. The usual loop then runs the
    iteration that reads it, which sets the loop's other locals and exits; or, if no such
    byte is left in the memory, it reads past the end and traps as it always did. Nothing
    else in the body has an effect (`_Builder` admits only operations that cannot trap),
    so skipping those iterations is exact. When what that last iteration leaves in the
    other locals is known without running it (`finals`), the check runs none of the loop
    (_skip_loop): the last iteration's byte load waits for memchr's result."""

    memory: int
    steps: dict[int, int]  # induction variable -> step (mod 2**32)
    access: Access  # the byte load; its address moves up by 1 per iteration
    byte: int  # the loop runs while the loaded byte is not this
    # The other locals the body writes -> their C value after the last iteration, in the
    # locals at its top; None when one of them is not known.
    finals: dict[int, str] | None = None
    helper: list[str] = field(default_factory=list)  # (none: the check calls memchr)

    def check(self, label: int, membase: str, inst_memory: str) -> list[str]:
        """C in front of the loop: memchr from the first iteration's address, within the
        memory, and the induction variables' advance."""
        first, size, found = f"scan_a{label}", f"scan_size{label}", f"scan_p{label}"
        n = f"scan_n{label}"
        out = ["  {",
               f"    uint64_t {first} = {_first_address(self.access)};",
               f"    uint64_t {size} = {inst_memory}->pages * WASMC_PAGE_SIZE;",
               f"    if (WASMC_LIKELY({first} < {size})) {{",
               f"      const uint8_t *{found} = memchr({membase} + {first}, {self.byte}, "
               f"(size_t)({size} - {first}));",
               f"      uint64_t {n} = {found} ? (uint64_t)({found} - ({membase} + {first})) "
               f": {size} - {first};",
               *_advance(self.steps, n, "      ")]
        if self.finals is not None:
            out += [f"      if (WASMC_LIKELY({found} != NULL)) {{  /* the last iteration */",
                    *_skip_loop(self.steps, None, self.finals, label, "        "),
                    "      }"]
        out += ["    }", "  }"]
        return out


@dataclass
class MismatchLoop:
    """A loop that compares two byte strings until they differ or a counter runs out
    (`memcmp`, the match loop of an LZ77 compressor): one `br_if` out of the loop when
    the two bytes differ, and a counter moving by one for its `br_if 0`. The check in front
    of it finds the first difference 8 bytes at a time (wasmc_mismatch in wasmc.h), within
    the iterations that the counter lets run on and within the memory, and the induction
    variables skip the iterations before it. The usual loop then runs the rest: the
    iteration that finds the difference (or that the counter ends, or that reads past the
    memory's end and traps), which sets the loop's other locals, except those the body
    writes only after its exit (`passed`), which the check sets when it skipped an
    iteration. Nothing else in the body has an effect, so skipping those iterations is
    exact.

    When what the last iteration leaves in those other locals is known without running it
    (`finals`: the difference and the counter's condition, which are 0 then, a constant,
    or a linear form in the locals), strings that are equal to the end skip the loop
    altogether (_skip_loop): for the short equal strings of a `memcmp` in a hash-table
    lookup, the usual loop's last iteration (two byte loads whose addresses wait for the
    comparison) cost 3 % of wordcount."""

    memory: int
    steps: dict[int, int]  # induction variable -> step (mod 2**32)
    distance: Linear  # the counter: the loop runs on while this is nonzero (mod 2**32)
    upward: bool  # it grows by one per iteration (else it shrinks by one)
    addresses: list[Access]  # the two byte loads; each address moves up by 1
    # The other locals the body writes -> their C value after the last iteration, in the
    # locals at its top, when every byte compared equal; None when one is not known.
    finals: dict[int, str] | None = None
    # Those it writes only after the exit -> their value after the last skipped iteration,
    # in the locals after the advance (set when iterations are skipped: the one that
    # leaves does not set them).
    passed: dict[int, str] = field(default_factory=dict)
    helper: list[str] = field(default_factory=list)  # (none: wasmc_mismatch is in wasmc.h)

    def check(self, label: int, membase: str, inst_memory: str) -> list[str]:
        """C in front of the loop: the comparison and the induction variables' advance."""
        start = _c_u32(self.distance)
        size, n = f"mm_size{label}", f"mm_n{label}"
        firsts = [f"mm_a{label}", f"mm_b{label}"]
        out = ["  {",
               # (the iterations that the counter lets run on: it is zero after the last)
               f"    uint64_t {n} = (uint32_t)({start if not self.upward else f'0u - ({start})'});",
               f"    uint64_t {size} = {inst_memory}->pages * WASMC_PAGE_SIZE;"]
        for first, access in zip(firsts, self.addresses, strict=True):
            out.append(f"    uint64_t {first} = {_first_address(access)};")
        a, b = firsts
        readable = f"mm_r{label}"

        def mismatch(count: str) -> str:
            return (f"{n} = wasmc_mismatch({membase} + {a}, {membase} + {b}, {count}, "
                    f"{readable});")
        out += [f"    if (WASMC_LIKELY({a} < {size} && {b} < {size})) {{",
                f"      uint64_t {readable} = {size} - ({a} > {b} ? {a} : {b});"]
        if self.finals is None:
            out += [f"      if ({readable} < {n}) {n} = {readable};", f"      {mismatch(n)}"]
        else:  # the last iteration too, when its bytes are in the memory
            every = f"mm_all{label}"
            out += [f"      uint64_t {every} = {n} + 1;",
                    f"      if ({every} <= {readable}) {{",
                    f"        {mismatch(every)}",
                    f"        if ({n} == {every}) {{  /* equal to the end */",
                    *_skip_loop(self.steps, f"{every} - 1", self.finals, label, "          "),
                    "        }",
                    "      } else {",
                    f"        {mismatch(readable)}",
                    "      }"]
        out += _advance(self.steps, n, "      ")
        if self.passed:
            sets = " ".join(f"l{k} = {value};" for k, value in sorted(self.passed.items()))
            out.append(f"      if ({n}) {{ {sets} }}")
        out += ["    }", "  }"]
        return out


def _finals(temporaries: dict[int, Node], known: dict[int, int],
            back: dict[int, int] | None = None) -> dict[int, str] | None:
    """The C value of each temporary (a local the body writes before it reads it) after an
    iteration whose outcome is known, or None if one is not known: `known` maps id() of
    the nodes whose value that outcome decides to it (the exit condition, the byte read),
    and a linear form is computed from the locals at the iteration's top; or, with `back`
    (the induction variables' steps), from the locals one iteration further on."""
    finals = {}
    for k, node in temporaries.items():
        if id(node) in known:
            finals[k] = f"{known[id(node)]}u"
        elif node.kind == "const":
            finals[k] = f"{node.imm}u" if node.type == "i32" else f"UINT64_C({node.imm})"
        elif node.linear is not None:
            form = node.linear
            if back:  # (each local one step back: l - step)
                shift = sum(c * back.get(j, 0) for j, c in form.terms)
                form = Linear((form.const - shift) & _MASK, form.terms)
            finals[k] = _c_u32(form)
        else:
            return None
    return finals


def _skip_loop(steps: dict[int, int], before_last: str | None, finals: dict[int, str],
               label: int, indent: str) -> list[str]:
    """C that leaves the loop as its last iteration would, without running it: the
    induction variables moved on by `before_last` iterations (None: they are there),
    the other locals set as that iteration sets them, the induction variables past it,
    and a jump to the end of the loop."""
    return [*(_advance(steps, f"({before_last})", indent) if before_last else []),
            *(f"{indent}l{k} = {value};" for k, value in sorted(finals.items())),
            *(f"{indent}l{k} += {step}u;" for k, step in sorted(steps.items()) if step),
            f"{indent}goto L{label}_done;"]


def _loaded(op: str, byte: int) -> int:
    """The value a byte load (i32.load8_u or i32.load8_s) gives for `byte`, as a u32."""
    return byte | 0xFFFFFF00 if op == "i32.load8_s" and byte >= 0x80 else byte


def _first_address(access: Access) -> str:
    """The access's Wasm address in the first iteration: its wrapped 32-bit sum plus its
    offset, as a uint64_t. For an address that moves up by 1 per iteration, Wasm's address
    in iteration t, (F0 + t mod 2^32) + offset, is this plus t while that stays below the
    memory's size (which is at most 2^32)."""
    return f"(uint64_t)({_c_u32(access.form)}) + {access.offset}u"


def _advance(steps: dict[int, int], n: str, indent: str) -> list[str]:
    """C that moves each induction variable on by `n` iterations (mod 2^32, as Wasm)."""
    return [f"{indent}l{k} += {step}u * (uint32_t){n};" for k, step in sorted(steps.items())
            if step]


def _signed(x: int) -> int:
    return x - (1 << 32) if x >= 1 << 31 else x


def _per_iteration(form: Linear, steps: dict[int, int]) -> int:
    """How much a linear form changes per iteration, as a signed integer."""
    return _signed(sum(c * steps.get(k, 0) for k, c in form.terms) & _MASK)


def _c_u32(form: Linear) -> str:
    """A linear form in the locals, in 32-bit C arithmetic (Wasm's)."""
    parts = [f"{c}u * l{k}" if c != 1 else f"l{k}" for k, c in form.terms]
    return " + ".join([*parts, f"{form.const}u"])


def _c_i64(form: Linear) -> str:
    """The same form computed exactly in 64 bits, with signed coefficients."""
    parts = [f"(int64_t)l{k}" if c == 1 else f"{_signed(c)} * (int64_t)l{k}"
             for k, c in form.terms]
    if form.const or not parts:
        parts.append(f"INT64_C({_signed(form.const)})")
    return " + ".join(parts)


class _Refused(Exception):
    pass


def analyse(loop: PlainLoop, body: list[Instr], local_types: list[str],
            memories64: set[int], helper_name: str) -> WideLoop | ScanLoop | None:
    """The widened form of a plain loop (or its scan, for a byte scan), or None if it
    does not qualify."""
    if body[loop.start].imm is not None or loop.end - loop.start - 1 > MAX_BODY_INSTRUCTIONS:
        return None
    try:
        return _Builder(body[loop.start + 1:loop.end], local_types, memories64,
                        helper_name).build()
    except _Refused:
        return None


class _Builder:
    def __init__(self, body, local_types, memories64, helper_name, exits=False):
        self.body = body
        self.exits = exits  # a `br_if` out of the loop may come before its end
        self.local_types = local_types
        self.memories64 = memories64
        self.helper_name = helper_name
        self.nodes: list[Node] = []
        self.addresses: list[Access] = []
        self.memory: int | None = None
        self.entries: dict[int, Node] = {}

    def new(self, kind: str, type_: str, **kw) -> Node:
        node = Node(kind, type_, f"w{len(self.nodes)}", **kw)
        self.nodes.append(node)
        return node

    def build(self) -> WideLoop | ScanLoop | MismatchLoop:
        stack: list[Node] = []
        current: dict[int, Node] = {}
        written: set[int] = set()
        written_before_exit: set[int] = set()
        condition: Node | None = None
        exit_: Node | None = None
        for pos, ins in enumerate(self.body):
            name = ins.op.name
            if name == "local.get":
                k = ins.imm
                if k not in current:
                    if self.local_types[k] not in _LOCAL_TYPES:
                        raise _Refused
                    linear = Linear(0, ((k, 1),)) if self.local_types[k] == "i32" else None
                    current[k] = self.entries[k] = self.new(
                        "entry", self.local_types[k], imm=k, linear=linear)
                stack.append(current[k])
            elif name in ("local.set", "local.tee"):
                if self.local_types[ins.imm] not in _LOCAL_TYPES:
                    raise _Refused
                current[ins.imm] = stack.pop() if name == "local.set" else stack[-1]
                written.add(ins.imm)
                if exit_ is None:
                    written_before_exit.add(ins.imm)
            elif name in ("i32.const", "i64.const"):
                bits = ins.imm & (_MASK if name == "i32.const" else (1 << 64) - 1)
                stack.append(self.new("const", name[:3], imm=bits,
                                      linear=Linear(bits) if name == "i32.const" else None))
            elif name in _SCALAR_OPS:
                params, results = ins.op.sig
                args = tuple(stack[len(stack) - len(params):])
                del stack[len(stack) - len(params):]
                stack.append(self.new("op", results[0], op=name, args=args,
                                      linear=evaluate(name, ins, [a.linear for a in args])))
            elif name in _LANE_OPS:
                b, a = stack.pop(), stack.pop()
                stack.append(self.new("lanes", "v128", op=name, args=(a, b)))
            elif name in _SPLATS:
                stack.append(self.new("splat", "v128", op=name, args=(stack.pop(),)))
            elif name in _LOADS or name in _STORES:
                _align, offset, mem = ins.imm
                if mem in self.memories64 or (self.memory is not None and mem != self.memory):
                    raise _Refused
                self.memory = mem
                value = stack.pop() if name in _STORES else None
                address = stack.pop().linear
                if address is None or len(address.terms) > MAX_TERMS:
                    raise _Refused
                width = 1 << ins.op.align
                access = len(self.addresses)
                self.addresses.append(Access(address, offset, width, value is not None))
                if value is None:
                    stack.append(self.new("load", ins.op.sig[1][0], op=name, access=access))
                else:
                    self.new("store", "", op=name, args=(value,), access=access)
            elif name == "drop":
                stack.pop()
            elif name == "nop":
                pass
            elif name == "br_if" and pos == len(self.body) - 1:
                condition = stack.pop()
            elif name == "br_if" and ins.imm >= 1 and self.exits and exit_ is None:
                exit_ = stack.pop()  # the loop's one exit besides its end (MismatchLoop)
            else:
                raise _Refused
        if condition is None or stack or self.memory is None:
            raise _Refused
        steps = self._steps(current, written)
        temporaries = {k: current[k] for k in written - steps.keys()}
        if exit_ is not None:
            late = {k: node for k, node in temporaries.items() if k not in written_before_exit}
            return self._mismatch(exit_, condition, steps, temporaries, late)
        scan = self._scan(condition, steps, temporaries)
        if scan is not None:
            return scan
        shape = self._shapes()
        distance, shift, upward = self._count(condition, steps)
        wide = WideLoop(self.helper_name, self.memory, steps,
                        {k: v.type for k, v in self.entries.items()}, distance, shift, upward,
                        self.addresses)
        for a in self.addresses:
            if any(abs(_signed(c)) > MAX_COEFFICIENT for _k, c in a.form.terms) \
                    or abs(wide.per_iteration(a.form)) > MAX_COEFFICIENT:
                raise _Refused
        # A loop whose iterations may depend on each other stays as it is: the vectorizer
        # would mostly leave the helper scalar, and the usual loop may be paired or
        # unrolled (function.py).
        if not _disjoint(wide):
            raise _Refused
        wide.helper = self._helper(wide, shape)
        return wide

    def _steps(self, current: dict[int, Node], written: set[int]) -> dict[int, int]:
        """The induction variables and their steps. A local the body writes and also reads
        at the top of the iteration must be one; the others it writes are temporaries."""
        steps: dict[int, int] = {}
        for k in written:
            if k not in self.entries:
                continue  # written before any read: a temporary
            form = current[k].linear
            if form is None or form.terms != ((k, 1),) or self.local_types[k] != "i32":
                raise _Refused
            steps[k] = form.const
        return steps

    def _scan(self, condition: Node, steps: dict[int, int],
              temporaries: dict[int, Node]) -> ScanLoop | None:
        """The loop as a byte scan (ScanLoop), if it is one: its only access is a byte
        load whose address moves up by one per iteration, and it runs while that byte is
        not some constant. `temporaries`: the locals the body writes before it reads them
        -> their value nodes."""
        if len(self.addresses) != 1 or self.addresses[0].store:
            return None
        load = next(node for node in self.nodes if node.kind == "load")
        if load.op not in _BYTE_LOADS:
            return None
        if condition is load:
            byte = 0
        elif condition.op == "i32.ne" and load in condition.args:
            other = condition.args[1] if condition.args[0] is load else condition.args[0]
            if other.kind != "const":
                return None
            byte = other.imm & 0xFF
            # The loaded value equals the constant exactly when the byte is `byte`.
            if other.imm != _loaded(load.op, byte):
                return None
        else:
            return None
        access = self.addresses[0]
        if _per_iteration(access.form, steps) != 1:
            return None
        # (the last iteration reads the byte the loop looks for, and its condition is 0)
        finals = _finals(temporaries, {id(condition): 0, id(load): _loaded(load.op, byte)})
        return ScanLoop(self.memory, steps, access, byte, finals)

    def _mismatch(self, exit_: Node, condition: Node, steps: dict[int, int],
                  temporaries: dict[int, Node], late: dict[int, Node]) -> MismatchLoop:
        """The loop as a byte comparison (MismatchLoop), or _Refused: its only accesses
        are two byte loads of the same kind, each one byte further on per iteration; it
        leaves when they differ, and its counter moves by one. `temporaries` as for _scan;
        `late`: those of them the body writes only after its exit."""
        loads = [node for node in self.nodes if node.kind == "load"]
        if len(self.addresses) != 2 or any(a.store for a in self.addresses) \
                or loads[0].op != loads[1].op or loads[0].op not in _BYTE_LOADS:
            raise _Refused
        # (each is nonzero exactly when the two bytes differ)
        if exit_.op not in ("i32.ne", "i32.sub", "i32.xor") or set(exit_.args) != set(loads):
            raise _Refused
        if any(_per_iteration(a.form, steps) != 1 for a in self.addresses):
            raise _Refused
        distance, shift, upward = self._count(condition, steps)
        if shift:
            raise _Refused
        # The iteration that leaves does not set a late temporary, so the check sets it as
        # the last skipped iteration did (after the advance: one iteration back).
        passed = _finals(late, {id(exit_): 0}, back=steps)
        if passed is None:
            raise _Refused
        # (after equal bytes the difference is 0, and so is the counter after the last)
        finals = _finals(temporaries, {id(exit_): 0, id(condition): 0})
        return MismatchLoop(self.memory, steps, distance, upward, self.addresses, finals,
                            passed)

    def _count(self, condition: Node, steps: dict[int, int]) -> tuple[Linear, int, bool]:
        """The linear form that the loop runs while nonzero, and its step (a power of 2)."""
        form = condition.linear
        if form is None and condition.op == "i32.ne":
            a, b = condition.args
            if a.linear is not None and b.linear is not None:
                form = a.linear.plus(b.linear, -1)
        if form is None or not form.terms:
            raise _Refused
        step = _per_iteration(form, steps)
        size = abs(step)
        if size == 0 or size & (size - 1) or size > MAX_COEFFICIENT:
            raise _Refused
        return form, size.bit_length() - 1, step > 0

    def _shapes(self) -> dict[int, str]:
        """The lane shape of every v128 value (id -> shape): from the operations on it;
        a v128 only loaded, stored or passed on is moved as two 64-bit lanes."""
        shape: dict[int, str] = {}

        def give(node: Node, s: str) -> None:
            if shape.setdefault(id(node), s) != s:
                raise _Refused
        for node in self.nodes:
            if node.kind == "lanes":
                s = _LANE_OPS[node.op][0]
                give(node, s)
                for a in node.args:
                    give(a, s)
            elif node.kind == "splat":
                give(node, _SPLATS[node.op])
        for node in self.nodes:
            if node.type == "v128":
                shape.setdefault(id(node), "i64x2")
            if node.kind == "store" and node.op == "v128.store":
                shape.setdefault(id(node.args[0]), "i64x2")
        return shape

    def _helper(self, wide: WideLoop, shape: dict[int, str]) -> list[str]:
        """The helper function's C definition."""
        params = ", ".join(["uint8_t *m", "uint64_t n",
                            *(f"{C_TYPE[t]} l{k}" for k, t in sorted(wide.entries.items()))])
        out = ["#ifdef __clang__", "#pragma float_control(push)",
               "#pragma float_control(except, off)", "#endif",
               f"static __attribute__((noinline)) void {self.helper_name}({params}) {{"]
        for k, t in sorted(wide.entries.items()):
            if t in ("f32", "f64", "v128"):
                out.append(f"  __asm__(\"\" : \"+m\"(l{k}));  /* no float known here */")
        # One base per set of locals, so that the vectorizer sees accesses at constant
        # distances from each other where they are.
        self.bases = {terms: g for g, (terms, _low, _high) in enumerate(wide.groups())}
        for terms, g in self.bases.items():
            out.append(f"  int64_t b{g} = {_c_i64(Linear(0, terms))};")
        flat = self._lane_by_lane(wide, shape)
        if flat is None:
            out += self._loop(wide, shape, self.nodes, 0)
        else:
            width, flat_shape, needed = flat
            # (lane 0 of a v128 it receives stands for all lanes: equal, or lane-wise)
            equal = [f"__builtin_memcmp(&l{k}, (char *)&l{k} + {width}, {16 - width}) == 0"
                     for k, t in sorted(wide.entries.items()) if t == "v128"]
            lanes = self._loop(wide, flat_shape, needed, width)
            if equal:
                lanes = [f"  if ({' && '.join(equal)}) {{", *_indent(lanes), "  } else {",
                         *_indent(self._loop(wide, shape, self.nodes, 0)), "  }"]
            out += lanes
        out += ["}", "#ifdef __clang__", "#pragma float_control(pop)", "#endif", ""]
        return out

    def _loop(self, wide: WideLoop, shape: dict[int, str], nodes: list[Node],
              flat: int) -> list[str]:
        """The helper's loop over `nodes`: lane-wise (flat = 0), or lane by lane with
        lanes of `flat` bytes (_lane_by_lane)."""
        out = []
        for node in nodes:
            if node.kind == "entry" and node.type == "v128":
                ctype, count, size = _lanes(shape[id(node)], flat)
                for j in range(count):
                    out.append(f"  {ctype} {node.name}_{j}; "
                               f"__builtin_memcpy(&{node.name}_{j}, (char *)&l{node.imm} + "
                               f"{j * size}, {size});")
        out += ["#ifdef __clang__", "#pragma clang loop vectorize(assume_safety)", "#else",
                "#pragma GCC ivdep", "#endif"]
        if flat:
            out.append(f"  for (uint64_t i = 0; i < {16 // flat} * n; i++) {{  "
                       "/* lane by lane */")
        else:
            out.append("  for (uint64_t i = 0; i < n; i++) {")
        for node in nodes:
            out += ["    " + line for line in self._statement(node, wide, shape, flat)]
        out.append("  }")
        return out

    def _lane_by_lane(self, wide: WideLoop, shape: dict[int, str]
                      ) -> tuple[int, dict[int, str], list[Node]] | None:
        """If the loop may run lane by lane (the module's doc): the lanes' width in bytes,
        every v128 value's lane shape at that width, and the nodes that the loop computes
        (those that reach a v128 or a store; the others only count or address)."""
        vectors = [node for node in self.nodes if node.type == "v128"]
        if not vectors:
            return None
        widths = {_lanes(shape[id(n)], 0)[2] for n in self.nodes
                  if n.kind in ("lanes", "splat")}
        if len(widths) > 1:
            return None
        width = widths.pop() if widths else 8
        for node in self.nodes:
            if node.kind in ("load", "store") and (
                    node.op not in ("v128.load", "v128.store")
                    or wide.per_iteration(self.addresses[node.access].form) != 16):
                return None
        invariant: set[int] = set()
        for node in self.nodes:
            if node.kind == "const" or (node.kind == "entry" and not wide.steps.get(node.imm)) \
                    or (node.kind == "op" and all(id(a) in invariant for a in node.args)):
                invariant.add(id(node))
        reached: set[int] = set()
        for node in reversed(self.nodes):
            if node.type == "v128" or node.kind == "store" or id(node) in reached:
                reached.add(id(node))
                reached.update(id(a) for a in node.args)
        needed = [node for node in self.nodes if id(node) in reached]
        if any(node.type != "v128" and node.kind != "store" and id(node) not in invariant
               for node in needed):
            return None
        default = "i64x2" if width == 8 else "i32x4"  # for a v128 that is only moved
        flat_shape = {id(n): shape[id(n)] if _lanes(shape[id(n)], 0)[2] == width
                      else default for n in vectors}
        return width, flat_shape, needed

    def _statement(self, node: Node, wide: WideLoop, shape: dict[int, str],
                   flat: int) -> list[str]:
        """The C of one node in the loop: lane-wise (flat = 0), or lane by lane."""
        kind = node.kind
        if kind == "entry":
            if node.type == "v128":
                return []
            step = wide.steps.get(node.imm)
            value = f"l{node.imm}" if not step else f"l{node.imm} + {step}u * (uint32_t)i"
            return [f"{C_TYPE[node.type]} {node.name} = {value};"]
        if kind == "const":
            suffix = "u" if node.type == "i32" else "ull"
            return [f"{C_TYPE[node.type]} {node.name} = {node.imm}{suffix};"]
        if kind == "op":
            op = _SCALAR_OPS[node.op]
            expr = op.c.format(*(a.name for a in node.args))
            return [f"{C_TYPE[node.type]} {node.name} = {expr};"]
        if kind in ("lanes", "splat"):
            ctype, count, _size = _lanes(shape[id(node)], flat)
            if kind == "splat":
                return [f"{ctype} {node.name}_{j} = {node.args[0].name};" for j in range(count)]
            sym = _LANE_OPS[node.op][1]
            a, b = node.args
            return [f"{ctype} {node.name}_{j} = {a.name}_{j} {sym} {b.name}_{j};"
                    for j in range(count)]
        access = self.addresses[node.access]
        per = flat or wide.per_iteration(access.form)
        address = f"m + (b{self.bases[access.form.terms]} + {access.start} + {per} * (int64_t)i)"
        if kind == "load":
            memtype = _LOADS[node.op]
            if memtype is None:
                ctype, count, size = _lanes(shape[id(node)], flat)
                return [f"{ctype} {node.name}_{j}; __builtin_memcpy(&{node.name}_{j}, "
                        f"{address} + {j * size}, {size});" for j in range(count)]
            return [f"{memtype} {node.name}_m; __builtin_memcpy(&{node.name}_m, {address}, "
                    f"sizeof {node.name}_m); {C_TYPE[node.type]} {node.name} = "
                    f"({C_TYPE[node.type]}){node.name}_m;"]
        value = node.args[0]
        memtype = _STORES[node.op]
        if memtype is None:
            ctype, count, size = _lanes(shape[id(value)], flat)
            return [f"__builtin_memcpy({address} + {j * size}, &{value.name}_{j}, {size});"
                    for j in range(count)]
        return [f"{{ {memtype} v = ({memtype}){value.name}; "
                f"__builtin_memcpy({address}, &v, sizeof v); }}"]


def _lanes(shape: str, flat: int) -> tuple[str, int, int]:
    """A v128 value of this lane shape in the loop: its lanes' C type, how many of them an
    iteration handles (all, or one when the loop runs lane by lane), their size in bytes."""
    ctype, count = _SHAPES[shape]
    return ctype, 1 if flat else count, 16 // count


def _indent(lines: list[str]) -> list[str]:
    return [line if line.startswith("#") else "  " + line for line in lines]


def _disjoint(wide: WideLoop) -> bool:
    """Whether no access of an iteration touches a byte that a store of another iteration
    of the loop writes, among accesses with the same locals in their address (same
    group); accesses in different groups are checked at run time (WideLoop.check). Then the
    helper may tell the vectorizer so (`assume_safety`), which it could not prove itself
    where a Wasm build unrolled the loop: its stores at +0 and loads at +8 of a 16-byte
    stride made clang check at run time for an overlap that always exists."""
    for s in wide.addresses:
        if not s.store:
            continue
        per = wide.per_iteration(s.form)
        for x in wide.addresses:  # (s itself too: stores that overlap the next ones)
            if x.form.terms != s.form.terms:
                continue
            if per == 0:
                return False
            # Iteration i + k's store [s.start + per*k, +s.width) against iteration i's
            # access [x.start, +x.width): they meet for k in an open interval.
            low, high = x.start - s.start - s.width, x.start - s.start + x.width
            lo_k, hi_k = sorted((low / per, high / per))
            if any(k != 0 and lo_k < k < hi_k
                   for k in range(math.floor(lo_k), math.ceil(hi_k) + 1)):
                return False
    return True


def find_exit_loops(body: list[Instr], local_types: list[str], memories64: set[int]
                    ) -> dict[int, MismatchLoop]:
    """id() of each `loop` in `body` that compares two byte strings (MismatchLoop) -> its
    check: straight-line code with one `br_if` out of the loop, ending in `br_if 0`."""
    found: dict[int, MismatchLoop] = {}
    for start, ins in enumerate(body):
        if ins.op.name != "loop" or ins.imm is not None:
            continue
        end, exits = start + 1, 0
        while end < len(body) and body[end].op.name not in _CONTROL_BUT_BR_IF:
            exits += body[end].op.name == "br_if" and body[end].imm != 0
            end += 1
        if (exits != 1 or end >= len(body) or body[end].op.name != "end"
                or end - start - 1 > MAX_BODY_INSTRUCTIONS
                or body[end - 1].op.name != "br_if" or body[end - 1].imm != 0):
            continue
        try:
            found[id(ins)] = _Builder(body[start + 1:end], local_types, memories64, "",
                                      exits=True).build()
        except _Refused:
            pass
    return found


def find_wide_loops(body: list[Instr], loops: list[PlainLoop], local_types: list[str],
                    memories64: set[int], prefix: str) -> dict[int, WideLoop | ScanLoop]:
    """id() of each `loop` in `body` that gets a widened copy -> the copy; `prefix` names
    the helpers (one per loop, numbered)."""
    found: dict[int, WideLoop | ScanLoop] = {}
    for n, loop in enumerate(loops):
        wide = analyse(loop, body, local_types, memories64, f"{prefix}_wide{n}")
        if wide is not None:
            found[id(body[loop.start])] = wide
    return found

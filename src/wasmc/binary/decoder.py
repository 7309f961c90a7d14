"""The binary decoder: Wasm binary format -> `Module` (binary/module.py).

Covers Wasm 2.0 (SIMD included) plus relaxed SIMD, typed function references and exception
handling of Wasm 3.0 (tags, `try_table`, `throw`, `throw_ref`, exnref), and the legacy
exception instructions (`try`, `catch`, `catch_all`, `delegate`, `rethrow`).

Decoding is structural only: it checks everything the spec calls "malformed" (encodings,
section order and sizes, counts that must agree) and raises `MalformedError`; type checking
and index bounds are the validator's job. Well-formed features wasmc does not implement
(GC, ...) raise `UnsupportedError`.

Function bodies become flat lists of `Instr`, ending with the function's final `end`;
constant expressions are lists of `Instr` without their final `end`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from wasmc.binary.module import (
    EXN,
    EXTERN,
    EXTERNREF,
    F32,
    F64,
    FUNC,
    FUNCREF,
    I32,
    I64,
    NOEXN,
    NOEXTERN,
    NOFUNC,
    V128,
    Data,
    Element,
    Export,
    Function,
    FuncType,
    Global,
    GlobalType,
    Import,
    Instr,
    Limits,
    MemoryType,
    Module,
    TableType,
    Tag,
    ref_type,
)
from wasmc.binary.opcodes import BY_NAME, OPS, UNSUPPORTED_GROUPS, Op
from wasmc.binary.reader import (
    UNEXPECTED_END,
    UNEXPECTED_END_SECTION,
    Reader,
    read_f32_bits,
    read_f64_bits,
    read_s32,
    read_s33,
    read_s64,
    read_u32,
    read_u64,
)
from wasmc.errors import MalformedError, UnsupportedError

MAGIC = b"\x00asm"
VERSION = b"\x01\x00\x00\x00"

# --- implementation limits -----------------------------------------------------------------
# The spec bounds little (a u32 per count, 65536 pages per memory); every engine adds its own
# limits, and these are wasmc's, all in one place. A module over one may be perfectly valid:
# wasmc rejects it as unsupported (UnsupportedError, exit status 1), naming the limit, the
# count found and the byte offset where it was read, before doing the work the count asks
# for. The spec's own errors come first: a count the section's bytes cannot hold is
# malformed whatever its size. Unless noted, a value is the JS API's "implementation-defined
# limit" (https://webassembly.github.io/spec/js-api/#limits), which browsers and Wasmtime's
# parser (wasmparser) share, so any module those accept passes these too. docs/limits.md
# has the table with the reasons.
MAX_TYPES = 1_000_000  # function types in the type section
MAX_FUNCTIONS = 1_000_000  # imported and defined: each one is C code to emit and compile
MAX_IMPORTS = 1_000_000  # the JS API's limit since 2024 (100,000 before)
MAX_EXPORTS = 1_000_000  # likewise
MAX_GLOBALS = 1_000_000  # imported and defined
MAX_TABLES = 100_000  # imported and defined (wasmparser allows 100)
MAX_MEMORIES = 100  # imported and defined: wasmparser's multi-memory limit (the JS API
# still says 1, from before multi-memory); each memory reserves 8 GiB of address space
MAX_TAGS = 1_000_000  # imported and defined (wasmparser)
MAX_ELEMENT_SEGMENTS = 100_000  # wasmparser's limit (the JS API's is 10,000,000); each
# segment is C code of its own
MAX_DATA_SEGMENTS = 100_000
MAX_FUNCTION_SIZE = 7_654_321  # bytes in one code entry (locals declarations included)
MAX_PARAMS = 1_000  # parameters of one function type
MAX_RESULTS = 1_000  # results of one function type
MAX_LOCALS = 50_000  # locals of one function, its parameters included
# Locals and parameters of all defined functions together: at most this many, or one per
# byte of the code section if that is more. Each local is a C variable, and a code entry of
# a few bytes may declare 50,000 of them; real code uses its locals, at least a byte each.
MAX_MODULE_LOCALS = 1_000_000
# Values popped and pushed by all the instructions of a module together (the validator
# checks it, see validate.validator): at most this many, or MAX_MOVES_PER_INSTR per
# instruction if that is more. Real code moves 1.5 values per instruction, but a two-byte
# `call` of a function with 1,000 parameters and results moves 2,000, each a line of C.
MAX_MOVES = 1_000_000
MAX_MOVES_PER_INSTR = 16
MAX_NESTING = 10_000  # blocks nested in one function (checked by the validator): keeps
# the generated C's nesting within what C compilers handle


def over_limit(count: int, limit: int, what: str, offset: int | None,
               func: str | None = None) -> UnsupportedError:
    """The error for a module over one of the implementation limits above."""
    return UnsupportedError(
        f"implementation limit exceeded: more than {limit} {what} ({count} found)", offset, func)


# Heap types by their (one-byte, negative s33) encoding; also the shorthand reference types
# `(ref null ht)` of the same byte.
HEAP_TYPES: dict[int, str] = {0x70: FUNC, 0x6F: EXTERN, 0x73: NOFUNC, 0x72: NOEXTERN,
                              0x69: EXN, 0x74: NOEXN}
REFTYPES: dict[int, str] = {b: ref_type(True, ht) for b, ht in HEAP_TYPES.items()}
VALTYPES: dict[int, str] = {0x7F: I32, 0x7E: I64, 0x7D: F32, 0x7C: F64, 0x7B: V128,
                            **REFTYPES}
assert REFTYPES[0x70] == FUNCREF and REFTYPES[0x6F] == EXTERNREF
REF_NULL, REF = 0x63, 0x64  # `(ref null ht)`, `(ref ht)`: a heap type follows

# Type bytes that are well-formed in later proposals but that wasmc does not implement.
_GC = "garbage collection (GC) types"
UNSUPPORTED_TYPES: dict[int, str] = {
    **{b: _GC for b in (0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x71)},
}

# Opcodes (and prefixes) of proposals wasmc does not implement.
UNSUPPORTED_OPCODES: dict[int, str] = {
    0xD3: "garbage collection (ref.eq)",
    0xFB: "garbage collection (0xFB instructions)",
}

# Section ids in the order they must appear (custom sections, id 0, may appear anywhere).
# 13 is the exception-handling tag section, which sits between memory and global.
SECTION_RANK: dict[int, int] = {
    1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13,
}  # fmt: skip

EXTERN_KINDS = ("func", "table", "memory", "global", "tag")
# The limit on each index space (imports and definitions together) and its name in errors.
_INDEX_SPACE_LIMITS: dict[str, tuple[int, str]] = {
    "func": (MAX_FUNCTIONS, "functions, imported and defined"),
    "table": (MAX_TABLES, "tables, imported and defined"),
    "memory": (MAX_MEMORIES, "memories, imported and defined"),
    "global": (MAX_GLOBALS, "globals, imported and defined"),
    "tag": (MAX_TAGS, "tags, imported and defined"),
}
# The element type of a segment of function indices: they are never null (Wasm 3.0).
FUNC_INDICES = ref_type(False, FUNC)

# --- instruction dispatch ------------------------------------------------------------------
# Each opcode maps to (Op, immediate kind); kinds are small ints so the hot loop compares
# ints, ordered roughly by how common they are.
K_NONE, K_IDX, K_I32, K_MEMARG, K_END, K_BLOCK, K_ELSE = range(7)
K_I64, K_F32, K_F64, K_LABELS, K_PAIR, K_REFTYPE, K_SELECT_T, K_PREFIX, K_BAD = range(7, 16)
K_LANE, K_SHUFFLE, K_V128, K_MEMARG_LANE, K_UNSUPPORTED = range(16, 21)
K_TRY_TABLE, K_DELEGATE = 21, 22  # exception handling
K_FENCE = 23  # threads: atomic.fence's reserved byte

_IMM_KIND: dict[str, int] = {
    "": K_NONE,
    "blocktype": K_BLOCK,
    "u32": K_IDX,
    "label": K_IDX,
    "func": K_IDX,
    "local": K_IDX,
    "global": K_IDX,
    "table": K_IDX,
    "memory": K_IDX,  # a memory index (multi-memory), a 0x00 byte in single-memory modules
    "data": K_IDX,
    "elem": K_IDX,
    "type": K_IDX,
    "labels": K_LABELS,
    "call_indirect": K_PAIR,  # (typeidx, tableidx)
    "memarg": K_MEMARG,
    "i32": K_I32,
    "i64": K_I64,
    "f32": K_F32,
    "f64": K_F64,
    "reftype": K_REFTYPE,
    "select_t": K_SELECT_T,
    "memory.init": K_PAIR,
    "memory.copy": K_PAIR,
    "table.init": K_PAIR,
    "table.copy": K_PAIR,
    "tag": K_IDX,
    "try_table": K_TRY_TABLE,
    "lane": K_LANE,
    "shuffle": K_SHUFFLE,
    "v128": K_V128,
    "memarg_lane": K_MEMARG_LANE,
    "memarg_atomic": K_MEMARG,
    "fence": K_FENCE,
}


def _entry(op: Op) -> tuple[Op, int]:
    if op.group in UNSUPPORTED_GROUPS:
        return op, K_UNSUPPORTED
    if op.name == "end":
        return op, K_END
    if op.name == "else":
        return op, K_ELSE
    if op.name == "delegate":  # ends a legacy `try` block, like `end`
        return op, K_DELEGATE
    return op, _IMM_KIND[op.imm]


_SINGLE: list[tuple[Op | None, int]] = [(None, K_BAD)] * 256
_PREFIXED: dict[int, dict[int, tuple[Op, int]]] = {}  # prefix -> sub-opcode -> entry
for _op in OPS:
    if _op.prefix is None:
        _SINGLE[_op.code] = _entry(_op)
    else:
        _SINGLE[_op.prefix] = (None, K_PREFIX)
        _PREFIXED.setdefault(_op.prefix, {})[_op.code] = _entry(_op)
# memory.init, data.drop: need the data count section
_DATA_OPS = frozenset(("memory.init", "data.drop"))
OP_REF_FUNC = BY_NAME["ref.func"]

_MASK32 = 0xFFFFFFFF
_MASK64 = 0xFFFFFFFFFFFFFFFF


def _bad_type_byte(b: int, offset: int, what: str = "value type") -> Exception:
    """The error for a byte that is not a supported value/reference type."""
    if b in UNSUPPORTED_TYPES:
        return UnsupportedError(UNSUPPORTED_TYPES[b], offset)
    return MalformedError(f"malformed {what}", offset)


def read_heap_type(data: bytes, pos: int, end: int, eof: str) -> tuple[str, int]:
    """A heap type (an s33): a type index ("3") or an abstract heap type ("func")."""
    at = pos
    value, pos = read_s33(data, pos, end, eof)
    if value >= 0:
        return str(value), pos
    b = value + 0x80 if value >= -0x40 else -1  # the byte of a one-byte encoding
    if b in HEAP_TYPES:
        return HEAP_TYPES[b], pos
    if b in UNSUPPORTED_TYPES:
        raise UnsupportedError(UNSUPPORTED_TYPES[b], at)
    raise MalformedError("malformed heap type", at)


def read_valtype(data: bytes, pos: int, end: int, eof: str,
                 what: str = "value type") -> tuple[str, int]:
    """A value type (`what` = "reference type": only reference types are allowed)."""
    if pos >= end:
        raise MalformedError(eof, pos)
    b = data[pos]
    table = VALTYPES if what == "value type" else REFTYPES
    if b in table:
        return table[b], pos + 1
    if b == REF_NULL or b == REF:
        heap, pos = read_heap_type(data, pos + 1, end, eof)
        return ref_type(b == REF_NULL, heap), pos
    raise _bad_type_byte(b, pos, what)


def _bad_opcode(b: int, offset: int) -> Exception:
    if b in UNSUPPORTED_OPCODES:
        return UnsupportedError(UNSUPPORTED_OPCODES[b], offset)
    return MalformedError(f"illegal opcode {b:02x}", offset)


# The catch clauses of try_table, by their encoding (0-3).
CATCH_KINDS = ("catch", "catch_ref", "catch_all", "catch_all_ref")


def _read_blocktype(data: bytes, pos: int, end: int, dend: int,
                    start: int) -> tuple[str | int | None, int]:
    """A block type (as for `block`), for the instructions the decoder loop does not read
    inline (try_table): None, a value type, or a type index."""
    if pos >= end:
        raise MalformedError(UNEXPECTED_END_SECTION, pos)
    bt = data[pos]
    if bt == 0x40:
        return None, pos + 1
    if bt in VALTYPES:
        return VALTYPES[bt], pos + 1
    if bt == REF_NULL or bt == REF:
        return read_valtype(data, pos, dend, UNEXPECTED_END_SECTION)
    imm, pos = read_s33(data, pos, dend, UNEXPECTED_END_SECTION)
    if imm < 0:
        raise _bad_type_byte(bt, start + 1)
    return imm, pos


def decode_instrs(
    data: bytes, pos: int, end: int, exhausted: str
) -> tuple[list[Instr], int, int | None]:
    """Decode instructions from `pos` up to and including the `end` that closes the
    expression; every instruction must start before `end`.

    Returns (instructions, position after the final end, offset of the first
    memory.init/data.drop or None). `exhausted` is the error message when the bytes run out
    before the final `end`."""
    out: list[Instr] = []
    append = out.append
    # Immediates may run past `end` (see Reader._leb); the loop-top check then stops.
    dend = len(data)
    single = _SINGLE
    prefixed = _PREFIXED
    valtypes = VALTYPES
    I = Instr  # noqa: E741  (local alias: the loop builds one per instruction)
    eof = UNEXPECTED_END_SECTION
    # Open blocks, innermost last: the opcode that opened it (0x02/0x03/0x04), or 0x05 once
    # an `if` has seen its `else`. Only needed to reject a misplaced `else`.
    blocks: list[int] = []
    data_op_at: int | None = None

    while pos < end:
        start = pos
        b = data[pos]
        pos += 1
        op, kind = single[b]
        if kind == K_PREFIX:  # 0xFC, 0xFD, 0xFE: a u32 sub-opcode follows
            sub, pos = read_u32(data, pos, dend, eof)
            entry = prefixed[b].get(sub)
            if entry is None:
                raise MalformedError(f"illegal opcode {b:02x} {sub:02x}", start)
            op, kind = entry
            if op.name in _DATA_OPS and data_op_at is None:
                data_op_at = start

        if kind == K_NONE:
            append(I(op, None, start))
        elif kind == K_IDX:
            if pos < end and data[pos] < 0x80:
                imm = data[pos]
                pos += 1
            else:
                imm, pos = read_u32(data, pos, dend, eof)
            append(I(op, imm, start))
        elif kind == K_I32:
            if pos < end and data[pos] < 0x40:  # small non-negative constant
                imm = data[pos]
                pos += 1
            else:
                imm, pos = read_s32(data, pos, dend, eof)
                imm &= _MASK32
            append(I(op, imm, start))
        elif kind == K_MEMARG or kind == K_MEMARG_LANE:
            flags, pos = read_u32(data, pos, dend, eof)
            if flags >= 0x80:
                raise MalformedError("malformed memop flags", start + 1)
            memidx = 0
            if flags & 0x40:  # multi-memory: an explicit memory index follows
                memidx, pos = read_u32(data, pos, dend, eof)
            # u64 since Wasm 3.0 (memory64); the validator checks the range for 32-bit memories.
            if pos < end and data[pos] < 0x80:
                offset = data[pos]
                pos += 1
            else:
                offset, pos = read_u64(data, pos, dend, eof)
            if kind == K_MEMARG:
                append(I(op, (flags & 0x3F, offset, memidx), start))
            else:  # and a lane index
                if pos >= end:
                    raise MalformedError(eof, pos)
                append(I(op, (flags & 0x3F, offset, memidx, data[pos]), start))
                pos += 1
        elif kind == K_END:
            append(I(op, None, start))
            if not blocks:
                return out, pos, data_op_at
            blocks.pop()
        elif kind == K_BLOCK:
            if pos >= end:
                raise MalformedError(eof, pos)
            bt = data[pos]
            if bt == 0x40:
                imm = None
                pos += 1
            elif bt in valtypes:
                imm = valtypes[bt]
                pos += 1
            elif bt == REF_NULL or bt == REF:
                imm, pos = read_valtype(data, pos, dend, eof)
            else:
                imm, pos = read_s33(data, pos, dend, eof)
                if imm < 0:
                    raise _bad_type_byte(bt, start + 1)
            blocks.append(b)
            append(I(op, imm, start))
        elif kind == K_ELSE:
            if not blocks or blocks[-1] != 0x04:
                # `else` only belongs to an `if` that has not had one yet.
                raise MalformedError("END opcode expected", start)
            blocks[-1] = 0x05
            append(I(op, None, start))
        elif kind == K_I64:
            imm, pos = read_s64(data, pos, dend, eof)
            append(I(op, imm & _MASK64, start))
        elif kind == K_F32:
            imm, pos = read_f32_bits(data, pos, dend, eof)
            append(I(op, imm, start))
        elif kind == K_F64:
            imm, pos = read_f64_bits(data, pos, dend, eof)
            append(I(op, imm, start))
        elif kind == K_PAIR:
            first, pos = read_u32(data, pos, dend, eof)
            second, pos = read_u32(data, pos, dend, eof)
            append(I(op, (first, second), start))
        elif kind == K_LABELS:
            n, pos = read_u32(data, pos, dend, eof)
            if n >= end - pos:  # n labels plus the default, at least a byte each
                raise MalformedError(eof, pos)
            labels = []
            for _ in range(n):
                label, pos = read_u32(data, pos, dend, eof)
                labels.append(label)
            default, pos = read_u32(data, pos, dend, eof)
            append(I(op, (tuple(labels), default), start))
        elif kind == K_REFTYPE:  # ref.null's heap type; the immediate is the nullable type
            if pos >= end:
                raise MalformedError(eof, pos)
            heap, pos = read_heap_type(data, pos, dend, eof)
            append(I(op, ref_type(True, heap), start))
        elif kind == K_SELECT_T:
            n, pos = read_u32(data, pos, dend, eof)
            if n > end - pos:
                raise MalformedError(eof, pos)
            types = []
            for _ in range(n):
                t, pos = read_valtype(data, pos, dend, eof)
                types.append(t)
            append(I(op, tuple(types), start))
        elif kind == K_LANE:
            if pos >= end:
                raise MalformedError(eof, pos)
            append(I(op, data[pos], start))
            pos += 1
        elif kind == K_SHUFFLE or kind == K_V128:  # 16 bytes
            if pos + 16 > end:
                raise MalformedError(eof, end)
            raw = data[pos:pos + 16]
            pos += 16
            append(I(op, tuple(raw) if kind == K_SHUFFLE else int.from_bytes(raw, "little"),
                     start))
        elif kind == K_UNSUPPORTED:  # a row of a proposal not implemented yet
            raise UnsupportedError(UNSUPPORTED_GROUPS[op.group], start)
        elif kind == K_TRY_TABLE:  # blocktype, then the catch clauses
            bt, pos = _read_blocktype(data, pos, end, dend, start)
            n, pos = read_u32(data, pos, dend, eof)
            if n > end - pos:  # at least a byte each
                raise MalformedError(eof, pos)
            catches = []
            for _ in range(n):
                if pos >= end:
                    raise MalformedError(eof, pos)
                ckind = data[pos]
                if ckind > 3:
                    raise MalformedError("malformed catch clause", pos)
                pos += 1
                tag = None
                if ckind < 2:  # catch, catch_ref: a tag index, then the label
                    tag, pos = read_u32(data, pos, dend, eof)
                label, pos = read_u32(data, pos, dend, eof)
                catches.append((CATCH_KINDS[ckind], tag, label))
            blocks.append(b)
            append(I(op, (bt, tuple(catches)), start))
        elif kind == K_DELEGATE:  # ends the legacy `try` it belongs to
            if not blocks or blocks[-1] != 0x06:
                raise MalformedError("delegate without matching try", start)
            blocks.pop()
            imm, pos = read_u32(data, pos, dend, eof)
            append(I(op, imm, start))
        elif kind == K_FENCE:
            if pos >= end:
                raise MalformedError(eof, pos)
            if data[pos] != 0x00:
                raise MalformedError("malformed atomic fence flags", pos)  # (reserved: 0)
            pos += 1
            append(I(op, None, start))
        else:  # K_BAD: not an opcode wasmc knows
            raise _bad_opcode(b, start)
    raise MalformedError(exhausted, pos)


# --- module structure ----------------------------------------------------------------------


class _Decoder:
    def __init__(self, data: bytes, bodies: bool = True):
        self.data = data
        self.bodies = bodies  # False: skip the code section's contents (see decode)
        self.m = Module(bodies_decoded=bodies)
        self.code_count: int | None = None  # entries in the code section, once seen
        self.n_imported = dict.fromkeys(EXTERN_KINDS, 0)  # imports of each kind

    def count(self, r: Reader, limit: int, what: str, already: int = 0) -> int:
        """A vector length (see Reader.count) that, added to `already`, must stay within an
        implementation limit."""
        at = r.pos
        n = r.count()
        if already + n > limit:
            raise over_limit(already + n, limit, what, at)
        return n

    # --- types ---------------------------------------------------------------------------
    def valtype(self, r: Reader, what: str = "value type") -> str:
        pos = r.pos
        if pos < r.end and what == "value type":  # the common one-byte case
            t = VALTYPES.get(r.data[pos])
            if t is not None:
                r.pos = pos + 1
                return t
        r.peek()  # running out of bytes here is a premature end, not a bad type
        # A heap type's LEB128 may run past the section, like any integer (Reader._leb).
        t, pos = read_valtype(r.data, r.pos, r.limit, r.eof, what)
        if pos > r.end:
            raise MalformedError(r.eof, r.end)
        r.pos = pos
        return t

    def reftype(self, r: Reader) -> str:
        return self.valtype(r, "reference type")

    def tag_type(self, r: Reader) -> int:
        """A tag's attribute (0: exception, the only kind) and its type index."""
        at = r.pos
        if r.byte() != 0x00:
            raise MalformedError("malformed tag attribute", at)
        return r.u32()

    def limits(self, r: Reader) -> Limits:
        # The bounds are u64 since Wasm 3.0 (memory64): too-big 32-bit limits are invalid
        # (the validator's job), not malformed. The flags: bit 0, a maximum follows; bit 1,
        # shared (threads; the validator allows it for memories only); bit 2, 64-bit.
        at = r.pos
        flags = r.byte()
        if flags > 7:
            raise MalformedError("malformed limits flags", at)
        minimum = r.u64()
        maximum = r.u64() if flags & 1 else None
        return Limits(minimum, maximum, is64=bool(flags & 4), shared=bool(flags & 2),
                      offset=at)

    def table_type(self, r: Reader, at: int | None = None) -> TableType:
        """A table type; `at` is where the table's entry starts, if before the type."""
        at = r.pos if at is None else at
        elem = self.reftype(r)
        return TableType(elem, self.limits(r), at)

    def global_type(self, r: Reader) -> GlobalType:
        t = self.valtype(r)
        at = r.pos
        mut = r.byte()
        if mut > 1:
            raise MalformedError("malformed mutability", at)
        return GlobalType(t, mut == 1)

    def gc_field_type(self, r: Reader) -> None:
        """Check the encoding of a GC struct/array field (storage type, mutability), so
        that malformed GC types are still reported as malformed."""
        b = r.byte()
        if b in (0x63, 0x64):  # (ref null? heaptype)
            r.s33()
        elif b not in VALTYPES and b not in UNSUPPORTED_TYPES and b not in (0x78, 0x77):
            raise MalformedError("malformed storage type", r.pos - 1)
        at = r.pos
        if r.byte() > 1:
            raise MalformedError("malformed mutability", at)

    def func_type(self, r: Reader) -> FuncType:
        at = r.pos
        form = r.byte()
        if form >= 0x80:  # the form is an s7: a second byte makes it too long
            raise MalformedError("integer representation too long", at + 1)
        if form == 0x60:
            n = self.count(r, MAX_PARAMS, "parameters in a function type")
            params = tuple(self.valtype(r) for _ in range(n))
            n = self.count(r, MAX_RESULTS, "results in a function type")
            results = tuple(self.valtype(r) for _ in range(n))
            return FuncType(params, results, at)
        if form == 0x5E:  # array type
            self.gc_field_type(r)
            raise UnsupportedError(_GC + " (array type)", at)
        if form == 0x5F:  # struct type
            for _ in range(r.count()):
                self.gc_field_type(r)
            raise UnsupportedError(_GC + " (struct type)", at)
        if form in (0x4E, 0x4F, 0x50):
            raise UnsupportedError(_GC + " (recursive types / subtyping)", at)
        raise MalformedError("malformed function type", at)

    # --- expressions ---------------------------------------------------------------------
    def const_expr(self, r: Reader) -> list[Instr]:
        instrs, r.pos, _ = decode_instrs(r.data, r.pos, r.end, UNEXPECTED_END_SECTION)
        instrs.pop()  # the final `end`
        return instrs

    def func_indices(self, r: Reader) -> list[list[Instr]]:
        init = []
        for _ in range(r.count()):
            at = r.pos
            init.append([Instr(OP_REF_FUNC, r.u32(), at)])
        return init

    def elem_kind(self, r: Reader) -> str:
        at = r.pos
        if r.byte() != 0x00:
            raise MalformedError("malformed elements segment kind", at)
        return FUNC_INDICES

    # --- sections ------------------------------------------------------------------------
    def section_type(self, r: Reader) -> None:
        n = self.count(r, MAX_TYPES, "types")
        types: list[FuncType] = []
        for _ in range(n):
            if r.peek() == 0x4E:  # a recursion group (`rec`): of function types only
                at = r.pos
                r.byte()
                size = r.count()
                if len(types) + size > MAX_TYPES:
                    raise over_limit(len(types) + size, MAX_TYPES, "types", at)
                if size > 1:
                    self.m.rec_groups[len(types)] = size
                types += [self.func_type(r) for _ in range(size)]
            else:
                types.append(self.func_type(r))
        self.m.types = types

    def section_import(self, r: Reader) -> None:
        n_imported = self.n_imported
        for _ in range(self.count(r, MAX_IMPORTS, "imports")):
            at = r.pos
            module = r.name()
            name = r.name()
            kind_at = r.pos
            kind = r.byte()
            desc: object
            if kind == 0:
                desc = r.u32()
            elif kind == 1:
                desc = self.table_type(r)
            elif kind == 2:
                desc = MemoryType(self.limits(r))
            elif kind == 3:
                desc = self.global_type(r)
            elif kind == 4:
                desc = self.tag_type(r)
            else:
                raise MalformedError("malformed import kind", kind_at)
            kind_name = EXTERN_KINDS[kind]
            n_imported[kind_name] += 1
            limit, what = _INDEX_SPACE_LIMITS[kind_name]
            if n_imported[kind_name] > limit:
                raise over_limit(n_imported[kind_name], limit, what, at)
            self.m.imports.append(Import(module, name, kind_name, desc, at))

    def section_function(self, r: Reader) -> None:
        n = self.count(r, *_INDEX_SPACE_LIMITS["func"], self.n_imported["func"])
        for _ in range(n):
            self.m.functions.append(Function(r.u32()))

    def section_table(self, r: Reader) -> None:
        n = self.count(r, *_INDEX_SPACE_LIMITS["table"], self.n_imported["table"])
        for _ in range(n):
            init = None
            if r.peek() == 0x40:  # 0x40 0x00 tabletype expr: a table with an initializer
                start = r.pos
                r.byte()
                at = r.pos
                if r.byte() != 0x00:
                    raise MalformedError("malformed table", at)
                tt = self.table_type(r, start)
                init = self.const_expr(r)
            else:
                tt = self.table_type(r)
            self.m.tables.append(tt)
            self.m.table_inits.append(init)

    def section_memory(self, r: Reader) -> None:
        n = self.count(r, *_INDEX_SPACE_LIMITS["memory"], self.n_imported["memory"])
        for _ in range(n):
            self.m.memories.append(MemoryType(self.limits(r)))

    def section_tag(self, r: Reader) -> None:
        n = self.count(r, *_INDEX_SPACE_LIMITS["tag"], self.n_imported["tag"])
        for _ in range(n):
            at = r.pos
            self.m.tags.append(Tag(self.tag_type(r), at))

    def section_global(self, r: Reader) -> None:
        n = self.count(r, *_INDEX_SPACE_LIMITS["global"], self.n_imported["global"])
        for _ in range(n):
            at = r.pos
            gt = self.global_type(r)
            self.m.globals.append(Global(gt, self.const_expr(r), at))

    def section_export(self, r: Reader) -> None:
        for _ in range(self.count(r, MAX_EXPORTS, "exports")):
            at = r.pos
            name = r.name()
            kind_at = r.pos
            kind = r.byte()
            if kind > 4:
                raise MalformedError("malformed export kind", kind_at)
            self.m.exports.append(Export(name, EXTERN_KINDS[kind], r.u32(), at))

    def section_start(self, r: Reader) -> None:
        self.m.start_offset = r.pos
        self.m.start = r.u32()

    def section_element(self, r: Reader) -> None:
        for _ in range(self.count(r, MAX_ELEMENT_SEGMENTS, "element segments")):
            at = r.pos
            kind = r.u32()
            if kind > 7:
                raise MalformedError("malformed elements segment kind", at)
            # Bit 0: passive/declarative (else active); bit 1: explicit table index (active)
            # or declarative (passive); bit 2: expressions instead of function indices.
            mode = "active"
            table = 0
            offset_expr = None
            if kind & 1:
                mode = "declarative" if kind & 2 else "passive"
            else:
                if kind & 2:
                    table = r.u32()
                offset_expr = self.const_expr(r)
            if kind & 4:
                etype = FUNCREF if kind == 4 else self.reftype(r)
                init = [self.const_expr(r) for _ in range(r.count())]
            else:
                etype = FUNC_INDICES if kind == 0 else self.elem_kind(r)
                init = self.func_indices(r)
            self.m.elements.append(Element(mode, etype, init, table, offset_expr, at))

    def section_datacount(self, r: Reader) -> None:
        self.m.data_count = r.u32()

    def section_code(self, r: Reader) -> None:
        n = r.count()
        self.code_count = n
        functions = self.m.functions
        types = self.m.types
        data = self.data
        # Locals (parameters included) of all functions: see MAX_MODULE_LOCALS.
        module_locals = 0
        max_module_locals = max(MAX_MODULE_LOCALS, r.remaining())
        for i in range(n):
            # A count that disagrees with the function section is reported after the last
            # section (as the spec interpreter does); extra bodies are decoded and dropped.
            func = functions[i] if i < len(functions) else Function(-1)
            func.offset = r.pos
            size = r.u32()
            body = r.sub(size)
            if size > MAX_FUNCTION_SIZE:
                raise over_limit(size, MAX_FUNCTION_SIZE, "bytes in a function body",
                                 func.offset)
            # An unknown type is the validator's to report; here it just has no parameters.
            t = func.type_index
            n_params = len(types[t].params) if 0 <= t < len(types) else 0
            func.locals = self.locals(body, n_params)
            module_locals += n_params + len(func.locals)
            if module_locals > max_module_locals:
                raise over_limit(module_locals, max_module_locals,
                                 "locals and parameters in all functions together", func.offset)
            # The spec interpreter reports a missing final `end` differently at the end of
            # the section and between two functions; mimic it.
            exhausted = "END opcode expected" if body.end < r.end else UNEXPECTED_END_SECTION
            func.body, pos, data_op_at = decode_instrs(data, body.pos, body.end, exhausted)
            if pos != body.end:
                raise MalformedError("section size mismatch", pos)
            if data_op_at is not None and self.m.data_count is None:
                raise MalformedError("data count section required", data_op_at)

    def skip_code(self, r: Reader) -> None:
        """The code section of a module known to be valid (decode's bodies=False): only
        where each entry starts, none of its locals or instructions."""
        n = r.count()
        self.code_count = n
        functions = self.m.functions
        for i in range(n):
            if i < len(functions):
                functions[i].offset = r.pos
            r.sub(r.u32())

    def skip_segments(self, r: Reader) -> None:
        """The element or data section of a module known to be valid (decode's
        bodies=False): its compiled library initializes them, and nothing else reads them.
        (12,000 data segments took 0.1 s to decode on every cache hit.)"""
        r.pos = r.end

    def locals(self, r: Reader, n_params: int = 0) -> list[str]:
        """The declared locals, expanded; with the function's `n_params` parameters they
        must stay within MAX_LOCALS."""
        decls = []
        total = 0
        over_at = None  # where the declaration that goes over MAX_LOCALS starts
        for _ in range(r.count()):
            at = r.pos
            n = r.u32()
            decls.append((n, self.valtype(r)))
            total += n
            if over_at is None and n_params + total > MAX_LOCALS:
                over_at = at
        # The spec's limit first: beyond it the function is malformed, not just too big.
        if total > 0xFFFFFFFF:
            raise MalformedError("too many locals", r.pos)
        if over_at is not None:
            raise over_limit(n_params + total, MAX_LOCALS,
                             "locals in a function, parameters included", over_at)
        out: list[str] = []
        for n, t in decls:
            out += [t] * n
        return out

    def section_data(self, r: Reader) -> None:
        for _ in range(self.count(r, MAX_DATA_SEGMENTS, "data segments")):
            at = r.pos
            kind = r.u32()
            if kind == 0:
                offset_expr = self.const_expr(r)
                self.m.datas.append(Data("active", r.byte_vec(), 0, offset_expr, at))
            elif kind == 1:
                self.m.datas.append(Data("passive", r.byte_vec(), 0, None, at))
            elif kind == 2:
                memory = r.u32()
                offset_expr = self.const_expr(r)
                self.m.datas.append(Data("active", r.byte_vec(), memory, offset_expr, at))
            else:
                raise MalformedError("malformed data segment kind", at)

    def section_custom(self, r: Reader) -> None:
        name = r.name()
        content = r.bytes(r.remaining())
        self.m.custom_sections.append((name, content))
        if name == "name":
            if self.bodies:
                read_name_section(self.m, content)
            else:  # a cached module: read on demand (Module.func_name)
                self.m._read_names = lambda m: read_name_section(m, content)

    # --- the module ----------------------------------------------------------------------
    def module(self) -> Module:
        data = self.data
        size = len(data)
        if size < 4:
            raise MalformedError(UNEXPECTED_END, size)
        if data[:4] != MAGIC:
            raise MalformedError("magic header not detected", 0)
        if size < 8:
            raise MalformedError(UNEXPECTED_END, size)
        if data[4:8] != VERSION:
            raise MalformedError("unknown binary version", 4)

        handlers = {
            1: self.section_type, 2: self.section_import, 3: self.section_function,
            4: self.section_table, 5: self.section_memory, 13: self.section_tag,
            6: self.section_global, 7: self.section_export, 8: self.section_start,
            12: self.section_datacount,
            9: self.section_element if self.bodies else self.skip_segments,
            10: self.section_code if self.bodies else self.skip_code,
            11: self.section_data if self.bodies else self.skip_segments,
        }  # fmt: skip
        pos = 8
        last_rank = 0
        while pos < size:
            at = pos
            sid = data[pos]
            if sid != 0 and sid not in SECTION_RANK:
                raise MalformedError("malformed section id", at)
            sec_size, pos = read_u32(data, pos + 1, size, UNEXPECTED_END)
            if sec_size > size - pos:
                raise MalformedError("length out of bounds", pos)
            r = Reader(data, pos, pos + sec_size, UNEXPECTED_END_SECTION)
            if sid == 0:
                self.section_custom(r)
            else:
                rank = SECTION_RANK[sid]
                if rank <= last_rank:  # out of order, or a second section of this id
                    raise MalformedError("unexpected content after last section", at)
                last_rank = rank
                handlers[sid](r)
                if r.pos != r.end:
                    raise MalformedError("section size mismatch", r.pos)
            pos = r.end

        m = self.m
        if (self.code_count or 0) != len(m.functions):
            raise MalformedError("function and code section have inconsistent lengths", size)
        if self.bodies and m.data_count is not None and m.data_count != len(m.datas):
            raise MalformedError("data count and data section have inconsistent lengths", size)
        return m


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector. Decoding, validation and emission allocate many small
    acyclic objects, and the collector would rescan them (and every decoded instruction)
    over and over: on big modules that costs more than the work itself."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc_was_enabled:
            gc.enable()


def decode(data: bytes, bodies: bool = True) -> Module:
    """Decode a binary module. Raises MalformedError (with the byte offset) for bytes that
    are not a well-formed module, UnsupportedError for features wasmc does not implement.

    `bodies=False` is for a module that has been decoded and validated before (its compiled
    library is cached, compiler.compile_modules): every section but the code section's
    contents, so functions have their types and offsets but no locals or instructions
    (`Module.bodies_decoded` is False), and no element or data segments. The bodies are
    nearly all of a module's bytes and of decoding's time and memory; instantiating and
    linking need none of them, nor the segments, which the compiled library initializes.
    Errors in the skipped bytes go unnoticed, hence "validated before"."""
    with no_cycle_collection():
        return _Decoder(bytes(data), bodies).module()


def read_name_section(m: Module, content: bytes) -> None:
    """Read module, function and local names into `m`. Custom sections are never validated,
    so a malformed name section is ignored: whatever decoded before the problem is kept."""
    r = Reader(content)
    try:
        while not r.at_end():
            sub_id = r.byte()
            sub = r.sub(r.u32())
            if sub_id == 0:
                m.module_name = sub.name()
            elif sub_id == 1:
                m.func_names = _name_map(sub)
            elif sub_id == 2:
                local_names = {}
                for _ in range(sub.count()):
                    idx = sub.u32()
                    local_names[idx] = _name_map(sub)
                m.local_names = local_names
    except MalformedError:
        pass


def _name_map(r: Reader) -> dict[int, str]:
    names = {}
    for _ in range(r.count()):
        idx = r.u32()
        names[idx] = r.name()
    return names

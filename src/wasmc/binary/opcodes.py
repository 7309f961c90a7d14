"""The opcode table: every instruction once, with its encoding, immediates, stack signature
and C form.

Columns (see Op): the decoder reads `prefix`, `code` and `imm` to know the instruction and
which immediates follow it; the validator uses `sig` for every instruction whose typing is
fixed (sig is None where it depends on immediates or context and the validator has a special
case) and `align` for the memarg of a load or store; the C emitter uses `c`, an expression
over the operands `{0}`, `{1}`, `{2}` (in stack order, deepest first) and the immediate
`{imm}` (`{imm[3]}` indexes a tuple immediate such as a shuffle's lanes), whose value is the
result; for a load or store, `c` names the runtime's access helper instead. Helpers named in
`c` (wasmc_*) are static inline functions in runtime/wasmc.h.

Value-type letters in `sig`: i = i32, I = i64, f = f32, F = f64, V = v128.
Rows are grouped by proposal (`group`); the decoder refuses the rows of UNSUPPORTED_GROUPS
as unsupported, so a proposal's rows can be added before the rest of it is done.
"""

from __future__ import annotations

from dataclasses import dataclass

LETTER = {"i": "i32", "I": "i64", "f": "f32", "F": "f64", "V": "v128"}
PREFIX_FC = 0xFC  # saturating truncation, bulk memory, table operations
PREFIX_FD = 0xFD  # SIMD (sub-opcodes go past 0xFF: they are u32 LEB128s)
PREFIX_FE = 0xFE  # threads: atomic memory accesses, wait and notify, fence

# The immediate kinds (`imm`) and the shape of each in binary/module.py's Instr.imm.
IMM_KINDS: dict[str, str] = {
    "": "none (None)",
    "blocktype": "a block type: None, a value type str, or a type index int",
    "u32": "an int", "label": "a label depth (int)", "func": "a function index (int)",
    "local": "a local index (int)", "global": "a global index (int)",
    "table": "a table index (int)", "memory": "a memory index (int)",
    "data": "a data segment index (int)", "elem": "an element segment index (int)",
    "type": "a type index (int)",
    "labels": "br_table's (tuple of depths, default depth)",
    "call_indirect": "(type index, table index)",
    "memarg": "(log2 of the alignment, offset, memory index)",
    "i32": "an unsigned int", "i64": "an unsigned int",
    "f32": "the IEEE bits (unsigned int)", "f64": "the IEEE bits (unsigned int)",
    "reftype": "a reference type str", "select_t": "a tuple of value types",
    "memory.init": "(data segment index, memory index)",
    "memory.copy": "(destination memory index, source memory index)",
    "table.init": "(element segment index, table index)",
    "table.copy": "(destination table index, source table index)",
    # exception handling
    "tag": "a tag index (int)",
    "try_table": "(block type, tuple of catch clauses (kind, tag index or None, label))",
    # SIMD
    "lane": "a lane index (int, one byte)",
    "shuffle": "16 lane indices (tuple of ints, a byte each)",
    "v128": "the 16 bytes as an unsigned int, little-endian",
    "memarg_lane": "(log2 of the alignment, offset, memory index, lane index)",
    # threads
    "memarg_atomic": "as memarg; the alignment must be the natural one (validator)",
    "fence": "none (None): a reserved 0x00 byte",
}

# Groups whose rows are in the table but not implemented yet: decoding one of their
# instructions raises UnsupportedError with this text (e.g. "simd": "SIMD (0xFD
# instructions)" while the SIMD rows go in).
UNSUPPORTED_GROUPS: dict[str, str] = {}


@dataclass(frozen=True)
class Op:
    code: int  # the opcode byte, or the sub-opcode after a prefix
    name: str
    imm: str = ""  # immediate kind, see IMM_KINDS
    sig: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (params, results)
    c: str | None = None  # C expression over {0}, {1}, {2} and {imm}
    group: str = "mvp"
    # Loads and stores: log2 of the bytes accessed, the natural alignment (the largest
    # alignment a memarg may claim): "i64.load16_s" 1, "f64.store" 3, "v128.load8x8_s" 3.
    align: int | None = None
    prefix: int | None = None  # the prefix byte (PREFIX_FC, PREFIX_FD, PREFIX_FE), or None

    def __repr__(self) -> str:
        return f"Op({self.name})"


OPS: list[Op] = []


def _op(code, name, imm="", sig=None, c=None, group="mvp", align=None, prefix=None):
    if isinstance(sig, str):  # "ii:i" -> (("i32", "i32"), ("i32",))
        params, results = sig.split(":")
        sig = (tuple(LETTER[x] for x in params), tuple(LETTER[x] for x in results))
    assert imm in IMM_KINDS, f"{name}: unknown immediate kind {imm!r}"
    assert (align is not None) == imm.startswith("memarg"), f"{name}: align goes with memarg"
    OPS.append(Op(code, name, imm, sig, c, group, align, prefix))


# --- control -------------------------------------------------------------------------------
_op(0x00, "unreachable")
_op(0x01, "nop", sig=((), ()))
_op(0x02, "block", "blocktype")
_op(0x03, "loop", "blocktype")
_op(0x04, "if", "blocktype")
_op(0x05, "else")
_op(0x0B, "end")
_op(0x0C, "br", "label")
_op(0x0D, "br_if", "label")
_op(0x0E, "br_table", "labels")
_op(0x0F, "return")
_op(0x10, "call", "func")
_op(0x11, "call_indirect", "call_indirect")
_op(0x12, "return_call", "func", group="tail")
_op(0x13, "return_call_indirect", "call_indirect", group="tail")
_op(0x14, "call_ref", "type", group="funcref")  # typed function references
_op(0x15, "return_call_ref", "type", group="tail")
# Exception handling (Wasm 3.0): try_table's immediate is (blocktype, catch clauses), each
# clause (kind, tag index or None, label), kind one of decoder.CATCH_KINDS.
_op(0x08, "throw", "tag", group="eh")
_op(0x0A, "throw_ref", group="eh")
_op(0x1F, "try_table", "try_table", group="eh")
# The legacy exception instructions (what older toolchains emit).
_op(0x06, "try", "blocktype", group="legacy-eh")
_op(0x07, "catch", "tag", group="legacy-eh")
_op(0x19, "catch_all", group="legacy-eh")
_op(0x18, "delegate", "label", group="legacy-eh")
_op(0x09, "rethrow", "label", group="legacy-eh")

# --- parametric ----------------------------------------------------------------------------
_op(0x1A, "drop")
_op(0x1B, "select")
_op(0x1C, "select_t", "select_t")  # `select t*`, the typed form (reference types)

# --- variables -----------------------------------------------------------------------------
_op(0x20, "local.get", "local")
_op(0x21, "local.set", "local")
_op(0x22, "local.tee", "local")
_op(0x23, "global.get", "global")
_op(0x24, "global.set", "global")

# --- tables (reference types) --------------------------------------------------------------
_op(0x25, "table.get", "table", group="ref")
_op(0x26, "table.set", "table", group="ref")

# --- memory --------------------------------------------------------------------------------
# c names the runtime's load/store helper; sig is (address, [value]) -> [result]; align is
# log2 of the bytes accessed.
for code, name, sig, helper, align in [
    (0x28, "i32.load", "i:i", "load_u32", 2),
    (0x29, "i64.load", "i:I", "load_u64", 3),
    (0x2A, "f32.load", "i:f", "load_f32", 2),
    (0x2B, "f64.load", "i:F", "load_f64", 3),
    (0x2C, "i32.load8_s", "i:i", "load_i32_s8", 0),
    (0x2D, "i32.load8_u", "i:i", "load_i32_u8", 0),
    (0x2E, "i32.load16_s", "i:i", "load_i32_s16", 1),
    (0x2F, "i32.load16_u", "i:i", "load_i32_u16", 1),
    (0x30, "i64.load8_s", "i:I", "load_i64_s8", 0),
    (0x31, "i64.load8_u", "i:I", "load_i64_u8", 0),
    (0x32, "i64.load16_s", "i:I", "load_i64_s16", 1),
    (0x33, "i64.load16_u", "i:I", "load_i64_u16", 1),
    (0x34, "i64.load32_s", "i:I", "load_i64_s32", 2),
    (0x35, "i64.load32_u", "i:I", "load_i64_u32", 2),
    (0x36, "i32.store", "ii:", "store_u32", 2),
    (0x37, "i64.store", "iI:", "store_u64", 3),
    (0x38, "f32.store", "if:", "store_f32", 2),
    (0x39, "f64.store", "iF:", "store_f64", 3),
    (0x3A, "i32.store8", "ii:", "store_u8_from32", 0),
    (0x3B, "i32.store16", "ii:", "store_u16_from32", 1),
    (0x3C, "i64.store8", "iI:", "store_u8_from64", 0),
    (0x3D, "i64.store16", "iI:", "store_u16_from64", 1),
    (0x3E, "i64.store32", "iI:", "store_u32_from64", 2),
]:
    _op(code, name, "memarg", sig, "wasmc_" + helper, align=align)
_op(0x3F, "memory.size", "memory")
_op(0x40, "memory.grow", "memory")

# --- constants -----------------------------------------------------------------------------
_op(0x41, "i32.const", "i32", ((), ("i32",)))
_op(0x42, "i64.const", "i64", ((), ("i64",)))
_op(0x43, "f32.const", "f32", ((), ("f32",)))
_op(0x44, "f64.const", "f64", ((), ("f64",)))

# --- numeric -------------------------------------------------------------------------------
# Integers are unsigned in C (no undefined overflow); signed views are explicit casts.
S32, S64 = "(int32_t)", "(int64_t)"
B = lambda e: f"(uint32_t)({e})"  # noqa: E731  a C comparison as an i32 0/1
# Rounding: libm returns a signalling NaN unchanged, Wasm wants it quieted (x + x does that).
ROUND = lambda fn: f"({{0}} != {{0}} ? {{0}} + {{0}} : __builtin_{fn}({{0}}))"  # noqa: E731

_NUMERIC = [
    # i32 comparisons
    (0x45, "i32.eqz", "i:i", B("{0} == 0")),
    (0x46, "i32.eq", "ii:i", B("{0} == {1}")),
    (0x47, "i32.ne", "ii:i", B("{0} != {1}")),
    (0x48, "i32.lt_s", "ii:i", B(f"{S32}{{0}} < {S32}{{1}}")),
    (0x49, "i32.lt_u", "ii:i", B("{0} < {1}")),
    (0x4A, "i32.gt_s", "ii:i", B(f"{S32}{{0}} > {S32}{{1}}")),
    (0x4B, "i32.gt_u", "ii:i", B("{0} > {1}")),
    (0x4C, "i32.le_s", "ii:i", B(f"{S32}{{0}} <= {S32}{{1}}")),
    (0x4D, "i32.le_u", "ii:i", B("{0} <= {1}")),
    (0x4E, "i32.ge_s", "ii:i", B(f"{S32}{{0}} >= {S32}{{1}}")),
    (0x4F, "i32.ge_u", "ii:i", B("{0} >= {1}")),
    # i64 comparisons
    (0x50, "i64.eqz", "I:i", B("{0} == 0")),
    (0x51, "i64.eq", "II:i", B("{0} == {1}")),
    (0x52, "i64.ne", "II:i", B("{0} != {1}")),
    (0x53, "i64.lt_s", "II:i", B(f"{S64}{{0}} < {S64}{{1}}")),
    (0x54, "i64.lt_u", "II:i", B("{0} < {1}")),
    (0x55, "i64.gt_s", "II:i", B(f"{S64}{{0}} > {S64}{{1}}")),
    (0x56, "i64.gt_u", "II:i", B("{0} > {1}")),
    (0x57, "i64.le_s", "II:i", B(f"{S64}{{0}} <= {S64}{{1}}")),
    (0x58, "i64.le_u", "II:i", B("{0} <= {1}")),
    (0x59, "i64.ge_s", "II:i", B(f"{S64}{{0}} >= {S64}{{1}}")),
    (0x5A, "i64.ge_u", "II:i", B("{0} >= {1}")),
    # float comparisons (C comparisons are IEEE: false on NaN, except !=)
    (0x5B, "f32.eq", "ff:i", B("{0} == {1}")),
    (0x5C, "f32.ne", "ff:i", B("{0} != {1}")),
    (0x5D, "f32.lt", "ff:i", B("{0} < {1}")),
    (0x5E, "f32.gt", "ff:i", B("{0} > {1}")),
    (0x5F, "f32.le", "ff:i", B("{0} <= {1}")),
    (0x60, "f32.ge", "ff:i", B("{0} >= {1}")),
    (0x61, "f64.eq", "FF:i", B("{0} == {1}")),
    (0x62, "f64.ne", "FF:i", B("{0} != {1}")),
    (0x63, "f64.lt", "FF:i", B("{0} < {1}")),
    (0x64, "f64.gt", "FF:i", B("{0} > {1}")),
    (0x65, "f64.le", "FF:i", B("{0} <= {1}")),
    (0x66, "f64.ge", "FF:i", B("{0} >= {1}")),
    # i32 arithmetic
    (0x67, "i32.clz", "i:i", "wasmc_i32_clz({0})"),
    (0x68, "i32.ctz", "i:i", "wasmc_i32_ctz({0})"),
    (0x69, "i32.popcnt", "i:i", "(uint32_t)__builtin_popcount({0})"),
    (0x6A, "i32.add", "ii:i", "{0} + {1}"),
    (0x6B, "i32.sub", "ii:i", "{0} - {1}"),
    (0x6C, "i32.mul", "ii:i", "{0} * {1}"),
    (0x6D, "i32.div_s", "ii:i", "wasmc_i32_div_s({0}, {1})"),
    (0x6E, "i32.div_u", "ii:i", "wasmc_i32_div_u({0}, {1})"),
    (0x6F, "i32.rem_s", "ii:i", "wasmc_i32_rem_s({0}, {1})"),
    (0x70, "i32.rem_u", "ii:i", "wasmc_i32_rem_u({0}, {1})"),
    (0x71, "i32.and", "ii:i", "{0} & {1}"),
    (0x72, "i32.or", "ii:i", "{0} | {1}"),
    (0x73, "i32.xor", "ii:i", "{0} ^ {1}"),
    (0x74, "i32.shl", "ii:i", "{0} << ({1} & 31)"),
    (0x75, "i32.shr_s", "ii:i", f"(uint32_t)({S32}{{0}} >> ({{1}} & 31))"),
    (0x76, "i32.shr_u", "ii:i", "{0} >> ({1} & 31)"),
    (0x77, "i32.rotl", "ii:i", "wasmc_i32_rotl({0}, {1})"),
    (0x78, "i32.rotr", "ii:i", "wasmc_i32_rotr({0}, {1})"),
    # i64 arithmetic
    (0x79, "i64.clz", "I:I", "wasmc_i64_clz({0})"),
    (0x7A, "i64.ctz", "I:I", "wasmc_i64_ctz({0})"),
    (0x7B, "i64.popcnt", "I:I", "(uint64_t)__builtin_popcountll({0})"),
    (0x7C, "i64.add", "II:I", "{0} + {1}"),
    (0x7D, "i64.sub", "II:I", "{0} - {1}"),
    (0x7E, "i64.mul", "II:I", "{0} * {1}"),
    (0x7F, "i64.div_s", "II:I", "wasmc_i64_div_s({0}, {1})"),
    (0x80, "i64.div_u", "II:I", "wasmc_i64_div_u({0}, {1})"),
    (0x81, "i64.rem_s", "II:I", "wasmc_i64_rem_s({0}, {1})"),
    (0x82, "i64.rem_u", "II:I", "wasmc_i64_rem_u({0}, {1})"),
    (0x83, "i64.and", "II:I", "{0} & {1}"),
    (0x84, "i64.or", "II:I", "{0} | {1}"),
    (0x85, "i64.xor", "II:I", "{0} ^ {1}"),
    (0x86, "i64.shl", "II:I", "{0} << ({1} & 63)"),
    (0x87, "i64.shr_s", "II:I", f"(uint64_t)({S64}{{0}} >> ({{1}} & 63))"),
    (0x88, "i64.shr_u", "II:I", "{0} >> ({1} & 63)"),
    (0x89, "i64.rotl", "II:I", "wasmc_i64_rotl({0}, {1})"),
    (0x8A, "i64.rotr", "II:I", "wasmc_i64_rotr({0}, {1})"),
    # f32 arithmetic (bitwise ops on the representation where the spec says so)
    (0x8B, "f32.abs", "f:f", "wasmc_f32_abs({0})"),
    (0x8C, "f32.neg", "f:f", "wasmc_f32_neg({0})"),
    (0x8D, "f32.ceil", "f:f", ROUND("ceilf")),
    (0x8E, "f32.floor", "f:f", ROUND("floorf")),
    (0x8F, "f32.trunc", "f:f", ROUND("truncf")),
    (0x90, "f32.nearest", "f:f", ROUND("rintf")),
    (0x91, "f32.sqrt", "f:f", "__builtin_sqrtf({0})"),
    (0x92, "f32.add", "ff:f", "{0} + {1}"),
    (0x93, "f32.sub", "ff:f", "{0} - {1}"),
    (0x94, "f32.mul", "ff:f", "{0} * {1}"),
    (0x95, "f32.div", "ff:f", "{0} / {1}"),
    (0x96, "f32.min", "ff:f", "wasmc_f32_min({0}, {1})"),
    (0x97, "f32.max", "ff:f", "wasmc_f32_max({0}, {1})"),
    (0x98, "f32.copysign", "ff:f", "wasmc_f32_copysign({0}, {1})"),
    # f64 arithmetic
    (0x99, "f64.abs", "F:F", "wasmc_f64_abs({0})"),
    (0x9A, "f64.neg", "F:F", "wasmc_f64_neg({0})"),
    (0x9B, "f64.ceil", "F:F", ROUND("ceil")),
    (0x9C, "f64.floor", "F:F", ROUND("floor")),
    (0x9D, "f64.trunc", "F:F", ROUND("trunc")),
    (0x9E, "f64.nearest", "F:F", ROUND("rint")),
    (0x9F, "f64.sqrt", "F:F", "__builtin_sqrt({0})"),
    (0xA0, "f64.add", "FF:F", "{0} + {1}"),
    (0xA1, "f64.sub", "FF:F", "{0} - {1}"),
    (0xA2, "f64.mul", "FF:F", "{0} * {1}"),
    (0xA3, "f64.div", "FF:F", "{0} / {1}"),
    (0xA4, "f64.min", "FF:F", "wasmc_f64_min({0}, {1})"),
    (0xA5, "f64.max", "FF:F", "wasmc_f64_max({0}, {1})"),
    (0xA6, "f64.copysign", "FF:F", "wasmc_f64_copysign({0}, {1})"),
    # conversions
    (0xA7, "i32.wrap_i64", "I:i", "(uint32_t){0}"),
    (0xA8, "i32.trunc_f32_s", "f:i", "wasmc_i32_trunc_f32_s({0})"),
    (0xA9, "i32.trunc_f32_u", "f:i", "wasmc_i32_trunc_f32_u({0})"),
    (0xAA, "i32.trunc_f64_s", "F:i", "wasmc_i32_trunc_f64_s({0})"),
    (0xAB, "i32.trunc_f64_u", "F:i", "wasmc_i32_trunc_f64_u({0})"),
    (0xAC, "i64.extend_i32_s", "i:I", f"(uint64_t)(int64_t){S32}{{0}}"),
    (0xAD, "i64.extend_i32_u", "i:I", "(uint64_t){0}"),
    (0xAE, "i64.trunc_f32_s", "f:I", "wasmc_i64_trunc_f32_s({0})"),
    (0xAF, "i64.trunc_f32_u", "f:I", "wasmc_i64_trunc_f32_u({0})"),
    (0xB0, "i64.trunc_f64_s", "F:I", "wasmc_i64_trunc_f64_s({0})"),
    (0xB1, "i64.trunc_f64_u", "F:I", "wasmc_i64_trunc_f64_u({0})"),
    (0xB2, "f32.convert_i32_s", "i:f", f"(float){S32}{{0}}"),
    (0xB3, "f32.convert_i32_u", "i:f", "(float){0}"),
    (0xB4, "f32.convert_i64_s", "I:f", f"(float){S64}{{0}}"),
    (0xB5, "f32.convert_i64_u", "I:f", "(float){0}"),
    (0xB6, "f32.demote_f64", "F:f", "(float)wasmc_f64_opaque({0})"),
    (0xB7, "f64.convert_i32_s", "i:F", f"(double){S32}{{0}}"),
    (0xB8, "f64.convert_i32_u", "i:F", "(double){0}"),
    (0xB9, "f64.convert_i64_s", "I:F", f"(double){S64}{{0}}"),
    (0xBA, "f64.convert_i64_u", "I:F", "(double){0}"),
    (0xBB, "f64.promote_f32", "f:F", "(double){0}"),
    (0xBC, "i32.reinterpret_f32", "f:i", "wasmc_f32_bits({0})"),
    (0xBD, "i64.reinterpret_f64", "F:I", "wasmc_f64_bits({0})"),
    (0xBE, "f32.reinterpret_i32", "i:f", "wasmc_f32_from_bits({0})"),
    (0xBF, "f64.reinterpret_i64", "I:F", "wasmc_f64_from_bits({0})"),
]
for code, name, sig, c in _NUMERIC:
    _op(code, name, sig=sig, c=c)

for code, name, sig, c in [
    (0xC0, "i32.extend8_s", "i:i", "(uint32_t)(int32_t)(int8_t){0}"),
    (0xC1, "i32.extend16_s", "i:i", "(uint32_t)(int32_t)(int16_t){0}"),
    (0xC2, "i64.extend8_s", "I:I", "(uint64_t)(int64_t)(int8_t){0}"),
    (0xC3, "i64.extend16_s", "I:I", "(uint64_t)(int64_t)(int16_t){0}"),
    (0xC4, "i64.extend32_s", "I:I", "(uint64_t)(int64_t)(int32_t){0}"),
]:
    _op(code, name, sig=sig, c=c, group="sign-ext")

# --- reference types -----------------------------------------------------------------------
_op(0xD0, "ref.null", "reftype", group="ref")
_op(0xD1, "ref.is_null", group="ref")
_op(0xD2, "ref.func", "func", group="ref")
_op(0xD4, "ref.as_non_null", group="funcref")
_op(0xD5, "br_on_null", "label", group="funcref")
_op(0xD6, "br_on_non_null", "label", group="funcref")

# --- 0xFC prefix: saturating truncation, bulk memory, table operations ---------------------
for sub, name, sig in [
    (0, "i32.trunc_sat_f32_s", "f:i"),
    (1, "i32.trunc_sat_f32_u", "f:i"),
    (2, "i32.trunc_sat_f64_s", "F:i"),
    (3, "i32.trunc_sat_f64_u", "F:i"),
    (4, "i64.trunc_sat_f32_s", "f:I"),
    (5, "i64.trunc_sat_f32_u", "f:I"),
    (6, "i64.trunc_sat_f64_s", "F:I"),
    (7, "i64.trunc_sat_f64_u", "F:I"),
]:
    helper = "wasmc_" + name.replace(".", "_") + "({0})"
    _op(sub, name, sig=sig, c=helper, group="sat", prefix=PREFIX_FC)

_op(0x08, "memory.init", "memory.init", group="bulk", prefix=PREFIX_FC)
_op(0x09, "data.drop", "data", group="bulk", prefix=PREFIX_FC)
_op(0x0A, "memory.copy", "memory.copy", group="bulk", prefix=PREFIX_FC)
_op(0x0B, "memory.fill", "memory", group="bulk", prefix=PREFIX_FC)
_op(0x0C, "table.init", "table.init", group="bulk", prefix=PREFIX_FC)
_op(0x0D, "elem.drop", "elem", group="bulk", prefix=PREFIX_FC)
_op(0x0E, "table.copy", "table.copy", group="bulk", prefix=PREFIX_FC)
_op(0x0F, "table.grow", "table", group="ref", prefix=PREFIX_FC)
_op(0x10, "table.size", "table", group="ref", prefix=PREFIX_FC)
_op(0x11, "table.fill", "table", group="ref", prefix=PREFIX_FC)

# --- 0xFD prefix: fixed-width SIMD and relaxed SIMD ---------------------------------------
# The C of each instruction is a call into runtime/wasmc_simd.h (docs/simd.md): the
# mnemonic with "." as "_" after `wasmc_simd_`, operands in stack order, then the lane
# immediate. Memory instructions have no `c`: codegen/simd.py does the access (bounds
# checks, memory64) and passes the bits to the header (SIMD_MEMORY says how).
def _simd_c(name: str, n_operands: int, lane: bool = False) -> str:
    args = [f"{{{k}}}" for k in range(n_operands)] + (["{imm}"] if lane else [])
    return f"wasmc_simd_{name.replace('.', '_')}({', '.join(args)})"


# Loads and stores: (sub-opcode, name, immediate kind, signature, log2 of the bytes accessed)
for sub, name, imm, sig, align in [
    (0x00, "v128.load", "memarg", "i:V", 4),
    (0x01, "v128.load8x8_s", "memarg", "i:V", 3),
    (0x02, "v128.load8x8_u", "memarg", "i:V", 3),
    (0x03, "v128.load16x4_s", "memarg", "i:V", 3),
    (0x04, "v128.load16x4_u", "memarg", "i:V", 3),
    (0x05, "v128.load32x2_s", "memarg", "i:V", 3),
    (0x06, "v128.load32x2_u", "memarg", "i:V", 3),
    (0x07, "v128.load8_splat", "memarg", "i:V", 0),
    (0x08, "v128.load16_splat", "memarg", "i:V", 1),
    (0x09, "v128.load32_splat", "memarg", "i:V", 2),
    (0x0A, "v128.load64_splat", "memarg", "i:V", 3),
    (0x0B, "v128.store", "memarg", "iV:", 4),
    (0x54, "v128.load8_lane", "memarg_lane", "iV:V", 0),
    (0x55, "v128.load16_lane", "memarg_lane", "iV:V", 1),
    (0x56, "v128.load32_lane", "memarg_lane", "iV:V", 2),
    (0x57, "v128.load64_lane", "memarg_lane", "iV:V", 3),
    (0x58, "v128.store8_lane", "memarg_lane", "iV:", 0),
    (0x59, "v128.store16_lane", "memarg_lane", "iV:", 1),
    (0x5A, "v128.store32_lane", "memarg_lane", "iV:", 2),
    (0x5B, "v128.store64_lane", "memarg_lane", "iV:", 3),
    (0x5C, "v128.load32_zero", "memarg", "i:V", 2),
    (0x5D, "v128.load64_zero", "memarg", "i:V", 3),
]:
    _op(sub, name, imm, sig, group="simd", align=align, prefix=PREFIX_FD)

_op(0x0C, "v128.const", "v128", ":V", group="simd", prefix=PREFIX_FD)
_op(0x0D, "i8x16.shuffle", "shuffle", "VV:V",
    "WASMC_SIMD_I8X16_SHUFFLE({0}, {1}, " + ", ".join(f"{{imm[{k}]}}" for k in range(16)) + ")",
    group="simd", prefix=PREFIX_FD)

# Lane access: the lane index is an immediate (LANES gives each shape's lane count).
LANES = {"i8x16": 16, "i16x8": 8, "i32x4": 4, "i64x2": 2, "f32x4": 4, "f64x2": 2}
for sub, name, sig in [
    (0x15, "i8x16.extract_lane_s", "V:i"), (0x16, "i8x16.extract_lane_u", "V:i"),
    (0x17, "i8x16.replace_lane", "Vi:V"),
    (0x18, "i16x8.extract_lane_s", "V:i"), (0x19, "i16x8.extract_lane_u", "V:i"),
    (0x1A, "i16x8.replace_lane", "Vi:V"),
    (0x1B, "i32x4.extract_lane", "V:i"), (0x1C, "i32x4.replace_lane", "Vi:V"),
    (0x1D, "i64x2.extract_lane", "V:I"), (0x1E, "i64x2.replace_lane", "VI:V"),
    (0x1F, "f32x4.extract_lane", "V:f"), (0x20, "f32x4.replace_lane", "Vf:V"),
    (0x21, "f64x2.extract_lane", "V:F"), (0x22, "f64x2.replace_lane", "VF:V"),
]:
    _op(sub, name, "lane", sig, _simd_c(name, len(sig.split(":")[0]), lane=True),
        group="simd", prefix=PREFIX_FD)

# Everything else: operands and results fixed by the signature.
_SIMD = [
    (0x0E, "i8x16.swizzle", "VV:V"),
    (0x0F, "i8x16.splat", "i:V"), (0x10, "i16x8.splat", "i:V"), (0x11, "i32x4.splat", "i:V"),
    (0x12, "i64x2.splat", "I:V"), (0x13, "f32x4.splat", "f:V"), (0x14, "f64x2.splat", "F:V"),
    # comparisons
    (0x23, "i8x16.eq", "VV:V"), (0x24, "i8x16.ne", "VV:V"),
    (0x25, "i8x16.lt_s", "VV:V"), (0x26, "i8x16.lt_u", "VV:V"),
    (0x27, "i8x16.gt_s", "VV:V"), (0x28, "i8x16.gt_u", "VV:V"),
    (0x29, "i8x16.le_s", "VV:V"), (0x2A, "i8x16.le_u", "VV:V"),
    (0x2B, "i8x16.ge_s", "VV:V"), (0x2C, "i8x16.ge_u", "VV:V"),
    (0x2D, "i16x8.eq", "VV:V"), (0x2E, "i16x8.ne", "VV:V"),
    (0x2F, "i16x8.lt_s", "VV:V"), (0x30, "i16x8.lt_u", "VV:V"),
    (0x31, "i16x8.gt_s", "VV:V"), (0x32, "i16x8.gt_u", "VV:V"),
    (0x33, "i16x8.le_s", "VV:V"), (0x34, "i16x8.le_u", "VV:V"),
    (0x35, "i16x8.ge_s", "VV:V"), (0x36, "i16x8.ge_u", "VV:V"),
    (0x37, "i32x4.eq", "VV:V"), (0x38, "i32x4.ne", "VV:V"),
    (0x39, "i32x4.lt_s", "VV:V"), (0x3A, "i32x4.lt_u", "VV:V"),
    (0x3B, "i32x4.gt_s", "VV:V"), (0x3C, "i32x4.gt_u", "VV:V"),
    (0x3D, "i32x4.le_s", "VV:V"), (0x3E, "i32x4.le_u", "VV:V"),
    (0x3F, "i32x4.ge_s", "VV:V"), (0x40, "i32x4.ge_u", "VV:V"),
    (0x41, "f32x4.eq", "VV:V"), (0x42, "f32x4.ne", "VV:V"), (0x43, "f32x4.lt", "VV:V"),
    (0x44, "f32x4.gt", "VV:V"), (0x45, "f32x4.le", "VV:V"), (0x46, "f32x4.ge", "VV:V"),
    (0x47, "f64x2.eq", "VV:V"), (0x48, "f64x2.ne", "VV:V"), (0x49, "f64x2.lt", "VV:V"),
    (0x4A, "f64x2.gt", "VV:V"), (0x4B, "f64x2.le", "VV:V"), (0x4C, "f64x2.ge", "VV:V"),
    # bitwise
    (0x4D, "v128.not", "V:V"), (0x4E, "v128.and", "VV:V"), (0x4F, "v128.andnot", "VV:V"),
    (0x50, "v128.or", "VV:V"), (0x51, "v128.xor", "VV:V"), (0x52, "v128.bitselect", "VVV:V"),
    (0x53, "v128.any_true", "V:i"),
    (0x5E, "f32x4.demote_f64x2_zero", "V:V"), (0x5F, "f64x2.promote_low_f32x4", "V:V"),
    # i8x16
    (0x60, "i8x16.abs", "V:V"), (0x61, "i8x16.neg", "V:V"), (0x62, "i8x16.popcnt", "V:V"),
    (0x63, "i8x16.all_true", "V:i"), (0x64, "i8x16.bitmask", "V:i"),
    (0x65, "i8x16.narrow_i16x8_s", "VV:V"), (0x66, "i8x16.narrow_i16x8_u", "VV:V"),
    (0x67, "f32x4.ceil", "V:V"), (0x68, "f32x4.floor", "V:V"), (0x69, "f32x4.trunc", "V:V"),
    (0x6A, "f32x4.nearest", "V:V"),
    (0x6B, "i8x16.shl", "Vi:V"), (0x6C, "i8x16.shr_s", "Vi:V"), (0x6D, "i8x16.shr_u", "Vi:V"),
    (0x6E, "i8x16.add", "VV:V"), (0x6F, "i8x16.add_sat_s", "VV:V"),
    (0x70, "i8x16.add_sat_u", "VV:V"), (0x71, "i8x16.sub", "VV:V"),
    (0x72, "i8x16.sub_sat_s", "VV:V"), (0x73, "i8x16.sub_sat_u", "VV:V"),
    (0x74, "f64x2.ceil", "V:V"), (0x75, "f64x2.floor", "V:V"),
    (0x76, "i8x16.min_s", "VV:V"), (0x77, "i8x16.min_u", "VV:V"),
    (0x78, "i8x16.max_s", "VV:V"), (0x79, "i8x16.max_u", "VV:V"),
    (0x7A, "f64x2.trunc", "V:V"), (0x7B, "i8x16.avgr_u", "VV:V"),
    (0x7C, "i16x8.extadd_pairwise_i8x16_s", "V:V"),
    (0x7D, "i16x8.extadd_pairwise_i8x16_u", "V:V"),
    (0x7E, "i32x4.extadd_pairwise_i16x8_s", "V:V"),
    (0x7F, "i32x4.extadd_pairwise_i16x8_u", "V:V"),
    # i16x8
    (0x80, "i16x8.abs", "V:V"), (0x81, "i16x8.neg", "V:V"),
    (0x82, "i16x8.q15mulr_sat_s", "VV:V"),
    (0x83, "i16x8.all_true", "V:i"), (0x84, "i16x8.bitmask", "V:i"),
    (0x85, "i16x8.narrow_i32x4_s", "VV:V"), (0x86, "i16x8.narrow_i32x4_u", "VV:V"),
    (0x87, "i16x8.extend_low_i8x16_s", "V:V"), (0x88, "i16x8.extend_high_i8x16_s", "V:V"),
    (0x89, "i16x8.extend_low_i8x16_u", "V:V"), (0x8A, "i16x8.extend_high_i8x16_u", "V:V"),
    (0x8B, "i16x8.shl", "Vi:V"), (0x8C, "i16x8.shr_s", "Vi:V"), (0x8D, "i16x8.shr_u", "Vi:V"),
    (0x8E, "i16x8.add", "VV:V"), (0x8F, "i16x8.add_sat_s", "VV:V"),
    (0x90, "i16x8.add_sat_u", "VV:V"), (0x91, "i16x8.sub", "VV:V"),
    (0x92, "i16x8.sub_sat_s", "VV:V"), (0x93, "i16x8.sub_sat_u", "VV:V"),
    (0x94, "f64x2.nearest", "V:V"), (0x95, "i16x8.mul", "VV:V"),
    (0x96, "i16x8.min_s", "VV:V"), (0x97, "i16x8.min_u", "VV:V"),
    (0x98, "i16x8.max_s", "VV:V"), (0x99, "i16x8.max_u", "VV:V"),
    (0x9B, "i16x8.avgr_u", "VV:V"),
    (0x9C, "i16x8.extmul_low_i8x16_s", "VV:V"), (0x9D, "i16x8.extmul_high_i8x16_s", "VV:V"),
    (0x9E, "i16x8.extmul_low_i8x16_u", "VV:V"), (0x9F, "i16x8.extmul_high_i8x16_u", "VV:V"),
    # i32x4
    (0xA0, "i32x4.abs", "V:V"), (0xA1, "i32x4.neg", "V:V"),
    (0xA3, "i32x4.all_true", "V:i"), (0xA4, "i32x4.bitmask", "V:i"),
    (0xA7, "i32x4.extend_low_i16x8_s", "V:V"), (0xA8, "i32x4.extend_high_i16x8_s", "V:V"),
    (0xA9, "i32x4.extend_low_i16x8_u", "V:V"), (0xAA, "i32x4.extend_high_i16x8_u", "V:V"),
    (0xAB, "i32x4.shl", "Vi:V"), (0xAC, "i32x4.shr_s", "Vi:V"), (0xAD, "i32x4.shr_u", "Vi:V"),
    (0xAE, "i32x4.add", "VV:V"), (0xB1, "i32x4.sub", "VV:V"), (0xB5, "i32x4.mul", "VV:V"),
    (0xB6, "i32x4.min_s", "VV:V"), (0xB7, "i32x4.min_u", "VV:V"),
    (0xB8, "i32x4.max_s", "VV:V"), (0xB9, "i32x4.max_u", "VV:V"),
    (0xBA, "i32x4.dot_i16x8_s", "VV:V"),
    (0xBC, "i32x4.extmul_low_i16x8_s", "VV:V"), (0xBD, "i32x4.extmul_high_i16x8_s", "VV:V"),
    (0xBE, "i32x4.extmul_low_i16x8_u", "VV:V"), (0xBF, "i32x4.extmul_high_i16x8_u", "VV:V"),
    # i64x2
    (0xC0, "i64x2.abs", "V:V"), (0xC1, "i64x2.neg", "V:V"),
    (0xC3, "i64x2.all_true", "V:i"), (0xC4, "i64x2.bitmask", "V:i"),
    (0xC7, "i64x2.extend_low_i32x4_s", "V:V"), (0xC8, "i64x2.extend_high_i32x4_s", "V:V"),
    (0xC9, "i64x2.extend_low_i32x4_u", "V:V"), (0xCA, "i64x2.extend_high_i32x4_u", "V:V"),
    (0xCB, "i64x2.shl", "Vi:V"), (0xCC, "i64x2.shr_s", "Vi:V"), (0xCD, "i64x2.shr_u", "Vi:V"),
    (0xCE, "i64x2.add", "VV:V"), (0xD1, "i64x2.sub", "VV:V"), (0xD5, "i64x2.mul", "VV:V"),
    (0xD6, "i64x2.eq", "VV:V"), (0xD7, "i64x2.ne", "VV:V"), (0xD8, "i64x2.lt_s", "VV:V"),
    (0xD9, "i64x2.gt_s", "VV:V"), (0xDA, "i64x2.le_s", "VV:V"), (0xDB, "i64x2.ge_s", "VV:V"),
    (0xDC, "i64x2.extmul_low_i32x4_s", "VV:V"), (0xDD, "i64x2.extmul_high_i32x4_s", "VV:V"),
    (0xDE, "i64x2.extmul_low_i32x4_u", "VV:V"), (0xDF, "i64x2.extmul_high_i32x4_u", "VV:V"),
    # f32x4, f64x2
    (0xE0, "f32x4.abs", "V:V"), (0xE1, "f32x4.neg", "V:V"), (0xE3, "f32x4.sqrt", "V:V"),
    (0xE4, "f32x4.add", "VV:V"), (0xE5, "f32x4.sub", "VV:V"), (0xE6, "f32x4.mul", "VV:V"),
    (0xE7, "f32x4.div", "VV:V"), (0xE8, "f32x4.min", "VV:V"), (0xE9, "f32x4.max", "VV:V"),
    (0xEA, "f32x4.pmin", "VV:V"), (0xEB, "f32x4.pmax", "VV:V"),
    (0xEC, "f64x2.abs", "V:V"), (0xED, "f64x2.neg", "V:V"), (0xEF, "f64x2.sqrt", "V:V"),
    (0xF0, "f64x2.add", "VV:V"), (0xF1, "f64x2.sub", "VV:V"), (0xF2, "f64x2.mul", "VV:V"),
    (0xF3, "f64x2.div", "VV:V"), (0xF4, "f64x2.min", "VV:V"), (0xF5, "f64x2.max", "VV:V"),
    (0xF6, "f64x2.pmin", "VV:V"), (0xF7, "f64x2.pmax", "VV:V"),
    # conversions
    (0xF8, "i32x4.trunc_sat_f32x4_s", "V:V"), (0xF9, "i32x4.trunc_sat_f32x4_u", "V:V"),
    (0xFA, "f32x4.convert_i32x4_s", "V:V"), (0xFB, "f32x4.convert_i32x4_u", "V:V"),
    (0xFC, "i32x4.trunc_sat_f64x2_s_zero", "V:V"), (0xFD, "i32x4.trunc_sat_f64x2_u_zero", "V:V"),
    (0xFE, "f64x2.convert_low_i32x4_s", "V:V"), (0xFF, "f64x2.convert_low_i32x4_u", "V:V"),
]
for sub, name, sig in _SIMD:
    _op(sub, name, sig=sig, c=_simd_c(name, len(sig.split(":")[0])), group="simd",
        prefix=PREFIX_FD)

# Relaxed SIMD (Wasm 3.0): one deterministic choice each, documented in docs/simd.md.
for sub, name, sig in [
    (0x100, "i8x16.relaxed_swizzle", "VV:V"),
    (0x101, "i32x4.relaxed_trunc_f32x4_s", "V:V"), (0x102, "i32x4.relaxed_trunc_f32x4_u", "V:V"),
    (0x103, "i32x4.relaxed_trunc_f64x2_s_zero", "V:V"),
    (0x104, "i32x4.relaxed_trunc_f64x2_u_zero", "V:V"),
    (0x105, "f32x4.relaxed_madd", "VVV:V"), (0x106, "f32x4.relaxed_nmadd", "VVV:V"),
    (0x107, "f64x2.relaxed_madd", "VVV:V"), (0x108, "f64x2.relaxed_nmadd", "VVV:V"),
    (0x109, "i8x16.relaxed_laneselect", "VVV:V"), (0x10A, "i16x8.relaxed_laneselect", "VVV:V"),
    (0x10B, "i32x4.relaxed_laneselect", "VVV:V"), (0x10C, "i64x2.relaxed_laneselect", "VVV:V"),
    (0x10D, "f32x4.relaxed_min", "VV:V"), (0x10E, "f32x4.relaxed_max", "VV:V"),
    (0x10F, "f64x2.relaxed_min", "VV:V"), (0x110, "f64x2.relaxed_max", "VV:V"),
    (0x111, "i16x8.relaxed_q15mulr_s", "VV:V"),
    (0x112, "i16x8.relaxed_dot_i8x16_i7x16_s", "VV:V"),
    (0x113, "i32x4.relaxed_dot_i8x16_i7x16_add_s", "VVV:V"),
]:
    _op(sub, name, sig=sig, c=_simd_c(name, len(sig.split(":")[0])), group="relaxed-simd",
        prefix=PREFIX_FD)

# --- 0xFE prefix: threads (atomic accesses, wait and notify, fence) ----------------------
# No `c`: codegen/atomics.py writes them (plain accesses for an unshared memory, __atomic
# builtins for a shared one). align is log2 of the bytes accessed, as for loads and stores;
# an atomic memarg must claim exactly that alignment. The address operand is written i32
# here; the validator takes i64 for a 64-bit memory, as for every load and store.
_ATOMIC = dict(group="threads", prefix=PREFIX_FE)
_op(0x00, "memory.atomic.notify", "memarg_atomic", "ii:i", align=2, **_ATOMIC)
_op(0x01, "memory.atomic.wait32", "memarg_atomic", "iiI:i", align=2, **_ATOMIC)
_op(0x02, "memory.atomic.wait64", "memarg_atomic", "iII:i", align=3, **_ATOMIC)
_op(0x03, "atomic.fence", "fence", ((), ()), **_ATOMIC)
# The seven widths of each access: (value type, bits accessed or "" for all, letter, align);
# the narrow ones zero-extend what they read: "i32.atomic.load8_u", "i64.atomic.rmw16.add_u",
# and "i32.atomic.store8".
_ATOMIC_WIDTHS = [("i32", "", "i", 2), ("i64", "", "I", 3), ("i32", "8", "i", 0),
                  ("i32", "16", "i", 1), ("i64", "8", "I", 0), ("i64", "16", "I", 1),
                  ("i64", "32", "I", 2)]
for k, (ty, bits, t, align) in enumerate(_ATOMIC_WIDTHS):
    u = "_u" if bits else ""
    _op(0x10 + k, f"{ty}.atomic.load{bits}{u}", "memarg_atomic", f"i:{t}", align=align,
        **_ATOMIC)
    _op(0x17 + k, f"{ty}.atomic.store{bits}", "memarg_atomic", f"i{t}:", align=align,
        **_ATOMIC)
    for base, rmw in [(0x1E, "add"), (0x25, "sub"), (0x2C, "and"), (0x33, "or"),
                      (0x3A, "xor"), (0x41, "xchg"), (0x48, "cmpxchg")]:
        sig = f"i{t}{t}:{t}" if rmw == "cmpxchg" else f"i{t}:{t}"
        _op(base + k, f"{ty}.atomic.rmw{bits}.{rmw}{u}", "memarg_atomic", sig, align=align,
            **_ATOMIC)

# (prefix or None, opcode byte or sub-opcode) -> row
BY_CODE: dict[tuple[int | None, int], Op] = {(op.prefix, op.code): op for op in OPS}
BY_NAME: dict[str, Op] = {op.name: op for op in OPS}
assert len(BY_CODE) == len(OPS) and len(BY_NAME) == len(OPS), "duplicate opcode rows"

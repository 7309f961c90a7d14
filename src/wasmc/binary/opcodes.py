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
    prefix: int | None = None  # the prefix byte (PREFIX_FC, PREFIX_FD), or None

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

# (prefix or None, opcode byte or sub-opcode) -> row
BY_CODE: dict[tuple[int | None, int], Op] = {(op.prefix, op.code): op for op in OPS}
BY_NAME: dict[str, Op] = {op.name: op for op in OPS}
assert len(BY_CODE) == len(OPS) and len(BY_NAME) == len(OPS), "duplicate opcode rows"

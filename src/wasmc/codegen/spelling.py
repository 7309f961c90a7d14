"""How Wasm types and values are spelled in the generated C."""

from __future__ import annotations

from ..binary.module import (
    EXN,
    EXNREF,
    EXTERN,
    EXTERNREF,
    F32,
    F64,
    FUNCREF,
    I32,
    I64,
    V128,
    FuncType,
    ref_family,
)


class ByValType(dict):
    """A table keyed by value type. Every reference type is looked up as its family's
    nullable abstract type ("funcref" or "externref"): `(ref $t)`, `(ref null func)` and
    `funcref` all have the same C representation (`const wasmc_func *`)."""

    def __missing__(self, valtype: str) -> str:
        family = ref_family(valtype)
        if family is None:
            raise KeyError(valtype)
        value = self[EXTERNREF if family == EXTERN else EXNREF if family == EXN else FUNCREF]
        self[valtype] = value
        return value


C_TYPE = ByValType({
    I32: "uint32_t",
    I64: "uint64_t",
    F32: "float",
    F64: "double",
    FUNCREF: "const wasmc_func *",
    EXTERNREF: "void *",
    EXNREF: "wasmc_exn *",
    V128: "wasmc_v128",  # a 16-byte vector type (runtime/wasmc_simd.h)
})
# Short names used in slot variables (s3_i32) and signature names (wasmc_fn_iI_f).
SHORT = ByValType({I32: "i32", I64: "i64", F32: "f32", F64: "f64", FUNCREF: "fr",
                   EXTERNREF: "er", EXNREF: "xr", V128: "v128"})
SIG_LETTER = ByValType({I32: "i", I64: "I", F32: "f", F64: "F", FUNCREF: "r", EXTERNREF: "e",
                        EXNREF: "x", V128: "V"})
# The wasmc_global union member that holds each type (a v128's is a byte array, read and
# written with wasmc_simd_load/wasmc_simd_store: see ModuleEmitter.global_read).
GLOBAL_FIELD = ByValType({I32: "i32", I64: "i64", F32: "f32", F64: "f64", FUNCREF: "ref",
                          EXTERNREF: "ref", EXNREF: "ref", V128: "v128"})


# A raw access of 2**align bytes of linear memory: (C type, load helper, store helper), the
# wasmc_numeric.h helpers that SIMD's partial loads and stores and the plain atomics use.
SCALAR_ACCESS = {
    0: ("uint8_t", "wasmc_load_i32_u8", "wasmc_store_u8_from32"),
    1: ("uint16_t", "wasmc_load_u16_raw", "wasmc_store_u16_from32"),
    2: ("uint32_t", "wasmc_load_u32", "wasmc_store_u32"),
    3: ("uint64_t", "wasmc_load_u64", "wasmc_store_u64"),
}


def zero_value(valtype: str) -> str:
    """The C initializer of a local or slot of this type that holds zero (or null)."""
    return "{0}" if valtype == V128 else "0"


_SIG_NAMES: dict[tuple, str] = {}  # (params, results) -> sig_name


def sig_name(ft: FuncType) -> str:
    """A C identifier fragment naming a function type: [i32 i64] -> [f32] is `iI_f`.

    It names the C signature, not the Wasm type: `(ref $t)` and `funcref` share the letter
    `r`, so the typedefs, invokers and host adapters that depend only on the C signature are
    emitted once. Wasm type identity is `type_id`'s job."""
    key = (ft.params, ft.results)
    name = _SIG_NAMES.get(key)
    if name is None:
        name = _SIG_NAMES[key] = "".join(SIG_LETTER[t] for t in ft.params) + "_" + "".join(
            SIG_LETTER[t] for t in ft.results)
    return name


def type_id(ft: FuncType) -> int:
    """The canonical id of a function type: FNV-1a (64 bit) of its signature text.

    Ids are compared across separately compiled modules (call_indirect through an imported
    table), so they must not depend on type indices: pass the canonical type
    (`Module.canonical_types`), whose references to defined types are structural names.
    Two different signatures colliding in 64 bits is negligible for the few thousand
    signatures a program has."""
    h = 0xCBF29CE484222325
    # A member of a larger recursion group is told apart by its canonical name.
    text = ",".join(ft.params) + "->" + ",".join(ft.results) + (f"@{ft.rec}" if ft.rec else "")
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def result_type(ft: FuncType) -> str:
    """The C return type of a function of this Wasm type."""
    if not ft.results:
        return "void"
    if len(ft.results) == 1:
        return C_TYPE[ft.results[0]]
    return "wasmc_results_" + "".join(SIG_LETTER[t] for t in ft.results)


def results_struct(results: tuple[str, ...]) -> str:
    """The typedef of the struct that carries several results."""
    name = "wasmc_results_" + "".join(SIG_LETTER[t] for t in results)
    fields = " ".join(f"{C_TYPE[t]} r{k};" for k, t in enumerate(results))
    return f"typedef struct {{ {fields} }} {name};"


def fn_pointer_type(ft: FuncType) -> str:
    return "wasmc_fn_" + sig_name(ft)


def fn_pointer_typedef(ft: FuncType) -> str:
    params = "".join(", " + C_TYPE[t] for t in ft.params)
    return f"typedef {result_type(ft)} (*{fn_pointer_type(ft)})(void *env{params});"


def fast_pointer_type(ft: FuncType) -> str:
    """The type of a pointer to a function's internal fast entry (WASMC_CC, see wasmc.h)."""
    return "wasmc_fastfn_" + sig_name(ft)


def fast_param_type(valtype: str, widened: bool) -> str:
    """A parameter's C type in the prototype of a fast body p<N>. A `widened` i32 travels
    as a `uint64_t` holding its zero-extended value, which the body may then assume
    (ModuleEmitter.widened_params)."""
    return "uint64_t" if widened else C_TYPE[valtype]


# How many integer-class parameters (in general-purpose registers) come before a fast
# body's memory base (see membase_position).
MEMBASE_AFTER_INTS = 3


def membase_position(ft: FuncType) -> int:
    """Where a fast body's memory base `m0` goes among the Wasm parameters of type `ft`
    (ModuleEmitter.fast_membase): after the third that travels in a general-purpose
    register, else last. With env first, that is the fifth argument register of
    preserve_none on x86-64 (r12, r13, r14, r15, rdi, ...): `rdi`, which needs no REX
    prefix. Clang stores a value's second byte as `mov %ah, (base,index)`, which only
    registers without a REX prefix can address; with `m0` in r13 it copied the base to
    another register and back around each such store (docs/performance.md)."""
    ints = 0
    for k, t in enumerate(ft.params):
        if ints == MEMBASE_AFTER_INTS:
            return k
        if t not in (F32, F64, V128):
            ints += 1
    return len(ft.params)


def without_params(ft: FuncType, dropped: frozenset[int]) -> FuncType:
    """`ft` without the parameters at the positions `dropped`."""
    return FuncType(tuple(t for k, t in enumerate(ft.params) if k not in dropped), ft.results)


def fast_pointer_typedef(ft: FuncType, membase: bool = False,
                         widened: frozenset[int] = frozenset(),
                         dropped: frozenset[int] = frozenset()) -> str:
    """`membase`: fast bodies take memory 0's base (ModuleEmitter.fast_membase, at
    membase_position); `widened`: the positions of the i32 parameters passed as uint64_t;
    `dropped`: those that fast bodies do not take (ModuleEmitter.dropped_params)."""
    params = [", " + fast_param_type(t, k in widened) for k, t in enumerate(ft.params)
              if k not in dropped]
    if membase:
        params.insert(membase_position(without_params(ft, dropped)), ", uint8_t *")
    return (f"typedef {result_type(ft)} (WASMC_CC *{fast_pointer_type(ft)})"
            f"(void *env{''.join(params)});")


def type_id_expr(ft: FuncType) -> str:
    """The C expression of a function type's id."""
    return f"UINT64_C({type_id(ft):#x})"


def const_literal(valtype: str, bits: int) -> str:
    """A C expression with exactly this value (floats given by their IEEE bits)."""
    if valtype == I32:
        return f"UINT32_C({bits:#x})"
    if valtype == I64:
        return f"UINT64_C({bits:#x})"
    if valtype == F32:
        return f"wasmc_f32_const(UINT32_C({bits:#x}))"
    if valtype == F64:
        return f"wasmc_f64_const(UINT64_C({bits:#x}))"
    if valtype == V128:  # the 16 bytes as one little-endian int: low half first
        return (f"wasmc_simd_const(UINT64_C({bits & 0xFFFFFFFFFFFFFFFF:#x}), "
                f"UINT64_C({bits >> 64:#x}))")
    raise ValueError(valtype)


# Values cross into and out of compiled code as arrays of uint64_t slots: the arguments and
# results of host functions, of the invokers the Python API calls, and of the tail-call
# trampoline (docs/tail-calls.md). slot_stores and slot_loads are the one way C code moves
# values to and from slots; a value may take more than one slot (a v128 takes two: its low
# half, bytes 0-7, then its high half).


def slot_width(valtype: str) -> int:
    """The uint64_t slots a value of this type takes."""
    return 2 if valtype == V128 else 1


def slot_count(types: tuple[str, ...]) -> int:
    """The uint64_t slots values of these types take, one after the other."""
    return sum(map(slot_width, types))


def slot_stores(types: tuple[str, ...], values: list[str], array: str) -> list[str]:
    """C statements storing `values` (C expressions of `types`) into `array`'s slots, from
    slot 0 on."""
    stores, k = [], 0
    for t, value in zip(types, values, strict=True):
        if t == V128:  # one statement (`value` may be a call): a block with a temporary
            stores.append(f"{{ wasmc_v128 v = {value}; {array}[{k}] = wasmc_simd_lo(v); "
                          f"{array}[{k + 1}] = wasmc_simd_hi(v); }}")
        else:
            stores.append(f"{array}[{k}] = {to_slot(t, value)};")
        k += slot_width(t)
    return stores


def slot_loads(types: tuple[str, ...], array: str) -> list[str]:
    """C expressions of values of `types` read from `array`'s slots, from slot 0 on."""
    loads, k = [], 0
    for t in types:
        if t == V128:
            loads.append(f"wasmc_simd_from_u64x2({array}[{k}], {array}[{k + 1}])")
        else:
            loads.append(from_slot(t, f"{array}[{k}]"))
        k += slot_width(t)
    return loads


def to_slot(valtype: str, expr: str) -> str:
    """C expression converting a value to its uint64_t slot form (see slot_stores)."""
    if valtype == I32 or valtype == I64:
        return f"(uint64_t){expr}"
    if valtype == F32:
        return f"(uint64_t)wasmc_f32_bits({expr})"
    if valtype == F64:
        return f"wasmc_f64_bits({expr})"
    return f"(uint64_t)(uintptr_t)({expr})"


def from_slot(valtype: str, expr: str) -> str:
    """C expression converting a uint64_t slot to a value of this type (see slot_loads)."""
    if valtype == I32:
        return f"(uint32_t){expr}"
    if valtype == I64:
        return expr
    if valtype == F32:
        return f"wasmc_f32_from_bits((uint32_t){expr})"
    if valtype == F64:
        return f"wasmc_f64_from_bits({expr})"
    return f"({C_TYPE[valtype]})(uintptr_t){expr}"


def c_string(text: str) -> str:
    """A C string literal for any text (names may contain anything): the UTF-8 bytes, each
    one that is not a printable ASCII character as an octal escape."""
    out = []
    for byte in text.encode("utf-8", "surrogateescape"):
        ch = chr(byte)
        # ASCII only: chr() of a UTF-8 byte >= 0x80 is a Latin-1 letter (isalnum), which
        # written out would become two different bytes.
        if byte < 0x80 and (ch.isalnum() or ch in " _-.:[]()$<>,/+=#@!~^&|;{}'"):
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def c_comment(text: str) -> str:
    """Text safe to put inside a /* comment */."""
    if text.isprintable() and "\\" not in text:
        safe = text
    else:
        safe = "".join(ch if ch.isprintable() and ch != "\\" else "?" for ch in text)
    return safe.replace("*/", "*_/")

"""Run one module under Wasmtime and under wasmc, in lockstep, and compare what they do.

Everything is compared as raw bits: Wasmtime's Python wrappers turn f32 results into Python
floats (through a C double, which quiets signalling NaNs), so the calls below go through its
C API directly.

What is compared, for a module:
  1. instantiation: success, or the trap kind (start function, segment initialization);
  2. every exported function, called `calls` times with fixed arguments (see `arguments`):
     its results, or the trap kind, or the uncaught exception (its tag, by export name, and
     its payload: an outcome of its own); after every call, every exported global;
  3. at the end: every exported memory (size and bytes), table (size and entries) and
     global.

Values: integers bit for bit; floats bit for bit, except that when the module was made
without NaN canonicalization two NaNs are equal whatever their bits (Wasm lets the sign and
payload of an arithmetic NaN vary) as long as both are quiet or both signalling (the quiet
bit is not up to the engine: arithmetic must return a quiet NaN, everything else passes a
NaN's bits through), and so are integers and memory bytes that are such NaN bit patterns on
both sides (a NaN that went through a reinterpret or a store). Function
references are compared by the export name of the function they point to; exnrefs as null
or not (the engines share no identity for them).

"call stack exhausted": the engines have different stack limits, so exhaustion on one side
only is legitimate for deep recursion, and a bug in shallow code. The depth the call reaches
is measured (depth.py: the module is rerun on Wasmtime with every function wrapped in a
counter). Exhaustion in wasmc only, at fewer than DEEP_RECURSION frames, is a mismatch; any
other exhaustion makes the rest of the module inconclusive (the engines have done different
amounts of work since).
"""

from __future__ import annotations

import ctypes
import hashlib
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from wasmc import api
from wasmc.errors import Trap, WasmException

from .exports import Export, read_exports

# ---- trap kinds ------------------------------------------------------------------------------

EXHAUSTED = "call stack exhausted"

# Frames a call must reach before wasmc may run out of stack on it. wasmc runs Wasm on the
# calling thread's C stack (8 MiB for a main thread), so 1,000 frames leave 8 KiB each: more
# than any function short of thousands of locals needs. Wasm-smith's fuel (--ensure-
# termination, 1,000 calls and loop iterations per instance) keeps the fuzzer's modules
# below that depth, so there a stack exhaustion in wasmc only is always a finding.
DEEP_RECURSION = 1000

# wasmc's messages (the spec's), mapped to one kind per distinguishable trap. Wasmtime does
# not tell a call_indirect index past the table's end ("undefined element") from other table
# accesses out of bounds, so both are one kind; nor `throw_ref` of a null exnref ("null
# exception reference") from other null references (one trap code, NULL_REFERENCE).
_WASMC_KINDS = {
    "undefined element": "out of bounds table access",
    "null exception reference": "null reference",
}

_WASMTIME_KINDS = {
    wasmtime.TrapCode.STACK_OVERFLOW: EXHAUSTED,
    wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: "out of bounds memory access",
    wasmtime.TrapCode.HEAP_MISALIGNED: "unaligned atomic",  # (only atomics need alignment)
    wasmtime.TrapCode.TABLE_OUT_OF_BOUNDS: "out of bounds table access",
    wasmtime.TrapCode.INDIRECT_CALL_TO_NULL: "uninitialized element",
    wasmtime.TrapCode.BAD_SIGNATURE: "indirect call type mismatch",
    wasmtime.TrapCode.INTEGER_OVERFLOW: "integer overflow",
    wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO: "integer divide by zero",
    wasmtime.TrapCode.BAD_CONVERSION_TO_INTEGER: "invalid conversion to integer",
    wasmtime.TrapCode.UNREACHABLE: "unreachable",
    wasmtime.TrapCode.NULL_REFERENCE: "null reference",
}


def wasmc_trap_kind(message: str) -> str:
    return _WASMC_KINDS.get(message, message)


def wasmtime_trap_kind(trap: wasmtime.Trap) -> str:
    code = trap.trap_code
    if code is not None and code in _WASMTIME_KINDS:
        return _WASMTIME_KINDS[code]
    return f"wasmtime: {trap.message.splitlines()[0] if trap.message else code}"


# ---- values ------------------------------------------------------------------------------------

NUMERIC = ("i32", "i64", "f32", "f64", "v128")
_SIZES = {"i32": 4, "f32": 4, "i64": 8, "f64": 8, "v128": 16}  # bytes of a numeric value
REFS = ("funcref", "externref", "exnref")
_SHORT_REF_NAMES = {"func": "funcref", "extern": "externref", "exn": "exnref"}

# Fixed argument values, as raw bits: 0, 1, -1, the sign bit, the largest positive, a value
# past a small memory's end, NaN, infinity, -0.0, 2^31 and 2^63 (conversion edges).
ARGUMENT_BITS: dict[str, tuple[int, ...]] = {
    "i32": (0, 1, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0x10000, 42),
    "i64": (0, 1, 2**64 - 1, 2**63, 2**63 - 1, 0x100000000, 42),
    "f32": (0x00000000, 0x3F800000, 0xBFC00000, 0x7FC00000, 0x7F800000, 0x80000000,
            0x4F000000, 0x5F000000),
    "f64": (0, 0x3FF0000000000000, 0xBFF8000000000000, 0x7FF8000000000000,
            0x7FF0000000000000, 2**63, 0x41E0000000000000, 0x43E0000000000000),
    # v128 (lane 0 in the low bits), ordered so that the first parameter's two calls get the
    # float lanes (values 0 and 3): f32 lanes 1.0, NaN, -0.0, inf; bytes around 16, 0x80 and
    # 0xff (swizzle indices in and out of range, sign edges); i16 lanes at the saturation
    # edges; f64 lanes NaN and -1.5; zero; all ones; bytes 0..15; i32 lanes 2^31, 2^31-1, 1, -1
    "v128": (0x7F800000_80000000_7FC00000_3F800000,
             int.from_bytes(bytes((0x0F, 0x10, 0x11, 0x1F, 0x20, 0x7F, 0x80, 0x81, 0xFE, 0xFF,
                                   0x00, 0x01, 0x07, 0x08, 0x3F, 0x40)), "little"),
             0x8000_7FFF_0000_FFFF_8001_7FFE_0001_FF80,
             0xBFF8000000000000_7FF8000000000000,
             0, 2**128 - 1, int.from_bytes(bytes(range(16)), "little"),
             0xFFFFFFFF_00000001_7FFFFFFF_80000000),
}


def arguments(params: tuple[str, ...], call: int) -> list[int]:
    """The raw arguments of call number `call` (0, 1, ...) of a function: each parameter
    takes a different value of its type's list, shifted by three per call. References
    are always null."""
    out = []
    for position, t in enumerate(params):
        values = ARGUMENT_BITS.get(t)
        out.append(0 if values is None else values[(call * 3 + position) % len(values)])
    return out


@dataclass(frozen=True)
class Value:
    """A Wasm value: numbers as raw bits, references as the export name of the function
    (None for null, "?" for a function that is not exported)."""

    type: str
    bits: int | None = None
    ref: str | None = None

    def __str__(self) -> str:
        if self.type in REFS or self.bits is None:
            return f"{self.type}:{'null' if self.ref is None else self.ref}"
        if self.type == "v128":  # as four i32 lanes, lane 0 first
            lanes = " ".join(f"{self.bits >> (32 * k) & 0xFFFFFFFF:#010x}" for k in range(4))
            return f"v128:i32x4({lanes})"
        if self.type in ("i32", "i64"):
            width = 32 if self.type == "i32" else 64
            signed = self.bits - (1 << width) if self.bits >> (width - 1) else self.bits
            return f"{self.type}:{signed}"
        fmt = ("<I", "<f") if self.type == "f32" else ("<Q", "<d")
        number = struct.unpack(fmt[1], struct.pack(fmt[0], self.bits))[0]
        digits = 8 if self.type == "f32" else 16
        return f"{self.type}:{number!r}(0x{self.bits:0{digits}x})"


def is_nan_bits(t: str, bits: int) -> bool:
    if t in ("f32", "i32"):
        return (bits & 0x7F800000) == 0x7F800000 and (bits & 0x007FFFFF) != 0
    return (bits & 0x7FF0000000000000) == 0x7FF0000000000000 and (bits & (2**52 - 1)) != 0


def _quiet_bit(t: str, bits: int) -> int:
    return bits & (0x00400000 if t in ("f32", "i32") else 0x0008000000000000)


def alike_nans(t: str, x: int, y: int) -> bool:
    """Both NaNs, and both quiet or both signalling: the sign and the rest of the payload
    of an arithmetic NaN may vary between engines, its quiet bit may not."""
    return is_nan_bits(t, x) and is_nan_bits(t, y) and _quiet_bit(t, x) == _quiet_bit(t, y)


def same_value(a: Value, b: Value, exact_nans: bool) -> bool:
    if a.type != b.type:
        return False
    if a.type in REFS:
        return a.ref == b.ref
    if a.bits == b.bits:
        return True
    assert a.bits is not None and b.bits is not None
    # Without canonicalization a NaN's bits may differ, also after a reinterpret.
    if exact_nans:
        return False
    if a.type == "v128":
        return _alike_v128(a.bits, b.bits)
    return alike_nans(a.type, a.bits, b.bits)


def _alike_v128(x: int, y: int) -> bool:
    """Whether two v128s differ only in NaN lanes: every 32-bit lane equal or an alike f32
    NaN on both sides, or every 64-bit lane equal or an alike f64 NaN (a v128 does not say
    how its lanes were last used; the rule is that of memory bytes)."""
    for width, t in ((32, "f32"), (64, "f64")):
        mask = (1 << width) - 1
        lanes = [(x >> k & mask, y >> k & mask) for k in range(0, 128, width)]
        if all(p == q or alike_nans(t, p, q) for p, q in lanes):
            return True
    return False


@dataclass(frozen=True)
class Thrown:
    """An uncaught Wasm exception: its tag, by the tag's first export name ("?" for a tag
    that is not exported), and its payload."""

    tag: str
    values: tuple[Value, ...] = ()

    def __str__(self) -> str:
        return f"tag {self.tag!r} (" + ", ".join(map(str, self.values)) + ")"


@dataclass(frozen=True)
class Outcome:
    """What one call (or the instantiation) did: results, a trap, an uncaught exception
    (an outcome of its own, never a trap), or an engine failure."""

    values: tuple[Value, ...] = ()
    trap: str | None = None  # the trap kind
    error: str | None = None  # anything else: the engine failed (not a Wasm trap)
    thrown: Thrown | None = None  # an exception that no handler caught

    @property
    def exhausted(self) -> bool:
        return self.trap == EXHAUSTED

    def __str__(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        if self.trap is not None:
            return f"trap: {self.trap}"
        if self.thrown is not None:
            return f"uncaught exception: {self.thrown}"
        return "(" + ", ".join(map(str, self.values)) + ")"


def _same_values(a: tuple[Value, ...], b: tuple[Value, ...], exact_nans: bool) -> bool:
    return len(a) == len(b) and all(same_value(x, y, exact_nans)
                                    for x, y in zip(a, b, strict=True))


def same_outcome(a: Outcome, b: Outcome, exact_nans: bool) -> bool:
    if a.error is not None or b.error is not None:
        return False
    if a.trap is not None or b.trap is not None:
        return a.trap == b.trap
    if a.thrown is not None or b.thrown is not None:
        return (a.thrown is not None and b.thrown is not None and a.thrown.tag == b.thrown.tag
                and _same_values(a.thrown.values, b.thrown.values, exact_nans))
    return _same_values(a.values, b.values, exact_nans)


# ---- memories ---------------------------------------------------------------------------------

PAGE = 65536
CHUNK = 1 << 20
# Bigger memories (after a large memory.grow) are compared by size, their first 128 MiB and
# their last 16 MiB: reading 4 GiB twice per module would dominate the run.
FULL_COMPARE_LIMIT = 256 << 20
_HEAD, _TAIL = 128 << 20, 16 << 20


def _compared_ranges(size: int) -> Iterator[tuple[int, int]]:
    spans = [(0, size)] if size <= FULL_COMPARE_LIMIT else [(0, _HEAD), (size - _TAIL, size)]
    for start, end in spans:
        for offset in range(start, end, CHUNK):
            yield offset, min(CHUNK, end - offset)


def _nan_explains(a: bytes, b: bytes, start: int, end: int) -> bool:
    """Whether the differing bytes a[start:end] lie inside a 4- or 8-byte window that is a
    NaN on both sides, alike (any alignment: stores need not be aligned)."""
    for width, fmt, t in ((4, "<I", "f32"), (8, "<Q", "f64")):
        if end - start > width:
            continue
        for p in range(max(0, end - width), min(start, len(a) - width) + 1):
            x = struct.unpack_from(fmt, a, p)[0]
            y = struct.unpack_from(fmt, b, p)[0]
            if alike_nans(t, x, y):
                return True
    return False


def memory_difference(read_a: Callable[[int, int], bytes], read_b: Callable[[int, int], bytes],
                      size: int, exact_nans: bool) -> str | None:
    """None if the memories hold the same bytes, else where they first differ."""
    for offset, n in _compared_ranges(size):
        a, b = read_a(offset, n), read_b(offset, n)
        if a == b:
            continue
        k = 0
        while k < n:
            if a[k] == b[k]:
                k += 1
                continue
            end = k
            while end < n and a[end] != b[end]:
                end += 1
            # a window around the run, from the chunk (a NaN across chunks is not tolerated)
            if exact_nans or not _nan_explains(a, b, k, end):
                return (f"bytes differ at {offset + k:#x}: wasmtime {a[k:k + 16].hex()} "
                        f"wasmc {b[k:k + 16].hex()}")
            k = end
    return None


def digest(read: Callable[[int, int], bytes], size: int) -> str:
    h = hashlib.sha256()
    for offset, n in _compared_ranges(size):
        h.update(read(offset, n))
    return h.hexdigest()[:16]


# ---- the engines ----------------------------------------------------------------------------

# wasmtime_val_t kinds (WASMTIME_I32 ...; 8 is WASMTIME_EXNREF, which wasmtime-py does not name)
_WT_KIND = {0: "i32", 1: "i64", 2: "f32", 3: "f64", 4: "v128", 5: "funcref", 6: "externref",
            8: "exnref"}


def _wt_valtype(t: wasmtime.ValType) -> str:
    text = str(t)
    return "externref" if text == "anyref" else text  # the Wasm C API's old name


def module_exports(module: wasmtime.Module) -> list[Export]:
    """The exports as wasmtime-py sees them. Aborts the process on an exnref type (see
    exports.py, which compare_module uses when it has the module's bytes)."""
    out = []
    for e in module.exports:
        t = e.type
        if isinstance(t, wasmtime.FuncType):
            out.append(Export(e.name, "func", tuple(_wt_valtype(p) for p in t.params),
                              tuple(_wt_valtype(r) for r in t.results)))
        elif isinstance(t, wasmtime.MemoryType):
            out.append(Export(e.name, "memory"))
        elif isinstance(t, wasmtime.TableType):
            out.append(Export(e.name, "table", valtype=_wt_valtype(t.element)))
        elif isinstance(t, wasmtime.GlobalType):
            out.append(Export(e.name, "global", valtype=_wt_valtype(t.content)))
        else:
            out.append(Export(e.name, type(t).__name__))
    return out


def _func_key(f: Any) -> tuple[int, int]:
    return (f.store_id, getattr(f, "__private") or 0)


class WasmtimeSide:
    """The reference: one module in one Store."""

    def __init__(self, engine: wasmtime.Engine, module: wasmtime.Module):
        self.store = wasmtime.Store(engine)
        self.module = module
        self.instance: wasmtime.Instance | None = None
        self.externs: dict[str, Any] = {}
        self.func_names: dict[tuple[int, int], str] = {}
        self.tags: list[tuple[str, wasmtime.Tag]] = []  # exported tags, in export order

    def instantiate(self) -> Outcome:
        try:
            self.instance = wasmtime.Instance(self.store, self.module, [])
        except wasmtime.Trap as trap:
            return self._thrown() or Outcome(trap=wasmtime_trap_kind(trap))
        except wasmtime.WasmtimeError as err:  # (how wasmtime-py reports an uncaught exception)
            return self._thrown() or Outcome(error=str(err).splitlines()[0])
        exports = self.instance.exports(self.store)
        for e in self.module.exports:
            ext = exports[e.name]
            self.externs[e.name] = ext
            if isinstance(ext, wasmtime.Func):
                self.func_names.setdefault(_func_key(ext._func), e.name)
            elif isinstance(ext, wasmtime.Tag):
                self.tags.append((e.name, ext))
        return Outcome()

    def _thrown(self) -> Outcome | None:
        """After a failure: the uncaught exception, if that is what it was. Wasmtime reports
        one as a trap without a trap code (a call) or as an error (instantiation), "thrown
        Wasm exception", and keeps the exception in the store."""
        context = self.store._context()
        if not ffi.wasmtime_context_has_exception(context):
            return None
        exn = ffi.wasmtime_exnref_t()
        ffi.wasmtime_context_take_exception(context, ctypes.byref(exn))
        try:
            raw_tag = ffi.wasmtime_tag_t()
            error = ffi.wasmtime_exnref_tag(context, ctypes.byref(exn), ctypes.byref(raw_tag))
            if error:
                return Outcome(error=str(wasmtime.WasmtimeError._from_ptr(error)))
            # (during instantiation no tag is known yet: "?", as on wasmc's side)
            tag = wasmtime.Tag._from_raw(raw_tag)
            name = next((n for n, t in self.tags if t.eq(self.store, tag)), "?")
            values = []
            for k in range(ffi.wasmtime_exnref_field_count(context, ctypes.byref(exn))):
                raw = ffi.wasmtime_val_t()
                error = ffi.wasmtime_exnref_field(context, ctypes.byref(exn), k,
                                                  ctypes.byref(raw))
                if error:
                    return Outcome(error=str(wasmtime.WasmtimeError._from_ptr(error)))
                values.append(self._value(raw))
                ffi.wasmtime_val_unroot(ctypes.byref(raw))
            return Outcome(thrown=Thrown(name, tuple(values)))
        finally:
            ffi.wasmtime_exnref_unroot(ctypes.byref(exn))

    def _value(self, raw: Any) -> Value:
        kind = raw.kind
        t = _WT_KIND.get(kind, f"kind{kind}")
        if t in NUMERIC:
            size = _SIZES[t]
            data = ctypes.string_at(ctypes.addressof(raw.of), size)
            return Value(t, bits=int.from_bytes(data, "little"))
        if t == "funcref":
            f = raw.of.funcref
            if f.store_id == 0:
                return Value(t)
            return Value(t, ref=self.func_names.get(_func_key(f), "?"))
        if t == "externref":
            return Value(t, ref=None if raw.of.externref.store_id == 0 else "extern")
        if t == "exnref":  # compared as null or not (no identity across engines)
            return Value(t, ref=None if raw.of.exnref.store_id == 0 else "exn")
        return Value(t, ref="?")

    def call(self, name: str, export: Export, args: list[int]) -> Outcome:
        func = self.externs[name]
        n, m = len(export.params), len(export.results)
        params = (ffi.wasmtime_val_t * max(1, n))()
        for k, (t, bits) in enumerate(zip(export.params, args, strict=True)):
            kind = {v: k2 for k2, v in _WT_KIND.items()}[t]
            params[k].kind = kind
            ctypes.memset(ctypes.addressof(params[k].of), 0, ctypes.sizeof(params[k].of))
            if t in NUMERIC:
                size = _SIZES[t]
                ctypes.memmove(ctypes.addressof(params[k].of), bits.to_bytes(size, "little"),
                               size)
        results = (ffi.wasmtime_val_t * max(1, m))()
        trap = ctypes.POINTER(ffi.wasm_trap_t)()
        error = ffi.wasmtime_func_call(self.store._context(), ctypes.byref(func._func), params, n,
                                       results, m, ctypes.byref(trap))
        if error:
            message = str(wasmtime.WasmtimeError._from_ptr(error)).splitlines()[0]
            return self._thrown() or Outcome(error=message)
        if trap:
            trap_ = wasmtime.Trap._from_ptr(trap)  # (deleted with this object)
            return self._thrown() or Outcome(trap=wasmtime_trap_kind(trap_))
        values = tuple(self._value(results[k]) for k in range(m))
        for k in range(m):
            ffi.wasmtime_val_unroot(ctypes.byref(results[k]))
        return Outcome(values)

    def global_value(self, name: str) -> Value:
        raw = ffi.wasmtime_val_t()
        ffi.wasmtime_global_get(self.store._context(), ctypes.byref(self.externs[name]._global),
                                ctypes.byref(raw))
        value = self._value(raw)
        ffi.wasmtime_val_unroot(ctypes.byref(raw))
        return value

    def memory_pages(self, name: str) -> int:
        mem = self.externs[name]
        # A shared memory (wasmtime.SharedMemory) belongs to no store; its size() and
        # data_ptr() pass a pointer to its pointer to the C API (wasmtime-py 50), so the C
        # API is called directly.
        if isinstance(mem, wasmtime.SharedMemory):
            return ffi.wasmtime_sharedmemory_size(mem.ptr())
        return mem.size(self.store)

    def memory_reader(self, name: str) -> Callable[[int, int], bytes]:
        mem = self.externs[name]
        ptr = (ffi.wasmtime_sharedmemory_data(mem.ptr()) if isinstance(mem, wasmtime.SharedMemory)
               else mem.data_ptr(self.store))
        base = ctypes.cast(ptr, ctypes.c_void_p).value or 0
        return lambda offset, n: ctypes.string_at(base + offset, n)

    def table_size(self, name: str) -> int:
        return self.externs[name].size(self.store)

    def table_entry(self, name: str, index: int) -> Value:
        raw = ffi.wasmtime_val_t()
        table = self.externs[name]
        if not ffi.wasmtime_table_get(self.store._context(), ctypes.byref(table._table), index,
                                      ctypes.byref(raw)):
            return Value("?", ref="out of bounds")
        value = self._value(raw)
        ffi.wasmtime_val_unroot(ctypes.byref(raw))
        return value


class WasmcSide:
    """wasmc: a compiled module, instantiated through the Python API."""

    def __init__(self, compiled: api.CompiledModule):
        self.compiled = compiled
        self.instance: api.Instance | None = None
        self.func_names: dict[int, str] = {}

    def instantiate(self) -> Outcome:
        try:
            self.instance = self.compiled.instantiate()
        except Trap as trap:
            return Outcome(trap=wasmc_trap_kind(trap.message))
        except WasmException as exc:  # from the start function
            return Outcome(thrown=self._thrown(exc))
        except Exception as exc:  # noqa: BLE001 - reported as an engine error
            return Outcome(error=f"{type(exc).__name__}: {exc}")
        for name, ext in self.instance.exports.items():
            if isinstance(ext, api.Func):
                self.func_names.setdefault(ext.address, name)
        return Outcome()

    def _value(self, t: str, raw: int) -> Value:
        if t in NUMERIC:
            return Value(t, bits=raw & ((1 << 8 * _SIZES[t]) - 1))
        if t == "funcref":
            return Value(t, ref=None if raw == 0 else self.func_names.get(raw, "?"))
        if t == "exnref":
            return Value(t, ref=None if raw == 0 else "exn")
        return Value(t, ref=None if raw == 0 else "extern")

    def _thrown(self, exc: WasmException) -> Thrown:
        """The uncaught exception as raised by the API, its payload as raw bits
        (`WasmException.raw_values`), since the API's Python floats would quiet a signalling
        f32 NaN on the way."""
        tag_names = {}
        for name, ext in (self.instance.exports if self.instance is not None else {}).items():
            if isinstance(ext, api.Tag):
                tag_names.setdefault(ext.address, name)
        name = "?" if exc.tag is None else tag_names.get(exc.tag.address, "?")
        raw = exc.raw_values
        assert raw is not None, "an exception from Wasm carries its raw payload"
        types = exc.tag.type.params if exc.tag is not None else ("i64",) * len(raw)
        # A tag's types are canonical, "(ref null exn)" for exnref: the short names here.
        types = tuple(_SHORT_REF_NAMES.get(api.ref_family(t), t) for t in types)
        return Thrown(name, tuple(self._value(t, r) for t, r in zip(types, raw, strict=True)))

    def call(self, name: str, export: Export, args: list[int]) -> Outcome:
        assert self.instance is not None
        func = self.instance.exports[name]
        assert isinstance(func, api.Func)
        try:
            raw = func.call_raw(list(args))
        except Trap as trap:
            return Outcome(trap=wasmc_trap_kind(trap.message))
        except WasmException as exc:
            return Outcome(thrown=self._thrown(exc))
        return Outcome(tuple(self._value(t, r) for t, r in zip(export.results, raw,
                                                              strict=True)))

    def global_value(self, name: str, valtype: str) -> Value:
        assert self.instance is not None
        g = self.instance.exports[name]
        assert isinstance(g, api.Global)
        return self._value(valtype, g.raw)

    def memory_pages(self, name: str) -> int:
        assert self.instance is not None
        mem = self.instance.exports[name]
        assert isinstance(mem, api.Memory)
        return mem.size

    def memory_reader(self, name: str) -> Callable[[int, int], bytes]:
        assert self.instance is not None
        mem = self.instance.exports[name]
        assert isinstance(mem, api.Memory)
        return mem.read

    def table_size(self, name: str) -> int:
        assert self.instance is not None
        table = self.instance.exports[name]
        assert isinstance(table, api.Table)
        return table.size

    def table_entry(self, name: str, index: int, elem: str) -> Value:
        assert self.instance is not None
        table = self.instance.exports[name]
        assert isinstance(table, api.Table)
        entry = table.get(index)
        if elem == "funcref":
            return Value(elem, ref=None if entry is None else
                         self.func_names.get(entry.address, "?"))
        if elem == "exnref":
            return Value(elem, ref=None if entry is None else "exn")
        return Value(elem, ref=None if entry is None else "extern")


# ---- comparing a module --------------------------------------------------------------------

TABLE_COMPARE_LIMIT = 20_000  # entries compared per table (tables may grow to millions)

# Why a module is inconclusive (Comparison.reason), so that runs can count the reasons.
BOTH_EXHAUSTED = "call stack exhausted on both sides"
WASMTIME_EXHAUSTED = "call stack exhausted in Wasmtime only"
WASMC_EXHAUSTED_DEEP = f"call stack exhausted in wasmc only, at {DEEP_RECURSION}+ frames"
WASMTIME_CANNOT_INSTANTIATE = "Wasmtime cannot instantiate it"
WASMTIME_FAILED = "Wasmtime failed in a call"
WASMTIME_HANG = "Wasmtime ran past the watchdog"  # (decided in differential.py)
INCONCLUSIVE_REASONS = (BOTH_EXHAUSTED, WASMTIME_EXHAUSTED, WASMC_EXHAUSTED_DEEP,
                        WASMTIME_CANNOT_INSTANTIATE, WASMTIME_FAILED, WASMTIME_HANG)


def exhaustion_verdict(reference: Outcome, subject: Outcome,
                       depth: Callable[[], int | None]) -> tuple[str, str, str]:
    """(status, reason or aspect, detail) when at least one side ran out of stack.
    `depth()` measures the frames the call reaches (on Wasmtime; None if it cannot)."""
    if reference.exhausted and subject.exhausted:
        return "inconclusive", BOTH_EXHAUSTED, ""
    frames = depth()
    reached = ("unknown depth" if frames is None
               else f"{frames} frame{'' if frames == 1 else 's'} deep")
    if reference.exhausted:
        return "inconclusive", WASMTIME_EXHAUSTED, f"({reached})"
    if frames is not None and frames >= DEEP_RECURSION:
        return "inconclusive", WASMC_EXHAUSTED_DEEP, f"({reached})"
    # Shallow code (or a depth that could not be measured): wasmc had no reason to stop.
    return "mismatch", "stack exhausted", f"(the call is {reached}; Wasmtime: {reference})"


@dataclass
class Comparison:
    """The verdict on one module. `aspect` names what differed (for grouping findings):
    instantiate, result, trap, global, memory, table, engine-error; empty if nothing did."""

    status: str = "same"  # same | mismatch | inconclusive
    aspect: str = ""
    reason: str = ""  # why inconclusive, as a category (see INCONCLUSIVE_REASONS)
    detail: str = ""
    calls: int = 0
    thrown: int = 0  # calls (and instantiations) that ended in an uncaught exception
    exnref_calls: int = 0  # calls of functions with exnref parameters or results
    v128_calls: int = 0  # calls of functions with v128 parameters or results
    transcript: list[str] = field(default_factory=list)  # what Wasmtime did, call by call


def compare_module(reference: WasmtimeSide, subject: WasmcSide | None, *, exact_nans: bool,
                   calls_per_export: int = 2,
                   before_call: Callable[[str, int, str], None] | None = None,
                   wasm: bytes | None = None) -> Comparison:
    """Run both sides in lockstep; stop at the first difference. Without a subject, only
    Wasmtime runs (for the transcript of what a module should do). `before_call(export,
    call, engine)` is told before each engine runs each call. `wasm` (the module's bytes)
    lets a stack exhaustion on one side be judged by the depth of the call (depth.py);
    without it such an exhaustion in wasmc is a mismatch."""
    from .depth import call_depth

    result = Comparison()
    # from the bytes when we have them: wasmtime-py aborts on exnref types (exports.py)
    exports = read_exports(wasm) if wasm is not None else module_exports(reference.module)
    history: list[tuple[str, list[int]]] = []  # the calls made so far, for call_depth

    def differ(aspect: str, detail: str) -> Comparison:
        result.status, result.aspect, result.detail = "mismatch", aspect, detail
        return result

    def inconclusive(reason: str, detail: str) -> Comparison:
        result.status, result.reason, result.detail = "inconclusive", reason, detail
        return result

    def exhausted(a: Outcome, b: Outcome, where: str) -> Comparison:
        def depth() -> int | None:
            return None if wasm is None else call_depth(wasm, history)

        status, why, detail = exhaustion_verdict(a, b, depth)
        detail = f"call stack exhausted {where}: wasmtime {a}, wasmc {b} {detail}".strip()
        return inconclusive(why, detail) if status == "inconclusive" else differ(why, detail)

    if before_call is not None:
        before_call("(instantiation)", 0, "wasmtime")
    a = reference.instantiate()
    if before_call is not None and subject is not None:
        before_call("(instantiation)", 0, "wasmc")
    b = a if subject is None else subject.instantiate()
    result.transcript.append(f"instantiate: {a}")
    if a.exhausted or b.exhausted:
        return exhausted(a, b, "in the start function")
    if a.error is not None:
        return inconclusive(WASMTIME_CANNOT_INSTANTIATE, f"wasmtime could not instantiate: "
                                                         f"{a.error}")
    if not same_outcome(a, b, exact_nans):
        return differ("instantiate", f"instantiate: wasmtime {a}, wasmc {b}")
    if a.trap is not None or a.thrown is not None:
        result.thrown += a.thrown is not None
        return result  # the instance is gone on both sides (the state is not observable)

    globals_ = [e for e in exports if e.kind == "global"]

    def globals_difference() -> str | None:
        if subject is None:
            return None
        for g in globals_:
            x, y = reference.global_value(g.name), subject.global_value(g.name, g.valtype)
            if not same_value(x, y, exact_nans):
                return f"global {g.name!r}: wasmtime {x}, wasmc {y}"
        return None

    for e in exports:
        if e.kind != "func":
            continue
        for k in range(calls_per_export):
            args = arguments(e.params, k)
            shown = ", ".join(str(Value(t, bits=v) if t in NUMERIC else Value(t))
                              for t, v in zip(e.params, args, strict=True))
            if before_call is not None:
                before_call(e.name, k, "wasmtime")
            history.append((e.name, args))
            a = reference.call(e.name, e, args)
            if before_call is not None and subject is not None:
                before_call(e.name, k, "wasmc")
            b = a if subject is None else subject.call(e.name, e, args)
            result.calls += 1
            result.thrown += a.thrown is not None
            result.exnref_calls += "exnref" in e.params + e.results
            result.v128_calls += "v128" in e.params + e.results
            result.transcript.append(f"invoke {e.name!r}({shown}) -> {a}")
            if a.exhausted or b.exhausted:
                return exhausted(a, b, f"in {e.name!r}({shown})")
            if a.error is not None:
                return inconclusive(WASMTIME_FAILED,
                                    f"wasmtime failed in {e.name!r}({shown}): {a.error}")
            if not same_outcome(a, b, exact_nans):
                aspect = ("exception" if a.thrown is not None or b.thrown is not None
                          else "trap" if a.trap is not None or b.trap is not None
                          else "result")
                if b.error is not None:
                    aspect = "engine-error"
                return differ(aspect, f"{e.name!r}({shown}): wasmtime {a}, wasmc {b}")
            diff = globals_difference()
            if diff is not None:
                return differ("global", f"after {e.name!r}({shown}): {diff}")

    for e in exports:
        if e.kind == "memory":
            pa = reference.memory_pages(e.name)
            result.transcript.append(
                f"memory {e.name!r}: {pa} pages, sha256 "
                f"{digest(reference.memory_reader(e.name), pa * PAGE)}")
            if subject is None:
                continue
            pb = subject.memory_pages(e.name)
            if pa != pb:
                return differ("memory", f"memory {e.name!r}: wasmtime {pa} pages, wasmc {pb}")
            diff = memory_difference(reference.memory_reader(e.name),
                                     subject.memory_reader(e.name), pa * PAGE, exact_nans)
            if diff is not None:
                return differ("memory", f"memory {e.name!r}: {diff}")
        elif e.kind == "table" and subject is not None:
            sa, sb = reference.table_size(e.name), subject.table_size(e.name)
            if sa != sb:
                return differ("table", f"table {e.name!r}: wasmtime size {sa}, wasmc {sb}")
            for i in range(min(sa, TABLE_COMPARE_LIMIT)):
                x = reference.table_entry(e.name, i)
                y = subject.table_entry(e.name, i, e.valtype)
                if not same_value(x, y, exact_nans):
                    return differ("table", f"table {e.name!r}[{i}]: wasmtime {x}, wasmc {y}")
        elif e.kind == "global":
            result.transcript.append(f"global {e.name!r}: {reference.global_value(e.name)}")
    diff = globals_difference()
    if diff is not None:
        return differ("global", f"at the end: {diff}")
    return result

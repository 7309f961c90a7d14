"""Values and externals: what Wasm and Python pass to each other.

Values travel as uint64 slots (`to_raw`/`from_raw`): two's complement integers, IEEE bits
for floats, a `wasmc_func` address for a funcref, a handle for an externref. A v128 is one
128-bit raw value (lane 0 in the low bits) that takes two slots, low half first
(`raw_to_slots`/`slots_to_raw`). Externals are
the things an instance imports and exports: `Func`, `Memory`, `Table`, `Global`, `Tag`.
Each holds the `Store` that owns its C object (store.py).
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Callable
from typing import Any

from .binary.module import (
    EXN,
    EXTERN,
    F32,
    F64,
    FUNC,
    I32,
    I64,
    V128,
    FuncType,
    GlobalType,
    Limits,
    MemoryType,
    TableType,
    ref_family,
)
from .codegen.spelling import slot_count, slot_width, type_id
from .errors import InstantiationError, Trap, WasmException
from .native import (
    HOST_CALLBACK,
    Runtime,
    WasmcFunc,
    WasmcHostFunc,
    WasmcInvocation,
    default_runtime,
)
from .store import ExternTable, Store

PAGE_SIZE = 65536  # bytes in a Wasm page


def value_type(name: str) -> str:
    """A value type as wasmc spells it, checked: "i32", "i64", "f32", "f64", "v128",
    "funcref", "externref" (or wasmc.I32 ... which are those strings)."""
    if name in (I32, I64, F32, F64, V128) or (isinstance(name, str) and ref_family(name)):
        return name
    raise TypeError(f"unknown value type {name!r} (expected i32, i64, f32, f64, v128, funcref "
                    f"or externref)")


def func_type(ftype: FuncType | tuple) -> FuncType:
    """A FuncType from a FuncType (its params and results may be lists) or a pair
    (params, results)."""
    params, results = (ftype.params, ftype.results) if isinstance(ftype, FuncType) else ftype
    return FuncType(tuple(value_type(t) for t in params), tuple(value_type(t) for t in results))


# Handles made without a store (call_raw users: the spec runner, the CLI) live here, for
# the whole process; the API's own conversions use the handle table of the store.
_process_externs = ExternTable()


def extern_handle(obj: Any, store: Store | None = None) -> int:
    """The raw slot value of an externref holding `obj` (None is the null reference),
    kept by `store` (by the process without one)."""
    if obj is None:
        return 0
    return (store.root()._externs if store is not None else _process_externs).handle(obj)


def extern_object(raw: int, store: Store | None = None) -> Any:
    """The object an externref slot value refers to."""
    if raw == 0:
        return None
    if store is not None:
        objects = store.root()._externs.objects
        if raw in objects:
            return objects[raw]
    return _process_externs.objects.get(raw, raw)


_INT_BITS = {I32: 32, I64: 64, V128: 128}
_MASK64 = (1 << 64) - 1


def raw_to_slots(types: tuple[str, ...], raws: list[int]) -> list[int]:
    """Raw values of `types` as the uint64 slots C code reads (a v128 takes two)."""
    slots: list[int] = []
    for t, raw in zip(types, raws, strict=True):
        if slot_width(t) == 2:
            slots += [raw & _MASK64, (raw >> 64) & _MASK64]
        else:
            slots.append(raw)
    return slots


def slots_to_raw(types: tuple[str, ...], slots) -> list[int]:
    """The raw values of `types` held in uint64 slots from slot 0 on (see raw_to_slots)."""
    raws, k = [], 0
    for t in types:
        if slot_width(t) == 2:
            raws.append(slots[k] | slots[k + 1] << 64)
        else:
            raws.append(slots[k])
        k += slot_width(t)
    return raws


def to_raw(valtype: str, value: Any, store: Store | None = None) -> int:
    """A typed Python value as a uint64 slot (two's complement ints, IEEE bits for floats).
    An int must fit the type, signed or unsigned (an i32 is in [-2**31, 2**32)); a float
    type takes an int or a float. Raises TypeError or ValueError otherwise, rather than
    truncating 1.5 to 1 or wrapping 2**32 to 0.
    `store`: where the value goes; a function reference passed there joins its group (see
    store.py), since C code there may keep it."""
    bits = _INT_BITS.get(valtype)
    if valtype == V128 and isinstance(value, bytes | bytearray):
        if len(value) != 16:
            raise ValueError(f"a v128 takes 16 bytes, got {len(value)}")
        return int.from_bytes(value, "little")
    if bits is not None:
        if not isinstance(value, int):
            raise TypeError(f"expected an int for {valtype}, got {type(value).__name__}")
        if not -(1 << (bits - 1)) <= value < (1 << bits):
            raise ValueError(f"{value} is out of range for {valtype}")
        return value & ((1 << bits) - 1)
    if valtype in (F32, F64) and not isinstance(value, int | float):
        raise TypeError(f"expected a float for {valtype}, got {type(value).__name__}")
    if valtype == F32:
        return struct.unpack("<I", struct.pack("<f", value))[0]
    if valtype == F64:
        return struct.unpack("<Q", struct.pack("<d", value))[0]
    family = ref_family(valtype)  # (ref $t), (ref func), ... are funcrefs here
    if family == EXTERN:
        return extern_handle(value, store)
    if family == EXN:  # an exnref: the address of its wasmc_exn (an Exn), or None
        return 0 if value is None else value.address
    if family == FUNC:
        if value is None:
            return 0
        if not isinstance(value, Func):
            raise TypeError(f"expected a Func or None for {valtype}, got {type(value).__name__}")
        if store is not None:
            store.merge(value._store)
        return value.address
    raise TypeError(f"unknown value type {valtype}")


def from_raw(valtype: str, raw: int, store: Store | None = None) -> Any:
    """A uint64 slot as a typed Python value (signed ints, floats, Func/None, objects).
    `store`: where the value comes from (a function reference is looked up there)."""
    if valtype == I32:
        raw &= 0xFFFFFFFF
        return raw - (1 << 32) if raw >> 31 else raw
    if valtype == I64:
        return raw - (1 << 64) if raw >> 63 else raw
    if valtype == V128:  # its 16 bytes, lane 0 first
        return raw.to_bytes(16, "little")
    if valtype == F32:
        return struct.unpack("<f", struct.pack("<I", raw & 0xFFFFFFFF))[0]
    if valtype == F64:
        return struct.unpack("<d", struct.pack("<Q", raw))[0]
    family = ref_family(valtype)
    if family == EXTERN:
        return extern_object(raw, store)
    if family == EXN:
        return None if raw == 0 else Exn(raw)
    if family == FUNC:
        return None if raw == 0 else Func._from_address(raw, store)
    raise TypeError(f"unknown value type {valtype}")


class Func:
    """A Wasm function (an export, a funcref, or a host function made from Python).

    `type` is canonical (Module.canonical_types): it compares equal across modules exactly
    when the Wasm types are equal."""

    def __init__(self, address: int, ftype: FuncType, invoker: tuple[Runtime, int] | None,
                 store: Store):
        self.address = address  # of its wasmc_func
        self.type = ftype
        self._invoker = invoker  # (runtime, the C invoker for its type), None: host function
        self._store = store  # owns the wasmc_func and whatever it belongs to
        self._python: Callable | None = None
        store.root()._funcs.setdefault(address, self)

    @classmethod
    def _from_address(cls, address: int, store: Store | None) -> Func:
        """The Func of a funcref: the one already made for it, or a new one that calls it
        through an invoker for its type (which some module of its store has)."""
        if store is None:
            return _UnknownFunc(address)
        root = store.root()
        known = root._funcs.get(address)
        if known is not None:
            return known
        wanted = WasmcFunc.from_address(address).type_id
        for module in root._modules:
            for ft in module.module.canonical_types():
                if isinstance(ft, FuncType) and type_id(ft) == wanted:
                    return cls(address, ft, module._invoker(ft), root)
        return _UnknownFunc(address)

    name: str | None = None  # the export name, or the Python function's, for repr

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Func) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __repr__(self) -> str:
        name = f" {self.name}" if self.name else ""
        return f"<wasmc.Func{name}: {self.type}>"

    @classmethod
    def from_python(cls, ftype: FuncType | tuple, fn: Callable[..., Any]) -> Func:
        """A host function of type `ftype` (a FuncType, or a pair of sequences of value types:
        `(["i32", "i32"], ["i32"])`): `fn` receives typed arguments and returns None, a value
        or a tuple. An exception raised by `fn` traps the Wasm code that called it."""
        ftype = func_type(ftype)
        rt = default_runtime()
        store = Store()
        # Weak: the store keeps this callback alive, and a strong reference back would be a
        # cycle (freed only by the cycle collector). The group is alive while Wasm calls it.
        store_ref = store.ref()

        def callback(_data, slots):
            try:
                store = store_ref()
                args = [from_raw(t, raw, store)
                        for t, raw in zip(ftype.params, slots_to_raw(ftype.params, slots),
                                          strict=True)]
                result = fn(*args)
                results = () if result is None else result if isinstance(result, tuple) else (
                    result,)
                if len(results) != len(ftype.results):
                    raise TypeError(f"host function returned {len(results)} values, "
                                    f"expected {len(ftype.results)}")
                raws = [to_raw(t, v, store) for t, v in zip(ftype.results, results, strict=True)]
                for k, slot in enumerate(raw_to_slots(ftype.results, raws)):
                    slots[k] = slot
                return 0
            except Trap as trap:
                rt.lib.wasmc_set_host_error(trap.message.encode())
            except WasmException as exc:  # throws into the calling Wasm code
                from .wasm_exceptions import set_host_exception

                set_host_exception(rt.lib, exc)
            except Exception as exc:  # noqa: BLE001 - any host failure becomes a trap
                rt.lib.wasmc_set_host_error(f"host function failed: {exc!r}".encode())
            return 1

        c_callback = HOST_CALLBACK(callback)
        host = WasmcHostFunc(ctypes.cast(c_callback, ctypes.c_void_p).value, None)
        func_struct = WasmcFunc(type_id(ftype), None, ctypes.addressof(host), None)
        store.keep((c_callback, host, func_struct))
        f = cls(ctypes.addressof(func_struct), ftype, None, store)
        f.name = getattr(fn, "__name__", None)
        f._python = fn
        f._struct = func_struct
        return f

    def _bind_adapter(self, adapter: int, tail: int) -> None:
        """Give a host function the native entry points that Wasm code calls (any module's
        adapter and tail wrapper for this type will do: they are identical)."""
        if self._python is not None and not self._struct.fn:
            self._struct.fn = adapter
            self._struct.tail = tail

    def call_raw(self, raws: list[int]) -> list[int]:
        """Call with raw values (one per parameter, see to_raw); return the raw results."""
        params, results_t = self.type.params, self.type.results
        if len(raws) != len(params):
            raise TypeError(f"expected {len(params)} arguments, got {len(raws)}")
        if self._python is not None:
            result = self(*[from_raw(t, s) for t, s in zip(params, raws, strict=True)])
            results = () if result is None else result if isinstance(result, tuple) else (result,)
            return [to_raw(t, v) for t, v in zip(results_t, results, strict=True)]
        n = max(1, slot_count(params), slot_count(results_t))
        buf = (ctypes.c_uint64 * n)(*raw_to_slots(params, raws))
        invocation = WasmcInvocation(self.address, buf)
        runtime, invoker = self._invoker
        runtime.protected(invoker, ctypes.addressof(invocation))
        return slots_to_raw(results_t, buf)

    def __call__(self, *args: Any) -> Any:
        if self._python is not None:
            return self._python(*args)
        if len(args) != len(self.type.params):
            raise TypeError(f"expected {len(self.type.params)} arguments, got {len(args)}")
        store = self._store
        raw = self.call_raw([to_raw(t, a, store)
                             for t, a in zip(self.type.params, args, strict=True)])
        values = tuple(from_raw(t, r, store) for t, r in zip(self.type.results, raw, strict=True))
        if not values:
            return None
        return values[0] if len(values) == 1 else values


class _UnknownFunc(Func):
    """A funcref whose function we never saw exported (still a valid, comparable value)."""

    def __init__(self, address: int):
        self.address = address
        self.type = FuncType((), ())
        self._invoker = None
        self._python = None
        self._store = Store()

    def __call__(self, *args):
        raise TypeError("this function reference cannot be called from Python")


class Memory:
    """A linear memory (exported by an instance, or made by the host with Memory.new)."""

    def __init__(self, ptr: ctypes._Pointer, declared: Limits, store: Store):
        self._ptr = ptr
        # The declared maximum: the C struct holds it clamped to what the runtime supports,
        # but import matching needs the declared one.
        self._max = declared.max
        self._is64 = declared.is64  # memory64: a 64-bit memory
        self._shared = declared.shared  # threads: a shared memory
        self._store = store

    @classmethod
    def new(cls, mtype: MemoryType | int, maximum: int | None = None, *,
            is64: bool = False, shared: bool = False) -> Memory:
        """A memory of type `mtype`, or of `mtype` pages at first and at most `maximum`
        (a shared memory, threads, must have a maximum)."""
        if not isinstance(mtype, MemoryType):
            mtype = MemoryType(Limits(mtype, maximum, is64=is64, shared=shared))
        if mtype.limits.shared and mtype.limits.max is None:
            raise ValueError("shared memory must have maximum")
        rt = default_runtime()
        mx = mtype.limits.max if mtype.limits.max is not None else 2**64 - 1
        new = rt.lib.wasmc_memory64_new if mtype.limits.is64 else rt.lib.wasmc_memory_new
        ptr = new(mtype.limits.min, mx)
        if not ptr:
            raise InstantiationError("cannot reserve address space for a memory")
        store = Store()
        store.own(rt.lib.wasmc_memory_free, ptr)
        return cls(ptr, mtype.limits, store)

    @property
    def address(self) -> int:
        return ctypes.cast(self._ptr, ctypes.c_void_p).value

    @property
    def size(self) -> int:
        """Current size in pages."""
        return self._ptr.contents.pages

    @property
    def type(self) -> MemoryType:
        return MemoryType(Limits(self._ptr.contents.pages, self._max, is64=self._is64,
                                 shared=self._shared))

    def grow(self, delta: int) -> int:
        """Add `delta` pages; the old size in pages, or -1 if the memory cannot grow."""
        lib = default_runtime().lib
        if not 0 <= delta < (2**64 if self._is64 else 2**32):
            return -1
        if self._is64:
            old = lib.wasmc_memory64_grow(self._ptr, delta)
            return -1 if old == 2**64 - 1 else old
        old = lib.wasmc_memory_grow(self._ptr, delta)
        return -1 if old == 2**32 - 1 else old

    @property
    def data_size(self) -> int:
        """Current size in bytes."""
        return self._ptr.contents.pages * PAGE_SIZE

    def view(self) -> memoryview:
        """The memory's bytes, without copying (a memoryview of unsigned bytes). It covers
        the size at the time of the call (a later grow does not extend it; the bytes never
        move) and keeps the memory alive."""
        c = self._ptr.contents
        array = (ctypes.c_ubyte * (c.pages * PAGE_SIZE)).from_address(c.base)
        array._store = self._store  # the view's owner keeps the memory alive
        return memoryview(array).cast("B")

    def __buffer__(self, flags: int) -> memoryview:
        """The buffer protocol (Python 3.12+): `memoryview(mem)`, `numpy.frombuffer(mem)`."""
        return self.view()

    @property
    def __array_interface__(self) -> dict[str, Any]:
        """numpy's zero-copy protocol (any Python version): `numpy.asarray(mem)` is a
        uint8 array over the memory's current bytes that keeps it alive."""
        c = self._ptr.contents
        return {"shape": (c.pages * PAGE_SIZE,), "typestr": "|u1", "data": (c.base, False),
                "version": 3}

    def __repr__(self) -> str:
        return f"<wasmc.Memory: {_limits_text(self.type.limits)}>"

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size * 65536:
            raise IndexError("out of bounds memory access")
        return ctypes.string_at(self._ptr.contents.base + offset, length)

    def write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        data = bytes(data)
        if offset < 0 or offset + len(data) > self.size * 65536:
            raise IndexError("out of bounds memory access")
        ctypes.memmove(self._ptr.contents.base + offset, data, len(data))


class Table:
    """A table of references."""

    def __init__(self, ptr: ctypes._Pointer, elem: str, store: Store, declared: Limits):
        self._ptr = ptr
        self.elem = elem
        # The declared maximum: the C struct holds a table64's clamped to 2^32 - 1 (and that
        # value means "none" there), but import matching needs the declared one.
        self._max = declared.max
        self._is64 = declared.is64  # table64: a table with i64 indices
        self._store = store

    @classmethod
    def new(cls, ttype: TableType, init: Any = None) -> Table:
        rt = default_runtime()
        top = 2**32 - 1  # table64 limits beyond the runtime's 32-bit tables
        mx = min(ttype.limits.max, top) if ttype.limits.max is not None else top
        store = Store()
        ptr = rt.lib.wasmc_table_new(min(ttype.limits.min, top), mx,
                                     to_raw(ttype.elem, init, store) or None)
        if not ptr:
            raise InstantiationError("cannot allocate a table")
        store.own(rt.lib.wasmc_table_free, ptr)
        return cls(ptr, ttype.elem, store, ttype.limits)

    @property
    def address(self) -> int:
        return ctypes.cast(self._ptr, ctypes.c_void_p).value

    @property
    def size(self) -> int:
        return self._ptr.contents.size

    @property
    def type(self) -> TableType:
        return TableType(self.elem, Limits(self._ptr.contents.size, self._max, is64=self._is64))

    def __repr__(self) -> str:
        return f"<wasmc.Table: {self.elem}, {_limits_text(self.type.limits, 'entries')}>"

    def get(self, index: int) -> Any:
        if not 0 <= index < self.size:
            raise IndexError("out of bounds table access")
        return from_raw(self.elem, self._ptr.contents.elems[index] or 0, self._store)

    def set(self, index: int, value: Any) -> None:
        if not 0 <= index < self.size:
            raise IndexError("out of bounds table access")
        self._ptr.contents.elems[index] = to_raw(self.elem, value, self._store) or None

    def grow(self, delta: int, init: Any = None) -> int:
        """Add `delta` entries set to `init`; the old size, or -1 if the table cannot grow."""
        if not 0 <= delta < 2**32:
            return -1
        lib = default_runtime().lib
        old = lib.wasmc_table_grow(self._ptr, delta, to_raw(self.elem, init, self._store) or None)
        return -1 if old == 2**32 - 1 else old


# Bytes of a wasmc_global's value (8 for i64, f64 and references).
_GLOBAL_SIZE = {I32: 4, F32: 4, V128: 16}


class Global:
    """A global variable: a 16-byte cell (wasmc_global) shared by everyone who imports it."""

    def __init__(self, address: int, gtype: GlobalType, store: Store):
        self.address = address
        self.type = gtype
        self._store = store

    @classmethod
    def new(cls, gtype: GlobalType | str, value: Any = 0, *, mutable: bool = False) -> Global:
        """A global of type `gtype`, or of value type `gtype` ("i32", ...) and `mutable`."""
        if not isinstance(gtype, GlobalType):
            gtype = GlobalType(value_type(gtype), mutable)
        cell = (ctypes.c_uint64 * 2)()
        store = Store()
        store.keep(cell)
        g = cls(ctypes.addressof(cell), gtype, store)
        g.raw = to_raw(gtype.valtype, value, store)
        return g

    @property
    def raw(self) -> int:
        size = _GLOBAL_SIZE.get(self.type.valtype, 8)
        return int.from_bytes(ctypes.string_at(self.address, size), "little")

    @raw.setter
    def raw(self, bits: int) -> None:
        size = _GLOBAL_SIZE.get(self.type.valtype, 8)
        ctypes.memmove(self.address, bits.to_bytes(size, "little"), size)

    @property
    def value(self) -> Any:
        return from_raw(self.type.valtype, self.raw, self._store)

    @value.setter
    def value(self, v: Any) -> None:
        if not self.type.mutable:
            raise AttributeError("global is immutable")
        self.raw = to_raw(self.type.valtype, v, self._store)

    def __repr__(self) -> str:
        mut = "mut " if self.type.mutable else ""
        return f"<wasmc.Global: {mut}{self.type.valtype} = {self.value!r}>"


class Tag:
    """An exception tag: an identity (the address of its wasmc_tag) with a canonical type."""

    def __init__(self, address: int, ttype: FuncType, store: Store):
        self.address = address
        self.type = ttype
        self._store = store

    @classmethod
    def new(cls, ttype: FuncType) -> Tag:
        cell = ctypes.c_uint64(type_id(ttype))  # a wasmc_tag
        store = Store()
        store.keep(cell)
        return cls(ctypes.addressof(cell), ttype, store)

    def __repr__(self) -> str:
        return f"<wasmc.Tag: {self.type}>"


class WasmcExn(ctypes.Structure):
    """The header of a wasmc_exn (wasmc.h); its values follow it."""

    _fields_ = [("tag", ctypes.c_void_p), ("count", ctypes.c_uint32),
                ("refs", ctypes.c_uint32), ("escaped", ctypes.c_uint32)]


class Exn:
    """An exnref value (a caught exception) passed to or from the host."""

    def __init__(self, address: int):
        self.address = address

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Exn) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __repr__(self) -> str:
        return f"<wasmc.Exn at {self.address:#x}>"


Extern = Func | Memory | Table | Global | Tag


def _limits_text(limits: Limits, unit: str = "pages") -> str:
    """`1 pages, max 2`; `i64 ...` for a 64-bit memory or table."""
    kind = "i64, " if limits.is64 else ""
    top = f", max {limits.max}" if limits.max is not None else ""
    return f"{kind}{limits.min} {unit}{top}"

"""The Python API: compile modules, instantiate them, call their exports.

    inst = wasmc.load("fib.wasm")
    inst.exports["fib"](30)

A compiled module is a shared library (see codegen/module.py for its entry points) loaded
with ctypes after the runtime library, which every module in the process shares. Exports are
called through the module's typed invokers under `wasmc_protected`, so a trap comes back as
`wasmc.Trap` instead of ending the process. The CLI and the spec runner are built on this.
"""

from __future__ import annotations

import ctypes
import hashlib
import struct
import subprocess
import tempfile
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__, toolchain
from .binary.decoder import decode, no_cycle_collection
from .binary.module import (
    EXTERN,
    F32,
    F64,
    FUNC,
    I32,
    I64,
    FuncType,
    GlobalType,
    Limits,
    MemoryType,
    Module,
    TableType,
    ref_family,
    val_matches,
)
from .codegen import split
from .codegen.ctypes import sig_name
from .codegen.module import emit_module
from .errors import CompileError, InstantiationError, LinkError, MalformedError, Trap
from .store import Store, merge_all
from .validate.validator import validate

DEFAULT_OPT = 2


# ---- the runtime's C structs, as ctypes sees them -------------------------------------------

class _WasmcFunc(ctypes.Structure):
    _fields_ = [("type_id", ctypes.c_uint64), ("fn", ctypes.c_void_p), ("env", ctypes.c_void_p),
                ("tail", ctypes.c_void_p)]


class _WasmcMemory(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("pages", ctypes.c_uint64),
                ("max_pages", ctypes.c_uint64), ("reserved", ctypes.c_uint64)]


class _WasmcTable(ctypes.Structure):
    _fields_ = [("elems", ctypes.POINTER(ctypes.c_void_p)), ("size", ctypes.c_uint32),
                ("max", ctypes.c_uint32)]


class _WasmcInvocation(ctypes.Structure):
    _fields_ = [("func", ctypes.c_void_p), ("slots", ctypes.POINTER(ctypes.c_uint64))]


class _WasmcHostFunc(ctypes.Structure):
    _fields_ = [("callback", ctypes.c_void_p), ("data", ctypes.c_void_p)]


_HOST_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64))
_BODY = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class _Runtime:
    """The runtime shared library, loaded once per process (with RTLD_GLOBAL, so every module
    library binds to it). There must be only one: a trap longjmps through the frames that the
    runtime a module is bound to knows about. Any compiler's build serves modules built by
    any compiler, since they share the C ABI."""

    _instance: _Runtime | None = None

    def __init__(self, path: Path):
        lib = ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
        self.lib = lib
        lib.wasmc_protected.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        lib.wasmc_protected.restype = ctypes.c_int
        lib.wasmc_trap_message.argtypes = [ctypes.c_int]
        lib.wasmc_trap_message.restype = ctypes.c_char_p
        lib.wasmc_last_trap_message.restype = ctypes.c_char_p
        lib.wasmc_last_trap_function.restype = ctypes.c_char_p
        lib.wasmc_set_host_error.argtypes = [ctypes.c_char_p]
        lib.wasmc_memory_new.argtypes = [ctypes.c_uint64, ctypes.c_uint64]
        lib.wasmc_memory_new.restype = ctypes.POINTER(_WasmcMemory)
        lib.wasmc_memory_free.argtypes = [ctypes.c_void_p]
        lib.wasmc_memory_grow.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.wasmc_memory_grow.restype = ctypes.c_uint32
        lib.wasmc_memory64_new.argtypes = [ctypes.c_uint64, ctypes.c_uint64]
        lib.wasmc_memory64_new.restype = ctypes.POINTER(_WasmcMemory)
        lib.wasmc_memory64_grow.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
        lib.wasmc_memory64_grow.restype = ctypes.c_uint64
        lib.wasmc_table_new.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p]
        lib.wasmc_table_new.restype = ctypes.POINTER(_WasmcTable)
        lib.wasmc_table_free.argtypes = [ctypes.c_void_p]
        lib.wasmc_table_grow.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p]
        lib.wasmc_table_grow.restype = ctypes.c_uint32

    @classmethod
    def get(cls, cc: toolchain.CCompiler | None = None) -> _Runtime:
        if cls._instance is None:
            cls._instance = _Runtime(toolchain.runtime_shared_library(cc))
        return cls._instance

    def protected(self, body: int, arg: int | ctypes._Pointer | None) -> None:
        """Run a C function under the trap handler; raise Trap if it trapped."""
        code = self.lib.wasmc_protected(body, arg)
        if code:
            self.raise_trap(code)

    def raise_trap(self, code: int) -> None:
        message = self.lib.wasmc_trap_message(code).decode()
        host_message = self.lib.wasmc_last_trap_message()
        if host_message and code == _TRAP_HOST:
            message = host_message.decode(errors="replace")
        function = self.lib.wasmc_last_trap_function()
        raise Trap(message, function.decode(errors="replace") if function else None)


_TRAP_HOST = 12  # WASMC_TRAP_HOST in wasmc.h


def _default_runtime() -> _Runtime:
    return _Runtime.get()


# ---- values --------------------------------------------------------------------------------

_extern_objects: dict[int, Any] = {}  # handle -> object; handles are stable per object id
_extern_handles: dict[int, int] = {}  # id(object) -> handle


def extern_handle(obj: Any) -> int:
    """The raw slot value of an externref holding `obj` (None is the null reference)."""
    if obj is None:
        return 0
    handle = _extern_handles.get(id(obj))
    if handle is None:
        handle = len(_extern_objects) + 1
        _extern_objects[handle] = obj
        _extern_handles[id(obj)] = handle
    return handle


def extern_object(raw: int) -> Any:
    """The object an externref slot value refers to."""
    return None if raw == 0 else _extern_objects.get(raw, raw)


def to_raw(valtype: str, value: Any, store: Store | None = None) -> int:
    """A typed Python value as a uint64 slot (two's complement ints, IEEE bits for floats).
    `store`: where the value goes; a function reference passed there joins its group (see
    store.py), since C code there may keep it."""
    if valtype == I32:
        return int(value) & 0xFFFFFFFF
    if valtype == I64:
        return int(value) & 0xFFFFFFFFFFFFFFFF
    if valtype == F32:
        return struct.unpack("<I", struct.pack("<f", value))[0]
    if valtype == F64:
        return struct.unpack("<Q", struct.pack("<d", value))[0]
    family = ref_family(valtype)  # (ref $t), (ref func), ... are funcrefs here
    if family == EXTERN:
        return extern_handle(value)
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
    if valtype == F32:
        return struct.unpack("<f", struct.pack("<I", raw & 0xFFFFFFFF))[0]
    if valtype == F64:
        return struct.unpack("<d", struct.pack("<Q", raw))[0]
    family = ref_family(valtype)
    if family == EXTERN:
        return extern_object(raw)
    if family == FUNC:
        return None if raw == 0 else Func._from_address(raw, store)
    raise TypeError(f"unknown value type {valtype}")


# ---- externals: functions, memories, tables, globals ---------------------------------------

class Func:
    """A Wasm function (an export, a funcref, or a host function made from Python).

    `type` is canonical (Module.canonical_types): it compares equal across modules exactly
    when the Wasm types are equal."""

    def __init__(self, address: int, ftype: FuncType, invoker: tuple[_Runtime, int] | None,
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
        type_id = _WasmcFunc.from_address(address).type_id
        for module in root._modules:
            for ft in module.module.canonical_types():
                if isinstance(ft, FuncType) and _type_id(ft) == type_id:
                    return cls(address, ft, module._invoker(ft), root)
        return _UnknownFunc(address)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Func) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    @classmethod
    def from_python(cls, ftype: FuncType, fn: Callable[..., Any]) -> Func:
        """A host function: `fn` receives typed arguments and returns None, a value or a
        tuple. An exception raised by `fn` traps the Wasm code that called it."""
        rt = _default_runtime()
        store = Store()
        # Weak: the store keeps this callback alive, and a strong reference back would be a
        # cycle (freed only by the cycle collector). The store is alive while Wasm calls it.
        store_ref = weakref.ref(store)

        def callback(_data, slots):
            try:
                store = store_ref()
                args = [from_raw(t, slots[k], store) for k, t in enumerate(ftype.params)]
                result = fn(*args)
                results = () if result is None else result if isinstance(result, tuple) else (
                    result,)
                if len(results) != len(ftype.results):
                    raise TypeError(f"host function returned {len(results)} values, "
                                    f"expected {len(ftype.results)}")
                for k, t in enumerate(ftype.results):
                    slots[k] = to_raw(t, results[k], store)
                return 0
            except Trap as trap:
                rt.lib.wasmc_set_host_error(trap.message.encode())
            except Exception as exc:  # noqa: BLE001 - any host failure becomes a trap
                rt.lib.wasmc_set_host_error(f"host function failed: {exc!r}".encode())
            return 1

        c_callback = _HOST_CALLBACK(callback)
        host = _WasmcHostFunc(ctypes.cast(c_callback, ctypes.c_void_p).value, None)
        func_struct = _WasmcFunc(_type_id(ftype), None, ctypes.addressof(host), None)
        store.keep((c_callback, host, func_struct))
        f = cls(ctypes.addressof(func_struct), ftype, None, store)
        f._python = fn
        f._struct = func_struct
        return f

    def _bind_adapter(self, adapter: int, tail: int) -> None:
        """Give a host function the native entry points that Wasm code calls (any module's
        adapter and tail wrapper for this type will do: they are identical)."""
        if self._python is not None and not self._struct.fn:
            self._struct.fn = adapter
            self._struct.tail = tail

    def call_raw(self, slots: list[int]) -> list[int]:
        """Call with raw uint64 slot values; return the raw results."""
        if len(slots) != len(self.type.params):
            raise TypeError(f"expected {len(self.type.params)} arguments, got {len(slots)}")
        if self._python is not None:
            result = self(*[from_raw(t, s) for t, s in zip(self.type.params, slots, strict=True)])
            results = () if result is None else result if isinstance(result, tuple) else (result,)
            return [to_raw(t, v) for t, v in zip(self.type.results, results, strict=True)]
        n = max(1, len(self.type.params), len(self.type.results))
        buf = (ctypes.c_uint64 * n)(*slots)
        invocation = _WasmcInvocation(self.address, buf)
        runtime, invoker = self._invoker
        runtime.protected(invoker, ctypes.addressof(invocation))
        return [buf[k] for k in range(len(self.type.results))]

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
        self._store = store

    @classmethod
    def new(cls, mtype: MemoryType) -> Memory:
        rt = _default_runtime()
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
        return MemoryType(Limits(self._ptr.contents.pages, self._max, is64=self._is64))

    def grow(self, delta: int) -> int:
        lib = _default_runtime().lib
        if self._is64:
            return lib.wasmc_memory64_grow(self._ptr, delta)
        return lib.wasmc_memory_grow(self._ptr, delta)

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size * 65536:
            raise IndexError("out of bounds memory access")
        return ctypes.string_at(self._ptr.contents.base + offset, length)

    def write(self, offset: int, data: bytes) -> None:
        if offset < 0 or offset + len(data) > self.size * 65536:
            raise IndexError("out of bounds memory access")
        ctypes.memmove(self._ptr.contents.base + offset, data, len(data))


class Table:
    """A table of references."""

    def __init__(self, ptr: ctypes._Pointer, elem: str, store: Store, is64: bool = False):
        self._ptr = ptr
        self.elem = elem
        self._is64 = is64  # table64: a table with i64 indices
        self._store = store

    @classmethod
    def new(cls, ttype: TableType, init: Any = None) -> Table:
        rt = _default_runtime()
        top = 2**32 - 1  # table64 limits beyond the runtime's 32-bit tables
        mx = min(ttype.limits.max, top) if ttype.limits.max is not None else top
        store = Store()
        ptr = rt.lib.wasmc_table_new(min(ttype.limits.min, top), mx,
                                     to_raw(ttype.elem, init, store) or None)
        if not ptr:
            raise InstantiationError("cannot allocate a table")
        store.own(rt.lib.wasmc_table_free, ptr)
        return cls(ptr, ttype.elem, store, ttype.limits.is64)

    @property
    def address(self) -> int:
        return ctypes.cast(self._ptr, ctypes.c_void_p).value

    @property
    def size(self) -> int:
        return self._ptr.contents.size

    @property
    def type(self) -> TableType:
        c = self._ptr.contents
        return TableType(self.elem, Limits(c.size, None if c.max == 2**32 - 1 else c.max,
                                           is64=self._is64))

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
        lib = _default_runtime().lib
        old = lib.wasmc_table_grow(self._ptr, delta, to_raw(self.elem, init, self._store) or None)
        return -1 if old == 2**32 - 1 else old


class Global:
    """A global variable: a 16-byte cell (wasmc_global) shared by everyone who imports it."""

    def __init__(self, address: int, gtype: GlobalType, store: Store):
        self.address = address
        self.type = gtype
        self._store = store

    @classmethod
    def new(cls, gtype: GlobalType, value: Any = 0) -> Global:
        cell = (ctypes.c_uint64 * 2)()
        store = Store()
        store.keep(cell)
        g = cls(ctypes.addressof(cell), gtype, store)
        g.raw = to_raw(gtype.valtype, value, store)
        return g

    @property
    def raw(self) -> int:
        size = 4 if self.type.valtype in (I32, F32) else 8
        fmt = "<I" if size == 4 else "<Q"
        return struct.unpack(fmt, ctypes.string_at(self.address, size))[0]

    @raw.setter
    def raw(self, bits: int) -> None:
        size = 4 if self.type.valtype in (I32, F32) else 8
        fmt = "<I" if size == 4 else "<Q"
        ctypes.memmove(self.address, struct.pack(fmt, bits), size)

    @property
    def value(self) -> Any:
        return from_raw(self.type.valtype, self.raw, self._store)

    @value.setter
    def value(self, v: Any) -> None:
        if not self.type.mutable:
            raise AttributeError("global is immutable")
        self.raw = to_raw(self.type.valtype, v, self._store)


class Tag:
    """An exception tag: an identity (the address of its wasmc_tag) with a canonical type."""

    def __init__(self, address: int, ttype: FuncType, store: Store):
        self.address = address
        self.type = ttype
        self._store = store

    @classmethod
    def new(cls, ttype: FuncType) -> Tag:
        cell = ctypes.c_uint64(_type_id(ttype))  # a wasmc_tag
        store = Store()
        store.keep(cell)
        return cls(ctypes.addressof(cell), ttype, store)


Extern = Func | Memory | Table | Global | Tag


# ---- compiled modules and instances --------------------------------------------------------

def _type_id(ft: FuncType) -> int:
    from .codegen.ctypes import type_id

    return type_id(ft)


class CompiledModule:
    """A validated module compiled to native code, ready to be instantiated (many times)."""

    def __init__(self, module: Module, library: ctypes.CDLL, prefix: str, runtime: _Runtime,
                 name: str = "module"):
        self.module = module
        self.name = name
        self._lib = library
        self._prefix = prefix
        self._runtime = runtime
        self.imports = [(i.module, i.name, i.kind, i.desc) for i in module.imports]
        self.exports = [(e.name, e.kind) for e in module.exports]

    def _symbol(self, name: str) -> int:
        return ctypes.cast(getattr(self._lib, f"{self._prefix}_{name}"), ctypes.c_void_p).value

    def _invoker(self, ft: FuncType) -> tuple[_Runtime, int]:
        return (self._runtime, self._symbol(f"invoke_{sig_name(ft)}"))

    def instantiate(self, imports: Mapping[str, Mapping[str, Extern]] | None = None) -> Instance:
        """Link the imports, create the instance, run segment initialization and the start
        function. Raises LinkError for a missing or mistyped import, Trap if initialization
        trapped (what it did before the trap stays done, as the spec says)."""
        imports = imports or {}
        m = self.module
        resolved: list[Extern] = []
        for imp in m.imports:
            value = imports.get(imp.module, {}).get(imp.name)
            if value is None:
                raise LinkError(f"unknown import: {imp.module!r}.{imp.name!r}")
            _check_import(m, imp, value)
            if isinstance(value, Func):
                sig = sig_name(m.types[imp.desc])
                value._bind_adapter(self._symbol(f"host_{sig}"), self._symbol(f"tail_{sig}"))
            resolved.append(value)
        array = (ctypes.c_void_p * max(1, len(resolved)))(*[v.address for v in resolved])
        instantiate = getattr(self._lib, f"{self._prefix}_instantiate")
        instantiate.restype = ctypes.c_void_p
        instantiate.argtypes = [ctypes.c_void_p]
        ptr = instantiate(array)
        if not ptr:
            raise InstantiationError("cannot allocate the instance (out of address space?)")
        # The instance joins the group of everything it imports (store.py): its struct
        # points to them, and their tables may come to point into it.
        store = merge_all([v._store for v in resolved])
        store.own(getattr(self._lib, f"{self._prefix}_free"), ctypes.c_void_p(ptr))
        if self not in store._modules:
            store._modules.append(self)
        instance = Instance(self, ptr, resolved, store)
        # If initialization traps, what it did stays done: elements written before the
        # trap stay in (maybe imported) tables and point into this instance, which the
        # group therefore keeps until all of it is unreachable.
        self._runtime.protected(self._symbol("initialize"), ptr)
        return instance


class Instance:
    """An instantiated module. `exports` maps export names to Func/Memory/Table/Global."""

    def __init__(self, compiled: CompiledModule, ptr: int, imports: list[Extern], store: Store):
        self.compiled = compiled
        self._ptr = ptr
        self._store = store  # owns the instance's C struct (and frees it)
        imported = {v.address: v for v in imports}  # a re-exported import keeps its identity
        export = getattr(compiled._lib, f"{compiled._prefix}_export")
        export.restype = ctypes.c_void_p
        export.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        m = compiled.module
        self.exports: dict[str, Extern] = {}
        globals_ = m.all_globals()
        tables = m.all_tables()
        for k, e in enumerate(m.exports):
            address = export(ptr, k)
            known = imported.get(address)
            if known is not None and known.address == address:
                self.exports[e.name] = known
            elif e.kind == "func":
                ft = m.canonical_func_type(e.index)
                self.exports[e.name] = Func._from_address(address, store) if (
                    address in store.root()._funcs) else Func(
                        address, ft, compiled._invoker(ft), store)
            elif e.kind == "memory":
                self.exports[e.name] = Memory(ctypes.cast(address, ctypes.POINTER(_WasmcMemory)),
                                              m.all_memories()[e.index].limits, store)
            elif e.kind == "table":
                self.exports[e.name] = Table(ctypes.cast(address, ctypes.POINTER(_WasmcTable)),
                                             m.canonical(tables[e.index].elem), store,
                                             tables[e.index].limits.is64)
            elif e.kind == "tag":
                ttype = m.canonical_types()[m.all_tags()[e.index]]
                self.exports[e.name] = Tag(address, ttype, store)
            else:
                g = globals_[e.index]
                self.exports[e.name] = Global(
                    address, GlobalType(m.canonical(g.valtype), g.mutable), store)


def _limits_match(actual: Limits, declared: Limits) -> bool:
    if actual.min < declared.min:
        return False
    if declared.max is None:
        return True
    return actual.max is not None and actual.max <= declared.max


def _check_import(m: Module, imp, value: Extern) -> None:
    """Import matching on canonical types: function and tag types must be equal (no declared
    subtypes without GC), table element types too; an immutable global may be a subtype."""
    where = f"{imp.module!r}.{imp.name!r}"
    ok = False
    if imp.kind == "func" and isinstance(value, Func):
        ok = value.type == m.canonical_types()[imp.desc]
    elif imp.kind == "tag" and isinstance(value, Tag):
        ok = value.type == m.canonical_types()[imp.desc]
    elif imp.kind == "memory" and isinstance(value, Memory):
        ok = (value.type.limits.is64 == imp.desc.limits.is64
              and _limits_match(value.type.limits, imp.desc.limits))
    elif imp.kind == "table" and isinstance(value, Table):
        ok = (value.elem == m.canonical(imp.desc.elem)
              and value.type.limits.is64 == imp.desc.limits.is64
              and _limits_match(value.type.limits, imp.desc.limits))
    elif imp.kind == "global" and isinstance(value, Global):
        want = m.canonical(imp.desc.valtype)
        ok = value.type.mutable == imp.desc.mutable and (
            value.type.valtype == want
            or not imp.desc.mutable and val_matches(value.type.valtype, want))
    if not ok:
        raise LinkError(f"incompatible import type for {where}")


# ---- compiling -----------------------------------------------------------------------------

def read_source(source: bytes | str | Path) -> bytes:
    """Module bytes from bytes, a .wasm path, or a .wat/.wast text path (via wasm-tools)."""
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    path = Path(source)
    data = path.read_bytes()
    if data[:4] == b"\0asm":
        return data
    proc = subprocess.run([toolchain.wasm_tools(), "parse", str(path)], capture_output=True)
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise MalformedError(f"{path}: cannot parse text module: "
                             f"{message[0] if message else 'wasm-tools parse failed'}")
    return proc.stdout


def translate(data: bytes, prefix: str = "wasmc_m0",
              musttail: bool = True) -> tuple[Module, str]:
    """Decode, validate and translate module bytes to C, as one translation unit (for any
    size of module; `compile_modules` and `build_executable` split large ones, see
    codegen/split.py). Raises CompileError. `musttail`: the C compiler guarantees tail
    calls (clang's musttail; not GCC 12)."""
    with no_cycle_collection():
        module = decode(data)
        info = validate(module)
        return module, emit_module(module, info, prefix, musttail)


@dataclass(eq=False)
class _Unit:
    """One module of a compile_modules batch: its C as one string, or (split: c_code None)
    written by codegen/split.py at build time."""

    index: int
    prefix: str
    module: Module
    data: bytes
    c_code: str | None


class _UnitFailed(Exception):
    def __init__(self, unit: _Unit, error: CompileError):
        self.unit, self.error = unit, error


def compile_modules(sources: list[bytes], *, cc: str | None = None, opt: int = 1,
                    jobs: int | None = None) -> list[CompiledModule | CompileError]:
    """Compile several modules into one shared library (one C compiler run, or several in
    parallel for large modules, up to `jobs` at a time; default: the CPU count). Each entry
    of the result is a CompiledModule or the CompileError that module raised."""
    compiler = toolchain.find_compiler(cc)
    runtime = _Runtime.get(compiler)
    musttail = compiler.kind == "clang"
    results: list[Any] = [None] * len(sources)
    units: list[_Unit] = []
    for k, data in enumerate(sources):
        prefix = f"wasmc_m{k}"
        try:
            with no_cycle_collection():
                module = decode(data)
                c_code = None
                if not split.should_split(module):
                    c_code = emit_module(module, validate(module), prefix, musttail)
        except CompileError as err:
            results[k] = err
            continue
        units.append(_Unit(k, prefix, module, data, c_code))
    library = None
    while units and library is None:
        try:
            library = _build_library(units, compiler, opt, jobs)
        except _UnitFailed as failed:  # a split module is invalid: build the others
            results[failed.unit.index] = failed.error
            units.remove(failed.unit)
    for unit in units:
        results[unit.index] = CompiledModule(unit.module, library, unit.prefix, runtime)
    return results


def compile_module(source: bytes | str | Path, *, cc: str | None = None,
                   opt: int = DEFAULT_OPT, jobs: int | None = None) -> CompiledModule:
    result = compile_modules([read_source(source)], cc=cc, opt=opt, jobs=jobs)[0]
    if isinstance(result, CompileError):
        raise result
    return result


def load(source: bytes | str | Path, imports: Mapping[str, Mapping[str, Extern]] | None = None,
         *, cc: str | None = None, opt: int = DEFAULT_OPT, jobs: int | None = None) -> Instance:
    """Compile (or take from the cache) and instantiate a module."""
    return compile_module(source, cc=cc, opt=opt, jobs=jobs).instantiate(imports)


RUNTIME_HEADERS = ("wasmc.h", "wasmc_numeric.h", "wasi.h")


def build_executable(source: bytes | str | Path, out: str | Path, *, cc: str | None = None,
                     opt: int = DEFAULT_OPT, emit_c_dir: str | Path | None = None,
                     jobs: int | None = None,
                     on_progress: Callable[[int, int], None] | None = None) -> Path:
    """Compile a module into a standalone native executable at `out` (see
    codegen/executable.py for what it does when run: WASI command programs, `--invoke`).
    Its only imports may be `wasi_snapshot_preview1` functions (LinkError otherwise). With
    `emit_c_dir`, the C is kept there: `module.c`, and for a large module also `module.h`
    and the function files `module_NNN.c` (codegen/split.py). `jobs`: C compilers (and
    Python workers, for a large module) at a time; default: the CPU count. The executable
    is written atomically. For a cached build, see `wasmc.runcache.executable_for`.
    `on_progress(compiled, total)`: called as C files are added and compiled (for a
    progress display)."""
    from .codegen.executable import emit_main

    prefix = "wasmc_main"
    compiler = toolchain.find_compiler(cc)
    musttail = compiler.kind == "clang"
    with no_cycle_collection():
        module = decode(read_source(source))
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="wasmc-") as tmp:
        c_dir = Path(emit_c_dir) if emit_c_dir else Path(tmp)
        c_dir.mkdir(parents=True, exist_ok=True)
        if emit_c_dir:
            for header in RUNTIME_HEADERS:
                (c_dir / header).write_bytes((toolchain.RUNTIME_DIR / header).read_bytes())
        if not split.should_split(module):
            with no_cycle_collection():
                c_code = emit_module(module, validate(module), prefix, musttail)
            c_code += emit_main(module, prefix)  # raises LinkError for imports other than WASI
            c_file = c_dir / "module.c"
            c_file.write_text(c_code)
            if on_progress:
                on_progress(0, 1)
            toolchain.compile_executable([c_file], out, compiler, opt, jobs=jobs)
            if on_progress:
                on_progress(1, 1)
            return out
        with toolchain.start_build(compiler, opt, shared=False, jobs=jobs) as build:
            build.on_progress = on_progress
            # emit_main raises LinkError, after the module-level validation
            split.emit_split(module, prefix, musttail, c_dir, name="module",
                             extra=lambda: emit_main(module, prefix), jobs=jobs, build=build)
            build.link(out)
    return out


_libraries: dict[Path, ctypes.CDLL] = {}


def _build_library(units: list[_Unit], cc: toolchain.CCompiler, opt: int,
                   jobs: int | None = None) -> ctypes.CDLL:
    """Compile modules into a shared library, cached by content: the C of each small
    module; for a split module, its bytes and the code generator's sources (so that a
    cached one needs no validation and no emission). Raises _UnitFailed if a split module
    turns out to be invalid."""
    key = hashlib.sha256()
    key.update(f"{__version__}\0{toolchain.build_fingerprint(cc, opt)}\0".encode())
    if any(u.c_code is None for u in units):
        from .runcache import sources_digest

        key.update(f"{split.parameters()}\0".encode() + sources_digest())
    for u in units:
        if u.c_code is not None:
            key.update(hashlib.sha256(u.c_code.encode()).digest())
        else:
            key.update(f"{u.prefix}\0".encode() + hashlib.sha256(u.data).digest())
    out = toolchain.cache_dir() / "modules" / f"{key.hexdigest()[:32]}.so"
    if out in _libraries:
        return _libraries[out]
    if not out.exists() and all(u.c_code is not None for u in units):
        with tempfile.TemporaryDirectory(prefix="wasmc-") as tmp:
            files = []
            for k, u in enumerate(units):
                path = Path(tmp) / f"module{k}.c"
                path.write_text(u.c_code)
                files.append(path)
            toolchain.compile_shared(files, out, cc, opt, jobs=jobs)
    elif not out.exists():
        with tempfile.TemporaryDirectory(prefix="wasmc-") as tmp, \
                toolchain.start_build(cc, opt, shared=True, jobs=jobs) as build:
            for k, u in enumerate(units):
                if u.c_code is not None:
                    path = Path(tmp) / f"module{k}.c"
                    path.write_text(u.c_code)
                    build.add(path)
            for u in units:
                if u.c_code is None:
                    try:
                        split.emit_split(u.module, u.prefix, cc.kind == "clang", Path(tmp),
                                         jobs=jobs, build=build)
                    except CompileError as err:
                        raise _UnitFailed(u, err) from None
            build.link(out)
    lib = ctypes.CDLL(str(out))
    _libraries[out] = lib
    return lib


__all__ = [
    "compile_module", "compile_modules", "load", "build_executable", "read_source", "translate",
    "CompiledModule", "Instance", "Func", "Memory", "Table", "Global", "Tag",
    "extern_handle", "extern_object", "to_raw", "from_raw",
]

"""Compiled modules and their instances.

A `CompiledModule` is a validated module in a shared library (compiler.py builds it);
`instantiate` links its imports (linking.py), creates the instance's C struct, runs its
segment initialization and start function, and wraps its exports.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Mapping
from typing import Any

from .binary.module import FuncType, GlobalType, Module
from .codegen.spelling import sig_name
from .errors import InstantiationError, LinkError
from .externals import Extern, Func, Global, Memory, Table, Tag
from .libcache import cached_library
from .limits import Fuel, ResourceLimits, creating_under
from .linking import check_import
from .native import Runtime, WasmcMemory, WasmcTable
from .store import Store, merge_all
from .wasi import WASI_MODULE, WasiConfig, WasiContext
from .wasm_exceptions import register_tags, registered_tag


class CompiledModule:
    """A validated module compiled to native code, ready to be instantiated (many times).
    Public as `wasmc.Module`."""

    def __init__(self, module: Module, library: ctypes.CDLL, prefix: str, runtime: Runtime,
                 name: str = "module"):
        self.module = module
        self.name = name
        self._lib = library
        self._prefix = prefix
        self._runtime = runtime
        self.imports = [(i.module, i.name, i.kind, i.desc) for i in module.imports]
        self.exports = [(e.name, e.kind) for e in module.exports]
        self._entry_points: tuple | None = None  # (instantiate, export, free, initialize)
        self._export_plan: list[tuple[str, str, Callable[[int, Store], Extern]]] | None = None
        self._slots: dict[str, Any] = {}  # see _optional_slot
        # A quick build (compile_module(quick=True)): the key its optimized build will be
        # recorded under, and that build once it is (see _optimized).
        self.optimized_key: str | None = None
        self._successor: CompiledModule | None = None

    @property
    def interruptible(self) -> bool:
        """Compiled with interrupt checks (compile_module(..., interruptible=True)), so that
        its instances' calls can be interrupted and given deadlines (docs/limits.md)."""
        return self._interrupt_slot() is not None

    @property
    def counts_fuel(self) -> bool:
        """Compiled with fuel counting (compile_module(..., fuel=True)): its instances use up
        the Fuel they are given (docs/limits.md, "Fuel")."""
        return self._fuel_slot() is not None

    def _interrupt_slot(self) -> ctypes._CFuncPtr | None:
        """P_interrupt_slot, which only an interruptible module has."""
        return self._optional_slot("interrupt_slot")

    def _fuel_slot(self) -> ctypes._CFuncPtr | None:
        """P_fuel_slot, which only a module compiled with fuel has."""
        return self._optional_slot("fuel_slot")

    def _optional_slot(self, name: str) -> ctypes._CFuncPtr | None:
        """P_<name>, a `T **(void *inst)` entry point that only some builds have (looked
        up once)."""
        slot = self._slots.get(name)
        if slot is None:
            try:
                slot = getattr(self._lib, f"{self._prefix}_{name}")
            except AttributeError:
                slot = False
            else:
                slot.restype = ctypes.c_void_p
                slot.argtypes = [ctypes.c_void_p]
            self._slots[name] = slot
        return slot or None

    def _symbol(self, name: str) -> int:
        return ctypes.cast(getattr(self._lib, f"{self._prefix}_{name}"), ctypes.c_void_p).value

    def _invoker(self, ft: FuncType) -> tuple[Runtime, int]:
        return (self._runtime, self._symbol(f"invoke_{sig_name(ft)}"))

    def __repr__(self) -> str:
        m = self.module
        types = m.canonical_types()
        imports = [f"{i.module}.{i.name}: {_describe(m, i.kind, i.desc, types)}"
                   for i in m.imports]
        exports = [f"{e.name}: {_describe_export(m, e, types)}" for e in m.exports]
        return (f"<wasmc.Module {self.name}: imports [{', '.join(imports)}], "
                f"exports [{', '.join(exports)}]>")

    def entry_points(self) -> tuple:
        """The module's C entry points: instantiate, export, free, initialize."""
        if self._entry_points is None:
            instantiate = getattr(self._lib, f"{self._prefix}_instantiate")
            instantiate.restype = ctypes.c_void_p
            instantiate.argtypes = [ctypes.c_void_p]
            export = getattr(self._lib, f"{self._prefix}_export")
            export.restype = ctypes.c_void_p
            export.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
            free = getattr(self._lib, f"{self._prefix}_free")
            self._entry_points = (instantiate, export, free, self._symbol("initialize"))
        return self._entry_points

    def export_plan(self) -> list[tuple[str, str, Callable[[int, Store], Extern]]]:
        """For each export: its name, kind, and how to wrap its address (types resolved
        once per module, not per instance)."""
        if self._export_plan is None:
            self._export_plan = [(e.name, e.kind, self._wrapper(e)) for e in self.module.exports]
        return self._export_plan

    def _wrapper(self, e) -> Callable[[int, Store], Extern]:
        m = self.module
        if e.kind == "func":
            ft = m.canonical_func_type(e.index)
            invoker = self._invoker(ft)

            def func(address: int, store: Store) -> Extern:
                known = store.root()._funcs.get(address)  # exported twice, or re-exported
                if known is not None:
                    return known
                f = Func(address, ft, invoker, store)
                f.name = e.name
                return f
            return func
        if e.kind == "memory":
            limits = m.all_memories()[e.index].limits
            return lambda address, store: Memory(
                ctypes.cast(address, ctypes.POINTER(WasmcMemory)), limits, store)
        if e.kind == "table":
            table = m.all_tables()[e.index]
            elem = m.canonical(table.elem)
            return lambda address, store: Table(
                ctypes.cast(address, ctypes.POINTER(WasmcTable)), elem, store, table.limits)
        if e.kind == "tag":
            ttype = m.canonical_types()[m.all_tags()[e.index]]
            return lambda address, store: Tag(address, ttype, store)
        g = m.all_globals()[e.index]
        gtype = GlobalType(m.canonical(g.valtype), g.mutable)
        return lambda address, store: Global(address, gtype, store)

    def _optimized(self) -> CompiledModule:
        """The module to instantiate: a quick build's optimized build, once the background
        build has recorded it (a new CompiledModule of the same module; instances made
        before keep the quick build's code), else this one."""
        if self.optimized_key is not None and self._successor is None:
            library = cached_library(self.optimized_key)
            if library is not None:
                self._successor = CompiledModule(self.module, library, self._prefix,
                                                 self._runtime, self.name)
        return self._successor or self

    def instantiate(self, imports: Mapping[str, Mapping[str, Any] | Instance] | None = None,
                    *, wasi: WasiConfig | None = None,
                    limits: ResourceLimits | None = None,
                    deadline: float | None = None, fuel: Fuel | None = None,
                    initialize_reactor: bool = True) -> Instance:
        """Link the imports, create the instance, run segment initialization and the start
        function. `imports` maps module names to an Instance (its exports) or a mapping of
        names to Func/Memory/Table/Global/Tag; a plain Python callable is made into a host
        function of the imported type. With `wasi`, the wasi_snapshot_preview1 imports are
        the runtime's WASI with that configuration (wasi.py), and a reactor's _initialize
        runs last (unless `initialize_reactor` is False: wasmtime.py leaves that call to its
        caller, as Wasmtime does). With `limits`, each memory and table that the instance
        defines is capped (limits.py); InstantiationError if one is over its cap from the
        start. `deadline`: set_deadline(deadline) before the start function runs (an
        interruptible module, docs/limits.md), so that initialization is bounded too. `fuel`:
        the Fuel the instance's code uses up (a module compiled with fuel=True; without it,
        the instance has a counter of its own with no fuel, so every call traps). Raises
        LinkError for a missing or mistyped import, Trap if initialization trapped,
        WasmException if it threw (what it did before stays done, as the spec says)."""
        optimized = self._optimized()
        if optimized is not self:
            return optimized.instantiate(imports, wasi=wasi, limits=limits, deadline=deadline,
                                         fuel=fuel, initialize_reactor=initialize_reactor)
        imports = imports or {}
        m = self.module
        resolved: list[Extern] = []
        wasi_store = Store() if wasi is not None else None  # its context and functions
        wasi_context = WasiContext(wasi, wasi_store) if wasi_store is not None else None
        for imp in m.imports:
            if wasi_context is not None and imp.module == WASI_MODULE:
                resolved.append(wasi_context.func(self, imp, wasi_store))
                continue
            namespace = imports.get(imp.module, {})
            if isinstance(namespace, Instance):
                namespace = namespace.exports
            value = namespace.get(imp.name)
            if value is None:
                raise LinkError(f"unknown import: {imp.module!r}.{imp.name!r}")
            if imp.kind == "func" and callable(value) and not isinstance(value, Func):
                value = Func.from_python(m.canonical_types()[imp.desc], value)
            check_import(m, imp, value)
            if isinstance(value, Func):
                sig = sig_name(m.types[imp.desc])
                value._bind_adapter(self._symbol(f"host_{sig}"), self._symbol(f"tail_{sig}"))
            resolved.append(value)
        if limits is not None:  # refuse before anything is allocated
            for k, mt in enumerate(m.memories):
                limits.check_memory(f"memory {len(m.imported('memory')) + k}", mt.limits.min)
            for k, tt in enumerate(m.tables):
                limits.check_table(f"table {len(m.imported('table')) + k}", tt.limits.min)
        if deadline is not None and not self.interruptible:
            raise ValueError(f"{self.name} was compiled without interrupt checks: compile it "
                             "with interruptible=True to give it a deadline (docs/limits.md)")
        fuel_slot = self._fuel_slot()
        if fuel is not None and fuel_slot is None:
            raise ValueError(f"{self.name} was compiled without fuel: compile it with "
                             "fuel=True to give it fuel (docs/limits.md)")
        c_instantiate, _, c_free, initialize = self.entry_points()
        array = (ctypes.c_void_p * max(1, len(resolved)))(*[v.address for v in resolved])
        if limits is None:  # (no context manager on the common path: instances are cheap)
            ptr = c_instantiate(array)
        else:
            with creating_under(self._runtime, limits):
                ptr = c_instantiate(array)
        if not ptr:
            raise InstantiationError("cannot allocate the instance (out of address space?)")
        # The instance joins the group of everything it imports (store.py): its struct
        # points to them, and their tables may come to point into it.
        store = merge_all([v._store for v in resolved]
                          + ([wasi_store] if wasi_store is not None else []))
        store.own(c_free, ctypes.c_void_p(ptr))
        root = store.root()
        if self not in root._modules:
            root._modules.append(self)
        if fuel is not None:  # before the start function, which uses fuel too
            fuel.attach(fuel_slot(ptr))
            store.keep(fuel)
        slot = self._interrupt_slot()
        if slot is not None:  # before the start function, which may run for ever
            store.interrupt().attach(slot(ptr))
            if deadline is not None:
                store.interrupt().set_deadline(deadline)
        instance = Instance(self, ptr, resolved, store)
        if wasi_context is not None:
            memory = instance.exports.get("memory")
            wasi_context.set_memory(memory.address if isinstance(memory, Memory) else None)
            wasi_context.bind(instance)
            instance.wasi = wasi_context
        # If initialization traps, what it did stays done: elements written before the
        # trap stay in (maybe imported) tables and point into this instance, which the
        # group therefore keeps until all of it is unreachable.
        self._runtime.protected(initialize, ptr)
        reactor_init = instance.exports.get("_initialize")
        if wasi_context is not None and initialize_reactor and isinstance(reactor_init, Func):
            reactor_init()
        return instance


class Exports(dict):
    """An instance's exports by name; also as attributes (`inst.exports.fib`) where the
    name is a Python identifier that is not a dict method."""

    def __getattr__(self, name: str) -> Extern:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no export named {name!r} (exports: "
                                 f"{', '.join(self) or 'none'})") from None

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *(n for n in self if n.isidentifier())]


class Instance:
    """An instantiated module. `exports` maps export names to Func/Memory/Table/Global/Tag
    (and gives them as attributes). The instance is freed with its group (store.py) when
    nothing refers to it or to anything it exported. `wasi`: its WASI context (run(),
    captured stdout/stderr), if instantiated with a WasiConfig."""

    wasi: WasiContext | None = None

    def __init__(self, compiled: CompiledModule, ptr: int, imports: list[Extern], store: Store):
        self.compiled = compiled
        self._ptr = ptr
        self._store = store  # owns the instance's C struct (and frees it)
        imported = {v.address: v for v in imports}  # a re-exported import keeps its identity
        if compiled.module.all_tags():
            register_tags(self, ptr, imports)
        export = compiled.entry_points()[1]
        self.exports = Exports()
        for k, (name, kind, wrap) in enumerate(compiled.export_plan()):
            address = export(ptr, k)
            known = imported.get(address)
            if known is None and kind == "tag":  # the registered Tag, which has a name
                known = registered_tag(address)
            self.exports[name] = known if known is not None else wrap(address, store)

    def __repr__(self) -> str:
        return f"<wasmc.Instance of {self.compiled.name}: exports {', '.join(self.exports)}>"

    def _interrupt(self):
        interrupt = self._store.root()._interrupt
        if interrupt is None:
            raise ValueError(f"{self.compiled.name} was compiled without interrupt checks: "
                             "compile it with interruptible=True (docs/limits.md)")
        return interrupt

    def interrupt(self) -> None:
        """Make the call running in this instance (or in an instance linked with it) trap
        with "interrupt", or, if none is running, the next call. Safe to call from any
        thread. Needs a module compiled with interruptible=True."""
        self._interrupt().request()

    def set_deadline(self, seconds: float | None) -> None:
        """From `seconds` from now on, calls into this instance and the instances linked
        with it trap with "deadline exceeded", the running one included; until the next
        set_deadline. None: no deadline (the default). Needs a module compiled with
        interruptible=True."""
        self._interrupt().set_deadline(seconds)


def _describe(m: Module, kind: str, desc: Any, types: list) -> str:
    """An import's type, as repr shows it."""
    if kind in ("func", "tag"):
        return f"{kind} {types[desc]}"
    if kind == "global":
        return f"global {'mut ' if desc.mutable else ''}{m.canonical(desc.valtype)}"
    if kind == "table":
        return f"table {m.canonical(desc.elem)} {_limits(desc.limits)}"
    return f"memory {_limits(desc.limits)}"


def _describe_export(m: Module, e, types: list) -> str:
    if e.kind == "func":
        return f"func {m.canonical_func_type(e.index)}"
    if e.kind == "global":
        return _describe(m, "global", m.all_globals()[e.index], types)
    if e.kind == "table":
        return _describe(m, "table", m.all_tables()[e.index], types)
    if e.kind == "tag":
        return f"tag {types[m.all_tags()[e.index]]}"
    return _describe(m, "memory", m.all_memories()[e.index], types)


def _limits(limits) -> str:
    text = f"{limits.min}" + (f"..{limits.max}" if limits.max is not None else "..")
    return ("i64 " if limits.is64 else "") + text

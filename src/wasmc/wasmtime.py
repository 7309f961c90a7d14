"""A wasmtime-py compatible layer over wasmc's API (docs/wasmtime-compat.md).

A package written for wasmtime-py runs on wasmc by changing `import wasmtime` to
`import wasmc.wasmtime as wasmtime`. This module provides the subset of wasmtime-py's
API that such packages use (yowasp-runtime, for one), with wasmtime-py's names,
argument orders and exception types. Everything here is a thin translation: the work is
done by wasmc.Module / Instance / Func / Memory / WasiConfig.

What differs from wasmtime-py, in short: there is no real Store (wasmc frees objects by
reachability, store.py), so the `store` arguments are accepted and ignored; `serialize`
gives the module's bytes behind a header, and `deserialize` recompiles them, which hits
wasmc's compiled-code cache; features wasmc does not implement cannot be enabled.
"""

from __future__ import annotations

import ctypes
import enum
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from . import compiler, errors
from . import externals as wasmc_externals
from . import instance as wasmc_instance
from . import limits as wasmc_limits
from . import store as wasmc_store
from . import wasi as wasmc_wasi
from .binary import module as wasm_types
from .limits import ResourceLimits, creating_under

# --- errors ---------------------------------------------------------------------------


class WasmtimeError(Exception):
    """A failure that is not a trap: compiling, linking, configuring."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ExitTrap(WasmtimeError):
    """The program called WASI's proc_exit; `code` is its exit status."""

    def __init__(self, code: int):
        super().__init__(f"Exited with i32 exit status {code}")
        self.code = code


class TrapCode(enum.Enum):
    """Why Wasm code trapped (wasmtime-py's codes and numbers; the ones wasmc can raise)."""

    STACK_OVERFLOW = 0
    MEMORY_OUT_OF_BOUNDS = 1
    HEAP_MISALIGNED = 2
    TABLE_OUT_OF_BOUNDS = 3
    INDIRECT_CALL_TO_NULL = 4
    BAD_SIGNATURE = 5
    INTEGER_OVERFLOW = 6
    INTEGER_DIVISION_BY_ZERO = 7
    BAD_CONVERSION_TO_INTEGER = 8
    UNREACHABLE = 9
    INTERRUPT = 10
    OUT_OF_FUEL = 11
    NULL_REFERENCE = 13


# wasmc's trap messages (the spec's, runtime.c) -> Wasmtime's trap codes
_TRAP_CODES = {
    "call stack exhausted": TrapCode.STACK_OVERFLOW,
    "out of bounds memory access": TrapCode.MEMORY_OUT_OF_BOUNDS,
    "out of bounds table access": TrapCode.TABLE_OUT_OF_BOUNDS,
    "undefined element": TrapCode.TABLE_OUT_OF_BOUNDS,
    "uninitialized element": TrapCode.INDIRECT_CALL_TO_NULL,
    "indirect call type mismatch": TrapCode.BAD_SIGNATURE,
    "integer overflow": TrapCode.INTEGER_OVERFLOW,
    "integer divide by zero": TrapCode.INTEGER_DIVISION_BY_ZERO,
    "invalid conversion to integer": TrapCode.BAD_CONVERSION_TO_INTEGER,
    "unreachable": TrapCode.UNREACHABLE,
    "interrupt": TrapCode.INTERRUPT,
    "deadline exceeded": TrapCode.INTERRUPT,
    "null reference": TrapCode.NULL_REFERENCE,
    "null function reference": TrapCode.NULL_REFERENCE,
    "unaligned atomic": TrapCode.HEAP_MISALIGNED,  # (Wasmtime: "misaligned memory access")
    "all fuel consumed by WebAssembly": TrapCode.OUT_OF_FUEL,
}


class Trap(Exception):
    """Wasm code trapped. `message` says why (the spec's text, as wasmc reports it);
    `trap_code` is the TrapCode, or None for a trap raised by a host function."""

    def __init__(self, message: str, trap_code: TrapCode | None = None):
        super().__init__(message)
        self.message = message
        self.frames: list[Any] = []  # wasmc records the trapping function only
        self.trap_code = trap_code

    def __str__(self) -> str:
        return self.message


# A Python exception raised by a host function, waiting to be re-raised where Wasm was
# entered (as wasmtime-py does): wasmc turns it into a trap on the way through Wasm.
_pending = threading.local()


def _translated(exc: errors.WasmcError) -> Exception:
    """The wasmtime-py exception for a wasmc one."""
    if isinstance(exc, wasmc_wasi.WasiExit):
        return ExitTrap(exc.code)
    if isinstance(exc, errors.Trap):
        return Trap(str(exc), _TRAP_CODES.get(exc.message))
    return WasmtimeError(str(exc))


def _call_wasm(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call into wasmc, translating its exceptions (and re-raising a host function's)."""
    _pending.exception = None
    try:
        return fn(*args, **kwargs)
    except errors.WasmcError as exc:
        host_exception, _pending.exception = getattr(_pending, "exception", None), None
        if host_exception is not None:
            raise host_exception from None
        raise _translated(exc) from exc
    finally:
        if _CustomOutput.active:  # what the call wrote to a custom stdout/stderr
            _CustomOutput.flush_all()


# --- types ----------------------------------------------------------------------------


class ValType:
    """A value type: ValType.i32(), .i64(), .f32(), .f64(), .funcref(), .externref()."""

    def __init__(self) -> None:
        raise WasmtimeError("cannot construct directly")

    @classmethod
    def _named(cls, name: str) -> ValType:
        valtype = cls.__new__(cls)
        valtype._name = name
        return valtype

    @classmethod
    def i32(cls) -> ValType:
        return cls._named(wasm_types.I32)

    @classmethod
    def i64(cls) -> ValType:
        return cls._named(wasm_types.I64)

    @classmethod
    def f32(cls) -> ValType:
        return cls._named(wasm_types.F32)

    @classmethod
    def f64(cls) -> ValType:
        return cls._named(wasm_types.F64)

    @classmethod
    def funcref(cls) -> ValType:
        return cls._named(wasm_types.FUNCREF)

    @classmethod
    def externref(cls) -> ValType:
        return cls._named(wasm_types.EXTERNREF)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValType) and other._name == self._name

    def __hash__(self) -> int:
        return hash(self._name)

    def __str__(self) -> str:
        return self._name

    __repr__ = __str__


class Val:
    """A typed value: Val.i32(5), Val.f64(1.5), Val.funcref(f), Val.ref_null(ty), ...
    Accepted wherever a value is; `value` is the Python value, `type` its ValType."""

    def __init__(self, type: ValType, value: Any):  # noqa: A002 - wasmtime-py's name
        self._type = type
        self._value = value

    @classmethod
    def i32(cls, value: int) -> Val:
        if not isinstance(value, int):
            raise TypeError("expected an integer")
        return cls(ValType.i32(), wasmc_externals.from_raw("i32", value & 0xFFFFFFFF))

    @classmethod
    def i64(cls, value: int) -> Val:
        if not isinstance(value, int):
            raise TypeError("expected an integer")
        return cls(ValType.i64(), wasmc_externals.from_raw("i64", value & (2**64 - 1)))

    @classmethod
    def f32(cls, value: float) -> Val:
        if not isinstance(value, float):
            raise TypeError("expected a float")
        return cls(ValType.f32(), wasmc_externals.from_raw(
            "f32", wasmc_externals.to_raw("f32", value)))

    @classmethod
    def f64(cls, value: float) -> Val:
        if not isinstance(value, float):
            raise TypeError("expected a float")
        return cls(ValType.f64(), value)

    @classmethod
    def externref(cls, value: Any) -> Val:
        return cls(ValType.externref(), value)

    @classmethod
    def funcref(cls, value: Func | None) -> Val:
        return cls(ValType.funcref(), value)

    @classmethod
    def ref_null(cls, ty: ValType) -> Val:
        if ty not in (ValType.externref(), ValType.funcref()):
            raise WasmtimeError(f"Invalid reference type for `ref_null`: {ty}")
        return cls(ty, None)

    @property
    def value(self) -> Any:
        return self._value

    @property
    def type(self) -> ValType:
        return self._type

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Val):
            return self._type == other._type and self._value == other._value
        return self._value == other

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"Val({self._type}, {self._value!r})"


class FuncType:
    """A function type: FuncType([ValType.i32()], [ValType.i64()])."""

    def __init__(self, params: Sequence[ValType], results: Sequence[ValType]):
        for valtype in (*params, *results):
            if not isinstance(valtype, ValType):
                raise TypeError("expected ValType")
        self._wasmc = wasm_types.FuncType(tuple(t._name for t in params),
                                          tuple(t._name for t in results))

    @classmethod
    def _of(cls, ft: wasm_types.FuncType) -> FuncType:
        return cls([ValType._named(t) for t in ft.params],
                   [ValType._named(t) for t in ft.results])

    @property
    def params(self) -> list[ValType]:
        return [ValType._named(t) for t in self._wasmc.params]

    @property
    def results(self) -> list[ValType]:
        return [ValType._named(t) for t in self._wasmc.results]


class Limits:
    def __init__(self, min: int, max: int | None):  # noqa: A002 - wasmtime-py's names
        self.min = min
        self.max = max


class GlobalType:
    """A global's type: GlobalType(ValType.i32(), mutable=True)."""

    def __init__(self, valtype: ValType, mutable: bool):
        if not isinstance(valtype, ValType):
            raise TypeError("expected ValType")
        self._wasmc = wasm_types.GlobalType(valtype._name, bool(mutable))

    @property
    def content(self) -> ValType:
        return ValType._named(self._wasmc.valtype)

    @property
    def mutable(self) -> bool:
        return self._wasmc.mutable


class TableType:
    """A table's type: TableType(ValType.funcref(), Limits(1, None)) (entries)."""

    def __init__(self, valtype: ValType, limits: Limits):
        if not isinstance(valtype, ValType):
            raise TypeError("expected ValType")
        if not isinstance(limits, Limits):
            raise TypeError("expected Limits")
        self._wasmc = wasm_types.TableType(valtype._name,
                                           wasm_types.Limits(limits.min, limits.max))

    @property
    def element(self) -> ValType:
        return ValType._named(self._wasmc.elem)

    @property
    def limits(self) -> Limits:
        return Limits(self._wasmc.limits.min, self._wasmc.limits.max)


class MemoryType:
    """A memory type: MemoryType(Limits(1, None)) (pages), is_64 for memory64, shared for a
    shared memory (threads; it must have a maximum)."""

    def __init__(self, limits: Limits, is_64: bool = False, shared: bool = False):
        if shared and limits.max is None:
            raise WasmtimeError("shared memory must have maximum")
        self.limits = limits
        self.is_64 = is_64
        self.is_shared = shared


# --- configuration --------------------------------------------------------------------

# Feature flags wasmc implements: enabling or disabling them is accepted (wasmc compiles
# whatever of them a module uses either way). The others cannot be enabled.
SUPPORTED_FEATURES = frozenset({
    "bulk_memory", "multi_value", "reference_types", "tail_call", "multi_memory",
    "memory64", "exceptions", "function_references", "simd", "relaxed_simd",
    "relaxed_simd_deterministic", "threads"})
UNSUPPORTED_FEATURES = frozenset({
    "gc",
    "component_model", "component_model_map", "component_model_implements",
    "wide_arithmetic", "custom_page_sizes", "stack_switching"})
# Settings that only tune Wasmtime's own compiler or caches: accepted, no effect.
IGNORED_SETTINGS = frozenset({
    "debug_info", "cranelift_debug_verifier", "cache", "parallel_compilation",
    "cranelift_nan_canonicalization", "native_unwind_info", "memory_may_move",
    "memory_reservation", "memory_guard_size", "memory_reservation_for_growth",
    "max_wasm_stack", "gc_support", "shared_memory"})
# cranelift_opt_level -> the C optimization level wasmc builds with
OPT_LEVELS = {"none": 0, "speed": 2, "speed_and_size": 2}


class Config:
    """Engine settings. Like wasmtime-py's, its fields can be set but not read."""

    def __init__(self) -> None:
        # A package cannot be told wasmc's options; $WASMC_OPT picks the C optimization
        # level for one that sets no cranelift_opt_level (e.g. 0 for quick tests).
        opt = os.environ.get("WASMC_OPT", "")
        object.__setattr__(self, "_opt", int(opt) if opt.isdigit() else compiler.DEFAULT_OPT)
        object.__setattr__(self, "_epoch_interruption", False)
        object.__setattr__(self, "_consume_fuel", False)

    def __setattr__(self, name: str, value: Any) -> None:
        feature = name.removeprefix("wasm_")
        if name.startswith("wasm_") and feature in SUPPORTED_FEATURES:
            return
        if name.startswith("wasm_") and feature in UNSUPPORTED_FEATURES:
            if value:
                raise WasmtimeError(f"wasmc does not support the {feature} feature")
            return
        if name in IGNORED_SETTINGS:
            return
        if name == "cranelift_opt_level":
            if value not in OPT_LEVELS:
                raise WasmtimeError(f"unknown optimization level: {value}")
            # "none" is -O0; for the speed levels $WASMC_OPT, if set, wins, since packages
            # (itkwasm) ask for "speed" and a test wants a quick build
            if value == "none" or not os.environ.get("WASMC_OPT", "").isdigit():
                object.__setattr__(self, "_opt", OPT_LEVELS[value])
        elif name == "strategy":
            if value not in ("auto", "cranelift"):
                raise WasmtimeError(f"unsupported compilation strategy: {value}")
        elif name == "epoch_interruption":  # compiles modules with interrupt checks
            object.__setattr__(self, "_epoch_interruption", bool(value))
        elif name == "consume_fuel":  # compiles modules that count fuel as Wasmtime does
            object.__setattr__(self, "_consume_fuel", bool(value))
        elif name in ("profiler", "target"):
            if value and value != "none":
                raise WasmtimeError(f"{name} is not supported by wasmc")
        else:
            raise AttributeError(f"'Config' object has no attribute {name!r}")

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"Config.{name} can be set but not read")


class Engine:
    """Compilation settings, and the epoch: a counter that `increment_epoch` advances (from
    any thread) and that stores compare with their epoch deadlines."""

    def __init__(self, config: Config | None = None):
        config = config or Config()
        self._opt: int = config._opt
        self._epoch_interruption: bool = config._epoch_interruption
        self._consume_fuel: bool = config._consume_fuel
        # A large module gets a quick -O0 build first and its optimized build in the
        # background, as with `wasmc run`; $WASMC_QUICK=0 waits for the optimized build.
        self._quick = os.environ.get("WASMC_QUICK", "1") != "0"
        self._epoch = 0
        self._stores: weakref.WeakSet[Store] = weakref.WeakSet()
        self._lock = threading.Lock()

    def increment_epoch(self) -> None:
        """Advance the epoch: code of every store whose deadline it reaches traps
        (TrapCode.INTERRUPT)."""
        with self._lock:
            self._epoch += 1
            stores = list(self._stores)
        for store in stores:
            store._update_epoch()


class Store:
    """wasmc frees objects by reachability (store.py), so a Store holds the WASI
    configuration, the user's data, the limits and the epoch deadline of the instances made
    in it; the `store` arguments of calls and accessors are ignored."""

    def __init__(self, engine: Engine | None = None, data: Any = None):
        self.engine = engine or Engine()
        self._data = data
        self._wasi: wasmc_wasi.WasiConfig | None = None
        self._wasi_callbacks: dict[int, Callable[[bytes], Any]] = {}
        # The epoch deadline: as in Wasmtime, 0 until set, so that with epoch interruption
        # code traps until the store is given a deadline.
        self._epoch_deadline = 0
        # The wasmc groups (store.py) of the instances made here: an instance's exports
        # keep its group, not the Instance object.
        self._groups: list[wasmc_store.StoreRef] = []
        self._groups_lock = threading.Lock()  # increment_epoch may come from another thread
        self._limits: ResourceLimits | None = None
        self._counts = {"instance": 0, "table": 0, "memory": 0}
        self._count_limits: dict[str, int] = {}
        # With Config.consume_fuel: the fuel counter of every instance made here (0 until
        # set_fuel, so that code traps at once, as in Wasmtime).
        self._fuel = wasmc_limits.Fuel() if self.engine._consume_fuel else None
        self.engine._stores.add(self)

    def data(self) -> Any:
        return self._data

    def gc(self) -> None:
        pass  # nothing to collect: Python's reference counting frees wasmc's objects

    def set_wasi(self, wasi: WasiConfig) -> None:
        self._wasi = wasi._snapshot()
        self._wasi_callbacks = wasi._callbacks()

    def set_fuel(self, fuel: int) -> None:
        """Make `fuel` units available to the code of this store's instances (needs
        Config.consume_fuel): an instruction costs about 1, counted as Wasmtime does
        (docs/limits.md, "Fuel"); at none left, a call traps with TrapCode.OUT_OF_FUEL."""
        self._fuel_counter().set(min(max(0, fuel), 2**63 - 1))

    def get_fuel(self) -> int:
        """The fuel left (needs Config.consume_fuel)."""
        return self._fuel_counter().get()

    def _fuel_counter(self) -> wasmc_limits.Fuel:
        if self._fuel is None:
            raise WasmtimeError("fuel is not configured in this store")
        return self._fuel

    def set_epoch_deadline(self, ticks_after_current: int) -> None:
        """Code running in this store traps (TrapCode.INTERRUPT) once the engine's epoch
        has advanced `ticks_after_current` more times (needs Config.epoch_interruption)."""
        self._epoch_deadline = self.engine._epoch + ticks_after_current
        self._update_epoch()

    def _epoch_passed(self) -> bool:
        return self.engine._epoch >= self._epoch_deadline

    def _update_epoch(self) -> None:
        """Set off, or withdraw, the interrupt cells of the store's instances."""
        passed = self._epoch_passed()
        with self._groups_lock:
            groups = [group() for group in self._groups]
            self._groups = [ref for ref, group in zip(self._groups, groups, strict=True)
                            if group is not None]
        for group in groups:
            interrupt = group.root()._interrupt if group is not None else None
            if interrupt is not None:
                interrupt.expire() if passed else interrupt.clear_expired()

    def set_limits(self, memory_size: int = -1, table_elements: int = -1, instances: int = -1,
                   tables: int = -1, memories: int = -1) -> None:
        """Limits for what is created in this store from now on: the bytes of each memory,
        the elements of each table (memory.grow and table.grow fail beyond them), and how
        many instances, tables and memories it may hold. A negative value leaves a limit as
        it was."""
        old = self._limits or ResourceLimits()
        self._limits = ResourceLimits(
            memory_size if memory_size >= 0 else old.memory_size,
            table_elements if table_elements >= 0 else old.table_elements)
        for kind, value in (("instance", instances), ("table", tables), ("memory", memories)):
            if value >= 0:
                self._count_limits[kind] = value

    def _count(self, instances: int = 0, tables: int = 0, memories: int = 0) -> None:
        """Account for new objects, or raise WasmtimeError if a count limit forbids them."""
        new = {"instance": instances, "table": tables, "memory": memories}
        for kind, n in new.items():
            limit = self._count_limits.get(kind)
            if n and limit is not None and self._counts[kind] + n > limit:
                raise WasmtimeError(f"resource limit exceeded: {kind} count too high at "
                                    f"{self._counts[kind] + n}")
        for kind, n in new.items():
            self._counts[kind] += n


class WasiConfig:
    """What a WASI program sees. As in wasmtime-py, stdio is closed (empty stdin, output
    discarded) unless inherited or redirected, and the fields can be set but not read."""

    def __init__(self) -> None:
        self._argv: list[str] = []
        self._env: dict[str, str] = {}
        self._preopens: dict[str, str] = {}  # guest path -> host directory
        self._stdio: list[Any] = [b"", os.devnull, os.devnull]

    def _set_argv(self, argv: Sequence[str]) -> None:
        self._argv = [str(a) for a in argv]

    def _set_env(self, pairs: Iterable[Iterable[str]]) -> None:
        self._env = {str(k): str(v) for k, v in pairs}

    argv = property(fset=_set_argv)
    env = property(fset=_set_env)

    def inherit_argv(self) -> None:
        self._argv = list(sys.argv)

    def inherit_env(self) -> None:
        self._env = dict(os.environ)

    def _set_stdin_file(self, path: str | os.PathLike[str]) -> None:
        self._stdio[0] = self._checked_file(path, os.O_RDONLY)

    def _set_stdout_file(self, path: str | os.PathLike[str]) -> None:
        self._stdio[1] = self._checked_file(path, os.O_WRONLY | os.O_CREAT)

    def _set_stderr_file(self, path: str | os.PathLike[str]) -> None:
        self._stdio[2] = self._checked_file(path, os.O_WRONLY | os.O_CREAT)

    # wasmtime-py makes these settable properties: `wasi.stdout_file = "out.txt"`
    stdin_file = property(fset=_set_stdin_file)
    stdout_file = property(fset=_set_stdout_file)
    stderr_file = property(fset=_set_stderr_file)

    def _set_stdout_custom(self, callback: Callable[[bytes], Any]) -> None:
        self._stdio[1] = self._checked_callback(callback)

    def _set_stderr_custom(self, callback: Callable[[bytes], Any]) -> None:
        self._stdio[2] = self._checked_callback(callback)

    # `wasi.stdout_custom = f`: f(bytes) gets what the program writes (see _CustomOutput)
    stdout_custom = property(fset=_set_stdout_custom)
    stderr_custom = property(fset=_set_stderr_custom)

    @staticmethod
    def _checked_callback(callback: Any) -> Callable[[bytes], Any]:
        if not callable(callback):
            raise TypeError("expected a callable taking bytes")
        return callback

    def inherit_stdin(self) -> None:
        self._stdio[0] = None

    def inherit_stdout(self) -> None:
        self._stdio[1] = None

    def inherit_stderr(self) -> None:
        self._stdio[2] = None

    def preopen_dir(self, path: str, guest_path: str, fs_mutable: bool = True) -> None:
        """Give the program the host directory `path` as `guest_path`. A later preopen of
        the same guest path replaces the earlier one, as the guest's lookup prefers the
        newest."""
        if not fs_mutable:
            raise WasmtimeError("read-only preopens are not supported by wasmc")
        try:  # fail here, as wasmtime-py does, not at instantiation
            os.close(os.open(path, os.O_RDONLY | os.O_DIRECTORY))
        except OSError as exc:
            raise WasmtimeError(f"failed to open directory {path!r}: {exc.strerror}") from None
        self._preopens.pop(guest_path, None)
        self._preopens[guest_path] = str(path)

    @staticmethod
    def _checked_file(path: str | os.PathLike[str], flags: int) -> str:
        try:
            os.close(os.open(path, flags, 0o644))
        except OSError as exc:
            raise WasmtimeError(f"failed to open file {os.fspath(path)!r}: "
                                f"{exc.strerror}") from None
        return os.fspath(path)

    def _snapshot(self) -> wasmc_wasi.WasiConfig:
        stdin, stdout, stderr = (wasmc_wasi.CAPTURE if callable(spec) else spec
                                 for spec in self._stdio)
        return wasmc_wasi.WasiConfig(argv=list(self._argv), env=dict(self._env),
                                     preopens=dict(self._preopens), stdin=stdin,
                                     stdout=stdout, stderr=stderr)

    def _callbacks(self) -> dict[int, Callable[[bytes], Any]]:
        """The custom outputs: stdio number -> callback."""
        return {fd: spec for fd, spec in enumerate(self._stdio) if callable(spec)}


class _CustomOutput:
    """A WASI instance's stdout or stderr with a callback (WasiConfig.stdout_custom): the
    runtime writes it to a captured file, and what is new there goes to the callback
    whenever control comes back to Python: at the end of every call into Wasm (trapped or
    not, _call_wasm) and before every host function (_host_function). Wasmtime calls it
    during each write; the bytes of each stream, their order, and their order with respect
    to host calls are the same (docs/wasmtime-compat.md)."""

    active: weakref.WeakSet[_CustomOutput] = weakref.WeakSet()

    def __init__(self, context: wasmc_wasi.WasiContext, fd: int,
                 callback: Callable[[bytes], Any]):
        self.context, self.fd, self.callback, self.offset = context, fd, callback, 0
        _CustomOutput.active.add(self)

    def flush(self) -> None:
        data = self.context.output_since(self.fd, self.offset)
        if data:
            self.offset += len(data)
            self.callback(data)

    @classmethod
    def flush_all(cls) -> None:
        for output in sorted(cls.active, key=lambda output: output.fd):  # stdout first
            output.flush()


# --- modules --------------------------------------------------------------------------

SERIALIZED_MAGIC = b"\0wasmc-serialized-module-1\0"


class Module:
    """A compiled module. `Module(engine, wasm)` takes binary bytes or text."""

    def __init__(self, engine: Engine, wasm: bytes | bytearray | str):
        if not isinstance(engine, Engine):
            raise TypeError("expected an Engine")
        if not isinstance(wasm, bytes | bytearray | str):
            raise TypeError("expected wasm bytes or text")
        try:
            self._binary = compiler.read_source(bytes(wasm) if not isinstance(wasm, str)
                                                else wasm)
            self._compiled = compiler.compile_module(
                self._binary, opt=engine._opt, interruptible=engine._epoch_interruption,
                fuel=engine._consume_fuel, quick=engine._quick)
        except errors.WasmcError as exc:
            raise WasmtimeError(str(exc)) from exc
        self._engine = engine

    @classmethod
    def from_file(cls, engine: Engine, path: str | os.PathLike[str]) -> Module:
        with open(path, "rb") as f:
            data = f.read()
        return cls(engine, data if data.startswith(b"\0asm") else data.decode())

    @classmethod
    def validate(cls, engine: Engine, wasm: bytes | bytearray) -> None:
        cls(engine, wasm)

    def serialize(self) -> bytearray:
        """The module in a form `deserialize` takes back: its bytes behind a header.
        wasmc's compiled code lives in its own cache, so deserializing is quick."""
        return bytearray(SERIALIZED_MAGIC + self._binary)

    @classmethod
    def deserialize(cls, engine: Engine, encoded: bytes | bytearray) -> Module:
        encoded = bytes(encoded)
        if not encoded.startswith(SERIALIZED_MAGIC):
            raise WasmtimeError("not a module serialized by wasmc.wasmtime")
        return cls(engine, encoded[len(SERIALIZED_MAGIC):])

    @classmethod
    def deserialize_file(cls, engine: Engine, path: str) -> Module:
        with open(path, "rb") as f:
            return cls.deserialize(engine, f.read())


# --- externals ------------------------------------------------------------------------


class Caller:
    """What a host function defined with `access_caller=True` gets first: the exports of
    the instance that imports it (`caller["memory"]`, `caller.get(name)`), valid during
    the call. It can also be given where a `store` is expected."""

    def __init__(self, instance: Instance | None):
        self._instance = instance

    def get(self, name: str) -> Any:
        if self._instance is None:  # the call is over, or the instance is still starting
            return None
        return self._instance._exports.get(name)

    def __getitem__(self, name: str) -> Any:
        item = self.get(name)
        if item is None:
            raise KeyError(f"failed to find export {name}")
        return item


def _host_function(ft: wasm_types.FuncType, func: Callable[..., Any],
                   caller_of: list[Instance | None] | None = None) -> wasmc_externals.Func:
    """A wasmc host function calling `func` with wasmtime-py's conventions: a list of
    results is accepted, and an exception it raises reaches the Python caller of Wasm.
    With `caller_of` (a one-item list the linker fills with the importing instance once
    it exists), `func` gets a Caller first."""

    def call(*args: Any) -> Any:
        caller = None
        if _CustomOutput.active:  # the output so far comes before what the host does
            _CustomOutput.flush_all()
        try:
            if caller_of is not None:
                caller = Caller(caller_of[0])
                args = (caller, *args)
            result = func(*args)
            if ft.results and result is None:
                raise WasmtimeError("callback produced no results")
            if not ft.results and result is not None:
                raise WasmtimeError("callback produced results when it shouldn't")
        except BaseException as exc:
            _pending.exception = exc
            raise
        finally:
            if caller is not None:
                caller._instance = None  # as in wasmtime-py, valid during the call only
        return tuple(result) if isinstance(result, list) else result

    call.__name__ = getattr(func, "__name__", "host")
    return wasmc_externals.Func.from_python(ft, call)


class Func:
    """A function. `Func(store, ty, func)` makes a host function; `f(store, *args)` calls
    it and returns None, one value, or a list of values."""

    def __init__(self, store: Store, ty: FuncType, func: Callable[..., Any],
                 access_caller: bool = False):
        if not isinstance(store, Store):
            raise TypeError("expected a Store")
        if not isinstance(ty, FuncType):
            raise TypeError("expected a FuncType")
        # With access_caller, each instance that imports the function gets a copy whose
        # Caller is that instance (_unwrapped_extern); a call from the host gets a Caller
        # with no instance, as in Wasmtime.
        self._with_caller = (ty._wasmc, func) if access_caller else None
        self._func = _host_function(ty._wasmc, func, [None] if access_caller else None)

    @classmethod
    def _wrap(cls, func: wasmc_externals.Func) -> Func:
        wrapped = cls.__new__(cls)
        wrapped._func = func
        wrapped._with_caller = None
        return wrapped

    def type(self, store: Store) -> FuncType:
        return FuncType._of(self._func.type)

    def __call__(self, store: Store, *params: Any) -> Any:
        expected = len(self._func.type.params)
        if len(params) != expected:
            raise WasmtimeError(f"too {'many' if len(params) > expected else 'few'} "
                                f"parameters provided: given {len(params)}, "
                                f"expected {expected}")
        params = tuple(_unwrapped_value(p, t) for p, t in zip(params, self._func.type.params,
                                                               strict=True))
        result = _call_wasm(self._func, *params)
        if isinstance(result, tuple):
            return [_wrapped_value(v) for v in result]
        return _wrapped_value(result)


def _unwrapped_value(value: Any, valtype: str) -> Any:
    """A parameter as wasmc takes it: a Val's value (of the right type), a Func's."""
    if isinstance(value, Val):
        if value.type._name != valtype:
            raise TypeError("wrong type of `Val` provided")
        value = value.value
    return value._func if isinstance(value, Func) else value


def _wrapped_value(value: Any) -> Any:
    return Func._wrap(value) if isinstance(value, wasmc_externals.Func) else value


def _made_under_limits(store: Store, kind: str, minimum: int, make: Callable[[], Any]) -> Any:
    """A memory or table (`kind`) that `make` creates under `store`'s limits; WasmtimeError,
    with Wasmtime's message, if its minimum exceeds them. As in Wasmtime, one made by the
    host does not count against the store's limits on the number of memories and tables."""
    limits = store._limits
    limit, unit = ((None, "") if limits is None else
                   (limits.memory_pages, "pages") if kind == "memory" else
                   (limits.table_elements, "elements"))
    if limit is not None and minimum > limit:
        raise WasmtimeError(f"{kind} minimum size of {minimum} {unit} exceeds {kind} limits")
    try:
        with creating_under(wasmc_externals.default_runtime(), limits):
            return make()
    except errors.WasmcError as exc:
        raise WasmtimeError(str(exc)) from exc


class Memory:
    """A linear memory. `Memory(store, MemoryType(Limits(1, 2)))` makes one."""

    def __init__(self, store: Store, ty: MemoryType):
        self._memory = _made_under_limits(
            store, "memory", ty.limits.min,
            lambda: wasmc_externals.Memory.new(ty.limits.min, ty.limits.max, is64=ty.is_64,
                                               shared=ty.is_shared))

    @classmethod
    def _wrap(cls, memory: wasmc_externals.Memory) -> Memory:
        wrapped = cls.__new__(cls)
        wrapped._memory = memory
        return wrapped

    def type(self, store: Store) -> MemoryType:
        limits = self._memory.type.limits
        return MemoryType(Limits(limits.min, limits.max), limits.is64, limits.shared)

    def grow(self, store: Store, delta: int) -> int:
        if delta < 0:
            raise WasmtimeError("cannot grow by negative amount")
        old = self._memory.grow(delta)
        if old < 0:
            raise WasmtimeError("failed to grow memory")
        return old

    def size(self, store: Store) -> int:
        return self._memory.size

    def data_len(self, store: Store) -> int:
        return self._memory.data_size

    def data_ptr(self, store: Store) -> ctypes._Pointer:
        """The memory's first byte (its bytes never move: wasmc reserves the whole range)."""
        return ctypes.cast(self._memory._ptr.contents.base, ctypes.POINTER(ctypes.c_ubyte))

    def get_buffer_ptr(self, store: Store, size: int | None = None,
                       offset: int = 0) -> ctypes.Array:
        if size is None:
            size = self.data_len(store)
        return (ctypes.c_ubyte * size).from_address(self._memory._ptr.contents.base + offset)

    def read(self, store: Store, start: int | None = 0, stop: int | None = None) -> bytearray:
        """A copy of bytes [start:stop], with list-slice semantics (negative from the end)."""
        start, stop, _ = slice(start, stop).indices(self.data_len(store))
        if stop <= start:
            return bytearray()
        return bytearray(self._memory.read(start, stop - start))

    def write(self, store: Store, value: bytes | bytearray, start: int | None = None) -> int:
        """Write `value` at `start` (negative: from the end); the number of bytes written.
        IndexError if it does not fit."""
        size = self.data_len(store)
        start = slice(start, None).indices(size)[0]
        if start >= size or start + len(value) > size:
            raise IndexError("index out of range")
        self._memory.write(start, bytes(value))
        return len(value)


class Global:
    """A global. `Global(store, GlobalType(ValType.i32(), True), 5)` makes one; an
    instance's exported globals are Globals too (wasmc.Global underneath)."""

    def __init__(self, store: Store, ty: GlobalType, val: Any):
        if not isinstance(ty, GlobalType):
            raise TypeError("expected a GlobalType")
        self._global = wasmc_externals.Global.new(
            ty._wasmc, _unwrapped_value(val, ty._wasmc.valtype))

    @classmethod
    def _wrap(cls, global_: wasmc_externals.Global) -> Global:
        wrapped = cls.__new__(cls)
        wrapped._global = global_
        return wrapped

    def type(self, store: Store) -> GlobalType:
        gtype = self._global.type
        return GlobalType(ValType._named(gtype.valtype), gtype.mutable)

    def value(self, store: Store) -> Any:
        return _wrapped_value(self._global.value)

    def set_value(self, store: Store, val: Any) -> None:
        if not self._global.type.mutable:
            raise WasmtimeError("immutable global cannot be set")
        self._global.value = _unwrapped_value(val, self._global.type.valtype)


class Table:
    """A table. `Table(store, TableType(ValType.funcref(), Limits(1, None)), None)` makes
    one, every entry set to the last argument; an instance's exported tables are Tables too
    (wasmc.Table underneath)."""

    def __init__(self, store: Store, ty: TableType, init: Any):
        if not isinstance(ty, TableType):
            raise TypeError("expected a TableType")
        init = _unwrapped_value(init, ty._wasmc.elem)
        self._table = _made_under_limits(store, "table", ty.limits.min,
                                         lambda: wasmc_externals.Table.new(ty._wasmc, init))

    @classmethod
    def _wrap(cls, table: wasmc_externals.Table) -> Table:
        wrapped = cls.__new__(cls)
        wrapped._table = table
        return wrapped

    def type(self, store: Store) -> TableType:
        ttype = self._table.type
        return TableType(ValType._named(ttype.elem), Limits(ttype.limits.min, ttype.limits.max))

    def size(self, store: Store) -> int:
        return self._table.size

    def get(self, store: Store, idx: int) -> Any:
        """The entry at `idx` (a Func, an externref's value), or None for a null reference
        or an index out of bounds."""
        if not 0 <= idx < self._table.size:
            return None
        return _wrapped_value(self._table.get(idx))

    def set(self, store: Store, idx: int, val: Any) -> None:
        value = _unwrapped_value(val, self._table.elem)
        if not 0 <= idx < self._table.size:
            raise WasmtimeError("out of bounds table access")
        self._table.set(idx, value)

    def grow(self, store: Store, amt: int, init: Any) -> int:
        """Add `amt` entries set to `init`; the old size. WasmtimeError if it cannot grow."""
        old = self._table.grow(amt, _unwrapped_value(init, self._table.elem))
        if old < 0:
            raise WasmtimeError(f"failed to grow table by `{amt}`")
        return old


# wasmc's externals and the wrappers that present them with wasmtime-py's methods.
_WRAPPERS = ((wasmc_externals.Func, Func), (wasmc_externals.Memory, Memory),
             (wasmc_externals.Global, Global), (wasmc_externals.Table, Table))


def _wrapped_extern(item: Any) -> Any:
    for kind, wrapper in _WRAPPERS:
        if isinstance(item, kind):
            return wrapper._wrap(item)
    return item  # a Tag (not wrapped), or a Func kept wrapped (one with access_caller)


def _unwrapped_extern(item: Any, caller_of: list[Instance | None] | None = None) -> Any:
    """The wasmc object for an import (a Func with access_caller: a copy for the instance
    that `caller_of` will name)."""
    if isinstance(item, Func) and item._with_caller is not None and caller_of is not None:
        return _host_function(*item._with_caller, caller_of)
    if isinstance(item, Func):
        return item._func
    for wrapper, attribute in ((Memory, "_memory"), (Global, "_global"), (Table, "_table")):
        if isinstance(item, wrapper):
            return getattr(item, attribute)
    return item


# --- instances and linking ------------------------------------------------------------


class InstanceExports(Mapping[str, Any]):
    def __init__(self, instance: wasmc_instance.Instance):
        self._exports = {name: _wrapped_extern(item)
                         for name, item in instance.exports.items()}

    def __getitem__(self, name: str) -> Any:
        return self._exports[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._exports)

    def __len__(self) -> int:
        return len(self._exports)

    @property
    def by_index(self) -> list[Any]:
        return list(self._exports.values())


class Instance:
    """An instance. `Instance(store, module, imports)` takes the imports in the module's
    import order; `Linker.instantiate` finds them by name."""

    def __init__(self, store: Store, module: Module, imports: Sequence[Any]):
        wanted = module._compiled.imports
        if len(imports) != len(wanted):
            raise WasmtimeError(f"expected {len(wanted)} imports, found {len(imports)}")
        by_name: dict[str, dict[str, Any]] = {}
        caller_of: list[Instance | None] = [None]  # this instance, once it exists
        for (mod, name, _kind, _desc), item in zip(wanted, imports, strict=True):
            by_name.setdefault(mod, {})[name] = _unwrapped_extern(item, caller_of)
        self._instantiate(store, module, by_name, None)
        caller_of[0] = self

    @classmethod
    def _new(cls, store: Store, module: Module, imports: dict[str, dict[str, Any]],
             wasi: wasmc_wasi.WasiConfig | None) -> Instance:
        instance = cls.__new__(cls)
        instance._instantiate(store, module, imports, wasi)
        return instance

    def _instantiate(self, store: Store, module: Module, imports: dict[str, dict[str, Any]],
                     wasi: wasmc_wasi.WasiConfig | None) -> None:
        """Instantiate in `store`: under its limits, and, with epoch interruption, trapping
        from the start if its epoch deadline has passed (as Wasmtime does)."""
        if not isinstance(store, Store):  # e.g. a Caller: what the store would know is lost
            store = Store(module._engine)
        compiled = module._compiled
        over = _over_limits(compiled, store._limits)
        if over:
            raise WasmtimeError(over)
        store._count(1, len(compiled.module.tables), len(compiled.module.memories))
        passed = store._epoch_passed() if compiled.interruptible else None
        # A WASI reactor's _initialize is the caller's to run, as in wasmtime-py (itkwasm
        # calls it; wasi-libc traps on a second call).
        self._instance = _call_wasm(compiled.instantiate, imports, wasi=wasi,
                                    limits=store._limits, deadline=0 if passed else None,
                                    fuel=store._fuel if compiled.counts_fuel else None,
                                    initialize_reactor=False)
        with store._groups_lock:
            store._groups.append(self._instance._store.ref())
        if wasi is not None:
            for fd, callback in store._wasi_callbacks.items():
                self._instance._store.keep(_CustomOutput(self._instance.wasi, fd, callback))
        self._exports = InstanceExports(self._instance)

    def exports(self, store: Store) -> InstanceExports:
        return self._exports


def _over_limits(compiled: wasmc_instance.CompiledModule,
                 limits: ResourceLimits | None) -> str | None:
    """Wasmtime's words for a memory or table of the module that is over the store's limits
    from the start; None if there is none."""
    if limits is None:
        return None
    for mt in compiled.module.memories:
        if limits.memory_pages is not None and mt.limits.min > limits.memory_pages:
            return f"memory minimum size of {mt.limits.min} pages exceeds memory limits"
    for tt in compiled.module.tables:
        if limits.table_elements is not None and tt.limits.min > limits.table_elements:
            return f"table minimum size of {tt.limits.min} elements exceeds table limits"
    return None


class Linker:
    """Resolves a module's imports by name: host functions (define_func), externals
    (define), other instances' exports (define_instance), and WASI (define_wasi, with the
    store's WasiConfig)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._items: dict[tuple[str, str], Any] = {}
        self._host_funcs: dict[tuple[str, str], tuple[wasm_types.FuncType, Callable]] = {}
        self._wasi = False
        self._shadowing = False

    def _set_allow_shadowing(self, allow: bool) -> None:
        self._shadowing = bool(allow)

    allow_shadowing = property(fset=_set_allow_shadowing)

    def _check_new(self, module: str, name: str) -> None:
        key = (module, name)
        if not self._shadowing and (key in self._items or key in self._host_funcs):
            raise WasmtimeError(f"import of `{module}::{name}` defined twice")
        self._items.pop(key, None)
        self._host_funcs.pop(key, None)

    def define(self, store: Store, module: str, name: str, item: Any) -> None:
        self._check_new(module, name)
        keep_wrapped = isinstance(item, Func) and item._with_caller is not None
        self._items[(module, name)] = item if keep_wrapped else _unwrapped_extern(item)

    def define_func(self, module: str, name: str, ty: FuncType, func: Callable[..., Any],
                    access_caller: bool = False) -> None:
        """A host function; with access_caller, `func` gets a Caller first (made for each
        instance, so it sees that instance's exports)."""
        self._check_new(module, name)
        self._host_funcs[(module, name)] = (ty._wasmc, func, access_caller)

    def define_instance(self, store: Store, name: str, instance: Instance) -> None:
        for export, item in instance._instance.exports.items():
            self._check_new(name, export)
            self._items[(name, export)] = item

    def define_wasi(self) -> None:
        self._wasi = True

    def get(self, store: Store, module: str, name: str) -> Any:
        if (module, name) in self._items:
            return _wrapped_extern(self._items[(module, name)])
        raise WasmtimeError(f"no item named `{module}::{name}` in linker")

    def instantiate(self, store: Store, module: Module) -> Instance:
        imports: dict[str, dict[str, Any]] = {}
        caller_of: list[Instance | None] = [None]  # the instance, once it exists
        for mod, name, _kind, _desc in module._compiled.imports:
            key = (mod, name)
            if key in self._host_funcs:  # a function made for this instance
                ft, func, access_caller = self._host_funcs[key]
                imports.setdefault(mod, {})[name] = _host_function(
                    ft, func, caller_of if access_caller else None)
            elif key in self._items:
                imports.setdefault(mod, {})[name] = _unwrapped_extern(self._items[key],
                                                                      caller_of)
            elif not (self._wasi and mod == wasmc_wasi.WASI_MODULE):
                raise WasmtimeError(f"unknown import: `{mod}::{name}` has not been defined")
        wasi = None
        if self._wasi and any(mod == wasmc_wasi.WASI_MODULE
                              for mod, *_ in module._compiled.imports):
            if store._wasi is None:
                raise WasmtimeError("the store has no WASI configuration (Store.set_wasi)")
            wasi = store._wasi
        caller_of[0] = Instance._new(store, module, imports, wasi)
        return caller_of[0]

"""The runtime's shared library and its C structs (wasmc.h), as ctypes sees them.

The runtime library is loaded once per process, with RTLD_GLOBAL, before any module: every
compiled module's shared library binds to it (see codegen/module.py for a module's entry
points). Everything here mirrors a declaration in runtime/wasmc.h; change both together.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

from . import toolchain
from .errors import Trap


class WasmcFunc(ctypes.Structure):
    _fields_ = [("type_id", ctypes.c_uint64), ("fn", ctypes.c_void_p), ("env", ctypes.c_void_p),
                ("tail", ctypes.c_void_p)]


class WasmcMemory(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("pages", ctypes.c_uint64),
                ("max_pages", ctypes.c_uint64), ("reserved", ctypes.c_uint64)]


class WasmcTable(ctypes.Structure):
    _fields_ = [("elems", ctypes.POINTER(ctypes.c_void_p)), ("size", ctypes.c_uint32),
                ("max", ctypes.c_uint32)]


class WasmcInvocation(ctypes.Structure):
    _fields_ = [("func", ctypes.c_void_p), ("slots", ctypes.POINTER(ctypes.c_uint64))]


class WasmcHostFunc(ctypes.Structure):
    _fields_ = [("callback", ctypes.c_void_p), ("data", ctypes.c_void_p)]


HOST_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64))
BODY = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class Runtime:
    """The runtime shared library, loaded once per process (with RTLD_GLOBAL, so every module
    library binds to it). There must be only one: a trap longjmps through the frames that the
    runtime a module is bound to knows about. Any compiler's build serves modules built by
    any compiler, since they share the C ABI."""

    _instance: Runtime | None = None

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
        lib.wasmc_memory_new.restype = ctypes.POINTER(WasmcMemory)
        lib.wasmc_memory_free.argtypes = [ctypes.c_void_p]
        lib.wasmc_memory_grow.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.wasmc_memory_grow.restype = ctypes.c_uint32
        lib.wasmc_memory64_new.argtypes = [ctypes.c_uint64, ctypes.c_uint64]
        lib.wasmc_memory64_new.restype = ctypes.POINTER(WasmcMemory)
        lib.wasmc_memory64_grow.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
        lib.wasmc_memory64_grow.restype = ctypes.c_uint64
        lib.wasmc_table_new.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p]
        lib.wasmc_table_new.restype = ctypes.POINTER(WasmcTable)
        lib.wasmc_table_free.argtypes = [ctypes.c_void_p]
        lib.wasmc_table_grow.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p]
        lib.wasmc_table_grow.restype = ctypes.c_uint32
        lib.wasmc_set_creation_limits.argtypes = [ctypes.c_uint64, ctypes.c_uint32]

    @classmethod
    def get(cls, cc: toolchain.CCompiler | None = None) -> Runtime:
        if cls._instance is None:
            cls._instance = Runtime(toolchain.runtime_shared_library(cc))
        return cls._instance

    def protected(self, body: int, arg: int | ctypes._Pointer | None) -> None:
        """Run a C function under the trap handler; raise Trap if it trapped, WasmException
        if a Wasm exception escaped it (docs/exceptions.md)."""
        code = self.lib.wasmc_protected(body, arg)
        if code == UNCAUGHT_EXCEPTION:
            from .wasm_exceptions import uncaught_exception

            raise uncaught_exception(self.lib)
        if code:
            self.raise_trap(code)

    def raise_trap(self, code: int) -> None:
        message = self.lib.wasmc_trap_message(code).decode()
        host_message = self.lib.wasmc_last_trap_message()
        if code == TRAP_HOST and host_message == b"wasi proc_exit":  # WASI_EXIT_MESSAGE
            from .wasi import WasiExit, exit_status

            raise WasiExit(exit_status())
        if host_message and code == TRAP_HOST:
            message = host_message.decode(errors="replace")
        function = self.lib.wasmc_last_trap_function()
        raise Trap(message, function.decode(errors="replace") if function else None)


TRAP_HOST = 12  # WASMCTRAP_HOST in wasmc.h
UNCAUGHT_EXCEPTION = 256  # WASMC_UNCAUGHT_EXCEPTION in wasmc.h: a WasmException, not a trap


def default_runtime() -> Runtime:
    return Runtime.get()

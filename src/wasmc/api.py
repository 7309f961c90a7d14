"""The Python API in one namespace (the names it always had): compile modules, instantiate
them, call their exports.

    import wasmc
    inst = wasmc.load("fib.wasm")
    inst.exports.fib(30)

`import wasmc` is the documented entry point (docs/api.md); this module keeps the older
`import wasmc.api` working. The implementation lives in:
  native.py     the runtime library and the C structs of wasmc.h, through ctypes
  store.py      who owns the C objects, and when they are freed
  externals.py  values (uint64 slots) and Func, Memory, Table, Global, Tag
  instance.py   CompiledModule and Instance (instantiation, exports)
  interrupt.py  interrupt cells and deadlines (interruptible modules)
  limits.py     resource limits on the memories and tables an instance creates
  linking.py    import type matching
  compiler.py   module bytes -> C -> shared library or executable
  libcache.py   the on-disk cache of compiled shared libraries
  wasm_exceptions.py  Wasm exceptions crossing into the host and back
"""

from __future__ import annotations

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
from .compiler import (
    DEFAULT_OPT,
    RUNTIME_HEADERS,
    build_executable,
    compile_module,
    compile_modules,
    load,
    read_source,
    translate,
)
from .errors import (
    CompileError,
    InstantiationError,
    LinkError,
    MalformedError,
    Trap,
    WasmException,
)
from .externals import (
    Exn,
    Extern,
    Func,
    Global,
    Memory,
    Table,
    Tag,
    extern_handle,
    extern_object,
    from_raw,
    to_raw,
)
from .externals import _UnknownFunc as _UnknownFunc
from .instance import CompiledModule, Instance
from .libcache import Unit as _Unit
from .libcache import UnitFailed as _UnitFailed
from .libcache import build_library as _build_library
from .linking import check_import as _check_import
from .native import BODY as _BODY
from .native import HOST_CALLBACK as _HOST_CALLBACK
from .native import TRAP_HOST as _TRAP_HOST
from .native import Runtime as _Runtime
from .native import WasmcFunc as _WasmcFunc
from .native import WasmcHostFunc as _WasmcHostFunc
from .native import WasmcInvocation as _WasmcInvocation
from .native import WasmcMemory as _WasmcMemory
from .native import WasmcTable as _WasmcTable
from .native import default_runtime as _default_runtime
from .store import Store

__all__ = [
    "compile_module", "compile_modules", "load", "build_executable", "read_source", "translate",
    "CompiledModule", "Instance", "Func", "Memory", "Table", "Global", "Tag", "Exn", "Store",
    "extern_handle", "extern_object", "to_raw", "from_raw", "Extern", "DEFAULT_OPT",
    "RUNTIME_HEADERS", "EXTERN", "F32", "F64", "FUNC", "I32", "I64", "FuncType", "GlobalType",
    "Limits", "MemoryType", "Module", "TableType", "ref_family", "val_matches",
    "CompileError", "InstantiationError", "LinkError", "MalformedError", "Trap",
    "WasmException",
    "_UnknownFunc", "_Unit", "_UnitFailed", "_build_library", "_check_import", "_BODY",
    "_HOST_CALLBACK", "_TRAP_HOST", "_Runtime", "_WasmcFunc", "_WasmcHostFunc",
    "_WasmcInvocation", "_WasmcMemory", "_WasmcTable", "_default_runtime",
]

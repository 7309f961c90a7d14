"""wasmc: a WebAssembly ahead-of-time compiler (Wasm -> C -> native code).

The Python API (docs/api.md):

    import wasmc
    inst = wasmc.load("fib.wasm")
    inst.exports.fib(30)

The names below are imported on first use, so that `import wasmc` (and `wasmc run`'s cache
lookup, which imports this package) stays cheap.
"""

__version__ = "0.1.0"

# public name -> (module, name there)
_API = {
    "load": ("compiler", "load"),
    "compile_module": ("compiler", "compile_module"),
    "compile_modules": ("compiler", "compile_modules"),
    "build_executable": ("compiler", "build_executable"),
    "Module": ("instance", "CompiledModule"),
    "Instance": ("instance", "Instance"),
    "Func": ("externals", "Func"),
    "Memory": ("externals", "Memory"),
    "Table": ("externals", "Table"),
    "Global": ("externals", "Global"),
    "Tag": ("externals", "Tag"),
    "Exn": ("externals", "Exn"),
    "Store": ("store", "Store"),
    "FuncType": ("binary.module", "FuncType"),
    "GlobalType": ("binary.module", "GlobalType"),
    "MemoryType": ("binary.module", "MemoryType"),
    "TableType": ("binary.module", "TableType"),
    "Limits": ("binary.module", "Limits"),
    "ResourceLimits": ("limits", "ResourceLimits"),
    "Fuel": ("limits", "Fuel"),
    "I32": ("binary.module", "I32"),
    "I64": ("binary.module", "I64"),
    "F32": ("binary.module", "F32"),
    "F64": ("binary.module", "F64"),
    "FUNCREF": ("binary.module", "FUNCREF"),
    "EXTERNREF": ("binary.module", "EXTERNREF"),
    "WasmcError": ("errors", "WasmcError"),
    "CompileError": ("errors", "CompileError"),
    "MalformedError": ("errors", "MalformedError"),
    "InvalidError": ("errors", "InvalidError"),
    "UnsupportedError": ("errors", "UnsupportedError"),
    "ToolchainError": ("errors", "ToolchainError"),
    "LinkError": ("errors", "LinkError"),
    "InstantiationError": ("errors", "InstantiationError"),
    "Trap": ("errors", "Trap"),
    "WasmException": ("errors", "WasmException"),
    "WasiConfig": ("wasi", "WasiConfig"),
    "WasiExit": ("wasi", "WasiExit"),
    "CAPTURE": ("wasi", "CAPTURE"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    # __import__, not importlib.import_module: the same import, but the interpreter's own
    # (which -X importtime reports, and `from wasmc import runcache` comes through here).
    import sys

    if name not in _API:  # a submodule, e.g. wasmc.api after a bare `import wasmc`
        try:
            __import__(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'wasmc' has no attribute {name!r}") from None
        return sys.modules[f"{__name__}.{name}"]
    module, attr = _API[name]
    __import__(f"{__name__}.{module}")
    value = getattr(sys.modules[f"{__name__}.{module}"], attr)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])

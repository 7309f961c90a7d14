"""The compile pipeline: module bytes -> C -> a shared library (or a native executable).

`compile_modules` decodes, validates and emits C for a batch of modules and builds them into
one shared library (libcache.py caches it by content; a batch compiled before is found by
its bytes, and then decoded without its function bodies); `build_executable` builds a
standalone program instead (codegen/executable.py).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import background, toolchain
from .binary.decoder import decode, no_cycle_collection
from .binary.module import Module
from .errors import CompileError, MalformedError
from .externals import Extern
from .instance import CompiledModule, Instance
from .libcache import (
    Unit,
    UnitFailed,
    build_library,
    cached_library,
    forget_library,
    pending_dir,
    source_key,
)
from .limits import ResourceLimits
from .native import Runtime
from .runcache import wants_quick_build
from .wasi import WasiConfig

DEFAULT_OPT = 2

# The validator and the C emitter (codegen) are imported by the functions that compile, not
# here: a process whose modules are all in the cache never needs them, and they were 60 of
# the 150 ms that `import wasmc.wasmtime` took (itkwasm and yowasp start a process per run).


def read_source(source: bytes | str | Path) -> bytes:
    """Module bytes from bytes, a .wasm path, a .wat/.wast text path, or a str of module
    text (one that starts with `(` or a `;;` comment; text goes through wasm-tools)."""
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str) and source.lstrip().startswith(("(", ";;")):
        return _parse_text(source.encode(), "-", "module text")
    path = Path(source)
    data = path.read_bytes()
    if data[:4] == b"\0asm":
        return data
    return _parse_text(None, str(path), str(path))


def _parse_text(text: bytes | None, arg: str, where: str) -> bytes:
    proc = subprocess.run([toolchain.wasm_tools(), "parse", arg], input=text,
                          capture_output=True)
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise MalformedError(f"{where}: cannot parse text module: "
                             f"{message[0] if message else 'wasm-tools parse failed'}")
    return proc.stdout


def translate(data: bytes, prefix: str = "wasmc_m0",
              musttail: bool = True, sibcalls: bool = False) -> tuple[Module, str]:
    """Decode, validate and translate module bytes to C, as one translation unit (for any
    size of module; `compile_modules` and `build_executable` split large ones, see
    codegen/split.py). Raises CompileError. `musttail`: the C compiler guarantees tail
    calls (clang's musttail; not GCC 12). `sibcalls`: without musttail, the C is for GCC
    with optimization, whose sibling calls may carry tail calls (codegen.module.gcc_sibcalls)."""
    from .codegen.module import emit_module
    from .validate.validator import validate
    with no_cycle_collection():
        module = decode(data)
        info = validate(module)
        return module, emit_module(module, info, prefix, musttail, sibcalls)


def compile_modules(sources: list[bytes | str | Path], *, cc: str | None = None, opt: int = 1,
                    jobs: int | None = None, interruptible: bool = False,
                    fuel: bool = False, quick: bool = False
                    ) -> list[CompiledModule | CompileError]:
    """Compile several modules into one shared library (one C compiler run, or several in
    parallel for large modules, up to `jobs` at a time; default: the CPU count). Each entry
    of the result is a CompiledModule or the CompileError that module raised. A source is
    what `read_source` takes (module bytes, a path, module text). `interruptible`: with
    interrupt checks, so that Instance.interrupt and set_deadline work (docs/limits.md).
    `fuel`: counting fuel as Wasmtime does (docs/limits.md, "Fuel"). A batch of the same
    bytes and settings that compiled before, every module valid, is taken from the cache
    without decoding its function bodies (docs/api.md, "The cache").
    `quick`: see compile_module (a batch of one module only)."""
    sources = [s if isinstance(s, bytes) else read_source(s) for s in sources]
    compiler = toolchain.find_compiler(cc)
    runtime = Runtime.get(compiler)
    key = source_key(sources, compiler, opt, interruptible, fuel)
    # With a quick first build: the key of the optimized build, made in the background
    # (unless it failed there: then this build is the optimized one, and reports the error).
    optimized = None
    quick = quick and len(sources) == 1 and wants_quick_build(sources[0], opt)
    retry = quick and background.has_failed(pending_dir(), key)
    library = cached_library(key)
    if library is None and quick and not retry:
        optimized, key = key, toolchain.quick_key(key)
        library = cached_library(key)
    if library is not None:
        # This batch compiled before, every module valid: its library needs only what
        # instantiation reads, not the function bodies (docs/api.md, "The cache").
        with no_cycle_collection():
            results: list[Any] = [
                CompiledModule(decode(data, bodies=False), library, f"wasmc_m{k}", runtime)
                for k, data in enumerate(sources)]
    else:
        results = _build_batch(sources, compiler, runtime, key, opt, jobs, interruptible,
                               fuel, quick=optimized is not None)
    if retry and isinstance(results[0], CompiledModule):
        background.forget_failure(pending_dir(), key)
    if optimized is not None and isinstance(results[0], CompiledModule):
        background.start(pending_dir(), optimized, sources[0], "wasmc.compiler",
                         [str(opt), str(jobs or 0), str(int(interruptible)), str(int(fuel)),
                          *([str(compiler)] if cc is not None else [])])
        results[0].optimized_key = optimized
    return results


def _build_batch(sources: list[bytes], compiler: toolchain.CCompiler, runtime: Runtime,
                 key: str, opt: int, jobs: int | None, interruptible: bool, fuel: bool,
                 quick: bool) -> list[CompiledModule | CompileError]:
    """compile_modules for a batch not in the cache: decode, validate and emit each module,
    then build the valid ones into one library, recorded under `key` if all are valid."""
    from .codegen import split
    from .codegen.module import emit_module, gcc_sibcalls
    from .validate.validator import validate
    musttail = compiler.kind == "clang"
    # A quick build compiles at -O0, where GCC makes no sibling calls.
    sibcalls = gcc_sibcalls(compiler.kind, 0 if quick else opt)
    results: list[Any] = [None] * len(sources)
    units: list[Unit] = []
    for k, data in enumerate(sources):
        prefix = f"wasmc_m{k}"
        try:
            with no_cycle_collection():
                module = decode(data)
                c_code = None
                if not split.should_split(module):
                    c_code = emit_module(module, validate(module), prefix, musttail,
                                         sibcalls, interruptible, fuel)
        except CompileError as err:
            results[k] = err
            continue
        units.append(Unit(k, prefix, module, data, c_code, interruptible, fuel))
    library = None
    while units and library is None:
        # Only a batch whose modules are all valid is recorded under its bytes' key.
        whole = key if len(units) == len(sources) else None
        try:
            library = build_library(units, compiler, opt, jobs, record_as=whole, quick=quick)
        except UnitFailed as failed:  # a split module is invalid: build the others
            results[failed.unit.index] = failed.error
            units.remove(failed.unit)
    for unit in units:
        results[unit.index] = CompiledModule(unit.module, library, unit.prefix, runtime)
    return results


def compile_module(source: bytes | str | Path, *, cc: str | None = None,
                   opt: int = DEFAULT_OPT, jobs: int | None = None,
                   interruptible: bool = False, fuel: bool = False,
                   quick: bool = False) -> CompiledModule:
    """Compile one module (bytes, a .wasm or a .wat path); the compiled code is cached, so
    compiling the same module again is quick. Raises CompileError (MalformedError,
    InvalidError, UnsupportedError) or ToolchainError. `interruptible`: with interrupt
    checks (Instance.interrupt, Instance.set_deadline; docs/limits.md). `fuel`: with fuel
    counting (docs/limits.md, "Fuel"). `quick`: for a
    large module (as `wasmc run` decides, runcache.wants_quick_build) whose optimized build
    is not in the cache yet, build it quickly at -O0 and build the optimized one in the
    background; instances made once that is in the cache use it (docs/api.md, "Quick first
    build")."""
    result = compile_modules([read_source(source)], cc=cc, opt=opt, jobs=jobs,
                             interruptible=interruptible, fuel=fuel, quick=quick)[0]
    if isinstance(result, CompileError):
        raise result
    if isinstance(source, Path) or isinstance(source, str) and "\n" not in source \
            and not source.lstrip().startswith(("(", ";;")):
        result.name = Path(source).stem
    return result


def _background_main(module: str, key: str, opt: str, jobs: str, interruptible: str,
                     fuel: str, cc: str | None = None) -> int:
    """The detached optimized build of a quick library (background.py): `python -m
    wasmc.compiler build MODULE KEY OPT JOBS INTERRUPTIBLE FUEL [CC]`. Once the optimized library
    is recorded, the quick one goes (a process that has it loaded keeps its mapping)."""

    def build(data: bytes) -> None:
        compile_modules([data], cc=cc, opt=int(opt), jobs=int(jobs) or None,
                        interruptible=bool(int(interruptible)), fuel=bool(int(fuel)))

    return background.run(module, key, build,
                          done=lambda: forget_library(toolchain.quick_key(key)))


def load(source: bytes | str | Path,
         imports: Mapping[str, Mapping[str, Extern | Callable] | Instance] | None = None,
         *, wasi: WasiConfig | None = None, cc: str | None = None, opt: int = DEFAULT_OPT,
         jobs: int | None = None, interruptible: bool = False,
         limits: ResourceLimits | None = None, deadline: float | None = None) -> Instance:
    """Compile (or take from the cache) and instantiate a module (see compile_module for
    `interruptible`, CompiledModule.instantiate for the others)."""
    return compile_module(source, cc=cc, opt=opt, jobs=jobs, interruptible=interruptible
                          ).instantiate(imports, wasi=wasi, limits=limits, deadline=deadline)


RUNTIME_HEADERS = ("wasmc.h", "wasmc_numeric.h", "wasmc_simd.h", "wasi.h")


# Cycle collection stays off from decoding to the link: the decoded module is millions of
# objects, and the first collection after decoding rescanned all of them (0.1 s of the
# serial start of a 1.3 MB module's build, docs/large-modules.md).
@no_cycle_collection()
def build_executable(source: bytes | str | Path, out: str | Path, *, cc: str | None = None,
                     opt: int = DEFAULT_OPT, emit_c_dir: str | Path | None = None,
                     jobs: int | None = None,
                     on_progress: Callable[[int, int], None] | None = None,
                     interruptible: bool = False, quick: bool = False) -> Path:
    """Compile a module into a standalone native executable at `out` (see
    codegen/executable.py for what it does when run: WASI command programs, `--invoke`).
    Its only imports may be `wasi_snapshot_preview1` functions (LinkError otherwise). With
    `emit_c_dir`, the C is kept there: `module.c`, and for a large module also `module.h`
    and the function files `module_NNN.c` (codegen/split.py). `jobs`: C compilers (and
    Python workers, for a large module) at a time; default: the CPU count. The executable
    is written atomically. For a cached build, see `wasmc.runcache.executable_for`.
    `on_progress(compiled, total)`: called as C files are added and compiled (for a
    progress display). `interruptible`: with the interrupt checks (never set off in an
    executable, whose main has no way to: for measuring what they cost, docs/limits.md).
    `quick`: compile a large (split) module's C files at -O0, for the first run
    (`toolchain.QUICK_FLAGS`, runcache.py); a small module is built at `opt`."""
    from .codegen import split
    from .codegen.executable import emit_main
    from .codegen.module import emit_module, gcc_sibcalls
    from .validate.validator import validate

    prefix = "wasmc_main"
    compiler = toolchain.find_compiler(cc)
    musttail = compiler.kind == "clang"
    sibcalls = gcc_sibcalls(compiler.kind, opt)
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
                c_code = emit_module(module, validate(module), prefix, musttail, sibcalls,
                                     interruptible)
            c_code += emit_main(module, prefix)  # raises LinkError for imports other than WASI
            c_file = c_dir / "module.c"
            c_file.write_text(c_code)
            if on_progress:
                on_progress(0, 1)
            toolchain.compile_executable([c_file], out, compiler, opt, jobs=jobs)
            if on_progress:
                on_progress(1, 1)
            return out
        with toolchain.start_build(compiler, opt, shared=False, jobs=jobs,
                                   quick=quick) as build:
            build.on_progress = on_progress
            # emit_main raises LinkError, after the module-level validation
            # A quick build compiles at -O0, where GCC makes no sibling calls.
            split_sibcalls = gcc_sibcalls(compiler.kind, 0) if quick else sibcalls
            split.emit_split(module, prefix, musttail, c_dir, name="module",
                             sibcalls=split_sibcalls, extra=lambda: emit_main(module, prefix),
                             jobs=jobs, build=build, interruptible=interruptible)
            build.link(out)
    return out


def emit_embedding_c(source: bytes | str | Path, directory: str | Path,
                     name: str | None = None) -> Path:
    """Write the C for embedding a module in a C program to `directory` (docs/embedding-c.md):
    NAME.h (the typed interface), NAME.c (its functions), NAME_module.c (the module; for a
    large module also NAME_module.h and NAME_module_NNN.c) and the runtime (wasmc.h, runtime.c,
    ...), so `directory` builds on its own. NAME defaults to the source file's stem (made a
    C identifier). The module is emitted without clang's musttail, so the same C builds
    correctly with GCC and clang. Returns the header's path."""
    from .codegen import split
    from .codegen.embed import c_identifier, emit_embedding
    from .codegen.module import emit_module
    from .validate.validator import validate

    if name is None:
        name = Path(source).stem if isinstance(source, Path) else "module"
    name = c_identifier(name)
    prefix = f"{name}_module"
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with no_cycle_collection():
        module = decode(read_source(source))
    if split.should_split(module):
        split.emit_split(module, prefix, False, directory, name=prefix)
    else:
        with no_cycle_collection():
            c_code = emit_module(module, validate(module), prefix, musttail=False)
        (directory / f"{prefix}.c").write_text(c_code)
    header, wrappers = emit_embedding(module, name)
    (directory / f"{name}.h").write_text(header)
    (directory / f"{name}.c").write_text(wrappers)
    for path in [*toolchain.RUNTIME_DIR.glob("*.h"), *toolchain.runtime_sources()]:
        (directory / path.name).write_bytes(path.read_bytes())
    return directory / f"{name}.h"


if __name__ == "__main__":
    import sys

    if len(sys.argv) >= 8 and sys.argv[1] == "build":
        sys.exit(_background_main(*sys.argv[2:9]))
    sys.exit("usage: python -m wasmc.compiler build MODULE KEY OPT JOBS INTERRUPTIBLE FUEL [CC]")

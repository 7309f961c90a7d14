"""The shared libraries of compiled modules, cached on disk by content and loaded once.

A library is named by what it was built from (`build_library`). A second, cheaper key,
`source_key`, names a batch of module bytes: once a batch has been compiled with every
module valid, `<source key>.ref` beside the libraries names its library, so that
compiling the same bytes again (`cached_library`) needs no decoding, validation or
emission first, only the sections besides the function bodies (compiler.compile_modules).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__, cachesize, toolchain
from .binary.module import Module
from .codegen import split
from .errors import CompileError
from .sources import sources_digest


@dataclass(eq=False)
class Unit:
    """One module of a compile_modules batch: its C as one string, or (split: c_code None)
    written by codegen/split.py at build time, with interrupt checks if `interruptible` and
    fuel counting if `fuel`."""

    index: int
    prefix: str
    module: Module
    data: bytes
    c_code: str | None
    interruptible: bool = False
    fuel: bool = False


class UnitFailed(Exception):
    def __init__(self, unit: Unit, error: CompileError):
        self.unit, self.error = unit, error


_libraries: dict[Path, ctypes.CDLL] = {}


def _modules_dir() -> Path:
    return toolchain.cache_dir() / "modules"


def pending_dir() -> Path:
    """Where background builds of libraries keep their state (background.py)."""
    return _modules_dir() / "pending"


def source_key(sources: list[bytes], cc: toolchain.CCompiler, opt: int,
               interruptible: bool, fuel: bool = False) -> str:
    """The key of a batch of module bytes compiled with these settings: everything that
    decides the library built from them (the code generator's sources included), known
    before decoding a byte of them."""
    key = hashlib.sha256()
    key.update(f"{__version__}\0{toolchain.build_fingerprint(cc, opt)}\0{split.parameters()}"
               f"\0interruptible={interruptible}\0{'fuel' if fuel else ''}\0".encode()
               + sources_digest())
    for data in sources:  # each module's position is its prefix (wasmc_mK)
        key.update(hashlib.sha256(data).digest())
    return key.hexdigest()[:32]


def cached_library(key: str) -> ctypes.CDLL | None:
    """The library that the batch of `source_key` `key` was compiled into, if a compile of
    it has succeeded before (every module of it valid) and the library is still there."""
    try:
        name = (_modules_dir() / f"{key}.ref").read_text().strip()
    except OSError:
        return None
    out = _modules_dir() / name
    if "/" in name or not name.endswith(".so"):
        return None
    cachesize.touch(_modules_dir() / f"{key}.ref")
    cachesize.touch(out)
    if out in _libraries:
        return _libraries[out]
    try:
        lib = ctypes.CDLL(str(out))
    except OSError:
        return None  # gone (pruned by another process, cachesize.py): build it again
    _libraries[out] = lib
    return lib


def forget_library(key: str) -> None:
    """Remove the library recorded under the `source_key` `key`, and the record (a process
    that has the library loaded keeps its mapping)."""
    ref = _modules_dir() / f"{key}.ref"
    try:
        name = ref.read_text().strip()
    except OSError:
        return
    ref.unlink(missing_ok=True)
    if "/" not in name and name.endswith(".so"):
        (_modules_dir() / name).unlink(missing_ok=True)


def _remember(key: str, out: Path) -> None:
    """Write `<key>.ref` naming `out`, atomically (other processes may be reading it)."""
    ref = out.with_name(f"{key}.ref")
    tmp = ref.with_name(f".{ref.name}.{os.getpid()}.tmp")
    tmp.write_text(out.name + "\n")
    os.replace(tmp, ref)


def build_library(units: list[Unit], cc: toolchain.CCompiler, opt: int,
                  jobs: int | None = None, record_as: str | None = None,
                  quick: bool = False) -> ctypes.CDLL:
    """Compile modules into a shared library, cached by content: the C of each small
    module; for a split module, its bytes and the code generator's sources (so that a
    cached one needs no validation and no emission). Raises UnitFailed if a split module
    turns out to be invalid. `record_as`: the `source_key` of the batch, if the units are
    all of it (every module valid); the library is then recorded for `cached_library`.
    `quick`: compile the C files with toolchain.QUICK_FLAGS (-O0; compiler.compile_module)."""
    from .codegen.module import gcc_sibcalls  # only to build (see codegen/split.py)

    key = hashlib.sha256()
    key.update(f"{__version__}\0{toolchain.build_fingerprint(cc, opt)}\0".encode())
    if quick:
        key.update(f"quick {' '.join(toolchain.QUICK_FLAGS)}\0".encode())
    if any(u.c_code is None for u in units):
        key.update(f"{split.parameters()}\0".encode() + sources_digest())
    for u in units:
        if u.c_code is not None:
            key.update(hashlib.sha256(u.c_code.encode()).digest())
        else:  # the C is not known yet: what decides it instead
            key.update(f"{u.prefix}\0interruptible={u.interruptible}\0"
                       f"{'fuel' if u.fuel else ''}\0".encode()
                       + hashlib.sha256(u.data).digest())
    out = _modules_dir() / f"{key.hexdigest()[:32]}.so"
    cachesize.touch(out)
    if out in _libraries:
        if record_as is not None:
            _remember(record_as, out)
        return _libraries[out]
    built = not out.exists()
    if not out.exists() and not quick and all(u.c_code is not None for u in units):
        with tempfile.TemporaryDirectory(prefix="wasmc-") as tmp:
            files = []
            for k, u in enumerate(units):
                path = Path(tmp) / f"module{k}.c"
                path.write_text(u.c_code)
                files.append(path)
            toolchain.compile_shared(files, out, cc, opt, jobs=jobs)
    elif not out.exists():
        with tempfile.TemporaryDirectory(prefix="wasmc-") as tmp, \
                toolchain.start_build(cc, opt, shared=True, jobs=jobs, quick=quick) as build:
            for k, u in enumerate(units):
                if u.c_code is not None:
                    path = Path(tmp) / f"module{k}.c"
                    path.write_text(u.c_code)
                    build.add(path)
            for u in units:
                if u.c_code is None:
                    try:
                        split.emit_split(u.module, u.prefix, cc.kind == "clang", Path(tmp),
                                         jobs=jobs, build=build,
                                         sibcalls=gcc_sibcalls(cc.kind, 0 if quick else opt),
                                         interruptible=u.interruptible, fuel=u.fuel)
                    except CompileError as err:
                        raise UnitFailed(u, err) from None
            build.link(out)
    lib = ctypes.CDLL(str(out))
    _libraries[out] = lib
    if record_as is not None:
        _remember(record_as, out)
    if built:
        cachesize.enforce(toolchain.cache_dir())
    return lib

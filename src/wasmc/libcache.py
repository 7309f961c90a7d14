"""The shared libraries of compiled modules, cached on disk by content and loaded once."""

from __future__ import annotations

import ctypes
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__, toolchain
from .binary.module import Module
from .codegen import split
from .codegen.module import gcc_sibcalls
from .errors import CompileError
from .sources import sources_digest


@dataclass(eq=False)
class Unit:
    """One module of a compile_modules batch: its C as one string, or (split: c_code None)
    written by codegen/split.py at build time."""

    index: int
    prefix: str
    module: Module
    data: bytes
    c_code: str | None


class UnitFailed(Exception):
    def __init__(self, unit: Unit, error: CompileError):
        self.unit, self.error = unit, error


_libraries: dict[Path, ctypes.CDLL] = {}


def build_library(units: list[Unit], cc: toolchain.CCompiler, opt: int,
                   jobs: int | None = None) -> ctypes.CDLL:
    """Compile modules into a shared library, cached by content: the C of each small
    module; for a split module, its bytes and the code generator's sources (so that a
    cached one needs no validation and no emission). Raises UnitFailed if a split module
    turns out to be invalid."""
    key = hashlib.sha256()
    key.update(f"{__version__}\0{toolchain.build_fingerprint(cc, opt)}\0".encode())
    if any(u.c_code is None for u in units):
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
                                         jobs=jobs, build=build,
                                         sibcalls=gcc_sibcalls(cc.kind, opt))
                    except CompileError as err:
                        raise UnitFailed(u, err) from None
            build.link(out)
    lib = ctypes.CDLL(str(out))
    _libraries[out] = lib
    return lib

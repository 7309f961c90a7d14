"""Compile a batch of modules into one shared library, one C file per module.

`wasmc.api.compile_modules` compiles a batch with one compiler run per C file and one link,
but a single module whose C does not compile fails the whole batch. A fuzzer meets such
modules, so this builds the same way (the same translation, flags and link) while keeping
every module's failure to itself: each object that compiles is linked, each that does not is
reported with the compiler's first error.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import subprocess
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wasmc import api, toolchain
from wasmc.binary.module import Module
from wasmc.errors import CompileError

C_COMPILE_TIMEOUT = 300.0  # seconds for one module's C file


@dataclass
class BuildFailure:
    """Why a module has no compiled form: `kind` is rejected (a CompileError), exception
    (any other Python exception: a wasmc bug), or cc-error / cc-timeout (the generated C)."""

    kind: str
    message: str
    detail: str = ""  # traceback, or the compiler's output

    def signature(self) -> str:
        return f"{self.kind}: {normalize_message(self.message)}"


_QUOTED = re.compile(r"[‘'\"`][^‘’'\"`]*[’'\"`]")
_NUMBER = re.compile(r"\b(0x[0-9a-fA-F]+|\d+)\b")


def normalize_message(message: str) -> str:
    """A message with names and numbers blanked, so that one bug gives one signature."""
    message = _QUOTED.sub("'_'", message)
    return _NUMBER.sub("N", message).strip()


def first_c_error(output: str) -> str:
    for line in output.splitlines():
        if "error" in line:
            return line.split("error:", 1)[-1].strip()
    lines = output.strip().splitlines()
    return lines[0] if lines else "C compiler failed"


def translate(data: bytes, prefix: str) -> tuple[Module, str] | BuildFailure:
    try:
        return api.translate(data, prefix)
    except CompileError as err:
        return BuildFailure("rejected", f"{type(err).__name__}: {err}")
    except RecursionError as err:
        return BuildFailure("exception", f"RecursionError: {err}", traceback.format_exc())
    except Exception as err:  # noqa: BLE001 - every other exception is a finding
        return BuildFailure("exception", f"{type(err).__name__}: {err}", traceback.format_exc())


def compile_objects(compiler: toolchain.CCompiler, flags: list[str],
                    files: list[tuple[int, Path]], *, jobs: int) -> dict[int, BuildFailure]:
    """Compile each file (numbered k) to the .o beside it, `jobs` compiler runs at a time;
    return the failures. One file per run: zig cc given several files with -c links them
    into one object named after the first, so a run per file is the only portable way to get
    one object per module. (Compiler start-up dominates small files; running more compilers
    than cores hides some of it.)"""

    def run(item: tuple[int, Path]) -> tuple[int, BuildFailure | None]:
        k, c_file = item
        obj = c_file.with_suffix(".o")
        obj.unlink(missing_ok=True)
        command = [*compiler.command, *flags, "-c", str(c_file), "-o", str(obj)]
        try:
            proc = subprocess.run(command, capture_output=True, text=True,
                                  timeout=C_COMPILE_TIMEOUT)
        except subprocess.TimeoutExpired:
            return k, BuildFailure("cc-timeout", f"C compiler ran over {C_COMPILE_TIMEOUT} s")
        if proc.returncode != 0 or not obj.exists():
            output = proc.stderr + proc.stdout
            return k, BuildFailure("cc-error", first_c_error(output), output[:1500])
        return k, None

    failures: dict[int, BuildFailure] = {}
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        for k, failure in pool.map(run, files):
            if failure is not None:
                failures[k] = failure
    return failures


def _runtime(compiler: toolchain.CCompiler) -> Any:
    """The process's wasmc runtime (the library every module library binds to). Private in
    wasmc.api (`_Runtime`): the one thing this module borrows from its internals, since
    CompiledModule needs it and compile_modules cannot keep failures apart."""
    return api._Runtime.get(compiler)


def build_batch(sources: list[bytes], directory: Path, *, cc: str | None = None, opt: int = 0,
                jobs: int = 1, reuse: bool = False) -> list[api.CompiledModule | BuildFailure]:
    """Compile `sources` into `directory`/batch.so. With `reuse`, a library already there is
    loaded instead of built (after a crash, the same batch continues)."""
    compiler = toolchain.find_compiler(cc)
    runtime = _runtime(compiler)
    directory.mkdir(parents=True, exist_ok=True)
    library_path = directory / "batch.so"
    results: list[api.CompiledModule | BuildFailure | None] = []
    units: list[tuple[int, Module, Path]] = []
    for k, data in enumerate(sources):
        prefix = f"wasmc_m{k}"
        translated = translate(data, prefix)
        if isinstance(translated, BuildFailure):
            results.append(translated)
            continue
        module, c_code = translated
        c_file = directory / f"module{k}.c"
        if not (reuse and c_file.exists()):
            c_file.write_text(c_code)
        results.append(None)
        units.append((k, module, c_file))

    flags = toolchain.generated_code_flags(compiler, opt, pic=True)
    failed_marker = directory / "failed.json"
    if reuse and library_path.exists():
        failed = json.loads(failed_marker.read_text()) if failed_marker.exists() else {}
        for k, _module, _c_file in units:
            if str(k) in failed:
                results[k] = BuildFailure(**failed[str(k)])
    else:
        for k, failure in compile_objects(compiler, flags, [(k, c) for k, _m, c in units],
                                          jobs=jobs).items():
            results[k] = failure
        failed_marker.write_text(json.dumps({str(k): asdict(r) for k, r in enumerate(results)
                                             if isinstance(r, BuildFailure)}))
        objects = [str(c.with_suffix(".o")) for k, _m, c in units if results[k] is None]
        if objects:
            tmp = directory / f".batch.{os.getpid()}.so"
            toolchain.run_compiler(compiler, [*flags, *objects, "-shared", *toolchain.LINK_LIBS,
                                              "-o", str(tmp)])
            os.replace(tmp, library_path)
    if any(r is None for r in results):
        library = ctypes.CDLL(str(library_path.resolve()))
        for k, module, _c in units:
            if results[k] is None:
                results[k] = api.CompiledModule(module, library, f"wasmc_m{k}", runtime)
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]

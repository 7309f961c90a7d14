"""The benchmark programs: C sources in `bench/programs/`, their arguments at full and quick
size, and the generated headers the Uxn interpreters need."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from wasmc.bench import uxn, uxntal


def bench_dir() -> Path:
    """The repository's `bench/` directory (programs, Uxn sources, engine glue).
    `$WASMC_BENCH_DIR` overrides it; otherwise it is found next to the source tree."""
    env = os.environ.get("WASMC_BENCH_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "bench" / "programs").is_dir():
            return parent / "bench"
    raise FileNotFoundError(
        "cannot find the bench/ directory (wasmc bench needs a source checkout of wasmc; "
        "or set WASMC_BENCH_DIR)")


@dataclass(frozen=True)
class Source:
    """One program, built once per engine; several benchmarks may share it."""

    file: str  # in bench/programs/: C, or C++ (.cpp) for a program with `wat`
    tail_calls: bool = False  # built for Wasm with -mtail-call
    uxn: bool = False  # needs the generated uxn_ops.h / uxn_roms.h
    # A program whose Wasm builds are hand-written WAT (`file` is then its native build
    # only): this module, with its `;; @try-sites` line replaced by <stem>_try_exnref.wat
    # or, for engines that know only the legacy exception instructions, by
    # <stem>_try_legacy.wat (see wat_module).
    wat: str | None = None
    # Extra flags for the Wasm build only (e.g. -msimd128); native builds always use the
    # normal flags. The same C file with other Wasm flags is another Source (another .wasm).
    wasm_flags: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    @property
    def label(self) -> str:
        """The file, with the extra Wasm flags if any (for progress messages)."""
        return " ".join((self.file, *self.wasm_flags))


@dataclass(frozen=True)
class Program:
    name: str
    source: Source
    args: tuple[str, ...]
    quick_args: tuple[str, ...]
    description: str


UXN_SWITCH = Source("uxn_switch.c", uxn=True)
UXN_TAIL = Source("uxn_tail.c", tail_calls=True, uxn=True)
UXN_ROMS = ("fib", "mandel", "sieve")
SIMD128 = ("-msimd128",)
SIMD_BLUR = Source("blur_simd.c", wasm_flags=SIMD128)

_UXN_SIZES = {  # ROM: (full, quick) parameter
    "fib": ("33", "12"),
    "mandel": ("180", "12"),
    "sieve": ("80", "1"),
}
_UXN_DESCRIPTIONS = {
    "fib": "recursive Fibonacci",
    "mandel": "Mandelbrot, 10.6 fixed point",
    "sieve": "sieve of Eratosthenes",
}


def _uxn_programs() -> list[Program]:
    out = []
    for style, src in (("switch", UXN_SWITCH), ("tail", UXN_TAIL)):
        for rom in UXN_ROMS:
            full, quick = _UXN_SIZES[rom]
            out.append(Program(
                f"uxn-{style}-{rom}", src, (rom, full), (rom, quick),
                f"Uxn VM ({'switch loop' if style == 'switch' else 'tail calls'}): "
                f"{_UXN_DESCRIPTIONS[rom]}"))
    return out


PROGRAMS: tuple[Program, ...] = (
    *_uxn_programs(),
    Program("fannkuch", Source("fannkuch.c"), ("10",), ("6",),
            "fannkuch-redux: permutations, integer arrays"),
    Program("nbody", Source("nbody.c"), ("4000000",), ("1000",),
            "n-body simulation: double-precision floating point"),
    Program("matmul", Source("matmul.c"), ("900",), ("24",),
            "dense matrix multiply, doubles"),
    Program("sha256", Source("sha256.c"), ("64",), ("1",),
            "SHA-256 over a generated buffer: bit twiddling"),
    Program("binarytrees", Source("binarytrees.c"), ("16",), ("8",),
            "binary trees: malloc/free heavy"),
    Program("wordcount", Source("wordcount.c"), ("5000000",), ("20000",),
            "word frequencies in a hash table: strings and hashing"),
    Program("lz77", Source("lz77.c"), ("10000000",), ("30000",),
            "LZ77 compress and decompress: byte-level compression"),
    # Added for issue 13: kinds of program that users bring (interpreters of other shapes,
    # text processing, float code with structs, sorting).
    Program("stackvm-tail", Source("stackvm_tail.c", tail_calls=True), ("5",), ("1", "300"),
            "stack VM, 16 opcodes in tail-calling functions, 6 parameters, table filled "
            "at run time: Collatz lengths"),
    Program("regvm-tail", Source("regvm_tail.c", tail_calls=True), ("300",), ("1", "512"),
            "register VM in tail-calling functions with 9 values of state in parameters: "
            "CRC-16 and a sum"),
    Program("forth", Source("forth.c"), ("200",), ("1",),
            "a small Forth: compiler to bytecode and a switch-loop interpreter"),
    Program("regex", Source("regex.c"), ("100000",), ("300",),
            "regular-expression search (NFA simulation) over generated log lines"),
    Program("json", Source("json.c"), ("20",), ("1", "50"),
            "JSON: parse a generated document into a tree, walk it, write it, parse again"),
    Program("raytrace", Source("raytrace.c"), ("720",), ("16",),
            "ray tracer: doubles in small structs passed by value, sqrt"),
    Program("sortsearch", Source("sortsearch.c"), ("1000000",), ("2000",),
            "quicksort, stable merge sort of records, string sort through a comparator, "
            "binary search"),
    # Added for issue 10: exception handling (bench/programs/exnparse.wat; the native
    # build is C++ with real exceptions).
    Program("exnparse", Source("exnparse.cpp", wat="exnparse.wat"), ("100000",), ("300",),
            "recursive-descent expression evaluator whose errors are exceptions thrown "
            "through many frames and call_indirect; cleanups and nested catches"),
    # Added for issue 12: SIMD. An intrinsics kernel (wasm_simd128.h in the Wasm build, SSE2
    # natively), and two kernels above built for Wasm with -msimd128 so that clang
    # auto-vectorizes them (the native builds are the same as for `matmul` and `nbody`).
    Program("blur-simd", SIMD_BLUR, ("800", "2000"), ("2", "64"),
            "3x3 image blur of 8-bit pixels in 16-bit lanes, written with intrinsics: "
            "wasm_simd128.h for Wasm, SSE2 natively"),
    Program("matmul-simd128", Source("matmul.c", wasm_flags=SIMD128), ("900",), ("24",),
            "`matmul` with the Wasm build auto-vectorized (-msimd128)"),
    Program("nbody-simd128", Source("nbody.c", wasm_flags=SIMD128), ("4000000",), ("1000",),
            "`nbody` with the Wasm build auto-vectorized (-msimd128)"),
)


def program_names() -> list[str]:
    return [p.name for p in PROGRAMS]


@cache
def uxn_headers() -> dict[str, str]:
    """The generated headers for the Uxn interpreters: file name -> C text."""
    uxn_dir = bench_dir() / "uxn"
    roms = {name: uxntal.assemble((uxn_dir / f"{name}.tal").read_text()) for name in UXN_ROMS}
    return {"uxn_ops.h": uxn.ops_header(), "uxn_roms.h": uxn.roms_header(roms)}


def source_files(src: Source) -> dict[str, str]:
    """Every file a build of `src` needs: name -> text (the C file, the local headers it
    includes, and generated headers)."""
    prog_dir = bench_dir() / "programs"
    files = {src.file: (prog_dir / src.file).read_text()}
    if src.wat:
        for name in (src.wat, *_try_site_files(src.wat).values()):
            files[name] = (prog_dir / name).read_text()
    if src.uxn:
        files["uxn_common.h"] = (prog_dir / "uxn_common.h").read_text()
        files.update(uxn_headers())
    return files


def source_hash(src: Source) -> str:
    h = hashlib.sha256()
    for name, text in sorted(source_files(src).items()):
        h.update(name.encode() + b"\0" + text.encode() + b"\0")
    return h.hexdigest()


def write_sources(src: Source, directory: Path) -> Path:
    """Write the files of `src` into `directory`; return the main C file's path."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in source_files(src).items():
        (directory / name).write_text(text)
    return directory / src.file


TRY_SITES_MARKER = ";; @try-sites"


def _try_site_files(wat: str) -> dict[bool, str]:
    """legacy? -> the file of a WAT program's functions that catch."""
    stem = Path(wat).stem
    return {False: f"{stem}_try_exnref.wat", True: f"{stem}_try_legacy.wat"}


def wat_module(src: Source, legacy: bool) -> str:
    """The WAT text of `src`'s Wasm build: its module with the functions that catch
    spliced in, written with the exnref instructions or (`legacy`) the legacy ones."""
    assert src.wat is not None
    files = source_files(src)
    sites = files[_try_site_files(src.wat)[legacy]]
    lines = files[src.wat].splitlines(keepends=True)
    if sum(line.strip() == TRY_SITES_MARKER for line in lines) != 1:
        raise ValueError(f"{src.wat}: needs exactly one line '{TRY_SITES_MARKER}'")
    return "".join(sites if line.strip() == TRY_SITES_MARKER else line for line in lines)

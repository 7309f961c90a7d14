"""Large modules: the C output in several files, emitted function by function, in parallel.

A module with at least SPLIT_MIN_INSTRS instructions becomes

  NAME.h         the types, the instance struct, the static dispatch arrays' declarations
  NAME.c         the module file: the dispatch arrays, the function-name table, the public
                 entry points (P_instantiate, ...; see module.py), and `extra` (the `main` of
                 an executable)
  NAME_NNN.c     function files ("buckets"): the bodies of a contiguous range of functions,
                 about BUCKET_INSTRS instructions each, with the prototypes they need

Functions are `WASMC_HIDDEN` (hidden visibility) instead of `static`, so the files can call
each other and the calls still bind directly, without the PLT. A C compiler cannot inline
across files (without LTO), so the bucket boundaries are placed where few direct calls cross
them (`plan_buckets`), and a file gets a `WASMC_IMPORTED` copy of each small function of
another file that it calls (IMPORT_MAX_INSTRS): GNU `extern inline`, which the compiler may
inline but never emits, like ThinLTO's imports. Smaller modules, every benchmark program
among them, stay one file (module.py), where the C compiler sees the whole program.

The parent decodes the module and validates its module-level parts; then each bucket is
validated and emitted function by function (peak memory: one bucket's C, not the module's)
and written to its file: in forked worker processes when the module has at least
PARALLEL_MIN_INSTRS instructions, else in this process. Each file goes to the C compiler (a
`toolchain.Build`) as soon as it is written. The output does not depend on the number of
workers. docs/large-modules.md has the measurements behind the constants.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..binary.decoder import no_cycle_collection
from ..binary.module import Module
from ..errors import CompileError

if TYPE_CHECKING:
    from ..validate.validator import ModuleContext
    from .module import ModuleEmitter

# The validator and the emitter are imported where they are used: libcache.py needs this
# module's `parameters()` for every cache key, and a process that finds its modules in the
# cache never emits C (compiler.py).

SPLIT_MIN_INSTRS = 80_000
"""Modules with fewer instructions (about 2 MB of C) stay one C file: splitting costs the
inlining across files and a little time per file, and one such file compiles in a few
seconds at -O2 anyway. The largest benchmark program (bench/) has 23k instructions."""

BUCKET_INSTRS = 40_000
"""Instructions per function file (a function larger than that gets a file of its own): about
1 MB of C, which the bundled clang compiles in 0.5-1 s at -O0 and 1-2 s at -O2. Smaller
files cost more in all: each one starts a compiler and parses the header (measured on a
940k-instruction module: 20k-instruction files take 8% (-O2) to 13% (-O0) more CPU time in
all than 80k ones, 40k ones 2-3%). Larger ones keep fewer cores (or distcc machines) busy,
and make the last file to finish wait longer. Larger files also keep more callees in their
callers' file, where the C compiler can inline them."""

BUCKET_SLACK = 0.25
"""A bucket ends where the fewest direct calls cross, among the function boundaries within
this fraction of BUCKET_INSTRS around the target size."""

IMPORT_MAX_INSTRS = 40
"""A file gets an inlinable copy (WASMC_IMPORTED) of each function of another file that it
calls directly and that has at most this many instructions: the small functions that C
compilers inline. Only with clang: GCC warns about each use of a static helper of wasmc.h
in such a copy, and no flag turns that off."""

PARALLEL_MIN_INSTRS = 100_000
"""Validate and emit in worker processes only from this many instructions on (about 0.3 s of
work in one process): forking and collecting the workers costs tens of milliseconds."""


def instruction_count(module: Module) -> int:
    return sum(len(f.body) for f in module.functions)


def should_split(module: Module) -> bool:
    """Whether `module` gets split output (see SPLIT_MIN_INSTRS)."""
    return instruction_count(module) >= SPLIT_MIN_INSTRS


def parameters() -> str:
    """The constants that shape split output, for cache keys."""
    return f"split {SPLIT_MIN_INSTRS} {BUCKET_INSTRS} {BUCKET_SLACK} {IMPORT_MAX_INSTRS}"


def plan_buckets(sizes: list[int], edges: list[tuple[int, int]],
                 target: int | None = None, slack: float | None = None) -> list[range]:
    """Cut functions 0..len(sizes)-1 (with these instruction counts) into contiguous ranges of
    about `target` instructions. Each cut goes, among the function boundaries whose bucket
    size is within `slack` of the target, where the fewest call edges (caller, callee) span
    it, which keeps callers and callees in the same file where the module's function order
    allows (compilers emit the functions of one source file together)."""
    target = BUCKET_INSTRS if target is None else target
    slack = BUCKET_SLACK if slack is None else slack
    n = len(sizes)
    # spanning[c]: call edges between a function before c and one from c on.
    diff = [0] * (n + 2)
    for a, b in edges:
        if a != b:
            lo, hi = (a, b) if a < b else (b, a)
            diff[lo + 1] += 1
            diff[hi + 1] -= 1
    spanning = list(itertools.accumulate(diff))
    pos = [0, *itertools.accumulate(sizes)]  # pos[c]: instructions before function c
    low, high = target * (1 - slack), target * (1 + slack)
    buckets = []
    start = 0
    while start < n:
        if pos[n] - pos[start] <= high:
            buckets.append(range(start, n))
            break
        best = None
        short = start + 1  # the last cut below the window (a big function may skip it)
        for c in range(start + 1, n):
            size = pos[c] - pos[start]
            if size < low:
                short = c
                continue
            if size > high:
                break
            score = (spanning[c], abs(size - target))
            if best is None or score < best[0]:
                best = (score, c)
        cut = best[1] if best is not None else short
        buckets.append(range(start, cut))
        start = cut
    return buckets


@dataclass
class SplitOutput:
    """The files of a split module, in `directory`."""

    header: Path
    sources: list[Path]  # the module file, then the function files in order
    buckets: list[range]  # the defined functions (positions in module.functions) per file


class _Job:
    """What a worker needs: inherited through fork, never pickled."""

    def __init__(self, emitter: ModuleEmitter, ctx: ModuleContext, buckets: list[range],
                 files: list[Path], header: str, imports: bool):
        self.emitter = emitter
        self.ctx = ctx
        self.buckets = buckets
        self.files = files
        self.header = header
        self.imports = imports

    def write_bucket(self, i: int) -> None:
        """Validate and emit the functions of bucket i, function by function, into its file,
        then copies of the small functions of other files that they call."""
        from ..validate.validator import validate_function
        from .simd import with_simd_header

        emitter, ctx = self.emitter, self.ctx
        n_imported = emitter.n_imported_funcs
        bucket = self.buckets[i]
        indices = range(bucket.start + n_imported, bucket.stop + n_imported)
        emitter.calls = set()
        bodies = [emitter.emit_function(n_imported + k, validate_function(ctx, k))
                  for k in bucket]
        imported = []
        if self.imports:
            functions = emitter.module.functions
            imported = sorted(idx for idx in emitter.calls if idx not in indices
                              and len(functions[idx - n_imported].body) <= IMPORT_MAX_INSTRS
                              and emitter.can_import(idx))
            moves_left = ctx.moves_left  # validated once already (or will be), in its file
            bodies += [emitter.emit_imported(idx, validate_function(ctx, idx - n_imported))
                       for idx in imported]
            ctx.moves_left = moves_left
        text = emitter.emit_split_functions(self.header, indices, bodies, imported)
        emitter.calls = None
        self.files[i].write_text(with_simd_header(text))


_jobs: dict[int, _Job] = {}  # token -> job, for the forked workers
_tokens = itertools.count()
_saved_streams: list = []


def _worker_init() -> None:
    """A worker never writes to the parent's stdout/stderr: another thread of the parent (a
    progress display) may have held their locks when it forked."""
    _saved_streams.append((sys.stdout, sys.stderr))
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker


def _worker_task(token: int, i: int) -> tuple[int, int, str | None]:
    """Bucket i of job `token`: (i, validation moves used, None) or (i, 0, error text)."""
    job = _jobs[token]
    ctx = job.ctx
    ctx.moves_left = ctx.moves_budget  # each task counts its own; the parent adds them up
    try:
        with no_cycle_collection():
            job.write_bucket(i)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which redoes it
        return i, 0, f"{type(exc).__name__}: {exc}"
    return i, ctx.moves_budget - ctx.moves_left, None


def _workers(jobs: int | None, instrs: int, buckets: int) -> int:
    """How many worker processes to use (1: none)."""
    if instrs < PARALLEL_MIN_INSTRS or buckets < 2:
        return 1
    if not sys.platform.startswith("linux") or multiprocessing.current_process().daemon:
        return 1  # fork is Linux's; a daemonic process may not have children
    return max(1, min(buckets, jobs or os.cpu_count() or 1))


def emit_split(module: Module, prefix: str, musttail: bool, directory: Path, *,
               name: str | None = None, extra: str | Callable[[], str] = "",
               jobs: int | None = None, build=None, imports: bool | None = None,
               sibcalls: bool = False, interruptible: bool = False,
               fuel: bool = False) -> SplitOutput:
    """Validate the decoded `module` and write its C, split (see the module docstring), to
    `directory` as NAME.h, NAME.c, NAME_000.c, ... (NAME defaults to `prefix`). `extra` is
    appended to the module file (a callable: called once the module-level validation has
    passed). Each C file is passed to `build.add` (a toolchain.Build) once written.
    `imports`: give files inlinable copies of small functions of other files (see
    IMPORT_MAX_INSTRS); default: with musttail, i.e. for clang. `sibcalls`: see
    module.gcc_sibcalls. `interruptible`, `fuel`: with interrupt checks, fuel counting
    (docs/limits.md), in every file: the workers inherit the emitter, so they emit the same
    checks as this process.
    Raises CompileError exactly as `validate` would."""
    from ..validate.validator import validate, validate_module
    from .module import ModuleEmitter

    directory = Path(directory)
    name = name or prefix
    with no_cycle_collection():
        ctx = validate_module(module)
        if callable(extra):
            extra = extra()
        emitter = ModuleEmitter(module, None, prefix, musttail, split=True, sibcalls=sibcalls,
                                interruptible=interruptible, fuel=fuel)
        buckets = plan_buckets([len(f.body) for f in module.functions], emitter.call_edges())
        header = directory / f"{name}.h"
        header.write_text(emitter.emit_split_header())
        module_file = directory / f"{name}.c"
        width = max(3, len(str(len(buckets) - 1)))
        files = [directory / f"{name}_{i:0{width}d}.c" for i in range(len(buckets))]
        job = _Job(emitter, ctx, buckets, files, header.name,
                   musttail if imports is None else imports)
        add: Callable[[Path], None] = build.add if build is not None else (lambda _path: None)

        def write_module_file() -> None:
            module_file.write_text(emitter.emit_split_module(header.name) + extra)
            add(module_file)

        workers = _workers(jobs, instruction_count(module), len(buckets))
        if workers == 1:
            write_module_file()
            try:
                for i in range(len(buckets)):
                    job.write_bucket(i)  # the moves budget carries over, as in validate()
                    add(files[i])
            except CompileError:
                validate(module)  # an earlier function may be invalid too (imports)
                raise
        else:
            _run_workers(job, workers, module, write_module_file, add, build)
    return SplitOutput(header, [module_file, *files], buckets)


def _run_workers(job: _Job, workers: int, module: Module, write_module_file: Callable,
                 add: Callable[[Path], None], build) -> None:
    """Write the buckets in `workers` forked processes; the module file meanwhile here."""
    token = next(_tokens)
    _jobs[token] = job
    failed: list[tuple[int, str]] = []
    moves = 0
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init) as pool:
            # Largest buckets first, so that no worker is left with a big one at the end.
            order = sorted(range(len(job.buckets)), key=lambda i: -sum(
                len(module.functions[k].body) for k in job.buckets[i]))
            pending: set[Future] = {pool.submit(_worker_task, token, i) for i in order}
            write_module_file()  # the workers are forked by now
            while pending and not failed:
                done, pending = wait(pending, timeout=0.05 if build else None,
                                     return_when=FIRST_COMPLETED)
                for future in done:
                    i, used, error = future.result()
                    if error is not None:
                        failed.append((i, error))
                    else:
                        moves += used
                        add(job.files[i])
                if build is not None:
                    build.poll()
            if failed:
                for future in pending:
                    future.cancel()
    finally:
        del _jobs[token]
    if failed or moves > job.ctx.moves_budget:
        _raise_exact_error(job, module, failed)


def _raise_exact_error(job: _Job, module: Module, failed: list[tuple[int, str]]) -> None:
    """A worker failed (or all together used more validation moves than the module may):
    raise what validating and emitting in one process, in order, raises."""
    from ..validate.validator import validate

    with no_cycle_collection():
        validate(module)  # the first invalid function, or the moves limit where it ran out
        for i, _error in sorted(failed):
            job.ctx.moves_left = job.ctx.moves_budget
            job.write_bucket(i)  # an error of the emitter
    if failed:
        raise CompileError(f"internal error in a worker process: {failed[0][1]}")


__all__ = ["SPLIT_MIN_INSTRS", "BUCKET_INSTRS", "PARALLEL_MIN_INSTRS", "should_split",
           "plan_buckets", "emit_split", "SplitOutput"]

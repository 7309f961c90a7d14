"""The spec-testsuite runner: runs .wast scripts, each in a child process, in parallel.

    python -m wasmc.spec.runner [--cc CC] [-O N] [-j N] [-v] [--json FILE] [--group G] WAST...
    wasmc spec ...                      (the same)

Prints one line per file (`name.wast: P passed, F failed`) and a last line `N passed, M
failed` counting commands; exits 0 only when nothing failed. A script whose process dies
(e.g. a segfault in compiled code) fails its remaining commands with "crashed: signal N";
one that runs longer than --timeout fails them with "timed out".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import wasmc
from wasmc.spec import testsuite
from wasmc.spec.script import CommandResult

DEFAULT_OPT = 1
DEFAULT_TIMEOUT = 900.0  # seconds per script
SHOWN_FAILURES = 5  # failures listed per file with -v

_live: set[subprocess.Popen[str]] = set()  # running workers, killed on Ctrl-C


@dataclass
class FileResult:
    name: str  # "i32.wast", "legacy/throw.wast"
    path: str
    commands: list[CommandResult] = field(default_factory=list)
    error: str | None = None  # "crashed: signal 11", "timed out after 900 s", ...
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(1 for c in self.commands if c.ok)

    @property
    def failed(self) -> int:
        return sum(1 for c in self.commands if not c.ok)

    def failures(self) -> list[CommandResult]:
        return [c for c in self.commands if not c.ok]

    def summary(self) -> str:
        text = f"{self.name}: {self.passed} passed, {self.failed} failed"
        return f"{text} ({self.error})" if self.error else text

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "passed": self.passed,
            "failed": self.failed,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "commands": [c.to_json() for c in self.commands],
        }


def display_name(path: Path) -> str:
    return testsuite.stem_of(path) + ".wast"


def run_file(
    path: Path,
    *,
    cc: str | None = None,
    opt: int = DEFAULT_OPT,
    timeout: float = DEFAULT_TIMEOUT,
) -> FileResult:
    """Run one script in a child process and collect its results, whatever happens to it."""
    result = FileResult(display_name(path), str(path))
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wasmc-spec-run-") as tmp:
        results_path = Path(tmp) / "results.jsonl"
        cmd = _worker_command(path, results_path, cc, opt)
        status = _run_worker(cmd, timeout)
        header, done = _read_results(results_path)
    result.seconds = time.monotonic() - start
    result.commands = done
    if header is None:
        result.commands.append(CommandResult(0, "script", False, status or "no results"))
        result.error = status or "no results"
    elif len(done) < len(header):
        status = status or "worker stopped early"
        result.error = status
        for line, kind in header[len(done) :]:
            result.commands.append(CommandResult(line, kind, False, status))
    elif status:  # every command ran, then the process died (e.g. while exiting)
        result.error = f"{status}, after the last command"
    return result


def _worker_command(path: Path, results: Path, cc: str | None, opt: int) -> list[str]:
    cmd = [sys.executable, "-m", "wasmc.spec.worker", str(path), str(results), "--opt", str(opt)]
    return cmd + ["--cc", cc] if cc else cmd


def _run_worker(cmd: list[str], timeout: float) -> str | None:
    """Run a worker in its own process group; None if it exited normally, else what
    happened to it. On a timeout the whole group (C compiler included) is killed."""
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        env=_child_env(),
        start_new_session=True,
    )
    _live.add(proc)
    try:
        _stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        return f"timed out after {timeout:g} s"
    finally:
        _live.discard(proc)
    if proc.returncode < 0:
        status = f"crashed: signal {-proc.returncode}"
        with contextlib.suppress(ValueError):
            status += f" ({signal.Signals(-proc.returncode).name})"
        return status
    if proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return f"worker exited with status {proc.returncode}: {last}"
    return None


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _read_results(path: Path) -> tuple[list[tuple[int, str]] | None, list[CommandResult]]:
    header: list[tuple[int, str]] | None = None
    done: list[CommandResult] = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None, done
    for raw in text.splitlines():
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError:  # a line cut short by a crash
            break
        if "commands" in obj:
            header = [(int(line), str(kind)) for line, kind in obj["commands"]]
        else:
            done.append(CommandResult(**obj))
    return header, done


def _child_env() -> dict[str, str]:
    """The environment for workers: wasmc importable even when not installed."""
    env = dict(os.environ)
    src = str(Path(wasmc.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def run_files(
    paths: Iterable[Path],
    *,
    cc: str | None = None,
    opt: int = DEFAULT_OPT,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Iterator[FileResult]:
    """Run scripts `jobs` at a time (default: CPU count); yields results in input order."""
    jobs = jobs or os.cpu_count() or 1
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        yield from pool.map(lambda p: run_file(p, cc=cc, opt=opt, timeout=timeout), list(paths))
    except BaseException:  # Ctrl-C: the workers run in their own sessions, so end them here
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in list(_live):
            _kill_group(proc)
        raise
    finally:
        pool.shutdown(wait=True)


def report(
    results: Iterable[FileResult], out: TextIO, *, verbose: bool = False
) -> list[FileResult]:
    """Print one line per file as results arrive, then the totals line."""
    collected = []
    for result in results:
        collected.append(result)
        print(result.summary(), file=out, flush=True)
        if verbose:
            failures = result.failures()
            for c in failures[:SHOWN_FAILURES]:
                print(f"  line {c.line}: {c.type}: {c.message}", file=out)
            if len(failures) > SHOWN_FAILURES:
                print(f"  ... and {len(failures) - SHOWN_FAILURES} more", file=out)
    passed = sum(r.passed for r in collected)
    failed = sum(r.failed for r in collected)
    print(f"{passed} passed, {failed} failed", file=out, flush=True)
    return collected


def write_json(path: Path, results: list[FileResult], *, cc: str | None, opt: int) -> None:
    doc = {
        "cc": cc or "default",
        "opt": opt,
        "testsuite_commit": testsuite.testsuite_commit(),
        "passed": sum(r.passed for r in results),
        "failed": sum(r.failed for r in results),
        "files": [r.to_json() for r in results],
    }
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


# ---- command line ------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `wasmc spec` (and of `python -m wasmc.spec.runner`)."""
    parser.add_argument(
        "wast",
        nargs="*",
        metavar="WAST",
        help="a .wast file, or a testsuite stem such as 'i32' or 'legacy/throw'",
    )
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="NAME",
        help="run every file of this GROUPS.txt group (repeatable), e.g. A:wasm2-nosimd",
    )
    parser.add_argument(
        "--cc",
        default=None,
        metavar="CC",
        help="C compiler command (default: the bundled zig clang), e.g. gcc or 'ccache clang'",
    )
    parser.add_argument(
        "-O",
        dest="opt",
        type=int,
        choices=range(4),
        default=DEFAULT_OPT,
        metavar="N",
        help=f"C optimization level 0-3 (default: {DEFAULT_OPT})",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="scripts run at once, each in its own process (default: CPU count)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help=f"list the first {SHOWN_FAILURES} failures of each file",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="FILE",
        help="write per-file and per-command results (line, type, ok, message) to FILE",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"fail a script still running after this long (default: {DEFAULT_TIMEOUT:g})",
    )


def selected_files(wasts: list[str], groups: list[str], error: Callable[[str], Any]) -> list[Path]:
    paths: list[Path] = []
    try:
        for group in groups:
            paths += testsuite.group_files(group)
        for name in wasts:
            paths.append(testsuite.resolve_wast(name))
    except (KeyError, FileNotFoundError, OSError) as exc:
        error(str(exc).strip("'\""))
    if not paths:
        error("no .wast files given (name files or use --group)")
    return paths


def run_from_args(ns: argparse.Namespace, error: Callable[[str], Any]) -> int:
    paths = selected_files(ns.wast, ns.group, error)
    # On SIGTERM, unwind like Ctrl-C so the workers (in their own sessions) are ended too.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    results = report(
        run_files(paths, cc=ns.cc, opt=ns.opt, jobs=ns.jobs, timeout=ns.timeout),
        sys.stdout,
        verbose=ns.verbose,
    )
    if ns.json:
        write_json(ns.json, results, cc=ns.cc, opt=ns.opt)
    return 0 if all(r.failed == 0 for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m wasmc.spec.runner", description="Run WebAssembly spec .wast scripts."
    )
    add_arguments(parser)
    ns = parser.parse_args(argv)
    return run_from_args(ns, parser.error)


if __name__ == "__main__":
    sys.exit(main())

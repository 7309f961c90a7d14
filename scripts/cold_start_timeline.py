"""Where the time of a large module's first build goes (docs/large-modules.md, "A cold first
run, step by step"): a timeline of `build_executable` (quick, as `wasmc run` builds it, or at
the level), then a replay of its CPU times on idle cores.

    XDG_CACHE_HOME=COLD ZIG_GLOBAL_CACHE_DIR=COLD/zig \\
        python scripts/cold_start_timeline.py boolector.wasm --jobs 2

Point both caches at a fresh copy of a cache that holds the C runtime and zig's
compiler-rt but no build of the module (else zig's object cache answers the compiles).
Every phase of the parent, every function file of the workers (validated and emitted) and
every C compiler command (run under `/usr/bin/time`) is logged with its wall-clock span
and CPU time. The replay runs the same work on `--cores` idle cores with processor
sharing: the serial start, the workers' files in the order they wrote them, each file
compiled (`--jobs` at once) once written, then the link. On a shared machine the logged
wall times stretch with the load; the CPU times, and so the replay, much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Log:
    """Events as JSON lines in a file that the forked workers append to as well."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)

    def __call__(self, event: str, **fields) -> None:
        record = {"t": time.perf_counter() - T0, "pid": os.getpid(), "cpu": cpu_seconds(),
                  "event": event, **fields}
        os.write(self.fd, (json.dumps(record) + "\n").encode())

    def read(self) -> list[dict]:
        return [json.loads(line) for line in self.path.read_text().splitlines()]


def instrument(log: Log, time_dir: Path) -> None:
    """Log the phases of compiler.build_executable and split.emit_split, and time every
    C compiler command."""
    from wasmc import compiler
    from wasmc.codegen import split

    def spanned(owner, name: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            log(f"{name} begin")
            try:
                return original(*args, **kwargs)
            finally:
                log(f"{name} end")

        setattr(owner, name, wrapper)

    spanned(compiler, "decode")
    spanned(split, "validate_module")
    spanned(split.ModuleEmitter, "call_edges")
    spanned(split.ModuleEmitter, "emit_split_header")
    spanned(split.ModuleEmitter, "emit_split_module")
    write_bucket = split._Job.write_bucket

    def logged_bucket(job, i: int) -> None:
        log("bucket begin", bucket=i)
        write_bucket(job, i)
        log("bucket end", bucket=i, file=job.files[i].name)

    split._Job.write_bucket = logged_bucket
    popen = subprocess.Popen
    count = iter(range(1 << 30))

    class TimedPopen(popen):
        def __init__(self, args, *rest, **kwargs):
            if isinstance(args, list) and "--version" not in args and "cc" in args[:3]:
                out = time_dir / f"{next(count)}.time"
                what = args[args.index("-c") + 1] if "-c" in args else "link"
                log("compiler", what=Path(what).name, time_file=str(out))
                args = ["/usr/bin/time", "-f", "%e %U %S", "-o", str(out), *args]
            super().__init__(args, *rest, **kwargs)

    subprocess.Popen = TimedPopen


def compiler_cpu(event: dict) -> tuple[float, float]:
    """(wall, CPU) of a logged compiler command."""
    wall, user, system = Path(event["time_file"]).read_text().split()[-3:]
    return float(wall), float(user) + float(system)


def report(events: list[dict]) -> None:
    parent = events[0]["pid"]
    for e in events:
        who = "parent" if e["pid"] == parent else f"worker {e['pid']}"
        line = f"{e['t']:7.2f} s  cpu {e['cpu']:6.2f}  {who:13} {e['event']}"
        if "bucket" in e:
            line += f" {e['bucket']}" + (f" ({e['file']})" if "file" in e else "")
        if e["event"] == "compiler":
            wall, cpu = compiler_cpu(e)
            line += f" {e['what']}: {cpu:.2f} s CPU, {wall:.2f} s wall, until {e['t'] + wall:.2f}"
        print(line)


def replay(events: list[dict], cores: float, jobs: int, step: float = 0.002) -> None:
    """Replay the logged CPU times on `cores` idle cores (processor sharing)."""
    parent = events[0]["pid"]
    fork = min(e["t"] for e in events if e["event"] == "bucket begin")
    serial = max(e["cpu"] for e in events if e["pid"] == parent and e["t"] <= fork)
    early = sum(compiler_cpu(e)[1] for e in events
                if e["event"] == "compiler" and e["t"] <= fork and e["what"] != "link")
    spans = [e for e in events if e["pid"] == parent and e["event"].startswith("emit_split_module")]
    module_file = spans[1]["cpu"] - spans[0]["cpu"] if len(spans) == 2 else 0.0
    started: dict[tuple[int, int], float] = {}
    per_worker: dict[int, list[tuple[str, float]]] = {}
    for e in events:
        if e["event"] == "bucket begin":
            started[e["pid"], e["bucket"]] = e["cpu"]
        elif e["event"] == "bucket end":
            per_worker.setdefault(e["pid"], []).append(
                (e["file"], e["cpu"] - started[e["pid"], e["bucket"]]))
    compiles = {e["what"]: compiler_cpu(e)[1] for e in events
                if e["event"] == "compiler" and e["t"] > fork}
    link = compiles.pop("link", 0.0)
    module_name = next((name for name in compiles if not name[:-2].split("_")[-1].isdigit()), None)

    # [kind, CPU left, payload]; kinds: worker file, module file, compile
    running: list[list] = [["module", module_file, module_name]]
    queues = {pid: list(files) for pid, files in per_worker.items()}
    for pid, queue in queues.items():
        name, cost = queue.pop(0)
        running.append(["worker", cost, (pid, name)])
    waiting: list[str] = []
    compilers = 0
    t = serial + early / cores  # the runtime's compiles, if any, ran before the fork
    while running or waiting:
        while waiting and compilers < jobs:
            name = waiting.pop(0)
            running.append(["compile", compiles[name], name])
            compilers += 1
        rate = min(1.0, cores / len(running))
        for task in running:
            task[1] -= rate * step
        t += step
        for task in [task for task in running if task[1] <= 0]:
            running.remove(task)
            kind, _, payload = task
            if kind == "worker":
                pid, name = payload
                waiting.append(name)
                if queues[pid]:
                    name, cost = queues[pid].pop(0)
                    running.append(["worker", cost, (pid, name)])
            elif kind == "module" and payload is not None:
                waiting.insert(0, payload)
            elif kind == "compile":
                compilers -= 1
    t += link
    workers = sum(cost for files in per_worker.values() for _, cost in files)
    total = serial + early + module_file + workers + sum(compiles.values()) + link
    print(f"\nCPU s: serial start {serial:.2f}, runtime compiles {early:.2f}, module file "
          f"{module_file:.2f}, workers {workers:.2f}, {len(compiles)} C files "
          f"{sum(compiles.values()):.2f}, link {link:.2f}; total {total:.2f}")
    print(f"replayed on {cores:g} idle cores with -j {jobs}: {t:.2f} s of wall time "
          f"(CPU / cores: {total / cores:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cores", type=float, default=2)
    parser.add_argument("--opt", type=int, default=2)
    parser.add_argument("--optimized", action="store_true",
                        help="build at --opt (default: the quick build of `wasmc run`)")
    parser.add_argument("--log", type=Path, help="keep the event log here (JSON lines)")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wasmc-timeline-") as tmp:
        log = Log(ns.log or Path(tmp) / "events.jsonl")
        log("start")
        from wasmc import compiler

        log("imported")
        instrument(log, Path(tmp))
        compiler.build_executable(ns.module, Path(tmp) / "program", opt=ns.opt,
                                  jobs=ns.jobs, quick=not ns.optimized)
        log("done")
        report(log.read())
        replay(log.read(), ns.cores, ns.jobs)


if __name__ == "__main__":
    sys.exit(main())

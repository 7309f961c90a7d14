"""Benchmark: time from launching `wasmc run MODULE` to the program's first instruction,
with the module already in the compile cache (issue 4's target: under 50 ms).

The module's `_start` first reads the realtime clock (its first WASI call) and writes the
8-byte timestamp to stdout; the latency is that timestamp minus the time just before the
process was spawned. Prints min / median / max over N runs, for `wasmc run` and, for
comparison, for the cached executable started directly and for `python -c pass`.

    python scripts/wasi_start_latency.py [-n 20]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WAT = r"""
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 64)))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))
"""


def latency(cmd: list[str]) -> float:
    start = time.time_ns()
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    (first,) = struct.unpack("<Q", out[:8])
    return (first - start) / 1e6


def cpu_time(cmd: list[str]) -> float:
    """CPU time (user + system, ms) of the whole run: what the latency would be on an idle
    machine, give or take the kernel's exec and page-fault costs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1e3


def spawn_time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    return (time.perf_counter() - start) * 1e3


def report(name: str, values: list[float]) -> None:
    print(f"{name:34s} min {min(values):7.1f} ms   median {statistics.median(values):7.1f} ms"
          f"   max {max(values):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20)
    ns = parser.parse_args()
    from wasmc import api, runcache

    with tempfile.TemporaryDirectory() as tmp:
        wat = Path(tmp) / "first.wat"
        wat.write_text(WAT)
        wasm = Path(tmp) / "first.wasm"
        wasm.write_bytes(api.read_source(wat))
        exe = runcache.executable_for(wasm.read_bytes(), opt=2)  # fill the cache
        wasmc = [sys.executable, "-m", "wasmc.cli", "run", str(wasm)]
        script = Path(sys.executable).with_name("wasmc")
        if script.is_file():
            wasmc = [str(script), "run", str(wasm)]
        latency(wasmc)  # warm the page cache
        report("wasmc run (cached) -> 1st instr", [latency(wasmc) for _ in range(ns.n)])
        report("wasmc run (cached), CPU time", [cpu_time(wasmc) for _ in range(ns.n)])
        report("cached executable -> 1st instr", [latency([str(exe)]) for _ in range(ns.n)])
        report("python -c pass, CPU time",
               [cpu_time([sys.executable, "-c", "pass"]) for _ in range(ns.n)])
        report("python -c pass (whole run)",
               [spawn_time([sys.executable, "-c", "pass"]) for _ in range(ns.n)])
        print("command:", " ".join(wasmc))


if __name__ == "__main__":
    main()

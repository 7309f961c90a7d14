"""Benchmark: the cost of a call across the Python/Wasm boundary, in both directions, in
wasmc's API and in wasmtime-py, in the same run (issue 11's target: at most a quarter of
wasmtime-py's each way).

Python -> Wasm: calling an exported `add(i32, i32) -> i32` from Python. Wasm -> Python: an
exported loop that calls an imported host function `add(i32, i32) -> i32` N times, per
call. Prints the best of R rounds (CPU time per call, microseconds) and the ratios.

    python scripts/call_overhead.py [-n 100000] [-r 5]
"""

from __future__ import annotations

import argparse
import time

import wasmtime

import wasmc

WAT = """(module
  (import "host" "add" (func $host_add (param i32 i32) (result i32)))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "call_host") (param $n i32) (result i32)
    (local $sum i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $sum (call $host_add (local.get $sum) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $sum)))"""


def best_per_call(run, n: int, rounds: int) -> float:
    """Best CPU time per call over `rounds` runs of `run(n)`, in microseconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run(n)
        best = min(best, time.process_time() - start)
    return best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="calls per round")
    parser.add_argument("-r", type=int, default=5, help="rounds (the best counts)")
    args = parser.parse_args()

    inst = wasmc.load(WAT, {"host": {"add": lambda a, b: a + b}})
    add, call_host = inst.exports.add, inst.exports.call_host

    def wasmc_to_wasm(n: int) -> None:
        for k in range(n):
            add(k, 1)

    def wasmc_to_python(n: int) -> None:
        assert call_host(n) == n

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    module = wasmtime.Module(engine, wasmc.api.read_source(WAT))
    i32 = wasmtime.ValType.i32()
    host_add = wasmtime.Func(store, wasmtime.FuncType([i32, i32], [i32]), lambda a, b: a + b)
    exports = wasmtime.Instance(store, module, [host_add]).exports(store)
    wt_add, wt_call_host = exports["add"], exports["call_host"]

    def wasmtime_to_wasm(n: int) -> None:
        for k in range(n):
            wt_add(store, k, 1)

    def wasmtime_to_python(n: int) -> None:
        assert wt_call_host(store, n) == n

    rows = [("Python -> Wasm", wasmc_to_wasm, wasmtime_to_wasm),
            ("Wasm -> Python", wasmc_to_python, wasmtime_to_python)]
    print(f"{'per call (µs, CPU)':20} {'wasmc':>8} {'wasmtime-py':>12} {'ratio':>7}")
    for name, ours, theirs in rows:
        a, b = best_per_call(ours, args.n, args.r), best_per_call(theirs, args.n, args.r)
        print(f"{name:20} {a:8.2f} {b:12.2f} {a / b:7.2f}")


if __name__ == "__main__":
    main()

"""Instantiate and drop a module with a memory N times in one process, printing RSS and
address space (VmRSS, VmSize from /proc/self/status) as it goes: the by-hand run behind
docs/api.md's "Lifetimes" numbers (tests/test_api_lifetimes.py runs 100,000 in CI).

    python scripts/instance_churn.py [-n 1000000]
"""

from __future__ import annotations

import argparse
import time

import wasmc

MODULE = """(module
  (memory (export "memory") 1)
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"""


def status() -> dict[str, int]:
    """VmSize, VmRSS, VmPeak and VmHWM of this process, in MiB."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmSize", "VmRSS", "VmPeak", "VmHWM"):
                values[key] = int(rest.split()[0]) // 1024
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="instances")
    n = parser.parse_args().n
    module = wasmc.compile_module(MODULE, opt=0)
    for _ in range(100):
        module.instantiate()
    print("before (MiB)", status(), flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    for k in range(n):
        instance = module.instantiate()
        instance.exports.store(8, k)
        assert instance.exports.load(8) == k
        if k % 100_000 == 0:
            print(k, status(), f"{time.perf_counter() - wall:.1f} s", flush=True)
    del instance
    print(f"done: {n} instances (MiB)", status(),
          f"wall {time.perf_counter() - wall:.1f} s, CPU {time.process_time() - cpu:.1f} s")


if __name__ == "__main__":
    main()

"""Validation and C-emission rate of wasmc's Python side on one module, single-threaded.

    python scripts/frontend_rate.py MODULE.wasm [--repeat 5]

Decodes once, then validates and emits the whole module (as one C file) `--repeat` times
and prints the median CPU time of each phase and Wasm instructions per second. Run it for
two trees alternately (PYTHONPATH=OTHER/src) to compare them on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

from wasmc.binary.decoder import decode
from wasmc.codegen.module import emit_module
from wasmc.validate.validator import validate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    module = decode(args.module.read_bytes())
    n = sum(len(f.body) for f in module.functions)
    gc.disable()  # as wasmc's own pipeline does (codegen/split.py no_cycle_collection)
    v_times, e_times = [], []
    for _ in range(args.repeat):
        t0 = time.process_time()
        info = validate(module)
        t1 = time.process_time()
        emit_module(module, info, "wasmc_m", True)
        t2 = time.process_time()
        v_times.append(t1 - t0)
        e_times.append(t2 - t1)
        del info
        gc.collect()
    v, e = statistics.median(v_times), statistics.median(e_times)
    print(f"{args.module.name}: {n} instructions; validate {v:.3f} s ({n / v / 1e6:.2f} M/s), "
          f"emit {e:.3f} s ({n / e / 1e6:.2f} M/s), both {n / (v + e) / 1e6:.2f} M/s")


if __name__ == "__main__":
    main()

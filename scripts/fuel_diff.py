#!/usr/bin/env python3
"""Compare wasmc's fuel with Wasmtime's on wasm-smith modules:
`python scripts/fuel_diff.py FIRST_SEED [LAST_SEED] [--modules N]` runs
tests/test_fuel.py's compare_generated on N modules (default 200) of each seed and prints
the differences (docs/limits.md, "Fuel"). Exit status 1 if there are any."""

import argparse
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent / "tests")

from test_fuel import compare_generated  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=int, help="the first seed")
    parser.add_argument("last", type=int, nargs="?", help="the last seed (default: first)")
    parser.add_argument("--modules", type=int, default=200, help="modules per seed")
    args = parser.parse_args()
    found = 0
    for seed in range(args.first, (args.last or args.first) + 1):
        started = time.monotonic()
        differences, outcomes = compare_generated(seed, args.modules)
        found += len(differences)
        print(f"seed {seed}: {len(differences)} differences, calls {dict(outcomes)}, "
              f"{time.monotonic() - started:.0f} s", flush=True)
        for line in differences[:10]:
            print("  " + line, flush=True)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

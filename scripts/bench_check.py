#!/usr/bin/env python3
"""The bench regression check: `python scripts/bench_check.py NEW.json [--baseline FILE]`
compares a `wasmc bench --json` run with the recorded one (docs/performance.json) and exits
with status 1 if a program got more than 10 % slower. The logic is wasmc.bench.compare;
docs/performance.md says when to run it."""

import sys

from wasmc.bench.compare import main

if __name__ == "__main__":
    sys.exit(main())

"""Two wasmc checkouts, same machine, same moment: every `wasmc bench` program's `.wasm` is
compiled by each checkout's `wasmc compile` (-O2) and the two executables are run
alternately, so both see the same machine load. Prints the median CPU time (user + system)
of each, their ratio (B / A), and whether the outputs agree.

    python scripts/ab_bench.py /work/old-checkout /work/main [--runs 7] [--programs a,b]
    python scripts/ab_bench.py A B --cc gcc

Use it before committing a change to codegen/ or runtime/ when `wasmc bench` against the
recorded run (scripts/bench_check.py) is too noisy to tell: the switch-style interpreters
move by 20-40 % between separate runs of one build on a shared machine
(docs/performance.md, "Volatile accesses instead of asm keeps"). The runs go A B B A ...
(wasmc.bench.alternate). An A/A run (one checkout twice) shows the noise floor: fannkuch
1.065 from 5 runs on a nearly idle machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from wasmc import toolchain
from wasmc.bench.alternate import compare_programs
from wasmc.bench.engines import Build, BuildCache, Context


def build(checkout: Path, wasm: Path, out: Path, cc: str | None) -> Build:
    """`wasmc compile` of `checkout` (its own sources, through PYTHONPATH)."""
    if not out.exists():
        env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
        command = [sys.executable, "-c", "import sys; from wasmc.cli import main; sys.exit(main())",
                   "compile", str(wasm), "-o", str(out)]
        if cc:
            command += ["--cc", cc]
        subprocess.run(command, env=env, check=True)
    return Build([str(out)], None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="checkout A (the baseline)")
    parser.add_argument("b", type=Path, help="checkout B")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="the programs' quick arguments")
    parser.add_argument("--programs", help="comma-separated names (default: all)")
    parser.add_argument("--cc", help="the C compiler (default: wasmc's)")
    parser.add_argument("--out", type=Path, default=Path("ab-builds"),
                        help="directory for the executables (default: ./ab-builds)")
    ns = parser.parse_args(argv)
    wanted = set(ns.programs.split(",")) if ns.programs else None
    ctx = Context(BuildCache(toolchain.cache_dir() / "bench"))
    ns.out.mkdir(parents=True, exist_ok=True)

    def builds_for(program, wasm: Path) -> list[Build]:
        return [build(tree, wasm, ns.out / f"{program.name}-{side}", ns.cc)
                for side, tree in (("a", ns.a), ("b", ns.b))]

    compare_programs(ctx, builds_for, wanted=wanted, quick=ns.quick, runs=ns.runs,
                     labels=("A", "B"), unit="CPU s; ratio B/A")
    return 0


if __name__ == "__main__":
    sys.exit(main())

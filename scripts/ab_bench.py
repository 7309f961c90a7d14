"""Two wasmc checkouts, same machine, same moment: every `wasmc bench` program's `.wasm` is
compiled by each checkout's `wasmc compile` (-O2) and the two executables are run
alternately, so both see the same machine load. Prints the median CPU time (user + system)
of each, their ratio (B / A), and whether the outputs agree.

    python scripts/ab_bench.py /work/old-checkout /work/main [--runs 7] [--programs a,b]
    python scripts/ab_bench.py A B --cc gcc

Use it before committing a change to codegen/ or runtime/ when `wasmc bench` against the
recorded run (scripts/bench_check.py) is too noisy to tell: the switch-style interpreters
move by 20-40 % between separate runs of one build on a shared machine
(docs/performance.md, "Volatile accesses instead of asm keeps").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from wasmc import toolchain
from wasmc.bench import programs
from wasmc.bench.engines import Build, BuildCache, Context, WasmcEngine


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
    runner = WasmcEngine("wasmc", "wasmc", None)
    ns.out.mkdir(parents=True, exist_ok=True)
    print(f"{'program':22} {'A':>9} {'B':>9} {'B/A':>7}  outputs  (CPU s)")
    ratios = []
    for program in programs.PROGRAMS:
        if wanted is not None and program.name not in wanted:
            continue
        wasm = ctx.wasm(program.source)
        builds = [build(tree, wasm, ns.out / f"{program.name}-{side}", ns.cc)
                  for side, tree in (("a", ns.a), ("b", ns.b))]
        args = program.quick_args if ns.quick else program.args
        times: list[list[float]] = [[], []]
        outputs: list[set[str]] = [set(), set()]
        for _ in range(ns.runs):
            for k, b in enumerate(builds):
                result = runner.run(b, args, timeout=600)
                times[k].append(result.seconds)
                outputs[k].add(result.stdout)
        a, b = (statistics.median(t) for t in times)
        ratio = b / a if a else float("nan")
        ratios.append(ratio)
        same = "same" if outputs[0] == outputs[1] and len(outputs[0]) == 1 else "DIFFER"
        print(f"{program.name:22} {a:9.3f} {b:9.3f} {ratio:7.3f}  {same}", flush=True)
    if ratios:
        print(f"geometric mean of B/A: {statistics.geometric_mean(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

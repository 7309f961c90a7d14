"""What the interrupt checks cost (docs/limits.md): every `wasmc bench` program built twice,
without and with `interruptible` (a check at each function entry and loop header), and run
alternately, so both see the same machine load. Prints the median CPU time (user + system)
of each, their ratio, and whether the outputs agree.

    python scripts/interrupt_cost.py [--runs 5] [--quick] [--programs fib,nbody] [--cc gcc]
    python scripts/interrupt_cost.py --cc gcc --instructions   # one run each, callgrind

--instructions counts the instructions executed (valgrind's callgrind) instead, which does
not depend on the machine's load: what the checks add, though not what they cost in time.
Valgrind cannot run the default compiler's builds (zig clang targets the build machine's
CPU, AVX-512 included), hence --cc gcc.

A plain wasmc build is `wasmc bench`'s wasmc engine build (same .wasm, -O2, default C
compiler). The checks never fire here: an executable has no way to set them off.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

from wasmc import compiler, toolchain
from wasmc.bench.alternate import compare_programs
from wasmc.bench.engines import (
    Build,
    BuildCache,
    Context,
    _file_hash,
    _wasmc_fingerprint,
)


def build(ctx: Context, wasm: Path, interruptible: bool, cc: str | None) -> Build:
    def make(d: Path) -> None:
        compiler.build_executable(wasm, d / "prog", opt=2, cc=cc, interruptible=interruptible)

    compiler_id = toolchain.find_compiler(cc).identity
    d, _, _ = ctx.cache.get("interrupt-cost", [_file_hash(wasm), _wasmc_fingerprint(),
                                                compiler_id, "opt=2",
                                                f"interruptible={interruptible}"], make)
    return Build([str(d / "prog")], None)


def instructions(b: Build, args: tuple[str, ...]) -> tuple[float, str]:
    """(instructions executed, stdout) of one run under callgrind."""
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *b.command, *args], capture_output=True, text=True, check=True)
    collected = re.search(r"Collected : (\d+)", proc.stderr)
    if collected is None:
        raise RuntimeError(f"no instruction count from callgrind: {proc.stderr[-500:]}")
    return float(collected.group(1)), proc.stdout


def giga_instructions(b: Build, args, shift: int = 0) -> tuple[float, str]:
    # The stack's position does not change how many instructions run: `shift` is unused.
    count, stdout = instructions(b, tuple(args))
    return count / 1e9, stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="the programs' quick arguments")
    parser.add_argument("--programs", help="comma-separated names (default: all)")
    parser.add_argument("--cc", help="the C compiler (default: wasmc's)")
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions (callgrind, one run each) instead of timing")
    ns = parser.parse_args(argv)
    wanted = set(ns.programs.split(",")) if ns.programs else None
    ctx = Context(BuildCache(toolchain.cache_dir() / "bench"))
    unit = "G instructions" if ns.instructions else "CPU s"

    def builds_for(program, wasm: Path) -> list[Build]:
        return [build(ctx, wasm, checked, ns.cc) for checked in (False, True)]

    compare_programs(ctx, builds_for, wanted=wanted, quick=ns.quick,
                     runs=1 if ns.instructions else ns.runs, labels=("plain", "checked"),
                     unit=unit, measure=giga_instructions if ns.instructions else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

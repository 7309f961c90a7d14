"""Two builds of one program timed in alternation (A B B A ...), so that both see the
same machine load: what scripts/ab_bench.py and scripts/interrupt_cost.py compare."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wasmc.bench import programs
from wasmc.bench.engines import Build, Context, WasmcEngine, stack_shift


@dataclass
class Pair:
    a: float  # median of A's measurements
    b: float  # median of B's
    same_output: bool  # every run of both printed the same thing

    @property
    def ratio(self) -> float:
        return self.b / self.a if self.a else float("nan")


def time_alternately(builds: Sequence[Build], args: Sequence[str], runs: int,
                     measure: Callable[[Build, Sequence[str], int], tuple[float, str]]
                     | None = None) -> Pair:
    """Run builds A and B `runs` times each, alternately (A B B A A B ...).
    `measure(build, args, shift)` gives one (number, stdout) for a run whose stack
    `shift` moves (engines.stack_shift); by default the CPU seconds of the run phase
    (WasmcEngine.run)."""
    if measure is None:
        runner = WasmcEngine("wasmc", "wasmc", None)

        def measure(b: Build, a: Sequence[str], shift: int = 0) -> tuple[float, str]:
            result = runner.run(b, tuple(a), timeout=600, shift=shift)
            return result.seconds, result.stdout

    values: list[list[float]] = [[], []]
    outputs: list[set[str]] = [set(), set()]
    for i in range(runs):
        # A B, then B A: neither build always runs second (on a warmer cache or CPU). Both
        # runs of a round have their stack at the same place, the next round elsewhere.
        for k in ((0, 1) if i % 2 == 0 else (1, 0)):
            value, stdout = measure(builds[k], args, stack_shift(i))
            values[k].append(value)
            outputs[k].add(stdout)
    same = outputs[0] == outputs[1] and len(outputs[0]) == 1
    return Pair(statistics.median(values[0]), statistics.median(values[1]), same)


def compare_programs(ctx: Context, builds_for: Callable[[programs.Program, object], list[Build]],
                     *, wanted: set[str] | None, quick: bool, runs: int,
                     labels: tuple[str, str], unit: str, measure=None) -> None:
    """For each bench program (those in `wanted`, or all): its .wasm, the two builds
    `builds_for(program, wasm)`, timed alternately; prints one row per program (the two
    medians, B/A, whether the outputs agree) and the geometric mean of B/A."""
    print(f"{'program':22} {labels[0]:>9} {labels[1]:>9} {'ratio':>7}  outputs  ({unit})")
    ratios = []
    for program in programs.PROGRAMS:
        if wanted is not None and program.name not in wanted:
            continue
        builds = builds_for(program, ctx.wasm(program.source))
        args = program.quick_args if quick else program.args
        pair = time_alternately(builds, args, runs, measure)
        ratios.append(pair.ratio)
        same = "same" if pair.same_output else "DIFFER"
        print(f"{program.name:22} {pair.a:9.3f} {pair.b:9.3f} {pair.ratio:7.3f}  {same}",
              flush=True)
    if ratios:
        print(f"geometric mean of the ratios: {statistics.geometric_mean(ratios):.3f}")

"""Which engine is faster, and where the runs cannot tell: wasmc against the other Wasm
engines, program by program, from one `wasmc bench` report.

A difference of medians of 1-3 % swaps sign from one run to the next on a shared machine
(docs/performance.md, "The close programs"), so a table of medians alone overstates what
it shows. The runs go round-robin, so run i of every engine shares round i's moment of the
machine: the test pairs them. For each program and each other engine it takes the log of
wasmc's time over the other's, round by round, and asks with Wilcoxon's signed-rank test
(exact, two-sided) whether those are centred on zero. Below the level (5 %) the sign of the
median ratio says who is faster; above it, the runs cannot tell. Below 6 rounds no result
reaches 5 % (with 5 the smallest p is 2/32), and the summary says so instead.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from wasmc.bench.engines import ENGINES, WasmcEngine
from wasmc.bench.runner import Report

LEVEL = 0.05
MIN_ROUNDS = 6  # the fewest with a possible p below LEVEL: 2/64
WASMC_ENGINES = [e.name for e in ENGINES if isinstance(e, WasmcEngine)]
# The engines whose speed is wasmc's to beat: every engine that is neither native nor wasmc.
OTHER_ENGINES = {e.name for e in ENGINES if not e.native} - set(WASMC_ENGINES)


def signed_rank_p(differences: list[float]) -> float:
    """The exact two-sided p-value of Wilcoxon's signed-rank test that `differences` are
    centred on zero. Zeros are dropped; tied magnitudes get their average rank."""
    d = [x for x in differences if x != 0]
    n = len(d)
    if n == 0:
        return 1.0
    order = sorted(range(n), key=lambda i: abs(d[i]))
    doubled = [0] * n  # twice each rank, so that average ranks stay integers
    i = 0
    while i < n:
        j = i
        while j + 1 < n and abs(d[order[j + 1]]) == abs(d[order[i]]):
            j += 1
        for k in range(i, j + 1):
            doubled[order[k]] = i + j + 2  # 2 * mean of ranks i+1 .. j+1
        i = j + 1
    w_plus = sum(r for r, x in zip(doubled, d, strict=True) if x > 0)
    # How many of the 2^n sign patterns give each (doubled) sum of positive ranks.
    counts = [1] + [0] * sum(doubled)
    for r in doubled:
        for s in range(len(counts) - 1, r - 1, -1):
            counts[s] += counts[s - r]
    total = 2 ** n
    low = sum(counts[: w_plus + 1]) / total
    high = sum(counts[w_plus:]) / total
    return min(1.0, 2 * min(low, high))


@dataclass(frozen=True)
class Pairing:
    """One program, wasmc against one other engine."""

    other: str  # the other engine's label
    ratio: float  # median over rounds of wasmc's time / the other's
    p: float  # signed-rank test on the rounds' log ratios

    @property
    def verdict(self) -> str:
        if self.p >= LEVEL:
            return "close"
        return "faster" if self.ratio < 1 else "slower"

    def __str__(self) -> str:
        return f"{self.other} {self.ratio:.2f}× (p {self.p:.2g})"


@dataclass
class Standing:
    """wasmc (one of its engines) against the other Wasm engines, over a report."""

    engine: str  # its label
    others: list[str]  # their labels
    rounds: int
    faster: list[str] = field(default_factory=list)  # faster than every other engine
    close: dict[str, list[Pairing]] = field(default_factory=dict)  # no engine faster
    slower: dict[str, list[Pairing]] = field(default_factory=dict)  # some engine faster

    def summary(self) -> str:
        """One paragraph, for the terminal and the Markdown report."""
        def listed(cases: dict[str, list[Pairing]]) -> str:
            return "; ".join(f"{p}: " + ", ".join(map(str, pairs)) for p, pairs in cases.items())
        head = f"{self.engine} against {', '.join(self.others)}"
        if self.rounds < MIN_ROUNDS:
            return (f"{head}: no verdict from {self.rounds} runs (the signed-rank test needs "
                    f"{MIN_ROUNDS} or more to reach {LEVEL:.0%}; use --runs 7).")
        n = len(self.faster)
        parts = [f"faster than every one on {n} program{'' if n == 1 else 's'}"]
        if self.close:
            parts.append(f"too close to call on {len(self.close)} ({listed(self.close)})")
        if self.slower:
            parts.append(f"slower on {len(self.slower)} ({listed(self.slower)})")
        return (f"{head} (paired rounds, signed-rank test at {LEVEL:.0%}): "
                + "; ".join(parts) + ".")


def _pairing(times: list[float], other_times: list[float], other: str) -> Pairing:
    logs = [math.log(a / b) for a, b in zip(times, other_times, strict=True)]
    return Pairing(other, math.exp(statistics.median(logs)), signed_rank_p(logs))


def standings(report: Report) -> list[Standing]:
    """One Standing per wasmc engine in the report (none for a --quick report, or when no
    other Wasm engine ran)."""
    others = [e["name"] for e in report.engines if e["name"] in OTHER_ENGINES]
    if report.quick or not others:
        return []
    labels = {e["name"]: e["label"] for e in report.engines}
    result = []
    for engine in (e for e in WASMC_ENGINES if e in labels):
        standing = Standing(labels[engine], [labels[o] for o in others], report.runs)
        for p in report.programs:
            mine = report.cell(p["name"], engine)
            if mine.status != "ok" or not mine.times:
                continue
            pairs = []
            for o in others:
                theirs = report.cell(p["name"], o)
                if theirs.status == "ok" and len(theirs.times) == len(mine.times):
                    pairs.append(_pairing(mine.times, theirs.times, labels[o]))
            if not pairs:
                continue
            slower = [q for q in pairs if q.verdict == "slower"]
            close = [q for q in pairs if q.verdict == "close"]
            if slower:
                standing.slower[p["name"]] = slower
            elif close:
                standing.close[p["name"]] = close
            else:
                standing.faster.append(p["name"])
        result.append(standing)
    return result

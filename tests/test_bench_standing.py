"""wasmc.bench.standing: the signed-rank test, and which programs it calls faster, slower or
too close, on reports made up for the purpose."""

from __future__ import annotations

import itertools
import random

import pytest

from wasmc.bench.report import markdown_table
from wasmc.bench.runner import Cell, Report
from wasmc.bench.standing import signed_rank_p, standings


def _brute_force_p(differences: list[float]) -> float:
    """The same test by enumerating every sign pattern, ranks from scratch."""
    d = [x for x in differences if x != 0]
    if not d:
        return 1.0
    magnitudes = sorted(abs(x) for x in d)

    def rank(m: float) -> float:  # average rank of a magnitude
        first = magnitudes.index(m) + 1
        return first + (magnitudes.count(m) - 1) / 2

    ranks = [rank(abs(x)) for x in d]
    observed = sum(r for r, x in zip(ranks, d, strict=True) if x > 0)
    sums = [sum(r for r, s in zip(ranks, signs, strict=True) if s)
            for signs in itertools.product((False, True), repeat=len(d))]
    low = sum(s <= observed for s in sums) / len(sums)
    high = sum(s >= observed for s in sums) / len(sums)
    return min(1.0, 2 * min(low, high))


def test_signed_rank_p_known_values() -> None:
    # All of n differences on one side: the most extreme of 2^n patterns, twice (two-sided).
    assert signed_rank_p([0.1] * 7) == pytest.approx(2 / 128)
    assert signed_rank_p([-0.1, -0.2, -0.3, -0.4, -0.5]) == pytest.approx(2 / 32)
    assert signed_rank_p([]) == 1.0 and signed_rank_p([0.0, 0.0]) == 1.0
    assert signed_rank_p([1, 2, -3, 4, 5]) == pytest.approx(0.3125)


def test_signed_rank_p_matches_enumeration() -> None:
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 10)
        # Few distinct magnitudes, so that ties (and zeros) are common.
        d = [rng.choice((-1, 1)) * rng.choice((0, 1, 2, 2, 3, 5)) / 100 for _ in range(n)]
        assert signed_rank_p(d) == pytest.approx(_brute_force_p(d)), d


def _report(times: dict[str, dict[str, list[float]]], quick: bool = False) -> Report:
    """A report of programs -> engine -> run times (native-clang 1.0 s in every round)."""
    names = {"native-clang": "native clang", "wasmc-clang": "wasmc (clang)",
             "wasmtime": "Wasmtime", "v8": "V8 (node)"}
    cells = []
    for program, by_engine in times.items():
        rounds = len(next(iter(by_engine.values())))
        for engine, ts in {"native-clang": [1.0] * rounds, **by_engine}.items():
            cells.append(Cell(program, engine, times=ts, median_s=sorted(ts)[len(ts) // 2],
                              ratio=sorted(ts)[len(ts) // 2]))
    engines = [{"name": n, "label": names[n]} for n in ("native-clang", "wasmc-clang",
                                                       "wasmtime", "v8")]
    runs = len(next(iter(next(iter(times.values())).values())))
    return Report("2026-12-07", quick, runs, {}, {}, engines,
                  [{"name": p, "args": []} for p in times], cells)


NOISE = [0.00, 0.02, -0.01, 0.03, -0.02, 0.01, -0.03]


def test_standings_faster_close_and_slower() -> None:
    base = [1.0 + x for x in NOISE]
    report = _report({
        # 10 % faster than both in every round.
        "clear": {"wasmc-clang": [0.9 * t for t in base], "wasmtime": base, "v8": base},
        # Ahead of Wasmtime, but on either side of V8 from one round to the next.
        "close": {"wasmc-clang": base, "wasmtime": [1.2 * t for t in base],
                  "v8": [t * (1 + (0.01 if i % 2 else -0.01)) for i, t in enumerate(base)]},
        # Behind V8 in every round, ahead of Wasmtime.
        "behind": {"wasmc-clang": base, "wasmtime": [1.3 * t for t in base],
                   "v8": [0.95 * t for t in base]},
    })
    (standing,) = standings(report)
    assert standing.faster == ["clear"]
    assert list(standing.close) == ["close"]
    assert [q.other for q in standing.close["close"]] == ["V8 (node)"]
    assert list(standing.slower) == ["behind"]
    (pair,) = standing.slower["behind"]
    assert pair.other == "V8 (node)" and pair.ratio == pytest.approx(1 / 0.95)
    assert pair.p == pytest.approx(2 / 128)
    summary = standing.summary()
    assert "faster than every one on 1 program;" in summary
    assert "too close to call on 1 (close: V8 (node)" in summary
    assert "slower on 1 (behind: V8 (node) 1.05×" in summary
    assert summary in markdown_table(report)


def test_no_verdict_from_quick_runs_or_from_five() -> None:
    base = [1.0 + x for x in NOISE]
    assert standings(_report({"p": {"wasmc-clang": base, "wasmtime": base, "v8": base}},
                             quick=True)) == []
    # Five rounds all ahead cannot reach 5 % (p = 2/32): too close, not faster.
    five = _report({"p": {"wasmc-clang": [0.5] * 5, "wasmtime": [1.0] * 5, "v8": [1.0] * 5}})
    (standing,) = standings(five)
    assert standing.faster == [] and list(standing.close) == ["p"]
    assert standing.summary() == (
        "wasmc (clang) against Wasmtime, V8 (node): no verdict from 5 runs (the signed-rank "
        "test needs 6 or more to reach 5%; use --runs 7).")
    # Six are enough.
    six = _report({"p": {"wasmc-clang": [0.5] * 6, "wasmtime": [1.0] * 6, "v8": [1.0] * 6}})
    assert standings(six)[0].faster == ["p"]

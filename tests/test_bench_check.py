"""The bench regression check (wasmc.bench.compare, scripts/bench_check.py) on synthetic
reports: no timing, only the comparison logic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wasmc.bench.compare import SAME_EXECUTABLE, compare, main, regressions

ENGINES = ["native-clang", "native-gcc", "wasmc-clang", "wasmc-gcc"]


def report(times: dict[str, dict[str, float | None]], args: dict[str, list[str]] | None = None,
           quick: bool = False, digests: dict[str, str] | None = None) -> dict[str, Any]:
    """A report as `wasmc bench --json` writes it: times[program][engine] = median seconds
    (None: the engine failed); ratios to the faster native build, as the runner computes.
    digests[program]: the build_sha256 of its wasmc-clang executable (else none recorded)."""
    cells = []
    for program, by_engine in times.items():
        best = min(t for e, t in by_engine.items() if e.startswith("native-") and t)
        for engine, t in by_engine.items():
            cells.append({"program": program, "engine": engine,
                          "status": "ok" if t is not None else "failed",
                          "reason": None if t is not None else "run failed (exit status 1)",
                          "times": [t] if t else [], "wall_times": [],
                          "compile_s": 1.0, "cached_build": True, "median_s": t,
                          "ratio": t / best if t is not None else None})
            if digests and engine == "wasmc-clang" and program in digests:
                cells[-1]["build_sha256"] = digests[program]
    return {"date": "2026-12-06 05:00 UTC", "quick": quick, "runs": 3, "machine": {},
            "versions": {}, "engines": [{"name": e, "label": e} for e in ENGINES],
            "programs": [{"name": p, "description": "", "args": (args or {}).get(p, ["1"])}
                         for p in times],
            "cells": cells}


BASE_TIMES = {
    "fib": {"native-clang": 0.20, "native-gcc": 0.18, "wasmc-clang": 0.16, "wasmc-gcc": 0.22},
    "sort": {"native-clang": 0.40, "native-gcc": 0.50, "wasmc-clang": 0.44, "wasmc-gcc": 0.52},
}


BASE = report(BASE_TIMES)


def test_a_uniformly_slower_machine_is_no_regression() -> None:
    # Every build 1.5x slower (a busier or slower machine): the ratios are the same.
    slow = report({p: {e: t * 1.5 for e, t in by_engine.items()}
                   for p, by_engine in BASE_TIMES.items()})
    findings = compare(BASE, slow)
    assert [f.note for f in findings] == ["same"] * 4
    assert regressions(findings) == []


def test_names_every_program_more_than_ten_percent_slower() -> None:
    new = report({
        # wasmc-clang 0.16 -> 0.19 against the same native GCC: +19 %
        "fib": {"native-clang": 0.20, "native-gcc": 0.18, "wasmc-clang": 0.19, "wasmc-gcc": 0.23},
        # wasmc-gcc +9.6 %: under the threshold; wasmc-clang 20 % faster
        "sort": {"native-clang": 0.40, "native-gcc": 0.50, "wasmc-clang": 0.35,
                 "wasmc-gcc": 0.57},
    })
    findings = compare(BASE, new)
    notes = {(f.program, f.engine): f.note for f in findings}
    assert notes == {("fib", "wasmc-clang"): "slower", ("fib", "wasmc-gcc"): "same",
                     ("sort", "wasmc-clang"): "faster", ("sort", "wasmc-gcc"): "same"}
    assert [(f.program, f.engine) for f in regressions(findings)] == [("fib", "wasmc-clang")]
    assert compare(BASE, new, threshold=0.05)[3].note == "slower"  # +9.6 % > 5 %


def test_failing_new_and_changed_programs() -> None:
    new = report({
        "fib": {"native-clang": 0.20, "native-gcc": 0.18, "wasmc-clang": None, "wasmc-gcc": 0.22},
        "sort": {"native-clang": 0.40, "native-gcc": 0.50, "wasmc-clang": 0.80,
                 "wasmc-gcc": 0.52},
        "json": {"native-clang": 0.30, "native-gcc": 0.31, "wasmc-clang": 0.45,
                 "wasmc-gcc": 0.50},
    }, args={"sort": ["2"]})
    notes = {(f.program, f.engine): f.note for f in compare(BASE, new)}
    assert notes["fib", "wasmc-clang"].startswith("now failing")
    assert notes["sort", "wasmc-clang"].startswith("not compared: arguments")
    assert notes["json", "wasmc-clang"] == "not compared: not in the recorded run"
    bad = regressions(compare(BASE, new))
    assert [(f.program, f.engine) for f in bad] == [("fib", "wasmc-clang")]


def test_slower_with_the_same_executable_is_the_machine(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # fib on wasmc-clang +19 %, sort +100 %: with the recorded run's executable for fib, a
    # new one for sort. Only sort is a regression; fib is named as the machine's doing.
    slower = {
        "fib": {"native-clang": 0.20, "native-gcc": 0.18, "wasmc-clang": 0.19, "wasmc-gcc": 0.22},
        "sort": {"native-clang": 0.40, "native-gcc": 0.50, "wasmc-clang": 0.88,
                 "wasmc-gcc": 0.52},
    }
    base = report(BASE_TIMES, digests={"fib": "a" * 64, "sort": "b" * 64})
    new = report(slower, digests={"fib": "a" * 64, "sort": "c" * 64})
    notes = {(f.program, f.engine): f.note for f in compare(base, new)}
    assert notes["fib", "wasmc-clang"] == SAME_EXECUTABLE
    assert notes["sort", "wasmc-clang"] == "slower"
    assert [(f.program, f.engine) for f in regressions(compare(base, new))] == [
        ("sort", "wasmc-clang")]
    # A recorded run without digests (older reports) proves nothing: both are regressions.
    assert len(regressions(compare(BASE, new))) == 2
    # The command line names both kinds.
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert main([str(tmp_path / "new.json"), "--baseline", str(tmp_path / "base.json")]) == 1
    out = capsys.readouterr().out
    assert "executable (not counted): fib on wasmc-clang" in out
    assert "REGRESSION: 1 more" in out and "sort on wasmc-clang" in out
    # Only same-executable slow-downs: exit status 0.
    only_fib = report({**slower, "sort": BASE_TIMES["sort"]},
                      digests={"fib": "a" * 64, "sort": "c" * 64})
    (tmp_path / "fib.json").write_text(json.dumps(only_fib))
    assert main([str(tmp_path / "fib.json"), "--baseline", str(tmp_path / "base.json")]) == 0


def test_command_line_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, new, quick = tmp_path / "base.json", tmp_path / "new.json", tmp_path / "quick.json"
    base.write_text(json.dumps(BASE))
    new.write_text(json.dumps(report({
        "fib": {"native-clang": 0.20, "native-gcc": 0.18, "wasmc-clang": 0.16, "wasmc-gcc": 0.30},
        "sort": {"native-clang": 0.40, "native-gcc": 0.50, "wasmc-clang": 0.44,
                 "wasmc-gcc": 0.52},
    })))
    quick.write_text(json.dumps(report({"fib": {"native-clang": 0.1, "native-gcc": 0.1}},
                                       quick=True)))
    assert main([str(base), "--baseline", str(base)]) == 0
    assert "ok: no program" in capsys.readouterr().out
    assert main([str(new), "--baseline", str(base)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out and "fib on wasmc-gcc" in out and "+36%" in out
    # Only the engines asked for are checked.
    assert main([str(new), "--baseline", str(base), "--engines", "wasmc-clang"]) == 0
    capsys.readouterr()
    assert main([str(quick), "--baseline", str(base)]) == 2
    assert "--quick" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.json"), "--baseline", str(base)]) == 2


def test_a_run_on_another_cpu_is_said_first(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Ratios move with the CPU (docs/performance.md, "A new machine"): a check against a
    run from another CPU says so before its findings; against one from the same CPU, not."""
    amd, intel = (dict(BASE, machine={"Model name": name}) for name in
                  ("AMD EPYC 9R14", "Intel(R) Xeon(R) Processor"))
    paths = {name: tmp_path / f"{name}.json" for name in ("amd", "intel")}
    paths["amd"].write_text(json.dumps(amd))
    paths["intel"].write_text(json.dumps(intel))
    assert main([str(paths["intel"]), "--baseline", str(paths["amd"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("note: the recorded run is from another CPU (AMD EPYC 9R14; "
                          "this run: Intel(R) Xeon(R) Processor)")
    assert main([str(paths["intel"]), "--baseline", str(paths["intel"])]) == 0
    assert "another CPU" not in capsys.readouterr().out

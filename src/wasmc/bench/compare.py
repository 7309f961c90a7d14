"""The regression check: compare a `wasmc bench` run (its JSON) with a recorded one
(normally docs/performance.json) and name every program that got slower.

Each run is measured against itself: a cell's `ratio` is its median over the fastest native
build's median from the same run, so a machine that is faster or slower overall (or busier
on that day) cancels out, and runs from different days compare. A program is a regression
on an engine when its ratio grew by more than the threshold (10 % by default), or when it
ran in the recorded run and now fails or gives the wrong output. Programs that the recorded
run does not have, or ran with other arguments, are listed as not compared.

A program that got slower with the very same executable as in the recorded run (the
reports keep each build's SHA-256) is named too, but as the machine's doing, not as a
regression: no change to wasmc can have caused it. On a shared machine most cells move by
more than 10 % from one day to the next (docs/performance.md). When the recorded run comes
from another CPU, the check says so first: there the ratios move by themselves, and a flag
needs the old code run beside the new on this machine (scripts/ab_bench.py).

Run it before committing changes to codegen/ or runtime/ (docs/performance.md):

    wasmc bench --programs ... --engines wasmc-clang,wasmc-gcc --json new.json
    python scripts/bench_check.py new.json            # against docs/performance.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_ENGINES = ("wasmc-clang", "wasmc-gcc")
DEFAULT_THRESHOLD = 0.10
# The note of a program that got slower with the executable of the recorded run.
SAME_EXECUTABLE = "slower, same executable: the machine"


@dataclass(frozen=True)
class Finding:
    program: str
    engine: str
    old_ratio: float | None
    new_ratio: float | None
    note: str  # "slower", SAME_EXECUTABLE, "faster", "same", "now failing", "not compared: ..."

    @property
    def change(self) -> float | None:
        if self.old_ratio and self.new_ratio:
            return self.new_ratio / self.old_ratio - 1
        return None


class BadReport(ValueError):
    """A JSON file that is not a usable `wasmc bench` report."""


def load(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise BadReport(f"{path}: cannot read a bench report: {e}") from e
    if not isinstance(data, dict) or "cells" not in data or "programs" not in data:
        raise BadReport(f"{path}: not a `wasmc bench --json` report (no cells/programs)")
    if data.get("quick"):
        raise BadReport(f"{path}: a --quick run; its times mean nothing")
    return data


def _cells(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["program"], c["engine"]): c for c in data["cells"]}


def _args(data: dict[str, Any]) -> dict[str, list[str]]:
    return {p["name"]: list(p.get("args", [])) for p in data["programs"]}


def compare(old: dict[str, Any], new: dict[str, Any], *,
            engines: tuple[str, ...] | None = DEFAULT_ENGINES,
            threshold: float = DEFAULT_THRESHOLD) -> list[Finding]:
    """One finding per program and engine of the new run (restricted to `engines`; None:
    every non-native engine), in the new run's order."""
    old_cells, new_cells = _cells(old), _cells(new)
    old_args, new_args = _args(old), _args(new)
    native = {e["name"] for e in new.get("engines", []) if e["name"].startswith("native-")}
    findings = []
    for p in new["programs"]:
        name = p["name"]
        for e in new.get("engines", []):
            engine = e["name"]
            if engine in native or (engines is not None and engine not in engines):
                continue
            cell = new_cells.get((name, engine))
            if cell is None:
                continue
            before = old_cells.get((name, engine))
            new_ratio = cell.get("ratio")
            if before is None:
                findings.append(Finding(name, engine, None, new_ratio,
                                        "not compared: not in the recorded run"))
                continue
            if old_args.get(name) != new_args.get(name):
                findings.append(Finding(name, engine, before.get("ratio"), new_ratio,
                                        f"not compared: arguments {old_args.get(name)} -> "
                                        f"{new_args.get(name)}"))
                continue
            old_ratio = before.get("ratio")
            if cell.get("status") != "ok" and before.get("status") == "ok":
                findings.append(Finding(name, engine, old_ratio, None,
                                        f"now failing: {cell.get('reason')}"))
            elif old_ratio is None or new_ratio is None:
                findings.append(Finding(name, engine, old_ratio, new_ratio,
                                        "not compared: no time in one of the runs"))
            elif new_ratio > old_ratio * (1 + threshold):
                same_code = (cell.get("build_sha256") is not None
                             and cell.get("build_sha256") == before.get("build_sha256"))
                findings.append(Finding(name, engine, old_ratio, new_ratio,
                                        SAME_EXECUTABLE if same_code else "slower"))
            elif new_ratio < old_ratio * (1 - threshold):
                findings.append(Finding(name, engine, old_ratio, new_ratio, "faster"))
            else:
                findings.append(Finding(name, engine, old_ratio, new_ratio, "same"))
    return findings


def other_machine(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """A warning when the two runs come from different CPUs (their `Model name`)."""
    before = old.get("machine", {}).get("Model name")
    now = new.get("machine", {}).get("Model name")
    if not before or not now or before == now:
        return None
    return (f"note: the recorded run is from another CPU ({before}; this run: {now}). On "
            "another CPU the ratios move by themselves (docs/performance.md, \"A new "
            "machine\"): before believing a flag, run the old code beside the new on this "
            "machine (scripts/ab_bench.py), or record a run of the old code here as the "
            "baseline.")


def regressions(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.note == "slower" or f.note.startswith("now failing")]


def format_findings(findings: list[Finding], threshold: float) -> str:
    def ratio(r: float | None) -> str:
        return f"{r:.2f}x" if r is not None else "-"

    lines = []
    for f in findings:
        change = f" ({f.change:+.0%})" if f.change is not None else ""
        lines.append(f"{f.program:20} {f.engine:12} {ratio(f.old_ratio):>7} -> "
                     f"{ratio(f.new_ratio):>7}{change:9} {f.note}")
    bad = regressions(findings)
    machine = [f for f in findings if f.note == SAME_EXECUTABLE]
    if machine:
        lines.append(f"{len(machine)} more than {threshold:.0%} slower with the recorded run's "
                     "executable (not counted): "
                     + ", ".join(f"{f.program} on {f.engine}" for f in machine))
    if bad:
        lines.append(f"REGRESSION: {len(bad)} more than {threshold:.0%} slower (or failing): "
                     + ", ".join(f"{f.program} on {f.engine}" for f in bad))
    else:
        lines.append(f"ok: no program more than {threshold:.0%} slower")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve()
    default_baseline = next((p / "docs" / "performance.json" for p in here.parents
                             if (p / "docs" / "performance.json").is_file()), None)
    parser = argparse.ArgumentParser(
        prog="bench_check",
        description="Compare a `wasmc bench --json` run with the recorded one and name every "
                    "program that got more than THRESHOLD slower, as a ratio to the fastest "
                    "native build of the same run (so machine speed cancels out). Exit "
                    "status 1 if any did (or now fails), 2 if a file is unusable.")
    parser.add_argument("new", help="the JSON of the new run (wasmc bench --json FILE)")
    parser.add_argument("--baseline", default=default_baseline,
                        help="the recorded run (default: docs/performance.json)")
    parser.add_argument("--engines", default=",".join(DEFAULT_ENGINES),
                        help="comma-separated engines to check, or 'all' (default: "
                             "%(default)s)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help="relative slow-down that counts (default: %(default)s = 10 %%)")
    args = parser.parse_args(argv)
    if args.baseline is None:
        print("bench_check: no docs/performance.json found; give --baseline", file=sys.stderr)
        return 2
    engines = None if args.engines == "all" else tuple(
        e.strip() for e in args.engines.split(",") if e.strip())
    try:
        old, new = load(args.baseline), load(args.new)
    except BadReport as e:
        print(f"bench_check: {e}", file=sys.stderr)
        return 2
    findings = compare(old, new, engines=engines, threshold=args.threshold)
    warning = other_machine(old, new)
    if warning:
        print(warning)
    print(format_findings(findings, args.threshold))
    return 1 if regressions(findings) else 0

"""Regenerate docs/spec-status.md: every core .wast file, passed/failed with clang and gcc.

    python -m wasmc.spec.status [-j N] [-O N] [--out docs/spec-status.md] [--group NAME]
                                [--extra-group NAME] [--extra-opt N] [--json-dir DIR]

Runs every core file of the testsuite (all files at its root plus the groups' files in
subfolders) once per compiler, then writes a Markdown table with the group of each file,
totals per group, the testsuite commit and the date. `--group` limits the run (and the
table) to some groups, for a quick look. The files of `--extra-group` (default
A:wasm2-nosimd, the group that must pass completely; none with `--group`) are then run
again at `--extra-opt` (default -O2) with every compiler, and get a section of their own:
the optimizer is where trap-deletion bugs show. `--json-dir` keeps every run's per-command
results.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import wasmc
from wasmc.spec import runner, testsuite

UNGROUPED = "(no group)"


def default_out() -> Path:
    """docs/spec-status.md in the source checkout, else in the current directory."""
    root = testsuite.repo_root()
    base = root if (root / "pyproject.toml").is_file() else Path.cwd()
    return base / "docs" / "spec-status.md"


@dataclass(frozen=True)
class Compiler:
    label: str  # column title
    cc: str | None  # --cc value; None is wasmc's default (the bundled zig clang)


COMPILERS = (Compiler("clang", None), Compiler("gcc", "gcc"))
EXTRA_GROUP = "A:wasm2-nosimd"  # must pass completely, so it is also run optimized
EXTRA_OPT = 2


def collect(
    files: Sequence[Path],
    compilers: Sequence[Compiler],
    *,
    opt: int,
    jobs: int | None,
    json_dir: Path | None = None,
    json_name: str = "all",
) -> dict[str, dict[str, runner.FileResult]]:
    """{compiler label: {file name: result}}, printing progress to stderr. With `json_dir`,
    each compiler's results go to `<json_dir>/<json_name>-<label>-O<opt>.json`."""
    results: dict[str, dict[str, runner.FileResult]] = {}
    for compiler in compilers:
        print(f"== {compiler.label} -O{opt} ==", file=sys.stderr, flush=True)
        done = runner.report(
            runner.run_files(files, cc=compiler.cc, opt=opt, jobs=jobs), sys.stderr
        )
        results[compiler.label] = {r.name: r for r in done}
        if json_dir is not None:
            json_dir.mkdir(parents=True, exist_ok=True)
            path = json_dir / f"{json_name}-{compiler.label}-O{opt}.json"
            runner.write_json(path, done, cc=compiler.cc, opt=opt)
    return results


def render(
    files: Sequence[Path],
    results: dict[str, dict[str, runner.FileResult]],
    *,
    commit: str,
    date: str,
    opt: int,
    extra: ExtraRun | None = None,
) -> str:
    """The Markdown page."""
    groups = testsuite.file_groups()
    labels = list(results)
    names = [runner.display_name(p) for p in files]
    group_of = {name: groups.get(name.removesuffix(".wast"), UNGROUPED) for name in names}
    group_order = [*testsuite.read_groups(), UNGROUPED]

    def cells(name: str) -> list[str]:
        out = []
        for label in labels:
            r = results[label].get(name)
            out += ["", ""] if r is None else [str(r.passed), _failed_cell(r)]
        return out

    head = ["| file | group |", "|---|---|"]
    group_head = ["| group | files |", "|---|---:|"]
    for label in labels:
        head[0] += f" {label} passed | {label} failed |"
        head[1] += "---:|---:|"
        group_head[0] += f" {label} passed | {label} failed |"
        group_head[1] += "---:|---:|"

    group_rows = []
    totals = {label: [0, 0] for label in labels}
    for group in group_order:
        members = [n for n in names if group_of[n] == group]
        if not members:
            continue
        row = [f"`{group}`", str(len(members))]
        for label in labels:
            passed = sum(results[label][n].passed for n in members if n in results[label])
            failed = sum(results[label][n].failed for n in members if n in results[label])
            totals[label][0] += passed
            totals[label][1] += failed
            row += [str(passed), str(failed)]
        group_rows.append("| " + " | ".join(row) + " |")
    total_row = ["**total**", str(len(names))]
    for label in labels:
        total_row += [f"**{totals[label][0]}**", f"**{totals[label][1]}**"]
    group_rows.append("| " + " | ".join(total_row) + " |")

    file_rows = [
        "| " + " | ".join([name, f"`{group_of[name]}`", *cells(name)]) + " |"
        for name in sorted(names, key=lambda n: (group_order.index(group_of[n]), n))
    ]
    compilers = ", ".join(
        f"{c.label} (`{c.cc or 'default: python -m ziglang cc'}`)"
        for c in COMPILERS
        if c.label in labels
    )
    lines = [
        "# Spec testsuite status",
        "",
        "Generated by `python -m wasmc.spec.status`; do not edit by hand.",
        "",
        f"- testsuite commit: `{commit}`",
        f"- date: {date}",
        f"- wasmc {wasmc.__version__}, C compilers: {compilers}, `-O{opt}`",
        "- counts are spec commands (module, assert_return, assert_trap, ...) per .wast file;",
        "  a file whose process died or timed out counts its remaining commands as failed.",
        *(
            [f"- `{extra.group}` is also run at `-O{extra.opt}` with every compiler (its section)."]
            if extra
            else []
        ),
        "",
        "## Per group",
        "",
        *group_head,
        *group_rows,
        "",
        *(render_extra(extra) if extra else []),
        "## Per file",
        "",
        *head,
        *file_rows,
        "",
    ]
    return "\n".join(lines)


@dataclass
class ExtraRun:
    """One group run again at another optimization level, with every compiler."""

    group: str
    opt: int
    results: dict[str, dict[str, runner.FileResult]]  # {compiler label: {file: result}}


def render_extra(extra: ExtraRun) -> list[str]:
    """The section of the extra run: totals per compiler, then every file that failed."""
    labels = list(extra.results)
    lines = [
        f"## `{extra.group}` at `-O{extra.opt}`",
        "",
        "| compiler | files | passed | failed |",
        "|---|---:|---:|---:|",
    ]
    for label in labels:
        done = extra.results[label].values()
        passed = sum(r.passed for r in done)
        failed = sum(r.failed for r in done)
        lines.append(f"| {label} | {len(done)} | {passed} | {failed} |")
    failing = sorted({n for label in labels for n, r in extra.results[label].items() if r.failed})
    lines.append("")
    if not failing:
        lines += ["Every command of every file passed with every compiler.", ""]
        return lines
    lines += [
        "Files with failures:",
        "",
        "| file | " + " | ".join(f"{label} passed | {label} failed" for label in labels) + " |",
        "|---|" + "---:|---:|" * len(labels),
    ]
    for name in failing:
        row = [name]
        for label in labels:
            r = extra.results[label].get(name)
            row += ["", ""] if r is None else [str(r.passed), _failed_cell(r)]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    return lines


def _failed_cell(result: runner.FileResult) -> str:
    if result.error and result.failed:
        return f"{result.failed} ({result.error.split(':')[0]})"
    return str(result.failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m wasmc.spec.status",
        description="Run every core spec file with clang and gcc; write the status table.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="Markdown file to write (default: docs/spec-status.md in the checkout)",
    )
    parser.add_argument(
        "--group", action="append", default=[], help="only this GROUPS.txt group (repeatable)"
    )
    parser.add_argument(
        "--compiler",
        action="append",
        choices=[c.label for c in COMPILERS],
        help="only this compiler (repeatable; default: all)",
    )
    parser.add_argument("-O", dest="opt", type=int, choices=range(4), default=runner.DEFAULT_OPT)
    parser.add_argument("-j", "--jobs", type=int, default=None, help="scripts at once")
    parser.add_argument(
        "--extra-group",
        default=None,
        metavar="NAME",
        help=f"also run this group at --extra-opt with every compiler (default: {EXTRA_GROUP},"
        " or none with --group; 'none' for no extra run)",
    )
    parser.add_argument(
        "--extra-opt",
        type=int,
        choices=range(4),
        default=EXTRA_OPT,
        metavar="N",
        help=f"optimization level of the extra run (default: {EXTRA_OPT})",
    )
    parser.add_argument(
        "--json-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write each run's per-command results to DIR/<run>-<compiler>-O<N>.json",
    )
    ns = parser.parse_args(argv)

    if ns.group:
        files = [f for group in ns.group for f in testsuite.group_files(group)]
    else:
        files = testsuite.core_files()
    compilers = [c for c in COMPILERS if not ns.compiler or c.label in ns.compiler]
    results = collect(files, compilers, opt=ns.opt, jobs=ns.jobs, json_dir=ns.json_dir)
    extra = None
    extra_group = ns.extra_group or ("none" if ns.group else EXTRA_GROUP)
    if extra_group != "none":
        extra_files = testsuite.group_files(extra_group)
        extra = ExtraRun(
            extra_group,
            ns.extra_opt,
            collect(
                extra_files,
                compilers,
                opt=ns.extra_opt,
                jobs=ns.jobs,
                json_dir=ns.json_dir,
                json_name=extra_group.split(":")[0],
            ),
        )
    page = render(
        files,
        results,
        commit=testsuite.testsuite_commit(),
        date=datetime.datetime.now(datetime.UTC).date().isoformat(),
        opt=ns.opt,
        extra=extra,
    )
    out: Path = ns.out or default_out()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

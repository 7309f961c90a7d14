"""`wasmc bench`: the command line of the performance oracle."""

from __future__ import annotations

import argparse
import fnmatch
import sys

from rich.console import Console

from wasmc.bench.engines import ENGINES, engine_names
from wasmc.bench.programs import PROGRAMS, program_names

DESCRIPTION = """\
Build the benchmark programs (bench/programs/, C) natively with clang and GCC and to
wasm32-wasi, run the .wasm on every engine, check every output against the native one, and
time the run phase (CPU time, user + system): the median of --runs runs, as a ratio to the
fastest native build (compile time is reported apart). An engine that cannot build or run
a program is shown as failed, with the reason. Builds are cached under wasmc's cache
directory. Under the table, each wasmc engine against the other Wasm engines: the programs
where it is faster than every one, slower than one, or too close to call (runs paired by
round, Wilcoxon signed-rank test at 5 %%; with 5 runs nothing is called: use --runs 7).

engines:  %(engines)s
programs: %(programs)s
"""

EPILOG = """\
examples:
  wasmc bench                                   everything, 5 runs each
  wasmc bench --quick                           tiny sizes: does everything build and agree?
  wasmc bench --programs 'uxn-*' --engines native-clang,wasmtime,v8
  wasmc bench --json out.json --chart docs/bench   (writes docs/bench.svg and .png)
"""


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "bench",
        help="the performance oracle: benchmark programs on native builds and Wasm engines",
        description=DESCRIPTION % {"engines": ", ".join(engine_names()),
                                   "programs": ", ".join(program_names())},
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--engines", metavar="LIST", default=None,
                   help="comma-separated engines (default: all). Native builds are the "
                        "reference, so they are always included")
    p.add_argument("--programs", metavar="LIST", default=None,
                   help="comma-separated programs; shell patterns allowed ('uxn-*') "
                        "(default: all)")
    p.add_argument("--runs", type=int, default=None, metavar="N",
                   help="timed runs per program and engine; the median is reported "
                        "(default: 5, or 1 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="tiny problem sizes: checks that everything builds and agrees with "
                        "native; the times mean nothing")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--chart", metavar="PREFIX",
                   help="also write the chart as PREFIX.svg and PREFIX.png (needs matplotlib)")
    p.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="fail a run that takes longer than S seconds (default: 300)")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="parallel builds (default: 2, at most the CPU count); runs are "
                        "always one at a time")
    p.add_argument("--no-cache", action="store_true",
                   help="rebuild everything instead of using cached builds")
    p.add_argument("--list", action="store_true", help="list the programs and engines and exit")
    p.add_argument("-v", "--verbose", action="store_true", help="show every build and run")


def _select_programs(spec: str | None) -> list:
    if spec is None:
        return list(PROGRAMS)
    chosen = []
    for pattern in _split(spec):
        matches = [p for p in PROGRAMS if fnmatch.fnmatchcase(p.name, pattern)]
        if not matches:
            raise ValueError(f"no program matches {pattern!r} "
                             f"(programs: {', '.join(program_names())})")
        chosen += [p for p in matches if p not in chosen]
    return chosen


def _select_engines(spec: str | None) -> list:
    if spec is None:
        return list(ENGINES)
    names = _split(spec)
    unknown = [n for n in names if n not in engine_names()]
    if unknown:
        raise ValueError(f"unknown engine {unknown[0]!r} (engines: {', '.join(engine_names())})")
    # The native builds are the reference for outputs and ratios.
    return [e for e in ENGINES if e.name in names or e.native]


def main(args: argparse.Namespace) -> int:
    from wasmc.bench import report as rep
    from wasmc.bench.runner import run_bench

    console = Console(stderr=True)
    if args.list:
        out = Console()
        out.print("programs:")
        for prog in PROGRAMS:
            out.print(f"  {prog.name:20} {prog.description}  (args: {' '.join(prog.args)})",
                      highlight=False)
        out.print("engines:")
        for engine in ENGINES:
            out.print(f"  {engine.name:20} {engine.label}", highlight=False)
        return 0
    try:
        programs = _select_programs(args.programs)
        engines = _select_engines(args.engines)
    except ValueError as e:
        console.print(f"wasmc bench: {e}", highlight=False)
        return 2
    runs = args.runs if args.runs is not None else (1 if args.quick else 5)
    if runs < 1:
        console.print("wasmc bench: --runs must be at least 1")
        return 2

    with console.status("building...") as status:
        def progress(message: str) -> None:
            status.update(message)
            if args.verbose:
                console.print(message, highlight=False)

        report = run_bench(programs, engines, runs=runs, quick=args.quick,
                           timeout=args.timeout, jobs=args.jobs,
                           use_cache=not args.no_cache, progress=progress)
    out = Console() if sys.stdout.isatty() else Console(width=200)
    rep.print_table(report, out)
    if args.json:
        rep.write_json(report, args.json)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(rep.markdown_table(report))
    if args.chart:
        try:
            for path in rep.write_chart(report, args.chart):
                console.print(f"wrote {path}", highlight=False)
        except ImportError:
            console.print("wasmc bench: --chart needs matplotlib (pip install 'wasmc[bench]')")
            return 2
    # Wrong output is an error; an engine that cannot run a program is a reported fact.
    return 1 if any(c.status == "mismatch" for c in report.cells) else 0


def standalone(argv: list[str] | None = None) -> int:
    """`python -m wasmc.bench`: the same command without the rest of wasmc's CLI."""
    parser = argparse.ArgumentParser(prog="wasmc")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(["bench", *(sys.argv[1:] if argv is None else argv)])
    return main(args)

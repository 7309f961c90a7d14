"""The fuzzers' command line (run it as `python scripts/fuzz.py`).

    diff       random valid modules, wasmc against Wasmtime
    malformed  mutated and random bytes: only clean errors allowed
    check      compare given modules (.wasm/.wat) under both engines; with --signature, exit
               0 exactly when that finding reproduces (a predicate for `wasm-tools shrink`)
    reduce     shrink a finding with `wasm-tools shrink` and print it as .wat
    save       write a module as a regression test (tests/regressions/)
    limits     time the hostile inputs at wasmc's implementation limits (reports numbers)

Exit status: 0 nothing found, 1 findings, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from . import tools


def _default_out(kind: str, seed: int) -> Path:
    return Path(tempfile.gettempdir()) / "wasmc-fuzz" / f"{kind}-seed{seed}"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cc", default=None, help="C compiler (default: wasmc's, zig cc)")
    p.add_argument("-O", "--opt", type=int, default=0, choices=range(4),
                   help="C optimization level (default 0)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fuzz.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    d = sub.add_parser("diff", help="differential fuzzing against Wasmtime")
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--count", type=int, default=1000)
    d.add_argument("--start", type=int, default=0, help="first module index (default 0)")
    d.add_argument("--batch", type=int, default=100, help="modules per C build (default 100)")
    d.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    d.add_argument("--calls", type=int, default=2, help="calls per exported function")
    d.add_argument("--fuel", type=int, default=tools.DEFAULT_FUEL,
                   help="wasm-smith fuel: loop iterations and calls per instance")
    d.add_argument("--out", type=Path, default=None,
                   help="where findings go (default: $TMPDIR/wasmc-fuzz/diff-seedS)")
    d.add_argument("--keep", action="store_true", help="keep the batch directories")
    d.add_argument("--exceptions", action="store_true",
                   help="enable exception handling in the generator (modules eh:S:i; "
                        "default output $TMPDIR/wasmc-fuzz/diff-eh-seedS)")
    d.add_argument("--simd", action="store_true",
                   help="enable SIMD and relaxed SIMD in the generator (modules simd:S:i; "
                        "default output $TMPDIR/wasmc-fuzz/diff-simd-seedS)")
    d.add_argument("--threads", action="store_true",
                   help="enable the threads proposal in the generator: shared memories, "
                        "atomics, wait, notify (modules threads:S:i; default output "
                        "$TMPDIR/wasmc-fuzz/diff-threads-seedS)")
    d.add_argument("--reduce", action="store_true",
                   help="shrink the first module of every signature (wasm-tools shrink)")
    _common(d)

    m = sub.add_parser("malformed", help="mutated/random bytes: only clean errors allowed")
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--count", type=int, default=10000)
    m.add_argument("--start", type=int, default=0)
    m.add_argument("--batch", type=int, default=500, help="cases per worker process")
    m.add_argument("--workers", type=int, default=2)
    m.add_argument("--out", type=Path, default=None)
    m.add_argument("--no-compile", action="store_true",
                   help="skip the C compile of the mutants that validate")
    m.add_argument("--cli-every", type=int, default=100,
                   help="also run every Nth case through `wasmc compile` (0: never)")
    _common(m)

    c = sub.add_parser("check", help="compare given modules under wasmc and Wasmtime")
    c.add_argument("modules", nargs="+", type=Path)
    c.add_argument("--exact-nans", action="store_true",
                   help="compare NaN bits too (only for modules made with canonical NaNs)")
    c.add_argument("--signature", default=None,
                   help="exit 0 iff the (first) module gives a finding with this signature")
    c.add_argument("--calls", type=int, default=2)
    c.add_argument("-v", "--verbose", action="store_true")
    _common(c)

    r = sub.add_parser("reduce", help="shrink a module that gives a finding")
    r.add_argument("module", type=Path)
    r.add_argument("--signature", default=None,
                   help="the finding to keep (default: the module's first finding)")
    r.add_argument("--exact-nans", action="store_true")
    r.add_argument("--attempts", type=int, default=300)
    r.add_argument("-o", "--output", type=Path, default=None, help="the reduced .wasm")
    _common(r)

    s = sub.add_parser("save", help="write a module as a regression test (tests/regressions/)")
    s.add_argument("module", type=Path)
    s.add_argument("--name", required=True, help="file name, without .wat")
    s.add_argument("--title", required=True, help="one line: what goes wrong")
    s.add_argument("--found-by", default="python scripts/fuzz.py diff", help="how it was found")
    s.add_argument("--exact-nans", action="store_true")
    s.add_argument("--status", default="open", choices=("open", "fixed"))
    s.add_argument("--signature", action="append", default=[],
                   help="a finding signature this bug causes (repeatable; default: the "
                        "module's own finding)")
    _common(s)

    sub.add_parser("limits", help="how long each hostile input of tests/fuzz/limits.py takes "
                                  "to translate, and its peak allocation")
    return parser


def main(argv: list[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    if ns.command == "diff":
        return _diff(ns)
    if ns.command == "malformed":
        return _malformed(ns)
    if ns.command == "check":
        return _check(ns)
    if ns.command == "reduce":
        return _reduce(ns)
    if ns.command == "save":
        return _save(ns)
    if ns.command == "limits":
        from .limits import report

        for line in report():
            _print(line)
        return 0
    return 2


def _print(line: str) -> None:
    print(line, flush=True)


def _diff(ns: argparse.Namespace) -> int:
    from .differential import run_diff, run_prefix

    if ns.simd and (problem := tools.relaxed_simd_host_problem()):
        _print(f"warning: {problem}; expect relaxed-SIMD mismatches")
    prefix = run_prefix(ns.exceptions, ns.simd, ns.threads).rstrip(":")
    out = ns.out or _default_out(f"diff-{prefix}" if prefix else "diff", ns.seed)
    _print(f"differential fuzzing: seed {ns.seed}, modules {ns.start}..{ns.start + ns.count - 1}, "
           f"batches of {ns.batch}, {ns.workers} workers, -O{ns.opt}"
           f"{', exceptions enabled' if ns.exceptions else ''}"
           f"{', SIMD enabled' if ns.simd else ''}"
           f"{', threads enabled' if ns.threads else ''}; findings in {out}")
    summary = run_diff(seed=ns.seed, count=ns.count, start=ns.start, batch=ns.batch,
                       workers=ns.workers, out=out, cc=ns.cc, opt=ns.opt, calls=ns.calls,
                       fuel=ns.fuel, keep=ns.keep, exceptions=ns.exceptions, simd=ns.simd,
                       threads=ns.threads, progress=_print)
    for line in summary.lines():
        _print(line)
    if summary.findings and ns.reduce:
        from .reduce import reduce_module

        seen = set()
        for f in summary.findings:
            if f.signature in seen:
                continue
            seen.add(f.signature)
            target = Path(f.wasm).with_suffix(".reduced.wasm")
            _print(f"reducing {f.id} ({f.signature}) ...")
            wat = reduce_module(Path(f.wasm), f.signature, target, exact_nans=f.exact_nans,
                                cc=ns.cc, opt=ns.opt)
            _print(f"  -> {target.with_suffix('.wat')} ({len(wat.splitlines())} lines)")
    return 1 if summary.findings else 0


def _malformed(ns: argparse.Namespace) -> int:
    from .malformed import run_malformed

    out = ns.out or _default_out("malformed", ns.seed)
    _print(f"malformed-input fuzzing: seed {ns.seed}, cases {ns.start}..{ns.start + ns.count - 1}"
           f", {ns.workers} workers; findings in {out}")
    summary = run_malformed(seed=ns.seed, count=ns.count, start=ns.start, batch=ns.batch,
                            workers=ns.workers, out=out, cc=ns.cc, opt=ns.opt,
                            compile_c=not ns.no_compile, cli_every=ns.cli_every,
                            progress=_print)
    for line in summary.lines():
        _print(line)
    return 1 if summary.findings else 0


def _check(ns: argparse.Namespace) -> int:
    from .differential import check_files

    # A crash or a hang needs a child process to be seen; other findings are quicker to
    # reproduce in this one (this is the predicate `reduce` runs for every attempt).
    isolated = ns.signature is None or ns.signature.startswith(("crash", "hang", "batch"))
    with tempfile.TemporaryDirectory(prefix="wasmc-fuzz-check-") as tmp:
        result = check_files(ns.modules, Path(tmp), exact_nans=ns.exact_nans, cc=ns.cc,
                             opt=ns.opt, calls=ns.calls, isolated=isolated)
    if ns.signature is not None:
        return 0 if any(f.signature == ns.signature for f in result.findings) else 1
    for f in result.findings:
        _print(f"{f.id}: {f.signature}\n  {f.detail.strip()[:2000]}")
        if ns.verbose:
            for line in f.transcript:
                _print(f"    wasmtime: {line}")
    for case_id, status, detail in result.unjudged:
        _print(f"{case_id}: {status}: {detail.strip()[:2000]}")
    _print(", ".join(f"{n} {s}" for s, n in sorted(result.statuses.items()))
           + f"; {result.calls} calls compared, {result.thrown} ended in an uncaught "
             f"exception, {result.exnref_calls} with exnref in their signature, "
             f"{result.v128_calls} with v128")
    return 1 if result.findings else 0


def _reduce(ns: argparse.Namespace) -> int:
    from .differential import check_files
    from .reduce import reduce_module

    signature = ns.signature
    if signature is None:
        with tempfile.TemporaryDirectory(prefix="wasmc-fuzz-check-") as tmp:
            result = check_files([ns.module], Path(tmp), exact_nans=ns.exact_nans, cc=ns.cc,
                                 opt=ns.opt)
        if not result.findings:
            _print("no finding to reduce: wasmc and Wasmtime agree on this module")
            return 1
        signature = result.findings[0].signature
    output = ns.output or ns.module.with_suffix(".reduced.wasm")
    _print(f"reducing {ns.module} keeping {signature!r} ...")
    wat = reduce_module(ns.module, signature, output, exact_nans=ns.exact_nans, cc=ns.cc,
                        opt=ns.opt, attempts=ns.attempts)
    _print(wat)
    return 0


def _save(ns: argparse.Namespace) -> int:
    from .differential import check_files
    from .reduce import REGRESSIONS_DIR, regression_text

    with tempfile.TemporaryDirectory(prefix="wasmc-fuzz-check-") as tmp:
        result = check_files([ns.module], Path(tmp), exact_nans=ns.exact_nans, cc=ns.cc,
                             opt=ns.opt)
    if result.findings:
        f = result.findings[0]
        wasmc_result = f"{f.signature}\n{f.detail.strip()}"
    else:
        wasmc_result = "agrees with Wasmtime"
    data = ns.module.read_bytes()
    own_text = None
    if data[:4] != b"\0asm":
        own_text = data.decode()
        data = tools.parse_wat(ns.module)
    signatures = ns.signature or [f.signature for f in result.findings[:1]]
    text = regression_text(data, title=ns.title, found_by=ns.found_by,
                           wasmc_result=wasmc_result, exact_nans=ns.exact_nans,
                           status=ns.status, signatures=signatures, text=own_text,
                           opt=ns.opt)
    target = REGRESSIONS_DIR / f"{ns.name}.wat"
    target.write_text(text)
    _print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

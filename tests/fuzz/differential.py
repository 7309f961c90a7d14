"""The differential fuzzer: random valid modules, run under wasmc and under Wasmtime.

Module `i` of a run with seed `S` is wasm-smith's output for input bytes derived from
(S, i) (see tools.generate), so `S:i` names a module on every machine. Modules are handled
in batches: a child process generates a batch, compiles it into one library (one C file per
module, see build.py), then runs every module under both engines in lockstep
(engines.compare_module). The parent watches each child: a crash or a hang is pinned to the
module (and call) it happened in, recorded as a finding, and the child restarts after it.

Run as a child: `python -m fuzz.differential BATCH_DIR` (BATCH_DIR/spec.json says what to
do). Everything else is driven from cli.py.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import procs, tools
from .build import C_COMPILE_TIMEOUT, BuildFailure
from .engines import WASMTIME_HANG

CALL_TIMEOUT = 60.0  # seconds of silence while running a module before it counts as a hang
BUILD_TIMEOUT = C_COMPILE_TIMEOUT + 300.0

# statuses of a module
SAME = "same"
INCONCLUSIVE = "inconclusive"
SKIPPED = "skipped"  # Wasmtime rejected the module (not a module we can judge)
FINDING = "finding"

# What NaN bits can reach through integers (see judge)
NAN_SENSITIVE_ASPECTS = ("result", "global", "memory", "table")


@dataclass
class Case:
    """One module to run. Generated cases carry (seed, index); files carry a path."""

    id: str
    path: str
    exact_nans: bool
    seed: int | None = None
    index: int | None = None
    exceptions: bool = False  # generated with exception handling enabled
    simd: bool = False  # generated with SIMD and relaxed SIMD enabled
    threads: bool = False  # generated with the threads proposal enabled


@dataclass
class Finding:
    id: str
    signature: str  # what went wrong, without names and numbers: one per bug, roughly
    detail: str
    wasm: str  # path of the module
    exact_nans: bool
    transcript: list[str] = field(default_factory=list)  # what Wasmtime did

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class BatchResult:
    statuses: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)  # why modules were inconclusive
    calls: int = 0
    thrown: int = 0  # calls (and instantiations) that ended in an uncaught exception
    exnref_calls: int = 0  # calls of functions with exnref in their signature
    v128_calls: int = 0  # calls of functions with v128 in their signature
    findings: list[Finding] = field(default_factory=list)
    build_seconds: float = 0.0
    # (case id, status, detail) of every module neither same nor a finding
    unjudged: list[tuple[str, str, str]] = field(default_factory=list)


# ---- the child ---------------------------------------------------------------------------

def judge(case: Case, data: bytes, compiled: Any, engine: Any, calls: int,
          before_call: Callable[[str, int, str], None] | None = None) -> dict:
    """The verdict on one module (CompiledModule or BuildFailure `compiled`): a dict with
    status, and signature/detail/transcript/calls as they apply."""
    import wasmtime

    from .engines import WasmcSide, WasmtimeSide, compare_module

    try:
        module = wasmtime.Module(engine, data)
    except wasmtime.WasmtimeError as err:
        return {"status": SKIPPED, "detail": f"wasmtime rejects it: {str(err).splitlines()[0]}"}
    if isinstance(compiled, BuildFailure):
        # (no transcript: what Wasmtime does is worked out when the module is saved as a
        # regression test, see reduce.regression_text)
        return {"status": FINDING, "signature": compiled.signature(),
                "detail": f"{compiled.message}\n{compiled.detail}".strip()}
    try:
        comparison = compare_module(WasmtimeSide(engine, module), WasmcSide(compiled),
                                    exact_nans=case.exact_nans, calls_per_export=calls,
                                    before_call=before_call, wasm=data)
    except Exception as exc:  # noqa: BLE001 - a Python exception while running is a finding
        return {"status": FINDING, "signature": f"exception while running: {type(exc).__name__}",
                "detail": traceback.format_exc()}
    done: dict = {"calls": comparison.calls, "thrown": comparison.thrown,
                  "exnref_calls": comparison.exnref_calls, "v128_calls": comparison.v128_calls,
                  "transcript": comparison.transcript, "detail": comparison.detail}
    if comparison.status == "mismatch":
        signature = f"mismatch: {comparison.aspect}"
        if not case.exact_nans and comparison.aspect in NAN_SENSITIVE_ASPECTS:
            # A NaN's bits may legitimately differ, and once a reinterpret has turned them
            # into an integer (then xor-ed into a global, say) nothing says it was a NaN.
            # Such findings need a look before they count as bugs (docs/fuzzing.md).
            signature = f"mismatch, raw NaNs: {comparison.aspect}"
        done.update(status=FINDING, signature=signature)
    else:
        done.update(status=comparison.status)
        if comparison.status == INCONCLUSIVE:
            done.update(reason=comparison.reason)
    return done


def _child(batch_dir: Path) -> None:
    import time

    from .build import build_batch

    spec = json.loads((batch_dir / "spec.json").read_text())
    cases = [Case(**c) for c in spec["cases"]]
    skip = set(spec.get("skip", []))
    procs.emit({"event": "timeout", "seconds": BUILD_TIMEOUT})
    sources = []
    for case in cases:
        path = Path(case.path)
        if not path.exists():
            assert case.seed is not None and case.index is not None
            data = tools.generate(case.seed, case.index, spec.get("fuel", tools.DEFAULT_FUEL),
                                  exceptions=case.exceptions, simd=case.simd,
                                  threads=case.threads)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        sources.append(path.read_bytes())
    started = time.monotonic()
    built = build_batch(sources, batch_dir / "build", cc=spec.get("cc"), opt=spec["opt"],
                        jobs=spec.get("jobs", 1), reuse=bool(skip))
    procs.emit({"event": "built", "seconds": time.monotonic() - started})
    procs.emit({"event": "timeout", "seconds": CALL_TIMEOUT})

    engine = tools.reference_engine()
    for k, (case, data, compiled) in enumerate(zip(cases, sources, built, strict=True)):
        if k in skip:
            continue
        procs.emit({"event": "start", "k": k})

        def before_call(name: str, call: int, side: str, k: int = k) -> None:
            procs.emit({"event": "call", "k": k, "export": name, "call": call,
                        "engine": side})

        done = {"event": "done", "k": k, **judge(case, data, compiled, engine, spec["calls"],
                                                 before_call)}
        procs.emit(done)


# ---- the parent --------------------------------------------------------------------------

def run_cases(cases: list[Case], batch_dir: Path, *, cc: str | None, opt: int, jobs: int,
              calls: int, fuel: int = tools.DEFAULT_FUEL,
              timeout: float = CALL_TIMEOUT) -> BatchResult:
    """Run one batch in child processes until every case has a verdict."""
    batch_dir.mkdir(parents=True, exist_ok=True)
    result = BatchResult()
    done: set[int] = set()
    state: dict = {"k": None, "call": None}

    def finding(k: int, signature: str, detail: str, transcript: list[str] | None = None) -> None:
        case = cases[k]
        result.findings.append(Finding(case.id, signature, detail, case.path, case.exact_nans,
                                       transcript or []))

    def on_event(event: dict) -> None:
        kind = event["event"]
        if kind == "start":
            state["k"], state["call"] = event["k"], None
        elif kind == "call":
            state["call"] = (event["export"], event["call"], event["engine"])
        elif kind == "built":
            result.build_seconds += event["seconds"]
        elif kind == "done":
            k = event["k"]
            done.add(k)
            state["k"] = None
            status = event["status"]
            result.statuses[status] += 1
            result.calls += event.get("calls", 0)
            result.thrown += event.get("thrown", 0)
            result.exnref_calls += event.get("exnref_calls", 0)
            result.v128_calls += event.get("v128_calls", 0)
            if status == INCONCLUSIVE:
                result.reasons[event.get("reason", "?")] += 1
            if status in (INCONCLUSIVE, SKIPPED):
                result.unjudged.append((cases[k].id, status, event.get("detail", "")))
            if status == FINDING:
                finding(k, event["signature"], event.get("detail", ""), event.get("transcript"))

    while len(done) < len(cases):
        spec = {"cases": [asdict(c) for c in cases], "skip": sorted(done), "cc": cc, "opt": opt,
                "jobs": jobs, "calls": calls, "fuel": fuel}
        (batch_dir / "spec.json").write_text(json.dumps(spec))
        state["k"] = None
        exit_ = procs.run_child("fuzz.differential", [str(batch_dir)], on_event,
                                timeout=timeout)
        if len(done) == len(cases):
            break
        k = state["k"]
        if k is None:
            # The child failed outside any module (generation, the build, the link):
            # every remaining case gets the failure, so that the run goes on.
            signature = "batch failure: " + exit_.describe()
            for k2 in range(len(cases)):
                if k2 not in done:
                    done.add(k2)
                    result.statuses[FINDING] += 1
                    finding(k2, signature, exit_.stderr)
            break
        done.add(k)
        where, engine = "", "wasmc"
        if state["call"] is not None:
            name, call, engine = state["call"]
            where = f" in call {call} of export {name!r} ({engine})"
        if exit_.timed_out and engine == "wasmtime":
            # the reference itself ran too long (a module doing huge amounts of work)
            result.statuses[INCONCLUSIVE] += 1
            result.reasons[WASMTIME_HANG] += 1
            result.unjudged.append((cases[k].id, INCONCLUSIVE, f"{WASMTIME_HANG}{where}"))
            continue
        result.statuses[FINDING] += 1
        what = "hang" if exit_.timed_out else "crash"
        finding(k, f"{what}: {exit_.describe()}", f"{exit_.describe()}{where}\n{exit_.stderr}")
    return result


@dataclass
class RunSummary:
    modules: int = 0
    statuses: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)  # why modules were inconclusive
    calls: int = 0
    thrown: int = 0  # calls (and instantiations) that ended in an uncaught exception
    exnref_calls: int = 0  # calls of functions with exnref in their signature
    v128_calls: int = 0  # calls of functions with v128 in their signature
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    build_seconds: float = 0.0
    # (case id, status, detail) of every module neither same nor a finding
    unjudged: list[tuple[str, str, str]] = field(default_factory=list)

    def signatures(self) -> Counter:
        return Counter(f.signature for f in self.findings)

    @property
    def same_share(self) -> float:
        """The share of the modules on which both engines agree all the way (0..1)."""
        return self.statuses.get(SAME, 0) / max(self.modules, 1)

    def lines(self) -> list[str]:
        rate = self.modules / max(self.seconds, 1e-9)
        out = [f"{self.modules} modules in {self.seconds:.0f} s ({rate:.1f} modules/s; "
               f"C compile {self.build_seconds:.0f} s summed over workers), "
               f"{self.calls} calls compared ({self.thrown} ended in an uncaught exception, "
               f"{self.exnref_calls} had exnref in their signature, {self.v128_calls} v128)",
               "outcomes: " + ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items()))
               + f" ({100 * self.same_share:.1f} % same)"]
        for reason, n in self.reasons.most_common():
            out.append(f"  inconclusive: {n:5d}  {reason}")
        for case_id, status, detail in sorted(self.unjudged)[:10]:
            first_line = detail.splitlines()[0][:150] if detail else ""
            out.append(f"    {case_id} ({status}): {first_line}")
        if self.findings:
            out.append(f"{len(self.findings)} findings, {len(self.signatures())} signatures:")
            for signature, n in self.signatures().most_common():
                first = next(f for f in self.findings if f.signature == signature)
                out.append(f"  {n:6d}  {signature}    e.g. {first.id} ({first.wasm})")
        else:
            out.append("no findings: wasmc and Wasmtime agree on every module")
        return out


def run_prefix(exceptions: bool, simd: bool, threads: bool = False) -> str:
    """How a run's module names start: "" for plain runs, else the generator's extras."""
    extras = [name for name, on in (("eh", exceptions), ("simd", simd), ("threads", threads))
              if on]
    return "-".join(extras) + ":" if extras else ""


def run_diff(*, seed: int, count: int, start: int = 0, batch: int = 100, workers: int = 2,
             out: Path, cc: str | None = None, opt: int = 0, calls: int = 2,
             fuel: int = tools.DEFAULT_FUEL, keep: bool = False, exceptions: bool = False,
             simd: bool = False, threads: bool = False,
             progress: Callable[[str], None] | None = None) -> RunSummary:
    """Generate and check modules start .. start+count-1 of run `seed` (with exception
    handling enabled in the generator, if `exceptions`: modules named `eh:S:i`; with SIMD
    and relaxed SIMD, if `simd`: `simd:S:i`; both: `eh-simd:S:i`; with threads:
    `threads:S:i`)."""
    import os

    out.mkdir(parents=True, exist_ok=True)
    findings_dir = out / "findings"
    findings_dir.mkdir(exist_ok=True)
    # compiler runs per worker: at least two, to hide their start-up time
    jobs = max(2, (os.cpu_count() or 1) // max(1, workers))
    summary = RunSummary()
    lock = threading.Lock()
    rate = procs.Rate()
    log = open(out / "findings.jsonl", "a", encoding="utf-8")

    def one_batch(first: int, n: int) -> None:
        prefix = run_prefix(exceptions, simd, threads)
        batch_dir = out / "batches" / f"{prefix.replace(':', '-')}{seed}-{first}"
        cases = []
        for i in range(first, first + n):
            profile = tools.profile_for(i)
            cases.append(Case(f"{prefix}{seed}:{i}", str(batch_dir / f"m{i}.wasm"),
                              profile.canonical_nans, seed, i, exceptions, simd, threads))
        result = run_cases(cases, batch_dir, cc=cc, opt=opt, jobs=jobs, calls=calls, fuel=fuel)
        for f in result.findings:
            saved = findings_dir / f"{f.id.replace(':', '-')}.wasm"
            shutil.copyfile(f.wasm, saved)
            f.wasm = str(saved)
        with lock:
            summary.modules += n
            summary.statuses.update(result.statuses)
            summary.reasons.update(result.reasons)
            summary.unjudged.extend(result.unjudged)
            summary.calls += result.calls
            summary.thrown += result.thrown
            summary.exnref_calls += result.exnref_calls
            summary.v128_calls += result.v128_calls
            summary.build_seconds += result.build_seconds
            summary.findings.extend(result.findings)
            for f in result.findings:
                log.write(json.dumps(f.to_json()) + "\n")
            log.flush()
            if progress is not None:
                progress(f"[{summary.modules}/{count}] {rate.elapsed():.0f} s, "
                         f"{rate.per_second(summary.modules):.1f} modules/s, "
                         f"{len(summary.findings)} findings "
                         f"({len(summary.signatures())} signatures)")
        if not keep:
            shutil.rmtree(batch_dir, ignore_errors=True)

    try:
        with ThreadPoolExecutor(max(1, workers)) as pool:
            futures = [pool.submit(one_batch, first, n)
                       for first, n in procs.chunks(start, count, batch)]
            for future in futures:
                future.result()
    finally:
        log.close()
    summary.seconds = rate.elapsed()
    summary.findings.sort(key=lambda f: (f.signature, int(f.id.split(":")[-1])
                                         if f.id.split(":")[-1].isdigit() else 0))
    return summary


def check_files(paths: list[Path], work: Path, *, exact_nans: bool, cc: str | None = None,
                opt: int = 0, calls: int = 2, isolated: bool = True) -> BatchResult:
    """Run given modules (.wasm or .wat) through the same comparison: in a child process
    (`isolated`, so that crashes and hangs are findings), or in this one (faster: for
    predicates of findings that are neither)."""
    work.mkdir(parents=True, exist_ok=True)
    cases = []
    for k, path in enumerate(paths):
        target = work / f"m{k}.wasm"
        data = path.read_bytes()
        if data[:4] != b"\0asm":
            data = tools.parse_wat(path)
        target.write_bytes(data)
        cases.append(Case(str(path), str(target), exact_nans))
    if isolated:
        return run_cases(cases, work / "batch", cc=cc, opt=opt, jobs=1, calls=calls)
    from .build import build_batch

    result = BatchResult()
    sources = [Path(c.path).read_bytes() for c in cases]
    built = build_batch(sources, work / "build", cc=cc, opt=opt, jobs=2)
    engine = tools.reference_engine()
    for case, data, compiled in zip(cases, sources, built, strict=True):
        done = judge(case, data, compiled, engine, calls)
        result.statuses[done["status"]] += 1
        result.calls += done.get("calls", 0)
        result.thrown += done.get("thrown", 0)
        result.exnref_calls += done.get("exnref_calls", 0)
        result.v128_calls += done.get("v128_calls", 0)
        if done["status"] == INCONCLUSIVE:
            result.reasons[done.get("reason", "?")] += 1
        if done["status"] in (INCONCLUSIVE, SKIPPED):
            result.unjudged.append((case.id, done["status"], done.get("detail", "")))
        if done["status"] == FINDING:
            result.findings.append(Finding(case.id, done["signature"], done.get("detail", ""),
                                           case.path, case.exact_nans,
                                           done.get("transcript", [])))
    return result


if __name__ == "__main__":
    _child(Path(sys.argv[1]))

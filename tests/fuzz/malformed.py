"""The malformed-input fuzzer: mutated and random bytes into wasmc's front end.

Case `i` of a run with seed `S` is made from a random.Random seeded with (S, i): a mutation
(mutate.py: truncation, bit flips, byte insertion and deletion, over-long LEB128, huge counts,
sizes, limits and locals, section splicing) of a module from the corpus, random bytes, or a
hostile module at an implementation limit (deep nesting, many locals, huge memories, ...).

The corpus: the binary modules of the spec testsuite's .wast files (converted with
`wasm-tools json-from-wast`, valid and invalid ones alike), wasm-smith modules with wasmc's
features, wasm-smith modules with wasmc's features and SIMD (which wasmc supports: its
generator config is off by default), and wasm-smith modules with every feature (GC, threads,
wide arithmetic, ...: wasmc must refuse those cleanly).

Every case goes through `wasmc.api.translate` (decode, validate, emit C) in a child process
whose address space is limited (RLIMIT_AS), watched for hangs. Allowed outcomes: C code, or a
MalformedError, InvalidError or UnsupportedError. Everything else is a finding: another
exception (a bare CompileError too), a crash, a hang, running out of the memory limit. The C
of every case that validates is then compiled (C that does not compile is a finding), and
every Nth rejected case goes through `wasmc compile` (with WASMC_TRACEBACK=1) to check the
command line's clean exit: status 1, one `wasmc: FILE: malformed module|invalid module|
unsupported: ...` line; an `internal error` line or a traceback is a finding.

Wasmtime (configured to wasmc's features) validates every case too; when the two disagree,
`wasm-tools validate` with the same features decides, and a module wasmc wrongly accepts or
rejects is a finding. So is an UnsupportedError on a module valid with wasmc's features
(SIMD and relaxed SIMD included) that is not one of wasmc's implementation limits.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import wasmtime

from wasmc.errors import InvalidError, MalformedError, UnsupportedError

from . import mutate, procs, tools
from .build import normalize_message

# The only exceptions the front end may raise on bad input: the module is malformed,
# invalid, or uses something wasmc does not implement. Anything else is a wasmc bug.
CLEAN_ERRORS = (MalformedError, InvalidError, UnsupportedError)
CLEAN_KINDS = tuple(e.kind for e in CLEAN_ERRORS)  # how the CLI's message starts

# How UnsupportedError messages for wasmc's implementation limits start (tests/fuzz/limits.py):
# the only reasons to refuse a module that is valid with wasmc's features.
IMPLEMENTATION_LIMITS = ("implementation limit exceeded", "blocks nested more than")

CASE_TIMEOUT = 30.0  # seconds for one case's decode + validate + C emission
ADDRESS_SPACE_LIMIT = 4 << 30  # RLIMIT_AS of the front-end worker
SLOW_CASE = 5.0  # seconds: reported (not a finding)


# ---- the corpus -------------------------------------------------------------------------------

def _testsuite_dir() -> Path:
    """$WASM_TESTSUITE, else ../shared/wasm-testsuite beside this checkout (the fuzzers may
    run against a copy of wasmc elsewhere, so not relative to the wasmc package)."""
    env = os.environ.get("WASM_TESTSUITE")
    if env:
        return Path(env)
    beside = procs.REPO_DIR.parent / "shared" / "wasm-testsuite"
    if beside.is_dir():
        return beside
    from wasmc.spec import testsuite

    return testsuite.testsuite_dir()


def build_corpus(directory: Path, *, smith_modules: int = 150,
                 progress: Callable[[str], None] | None = None) -> list[Path]:
    """The seed modules (made once, cached in `directory`)."""
    listing = directory / "corpus.txt"
    if listing.exists():
        return [directory / line for line in listing.read_text().split()]
    directory.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    suite = _testsuite_dir()
    # the root's scripts, and the legacy exception instructions' (legacy/: json-from-wast
    # cannot read them, convert_wast falls back to wabt's wast2json)
    wasts = sorted(suite.glob("*.wast")) + sorted(suite.glob("legacy/*.wast"))
    if progress:
        progress(f"building the corpus from {len(wasts)} .wast files and wasm-smith ...")
        if not wasts:
            progress(f"warning: no spec testsuite at {suite} (set WASM_TESTSUITE): the "
                     "corpus has wasm-smith modules only")
    from wasmc.spec.script import ConversionError, convert_wast

    for wast in wasts:
        target = directory / "suite" / wast.relative_to(suite).with_suffix("")
        try:
            convert_wast(wast, target)
        except ConversionError:
            continue
        files += sorted(target.glob("*.wasm"))
    all_features = {"simd-enabled": True, "gc-enabled": True, "exceptions-enabled": True,
                    "memory64-enabled": True, "tail-call-enabled": True,
                    "threads-enabled": True, "relaxed-simd-enabled": True,
                    "extended-const-enabled": True, "custom-page-sizes-enabled": True,
                    "wide-arithmetic-enabled": True, "max-imports": 5}
    for i in range(smith_modules):
        rng = random.Random(f"wasmc-fuzz-corpus:{i}")
        profile = tools.PROFILES[i % len(tools.PROFILES)]
        # wasmc's features (exception handling included), with SIMD, or every feature
        extra, suffix = ((all_features, "-all") if i % 3 == 2
                         else ({**tools.EXCEPTIONS_CONFIG, **tools.SIMD_CONFIG}, "-simd")
                         if i % 3 == 1 else (tools.EXCEPTIONS_CONFIG, ""))
        data = tools.smith(rng.randbytes(rng.randint(64, 1500)), profile, extra=extra)
        if data is None:
            continue
        path = directory / "smith" / f"{i}{suffix}.wasm"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append(path)
    listing.write_text("\n".join(str(f.relative_to(directory)) for f in files))
    return files


def corpus_dir() -> Path:
    """Cached per testsuite version and wasm-tools version."""
    import tempfile

    suite = _testsuite_dir()
    commit = (suite / "COMMIT").read_text().strip() if (suite / "COMMIT").exists() else "none"
    version = subprocess.run([tools.wasm_tools(), "--version"], capture_output=True,
                             text=True).stdout.strip()
    configs = json.dumps([tools.SMITH_CONFIG, tools.EXCEPTIONS_CONFIG, tools.SIMD_CONFIG])
    key = hashlib.sha256(f"{commit}\0{version}\0{configs}".encode())
    return Path(tempfile.gettempdir()) / "wasmc-fuzz" / f"corpus-{key.hexdigest()[:12]}"


def make_case(seed: int, index: int, corpus: list[bytes]) -> tuple[bytes, str]:
    """Case `index` of the run with `seed`: its bytes and how they were made."""
    rng = random.Random(f"wasmc-fuzz-malformed:{seed}:{index}")
    roll = rng.random()
    if roll < 0.03:
        data, what = mutate.hostile(rng)
        return data, f"hostile {what}"
    if roll < 0.06:
        return mutate.random_bytes(rng, b"", []), "random bytes"
    source = rng.randrange(len(corpus))
    donors = [corpus[rng.randrange(len(corpus))] for _ in range(3)]
    data, names = mutate.mutate(rng, corpus[source], donors)
    return data, f"corpus[{source}] + {' + '.join(names)}"


# ---- the child: the front end under a memory limit --------------------------------------------

def _child(batch_dir: Path) -> None:
    from wasmc import api

    spec = json.loads((batch_dir / "spec.json").read_text())
    resource.setrlimit(resource.RLIMIT_AS, (spec["address_space"], spec["address_space"]))
    corpus_root = Path(spec["corpus"])
    corpus = [(corpus_root / line).read_bytes()
              for line in (corpus_root / "corpus.txt").read_text().split()]
    base, extended = tools.wasmtime_engine(), tools.wasmtime_engine(extended=True)
    skip = set(spec["skip"])
    procs.emit({"event": "timeout", "seconds": spec["timeout"]})
    for k in range(spec["count"]):
        if k in skip:
            continue
        index = spec["first"] + k
        data, how = make_case(spec["seed"], index, corpus)
        (batch_dir / f"case{k}.wasm").write_bytes(data)
        procs.emit({"event": "start", "k": k})
        done: dict = {"event": "done", "k": k, "how": how}
        started = time.monotonic()
        try:
            _module, c_code = api.translate(data, f"wasmc_m{k}")
            (batch_dir / f"module{k}.c").write_text(c_code)
            done.update(outcome="valid")
        except CLEAN_ERRORS as err:
            done.update(outcome=type(err).__name__, message=str(err))
        except MemoryError:
            done.update(outcome="finding", signature="memory: MemoryError (address-space limit)",
                        message=traceback.format_exc()[-3000:])
        except Exception as err:  # noqa: BLE001 - any other exception is a finding
            # (a bare CompileError or another WasmcError too: the front end must say which
            # of the three it is)
            done.update(outcome="finding",
                        signature=f"exception: {type(err).__name__}: "
                                  f"{normalize_message(str(err))[:120]}",
                        message=traceback.format_exc()[-3000:])
        done["seconds"] = time.monotonic() - started
        # the reference's verdict, to catch modules wasmc accepts or rejects wrongly
        if done["outcome"] == "valid":
            if not _wasmtime_valid(extended, data):
                verdict = tools.validate_reference(data, tools.EXTENDED_FEATURES)
                if verdict is not None and any(m in verdict for m in WASM3_BY_GC):
                    verdict = tools.validate_reference(data, tools.EXTENDED_FEATURES + ",gc")
                if verdict is not None:
                    done.update(outcome="finding", message=verdict,
                                signature="accepts an invalid module: "
                                          + normalize_message(_first_line(verdict))[:120])
        elif done["outcome"] in ("MalformedError", "InvalidError"):
            if (_wasmtime_valid(base, data)
                    and tools.validate_reference(data, tools.VALIDATE_FEATURES) is None):
                done.update(outcome="finding",
                            signature="rejects a valid module: "
                                      + normalize_message(done.get("message", ""))[:120])
        elif done["outcome"] == "UnsupportedError":
            reason = done.get("message", "").removeprefix(UnsupportedError.kind + ": ")
            if (not reason.startswith(IMPLEMENTATION_LIMITS)
                    and _wasmtime_valid(base, data)
                    and tools.validate_reference(data, tools.VALIDATE_FEATURES) is None):
                done.update(outcome="finding",
                            signature="refuses a supported module: "
                                      + normalize_message(done.get("message", ""))[:120])
        procs.emit(done)


# wasm-tools' messages for what it allows only with its `gc` feature but wasmc implements as
# part of Wasm 3.0 without GC: recursion groups of function types (tag.wast needs them), and
# global.get of an immutable global defined earlier in the module in a constant expression.
# A module rejected for one of these is judged again with gc on.
WASM3_BY_GC = ("rec group usage requires", "global.get of locally defined global")


def _wasmtime_valid(engine: wasmtime.Engine, data: bytes) -> bool:
    try:
        wasmtime.Module.validate(engine, data)
        return True
    except wasmtime.WasmtimeError:
        return False


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip().removeprefix("error: ")
    return text


# ---- the parent ----------------------------------------------------------------------------------

@dataclass
class MalformedFinding:
    id: str
    signature: str
    detail: str
    wasm: str
    how: str


@dataclass
class MalformedSummary:
    cases: int = 0
    outcomes: Counter = field(default_factory=Counter)
    compiled: int = 0
    cli_checked: int = 0
    findings: list[MalformedFinding] = field(default_factory=list)
    slow: list[tuple[float, str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def signatures(self) -> Counter:
        return Counter(f.signature for f in self.findings)

    def lines(self) -> list[str]:
        out = [f"{self.cases} cases in {self.seconds:.0f} s "
               f"({self.cases / max(self.seconds, 1e-9):.1f} cases/s)",
               "front end: " + ", ".join(f"{n} {s}" for s, n in sorted(self.outcomes.items())),
               f"C compiled for {self.compiled} valid cases; {self.cli_checked} rejected cases "
               "checked through `wasmc compile`"]
        for seconds, case, how in sorted(self.slow, reverse=True)[:5]:
            out.append(f"slow: {case} took {seconds:.1f} s ({how})")
        if self.findings:
            out.append(f"{len(self.findings)} findings, {len(self.signatures())} signatures:")
            for signature, n in self.signatures().most_common():
                first = next(f for f in self.findings if f.signature == signature)
                out.append(f"  {n:6d}  {signature}    e.g. {first.id} ({first.wasm})")
        else:
            out.append("no findings: every case gave C that compiles or a clean error")
        return out


def clean_rejection_problem(returncode: int, stderr: str, module: str) -> str | None:
    """None if a `wasmc` run rejected `module` cleanly: exit status 1 and one line
    `wasmc: MODULE: KIND: ...` with KIND one of the three CLEAN_KINDS. A bug in wasmc
    (any other exception) is not clean: it prints `internal error`, or under
    WASMC_TRACEBACK=1 a traceback."""
    lines = stderr.strip().splitlines()
    prefixes = tuple(f"wasmc: {module}: {kind}: " for kind in CLEAN_KINDS)
    if (returncode == 1 and len(lines) == 1 and lines[0].startswith(prefixes)
            and "internal error" not in lines[0]):
        return None
    return f"exit status {returncode}, stderr: {stderr.strip()[-1500:]}"


def _check_cli(case: Path, out: Path) -> str | None:
    """None if `wasmc compile` rejects the case cleanly (see clean_rejection_problem)."""
    proc = subprocess.run([sys.executable, "-m", "wasmc.cli", "compile", str(case), "-o",
                           str(out)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "WASMC_TRACEBACK": "1"})
    return clean_rejection_problem(proc.returncode, proc.stderr, str(case))


def run_batch(seed: int, first: int, count: int, batch_dir: Path, corpus: Path, *,
              cc: str | None, opt: int, compile_c: bool, cli_every: int,
              jobs: int) -> MalformedSummary:
    from wasmc import toolchain

    from .build import compile_objects

    batch_dir.mkdir(parents=True, exist_ok=True)
    result = MalformedSummary(cases=count)
    done: set[int] = set()
    hows: dict[int, str] = {}
    valid: list[int] = []
    rejected: list[int] = []
    state: dict = {"k": None}

    def finding(k: int, signature: str, detail: str) -> None:
        result.findings.append(MalformedFinding(f"{seed}:{first + k}", signature, detail,
                                                str(batch_dir / f"case{k}.wasm"),
                                                hows.get(k, "?")))

    def on_event(event: dict) -> None:
        if event["event"] == "start":
            state["k"] = event["k"]
        elif event["event"] == "done":
            k = event["k"]
            done.add(k)
            state["k"] = None
            hows[k] = event["how"]
            outcome = event["outcome"]
            result.outcomes[outcome] += 1
            if event["seconds"] > SLOW_CASE:
                result.slow.append((event["seconds"], f"{seed}:{first + k}", event["how"]))
            if outcome == "finding":
                finding(k, event["signature"], event.get("message") or "")
            elif outcome == "valid":
                valid.append(k)
            else:
                rejected.append(k)

    while len(done) < count:
        spec = {"seed": seed, "first": first, "count": count, "skip": sorted(done),
                "corpus": str(corpus), "address_space": ADDRESS_SPACE_LIMIT,
                "timeout": CASE_TIMEOUT}
        (batch_dir / "spec.json").write_text(json.dumps(spec))
        state["k"] = None
        exit_ = procs.run_child("fuzz.malformed", [str(batch_dir)], on_event,
                                timeout=CASE_TIMEOUT)
        if len(done) == count:
            break
        k = state["k"]
        if k is None:
            finding(0, f"batch failure: {exit_.describe()}", exit_.stderr)
            result.outcomes["finding"] += count - len(done)
            break
        done.add(k)
        result.outcomes["finding"] += 1
        what = "hang" if exit_.timed_out else "crash"
        # a child killed for its memory use shows up as a crash or a MemoryError
        finding(k, f"{what}: {exit_.describe()}", exit_.stderr)

    if compile_c and valid:
        compiler = toolchain.find_compiler(cc)
        flags = toolchain.generated_code_flags(compiler, opt, pic=True)
        failures = compile_objects(compiler, flags,
                                   [(k, batch_dir / f"module{k}.c") for k in sorted(valid)],
                                   jobs=jobs)
        result.compiled = len(valid)
        for k, failure in sorted(failures.items()):
            finding(k, f"C: {failure.signature()}", f"{failure.message}\n{failure.detail}")
    if cli_every > 0:
        for k in rejected:
            if (first + k) % cli_every:
                continue
            problem = _check_cli(batch_dir / f"case{k}.wasm", batch_dir / "cli.out")
            result.cli_checked += 1
            if problem is not None:
                finding(k, "cli: unclean exit", problem)
    return result


def run_malformed(*, seed: int, count: int, start: int = 0, batch: int = 500, workers: int = 2,
                  out: Path, cc: str | None = None, opt: int = 0, compile_c: bool = True,
                  cli_every: int = 100,
                  progress: Callable[[str], None] | None = None) -> MalformedSummary:
    out.mkdir(parents=True, exist_ok=True)
    findings_dir = out / "findings"
    findings_dir.mkdir(exist_ok=True)
    corpus = corpus_dir()
    files = build_corpus(corpus, progress=progress)
    if progress:
        progress(f"corpus: {len(files)} modules in {corpus}")
    summary = MalformedSummary()
    lock = threading.Lock()
    rate = procs.Rate()
    jobs = max(2, (os.cpu_count() or 1) // max(1, workers))
    log = open(out / "findings.jsonl", "a", encoding="utf-8")

    def one_batch(first: int, n: int) -> None:
        batch_dir = out / "batches" / f"{seed}-{first}"
        result = run_batch(seed, first, n, batch_dir, corpus, cc=cc, opt=opt,
                           compile_c=compile_c, cli_every=cli_every, jobs=jobs)
        for f in result.findings:
            saved = findings_dir / f"{f.id.replace(':', '-')}.wasm"
            if Path(f.wasm).exists():
                shutil.copyfile(f.wasm, saved)
            f.wasm = str(saved)
        with lock:
            summary.cases += result.cases
            summary.outcomes.update(result.outcomes)
            summary.compiled += result.compiled
            summary.cli_checked += result.cli_checked
            summary.findings.extend(result.findings)
            summary.slow.extend(result.slow)
            for f in result.findings:
                log.write(json.dumps(asdict(f)) + "\n")
            log.flush()
            if progress:
                progress(f"[{summary.cases}/{count}] {rate.elapsed():.0f} s, "
                         f"{rate.per_second(summary.cases):.0f} cases/s, "
                         f"{len(summary.findings)} findings")
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
    return summary


if __name__ == "__main__":
    _child(Path(sys.argv[1]))

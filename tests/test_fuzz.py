"""Fuzzing in CI: short differential runs (-O0 and -O2, and -O2 with exception handling in
the generator), the comparison of uncaught exceptions, a short malformed-input run, the
regression modules the fuzzers found, the differential fuzzer's rule for stack exhaustion,
and wasmc's implementation limits on hostile input. What each check requires, and how each
was shown to fail, is in docs/fuzzing.md ("CI").

The long runs are `python scripts/fuzz.py diff --count 20000 --seed 1` and
`python scripts/fuzz.py malformed --count 10000 --seed 1` (docs/fuzzing.md).

Known open bugs: a regression module whose header says `status: open` is expected to fail
(strict xfail: once the bug is fixed, the test says so, and the header must become
`status: fixed`). Its `signature:` lines name the findings the bug causes; the short runs
below tolerate those (and report them), and fail on any other.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from fuzz import depth, engines, limits, mutate, tools
from fuzz.differential import FINDING, INCONCLUSIVE, SAME, check_files, run_diff
from fuzz.engines import EXHAUSTED
from fuzz.malformed import clean_rejection_problem, run_malformed
from fuzz.reduce import REGRESSIONS_DIR, read_header

from wasmc import api
from wasmc.errors import MalformedError

CI_SEED = 20261125
REGRESSIONS = sorted(REGRESSIONS_DIR.glob("*.wat"))


def known_open_signatures() -> set[str]:
    out: set[str] = set()
    for path in REGRESSIONS:
        header = read_header(path.read_text())
        if header.get("status") == "open":
            out.update(header.get("signatures", []))
    return out


def _report(lines: list[str]) -> None:
    print("\n".join(lines))


# ---- regression modules --------------------------------------------------------------------

def _regression_params() -> list:
    params = []
    for path in REGRESSIONS:
        header = read_header(path.read_text())
        marks = []
        if header.get("status") == "open":
            marks.append(pytest.mark.xfail(reason="open wasmc bug (see the file's header)",
                                           strict=True))
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
@pytest.mark.parametrize("path", _regression_params())
def test_regression(path: Path, cc: str | None, tmp_path: Path) -> None:
    """The module comes out "same": no finding, and not skipped by Wasmtime or inconclusive
    either (either would pass a module that was never compared); and calls were made."""
    header = read_header(path.read_text())
    result = check_files([path], tmp_path, exact_nans=header.get("nans") == "exact",
                         cc=cc, opt=int(header.get("opt", 0)))
    print(f"{path.name}: {dict(result.statuses)}, {result.calls} calls compared")
    assert not result.findings, "\n".join(f"{f.signature}: {f.detail[:1500]}"
                                          for f in result.findings)
    assert result.statuses == {SAME: 1}, result.unjudged
    assert result.calls > 0, "no call was compared"


def test_regression_headers() -> None:
    for path in REGRESSIONS:
        header = read_header(path.read_text())
        assert header.get("status") in ("open", "fixed"), f"{path.name}: status: open|fixed"
        assert header.get("nans") in ("exact", "any"), f"{path.name}: nans: exact|any"


# ---- short runs ------------------------------------------------------------------------------

# The share of modules both engines must agree on all the way (status "same"). The rest may
# be inconclusive for the reasons counted in the report (engines.INCONCLUSIVE_REASONS) or
# skipped by Wasmtime; a run where many are could hide anything. Measured: 100 % at both
# levels for the CI seeds (docs/fuzzing.md).
MIN_SAME_SHARE = 0.90


# -O0 finds what the emitter gets wrong; -O2 also what the C optimizer then exploits (the
# deleted loads and stores, the folded identities of tests/regressions/ were -O2 only).
# The exception run is at -O2 too: what a C optimizer may do around setjmp/longjmp (values
# kept in registers across a longjmp) shows only there. The SIMD runs (SIMD and relaxed SIMD
# in the generator) are at -O1, cheap to build with the vector code optimized, and at -O2,
# where the unroll hint of short vector loops (codegen/function.py, simd_loops) takes effect.
# The threads run (atomics, shared memories) at -O2, where clang dropped an idempotent
# read-modify-write's access (docs/fuzzing.md, "Threads").
@pytest.mark.parametrize(("opt", "count", "exceptions", "simd", "threads"),
                         [(0, 300, False, False, False), (2, 150, False, False, False),
                          (2, 100, True, False, False), (1, 100, False, True, False),
                          (2, 100, False, True, False), (2, 100, False, False, True)],
                         ids=["O0", "O2", "O2-exceptions", "O1-simd", "O2-simd", "O2-threads"])
def test_differential_short_run(opt: int, count: int, exceptions: bool, simd: bool,
                                threads: bool, tmp_path: Path) -> None:
    """Random modules (fixed seed) agree under wasmc and Wasmtime; with exceptions enabled
    in the generator, some calls must end in an uncaught exception and some have exnref in
    their signature (or the run would not test what it claims to); with SIMD, some calls
    must pass or return v128 values."""
    if simd and (problem := tools.relaxed_simd_host_problem()):
        pytest.skip(problem)
    seed = CI_SEED + opt + (10 if exceptions else 0) + (20 if simd else 0) + (30 if threads else 0)
    summary = run_diff(seed=seed, count=count, batch=50 if exceptions or simd or threads else 75,
                       workers=2, out=tmp_path, opt=opt, exceptions=exceptions, simd=simd,
                       threads=threads)
    _report(summary.lines())
    if exceptions:
        assert summary.thrown > 0, "no call ended in an uncaught exception"
        assert summary.exnref_calls > 0, "no call had exnref in its signature"
    if simd:
        assert summary.v128_calls > 0, "no call had v128 in its signature"
    known = known_open_signatures()
    new = [f for f in summary.findings if f.signature not in known]
    assert summary.modules == count
    assert summary.statuses.get(FINDING, 0) == len(summary.findings)
    assert sum(summary.reasons.values()) == summary.statuses.get(INCONCLUSIVE, 0)
    assert not new, "\n".join(
        [f"{f.id}: {f.signature}\n  {f.detail[:800]}" for f in new[:10]]
        + ["reproduce: python scripts/fuzz.py check --exact-nans <module> (or without "
           "--exact-nans for raw-NaN modules); modules in " + str(tmp_path / "findings")])
    agreeing = summary.statuses.get(SAME, 0)
    assert agreeing >= MIN_SAME_SHARE * count, (
        f"only {agreeing} of {count} modules agree; inconclusive: {dict(summary.reasons)}, "
        f"skipped by Wasmtime: {summary.statuses.get('skipped', 0)}")
    assert summary.calls > 0


def test_malformed_short_run(tmp_path: Path) -> None:
    """1,000 mutated/random inputs give C that compiles or a clean error (MalformedError,
    InvalidError, UnsupportedError; through `wasmc compile`, one clean line)."""
    summary = run_malformed(seed=CI_SEED, count=1000, batch=250, workers=2, out=tmp_path,
                            cli_every=100)
    _report(summary.lines())
    known = known_open_signatures()
    new = [f for f in summary.findings if f.signature not in known
           and f.signature.removeprefix("C: ") not in known]
    assert summary.cases == 1000
    assert not new, "\n".join(f"{f.id} ({f.how}): {f.signature}\n  {f.detail[:800]}"
                              for f in new[:10])
    assert sum(summary.outcomes.values()) == summary.cases
    assert set(summary.outcomes) <= {"valid", "MalformedError", "InvalidError",
                                     "UnsupportedError", "finding"}, summary.outcomes
    assert summary.cli_checked > 0


# ---- v128 values ------------------------------------------------------------------------------

F32_NAN, F32_NAN_NEG, F32_SNAN = 0x7FC00000, 0xFFC00000, 0x7FA00000
F64_NAN_NEG = 0xFFF8000000000000


def _v128(*lanes: int, width: int = 32) -> engines.Value:
    return engines.Value("v128", bits=sum(x << (width * k) for k, x in enumerate(lanes)))


@pytest.mark.parametrize(("a", "b", "raw_same", "exact_same"), [
    (_v128(1, 2, 3, 4), _v128(1, 2, 3, 4), True, True),
    (_v128(1, 2, 3, 4), _v128(1, 2, 3, 5), False, False),
    # an f32 NaN lane with another sign: allowed unless NaNs are canonical
    (_v128(1, F32_NAN, 3, 4), _v128(1, F32_NAN_NEG, 3, 4), True, False),
    # ... but not a signalling NaN for a quiet one, nor a NaN lane beside another change
    (_v128(1, F32_NAN, 3, 4), _v128(1, F32_SNAN, 3, 4), False, False),
    (_v128(1, F32_NAN, 3, 4), _v128(1, F32_NAN_NEG, 3, 5), False, False),
    # f64 lanes
    (_v128(7, 0x7FF8000000000000, width=64), _v128(7, F64_NAN_NEG, width=64), True, False),
], ids=["equal", "lane-differs", "f32-nan-sign", "quiet-vs-signalling", "nan-and-other",
        "f64-nan-sign"])
def test_v128_comparison(a: engines.Value, b: engines.Value, raw_same: bool,
                         exact_same: bool) -> None:
    """v128 results, globals and payloads compare bit for bit, except NaN lanes (as f32 or
    f64 lanes) in modules made without NaN canonicalization."""
    assert engines.same_value(a, b, exact_nans=False) is raw_same
    assert engines.same_value(a, b, exact_nans=True) is exact_same


def test_simd_generation() -> None:
    """--simd makes other modules than plain runs, and they use SIMD instructions."""
    plain, simd = tools.generate(CI_SEED, 3), tools.generate(CI_SEED, 3, simd=True)
    assert simd != plain and simd == tools.generate(CI_SEED, 3, simd=True)
    text = tools.print_wat(simd)
    assert any(f"{shape}." in text for shape in ("v128", "i8x16", "i16x8", "i32x4", "i64x2",
                                                  "f32x4", "f64x2")), text[:2000]


# ---- generation is reproducible ----------------------------------------------------------------

def test_threads_generation() -> None:
    """`--threads` makes other modules, the same ones each time, with atomic instructions
    (0xFE-prefixed opcodes) in them."""
    modules = [tools.generate(CI_SEED, i, threads=True) for i in range(10)]
    assert modules[3] != tools.generate(CI_SEED, 3)
    assert modules[3] == tools.generate(CI_SEED, 3, threads=True)
    text = "".join(tools.print_wat(m) for m in modules)
    assert ".atomic." in text and "shared" in text


def test_generation_is_deterministic() -> None:
    assert tools.generate(CI_SEED, 3) == tools.generate(CI_SEED, 3)
    assert tools.generate(CI_SEED, 3) != tools.generate(CI_SEED, 4)


def test_mutation_is_deterministic() -> None:
    import random

    corpus = [tools.generate(CI_SEED, i) for i in range(3)]
    a = mutate.mutate(random.Random("x"), corpus[0], corpus)
    b = mutate.mutate(random.Random("x"), corpus[0], corpus)
    assert a == b


def test_leb128_helpers() -> None:
    assert mutate.uleb(0) == b"\x00"
    assert mutate.uleb(0, 3) == b"\x80\x80\x00"
    assert mutate.uleb(624485) == b"\xe5\x8e\x26"
    assert mutate.read_uleb(mutate.uleb(2**32 - 1, 5), 0) == (2**32 - 1, 5)


# ---- implementation limits and hostile input ----------------------------------------------
# (How long each takes is reported by `python scripts/fuzz.py limits`, not asserted here.)

@pytest.mark.parametrize("case", limits.PAST_THE_LIMITS, ids=lambda c: c.name)
def test_limits_are_reported(case: limits.HostileInput) -> None:
    err = limits.translate(case.data).error
    assert type(err) is case.error, err
    assert case.words in str(err)


@pytest.mark.parametrize("case", limits.AT_THE_LIMITS, ids=lambda c: c.name)
def test_at_the_limits_compiles(case: limits.HostileInput) -> None:
    assert limits.translate(case.data).error is None


# A decoder that allocates by a declared count (2^32 - 1 entries) needs gigabytes.
HUGE_COUNT_ALLOCATION_LIMIT = 16 << 20


@pytest.mark.parametrize("case", limits.HUGE_COUNTS, ids=lambda c: c.name)
def test_huge_counts_and_sizes_fail_without_allocating(case: limits.HostileInput) -> None:
    measured = limits.translate(case.data, trace_memory=True)
    assert type(measured.error) is MalformedError, measured.error
    assert measured.peak_bytes is not None
    assert measured.peak_bytes < HUGE_COUNT_ALLOCATION_LIMIT, measured.peak_bytes


@pytest.mark.parametrize("data", [
    mutate.MAGIC + b"\x01\x05\x01\x60\x00",  # a section longer than the module
    mutate.MAGIC + b"\x01\x01\x01",  # a vector count past the section's end
    mutate.MAGIC + mutate._section(1, mutate._vec([b"\x60\x00\x00"]))
    + mutate._section(3, b"\x01\x00") + mutate._section(10, b"\x01\x03\x00\x41"),  # cut code
], ids=["section-size", "count", "truncated-body"])
def test_cli_reports_malformed_input_cleanly(data: bytes, tmp_path: Path) -> None:
    """`wasmc compile` on garbage: exit status 1 and one `wasmc: FILE: malformed module: ...`
    line. With WASMC_TRACEBACK=1 a crash in wasmc shows as a traceback, not as one line."""
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(data)
    proc = subprocess.run([sys.executable, "-m", "wasmc.cli", "compile", str(bad), "-o",
                           str(tmp_path / "out")], capture_output=True, text=True,
                          env={**os.environ, "WASMC_TRACEBACK": "1"})
    assert clean_rejection_problem(proc.returncode, proc.stderr, str(bad)) is None, proc.stderr
    assert proc.stderr.startswith(f"wasmc: {bad}: malformed module: "), proc.stderr


@pytest.mark.parametrize(("status", "stderr", "clean"), [
    (1, "wasmc: m.wasm: malformed module: unexpected end (at byte offset 0xd)\n", True),
    (1, "wasmc: m.wasm: invalid module: type mismatch (in func 0, at byte offset 0x20)\n",
     True),
    (1, "wasmc: m.wasm: unsupported: threads (shared memory/table limits) (at byte offset "
        "0x20)\n", True),
    # what cli.py prints for any other Python exception
    (1, "wasmc: m.wasm: internal error: IndexError: index out of range (set "
        "WASMC_TRACEBACK=1 for details)\n", False),
    # ... and with WASMC_TRACEBACK=1
    (1, "Traceback (most recent call last):\n  File ...\nIndexError: index out of range\n",
     False),
    (2, "wasmc: m.wasm: malformed module: unexpected end\n", False),
    (1, "wasmc: m.wasm: malformed module: x\nwasmc: m.wasm: malformed module: y\n", False),
    (1, "wasmc: other.wasm: malformed module: unexpected end\n", False),
], ids=["malformed", "invalid", "unsupported", "internal-error", "traceback", "status-2",
        "two-lines", "other-file"])
def test_clean_rejection_check(status: int, stderr: str, clean: bool) -> None:
    """The malformed fuzzer's check of `wasmc compile` (and the test above) accepts the
    three kinds of rejection only."""
    assert (clean_rejection_problem(status, stderr, "m.wasm") is None) == clean


# ---- stack exhaustion: deep recursion or a bug ---------------------------------------------

# $down(n) recurses n times: n + 1 frames. $twice calls $down(2): 4 frames; $fifty 52;
# $deep 5,002 (deep, and well within both engines' stacks).
RECURSION_WAT = """(module
  (func $down (export "down") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0 i32.const 1 i32.sub call $down i32.const 1 i32.add
    end)
  (func (export "twice") (result i32) i32.const 2 call $down)
  (func (export "fifty") (result i32) i32.const 50 call $down)
  (func (export "deep") (result i32) i32.const 5000 call $down)
  (func $start (global.set $g (call $down (i32.const 6))))
  (global $g (export "g") (mut i32) (i32.const 0))
  (start $start))
"""


@pytest.fixture(scope="module")
def recursion_wasm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("recursion") / "recursion.wat"
    path.write_text(RECURSION_WAT)
    return tools.parse_wat(path)


def test_call_depth_is_measured(recursion_wasm: bytes) -> None:
    assert depth.call_depth(recursion_wasm, []) == 8  # $start + $down(6..0)
    assert depth.call_depth(recursion_wasm, [("down", [0])]) == 1
    assert depth.call_depth(recursion_wasm, [("down", [42])]) == 43
    assert depth.call_depth(recursion_wasm, [("down", [42]), ("twice", [])]) == 4
    assert depth.call_depth(recursion_wasm, [("deep", [])]) == 5002
    # past the probe's stack: the depth reached when it ran out, deep either way
    reached = depth.call_depth(recursion_wasm, [("down", [0x7FFFFFFF])])
    assert reached is not None and reached >= engines.DEEP_RECURSION


def test_instrumented_modules_are_valid() -> None:
    """The depth probe's rewrite keeps generated modules valid (every profile: over-long
    LEB128 too, 64-bit memories and tables)."""
    for i in range(10):
        wasm = depth.instrument(tools.generate(CI_SEED, i))
        assert tools.validate_reference(wasm) is None, i


def test_call_depth_of_a_start_function_that_runs_out_of_stack(tmp_path: Path) -> None:
    path = tmp_path / "start.wat"
    path.write_text(RECURSION_WAT.replace("(i32.const 6)", "(i32.const 0x7fffffff)"))
    wasm = tools.parse_wat(path)
    reached = depth.call_depth(wasm, [])
    assert reached is not None and reached >= engines.DEEP_RECURSION


def _outcome(trap: str | None = None) -> engines.Outcome:
    return engines.Outcome(trap=trap) if trap else engines.Outcome((engines.Value("i32", 0),))


@pytest.mark.parametrize(("wasmtime", "wasmc", "frames", "status", "why"), [
    (EXHAUSTED, EXHAUSTED, None, "inconclusive", engines.BOTH_EXHAUSTED),
    (EXHAUSTED, None, 40_000, "inconclusive", engines.WASMTIME_EXHAUSTED),
    (None, EXHAUSTED, 40_000, "inconclusive", engines.WASMC_EXHAUSTED_DEEP),
    (None, EXHAUSTED, engines.DEEP_RECURSION, "inconclusive", engines.WASMC_EXHAUSTED_DEEP),
    (None, EXHAUSTED, engines.DEEP_RECURSION - 1, "mismatch", "stack exhausted"),
    (None, EXHAUSTED, 3, "mismatch", "stack exhausted"),
    (None, EXHAUSTED, None, "mismatch", "stack exhausted"),  # depth unknown: not shown deep
    ("unreachable", EXHAUSTED, 3, "mismatch", "stack exhausted"),
], ids=["both", "wasmtime-only", "wasmc-deep", "wasmc-at-threshold", "wasmc-below",
        "wasmc-shallow", "wasmc-unknown-depth", "wasmc-instead-of-a-trap"])
def test_exhaustion_verdict(wasmtime: str | None, wasmc: str | None, frames: int | None,
                            status: str, why: str) -> None:
    verdict = engines.exhaustion_verdict(_outcome(wasmtime), _outcome(wasmc), lambda: frames)
    assert verdict[:2] == (status, why)


class _ExhaustsAt(engines.WasmcSide):
    """wasmc as if it ran out of stack in one call (a bug when the call is shallow)."""

    def __init__(self, compiled: api.CompiledModule, export: str, call: int) -> None:
        super().__init__(compiled)
        self.target, self.calls = (export, call), Counter()

    def call(self, name: str, export: engines.Export, args: list[int]) -> engines.Outcome:
        self.calls[name] += 1
        if (name, self.calls[name] - 1) == self.target:
            return engines.Outcome(trap=EXHAUSTED)
        return super().call(name, export, args)


@pytest.mark.parametrize(("export", "status", "why"), [
    (None, "same", ""),
    ("twice", "mismatch", "stack exhausted"),
    ("fifty", "mismatch", "stack exhausted"),
    ("deep", "inconclusive", engines.WASMC_EXHAUSTED_DEEP),
], ids=["as-is", "shallow-twice", "shallow-fifty", "deep"])
def test_shallow_exhaustion_in_wasmc_is_a_mismatch(recursion_wasm: bytes, export: str | None,
                                                   status: str, why: str) -> None:
    """The whole comparison, with wasmc pretending to run out of stack in one call (each
    export is called once: down(0), twice, fifty, deep)."""
    import wasmtime

    compiled = api.compile_module(recursion_wasm, opt=0)
    engine = tools.wasmtime_engine()
    reference = engines.WasmtimeSide(engine, wasmtime.Module(engine, recursion_wasm))
    subject = _ExhaustsAt(compiled, export or "", 0)
    result = engines.compare_module(reference, subject, exact_nans=True, calls_per_export=1,
                                    wasm=recursion_wasm)
    assert (result.status, result.aspect or result.reason) == (status, why), result.detail
    frames = {"twice": 4, "fifty": 52, "deep": 5002}.get(export or "")
    assert (f"{frames} frames deep" in result.detail) == (frames is not None), result.detail


# ---- exceptions ------------------------------------------------------------------------------

# Tags exported (one under two names: the first names it), and one that is not; an
# exception caught by tag, one kept as an exnref (returned, stored in a global and a table)
# and rethrown, one that escapes with a signalling-NaN payload (its bits must survive).
EXCEPTIONS_WAT = """
(module
  (tag $a (export "a") (param i32 f32))
  (tag $b (export "b") (export "b2") (param i64))
  (tag $hidden (param f64))
  (table $exns (export "exns") 2 2 exnref)
  (global $last (export "last") (mut exnref) (ref.null exn))
  (func $thrower (param i32)
    (if (local.get 0) (then (throw $a (local.get 0) (f32.const nan:0x200000))))
    (throw $b (i64.extend_i32_s (local.get 0))))
  (func (export "a_or_b") (param i32) (call $thrower (local.get 0)))
  (func (export "hidden") (param f64) (throw $hidden (local.get 0)))
  (func (export "catch_b") (param i32) (result i64)
    (block $h (result i64)
      (try_table (catch $b $h) (call $thrower (local.get 0)))
      (i64.const -1)))
  (func (export "keep") (param i32) (result exnref)
    (local $e exnref)
    (local.set $e
      (block $h (result exnref)
        (try_table (catch_all_ref $h) (call $thrower (local.get 0)))
        (ref.null exn)))
    (global.set $last (local.get $e))
    (table.set $exns (i32.const 1) (local.get $e))
    (local.get $e))
  (func (export "rethrow") (param exnref) (throw_ref (global.get $last))))
"""


@pytest.fixture(scope="module")
def exceptions_wasm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("exceptions") / "exceptions.wat"
    path.write_text(EXCEPTIONS_WAT)
    return tools.parse_wat(path)


class _Rewrites(engines.WasmcSide):
    """wasmc with every uncaught exception's outcome rewritten (a broken wasmc)."""

    def __init__(self, compiled: api.CompiledModule, rewrite) -> None:
        super().__init__(compiled)
        self.rewrite = rewrite

    def call(self, name: str, export: engines.Export, args: list[int]) -> engines.Outcome:
        outcome = super().call(name, export, args)
        return self.rewrite(outcome) if outcome.thrown is not None else outcome


def _as_trap(o: engines.Outcome) -> engines.Outcome:
    return engines.Outcome(trap="unreachable")


def _other_tag(o: engines.Outcome) -> engines.Outcome:
    assert o.thrown is not None
    return engines.Outcome(thrown=engines.Thrown("b2" if o.thrown.tag == "a" else "a",
                                                 o.thrown.values))


def _quieted_payload(o: engines.Outcome) -> engines.Outcome:
    assert o.thrown is not None
    values = tuple(engines.Value(v.type, bits=v.bits | 0x400000) if v.type == "f32" else v
                   for v in o.thrown.values)
    return engines.Outcome(thrown=engines.Thrown(o.thrown.tag, values))


@pytest.mark.parametrize(("rewrite", "status"), [
    (None, "same"), (_as_trap, "mismatch"), (_other_tag, "mismatch"),
    (_quieted_payload, "mismatch"),
], ids=["as-is", "reported-as-trap", "other-tag", "quieted-nan-payload"])
def test_exception_outcomes(exceptions_wasm: bytes, rewrite, status: str) -> None:
    """An uncaught exception is an outcome of its own, compared by tag (its first export
    name) and payload bits; exnref results, globals and tables compare as null or not."""
    import wasmtime

    compiled = api.compile_module(exceptions_wasm, opt=0)
    engine = tools.reference_engine()
    reference = engines.WasmtimeSide(engine, wasmtime.Module(engine, exceptions_wasm))
    subject = (engines.WasmcSide(compiled) if rewrite is None
               else _Rewrites(compiled, rewrite))
    result = engines.compare_module(reference, subject, exact_nans=True, wasm=exceptions_wasm)
    assert result.status == status, result.detail
    if rewrite is not None:
        assert result.aspect == "exception", result.detail
        return
    transcript = "\n".join(result.transcript)
    print(transcript)
    # a_or_b(0) and (0x80000000), hidden twice, catch_b(0x80000000) (tag a escapes),
    # keep twice (caught), rethrow twice (b(0), then a(0x80000000, sNaN) from the global)
    assert result.calls == 10 and result.thrown == 7, transcript
    assert result.exnref_calls == 4, transcript
    assert ("invoke 'a_or_b'(i32:-2147483648) -> uncaught exception: tag 'a' "
            "(i32:-2147483648, f32:nan(0x7fa00000))") in transcript
    assert "invoke 'a_or_b'(i32:0) -> uncaught exception: tag 'b' (i64:0)" in transcript
    assert "invoke 'hidden'(f64:0.0(0x0000000000000000)) -> uncaught exception: tag '?'" \
        in transcript
    assert "invoke 'keep'(i32:0) -> (exnref:exn)" in transcript

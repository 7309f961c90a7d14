"""Fuzzing in CI: short differential runs (-O0 and -O2), a short malformed-input run, the
regression modules the fuzzers found, and wasmc's implementation limits on hostile input.

The long runs are `python scripts/fuzz.py diff --count 20000 --seed 1` and
`python scripts/fuzz.py malformed --count 10000 --seed 1` (docs/fuzzing.md).

Known open bugs: a regression module whose header says `status: open` is expected to fail
(strict xfail: once the bug is fixed, the test says so, and the header must become
`status: fixed`). Its `signature:` lines name the findings the bug causes; the short runs
below tolerate those (and report them), and fail on any other.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from fuzz import mutate, tools
from fuzz.differential import check_files, run_diff
from fuzz.malformed import run_malformed
from fuzz.reduce import REGRESSIONS_DIR, read_header

from wasmc import api
from wasmc.errors import CompileError, InvalidError, MalformedError, UnsupportedError

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
    header = read_header(path.read_text())
    result = check_files([path], tmp_path, exact_nans=header.get("nans") == "exact",
                         cc=cc, opt=int(header.get("opt", 0)))
    assert not result.findings, "\n".join(f"{f.signature}: {f.detail[:1500]}"
                                          for f in result.findings)


def test_regression_headers() -> None:
    for path in REGRESSIONS:
        header = read_header(path.read_text())
        assert header.get("status") in ("open", "fixed"), f"{path.name}: status: open|fixed"
        assert header.get("nans") in ("exact", "any"), f"{path.name}: nans: exact|any"


# ---- short runs ------------------------------------------------------------------------------

# -O0 finds what the emitter gets wrong; -O2 also what the C optimizer then exploits (the
# deleted loads and stores, the folded identities of tests/regressions/ were -O2 only).
@pytest.mark.parametrize(("opt", "count"), [(0, 300), (2, 150)], ids=["O0", "O2"])
def test_differential_short_run(opt: int, count: int, tmp_path: Path) -> None:
    """Random modules (fixed seed) agree under wasmc and Wasmtime."""
    summary = run_diff(seed=CI_SEED + opt, count=count, batch=75, workers=2, out=tmp_path,
                       opt=opt)
    _report(summary.lines())
    known = known_open_signatures()
    new = [f for f in summary.findings if f.signature not in known]
    assert summary.statuses.get("same", 0) + len(summary.findings) > 0
    assert not new, "\n".join(
        [f"{f.id}: {f.signature}\n  {f.detail[:800]}" for f in new[:10]]
        + ["reproduce: python scripts/fuzz.py check --exact-nans <module> (or without "
           "--exact-nans for raw-NaN modules); modules in " + str(tmp_path / "findings")])


def test_malformed_short_run(tmp_path: Path) -> None:
    """1,000 mutated/random inputs give C that compiles or a clean CompileError."""
    summary = run_malformed(seed=CI_SEED, count=1000, batch=250, workers=2, out=tmp_path,
                            cli_every=100)
    _report(summary.lines())
    known = known_open_signatures()
    new = [f for f in summary.findings if f.signature not in known
           and f.signature.removeprefix("C: ") not in known]
    assert summary.cases == 1000
    assert not new, "\n".join(f"{f.id} ({f.how}): {f.signature}\n  {f.detail[:800]}"
                              for f in new[:10])


# ---- generation is reproducible ----------------------------------------------------------------

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

def _translate(data: bytes) -> tuple[CompileError | None, float]:
    started = time.monotonic()
    try:
        api.translate(data, "p")
    except CompileError as err:
        return err, time.monotonic() - started
    return None, time.monotonic() - started


@pytest.mark.parametrize("data, error, words", [
    (mutate.nested_blocks(10_001), UnsupportedError, "nested more than 10000"),
    (mutate.many_locals(50_001), UnsupportedError, "more than 50000 locals"),
    (mutate.many_locals(0xFFFFFFFF), UnsupportedError, "more than 50000 locals"),
    (mutate.big_memory(65_537), InvalidError, "memory size must be at most 65536"),
    (mutate.big_memory(2**32), InvalidError, "memory size must be at most 65536"),
    (mutate.big_memory(1, 65_537), InvalidError, "memory size must be at most 65536"),
], ids=["nesting", "locals", "locals-u32-max", "memory-min", "memory-2^32", "memory-max"])
def test_limits_are_reported(data: bytes, error: type, words: str) -> None:
    err, seconds = _translate(data)
    assert isinstance(err, error), err
    assert words in str(err)
    assert seconds < 10


@pytest.mark.parametrize("data", [
    mutate.nested_blocks(10_000),
    mutate.many_locals(50_000),
    mutate.big_memory(65_536),
    mutate.long_function(100_000),
], ids=["nesting-10000", "locals-50000", "memory-65536-pages", "100000-nops"])
def test_at_the_limits_compiles(data: bytes) -> None:
    err, seconds = _translate(data)
    assert err is None
    assert seconds < 30


@pytest.mark.parametrize("data", [
    # a function section announcing 2^32 - 1 functions (and nothing else)
    mutate.MAGIC + mutate._section(1, mutate._vec([b"\x60\x00\x00"]))
    + mutate._section(3, mutate.uleb(0xFFFFFFFF) + b"\x00"),
    # 2^32 - 1 types
    mutate.MAGIC + mutate._section(1, mutate.uleb(0xFFFFFFFF) + b"\x60\x00\x00"),
    # a section longer than the module
    mutate.MAGIC + b"\x01" + mutate.uleb(0xFFFFFFFF) + b"\x01",
    # 2^32 - 1 data segments announced by the data count section
    mutate.MAGIC + mutate._section(12, mutate.uleb(0xFFFFFFFF)),
    # a u32 in 6 bytes (over-long past the 5 a u32 may take)
    mutate.MAGIC + mutate._section(1, mutate.uleb(1, 6) + b"\x60\x00\x00"),
    # a u32 whose 5th byte has bits past 32
    mutate.MAGIC + mutate._section(1, b"\x81\x80\x80\x80\x70" + b"\x60\x00\x00"),
    # a custom section whose name length is huge
    mutate.MAGIC + b"\x00\x06" + mutate.uleb(0xFFFFFFFF) + b"a",
], ids=["func-count", "type-count", "section-size", "data-count", "overlong-leb",
        "leb-too-large", "custom-name"])
def test_huge_counts_and_sizes_fail_fast(data: bytes) -> None:
    err, seconds = _translate(data)
    assert isinstance(err, MalformedError), err
    assert seconds < 2


def test_cli_reports_malformed_input_cleanly(tmp_path: Path) -> None:
    """`wasmc compile` on garbage: exit status 1 and one `wasmc: FILE: ...` line."""
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(mutate.MAGIC + b"\x01\x05\x01\x60\x00")
    proc = subprocess.run([sys.executable, "-m", "wasmc.cli", "compile", str(bad), "-o",
                           str(tmp_path / "out")], capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wasmc:"), proc.stderr

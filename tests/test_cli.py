"""The `wasmc` command line: help, version, run --invoke, errors and traps."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from wasm_bytes import section, uleb
from wasmc_cli import wasmc_cli

import wasmc
from wasmc import cli

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(wasmc.__file__).parent / "examples"
OPT = "-O0"


def run(module: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return wasmc_cli("run", OPT, module, "--invoke", name, *args)


# ---- help and version ------------------------------------------------------------------


def test_version() -> None:
    proc = wasmc_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"wasmc {wasmc.__version__}"


def test_help_lists_commands() -> None:
    proc = wasmc_cli("--help")
    assert proc.returncode == 0
    for command in ("compile", "run", "spec"):
        assert command in proc.stdout


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("compile", ["-o", "--emit-c", "--cc", "-O"]),
        ("run", ["--invoke", "--cc", "-O"]),
        ("spec", ["--json", "--cc", "-O", "-j", "-v", "--group", "--timeout"]),
    ],
)
def test_subcommand_help_explains_every_flag(command: str, flags: list[str]) -> None:
    proc = wasmc_cli(command, "--help")
    assert proc.returncode == 0
    for flag in flags:
        assert flag in proc.stdout


def test_no_command_is_a_usage_error() -> None:
    proc = wasmc_cli()
    assert proc.returncode == 2
    assert "usage:" in proc.stderr


# ---- run: the bundled examples and value formatting ------------------------------------


def test_run_example_fib() -> None:
    proc = run(EXAMPLES / "fib.wat", "fib", "20")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "6765\n", "")


def test_run_example_factorial() -> None:
    proc = run(EXAMPLES / "factorial.wat", "fac", "20")
    assert (proc.returncode, proc.stdout) == (0, "2432902008176640000\n")


@pytest.mark.parametrize(
    ("func", "arg", "printed"),
    [
        ("id_i32", "-5", "-5"),
        ("id_i32", "0xffffffff", "-1"),
        ("id_i32", "2147483648", "-2147483648"),
        ("id_i64", "-9223372036854775808", "-9223372036854775808"),
        ("id_f32", "0.1", "0.1"),
        ("id_f32", "-0.0", "-0.0"),
        ("id_f32", "-inf", "-inf"),
        ("id_f32", "nan", "nan"),
        ("id_f64", "1.5e300", "1.5e+300"),
        ("id_f64", "0x1p-3", "0.125"),
        ("id_f64", "inf", "inf"),
        ("id_f64", "-nan", "-nan"),
    ],
)
def test_run_argument_and_result_formats(func: str, arg: str, printed: str) -> None:
    proc = run(DATA / "values.wat", func, arg)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, printed + "\n", "")


def test_run_prints_results_one_per_line() -> None:
    proc = run(DATA / "values.wat", "swap", "7", "2.5")
    assert (proc.returncode, proc.stdout) == (0, "2.5\n7\n")
    proc = run(DATA / "values.wat", "nothing")
    assert (proc.returncode, proc.stdout) == (0, "")


def test_run_unknown_export_is_a_usage_error() -> None:
    proc = run(DATA / "values.wat", "nope")
    assert proc.returncode == 2
    assert "no exported function 'nope'" in proc.stderr


def test_run_wrong_argument_count_is_a_usage_error() -> None:
    proc = run(DATA / "values.wat", "id_i32")
    assert proc.returncode == 2
    assert "takes 1 argument" in proc.stderr


def test_run_bad_argument_is_a_usage_error() -> None:
    proc = run(DATA / "values.wat", "id_i32", "1.5")
    assert proc.returncode == 2
    assert "invalid i32 argument '1.5'" in proc.stderr


# ---- compile and module errors ---------------------------------------------------------


def _single_error_line(proc: subprocess.CompletedProcess[str], module: Path) -> str:
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"wasmc: {module}: "), lines[0]
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_malformed_module(tmp_path: Path) -> None:
    module = tmp_path / "bad.wasm"
    module.write_bytes(b"\0asm\x02\0\0\0")  # binary version 2
    line = _single_error_line(run(module, "f"), module)
    assert "malformed" in line
    assert "offset" in line


def test_invalid_module_names_offset_and_function() -> None:
    module = DATA / "invalid.wat"
    line = _single_error_line(run(module, "bad"), module)
    assert "invalid" in line
    assert "offset" in line
    assert "func" in line
    assert "bad" in line  # the function's name, from the name section


# The limits as docs/limits.md documents them (tests/test_limits.py checks the decoder's).
MAX_FUNCTIONS = 1_000_000
MAX_FUNCTION_SIZE = 7_654_321
MAX_MOVES = 1_000_000


def _over_the_function_limit() -> tuple[bytes, str]:
    """1,000,001 functions declared (one byte each, no code): over MAX_FUNCTIONS."""
    n = MAX_FUNCTIONS + 1
    functions = section(3, uleb(n) + bytes(n))
    data = b"\0asm\1\0\0\0" + section(1, b"\x01\x60\x00\x00") + functions
    offset = 8 + 6 + (len(functions) - len(uleb(n)) - n)  # where the count starts
    return data, f"more than {MAX_FUNCTIONS} functions, imported and defined ({n} found) " \
                 f"(at byte offset {offset:#x})"


def _over_the_function_size_limit() -> tuple[bytes, str]:
    size = MAX_FUNCTION_SIZE + 1
    code = section(10, b"\x01" + uleb(size) + b"\x00" + b"\x01" * (size - 2) + b"\x0b")
    head = b"\0asm\1\0\0\0" + section(1, b"\x01\x60\x00\x00") + section(3, b"\x01\x00")
    offset = len(head) + len(code) - size - len(uleb(size))  # the code entry's size
    return head + code, f"more than {MAX_FUNCTION_SIZE} bytes in a function body ({size} " \
                        f"found) (at byte offset {offset:#x})"


def _over_the_moves_limit() -> tuple[bytes, str]:
    """Calls of a function with 1,000 parameters and results, two bytes each: over the
    validator's limit on values moved, in the function named by the export."""
    p = 1000
    calls = MAX_MOVES // (2 * p)
    type_ = b"\x60" + uleb(p) + b"\x7f" * p + uleb(p) + b"\x7f" * p
    body = b"\x00" + b"\x41\x00" * p + b"\x10\x00" * calls + b"\x0f\x0b"
    entry = uleb(len(body)) + body
    head = (b"\0asm\1\0\0\0" + section(1, b"\x01" + type_) + section(3, b"\x01\x00")
            + section(7, b"\x01\x03big\x00\x00"))
    code = section(10, b"\x01" + entry)
    body_at = len(head) + len(code) - len(body) + 1  # after the locals' count
    offset = body_at + 2 * p + 2 * (calls - 1)
    moved = p + 2 * p * calls
    return head + code, f"more than {MAX_MOVES} values popped and pushed by the module's " \
                        f"instructions ({moved} found) (in func 0 (big), at byte offset " \
                        f"{offset:#x})"


@pytest.mark.parametrize("build", [_over_the_function_limit, _over_the_function_size_limit,
                                   _over_the_moves_limit])
def test_implementation_limit(tmp_path: Path, build: Callable[[], tuple[bytes, str]]) -> None:
    """One line: the file, the limit with the count found, and where it was read."""
    module = tmp_path / "big.wasm"
    data, expected = build()
    module.write_bytes(data)
    line = _single_error_line(run(module, "f"), module)
    assert line == f"wasmc: {module}: unsupported: implementation limit exceeded: {expected}"


def test_missing_module_file(tmp_path: Path) -> None:
    module = tmp_path / "missing.wasm"
    line = _single_error_line(run(module, "f"), module)
    assert "No such file" in line


def test_compile_builds_an_executable(tmp_path: Path) -> None:
    out = tmp_path / "fib"
    proc = wasmc_cli("compile", OPT, EXAMPLES / "fib.wat", "-o", out, "--emit-c", tmp_path / "c")
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and os.access(out, os.X_OK)
    assert list((tmp_path / "c").glob("*.c"))
    ran = subprocess.run([out, "--invoke", "fib", "10"], capture_output=True, text=True)
    assert (ran.returncode, ran.stdout) == (0, "55\n")


def test_compile_invalid_module_is_one_line() -> None:
    module = DATA / "invalid.wat"
    _single_error_line(wasmc_cli("compile", module, "-o", os.devnull), module)


# ---- traps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "args", "message"),
    [
        ("oob", [], "out of bounds memory access"),
        ("div", ["1", "0"], "integer divide by zero"),
        ("div", ["-2147483648", "-1"], "integer overflow"),
        ("unreachable", [], "unreachable"),
        ("recurse", ["0"], "call stack exhausted"),
    ],
)
def test_trap(func: str, args: list[str], message: str) -> None:
    proc = run(DATA / "traps.wat", func, *args)
    assert proc.returncode == cli.EXIT_TRAP, proc.stderr
    assert proc.stderr.splitlines() == [f"error: wasm trap: {message}",
                                        f"  in function {func}"]


# Every trap kind the CLI can report, and where: (export of tests/data/trap_kinds.wat,
# arguments, the trap message, the name-section name of the function it happened in).
TRAP_KINDS = [
    ("unreachable", [], "unreachable", "tr_unreachable"),
    ("load-oob", ["4"], "out of bounds memory access", "tr_load"),
    ("store-oob-64", ["65535"], "out of bounds memory access", "tr_store64"),
    ("fill-oob", ["65535"], "out of bounds memory access", "tr_fill"),
    ("copy-oob", ["65535"], "out of bounds memory access", "tr_copy"),
    ("table-get-oob", ["3"], "out of bounds table access", "tr_table_get"),
    ("table-fill-oob", ["1"], "out of bounds table access", "tr_table_fill"),
    ("call-undefined", ["3"], "undefined element", "tr_undefined"),
    ("call-uninitialized", ["1"], "uninitialized element", "tr_uninitialized"),
    ("call-mismatch", ["0"], "indirect call type mismatch", "tr_mismatch"),
    ("fixed-undefined", ["3"], "undefined element", "tr_fixed_undefined"),
    ("fixed-uninitialized", ["2"], "uninitialized element", "tr_fixed_uninitialized"),
    ("fixed-mismatch", ["1"], "indirect call type mismatch", "tr_fixed_mismatch"),
    ("div-by-zero", ["1", "0"], "integer divide by zero", "tr_div"),
    ("rem-by-zero", ["1", "0"], "integer divide by zero", "tr_rem"),
    ("div-overflow", ["-9223372036854775808", "-1"], "integer overflow", "tr_overflow"),
    ("trunc-nan", ["nan"], "invalid conversion to integer", "tr_trunc_nan"),
    ("trunc-big", ["1e30"], "integer overflow", "tr_trunc_big"),
    ("null-ref", ["1"], "null reference", "tr_null"),
    ("call-null-ref", ["0"], "null function reference", "tr_call_null"),
    ("recurse", ["0"], "call stack exhausted", "tr_recurse"),
    ("inner-divides", ["0", "2"], "integer divide by zero", "tr_inner"),
]
TRAP_CASES = [
    pytest.param(*case, id=f"{case[0]}-{' '.join(case[1])}" if case[1] else case[0])
    for case in TRAP_KINDS
]


@pytest.mark.parametrize(("export", "args", "message", "function"), TRAP_CASES)
def test_trap_report_run_invoke(export: str, args: list[str], message: str,
                                function: str) -> None:
    """`wasmc run --invoke` (the Python API path) reports the trap and its function."""
    proc = run(DATA / "trap_kinds.wat", export, *args)
    assert (proc.returncode, proc.stdout) == (cli.EXIT_TRAP, ""), proc.stderr
    assert proc.stderr.splitlines() == [f"error: wasm trap: {message}",
                                        f"  in function {function}"]


@pytest.fixture(scope="module")
def trap_kinds_executable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/data/trap_kinds.wat built by `wasmc compile` at -O2, where the C compiler
    inlines and reorders the most."""
    exe = tmp_path_factory.mktemp("traps") / "trap_kinds"
    proc = wasmc_cli("compile", "-O2", DATA / "trap_kinds.wat", "-o", exe)
    assert proc.returncode == 0, proc.stderr
    return exe


@pytest.mark.parametrize(("export", "args", "message", "function"), TRAP_CASES)
def test_trap_report_compiled_executable(trap_kinds_executable: Path, export: str,
                                         args: list[str], message: str, function: str) -> None:
    """The executable of `wasmc compile` reports traps exactly as `wasmc run` does."""
    proc = subprocess.run([trap_kinds_executable, "--invoke", export, "--", *args],
                          capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (cli.EXIT_TRAP, ""), proc.stderr
    assert proc.stderr.splitlines() == [f"error: wasm trap: {message}",
                                        f"  in function {function}"]


# ---- pure helpers ----------------------------------------------------------------------


def test_negative_values_are_arguments_not_options() -> None:
    ns = cli.build_parser().parse_args(
        ["run", "m.wat", "--invoke", "f", "-5", "-inf", "-nan", "-0x1p3", "-1e5", "-O3"]
    )
    assert ns.invoke == ["f", "-5", "-inf", "-nan", "-0x1p3", "-1e5"]
    assert ns.opt == 3


def test_run_gives_unoptimized_builds_room_to_recurse(tmp_path: Path) -> None:
    """`wasmc run` raises the soft stack limit to cli.RUN_STACK_BYTES: at -O0 (the quick first
    build of a large module) 400,000 calls of this function need more than the usual 8 MiB,
    which -O2 builds and Wasmtime do not (YoWASP's yosys ran out of stack at -O0)."""
    import resource

    from wasmc import cli

    def usual_stack() -> None:
        hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
        if hard != resource.RLIM_INFINITY and hard < cli.RUN_STACK_BYTES:
            pytest.fail(f"the hard stack limit ({hard} bytes) leaves no room for this test")
        resource.setrlimit(resource.RLIMIT_STACK, (8 << 20, hard))

    wat = Path(__file__).parent / "data" / "deep_recursion.wat"
    proc = wasmc_cli("run", "-O", "0", wat, "--invoke", "down", "400000",
                     preexec_fn=usual_stack)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "200000\n", "")


def test_compile_writes_into_a_special_output_file(tmp_path: Path) -> None:
    """`-o` naming a FIFO (or /dev/null) is written to, not replaced by a regular file (a
    `wasmc compile -o /dev/null` once made /dev/null a regular file for the whole machine)."""
    import os
    import stat
    import threading

    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    wat = Path(__file__).parent / "data" / "deep_recursion.wat"
    proc = wasmc_cli("compile", "-O", "0", wat, "-o", fifo)
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(b"\x7fELF")


def test_run_looks_again_when_the_quick_build_was_removed_before_it_started(
        tmp_path: Path, monkeypatch) -> None:
    """The optimized build, finished in the background, removes the quick build: a `wasmc
    run` that found the quick build just before then gets ENOENT from exec, and must look
    in the cache again (and find the optimized build) instead of failing."""
    from wasmc import runcache

    gone = tmp_path / "quick" / "program"
    optimized = tmp_path / "optimized" / "program"
    optimized.parent.mkdir()
    optimized.write_text("")
    found = iter([gone, optimized])
    monkeypatch.setattr(runcache, "executable_for", lambda *a, **k: next(found))
    monkeypatch.setattr(runcache, "fast_lookup", lambda *a, **k: None)
    started = []

    def execv(path, argv):
        if not os.path.exists(path):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        started.append((str(path), argv[0]))
        raise SystemExit(0)

    monkeypatch.setattr(cli.os, "execv", execv)
    monkeypatch.setattr(cli, "_grow_stack_limit", lambda: None)
    with pytest.raises(SystemExit):
        cli.main(["run", str(EXAMPLES / "fib.wat"), "--invoke", "fib", "5"])
    assert started == [(str(optimized), str(optimized))]

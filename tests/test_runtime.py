"""The C runtime (runtime.c, wasmc_numeric.h) and the toolchain that builds it.

The C test programs under tests/c/ are built with zig cc (clang) and GCC, at -O0 and -O2,
against the runtime, which must also compile cleanly with -Wall -Wextra -Werror."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from wasmc import toolchain
from wasmc.errors import ToolchainError
from wasmc.toolchain import (
    RUNTIME_DIR,
    compile_executable,
    compile_shared,
    find_compiler,
    run_compiler,
    runtime_flags,
    runtime_shared_library,
)

C_DIR = Path(__file__).parent / "c"
TEST_SOURCES = ["main.c", "test_memory.c", "test_tables.c", "test_traps.c", "test_numeric.c"]
SUITES = ["memory", "tables", "traps", "numeric"]
COMPILERS = ["zig", "gcc"]
STRICT = ["-Wall", "-Wextra", "-Werror"]


def _build_tests(cc_name: str, opt: int, tmp: Path) -> Path:
    cc = find_compiler(cc_name)
    # The runtime itself must be warning-free under -Wall -Wextra.
    run_compiler(
        cc,
        [
            *runtime_flags(cc, opt, pic=True),
            "-Werror",
            "-c",
            str(RUNTIME_DIR / "runtime.c"),
            "-o",
            str(tmp / "runtime-werror.o"),
        ],
    )
    sources = [C_DIR / name for name in TEST_SOURCES]
    return compile_executable(sources, tmp / "rt_tests", cc, opt, extra_flags=STRICT)


@pytest.fixture(
    scope="module",
    params=[(cc, opt) for cc in COMPILERS for opt in (0, 2)],
    ids=lambda p: f"{p[0]}-O{p[1]}",
)
def rt_tests(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cc_name, opt = request.param
    return _build_tests(cc_name, opt, tmp_path_factory.mktemp(f"rt-{cc_name}-O{opt}"))


def _run(args: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("suite", SUITES)
def test_suite(rt_tests: Path, suite: str) -> None:
    proc = _run([str(rt_tests), suite])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 failures" in proc.stdout


def test_trap_outside_protected_aborts(rt_tests: Path) -> None:
    proc = _run([str(rt_tests), "trap-outside"])
    assert proc.returncode == -signal.SIGABRT
    assert "trap outside of Wasm execution: unreachable" in proc.stderr


def test_fault_outside_wasm_keeps_default_action(rt_tests: Path) -> None:
    proc = _run([str(rt_tests), "segv-outside"])
    assert proc.returncode == -signal.SIGSEGV


# ---- a Python host: ctypes, with faulthandler enabled ---------------------------------------

_HOST_SCRIPT = textwrap.dedent(
    """
    import ctypes, faulthandler, sys
    faulthandler.enable()
    rt = ctypes.CDLL(sys.argv[1], mode=ctypes.RTLD_GLOBAL)
    module = ctypes.CDLL(sys.argv[2])
    rt.wasmc_last_trap_message.restype = ctypes.c_char_p
    for _ in range(2):
        print(module.module_oob(), rt.wasmc_last_trap_message().decode())
        print(module.module_recursion(), rt.wasmc_last_trap_message().decode())
    sys.stdout.flush()
    if sys.argv[3] == "crash":
        ctypes.string_at(1)  # a fault outside Wasm: faulthandler must still report it
    print("survived")
    """
)


@pytest.fixture(scope="module", params=COMPILERS)
def host_libraries(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    cc = find_compiler(request.param)
    runtime = runtime_shared_library(cc, 1)
    out = tmp_path_factory.mktemp(f"host-{request.param}") / "module.so"
    module = compile_shared([C_DIR / "module_ctypes.c"], out, cc, 1)
    return runtime, module


def test_python_host_survives_traps(host_libraries: tuple[Path, Path]) -> None:
    runtime, module = host_libraries
    proc = _run([sys.executable, "-c", _HOST_SCRIPT, str(runtime), str(module), "traps"])
    assert proc.returncode == 0, proc.stderr
    oob, stack = "2 out of bounds memory access", "10 call stack exhausted"
    assert proc.stdout.splitlines() == [oob, stack, oob, stack, "survived"]


def test_python_host_fault_outside_wasm_reaches_faulthandler(
    host_libraries: tuple[Path, Path],
) -> None:
    runtime, module = host_libraries
    proc = _run([sys.executable, "-c", _HOST_SCRIPT, str(runtime), str(module), "crash"])
    assert proc.returncode == -signal.SIGSEGV
    assert "Fatal Python error: Segmentation fault" in proc.stderr
    assert "survived" not in proc.stdout


# ---- toolchain ------------------------------------------------------------------------------


def test_find_compiler() -> None:
    assert find_compiler(None).kind == "clang"
    assert find_compiler("zig").is_zig
    gcc = find_compiler("gcc")
    assert gcc.kind == "gcc" and not gcc.is_zig
    assert find_compiler(gcc) is gcc
    assert find_compiler("env gcc").kind == "gcc"  # a wrapper command line
    with pytest.raises(ToolchainError, match="not found"):
        find_compiler("no-such-compiler-wasmc")


def test_wasm_tools_found() -> None:
    assert Path(toolchain.wasm_tools()).is_file()


def test_build_fingerprint() -> None:
    zig, gcc = find_compiler("zig"), find_compiler("gcc")
    fingerprint = toolchain.build_fingerprint(zig, 2)
    assert fingerprint == toolchain.build_fingerprint(zig, 2)
    assert fingerprint != toolchain.build_fingerprint(zig, 1)
    assert fingerprint != toolchain.build_fingerprint(gcc, 2)
    assert fingerprint != toolchain.build_fingerprint(zig, 2, shared=False)


def test_bad_opt_level() -> None:
    with pytest.raises(ToolchainError, match="optimization level"):
        toolchain.opt_flag(4)


def test_compile_error_reports_command_and_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "bad.c"
    bad.write_text("int f(void) { return undeclared_name; }\n")
    with pytest.raises(ToolchainError) as info:
        compile_shared([bad], tmp_path / "bad.so", "gcc", 0)
    message = str(info.value)
    assert "undeclared_name" in message and str(bad) in message
    assert not (tmp_path / "bad.so").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.c"]  # no temporary left behind


def test_zig_debug_build_has_no_ubsan(tmp_path: Path) -> None:
    # zig cc turns on UBSan (trap mode) for unoptimized builds; our flags turn it off.
    src = tmp_path / "overflow.c"
    src.write_text(
        "#include <limits.h>\n"
        "int main(int argc, char **argv) { (void)argv; int x = INT_MAX - 1 + argc;\n"
        "  return (x + 1) == INT_MIN ? 0 : 1; }\n"
    )
    exe = compile_executable([src], tmp_path / "overflow", "zig", 0)
    assert _run([str(exe)]).returncode == 0


def test_runtime_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    # Concurrent first uses (threads here; processes are covered by the atomic rename).
    with ThreadPoolExecutor(3) as pool:
        paths = list(pool.map(lambda _: runtime_shared_library("gcc", 0), range(3)))
    assert len(set(paths)) == 1
    lib = paths[0]
    assert lib.is_relative_to(tmp_path / "wasmc") and lib.name == "libwasmc_rt.so"
    mtime = lib.stat().st_mtime_ns
    assert runtime_shared_library("gcc", 0) == lib and lib.stat().st_mtime_ns == mtime
    assert runtime_shared_library("gcc", 1) != lib  # other flags, other build
    assert toolchain.runtime_object("gcc", 0).name == "wasmc_rt.o"
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []

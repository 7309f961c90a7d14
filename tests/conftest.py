"""Shared fixtures: the spec testsuite, wasm-tools, and a warm C toolchain.

The first build with the bundled zig clang compiles zig's libc and compiler-rt pieces into
its cache, which takes a while. The session fixture below does that once, before any test
builds anything; with pytest-xdist the workers take a file lock so that one warms the cache
and the others then find it ready.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from wasmc import toolchain
from wasmc.spec import testsuite

WARM_OPTS = (0,)  # the optimization level the tests build at


@pytest.fixture(scope="session", autouse=True)
def warm_toolchain() -> Iterator[None]:
    lock_path = Path(tempfile.gettempdir()) / "wasmc-test-warm-up.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            toolchain.warm_up(None, opts=WARM_OPTS)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    yield


@pytest.fixture(scope="session")
def testsuite_dir() -> Path:
    root = testsuite.testsuite_dir()
    if not (root / "GROUPS.txt").is_file():
        pytest.fail(f"spec testsuite not found at {root} (set WASM_TESTSUITE)")
    return root


@pytest.fixture(scope="session")
def wasm_tools() -> str:
    return toolchain.wasm_tools()


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch) -> None:
    """A wasmc cache of the test's own (background builds inherit it), with the built
    runtime; zig's cache stays where it was (it also follows XDG_CACHE_HOME)."""
    real_runtime = toolchain.cache_dir() / "runtime"
    real_runtime.mkdir(parents=True, exist_ok=True)
    zig_cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    monkeypatch.setenv("ZIG_GLOBAL_CACHE_DIR",
                       os.environ.get("ZIG_GLOBAL_CACHE_DIR") or os.path.join(zig_cache, "zig"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "cache" / "wasmc").mkdir(parents=True)
    (tmp_path / "cache" / "wasmc" / "runtime").symlink_to(real_runtime)

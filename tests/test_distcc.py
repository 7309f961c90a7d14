"""Compiler wrappers for large modules (docs/large-modules.md, "Distributed and cached
builds"): `--cc "distcc gcc"` hands the C files of a split module to a real `distccd`
(Debian's, listening on 127.0.0.1 only), and `--cc "ccache gcc"` takes them from ccache's
cache the second time. Both tools come from .ci/install-test-tools; the tests fail, not
skip, without them.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import wasmtime
from test_large_modules import module_wat

from wasmc import api
from wasmc.codegen import split

N_FUNCS = 400  # about 11,000 instructions: 4 function files of the size forced below
CHECKED = ["f0", "f99", "f100", "late_divide"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} not found: install it (.ci/install-test-tools does, with apt-get)"
    return path


@pytest.fixture
def small_buckets(monkeypatch) -> None:
    """Split even this small module, into files of about 4,000 instructions."""
    monkeypatch.setattr(split, "SPLIT_MIN_INSTRS", 1000)
    monkeypatch.setattr(split, "BUCKET_INSTRS", 4000)


@pytest.fixture(scope="module")
def wasm(tmp_path_factory) -> bytes:
    wat = tmp_path_factory.mktemp("wrappers") / "module.wat"
    wat.write_text(module_wat(N_FUNCS))
    return api.read_source(wat)


def check_runs_as_under_wasmtime(exe: Path, wasm: bytes) -> None:
    store = wasmtime.Store()
    exports = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), []).exports(store)
    for name in CHECKED:
        ran = subprocess.run([str(exe), "--invoke", name, "--", "12345"], capture_output=True,
                             text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.strip() == str(exports[name](store, 12345)), name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def distccd(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A distccd on 127.0.0.1 (port, log file). It logs to stderr, into a file this process
    opens: as root, distccd runs as the `distccd` user, which could not open a log file of
    ours itself. Stopped with its whole process group (its preforked children)."""
    port = _free_port()
    log = tmp_path / "distccd.log"
    with open(log, "wb") as out:
        daemon = subprocess.Popen(
            [_tool("distccd"), "--daemon", "--no-detach", "--allow", "127.0.0.1",
             "--listen", "127.0.0.1", "--port", str(port), "--jobs", "2",
             "--log-stderr", "--log-level", "info"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert daemon.poll() is None, f"distccd exited:\n{log.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"distccd not listening:\n{log.read_text()}"
                time.sleep(0.1)
        yield port, log
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=30)


def test_distcc_compiles_a_split_module(wasm, tmp_path, distccd, small_buckets, monkeypatch):
    """Every C file of the split module is compiled by the distccd (its log names each);
    distcc may not fall back to compiling locally, so a compile it cannot hand over fails
    the build. The executable runs as Wasmtime runs the module."""
    port, log = distccd
    _tool("distcc")
    monkeypatch.setenv("DISTCC_HOSTS", f"127.0.0.1:{port}")
    monkeypatch.setenv("DISTCC_FALLBACK", "0")  # no local compile when distributing fails
    monkeypatch.setenv("DISTCC_SKIP_LOCAL_RETRY", "1")  # nor after a remote failure
    (tmp_path / "distcc").mkdir()
    monkeypatch.setenv("DISTCC_DIR", str(tmp_path / "distcc"))  # the client's state
    c_dir = tmp_path / "c"
    exe = api.build_executable(wasm, tmp_path / "program", cc="distcc gcc", opt=0, jobs=2,
                               emit_c_dir=c_dir)
    files = sorted(p.name for p in c_dir.glob("module*.c"))
    assert len(files) >= 4  # the module file and its function files
    served = set(re.findall(r"COMPILE_OK exit:0 .* (\S+\.c)$", log.read_text(), re.M))
    assert set(files) <= served, log.read_text()
    check_runs_as_under_wasmtime(exe, wasm)


def _ccache_stats(env: dict[str, str]) -> dict[str, int]:
    out = subprocess.run([_tool("ccache"), "--print-stats"], env=env, capture_output=True,
                         text=True, check=True).stdout
    return {key: int(value) for key, value in (line.split("\t") for line in out.splitlines())}


def test_ccache_hits_on_the_second_build(wasm, tmp_path, small_buckets, monkeypatch):
    """The same module built twice with `ccache gcc`: the second build's C files all come
    from the cache, although each build writes its C into a new temporary directory."""
    monkeypatch.setenv("CCACHE_DIR", str(tmp_path / "ccache"))
    env = dict(os.environ)
    progress: list[int] = []
    first = api.build_executable(wasm, tmp_path / "first", cc="ccache gcc", opt=0, jobs=2,
                                 on_progress=lambda done, total: progress.append(total))
    files = progress[-1]  # C files compiled
    assert files >= 4
    subprocess.run([_tool("ccache"), "--zero-stats"], env=env, check=True,
                   capture_output=True)
    second = api.build_executable(wasm, tmp_path / "second", cc="ccache gcc", opt=0, jobs=2)
    stats = _ccache_stats(env)
    hits = stats["direct_cache_hit"] + stats["preprocessed_cache_hit"]
    assert (hits, stats["cache_miss"]) == (files, 0), stats
    assert first.read_bytes() == second.read_bytes()
    check_runs_as_under_wasmtime(second, wasm)

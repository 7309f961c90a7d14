"""The compile cache's size limit (cachesize.py): the least recently used builds go first, a
hit counts as a use, recent entries and other directories are kept, and `wasmc cache`
shows and prunes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from wasmc_cli import wasmc_cli

import wasmc
from wasmc import cachesize, runcache
from wasmc.compiler import read_source


def _entry(path: Path, size: int, age: float) -> Path:
    """A file of `size` bytes (or, for a directory path, one with a program of that size),
    last used `age` seconds ago."""
    file = path / "program" if path.suffix == "" and path.parent.name == "executables" \
        else path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(b"x" * size)
    then = time.time() - age
    os.utime(file, (then, then))
    if file != path:
        os.utime(path, (then, then))
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache of one of every kind of entry, 64 kB each, the oldest first (a module saved
    for a background build that never finished, then a library, ...), and what is not an
    entry: the runtime, the benchmark's builds."""
    root = tmp_path / "wasmc"
    _entry(root / "modules" / "a.so", 65536, 5000)
    _entry(root / "modules" / "a.ref", 65536, 4000)
    _entry(root / "executables" / "b", 65536, 3000)
    _entry(root / "executables" / "fast" / "c", 65536, 2000)
    _entry(root / "modules" / "d.so", 65536, 1000)
    _entry(root / "executables" / "pending" / "e.wasm", 65536, 9000)
    _entry(root / "runtime" / "f.o", 65536, 9000)
    _entry(root / "bench" / "g", 65536, 9000)
    return root


def _names(root: Path) -> set[str]:
    return {e.path.name for e in cachesize.entries(root)}


def test_entries_are_the_builds_and_their_records(cache: Path) -> None:
    found = cachesize.entries(cache)
    assert {e.path.name for e in found} == {"e.wasm", "a.so", "a.ref", "b", "c", "d.so"}
    assert all(e.size >= 65536 for e in found)


def test_prune_removes_the_least_recently_used_first(cache: Path) -> None:
    removed, freed = cachesize.prune(cache, 3 * 65536 + 4096 * 3)
    assert removed == 3 and freed >= 3 * 65536
    assert _names(cache) == {"b", "c", "d.so"}
    assert (cache / "runtime" / "f.o").exists() and (cache / "bench" / "g").exists()
    cachesize.prune(cache, 0)
    assert _names(cache) == set()


def test_prune_keeps_the_module_of_a_background_build_under_way(cache: Path) -> None:
    """A pending module whose build holds its lock (running, or waiting for its turn) is
    kept, however old; once the lock is free, it goes with its log."""
    from wasmc import background

    pending = cache / "executables" / "pending"
    (pending / "e.log").write_text("building")
    held = background.lock(pending / "e.lock")
    assert held is not None
    with held:
        cachesize.prune(cache, 0)
        assert _names(cache) == {"e.wasm"} and (pending / "e.log").exists()
    cachesize.prune(cache, 0)
    assert _names(cache) == set() and not (pending / "e.log").exists()


def test_prune_keeps_what_was_used_in_the_grace_period(cache: Path) -> None:
    cachesize.prune(cache, 0, grace=1500)
    assert _names(cache) == {"d.so"}


def test_enforce_prunes_to_nine_tenths_of_the_limit(cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("WASMC_CACHE_SIZE", "10M")
    cachesize.enforce(cache)
    assert len(_names(cache)) == 6  # under the limit: nothing to do
    monkeypatch.setenv("WASMC_CACHE_SIZE", str(4 * 65536 + 4 * 4096))
    cachesize.enforce(cache)  # 6 entries over a limit of 4: down to 3
    assert _names(cache) == {"b", "c", "d.so"}
    monkeypatch.setenv("WASMC_CACHE_SIZE", "none")
    cachesize.enforce(cache)
    assert len(_names(cache)) == 3


@pytest.mark.parametrize("text, size", [
    ("2048", 2048), ("500M", 500 << 20), ("10G", 10 << 30), ("1.5k", 1536), ("2GiB", 2 << 30),
    ("none", None), ("0", None), ("0G", None),
])
def test_sizes(text: str, size: int | None) -> None:
    assert cachesize.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "ten", "-5M", "5X"])
def test_not_sizes(text: str) -> None:
    with pytest.raises(ValueError, match="not a size"):
        cachesize.parse_size(text)


def test_a_bad_limit_warns_and_keeps_the_default(monkeypatch, capsys) -> None:
    monkeypatch.setenv("WASMC_CACHE_SIZE", "lots")
    assert cachesize.limit() == 10 << 30
    assert "WASMC_CACHE_SIZE" in capsys.readouterr().err


PROGRAM = read_source("""(module
  (func (export "answer") (result i32) (i32.const 42)))""")


def _age_everything(root: Path, age: float) -> None:
    then = time.time() - age
    for e in cachesize.entries(root):
        os.utime(e.path, (then, then))


def test_hits_touch_and_new_builds_push_old_ones_out(private_cache, monkeypatch) -> None:
    """Through the API and `wasmc run`'s cache: a hit makes an entry recent; a build stored
    over the limit removes entries not used for longer than the grace period, and not the
    new build."""
    root = runcache.cache_root()
    assert wasmc.load(PROGRAM).exports.answer() == 42
    exe = runcache.executable_for(PROGRAM, opt=0, progress=False)
    assert exe.is_file()
    built = _names(root)
    assert any(n.endswith(".so") for n in built) and exe.parent.name in built
    _age_everything(root, 3600)
    assert runcache.fast_lookup(PROGRAM, None, 0) == str(exe)  # `wasmc run`'s fast path
    assert wasmc.load(PROGRAM).exports.answer() == 42  # the API's cached library
    recent = {e.path.name for e in cachesize.entries(root) if e.used > time.time() - 60}
    assert exe.parent.name in recent and any(n.endswith(".so") for n in recent)
    assert any(n.endswith(".ref") for n in recent)

    _age_everything(root, 3600)
    old = _entry(root / "executables" / "old", 1 << 20, 7200)
    monkeypatch.setenv("WASMC_CACHE_SIZE", "1")  # everything is over it
    other = read_source("""(module (func (export "answer") (result i32) (i32.const 7)))""")
    assert wasmc.load(other).exports.answer() == 7
    left = cachesize.entries(root)
    assert not old.exists()
    assert len(left) == 2 and all(e.used > time.time() - 60 for e in left)  # .so and .ref


def test_cache_command_shows_and_prunes(private_cache) -> None:
    root = runcache.cache_root()
    _entry(root / "executables" / "old", 1 << 20, 7200)
    _entry(root / "executables" / "new", 1 << 20, 0)
    info = wasmc_cli("cache", "info")
    assert info.returncode == 0
    assert "2 entries" in info.stdout and "2.0 MiB" in info.stdout and "10.0 GiB" in info.stdout
    pruned = wasmc_cli("cache", "prune", "--max-size", "1.5M")
    assert pruned.returncode == 0, pruned.stderr
    assert "removed 1 cached build(s)" in pruned.stdout and "1 entries" in pruned.stdout
    assert not (root / "executables" / "old").exists()
    assert (root / "executables" / "new").exists()
    bad = wasmc_cli("cache", "prune", "--max-size", "big")
    assert bad.returncode == 2 and "not a size" in bad.stderr

"""Keeps the compile cache under a size limit: after a build is stored, the builds used least
recently are deleted until the cache is under the limit again.

The entries are `wasmc run`'s executables (`executables/<key>/`) and their fast-key aliases
(`executables/fast/<key>`), the API's shared libraries (`modules/<key>.so`) with the
records of which batch of modules each holds (`modules/<key>.ref`), and the modules saved
for background builds (`*/pending/<key>.wasm`, background.py): a build that was killed
leaves its module there, and no build of that key may ever come again. One whose build is
running or waiting (its lock held) is kept. A cache hit touches
its entry, so an entry's modification time is when it was last used, and the oldest go
first. Entries changed in the last `GRACE` seconds are kept: another process may be about
to load the library it has just found, or rename a build into its directory. So a busy
session can be over the limit for a while. Not counted: the C runtime's objects (`runtime/`,
a few hundred kB per compiler and level) and the benchmark's builds (`bench/`).

The limit is `$WASMC_CACHE_SIZE`: a size with an optional K, M, G or T (powers of 1024),
"none" or 0 for no limit; 10G by default (the optimized and the quick build of a 70 MB
module take about 800 MB). `wasmc cache info` shows the use, `wasmc cache prune` prunes.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_LIMIT = "10G"
GRACE = 60.0  # seconds
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int | None:
    """Bytes from "500M", "10G", "2048" ("none" or 0: None, no limit); ValueError if the
    text is none of these."""
    value = text.strip().upper().removesuffix("IB").removesuffix("B")
    if value in ("NONE", "0"):
        return None
    unit = value[-1:] if value[-1:] in _UNITS else ""
    number = value[:len(value) - len(unit)]
    try:
        size = float(number) * _UNITS[unit]
    except ValueError:
        raise ValueError(f"not a size: {text!r} (e.g. 500M, 10G, or none)") from None
    if size < 0:
        raise ValueError(f"not a size: {text!r} (e.g. 500M, 10G, or none)")
    return int(size) or None


def limit() -> int | None:
    """The cache's size limit in bytes ($WASMC_CACHE_SIZE; None: no limit). A value that is
    not a size counts as the default, with a warning: it must not stop a build."""
    text = os.environ.get("WASMC_CACHE_SIZE", DEFAULT_LIMIT)
    try:
        return parse_size(text)
    except ValueError as e:
        import sys

        print(f"wasmc: warning: WASMC_CACHE_SIZE: {e}; using {DEFAULT_LIMIT}", file=sys.stderr)
        return parse_size(DEFAULT_LIMIT)


def format_size(size: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def touch(path: str | os.PathLike[str]) -> None:
    """Mark an entry as used now (a cache hit). Errors are ignored: a read-only cache still
    serves hits."""
    try:
        os.utime(path)
    except OSError:
        pass


@dataclass
class Entry:
    path: Path
    size: int  # bytes on disk
    used: float  # modification time: last stored or hit


def _disk_size(path: str) -> int:
    return os.stat(path, follow_symlinks=False).st_blocks * 512


def entries(root: Path) -> list[Entry]:
    """Every entry of the cache at `root` (the directory `wasmc cache dir` prints)."""
    found = []

    def add_files(directory: Path, keep) -> None:  # type: ignore[no-untyped-def]
        try:
            listing = list(os.scandir(directory))
        except OSError:
            return
        for item in listing:
            try:
                if keep(item):
                    found.append(Entry(Path(item.path), _disk_size(item.path),
                                       item.stat(follow_symlinks=False).st_mtime))
            except OSError:
                pass  # removed meanwhile

    add_files(root / "modules", lambda item: item.name.endswith((".so", ".ref"))
              and not item.name.startswith("."))
    add_files(root / "executables" / "fast", lambda item: not item.name.startswith("."))
    for kind in ("modules", "executables"):
        add_files(root / kind / "pending", lambda item: item.name.endswith(".wasm")
                  and not item.name.startswith("."))
    try:
        builds = [item for item in os.scandir(root / "executables")
                  if item.is_dir(follow_symlinks=False) and item.name not in ("fast", "pending")]
    except OSError:
        builds = []
    for build in builds:
        try:
            size = sum(_disk_size(f.path) for f in os.scandir(build.path))
            found.append(Entry(Path(build.path), size, build.stat().st_mtime))
        except OSError:
            pass
    return found


def _remove(entry: Entry) -> bool:
    """Delete an entry; False if it is a pending build's module whose build holds it."""
    path = entry.path
    if path.parent.name == "pending":
        from . import background

        held = background.lock(path.with_suffix(".lock"))
        if held is None:
            return False
        with held:
            for suffix in (".wasm", ".log", ".failed"):
                path.with_suffix(suffix).unlink(missing_ok=True)
        return True
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    return True


def prune(root: Path, max_bytes: int, grace: float = 0.0,
          found: list[Entry] | None = None) -> tuple[int, int]:
    """Delete the least recently used entries until the cache at `root` holds at most
    `max_bytes`, keeping those used in the last `grace` seconds. `found`: its entries, if
    the caller has listed them. Returns (entries removed, bytes freed)."""
    found = sorted(entries(root) if found is None else found, key=lambda e: e.used)
    total = sum(e.size for e in found)
    removed = freed = 0
    recent = time.time() - grace
    for entry in found:
        if total - freed <= max_bytes or entry.used > recent:
            break
        if _remove(entry):
            removed += 1
            freed += entry.size
    return removed, freed


def enforce(root: Path) -> None:
    """After storing a build: if the cache is over its limit, prune it to 90 % of it (so
    that the next builds do not each prune again)."""
    size_limit = limit()
    if size_limit is None:
        return
    found = entries(root)
    if sum(e.size for e in found) > size_limit:
        prune(root, size_limit * 9 // 10, grace=GRACE, found=found)

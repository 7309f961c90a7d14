"""The compile cache of native executables behind `wasmc run` (issue 4).

A cached executable lives at `<cache>/executables/<key>/<name>`, where `<cache>` is
`toolchain.cache_dir()` ($XDG_CACHE_HOME/wasmc) and `<key>` is a hash of the module's bytes,
the wasmc version, `toolchain.build_fingerprint(cc, opt, shared=False)` (the compiler's
identity, the flags, the runtime headers), the runtime's C sources (linked in statically)
and the Python sources that shape the output (sources.py). Builds are linked to a temporary name
and renamed into place, so concurrent runs of the same module are safe: both may compile,
and either result is complete.

Resolving the compiler (`cc --version`) and hashing the fingerprint costs tens of
milliseconds, so a second, *fast* key indexes the cache as well: the module's bytes, the
version, the `--cc` command as given, the optimization level, and the size and modification
time of the compiler's executable and of wasmc's sources. `fast_lookup` needs only that key
and this module (no compiler run, no other wasmc import); a hit points to the executable,
which `wasmc run` then `exec`s.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator

from . import __version__
from .sources import sha256, source_files, sources_digest


def _digest(data: bytes) -> bytes:
    """SHA-256 of module bytes: OpenSSL's (hardware-accelerated, worth loading) for big
    modules, the built-in one for small ones. Same digest either way."""
    if len(data) > 1 << 20:
        import hashlib

        return hashlib.sha256(data).digest()
    return sha256(data).digest()


TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from pathlib import Path

# The fast path (fast_lookup) works on strings: pathlib costs milliseconds to import.
EXE_NAME = "program"


def _cache_root() -> str:
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        if not base or not os.path.isabs(base):
            base = os.path.expanduser("~/.cache")
        return os.path.join(base, "wasmc")
    from . import toolchain

    return str(toolchain.cache_dir())


def cache_root() -> Path:
    """Same directory as `toolchain.cache_dir()` (platformdirs' rule on Linux), computed
    without importing platformdirs."""
    from pathlib import Path

    return Path(_cache_root())


def executables_dir() -> Path:
    return cache_root() / "executables"


def _stat_signature(h, path: str) -> None:
    try:
        st = os.stat(path)
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    except OSError:
        h.update(f"{path}\0missing\0".encode())


def _compiler_files(cc: str | None) -> list[str]:
    """The executables that a `--cc` value names (for the fast key: their stat signature)."""
    if cc is None or cc.strip() in ("", "zig", "clang", "zig cc"):
        import importlib.util

        spec = importlib.util.find_spec("ziglang")
        if spec is not None and spec.origin is not None:
            return [os.path.join(os.path.dirname(spec.origin), "zig")]
        return []
    import shutil

    found = []
    for word in cc.split():
        path = shutil.which(word)
        if path:
            found.append(os.path.realpath(path))
    return found


def fast_key(data: bytes, cc: str | None, opt: int) -> str:
    h = sha256()
    h.update(f"wasmc {__version__}\0opt {opt}\0cc {cc!r}\0".encode())
    h.update(_digest(data))
    for path in _compiler_files(cc):
        _stat_signature(h, path)
    for path in source_files():
        _stat_signature(h, path)
    return h.hexdigest()[:32]


def full_key(data: bytes, compiler, opt: int) -> str:
    """The content key: module bytes, wasmc version, build fingerprint, runtime and
    code-generator sources."""
    from . import toolchain

    h = sha256()
    h.update(f"wasmc {__version__}\0".encode())
    h.update(toolchain.build_fingerprint(compiler, opt, shared=False).encode() + b"\0")
    h.update(sources_digest())
    h.update(_digest(data))
    return h.hexdigest()[:32]


def _alias_path(key: str) -> str:
    return os.path.join(_cache_root(), "executables", "fast", key)


def fast_lookup(data: bytes, cc: str | None, opt: int) -> str | None:
    """The path of the cached executable for this module and build, found without running
    anything (and without importing pathlib)."""
    try:
        with open(_alias_path(fast_key(data, cc, opt)), encoding="utf-8") as f:
            target = f.read().strip()
    except OSError:
        return None
    exe = os.path.join(_cache_root(), "executables", target, EXE_NAME)
    return exe if os.access(exe, os.X_OK) else None


def _write_atomically(path: Path, text: str) -> None:
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def executable_for(data: bytes, *, cc: str | None = None, opt: int = 2, use_cache: bool = True,
                   label: str = "module", progress: bool | None = None,
                   jobs: int | None = None) -> Path:
    """A native executable for the module `data` (see codegen/executable.py), from the
    cache or built (and cached). With `use_cache=False` it is built into a fresh temporary
    directory (the caller may delete it) and the cache is neither read nor written.
    `progress`: show a progress display on stderr while compiling (default: if a tty).
    `jobs`: C compilers (and Python workers, for a large module) at a time; it does not
    change the executable, so it is not part of the key."""
    from pathlib import Path

    if use_cache:
        found = fast_lookup(data, cc, opt)
        if found is not None:
            return Path(found)
    from . import toolchain

    compiler = toolchain.find_compiler(cc)
    if use_cache:
        # The fast key is taken before the content key and the build, and the alias is
        # written only if it is unchanged afterwards: a source edited meanwhile must not
        # map its new state to an executable built from the old one.
        fast = fast_key(data, cc, opt)
        key = full_key(data, compiler, opt)
        exe = executables_dir() / key / EXE_NAME
        if not os.access(exe, os.X_OK):
            _build(data, exe, compiler, opt, label, progress, jobs)
        if fast_key(data, cc, opt) == fast:
            _write_atomically(_alias_path(fast), key)
        return exe
    import tempfile

    exe = Path(tempfile.mkdtemp(prefix="wasmc-run-")) / EXE_NAME
    _build(data, exe, compiler, opt, label, progress, jobs)
    return exe


def _build(data: bytes, exe: Path, compiler, opt: int, label: str,
           progress: bool | None, jobs: int | None = None) -> None:
    from .compiler import build_executable

    with compile_progress(f"{label} ({len(data) / 1024:.0f} KiB)", progress) as on_progress:
        build_executable(data, exe, cc=compiler, opt=opt, jobs=jobs,
                             on_progress=on_progress)


@contextlib.contextmanager
def compile_progress(description: str, show: bool | None = None
                     ) -> Iterator[Callable[[int, int], None] | None]:
    """A progress display on stderr while a module compiles (`show`: default, if stderr is
    a terminal): a bar of C files compiled out of those emitted so far (a large module is
    several files, see docs/large-modules.md) and the elapsed time. Yields the
    `on_progress(compiled, total)` callback for build_executable, or None without display."""
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (SpinnerColumn(), TextColumn("[bold]wasmc[/] compiling {task.description}"),
               BarColumn(), MofNCompleteColumn(), TextColumn("C files"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def on_progress(compiled: int, total: int) -> None:
            bar.update(task, completed=compiled, total=total)

        yield on_progress


def clean() -> int:
    """Delete every cached build of a module (executables and the Python API's shared
    libraries; not the C runtime); returns the number of entries removed."""
    import shutil

    count = 0
    for name in ("executables", "modules"):
        root = cache_root() / name
        if root.is_dir():
            count += sum(1 for p in root.iterdir() if p.name != "fast")
            shutil.rmtree(root, ignore_errors=True)
    return count

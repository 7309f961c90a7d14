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

**Quick first build.** A large module takes long to build optimized (a 1.3 MB module: about
45 s of CPU time at -O2, 13 s at -O0). With `quick=True` (what `wasmc run` does,
unless `--no-quick`), a cache miss for a module with at least QUICK_MIN_CODE_BYTES of code
builds it first with its C files at -O0 (`toolchain.QUICK_FLAGS`; cached under its own key)
and returns that, after starting the optimized build in a detached background process (`python
-m wasmc.runcache build ...`, at low priority, see background.py); later runs use the quick
build until the optimized one is in the cache, then the optimized one, and the background
build deletes the quick one. If the background build fails, the next run builds in the
foreground, which reports the error. docs/large-modules.md has the measurements and the
trade-off: the first run's program runs at -O0 speed.
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


def stat_signature(h, path: str) -> None:
    """Add a file's path, size and modification time to the hash `h` (a stand-in for its
    contents)."""
    try:
        st = os.stat(path)
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    except OSError:
        h.update(f"{path}\0missing\0".encode())


def compiler_files(cc: str | None) -> list[str]:
    """The executables that a `--cc` value names (for the fast key and the record of the
    compiler's version, toolchain._version_record: their stat signature)."""
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
    for path in compiler_files(cc):
        stat_signature(h, path)
    for path in source_files():
        stat_signature(h, path)
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
    alias = _alias_path(fast_key(data, cc, opt))
    try:
        with open(alias, encoding="utf-8") as f:
            target = f.read().strip()
    except OSError:
        return None
    exe = os.path.join(_cache_root(), "executables", target, EXE_NAME)
    if not os.access(exe, os.X_OK):
        return None
    _touch(alias, os.path.dirname(exe))
    return exe


def _touch(*paths: str | os.PathLike[str]) -> None:
    """Mark cache entries as used now, for the size limit's eviction (cachesize.py, which
    this fast path does not import)."""
    for path in paths:
        try:
            os.utime(path)
        except OSError:
            pass  # a read-only cache still serves hits


def _write_atomically(path: Path, text: str) -> None:
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


QUICK_MIN_CODE_BYTES = 256 * 1024
"""`executable_for(quick=True)` builds a module quickly first if its code section has at least
this many bytes (about 120k instructions: some 10 s of C compiler CPU time at -O2, where
-O0 saves more than the background build costs the machine). Smaller modules, every
benchmark program among them, are built optimized at once. The quick build applies only to
modules that are split into several C files (codegen/split.py, from 80k instructions), which
every module above this size is in practice."""


def code_section_size(data: bytes) -> int:
    """The size in bytes of the module's code section (0 if there is none or the module is
    malformed: the build reports that), read from the section headers without decoding."""
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        size, shift, pos = 0, 0, pos + 1
        while pos < len(data):
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        if section_id == 10:
            return size
        pos += size
    return 0


def wants_quick_build(data: bytes, opt: int) -> bool:
    """Whether `wasmc run` builds this module quickly first (see QUICK_MIN_CODE_BYTES)."""
    return opt > 0 and code_section_size(data) >= QUICK_MIN_CODE_BYTES


def executable_for(data: bytes, *, cc: str | None = None, opt: int = 2, use_cache: bool = True,
                   label: str = "module", progress: bool | None = None,
                   jobs: int | None = None, quick: bool = False) -> Path:
    """A native executable for the module `data` (see codegen/executable.py), from the
    cache or built (and cached). With `use_cache=False` it is built into a fresh temporary
    directory (the caller may delete it) and the cache is neither read nor written.
    `progress`: show a progress display on stderr while compiling (default: if a tty).
    `jobs`: C compilers (and Python workers, for a large module) at a time; it does not
    change the executable, so it is not part of the key. `quick`: for a large module not
    yet in the cache, return a quick build and build the optimized one in the background
    (see the module docstring)."""
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
        if os.access(exe, os.X_OK):
            _touch(exe.parent)
        else:
            from . import background

            if quick and wants_quick_build(data, opt) \
                    and not background.has_failed(_pending_dir(), key):
                return _quick_executable(data, compiler, cc, opt, key, label, progress, jobs)
            _build(data, exe, compiler, opt, label, progress, jobs)
            background.forget_failure(_pending_dir(), key)
            _keep_under_limit()
        if fast_key(data, cc, opt) == fast:
            _write_atomically(_alias_path(fast), key)
        return exe
    import tempfile

    exe = Path(tempfile.mkdtemp(prefix="wasmc-run-")) / EXE_NAME
    _build(data, exe, compiler, opt, label, progress, jobs)
    return exe


def _build(data: bytes, exe: Path, compiler, opt: int, label: str,
           progress: bool | None, jobs: int | None = None, quick: bool = False) -> None:
    from .compiler import build_executable

    with compile_progress(f"{label} ({len(data) / 1024:.0f} KiB)", progress) as on_progress:
        build_executable(data, exe, cc=compiler, opt=opt, jobs=jobs,
                         on_progress=on_progress, quick=quick)


def _keep_under_limit() -> None:
    from . import cachesize

    cachesize.enforce(cache_root())


# ---- the quick first build and the optimized build in the background ---------------------


def _pending_dir() -> Path:
    return executables_dir() / "pending"


def _quick_executable(data: bytes, compiler, cc: str | None, opt: int, key: str, label: str,
                      progress: bool | None, jobs: int | None) -> Path:
    """The quick build of the module (cached under its own key, built if missing), after
    starting the optimized build (`key`) in the background unless one is under way."""
    exe = _quick_path(key)
    if os.access(exe, os.X_OK):
        _touch(exe.parent)
    else:
        _build(data, exe, compiler, opt, f"{label} (quick build)", progress, jobs, quick=True)
        _keep_under_limit()
    _start_background_build(data, cc, opt, key, jobs)
    return exe


def _quick_path(key: str) -> Path:
    """Where the quick build of the module whose optimized build is `key` is cached."""
    from . import toolchain

    return executables_dir() / toolchain.quick_key(key) / EXE_NAME


def _start_background_build(data: bytes, cc: str | None, opt: int, key: str,
                            jobs: int | None) -> None:
    """Start `python -m wasmc.runcache build` for `key` in the background (background.py),
    unless a build of `key` is under way."""
    from . import background

    background.start(_pending_dir(), key, data, "wasmc.runcache",
                     [str(opt), str(jobs or 0), *([cc] if cc is not None else [])])


def _background_main(module: str, key: str, opt: str, jobs: str, cc: str | None = None) -> int:
    """The detached optimized build: `python -m wasmc.runcache build MODULE KEY OPT JOBS
    [CC]`. Builds MODULE into the cache (as `executable_for` does) unless another process
    holds KEY's lock or it is there already; on failure writes KEY.failed."""
    import shutil

    from . import background

    def build(data: bytes) -> None:
        executable_for(data, cc=cc, opt=int(opt), progress=False, jobs=int(jobs) or None)

    # The quick build is not needed any more: runs find the optimized one first. One that
    # is running goes on (its file stays until it exits); `wasmc run` looks again if it
    # loses the race between finding the quick build and starting it.
    return background.run(module, key, build,
                           done=lambda: shutil.rmtree(_quick_path(key).parent,
                                                      ignore_errors=True))


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
            count += sum(1 for p in root.iterdir() if p.name not in ("fast", "pending"))
            shutil.rmtree(root, ignore_errors=True)
    return count


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "build":
        sys.exit(_background_main(*sys.argv[2:7]))
    sys.exit("usage: python -m wasmc.runcache build MODULE KEY OPT JOBS [CC]")

"""Optimized builds that finish in the background, after a quick build was handed out.

A large module takes long to build optimized, so `wasmc run` (runcache.py, executables) and
the Python API with `quick=True` (compiler.py, shared libraries) first build it quickly at
-O0 and start the optimized build in a detached process: `python -m <entry> build MODULE
KEY ...`, where MODULE is the module's bytes saved in the cache's `pending` directory and
KEY the cache key the optimized build is stored under. Such a build

- holds a lock (`pending/<key>.lock`), so one module is built once however many runs
  start it;
- is double-forked into a session of its own, so it is nobody's zombie and outlives its
  starter;
- runs at a lower priority (BACKGROUND_NICE), so the program the quick build runs comes
  first;
- waits for the cache's one build slot (`background.lock` in the cache directory): one
  background build at a time, each with as many compilers as there are CPUs. (Ten modules
  started at once, as an itkwasm pipeline of several formats does, had been ten builds at
  once, each with its own compilers and Python workers; now the first is ready first);
- writes its output to `pending/<key>.log`, and on failure leaves `pending/<key>.failed`
  (with the error), after which the next build is done in the foreground, which reports
  the error to someone.

Imports only `os` and `sys` at load time: runcache's fast path must stay cheap.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import IO

BACKGROUND_NICE = 10
"""How much lower a background build's priority is: the program that the quick build runs
comes first."""


def lock(path: Path) -> IO[str] | None:
    """An open file holding an exclusive lock on `path`, or None if another process holds
    it. The lock goes with the process (closed file or exit)."""
    import fcntl

    f = open(path, "a")  # noqa: SIM115 - returned to the caller, who keeps it open
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        return None
    return f


def _build_slot(cache: Path) -> IO[str]:
    """The cache's one background build slot, waited for: an open file holding the
    exclusive lock on `cache/background.lock` (see the module docstring)."""
    import fcntl

    f = open(cache / "background.lock", "a")  # noqa: SIM115 - the caller closes it
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def has_failed(pending: Path, key: str) -> bool:
    """Whether the background build of `key` failed (the next build is then a foreground
    one, which reports the error)."""
    return (pending / f"{key}.failed").exists()


def forget_failure(pending: Path, key: str) -> None:
    """Remove what a failed background build of `key` left, once a foreground build of it
    has succeeded."""
    for suffix in (".failed", ".wasm", ".log"):
        (pending / f"{key}{suffix}").unlink(missing_ok=True)


def start(pending: Path, key: str, data: bytes, entry: str, args: list[str]) -> None:
    """Start `python -m ENTRY build MODULE KEY ARGS...` for the module `data` as a detached
    process (its own session, stdio to `pending/<key>.log`, reparented to init by a double
    fork), unless a build of `key` holds its lock."""
    pending.mkdir(parents=True, exist_ok=True)
    held = lock(pending / f"{key}.lock")
    if held is None:
        return  # under way
    held.close()
    module = pending / f"{key}.wasm"
    if not module.exists():
        tmp = module.with_name(f".{module.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, module)
    argv = [sys.executable, "-m", entry, "build", str(module), key, *args]
    log_path = str(pending / f"{key}.log")
    pid = os.fork()
    if pid == 0:  # the middle process: nothing but system calls until exec or _exit
        try:
            os.setsid()
            _lower_session_priority()
            if os.fork() == 0:
                log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.execv(sys.executable, argv)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _lower_session_priority() -> None:
    """Give this process's session the nice value BACKGROUND_NICE: for the background build's
    own session, right after setsid (only system calls: it runs between fork and exec). With
    the kernel's autogroup scheduling (sched_autogroup_enabled, the default of many
    distributions) a process's nice value only ranks it among the processes of its session,
    and each session gets an equal share: at nice 10 alone the background build took half of
    the machine from the program that `wasmc run` started. Nothing happens where there is
    no autogroup (not Linux, or a kernel without it); the process's own nice value counts
    there."""
    try:
        fd = os.open("/proc/self/autogroup", os.O_WRONLY)
    except OSError:
        return
    try:
        os.write(fd, str(BACKGROUND_NICE).encode())
    except OSError:
        pass
    finally:
        os.close(fd)


def run(module: str, key: str, build: Callable[[bytes], object],
        done: Callable[[], object] = lambda: None) -> int:
    """The body of a background build (what `start` runs): `build(module bytes)` unless
    another process holds `key`'s lock or an earlier build has finished and cleaned up;
    then remove the saved module and the log and call `done`. On failure, write
    `<key>.failed` and return 1."""
    from pathlib import Path

    pending = Path(module).parent
    held = lock(pending / f"{key}.lock")
    if held is None:
        return 0
    with held, _build_slot(pending.parent.parent):
        try:
            os.nice(BACKGROUND_NICE)  # and its session's, see _lower_session_priority
        except OSError:
            pass
        try:
            data = Path(module).read_bytes()
        except FileNotFoundError:
            return 0  # built and cleaned up by an earlier background build
        try:
            build(data)
        except Exception as exc:  # noqa: BLE001 - recorded for the next foreground build
            tmp = pending / f".{key}.failed.{os.getpid()}.tmp"
            tmp.write_text(f"{type(exc).__name__}: {exc}\n")
            os.replace(tmp, pending / f"{key}.failed")
            return 1
        Path(module).unlink(missing_ok=True)
        (pending / f"{key}.log").unlink(missing_ok=True)
        done()
    return 0

"""Child processes that report progress as JSON lines, watched for crashes and hangs.

A fuzzer must outlive what it finds: compiled code that segfaults, a decoder that loops. The
work runs in a child (`python -m fuzz.<module> ARGS`) that prints one JSON object per line
as it goes; the parent reads them with a watchdog. If the child dies or stays silent too
long, the parent knows from the last lines which case it was on.

Protocol: every line is a JSON object with an "event" key. The child may send
{"event": "timeout", "seconds": S} to change how long the parent waits for the next line
(e.g. longer while a batch of C files compiles).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = TESTS_DIR.parent


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(TESTS_DIR), env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONFAULTHANDLER", "1")  # a crash prints the Python stack, too
    return env


def emit(obj: dict) -> None:
    """Send one event to the parent (from the child)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


@dataclass
class ChildExit:
    returncode: int | None  # None: killed by the watchdog
    timed_out: bool
    stderr: str

    def describe(self) -> str:
        if self.timed_out:
            return "hang (killed by the watchdog)"
        code = self.returncode
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"


def run_child(module: str, args: list[str], on_event: Callable[[dict], None], *,
              timeout: float) -> ChildExit:
    """Run `python -m module args`, passing each event to `on_event`; kill the child (and
    the compilers it started) if no line comes for `timeout` seconds (or what it asked for).
    """
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as err:
        proc = subprocess.Popen([sys.executable, "-m", module, *args], stdout=subprocess.PIPE,
                                stderr=err, stdin=subprocess.DEVNULL, env=child_env(),
                                text=True, encoding="utf-8", errors="replace",
                                start_new_session=True)
        assert proc.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()

        def reader() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        wait = timeout
        timed_out = False
        while True:
            try:
                line = lines.get(timeout=wait)
            except queue.Empty:
                timed_out = True
                _kill_group(proc)
                break
            if line is None:
                break
            line = line.strip()
            if not line.startswith("{"):
                continue  # stray output (a C library printing to stdout)
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("event") == "timeout":
                wait = float(event["seconds"])
                continue
            wait = timeout
            on_event(event)
        returncode = proc.wait() if not timed_out else None
        if timed_out:
            proc.wait()
        thread.join(timeout=5)
        err.seek(0)
        stderr = err.read()
    return ChildExit(returncode, timed_out, stderr[-6000:])


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the child we started and its process group (the C compilers it ran)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


class Rate:
    """Throughput for progress lines."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def per_second(self, done: int) -> float:
        return done / max(self.elapsed(), 1e-9)


def chunks(start: int, count: int, size: int) -> Iterator[tuple[int, int]]:
    for first in range(start, start + count, size):
        yield first, min(size, start + count - first)

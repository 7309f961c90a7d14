"""Running the `wasmc` command in tests, so that a bug in wasmc cannot pass as an error.

The CLI turns an unexpected Python exception into one line, `wasmc: FILE: internal error:
...`, with exit status 1 — the same shape as a clean error about the module. Tests that expect
an error would accept that crash. So every test runs the CLI with WASMC_TRACEBACK=1 (the
exception propagates: a traceback) and fails on a traceback or an "internal error" line,
whatever exit status it expected.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CRASH_MARKERS = ("Traceback (most recent call last)", "internal error")


def check_no_crash(stderr: str | bytes) -> None:
    """Fail if wasmc's stderr shows a Python exception inside wasmc."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    for marker in CRASH_MARKERS:
        if marker in text:
            raise AssertionError(f"wasmc crashed ({marker!r} on stderr):\n{text[-5000:]}")


def wasmc_cli(*args: str | Path, env: dict[str, str] | None = None, text: bool = True,
              **kwargs: Any) -> subprocess.CompletedProcess:
    """`python -m wasmc.cli ARGS` with WASMC_TRACEBACK=1 (plus `env`); fails the test if
    wasmc crashed. Other keyword arguments go to subprocess.run."""
    kwargs.setdefault("timeout", 600)
    proc = subprocess.run(
        [sys.executable, "-m", "wasmc.cli", *map(str, args)],
        capture_output=True,
        text=text,
        env={**os.environ, **(env or {}), "WASMC_TRACEBACK": "1"},
        **kwargs,
    )
    check_no_crash(proc.stderr)
    return proc

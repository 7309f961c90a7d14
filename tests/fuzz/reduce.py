"""Shrink a module that gives a finding, keeping the finding (`wasm-tools shrink`).

The interestingness predicate is `python scripts/fuzz.py check --signature SIG FILE`: the
same comparison as the fuzzer, in a child process (so a crash still counts as reproduced).
"""

from __future__ import annotations

import shlex
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from . import procs, tools


def reduce_module(wasm: Path, signature: str, output: Path, *, exact_nans: bool,
                  cc: str | None = None, opt: int = 0, attempts: int = 300) -> str:
    """Shrink `wasm` into `output` (and `output` with .wat) keeping `signature`; returns the
    reduced module's text."""
    script = procs.REPO_DIR / "scripts" / "fuzz.py"
    command = [sys.executable, str(script), "check", "--signature", signature, "-O", str(opt)]
    if cc:
        command += ["--cc", cc]
    if exact_nans:
        command.append("--exact-nans")
    with tempfile.TemporaryDirectory(prefix="wasmc-fuzz-shrink-") as tmp:
        predicate = Path(tmp) / "predicate.sh"
        predicate.write_text(f"#!/bin/sh\nexec {shlex.join(command)} \"$1\" >/dev/null 2>&1\n")
        predicate.chmod(predicate.stat().st_mode | stat.S_IEXEC)
        proc = subprocess.run([tools.wasm_tools(), "shrink", "--attempts", str(attempts),
                               str(predicate), str(wasm), "-o", str(output)],
                              capture_output=True, text=True)
    if proc.returncode != 0 or not output.exists():
        raise RuntimeError(f"wasm-tools shrink failed: {proc.stderr.strip()[-2000:]}")
    wat = tools.print_wat(output.read_bytes())
    output.with_suffix(".wat").write_text(wat)
    return wat

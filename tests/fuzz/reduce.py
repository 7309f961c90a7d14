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
from typing import Any

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


REGRESSIONS_DIR = procs.TESTS_DIR / "regressions"


def regression_text(wasm: bytes, *, title: str, found_by: str, wasmc_result: str,
                    exact_nans: bool, status: str = "open", signatures: list[str] | None = None,
                    text: str | None = None, opt: int = 0) -> str:
    """A regression module: its text with a header saying what Wasmtime does with it (the
    expected result), what wasmc did when it was found, and whether the bug is still open.
    tests/test_fuzz.py runs every such file through the same comparison."""
    import wasmtime

    from .engines import WasmtimeSide, compare_module

    engine = tools.reference_engine()
    reference = compare_module(WasmtimeSide(engine, wasmtime.Module(engine, wasm)), None,
                               exact_nans=exact_nans, wasm=wasm)
    header = [f";; {title}", f";; Found by: {found_by}"]
    header += [f";; wasmc (when found): {line}" for line in wasmc_result.strip().splitlines()[:8]]
    header.append(";; Expected (Wasmtime; each export called twice with fixed arguments, "
                  "see tests/fuzz/engines.py):")
    header += [f";;   {line}" for line in reference.transcript]
    header.append(f";; nans: {'exact' if exact_nans else 'any'}")
    header.append(f";; opt: {opt}")
    header.append(f";; status: {status}")
    header += [f";; signature: {sig}" for sig in signatures or []]
    return "\n".join(header) + "\n" + (text if text is not None else tools.print_wat(wasm))


def read_header(text: str) -> dict[str, Any]:
    """The `;; key: value` lines of a regression file's header: nans, status, opt (the C
    optimization level to build at), and the list of `signature` lines as "signatures"."""
    fields: dict[str, Any] = {"signatures": []}
    for line in text.splitlines():
        if not line.startswith(";;"):
            break
        key, sep, value = line[2:].strip().partition(":")
        key = key.strip()
        if sep and key in ("nans", "status", "opt"):
            fields[key] = value.strip()
        elif sep and key == "signature":
            fields["signatures"].append(value.strip())
    return fields

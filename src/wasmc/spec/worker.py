"""The child process that runs one spec script: `python -m wasmc.spec.worker WAST RESULTS`.

It writes JSON lines to RESULTS as it goes, flushing each: first a header listing every
command (`{"commands": [[line, type], ...]}`), then one `CommandResult` per command. If the
process dies (a segfault in compiled code), the parent still knows which commands ran and
which did not.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from wasmc.spec.script import CommandResult, ConversionError, ScriptRunner, convert_wast


def run_script(wast: Path, results: TextIO, *, cc: str | None, opt: int) -> None:
    def emit(obj: object) -> None:
        results.write(json.dumps(obj) + "\n")
        results.flush()

    with tempfile.TemporaryDirectory(prefix="wasmc-spec-") as tmp:
        try:
            commands = convert_wast(wast, Path(tmp))
        except ConversionError as exc:
            emit({"commands": [[0, "convert"]]})
            emit(CommandResult(0, "convert", False, f"json-from-wast failed: {exc}").to_json())
            return
        emit({"commands": [[int(c.get("line", 0)), c["type"]] for c in commands]})
        runner = ScriptRunner(commands, Path(tmp), cc=cc, opt=opt)
        for result in runner.run():
            emit(result.to_json())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wasmc.spec.worker")
    parser.add_argument("wast", type=Path)
    parser.add_argument("results", type=Path)
    parser.add_argument("--cc", default=None)
    parser.add_argument("--opt", type=int, default=1)
    ns = parser.parse_args(argv)
    with open(ns.results, "w", encoding="utf-8") as results:
        run_script(ns.wast, results, cc=ns.cc, opt=ns.opt)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The examples of docs/api.md run as written.

The ```python blocks of the page run in order, in one namespace (later blocks use what
earlier ones defined), from the repository's root; any exception, or a failing `assert`
in a block, fails the test and names the block.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"


def python_blocks(markdown: str) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    blocks = []
    for match in re.finditer(r"^```python\n(.*?)^```$", markdown, re.S | re.M):
        blocks.append((markdown.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


def test_the_page_has_examples() -> None:
    assert len(python_blocks(DOC.read_text())) >= 8


def test_api_md_examples_run(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "api_md"}
    for line, code in python_blocks(DOC.read_text()):
        try:
            exec(compile(code, f"{DOC}:{line}", "exec"), namespace)  # noqa: S102
        except Exception as exc:
            raise AssertionError(f"docs/api.md block at line {line} failed: {exc!r}") from exc
    out = capsys.readouterr().out
    # The reprs the page shows in comments are what the objects print.
    for shown in re.findall(r"print\(.*\)\s+# (<wasmc\..*>)", DOC.read_text()):
        assert shown in out, shown
    assert os.getcwd() == str(ROOT)

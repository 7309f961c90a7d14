"""The spec testsuite's exception-handling scripts, Wasm 3.0 and legacy (one compiler, -O0):
every command must pass. The legacy scripts go through wabt's wast2json (see
spec/script.py, convert_wast), which json-from-wast cannot replace for them."""

from __future__ import annotations

import pytest

from wasmc.spec import runner, testsuite

FILES = ["throw", "throw_ref", "try_table", "tag", "instance", "legacy/try_catch",
         "legacy/try_delegate", "legacy/rethrow", "legacy/throw"]


@pytest.mark.parametrize("stem", FILES)
def test_exception_script(stem: str) -> None:
    wast = testsuite.testsuite_dir() / f"{stem}.wast"
    if not wast.is_file():
        pytest.fail(f"spec testsuite not found at {testsuite.testsuite_dir()} (set WASM_TESTSUITE)")
    result = runner.run_file(wast, opt=0)
    failures = "\n".join(f"  line {c.line}: {c.type}: {c.message}" for c in result.failures())
    assert not result.failures(), f"{result.summary()}\n{failures}"
    assert result.passed > 0

"""Small PyPI packages that run Wasm through wasmtime-py, unmodified, on `wasmc.wasmtime`:
each snippet runs in a fresh interpreter once with wasmtime-py and once with `import
wasmtime` giving wasmc.wasmtime, and the outputs must be the same. quickjs-rs (QuickJS, a
JavaScript engine, built with Rust) needed `Global` (its snapshots save the stack pointer
through one); vt100wasm (a terminal emulator) runs
as it did. docs/wasmtime-compat.md, "Tested with other packages", has the larger ones
tried by hand."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SELECT_ENGINE = """
import sys
if sys.argv[1] == "wasmc":
    import wasmc.wasmtime
    sys.modules["wasmtime"] = wasmc.wasmtime
"""

QUICKJS = SELECT_ENGINE + r"""
import quickjs_rs
ctx = quickjs_rs.Runtime().new_context(timeout=600)
for js in ["1 + 2",
           "JSON.stringify({a: [1, 2, {b: 'x'}], c: 1.5e300 * 10})",
           "[3, 1, 2].sort().map(x => x * x).join(',')",
           "(function () { try { null.x } catch (e) { return String(e) } })()",
           "'héllo wörld'.toUpperCase() + String.fromCodePoint(0x1F600).length",
           "Math.sin(1) + Math.pow(2, 0.5)",
           "/(\\d+)-(\\d+)/.exec('abc 123-456 x').slice(1).join('|')",
           "(2n ** 200n).toString()",
           "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) } fib(20)",
           "let o = {}; for (let i = 0; i < 20000; i++) o['k' + i] = i; Object.keys(o).length"]:
    print(repr(ctx.eval(js)))
try:
    ctx.eval("throw new TypeError('boom')")
except quickjs_rs.JSError as exc:
    print("JSError", exc)
# A whole-memory snapshot (it saves and restores `__stack_pointer` through a Global) taken
# from this context and restored into a fresh one of the same runtime.
runtime = quickjs_rs.Runtime()
source = runtime.new_context(timeout=600)
source.eval("globalThis.counter = 41; globalThis.bump = () => ++counter; 0")
snapshot = source.create_snapshot()
target = runtime.new_context(timeout=600)
runtime.restore_snapshot(snapshot, target)
print(target.eval("bump() + ':' + typeof bump"))
"""

VT100 = SELECT_ENGINE + r"""
import hashlib
import vt100wasm
screen = vt100wasm.Screen(24, 80, 100)
screen.process(b"\x1b[1;31mHello\x1b[0m world\r\n\x1b[2J"
               b"\x1b[5;10Hmoved \xe2\x9c\x93 \x1b[7mrev\x1b[0m")
print(repr(screen.contents()))
print(screen.contents_formatted())
screen.process(b"".join(b"\x1b[3%dmline %d \xc3\xa9 tab\there\r\n" % (i % 8, i)
                        for i in range(3000)))
screen.resize(30, 100)
print(repr(screen.contents()), screen.scrollback())
print(hashlib.sha256(screen.cells()).hexdigest())
copy = vt100wasm.Screen.restore(screen.snapshot())
print(copy.contents() == screen.contents())
"""


def run(snippet: str, engine: str) -> str:
    env = dict(os.environ, WASMC_OPT="0")  # -O0: a quick build of the modules
    proc = subprocess.run([sys.executable, "-c", snippet, engine], env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("snippet", [QUICKJS, VT100], ids=["quickjs-rs", "vt100wasm"])
def test_same_output_as_wasmtime(snippet: str):
    expected = run(snippet, "wasmtime")
    assert len(expected.splitlines()) >= 5  # the snippet ran to its end
    assert run(snippet, "wasmc") == expected

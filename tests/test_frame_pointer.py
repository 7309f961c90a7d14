"""Generated code is compiled without a frame pointer (toolchain.frame_pointer_flags): zig cc
keeps one at every -O level, which costs a register in every function (sha256's compression
loop spilled because of it, docs/performance.md). A user who wants frame pointers (for
`perf record -g`) names a frame-pointer flag in --cc, and then it is not overridden."""

from __future__ import annotations

import platform
import re
import shlex
from pathlib import Path

import pytest

from wasmc import toolchain

# The checks read x86-64 assembly.
pytestmark = pytest.mark.skipif(platform.machine() != "x86_64", reason="reads x86-64 assembly")

# Enough work that a frame pointer, if kept, shows as `push %rbp; mov %rsp, %rbp`.
SOURCE = "unsigned f(const unsigned *a, unsigned n) { unsigned s = 0; " \
         "for (unsigned i = 0; i < n; i++) s += a[i] * 3; return s; }\n"


def _assembly(cc: toolchain.CCompiler, tmp_path: Path) -> str:
    source = tmp_path / "f.c"
    source.write_text(SOURCE)
    out = tmp_path / "f.s"
    flags = toolchain.generated_code_flags(cc, 2, pic=False)
    toolchain.run_compiler(cc, [*flags, "-S", str(source), "-o", str(out)])
    return out.read_text()


def _sets_up_frame_pointer(asm: str) -> bool:
    return re.search(r"movq\s+%rsp,\s*%rbp", asm) is not None


def test_generated_code_has_no_frame_pointer(tmp_path: Path) -> None:
    cc = toolchain.find_compiler(None)
    assert "-fomit-frame-pointer" in toolchain.generated_code_flags(cc, 2, pic=False)
    assert not _sets_up_frame_pointer(_assembly(cc, tmp_path))


def test_a_frame_pointer_flag_in_the_command_is_kept(tmp_path: Path) -> None:
    zig = toolchain.find_compiler(None)
    cc = toolchain.find_compiler(shlex.join([*zig.command, "-fno-omit-frame-pointer"]))
    assert "-fomit-frame-pointer" not in toolchain.generated_code_flags(cc, 2, pic=False)
    assert _sets_up_frame_pointer(_assembly(cc, tmp_path))


def test_gcc_builds_omit_it_too(tmp_path: Path) -> None:
    assert not _sets_up_frame_pointer(_assembly(toolchain.find_compiler("gcc"), tmp_path))

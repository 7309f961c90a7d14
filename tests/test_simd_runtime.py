"""The SIMD header (src/wasmc/runtime/wasmc_simd.h) on its own, independent of the code
generator: tests/c/simd_test.c checks every function against a scalar reference written from
the spec's definitions, on edge and random values.

Each build is one instruction-set path of the header, with the flags generated code gets
(semantic flags, -Wall -Wextra -Werror):
- zig cc targets the host CPU (here AVX2/AVX-512 and FMA: the SSSE3/SSE4.1/FMA paths);
- GCC targets baseline x86-64 (SSE2 only: the SSE2 paths and the fallbacks above SSE2);
- -mcpu=x86_64 gives clang's SSE2 build; -msse4.1 GCC's SSSE3/SSE4.1 paths without SSE4.2
  (64-bit compares built from 32-bit ones), -mavx2 -mfma its full one;
- WASMC_SIMD_PORTABLE switches the intrinsics off: the portable vector-extension code.
Relaxed SIMD must give the same results on all of them, which the shared reference checks.
The instruction-set flags are x86-64's, like the machines wasmc is tested on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from wasmc.toolchain import find_compiler, run_compiler, runtime_flags

SOURCE = Path(__file__).parent / "c" / "simd_test.c"
ITERATIONS = "1000"  # random inputs per function (plus the fixed edge cases)

BUILDS = [
    ("zig", 0, ()),
    ("zig", 2, ()),
    ("zig", 2, ("-mcpu=x86_64",)),
    ("zig", 2, ("-DWASMC_SIMD_PORTABLE",)),
    ("gcc", 0, ()),
    ("gcc", 2, ()),
    ("gcc", 2, ("-msse4.1",)),
    ("gcc", 2, ("-mavx2", "-mfma")),
    ("gcc", 2, ("-DWASMC_SIMD_PORTABLE",)),
]


def _build_id(build: tuple[str, int, tuple[str, ...]]) -> str:
    cc, opt, extra = build
    return "-".join([cc, f"O{opt}", *(flag.lstrip("-").replace("=", "") for flag in extra)])


@pytest.mark.parametrize("build", BUILDS, ids=_build_id)
def test_simd_header_matches_reference(
    build: tuple[str, int, tuple[str, ...]], tmp_path: Path
) -> None:
    cc_name, opt, extra = build
    cc = find_compiler(cc_name)
    exe = tmp_path / "simd_test"
    flags = [*runtime_flags(cc, opt, pic=False), "-Werror", *extra]
    run_compiler(cc, [*flags, str(SOURCE), "-o", str(exe), "-lm"])
    proc = subprocess.run([str(exe), ITERATIONS], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    assert proc.stdout.splitlines()[-1].endswith(" checks, 0 failures"), proc.stdout[-4000:]

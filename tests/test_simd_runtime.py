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


# ---- against Wasmtime ------------------------------------------------------------------------

# Wasmtime's relaxed-SIMD results depend on the host: wasmc's choices are the ones it makes
# with SSSE3, SSE4.1 and FMA (docs/simd.md).
_WASMTIME_HOST_FEATURES = ("ssse3", "sse4_1", "fma")
_CASES_PER_INSTRUCTION = "200"
_SHIFT = 4  # simd_test's arity code for a shift (v128, i32)


def _host_flags() -> set[str]:
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def _wasmtime_module(instructions: dict[str, int]) -> str:
    """One exported function per instruction: operands from memory 0, 16, 32, result to 48.
    Arity 4 is a shift: a v128 and an i32 (the first 4 bytes of the second operand)."""
    funcs = []
    for name, arity in instructions.items():
        mnemonic = name.replace("_", ".", 1)  # i32x4_trunc_sat_f32x4_s -> i32x4.trunc_sat_f32x4_s
        if arity == _SHIFT:
            loads = "(v128.load (i32.const 0)) (i32.load (i32.const 16))"
        else:
            loads = " ".join(f"(v128.load (i32.const {16 * i}))" for i in range(arity))
        funcs.append(f'(func (export "{name}") (v128.store (i32.const 48) ({mnemonic} {loads})))')
    return '(module (memory (export "mem") 1)\n' + "\n".join(funcs) + ")"


def _same_lanes(ours: bytes, theirs: bytes, float_lanes: int) -> bool:
    """Bit-identical, except that float lanes where both are NaN match (NaN bits are the
    spec's choice per engine; simd_test checks ours against the spec's NaN rules)."""
    if not float_lanes or ours == theirs:
        return ours == theirs
    width = 16 // float_lanes
    exp_mask = (1 << (8 if width == 4 else 11)) - 1
    frac_bits = 23 if width == 4 else 52
    for i in range(0, 16, width):
        a = int.from_bytes(ours[i : i + width], "little")
        b = int.from_bytes(theirs[i : i + width], "little")
        a_nan = (a >> frac_bits) & exp_mask == exp_mask and a & ((1 << frac_bits) - 1)
        b_nan = (b >> frac_bits) & exp_mask == exp_mask and b & ((1 << frac_bits) - 1)
        if a != b and not (a_nan and b_nan):
            return False
    return True


def test_simd_header_matches_wasmtime(tmp_path: Path) -> None:
    """Every instruction whose operands are v128s (relaxed ones included), and the shifts, on
    the same inputs as Wasmtime.
    Built with GCC for baseline x86-64, so the SSE2 code and portable fallbacks are what is
    compared with Wasmtime's SSE4.1/FMA code."""
    import wasmtime

    missing = [f for f in _WASMTIME_HOST_FEATURES if f not in _host_flags()]
    assert not missing, f"this comparison needs a host with {missing} (Wasmtime's relaxed choices)"
    cc = find_compiler("gcc")
    exe = tmp_path / "simd_test"
    run_compiler(
        cc, [*runtime_flags(cc, 0, pic=False), "-Werror", str(SOURCE), "-o", str(exe), "-lm"]
    )
    lines = subprocess.run(
        [str(exe), "cases", _CASES_PER_INSTRUCTION], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    cases = [line.split() for line in lines]
    instructions = {name: int(arity) for name, arity, *_ in cases}
    assert len(instructions) > 200 and "i32x4_relaxed_dot_i8x16_i7x16_add_s" in instructions
    assert instructions["i64x2_shr_s"] == _SHIFT

    config = wasmtime.Config()
    config.wasm_simd = True
    config.wasm_relaxed_simd = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    instance = wasmtime.Instance(store, wasmtime.Module(engine, _wasmtime_module(instructions)), [])
    exports = instance.exports(store)
    memory = exports["mem"]
    functions = {name: exports[name] for name in instructions}

    mismatches = []
    for name, _arity, float_lanes, a, b, c, ours in cases:
        memory.write(store, bytes.fromhex(a + b + c), 0)
        functions[name](store)
        theirs = bytes(memory.read(store, 48, 64))
        if not _same_lanes(bytes.fromhex(ours), theirs, int(float_lanes)):
            mismatches.append(f"{name} a={a} b={b} c={c}: wasmc {ours}, wasmtime {theirs.hex()}")
    assert not mismatches, f"{len(mismatches)} of {len(cases)} differ:\n" + "\n".join(
        mismatches[:20]
    )

"""Embedding from C (docs/embedding-c.md): `wasmc compile MODULE --emit-c DIR` writes a typed
header and wrappers; the example host (examples/embedding/host.c) is built against them, the
module's C and the runtime, with clang (zig cc) and with GCC, and its output checked: results
of typed exports, an import the host provides, traps in Wasm and in the host."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from wasmc_cli import wasmc_cli

from wasmc import toolchain
from wasmc.codegen import split
from wasmc.compiler import emit_embedding_c

EXAMPLE = Path(__file__).parent.parent / "examples" / "embedding"

# Exactly what host.c prints (bits of 1.5 and -1.0; 37.5 = 10 * 1.5 + 10 * 2.25).
EXPECTED = """\
fib(20) = 6765
div(7, 0): trap 7: integer divide by zero
div(-9, 2) = -4
log: call 1, x bits 0x3ff8000000000000
scaled-sum(1.5, 2.25) = 37.5
log: call 2, x bits 0xbff0000000000000
scaled-sum(-1, 2): trap 12: scale: negative input
divmod(100, 7) = 14, 2
memory[16..19] = www, 1 page(s)
fill(65535, 2): trap 2: out of bounds memory access
"""

# The build docs/embedding-c.md describes: the host and the wrappers under -Wall -Wextra;
# the module with the flags that give C Wasm's semantics (toolchain.SEMANTIC_FLAGS), -Wall
# minus the unused-code warnings generated code legitimately triggers; the runtime under
# -Wall -Wextra. Warnings are errors here.
SEMANTICS = ["-fno-fast-math", "-ffp-contract=off", "-fno-math-errno", "-fno-strict-aliasing",
             "-fno-sanitize=all", "-fno-optimize-sibling-calls", "-fstack-clash-protection"]
SNAN = {"clang": "-ffp-exception-behavior=maytrap", "gcc": "-fsignaling-nans"}
MODULE_WARNINGS = ["-Wall", "-Wno-unused-variable", "-Wno-unused-function"]


def build_host(c_dir: Path, cc_spec: str) -> Path:
    cc = toolchain.find_compiler(cc_spec)
    command = list(cc.command)
    common = ["-O1", "-Werror", *SEMANTICS, SNAN[cc.kind]]
    shutil.copy(EXAMPLE / "host.c", c_dir)
    sources = {"host.c": ["-Wall", "-Wextra"], "calc.c": ["-Wall", "-Wextra"],
               "runtime.c": ["-Wall", "-Wextra"], "wasi.c": ["-Wall", "-Wextra"]}
    sources |= {p.name: MODULE_WARNINGS for p in c_dir.glob("calc_module*.c")}
    objects = []
    for source, warnings in sources.items():
        obj = c_dir / f"{source}.{cc.kind}.o"
        subprocess.run([*command, *common, *warnings, "-c", source, "-o", obj.name],
                       cwd=c_dir, check=True, capture_output=True, text=True)
        objects.append(obj.name)
    exe = c_dir / f"host-{cc.kind}"
    subprocess.run([*command, *objects, "-o", exe.name, "-lm", "-ldl", "-pthread"],
                   cwd=c_dir, check=True, capture_output=True, text=True)
    return exe


@pytest.fixture(scope="module")
def emitted(tmp_path_factory) -> Path:
    c_dir = tmp_path_factory.mktemp("embed")
    proc = wasmc_cli("compile", EXAMPLE / "calc.wat", "--emit-c", c_dir)
    assert proc.returncode == 0, proc.stderr
    return c_dir


@pytest.mark.parametrize("cc", ["zig", "gcc"])
def test_example_host_runs(emitted: Path, cc: str) -> None:
    try:
        exe = build_host(emitted, cc)
    except subprocess.CalledProcessError as e:
        pytest.fail(f"{e.cmd}:\n{e.stderr}")
    ran = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    assert (ran.returncode, ran.stderr) == (0, "")
    assert ran.stdout == EXPECTED


def test_header_is_typed(emitted: Path) -> None:
    header = (emitted / "calc.h").read_text()
    assert "int calc_export_divmod(calc_instance *inst, uint64_t p0, uint64_t p1, " \
           "uint64_t *r0, uint64_t *r1);" in header
    assert "  double (*env_scale)(void *env, double);" in header
    assert "wasmc_memory *calc_export_memory(calc_instance *inst);" in header


def test_large_module_split_output(tmp_path: Path, monkeypatch) -> None:
    """A large module's C comes in several files (codegen/split.py): the host builds the same."""
    monkeypatch.setattr(split, "SPLIT_MIN_INSTRS", 1)
    monkeypatch.setattr(split, "BUCKET_INSTRS", 10)
    emit_embedding_c(EXAMPLE / "calc.wat", tmp_path)
    assert len(list(tmp_path.glob("calc_module_*.c"))) > 1
    ran = subprocess.run([build_host(tmp_path, "gcc")], capture_output=True, text=True,
                         timeout=60)
    assert ran.stdout == EXPECTED


def test_compile_needs_an_output() -> None:
    proc = wasmc_cli("compile", EXAMPLE / "calc.wat")
    assert proc.returncode == 2
    assert "give -o OUT (an executable), --emit-c DIR (C to embed), or both" in proc.stderr


# A host function with two results, an imported global, and names that are not C identifiers.
PAIRS_WAT = """(module
  (import "env" "split" (func $split (param i64) (result i32 i32)))
  (import "env" "base" (global $base i32))
  (func (export "sum-halves") (param i64) (result i32)
    (call $split (local.get 0)) (i32.sub) (global.get $base) (i32.add))
  (func (export "sum_halves") (result i32) (i32.const 7)))
"""
PAIRS_HOST = r"""#include "pairs.h"
#include <stdio.h>
static pairs_results_ii split(void *env, uint64_t x) {
  (void)env;
  return (pairs_results_ii){(uint32_t)(x >> 32), (uint32_t)x};
}
int main(void) {
  wasmc_global base = {.i32 = 1000};
  pairs_imports imports = {.env_split = split, .env_base = &base};
  pairs_instance *inst;
  uint32_t a = 0, b = 0;
  if (pairs_instantiate(&inst, &imports) != WASMC_OK) return 1;
  int code = pairs_export_sum_halves(inst, (UINT64_C(30) << 32) | 12, &a);
  code |= pairs_export_sum_halves_1(inst, &b);
  printf("%d %u %u\n", code, (unsigned)a, (unsigned)b);
  pairs_free(inst);
  return 0;
}
"""


def test_multiple_results_globals_and_names(tmp_path: Path) -> None:
    (tmp_path / "pairs.wat").write_text(PAIRS_WAT)
    emit_embedding_c(tmp_path / "pairs.wat", tmp_path / "c")
    c_dir = tmp_path / "c"
    (c_dir / "host.c").write_text(PAIRS_HOST)
    cc = toolchain.find_compiler("gcc")
    flags = ["-O1", "-Werror", *SEMANTICS, SNAN[cc.kind], *MODULE_WARNINGS]
    build = subprocess.run([*cc.command, *flags, "host.c", "pairs.c", "pairs_module.c",
                            "runtime.c", "wasi.c", "-o", "host", "-lm", "-ldl", "-pthread"],
                           cwd=c_dir, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    ran = subprocess.run([c_dir / "host"], capture_output=True, text=True, timeout=60)
    assert ran.stdout == "0 1018 7\n"


def test_identifiers_for_names() -> None:
    """Names that are not C identifiers, or that collide once spelled as one (also with a
    function import's `_env` field), get distinct identifiers."""
    from wasmc.codegen.embed import unique_identifiers

    names = ["env_f", "env_f_env", "a-b", "a_b", "9x", "é"]
    with_env = [True, False, False, False, False, False]
    assert unique_identifiers(names, with_env) == \
        ["env_f", "env_f_env_1", "a_b", "a_b_3", "_9x", "_"]

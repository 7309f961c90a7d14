"""SIMD plumbing: how v128 values are decoded, validated, moved through slots and shown to
Python and to `--invoke` (the instructions themselves are the spec testsuite's job, group
B:wasm2-simd and the relaxed-SIMD files: tests/test_spec.py, docs/spec-status.md).

Cheap: one module compiled at -O0 for the API tests, one executable for --invoke.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from wasmc_cli import wasmc_cli

import wasmc.api as wasmc
from wasmc.binary.decoder import decode
from wasmc.codegen.spelling import slot_loads, slot_stores
from wasmc.compiler import read_source
from wasmc.errors import InvalidError
from wasmc.externals import raw_to_slots, slots_to_raw
from wasmc.validate.validator import validate

BYTES = bytes(range(1, 17))  # lane 0 (byte 0) is 1
AS_INT = int.from_bytes(BYTES, "little")

# v128 in every place a value goes: parameters and results (also several, mixed with
# scalars), locals, a mutable global, select, a block result, calls (also through a table
# and to a host import), memory, exception payloads.
MODULE = """(module
  (import "host" "reverse" (func $reverse (param v128 i32) (result i32 v128)))
  (memory (export "memory") 1)
  (global $g (export "g") (mut v128) (v128.const i64x2 7 8))
  (table 1 funcref)
  (elem (i32.const 0) $id)
  (type $vv (func (param v128) (result v128)))
  (func $id (export "id") (param v128) (result v128) (local.get 0))
  (func (export "mixed") (param i32 v128 f64) (result f64 v128 i32)
    (local v128)
    (local.set 3 (i8x16.replace_lane 15 (local.get 1) (local.get 0)))
    (local.get 2) (local.get 3) (local.get 0))
  (func (export "pick") (param v128 v128 i32) (result v128)
    (block (result v128) (select (local.get 0) (local.get 1) (local.get 2))))
  (func (export "indirect") (param v128) (result v128)
    (call_indirect (type $vv) (local.get 0) (i32.const 0)))
  (func (export "via_host") (param v128) (result i32 v128)
    (call $reverse (local.get 0) (i32.const 41)))
  (func (export "swap_global") (param v128) (result v128)
    (global.get $g) (global.set $g (local.get 0)))
  (func (export "store") (param i32 v128) (v128.store offset=1 (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result v128) (v128.load offset=1 (local.get 0)))
  (tag $t (export "t") (param i32 v128))
  (func (export "throw") (param v128) (throw $t (i32.const 5) (local.get 0)))
  (func (export "catch") (param v128) (result i32 v128)
    (block $h (result i32 v128)
      (try_table (catch $t $h) (throw $t (i32.const 6) (local.get 0)))
      (unreachable))))"""


def reverse(v: bytes, k: int) -> tuple[int, bytes]:
    return k + 1, v[::-1]


@pytest.fixture(scope="module")
def inst() -> wasmc.Instance:
    module = wasmc.compile_module(MODULE, opt=0)
    host = wasmc.Func.from_python((["v128", "i32"], ["i32", "v128"]), reverse)
    return module.instantiate({"host": {"reverse": host}})


def test_bytes_and_int_round_trip(inst) -> None:
    assert inst.exports.id(BYTES) == BYTES  # results are 16 bytes, lane 0 first
    assert inst.exports.id(AS_INT) == BYTES  # an int is the same 16 bytes, little-endian
    assert inst.exports.id(-1) == b"\xff" * 16  # negative ints in two's complement
    assert inst.exports.id(1 << 64) == bytes(8) + b"\x01" + bytes(7)  # the high slot


@pytest.mark.parametrize("bad", [b"\x00" * 15, 1 << 128, -(1 << 127) - 1, 1.5])
def test_bad_values_are_refused(inst, bad) -> None:
    with pytest.raises((TypeError, ValueError)):
        inst.exports.id(bad)


def test_mixed_parameters_and_results(inst) -> None:
    expected = BYTES[:15] + b"\x07"
    assert inst.exports.mixed(7, BYTES, 2.5) == (2.5, expected, 7)
    assert inst.exports.pick(BYTES, AS_INT + 1, 0) == (AS_INT + 1).to_bytes(16, "little")
    assert inst.exports.pick(BYTES, 0, 1) == BYTES
    assert inst.exports.indirect(BYTES) == BYTES


def test_host_function_with_v128(inst) -> None:
    # Wasm -> host adapter -> Python and back: two slots each way.
    assert inst.exports.via_host(BYTES) == (42, BYTES[::-1])


def test_global_and_memory(inst) -> None:
    g = inst.exports.g
    initial = (7).to_bytes(8, "little") + (8).to_bytes(8, "little")  # i64x2 7 8
    assert g.value == initial
    assert inst.exports.swap_global(BYTES) == initial
    assert g.value == BYTES
    g.value = -1
    assert inst.exports.swap_global(0) == b"\xff" * 16
    inst.exports.store(100, BYTES)
    assert inst.exports.memory.read(101, 16) == BYTES
    assert inst.exports.load(100) == BYTES
    with pytest.raises(wasmc.Trap, match="out of bounds"):
        inst.exports.load(65536 - 16)  # offset 1: one byte past the end


def test_exception_payload(inst) -> None:
    assert inst.exports.catch(BYTES) == (6, BYTES)
    with pytest.raises(wasmc.WasmException) as caught:
        inst.exports.throw(BYTES)
    assert caught.value.values == (5, BYTES)


def test_slot_helpers_agree() -> None:
    """The C slot marshaller and the Python one lay a v128 out the same way."""
    types = ("i32", "v128", "f64")
    assert slot_loads(types, "s") == [
        "(uint32_t)s[0]", "wasmc_simd_from_u64x2(s[1], s[2])", "wasmc_f64_from_bits(s[3])"]
    assert "s[1] = wasmc_simd_lo(v); s[2] = wasmc_simd_hi(v);" in slot_stores(
        types, ["a", "b", "c"], "s")[1]
    raws = [5, AS_INT, 9]
    slots = raw_to_slots(types, raws)
    assert slots == [5, AS_INT & (2**64 - 1), AS_INT >> 64, 9]
    assert slots_to_raw(types, slots) == raws


DROPPED_LOADS = ["v128.load", "v128.load8x8_s", "v128.load32x2_u", "v128.load8_splat",
                 "v128.load64_splat", "v128.load32_zero", "v128.load16_lane 1",
                 "v128.load64_lane 0"]


@pytest.mark.parametrize("cc", [None, "gcc"])
def test_unused_out_of_bounds_loads_trap(cc: str | None) -> None:
    """An optimizer deletes a load whose value is unused; Wasm's trap must stay (-O2)."""
    funcs = "\n".join(
        f'(func (export "f{k}") (param i32) (drop ({load} (local.get 0){lane_operand})))'
        for k, load in enumerate(DROPPED_LOADS)
        for lane_operand in [" (v128.const i64x2 0 0)" if "lane" in load else ""])
    exports = wasmc.load(f"(module (memory 1) {funcs})", opt=2, cc=cc).exports
    for k, load in enumerate(DROPPED_LOADS):
        exports[f"f{k}"](65536 - 16)  # in bounds for every width
        try:
            exports[f"f{k}"](65536)
        except wasmc.Trap as trap:
            assert "out of bounds" in str(trap), load
        else:
            pytest.fail(f"{load} of an out-of-bounds address did not trap")


def module_error(text: str) -> str | None:
    """The validation error of a module (None if it is valid)."""
    try:
        validate(decode(read_source(text)))
    except InvalidError as exc:
        return str(exc)
    return None


FUNC = "(module (memory 1) (func (param v128) (result {t}) {body}))"


@pytest.mark.parametrize(("t", "body", "max_lane"), [
    ("i32", "(i8x16.extract_lane_s {lane} (local.get 0))", 15),
    ("i32", "(i16x8.extract_lane_u {lane} (local.get 0))", 7),
    ("v128", "(i32x4.replace_lane {lane} (local.get 0) (i32.const 0))", 3),
    ("f64", "(f64x2.extract_lane {lane} (local.get 0))", 1),
    ("v128", "(v128.load8_lane {lane} (i32.const 0) (local.get 0))", 15),
    ("v128", "(v128.load64_lane {lane} (i32.const 0) (local.get 0))", 1),
    ("i32", "(v128.store16_lane {lane} (i32.const 0) (local.get 0)) (i32.const 0)", 7),
    ("v128", "(i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 {lane} (local.get 0) "
             "(local.get 0))", 31),
])
def test_lane_indices_are_checked(t: str, body: str, max_lane: int) -> None:
    assert module_error(FUNC.format(t=t, body=body.format(lane=max_lane))) is None
    error = module_error(FUNC.format(t=t, body=body.format(lane=max_lane + 1)))
    assert error is not None and "invalid lane index" in error


def test_simd_alignment_is_the_access_width() -> None:
    ok = "(module (memory 1) (func (drop (v128.load8x8_s align=8 (i32.const 0)))))"
    assert module_error(ok) is None
    error = module_error(ok.replace("align=8", "align=16"))
    assert error is not None and "alignment must not be larger than natural" in error


@pytest.fixture(scope="module")
def invoke_module(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("simd-invoke")
    wat = d / "v.wat"
    wat.write_text("""(module
      (func (export "id") (param v128) (result v128) (local.get 0))
      (func (export "lanes") (param v128 i32) (result i32 v128)
        (i32x4.extract_lane 3 (local.get 0)) (i32x4.splat (local.get 1))))""")
    exe = d / "v"
    wasmc_cli("compile", "-O0", wat, "-o", exe, check=True)
    return wat, exe


@pytest.mark.parametrize(("args", "printed"), [
    (["0x0102030405060708090a0b0c0d0e0f10"], "0x0102030405060708090a0b0c0d0e0f10\n"),
    (["-1"], "0x" + "f" * 32 + "\n"),
    (["18446744073709551616"], "0x00000000000000010000000000000000\n"),  # 2**64, decimal
    (["0x1234"], "0x" + "0" * 28 + "1234\n"),
])
def test_invoke_v128(invoke_module, args: list[str], printed: str) -> None:
    wat, exe = invoke_module
    run = wasmc_cli("run", "-O0", wat, "--invoke", "id", *args)
    compiled = subprocess.run([str(exe), "--invoke", "id", "--", *args], capture_output=True,
                              text=True)
    assert (run.returncode, run.stdout) == (compiled.returncode, compiled.stdout) == (0, printed)


def test_invoke_v128_with_scalars(invoke_module) -> None:
    _wat, exe = invoke_module
    proc = subprocess.run([str(exe), "--invoke", "lanes", "--", "0x7" + "0" * 24, "9"],
                          capture_output=True, text=True)
    assert (proc.returncode, proc.stdout) == (0, "7\n0x00000009000000090000000900000009\n")


@pytest.mark.parametrize("bad", ["0x1" + "0" * 32, "1.5", "", "-0x8" + "0" * 30 + "1"])
def test_invoke_v128_bad_argument(invoke_module, bad: str) -> None:
    _wat, exe = invoke_module
    proc = subprocess.run([str(exe), "--invoke", "id", "--", bad], capture_output=True,
                          text=True)
    assert proc.returncode == 2 and "invalid v128 argument" in proc.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))

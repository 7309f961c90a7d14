"""The Python API, directly: host functions, traps from the host, memories, globals, linking.

Written against the public names (`wasmc.api`, `wasmc.errors`). Expected values are worked
out by hand from the Wasm semantics (two's complement wrap-around, f32 rounding), not by
running wasmc. One module (compiled once, at -O0) imports every host function the tests use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import wasmc.api as wasmc
from wasmc.binary.module import FuncType, GlobalType, Limits, MemoryType, TableType
from wasmc.errors import LinkError, Trap

HOST_WAT = r"""
(module
  (import "env" "add_i32" (func $add_i32 (param i32 i32) (result i32)))
  (import "env" "mul_i64" (func $mul_i64 (param i64 i64) (result i64)))
  (import "env" "half_f32" (func $half_f32 (param f32) (result f32)))
  (import "env" "sqrt_f64" (func $sqrt_f64 (param f64) (result f64)))
  (import "env" "split" (func $split (param i64) (result i32 i64 f32 f64)))
  (import "env" "nothing" (func $nothing (param i32)))
  (func $call_add (export "add_i32") (param i32 i32) (result i32)
    (call $add_i32 (local.get 0) (local.get 1)))
  ;; the host's result, used by Wasm code: +1 wraps
  (func (export "mul_i64_plus_1") (param i64 i64) (result i64)
    (i64.add (call $mul_i64 (local.get 0) (local.get 1)) (i64.const 1)))
  (func (export "half_f32") (param f32) (result f32) (call $half_f32 (local.get 0)))
  (func (export "sqrt_f64") (param f64) (result f64) (call $sqrt_f64 (local.get 0)))
  ;; all four results, reordered by Wasm code
  (func (export "split") (param i64) (result f64 f32 i64 i32)
    (local $a i32) (local $b i64) (local $c f32) (local $d f64)
    (call $split (local.get 0))
    (local.set $d) (local.set $c) (local.set $b) (local.set $a)
    (local.get $d) (local.get $c) (local.get $b) (local.get $a))
  (func (export "nothing") (param i32) (result i32)
    (call $nothing (local.get 0)) (i32.const 7))
)
"""

HOST_TYPES = {
    "add_i32": FuncType(("i32", "i32"), ("i32",)),
    "mul_i64": FuncType(("i64", "i64"), ("i64",)),
    "half_f32": FuncType(("f32",), ("f32",)),
    "sqrt_f64": FuncType(("f64",), ("f64",)),
    "split": FuncType(("i64",), ("i32", "i64", "f32", "f64")),
    "nothing": FuncType(("i32",), ()),
}


def _split(x: int) -> tuple[int, int, float, float]:
    return x & 0xFFFF, x >> 16, 0.1, -0.0


CORRECT_HOSTS: dict[str, Callable[..., Any]] = {
    "add_i32": lambda a, b: (a + b) & 0xFFFFFFFF,
    "mul_i64": lambda a, b: (a * b) & 0xFFFFFFFFFFFFFFFF,
    "half_f32": lambda x: x / 2,
    "sqrt_f64": math.sqrt,
    "split": _split,
    "nothing": lambda x: None,
}


@pytest.fixture(scope="module")
def host_module(tmp_path_factory: pytest.TempPathFactory) -> wasmc.CompiledModule:
    path = tmp_path_factory.mktemp("api") / "host.wat"
    path.write_text(HOST_WAT)
    return wasmc.compile_module(path, opt=0)


def instantiate(compiled: wasmc.CompiledModule, **replace: Callable[..., Any]) -> wasmc.Instance:
    """An instance whose host functions are CORRECT_HOSTS, some replaced."""
    hosts = {**CORRECT_HOSTS, **replace}
    return compiled.instantiate({"env": {name: wasmc.Func.from_python(HOST_TYPES[name], fn)
                                         for name, fn in hosts.items()}})


# ---- host functions with results ---------------------------------------------------------


def test_host_results_reach_wasm(host_module) -> None:
    e = instantiate(host_module).exports
    assert e["add_i32"](2, 3) == 5
    assert e["add_i32"](0x7FFFFFFF, 1) == -0x80000000  # returned unsigned, read as i32
    # (2**32 + 1) * (2**32 - 1) = 2**64 - 1, i.e. -1; plus 1 in Wasm: 0
    assert e["mul_i64_plus_1"](2**32 + 1, 2**32 - 1) == 0
    assert e["mul_i64_plus_1"](3, -5) == -14
    assert e["half_f32"](3.0) == 1.5
    # 0.1 is not an f32: the argument rounds to 0x3DCCCCCD, half of it is exact
    assert e["half_f32"](0.1) == 0.0500000007450580596923828125
    assert e["sqrt_f64"](2.0) == 1.4142135623730951
    assert e["sqrt_f64"](math.inf) == math.inf


def test_host_multi_value(host_module) -> None:
    e = instantiate(host_module).exports
    # 0x123456789: low 16 bits 0x6789, the rest 0x12345; 0.1 as an f32 (0x3DCCCCCD)
    f64, f32, i64, i32 = e["split"](0x123456789)
    assert (i32, i64, f32) == (0x6789, 0x12345, 0.100000001490116119384765625)
    assert f64 == 0.0 and math.copysign(1.0, f64) == -1.0
    # a negative argument: Python's >> is arithmetic, as i64.shr_s
    assert e["split"](-(2**40))[2:] == (-(2**24), 0)


def test_host_without_results(host_module) -> None:
    seen: list[int] = []
    e = instantiate(host_module, nothing=seen.append).exports
    assert e["nothing"](-3) == 7
    assert seen == [-3]  # signed, as Python sees an i32


# ---- host failures become traps --------------------------------------------------------


def test_host_exception_is_a_trap(host_module) -> None:
    def broken(a: int, b: int) -> int:
        raise ValueError("the host gave up")

    e = instantiate(host_module, add_i32=broken).exports
    with pytest.raises(Trap) as trap:
        e["add_i32"](1, 2)
    assert trap.value.message == "host function failed: ValueError('the host gave up')"
    # the instance is still usable afterwards
    assert e["sqrt_f64"](4.0) == 2.0


def test_host_trap_keeps_its_message(host_module) -> None:
    def trapping(x: float) -> float:
        raise Trap("custom trap from the host")

    e = instantiate(host_module, sqrt_f64=trapping).exports
    with pytest.raises(Trap) as trap:
        e["sqrt_f64"](1.0)
    assert trap.value.message == "custom trap from the host"


@pytest.mark.parametrize(
    ("name", "fn", "message"),
    [
        # one value for four results
        ("split", lambda x: 1, "TypeError('host function returned 1 values, expected 4')"),
        ("split", lambda x: (1, 2, 3.0, 4.0, 5),
         "TypeError('host function returned 5 values, expected 4')"),
        # None is no results
        ("add_i32", lambda a, b: None,
         "TypeError('host function returned 0 values, expected 1')"),
        ("nothing", lambda x: 5, "TypeError('host function returned 1 values, expected 0')"),
        # a value of the wrong type, or out of range
        ("add_i32", lambda a, b: "3", "TypeError('expected an int for i32, got str')"),
        ("add_i32", lambda a, b: 1.5, "TypeError('expected an int for i32, got float')"),
        ("add_i32", lambda a, b: 2**32, "ValueError('4294967296 is out of range for i32')"),
        ("sqrt_f64", lambda x: "1.0", "TypeError('expected a float for f64, got str')"),
    ],
    ids=["one-for-four", "five-for-four", "none-for-one", "one-for-none", "str-for-i32",
         "float-for-i32", "2**32-for-i32", "str-for-f64"],
)
def test_host_wrong_results_are_traps(host_module, name: str, fn: Callable[..., Any],
                                      message: str) -> None:
    e = instantiate(host_module, **{name: fn}).exports
    args = {"split": (1,), "add_i32": (1, 2), "nothing": (1,), "sqrt_f64": (1.0,)}[name]
    with pytest.raises(Trap) as trap:
        e[name](*args)
    assert trap.value.message == f"host function failed: {message}"


# ---- memories --------------------------------------------------------------------------

MEMORY_WAT = r"""
(module
  (memory (export "mem") 1 3)
  (memory (export "mem64") i64 1 2)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "size") (result i32) (memory.size 0))
  (func (export "load64") (param i64) (result i64) (i64.load 1 (local.get 0)))
)
"""


@pytest.fixture(scope="module")
def memory_module(tmp_path_factory: pytest.TempPathFactory) -> wasmc.CompiledModule:
    path = tmp_path_factory.mktemp("api") / "memory.wat"
    path.write_text(MEMORY_WAT)
    return wasmc.compile_module(path, opt=0)


def test_memory_read_write(memory_module) -> None:
    e = memory_module.instantiate().exports
    mem = e["mem"]
    mem.write(100, b"\x01\x02\x03\x04")
    assert e["load"](100) == 0x04030201  # little-endian
    e["store"](200, -2)
    assert mem.read(200, 4) == b"\xfe\xff\xff\xff"
    assert mem.read(65532, 4) == bytes(4)  # the last bytes of the page
    mem.write(65535, b"z")
    assert mem.read(65535, 1) == b"z"
    assert mem.read(65536, 0) == b"" and mem.write(65536, b"") is None  # empty, at the end


@pytest.mark.parametrize(
    "access",
    [lambda m: m.read(65533, 4), lambda m: m.read(65536, 1), lambda m: m.read(-1, 1),
     lambda m: m.read(0, -1), lambda m: m.write(65535, b"ab"), lambda m: m.write(-1, b"a"),
     lambda m: m.read(0, 2**64)],
    ids=["read-across-end", "read-at-end", "read-negative", "read-negative-length",
         "write-across-end", "write-negative", "read-huge"],
)
def test_memory_bounds(memory_module, access: Callable[[Any], Any]) -> None:
    mem = memory_module.instantiate().exports["mem"]
    with pytest.raises(IndexError, match="^out of bounds memory access$"):
        access(mem)


def test_memory_grow(memory_module) -> None:
    e = memory_module.instantiate().exports
    mem = e["mem"]
    assert (mem.size, mem.type.limits.min, mem.type.limits.max) == (1, 1, 3)
    assert mem.grow(0) == 1
    assert mem.grow(1) == 1  # the old size
    assert (mem.size, e["size"]()) == (2, 2)  # Wasm sees the new page
    mem.write(2 * 65536 - 4, b"\xaa\xbb\xcc\xdd")
    assert e["load"](2 * 65536 - 4) == -0x22334456  # 0xddccbbaa as an i32
    assert mem.grow(2) == -1  # over the maximum of 3: unchanged
    assert mem.size == 2
    assert mem.grow(1) == 2 and mem.size == 3
    assert mem.grow(1) == -1
    with pytest.raises(IndexError):
        mem.read(3 * 65536, 1)


def test_memory64_grow_read_write(memory_module) -> None:
    e = memory_module.instantiate().exports
    mem = e["mem64"]
    assert mem.type.limits.is64 and mem.size == 1
    assert mem.grow(1) == 1 and mem.size == 2
    mem.write(65536 + 3, (2**64 - 2).to_bytes(8, "little"))
    assert e["load64"](65536 + 3) == -2
    assert mem.grow(1) == -1 and mem.size == 2
    with pytest.raises(IndexError):
        mem.write(2 * 65536 - 1, b"ab")


def test_host_memory() -> None:
    mem = wasmc.Memory.new(MemoryType(Limits(0, 1)))
    assert mem.size == 0 and mem.read(0, 0) == b""
    with pytest.raises(IndexError):
        mem.write(0, b"x")
    assert mem.grow(1) == 0
    mem.write(0, b"x")
    assert mem.read(0, 1) == b"x"
    assert mem.grow(1) == -1


# ---- globals -----------------------------------------------------------------------------

GLOBALS_WAT = r"""
(module
  (global (export "i32") (mut i32) (i32.const 1))
  (global (export "i64") (mut i64) (i64.const 2))
  (global (export "f32") (mut f32) (f32.const 3))
  (global (export "f64") (mut f64) (f64.const 4))
  (global (export "const") i32 (i32.const 5))
  (func (export "get_i32") (result i32) (global.get 0))
  (func (export "get_i64") (result i64) (global.get 1))
  (func (export "get_f32") (result f32) (global.get 2))
  (func (export "get_f64") (result f64) (global.get 3))
)
"""


@pytest.fixture(scope="module")
def globals_module(tmp_path_factory: pytest.TempPathFactory) -> wasmc.CompiledModule:
    path = tmp_path_factory.mktemp("api") / "globals.wat"
    path.write_text(GLOBALS_WAT)
    return wasmc.compile_module(path, opt=0)


@pytest.mark.parametrize(
    ("name", "value", "read_back"),
    [("i32", -7, -7), ("i32", 0xFFFFFFFF, -1), ("i32", -(2**31), -(2**31)),
     ("i64", 2**63, -(2**63)), ("i64", -1, -1),
     ("f32", 0.1, 0.100000001490116119384765625), ("f32", 2, 2.0), ("f32", -math.inf, -math.inf),
     ("f64", 0.1, 0.1), ("f64", 5, 5.0)],
)
def test_global_setter(globals_module, name: str, value: Any, read_back: Any) -> None:
    e = globals_module.instantiate().exports
    e[name].value = value
    assert e[name].value == read_back
    assert e[f"get_{name}"]() == read_back  # Wasm code sees it


def test_immutable_global_is_rejected(globals_module) -> None:
    g = globals_module.instantiate().exports["const"]
    with pytest.raises(AttributeError, match="^global is immutable$"):
        g.value = 6
    assert g.value == 5


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [("i32", 1.5, TypeError, "expected an int for i32, got float"),
     ("i32", "1", TypeError, "expected an int for i32, got str"),
     ("i32", 2**32, ValueError, "4294967296 is out of range for i32"),
     ("i32", -(2**31) - 1, ValueError, "-2147483649 is out of range for i32"),
     ("i64", 2**64, ValueError, "18446744073709551616 is out of range for i64"),
     ("i64", None, TypeError, "expected an int for i64, got NoneType"),
     ("f64", "0.5", TypeError, "expected a float for f64, got str"),
     ("f32", None, TypeError, "expected a float for f32, got NoneType")],
)
def test_global_setter_checks_the_type(globals_module, name: str, value: Any,
                                       error: type[Exception], message: str) -> None:
    g = globals_module.instantiate().exports[name]
    before = g.value
    with pytest.raises(error) as info:
        g.value = value
    assert str(info.value) == message
    assert g.value == before  # unchanged


# ---- imports: type mismatches name the import -------------------------------------------

IMPORTS_WAT = r"""
(module
  (import "env" "f" (func (param i32) (result i64)))
  (import "env" "mem" (memory 2 4))
  (import "env" "tab" (table 1 funcref))
  (import "env" "g" (global (mut f64)))
  (import "env" "c" (global i32))
)
"""


@pytest.fixture(scope="module")
def imports_module(tmp_path_factory: pytest.TempPathFactory) -> wasmc.CompiledModule:
    path = tmp_path_factory.mktemp("api") / "imports.wat"
    path.write_text(IMPORTS_WAT)
    return wasmc.compile_module(path, opt=0)


def good_imports() -> dict[str, Any]:
    return {
        "f": wasmc.Func.from_python(FuncType(("i32",), ("i64",)), lambda x: x),
        "mem": wasmc.Memory.new(MemoryType(Limits(2, 4))),
        "tab": wasmc.Table.new(TableType("funcref", Limits(1, None))),
        "g": wasmc.Global.new(GlobalType("f64", True), 1.5),
        "c": wasmc.Global.new(GlobalType("i32", False), 3),
    }


def test_good_imports_link(imports_module) -> None:
    imports_module.instantiate({"env": good_imports()})


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("f", lambda: wasmc.Func.from_python(FuncType(("i32",), ("i32",)), lambda x: x),
         "incompatible import type for 'env'.'f'"),
        ("f", lambda: wasmc.Func.from_python(FuncType(("i64",), ("i64",)), lambda x: x),
         "incompatible import type for 'env'.'f'"),
        ("f", lambda: wasmc.Global.new(GlobalType("i32", False), 0),
         "incompatible import type for 'env'.'f'"),
        ("mem", lambda: wasmc.Memory.new(MemoryType(Limits(1, 4))),
         "incompatible import type for 'env'.'mem'"),  # too small
        ("mem", lambda: wasmc.Memory.new(MemoryType(Limits(2, None))),
         "incompatible import type for 'env'.'mem'"),  # no maximum, one of 4 required
        ("mem", lambda: wasmc.Memory.new(MemoryType(Limits(2, 4, is64=True))),
         "incompatible import type for 'env'.'mem'"),  # 64-bit
        ("tab", lambda: wasmc.Table.new(TableType("externref", Limits(1, None))),
         "incompatible import type for 'env'.'tab'"),
        ("g", lambda: wasmc.Global.new(GlobalType("f64", False), 1.5),
         "incompatible import type for 'env'.'g'"),  # immutable for mutable
        ("g", lambda: wasmc.Global.new(GlobalType("f32", True), 1.5),
         "incompatible import type for 'env'.'g'"),
        ("c", lambda: wasmc.Global.new(GlobalType("i32", True), 3),
         "incompatible import type for 'env'.'c'"),  # mutable for immutable
        ("c", None, "unknown import: 'env'.'c'"),  # missing
    ],
    ids=["func-result", "func-param", "global-for-func", "memory-min", "memory-max",
         "memory-64", "table-elem", "global-mutability", "global-type", "global-mutable",
         "missing"],
)
def test_import_mismatch_names_the_import(imports_module, name: str,
                                          make: Callable[[], Any] | None,
                                          message: str) -> None:
    imports = good_imports()
    if make is None:
        del imports[name]
    else:
        imports[name] = make()
    with pytest.raises(LinkError) as info:
        imports_module.instantiate({"env": imports})
    assert str(info.value) == message

"""A module whose compiled library is cached loads without decoding its function bodies
(libcache.source_key / cached_library, decoder.decode(bodies=False)), and behaves the same
as when it was first compiled. Invalid modules are never cached: their errors stay those
of the full pipeline."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import wasmc
import wasmc.wasmtime as wasmtime
from wasmc import libcache
from wasmc.binary import decoder
from wasmc.codegen import split
from wasmc.compiler import read_source
from wasmc.errors import InvalidError

# Imports, a start function, and one of each kind of export; several function bodies.
MODULE = read_source("""
(module
  (import "host" "twice" (func $twice (param i32) (result i32)))
  (memory (export "memory") 1 3)
  (table (export "table") 2 funcref)
  (elem (i32.const 0) $add $twice)
  (global $started (export "started") (mut i32) (i32.const 0))
  (tag (export "oops") (param i32))
  (data (i32.const 16) "cached")
  (func $add (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "via_host") (param i32) (result i32)
    (local i64)
    (call $twice (i32.add (local.get 0) (i32.const 1))))
  (func (export "load") (param i32) (result i32)
    (i32.load8_u (local.get 0)))
  (func (export "pick") (param i32 i32 i32) (result i32)
    (call_indirect (param i32 i32) (result i32)
      (local.get 0) (local.get 1) (local.get 2)))
  (func $start (global.set $started (i32.const 1)))
  (start $start))
""")
INVALID = read_source('(module (func (result i32) (i64.const 1)))')


@pytest.fixture
def modules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh directory for compiled modules (the C runtime stays in the shared cache)."""
    monkeypatch.setattr(libcache, "_modules_dir", lambda: tmp_path)
    return tmp_path


@pytest.fixture
def body_decodes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The start offsets of the function bodies decoded from now on."""
    full = decoder.decode(MODULE)
    body_starts = {f.body[0].offset for f in full.functions}
    seen: list[int] = []
    real = decoder.decode_instrs

    def spying(data: bytes, pos: int, end: int, exhausted: str):
        if data == MODULE and pos in body_starts:
            seen.append(pos)
        return real(data, pos, end, exhausted)

    monkeypatch.setattr(decoder, "decode_instrs", spying)
    return seen


def _outcome(func, *args) -> object:
    try:
        return func(*args)
    except wasmc.Trap as trap:
        return f"trap: {trap}"


def _run(compiled: wasmc.Module) -> list:
    """Everything observable about an instance of MODULE, as plain values."""
    inst = compiled.instantiate({"host": {"twice": lambda x: 2 * x}})
    e = inst.exports
    return [
        repr(compiled), compiled.imports, compiled.exports,
        [str(e[name].type) if name in ("add", "via_host", "load", "pick") else None
         for name in e],
        e.add(2, 3), e.via_host(20), e.load(16), e.load(21),
        e.pick(4, 5, 0), _outcome(e.pick, 4, 5, 1), _outcome(e.load, 70000),
        e.started.value, e.memory.size, e.memory.type, e.table.size, e.table.elem,
        e.oops.type,
    ]


def _header(m) -> dict:
    """A decoded module's fields, functions without their locals and bodies, without the
    element and data segments (and the name section read: a cached module reads it when a
    name is first asked for)."""
    m.func_name(0)
    skipped = ("functions", "bodies_decoded", "elements", "datas")
    fields = {f.name: getattr(m, f.name) for f in dataclasses.fields(m)
              if f.name not in skipped and not f.name.startswith("_")}
    fields["functions"] = [(f.type_index, f.offset) for f in m.functions]
    return fields


@pytest.mark.parametrize("split_output", [False, True], ids=["one-file", "split"])
def test_cached_load_skips_bodies_and_behaves_the_same(
        modules_dir: Path, body_decodes: list[int], monkeypatch: pytest.MonkeyPatch,
        split_output: bool) -> None:
    if split_output:  # compiled the way large modules are (codegen/split.py)
        monkeypatch.setattr(split, "SPLIT_MIN_INSTRS", 5)
        monkeypatch.setattr(split, "BUCKET_INSTRS", 10)
    first = wasmc.compile_module(MODULE, opt=0)
    assert first.module.bodies_decoded
    assert len(set(body_decodes)) == len(first.module.functions)  # the spy sees them
    assert len(list(modules_dir.glob("*.ref"))) == 1
    before = _run(first)

    body_decodes.clear()
    cached = wasmc.compile_module(MODULE, opt=0)
    assert body_decodes == []
    assert not cached.module.bodies_decoded
    assert all(f.body == [] and f.locals == [] for f in cached.module.functions)
    assert cached._lib is first._lib
    assert _run(cached) == before
    assert _header(cached.module) == _header(first.module)


def test_wasmtime_layer_loads_cached_module_without_bodies(
        modules_dir: Path, body_decodes: list[int]) -> None:
    config = wasmtime.Config()
    config.cranelift_opt_level = "none"
    engine = wasmtime.Engine(config)
    results = []
    for _ in range(2):
        body_decodes.clear()
        module = wasmtime.Module(engine, MODULE)
        store = wasmtime.Store(engine)
        linker = wasmtime.Linker(engine)
        ft = wasmtime.FuncType([wasmtime.ValType.i32()], [wasmtime.ValType.i32()])
        linker.define_func("host", "twice", ft, lambda x: 2 * x)
        exports = linker.instantiate(store, module).exports(store)
        results.append((len(body_decodes), list(exports), exports["via_host"](store, 20),
                        exports["started"].value(store)))
    assert results[0][0] == 5 and results[1][0] == 0
    assert results[0][1:] == results[1][1:] == (
        ["memory", "table", "started", "oops", "add", "via_host", "load", "pick"], 42, 1)


def test_invalid_modules_are_never_cached(modules_dir: Path) -> None:
    errors = []
    for _ in range(2):
        with pytest.raises(InvalidError) as info:
            wasmc.compile_module(INVALID, opt=0)
        errors.append(str(info.value))
        # a batch with one invalid module: the valid one is compiled, the batch not recorded
        bad, good = wasmc.compile_modules([INVALID, MODULE], opt=0)
        assert isinstance(bad, InvalidError) and str(bad) == errors[0]
        assert good.module.bodies_decoded
    assert errors[0] == errors[1]
    assert list(modules_dir.glob("*.ref")) == []


def test_settings_are_part_of_the_key(modules_dir: Path) -> None:
    """The same bytes with other settings are another library, not the cached one."""
    plain = wasmc.compile_module(MODULE, opt=0)
    interruptible = wasmc.compile_module(MODULE, opt=0, interruptible=True)
    assert interruptible.module.bodies_decoded and interruptible.interruptible
    assert not plain.interruptible and interruptible._lib is not plain._lib
    assert not wasmc.compile_module(MODULE, opt=0, interruptible=True).module.bodies_decoded
    assert len(list(modules_dir.glob("*.ref"))) == 2


def test_the_key_covers_the_code_that_builds_libraries() -> None:
    """Both caches key on sources.sources_digest, so every file that decides what a module
    becomes must be in it: the code generator and runtime, and the modules that drive the
    build (a change to how libcache compiles a batch must not reuse old libraries)."""
    from wasmc import compiler, sources, toolchain

    covered = {Path(p).resolve() for p in sources.source_files()}
    for module in (compiler, libcache, toolchain, split, decoder):
        assert Path(module.__file__).resolve() in covered, module.__name__
    runtime = Path(sources.PACKAGE_DIR) / "runtime"
    assert {p.resolve() for p in runtime.glob("*.[ch]")} <= covered

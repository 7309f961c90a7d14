"""Lifetimes of instances and what they own (src/wasmc/store.py, docs/api.md "Lifetimes").

An instance, its memories, tables and host functions are freed when nothing refers to them
any more, and a memory's 8 GiB address-space reservation goes back to the system; but
anything C code can still reach (a function stored in another instance's table, a memory
imported by a live instance) stays alive.
"""

from __future__ import annotations

import gc
import time
import weakref

import pytest

import wasmc.api as wasmc
from wasmc.binary.module import FuncType, Limits, MemoryType, TableType

GIB = 1 << 30

MEMORY = b"""(module
  (memory (export "memory") 1)
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"""

# Exports a table and calls through it; a second module stores its own function there.
TABLE_OWNER = b"""(module
  (type $t (func (result i32)))
  (table (export "table") 2 funcref)
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))"""
TABLE_USER = b"""(module
  (import "owner" "table" (table 2 funcref))
  (memory 1)
  (func $seven (result i32) (i32.const 7))
  (elem (i32.const 0) $seven))"""
# Exports a function (and a memory, so that freeing it is visible in the address space).
FUNC_EXPORTER = b"""(module
  (memory 1)
  (func (export "eleven") (result i32) (i32.const 11)))"""
# Calls a host function that it imports.
HOST_USER = b"""(module
  (import "host" "get" (func $get (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32) (call $get)))"""
# Imports a memory and reads it.
MEMORY_USER = b"""(module
  (import "owner" "memory" (memory 1))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"""


def _wat(text: bytes, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("wat") / "m.wat"
    path.write_bytes(text)
    return wasmc.read_source(path)


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, wasmc.CompiledModule]:
    names = {"memory": MEMORY, "table_owner": TABLE_OWNER, "table_user": TABLE_USER,
             "func_exporter": FUNC_EXPORTER, "host_user": HOST_USER,
             "memory_user": MEMORY_USER}
    compiled = wasmc.compile_modules([_wat(t, tmp_path_factory) for t in names.values()],
                                     opt=0)
    return dict(zip(names, compiled, strict=True))


def _status() -> dict[str, int]:
    """VmSize (address space) and VmRSS of this process, in bytes."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmSize", "VmRSS"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def test_dropped_instances_are_freed(modules) -> None:
    """100,000 instances of a module with a memory, each dropped: bounded address space
    and RSS. Before stores, the 16,382nd failed (8 GiB reserved per memory, never freed).
    About 45 us of CPU per instance, so ~5 s. The same loop ran with 1,000,000 once by hand:
    RSS 25 MiB and VmSize 8,221 MiB throughout (docs/api.md, "Lifetimes")."""
    module = modules["memory"]
    for _ in range(100):  # warm up caches and allocators before the baseline
        module.instantiate()
    before = _status()
    start = time.perf_counter()
    for k in range(100_000):
        instance = module.instantiate()
        instance.exports["store"](8, k)
        assert instance.exports["load"](8) == k
    del instance
    elapsed = time.perf_counter() - start
    after = _status()
    # One live instance holds 8 GiB of address space: less than that growth means none
    # survived; RSS may move with the allocator but not with the count.
    assert after["VmSize"] - before["VmSize"] < 8 * GIB, (before, after)
    assert after["VmRSS"] - before["VmRSS"] < 64 << 20, (before, after)
    print(f"100,000 instances in {elapsed:.1f} s; before {before}, after {after}")


def test_memory_reservation_goes_back(modules) -> None:
    before = _status()["VmSize"]
    instance = modules["memory"].instantiate()
    assert _status()["VmSize"] - before >= 8 * GIB
    del instance
    assert _status()["VmSize"] - before < GIB


def test_function_in_another_instances_table_keeps_its_instance(modules) -> None:
    owner = modules["table_owner"].instantiate()
    user = modules["table_user"].instantiate({"owner": {"table": owner.exports["table"]}})
    group = weakref.ref(user._store.root())
    del user
    gc.collect()
    # The element segment put the user's $seven into the owner's table: the user's
    # instance (and its memory) must still be there for the owner to call it.
    assert group() is not None
    assert owner.exports["call"](0) == 7
    before = _status()["VmSize"]
    del owner
    assert group() is None  # no cycle: freed at once, without the cycle collector
    assert before - _status()["VmSize"] >= 8 * GIB  # the user's memory went back


def test_function_stored_from_python_keeps_its_instance(modules) -> None:
    owner = modules["table_owner"].instantiate()
    exporter = modules["func_exporter"].instantiate()
    owner.exports["table"].set(1, exporter.exports["eleven"])
    exporter_group = weakref.ref(exporter._store.root())
    del exporter
    gc.collect()
    assert exporter_group() is not None
    assert owner.exports["call"](1) == 11
    assert owner.exports["table"].get(1)() == 11
    del owner
    gc.collect()
    assert exporter_group() is None


def test_function_passed_to_wasm_joins_its_group(modules, tmp_path_factory) -> None:
    """A funcref argument may be stored by the callee: the caller's function stays."""
    setter = wasmc.load(_wat(b"""(module
      (table (export "table") 1 funcref)
      (func (export "keep") (param funcref) (table.set (i32.const 0) (local.get 0))))""",
                             tmp_path_factory), opt=0)
    exporter = modules["func_exporter"].instantiate()
    setter.exports["keep"](exporter.exports["eleven"])
    exporter_group = weakref.ref(exporter._store.root())
    del exporter
    gc.collect()
    assert exporter_group() is not None
    assert setter.exports["table"].get(0)() == 11


def test_imported_memory_stays_with_its_importer(modules) -> None:
    owner = modules["memory"].instantiate()
    owner.exports["store"](0, 1234)
    user = modules["memory_user"].instantiate({"owner": {"memory": owner.exports["memory"]}})
    del owner
    gc.collect()
    assert user.exports["load"](0) == 1234


def test_host_function_cycle_is_collected(modules) -> None:
    """A host function that refers to the instance that imports it is a reference cycle;
    the cycle collector frees the group."""

    def make_cycle() -> weakref.ref:
        state: dict[str, wasmc.Instance] = {}

        def get() -> int:
            return state["instance"].exports["memory"].size

        host = wasmc.Func.from_python(FuncType((), ("i32",)), get)
        state["instance"] = modules["host_user"].instantiate({"host": {"get": host}})
        assert state["instance"].exports["run"]() == 1
        return weakref.ref(state["instance"]._store.root())

    group = make_cycle()
    gc.collect()
    assert group() is None


def test_host_made_objects_are_freed() -> None:
    before = _status()["VmSize"]
    memory = wasmc.Memory.new(MemoryType(Limits(1)))
    table = wasmc.Table.new(TableType("funcref", Limits(1)))
    groups = [weakref.ref(memory._store.root()), weakref.ref(table._store.root())]
    assert _status()["VmSize"] - before >= 8 * GIB
    del memory, table
    assert [g() for g in groups] == [None, None]
    assert _status()["VmSize"] - before < GIB


def test_externref_objects_live_with_their_instance(tmp_path_factory) -> None:
    class Payload:
        pass

    module = wasmc.compile_module(_wat(b"""(module
      (global $kept (mut externref) (ref.null extern))
      (func (export "keep") (param externref) (global.set $kept (local.get 0)))
      (func (export "kept") (result externref) (global.get $kept)))""", tmp_path_factory),
                                  opt=0)
    instance = module.instantiate()
    payload = Payload()
    alive = weakref.ref(payload)
    instance.exports["keep"](payload)
    del payload
    gc.collect()
    assert alive() is not None  # Wasm holds it
    assert instance.exports["kept"]() is alive()
    del instance
    gc.collect()
    assert alive() is None  # freed with the instance, not kept by the process


def test_host_function_sees_references_after_its_func_is_dropped(tmp_path_factory) -> None:
    """A host function given inline (its Func object dropped at once) still converts the
    references it receives and returns in its instance's group."""
    received = []
    marker = object()
    instance = wasmc.load(_wat(b"""(module
      (import "host" "memory" (memory 1))
      (import "host" "echo" (func $echo (param externref funcref) (result externref)))
      (func $f (result i32) (i32.const 5))
      (elem declare func $f)
      (func (export "run") (param externref) (result externref)
        (call $echo (local.get 0) (ref.func $f))))""", tmp_path_factory),
        # The memory's store is the group's root: the function's own store merges into it
        # and, with the Func dropped, is gone.
        {"host": {"memory": wasmc.Memory.new(MemoryType(Limits(1))),
                  "echo": lambda ref, func: received.append(func()) or ref}}, opt=0)
    gc.collect()
    assert instance.exports["run"](marker) is marker
    assert received == [5]

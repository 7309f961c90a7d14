"""Import matching through the API uses the declared types of what is imported."""

from __future__ import annotations

import pytest

import wasmc

# A 64-bit memory whose declared maximum (1,000,000 pages) is above what the runtime can
# give (131,072 pages, 8 GiB): the runtime clamps its maximum, the type must not.
EXPORTER = """(module (memory (export "memory") i64 1 1000000))"""
TOO_SMALL = """(module (import "m" "memory" (memory i64 1 200000)))"""
LARGE_ENOUGH = """(module (import "m" "memory" (memory i64 1 1000000)))"""


def test_memory64_type_reports_the_declared_maximum() -> None:
    exporter, too_small, large_enough = wasmc.compile_modules(
        [EXPORTER, TOO_SMALL, LARGE_ENOUGH], opt=0)
    memory = exporter.instantiate().exports.memory
    assert memory.type == wasmc.MemoryType(wasmc.Limits(1, 1_000_000, is64=True))
    with pytest.raises(wasmc.LinkError, match="incompatible import type"):
        too_small.instantiate({"m": {"memory": memory}})
    large_enough.instantiate({"m": {"memory": memory}})


def test_host_memory_type_is_its_declared_type() -> None:
    memory = wasmc.Memory.new(wasmc.MemoryType(wasmc.Limits(1, 70000, is64=True)))
    assert memory.type.limits.max == 70000
    assert wasmc.Memory.new(1).type == wasmc.MemoryType(wasmc.Limits(1))


def test_table64_type_reports_the_declared_maximum() -> None:
    """A table64's maximum above 2^32 - 1 is clamped in the runtime (and 2^32 - 1 means
    "no maximum" there); its type keeps the declared one."""
    exporter, larger, smaller = wasmc.compile_modules([
        """(module (table (export "t") i64 1 0x10000000000 funcref))""",
        """(module (import "m" "t" (table i64 1 0x20000000000 funcref)))""",
        """(module (import "m" "t" (table i64 1 0x100000000 funcref)))"""], opt=0)
    table = exporter.instantiate().exports.t
    assert table.type.limits == wasmc.Limits(1, 0x10000000000, is64=True)
    larger.instantiate({"m": {"t": table}})
    with pytest.raises(wasmc.LinkError, match="incompatible import type"):
        smaller.instantiate({"m": {"t": table}})
    host = wasmc.Table.new(wasmc.TableType("funcref", wasmc.Limits(0, 2**32 - 1)))
    assert host.type.limits.max == 2**32 - 1

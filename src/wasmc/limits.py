"""Resource limits for untrusted code: how large an instance's memories and tables may grow,
and how much it may run (`Fuel`).

`ResourceLimits` caps each memory and each table that an instantiation creates (those the
module defines, not those it imports), like Wasmtime's `Store.set_limits(memory_size=...,
table_elements=...)`: `memory.grow` and `table.grow` beyond the cap return -1, as they may
for any reason, and a module whose initial size is already over it fails to instantiate.
The runtime applies the caps when it creates the objects (`wasmc_set_creation_limits`,
wasmc.h), so compiled code is the same with and without limits. docs/limits.md.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .errors import InstantiationError
from .native import Runtime

PAGE_SIZE = 65536
NO_MEMORY_LIMIT = 2**64 - 1  # pages; wasmc_set_creation_limits' "no limit"
NO_TABLE_LIMIT = 2**32 - 1  # elements


@dataclass(frozen=True)
class ResourceLimits:
    """`memory_size`: the most bytes each linear memory may hold (rounded down to whole
    64 KiB pages); `table_elements`: the most entries each table may hold. None: no limit
    beyond the module's own maximum."""

    memory_size: int | None = None
    table_elements: int | None = None

    def __post_init__(self) -> None:
        for name in ("memory_size", "table_elements"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"ResourceLimits.{name} must be a non-negative int or None, "
                                 f"not {value!r}")

    @property
    def memory_pages(self) -> int | None:
        return None if self.memory_size is None else self.memory_size // PAGE_SIZE

    def check_memory(self, what: str, min_pages: int) -> None:
        """Raise InstantiationError if a memory of `min_pages` pages is over the limit."""
        pages = self.memory_pages
        if pages is not None and min_pages > pages:
            raise InstantiationError(
                f"{what} needs {min_pages} pages ({min_pages * PAGE_SIZE} bytes) at first, "
                f"more than the memory limit of {self.memory_size} bytes")

    def check_table(self, what: str, min_elements: int) -> None:
        """Raise InstantiationError if a table of `min_elements` entries is over the limit."""
        if self.table_elements is not None and min_elements > self.table_elements:
            raise InstantiationError(
                f"{what} needs {min_elements} elements at first, more than the table limit "
                f"of {self.table_elements} elements")


@contextmanager
def creating_under(runtime: Runtime, limits: ResourceLimits | None) -> Iterator[None]:
    """Memories and tables that this thread creates inside the block obey `limits`."""
    if limits is None:
        yield
        return
    pages = limits.memory_pages
    elements = limits.table_elements
    runtime.lib.wasmc_set_creation_limits(
        NO_MEMORY_LIMIT if pages is None else pages,
        NO_TABLE_LIMIT if elements is None else min(elements, NO_TABLE_LIMIT))
    try:
        yield
    finally:
        runtime.lib.wasmc_set_creation_limits(NO_MEMORY_LIMIT, NO_TABLE_LIMIT)


class Fuel:
    """A fuel counter for instances of modules compiled with `fuel=True`
    (`CompiledModule.instantiate(fuel=...)`; codegen/fuel.py): the code they run uses it up,
    one unit per instruction as Wasmtime counts, and a call traps with "all fuel consumed by
    WebAssembly" at the next function entry or loop header once none is left. The counter
    holds minus the fuel left, as the compiled code adds to it. Like a Wasmtime store, a
    counter serves one thread at a time."""

    __slots__ = ("cell",)

    def __init__(self, fuel: int = 0) -> None:
        self.cell = ctypes.c_int64(0)
        self.set(fuel)

    def set(self, fuel: int) -> None:
        """Make `fuel` units available (0 to 2**63 - 1)."""
        if not isinstance(fuel, int) or not 0 <= fuel < 2**63:
            raise ValueError(f"fuel must be an int from 0 to 2**63 - 1, not {fuel!r}")
        self.cell.value = -fuel

    def get(self) -> int:
        """The fuel left (0 once used up)."""
        return max(0, -self.cell.value)

    def attach(self, slot_address: int) -> None:
        """Point an instance (the address of its `fuel` field) at this counter."""
        ctypes.c_void_p.from_address(slot_address).value = ctypes.addressof(self.cell)

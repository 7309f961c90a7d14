"""Who owns the C objects behind instances, memories, tables and host functions.

The ownership model (docs/api.md, "Lifetimes"): every C object the API creates belongs to a
`Store`, and a store frees all of its objects at once, when no Python object refers to it
any more. Each `Instance`, `Func`, `Memory`, `Table`, `Global` and `Tag` holds its store, so
an instance lives exactly as long as it, or anything it exported, is reachable from Python.

Why one owner for a group of objects rather than one each: C code keeps pointers that Python
cannot see. An instance's struct points to the memories, tables, globals and functions it
imported; a table may hold a `wasmc_func` that lives inside another instance's struct (an
exported function stored by `table.set` or an element segment); a global may hold one too.
Rather than trace those pointers, wasmc keeps together everything that could have exchanged
them. Stores merge (union-find) at each point where something of one can reach the C state
of another:

  - instantiation: the new instance joins the stores of all of its imports;
  - a function reference passed into Wasm (a call's argument, a host function's result,
    `Table.set`/`grow`, `Global.value`): the function's store joins the receiver's.

A merged group is freed when the last object of any of its members is gone. This is what
wasmtime's `Store` does, except that wasmc builds the stores for you: instances that never
meet are freed independently (a service that makes an instance per request runs in bounded
memory), and instances that are linked are freed together.

Reference cycles through Python (a host function whose closure refers to the instance it is
imported into) are collected by Python's cycle collector, which then frees the store; call
`gc.collect()` to free such a group at a known point. A Python object passed into Wasm as an
externref is kept by the store it went to (its handle table), since Wasm may keep it.
"""

from __future__ import annotations

import itertools
import sys
import weakref
from collections.abc import Callable
from typing import Any

from .interrupt import Interrupt

_handles = itertools.count(1)  # externref handles, unique in the process (0 is null)


class ExternTable:
    """The Python objects behind externref handles (a handle is what Wasm holds)."""

    __slots__ = ("objects", "_ids")

    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}  # handle -> object
        self._ids: dict[int, int] = {}  # id(object) -> handle (the object is kept: ids stay)

    def handle(self, obj: Any) -> int:
        handle = self._ids.get(id(obj))
        if handle is None:
            handle = next(_handles)
            self.objects[handle] = obj
            self._ids[id(obj)] = handle
        return handle

    def update(self, other: ExternTable) -> None:
        self.objects.update(other.objects)
        self._ids.update(other._ids)


class Store:
    """The owner of a group of C objects that may refer to each other (see above)."""

    __slots__ = ("_parent", "_frees", "_keep", "_funcs", "_modules", "_externs", "_refs",
                 "_interrupt", "__weakref__")

    def __init__(self) -> None:
        self._parent: Store | None = None  # set when merged into another store
        self._frees: list[tuple[Callable[[Any], Any], Any]] = []  # (free function, pointer)
        self._keep: list[Any] = []  # Python objects whose memory C code points into
        # address of a wasmc_func -> its Func, while one exists (identity of funcrefs)
        self._funcs: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
        self._modules: list[Any] = []  # CompiledModules instantiated here (their invokers)
        self._externs = ExternTable()  # objects passed in as externrefs
        self._refs: list[StoreRef] = []  # weak references that follow the group (ref())
        # The group's interrupt cell (interrupt.py), once an interruptible instance joins.
        self._interrupt: Interrupt | None = None

    def root(self) -> Store:
        """The store that owns this group now (itself unless merged)."""
        store = self
        while store._parent is not None:
            store = store._parent
        if self._parent is not None and self._parent is not store:
            self._parent = store  # path compression: the next lookup is one step
        return store

    def own(self, free: Callable[[Any], Any], pointer: Any) -> None:
        """Free `pointer` with `free` when the group goes away."""
        self.root()._frees.append((free, pointer))

    def keep(self, obj: Any) -> None:
        """Keep `obj` alive as long as the group (C code points into it)."""
        self.root()._keep.append(obj)

    def ref(self) -> StoreRef:
        """A weak reference to this group that follows it through merges: for callbacks that
        the group itself keeps alive (a strong reference there would be a cycle), and that
        must find the group even when the store they started in is gone."""
        root = self.root()
        ref = StoreRef(root)
        root._refs.append(ref)
        return ref

    def interrupt(self) -> Interrupt:
        """The group's interrupt cell (made on first use)."""
        root = self.root()
        if root._interrupt is None:
            root._interrupt = Interrupt()
        return root._interrupt

    def merge(self, other: Store) -> Store:
        """Make one group of the two (their objects are then freed together); returns it."""
        a, b = self.root(), other.root()
        if a is b:
            return a
        if len(a._frees) + len(a._keep) < len(b._frees) + len(b._keep):
            a, b = b, a  # move the smaller group
        a._frees += b._frees
        a._keep += b._keep
        a._funcs.update(b._funcs)
        a._modules += [m for m in b._modules if m not in a._modules]
        a._externs.update(b._externs)
        for ref in b._refs:
            ref._store = weakref.ref(a)
        a._refs += b._refs
        if b._interrupt is not None:  # one cell for the merged group (interrupt.py)
            if a._interrupt is None:
                a._interrupt = b._interrupt
            else:
                a._interrupt.absorb(b._interrupt)
            b._interrupt = None
        b._frees, b._keep, b._modules, b._externs, b._refs = [], [], [], ExternTable(), []
        b._funcs = weakref.WeakValueDictionary()
        b._parent = a  # b's users now keep a alive
        return a

    def __del__(self) -> None:
        if sys.is_finalizing():
            return  # the process is ending: the system takes everything back
        frees, self._frees = self._frees, []
        for free, pointer in reversed(frees):  # newest first: importers before exporters
            free(pointer)


class StoreRef:
    """See Store.ref."""

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = weakref.ref(store)

    def __call__(self) -> Store | None:
        return self._store()


def merge_all(stores: list[Store]) -> Store:
    """One group of all `stores` (a new, empty store if there are none)."""
    if not stores:
        return Store()
    group = stores[0]
    for store in stores[1:]:
        group = group.merge(store)
    return group.root()

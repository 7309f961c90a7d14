"""Wasm exceptions that cross into the host, and host exceptions thrown into Wasm
(docs/exceptions.md).

An exception that no Wasm handler catches ends the host's call with WASMC_UNCAUGHT_EXCEPTION;
it becomes a WasmException that names its tag and carries its payload. Tags are known by
address: every instance registers all of its tags (P_tag), so an exception thrown with an
unexported tag is still named and its payload typed. The registry is weak: an entry goes
with the store (store.py) that owns its tag. A host function raises WasmException
to throw into its Wasm caller.

(Named wasm_exceptions, not exceptions: this is about Wasm's exceptions; Python's
exception classes for wasmc are in errors.py.)
"""

from __future__ import annotations

import ctypes
import weakref
from typing import TYPE_CHECKING

from .codegen.spelling import slot_count
from .errors import WasmException
from .externals import Tag, WasmcExn, from_raw, raw_to_slots, slots_to_raw, to_raw

if TYPE_CHECKING:
    from .binary.module import FuncType
    from .instance import Instance
    from .store import Store


class _TagInfo:
    """What the host knows of a tag that can reach it: its type, a name, its group (weakly)
    and its Tag object while one exists. The tag's store keeps this (not the Tag, which
    holds the store: that would be a cycle), so it lives exactly as long as the tag."""

    __slots__ = ("type", "name", "store", "tag", "__weakref__")

    def __init__(self, ttype: FuncType, name: str | None, store: Store):
        self.type = ttype
        self.name = name
        self.store = store.ref()
        self.tag: weakref.ref[Tag] | None = None
        store.keep(self)


# wasmc_tag address -> what we know of it; an entry goes when the tag's store is freed.
_tags: weakref.WeakValueDictionary[int, _TagInfo] = weakref.WeakValueDictionary()


def _register(address: int, ttype: FuncType, name: str | None, store: Store,
              tag: Tag | None = None) -> _TagInfo:
    """The tag at `address`, registered (the first registration's name wins)."""
    info = _tags.get(address)
    if info is None:
        info = _tags[address] = _TagInfo(ttype, name, store)
    if tag is not None and (info.tag is None or info.tag() is None):
        info.tag = weakref.ref(tag)
        if getattr(tag, "name", None) is None:
            tag.name = info.name
    return info


def registered_tag(address: int) -> Tag | None:
    """The Tag of a registered wasmc_tag address: the same object while one exists (so an
    exported tag, and the tag of an uncaught exception, keep their identity)."""
    info = _tags.get(address)
    if info is None:
        return None
    tag = info.tag() if info.tag is not None else None
    if tag is None:
        store = info.store()
        if store is None:
            return None
        tag = Tag(address, info.type, store)
        tag.name = info.name
        info.tag = weakref.ref(tag)
    return tag


def register_tags(instance: Instance, ptr: int, imports: list) -> None:
    """Remember the type and a name of every tag of `instance` that can reach the host (the
    first name wins: an imported tag keeps its exporter's). P_tag gives every tag's address
    in a module that throws; in others only imported and exported tags can be thrown.
    `imports`: the instance's resolved imports, in import order."""
    m = instance.compiled.module
    lib, prefix = instance.compiled._lib, instance.compiled._prefix
    names = {e.index: e.name for e in reversed(m.exports) if e.kind == "tag"}
    if hasattr(lib, f"{prefix}_tag"):
        tag_at = getattr(lib, f"{prefix}_tag")
    else:
        export_of = {e.index: k for k, e in reversed(list(enumerate(m.exports)))
                     if e.kind == "tag"}
        tag_at = getattr(lib, f"{prefix}_export")
    tag_at.restype = ctypes.c_void_p
    tag_at.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    imported = m.imported("tag")
    imported_values = [v for v in imports if isinstance(v, Tag)]
    types = m.canonical_types()
    for idx, typeidx in enumerate(m.all_tags()):
        if idx < len(imported):  # the host's (or the exporter's) Tag itself
            tag = imported_values[idx]
            _register(tag.address, tag.type, f"{imported[idx].module}.{imported[idx].name}",
                      tag._store, tag)
            continue
        if hasattr(lib, f"{prefix}_tag"):
            address = tag_at(ptr, idx)
        elif idx in export_of:
            address = tag_at(ptr, export_of[idx])
        else:
            continue  # never thrown: this module has no throw, and nobody else sees it
        _register(address, types[typeidx],
                  names.get(idx, f"tag[{idx}] of {instance.compiled.name}"), instance._store)


def _tag_named(tag: Tag) -> str:
    return getattr(tag, "name", None) or f"tag at {tag.address:#x}"


def uncaught_exception(lib: ctypes.CDLL) -> WasmException:
    """The exception that just ended a protected call, as a WasmException."""
    lib.wasmc_uncaught_exception.restype = ctypes.c_void_p
    address = lib.wasmc_uncaught_exception()
    exn = WasmcExn.from_address(address)
    raw = (ctypes.c_uint64 * exn.count).from_address(address + ctypes.sizeof(WasmcExn))
    tag = registered_tag(exn.tag)
    if tag is None:  # a tag we never saw (cannot happen for tags of instances): raw values
        return WasmException(None, tuple(raw), f"unknown tag at {exn.tag:#x}", tuple(raw))
    params = tag.type.params  # (a v128 takes two slots)
    values = tuple(from_raw(t, r, tag._store)
                   for t, r in zip(params, slots_to_raw(params, raw), strict=True))
    return WasmException(tag, values, _tag_named(tag), tuple(raw))


def set_host_exception(lib: ctypes.CDLL, exc: WasmException) -> None:
    """Make the failing host function throw `exc` into its Wasm caller (or, if `exc` is not
    a well-formed exception, trap saying why)."""
    try:
        params = exc.tag.type.params
        if len(exc.values) != len(params):
            raise TypeError(f"tag {_tag_named(exc.tag)} takes {len(params)} values, "
                            f"got {len(exc.values)}")
        values = [to_raw(t, v, exc.tag._store) for t, v in zip(params, exc.values, strict=True)]
        raw = (ctypes.c_uint64 * max(1, slot_count(params)))(*raw_to_slots(params, values))
    except Exception as bad:  # noqa: BLE001 - reported as the host function's trap
        lib.wasmc_set_host_error(f"host function failed: bad exception: {bad!r}".encode())
        return
    # Known, should it come back uncaught.
    _register(exc.tag.address, exc.tag.type, getattr(exc.tag, "name", None), exc.tag._store,
              exc.tag)
    lib.wasmc_set_host_exception.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32]
    lib.wasmc_set_host_exception(exc.tag.address, raw, slot_count(params))

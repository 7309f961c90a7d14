"""Import matching: does a Python-side external fit the type a module imports it as?"""

from __future__ import annotations

from .binary.module import Limits, Module, val_matches
from .errors import LinkError
from .externals import Extern, Func, Global, Memory, Table, Tag


def _limits_match(actual: Limits, declared: Limits) -> bool:
    if actual.min < declared.min:
        return False
    if declared.max is None:
        return True
    return actual.max is not None and actual.max <= declared.max


def check_import(m: Module, imp, value: Extern) -> None:
    """Import matching on canonical types: function and tag types must be equal (no declared
    subtypes without GC), table element types too; an immutable global may be a subtype."""
    where = f"{imp.module!r}.{imp.name!r}"
    ok = False
    if imp.kind == "func" and isinstance(value, Func):
        ok = value.type == m.canonical_types()[imp.desc]
    elif imp.kind == "tag" and isinstance(value, Tag):
        ok = value.type == m.canonical_types()[imp.desc]
    elif imp.kind == "memory" and isinstance(value, Memory):
        ok = (value.type.limits.is64 == imp.desc.limits.is64
              and value.type.limits.shared == imp.desc.limits.shared
              and _limits_match(value.type.limits, imp.desc.limits))
    elif imp.kind == "table" and isinstance(value, Table):
        ok = (value.elem == m.canonical(imp.desc.elem)
              and value.type.limits.is64 == imp.desc.limits.is64
              and _limits_match(value.type.limits, imp.desc.limits))
    elif imp.kind == "global" and isinstance(value, Global):
        want = m.canonical(imp.desc.valtype)
        ok = value.type.mutable == imp.desc.mutable and (
            value.type.valtype == want
            or not imp.desc.mutable and val_matches(value.type.valtype, want))
    if not ok:
        raise LinkError(f"incompatible import type for {where}")

"""The decoded module: plain dataclasses that the decoder fills and later stages read.

Value types are short strings: "i32", "i64", "f32", "f64", "v128", and reference types.
`(ref null func)` and `(ref null extern)` keep their short names "funcref" and "externref";
every other reference type is spelled `(ref HEAP)` or `(ref null HEAP)`, where HEAP is an
abstract heap type (func, extern, nofunc, noextern), a type index of the module ("3"), or,
after canonicalization (see `canonical_types`), a defined type's structural name ("#1f2e…",
equal across modules exactly when the types are equal). So string equality is type equality
once types are canonical, and every reference type of the func family is a
`const wasmc_func *` in C, every one of the extern family a `void *`.
Every item keeps the byte offset it was decoded from, so later errors can point at it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from ..errors import InvalidError

I32, I64, F32, F64, V128 = "i32", "i64", "f32", "f64", "v128"
FUNCREF, EXTERNREF = "funcref", "externref"
NUM_TYPES = (I32, I64, F32, F64)
REF_TYPES = (FUNCREF, EXTERNREF)

# Abstract heap types (the GC proposal's any/eq/struct/array/i31/none are not supported).
# "bot" is the validator's bottom heap type (a reference popped in dead code): below all.
FUNC, EXTERN, NOFUNC, NOEXTERN, BOT = "func", "extern", "nofunc", "noextern", "bot"
# Exception references (exception handling): exnref is `(ref null exn)`.
EXN, NOEXN = "exn", "noexn"
EXNREF = "(ref null exn)"
_FUNC_HEAPS = frozenset((FUNC, NOFUNC))
_EXTERN_HEAPS = frozenset((EXTERN, NOEXTERN))
_EXN_HEAPS = frozenset((EXN, NOEXN))
_TOP_HEAPS = frozenset((FUNC, EXTERN, EXN))
_BOTTOM_HEAPS = frozenset((NOFUNC, NOEXTERN, NOEXN))


class RefType(NamedTuple):
    nullable: bool
    heap: str  # an abstract heap type, a type index ("3") or a canonical name ("#...")


def ref_type(nullable: bool, heap: str | int) -> str:
    """The canonical spelling of a reference type."""
    heap = str(heap)
    if nullable and heap == FUNC:
        return FUNCREF
    if nullable and heap == EXTERN:
        return EXTERNREF
    return f"(ref null {heap})" if nullable else f"(ref {heap})"


@cache
def parse_ref(t: str | None) -> RefType | None:
    """(nullable, heap) of a reference type; None for a number/vector type (or None)."""
    if t == FUNCREF:
        return RefType(True, FUNC)
    if t == EXTERNREF:
        return RefType(True, EXTERN)
    if t is None or not t.startswith("(ref "):
        return None
    inner = t[5:-1]
    if inner.startswith("null "):
        return RefType(True, inner[5:])
    return RefType(False, inner)


def is_ref(t: str | None) -> bool:
    return parse_ref(t) is not None


def heap_family(heap: str) -> str:
    """"func", "extern" or "exn": which C representation a heap type's references have.
    Defined types are all function types (no GC), and bottom only occurs in dead code."""
    if heap in _EXTERN_HEAPS:
        return EXTERN
    return EXN if heap in _EXN_HEAPS else FUNC


def ref_family(t: str) -> str | None:
    """"func", "extern" or "exn" for a reference type, None for any other value type."""
    r = parse_ref(t)
    return None if r is None else heap_family(r.heap)


def is_defaultable(t: str) -> bool:
    """Has a default value (zero or null): everything but non-nullable references."""
    r = parse_ref(t)
    return r is None or r.nullable


def heap_matches(sub: str, sup: str) -> bool:
    """Heap-type subtyping over canonical heap types (defined types have no declared
    supertypes without GC, so two distinct defined types never match)."""
    if sub == sup or sub == BOT:
        return True
    if heap_family(sub) != heap_family(sup):
        return False
    # Within a family: its top (func, extern, exn) is above everything, its bottom below.
    return sup in _TOP_HEAPS or sub in _BOTTOM_HEAPS


def val_matches(sub: str | None, sup: str | None) -> bool:
    """Value-type subtyping over canonical types; None is the bottom value type (a value
    popped from the polymorphic stack of dead code), and matches anything either way."""
    if sub == sup or sub is None or sup is None:
        return True
    a, b = parse_ref(sub), parse_ref(sup)
    if a is None or b is None:
        return False
    return (b.nullable or not a.nullable) and heap_matches(a.heap, b.heap)


def canonical_types(types: list[FuncType],
                    rec_groups: dict[int, int] | None = None) -> tuple[list[FuncType], list[str]]:
    """Replace type indices inside `types` by structural names; return the canonical types
    and the heap name of each index. Each type is its own recursion group unless
    `rec_groups` (first index -> size) puts it in a larger one (a GC `rec` of function
    types); a type may refer to its group and to earlier types; anything else is an
    "unknown type".

    A type's name hashes its text with earlier types replaced by their names and itself by
    `rec.0` (iso-recursive equality: equal names exactly when the types are equal). In a
    larger group, the name hashes the whole group's text and the type's position in it,
    and the canonical type carries that name (`FuncType.rec`), so two structurally equal
    members of different positions stay different types."""
    names: list[str] = []
    out: list[FuncType] = []
    groups = rec_groups or {}
    group_end = 0  # types below this were done as part of a larger group
    for i, ft in enumerate(types):
        if i < group_end:
            continue
        if groups.get(i, 1) > 1:
            group_end = i + groups[i]
            _canonical_group(types, i, group_end, names, out)
            continue

        def subst(t: str, self_name: str, i: int = i, offset: int = ft.offset) -> str:
            r = parse_ref(t)
            if r is None or not r.heap.isdigit():
                return t
            j = int(r.heap)
            if j > i:
                raise InvalidError("unknown type", offset or None)
            return ref_type(r.nullable, self_name if j == i else names[j])

        text = str(FuncType(tuple(subst(t, "rec.0") for t in ft.params),
                            tuple(subst(t, "rec.0") for t in ft.results)))
        name = "#" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        names.append(name)
        out.append(FuncType(tuple(subst(t, name) for t in ft.params),
                            tuple(subst(t, name) for t in ft.results), ft.offset))
    return out, names


def _canonical_group(types: list[FuncType], start: int, end: int, names: list[str],
                     out: list[FuncType]) -> None:
    """canonical_types for the recursion group types[start:end] (two or more types)."""

    def subst(t: str, inside, offset: int) -> str:
        r = parse_ref(t)
        if r is None or not r.heap.isdigit():
            return t
        j = int(r.heap)
        if j >= end:
            raise InvalidError("unknown type", offset or None)
        return ref_type(r.nullable, inside(j) if j >= start else names[j])

    members = types[start:end]
    text = "rec(" + ";".join(
        str(FuncType(tuple(subst(t, lambda j: f"rec.{j - start}", ft.offset) for t in ft.params),
                     tuple(subst(t, lambda j: f"rec.{j - start}", ft.offset)
                           for t in ft.results)))
        for ft in members) + ")"
    group_names = ["#" + hashlib.blake2b(f"{text}.{k}".encode(), digest_size=8).hexdigest()
                   for k in range(len(members))]
    names.extend(group_names)
    for k, ft in enumerate(members):
        def inside(j: int) -> str:
            return group_names[j - start]
        out.append(FuncType(tuple(subst(t, inside, ft.offset) for t in ft.params),
                            tuple(subst(t, inside, ft.offset) for t in ft.results), ft.offset,
                            group_names[k]))


@dataclass(frozen=True)
class FuncType:
    params: tuple[str, ...]
    results: tuple[str, ...]
    # Where the decoder read it (0: not from a binary). Not part of the type's identity.
    offset: int = field(default=0, compare=False, repr=False)
    # A canonical member of a recursion group of two or more types: its canonical name,
    # part of its identity (see canonical_types). Empty for every other type.
    rec: str = field(default="", repr=False)

    def __str__(self) -> str:
        return f"[{' '.join(self.params)}] -> [{' '.join(self.results)}]"


@dataclass(frozen=True)
class Limits:
    min: int
    max: int | None = None
    is64: bool = False  # memory64: i64 addresses (a 64-bit memory)
    shared: bool = False  # threads: a shared memory (always with a maximum)
    # Byte offset of the limits' flags in the binary (0: not from a binary). Not part of
    # the value: equal limits compare equal wherever they were read.
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class TableType:
    elem: str  # a reference type
    limits: Limits
    offset: int = field(default=0, compare=False, repr=False)  # of the table type's first byte


@dataclass(frozen=True)
class MemoryType:
    limits: Limits  # in 64 KiB pages


@dataclass(frozen=True)
class GlobalType:
    valtype: str
    mutable: bool


@dataclass(slots=True, unsafe_hash=True)
class Instr:
    """One instruction: its opcode row, its immediate (shape depends on the row), its offset.

    Treat as immutable. It is not `frozen` only because the decoder builds one per
    instruction and a frozen dataclass takes twice as long to construct.

    Immediate shapes by `op.imm` (see opcodes.py): "" -> None; "blocktype" -> None | valtype
    str | type index int; "u32"/"label"/"func"/"local"/"global"/"table"/"memory"/"data"/"elem"
    /"type" -> int; "labels" -> (tuple of depths, default depth); "call_indirect" -> (typeidx,
    tableidx); "memarg" -> (align_log2, offset, memidx); "i32"/"i64" -> unsigned int;
    "f32"/"f64" -> raw IEEE bits as unsigned int; "reftype" -> ref type str; "select_t" ->
    tuple of valtypes; "memory.init" -> (dataidx, memidx); "memory.copy" -> (dst, src);
    "table.init" -> (elemidx, tableidx); "table.copy" -> (dst, src); "tag" -> int;
    "try_table" -> (blocktype, ((kind, tagidx or None, label), ...)).
    """

    op: Any  # opcodes.Op
    imm: Any
    offset: int


@dataclass
class Import:
    module: str
    name: str
    kind: str  # "func" | "table" | "memory" | "global" | "tag"
    desc: Any  # func, tag: type index (int); table: TableType; memory: MemoryType;
    # global: GlobalType
    offset: int = 0


@dataclass
class Export:
    name: str
    kind: str  # "func" | "table" | "memory" | "global" | "tag"
    index: int
    offset: int = 0


@dataclass
class Tag:
    """An exception tag (exception handling): its type's params are the payload."""

    type_index: int
    offset: int = 0


@dataclass
class Global:
    type: GlobalType
    init: list[Instr]  # constant expression, without the final `end`
    offset: int = 0


@dataclass
class Element:
    mode: str  # "active" | "passive" | "declarative"
    type: str  # reference type of the elements
    init: list[list[Instr]]  # one constant expression per element (func indices become ref.func)
    table: int = 0
    offset_expr: list[Instr] | None = None  # active only
    offset: int = 0


@dataclass
class Data:
    mode: str  # "active" | "passive"
    init: bytes
    memory: int = 0
    offset_expr: list[Instr] | None = None  # active only
    offset: int = 0


@dataclass
class Function:
    type_index: int
    locals: list[str] = field(default_factory=list)  # declared locals, expanded, without params
    body: list[Instr] = field(default_factory=list)  # ends with the function's final `end`
    offset: int = 0  # offset of the code entry (its size field)


@dataclass
class Module:
    types: list[FuncType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)  # defined functions only
    tables: list[TableType] = field(default_factory=list)  # defined tables only
    # Parallel to `tables`: the initializer expression of each (None: null elements).
    table_inits: list[list[Instr] | None] = field(default_factory=list)
    memories: list[MemoryType] = field(default_factory=list)  # defined memories only
    tags: list[Tag] = field(default_factory=list)  # defined tags only
    globals: list[Global] = field(default_factory=list)  # defined globals only
    exports: list[Export] = field(default_factory=list)
    start: int | None = None
    start_offset: int = 0  # of the start section's function index
    elements: list[Element] = field(default_factory=list)
    datas: list[Data] = field(default_factory=list)
    data_count: int | None = None
    # Recursion groups (`rec`) of two or more function types: first type index -> size.
    rec_groups: dict[int, int] = field(default_factory=dict)
    custom_sections: list[tuple[str, bytes]] = field(default_factory=list)
    module_name: str | None = None
    func_names: dict[int, str] = field(default_factory=dict)  # from the name section
    local_names: dict[int, dict[int, str]] = field(default_factory=dict)
    # False: decoded without function bodies (decoder.decode's bodies=False, for a module
    # whose compiled library is cached): `functions` have no locals and no body, and
    # `elements` and `datas` are empty.
    bodies_decoded: bool = True
    # Such a module's name section is read when a name is first asked for (func_name): the
    # compiled library has its own copy of the names, and yosys's takes 0.2 s to read.
    _read_names: Callable[[Module], None] | None = field(default=None, repr=False,
                                                         compare=False)
    _canonical: tuple[list[FuncType], list[str]] | None = field(
        default=None, repr=False, compare=False)
    # Caches for the lookups below, each with the length of the list it was built from
    # (the decoder appends while it reads): without them, looking up every function
    # would take time quadratic in the number of imports or exports.
    _imported_funcs: tuple[int, list[Import]] | None = field(
        default=None, repr=False, compare=False)
    _export_names: tuple[int, dict[int, str]] | None = field(
        default=None, repr=False, compare=False)

    # Index spaces: imports come first in each.
    def imported(self, kind: str) -> list[Import]:
        return [i for i in self.imports if i.kind == kind]

    def _func_imports(self) -> list[Import]:
        """`imported("func")`, cached: callers must not modify it."""
        cached = self._imported_funcs
        if cached is None or cached[0] != len(self.imports):
            cached = self._imported_funcs = (len(self.imports), self.imported("func"))
        return cached[1]

    def func_type(self, funcidx: int) -> FuncType:
        imported = self._func_imports()
        if funcidx < len(imported):
            return self.types[imported[funcidx].desc]
        return self.types[self.functions[funcidx - len(imported)].type_index]

    def all_func_types(self) -> list[FuncType]:
        return [self.types[i.desc] for i in self.imported("func")] + [
            self.types[f.type_index] for f in self.functions
        ]

    def all_tables(self) -> list[TableType]:
        return [i.desc for i in self.imported("table")] + self.tables

    def all_memories(self) -> list[MemoryType]:
        return [i.desc for i in self.imported("memory")] + self.memories

    def all_globals(self) -> list[GlobalType]:
        return [i.desc for i in self.imported("global")] + [g.type for g in self.globals]

    def all_tags(self) -> list[int]:
        """The type index of every tag, imported ones first."""
        return [i.desc for i in self.imported("tag")] + [t.type_index for t in self.tags]

    # Canonical types (see `canonical_types`): what type checks and type ids compare.
    def canonical_types(self) -> list[FuncType]:
        """The module's types with type indices replaced by structural names; raises
        InvalidError("unknown type") for a reference to a later or missing type."""
        if self._canonical is None:
            self._canonical = canonical_types(self.types, self.rec_groups)
        return self._canonical[0]

    def canonical(self, t: str) -> str:
        """A value type with its type index (if any) replaced by the type's structural name;
        raises InvalidError("unknown type") for an index out of range."""
        r = parse_ref(t)
        if r is None or not r.heap.isdigit():
            return t
        self.canonical_types()
        names = self._canonical[1]  # type: ignore[index]
        if int(r.heap) >= len(names):
            raise InvalidError("unknown type")
        return ref_type(r.nullable, names[int(r.heap)])

    def canonical_func_type(self, funcidx: int) -> FuncType:
        imported = self._func_imports()
        if funcidx < len(imported):
            return self.canonical_types()[imported[funcidx].desc]
        return self.canonical_types()[self.functions[funcidx - len(imported)].type_index]

    def func_name(self, funcidx: int) -> str:
        """The name section's name, else the export name, else `func[N]`."""
        if self._read_names is not None:
            read, self._read_names = self._read_names, None
            read(self)
        if funcidx in self.func_names:
            return self.func_names[funcidx]
        cached = self._export_names
        if cached is None or cached[0] != len(self.exports):
            names: dict[int, str] = {}
            for e in self.exports:
                if e.kind == "func":
                    names.setdefault(e.index, e.name)  # the first export of it
            cached = self._export_names = (len(self.exports), names)
        return cached[1].get(funcidx, f"func[{funcidx}]")

"""The decoded module: plain dataclasses that the decoder fills and later stages read.

Value types are short strings: "i32", "i64", "f32", "f64", "v128", "funcref", "externref".
Every item keeps the byte offset it was decoded from, so later errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

I32, I64, F32, F64, V128 = "i32", "i64", "f32", "f64", "v128"
FUNCREF, EXTERNREF = "funcref", "externref"
NUM_TYPES = (I32, I64, F32, F64)
REF_TYPES = (FUNCREF, EXTERNREF)


@dataclass(frozen=True)
class FuncType:
    params: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        return f"[{' '.join(self.params)}] -> [{' '.join(self.results)}]"


@dataclass(frozen=True)
class Limits:
    min: int
    max: int | None = None


@dataclass(frozen=True)
class TableType:
    elem: str  # a reference type
    limits: Limits


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
    -> int; "labels" -> (tuple of depths, default depth); "call_indirect" -> (typeidx,
    tableidx); "memarg" -> (align_log2, offset, memidx); "i32"/"i64" -> unsigned int;
    "f32"/"f64" -> raw IEEE bits as unsigned int; "reftype" -> ref type str; "select_t" ->
    tuple of valtypes; "memory.init" -> (dataidx, memidx); "memory.copy" -> (dst, src);
    "table.init" -> (elemidx, tableidx); "table.copy" -> (dst, src).
    """

    op: Any  # opcodes.Op
    imm: Any
    offset: int


@dataclass
class Import:
    module: str
    name: str
    kind: str  # "func" | "table" | "memory" | "global"
    desc: Any  # func: type index (int); table: TableType; memory: MemoryType; global: GlobalType
    offset: int = 0


@dataclass
class Export:
    name: str
    kind: str  # "func" | "table" | "memory" | "global"
    index: int
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
    memories: list[MemoryType] = field(default_factory=list)  # defined memories only
    globals: list[Global] = field(default_factory=list)  # defined globals only
    exports: list[Export] = field(default_factory=list)
    start: int | None = None
    elements: list[Element] = field(default_factory=list)
    datas: list[Data] = field(default_factory=list)
    data_count: int | None = None
    custom_sections: list[tuple[str, bytes]] = field(default_factory=list)
    module_name: str | None = None
    func_names: dict[int, str] = field(default_factory=dict)  # from the name section
    local_names: dict[int, dict[int, str]] = field(default_factory=dict)

    # Index spaces: imports come first in each.
    def imported(self, kind: str) -> list[Import]:
        return [i for i in self.imports if i.kind == kind]

    def func_type(self, funcidx: int) -> FuncType:
        imported = self.imported("func")
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

    def func_name(self, funcidx: int) -> str:
        """The name section's name, else the export name, else `func[N]`."""
        if funcidx in self.func_names:
            return self.func_names[funcidx]
        for e in self.exports:
            if e.kind == "func" and e.index == funcidx:
                return e.name
        return f"func[{funcidx}]"

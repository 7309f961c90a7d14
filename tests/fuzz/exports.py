"""The exports of a module and their types, read from its bytes.

The differential fuzzer needs every export's type (a function's parameters and results, a
global's or table's value type). wasmtime-py reads them through the Wasm C API, which aborts
the whole process ("support for non-externref and non-funcref references is not
implemented") when asked for the kind of an `exnref` type, so modules made with exceptions
enabled (whose functions, globals and tables may have exnref types) are read here instead:
an independent reader, neither engine's. It knows what wasm-smith makes for wasmc's feature
set (no GC: every type is a function type; reference types in their short forms or as
`(ref null? ht)` with an abstract heap type).
"""

from __future__ import annotations

from dataclasses import dataclass

from .mutate import read_uleb, sections

_VALTYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64", 0x7B: "v128",
             0x70: "funcref", 0x6F: "externref", 0x69: "exnref"}


@dataclass
class Export:
    name: str
    kind: str  # func, memory, table, global, tag
    params: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    valtype: str = ""  # globals and tables: the value / element type


class _Reader:
    def __init__(self, data: bytes, pos: int):
        self.data, self.pos = data, pos

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def uleb(self) -> int:
        got = read_uleb(self.data, self.pos)
        if got is None:
            raise ValueError(f"bad LEB128 at {self.pos:#x}")
        value, self.pos = got
        return value

    def sleb(self) -> None:  # skipped: only its length matters here
        while self.byte() & 0x80:
            pass

    def name(self) -> str:
        n = self.uleb()
        text = self.data[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return text

    def valtype(self) -> str:
        b = self.byte()
        if b in (0x63, 0x64):  # (ref null ht) / (ref ht): abstract heap types only
            ht = self.byte()
            return {0x70: "funcref", 0x6F: "externref", 0x69: "exnref"}.get(ht, f"ref{ht:#x}")
        if b not in _VALTYPES:
            raise ValueError(f"unknown value type {b:#x} at {self.pos - 1:#x}")
        return _VALTYPES[b]

    def limits(self) -> None:
        flags = self.byte()
        self.uleb()
        if flags & 0x01:
            self.uleb()
        if flags & 0x08:  # custom page size
            self.uleb()

    def const_expr(self) -> None:
        """Skip a constant expression up to and including its `end`."""
        while True:
            op = self.byte()
            if op == 0x0B:
                return
            if op in (0x41, 0x42):
                self.sleb()
            elif op == 0x43:
                self.pos += 4
            elif op == 0x44:
                self.pos += 8
            elif op == 0xD0:  # ref.null ht
                self.byte()
            elif op in (0xD2, 0x23):  # ref.func, global.get
                self.uleb()
            elif op in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):  # extended-const arithmetic
                pass
            elif op == 0xFD and self.uleb() == 12:  # v128.const
                self.pos += 16
            else:
                raise ValueError(f"unexpected opcode {op:#x} in a constant expression")


def read_exports(wasm: bytes) -> list[Export]:
    """Every export of `wasm`, in export order, with its type."""
    secs = {s.id: s for s in sections(wasm) or []}
    types: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    funcs: list[int] = []  # type index of each function (imports first)
    tables: list[str] = []
    globals_: list[str] = []
    if 1 in secs:
        r = _Reader(wasm, secs[1].payload)
        for _ in range(r.uleb()):
            form = r.byte()
            if form != 0x60:
                raise ValueError(f"type form {form:#x} (only function types are read)")
            params = tuple(r.valtype() for _ in range(r.uleb()))
            results = tuple(r.valtype() for _ in range(r.uleb()))
            types.append((params, results))
    if 2 in secs:
        r = _Reader(wasm, secs[2].payload)
        for _ in range(r.uleb()):
            r.name()
            r.name()
            kind = r.byte()
            if kind == 0:
                funcs.append(r.uleb())
            elif kind == 1:
                tables.append(r.valtype())
                r.limits()
            elif kind == 2:
                r.limits()
            elif kind == 3:
                globals_.append(r.valtype())
                r.byte()
            elif kind == 4:
                r.byte()
                r.uleb()
    if 3 in secs:
        r = _Reader(wasm, secs[3].payload)
        funcs += [r.uleb() for _ in range(r.uleb())]
    if 4 in secs:
        r = _Reader(wasm, secs[4].payload)
        for _ in range(r.uleb()):
            with_init = wasm[r.pos] == 0x40
            if with_init:
                r.pos += 2  # 0x40 0x00
            tables.append(r.valtype())
            r.limits()
            if with_init:
                r.const_expr()
    if 6 in secs:
        r = _Reader(wasm, secs[6].payload)
        for _ in range(r.uleb()):
            globals_.append(r.valtype())
            r.byte()  # mutability
            r.const_expr()
    out: list[Export] = []
    if 7 in secs:
        r = _Reader(wasm, secs[7].payload)
        for _ in range(r.uleb()):
            name = r.name()
            kind = r.byte()
            index = r.uleb()
            if kind == 0:
                params, results = types[funcs[index]]
                out.append(Export(name, "func", params, results))
            elif kind == 1:
                out.append(Export(name, "table", valtype=tables[index]))
            elif kind == 2:
                out.append(Export(name, "memory"))
            elif kind == 3:
                out.append(Export(name, "global", valtype=globals_[index]))
            elif kind == 4:
                out.append(Export(name, "tag"))
            else:
                raise ValueError(f"unknown export kind {kind:#x}")
    return out

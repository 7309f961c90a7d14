"""A small Uxntal assembler: enough of the language to write the benchmark's Uxn programs.

Supported (the usual Uxntal runes):

- `( comment )`, brackets `[ ]` (ignored);
- opcodes with mode suffixes in any order: `ADD`, `ADD2`, `LDZ2k`, `JMP2r`, `LIT2`, ... ;
- literals `#12` / `#1234` (LIT / LIT2), raw hex bytes `12` / `1234`, raw text `"abc`;
- padding `|0100` (absolute) and `$10` (relative);
- labels `@name` (starts a scope) and `&name` (`scope/name`);
- label references: `;name` LIT2 absolute, `.name` LIT zero-page, `,name` LIT relative,
  `=name` raw absolute, `-name` raw zero-page, `_name` raw relative,
  `!name` JMI (jump), `?name` JCI (jump if), and a bare `name` JSI (call).
  A reference starting with `&` is relative to the current scope;
- macros `%NAME { tokens }`.

The ROM is the memory from 0x0100 up to the last byte written, as the Uxn loader expects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OPCODES = (
    "BRK INC POP NIP SWP ROT DUP OVR EQU NEQ GTH LTH JMP JCN JSR STH "
    "LDZ STZ LDR STR LDA STA DEI DEO ADD SUB MUL DIV AND ORA EOR SFT"
).split()

_OPCODE_RE = re.compile(r"^(" + "|".join([*OPCODES, "LIT"]) + r")([2kr]*)$")
_HEX_RE = re.compile(r"^[0-9a-f]+$")

ROM_START = 0x0100


class UxntalError(Exception):
    """A syntax error or an unresolved label in a Uxntal source."""


def _opcode(token: str) -> int | None:
    m = _OPCODE_RE.match(token)
    if m is None:
        return None
    modes = m.group(2)
    if len(set(modes)) != len(modes):
        raise UxntalError(f"repeated mode in {token!r}")
    if m.group(1) == "LIT":  # LIT, LIT2, LITr, LIT2r: BRK's opcode with the keep bit
        return 0x80 | (0x20 if "2" in modes else 0) | (0x40 if "r" in modes else 0)
    base = OPCODES.index(m.group(1))
    if base == 0:  # BRK takes no modes (0x20.. are JCI/JMI/JSI/LIT)
        if modes:
            raise UxntalError(f"BRK takes no modes: {token!r}")
        return 0x00
    return base | (0x20 if "2" in modes else 0) | (0x40 if "r" in modes else 0) | (
        0x80 if "k" in modes else 0
    )


def _tokenize(source: str) -> list[str]:
    tokens: list[str] = []
    depth = 0
    for word in source.split():
        if word == "(":
            depth += 1
        elif word == ")":
            if depth == 0:
                raise UxntalError("unbalanced ')'")
            depth -= 1
        elif depth == 0 and word not in ("[", "]"):
            tokens.append(word)
    if depth:
        raise UxntalError("unterminated comment")
    return tokens


def _expand_macros(tokens: list[str]) -> list[str]:
    macros: dict[str, list[str]] = {}
    out: list[str] = []

    def expand(tok: str, depth: int) -> None:
        if tok not in macros:
            out.append(tok)
            return
        if depth > 64:
            raise UxntalError(f"macro {tok!r} expands too deeply")
        for t in macros[tok]:
            expand(t, depth + 1)

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith("%"):
            name = tok[1:]
            if i + 1 >= len(tokens) or tokens[i + 1] != "{":
                raise UxntalError(f"macro {name!r}: expected '{{'")
            try:
                j = tokens.index("}", i + 2)
            except ValueError:
                raise UxntalError(f"macro {name!r}: missing '}}'") from None
            macros[name] = tokens[i + 2 : j]
            i = j + 1
        else:
            expand(tok, 0)
            i += 1
    return out


@dataclass
class _Ref:
    addr: int  # where the value goes
    kind: str  # "abs16", "zp8", "rel8", "rel16"
    label: str
    token: str


@dataclass
class _Assembly:
    memory: bytearray = field(default_factory=lambda: bytearray(0x10000))
    labels: dict[str, int] = field(default_factory=dict)
    refs: list[_Ref] = field(default_factory=list)
    pc: int = 0
    end: int = ROM_START
    scope: str = ""

    def emit(self, *values: int) -> None:
        for v in values:
            if not 0 <= self.pc <= 0xFFFF:
                raise UxntalError("program does not fit in 64 KiB")
            self.memory[self.pc] = v & 0xFF
            self.pc += 1
        self.end = max(self.end, self.pc)

    def label_name(self, name: str) -> str:
        if name.startswith("&"):
            return f"{self.scope}/{name[1:]}"
        return name

    def ref(self, kind: str, name: str, token: str) -> None:
        self.refs.append(_Ref(self.pc, kind, self.label_name(name), token))
        self.emit(*([0, 0] if kind in ("abs16", "rel16") else [0]))


_LIT, _LIT2, _JCI, _JMI, _JSI = 0x80, 0xA0, 0x20, 0x40, 0x60


def assemble(source: str) -> bytes:
    """Assemble a Uxntal program into a ROM (the bytes loaded at 0x0100)."""
    a = _Assembly()
    for tok in _expand_macros(_tokenize(source)):
        rune, rest = tok[0], tok[1:]
        if (op := _opcode(tok)) is not None:
            a.emit(op)
        elif rune == "|":
            a.pc = int(rest, 16)
        elif rune == "$":
            a.pc += int(rest, 16)
        elif rune == "@":
            a.scope = rest
            a.labels[rest] = a.pc
        elif rune == "&":
            a.labels[f"{a.scope}/{rest}"] = a.pc
        elif rune == "#":
            if not _HEX_RE.match(rest) or len(rest) not in (2, 4):
                raise UxntalError(f"bad literal {tok!r}")
            value = int(rest, 16)
            a.emit(_LIT, value) if len(rest) == 2 else a.emit(_LIT2, value >> 8, value)
        elif rune == '"':
            a.emit(*rest.encode("ascii"))
        elif rune in ";.,":
            a.emit({";": _LIT2, ".": _LIT, ",": _LIT}[rune])
            a.ref({";": "abs16", ".": "zp8", ",": "rel8"}[rune], rest, tok)
        elif rune in "=-_":
            a.ref({"=": "abs16", "-": "zp8", "_": "rel8"}[rune], rest, tok)
        elif rune in "!?":
            a.emit(_JMI if rune == "!" else _JCI)
            a.ref("rel16", rest, tok)
        elif _HEX_RE.match(tok) and len(tok) in (2, 4):
            value = int(tok, 16)
            a.emit(value) if len(tok) == 2 else a.emit(value >> 8, value)
        elif re.match(r"^[A-Za-z_&][\w/&-]*$", tok):
            a.emit(_JSI)
            a.ref("rel16", tok, tok)
        else:
            raise UxntalError(f"unknown token {tok!r}")
    for r in a.refs:
        if r.label not in a.labels:
            raise UxntalError(f"unknown label in {r.token!r} ({r.label})")
        target = a.labels[r.label]
        if r.kind == "abs16":
            a.memory[r.addr : r.addr + 2] = target.to_bytes(2, "big")
        elif r.kind == "zp8":
            if target > 0xFF:
                raise UxntalError(f"{r.token!r}: label {r.label} is not in the zero page")
            a.memory[r.addr] = target
        elif r.kind == "rel8":
            offset = target - (r.addr + 2)
            if not -128 <= offset <= 127:
                raise UxntalError(f"{r.token!r}: relative jump too far ({offset})")
            a.memory[r.addr] = offset & 0xFF
        else:  # rel16: JCI/JMI/JSI jump from the end of their 2-byte operand
            offset = (target - (r.addr + 2)) & 0xFFFF
            a.memory[r.addr : r.addr + 2] = offset.to_bytes(2, "big")
    return bytes(a.memory[ROM_START : a.end])

"""Generated C for the benchmark's Uxn virtual machine.

`ops_header()` writes the bodies of all 256 Uxn opcodes once, as C statements over the VM
state (`ram`, `wst`, `rst`, `pc`, `wp`, `rp`); `bench/programs/uxn_switch.c` turns them into
the cases of a `switch` in a loop, `bench/programs/uxn_tail.c` into one function per opcode
that tail-calls the next. `roms_header()` embeds the assembled Uxn programs as byte arrays.

What is implemented (Uxn as specified at wiki.xxiivv.com/site/uxntal_opcodes): the 32 base
opcodes with the short (`2`), return (`r`) and keep (`k`) modes, and the immediate opcodes
BRK, JCI, JMI, JSI, LIT, LIT2, LITr, LIT2r. Stacks are 256 bytes with 8-bit pointers that
wrap (real Uxn reports stack underflow/overflow and division by zero as errors; here
division by zero gives 0 and the stacks wrap). Devices: only the console: DEO to port 0x18
writes a byte to stdout, 0x19 to stderr; DEI reads back the device page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wasmc.bench.uxntal import OPCODES


@dataclass(frozen=True)
class _Mode:
    short: bool
    ret: bool
    keep: bool

    @property
    def stack(self) -> str:
        return "rst" if self.ret else "wst"

    @property
    def ptr(self) -> str:
        return "rp" if self.ret else "wp"

    @property
    def other_stack(self) -> str:
        return "wst" if self.ret else "rst"

    @property
    def other_ptr(self) -> str:
        return "wp" if self.ret else "rp"

    @property
    def suffix(self) -> str:
        return ("2" if self.short else "") + ("k" if self.keep else "") + (
            "r" if self.ret else "")


def _push(stack: str, ptr: str, width: int, value: str) -> list[str]:
    if width == 8:
        return [f"{stack}[{ptr}++] = (uint8_t)({value});"]
    return [
        f"{{ uint16_t v_ = (uint16_t)({value});",
        f"  {stack}[{ptr}++] = (uint8_t)(v_ >> 8); {stack}[{ptr}++] = (uint8_t)v_; }}",
    ]


class _Op:
    """Builds one opcode's body: pops (through a cursor, so keep mode can leave the inputs),
    then effects, then pushes."""

    def __init__(self, mode: _Mode) -> None:
        self.m = mode
        self.lines: list[str] = [f"uint8_t k_ = {mode.ptr};"]
        self.committed = False

    @property
    def w(self) -> int:
        return 16 if self.m.short else 8

    def pop(self, name: str, width: int | None = None) -> None:
        width = width or self.w
        s = self.m.stack
        if width == 8:
            self.lines.append(f"uint8_t {name} = {s}[--k_]; (void){name};")
        else:
            lo, hi = f"{s}[(uint8_t)(k_ - 1)]", f"{s}[(uint8_t)(k_ - 2)]"
            self.lines.append(
                f"uint16_t {name} = (uint16_t)({lo} | ({hi} << 8)); k_ -= 2; (void){name};")

    def commit(self) -> None:
        if not self.m.keep:
            self.lines.append(f"{self.m.ptr} = k_;")
        else:
            self.lines.append("(void)k_;")
        self.committed = True

    def push(self, value: str, width: int | None = None) -> None:
        if not self.committed:
            self.commit()
        self.lines += _push(self.m.stack, self.m.ptr, width or self.w, value)

    def do(self, *stmts: str) -> None:
        if not self.committed:
            self.commit()
        self.lines += stmts

    def jump(self, target: str) -> None:
        self.do(f"pc = (uint16_t)({target});" if self.m.short
                else f"pc = (uint16_t)(pc + (int8_t)({target}));")

    def body(self) -> list[str]:
        if not self.committed:
            self.commit()
        return self.lines


def _binary(expr: str, width: int | None = None) -> Callable[[_Op], None]:
    def build(o: _Op) -> None:
        o.pop("a")
        o.pop("b")
        o.push(expr, width)
    return build


def _load(o: _Op, addr: str) -> str:
    if not o.m.short:
        return f"ram[{addr}]"
    return f"(ram[{addr}] << 8) | ram[(uint16_t)({addr} + 1)]"


def _load_zp(o: _Op, addr: str) -> str:
    if not o.m.short:
        return f"ram[{addr}]"
    return f"(ram[{addr}] << 8) | ram[(uint8_t)({addr} + 1)]"


def _store(o: _Op, addr: str, value: str, zp: bool) -> None:
    if not o.m.short:
        o.do(f"ram[{addr}] = (uint8_t)({value});")
    else:
        wrap = "uint8_t" if zp else "uint16_t"
        o.do(f"ram[{addr}] = (uint8_t)({value} >> 8);",
             f"ram[({wrap})({addr} + 1)] = (uint8_t)({value});")


def _inc(o: _Op) -> None:
    o.pop("a")
    o.push("a + 1")


def _pop(o: _Op) -> None:
    o.pop("a")


def _nip(o: _Op) -> None:
    o.pop("a")
    o.pop("b")
    o.push("a")


def _swp(o: _Op) -> None:
    o.pop("a")
    o.pop("b")
    o.push("a")
    o.push("b")


def _rot(o: _Op) -> None:
    o.pop("a")
    o.pop("b")
    o.pop("c")
    o.push("b")
    o.push("a")
    o.push("c")


def _dup(o: _Op) -> None:
    o.pop("a")
    o.push("a")
    o.push("a")


def _ovr(o: _Op) -> None:
    o.pop("a")
    o.pop("b")
    o.push("b")
    o.push("a")
    o.push("b")


def _jmp(o: _Op) -> None:
    o.pop("a")
    o.jump("a")


def _jcn(o: _Op) -> None:
    o.pop("a")
    o.pop("c", 8)
    o.do("if (c) {")
    o.jump("a")
    o.do("}")


def _jsr(o: _Op) -> None:
    o.pop("a")
    o.do(*_push(o.m.other_stack, o.m.other_ptr, 16, "pc"))
    o.jump("a")


def _sth(o: _Op) -> None:
    o.pop("a")
    o.do(*_push(o.m.other_stack, o.m.other_ptr, o.w, "a"))


def _ldz(o: _Op) -> None:
    o.pop("a", 8)
    o.push(_load_zp(o, "a"))


def _stz(o: _Op) -> None:
    o.pop("a", 8)
    o.pop("v")
    _store(o, "a", "v", zp=True)


def _ldr(o: _Op) -> None:
    o.pop("a", 8)
    o.do("uint16_t addr = (uint16_t)(pc + (int8_t)a);")
    o.push(_load(o, "addr"))


def _str(o: _Op) -> None:
    o.pop("a", 8)
    o.pop("v")
    o.do("uint16_t addr = (uint16_t)(pc + (int8_t)a);")
    _store(o, "addr", "v", zp=False)


def _lda(o: _Op) -> None:
    o.pop("a", 16)
    o.push(_load(o, "a"))


def _sta(o: _Op) -> None:
    o.pop("a", 16)
    o.pop("v")
    _store(o, "a", "v", zp=False)


def _dei(o: _Op) -> None:
    o.pop("a", 8)
    o.push("(uxn_dev[a] << 8) | uxn_dev[(uint8_t)(a + 1)]" if o.m.short else "uxn_dev[a]")


def _deo(o: _Op) -> None:
    o.pop("a", 8)
    o.pop("v")
    if o.m.short:
        o.do("uxn_deo(a, (uint8_t)(v >> 8)); uxn_deo((uint8_t)(a + 1), (uint8_t)v);")
    else:
        o.do("uxn_deo(a, v);")


def _sft(o: _Op) -> None:
    o.pop("a", 8)
    o.pop("b")
    o.push("(b >> (a & 0x0f)) << (a >> 4)")


_BUILDERS: dict[str, Callable[[_Op], None]] = {
    "INC": _inc, "POP": _pop, "NIP": _nip, "SWP": _swp, "ROT": _rot, "DUP": _dup,
    "OVR": _ovr,
    "EQU": _binary("b == a", 8), "NEQ": _binary("b != a", 8),
    "GTH": _binary("b > a", 8), "LTH": _binary("b < a", 8),
    "JMP": _jmp, "JCN": _jcn, "JSR": _jsr, "STH": _sth,
    "LDZ": _ldz, "STZ": _stz, "LDR": _ldr, "STR": _str, "LDA": _lda, "STA": _sta,
    "DEI": _dei, "DEO": _deo,
    "ADD": _binary("b + a"), "SUB": _binary("b - a"), "MUL": _binary("b * a"),
    "DIV": _binary("a ? b / a : 0"),
    "AND": _binary("b & a"), "ORA": _binary("b | a"), "EOR": _binary("b ^ a"),
    "SFT": _sft,
}

_IMM16 = "((ram[pc] << 8) | ram[(uint16_t)(pc + 1)])"  # the operand of JCI/JMI/JSI
_IMMEDIATE = {
    0x00: ("BRK", ["UXN_HALT;"]),
    0x20: ("JCI", [f"if (wst[--wp]) pc = (uint16_t)(pc + 2 + {_IMM16});",
                   "else pc = (uint16_t)(pc + 2);"]),
    0x40: ("JMI", [f"pc = (uint16_t)(pc + 2 + {_IMM16});"]),
    0x60: ("JSI", ["rst[rp++] = (uint8_t)((pc + 2) >> 8); rst[rp++] = (uint8_t)(pc + 2);",
                   f"pc = (uint16_t)(pc + 2 + {_IMM16});"]),
    0x80: ("LIT", ["wst[wp++] = ram[pc]; pc = (uint16_t)(pc + 1);"]),
    0xA0: ("LIT2", ["wst[wp++] = ram[pc]; wst[wp++] = ram[(uint16_t)(pc + 1)];",
                    "pc = (uint16_t)(pc + 2);"]),
    0xC0: ("LITr", ["rst[rp++] = ram[pc]; pc = (uint16_t)(pc + 1);"]),
    0xE0: ("LIT2r", ["rst[rp++] = ram[pc]; rst[rp++] = ram[(uint16_t)(pc + 1)];",
                     "pc = (uint16_t)(pc + 2);"]),
}


def opcode_table() -> list[tuple[int, str, list[str]]]:
    """(opcode, name, C statements) for all 256 opcodes."""
    table = []
    for code in range(256):
        if code in _IMMEDIATE:
            name, body = _IMMEDIATE[code]
            table.append((code, name, body))
            continue
        mode = _Mode(bool(code & 0x20), bool(code & 0x40), bool(code & 0x80))
        base = OPCODES[code & 0x1F]
        op = _Op(mode)
        _BUILDERS[base](op)
        table.append((code, base + mode.suffix, op.body()))
    return table


def ops_header() -> str:
    """C: `UXN_OP(code, name, statements...)` for each opcode, and `UXN_OPNAMES(X)`."""
    out = [
        "/* Generated by wasmc.bench.uxn: the 256 Uxn opcodes. Each UXN_OP's statements read",
        " * and update ram, wst, rst, pc (pointing after the opcode), wp and rp. */",
        "",
    ]
    table = opcode_table()
    for code, name, body in table:
        out.append(f"UXN_OP(0x{code:02x}, {name},")
        out += [f"    {line}" for line in body]
        out.append(")")
    out.append("")
    out.append("#define UXN_OPNAMES(X) \\")
    out += [f"    X({name}) \\" for _, name, _ in table]
    out.append("")
    return "\n".join(out) + "\n"


def roms_header(roms: dict[str, bytes]) -> str:
    """C: one byte array per ROM and a table `uxn_roms[]` of {name, bytes, size}."""
    out = ["/* Generated by wasmc.bench.uxn: Uxn ROMs assembled from bench/uxn/NAME.tal. */", ""]
    for name, rom in roms.items():
        out.append(f"static const unsigned char uxn_rom_{name}[{len(rom)}] = {{")
        for i in range(0, len(rom), 16):
            out.append("    " + ", ".join(f"0x{b:02x}" for b in rom[i : i + 16]) + ",")
        out.append("};")
    out.append("static const struct { const char *name; const unsigned char *data; "
               "unsigned size; } uxn_roms[] = {")
    out += [f'    {{"{n}", uxn_rom_{n}, sizeof uxn_rom_{n}}},' for n in roms]
    out.append("};")
    return "\n".join(out) + "\n"

"""The opcode table's columns (binary/opcodes.py) and how the decoder and the emitter use
them: prefixes with sub-opcodes past 0xFF, the access width of loads and stores, the SIMD
immediate kinds, C templates over immediates, and groups not supported yet."""

from __future__ import annotations

import pytest

from wasmc.binary import decoder, opcodes
from wasmc.binary.opcodes import BY_CODE, BY_NAME, OPS, PREFIX_FC, PREFIX_FD, PREFIX_FE, Op
from wasmc.codegen import function
from wasmc.errors import MalformedError, UnsupportedError


def uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def test_encoding_columns() -> None:
    assert BY_CODE[(None, 0x6A)] is BY_NAME["i32.add"]
    assert BY_CODE[(PREFIX_FC, 0x0A)] is BY_NAME["memory.copy"]
    assert BY_CODE[(PREFIX_FD, 0xBA)] is BY_NAME["i32x4.dot_i16x8_s"]
    assert BY_CODE[(PREFIX_FD, 0x113)] is BY_NAME["i32x4.relaxed_dot_i8x16_i7x16_add_s"]
    assert BY_CODE[(PREFIX_FE, 0x48)] is BY_NAME["i32.atomic.rmw.cmpxchg"]
    assert BY_CODE[(PREFIX_FE, 0x16)] is BY_NAME["i64.atomic.load32_u"]
    assert all(op.prefix in (None, PREFIX_FC, PREFIX_FD, PREFIX_FE) for op in OPS)
    assert all(op.code <= 0xFF for op in OPS if op.prefix is None)
    # every instruction of fixed-width SIMD, and of relaxed SIMD
    assert sum(op.group == "simd" for op in OPS) == 236
    assert sum(op.group == "relaxed-simd" for op in OPS) == 20
    # every instruction of the threads proposal: 7 widths x (load, store, 7 rmw) + 4
    assert sum(op.group == "threads" for op in OPS) == 67


def test_access_width_is_the_natural_alignment() -> None:
    widths = {"i32.load8_u": 0, "i64.load16_s": 1, "i64.load32_u": 2, "f32.load": 2,
              "f64.store": 3, "i64.store8": 0, "i32.store16": 1, "v128.load": 4,
              "v128.load8x8_s": 3, "v128.load32_zero": 2, "v128.store16_lane": 1}
    assert {name: BY_NAME[name].align for name in widths} == widths
    assert all((op.align is None) == (not op.imm.startswith("memarg")) for op in OPS)


def test_v128_letter() -> None:
    assert opcodes.LETTER["V"] == "v128"


def with_fd(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the decoder read 0xFD as a prefix (rows patched into decoder._PREFIXED)."""
    single = list(decoder._SINGLE)
    single[PREFIX_FD] = (None, decoder.K_PREFIX)
    monkeypatch.setattr(decoder, "_SINGLE", single)


@pytest.fixture
def fd_rows(monkeypatch: pytest.MonkeyPatch) -> dict[str, Op]:
    """Rows with the SIMD immediate kinds under the 0xFD prefix (sub-opcodes as SIMD's)."""
    rows = {
        "v128.const": Op(0x0C, "v128.const", "v128", prefix=PREFIX_FD),
        "i8x16.shuffle": Op(0x0D, "i8x16.shuffle", "shuffle", prefix=PREFIX_FD),
        "i8x16.extract_lane_s": Op(0x15, "i8x16.extract_lane_s", "lane", prefix=PREFIX_FD),
        "v128.load8_lane": Op(0x54, "v128.load8_lane", "memarg_lane", align=0,
                              prefix=PREFIX_FD),
        "i32x4.dot_i16x8_s": Op(0xBA, "i32x4.dot_i16x8_s", prefix=PREFIX_FD),  # sub > 0x7F
        "f64x2.promote_low_f32x4": Op(0x15F, "f64x2.promote_low_f32x4", prefix=PREFIX_FD),
    }
    monkeypatch.setitem(decoder._PREFIXED, PREFIX_FD,
                        {op.code: decoder._entry(op) for op in rows.values()})
    with_fd(monkeypatch)
    return rows


def decode_one(code: bytes) -> tuple[Op, object]:
    instrs, _, _ = decoder.decode_instrs(code + b"\x0b", 0, len(code) + 1, "eof")
    assert len(instrs) == 2 and instrs[1].op.name == "end"
    return instrs[0].op, instrs[0].imm


def test_simd_immediates(fd_rows: dict[str, Op]) -> None:
    fd = bytes([PREFIX_FD])
    lanes = bytes(range(31, 15, -1))
    assert decode_one(fd + uleb(0x0D) + lanes) == (fd_rows["i8x16.shuffle"], tuple(lanes))
    value = bytes(range(1, 17))
    assert decode_one(fd + uleb(0x0C) + value) == (
        fd_rows["v128.const"], int.from_bytes(value, "little"))
    assert decode_one(fd + uleb(0x15) + b"\x07") == (fd_rows["i8x16.extract_lane_s"], 7)
    # memarg (align 0, offset 300, memory 0) and lane 15
    assert decode_one(fd + uleb(0x54) + b"\x00" + uleb(300) + b"\x0f") == (
        fd_rows["v128.load8_lane"], (0, 300, 0, 15))
    assert decode_one(fd + uleb(0xBA))[0] is fd_rows["i32x4.dot_i16x8_s"]
    assert decode_one(fd + uleb(0x15F))[0] is fd_rows["f64x2.promote_low_f32x4"]
    with pytest.raises(MalformedError, match="illegal opcode fd 160"):
        decode_one(fd + uleb(0x160))
    with pytest.raises(MalformedError):  # a v128.const cut short
        decode_one(fd + uleb(0x0C) + value[:10])


def test_unsupported_group_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    row = Op(0x0C, "v128.const", "v128", group="simd", prefix=PREFIX_FD)
    monkeypatch.setitem(opcodes.UNSUPPORTED_GROUPS, "simd", "SIMD (0xFD instructions)")
    monkeypatch.setitem(decoder._PREFIXED, PREFIX_FD, {0x0C: decoder._entry(row)})
    with_fd(monkeypatch)
    with pytest.raises(UnsupportedError, match="SIMD"):
        decode_one(bytes([PREFIX_FD]) + uleb(0x0C) + bytes(16))


def test_templates_over_immediates() -> None:
    row = Op(0x15, "i8x16.extract_lane_s", "lane", (("v128",), ("i32",)),
             c="wasmc_i8x16_extract_s({0}, {imm})", prefix=PREFIX_FD)
    kind, template, cache, result = function._kind(row)
    assert (kind, cache, result) == (function._E_EXPR, None, "i32")  # not cached by height
    assert template.format("s0_v128", imm=7) == "wasmc_i8x16_extract_s(s0_v128, 7)"
    shuffle = Op(0x0D, "i8x16.shuffle", "shuffle", (("v128", "v128"), ("v128",)),
                 c="shuffle({0}, {1}, {imm[0]}, {imm[15]})", prefix=PREFIX_FD)
    assert function._kind(shuffle)[2] is None
    assert shuffle.c.format("a", "b", imm=tuple(range(16))) == "shuffle(a, b, 0, 15)"
    assert function._kind(BY_NAME["i32.add"])[2] is not None  # cached by height

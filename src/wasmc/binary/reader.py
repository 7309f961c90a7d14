"""Low-level reading of the Wasm binary format: LEB128 integers, floats, names, vectors.

LEB128 follows the spec's rules exactly: an N-bit integer takes at most ceil(N/7) bytes
("integer representation too long" otherwise), and the unused bits of the last allowed byte
must be zero (unsigned) or copies of the sign bit (signed) ("integer too large" otherwise).
The payload check comes before the length check, as in the reference interpreter.

The module-level `read_*` functions take `(data, pos, end)` and return `(value, new_pos)`;
the instruction decoder calls them directly in its hot loop. `Reader` wraps them with a
cursor for the rest of the decoder. Every error is a `MalformedError` with the byte offset.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from wasmc.errors import MalformedError

UNEXPECTED_END = "unexpected end"
UNEXPECTED_END_SECTION = "unexpected end of section or function"

LebReader = Callable[[bytes, int, int, str], tuple[int, int]]

_unpack_u32 = struct.Struct("<I").unpack_from
_unpack_u64 = struct.Struct("<Q").unpack_from


def _leb_unsigned(data: bytes, pos: int, end: int, bits: int, eof: str) -> tuple[int, int]:
    """Read an unsigned LEB128 integer of at most `bits` bits."""
    result = 0
    shift = 0
    last = (bits - 1) // 7  # index of the last byte allowed
    for i in range(last + 1):
        if pos >= end:
            raise MalformedError(eof, pos)
        b = data[pos]
        pos += 1
        if i == last:
            used = bits - 7 * last  # payload bits this byte may carry
            if b & 0x7F & ~((1 << used) - 1):
                raise MalformedError("integer too large", pos - 1)
            if b & 0x80:
                raise MalformedError("integer representation too long", pos)
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
    raise AssertionError("unreachable")  # the last byte either returns or raises


def _leb_signed(data: bytes, pos: int, end: int, bits: int, eof: str) -> tuple[int, int]:
    """Read a signed LEB128 integer of at most `bits` bits (two's complement)."""
    result = 0
    shift = 0
    last = (bits - 1) // 7
    for i in range(last + 1):
        if pos >= end:
            raise MalformedError(eof, pos)
        b = data[pos]
        pos += 1
        if i == last:
            used = bits - 7 * last
            mask = (0x7F << (used - 1)) & 0x7F  # the sign bit and the unused bits above it
            if b & mask not in (0, mask):
                raise MalformedError("integer too large", pos - 1)
            if b & 0x80:
                raise MalformedError("integer representation too long", pos)
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos
    raise AssertionError("unreachable")


# The read_* functions decode encodings of one or two bytes inline: those carry at most 14
# bits, so none of the checks on the last byte of a long encoding apply to them.


def read_u32(data: bytes, pos: int, end: int, eof: str = UNEXPECTED_END_SECTION) -> tuple[int, int]:
    if pos + 1 < end:
        b = data[pos]
        if b < 0x80:  # the common one-byte case
            return b, pos + 1
        c = data[pos + 1]
        if c < 0x80:
            return (b & 0x7F) | (c << 7), pos + 2
    elif pos < end and data[pos] < 0x80:
        return data[pos], pos + 1
    return _leb_unsigned(data, pos, end, 32, eof)


def read_u64(data: bytes, pos: int, end: int, eof: str = UNEXPECTED_END_SECTION) -> tuple[int, int]:
    if pos + 1 < end:
        b = data[pos]
        if b < 0x80:
            return b, pos + 1
        c = data[pos + 1]
        if c < 0x80:
            return (b & 0x7F) | (c << 7), pos + 2
    return _leb_unsigned(data, pos, end, 64, eof)


def _read_signed(data: bytes, pos: int, end: int, bits: int, eof: str) -> tuple[int, int]:
    if pos + 1 < end:
        b = data[pos]
        if b < 0x80:  # one byte: bit 6 is the sign
            return (b - 0x80 if b & 0x40 else b), pos + 1
        c = data[pos + 1]
        if c < 0x80:
            value = (b & 0x7F) | (c << 7)
            return (value - 0x4000 if c & 0x40 else value), pos + 2
    return _leb_signed(data, pos, end, bits, eof)


def read_s32(data: bytes, pos: int, end: int, eof: str = UNEXPECTED_END_SECTION) -> tuple[int, int]:
    if pos < end and data[pos] < 0x40:  # one byte, non-negative
        return data[pos], pos + 1
    return _read_signed(data, pos, end, 32, eof)


def read_s33(data: bytes, pos: int, end: int, eof: str = UNEXPECTED_END_SECTION) -> tuple[int, int]:
    return _read_signed(data, pos, end, 33, eof)


def read_s64(data: bytes, pos: int, end: int, eof: str = UNEXPECTED_END_SECTION) -> tuple[int, int]:
    if pos < end and data[pos] < 0x40:
        return data[pos], pos + 1
    return _read_signed(data, pos, end, 64, eof)


def read_f32_bits(
    data: bytes, pos: int, end: int, eof: str = UNEXPECTED_END_SECTION
) -> tuple[int, int]:
    if pos + 4 > end:
        raise MalformedError(eof, end)
    return _unpack_u32(data, pos)[0], pos + 4


def read_f64_bits(
    data: bytes, pos: int, end: int, eof: str = UNEXPECTED_END_SECTION
) -> tuple[int, int]:
    if pos + 8 > end:
        raise MalformedError(eof, end)
    return _unpack_u64(data, pos)[0], pos + 8


def decode_utf8(raw: bytes, offset: int) -> str:
    """Python's strict UTF-8 codec rejects exactly what the spec rejects: overlong forms,
    surrogates, code points above U+10FFFF and truncated sequences."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedError("malformed UTF-8 encoding", offset + e.start) from None


class Reader:
    """A cursor over `data[pos:end]`, where `end` is the current limit (a section, a
    subsection). Running out of bytes raises `eof`: "unexpected end" at the top level,
    "unexpected end of section or function" inside a section."""

    __slots__ = ("data", "pos", "end", "eof", "limit")

    def __init__(
        self, data: bytes, pos: int = 0, end: int | None = None, eof: str = UNEXPECTED_END
    ):
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end
        self.eof = eof
        self.limit = len(data)  # LEB128 reads may look this far, see _leb

    # --- limits --------------------------------------------------------------------------
    def remaining(self) -> int:
        return self.end - self.pos

    def at_end(self) -> bool:
        return self.pos >= self.end

    def sub(self, size: int) -> Reader:
        """A reader over the next `size` bytes, which are skipped here."""
        if size > self.end - self.pos:
            raise MalformedError("length out of bounds", self.pos)
        r = Reader(self.data, self.pos, self.pos + size, UNEXPECTED_END_SECTION)
        self.pos += size
        return r

    # --- primitives ----------------------------------------------------------------------
    def byte(self) -> int:
        pos = self.pos
        if pos >= self.end:
            raise MalformedError(self.eof, pos)
        self.pos = pos + 1
        return self.data[pos]

    def peek(self) -> int:
        if self.pos >= self.end:
            raise MalformedError(self.eof, self.pos)
        return self.data[self.pos]

    def bytes(self, n: int) -> bytes:
        pos = self.pos
        if n > self.end - pos:
            # The spec interpreter reports a too-long byte vector or name this way.
            raise MalformedError("length out of bounds", pos)
        self.pos = pos + n
        return self.data[pos : pos + n]

    def _leb(self, read: LebReader) -> int:
        # A LEB128 integer may run past `end` (not past the input): the spec interpreter
        # reads it unbounded and checks the section size afterwards, so an over-long or
        # too-large integer is reported as such rather than as a premature end.
        value, pos = read(self.data, self.pos, self.limit, self.eof)
        if pos > self.end:
            raise MalformedError(self.eof, self.end)
        self.pos = pos
        return value

    def u32(self) -> int:
        pos = self.pos
        if pos < self.end and self.data[pos] < 0x80:  # the common one-byte case
            self.pos = pos + 1
            return self.data[pos]
        return self._leb(read_u32)

    def u64(self) -> int:
        return self._leb(read_u64)

    def s33(self) -> int:
        return self._leb(read_s33)

    # --- composites ----------------------------------------------------------------------
    def name(self) -> str:
        start = self.pos
        raw = self.byte_vec()
        return decode_utf8(raw, start)

    def byte_vec(self) -> bytes:
        start = self.pos
        n = self.u32()
        # As in the spec interpreter: a length beyond the bytes left (counted from the
        # length itself) is "length out of bounds", a shorter one that still does not fit
        # is a premature end.
        if n > self.end - start:
            raise MalformedError("length out of bounds", start)
        if n > self.end - self.pos:
            raise MalformedError(self.eof, self.end)
        pos = self.pos
        self.pos = pos + n
        return self.data[pos : pos + n]

    def count(self) -> int:
        """A vector length. Every element takes at least one byte, so a count the remaining
        bytes cannot hold is rejected before anything is allocated or looped over."""
        start = self.pos
        n = self.u32()
        if n > self.end - self.pos:
            raise MalformedError(self.eof, start)
        return n

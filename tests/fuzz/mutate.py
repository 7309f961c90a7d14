"""Byte-level mutators for malformed-input fuzzing, plus a few hostile modules made from
scratch. Everything is driven by a `random.Random`, so a case is reproducible from its seed.

Mutators that know the binary format (LEB128 rewriting, huge counts, limits, locals) find the
section structure first (`sections`); if the input is too broken for that, they fall back to
plain byte mutations.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

MAGIC = b"\0asm\x01\0\0\0"

INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0B, 0x40, 0x41, 0x60, 0x70, 0x6F, 0x7B,
                     0xFB, 0xFC, 0xFD)
HUGE_VALUES = (0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x10000000, 1_000_000, 65536, 65537, 100_000)


def uleb(value: int, width: int = 0) -> bytes:
    """`value` in unsigned LEB128, padded (over-long) to at least `width` bytes."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte)
        if value == 0:
            break
    while len(out) < width:
        out[-1] |= 0x80
        out.append(0)
    for k in range(len(out) - 1):
        out[k] |= 0x80
    return bytes(out)


def read_uleb(data: bytes, pos: int, limit: int = 10) -> tuple[int, int] | None:
    """(value, end) of the LEB128 at `pos`, or None if it does not end within `limit` bytes."""
    value, shift = 0, 0
    for k in range(limit):
        if pos + k >= len(data):
            return None
        byte = data[pos + k]
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos + k + 1
    return None


@dataclass
class Section:
    id: int
    start: int  # the id byte
    size_pos: int  # the size LEB
    payload: int  # first payload byte
    end: int  # one past the payload


def sections(data: bytes) -> list[Section] | None:
    """The top-level sections, or None if the bytes are not a sequence of sections."""
    if data[:8] != MAGIC:
        return None
    out, pos = [], 8
    while pos < len(data):
        size = read_uleb(data, pos + 1, 5)
        if size is None:
            return None
        value, payload = size
        if payload + value > len(data):
            return None
        out.append(Section(data[pos], pos, pos + 1, payload, payload + value))
        pos = payload + value
    return out


def _replace(data: bytes, start: int, end: int, new: bytes, section: Section | None,
             fix_size: bool) -> bytes:
    """data[start:end] = new; with fix_size, the enclosing section's size follows."""
    out = data[:start] + new + data[end:]
    if section is None or not fix_size:
        return out
    size = section.end - section.payload + len(new) - (end - start)
    old = read_uleb(out, section.size_pos, 5)
    if old is None or size < 0:
        return out
    return out[:section.size_pos] + uleb(size) + out[old[1]:]


# ---- mutators: (rng, data, donors) -> bytes -----------------------------------------------

Mutator = Callable[[random.Random, bytes, list[bytes]], bytes]


def truncate(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    return data[:rng.randrange(max(1, len(data)))]


def flip_bits(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 8))):
        k = rng.randrange(len(out))
        out[k] ^= 1 << rng.randrange(8)
    return bytes(out)


def set_byte(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4))):
        out[rng.randrange(len(out))] = rng.choice(INTERESTING_BYTES)
    return bytes(out)


def insert_bytes(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    pos = rng.randrange(len(data) + 1)
    if rng.random() < 0.5:
        new = bytes(rng.choice(INTERESTING_BYTES) for _ in range(rng.randint(1, 4)))
    else:
        new = rng.randbytes(rng.randint(1, 16))
    return data[:pos] + new + data[pos:]


def delete_bytes(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 16):]


def splice(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    """Replace, insert or duplicate a whole section, possibly from another module."""
    mine = sections(data)
    if not mine:
        return insert_bytes(rng, data, donors)
    donor = rng.choice(donors) if donors and rng.random() < 0.6 else data
    theirs = sections(donor) or mine
    piece = rng.choice(theirs)
    chunk = donor[piece.start:piece.end]
    target = rng.choice(mine)
    choice = rng.randrange(4)
    if choice == 0:  # replace
        return data[:target.start] + chunk + data[target.end:]
    if choice == 1:  # insert before
        return data[:target.start] + chunk + data[target.start:]
    if choice == 2:  # remove
        return data[:target.start] + data[target.end:]
    other = rng.choice(mine)  # swap two sections (order errors)
    a, b = sorted((target, other), key=lambda s: s.start)
    if a is b:
        return data + chunk
    return (data[:a.start] + data[b.start:b.end] + data[a.end:b.start] + data[a.start:a.end]
            + data[b.end:])


def _leb_positions(data: bytes, secs: list[Section]) -> list[tuple[int, Section | None]]:
    """Places that hold a LEB128: section sizes, the first number of every payload (a vector
    count, mostly), and a few random offsets that happen to parse as one."""
    out: list[tuple[int, Section | None]] = []
    for s in secs:
        out.append((s.size_pos, None))
        if s.payload < s.end:
            out.append((s.payload, s))
    return out


def overlong_leb(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    """Rewrite a LEB128 in an over-long form: up to 5 bytes is still valid for a u32, more is
    malformed ("integer representation too long"); or set unused bits of the last byte
    ("integer too large")."""
    secs = sections(data)
    positions = _leb_positions(data, secs) if secs else []
    section: Section | None = None
    if positions and rng.random() < 0.6:
        pos, section = rng.choice(positions)
    else:
        pos = rng.randrange(max(1, len(data)))
        if secs:
            section = next((s for s in secs if s.payload <= pos < s.end), None)
    parsed = read_uleb(data, pos)
    if parsed is None:
        return flip_bits(rng, data, donors)
    value, end = parsed
    width = rng.choice((end - pos + 1, 5, 5, 6, 10, 11))
    new = uleb(value, width)
    if rng.random() < 0.2:  # stray high bits in the last byte
        new = new[:-1] + bytes([new[-1] | rng.choice((0x10, 0x40, 0x70))])
    if section is None and pos < 8:
        return data[:pos] + new + data[end:]
    enclosing = section or next((s for s in (secs or []) if s.size_pos == pos), None)
    fix = rng.random() < 0.7 and enclosing is not None and enclosing.size_pos != pos
    return _replace(data, pos, end, new, enclosing, fix)


def huge_count(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    """A vector count or a section size replaced by a huge number."""
    secs = sections(data)
    if not secs:
        return overlong_leb(rng, data, donors)
    s = rng.choice(secs)
    value = rng.choice(HUGE_VALUES)
    if rng.random() < 0.3:  # the section's size
        old = read_uleb(data, s.size_pos, 5)
        assert old is not None
        return data[:s.size_pos] + uleb(value) + data[old[1]:]
    if s.payload >= s.end:
        return data
    old = read_uleb(data, s.payload, 5)
    if old is None:
        return data
    return _replace(data, s.payload, old[1], uleb(value), s, fix_size=True)


def huge_limits(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    """Memory or table limits made huge (or min > max, or odd flags)."""
    secs = sections(data)
    candidates = [s for s in secs or [] if s.id in (4, 5) and s.end > s.payload + 1]
    if not candidates:
        return huge_count(rng, data, donors)
    s = rng.choice(candidates)
    pos = s.payload + 1  # skip the count
    if s.id == 4:
        pos += 1  # the element type
    if pos >= s.end:
        return data
    flags = rng.choice((0, 1, 1, 1, 2, 3, 4, 5, 8))
    lo = rng.choice((0, 1, 65536, 65537, 0x7FFFFFFF, 0xFFFFFFFF, 2**33))
    hi = rng.choice((0, 1, 65536, 65537, 0xFFFFFFFF, 2**33))
    new = bytes([flags]) + uleb(lo) + (uleb(hi) if flags & 1 else b"")
    # the old limits: flags, min, and max if flags has bit 0
    old_flags = data[pos]
    parsed = read_uleb(data, pos + 1)
    if parsed is None:
        return data
    end = parsed[1]
    if old_flags & 1:
        parsed = read_uleb(data, end)
        if parsed is None:
            return data
        end = parsed[1]
    return _replace(data, pos, end, new, s, fix_size=True)


def huge_locals(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    """The first local declaration of a function body made huge."""
    secs = sections(data)
    code = next((s for s in secs or [] if s.id == 10), None)
    if code is None:
        return huge_count(rng, data, donors)
    count = read_uleb(data, code.payload, 5)
    if count is None or count[0] == 0:
        return data
    body_size = read_uleb(data, count[1], 5)
    if body_size is None:
        return data
    groups = read_uleb(data, body_size[1], 5)
    if groups is None:
        return data
    value = rng.choice((50_001, 1_000_000, 0xFFFFFFFF, 0x7FFFFFFF))
    if groups[0] == 0:
        new = uleb(1) + uleb(value) + b"\x7f"  # one group of i32
        return _replace(data, body_size[1], groups[1], new, code, fix_size=True)
    first = read_uleb(data, groups[1], 5)
    if first is None:
        return data
    return _replace(data, groups[1], first[1], uleb(value), code, fix_size=True)


def random_bytes(rng: random.Random, data: bytes, donors: list[bytes]) -> bytes:
    body = rng.randbytes(rng.randint(0, 200))
    return MAGIC + body if rng.random() < 0.7 else body


MUTATORS: tuple[tuple[str, Mutator, int], ...] = (
    # name, function, weight
    ("truncate", truncate, 10),
    ("flip-bits", flip_bits, 20),
    ("set-byte", set_byte, 10),
    ("insert-bytes", insert_bytes, 10),
    ("delete-bytes", delete_bytes, 10),
    ("splice-section", splice, 8),
    ("overlong-leb", overlong_leb, 12),
    ("huge-count", huge_count, 10),
    ("huge-limits", huge_limits, 5),
    ("huge-locals", huge_locals, 4),
    ("random-bytes", random_bytes, 2),
)


def mutate(rng: random.Random, data: bytes, donors: list[bytes]) -> tuple[bytes, list[str]]:
    """One to three stacked mutations of `data`; returns the result and their names."""
    names = []
    weights = [w for _n, _f, w in MUTATORS]
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        name, fn, _w = rng.choices(MUTATORS, weights)[0]
        data = fn(rng, data, donors)
        names.append(name)
    return data, names


# ---- hostile modules made from scratch -------------------------------------------------------

def _section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + uleb(len(payload)) + payload


def _vec(items: list[bytes]) -> bytes:
    return uleb(len(items)) + b"".join(items)


def module_bytes(*, funcs: list[bytes], locals_: bytes = b"\x00",
                 memory: bytes | None = None) -> bytes:
    """A module with one type `() -> ()`, the given function bodies (instructions without the
    final `end`), each with the locals declaration `locals_`."""
    out = MAGIC + _section(1, _vec([b"\x60\x00\x00"]))
    out += _section(3, _vec([b"\x00"] * len(funcs)))
    if memory is not None:
        out += _section(5, _vec([memory]))
    bodies = []
    for body in funcs:
        code = locals_ + body + b"\x0b"
        bodies.append(uleb(len(code)) + code)
    out += _section(10, _vec(bodies))
    return out


def nested_blocks(depth: int) -> bytes:
    """A function `depth` blocks deep."""
    return module_bytes(funcs=[b"\x02\x40" * depth + b"\x0b" * depth])


def many_functions(count: int) -> bytes:
    return module_bytes(funcs=[b""] * count)


def many_locals(count: int) -> bytes:
    return module_bytes(funcs=[b""], locals_=uleb(1) + uleb(count) + b"\x7f")


def big_memory(min_pages: int, max_pages: int | None = None) -> bytes:
    limits = (b"\x01" + uleb(min_pages) + uleb(max_pages) if max_pages is not None
              else b"\x00" + uleb(min_pages))
    return module_bytes(funcs=[], memory=limits)


def long_function(instructions: int) -> bytes:
    """One function of `instructions` nops."""
    return module_bytes(funcs=[b"\x01" * instructions])


def hostile(rng: random.Random) -> tuple[bytes, str]:
    """A module at or past an implementation limit (or just large)."""
    kind = rng.randrange(5)
    if kind == 0:
        depth = rng.choice((100, 1000, 9_999, 10_000, 10_001, 20_000))
        return nested_blocks(depth), f"nested-blocks-{depth}"
    if kind == 1:
        count = rng.choice((1000, 3000))
        return many_functions(count), f"functions-{count}"
    if kind == 2:
        count = rng.choice((49_999, 50_000, 50_001, 0xFFFFFFFF))
        return many_locals(count), f"locals-{count}"
    if kind == 3:
        pages = rng.choice((65536, 65537, 0xFFFFFFFF, 2**32))
        return big_memory(pages), f"memory-{pages}-pages"
    n = rng.choice((10_000, 50_000))
    return long_function(n), f"nops-{n}"

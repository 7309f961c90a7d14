"""Values of the `wasm-tools json-from-wast` format: arguments to raw slots, expected results
against raw slots.

A raw slot is what `Func.call_raw` takes and returns: an unsigned bit pattern (i32 and i64
as their bits, f32/f64 as IEEE bits, references as pointer-sized integers with 0 for null,
v128 as one 128-bit integer, lane 0 in the low bits).

JSON values look like `{"type": "i32", "value": "-1"}` (integers as signed or unsigned
decimal, floats as the decimal of their bits, or `nan:canonical` / `nan:arithmetic` in
expected results), `{"type": "v128", "lane_type": "f32", "value": ["0", ...]}`,
`{"type": "externref", "value": "1"}` (a host reference), `{"type": "funcref", "value":
"null"}`, `{"type": "funcref"}` (any non-null function reference, `ref.func` in the .wast),
`{"type": "refnull"}` (any null reference) and `{"type": "either", "values": [...]}`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

JsonValue = dict[str, Any]

WIDTH = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "f32": 32, "f64": 64}
MASK = {name: (1 << bits) - 1 for name, bits in WIDTH.items()}

# IEEE layout: (sign bit, exponent mask, quiet bit, canonical NaN with positive sign)
_FLOAT = {
    "f32": (1 << 31, 0x7F800000, 1 << 22, 0x7FC00000),
    "f64": (1 << 63, 0x7FF0000000000000, 1 << 51, 0x7FF8000000000000),
}

NAN_CANONICAL = "nan:canonical"
NAN_ARITHMETIC = "nan:arithmetic"

# Reference types: a result of one of these with no "value" is "some non-null reference"
# unless the type itself is a null type.
NULL_TYPES = {"refnull", "nullref", "nullfuncref", "nullexternref", "nullexnref"}
SCALAR_TYPES = ("i32", "i64", "f32", "f64")


class UnsupportedValue(Exception):
    """A JSON value this runner cannot represent."""


def is_ref_type(kind: str) -> bool:
    return kind not in SCALAR_TYPES and kind != "v128" and kind != "either"


def parse_lane(text: str, lane: str) -> int:
    """The bits of one scalar or lane: decimal (signed or unsigned), masked to the width."""
    return int(text, 0 if text.lower().startswith(("0x", "-0x")) else 10) & MASK[lane]


def arg_to_raw(value: JsonValue, extern_handle: Callable[[Any], int]) -> int:
    """A JSON argument as a raw slot. `extern_handle(obj)` gives the slot of a host reference."""
    kind = value["type"]
    if kind in SCALAR_TYPES:
        return parse_lane(value["value"], kind)
    if kind == "v128":
        return pack_v128(value["lane_type"], value["value"])
    if is_ref_type(kind):
        text = value.get("value")
        if text is None or text == "null":
            return 0
        # `ref.extern N` / `ref.host N`: a host reference to the number N.
        return extern_handle(int(text))
    raise UnsupportedValue(f"unsupported argument type {kind!r}")


def pack_v128(lane: str, lanes: list[str]) -> int:
    bits = WIDTH[lane]
    if len(lanes) * bits != 128:
        raise UnsupportedValue(f"v128 with {len(lanes)} lanes of {lane}")
    out = 0
    for i, text in enumerate(lanes):
        out |= parse_lane(text, lane) << (i * bits)
    return out


def unpack_v128(lane: str, raw: int) -> list[int]:
    bits = WIDTH[lane]
    return [(raw >> (i * bits)) & MASK[lane] for i in range(128 // bits)]


def float_matches(pattern: str, lane: str, bits: int) -> bool:
    """One f32/f64 (or lane) against an expected value: NaN patterns, else exact bits."""
    sign, exponent, quiet, canonical = _FLOAT[lane]
    bits &= MASK[lane]
    if pattern == NAN_CANONICAL:
        return bits & ~sign == canonical
    if pattern == NAN_ARITHMETIC:
        return bits & exponent == exponent and bits & quiet != 0
    return bits == parse_lane(pattern, lane)


def lane_matches(pattern: str, lane: str, bits: int) -> bool:
    if lane in _FLOAT:
        return float_matches(pattern, lane, bits)
    return bits & MASK[lane] == parse_lane(pattern, lane)


def result_matches(
    expected: JsonValue, raw: int, extern_object: Callable[[int], Any] | None = None
) -> bool:
    """Does the raw result slot match the expected JSON value (including `either`)?"""
    kind = expected["type"]
    if kind == "either":
        return any(result_matches(alt, raw, extern_object) for alt in expected["values"])
    if kind in SCALAR_TYPES:
        return lane_matches(expected["value"], kind, raw)
    if kind == "v128":
        lane = expected["lane_type"]
        return all(
            lane_matches(pattern, lane, bits)
            for pattern, bits in zip(expected["value"], unpack_v128(lane, raw), strict=True)
        )
    text = expected.get("value")
    if text == "null" or kind in NULL_TYPES:
        return raw == 0
    if text is None:  # ref.func, ref.struct, ref.array, ref.i31, ...: any non-null reference
        return raw != 0
    # ref.extern N / ref.host N: the host reference to N.
    if raw == 0 or extern_object is None:
        return False
    try:
        return extern_object(raw) == int(text)
    except Exception:  # noqa: BLE001 - a raw value that is no host reference does not match
        return False


def describe(value: JsonValue) -> str:
    """A JSON value as a short readable string, for failure messages."""
    kind = value["type"]
    if kind == "either":
        return "either(" + " | ".join(describe(v) for v in value["values"]) + ")"
    if kind in ("f32", "f64"):
        text = value["value"]
        if text.startswith("nan:"):
            return f"{kind}:{text}"
        return f"{kind}:{format_float(kind, parse_lane(text, kind))}"
    if kind in SCALAR_TYPES:
        return f"{kind}:{to_signed(parse_lane(value['value'], kind), WIDTH[kind])}"
    if kind == "v128":
        return f"v128:{value['lane_type']}[{' '.join(value['value'])}]"
    text = value.get("value")
    return f"{kind}:{text if text is not None else ('null' if kind in NULL_TYPES else 'non-null')}"


def describe_raw(kind: str, raw: int) -> str:
    """A raw result slot of the given Wasm type, for failure messages."""
    if kind in ("f32", "f64"):
        return f"{kind}:{format_float(kind, raw)}"
    if kind in SCALAR_TYPES:
        return f"{kind}:{to_signed(raw & MASK[kind], WIDTH[kind])}"
    if kind == "v128":
        return f"v128:{raw & ((1 << 128) - 1):#034x}"
    return f"{kind}:{'null' if raw == 0 else hex(raw)}"


def to_signed(bits: int, width: int) -> int:
    bits &= (1 << width) - 1
    return bits - (1 << width) if bits >> (width - 1) else bits


def bits_to_float(kind: str, bits: int) -> float:
    if kind == "f32":
        return struct.unpack("<f", struct.pack("<I", bits & MASK["f32"]))[0]
    return struct.unpack("<d", struct.pack("<Q", bits & MASK["f64"]))[0]


def float_to_bits(kind: str, value: float) -> int:
    if kind == "f32":
        return struct.unpack("<I", struct.pack("<f", value))[0]
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def format_float(kind: str, bits: int) -> str:
    """Shortest decimal that reads back to the same f32/f64 (Python style: `1.0`, `inf`,
    `-0.0`); a NaN shows its mantissa unless it is the canonical one (`nan:0x400001`), and
    a signalling NaN is `snan:0x...`."""
    sign, exponent, quiet, canonical = _FLOAT[kind]
    bits &= MASK[kind]
    payload = bits & ~(sign | exponent)
    if bits & exponent == exponent and payload:
        if bits & ~sign == canonical:
            text = "nan"
        else:  # the mantissa bits, quiet bit included; "snan" when that bit is clear
            text = f"{'nan' if bits & quiet else 'snan'}:{payload:#x}"
        return ("-" if bits & sign else "") + text
    value = bits_to_float(kind, bits)
    if kind == "f64":
        return repr(value)
    for digits in range(1, 10):  # shortest repr that round-trips through f32
        text = f"{value:.{digits}g}"
        if float_to_bits("f32", float(text)) == bits:
            return repr(float(text))
    return repr(value)

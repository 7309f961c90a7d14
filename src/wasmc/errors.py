"""The errors wasmc reports. Each carries what is wrong and where (byte offset, function)."""

from __future__ import annotations

import math
import struct


class WasmcError(Exception):
    """Base class of every error wasmc raises on purpose."""


class CompileError(WasmcError):
    """The module cannot be compiled. `offset` is a byte offset in the module, or None."""

    kind = "error"

    def __init__(self, message: str, offset: int | None = None, func: str | None = None):
        self.message = message
        self.offset = offset
        self.func = func  # "func 3 (name)" when the error is inside a function body
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.func:
            where.append(f"in {self.func}")
        if self.offset is not None:
            where.append(f"at byte offset {self.offset:#x}")
        return f"{self.kind}: {self.message}" + (f" ({', '.join(where)})" if where else "")


class MalformedError(CompileError):
    """The bytes are not a well-formed binary module (spec: "malformed")."""

    kind = "malformed module"


class InvalidError(CompileError):
    """The module is well-formed but fails validation (spec: "invalid")."""

    kind = "invalid module"


class UnsupportedError(CompileError):
    """The module uses a feature wasmc does not implement yet."""

    kind = "unsupported"


class ToolchainError(WasmcError):
    """The C compiler (or another external tool) failed or is missing."""


class LinkError(WasmcError):
    """Instantiation failed because an import is missing or has the wrong type."""


class InstantiationError(WasmcError):
    """Instantiation failed for another reason (e.g. no address space for a memory)."""


class Trap(WasmcError):
    """Wasm execution trapped. `message` is the spec's text; `function` names the Wasm
    function the trap happened in, when known."""

    def __init__(self, message: str, function: str | None = None):
        self.message = message
        self.function = function
        super().__init__(message if not function else f"{message} (in function {function})")


class WasmException(WasmcError):
    """A Wasm exception left the called function: a `throw` that nothing caught. `tag` is the
    exception's tag (an api.Tag), `tag_name` names it (its export or import name, else
    `tag[N]` of its module), `values` is its payload. A Python host function may raise one
    to throw into the Wasm code that called it (`WasmException(tag, values)`).
    `raw_values` (set for an exception that came out of Wasm) is the payload as the 64-bit
    slots the runtime held, bit for bit: a Python float would quiet a signalling f32 NaN."""

    def __init__(self, tag, values: tuple = (), tag_name: str | None = None,
                 raw_values: tuple[int, ...] | None = None):
        self.tag = tag
        self.values = tuple(values)
        self.raw_values = raw_values
        self.tag_name = tag_name or getattr(tag, "name", None) or "an unknown tag"
        params = getattr(getattr(tag, "type", None), "params", ())
        if len(params) == len(self.values):
            shown = [_f32_repr(v) if t == "f32" and isinstance(v, float) else repr(v)
                     for t, v in zip(params, self.values, strict=True)]
        else:  # no tag type (an unknown tag's raw slots)
            shown = [repr(v) for v in self.values]
        payload = ", ".join(shown)
        super().__init__(f"uncaught wasm exception: tag {self.tag_name}, values ({payload})")


def _f32_repr(x: float) -> str:
    """The shortest decimal that reads back as the same f32 (an f32 payload is held as a
    Python float: repr would show 0.1f as 0.10000000149011612)."""
    if not math.isfinite(x):
        return repr(x)
    for digits in range(1, 10):
        text = f"{x:.{digits}g}"
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == x:
            return text
    return repr(x)

"""What the tests of the code generator's loop copies share (test_f64_pairs.py,
test_wide_loops.py): running an export on prepared memory, and comparing memories."""

from __future__ import annotations

import struct

from wasmc.errors import Trap


def same_f64_words(a: bytes, b: bytes) -> bool:
    """Equal as f64 words under Wasm's NaN rule: where both are NaN, any two quiet NaNs
    are the same (the C compiler may swap the operands of a commutative operation in either
    build, which picks the other operand's payload); all else bit for bit."""
    if a == b:
        return True
    for k in range(0, len(a), 8):
        x, y = a[k:k + 8], b[k:k + 8]
        if x == y:
            continue
        (u,), (v,) = struct.unpack("<Q", x), struct.unpack("<Q", y)
        nan = lambda w: (w >> 52) & 0x7FF == 0x7FF and w & ((1 << 52) - 1)  # noqa: E731
        quiet = lambda w: w & (1 << 51)  # noqa: E731
        if not (nan(u) and nan(v) and quiet(u) and quiet(v)):
            return False
    return True


def run_on_memory(instance, name: str, init: bytes, where: int, args: tuple
                  ) -> tuple[str | None, bytes]:
    """Writes `init` at `where` in the export "mem", calls export `name` with `args`, and
    returns the trap's message (None if it returned) and the bytes at `where` after it."""
    memory = instance.exports["mem"]
    memory.write(where, init)
    try:
        instance.exports[name](*args)
        outcome = None
    except Trap as trap:
        outcome = trap.message
    return outcome, memory.read(where, len(init))

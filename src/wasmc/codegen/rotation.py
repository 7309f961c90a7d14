"""Loops that shift values through locals, which get an unroll hint.

SHA-256's compression loop carries eight state words and moves them down one place per
round (`h = g; g = f; ...; b = a`). Compiled one round per iteration, clang's register
allocator turns these copies into a chain of register moves and, with the memory base and
the message pointer needing registers too, spills; unrolled 4 times, the copies of one
round become the renaming of the next and the moves go away. Measured on sha256's module
(docs/performance.md, "sha256"): 0.32 s → 0.27 s with clang; GCC unchanged.

The hint is the one the vector loops get (function.py, UNROLL_SIMD_LOOPS: `#pragma GCC
unroll 4` on a C `while (1)`), and only for plain loops (forwarding.PlainLoop: straight
line, no call) where at least ROTATION_MIN locals end the iteration holding another local's
value from its start. Unrolling every loop was measured before and made lz77 and the
scalar matmul 8-10 % slower with clang (docs/codegen.md): this is deliberately the narrow
case where the copies are the cost. The hint changes no semantics: the C compiler decides
how to unroll, and every iteration still runs the same statements.
"""

from __future__ import annotations

from ..binary.module import Instr
from .forwarding import Linear, PlainLoop

ROTATION_MIN = 3
"""Locals that must take another local's value per iteration: three in SHA-1's and MD5's
rounds (`e = d; d = c; b = a`), twelve in the C of sha256's (with the copies that clang's
Wasm code makes), none to two in the other 484 plain loops of the benchmark programs. A
loop that carries one or two values (a pointer and a counter, a running pair) gains
nothing from unrolling."""


def shifted_locals(loop: PlainLoop) -> int:
    """How many locals end an iteration of `loop` holding another local's starting value."""
    return sum(1 for local, value in loop.local_values.items()
               if value is not None and value != Linear(0, ((local, 1),))
               and value.const == 0 and len(value.terms) == 1 and value.terms[0][1] == 1)


def rotating_loops(body: list[Instr], loops: list[PlainLoop]) -> set[int]:
    """The id()s of the `loop` instructions in `body` that get the unroll hint."""
    return {id(body[loop.start]) for loop in loops if shifted_locals(loop) >= ROTATION_MIN}

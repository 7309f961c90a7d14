"""Does wasmc's error or trap message say what a spec command expects?

The reference interpreter's rule (`assert_message` in its run.ml) is that its own message
starts with the text the script gives; wasmc is judged the same way: its message (the
`CompileError.message`, `LinkError` text or `Trap.message`, without wasmc's "invalid
module:" prefix or byte offset) must start with the expected text.

Where wasmc words a correct rejection differently, and changing wasmc would be wrong or
impossible, the pair is listed once in `EQUIVALENTS` below with the reason. Nothing else is
accepted: a wrong error class is always a failure (script.py checks the class first), and an
entry applies to one command kind and one exact wording on each side. tests/test_spec.py
checks every entry and that a neighbouring wording is still refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Equivalent:
    """wasmc's `actual` message is accepted where a `kind` command expects a text that
    fully matches the regular expression `expected`."""

    kind: str  # "assert_malformed", "assert_trap", ...
    expected: str  # a regular expression, matched against the whole expected text
    actual: str  # wasmc's exact message
    why: str
    example: str  # an expected text from the testsuite that `expected` matches (for tests)

    def applies(self, kind: str, expected: str, actual: str) -> bool:
        return (
            kind == self.kind
            and actual == self.actual
            and re.fullmatch(self.expected, expected) is not None
        )


EQUIVALENTS: tuple[Equivalent, ...] = (
    Equivalent(
        "assert_malformed",
        r"section size mismatch",
        "unexpected end of section or function",
        why="binary.wast: a function body without its `end`. The reference interpreter "
        "reads past the body into the next section (its `0x0b` id looks like `end`) and then "
        "finds the code section too long; wasmc reads each body within its declared size and "
        "stops at its end. Both reject the module as malformed, at the same body.",
        example="section size mismatch",
    ),
    Equivalent(
        "assert_malformed",
        r"length out of bounds",
        "unexpected end of section or function",
        why="binary.wast: an export section that declares 2 exports and holds 1. The "
        "reference interpreter reads the missing export's name length from the next "
        "section's bytes and finds it too long for the file; wasmc stops at the export "
        "section's declared end. Both reject the same section as malformed.",
        example="length out of bounds",
    ),
    Equivalent(
        "assert_invalid",
        r"type mismatch: (instruction|block) requires \[[^]]*\] but stack has \[[^]]*\]",
        "type mismatch",
        why="throw.wast and legacy/try_catch.wast spell out the operand types the reference "
        "interpreter found; the other scripts expect the bare \"type mismatch\". wasmc "
        "reports the category and the byte offset of the instruction, not the stack "
        "contents, and its validator is exercised on the same mismatches everywhere else.",
        example="type mismatch: instruction requires [i32] but stack has [i64]",
    ),
    Equivalent(
        "assert_trap",
        r"uninitialized element \d+",
        "uninitialized element",
        why="bulk.wast: the reference interpreter appends the table index of the null "
        "entry a `call_indirect` hit. wasmc's runtime reports a trap as one code with a "
        "fixed message (runtime.c `trap_messages`), so the index is not available; the "
        "trap itself is the one expected.",
        example="uninitialized element 2",
    ),
)


def message_matches(kind: str, expected: str, actual: str) -> bool:
    """Does wasmc's `actual` message satisfy a `kind` command that expects `expected`?"""
    if actual and actual.startswith(expected):
        return True
    return any(e.applies(kind, expected, actual) for e in EQUIVALENTS)

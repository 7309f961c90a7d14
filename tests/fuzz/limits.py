"""Hostile inputs at and past wasmc's implementation limits, and what each must give.

`tests/test_fuzz.py` checks the verdicts (the error class and its words, or C code) and that
the huge counts fail without allocating by the count; `python scripts/fuzz.py limits`
reports how long each takes and how much it allocates (performance is reported, not
asserted: a unit test's clock on a shared 2-core machine proves nothing).
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass

from wasmc import api
from wasmc.errors import CompileError, InvalidError, MalformedError, UnsupportedError

from . import mutate


@dataclass(frozen=True)
class HostileInput:
    name: str
    data: bytes
    error: type[CompileError] | None  # None: must translate to C
    words: str = ""  # what the error message must say


# Past a limit: reported as the limit (UnsupportedError) or the spec's (InvalidError).
PAST_THE_LIMITS = (
    HostileInput("nesting", mutate.nested_blocks(10_001), UnsupportedError,
                 "nested more than 10000"),
    HostileInput("locals", mutate.many_locals(50_001), UnsupportedError,
                 "more than 50000 locals"),
    HostileInput("locals-u32-max", mutate.many_locals(0xFFFFFFFF), UnsupportedError,
                 "more than 50000 locals"),
    HostileInput("memory-min", mutate.big_memory(65_537), InvalidError,
                 "memory size must be at most 65536"),
    HostileInput("memory-2^32", mutate.big_memory(2**32), InvalidError,
                 "memory size must be at most 65536"),
    HostileInput("memory-max", mutate.big_memory(1, 65_537), InvalidError,
                 "memory size must be at most 65536"),
)

# At a limit: must compile.
AT_THE_LIMITS = (
    HostileInput("nesting-10000", mutate.nested_blocks(10_000), None),
    HostileInput("locals-50000", mutate.many_locals(50_000), None),
    HostileInput("memory-65536-pages", mutate.big_memory(65_536), None),
    HostileInput("100000-nops", mutate.long_function(100_000), None),
)

_ONE_TYPE = mutate._section(1, mutate._vec([b"\x60\x00\x00"]))

# Counts and sizes far larger than the bytes that follow: "unexpected end" (or the LEB128
# errors) as soon as the bytes run out, without allocating by the count.
HUGE_COUNTS = (
    HostileInput("func-count",  # a function section announcing 2^32 - 1 functions
                 mutate.MAGIC + _ONE_TYPE + mutate._section(3, mutate.uleb(0xFFFFFFFF) + b"\0"),
                 MalformedError),
    HostileInput("type-count",  # 2^32 - 1 types
                 mutate.MAGIC + mutate._section(1, mutate.uleb(0xFFFFFFFF) + b"\x60\x00\x00"),
                 MalformedError),
    HostileInput("section-size",  # a section longer than the module
                 mutate.MAGIC + b"\x01" + mutate.uleb(0xFFFFFFFF) + b"\x01", MalformedError),
    HostileInput("data-count",  # 2^32 - 1 data segments announced by the data count section
                 mutate.MAGIC + mutate._section(12, mutate.uleb(0xFFFFFFFF)), MalformedError),
    HostileInput("overlong-leb",  # a u32 in 6 bytes (over-long past the 5 a u32 may take)
                 mutate.MAGIC + mutate._section(1, mutate.uleb(1, 6) + b"\x60\x00\x00"),
                 MalformedError),
    HostileInput("leb-too-large",  # a u32 whose 5th byte has bits past 32
                 mutate.MAGIC + mutate._section(1, b"\x81\x80\x80\x80\x70\x60\x00\x00"),
                 MalformedError),
    HostileInput("custom-name",  # a custom section whose name length is huge
                 mutate.MAGIC + b"\x00\x06" + mutate.uleb(0xFFFFFFFF) + b"a", MalformedError),
)

ALL = PAST_THE_LIMITS + AT_THE_LIMITS + HUGE_COUNTS


@dataclass
class Measured:
    error: CompileError | None
    seconds: float  # wall clock
    cpu_seconds: float
    peak_bytes: int | None  # the most Python memory allocated at once (when traced)


def translate(data: bytes, *, trace_memory: bool = False) -> Measured:
    """Translate `data`; a CompileError is returned, any other exception propagates.
    `trace_memory` measures the peak allocation (tracemalloc, which slows the run)."""
    if trace_memory:
        tracemalloc.start()
    started, cpu = time.monotonic(), time.process_time()
    error = None
    peak = None
    try:
        api.translate(data, "p")
    except CompileError as err:
        error = err
    finally:
        seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu
        if trace_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return Measured(error, seconds, cpu_seconds, peak)


def report() -> list[str]:
    """One line per hostile input: verdict, time (untraced run) and peak allocation (a
    second, traced run)."""
    lines = [f"{'input':20} {'bytes':>8} {'wall s':>7} {'cpu s':>7} {'peak MiB':>9}  verdict"]
    for case in ALL:
        m = translate(case.data)
        peak = translate(case.data, trace_memory=True).peak_bytes or 0
        verdict = "C code" if m.error is None else f"{type(m.error).__name__}: {m.error}"
        lines.append(f"{case.name:20} {len(case.data):8d} {m.seconds:7.2f} {m.cpu_seconds:7.2f} "
                     f"{peak / 2**20:9.1f}  {verdict[:90]}")
    return lines

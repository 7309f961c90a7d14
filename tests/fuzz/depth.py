"""How deep a call recurses: run it on Wasmtime with every function wrapped in a counter.

"call stack exhausted" on one engine only is legitimate for deep recursion (engines have
different stack limits) and a bug for shallow code. To tell them apart the fuzzer needs the
depth the call reaches, and neither engine reports it. So the module is rewritten:

  - every defined function i keeps its index but becomes a wrapper with the same type:
    depth += 1; max_depth = max(max_depth, depth); call the original body; depth -= 1;
  - the original bodies move, unchanged, to new indices after the wrappers, so every call,
    `ref.func`, table entry, export and start function (all by index) reaches a wrapper;
  - two exported mutable i32 globals, `depth` and `max_depth`, are appended;
  - the start function, if any, is exported instead of started: the probe calls it right
    after instantiating, so that its depth can be read even when it runs out of stack (a
    trap in a start function leaves no instance to read globals from).

Then the same sequence of calls is replayed on a fresh instance with a larger stack than
the reference's (the wrappers add frames), resetting both globals before each call, and
`max_depth` after the last one is its depth: the number of Wasm frames on the stack at the
deepest point. A trap leaves `depth` too high, which is why it is reset before each call.

Only modules without GC types (rec groups, structs, arrays) are handled: the fuzzer's
configuration has none. Custom sections are dropped (the name section's indices would be
stale).
"""

from __future__ import annotations

import functools

import wasmtime

from . import tools
from .mutate import MAGIC, read_uleb, sections, uleb

DEPTH_EXPORT = "__wasmc_fuzz_depth"
MAX_DEPTH_EXPORT = "__wasmc_fuzz_max_depth"
START_EXPORT = "__wasmc_fuzz_start"

# The probe's Wasm stack limit: 4x Wasmtime's default (512 KiB), so that a call the
# reference ran without exhausting its stack also fits with the wrapper frames. Wasm runs on
# the calling thread's stack (8 MiB for a process's main thread), which must be larger.
PROBE_STACK = 2 << 20

_TYPE, _IMPORT, _FUNCTION, _TABLE, _MEMORY, _GLOBAL, _EXPORT, _START = 1, 2, 3, 4, 5, 6, 7, 8
_CODE, _TAG = 10, 13
# The order sections must appear in (the tag section sits between memory and global).
_ORDER = (1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11)


class NotInstrumentable(Exception):
    """The module uses something this rewriter does not decode."""


class _Reader:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise NotInstrumentable("unexpected end")
        self.pos += 1
        return self.data[self.pos - 1]

    def u(self) -> int:
        read = read_uleb(self.data, self.pos)
        if read is None:
            raise NotInstrumentable("bad LEB128")
        value, self.pos = read
        return value

    def valtype(self) -> None:
        if self.byte() in (0x63, 0x64):  # (ref null? heaptype): a signed LEB128 follows
            self.u()

    def limits(self) -> None:
        flags = self.byte()
        self.u()
        if flags & 0x01:
            self.u()
        if flags & 0x08:  # custom page size
            self.u()


def _param_counts(payload: bytes) -> list[int]:
    """The parameter count of each type of the type section (function types only)."""
    r = _Reader(payload)
    counts = []
    for _ in range(r.u()):
        if r.byte() != 0x60:
            raise NotInstrumentable("a type section with GC types")
        params = r.u()
        for _ in range(params):
            r.valtype()
        for _ in range(r.u()):
            r.valtype()
        counts.append(params)
    return counts


def _imported_counts(payload: bytes) -> tuple[int, int]:
    """(imported functions, imported globals)."""
    r = _Reader(payload)
    funcs = globals_ = 0
    for _ in range(r.u()):
        for _ in range(2):  # module and field names
            r.pos += r.u()
        kind = r.byte()
        if kind == 0x00:
            r.u()
            funcs += 1
        elif kind == 0x01:
            r.valtype()
            r.limits()
        elif kind == 0x02:
            r.limits()
        elif kind == 0x03:
            r.valtype()
            r.byte()
            globals_ += 1
        elif kind == 0x04:
            r.byte()
            r.u()
        else:
            raise NotInstrumentable(f"import kind {kind:#x}")
    return funcs, globals_


def _vector(payload: bytes) -> tuple[int, bytes]:
    """(count, the bytes of the items) of a section that is one vector."""
    r = _Reader(payload)
    count = r.u()
    return count, payload[r.pos:]


def _section_bytes(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + uleb(len(payload)) + payload


def _wrapper_body(params: int, inner: int, depth: int, max_depth: int) -> bytes:
    def get(g: int) -> bytes:
        return b"\x23" + uleb(g)

    def set_(g: int) -> bytes:
        return b"\x24" + uleb(g)

    code = (get(depth) + b"\x41\x01\x6a" + set_(depth)                    # depth += 1
            + get(depth) + get(max_depth) + b"\x4b"                        # depth > max?
            + b"\x04\x40" + get(depth) + set_(max_depth) + b"\x0b"          # max = depth
            + b"".join(b"\x20" + uleb(k) for k in range(params))            # the arguments
            + b"\x10" + uleb(inner)                                         # the original
            + get(depth) + b"\x41\x01\x6b" + set_(depth)                    # depth -= 1
            + b"\x0b")
    body = b"\x00" + code  # no locals
    return uleb(len(body)) + body


def instrument(wasm: bytes) -> bytes:
    """The module with every defined function wrapped in a depth counter (see above)."""
    secs = sections(wasm)
    if secs is None:
        raise NotInstrumentable("not a sequence of sections")
    payloads: dict[int, bytes] = {}
    for s in secs:
        if s.id != 0:
            payloads[s.id] = wasm[s.payload:s.end]
    param_counts = _param_counts(payloads.get(_TYPE, b"\x00"))
    imported_funcs, imported_globals = _imported_counts(payloads.get(_IMPORT, b"\x00"))
    n_funcs, func_types = _vector(payloads.get(_FUNCTION, b"\x00"))
    type_indices = []
    r = _Reader(func_types)
    for _ in range(n_funcs):
        type_indices.append(r.u())
    n_bodies, bodies = _vector(payloads.get(_CODE, b"\x00"))
    if n_bodies != n_funcs:
        raise NotInstrumentable("function and code sections disagree")
    n_globals, globals_ = _vector(payloads.get(_GLOBAL, b"\x00"))
    n_exports, exports = _vector(payloads.get(_EXPORT, b"\x00"))

    depth = imported_globals + n_globals
    max_depth = depth + 1
    new_global = b"\x7f\x01\x41\x00\x0b"  # (mut i32) (i32.const 0)
    payloads[_GLOBAL] = uleb(n_globals + 2) + globals_ + new_global * 2

    def export(name: str, kind: int, index: int) -> bytes:
        return uleb(len(name)) + name.encode() + bytes([kind]) + uleb(index)

    new_exports = [export(DEPTH_EXPORT, 0x03, depth), export(MAX_DEPTH_EXPORT, 0x03, max_depth)]
    if _START in payloads:
        new_exports.append(export(START_EXPORT, 0x00, _Reader(payloads.pop(_START)).u()))
    payloads[_EXPORT] = uleb(n_exports + len(new_exports)) + exports + b"".join(new_exports)
    if n_funcs:
        payloads[_FUNCTION] = uleb(2 * n_funcs) + b"".join(uleb(t) for t in type_indices) * 2
        wrappers = [_wrapper_body(param_counts[t], imported_funcs + n_funcs + j, depth,
                                  max_depth)
                    for j, t in enumerate(type_indices)]
        payloads[_CODE] = uleb(2 * n_funcs) + b"".join(wrappers) + bodies
    return MAGIC + b"".join(_section_bytes(i, payloads[i]) for i in _ORDER if i in payloads)


@functools.cache
def probe_engine() -> wasmtime.Engine:
    config = tools.wasmtime_config()
    config.max_wasm_stack = PROBE_STACK
    return wasmtime.Engine(config)


def call_depth(wasm: bytes, calls: list[tuple[str, list[int]]]) -> int | None:
    """The depth (Wasm frames) the last of `calls` reaches, replaying them all in order on
    a fresh instance (the instantiation's, i.e. the start function's, if `calls` is
    empty); None if the module cannot be instrumented or the replay goes another way
    (an earlier call exhausts the probe's stack). A call that exhausts the probe's stack
    still gives the depth reached when it did."""
    from .engines import EXHAUSTED, Outcome, WasmtimeSide, module_exports

    try:
        module = wasmtime.Module(probe_engine(), instrument(wasm))
    except (NotInstrumentable, wasmtime.WasmtimeError):
        return None
    side = WasmtimeSide(probe_engine(), module)
    if side.instantiate() != Outcome():  # (a trap here is a segment's, not the start's)
        return None
    functions = {e.name: e for e in module_exports(module) if e.kind == "func"}
    if START_EXPORT in functions:
        calls = [(START_EXPORT, []), *calls]
    elif not calls:
        return 0  # no start function: instantiating calls nothing
    max_global = side.externs[MAX_DEPTH_EXPORT]
    depth_global = side.externs[DEPTH_EXPORT]
    reached = 0
    for k, (name, args) in enumerate(calls):
        depth_global.set_value(side.store, wasmtime.Val.i32(0))
        max_global.set_value(side.store, wasmtime.Val.i32(0))
        outcome = side.call(name, functions[name], args)
        reached = int(max_global.value(side.store))
        if outcome.trap == EXHAUSTED and k < len(calls) - 1:
            return None
    return reached

"""The threads proposal's atomic instructions (codegen/atomics.py, wasmc.h, runtime.c).

The spec's atomic.wast (tests/test_spec.py) covers a shared memory at offset 0. Here every
atomic instruction also runs on an unshared memory (plain accesses, not __atomic builtins)
and with a memarg offset, on random values at aligned, unaligned and out-of-bounds addresses,
and the results and traps must be those of Wasmtime, with both C compilers; then the
runtime's wait and notify: timeouts, a wake-up from another thread, and their traps."""

from __future__ import annotations

import random
import threading
import time

import pytest

import wasmc.api
from wasmc.binary.opcodes import OPS
from wasmc.errors import InvalidError, Trap

ATOMIC_OPS = [op for op in OPS if op.group == "threads" and op.imm == "memarg_atomic"
              and "wait" not in op.name and "notify" not in op.name]
MEMORIES = {"s": "shared", "p": "plain"}
OFFSETS = (0, 16)
PAGE = 65536


def _function(op, mem: str, offset: int) -> str:
    params, results = op.sig
    args = " ".join(f"(local.get {k})" for k in range(len(params)))
    memarg = f" ${mem}" + (f" offset={offset}" if offset else "")
    result = f" (result {results[0]})" if results else ""
    return (f'  (func (export "{op.name}@{mem}{offset}") (param {" ".join(params)}){result}\n'
            f"    ({op.name}{memarg} {args}))")


WAT = "\n".join([
    "(module",
    '  (memory $s (export "shared") 1 1 shared)',
    '  (memory $p (export "plain") 1)',
    *[_function(op, mem, offset) for op in ATOMIC_OPS for mem in MEMORIES for offset in OFFSETS],
    '  (func (export "wait32") (param i32 i32 i64) (result i32)',
    "    (memory.atomic.wait32 $s (local.get 0) (local.get 1) (local.get 2)))",
    '  (func (export "wait64") (param i32 i64 i64) (result i32)',
    "    (memory.atomic.wait64 $s offset=8 (local.get 0) (local.get 1) (local.get 2)))",
    '  (func (export "wait_plain") (param i32 i32 i64) (result i32)',
    "    (memory.atomic.wait32 $p (local.get 0) (local.get 1) (local.get 2)))",
    '  (func (export "notify") (param i32 i32) (result i32)',
    "    (memory.atomic.notify $s (local.get 0) (local.get 1)))",
    '  (func (export "notify_plain") (param i32 i32) (result i32)',
    "    (memory.atomic.notify $p (local.get 0) (local.get 1)))",
    '  (func (export "fence") atomic.fence)',
    ")",
])


def _calls(rng: random.Random) -> list[tuple[str, tuple[int, ...]]]:
    """Every atomic instruction on both memories with and without offset, each several
    times: mostly aligned addresses within 64 bytes (so the operations meet each other's
    values), some unaligned, some at the end of the memory and beyond."""
    calls = []
    for _ in range(6):
        for op in ATOMIC_OPS:
            width = 1 << op.align
            for mem in MEMORIES:
                for offset in OFFSETS:
                    pick = rng.random()
                    if pick < 0.75:
                        addr = rng.randrange(0, 64, width)
                    elif pick < 0.88:
                        addr = rng.randrange(0, 64) | (1 if width > 1 else 0)
                    else:
                        addr = rng.choice([PAGE - width - offset, PAGE - offset, PAGE - 1,
                                           2**32 - width, 2**32 - 1]) & 0xFFFFFFFF
                    values = tuple(rng.choice([0, 1, 0xFF, 0x8000, rng.getrandbits(64)])
                                   & (0xFFFFFFFF if t == "i32" else 2**64 - 1)
                                   for t in op.sig[0][1:])
                    calls.append((f"{op.name}@{mem}{offset}", (addr, *values)))
    # Then read back every byte both memories hold where the operations wrote.
    calls += [(f"i64.atomic.load@{mem}0", (addr,)) for mem in MEMORIES for addr in range(0, 96, 8)]
    return calls


def _as_unsigned(value: int, name: str) -> int:
    return value & (0xFFFFFFFF if name.startswith("i32") else 2**64 - 1)


def _run_wasmc(instance, calls) -> list[tuple[str, int | None]]:
    out = []
    for name, args in calls:
        try:
            result = instance.exports[name](*args)
        except Trap:
            out.append(("trap", None))
        else:
            out.append(("ok", None if result is None else _as_unsigned(result, name)))
    return out


def _run_wasmtime(calls) -> list[tuple[str, int | None]]:
    wasmtime = pytest.importorskip("wasmtime")
    config = wasmtime.Config()
    config.wasm_threads = True
    config.shared_memory = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    exports = wasmtime.Instance(store, wasmtime.Module(engine, WAT), []).exports(store)
    out = []
    for name, args in calls:
        # wasmtime-py takes signed integers for i32 and i64 parameters.
        op = next(op for op in ATOMIC_OPS if op.name == name.split("@")[0])
        signed = [_signed(a, t) for a, t in zip(args, op.sig[0], strict=True)]
        try:
            result = exports[name](store, *signed)
        except wasmtime.Trap:
            out.append(("trap", None))
        else:
            out.append(("ok", None if result is None else _as_unsigned(result, name)))
    return out


def _signed(value: int, t: str) -> int:
    bits = 32 if t == "i32" else 64
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


@pytest.fixture(scope="module")
def reference() -> tuple[list, list]:
    calls = _calls(random.Random(5))
    return calls, _run_wasmtime(calls)


@pytest.mark.parametrize(("cc", "opt"), [(None, 2), ("gcc", 2), (None, 0)],
                         ids=["clang", "gcc", "clang-O0"])
def test_atomics_agree_with_wasmtime(reference, cc: str | None, opt: int) -> None:
    calls, want = reference
    got = _run_wasmc(wasmc.api.load(WAT, cc=cc, opt=opt), calls)
    for (name, args), w, g in zip(calls, want, got, strict=True):
        assert g == w, f"{name}{args}: Wasmtime {w}, wasmc {g}"
    # The calls did what they are there for: results, traps, and values that are not 0.
    assert {"ok", "trap"} == {kind for kind, _ in got}
    assert sum(1 for kind, value in got if kind == "ok" and value) > len(calls) // 4


@pytest.mark.parametrize(("wat", "message"), [
    ("(memory 1 1 shared) (func (drop (i32.atomic.load align=2 (i32.const 0))))",
     "atomic alignment must be natural"),
    ("(memory 1 1) (func (drop (i64.atomic.rmw32.add_u align=8 (i32.const 0) (i64.const 0))))",
     "alignment must not be larger than natural"),
    ("(memory 1 1) (func (drop (memory.atomic.wait64 align=4 (i32.const 0) (i64.const 0)"
     " (i64.const 0))))", "atomic alignment must be natural"),
    ("(func (drop (memory.atomic.notify (i32.const 0) (i32.const 0))))", "unknown memory"),
    ("(memory 1 shared)", "shared memory must have maximum"),
    ("(memory 1 1 shared) (func (drop (i32.atomic.rmw.add (i64.const 0) (i32.const 0))))",
     "type mismatch"),
])
def test_invalid(wat: str, message: str) -> None:
    with pytest.raises(InvalidError, match=message):
        wasmc.api.compile_module(f"(module {wat})")


def test_shared_table_is_invalid() -> None:
    # a table with limits flag 0x03 (shared, with a maximum): the text format has no syntax
    table = bytes([0x04, 0x05, 0x01, 0x70, 0x03, 0x01, 0x02])
    with pytest.raises(InvalidError, match="tables cannot be shared"):
        wasmc.api.compile_module(b"\0asm\1\0\0\0" + table)


@pytest.mark.parametrize("shared", ["shared", ""])
def test_memory64(shared: str) -> None:
    """A 64-bit memory: the bounds are checked explicitly (wasmc_atomic64_at), then the
    alignment."""
    run = wasmc.api.load(f"""(module (memory i64 1 1 {shared})
      (func (export "add") (param i64 i32) (result i32)
        (i32.atomic.rmw.add offset=4 (local.get 0) (local.get 1)))
      (func (export "cas") (param i64 i64 i64) (result i64)
        (i64.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2))))""").exports
    assert run["add"](4, 3) == 0 and run["add"](4, 2) == 3
    assert run["cas"](8, 5, 9) == 5  # (the add wrote 5 at address 8)
    assert run["cas"](8, 9, 1) == 9 and run["cas"](8, 7, 2) == 1
    with pytest.raises(Trap, match="^unaligned atomic"):
        run["add"](2, 1)
    for address in (PAGE - 4, 2**32, 2**64 - 4):  # out of bounds, some beyond 32 bits
        with pytest.raises(Trap, match="^out of bounds memory access"):
            run["add"](address, 1)
    with pytest.raises(Trap, match="^unaligned atomic"):
        run["cas"](PAGE - 4, 0, 0)  # out of bounds too: the alignment is checked first


@pytest.mark.parametrize(("cc", "opt"), [(None, 2), ("gcc", 2)], ids=["clang", "gcc"])
@pytest.mark.parametrize("op", ["add", "sub", "or", "xor", "and"])
def test_idempotent_rmw_out_of_bounds(op: str, cc: str | None, opt: int) -> None:
    """A read-modify-write that changes nothing (add 0, and -1, ...) and whose result is
    dropped still accesses its address: out of bounds, it traps (clang made such an
    `__atomic_fetch_add` a fence alone; found by `fuzz.py diff --threads`)."""
    operand = -1 if op == "and" else 0
    run = wasmc.api.load(f"""(module (memory 1 1 {{}}) (memory $s 1 1 shared)
      (func (export "plain") (param i32)
        (drop (i64.atomic.rmw8.{op}_u offset=2070 (local.get 0) (i64.const {operand}))))
      (func (export "plain_cas") (param i32)
        (drop (i32.atomic.rmw.cmpxchg (local.get 0) (i32.const 0) (i32.const 0))))
      (func (export "shared") (param i32)
        (drop (i64.atomic.rmw8.{op}_u $s offset=2070 (local.get 0) (i64.const {operand}))))
      (func (export "shared_cas") (param i32)
        (drop (i32.atomic.rmw.cmpxchg $s (local.get 0) (i32.const 0) (i32.const 0)))))
    """.replace("{}", ""), cc=cc, opt=opt).exports
    for name in ("plain", "plain_cas", "shared", "shared_cas"):
        run[name](0)  # in bounds: nothing happens
        with pytest.raises(Trap, match="^out of bounds memory access"):
            run[name](0x80000000)


def test_trap_messages() -> None:
    instance = wasmc.api.load(WAT)
    run = instance.exports
    with pytest.raises(Trap, match="^unaligned atomic"):
        run["i32.atomic.rmw.add@p0"](2, 1)
    with pytest.raises(Trap, match="^unaligned atomic"):
        run["i64.atomic.load@s16"](4)
    # Out of bounds and unaligned at once: unaligned, as the reference interpreter and
    # Wasmtime check the alignment first.
    with pytest.raises(Trap, match="^unaligned atomic"):
        run["i32.atomic.store@p0"](PAGE - 2, 0)
    with pytest.raises(Trap, match="^unaligned atomic"):
        run["i64.atomic.rmw.cmpxchg@s16"](PAGE - 12, 0, 0)
    with pytest.raises(Trap, match="^out of bounds memory access"):
        run["i64.atomic.rmw.cmpxchg@s16"](PAGE - 16, 0, 0)
    with pytest.raises(Trap, match="^expected shared memory"):
        run["wait_plain"](0, 0, 0)
    with pytest.raises(Trap, match="^unaligned atomic"):
        run["wait32"](2, 0, 0)
    with pytest.raises(Trap, match="^out of bounds memory access"):
        run["notify"](PAGE, 1)
    assert run["notify_plain"](0, 1) == 0
    run["fence"]()


def test_wait_and_notify() -> None:
    instance = wasmc.api.load(WAT)
    run = instance.exports
    run["i64.atomic.store@s0"](8, 7)
    run["i64.atomic.store@s0"](16, 2**40)
    assert run["wait32"](8, 6, -1) == 1  # "not-equal", at once
    assert run["wait64"](8, 2**40, 0) == 2  # equal (offset 8: address 16): "timed-out"
    start = time.monotonic()
    assert run["wait32"](8, 7, 30_000_000) == 2  # 30 ms
    assert time.monotonic() - start >= 0.03
    assert run["notify"](8, 5) == 0  # nobody waits

    # Another instance, sharing the memory, waits in another thread with no timeout until
    # this one notifies it (the parking lot goes by address in the shared memory).
    other = wasmc.api.load(WAITER, {"m": {"shared": instance.exports["shared"]}})
    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(other.exports["wait"](24, 0)))
    thread.start()
    woken = 0
    for _ in range(500):  # until the other thread is parked
        woken = run["notify"](24, 2)
        if woken:
            break
        time.sleep(0.01)
    thread.join(5)
    assert woken == 1 and results == [0]
    run["i32.atomic.store@s0"](24, 1)
    assert other.exports["wait"](24, 0) == 1  # the value has changed: "not-equal"


WAITER = """(module
  (import "m" "shared" (memory 1 1 shared))
  (func (export "wait") (param i32 i32) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (i64.const -1))))"""

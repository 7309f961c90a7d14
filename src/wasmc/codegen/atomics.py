"""C for the atomic instructions of the threads proposal (the 0xFE prefix): atomic loads and
stores, read-modify-writes, compare-exchange, wait, notify and fence.

The address is computed as for any load or store (the guard region of a 32-bit memory, the
explicit bounds check of a 64-bit one), after the check every atomic access adds: an address
that is not a multiple of the access size traps, whether in bounds or not (wasmc_atomic_at,
wasmc_atomic64_at in wasmc.h).

The access itself depends on the memory's type:
- a shared memory: the C compilers' `__atomic` builtins, sequentially consistent as Wasm's
  atomics are (`lock`-prefixed instructions or fences on x86-64);
- an unshared memory: the plain load and store helpers of every other access. Only the thread
  that runs the instance reaches an unshared memory (Wasm shares only shared memories between
  threads), and one thread's accesses in program order are already sequentially consistent,
  so the locked instructions would cost (about 20 cycles per read-modify-write) and buy
  nothing. C++ compiled with atomics but run single-threaded (reference counts) is the case.

wait and notify call the runtime's parking lot (runtime.c); atomic.fence is a full fence in a
module with a shared memory and a compiler barrier otherwise. docs/codegen.md, "Atomics".

Each handler has the signature of FunctionEmitter's op_<name> methods; HANDLERS maps the
instruction names to them (function.py installs them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..binary.opcodes import OPS
from .spelling import SCALAR_ACCESS

if TYPE_CHECKING:
    from .function import FunctionEmitter

_VALUE_C = {"i32": "uint32_t", "i64": "uint64_t"}
# The read-modify-writes: the C operator of the plain form (None: the new value is the
# operand), the builtin of the shared form.
_RMW = {"add": ("+", "__atomic_fetch_add"), "sub": ("-", "__atomic_fetch_sub"),
        "and": ("&", "__atomic_fetch_and"), "or": ("|", "__atomic_fetch_or"),
        "xor": ("^", "__atomic_fetch_xor"), "xchg": (None, "__atomic_exchange_n")}
SEQ_CST = "__ATOMIC_SEQ_CST"


def _access(self: FunctionEmitter, ins, addr: str) -> tuple[str, str, str, str, bool]:
    """(the checked address, C type of the bytes, load helper, store helper, shared)."""
    _align, offset, mem = ins.imm
    n = 1 << ins.op.align
    ctype, load, store = SCALAR_ACCESS[ins.op.align]
    if mem in self.mod.memories64:
        at = f"wasmc_atomic64_at(inst->mem{mem}, {addr}, UINT64_C({offset}), {n})"
    else:
        self.memories_used.add(mem)
        ea = f"(uint64_t){addr} + {offset}u" if offset else f"(uint64_t){addr}"
        at = f"wasmc_atomic_at(m{mem}, {ea}, {n})"
    return at, ctype, load, store, mem in self.mod.shared_memories


def atomic_load(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    at, ctype, load, _store, shared = _access(self, ins, args[0])
    value = (f"__atomic_load_n(({ctype} *)(void *){at}, {SEQ_CST})" if shared
             else f"{load}({at})")
    # Kept like every load: an out-of-bounds one must trap even if its value is unused.
    self.w(f"{res[0]} = ({_VALUE_C[pushes[0]]}){value}; WASMC_KEEP({res[0]});")


def atomic_store(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    at, ctype, _load, store, shared = _access(self, ins, args[0])
    if shared:
        self.w(f"__atomic_store_n(({ctype} *)(void *){at}, ({ctype}){args[1]}, {SEQ_CST});")
    else:
        self.w(f"{store}({at}, ({ctype}){args[1]});")


def atomic_rmw(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    at, ctype, load, store, shared = _access(self, ins, args[0])
    operator, builtin = _RMW[ins.op.name.rsplit(".", 1)[1].removesuffix("_u")]
    result = _VALUE_C[pushes[0]]
    operand = f"({ctype}){args[1]}"
    if shared:
        # Kept: clang turns an idempotent read-modify-write whose result is unused (add 0,
        # or 0, and -1) into a fence without the access, which then could not trap (found by
        # fuzz.py diff --threads; test_atomics.py, test_idempotent_rmw_out_of_bounds).
        self.w(f"{res[0]} = ({result}){builtin}(({ctype} *)(void *){at}, {operand}, {SEQ_CST}); "
               f"WASMC_KEEP({res[0]});")
        return
    new = operand if operator is None else f"({ctype})(old_ {operator} {operand})"
    # (res may be the address's slot: everything is read before it is written). The old
    # value is kept like every load's: storing back what was read (add 0) is no store for
    # the C compiler, and then the load was unused.
    self.w(f"{{ uint8_t *at_ = {at}; {ctype} old_ = ({ctype}){load}(at_); WASMC_KEEP(old_); "
           f"{store}(at_, {new}); {res[0]} = ({result})old_; }}")


def atomic_cmpxchg(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    at, ctype, load, store, shared = _access(self, ins, args[0])
    result = _VALUE_C[pushes[0]]
    expected, replacement = f"({ctype}){args[1]}", f"({ctype}){args[2]}"
    if shared:  # on failure the builtin writes what it found into old_
        self.w(f"{{ {ctype} old_ = {expected}; __atomic_compare_exchange_n(({ctype} *)(void *)"
               f"{at}, &old_, {replacement}, 0, {SEQ_CST}, {SEQ_CST}); "
               f"{res[0]} = ({result})old_; WASMC_KEEP({res[0]}); }}")
    else:
        self.w(f"{{ uint8_t *at_ = {at}; {ctype} old_ = ({ctype}){load}(at_); WASMC_KEEP(old_); "
               f"if (old_ == {expected}) {store}(at_, {replacement}); "
               f"{res[0]} = ({result})old_; }}")


def atomic_wait(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    _align, offset, mem = ins.imm
    shared = int(mem in self.mod.shared_memories)
    self.w(f"{res[0]} = wasmc_atomic_wait(inst->mem{mem}, (uint64_t){args[0]}, "
           f"UINT64_C({offset}), (uint64_t){args[1]}, (int64_t){args[2]}, "
           f"{1 << ins.op.align}, {shared});")


def atomic_notify(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    _align, offset, mem = ins.imm
    self.w(f"{res[0]} = wasmc_atomic_notify(inst->mem{mem}, (uint64_t){args[0]}, "
           f"UINT64_C({offset}), {args[1]});")


def atomic_fence(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    fence = "__atomic_thread_fence" if self.mod.shared_memories else "__atomic_signal_fence"
    self.w(f"{fence}({SEQ_CST});")


def _handler(name: str) -> Callable:
    if name == "atomic.fence":
        return atomic_fence
    if name == "memory.atomic.notify":
        return atomic_notify
    if name.startswith("memory.atomic.wait"):
        return atomic_wait
    if ".atomic.load" in name:
        return atomic_load
    if ".atomic.store" in name:
        return atomic_store
    return atomic_cmpxchg if "cmpxchg" in name else atomic_rmw


HANDLERS: dict[str, Callable] = {op.name: _handler(op.name) for op in OPS if op.group == "threads"}

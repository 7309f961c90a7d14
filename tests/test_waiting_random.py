"""Random straight-line code against Wasmtime, for the values that wait for their use
(FunctionEmitter.emit's `pending`): local.gets, constants and pure expressions mixed with
writes of the same locals (local.set, local.tee), loads, stores, calls, globals, blocks,
br_if, if and select. wasm-smith's modules rarely read a local and then write it before
the value is used, so the differential fuzzer did not notice when such a flush was left
out; these functions do it all the time. wasmc (clang, -O0 and -O2) must return the same
results and leave the same memory as Wasmtime."""

from __future__ import annotations

import random

import pytest

import wasmc.api

wasmtime = pytest.importorskip("wasmtime")

FUNCTIONS = 40
OPS_PER_FUNCTION = 60
LOCALS = {"i32": ["$a", "$b", "$x", "$y"], "i64": ["$c", "$z", "$w"], "f64": ["$d"]}
BINARY = {
    "i32": ["add", "sub", "mul", "and", "or", "xor", "shl", "shr_u", "shr_s", "rotl"],
    "i64": ["add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "rotr"],
    "f64": ["add", "mul", "sub", "min"],
}
COMPARE = {"i32": ["eq", "ne", "lt_s", "lt_u", "ge_u"], "i64": ["eq", "lt_u", "gt_s"],
           "f64": ["lt", "eq"]}
# unary: (operand type, instruction, result type)
UNARY = [("i32", "i32.eqz", "i32"), ("i32", "i32.clz", "i32"), ("i32", "i32.popcnt", "i32"),
         ("i32", "i64.extend_i32_s", "i64"), ("i32", "i64.extend_i32_u", "i64"),
         ("i64", "i32.wrap_i64", "i32"), ("i64", "i64.eqz", "i32"),
         ("i32", "f64.convert_i32_s", "f64"), ("f64", "f64.ceil", "f64"),
         ("f64", "f64.neg", "f64"), ("f64", "i32.trunc_sat_f64_s", "i32"),
         ("i64", "i64.extend8_s", "i64")]


def _const(rng: random.Random, t: str) -> str:
    if t == "f64":
        return f"f64.const {rng.choice([0.5, -3.25, 1e9, 7.0, -0.0])}"
    bits = 32 if t == "i32" else 64
    return f"{t}.const {rng.choice([0, 1, 3, -1, 255, 1 << (bits - 1), rng.getrandbits(16)])}"


def _function(rng: random.Random, k: int) -> str:
    lines: list[str] = []
    frames: list[list[str]] = [[]]  # per open block: the types on its part of the stack

    def emit(line: str) -> None:
        lines.append("    " + "  " * (len(frames) - 1) + line)

    for _ in range(OPS_PER_FUNCTION):
        stack = frames[-1]
        top = stack[-1] if stack else None
        choice = rng.random()
        if choice < 0.08:
            # loaded values compared and combined, as memory.wast's "data" does: each
            # comparison waits and reads its load's slot, which the next load writes
            for j in range(rng.randint(2, 4)):
                t = rng.choice(["i32", "i64"])
                emit(f"i32.const {rng.randrange(0, 1024, 4)}")
                emit(f"{t}.load")
                emit(_const(rng, t) if rng.random() < 0.5 else
                     f"local.get {rng.choice(LOCALS[t])}")
                emit(f"{t}.{rng.choice(COMPARE[t])}")
                if j:
                    emit(f"i32.{rng.choice(['and', 'or', 'xor', 'add'])}")
            stack.append("i32")
        elif choice < 0.22 or top is None:
            t = rng.choice(["i32", "i32", "i64", "f64"])
            emit(f"local.get {rng.choice(LOCALS[t])}" if rng.random() < 0.6 else _const(rng, t))
            stack.append(t)
        elif choice < 0.36:  # write a local, often one that a waiting value read
            op = rng.choice(["local.set", "local.tee"])
            emit(f"{op} {rng.choice(LOCALS[top])}")
            if op == "local.set":
                stack.pop()
        elif choice < 0.52 and len(stack) >= 2 and stack[-2] == top:
            stack.pop()
            if rng.random() < 0.75:
                emit(f"{top}.{rng.choice(BINARY[top])}")
            else:
                emit(f"{top}.{rng.choice(COMPARE[top])}")
                stack[-1] = "i32"
        elif choice < 0.62:
            fitting = [u for u in UNARY if u[0] == top]
            if fitting:
                _, op, result = rng.choice(fitting)
                emit(op)
                stack[-1] = result
        elif choice < 0.68 and top == "i32":  # a load at an address made from the value
            t = rng.choice(["i32", "i64"])
            emit("i32.const 1020")
            emit("i32.rem_u")
            emit(f"{t}.load offset={rng.choice([0, 4])}")
            stack[-1] = t
        elif choice < 0.72 and top in ("i32", "i64"):  # a store of the value
            emit(f"local.set {'$x' if top == 'i32' else '$z'}")
            emit(f"i32.const {rng.randrange(0, 1024, 4)}")
            emit(f"local.get {'$x' if top == 'i32' else '$z'}")
            emit(f"{top}.store")
            stack.pop()
        elif choice < 0.76 and top == "i32":
            emit("call $h")
        elif choice < 0.79 and top == "i32":
            emit("global.set $g")
            emit("global.get $g")
        elif choice < 0.82:
            emit("drop")
            stack.pop()
        elif choice < 0.86 and len(stack) >= 3 and stack[-1] == "i32" and stack[-2] == stack[-3]:
            emit("select")
            stack.pop()
            stack.pop()
        elif choice < 0.90 and len(frames) < 4:  # a block or an if: waiting values go first
            if top == "i32" and rng.random() < 0.5:
                emit("if")
                stack.pop()
            else:
                emit("block")
            frames.append([])
        elif choice < 0.94 and len(frames) > 1 and top == "i32":
            emit("br_if 0")
            stack.pop()
        elif len(frames) > 1:
            for _ in stack:
                emit("drop")
            frames.pop()
            emit("end")
    while len(frames) > 1:
        for _ in frames[-1]:
            emit("drop")
        frames.pop()
        emit("end")
    # everything left on the stack, then every local, into one i64
    for t in reversed(frames[0]):
        emit({"i32": "i64.extend_i32_u", "i64": "nop", "f64": "i64.trunc_sat_f64_s"}[t])
        emit("local.get $acc")
        emit("i64.xor")
        emit("i64.const 7")
        emit("i64.rotl")
        emit("local.set $acc")
    for t, names in LOCALS.items():
        for name in names:
            emit(f"local.get {name}")
            emit({"i32": "i64.extend_i32_u", "i64": "nop", "f64": "i64.trunc_sat_f64_s"}[t])
            emit("local.get $acc")
            emit("i64.xor")
            emit("i64.const 9")
            emit("i64.rotl")
            emit("local.set $acc")
    body = "\n".join(lines)
    return f"""
  (func (export "f{k}") (param $a i32) (param $b i32) (param $c i64) (param $d f64) (result i64)
    (local $x i32) (local $y i32) (local $z i64) (local $w i64) (local $acc i64)
{body}
    local.get $acc)"""


def _module(seed: int) -> str:
    rng = random.Random(seed)
    functions = "".join(_function(rng, k) for k in range(FUNCTIONS))
    return f"""(module
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 5))
  (func $h (param i32) (result i32)
    (global.set $g (i32.add (global.get $g) (local.get 0)))
    (i32.store (i32.const 512) (local.get 0))
    (i32.add (i32.mul (local.get 0) (i32.const 3)) (global.get $g))){functions})"""


@pytest.mark.parametrize("seed,opt", [(1, 0), (2, 2), (3, 0), (4, 2)])
def test_random_straight_lines_agree_with_wasmtime(seed: int, opt: int) -> None:
    text = _module(seed)
    ours = wasmc.api.load(text, opt=opt)
    store = wasmtime.Store()
    theirs = wasmtime.Instance(store, wasmtime.Module(store.engine, wasmc.api.read_source(text)),
                               [])
    rng = random.Random(seed * 1000)
    contents = bytes(rng.randrange(256) for _ in range(1100))
    for k in range(FUNCTIONS):
        for _ in range(3):
            args = (rng.getrandbits(32), rng.choice([0, 1, rng.getrandbits(32)]),
                    rng.getrandbits(64), rng.choice([0.0, 2.5, -7.75, 1e12]))
            ours.exports["mem"].write(0, contents)
            theirs.exports(store)["mem"].write(store, contents, 0)
            expected = theirs.exports(store)[f"f{k}"](store, *args)
            assert ours.exports[f"f{k}"](*args) & (2**64 - 1) == expected & (2**64 - 1), (k, args)
            assert ours.exports["mem"].read(0, 1100) == theirs.exports(store)["mem"].read(
                store, 0, 1100), (k, args)

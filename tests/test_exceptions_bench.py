"""The exception-handling benchmark program, exnparse (issue 10): its native C++ build and
both Wasm builds (exnref, and the legacy instructions V8 runs) compiled by wasmc print what
a model of the same computation in Python prints, and the Wasm builds really use the
instructions they are meant to. (`wasmc bench` then checks every engine against native.)"""

from __future__ import annotations

import subprocess

import pytest

from wasmc import api, toolchain
from wasmc.bench.engines import BuildCache, Context, NativeEngine
from wasmc.bench.programs import PROGRAMS

SOURCE = next(p.source for p in PROGRAMS if p.name == "exnparse")
COUNT = 300


class DivZero(Exception):
    def __init__(self, pos: int) -> None:
        self.pos = pos


class SyntaxErr(Exception):
    def __init__(self, pos: int) -> None:
        self.pos = pos


def exnparse_model(count: int) -> str:
    """exnparse.cpp's computation: the same generator, a parser that raises."""
    seed = 42
    M = 0xFFFFFFFF

    def rnd(n: int) -> int:
        nonlocal seed
        seed = (seed * 1103515245 + 12345) & M
        return ((seed >> 16) * n) >> 16

    def gen_expr(depth: int) -> str:
        terms = 1 + rnd(3)
        on_spine = rnd(terms)
        out = ""
        for t in range(terms):
            if t > 0:
                out += "-" if rnd(2) else "+"
            out += gen_term(depth, t == on_spine)
        return out

    def gen_term(depth: int, spine: bool) -> str:
        factors = 1 + rnd(3)
        on_spine = rnd(factors)
        out = ""
        for f in range(factors):
            if f > 0:
                out += "**/%"[rnd(4)]
            out += gen_factor(depth, spine and f == on_spine)
        return out

    def gen_factor(depth: int, spine: bool) -> str:
        if spine and depth > 0:
            guard = rnd(4) == 0
            inner = gen_expr(depth - 1)
            return f"[{inner}]" if guard else f"({inner})"
        if rnd(64) == 0:
            return "?"
        return str(rnd(10))

    ops = {
        "+": lambda a, b, at: (a + b) & M,
        "-": lambda a, b, at: (a - b) & M,
        "*": lambda a, b, at: (a * b) & M,
        "/": lambda a, b, at: a // b if b else _raise(DivZero(at)),
        "%": lambda a, b, at: a % b if b else _raise(DivZero(at)),
    }
    text = ""
    pos = depth = max_depth = guarded = 0

    def char() -> str:
        return text[pos]

    def expect(c: str) -> None:
        nonlocal pos
        if char() != c:
            raise SyntaxErr(pos)
        pos += 1

    def parse_factor() -> int:
        nonlocal pos, depth, max_depth, guarded
        c = char()
        if c.isdigit():
            pos += 1
            return int(c)
        if c == "(":
            depth += 1
            max_depth = max(max_depth, depth)
            try:
                pos += 1
                v = parse_expr()
                expect(")")
                return v
            finally:
                depth -= 1
        if c == "[":
            pos += 1
            start = pos
            try:
                v = parse_expr()
            except DivZero:
                guarded += 1
                pos = closing_bracket(start)
                v = 0
            expect("]")
            return v
        raise SyntaxErr(pos)

    def closing_bracket(i: int) -> int:
        open_ = 0
        while True:
            if text[i] in "([":
                open_ += 1
            elif text[i] in ")]":
                if open_ == 0:
                    return i
                open_ -= 1
            i += 1

    def parse_binary(operand, operators: str) -> int:
        nonlocal pos
        v = operand()
        while char() in operators:
            at = pos
            pos += 1
            r = operand()
            v = ops[text[at]](v, r, at)
        return v

    def parse_term() -> int:
        return parse_binary(parse_factor, "*/%")

    def parse_expr() -> int:
        return parse_binary(parse_term, "+-")

    ok = div_zero = syntax = checksum = 0
    for _ in range(count):
        text = gen_expr(4 + rnd(24)) + "\0"
        pos = 0
        try:
            v = parse_expr()
            if char() != "\0":
                raise SyntaxErr(pos)
            ok += 1
            checksum = (checksum * 31 + v) & M
        except DivZero as e:
            div_zero += 1
            checksum = (checksum * 31 + e.pos) & M
        except SyntaxErr as e:
            syntax += 1
            checksum = (checksum * 31 + e.pos + 7) & M
        assert depth == 0
    return (f"exnparse: {count} expressions: {ok} ok, {div_zero} division by zero, "
            f"{syntax} syntax error; {guarded} guarded, max depth {max_depth}, "
            f"checksum {checksum}\n")


def _raise(exc: Exception) -> int:
    raise exc


@pytest.fixture(scope="module")
def ctx() -> Context:
    return Context(BuildCache(toolchain.cache_dir() / "bench"))


def test_model_throws_enough_to_be_a_test() -> None:
    out = exnparse_model(COUNT)
    counts = [int(w) for w in out.replace(",", " ").replace(";", " ").split() if w.isdigit()]
    _, ok, div_zero, syntax, guarded, max_depth, _ = counts
    assert min(ok, div_zero, syntax, guarded) > 30 and max_depth > 15, out


def test_native_cpp_build(ctx: Context) -> None:
    # GCC's g++: the ziglang clang's C++ build first compiles libc++ (minutes, cold)
    native = NativeEngine("native-gcc", "native GCC", "gcc")
    out = native.run(native.build(SOURCE, ctx), (str(COUNT),), timeout=60).stdout
    assert out == exnparse_model(COUNT)


@pytest.mark.parametrize("legacy", [False, True], ids=["exnref", "legacy"])
def test_wasm_builds_under_wasmc(ctx: Context, legacy: bool, tmp_path, wasm_tools: str
                                 ) -> None:
    wasm = ctx.wasm(SOURCE, legacy_exceptions=legacy)
    text = subprocess.run([wasm_tools, "print", str(wasm)], capture_output=True, text=True,
                          check=True).stdout
    if legacy:
        assert "try_table" not in text and "exnref" not in text
        assert all(op in text for op in ("try", "catch_all", "rethrow", "catch "))
    else:
        assert " try\n" not in text and "rethrow" not in text
        assert all(op in text for op in ("try_table", "catch_all_ref", "throw_ref"))
    assert "call_indirect" in text
    exe = tmp_path / "exnparse"
    api.build_executable(wasm, exe, opt=1)
    out = subprocess.run([str(exe), str(COUNT)], capture_output=True, text=True, check=True)
    assert out.stdout == exnparse_model(COUNT)

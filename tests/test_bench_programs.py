"""The benchmark programs added for issues 13 and 12 (SIMD) compute the right answers: each
one's native build, at a small size, against a model of the same computation in Python.
(`wasmc bench` then checks every engine's output against the native build's.)"""

from __future__ import annotations

import binascii
import json
import platform
import re
import subprocess

import pytest

from wasmc import toolchain
from wasmc.bench.engines import ENGINES, Build, BuildCache, Context
from wasmc.bench.programs import PROGRAMS


@pytest.fixture(scope="module")
def built() -> dict[str, Build]:
    ctx = Context(BuildCache(toolchain.cache_dir() / "bench"))
    native = ENGINES[0]
    # (exnparse, C++, is tested in test_exceptions_bench.py)
    return {p.name: native.build(p.source, ctx) for p in PROGRAMS if not p.source.wat}


def run(built: dict[str, Build], name: str, *args: str) -> str:
    return ENGINES[0].run(built[name], args, timeout=60).stdout


def collatz_length(n: int) -> int:
    steps = 0
    while n != 1:
        n = 3 * n + 1 if n & 1 else n >> 1
        steps += 1
    return steps


def test_stackvm_tail(built: dict[str, Build]) -> None:
    checksum = 0
    for r in range(2):
        c = 0
        for i in range(300 + r, 0, -1):
            c = ((c * 5) ^ collatz_length(i)) & 0xFFFFFFFF
        checksum = (checksum * 31 + c) & 0xFFFFFFFF
    assert run(built, "stackvm-tail", "2", "300").endswith(f"checksum {checksum:08x}\n")


def _lcg_bytes(seed: int, n: int) -> tuple[bytes, int]:
    out = bytearray()
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) & 0xFFFFFFFF
        out.append((seed >> 16) & 0xFF)
    return bytes(out), seed


def test_regvm_tail(built: dict[str, Build]) -> None:
    seed, checksum = 12345, 0
    for _ in range(3):
        data, seed = _lcg_bytes(seed, 700)
        crc = binascii.crc_hqx(data, 0xFFFF)  # CRC-16/CCITT, initial 0xFFFF
        high = sum(b for b in data if b >= 128)
        checksum = ((checksum * 31 + crc) * 31 + high) & 0xFFFFFFFF
    assert run(built, "regvm-tail", "3", "700").endswith(f"checksum {checksum:08x}\n")


def test_forth(built: dict[str, Build]) -> None:
    def fib(n: int) -> int:
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    seed = 1

    def rand() -> int:
        nonlocal seed
        seed = (seed * 1103515245 + 12345) & 0xFFFFFFFF
        return (seed >> 16) & 32767

    def gcd(a: int, b: int) -> int:
        while b:
            a, b = b, a % b
        return a

    sieve = bytearray([1]) * 30000
    primes = 0
    for i in range(2, 30000):
        if sieve[i]:
            primes += 1
            sieve[i * i::i] = bytes(len(range(i * i, 30000, i)))
    x = 0
    for i in range(3):
        x = (x + fib((i & 3) + 20) + primes) & 0xFFFFFFFF
        x ^= sum(gcd(k, rand() + 1) for k in range(1, 3000))
    x = x - (1 << 32) if x >= 1 << 31 else x
    assert run(built, "forth", "3").startswith(f"{x} (")


LEVELS = ["INFO", "DEBUG", "WARN", "ERROR", "INFO", "INFO"]
NAMES = ["ada", "bob", "carol", "dave", "eve", "zed"]
HOSTS = ["example", "mail", "corp", "uni"]
TLDS = ["com", "org", "net", "io"]
STATUS = ["200", "200", "200", "304", "404", "500", "201"]
PATTERNS = [
    "ERROR|WARN",
    "GET /api/v[0-9]+/items/[0-9]*7 ",
    r"^[0-9]+-[0-9]+-[0-9]+ [0-9:]+ \[(INFO|DEBUG)\] user[0-9]*(12|34)",
    r"[a-z]+\.[a-z]+@[a-z]+\.(com|org)",
    " (4|5)[0-9][0-9] [0-9]+ms$",
    "(a|b|c|d)+e?[^ ]*z",
]


def test_regex(built: dict[str, Build]) -> None:
    seed = 42

    def rnd(n: int) -> int:
        nonlocal seed
        seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
        return (seed >> 8) % n

    counts = [0] * len(PATTERNS)
    for _ in range(2000):
        # Python evaluates left to right, as the C program draws its fields.
        line = (f"2026-{rnd(12) + 1:02}-{rnd(28) + 1:02} {rnd(24):02}:{rnd(60):02}:"
                f"{rnd(60):02} [{LEVELS[rnd(6)]}] user{rnd(100000)} ")
        if rnd(4) == 0:
            line += f"mail {NAMES[rnd(6)]}.{NAMES[rnd(6)]}@{HOSTS[rnd(4)]}.{TLDS[rnd(4)]} "
        line += f"GET /api/v{rnd(3) + 1}/items/{rnd(20000)} {STATUS[rnd(7)]} {rnd(5000)}ms"
        for k, pattern in enumerate(PATTERNS):
            counts[k] += re.search(pattern, line) is not None
    expected = "".join(f"{c:6d}  {p}\n" for c, p in zip(counts, PATTERNS, strict=True))
    assert run(built, "regex", "2000") == expected


def _json_document(records: int) -> str:
    """json.c's generated document, by the same generator."""
    seed = 7

    def rnd(n: int) -> int:
        nonlocal seed
        seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
        return (seed >> 8) % n

    parts = ["alpha", "beta", " ", "\\n", '\\"q\\"', "\\u00e9", "gamma", "\\\\", "delta-",
             "x"]

    def string() -> str:
        n = 1 + rnd(6)
        return '"' + "".join(parts[rnd(10)] for _ in range(n)) + '"'

    def record(i: int) -> str:
        text = f'{{"id": {i}, "name": ' + string()
        whole = rnd(200000) - 100000
        text += f', "score": {whole}.{rnd(1000):03}, "tags": ['
        text += ", ".join(string() for _ in range(rnd(5)))
        text += '], "active": ' + ("true" if rnd(2) else "false") + ', "parent": '
        if rnd(3) == 0:
            text += "null"
        else:
            parent = rnd(i + 1)
            exp = rnd(5)
            text += f'{{"ref": {parent}, "weight": {rnd(100)}.5e{exp}}}'
        return text + ', "matrix": [[1, 2, 3], [4, 5, 6], [7, 8, -9.25]]}'

    return ('{"version": 1, "records": [\n' + ",\n".join(record(i) for i in range(records))
            + "\n]}\n")


def test_json(built: dict[str, Build]) -> None:
    text = _json_document(300)
    counts = {"nodes": 0, "true": 0, "null": 0}
    total = 0.0

    def walk(value: object) -> None:  # json.c counts every value and every object member
        nonlocal total
        counts["nodes"] += 1
        if value is True:
            counts["true"] += 1
        elif value is None:
            counts["null"] += 1
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            total += value
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                counts["nodes"] += 1
                walk(v)

    walk(json.loads(text))
    out = run(built, "json", "1", "300")
    assert out.startswith(f"{counts['nodes']} nodes, {counts['true']} true, "
                          f"{counts['null']} null, numbers {total:.3f}, ")
    assert f"; {len(text.encode())} bytes in" in out


def test_self_checking_programs(built: dict[str, Build]) -> None:
    # json and sortsearch also verify their own results (round trip; sorted, stable,
    # found) and exit with status 1 otherwise; run() raises on a non-zero status.
    assert "nodes" in run(built, "json", "2", "300")
    assert "found" in run(built, "sortsearch", "5000")
    assert run(built, "raytrace", "8").startswith("8x8: hash ")


@pytest.mark.parametrize("name,handlers,params",
                         [("stackvm-tail", 15, 6), ("regvm-tail", 23, 9)])
def test_tail_calling_programs_dispatch_with_wasm_tail_calls(
        name: str, handlers: int, params: int, wasm_tools: str) -> None:
    """Every handler but HALT ends in a `return_call_indirect` (through the table that
    init_ops fills), and the handlers take the VM state as `params` i32 parameters, as
    issue 13 asks of these interpreters."""
    source = next(p.source for p in PROGRAMS if p.name == name)
    wasm = Context(BuildCache(toolchain.cache_dir() / "bench")).wasm(source)
    text = subprocess.run([wasm_tools, "print", str(wasm)], capture_output=True, text=True,
                          check=True).stdout
    assert text.count("return_call_indirect") >= handlers
    assert "elem" in text  # the functions are in a table; the dispatch array is data
    assert f"(param {' '.join(['i32'] * params)}) (result i32)" in text


# ---- the SIMD programs of issue 12 -----------------------------------------------------------


def _blur_model(passes: int, size: int) -> str:
    """blur_simd.c's result, computed lane by lane as its scalar path defines it."""
    w, h = size, max(3, size * 3 // 4)
    seed, img = 2024, []
    for _ in range(w * h):
        seed = (seed * 1103515245 + 12345) & 0xFFFFFFFF
        img.append(seed >> 24)

    def f(a: int, b: int, c: int) -> int:
        return (a + 2 * b + c + 2) >> 2

    for _ in range(passes):
        rows = [img[y * w + x] if x in (0, w - 1)
                else f(img[y * w + x - 1], img[y * w + x], img[y * w + x + 1])
                for y in range(h) for x in range(w)]
        img = [rows[y * w + x] if y in (0, h - 1)
               else f(rows[(y - 1) * w + x], rows[y * w + x], rows[(y + 1) * w + x])
               for y in range(h) for x in range(w)]
    fnv = 2166136261
    for p in img:
        fnv = ((fnv ^ p) * 16777619) & 0xFFFFFFFF
    return f"{w}x{h}, {passes} passes: fnv1a {fnv:08x} sum {sum(img)}\n"


def test_blur_simd_native_build_matches_model(built: dict[str, Build]) -> None:
    """The native build (SSE2 on x86-64) against the model. Width 37 runs both the 16-pixel
    vector steps and the scalar tails of rows and columns. (`wasmc bench` checks the
    wasm_simd128.h build against this native output.)"""
    proc = subprocess.run([*built["blur-simd"].command, "3", "37"], capture_output=True,
                          text=True, check=True)
    assert proc.stdout == _blur_model(3, 37)
    if platform.machine() in ("x86_64", "AMD64"):
        assert proc.stderr == "path: sse2\n"  # the intrinsics path, not the scalar loop


@pytest.mark.parametrize("name,instruction", [("blur-simd", "i16x8.extend_low_i8x16_u"),
                                              ("matmul-simd128", "f64x2.mul"),
                                              ("nbody-simd128", "f64x2.mul")])
def test_simd_programs_are_built_with_simd128(name: str, instruction: str,
                                              wasm_tools: str) -> None:
    """The SIMD programs' .wasm has vector code: blur-simd's from its wasm_simd128.h path,
    matmul's and nbody's from clang's auto-vectorizer under -msimd128."""
    source = next(p.source for p in PROGRAMS if p.name == name)
    wasm = Context(BuildCache(toolchain.cache_dir() / "bench")).wasm(source)
    text = subprocess.run([wasm_tools, "print", str(wasm)], capture_output=True, text=True,
                          check=True).stdout
    assert instruction in text

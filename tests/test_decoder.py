"""The binary decoder: the spec testsuite's modules (group A) and hand-built edge cases.

Over every group-A .wast file: each binary module that is not `assert_malformed` must decode
(including the `assert_invalid` modules that use typed function references and tags), and
each `assert_malformed` binary module must raise MalformedError. The scripts are converted
once into pytest's cache directory (keyed by each file's content), never into the repo.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from wasm_bytes import module, name, section, sleb, uleb, vec

from wasmc.binary.decoder import MAX_LOCALS, decode
from wasmc.binary.module import Instr, Limits, Module
from wasmc.binary.reader import (
    Reader,
    read_s32,
    read_s33,
    read_s64,
    read_u32,
    read_u64,
)
from wasmc.errors import MalformedError, UnsupportedError

GROUP = "A:wasm2-nosimd"

# `assert_invalid` modules that use a proposal wasmc does not decode: it rejects them as
# unsupported, which is also a rejection. (file stem, line)
UNSUPPORTED_INVALID: set[tuple[str, int]] = set()


@pytest.fixture(scope="session", autouse=True)
def warm_toolchain() -> Iterator[None]:
    """Overrides conftest's C toolchain warm-up: decoding needs no C compiler."""
    yield


# ---- the spec testsuite ----------------------------------------------------------------


def _group_stems() -> list[str]:
    from wasmc.spec import testsuite

    root = testsuite.testsuite_dir()
    if not (root / "GROUPS.txt").is_file():
        return []
    return testsuite.read_groups(root)[GROUP]


STEMS = _group_stems()


def test_spec_testsuite_is_there() -> None:
    """The decoder tests below run on the testsuite's modules: without it they would be
    an empty parametrization, so its absence fails here."""
    assert STEMS, "spec testsuite not found at ../shared/wasm-testsuite (set WASM_TESTSUITE)"


def _convert(wast: Path, cache: Path) -> tuple[Path, list[dict[str, Any]]]:
    """Convert `wast` with wasm-tools into `cache`, once per content of the file."""
    from wasmc.toolchain import wasm_tools

    digest = hashlib.sha1(wast.read_bytes()).hexdigest()[:16]
    directory = cache / f"{wast.stem}-{digest}"
    if not (directory / "script.json").is_file():
        tmp = Path(tempfile.mkdtemp(dir=cache))
        cmd = [wasm_tools(), "json-from-wast", str(wast), "-o", str(tmp / "script.json")]
        subprocess.run([*cmd, "--wasm-dir", str(tmp)], check=True, capture_output=True)
        try:
            tmp.rename(directory)  # atomic, so parallel sessions never see half a directory
        except OSError:  # another session converted it first
            shutil.rmtree(tmp)
    commands = json.loads((directory / "script.json").read_text(encoding="utf-8"))["commands"]
    return directory, commands


@pytest.fixture(scope="session")
def converted(
    testsuite_dir: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, list[dict[str, Any]]]]:
    """{stem: (directory, commands)} for every group-A file. Conversions are cached in
    pytest's cache directory (else a temporary one) and run in parallel."""
    cache_plugin = getattr(request.config, "cache", None)
    if cache_plugin is not None:
        cache = Path(cache_plugin.mkdir("wasmc-decoder-wast"))
    else:
        cache = tmp_path_factory.mktemp("decoder-wast")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = pool.map(lambda stem: _convert(testsuite_dir / f"{stem}.wast", cache), STEMS)
        return dict(zip(STEMS, results, strict=True))


def _binary_modules(directory: Path, commands: list[dict[str, Any]]) -> Iterator[tuple]:
    for cmd in commands:
        filename = cmd.get("filename", "")
        if filename.endswith(".wasm"):  # text modules (.wat) are the text parser's business
            yield cmd, (directory / filename).read_bytes()


@pytest.mark.parametrize("stem", STEMS)
def test_spec_modules(stem: str, converted: dict[str, Any]) -> None:
    directory, commands = converted[stem]
    problems = []
    for cmd, data in _binary_modules(directory, commands):
        where = f"line {cmd['line']} ({cmd['type']})"
        try:
            decode(data)
            error: Exception | None = None
        except Exception as e:  # noqa: BLE001 - any other exception is a decoder bug
            error = e
        if cmd["type"] == "assert_malformed":
            if not isinstance(error, MalformedError):
                problems.append(f"{where}: expected {cmd['text']!r}, got {error!r}")
        elif (stem, cmd["line"]) in UNSUPPORTED_INVALID:
            if not isinstance(error, UnsupportedError):
                problems.append(f"{where}: expected UnsupportedError, got {error!r}")
        elif error is not None:
            problems.append(f"{where}: {error!r}")
    assert not problems, "\n".join(problems)


def test_spec_module_counts(converted: dict[str, Any]) -> None:
    """Guards against the suite silently shrinking (e.g. a conversion that drops modules)."""
    kinds: dict[str, int] = {}
    for directory, commands in converted.values():
        for cmd, _ in _binary_modules(directory, commands):
            kinds[cmd["type"]] = kinds.get(cmd["type"], 0) + 1
    assert len(converted) == 83
    assert kinds["assert_malformed"] >= 700
    assert kinds["module"] >= 900
    assert kinds["assert_invalid"] >= 1200


# ---- a tiny module builder ---------------------------------------------------------------


def code(body: bytes, locals_: bytes = b"\x00") -> bytes:
    """A code entry; `body` is the instructions including the final end."""
    entry = locals_ + body
    return uleb(len(entry)) + entry


TYPE_VOID = section(1, vec([b"\x60\x00\x00"]))
ONE_FUNC = section(3, vec([b"\x00"]))
MEMORY = section(5, vec([b"\x00\x01"]))


def func_module(body: bytes, *, memory: bool = False, extra: bytes = b"") -> bytes:
    """A module with one function () -> () whose body is `body` (final end included)."""
    return module(
        TYPE_VOID, ONE_FUNC, MEMORY if memory else b"", extra, section(10, vec([code(body)]))
    )


def ops(m: Module, func: int = 0) -> list[tuple[str, Any]]:
    return [(i.op.name, i.imm) for i in m.functions[func].body]


# ---- LEB128 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b"\x00", 0),
        (b"\x7f", 127),
        (b"\x80\x01", 128),
        (b"\x80\x00", 0),  # non-minimal encodings are allowed
        (b"\x80\x80\x80\x80\x00", 0),
        (b"\xff\xff\xff\xff\x0f", 0xFFFFFFFF),
    ],
)
def test_u32(raw: bytes, value: int) -> None:
    assert read_u32(raw, 0, len(raw)) == (value, len(raw))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xff\xff\xff\x1f", "integer too large"),  # bit 32 set
        (b"\x80\x80\x80\x80\x10", "integer too large"),
        (b"\x80\x80\x80\x80\x80\x00", "integer representation too long"),
        (b"\xff\xff\xff\xff\x8f\x00", "integer representation too long"),
        (b"\x80\x80", "unexpected end"),
        (b"", "unexpected end"),
    ],
)
def test_u32_malformed(raw: bytes, message: str) -> None:
    with pytest.raises(MalformedError, match=message):
        read_u32(raw, 0, len(raw))


def test_u32_respects_the_limit() -> None:
    with pytest.raises(MalformedError, match="unexpected end"):
        read_u32(b"\x80\x01", 0, 1)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b"\x00", 0),
        (b"\x7f", -1),
        (b"\x3f", 63),
        (b"\x40", -64),
        (b"\xc0\x00", 64),
        (b"\xff\x7f", -1),  # non-minimal
        (b"\xff\xff\xff\xff\x07", 0x7FFFFFFF),
        (b"\x80\x80\x80\x80\x78", -0x80000000),
        (b"\xff\xff\xff\xff\x7f", -1),
    ],
)
def test_s32(raw: bytes, value: int) -> None:
    assert read_s32(raw, 0, len(raw)) == (value, len(raw))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xff\xff\xff\x0f", "integer too large"),  # sign bit clear, bit 31 set
        (b"\x80\x80\x80\x80\x70", "integer too large"),  # sign bit set, bits above clear
        (b"\xff\xff\xff\xff\x4f", "integer too large"),
        (b"\xff\xff\xff\xff\xff\x7f", "integer representation too long"),
        (b"\xc0", "unexpected end"),
    ],
)
def test_s32_malformed(raw: bytes, message: str) -> None:
    with pytest.raises(MalformedError, match=message):
        read_s32(raw, 0, len(raw))


def test_s33_u64_s64() -> None:
    assert read_s33(b"\xff\xff\xff\xff\x0f", 0, 5) == (0xFFFFFFFF, 5)  # fits in 33 bits
    assert read_s33(b"\x40", 0, 1) == (-64, 1)
    with pytest.raises(MalformedError, match="integer too large"):
        read_s33(b"\xff\xff\xff\xff\x1f", 0, 5)
    top = b"\xff" * 9 + b"\x01"
    assert read_u64(top, 0, 10) == (2**64 - 1, 10)
    with pytest.raises(MalformedError, match="integer too large"):
        read_u64(b"\xff" * 9 + b"\x03", 0, 10)
    with pytest.raises(MalformedError, match="integer representation too long"):
        read_u64(b"\x80" * 10 + b"\x00", 0, 11)
    assert read_s64(b"\x80" * 9 + b"\x7f", 0, 10) == (-(2**63), 10)
    assert read_s64(b"\xff" * 9 + b"\x00", 0, 10) == (2**63 - 1, 10)
    with pytest.raises(MalformedError, match="integer too large"):
        read_s64(b"\xff" * 9 + b"\x01", 0, 10)
    with pytest.raises(MalformedError, match="integer too large"):
        read_s64(b"\x80" * 9 + b"\x7e", 0, 10)


def test_reader_leb_may_not_end_past_the_limit() -> None:
    r = Reader(b"\x80\x01\x00", 0, 1, "unexpected end of section or function")
    with pytest.raises(MalformedError, match="unexpected end of section or function"):
        r.u32()
    # ... but a too-long integer straddling the limit is reported as such.
    r = Reader(b"\x80\x80\x80\x80\x80\x00", 0, 2, "unexpected end of section or function")
    with pytest.raises(MalformedError, match="integer representation too long"):
        r.u32()


def test_reader_names() -> None:
    assert Reader(name("héllo")).name() == "héllo"
    with pytest.raises(MalformedError, match="malformed UTF-8 encoding"):
        Reader(b"\x02\xc0\x80").name()  # overlong NUL
    with pytest.raises(MalformedError, match="malformed UTF-8 encoding"):
        Reader(b"\x03\xed\xa0\x80").name()  # a surrogate
    with pytest.raises(MalformedError, match="length out of bounds"):
        Reader(b"\x05ab").name()


# ---- module structure ----------------------------------------------------------------------

# A small module touching most sections: types, imports, functions, table, memory, globals,
# exports, start, elements, data count, code, data and custom sections.
SMALL = module(
    section(1, vec([b"\x60\x01\x7f\x01\x7f", b"\x60\x00\x00"])),
    section(
        2, vec([name("env") + name("f") + b"\x00\x00", name("env") + name("g") + b"\x03\x7e\x01"])
    ),
    section(3, vec([b"\x00", b"\x01"])),
    section(4, vec([b"\x70\x01\x01\x02"])),
    section(5, vec([b"\x00\x02"])),
    section(6, vec([b"\x7f\x01\x41" + sleb(-5) + b"\x0b"])),
    section(7, vec([name("run") + b"\x00\x01", name("mem") + b"\x02\x00"])),
    section(0, name("note") + b"anything"),
    section(8, uleb(2)),
    section(9, vec([b"\x00\x41\x00\x0b" + vec([b"\x01", b"\x02"])])),
    section(12, uleb(1)),
    section(
        10,
        vec(
            [
                code(b"\x20\x00\x41\x01\x6a\x0b", vec([b"\x01\x7e"])),
                code(b"\x41\x00\x28\x02\x04\x1a\x02\x40\x0c\x00\x0b\xfc\x09\x00\x0b"),
            ]
        ),
    ),
    section(11, vec([b"\x01" + name("hi")])),
)


def test_small_module() -> None:
    m = decode(SMALL)
    assert [str(t) for t in m.types] == ["[i32] -> [i32]", "[] -> []"]
    assert [(i.module, i.name, i.kind) for i in m.imports] == [
        ("env", "f", "func"),
        ("env", "g", "global"),
    ]
    assert m.imports[1].desc.valtype == "i64" and m.imports[1].desc.mutable
    assert [f.type_index for f in m.functions] == [0, 1]
    assert m.tables[0].elem == "funcref" and m.tables[0].limits == Limits(1, 2)
    assert m.memories[0].limits == Limits(2)
    assert m.globals[0].type.mutable
    assert [(i.op.name, i.imm) for i in m.globals[0].init] == [("i32.const", 2**32 - 5)]
    assert [(e.name, e.kind, e.index) for e in m.exports] == [
        ("run", "func", 1),
        ("mem", "memory", 0),
    ]
    assert m.start == 2
    (elem,) = m.elements
    assert (elem.mode, elem.type, elem.table) == ("active", "(ref func)", 0)
    assert [[(i.op.name, i.imm) for i in e] for e in elem.init] == [
        [("ref.func", 1)],
        [("ref.func", 2)],
    ]
    assert m.data_count == 1
    assert m.functions[0].locals == ["i64"]
    assert ops(m, 0) == [("local.get", 0), ("i32.const", 1), ("i32.add", None), ("end", None)]
    assert ops(m, 1) == [
        ("i32.const", 0),
        ("i32.load", (2, 4, 0)),
        ("drop", None),
        ("block", None),
        ("br", 0),
        ("end", None),
        ("data.drop", 0),
        ("end", None),
    ]
    assert [(d.mode, d.init) for d in m.datas] == [("passive", b"hi")]
    assert m.custom_sections == [("note", b"anything")]
    # Offsets point into the input.
    body = m.functions[1].body
    assert SMALL[body[1].offset] == 0x28 and SMALL[body[-2].offset] == 0xFC


def _section_ends(data: bytes) -> set[int]:
    ends, pos = {8}, 8
    while pos < len(data):
        size, start = read_u32(data, pos + 1, len(data))
        pos = start + size
        ends.add(pos)
    return ends


def test_truncation_at_every_offset() -> None:
    """Cut anywhere inside a section, the module is malformed; cut between sections, it may
    still be well-formed (or fail a cross-section count check)."""
    decode(SMALL)
    ends = _section_ends(SMALL)
    for n in range(len(SMALL)):
        if n in ends:
            try:
                decode(SMALL[:n])
            except MalformedError:
                pass
        else:
            with pytest.raises(MalformedError):
                decode(SMALL[:n])


def test_mutations_raise_only_wasmc_errors() -> None:
    """Random byte changes: the decoder may accept, or raise Malformed/Unsupported, but must
    never crash with another exception or hang."""
    rng = random.Random(1234)
    for _ in range(3000):
        data = bytearray(SMALL)
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(8, len(data))] = rng.choice(
                (0x00, 0x01, 0x7F, 0x80, 0xFF, rng.randrange(256))
            )
        try:
            decode(bytes(data))
        except (MalformedError, UnsupportedError):
            pass


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "unexpected end"),
        (b"\x00asm", "unexpected end"),
        (b"\x00asm\x01\x00\x00", "unexpected end"),
        (b"\x00ASM\x01\x00\x00\x00", "magic header not detected"),
        (b"\x00asm\x02\x00\x00\x00", "unknown binary version"),
        (module(b"\x0e\x00"), "malformed section id"),
        (module(b"\x01\x05\x00"), "length out of bounds"),
        (module(section(1, b"\x00\x00")), "section size mismatch"),
        (module(section(1, b"\x00"), section(1, b"\x00")), "unexpected content after last section"),
        (module(section(3, b"\x00"), section(2, b"\x00")), "unexpected content after last section"),
        (module(section(8, b"\x00"), section(8, b"\x00")), "unexpected content after last section"),
        (module(TYPE_VOID, ONE_FUNC), "function and code section have inconsistent lengths"),
        (module(section(12, b"\x01")), "data count and data section have inconsistent lengths"),
        (module(section(2, vec([name("a") + name("b") + b"\x05"]))), "malformed import kind"),
        (module(section(5, vec([b"\x08\x00"]))), "malformed limits flags"),
        (module(section(6, vec([b"\x7f\x02\x41\x00\x0b"]))), "malformed mutability"),
        (module(section(4, vec([b"\x7f\x00\x00"]))), "malformed reference type"),
        (module(section(1, vec([b"\x60\x01\x40\x00"]))), "malformed value type"),
        (module(section(1, vec([b"\x61\x00\x00"]))), "malformed function type"),
        (module(section(7, vec([name("x") + b"\x05\x00"]))), "malformed export kind"),
        (module(section(9, vec([b"\x08"]))), "malformed elements segment kind"),
        (module(section(9, vec([b"\x01\x01\x00"]))), "malformed elements segment kind"),
        (module(section(11, vec([b"\x03"]))), "malformed data segment kind"),
        (module(section(0, b"\x03\xed\xa0\x80")), "malformed UTF-8 encoding"),  # a surrogate
        (module(section(0, b"\x05ab")), "length out of bounds"),
        (module(section(1, uleb(2**32 - 1))), "unexpected end of section or function"),
        (func_module(b"\x41\x00\x1a"), "unexpected end of section or function"),
        (func_module(b"\x0b\x0b"), "section size mismatch"),
        (func_module(b"\xff\x0b"), "illegal opcode ff"),
        (func_module(b"\x27\x0b"), "illegal opcode 27"),
        (func_module(b"\xfc\x12\x0b"), "illegal opcode fc 12"),
        (func_module(b"\x05\x0b"), "END opcode expected"),  # else outside if
        (func_module(b"\x02\x40\x05\x0b\x0b"), "END opcode expected"),  # else in a block
        (func_module(b"\x04\x40\x05\x05\x0b\x0b"), "END opcode expected"),  # two elses
        (func_module(b"\x41\x00\x28\x80\x01\x00\x0b", memory=True), "malformed memop flags"),
        (func_module(b"\xd0\x7f\x0b"), "malformed heap type"),
        (func_module(b"\x02\x80\x7f\x0b"), "malformed value type"),  # negative s33 type
        (
            func_module(b"\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00\x0b", memory=True),
            "data count section required",
        ),
        (func_module(b"\x0e\xff\xff\xff\xff\x0f\x0b"), "unexpected end of section or function"),
        (func_module(b"\x1c\xff\xff\xff\xff\x0f\x0b"), "unexpected end of section or function"),
    ],
)
def test_malformed(data: bytes, message: str) -> None:
    with pytest.raises(MalformedError, match=message):
        decode(data)


def test_too_many_locals() -> None:
    many = uleb(2**31) + b"\x7f"
    data = module(TYPE_VOID, ONE_FUNC, section(10, vec([code(b"\x0b", vec([many, many]))])))
    with pytest.raises(MalformedError, match="too many locals"):
        decode(data)
    # Within the spec's limit but beyond wasmc's: unsupported, and nothing huge is allocated.
    data = module(TYPE_VOID, ONE_FUNC, section(10, vec([code(b"\x0b", vec([many]))])))
    with pytest.raises(UnsupportedError, match="locals"):
        decode(data)
    ok = vec([uleb(MAX_LOCALS - 1) + b"\x7e", b"\x01\x7d"])
    m = decode(module(TYPE_VOID, ONE_FUNC, section(10, vec([code(b"\x0b", ok)]))))
    assert len(m.functions[0].locals) == MAX_LOCALS and m.functions[0].locals[-1] == "f32"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (module(section(1, vec([b"\x60\x01\x63\x6e\x00"]))), "garbage collection"),  # anyref
        (module(section(1, vec([b"\x5f\x00"]))), "garbage collection"),
        # a recursion group of function types is supported, subtyping (`sub`) is not
        (module(section(1, vec([b"\x4e\x01\x50\x00\x60\x00\x00"]))), "garbage collection"),
        (func_module(b"\xfb\x00\x0b"), "garbage collection"),
        (func_module(b"\xd0\x6b\x1a\x0b"), "garbage collection"),  # ref.null struct
    ],
)
def test_unsupported(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedError, match=what):
        decode(data)


def test_threads_encodings() -> None:
    """atomic.fence and its reserved byte; shared limits (flag 0x02, with or without a
    maximum: a missing one is the validator's error); an atomic memarg."""
    body = func_module(b"\xfe\x03\x00\x0b")
    assert [i.op.name for i in decode(body).functions[0].body] == ["atomic.fence", "end"]
    with pytest.raises(MalformedError, match="malformed atomic fence flags"):
        decode(func_module(b"\xfe\x03\x01\x0b"))
    assert decode(module(section(5, vec([b"\x03\x01\x02"])))).memories[0].limits == Limits(
        1, 2, shared=True)
    assert decode(module(section(5, vec([b"\x02\x01"])))).memories[0].limits == Limits(
        1, None, shared=True)
    assert decode(module(section(5, vec([b"\x07\x01\x02"])))).memories[0].limits == Limits(
        1, 2, is64=True, shared=True)
    with pytest.raises(MalformedError, match="malformed limits flags"):
        decode(module(section(5, vec([b"\x08\x01"]))))
    # i32.atomic.rmw.add: 0xFE 0x1E, memarg align 2 offset 8
    ins = decode(func_module(b"\x41\x00\x41\x01\xfe\x1e\x02\x08\x1a\x0b")).functions[0].body[2]
    assert ins.op.name == "i32.atomic.rmw.add" and ins.imm == (2, 8, 0)


def test_malformed_gc_type_is_still_malformed() -> None:
    with pytest.raises(MalformedError, match="malformed mutability"):
        decode(module(section(1, vec([b"\x5e\x78\x02"]))))


def test_instruction_immediates() -> None:
    body = b"".join(
        [
            b"\x02\x7f\x41\x7f\x0b\x1a",  # block (result i32) i32.const -1 end drop
            b"\x03\x40\x0b",  # loop end
            b"\x02" + sleb(0) + b"\x0b",  # block (type 0) end
            b"\x41\x00\x04\x40\x01\x05\x01\x0b",  # if nop else nop end
            b"\x42" + sleb(-(2**63)) + b"\x1a",
            b"\x43" + struct.pack("<f", 1.5) + b"\x1a",
            b"\x44" + struct.pack("<d", -0.0) + b"\x1a",
            b"\x41\x00\x0e\x02\x00\x01\x02",  # br_table 0 1 2 (unreachable after)
            b"\x41\x00\x11\x00\x00",  # call_indirect type 0 table 0
            b"\xd0\x6f\xd0\x70\x41\x00\x1c\x01\x70\x1a",  # select (result funcref)
            b"\x41\x00\x29\x43\x01\x08\x1a",  # i64.load align=3 memidx=1 offset=8
            b"\x3f\x00\x40\x00",  # memory.size memory.grow
            b"\xfc\x0a\x00\x00\xfc\x0b\x00\xfc\x0e\x01\x02\xfc\x0c\x03\x04\xfc\x00",
            b"\xd2\x05\x0b",
        ]
    )
    m = decode(func_module(body, memory=True, extra=section(12, b"\x00")))
    got = ops(m)
    assert got[:5] == [
        ("block", "i32"),
        ("i32.const", 0xFFFFFFFF),
        ("end", None),
        ("drop", None),
        ("loop", None),
    ]
    assert ("block", 0) in got
    assert [x for x in got if x[0] in ("if", "else")] == [("if", None), ("else", None)]
    assert ("i64.const", 2**63) in got
    assert ("f32.const", 0x3FC00000) in got
    assert ("f64.const", 0x8000000000000000) in got
    assert ("br_table", ((0, 1), 2)) in got
    assert ("call_indirect", (0, 0)) in got
    assert ("ref.null", "externref") in got and ("ref.null", "funcref") in got
    assert ("select_t", ("funcref",)) in got
    assert ("i64.load", (3, 8, 1)) in got
    assert ("memory.size", 0) in got and ("memory.grow", 0) in got
    assert ("memory.copy", (0, 0)) in got and ("memory.fill", 0) in got
    assert ("table.copy", (1, 2)) in got and ("table.init", (3, 4)) in got
    assert ("i32.trunc_sat_f32_s", None) in got
    assert got[-2:] == [("ref.func", 5), ("end", None)]
    assert all(isinstance(i, Instr) for i in m.functions[0].body)


def test_element_segment_kinds() -> None:
    offset = b"\x41\x00\x0b"
    funcs = vec([b"\x00", b"\x01"])
    exprs = vec([b"\xd2\x00\x0b", b"\xd0\x70\x0b"])
    segments = [
        b"\x00" + offset + funcs,
        b"\x01\x00" + funcs,
        b"\x02\x01" + offset + b"\x00" + funcs,
        b"\x03\x00" + funcs,
        b"\x04" + offset + exprs,
        b"\x05\x6f" + vec([b"\xd0\x6f\x0b"]),
        b"\x06\x02" + offset + b"\x70" + exprs,
        b"\x07\x70" + exprs,
    ]
    m = decode(module(section(9, vec(segments))))
    got = [(e.mode, e.type, e.table, e.offset_expr is not None, len(e.init)) for e in m.elements]
    # Function indices are never null: their segments have type (ref func) since Wasm 3.0.
    assert got == [
        ("active", "(ref func)", 0, True, 2),
        ("passive", "(ref func)", 0, False, 2),
        ("active", "(ref func)", 1, True, 2),
        ("declarative", "(ref func)", 0, False, 2),
        ("active", "funcref", 0, True, 2),
        ("passive", "externref", 0, False, 1),
        ("active", "funcref", 2, True, 2),
        ("declarative", "funcref", 0, False, 2),
    ]
    assert [(i.op.name, i.imm) for i in m.elements[1].init[1]] == [("ref.func", 1)]
    assert [(i.op.name, i.imm) for i in m.elements[4].init[1]] == [("ref.null", "funcref")]


def test_data_segment_kinds() -> None:
    segments = [
        b"\x00\x41\x08\x0b" + name("ab"),
        b"\x01" + name("c"),
        b"\x02\x01\x41\x00\x0b" + name(""),
    ]
    m = decode(module(section(11, vec(segments))))
    got = [(d.mode, d.memory, d.init, d.offset_expr is not None) for d in m.datas]
    assert got == [
        ("active", 0, b"ab", True),
        ("passive", 0, b"c", False),
        ("active", 1, b"", True),
    ]


def test_huge_counts_fail_fast() -> None:
    """Counts far beyond the input are rejected before any allocation or long loop."""
    huge = uleb(2**32 - 1)
    for sid in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11):
        with pytest.raises(MalformedError):
            decode(module(section(sid, huge)))
    with pytest.raises(MalformedError):
        decode(func_module(b"\x02\x40" * 100_000 + b"\x0b"))  # deep nesting, no end


# ---- the name section ----------------------------------------------------------------------


def _names(*subsections: bytes) -> bytes:
    return section(0, name("name") + b"".join(subsections))


def test_name_section() -> None:
    two_funcs = section(3, vec([b"\x00", b"\x00"]))
    codes = section(10, vec([code(b"\x0b", vec([b"\x02\x7f"])), code(b"\x0b")]))
    names = _names(
        section(0, name("mod")),
        section(1, vec([uleb(0) + name("first"), uleb(1) + name("second")])),
        section(2, vec([uleb(0) + vec([uleb(0) + name("x"), uleb(1) + name("y")])])),
        section(7, b"ignored subsection"),
    )
    m = decode(module(TYPE_VOID, two_funcs, codes, names))
    assert m.module_name == "mod"
    assert m.func_names == {0: "first", 1: "second"}
    assert m.local_names == {0: {0: "x", 1: "y"}}
    assert m.func_name(1) == "second"
    assert m.custom_sections[0][0] == "name"
    # Decoded for a cached library (no bodies), the names are read when first asked for.
    cached = decode(module(TYPE_VOID, two_funcs, codes, names), bodies=False)
    assert cached.func_names == {}
    assert cached.func_name(1) == "second" and cached.func_names == {0: "first", 1: "second"}
    assert cached.module_name == "mod" and cached.local_names == {0: {0: "x", 1: "y"}}


def test_a_cached_module_skips_its_segments() -> None:
    """Decoded for a cached library, a module has no element or data segments (the library
    initializes them), and the data count need not match them; the rest is decoded."""
    from wasmc.compiler import read_source

    data = read_source("""(module (memory 1) (table 2 funcref) (func $f)
      (elem (i32.const 0) $f $f) (data (i32.const 8) "abc") (data "passive")
      (func (export "g") (data.drop 1)))""")
    full, cached = decode(data), decode(data, bodies=False)
    assert len(full.elements) == 1 and len(full.datas) == 2 and full.data_count == 2
    assert cached.elements == [] and cached.datas == [] and cached.data_count == 2
    assert cached.exports == full.exports and cached.memories == full.memories
    assert cached.tables == full.tables and len(cached.functions) == 2


def test_malformed_name_section_is_ignored() -> None:
    good_module_name = section(0, name("mod"))
    for bad in (
        section(1, b"\x05\x00"),  # count beyond the subsection
        section(1, vec([uleb(0) + b"\x02\xc0\x80"])),  # bad UTF-8
        b"\x01\x7f",  # subsection size beyond the section
        b"\x01\x80\x80\x80\x80\x80",  # LEB too long
    ):
        m = decode(
            module(
                TYPE_VOID,
                ONE_FUNC,
                section(10, vec([code(b"\x0b")])),
                _names(good_module_name, bad),
            )
        )
        assert m.module_name == "mod"  # what decoded before the problem is kept
        assert m.func_names == {}
        assert len(m.functions) == 1


def test_memory64_limits() -> None:
    """Limits flags 0x04/0x05 give a 64-bit memory (memory64) with u64 bounds."""
    m = decode(module(section(5, vec([b"\x04\x01", b"\x05\x00\x80\x80\x80\x80\x20"]))))
    assert [(mt.limits.min, mt.limits.max, mt.limits.is64) for mt in m.memories] == [
        (1, None, True), (0, 2**33, True)]
    t = decode(module(section(4, vec([b"\x70\x04\x01"])))).tables[0]  # table64
    assert (t.limits.min, t.limits.is64) == (1, True)

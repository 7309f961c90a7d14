"""Implementation limits (binary/decoder.py, docs/limits.md) and the offsets of limit errors.

A module over a limit is rejected as unsupported when the count is read, before the work it
asks for: the binaries here declare a count just over a limit and, for most, no more bytes
than the count itself needs to be in bounds, so the tests stay cheap. The spec's own errors
(malformed, invalid) still win over the implementation limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from wasm_bytes import name, uleb

from wasmc.binary import decoder
from wasmc.binary.decoder import decode
from wasmc.binary.module import Export, FuncType, Limits, Module
from wasmc.binary.reader import Reader
from wasmc.codegen.module import emit_module
from wasmc.errors import InvalidError, MalformedError, UnsupportedError
from wasmc.validate.validator import validate

# The limits as docs/limits.md documents them, written out here rather than imported from the
# decoder: a changed constant must fail a test, not move the tests along with it.
DOCUMENTED_LIMITS = {
    "MAX_TYPES": 1_000_000,
    "MAX_FUNCTIONS": 1_000_000,
    "MAX_IMPORTS": 1_000_000,
    "MAX_EXPORTS": 1_000_000,
    "MAX_GLOBALS": 1_000_000,
    "MAX_TABLES": 100_000,
    "MAX_MEMORIES": 100,
    "MAX_TAGS": 1_000_000,
    "MAX_ELEMENT_SEGMENTS": 100_000,
    "MAX_DATA_SEGMENTS": 100_000,
    "MAX_FUNCTION_SIZE": 7_654_321,
    "MAX_PARAMS": 1_000,
    "MAX_RESULTS": 1_000,
    "MAX_LOCALS": 50_000,
    "MAX_MODULE_LOCALS": 1_000_000,
    "MAX_MOVES": 1_000_000,
}
MAX_TYPES = DOCUMENTED_LIMITS["MAX_TYPES"]
MAX_FUNCTIONS = DOCUMENTED_LIMITS["MAX_FUNCTIONS"]
MAX_IMPORTS = DOCUMENTED_LIMITS["MAX_IMPORTS"]
MAX_EXPORTS = DOCUMENTED_LIMITS["MAX_EXPORTS"]
MAX_GLOBALS = DOCUMENTED_LIMITS["MAX_GLOBALS"]
MAX_TABLES = DOCUMENTED_LIMITS["MAX_TABLES"]
MAX_MEMORIES = DOCUMENTED_LIMITS["MAX_MEMORIES"]
MAX_TAGS = DOCUMENTED_LIMITS["MAX_TAGS"]
MAX_ELEMENT_SEGMENTS = DOCUMENTED_LIMITS["MAX_ELEMENT_SEGMENTS"]
MAX_DATA_SEGMENTS = DOCUMENTED_LIMITS["MAX_DATA_SEGMENTS"]
MAX_FUNCTION_SIZE = DOCUMENTED_LIMITS["MAX_FUNCTION_SIZE"]
MAX_PARAMS = DOCUMENTED_LIMITS["MAX_PARAMS"]
MAX_RESULTS = DOCUMENTED_LIMITS["MAX_RESULTS"]
MAX_LOCALS = DOCUMENTED_LIMITS["MAX_LOCALS"]
MAX_MODULE_LOCALS = DOCUMENTED_LIMITS["MAX_MODULE_LOCALS"]
MAX_MOVES = DOCUMENTED_LIMITS["MAX_MOVES"]


@pytest.fixture(scope="session", autouse=True)
def warm_toolchain() -> Iterator[None]:
    """Overrides conftest's C toolchain warm-up: nothing here runs a C compiler."""
    yield


def test_decoder_limits_are_the_documented_ones() -> None:
    assert {c: getattr(decoder, c) for c in DOCUMENTED_LIMITS} == DOCUMENTED_LIMITS
    table = (Path(__file__).parents[1] / "docs" / "limits.md").read_text()
    for constant, value in DOCUMENTED_LIMITS.items():
        row = next(line for line in table.splitlines() if f"`{constant}`" in line)
        assert row.split("|")[2].strip().startswith(f"{value:,}"), row


# ---- building binaries, with the offsets of what is in them -----------------------------


def build(*sections: tuple[int, bytes]) -> tuple[bytes, list[int]]:
    """A module of these (id, content) sections, and where each section's content starts."""
    out = bytearray(b"\x00asm\x01\x00\x00\x00")
    starts = []
    for sid, content in sections:
        out += bytes([sid]) + uleb(len(content))
        starts.append(len(out))
        out += content
    return bytes(out), starts


def over(n: int) -> bytes:
    """A vector length of n and n bytes: just enough for the count to be in bounds."""
    return uleb(n) + bytes(n)


def entry(content: bytes) -> bytes:
    """A code entry: its size, then `content` (locals declarations and body)."""
    return uleb(len(content)) + content


TYPE_VOID = (1, b"\x01\x60\x00\x00")  # one type, [] -> []
NO_LOCALS_END = b"\x00\x0b"  # no locals, `end`
IMPORT_FUNC = b"\x00\x00\x00\x00"  # "" "" func type 0
IMPORT_MEMORY = b"\x00\x00\x02\x00\x01"  # "" "" memory (min 1)


# Each case: (data, offset of the count, count, limit, what the message says).
Case = tuple[bytes, int, int, int, str]


def case_types() -> Case:
    data, [start] = build((1, over(MAX_TYPES + 1)))
    return data, start, MAX_TYPES + 1, MAX_TYPES, "types"


def case_functions() -> Case:
    data, [_, start] = build(TYPE_VOID, (3, over(MAX_FUNCTIONS + 1)))
    return data, start, MAX_FUNCTIONS + 1, MAX_FUNCTIONS, "functions, imported and defined"


def case_functions_imported_and_defined() -> Case:
    imports = (2, uleb(2) + IMPORT_FUNC * 2)
    data, [_, _, start] = build(TYPE_VOID, imports, (3, over(MAX_FUNCTIONS - 1)))
    return data, start, MAX_FUNCTIONS + 1, MAX_FUNCTIONS, "functions, imported and defined"


def case_imports() -> Case:
    data, [start] = build((2, over(MAX_IMPORTS + 1)))
    return data, start, MAX_IMPORTS + 1, MAX_IMPORTS, "imports"


def case_imported_memories() -> Case:
    n = MAX_MEMORIES + 1
    data, [start] = build((2, uleb(n) + IMPORT_MEMORY * n))
    at = start + len(uleb(n)) + len(IMPORT_MEMORY) * MAX_MEMORIES  # the import over the limit
    return data, at, n, MAX_MEMORIES, "memories, imported and defined"


def case_memories() -> Case:
    data, [start] = build((5, over(MAX_MEMORIES + 1)))
    return data, start, MAX_MEMORIES + 1, MAX_MEMORIES, "memories, imported and defined"


def case_memories_imported_and_defined() -> Case:
    data, [_, start] = build((2, b"\x01" + IMPORT_MEMORY), (5, over(MAX_MEMORIES)))
    return data, start, MAX_MEMORIES + 1, MAX_MEMORIES, "memories, imported and defined"


def case_tables() -> Case:
    data, [start] = build((4, over(MAX_TABLES + 1)))
    return data, start, MAX_TABLES + 1, MAX_TABLES, "tables, imported and defined"


def case_tags() -> Case:
    data, [_, start] = build(TYPE_VOID, (13, over(MAX_TAGS + 1)))
    return data, start, MAX_TAGS + 1, MAX_TAGS, "tags, imported and defined"


def case_globals() -> Case:
    data, [start] = build((6, over(MAX_GLOBALS + 1)))
    return data, start, MAX_GLOBALS + 1, MAX_GLOBALS, "globals, imported and defined"


def case_exports() -> Case:
    data, [start] = build((7, over(MAX_EXPORTS + 1)))
    return data, start, MAX_EXPORTS + 1, MAX_EXPORTS, "exports"


def case_element_segments() -> Case:
    data, [start] = build((9, over(MAX_ELEMENT_SEGMENTS + 1)))
    return data, start, MAX_ELEMENT_SEGMENTS + 1, MAX_ELEMENT_SEGMENTS, "element segments"


def case_data_segments() -> Case:
    data, [start] = build((11, over(MAX_DATA_SEGMENTS + 1)))
    return data, start, MAX_DATA_SEGMENTS + 1, MAX_DATA_SEGMENTS, "data segments"


def case_params() -> Case:
    data, [start] = build((1, b"\x01\x60" + over(MAX_PARAMS + 1) + b"\x00"))
    return data, start + 2, MAX_PARAMS + 1, MAX_PARAMS, "parameters in a function type"


def case_results() -> Case:
    data, [start] = build((1, b"\x01\x60\x00" + over(MAX_RESULTS + 1)))
    return data, start + 3, MAX_RESULTS + 1, MAX_RESULTS, "results in a function type"


def case_function_size() -> Case:
    size = MAX_FUNCTION_SIZE + 1
    code = b"\x01" + uleb(size) + b"\x00" + b"\x01" * (size - 2) + b"\x0b"  # nops
    data, [_, _, start] = build(TYPE_VOID, (3, b"\x01\x00"), (10, code))
    return data, start + 1, size, MAX_FUNCTION_SIZE, "bytes in a function body"


def case_locals_with_params() -> Case:
    # Two parameters and MAX_LOCALS - 1 declared locals, in two declarations.
    decls = b"\x02" + b"\x01\x7e" + uleb(MAX_LOCALS - 2) + b"\x7f"
    code = b"\x01" + entry(decls + b"\x0b")
    data, [_, _, start] = build((1, b"\x01\x60\x02\x7f\x7f\x00"), (3, b"\x01\x00"), (10, code))
    at = start + 1 + len(uleb(len(decls) + 1)) + 1 + 2  # the second declaration
    return data, at, MAX_LOCALS + 1, MAX_LOCALS, "locals in a function, parameters included"


def case_module_locals() -> Case:
    # Functions of MAX_LOCALS locals each, a few bytes apiece, until they are too many.
    n = MAX_MODULE_LOCALS // MAX_LOCALS + 1
    one = entry(b"\x01" + uleb(MAX_LOCALS) + b"\x7f\x0b")
    code = uleb(n) + one * n
    assert len(code) < MAX_MODULE_LOCALS  # so the limit is MAX_MODULE_LOCALS itself
    data, [_, _, start] = build(TYPE_VOID, (3, uleb(n) + bytes(n)), (10, code))
    at = start + len(uleb(n)) + len(one) * (n - 1)  # the last function's code entry
    return (data, at, n * MAX_LOCALS, MAX_MODULE_LOCALS,
            "locals and parameters in all functions together")


CASES: dict[str, Callable[[], Case]] = {
    f.__name__.removeprefix("case_"): f
    for f in (case_types, case_functions, case_functions_imported_and_defined, case_imports,
              case_imported_memories, case_memories, case_memories_imported_and_defined,
              case_tables, case_tags, case_globals, case_exports, case_element_segments,
              case_data_segments, case_params, case_results, case_function_size,
              case_locals_with_params, case_module_locals)
}


def expected_message(count: int, limit: int, what: str) -> str:
    return f"implementation limit exceeded: more than {limit} {what} ({count} found)"


@pytest.mark.parametrize("case", CASES)
def test_decoder_limit(case: str) -> None:
    data, offset, count, limit, what = CASES[case]()
    with pytest.raises(UnsupportedError) as info:
        decode(data)
    error = info.value
    assert error.message == expected_message(count, limit, what)
    assert error.offset == offset, (hex(error.offset or 0), hex(offset))
    assert str(error).startswith("unsupported: implementation limit exceeded")
    assert f"at byte offset {offset:#x}" in str(error)


def test_limits_are_checked_before_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """A count over its limit stops the decoder right where it was read."""
    calls = 0
    real = decoder._Decoder.func_type

    def counting(self: decoder._Decoder, r: Reader) -> FuncType:
        nonlocal calls
        calls += 1
        return real(self, r)

    monkeypatch.setattr(decoder._Decoder, "func_type", counting)
    with pytest.raises(UnsupportedError):
        decode(case_types()[0])
    assert calls == 0


# ---- the spec's errors come first -------------------------------------------------------


def test_count_beyond_the_section_is_still_malformed() -> None:
    data, _ = build(TYPE_VOID, (3, uleb(2 * MAX_FUNCTIONS) + bytes(10)))
    with pytest.raises(MalformedError, match="unexpected end"):
        decode(data)


def test_malformed_import_before_the_limit() -> None:
    n = MAX_MEMORIES + 1
    data, _ = build((2, uleb(n) + IMPORT_MEMORY * (n - 1) + b"\x00\x00\x02\x08\x01"))
    with pytest.raises(MalformedError, match="limits flags"):
        decode(data)


def test_spec_limit_on_locals_is_still_malformed() -> None:
    many = uleb(2**31) + b"\x7f"
    code = b"\x01" + entry(b"\x02" + many + many + b"\x0b")
    data, _ = build(TYPE_VOID, (3, b"\x01\x00"), (10, code))
    with pytest.raises(MalformedError, match="too many locals"):
        decode(data)


# ---- at the limits ----------------------------------------------------------------------


def test_at_the_limits() -> None:
    type_ = b"\x60" + uleb(MAX_PARAMS) + b"\x7f" * MAX_PARAMS
    type_ += uleb(MAX_RESULTS) + b"\x7e" * MAX_RESULTS
    decls = b"\x01" + uleb(MAX_LOCALS - MAX_PARAMS) + b"\x7d"
    code = b"\x01" + entry(decls + b"\x00\x0b")  # unreachable end
    memories = (2, uleb(MAX_MEMORIES) + IMPORT_MEMORY * MAX_MEMORIES)
    data, _ = build((1, b"\x01" + type_), memories, (3, b"\x01\x00"), (10, code))
    m = decode(data)
    assert len(m.types[0].params) == MAX_PARAMS and len(m.types[0].results) == MAX_RESULTS
    assert len(m.functions[0].locals) == MAX_LOCALS - MAX_PARAMS
    assert len(m.imports) == MAX_MEMORIES
    validate(m)


def test_module_locals_grow_with_the_code_section() -> None:
    """Beyond MAX_MODULE_LOCALS, a function may have one local per byte of code."""
    n = MAX_MODULE_LOCALS // MAX_LOCALS + 1
    body = b"\x44" + bytes(8) + b"\x1a"  # f64.const 0 drop: ten bytes, two instructions
    body = body * (MAX_LOCALS // len(body)) + b"\x0b"  # as many bytes as locals
    code = uleb(n) + entry(b"\x01" + uleb(MAX_LOCALS) + b"\x7f" + body) * n
    data, _ = build(TYPE_VOID, (3, uleb(n) + bytes(n)), (10, code))
    m = decode(data)
    assert sum(len(f.locals) for f in m.functions) == n * MAX_LOCALS > MAX_MODULE_LOCALS


def test_realistic_module() -> None:
    """20,000 exported functions that call each other decode, validate and become C, in
    time linear in their number (looking up a function's name or type used to scan every
    export or import)."""
    n = 20_000
    imports = (2, uleb(n) + IMPORT_FUNC * n)
    body = b"\x00" + b"\x10\x00" + b"\x10" + uleb(n) + b"\x0b"  # call an import, a function
    code = uleb(n) + entry(body) * n
    exports = uleb(n) + b"".join(name(f"f{i}") + b"\x00" + uleb(n + i) for i in range(n))
    elems = b"\x01\x05\x70" + uleb(2 * n) + b"".join(
        b"\xd2" + uleb(i) + b"\x0b" for i in range(2 * n))  # passive, ref.func of each
    data, _ = build(TYPE_VOID, imports, (3, uleb(n) + bytes(n)), (7, exports), (9, elems),
                    (10, code))
    m = decode(data)
    assert len(m.functions) == n and m.func_name(2 * n - 1) == f"f{n - 1}"
    info = validate(m)
    assert len(info.funcs) == n
    assert "f19999" in emit_module(m, info, "w")


# ---- the validator's limit on operand-stack traffic ---------------------------------------


def moves_module(body: bytes, type_: bytes) -> tuple[bytes, int]:
    """A module of one function of type 0 (`type_`), and the offset where `body` starts."""
    code = b"\x01" + entry(b"\x00" + body)
    data, [_, _, start] = build((1, b"\x01" + type_), (3, b"\x01\x00"), (10, code))
    return data, start + 1 + len(uleb(len(body) + 1)) + 1


def test_moves_of_calls() -> None:
    """A two-byte call of a function with 1,000 parameters and results moves 2,000 values."""
    p = 1000
    type_ = b"\x60" + uleb(p) + b"\x7f" * p + uleb(p) + b"\x7f" * p
    calls = MAX_MOVES // (2 * p)  # the one that goes over
    body = b"\x41\x00" * p + b"\x10\x00" * calls + b"\x0f\x0b"
    data, start = moves_module(body, type_)
    with pytest.raises(UnsupportedError) as info:
        validate(decode(data))
    error = info.value
    moved = p + calls * 2 * p
    assert error.message == expected_message(
        moved, MAX_MOVES, "values popped and pushed by the module's instructions")
    assert error.offset == start + 2 * p + 2 * (calls - 1)
    assert error.func == "func 0 (func[0])"
    # A few calls fewer are fine (`return` and the final `end` move 3,000 values).
    body = b"\x41\x00" * p + b"\x10\x00" * (calls - 2) + b"\x0f\x0b"
    validate(decode(moves_module(body, type_)[0]))


def test_moves_of_br_table() -> None:
    """Each target of a br_table is checked (and becomes C) on its own: charged up front."""
    p = 1000
    type_ = b"\x60\x00" + uleb(p) + b"\x7f" * p
    labels = MAX_MOVES // (2 * p) + 1  # their values alone are over the limit
    br_table = b"\x0e" + uleb(labels) + bytes(labels) + b"\x00"
    body = b"\x02\x00" + b"\x41\x00" * p + b"\x41\x00" + br_table + b"\x0b\x0f\x0b"
    data, start = moves_module(body, type_)
    with pytest.raises(UnsupportedError, match="values popped and pushed") as info:
        validate(decode(data))
    assert info.value.offset == start + 2 + 2 * p + 2
    # Targets just within the limit, with the rest of the function over it: reported once
    # the function is done.
    labels -= 1
    br_table = b"\x0e" + uleb(labels) + bytes(labels) + b"\x00"
    body = b"\x02\x00" + b"\x41\x00" * p + b"\x41\x00" + br_table + b"\x0b\x0f\x0b"
    with pytest.raises(UnsupportedError, match="values popped and pushed"):
        validate(decode(moves_module(body, type_)[0]))


# ---- where the validator's limit errors point -------------------------------------------


def test_memory_size_error_points_at_the_limits() -> None:
    data, [start] = build((5, b"\x02\x00\x01\x00" + uleb(65537)))
    with pytest.raises(InvalidError, match="memory size must be at most 65536") as info:
        validate(decode(data))
    assert info.value.offset == start + 3  # the second memory's flags


def test_imported_memory_size_error_points_at_the_limits() -> None:
    data, [start] = build((2, b"\x01" + name("m") + name("mem") + b"\x02\x01\x00" + uleb(65537)))
    with pytest.raises(InvalidError, match="memory size must be at most 65536") as info:
        validate(decode(data))
    assert info.value.offset == start + 1 + 2 + 4 + 1


def test_table_limits_error_points_at_the_limits() -> None:
    imported = b"\x01" + name("m") + name("t") + b"\x01\x70\x01\x02\x01"
    data, [start] = build((2, imported))
    with pytest.raises(InvalidError, match="minimum must not be greater") as info:
        validate(decode(data))
    assert info.value.offset == start + 1 + 2 + 2 + 1 + 1
    data, [start] = build((4, b"\x02\x70\x00\x01\x70\x01\x05\x04"))
    with pytest.raises(InvalidError, match="minimum must not be greater") as info:
        validate(decode(data))
    assert info.value.offset == start + 5


def test_start_function_error_points_at_the_index() -> None:
    data, [_, _, start, _] = build((1, b"\x01\x60\x01\x7f\x00"), (3, b"\x01\x00"), (8, b"\x00"),
                                   (10, b"\x01\x02\x00\x0b"))
    with pytest.raises(InvalidError, match="start function") as info:
        validate(decode(data))
    assert info.value.offset == start
    data, [start] = build((8, b"\x07"))
    with pytest.raises(InvalidError, match="unknown function") as info:
        validate(decode(data))
    assert info.value.offset == start


def test_type_error_points_at_the_type() -> None:
    data, [start] = build((1, b"\x02\x60\x00\x00\x60\x01\x63\x07\x00"))  # (ref null 7)
    with pytest.raises(InvalidError, match="unknown type") as info:
        validate(decode(data))
    assert info.value.offset == start + 4


def test_limits_keep_their_value_semantics() -> None:
    """The offsets the decoder records do not change what equal types are."""
    assert Limits(1, 2, offset=9) == Limits(1, 2)
    assert FuncType(("i32",), (), 12) == FuncType(("i32",), ())
    assert hash(FuncType(("i32",), (), 12)) == hash(FuncType(("i32",), ()))


def test_func_name_follows_new_exports() -> None:
    m = Module()
    assert m.func_name(0) == "func[0]"
    m.exports.append(Export("first", "func", 0))
    m.exports.append(Export("second", "func", 0))
    assert m.func_name(0) == "first"
    m.func_names[0] = "named"
    assert m.func_name(0) == "named"

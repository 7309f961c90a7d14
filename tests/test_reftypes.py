"""Typed function references and tags: decoding, validation, C emission, linking.

Small text modules are converted with wasm-tools; validation cases need no C compiler, and
the modules that run are few and built at -O0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmc import api
from wasmc.binary.decoder import decode
from wasmc.binary.module import FuncType, canonical_types, val_matches
from wasmc.errors import InvalidError, Trap
from wasmc.validate.validator import validate


def wasm(tmp_path: Path, text: str, name: str = "m") -> bytes:
    path = tmp_path / f"{name}.wat"
    path.write_text(text)
    return api.read_source(path)


# ---- types ----------------------------------------------------------------------------


def test_subtyping() -> None:
    assert val_matches("(ref #a)", "(ref null #a)")
    assert val_matches("(ref null #a)", "funcref")
    assert val_matches("(ref #a)", "(ref func)")
    assert val_matches("(ref func)", "funcref")
    assert val_matches("(ref null nofunc)", "(ref null #a)")
    assert val_matches("(ref extern)", "externref")
    assert val_matches(None, "(ref #a)")  # the bottom type of dead code
    assert not val_matches("(ref null #a)", "(ref #a)")
    assert not val_matches("funcref", "(ref null #a)")
    assert not val_matches("(ref #a)", "(ref #b)")
    assert not val_matches("externref", "funcref")
    assert not val_matches("i32", "funcref")


def test_canonical_types_are_structural() -> None:
    # $a and $b are equal; $r refers to itself; $s refers to $b, $t to $a: $s == $t.
    types = [
        FuncType((), ()),
        FuncType((), ()),
        FuncType(("(ref null 2)",), ()),
        FuncType(("(ref 1)",), ("i32",)),
        FuncType(("(ref 0)",), ("i32",)),
    ]
    canon, names = canonical_types(types)
    assert names[0] == names[1] and names[3] == names[4] and len(set(names)) == 3
    assert canon[2].params == (f"(ref null {names[2]})",)
    assert canon[3] == canon[4] and canon[3].params == (f"(ref {names[0]})",)
    with pytest.raises(InvalidError, match="unknown type"):
        canonical_types([FuncType(("(ref 1)",), ()), FuncType((), ())])  # a forward reference


def test_decode_typed_references_and_tags(tmp_path: Path) -> None:
    m = decode(wasm(tmp_path, """(module
      (type $t (func (param i32) (result i32)))
      (import "m" "tag" (tag (param i64)))
      (table 2 (ref null $t))
      (table 1 (ref func) (ref.func $f))
      (tag $e (export "e") (param i32))
      (global (ref null extern) (ref.null extern))
      (func $f (type $t) (local (ref null $t)) (local.get 0))
      (func (param (ref null $t)) (result i32)
        (drop (ref.as_non_null (local.get 0)))
        (block (br_on_null 0 (local.get 0)) (drop))
        (call_ref $t (i32.const 1)
          (block (result (ref $t)) (br_on_non_null 0 (local.get 0)) (unreachable)))))"""))
    assert m.tables[0].elem == "(ref null 0)" and m.table_inits[0] is None
    assert m.tables[1].elem == "(ref func)"
    assert [i.op.name for i in m.table_inits[1]] == ["ref.func"]
    assert [(i.kind, i.desc) for i in m.imports] == [("tag", 1)]
    assert [t.type_index for t in m.tags] == [2] and m.all_tags() == [1, 2]
    assert [(e.name, e.kind, e.index) for e in m.exports] == [("e", "tag", 1)]
    assert m.globals[0].type.valtype == "externref"
    assert m.functions[0].locals == ["(ref null 0)"]
    names = [i.op.name for i in m.functions[1].body]
    for op in ("ref.as_non_null", "br_on_non_null", "call_ref", "br_on_null"):
        assert op in names
    call_ref = next(i for i in m.functions[1].body if i.op.name == "call_ref")
    assert call_ref.imm == 0
    validate(m)


# ---- validation -----------------------------------------------------------------------

VALID = {
    "equal-types": """(module (type $a (func)) (type $b (func))
        (func (param (ref $a)) (result (ref null $b)) (local.get 0)))""",
    "recursive-type": """(module (type $r (func (param (ref null $r))))
        (func (type $r) (call_ref $r (local.get 0) (local.get 0))))""",
    "ref.func-is-typed": """(module (type $t (func)) (func $f (type $t))
        (elem declare func $f)
        (func (result (ref $t)) (ref.func $f)))""",
    "local-set-then-get": """(module (type $t (func)) (func $f) (elem declare func $f)
        (func (local $x (ref $t)) (local.set $x (ref.func $f))
          (block (drop (local.get $x)))))""",
    "select-typed": """(module (func (param (ref extern) externref) (result externref)
        (select (result externref) (local.get 0) (local.get 1) (i32.const 1))))""",
    "dead-code-bottom": """(module (func (result (ref func)) (unreachable) (ref.as_non_null))
        (func (result (ref extern)) (block (result externref) (unreachable) (br_on_null 0)
          (return)) (unreachable)))""",
    "table-init-global": """(module (type $t (func))
        (global $g (import "m" "g") (ref $t)) (func $f (type $t))
        (table 3 (ref $t) (global.get $g))
        (elem (table 0) (i32.const 0) (ref $t) (ref.func $f)))""",
    "tags": """(module (import "m" "t" (tag (param i32))) (tag (export "t") (param f64))
        (func (export "f")))""",
}

INVALID = {
    "uninitialized-local": ("""(module (type $t (func))
        (func (local $x (ref $t)) (drop (local.get $x))))""", "uninitialized local"),
    "init-ends-with-block": ("""(module (func (param $p (ref extern)) (local $x (ref extern))
        (block (local.set $x (local.get $p))) (drop (local.get $x))))""",
                             "uninitialized local"),
    "nullable-for-non-null": ("""(module (type $t (func))
        (func $g (param (ref $t))) (func (param (ref null $t)) (call $g (local.get 0))))""",
                              "type mismatch"),
    "funcref-to-call_ref": ("""(module (type $t (func))
        (func (param funcref) (call_ref $t (local.get 0))))""", "type mismatch"),
    "different-types": ("""(module (type $a (func)) (type $b (func (param i32)))
        (func (param (ref $a)) (result (ref $b)) (local.get 0)))""", "type mismatch"),
    "br_if-pushes-label-type": ("""(module (type $t (func))
        (func $f (param (ref null $t)))
        (func (result funcref) (block (result funcref)
          (ref.null $t) (i32.const 0) (br_if 0) (call $f) (ref.null func))))""",
                                "type mismatch"),
    "untyped-select-of-refs": ("""(module (func (param funcref)
        (drop (select (local.get 0) (local.get 0) (i32.const 1)))))""", "type mismatch"),
    "forward-type-reference": ("""(module (type (func (param (ref 1)))) (type (func)))""",
                               "unknown type"),
    "unknown-type-in-local": ("""(module (func (local (ref null 7))))""", "unknown type"),
    "non-null-table-without-init": ("""(module (table 1 (ref func)))""", "type mismatch"),
    "table-init-type": ("""(module (table 1 (ref func) (ref.null func)))""", "type mismatch"),
    "tag-with-results": ("""(module (type (func (result i32))) (tag (type 0)))""",
                         "non-empty tag result type"),
    "duplicate-export-tag": ("""(module (tag (export "x")) (func (export "x")))""",
                             "duplicate export name"),
    "br_on_non_null-needs-ref-label": ("""(module (func (param funcref)
        (block (br_on_non_null 0 (local.get 0)))))""", "type mismatch"),
}


@pytest.mark.parametrize("name", VALID)
def test_valid(tmp_path: Path, name: str) -> None:
    validate(decode(wasm(tmp_path, VALID[name])))


@pytest.mark.parametrize("name", INVALID)
def test_invalid(tmp_path: Path, name: str) -> None:
    text, message = INVALID[name]
    with pytest.raises(InvalidError, match=message):
        validate(decode(wasm(tmp_path, text)))


# ---- running ----------------------------------------------------------------------------

PROGRAM = """(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func))
  (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))
  (func $neg (type $ii) (i32.sub (i32.const 0) (local.get 0)))
  (elem declare func $sq $neg)
  (global $sq (ref $ii) (ref.func $sq))
  (table $tab 2 (ref $ii) (ref.func $neg))
  (elem (table $tab) (i32.const 1) (ref $ii) (ref.func $sq))

  (func $pick (param $which i32) (result (ref null $ii))
    (if (result (ref null $ii)) (local.get $which)
      (then (global.get $sq)) (else (ref.null $ii))))
  (func (export "call_ref") (param $which i32) (param $x i32) (result i32)
    (call_ref $ii (local.get $x) (call $pick (local.get $which))))
  (func (export "as_non_null") (param $which i32) (result i32)
    (call_ref $ii (i32.const 3) (ref.as_non_null (call $pick (local.get $which)))))
  (func (export "br_on_null") (param $which i32) (param $x i32) (result i32)
    (block $null (result i32)
      (return (call_ref $ii (br_on_null $null (local.get $x) (call $pick (local.get $which)))))
    )
    (i32.const -1) (i32.add))
  (func (export "br_on_non_null") (param $which i32) (result i32)
    (block $some (result i32 (ref $ii))
      (br_on_non_null $some (i32.const 5) (call $pick (local.get $which)))
      (drop)
      (return (i32.const -1)))
    (call_ref $ii))
  (func (export "local_init") (param $x i32) (result i32)
    (local $f (ref $ii))
    (local.set $f (table.get $tab (i32.const 0)))
    (call_ref $ii (local.get $x) (local.get $f)))
  (func (export "indirect") (param $i i32) (param $x i32) (result i32)
    (call_indirect $tab (type $ii) (local.get $x) (local.get $i)))
  (func (export "typed_select") (param $c i32) (result i32)
    (call_ref $ii (i32.const 4)
      (select (result (ref $ii)) (global.get $sq) (table.get $tab (i32.const 0))
        (local.get $c))))
  (tag (export "tag") (param i32))
)"""


@pytest.fixture(scope="module", params=[None, "gcc"], ids=["clang", "gcc"])
def program(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> api.Instance:
    path = tmp_path_factory.mktemp("reftypes") / "program.wat"
    path.write_text(PROGRAM)
    return api.load(path, cc=request.param, opt=0)


def test_call_ref(program: api.Instance) -> None:
    call_ref = program.exports["call_ref"]
    assert call_ref(1, 7) == 49
    with pytest.raises(Trap, match="null function reference"):
        call_ref(0, 7)


def test_ref_as_non_null(program: api.Instance) -> None:
    assert program.exports["as_non_null"](1) == 9
    with pytest.raises(Trap, match="null reference"):
        program.exports["as_non_null"](0)


def test_br_on_null(program: api.Instance) -> None:
    assert program.exports["br_on_null"](1, 6) == 36
    assert program.exports["br_on_null"](0, 6) == 5  # the label got 6 and the block adds -1


def test_br_on_non_null(program: api.Instance) -> None:
    assert program.exports["br_on_non_null"](1) == 25
    assert program.exports["br_on_non_null"](0) == -1


def test_tables_globals_and_locals(program: api.Instance) -> None:
    assert program.exports["local_init"](4) == -4  # element 0 from the table initializer
    assert program.exports["indirect"](0, 3) == -3
    assert program.exports["indirect"](1, 3) == 9  # the active segment over the initializer
    assert program.exports["typed_select"](1) == 16
    assert program.exports["typed_select"](0) == -4
    assert program.exports["tag"].type == FuncType(("i32",), ())


def test_linking_uses_canonical_types(tmp_path: Path) -> None:
    # The two modules index their types differently; equal types must still link, and
    # call_indirect across them must see equal type ids.
    exporter = wasm(tmp_path, """(module
      (type $v (func))
      (type $t (func (param (ref $v)) (result i32)))
      (func $nop (type $v))
      (func $f (export "f") (type $t) (i32.const 42))
      (global (export "g") (ref $t) (ref.func $f))
      (tag (export "tag") (param (ref null $v)))
      (table (export "tab") 1 funcref (ref.func $f))
      (elem declare func $nop))""", "exporter")
    importer = wasm(tmp_path, """(module
      (type $pad (func (param i64)))
      (type $v (func))
      (type $t (func (param (ref $v)) (result i32)))
      (import "x" "f" (func $f (type $t)))
      (import "x" "g" (global $g (ref null $t)))
      (import "x" "tag" (tag (param (ref null $v))))
      (import "x" "tab" (table 1 funcref))
      (func $nop (type $v))
      (elem declare func $nop)
      (func (export "run") (result i32)
        (i32.add
          (call_ref $t (ref.func $nop) (global.get $g))
          (call_indirect (type $t) (ref.func $nop) (i32.const 0)))))""", "importer")
    wrong = wasm(tmp_path, """(module (type $v (func (param i32)))
      (import "x" "tag" (tag (param (ref null $v)))))""", "wrong")
    a, b, c = api.compile_modules([exporter, importer, wrong], opt=0)
    assert isinstance(a, api.CompiledModule) and isinstance(b, api.CompiledModule)
    assert isinstance(c, api.CompiledModule)
    exports = a.instantiate().exports
    assert b.instantiate({"x": exports}).exports["run"]() == 84
    with pytest.raises(api.LinkError):
        c.instantiate({"x": exports})

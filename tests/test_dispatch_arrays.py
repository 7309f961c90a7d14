"""Static dispatch arrays for call_indirect (codegen/module.py, find_dispatch_arrays): one
per signature called through a table whose contents are known, up to MAX_DISPATCH_ENTRIES
entries in all, the signatures with the most call sites first; the other signatures' calls
take the general path through the table. Either way calls, type mismatches and indices out
of range behave as the spec says."""

from __future__ import annotations

import re

import pytest

import wasmc
import wasmc.api
from wasmc.codegen import module as codegen_module
from wasmc.errors import Trap

# A table of 4 functions, called with signature $a at three places, $b at two, $c at one.
MODULE = """(module
  (type $a (func (param i32) (result i32)))
  (type $b (func (param i32 i32) (result i32)))
  (type $c (func (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $inc $add $seven $dbl)
  (func $inc (type $a) (i32.add (local.get 0) (i32.const 1)))
  (func $add (type $b) (i32.add (local.get 0) (local.get 1)))
  (func $seven (type $c) (i32.const 7))
  (func $dbl (type $a) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "a") (param i32 i32) (result i32)
    (call_indirect (type $a) (local.get 0) (local.get 1)))
  (func (export "a_twice") (param i32 i32) (result i32)
    (call_indirect (type $a)
      (call_indirect (type $a) (local.get 0) (local.get 1)) (local.get 1)))
  (func (export "b") (param i32 i32 i32) (result i32)
    (call_indirect (type $b) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "b_plus") (param i32 i32 i32) (result i32)
    (i32.add (i32.const 100)
      (call_indirect (type $b) (local.get 0) (local.get 1) (local.get 2))))
  (func (export "c") (param i32) (result i32)
    (call_indirect (type $c) (local.get 0))))"""


def _arrays_and_general_calls(c_code: str) -> tuple[set[str], int]:
    arrays = set(re.findall(r"\bdispatch0_(\w+)\[", c_code))
    return arrays, c_code.count("wasmc_indirect(inst->tab0")


@pytest.mark.parametrize("limit, arrays, general", [
    (None, 3, 0),  # the default: every signature has its array
    (8, 2, 1),  # room for two arrays of 4: $a and $b (most call sites); $c's call is general
    (4, 1, 3),  # room for one: $a's; $b's two calls and $c's are general
    (3, 0, 6),  # none fits
])
def test_the_limit_keeps_the_most_called_signatures(monkeypatch, limit, arrays, general):
    if limit is not None:
        monkeypatch.setattr(codegen_module, "MAX_DISPATCH_ENTRIES", limit)
    _module, c = wasmc.api.translate(wasmc.api.read_source(MODULE))
    found, calls = _arrays_and_general_calls(c)
    assert (len(found), calls) == (arrays, general), (found, calls)
    if arrays:
        assert any(name.startswith("i_i") for name in found)  # $a's, the most called

    instance = wasmc.load(MODULE, opt=0)
    ex = instance.exports
    assert ex.a(5, 0) == 6 and ex.a(5, 3) == 10 and ex.a_twice(5, 3) == 20
    assert ex.b(2, 3, 1) == 5 and ex.b_plus(2, 3, 1) == 105 and ex.c(2) == 7
    for call, message in ((lambda: ex.a(5, 1), "indirect call type mismatch"),
                          (lambda: ex.b(1, 2, 0), "indirect call type mismatch"),
                          (lambda: ex.c(3), "indirect call type mismatch"),
                          (lambda: ex.c(4), "undefined element"),
                          (lambda: ex.b(1, 2, -1), "undefined element")):
        with pytest.raises(Trap, match=message):
            call()

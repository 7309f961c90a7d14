"""Data segments in numbers: Go's Wasm modules carry tens of thousands of small active data
segments (pii-shield-wasi: 53,027 in a 6 MB module). Each used to be a statement in
P_instantiate and a call in P_initialize, a function that clang took minutes over at -O2;
now the bytes are one array and runs of segments with constant offsets are a table and a
loop (codegen/module.py, `active_data_init`). Memory after instantiation must be what
Wasmtime makes of the same module, also when a segment is out of bounds part-way."""

from __future__ import annotations

import pytest
import wasmtime

from wasmc import api
from wasmc.errors import Trap

N_SEGMENTS = 3000


def module_wat(out_of_bounds_at: int | None = None) -> str:
    """Two memories (the first imported, so that what instantiation wrote before a trap
    shows); mostly 1-3 byte segments at constant offsets (some overlapping, some
    empty), a few whose offset reads a global, in the middle a segment into the second
    memory, and a passive one for memory.init. `out_of_bounds_at`: that segment's offset
    lies past the end of memory 0, so instantiation traps there."""
    parts = ['(module',
             '(import "env" "m0" (memory $m0 1))',
             '(global $base i32 (i32.const 60000))',
             '(memory $m1 (export "m1") 1)']
    for k in range(N_SEGMENTS):
        data = "".join(f"\\{(k * 7 + j) % 256:02x}" for j in range(k % 4))  # 0-3 bytes
        if k == out_of_bounds_at:
            offset = "(i32.const 65535)" if data else "(i32.const 65537)"
        elif k % 500 == 250:
            offset = f"(i32.add (global.get $base) (i32.const {k}))"
        else:
            offset = f"(i32.const {k * 13 % 50000})"
        memory = "$m1" if k == N_SEGMENTS // 2 else "$m0"
        parts.append(f'(data (memory {memory}) {offset} "{data}")')
    parts += ['(data $p "passive bytes")',
              '(func (export "init") (param i32 i32 i32)',
              '  (memory.init $m0 $p (local.get 0) (local.get 1) (local.get 2)))',
              '(func (export "drop") (data.drop $p))',
              # segment 1 (1 byte) is active: dropped once instantiation has copied it
              '(func (export "init_active") (memory.init $m0 1 (i32.const 0) (i32.const 0)',
              '  (i32.const 1))))']
    return "\n".join(parts)


def wasmtime_memories(wat: str) -> tuple[str, bytes]:
    """What instantiation leaves: "ok" or the trap, and memory 0's bytes."""
    store = wasmtime.Store()
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(1, None)))
    try:
        wasmtime.Instance(store, wasmtime.Module(store.engine, wat), [memory])
        outcome = "ok"
    except wasmtime.Trap as trap:
        outcome = "out of bounds" if "out of bounds" in str(trap) else str(trap)
    return outcome, bytes(memory.read(store, 0, 65536))


def wasmc_instance(wat: str) -> tuple[str, api.Memory, api.Instance | None]:
    memory = api.Memory.new(1)
    try:
        instance = api.compile_module(wat, opt=0).instantiate({"env": {"m0": memory}})
        return "ok", memory, instance
    except Trap as trap:
        assert "out of bounds memory access" in str(trap), trap
        return "out of bounds", memory, None


def test_emitted_c_has_no_statement_per_segment():
    """P_instantiate and P_initialize stay small: the segments are rows of tables."""
    c = api.translate(api.read_source(module_wat()))[1]
    calls = c.count("wasmc_memory_init(")
    # one per run of constant offsets (runs are cut by the global-offset segments and the
    # segment into the other memory), one per global-offset segment, one in `init`
    assert calls < 30, calls
    assert c.count("inst->datas[") < 100  # with statements per segment: thousands


def test_memories_as_wasmtime_makes_them():
    wat = module_wat()
    outcome, expected = wasmtime_memories(wat)
    assert outcome == "ok"
    outcome, m0, instance = wasmc_instance(wat)
    assert outcome == "ok" and m0.read(0, 65536) == expected
    m1 = instance.exports["m1"].read(0, 65536)
    assert m1[:N_SEGMENTS // 2 * 13 % 50000 + 2].count(0) < len(m1)  # the segment landed
    init = instance.exports["init"]
    init(100, 3, 5)
    assert m0.read(100, 5) == b"sive "
    instance.exports["drop"]()
    with pytest.raises(Trap, match="out of bounds"):
        init(100, 0, 1)
    with pytest.raises(Trap, match="out of bounds"):
        instance.exports["init_active"]()


@pytest.mark.parametrize("where", [N_SEGMENTS // 3, N_SEGMENTS - 2])
def test_out_of_bounds_segment_traps_and_keeps_the_earlier_ones(where: int):
    """As in Wasmtime (Wasm 2.0): the segments before the one out of bounds are written,
    none after it."""
    wat = module_wat(out_of_bounds_at=where)
    expected = wasmtime_memories(wat)
    assert expected[0] == "out of bounds"
    outcome, m0, _ = wasmc_instance(wat)
    assert (outcome, m0.read(0, 65536)) == expected

"""C for the SIMD instructions that are not a plain call: v128.const and the memory
instructions. (Every other SIMD instruction is a call into runtime/wasmc_simd.h, spelled by
the opcode table's `c` column; docs/simd.md.)

The memory instructions reuse the scalar access machinery: the address is computed as for
any load or store (FunctionEmitter.access_address: guard pages for a 32-bit memory, an
explicit bounds check for memory64), the bytes are read or written with the scalar helpers
of wasmc_numeric.h where fewer than 16 are accessed, and the header only builds or takes
apart the vector. Every load's result goes through WASMC_KEEP_FLOAT (an out-of-bounds load
must trap even when its value is unused; the result of a narrower load, built from the bytes
read, cannot be had without reading them, and keeping the vector rather than the scalar
leaves it in its SIMD register, as for f32/f64 loads); every store keeps itself inside
wasmc_simd_store (the equivalent of WASMC_KEEP_STORE), like the scalar ones.

Each handler has the signature of FunctionEmitter's op_<name> methods; HANDLERS maps
instruction names to them (function.py installs them).

Only the C files that use SIMD include runtime/wasmc_simd.h (`with_simd_header`), not
wasmc.h: parsing it (and the x86 intrinsics headers it includes) would add its cost to the
C compile of every module, most of which have no v128 at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .spelling import SCALAR_ACCESS, const_literal

if TYPE_CHECKING:
    from .function import FunctionEmitter

def header_name(instr_name: str) -> str:
    """The wasmc_simd.h function of an instruction (`v128.load8_splat` ->
    `wasmc_simd_v128_load8_splat`)."""
    return "wasmc_simd_" + instr_name.replace(".", "_")


def op_v128_const(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    self.w(f"{res[0]} = {const_literal('v128', ins.imm)};")


def op_v128_load(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    _align, offset, mem = ins.imm
    addr = self.access_address(mem, args[0], offset, ins.op.align)
    self.w(f"{res[0]} = wasmc_simd_load({addr}); WASMC_KEEP_FLOAT({res[0]});")


def op_v128_store(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    _align, offset, mem = ins.imm
    addr = self.access_address(mem, args[0], offset, ins.op.align)
    self.w(f"wasmc_simd_store({addr}, {args[1]});")  # the helper keeps the store itself


def scalar_load(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    """The loads of fewer than 16 bytes that make a vector (extend, splat, zero): load the
    bytes as a scalar, then the header's function of that scalar."""
    _align, offset, mem = ins.imm
    ctype, load, _store = SCALAR_ACCESS[ins.op.align]
    addr = self.access_address(mem, args[0], offset, ins.op.align)
    self.w(f"{res[0]} = {header_name(ins.op.name)}(({ctype}){load}({addr})); "
           f"WASMC_KEEP_FLOAT({res[0]});")


def load_lane(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    _align, offset, mem, lane = ins.imm
    ctype, load, _store = SCALAR_ACCESS[ins.op.align]
    addr = self.access_address(mem, args[0], offset, ins.op.align)
    self.w(f"{res[0]} = {header_name(ins.op.name)}({args[1]}, ({ctype}){load}({addr}), "
           f"{lane}); WASMC_KEEP_FLOAT({res[0]});")


def store_lane(self: FunctionEmitter, ins, h, pops, pushes, args, res) -> None:
    _align, offset, mem, lane = ins.imm
    _ctype, _load, store = SCALAR_ACCESS[ins.op.align]
    addr = self.access_address(mem, args[0], offset, ins.op.align)
    self.w(f"{store}({addr}, {header_name(ins.op.name)}({args[1]}, {lane}));")


SIMD_INCLUDE = '#include "wasmc_simd.h"\n'


def with_simd_header(c: str) -> str:
    """A generated C file (or header), with the #include of wasmc_simd.h on top if it uses
    SIMD; unchanged otherwise (so that modules without SIMD give the same C as ever).

    Code that uses SIMD always spells "v128": every SIMD instruction has a v128 operand or
    result, in a slot `s<height>_v128` or a local of type `wasmc_v128`, and a v128 global is
    the `.v128` member of its wasmc_global. One scan for it costs 16 ms on 47 MB of C (a
    name that merely contains "v128", in a comment, only includes the header needlessly)."""
    return SIMD_INCLUDE + c if "v128" in c else c


HANDLERS: dict[str, Callable] = {
    "v128.const": op_v128_const,
    "v128.load": op_v128_load,
    "v128.store": op_v128_store,
    **{f"v128.load{shape}": scalar_load
       for shape in ("8x8_s", "8x8_u", "16x4_s", "16x4_u", "32x2_s", "32x2_u", "8_splat",
                     "16_splat", "32_splat", "64_splat", "32_zero", "64_zero")},
    **{f"v128.load{bits}_lane": load_lane for bits in (8, 16, 32, 64)},
    **{f"v128.store{bits}_lane": store_lane for bits in (8, 16, 32, 64)},
}

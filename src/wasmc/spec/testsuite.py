"""Where the spec testsuite lives and which files belong to which group.

The testsuite is a checkout of the WebAssembly spec tests: core `.wast` files at its root,
proposal and legacy tests in subfolders, a `COMMIT` file and a `GROUPS.txt` that sorts the
core files by the features they need (`GROUP: stem stem ...`; a stem may contain a `/`, as in
`legacy/rethrow`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

ENV_VAR = "WASM_TESTSUITE"


def repo_root() -> Path:
    """The root of the wasmc source tree this package was loaded from (src/wasmc/spec/..)."""
    return Path(__file__).resolve().parents[3]


def testsuite_dir() -> Path:
    """`$WASM_TESTSUITE`, else `../shared/wasm-testsuite` relative to the repo root (or to the
    current directory when wasmc is installed outside a checkout)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    relative = Path("..", "shared", "wasm-testsuite")
    for base in (repo_root(), Path.cwd()):  # a source checkout, else where we run from
        if (base / relative).is_dir():
            return (base / relative).resolve()
    return (repo_root() / relative).resolve()


@functools.cache
def read_groups(root: Path | None = None) -> dict[str, list[str]]:
    """GROUPS.txt as {group name: [file stems, in order]}."""
    root = root or testsuite_dir()
    return parse_groups((root / "GROUPS.txt").read_text(encoding="utf-8"))


def parse_groups(text: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, stems = line.partition(": ")
        if not sep:  # "GROUP:" with no stems
            name, sep, stems = line.partition(":")
        if not sep:
            raise ValueError(f"GROUPS.txt: bad line {raw!r}")
        groups[name.strip()] = stems.split()
    return groups


def group_files(group: str, root: Path | None = None) -> list[Path]:
    """The .wast files of one group, in GROUPS.txt order."""
    root = root or testsuite_dir()
    groups = read_groups(root)
    if group not in groups:
        known = ", ".join(groups)
        raise KeyError(f"unknown group {group!r} (known: {known})")
    return [root / f"{stem}.wast" for stem in groups[group]]


def file_groups(root: Path | None = None) -> dict[str, str]:
    """{stem: group} for every file named in GROUPS.txt."""
    return {stem: group for group, stems in read_groups(root).items() for stem in stems}


def core_files(root: Path | None = None) -> list[Path]:
    """Every core .wast file: all files at the testsuite root plus the groups' files in
    subfolders, sorted by stem."""
    root = root or testsuite_dir()
    files = {p.relative_to(root).with_suffix("").as_posix(): p for p in root.glob("*.wast")}
    for stems in read_groups(root).values():
        for stem in stems:
            files.setdefault(stem, root / f"{stem}.wast")
    return [files[stem] for stem in sorted(files)]


def stem_of(path: Path, root: Path | None = None) -> str:
    """`legacy/rethrow` for <root>/legacy/rethrow.wast; the file name's stem otherwise."""
    root = root or testsuite_dir()
    try:
        return path.resolve().relative_to(root.resolve()).with_suffix("").as_posix()
    except ValueError:
        return path.stem


def resolve_wast(name: str, root: Path | None = None) -> Path:
    """A path as given if it exists, else a testsuite stem (`i32`, `legacy/throw`)."""
    path = Path(name)
    if path.exists():
        return path
    root = root or testsuite_dir()
    candidate = root / (name if name.endswith(".wast") else f"{name}.wast")
    if candidate.exists():
        return candidate
    raise FileNotFoundError(f"no such .wast file or testsuite stem: {name}")


def testsuite_commit(root: Path | None = None) -> str:
    root = root or testsuite_dir()
    try:
        return (root / "COMMIT").read_text(encoding="utf-8").strip()
    except OSError:
        return "unknown"

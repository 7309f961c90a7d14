"""Hash the C that wasmc emits for a set of modules, to check that a refactor leaves it
byte-identical (docs/codegen.md, "Checking that the C is unchanged").

    python scripts/emit_hashes.py --spec-dir /tmp/spec-wasm --wast-root TESTSUITE \
        --bench-dir ~/.cache/wasmc/bench/wasm --big big.wasm -o hashes.txt

Every module is decoded, validated and emitted as one C file twice (with and without
musttail); modules given with --big are also emitted split into files. A module that does
not decode or validate contributes its error text instead, so error messages and offsets
are compared too. Each output line is `name<TAB>sha256`; compare two runs with `diff`.
The spec modules are converted once (wasm-tools json-from-wast) into --spec-dir and reused.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

from wasmc.binary.decoder import decode
from wasmc.codegen.module import emit_module
from wasmc.codegen.split import emit_split
from wasmc.errors import WasmcError
from wasmc.spec.script import ConversionError, convert_wast
from wasmc.validate.validator import validate


def convert_all(wast_root: Path, spec_dir: Path) -> None:
    """Convert each .wast under wast_root (not yet converted) to spec_dir/<stem>/."""
    for wast in sorted(wast_root.rglob("*.wast")):
        out = spec_dir / wast.relative_to(wast_root).with_suffix("")
        if (out / "script.json").exists():
            continue
        try:
            convert_wast(wast, out)
        except ConversionError as exc:
            print(f"not converted: {wast}: {exc}", file=sys.stderr)


def digest(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode()
    return hashlib.sha256(data).hexdigest()


def hash_module(path: Path, split: bool) -> list[tuple[str, str]]:
    """(label, sha256) pairs for one module's outputs."""
    try:
        module = decode(path.read_bytes())
        info = validate(module)
    except WasmcError as exc:
        return [("error", digest(f"{type(exc).__name__}: {exc}"))]
    out = []
    for musttail in (True, False):
        try:
            c = emit_module(module, info, "wasmc_m", musttail)
        except WasmcError as exc:
            c = f"{type(exc).__name__}: {exc}"
        out.append((f"c-musttail={musttail}", digest(c)))
    if split:
        with tempfile.TemporaryDirectory() as tmp:
            result = emit_split(decode(path.read_bytes()), "wasmc_m", True, Path(tmp), jobs=1)
            for f in [result.header, *result.sources]:
                out.append((f"split/{f.name}", digest(f.read_bytes())))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec-dir", type=Path, help="converted spec modules (created)")
    ap.add_argument("--wast-root", type=Path, help="the testsuite, to convert into --spec-dir")
    ap.add_argument("--bench-dir", type=Path, help="a directory searched for *.wasm")
    ap.add_argument("--big", type=Path, nargs="*", default=[], help="also emitted split")
    ap.add_argument("-o", "--output", type=Path, required=True)
    args = ap.parse_args()
    modules: list[tuple[str, Path, bool]] = []
    if args.spec_dir:
        if args.wast_root:
            convert_all(args.wast_root, args.spec_dir)
        modules += [(f"spec/{p.relative_to(args.spec_dir)}", p, False)
                    for p in sorted(args.spec_dir.rglob("*.wasm"))]
    if args.bench_dir:
        modules += [(f"bench/{p.relative_to(args.bench_dir)}", p, False)
                    for p in sorted(args.bench_dir.expanduser().rglob("*.wasm"))]
    modules += [(f"big/{p.name}", p, True) for p in args.big]
    lines = []
    for name, path, split in modules:
        for label, h in hash_module(path, split):
            lines.append(f"{name}\t{label}\t{h}")
    args.output.write_text("\n".join(lines) + "\n")
    outputs = sum(1 for line in lines if "\terror\t" not in line)
    print(f"{len(modules)} modules, {outputs} C outputs hashed, "
          f"{len(lines) - outputs} errors hashed -> {args.output}")


if __name__ == "__main__":
    main()

"""Compare the C that two wasmc source trees emit for the same modules, byte for byte.

    python scripts/compare_emitted_c.py BASE_SRC MODULE.wasm|.wat...

BASE_SRC is the `src` directory of another checkout (e.g. `git archive COMMIT src | tar -x -C
/tmp/base`, then /tmp/base/src). Each module is translated (api.translate, with musttail on
and off) by both trees, each in its own process; the script prints the modules whose C
differs and exits with status 1 if any does. docs/exceptions.md used it to check that
modules without exceptions compile to the same C as before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_DIGESTS = r"""
import hashlib, json, sys
from wasmc import api
out = {}
for path in sys.argv[1:]:
    row = []
    for musttail in (True, False):
        try:
            c = api.translate(api.read_source(path), musttail=musttail)[1]
            row.append(hashlib.sha256(c.encode()).hexdigest())
        except Exception as exc:
            row.append(type(exc).__name__ + ": " + str(exc))
    out[path] = row
print(json.dumps(out))
"""


def digests(src: Path | None, modules: list[str]) -> dict[str, list[str]]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.run([sys.executable, "-c", _DIGESTS, *modules], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"translating with {src or 'this tree'} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    base_src, modules = Path(sys.argv[1]), sys.argv[2:]
    base, ours = digests(base_src, modules), digests(None, modules)
    differ = [m for m in modules if base[m] != ours[m]]
    for m in differ:
        print(f"differs: {m}")
    print(f"{len(modules) - len(differ)} of {len(modules)} modules: same C")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

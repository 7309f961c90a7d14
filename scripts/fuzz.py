#!/usr/bin/env python3
"""Fuzz wasmc: `python scripts/fuzz.py diff|malformed|check|reduce ...` (see docs/fuzzing.md).

The fuzzers live in tests/fuzz/ (the `fuzz` package); this script only puts that package on
the import path and runs its command line.
"""

import sys
from pathlib import Path

# This script's own directory would otherwise be first on the path, and `import fuzz` would
# import this file instead of the package.
sys.path[0] = str(Path(__file__).resolve().parent.parent / "tests")

from fuzz.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

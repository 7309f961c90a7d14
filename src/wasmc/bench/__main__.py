import sys

from wasmc.bench.cli import standalone

sys.exit(standalone())

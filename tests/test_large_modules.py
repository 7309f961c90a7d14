"""Large modules: split C output, compiled in parallel (codegen/split.py,
docs/large-modules.md).

A generated module with thousands of functions that call each other directly and through
a table, with a memory and globals, must behave as Wasmtime runs it, built as one C file and
split into many (emitted by worker processes), through the Python API and the CLI.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import wasmtime
from wasm_bytes import section, uleb
from wasmc_cli import wasmc_cli

from wasmc import api
from wasmc.binary.decoder import decode
from wasmc.codegen import split
from wasmc.errors import InvalidError, Trap

N_FUNCS = 3000
TABLE = 8  # leaf functions f0..f7 are also in the table
EXPORTED = [0, 1, 7, 8, 99, 100, 999, 1500, 2047, 2500, N_FUNCS - 1]


def _func(k: int) -> str:
    """f<k>(x): some arithmetic, a memory store and a global update, then one call to a
    lower function (so the call depth stays below N_FUNCS), or an indirect call."""
    body = [
        f"local.get $x i32.const {k * 2654435761 % 2**32} i32.xor local.set $y",
        f"i32.const {(k % 256) * 4} local.get $y i32.store",
        f"i32.const {(k * 7 % 256) * 4} i32.load local.get $y i32.add local.set $y",
        "global.get $count i32.const 1 i32.add global.set $count",
        f"local.get $y i32.const {k % 13 + 1} i32.rotl local.set $y",
        f"local.get $y i32.const {k | 1} i32.mul local.set $y",
    ]
    if k < TABLE:
        body.append("local.get $y")  # a leaf
    elif k % 11 == 0:
        body.append("local.get $y local.get $y i32.const 7 i32.and call_indirect (type $t)")
    elif k % 5 == 0:
        body.append(f"local.get $y call $f{k // 3}")
    else:
        body.append(f"local.get $y call $f{k - 1} local.get $y i32.add")
    return (f"(func $f{k} (type $t) (param $x i32) (result i32) (local $y i32)\n  "
            + "\n  ".join(body) + ")")


def module_wat(n: int = N_FUNCS, bad: bool = False) -> str:
    parts = [
        "(module",
        "(type $t (func (param i32) (result i32)))",
        '(memory (export "memory") 1)',
        '(global $count (export "count") (mut i32) (i32.const 0))',
        '(global $seed (export "seed") i64 (i64.const 42))',
        f"(table {TABLE} funcref)",
        f"(elem (i32.const 0) {' '.join(f'$f{k}' for k in range(TABLE))})",
        # bytes that C string literals must escape, and a trigraph
        '(data (i32.const 1024) "\\00\\01\\"\\\\??=?\\0a\\ff\\80 ok 7\\007")',
    ]
    parts += [_func(k) for k in range(n)]
    parts += [f'(export "f{k}" (func $f{k}))' for k in EXPORTED if k < n]
    # The last function, in the last file: a trap whose report must name it.
    parts.append('(func $late_divide (export "late_divide") (param i32) (result i32)\n'
                 "  i32.const 1 local.get 0 i32.div_s)")
    if bad:  # an invalid body near the end
        parts.append("(func $bad (result i32) i64.const 1)")
    parts.append(")")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def wasm(tmp_path_factory) -> bytes:
    wat = tmp_path_factory.mktemp("large") / "large.wat"
    wat.write_text(module_wat())
    return api.read_source(wat)


ARGUMENTS = (0, 1, -5, 123456789)


def _exports_run(instance: api.Instance) -> list:
    """Every export's results for a few arguments, then the memory and the globals."""
    results = []
    for k in EXPORTED:
        f = instance.exports[f"f{k}"]
        results.append([f(x) for x in ARGUMENTS])
    memory = instance.exports["memory"].read(0, 2048)
    return [results, memory, instance.exports["count"].value, instance.exports["seed"].value]


@pytest.fixture(scope="module")
def wasmtime_run(wasm: bytes) -> list:
    """What _exports_run gives, from Wasmtime: the expected values."""
    store = wasmtime.Store()
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), [])
    exports = instance.exports(store)
    results = [[exports[f"f{k}"](store, x) for x in ARGUMENTS] for k in EXPORTED]
    memory = bytes(exports["memory"].read(store, 0, 2048))
    return [results, memory, exports["count"].value(store), exports["seed"].value(store)]


@pytest.fixture
def small_buckets(monkeypatch):
    """Split everything, into buckets of about 4000 instructions, in worker processes."""
    monkeypatch.setattr(split, "SPLIT_MIN_INSTRS", 1000)
    monkeypatch.setattr(split, "BUCKET_INSTRS", 4000)
    monkeypatch.setattr(split, "PARALLEL_MIN_INSTRS", 1000)


def test_module_is_large_enough(wasm: bytes) -> None:
    module = decode(wasm)
    assert module.datas[0].init == b'\0\1"\\??=?\n\xff\x80 ok 7\x007'
    assert split.should_split(module)  # with the default threshold: the CLI test splits
    assert split.instruction_count(module) < split.PARALLEL_MIN_INSTRS  # in-process there


def test_split_and_single_file_agree_with_wasmtime(wasm: bytes, wasmtime_run: list,
                                                    monkeypatch) -> None:
    expected = wasmtime_run
    monkeypatch.setattr(split, "SPLIT_MIN_INSTRS", 10**9)
    single = api.compile_module(wasm, opt=0).instantiate()
    assert _exports_run(single) == expected
    monkeypatch.setattr(split, "SPLIT_MIN_INSTRS", 1000)
    monkeypatch.setattr(split, "BUCKET_INSTRS", 4000)
    monkeypatch.setattr(split, "PARALLEL_MIN_INSTRS", 1000)
    split_instance = api.compile_module(wasm, opt=0, jobs=2).instantiate()
    assert _exports_run(split_instance) == expected
    for instance in (single, split_instance):
        with pytest.raises(Trap) as trap:
            instance.exports["late_divide"](0)
        assert trap.value.message == "integer divide by zero"
        assert trap.value.function == "late_divide"


def test_split_files(wasm: bytes, tmp_path: Path, small_buckets) -> None:
    """The files: a header, a module file, function files of about BUCKET_INSTRS each; the
    same whether emitted by workers or in this process."""
    module = decode(wasm)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    out = split.emit_split(module, "p", True, tmp_path / "a", jobs=2)
    assert out.header.name == "p.h"
    assert [s.name for s in out.sources[:2]] == ["p.c", "p_000.c"]
    assert len(out.sources) == len(out.buckets) + 1 > 10
    covered = [k for bucket in out.buckets for k in bucket]
    assert covered == list(range(len(module.functions)))
    split.emit_split(module, "p", True, tmp_path / "b", jobs=1)
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
    text = out.sources[1].read_text()
    assert '#include "p.h"' in text and "WASMC_HIDDEN" in text and "static uint32_t f" not in text
    # small functions of other files that a file calls come as inlinable copies (clang)...
    assert "\nWASMC_IMPORTED uint32_t f" in out.sources[2].read_text()
    # ... not for GCC
    (tmp_path / "c").mkdir()
    gcc = split.emit_split(module, "p", False, tmp_path / "c", jobs=1)
    assert not any("WASMC_IMPORTED uint32_t f" in path.read_text() for path in gcc.sources)


def test_invalid_function_in_a_worker_reports_like_validate(tmp_path: Path, small_buckets):
    wat = tmp_path / "bad.wat"
    wat.write_text(module_wat(1200, bad=True))
    data = api.read_source(wat)
    with pytest.raises(InvalidError) as expected:
        api.translate(data)
    module = decode(data)
    with pytest.raises(InvalidError) as got:
        split.emit_split(module, "p", True, tmp_path, jobs=2)
    assert str(got.value) == str(expected.value)
    assert "func 1201" in str(got.value)
    # compile_modules reports it for that module only
    small = api.read_source(Path(__file__).parents[1] / "src/wasmc/examples/fib.wat")
    assert split.should_split(module) and not split.should_split(decode(small))
    results = api.compile_modules([small, data], opt=0)
    assert isinstance(results[1], InvalidError) and str(results[1]) == str(expected.value)
    assert results[0].instantiate().exports["fib"](10) == 55


def test_plan_buckets_cuts_where_few_calls_cross() -> None:
    assert split.plan_buckets([100] * 10, [], target=300, slack=0) == [
        range(0, 3), range(3, 6), range(6, 9), range(9, 10)]
    chain = [(k, k + 1) for k in range(40) if k != 17]  # no call crosses between 17 and 18
    assert split.plan_buckets([100] * 40, chain, target=2000)[0] == range(0, 18)
    # a function larger than a bucket gets one of its own
    assert split.plan_buckets([100] * 5 + [5000] + [100] * 5, [], target=1000) == [
        range(0, 5), range(5, 6), range(6, 11)]


def test_cli_compile_and_run(wasm: bytes, tmp_path: Path) -> None:
    """`wasmc compile` with the default thresholds (this module is split, emitted in this
    process), `--emit-c`, `-j`; the executable reports a trap in the last file by name."""
    module = tmp_path / "large.wasm"
    module.write_bytes(wasm)
    exe, c_dir = tmp_path / "large", tmp_path / "c"
    proc = wasmc_cli("compile", module, "-o", exe, "-O0", "-j", "2", "--emit-c", c_dir)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in c_dir.iterdir())
    assert {"module.c", "module.h", "module_000.c", "module_001.c", "wasmc.h"} <= set(names)
    ran = subprocess.run([str(exe), "--invoke", "f2500", "--", "7"], capture_output=True,
                         text=True)
    store = wasmtime.Store()
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), [])
    expected = instance.exports(store)["f2500"](store, 7)
    assert ran.returncode == 0 and ran.stdout.strip() == str(expected)
    trapped = subprocess.run([str(exe), "--invoke", "late_divide", "--", "0"],
                             capture_output=True, text=True)
    assert trapped.returncode == 134
    assert trapped.stderr.splitlines()[-2:] == ["error: wasm trap: integer divide by zero",
                                                "  in function late_divide"]


def test_moves_limit_over_all_workers(tmp_path: Path, small_buckets, monkeypatch) -> None:
    """Each worker validates its files within the module's limit on values moved (see
    binary/decoder.py, MAX_MOVES), but all together they go over it: the error is the one
    validation in one process reports."""
    from wasmc.binary.decoder import MAX_MOVES
    from wasmc.errors import UnsupportedError

    monkeypatch.setattr(split, "BUCKET_INSTRS", 1000)  # a file per function

    p, callers = 1000, 4
    calls = MAX_MOVES // (2 * p * (callers - 1))  # each caller well within the limit
    type_ = b"\x60" + uleb(p) + b"\x7f" * p + uleb(p) + b"\x7f" * p
    leaf = b"\x00" + b"\x41\x00" * p + b"\x0f\x0b"
    caller = b"\x00" + b"\x41\x00" * p + b"\x10\x00" * calls + b"\x0b"
    bodies = [leaf] + [caller] * callers
    code = section(10, uleb(len(bodies)) + b"".join(uleb(len(b)) + b for b in bodies))
    data = (b"\0asm\1\0\0\0" + section(1, b"\x01" + type_)
            + section(3, uleb(len(bodies)) + b"\x00" * len(bodies)) + code)
    with pytest.raises(UnsupportedError) as expected:
        api.translate(data)
    module = decode(data)
    out = split.plan_buckets([len(f.body) for f in module.functions], [])
    assert len(out) >= callers
    with pytest.raises(UnsupportedError) as got:
        split.emit_split(module, "p", True, tmp_path, jobs=2)
    assert str(got.value) == str(expected.value)
    assert "values popped and pushed" in str(got.value)


def test_progress_reports_every_c_file(wasm: bytes, tmp_path: Path, small_buckets) -> None:
    """build_executable's on_progress(compiled, total): the total grows as files are
    emitted, the count of compiled files never goes back, and it ends at every file."""
    seen: list[tuple[int, int]] = []
    api.build_executable(wasm, tmp_path / "exe", opt=0, jobs=2, emit_c_dir=tmp_path / "c",
                         on_progress=lambda done, total: seen.append((done, total)))
    files = list((tmp_path / "c").glob("module*.c"))
    assert seen[-1] == (len(files), len(files)) and len(files) > 10
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(seen, seen[1:], strict=False))
    assert all(done <= total for done, total in seen)
    single: list[tuple[int, int]] = []
    fib = Path(__file__).parents[1] / "src/wasmc/examples/fib.wat"
    api.build_executable(fib, tmp_path / "fib", opt=0, on_progress=lambda *a: single.append(a))
    assert single == [(0, 1), (1, 1)]


# ---- the quick first build of `wasmc run` (runcache.py, docs/large-modules.md) ------------


def test_code_section_size_and_the_quick_decision(wasm: bytes, monkeypatch) -> None:
    from wasmc import runcache

    body = b"\x00\x41\x07\x0b"  # no locals; i32.const 7; end
    code = uleb(1) + uleb(len(body)) + body
    data = (b"\0asm\1\0\0\0" + section(1, b"\x01\x60\x00\x01\x7f") + section(3, b"\x01\x00")
            + section(10, code) + section(0, b"\x04name"))
    assert runcache.code_section_size(data) == len(code)
    assert runcache.code_section_size(data[:8]) == 0  # no code section
    # the large test module is over the threshold, a benchmark-sized one is not
    size = runcache.code_section_size(wasm)
    assert size > runcache.QUICK_MIN_CODE_BYTES / 2
    assert runcache.wants_quick_build(wasm, 2) == (size >= runcache.QUICK_MIN_CODE_BYTES)
    monkeypatch.setattr(runcache, "QUICK_MIN_CODE_BYTES", size)
    assert runcache.wants_quick_build(wasm, 2) and runcache.wants_quick_build(wasm, 1)
    assert not runcache.wants_quick_build(wasm, 0)  # nothing quicker than -O0 itself
    monkeypatch.setattr(runcache, "QUICK_MIN_CODE_BYTES", size + 1)
    assert not runcache.wants_quick_build(wasm, 2)


def _record_compiler_commands(monkeypatch) -> list[list[str]]:
    """Every C compiler command line that toolchain runs (compiles and links), in order."""
    from wasmc import toolchain

    commands: list[list[str]] = []
    popen = toolchain.subprocess.Popen

    def recording_popen(args, *a, **kw):  # subprocess.run calls it too
        commands.append(list(args))
        return popen(args, *a, **kw)

    monkeypatch.setattr(toolchain.subprocess, "Popen", recording_popen)
    return commands


def test_quick_build_compiles_files_at_O0_and_links_at_the_level(
        wasm: bytes, tmp_path: Path, small_buckets, monkeypatch) -> None:
    exe = tmp_path / "quick"
    commands = _record_compiler_commands(monkeypatch)
    api.build_executable(wasm, exe, opt=1, jobs=2, quick=True)
    monkeypatch.undo()
    # (not the runtime's compiles and link, if it was not built yet)
    compiles = [c for c in commands if "-c" in c and c[c.index("-c") + 1].endswith(".c")
                and Path(c[c.index("-c") + 1]).name.startswith("module")]
    links = [c for c in commands if "-c" not in c and any(a.endswith("_module.o") for a in c)]
    assert len(compiles) > 10 and len(links) == 1
    from wasmc import toolchain

    for command in compiles:  # the last -O wins
        levels = [a for a in command if a.startswith("-O")]
        assert levels[-1] == "-O0" and "-O1" in levels, command
        assert "-fno-stack-protector" in command, command  # toolchain.QUICK_FLAGS
        assert command.index("-fno-stack-protector") > command.index("-O1")
    assert [a for a in links[0] if a.startswith("-O")] == ["-O1"]
    assert "-fno-stack-protector" not in links[0]
    # an optimized build keeps the compiler's default
    optimized = toolchain.generated_code_flags(toolchain.find_compiler(None), 2, pic=False)
    assert "-fno-stack-protector" not in optimized
    ran = subprocess.run([str(exe), "--invoke", "f2500", "--", "7"], capture_output=True,
                         text=True)
    store = wasmtime.Store()
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, wasm), [])
    assert ran.stdout.strip() == str(instance.exports(store)["f2500"](store, 7))


def test_build_executable_keeps_cycle_collection_off_until_it_returns(
        tmp_path: Path, monkeypatch) -> None:
    """From decoding to the link (a collection right after decoding rescans the whole decoded
    module), and back on afterwards."""
    import gc

    from wasmc.codegen import module as codegen_module

    states: list[bool] = []
    should_split, emit = split.should_split, codegen_module.emit_module

    def recording(function):
        def record(*args, **kwargs):
            states.append(gc.isenabled())
            return function(*args, **kwargs)
        return record

    # should_split runs between decoding and emitting, emit_module emits
    monkeypatch.setattr(split, "should_split", recording(should_split))
    monkeypatch.setattr(codegen_module, "emit_module", recording(emit))
    fib = Path(__file__).parents[1] / "src/wasmc/examples/fib.wat"
    assert gc.isenabled()
    api.build_executable(fib, tmp_path / "fib", opt=0)
    assert states and not any(states) and gc.isenabled()


def test_background_build_gets_a_session_of_lower_priority(tmp_path: Path, monkeypatch) -> None:
    """background.start runs the build in a session of its own whose
    autogroup has nice BACKGROUND_NICE, where the kernel has autogroups (else the build
    would take half the machine from the program the quick build runs); the caller's
    session keeps its own. The "interpreter" here is a script that reports its autogroup."""
    import time

    from wasmc import background, runcache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reporter = tmp_path / "report-autogroup"
    # An empty /proc/self/autogroup means that no autogroup is in effect for the process
    # (the kernel prints nothing for a task in a cgroup of its own, as in many containers).
    reporter.write_text("#!/bin/sh\ng=$(cat /proc/self/autogroup 2>/dev/null)\n"
                        "echo \"${g:-none}\"\necho finished\n")
    reporter.chmod(0o755)
    monkeypatch.setattr(background.sys, "executable", str(reporter))
    ours = Path("/proc/self/autogroup")
    before = (ours.read_text().strip() if ours.exists() else "") or None
    key = "0" * 32
    runcache._start_background_build(b"\0asm\1\0\0\0", None, 2, key, 1)
    log = runcache._pending_dir() / f"{key}.log"
    deadline = time.monotonic() + 60
    while "finished" not in (log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline, "the background process did not run"
        time.sleep(0.05)
    reported = log.read_text().splitlines()[0]  # "/autogroup-N nice K" or "none"
    if reported != "none":  # the build's session has an autogroup: at the lower priority
        assert reported.split()[-1] == str(background.BACKGROUND_NICE), reported
    if before is not None:  # and ours is another one, unchanged
        assert reported != "none"
        assert reported.split()[0] != before.split()[0]
        assert ours.read_text().strip() == before


def test_background_builds_take_turns(tmp_path: Path) -> None:
    """A background build waits for the cache's one build slot: while another build holds
    it, this one has not started; when it is free, it runs and cleans up."""
    import fcntl
    import threading

    from wasmc import background

    pending = tmp_path / "cache" / "modules" / "pending"
    pending.mkdir(parents=True)
    module = pending / "k.wasm"
    module.write_bytes(b"\0asm\1\0\0\0")
    built: list[bytes] = []
    with open(tmp_path / "cache" / "background.lock", "a") as slot:
        fcntl.flock(slot, fcntl.LOCK_EX)  # another build is running
        waiting = threading.Thread(target=background.run,
                                   args=(str(module), "k", built.append))
        waiting.start()
        waiting.join(1.0)
        assert waiting.is_alive() and built == []
    waiting.join(60)
    assert not waiting.is_alive()
    assert built == [b"\0asm\1\0\0\0"] and not module.exists()


def _zombie_children() -> list[int]:
    """Our child processes that have exited but were not reaped."""
    import os

    zombies = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            zombies.append(int(stat.parent.name))
    return zombies


def _wait_for_background_build(pending: Path, key: str) -> None:
    """Until the background build of `key` has failed, or finished and let go of its lock."""
    import time

    from wasmc import background

    deadline = time.monotonic() + 600  # a loaded CI machine; usually a few seconds
    while time.monotonic() < deadline:
        if (pending / f"{key}.failed").exists():
            return
        lock = background.lock(pending / f"{key}.lock")
        if lock is not None:
            lock.close()
            if not (pending / f"{key}.wasm").exists():
                return
        time.sleep(0.2)
    raise AssertionError(f"the background build of {key} did not finish")


def test_run_starts_from_a_quick_build_and_builds_the_optimized_one_in_the_background(
        tmp_path: Path, small_buckets, private_cache, monkeypatch) -> None:
    """executable_for(quick=True), as `wasmc run` calls it: a quick build at once, the
    optimized build by a detached process (no zombie, no files left behind, the quick
    build removed), then the optimized one from the cache; a failed background build makes
    the next run build in the foreground."""
    import os

    from wasmc import runcache, toolchain

    wat = tmp_path / "m.wat"
    wat.write_text(module_wat(400))
    data = api.read_source(wat)
    monkeypatch.setattr(runcache, "QUICK_MIN_CODE_BYTES", 1)

    quick = runcache.executable_for(data, opt=1, quick=True, progress=False, jobs=2)
    key = runcache.full_key(data, toolchain.find_compiler(None), 1)
    optimized = runcache.executables_dir() / key / runcache.EXE_NAME
    assert quick != optimized
    ran = subprocess.run([str(quick), "--invoke", "f100", "--", "7"], capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr
    pending = runcache.executables_dir() / "pending"
    _wait_for_background_build(pending, key)
    assert not (pending / f"{key}.failed").exists()
    assert os.access(optimized, os.X_OK)
    assert sorted(p.name for p in pending.iterdir()) == [f"{key}.lock"]
    assert _zombie_children() == []
    assert not quick.parent.exists()  # the quick build went once the optimized one was there
    assert runcache.executable_for(data, opt=1, quick=True, progress=False) == optimized
    again = subprocess.run([str(optimized), "--invoke", "f100", "--", "7"],
                           capture_output=True, text=True)
    assert again.stdout == ran.stdout

    # A background build that failed: the next run builds (and reports) in the foreground.
    wat.write_text(module_wat(20))
    small = api.read_source(wat)
    key2 = runcache.full_key(small, toolchain.find_compiler(None), 1)
    for suffix in (".failed", ".wasm", ".log"):
        (pending / f"{key2}{suffix}").write_text("ToolchainError: on purpose\n")
    built = runcache.executable_for(small, opt=1, quick=True, progress=False)
    assert built == runcache.executables_dir() / key2 / runcache.EXE_NAME
    assert not list(pending.glob(f"{key2}.*"))



def test_api_quick_build_then_the_optimized_one_for_new_instances(
        tmp_path: Path, private_cache, monkeypatch) -> None:
    """compile_module(quick=True), as wasmc.wasmtime.Module calls it: a library built at -O0
    at once, the optimized one by a detached process (no zombie; the quick library and
    every pending file but the lock removed); instances made afterwards use the optimized
    library, one made before goes on with the quick one; a failed background build makes
    the next compile a foreground one."""
    import ctypes

    from wasmc import compiler, libcache, runcache, toolchain

    wat = tmp_path / "m.wat"
    wat.write_text(module_wat(400))
    data = api.read_source(wat)
    monkeypatch.setattr(runcache, "QUICK_MIN_CODE_BYTES", 1)  # (in this process only)
    commands = _record_compiler_commands(monkeypatch)
    quick = api.compile_module(data, opt=1, quick=True, jobs=2)
    compiles = [c for c in commands if "-c" in c and Path(c[c.index("-c") + 1]).name
                == "module0.c"]
    assert len(compiles) == 1 and [a for a in compiles[0] if a.startswith("-O")][-1] == "-O0"
    key = quick.optimized_key
    assert key is not None
    first = quick.instantiate()
    assert first.compiled is quick
    expected = first.exports[f"f{100}"](7)

    pending = libcache.pending_dir()
    _wait_for_background_build(pending, key)
    assert not (pending / f"{key}.failed").exists(), (pending / f"{key}.log").read_text()
    assert sorted(p.name for p in pending.iterdir()) == [f"{key}.lock"]
    assert _zombie_children() == []
    assert libcache.cached_library(toolchain.quick_key(key)) is None  # the quick one went
    optimized = libcache.cached_library(key)
    assert optimized is not None and optimized._name != quick._lib._name
    second = quick.instantiate()
    assert second.compiled is not quick and second.compiled._lib is optimized
    assert quick.instantiate().compiled is second.compiled  # looked up once
    assert second.exports["f100"](7) == expected == first.exports["f100"](7)
    again = api.compile_module(data, opt=1, quick=True)  # from the cache: no quick build
    assert again.optimized_key is None and again._lib is optimized
    assert isinstance(again._lib, ctypes.CDLL)

    # A background build that failed: the next compile builds (and reports) in the foreground.
    wat.write_text(module_wat(20))
    small = api.read_source(wat)
    key2 = libcache.source_key([small], compiler.toolchain.find_compiler(None), 1, False)
    for suffix in (".failed", ".wasm", ".log"):
        (pending / f"{key2}{suffix}").write_text("ToolchainError: on purpose\n")
    built = api.compile_module(small, opt=1, quick=True)
    assert built.optimized_key is None and built._lib is libcache.cached_library(key2)
    assert not list(pending.glob(f"{key2}.*"))

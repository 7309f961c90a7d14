"""WASI preview 1 in native executables, checked differentially against Wasmtime.

Each C program in tests/wasi/ is built once to wasm32-wasi with the bundled zig clang
(cached by source hash in wasmc's cache directory), then compiled by wasmc with clang and
with GCC at -O1 (through `runcache`, so unchanged programs are not recompiled between
sessions). Every scenario runs twice on identical fresh directory trees — in Wasmtime (the
`wasmtime` package, in process) and as the native executable — and must produce the same
stdout, stderr, exit status and files on disk, inside and outside the preopened directory.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import wasmc_cli as cli_helper
import wasmtime  # a test dependency (pyproject.toml): missing, the tests fail, not skip
from wasmc_cli import check_no_crash

from wasmc import runcache, toolchain
from wasmc.codegen.executable import WASI_FUNCS

WASI_DIR = Path(__file__).parent / "wasi"
PROGRAMS = sorted(p.stem for p in WASI_DIR.glob("*.c"))
WASM_FLAGS = ["-target", "wasm32-wasi", "-O2", "-g0", "-Wall"]
COMPILERS = ["clang", "gcc"]
OPT = 1


# ---- building ---------------------------------------------------------------------------


def _build_wasm(name: str) -> Path:
    src = WASI_DIR / f"{name}.c"
    key = hashlib.sha256(src.read_bytes() + "\0".join(WASM_FLAGS).encode()).hexdigest()[:16]
    out_dir = toolchain.cache_dir() / "test-wasi"
    out = out_dir / f"{name}-{key}.wasm"
    if out.is_file():
        return out
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.is_file():
            tmp = out.with_suffix(f".{os.getpid()}.tmp")
            subprocess.run([sys.executable, "-m", "ziglang", "cc", *WASM_FLAGS, str(src), "-o",
                            str(tmp)], check=True, capture_output=True)
            os.replace(tmp, out)
    return out


@pytest.fixture(scope="session")
def wasm() -> dict[str, Path]:
    return {name: _build_wasm(name) for name in PROGRAMS}


@pytest.fixture(scope="session", params=COMPILERS)
def cc(request) -> str | None:
    """The compiler's --cc value. Both must be installed (GCC by .ci/install-test-tools):
    find_compiler raises, and the test fails, if one is not."""
    spec = None if request.param == "clang" else request.param
    toolchain.find_compiler(spec)
    return spec


_native_cache: dict[tuple[str, str | None], Path] = {}


def native(wasm: dict[str, Path], name: str, cc: str | None) -> Path:
    key = (name, cc)
    if key not in _native_cache:
        _native_cache[key] = runcache.executable_for(wasm[name].read_bytes(), cc=cc, opt=OPT,
                                                     label=name, progress=False)
    return _native_cache[key]


# ---- running ----------------------------------------------------------------------------


@dataclass
class Result:
    code: int
    stdout: bytes
    stderr: bytes
    trapped: bool = False
    error: str = ""  # Wasmtime's trap or error message, with its wasm backtrace


def run_wasmtime(wasm_path: Path, argv: list[str], env: dict[str, str],
                 dirs: list[tuple[Path, str]], stdin: bytes, tmp: Path) -> Result:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    cfg = wasmtime.WasiConfig()
    cfg.argv = argv
    cfg.env = list(env.items())
    for host, guest in dirs:
        cfg.preopen_dir(str(host), guest)
    (tmp / "stdin").write_bytes(stdin)
    cfg.stdin_file = str(tmp / "stdin")
    cfg.stdout_file = str(tmp / "wt-stdout")
    cfg.stderr_file = str(tmp / "wt-stderr")
    store.set_wasi(cfg)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, str(wasm_path))
    instance = linker.instantiate(store, module)
    code, trapped, error = 0, False, ""
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        code = e.code
    except (wasmtime.Trap, wasmtime.WasmtimeError) as e:
        code, trapped, error = 134, True, str(e)
    del instance, store
    return Result(code, (tmp / "wt-stdout").read_bytes(), (tmp / "wt-stderr").read_bytes(),
                  trapped, error)


def wasmtime_first_frame(error: str) -> str | None:
    """The function of frame 0 in Wasmtime's `wasm backtrace` (its name-section name)."""
    m = re.search(r"^\s*0:\s+0x[0-9a-f]+ - [^\n]*?!(\S+)\s*$", error, re.M)
    return m and m.group(1)


def run_native(exe: Path, argv: list[str], env: dict[str, str], dirs: list[tuple[Path, str]],
               stdin: bytes, extra_env: dict[str, str] | None = None) -> Result:
    cmd = [str(exe), "--argv0", argv[0]]
    for host, guest in dirs:
        cmd += ["--dir", f"{host}::{guest}"]
    for k, v in env.items():
        cmd += ["--env", f"{k}={v}"]
    cmd += ["--", *argv[1:]]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, timeout=60,
                          env={**os.environ, **(extra_env or {})})
    return Result(proc.returncode, proc.stdout, proc.stderr, proc.returncode == 134)


def snapshot(root: Path) -> dict[str, object]:
    """Everything on disk under root: directories, file contents, symlink targets."""
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir",)
            else:
                out[rel] = ("file", p.read_bytes())
    return out


OUTSIDE_TIME = 1_000_000_000_123_456_789

# sandbox.c lines that are allowed to succeed (everything else must be denied)
SANDBOX_ALLOWED = ('inner/../file.txt', 'lstat("out"', 'symlink("../outside.txt"',
                   'symlink("../../.."', 'symlink("l', 'link("out"', 'rename("file.txt", "inner',
                   'open("inner/file.txt"', 'unlink("made")')


def make_tree(root: Path) -> Path:
    """root/outside.txt, root/secret/key, and the sandbox root/box with a few files and
    symlinks (some pointing out). Returns the sandbox."""
    root.mkdir(parents=True)
    (root / "outside.txt").write_text("outside, must not change\n")
    os.utime(root / "outside.txt", ns=(OUTSIDE_TIME, OUTSIDE_TIME))
    (root / "secret").mkdir()
    (root / "secret" / "key").write_text("k\n")
    box = root / "box"
    box.mkdir()
    (box / "file.txt").write_text("inside\n")
    (box / "inner").mkdir()
    (box / "inner" / "x.txt").write_text("x\n")
    os.symlink("../outside.txt", box / "out")
    os.symlink("/etc/passwd", box / "abs")
    os.symlink("..", box / "up")
    os.symlink("loop", box / "loop")
    return box


def differential(tmp_path: Path, wasm: dict[str, Path], name: str, cc: str | None,
                 argv: list[str] | None = None, env: dict[str, str] | None = None,
                 stdin: bytes = b"", preopen: bool = True,
                 extra_env: dict[str, str] | None = None,
                 files: dict[str, bytes] | None = None) -> tuple[Result, Result]:
    argv = argv or [f"{name}.wasm"]
    env = env or {}
    exe = native(wasm, name, cc)
    results, snaps = [], []
    for side in ("wasmtime", "native"):
        root = tmp_path / side
        box = make_tree(root)
        for rel, content in (files or {}).items():
            (box / rel).write_bytes(content)
        dirs = [(box, ".")] if preopen else []
        if side == "wasmtime":
            (tmp_path / "io").mkdir(exist_ok=True)
            results.append(run_wasmtime(wasm[name], argv, env, dirs, stdin, tmp_path / "io"))
        else:
            results.append(run_native(exe, argv, env, dirs, stdin, extra_env))
        snaps.append(snapshot(root))
    wt, nat = results
    if nat.stdout != wt.stdout:
        import difflib

        diff = "".join(difflib.unified_diff(
            wt.stdout.decode(errors="replace").splitlines(True),
            nat.stdout.decode(errors="replace").splitlines(True), "wasmtime", "native"))
        pytest.fail(f"stdout differs (exit {wt.code} vs {nat.code}):\n{diff}")
    assert nat.code == wt.code
    if wt.trapped:
        assert nat.stderr.decode().splitlines()[-1].startswith("error: wasm trap:") or \
            "error: wasm trap:" in nat.stderr.decode()
    else:
        assert nat.stderr == wt.stderr
    assert snaps[1] == snaps[0]
    return wt, nat


# ---- the differential tests -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code"),
    [(["3", "x"], 3), (["0", "return"], 0), (["5", "return"], 5), ([], 0)],
)
def test_basics(tmp_path, wasm, cc, args, code) -> None:
    wt, _ = differential(tmp_path, wasm, "basics", cc, argv=["basics.wasm", *args],
                         env={"GREETING": "hi there", "A": "b=c", "EMPTY": ""},
                         stdin=b"line one\nline two\nno newline")
    assert wt.code == code


@pytest.mark.parametrize("mode", ["trap", "oob", "oob2", "misaligned"])
def test_traps_and_bad_pointers(tmp_path, wasm, cc, mode) -> None:
    wt, nat = differential(tmp_path, wasm, "basics", cc, argv=["basics.wasm", "1", mode])
    assert wt.trapped and nat.code == 134
    if mode == "trap":
        assert "error: wasm trap: unreachable" in nat.stderr.decode()
    elif mode.startswith("oob"):
        assert "out of bounds memory access" in nat.stderr.decode()
    # the trap (in the program, or in a WASI call it made) names Wasmtime's innermost frame
    assert f"  in function {wasmtime_first_frame(wt.error)}" in nat.stderr.decode().splitlines()


# ---- a bad pointer in a WASI call names the Wasm function that made the call ------------

# $writer is called through an exported table, so the C compiler can't inline it into
# _start (a trap in inlined code is reported in the function it was inlined into). Its
# export name differs from its name-section name: both Wasmtime and wasmc report the latter.
BAD_POINTER_WAT = r"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ok\n")
  (type $w (func (param i32) (result i32)))
  (table (export "table") funcref (elem $writer))
  (func $writer (export "write_out") (param $iovs i32) (result i32)
    (call $fd_write (i32.const 1) (local.get $iovs) (i32.const 1) (i32.const 8)))
  (func $start (export "_start")
    (i32.store (i32.const 0) (i32.const 16))         ;; iovec at 0: "ok\n"
    (i32.store (i32.const 4) (i32.const 3))
    (i32.store (i32.const 32) (i32.const 0xffff0000)) ;; iovec at 32: buffer out of bounds
    (i32.store (i32.const 36) (i32.const 16))
    (drop (call_indirect (type $w) (i32.const 0) (i32.const 0)))
    (drop (call_indirect (type $w) (i32.const IOVS) (i32.const 0)))
    (call $exit (i32.const 7))))
"""


@pytest.mark.parametrize(
    ("iovs", "message"),
    [("0xfffffff8", "out of bounds memory access"),  # the iovec array
     ("32", "out of bounds memory access"),  # the buffer an iovec points to
     ("2", "unaligned pointer in a WASI call"),
     ("0", None)],  # a good pointer: no trap
    ids=["iovec-array", "iovec-buffer", "misaligned", "ok"],
)
def test_bad_pointer_trap_names_the_caller(tmp_path, cc, iovs, message) -> None:
    path = tmp_path / "writer.wat"
    path.write_text(BAD_POINTER_WAT.replace("IOVS", iovs))
    (tmp_path / "io").mkdir()
    wt = run_wasmtime(path, ["writer.wat"], {}, [], b"", tmp_path / "io")
    proc = wasmc_cli("run", "-O1", *(["--cc", cc] if cc else []), str(path))
    assert proc.stdout == wt.stdout == (b"ok\n" if message else b"ok\nok\n")
    if message is None:
        assert (proc.returncode, wt.code) == (7, 7), proc.stderr
        return
    assert wt.trapped and proc.returncode == 134, proc.stderr
    assert wasmtime_first_frame(wt.error) == "writer", wt.error
    assert proc.stderr.decode().splitlines()[-2:] == [
        f"error: wasm trap: {message}", "  in function writer"]


def test_every_wasi_entry_point_saves_its_caller() -> None:
    """Each wasi_* function starts with ENTER() (wasi.c), so its traps name the Wasm caller
    instead of whatever WASI call ran before."""
    source = (toolchain.RUNTIME_DIR / "wasi.c").read_text()
    defined = set(re.findall(r"^(?:uint32_t|void) wasi_(\w+)\(void \*env", source, re.M))
    entered = set(re.findall(
        r"^(?:uint32_t|void) wasi_(\w+)\(void \*env[^{;]*\{\n    ENTER\(\);", source, re.M))
    assert defined == set(WASI_FUNCS)
    assert entered == defined


def test_files(tmp_path, wasm, cc) -> None:
    differential(tmp_path, wasm, "files", cc)


@pytest.mark.parametrize("walker", [False, True], ids=["openat2", "walk"])
def test_sandbox(tmp_path, wasm, cc, walker) -> None:
    extra = {"WASMC_WASI_NO_OPENAT2": "1"} if walker else None
    wt, nat = differential(tmp_path, wasm, "sandbox", cc, extra_env=extra)
    # every escape attempt failed: nothing outside the box changed (checked against the
    # original tree, not only against Wasmtime's)
    root = tmp_path / "native"
    assert (root / "outside.txt").read_text() == "outside, must not change\n"
    assert os.stat(root / "outside.txt").st_mtime_ns == OUTSIDE_TIME
    assert sorted(os.listdir(root)) == ["box", "outside.txt", "secret"]
    assert sorted(os.listdir(root / "secret")) == ["key"]
    lines = nat.stdout.decode().splitlines()
    assert len(lines) > 40
    for line in lines:
        if any(ok in line for ok in SANDBOX_ALLOWED):
            continue
        result = line.rsplit("->", 1)[1].split()
        # denied: `perm` (63) for escapes, `loop` (32) for symlink loops
        assert result[0] in ("-1", "63", "32"), line
        assert result[1] in ("errno=63", "errno=32") or result[0] in ("63", "32"), line


def test_no_preopens(tmp_path, wasm, cc) -> None:
    differential(tmp_path, wasm, "files", cc, preopen=False)


DEMO = (WASI_DIR / "scripts" / "demo.txt").read_bytes()


@pytest.mark.parametrize("args", [["x", "y"], ["fail"]])
def test_interpreter(tmp_path, wasm, cc, args) -> None:
    """A real program: the interpreter of tests/wasi/interp.c runs a script (recursion,
    a sieve, strings, arrays) read from the preopened directory."""
    wt, nat = differential(tmp_path, wasm, "interp", cc, argv=["interp", "demo.txt", *args],
                           files={"demo.txt": DEMO})
    assert b"primes below 20000: 2262 last: 19997" in nat.stdout
    if args == ["fail"]:
        assert nat.code == 2 and b"division by zero" in nat.stderr


def test_interpreter_missing_script(tmp_path, wasm, cc) -> None:
    wt, nat = differential(tmp_path, wasm, "interp", cc, argv=["interp", "nope.txt"])
    assert nat.code == 66


# ---- the command line: wasmc run, wasmc compile, the cache -------------------------------

HELLO_WAT = r"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $args_sizes (i32.const 32) (i32.const 36)))
    ;; exit status: the number of arguments, argv[0] included
    (call $exit (i32.load (i32.const 32))))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
"""


def wasmc_cli(*args: str, env: dict[str, str] | None = None,
              stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """The wasmc command (bytes out; fails the test if wasmc crashed, tests/wasmc_cli.py)."""
    return cli_helper.wasmc_cli(*args, env=env, text=False, input=stdin)


def private_cache(tmp_path: Path) -> dict[str, str]:
    """Environment for a private wasmc cache. zig keeps its own cache under
    $XDG_CACHE_HOME too: point it at the usual one, or the first build takes minutes."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    zig = os.environ.get("ZIG_GLOBAL_CACHE_DIR") or os.path.join(base, "zig")
    return {"XDG_CACHE_HOME": str(tmp_path / "cache"), "ZIG_GLOBAL_CACHE_DIR": zig}


@pytest.fixture
def hello(tmp_path) -> Path:
    path = tmp_path / "hello.wat"
    path.write_text(HELLO_WAT)
    return path


def test_run_wasi_program_like_wasmtime(tmp_path, wasm) -> None:
    box = make_tree(tmp_path / "tree")
    (box / "demo.txt").write_bytes(DEMO)
    proc = wasmc_cli("run", "-O1", "--dir", f"{box}::.", "--env", "K=V", str(wasm["interp"]),
                     "demo.txt", "--flag", "-x")
    assert proc.returncode == 0, proc.stderr
    wt = run_wasmtime(wasm["interp"], [str(wasm["interp"]), "demo.txt", "--flag", "-x"],
                      {"K": "V"}, [(box, ".")], b"", tmp_path)
    assert proc.stdout == wt.stdout
    assert b"args: [--flag, -x] 2" in proc.stdout


def test_run_exit_status_and_stdio(tmp_path, wasm) -> None:
    proc = wasmc_cli("run", "-O1", "--env", "GREETING=yo", str(wasm["basics"]), "9", "x",
                     stdin=b"some input\n")
    assert proc.returncode == 9
    assert b"getenv GREETING=yo" in proc.stdout
    assert b"stdin: some input" in proc.stdout
    assert proc.stderr == b"to stderr\n"
    trap = wasmc_cli("run", "-O1", str(wasm["basics"]), "1", "trap")
    assert trap.returncode == 134
    assert b"error: wasm trap: unreachable" in trap.stderr


def test_run_cache_and_clean(tmp_path, hello) -> None:
    env = private_cache(tmp_path)
    first = wasmc_cli("run", "-O0", str(hello), "a", "b", env=env)
    assert (first.returncode, first.stdout) == (3, b"hello\n"), first.stderr
    exes = list((tmp_path / "cache" / "wasmc" / "executables").glob("*/program"))
    assert len(exes) == 1
    before = exes[0].stat().st_mtime_ns
    again = wasmc_cli("run", "-O0", str(hello), env=env)
    assert (again.returncode, again.stdout) == (1, b"hello\n")
    assert exes[0].stat().st_mtime_ns == before  # not rebuilt
    # a cached binary module starts without importing the compiler (cli._fast_run)
    from wasmc import api

    binary = tmp_path / "hello.wasm"
    binary.write_bytes(api.read_source(hello))
    wasmc_cli("run", "-O0", str(binary), env=env)
    fast = subprocess.run([sys.executable, "-X", "importtime", "-m", "wasmc.cli", "run", "-O0",
                           str(binary), "x"], capture_output=True,
                          env={**os.environ, **env, "WASMC_TRACEBACK": "1"})
    check_no_crash(fast.stderr)
    assert (fast.returncode, fast.stdout) == (2, b"hello\n")
    assert b"wasmc.runcache" in fast.stderr
    assert b"wasmc.toolchain" not in fast.stderr and b"wasmc.api" not in fast.stderr
    invoke = wasmc_cli("run", "-O0", "--invoke", "add", str(hello), "2", "40", env=env)
    assert (invoke.returncode, invoke.stdout) == (0, b"42\n"), invoke.stderr
    fresh = wasmc_cli("run", "-O0", "--no-cache", str(hello), "x", env=env)
    assert (fresh.returncode, fresh.stdout) == (2, b"hello\n")
    clean = wasmc_cli("cache", "clean", env=env)
    assert clean.returncode == 0 and b"removed" in clean.stdout
    assert not (tmp_path / "cache" / "wasmc" / "executables").exists()


def test_cached_start_does_not_run_the_compiler(tmp_path, hello, monkeypatch) -> None:
    for k, v in private_cache(tmp_path).items():
        monkeypatch.setenv(k, v)
    from wasmc import api

    data = api.read_source(hello)
    exe = runcache.executable_for(data, opt=0, progress=False)
    assert runcache.cache_root() == toolchain.cache_dir()

    def no_compiler(*args, **kwargs):
        raise AssertionError("the compiler was consulted")

    monkeypatch.setattr(toolchain, "find_compiler", no_compiler)
    assert runcache.executable_for(data, opt=0, progress=False) == exe


def test_compile_standalone_executable(tmp_path, hello) -> None:
    out = tmp_path / "app"
    proc = wasmc_cli("compile", "-O0", str(hello), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "data").mkdir()
    ran = subprocess.run([str(out), "--dir", str(tmp_path / "data"), "--", "in.txt", "--x"],
                         capture_output=True)
    assert (ran.returncode, ran.stdout) == (3, b"hello\n")
    bad = subprocess.run([str(out), "--bogus"], capture_output=True)
    assert bad.returncode == 2 and b"unknown option" in bad.stderr
    missing = subprocess.run([str(out), "--dir", str(tmp_path / "nope")], capture_output=True)
    assert missing.returncode == 1 and b"failed to open directory" in missing.stderr


def test_other_imports_are_rejected(tmp_path) -> None:
    path = tmp_path / "env.wat"
    path.write_text('(module (import "env" "f" (func)) (func (export "_start")))')
    proc = wasmc_cli("run", "-O0", str(path))
    assert proc.returncode == 1
    assert b"unknown import" in proc.stderr


def test_concurrent_runs_share_the_cache(tmp_path, hello) -> None:
    """Two cold runs of one module at once: both compile or one waits; both succeed and
    the cache ends up with one complete executable."""
    env = {**os.environ, **private_cache(tmp_path), "WASMC_TRACEBACK": "1"}
    procs = [subprocess.Popen([sys.executable, "-m", "wasmc.cli", "run", "-O0", str(hello)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        check_no_crash(err)
        assert (proc.returncode, out) == (1, b"hello\n"), err
    exes = list((tmp_path / "cache" / "wasmc" / "executables").glob("*/program"))
    assert len(exes) == 1
    leftovers = [p for p in exes[0].parent.iterdir() if p.name != "program"]
    assert not leftovers


def test_exit_status_out_of_range(tmp_path, wasm, cc) -> None:
    """proc_exit(200): Wasmtime refuses statuses >= 126 with an error; so does wasmc."""
    (tmp_path / "io").mkdir()
    wt = run_wasmtime(wasm["basics"], ["basics.wasm", "200", "x"], {}, [], b"", tmp_path / "io")
    assert wt.trapped
    nat = run_native(native(wasm, "basics", cc), ["basics.wasm", "200", "x"], {}, [], b"")
    assert nat.code == 1
    assert nat.stdout == wt.stdout
    assert b"exit with invalid exit status outside of [0..126)" in nat.stderr


def test_sockets(wasm, cc) -> None:
    """An echo server on a `--tcplisten` socket (native only: the wasmtime package can't
    preopen sockets)."""
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exe = native(wasm, "sockets", cc)
    server = subprocess.Popen([str(exe), "--tcplisten", f"127.0.0.1:{port}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # The server's non-blocking accept must come before the client (sockets.c).
        assert server.stderr.readline() == b"ready\n"
        for _ in range(200):
            try:
                client = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except ConnectionRefusedError:
                time.sleep(0.05)
        with client:
            client.sendall(b"ping")
            reply = b""
            while chunk := client.recv(100):
                reply += chunk
        out, err = server.communicate(timeout=30)
    finally:
        server.kill()
    assert reply == b"echo: ping"
    assert server.returncode == 0, err
    assert out.decode().splitlines() == [
        "fdstat=0 filetype=6", "set nonblock=0", "accept nonblocking before a client=6",
        "poll=0", "events=1 type=1 error=0", "set blocking=0", "accept=0", "recv=0",
        "got 4 bytes: ping", "send=0 sent=10", "shutdown=0", "close=0"]

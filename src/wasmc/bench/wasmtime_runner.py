"""Run a WASI command module on Wasmtime (the `wasmtime` PyPI package), timing compile and
run apart.

usage: python -m wasmc.bench.wasmtime_runner APP.wasm [ARGS...]

The compile phase is `Module(...)` (Cranelift compiles the whole module ahead of time, with
the tail-call and exception-handling proposals enabled); the run phase is instantiation plus
`_start`, measured as the process's CPU time (user + system, `time.process_time`) and as wall
time. The module's stdout and stderr are the process's. Prints
`WASMC_BENCH compile=SECONDS run_cpu=SECONDS run_wall=SECONDS` to stderr and exits with the
module's exit code.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    import wasmtime

    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    wasm_path, *args = argv
    config = wasmtime.Config()
    config.wasm_tail_call = True
    config.wasm_exceptions = True
    engine = wasmtime.Engine(config)
    data = Path(wasm_path).read_bytes()
    t0 = time.perf_counter()
    module = wasmtime.Module(engine, data)
    t1 = time.perf_counter()

    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [wasm_path, *args]
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    code = 0
    t2, c2 = time.perf_counter(), time.process_time()
    try:
        instance = linker.instantiate(store, module)
        start = instance.exports(store)["_start"]
        assert isinstance(start, wasmtime.Func)
        start(store)
    except wasmtime.ExitTrap as e:
        code = e.code
    t3, c3 = time.perf_counter(), time.process_time()
    print(f"WASMC_BENCH compile={t1 - t0:.6f} run_cpu={c3 - c2:.6f} run_wall={t3 - t2:.6f}",
          file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

// wasmc bench: run a WASI command module on V8 (node), timing compile and run apart.
//
// usage: node [V8 flags] v8_runner.mjs APP.wasm [ARGS...]
// The compile phase is WebAssembly.compile (with --no-liftoff --no-wasm-lazy-compilation,
// every function is compiled by the optimizing tier here, before the run); the run phase
// is instantiate + _start, as the process's CPU time (user + system) and as wall time.
// Prints "WASMC_BENCH compile=SECONDS run_cpu=SECONDS run_wall=SECONDS" to stderr.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [wasmPath, ...args] = process.argv.slice(2);
const bytes = await readFile(wasmPath);
const t0 = performance.now();
const module = await WebAssembly.compile(bytes);
const t1 = performance.now();
const wasi = new WASI({ version: 'preview1', args: [wasmPath, ...args], env: {}, returnOnExit: true });
const t2 = performance.now();
const c2 = process.cpuUsage();
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
const t3 = performance.now();
const c3 = process.cpuUsage(c2);
const cpu = (c3.user + c3.system) / 1e6;
process.stderr.write(`WASMC_BENCH compile=${((t1 - t0) / 1000).toFixed(6)} ` +
  `run_cpu=${cpu.toFixed(6)} run_wall=${((t3 - t2) / 1000).toFixed(6)}\n`);
process.exitCode = code;

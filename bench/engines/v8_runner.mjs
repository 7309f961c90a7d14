// wasmc bench: run a WASI command module on V8 (node), timing compile and run apart.
//
// usage: node [V8 flags] v8_runner.mjs APP.wasm [ARGS...]
// The compile phase is WebAssembly.compile (with --no-liftoff --no-wasm-lazy-compilation,
// every function is compiled by the optimizing tier here, before the run); the run phase
// is instantiate + _start, as the process's CPU time (user + system) and as wall time.
// Prints "WASMC_BENCH compile=SECONDS run_cpu=SECONDS run_wall=SECONDS" to stderr.
//
// The WASI imports are our own, just what the benchmark programs use (args, writes to
// stdout/stderr, exit): node 20's node:wasi crashes (SIGSEGV) after some runs of modules
// that grow their memory to tens of MiB.
import { readFileSync, writeSync } from 'node:fs';

const [wasmPath, ...args] = process.argv.slice(2);
const argv = [wasmPath, ...args].map((a) => Buffer.from(a + '\0'));
const ESUCCESS = 0, EBADF = 8, ESPIPE = 70;

class Exit {
  constructor(code) { this.code = code; }
}

let memory = null;
const view = () => new DataView(memory.buffer);
const wasi = {
  args_sizes_get(argcPtr, sizePtr) {
    view().setUint32(argcPtr, argv.length, true);
    view().setUint32(sizePtr, argv.reduce((n, a) => n + a.length, 0), true);
    return ESUCCESS;
  },
  args_get(argvPtr, bufPtr) {
    const bytes = new Uint8Array(memory.buffer);
    argv.forEach((a, i) => {
      view().setUint32(argvPtr + 4 * i, bufPtr, true);
      bytes.set(a, bufPtr);
      bufPtr += a.length;
    });
    return ESUCCESS;
  },
  fd_write(fd, iovs, iovsLen, nwrittenPtr) {
    if (fd !== 1 && fd !== 2) return EBADF;
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = view().getUint32(iovs + 8 * i, true);
      const len = view().getUint32(iovs + 8 * i + 4, true);
      let done = 0;
      while (done < len) done += writeSync(fd, new Uint8Array(memory.buffer, ptr + done, len - done));
      total += len;
    }
    view().setUint32(nwrittenPtr, total, true);
    return ESUCCESS;
  },
  fd_fdstat_get(fd, buf) {
    if (fd > 2) return EBADF;
    new Uint8Array(memory.buffer, buf, 24).fill(0);
    view().setUint8(buf, 2); // character device
    view().setBigUint64(buf + 8, 0x48n, true); // fd_read | fd_write
    view().setBigUint64(buf + 16, 0x48n, true);
    return ESUCCESS;
  },
  fd_seek() { return ESPIPE; },
  fd_close() { return ESUCCESS; },
  proc_exit(code) { throw new Exit(code); },
};

const bytes = readFileSync(wasmPath);
const t0 = performance.now();
const module = await WebAssembly.compile(bytes);
const t1 = performance.now();
for (const imp of WebAssembly.Module.imports(module)) {
  if (imp.module !== 'wasi_snapshot_preview1' || !(imp.name in wasi)) {
    process.stderr.write(`v8_runner: unsupported import ${imp.module}.${imp.name}\n`);
    process.exit(3);
  }
}
const t2 = performance.now();
const c2 = process.cpuUsage();
let code = 0;
const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi });
memory = instance.exports.memory;
try {
  instance.exports._start();
} catch (e) {
  if (!(e instanceof Exit)) throw e;
  code = e.code;
}
const t3 = performance.now();
const c3 = process.cpuUsage(c2);
const cpu = (c3.user + c3.system) / 1e6;
process.stderr.write(`WASMC_BENCH compile=${((t1 - t0) / 1000).toFixed(6)} ` +
  `run_cpu=${cpu.toFixed(6)} run_wall=${((t3 - t2) / 1000).toFixed(6)}\n`);
process.exitCode = code;

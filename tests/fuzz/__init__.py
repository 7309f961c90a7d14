"""Differential and malformed-input fuzzing for wasmc (see docs/fuzzing.md).

    python scripts/fuzz.py diff --count 20000 --seed 1
    python scripts/fuzz.py malformed --count 10000 --seed 1

Modules:
  tools         wasm-tools (smith, shrink, print, validate) and the Wasmtime configuration
  engines       running a module under Wasmtime and under wasmc, and comparing the outcomes
  build         compiling a batch of modules into one library, one object per module
  procs         child processes with a JSON-lines protocol and a watchdog
  differential  the differential fuzzer (generation, batches, findings)
  mutate        the byte-level mutators for malformed input
  malformed     the malformed-input fuzzer
  reduce        shrinking findings and saving them as regression tests
  cli           the command line (scripts/fuzz.py)
"""

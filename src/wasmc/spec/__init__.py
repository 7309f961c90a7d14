"""The spec-testsuite runner: runs the official .wast scripts against wasmc.

- `testsuite`: where the testsuite is, its groups (GROUPS.txt) and files;
- `values`: JSON values of `wasm-tools json-from-wast` <-> raw slots, NaN patterns;
- `script`: runs one converted script in-process (`ScriptRunner`);
- `worker`: the child process that runs one script (crash isolation);
- `runner`: runs many scripts in parallel workers, prints and writes the results;
- `status`: regenerates docs/spec-status.md.
"""

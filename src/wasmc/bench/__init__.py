"""`wasmc bench`, the performance oracle (DESIGN.md §5): benchmark programs in C
(bench/programs/) built natively and to Wasm, run on native builds, wasmc, Wasmtime, V8 and
wasm2c; outputs checked against native, run phases timed, results as a table, JSON and a
chart. See docs/performance.md."""

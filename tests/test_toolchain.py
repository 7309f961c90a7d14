"""toolchain.py's environment for the bundled zig cc: a `ZIG_LIBC` description of the host's
libc, so that zig does not detect it (three runs of the system cc) on every compile."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import wasmc.api
from wasmc import errors, toolchain


def test_host_zig_cc_gets_a_libc_file() -> None:
    cc = toolchain.find_compiler(None)
    assert cc.is_zig
    env = toolchain.compiler_environment([*cc.command, "-c", "x.c"])
    assert env is not None
    text = Path(env["ZIG_LIBC"]).read_text()
    assert "include_dir=" in text and "crt_dir=" in text


def test_other_targets_and_compilers_keep_the_environment() -> None:
    zig = toolchain.find_compiler(None).command
    assert toolchain.compiler_environment([*zig, "-target", "wasm32-wasi", "x.c"]) is None
    assert toolchain.compiler_environment(["gcc", "-c", "x.c"]) is None
    assert toolchain.compiler_environment(["ccache", "gcc", "-c", "x.c"]) is None


def test_compiles_run_with_the_libc_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "x.c"
    source.write_text("int x(void) { return 1; }\n")
    seen: list[dict[str, str] | None] = []
    real_run = subprocess.run

    def spy(command, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs.get("env"))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(toolchain.subprocess, "run", spy)
    toolchain.run_compiler(toolchain.find_compiler(None), ["-c", str(source), "-o",
                                                           str(tmp_path / "x.o")])
    assert (tmp_path / "x.o").is_file()
    assert seen and seen[-1] is not None and "ZIG_LIBC" in seen[-1]


def test_a_stale_libc_file_is_made_again(tmp_path: Path, monkeypatch) -> None:
    """The file names the host's directories; when one is gone (another GCC), it is made
    again instead of handing zig a libc that is not there. (On a copy in a cache of
    its own: compiles in other processes read the shared one meanwhile.)"""
    zig = toolchain.find_compiler(None).command[0]
    shared = Path(toolchain._zig_libc_file(zig) or "")
    assert shared.is_file()
    good = shared.read_text()
    monkeypatch.setattr(toolchain, "cache_dir", lambda: tmp_path)
    stale = tmp_path / shared.name
    stale.write_text(good.replace("crt_dir=", "crt_dir=/no/such/gcc/"))
    assert toolchain._zig_libc_file(zig) == str(stale)
    assert stale.read_text() == good


def _libc_fields(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines()
                if "=" in line and not line.startswith("#"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="wasmc's own detection is Linux's")
def test_the_libc_file_is_made_without_zig_libc(tmp_path: Path, monkeypatch) -> None:
    """On Linux wasmc writes the libc file itself, from the system cc's answers: `zig libc`
    is compiled on its first use (85 s of CPU), and every wasmc process on a fresh machine
    used to wait 10 s for it and give up. The file must say what `zig libc` says (run here
    with all the time it needs) and let zig cc link and run a program."""
    zig = toolchain.find_compiler(None).command[0]
    monkeypatch.setattr(toolchain, "cache_dir", lambda: tmp_path / "cache")
    commands: list[list[str]] = []
    real_run = subprocess.run

    def spy(command, *args, **kwargs):  # type: ignore[no-untyped-def]
        commands.append(list(command))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(toolchain.subprocess, "run", spy)
    path = toolchain._zig_libc_file(zig)
    assert path is not None and Path(path).is_file()
    assert not [c for c in commands if c[1:2] == ["libc"]]
    monkeypatch.setattr(toolchain.subprocess, "run", real_run)
    ours = _libc_fields(Path(path).read_text())
    zigs = _libc_fields(real_run([zig, "libc"], capture_output=True, text=True, check=True,
                                 timeout=900).stdout)
    assert ours == zigs

    program = tmp_path / "hello.c"
    program.write_text("#include <errno.h>\n#include <stdio.h>\n"
                       "int main(void) { printf(\"hello %d\\n\", EINTR); return 0; }\n")
    env = {**os.environ, "ZIG_LIBC": path, "ZIG_LOCAL_CACHE_DIR": str(tmp_path / "zig")}
    real_run([zig, "cc", str(program), "-o", str(tmp_path / "hello")], env=env, check=True)
    out = real_run([str(tmp_path / "hello")], capture_output=True, text=True, check=True)
    assert out.stdout == "hello 4\n"


def test_no_libc_file_when_the_system_cc_is_missing(tmp_path: Path, monkeypatch) -> None:
    """Without a system cc nothing is written, and zig is left to look for itself."""
    zig = toolchain.find_compiler(None).command[0]
    monkeypatch.setattr(toolchain, "cache_dir", lambda: tmp_path / "cache")
    monkeypatch.setattr(toolchain.sys, "platform", "linux")
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    assert toolchain._zig_libc_file(zig) is None
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("target", [[], ["-target", "wasm32-wasi"]])
def test_zig_keeps_no_copies_of_our_objects(tmp_path: Path, monkeypatch, target) -> None:
    """zig cc copies every object it compiles into its cache and never removes one (wasmc's
    builds had left 36 GB there): our compiles give it a local cache that is removed after
    them, so its global cache (here an empty one; compiling needs nothing from it) stays
    without objects, for a single compile and for a Build's, for the host and for Wasm."""
    zig_cache = tmp_path / "zig-global"
    monkeypatch.setenv("ZIG_GLOBAL_CACHE_DIR", str(zig_cache))
    monkeypatch.delenv("ZIG_LOCAL_CACHE_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    cc = toolchain.find_compiler(None)
    source = tmp_path / "x.c"
    source.write_text("int x(int a) { return a * 7; }\n")
    toolchain.run_compiler(cc, [*target, "-c", str(source), "-o", str(tmp_path / "x.o")])
    with toolchain.Build(cc, target, [], []) as build:
        build.add(source)
        build.wait()
        assert build.objects[0].is_file()
    assert (tmp_path / "x.o").is_file()
    assert not [p for p in zig_cache.rglob("*") if p.suffix == ".o"]
    assert not list((tmp_path / "tmp").iterdir())  # the local caches are gone


def _generated_assembly(tmp_path: Path, compiler: str | None, source: str) -> str:
    """`source` compiled as generated code (toolchain.generated_code_flags, -O2) to assembly."""
    if compiler and shutil.which(compiler) is None:
        pytest.skip(f"no {compiler}")
    cc = toolchain.find_compiler(compiler)
    c_file, asm = tmp_path / "x.c", tmp_path / "x.s"
    c_file.write_text(source)
    toolchain.run_compiler(cc, [*toolchain.generated_code_flags(cc, 2, pic=True), "-S",
                                "-I", str(toolchain.RUNTIME_DIR), str(c_file), "-o", str(asm)])
    return asm.read_text()


def _function_body(asm: str, name: str) -> str:
    """From `name:` to the end of that function (`.size name` or the next `.globl`)."""
    body = re.split(rf"^{name}:", asm, flags=re.MULTILINE)[1]
    return re.split(r"^\s*\.(?:size|globl)\b", body, flags=re.MULTILINE)[0]


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 assembly")
@pytest.mark.parametrize("compiler", [None, "gcc"])
def test_generated_code_has_no_frame_pointer(tmp_path: Path, compiler: str | None) -> None:
    """zig cc keeps a frame pointer in every non-leaf function unless told otherwise; in
    generated code that costs a register and three instructions per call
    (docs/performance.md, "clang against GCC"). A function that takes its frame address
    (exception handling's wasmc_exn_own) must still get one."""
    asm = _generated_assembly(tmp_path, compiler,
                              "int g(int);\nvoid h(void *);\n"
                              "int calls(int x) { return g(x) * 3 + g(x + 1); }\n"
                              "void framed(void) { h(__builtin_frame_address(0)); }\n")
    sets_up_frame = re.compile(r"^\s*movq?\s+%rsp,\s*%rbp", re.MULTILINE)
    assert not sets_up_frame.search(_function_body(asm, "calls"))
    assert sets_up_frame.search(_function_body(asm, "framed"))


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 assembly")
def test_clang_aligns_loops_of_generated_code_to_64_bytes(tmp_path: Path) -> None:
    """With clang, a loop header starts a 64-byte line, as a function does (toolchain.py):
    where a loop falls in the fetch windows then depends on the loop alone."""
    asm = _generated_assembly(tmp_path, None,
                              "int g(int);\n"
                              "int loop(int n) { int s = 0; for (int i = 0; i < n; i++) "
                              "s += g(i); return s; }\n")
    assert re.search(r"^\s*\.p2align\s+6\b", _function_body(asm, "loop"), re.MULTILINE)


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 assembly")
def test_gcc_aligns_the_top_of_a_rotated_loop_to_64_bytes(tmp_path: Path) -> None:
    """GCC enters this loop by a jump into its middle; its top is then a label reached only
    by the back edge, which -falign-loops leaves alone and -falign-jumps aligns. Both are
    64 in generated code (toolchain.py): lz77's match loop, this loop in Wasm, ran 13-16 %
    slower where it straddled a 64-byte line (docs/performance.md, "lz77 and regex against
    wasm2c + GCC")."""
    asm = _generated_assembly(tmp_path, "gcc",
                              "int match(const unsigned char *a, const unsigned char *b, "
                              "int limit) {\n  int len = 0;\n"
                              "  while (len < limit && a[len] == b[len]) len++;\n"
                              "  return len;\n}\n")
    lines = _function_body(asm, "match").splitlines()
    labels = {line[:-1]: k for k, line in enumerate(lines) if re.match(r"^\.L\w+:$", line)}
    back_edges = [m.group(1) for k, line in enumerate(lines)
                  if (m := re.match(r"^\s*j\w+\s+(\.L\w+)$", line))
                  and labels.get(m.group(1), k) < k]
    assert back_edges, "no loop in GCC's assembly"
    for label in back_edges:
        k = labels[label]
        directives = []
        while k > 0 and lines[k - 1].strip().startswith(".p2align"):
            k -= 1
            directives.append(lines[k].split(",")[0].split()[-1])
        assert "6" in directives, f"{label} is aligned by {directives}"


# A binary search whose two selects move its bounds: the loop of sortsearch's lower_bound.
LOWER_BOUND = """(module (memory 1)
  (func (export "lower_bound") (param $a i32) (param $n i32) (param $key i32) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $lt i32)
    (local.set $hi (local.get $n))
    (block $done
      (br_if $done (i32.ge_s (local.get $lo) (local.get $hi)))
      (loop $l
        (local.set $mid (i32.add (local.get $lo)
                          (i32.shr_u (i32.sub (local.get $hi) (local.get $lo)) (i32.const 1))))
        (local.set $lt (i32.lt_u (i32.load (i32.add (local.get $a)
                                   (i32.shl (local.get $mid) (i32.const 2))))
                                 (local.get $key)))
        (local.set $lo (select (i32.add (local.get $mid) (i32.const 1)) (local.get $lo)
                               (local.get $lt)))
        (local.set $hi (select (local.get $hi) (local.get $mid) (local.get $lt)))
        (br_if $l (i32.lt_s (local.get $lo) (local.get $hi)))))
    (local.get $lo)))"""


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 assembly")
def test_clang_keeps_a_wasm_select_as_a_conditional_move(tmp_path: Path) -> None:
    """The producer of a Wasm `select` chose no branch, and Wasmtime makes it a cmov.
    clang's cmov conversion turned these two into branches (a select in a loop that waits
    on a load), and a binary search over random keys ran 16 % slower (sortsearch; wasmc.h,
    WASMC_SELECT)."""
    _module, c = wasmc.api.translate(wasmc.api.read_source(LOWER_BOUND))
    body = _function_body(_generated_assembly(tmp_path, None, c), "f0")
    assert len(re.findall(r"^\s*cmov", body, re.MULTILINE)) == 2, body


# A stand-in C compiler: counts its runs in COUNT, then behaves as MODE says for the runs
# listed in CRASH_RUNS (crash by a signal, or print clang's crash report and exit 1, as zig's
# driver does) and otherwise writes its -o file, or fails plainly with MODE=reject.
FAKE_CC = """#!/bin/sh
count=$(cat "$COUNT" 2>/dev/null || echo 0); count=$((count + 1)); echo $count > "$COUNT"
case " $CRASH_RUNS " in *" $count "*)
  if [ "$MODE" = signal ]; then kill -BUS $$; fi
  echo "PLEASE ATTACH THE FOLLOWING FILES TO THE BUG REPORT:"; exit 1;;
esac
if [ "$MODE" = reject ]; then echo "error: no"; exit 1; fi
while [ "$1" != "-o" ]; do shift; done; : > "$2"
"""


@pytest.mark.parametrize("mode, crash_runs, runs, ok", [
    ("signal", "1", 2, True),  # a crash, then it compiles
    ("report", "1", 2, True),  # clang's crash report through zig: exit status 1
    ("signal", "1 2", 2, False),  # crashes twice: a failure, after one retry
    ("reject", "", 1, False),  # an ordinary error is not retried
])
def test_a_crashed_compile_is_run_once_more(tmp_path: Path, monkeypatch, mode, crash_runs,
                                            runs, ok) -> None:
    script = tmp_path / "fake-cc"
    script.write_text(FAKE_CC)
    script.chmod(0o755)
    monkeypatch.setenv("COUNT", str(tmp_path / "count"))
    monkeypatch.setenv("CRASH_RUNS", crash_runs)
    monkeypatch.setenv("MODE", mode)
    source = tmp_path / "a.c"
    source.write_text("int x;\n")
    cc = toolchain.CCompiler((str(script),), "gcc", "fake 1", "fake")
    with toolchain.Build(cc, [], [], [], jobs=1) as build:
        build.add(source)
        if ok:
            build.wait()
            assert build.objects[0].exists() and build.compiled == 1
        else:
            with pytest.raises(toolchain.ToolchainError, match="C compiler failed"):
                build.wait()
    assert int((tmp_path / "count").read_text()) == runs


VERSION_CC = """#!/bin/sh
count=$(cat "$COUNT" 2>/dev/null || echo 0); echo $((count + 1)) > "$COUNT"
if [ "$1" = --version ]; then echo "gcc (fake) $VERSION"; exit $STATUS; fi
"""


def test_the_compilers_version_is_remembered_per_binary(tmp_path: Path, monkeypatch) -> None:
    """`cc --version` runs once per compiler binary (its size and modification time), not
    in every process: a new binary is asked again, a failure is not remembered."""
    script = tmp_path / "fake-cc"
    script.write_text(VERSION_CC)
    script.chmod(0o755)
    count = tmp_path / "count"
    monkeypatch.setattr(toolchain, "cache_dir", lambda: tmp_path / "cache")
    monkeypatch.setenv("COUNT", str(count))
    monkeypatch.setenv("VERSION", "1")
    monkeypatch.setenv("STATUS", "0")

    def resolve() -> toolchain.CCompiler:
        toolchain._resolve.cache_clear()
        return toolchain.find_compiler(str(script))

    assert resolve().version == "gcc (fake) 1"
    monkeypatch.setenv("VERSION", "2")  # the same binary: the remembered answer
    assert resolve().version == "gcc (fake) 1" and count.read_text().strip() == "1"
    script.write_text(VERSION_CC + "# another build\n")  # a new binary
    assert resolve().version == "gcc (fake) 2" and count.read_text().strip() == "2"
    script.write_text(VERSION_CC + "# a broken build\n")
    monkeypatch.setenv("STATUS", "3")
    for _ in range(2):
        with pytest.raises(errors.ToolchainError, match="--version failed"):
            resolve()
    assert count.read_text().strip() == "4"
    toolchain._resolve.cache_clear()

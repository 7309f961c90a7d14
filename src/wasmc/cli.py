"""The `wasmc` command: a thin layer over the Python API.

    wasmc compile MODULE -o OUT [--emit-c DIR] [--cc CC] [-O N] [-j N]
    wasmc compile MODULE --emit-c DIR      (C for embedding, docs/embedding-c.md)
    wasmc run [--cc CC] [-O N] [-j N] MODULE --invoke NAME [ARGS...]
    wasmc spec [--group NAME] [--json FILE] [--cc CC] [-O N] [-j N] [-v] [WAST...]
    wasmc --version

Exit status: 0 success; 1 the module could not be compiled, linked or instantiated (one line
`wasmc: FILE: <error>` on stderr) or, for `spec`, some command failed; 2 bad command-line
usage (also an unknown export or badly formed ARGS); 134 a Wasm trap (`error: wasm trap:
MESSAGE` and `  in function NAME` on stderr, as wasmtime does); 1 an uncaught Wasm exception
(`error: uncaught wasm exception: tag NAME, values (...)`; Wasmtime also exits with 1, its
uncaught exception not being a trap).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

import wasmc
from wasmc.errors import Trap, WasmcError, WasmException

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs milliseconds
if TYPE_CHECKING:
    import argparse
    from pathlib import Path
    from typing import NoReturn

# wasmc.spec.runner (and through it the whole compiler), wasmc.spec.values, argparse and
# pathlib are imported only when needed: a cached `wasmc run` must start at once (see
# _fast_run).

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_TRAP = 134  # what wasmtime returns for a trap (128 + SIGABRT)

# Tokens that argparse must read as values, not options: -5, -1.5e3, -inf, -nan, -0x1p-3.
_NEGATIVE_VALUE = re.compile(
    r"^-(\d|\.\d|inf(inity)?$|nan(:0x[0-9a-f]+)?$|0x[0-9a-f])", re.IGNORECASE
)



class CliError(Exception):
    """A problem with a module or its run, reported as `wasmc: FILE: message` (exit 1)."""


class UsageError(Exception):
    """A problem with the command line (exit 2)."""


# ---- argument parsing --------------------------------------------------------------------


def _opt_flag(parser: argparse.ArgumentParser, default: int) -> None:
    parser.add_argument(
        "-O",
        dest="opt",
        type=int,
        choices=range(4),
        default=default,
        metavar="N",
        help=f"C optimization level 0-3, written -O2 or -O 2 (default: {default})",
    )


def _jobs_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-j",
        "--jobs",
        dest="jobs",
        type=int,
        default=None,
        metavar="N",
        help="C compilers (and, for a large module, Python worker processes) at a time "
        "(default: the CPU count); see docs/large-modules.md",
    )


def _cc_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cc",
        default=None,
        metavar="CC",
        help="C compiler command (default: the bundled clang, `python -m ziglang cc`); "
        "e.g. gcc, clang, or a wrapper such as 'ccache clang'",
    )


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="wasmc",
        description="wasmc: a WebAssembly ahead-of-time compiler (Wasm -> C -> native code).",
        epilog="Exit status: 0 ok, 1 module or compiler error (or failed spec commands), "
        "2 usage error, 134 Wasm trap, 1 uncaught Wasm exception.",
    )
    parser.add_argument("--version", action="version", version=f"wasmc {wasmc.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    compile_p = sub.add_parser(
        "compile",
        help="compile a module to a native executable",
        description="Compile a Wasm module (.wasm binary or .wat text) to a native executable.",
    )
    compile_p.add_argument("module", metavar="MODULE", help=".wasm or .wat file")
    compile_p.add_argument(
        "-o", dest="output", default=None, metavar="OUT", help="the executable to write"
    )
    compile_p.add_argument(
        "--emit-c",
        dest="emit_c",
        default=None,
        metavar="DIR",
        help="with -o: also write the executable's C sources to DIR; without -o: write C for "
        "embedding the module in a C program to DIR (NAME.h with typed exports and imports, "
        "NAME.c, NAME_module.c and the runtime; see docs/embedding-c.md)",
    )
    _cc_flag(compile_p)
    _opt_flag(compile_p, 2)
    _jobs_flag(compile_p)
    compile_p.set_defaults(subparser=compile_p)

    run_p = sub.add_parser(
        "run",
        usage="wasmc run [-h] [--cc CC] [-O N] [-j N] [--dir HOST[::GUEST]] "
        "[--env NAME[=VALUE]] [--tcplisten HOST:PORT] [--timeout SECONDS] [--no-cache] "
        "[--invoke NAME] "
        "MODULE [ARGS ...]",
        help="run a WASI program, or call one of a module's exported functions",
        description="Run a WASI command program the way `wasmtime run` does: compile it to a "
        "native executable (cached by content) and run that, with ARGS as the program's "
        "arguments (options go before MODULE; everything after it belongs to the program). "
        "With --invoke NAME, call the exported function NAME with ARGS instead; results are "
        "printed one per line: integers as signed decimals, floats as shortest round-trip "
        "decimals (nan, inf, -0.0, nan:0x1 included), a v128 (given as one 128-bit integer) as "
        "0x and 32 hex digits. `MODULE --invoke NAME ARGS` also works. "
        "The module's executable does the call (the same as `wasmc compile` builds).",
        epilog="Exit status: the program's proc_exit code; 134 for a Wasm trap (and for "
        "--timeout); 1 for an "
        "uncaught Wasm exception or a module or compiler error. See docs/wasi.md.",
    )
    run_p.add_argument("module", metavar="MODULE", help=".wasm or .wat file")
    run_p.add_argument(
        "--invoke",
        default=None,
        nargs="+",
        metavar=("NAME", "ARGS"),
        help="the exported function to call, then its arguments, parsed per the function's "
        "parameter types: integers (decimal or 0x hex, negative allowed), floats (1.5, -2e10, "
        "0x1p-3, nan, inf, -inf), null for references.",
    )
    run_p.add_argument(
        "--dir",
        action="append",
        default=[],
        metavar="HOST[::GUEST]",
        help="grant the program the host directory HOST (as GUEST, default HOST); repeatable",
    )
    run_p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help="set an environment variable of the program (NAME alone: the host's value)",
    )
    run_p.add_argument(
        "--tcplisten",
        action="append",
        default=[],
        metavar="HOST:PORT",
        help="give the program a TCP socket listening on HOST:PORT (fd 3, ...; sock_accept)",
    )
    run_p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop the program after SECONDS of wall-clock time, reported as a trap "
        "(`error: wasm trap: deadline exceeded`, exit status 134), like wasmtime's "
        "-W timeout; the program runs in its own process, which is killed",
    )
    run_p.add_argument(
        "--no-cache",
        dest="no_cache",
        action="store_true",
        help="compile afresh, without reading or writing the compile cache",
    )
    run_p.add_argument(
        "--no-quick",
        dest="no_quick",
        action="store_true",
        help="for a large module not yet in the cache, wait for the optimized build instead "
        "of running a quick -O0 build while the optimized one is built in the background "
        "(see docs/large-modules.md)",
    )
    _cc_flag(run_p)
    _opt_flag(run_p, 2)
    _jobs_flag(run_p)
    run_p.set_defaults(subparser=run_p)
    # Let "-5", "-inf", "-nan" be arguments, not options.
    run_p._negative_number_matcher = _NEGATIVE_VALUE  # type: ignore[attr-defined]

    spec_p = sub.add_parser(
        "spec",
        help="run WebAssembly spec-testsuite scripts (.wast)",
        description="Run .wast scripts of the spec testsuite ($WASM_TESTSUITE or "
        "../shared/wasm-testsuite), each in its own process, and print one line per file "
        "and a final 'N passed, M failed' (spec commands). Exit status 1 if any failed.",
    )
    from wasmc.spec import runner as spec_runner

    spec_runner.add_arguments(spec_p)
    spec_p.set_defaults(subparser=spec_p)

    cache_p = sub.add_parser(
        "cache",
        help="manage the compile cache",
        description="The compile cache holds the native builds of modules, keyed by content "
        "($XDG_CACHE_HOME/wasmc). It is kept under $WASMC_CACHE_SIZE (default 10G; K, M, G "
        "or T; none: no limit): after a build is stored, the builds used least recently are "
        "deleted until it fits.",
    )
    cache_p.add_argument(
        "action", choices=["info", "prune", "clean", "dir"],
        help="info: where the cache is, its size and limit; prune: delete the builds used "
        "least recently until it fits the limit (or --max-size); clean: delete every build; "
        "dir: print where it is")
    cache_p.add_argument("--max-size", metavar="SIZE",
                         help="for prune: the size to prune to instead of the limit (e.g. 2G)")
    cache_p.set_defaults(subparser=cache_p)

    from wasmc.bench import cli as bench_cli  # the performance oracle (docs/performance.md)

    bench_cli.add_parser(sub)
    return parser


# ---- run ---------------------------------------------------------------------------------


_VALUED_RUN_OPTIONS = ("--cc", "-O", "-j", "--jobs", "--dir", "--env", "--tcplisten",
                       "--timeout")


def split_run_argv(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """`wasmc run` arguments as wasmtime reads them: options, MODULE, then the program's
    arguments (which may look like options). Returns the arguments for the parser (with a
    leading `--invoke NAME` moved after MODULE) and the program's arguments (None for the
    `MODULE --invoke NAME ARGS` form, which the parser reads as before)."""
    before: list[str] = []
    invoke: str | None = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in _VALUED_RUN_OPTIONS and i + 1 < len(argv):
            before += [a, argv[i + 1]]
            i += 2
        elif a == "--invoke" and i + 1 < len(argv):
            invoke = argv[i + 1]
            i += 2
        elif a.startswith("-") and a != "-":
            before.append(a)
            i += 1
        else:
            break
    if i >= len(argv):
        return argv, None
    module, rest = argv[i], argv[i + 1:]
    if rest and rest[0] == "--invoke":
        return [*before, module, *rest], None
    if invoke is not None:
        return [*before, module, "--invoke", invoke, *rest], None
    return [*before, module], rest


def _native_argv(exe: Path, module: str, dirs: list[str], envs: list[str],
                 invoke: list[str] | None, program_args: list[str] | None,
                 listens: list[str] = ()) -> list[str]:
    """The command line of a module's executable (see codegen/executable.py)."""
    argv = [str(exe), "--argv0", module]
    for d in dirs:
        argv += ["--dir", d]
    for e in envs:
        argv += ["--env", e]
    for address in listens:
        argv += ["--tcplisten", address]
    if invoke:
        return [*argv, "--invoke", invoke[0], "--", *invoke[1:]]
    return [*argv, "--", *(program_args or [])]


def _fast_run(argv: list[str]) -> None:
    """`wasmc run [--cc CC] [-O N] [--dir D] [--env E] MODULE.wasm ARGS` of a module in the
    compile cache: exec its executable without building the parser or importing the
    compiler. Returns (doing nothing) when that does not apply."""
    run_argv, program_args = split_run_argv(argv)
    if program_args is None or not run_argv or not run_argv[-1].endswith(".wasm"):
        return
    cc, opt, dirs, envs, listens = None, 2, [], [], []
    options, module = run_argv[:-1], run_argv[-1]
    i = 0
    while i < len(options):
        a = options[i]
        name, eq, value = a.partition("=")
        if name in _VALUED_RUN_OPTIONS and not eq:
            if i + 1 >= len(options):
                return
            value = options[i + 1]
            i += 1
        elif name not in ("--cc", "--jobs", "--dir", "--env", "--tcplisten") and not (
                a.startswith(("-O", "-j")) and len(a) > 2):
            return  # --no-cache, --invoke, --help, ...: the full parser
        if a.startswith("-O") and len(a) > 2:
            name, value = "-O", a[2:]
        if name in ("-j", "--jobs") or a.startswith("-j"):
            pass  # how many compilers build it: not part of the cache key
        elif name == "--cc":
            cc = value
        elif name == "-O":
            if value not in ("0", "1", "2", "3"):
                return
            opt = int(value)
        elif name == "--dir":
            dirs.append(value)
        elif name == "--tcplisten":
            listens.append(value)
        else:
            envs.append(value)
        i += 1
    from wasmc import runcache

    try:
        with open(module, "rb") as f:
            data = f.read()
    except OSError:
        return
    exe = runcache.fast_lookup(data, cc, opt)
    if exe is None:
        return
    sys.stdout.flush()
    _grow_stack_limit()
    os.execv(exe, _native_argv(exe, module, dirs, envs, None, program_args, listens))


# The native stack `wasmc run` gives a program, at least (the soft RLIMIT_STACK, which the
# main thread grows into; no memory is used until touched). Wasm's call depth is bounded by
# the native stack, and an unoptimized build (-O0, and the quick first build of a large
# module) has frames several times larger than an -O2 one: YoWASP's yosys exhausts the usual
# 8 MiB at -O0 on a design that Wasmtime and wasmc -O2 synthesize (docs/limits.md).
RUN_STACK_BYTES = 64 << 20


def _grow_stack_limit() -> None:
    """Raise the soft stack limit to RUN_STACK_BYTES (never lower it; at most the hard
    limit), for the program exec'd or started next."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    if soft == resource.RLIM_INFINITY or soft >= RUN_STACK_BYTES:
        return
    want = RUN_STACK_BYTES if hard == resource.RLIM_INFINITY else min(RUN_STACK_BYTES, hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_STACK, (want, hard))


def _run_native(ns: argparse.Namespace, invoke: list[str] | None) -> int:
    """Build (or take from the cache) the module's native executable and exec it (or, with
    --timeout, run it and kill it when the time is up)."""
    from pathlib import Path

    if ns.timeout is not None and not ns.timeout > 0:
        ns.subparser.error(f"--timeout must be a positive number of seconds, not "
                           f"{ns.timeout:g}")

    from wasmc import runcache

    path = Path(ns.module)
    if path.suffix == ".wat":
        from wasmc import api

        data = api.read_source(path)
    else:
        data = path.read_bytes()
    def executable() -> Path:
        return runcache.executable_for(data, cc=ns.cc, opt=ns.opt, use_cache=not ns.no_cache,
                                       label=path.name, jobs=ns.jobs, quick=not ns.no_quick)

    exe = executable()
    argv = _native_argv(exe, ns.module, ns.dir, ns.env, invoke, ns.program_args,
                        ns.tcplisten)
    sys.stdout.flush()
    sys.stderr.flush()
    _grow_stack_limit()
    if ns.timeout is None and not ns.no_cache:
        try:
            os.execv(exe, argv)
        except FileNotFoundError:
            # A quick build that the optimized build, finished just now, removed from the
            # cache (runcache._background_main): the optimized one is there instead.
            exe = executable()
            os.execv(exe, [str(exe), *argv[1:]])
    import shutil
    import subprocess

    try:
        with subprocess.Popen(argv) as proc:
            try:
                code = proc.wait(ns.timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                print(f"error: wasm trap: deadline exceeded (--timeout {ns.timeout:g} s)",
                      file=sys.stderr)
                return 134  # a trap's status (README)
    finally:
        if ns.no_cache:
            shutil.rmtree(exe.parent, ignore_errors=True)
    return code if code >= 0 else 128 - code


def cmd_run(ns: argparse.Namespace) -> int:
    """Run the module's native executable (built or from the cache): `--invoke` is
    implemented once, in the executable's main (codegen/executable.py)."""
    return _run_native(ns, ns.invoke)


def cmd_compile(ns: argparse.Namespace) -> int:
    from pathlib import Path

    from wasmc import api
    from wasmc.runcache import compile_progress

    if ns.output is None:
        if ns.emit_c is None:
            ns.subparser.error("give -o OUT (an executable), --emit-c DIR (C to embed), or both")
        from wasmc.compiler import emit_embedding_c

        emit_embedding_c(Path(ns.module), Path(ns.emit_c))
        return 0
    with compile_progress(Path(ns.module).name) as on_progress:
        api.build_executable(
            Path(ns.module), Path(ns.output), cc=ns.cc, opt=ns.opt, emit_c_dir=ns.emit_c,
            jobs=ns.jobs, on_progress=on_progress,
        )
    return 0


def cmd_spec(ns: argparse.Namespace) -> int:
    from wasmc.spec import runner as spec_runner

    return spec_runner.run_from_args(ns, ns.subparser.error)


# ---- main --------------------------------------------------------------------------------


def _fail(module: str, message: str) -> NoReturn:
    first, *rest = str(message).strip().splitlines() or ["error"]
    print(f"wasmc: {module}: {first}", file=sys.stderr)
    for line in rest:
        print(f"  {line}", file=sys.stderr)
    sys.exit(EXIT_ERROR)


def report_trap(trap: Trap) -> int:
    print(f"error: wasm trap: {trap.message}", file=sys.stderr)
    if trap.function:
        print(f"  in function {trap.function}", file=sys.stderr)
    return EXIT_TRAP


def cmd_cache(ns: argparse.Namespace) -> int:
    from wasmc import runcache

    root = runcache.cache_root()
    if ns.action == "clean":
        count = runcache.clean()
        print(f"removed {count} cached build(s) from {root}")
    elif ns.action == "dir":
        print(root)
    else:
        from wasmc import cachesize

        try:
            size_limit = (cachesize.parse_size(ns.max_size) if ns.max_size is not None
                          else cachesize.limit())
        except ValueError as e:
            print(f"error: --max-size: {e}", file=sys.stderr)
            return EXIT_USAGE
        limit_text = "no limit" if size_limit is None else cachesize.format_size(size_limit)
        if ns.action == "prune":
            if size_limit is None:
                print(f"no limit: nothing pruned from {root}")
                return 0
            removed, freed = cachesize.prune(root, size_limit)
            print(f"removed {removed} cached build(s), {cachesize.format_size(freed)}, "
                  f"from {root}")
        found = cachesize.entries(root)
        print(f"{root}: {len(found)} entries, {cachesize.format_size(sum(e.size for e in found))}"
              f" (limit: {limit_text})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":
        _fast_run(argv[1:])  # returns only if the module is not in the cache
    parser = build_parser()
    program_args = None
    if argv and argv[0] == "run":
        run_argv, program_args = split_run_argv(argv[1:])
        argv = ["run", *run_argv]
    ns = parser.parse_args(argv)
    if ns.command == "spec":
        return cmd_spec(ns)
    if ns.command == "cache":
        return cmd_cache(ns)
    if ns.command == "bench":
        from wasmc.bench import cli as bench_cli

        return bench_cli.main(ns)
    ns.program_args = program_args
    command = cmd_run if ns.command == "run" else cmd_compile
    try:
        return command(ns)
    except UsageError as exc:
        ns.subparser.error(str(exc))
    except Trap as trap:
        sys.stdout.flush()
        return report_trap(trap)
    except WasmException as exc:  # an uncaught Wasm exception: Wasmtime's status, not a trap
        sys.stdout.flush()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except WasmcError as exc:
        _fail(ns.module, str(exc))
    except OSError as exc:
        _fail(ns.module, exc.strerror or str(exc))
    except Exception as exc:  # a bug in wasmc: still one line, unless asked for the traceback
        if os.environ.get("WASMC_TRACEBACK"):
            raise
        _fail(
            ns.module,
            f"internal error: {type(exc).__name__}: {exc} (set WASMC_TRACEBACK=1 for details)",
        )
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())

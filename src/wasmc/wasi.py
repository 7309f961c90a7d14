"""WASI preview 1 inside the Python API: the C runtime's implementation (runtime/wasi.c,
the same sandbox as `wasmc run`), linked into an instance.

    config = wasmc.WasiConfig(argv=["prog", "x"], preopens={"/data": "host/dir"},
                              stdout=wasmc.CAPTURE)
    inst = module.instantiate(wasi=config)
    status = inst.wasi.run()           # _start; 0, or the status proc_exit gave
    inst.wasi.stdout                   # what the program wrote, as bytes

Each instance gets its own WASI context (arguments, environment, descriptor table), owned
by the instance's store. proc_exit does not end the Python process: it raises `WasiExit`
(a Trap) with the status, from whichever call made it. A reactor's `_initialize` is called
at instantiation.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .binary.module import FuncType
from .codegen.executable import WASI_FUNCS, WASI_MODULE
from .codegen.spelling import SIG_LETTER, sig_name, type_id
from .errors import InstantiationError, LinkError, Trap
from .externals import Func
from .native import WasmcFunc, default_runtime
from .store import Store

CAPTURE = "capture"  # stdout=CAPTURE / stderr=CAPTURE: collect the output as bytes
EXIT_MESSAGE = "wasi proc_exit"  # WASI_EXIT_MESSAGE in wasi.h


class WasiExit(Trap):
    """The program called proc_exit(code)."""

    def __init__(self, code: int):
        self.code = code
        super().__init__(f"exit status {code}")


@dataclass
class WasiConfig:
    """What a WASI program sees of the host.

    argv: its arguments (argv[0] included); env: its environment; preopens: guest path ->
    host directory it may use (nothing else of the file system is reachable); stdin: None
    (inherit this process's), bytes, or a file path; stdout, stderr: None (inherit), a file
    path (created or truncated), or CAPTURE."""

    argv: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    preopens: Mapping[str, str | os.PathLike[str]] = field(default_factory=dict)
    stdin: bytes | str | os.PathLike[str] | None = None
    stdout: str | os.PathLike[str] | None = None
    stderr: str | os.PathLike[str] | None = None


def _strings(items: Sequence[str]) -> Any:
    return (ctypes.c_char_p * max(1, len(items)))(*[s.encode() for s in items])


class WasiContext:
    """One instance's WASI state: the C context and the captured output."""

    def __init__(self, config: WasiConfig, store: Store):
        lib = default_runtime().lib
        lib.wasi_ctx_new.restype = ctypes.c_void_p
        lib.wasi_ctx_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                                     ctypes.c_void_p]
        lib.wasi_ctx_preopen.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
        lib.wasi_ctx_set_stdio.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
        lib.wasi_ctx_embed.argtypes = [ctypes.c_void_p]
        lib.wasi_ctx_free.argtypes = [ctypes.c_void_p]
        env = [f"{k}={v}" for k, v in config.env.items()]
        ctx = lib.wasi_ctx_new(len(config.argv), _strings(list(config.argv)), len(env),
                               _strings(env))
        if not ctx:
            raise InstantiationError("cannot create the WASI context (out of memory)")
        store.own(lib.wasi_ctx_free, ctypes.c_void_p(ctx))
        lib.wasi_ctx_embed(ctx)
        self.ptr = ctx
        self._captured: dict[int, IO[bytes]] = {}
        for guest, host in config.preopens.items():
            err = lib.wasi_ctx_preopen(ctx, os.fsencode(host), guest.encode())
            if err:
                raise InstantiationError(f"cannot preopen {str(host)!r} as {guest!r}: "
                                         f"{os.strerror(err)}")
        for fd, spec in ((0, config.stdin), (1, config.stdout), (2, config.stderr)):
            if spec is not None:
                lib.wasi_ctx_set_stdio(ctx, fd, self._host_fd(fd, spec))

    def _host_fd(self, fd: int, spec: Any) -> int:
        """A new host descriptor (the context closes it) for stdio `fd` as `spec` says."""
        if fd == 0 and isinstance(spec, bytes | bytearray):
            data = tempfile.TemporaryFile()
            data.write(spec)
            data.seek(0)
            with data:
                return os.dup(data.fileno())
        if fd > 0 and spec == CAPTURE:
            capture = tempfile.TemporaryFile()
            self._captured[fd] = capture
            return os.dup(capture.fileno())  # shares the file (and offset) with `capture`
        if spec == CAPTURE or fd > 0 and isinstance(spec, bytes | bytearray):
            raise ValueError(f"{('stdin', 'stdout', 'stderr')[fd]}: CAPTURE is for stdout "
                             f"and stderr, bytes for stdin")
        mode = os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        return os.open(Path(spec), mode | os.O_CLOEXEC, 0o644)

    def _output(self, fd: int) -> bytes:
        capture = self._captured.get(fd)
        if capture is None:
            raise ValueError(f"{'stdout' if fd == 1 else 'stderr'} is not captured "
                             f"(WasiConfig(... = wasmc.CAPTURE))")
        return os.pread(capture.fileno(), os.fstat(capture.fileno()).st_size, 0)

    def output_since(self, fd: int, offset: int) -> bytes:
        """What the program wrote to captured stdout (1) or stderr (2) from byte `offset`."""
        capture = self._captured[fd]
        size = os.fstat(capture.fileno()).st_size
        return os.pread(capture.fileno(), size - offset, offset) if size > offset else b""

    @property
    def stdout(self) -> bytes:
        """What the program wrote to stdout so far (with stdout=CAPTURE)."""
        return self._output(1)

    @property
    def stderr(self) -> bytes:
        return self._output(2)

    def set_memory(self, address: int | None) -> None:
        """The memory WASI calls read and write: the instance's export "memory"."""
        ctypes.c_void_p.from_address(self.ptr).value = address  # wasi_ctx.mem, first field

    def func(self, compiled: Any, imp: Any, store: Store) -> Any:
        """The Func for a wasi_snapshot_preview1 import of `compiled`."""
        ft: FuncType = compiled.module.canonical_types()[imp.desc]
        letters = ("".join(SIG_LETTER[t] for t in ft.params),
                   "".join(SIG_LETTER[t] for t in ft.results))
        if imp.kind != "func" or imp.name not in WASI_FUNCS:
            raise LinkError(f"unknown import: {WASI_MODULE!r}.{imp.name!r} (not a WASI "
                            f"preview 1 function)")
        if letters != WASI_FUNCS[imp.name]:
            raise LinkError(f"incompatible import type for {WASI_MODULE!r}.{imp.name!r}")
        lib = default_runtime().lib
        fn = ctypes.cast(getattr(lib, f"wasi_{imp.name}"), ctypes.c_void_p).value
        struct = WasmcFunc(type_id(ft), fn, self.ptr, compiled._symbol(f"tail_{sig_name(ft)}"))
        store.keep(struct)
        f = Func(ctypes.addressof(struct), ft, compiled._invoker(ft), store)
        f.name = imp.name
        return f

    def bind(self, instance: Any) -> None:
        self._instance = weakref.ref(instance)  # the instance holds this context

    def run(self) -> int:
        """Run a command: call `_start`; its exit status (0 if it returned)."""
        start = self._instance().exports.get("_start")
        if start is None:
            raise LinkError("the module exports no _start function (not a WASI command)")
        try:
            start()
        except WasiExit as exit_:
            return exit_.code
        return 0


def exit_status() -> int:
    """The status of the proc_exit that just trapped on this thread."""
    lib = default_runtime().lib
    return lib.wasi_exit_status()

"""The `main` of a standalone native executable made by `wasmc compile` (and run by
`wasmc run`).

Command line of the executable, like `wasmtime run` (options first, then the program's own
arguments; `--` ends the options explicitly):

    ./app [--dir HOST[::GUEST]]... [--env K[=V]]... [--tcplisten HOST:PORT]...
          [--invoke NAME] [--argv0 NAME] [--] [ARGS...]

The program links the module's `wasi_snapshot_preview1` imports to the C runtime's WASI
(runtime/wasi.c), with a context holding ARGS (argv[0] is the executable's name, or
`--argv0`), the `--env` variables, the `--tcplisten` sockets (fds 3, ... in order, as in
Wasmtime) and then the `--dir` preopens.
It instantiates the module (running its start function), sets the WASI context's memory to
the module's exported `memory`, then calls `_start` (a command) or, with `--invoke NAME`, the
export NAME with ARGS parsed per its parameter types, printing its results one per line.
`proc_exit(N)` exits with status N. A trap prints the spec's message and the Wasm function it
happened in, and exits with status 134 (as wasmtime does, 128 + SIGABRT).
"""

from __future__ import annotations

from ..binary.module import Module
from ..errors import LinkError
from .spelling import SIG_LETTER, c_string, sig_name, type_id

WASI_MODULE = "wasi_snapshot_preview1"

# Every preview-1 function: parameter letters, result letters (i = i32, I = i64).
WASI_FUNCS: dict[str, tuple[str, str]] = {
    "args_get": ("ii", "i"),
    "args_sizes_get": ("ii", "i"),
    "environ_get": ("ii", "i"),
    "environ_sizes_get": ("ii", "i"),
    "clock_res_get": ("ii", "i"),
    "clock_time_get": ("iIi", "i"),
    "fd_advise": ("iIIi", "i"),
    "fd_allocate": ("iII", "i"),
    "fd_close": ("i", "i"),
    "fd_datasync": ("i", "i"),
    "fd_fdstat_get": ("ii", "i"),
    "fd_fdstat_set_flags": ("ii", "i"),
    "fd_fdstat_set_rights": ("iII", "i"),
    "fd_filestat_get": ("ii", "i"),
    "fd_filestat_set_size": ("iI", "i"),
    "fd_filestat_set_times": ("iIIi", "i"),
    "fd_pread": ("iiiIi", "i"),
    "fd_prestat_get": ("ii", "i"),
    "fd_prestat_dir_name": ("iii", "i"),
    "fd_pwrite": ("iiiIi", "i"),
    "fd_read": ("iiii", "i"),
    "fd_readdir": ("iiiIi", "i"),
    "fd_renumber": ("ii", "i"),
    "fd_seek": ("iIii", "i"),
    "fd_sync": ("i", "i"),
    "fd_tell": ("ii", "i"),
    "fd_write": ("iiii", "i"),
    "path_create_directory": ("iii", "i"),
    "path_filestat_get": ("iiiii", "i"),
    "path_filestat_set_times": ("iiiiIIi", "i"),
    "path_link": ("iiiiiii", "i"),
    "path_open": ("iiiiiIIii", "i"),
    "path_readlink": ("iiiiii", "i"),
    "path_remove_directory": ("iii", "i"),
    "path_rename": ("iiiiii", "i"),
    "path_symlink": ("iiiii", "i"),
    "path_unlink_file": ("iii", "i"),
    "poll_oneoff": ("iiii", "i"),
    "proc_exit": ("i", ""),
    "proc_raise": ("i", "i"),
    "sched_yield": ("", "i"),
    "random_get": ("ii", "i"),
    "sock_accept": ("iii", "i"),
    "sock_recv": ("iiiiii", "i"),
    "sock_send": ("iiiii", "i"),
    "sock_shutdown": ("ii", "i"),
}

MAIN = r"""
#include "wasi.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct export_entry {
  const char *name;
  uint32_t index;      /* export index, for PREFIX_export */
  const char *params;  /* signature letters: i I f F r e */
  const char *results;
  wasmc_invoker invoke;
} export_entry;

static const export_entry exports[] = {
EXPORTS
  {NULL, 0, NULL, NULL, NULL}
};

static int report_trap(int code) {
  const char *message = code == WASMC_TRAP_HOST && wasmc_last_trap_message()
      ? wasmc_last_trap_message() : wasmc_trap_message(code);
  fflush(stdout);
  fprintf(stderr, "error: wasm trap: %s\n", message);
  if (wasmc_last_trap_function()) fprintf(stderr, "  in function %s\n", wasmc_last_trap_function());
  return 134;
}

/* Parses one argument of type `letter`; 0 on success. */
static int parse_arg(char letter, const char *text, uint64_t *slot) {
  char *end = NULL;
  if (letter == 'i' || letter == 'I') {
    if (text[0] == '-') {
      long long v = strtoll(text, &end, 0);
      *slot = letter == 'i' ? (uint64_t)(uint32_t)v : (uint64_t)v;
    } else {
      unsigned long long v = strtoull(text, &end, 0);
      *slot = letter == 'i' ? (uint64_t)(uint32_t)v : (uint64_t)v;
    }
  } else if (letter == 'f') {
    *slot = wasmc_f32_bits(strtof(text, &end));
  } else if (letter == 'F') {
    *slot = wasmc_f64_bits(strtod(text, &end));
  } else {
    return 1; /* references can't be written on a command line */
  }
  return end == text || *end != '\0';
}

static void print_result(char letter, uint64_t slot) {
  switch (letter) {
  case 'i': printf("%d\n", (int32_t)(uint32_t)slot); break;
  case 'I': printf("%lld\n", (long long)(int64_t)slot); break;
  case 'f': printf("%.9g\n", (double)wasmc_f32_from_bits((uint32_t)slot)); break;
  case 'F': printf("%.17g\n", wasmc_f64_from_bits(slot)); break;
  default: printf(slot ? "ref\n" : "null\n"); break;
  }
}

/* A token that is a (negative) number, not an option: -5, -1.5, -inf, -nan. */
static int is_number(const char *s) {
  return s[0] == '-' && (
      (s[1] >= '0' && s[1] <= '9') || s[1] == '.' || strncmp(s + 1, "inf", 3) == 0 ||
      strncmp(s + 1, "nan", 3) == 0);
}

static const char *option_value(int argc, char **argv, int *k, const char *name) {
  size_t n = strlen(name);
  const char *a = argv[*k];
  if (strncmp(a, name, n) == 0 && a[n] == '=') return a + n + 1;
  if (strcmp(a, name) == 0) {
    if (*k + 1 >= argc) {
      fprintf(stderr, "error: option '%s' needs a value\n", name);
      exit(2);
    }
    return argv[++*k];
  }
  return NULL;
}

static void usage(const char *prog) {
  printf("usage: %s [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]...\n"
         "       [--tcplisten HOST:PORT]... [--invoke NAME] [--argv0 NAME] [--] [ARGS...]\n"
         "Runs the compiled WebAssembly module: calls `_start` with ARGS as the program's\n"
         "arguments, or the export NAME with ARGS as its parameters (results are printed).\n"
         "  --dir HOST[::GUEST]  give the program the host directory HOST, as GUEST\n"
         "  --env NAME=VALUE     set an environment variable (--env NAME: the host's value)\n"
         "  --tcplisten H:PORT   give the program a socket listening there (sock_accept)\n"
         "  --invoke NAME        call the exported function NAME instead of `_start`\n"
         "  --argv0 NAME         the program's argv[0] (default: this executable's name)\n",
         prog);
}

int main(int argc, char **argv) {
  const char *invoke = NULL, *argv0 = argv[0];
  char **dirs = calloc((size_t)argc, sizeof *dirs);
  char **envs = calloc((size_t)argc, sizeof *envs);
  char **listens = calloc((size_t)argc, sizeof *listens);
  int ndirs = 0, nenvs = 0, nlistens = 0, k = 1;
  if (!dirs || !envs || !listens) return 1;
  for (; k < argc; k++) {
    const char *a = argv[k], *v;
    if (strcmp(a, "--") == 0) { k++; break; }
    if (a[0] != '-' || a[1] == 0 || is_number(a)) break;
    if ((v = option_value(argc, argv, &k, "--dir"))) dirs[ndirs++] = (char *)v;
    else if ((v = option_value(argc, argv, &k, "--env"))) {
      if (strchr(v, '=')) envs[nenvs++] = (char *)v;
      else if (getenv(v)) {
        size_t n = strlen(v) + strlen(getenv(v)) + 2;
        char *kv = malloc(n);
        if (!kv) return 1;
        snprintf(kv, n, "%s=%s", v, getenv(v));
        envs[nenvs++] = kv;
      }
    }
    else if ((v = option_value(argc, argv, &k, "--tcplisten"))) listens[nlistens++] = (char *)v;
    else if ((v = option_value(argc, argv, &k, "--invoke"))) invoke = v;
    else if ((v = option_value(argc, argv, &k, "--argv0"))) argv0 = v;
    else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { usage(argv[0]); return 0; }
    else {
      fprintf(stderr, "error: unknown option '%s' (see --help; program arguments go after --)\n",
              a);
      return 2;
    }
  }
  int first_arg = k;
  char **guest_argv = calloc((size_t)(argc - first_arg + 1), sizeof *guest_argv);
  if (!guest_argv) return 1;
  guest_argv[0] = (char *)argv0;
  for (int j = first_arg; j < argc; j++) guest_argv[j - first_arg + 1] = argv[j];
  wasi_ctx *ctx = wasi_ctx_new(argc - first_arg + 1, guest_argv, nenvs, envs);
  if (!ctx) { fprintf(stderr, "error: out of memory\n"); return 1; }
  for (int j = 0; j < nlistens; j++) {
    char *colon = strrchr(listens[j], ':');
    if (!colon) {
      fprintf(stderr, "error: --tcplisten needs HOST:PORT, got '%s'\n", listens[j]);
      return 2;
    }
    *colon = 0;
    char *host = listens[j];
    if (host[0] == '[' && colon > host && colon[-1] == ']') { host++; colon[-1] = 0; }
    int err = wasi_ctx_listen(ctx, host, colon + 1);
    if (err) {
      fprintf(stderr, "error: cannot listen on '%s:%s': %s\n", host, colon + 1, strerror(err));
      return 1;
    }
  }
  for (int j = 0; j < ndirs; j++) {
    char *host = dirs[j], *guest = dirs[j];
    char *sep = strstr(dirs[j], "::");
    if (sep) {
      size_t n = (size_t)(sep - dirs[j]);
      host = malloc(n + 1);
      if (!host) return 1;
      memcpy(host, dirs[j], n);
      host[n] = 0;
      guest = sep + 2;
    }
    int err = wasi_ctx_preopen(ctx, host, guest);
    if (err) {
      fprintf(stderr, "error: failed to open directory '%s': %s\n", host, strerror(err));
      return 1;
    }
  }
WASI_IMPORTS
  void *inst = PREFIX_instantiate(IMPORTS_ARG);
  if (!inst) {
    fprintf(stderr, "error: cannot instantiate the module (out of memory or address space)\n");
    return 1;
  }
  ctx->mem = MEMORY_EXPR;
  int code = wasmc_protected(PREFIX_initialize, inst);
  if (code) return report_trap(code);
  const export_entry *e;
  if (invoke) {
    for (e = exports; e->name; e++) {
      if (strcmp(e->name, "_initialize") == 0 && !e->params[0] && !e->results[0]) {
        wasmc_invocation init = {(const wasmc_func *)PREFIX_export(inst, e->index), NULL};
        code = wasmc_protected(e->invoke, &init);
        if (code) return report_trap(code);
      }
    }
  } else {
    invoke = "_start";
  }
  e = exports;
  while (e->name && strcmp(e->name, invoke) != 0) e++;
  if (!e->name) {
    if (strcmp(invoke, "_start") == 0) return 0; /* nothing to run but the start function */
    fprintf(stderr, "error: the module exports no function named '%s'\n", invoke);
    return 1;
  }
  size_t nparams = strlen(e->params), nresults = strlen(e->results);
  int nargs = strcmp(invoke, "_start") == 0 && nparams == 0 ? 0 : argc - first_arg;
  if ((size_t)nargs != nparams) {
    fprintf(stderr, "error: '%s' takes %zu argument(s), %d given\n", invoke, nparams, nargs);
    return 1;
  }
  uint64_t slots[NSLOTS] = {0};
  for (size_t j = 0; j < nparams; j++) {
    if (parse_arg(e->params[j], argv[first_arg + j], &slots[j])) {
      fprintf(stderr, "error: cannot read argument %zu ('%s') as %s\n", j + 1,
              argv[first_arg + j], e->params[j] == 'i' ? "i32" : e->params[j] == 'I' ? "i64"
              : e->params[j] == 'f' ? "f32" : e->params[j] == 'F' ? "f64" : "a reference");
      return 1;
    }
  }
  wasmc_invocation invocation = {(const wasmc_func *)PREFIX_export(inst, e->index), slots};
  code = wasmc_protected(e->invoke, &invocation);
  if (code) return report_trap(code);
  for (size_t j = 0; j < nresults; j++) print_result(e->results[j], slots[j]);
  fflush(stdout);
  PREFIX_free(inst);
  wasi_ctx_free(ctx);
  return 0;
}
"""


def check_imports(module: Module) -> None:
    """Raise LinkError unless every import is a WASI preview-1 function of the right type."""
    for imp in module.imports:
        where = f"{imp.module}::{imp.name}"
        if imp.module != WASI_MODULE or imp.kind != "func" or imp.name not in WASI_FUNCS:
            raise LinkError(f"unknown import: `{where}` has not been defined (standalone "
                            f"executables provide only {WASI_MODULE} functions)")
        ft = module.types[imp.desc]
        params = "".join(SIG_LETTER[t] for t in ft.params)
        results = "".join(SIG_LETTER[t] for t in ft.results)
        if (params, results) != WASI_FUNCS[imp.name]:
            raise LinkError(f"incompatible import type for `{where}`")


def emit_main(module: Module, prefix: str) -> str:
    """C source of `main` for the module translated with `prefix`."""
    check_imports(module)
    rows = []
    nslots = 1
    memory_export = None
    for k, e in enumerate(module.exports):
        if e.kind == "memory" and e.name == "memory":
            memory_export = k
        if e.kind != "func":
            continue
        ft = module.func_type(e.index)
        nslots = max(nslots, len(ft.params), len(ft.results))
        params = "".join(SIG_LETTER[t] for t in ft.params)
        results = "".join(SIG_LETTER[t] for t in ft.results)
        rows.append(f'  {{{c_string(e.name)}, {k}u, "{params}", "{results}", '
                    f"{prefix}_invoke_{sig_name(ft)}}},")
    imports = []
    n = len(module.imports)
    if n:
        imports.append(f"  static wasmc_func wasi_funcs[{n}];")
        imports.append(f"  static void *imports[{n}];")
    for k, imp in enumerate(module.imports):
        ft = module.canonical_func_type(k)  # every import is a function: func index = k
        imports.append(
            f"  wasi_funcs[{k}] = (wasmc_func){{UINT64_C({type_id(ft):#x}), "
            f"(void (*)(void))wasi_{imp.name}, ctx, {prefix}_tail_{sig_name(ft)}}};")
        imports.append(f"  imports[{k}] = &wasi_funcs[{k}];")
    memory = ("NULL" if memory_export is None
              else f"(wasmc_memory *){prefix}_export(inst, {memory_export}u)")
    return (MAIN.replace("EXPORTS", "\n".join(rows))
            .replace("WASI_IMPORTS", "\n".join(imports))
            .replace("IMPORTS_ARG", "imports" if n else "NULL")
            .replace("MEMORY_EXPR", memory)
            .replace("NSLOTS", str(nslots))
            .replace("PREFIX", prefix))

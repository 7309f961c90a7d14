"""The `main` of a standalone native executable made by `wasmc compile`.

The program instantiates the module (running its start function), then either calls the
export named by `--invoke NAME ARGS...` and prints its results one per line (like
`wasmtime run --invoke`), or calls `_start` if the module exports it. A trap prints the
spec's message and the Wasm function it happened in, and exits with status 134 (as wasmtime
does, 128 + SIGABRT).
"""

from __future__ import annotations

from ..binary.module import Module
from .ctypes import SIG_LETTER, c_string, sig_name

MAIN = r"""
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

int main(int argc, char **argv) {
  const char *invoke = NULL;
  int first_arg = argc;
  for (int k = 1; k < argc; k++) {
    if (strcmp(argv[k], "--invoke") == 0 && k + 1 < argc) {
      invoke = argv[k + 1];
      first_arg = k + 2;
      break;
    }
    if (strcmp(argv[k], "--help") == 0) {
      printf("usage: %s [--invoke NAME [ARGS...]]\n"
             "Runs the compiled WebAssembly module: calls the export NAME with ARGS and\n"
             "prints its results, or calls `_start` when no --invoke is given.\n", argv[0]);
      return 0;
    }
  }
  void *inst = PREFIX_instantiate(NULL);
  if (!inst) {
    fprintf(stderr, "error: cannot instantiate the module (out of memory or address space)\n");
    return 1;
  }
  int code = wasmc_protected(PREFIX_initialize, inst);
  if (code) return report_trap(code);
  if (!invoke) invoke = "_start";
  const export_entry *e = exports;
  while (e->name && strcmp(e->name, invoke) != 0) e++;
  if (!e->name) {
    if (strcmp(invoke, "_start") == 0) return 0; /* nothing to run but the start function */
    fprintf(stderr, "error: the module exports no function named '%s'\n", invoke);
    return 1;
  }
  size_t nparams = strlen(e->params), nresults = strlen(e->results);
  if ((size_t)(argc - first_arg) != nparams) {
    fprintf(stderr, "error: '%s' takes %zu argument(s), %d given\n", invoke, nparams,
            argc - first_arg);
    return 1;
  }
  uint64_t slots[NSLOTS] = {0};
  for (size_t k = 0; k < nparams; k++) {
    if (parse_arg(e->params[k], argv[first_arg + k], &slots[k])) {
      fprintf(stderr, "error: cannot read argument %zu ('%s') as %s\n", k + 1,
              argv[first_arg + k], e->params[k] == 'i' ? "i32" : e->params[k] == 'I' ? "i64"
              : e->params[k] == 'f' ? "f32" : e->params[k] == 'F' ? "f64" : "a reference");
      return 1;
    }
  }
  wasmc_invocation invocation = {(const wasmc_func *)PREFIX_export(inst, e->index), slots};
  code = wasmc_protected(e->invoke, &invocation);
  if (code) return report_trap(code);
  for (size_t k = 0; k < nresults; k++) print_result(e->results[k], slots[k]);
  fflush(stdout);
  PREFIX_free(inst);
  return 0;
}
"""


def emit_main(module: Module, prefix: str) -> str:
    """C source of `main` for the module translated with `prefix`."""
    rows = []
    nslots = 1
    for k, e in enumerate(module.exports):
        if e.kind != "func":
            continue
        ft = module.func_type(e.index)
        nslots = max(nslots, len(ft.params), len(ft.results))
        params = "".join(SIG_LETTER[t] for t in ft.params)
        results = "".join(SIG_LETTER[t] for t in ft.results)
        rows.append(f'  {{{c_string(e.name)}, {k}u, "{params}", "{results}", '
                    f"{prefix}_invoke_{sig_name(ft)}}},")
    return (MAIN.replace("EXPORTS", "\n".join(rows))
            .replace("NSLOTS", str(nslots))
            .replace("PREFIX", prefix))

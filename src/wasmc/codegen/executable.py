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
happened in, and exits with status 134 (as wasmtime does, 128 + SIGABRT). An uncaught Wasm
exception prints its tag and payload and exits with status 1 (as wasmtime does).
"""

from __future__ import annotations

from ..binary.module import Module
from ..errors import LinkError
from .spelling import SIG_LETTER, c_string, sig_name, slot_count, type_id

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
  const char *params;  /* signature letters: i I f F V r e */
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

/* --invoke reads ARGS and prints results as the README says ("wasmc run"): integers in
 * decimal or 0x hex (negative allowed, `_` ignored, range-checked); floats as strtod reads
 * them (1.5, -2e10, 0x1p-3), nan, inf, and a NaN with its mantissa bits, nan:0x1 (snan:0x1
 * too); `null` for references; a v128 as one 128-bit integer (lane 0 in the low bits), in
 * decimal or 0x hex. Results print as signed integers, floats as the shortest decimal that
 * reads back to the same value laid out as Python's repr does (1.0, 1e+16), and a v128 as
 * 0x and 32 hex digits. A v128 takes two slots (low half first). */
static const char *type_name(char letter) {
  switch (letter) {
  case 'i': return "i32";
  case 'I': return "i64";
  case 'f': return "f32";
  case 'F': return "f64";
  case 'V': return "v128";
  case 'r': return "funcref";
  case 'x': return "exnref";
  default: return "externref";
  }
}

/* `text` without `_`, lowercased, into buf; 0 if it does not fit. */
static int normalize(const char *text, char *buf, size_t size) {
  size_t n = 0;
  for (; *text; text++) {
    if (*text == '_') continue;
    if (n + 1 >= size) return 0;
    buf[n++] = (char)(*text >= 'A' && *text <= 'Z' ? *text - 'A' + 'a' : *text);
  }
  buf[n] = 0;
  return 1;
}

static int parse_int(const char *p, int bits, uint64_t *slot) {
  int negative = *p == '-';
  if (*p == '-' || *p == '+') p++;
  unsigned base = 10;
  if (p[0] == '0' && p[1] == 'x') { base = 16; p += 2; }
  if (!*p) return 1;
  uint64_t v = 0;
  for (; *p; p++) {
    unsigned d = *p >= '0' && *p <= '9' ? (unsigned)(*p - '0')
               : *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10) : 99;
    if (d >= base || v > (UINT64_MAX - d) / base) return 1;
    v = v * base + d;
  }
  uint64_t top = bits == 32 ? UINT32_MAX : UINT64_MAX;
  if (negative ? v > (UINT64_C(1) << (bits - 1)) : v > top) return 1;
  v = negative ? (uint64_t)0 - v : v;
  *slot = bits == 32 ? (uint32_t)v : v;
  return 0;
}

/* A v128: an integer of up to 128 bits (negative ones in two's complement), into two slots. */
static int parse_v128(const char *p, uint64_t *slots) {
  __extension__ typedef unsigned __int128 u128;
  int negative = *p == '-';
  if (*p == '-' || *p == '+') p++;
  unsigned base = 10;
  if (p[0] == '0' && p[1] == 'x') { base = 16; p += 2; }
  if (!*p) return 1;
  u128 v = 0, top = ~(u128)0;
  for (; *p; p++) {
    unsigned d = *p >= '0' && *p <= '9' ? (unsigned)(*p - '0')
               : *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10) : 99;
    if (d >= base || v > (top - d) / base) return 1;
    v = v * base + d;
  }
  if (negative && v > (u128)1 << 127) return 1;
  v = negative ? (u128)0 - v : v;
  slots[0] = (uint64_t)v;
  slots[1] = (uint64_t)(v >> 64);
  return 0;
}

/* The bit layout of f32 (is64 = 0) and f64. */
static uint64_t float_sign(int is64) { return is64 ? UINT64_C(1) << 63 : UINT64_C(1) << 31; }
static uint64_t float_exponent(int is64) {
  return is64 ? UINT64_C(0x7FF0000000000000) : UINT64_C(0x7F800000);
}
static uint64_t float_quiet(int is64) { return is64 ? UINT64_C(1) << 51 : UINT64_C(1) << 22; }

static int parse_float(const char *p, int is64, uint64_t *slot) {
  uint64_t sign = 0, exponent = float_exponent(is64), bits;
  uint64_t mantissa = is64 ? (UINT64_C(1) << 52) - 1 : (UINT64_C(1) << 23) - 1;
  if (*p == '-' || *p == '+') sign = *p++ == '-' ? float_sign(is64) : 0;
  const char *payload = strncmp(p, "nan:0x", 6) == 0 ? p + 6
                      : strncmp(p, "snan:0x", 7) == 0 ? p + 7 : NULL;
  char *end = NULL;
  if (strcmp(p, "nan") == 0) {
    bits = exponent | float_quiet(is64);
  } else if (payload) {
    uint64_t m = strtoull(payload, &end, 16);
    if (!*payload || *end || m == 0 || m > mantissa || *payload == '-') return 1;
    bits = exponent | m;
  } else if (strcmp(p, "inf") == 0 || strcmp(p, "infinity") == 0) {
    bits = exponent;
  } else if ((*p >= '0' && *p <= '9') || *p == '.') {
    bits = is64 ? wasmc_f64_bits(strtod(p, &end)) : wasmc_f32_bits(strtof(p, &end));
    if (end == p || *end) return 1;
  } else {
    return 1;
  }
  *slot = bits | sign;
  return 0;
}

/* Parses one argument of type `letter`; 0 on success. */
static int parse_arg(char letter, const char *text, uint64_t *slot) {
  char buf[512];
  if (!normalize(text, buf, sizeof buf)) return 1;
  switch (letter) {
  case 'i': return parse_int(buf, 32, slot);
  case 'I': return parse_int(buf, 64, slot);
  case 'f': return parse_float(buf, 0, slot);
  case 'F': return parse_float(buf, 1, slot);
  case 'V': return parse_v128(buf, slot);
  default: *slot = 0; return strcmp(buf, "null") != 0; /* only null can be written */
  }
}

/* A float as the shortest decimal that reads back (see above), without a newline. */
static void print_float(FILE *out, uint64_t bits, int is64) {
  uint64_t sign = float_sign(is64), exponent = float_exponent(is64);
  uint64_t payload = bits & ~(sign | exponent);
  if (bits & sign) fputc('-', out);
  if ((bits & exponent) == exponent) {
    if (!payload) fputs("inf", out);
    else if (payload == float_quiet(is64)) fputs("nan", out);
    else fprintf(out, "%s:0x%llx", bits & float_quiet(is64) ? "nan" : "snan",
                 (unsigned long long)payload);
    return;
  }
  double v = is64 ? wasmc_f64_from_bits(bits & ~sign)
                  : (double)wasmc_f32_from_bits((uint32_t)(bits & ~sign));
  char buf[40];
  for (int precision = 1; precision <= 17; precision++) { /* the shortest that reads back */
    snprintf(buf, sizeof buf, "%.*e", precision - 1, v);
    if (is64 ? strtod(buf, NULL) == v : (double)strtof(buf, NULL) == v) break;
  }
  char digits[24];
  int n = 0;
  const char *c = buf;
  for (; *c && *c != 'e'; c++)
    if (*c != '.') digits[n++] = *c;
  while (n > 1 && digits[n - 1] == '0') n--;
  int exp10 = atoi(c + 1);
  if (exp10 >= -4 && exp10 < 16) { /* positional, like Python's repr */
    if (exp10 < 0) {
      fprintf(out, "0.%.*s%.*s", -exp10 - 1, "0000", n, digits);
    } else {
      for (int j = 0; j <= exp10; j++) fputc(j < n ? digits[j] : '0', out);
      if (n > exp10 + 1) fprintf(out, ".%.*s", n - exp10 - 1, digits + exp10 + 1);
      else fputs(".0", out);
    }
  } else {
    fputc(digits[0], out);
    if (n > 1) fprintf(out, ".%.*s", n - 1, digits + 1);
    fprintf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
  }
}

static void print_result(char letter, const uint64_t *slots) {
  uint64_t slot = slots[0];
  switch (letter) {
  case 'i': printf("%d\n", (int32_t)(uint32_t)slot); break;
  case 'I': printf("%lld\n", (long long)(int64_t)slot); break;
  case 'f': print_float(stdout, (uint32_t)slot, 0); putchar('\n'); break;
  case 'F': print_float(stdout, slot, 1); putchar('\n'); break;
  case 'V':
    printf("0x%016llx%016llx\n", (unsigned long long)slots[1], (unsigned long long)slot);
    break;
  default: printf("%s\n", slot ? type_name(letter) : "null"); break;
  }
}

/* A usage error of --invoke: exit status 2, as for any bad command line. */
static int invoke_error(const char *what) {
  fprintf(stderr, "error: %s\n", what);
  return 2;
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
  char message[4096];
  if (!e->name) {
    if (strcmp(invoke, "_start") == 0) return 0; /* nothing to run but the start function */
    int n = snprintf(message, sizeof message, "no exported function '%s' (exported functions: ",
                     invoke);
    const char *sep = "";
    for (const export_entry *x = exports; x->name && n < (int)sizeof message; x++, sep = ", ")
      n += snprintf(message + n, sizeof message - (size_t)n, "%s%s", sep, x->name);
    if (n < (int)sizeof message)
      snprintf(message + n, sizeof message - (size_t)n, "%s)", exports[0].name ? "" : "none");
    return invoke_error(message);
  }
  size_t nparams = strlen(e->params), nresults = strlen(e->results);
  int nargs = strcmp(invoke, "_start") == 0 && nparams == 0 ? 0 : argc - first_arg;
  if ((size_t)nargs != nparams) {
    int n = snprintf(message, sizeof message, "%s takes %zu argument(s) (", invoke, nparams);
    for (size_t j = 0; j < nparams && n < (int)sizeof message; j++)
      n += snprintf(message + n, sizeof message - (size_t)n, "%s%s", j ? " " : "",
                    type_name(e->params[j]));
    if (n < (int)sizeof message)
      snprintf(message + n, sizeof message - (size_t)n, "%s), got %d", nparams ? "" : "none",
               nargs);
    return invoke_error(message);
  }
  uint64_t slots[NSLOTS] = {0};
  for (size_t j = 0, k = 0; j < nparams; k += e->params[j] == 'V' ? 2 : 1, j++) {
    if (parse_arg(e->params[j], argv[first_arg + j], &slots[k])) {
      snprintf(message, sizeof message, "invalid %s argument '%s'", type_name(e->params[j]),
               argv[first_arg + j]);
      return invoke_error(message);
    }
  }
  wasmc_invocation invocation = {(const wasmc_func *)PREFIX_export(inst, e->index), slots};
  code = wasmc_protected(e->invoke, &invocation);
  if (code) return report_trap(code);
  for (size_t j = 0, k = 0; j < nresults; k += e->results[j] == 'V' ? 2 : 1, j++)
    print_result(e->results[j], &slots[k]);
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


# For a module that throws (exception handling), main also reports an uncaught exception: the
# tag's name and the payload, and exit status 1, as Wasmtime does (its uncaught exception is
# an error, not a trap). Other modules get exactly the main they had before (a standalone
# executable imports only WASI functions, so only the module's own `throw` can throw).
EXCEPTION_REPORT = r"""void *PREFIX_tag(void *inst, uint32_t index);
static void *exception_instance;
static const char *const tag_names[] = {TAG_NAMES};
static const char *const tag_params[] = {TAG_PARAMS};
static void print_float(FILE *out, uint64_t bits, int is64); /* as --invoke prints results */

static int report_exception(void) {
  const wasmc_exn *exn = wasmc_uncaught_exception();
  const char *name = "an unknown tag", *params = "";
  for (uint32_t i = 0; i < sizeof tag_names / sizeof *tag_names; i++) {
    if (PREFIX_tag(exception_instance, i) == (const void *)exn->tag) {
      name = tag_names[i];
      params = tag_params[i];
      break;
    }
  }
  fflush(stdout);
  fprintf(stderr, "error: uncaught wasm exception: tag %s, values (", name);
  for (uint32_t j = 0, k = 0; params[j] && k < exn->count; k += params[j] == 'V' ? 2 : 1, j++) {
    uint64_t v = exn->values[k]; /* a v128 takes two slots, low half first */
    if (j) fputs(", ", stderr);
    switch (params[j]) {
    case 'V':
      fprintf(stderr, "0x%016llx%016llx", (unsigned long long)exn->values[k + 1],
              (unsigned long long)v);
      break;
    case 'i': fprintf(stderr, "%d", (int32_t)(uint32_t)v); break;
    case 'I': fprintf(stderr, "%lld", (long long)(int64_t)v); break;
    case 'f': print_float(stderr, (uint32_t)v, 0); break;
    case 'F': print_float(stderr, v, 1); break;
    default: fputs(v ? "ref" : "null", stderr); break;
    }
  }
  fputs(")\n", stderr);
  return 1;
}

"""


def with_exception_report(main: str, module: Module) -> str:
    """MAIN with the uncaught-exception report (for a module with tags)."""
    imported = module.imported("tag")
    exported = {e.index: e.name for e in reversed(module.exports) if e.kind == "tag"}
    names, params = [], []
    for idx, typeidx in enumerate(module.all_tags()):
        name = (f"{imported[idx].module}.{imported[idx].name}" if idx < len(imported)
                else exported.get(idx, f"tag[{idx}]"))
        names.append(c_string(name))
        params.append(c_string("".join(SIG_LETTER[t] for t in module.types[typeidx].params)))
    report = (EXCEPTION_REPORT.replace("TAG_NAMES", ", ".join(names))
              .replace("TAG_PARAMS", ", ".join(params)))
    trap = "static int report_trap(int code) {\n"
    init = "  int code = wasmc_protected(PREFIX_initialize, inst);\n"
    assert trap in main and init in main
    return (main.replace(trap, report + trap +
                         "  if (code == WASMC_UNCAUGHT_EXCEPTION) return report_exception();\n")
            .replace(init, "  exception_instance = inst;\n" + init))


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
        nslots = max(nslots, slot_count(ft.params), slot_count(ft.results))
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
    throws = any(ins.op.name == "throw" for f in module.functions for ins in f.body)
    main = with_exception_report(MAIN, module) if throws else MAIN
    return (main.replace("EXPORTS", "\n".join(rows))
            .replace("WASI_IMPORTS", "\n".join(imports))
            .replace("IMPORTS_ARG", "imports" if n else "NULL")
            .replace("MEMORY_EXPR", memory)
            .replace("NSLOTS", str(nslots))
            .replace("PREFIX", prefix))

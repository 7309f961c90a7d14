"""C for embedding a compiled module in a C program (docs/embedding-c.md).

`wasmc compile MODULE --emit-c DIR` (without `-o`) writes, for a module named NAME:
  NAME.h         the public header: an opaque `NAME_instance`, a `NAME_imports` struct with
                 one typed field per import, NAME_instantiate / NAME_free, and a typed
                 wrapper `NAME_export_<export>` per export
  NAME.c         those functions, written against the module's entry points (module.py)
  NAME_module.c  the module itself, with the prefix NAME_module (its function bodies are
                 exactly what every other build gets)
The wrappers only call the module's public entry points (`P_instantiate`, `P_initialize`,
`P_export`, `P_invoke_<sig>`, `P_free`), so nothing here changes the generated functions.
"""

from __future__ import annotations

import re

from ..binary.module import FuncType, Module
from .simd import with_simd_header
from .spelling import (
    C_TYPE,
    SIG_LETTER,
    c_comment,
    sig_name,
    slot_count,
    slot_loads,
    slot_stores,
    type_id_expr,
)


def c_identifier(name: str) -> str:
    """`name` with every character that cannot be in a C identifier replaced by `_`."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return ident if ident and not ident[0].isdigit() else "_" + ident


def unique_identifiers(names: list[str], with_env: list[bool] | None = None) -> list[str]:
    """C identifiers for these names, in order; a name whose identifier is already taken
    gets its position appended (`a-b` and `a_b` become `a_b` and `a_b_1`). A name with
    `with_env` also takes IDENT_env (a function import's context field)."""
    taken: set[str] = set()
    out = []
    for k, name in enumerate(names):
        ident = c_identifier(name)
        env = with_env is not None and with_env[k]
        if ident in taken or env and f"{ident}_env" in taken:
            ident = f"{ident}_{k}"
        taken.update([ident, f"{ident}_env"] if env else [ident])
        out.append(ident)
    return out


def describe(ft: FuncType) -> str:
    return f"({' '.join(ft.params)}) -> ({' '.join(ft.results)})"


# What a non-function import or export is in C (wasmc.h).
EXTERN_TYPE = {"table": "wasmc_table *", "memory": "wasmc_memory *",
               "global": "wasmc_global *", "tag": "wasmc_tag *"}


class EmbeddingEmitter:
    def __init__(self, module: Module, name: str):
        self.module = module
        self.name = name
        self.prefix = f"{name}_module"  # the module's own entry points
        self.import_fields = unique_identifiers(
            [f"{imp.module}_{imp.name}" for imp in module.imports],
            [imp.kind == "func" for imp in module.imports])
        self.export_names = unique_identifiers([e.name for e in module.exports])
        self.func_imports = [k for k, imp in enumerate(module.imports) if imp.kind == "func"]

    def func_type(self, func_index: int) -> FuncType:
        return self.module.canonical_func_type(func_index)

    def import_type(self, k: int) -> FuncType:
        """The type of import k, a function (imported functions come first in the index
        space, in import order)."""
        return self.func_type(self.func_imports.index(k))

    def result_type(self, ft: FuncType) -> str:
        """A host function's C return type; several results come back in NAME_results_<sig>,
        laid out like the module's own results struct."""
        if len(ft.results) > 1:
            return f"{self.name}_results_" + "".join(SIG_LETTER[t] for t in ft.results)
        return C_TYPE[ft.results[0]] if ft.results else "void"

    def export_prototype(self, k: int) -> str:
        e, N = self.module.exports[k], self.name
        ident = self.export_names[k]
        if e.kind != "func":
            return f"{EXTERN_TYPE[e.kind]}{N}_export_{ident}({N}_instance *inst)"
        ft = self.func_type(e.index)
        params = "".join(f", {C_TYPE[t]} p{i}" for i, t in enumerate(ft.params))
        results = "".join(f", {C_TYPE[t]} *r{i}" for i, t in enumerate(ft.results))
        return f"int {N}_export_{ident}({N}_instance *inst{params}{results})"

    # ---- the header ----------------------------------------------------------------------

    def emit_header(self) -> str:
        N, m = self.name, self.module
        guard = f"WASMC_EMBED_{N.upper()}_H"
        out = [f"/* {N}.h: the C interface of a Wasm module compiled by wasmc.",
               " * See docs/embedding-c.md. Every function that runs Wasm code returns WASMC_OK,",
               " * a wasmc_trap_code, or WASMC_UNCAUGHT_EXCEPTION (wasmc.h). */",
               f"#ifndef {guard}", f"#define {guard}", "", '#include "wasmc.h"', "",
               f"typedef struct {N}_instance {N}_instance;", ""]
        structs = {ft.results for k in self.func_imports
                   if len((ft := self.import_type(k)).results) > 1}
        for results in sorted(structs):
            fields = " ".join(f"{C_TYPE[t]} r{i};" for i, t in enumerate(results))
            name = f"{N}_results_" + "".join(SIG_LETTER[t] for t in results)
            out.append(f"typedef struct {name} {{ {fields} }} {name};")
        out.append("/* What the host provides, one field per import, in import order. A function")
        out.append(" * import is a C function that receives its `_env` field as first argument;")
        out.append(" * it may call wasmc_trap_host(message) to make the Wasm call trap. */")
        out.append(f"typedef struct {N}_imports {{")
        for k, imp in enumerate(m.imports):
            field = self.import_fields[k]
            out.append(f"  /* {c_comment(imp.module)}.{c_comment(imp.name)} */")
            if imp.kind == "func":
                ft = self.import_type(k)
                params = "".join(f", {C_TYPE[t]}" for t in ft.params)
                out.append(f"  {self.result_type(ft)} (*{field})(void *env{params});")
                out.append(f"  void *{field}_env;")
            else:
                out.append(f"  {EXTERN_TYPE[imp.kind]}{field};")
        if not m.imports:
            out.append("  char unused; /* the module has no imports */")
        out += [f"}} {N}_imports;", "",
                "/* Allocates an instance and runs its start function. On WASMC_OK, *out is the",
                f" * instance (free it with {N}_free); otherwise *out is NULL. Returns -1 if",
                " * memory or address space ran out. */",
                f"int {N}_instantiate({N}_instance **out, const {N}_imports *imports);",
                f"void {N}_free({N}_instance *inst);", "",
                "/* The exports. A function's results are written through r0, r1, ... (which",
                " * may be NULL) when it returns WASMC_OK. */"]
        for k, e in enumerate(m.exports):
            what = describe(self.func_type(e.index)) if e.kind == "func" else e.kind
            out.append(f"/* {c_comment(e.name)}: {what} */")
            out.append(self.export_prototype(k) + ";")
        out += ["", f"#endif /* {guard} */", ""]
        return with_simd_header("\n".join(out))

    # ---- the wrappers --------------------------------------------------------------------

    def emit_wrappers(self) -> str:
        N, P, m = self.name, self.prefix, self.module
        n_funcs = len(self.func_imports)
        sigs = {sig_name(self.func_type(e.index)): self.func_type(e.index)
                for e in m.exports if e.kind == "func"}
        import_sigs = {sig_name(self.import_type(k)) for k in self.func_imports}
        out = [f"/* {N}.c: the functions of {N}.h (generated by wasmc). */",
               f'#include "{N}.h"', "#include <stdlib.h>", "",
               f"/* The module's entry points ({N}_module.c). */",
               f"void *{P}_instantiate(void **imports);",
               f"void {P}_initialize(void *inst);",
               f"void {P}_free(void *inst);",
               f"void *{P}_export(void *inst, uint32_t index);"]
        out += [f"void {P}_invoke_{sig}(void *invocation);" for sig in sorted(sigs)]
        out += [f"const wasmc_func *{P}_tail_{sig}(const wasmc_func *self, uint64_t *slots, "
                "uint32_t cap);" for sig in sorted(import_sigs)]
        out += ["", f"struct {N}_instance {{",
                "  void *module; /* the module's instance */",
                "  /* The host's functions as function values, which the module points to. */",
                f"  wasmc_func funcs[{max(1, n_funcs)}];", "};", ""]
        out += [f"int {N}_instantiate({N}_instance **out, const {N}_imports *imports) {{",
                f"  {N}_instance *inst = calloc(1, sizeof *inst);",
                "  *out = NULL;", "  if (!inst) return -1;"]
        if m.imports:
            out.append(f"  void *list[{len(m.imports)}];")
        else:
            out.append("  void **list = NULL;")
            out.append("  (void)imports;")
        for k, imp in enumerate(m.imports):
            field = self.import_fields[k]
            if imp.kind == "func":
                j = self.func_imports.index(k)
                ft = self.import_type(k)
                out.append(f"  inst->funcs[{j}] = (wasmc_func){{{type_id_expr(ft)}, "
                           f"(void (*)(void))imports->{field}, imports->{field}_env, "
                           f"{P}_tail_{sig_name(ft)}}};")
                out.append(f"  list[{k}] = &inst->funcs[{j}];")
            else:
                out.append(f"  list[{k}] = imports->{field};")
        out += [f"  inst->module = {P}_instantiate(list);",
                "  if (!inst->module) { free(inst); return -1; }",
                f"  int code = wasmc_protected({P}_initialize, inst->module);",
                f"  if (code != WASMC_OK) {{ {N}_free(inst); return code; }}",
                "  *out = inst;", "  return WASMC_OK;", "}", "",
                f"void {N}_free({N}_instance *inst) {{",
                "  if (!inst) return;", f"  {P}_free(inst->module);", "  free(inst);", "}", ""]
        out += [self.export_wrapper(k) for k in range(len(m.exports))]
        return "\n".join(out)

    def export_wrapper(self, k: int) -> str:
        e, P = self.module.exports[k], self.prefix
        get = f"{P}_export(inst->module, {k}u)"
        if e.kind != "func":
            return f"{self.export_prototype(k)} {{\n  return ({EXTERN_TYPE[e.kind]}){get};\n}}\n"
        ft = self.func_type(e.index)
        lines = [f"{self.export_prototype(k)} {{",
                 f"  uint64_t slots[{max(1, slot_count(ft.params), slot_count(ft.results))}]"
                 " = {0};"]
        args = [f"p{i}" for i in range(len(ft.params))]
        lines += ["  " + store for store in slot_stores(ft.params, args, "slots")]
        lines += [f"  wasmc_invocation call = {{(const wasmc_func *){get}, slots}};",
                  f"  int code = wasmc_protected({P}_invoke_{sig_name(ft)}, &call);"]
        for i, value in enumerate(slot_loads(ft.results, "slots")):
            lines.append(f"  if (code == WASMC_OK && r{i}) *r{i} = {value};")
        return "\n".join(lines + ["  return code;", "}", ""])


def emit_embedding(module: Module, name: str) -> tuple[str, str]:
    """The header and the wrappers' C for a validated module compiled with the prefix
    `NAME_module`."""
    emitter = EmbeddingEmitter(module, name)
    return emitter.emit_header(), emitter.emit_wrappers()

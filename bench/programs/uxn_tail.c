/* A Uxn interpreter in the tail-calling style: one function per opcode; each ends by calling
 * the next opcode's function through a table, with the whole VM state (memory, the two
 * stacks, pc and the stack pointers) in parameters, so it stays in registers.
 *
 * clang: `musttail` makes every dispatch a jump (in Wasm, `return_call_indirect`, built with
 * -mtail-call), and on x86-64/AArch64 `preserve_none` passes all six parameters in
 * registers and frees the callee-saved ones. GCC 12 has neither: plain calls in tail
 * position, which GCC turns into jumps at -O2 (sibling-call optimisation). */
#include "uxn_common.h"

#if defined(__has_attribute)
#if __has_attribute(musttail)
#define UXN_MUSTTAIL __attribute__((musttail))
#endif
#if __has_attribute(preserve_none) && (defined(__x86_64__) || defined(__aarch64__))
#define UXN_CC __attribute__((preserve_none))
#endif
#endif
#ifndef UXN_MUSTTAIL
#define UXN_MUSTTAIL
#endif
#ifndef UXN_CC
#define UXN_CC
#endif

#define UXN_PARAMS uint8_t *ram, uint8_t *wst, uint8_t *rst, uint16_t pc, uint8_t wp, uint8_t rp
typedef UXN_CC int (*uxn_handler)(UXN_PARAMS);

/* First pass over the opcodes: declarations (and UXN_OPNAMES, in opcode order). */
#define UXN_OP(code, name, ...) static UXN_CC int uxn_op_##name(UXN_PARAMS);
#include "uxn_ops.h"
#undef UXN_OP

#define UXN_TABLE_ENTRY(name) uxn_op_##name,
static const uxn_handler uxn_table[256] = {UXN_OPNAMES(UXN_TABLE_ENTRY)};

/* Second pass: the definitions. Each fetches the next opcode and tail-calls its handler. */
#define UXN_HALT return 0
#define UXN_OP(code, name, ...)                                                      \
    static UXN_CC int uxn_op_##name(UXN_PARAMS) {                                    \
        { __VA_ARGS__ }                                                              \
        uint8_t next = ram[pc];                                                      \
        UXN_MUSTTAIL return uxn_table[next](ram, wst, rst, (uint16_t)(pc + 1), wp, rp); \
    }
#include "uxn_ops.h"

static void uxn_run(uint8_t *ram, uint16_t pc) {
    uxn_table[ram[pc]](ram, uxn_wst, uxn_rst, (uint16_t)(pc + 1), 0, 0);
}

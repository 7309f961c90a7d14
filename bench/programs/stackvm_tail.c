/* A stack-machine interpreter in the tail-calling style, with 16 opcodes: one function per
 * opcode, each ending by tail-calling the next opcode's function through a dispatch table.
 * The VM state is six 32-bit values in parameters (in Wasm: six i32 parameters): the pc and
 * the stack pointer, both pointers into (linear) memory, the top of stack kept apart from
 * the stack, a pointer to the local variables, and two counters. Unlike uxn_tail.c, the
 * dispatch table is filled at run time (init_ops), not by a constant initializer, so a
 * compiler cannot turn the indirect calls into direct ones.
 *
 * The bytecode program sums the lengths of the Collatz sequences of 1..LIMIT and folds
 * every length into a checksum. Usage: stackvm_tail ROUNDS [LIMIT] (each round runs the
 * program once, over 1..LIMIT + round; LIMIT is 60000 by default and must stay below 77000,
 * where the sequences still fit in 31 bits). Prints the instruction count and the checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(__has_attribute)
#if __has_attribute(musttail)
#define VM_MUSTTAIL __attribute__((musttail))
#endif
#if __has_attribute(preserve_none) && (defined(__x86_64__) || defined(__aarch64__))
#define VM_CC __attribute__((preserve_none))
#endif
#endif
#ifndef VM_MUSTTAIL
#define VM_MUSTTAIL
#endif
#ifndef VM_CC
#define VM_CC
#endif

/* pc, sp, top of stack, locals, instructions executed (low 32 bits), branches taken. */
#define VM_PARAMS                                                                       \
    const uint8_t *pc, int32_t *sp, int32_t tos, int32_t *loc, uint32_t steps,          \
        uint32_t taken
#define VM_ARGS pc, sp, tos, loc, steps, taken
typedef VM_CC int32_t (*vm_op)(VM_PARAMS);

enum {
    HALT, PUSH, LOAD, STORE, DUP, DROP, SWAP, OVER,
    ADD, SUB, MUL, AND, XOR, SHR, JZ, JMP,
};

static vm_op ops[16];
static int32_t vm_stack[256];
static int32_t vm_locals[8];
static uint32_t vm_steps, vm_taken;

/* Every handler but HALT ends with NEXT: fetch the next opcode and tail-call its handler. */
#define NEXT VM_MUSTTAIL return ops[*pc](pc + 1, sp, tos, loc, steps + 1, taken)

/* The top of stack lives in `tos`; `*sp` is the value below it (the stack grows up). */
static VM_CC int32_t op_halt(VM_PARAMS) {
    vm_steps = steps;
    vm_taken = taken;
    (void)pc, (void)sp, (void)loc;
    return tos;
}
static VM_CC int32_t op_push(VM_PARAMS) {  /* PUSH imm8 (signed) */
    *++sp = tos;
    tos = (int8_t)*pc++;
    NEXT;
}
static VM_CC int32_t op_load(VM_PARAMS) {  /* LOAD slot */
    *++sp = tos;
    tos = loc[*pc++];
    NEXT;
}
static VM_CC int32_t op_store(VM_PARAMS) {  /* STORE slot */
    loc[*pc++] = tos;
    tos = *sp--;
    NEXT;
}
static VM_CC int32_t op_dup(VM_PARAMS) { *++sp = tos; NEXT; }
static VM_CC int32_t op_drop(VM_PARAMS) { tos = *sp--; NEXT; }
static VM_CC int32_t op_swap(VM_PARAMS) {
    int32_t below = *sp;
    *sp = tos;
    tos = below;
    NEXT;
}
static VM_CC int32_t op_over(VM_PARAMS) {
    int32_t below = *sp;
    *++sp = tos;
    tos = below;
    NEXT;
}
static VM_CC int32_t op_add(VM_PARAMS) { tos = (int32_t)((uint32_t)*sp-- + (uint32_t)tos); NEXT; }
static VM_CC int32_t op_sub(VM_PARAMS) { tos = (int32_t)((uint32_t)*sp-- - (uint32_t)tos); NEXT; }
static VM_CC int32_t op_mul(VM_PARAMS) { tos = (int32_t)((uint32_t)*sp-- * (uint32_t)tos); NEXT; }
static VM_CC int32_t op_and(VM_PARAMS) { tos = *sp-- & tos; NEXT; }
static VM_CC int32_t op_xor(VM_PARAMS) { tos = *sp-- ^ tos; NEXT; }
static VM_CC int32_t op_shr(VM_PARAMS) { tos = (int32_t)((uint32_t)*sp-- >> (tos & 31)); NEXT; }
static VM_CC int32_t op_jz(VM_PARAMS) {  /* JZ rel8: pop; jump if it was zero */
    int32_t cond = tos;
    int8_t rel = (int8_t)*pc++;
    tos = *sp--;
    if (cond == 0) {
        pc += rel;
        taken++;
    }
    NEXT;
}
static VM_CC int32_t op_jmp(VM_PARAMS) {  /* JMP rel8 */
    int8_t rel = (int8_t)*pc++;
    pc += rel;
    taken++;
    NEXT;
}

/* At run time, from a list: the table is data the compiler cannot see through. */
static void init_ops(void) {
    static const struct { int code; vm_op fn; } list[] = {
        {HALT, op_halt}, {PUSH, op_push}, {LOAD, op_load}, {STORE, op_store},
        {DUP, op_dup},   {DROP, op_drop}, {SWAP, op_swap}, {OVER, op_over},
        {ADD, op_add},   {SUB, op_sub},   {MUL, op_mul},   {AND, op_and},
        {XOR, op_xor},   {SHR, op_shr},   {JZ, op_jz},     {JMP, op_jmp},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        ops[list[i].code] = list[i].fn;
}

/* Locals: 0 = i (counts down to 0), 1 = x, 2 = length of x's sequence, 3 = checksum. */
static const uint8_t program[] = {
    /* 0  top:   */ LOAD, 0, JZ, 69,                    /* i == 0: done */
    /* 4         */ LOAD, 0, STORE, 1, PUSH, 0, STORE, 2,  /* x = i, len = 0 */
    /* 12 loop:  */ LOAD, 1, PUSH, 1, SUB, JZ, 32,        /* x == 1: next */
    /* 19        */ LOAD, 2, PUSH, 1, ADD, STORE, 2,      /* len++ */
    /* 26        */ LOAD, 1, DUP, PUSH, 1, AND, JZ, 10,   /* x even: even */
    /* 34        */ PUSH, 3, MUL, PUSH, 1, ADD, STORE, 1, JMP, -32, /* x = 3x + 1 */
    /* 44 even:  */ PUSH, 1, SHR, STORE, 1, JMP, -39,     /* x = x >> 1 */
    /* 51 next:  */ LOAD, 3, PUSH, 5, MUL, LOAD, 2, OVER, DROP, SWAP, XOR, STORE, 3,
    /* 64        */ LOAD, 0, PUSH, 1, SUB, STORE, 0, JMP, -73, /* checksum = 5c ^ len; i-- */
    /* 73 done:  */ LOAD, 3, HALT,
};

static int32_t run(int32_t limit) {
    vm_locals[0] = limit;
    vm_locals[3] = 0;
    const uint8_t *pc = program;
    return ops[*pc](pc + 1, vm_stack, 0, vm_locals, 0, 0);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    int32_t limit = argc > 2 ? atoi(argv[2]) : 60000;
    init_ops();
    uint32_t checksum = 0;
    uint64_t steps = 0, taken = 0;
    for (int r = 0; r < rounds; r++) {
        checksum = checksum * 31 + (uint32_t)run(limit + r);
        steps += vm_steps;
        taken += vm_taken;
    }
    printf("%llu instructions, %llu jumps, checksum %08x\n", (unsigned long long)steps,
           (unsigned long long)taken, checksum);
    return 0;
}

/* A register-machine interpreter in the tail-calling style with nine values of VM state in
 * parameters: the pc, the memory, four registers (A, B, X, Y), two flags (zero, carry) and
 * the instruction count. That is more than the six integer argument registers of x86-64's
 * default calling convention (in Wasm: nine parameters of every handler). One function
 * per opcode, each tail-calls the next through a table filled at run time. The machine is
 * in the spirit of an 8-bit CPU: loads, stores and increments name their register, the
 * compare instructions set the flags and the branches test them.
 *
 * Two programs run on it, over a buffer of pseudo-random bytes: CRC-16/CCITT (bit by bit)
 * and the sum of the bytes >= 128. Usage: regvm_tail ROUNDS [LEN] (each round refills the
 * buffer, LEN bytes, 16384 by default). Prints the instruction count and a checksum of the
 * results. */
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

#define VM_PARAMS                                                                        \
    const uint8_t *pc, uint8_t *mem, uint32_t a, uint32_t b, uint32_t x, uint32_t y,      \
        uint32_t zf, uint32_t cf, uint32_t n
typedef VM_CC uint32_t (*vm_op)(VM_PARAMS);

enum {
    HALT, LDA_I, LDB_I, LDX_I, LDY_I, LDA_X, STA_X, XOR_HI_X, BIT_I, SHL_A, SHR_A, XOR_I,
    DEB, INB, INX, CPX_Y, CMP_I, ADD_BA, TBA, BEQ, BNE, BCC, BCS, JMP, N_OPS,
};

static vm_op ops[N_OPS];
static uint8_t vm_mem[0x10000];
static uint32_t vm_count;

#define NEXT VM_MUSTTAIL return ops[*pc](pc + 1, mem, a, b, x, y, zf, cf, n + 1)
#define IMM16 ((uint32_t)pc[0] << 8 | pc[1])
#define OP(name) static VM_CC uint32_t op_##name(VM_PARAMS)

OP(halt) {
    (void)pc, (void)mem, (void)b, (void)x, (void)y, (void)zf, (void)cf;
    vm_count = n;
    return a;
}
OP(lda_i) { a = IMM16; pc += 2; NEXT; }
OP(ldb_i) { b = IMM16; pc += 2; NEXT; }
OP(ldx_i) { x = IMM16; pc += 2; NEXT; }
OP(ldy_i) { y = IMM16; pc += 2; NEXT; }
OP(lda_x) { a = mem[x & 0xFFFF]; NEXT; }
OP(sta_x) { mem[x & 0xFFFF] = (uint8_t)a; NEXT; }
OP(xor_hi_x) { a ^= (uint32_t)mem[x & 0xFFFF] << 8; NEXT; }  /* A ^= M[X] << 8 */
OP(bit_i) { zf = (a & IMM16) == 0; pc += 2; NEXT; }          /* Z = !(A & imm) */
OP(shl_a) { cf = a >> 15 & 1; a = (a << 1) & 0xFFFF; NEXT; }  /* 16-bit shift, C = out */
OP(shr_a) { cf = a & 1; a >>= 1; NEXT; }
OP(xor_i) { a ^= IMM16; pc += 2; NEXT; }
OP(deb) { b--; zf = b == 0; NEXT; }
OP(inb) { b++; zf = b == 0; NEXT; }
OP(inx) { x++; zf = x == 0; NEXT; }
OP(cpx_y) { zf = x == y; cf = x >= y; NEXT; }
OP(cmp_i) { uint32_t v = IMM16; zf = a == v; cf = a >= v; pc += 2; NEXT; }
OP(add_ba) { b += a; zf = b == 0; NEXT; }
OP(tba) { a = b; NEXT; }
/* Branches: a signed 8-bit offset from the end of the instruction. */
#define BRANCH(cond) do { int8_t rel = (int8_t)*pc++; if (cond) pc += rel; NEXT; } while (0)
OP(beq) { BRANCH(zf); }
OP(bne) { BRANCH(!zf); }
OP(bcc) { BRANCH(!cf); }
OP(bcs) { BRANCH(cf); }
OP(jmp) { BRANCH(1); }

static void init_ops(void) {
    static const struct { int code; vm_op fn; } list[] = {
        {HALT, op_halt},   {LDA_I, op_lda_i},   {LDB_I, op_ldb_i}, {LDX_I, op_ldx_i},
        {LDY_I, op_ldy_i}, {LDA_X, op_lda_x},   {STA_X, op_sta_x}, {XOR_HI_X, op_xor_hi_x},
        {BIT_I, op_bit_i}, {SHL_A, op_shl_a},   {SHR_A, op_shr_a}, {XOR_I, op_xor_i},
        {DEB, op_deb},     {INB, op_inb},       {INX, op_inx},     {CPX_Y, op_cpx_y},
        {CMP_I, op_cmp_i}, {ADD_BA, op_add_ba}, {TBA, op_tba},     {BEQ, op_beq},
        {BNE, op_bne},     {BCC, op_bcc},       {BCS, op_bcs},     {JMP, op_jmp},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)
        ops[list[i].code] = list[i].fn;
}

/* CRC-16/CCITT (polynomial 0x1021, initial 0xFFFF) of M[0..Y): A = the CRC. */
static const uint8_t crc_program[] = {
    /* 0         */ LDX_I, 0, 0, LDA_I, 0xFF, 0xFF,
    /* 6  byte:  */ XOR_HI_X, LDB_I, 0, 8,
    /* 10 bit:   */ BIT_I, 0x80, 0x00, SHL_A, BEQ, 3, XOR_I, 0x10, 0x21,
    /* 19 skip:  */ DEB, BNE, -12,                    /* to bit */
    /* 22        */ INX, CPX_Y, BNE, -20,              /* to byte */
    /* 26        */ HALT,
};

/* The sum of the bytes >= 128 of M[0..Y): A = B = the sum. */
static const uint8_t sum_program[] = {
    /* 0         */ LDX_I, 0, 0, LDB_I, 0, 0,
    /* 6  loop:  */ LDA_X, CMP_I, 0, 128, BCC, 1, ADD_BA,
    /* 13 low:   */ INX, CPX_Y, BNE, -11,              /* to loop */
    /* 17        */ TBA, HALT,
};

static uint32_t run(const uint8_t *program, uint32_t len) {
    return ops[*program](program + 1, vm_mem, 0, 0, 0, len, 0, 0, 0);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    uint32_t len = argc > 2 ? (uint32_t)atoi(argv[2]) : 16384;
    if (len < 1 || len > 0xFFFF) {
        fprintf(stderr, "LEN must be 1..65535\n");
        return 2;
    }
    init_ops();
    uint32_t seed = 12345, checksum = 0;
    uint64_t count = 0;
    for (int r = 0; r < rounds; r++) {
        for (uint32_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            vm_mem[i] = (uint8_t)(seed >> 16);
        }
        uint32_t crc = run(crc_program, len);
        count += vm_count;
        uint32_t sum = run(sum_program, len);
        count += vm_count;
        checksum = (checksum * 31 + crc) * 31 + sum;
    }
    printf("%llu instructions, checksum %08x\n", (unsigned long long)count, checksum);
    return 0;
}

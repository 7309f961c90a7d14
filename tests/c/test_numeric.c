/* The numeric helpers of wasmc_numeric.h at their edges. Inputs travel through memory and a
 * wasmc_protected call, so nothing is constant-folded away. */
#include <math.h>

#include "check.h"

static float f32(uint32_t bits) { return wasmc_f32_const(bits); }
static double f64(uint64_t bits) { return wasmc_f64_const(bits); }

/* ---- one operation on runtime values, run under wasmc_protected ---- */

typedef enum op {
    I32_DIV_S, I32_DIV_U, I32_REM_S, I32_REM_U, I64_DIV_S, I64_DIV_U, I64_REM_S, I64_REM_U,
    I32_TRUNC_F32_S, I32_TRUNC_F32_U, I32_TRUNC_F64_S, I32_TRUNC_F64_U,
    I64_TRUNC_F32_S, I64_TRUNC_F32_U, I64_TRUNC_F64_S, I64_TRUNC_F64_U,
    I32_SAT_F32_S, I32_SAT_F32_U, I32_SAT_F64_S, I32_SAT_F64_U,
    I64_SAT_F32_S, I64_SAT_F32_U, I64_SAT_F64_S, I64_SAT_F64_U,
} op;

typedef struct operation {
    op op;
    uint64_t a, b;
    double x; /* float inputs are exactly representable values, narrowed for f32 */
    uint64_t result;
} operation;

static void run(void *arg) {
    operation *o = arg;
    uint32_t a32 = (uint32_t)o->a, b32 = (uint32_t)o->b;
    float xf = (float)o->x;
    double x = o->x;
    switch (o->op) {
    case I32_DIV_S: o->result = wasmc_i32_div_s(a32, b32); break;
    case I32_DIV_U: o->result = wasmc_i32_div_u(a32, b32); break;
    case I32_REM_S: o->result = wasmc_i32_rem_s(a32, b32); break;
    case I32_REM_U: o->result = wasmc_i32_rem_u(a32, b32); break;
    case I64_DIV_S: o->result = wasmc_i64_div_s(o->a, o->b); break;
    case I64_DIV_U: o->result = wasmc_i64_div_u(o->a, o->b); break;
    case I64_REM_S: o->result = wasmc_i64_rem_s(o->a, o->b); break;
    case I64_REM_U: o->result = wasmc_i64_rem_u(o->a, o->b); break;
    case I32_TRUNC_F32_S: o->result = wasmc_i32_trunc_f32_s(xf); break;
    case I32_TRUNC_F32_U: o->result = wasmc_i32_trunc_f32_u(xf); break;
    case I32_TRUNC_F64_S: o->result = wasmc_i32_trunc_f64_s(x); break;
    case I32_TRUNC_F64_U: o->result = wasmc_i32_trunc_f64_u(x); break;
    case I64_TRUNC_F32_S: o->result = wasmc_i64_trunc_f32_s(xf); break;
    case I64_TRUNC_F32_U: o->result = wasmc_i64_trunc_f32_u(xf); break;
    case I64_TRUNC_F64_S: o->result = wasmc_i64_trunc_f64_s(x); break;
    case I64_TRUNC_F64_U: o->result = wasmc_i64_trunc_f64_u(x); break;
    case I32_SAT_F32_S: o->result = wasmc_i32_trunc_sat_f32_s(xf); break;
    case I32_SAT_F32_U: o->result = wasmc_i32_trunc_sat_f32_u(xf); break;
    case I32_SAT_F64_S: o->result = wasmc_i32_trunc_sat_f64_s(x); break;
    case I32_SAT_F64_U: o->result = wasmc_i32_trunc_sat_f64_u(x); break;
    case I64_SAT_F32_S: o->result = wasmc_i64_trunc_sat_f32_s(xf); break;
    case I64_SAT_F32_U: o->result = wasmc_i64_trunc_sat_f32_u(xf); break;
    case I64_SAT_F64_S: o->result = wasmc_i64_trunc_sat_f64_s(x); break;
    case I64_SAT_F64_U: o->result = wasmc_i64_trunc_sat_f64_u(x); break;
    }
}

#define INT(op_, a_, b_, code, want)                                                           \
    do {                                                                                       \
        operation o = {.op = (op_), .a = (uint64_t)(a_), .b = (uint64_t)(b_)};                 \
        CHECK_EQ(wasmc_protected(run, &o), (code));                                            \
        if ((code) == WASMC_OK) CHECK_EQ(o.result, (want));                                    \
    } while (0)
#define CONV(op_, x_, code, want)                                                              \
    do {                                                                                       \
        operation o = {.op = (op_), .x = (x_)};                                                \
        CHECK_EQ(wasmc_protected(run, &o), (code));                                            \
        if ((code) == WASMC_OK) CHECK_EQ(o.result, (want));                                    \
    } while (0)
#define OK WASMC_OK
#define DIV0 WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO
#define OVF WASMC_TRAP_INTEGER_OVERFLOW
#define INVALID WASMC_TRAP_INVALID_CONVERSION

static void test_division(void) {
    INT(I32_DIV_S, 7, 0, DIV0, 0);
    INT(I32_DIV_S, 0x80000000u, 0xFFFFFFFFu, OVF, 0);
    INT(I32_DIV_S, 0x80000000u, 1, OK, 0x80000000u);
    INT(I32_DIV_S, (uint32_t)-7, 2, OK, (uint32_t)-3); /* truncates toward zero */
    INT(I32_DIV_U, 0x80000000u, 0xFFFFFFFFu, OK, 0);
    INT(I32_DIV_U, 0xFFFFFFFFu, 2, OK, 0x7FFFFFFFu);
    INT(I32_DIV_U, 1, 0, DIV0, 0);
    INT(I32_REM_S, 0x80000000u, 0xFFFFFFFFu, OK, 0);
    INT(I32_REM_S, (uint32_t)-7, 2, OK, (uint32_t)-1); /* sign of the dividend */
    INT(I32_REM_S, 7, (uint32_t)-2, OK, 1);
    INT(I32_REM_S, 7, 0, DIV0, 0);
    INT(I32_REM_U, 0xFFFFFFFFu, 10, OK, 5);
    INT(I32_REM_U, 7, 0, DIV0, 0);
    INT(I64_DIV_S, 0x8000000000000000u, UINT64_MAX, OVF, 0);
    INT(I64_DIV_S, 0x8000000000000000u, 2, OK, 0xC000000000000000u);
    INT(I64_DIV_S, 1, 0, DIV0, 0);
    INT(I64_DIV_U, UINT64_MAX, 3, OK, 0x5555555555555555u);
    INT(I64_DIV_U, 1, 0, DIV0, 0);
    INT(I64_REM_S, 0x8000000000000000u, UINT64_MAX, OK, 0);
    INT(I64_REM_S, (uint64_t)-7, 2, OK, (uint64_t)-1);
    INT(I64_REM_S, 1, 0, DIV0, 0);
    INT(I64_REM_U, UINT64_MAX, 10, OK, 5);
    INT(I64_REM_U, 1, 0, DIV0, 0);
}

static void test_trapping_truncation(void) {
    /* each bound from both sides, NaN, infinities, and (-1, 0) for the unsigned ones */
    CONV(I32_TRUNC_F32_S, -2147483648.0, OK, 0x80000000u);
    CONV(I32_TRUNC_F32_S, -2147483904.0, OVF, 0);
    CONV(I32_TRUNC_F32_S, 2147483520.0, OK, 2147483520u);
    CONV(I32_TRUNC_F32_S, 2147483648.0, OVF, 0);
    CONV(I32_TRUNC_F32_S, -1.5, OK, (uint32_t)-1);
    CONV(I32_TRUNC_F32_S, NAN, INVALID, 0);
    CONV(I32_TRUNC_F32_S, INFINITY, OVF, 0);
    CONV(I32_TRUNC_F32_S, -INFINITY, OVF, 0);

    CONV(I32_TRUNC_F32_U, -0.99999994, OK, 0);
    CONV(I32_TRUNC_F32_U, -1.0, OVF, 0);
    CONV(I32_TRUNC_F32_U, 4294967040.0, OK, 4294967040u);
    CONV(I32_TRUNC_F32_U, 4294967296.0, OVF, 0);
    CONV(I32_TRUNC_F32_U, -NAN, INVALID, 0);

    CONV(I32_TRUNC_F64_S, -2147483648.9, OK, 0x80000000u);
    CONV(I32_TRUNC_F64_S, -2147483649.0, OVF, 0);
    CONV(I32_TRUNC_F64_S, 2147483647.9, OK, 0x7FFFFFFFu);
    CONV(I32_TRUNC_F64_S, 2147483648.0, OVF, 0);
    CONV(I32_TRUNC_F64_S, NAN, INVALID, 0);

    CONV(I32_TRUNC_F64_U, -0.9, OK, 0);
    CONV(I32_TRUNC_F64_U, -1.0, OVF, 0);
    CONV(I32_TRUNC_F64_U, 4294967295.9, OK, 0xFFFFFFFFu);
    CONV(I32_TRUNC_F64_U, 4294967296.0, OVF, 0);
    CONV(I32_TRUNC_F64_U, INFINITY, OVF, 0);

    CONV(I64_TRUNC_F32_S, -9223372036854775808.0, OK, 0x8000000000000000u);
    CONV(I64_TRUNC_F32_S, -9223373136366403584.0, OVF, 0);
    CONV(I64_TRUNC_F32_S, 9223371487098961920.0, OK, 9223371487098961920u);
    CONV(I64_TRUNC_F32_S, 9223372036854775808.0, OVF, 0);
    CONV(I64_TRUNC_F32_S, NAN, INVALID, 0);

    CONV(I64_TRUNC_F32_U, -0.99999994, OK, 0);
    CONV(I64_TRUNC_F32_U, -1.0, OVF, 0);
    CONV(I64_TRUNC_F32_U, 18446742974197923840.0, OK, 18446742974197923840u);
    CONV(I64_TRUNC_F32_U, 18446744073709551616.0, OVF, 0);
    CONV(I64_TRUNC_F32_U, NAN, INVALID, 0);

    CONV(I64_TRUNC_F64_S, -9223372036854775808.0, OK, 0x8000000000000000u);
    CONV(I64_TRUNC_F64_S, -9223372036854777856.0, OVF, 0);
    CONV(I64_TRUNC_F64_S, 9223372036854774784.0, OK, 9223372036854774784u);
    CONV(I64_TRUNC_F64_S, 9223372036854775808.0, OVF, 0);
    CONV(I64_TRUNC_F64_S, -INFINITY, OVF, 0);

    CONV(I64_TRUNC_F64_U, -0.9, OK, 0);
    CONV(I64_TRUNC_F64_U, -1.0, OVF, 0);
    CONV(I64_TRUNC_F64_U, 18446744073709549568.0, OK, 18446744073709549568u);
    CONV(I64_TRUNC_F64_U, 18446744073709551616.0, OVF, 0);
    CONV(I64_TRUNC_F64_U, NAN, INVALID, 0);
}

static void test_saturating_truncation(void) {
    CONV(I32_SAT_F32_S, NAN, OK, 0);
    CONV(I32_SAT_F32_S, -2147483904.0, OK, 0x80000000u);
    CONV(I32_SAT_F32_S, -2147483648.0, OK, 0x80000000u);
    CONV(I32_SAT_F32_S, 2147483520.0, OK, 2147483520u);
    CONV(I32_SAT_F32_S, 2147483648.0, OK, 0x7FFFFFFFu);
    CONV(I32_SAT_F32_S, -INFINITY, OK, 0x80000000u);
    CONV(I32_SAT_F32_S, -1.5, OK, (uint32_t)-1);
    CONV(I32_SAT_F32_U, -1.0, OK, 0);
    CONV(I32_SAT_F32_U, -0.5, OK, 0);
    CONV(I32_SAT_F32_U, 4294967040.0, OK, 4294967040u);
    CONV(I32_SAT_F32_U, 4294967296.0, OK, 0xFFFFFFFFu);
    CONV(I32_SAT_F32_U, NAN, OK, 0);
    CONV(I32_SAT_F64_S, -2147483649.0, OK, 0x80000000u);
    CONV(I32_SAT_F64_S, -2147483648.9, OK, 0x80000000u);
    CONV(I32_SAT_F64_S, 2147483647.9, OK, 0x7FFFFFFFu);
    CONV(I32_SAT_F64_S, 1e300, OK, 0x7FFFFFFFu);
    CONV(I32_SAT_F64_S, NAN, OK, 0);
    CONV(I32_SAT_F64_U, -1e300, OK, 0);
    CONV(I32_SAT_F64_U, 4294967295.9, OK, 0xFFFFFFFFu);
    CONV(I32_SAT_F64_U, 4294967296.0, OK, 0xFFFFFFFFu);
    CONV(I64_SAT_F32_S, -9223373136366403584.0, OK, 0x8000000000000000u);
    CONV(I64_SAT_F32_S, 9223371487098961920.0, OK, 9223371487098961920u);
    CONV(I64_SAT_F32_S, 9223372036854775808.0, OK, 0x7FFFFFFFFFFFFFFFu);
    CONV(I64_SAT_F32_S, NAN, OK, 0);
    CONV(I64_SAT_F32_U, 18446742974197923840.0, OK, 18446742974197923840u);
    CONV(I64_SAT_F32_U, 18446744073709551616.0, OK, UINT64_MAX);
    CONV(I64_SAT_F32_U, -0.5, OK, 0);
    CONV(I64_SAT_F32_U, -INFINITY, OK, 0);
    CONV(I64_SAT_F64_S, -9223372036854777856.0, OK, 0x8000000000000000u);
    CONV(I64_SAT_F64_S, -9223372036854775808.0, OK, 0x8000000000000000u);
    CONV(I64_SAT_F64_S, 9223372036854774784.0, OK, 9223372036854774784u);
    CONV(I64_SAT_F64_S, 9223372036854775808.0, OK, 0x7FFFFFFFFFFFFFFFu);
    CONV(I64_SAT_F64_S, NAN, OK, 0);
    CONV(I64_SAT_F64_U, 18446744073709549568.0, OK, 18446744073709549568u);
    CONV(I64_SAT_F64_U, 18446744073709551616.0, OK, UINT64_MAX);
    CONV(I64_SAT_F64_U, -0.9, OK, 0);
    CONV(I64_SAT_F64_U, INFINITY, OK, UINT64_MAX);
}

/* ---- float bit operations, min and max ---- */

/* Inputs through volatile memory so the compiler cannot fold at compile time. */
static volatile uint32_t v32[8];
static volatile uint64_t v64[8];

#define F32_SNAN 0x7FA00001u /* signalling NaN with a payload */
#define F32_QUIET 0x00400000u
#define F64_SNAN 0x7FF4000000000001u
#define F64_QUIET 0x0008000000000000u

static void test_float_bits(void) {
    v32[0] = F32_SNAN;
    v32[1] = 0xBF800000u; /* -1.0f */
    v32[2] = 0x80000000u; /* -0.0f */
    v32[3] = 0xFFC00000u; /* -NaN (canonical) */
    float snan = f32(v32[0]), minus_one = f32(v32[1]), minus_zero = f32(v32[2]);
    float minus_nan = f32(v32[3]);

    CHECK_EQ(wasmc_f32_bits(wasmc_f32_const(F32_SNAN)), F32_SNAN);
    CHECK_EQ(wasmc_f32_bits(snan), F32_SNAN);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_abs(minus_nan)), 0x7FC00000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_neg(snan)), F32_SNAN | 0x80000000u); /* payload kept */
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_abs(wasmc_f32_neg(snan))), F32_SNAN);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_neg(minus_zero)), 0);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_copysign(snan, minus_one)), F32_SNAN | 0x80000000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_copysign(minus_nan, snan)), 0x7FC00000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_copysign(minus_one, f32(0))), 0x3F800000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_copysign(f32(0x3F800000u), minus_zero)), 0xBF800000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_from_bits(v32[0])), F32_SNAN);

    v64[0] = F64_SNAN;
    v64[1] = 0xBFF0000000000000u; /* -1.0 */
    v64[2] = 0x8000000000000000u; /* -0.0 */
    double dsnan = f64(v64[0]), dminus_one = f64(v64[1]), dminus_zero = f64(v64[2]);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_const(F64_SNAN)), F64_SNAN);
    CHECK_EQ(wasmc_f64_bits(dsnan), F64_SNAN);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_neg(dsnan)), F64_SNAN | 0x8000000000000000u);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_abs(wasmc_f64_neg(dsnan))), F64_SNAN);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_copysign(dsnan, dminus_one)), F64_SNAN | 0x8000000000000000u);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_copysign(f64(0x3FF0000000000000u), dminus_zero)),
             0xBFF0000000000000u);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_neg(dminus_zero)), 0);
}

static int f32_is_quiet_nan(float x) {
    uint32_t b = wasmc_f32_bits(x);
    return (b & 0x7F800000u) == 0x7F800000u && (b & F32_QUIET);
}
static int f64_is_quiet_nan(double x) {
    uint64_t b = wasmc_f64_bits(x);
    return (b & 0x7FF0000000000000u) == 0x7FF0000000000000u && (b & F64_QUIET);
}

static void test_min_max(void) {
    v32[0] = F32_SNAN;
    v32[1] = 0x3F800000u; /* 1.0f */
    v32[2] = 0x80000000u; /* -0.0f */
    v32[3] = 0x00000000u; /* +0.0f */
    v32[4] = 0xFF800000u; /* -inf */
    float snan = f32(v32[0]), one = f32(v32[1]), mz = f32(v32[2]), pz = f32(v32[3]);
    float ninf = f32(v32[4]);
    CHECK(f32_is_quiet_nan(wasmc_f32_min(snan, one)));
    CHECK(f32_is_quiet_nan(wasmc_f32_min(one, snan)));
    CHECK(f32_is_quiet_nan(wasmc_f32_max(snan, one)));
    CHECK(f32_is_quiet_nan(wasmc_f32_max(ninf, snan)));
    CHECK(f32_is_quiet_nan(wasmc_f32_min(f32(0x7FC00000u), f32(0x7FC00000u))));
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_min(mz, pz)), 0x80000000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_min(pz, mz)), 0x80000000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_max(mz, pz)), 0);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_max(pz, mz)), 0);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_min(mz, mz)), 0x80000000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_min(one, ninf)), 0xFF800000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_max(one, ninf)), 0x3F800000u);
    CHECK_EQ(wasmc_f32_bits(wasmc_f32_max(mz, one)), 0x3F800000u);

    v64[0] = F64_SNAN;
    v64[1] = 0x3FF0000000000000u;
    v64[2] = 0x8000000000000000u;
    v64[3] = 0;
    double dsnan = f64(v64[0]), done = f64(v64[1]), dmz = f64(v64[2]), dpz = f64(v64[3]);
    CHECK(f64_is_quiet_nan(wasmc_f64_min(dsnan, done)));
    CHECK(f64_is_quiet_nan(wasmc_f64_max(done, dsnan)));
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_min(dpz, dmz)), 0x8000000000000000u);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_max(dmz, dpz)), 0);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_min(done, dpz)), 0);
    CHECK_EQ(wasmc_f64_bits(wasmc_f64_max(done, dpz)), 0x3FF0000000000000u);
}

/* ---- bit counting, rotation, loads and stores ---- */

static void test_bits(void) {
    v32[0] = 0;
    v32[1] = 1;
    v32[2] = 0x80000001u;
    v64[0] = 0;
    v64[1] = 0x8000000000000000u;
    CHECK_EQ(wasmc_i32_clz(v32[0]), 32);
    CHECK_EQ(wasmc_i32_ctz(v32[0]), 32);
    CHECK_EQ(wasmc_i32_clz(v32[1]), 31);
    CHECK_EQ(wasmc_i32_ctz(v32[2]), 0);
    CHECK_EQ(wasmc_i64_clz(v64[0]), 64);
    CHECK_EQ(wasmc_i64_ctz(v64[0]), 64);
    CHECK_EQ(wasmc_i64_clz(v64[1]), 0);
    CHECK_EQ(wasmc_i64_ctz(v64[1]), 63);

    uint32_t x = v32[2];
    v32[3] = 0;
    v32[4] = 33;
    CHECK_EQ(wasmc_i32_rotl(x, 1), 3);
    CHECK_EQ(wasmc_i32_rotl(x, v32[3]), x);
    CHECK_EQ(wasmc_i32_rotl(x, v32[4]), 3); /* count modulo 32 */
    CHECK_EQ(wasmc_i32_rotr(x, 1), 0xC0000000u);
    CHECK_EQ(wasmc_i32_rotr(x, v32[3]), x);
    v64[2] = 0x8000000000000001u;
    v64[3] = 65;
    CHECK_EQ(wasmc_i64_rotl(v64[2], 1), 3);
    CHECK_EQ(wasmc_i64_rotl(v64[2], v64[3]), 3);
    CHECK_EQ(wasmc_i64_rotr(v64[2], 1), 0xC000000000000000u);
    CHECK_EQ(wasmc_i64_rotr(v64[2], 0), v64[2]);
}

static void test_loads_stores(void) {
    uint8_t buf[16] = {0};
    uint8_t *p = buf + 1; /* unaligned */
    wasmc_store_u64(p, 0x0102030405060708u);
    CHECK_EQ(p[0], 0x08); /* little-endian */
    CHECK_EQ(wasmc_load_u64(p), 0x0102030405060708u);
    CHECK_EQ(wasmc_load_u32(p + 4), 0x01020304u);
    wasmc_store_u32(p, 0x80FF7F81u);
    CHECK_EQ(wasmc_load_i32_s8(p), 0xFFFFFF81u);
    CHECK_EQ(wasmc_load_i32_u8(p), 0x81u);
    CHECK_EQ(wasmc_load_i32_s16(p), 0x00007F81u);
    CHECK_EQ(wasmc_load_i32_s16(p + 2), 0xFFFF80FFu);
    CHECK_EQ(wasmc_load_i32_u16(p + 2), 0x80FFu);
    CHECK_EQ(wasmc_load_i64_s8(p), 0xFFFFFFFFFFFFFF81u);
    CHECK_EQ(wasmc_load_i64_u8(p), 0x81u);
    CHECK_EQ(wasmc_load_i64_s16(p + 2), 0xFFFFFFFFFFFF80FFu);
    CHECK_EQ(wasmc_load_i64_u16(p + 2), 0x80FFu);
    CHECK_EQ(wasmc_load_i64_s32(p), 0xFFFFFFFF80FF7F81u);
    CHECK_EQ(wasmc_load_i64_u32(p), 0x80FF7F81u);
    wasmc_store_u8_from32(p, 0x1234);
    wasmc_store_u16_from32(p + 1, 0xABCDEF);
    CHECK_EQ(wasmc_load_u32(p), 0x80CDEF34u);
    wasmc_store_u8_from64(p, 0x1122334455667788u);
    wasmc_store_u16_from64(p + 1, 0x1122334455667788u);
    wasmc_store_u32_from64(p + 3, 0x1122334455667788u);
    CHECK_EQ(wasmc_load_u64(p), 0x0155667788778888u);
    wasmc_store_f32(p, f32(F32_SNAN));
    CHECK_EQ(wasmc_load_u32(p), F32_SNAN);
    CHECK_EQ(wasmc_f32_bits(wasmc_load_f32(p)), F32_SNAN);
    wasmc_store_f64(p, f64(F64_SNAN));
    CHECK_EQ(wasmc_load_u64(p), F64_SNAN);
    CHECK_EQ(wasmc_f64_bits(wasmc_load_f64(p)), F64_SNAN);
}

void test_numeric(void) {
    test_division();
    test_trapping_truncation();
    test_saturating_truncation();
    test_float_bits();
    test_min_max();
    test_bits();
    test_loads_stores();
}

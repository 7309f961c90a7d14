/* Image blur written with SIMD intrinsics: the same algorithm three times, one path chosen at
 * compile time. The Wasm build (-msimd128) uses wasm_simd128.h, the native x86-64 build uses
 * SSE2 (every x86-64 has it, so the native build needs no -m flag), and any other target the
 * scalar loop, which also defines the results: all three give identical bytes.
 *
 * The image is W x H 8-bit grey pixels from an LCG. One pass is a 1-2-1 filter along rows,
 * then along columns, each rounding: out = (a + 2b + c + 2) >> 2 in 16-bit lanes (the sum of
 * 8-bit values fits). The first and last column / row are copied unchanged. Usage:
 * blur_simd PASSES [SIZE]. Prints a checksum of the final image and its pixel sum (and, on
 * stderr, which path was compiled). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define PATH "wasm_simd128"
#elif defined(__SSE2__)
#include <emmintrin.h>
#define PATH "sse2"
#else
#define PATH "scalar"
#endif

static uint8_t filter(unsigned a, unsigned b, unsigned c) {
    return (uint8_t)((a + 2 * b + c + 2) >> 2);
}

/* One 16-byte step: out[i] = filter(a[i], b[i], c[i]) for 16 pixels. */
#if defined(__wasm_simd128__)
static void filter16(uint8_t *out, const uint8_t *a, const uint8_t *b, const uint8_t *c) {
    v128_t va = wasm_v128_load(a), vb = wasm_v128_load(b), vc = wasm_v128_load(c);
    v128_t two = wasm_i16x8_splat(2);
    v128_t lo = wasm_i16x8_add(
        wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(va), wasm_u16x8_extend_low_u8x16(vc)),
        wasm_i16x8_add(wasm_i16x8_shl(wasm_u16x8_extend_low_u8x16(vb), 1), two));
    v128_t hi = wasm_i16x8_add(
        wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(va), wasm_u16x8_extend_high_u8x16(vc)),
        wasm_i16x8_add(wasm_i16x8_shl(wasm_u16x8_extend_high_u8x16(vb), 1), two));
    v128_t sum = wasm_u8x16_narrow_i16x8(wasm_u16x8_shr(lo, 2), wasm_u16x8_shr(hi, 2));
    wasm_v128_store(out, sum);
}
#elif defined(__SSE2__)
static void filter16(uint8_t *out, const uint8_t *a, const uint8_t *b, const uint8_t *c) {
    __m128i va = _mm_loadu_si128((const __m128i *)a);
    __m128i vb = _mm_loadu_si128((const __m128i *)b);
    __m128i vc = _mm_loadu_si128((const __m128i *)c);
    __m128i zero = _mm_setzero_si128(), two = _mm_set1_epi16(2);
    __m128i lo = _mm_add_epi16(
        _mm_add_epi16(_mm_unpacklo_epi8(va, zero), _mm_unpacklo_epi8(vc, zero)),
        _mm_add_epi16(_mm_slli_epi16(_mm_unpacklo_epi8(vb, zero), 1), two));
    __m128i hi = _mm_add_epi16(
        _mm_add_epi16(_mm_unpackhi_epi8(va, zero), _mm_unpackhi_epi8(vc, zero)),
        _mm_add_epi16(_mm_slli_epi16(_mm_unpackhi_epi8(vb, zero), 1), two));
    __m128i sum = _mm_packus_epi16(_mm_srli_epi16(lo, 2), _mm_srli_epi16(hi, 2));
    _mm_storeu_si128((__m128i *)out, sum);
}
#else
static void filter16(uint8_t *out, const uint8_t *a, const uint8_t *b, const uint8_t *c) {
    for (int i = 0; i < 16; i++)
        out[i] = filter(a[i], b[i], c[i]);
}
#endif

/* Rows: out[y][x] = filter(in[y][x-1], in[y][x], in[y][x+1]) for 0 < x < w-1. */
static void blur_rows(uint8_t *out, const uint8_t *in, int w, int h) {
    for (int y = 0; y < h; y++) {
        const uint8_t *src = in + (size_t)y * w;
        uint8_t *dst = out + (size_t)y * w;
        dst[0] = src[0];
        dst[w - 1] = src[w - 1];
        int x = 1;
        for (; x + 16 <= w - 1; x += 16)
            filter16(dst + x, src + x - 1, src + x, src + x + 1);
        for (; x < w - 1; x++)
            dst[x] = filter(src[x - 1], src[x], src[x + 1]);
    }
}

/* Columns: out[y][x] = filter(in[y-1][x], in[y][x], in[y+1][x]) for 0 < y < h-1. */
static void blur_cols(uint8_t *out, const uint8_t *in, int w, int h) {
    memcpy(out, in, (size_t)w);
    memcpy(out + (size_t)(h - 1) * w, in + (size_t)(h - 1) * w, (size_t)w);
    for (int y = 1; y < h - 1; y++) {
        const uint8_t *up = in + (size_t)(y - 1) * w, *mid = up + w, *down = mid + w;
        uint8_t *dst = out + (size_t)y * w;
        int x = 0;
        for (; x + 16 <= w; x += 16)
            filter16(dst + x, up + x, mid + x, down + x);
        for (; x < w; x++)
            dst[x] = filter(up[x], mid[x], down[x]);
    }
}

int main(int argc, char **argv) {
    int passes = argc > 1 ? atoi(argv[1]) : 10;
    int size = argc > 2 ? atoi(argv[2]) : 1000;
    if (passes < 0 || size < 3)
        return 2;
    int w = size, h = size * 3 / 4 < 3 ? 3 : size * 3 / 4;
    uint8_t *img = malloc((size_t)w * h), *tmp = malloc((size_t)w * h);
    if (!img || !tmp)
        return 1;
    uint32_t seed = 2024;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        seed = seed * 1103515245u + 12345u;
        img[i] = (uint8_t)(seed >> 24);
    }
    for (int p = 0; p < passes; p++) {
        blur_rows(tmp, img, w, h);
        blur_cols(img, tmp, w, h);
    }
    uint32_t hash = 2166136261u; /* FNV-1a over the pixels */
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        hash = (hash ^ img[i]) * 16777619u;
        sum += img[i];
    }
    /* The path goes to stderr: stdout must be the same on every engine. */
    fprintf(stderr, "path: %s\n", PATH);
    printf("%dx%d, %d passes: fnv1a %08x sum %llu\n", w, h, passes, hash,
           (unsigned long long)sum);
    free(img);
    free(tmp);
    return 0;
}

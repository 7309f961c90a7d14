/* An LZ77 coder: compress N bytes of generated, compressible text with hash chains (32 KiB
 * window, matches of 4..258 bytes, literals and (length, distance) tokens in a byte
 * stream), decompress it again and check the round trip. Byte-level work with data-dependent
 * branches. Usage: lz77 N. Prints the sizes and a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW (1 << 15)
#define HASH_BITS 15
#define MIN_MATCH 4
#define MAX_MATCH 258
#define MAX_CHAIN 32

static uint32_t rng_state = 2463534242u;

static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static uint32_t hash4(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* Output format: a control byte per group of 8 items (bit set = match); a literal is one
 * byte; a match is 3 bytes: (length - MIN_MATCH), distance (2 bytes, little-endian). */
static size_t compress(const uint8_t *in, size_t n, uint8_t *out) {
    int32_t *head = malloc(sizeof(int32_t) << HASH_BITS);
    int32_t *prev = malloc(sizeof(int32_t) * WINDOW);
    if (!head || !prev)
        exit(1);
    for (size_t i = 0; i < (1u << HASH_BITS); i++)
        head[i] = -1;
    size_t o = 0, ctrl_pos = 0, i = 0;
    int items = 8;
    while (i < n) {
        if (items == 8) {
            ctrl_pos = o;
            out[o++] = 0;
            items = 0;
        }
        size_t best_len = 0, best_dist = 0;
        if (i + MIN_MATCH <= n) {
            uint32_t h = hash4(in + i);
            int32_t cand = head[h];
            size_t limit = n - i < MAX_MATCH ? n - i : MAX_MATCH;
            for (int chain = 0; cand >= 0 && i - (size_t)cand <= WINDOW - 1 && chain < MAX_CHAIN;
                 chain++) {
                const uint8_t *a = in + cand, *b = in + i;
                size_t len = 0;
                while (len < limit && a[len] == b[len])
                    len++;
                if (len > best_len) {
                    best_len = len;
                    best_dist = i - (size_t)cand;
                    if (len == limit)
                        break;
                }
                cand = prev[cand & (WINDOW - 1)];
            }
            prev[i & (WINDOW - 1)] = head[h];
            head[h] = (int32_t)i;
        }
        if (best_len >= MIN_MATCH) {
            out[ctrl_pos] |= (uint8_t)(1u << items);
            out[o++] = (uint8_t)(best_len - MIN_MATCH);
            out[o++] = (uint8_t)best_dist;
            out[o++] = (uint8_t)(best_dist >> 8);
            for (size_t k = 1; k < best_len; k++) { /* insert the skipped positions */
                size_t p = i + k;
                if (p + MIN_MATCH <= n) {
                    uint32_t h = hash4(in + p);
                    prev[p & (WINDOW - 1)] = head[h];
                    head[h] = (int32_t)p;
                }
            }
            i += best_len;
        } else {
            out[o++] = in[i++];
        }
        items++;
    }
    free(head);
    free(prev);
    return o;
}

static size_t decompress(const uint8_t *in, size_t n, uint8_t *out) {
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t ctrl = in[i++];
        for (int item = 0; item < 8 && i < n; item++) {
            if (ctrl & (1u << item)) {
                size_t len = (size_t)in[i] + MIN_MATCH;
                size_t dist = (size_t)in[i + 1] | (size_t)in[i + 2] << 8;
                i += 3;
                for (size_t k = 0; k < len; k++, o++)
                    out[o] = out[o - dist];
            } else {
                out[o++] = in[i++];
            }
        }
    }
    return o;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000;
    static const char *const words[] = {
        "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "and ",
        "compression ", "window ", "match ", "literal ", "distance ", "length ", "of ",
        "a ", "to ", "in ", "stream ", "\n"};
    uint8_t *data = malloc(n + 16), *packed = malloc(n + n / 8 + 16), *back = malloc(n + 16);
    if (!data || !packed || !back)
        return 1;
    for (size_t i = 0; i < n;) {
        uint32_t r = rng();
        if (r % 16 == 0) { /* noise */
            data[i++] = (uint8_t)(r >> 8);
            continue;
        }
        const char *w = words[(r >> 4) % (sizeof words / sizeof words[0])];
        for (size_t k = 0; w[k] && i < n; k++)
            data[i++] = (uint8_t)w[k];
    }
    size_t packed_len = compress(data, n, packed);
    size_t back_len = decompress(packed, packed_len, back);
    uint32_t checksum = 0;
    for (size_t i = 0; i < packed_len; i++)
        checksum = checksum * 31u + packed[i];
    int same = back_len == n && memcmp(data, back, n) == 0;
    printf("%zu -> %zu bytes, checksum %08x, round trip %s\n", n, packed_len, checksum,
           same ? "ok" : "FAILED");
    free(data);
    free(packed);
    free(back);
    return same ? 0 : 1;
}

/* Word frequencies: generate a text of N words (a skewed distribution over a generated
 * vocabulary of about 20000 words), split it into words and count them in an open-addressing
 * hash table keyed by strings (FNV-1a). Strings, hashing and unpredictable memory accesses.
 * Usage: wordcount N. Prints the number of distinct words and the ten most frequent. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 88172645463325252ull;

static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 32);
}

static const char *const SYLLABLES[] = {
    "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "po", "qua", "ish",
    "der", "ban", "tor", "ell", "ing", "est", "com", "pre", "un", "re", "ly", "ex"};
#define NSYL (sizeof SYLLABLES / sizeof SYLLABLES[0])
#define VOCAB 20000

struct entry {
    const char *word; /* points into the text; not NUL-terminated */
    uint32_t len, count;
    uint64_t hash;
};

static uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int by_count(const void *pa, const void *pb) {
    const struct entry *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count < b->count ? 1 : -1;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->word, b->word, n);
    return c ? c : (int)a->len - (int)b->len;
}

int main(int argc, char **argv) {
    long nwords = argc > 1 ? atol(argv[1]) : 1000;
    /* The vocabulary: words of 1-4 syllables. */
    char (*vocab)[16] = malloc(sizeof *vocab * VOCAB);
    if (!vocab)
        return 1;
    for (int i = 0; i < VOCAB; i++) {
        int nsyl = 1 + (int)(rng() % 4);
        vocab[i][0] = 0;
        for (int k = 0; k < nsyl; k++)
            strcat(vocab[i], SYLLABLES[rng() % NSYL]);
    }
    /* The text: word ranks skewed towards the front (the minimum of two uniform draws,
     * twice). */
    size_t cap = (size_t)nwords * 17 + 1, len = 0;
    char *text = malloc(cap);
    if (!text)
        return 1;
    for (long i = 0; i < nwords; i++) {
        uint32_t a = rng() % VOCAB, b = rng() % VOCAB, c = rng() % VOCAB;
        uint32_t r = a < b ? a : b;
        r = r < c ? r : c;
        size_t n = strlen(vocab[r]);
        memcpy(text + len, vocab[r], n);
        len += n;
        text[len++] = (i % 13 == 12) ? '\n' : ' ';
    }
    /* Count. */
    size_t table_size = 1 << 16;
    struct entry *table = calloc(table_size, sizeof *table);
    if (!table)
        return 1;
    size_t distinct = 0, total = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && (text[i] == ' ' || text[i] == '\n'))
            i++;
        size_t start = i;
        while (i < len && text[i] != ' ' && text[i] != '\n')
            i++;
        if (i == start)
            break;
        uint32_t n = (uint32_t)(i - start);
        uint64_t h = fnv1a(text + start, n);
        size_t slot = (size_t)h & (table_size - 1);
        while (table[slot].word &&
               (table[slot].hash != h || table[slot].len != n ||
                memcmp(table[slot].word, text + start, n) != 0))
            slot = (slot + 1) & (table_size - 1);
        if (!table[slot].word) {
            table[slot] = (struct entry){text + start, n, 0, h};
            distinct++;
        }
        table[slot].count++;
        total++;
    }
    /* Report: compact the table and sort by count. */
    size_t k = 0;
    for (size_t i = 0; i < table_size; i++)
        if (table[i].word)
            table[k++] = table[i];
    qsort(table, k, sizeof *table, by_count);
    printf("%zu words, %zu distinct\n", total, distinct);
    for (size_t i = 0; i < 10 && i < k; i++)
        printf("%u %.*s\n", table[i].count, (int)table[i].len, table[i].word);
    free(table);
    free(text);
    free(vocab);
    return 0;
}

/* Sorting and searching, written out (not the C library's qsort, whose algorithm differs
 * between C libraries): a quicksort of 32-bit integers (median of three, insertion sort
 * below 16 elements), a stable bottom-up merge sort of 16-byte records by key, a generic
 * quicksort of strings through a comparison function pointer (as qsort-style code does:
 * indirect calls), and binary searches (lower bound) of random keys in the sorted arrays.
 * Every result is verified (sorted, stable, found where expected).
 *
 * Usage: sortsearch N (N integers and records, N / 4 strings, N queries). Prints checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t seed = 99;
static uint32_t rnd(void) {
    seed ^= seed << 13;
    seed ^= seed >> 17;
    seed ^= seed << 5;
    return seed;
}

/* ---- integers: quicksort ------------------------------------------------------------ */

static void insertion_sort(uint32_t *a, long n) {
    for (long i = 1; i < n; i++) {
        uint32_t x = a[i];
        long j = i;
        for (; j > 0 && a[j - 1] > x; j--) a[j] = a[j - 1];
        a[j] = x;
    }
}

static void swap_u32(uint32_t *a, uint32_t *b) {
    uint32_t t = *a;
    *a = *b;
    *b = t;
}

static void quicksort(uint32_t *a, long n) {
    while (n > 16) {
        long mid = n / 2;  /* median of three into a[mid] */
        if (a[0] > a[mid]) swap_u32(&a[0], &a[mid]);
        if (a[mid] > a[n - 1]) swap_u32(&a[mid], &a[n - 1]);
        if (a[0] > a[mid]) swap_u32(&a[0], &a[mid]);
        uint32_t pivot = a[mid];
        long i = 0, j = n - 1;
        for (;;) {  /* Hoare partition */
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i >= j) break;
            swap_u32(&a[i++], &a[j--]);
        }
        /* Recurse into the smaller part, loop on the larger: O(log n) stack. */
        if (j + 1 < n - j - 1) {
            quicksort(a, j + 1);
            a += j + 1, n -= j + 1;
        } else {
            quicksort(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion_sort(a, n);
}

/* ---- records: stable merge sort --------------------------------------------------------- */

typedef struct {
    uint32_t key, id;
    double weight;
} record;

static void merge_sort(record *a, record *tmp, long n) {
    for (long width = 1; width < n; width *= 2) {
        for (long lo = 0; lo < n; lo += 2 * width) {
            long mid = lo + width < n ? lo + width : n;
            long hi = lo + 2 * width < n ? lo + 2 * width : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = a[j].key < a[i].key ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, (size_t)n * sizeof *a);  /* the merged runs are in tmp */
    }
}

/* ---- strings: a generic quicksort through a comparison function ------------------------ */

typedef int (*compare_fn)(const void *, const void *);

static void swap_bytes(char *a, char *b, size_t size) {
    for (size_t k = 0; k < size; k++) {
        char t = a[k];
        a[k] = b[k];
        b[k] = t;
    }
}

static void generic_sort(void *base, long n, size_t size, compare_fn cmp) {
    char *a = base;
    while (n > 1) {
        swap_bytes(a, a + (size_t)(n / 2) * size, size);  /* the middle element as pivot */
        long last = 0;  /* Lomuto partition around a[0] */
        for (long i = 1; i < n; i++)
            if (cmp(a + (size_t)i * size, a) < 0) swap_bytes(a + (size_t)++last * size,
                                                            a + (size_t)i * size, size);
        swap_bytes(a, a + (size_t)last * size, size);
        generic_sort(a, last, size, cmp);
        a += (size_t)(last + 1) * size, n -= last + 1;
    }
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- searching ------------------------------------------------------------------------ */

static long lower_bound(const uint32_t *a, long n, uint32_t key) {
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (a[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "sortsearch: %s\n", what);
        exit(1);
    }
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    uint32_t *ints = malloc((size_t)n * sizeof *ints);
    record *recs = malloc((size_t)n * sizeof *recs), *tmp = malloc((size_t)n * sizeof *tmp);
    long n_strings = n / 4 > 1 ? n / 4 : 1;
    char **strings = malloc((size_t)n_strings * sizeof *strings);
    char *pool = malloc((size_t)n_strings * 16);
    check(ints && recs && tmp && strings && pool, "out of memory");

    for (long i = 0; i < n; i++) {
        ints[i] = rnd();
        recs[i] = (record){rnd() % (uint32_t)(n / 8 + 1), (uint32_t)i, (double)(rnd() % 1000)};
    }
    for (long i = 0; i < n_strings; i++) {
        char *s = strings[i] = pool + i * 16;
        int len = 3 + (int)(rnd() % 12);
        for (int k = 0; k < len; k++) s[k] = (char)('a' + rnd() % 6);  /* shared prefixes */
        s[len] = 0;
    }

    quicksort(ints, n);
    uint32_t int_hash = 0;
    for (long i = 0; i < n; i++) {
        check(i == 0 || ints[i - 1] <= ints[i], "integers not sorted");
        int_hash = int_hash * 31 + ints[i];
    }

    merge_sort(recs, tmp, n);
    double weight = 0;
    for (long i = 0; i < n; i++) {
        check(i == 0 || recs[i - 1].key < recs[i].key ||
                  (recs[i - 1].key == recs[i].key && recs[i - 1].id < recs[i].id),
              "records not sorted stably");
        weight += recs[i].weight * (double)(i % 7);
    }

    generic_sort(strings, n_strings, sizeof *strings, compare_strings);
    uint32_t string_hash = 2166136261u;
    for (long i = 0; i < n_strings; i++) {
        check(i == 0 || strcmp(strings[i - 1], strings[i]) <= 0, "strings not sorted");
        for (const char *s = strings[i]; *s; s++)
            string_hash = (string_hash ^ (uint8_t)*s) * 16777619u;
    }

    /* Queries: half are keys in the array, half random. */
    long found = 0;
    int64_t position_sum = 0;  /* 64-bit: long is 32-bit in wasm32 */
    for (long q = 0; q < n; q++) {
        uint32_t key = q & 1 ? rnd() : ints[rnd() % (uint32_t)n];
        long at = lower_bound(ints, n, key);
        check(at == n || ints[at] >= key, "lower bound too far");
        check(at == 0 || ints[at - 1] < key, "lower bound too near");
        if (at < n && ints[at] == key) found++;
        position_sum += at;
    }

    printf("ints %08x, records %.0f, strings %08x, found %ld, positions %lld\n", int_hash,
           weight, string_hash, found, (long long)position_sum);
    free(ints), free(recs), free(tmp), free(strings), free(pool);
    return 0;
}

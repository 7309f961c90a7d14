/* Linear memories: size and grow, guard-region faults, bulk operations' bounds. */
#include "check.h"

#define PAGE WASMC_PAGE_SIZE

typedef struct mem_access {
    wasmc_memory *mem;
    uint32_t addr;
    uint32_t offset;
} mem_access;

/* What compiled code does for i64.load offset=...: base + (uint64_t)addr + offset. */
static void load_u64(void *arg) {
    mem_access *a = arg;
    sink = wasmc_load_u64(a->mem->base + (uint64_t)a->addr + a->offset);
}
static void store_u8(void *arg) {
    mem_access *a = arg;
    wasmc_store_u8_from32(a->mem->base + (uint64_t)a->addr + a->offset, 0xAB);
}

static int load_traps(wasmc_memory *mem, uint32_t addr, uint32_t offset) {
    mem_access a = {mem, addr, offset};
    return wasmc_protected(load_u64, &a);
}

static void test_grow(void) {
    wasmc_memory *mem = wasmc_memory_new(1, 3);
    CHECK(mem != NULL);
    CHECK_EQ(mem->pages, 1);
    CHECK_EQ(mem->max_pages, 3);
    mem->base[PAGE - 1] = 7; /* the last accessible byte */
    CHECK_EQ(wasmc_memory_grow(mem, 0), 1);
    CHECK_EQ(wasmc_memory_grow(mem, 1), 1);
    CHECK_EQ(mem->base[2 * PAGE - 1], 0); /* new pages are zero */
    CHECK_EQ(wasmc_memory_grow(mem, 2), UINT32_MAX); /* past the maximum */
    CHECK_EQ(wasmc_memory_grow(mem, UINT32_MAX), UINT32_MAX);
    CHECK_EQ(wasmc_memory_grow(mem, 1), 2);
    CHECK_EQ(mem->pages, 3);
    CHECK_EQ(mem->base[PAGE - 1], 7);
    wasmc_memory_free(mem);

    CHECK(wasmc_memory_new(2, 1) == NULL);
    mem = wasmc_memory_new(0, UINT64_MAX); /* no maximum: 65536 pages */
    CHECK(mem != NULL);
    CHECK_EQ(mem->max_pages, 65536);
    CHECK_EQ(load_traps(mem, 0, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS); /* empty memory */
    CHECK_EQ(wasmc_memory_grow(mem, 65537), UINT32_MAX);
    CHECK_EQ(wasmc_memory_grow(mem, 65536), 0); /* the whole 4 GiB (not touched) */
    CHECK_EQ(wasmc_memory_grow(mem, 1), UINT32_MAX);
    CHECK_EQ(wasmc_memory_grow(mem, 0), 65536);
    CHECK_EQ(load_traps(mem, UINT32_MAX - 7, 0), WASMC_OK);
    CHECK_EQ(load_traps(mem, UINT32_MAX - 6, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    wasmc_memory_free(mem);
}

static void test_guard_region(void) {
    wasmc_memory *mem = wasmc_memory_new(1, 2);
    CHECK_EQ(load_traps(mem, PAGE - 8, 0), WASMC_OK);
    CHECK_EQ(load_traps(mem, PAGE - 7, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS); /* straddles */
    CHECK_EQ(load_traps(mem, PAGE, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(load_traps(mem, 0, PAGE), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    /* the farthest address and offset a 32-bit memory instruction can form */
    CHECK_EQ(load_traps(mem, UINT32_MAX, UINT32_MAX), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(load_traps(mem, UINT32_MAX, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    mem_access a = {mem, PAGE, 0};
    CHECK_EQ(wasmc_protected(store_u8, &a), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(wasmc_memory_grow(mem, 1), 1);
    CHECK_EQ(wasmc_protected(store_u8, &a), WASMC_OK); /* accessible after grow */
    CHECK_EQ(mem->base[PAGE], 0xAB);
    CHECK_EQ(load_traps(mem, 2 * PAGE - 8, 0), WASMC_OK);
    CHECK_EQ(load_traps(mem, 2 * PAGE - 4, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    wasmc_memory_free(mem);
}

typedef struct bulk {
    wasmc_memory *dst_mem, *src_mem;
    const uint8_t *seg;
    uint32_t seg_len, dst, src, len;
} bulk;

static void do_fill(void *arg) {
    bulk *b = arg;
    wasmc_memory_fill(b->dst_mem, b->dst, 0x1155 /* only the low byte counts */, b->len);
}
static void do_copy(void *arg) {
    bulk *b = arg;
    wasmc_memory_copy(b->dst_mem, b->src_mem, b->dst, b->src, b->len);
}
static void do_init(void *arg) {
    bulk *b = arg;
    wasmc_memory_init(b->dst_mem, b->seg, b->seg_len, b->dst, b->src, b->len);
}

static int fill(wasmc_memory *mem, uint32_t dst, uint32_t len) {
    bulk b = {.dst_mem = mem, .dst = dst, .len = len};
    return wasmc_protected(do_fill, &b);
}
static int copy(wasmc_memory *dst_mem, wasmc_memory *src_mem, uint32_t dst, uint32_t src,
                uint32_t len) {
    bulk b = {.dst_mem = dst_mem, .src_mem = src_mem, .dst = dst, .src = src, .len = len};
    return wasmc_protected(do_copy, &b);
}
static int init(wasmc_memory *mem, const uint8_t *seg, uint32_t seg_len, uint32_t dst,
                uint32_t src, uint32_t len) {
    bulk b = {.dst_mem = mem, .seg = seg, .seg_len = seg_len, .dst = dst, .src = src, .len = len};
    return wasmc_protected(do_init, &b);
}

static void test_bulk(void) {
    wasmc_memory *mem = wasmc_memory_new(1, 1), *other = wasmc_memory_new(2, 2);
    uint8_t *m = mem->base;

    CHECK_EQ(fill(mem, 10, 3), WASMC_OK);
    CHECK_EQ(m[9], 0);
    CHECK_EQ(m[10], 0x55);
    CHECK_EQ(m[12], 0x55);
    CHECK_EQ(m[13], 0);
    CHECK_EQ(fill(mem, PAGE, 0), WASMC_OK); /* empty, exactly at the end */
    CHECK_EQ(fill(mem, PAGE + 1, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(fill(mem, PAGE - 1, 2), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(m[PAGE - 1], 0); /* nothing written before the trap */
    CHECK_EQ(fill(mem, UINT32_MAX, 2), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS); /* would wrap in 32 bits */

    for (int i = 0; i < 8; i++) m[100 + i] = (uint8_t)(i + 1);
    CHECK_EQ(copy(mem, mem, 102, 100, 6), WASMC_OK); /* overlapping, forwards */
    CHECK_EQ(m[102], 1);
    CHECK_EQ(m[107], 6);
    CHECK_EQ(copy(mem, mem, 100, 102, 6), WASMC_OK); /* overlapping, backwards */
    CHECK_EQ(m[100], 1);
    CHECK_EQ(m[105], 6);
    CHECK_EQ(copy(mem, mem, PAGE, 0, 0), WASMC_OK);
    CHECK_EQ(copy(mem, mem, 0, PAGE, 0), WASMC_OK);
    CHECK_EQ(copy(mem, mem, 0, PAGE + 1, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(copy(mem, mem, 0, PAGE - 1, 2), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(m[0], 0);
    CHECK_EQ(copy(mem, mem, UINT32_MAX, 0, 1), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    /* between two memories: the bounds of each apply */
    CHECK_EQ(copy(other, mem, PAGE, 100, 8), WASMC_OK);
    CHECK_EQ(other->base[PAGE + 5], 6);
    CHECK_EQ(copy(mem, other, 0, PAGE + 10, 8), WASMC_OK);
    CHECK_EQ(copy(mem, other, PAGE - 4, 0, 8), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);

    static const uint8_t seg[4] = {9, 8, 7, 6};
    CHECK_EQ(init(mem, seg, 4, 200, 1, 3), WASMC_OK);
    CHECK_EQ(m[200], 8);
    CHECK_EQ(m[202], 6);
    CHECK_EQ(init(mem, seg, 4, 0, 4, 0), WASMC_OK);
    CHECK_EQ(init(mem, seg, 4, PAGE, 0, 0), WASMC_OK);
    CHECK_EQ(init(mem, seg, 4, 0, 5, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(init(mem, seg, 4, 0, 2, 3), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(init(mem, seg, 4, PAGE - 1, 0, 2), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(m[PAGE - 1], 0);
    CHECK_EQ(init(mem, NULL, 0, 0, 0, 0), WASMC_OK); /* a dropped segment */
    CHECK_EQ(init(mem, NULL, 0, 0, 0, 1), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(init(mem, NULL, 0, 0, 1, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);

    wasmc_memory_free(mem);
    wasmc_memory_free(other);
}

/* wasmc_memory_copy_inline, as compiled code calls it: short copies (up to 64 bytes) are
 * moved inline, longer ones by memmove. Every length 0-80 at every overlap, both ways, and
 * between two memories, against memmove on a copy of the bytes. */
static void do_copy_inline(void *arg) {
    bulk *b = arg;
    wasmc_memory_copy_inline(b->dst_mem, b->src_mem, b->dst, b->src, b->len);
}

static int copy_inline(wasmc_memory *dst_mem, wasmc_memory *src_mem, uint32_t dst, uint32_t src,
                       uint32_t len) {
    bulk b = {.dst_mem = dst_mem, .src_mem = src_mem, .dst = dst, .src = src, .len = len};
    return wasmc_protected(do_copy_inline, &b);
}

static void test_copy_inline(void) {
    enum { AREA = 512, SRC = 200 };
    wasmc_memory *mem = wasmc_memory_new(1, 1), *other = wasmc_memory_new(1, 1);
    uint8_t want[AREA], other_want[AREA];
    int wrong = 0;
    for (uint32_t len = 0; len <= 80; len++) {
        for (int shift = -90; shift <= 90; shift++) {
            for (int i = 0; i < AREA; i++) mem->base[i] = (uint8_t)(i * 7 + len);
            memcpy(want, mem->base, AREA);
            memmove(want + SRC + shift, want + SRC, len);
            wrong += copy_inline(mem, mem, (uint32_t)(SRC + shift), SRC, len) != WASMC_OK;
            wrong += memcmp(mem->base, want, AREA) != 0;
        }
        memset(other->base, 0xEE, AREA);
        memcpy(other_want, other->base, AREA);
        memcpy(other_want + 3, mem->base + SRC, len);
        wrong += copy_inline(other, mem, 3, SRC, len) != WASMC_OK;
        wrong += memcmp(other->base, other_want, AREA) != 0;
    }
    CHECK_EQ(wrong, 0);
    /* Out of bounds, short or long: a trap, and nothing written. */
    memset(mem->base + PAGE - 64, 0, 64);
    CHECK_EQ(copy_inline(mem, mem, PAGE - 8, 0, 9), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(copy_inline(mem, mem, PAGE - 40, 0, 100), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK_EQ(copy_inline(mem, mem, 0, PAGE - 3, 4), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    uint8_t zeros[64] = {0};
    CHECK_EQ(memcmp(mem->base + PAGE - 64, zeros, 64), 0);
    wasmc_memory_free(mem);
    wasmc_memory_free(other);
}

static void test_many_memories(void) {
    /* Each reserves 8 GiB of address space; they coexist and are independent. */
    wasmc_memory *mems[16];
    for (int i = 0; i < 16; i++) {
        mems[i] = wasmc_memory_new(1, 1);
        CHECK(mems[i] != NULL);
        mems[i]->base[0] = (uint8_t)i;
    }
    for (int i = 0; i < 16; i++) {
        CHECK_EQ(mems[i]->base[0], i);
        CHECK_EQ(load_traps(mems[i], PAGE, 0), WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
        wasmc_memory_free(mems[i]);
    }
}

void test_memory(void) {
    test_grow();
    test_guard_region();
    test_bulk();
    test_copy_inline();
    test_many_memories();
}

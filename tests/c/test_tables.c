/* Tables: creation, grow (limits and overflow), and the bounds of every operation. */
#include "check.h"

static int A, B, C; /* distinct element values */
#define EA ((void *)&A)
#define EB ((void *)&B)
#define EC ((void *)&C)

typedef struct table_op {
    wasmc_table *dst, *src;
    void *const *seg;
    uint32_t seg_len, dst_index, src_index, len;
    void *value;
} table_op;

static void do_get(void *arg) {
    table_op *op = arg;
    op->value = wasmc_table_get(op->dst, op->dst_index);
}
static void do_set(void *arg) {
    table_op *op = arg;
    wasmc_table_set(op->dst, op->dst_index, op->value);
}
static void do_fill(void *arg) {
    table_op *op = arg;
    wasmc_table_fill(op->dst, op->dst_index, op->value, op->len);
}
static void do_copy(void *arg) {
    table_op *op = arg;
    wasmc_table_copy(op->dst, op->src, op->dst_index, op->src_index, op->len);
}
static void do_init(void *arg) {
    table_op *op = arg;
    wasmc_table_init(op->dst, op->seg, op->seg_len, op->dst_index, op->src_index, op->len);
}

static int get(wasmc_table *t, uint32_t i, void **out) {
    table_op op = {.dst = t, .dst_index = i};
    int code = wasmc_protected(do_get, &op);
    *out = op.value;
    return code;
}
static int set(wasmc_table *t, uint32_t i, void *value) {
    table_op op = {.dst = t, .dst_index = i, .value = value};
    return wasmc_protected(do_set, &op);
}
static int fill(wasmc_table *t, uint32_t i, void *value, uint32_t len) {
    table_op op = {.dst = t, .dst_index = i, .value = value, .len = len};
    return wasmc_protected(do_fill, &op);
}
static int copy(wasmc_table *d, wasmc_table *s, uint32_t di, uint32_t si, uint32_t len) {
    table_op op = {.dst = d, .src = s, .dst_index = di, .src_index = si, .len = len};
    return wasmc_protected(do_copy, &op);
}
static int init(wasmc_table *t, void *const *seg, uint32_t seg_len, uint32_t di, uint32_t si,
                uint32_t len) {
    table_op op = {.dst = t, .seg = seg, .seg_len = seg_len, .dst_index = di, .src_index = si,
                   .len = len};
    return wasmc_protected(do_init, &op);
}

static void test_new_and_grow(void) {
    void *e;
    CHECK(wasmc_table_new(3, 2, NULL) == NULL);
    wasmc_table *t = wasmc_table_new(2, 5, EA);
    CHECK(t != NULL);
    CHECK_EQ(t->size, 2);
    CHECK_EQ(t->max, 5);
    CHECK_EQ(get(t, 1, &e), WASMC_OK);
    CHECK(e == EA);
    CHECK_EQ(get(t, 2, &e), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(wasmc_table_grow(t, 0, EB), 2);
    CHECK_EQ(wasmc_table_grow(t, 2, EB), 2);
    CHECK_EQ(get(t, 3, &e), WASMC_OK);
    CHECK(e == EB);
    CHECK_EQ(wasmc_table_grow(t, 2, EB), UINT32_MAX); /* past the maximum */
    CHECK_EQ(wasmc_table_grow(t, UINT32_MAX, EB), UINT32_MAX);
    CHECK_EQ(wasmc_table_grow(t, 1, EC), 4);
    CHECK_EQ(t->size, 5);
    CHECK_EQ(get(t, 1, &e), WASMC_OK);
    CHECK(e == EA);
    wasmc_table_free(t);

    t = wasmc_table_new(0, UINT32_MAX, NULL); /* empty, no maximum */
    CHECK(t != NULL);
    CHECK_EQ(get(t, 0, &e), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(wasmc_table_grow(t, 0xFFFFFFF0u, NULL), UINT32_MAX); /* implementation limit */
    CHECK_EQ(wasmc_table_grow(t, 1000, NULL), 0);
    CHECK_EQ(t->size, 1000);
    CHECK_EQ(get(t, 999, &e), WASMC_OK);
    CHECK(e == NULL);
    wasmc_table_free(t);

    t = wasmc_table_new(0x10, UINT32_MAX, NULL); /* table_grow.wast: grow past 2^32 - 1 */
    CHECK_EQ(wasmc_table_grow(t, 0xFFFFFFF0u, NULL), UINT32_MAX);
    CHECK_EQ(t->size, 0x10);
    wasmc_table_free(t);
}

static void test_bounds(void) {
    void *e;
    wasmc_table *t = wasmc_table_new(4, 4, NULL), *u = wasmc_table_new(2, 10, EC);
    CHECK_EQ(set(t, 3, EA), WASMC_OK);
    CHECK_EQ(set(t, 4, EA), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(set(t, UINT32_MAX, EA), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);

    CHECK_EQ(fill(t, 0, EB, 2), WASMC_OK);
    CHECK_EQ(get(t, 1, &e), WASMC_OK);
    CHECK(e == EB);
    CHECK_EQ(fill(t, 4, EB, 0), WASMC_OK); /* empty, exactly at the end */
    CHECK_EQ(fill(t, 5, EB, 0), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(fill(t, 3, EC, 2), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(get(t, 3, &e), WASMC_OK);
    CHECK(e == EA); /* nothing written before the trap */
    CHECK_EQ(fill(t, UINT32_MAX, EC, 2), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);

    /* t = [B, B, NULL, A] */
    CHECK_EQ(copy(t, t, 1, 0, 3), WASMC_OK); /* overlapping: t = [B, B, B, NULL] */
    CHECK_EQ(get(t, 3, &e), WASMC_OK);
    CHECK(e == NULL);
    CHECK_EQ(copy(t, t, 0, 1, 3), WASMC_OK); /* t = [B, B, NULL, NULL] */
    CHECK_EQ(get(t, 2, &e), WASMC_OK);
    CHECK(e == NULL);
    CHECK_EQ(copy(t, u, 2, 0, 2), WASMC_OK); /* t = [B, B, C, C] */
    CHECK_EQ(get(t, 3, &e), WASMC_OK);
    CHECK(e == EC);
    CHECK_EQ(copy(t, u, 3, 1, 2), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(copy(u, t, 0, 3, 2), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(copy(t, u, 4, 2, 0), WASMC_OK);
    CHECK_EQ(copy(t, u, 5, 0, 0), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);

    void *const seg[3] = {EA, EB, EC};
    CHECK_EQ(init(t, seg, 3, 0, 1, 2), WASMC_OK); /* t = [B, C, C, C] */
    CHECK_EQ(get(t, 0, &e), WASMC_OK);
    CHECK(e == EB);
    CHECK_EQ(init(t, seg, 3, 4, 3, 0), WASMC_OK);
    CHECK_EQ(init(t, seg, 3, 0, 4, 0), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(init(t, seg, 3, 2, 0, 3), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(init(t, seg, 3, 0, 2, 2), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(init(t, NULL, 0, 0, 0, 0), WASMC_OK); /* a dropped segment */
    CHECK_EQ(init(t, NULL, 0, 0, 0, 1), WASMC_TRAP_TABLE_OUT_OF_BOUNDS);
    CHECK_EQ(get(t, 2, &e), WASMC_OK);
    CHECK(e == EC);

    wasmc_table_free(t);
    wasmc_table_free(u);
}

void test_tables(void) {
    test_new_and_grow();
    test_bounds();
}

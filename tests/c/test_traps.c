/* Traps: codes and messages, function names, nesting, stack exhaustion, host errors. */
#include <pthread.h>
#include <string.h>

#include "check.h"

#define NOINLINE __attribute__((noinline))

static int streq(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* ---- "Wasm functions" with names registered for trap reports ---- */

static wasmc_memory *memory;
static volatile uint32_t divisor;

NOINLINE static void fn_unreachable(void *arg) {
    (void)arg;
    sink++;
    wasmc_trap(WASMC_TRAP_UNREACHABLE);
}
NOINLINE static void fn_divide(void *arg) {
    (void)arg;
    sink = wasmc_i32_div_u(100, divisor); /* the trap is inlined into this function */
    sink++;
}
NOINLINE static void fn_load(void *arg) {
    (void)arg;
    sink = wasmc_load_u32(memory->base + (uint64_t)(uint32_t)sink + 65536);
    sink++;
}
NOINLINE static void fn_fill(void *arg) { /* a trap raised inside the runtime */
    (void)arg;
    wasmc_memory_fill(memory, 65530, 0, (uint32_t)sink + 100);
    sink++;
}
NOINLINE static void fn_adapter(void *arg) { /* registered without a name */
    (void)arg;
    sink++;
    wasmc_trap(WASMC_TRAP_NULL_REFERENCE);
}

static void test_messages_and_names(void) {
    /* Registered out of order: the runtime sorts its copy. */
    static const wasmc_func_name names[] = {
        {(const void *)fn_load, "load"},     {(const void *)fn_unreachable, "unreachable"},
        {(const void *)fn_fill, "fill"},     {(const void *)fn_divide, "divide"},
        {(const void *)fn_adapter, NULL},
    };
    wasmc_register_names(names, sizeof names / sizeof names[0]);
    wasmc_register_names(names, sizeof names / sizeof names[0]); /* again: ignored */
    memory = wasmc_memory_new(1, 1);
    sink = 0;

    CHECK_TRAP(WASMC_TRAP_UNREACHABLE, fn_unreachable, NULL);
    CHECK(streq(wasmc_last_trap_function(), "unreachable"));
    CHECK(streq(wasmc_last_trap_message(), "unreachable"));

    divisor = 0;
    CHECK_TRAP(WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO, fn_divide, NULL);
    CHECK(streq(wasmc_last_trap_function(), "divide"));
    CHECK(streq(wasmc_last_trap_message(), "integer divide by zero"));
    divisor = 5;
    CHECK_TRAP(WASMC_OK, fn_divide, NULL);

    sink = 0;
    CHECK_TRAP(WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, fn_load, NULL);
    CHECK(streq(wasmc_last_trap_function(), "load"));
    CHECK(streq(wasmc_last_trap_message(), "out of bounds memory access"));

    sink = 0;
    CHECK_TRAP(WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, fn_fill, NULL);
    CHECK(streq(wasmc_last_trap_function(), "fill"));

    CHECK_TRAP(WASMC_TRAP_NULL_REFERENCE, fn_adapter, NULL);
    CHECK(wasmc_last_trap_function() == NULL);
    CHECK(streq(wasmc_last_trap_message(), "null reference"));

    static const char *const expected[WASMC_TRAP_COUNT] = {
        "unknown trap", "unreachable", "out of bounds memory access",
        "out of bounds table access", "undefined element", "uninitialized element",
        "indirect call type mismatch", "integer divide by zero", "integer overflow",
        "invalid conversion to integer", "call stack exhausted", "null reference",
        "host function failed", "null function reference", "null exception reference",
        "interrupt", "deadline exceeded", "unaligned atomic", "expected shared memory",
        "all fuel consumed by WebAssembly",
    };
    for (int code = 0; code < WASMC_TRAP_COUNT; code++)
        CHECK(streq(wasmc_trap_message(code), expected[code]));
    CHECK(streq(wasmc_trap_message(WASMC_TRAP_COUNT), "unknown trap"));
    CHECK(streq(wasmc_trap_message(-1), "unknown trap"));
    wasmc_memory_free(memory);
}

/* ---- nesting: host -> Wasm -> host -> Wasm ---- */

static int inner_code, after_inner;

static void inner_traps(void *arg) {
    (void)arg;
    wasmc_trap(WASMC_TRAP_INTEGER_OVERFLOW);
}
static void inner_ok(void *arg) { *(int *)arg = 42; }
static void outer(void *arg) {
    int value = 0;
    inner_code = wasmc_protected(inner_traps, NULL); /* a host function calling Wasm */
    CHECK_EQ(wasmc_protected(inner_ok, &value), WASMC_OK);
    CHECK_EQ(value, 42);
    after_inner = 1;
    if (arg) wasmc_trap(WASMC_TRAP_UNDEFINED_ELEMENT); /* the outer frame is still there */
}
static void three_deep(void *arg) {
    (void)arg;
    CHECK_EQ(wasmc_protected(outer, (void *)1), WASMC_TRAP_UNDEFINED_ELEMENT);
    wasmc_trap(WASMC_TRAP_UNINITIALIZED_ELEMENT);
}

static void test_nesting(void) {
    CHECK_TRAP(WASMC_OK, outer, NULL);
    CHECK_EQ(inner_code, WASMC_TRAP_INTEGER_OVERFLOW);
    CHECK_EQ(after_inner, 1);
    after_inner = 0;
    CHECK_TRAP(WASMC_TRAP_UNDEFINED_ELEMENT, outer, (void *)1);
    CHECK_EQ(after_inner, 1);
    CHECK_TRAP(WASMC_TRAP_UNINITIALIZED_ELEMENT, three_deep, NULL);
    CHECK_TRAP(WASMC_OK, inner_ok, &(int){0}); /* the chain is empty again */
}

/* ---- stack exhaustion ---- */

static volatile uint64_t depth_limit = UINT64_MAX;

/* Passing the frame's address down keeps the compiler from turning this into a loop. */
NOINLINE static uint64_t recurse(volatile uint8_t *parent, uint64_t depth) {
    volatile uint8_t frame[128];
    frame[0] = (uint8_t)(parent[0] + 1);
    frame[1] = (uint8_t)depth;
    if (depth == depth_limit) return frame[0];
    return recurse(frame, depth + 1) * 3 + frame[1];
}
static void run_away(void *arg) {
    (void)arg;
    volatile uint8_t root[2] = {0, 0};
    sink = recurse(root, 0);
}
static void deep_but_finite(void *arg) {
    (void)arg;
    volatile uint8_t root[2] = {0, 0};
    depth_limit = 1000;
    sink = recurse(root, 0);
    depth_limit = UINT64_MAX;
}

/* Frames larger than the guard page: built with -fstack-clash-protection, each frame is
 * probed page by page, so the overflow still lands on the guard page (skip-stack-guard-page). */
NOINLINE static uint64_t recurse_big(volatile uint8_t *parent, uint64_t depth) {
    volatile uint8_t frame[40000];
    frame[0] = (uint8_t)(parent[0] + 1); /* the lowest address first */
    frame[sizeof frame - 1] = (uint8_t)depth;
    if (depth == depth_limit) return frame[0];
    return recurse_big(frame, depth + 1) * 3 + frame[sizeof frame - 1];
}
static void run_away_big(void *arg) {
    (void)arg;
    volatile uint8_t root[1] = {0};
    sink = recurse_big(root, 0);
}

/* What a Wasm runaway recursion looks like in C: a call in tail position, or one whose
 * result is only added to. Sibling-call optimization would turn these into endless loops;
 * the toolchain's -fno-optimize-sibling-calls keeps them real calls (assert_exhaustion). */
static volatile int keep_going = 1;
NOINLINE static void runaway_tail(void *env) {
    if (keep_going) runaway_tail(env);
}
NOINLINE static void mutual_b(void *env);
NOINLINE static void mutual_a(void *env) {
    if (keep_going) mutual_b(env);
}
NOINLINE static void mutual_b(void *env) {
    if (keep_going) mutual_a(env);
}
NOINLINE static uint32_t runaway_sum(uint32_t x) { return keep_going ? runaway_sum(x) + 1 : x; }
static void run_runaway_sum(void *arg) {
    (void)arg;
    sink = runaway_sum(1);
}

static void *exhaust_in_thread(void *arg) {
    (void)arg;
    CHECK_TRAP(WASMC_TRAP_CALL_STACK_EXHAUSTED, run_away_big, NULL);
    CHECK_TRAP(WASMC_TRAP_CALL_STACK_EXHAUSTED, run_away, NULL);
    CHECK_TRAP(WASMC_TRAP_CALL_STACK_EXHAUSTED, run_away, NULL);
    CHECK(streq(wasmc_last_trap_message(), "call stack exhausted"));
    return NULL;
}

static void test_stack_exhaustion(void) {
    for (int i = 0; i < 3; i++) { /* the process keeps working afterwards */
        CHECK_TRAP(WASMC_TRAP_CALL_STACK_EXHAUSTED, run_away, NULL);
        CHECK(streq(wasmc_last_trap_message(), "call stack exhausted"));
        CHECK_TRAP(WASMC_OK, deep_but_finite, NULL);
    }
    CHECK_TRAP(WASMC_TRAP_CALL_STACK_EXHAUSTED, run_away_big, NULL);
    CHECK_TRAP(WASMC_TRAP_CALL_STACK_EXHAUSTED, runaway_tail, NULL);
    CHECK_TRAP(WASMC_TRAP_CALL_STACK_EXHAUSTED, mutual_a, NULL);
    CHECK_TRAP(WASMC_TRAP_CALL_STACK_EXHAUSTED, run_runaway_sum, NULL);
    /* another thread, with a small stack: it gets its own alternate signal stack */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, &attr, exhaust_in_thread, NULL), 0);
    CHECK_EQ(pthread_join(thread, NULL), 0);
    pthread_attr_destroy(&attr);
    /* the main thread's last trap is its own */
    CHECK_TRAP(WASMC_TRAP_INTEGER_OVERFLOW, inner_traps, NULL);
    CHECK(streq(wasmc_last_trap_message(), "integer overflow"));
}

/* ---- interrupt checks (wasmc_check_interrupt): an interrupt is used up, a deadline stays ---- */

static void check_cell(void *cell) { wasmc_check_interrupt(cell); }

static void test_interrupt_checks(void) {
    uint32_t cell = 0;
    CHECK_TRAP(WASMC_OK, check_cell, &cell);
    cell = WASMC_TRAP_INTERRUPT;
    CHECK_TRAP(WASMC_TRAP_INTERRUPT, check_cell, &cell);
    CHECK(streq(wasmc_last_trap_message(), "interrupt"));
    CHECK_EQ(cell, 0u);
    CHECK_TRAP(WASMC_OK, check_cell, &cell);
    cell = WASMC_TRAP_DEADLINE;
    CHECK_TRAP(WASMC_TRAP_DEADLINE, check_cell, &cell);
    CHECK(streq(wasmc_last_trap_message(), "deadline exceeded"));
    CHECK_TRAP(WASMC_TRAP_DEADLINE, check_cell, &cell);
    CHECK_EQ(cell, (uint32_t)WASMC_TRAP_DEADLINE);
}

/* ---- host functions ---- */

static void host_fails_with_message(void *arg) {
    (void)arg;
    wasmc_set_host_error("ValueError: bad input");
    wasmc_trap_host(NULL); /* what an adapter does when the callback fails */
}
static void host_fails_silently(void *arg) {
    (void)arg;
    wasmc_trap_host(NULL);
}
static void host_trap_explicit(void *arg) { wasmc_trap_host(arg); }
static void adapter_fails(void *arg) { /* the adapter's form: a plain wasmc_trap */
    wasmc_set_host_error(arg);
    wasmc_trap(WASMC_TRAP_HOST);
}

static void test_host_errors(void) {
    CHECK_TRAP(WASMC_TRAP_HOST, host_fails_with_message, NULL);
    CHECK(streq(wasmc_last_trap_message(), "ValueError: bad input"));
    CHECK_TRAP(WASMC_TRAP_HOST, host_fails_silently, NULL); /* the old message is gone */
    CHECK(streq(wasmc_last_trap_message(), "host function failed"));
    CHECK_TRAP(WASMC_TRAP_HOST, adapter_fails, "TypeError: oops");
    CHECK(streq(wasmc_last_trap_message(), "TypeError: oops"));
    CHECK_TRAP(WASMC_TRAP_UNREACHABLE, fn_unreachable, NULL);
    CHECK(streq(wasmc_last_trap_message(), "unreachable"));
    CHECK_TRAP(WASMC_TRAP_HOST, adapter_fails, NULL);
    CHECK(streq(wasmc_last_trap_message(), "host function failed"));
    CHECK_TRAP(WASMC_TRAP_HOST, host_trap_explicit, "exit(3)");
    CHECK(streq(wasmc_last_trap_message(), "exit(3)"));
    char long_message[3000];
    memset(long_message, 'x', sizeof long_message - 1);
    long_message[sizeof long_message - 1] = '\0';
    CHECK_TRAP(WASMC_TRAP_HOST, host_trap_explicit, long_message); /* truncated, not overrun */
    CHECK(strlen(wasmc_last_trap_message()) > 500);
    CHECK(strlen(wasmc_last_trap_message()) < sizeof long_message - 1);
}

void test_traps(void) {
    test_messages_and_names();
    test_nesting();
    test_interrupt_checks();
    test_stack_exhaustion();
    test_host_errors();
}

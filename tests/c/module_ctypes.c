/* A stand-in for a compiled module, for the ctypes test: exports that run "Wasm" code under
 * wasmc_protected and return the trap code. */
#include "wasmc.h"

static wasmc_memory *memory;
static volatile uint64_t sink;

static void load_out_of_bounds(void *arg) {
    (void)arg;
    sink = wasmc_load_u32(memory->base + (uint64_t)(uint32_t)sink + 3 * WASMC_PAGE_SIZE);
}

static volatile uint64_t depth_limit = UINT64_MAX;
__attribute__((noinline)) static uint64_t recurse(volatile uint8_t *parent, uint64_t depth) {
    volatile uint8_t frame[128];
    frame[0] = (uint8_t)(parent[0] + 1);
    if (depth == depth_limit) return frame[0];
    return recurse(frame, depth + 1) * 3 + frame[0];
}
static void run_away(void *arg) {
    (void)arg;
    volatile uint8_t root[1] = {0};
    sink = recurse(root, 0);
}

int module_oob(void) {
    if (!memory) memory = wasmc_memory_new(1, 2);
    sink = 0;
    return wasmc_protected(load_out_of_bounds, NULL);
}

int module_recursion(void) { return wasmc_protected(run_away, NULL); }

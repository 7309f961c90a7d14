/* check.h — a minimal assertion library for the runtime's C tests. */
#ifndef CHECK_H
#define CHECK_H

#include <stdint.h>

#include "wasmc.h"

void check_u64(int ok, uint64_t got, uint64_t want, const char *expr, const char *file, int line);

#define CHECK(cond) check_u64(!!(cond), 0, 0, #cond, __FILE__, __LINE__)
#define CHECK_EQ(got, want)                                                                    \
    do {                                                                                       \
        uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want);                             \
        check_u64(got_ == want_, got_, want_, #got " == " #want, __FILE__, __LINE__);          \
    } while (0)

/* Runs body(arg) in wasmc_protected and checks the trap code it ends with. */
#define CHECK_TRAP(want, body, arg) CHECK_EQ(wasmc_protected((body), (arg)), (want))

/* Keeps values observable so the compiler cannot drop the operations under test. */
extern volatile uint64_t sink;

void test_memory(void);
void test_tables(void);
void test_traps(void);
void test_numeric(void);

#endif

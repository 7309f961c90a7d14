/* Runs one suite of runtime tests: `rt_tests memory|tables|traps|numeric`, or one of the
 * scenarios that end the process (`trap-outside`, `segv-outside`). Exit status 0 = pass. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"

volatile uint64_t sink;
static int checks, failures;

void check_u64(int ok, uint64_t got, uint64_t want, const char *expr, const char *file, int line) {
    checks++;
    if (ok) return;
    failures++;
    fprintf(stderr, "%s:%d: check failed: %s (got %#llx, want %#llx)\n", file, line, expr,
            (unsigned long long)got, (unsigned long long)want);
}

static void nothing(void *arg) { (void)arg; }

/* A trap with no wasmc_protected call active: the runtime prints it and aborts. */
static int trap_outside(void) {
    wasmc_trap(WASMC_TRAP_UNREACHABLE);
}

/* A fault outside Wasm after the handlers are installed: the default action must still end
 * the process with SIGSEGV. */
static int segv_outside(void) {
    wasmc_protected(nothing, NULL);
    volatile uint8_t *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p[0];
}

int main(int argc, char **argv) {
    static const struct {
        const char *name;
        void (*run)(void);
    } suites[] = {{"memory", test_memory},
                  {"tables", test_tables},
                  {"traps", test_traps},
                  {"numeric", test_numeric}};
    if (argc != 2) return 2;
    if (!strcmp(argv[1], "trap-outside")) return trap_outside();
    if (!strcmp(argv[1], "segv-outside")) return segv_outside();
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (strcmp(argv[1], suites[i].name)) continue;
        suites[i].run();
        printf("%s: %d checks, %d failures\n", argv[1], checks, failures);
        return failures != 0;
    }
    fprintf(stderr, "unknown suite %s\n", argv[1]);
    return 2;
}

/* A C program that embeds calc.wat (docs/embedding-c.md). Build it after
 * `wasmc compile calc.wat --emit-c out`; tests/test_embedding_c.py checks its output. */
#include "calc.h"
#include <inttypes.h>
#include <stdio.h>

/* env.scale: `env` is the import's calc_imports.env_scale_env (here, the factor). */
static double scale(void *env, double x) {
  if (x < 0) wasmc_trap_host("scale: negative input"); /* the Wasm call traps */
  return x * *(const double *)env;
}

static void log_call(void *env, uint32_t count, uint64_t x_bits) {
  (void)env;
  printf("log: call %" PRIu32 ", x bits 0x%016" PRIx64 "\n", count, x_bits);
}

/* A trap's message, as wasmc reports it. */
static const char *trap_message(int code) {
  if (code == WASMC_TRAP_HOST && wasmc_last_trap_message()) return wasmc_last_trap_message();
  return wasmc_trap_message(code);
}

int main(void) {
  double factor = 10.0;
  calc_imports imports = {
    .env_scale = scale, .env_scale_env = &factor,
    .env_log = log_call, .env_log_env = NULL,
  };
  calc_instance *calc;
  if (calc_instantiate(&calc, &imports) != WASMC_OK) {
    fprintf(stderr, "cannot instantiate calc\n");
    return 1;
  }

  uint32_t n;
  if (calc_export_fib(calc, 20, &n) == WASMC_OK) printf("fib(20) = %" PRIu32 "\n", n);

  int code = calc_export_div(calc, 7, 0, &n);
  printf("div(7, 0): trap %d: %s\n", code, trap_message(code));
  if (calc_export_div(calc, (uint32_t)-9, 2, &n) == WASMC_OK)
    printf("div(-9, 2) = %" PRId32 "\n", (int32_t)n);

  double sum;
  if (calc_export_scaled_sum(calc, 1.5, 2.25, &sum) == WASMC_OK)
    printf("scaled-sum(1.5, 2.25) = %g\n", sum);
  code = calc_export_scaled_sum(calc, -1.0, 2.0, &sum);
  printf("scaled-sum(-1, 2): trap %d: %s\n", code, trap_message(code));

  uint64_t quotient, remainder;
  if (calc_export_divmod(calc, 100, 7, &quotient, &remainder) == WASMC_OK)
    printf("divmod(100, 7) = %" PRIu64 ", %" PRIu64 "\n", quotient, remainder);

  wasmc_memory *memory = calc_export_memory(calc);
  if (calc_export_fill(calc, 16, 'w', 3) == WASMC_OK)
    printf("memory[16..19] = %.3s, %" PRIu64 " page(s)\n", (const char *)memory->base + 16,
           memory->pages);
  code = calc_export_fill(calc, 65535, 'x', 2);
  printf("fill(65535, 2): trap %d: %s\n", code, trap_message(code));

  calc_free(calc);
  return 0;
}

/* wasmc.h — the C ABI between compiled modules, the runtime and the hosts.
 *
 * A compiled module is C code that includes this header. It is linked with the runtime
 * (runtime.c): statically into a native executable, or as a shared library that the Python
 * API loads after the runtime's own shared library (RTLD_GLOBAL), so every module in a process
 * shares one runtime, one trap mechanism and one set of signal handlers.
 *
 * Values: i32 = uint32_t, i64 = uint64_t, f32 = float, f64 = double,
 *         funcref = const wasmc_func *, externref = void * (NULL is the null reference);
 *         typed references ((ref $t), (ref func), ...) are represented like their family's.
 * In a uint64_t slot (host calls), f32/f64 travel as their bit patterns, references as
 * pointers, i32 zero-extended.
 */
#ifndef WASMC_H
#define WASMC_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define WASMC_NORETURN __attribute__((noreturn))
#define WASMC_COLD __attribute__((cold, noinline))
#define WASMC_INLINE static inline __attribute__((always_inline))
#define WASMC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define WASMC_LIKELY(x) __builtin_expect(!!(x), 1)
#endif

/* The calling convention of a module's internal fast entries (docs/codegen.md): clang's
 * preserve_none where it exists, which passes far more arguments in registers (a
 * tail-calling interpreter keeps its whole state in parameters). Only calls inside a module
 * use it; wasmc_func.fn always has the default convention. */
#if defined(__clang__) && defined(__has_attribute)
#if __has_attribute(preserve_none) && (defined(__x86_64__) || defined(__aarch64__))
#define WASMC_CC __attribute__((preserve_none))
#endif
#endif
/* The condition of a Wasm `select`. The producer chose a select over a branch, and
 * Wasmtime compiles it to a conditional move; clang's x86 back end turned some back into
 * branches (its cmov conversion, for a select in a loop that waits on a load), and a binary
 * search over random keys ran 16 % slower (docs/performance.md, "Selects"). clang keeps a
 * select whose condition is marked unpredictable. GCC 12 has no such mark (nor does
 * __builtin_expect_with_probability(c, 1, 0.5) keep its cmov). */
#if defined(__clang__) && defined(__has_builtin)
#if __has_builtin(__builtin_unpredictable)
#define WASMC_SELECT(c) __builtin_unpredictable(c)
#endif
#endif
#ifndef WASMC_SELECT
#define WASMC_SELECT(c) (c)
#endif

#ifndef WASMC_CC
#define WASMC_CC
#endif

/* A call that must not grow the C stack (Wasm return_call): clang guarantees it. */
#if defined(__clang__)
#define WASMC_MUSTTAIL __attribute__((musttail))
#else
#define WASMC_MUSTTAIL
#endif
#if !defined(__GNUC__) && !defined(__clang__)
#error "wasmc needs GCC or clang"
#endif

/* GCC's sibling calls (docs/tail-calls.md): generated code is compiled with
 * -fno-optimize-sibling-calls, so that a Wasm call always takes stack. With GCC, a function
 * whose return_calls are all sure to become jumps turns the optimization back on for itself
 * (WASMC_SIBCALLS) and follows each of its ordinary calls by WASMC_NOT_TAIL: an empty
 * volatile asm, which has to run after the call returns, so that call is not a tail call.
 * The code generator only emits them for GCC with optimization (the file checks). */
#if defined(__GNUC__) && !defined(__clang__)
#define WASMC_SIBCALLS __attribute__((optimize("optimize-sibling-calls")))
#else
#define WASMC_SIBCALLS
#endif
#define WASMC_NOT_TAIL() __asm__ volatile("")

/* ---- functions ------------------------------------------------------------------------ */

/* A function value: what funcref points to, what a function import is, what tables hold.
 * `fn` has the native signature of the function's Wasm type:
 *     RESULT fn(void *env, PARAM0 p0, PARAM1 p1, ...)
 * where RESULT is void (no results), the one result's C type, or, for several results,
 * a struct `wasmc_results_<sig>` with fields r0, r1, ... in order.
 * `type_id` is the canonical id of the function type (a 64-bit hash of its signature string,
 * computed at compile time), so call_indirect checks a type with one integer compare. */
typedef struct wasmc_func wasmc_func;

/* A function's entry for trampolined tail calls (see docs/tail-calls.md): reads the
 * parameters from slots[0..], runs the function, and either writes its results to slots and
 * returns NULL, or, to tail-call another function, writes that function's arguments to slots
 * and returns it. `cap` is the number of slots. Every wasmc_func has one: a function that
 * makes no trampolined tail calls uses its module's per-signature wrapper. */
typedef const wasmc_func *(*wasmc_tail_fn)(const wasmc_func *self, uint64_t *slots,
                                           uint32_t cap);

struct wasmc_func {
    uint64_t type_id;
    void (*fn)(void);
    void *env; /* the instance the function belongs to, or a host context */
    wasmc_tail_fn tail;
};

/* ---- linear memory -------------------------------------------------------------------- */

#define WASMC_PAGE_SIZE 65536u

/* A 32-bit memory: 8 GiB + 64 KiB of address space reserved PROT_NONE at creation, the first
 * `pages` pages read-write. `base` never moves, so compiled code loads it once per function;
 * accesses past the accessible size fault and the signal handler turns that into a trap. */
typedef struct wasmc_memory {
    uint8_t *base;
    uint64_t pages;     /* current size in pages */
    uint64_t max_pages; /* the declared maximum (or 65536), clamped to the limits */
    uint64_t reserved;  /* bytes of address space reserved at base */
} wasmc_memory;

/* Returns NULL (and sets no trap) when the address space cannot be reserved. */
wasmc_memory *wasmc_memory_new(uint64_t min_pages, uint64_t max_pages /* UINT64_MAX: none */);
void wasmc_memory_free(wasmc_memory *mem);
/* memory.grow: the old size in pages, or UINT32_MAX (-1) on failure. Never traps. */
uint32_t wasmc_memory_grow(wasmc_memory *mem, uint32_t delta_pages);
/* Bulk memory; each traps with "out of bounds memory access" when a range is out of bounds
 * (checked before anything is written). */
void wasmc_memory_fill(wasmc_memory *mem, uint32_t dst, uint32_t value, uint32_t len);
void wasmc_memory_copy(wasmc_memory *dst_mem, wasmc_memory *src_mem, uint32_t dst, uint32_t src,
                       uint32_t len);
/* memmove of n <= 64 bytes without a call: the first and the last 16, 8, 4 bytes (or the
 * first, middle and last byte), which together cover all n, are all loaded before any is
 * stored, so overlapping ranges move as with memmove. */
typedef uint8_t wasmc_bytes16 __attribute__((vector_size(16)));
WASMC_INLINE void wasmc_move_short(uint8_t *d, const uint8_t *s, uint32_t n) {
    if (n > 32) {
        wasmc_bytes16 a, b, c, e;
        memcpy(&a, s, 16), memcpy(&b, s + 16, 16);
        memcpy(&c, s + n - 32, 16), memcpy(&e, s + n - 16, 16);
        memcpy(d, &a, 16), memcpy(d + 16, &b, 16);
        memcpy(d + n - 32, &c, 16), memcpy(d + n - 16, &e, 16);
    } else if (n >= 16) {
        wasmc_bytes16 a, b;
        memcpy(&a, s, 16), memcpy(&b, s + n - 16, 16);
        memcpy(d, &a, 16), memcpy(d + n - 16, &b, 16);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8), memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8), memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4), memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4), memcpy(d + n - 4, &b, 4);
    } else if (n) {
        uint8_t a = s[0], b = s[n >> 1], c = s[n - 1];
        d[0] = a, d[n >> 1] = b, d[n - 1] = c;
    }
}
/* memory.copy between 32-bit memories as compiled code does it: the bounds check inline,
 * then up to 64 bytes inline and memmove beyond; a copy out of bounds goes to
 * wasmc_memory_copy, which checks again and traps (its trap address is the compiled
 * function's, as when it is called directly). The out-of-line call cost wordcount, whose
 * words are copied one by one, 11 M of its 242 M instructions (docs/performance.md, "clang
 * against GCC"); for a few bytes, so does memmove's own work before it copies: fannkuch,
 * which copies 4-40 bytes per permutation, runs 3 % faster with the copies inline
 * (docs/performance.md, "Short copies inline"). 32-bit operands: no sum wraps. */
WASMC_INLINE void wasmc_memory_copy_inline(wasmc_memory *dst_mem, wasmc_memory *src_mem,
                                           uint32_t dst, uint32_t src, uint32_t len) {
    if (WASMC_UNLIKELY((uint64_t)dst + len > dst_mem->pages * WASMC_PAGE_SIZE ||
                       (uint64_t)src + len > src_mem->pages * WASMC_PAGE_SIZE)) {
        wasmc_memory_copy(dst_mem, src_mem, dst, src, len);
        return;
    }
    if (len <= 64)
        wasmc_move_short(dst_mem->base + dst, src_mem->base + src, len);
    else
        memmove(dst_mem->base + dst, src_mem->base + src, len);
}
/* The index of the first byte at which a[0, n) and b[0, n) differ, or n if none does: a
 * loop that compares two byte strings runs its equal bytes in this first, 8 at a time
 * (codegen/wide_loops.py, MismatchLoop). It may read on up to a[readable) and b[readable)
 * (n <= readable), so that a short string is one 8-byte comparison. */
static inline uint64_t wasmc_mismatch(const uint8_t *a, const uint8_t *b, uint64_t n,
                                      uint64_t readable) {
    uint64_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t x, y;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y) /* the lowest set bit of x ^ y is in the first differing byte */
            return i + ((uint64_t)__builtin_ctzll(x ^ y) >> 3);
    }
    if (i < n && i + 8 <= readable) {
        /* The last 1-7 bytes, as one word whose bytes past the count are masked off, so
         * that whether those differ decides no branch: for a short equal string followed
         * by different bytes (a word in a text) it would go either way. */
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        uint64_t diff = (x ^ y) & (((uint64_t)1 << (8 * (n - i))) - 1);
        return diff ? i + ((uint64_t)__builtin_ctzll(diff) >> 3) : n;
    }
#else
    (void)readable;
#endif
    while (i < n && a[i] == b[i])
        i++;
    return i;
}
/* A data segment as an instance holds it: its bytes, and their number (0 once dropped). */
typedef struct wasmc_segment {
    const uint8_t *bytes;
    uint32_t len;
} wasmc_segment;

/* memory.init and active data segments: copy seg[src, src+len) to mem[dst, dst+len).
 * seg_len is 0 for a dropped segment. */
void wasmc_memory_init(wasmc_memory *mem, const uint8_t *seg, uint32_t seg_len, uint32_t dst,
                       uint32_t src, uint32_t len);

/* memory64 (64-bit memories): the same reservation, but compiled code checks every access
 * against the current size (wasmc_mem64_at) instead of relying on the guard region, since a
 * 64-bit address plus offset can reach anywhere. At most 131072 pages (8 GiB): memory.grow
 * beyond that returns -1. The bulk operations take 64-bit addresses and lengths. */
wasmc_memory *wasmc_memory64_new(uint64_t min_pages, uint64_t max_pages /* UINT64_MAX: none */);
/* memory.grow of a 64-bit memory: the old size in pages, or UINT64_MAX (-1) on failure. */
uint64_t wasmc_memory64_grow(wasmc_memory *mem, uint64_t delta_pages);
void wasmc_memory64_fill(wasmc_memory *mem, uint64_t dst, uint32_t value, uint64_t len);
/* Either memory may be 32-bit (addresses zero-extended); len is the smaller address type's. */
void wasmc_memory64_copy(wasmc_memory *dst_mem, wasmc_memory *src_mem, uint64_t dst, uint64_t src,
                         uint64_t len);
void wasmc_memory64_init(wasmc_memory *mem, const uint8_t *seg, uint32_t seg_len, uint64_t dst,
                         uint32_t src, uint32_t len);

/* Resource limits (docs/limits.md) for the memories and tables that this thread creates
 * from now on (an instantiation, Memory.new): a memory's maximum is lowered to at most
 * `memory_pages` pages and a table's to at most `table_elements` entries, so memory.grow and
 * table.grow fail (-1) beyond them; a minimum above the limit makes creation fail (NULL).
 * UINT64_MAX and UINT32_MAX: no limit (the default). */
void wasmc_set_creation_limits(uint64_t memory_pages, uint32_t table_elements);

/* ---- tables --------------------------------------------------------------------------- */

/* Elements are `const wasmc_func *` (funcref tables) or `void *` (externref tables). */
typedef struct wasmc_table {
    void **elems;
    uint32_t size;
    uint32_t max; /* declared maximum, or UINT32_MAX */
} wasmc_table;

wasmc_table *wasmc_table_new(uint32_t min, uint32_t max /* UINT32_MAX: none */, void *init);
void wasmc_table_free(wasmc_table *table);
/* table.grow: the old size, or UINT32_MAX (-1) on failure. */
uint32_t wasmc_table_grow(wasmc_table *table, uint32_t delta, void *init);
/* Each traps with "out of bounds table access" on a bad range, before writing anything. */
void *wasmc_table_get(wasmc_table *table, uint32_t index);
void wasmc_table_set(wasmc_table *table, uint32_t index, void *value);
void wasmc_table_fill(wasmc_table *table, uint32_t dst, void *value, uint32_t len);
void wasmc_table_copy(wasmc_table *dst_table, wasmc_table *src_table, uint32_t dst,
                      uint32_t src, uint32_t len);
/* table.init and active element segments; seg_len is 0 for a dropped segment. */
void wasmc_table_init(wasmc_table *table, void *const *seg, uint32_t seg_len, uint32_t dst,
                      uint32_t src, uint32_t len);

/* table64 (tables with i64 indices) uses the same tables, which hold at most 2^32 - 1
 * entries: compiled code passes each i64 index or length through wasmc_sat32, and an index
 * or length above UINT32_MAX becomes UINT32_MAX, which is out of bounds in every table (and
 * a grow by it fails), so the 32-bit functions trap or fail exactly as the 64-bit ones would. */
WASMC_INLINE uint32_t wasmc_sat32(uint64_t x) { return x > UINT32_MAX ? UINT32_MAX : (uint32_t)x; }

/* ---- globals -------------------------------------------------------------------------- */

/* One global's storage. Imported globals are pointers to the exporter's cell. */
typedef union wasmc_global {
    uint32_t i32;
    uint64_t i64;
    float f32;
    double f64;
    void *ref;
    uint8_t v128[16];
} wasmc_global;

/* ---- tags ----------------------------------------------------------------------------- */

/* An exception tag. Its identity is its address: an instance holds one per tag it defines
 * and points to the exporter's for each tag it imports. `type_id` is the canonical id of
 * the tag's function type (its params are the exception's payload). */
typedef struct wasmc_tag {
    uint64_t type_id;
} wasmc_tag;

/* ---- exceptions (docs/exceptions.md) ---------------------------------------------------- */

/* A thrown exception: what exnref points to. The payload (the tag's params) travels as
 * uint64_t slots, like host-call values. Allocated by `throw` and counted (docs/exceptions.md):
 * one reference while it is thrown, one per frame that owns it (wasmc_exn_own); freed when
 * the count drops to 0, unless it reached Wasm code as an exnref value that may be stored
 * anywhere (a catch_ref clause of a function whose exnrefs are not confined to it): then it
 * is kept for good. */
typedef struct wasmc_exn {
    const wasmc_tag *tag;
    uint32_t count;
    uint32_t refs;
    uint32_t escaped; /* an exnref to it exists: never freed */
    uint64_t values[];
} wasmc_exn;

/* An active exception handler: one per try_table (or legacy try) whose body is running.
 * Handlers form a per-thread chain, innermost first, that wasmc_protected cuts at each host
 * boundary. Compiled code pushes one, calls setjmp(env), and pops it on every way out of the
 * body; wasmc_throw pops it and longjmps to env. */
typedef struct wasmc_handler {
    jmp_buf env;
    struct wasmc_handler *prev;
} wasmc_handler;

void wasmc_try_push(wasmc_handler *handler);
/* Makes `handler`'s predecessor the innermost handler (leaving `handler`'s body, and the
 * bodies of any handlers pushed after it). */
void wasmc_try_pop(wasmc_handler *handler);
/* A new exception of `tag` with `count` payload values (to be filled in); one reference,
 * the throw's. */
wasmc_exn *wasmc_exn_new(const wasmc_tag *tag, uint32_t count);
/* One more reference (rethrow, throw_ref: a new throw of an exception a frame may own). */
void wasmc_exn_hold(wasmc_exn *exn);
/* One reference less (a catch clause without _ref took the payload): frees the exception at
 * 0, unless it escaped. */
void wasmc_exn_release(wasmc_exn *exn);
/* A landing pad caught `exn` into a variable of the frame at `frame` (a legacy catch part's,
 * or an exnref slot of an exn-confined function): the throw's reference becomes the frame's.
 * Also releases what that frame owned but none of `roots` (the values of all the frame's
 * variables that can hold an exception) holds any more, and everything owned by frames below
 * it (gone). wasmc_protected releases what the frames below it owned when it returns. */
void wasmc_exn_own(wasmc_exn *exn, const void *frame, wasmc_exn *const *roots,
                   uint32_t nroots);
/* Throws `exn` (throw, throw_ref, rethrow): to the innermost handler, or, when there is none
 * inside the innermost wasmc_protected call, ends that call with WASMC_UNCAUGHT_EXCEPTION. */
WASMC_NORETURN void wasmc_throw(wasmc_exn *exn);
/* The exception a handler's setjmp just returned for (its landing pad calls this first). */
wasmc_exn *wasmc_caught(void);

/* What wasmc_protected returns for an exception that no handler caught; the exception is
 * then wasmc_uncaught_exception() (owned by the runtime until the next one). */
#define WASMC_UNCAUGHT_EXCEPTION 256
const wasmc_exn *wasmc_uncaught_exception(void);
/* A host function's exception: makes the host function's failure (its callback's non-zero
 * return, see wasmc_host_func) throw a new exception of `tag` with these payload values
 * instead of trapping. Per thread; the next trap or throw uses it up. */
void wasmc_set_host_exception(const wasmc_tag *tag, const uint64_t *values, uint32_t count);

/* ---- traps ---------------------------------------------------------------------------- */

typedef enum wasmc_trap_code {
    WASMC_OK = 0,
    WASMC_TRAP_UNREACHABLE,                 /* "unreachable" */
    WASMC_TRAP_MEMORY_OUT_OF_BOUNDS,        /* "out of bounds memory access" */
    WASMC_TRAP_TABLE_OUT_OF_BOUNDS,         /* "out of bounds table access" */
    WASMC_TRAP_UNDEFINED_ELEMENT,           /* "undefined element" */
    WASMC_TRAP_UNINITIALIZED_ELEMENT,       /* "uninitialized element" */
    WASMC_TRAP_INDIRECT_CALL_TYPE_MISMATCH, /* "indirect call type mismatch" */
    WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO,      /* "integer divide by zero" */
    WASMC_TRAP_INTEGER_OVERFLOW,            /* "integer overflow" */
    WASMC_TRAP_INVALID_CONVERSION,          /* "invalid conversion to integer" */
    WASMC_TRAP_CALL_STACK_EXHAUSTED,        /* "call stack exhausted" */
    WASMC_TRAP_NULL_REFERENCE,              /* "null reference" */
    WASMC_TRAP_HOST,                        /* "host function failed" (message from the host) */
    WASMC_TRAP_NULL_FUNCTION_REFERENCE,     /* "null function reference" (call_ref) */
    WASMC_TRAP_NULL_EXCEPTION_REFERENCE,    /* "null exception reference" (throw_ref) */
    WASMC_TRAP_INTERRUPT,                   /* "interrupt" (see wasmc_check_interrupt) */
    WASMC_TRAP_DEADLINE,                    /* "deadline exceeded" (likewise) */
    WASMC_TRAP_UNALIGNED_ATOMIC,            /* "unaligned atomic" (threads) */
    WASMC_TRAP_EXPECTED_SHARED_MEMORY,      /* "expected shared memory" (a wait on an unshared one) */
    WASMC_TRAP_OUT_OF_FUEL,                 /* "all fuel consumed by WebAssembly" (fuel) */
    WASMC_TRAP_COUNT
} wasmc_trap_code;

/* Ends the innermost wasmc_protected() call on this thread with `code`. Records the caller's
 * address so the trap can name the Wasm function it happened in. wasmc_trap(WASMC_TRAP_HOST)
 * is wasmc_trap_host(NULL). */
WASMC_NORETURN WASMC_COLD void wasmc_trap(wasmc_trap_code code);
/* Like wasmc_trap(WASMC_TRAP_HOST), with a message (copied) from a host function. With
 * message NULL, the message set by wasmc_set_host_error on this thread is used (and cleared),
 * or "host function failed" if none was set: what an adapter does when its callback fails. */
WASMC_NORETURN WASMC_COLD void wasmc_trap_host(const char *message);
/* wasmc_trap(code), or for WASMC_TRAP_HOST wasmc_trap_host(message), reported at
 * `return_address` instead of the caller's address: __builtin_return_address(0) saved on
 * entry to a host function that compiled code calls directly, so a trap raised deep inside
 * the host names the Wasm function that called it (NULL: no function). */
WASMC_NORETURN WASMC_COLD void wasmc_trap_at(wasmc_trap_code code, const char *message,
                                             const void *return_address);

/* Runs body(arg) so that a trap anywhere inside it — an explicit wasmc_trap, an access
 * outside a memory (SIGSEGV/SIGBUS in the guard region) or C-stack exhaustion (SIGSEGV on
 * the stack guard page, handled on an alternate signal stack) — returns its code here instead
 * of ending the process. Returns WASMC_OK when body returns normally. Nests: a host function
 * called from Wasm may call Wasm again. Installs the signal handlers on first use (chaining
 * to any previous handler for faults outside Wasm) and the alternate stack per thread. */
int wasmc_protected(void (*body)(void *arg), void *arg);

/* The spec's message for a trap code ("unknown trap" for anything else, including WASMC_OK).
 * About the last trap on this thread: its message (the host's message for WASMC_TRAP_HOST;
 * NULL before the first trap), and the name of the Wasm function it happened in (NULL if
 * unknown). */
const char *wasmc_trap_message(int code);
const char *wasmc_last_trap_message(void);
const char *wasmc_last_trap_function(void);

/* Function names for trap reports: a module registers, once, the start address and the name
 * of each of its functions; a trap's code address is looked up in these tables (the entry with
 * the greatest address <= the trap's, in the same executable or shared object). Registering
 * the same array again is a no-op. An entry with name NULL marks code that is not a Wasm
 * function (an adapter, an invoker), so a trap there is not attributed to the function
 * placed before it. The array and the names must stay valid. */
typedef struct wasmc_func_name {
    const void *addr;
    const char *name;
} wasmc_func_name;
void wasmc_register_names(const wasmc_func_name *names, size_t count);

/* ---- interruption (docs/limits.md) ------------------------------------------------------ */

/* A module compiled with interrupt checks (the `interruptible` compile option) reads an
 * interrupt cell at every function entry and loop header, as Wasmtime's epoch interruption
 * does: 0 lets the code run; WASMC_TRAP_INTERRUPT or WASMC_TRAP_DEADLINE ends the running
 * call with that trap. The host sets the cell, from any thread; each instance points to one
 * (`P_interrupt_slot` returns the address of that pointer), shared by a group of linked
 * instances. The check is one load and a predicted branch; a relaxed atomic load, so the
 * compiler re-reads the cell every time and never hoists it out of a loop. */
WASMC_COLD void wasmc_interrupted(uint32_t *cell); /* returns if the cell is 0 again */
WASMC_INLINE void wasmc_check_interrupt(uint32_t *cell) {
    if (WASMC_UNLIKELY(__atomic_load_n(cell, __ATOMIC_RELAXED))) wasmc_interrupted(cell);
}

/* ---- fuel (docs/limits.md) ------------------------------------------------------------- */

/* A module compiled with fuel (codegen/fuel.py) counts the cost of the instructions it runs
 * in a counter that holds minus the fuel left, and checks it at every function entry and
 * loop header, as Wasmtime does: at 0 or above, no fuel is left and the call traps. Each
 * instance points to one counter (`P_fuel_slot` returns the address of that pointer),
 * shared by the instances of a store; a function works on a copy in a local, `fuel`, and
 * stores it back before it calls, returns or throws (and reloads it after a call). Not
 * atomic: like a Wasmtime store, a counter serves one thread. */
WASMC_INLINE void wasmc_check_fuel(int64_t fuel, int64_t *counter) {
    if (WASMC_UNLIKELY(fuel >= 0)) {
        *counter = fuel;
        wasmc_trap(WASMC_TRAP_OUT_OF_FUEL);
    }
}

/* ---- calling from a host -------------------------------------------------------------- */

/* A compiled module provides, for each function type it uses, an invoker with this
 * signature: it reads the parameters from slots[0..], calls func->fn(func->env, ...), and
 * writes the results to slots[0..]. Hosts run it through wasmc_protected. */
typedef struct wasmc_invocation {
    const wasmc_func *func;
    uint64_t *slots;
} wasmc_invocation;
typedef void (*wasmc_invoker)(void *invocation /* wasmc_invocation * */);

/* A function implemented by the host (e.g. in Python). A compiled module provides, for each
 * function type it imports, an adapter with the native signature that packs the arguments
 * into slots, calls `callback(data, slots)` and unpacks the results; a non-zero return means
 * the host failed and becomes a trap (wasmc_trap_host with the host's message, if it set one
 * with wasmc_set_host_error). A host function value is a wasmc_func whose fn is that adapter
 * and whose env points to this struct. */
typedef struct wasmc_host_func {
    int (*callback)(void *data, uint64_t *slots);
    void *data;
} wasmc_host_func;
void wasmc_set_host_error(const char *message); /* copied; per thread; NULL clears */

/* ---- optimizer barriers ---------------------------------------------------------------- */

/* A float the optimizer knows nothing about. Wasm requires x - 0.0, x * 1.0, x / -1.0,
 * -0.0 - x and demote(promote(x)) to quiet a signalling NaN, but clang and GCC fold them to
 * x (or -x). The emitter passes the constants ±0.0 and ±1.0, and demote's operand, through
 * these; the value stays in its register, so they cost nothing at run time. */
#if defined(__x86_64__) || defined(__i386__)
#define WASMC_OPAQUE(v) __asm__("" : "+x"(v))
#elif defined(__aarch64__)
#define WASMC_OPAQUE(v) __asm__("" : "+w"(v))
#else
#define WASMC_OPAQUE(v) __asm__("" : "+m"(v))
#endif
WASMC_INLINE float wasmc_f32_opaque(float v) { WASMC_OPAQUE(v); return v; }
WASMC_INLINE double wasmc_f64_opaque(double v) { WASMC_OPAQUE(v); return v; }

/* Makes the compiler compute `v` even if nothing uses it. Every load's result goes through
 * it: an out-of-bounds Wasm load must trap even when its value is dropped, branched away or
 * stored to a dead local, but C compilers delete (or sink into branches) unused loads.
 * Why this is enough: a volatile asm runs every time control reaches it (the compiler may
 * not delete it, nor move it where fewer paths reach it), and its input must be in a
 * register when it runs, so the compiler must have the loaded value there: it can only get
 * it by doing the load, or from an earlier access to the same bytes, which did not fault.
 * The asm itself emits no instruction. ("rm"/"g" would be unsound: the compiler could pass
 * the original memory location without reading it.)
 * WASMC_KEEP is for integers (a general-purpose register), WASMC_KEEP_FLOAT for f32/f64:
 * with "r", a float loaded into an SSE/FP register had to be copied to a general-purpose
 * register for the asm (vmovq %xmm, %rax), one cross-domain move per load, which made a
 * matrix-multiply loop 2.5x slower with clang (docs/performance.md). "x" (SSE) on x86 and
 * "w" (FP/SIMD) on AArch64 take the value where it already is; the guarantee is the same. */
#ifdef __OPTIMIZE__
#define WASMC_KEEP(v) __asm__ volatile("" : : "r"(v))
#if defined(__x86_64__) || defined(__i386__)
#define WASMC_KEEP_FLOAT(v) __asm__ volatile("" : : "x"(v))
#elif defined(__aarch64__)
#define WASMC_KEEP_FLOAT(v) __asm__ volatile("" : : "w"(v))
#else
#define WASMC_KEEP_FLOAT(v) WASMC_KEEP(v)
#endif
#else
/* Unoptimized (-O0) builds, e.g. the quick first build of `wasmc run` (runcache.py): a
 * volatile store of the value to a local keeps the load just as surely, and clang's fast
 * instruction selector handles it, while each inline asm sends its block to the slow one:
 * with the asm, -O0 takes 50% more compile time (docs/large-modules.md). */
#define WASMC_KEEP(v) do { volatile __typeof__(v) wasmc_kept_ = (v); (void)wasmc_kept_; } while (0)
#define WASMC_KEEP_FLOAT(v) WASMC_KEEP(v)
#endif

/* Makes the compiler do a store even when a later store overwrites the same bytes: an
 * out-of-bounds Wasm store must trap before the stores that follow it happen, but C
 * compilers delete a store that a later one overwrites (dead-store elimination) and so let
 * an in-bounds store in between happen first. Every store helper ends with it: the empty
 * asm says it reads the `n` bytes at `p`, so the store before it is not dead, and volatile
 * keeps the asm itself. */
#ifdef __OPTIMIZE__
#define WASMC_KEEP_STORE(p, n) __asm__ volatile("" : : "m"(*(const uint8_t(*)[n])(p)))
#else
/* -O0 (see WASMC_KEEP): a volatile read of the store's first byte; the store is not dead
 * since something reads it, and no unoptimized build shrinks a store. */
#define WASMC_KEEP_STORE(p, n) ((void)*(const volatile uint8_t *)(p))
#endif

/* The same guarantee for a store into a 32-bit memory at `base`, stated about the whole
 * memory, for GCC: the empty asm reads the 16 GiB from `base`, which hold every byte such a
 * store can reach (base + a 32-bit address + a 32-bit offset + up to 8 bytes < base + 2^33).
 * The store is then not dead, nor can a later store move before the asm. What it buys: the
 * asm's operand is `base`, a register anyway, so GCC folds the store's address into its
 * `mov` (`mov %ebx,(%r11,%rax)`), where WASMC_KEEP_STORE made it compute `p` in a register
 * of its own for the asm's operand (`add %r11,%rax; mov %ebx,(%rax)`): -3 % of regex's
 * instructions (docs/performance.md, "lz77 and regex against wasm2c + GCC"). clang folds
 * the address either way, and with this form it chose other registers and schedules in
 * places (the switch-style Uxn interpreters, whose speed depends on where their dispatch
 * block falls, then ran 18-41 % slower in one comparison; not analysed further), so clang
 * keeps WASMC_KEEP_STORE and its machine code is as before. Used by the emitter's wasmc_store_*_in. Where pointers are 32-bit no type spans
 * 16 GiB, and -O0 keeps each store by itself: WASMC_KEEP_STORE there too. */
#if defined(__OPTIMIZE__) && UINTPTR_MAX > 0xFFFFFFFFu && !defined(__clang__)
#define WASMC_KEEP_MEMORY_STORE(base, p, n) \
    __asm__ volatile("" : : "m"(*(const uint8_t(*)[(uint64_t)1 << 34])(base)))
#else
#define WASMC_KEEP_MEMORY_STORE(base, p, n) do { (void)(base); WASMC_KEEP_STORE(p, n); } while (0)
#endif

/* The address of an n-byte access at addr + offset in a 64-bit memory, after checking it
 * against the memory's current size (read at every access: memory.grow anywhere may change
 * it). Traps with "out of bounds memory access"; no sum here can wrap. */
WASMC_INLINE uint8_t *wasmc_mem64_at(const wasmc_memory *mem, uint64_t addr, uint64_t offset,
                                     uint64_t n) {
    uint64_t size = mem->pages * WASMC_PAGE_SIZE;
    if (WASMC_UNLIKELY(offset > size || n > size - offset || addr > size - offset - n))
        wasmc_trap(WASMC_TRAP_MEMORY_OUT_OF_BOUNDS);
    return mem->base + addr + offset;
}

/* ---- atomic accesses (threads; docs/codegen.md, "Atomics") --------------------------------
 * An atomic access of n bytes traps with "unaligned atomic" when its effective address ea is
 * not a multiple of n, before its bounds are checked (as the reference interpreter and
 * Wasmtime do). These return the address once it is aligned; the bounds are then checked as
 * for every access (the guard region of a 32-bit memory, the explicit check of a 64-bit
 * one). The generated code accesses an unshared memory with plain loads and stores (no
 * other thread can reach it) and a shared one with __atomic builtins. */
WASMC_INLINE uint8_t *wasmc_atomic_at(uint8_t *base, uint64_t ea, uint64_t n) {
    if (WASMC_UNLIKELY(ea & (n - 1))) wasmc_trap(WASMC_TRAP_UNALIGNED_ATOMIC);
    return base + ea;
}
WASMC_INLINE uint8_t *wasmc_atomic64_at(const wasmc_memory *mem, uint64_t addr, uint64_t offset,
                                        uint64_t n) {
    if (WASMC_UNLIKELY((addr + offset) & (n - 1))) wasmc_trap(WASMC_TRAP_UNALIGNED_ATOMIC);
    return wasmc_mem64_at(mem, addr, offset, n);
}
/* memory.atomic.wait32 (size 4) and wait64 (size 8) at addr + offset: 1 ("not-equal") if the
 * value there is not `expected`, else waits for a notify of that address, 0 ("ok"), or until
 * timeout_ns nanoseconds have passed (negative: no limit), 2 ("timed-out"). Traps as an
 * atomic access would, and with "expected shared memory" for an unshared memory. */
uint32_t wasmc_atomic_wait(wasmc_memory *mem, uint64_t addr, uint64_t offset, uint64_t expected,
                           int64_t timeout_ns, uint32_t size, int shared);
/* memory.atomic.notify: wakes up to `count` of the waiters on addr + offset, oldest first;
 * returns how many it woke. */
uint32_t wasmc_atomic_notify(wasmc_memory *mem, uint64_t addr, uint64_t offset, uint32_t count);

#include "wasmc_numeric.h"

#endif /* WASMC_H */

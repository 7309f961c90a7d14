/* runtime.c — the wasmc runtime: linear memories, tables, traps and their signal handling,
 * trap reports. Everything declared in wasmc.h is defined here.
 *
 * Process-wide state is limited to the SIGSEGV/SIGBUS handlers and the function-name
 * registry; everything else belongs to one memory or table, or to one thread. */
#define _GNU_SOURCE /* REG_RSP/REG_RIP in ucontext, dladdr, MAP_NORESERVE */

#include "wasmc.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define MAX_PAGES_32 65536u
/* memory64's implementation limit: what fits in the same reservation (8 GiB). */
#define MAX_PAGES_64 131072u
/* 4 GiB of index range, 4 GiB for the largest static offset, 64 KiB for the widest access
 * that starts just below 8 GiB: any address a 32-bit memory instruction can form lands here. */
#define MEMORY_RESERVATION ((8ull << 30) + 65536u)
/* An implementation limit on table sizes, so a huge table.grow fails instead of exhausting
 * memory (the spec lets grow fail for any reason). 2^24 elements = 128 MiB of pointers. */
#define TABLE_LIMIT (1u << 24)
#define ALTSTACK_SIZE (64u * 1024u)
/* A fault this close to the stack pointer is a stack overflow, not a Wasm memory access. */
#define STACK_FAULT_DISTANCE (1u << 20)
#define HOST_MESSAGE_SIZE 1024

/* ==== traps ================================================================================ */

/* One active wasmc_protected call. Frames form a per-thread chain (host -> Wasm -> host -> Wasm),
 * the innermost first; a trap ends the innermost one. */
typedef struct trap_frame {
    sigjmp_buf env;
    struct trap_frame *prev;
    wasmc_handler *handlers; /* the exception handlers of the code outside this call */
} trap_frame;

static __thread trap_frame *current_frame;
static __thread int last_code;
static __thread uintptr_t last_pc;        /* an address inside the trapping code */
static __thread const char *last_message; /* a static spec string, or host_message */
static __thread char host_message[HOST_MESSAGE_SIZE];       /* of the last host trap */
static __thread char pending_host_error[HOST_MESSAGE_SIZE]; /* from wasmc_set_host_error */
static __thread int altstack_ready;

static const char *const trap_messages[WASMC_TRAP_COUNT] = {
    [WASMC_TRAP_UNREACHABLE] = "unreachable",
    [WASMC_TRAP_MEMORY_OUT_OF_BOUNDS] = "out of bounds memory access",
    [WASMC_TRAP_TABLE_OUT_OF_BOUNDS] = "out of bounds table access",
    [WASMC_TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [WASMC_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
    [WASMC_TRAP_INDIRECT_CALL_TYPE_MISMATCH] = "indirect call type mismatch",
    [WASMC_TRAP_INTEGER_DIVIDE_BY_ZERO] = "integer divide by zero",
    [WASMC_TRAP_INTEGER_OVERFLOW] = "integer overflow",
    [WASMC_TRAP_INVALID_CONVERSION] = "invalid conversion to integer",
    [WASMC_TRAP_CALL_STACK_EXHAUSTED] = "call stack exhausted",
    [WASMC_TRAP_NULL_REFERENCE] = "null reference",
    [WASMC_TRAP_HOST] = "host function failed",
    [WASMC_TRAP_NULL_FUNCTION_REFERENCE] = "null function reference",
    [WASMC_TRAP_NULL_EXCEPTION_REFERENCE] = "null exception reference",
    [WASMC_TRAP_INTERRUPT] = "interrupt",
    [WASMC_TRAP_DEADLINE] = "deadline exceeded",
    [WASMC_TRAP_UNALIGNED_ATOMIC] = "unaligned atomic",
    [WASMC_TRAP_EXPECTED_SHARED_MEMORY] = "expected shared memory",
    [WASMC_TRAP_OUT_OF_FUEL] = "all fuel consumed by WebAssembly",
};

const char *wasmc_trap_message(int code) {
    if (code <= WASMC_OK || code >= WASMC_TRAP_COUNT) return "unknown trap";
    return trap_messages[code];
}

/* Copies at most HOST_MESSAGE_SIZE - 1 bytes; src and dst may be the same buffer. */
static void copy_message(char *dst, const char *src) {
    size_t len = strlen(src);
    if (len >= HOST_MESSAGE_SIZE) len = HOST_MESSAGE_SIZE - 1;
    memmove(dst, src, len);
    dst[len] = '\0';
}

/* Records the trap and unwinds to the innermost frame. Async-signal-safe when code is not
 * WASMC_TRAP_HOST, so the fault handler uses it too. */
WASMC_NORETURN static void raise_trap(int code, uintptr_t pc) {
    trap_frame *frame = current_frame;
    /* A trap must never look like success (siglongjmp cannot deliver 0 anyway). */
    if (code <= WASMC_OK || code >= WASMC_TRAP_COUNT) code = WASMC_TRAP_UNREACHABLE;
    last_code = code;
    last_pc = pc;
    if (code != WASMC_TRAP_HOST) last_message = wasmc_trap_message(code);
    if (!frame) {
        fprintf(stderr, "wasmc: trap outside of Wasm execution: %s\n", last_message);
        abort();
    }
    siglongjmp(frame->env, code);
}

/* The return address points after the call; -1 keeps it inside the calling function even
 * when the (noreturn) call is the function's last instruction. */
#define CALLER_PC() ((uintptr_t)__builtin_return_address(0) - 1)

void wasmc_set_host_error(const char *message) {
    if (message)
        copy_message(pending_host_error, message);
    else
        pending_host_error[0] = '\0';
}

/* The message of a host trap: `message`, else the one set by wasmc_set_host_error (used up
 * here), else the generic one. */
static void record_host_message(const char *message) {
    if (!message)
        message = pending_host_error[0] ? pending_host_error : trap_messages[WASMC_TRAP_HOST];
    copy_message(host_message, message);
    pending_host_error[0] = '\0';
    last_message = host_message;
}

static __thread wasmc_exn *pending_host_exception; /* from wasmc_set_host_exception */

void wasmc_trap(wasmc_trap_code code) {
    if (code == WASMC_TRAP_HOST && pending_host_exception) {
        /* A host function failed by throwing (see wasmc_set_host_exception). */
        wasmc_exn *exn = pending_host_exception;
        pending_host_exception = NULL;
        wasmc_throw(exn);
    }
    if (code == WASMC_TRAP_HOST) record_host_message(NULL); /* same as wasmc_trap_host(NULL) */
    raise_trap((int)code, CALLER_PC());
}

void wasmc_trap_host(const char *message) {
    record_host_message(message);
    raise_trap(WASMC_TRAP_HOST, CALLER_PC());
}

void wasmc_trap_at(wasmc_trap_code code, const char *message, const void *return_address) {
    if (code == WASMC_TRAP_HOST) record_host_message(message);
    /* -1 as in CALLER_PC: inside the call instruction, so inside the calling function */
    raise_trap((int)code, return_address ? (uintptr_t)return_address - 1 : 0);
}

const char *wasmc_last_trap_message(void) { return last_message; }

/* An interrupt request is used up by the trap it causes (the next call runs); a passed
 * deadline stays until the host sets a new one, so every later call traps at once. The
 * compare-and-swap keeps a deadline that the host sets meanwhile. Reported in the Wasm
 * function whose check fired (wasmc_check_interrupt is inlined there). */
void wasmc_interrupted(uint32_t *cell) {
    uint32_t code = __atomic_load_n(cell, __ATOMIC_RELAXED);
    if (code == WASMC_TRAP_INTERRUPT)
        __atomic_compare_exchange_n(cell, &code, 0, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    else if (code == WASMC_OK)
        return; /* cleared since the check (the host withdrew its deadline) */
    else if (code != WASMC_TRAP_DEADLINE)
        code = WASMC_TRAP_INTERRUPT; /* an unknown value still interrupts */
    raise_trap((int)code, CALLER_PC());
}

/* ==== exceptions (docs/exceptions.md) ======================================================= */

static __thread wasmc_handler *handlers;  /* the innermost active handler, NULL: none */
static __thread wasmc_exn *caught;        /* what the handler being entered caught */
static __thread wasmc_exn *uncaught;      /* what the last WASMC_UNCAUGHT_EXCEPTION carried */

void wasmc_try_push(wasmc_handler *handler) {
    handler->prev = handlers;
    handlers = handler;
}

void wasmc_try_pop(wasmc_handler *handler) { handlers = handler->prev; }

wasmc_exn *wasmc_exn_new(const wasmc_tag *tag, uint32_t count) {
    wasmc_exn *exn = malloc(sizeof *exn + (size_t)count * sizeof(uint64_t));
    if (!exn) {
        fprintf(stderr, "wasmc: out of memory for an exception\n");
        abort();
    }
    exn->tag = tag;
    exn->count = count;
    exn->refs = 1;
    exn->escaped = 0;
    return exn;
}

void wasmc_exn_hold(wasmc_exn *exn) { exn->refs++; }

void wasmc_exn_release(wasmc_exn *exn) {
    if (--exn->refs == 0 && !exn->escaped) free(exn);
}

wasmc_exn *wasmc_caught(void) { return caught; }

const wasmc_exn *wasmc_uncaught_exception(void) { return uncaught; }

void wasmc_throw(wasmc_exn *exn) {
    wasmc_handler *handler = handlers;
    if (handler) {
        handlers = handler->prev;
        caught = exn;
        longjmp(handler->env, 1);
    }
    /* No handler between here and the host: the innermost wasmc_protected call ends. */
    trap_frame *frame = current_frame;
    if (!frame) {
        fprintf(stderr, "wasmc: uncaught exception outside of Wasm execution\n");
        abort();
    }
    if (uncaught && uncaught != exn) wasmc_exn_release(uncaught); /* the host is done */
    uncaught = exn;
    last_code = WASMC_UNCAUGHT_EXCEPTION;
    siglongjmp(frame->env, WASMC_UNCAUGHT_EXCEPTION);
}

/* Exceptions owned by frames (docs/exceptions.md): one entry per (exception, frame) pair,
 * each holding a reference. A frame is the address __builtin_frame_address(0) gave the
 * function; stacks grow down, so a callee's frame is below its caller's. The entries are in
 * order of frame, callers first: an entry is added only after every entry of a deeper
 * frame is gone, so those are always at the end. */
typedef struct owned_exn {
    wasmc_exn *exn;
    uintptr_t frame;
} owned_exn;

static __thread owned_exn *owned;
static __thread uint32_t owned_count, owned_capacity;

/* The frames below `frame` have returned or were unwound: their exceptions go. */
static void release_owned_below(uintptr_t frame) {
    while (owned_count && owned[owned_count - 1].frame < frame)
        wasmc_exn_release(owned[--owned_count].exn);
}

void wasmc_exn_own(wasmc_exn *exn, const void *frame_address, wasmc_exn *const *roots,
                   uint32_t nroots) {
    uintptr_t frame = (uintptr_t)frame_address;
    release_owned_below(frame);
    /* This frame's other exceptions: kept while one of its variables holds them. */
    uint32_t first = owned_count;
    while (first && owned[first - 1].frame == frame) first--;
    uint32_t kept = first;
    int already = 0;
    for (uint32_t i = first; i < owned_count; i++) {
        wasmc_exn *e = owned[i].exn;
        int live = e == exn;
        already |= live;
        for (uint32_t r = 0; r < nroots && !live; r++) live = roots[r] == e;
        if (live)
            owned[kept++] = owned[i];
        else
            wasmc_exn_release(e);
    }
    owned_count = kept;
    if (already) { /* the frame holds it already: the throw's reference goes */
        wasmc_exn_release(exn);
        return;
    }
    if (owned_count == owned_capacity) {
        uint32_t capacity = owned_capacity ? 2 * owned_capacity : 64;
        owned_exn *grown = realloc(owned, capacity * sizeof *grown);
        if (!grown) {
            fprintf(stderr, "wasmc: out of memory for an exception\n");
            abort();
        }
        owned = grown;
        owned_capacity = capacity;
    }
    owned[owned_count++] = (owned_exn){exn, frame}; /* the throw's reference is the frame's */
}

void wasmc_set_host_exception(const wasmc_tag *tag, const uint64_t *values, uint32_t count) {
    if (pending_host_exception) free(pending_host_exception);
    pending_host_exception = NULL;
    if (!tag) return;
    wasmc_exn *exn = wasmc_exn_new(tag, count);
    if (count) memcpy(exn->values, values, count * sizeof(uint64_t));
    pending_host_exception = exn;
}

/* ==== signals ============================================================================== */

static struct sigaction previous_segv, previous_bus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static pthread_key_t altstack_key;

/* A signal outside Wasm belongs to whoever handled it before us (Python's faulthandler,
 * another runtime such as Wasmtime, or the default action). A handler function is called
 * directly, so ours stays installed for later Wasm traps. Otherwise the previous disposition
 * is restored: returning from a fault re-runs the faulting instruction, which then ends the
 * process exactly as without us (the kernel overrides "ignore" for synchronous faults); a
 * signal sent with kill() is raised again, or dropped if it was ignored. */
static void chain_to_previous(int sig, siginfo_t *info, void *context) {
    const struct sigaction *prev = sig == SIGBUS ? &previous_bus : &previous_segv;
    int sent = info->si_code <= 0;
    if (prev->sa_flags & SA_SIGINFO) {
        prev->sa_sigaction(sig, info, context);
    } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
        prev->sa_handler(sig);
    } else if (!(sent && prev->sa_handler == SIG_IGN)) {
        sigaction(sig, prev, NULL);
        if (sent) raise(sig);
    }
}

static void context_sp_pc(const void *context, uintptr_t *sp, uintptr_t *pc) {
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    *sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    *pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    *sp = (uintptr_t)uc->uc_mcontext.sp;
    *pc = (uintptr_t)uc->uc_mcontext.pc;
#else
    /* Unknown layout: every fault is reported as a memory access, without a function name. */
    (void)uc;
    *sp = 0;
    *pc = 0;
#endif
}

static void on_fault(int sig, siginfo_t *info, void *context) {
    if (!current_frame || info->si_code <= 0 /* sent by kill(), not a fault */) {
        chain_to_previous(sig, info, context);
        return;
    }
    uintptr_t sp, pc;
    context_sp_pc(context, &sp, &pc);
    uintptr_t addr = (uintptr_t)info->si_addr;
    uintptr_t distance = addr > sp ? addr - sp : sp - addr;
    int code = sp && distance <= STACK_FAULT_DISTANCE ? WASMC_TRAP_CALL_STACK_EXHAUSTED
                                                      : WASMC_TRAP_MEMORY_OUT_OF_BOUNDS;
    raise_trap(code, pc);
}

static void install_handler(int sig, struct sigaction *previous) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    /* SA_NODEFER: nothing is blocked while the handler runs, so leaving it with siglongjmp
     * (which does not restore the mask: savemask 0) leaves the mask as it was. */
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    if (sigaction(sig, &action, previous) != 0) {
        perror("wasmc: sigaction");
        abort();
    }
}

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* Thread exit: unmap this thread's alternate stack (disabling it first if still in use). */
static void free_altstack(void *mapping) {
    uint8_t *stack = (uint8_t *)mapping + page_size();
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && current.ss_sp == stack) {
        stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
    }
    munmap(mapping, ALTSTACK_SIZE + page_size());
}

static void install_once_per_process(void) {
    pthread_key_create(&altstack_key, free_altstack);
    install_handler(SIGSEGV, &previous_segv);
    install_handler(SIGBUS, &previous_bus);
}

/* A stack overflow can only be handled on another stack. Each thread gets its own (with a
 * guard page below it), unless it already has one that is large enough. Failure here only
 * means stack exhaustion will kill the process instead of trapping. */
static void ensure_altstack(void) {
    altstack_ready = 1;
    stack_t current;
    if (sigaltstack(NULL, &current) != 0) return;
    if (!(current.ss_flags & SS_DISABLE) && current.ss_size >= ALTSTACK_SIZE) return;
    if (current.ss_flags & SS_ONSTACK) return; /* called from a signal handler: leave it */
    size_t guard = page_size();
    uint8_t *mapping = mmap(NULL, ALTSTACK_SIZE + guard, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) return;
    stack_t stack = {.ss_sp = mapping + guard, .ss_size = ALTSTACK_SIZE, .ss_flags = 0};
    if (mprotect(mapping, guard, PROT_NONE) != 0 || sigaltstack(&stack, NULL) != 0) {
        munmap(mapping, ALTSTACK_SIZE + guard);
        return;
    }
    pthread_setspecific(altstack_key, mapping);
}

int wasmc_protected(void (*body)(void *arg), void *arg) {
    pthread_once(&install_once, install_once_per_process);
    if (WASMC_UNLIKELY(!altstack_ready)) ensure_altstack();

    trap_frame frame;
    frame.prev = current_frame;
    /* Exceptions do not cross a host boundary: the handlers outside wait until we return. */
    frame.handlers = handlers;
    handlers = NULL;
    /* (sigsetjmp may only be used directly in a condition; the code is in last_code.) */
    if (sigsetjmp(frame.env, 0) != 0) {
        current_frame = frame.prev;
        handlers = frame.handlers;
        /* the Wasm frames called from here are gone (the frame address, not a local's:
         * ASan's fake stack may hold locals elsewhere) */
        release_owned_below((uintptr_t)__builtin_frame_address(0));
        return last_code;
    }
    current_frame = &frame;
    body(arg);
    current_frame = frame.prev;
    handlers = frame.handlers;
    release_owned_below((uintptr_t)__builtin_frame_address(0));
    return WASMC_OK;
}

/* ==== function names ======================================================================= */

/* One registered table: a copy sorted by address, and the object (executable or shared
 * library) its code lives in, so an address in other code is not attributed to it. */
typedef struct name_table {
    const wasmc_func_name *source;
    wasmc_func_name *sorted;
    size_t count;
    const void *object; /* dladdr's dli_fbase, or NULL if unknown */
} name_table;

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static name_table *name_tables;
static size_t name_table_count, name_table_capacity;

static int compare_by_addr(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)((const wasmc_func_name *)a)->addr;
    uintptr_t y = (uintptr_t)((const wasmc_func_name *)b)->addr;
    return (x > y) - (x < y);
}

static const void *object_of(const void *addr) {
    Dl_info info;
    return dladdr(addr, &info) ? info.dli_fbase : NULL;
}

static int add_name_table(const wasmc_func_name *names, size_t count) {
    for (size_t i = 0; i < name_table_count; i++)
        if (name_tables[i].source == names) return 1; /* another instance of the same module */
    if (name_table_count == name_table_capacity) {
        size_t capacity = name_table_capacity ? 2 * name_table_capacity : 16;
        name_table *grown = realloc(name_tables, capacity * sizeof *grown);
        if (!grown) return 0;
        name_tables = grown;
        name_table_capacity = capacity;
    }
    wasmc_func_name *sorted = malloc(count * sizeof *sorted);
    if (!sorted) return 0;
    memcpy(sorted, names, count * sizeof *sorted);
    qsort(sorted, count, sizeof *sorted, compare_by_addr);
    name_tables[name_table_count++] =
        (name_table){.source = names, .sorted = sorted, .count = count,
                     .object = object_of(sorted[0].addr)};
    return 1;
}

/* A NULL name marks code that is not a Wasm function (an adapter, say): a pc after it and
 * before the next named entry has no name. */
void wasmc_register_names(const wasmc_func_name *names, size_t count) {
    if (!names || count == 0) return;
    pthread_mutex_lock(&names_lock);
    if (!add_name_table(names, count)) fprintf(stderr, "wasmc: out of memory for names\n");
    pthread_mutex_unlock(&names_lock);
}

/* The entry of `table` with the greatest address <= pc, or NULL. */
static const wasmc_func_name *floor_entry(const name_table *table, uintptr_t pc) {
    size_t lo = 0, hi = table->count; /* answer is in [lo - 1, hi) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)table->sorted[mid].addr <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &table->sorted[lo - 1] : NULL;
}

static const char *lookup_name(uintptr_t pc) {
    const wasmc_func_name *best = NULL;
    const name_table *best_table = NULL;
    pthread_mutex_lock(&names_lock);
    for (size_t i = 0; i < name_table_count; i++) {
        const wasmc_func_name *entry = floor_entry(&name_tables[i], pc);
        if (entry && (!best || (uintptr_t)entry->addr > (uintptr_t)best->addr)) {
            best = entry;
            best_table = &name_tables[i];
        }
    }
    const void *table_object = best_table ? best_table->object : NULL;
    const char *name = best ? best->name : NULL;
    pthread_mutex_unlock(&names_lock);
    if (name && table_object && object_of((const void *)pc) != table_object) return NULL;
    return name;
}

const char *wasmc_last_trap_function(void) { return last_pc ? lookup_name(last_pc) : NULL; }

/* ==== linear memories ====================================================================== */

/* wasmc_set_creation_limits: per thread, so each instantiation sees its own. */
static __thread uint64_t memory_limit_pages = UINT64_MAX;
static __thread uint32_t table_limit_elements = UINT32_MAX;

void wasmc_set_creation_limits(uint64_t memory_pages, uint32_t table_elements) {
    memory_limit_pages = memory_pages;
    table_limit_elements = table_elements;
}

/* A memory of at most `limit` pages (the implementation's limit; grow fails beyond it). */
static wasmc_memory *memory_new(uint64_t min_pages, uint64_t max_pages, uint64_t limit) {
    if (max_pages > limit) max_pages = limit;
    if (max_pages > memory_limit_pages) max_pages = memory_limit_pages;
    if (min_pages > max_pages) return NULL;
    wasmc_memory *mem = calloc(1, sizeof *mem);
    if (!mem) return NULL;
    void *base = mmap(NULL, MEMORY_RESERVATION, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) {
        free(mem);
        return NULL;
    }
    if (min_pages && mprotect(base, min_pages * WASMC_PAGE_SIZE, PROT_READ | PROT_WRITE) != 0) {
        munmap(base, MEMORY_RESERVATION);
        free(mem);
        return NULL;
    }
    mem->base = base;
    mem->pages = min_pages;
    mem->max_pages = max_pages;
    mem->reserved = MEMORY_RESERVATION;
    return mem;
}

wasmc_memory *wasmc_memory_new(uint64_t min_pages, uint64_t max_pages) {
    return memory_new(min_pages, max_pages, MAX_PAGES_32);
}

wasmc_memory *wasmc_memory64_new(uint64_t min_pages, uint64_t max_pages) {
    return memory_new(min_pages, max_pages, MAX_PAGES_64);
}

void wasmc_memory_free(wasmc_memory *mem) {
    if (!mem) return;
    munmap(mem->base, mem->reserved);
    free(mem);
}

/* memory.grow of either kind: max_pages is already clamped to the kind's limit (memory_new).
 * Under a lock: two threads may grow one shared memory (threads) at once. */
static pthread_mutex_t grow_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t wasmc_memory64_grow(wasmc_memory *mem, uint64_t delta_pages) {
    pthread_mutex_lock(&grow_lock);
    uint64_t old = mem->pages;
    if (delta_pages > mem->max_pages - old ||
        (delta_pages && mprotect(mem->base + old * WASMC_PAGE_SIZE, delta_pages * WASMC_PAGE_SIZE,
                                 PROT_READ | PROT_WRITE) != 0))
        old = UINT64_MAX;
    else
        mem->pages = old + delta_pages;
    pthread_mutex_unlock(&grow_lock);
    return old;
}

uint32_t wasmc_memory_grow(wasmc_memory *mem, uint32_t delta_pages) {
    uint64_t old = wasmc_memory64_grow(mem, delta_pages);
    return old == UINT64_MAX ? UINT32_MAX : (uint32_t)old;
}

/* [start, start + len) within [0, size), without wrapping even for 64-bit start and len. */
static int in_bounds(uint64_t start, uint64_t len, uint64_t size) {
    return len <= size && start <= size - len;
}

static uint64_t memory_bytes(const wasmc_memory *mem) { return mem->pages * WASMC_PAGE_SIZE; }

/* The bulk operations, for 32- and 64-bit memories alike (32-bit operands zero-extend). `pc`
 * is the caller's address, for the trap report: each public entry passes its CALLER_PC(). */
static void memory_fill(wasmc_memory *mem, uint64_t dst, uint32_t value, uint64_t len,
                        uintptr_t pc) {
    if (!in_bounds(dst, len, memory_bytes(mem))) raise_trap(WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, pc);
    memset(mem->base + dst, (int)(uint8_t)value, len);
}

static void memory_copy(wasmc_memory *dst_mem, wasmc_memory *src_mem, uint64_t dst,
                        uint64_t src, uint64_t len, uintptr_t pc) {
    if (!in_bounds(dst, len, memory_bytes(dst_mem)) || !in_bounds(src, len, memory_bytes(src_mem)))
        raise_trap(WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, pc);
    memmove(dst_mem->base + dst, src_mem->base + src, len);
}

static void memory_init(wasmc_memory *mem, const uint8_t *seg, uint32_t seg_len, uint64_t dst,
                        uint32_t src, uint32_t len, uintptr_t pc) {
    if (!in_bounds(src, len, seg_len) || !in_bounds(dst, len, memory_bytes(mem)))
        raise_trap(WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, pc);
    if (len) memcpy(mem->base + dst, seg + src, len);
}

void wasmc_memory_fill(wasmc_memory *mem, uint32_t dst, uint32_t value, uint32_t len) {
    memory_fill(mem, dst, value, len, CALLER_PC());
}

void wasmc_memory64_fill(wasmc_memory *mem, uint64_t dst, uint32_t value, uint64_t len) {
    memory_fill(mem, dst, value, len, CALLER_PC());
}

void wasmc_memory_copy(wasmc_memory *dst_mem, wasmc_memory *src_mem, uint32_t dst, uint32_t src,
                       uint32_t len) {
    memory_copy(dst_mem, src_mem, dst, src, len, CALLER_PC());
}

/* A length is 32-bit when a copy's other memory is 32-bit; the caller zero-extends it. */
void wasmc_memory64_copy(wasmc_memory *dst_mem, wasmc_memory *src_mem, uint64_t dst, uint64_t src,
                         uint64_t len) {
    memory_copy(dst_mem, src_mem, dst, src, len, CALLER_PC());
}

void wasmc_memory_init(wasmc_memory *mem, const uint8_t *seg, uint32_t seg_len, uint32_t dst,
                       uint32_t src, uint32_t len) {
    memory_init(mem, seg, seg_len, dst, src, len, CALLER_PC());
}

void wasmc_memory64_init(wasmc_memory *mem, const uint8_t *seg, uint32_t seg_len, uint64_t dst,
                         uint32_t src, uint32_t len) {
    memory_init(mem, seg, seg_len, dst, src, len, CALLER_PC());
}

/* ==== atomics (threads) ===================================================================== */

/* The address of wait's or notify's n bytes at addr + offset, checked as an atomic access:
 * the alignment, then the bounds. */
static uint8_t *atomic_address(wasmc_memory *mem, uint64_t addr, uint64_t offset, uint64_t n,
                               uintptr_t pc) {
    if ((addr + offset) & (n - 1)) raise_trap(WASMC_TRAP_UNALIGNED_ATOMIC, pc);
    if (offset > UINT64_MAX - addr || !in_bounds(addr + offset, n, memory_bytes(mem)))
        raise_trap(WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, pc);
    return mem->base + addr + offset;
}

/* The parking lot of wait and notify: the waiting threads in the order they began to wait,
 * each with the address it waits on, under one lock. A waiter reads the value under the lock,
 * and a notify takes the lock, so a notify that follows the store a waiter checks cannot
 * slip in between the check and the wait. */
typedef struct parked_waiter {
    struct parked_waiter *next;
    const uint8_t *at;
    int woken;
    pthread_cond_t wake;
} parked_waiter;

static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static parked_waiter *parked_first;

static void unpark(parked_waiter *w) {
    for (parked_waiter **link = &parked_first; *link; link = &(*link)->next)
        if (*link == w) {
            *link = w->next;
            return;
        }
}

uint32_t wasmc_atomic_wait(wasmc_memory *mem, uint64_t addr, uint64_t offset, uint64_t expected,
                           int64_t timeout_ns, uint32_t size, int shared) {
    uintptr_t pc = CALLER_PC();
    uint8_t *p = atomic_address(mem, addr, offset, size, pc);
    if (!shared) raise_trap(WASMC_TRAP_EXPECTED_SHARED_MEMORY, pc);
    pthread_mutex_lock(&park_lock);
    uint64_t value = size == 4 ? __atomic_load_n((uint32_t *)(void *)p, __ATOMIC_SEQ_CST)
                               : __atomic_load_n((uint64_t *)(void *)p, __ATOMIC_SEQ_CST);
    if (value != expected) {
        pthread_mutex_unlock(&park_lock);
        return 1; /* "not-equal" */
    }
    struct timespec deadline;
    if (timeout_ns >= 0) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        int64_t ns = deadline.tv_nsec + timeout_ns % 1000000000;
        deadline.tv_sec += (time_t)(timeout_ns / 1000000000 + ns / 1000000000);
        deadline.tv_nsec = ns % 1000000000;
    }
    parked_waiter self = {NULL, p, 0, PTHREAD_COND_INITIALIZER};
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&self.wake, &attr);
    pthread_condattr_destroy(&attr);
    parked_waiter **link = &parked_first;
    while (*link) link = &(*link)->next;
    *link = &self;
    int timed_out = 0;
    while (!self.woken && !timed_out)
        timed_out = (timeout_ns < 0 ? pthread_cond_wait(&self.wake, &park_lock)
                                    : pthread_cond_timedwait(&self.wake, &park_lock,
                                                             &deadline)) == ETIMEDOUT;
    if (!self.woken) unpark(&self);
    uint32_t result = self.woken ? 0 : 2; /* "ok" or "timed-out" */
    pthread_mutex_unlock(&park_lock);
    pthread_cond_destroy(&self.wake);
    return result;
}

uint32_t wasmc_atomic_notify(wasmc_memory *mem, uint64_t addr, uint64_t offset, uint32_t count) {
    const uint8_t *p = atomic_address(mem, addr, offset, 4, CALLER_PC());
    uint32_t woken = 0;
    pthread_mutex_lock(&park_lock);
    for (parked_waiter **link = &parked_first; *link && woken < count;) {
        parked_waiter *w = *link;
        if (w->at != p) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        w->woken = 1;
        pthread_cond_signal(&w->wake);
        woken++;
    }
    pthread_mutex_unlock(&park_lock);
    return woken;
}

/* ==== tables =============================================================================== */

static void fill_elems(void **elems, uint64_t from, uint64_t to, void *value) {
    for (uint64_t i = from; i < to; i++) elems[i] = value;
}

wasmc_table *wasmc_table_new(uint32_t min, uint32_t max, void *init) {
    if (max > table_limit_elements) max = table_limit_elements;
    if (min > max || min > TABLE_LIMIT) return NULL;
    wasmc_table *table = calloc(1, sizeof *table);
    if (!table) return NULL;
    /* Never malloc(0): a NULL elems would look like a failure. */
    table->elems = malloc((min ? min : 1) * sizeof(void *));
    if (!table->elems) {
        free(table);
        return NULL;
    }
    fill_elems(table->elems, 0, min, init);
    table->size = min;
    table->max = max;
    return table;
}

void wasmc_table_free(wasmc_table *table) {
    if (!table) return;
    free(table->elems);
    free(table);
}

uint32_t wasmc_table_grow(wasmc_table *table, uint32_t delta, void *init) {
    uint64_t old = table->size, new_size = old + delta;
    if (new_size > table->max || new_size > TABLE_LIMIT) return UINT32_MAX;
    if (delta) {
        void **grown = realloc(table->elems, new_size * sizeof(void *));
        if (!grown) return UINT32_MAX;
        table->elems = grown;
        fill_elems(grown, old, new_size, init);
        table->size = (uint32_t)new_size;
    }
    return (uint32_t)old;
}

void *wasmc_table_get(wasmc_table *table, uint32_t index) {
    if (index >= table->size) raise_trap(WASMC_TRAP_TABLE_OUT_OF_BOUNDS, CALLER_PC());
    return table->elems[index];
}

void wasmc_table_set(wasmc_table *table, uint32_t index, void *value) {
    if (index >= table->size) raise_trap(WASMC_TRAP_TABLE_OUT_OF_BOUNDS, CALLER_PC());
    table->elems[index] = value;
}

void wasmc_table_fill(wasmc_table *table, uint32_t dst, void *value, uint32_t len) {
    if (!in_bounds(dst, len, table->size)) raise_trap(WASMC_TRAP_TABLE_OUT_OF_BOUNDS, CALLER_PC());
    fill_elems(table->elems, dst, (uint64_t)dst + len, value);
}

void wasmc_table_copy(wasmc_table *dst_table, wasmc_table *src_table, uint32_t dst,
                      uint32_t src, uint32_t len) {
    if (!in_bounds(dst, len, dst_table->size) || !in_bounds(src, len, src_table->size))
        raise_trap(WASMC_TRAP_TABLE_OUT_OF_BOUNDS, CALLER_PC());
    if (len) memmove(dst_table->elems + dst, src_table->elems + src, len * sizeof(void *));
}

void wasmc_table_init(wasmc_table *table, void *const *seg, uint32_t seg_len, uint32_t dst,
                      uint32_t src, uint32_t len) {
    if (!in_bounds(src, len, seg_len) || !in_bounds(dst, len, table->size))
        raise_trap(WASMC_TRAP_TABLE_OUT_OF_BOUNDS, CALLER_PC());
    if (len) memcpy(table->elems + dst, seg + src, len * sizeof(void *));
}

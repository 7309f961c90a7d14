/* WASI basics: args, environ, stdio, clocks, random, sched_yield, proc_raise, sockets on
 * non-sockets, bad pointers, proc_exit. Run by tests/test_wasi.py, differentially against
 * Wasmtime: everything printed must be deterministic. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

#define RAW(name, ...)                                                                       \
    __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))           \
    int32_t raw_##name(__VA_ARGS__)
RAW(proc_raise, int32_t);
RAW(fd_write, int32_t, int32_t, int32_t, int32_t);
RAW(args_sizes_get, int32_t, int32_t);
RAW(clock_time_get, int32_t, int64_t, int32_t);
RAW(random_get, int32_t, int32_t);
RAW(fd_read, int32_t, int32_t, int32_t, int32_t);

extern char **environ;

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int k = 0; k < argc; k++) printf("argv[%d]=\"%s\"\n", k, argv[k]);
    int n = 0;
    while (environ[n]) n++;
    qsort(environ, (size_t)n, sizeof *environ, cmp);
    for (int k = 0; k < n; k++) printf("env %s\n", environ[k]);
    const char *greeting = getenv("GREETING");
    printf("getenv GREETING=%s\n", greeting ? greeting : "(null)");

    /* stdin */
    char line[256];
    size_t total = 0;
    while (fgets(line, sizeof line, stdin)) {
        total += strlen(line);
        printf("stdin: %s", line);
    }
    printf("stdin bytes=%zu\n", total);

    /* clocks */
    struct timespec a, b, res;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (volatile int k = 0; k < 100000; k++) {}
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("monotonic ok=%d\n", (b.tv_sec > a.tv_sec) ||
                                     (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
    clock_gettime(CLOCK_REALTIME, &a);
    printf("realtime after 2020=%d\n", a.tv_sec > 1577836800);
    printf("res monotonic ok=%d\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 &&
                                        res.tv_sec == 0 && res.tv_nsec > 0);
    __wasi_timestamp_t t;
    printf("clock process=%d thread=%d\n",
           __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &t),
           __wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &t));

    /* random */
    unsigned char r1[32], r2[32];
    printf("random_get=%d %d\n", __wasi_random_get(r1, sizeof r1),
           __wasi_random_get(r2, sizeof r2));
    printf("random differ=%d\n", memcmp(r1, r2, sizeof r1) != 0);
    printf("random zero-length=%d\n", __wasi_random_get(r1, 0));

    printf("sched_yield=%d\n", __wasi_sched_yield());
    printf("proc_raise=%d\n", raw_proc_raise(6));

    /* sockets calls on non-sockets */
    __wasi_fd_t nfd;
    printf("sock_accept stdin=%d\n", __wasi_sock_accept(0, 0, &nfd));
    printf("sock_shutdown stdout=%d\n", __wasi_sock_shutdown(1, __WASI_SDFLAGS_WR));
    printf("sock_accept badfd=%d\n", __wasi_sock_accept(77, 0, &nfd));
    char sbuf[8];
    __wasi_iovec_t riov = {(uint8_t *)sbuf, sizeof sbuf};
    __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
    __wasi_size_t got = 0;
    __wasi_roflags_t roflags = 0;
    printf("sock_recv stdin=%d\n", __wasi_sock_recv(0, &riov, 1, 0, &got, &roflags));
    printf("sock_send stdout=%d\n", __wasi_sock_send(1, &siov, 1, 0, &got));

    /* poll_oneoff: stdout is writable at once */
    fflush(stdout);
    __wasi_subscription_t sub;
    memset(&sub, 0, sizeof sub);
    sub.userdata = 7;
    sub.u.tag = __WASI_EVENTTYPE_FD_WRITE;
    sub.u.u.fd_write.file_descriptor = 1;
    __wasi_event_t ev;
    __wasi_size_t nev = 0;
    __wasi_errno_t perr = __wasi_poll_oneoff(&sub, &ev, 1, &nev);
    printf("poll stdout=%d nev=%u ud=%llu type=%d error=%d\n", perr, nev,
           (unsigned long long)ev.userdata, ev.type, ev.error);

    printf("fd_read badfd=%d\n", raw_fd_read(99, 0, 0, 0));

    fprintf(stderr, "to stderr\n");
    fflush(stdout);
    int code = argc > 1 ? atoi(argv[1]) : 0;
    if (argc > 2 && strcmp(argv[2], "trap") == 0) __builtin_trap();
    /* bad guest pointers end the program (an error in Wasmtime, a trap here) */
    if (argc > 2 && strcmp(argv[2], "oob") == 0) raw_fd_write(1, 0x7ffffff0, 1, 0);
    if (argc > 2 && strcmp(argv[2], "oob2") == 0) raw_random_get(0x7fffff00, 0x1000);
    if (argc > 2 && strcmp(argv[2], "misaligned") == 0) raw_clock_time_get(1, 1, 0x1001);
    if (argc > 2 && strcmp(argv[2], "return") == 0) return code;
    exit(code);
}

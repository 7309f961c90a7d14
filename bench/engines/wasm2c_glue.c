/* wasmc bench: a minimal WASI (preview 1) host for modules translated by wasm2c.
 *
 * The benchmark programs are wasi-libc command modules that only print to stdout/stderr and
 * read their arguments, so this implements just the imports they use: args_get,
 * args_sizes_get, fd_write (stdout and stderr), fd_fdstat_get, fd_seek (always ESPIPE),
 * fd_close and proc_exit. The module is translated with `wasm2c -n app`, so its header is
 * app.h and its functions are w2c_app_*. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

#define WASI_ESUCCESS 0
#define WASI_EBADF 8
#define WASI_EFAULT 21
#define WASI_ESPIPE 70

struct w2c_wasi__snapshot__preview1 {
    wasm_rt_memory_t *memory;
    int argc;
    char **argv;
};

static int in_bounds(const struct w2c_wasi__snapshot__preview1 *w, u64 addr, u64 len) {
    return addr + len <= w->memory->size;
}

static void store_u32(struct w2c_wasi__snapshot__preview1 *w, u32 addr, u32 value) {
    memcpy(w->memory->data + addr, &value, 4); /* little-endian host */
}

static u32 load_u32(struct w2c_wasi__snapshot__preview1 *w, u32 addr) {
    u32 value;
    memcpy(&value, w->memory->data + addr, 4);
    return value;
}

u32 w2c_wasi__snapshot__preview1_args_sizes_get(struct w2c_wasi__snapshot__preview1 *w,
                                                u32 argc_ptr, u32 size_ptr) {
    u32 size = 0;
    for (int i = 0; i < w->argc; i++)
        size += (u32)strlen(w->argv[i]) + 1;
    if (!in_bounds(w, argc_ptr, 4) || !in_bounds(w, size_ptr, 4))
        return WASI_EFAULT;
    store_u32(w, argc_ptr, (u32)w->argc);
    store_u32(w, size_ptr, size);
    return WASI_ESUCCESS;
}

u32 w2c_wasi__snapshot__preview1_args_get(struct w2c_wasi__snapshot__preview1 *w, u32 argv_ptr,
                                          u32 buf_ptr) {
    for (int i = 0; i < w->argc; i++) {
        u32 len = (u32)strlen(w->argv[i]) + 1;
        if (!in_bounds(w, argv_ptr + 4u * (u32)i, 4) || !in_bounds(w, buf_ptr, len))
            return WASI_EFAULT;
        store_u32(w, argv_ptr + 4u * (u32)i, buf_ptr);
        memcpy(w->memory->data + buf_ptr, w->argv[i], len);
        buf_ptr += len;
    }
    return WASI_ESUCCESS;
}

u32 w2c_wasi__snapshot__preview1_fd_write(struct w2c_wasi__snapshot__preview1 *w, u32 fd,
                                          u32 iovs, u32 iovs_len, u32 nwritten_ptr) {
    if (fd != 1 && fd != 2)
        return WASI_EBADF;
    u32 total = 0;
    for (u32 i = 0; i < iovs_len; i++) {
        if (!in_bounds(w, iovs + 8u * i, 8))
            return WASI_EFAULT;
        u32 buf = load_u32(w, iovs + 8u * i), len = load_u32(w, iovs + 8u * i + 4);
        if (!in_bounds(w, buf, len))
            return WASI_EFAULT;
        const uint8_t *p = w->memory->data + buf;
        while (len > 0) {
            ssize_t n = write((int)fd, p, len);
            if (n <= 0)
                return WASI_EBADF;
            p += n;
            len -= (u32)n;
            total += (u32)n;
        }
    }
    if (!in_bounds(w, nwritten_ptr, 4))
        return WASI_EFAULT;
    store_u32(w, nwritten_ptr, total);
    return WASI_ESUCCESS;
}

u32 w2c_wasi__snapshot__preview1_fd_fdstat_get(struct w2c_wasi__snapshot__preview1 *w, u32 fd,
                                               u32 buf) {
    if (fd > 2)
        return WASI_EBADF;
    if (!in_bounds(w, buf, 24))
        return WASI_EFAULT;
    memset(w->memory->data + buf, 0, 24);
    w->memory->data[buf] = 2; /* filetype: character device */
    uint64_t rights = (1u << 3) | (1u << 6); /* fd_read | fd_write (as wasi-libc checks) */
    memcpy(w->memory->data + buf + 8, &rights, 8);
    memcpy(w->memory->data + buf + 16, &rights, 8);
    return WASI_ESUCCESS;
}

u32 w2c_wasi__snapshot__preview1_fd_seek(struct w2c_wasi__snapshot__preview1 *w, u32 fd,
                                         u64 offset, u32 whence, u32 result_ptr) {
    (void)w, (void)fd, (void)offset, (void)whence, (void)result_ptr;
    return WASI_ESPIPE;
}

u32 w2c_wasi__snapshot__preview1_fd_close(struct w2c_wasi__snapshot__preview1 *w, u32 fd) {
    (void)w, (void)fd;
    return WASI_ESUCCESS;
}

void w2c_wasi__snapshot__preview1_proc_exit(struct w2c_wasi__snapshot__preview1 *w, u32 code) {
    (void)w;
    fflush(stdout);
    _exit((int)code);
}

int main(int argc, char **argv) {
    wasm_rt_init();
    struct w2c_wasi__snapshot__preview1 wasi = {NULL, argc, argv};
    w2c_app app;
    wasm2c_app_instantiate(&app, &wasi);
    wasi.memory = w2c_app_memory(&app);
    w2c_app_0x5Fstart(&app);
    wasm2c_app_free(&app);
    wasm_rt_free();
    return 0;
}

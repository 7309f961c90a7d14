/* wasi.h — WASI preview 1 (wasi_snapshot_preview1) for native executables.
 *
 * Every WASI function is a C function with the native signature of its Wasm import, taking a
 * `wasi_ctx *` as env: `uint32_t wasi_fd_write(void *env, uint32_t fd, uint32_t iovs,
 * uint32_t iovs_len, uint32_t nwritten)`. A standalone executable's `main` creates one
 * context from its command line (wasi_ctx_new, wasi_ctx_preopen), points the module's
 * `wasi_snapshot_preview1` imports at these functions with env = the context, instantiates
 * the module, sets `ctx->mem` to its exported memory and calls `_start`.
 *
 * The sandbox: the program sees the host only through file descriptors. Paths are always
 * resolved beneath a directory descriptor (openat2 with RESOLVE_BENEATH, or a component-by-
 * component walk that follows symlinks itself): `..`, absolute paths and symlinks that lead
 * outside it fail with `perm`, as in Wasmtime. See docs/wasi.md.
 */
#ifndef WASMC_WASI_H
#define WASMC_WASI_H

#include "wasmc.h"

typedef struct wasi_fd_entry {
    int host;             /* the host descriptor, or -1: free slot */
    uint8_t filetype;     /* WASI filetype */
    uint8_t preopen;      /* a preopened directory */
    uint8_t close_host;   /* close `host` when closed (not for stdio) */
    char *name;           /* the guest name of a preopened directory */
    uint64_t rights_base, rights_inheriting;
} wasi_fd_entry;

typedef struct wasi_ctx {
    wasmc_memory *mem; /* the instance's exported "memory" (NULL: none) */
    uint32_t argc, envc;
    char **argv, **envp;
    wasi_fd_entry *fds;
    uint32_t nfds, cap;
    uint32_t *free; /* freed slots, reused last in, first out */
    uint32_t nfree, free_cap;
    int exit_traps; /* proc_exit traps instead of ending the process (wasi_ctx_embed) */
} wasi_ctx;

/* A context with fds 0-2 bound to the host's stdin, stdout and stderr. argv and envp are
 * copied. Returns NULL when out of memory. */
wasi_ctx *wasi_ctx_new(int argc, char *const *argv, int envc, char *const *envp);
/* Preopens the host directory `host_path` under the guest name `guest_path` as the next fd.
 * Returns 0, or an errno value (host's) when the directory can't be opened. */
int wasi_ctx_preopen(wasi_ctx *ctx, const char *host_path, const char *guest_path);
/* Listens on the TCP address `host:port` (IPv4 or IPv6 literal, or a name) and adds the
 * listening socket as the next fd, for sock_accept (like Wasmtime's --tcplisten). Returns
 * 0, or a host errno value. */
int wasi_ctx_listen(wasi_ctx *ctx, const char *host, const char *port);
void wasi_ctx_free(wasi_ctx *ctx);

/* For hosts that run programs inside their own process (the Python API): after
 * wasi_ctx_embed, proc_exit does not end the process but traps with the message
 * WASI_EXIT_MESSAGE, and wasi_exit_status() (per thread) gives the status it was called
 * with. wasi_ctx_set_stdio makes the guest's fd 0, 1 or 2 the host descriptor `host_fd`
 * (closed with the context); returns 0, or EBADF for another fd. */
#define WASI_EXIT_MESSAGE "wasi proc_exit"
void wasi_ctx_embed(wasi_ctx *ctx);
int wasi_exit_status(void);
int wasi_ctx_set_stdio(wasi_ctx *ctx, uint32_t fd, int host_fd);

/* Set when proc_exit ran with a status outside [0, 126): the exit is reported as an error. */
#define WASI_EXIT_INVALID_STATUS 1

#define WASI_FN(name, ...) uint32_t wasi_##name(void *env, ##__VA_ARGS__)
WASI_FN(args_get, uint32_t argv, uint32_t argv_buf);
WASI_FN(args_sizes_get, uint32_t argc, uint32_t argv_buf_size);
WASI_FN(environ_get, uint32_t environ, uint32_t environ_buf);
WASI_FN(environ_sizes_get, uint32_t count, uint32_t buf_size);
WASI_FN(clock_res_get, uint32_t id, uint32_t resolution);
WASI_FN(clock_time_get, uint32_t id, uint64_t precision, uint32_t time);
WASI_FN(fd_advise, uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice);
WASI_FN(fd_allocate, uint32_t fd, uint64_t offset, uint64_t len);
WASI_FN(fd_close, uint32_t fd);
WASI_FN(fd_datasync, uint32_t fd);
WASI_FN(fd_fdstat_get, uint32_t fd, uint32_t stat);
WASI_FN(fd_fdstat_set_flags, uint32_t fd, uint32_t flags);
WASI_FN(fd_fdstat_set_rights, uint32_t fd, uint64_t base, uint64_t inheriting);
WASI_FN(fd_filestat_get, uint32_t fd, uint32_t buf);
WASI_FN(fd_filestat_set_size, uint32_t fd, uint64_t size);
WASI_FN(fd_filestat_set_times, uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t flags);
WASI_FN(fd_pread, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint64_t offset,
        uint32_t nread);
WASI_FN(fd_prestat_get, uint32_t fd, uint32_t buf);
WASI_FN(fd_prestat_dir_name, uint32_t fd, uint32_t path, uint32_t path_len);
WASI_FN(fd_pwrite, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint64_t offset,
        uint32_t nwritten);
WASI_FN(fd_read, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nread);
WASI_FN(fd_readdir, uint32_t fd, uint32_t buf, uint32_t buf_len, uint64_t cookie,
        uint32_t bufused);
WASI_FN(fd_renumber, uint32_t fd, uint32_t to);
WASI_FN(fd_seek, uint32_t fd, uint64_t offset, uint32_t whence, uint32_t newoffset);
WASI_FN(fd_sync, uint32_t fd);
WASI_FN(fd_tell, uint32_t fd, uint32_t offset);
WASI_FN(fd_write, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nwritten);
WASI_FN(path_create_directory, uint32_t fd, uint32_t path, uint32_t path_len);
WASI_FN(path_filestat_get, uint32_t fd, uint32_t flags, uint32_t path, uint32_t path_len,
        uint32_t buf);
WASI_FN(path_filestat_set_times, uint32_t fd, uint32_t flags, uint32_t path,
        uint32_t path_len, uint64_t atim, uint64_t mtim, uint32_t fst_flags);
WASI_FN(path_link, uint32_t old_fd, uint32_t old_flags, uint32_t old_path,
        uint32_t old_path_len, uint32_t new_fd, uint32_t new_path, uint32_t new_path_len);
WASI_FN(path_open, uint32_t fd, uint32_t dirflags, uint32_t path, uint32_t path_len,
        uint32_t oflags, uint64_t rights_base, uint64_t rights_inheriting, uint32_t fdflags,
        uint32_t opened_fd);
WASI_FN(path_readlink, uint32_t fd, uint32_t path, uint32_t path_len, uint32_t buf,
        uint32_t buf_len, uint32_t bufused);
WASI_FN(path_remove_directory, uint32_t fd, uint32_t path, uint32_t path_len);
WASI_FN(path_rename, uint32_t fd, uint32_t old_path, uint32_t old_path_len, uint32_t new_fd,
        uint32_t new_path, uint32_t new_path_len);
WASI_FN(path_symlink, uint32_t old_path, uint32_t old_path_len, uint32_t fd,
        uint32_t new_path, uint32_t new_path_len);
WASI_FN(path_unlink_file, uint32_t fd, uint32_t path, uint32_t path_len);
WASI_FN(poll_oneoff, uint32_t in, uint32_t out, uint32_t nsubscriptions, uint32_t nevents);
WASI_FN(proc_raise, uint32_t sig);
WASI_FN(sched_yield);
WASI_FN(random_get, uint32_t buf, uint32_t buf_len);
WASI_FN(sock_accept, uint32_t fd, uint32_t flags, uint32_t result_fd);
WASI_FN(sock_recv, uint32_t fd, uint32_t ri_data, uint32_t ri_data_len, uint32_t ri_flags,
        uint32_t ro_datalen, uint32_t ro_flags);
WASI_FN(sock_send, uint32_t fd, uint32_t si_data, uint32_t si_data_len, uint32_t si_flags,
        uint32_t so_datalen);
WASI_FN(sock_shutdown, uint32_t fd, uint32_t how);
#undef WASI_FN
WASMC_NORETURN void wasi_proc_exit(void *env, uint32_t code);

#endif /* WASMC_WASI_H */

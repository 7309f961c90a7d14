/* wasi.c — wasi_snapshot_preview1 on Linux/POSIX. See wasi.h and docs/wasi.md.
 *
 * Conventions: every function checks its guest pointers against the memory's current size
 * and their alignment before touching the host; a bad pointer is a bug in the program, and,
 * as in Wasmtime (whose wiggle layer raises an error that ends the program), it traps:
 * "out of bounds memory access" or "unaligned pointer in a WASI call", reported in the Wasm
 * function that made the call (ENTER); host errors become WASI errno values through one
 * table (wasi_errno); nothing here aborts the process except proc_exit. */
#define _GNU_SOURCE
#include "wasi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---- WASI constants ------------------------------------------------------------------- */

enum {
    E_SUCCESS = 0, E_2BIG = 1, E_ACCES = 2, E_ADDRINUSE = 3, E_ADDRNOTAVAIL = 4,
    E_AFNOSUPPORT = 5, E_AGAIN = 6, E_ALREADY = 7, E_BADF = 8, E_BADMSG = 9, E_BUSY = 10,
    E_CANCELED = 11, E_CHILD = 12, E_CONNABORTED = 13, E_CONNREFUSED = 14, E_CONNRESET = 15,
    E_DEADLK = 16, E_DESTADDRREQ = 17, E_DOM = 18, E_DQUOT = 19, E_EXIST = 20, E_FAULT = 21,
    E_FBIG = 22, E_HOSTUNREACH = 23, E_IDRM = 24, E_ILSEQ = 25, E_INPROGRESS = 26,
    E_INTR = 27, E_INVAL = 28, E_IO = 29, E_ISCONN = 30, E_ISDIR = 31, E_LOOP = 32,
    E_MFILE = 33, E_MLINK = 34, E_MSGSIZE = 35, E_MULTIHOP = 36, E_NAMETOOLONG = 37,
    E_NETDOWN = 38, E_NETRESET = 39, E_NETUNREACH = 40, E_NFILE = 41, E_NOBUFS = 42,
    E_NODEV = 43, E_NOENT = 44, E_NOEXEC = 45, E_NOLCK = 46, E_NOLINK = 47, E_NOMEM = 48,
    E_NOMSG = 49, E_NOPROTOOPT = 50, E_NOSPC = 51, E_NOSYS = 52, E_NOTCONN = 53,
    E_NOTDIR = 54, E_NOTEMPTY = 55, E_NOTRECOVERABLE = 56, E_NOTSOCK = 57, E_NOTSUP = 58,
    E_NOTTY = 59, E_NXIO = 60, E_OVERFLOW = 61, E_OWNERDEAD = 62, E_PERM = 63, E_PIPE = 64,
    E_PROTO = 65, E_PROTONOSUPPORT = 66, E_PROTOTYPE = 67, E_RANGE = 68, E_ROFS = 69,
    E_SPIPE = 70, E_SRCH = 71, E_STALE = 72, E_TIMEDOUT = 73, E_TXTBSY = 74, E_XDEV = 75,
    E_NOTCAPABLE = 76
};

/* What a path that leads outside its directory fails with (Wasmtime/cap-std: `perm`). */
#define E_ESCAPE E_PERM

enum {
    FT_UNKNOWN = 0, FT_BLOCK = 1, FT_CHAR = 2, FT_DIR = 3, FT_REG = 4, FT_DGRAM = 5,
    FT_STREAM = 6, FT_SYMLINK = 7
};

#define FDFLAG_APPEND 1u
#define FDFLAG_DSYNC 2u
#define FDFLAG_NONBLOCK 4u
#define FDFLAG_RSYNC 8u
#define FDFLAG_SYNC 16u

#define OFLAG_CREAT 1u
#define OFLAG_DIRECTORY 2u
#define OFLAG_EXCL 4u
#define OFLAG_TRUNC 8u

#define LOOKUP_SYMLINK_FOLLOW 1u

#define R_FD_DATASYNC (1ull << 0)
#define R_FD_READ (1ull << 1)
#define R_FD_SEEK (1ull << 2)
#define R_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define R_FD_SYNC (1ull << 4)
#define R_FD_TELL (1ull << 5)
#define R_FD_WRITE (1ull << 6)
#define R_FD_ADVISE (1ull << 7)
#define R_FD_ALLOCATE (1ull << 8)
#define R_FD_READDIR (1ull << 14)
#define R_FD_FILESTAT_SET_SIZE (1ull << 22)
#define R_ALL ((1ull << 30) - 1)

#define FST_ATIM 1u
#define FST_ATIM_NOW 2u
#define FST_MTIM 4u
#define FST_MTIM_NOW 8u

#define MAX_SYMLINKS 40

/* ---- errno ---------------------------------------------------------------------------- */

static uint32_t wasi_errno(int e) {
    switch (e) {
    case 0: return E_SUCCESS;
    case E2BIG: return E_2BIG;
    case EACCES: return E_ACCES;
    case EADDRINUSE: return E_ADDRINUSE;
    case EADDRNOTAVAIL: return E_ADDRNOTAVAIL;
    case EAFNOSUPPORT: return E_AFNOSUPPORT;
    case EAGAIN: return E_AGAIN;
    case EALREADY: return E_ALREADY;
    case EBADF: return E_BADF;
    case EBADMSG: return E_BADMSG;
    case EBUSY: return E_BUSY;
    case ECANCELED: return E_CANCELED;
    case ECHILD: return E_CHILD;
    case ECONNABORTED: return E_CONNABORTED;
    case ECONNREFUSED: return E_CONNREFUSED;
    case ECONNRESET: return E_CONNRESET;
    case EDEADLK: return E_DEADLK;
    case EDESTADDRREQ: return E_DESTADDRREQ;
    case EDOM: return E_DOM;
    case EDQUOT: return E_DQUOT;
    case EEXIST: return E_EXIST;
    case EFAULT: return E_FAULT;
    case EFBIG: return E_FBIG;
    case EHOSTUNREACH: return E_HOSTUNREACH;
    case EIDRM: return E_IDRM;
    case EILSEQ: return E_ILSEQ;
    case EINPROGRESS: return E_INPROGRESS;
    case EINTR: return E_INTR;
    case EINVAL: return E_INVAL;
    case EIO: return E_IO;
    case EISCONN: return E_ISCONN;
    case EISDIR: return E_ISDIR;
    case ELOOP: return E_LOOP;
    case EMFILE: return E_MFILE;
    case EMLINK: return E_MLINK;
    case EMSGSIZE: return E_MSGSIZE;
    case EMULTIHOP: return E_MULTIHOP;
    case ENAMETOOLONG: return E_NAMETOOLONG;
    case ENETDOWN: return E_NETDOWN;
    case ENETRESET: return E_NETRESET;
    case ENETUNREACH: return E_NETUNREACH;
    case ENFILE: return E_NFILE;
    case ENOBUFS: return E_NOBUFS;
    case ENODEV: return E_NODEV;
    case ENOENT: return E_NOENT;
    case ENOEXEC: return E_NOEXEC;
    case ENOLCK: return E_NOLCK;
    case ENOLINK: return E_NOLINK;
    case ENOMEM: return E_NOMEM;
    case ENOMSG: return E_NOMSG;
    case ENOPROTOOPT: return E_NOPROTOOPT;
    case ENOSPC: return E_NOSPC;
    case ENOSYS: return E_NOSYS;
    case ENOTCONN: return E_NOTCONN;
    case ENOTDIR: return E_NOTDIR;
    case ENOTEMPTY: return E_NOTEMPTY;
    case ENOTRECOVERABLE: return E_NOTRECOVERABLE;
    case ENOTSOCK: return E_NOTSOCK;
    case EOPNOTSUPP: return E_NOTSUP;
    case ENOTTY: return E_NOTTY;
    case ENXIO: return E_NXIO;
    case EOVERFLOW: return E_OVERFLOW;
    case EOWNERDEAD: return E_OWNERDEAD;
    case EPERM: return E_PERM;
    case EPIPE: return E_PIPE;
    case EPROTO: return E_PROTO;
    case EPROTONOSUPPORT: return E_PROTONOSUPPORT;
    case EPROTOTYPE: return E_PROTOTYPE;
    case ERANGE: return E_RANGE;
    case EROFS: return E_ROFS;
    case ESPIPE: return E_SPIPE;
    case ESRCH: return E_SRCH;
    case ESTALE: return E_STALE;
    case ETIMEDOUT: return E_TIMEDOUT;
    case ETXTBSY: return E_TXTBSY;
    case EXDEV: return E_XDEV;
    default: return E_IO;
    }
}

static uint32_t host_error(void) { return wasi_errno(errno); }

/* ---- guest memory --------------------------------------------------------------------- */

#define CTX ((wasi_ctx *)env)

/* The host address of guest range [off, off+len), or NULL when it is out of bounds. */
static uint8_t *gptr(const wasi_ctx *c, uint32_t off, uint64_t len) {
    if (!c->mem) return NULL;
    uint64_t size = c->mem->pages * (uint64_t)WASMC_PAGE_SIZE;
    if ((uint64_t)off + len > size) return NULL;
    return c->mem->base + off;
}

/* The return address of the WASI call in progress on this thread, saved by ENTER() first
 * thing in every wasi_* entry point. Compiled code calls those directly (wasmc_func.fn), so
 * it lies in the Wasm function that made the call: a trap raised here is reported there
 * (`in function NAME`, the function Wasmtime's backtrace starts with), not in this file.
 * One store per call, nothing on the way out: no WASI function calls back into Wasm or
 * another wasi_* entry point, so the value stays right until the call returns. */
static __thread const void *wasi_caller;
#define ENTER() (wasi_caller = __builtin_return_address(0))

WASMC_NORETURN static void fault(void) {
    wasmc_trap_at(WASMC_TRAP_MEMORY_OUT_OF_BOUNDS, NULL, wasi_caller);
}
WASMC_NORETURN static void misaligned(void) {
    wasmc_trap_at(WASMC_TRAP_HOST, "unaligned pointer in a WASI call", wasi_caller);
}

/* Checks a guest pointer to `len` bytes aligned to `align`; traps when it is bad. */
#define GUEST(var, off, len, align)                                                          \
    uint8_t *var = gptr(c, (off), (len));                                                    \
    do {                                                                                     \
        if ((off) % (align)) misaligned();                                                   \
        if (!var) fault();                                                                   \
    } while (0)

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* A guest string as a NUL-terminated host copy (malloc'd). */
static uint32_t guest_path(const wasi_ctx *c, uint32_t off, uint32_t len, char **out) {
    const uint8_t *p = gptr(c, off, len);
    if (!p) fault();
    if (memchr(p, 0, len)) return E_ILSEQ;
    char *s = malloc((size_t)len + 1);
    if (!s) return E_NOMEM;
    memcpy(s, p, len);
    s[len] = 0;
    *out = s;
    return E_SUCCESS;
}

/* Reads a guest iovec array into host iovecs (at most IOV_MAX). */
static uint32_t guest_iovs(const wasi_ctx *c, uint32_t iovs, uint32_t n, struct iovec **out) {
    if (iovs % 4) misaligned();
    const uint8_t *p = gptr(c, iovs, (uint64_t)n * 8);
    if (!p) fault();
    struct iovec *v = calloc(n ? n : 1, sizeof *v);
    if (!v) return E_NOMEM;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t buf = get32(p + 8 * k), len = get32(p + 8 * k + 4);
        uint8_t *b = gptr(c, buf, len);
        if (!b) { free(v); fault(); }
        v[k].iov_base = b;
        v[k].iov_len = len;
    }
    *out = v;
    return E_SUCCESS;
}

/* ---- the context and the fd table ----------------------------------------------------- */

static char **copy_strings(int n, char *const *src) {
    char **dst = calloc((size_t)n + 1, sizeof *dst);
    if (!dst) return NULL;
    for (int k = 0; k < n; k++) {
        dst[k] = strdup(src[k]);
        if (!dst[k]) return NULL;
    }
    return dst;
}

static uint8_t filetype_of_mode(mode_t m) {
    if (S_ISREG(m)) return FT_REG;
    if (S_ISDIR(m)) return FT_DIR;
    if (S_ISCHR(m)) return FT_CHAR;
    if (S_ISBLK(m)) return FT_BLOCK;
    if (S_ISLNK(m)) return FT_SYMLINK;
    if (S_ISSOCK(m)) return FT_STREAM;
    return FT_UNKNOWN;
}

static uint8_t filetype_of_fd(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return FT_UNKNOWN;
    if (S_ISSOCK(st.st_mode)) {
        int type = 0;
        socklen_t len = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM)
            return FT_DGRAM;
        return FT_STREAM;
    }
    return filetype_of_mode(st.st_mode);
}

/* A free slot: the most recently freed one (Wasmtime's table reuses slots last in, first
 * out), else a new one at the end; -1 when out of memory. */
static int64_t fd_alloc(wasi_ctx *c) {
    while (c->nfree) {
        uint32_t k = c->free[--c->nfree];
        if (k < c->nfds && c->fds[k].host < 0) return k;
    }
    if (c->nfds == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 16;
        wasi_fd_entry *fds = realloc(c->fds, cap * sizeof *fds);
        if (!fds) return -1;
        c->fds = fds;
        c->cap = cap;
    }
    memset(&c->fds[c->nfds], 0, sizeof c->fds[0]);
    c->fds[c->nfds].host = -1;
    return c->nfds++;
}

static wasi_fd_entry *fd_get(wasi_ctx *c, uint32_t fd) {
    if (fd >= c->nfds || c->fds[fd].host < 0) return NULL;
    return &c->fds[fd];
}

#define FD(var, fd)                                                                          \
    wasi_fd_entry *var = fd_get(c, (fd));                                                    \
    if (!var) return E_BADF

/* Marks slot `fd` free (after its entry was closed or moved away). */
static void fd_free_slot(wasi_ctx *c, uint32_t fd) {
    c->fds[fd].host = -1;
    c->fds[fd].preopen = 0;
    c->fds[fd].name = NULL;
    if (c->nfree == c->free_cap) {
        uint32_t cap = c->free_cap ? c->free_cap * 2 : 16;
        uint32_t *f = realloc(c->free, cap * sizeof *f);
        if (!f) return; /* the slot is only not reused */
        c->free = f;
        c->free_cap = cap;
    }
    c->free[c->nfree++] = fd;
}

static void fd_release(wasi_ctx *c, uint32_t fd) {
    wasi_fd_entry *e = &c->fds[fd];
    if (e->close_host) close(e->host);
    free(e->name);
    fd_free_slot(c, fd);
}

wasi_ctx *wasi_ctx_new(int argc, char *const *argv, int envc, char *const *envp) {
    wasi_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->argc = (uint32_t)argc;
    c->envc = (uint32_t)envc;
    c->argv = copy_strings(argc, argv);
    c->envp = copy_strings(envc, envp);
    if (!c->argv || !c->envp) return NULL;
    for (int k = 0; k < 3; k++) {
        int64_t fd = fd_alloc(c);
        if (fd < 0) return NULL;
        c->fds[fd].host = k;
        c->fds[fd].filetype = filetype_of_fd(k);
        c->fds[fd].rights_base = R_ALL;
        c->fds[fd].rights_inheriting = R_ALL;
    }
    return c;
}

int wasi_ctx_preopen(wasi_ctx *c, const char *host_path, const char *guest_path) {
    int fd = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int64_t slot = fd_alloc(c);
    char *name = strdup(guest_path);
    if (slot < 0 || !name) { close(fd); free(name); return ENOMEM; }
    wasi_fd_entry *e = &c->fds[slot];
    e->host = fd;
    e->filetype = FT_DIR;
    e->preopen = 1;
    e->close_host = 1;
    e->name = name;
    e->rights_base = R_ALL;
    e->rights_inheriting = R_ALL;
    return 0;
}

int wasi_ctx_listen(wasi_ctx *c, const char *host, const char *port) {
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int r = getaddrinfo(host, port, &hints, &res);
    if (r != 0) return r == EAI_SYSTEM ? errno : EINVAL;
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0) {
        int err = errno;
        if (fd >= 0) close(fd);
        freeaddrinfo(res);
        return err;
    }
    freeaddrinfo(res);
    int64_t slot = fd_alloc(c);
    if (slot < 0) { close(fd); return ENOMEM; }
    wasi_fd_entry *e = &c->fds[slot];
    e->host = fd;
    e->filetype = FT_STREAM;
    e->close_host = 1;
    e->rights_base = R_FD_READ | R_FD_WRITE | R_FD_FDSTAT_SET_FLAGS | (1ull << 27) |
                     (1ull << 28) | (1ull << 29);
    e->rights_inheriting = R_ALL;
    return 0;
}

void wasi_ctx_free(wasi_ctx *c) {
    if (!c) return;
    for (uint32_t k = 0; k < c->nfds; k++) {
        wasi_fd_entry *e = &c->fds[k];
        if (e->host >= 0 && e->close_host) close(e->host);
        if (e->host >= 0) free(e->name);
    }
    free(c->fds);
    free(c->free);
    for (uint32_t k = 0; c->argv && k < c->argc; k++) free(c->argv[k]);
    for (uint32_t k = 0; c->envp && k < c->envc; k++) free(c->envp[k]);
    free(c->argv);
    free(c->envp);
    free(c);
}

/* ---- path resolution beneath a directory ---------------------------------------------- */

/* A resolved path: perform the final operation as `*at(dir, name, ...)` without following
 * a symlink at `name` (any symlink that should be followed has been followed already). */
typedef struct resolved {
    int dir;           /* directory fd */
    int owned;         /* dir must be closed */
    char *name;        /* final component ("." for the directory itself); points into buf */
    char *buf;         /* storage */
    int trailing;      /* the path ended with '/' (the target must be a directory) */
} resolved;

static void resolved_free(resolved *r) {
    if (r->owned) close(r->dir);
    free(r->buf);
    r->owned = 0;
    r->buf = NULL;
}

/* Resolves `path` (len bytes of guest memory) beneath the directory of `fd`. With `follow`,
 * a symlink as the last component is followed (always within the directory). Every
 * intermediate directory is opened with O_NOFOLLOW, so a symlink swapped in concurrently
 * makes the walk fail instead of leaving the directory. */
static uint32_t resolve(wasi_ctx *c, uint32_t fd, uint32_t path_off, uint32_t path_len,
                        int follow, resolved *out) {
    memset(out, 0, sizeof *out);
    out->dir = -1;
    FD(e, fd);
    if (e->filetype != FT_DIR) return E_NOTDIR;
    char *path;
    uint32_t err = guest_path(c, path_off, path_len, &path);
    if (err) return err;
    if (path[0] == 0) { free(path); return E_NOENT; }
    if (path[0] == '/') { free(path); return E_ESCAPE; }
    int stack[256];
    int depth = 0; /* stack[0..depth) are opened subdirectories; the base is e->host */
    char *buf = path;
    size_t pos = 0;
    int links = 0;
    uint32_t result = E_SUCCESS;
    char *name = NULL;
    int trailing = 0;
    for (;;) {
        int top = depth ? stack[depth - 1] : e->host;
        while (buf[pos] == '/') pos++;
        if (buf[pos] == 0) { name = "."; trailing = 1; break; }
        size_t start = pos;
        while (buf[pos] && buf[pos] != '/') pos++;
        size_t end = pos;
        int slash_after = buf[pos] == '/';
        size_t q = pos;
        while (buf[q] == '/') q++;
        int has_more = buf[q] != 0;
        char saved = buf[end];
        buf[end] = 0;
        char *comp = buf + start;
        if (strcmp(comp, ".") == 0) {
            buf[end] = saved;
            if (!has_more) { name = "."; trailing = slash_after; break; }
            continue;
        }
        if (strcmp(comp, "..") == 0) {
            buf[end] = saved;
            if (depth == 0) { result = E_ESCAPE; break; }
            close(stack[--depth]);
            if (!has_more) { name = "."; trailing = slash_after; break; }
            continue;
        }
        if (!has_more && !follow && !slash_after) { name = comp; break; }
        struct stat st;
        if (fstatat(top, comp, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (!has_more && errno == ENOENT) { name = comp; trailing = slash_after; break; }
            result = host_error();
            buf[end] = saved;
            break;
        }
        if (S_ISLNK(st.st_mode)) {
            if (++links > MAX_SYMLINKS) { result = E_LOOP; break; }
            char target[PATH_MAX + 1];
            ssize_t n = readlinkat(top, comp, target, PATH_MAX);
            if (n < 0) { result = host_error(); break; }
            if (n == 0) { result = E_NOENT; break; }
            target[n] = 0;
            if (target[0] == '/') { result = E_ESCAPE; break; }
            buf[end] = saved;
            size_t rest = strlen(buf + end);
            char *nb = malloc((size_t)n + rest + 1);
            if (!nb) { result = E_NOMEM; break; }
            memcpy(nb, target, (size_t)n);
            memcpy(nb + n, buf + end, rest + 1);
            free(buf);
            buf = nb;
            pos = 0;
            continue;
        }
        if (!has_more) { name = comp; trailing = slash_after; break; }
        if (!S_ISDIR(st.st_mode)) { result = E_NOTDIR; break; }
        if (depth == (int)(sizeof stack / sizeof stack[0])) { result = E_NAMETOOLONG; break; }
        int sub = openat(top, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) { result = host_error(); break; }
        stack[depth++] = sub;
        buf[end] = saved;
    }
    for (int k = 0; k < depth - 1; k++) close(stack[k]);
    if (result != E_SUCCESS) {
        if (depth) close(stack[depth - 1]);
        free(buf);
        return result;
    }
    out->dir = depth ? stack[depth - 1] : e->host;
    out->owned = depth > 0;
    out->buf = buf;
    out->name = name;
    out->trailing = trailing;
    return E_SUCCESS;
}

/* ---- args, environ -------------------------------------------------------------------- */

static uint32_t strings_get(wasi_ctx *c, uint32_t n, char **strs, uint32_t ptrs,
                            uint32_t buf) {
    uint64_t total = 0;
    for (uint32_t k = 0; k < n; k++) total += strlen(strs[k]) + 1;
    GUEST(p, ptrs, (uint64_t)n * 4, 4);
    GUEST(b, buf, total, 1);
    uint32_t off = 0;
    for (uint32_t k = 0; k < n; k++) {
        size_t len = strlen(strs[k]) + 1;
        put32(p + 4 * k, buf + off);
        memcpy(b + off, strs[k], len);
        off += (uint32_t)len;
    }
    return E_SUCCESS;
}

static uint32_t sizes_get(wasi_ctx *c, uint32_t n, char **strs, uint32_t count,
                          uint32_t size) {
    uint64_t total = 0;
    for (uint32_t k = 0; k < n; k++) total += strlen(strs[k]) + 1;
    GUEST(pc, count, 4, 4);
    GUEST(ps, size, 4, 4);
    put32(pc, n);
    put32(ps, (uint32_t)total);
    return E_SUCCESS;
}

uint32_t wasi_args_get(void *env, uint32_t argv, uint32_t argv_buf) {
    ENTER();
    return strings_get(CTX, CTX->argc, CTX->argv, argv, argv_buf);
}
uint32_t wasi_args_sizes_get(void *env, uint32_t argc, uint32_t argv_buf_size) {
    ENTER();
    return sizes_get(CTX, CTX->argc, CTX->argv, argc, argv_buf_size);
}
uint32_t wasi_environ_get(void *env, uint32_t environ, uint32_t environ_buf) {
    ENTER();
    return strings_get(CTX, CTX->envc, CTX->envp, environ, environ_buf);
}
uint32_t wasi_environ_sizes_get(void *env, uint32_t count, uint32_t buf_size) {
    ENTER();
    return sizes_get(CTX, CTX->envc, CTX->envp, count, buf_size);
}

/* ---- clocks, random, process ---------------------------------------------------------- */

static int host_clock(uint32_t id, clockid_t *out) {
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return 1;
    case 1: *out = CLOCK_MONOTONIC; return 1;
    default: return 0; /* the CPU-time clocks (2, 3): unsupported, as in Wasmtime */
    }
}

static uint64_t ts_ns(const struct timespec *t) {
    return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

uint32_t wasi_clock_res_get(void *env, uint32_t id, uint32_t resolution) {
    ENTER();
    wasi_ctx *c = CTX;
    clockid_t cid;
    if (!host_clock(id, &cid)) return id <= 3 ? E_BADF : E_INVAL;
    GUEST(p, resolution, 8, 8);
    struct timespec t;
    if (clock_getres(cid, &t) != 0) return host_error();
    put64(p, ts_ns(&t));
    return E_SUCCESS;
}

uint32_t wasi_clock_time_get(void *env, uint32_t id, uint64_t precision, uint32_t time) {
    ENTER();
    wasi_ctx *c = CTX;
    (void)precision;
    clockid_t cid;
    if (!host_clock(id, &cid)) return id <= 3 ? E_BADF : E_INVAL;
    GUEST(p, time, 8, 8);
    struct timespec t;
    if (clock_gettime(cid, &t) != 0) return host_error();
    put64(p, ts_ns(&t));
    return E_SUCCESS;
}

uint32_t wasi_random_get(void *env, uint32_t buf, uint32_t buf_len) {
    ENTER();
    wasi_ctx *c = CTX;
    GUEST(p, buf, buf_len, 1);
    size_t done = 0;
    while (done < buf_len) {
        ssize_t n = getrandom(p + done, buf_len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return host_error();
        }
        done += (size_t)n;
    }
    return E_SUCCESS;
}

static __thread int exit_status = -1;

void wasi_ctx_embed(wasi_ctx *c) { c->exit_traps = 1; }

int wasi_exit_status(void) { return exit_status; }

int wasi_ctx_set_stdio(wasi_ctx *c, uint32_t fd, int host_fd) {
    if (fd > 2 || fd >= c->nfds) return EBADF;
    wasi_fd_entry *e = &c->fds[fd];
    if (e->host >= 0 && e->close_host) close(e->host);
    e->host = host_fd;
    e->filetype = filetype_of_fd(host_fd);
    e->close_host = 1;
    return 0;
}

void wasi_proc_exit(void *env, uint32_t code) {
    ENTER();
    if (CTX->exit_traps) {
        exit_status = (int)code;
        wasmc_trap_at(WASMC_TRAP_HOST, WASI_EXIT_MESSAGE, wasi_caller);
    }
    fflush(NULL);
    if (code >= 126) {
        /* Wasmtime refuses these statuses: an error, not an exit. */
        fprintf(stderr, "Error: exit with invalid exit status outside of [0..126)\n");
        _exit(WASI_EXIT_INVALID_STATUS);
    }
    _exit((int)code);
}

uint32_t wasi_proc_raise(void *env, uint32_t sig) {
    ENTER();
    (void)env;
    (void)sig;
    return E_NOTSUP;
}

uint32_t wasi_sched_yield(void *env) {
    ENTER();
    (void)env;
    sched_yield();
    return E_SUCCESS;
}

/* ---- fd calls ------------------------------------------------------------------------- */

uint32_t wasi_fd_advise(void *env, uint32_t fd, uint64_t offset, uint64_t len,
                        uint32_t advice) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    static const int host_advice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL,
                                      POSIX_FADV_RANDOM, POSIX_FADV_WILLNEED,
                                      POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (advice > 5) return E_INVAL;
    if (e->filetype == FT_DIR) return E_BADF;
    int r = posix_fadvise(e->host, (off_t)offset, (off_t)len, host_advice[advice]);
    return r == 0 || r == ESPIPE ? E_SUCCESS : wasi_errno(r);
}

uint32_t wasi_fd_allocate(void *env, uint32_t fd, uint64_t offset, uint64_t len) {
    ENTER();
    wasi_ctx *c = CTX;
    (void)offset;
    (void)len;
    FD(e, fd);
    (void)e;
    return E_NOTSUP; /* as Wasmtime: preview 1's fd_allocate is not supported */
}

uint32_t wasi_fd_close(void *env, uint32_t fd) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    (void)e;
    fd_release(c, fd);
    return E_SUCCESS;
}

uint32_t wasi_fd_datasync(void *env, uint32_t fd) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    if (fdatasync(e->host) != 0) {
        if (errno == EINVAL) return E_SUCCESS; /* pipes, ttys: nothing to sync */
        return host_error();
    }
    return E_SUCCESS;
}

uint32_t wasi_fd_sync(void *env, uint32_t fd) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    if (fsync(e->host) != 0) {
        if (errno == EINVAL) return E_SUCCESS;
        return host_error();
    }
    return E_SUCCESS;
}

static uint16_t host_fdflags(int fd) {
    int fl = fcntl(fd, F_GETFL);
    uint16_t r = 0;
    if (fl < 0) return 0;
    if (fl & O_APPEND) r |= FDFLAG_APPEND;
    if (fl & O_NONBLOCK) r |= FDFLAG_NONBLOCK;
#ifdef O_DSYNC
    if ((fl & O_SYNC) == O_SYNC) r |= FDFLAG_SYNC;
    else if (fl & O_DSYNC) r |= FDFLAG_DSYNC;
#endif
    return r;
}

uint32_t wasi_fd_fdstat_get(void *env, uint32_t fd, uint32_t stat) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    GUEST(p, stat, 24, 8);
    memset(p, 0, 24);
    p[0] = e->filetype;
    put16(p + 2, host_fdflags(e->host));
    put64(p + 8, e->rights_base);
    put64(p + 16, e->rights_inheriting);
    return E_SUCCESS;
}

uint32_t wasi_fd_fdstat_set_flags(void *env, uint32_t fd, uint32_t flags) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    if (flags & ~(FDFLAG_APPEND | FDFLAG_NONBLOCK | FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC))
        return E_INVAL;
    if (flags & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC)) return E_NOTSUP;
    int fl = fcntl(e->host, F_GETFL);
    if (fl < 0) return host_error();
    fl &= ~(O_APPEND | O_NONBLOCK);
    if (flags & FDFLAG_APPEND) fl |= O_APPEND;
    if (flags & FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
    if (fcntl(e->host, F_SETFL, fl) != 0) return host_error();
    return E_SUCCESS;
}

uint32_t wasi_fd_fdstat_set_rights(void *env, uint32_t fd, uint64_t base,
                                   uint64_t inheriting) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    (void)base;
    (void)inheriting;
    return E_NOTSUP; /* as Wasmtime: rights are not enforced, so they can't be dropped */
}

static void put_filestat(uint8_t *p, const struct stat *st) {
    memset(p, 0, 64);
    put64(p + 0, (uint64_t)st->st_dev);
    put64(p + 8, (uint64_t)st->st_ino);
    p[16] = filetype_of_mode(st->st_mode);
    put64(p + 24, (uint64_t)st->st_nlink);
    put64(p + 32, (uint64_t)st->st_size);
    put64(p + 40, ts_ns(&st->st_atim));
    put64(p + 48, ts_ns(&st->st_mtim));
    put64(p + 56, ts_ns(&st->st_ctim));
}

uint32_t wasi_fd_filestat_get(void *env, uint32_t fd, uint32_t buf) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    GUEST(p, buf, 64, 8);
    struct stat st;
    if (fstat(e->host, &st) != 0) return host_error();
    put_filestat(p, &st);
    if (S_ISSOCK(st.st_mode)) p[16] = e->filetype;
    return E_SUCCESS;
}

uint32_t wasi_fd_filestat_set_size(void *env, uint32_t fd, uint64_t size) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    if (size > INT64_MAX) return E_INVAL;
    if (ftruncate(e->host, (off_t)size) != 0) return host_error();
    return E_SUCCESS;
}

/* Host timespecs for utimensat/futimens from WASI timestamps and fst_flags. */
static uint32_t host_times(uint64_t atim, uint64_t mtim, uint32_t flags,
                           struct timespec t[2]) {
    if (flags & ~(FST_ATIM | FST_ATIM_NOW | FST_MTIM | FST_MTIM_NOW)) return E_INVAL;
    if ((flags & FST_ATIM) && (flags & FST_ATIM_NOW)) return E_INVAL;
    if ((flags & FST_MTIM) && (flags & FST_MTIM_NOW)) return E_INVAL;
    uint64_t v[2] = {atim, mtim};
    uint32_t set[2] = {FST_ATIM, FST_MTIM}, now[2] = {FST_ATIM_NOW, FST_MTIM_NOW};
    for (int k = 0; k < 2; k++) {
        if (flags & set[k]) {
            t[k].tv_sec = (time_t)(v[k] / 1000000000ull);
            t[k].tv_nsec = (long)(v[k] % 1000000000ull);
        } else {
            t[k].tv_sec = 0;
            t[k].tv_nsec = (flags & now[k]) ? UTIME_NOW : UTIME_OMIT;
        }
    }
    return E_SUCCESS;
}

uint32_t wasi_fd_filestat_set_times(void *env, uint32_t fd, uint64_t atim, uint64_t mtim,
                                    uint32_t flags) {
    ENTER();
    wasi_ctx *c = CTX;
    struct timespec t[2];
    uint32_t err = host_times(atim, mtim, flags, t);
    if (err) return err;
    FD(e, fd);
    if (futimens(e->host, t) != 0) return host_error();
    return E_SUCCESS;
}

static uint32_t rw(wasi_ctx *c, uint32_t fd, uint32_t iovs, uint32_t n, int is_write,
                   int positioned, uint64_t offset, uint32_t result) {
    FD(e, fd);
    GUEST(out, result, 4, 4);
    if (e->filetype == FT_DIR) return E_BADF; /* as Wasmtime */
    if (positioned && offset > INT64_MAX) return E_INVAL;
    struct iovec *v;
    uint32_t err = guest_iovs(c, iovs, n, &v);
    if (err) return err;
    /* Only the first non-empty buffer, as Wasmtime does: a short read or write that the
     * program must (and wasi-libc's stdio does) continue. */
    uint32_t first = 0;
    while (first + 1 < n && v[first].iov_len == 0) first++;
    void *base = n ? v[first].iov_base : NULL;
    size_t len = n ? v[first].iov_len : 0;
    free(v);
    ssize_t r;
    if (positioned)
        r = is_write ? pwrite(e->host, base, len, (off_t)offset)
                  : pread(e->host, base, len, (off_t)offset);
    else
        r = is_write ? (len ? write(e->host, base, len) : 0) : (len ? read(e->host, base, len) : 0);
    if (r < 0) return host_error();
    put32(out, (uint32_t)r);
    return E_SUCCESS;
}

uint32_t wasi_fd_read(void *env, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                      uint32_t nread) {
    ENTER();
    return rw(CTX, fd, iovs, iovs_len, 0, 0, 0, nread);
}
uint32_t wasi_fd_write(void *env, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint32_t nwritten) {
    ENTER();
    return rw(CTX, fd, iovs, iovs_len, 1, 0, 0, nwritten);
}
uint32_t wasi_fd_pread(void *env, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint64_t offset, uint32_t nread) {
    ENTER();
    return rw(CTX, fd, iovs, iovs_len, 0, 1, offset, nread);
}
uint32_t wasi_fd_pwrite(void *env, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint64_t offset, uint32_t nwritten) {
    ENTER();
    return rw(CTX, fd, iovs, iovs_len, 1, 1, offset, nwritten);
}

uint32_t wasi_fd_prestat_get(void *env, uint32_t fd, uint32_t buf) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    if (!e->preopen) return E_BADF;
    GUEST(p, buf, 8, 4);
    memset(p, 0, 8);
    put32(p + 4, (uint32_t)strlen(e->name));
    return E_SUCCESS;
}

uint32_t wasi_fd_prestat_dir_name(void *env, uint32_t fd, uint32_t path, uint32_t path_len) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    if (!e->preopen) return E_BADF;
    size_t len = strlen(e->name);
    if (path_len < len) return E_NAMETOOLONG;
    GUEST(p, path, len, 1);
    memcpy(p, e->name, len);
    return E_SUCCESS;
}

uint32_t wasi_fd_readdir(void *env, uint32_t fd, uint32_t buf, uint32_t buf_len,
                         uint64_t cookie, uint32_t bufused) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    GUEST(out, bufused, 4, 4);
    GUEST(p, buf, buf_len, 1);
    if (e->filetype != FT_DIR) return E_NOTDIR;
    /* A fresh descriptor each call (the guest's cookie is an entry index): "." and ".."
     * first, as Wasmtime lists them, then the host's entries in the host's order. */
    int dfd = openat(e->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return host_error();
    DIR *d = fdopendir(dfd);
    if (!d) { uint32_t err = host_error(); close(dfd); return err; }
    uint32_t used = 0;
    uint64_t index = 0;
    struct stat self;
    uint64_t self_ino = fstat(e->host, &self) == 0 ? (uint64_t)self.st_ino : 0;
    for (;;) {
        const char *name;
        uint64_t ino;
        uint8_t type;
        if (index == 0) { name = "."; ino = self_ino; type = FT_DIR; }
        else if (index == 1) {
            name = "..";
            struct stat parent;
            ino = fstatat(e->host, "..", &parent, 0) == 0 ? (uint64_t)parent.st_ino : 0;
            type = FT_DIR;
        } else {
            errno = 0;
            struct dirent *de = readdir(d);
            if (!de) break;
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
            name = de->d_name;
            ino = de->d_ino;
            switch (de->d_type) {
            case DT_REG: type = FT_REG; break;
            case DT_DIR: type = FT_DIR; break;
            case DT_LNK: type = FT_SYMLINK; break;
            case DT_CHR: type = FT_CHAR; break;
            case DT_BLK: type = FT_BLOCK; break;
            case DT_SOCK: type = FT_STREAM; break;
            default: {
                struct stat st;
                type = fstatat(e->host, name, &st, AT_SYMLINK_NOFOLLOW) == 0
                    ? filetype_of_mode(st.st_mode) : FT_UNKNOWN;
            }
            }
        }
        index++;
        if (index <= cookie) continue;
        uint8_t head[24] = {0};
        size_t namlen = strlen(name);
        put64(head, index);
        put64(head + 8, ino);
        put32(head + 16, (uint32_t)namlen);
        head[20] = type;
        uint32_t n = buf_len - used < 24 ? buf_len - used : 24;
        memcpy(p + used, head, n);
        used += n;
        if (used == buf_len) break;
        n = buf_len - used < namlen ? buf_len - used : (uint32_t)namlen;
        memcpy(p + used, name, n);
        used += n;
        if (used == buf_len) break;
    }
    closedir(d);
    put32(out, used);
    return E_SUCCESS;
}

uint32_t wasi_fd_renumber(void *env, uint32_t fd, uint32_t to) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(from, fd);
    FD(target, to);
    if (fd == to) return E_SUCCESS;
    if (target->close_host) close(target->host);
    free(target->name);
    *target = *from;
    fd_free_slot(c, fd);
    return E_SUCCESS;
}

uint32_t wasi_fd_seek(void *env, uint32_t fd, uint64_t offset, uint32_t whence,
                      uint32_t newoffset) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    GUEST(p, newoffset, 8, 8);
    int w;
    switch (whence) {
    case 0: w = SEEK_SET; break;
    case 1: w = SEEK_CUR; break;
    case 2: w = SEEK_END; break;
    default: return E_INVAL;
    }
    if (e->filetype == FT_DIR) return E_BADF;
    off_t r = lseek(e->host, (off_t)(int64_t)offset, w);
    if (r < 0) return host_error();
    put64(p, (uint64_t)r);
    return E_SUCCESS;
}

uint32_t wasi_fd_tell(void *env, uint32_t fd, uint32_t offset) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    GUEST(p, offset, 8, 8);
    if (e->filetype == FT_DIR) return E_BADF;
    off_t r = lseek(e->host, 0, SEEK_CUR);
    if (r < 0) return host_error();
    put64(p, (uint64_t)r);
    return E_SUCCESS;
}

/* ---- path calls ----------------------------------------------------------------------- */

#ifdef SYS_openat2
struct wasmc_open_how {
    uint64_t flags, mode, resolve;
};
#define WASMC_RESOLVE_NO_MAGICLINKS 0x02
#define WASMC_RESOLVE_BENEATH 0x08
static int openat2_state; /* 0: untried, 1: works, -1: unavailable */

/* openat2 with RESOLVE_BENEATH; returns -2 when the kernel lacks it. */
static int open_beneath(int dir, const char *path, int flags, mode_t mode) {
    if (openat2_state < 0) return -2;
    if (openat2_state == 0) {
        const char *no = getenv("WASMC_WASI_NO_OPENAT2");
        if (no && *no) { openat2_state = -1; return -2; }
    }
    struct wasmc_open_how how = {(uint64_t)(unsigned)flags, (flags & O_CREAT) ? mode : 0,
                                 WASMC_RESOLVE_BENEATH | WASMC_RESOLVE_NO_MAGICLINKS};
    int fd;
    do fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof how);
    while (fd < 0 && errno == EAGAIN);
    if (fd < 0 && (errno == ENOSYS || errno == EPERM) && openat2_state == 0) {
        openat2_state = -1; /* no openat2, or a seccomp filter denies it */
        return -2;
    }
    openat2_state = 1;
    return fd;
}
#else
static int open_beneath(int dir, const char *path, int flags, mode_t mode) {
    (void)dir; (void)path; (void)flags; (void)mode;
    return -2;
}
#endif

uint32_t wasi_path_open(void *env, uint32_t fd, uint32_t dirflags, uint32_t path,
                        uint32_t path_len, uint32_t oflags, uint64_t rights_base,
                        uint64_t rights_inheriting, uint32_t fdflags, uint32_t opened_fd) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(dir, fd);
    GUEST(out, opened_fd, 4, 4);
    if (dir->filetype != FT_DIR) return E_NOTDIR;
    if (oflags & ~(OFLAG_CREAT | OFLAG_DIRECTORY | OFLAG_EXCL | OFLAG_TRUNC)) return E_INVAL;
    int read = (rights_base & (R_FD_READ | R_FD_READDIR)) != 0;
    int write = (rights_base & (R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE)) != 0;
    int flags = O_CLOEXEC | O_NOCTTY;
    if (oflags & OFLAG_DIRECTORY) {
        flags |= O_DIRECTORY;
        if (oflags & (OFLAG_CREAT | OFLAG_TRUNC)) return E_INVAL;
        write = 0;
    }
    flags |= write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (oflags & OFLAG_CREAT) flags |= O_CREAT;
    if (oflags & OFLAG_EXCL) flags |= O_EXCL;
    if (oflags & OFLAG_TRUNC) flags |= O_TRUNC;
    if (fdflags & FDFLAG_APPEND) flags |= O_APPEND;
    if (fdflags & FDFLAG_NONBLOCK) flags |= O_NONBLOCK;
    /* Synchronous-I/O flags are refused, as in Wasmtime (its file API has no such mode). */
    if (fdflags & (FDFLAG_SYNC | FDFLAG_DSYNC | FDFLAG_RSYNC)) return E_NOTSUP;
    if (!(dirflags & LOOKUP_SYMLINK_FOLLOW)) flags |= O_NOFOLLOW;
    if ((oflags & OFLAG_CREAT) && (oflags & OFLAG_EXCL)) flags |= O_NOFOLLOW;

    int host = -1;
    char *p = NULL;
    uint32_t err = guest_path(c, path, path_len, &p);
    if (err) return err;
    if (p[0] == 0) { free(p); return E_NOENT; }
    if (p[0] == '/') { free(p); return E_ESCAPE; }
    host = open_beneath(dir->host, p, flags, 0666);
    free(p);
    if (host == -2) {
        /* No openat2: walk the path ourselves; the final open never follows a symlink. */
        resolved r;
        err = resolve(c, fd, path, path_len, (dirflags & LOOKUP_SYMLINK_FOLLOW) != 0, &r);
        if (err) return err;
        int f = flags | O_NOFOLLOW;
        if (r.trailing) f |= O_DIRECTORY;
        host = openat(r.dir, r.name, f, 0666);
        if (host < 0) err = host_error();
        resolved_free(&r);
        if (host < 0) return err;
    } else if (host < 0) {
        if (errno == EXDEV) return E_ESCAPE;
        if (errno == EISDIR && write && !(oflags & OFLAG_CREAT)) return E_ISDIR;
        return host_error();
    }
    int64_t slot = fd_alloc(c);
    if (slot < 0) { close(host); return E_NOMEM; }
    wasi_fd_entry *e = &c->fds[slot];
    e->host = host;
    e->filetype = filetype_of_fd(host);
    e->preopen = 0;
    e->close_host = 1;
    e->name = NULL;
    e->rights_base = rights_base;
    e->rights_inheriting = rights_inheriting;
    put32(out, (uint32_t)slot);
    return E_SUCCESS;
}

uint32_t wasi_path_create_directory(void *env, uint32_t fd, uint32_t path,
                                    uint32_t path_len) {
    ENTER();
    wasi_ctx *c = CTX;
    resolved r;
    uint32_t err = resolve(c, fd, path, path_len, 0, &r);
    if (err) return err;
    if (mkdirat(r.dir, r.name, 0777) != 0) err = host_error();
    resolved_free(&r);
    return err;
}

uint32_t wasi_path_remove_directory(void *env, uint32_t fd, uint32_t path,
                                    uint32_t path_len) {
    ENTER();
    wasi_ctx *c = CTX;
    resolved r;
    uint32_t err = resolve(c, fd, path, path_len, 0, &r);
    if (err) return err;
    if (unlinkat(r.dir, r.name, AT_REMOVEDIR) != 0) {
        err = host_error();
        if (errno == EEXIST) err = E_NOTEMPTY;
    }
    resolved_free(&r);
    return err;
}

uint32_t wasi_path_unlink_file(void *env, uint32_t fd, uint32_t path, uint32_t path_len) {
    ENTER();
    wasi_ctx *c = CTX;
    resolved r;
    uint32_t err = resolve(c, fd, path, path_len, 0, &r);
    if (err) return err;
    struct stat st;
    if (r.trailing) {
        err = fstatat(r.dir, r.name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)
            ? E_ISDIR : E_NOTDIR;
        if (fstatat(r.dir, r.name, &st, AT_SYMLINK_NOFOLLOW) != 0) err = host_error();
    } else if (unlinkat(r.dir, r.name, 0) != 0) {
        err = host_error();
    }
    resolved_free(&r);
    return err;
}

uint32_t wasi_path_filestat_get(void *env, uint32_t fd, uint32_t flags, uint32_t path,
                                uint32_t path_len, uint32_t buf) {
    ENTER();
    wasi_ctx *c = CTX;
    GUEST(p, buf, 64, 8);
    resolved r;
    uint32_t err = resolve(c, fd, path, path_len, (flags & LOOKUP_SYMLINK_FOLLOW) != 0, &r);
    if (err) return err;
    struct stat st;
    if (fstatat(r.dir, r.name, &st, AT_SYMLINK_NOFOLLOW) != 0) err = host_error();
    else if (r.trailing && !S_ISDIR(st.st_mode)) err = E_NOTDIR;
    else put_filestat(p, &st);
    resolved_free(&r);
    return err;
}

uint32_t wasi_path_filestat_set_times(void *env, uint32_t fd, uint32_t flags, uint32_t path,
                                      uint32_t path_len, uint64_t atim, uint64_t mtim,
                                      uint32_t fst_flags) {
    ENTER();
    wasi_ctx *c = CTX;
    struct timespec t[2];
    uint32_t err = host_times(atim, mtim, fst_flags, t);
    if (err) return err;
    resolved r;
    err = resolve(c, fd, path, path_len, (flags & LOOKUP_SYMLINK_FOLLOW) != 0, &r);
    if (err) return err;
    if (utimensat(r.dir, r.name, t, AT_SYMLINK_NOFOLLOW) != 0) err = host_error();
    resolved_free(&r);
    return err;
}

uint32_t wasi_path_link(void *env, uint32_t old_fd, uint32_t old_flags, uint32_t old_path,
                        uint32_t old_path_len, uint32_t new_fd, uint32_t new_path,
                        uint32_t new_path_len) {
    ENTER();
    wasi_ctx *c = CTX;
    resolved a, b;
    uint32_t err = resolve(c, old_fd, old_path, old_path_len,
                           (old_flags & LOOKUP_SYMLINK_FOLLOW) != 0, &a);
    if (err) return err;
    err = resolve(c, new_fd, new_path, new_path_len, 0, &b);
    if (err) { resolved_free(&a); return err; }
    if (linkat(a.dir, a.name, b.dir, b.name, 0) != 0) err = host_error();
    resolved_free(&a);
    resolved_free(&b);
    return err;
}

uint32_t wasi_path_rename(void *env, uint32_t fd, uint32_t old_path, uint32_t old_path_len,
                          uint32_t new_fd, uint32_t new_path, uint32_t new_path_len) {
    ENTER();
    wasi_ctx *c = CTX;
    resolved a, b;
    uint32_t err = resolve(c, fd, old_path, old_path_len, 0, &a);
    if (err) return err;
    err = resolve(c, new_fd, new_path, new_path_len, 0, &b);
    if (err) { resolved_free(&a); return err; }
    if (renameat(a.dir, a.name, b.dir, b.name) != 0) err = host_error();
    resolved_free(&a);
    resolved_free(&b);
    return err;
}

uint32_t wasi_path_symlink(void *env, uint32_t old_path, uint32_t old_path_len, uint32_t fd,
                           uint32_t new_path, uint32_t new_path_len) {
    ENTER();
    wasi_ctx *c = CTX;
    char *target;
    uint32_t err = guest_path(c, old_path, old_path_len, &target);
    if (err) return err;
    if (target[0] == '/') { free(target); return E_ESCAPE; } /* as cap-std */
    resolved r;
    err = resolve(c, fd, new_path, new_path_len, 0, &r);
    if (err) { free(target); return err; }
    if (symlinkat(target, r.dir, r.name) != 0) err = host_error();
    free(target);
    resolved_free(&r);
    return err;
}

uint32_t wasi_path_readlink(void *env, uint32_t fd, uint32_t path, uint32_t path_len,
                            uint32_t buf, uint32_t buf_len, uint32_t bufused) {
    ENTER();
    wasi_ctx *c = CTX;
    GUEST(out, bufused, 4, 4);
    GUEST(p, buf, buf_len, 1);
    resolved r;
    uint32_t err = resolve(c, fd, path, path_len, 0, &r);
    if (err) return err;
    char target[PATH_MAX + 1];
    ssize_t n = readlinkat(r.dir, r.name, target, PATH_MAX);
    if (n < 0) err = host_error();
    resolved_free(&r);
    if (err) return err;
    uint32_t len = (uint64_t)n < buf_len ? (uint32_t)n : buf_len;
    memcpy(p, target, len);
    put32(out, len);
    return E_SUCCESS;
}

/* ---- poll_oneoff ---------------------------------------------------------------------- */

static int ioctl_available(int fd, int *avail) { return ioctl(fd, FIONREAD, avail) == 0; }

static uint64_t now_ns(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return ts_ns(&t);
}

uint32_t wasi_poll_oneoff(void *env, uint32_t in, uint32_t out, uint32_t nsubscriptions,
                          uint32_t nevents) {
    ENTER();
    wasi_ctx *c = CTX;
    if (nsubscriptions == 0) return E_INVAL;
    GUEST(subs, in, (uint64_t)nsubscriptions * 48, 8);
    GUEST(evs, out, (uint64_t)nsubscriptions * 32, 8);
    GUEST(nev, nevents, 4, 4);
    struct pollfd *pfds = calloc(nsubscriptions, sizeof *pfds);
    uint32_t *pidx = calloc(nsubscriptions, sizeof *pidx);
    if (!pfds || !pidx) { free(pfds); free(pidx); return E_NOMEM; }
    uint32_t npfds = 0, n = 0;
    int64_t timeout_ns = -1; /* -1: no clock subscription */
    uint32_t first_clock = UINT32_MAX;
    uint8_t ev[32];
    for (uint32_t k = 0; k < nsubscriptions; k++) {
        const uint8_t *s = subs + 48 * k;
        uint64_t userdata = get64(s);
        uint8_t tag = s[8];
        memset(ev, 0, sizeof ev);
        put64(ev, userdata);
        ev[10] = tag;
        if (tag == 0) {
            uint32_t id = get32(s + 16);
            uint64_t timeout = get64(s + 24);
            uint16_t flags = get16(s + 40);
            clockid_t cid;
            if (!host_clock(id, &cid)) {
                put16(ev + 8, E_INVAL);
                memcpy(evs + 32 * n++, ev, 32);
                continue;
            }
            int64_t rel;
            if (flags & 1) { /* absolute */
                uint64_t now = now_ns(cid);
                rel = timeout > now ? (int64_t)(timeout - now) : 0;
            } else {
                rel = timeout > INT64_MAX ? INT64_MAX : (int64_t)timeout;
            }
            if (timeout_ns < 0 || rel < timeout_ns) { timeout_ns = rel; first_clock = k; }
        } else if (tag == 1 || tag == 2) {
            uint32_t fd = get32(s + 16);
            wasi_fd_entry *e = fd_get(c, fd);
            if (!e) { /* the whole call fails, as in Wasmtime */
                free(pfds);
                free(pidx);
                return E_BADF;
            }
            if (e->filetype == FT_REG) { /* regular files are always ready */
                if (tag == 1) {
                    struct stat st;
                    off_t pos = lseek(e->host, 0, SEEK_CUR);
                    if (fstat(e->host, &st) == 0 && pos >= 0 && st.st_size > pos)
                        put64(ev + 16, (uint64_t)(st.st_size - pos));
                }
                memcpy(evs + 32 * n++, ev, 32);
                continue;
            }
            pfds[npfds].fd = e->host;
            pfds[npfds].events = tag == 1 ? POLLIN : POLLOUT;
            pidx[npfds++] = k;
        } else {
            put16(ev + 8, E_INVAL);
            memcpy(evs + 32 * n++, ev, 32);
        }
    }
    if (n == 0) {
        int ms;
        if (timeout_ns < 0) ms = -1;
        else ms = (int)((timeout_ns + 999999) / 1000000 > INT32_MAX
                        ? INT32_MAX : (timeout_ns + 999999) / 1000000);
        int r;
        if (npfds == 0 && timeout_ns >= 0) {
            struct timespec t = {(time_t)(timeout_ns / 1000000000), (long)(timeout_ns % 1000000000)};
            while (nanosleep(&t, &t) != 0 && errno == EINTR) {}
            r = 0;
        } else {
            do r = poll(pfds, npfds, ms);
            while (r < 0 && errno == EINTR);
        }
        if (r < 0) { free(pfds); free(pidx); return host_error(); }
        for (uint32_t j = 0; j < npfds; j++) {
            if (!pfds[j].revents) continue;
            const uint8_t *s = subs + 48 * pidx[j];
            memset(ev, 0, sizeof ev);
            put64(ev, get64(s));
            ev[10] = s[8];
            if (pfds[j].revents & POLLNVAL) put16(ev + 8, E_BADF);
            else if (pfds[j].revents & POLLERR) put16(ev + 8, E_IO);
            if (pfds[j].revents & POLLHUP) put16(ev + 24, 1); /* fd_readwrite hangup */
            if (s[8] == 1 && !(pfds[j].revents & (POLLNVAL | POLLERR))) {
                int avail = 0;
                if (ioctl_available(pfds[j].fd, &avail)) put64(ev + 16, (uint64_t)avail);
            }
            memcpy(evs + 32 * n++, ev, 32);
        }
        if (n == 0 && first_clock != UINT32_MAX) {
            const uint8_t *s = subs + 48 * first_clock;
            memset(ev, 0, sizeof ev);
            put64(ev, get64(s));
            ev[10] = 0;
            memcpy(evs + 32 * n++, ev, 32);
        }
    }
    free(pfds);
    free(pidx);
    put32(nev, n);
    return E_SUCCESS;
}

/* ---- sockets -------------------------------------------------------------------------- */

static int is_socket(const wasi_fd_entry *e) {
    return e->filetype == FT_STREAM || e->filetype == FT_DGRAM;
}

uint32_t wasi_sock_accept(void *env, uint32_t fd, uint32_t flags, uint32_t result_fd) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    GUEST(out, result_fd, 4, 4);
    if (!is_socket(e)) return E_NOTSOCK;
    if (flags & ~FDFLAG_NONBLOCK) return E_INVAL;
    int s = accept4(e->host, NULL, NULL,
                    SOCK_CLOEXEC | ((flags & FDFLAG_NONBLOCK) ? SOCK_NONBLOCK : 0));
    if (s < 0) return host_error();
    int64_t slot = fd_alloc(c);
    if (slot < 0) { close(s); return E_NOMEM; }
    wasi_fd_entry *n = &c->fds[slot];
    n->host = s;
    n->filetype = FT_STREAM;
    n->close_host = 1;
    n->rights_base = R_FD_READ | R_FD_WRITE | (1ull << 27) | (1ull << 28) | R_FD_FDSTAT_SET_FLAGS;
    n->rights_inheriting = 0;
    put32(out, (uint32_t)slot);
    return E_SUCCESS;
}

uint32_t wasi_sock_recv(void *env, uint32_t fd, uint32_t ri_data, uint32_t ri_data_len,
                        uint32_t ri_flags, uint32_t ro_datalen, uint32_t ro_flags) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    GUEST(len_out, ro_datalen, 4, 4);
    GUEST(flags_out, ro_flags, 2, 2);
    if (!is_socket(e)) return E_NOTSOCK;
    if (ri_flags & ~3u) return E_INVAL;
    struct iovec *v;
    uint32_t err = guest_iovs(c, ri_data, ri_data_len, &v);
    if (err) return err;
    struct msghdr msg = {0};
    msg.msg_iov = v;
    msg.msg_iovlen = ri_data_len > IOV_MAX ? IOV_MAX : ri_data_len;
    int fl = ((ri_flags & 1) ? MSG_PEEK : 0) | ((ri_flags & 2) ? MSG_WAITALL : 0);
    ssize_t r = recvmsg(e->host, &msg, fl);
    free(v);
    if (r < 0) return host_error();
    put32(len_out, (uint32_t)r);
    put16(flags_out, (msg.msg_flags & MSG_TRUNC) ? 1 : 0);
    return E_SUCCESS;
}

uint32_t wasi_sock_send(void *env, uint32_t fd, uint32_t si_data, uint32_t si_data_len,
                        uint32_t si_flags, uint32_t so_datalen) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    GUEST(len_out, so_datalen, 4, 4);
    if (!is_socket(e)) return E_NOTSOCK;
    if (si_flags) return E_INVAL;
    struct iovec *v;
    uint32_t err = guest_iovs(c, si_data, si_data_len, &v);
    if (err) return err;
    struct msghdr msg = {0};
    msg.msg_iov = v;
    msg.msg_iovlen = si_data_len > IOV_MAX ? IOV_MAX : si_data_len;
    ssize_t r = sendmsg(e->host, &msg, MSG_NOSIGNAL);
    free(v);
    if (r < 0) return host_error();
    put32(len_out, (uint32_t)r);
    return E_SUCCESS;
}

uint32_t wasi_sock_shutdown(void *env, uint32_t fd, uint32_t how) {
    ENTER();
    wasi_ctx *c = CTX;
    FD(e, fd);
    if (!is_socket(e)) return E_NOTSOCK;
    int h;
    switch (how) {
    case 1: h = SHUT_RD; break;
    case 2: h = SHUT_WR; break;
    case 3: h = SHUT_RDWR; break;
    default: return E_INVAL;
    }
    if (shutdown(e->host, h) != 0) return host_error();
    return E_SUCCESS;
}

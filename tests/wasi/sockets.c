/* sock_accept, sock_recv, sock_send, sock_shutdown, poll_oneoff on sockets: an echo server
 * on the listening socket that `--tcplisten` preopens as fd 3. It serves one connection:
 * checks that a non-blocking accept finds none, waits for it with poll_oneoff, receives one message, answers "echo: MESSAGE", shuts down
 * its side and closes. Run natively by tests/test_wasi.py (the wasmtime package has no
 * socket preopens), with a Python client. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(void) {
    __wasi_fdstat_t st;
    printf("fdstat=%d filetype=%d\n", __wasi_fd_fdstat_get(3, &st), st.fs_filetype);
    __wasi_fd_t conn;
    printf("set nonblock=%d\n", __wasi_fd_fdstat_set_flags(3, __WASI_FDFLAGS_NONBLOCK));
    __wasi_errno_t e = __wasi_sock_accept(3, 0, &conn);
    printf("accept nonblocking before a client=%d\n", e); /* again (6): no client yet */
    /* Only now may the client connect (tests/test_wasi.py waits for this line): one that
     * came before the accept above would be accepted there, and the poll would wait for
     * a second one for ever. stderr is unbuffered. */
    fprintf(stderr, "ready\n");
    __wasi_subscription_t sub;
    memset(&sub, 0, sizeof sub);
    sub.userdata = 1;
    sub.u.tag = __WASI_EVENTTYPE_FD_READ;
    sub.u.u.fd_read.file_descriptor = 3;
    __wasi_event_t ev;
    __wasi_size_t n;
    printf("poll=%d\n", __wasi_poll_oneoff(&sub, &ev, 1, &n));
    printf("events=%u type=%d error=%d\n", n, ev.type, ev.error);
    printf("set blocking=%d\n", __wasi_fd_fdstat_set_flags(3, 0));
    printf("accept=%d\n", __wasi_sock_accept(3, 0, &conn));
    char buf[64] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
    __wasi_size_t got = 0;
    __wasi_roflags_t flags = 0;
    printf("recv=%d\n", __wasi_sock_recv(conn, &iov, 1, 0, &got, &flags));
    printf("got %u bytes: %s\n", got, buf);
    char reply[80];
    int len = snprintf(reply, sizeof reply, "echo: %s", buf);
    __wasi_ciovec_t out = {(const uint8_t *)reply, (size_t)len};
    __wasi_size_t sent = 0;
    printf("send=%d sent=%u\n", __wasi_sock_send(conn, &out, 1, 0, &sent), sent);
    printf("shutdown=%d\n", __wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR));
    printf("close=%d\n", __wasi_fd_close(conn));
    return 0;
}

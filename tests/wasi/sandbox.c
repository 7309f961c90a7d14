/* Escape attempts from the preopened directory "." — `..`, absolute paths, symlinks that
 * point out (relative and absolute), symlink loops, renames and links across the boundary.
 * Every one must fail; the test also checks that nothing outside the sandbox changed.
 * The sandbox contains: out -> ../outside.txt, abs -> /etc/passwd (or any absolute path),
 * up -> .., loop -> loop, inner/ (directory), file.txt. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#define TRY(expr) printf("%-50s -> %d errno=%d\n", #expr, (int)(expr), errno), errno = 0

static __wasi_errno_t raw_open(const char *path, __wasi_lookupflags_t lf, __wasi_oflags_t of) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(3, lf, path, of,
                                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0,
                                        &fd);
    if (!e) __wasi_fd_close(fd);
    return e;
}

int main(void) {
    errno = 0;
    struct stat s;
    char buf[64];
    /* `..` */
    TRY(open("../outside.txt", O_RDONLY));
    TRY(open("inner/../../outside.txt", O_RDONLY));
    TRY(open("inner/../file.txt", O_RDONLY) >= 0);
    TRY(open("..", O_RDONLY));
    TRY(stat("../outside.txt", &s));
    TRY(mkdir("../newdir", 0755));
    TRY(open("../created.txt", O_CREAT | O_WRONLY, 0644));
    TRY(unlink("../outside.txt"));
    TRY(rmdir(".."));
    TRY(readlink("../x", buf, sizeof buf));
    /* absolute paths, straight to the preopen (libc would not even try) */
    TRY(raw_open("/etc/passwd", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0));
    TRY(raw_open("/", 0, 0));
    TRY(raw_open("../outside.txt", 0, 0));
    TRY(raw_open("inner/../../outside.txt", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0));
    /* symlinks pointing out */
    TRY(open("out", O_RDONLY));
    TRY(open("out", O_WRONLY | O_TRUNC));
    TRY(open("abs", O_RDONLY));
    TRY(open("up/outside.txt", O_RDONLY));
    TRY(open("up/outside.txt", O_WRONLY | O_TRUNC));
    TRY(stat("out", &s));
    TRY(lstat("out", &s) == 0 && S_ISLNK(s.st_mode));
    TRY(stat("up/outside.txt", &s));
    TRY(mkdir("up/newdir", 0755));
    TRY(unlink("up/outside.txt"));
    TRY(symlink("/etc/passwd", "newabs"));
    TRY(raw_open("out", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, __WASI_OFLAGS_CREAT));
    TRY(raw_open("up/created.txt", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, __WASI_OFLAGS_CREAT));
    /* a symlink created inside pointing out, then used */
    TRY(symlink("../outside.txt", "made"));
    TRY(open("made", O_RDONLY));
    TRY(open("made", O_WRONLY | O_TRUNC));
    TRY(symlink("../../..", "inner/deep"));
    TRY(open("inner/deep/etc/passwd", O_RDONLY));
    /* loops */
    TRY(open("loop", O_RDONLY));
    TRY(stat("loop", &s));
    TRY(symlink("l2", "l1"));
    TRY(symlink("l1", "l2"));
    TRY(open("l1", O_RDONLY));
    TRY(open("l1/x", O_RDONLY));
    /* renames and links across the boundary */
    TRY(rename("file.txt", "../moved.txt"));
    TRY(rename("../outside.txt", "stolen.txt"));
    TRY(rename("file.txt", "up/moved.txt"));
    TRY(rename("inner", "up/inner"));
    TRY(link("../outside.txt", "hard.txt"));
    TRY(link("file.txt", "../hard.txt"));
    TRY(link("out", "viaout.txt") == 0 ? 0 : -1);
    TRY(utimensat(AT_FDCWD, "up/outside.txt", NULL, 0));
    /* still fine inside */
    TRY(rename("file.txt", "inner/file.txt"));
    TRY(open("inner/file.txt", O_RDONLY) >= 0);
    TRY(unlink("made"));
    return 0;
}

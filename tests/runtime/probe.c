/* Asks the kernel for three things a container must not do; prints the outcome of each.
 * Each call is harmless even where it is allowed: the mount target does not exist and the
 * reboot magic is invalid, so "allowed" shows as ENOENT / EINVAL and "denied" as EPERM. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
    long r;
    r = syscall(SYS_keyctl, 0, -3, 0);
    printf("keyctl %s\n", r < 0 ? strerror(errno) : "ok");
    r = syscall(SYS_mount, "none", "/.sandbox-probe-missing", "tmpfs", 0, 0);  /* ENOENT if allowed */
    printf("mount %s\n", r < 0 ? strerror(errno) : "ok");
    r = syscall(SYS_reboot, 1, 2, 3, 0);  /* bad magic: EINVAL if allowed, EPERM if not */
    printf("reboot %s\n", r < 0 ? strerror(errno) : "ok");
    return 0;
}

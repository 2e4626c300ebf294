/*
 * sandbox: giving up what the server no longer needs once its sockets
 * are bound and its keys loaded: root (setresuid to an unprivileged
 * user, optionally inside a chroot) and, on Linux, write access to the
 * filesystem (Landlock: the capsule roots and certificates read-only).
 */
#ifndef CAPSULED_SANDBOX_H
#define CAPSULED_SANDBOX_H

#include <stddef.h>

/* When running as root: chroot (if dir is set) and switch to user.
 * Returns 0, or -1 with *err. */
int	sandbox_drop(const char *user, const char *chroot_dir,
	    const char **err);

/* Restrict this process to reading below the given paths (and writing
 * and creating files below the given writable paths, for logs; and
 * reading, replacing and removing files in state_dir, the post index's
 * directory, when not NULL).  Returns 1 when applied, 0 when the kernel
 * has no Landlock, -1 with *err on failure. */
int	sandbox_landlock(const char *const *read_paths, size_t nread,
	    const char *const *write_paths, size_t nwrite,
	    const char *state_dir, const char **err);

#endif

/*
 * sandbox: privilege drop and Landlock (see sandbox.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "autoconf.h"
#ifdef HAVE_LINUX_LANDLOCK_H
#include <linux/landlock.h>
#endif

#include "sandbox.h"

int
sandbox_drop(const char *user, const char *chroot_dir, const char **err)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		*err = "no such user";
		return -1;
	}
	if (pw->pw_uid == 0) {
		*err = "refusing to run as root: name an unprivileged user";
		return -1;
	}
	if (chroot_dir != NULL &&
	    (chroot(chroot_dir) == -1 || chdir("/") == -1)) {
		*err = strerror(errno);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		*err = strerror(errno);
		return -1;
	}
	/* Make sure there is no way back. */
	if (setuid(0) != -1) {
		*err = "still able to regain root";
		return -1;
	}
	return 0;
}

#ifdef HAVE_LINUX_LANDLOCK_H
static int
landlock_add(int ruleset, const char *path, __u64 access, const char **err)
{
	struct landlock_path_beneath_attr	 pb;
	int					 fd, r;

	if ((fd = open(path, O_PATH | O_CLOEXEC)) == -1)
		return 0;	/* nothing there to allow */
	memset(&pb, 0, sizeof(pb));
	pb.parent_fd = fd;
	pb.allowed_access = access;
	r = (int)syscall(SYS_landlock_add_rule, ruleset,
	    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	if (r == -1 && errno == EINVAL) {
		/* A file, not a directory: directory rights do not apply. */
		pb.allowed_access &= LANDLOCK_ACCESS_FS_READ_FILE |
		    LANDLOCK_ACCESS_FS_WRITE_FILE;
		r = (int)syscall(SYS_landlock_add_rule, ruleset,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	}
	close(fd);
	if (r == -1) {
		*err = strerror(errno);
		return -1;
	}
	return 0;
}
#endif

int
sandbox_landlock(const char *const *read_paths, size_t nread,
    const char *const *write_paths, size_t nwrite, const char *state_dir,
    const char **err)
{
#ifdef HAVE_LINUX_LANDLOCK_H
	struct landlock_ruleset_attr	 attr;
	__u64				 rd, all;
	size_t				 i;
	int				 ruleset, abi;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0;
	rd = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
	/* Every right of ABI 1: anything not granted below is denied. */
	all = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    rd | LANDLOCK_ACCESS_FS_REMOVE_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
	    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
	    LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = all;
	if ((ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1) {
		*err = strerror(errno);
		return -1;
	}
	for (i = 0; i < nread; i++)
		if (landlock_add(ruleset, read_paths[i], rd, err) == -1)
			goto fail;
	/* A write path may be a directory where files are created (the
	 * log file again after a rotation). */
	for (i = 0; i < nwrite; i++)
		if (landlock_add(ruleset, write_paths[i],
		    LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_MAKE_REG, err) == -1)
			goto fail;
	/* The index file is written beside and renamed over. */
	if (state_dir != NULL && landlock_add(ruleset, state_dir, rd |
	    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG |
	    LANDLOCK_ACCESS_FS_REMOVE_FILE, err) == -1)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0) == -1) {
		*err = strerror(errno);
		goto fail;
	}
	close(ruleset);
	return 1;
fail:
	close(ruleset);
	return -1;
#else
	(void)read_paths;
	(void)nread;
	(void)write_paths;
	(void)nwrite;
	(void)state_dir;
	(void)err;
	return 0;
#endif
}

/*
 * beneath: open paths beneath one root directory, judged by where they
 * really lead (see beneath.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "autoconf.h"
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "beneath.h"

/* A name that is never served: a hidden component anywhere in rel, a
 * component the caller keeps private, or a path in a private directory
 * (certificates, config, log) that lies inside the root. */
int
beneath_private_name(const struct beneath *s, const char *rel)
{
	const char	*p = rel;
	char		 seg[NAME_MAX + 1];
	size_t		 i, n;

	for (;;) {
		if (*p == '.')
			return 1;
		n = strcspn(p, "/");
		if (s->private_seg != NULL && n < sizeof(seg)) {
			memcpy(seg, p, n);
			seg[n] = '\0';
			if (s->private_seg(s->seg_arg, seg, p == rel))
				return 1;
		}
		if ((p = strchr(p, '/')) == NULL)
			break;
		p++;
	}
	for (i = 0; i < s->nprivate_rel; i++) {
		n = strlen(s->private_rel[i]);
		if (strncmp(rel, s->private_rel[i], n) == 0 &&
		    (rel[n] == '\0' || rel[n] == '/'))
			return 1;
	}
	return 0;
}

/* Whether fd is one of the private objects by identity (the certificate,
 * config and log directories and the files in them), whatever name or
 * hard link reached it. */
int
beneath_private_stat(const struct beneath *s, const struct stat *st)
{
	size_t i;

	for (i = 0; i < s->nprivate; i++)
		if (s->private[i].dev == st->st_dev &&
		    s->private[i].ino == st->st_ino)
			return 1;
	return 0;
}

static int
private_identity(const struct beneath *s, int fd)
{
	struct stat st;

	if (s->nprivate == 0)
		return 0;
	if (fstat(fd, &st) == -1)
		return 1;
	return beneath_private_stat(s, &st);
}

/*
 * Follow rel beneath the root one component at a time, each opened with
 * O_NOFOLLOW, reading every symlink and splicing its target into what is
 * left, so the path the file really has is known and judged: a hidden
 * component, a private directory or a climb above the root anywhere on
 * it refuses the open, whatever symlink led there.  Each step opens
 * relative to the descriptor of the one before, so nothing can be
 * swapped between the check and the open.  Returns an O_PATH descriptor
 * for the final object and its parent's, or -errno.
 */
#define SYMLINKS_MAX	40	/* as the kernel's ELOOP limit */

static int
resolve_beneath(const struct beneath *s, const char *rel, int *parentp,
    char *last, size_t lastlen, char *real, size_t reallen)
{
	char	 rest[PATH_MAX], target[PATH_MAX], res[PATH_MAX], part[NAME_MAX + 1];
	size_t	 n, rlen = 0, links = 0, off = 0;
	ssize_t	 tl;
	int	 dfd, fd, parent = -1, err;
	struct stat st;

	if (strlen(rel) >= sizeof(rest))
		return -ENAMETOOLONG;
	strcpy(rest, rel);
	res[0] = '\0';
	if ((dfd = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return -errno;
	*last = '\0';
	while (rest[off] != '\0') {
		n = strcspn(rest + off, "/");
		if (n > NAME_MAX) {
			err = -ENAMETOOLONG;
			goto fail;
		}
		memcpy(part, rest + off, n);
		part[n] = '\0';
		off += n + (rest[off + n] == '/');
		if (n == 0 || strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			/* Every directory on res is a real one (links are
			 * already replaced), so ".." is its textual parent. */
			if (rlen == 0) {
				err = -EXDEV;
				goto fail;
			}
			while (rlen > 0 && res[rlen - 1] != '/')
				rlen--;
			if (rlen > 0)
				rlen--;
			res[rlen] = '\0';
			fd = openat(dfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd == -1) {
				err = -errno;
				goto fail;
			}
			close(dfd);
			dfd = fd;
			if (parent != -1)
				close(parent);
			parent = -1;
			continue;
		}
		if (*part == '.') {
			err = -ENOENT;	/* hidden, under any name */
			goto fail;
		}
		fd = openat(dfd, part, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1 || fstat(fd, &st) == -1) {
			err = -errno;
			if (fd != -1)
				close(fd);
			goto fail;
		}
		if (S_ISLNK(st.st_mode)) {
			tl = readlinkat(fd, "", target, sizeof(target));
			close(fd);
			if (++links > SYMLINKS_MAX || tl <= 0 ||
			    (size_t)tl >= sizeof(target) ||
			    (size_t)tl + 1 + strlen(rest + off) >= sizeof(rest)) {
				err = tl <= 0 ? -EIO : -ELOOP;
				goto fail;
			}
			target[tl] = '\0';
			if (*target == '/') {
				/* Absolute: only a path under the root's own
				 * name stays beneath it. */
				n = strlen(s->root);
				if (strncmp(target, s->root, n) != 0 ||
				    (target[n] != '/' && target[n] != '\0')) {
					err = -EXDEV;
					goto fail;
				}
				memmove(target, target + n, (size_t)tl - n + 1);
				tl -= (ssize_t)n;
				close(dfd);
				if ((dfd = fcntl(s->rootfd, F_DUPFD_CLOEXEC,
				    0)) == -1) {
					err = -errno;
					dfd = -1;
					goto fail;
				}
				rlen = 0;
				res[0] = '\0';
			}
			/* rest becomes target + "/" + what was left. */
			n = strlen(rest + off);
			memmove(rest + tl + 1, rest + off, n + 1);
			memcpy(rest, target, (size_t)tl);
			rest[tl] = n > 0 ? '/' : '\0';
			off = 0;
			continue;
		}
		if (rlen + n + 2 > sizeof(res)) {
			close(fd);
			err = -ENAMETOOLONG;
			goto fail;
		}
		rlen += (size_t)snprintf(res + rlen, sizeof(res) - rlen,
		    "%s%s", rlen ? "/" : "", part);
		if (beneath_private_name(s, res) || private_identity(s, fd)) {
			close(fd);
			err = -ENOENT;
			goto fail;
		}
		if (parent != -1)
			close(parent);
		parent = dfd;
		dfd = fd;
		snprintf(last, lastlen, "%s", part);
	}
	*parentp = parent;
	if (real != NULL)
		snprintf(real, reallen, "%s", res);
	return dfd;
fail:
	if (parent != -1)
		close(parent);
	if (dfd != -1)
		close(dfd);
	return err;
}

#ifdef HAVE_LINUX_OPENAT2_H
/*
 * rel without "." and empty segments, each ".." taking the one before
 * (what the kernel did for a path it found with no symlink on it), into
 * real.
 */
static void
plain_path(const char *rel, char *real, size_t reallen)
{
	size_t	n, len = 0;

	for (; *rel != '\0'; rel += n + (rel[n] == '/')) {
		n = strcspn(rel, "/");
		if (n == 0 || (n == 1 && *rel == '.'))
			continue;
		if (n == 2 && rel[0] == '.' && rel[1] == '.') {
			while (len > 0 && real[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			continue;
		}
		if (len + n + 2 > reallen)
			break;
		if (len > 0)
			real[len++] = '/';
		memcpy(real + len, rel, n);
		len += n;
	}
	if (reallen > 0)
		real[len] = '\0';
}
#endif

/*
 * Open rel beneath the root.  The common case, a path with no symlink on
 * it, is one openat2 call: RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS makes
 * the kernel refuse anything else, so the written path is the real one
 * and the name checks hold.  A symlink (ELOOP), or a kernel without
 * openat2, takes resolve_beneath's walk, which judges the real path.
 */
int
beneath_open(const struct beneath *s, const char *rel, char *real,
    size_t reallen)
{
	int	 flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	char	 last[NAME_MAX + 1];
	struct stat a, b;
	int	 fd, pfd, parent;

	if (*rel == '\0')
		rel = ".";
#ifdef HAVE_LINUX_OPENAT2_H
	{
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = flags;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		    RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, s->rootfd, rel, &how,
		    sizeof(how));
		if (fd >= 0) {
			if (private_identity(s, fd)) {
				close(fd);
				return -ENOENT;
			}
			if (real != NULL)
				plain_path(rel, real, reallen);
			return fd;
		}
		if (errno != ENOSYS && errno != EPERM && errno != ELOOP &&
		    errno != EXDEV)
			return -errno;
	}
#endif
	if ((pfd = resolve_beneath(s, rel, &parent, last, sizeof(last), real,
	    reallen)) < 0)
		return pfd;
	/* O_PATH cannot be read: reopen the object itself, by name from
	 * its parent without following, and make sure it is the same. */
	if (parent == -1)
		fd = openat(pfd, ".", flags | O_DIRECTORY);
	else
		fd = openat(parent, last, flags | O_NOFOLLOW);
	if (fd == -1)
		fd = -errno;
	else if (fstat(fd, &a) == -1 || fstat(pfd, &b) == -1 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		fd = -ENOENT;
	}
	if (parent != -1)
		close(parent);
	close(pfd);
	return fd;
}

static void
private_add(struct beneath *s, const struct stat *st)
{
	struct beneath_ident *v;

	if ((v = realloc(s->private, (s->nprivate + 1) * sizeof(*v))) ==
	    NULL)
		return;
	s->private = v;
	v[s->nprivate].dev = st->st_dev;
	v[s->nprivate++].ino = st->st_ino;
}

/*
 * Remember a private directory (the certificates, the config file's,
 * the log file's) so no name reaches it: its path when it lies inside the
 * root, and by identity the directory and the files directly in it, which
 * a symlink or a hard link elsewhere in the root could reach.  A
 * directory that holds the root itself (a config file beside the
 * capsule) keeps only the named file private; with no such file, its
 * keys (a certificate directory).
 */
static void
private_dir(struct beneath *s, const char *dir, const char *file)
{
	char		 real[PATH_MAX], path[PATH_MAX];
	size_t		 n = strlen(s->root), dn;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 holds_root;

	if (dir == NULL || realpath(dir, real) == NULL)
		return;
	dn = strlen(real);
	holds_root = strncmp(s->root, real, dn) == 0 &&
	    (s->root[dn] == '\0' || s->root[dn] == '/' || dn == 1);
	if (holds_root) {
		if (file != NULL && stat(file, &st) == 0)
			private_add(s, &st);
	} else if (stat(real, &st) == 0)
		private_add(s, &st);
	if (!holds_root && strncmp(real, s->root, n) == 0 && real[n] == '/' &&
	    s->nprivate_rel < sizeof(s->private_rel) /
	    sizeof(s->private_rel[0]))
		s->private_rel[s->nprivate_rel++] = strdup(real + n + 1);
	if ((holds_root && file != NULL) || (d = opendir(real)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (holds_root && (strlen(de->d_name) < 4 ||
		    strcmp(de->d_name + strlen(de->d_name) - 4, ".key") != 0))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", real,
		    de->d_name) < sizeof(path) && lstat(path, &st) == 0 &&
		    S_ISREG(st.st_mode))
			private_add(s, &st);
	}
	closedir(d);
}

/* The directory part of path, "." when it has none. */
static void
dir_part(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, outlen, ".");
	else if (slash == path)
		snprintf(out, outlen, "/");
	else
		snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

void
beneath_private_dir(struct beneath *s, const char *dir)
{
	private_dir(s, dir, NULL);
}

void
beneath_private_file_dir(struct beneath *s, const char *file)
{
	char dir[PATH_MAX];

	if (file == NULL)
		return;
	dir_part(file, dir, sizeof(dir));
	private_dir(s, dir, file);
}

void
beneath_free(struct beneath *s)
{
	while (s->nprivate_rel > 0)
		free(s->private_rel[--s->nprivate_rel]);
	free(s->private);
	s->private = NULL;
	s->nprivate = 0;
}

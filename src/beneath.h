/*
 * beneath: open paths beneath one root directory, judged by where they
 * really lead.  A path with no symlink on it is one openat2 call; one with
 * symlinks is walked a component at a time, each link read and followed
 * by hand, so that the real path is known: a hidden component, a private
 * directory (the certificates, the config and log files' directories) or
 * a climb above the root anywhere on it refuses the open, whatever link
 * led there.  The private directories are also known by identity, with
 * the files in them, so that a hard link cannot reach them either.
 */
#ifndef CAPSULED_BENEATH_H
#define CAPSULED_BENEATH_H

#include <stddef.h>
#include <sys/types.h>

struct beneath_ident {
	dev_t	 dev;
	ino_t	 ino;
};

struct beneath {
	int			 rootfd;	/* O_PATH, the caller's */
	const char		*root;		/* its realpath, the caller's */
	char			*private_rel[3];	/* private dirs inside
							   the root */
	size_t			 nprivate_rel;
	struct beneath_ident	*private;	/* those dirs, their files */
	size_t			 nprivate;
	/* Names the caller keeps private besides hidden ones (editor
	 * leftovers, build folders): 1 for seg, one path segment, top when
	 * it lies directly under the root.  NULL for none. */
	int			(*private_seg)(const void *arg,
				    const char *seg, int top);
	const void		*seg_arg;
};

/* A private directory (the certificates'). */
void	beneath_private_dir(struct beneath *, const char *dir);

/* The directory of a private file (the config's, the log's); when that
 * directory holds the root itself, only the file is private. */
void	beneath_private_file_dir(struct beneath *, const char *file);

void	beneath_free(struct beneath *);

/* 1 when rel, as written, names something never served: a hidden
 * component, one private_seg refuses, or a path in a private
 * directory. */
int	beneath_private_name(const struct beneath *, const char *rel);

/* 1 when st is one of the private objects by identity (a private
 * directory or a file in one), whatever name or hard link reached it. */
struct stat;
int	beneath_private_stat(const struct beneath *, const struct stat *);

/* Open rel ("" is the root) read-only, refusing what its real location
 * makes private or puts outside the root: a descriptor or -errno.  When
 * real is not NULL it gets that location, relative to the root ("" for
 * the root), so that what else makes a file private (a draft's folder)
 * can be judged on it too. */
int	beneath_open(const struct beneath *, const char *rel, char *real,
	    size_t reallen);

#endif

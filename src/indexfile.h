/*
 * indexfile: the post index kept on disk between runs, so that a restart
 * on an unchanged blog answers with complete pages at once instead of
 * digesting every post again.  One file per capsule, outside the served
 * root; entries carry the identity of their source (device, inode, size,
 * mtime) and the store's scan reuses only those whose file is unchanged.
 * The file is never trusted blindly: a header with a format version, the
 * context it was made for (capsuled's version, the root, the site model,
 * the capsule settings the index depends on), the payload's length and
 * checksum; anything else is refused whole.  Written to a temporary name
 * and renamed, so a reader sees the old file or the new one.
 */
#ifndef CAPSULED_INDEXFILE_H
#define CAPSULED_INDEXFILE_H

#include <stdint.h>

struct post_index;
struct site;

/*
 * Write ix's entries to name in the directory dirfd (atomically).  0, or
 * -errno with nothing left behind but the previous file.
 */
int		 indexfile_save(int dirfd, const char *name, uint64_t context,
		    const struct post_index *ix);

/*
 * The entries of name (a post_index with all and nall only: the scan's
 * old snapshot), or NULL: *why is then NULL when there is no such file,
 * else says why it was refused (damaged, truncated, another version or
 * context, not ours).  Entries whose privacy changed with time (a post
 * whose date has come) are left out, so that they are loaded again.
 */
struct post_index *indexfile_load(int dirfd, const char *name,
		    uint64_t context, const struct site *,
		    const char **why);

#endif

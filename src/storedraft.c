/*
 * storedraft: which files are a draft's, for the store (see store.h):
 * a draft or unpublished source, or a file in a draft's page bundle,
 * judged by the name asked for and by the file it really leads to, so
 * that no symlink makes a draft public under another name.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "postindex.h"
#include "site.h"
#include "store.h"

const struct post *
store_index_entry(const struct post_index *ix, const char *rel)
{
	struct buf	 b;
	const struct post *p = NULL;
	char		*k;
	size_t		 i;

	buf_init(&b, PATH_MAX);
	if (site_source_key(rel, &b) == 0 && buf_putc(&b, '\0') == 0 &&
	    (k = site_key(NULL, b.data, "", 0)) != NULL) {
		p = postindex_find(ix, k);
		free(k);
	}
	buf_free(&b);
	if (p != NULL && strcmp(p->rel, rel) == 0)
		return p;
	/* Its key may belong to another page (an alias, a canonical path
	 * equal to this file's source form): look at every entry, so that a
	 * draft is never taken for published. */
	for (i = 0; i < ix->nall; i++)
		if (strcmp(ix->all[i]->rel, rel) == 0)
			return ix->all[i];
	return NULL;
}

/* A draft or unpublished source by the name rel (open as fd, status st),
 * or a file in a draft's bundle. */
static int
draft_source(struct store *s, const struct post_index *ix, const char *rel,
    int fd, const struct stat *st)
{
	return (store_is_markdown(rel) &&
	    postindex_private(s, rel, store_index_entry(ix, rel), fd, st)) ||
	    postindex_in_draft(ix, rel);
}

int
store_is_draft(struct store *s, const char *rel)
{
	struct post_index	*ix;
	struct stat		 st;
	char			 real[PATH_MAX];
	int			 r, fd;

	if ((ix = store_posts(s)) == NULL)
		return 0;
	/* The name asked for, then where it really leads: privacy follows
	 * the file, whatever name reached it.  One open serves both names
	 * (they are the same file).  A name that opens nothing (a draft's
	 * bundle folder asked for as a file in it) is judged by its place. */
	if ((fd = store_open_real(s, rel, &st, real, sizeof(real))) < 0)
		r = postindex_in_draft(ix, rel);
	else {
		r = draft_source(s, ix, rel, fd, &st) ||
		    (strcmp(real, rel) != 0 &&
		    draft_source(s, ix, real, fd, &st));
		close(fd);
	}
	post_index_unref(ix);
	return r;
}

/*
 * postindex: the index of every Markdown source under a root, as the
 * store keeps it (struct post_index in store.h).  A scan loads each
 * source that changed since the previous snapshot and reuses the rest;
 * a quick scan reads the front matter only (a cold index's first pass),
 * a full one the bodies too.  Used by store.c, which owns the snapshots.
 */
#ifndef CAPSULED_POSTINDEX_H
#define CAPSULED_POSTINDEX_H

#include <stddef.h>
#include <stdint.h>

struct post;
struct site;
struct post_index;
struct store;

/* A new snapshot of s's sources, reusing old's unchanged entries (old
 * may be NULL), or NULL when out of memory.  The first full sources it
 * has to load are loaded whole, the rest front matter only (the snapshot
 * is then partial): 0 for a quick pass, SIZE_MAX for a full one. */
struct post_index *postindex_scan(struct store *s,
		    const struct post_index *old, size_t full);

/*
 * A new snapshot from old with just the files rels name (relative paths,
 * any order, repeats allowed; the array is sorted) loaded again: changed,
 * created or removed since.  NULL when out of memory.
 */
struct post_index *postindex_update(struct store *s,
		    const struct post_index *old, char **rels, size_t n);

/* 1 when a and b list the same entries (unchanged ones are reused by
 * pointer, so nothing a listing shows has changed). */
int		 postindex_same(const struct post_index *a,
		    const struct post_index *b);

/* The entry a key (site_key) names: a canonical path, a source path or
 * an alias; NULL for none. */
struct post	*postindex_find(const struct post_index *, const char *key);

/* Drop a reference to an entry (freed with the last). */
void		 post_unref(struct post *);

/* Whether a loaded entry is private now (a draft, or dated in the
 * future where the generator waits for its date). */
int		 post_hidden(const struct site *, const struct post *);

/* A page's name from its file: "posts/2022-09-04-hello.md" ->
 * "2022-09-04-hello"; a bundle's index takes its folder's name. */
void		 post_base_name(const char *rel, char *out, size_t outlen);

#endif

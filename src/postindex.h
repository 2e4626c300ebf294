/*
 * postindex: the index of every Markdown source under a root, as the
 * store keeps it (struct post_index in store.h).  A scan loads each
 * source that changed since the previous snapshot and reuses the rest;
 * a quick scan reads the front matter only (a cold index's first pass),
 * a full one the bodies too.  Used by store.c, which owns the snapshots,
 * and by feed.c for the text of search hits.
 */
#ifndef CAPSULED_POSTINDEX_H
#define CAPSULED_POSTINDEX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct buf;
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

/* 1 when the titles of ix's newest n posts (SIZE_MAX: all) are final,
 * however partial ix is: a page that shows nothing else a body gives
 * (the home page, the gemlog) is then complete. */
int		 postindex_titled(const struct post_index *ix, size_t n);

/* The entry a key (site_key) names: a canonical path, a source path or
 * an alias; NULL for none. */
struct post	*postindex_find(const struct post_index *, const char *key);

/* Whether rel lies in a draft's bundle or section (a folder whose index
 * page is a draft): everything in it is the draft's. */
int		 postindex_in_draft(const struct post_index *, const char *rel);

/* Drop a reference to an entry (freed with the last). */
void		 post_unref(struct post *);

/* Private by the generator's rules: a draft, in a folder of drafts, or
 * dated in the future where the generator waits for the date. */
struct page_meta;
int		 post_private(const struct site *, const char *rel,
		    const struct page_meta *);

/*
 * Whether the Markdown source rel, open as fd with status st, is private
 * now: as its entry p says when p is the file's current version, else
 * from its front matter read now (a file the indexer has not taken in
 * yet; p may be NULL), so that privacy never waits for the indexer.
 */
int		 postindex_private(struct store *, const char *rel,
		    const struct post *p, int fd, const struct stat *st);

/* Whether a loaded entry is private now (a draft, or dated in the
 * future where the generator waits for its date). */
int		 post_hidden(const struct site *, const struct post *);

/*
 * The plain text a listed post's search key was made from, appended to
 * out (the index keeps the key only): read again from its source while
 * that is unchanged, digested as the index did.  0, or -1 (changed,
 * gone, over a limit).
 */
int		 postindex_text(struct store *, const struct post *,
		    struct buf *out);

/* A page's name from its file: "posts/2022-09-04-hello.md" ->
 * "2022-09-04-hello"; a bundle's index takes its folder's name. */
void		 post_base_name(const char *rel, char *out, size_t outlen);

#endif

/*
 * search: the in-memory search over the post index.  Each post carries a
 * normalised key (title, tags and text) built once when the post is
 * indexed; a query is normalised the same way and matched as a
 * substring, so no file is read per query.  Pure: no globals, no I/O.
 */
#ifndef CAPSULED_SEARCH_H
#define CAPSULED_SEARCH_H

#include <stddef.h>

struct buf;
struct post;
struct post_index;

#define SEARCH_MAX_HITS		50	/* posts listed per query */
#define SEARCH_CONTEXT_COLS	40	/* snippet columns each side */
#define SEARCH_KEY_MAX		(16UL * 1024 * 1024)	/* key bytes kept */

/*
 * Append the search form of s[0..n): NFKC, case folded, default
 * ignorables dropped, look-alike punctuation lumped (utf8proc), every
 * run of whitespace or control characters one space, none at the
 * start.  Invalid UTF-8 becomes U+FFFD.  Text is normalised one
 * grapheme cluster at a time (the same result as the whole string in
 * practice), which lets search_snippet map a match back to the
 * original text.  0, or -1 when out is full.
 */
int	search_normalize(const char *s, size_t n, struct buf *out);

/*
 * A post's key: the normalised title, tags (space-separated) and text,
 * the three joined by LF (which normalised text never holds, so no
 * match spans two parts).  Any of them may be NULL.  Returns a malloc'd
 * string (at most SEARCH_KEY_MAX bytes of text), or NULL.
 */
char	*search_key(const char *title, char *const *tags, size_t ntags,
	    const char *text);

struct search_hit {
	const struct post	*post;
	int			 in_text;	/* the match is in the text */
	size_t			 nstart, nend;	/* then where, in the key's
						   normalised text */
};

/*
 * Match the raw query q[0..n) against the key of every post of ix
 * (newest first, as the index is).  Fills at most max hits, sets *total
 * to the number of matching posts.  Returns the number of hits filled,
 * -1 when the query normalises to nothing (ask again), -2 when memory
 * ran out.
 */
int	search_run(const struct post_index *ix, const char *q, size_t n,
	    struct search_hit *hits, size_t max, size_t *total);

/*
 * The bytes [*start, *end) of text, the plain text hit->post's key was
 * made from (the index does not keep it: the caller reads it again), that
 * the match in the key's text part came from.  0, or -1 when the match
 * was not in the text.
 */
int	search_locate(const char *text, const struct search_hit *hit,
	    size_t *start, size_t *end);

/*
 * A one-line snippet of text (md_plaintext's, as for search_locate)
 * around hit, from the prose before its MD_PLAIN_VERBATIM line only (its
 * start when the match was in the title, tags or the code after it):
 * about ctx columns either side, cut at character boundaries, "…" where
 * text was cut, whitespace runs as single spaces.  Appends nothing for an
 * empty text.  0 or -1.
 */
int	search_snippet(const char *text, const struct search_hit *hit,
	    size_t ctx, struct buf *out);

#endif

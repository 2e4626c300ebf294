/*
 * search: normalisation, post keys, matching and snippets (see
 * search.h).  Normalisation walks the text one grapheme cluster at a
 * time; the same walk run again over the original text maps a match in
 * the normalised key back to the bytes the reader wrote.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "markdown.h"
#include "search.h"
#include "store.h"

/* Clusters are cut after this many code points, so a pathological run
 * of combining marks cannot outgrow the decomposition buffer: one code
 * point decomposes to at most 18 (U+FDFA). */
#define CLUSTER_MAX	32
#define DECOMP_MAX	1024

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

struct norm {
	struct buf	*out;		/* NULL: only count */
	size_t		 emitted;	/* bytes produced so far */
	int		 space;		/* a space is owed before the next
					   character */
	int		 any;		/* a character was produced */
	int		 full;		/* out refused an append */
};

/* Where a normalised range [ns, ne) came from in the original. */
struct locate {
	size_t	 ns, ne;
	size_t	 os, oe;
	int	 have_start;
};

/* One code point at s; -1 (length 1) for a byte that starts no valid
 * UTF-8 sequence. */
static size_t
next_cp(const char *s, size_t n, int32_t *cp)
{
	utf8proc_int32_t	c;
	utf8proc_ssize_t	r;

	r = utf8proc_iterate((const utf8proc_uint8_t *)s,
	    n > 4 ? 4 : (utf8proc_ssize_t)n, &c);
	if (r <= 0) {
		*cp = -1;
		return 1;
	}
	*cp = c;
	return (size_t)r;
}

static void
norm_byte(struct norm *st, unsigned char c)
{
	if (c <= 0x20 || c == 0x7f) {
		if (st->any)
			st->space = 1;
		return;
	}
	if (st->space) {
		st->space = 0;
		if (st->out != NULL && !st->full &&
		    buf_putc(st->out, ' ') == -1)
			st->full = 1;
		st->emitted++;
	}
	if (st->out != NULL && !st->full && buf_putc(st->out, c) == -1)
		st->full = 1;
	st->emitted++;
	st->any = 1;
}

static void
norm_bytes(struct norm *st, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		norm_byte(st, (unsigned char)s[i]);
}

/*
 * The length of the character at s when it is its own normal form and
 * never joins a following ASCII or such character into one cluster:
 * ASCII (whose form is its lower case), kana, the CJK Unified
 * Ideographs and the Hangul syllables, the bulk of the text in the
 * languages capsuled detects; else 0.  (test-search checks every one
 * against utf8proc.)
 */
static size_t
norm_simple(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	int32_t			 cp;

	if (u[0] < 0x80)
		return 1;
	if (n < 3 || (u[0] & 0xf0) != 0xe0 || (u[1] & 0xc0) != 0x80 ||
	    (u[2] & 0xc0) != 0x80)
		return 0;
	cp = (u[0] & 0x0f) << 12 | (u[1] & 0x3f) << 6 | (u[2] & 0x3f);
	return (cp >= 0x3041 && cp <= 0x3096) ||
	    (cp >= 0x30a1 && cp <= 0x30fa) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) ? 3 : 0;
}

/* Normalise one valid UTF-8 cluster. */
static void
norm_valid(struct norm *st, const char *s, size_t n)
{
	utf8proc_int32_t	 d[DECOMP_MAX + 1];
	utf8proc_ssize_t	 r;

	if (n == 1 && (unsigned char)*s < 0x80) {
		/* ASCII alone: folding is lowercasing. */
		norm_byte(st, (unsigned char)(*s >= 'A' && *s <= 'Z' ?
		    *s + ('a' - 'A') : *s));
		return;
	}
	if (norm_simple(s, n) == n) {
		norm_bytes(st, s, n);	/* its own normal form */
		return;
	}
	r = utf8proc_decompose((const utf8proc_uint8_t *)s,
	    (utf8proc_ssize_t)n, d, DECOMP_MAX, SEARCH_NORM_OPTS);
	if (r < 0 || r > DECOMP_MAX) {
		norm_bytes(st, replacement, 3);
		return;
	}
	if ((r = utf8proc_reencode(d, r, SEARCH_NORM_OPTS)) < 0) {
		norm_bytes(st, replacement, 3);
		return;
	}
	norm_bytes(st, (const char *)d, (size_t)r);
}

/* A cluster holding invalid bytes: its valid code points one by one,
 * U+FFFD for each bad byte. */
static void
norm_invalid(struct norm *st, const char *s, size_t n)
{
	size_t	 i, len;
	int32_t	 cp;

	for (i = 0; i < n; i += len) {
		len = next_cp(s + i, n - i, &cp);
		if (cp == -1)
			norm_bytes(st, replacement, 3);
		else
			norm_valid(st, s + i, len);
	}
}

/* Walk s cluster by cluster.  With loc, stop once the cluster holding
 * loc->ne has been seen (returns 1). */
static int
norm_run(struct norm *st, const char *s, size_t n, struct locate *loc)
{
	utf8proc_int32_t	 state;
	size_t			 i = 0, start, len, ncp;
	int32_t			 cp, next, raw;
	int			 valid;

	while (i < n) {
		start = i;
		/* Fast path: a simple character alone in its cluster needs
		 * no decomposition. */
		if ((len = norm_simple(s + i, n - i)) > 0 &&
		    (i + len == n || norm_simple(s + i + len,
		    n - i - len) > 0)) {
			i += len;
			norm_valid(st, s + start, len);
			goto located;
		}
		len = next_cp(s + i, n - i, &cp);
		valid = cp != -1;
		if (cp == -1)
			cp = 0xfffd;
		i += len;
		state = 0;
		for (ncp = 1; i < n && ncp < CLUSTER_MAX; ncp++) {
			len = next_cp(s + i, n - i, &raw);
			next = raw == -1 ? 0xfffd : raw;
			if (utf8proc_grapheme_break_stateful(cp, next, &state))
				break;
			if (raw == -1)
				valid = 0;
			i += len;
			cp = next;
		}
		if (valid)
			norm_valid(st, s + start, i - start);
		else
			norm_invalid(st, s + start, i - start);
located:
		if (loc == NULL)
			continue;
		if (!loc->have_start && st->emitted > loc->ns) {
			loc->os = start;
			loc->have_start = 1;
		}
		if (loc->have_start && st->emitted >= loc->ne) {
			loc->oe = i;
			return 1;
		}
	}
	return 0;
}

int
search_normalize(const char *s, size_t n, struct buf *out)
{
	struct norm st;

	memset(&st, 0, sizeof(st));
	st.out = out;
	norm_run(&st, s, n, NULL);
	return st.full ? -1 : 0;
}

char *
search_key(const char *title, char *const *tags, size_t ntags,
    const char *text)
{
	struct buf	 b;
	struct norm	 st;
	size_t		 i;

	buf_init(&b, SEARCH_KEY_MAX);
	memset(&st, 0, sizeof(st));
	st.out = &b;
	if (title != NULL)
		norm_run(&st, title, strlen(title), NULL);
	if (st.full || buf_putc(&b, '\n') == -1)
		goto fail;
	memset(&st, 0, sizeof(st));
	st.out = &b;
	for (i = 0; i < ntags; i++) {
		if (tags[i] == NULL)
			continue;
		norm_run(&st, tags[i], strlen(tags[i]), NULL);
		if (st.any)
			st.space = 1;
	}
	if (st.full || buf_putc(&b, '\n') == -1)
		goto fail;
	memset(&st, 0, sizeof(st));
	st.out = &b;
	if (text != NULL)
		norm_run(&st, text, strlen(text), NULL);
	/* A text cut at SEARCH_KEY_MAX stays searchable up to there. */
	return buf_detach(&b, NULL);
fail:
	buf_free(&b);
	return NULL;
}

/* Map the normalised range [ns, ne) of text's search form back to the
 * original bytes. */
static void
locate(const char *text, size_t ns, size_t ne, size_t *os, size_t *oe)
{
	struct norm	 st;
	struct locate	 loc;
	size_t		 n = strlen(text);

	memset(&st, 0, sizeof(st));
	memset(&loc, 0, sizeof(loc));
	loc.ns = ns;
	loc.ne = ne;
	if (norm_run(&st, text, n, &loc) == 1) {
		*os = loc.os;
		*oe = loc.oe;
	} else {
		/* Cannot happen for a key built from this text; be safe. */
		*os = loc.have_start ? loc.os : 0;
		*oe = n;
	}
}

int
search_run(const struct post_index *ix, const char *q, size_t n,
    struct search_hit *hits, size_t max, size_t *total)
{
	struct buf		 nq;
	const struct post	*p;
	const char		*key, *text, *m;
	size_t			 i, got = 0, klen, tlen;

	*total = 0;
	buf_init(&nq, n * 18 + 16);
	if (search_normalize(q, n, &nq) == -1) {
		buf_free(&nq);
		return -2;
	}
	if (nq.len == 0) {
		buf_free(&nq);
		return -1;
	}
	for (i = 0; i < ix->n; i++) {
		p = ix->posts[i];
		if ((key = p->search) == NULL)
			continue;
		klen = strlen(key);
		if (memmem(key, klen, nq.data, nq.len) == NULL)
			continue;
		(*total)++;
		if (got >= max)
			continue;
		hits[got].post = p;
		hits[got].in_text = 0;
		hits[got].nstart = hits[got].nend = 0;
		/* Prefer a match in the text: that is what a snippet shows. */
		text = memchr(key, '\n', klen);
		if (text != NULL)
			text = memchr(text + 1, '\n', klen -
			    (size_t)(text + 1 - key));
		if (text != NULL) {
			text++;
			tlen = klen - (size_t)(text - key);
			if ((m = memmem(text, tlen, nq.data, nq.len)) != NULL) {
				hits[got].in_text = 1;
				hits[got].nstart = (size_t)(m - text);
				hits[got].nend = hits[got].nstart + nq.len;
			}
		}
		got++;
	}
	buf_free(&nq);
	return (int)got;
}

int
search_locate(const char *text, const struct search_hit *hit,
    size_t *start, size_t *end)
{
	if (!hit->in_text || text == NULL)
		return -1;
	locate(text, hit->nstart, hit->nend, start, end);
	return 0;
}

/*------------------------------------------------------------ snippets */

static int
is_blank(unsigned char c)
{
	return c <= 0x20 || c == 0x7f;
}

static size_t
cp_cols(int32_t cp)
{
	int w;

	if (cp < 0)
		return 1;
	w = utf8proc_charwidth(cp);
	return w > 0 ? (size_t)w : 0;
}

/* Start of the code point before offset i. */
static size_t
prev_start(const char *s, size_t i)
{
	while (i > 0) {
		i--;
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			break;
	}
	return i;
}

/* Append s[a..b) with whitespace runs flattened to one space (none at
 * either end), C1 controls dropped and invalid bytes replaced. */
static int
put_flat(struct buf *out, const char *s, size_t a, size_t b)
{
	size_t	 len;
	int32_t	 cp;
	int	 space = 0, started = 0;

	while (a < b) {
		if (is_blank((unsigned char)s[a])) {
			space = started;
			a++;
			continue;
		}
		if (space && buf_putc(out, ' ') == -1)
			return -1;
		space = 0;
		started = 1;
		len = next_cp(s + a, b - a, &cp);
		if (cp == -1) {
			if (buf_puts(out, replacement) == -1)
				return -1;
		} else if ((cp < 0x80 || cp >= 0xa0) &&
		    buf_append(out, s + a, len) == -1)
			return -1;
		a += len;
	}
	return 0;
}

/* Columns of the character at s[i] (n bytes left); a blank counts one
 * column only when the character before it is not blank, since runs
 * are flattened to one space. */
static size_t
cols_at(const char *s, size_t i, size_t n, size_t *len)
{
	int32_t cp;

	*len = next_cp(s + i, n - i, &cp);
	if (!is_blank((unsigned char)s[i]))
		return cp_cols(cp);
	return i > 0 && is_blank((unsigned char)s[i - 1]) ? 0 : 1;
}

static int
zero_width_at(const char *s, size_t i, size_t n)
{
	int32_t cp;

	if (i >= n || is_blank((unsigned char)s[i]))
		return 0;
	next_cp(s + i, n - i, &cp);
	return cp != -1 && utf8proc_charwidth(cp) == 0;
}

int
search_snippet(const char *text, const struct search_hit *hit, size_t ctx,
    struct buf *out)
{
	const char	*v;
	size_t		 n, a, b, i, len, cols, after;

	if (text == NULL)
		return 0;
	n = strlen(text);
	/* Excerpts come from the prose; a match in the code and tables
	 * after it shows the prose's start, as one in the title does. */
	if ((v = memchr(text, MD_PLAIN_VERBATIM, n)) != NULL)
		n = (size_t)(v - text);
	a = b = 0;
	after = 2 * ctx;	/* no match in the text: show its start */
	if (search_locate(text, hit, &a, &b) == 0 && a <= b && b <= n)
		after = ctx;
	else
		a = b = 0;
	/* Backward from the match, then forward from its end. */
	for (cols = 0; a > 0 && cols < ctx; a = i) {
		i = prev_start(text, a);
		cols += cols_at(text, i, n, &len);
	}
	/* Never start on a combining mark: keep its base with it. */
	while (a > 0 && zero_width_at(text, a, n))
		a = prev_start(text, a);
	for (cols = 0; b < n && cols < after; b += len)
		cols += cols_at(text, b, n, &len);
	while (zero_width_at(text, b, n)) {
		cols_at(text, b, n, &len);
		b += len;
	}
	while (a < n && is_blank((unsigned char)text[a]))
		a++;
	if (a >= n)
		return 0;
	for (i = a; i > 0 && is_blank((unsigned char)text[i - 1]); i--)
		;
	if (i > 0 && buf_puts(out, "…") == -1)
		return -1;
	if (put_flat(out, text, a, b) == -1)
		return -1;
	for (i = b; i < n && is_blank((unsigned char)text[i]); i++)
		;
	if (i < n && buf_puts(out, "…") == -1)
		return -1;
	return 0;
}

/*
 * markdown: parses Markdown with cmark-gfm and walks the tree once into
 * the protocol-neutral document of markdown.h (blocks, their links, the
 * line-break decision), strips raw HTML, maps links; gemtext.c and
 * gophermap.c render that document.  Pure apart from the one-time
 * registration of cmark-gfm's extensions.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "buf.h"
#include "gemtext.h"
#include "gophermap.h"
#include "markdown.h"
#include "mime.h"
#include "textwidth.h"
#include "url.h"

#define MD_POOL_MAX	((size_t)1 << 30)
#define MD_LABEL_MAX	1024	/* bytes of a link label */
#define MD_MAXOPEN	16	/* links open at once (image in link) */
#define MD_HTML_LISTS	8	/* nested <ol> counters kept */
#define MD_SOFT		'\x01'	/* soft break, until the page decides */
#define MD_WIDTH	67
#define MD_MAX_CELLS	200000	/* table cells before tables are off */
#define MD_MAX_COLS	1000	/* pipes on a line, likewise */

/*-------------------------------------------------------------------
 * Link mapping
 */

static int
md_pct_decode(struct buf *out, const char *s, size_t n)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = url_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = url_hexval((unsigned char)s[i + 2])) >= 0) {
			if (buf_putc(out, hi << 4 | lo) == -1)
				return -1;
			i += 2;
		} else if (buf_putc(out, s[i]) == -1)
			return -1;
	}
	return 0;
}

/*
 * RFC 3986 dot-segment removal over an absolute path; ".." at the root
 * stays at the root.  Empty segments are dropped too.
 */
static int
md_dot_segments(struct buf *out, const char *p, size_t n)
{
	size_t	 i = 0, s, k;
	int	 dir = 0;

	while (i < n) {
		while (i < n && p[i] == '/')
			i++;
		if (i == n) {
			dir = 1;
			break;
		}
		s = i;
		while (i < n && p[i] != '/')
			i++;
		dir = 0;
		if (i - s == 1 && p[s] == '.') {
			dir = 1;
			continue;
		}
		if (i - s == 2 && p[s] == '.' && p[s + 1] == '.') {
			k = out->len;
			while (k > 0 && out->data[k - 1] != '/')
				k--;
			out->len = k > 0 ? k - 1 : 0;
			dir = 1;
			continue;
		}
		if (buf_putc(out, '/') == -1 ||
		    buf_append(out, p + s, i - s) == -1)
			return -1;
	}
	if ((out->len == 0 || dir) && buf_putc(out, '/') == -1)
		return -1;
	return 0;
}

/* A URL left alone, but safe for a link line and a Gopher selector. */
static int
md_url_escape(struct buf *out, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;
	unsigned char		 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f ||
		    strchr("\"<>\\^`{|}", c) != NULL) {
			if (buf_printf(out, "%%%c%c", hex[c >> 4],
			    hex[c & 0xf]) == -1)
				return -1;
		} else if (buf_putc(out, c) == -1)
			return -1;
	}
	return 0;
}

static int
md_has_suffix(const char *s, size_t n, const char *suf)
{
	size_t	 k = strlen(suf);

	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

/* gopher://host[:port]/Tselector -> *t and the selector; -1 not usable. */
static int
md_gopher_url(const char *u, size_t n, struct buf *sel, struct md_target *t)
{
	size_t		 i = 9, hs, he, k;
	unsigned long	 port = 70;
	struct buf	 dec;
	int		 rv = -1;

	if (u[i] == '[') {
		while (i < n && u[i] != ']')
			i++;
		if (i == n)
			return -1;
		hs = 9;
		he = ++i;
	} else {
		hs = i;
		while (i < n && u[i] != ':' && u[i] != '/' && u[i] != '?' &&
		    u[i] != '#')
			i++;
		he = i;
	}
	if (he == hs || he - hs >= sizeof(t->host))
		return -1;
	for (k = hs; k < he; k++)
		if (!isalnum((unsigned char)u[k]) &&
		    strchr(".-_[]:", u[k]) == NULL)
			return -1;
	if (i < n && u[i] == ':') {
		port = 0;
		for (i++; i < n && isdigit((unsigned char)u[i]); i++) {
			port = port * 10 + (unsigned long)(u[i] - '0');
			if (port > 65535)
				return -1;
		}
		if (port == 0)
			return -1;
	}
	if (i < n && u[i] != '/')
		return -1;
	memcpy(t->host, u + hs, he - hs);
	t->host[he - hs] = '\0';
	t->port = (unsigned)port;
	t->type = '1';
	if (i + 1 >= n)
		return 0;
	t->type = u[i + 1];
	if (t->type <= ' ' || t->type > '~')
		return -1;
	buf_init(&dec, n);
	if (md_pct_decode(&dec, u + i + 2, n - i - 2) == -1)
		goto done;
	/* A selector cannot carry line or field separators. */
	if (memchr(dec.data ? dec.data : "", '\t', dec.len) != NULL ||
	    memchr(dec.data ? dec.data : "", '\r', dec.len) != NULL ||
	    memchr(dec.data ? dec.data : "", '\n', dec.len) != NULL ||
	    memchr(dec.data ? dec.data : "", '\0', dec.len) != NULL)
		goto done;
	if (sel != NULL &&
	    buf_append(sel, dec.data ? dec.data : "", dec.len) == -1)
		goto done;
	rv = 0;
done:
	buf_free(&dec);
	return rv;
}

int
md_link_map(const char *href, size_t n, const char *base, enum md_format fmt,
    struct buf *out, struct md_target *t)
{
	struct buf	 path, norm;
	size_t		 i, k, slen = 0, last, nlen;
	const char	*name, *slash;
	char		 type;
	int		 rv = -1;

	memset(t, 0, sizeof(*t));
	t->kind = MDL_NONE;
	while (n > 0 && isspace((unsigned char)*href)) {
		href++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)href[n - 1]))
		n--;
	if (n == 0)
		return 0;

	if (isalpha((unsigned char)href[0])) {
		for (i = 1; i < n && (isalnum((unsigned char)href[i]) ||
		    strchr("+-.", href[i]) != NULL); i++)
			;
		if (i < n && href[i] == ':')
			slen = i;
	}
	if (slen > 0) {
		static const char *const drop[] = {
			"javascript", "vbscript", "data", "file",
		};

		for (k = 0; k < sizeof(drop) / sizeof(drop[0]); k++)
			if (slen == strlen(drop[k]) &&
			    strncasecmp(href, drop[k], slen) == 0)
				return 0;
		if (slen == 6 && strncasecmp(href, "gopher", 6) == 0 &&
		    n > 9 && strncmp(href + 6, "://", 3) == 0 &&
		    md_gopher_url(href, n, NULL, t) == 0) {
			t->kind = MDL_GOPHER;
			if (fmt == MD_GEMTEXT)
				return md_url_escape(out, href, n);
			return md_gopher_url(href, n, out, t);
		}
		t->kind = MDL_REMOTE;
		t->type = 'h';
		if (fmt != MD_GEMTEXT && buf_puts(out, "URL:") == -1)
			return -1;
		return md_url_escape(out, href, n);
	}
	if (n >= 2 && href[0] == '/' && href[1] == '/') {
		/* Network-path reference from a web page: the web's scheme. */
		t->kind = MDL_REMOTE;
		t->type = 'h';
		if (buf_puts(out, fmt != MD_GEMTEXT ? "URL:https:" :
		    "https:") == -1)
			return -1;
		return md_url_escape(out, href, n);
	}

	for (k = 0; k < n && href[k] != '?' && href[k] != '#'; k++)
		;
	if (k == 0)
		return 0;		/* "#anchor": plain text */
	if (base == NULL || *base != '/')
		base = "/";
	buf_init(&path, n + strlen(base) + 2);
	buf_init(&norm, n + strlen(base) + 4);
	if (href[0] != '/') {
		slash = strrchr(base, '/');
		if (buf_append(&path, base, (size_t)(slash - base) + 1) == -1)
			goto done;
	}
	if (md_pct_decode(&path, href, k) == -1)
		goto done;
	if (memchr(path.data, '\0', path.len) != NULL) {
		rv = 0;
		goto done;
	}
	if (md_dot_segments(&norm, path.data, path.len) == -1)
		goto done;
	for (last = norm.len; last > 0 && norm.data[last - 1] != '/'; last--)
		;
	name = norm.data + last;
	nlen = norm.len - last;
	t->kind = MDL_LOCAL;
	if (nlen == 0)
		type = '1';
	else if (md_has_suffix(name, nlen, ".md") ||
	    md_has_suffix(name, nlen, ".markdown")) {
		norm.len -= md_has_suffix(name, nlen, ".md") ? 3 : 9;
		nlen = norm.len - last;
		if (nlen == 5 && strncmp(name, "index", 5) == 0)
			norm.len = last;
		else if (fmt == MD_GEMTEXT && buf_puts(&norm, ".gmi") == -1)
			goto done;
		norm.data[norm.len] = '\0';
		type = '1';
	} else if (memchr(name, '.', nlen) == NULL)
		type = '1';		/* a route such as /posts/hello */
	else
		type = mime_gopher_type(name);
	t->type = type;
	rv = url_encode_path(out, norm.data, norm.len);
done:
	buf_free(&path);
	buf_free(&norm);
	return rv;
}

/*-------------------------------------------------------------------
 * Text helpers
 */

/* Start of the character that ends s[0..n). */
static size_t
md_last_char(const char *s, size_t n, int32_t *cp)
{
	size_t	 k = n - 1;

	while (k > 0 && n - k < 4 && ((unsigned char)s[k] & 0xc0) == 0x80)
		k--;
	if (tw_next(s + k, n - k, cp) != n - k) {
		k = n - 1;
		tw_next(s + k, 1, cp);
	}
	return k;
}

/*
 * Append s as one line: soft breaks joined by the CSS rule, hard
 * breaks as spaces, runs of spaces collapsed, both ends trimmed; cut at
 * a character boundary with "…" past max bytes (0: no limit).
 */
static int
md_oneline(struct buf *out, const char *s, size_t n, size_t max)
{
	size_t	 i, l, start = out->len;
	int32_t	 prev, next;
	int	 space = 0;

	for (i = 0; i < n; i += l) {
		l = 1;
		if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t') {
			space = 1;
			continue;
		}
		if (s[i] == MD_SOFT) {
			if (out->len == start || i + 1 >= n)
				continue;
			md_last_char(out->data + start, out->len - start,
			    &prev);
			tw_next(s + i + 1, n - i - 1, &next);
			if (tw_join_space(prev, next))
				space = 1;
			continue;
		}
		if (space && out->len > start && buf_putc(out, ' ') == -1)
			return -1;
		space = 0;
		l = tw_next(s + i, n - i, &next);
		if (max > 0 && out->len - start + l > max) {
			while (out->len > start &&
			    out->data[out->len - 1] == ' ')
				out->len--;
			return buf_puts(out, "…");
		}
		if (buf_append(out, s + i, l) == -1)
			return -1;
	}
	return 0;
}

/* A front matter string (title, tag) as one clean line. */
static int
md_meta_line(struct buf *out, const char *s)
{
	struct buf	 clean;
	int		 rv = -1;

	buf_init(&clean, MD_POOL_MAX);
	if (tw_clean(&clean, s, strlen(s), TW_KEEP_TAB | TW_KEEP_LF) == 0)
		rv = md_oneline(out, clean.data ? clean.data : "", clean.len,
		    0);
	buf_free(&clean);
	return rv;
}

/*-------------------------------------------------------------------
 * The builder
 */

struct mdb_list {
	long	 next;
	int	 ordered;
	long	 number;	/* the current item's, for its other blocks */
	int	 task;
	int	 loose;		/* blank lines between its blocks */
};

/* A soft-broken line: its width, and whether it ends a sentence. */
struct mdb_line {
	size_t	 width;
	int	 end;
};

struct mdb_open {
	size_t	 start;
	size_t	 href;
	int	 image;
	int	 html;
};

struct mdb {
	struct md_doc		*d;
	const struct md_opts	*opts;
	const char		*base;
	struct buf		 text;		/* the block being built */
	struct buf		 tmp;
	int			 open;
	struct md_block		 cur;
	size_t			 line;		/* start of the current line */
	int			 err;

	struct mdb_open		 links[MD_MAXOPEN];
	int			 nopen;
	int			 overflow;	/* opens past MD_MAXOPEN */

	int			 quote;
	int			 depth;
	int			 nest;		/* open containers */
	struct mdb_list		*lists;
	size_t			 nlists, listcap;
	int			 item_pending;
	long			 item_number;
	int			 item_task;

	int			 gopen;
	size_t			 gfirst;
	size_t			 group;		/* group id, for dedup */

	int			 foot_heading;
	size_t			 foot_pending;

	int			 in_table;
	int			 in_cell;
	size_t			*cells;		/* pool offsets */
	size_t			 ncells, cellcap, ncols, rowstart;
	uint8_t			*align;

	int			 hskip;		/* inside script, style... */
	char			 hskip_name[16];
	int			 hquote, hlist, hpre, hcell;
	long			 hnum[MD_HTML_LISTS];
	int			 hordered[MD_HTML_LISTS];

	cmark_node		*title_node;	/* heading equal to the title */
	int			 drop_heading;

	size_t			 soft;		/* soft breaks seen */
	size_t			 wmax;
	size_t			 hist[257];	/* lines not ending a sentence,
						   by width */
	struct mdb_line		*blines;	/* the block's, until it ends */
	size_t			 nblines, blinecap;
	const char		*src;		/* the Markdown, by line */
	size_t			*srclines;	/* line starts, and the end */
	size_t			 nsrclines;

	size_t			*slots;		/* link index + 1, by URL */
	size_t			 nslots, hcount;
	size_t			*refgroup;	/* per ref: last group seen */
	size_t			 refcap;
};

static int	mdb_begin(struct mdb *, enum md_btype);
static int	mdb_end(struct mdb *);
static int	md_heading_text(cmark_node *, struct buf *);

static void
mdb_fail(struct mdb *b)
{
	b->err = 1;
}

static size_t
mdb_pool_str(struct mdb *b, const char *s, size_t n)
{
	size_t	 off = b->d->pool.len;

	if (buf_append(&b->d->pool, s, n) == -1 ||
	    buf_putc(&b->d->pool, '\0') == -1) {
		mdb_fail(b);
		return 0;
	}
	return off;
}

/* Cleaned (valid UTF-8, no controls) copy of s in the pool. */
static size_t
mdb_pool_clean(struct mdb *b, const char *s, size_t n)
{
	size_t	 off = b->d->pool.len;

	if (tw_clean(&b->d->pool, s, n, 0) == -1 ||
	    buf_putc(&b->d->pool, '\0') == -1) {
		mdb_fail(b);
		return 0;
	}
	return off;
}

/* One-line copy of s in the pool. */
static size_t
mdb_pool_line(struct mdb *b, const char *s, size_t n, size_t max)
{
	size_t	 off = b->d->pool.len;

	if (md_oneline(&b->d->pool, s, n, max) == -1 ||
	    buf_putc(&b->d->pool, '\0') == -1) {
		mdb_fail(b);
		return 0;
	}
	return off;
}

static void
mdb_group_end(struct mdb *b)
{
	struct md_block	*last;

	if (!b->gopen)
		return;
	b->gopen = 0;
	if (b->d->nblocks > b->gfirst) {
		last = &b->d->blocks[b->d->nblocks - 1];
		last->gend = 1;
		last->gfirst = b->gfirst;
	}
}

static void
mdb_container_exit(struct mdb *b)
{
	mdb_end(b);
	if (b->nest > 0)
		b->nest--;
	if (b->nest == 0)
		mdb_group_end(b);
}

/* Drop trailing spaces (and breaks when all is set) of the block. */
static void
mdb_trim(struct mdb *b, int all)
{
	struct md_link	*l;
	size_t		 i;
	int		 k;

	while (b->text.len > b->line && b->text.data[b->text.len - 1] == ' ')
		b->text.len--;
	if (all)
		while (b->text.len > 0 && strchr(" \n\x01",
		    b->text.data[b->text.len - 1]) != NULL)
			b->text.len--;
	if (b->line > b->text.len)
		b->line = b->text.len;
	for (k = 0; k < b->nopen; k++)
		if (b->links[k].start > b->text.len)
			b->links[k].start = b->text.len;
	if (b->in_table)
		return;		/* cells: no offsets kept */
	/* Ends only grow: the links to clamp are the last ones. */
	for (i = b->d->nlinks; i > b->cur.link0; i--) {
		l = &b->d->links[i - 1];
		if (l->end == SIZE_MAX)
			continue;	/* not in the text (footer) */
		if (l->end <= b->text.len)
			break;
		l->end = b->text.len;
		if (l->start > b->text.len)
			l->start = b->text.len;
	}
}

/* Inline text: controls dropped, whitespace runs collapsed. */
static int
mdb_text(struct mdb *b, const char *s, size_t n)
{
	size_t	 i, run;

	if (b->hskip)
		return 0;
	if (!b->open) {
		for (i = 0; i < n && isspace((unsigned char)s[i]); i++)
			;
		if (i == n)
			return 0;
		if (mdb_begin(b, MDB_TEXT) == -1)
			return -1;
	}
	for (i = 0; i < n; ) {
		if (isspace((unsigned char)s[i])) {
			if (b->text.len > b->line &&
			    b->text.data[b->text.len - 1] != ' ' &&
			    buf_putc(&b->text, ' ') == -1)
				goto fail;
			i++;
			continue;
		}
		for (run = i; i < n && !isspace((unsigned char)s[i]); i++)
			;
		if (tw_clean(&b->text, s + run, i - run, 0) == -1)
			goto fail;
	}
	return 0;
fail:
	mdb_fail(b);
	return -1;
}

static int
mdb_line_push(struct mdb *b, size_t width, int end)
{
	struct mdb_line	*nl;

	if (b->nblines == b->blinecap) {
		size_t n = b->blinecap ? b->blinecap * 2 : 16;

		if ((nl = reallocarray(b->blines, n, sizeof(*nl))) == NULL) {
			mdb_fail(b);
			return -1;
		}
		b->blines = nl;
		b->blinecap = n;
	}
	b->blines[b->nblines].width = width;
	b->blines[b->nblines++].end = end;
	return 0;
}

/* The block's lines count for the page's decision, unless the block
 * turned out to be only links (images one per line, say). */
static void
mdb_lines_commit(struct mdb *b, int count)
{
	size_t	 i, w;

	for (i = 0; count && i < b->nblines; i++) {
		w = b->blines[i].width;
		b->soft++;
		if (w > b->wmax)
			b->wmax = w;
		if (!b->blines[i].end)
			b->hist[w < 256 ? w : 256]++;
	}
	b->nblines = 0;
}

static int
mdb_soft(struct mdb *b)
{
	if (b->hskip || !b->open)
		return 0;
	mdb_trim(b, 0);
	if (b->text.len == b->line)
		return 0;
	if (buf_putc(&b->text, MD_SOFT) == -1) {
		mdb_fail(b);
		return -1;
	}
	b->line = b->text.len;
	return 0;
}

/*
 * The shape of a paragraph as written, for the page's line-break
 * decision: each source line that ends in a soft break, its width with
 * the markup (authors wrap the source, URLs and all) and whether it
 * ends a sentence (looking past closing markup, quotes and brackets).
 */
static int
mdb_source_lines(struct mdb *b, cmark_node *node)
{
	const char	*s;
	size_t		 l, n, k;
	int		 sl, el;
	int32_t		 cp;

	sl = cmark_node_get_start_line(node);
	el = cmark_node_get_end_line(node);
	l = sl > 0 ? (size_t)sl : 1;
	for (; (int)l < el && l < b->nsrclines; l++) {
		s = b->src + b->srclines[l - 1];
		n = b->srclines[l] - b->srclines[l - 1];
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			n--;
		/* Two spaces or a backslash: a hard break, not a soft one. */
		if ((n >= 2 && s[n - 1] == ' ' && s[n - 2] == ' ') ||
		    (n >= 1 && s[n - 1] == '\\'))
			continue;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		k = md_last_char(s, n, &cp);
		while (k > 0 && ((cp < 0x80 &&
		    strchr(")]\"'*_`~>", cp) != NULL) ||
		    cp == 0x2019 || cp == 0x201d || cp == 0xbb))
			k = md_last_char(s, k, &cp);
		if (mdb_line_push(b, tw_width(s, n),
		    tw_is_sentence_end(cp)) == -1)
			return -1;
	}
	return 0;
}

static int
mdb_hard(struct mdb *b)
{
	if (b->hskip || !b->open)
		return 0;
	mdb_trim(b, 0);
	/* No leading break, and at most one empty line in a row. */
	if (b->text.len == 0 || (b->text.len >= 2 &&
	    b->text.data[b->text.len - 1] == '\n' &&
	    b->text.data[b->text.len - 2] == '\n'))
		return 0;
	if (b->text.data[b->text.len - 1] == MD_SOFT)
		b->text.data[b->text.len - 1] = '\n';
	else if (buf_putc(&b->text, '\n') == -1) {
		mdb_fail(b);
		return -1;
	}
	b->line = b->text.len;
	return 0;
}

/*-------------------------------------------------------------------
 * Links
 */

static uint64_t
mdb_hash(const char *s)
{
	return buf_hash(s, strlen(s));
}

static int
mdb_slots_grow(struct mdb *b)
{
	size_t		*ns, n, i, h;
	struct md_doc	*d = b->d;

	n = b->nslots ? b->nslots * 2 : 64;
	if ((ns = calloc(n, sizeof(*ns))) == NULL)
		return -1;
	for (i = 0; i < b->nslots; i++) {
		if (b->slots[i] == 0)
			continue;
		h = mdb_hash(md_str(d, d->links[b->slots[i] - 1].gem)) &
		    (n - 1);
		while (ns[h] != 0)
			h = (h + 1) & (n - 1);
		ns[h] = b->slots[i];
	}
	free(b->slots);
	b->slots = ns;
	b->nslots = n;
	return 0;
}

/* Number l (about to become links[nlinks]) by its URL; mark repeats
 * within the current group. */
static int
mdb_ref(struct mdb *b, struct md_link *l)
{
	struct md_doc	*d = b->d;
	const char	*key = md_str(d, l->gem);
	size_t		 h, li, *ng;

	if ((b->hcount + 1) * 2 > b->nslots && mdb_slots_grow(b) == -1)
		return -1;
	h = mdb_hash(key) & (b->nslots - 1);
	while (b->slots[h] != 0) {
		li = b->slots[h] - 1;
		if (strcmp(md_str(d, d->links[li].gem), key) == 0) {
			l->ref = d->links[li].ref;
			l->dup = b->refgroup[l->ref - 1] == b->group;
			b->refgroup[l->ref - 1] = b->group;
			return 0;
		}
		h = (h + 1) & (b->nslots - 1);
	}
	if (d->nrefs == b->refcap) {
		size_t n = b->refcap ? b->refcap * 2 : 32;

		if ((ng = reallocarray(b->refgroup, n, sizeof(*ng))) == NULL)
			return -1;
		b->refgroup = ng;
		b->refcap = n;
	}
	b->slots[h] = d->nlinks + 1;
	b->hcount++;
	l->ref = ++d->nrefs;
	l->dup = 0;
	b->refgroup[l->ref - 1] = b->group;
	return 0;
}

static int
mdb_push_link(struct mdb *b, struct md_link *l)
{
	struct md_doc	*d = b->d;
	struct md_link	*nl;

	if (b->err)
		return -1;
	if (d->nlinks == d->lcap) {
		size_t n = d->lcap ? d->lcap * 2 : 16;

		if ((nl = reallocarray(d->links, n, sizeof(*nl))) == NULL)
			goto fail;
		d->links = nl;
		d->lcap = n;
	}
	if (mdb_ref(b, l) == -1)
		goto fail;
	d->links[d->nlinks++] = *l;
	return 0;
fail:
	mdb_fail(b);
	return -1;
}

static int
mdb_link_begin(struct mdb *b, const char *href, size_t n, int image, int html)
{
	struct mdb_open	*o;

	if (b->hskip)
		return 0;
	if (!b->open && mdb_begin(b, MDB_TEXT) == -1)
		return -1;
	if (b->nopen == MD_MAXOPEN) {
		b->overflow++;
		return 0;
	}
	o = &b->links[b->nopen++];
	o->start = b->text.len;
	o->href = mdb_pool_clean(b, href, n);
	o->image = image;
	o->html = html;
	return b->err ? -1 : 0;
}

/* Label of an image without alt text: its file name.  href must not
 * live in the pool, which grows here. */
static size_t
mdb_file_label(struct mdb *b, const char *href)
{
	struct buf	 name;
	size_t		 k, s, off;

	for (k = 0; href[k] != '\0' && href[k] != '?' && href[k] != '#'; k++)
		;
	while (k > 0 && href[k - 1] == '/')
		k--;
	for (s = k; s > 0 && href[s - 1] != '/'; s--)
		;
	if (s == k)
		return mdb_pool_line(b, href, strlen(href), MD_LABEL_MAX);
	buf_init(&name, k - s + 1);
	if (md_pct_decode(&name, href + s, k - s) == -1) {
		buf_free(&name);
		mdb_fail(b);
		return 0;
	}
	off = mdb_pool_line(b, name.data, name.len, MD_LABEL_MAX);
	buf_free(&name);
	return off;
}

/* html: 1 closes the innermost HTML <a>, 0 a Markdown link, -1 any. */
static int
mdb_link_end(struct mdb *b, int html)
{
	struct md_doc		*d = b->d;
	struct mdb_open		 o;
	struct md_link		 l;
	struct md_target	 t;
	const char		*href;

	if (b->hskip && html != -1)
		return 0;
	if (b->overflow > 0) {
		b->overflow--;
		return 0;
	}
	if (b->nopen == 0)
		return 0;
	if (html == 1 && !b->links[b->nopen - 1].html)
		return 0;
	o = b->links[--b->nopen];
	memset(&l, 0, sizeof(l));
	l.image = o.image;
	l.start = o.start;
	l.end = b->in_table ? SIZE_MAX : b->text.len;
	l.bare = o.start == b->text.len;
	l.href = o.href;
	/* The pool grows below: work from a copy of the href. */
	buf_reset(&b->tmp);
	if (buf_puts(&b->tmp, md_str(d, o.href)) == -1)
		goto fail;
	href = b->tmp.data;
	/* Nothing may have been written yet: no buffer to point into. */
	l.label = mdb_pool_line(b, b->text.data ? b->text.data + o.start :
	    "", b->text.len - o.start, MD_LABEL_MAX);
	if (b->err)
		return -1;
	if (*md_str(d, l.label) == '\0')
		l.label = o.image ? mdb_file_label(b, href) :
		    mdb_pool_line(b, href, b->tmp.len, MD_LABEL_MAX);
	if (b->err)
		return -1;
	if (*md_str(d, l.label) == '\0')
		return 0;		/* an empty link: nothing to show */
	l.glabel = l.label;
	l.gem = d->pool.len;
	if (md_link_map(href, b->tmp.len, b->base, MD_GEMTEXT, &d->pool,
	    &t) == -1 || buf_putc(&d->pool, '\0') == -1)
		goto fail;
	if (t.kind == MDL_NONE)
		return 0;
	l.sel = d->pool.len;
	if (md_link_map(href, b->tmp.len, b->base, MD_GOPHERMAP, &d->pool,
	    &t) == -1 || buf_putc(&d->pool, '\0') == -1)
		goto fail;
	l.kind = t.kind;
	l.gtype = t.type;
	l.gport = t.port;
	if (t.kind == MDL_GOPHER)
		l.ghost = mdb_pool_str(b, t.host, strlen(t.host));
	return mdb_push_link(b, &l);
fail:
	mdb_fail(b);
	return -1;
}

/* A link whose targets are already known (page header and footer). */
static int
mdb_fixed_link(struct mdb *b, const char *label, const char *glabel,
    const char *gem, const char *sel)
{
	struct md_link	 l;

	memset(&l, 0, sizeof(l));
	l.label = mdb_pool_str(b, label, strlen(label));
	l.glabel = glabel ? mdb_pool_str(b, glabel, strlen(glabel)) : l.label;
	l.href = l.gem = mdb_pool_str(b, gem, strlen(gem));
	l.sel = mdb_pool_str(b, sel, strlen(sel));
	l.gtype = '1';
	l.kind = MDL_LOCAL;
	l.end = SIZE_MAX;
	return mdb_push_link(b, &l);
}

/*-------------------------------------------------------------------
 * Blocks
 */

static int
mdb_push_block(struct mdb *b)
{
	struct md_doc	*d = b->d;
	struct md_block	*nb, *prev, *blk;

	if (d->nblocks == d->bcap) {
		size_t n = d->bcap ? d->bcap * 2 : 32;

		if ((nb = reallocarray(d->blocks, n, sizeof(*nb))) == NULL) {
			mdb_fail(b);
			return -1;
		}
		d->blocks = nb;
		d->bcap = n;
	}
	blk = &d->blocks[d->nblocks];
	*blk = b->cur;
	blk->text = mdb_pool_str(b, b->text.data ? b->text.data : "",
	    b->text.len);
	blk->len = b->text.len;
	blk->nlinks = d->nlinks - blk->link0;
	blk->gend = 0;
	blk->gfirst = 0;
	if (d->nblocks == 0)
		blk->sep = MDS_NONE;
	else {
		prev = &d->blocks[d->nblocks - 1];
		if (!(b->gopen && b->gfirst < d->nblocks))
			blk->sep = MDS_BLANK;
		else if (blk->depth > 0 && prev->depth > 0)
			blk->sep = b->nlists > 0 &&
			    b->lists[b->nlists - 1].loose ? MDS_BLANK :
			    MDS_NONE;
		else if (blk->quote > 0 && prev->quote > 0)
			blk->sep = MDS_QUOTE;
		else
			blk->sep = MDS_BLANK;
	}
	d->nblocks++;
	return b->err ? -1 : 0;
}

/* Is the block's text only its links (and spaces or punctuation)? */
static int
mdb_only_links(struct mdb *b)
{
	struct md_link	*links = &b->d->links[b->cur.link0];
	size_t		 nl = b->d->nlinks - b->cur.link0, i, k, l;
	int32_t		 cp;

	if (nl > 64 || b->text.len > 8192)
		return 0;
	for (i = 0; i < b->text.len; i += l) {
		l = tw_next(b->text.data + i, b->text.len - i, &cp);
		for (k = 0; k < nl; k++)
			if (links[k].start <= i && i < links[k].end)
				break;
		if (k < nl || cp == '\n' || cp == MD_SOFT ||
		    tw_is_punct_space(cp))
			continue;
		return 0;
	}
	return 1;
}

static int
mdb_item_flush(struct mdb *b)
{
	if (!b->item_pending)
		return 0;
	if (mdb_begin(b, MDB_ITEM) == -1)
		return -1;
	return mdb_end(b);
}

static int
mdb_foot_flush(struct mdb *b)
{
	if (b->foot_pending == 0)
		return 0;
	if (mdb_begin(b, MDB_TEXT) == -1)
		return -1;
	return mdb_end(b);
}

static int
mdb_begin(struct mdb *b, enum md_btype type)
{
	size_t	 foot;

	if (b->open && mdb_end(b) == -1)
		return -1;
	if (b->item_pending && type != MDB_TEXT && type != MDB_ITEM &&
	    mdb_item_flush(b) == -1)
		return -1;
	if (b->foot_pending && type != MDB_TEXT && mdb_foot_flush(b) == -1)
		return -1;
	if (!b->gopen) {
		b->gopen = 1;
		b->gfirst = b->d->nblocks;
		b->group++;
	}
	memset(&b->cur, 0, sizeof(b->cur));
	b->cur.type = type;
	b->cur.quote = b->quote + b->hquote;
	b->cur.depth = b->depth + b->hlist;
	b->cur.number = -1;
	if (b->nlists > 0 && b->hlist == 0) {
		/* Blocks inside an item hang under its text. */
		b->cur.number = b->lists[b->nlists - 1].number;
		b->cur.task = b->lists[b->nlists - 1].task;
	}
	b->cur.link0 = b->d->nlinks;
	buf_reset(&b->text);
	b->line = 0;
	b->nblines = 0;
	b->open = 1;
	if (b->item_pending) {
		b->item_pending = 0;
		b->cur.type = MDB_ITEM;
		b->cur.number = b->item_number;
		b->cur.task = b->item_task;
		if (b->cur.depth < 1)
			b->cur.depth = 1;
	}
	if (b->foot_pending) {
		foot = b->foot_pending;
		b->foot_pending = 0;
		if (buf_printf(&b->text, "[%zu] ", foot) == -1) {
			mdb_fail(b);
			return -1;
		}
		b->line = b->text.len;
	}
	return 0;
}

static int
mdb_end(struct mdb *b)
{
	size_t	 nl;

	if (!b->open)
		return b->err ? -1 : 0;
	while (b->nopen > 0 || b->overflow > 0)
		if (mdb_link_end(b, -1) == -1)
			return -1;
	b->open = 0;
	b->hskip = 0;
	if (b->cur.type == MDB_PRE) {
		while (b->text.len > 0 && b->text.data[b->text.len - 1] == '\n')
			b->text.len--;
	} else if (b->cur.type != MDB_RULE)
		mdb_trim(b, 1);
	nl = b->d->nlinks - b->cur.link0;
	if (b->cur.type == MDB_HEADING && b->drop_heading) {
		b->drop_heading = 0;
		if (nl == 0)
			goto out;
		b->cur.type = MDB_TEXT;
		b->text.len = 0;
		b->cur.inplace = 1;
	} else if ((b->cur.type == MDB_TEXT || b->cur.type == MDB_HEADING) &&
	    b->text.len == 0 && nl == 0)
		goto out;
	else if ((b->cur.type == MDB_TEXT || b->cur.type == MDB_ITEM) &&
	    nl > 0)
		b->cur.inplace = mdb_only_links(b);
	mdb_lines_commit(b, !b->cur.inplace);
	if (mdb_push_block(b) == -1)
		return -1;
out:
	b->nblines = 0;
	if (b->nest == 0)
		mdb_group_end(b);
	return b->err ? -1 : 0;
}

/*-------------------------------------------------------------------
 * Raw HTML: tags and comments dropped, text kept, entities decoded.
 */

static const struct {
	const char	*name;
	int32_t		 cp;
} md_entities[] = {
	{ "AElig", 0xc6 }, { "Auml", 0xc4 }, { "Eacute", 0xc9 },
	{ "Ouml", 0xd6 }, { "Uuml", 0xdc }, { "aacute", 0xe1 },
	{ "acirc", 0xe2 }, { "aelig", 0xe6 }, { "agrave", 0xe0 },
	{ "amp", '&' }, { "apos", '\'' }, { "aring", 0xe5 },
	{ "auml", 0xe4 }, { "bull", 0x2022 }, { "ccedil", 0xe7 },
	{ "cent", 0xa2 }, { "copy", 0xa9 }, { "darr", 0x2193 },
	{ "deg", 0xb0 }, { "divide", 0xf7 }, { "eacute", 0xe9 },
	{ "ecirc", 0xea }, { "egrave", 0xe8 }, { "emsp", 0x2003 },
	{ "ensp", 0x2002 }, { "euml", 0xeb }, { "euro", 0x20ac },
	{ "frac12", 0xbd }, { "gt", '>' }, { "harr", 0x2194 },
	{ "hearts", 0x2665 }, { "hellip", 0x2026 }, { "iacute", 0xed },
	{ "iexcl", 0xa1 }, { "iquest", 0xbf }, { "laquo", 0xab },
	{ "larr", 0x2190 }, { "ldquo", 0x201c }, { "lsquo", 0x2018 },
	{ "lt", '<' }, { "mdash", 0x2014 }, { "middot", 0xb7 },
	{ "nbsp", 0xa0 }, { "ndash", 0x2013 }, { "ntilde", 0xf1 },
	{ "oacute", 0xf3 }, { "ocirc", 0xf4 }, { "ouml", 0xf6 },
	{ "para", 0xb6 }, { "plusmn", 0xb1 }, { "pound", 0xa3 },
	{ "quot", '"' }, { "raquo", 0xbb }, { "rarr", 0x2192 },
	{ "rdquo", 0x201d }, { "reg", 0xae }, { "rsquo", 0x2019 },
	{ "sect", 0xa7 }, { "shy", 0xad }, { "szlig", 0xdf },
	{ "thinsp", 0x2009 }, { "times", 0xd7 }, { "trade", 0x2122 },
	{ "uacute", 0xfa }, { "uarr", 0x2191 }, { "uuml", 0xfc },
	{ "yen", 0xa5 }, { "zwj", 0x200d }, { "zwnj", 0x200c },
};

/* Append s with character references decoded. */
static int
md_decode_entities(struct buf *out, const char *s, size_t n)
{
	size_t		 i, j, k;
	int32_t		 cp;
	int		 hex, d;

	for (i = 0; i < n; i++) {
		if (s[i] != '&')
			goto literal;
		j = i + 1;
		if (j < n && s[j] == '#') {
			hex = ++j < n && (s[j] == 'x' || s[j] == 'X');
			j += hex;
			for (cp = 0, k = j; k < n && k - j < 8; k++) {
				if (hex)
					d = url_hexval((unsigned char)s[k]);
				else
					d = isdigit((unsigned char)s[k]) ?
					    s[k] - '0' : -1;
				if (d < 0)
					break;
				cp = cp * (hex ? 16 : 10) + d;
			}
			if (k == j || k >= n || s[k] != ';')
				goto literal;
			if (cp == 0 || cp > 0x10ffff ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				cp = 0xfffd;
			if (tw_put(out, cp) == -1)
				return -1;
			i = k;
			continue;
		}
		for (k = j; k < n && k - j < 10 && isalnum((unsigned char)s[k]);
		    k++)
			;
		if (k == j || k >= n || s[k] != ';')
			goto literal;
		for (d = 0; d < (int)(sizeof(md_entities) /
		    sizeof(md_entities[0])); d++)
			if (strlen(md_entities[d].name) == k - j &&
			    strncmp(md_entities[d].name, s + j, k - j) == 0)
				break;
		if (d == (int)(sizeof(md_entities) / sizeof(md_entities[0])))
			goto literal;
		if (tw_put(out, md_entities[d].cp) == -1)
			return -1;
		i = k;
		continue;
literal:
		if (buf_putc(out, s[i]) == -1)
			return -1;
	}
	return 0;
}

struct md_tag {
	char		 name[16];
	int		 closing;
	int		 selfclose;
	const char	*href, *src, *alt, *title, *start;
	size_t		 hreflen, srclen, altlen, titlelen, startlen;
};

/* Parse the tag at s[0] == '<'; returns its length, 0 if not a tag. */
static size_t
md_tag_parse(const char *s, size_t n, struct md_tag *t)
{
	size_t	 i = 1, k, ns, ne, vs, ve;
	char	 q;

	memset(t, 0, sizeof(*t));
	if (i < n && s[i] == '/') {
		t->closing = 1;
		i++;
	}
	if (i >= n || !isalpha((unsigned char)s[i]))
		return 0;
	for (k = 0; i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' ||
	    s[i] == ':'); i++)
		if (k < sizeof(t->name) - 1)
			t->name[k++] = (char)tolower((unsigned char)s[i]);
	t->name[k] = '\0';
	for (;;) {
		while (i < n && (isspace((unsigned char)s[i]) || s[i] == '/')) {
			if (s[i] == '/')
				t->selfclose = 1;
			i++;
		}
		if (i >= n)
			return n;	/* unterminated: drop the rest */
		if (s[i] == '>')
			return i + 1;
		t->selfclose = 0;
		ns = i;
		while (i < n && !isspace((unsigned char)s[i]) && s[i] != '=' &&
		    s[i] != '>' && s[i] != '/')
			i++;
		ne = i;
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		vs = ve = i;
		if (i < n && s[i] == '=') {
			i++;
			while (i < n && isspace((unsigned char)s[i]))
				i++;
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				q = s[i++];
				vs = i;
				while (i < n && s[i] != q)
					i++;
				ve = i;
				if (i < n)
					i++;
			} else {
				vs = i;
				while (i < n && !isspace((unsigned char)s[i]) &&
				    s[i] != '>')
					i++;
				ve = i;
			}
		}
		if (ne == ns) {
			i++;
			continue;
		}
#define MD_ATTR(a)							\
		if (ne - ns == sizeof(#a) - 1 &&			\
		    strncasecmp(s + ns, #a, ne - ns) == 0) {		\
			t->a = s + vs;					\
			t->a##len = ve - vs;				\
		}
		MD_ATTR(href)
		MD_ATTR(src)
		MD_ATTR(alt)
		MD_ATTR(title)
		MD_ATTR(start)
#undef MD_ATTR
	}
}

static int
md_tag_is(const struct md_tag *t, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(t->name, *names) == 0)
			return 1;
	return 0;
}

/* A link from an HTML attribute (href, src), entities decoded. */
static int
mdb_html_link_begin(struct mdb *b, const char *v, size_t n, int image)
{
	buf_reset(&b->tmp);
	if (md_decode_entities(&b->tmp, v, n) == -1) {
		mdb_fail(b);
		return -1;
	}
	return mdb_link_begin(b, b->tmp.data ? b->tmp.data : "", b->tmp.len,
	    image, 1);
}

static int
mdb_html_text(struct mdb *b, const char *s, size_t n)
{
	struct buf	 dec;
	size_t		 k;
	int		 rv = 0;

	if (b->hskip || n == 0)
		return 0;
	buf_init(&dec, n + 16);
	if (md_decode_entities(&dec, s, n) == -1)
		rv = -1;
	else if (b->hpre && b->open) {
		/* As in HTML, a newline right after <pre> is not content. */
		k = b->text.len == 0 && dec.len > 0 && dec.data[0] == '\n';
		if (tw_clean(&b->text, dec.data + k, dec.len - k,
		    TW_KEEP_TAB | TW_KEEP_LF) == -1)
			rv = -1;
	} else if (dec.len > 0)
		rv = mdb_text(b, dec.data, dec.len);
	buf_free(&dec);
	if (rv == -1)
		mdb_fail(b);
	return rv;
}

static int
mdb_html_tag(struct mdb *b, const struct md_tag *t, int inl)
{
	static const char *const skip[] = {
		"script", "style", "iframe", "form", "noscript", "template",
		"svg", "object", "select", "textarea", "head", NULL
	};
	static const char *const media[] = {
		"iframe", "video", "audio", "source", "embed", NULL
	};
	static const char *const blocks[] = {
		"p", "div", "section", "article", "header", "footer", "nav",
		"aside", "main", "figure", "figcaption", "details", "summary",
		"dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
		"caption", "center", "address", "fieldset", "body", "html",
		"ul", "ol", "li", "blockquote", "pre", "h1", "h2", "h3", "h4",
		"h5", "h6", "hr", "tr", NULL
	};
	int	 level, k;
	long	 start;

	if (strcmp(t->name, "br") == 0)
		return mdb_hard(b);
	if (strcmp(t->name, "a") == 0) {
		if (t->closing)
			return mdb_link_end(b, 1);
		if (t->href != NULL)
			return mdb_html_link_begin(b, t->href, t->hreflen, 0);
		return 0;
	}
	if (strcmp(t->name, "img") == 0) {
		if (t->closing || t->src == NULL)
			return 0;
		if (mdb_html_link_begin(b, t->src, t->srclen, 1) == -1 ||
		    (t->alt != NULL &&
		    mdb_html_text(b, t->alt, t->altlen) == -1))
			return -1;
		return mdb_link_end(b, 1);
	}
	if (!t->closing && md_tag_is(t, media) && t->src != NULL) {
		if (mdb_html_link_begin(b, t->src, t->srclen, 0) == -1 ||
		    (t->title != NULL &&
		    mdb_html_text(b, t->title, t->titlelen) == -1) ||
		    mdb_link_end(b, 1) == -1)
			return -1;
	}
	if (!t->closing && !t->selfclose && md_tag_is(t, skip)) {
		b->hskip = 1;
		memcpy(b->hskip_name, t->name, sizeof(b->hskip_name));
		return 0;
	}
	if (strcmp(t->name, "td") == 0 || strcmp(t->name, "th") == 0) {
		if (t->closing || b->hcell++ == 0 || !b->open)
			return 0;
		mdb_trim(b, 0);
		if (buf_puts(&b->text, " | ") == -1) {
			mdb_fail(b);
			return -1;
		}
		return 0;
	}
	if (!md_tag_is(t, blocks))
		return 0;
	if (inl) {
		/* Block tags inside a paragraph: at most a line break. */
		if (strcmp(t->name, "p") == 0 || strcmp(t->name, "div") == 0 ||
		    strcmp(t->name, "li") == 0 || strcmp(t->name, "tr") == 0)
			return mdb_hard(b);
		return 0;
	}
	if (strcmp(t->name, "tr") == 0) {
		b->hcell = 0;
		return t->closing ? mdb_hard(b) : 0;
	}
	if (b->hpre && strcmp(t->name, "pre") != 0)
		return 0;
	if (mdb_end(b) == -1)
		return -1;
	if (t->name[0] == 'h' && t->name[1] >= '1' && t->name[1] <= '6') {
		level = t->name[1] - '0';
		if (!t->closing) {
			if (mdb_begin(b, MDB_HEADING) == -1)
				return -1;
			b->cur.level = level > 3 ? 3 : level;
		}
	} else if (strcmp(t->name, "li") == 0) {
		if (!t->closing) {
			if (mdb_begin(b, MDB_ITEM) == -1)
				return -1;
			if (b->cur.depth < 1)
				b->cur.depth = 1;
			k = b->hlist - 1;
			if (k >= 0 && k < MD_HTML_LISTS && b->hordered[k])
				b->cur.number = b->hnum[k]++;
		}
	} else if (strcmp(t->name, "ul") == 0 || strcmp(t->name, "ol") == 0) {
		if (t->closing) {
			if (b->hlist > 0)
				b->hlist--;
		} else {
			k = b->hlist++;
			if (k < MD_HTML_LISTS) {
				start = t->start ?
				    strtol(t->start, NULL, 10) : 1;
				b->hordered[k] = t->name[0] == 'o';
				b->hnum[k] = start;
			}
		}
	} else if (strcmp(t->name, "blockquote") == 0) {
		if (t->closing) {
			if (b->hquote > 0)
				b->hquote--;
		} else
			b->hquote++;
	} else if (strcmp(t->name, "pre") == 0) {
		if (t->closing)
			b->hpre = 0;
		else {
			if (mdb_begin(b, MDB_PRE) == -1)
				return -1;
			b->cur.alt = 0;
			b->hpre = 1;
		}
	} else if (strcmp(t->name, "hr") == 0) {
		if (mdb_begin(b, MDB_RULE) == -1 || mdb_end(b) == -1)
			return -1;
	}
	return 0;
}

/* Raw HTML, a whole block (inl = 0) or one inline tag (inl = 1). */
static int
mdb_html(struct mdb *b, const char *s, size_t n, int inl)
{
	struct md_tag	 t;
	size_t		 i = 0, ts = 0, k;
	const char	*e;

	while (i < n) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if (mdb_html_text(b, s + ts, i - ts) == -1)
			return -1;
		if (n - i >= 4 && strncmp(s + i, "<!--", 4) == 0) {
			e = memmem(s + i + 4, n - i - 4, "-->", 3);
			i = e != NULL ? (size_t)(e - s) + 3 : n;
		} else if (i + 1 < n && (s[i + 1] == '!' || s[i + 1] == '?')) {
			e = memchr(s + i, '>', n - i);
			i = e != NULL ? (size_t)(e - s) + 1 : n;
		} else if ((k = md_tag_parse(s + i, n - i, &t)) > 0) {
			i += k;
			if (b->hskip) {
				if (t.closing &&
				    strcmp(t.name, b->hskip_name) == 0)
					b->hskip = 0;
			} else if (mdb_html_tag(b, &t, inl) == -1)
				return -1;
		} else {
			ts = i++;
			continue;
		}
		ts = i;
	}
	return mdb_html_text(b, s + ts, n - ts);
}

/*-------------------------------------------------------------------
 * Tables: cells collected, then one preformatted block.
 */

static int
mdb_cell_push(struct mdb *b, size_t off)
{
	size_t	*nc;

	if (b->ncells == b->cellcap) {
		size_t n = b->cellcap ? b->cellcap * 2 : 64;

		if ((nc = reallocarray(b->cells, n, sizeof(*nc))) == NULL) {
			mdb_fail(b);
			return -1;
		}
		b->cells = nc;
		b->cellcap = n;
	}
	b->cells[b->ncells++] = off;
	return 0;
}

static int
mdb_table_row_end(struct mdb *b)
{
	/* Rows short of cells are padded; pool offset 0 is "". */
	while (b->ncells - b->rowstart < b->ncols)
		if (mdb_cell_push(b, 0) == -1)
			return -1;
	return 0;
}

static int
mdb_table_end(struct mdb *b)
{
	struct md_doc	*d = b->d;
	size_t		*w, r, c, nrows, cw, pad, left;
	const char	*s;
	int		 rv = -1;

	b->in_table = 0;
	if (b->ncols == 0)
		return mdb_end(b);
	if ((w = calloc(b->ncols, sizeof(*w))) == NULL) {
		mdb_fail(b);
		return -1;
	}
	nrows = b->ncells / b->ncols;
	for (r = 0; r < nrows; r++)
		for (c = 0; c < b->ncols; c++) {
			s = md_str(d, b->cells[r * b->ncols + c]);
			cw = tw_width(s, strlen(s));
			if (cw > w[c])
				w[c] = cw;
		}
	buf_reset(&b->text);
	for (r = 0; r < nrows; r++) {
		if (r > 0 && buf_putc(&b->text, '\n') == -1)
			goto done;
		for (c = 0; c < b->ncols; c++) {
			s = md_str(d, b->cells[r * b->ncols + c]);
			pad = w[c] - tw_width(s, strlen(s));
			switch (b->align[c]) {
			case 'r':
				left = pad;
				break;
			case 'c':
				left = pad / 2;
				break;
			default:
				left = 0;
			}
			if ((c > 0 && buf_puts(&b->text, "  ") == -1) ||
			    buf_printf(&b->text, "%*s%s%*s", (int)left, "", s,
			    (int)(pad - left), "") == -1)
				goto done;
		}
		while (b->text.len > 0 && b->text.data[b->text.len - 1] == ' ')
			b->text.len--;
		if (r == 0) {
			if (buf_putc(&b->text, '\n') == -1)
				goto done;
			for (c = 0; c < b->ncols; c++) {
				if (c > 0 && buf_puts(&b->text, "  ") == -1)
					goto done;
				for (cw = 0; cw < (w[c] ? w[c] : 1); cw++)
					if (buf_putc(&b->text, '-') == -1)
						goto done;
			}
		}
	}
	b->cur.alt = mdb_pool_str(b, "table", 5);
	rv = mdb_end(b);
done:
	if (rv == -1)
		mdb_fail(b);
	free(w);
	return rv;
}

static int
mdb_table(struct mdb *b, cmark_node *node, const char *type, int enter)
{
	uint8_t	*al;

	if (strcmp(type, "table") == 0) {
		if (!enter)
			return mdb_table_end(b);
		if (mdb_begin(b, MDB_PRE) == -1)
			return -1;
		b->in_table = 1;
		b->ncells = b->rowstart = 0;
		b->ncols = cmark_gfm_extensions_get_table_columns(node);
		free(b->align);
		if ((b->align = calloc(b->ncols + 1, 1)) == NULL) {
			mdb_fail(b);
			return -1;
		}
		al = cmark_gfm_extensions_get_table_alignments(node);
		if (al != NULL)
			memcpy(b->align, al, b->ncols);
		return 0;
	}
	if (!b->in_table)
		return 0;
	if (strcmp(type, "table_row") == 0 ||
	    strcmp(type, "table_header") == 0) {
		if (enter)
			b->rowstart = b->ncells;
		else
			return mdb_table_row_end(b);
		return 0;
	}
	if (strcmp(type, "table_cell") == 0) {
		if (enter) {
			buf_reset(&b->text);
			b->line = 0;
			b->in_cell = 1;
			return 0;
		}
		while (b->nopen > 0 || b->overflow > 0)
			if (mdb_link_end(b, -1) == -1)
				return -1;
		b->in_cell = 0;
		b->hskip = 0;
		if (b->ncells - b->rowstart >= b->ncols)
			return 0;
		return mdb_cell_push(b, mdb_pool_line(b, b->text.data ?
		    b->text.data : "", b->text.len, 0));
	}
	return 0;
}

/*-------------------------------------------------------------------
 * The walk
 */

/*
 * Alt text of a fenced block: the info string, with Zenn's "js:app.js"
 * (language, then file name) written "js app.js", ":app.js" "app.js".
 */
static size_t
mdb_code_info(struct mdb *b, const char *info)
{
	size_t	 n = strlen(info), k, w, off;

	/* The word holding the first ':' ("diff js:app.js" too). */
	if ((k = strcspn(info, ":")) == n || k + 1 == n ||
	    isspace((unsigned char)info[k + 1]))
		return mdb_pool_line(b, info, n, 0);
	for (w = k; w > 0 && !isspace((unsigned char)info[w - 1]); w--)
		if (!isalnum((unsigned char)info[w - 1]) &&
		    strchr("+-#._", info[w - 1]) == NULL)
			return mdb_pool_line(b, info, n, 0);
	buf_reset(&b->tmp);
	if ((k > w && (buf_append(&b->tmp, info, k) == -1 ||
	    buf_putc(&b->tmp, ' ') == -1)) ||
	    (k == w && buf_append(&b->tmp, info, k) == -1) ||
	    buf_append(&b->tmp, info + k + 1, n - k - 1) == -1) {
		mdb_fail(b);
		return 0;
	}
	off = mdb_pool_line(b, b->tmp.data, b->tmp.len, 0);
	return off;
}

static int
mdb_code(struct mdb *b, cmark_node *node)
{
	const char	*info = cmark_node_get_fence_info(node);
	const char	*lit = cmark_node_get_literal(node);

	if (mdb_begin(b, MDB_PRE) == -1)
		return -1;
	if (info != NULL)
		b->cur.alt = mdb_code_info(b, info);
	if (lit != NULL && tw_clean(&b->text, lit, strlen(lit),
	    TW_KEEP_TAB | TW_KEEP_LF) == -1) {
		mdb_fail(b);
		return -1;
	}
	return mdb_end(b);
}

static int
mdb_task_checked(cmark_node *node)
{
	return cmark_gfm_extensions_get_tasklist_item_checked(node);
}

static int
mdb_list_push(struct mdb *b, cmark_node *node)
{
	struct mdb_list	*nl;

	if (b->nlists == b->listcap) {
		size_t n = b->listcap ? b->listcap * 2 : 8;

		if ((nl = reallocarray(b->lists, n, sizeof(*nl))) == NULL) {
			mdb_fail(b);
			return -1;
		}
		b->lists = nl;
		b->listcap = n;
	}
	nl = &b->lists[b->nlists++];
	nl->ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
	nl->next = cmark_node_get_list_start(node);
	nl->number = -1;
	nl->task = 0;
	nl->loose = !cmark_node_get_list_tight(node);
	return 0;
}

static int
mdb_node(struct mdb *b, cmark_node *node, int enter)
{
	const char	*lit, *type;
	struct mdb_list	*l;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_DOCUMENT:
		return 0;
	case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_HTML_BLOCK:
	case CMARK_NODE_THEMATIC_BREAK:
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
	case CMARK_NODE_SOFTBREAK:
	case CMARK_NODE_LINEBREAK:
	case CMARK_NODE_HTML_INLINE:
	case CMARK_NODE_FOOTNOTE_REFERENCE:
		/* Leaves: whether the iterator also exits them varies. */
		if (!enter)
			return 0;
		break;
	default:
		break;
	}
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_DOCUMENT:
		return 0;
	case CMARK_NODE_BLOCK_QUOTE:
		if (enter) {
			if (mdb_end(b) == -1 || mdb_item_flush(b) == -1)
				return -1;
			b->quote++;
			b->nest++;
		} else {
			mdb_container_exit(b);
			b->quote--;
		}
		return b->err ? -1 : 0;
	case CMARK_NODE_LIST:
		if (enter) {
			if (mdb_end(b) == -1 || mdb_item_flush(b) == -1 ||
			    mdb_list_push(b, node) == -1)
				return -1;
			b->depth++;
			b->nest++;
		} else {
			mdb_container_exit(b);
			b->nlists--;
			b->depth--;
		}
		return b->err ? -1 : 0;
	case CMARK_NODE_ITEM:
		if (mdb_end(b) == -1 || mdb_item_flush(b) == -1)
			return -1;
		if (enter && b->nlists > 0) {
			l = &b->lists[b->nlists - 1];
			b->item_pending = 1;
			b->item_number = l->ordered ? l->next++ : -1;
			b->item_task = 0;
			type = cmark_node_get_type_string(node);
			if (type != NULL && strcmp(type, "tasklist") == 0)
				b->item_task = mdb_task_checked(node) ? 2 : 1;
			l->number = b->item_number;
			l->task = b->item_task;
		}
		return 0;
	case CMARK_NODE_CODE_BLOCK:
		return mdb_code(b, node);
	case CMARK_NODE_HTML_BLOCK:
		if (mdb_end(b) == -1)
			return -1;
		b->nest++;
		lit = cmark_node_get_literal(node);
		if (lit != NULL && mdb_html(b, lit, strlen(lit), 0) == -1)
			return -1;
		mdb_container_exit(b);
		b->hquote = b->hlist = b->hpre = b->hcell = b->hskip = 0;
		return b->err ? -1 : 0;
	case CMARK_NODE_PARAGRAPH:
		if (enter)
			return mdb_begin(b, MDB_TEXT);
		if (b->open && mdb_source_lines(b, node) == -1)
			return -1;
		return mdb_end(b);
	case CMARK_NODE_HEADING:
		if (!enter)
			return mdb_end(b);
		if (mdb_begin(b, MDB_HEADING) == -1)
			return -1;
		b->cur.level = cmark_node_get_heading_level(node);
		if (b->cur.level > 3)
			b->cur.level = 3;
		if (b->cur.level < 1)
			b->cur.level = 1;
		b->drop_heading = node == b->title_node;
		return 0;
	case CMARK_NODE_THEMATIC_BREAK:
		if (mdb_begin(b, MDB_RULE) == -1)
			return -1;
		return mdb_end(b);
	case CMARK_NODE_FOOTNOTE_DEFINITION:
		if (!enter) {
			if (mdb_foot_flush(b) == -1)
				return -1;
			mdb_container_exit(b);
			return b->err ? -1 : 0;
		}
		if (mdb_end(b) == -1)
			return -1;
		if (!b->foot_heading) {
			b->foot_heading = 1;
			if (mdb_begin(b, MDB_HEADING) == -1 ||
			    buf_puts(&b->text, "Footnotes") == -1)
				return -1;
			b->cur.level = 2;
			if (mdb_end(b) == -1)
				return -1;
		}
		b->foot_pending = ++b->d->nfoot;
		b->nest++;
		return 0;
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
		lit = cmark_node_get_literal(node);
		return lit != NULL ? mdb_text(b, lit, strlen(lit)) : 0;
	case CMARK_NODE_SOFTBREAK:
		return mdb_soft(b);
	case CMARK_NODE_LINEBREAK:
		return mdb_hard(b);
	case CMARK_NODE_HTML_INLINE:
		lit = cmark_node_get_literal(node);
		return lit != NULL ? mdb_html(b, lit, strlen(lit), 1) : 0;
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		if (!enter)
			return mdb_link_end(b, 0);
		lit = cmark_node_get_url(node);
		if (lit == NULL)
			lit = "";
		return mdb_link_begin(b, lit, strlen(lit),
		    cmark_node_get_type(node) == CMARK_NODE_IMAGE, 0);
	case CMARK_NODE_FOOTNOTE_REFERENCE:
		lit = cmark_node_get_literal(node);
		if (b->hskip || lit == NULL)
			return 0;
		if (!b->open && mdb_begin(b, MDB_TEXT) == -1)
			return -1;
		if (buf_printf(&b->text, "[%s]", lit) == -1) {
			mdb_fail(b);
			return -1;
		}
		return 0;
	default:
		type = cmark_node_get_type_string(node);
		if (type != NULL && strncmp(type, "table", 5) == 0)
			return mdb_table(b, node, type, enter);
		return 0;
	}
}

static int
mdb_walk(struct mdb *b, cmark_node *root)
{
	cmark_iter		*it;
	cmark_event_type	 ev;
	int			 rv = 0;

	if ((it = cmark_iter_new(root)) == NULL)
		return -1;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (mdb_node(b, cmark_iter_get_node(it),
		    ev == CMARK_EVENT_ENTER) == -1 || b->err) {
			rv = -1;
			break;
		}
	}
	cmark_iter_free(it);
	return rv;
}

/*-------------------------------------------------------------------
 * Line breaks: the page's decision, then applied to every block.
 */

/*
 * Hard-wrapped prose breaks lines mid-sentence at a nearly constant
 * width, ending a sentence at a line end only by chance (a fifth of the
 * time, say); one-line-per-paragraph writing (Zenn, Hatena, note) ends
 * its lines at sentence ends or at ragged widths.  Keep the lines when
 * at least two thirds of the soft-broken lines look written that way.
 */
static int
mdb_decide(const struct mdb *b)
{
	size_t	 thr, h = 0, w;

	if (b->soft == 0)
		return 0;
	thr = b->wmax * 6 / 10;
	if (thr < 30)
		thr = 30;
	for (w = thr < 256 ? thr : 256; w <= 256; w++)
		h += b->hist[w];
	return h * 3 <= b->soft;
}

static void
mdb_resolve(struct md_doc *d, int keep)
{
	struct md_block	*blk;
	struct md_link	*l, *le;
	char		*s;
	size_t		 i, r, w, n;
	int32_t		 prev, next;
	int		 join;

	for (i = 0; i < d->nblocks; i++) {
		blk = &d->blocks[i];
		if (blk->type == MDB_PRE || blk->type == MDB_RULE)
			continue;
		if (d->pool.data == NULL)
			break;		/* no text anywhere */
		s = d->pool.data + blk->text;
		n = blk->len;
		/* No links at all: links is NULL, and NULL + 0 is UB. */
		l = le = NULL;
		if (blk->nlinks > 0) {
			l = d->links + blk->link0;
			le = l + blk->nlinks;
		}
		join = !keep || blk->type == MDB_HEADING;
		for (r = w = 0; r < n; r++) {
			for (; l < le && (l->end == SIZE_MAX || l->end <= r);
			    l++)
				if (l->end != SIZE_MAX)
					l->end = w;
			if (s[r] == '\n' && blk->type == MDB_HEADING)
				s[r] = MD_SOFT;
			if (s[r] != MD_SOFT) {
				s[w++] = s[r];
				continue;
			}
			if (!join) {
				s[w++] = '\n';
				continue;
			}
			if (w == 0 || s[w - 1] == ' ' || s[w - 1] == '\n')
				continue;
			if (r + 1 >= n)
				continue;
			md_last_char(s, w, &prev);
			tw_next(s + r + 1, n - r - 1, &next);
			if (tw_join_space(prev, next))
				s[w++] = ' ';
		}
		for (; l < le; l++)
			if (l->end != SIZE_MAX)
				l->end = w;
		s[w] = '\0';
		blk->len = w;
	}
	d->breaks = keep;
}

/*-------------------------------------------------------------------
 * Page header and footer
 */

static int
mdb_header(struct mdb *b, cmark_node *root)
{
	const struct page_meta	*m = b->opts->meta;
	struct buf		 title, head;
	cmark_iter		*it;
	cmark_node		*h = NULL;
	cmark_event_type	 ev;
	struct tm		 tm;
	time_t			 t;
	size_t			 i;
	int			 rv = -1;

	buf_init(&title, MD_POOL_MAX);
	buf_init(&head, MD_POOL_MAX);
	if ((it = cmark_iter_new(root)) == NULL)
		goto done;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(
		    cmark_iter_get_node(it)) == CMARK_NODE_HEADING) {
			h = cmark_iter_get_node(it);
			break;
		}
	cmark_iter_free(it);
	if (h != NULL && md_heading_text(h, &head) == -1)
		goto done;
	if (m != NULL && m->title != NULL &&
	    md_meta_line(&title, m->title) == -1)
		goto done;
	if (title.len == 0 && head.len > 0 &&
	    buf_append(&title, head.data, head.len) == -1)
		goto done;
	if (title.len == 0 && b->opts->fallback_title != NULL &&
	    md_meta_line(&title, b->opts->fallback_title) == -1)
		goto done;
	if (title.len == 0 && buf_puts(&title, "Untitled") == -1)
		goto done;
	if (h != NULL && head.len == title.len &&
	    strncasecmp(head.data, title.data, title.len) == 0)
		b->title_node = h;

	if (mdb_begin(b, MDB_HEADING) == -1 ||
	    tw_clean(&b->text, title.data, title.len, 0) == -1)
		goto done;
	b->cur.level = 1;
	if (mdb_end(b) == -1)
		goto done;
	buf_reset(&title);
	if (m != NULL && m->has_date) {
		t = m->date + (time_t)m->tzoff * 60;
		if (gmtime_r(&t, &tm) == NULL || buf_printf(&title,
		    "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday) == -1)
			goto done;
	}
	for (i = 0; m != NULL && i < m->ntags; i++) {
		if (m->tags[i] == NULL || *m->tags[i] == '\0')
			continue;
		if (buf_puts(&title, i == 0 ? (title.len ? " · tags: " :
		    "tags: ") : ", ") == -1 ||
		    md_meta_line(&title, m->tags[i]) == -1)
			goto done;
	}
	if (title.len > 0) {
		if (mdb_begin(b, MDB_TEXT) == -1 ||
		    tw_clean(&b->text, title.data, title.len, 0) == -1 ||
		    mdb_end(b) == -1)
			goto done;
		b->d->blocks[b->d->nblocks - 1].sep = MDS_NONE;
	}
	/* The cover image, unless the page shows it itself. */
	if (m != NULL && m->image != NULL && *m->image != '\0' &&
	    (b->src == NULL || memmem(b->src, b->srclines[b->nsrclines],
	    m->image, strlen(m->image)) == NULL)) {
		if (mdb_begin(b, MDB_TEXT) == -1 || mdb_link_begin(b,
		    m->image, strlen(m->image), 1, 0) == -1 ||
		    mdb_link_end(b, 0) == -1 || mdb_end(b) == -1)
			goto done;
	}
	rv = 0;
done:
	buf_free(&title);
	buf_free(&head);
	if (rv == -1)
		mdb_fail(b);
	return rv;
}

static int
mdb_footer(struct mdb *b)
{
	const struct page_meta	*m = b->opts->meta;
	struct buf		 tag, gem, sel, label;
	size_t			 i;
	int			 rv = -1;

	buf_init(&tag, MD_POOL_MAX);
	buf_init(&gem, MD_POOL_MAX);
	buf_init(&sel, MD_POOL_MAX);
	buf_init(&label, MD_POOL_MAX);
	if (mdb_begin(b, MDB_TEXT) == -1)
		goto done;
	for (i = 0; m != NULL && i < m->ntags; i++) {
		if (m->tags[i] == NULL)
			continue;
		buf_reset(&tag);
		buf_reset(&gem);
		buf_reset(&sel);
		buf_reset(&label);
		if (md_meta_line(&tag, m->tags[i]) == -1)
			goto done;
		if (tag.len == 0)
			continue;
		if (buf_puts(&gem, "/tags/") == -1 ||
		    url_encode_path(&gem, tag.data, tag.len) == -1 ||
		    buf_append(&sel, gem.data, gem.len) == -1 ||
		    buf_puts(&gem, ".gmi") == -1 ||
		    buf_printf(&label, "Tag: %s", tag.data) == -1 ||
		    mdb_fixed_link(b, label.data, NULL, gem.data,
		    sel.data) == -1)
			goto done;
	}
	if (mdb_fixed_link(b, "Gemlog", "Phlog", "/gemlog/",
	    "/gemlog/") == -1 ||
	    mdb_fixed_link(b, "Home", NULL, "/", "/") == -1)
		goto done;
	rv = mdb_end(b);
	if (rv == 0)
		b->d->blocks[b->d->nblocks - 1].inplace = 1;
done:
	buf_free(&tag);
	buf_free(&gem);
	buf_free(&sel);
	buf_free(&label);
	if (rv == -1)
		mdb_fail(b);
	return rv;
}

/*-------------------------------------------------------------------
 * Generator syntax.  Blog folders carry their generator's markup on top
 * of Markdown: Hugo shortcodes, Jekyll Liquid and Kramdown attribute
 * lists, Zenn's ::: blocks and @[embeds], GitHub alerts, Hatena's
 * [f:id:...] photos and [url:title] links.  One pass over the source
 * rewrites them into plain Markdown (links, images, quotes, fenced code)
 * or drops them, before cmark-gfm parses the page.  Text inside code
 * fences and code spans is left alone, except the escapes Hugo and
 * Jekyll authors write there so that their generator shows a tag
 * literally (a shortcode wrapped in a comment, {% raw %}).  Every
 * search for a closing mark is bounded and cached, so hostile input
 * stays linear.
 */

#define GEN_SCAN_MAX	4096	/* bytes a tag may span */
#define GEN_MAXQUOTE	8	/* nested ::: blocks kept as quotes */
#define GEN_MAXARGS	16	/* shortcode arguments kept */
#define GEN_MAXWARN	16	/* warnings per page */
#define GEN_MAXNOTES	1000	/* Zenn inline footnotes per page */
#define GEN_TICKS	32	/* code span lengths cached */

/* Where a needle next occurs: valid for any p in [from, at]. */
struct gen_next {
	size_t	 from, at;
	int	 valid;
};

struct gen_quote {
	size_t	 colons;	/* Zenn :::, 0 for a Hugo shortcode */
	char	 name[24];
};

struct gen {
	const char	*s;
	size_t		 n;
	size_t		 i;		/* read cursor */
	struct buf	*out;
	struct buf	*warn;
	const char	*base;		/* page URL path, or NULL */
	struct gen_quote q[GEN_MAXQUOTE];
	int		 nq;
	int		 bol;		/* output at a line start */
	char		 fencec;	/* open code fence, else 0 */
	size_t		 fencen;
	int		 fenceq;	/* its block-quote depth */
	int		 raw;		/* inside {% raw %} */
	int		 imgline;	/* the line is one image */
	int		 imgpend;	/* a blank line owed after it */
	int		 html;		/* maybe in an HTML block: links
					   written as HTML */
	struct buf	*capture;	/* the output, while captured */
	int		 capbol;
	size_t		 skip;		/* no tag opens before this */
	size_t		 noticks[GEN_TICKS + 1];
	struct gen_next	 nx_sc[2], nx_scc[2], nx_tag, nx_out, nx_brace,
			 nx_nl, nx_bracket, nx_paren, nx_blank, nx_hl[2],
			 nx_end[3];
	struct buf	 notes;		/* Zenn ^[inline] footnotes */
	size_t		 nnotes;
	size_t		 nwarn;
	int		 err;
};

static size_t
gen_find(struct gen *g, struct gen_next *c, size_t p, const char *needle)
{
	const char	*e;
	size_t		 k = strlen(needle);

	if (c->valid && c->from <= p && p <= c->at)
		return c->at;
	e = p + k <= g->n ? memmem(g->s + p, g->n - p, needle, k) : NULL;
	c->from = p;
	c->at = e != NULL ? (size_t)(e - g->s) : g->n;
	c->valid = 1;
	return c->at;
}

/* Start of the next blank line after p (a tag never crosses one). */
static size_t
gen_blank(struct gen *g, size_t p)
{
	struct gen_next	*c = &g->nx_blank;
	size_t		 k, j;

	if (c->valid && c->from <= p && p <= c->at)
		return c->at;
	c->from = p;
	c->valid = 1;
	for (k = p; (k = gen_find(g, &g->nx_nl, k, "\n")) < g->n; k++) {
		for (j = k + 1; j < g->n && (g->s[j] == ' ' ||
		    g->s[j] == '\t' || g->s[j] == '\r'); j++)
			;
		if (j == g->n || g->s[j] == '\n')
			break;
	}
	c->at = k;
	return k;
}

/* End of the line holding p (its LF, or n). */
static size_t
gen_eol(struct gen *g, size_t p)
{
	return gen_find(g, &g->nx_nl, p, "\n");
}

/* The closing mark of a tag opened at p, if it is close enough. */
static size_t
gen_close(struct gen *g, struct gen_next *c, size_t p, const char *needle)
{
	size_t	 e = gen_find(g, c, p, needle);

	if (e == g->n || e - p > GEN_SCAN_MAX || e > gen_blank(g, p))
		return SIZE_MAX;
	return e;
}

static void
gen_put(struct gen *g, const char *s, size_t n)
{
	const char	*nl;
	size_t		 k;
	int		 d;

	while (n > 0 && !g->err) {
		if (g->bol) {
			for (d = 0; d < g->nq; d++)
				if (buf_puts(g->out, "> ") == -1)
					g->err = 1;
			g->bol = 0;
		}
		nl = memchr(s, '\n', n);
		k = nl != NULL ? (size_t)(nl - s) + 1 : n;
		if (buf_append(g->out, s, k) == -1)
			g->err = 1;
		if (nl != NULL)
			g->bol = 1;
		s += k;
		n -= k;
	}
}

static void
gen_puts(struct gen *g, const char *s)
{
	gen_put(g, s, strlen(s));
}

/* End the output line if one is open. */
static void
gen_newline(struct gen *g)
{
	if (!g->bol && g->out->len > 0)
		gen_put(g, "\n", 1);
}

static void
gen_warn(struct gen *g, const char *what, const char *name)
{
	char	 line[96];
	int	 k;

	if (g->warn == NULL || g->nwarn >= GEN_MAXWARN)
		return;
	k = snprintf(line, sizeof(line), "dropped %s %s\n", what, name);
	if (k < 0 || (size_t)k >= sizeof(line))
		return;
	if (g->warn->len > 0 && memmem(g->warn->data, g->warn->len, line,
	    (size_t)k) != NULL)
		return;
	/* Best effort: a full buffer stops the warnings, not the page. */
	g->nwarn++;
	if (buf_puts(g->warn, line) == -1)
		g->nwarn = GEN_MAXWARN;
}

/* Text as a Markdown link label: one line, punctuation escaped. */
static void
gen_put_label(struct gen *g, const char *s, size_t n)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c != '\0' && strchr("\\[]<>!&|#", c) != NULL)
			gen_put(g, "\\", 1);
		gen_put(g, &c, 1);
	}
}

/* A URL or path as a Markdown link destination. */
static void
gen_put_dest(struct gen *g, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;
	unsigned char		 c;
	char			 e[3];

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || strchr("()<>\"'`\\[]{}|",
		    c) != NULL) {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 0xf];
			gen_put(g, e, 3);
		} else
			gen_put(g, s + i, 1);
	}
}

/* Text for an HTML attribute or element. */
static void
gen_put_html(struct gen *g, const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		switch (s[i]) {
		case '&':
			gen_puts(g, "&amp;");
			break;
		case '<':
			gen_puts(g, "&lt;");
			break;
		case '>':
			gen_puts(g, "&gt;");
			break;
		case '"':
			gen_puts(g, "&quot;");
			break;
		case '\n':
		case '\r':
			gen_put(g, " ", 1);
			break;
		default:
			gen_put(g, s + i, 1);
		}
}

/*
 * [label](url): without a label a link reads as its URL (an image
 * gets its file name from the renderer).  Inside an HTML block, where
 * Markdown is not parsed, the same as <a> or <img>.
 */
static void
gen_put_link(struct gen *g, int image, const char *label, size_t ln,
    const char *pre, const char *url, size_t un)
{
	if (g->html) {
		gen_puts(g, image ? "<img src=\"" : "<a href=\"");
		if (pre != NULL)
			gen_put_html(g, pre, strlen(pre));
		gen_put_html(g, url, un);
		gen_puts(g, image ? "\" alt=\"" : "\">");
		if (ln == 0 && !image) {
			if (pre != NULL)
				gen_put_html(g, pre, strlen(pre));
			gen_put_html(g, url, un);
		} else
			gen_put_html(g, label, ln);
		gen_puts(g, image ? "\">" : "</a>");
		return;
	}
	gen_puts(g, image ? "![" : "[");
	if (ln == 0 && !image) {
		if (pre != NULL)
			gen_put_label(g, pre, strlen(pre));
		gen_put_label(g, url, un);
	} else
		gen_put_label(g, label, ln);
	gen_puts(g, "](");
	if (pre != NULL)
		gen_puts(g, pre);
	gen_put_dest(g, url, un);
	gen_puts(g, ")");
}

/* Output into b until gen_capture_end (a link target built in parts). */
static void
gen_capture(struct gen *g, struct buf *b)
{
	struct buf	*out = g->out;

	g->out = b;
	g->capture = out;
	g->capbol = g->bol;
	g->bol = 0;
}

static void
gen_capture_end(struct gen *g)
{
	g->out = g->capture;
	g->bol = g->capbol;
	g->capture = NULL;
}

/* Is the output at a link destination ("](", "]: ", an attribute)? */
static int
gen_in_dest(const struct gen *g)
{
	const char	*s = g->out->data;
	size_t		 n = g->out->len;

	if (n >= 2 && s[n - 1] == '(' && s[n - 2] == ']')
		return 1;
	if (n >= 2 && (s[n - 1] == '"' || s[n - 1] == '\'') &&
	    s[n - 2] == '=')
		return 1;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n >= 2 && s[n - 1] == ':' && s[n - 2] == ']';
}

static int
gen_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
gen_word_eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static int
gen_in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (gen_word_eq(s, n, *list))
			return 1;
	return 0;
}

/* A label from a type name: "warning" -> "Warning". */
static void
gen_put_title(struct gen *g, const char *s, size_t n)
{
	char	 c;

	if (n == 0)
		return;
	c = (char)toupper((unsigned char)s[0]);
	gen_put(g, &c, 1);
	gen_put_label(g, s + 1, n - 1);
}

/*
 * A quoted section (Zenn :::, Hugo details): a blank line before, then
 * every line quoted; "Label: title" (either may be empty) its own first
 * paragraph.
 */
static void
gen_quote_open(struct gen *g, size_t colons, const char *name, size_t nn,
    const char *label, size_t ln, const char *title, size_t tn)
{
	gen_newline(g);
	gen_put(g, "\n", 1);
	if (g->nq == GEN_MAXQUOTE)
		return;
	g->q[g->nq].colons = colons;
	snprintf(g->q[g->nq].name, sizeof(g->q[g->nq].name), "%.*s",
	    (int)nn, name);
	g->nq++;
	gen_put_title(g, label, ln);
	if (ln > 0 && tn > 0)
		gen_puts(g, ": ");
	gen_put_label(g, title, tn);
	if (ln > 0 || tn > 0)
		gen_puts(g, "\n\n");
}

static void
gen_quote_close(struct gen *g)
{
	gen_newline(g);
	if (g->nq > 0)
		g->nq--;
	gen_put(g, "\n", 1);
}

/*-------------------------------------------------------------------
 * Hugo shortcodes: {{< name args >}}, {{% name args %}}, {{< /name >}}
 */

struct gen_sc {
	char	 name[32];
	int	 closing;
	int	 selfclose;
	struct buf a;			/* NUL-separated strings */
	size_t	 key[GEN_MAXARGS];	/* 0: positional */
	size_t	 val[GEN_MAXARGS];
	size_t	 nargs;
};

static const char *
gen_sc_arg(const struct gen_sc *sc, const char *key, int pos)
{
	size_t	 i;
	int	 k = 0;

	for (i = 0; i < sc->nargs; i++) {
		if (sc->key[i] == 0) {
			if (k++ == pos)
				return sc->a.data + sc->val[i];
		} else if (key != NULL &&
		    strcasecmp(sc->a.data + sc->key[i], key) == 0)
			return sc->a.data + sc->val[i];
	}
	return NULL;
}

static const char *
gen_sc_first(const struct gen_sc *sc, const char *const *keys)
{
	const char	*v;

	for (; *keys != NULL; keys++)
		if ((v = gen_sc_arg(sc, *keys, -1)) != NULL && *v != '\0')
			return v;
	return NULL;
}

/*
 * Parse the shortcode at s[p..e) (e: start of its closing mark).
 * 0, or -1 when it is not one.
 */
static int
gen_sc_parse(struct gen *g, size_t p, size_t e, struct gen_sc *sc)
{
	const char	*s = g->s;
	size_t		 i = p + 3, k, ks, ke;
	char		 q;

	while (i < e && gen_is_space(s[i]))
		i++;
	if (i < e && s[i] == '/') {
		sc->closing = 1;
		i++;
		while (i < e && gen_is_space(s[i]))
			i++;
	}
	for (k = 0; i < e && (isalnum((unsigned char)s[i]) ||
	    strchr("_-./", s[i]) != NULL); i++)
		if (k < sizeof(sc->name) - 1)
			sc->name[k++] = (char)tolower((unsigned char)s[i]);
	sc->name[k] = '\0';
	if (k == 0 || (i < e && !gen_is_space(s[i]) && s[i] != '/'))
		return -1;
	if (buf_putc(&sc->a, '\0') == -1)
		return -1;
	for (;;) {
		while (i < e && gen_is_space(s[i]))
			i++;
		if (i == e)
			return 0;
		if (s[i] == '/') {
			for (k = i + 1; k < e && gen_is_space(s[k]); k++)
				;
			if (k == e) {
				sc->selfclose = 1;
				return 0;
			}
		}
		ks = ke = 0;
		for (k = i; k < e && (isalnum((unsigned char)s[k]) ||
		    s[k] == '_' || s[k] == '-'); k++)
			;
		if (k > i && k < e && s[k] == '=') {
			ks = i;
			ke = k;
			i = k + 1;
		}
		if (sc->nargs < GEN_MAXARGS) {
			if (ke > ks) {
				sc->key[sc->nargs] = sc->a.len;
				if (buf_append(&sc->a, s + ks, ke - ks) == -1 ||
				    buf_putc(&sc->a, '\0') == -1)
					return -1;
			} else
				sc->key[sc->nargs] = 0;
			sc->val[sc->nargs] = sc->a.len;
		}
		if (i < e && (s[i] == '"' || s[i] == '`')) {
			q = s[i++];
			for (; i < e && s[i] != q; i++) {
				if (q == '"' && s[i] == '\\' && i + 1 < e)
					i++;
				if (sc->nargs < GEN_MAXARGS &&
				    buf_putc(&sc->a, s[i]) == -1)
					return -1;
			}
			if (i == e)
				return -1;	/* unterminated */
			i++;
		} else
			for (; i < e && !gen_is_space(s[i]); i++)
				if (sc->nargs < GEN_MAXARGS &&
				    buf_putc(&sc->a, s[i]) == -1)
					return -1;
		if (sc->nargs < GEN_MAXARGS) {
			if (buf_putc(&sc->a, '\0') == -1)
				return -1;
			sc->nargs++;
		}
	}
}

/* Shortcodes shown as a quoted section. */
static const char *const gen_sc_quotes[] = {
	"details", "notice", "admonition", "hint", "alert", "callout",
	"note", "tip", "info", "warning", "caution", "important", "danger",
	"expand", "spoiler", "collapse", "aside", NULL
};

static void
gen_sc_quote(struct gen *g, const struct gen_sc *sc)
{
	static const char *const titles[] = { "summary", "title", NULL };
	const char	*t, *l = "";

	if ((t = gen_sc_first(sc, titles)) == NULL) {
		t = "";
		if ((l = gen_sc_arg(sc, "type", 0)) == NULL || *l == '\0')
			l = sc->name;
	}
	gen_quote_open(g, 0, sc->name, strlen(sc->name), l, strlen(l), t,
	    strlen(t));
}

/*
 * Hugo's ref/relref path as a capsule path: relative to the page (to
 * its section for a bundle's index.md), or, when the page lives under
 * /content/ (a Hugo site served as it is), absolute and section paths
 * ("/posts/x.md", "posts/x.md") from the content directory, as Hugo
 * resolves them.  Hugo's last resort, a search of the whole site by
 * name, needs the file system and is not tried.
 */
static void
gen_put_ref(struct gen *g, const char *p)
{
	size_t		 n, k, last;
	const char	*frag;
	int		 content;

	content = g->base != NULL && strncmp(g->base, "/content/", 9) == 0;
	frag = strchr(p, '#');
	n = frag != NULL ? (size_t)(frag - p) : strlen(p);
	if (n == 0) {
		gen_put_dest(g, p, strlen(p));
		return;
	}
	/* Absolute refs, and section paths, start at the content dir. */
	if (content && (p[0] == '/' || (p[0] != '.' &&
	    memchr(p, '/', n) != NULL)))
		gen_puts(g, p[0] == '/' ? "/content" : "/content/");
	else if (p[0] != '/' && g->base != NULL &&
	    (md_has_suffix(g->base, strlen(g->base), "/index.md") ||
	    md_has_suffix(g->base, strlen(g->base), "/index.markdown")))
		gen_puts(g, "../");	/* a bundle: a page of its section */
	gen_put_dest(g, p, n);
	/* "posts/x" may be x.md or the bundle x/index.md: the pretty URL
	 * "x/" serves either. */
	for (last = n; last > 0 && p[last - 1] != '/'; last--)
		;
	for (k = last; k < n && p[k] != '.'; k++)
		;
	if (last < n && k == n)
		gen_puts(g, "/");
	if (frag != NULL)
		gen_put_dest(g, frag, strlen(frag));
}

/* A known embed: the URL it stands for. */
static int
gen_embed_url(struct buf *u, const char *name, const char *id,
    const char *user)
{
	if (id == NULL || *id == '\0')
		return 0;
	if (strncmp(id, "https://", 8) == 0 || strncmp(id, "http://", 7) == 0)
		return buf_puts(u, id) == -1 ? -1 : 1;
	if (strcmp(name, "youtube") == 0)
		return buf_printf(u, "https://www.youtube.com/watch?v=%s",
		    id) == -1 ? -1 : 1;
	if (strcmp(name, "vimeo") == 0)
		return buf_printf(u, "https://vimeo.com/%s", id) == -1 ? -1 : 1;
	if (strcmp(name, "instagram") == 0)
		return buf_printf(u, "https://www.instagram.com/p/%s/",
		    id) == -1 ? -1 : 1;
	if (strcmp(name, "gist") == 0)
		return buf_printf(u, "https://gist.github.com/%s%s%s",
		    user ? user : "", user ? "/" : "", id) == -1 ? -1 : 1;
	if (strcmp(name, "tweet") == 0 || strcmp(name, "twitter") == 0)
		return buf_printf(u, "https://twitter.com/%s/status/%s",
		    user ? user : "i", id) == -1 ? -1 : 1;
	if (strcmp(name, "x") == 0)
		return buf_printf(u, "https://x.com/%s/status/%s",
		    user ? user : "i", id) == -1 ? -1 : 1;
	if (strcmp(name, "speakerdeck") == 0)
		return buf_printf(u, "https://speakerdeck.com/player/%s",
		    id) == -1 ? -1 : 1;
	if (strcmp(name, "slideshare") == 0)
		return buf_printf(u,
		    "https://www.slideshare.net/slideshow/embed_code/key/%s",
		    id) == -1 ? -1 : 1;
	return 0;
}

static void
gen_put_embed(struct gen *g, const char *name, const char *id,
    const char *user, const char *label)
{
	struct buf	 u;
	int		 r;

	buf_init(&u, GEN_SCAN_MAX * 2);
	if ((r = gen_embed_url(&u, name, id, user)) == -1)
		g->err = 1;
	else if (r == 1)
		gen_put_link(g, 0, label ? label : "", label ? strlen(label) :
		    0, NULL, u.data, u.len);
	buf_free(&u);
}

static void gen_highlight(struct gen *, int, const char *, size_t, size_t);

/* The Hugo shortcode at g->i; 0 when there is none. */
static int
gen_hugo(struct gen *g)
{
	static const char *const labels[] = { "caption", "alt", "title",
		NULL };
	static const char *const silent[] = { "param", "toc", "comment",
		"/comment", NULL };
	struct gen_sc	 sc;
	struct buf	 path;
	size_t		 p = g->i, e;
	const char	*v, *label;
	int		 pct = g->s[p + 2] == '%', rv = 0;

	if (p < g->skip)
		return 0;
	/* A shortcode inside a comment: Hugo shows the shortcode itself. */
	if (p + 5 <= g->n && g->s[p + 3] == '/' && g->s[p + 4] == '*') {
		e = gen_close(g, &g->nx_scc[pct], p, pct ? "*/%}}" :
		    "*/>}}");
		if (e == SIZE_MAX)
			return 0;
		gen_puts(g, pct ? "{{%" : "{{<");
		gen_put(g, g->s + p + 5, e - p - 5);
		gen_puts(g, pct ? "%}}" : ">}}");
		g->i = e + 5;
		return 1;
	}
	if ((e = gen_close(g, &g->nx_sc[pct], p, pct ? "%}}" : ">}}")) ==
	    SIZE_MAX)
		return 0;
	memset(&sc, 0, sizeof(sc));
	buf_init(&sc.a, GEN_SCAN_MAX * 2);
	buf_init(&path, GEN_SCAN_MAX * 4);
	if (gen_sc_parse(g, p, e, &sc) == -1) {
		g->skip = e;
		goto done;
	}
	rv = 1;
	g->i = e + 3;
	if (sc.closing) {
		if (g->nq > 0 && g->q[g->nq - 1].colons == 0 &&
		    strcmp(g->q[g->nq - 1].name, sc.name) == 0)
			gen_quote_close(g);
		goto done;
	}
	if (strcmp(sc.name, "figure") == 0) {
		v = gen_sc_arg(&sc, "src", 0);
		if ((label = gen_sc_first(&sc, labels)) == NULL)
			label = "";
		if (v != NULL && *v != '\0')
			gen_put_link(g, 1, label, strlen(label), NULL, v,
			    strlen(v));
	} else if (strcmp(sc.name, "ref") == 0 ||
	    strcmp(sc.name, "relref") == 0) {
		if ((v = gen_sc_arg(&sc, "path", 0)) == NULL || *v == '\0')
			goto done;
		if (gen_in_dest(g))
			gen_put_ref(g, v);
		else {
			gen_capture(g, &path);
			gen_put_ref(g, v);
			gen_capture_end(g);
			gen_put_link(g, 0, v, strlen(v), NULL, path.data ?
			    path.data : "", path.len);
		}
	} else if (strcmp(sc.name, "youtube") == 0 ||
	    strcmp(sc.name, "vimeo") == 0 ||
	    strcmp(sc.name, "instagram") == 0) {
		gen_put_embed(g, sc.name, gen_sc_arg(&sc, "id", 0), NULL,
		    gen_sc_arg(&sc, "title", -1));
	} else if (strcmp(sc.name, "gist") == 0) {
		gen_put_embed(g, sc.name, gen_sc_arg(&sc, "id", 1),
		    gen_sc_arg(&sc, "user", 0), NULL);
	} else if (strcmp(sc.name, "tweet") == 0 ||
	    strcmp(sc.name, "x") == 0) {
		v = gen_sc_arg(&sc, "user", -1);
		gen_put_embed(g, sc.name, gen_sc_arg(&sc, "id", v ? -1 : 0),
		    v, NULL);
	} else if (strcmp(sc.name, "highlight") == 0) {
		v = gen_sc_arg(&sc, NULL, 0);
		gen_highlight(g, 1, v ? v : "", v ? strlen(v) : 0, g->i);
	} else if (!gen_in_list(sc.name, strlen(sc.name), silent) &&
	    !gen_in_list(sc.name, strlen(sc.name), gen_sc_quotes))
		gen_warn(g, "shortcode", sc.name);
done:
	buf_free(&sc.a);
	buf_free(&path);
	return rv;
}

/* The tag closing a highlight opened before `from': [*cs, *ce). */
static int
gen_hl_close(struct gen *g, int hugo, size_t from, size_t *cs, size_t *ce)
{
	const char	*s = g->s, *word;
	size_t		 e, k, a, b, w;

	word = hugo ? "/highlight" : "endhighlight";
	w = strlen(word);

	for (k = from; (e = gen_find(g, &g->nx_hl[hugo], k, word)) < g->n;
	    k = e + 1) {
		for (b = e; b > from && (s[b - 1] == ' ' || s[b - 1] == '\t' ||
		    s[b - 1] == '-'); b--)
			;
		for (a = e + w; a < g->n && (s[a] == ' ' || s[a] == '\t' ||
		    s[a] == '-'); a++)
			;
		if (hugo) {
			if (b < from + 3 || s[b - 3] != '{' ||
			    s[b - 2] != '{' || (s[b - 1] != '<' &&
			    s[b - 1] != '%') ||
			    a + 3 > g->n || (strncmp(s + a, ">}}", 3) != 0 &&
			    strncmp(s + a, "%}}", 3) != 0))
				continue;
			*cs = b - 3;
			*ce = a + 3;
		} else {
			if (b < from + 2 || s[b - 2] != '{' ||
			    s[b - 1] != '%' || a + 2 > g->n ||
			    strncmp(s + a, "%}", 2) != 0)
				continue;
			*cs = b - 2;
			*ce = a + 2;
		}
		return 0;
	}
	return -1;
}

/*
 * A code block from {% highlight lang %} or {{< highlight lang >}} whose
 * tag ended at `from': the code up to the closing tag, verbatim, in a
 * fence longer than any backtick run inside.  Never closed: the opening
 * tag is simply dropped.
 */
static void
gen_highlight(struct gen *g, int hugo, const char *lang, size_t ln,
    size_t from)
{
	const char	*s = g->s;
	size_t		 k, t, run, fence = 3, cs, ce;

	if (gen_hl_close(g, hugo, from, &cs, &ce) == -1)
		return;
	for (k = from; k < cs; k = t + 1) {
		for (t = k; t < cs && (s[t] == ' ' || s[t] == '\t'); t++)
			;
		for (run = 0; t < cs && s[t] == '`'; t++)
			run++;
		if (run >= fence)
			fence = run + 1;
		while (t < cs && s[t] != '\n')
			t++;
	}
	gen_newline(g);
	for (k = 0; k < fence; k++)
		gen_put(g, "`", 1);
	/* The info string: the language word only (no "linenos"). */
	for (k = 0; k < ln && !gen_is_space(lang[k]) && lang[k] != '`'; k++)
		;
	gen_put(g, lang, k);
	gen_put(g, "\n", 1);
	/* The blank rest of the opening line is not code. */
	for (k = from; k < cs && (s[k] == ' ' || s[k] == '\t' ||
	    s[k] == '\r'); k++)
		;
	if (k < cs && s[k] == '\n')
		from = k + 1;
	for (k = cs; k > from && (s[k - 1] == ' ' || s[k - 1] == '\t'); k--)
		;
	gen_put(g, s + from, k - from);
	gen_newline(g);
	for (k = 0; k < fence; k++)
		gen_put(g, "`", 1);
	gen_put(g, "\n", 1);
	for (k = ce; k < g->n && (s[k] == ' ' || s[k] == '\t' ||
	    s[k] == '\r'); k++)
		;
	g->i = k < g->n && s[k] == '\n' ? k + 1 : ce;
}

/*-------------------------------------------------------------------
 * Jekyll Liquid: {% tag args %} and {{ output }}
 */

/* The value of key=value (quoted or not) in a Liquid include. */
static int
gen_liquid_param(const char *s, size_t n, const char *key, const char **v,
    size_t *vn)
{
	size_t	 i, k = strlen(key), e;
	char	 q;

	for (i = 0; i + k < n; i++) {
		if ((i > 0 && !gen_is_space(s[i - 1])) ||
		    strncasecmp(s + i, key, k) != 0 || s[i + k] != '=')
			continue;
		i += k + 1;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			q = s[i++];
			for (e = i; e < n && s[e] != q; e++)
				;
		} else
			for (e = i; e < n && !gen_is_space(s[e]); e++)
				;
		*v = s + i;
		*vn = e - i;
		return *vn > 0;
	}
	return 0;
}

static int
gen_is_image(const char *s, size_t n)
{
	static const char *const exts[] = { ".png", ".jpg", ".jpeg", ".gif",
		".webp", ".svg", ".avif", NULL };
	size_t	 i, k;

	for (i = 0; exts[i] != NULL; i++) {
		k = strlen(exts[i]);
		if (n >= k && strncasecmp(s + n - k, exts[i], k) == 0)
			return 1;
	}
	return 0;
}

/* {% include name.html key="value" %}: an image or a video, else nothing. */
static int
gen_liquid_include(struct gen *g, const char *a, size_t an)
{
	static const char *const srcs[] = { "url", "src", "image", "file",
		"path", "img", NULL };
	static const char *const labels[] = { "caption", "description",
		"alt", "title", NULL };
	const char	*v, *l = "";
	size_t		 vn, ln = 0, i;
	char		 id[128];

	for (i = 0; labels[i] != NULL; i++)
		if (gen_liquid_param(a, an, labels[i], &l, &ln))
			break;
	for (i = 0; srcs[i] != NULL; i++)
		if (gen_liquid_param(a, an, srcs[i], &v, &vn) &&
		    gen_is_image(v, vn)) {
			gen_put_link(g, 1, l, ln, NULL, v, vn);
			return 1;
		}
	if (an >= 7 && strncasecmp(a, "youtube", 7) == 0 &&
	    gen_liquid_param(a, an, "id", &v, &vn) && vn < sizeof(id)) {
		memcpy(id, v, vn);
		id[vn] = '\0';
		gen_put_embed(g, "youtube", id, NULL, NULL);
		return 1;
	}
	return 0;
}

/* Liquid that only steers the template: dropped without a word. */
static const char *const gen_liquid_silent[] = {
	"if", "elsif", "else", "endif", "unless", "endunless", "for",
	"endfor", "case", "when", "endcase", "assign", "increment",
	"decrement", "cycle", "break", "continue", "tablerow", "endtablerow",
	"endcapture", "endcomment", "endraw", "endhighlight", "seo",
	"feed_meta", "endpaginate", "paginate", "render", "liquid", "echo",
	NULL
};

/* The Liquid tag at g->i; 0 when there is none. */
static int
gen_liquid(struct gen *g)
{
	const char	*s = g->s, *a, *word;
	size_t		 p = g->i, e, i, ns, nn, an, ce, k;
	char		 name[32], arg[GEN_SCAN_MAX + 1];
	struct buf	 path;
	int		 dest;

	if (p < g->skip || (e = gen_close(g, &g->nx_tag, p + 2, "%}")) ==
	    SIZE_MAX)
		return 0;
	for (i = p + 2; i < e && (gen_is_space(s[i]) || s[i] == '-'); i++)
		;
	for (ns = i; i < e && (isalnum((unsigned char)s[i]) || s[i] == '_');
	    i++)
		;
	nn = i - ns;
	if (nn == 0 || nn >= sizeof(name)) {
		g->skip = e;
		return 0;
	}
	memcpy(name, s + ns, nn);
	name[nn] = '\0';
	while (i < e && gen_is_space(s[i]))
		i++;
	a = s + i;
	for (an = e - i; an > 0 && (gen_is_space(a[an - 1]) ||
	    a[an - 1] == '-'); an--)
		;
	g->i = e + 2;
	if (strcmp(name, "raw") == 0) {
		g->raw = 1;
		return 1;
	}
	if (strcmp(name, "comment") == 0 || strcmp(name, "capture") == 0) {
		/* Their content is never shown: skip to the end tag. */
		word = name[1] == 'o' ? "endcomment" : "endcapture";
		k = gen_find(g, &g->nx_end[name[1] == 'o' ? 0 : 1], g->i, word);
		if (k < g->n && (ce = gen_find(g, &g->nx_tag, k, "%}")) <
		    g->n)
			g->i = ce + 2;
		return 1;
	}
	if (strcmp(name, "highlight") == 0) {
		gen_highlight(g, 0, a, an, g->i);
		return 1;
	}
	/* Paths: quotes dropped, Liquid variables inside are not ours. */
	if (an >= 2 && (a[0] == '"' || a[0] == '\'') && a[an - 1] == a[0]) {
		a++;
		an -= 2;
	}
	if (strcmp(name, "link") == 0 || strcmp(name, "post_url") == 0) {
		buf_init(&path, GEN_SCAN_MAX * 4);
		for (k = 0; k < an && !gen_is_space(a[k]); k++)
			;
		an = k;
		while (an > 0 && *a == '/') {
			a++;
			an--;
		}
		if (an == 0) {
			buf_free(&path);
			return 1;
		}
		if (!(dest = gen_in_dest(g)))
			gen_capture(g, &path);
		gen_puts(g, name[0] == 'p' ? "/_posts/" : "/");
		gen_put_dest(g, a, an);
		if (name[0] == 'p')
			gen_puts(g, ".md");
		if (!dest) {
			gen_capture_end(g);
			gen_put_link(g, 0, a, an, NULL, path.data ? path.data :
			    "", path.len);
		}
		buf_free(&path);
		return 1;
	}
	if (strcmp(name, "gist") == 0 || strcmp(name, "youtube") == 0 ||
	    strcmp(name, "vimeo") == 0 || strcmp(name, "tweet") == 0 ||
	    strcmp(name, "twitter") == 0) {
		for (k = 0; k < an && !gen_is_space(a[k]); k++)
			;
		if (k > 0 && k < sizeof(arg)) {
			memcpy(arg, a, k);
			arg[k] = '\0';
			gen_put_embed(g, name[0] == 't' ? "tweet" : name, arg,
			    NULL, NULL);
		}
		return 1;
	}
	if (strcmp(name, "include") == 0 || strcmp(name, "include_relative") ==
	    0) {
		if (gen_liquid_include(g, a, an))
			return 1;
		for (k = 0; k < an && !gen_is_space(a[k]) && k < 40; k++)
			;
		snprintf(arg, sizeof(arg), "%.*s", (int)k, a);
		gen_warn(g, "Liquid include", arg);
		return 1;
	}
	if (!gen_in_list(name, nn, gen_liquid_silent))
		gen_warn(g, "Liquid tag", name);
	return 1;
}

/* {{ output }}: a quoted URL through relative_url stays, else dropped. */
static int
gen_liquid_out(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i, e, i, vs;
	char		 q;

	if (p < g->skip || (e = gen_close(g, &g->nx_out, p + 2, "}}")) ==
	    SIZE_MAX)
		return 0;
	g->i = e + 2;
	for (i = p + 2; i < e && (gen_is_space(s[i]) || s[i] == '-'); i++)
		;
	if (i < e && (s[i] == '"' || s[i] == '\'')) {
		q = s[i++];
		for (vs = i; i < e && s[i] != q; i++)
			;
		if (i < e && memmem(s + i, e - i, "url", 3) != NULL)
			gen_put(g, s + vs, i - vs);
	}
	return 1;
}

/*-------------------------------------------------------------------
 * Kramdown: {: .class}, {:toc}, {::comment}...{:/comment}
 */

/* Length of the attribute list or extension tag at s, else 0. */
static size_t
gen_ial_len(struct gen *g, size_t p)
{
	const char	*s = g->s;
	size_t		 e, i;

	e = gen_find(g, &g->nx_brace, p, "}");
	if (e == g->n || e > gen_eol(g, p))
		return 0;
	i = p + 2;
	if (i < e && (s[i] == ':' || s[i] == '/'))
		return e + 1 - p;		/* {::ext}, {:/ext} */
	while (i < e && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == e || s[i] == '.' || s[i] == '#')
		return e + 1 - p;
	/* key="value", an attribute list reference, {:toc}. */
	if (!isalpha((unsigned char)s[i]) && s[i] != '_')
		return 0;
	while (i < e && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
	    s[i] == '-'))
		i++;
	if (i == e || s[i] == '=' || s[i] == ':' || s[i] == ' ')
		return e + 1 - p;
	return 0;
}

static int
gen_kramdown(struct gen *g)
{
	size_t	 k, e, ek;

	if ((k = gen_ial_len(g, g->i)) == 0)
		return 0;
	if (k >= 11 && strncmp(g->s + g->i, "{::comment", 10) == 0 &&
	    g->s[g->i + k - 2] != '/') {
		e = gen_find(g, &g->nx_end[2], g->i + k, "{:/");
		if (e < g->n && (ek = gen_ial_len(g, e)) > 0) {
			g->i = e + ek;
			return 1;
		}
	}
	g->i += k;
	return 1;
}

/*-------------------------------------------------------------------
 * Hatena: [f:id:user:20200101123456p:plain], [url:embed:cite],
 * [url:title=Text], [asin:ID:detail], [:contents]
 */

static int
gen_hatena(struct gen *g)
{
	static const char *const opts[] = { ":embed", ":cite", ":title",
		":bookmark", ":detail", ":image", ":plain", ":movie",
		":barcode", NULL };
	const char	*s = g->s, *c, *t;
	size_t		 p = g->i, e, n, k, u, un, tn = 0;
	struct buf	 url;
	int		 opt = 0;

	e = gen_find(g, &g->nx_bracket, p, "]");
	if (e == g->n || e > gen_eol(g, p))
		return 0;
	c = s + p + 1;
	n = e - p - 1;
	if (gen_word_eq(c, n, ":contents")) {
		g->i = e + 1;
		return 1;
	}
	if (n > 6 && strncmp(c, "f:id:", 5) == 0) {
		/* f:id:USER:YYYYMMDDhhmmssT[:options] */
		for (u = 5; u < n && (isalnum((unsigned char)c[u]) ||
		    c[u] == '_' || c[u] == '-'); u++)
			;
		un = u - 5;
		if (un == 0 || u + 16 > n || c[u] != ':')
			return 0;
		for (k = u + 1; k < u + 15; k++)
			if (!isdigit((unsigned char)c[k]))
				return 0;
		if (strchr("pjg", c[u + 15]) == NULL || c[u + 15] == '\0' ||
		    (u + 16 < n && c[u + 16] != ':'))
			return 0;
		t = memmem(c + u, n - u, ":title=", 7);
		if (t != NULL) {
			t += 7;
			tn = (size_t)(c + n - t);
			if (tn >= 2 && (t[0] == '"' || t[0] == '\'') &&
			    t[tn - 1] == t[0]) {
				t++;
				tn -= 2;
			}
		}
		buf_init(&url, 512);
		if (buf_printf(&url, "https://cdn-ak.f.st-hatena.com/images/"
		    "fotolife/%c/%.*s/%.8s/%.14s.%s", c[5], (int)un, c + 5,
		    c + u + 1, c + u + 1, c[u + 15] == 'p' ? "png" :
		    c[u + 15] == 'j' ? "jpg" : "gif") == -1)
			g->err = 1;
		else
			gen_put_link(g, 1, t ? t : "", tn, NULL, url.data,
			    url.len);
		buf_free(&url);
		g->i = e + 1;
		return 1;
	}
	if (n > 6 && strncmp(c, "asin:", 5) == 0) {
		for (k = 5; k < n && isalnum((unsigned char)c[k]); k++)
			;
		if (k == 5)
			return 0;
		gen_put_link(g, 0, "", 0, "https://www.amazon.co.jp/dp/",
		    c + 5, k - 5);
		g->i = e + 1;
		return 1;
	}
	if (!(n > 8 && (strncmp(c, "http://", 7) == 0 ||
	    strncmp(c, "https://", 8) == 0)))
		return 0;
	/* A Markdown link, reference or definition is not Hatena's. */
	if (e + 1 < g->n && strchr("([:", s[e + 1]) != NULL)
		return 0;
	if ((t = memmem(c, n, ":title=", 7)) != NULL) {
		un = (size_t)(t - c);
		t += 7;
		tn = (size_t)(c + n - t);
		opt = 1;
	} else {
		/* Options come last, in any order: strip them all. */
		un = n;
		do {
			opt = 0;
			for (k = 0; opts[k] != NULL; k++) {
				u = strlen(opts[k]);
				if (un > u &&
				    strncmp(c + un - u, opts[k], u) == 0) {
					un -= u;
					opt = 1;
				}
			}
		} while (opt);
	}
	for (k = 0; k < un; k++)
		if (gen_is_space(c[k]))
			return 0;
	gen_put_link(g, 0, t ? t : "", tn, NULL, c, un);
	g->i = e + 1;
	return 1;
}

/*-------------------------------------------------------------------
 * Zenn: ^[inline footnotes], ![](url =250x), @[embed](url)
 */

static int
gen_zenn_note(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i, e, eol = gen_eol(g, p);
	int		 depth = 0;
	char		 ref[48];

	/*
	 * Zenn writes the note right after a word ("text^[note]"); after a
	 * blank, a slash or a quote it is more likely a regular expression
	 * ("/^[a-z]+$/") that lost its backticks.
	 */
	if (p < g->skip || g->nnotes >= GEN_MAXNOTES || p == 0 ||
	    strchr(" \t\n/\\'\"(`[|=", s[p - 1]) != NULL)
		return 0;
	for (e = p + 1; e < eol; e++) {
		if (s[e] == '\\' && e + 1 < eol)
			e++;
		else if (s[e] == '[')
			depth++;
		else if (s[e] == ']' && --depth == 0)
			break;
	}
	if (e >= eol) {
		g->skip = eol;
		return 0;
	}
	g->nnotes++;
	if (buf_printf(&g->notes, "\n[^capsuled-zenn-%zu]: ", g->nnotes) ==
	    -1 || buf_append(&g->notes, s + p + 2, e - p - 2) == -1 ||
	    buf_putc(&g->notes, '\n') == -1)
		g->err = 1;
	snprintf(ref, sizeof(ref), "[^capsuled-zenn-%zu]", g->nnotes);
	gen_puts(g, ref);
	g->i = e + 1;
	return 1;
}

/* "](url =250x)": Zenn's image size, dropped. */
static int
gen_size_suffix(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i + 2, e, k, digits = 0;

	e = gen_find(g, &g->nx_paren, p, ")");
	if (e == g->n || e > gen_eol(g, p) || memchr(s + p, '{', e - p))
		return 0;
	for (k = e; k > p && isdigit((unsigned char)s[k - 1]); k--)
		digits++;
	if (k == p || s[k - 1] != 'x')
		return 0;
	for (k--; k > p && isdigit((unsigned char)s[k - 1]); k--)
		digits++;
	if (digits == 0 || k < p + 2 || s[k - 1] != '=' || s[k - 2] != ' ')
		return 0;
	for (k -= 2; k > p && s[k - 1] == ' '; k--)
		;
	gen_put(g, s + g->i, k - g->i);
	gen_put(g, ")", 1);
	g->i = e + 1;
	return 1;
}

/* @[name](arg) alone on a line (indent: its first k bytes): a link
 * line.  Returns 1 if it was. */
static int
gen_zenn_embed(struct gen *g, const char *indent, size_t k, const char *t,
    size_t tn)
{
	const char	*a;
	size_t		 nn, an;
	char		 name[24], arg[1024];

	if (tn < 6 || t[0] != '@' || t[1] != '[' || t[tn - 1] != ')')
		return 0;
	for (nn = 0; 2 + nn < tn && isalnum((unsigned char)t[2 + nn]); nn++)
		;
	if (nn == 0 || nn >= sizeof(name) || 2 + nn + 2 > tn ||
	    t[2 + nn] != ']' || t[3 + nn] != '(')
		return 0;
	a = t + 4 + nn;
	an = tn - 5 - nn;
	while (an > 0 && gen_is_space(*a)) {
		a++;
		an--;
	}
	while (an > 0 && gen_is_space(a[an - 1]))
		an--;
	if (an == 0 || an >= sizeof(arg) || memchr(a, ' ', an) != NULL)
		return 0;
	memcpy(name, t + 2, nn);
	name[nn] = '\0';
	memcpy(arg, a, an);
	arg[an] = '\0';
	gen_put(g, indent, k);
	if (strncmp(arg, "http://", 7) == 0 || strncmp(arg, "https://", 8) ==
	    0)
		gen_put_link(g, 0, "", 0, NULL, arg, an);
	else
		gen_put_embed(g, name, arg, NULL, NULL);
	gen_put(g, "\n", 1);
	return 1;
}

/*-------------------------------------------------------------------
 * Lines
 */

/* A code span at g->i: copied through its closing run.  0 if none. */
static int
gen_code_span(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i, run, e, k, eol = gen_eol(g, p);

	for (run = 0; p + run < g->n && s[p + run] == '`'; run++)
		;
	if (run <= GEN_TICKS && g->noticks[run] > p)
		goto literal;
	for (e = p + run; e < eol; e = k) {
		if (s[e] != '`') {
			k = e + 1;
			continue;
		}
		for (k = e; k < eol && s[k] == '`'; k++)
			;
		if (k - e == run) {
			gen_put(g, s + p, k - p);
			g->i = k;
			return 1;
		}
	}
	if (run <= GEN_TICKS)
		g->noticks[run] = eol;
literal:
	gen_put(g, s + p, run);
	g->i = p + run;
	return 1;
}

/*
 * A line of a code block, as it is but for the escapes authors write so
 * that Hugo and Jekyll show a tag instead of running it.
 */
static void
gen_code_line(struct gen *g, size_t p, size_t e)
{
	static const struct {
		const char	*from, *to;
	} esc[] = {
		{ "{{</*", "{{<" }, { "*/>}}", ">}}" },
		{ "{{%/*", "{{%" }, { "*/%}}", "%}}" },
	};
	const char	*s = g->s;
	size_t		 i, k, j, w;

	for (i = p; i < e; ) {
		for (k = 0; k < sizeof(esc) / sizeof(esc[0]); k++)
			if (e - i >= 5 && strncmp(s + i, esc[k].from, 5) == 0)
				break;
		if (k < sizeof(esc) / sizeof(esc[0])) {
			gen_puts(g, esc[k].to);
			i += 5;
			continue;
		}
		if (s[i] == '{' && i + 1 < e && s[i + 1] == '%') {
			for (j = i + 2; j < e && (s[j] == ' ' || s[j] == '-');
			    j++)
				;
			for (w = j; w < e && isalpha((unsigned char)s[w]); w++)
				;
			if (gen_word_eq(s + j, w - j, "raw") ||
			    gen_word_eq(s + j, w - j, "endraw")) {
				while (w < e && (s[w] == ' ' || s[w] == '-'))
					w++;
				if (w + 1 < e && s[w] == '%' &&
				    s[w + 1] == '}') {
					i = w + 2;
					continue;
				}
			}
		}
		gen_put(g, s + i, 1);
		i++;
	}
}

/* Length of s without the line end and trailing blanks. */
static size_t
gen_trim_end(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	return n;
}

/* Is the line one image, "![alt](url)" and perhaps "{: attrs}"? */
static int
gen_image_line(const char *t, size_t n)
{
	size_t	 i, depth = 0;

	if (n < 5 || t[0] != '!' || t[1] != '[')
		return 0;
	for (i = 1; i < n; i++) {
		if (t[i] == '\\' && i + 1 < n)
			i++;
		else if (t[i] == '[')
			depth++;
		else if (t[i] == ']' && --depth == 0)
			break;
	}
	if (i + 1 >= n || t[i + 1] != '(')
		return 0;
	for (i += 2; i < n && t[i] != ')'; i++)
		if (t[i] == '(' || t[i] == '[')
			return 0;
	if (i == n)
		return 0;
	for (i++; i < n && (t[i] == ' ' || t[i] == '\t'); i++)
		;
	return i == n || (t[i] == '{' && t[n - 1] == '}' &&
	    memchr(t + i, '}', n - i - 1) == NULL);
}

/* Leading blanks and block-quote marks: how many marks, and where the
 * text starts. */
static size_t
gen_strip(const char *s, size_t n, int *quotes)
{
	size_t	 i = 0;

	*quotes = 0;
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n && s[i] == '>') {
			++*quotes;
			i++;
			continue;
		}
		return i;
	}
}

/* Is s a fence opening (``` or ~~~, three or more)? */
static size_t
gen_fence(const char *s, size_t n, char *c)
{
	size_t	 k;

	if (n < 3 || (s[0] != '`' && s[0] != '~'))
		return 0;
	for (k = 0; k < n && s[k] == s[0]; k++)
		;
	if (k < 3 || (s[0] == '`' && memchr(s + k, '`', n - k) != NULL))
		return 0;
	*c = s[0];
	return k;
}

/* The previous output line, if it is a list item: where it starts. */
static size_t
gen_prev_item(const struct gen *g)
{
	const char	*s = g->out->data;
	size_t		 e = g->out->len, b, i;

	if (e == 0 || s[e - 1] != '\n')
		return SIZE_MAX;
	for (b = e - 1; b > 0 && s[b - 1] != '\n'; b--)
		;
	for (i = b; i < e && (s[i] == ' ' || s[i] == '>'); i++)
		;
	if (i + 1 < e && strchr("*-+", s[i]) != NULL && s[i + 1] == ' ')
		return b;
	while (i < e && isdigit((unsigned char)s[i]))
		i++;
	if (i + 1 < e && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ')
		return b;
	return SIZE_MAX;
}

/*
 * Constructs that take a whole line: code fences (tracked), Zenn :::
 * blocks and @[embeds], GitHub alerts, Kramdown attribute lines, Hugo
 * quote shortcodes.  Returns 1 when the line [g->i, eol] was consumed.
 */
static int
gen_line(struct gen *g, size_t eol)
{
	static const struct {
		const char	*mark, *label;
	} alerts[] = {
		{ "[!NOTE]", "Note:" }, { "[!TIP]", "Tip:" },
		{ "[!IMPORTANT]", "Important:" }, { "[!WARNING]", "Warning:" },
		{ "[!CAUTION]", "Caution:" },
	};
	const char	*s = g->s + g->i, *t, *w;
	size_t		 n = eol - g->i, tn, k, c, wn, e;
	struct gen_sc	 sc;
	int		 quotes, i, done = 0;
	char		 fc;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	k = gen_strip(s, n, &quotes);
	t = s + k;
	tn = n - k;
	/*
	 * Every HTML block starts with a tag at the start of a line and
	 * (but for <pre> and the like) ends at a blank line.  A paragraph
	 * taken for one costs nothing: HTML links work there too.
	 */
	if (tn == 0)
		g->html = 0;
	else if (t[0] == '<' && tn > 1 && (isalpha((unsigned char)t[1]) ||
	    t[1] == '/' || t[1] == '!' || t[1] == '?')) {
		for (c = 1; c < tn && (isalnum((unsigned char)t[c]) ||
		    t[c] == '/' || t[c] == '-' || t[c] == '!'); c++)
			;
		if (c == tn || t[c] != ':')	/* not <https://autolink> */
			g->html = 1;
	}
	if ((c = gen_fence(t, tn, &fc)) > 0) {
		g->fencec = fc;
		g->fencen = c;
		g->fenceq = quotes;
		gen_put(g, s, (eol < g->n ? eol + 1 : eol) - g->i);
		goto consumed;
	}
	if (quotes == 0 && tn >= 3 && strncmp(t, ":::", 3) == 0) {
		for (c = 0; c < tn && t[c] == ':'; c++)
			;
		for (k = c; k < tn && t[k] == ' '; k++)
			;
		w = t + k;
		for (wn = 0; k + wn < tn && (isalnum((unsigned char)w[wn]) ||
		    w[wn] == '-' || w[wn] == '_'); wn++)
			;
		if (k == tn) {
			/* The closing :::, the innermost block it matches. */
			for (i = g->nq - 1; i >= 0 && g->q[i].colons != c; i--)
				;
			if (i < 0)
				for (i = g->nq - 1; i >= 0 &&
				    g->q[i].colons == 0; i--)
					;
			if (i >= 0) {
				gen_newline(g);
				g->nq = i;
			}
			gen_put(g, "\n", 1);
			goto consumed;
		}
		if (wn > 0) {
			for (e = k + wn; e < tn && (t[e] == ' ' ||
			    t[e] == '[' || t[e] == ':'); e++)
				;
			while (tn > e && t[tn - 1] == ']')
				tn--;
			/* Zenn's message (alert) and details; :::tip Title
			 * as Docusaurus and VuePress write. */
			if (gen_word_eq(w, wn, "message"))
				gen_quote_open(g, c, w, wn, "", 0, "", 0);
			else if (gen_word_eq(w, wn, "details"))
				gen_quote_open(g, c, w, wn, "", 0, t + e,
				    tn - e);
			else
				gen_quote_open(g, c, w, wn, w, wn, t + e,
				    tn - e);
			goto consumed;
		}
	}
	if (quotes == 0 && gen_zenn_embed(g, s, (size_t)(t - s), t, tn))
		goto consumed;
	/*
	 * An image alone on its line is a picture between paragraphs (Zenn
	 * puts its caption on the next line): its own block, not words
	 * run into the text around it.
	 */
	if (k == 0 && gen_image_line(t, tn)) {
		/* Images on consecutive lines stay one group. */
		if (!g->imgpend) {
			gen_newline(g);
			gen_put(g, "\n", 1);
		}
		g->imgpend = 0;
		g->imgline = 1;
		return 0;
	}
	if (quotes > 0 && tn > 3 && t[0] == '[' && t[1] == '!') {
		for (k = 0; k < sizeof(alerts) / sizeof(alerts[0]); k++)
			if (gen_word_eq(t, tn, alerts[k].mark)) {
				gen_put(g, s, (size_t)(t - s));
				gen_puts(g, alerts[k].label);
				gen_puts(g, "  \n");
				goto consumed;
			}
	}
	if (tn >= 3 && t[0] == '{' && t[1] == ':' && t[2] != ':' &&
	    gen_ial_len(g, (size_t)(t - g->s)) == tn) {
		/* "* TOC" above {:toc}: the list kramdown replaces. */
		if (gen_word_eq(t, tn, "{:toc}") &&
		    (k = gen_prev_item(g)) != SIZE_MAX) {
			g->out->len = k;
			g->out->data[k] = '\0';
		}
		gen_put(g, s, (size_t)(t - s));
		gen_put(g, "\n", 1);
		goto consumed;
	}
	if (quotes == 0 && tn > 6 && t[0] == '{' && t[1] == '{' &&
	    (t[2] == '<' || t[2] == '%') && (size_t)(t - g->s) >= g->skip) {
		e = gen_close(g, &g->nx_sc[t[2] == '%'], (size_t)(t - g->s),
		    t[2] == '%' ? "%}}" : ">}}");
		if (e == SIZE_MAX || e + 3 != (size_t)(t - g->s) + tn)
			return 0;
		memset(&sc, 0, sizeof(sc));
		buf_init(&sc.a, GEN_SCAN_MAX * 2);
		if (gen_sc_parse(g, (size_t)(t - g->s), e, &sc) == 0 &&
		    gen_in_list(sc.name, strlen(sc.name), gen_sc_quotes) &&
		    !sc.selfclose) {
			if (!sc.closing)
				gen_sc_quote(g, &sc);
			else if (g->nq > 0 && g->q[g->nq - 1].colons == 0 &&
			    strcmp(g->q[g->nq - 1].name, sc.name) == 0)
				gen_quote_close(g);
			done = 1;
		}
		buf_free(&sc.a);
		if (done)
			goto consumed;
	}
	return 0;
consumed:
	g->i = eol < g->n ? eol + 1 : eol;
	return 1;
}

/* One line inside a code fence; 0 when the fence had already ended
 * and the line is left for the caller. */
static int
gen_fence_line(struct gen *g, size_t eol)
{
	const char	*s = g->s + g->i;
	size_t		 n = eol - g->i, k, c;
	int		 quotes;
	char		 fc;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	k = gen_strip(s, n, &quotes);
	/* A quote that ends ends the code block inside it. */
	if (g->fenceq > 0 && quotes < g->fenceq) {
		g->fencec = 0;
		return 0;
	}
	if ((c = gen_fence(s + k, n - k, &fc)) >= g->fencen &&
	    fc == g->fencec && c == n - k)
		g->fencec = 0;
	gen_code_line(g, g->i, eol < g->n ? eol + 1 : eol);
	g->i = eol < g->n ? eol + 1 : eol;
	return 1;
}

/* {% endraw %} at g->i: raw text ends. */
static int
gen_endraw(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i, e, j;

	if (p + 1 >= g->n || s[p + 1] != '%' ||
	    (e = gen_close(g, &g->nx_tag, p + 2, "%}")) == SIZE_MAX)
		return 0;
	for (j = p + 2; j < e && (s[j] == ' ' || s[j] == '-'); j++)
		;
	if (e - j < 6 || strncmp(s + j, "endraw", 6) != 0)
		return 0;
	g->raw = 0;
	g->i = e + 2;
	return 1;
}

/* Inline text to the end of the line (or further, past a tag that
 * spans lines). */
static void
gen_inline(struct gen *g)
{
	static const char	 special[] = "\n\\`{[^]";
	const char		*s = g->s;
	size_t			 k;
	char			 c;

	while (g->i < g->n && !g->err) {
		for (k = g->i; k < g->n && strchr(special, s[k]) == NULL; k++)
			;
		gen_put(g, s + g->i, k - g->i);
		g->i = k;
		if (k == g->n)
			break;
		c = s[k];
		if (c == '\n') {
			gen_put(g, "\n", 1);
			g->i++;
			return;
		}
		if (g->raw) {
			if (c != '{' || !gen_endraw(g)) {
				gen_put(g, s + k, 1);
				g->i++;
			}
			continue;
		}
		if (c == '\\' && k + 1 < g->n && s[k + 1] != '\n') {
			gen_put(g, s + k, 2);
			g->i += 2;
			continue;
		}
		if (c == '`' && gen_code_span(g))
			continue;
		if (c == '{' && k + 2 < g->n && s[k + 1] == '{' &&
		    (s[k + 2] == '<' || s[k + 2] == '%') && gen_hugo(g))
			continue;
		if (c == '{' && k + 1 < g->n && s[k + 1] == '%' &&
		    gen_liquid(g))
			continue;
		if (c == '{' && k + 1 < g->n && s[k + 1] == '{' &&
		    gen_liquid_out(g))
			continue;
		if (c == '{' && k + 1 < g->n && s[k + 1] == ':' &&
		    gen_kramdown(g))
			continue;
		if (c == '[' && gen_hatena(g))
			continue;
		if (c == '^' && k + 1 < g->n && s[k + 1] == '[' &&
		    gen_zenn_note(g))
			continue;
		if (c == ']' && k + 1 < g->n && s[k + 1] == '(' &&
		    gen_size_suffix(g))
			continue;
		gen_put(g, s + k, 1);
		g->i++;
	}
}

/*
 * The page's Markdown with generator syntax rewritten, into out.  base
 * is the page's URL path (Hugo refs), warn collects "dropped ..." lines
 * (both may be NULL).  0 or -1.
 */
static int
md_generators(const char *s, size_t n, const char *base, struct buf *warn,
    struct buf *out)
{
	struct gen	 g;
	size_t		 eol;
	int		 rv;

	memset(&g, 0, sizeof(g));
	g.s = s;
	g.n = n;
	g.out = out;
	g.warn = warn;
	g.base = base;
	g.bol = 1;
	buf_init(&g.notes, MD_POOL_MAX);
	while (g.i < g.n && !g.err) {
		eol = gen_eol(&g, g.i);
		if (g.imgpend && (g.raw || g.fencec != 0 ||
		    !gen_image_line(g.s + g.i, gen_trim_end(g.s + g.i,
		    eol - g.i)))) {
			gen_put(&g, "\n", 1);
			g.imgpend = 0;
		}
		if (g.fencec != 0 && gen_fence_line(&g, eol))
			continue;
		if (!g.raw && gen_line(&g, eol))
			continue;
		gen_inline(&g);
		if (g.imgline) {
			gen_newline(&g);
			g.imgpend = 1;
			g.imgline = 0;
		}
	}
	g.nq = 0;
	if (g.nnotes > 0 && g.fencec == 0) {
		gen_newline(&g);
		gen_put(&g, g.notes.data, g.notes.len);
	}
	rv = g.err ? -1 : 0;
	buf_free(&g.notes);
	return rv;
}

/*-------------------------------------------------------------------
 * Entry points
 */

static pthread_once_t	 md_once = PTHREAD_ONCE_INIT;

static void
md_register(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

/*
 * cmark-gfm (before 0.29.0.gfm.7) pads every table row to the header's
 * column count, so a wide header over many one-cell rows turns a few
 * kilobytes into gigabytes of nodes, and it splits a row's cells in
 * time quadratic in their number.  Estimate the cells (delimiter-row
 * columns times the rows under it) before parsing; a line with more
 * pipes than any real table has counts as too many.
 */
static size_t
md_table_cells(const char *s, size_t n)
{
	size_t	 i = 0, e, k, cols, rows, cells = 0;
	int	 dash;

	for (i = 0, cols = 0; i < n; i++) {
		if (s[i] == '\n')
			cols = 0;
		else if (s[i] == '|' && ++cols > MD_MAX_COLS)
			return SIZE_MAX;
	}
	i = 0;
	while (i < n) {
		for (e = i; e < n && s[e] != '\n'; e++)
			;
		cols = 1;
		dash = 0;
		for (k = i; k < e; k++) {
			if (s[k] == '|')
				cols++;
			else if (s[k] == '-')
				dash = 1;
			else if (s[k] != ':' && s[k] != ' ' && s[k] != '\t' &&
			    s[k] != '\r')
				break;
		}
		i = e + 1;
		if (k < e || !dash || cols < 2)
			continue;
		for (rows = 0; i < n; rows++) {
			for (e = i; e < n && s[e] != '\n'; e++)
				;
			for (k = i; k < e && isspace((unsigned char)s[k]); k++)
				;
			if (k == e)
				break;
			i = e + 1;
		}
		if (cols > 0 && rows > SIZE_MAX / cols)
			return SIZE_MAX;
		cells += cols * rows;
		if (cells > MD_MAX_CELLS)
			return cells;
	}
	return cells;
}

static cmark_node *
md_parse(const char *body, size_t len)
{
	static const char *const exts[] = {
		"table", "strikethrough", "autolink", "tasklist",
	};
	cmark_parser		*p;
	cmark_syntax_extension	*e;
	cmark_node		*root;
	size_t			 i;
	int			 tables;

	/* The extension registry is global: fill it once, thread-safely. */
	pthread_once(&md_once, md_register);
	if (body == NULL)
		body = "";
	tables = md_table_cells(body, len) <= MD_MAX_CELLS;
	p = cmark_parser_new(CMARK_OPT_FOOTNOTES | CMARK_OPT_VALIDATE_UTF8);
	if (p == NULL)
		return NULL;
	for (i = tables ? 0 : 1; i < sizeof(exts) / sizeof(exts[0]); i++)
		if ((e = cmark_find_syntax_extension(exts[i])) != NULL)
			cmark_parser_attach_syntax_extension(p, e);
	cmark_parser_feed(p, body, len);
	root = cmark_parser_finish(p);
	cmark_parser_free(p);
	return root;
}

/* Plain text of a heading node, one line. */
static int
md_heading_text(cmark_node *h, struct buf *out)
{
	struct buf		 raw;
	cmark_iter		*it;
	cmark_event_type	 ev;
	cmark_node		*n;
	const char		*lit;
	int			 rv = -1;

	buf_init(&raw, MD_POOL_MAX);
	if ((it = cmark_iter_new(h)) == NULL)
		return -1;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			lit = cmark_node_get_literal(n);
			if (lit != NULL &&
			    tw_clean(&raw, lit, strlen(lit), 0) == -1)
				goto done;
			break;
		case CMARK_NODE_SOFTBREAK:
			if (buf_putc(&raw, MD_SOFT) == -1)
				goto done;
			break;
		case CMARK_NODE_LINEBREAK:
			if (buf_putc(&raw, ' ') == -1)
				goto done;
			break;
		default:
			break;
		}
	}
	rv = md_oneline(out, raw.data ? raw.data : "", raw.len, 0);
done:
	cmark_iter_free(it);
	buf_free(&raw);
	return rv;
}

/* Start offset of every source line (as cmark counts them: LF, CR LF
 * or CR), then the end. */
static int
mdb_index_lines(struct mdb *b, const char *s, size_t n)
{
	size_t	 i, k = 1;

	for (i = 0; i < n; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n ||
		    s[i + 1] != '\n')))
			k++;
	if ((b->srclines = calloc(k + 1, sizeof(*b->srclines))) == NULL)
		return -1;
	b->src = s;
	b->nsrclines = 1;
	for (i = 0; i < n; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n ||
		    s[i + 1] != '\n')))
			b->srclines[b->nsrclines++] = i + 1;
	b->srclines[b->nsrclines] = n;
	return 0;
}

void
md_doc_free(struct md_doc *d)
{
	free(d->blocks);
	free(d->links);
	buf_free(&d->pool);
	memset(d, 0, sizeof(*d));
}

int
md_doc_build(struct md_doc *d, const char *body, size_t len,
    const struct md_opts *opts, int flags)
{
	static const struct md_opts	 dflt = { .breaks = -1 };
	struct mdb			 b;
	struct buf			 src;
	cmark_node			*root = NULL;
	int				 keep, rv = -1;

	memset(d, 0, sizeof(*d));
	buf_init(&d->pool, MD_POOL_MAX);
	/* Offset 0 is the empty string. */
	if (buf_putc(&d->pool, '\0') == -1)
		return -1;
	if (opts == NULL)
		opts = &dflt;
	memset(&b, 0, sizeof(b));
	b.d = d;
	b.opts = opts;
	b.base = opts->path != NULL ? opts->path : "/";
	buf_init(&b.text, MD_POOL_MAX);
	buf_init(&b.tmp, MD_POOL_MAX);
	buf_init(&src, MD_POOL_MAX);
	if (md_generators(body, len, opts->path, opts->warn, &src) == -1)
		goto done;
	if ((root = md_parse(src.data, src.len)) == NULL)
		goto done;
	if (mdb_index_lines(&b, src.data ? src.data : "", src.len) == -1)
		goto done;
	if ((flags & MD_DOC_PAGE) && mdb_header(&b, root) == -1)
		goto done;
	if (mdb_walk(&b, root) == -1 || mdb_end(&b) == -1 ||
	    mdb_item_flush(&b) == -1)
		goto done;
	b.nest = 0;
	mdb_group_end(&b);
	if ((flags & MD_DOC_PAGE) && opts->is_post && mdb_footer(&b) == -1)
		goto done;
	mdb_group_end(&b);
	if ((flags & MD_DOC_PAGE) && opts->meta != NULL &&
	    opts->meta->breaks >= 0)
		keep = opts->meta->breaks > 0;
	else if (opts->breaks >= 0)
		keep = opts->breaks > 0;
	else
		keep = mdb_decide(&b);
	mdb_resolve(d, keep);
	rv = b.err ? -1 : 0;
done:
	if (root != NULL)
		cmark_node_free(root);
	buf_free(&b.text);
	buf_free(&b.tmp);
	free(b.lists);
	free(b.cells);
	free(b.align);
	free(b.slots);
	free(b.refgroup);
	free(b.blines);
	free(b.srclines);
	buf_free(&src);
	if (rv == -1)
		md_doc_free(d);
	return rv;
}

int
md_render(const char *body, size_t len, enum md_format fmt,
    const struct md_opts *opts, struct buf *out)
{
	struct md_doc	 d;
	struct md_opts	 o;
	size_t		 start = out->len;
	int		 rv;

	o = *opts;
	if (o.width == 0)
		o.width = MD_WIDTH;
	if (o.host == NULL)
		o.host = "localhost";
	if (o.port == 0)
		o.port = 70;
	if (md_doc_build(&d, body, len, &o, MD_DOC_PAGE) == -1)
		return -1;
	switch (fmt) {
	case MD_GEMTEXT:
		rv = gemtext_emit(&d, out);
		break;
	case MD_GOPHERMAP:
		rv = gophermap_emit(&d, &o, out);
		break;
	default:
		rv = gophermap_emit_text(&d, &o, out);
		break;
	}
	md_doc_free(&d);
	if (rv == -1) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
	}
	return rv;
}

int
md_first_heading(const char *body, size_t len, struct buf *out)
{
	cmark_node		*root, *h = NULL;
	cmark_iter		*it;
	cmark_event_type	 ev;
	struct buf		 src;
	size_t			 start = out->len;
	int			 rv = -1;

	buf_init(&src, MD_POOL_MAX);
	if (md_generators(body, len, NULL, NULL, &src) == -1) {
		buf_free(&src);
		return -1;
	}
	root = md_parse(src.data, src.len);
	buf_free(&src);
	if (root == NULL)
		return -1;
	if ((it = cmark_iter_new(root)) == NULL)
		goto done;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(
		    cmark_iter_get_node(it)) == CMARK_NODE_HEADING) {
			h = cmark_iter_get_node(it);
			break;
		}
	cmark_iter_free(it);
	if (h == NULL)
		rv = 1;
	else if (md_heading_text(h, out) == 0)
		rv = out->len > start ? 0 : 1;
done:
	cmark_node_free(root);
	return rv;
}

/* The first paragraph's text, cut to max bytes with "…". */
static int
md_doc_summary(const struct md_doc *d, size_t max, struct buf *out)
{
	const struct md_block	*blk;
	const char		*s;
	size_t			 i, k, l, cut;
	int32_t			 cp;

	for (i = 0; i < d->nblocks; i++) {
		blk = &d->blocks[i];
		if (blk->type == MDB_TEXT && !blk->inplace && blk->len > 0)
			break;
	}
	if (i == d->nblocks)
		return 0;
	s = md_str(d, blk->text);
	if (blk->len <= max)
		return md_oneline(out, s, blk->len, 0);
	if (max < sizeof("…") - 1)
		return 0;
	/* Cut at a character boundary, keeping marks with their base. */
	cut = max - (sizeof("…") - 1);
	for (k = 0; k < blk->len; k += l) {
		l = tw_next(s + k, blk->len - k, &cp);
		if (k + l > cut)
			break;
	}
	while (k > 0) {
		tw_next(s + k, blk->len - k, &cp);
		if (!tw_is_mark(cp))
			break;
		k = md_last_char(s, k, &cp);
	}
	/* Prefer a word boundary in the last quarter. */
	for (cut = k; cut > k - k / 4 && cut > 0 && s[cut] != ' '; cut--)
		;
	if (cut > 0 && s[cut] == ' ')
		k = cut;
	if (md_oneline(out, s, k, 0) == -1 || buf_puts(out, "…") == -1)
		return -1;
	return 0;
}

/* Every block as one line of plain text: the prose first, then, after
 * an MD_PLAIN_VERBATIM line, code, tables and other preformatted blocks
 * (searched, but never cut into an excerpt, where they read as noise). */
static int
md_doc_plaintext(const struct md_doc *d, struct buf *out)
{
	const struct md_block	*blk;
	const struct md_link	*l;
	size_t			 i, k;
	int			 pre = 0;

	for (i = 0; i < d->nblocks; i++) {
		blk = &d->blocks[i];
		pre |= blk->type == MDB_PRE && !blk->inplace;
		if (blk->type == MDB_RULE || blk->type == MDB_PRE)
			continue;
		if (blk->inplace) {
			for (k = 0; k < blk->nlinks; k++) {
				l = &d->links[blk->link0 + k];
				if ((k > 0 && buf_putc(out, ' ') == -1) ||
				    buf_puts(out, md_str(d, l->label)) == -1)
					return -1;
			}
		} else if (md_oneline(out, md_str(d, blk->text), blk->len,
		    0) == -1)
			return -1;
		if (buf_putc(out, '\n') == -1)
			return -1;
	}
	if (!pre)
		return 0;
	if (buf_putc(out, MD_PLAIN_VERBATIM) == -1 ||
	    buf_putc(out, '\n') == -1)
		return -1;
	for (i = 0; i < d->nblocks; i++) {
		blk = &d->blocks[i];
		if (blk->type != MDB_PRE || blk->inplace)
			continue;
		if (md_oneline(out, md_str(d, blk->text), blk->len, 0) == -1 ||
		    buf_putc(out, '\n') == -1)
			return -1;
	}
	return 0;
}

int
md_summary(const char *body, size_t len, size_t max, struct buf *out)
{
	return md_digest(body, len, max, out, NULL);
}

int
md_plaintext(const char *body, size_t len, struct buf *out)
{
	return md_digest(body, len, 0, NULL, out);
}

int
md_digest(const char *body, size_t len, size_t max, struct buf *summary,
    struct buf *plain)
{
	static const struct md_opts	 o = { .breaks = 0 };
	struct md_doc			 d;
	int				 rv = 0;

	if (md_doc_build(&d, body, len, &o, 0) == -1)
		return -1;
	if (summary != NULL && md_doc_summary(&d, max, summary) == -1)
		rv = -1;
	if (plain != NULL && md_doc_plaintext(&d, plain) == -1)
		rv = -1;
	md_doc_free(&d);
	return rv;
}

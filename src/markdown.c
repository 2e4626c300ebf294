/*
 * markdown: parses Markdown with cmark-gfm and walks the tree once into
 * the protocol-neutral document of markdown.h (blocks, their links, the
 * line-break decision), strips raw HTML, maps links (with mdlink.c);
 * gemtext.c and gophermap.c render that document.  Pure apart from the
 * one-time registration of cmark-gfm's extensions.
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
#include "doc.h"
#include "gensyntax.h"
#include "hatena.h"
#include "markdown.h"
#include "mdb.h"
#include "site.h"
#include "textwidth.h"

#define MD_POOL_MAX	((size_t)1 << 30)
#define MD_LABEL_MAX	1024	/* bytes of a link label */
#define MD_SOFT		'\x01'	/* soft break, until the page decides */
#define MD_MAX_CELLS	200000	/* table cells before tables are off */
#define MD_MAX_COLS	1000	/* pipes on a line, likewise */

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
int
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
		if (max == 0) {
			/* No cut to place: the run up to the next blank or
			 * break at once (those bytes never occur inside a
			 * UTF-8 character). */
			while (i + l < n && s[i + l] != ' ' &&
			    s[i + l] != '\n' && s[i + l] != '\t' &&
			    s[i + l] != MD_SOFT)
				l++;
		} else
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


void
mdb_fail(struct mdb *b)
{
	b->err = 1;
}

size_t
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
size_t
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
void
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
int
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

int
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

int
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
int
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
	if (md_link_map(href, b->tmp.len, b->base, b->opts->urls, MD_GEMTEXT,
	    &d->pool,
	    &t) == -1 || buf_putc(&d->pool, '\0') == -1)
		goto fail;
	if (t.kind == MDL_NONE)
		return 0;
	l.sel = d->pool.len;
	if (md_link_map(href, b->tmp.len, b->base, b->opts->urls,
	    MD_GOPHERMAP, &d->pool,
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

int
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

int
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
		/* Struck text keeps its marks: "we use Nightly" struck
		 * through is no longer current. */
		if (type != NULL && strcmp(type, "strikethrough") == 0)
			return mdb_text(b, "~~", 2);
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
		/* A paragraph that became the title is shown as the title
		 * only (a heading goes through mdb_end, for its links). */
		if (ev == CMARK_EVENT_ENTER && b->title_node != NULL &&
		    cmark_iter_get_node(it) == b->title_node &&
		    cmark_node_get_type(b->title_node) ==
		    CMARK_NODE_PARAGRAPH) {
			cmark_iter_reset(it, b->title_node, CMARK_EVENT_EXIT);
			continue;
		}
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
	const struct md_site	*s = b->opts->site;
	enum md_title_rule	 rule = MD_TITLE_SCREEN;
	struct buf		 title, head, name;
	cmark_iter		*it;
	cmark_node		*h = NULL;
	cmark_event_type	 ev;
	struct tm		 tm;
	time_t			 t;
	size_t			 i;
	int			 err, rv = -1;

	buf_init(&title, MD_POOL_MAX);
	buf_init(&head, MD_POOL_MAX);
	buf_init(&name, MD_POOL_MAX);
	if (m == NULL || m->title == NULL) {
		/* No title given: the page's own by its generator's rule,
		 * dropped from its body when it is a block of its own. */
		if (s != NULL && s->title != NULL && b->opts->path != NULL)
			rule = s->title(s->arg, b->opts->path +
			    (b->opts->path[0] == '/'), m != NULL && m->body > 0,
			    &name);
		b->title_node = mdb_title_node(root, b->src,
		    b->srclines[b->nsrclines], rule, &head, &err);
		if (err)
			goto done;
	} else {
		/* A heading repeating the given title is dropped. */
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
	}
	if (m != NULL && m->title != NULL &&
	    md_meta_line(&title, m->title) == -1)
		goto done;
	if (title.len == 0 && head.len > 0 &&
	    buf_append(&title, head.data, head.len) == -1)
		goto done;
	if (title.len == 0 && name.len > 0 &&
	    buf_append(&title, name.data, name.len) == -1)
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
	buf_free(&name);
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
	/* Each term's page in the web's form ("/categories/NAME/"), for
	 * both protocols, labelled by its taxonomy. */
	for (i = 0; m != NULL && i < m->nterms; i++) {
		const char *t = m->terms[i], *sl = strchr(t, '/');

		buf_reset(&tag);
		buf_reset(&gem);
		buf_reset(&label);
		if (sl == NULL)
			continue;
		/* gem: the taxonomy's name, tag: the term. */
		if (md_meta_line(&tag, sl + 1) == -1 || buf_printf(&gem,
		    "%.*s", (int)(sl - t), t) == -1)
			goto done;
		if (tag.len == 0)
			continue;
		buf_reset(&sel);
		if (doc_term_label(gem.data, tag.data, &label) == -1 ||
		    site_term_path(gem.data, tag.data, &sel) == -1 ||
		    mdb_fixed_link(b, label.data, NULL, sel.data,
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

/* cjk: pair the emphasis marks CommonMark leaves next to CJK text (not
 * in a converted Hatena notation entry: it has no emphasis marks, and
 * its stars and underscores are escaped text). */
static cmark_node *
md_parse(const char *body, size_t len, int cjk)
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
	if (root != NULL && cjk)
		mdb_cjk_emphasis(root);
	return root;
}

/* Plain text of a heading node, one line. */
int
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

/*
 * The Markdown cmark-gfm reads: a Hatena notation entry converted
 * first (*notation set), then the generator syntax rewritten.
 */
static int
md_source(const char *body, size_t len, const struct md_opts *opts,
    struct buf *src, int *notation)
{
	struct buf	 h;
	int		 rv;

	*notation = hatena_notation(body, len, opts != NULL &&
	    opts->meta != NULL && opts->meta->hatena);
	if (!*notation)
		return gen_rewrite(body, len, opts, src);
	buf_init(&h, MD_POOL_MAX);
	rv = hatena_markdown(body, len, &h);
	if (rv == 0)
		rv = gen_rewrite(h.data ? h.data : "", h.len, opts, src);
	buf_free(&h);
	return rv;
}

int
md_doc_build(struct md_doc *d, const char *body, size_t len,
    const struct md_opts *opts, int flags)
{
	static const struct md_opts	 dflt = { .breaks = -1 };
	struct mdb			 b;
	struct buf			 src;
	cmark_node			*root = NULL;
	int				 keep, notation, rv = -1;

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
	if (md_source(body, len, opts, &src, &notation) == -1)
		goto done;
	if ((root = md_parse(src.data, src.len, !notation)) == NULL)
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
	else if (notation)
		keep = 1;	/* every line is a line in the notation */
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
md_page_title(const char *body, size_t len, enum md_title_rule rule,
    struct buf *out)
{
	cmark_node	*root;
	struct buf	 src;
	size_t		 start = out->len;
	int		 notation, err, rv = -1;

	buf_init(&src, MD_POOL_MAX);
	if (md_source(body, len, NULL, &src, &notation) == -1) {
		buf_free(&src);
		return -1;
	}
	if ((root = md_parse(src.data, src.len, !notation)) != NULL) {
		if (mdb_title_node(root, src.data ? src.data : "", src.len,
		    rule, out, &err) != NULL)
			rv = out->len > start ? 0 : 1;
		else
			rv = err ? -1 : 1;
		cmark_node_free(root);
	}
	buf_free(&src);
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

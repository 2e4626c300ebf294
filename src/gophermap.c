/*
 * gophermap: the intermediate document as a Gopher menu (`i' lines
 * wrapped by display width, links as real items after their group) and
 * as plain text (the same layout, links numbered [N] and listed at the
 * end).  One layout code path, two line sinks.  Pure.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gophermap.h"
#include "markdown.h"
#include "textwidth.h"

#define GPH_MAXQUOTE	8	/* quote levels shown */
#define GPH_MAXINDENT	8	/* list levels indented */
#define GPH_MINWIDTH	10	/* text columns left after prefixes */
#define GPH_PREINDENT	"    "	/* sets code and tables off the prose */

struct gph {
	const struct md_doc	*d;
	const struct md_opts	*o;
	struct buf		*out;
	struct buf		 line;		/* one output line */
	struct buf		 text;		/* a block's text, marked */
	struct buf		 pre;		/* current prefixes */
	int			 plain;		/* type 0 rendering */
	size_t			 width;
	enum md_sep		 pend;
	int			 any;
	const char		*quote;		/* quote prefix of the block */
	size_t			 quotelen;
};

/* One display line to the output, in the format's framing. */
static int
gph_emit(struct gph *g, const char *s, size_t n)
{
	size_t	 i;

	if (g->plain) {
		/* A lone "." reads as end of text to some clients. */
		if (n == 1 && s[0] == '.')
			return buf_puts(g->out, ". \n");
		if (buf_append(g->out, s, n) == -1)
			return -1;
		return buf_putc(g->out, '\n');
	}
	if (buf_putc(g->out, 'i') == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_putc(g->out, s[i] == '\t' ? ' ' : s[i]) == -1)
			return -1;
	return buf_printf(g->out, "\t\t%s\t%u\r\n", g->o->host, g->o->port);
}

/* The separation owed before the next line. */
static int
gph_start(struct gph *g)
{
	size_t	 n = g->quotelen;
	int	 rv = 0;

	if (g->any && g->pend == MDS_BLANK)
		rv = gph_emit(g, "", 0);
	else if (g->any && g->pend == MDS_QUOTE) {
		while (n > 0 && g->quote[n - 1] == ' ')
			n--;
		rv = gph_emit(g, g->quote, n);
	}
	g->pend = MDS_NONE;
	g->any = 1;
	return rv;
}

/* prefix + s, trailing spaces dropped. */
static int
gph_line(struct gph *g, const char *prefix, size_t plen, const char *s,
    size_t n)
{
	if (gph_start(g) == -1)
		return -1;
	buf_reset(&g->line);
	if (buf_append(&g->line, prefix, plen) == -1 ||
	    buf_append(&g->line, s, n) == -1)
		return -1;
	while (g->line.len > 0 && g->line.data[g->line.len - 1] == ' ')
		g->line.len--;
	return gph_emit(g, g->line.data ? g->line.data : "", g->line.len);
}

struct gph_wrap {
	struct gph	*g;
	const char	*p1, *p2;	/* first and later line prefixes */
	size_t		 n1, n2;
	int		 first;
	size_t		 maxw;
};

static int
gph_wrap_line(void *arg, const char *s, size_t n, size_t w)
{
	struct gph_wrap	*x = arg;
	int		 first = x->first;

	x->first = 0;
	if (w > x->maxw)
		x->maxw = w;
	return gph_line(x->g, first ? x->p1 : x->p2, first ? x->n1 : x->n2,
	    s, n);
}

static size_t
gph_avail(const struct gph *g, size_t prefixw)
{
	return g->width > prefixw + GPH_MINWIDTH ? g->width - prefixw :
	    GPH_MINWIDTH;
}

/* Each LF-separated line of s wrapped; x->first carries across. */
static int
gph_wrap(struct gph *g, struct gph_wrap *x, const char *s, size_t n)
{
	const char	*e = s + n, *nl;
	size_t		 avail;

	avail = gph_avail(g, tw_width(x->p2, x->n2));
	for (; s <= e; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(e - s))) == NULL)
			nl = e;
		if (tw_wrap(s, (size_t)(nl - s), avail, gph_wrap_line, x) == -1)
			return -1;
	}
	return 0;
}

/* The block's text; in plain text each link's words get their [N]. */
static int
gph_block_text(struct gph *g, const struct md_block *b, const char **sp,
    size_t *np)
{
	const char		*s = md_str(g->d, b->text);
	const struct md_link	*l;
	size_t			 k, pos = 0;

	*sp = s;
	*np = b->len;
	if (!g->plain || b->nlinks == 0)
		return 0;
	buf_reset(&g->text);
	for (k = 0; k < b->nlinks; k++) {
		l = &g->d->links[b->link0 + k];
		if (l->end == SIZE_MAX || l->end < pos || l->end > b->len)
			continue;
		if (buf_append(&g->text, s + pos, l->end - pos) == -1)
			return -1;
		/* Without words to attach to, the mark stands alone. */
		if (l->bare && g->text.len > 0 &&
		    g->text.data[g->text.len - 1] != ' ' &&
		    buf_putc(&g->text, ' ') == -1)
			return -1;
		if (buf_printf(&g->text, "[%zu]", g->d->nfoot + l->ref) == -1)
			return -1;
		if (l->bare && l->end < b->len && s[l->end] != ' ' &&
		    s[l->end] != '\n' && buf_putc(&g->text, ' ') == -1)
			return -1;
		pos = l->end;
	}
	if (buf_append(&g->text, s + pos, b->len - pos) == -1)
		return -1;
	*sp = g->text.data;
	*np = g->text.len;
	return 0;
}

/* Display string of an item: one line, at most the text width. */
static int
gph_display(struct gph *g, const char *s)
{
	size_t	 n = strlen(s), i, l, w = 0;
	int32_t	 cp;
	int	 cw;

	if (tw_width(s, n) <= g->width)
		return buf_append(&g->line, s, n);
	for (i = 0; i < n; i += l) {
		l = tw_next(s + i, n - i, &cp);
		cw = tw_cpwidth(cp);
		if (w + (size_t)cw + 1 > g->width)
			break;
		if (buf_append(&g->line, s + i, l) == -1)
			return -1;
		w += (size_t)cw;
	}
	return buf_puts(&g->line, "…");
}

static int
gph_item(struct gph *g, const struct md_link *l)
{
	const char	*host = g->o->host;
	unsigned	 port = g->o->port;

	if (l->dup)
		return 0;
	if (gph_start(g) == -1)
		return -1;
	if (l->kind == MDL_GOPHER) {
		host = md_str(g->d, l->ghost);
		port = l->gport;
	}
	buf_reset(&g->line);
	if (buf_putc(&g->line, l->gtype) == -1 ||
	    gph_display(g, md_str(g->d, l->glabel)) == -1 ||
	    buf_printf(&g->line, "\t%s\t%s\t%u\r\n", md_str(g->d, l->sel),
	    host, port) == -1)
		return -1;
	return buf_append(g->out, g->line.data, g->line.len);
}

/* A block that is only links: items, or "label [N]" lines. */
static int
gph_inplace(struct gph *g, const struct md_block *b)
{
	const struct md_link	*l;
	struct gph_wrap		 x;
	size_t			 k;

	for (k = 0; k < b->nlinks; k++) {
		l = &g->d->links[b->link0 + k];
		if (!g->plain) {
			if (gph_item(g, l) == -1)
				return -1;
			continue;
		}
		if (l->dup)
			continue;
		buf_reset(&g->text);
		if (buf_printf(&g->text, "%s [%zu]", md_str(g->d, l->glabel),
		    g->d->nfoot + l->ref) == -1)
			return -1;
		memset(&x, 0, sizeof(x));
		x.g = g;
		x.p1 = x.p2 = g->pre.data;
		x.n1 = g->pre.len;
		x.n2 = g->pre.len;
		x.first = 1;
		if (gph_wrap(g, &x, g->text.data, g->text.len) == -1)
			return -1;
	}
	return 0;
}

static int
gph_heading(struct gph *g, const struct md_block *b)
{
	static const char	 under[] = "==-~";
	struct gph_wrap		 x;
	const char		*s;
	size_t			 n, k;

	if (gph_block_text(g, b, &s, &n) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	x.g = g;
	x.p1 = x.p2 = g->quote;
	x.n1 = x.n2 = g->quotelen;
	x.first = 1;
	if (gph_wrap(g, &x, s, n) == -1)
		return -1;
	buf_reset(&g->text);
	for (k = 0; k < x.maxw; k++)
		if (buf_putc(&g->text, under[b->level >= 1 && b->level <= 3 ?
		    b->level : 3]) == -1)
			return -1;
	return gph_line(g, g->quote, g->quotelen, g->text.data ? g->text.data :
	    "", g->text.len);
}

/* Item markers, the same for an item and the blocks hanging under it. */
static int
gph_marker(struct buf *out, const struct md_block *b)
{
	if ((b->number >= 0 ? buf_printf(out, "%ld. ", b->number) :
	    buf_puts(out, "- ")) == -1)
		return -1;
	/* As in gemtext: "- [x]" would read as Markdown left behind. */
	if (b->task && buf_puts(out, b->task == 2 ? "☑ " : "☐ ") == -1)
		return -1;
	return 0;
}

/* g->pre = quote prefix, list indentation and, for blocks inside an
 * item (not the item itself), the width of the item's marker. */
static int
gph_hang(struct gph *g, const struct md_block *b)
{
	struct buf	 mark;
	size_t		 n;
	int		 k, rv = -1;

	buf_reset(&g->pre);
	if (buf_append(&g->pre, g->quote, g->quotelen) == -1)
		return -1;
	for (k = 1; k < b->depth && k <= GPH_MAXINDENT; k++)
		if (buf_puts(&g->pre, "  ") == -1)
			return -1;
	if (b->depth == 0 || b->type == MDB_ITEM)
		return 0;
	buf_init(&mark, 64);
	if (gph_marker(&mark, b) == -1)
		goto done;
	for (n = tw_width(mark.data, mark.len); n > 0; n--)
		if (buf_putc(&g->pre, ' ') == -1)
			goto done;
	rv = 0;
done:
	buf_free(&mark);
	return rv;
}

static int
gph_text(struct gph *g, const struct md_block *b)
{
	struct gph_wrap		 x;
	const char		*s;
	size_t			 n;

	if (gph_hang(g, b) == -1)
		return -1;
	if (b->inplace)
		return gph_inplace(g, b);
	if (gph_block_text(g, b, &s, &n) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	x.g = g;
	x.p1 = x.p2 = g->pre.data;
	x.n1 = x.n2 = g->pre.len;
	x.first = 1;
	return gph_wrap(g, &x, s, n);
}

static int
gph_list_item(struct gph *g, const struct md_block *b)
{
	struct gph_wrap		 x;
	struct buf		 first;
	const char		*s;
	size_t			 n, mark;
	int			 rv = -1;

	buf_init(&first, g->out->max);
	if (gph_hang(g, b) == -1)
		goto done;
	if (b->inplace) {
		rv = gph_inplace(g, b);
		goto done;
	}
	if (buf_append(&first, g->pre.data, g->pre.len) == -1)
		goto done;
	mark = first.len;
	if (gph_marker(&first, b) == -1)
		goto done;
	/* Later lines hang under the text, past the marker. */
	for (n = tw_width(first.data + mark, first.len - mark); n > 0; n--)
		if (buf_putc(&g->pre, ' ') == -1)
			goto done;
	if (gph_block_text(g, b, &s, &n) == -1)
		goto done;
	memset(&x, 0, sizeof(x));
	x.g = g;
	x.p1 = first.data;
	x.n1 = first.len;
	x.p2 = g->pre.data;
	x.n2 = g->pre.len;
	x.first = 1;
	rv = gph_wrap(g, &x, s, n);
done:
	buf_free(&first);
	return rv;
}

/* Code and tables: indented, copied unwrapped, TABs expanded. */
static int
gph_pre(struct gph *g, const struct md_block *b)
{
	const char	*s = md_str(g->d, b->text), *e = s + b->len, *nl;

	if (b->len == 0)
		return 0;		/* an empty code block shows nothing */
	if (gph_hang(g, b) == -1)
		return -1;
	for (; s <= e; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(e - s))) == NULL)
			nl = e;
		buf_reset(&g->text);
		if ((nl > s && buf_puts(&g->text, GPH_PREINDENT) == -1) ||
		    tw_expand_tabs(&g->text, s, (size_t)(nl - s)) == -1 ||
		    gph_line(g, g->pre.data, g->pre.len, g->text.data ?
		    g->text.data : "", g->text.len) == -1)
			return -1;
	}
	return 0;
}

static int
gph_rule(struct gph *g)
{
	size_t	 pad = g->width > 5 ? (g->width - 5) / 2 : 0;

	buf_reset(&g->text);
	while (pad-- > 0)
		if (buf_putc(&g->text, ' ') == -1)
			return -1;
	if (buf_puts(&g->text, "* * *") == -1)
		return -1;
	return gph_line(g, g->quote, g->quotelen, g->text.data, g->text.len);
}

/* Plain text: every distinct link target, in order of first use. */
static int
gph_references(struct gph *g)
{
	const struct md_link	*l;
	size_t			 i, next = 1;

	if (g->d->nrefs == 0)
		return 0;
	g->pend = MDS_BLANK;
	buf_reset(&g->line);
	if (gph_line(g, "", 0, "Links", 5) == -1 ||
	    gph_line(g, "", 0, "-----", 5) == -1)
		return -1;
	for (i = 0; i < g->d->nlinks; i++) {
		l = &g->d->links[i];
		if (l->ref != next)
			continue;
		next++;
		buf_reset(&g->text);
		if (buf_printf(&g->text, "[%zu] ", g->d->nfoot + l->ref) == -1)
			return -1;
		if (l->kind == MDL_LOCAL) {
			if (buf_printf(&g->text, "gopher://%s",
			    g->o->host) == -1 ||
			    (g->o->port != 70 &&
			    buf_printf(&g->text, ":%u", g->o->port) == -1) ||
			    buf_printf(&g->text, "/%c%s", l->gtype,
			    md_str(g->d, l->sel)) == -1)
				return -1;
		} else if (buf_puts(&g->text, md_str(g->d, l->gem)) == -1)
			return -1;
		if (gph_line(g, "", 0, g->text.data, g->text.len) == -1)
			return -1;
	}
	return 0;
}

static int
gph_render(const struct md_doc *d, const struct md_opts *o, struct buf *out,
    int plain)
{
	static const char	 quotes[] = "> > > > > > > > ";
	struct gph		 g;
	const struct md_block	*b;
	size_t			 i, j, k;
	int			 rv = -1;

	memset(&g, 0, sizeof(g));
	g.d = d;
	g.o = o;
	g.out = out;
	g.plain = plain;
	g.width = o->width ? o->width : 67;
	buf_init(&g.line, out->max);
	buf_init(&g.text, out->max);
	buf_init(&g.pre, out->max);
	for (i = 0; i < d->nblocks; i++) {
		b = &d->blocks[i];
		if (b->sep > g.pend)
			g.pend = b->sep;
		g.quote = quotes;
		g.quotelen = 2 * (size_t)(b->quote < GPH_MAXQUOTE ? b->quote :
		    GPH_MAXQUOTE);
		switch (b->type) {
		case MDB_HEADING:
			rv = b->inplace ? gph_text(&g, b) : gph_heading(&g, b);
			break;
		case MDB_TEXT:
			rv = gph_text(&g, b);
			break;
		case MDB_ITEM:
			rv = gph_list_item(&g, b);
			break;
		case MDB_PRE:
			rv = gph_pre(&g, b);
			break;
		case MDB_RULE:
			rv = gph_rule(&g);
			break;
		}
		if (rv == -1)
			goto done;
		rv = -1;
		if (!b->gend || plain)
			continue;
		for (j = b->gfirst; j <= i; j++) {
			if (d->blocks[j].inplace)
				continue;
			for (k = 0; k < d->blocks[j].nlinks; k++)
				if (gph_item(&g, &d->links[d->blocks[j].link0 +
				    k]) == -1)
					goto done;
		}
	}
	if (plain ? gph_references(&g) == -1 : buf_puts(out, ".\r\n") == -1)
		goto done;
	rv = 0;
done:
	buf_free(&g.line);
	buf_free(&g.text);
	buf_free(&g.pre);
	return rv;
}

int
gophermap_emit(const struct md_doc *d, const struct md_opts *opts,
    struct buf *out)
{
	return gph_render(d, opts, out, 0);
}

int
gophermap_emit_text(const struct md_doc *d, const struct md_opts *opts,
    struct buf *out)
{
	return gph_render(d, opts, out, 1);
}

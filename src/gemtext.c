/*
 * gemtext: the intermediate document as text/gemini.  Links follow the
 * group of blocks they appeared in; text that would read as gemtext
 * syntax is protected with a leading space.  Pure.
 */
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "markdown.h"

#define GEM_MAXDEPTH	8	/* list depth marks shown */
#define GEM_RULE	"─────"	/* a thematic break */

struct gem {
	const struct md_doc	*d;
	struct buf		*out;
	struct buf		 line;
	enum md_sep		 pend;
	int			 any;
	int			 pre;		/* the block is preformatted */
	int			 lastpre;	/* so was the last one */
};

/* The separation owed before the next line. */
static int
gem_start(struct gem *g)
{
	int	 rv = 0;

	/* Preformatted text cannot be quoted: no ">" line next to it. */
	if (g->pend == MDS_QUOTE && (g->pre || g->lastpre))
		g->pend = MDS_BLANK;
	if (g->any && g->pend == MDS_BLANK)
		rv = buf_putc(g->out, '\n');
	else if (g->any && g->pend == MDS_QUOTE)
		rv = buf_puts(g->out, ">\n");
	g->pend = MDS_NONE;
	g->any = 1;
	g->lastpre = g->pre;
	return rv;
}

static int
gem_line(struct gem *g, const char *pre, const char *s, size_t n)
{
	if (gem_start(g) == -1 || buf_puts(g->out, pre) == -1 ||
	    buf_append(g->out, s, n) == -1 || buf_putc(g->out, '\n') == -1)
		return -1;
	return 0;
}

/* Would a text line read as a link, preformatting toggle, heading,
 * list item, quote or (Lagrange) input prompt? */
static int
gem_is_syntax(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (s[0] == '#' || s[0] == '>')
		return 1;
	if (n >= 2 && (strncmp(s, "=>", 2) == 0 || strncmp(s, "=:", 2) == 0 ||
	    strncmp(s, "* ", 2) == 0))
		return 1;
	return n >= 3 && strncmp(s, "```", 3) == 0;
}

static int
gem_link(struct gem *g, const struct md_link *l)
{
	const char	*url = md_str(g->d, l->gem);
	const char	*label = md_str(g->d, l->label);

	if (l->dup)
		return 0;
	if (gem_start(g) == -1 || buf_puts(g->out, "=> ") == -1 ||
	    buf_puts(g->out, url) == -1)
		return -1;
	if (strcmp(url, label) != 0 && (buf_putc(g->out, ' ') == -1 ||
	    buf_puts(g->out, label) == -1))
		return -1;
	return buf_putc(g->out, '\n');
}

static int
gem_links(struct gem *g, const struct md_block *b)
{
	size_t	 k;

	for (k = 0; k < b->nlinks; k++)
		if (gem_link(g, &g->d->links[b->link0 + k]) == -1)
			return -1;
	return 0;
}

static int
gem_text(struct gem *g, const struct md_block *b)
{
	const char	*s = md_str(g->d, b->text), *e, *nl;

	for (e = s + b->len; s <= e; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(e - s))) == NULL)
			nl = e;
		if (b->quote > 0) {
			if (gem_line(g, nl > s ? "> " : ">", s,
			    (size_t)(nl - s)) == -1)
				return -1;
		} else if (gem_line(g, gem_is_syntax(s, (size_t)(nl - s)) ?
		    " " : "", s, (size_t)(nl - s)) == -1)
			return -1;
	}
	return 0;
}

/* Gemtext list items are one line with nothing before the "*": depth,
 * number and task state go into the text.  An item whose lines the
 * page keeps (line-keeping pages, lazy continuation lines) is its first
 * line as the item and the others as text lines under it, as the Gopher
 * rendering shows them: joined, a long item would be one endless line,
 * with spaces put between CJK characters. */
static int
gem_item(struct gem *g, const struct md_block *b)
{
	const char	*s = md_str(g->d, b->text), *e = s + b->len, *nl;
	int		 k;

	buf_reset(&g->line);
	if (buf_puts(&g->line, b->quote > 0 ? "> " : "* ") == -1)
		return -1;
	for (k = 1; k < b->depth && k < GEM_MAXDEPTH; k++)
		if (buf_puts(&g->line, "◦ ") == -1)
			return -1;
	if (b->number >= 0) {
		if (buf_printf(&g->line, "%ld. ", b->number) == -1)
			return -1;
	} else if (b->quote > 0 && buf_puts(&g->line, "• ") == -1)
		return -1;
	if (b->task && buf_puts(&g->line, b->task == 2 ? "☑ " : "☐ ") == -1)
		return -1;
	if ((nl = memchr(s, '\n', b->len)) == NULL)
		nl = e;
	if (buf_append(&g->line, s, (size_t)(nl - s)) == -1)
		return -1;
	while (g->line.len > 0 && g->line.data[g->line.len - 1] == ' ')
		g->line.len--;
	if (gem_line(g, "", g->line.data, g->line.len) == -1)
		return -1;
	for (s = nl + 1; s <= e && nl < e; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(e - s))) == NULL)
			nl = e;
		if (gem_line(g, b->quote > 0 ? "> " : gem_is_syntax(s,
		    (size_t)(nl - s)) ? " " : "", s, (size_t)(nl - s)) == -1)
			return -1;
	}
	return 0;
}

static int
gem_pre(struct gem *g, const struct md_block *b)
{
	const char	*s = md_str(g->d, b->text), *e = s + b->len, *nl;

	if (gem_line(g, "```", md_str(g->d, b->alt),
	    strlen(md_str(g->d, b->alt))) == -1)
		return -1;
	for (; b->len > 0 && s <= e; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(e - s))) == NULL)
			nl = e;
		/* A line starting with ``` would close the block. */
		if (gem_line(g, nl - s >= 3 && strncmp(s, "```", 3) == 0 ?
		    " " : "", s, (size_t)(nl - s)) == -1)
			return -1;
	}
	return gem_line(g, "```", "", 0);
}

static int
gem_block(struct gem *g, const struct md_block *b)
{
	static const char *const hashes[] = { "# ", "# ", "## ", "### " };

	if (b->inplace)
		return gem_links(g, b);
	switch (b->type) {
	case MDB_HEADING:
		return gem_line(g, hashes[b->level >= 1 && b->level <= 3 ?
		    b->level : 3], md_str(g->d, b->text), b->len);
	case MDB_TEXT:
		return gem_text(g, b);
	case MDB_ITEM:
		return gem_item(g, b);
	case MDB_PRE:
		return gem_pre(g, b);
	case MDB_RULE:
		return gem_line(g, "", GEM_RULE, strlen(GEM_RULE));
	}
	return 0;
}

int
gemtext_emit(const struct md_doc *d, struct buf *out)
{
	struct gem		 g;
	const struct md_block	*b;
	size_t			 i, j;
	int			 rv = -1;

	memset(&g, 0, sizeof(g));
	g.d = d;
	g.out = out;
	buf_init(&g.line, out->max);
	for (i = 0; i < d->nblocks; i++) {
		b = &d->blocks[i];
		if (b->sep > g.pend)
			g.pend = b->sep;
		g.pre = b->type == MDB_PRE && !b->inplace;
		if (gem_block(&g, b) == -1)
			goto done;
		g.pre = 0;
		if (!b->gend)
			continue;
		for (j = b->gfirst; j <= i; j++)
			if (!d->blocks[j].inplace &&
			    gem_links(&g, &d->blocks[j]) == -1)
				goto done;
	}
	rv = 0;
done:
	buf_free(&g.line);
	return rv;
}

/*
 * doc: the intermediate document built by hand (see doc.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "doc.h"
#include "gemtext.h"
#include "gophermap.h"
#include "textwidth.h"

/* How text is cleaned into the pool. */
enum doc_clean { DOC_LINE, DOC_LINES, DOC_PRE };

int
doc_init(struct md_doc *d, size_t max)
{
	memset(d, 0, sizeof(*d));
	buf_init(&d->pool, max);
	/* Offset 0 is the empty string, as in md_doc_build. */
	return buf_putc(&d->pool, '\0');
}

/*
 * s as a pool string, cleaned by tw_clean; outside preformatted text a
 * TAB is a space, and so is a LF in a one-line string (words would run
 * together if they were dropped).  *off and *len locate it.
 */
static int
doc_str(struct md_doc *d, const char *s, size_t n, enum doc_clean how,
    size_t *off, size_t *len)
{
	struct buf	*p = &d->pool;
	size_t		 i;

	*off = p->len;
	if (tw_clean(p, s, n, TW_KEEP_TAB | TW_KEEP_LF) == -1)
		return -1;
	for (i = *off; i < p->len; i++)
		if ((p->data[i] == '\t' && how != DOC_PRE) ||
		    (p->data[i] == '\n' && how == DOC_LINE))
			p->data[i] = ' ';
	*len = p->len - *off;
	return buf_putc(p, '\0');
}

static struct md_block *
doc_block(struct md_doc *d, enum md_btype type, enum md_sep sep)
{
	struct md_block	*b, *nb;
	size_t		 cap;

	if (d->nblocks == d->bcap) {
		cap = d->bcap ? d->bcap * 2 : 32;
		if ((nb = realloc(d->blocks, cap * sizeof(*nb))) == NULL)
			return NULL;
		d->blocks = nb;
		d->bcap = cap;
	}
	b = &d->blocks[d->nblocks];
	memset(b, 0, sizeof(*b));
	b->type = type;
	b->sep = sep;
	b->number = -1;
	b->link0 = d->nlinks;
	/* Every block is its own group: its links follow it. */
	b->gend = 1;
	b->gfirst = d->nblocks;
	d->nblocks++;
	return b;
}

static int
doc_add(struct md_doc *d, enum md_btype type, enum md_sep sep,
    enum doc_clean how, const char *s, size_t n, struct md_block **bp)
{
	size_t	off, len;

	if (doc_str(d, s, n, how, &off, &len) == -1 ||
	    (*bp = doc_block(d, type, sep)) == NULL)
		return -1;
	(*bp)->text = off;
	(*bp)->len = len;
	return 0;
}

int
doc_heading(struct md_doc *d, enum md_sep sep, int level, const char *s,
    size_t n)
{
	struct md_block	*b;

	if (doc_add(d, MDB_HEADING, sep, DOC_LINE, s, n, &b) == -1)
		return -1;
	b->level = level < 1 ? 1 : level > 3 ? 3 : level;
	return 0;
}

int
doc_text(struct md_doc *d, enum md_sep sep, int quote, const char *s,
    size_t n)
{
	struct md_block	*b;

	if (doc_add(d, MDB_TEXT, sep, DOC_LINES, s, n, &b) == -1)
		return -1;
	b->quote = quote;
	return 0;
}

int
doc_item(struct md_doc *d, enum md_sep sep, const char *s, size_t n)
{
	struct md_block	*b;

	if (doc_add(d, MDB_ITEM, sep, DOC_LINE, s, n, &b) == -1)
		return -1;
	b->depth = 1;
	return 0;
}

int
doc_pre(struct md_doc *d, enum md_sep sep, const char *alt, const char *s,
    size_t n)
{
	struct md_block	*b;
	size_t		 off, len;

	if (doc_str(d, alt ? alt : "", alt ? strlen(alt) : 0, DOC_LINE, &off,
	    &len) == -1 ||
	    doc_add(d, MDB_PRE, sep, DOC_PRE, s, n, &b) == -1)
		return -1;
	b->alt = off;
	return 0;
}

int
doc_link(struct md_doc *d, enum md_sep sep, const struct doc_target *t,
    const char *label, const char *glabel)
{
	struct md_block	*b;
	struct md_link	*l, *nl;
	size_t		 cap, len;

	if (d->nlinks == d->lcap) {
		cap = d->lcap ? d->lcap * 2 : 32;
		if ((nl = realloc(d->links, cap * sizeof(*nl))) == NULL)
			return -1;
		d->links = nl;
		d->lcap = cap;
	}
	l = &d->links[d->nlinks];
	memset(l, 0, sizeof(*l));
	if (label == NULL || *label == '\0')
		label = t->gem;
	if (glabel == NULL || *glabel == '\0')
		glabel = label;
	if (doc_str(d, label, strlen(label), DOC_LINE, &l->label, &len) == -1 ||
	    doc_str(d, glabel, strlen(glabel), DOC_LINE, &l->glabel,
	    &len) == -1 ||
	    doc_str(d, t->gem, strlen(t->gem), DOC_LINE, &l->href, &len) ==
	    -1 ||
	    doc_str(d, t->sel, strlen(t->sel), DOC_LINE, &l->sel, &len) == -1)
		return -1;
	l->gem = l->href;
	if (t->kind == MDL_GOPHER && t->host != NULL) {
		if (doc_str(d, t->host, strlen(t->host), DOC_LINE, &l->ghost,
		    &len) == -1)
			return -1;
		l->gport = t->port;
	}
	l->gtype = t->type;
	l->kind = t->kind;
	l->start = l->end = SIZE_MAX;
	/* Generated pages are never rendered as plain text, where refs
	 * number the link list: one per link is enough. */
	l->ref = ++d->nrefs;
	if ((b = doc_block(d, MDB_TEXT, sep)) == NULL)
		return -1;
	b->inplace = 1;
	b->nlinks = 1;
	d->nlinks++;
	return 0;
}

int
doc_local(struct md_doc *d, enum md_sep sep, const char *path, char type,
    const char *label, const char *glabel)
{
	struct doc_target	t;

	memset(&t, 0, sizeof(t));
	t.kind = MDL_LOCAL;
	t.gem = path;
	t.sel = path;
	t.type = type;
	return doc_link(d, sep, &t, label, glabel);
}

int
doc_emit(const struct md_doc *d, enum md_format fmt,
    const struct md_opts *opts, struct buf *out)
{
	size_t	start = out->len;
	int	rv;

	switch (fmt) {
	case MD_GEMTEXT:
		rv = gemtext_emit(d, out);
		break;
	case MD_GOPHERMAP:
		rv = gophermap_emit(d, opts, out);
		break;
	default:
		rv = gophermap_emit_text(d, opts, out);
		break;
	}
	if (rv == -1) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
	}
	return rv;
}

int
doc_tax_label(const char *tax, struct buf *out)
{
	size_t	at = out->len;

	if (buf_puts(out, tax) == -1)
		return -1;
	if (out->len > at)
		out->data[at] = (char)toupper((unsigned char)out->data[at]);
	return 0;
}

int
doc_term_label(const char *tax, const char *term, struct buf *out)
{
	/* The two taxonomies every generator has read as one term. */
	if (strcmp(tax, "tags") == 0)
		return buf_printf(out, "Tag: %s", term);
	if (strcmp(tax, "categories") == 0)
		return buf_printf(out, "Category: %s", term);
	if (doc_tax_label(tax, out) == -1)
		return -1;
	return buf_printf(out, ": %s", term);
}

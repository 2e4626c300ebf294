/*
 * page: a page's Markdown rendered for one protocol: the document of
 * markdown.h built once, then handed to doc_emit, the one dispatch to
 * the emitters (gemtext.c, gophermap.c) that generated pages and gemtext
 * use too.  Kept apart from markdown.c so that the emitters, which read
 * the document, and the document builder do not import each other.
 */
#include <stddef.h>

#include "buf.h"
#include "doc.h"
#include "markdown.h"
#include "page.h"

#define PAGE_WIDTH	67	/* Gopher and text wrap width by default */

int
page_render(const char *body, size_t len, enum md_format fmt,
    const struct md_opts *opts, struct buf *out)
{
	struct md_doc	 d;
	struct md_opts	 o;
	int		 rv;

	o = *opts;
	if (o.width == 0)
		o.width = PAGE_WIDTH;
	if (o.host == NULL)
		o.host = "localhost";
	if (o.port == 0)
		o.port = 70;
	if (md_doc_build(&d, body, len, &o, MD_DOC_PAGE) == -1)
		return -1;
	rv = doc_emit(&d, fmt, &o, out);
	md_doc_free(&d);
	return rv;
}

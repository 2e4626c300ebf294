/*
 * mdtitle: the title of a page whose front matter gives none, as a
 * reader would name it from the top of the page.
 *
 * - Only the first screen counts (blocks starting in its first
 *   MDT_SCREEN lines, the first MDT_BLOCKS blocks): a heading further
 *   down, a sidebar's "技術情報(446)" over a line of dashes at the end
 *   of a scraped page, names a part of the page, not the page.
 * - The first heading there is the title when it outranks the others:
 *   a level-1 heading, or the one heading of the page's highest level.
 *   A "## はじめに" followed by "## 手順" and "## まとめ" is the first of
 *   the page's sections, not its name.
 * - A setext heading underlined with dashes counts only as the page's
 *   first block: elsewhere the dashes are as often a rule under text.
 * - Else a short first line (a title pasted above the text: a paragraph
 *   of one line, at most MDT_SHORT columns, not ending like a
 *   sentence), when it is the first block of the page.  The first line
 *   of a longer paragraph is no title: wrapped prose breaks anywhere.
 * - Else none: the caller names the page after its file.
 *
 * That is MD_TITLE_SCREEN, a reader's rule.  Generators have their own
 * (markdown.h): Docusaurus takes a level-1 heading only when it opens
 * the page (its parseMarkdownContentTitle: MDX import lines may come
 * first), GitHub Pages' jekyll-titles-from-headings a level 1-3 heading
 * only when it is the first line, and Jekyll documents and Hugo pages
 * never look at the body.
 */
#include <stdint.h>
#include <string.h>

#include <cmark-gfm.h>

#include "buf.h"
#include "markdown.h"
#include "mdb.h"
#include "textwidth.h"

#define MDT_SCREEN	24	/* source lines of the first screen */
#define MDT_BLOCKS	6	/* blocks of the first screen */
#define MDT_SHORT	60	/* display columns of a title line */

/* Does the source line of a heading start with '#' (ATX)? */
static int
mdt_atx(cmark_node *h, const char *src, size_t n)
{
	int	 line = cmark_node_get_start_line(h), l = 1;
	size_t	 i = 0;

	while (l < line && i < n) {
		if (src[i++] == '\n')
			l++;
	}
	while (i < n && (src[i] == ' ' || src[i] == '\t'))
		i++;
	return i < n && src[i] == '#';
}

/* A paragraph of one line that reads as a title, into out (left empty
 * when it does not). */
static int
mdt_short_line(cmark_node *p, struct buf *out)
{
	cmark_node	*c;
	const char	*lit;
	int32_t		 cp;
	size_t		 k;

	for (c = cmark_node_first_child(p); c != NULL; c = cmark_node_next(c)) {
		switch (cmark_node_get_type(c)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			lit = cmark_node_get_literal(c);
			if (lit != NULL && buf_puts(out, lit) == -1)
				return -1;
			continue;
		case CMARK_NODE_EMPH:
		case CMARK_NODE_STRONG:
			/* Emphasis around a whole line: look in. */
			if (mdt_short_line(c, out) == -1)
				return -1;
			if (out->len == 0)
				return 0;
			continue;
		default:
			/* Two lines, links, images, HTML: not a title. */
			out->len = 0;
			return 0;
		}
	}
	while (out->len > 0 && out->data[out->len - 1] == ' ')
		out->len--;
	if (out->len == 0 || tw_width(out->data, out->len) > MDT_SHORT) {
		out->len = 0;
		return 0;
	}
	for (k = out->len - 1; k > 0 &&
	    ((unsigned char)out->data[k] & 0xc0) == 0x80; k--)
		;
	tw_next(out->data + k, out->len - k, &cp);
	if (cp == '.' || cp == ',' || cp == ':' || cp == ';' ||
	    cp == 0x3002 || cp == 0x3001 || cp == 0xff0c || cp == 0xff1a ||
	    cp == 0xff0e)
		out->len = 0;
	return 0;
}

/* An MDX import or export statement, which CommonMark reads as a
 * paragraph. */
static int
mdt_import(cmark_node *c)
{
	cmark_node	*t = cmark_node_first_child(c);
	const char	*lit;

	if (cmark_node_get_type(c) != CMARK_NODE_PARAGRAPH || t == NULL ||
	    cmark_node_get_type(t) != CMARK_NODE_TEXT ||
	    (lit = cmark_node_get_literal(t)) == NULL)
		return 0;
	return strncmp(lit, "import ", 7) == 0 ||
	    strncmp(lit, "export ", 7) == 0;
}

/* The heading opening the page when it is of level max or above. */
static cmark_node *
mdt_leading(cmark_node *root, int max, int imports, struct buf *out,
    int *err)
{
	cmark_node *c = cmark_node_first_child(root);

	while (imports && c != NULL && mdt_import(c))
		c = cmark_node_next(c);
	if (c == NULL || cmark_node_get_type(c) != CMARK_NODE_HEADING ||
	    cmark_node_get_heading_level(c) > max)
		return NULL;
	if (md_heading_text(c, out) == -1) {
		*err = 1;
		return NULL;
	}
	return c;
}

cmark_node *
mdb_title_node(cmark_node *root, const char *src, size_t n,
    enum md_title_rule rule, struct buf *out, int *err)
{
	cmark_node	*c, *h = NULL;
	struct buf	 line;
	int		 lvl, top = 7, ntop = 0, blocks = 0;
	size_t		 start = out->len;

	*err = 0;
	switch (rule) {
	case MD_TITLE_NAME:
		return NULL;
	case MD_TITLE_H1:
		return mdt_leading(root, 1, 1, out, err);
	case MD_TITLE_HEADING:
		return mdt_leading(root, 3, 0, out, err);
	case MD_TITLE_SCREEN:
		break;
	}
	for (c = cmark_node_first_child(root); c != NULL; c = cmark_node_next(c))
		if (cmark_node_get_type(c) == CMARK_NODE_HEADING) {
			lvl = cmark_node_get_heading_level(c);
			if (lvl < top) {
				top = lvl;
				ntop = 0;
			}
			ntop += lvl == top;
		}
	for (c = cmark_node_first_child(root); c != NULL &&
	    cmark_node_get_start_line(c) <= MDT_SCREEN &&
	    blocks < MDT_BLOCKS; c = cmark_node_next(c), blocks++) {
		if (cmark_node_get_type(c) == CMARK_NODE_HEADING) {
			lvl = cmark_node_get_heading_level(c);
			if ((lvl == 1 || (lvl == top && ntop == 1)) &&
			    (blocks == 0 || lvl == 1 || mdt_atx(c, src, n)))
				h = c;
			break;
		}
		if (blocks > 0 || cmark_node_get_type(c) !=
		    CMARK_NODE_PARAGRAPH)
			continue;
		buf_init(&line, out->max);
		if (mdt_short_line(c, &line) == -1) {
			buf_free(&line);
			*err = 1;
			return NULL;
		}
		if (line.len > 0) {
			if (md_oneline(out, line.data, line.len, 0) == -1)
				*err = 1;
			buf_free(&line);
			/* A heading may still follow: "Posted by ..." over
			 * "# Title" is named by the heading. */
			h = c;
			continue;
		}
		buf_free(&line);
	}
	if (h != NULL && cmark_node_get_type(h) == CMARK_NODE_HEADING) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
		if (md_heading_text(h, out) == -1)
			*err = 1;
	}
	return *err ? NULL : h;
}

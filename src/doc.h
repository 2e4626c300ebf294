/*
 * doc: builds the converters' protocol-neutral document (struct md_doc,
 * markdown.h) block by block, for pages that are not Markdown: the
 * generated pages (home, gemlog, tags, search, listings) and native
 * gemtext.  The result goes out through gemtext_emit and gophermap_emit
 * like a converted page, so no builder writes protocol bytes.  Text is
 * cleaned on the way in (invalid UTF-8 replaced, control characters
 * made spaces) to keep the document's invariants.  Pure.
 */
#ifndef CAPSULED_DOC_H
#define CAPSULED_DOC_H

#include <stddef.h>

#include "markdown.h"

struct buf;

/* Where a link goes in each protocol. */
struct doc_target {
	enum md_link_kind	 kind;		/* MDL_LOCAL for our pages */
	const char		*gem;		/* Gemini URL */
	const char		*sel;		/* Gopher selector */
	char			 type;		/* Gopher item type */
	const char		*host;		/* MDL_GOPHER: its host */
	unsigned		 port;		/* MDL_GOPHER: its port */
};

/* An empty document (free with md_doc_free).  0 or -1. */
int	doc_init(struct md_doc *d, size_t max);

/*
 * Each call appends one block after sep (MDS_NONE: the next line,
 * MDS_BLANK: after an empty line).  s is n bytes; the calls that take
 * one line make line breaks spaces.  0 or -1 (allocation or limit).
 */
int	doc_heading(struct md_doc *d, enum md_sep sep, int level,
	    const char *s, size_t n);
/* A paragraph; LF separates its lines.  quote > 0: a quotation. */
int	doc_text(struct md_doc *d, enum md_sep sep, int quote, const char *s,
	    size_t n);
/* A list item (unordered, depth 1). */
int	doc_item(struct md_doc *d, enum md_sep sep, const char *s, size_t n);
/* Preformatted lines, kept as they are; alt may be NULL. */
int	doc_pre(struct md_doc *d, enum md_sep sep, const char *alt,
	    const char *s, size_t n);
/*
 * A link line.  label is shown in both protocols, glabel (NULL: label)
 * over Gopher only; an empty label shows the Gemini URL.
 */
int	doc_link(struct md_doc *d, enum md_sep sep, const struct doc_target *t,
	    const char *label, const char *glabel);

/* doc_link to one of our own pages: path (URL-encoded) is its Gemini
 * path and its Gopher selector, as the URL scheme has them the same
 * (DESIGN.md section 4); type is its Gopher item type. */
int	doc_local(struct md_doc *d, enum md_sep sep, const char *path,
	    char type, const char *label, const char *glabel);

/* Labels of a taxonomy's links, for the generated pages and the post
 * footer alike; appended to out.  doc_tax_label: the taxonomy,
 * "categories" -> "Categories".  doc_term_label: one term, "Tag: go",
 * "Category: go", "Series: go".  0 or -1. */
int	doc_tax_label(const char *tax, struct buf *out);
int	doc_term_label(const char *tax, const char *term, struct buf *out);

/*
 * The document in one protocol's form: gemtext, a gophermap (opts gives
 * width, host and port) or plain text.  Appends to out; on failure out
 * is left as it was.  0 or -1.
 */
int	doc_emit(const struct md_doc *d, enum md_format fmt,
	    const struct md_opts *opts, struct buf *out);

#endif

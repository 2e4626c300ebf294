/*
 * gmiparse: native gemtext (text/gemini) -> the converters' document
 * (markdown.h), so a capsule written in gemtext is also a Gopher hole:
 * headings, text lines, list items, quotes and preformatted blocks keep
 * their kind, link lines become real menu items.  Pure.
 */
#ifndef CAPSULED_GMIPARSE_H
#define CAPSULED_GMIPARSE_H

#include <stddef.h>

struct md_doc;
struct md_urls;

/*
 * Parse the gemtext page src[0..n) served at URL path (for relative
 * links, "/docs/a.gmi") into d, its pool bounded by max bytes.  Links
 * are mapped by md_link_map as Markdown links are; a gemini:// URL on
 * host self (our name, may be NULL) is one of our own paths.  Each
 * gemtext line is one block; a run of empty lines is one blank line; an
 * unclosed preformatted block ends with the page.  0, or -1 (allocation or
 * limit; d is then freed).  Free d with md_doc_free.  urls (may be
 * NULL) is the site's URL scheme, which md_link_map rewrites local
 * links with, as in Markdown pages.
 */
int	gmi_parse(struct md_doc *d, const char *src, size_t n,
	    const char *path, const char *self, const struct md_urls *urls,
	    size_t max);

#endif

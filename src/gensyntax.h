/*
 * gensyntax: the generator markup blog folders carry on top of Markdown
 * (Hugo shortcodes, Jekyll Liquid and Kramdown attribute lists, Zenn's
 * ::: blocks, @[embeds] and ^[notes], GitHub alerts, Hatena's [f:id:...]
 * photos and [url:title] links) rewritten into plain Markdown before
 * cmark-gfm parses the page.  Pure: bytes in, bytes out; what cannot be
 * shown is named in opts->warn for the caller to log.
 */
#ifndef CAPSULED_GENSYNTAX_H
#define CAPSULED_GENSYNTAX_H

#include <stddef.h>

#include "buf.h"
#include "markdown.h"

/*
 * The Markdown of s[0..n) with generator syntax rewritten, appended to
 * out.  Reads opts->path (Hugo refs; may be NULL), opts->site (Jekyll
 * site.KEY and includes), opts->meta (page.KEY) and appends "dropped
 * ..." lines to opts->warn; opts itself may be NULL.  0 or -1.
 */
int	gen_rewrite(const char *s, size_t n, const struct md_opts *opts,
	    struct buf *out);

#endif

/*
 * page: Markdown source -> document -> one protocol's rendering.
 */
#ifndef CAPSULED_PAGE_H
#define CAPSULED_PAGE_H

#include <stddef.h>

#include "buf.h"
#include "markdown.h"

/*
 * body = the Markdown after the front matter (src + meta->body).
 * Appends to out.  0 or -1 (allocation/limit).
 *
 * Generator syntax is rewritten before parsing (Hugo shortcodes,
 * Jekyll Liquid and Kramdown attribute lists, Zenn's ::: blocks,
 * @[embeds] and ^[notes], GitHub alerts, Hatena's [f:id:...] and
 * [url:title]); what cannot be shown is dropped and named in
 * opts->warn for the caller to log.
 *
 * Line breaks inside paragraphs: meta->breaks when the front matter
 * says, else opts->breaks when >= 0, else decided from the page.
 * Gophermaps use CRLF and end with ".\r\n"; gemtext and the plain
 * text (type 0, sent as it is) use LF.
 */
int	page_render(const char *body, size_t len, enum md_format fmt,
	    const struct md_opts *opts, struct buf *out);

#endif

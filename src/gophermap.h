/*
 * gophermap: renders the converters' intermediate document (markdown.h)
 * as a Gopher menu (type 1) and as plain text (type 0).  Pure.
 */
#ifndef CAPSULED_GOPHERMAP_H
#define CAPSULED_GOPHERMAP_H

struct buf;
struct md_doc;
struct md_opts;

/*
 * The page as a gophermap: text as `i' lines wrapped to opts->width
 * display columns, each group's links as real items after it, CRLF,
 * ending with ".\r\n".  Uses opts->width, host and port.  0 or -1.
 */
int	gophermap_emit(const struct md_doc *d, const struct md_opts *opts,
	    struct buf *out);

/*
 * The page as plain text with the same layout, LF line endings, links
 * marked [N] in the text and listed as "[N] url" at the end.  0 or -1.
 */
int	gophermap_emit_text(const struct md_doc *d,
	    const struct md_opts *opts, struct buf *out);

#endif

/*
 * gopher: the Gopher selector line (framing and validation) and menu
 * framing: item and info lines, the terminator, type-3 error menus and
 * the HTML page answering "URL:" selectors.  Pure.
 */
#ifndef CAPSULED_GOPHER_H
#define CAPSULED_GOPHER_H

#include <stddef.h>

struct buf;

#define GOPHER_MAX_SELECTOR	1024	/* bytes before the line end */

struct gopher_req {
	char	*selector;	/* decoded, normalised path starting with
				   '/' ("" and "/" -> "/", "robots.txt" ->
				   "/robots.txt"); for URL: selectors the raw
				   selector, "URL:" included */
	int	 is_url;	/* the selector starts with "URL:" */
	char	*search;	/* text after the first TAB (type-7 query),
				   NULL if none */
	int	 trailing_slash;/* the decoded selector ends in '/' */
};

/*
 * Like gemini_request_line but a bare LF also ends the line (CR before
 * it is dropped).  Returns 1 with *linelen = bytes before CRLF or LF, 0
 * when more bytes are needed, -1 when more than 1024 bytes come before
 * the line end.
 */
int	gopher_request_line(const char *buf, size_t len, size_t *linelen);

/*
 * Parse a selector line (without its line end): strip a Gopher+ "\t$" or
 * "\t+" suffix (answered as plain Gopher), split the search string at
 * the first TAB, strip a "/1/"-style type prefix (one of 0 1 7 9 g I h s
 * between slashes at the start), percent-decode and normalise.  Returns
 * 0, or -1 with *err on over 1024 bytes, NUL or other controls, a bad
 * percent escape, invalid UTF-8 (selector or search) or a path escaping
 * the root.  On 0 the caller frees with gopher_req_free; on -1 *r holds
 * nothing.
 */
int	gopher_parse_request(const char *line, size_t len,
	    struct gopher_req *r, const char **err);
void	gopher_req_free(struct gopher_req *r);

/*
 * One menu line: exactly "T display\tselector\thost\tport\r\n".  TAB, CR,
 * LF and NUL in display, selector or host become spaces: a menu line
 * must have exactly three TABs.  A menu line is never a lone ".", so the
 * terminator rule needs nothing here.  -1 for a control character as
 * type or when out is full.
 */
int	gopher_item(struct buf *out, char type, const char *display,
	    size_t dlen, const char *selector, const char *host,
	    unsigned port);

/* An 'i' info line with an empty selector:
 * "i<text>\t\t<host>\t<port>\r\n". */
int	gopher_info(struct buf *out, const char *text, size_t n,
	    const char *host, unsigned port);

/* The menu terminator ".\r\n". */
int	gopher_menu_end(struct buf *out);

/*
 * A gophermap file as people write it, completed into a menu: a line
 * without a TAB is an info line; an item without host or port gets
 * ours, and then a relative selector is made absolute under dir ("" or
 * "a/b"); a Gopher+ fifth field is dropped; a lone "." ends the file.
 * Appends the terminator.  0, or -1 when out is full (out unchanged).
 */
int	gopher_complete_map(struct buf *out, const char *src, size_t len,
	    const char *dir, const char *host, unsigned port);

/* The complete type-3 error menu:
 * "3<msg>\t<selector>\terror.host\t1\r\n.\r\n" (both sanitised; a NULL
 * selector is empty). */
int	gopher_error(struct buf *out, const char *msg, const char *selector);

/*
 * For "URL:" selectors (the argument may carry the "URL:" prefix or
 * not): a small HTML page with a meta refresh and a link to the URL,
 * escaped for HTML.  -1 when the scheme is not http, https, gemini or
 * gopher followed by "://", for control characters, or when out is
 * full: the caller answers with gopher_error.
 */
int	gopher_url_page(struct buf *out, const char *url);

#endif

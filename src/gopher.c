/*
 * gopher: selector-line framing and parsing, menu lines, type-3 error
 * menus and the "URL:" redirect page (pure).  Requests are read the way
 * clients send them, not only the way RFC 1436 says; menus are written
 * strictly, because clients are strict about what they parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gopher.h"
#include "url.h"

/* Item types some clients put in front of the selector ("/1/dir/"). */
static const char gopher_prefix_types[] = "0179gIhs";

int
gopher_request_line(const char *buf, size_t len, size_t *linelen)
{
	size_t	 i, l;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			l = i;
			if (l > 0 && buf[l - 1] == '\r')
				l--;
			if (l > GOPHER_MAX_SELECTOR)
				return -1;
			*linelen = l;
			return 1;
		}
		/* Byte 1025 may only be the CR of a CRLF. */
		if (i >= GOPHER_MAX_SELECTOR &&
		    !(i == GOPHER_MAX_SELECTOR && buf[i] == '\r'))
			return -1;
	}
	return 0;
}

static char *
gopher_dup(const char *s, size_t n)
{
	char	*p;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
gopher_parse_request(const char *line, size_t len, struct gopher_req *r,
    const char **err)
{
	struct buf	 b;
	const char	*tab;
	size_t		 i, end, slen;
	unsigned char	 c;

	memset(r, 0, sizeof(*r));
	buf_init(&b, len + 2);

	if (len > GOPHER_MAX_SELECTOR) {
		*err = "selector too long";
		return -1;
	}
	/*
	 * TAB is the only control a request may carry: CR or LF inside the
	 * line means a client is trying to smuggle a second request, and
	 * NUL would cut the path short in the C APIs below us.
	 */
	for (i = 0; i < len; i++) {
		c = (unsigned char)line[i];
		if (c == '\0') {
			*err = "NUL in selector";
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*err = "control character in selector";
			return -1;
		}
	}

	/* Gopher+ clients append "\t$" or "\t+"; we answer plain Gopher. */
	end = len;
	if (end >= 2 && line[end - 2] == '\t' &&
	    (line[end - 1] == '$' || line[end - 1] == '+'))
		end -= 2;

	tab = memchr(line, '\t', end);
	slen = tab != NULL ? (size_t)(tab - line) : end;
	if (tab != NULL) {
		tab++;
		if (!url_valid_utf8(tab, end - (size_t)(tab - line))) {
			*err = "search is not UTF-8";
			goto fail;
		}
		if ((r->search = gopher_dup(tab,
		    end - (size_t)(tab - line))) == NULL) {
			*err = "out of memory";
			goto fail;
		}
	}

	if (slen >= 4 && memcmp(line, "URL:", 4) == 0) {
		if (!url_valid_utf8(line, slen)) {
			*err = "selector is not UTF-8";
			goto fail;
		}
		r->is_url = 1;
		if ((r->selector = gopher_dup(line, slen)) == NULL) {
			*err = "out of memory";
			goto fail;
		}
		return 0;
	}

	if (slen >= 3 && line[0] == '/' && line[2] == '/' &&
	    memchr(gopher_prefix_types, line[1],
	    sizeof(gopher_prefix_types) - 1) != NULL) {
		line += 2;
		slen -= 2;
	}

	/*
	 * Generated selectors percent-encode non-ASCII names, so decode,
	 * then remove dot segments: "%2e%2e" and "%2F" count as ".." and
	 * "/" and cannot walk past the check.  The leading '/' makes
	 * "robots.txt" and "" the same as "/robots.txt" and "/".
	 */
	if (buf_putc(&b, '/') == -1) {
		*err = "out of memory";
		goto fail;
	}
	if (url_decode(line, slen, &b) == -1) {
		*err = "bad percent escape";
		goto fail;
	}
	/* Decoded controls ("%0D%0A") name no file and would reach logs
	 * and menus; found by the fuzzer. */
	if (url_has_control(b.data, b.len)) {
		*err = "control character in selector";
		goto fail;
	}
	if (!url_valid_utf8(b.data, b.len)) {
		*err = "selector is not UTF-8";
		goto fail;
	}
	if (url_normalize_path(b.data) == -1) {
		*err = "path escapes root";
		goto fail;
	}
	b.len = strlen(b.data);
	r->trailing_slash = b.data[b.len - 1] == '/';
	r->selector = buf_detach(&b, NULL);
	return 0;

fail:
	buf_free(&b);
	gopher_req_free(r);
	return -1;
}

void
gopher_req_free(struct gopher_req *r)
{
	free(r->selector);
	free(r->search);
	memset(r, 0, sizeof(*r));
}

/* Drop a partly written line so a failed call leaves out as it was. */
static int
gopher_rollback(struct buf *out, size_t start)
{
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	return -1;
}

/* Append one field of a menu line; TAB, CR, LF and NUL become spaces. */
static int
gopher_field(struct buf *out, const char *s, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i = j + 1) {
		for (j = i; j < n; j++)
			if (s[j] == '\t' || s[j] == '\r' || s[j] == '\n' ||
			    s[j] == '\0')
				break;
		if (buf_append(out, s + i, j - i) == -1)
			return -1;
		if (j < n && buf_putc(out, ' ') == -1)
			return -1;
	}
	return 0;
}

static int
gopher_line(struct buf *out, char type, const char *display, size_t dlen,
    const char *selector, const char *host, unsigned port)
{
	size_t	 start = out->len;

	if (selector == NULL)
		selector = "";
	if (host == NULL)
		host = "";
	if (buf_putc(out, type) == -1 ||
	    gopher_field(out, display, dlen) == -1 ||
	    buf_putc(out, '\t') == -1 ||
	    gopher_field(out, selector, strlen(selector)) == -1 ||
	    buf_putc(out, '\t') == -1 ||
	    gopher_field(out, host, strlen(host)) == -1 ||
	    buf_printf(out, "\t%u\r\n", port) == -1)
		return gopher_rollback(out, start);
	return 0;
}

int
gopher_item(struct buf *out, char type, const char *display, size_t dlen,
    const char *selector, const char *host, unsigned port)
{
	/* The type must be one visible ASCII character. */
	if ((unsigned char)type <= 0x20 || (unsigned char)type >= 0x7f)
		return -1;
	return gopher_line(out, type, display, dlen, selector, host, port);
}

int
gopher_info(struct buf *out, const char *text, size_t n, const char *host,
    unsigned port)
{
	return gopher_line(out, 'i', text, n, "", host, port);
}

int
gopher_menu_end(struct buf *out)
{
	return buf_append(out, ".\r\n", 3);
}

int
gopher_complete_map(struct buf *out, const char *src, size_t len,
    const char *dir, const char *host, unsigned port)
{
	const char	*p, *end, *nl, *t, *f[4];
	size_t		 n[4], k, start = out->len;
	char		 portstr[12];
	int		 ours, rc = 0;

	snprintf(portstr, sizeof(portstr), "%u", port);
	for (p = src, end = src + len; p < end && rc == 0; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n[0] = (size_t)(nl - p);
		if (n[0] > 0 && p[n[0] - 1] == '\r')
			n[0]--;
		if (n[0] == 1 && p[0] == '.')
			break;
		if (memchr(p, '\t', n[0]) == NULL) {
			rc = gopher_info(out, p, n[0], host, port);
			continue;
		}
		/* Display, selector, host, port; a Gopher+ fifth field is
		 * dropped. */
		f[0] = p;
		for (k = 1; k < 4; k++) {
			if ((t = memchr(f[k - 1], '\t', n[k - 1])) == NULL)
				break;
			f[k] = t + 1;
			n[k] = n[k - 1] - (size_t)(f[k] - f[k - 1]);
			n[k - 1] = (size_t)(t - f[k - 1]);
		}
		if (k == 4 && (t = memchr(f[3], '\t', n[3])) != NULL)
			n[3] = (size_t)(t - f[3]);
		if ((ours = k < 3 || n[2] == 0)) {
			f[2] = host;
			n[2] = strlen(host);
		}
		if (k < 4 || n[3] == 0) {
			f[3] = portstr;
			n[3] = strlen(portstr);
		}
		rc |= buf_append(out, f[0], n[0]);
		rc |= buf_putc(out, '\t');
		/* A relative selector on one of our own items. */
		if (ours && n[1] > 0 && f[1][0] != '/' &&
		    (n[1] < 4 || strncmp(f[1], "URL:", 4) != 0))
			rc |= buf_printf(out, "/%s%s", dir, *dir ? "/" : "");
		rc |= buf_append(out, f[1], n[1]);
		rc |= buf_printf(out, "\t%.*s\t%.*s\r\n", (int)n[2], f[2],
		    (int)n[3], f[3]);
	}
	if (rc != 0 || gopher_menu_end(out) == -1)
		return gopher_rollback(out, start);
	return 0;
}

int
gopher_error(struct buf *out, const char *msg, const char *selector)
{
	size_t	 start = out->len;

	if (msg == NULL)
		msg = "";
	if (gopher_line(out, '3', msg, strlen(msg), selector, "error.host",
	    1) == -1 || gopher_menu_end(out) == -1)
		return gopher_rollback(out, start);
	return 0;
}

int
gopher_url_page(struct buf *out, const char *url)
{
	static const char	*schemes[] = { "http", "https", "gemini",
				    "gopher" };
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		 esc;
	const char		*colon, *p;
	size_t			 i, slen, start = out->len;
	unsigned char		 c;
	int			 r, known = 0;

	if (strncmp(url, "URL:", 4) == 0)
		url += 4;

	/*
	 * Only schemes a reader can follow and none that run code in the
	 * browser that renders this page ("javascript:", "data:").
	 */
	if ((colon = strchr(url, ':')) == NULL)
		return -1;
	slen = (size_t)(colon - url);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i]) == slen &&
		    strncasecmp(url, schemes[i], slen) == 0)
			known = 1;
	if (!known || strncmp(colon, "://", 3) != 0 || colon[3] == '\0' ||
	    strchr("/?#", colon[3]) != NULL)
		return -1;

	/*
	 * Percent-encode what could end the attribute or confuse the
	 * refresh parser (quotes, angle brackets, spaces) and non-ASCII;
	 * '&' becomes an entity.  The result is safe in an attribute and
	 * in text.
	 */
	buf_init(&esc, strlen(url) * 5 + 1);
	for (p = url; *p != '\0'; p++) {
		c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f) {
			buf_free(&esc);
			return -1;
		}
		if (c == ' ' || c == '"' || c == '\'' || c == '<' ||
		    c == '>' || c == '`' || c >= 0x80)
			r = buf_printf(&esc, "%%%c%c", hex[c >> 4],
			    hex[c & 0xf]);
		else if (c == '&')
			r = buf_puts(&esc, "&amp;");
		else
			r = buf_putc(&esc, c);
		if (r == -1) {
			buf_free(&esc);
			return -1;
		}
	}

	r = buf_printf(out,
	    "<!DOCTYPE html>\n"
	    "<html>\n"
	    "<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"refresh\" content=\"0; url=%s\">\n"
	    "<title>Redirect</title>\n"
	    "</head>\n"
	    "<body>\n"
	    "<p>This link leads out of Gopherspace to "
	    "<a href=\"%s\">%s</a>.</p>\n"
	    "</body>\n"
	    "</html>\n", esc.data, esc.data, esc.data);
	buf_free(&esc);
	if (r == -1)
		return gopher_rollback(out, start);
	return 0;
}

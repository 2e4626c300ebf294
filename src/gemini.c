/*
 * gemini: request-line framing and validation, response headers (pure).
 * The connection code feeds received bytes in and turns the status codes
 * returned here into headers; nothing here reads a socket or a file.
 */
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "url.h"

int
gemini_request_line(const char *buf, size_t len, size_t *linelen)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (buf[i] == '\r') {
			if (i + 1 == len)
				return 0;
			if (buf[i + 1] != '\n')
				return -1;
			*linelen = i;
			return 1;
		}
		/* The spec wants CRLF; a bare LF is a broken client. */
		if (buf[i] == '\n')
			return -1;
		/* Byte 1025 is neither CR nor the start of CRLF: too long. */
		if (i == GEMINI_MAX_REQUEST)
			return -1;
	}
	return 0;
}

int
gemini_parse_request(const char *line, size_t len, struct url *u,
    const char **err)
{
	memset(u, 0, sizeof(*u));
	u->port = -1;

	if (len > GEMINI_MAX_REQUEST) {
		*err = "request too long";
		return 59;
	}
	if (memchr(line, '\0', len) != NULL) {
		*err = "NUL in request";
		return 59;
	}
	if (!url_valid_utf8(line, len)) {
		*err = "request is not UTF-8";
		return 59;
	}
	if (url_parse(line, len, u, err) == -1)
		return 59;
	if (u->scheme == NULL) {
		*err = "relative reference";
		goto bad;
	}
	if (u->has_userinfo) {
		*err = "userinfo in request";
		goto bad;
	}
	if (u->has_fragment) {
		*err = "fragment in request";
		goto bad;
	}
	if (strcmp(u->scheme, "gemini") != 0) {
		*err = "scheme not served";
		url_free(u);
		return 53;
	}
	if (u->host == NULL || u->host[0] == '\0') {
		*err = "missing host";
		goto bad;
	}
	/*
	 * Percent-decoding can produce bytes that are not UTF-8 ("%FF");
	 * file names and log lines downstream assume UTF-8.
	 */
	if (!url_valid_utf8(u->path, strlen(u->path))) {
		*err = "path is not UTF-8";
		goto bad;
	}
	return 0;

bad:
	url_free(u);
	return 59;
}

int
gemini_header(struct buf *out, int status, const char *meta)
{
	size_t	 n, i, start;
	char	 c;

	if (status < 10 || status > 69)
		return -1;
	if (meta == NULL)
		meta = "";
	n = strlen(meta);
	if (n > GEMINI_MAX_META) {
		/* Back off continuation bytes so no character is cut. */
		n = GEMINI_MAX_META;
		while (n > 0 && ((unsigned char)meta[n] & 0xc0) == 0x80)
			n--;
	}
	start = out->len;
	if (buf_printf(out, "%02d ", status) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		c = meta[i];
		if (c == '\r' || c == '\n')
			c = ' ';
		if (buf_putc(out, c) == -1)
			goto fail;
	}
	if (buf_append(out, "\r\n", 2) == -1)
		goto fail;
	return 0;

fail:
	/* Never leave half a header behind. */
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	return -1;
}

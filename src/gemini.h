/*
 * gemini: the Gemini request line (framing and validation) and the
 * response header.  Pure: bytes in, a parsed URL or a status code out.
 */
#ifndef CAPSULED_GEMINI_H
#define CAPSULED_GEMINI_H

#include <stddef.h>

struct buf;
struct url;

#define GEMINI_MAX_REQUEST	1024	/* bytes before the CRLF */
#define GEMINI_MAX_META		1024	/* bytes of META in a header */

/*
 * Look for the request line in what has been received so far.  Returns 1
 * with *linelen = bytes before the CRLF when a CRLF-terminated line is
 * complete; 0 when more bytes are needed; -1 when the request is already
 * invalid (more than 1024 bytes before the CRLF, a bare LF, or a CR not
 * followed by LF).  Bytes after the CRLF are the caller's to ignore.
 */
int	gemini_request_line(const char *buf, size_t len, size_t *linelen);

/*
 * Validate a request line (without its CRLF).  Returns 0 with *u filled
 * (the caller frees it with url_free), or a Gemini status with *u empty:
 * 59 for over 1024 bytes, NUL, non-UTF-8 (raw or percent-decoded path),
 * a malformed URI, a relative reference, userinfo, a fragment, a missing
 * host or a path escaping the root; 53 for a scheme other than gemini.
 * The host and port are the router's to check against what we serve.
 * *err gets a short reason for the log.
 */
int	gemini_parse_request(const char *line, size_t len, struct url *u,
	    const char **err);

/*
 * Append "NN META\r\n" to out.  META (NULL = "") is cut to 1024 bytes at
 * a UTF-8 boundary and any CR or LF in it becomes a space, so a header
 * is always exactly one line.  -1 for a status outside 10..69 or when
 * out is full.
 */
int	gemini_header(struct buf *out, int status, const char *meta);

#endif

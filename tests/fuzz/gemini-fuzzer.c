/*
 * gemini-fuzzer: libFuzzer entry for the Gemini request line, request
 * validation and response header (src/gemini.c, src/url.c).  Besides
 * memory errors it aborts when an accepted request breaks an invariant
 * the router relies on (clean absolute path, UTF-8, no NUL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "url.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 1 if p is "/" or "/seg/seg[/]" with no empty, "." or ".." segment. */
static int
path_clean(const char *p)
{
	const char	*s, *e;
	size_t		 n;

	if (p[0] != '/')
		return 0;
	for (s = p + 1; *s != '\0'; s = e + 1) {
		if ((e = strchr(s, '/')) == NULL)
			e = s + strlen(s);
		n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		if (*e == '\0')
			break;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data, *err = NULL;
	struct url	 u;
	struct buf	 b;
	char		*meta;
	size_t		 ll, i;
	int		 r;

	r = gemini_request_line(s, size, &ll);
	if (r == 1 && (ll > GEMINI_MAX_REQUEST || ll + 2 > size ||
	    s[ll] != '\r' || s[ll + 1] != '\n' ||
	    memchr(s, '\n', ll) != NULL || memchr(s, '\r', ll) != NULL))
		abort();
	if (r == 0 && size > GEMINI_MAX_REQUEST + 1)
		abort();

	r = gemini_parse_request(s, size, &u, &err);
	if (r == 0) {
		if (size > GEMINI_MAX_REQUEST || memchr(s, '\0', size) ||
		    strcmp(u.scheme, "gemini") != 0 || u.host == NULL ||
		    u.host[0] == '\0' || u.has_userinfo || u.has_fragment ||
		    u.port < -1 || u.port > 65535 || !path_clean(u.path) ||
		    !url_valid_utf8(u.path, strlen(u.path)) ||
		    url_has_control(u.path, strlen(u.path)) ||
		    u.trailing_slash !=
		    (u.path[strlen(u.path) - 1] == '/'))
			abort();
		for (i = 0; u.host[i] != '\0'; i++)
			if (u.host[i] >= 'A' && u.host[i] <= 'Z')
				abort();
		url_free(&u);
	} else if ((r != 53 && r != 59) || err == NULL || u.path != NULL)
		abort();

	/* The same bytes as META: the header must stay one short line. */
	if ((meta = malloc(size + 1)) == NULL)
		return 0;
	memcpy(meta, data, size);
	meta[size] = '\0';
	buf_init(&b, 4096);
	if (gemini_header(&b, 20, meta) != 0 ||
	    b.len > 3 + GEMINI_MAX_META + 2 || b.len < 5 ||
	    memcmp(b.data, "20 ", 3) != 0 ||
	    memcmp(b.data + b.len - 2, "\r\n", 2) != 0 ||
	    memchr(b.data, '\r', b.len - 2) != NULL ||
	    memchr(b.data, '\n', b.len - 2) != NULL)
		abort();
	/* Cutting at 1024 must not split a character that was whole. */
	if (url_valid_utf8(meta, strlen(meta)) &&
	    !url_valid_utf8(b.data, b.len))
		abort();
	buf_free(&b);
	free(meta);
	return 0;
}

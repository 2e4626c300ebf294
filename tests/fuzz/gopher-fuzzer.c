/*
 * gopher-fuzzer: libFuzzer entry for the selector line, selector parsing
 * and menu framing (src/gopher.c).  Aborts when an accepted selector is
 * not a clean path or a generated line breaks the menu format.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gopher.h"
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

static size_t
count(const char *s, size_t n, char c)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/* One menu line: three TABs, CRLF only at the end. */
static void
check_line(const char *s, size_t n)
{
	if (n < 5 || count(s, n, '\t') != 3 || s[n - 2] != '\r' ||
	    s[n - 1] != '\n' || count(s, n, '\r') != 1 ||
	    count(s, n, '\n') != 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*s = (const char *)data, *err = NULL;
	struct gopher_req	 r;
	struct buf		 b;
	char			*z, *sel, *host;
	size_t			 ll, start, split;
	int			 lr;

	lr = gopher_request_line(s, size, &ll);
	if (lr == 1 && (ll > GOPHER_MAX_SELECTOR ||
	    memchr(s, '\n', ll) != NULL ||
	    !(s[ll] == '\n' || (s[ll] == '\r' && s[ll + 1] == '\n'))))
		abort();

	if (gopher_parse_request(s, size, &r, &err) == 0) {
		if (size > GOPHER_MAX_SELECTOR || memchr(s, '\0', size) ||
		    r.selector == NULL ||
		    !url_valid_utf8(r.selector, strlen(r.selector)))
			abort();
		if (!r.is_url && (!path_clean(r.selector) ||
		    r.trailing_slash !=
		    (r.selector[strlen(r.selector) - 1] == '/')))
			abort();
		if (url_has_control(r.selector, strlen(r.selector)))
			abort();
		if (r.search != NULL &&
		    !url_valid_utf8(r.search, strlen(r.search)))
			abort();
		gopher_req_free(&r);
	} else if (err == NULL || r.selector != NULL || r.search != NULL)
		abort();

	/* Framing: split the input into type, display, selector, host. */
	if ((z = malloc(size + 1)) == NULL)
		return 0;
	memcpy(z, data, size);
	z[size] = '\0';
	buf_init(&b, 1 << 16);
	if (size > 0) {
		split = size > 1 ? data[size - 1] % size : 0;
		sel = z + split;
		host = z + split / 2;
		start = b.len;
		if (gopher_item(&b, z[0], z, split, sel, host, 70) == 0)
			check_line(b.data + start, b.len - start);
		else if ((unsigned char)z[0] > 0x20 &&
		    (unsigned char)z[0] < 0x7f)
			abort();
	}
	start = b.len;
	if (gopher_info(&b, s, size, "example.org", 7070) != 0)
		abort();
	check_line(b.data + start, b.len - start);
	if (b.data[start] != 'i')
		abort();

	start = b.len;
	if (gopher_error(&b, z, z) != 0)
		abort();
	check_line(b.data + start, b.len - start - 3);
	if (memcmp(b.data + b.len - 3, ".\r\n", 3) != 0 || b.data[start] != '3')
		abort();
	buf_free(&b);

	/* The URL: page: nothing from the URL may add markup. */
	buf_init(&b, 1 << 16);
	if (gopher_url_page(&b, z) == 0) {
		if (count(b.data, b.len, '<') != 15 ||
		    count(b.data, b.len, '>') != 15 ||
		    count(b.data, b.len, '"') != 8 ||
		    count(b.data, b.len, '\'') != 0)
			abort();
	} else if (b.len != 0)
		abort();
	buf_free(&b);
	free(z);
	return 0;
}

/*
 * url-fuzzer: libFuzzer entry for the URI parser, percent-decoding,
 * dot-segment removal and UTF-8 validation (src/url.c).  Checks
 * invariants and a second, differently written UTF-8 validator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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

/* Reference UTF-8 check: decode each code point, then judge it. */
static int
ref_utf8(const uint8_t *p, size_t n)
{
	size_t		 i = 0, k, len;
	uint32_t	 cp, min;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		} else if ((p[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = p[i] & 0x1f;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = p[i] & 0x0f;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = p[i] & 0x07;
			min = 0x10000;
		} else
			return 0;
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data, *err = NULL;
	struct url	 u;
	struct buf	 b, e, d;
	char		*p;
	size_t		 i, len;

	if (url_valid_utf8(s, size) != ref_utf8(data, size))
		abort();

	if (url_parse(s, size, &u, &err) == 0) {
		if (memchr(s, '\0', size) != NULL || u.path == NULL ||
		    !path_clean(u.path) || u.port < -1 || u.port > 65535 ||
		    url_has_control(u.path, strlen(u.path)) ||
		    u.trailing_slash != (u.path[strlen(u.path) - 1] == '/'))
			abort();
		if (u.scheme != NULL)
			for (i = 0; u.scheme[i] != '\0'; i++)
				if (u.scheme[i] >= 'A' && u.scheme[i] <= 'Z')
					abort();
		if (u.host != NULL)
			for (i = 0; u.host[i] != '\0'; i++)
				if (u.host[i] >= 'A' && u.host[i] <= 'Z')
					abort();
		url_free(&u);
	} else if (err == NULL || u.path != NULL || u.host != NULL ||
	    u.scheme != NULL || u.query != NULL)
		abort();

	/* Normalising "/" + input: clean, no longer, and idempotent. */
	if ((p = malloc(size + 2)) == NULL)
		return 0;
	p[0] = '/';
	memcpy(p + 1, data, size);
	p[size + 1] = '\0';
	len = strlen(p);
	if (url_normalize_path(p) == 0) {
		if (!path_clean(p) || strlen(p) > len)
			abort();
		len = strlen(p);
		if (url_normalize_path(p) != 0 || strlen(p) != len)
			abort();
	}
	free(p);

	/* decode(encode(decode(x))) == decode(x) */
	buf_init(&b, size + 1);
	buf_init(&e, size * 3 + 1);
	buf_init(&d, size + 1);
	if (url_decode(s, size, &b) == 0) {
		if (b.len > size || (b.len > 0 && memchr(b.data, '\0', b.len)))
			abort();
		if (url_encode_path(&e, b.data ? b.data : "", b.len) != 0 ||
		    url_decode(e.data ? e.data : "", e.len, &d) != 0 ||
		    d.len != b.len ||
		    (b.len > 0 && memcmp(d.data, b.data, b.len) != 0))
			abort();
	}
	buf_free(&b);
	buf_free(&e);
	buf_free(&d);
	return 0;
}

/*
 * url: URL and path parsing, percent-coding and normalisation (pure).
 * Every function works on explicit lengths; nothing here touches the
 * file system, so a path that passes is still opened beneath the root.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "url.h"

static int
url_path_safe(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

int
url_encode(struct buf *out, const char *s, size_t n,
    int (*keep)(unsigned char))
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;
	unsigned char		 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (keep(c)) {
			if (buf_putc(out, c) == -1)
				return -1;
		} else if (buf_printf(out, "%%%c%c", hex[c >> 4],
		    hex[c & 0xf]) == -1)
			return -1;
	}
	return 0;
}

int
url_encode_path(struct buf *out, const char *s, size_t n)
{
	return url_encode(out, s, n, url_path_safe);
}

int
url_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
url_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
url_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static char
url_lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

/* NUL-terminated copy of s[0..n), ASCII-lowercased when asked. */
static char *
url_dup(const char *s, size_t n, int lower)
{
	char	*p;
	size_t	 i;

	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		p[i] = lower ? url_lower(s[i]) : s[i];
	p[n] = '\0';
	return p;
}

int
url_decode(const char *s, size_t n, struct buf *out)
{
	size_t	 i;
	int	 hi, lo;
	char	 c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '%') {
			if (n - i < 3 ||
			    (hi = url_hexval((unsigned char)s[i + 1])) == -1 ||
			    (lo = url_hexval((unsigned char)s[i + 2])) == -1)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		/* A NUL would cut the path short in every C API below us. */
		if (c == '\0')
			return -1;
		if (buf_putc(out, c) == -1)
			return -1;
	}
	return 0;
}

int
url_has_control(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* 1 if every '%' in s[0..n) starts a well-formed escape that is not %00. */
static int
url_escapes_ok(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] != '%')
			continue;
		if (n - i < 3 || url_hexval((unsigned char)s[i + 1]) == -1 ||
		    url_hexval((unsigned char)s[i + 2]) == -1 ||
		    (s[i + 1] == '0' && s[i + 2] == '0'))
			return 0;
		i += 2;
	}
	return 1;
}

int
url_normalize_path(char *path)
{
	char	*r, *w, *seg;
	size_t	 len;
	int	 trail = 0;

	if (path[0] != '/')
		return -1;

	/*
	 * The output ("/seg" per kept segment) is never longer than the
	 * input consumed so far, so it is written over the input in place.
	 */
	r = w = path;
	while (*r != '\0') {
		while (*r == '/')
			r++;
		seg = r;
		while (*r != '\0' && *r != '/')
			r++;
		len = (size_t)(r - seg);
		if (len == 0) {
			trail = 1;
			break;
		}
		if (len == 1 && seg[0] == '.') {
			trail = 1;
			continue;
		}
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			/* Nothing to pop: the path would leave the root. */
			if (w == path)
				return -1;
			while (w > path && *--w != '/')
				;
			trail = 1;
			continue;
		}
		*w++ = '/';
		memmove(w, seg, len);
		w += len;
		trail = 0;
	}
	if (w == path || trail)
		*w++ = '/';
	*w = '\0';
	return 0;
}

int
url_valid_utf8(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k, need;
	unsigned char		 lo, hi;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		/* Second-byte ranges exclude overlongs, surrogates and
		 * code points past U+10FFFF (RFC 3629, section 4). */
		lo = 0x80;
		hi = 0xbf;
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			need = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef) {
			need = 2;
			if (p[i] == 0xe0)
				lo = 0xa0;
			else if (p[i] == 0xed)
				hi = 0x9f;
		} else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
			need = 3;
			if (p[i] == 0xf0)
				lo = 0x90;
			else if (p[i] == 0xf4)
				hi = 0x8f;
		} else
			return 0;
		if (n - i - 1 < need)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return 0;
		i += need + 1;
	}
	return 1;
}

/* Host and port of an authority a[0..n) (userinfo already noted). */
static int
url_parse_hostport(const char *a, size_t n, struct url *u, const char **err)
{
	struct in6_addr	 in6;
	struct buf	 b;
	const char	*close, *colon;
	char		 tmp[INET6_ADDRSTRLEN];
	size_t		 hlen, i;
	long		 port;

	if (n > 0 && a[0] == '[') {
		/* Only IPv6 literals: no zone ids, no IPvFuture. */
		if ((close = memchr(a, ']', n)) == NULL) {
			*err = "bad IPv6 literal";
			return -1;
		}
		hlen = (size_t)(close - a - 1);
		if (hlen == 0 || hlen >= sizeof(tmp)) {
			*err = "bad IPv6 literal";
			return -1;
		}
		memcpy(tmp, a + 1, hlen);
		tmp[hlen] = '\0';
		if (inet_pton(AF_INET6, tmp, &in6) != 1) {
			*err = "bad IPv6 literal";
			return -1;
		}
		if ((u->host = url_dup(tmp, hlen, 1)) == NULL) {
			*err = "out of memory";
			return -1;
		}
		colon = close + 1;
		if (colon != a + n && *colon != ':') {
			*err = "bad IPv6 literal";
			return -1;
		}
	} else {
		colon = memchr(a, ':', n);
		hlen = colon ? (size_t)(colon - a) : n;
		for (i = 0; i < hlen; i++)
			if (a[i] == '[' || a[i] == ']' || a[i] == '@') {
				*err = "bad host";
				return -1;
			}
		buf_init(&b, hlen + 1);
		if (url_decode(a, hlen, &b) == -1) {
			buf_free(&b);
			*err = "bad percent escape in host";
			return -1;
		}
		if (url_has_control(b.data, b.len)) {
			buf_free(&b);
			*err = "control character in host";
			return -1;
		}
		u->host = url_dup(b.data ? b.data : "", b.len, 1);
		buf_free(&b);
		if (u->host == NULL) {
			*err = "out of memory";
			return -1;
		}
	}

	if (colon == NULL || colon == a + n)
		return 0;
	/* RFC 3986 allows an empty port ("host:"); it means the default. */
	if (colon + 1 == a + n)
		return 0;
	port = 0;
	for (i = (size_t)(colon + 1 - a); i < n; i++) {
		if (!url_is_digit((unsigned char)a[i])) {
			*err = "bad port";
			return -1;
		}
		port = port * 10 + (a[i] - '0');
		if (port > 65535) {
			*err = "bad port";
			return -1;
		}
	}
	u->port = (int)port;
	return 0;
}

int
url_parse(const char *s, size_t n, struct url *u, const char **err)
{
	struct buf	 b;
	const char	*p, *end, *q, *a, *ae, *at;
	size_t		 i;

	memset(u, 0, sizeof(*u));
	u->port = -1;
	buf_init(&b, n + 2);

	/*
	 * Controls and spaces have no place in a URI; rejecting them here
	 * also keeps them out of log lines and file names later.
	 */
	for (i = 0; i < n; i++) {
		if (s[i] == '\0') {
			*err = "NUL in URL";
			goto fail;
		}
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f) {
			*err = "control character or space in URL";
			goto fail;
		}
	}

	p = s;
	end = s + n;

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (n > 0 && url_is_alpha((unsigned char)s[0])) {
		for (q = s + 1; q < end; q++)
			if (!url_is_alpha((unsigned char)*q) &&
			    !url_is_digit((unsigned char)*q) &&
			    *q != '+' && *q != '-' && *q != '.')
				break;
		if (q < end && *q == ':') {
			if ((u->scheme = url_dup(s, (size_t)(q - s), 1)) ==
			    NULL) {
				*err = "out of memory";
				goto fail;
			}
			p = q + 1;
		}
	}

	if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
		a = p + 2;
		for (ae = a; ae < end; ae++)
			if (*ae == '/' || *ae == '?' || *ae == '#')
				break;
		/* The host follows the last '@': "a@b@evil" is userinfo. */
		for (at = ae; at > a; at--)
			if (at[-1] == '@')
				break;
		if (at > a)
			u->has_userinfo = 1;
		if (url_parse_hostport(at, (size_t)(ae - at), u, err) == -1)
			goto fail;
		p = ae;
	}

	for (q = p; q < end; q++)
		if (*q == '?' || *q == '#')
			break;

	/*
	 * Decode first, then remove dot segments: "%2e%2e" and "%2F" must
	 * count as ".." and "/" or they would walk past the check.  The
	 * leading '/' makes relative paths absolute; a doubled one is
	 * collapsed by the normaliser.
	 */
	if (buf_putc(&b, '/') == -1) {
		*err = "out of memory";
		goto fail;
	}
	for (i = 0; i < (size_t)(q - p); i++)
		if (p[i] == '%' && (size_t)(q - p) - i >= 3 &&
		    p[i + 1] == '0' && p[i + 2] == '0') {
			*err = "NUL in path";
			goto fail;
		}
	if (url_decode(p, (size_t)(q - p), &b) == -1) {
		*err = "bad percent escape";
		goto fail;
	}
	/* "%0A" and friends name no file we serve and would reach logs
	 * and generated menus; found by the gopher fuzzer. */
	if (url_has_control(b.data, b.len)) {
		*err = "control character in path";
		goto fail;
	}
	if (url_normalize_path(b.data) == -1) {
		*err = "path escapes root";
		goto fail;
	}
	b.len = strlen(b.data);
	u->trailing_slash = b.data[b.len - 1] == '/';
	u->path = buf_detach(&b, NULL);

	if (q < end && *q == '?') {
		for (a = ++q; q < end; q++)
			if (*q == '#')
				break;
		if (!url_escapes_ok(a, (size_t)(q - a))) {
			*err = "bad percent escape in query";
			goto fail;
		}
		if ((u->query = url_dup(a, (size_t)(q - a), 0)) == NULL) {
			*err = "out of memory";
			goto fail;
		}
	}
	if (q < end && *q == '#')
		u->has_fragment = 1;
	return 0;

fail:
	buf_free(&b);
	url_free(u);
	return -1;
}

void
url_free(struct url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->path);
	free(u->query);
	memset(u, 0, sizeof(*u));
	u->port = -1;
}

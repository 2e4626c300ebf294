/*
 * mdlink: where a link in a page goes (md_link_map): an href as the
 * author wrote it, resolved against the page's path, mapped to the
 * site's canonical path and to a Gopher item type, or passed on as a
 * remote URL made safe for a link line and a selector.  Pure; the site's
 * URL scheme comes in through struct md_urls.  Used by the Markdown
 * builder (markdown.c) and by native gemtext (gmiparse.c).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "markdown.h"
#include "mdb.h"
#include "mime.h"
#include "url.h"

int
md_pct_decode(struct buf *out, const char *s, size_t n)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    (hi = url_hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = url_hexval((unsigned char)s[i + 2])) >= 0) {
			if (buf_putc(out, hi << 4 | lo) == -1)
				return -1;
			i += 2;
		} else if (buf_putc(out, s[i]) == -1)
			return -1;
	}
	return 0;
}

/*
 * RFC 3986 dot-segment removal over an absolute path; ".." at the root
 * stays at the root.  Empty segments are dropped too.
 */
static int
md_dot_segments(struct buf *out, const char *p, size_t n)
{
	size_t	 i = 0, s, k;
	int	 dir = 0;

	while (i < n) {
		while (i < n && p[i] == '/')
			i++;
		if (i == n) {
			dir = 1;
			break;
		}
		s = i;
		while (i < n && p[i] != '/')
			i++;
		dir = 0;
		if (i - s == 1 && p[s] == '.') {
			dir = 1;
			continue;
		}
		if (i - s == 2 && p[s] == '.' && p[s + 1] == '.') {
			k = out->len;
			while (k > 0 && out->data[k - 1] != '/')
				k--;
			out->len = k > 0 ? k - 1 : 0;
			dir = 1;
			continue;
		}
		if (buf_putc(out, '/') == -1 ||
		    buf_append(out, p + s, i - s) == -1)
			return -1;
	}
	if ((out->len == 0 || dir) && buf_putc(out, '/') == -1)
		return -1;
	return 0;
}

/* The bytes a URL left alone keeps: all but controls, space, non-ASCII
 * and those a link line or a Gopher selector cannot carry. */
static int
md_url_keep(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("\"<>\\^`{|}", c) == NULL;
}

/* gopher://host[:port]/Tselector -> *t and the selector; -1 not usable. */
static int
md_gopher_url(const char *u, size_t n, struct buf *sel, struct md_target *t)
{
	size_t		 i = 9, hs, he, k;
	unsigned long	 port = 70;
	struct buf	 dec;
	int		 rv = -1;

	if (u[i] == '[') {
		while (i < n && u[i] != ']')
			i++;
		if (i == n)
			return -1;
		hs = 9;
		he = ++i;
	} else {
		hs = i;
		while (i < n && u[i] != ':' && u[i] != '/' && u[i] != '?' &&
		    u[i] != '#')
			i++;
		he = i;
	}
	if (he == hs || he - hs >= sizeof(t->host))
		return -1;
	for (k = hs; k < he; k++)
		if (!isalnum((unsigned char)u[k]) &&
		    strchr(".-_[]:", u[k]) == NULL)
			return -1;
	if (i < n && u[i] == ':') {
		port = 0;
		for (i++; i < n && isdigit((unsigned char)u[i]); i++) {
			port = port * 10 + (unsigned long)(u[i] - '0');
			if (port > 65535)
				return -1;
		}
		if (port == 0)
			return -1;
	}
	if (i < n && u[i] != '/')
		return -1;
	memcpy(t->host, u + hs, he - hs);
	t->host[he - hs] = '\0';
	t->port = (unsigned)port;
	t->type = '1';
	if (i + 1 >= n)
		return 0;
	t->type = u[i + 1];
	if (t->type <= ' ' || t->type > '~')
		return -1;
	buf_init(&dec, n);
	if (md_pct_decode(&dec, u + i + 2, n - i - 2) == -1)
		goto done;
	/* A selector cannot carry line or field separators. */
	if (memchr(dec.data ? dec.data : "", '\t', dec.len) != NULL ||
	    memchr(dec.data ? dec.data : "", '\r', dec.len) != NULL ||
	    memchr(dec.data ? dec.data : "", '\n', dec.len) != NULL ||
	    memchr(dec.data ? dec.data : "", '\0', dec.len) != NULL)
		goto done;
	if (sel != NULL &&
	    buf_append(sel, dec.data ? dec.data : "", dec.len) == -1)
		goto done;
	rv = 0;
done:
	buf_free(&dec);
	return rv;
}

int
md_link_map(const char *href, size_t n, const char *base,
    const struct md_urls *urls, enum md_format fmt, struct buf *out,
    struct md_target *t)
{
	struct buf	 path, norm, canon;
	size_t		 i, k, slen = 0, last, nlen, plen;
	const char	*name, *slash, *own;
	char		 type;
	int		 rv = -1, c;

	memset(t, 0, sizeof(*t));
	t->kind = MDL_NONE;
	while (n > 0 && isspace((unsigned char)*href)) {
		href++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)href[n - 1]))
		n--;
	if (n == 0)
		return 0;

	if (isalpha((unsigned char)href[0])) {
		for (i = 1; i < n && (isalnum((unsigned char)href[i]) ||
		    strchr("+-.", href[i]) != NULL); i++)
			;
		if (i < n && href[i] == ':')
			slen = i;
	}
	/* A URL on the site's own base URL is one of our paths. */
	if (slen > 0 && urls != NULL && urls->own != NULL &&
	    (own = urls->own(urls->arg, href, n, &plen)) != NULL) {
		href = own;
		n = plen > 0 ? plen : 1;
		slen = 0;
	}
	if (slen > 0) {
		static const char *const drop[] = {
			"javascript", "vbscript", "data", "file",
		};

		for (k = 0; k < sizeof(drop) / sizeof(drop[0]); k++)
			if (slen == strlen(drop[k]) &&
			    strncasecmp(href, drop[k], slen) == 0)
				return 0;
		if (slen == 6 && strncasecmp(href, "gopher", 6) == 0 &&
		    n > 9 && strncmp(href + 6, "://", 3) == 0 &&
		    md_gopher_url(href, n, NULL, t) == 0) {
			t->kind = MDL_GOPHER;
			if (fmt == MD_GEMTEXT)
				return url_encode(out, href, n, md_url_keep);
			return md_gopher_url(href, n, out, t);
		}
		t->kind = MDL_REMOTE;
		t->type = 'h';
		if (fmt != MD_GEMTEXT && buf_puts(out, "URL:") == -1)
			return -1;
		return url_encode(out, href, n, md_url_keep);
	}
	if (n >= 2 && href[0] == '/' && href[1] == '/') {
		/* Network-path reference from a web page: the web's scheme. */
		t->kind = MDL_REMOTE;
		t->type = 'h';
		if (buf_puts(out, fmt != MD_GEMTEXT ? "URL:https:" :
		    "https:") == -1)
			return -1;
		return url_encode(out, href, n, md_url_keep);
	}

	for (k = 0; k < n && href[k] != '?' && href[k] != '#'; k++)
		;
	if (k == 0)
		return 0;		/* "#anchor": plain text */
	if (base == NULL || *base != '/')
		base = "/";
	buf_init(&path, n + strlen(base) + 2);
	buf_init(&norm, n + strlen(base) + 4);
	if (href[0] != '/') {
		slash = strrchr(base, '/');
		if (buf_append(&path, base, (size_t)(slash - base) + 1) == -1)
			goto done;
	}
	if (md_pct_decode(&path, href, k) == -1)
		goto done;
	if (memchr(path.data, '\0', path.len) != NULL) {
		rv = 0;
		goto done;
	}
	if (md_dot_segments(&norm, path.data, path.len) == -1)
		goto done;
	t->kind = MDL_LOCAL;
	/* The site's canonical path for what the link names. */
	buf_init(&canon, 16384);
	c = urls != NULL && urls->canon != NULL ? urls->canon(urls->arg,
	    norm.data, norm.len, &canon) : 0;
	/* The canonical path takes the resolved one's place whole: it may
	 * be far longer than the link (a permalink made of a CJK title). */
	if (c > 0) {
		buf_free(&norm);
		norm = canon;
	} else
		buf_free(&canon);
	if (c == -1)
		goto done;
	for (last = norm.len; last > 0 && norm.data[last - 1] != '/'; last--)
		;
	name = norm.data + last;
	nlen = norm.len - last;
	if (nlen == 0 || c == 1)
		type = '1';
	else if ((k = mime_markdown_ext(name, nlen)) > 0) {
		norm.len -= k;
		nlen = norm.len - last;
		if (nlen == 5 && strncmp(name, "index", 5) == 0)
			norm.len = last;
		type = '1';
	} else if (memchr(name, '.', nlen) == NULL && c != 3)
		type = '1';		/* a route such as /posts/hello */
	else
		type = mime_gopher_type(name);
	t->type = type;
	rv = url_encode_path(out, norm.data, norm.len);
done:
	buf_free(&path);
	buf_free(&norm);
	return rv;
}

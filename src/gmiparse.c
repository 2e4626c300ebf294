/*
 * gmiparse: gemtext into the intermediate document (see gmiparse.h).
 * The line types are those of the Gemini specification's text/gemini
 * section: a line's first characters decide, with no nesting.
 */
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "doc.h"
#include "gmiparse.h"
#include "markdown.h"

struct gmi {
	struct md_doc	*d;
	const char	*path;
	const char	*self;		/* our host name, or NULL */
	const struct md_urls *urls;	/* the site's URL scheme, or NULL */
	struct buf	 url, label, sel;
};

static int
gmi_space(char c)
{
	return c == ' ' || c == '\t';
}

/* s[0..n) without leading and trailing blanks. */
static const char *
gmi_trim(const char *s, size_t *n)
{
	while (*n > 0 && gmi_space(*s)) {
		s++;
		--*n;
	}
	while (*n > 0 && gmi_space(s[*n - 1]))
		--*n;
	return s;
}

/*
 * u[0..*n) without "gemini://SELF[:port]" when it names this capsule:
 * gemtext authors often write their own pages as absolute URLs, which
 * Gopher can only reach as our own selectors.
 */
static const char *
gmi_own(const struct gmi *g, const char *u, size_t *n)
{
	static const char	 scheme[] = "gemini://";
	size_t			 k = sizeof(scheme) - 1, hl;

	if (g->self == NULL || *n < k || strncasecmp(u, scheme, k) != 0)
		return u;
	hl = strlen(g->self);
	if (*n - k < hl || strncasecmp(u + k, g->self, hl) != 0)
		return u;
	k += hl;
	if (k < *n && u[k] == ':')
		for (k++; k < *n && u[k] >= '0' && u[k] <= '9'; k++)
			;
	if (k < *n && u[k] != '/')
		return u;
	if (k == *n) {
		*n = 1;
		return "/";
	}
	*n -= k;
	return u + k;
}

/* "=>[ws]URL[ws label]"; a link without a URL is text. */
static int
gmi_link(struct gmi *g, enum md_sep sep, const char *line, size_t n)
{
	struct doc_target	 t;
	struct md_target	 mt;
	const char		*s = line + 2, *u, *own;
	size_t			 left = n - 2, ulen, olen;

	s = gmi_trim(s, &left);
	for (u = s, ulen = 0; ulen < left && !gmi_space(u[ulen]); ulen++)
		;
	if (ulen == 0)
		return doc_text(g->d, sep, 0, line, n);
	s = u + ulen;
	left -= ulen;
	s = gmi_trim(s, &left);
	olen = ulen;
	own = gmi_own(g, u, &olen);
	buf_reset(&g->url);
	buf_reset(&g->label);
	buf_reset(&g->sel);
	if (buf_append(&g->url, u, ulen) == -1 ||
	    buf_append(&g->label, s, left) == -1 ||
	    md_link_map(own, olen, g->path, g->urls, MD_GOPHERMAP, &g->sel,
	    &mt) == -1)
		return -1;
	/* A gemini:// URL of ours without a label shows the selector Gopher
	 * follows, not a URL of the other protocol. */
	if (left == 0 && own != u && mt.kind == MDL_LOCAL &&
	    buf_append(&g->label, g->sel.data, g->sel.len) == -1)
		return -1;
	/* A link that leads nowhere ("javascript:", "#top") keeps its
	 * words. */
	if (mt.kind == MDL_NONE)
		return doc_text(g->d, sep, 0, left > 0 ? s : u,
		    left > 0 ? left : ulen);
	memset(&t, 0, sizeof(t));
	t.kind = mt.kind;
	t.gem = g->url.data;
	t.sel = g->sel.data ? g->sel.data : "";
	t.type = mt.type;
	t.host = mt.host;
	t.port = mt.port;
	return doc_link(g->d, sep, &t, g->label.data ? g->label.data : "",
	    NULL);
}

static int
gmi_line(struct gmi *g, enum md_sep sep, const char *s, size_t n)
{
	size_t	level, left;

	if (n >= 2 && s[0] == '=' && s[1] == '>')
		return gmi_link(g, sep, s, n);
	if (s[0] == '#') {
		for (level = 0; level < n && level < 3 && s[level] == '#';
		    level++)
			;
		left = n - level;
		s = gmi_trim(s + level, &left);
		return doc_heading(g->d, sep, (int)level, s, left);
	}
	if (n >= 2 && s[0] == '*' && s[1] == ' ') {
		left = n - 2;
		s = gmi_trim(s + 2, &left);
		return doc_item(g->d, sep, s, left);
	}
	if (s[0] == '>') {
		left = n - 1;
		s = gmi_trim(s + 1, &left);
		return doc_text(g->d, sep, 1, s, left);
	}
	return doc_text(g->d, sep, 0, s, n);
}

int
gmi_parse(struct md_doc *d, const char *src, size_t n, const char *path,
    const char *self, const struct md_urls *urls, size_t max)
{
	struct gmi	 g;
	struct buf	 pre, alt;
	const char	*line, *e = src + n, *nl, *a;
	size_t		 len, alen;
	enum md_sep	 sep = MDS_NONE, presep = MDS_NONE;
	int		 inpre = 0, first = 0, rv = -1;

	memset(&g, 0, sizeof(g));
	g.d = d;
	g.path = path != NULL ? path : "/";
	g.self = self;
	g.urls = urls;
	/* Nothing copied out of the page outgrows the page's own limit. */
	buf_init(&g.url, max);
	buf_init(&g.label, max);
	buf_init(&g.sel, max);
	buf_init(&pre, max);
	buf_init(&alt, max);
	if (doc_init(d, max) == -1)
		goto done;
	for (line = src; line < e; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(e - line))) == NULL)
			nl = e;
		len = (size_t)(nl - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len >= 3 && memcmp(line, "```", 3) == 0) {
			if (inpre) {
				if (doc_pre(d, presep, alt.data, pre.data ?
				    pre.data : "", pre.len) == -1)
					goto done;
				inpre = 0;
				sep = MDS_NONE;
				continue;
			}
			inpre = first = 1;
			presep = sep;
			alen = len - 3;
			a = gmi_trim(line + 3, &alen);
			buf_reset(&pre);
			buf_reset(&alt);
			if (buf_append(&alt, a, alen) == -1)
				goto done;
			continue;
		}
		if (inpre) {
			if ((!first && buf_putc(&pre, '\n') == -1) ||
			    buf_append(&pre, line, len) == -1)
				goto done;
			first = 0;
			continue;
		}
		if (len == 0) {
			if (d->nblocks > 0)
				sep = MDS_BLANK;
			continue;
		}
		if (gmi_line(&g, sep, line, len) == -1)
			goto done;
		sep = MDS_NONE;
	}
	if (inpre && doc_pre(d, presep, alt.data, pre.data ? pre.data : "",
	    pre.len) == -1)
		goto done;
	rv = 0;
done:
	buf_free(&g.url);
	buf_free(&g.label);
	buf_free(&g.sel);
	buf_free(&pre);
	buf_free(&alt);
	if (rv == -1)
		md_doc_free(d);
	return rv;
}

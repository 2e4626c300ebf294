/*
 * mdhtml: raw HTML inside Markdown, for the document builder of
 * markdown.c: tags and comments dropped, text kept, entities decoded,
 * links and images kept as links, lists and quotes as their blocks.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>

#include "buf.h"
#include "entity.h"
#include "markdown.h"
#include "mdb.h"
#include "textwidth.h"
#include "url.h"

struct md_tag {
	char		 name[16];
	int		 closing;
	int		 selfclose;
	const char	*href, *src, *alt, *title, *start;
	size_t		 hreflen, srclen, altlen, titlelen, startlen;
};

/* Parse the tag at s[0] == '<'; returns its length, 0 if not a tag. */
static size_t
md_tag_parse(const char *s, size_t n, struct md_tag *t)
{
	size_t	 i = 1, k, ns, ne, vs, ve;
	char	 q;

	memset(t, 0, sizeof(*t));
	if (i < n && s[i] == '/') {
		t->closing = 1;
		i++;
	}
	if (i >= n || !isalpha((unsigned char)s[i]))
		return 0;
	for (k = 0; i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' ||
	    s[i] == ':'); i++)
		if (k < sizeof(t->name) - 1)
			t->name[k++] = (char)tolower((unsigned char)s[i]);
	t->name[k] = '\0';
	for (;;) {
		while (i < n && (isspace((unsigned char)s[i]) || s[i] == '/')) {
			if (s[i] == '/')
				t->selfclose = 1;
			i++;
		}
		if (i >= n)
			return n;	/* unterminated: drop the rest */
		if (s[i] == '>')
			return i + 1;
		t->selfclose = 0;
		ns = i;
		while (i < n && !isspace((unsigned char)s[i]) && s[i] != '=' &&
		    s[i] != '>' && s[i] != '/')
			i++;
		ne = i;
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		vs = ve = i;
		if (i < n && s[i] == '=') {
			i++;
			while (i < n && isspace((unsigned char)s[i]))
				i++;
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				q = s[i++];
				vs = i;
				while (i < n && s[i] != q)
					i++;
				ve = i;
				if (i < n)
					i++;
			} else {
				vs = i;
				while (i < n && !isspace((unsigned char)s[i]) &&
				    s[i] != '>')
					i++;
				ve = i;
			}
		}
		if (ne == ns) {
			i++;
			continue;
		}
#define MD_ATTR(a)							\
		if (ne - ns == sizeof(#a) - 1 &&			\
		    strncasecmp(s + ns, #a, ne - ns) == 0) {		\
			t->a = s + vs;					\
			t->a##len = ve - vs;				\
		}
		MD_ATTR(href)
		MD_ATTR(src)
		MD_ATTR(alt)
		MD_ATTR(title)
		MD_ATTR(start)
#undef MD_ATTR
	}
}

static int
md_tag_is(const struct md_tag *t, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(t->name, *names) == 0)
			return 1;
	return 0;
}

/* A link from an HTML attribute (href, src), entities decoded. */
static int
mdb_html_link_begin(struct mdb *b, const char *v, size_t n, int image)
{
	buf_reset(&b->tmp);
	if (entity_decode(&b->tmp, v, n) == -1) {
		mdb_fail(b);
		return -1;
	}
	return mdb_link_begin(b, b->tmp.data ? b->tmp.data : "", b->tmp.len,
	    image, 1);
}

static int
mdb_html_text(struct mdb *b, const char *s, size_t n)
{
	struct buf	 dec;
	size_t		 k;
	int		 rv = 0;

	if (b->hskip || n == 0)
		return 0;
	buf_init(&dec, n + 16);
	if (entity_decode(&dec, s, n) == -1)
		rv = -1;
	else if (b->hpre && b->open) {
		/* As in HTML, a newline right after <pre> is not content. */
		k = b->text.len == 0 && dec.len > 0 && dec.data[0] == '\n';
		if (tw_clean(&b->text, dec.data + k, dec.len - k,
		    TW_KEEP_TAB | TW_KEEP_LF) == -1)
			rv = -1;
	} else if (dec.len > 0)
		rv = mdb_text(b, dec.data, dec.len);
	buf_free(&dec);
	if (rv == -1)
		mdb_fail(b);
	return rv;
}

static int
mdb_html_tag(struct mdb *b, const struct md_tag *t, int inl)
{
	static const char *const skip[] = {
		"script", "style", "iframe", "form", "noscript", "template",
		"svg", "object", "select", "textarea", "head", NULL
	};
	static const char *const media[] = {
		"iframe", "video", "audio", "source", "embed", NULL
	};
	static const char *const blocks[] = {
		"p", "div", "section", "article", "header", "footer", "nav",
		"aside", "main", "figure", "figcaption", "details", "summary",
		"dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
		"caption", "center", "address", "fieldset", "body", "html",
		"ul", "ol", "li", "blockquote", "pre", "h1", "h2", "h3", "h4",
		"h5", "h6", "hr", "tr", NULL
	};
	int	 level, k;
	long	 start;

	if (strcmp(t->name, "br") == 0)
		return mdb_hard(b);
	if (strcmp(t->name, "a") == 0) {
		if (t->closing)
			return mdb_link_end(b, 1);
		if (t->href != NULL)
			return mdb_html_link_begin(b, t->href, t->hreflen, 0);
		return 0;
	}
	if (strcmp(t->name, "img") == 0) {
		if (t->closing || t->src == NULL)
			return 0;
		if (mdb_html_link_begin(b, t->src, t->srclen, 1) == -1 ||
		    (t->alt != NULL &&
		    mdb_html_text(b, t->alt, t->altlen) == -1))
			return -1;
		return mdb_link_end(b, 1);
	}
	if (!t->closing && md_tag_is(t, media) && t->src != NULL) {
		if (mdb_html_link_begin(b, t->src, t->srclen, 0) == -1 ||
		    (t->title != NULL &&
		    mdb_html_text(b, t->title, t->titlelen) == -1) ||
		    mdb_link_end(b, 1) == -1)
			return -1;
	}
	if (!t->closing && !t->selfclose && md_tag_is(t, skip)) {
		b->hskip = 1;
		memcpy(b->hskip_name, t->name, sizeof(b->hskip_name));
		return 0;
	}
	if (strcmp(t->name, "td") == 0 || strcmp(t->name, "th") == 0) {
		if (t->closing || b->hcell++ == 0 || !b->open)
			return 0;
		mdb_trim(b, 0);
		if (buf_puts(&b->text, " | ") == -1) {
			mdb_fail(b);
			return -1;
		}
		return 0;
	}
	if (!md_tag_is(t, blocks))
		return 0;
	if (inl) {
		/* Block tags inside a paragraph: at most a line break. */
		if (strcmp(t->name, "p") == 0 || strcmp(t->name, "div") == 0 ||
		    strcmp(t->name, "li") == 0 || strcmp(t->name, "tr") == 0)
			return mdb_hard(b);
		return 0;
	}
	if (strcmp(t->name, "tr") == 0) {
		b->hcell = 0;
		return t->closing ? mdb_hard(b) : 0;
	}
	if (b->hpre && strcmp(t->name, "pre") != 0)
		return 0;
	if (mdb_end(b) == -1)
		return -1;
	if (t->name[0] == 'h' && t->name[1] >= '1' && t->name[1] <= '6') {
		level = t->name[1] - '0';
		if (!t->closing) {
			if (mdb_begin(b, MDB_HEADING) == -1)
				return -1;
			b->cur.level = level > 3 ? 3 : level;
		}
	} else if (strcmp(t->name, "li") == 0) {
		if (!t->closing) {
			if (mdb_begin(b, MDB_ITEM) == -1)
				return -1;
			if (b->cur.depth < 1)
				b->cur.depth = 1;
			k = b->hlist - 1;
			if (k >= 0 && k < MD_HTML_LISTS && b->hordered[k])
				b->cur.number = b->hnum[k]++;
		}
	} else if (strcmp(t->name, "ul") == 0 || strcmp(t->name, "ol") == 0) {
		if (t->closing) {
			if (b->hlist > 0)
				b->hlist--;
		} else {
			k = b->hlist++;
			if (k < MD_HTML_LISTS) {
				start = t->start ?
				    strtol(t->start, NULL, 10) : 1;
				b->hordered[k] = t->name[0] == 'o';
				b->hnum[k] = start;
			}
		}
	} else if (strcmp(t->name, "blockquote") == 0) {
		if (t->closing) {
			if (b->hquote > 0)
				b->hquote--;
		} else
			b->hquote++;
	} else if (strcmp(t->name, "pre") == 0) {
		if (t->closing)
			b->hpre = 0;
		else {
			if (mdb_begin(b, MDB_PRE) == -1)
				return -1;
			b->cur.alt = 0;
			b->hpre = 1;
		}
	} else if (strcmp(t->name, "hr") == 0) {
		if (mdb_begin(b, MDB_RULE) == -1 || mdb_end(b) == -1)
			return -1;
	}
	return 0;
}

/* Raw HTML, a whole block (inl = 0) or one inline tag (inl = 1). */
int
mdb_html(struct mdb *b, const char *s, size_t n, int inl)
{
	struct md_tag	 t;
	size_t		 i = 0, ts = 0, k;
	const char	*e;

	while (i < n) {
		if (s[i] != '<') {
			i++;
			continue;
		}
		if (mdb_html_text(b, s + ts, i - ts) == -1)
			return -1;
		if (n - i >= 4 && strncmp(s + i, "<!--", 4) == 0) {
			e = memmem(s + i + 4, n - i - 4, "-->", 3);
			i = e != NULL ? (size_t)(e - s) + 3 : n;
		} else if (i + 1 < n && (s[i + 1] == '!' || s[i + 1] == '?')) {
			e = memchr(s + i, '>', n - i);
			i = e != NULL ? (size_t)(e - s) + 1 : n;
		} else if ((k = md_tag_parse(s + i, n - i, &t)) > 0) {
			i += k;
			if (b->hskip) {
				if (t.closing &&
				    strcmp(t.name, b->hskip_name) == 0)
					b->hskip = 0;
			} else if (mdb_html_tag(b, &t, inl) == -1)
				return -1;
		} else {
			ts = i++;
			continue;
		}
		ts = i;
	}
	return mdb_html_text(b, s + ts, n - ts);
}


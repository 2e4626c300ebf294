/*
 * gensyntax: generator markup rewritten into plain Markdown (see
 * gensyntax.h).  Text inside code fences and code spans is left alone,
 * except the escapes Hugo and Jekyll authors write there so that their
 * generator shows a tag literally (a shortcode wrapped in a comment,
 * {% raw %}).  Every search for a closing mark is bounded and cached, so
 * hostile input stays linear.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gensyntax.h"
#include "gen.h"
#include "markdown.h"

#define GEN_POOL_MAX	((size_t)1 << 30)

static int
gen_has_suffix(const char *s, size_t n, const char *suf)
{
	size_t	 k = strlen(suf);

	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

size_t
gen_find(struct gen *g, struct gen_next *c, size_t p, const char *needle)
{
	const char	*e;
	size_t		 k = strlen(needle);

	if (c->valid && c->from <= p && p <= c->at)
		return c->at;
	e = p + k <= g->n ? memmem(g->s + p, g->n - p, needle, k) : NULL;
	c->from = p;
	c->at = e != NULL ? (size_t)(e - g->s) : g->n;
	c->valid = 1;
	return c->at;
}

size_t
gen_blank(struct gen *g, size_t p)
{
	struct gen_next	*c = &g->nx_blank;
	size_t		 k, j;

	if (c->valid && c->from <= p && p <= c->at)
		return c->at;
	c->from = p;
	c->valid = 1;
	for (k = p; (k = gen_find(g, &g->nx_nl, k, "\n")) < g->n; k++) {
		for (j = k + 1; j < g->n && (g->s[j] == ' ' ||
		    g->s[j] == '\t' || g->s[j] == '\r'); j++)
			;
		if (j == g->n || g->s[j] == '\n')
			break;
	}
	c->at = k;
	return k;
}

/* End of the line holding p (its LF, or n). */
static size_t
gen_eol(struct gen *g, size_t p)
{
	return gen_find(g, &g->nx_nl, p, "\n");
}

/* The closing mark of a tag opened at p, if it is close enough. */
size_t
gen_close(struct gen *g, struct gen_next *c, size_t p, const char *needle)
{
	size_t	 e = gen_find(g, c, p, needle);

	if (e == g->n || e - p > GEN_SCAN_MAX || e > gen_blank(g, p))
		return SIZE_MAX;
	return e;
}

void
gen_put(struct gen *g, const char *s, size_t n)
{
	const char	*nl;
	size_t		 k;
	int		 d;

	while (n > 0 && !g->err) {
		if (g->bol) {
			for (d = 0; d < g->nq; d++)
				if (buf_puts(g->out, "> ") == -1)
					g->err = 1;
			g->bol = 0;
		}
		nl = memchr(s, '\n', n);
		k = nl != NULL ? (size_t)(nl - s) + 1 : n;
		if (buf_append(g->out, s, k) == -1)
			g->err = 1;
		if (nl != NULL)
			g->bol = 1;
		s += k;
		n -= k;
	}
}

void
gen_puts(struct gen *g, const char *s)
{
	gen_put(g, s, strlen(s));
}

/* End the output line if one is open. */
void
gen_newline(struct gen *g)
{
	if (!g->bol && g->out->len > 0)
		gen_put(g, "\n", 1);
}

void
gen_warn(struct gen *g, const char *what, const char *name)
{
	char	 line[96];
	int	 k;

	if (g->warn == NULL || g->nwarn >= GEN_MAXWARN)
		return;
	k = snprintf(line, sizeof(line), "%s %s\n", what, name);
	if (k < 0 || (size_t)k >= sizeof(line))
		return;
	if (g->warn->len > 0 && memmem(g->warn->data, g->warn->len, line,
	    (size_t)k) != NULL)
		return;
	/* Best effort: a full buffer stops the warnings, not the page. */
	g->nwarn++;
	if (buf_puts(g->warn, line) == -1)
		g->nwarn = GEN_MAXWARN;
}

/* Text as a Markdown link label: one line, punctuation escaped. */
static void
gen_put_label(struct gen *g, const char *s, size_t n)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c != '\0' && strchr("\\[]<>!&|#", c) != NULL)
			gen_put(g, "\\", 1);
		gen_put(g, &c, 1);
	}
}

/* A URL or path as a Markdown link destination. */
void
gen_put_dest(struct gen *g, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;
	unsigned char		 c;
	char			 e[3];

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || strchr("()<>\"'`\\[]{}|",
		    c) != NULL) {
			e[0] = '%';
			e[1] = hex[c >> 4];
			e[2] = hex[c & 0xf];
			gen_put(g, e, 3);
		} else
			gen_put(g, s + i, 1);
	}
}

/* Text for an HTML attribute or element. */
static void
gen_put_html(struct gen *g, const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		switch (s[i]) {
		case '&':
			gen_puts(g, "&amp;");
			break;
		case '<':
			gen_puts(g, "&lt;");
			break;
		case '>':
			gen_puts(g, "&gt;");
			break;
		case '"':
			gen_puts(g, "&quot;");
			break;
		case '\n':
		case '\r':
			gen_put(g, " ", 1);
			break;
		default:
			gen_put(g, s + i, 1);
		}
}

/*
 * [label](url): without a label a link reads as its URL (an image
 * gets its file name from the renderer).  Inside an HTML block, where
 * Markdown is not parsed, the same as <a> or <img>.
 */
void
gen_put_link(struct gen *g, int image, const char *label, size_t ln,
    const char *pre, const char *url, size_t un)
{
	if (g->html) {
		gen_puts(g, image ? "<img src=\"" : "<a href=\"");
		if (pre != NULL)
			gen_put_html(g, pre, strlen(pre));
		gen_put_html(g, url, un);
		gen_puts(g, image ? "\" alt=\"" : "\">");
		if (ln == 0 && !image) {
			if (pre != NULL)
				gen_put_html(g, pre, strlen(pre));
			gen_put_html(g, url, un);
		} else
			gen_put_html(g, label, ln);
		gen_puts(g, image ? "\">" : "</a>");
		return;
	}
	gen_puts(g, image ? "![" : "[");
	if (ln == 0 && !image) {
		if (pre != NULL)
			gen_put_label(g, pre, strlen(pre));
		gen_put_label(g, url, un);
	} else
		gen_put_label(g, label, ln);
	gen_puts(g, "](");
	if (pre != NULL)
		gen_puts(g, pre);
	gen_put_dest(g, url, un);
	gen_puts(g, ")");
}

/* Output into b until gen_capture_end (a link target built in parts). */
void
gen_capture(struct gen *g, struct buf *b)
{
	struct buf	*out = g->out;

	g->out = b;
	g->capture = out;
	g->capbol = g->bol;
	g->bol = 0;
}

void
gen_capture_end(struct gen *g)
{
	g->out = g->capture;
	g->bol = g->capbol;
	g->capture = NULL;
}

/* Is the output at a link destination ("](", "]: ", an attribute)? */
int
gen_in_dest(const struct gen *g)
{
	const char	*s = g->out->data;
	size_t		 n = g->out->len;

	if (n >= 2 && s[n - 1] == '(' && s[n - 2] == ']')
		return 1;
	if (n >= 2 && (s[n - 1] == '"' || s[n - 1] == '\'') &&
	    s[n - 2] == '=')
		return 1;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n >= 2 && s[n - 1] == ':' && s[n - 2] == ']';
}

int
gen_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
gen_word_eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

int
gen_in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (gen_word_eq(s, n, *list))
			return 1;
	return 0;
}

/* A label from a type name: "warning" -> "Warning". */
static void
gen_put_title(struct gen *g, const char *s, size_t n)
{
	char	 c;

	if (n == 0)
		return;
	c = (char)toupper((unsigned char)s[0]);
	gen_put(g, &c, 1);
	gen_put_label(g, s + 1, n - 1);
}

/*
 * A quoted section (Zenn :::, Hugo details): a blank line before, then
 * every line quoted; "Label: title" (either may be empty) its own first
 * paragraph.
 */
static void
gen_quote_open(struct gen *g, size_t colons, const char *name, size_t nn,
    const char *label, size_t ln, const char *title, size_t tn)
{
	gen_newline(g);
	gen_put(g, "\n", 1);
	if (g->nq == GEN_MAXQUOTE)
		return;
	g->q[g->nq].colons = colons;
	snprintf(g->q[g->nq].name, sizeof(g->q[g->nq].name), "%.*s",
	    (int)nn, name);
	g->nq++;
	gen_put_title(g, label, ln);
	if (ln > 0 && tn > 0)
		gen_puts(g, ": ");
	gen_put_label(g, title, tn);
	if (ln > 0 || tn > 0)
		gen_puts(g, "\n\n");
}

static void
gen_quote_close(struct gen *g)
{
	gen_newline(g);
	if (g->nq > 0)
		g->nq--;
	gen_put(g, "\n", 1);
}

/*-------------------------------------------------------------------
 * Hugo shortcodes: {{< name args >}}, {{% name args %}}, {{< /name >}}
 */

const char *
gen_sc_arg(const struct gen_sc *sc, const char *key, int pos)
{
	size_t	 i;
	int	 k = 0;

	for (i = 0; i < sc->nargs; i++) {
		if (sc->key[i] == 0) {
			if (k++ == pos)
				return sc->a.data + sc->val[i];
		} else if (key != NULL &&
		    strcasecmp(sc->a.data + sc->key[i], key) == 0)
			return sc->a.data + sc->val[i];
	}
	return NULL;
}

const char *
gen_sc_first(const struct gen_sc *sc, const char *const *keys)
{
	const char	*v;

	for (; *keys != NULL; keys++)
		if ((v = gen_sc_arg(sc, *keys, -1)) != NULL && *v != '\0')
			return v;
	return NULL;
}

int
gen_sc_parse(struct gen *g, size_t i, size_t e, struct gen_sc *sc)
{
	const char	*s = g->s;
	size_t		 k, ks, ke, d;
	char		 q;

	while (i < e && gen_is_space(s[i]))
		i++;
	if (i < e && s[i] == '/') {
		sc->closing = 1;
		i++;
		while (i < e && gen_is_space(s[i]))
			i++;
	}
	for (k = 0; i < e && (isalnum((unsigned char)s[i]) ||
	    strchr("_-./", s[i]) != NULL); i++)
		if (k < sizeof(sc->name) - 1)
			sc->name[k++] = (char)tolower((unsigned char)s[i]);
	sc->name[k] = '\0';
	if (k == 0 || (i < e && !gen_is_space(s[i]) && s[i] != '/'))
		return -1;
	if (buf_putc(&sc->a, '\0') == -1)
		return -1;
	for (;;) {
		while (i < e && gen_is_space(s[i]))
			i++;
		if (i == e)
			return 0;
		if (s[i] == '/') {
			for (k = i + 1; k < e && gen_is_space(s[k]); k++)
				;
			if (k == e) {
				sc->selfclose = 1;
				return 0;
			}
		}
		ks = ke = 0;
		for (k = i; k < e && (isalnum((unsigned char)s[k]) ||
		    s[k] == '_' || s[k] == '-'); k++)
			;
		if (k > i && k < e && s[k] == '=') {
			ks = i;
			ke = k;
			i = k + 1;
		}
		if (sc->nargs < GEN_MAXARGS) {
			if (ke > ks) {
				sc->key[sc->nargs] = sc->a.len;
				if (buf_append(&sc->a, s + ks, ke - ks) == -1 ||
				    buf_putc(&sc->a, '\0') == -1)
					return -1;
			} else
				sc->key[sc->nargs] = 0;
			sc->val[sc->nargs] = sc->a.len;
		}
		if (sc->jsx && i < e && s[i] == '{') {
			/* A JSX expression: not a value a reader sees. */
			for (d = 0; i < e; i++)
				if (s[i] == '{')
					d++;
				else if (s[i] == '}' && --d == 0)
					break;
			if (i == e)
				return -1;
			i++;
		} else if (i < e && (s[i] == '"' || s[i] == '`' ||
		    (sc->jsx && s[i] == '\''))) {
			q = s[i++];
			for (; i < e && s[i] != q; i++) {
				if (q == '"' && s[i] == '\\' && i + 1 < e)
					i++;
				if (sc->nargs < GEN_MAXARGS &&
				    buf_putc(&sc->a, s[i]) == -1)
					return -1;
			}
			if (i == e)
				return -1;	/* unterminated */
			i++;
		} else
			for (; i < e && !gen_is_space(s[i]); i++)
				if (sc->nargs < GEN_MAXARGS &&
				    buf_putc(&sc->a, s[i]) == -1)
					return -1;
		if (sc->nargs < GEN_MAXARGS) {
			if (buf_putc(&sc->a, '\0') == -1)
				return -1;
			sc->nargs++;
		}
	}
}

/* Shortcodes shown as a quoted section. */
static const char *const gen_sc_quotes[] = {
	"details", "notice", "admonition", "hint", "alert", "callout",
	"note", "tip", "info", "warning", "caution", "important", "danger",
	"expand", "spoiler", "collapse", "aside", NULL
};

static void
gen_sc_quote(struct gen *g, const struct gen_sc *sc)
{
	static const char *const titles[] = { "summary", "title", NULL };
	const char	*t, *l = "";

	if ((t = gen_sc_first(sc, titles)) == NULL) {
		t = "";
		if ((l = gen_sc_arg(sc, "type", 0)) == NULL || *l == '\0')
			l = sc->name;
	}
	gen_quote_open(g, 0, sc->name, strlen(sc->name), l, strlen(l), t,
	    strlen(t));
}

/*
 * Hugo's ref/relref path as a capsule path: relative to the page (to
 * its section for a bundle's index.md), or, when the page lives under
 * /content/ (a Hugo site served as it is), absolute and section paths
 * ("/posts/x.md", "posts/x.md") from the content directory, as Hugo
 * resolves them.  Hugo's last resort, a search of the whole site by
 * name, needs the file system and is not tried.
 */
static void
gen_put_ref(struct gen *g, const char *p)
{
	size_t		 n, k, last;
	const char	*frag;
	int		 content;

	content = g->base != NULL && strncmp(g->base, "/content/", 9) == 0;
	frag = strchr(p, '#');
	n = frag != NULL ? (size_t)(frag - p) : strlen(p);
	if (n == 0) {
		gen_put_dest(g, p, strlen(p));
		return;
	}
	/* Absolute refs, and section paths, start at the content dir. */
	if (content && (p[0] == '/' || (p[0] != '.' &&
	    memchr(p, '/', n) != NULL)))
		gen_puts(g, p[0] == '/' ? "/content" : "/content/");
	else if (p[0] != '/' && g->base != NULL &&
	    (gen_has_suffix(g->base, strlen(g->base), "/index.md") ||
	    gen_has_suffix(g->base, strlen(g->base), "/index.markdown")))
		gen_puts(g, "../");	/* a bundle: a page of its section */
	gen_put_dest(g, p, n);
	/* "posts/x" may be x.md or the bundle x/index.md: the pretty URL
	 * "x/" serves either. */
	for (last = n; last > 0 && p[last - 1] != '/'; last--)
		;
	for (k = last; k < n && p[k] != '.'; k++)
		;
	if (last < n && k == n)
		gen_puts(g, "/");
	if (frag != NULL)
		gen_put_dest(g, frag, strlen(frag));
}

/* A known embed: the URL it stands for. */
static int
gen_embed_url(struct buf *u, const char *name, const char *id,
    const char *user)
{
	if (id == NULL || *id == '\0')
		return 0;
	if (strncmp(id, "https://", 8) == 0 || strncmp(id, "http://", 7) == 0)
		return buf_puts(u, id) == -1 ? -1 : 1;
	if (strcmp(name, "youtube") == 0)
		return buf_printf(u, "https://www.youtube.com/watch?v=%s",
		    id) == -1 ? -1 : 1;
	if (strcmp(name, "vimeo") == 0)
		return buf_printf(u, "https://vimeo.com/%s", id) == -1 ? -1 : 1;
	if (strcmp(name, "instagram") == 0)
		return buf_printf(u, "https://www.instagram.com/p/%s/",
		    id) == -1 ? -1 : 1;
	if (strcmp(name, "gist") == 0)
		return buf_printf(u, "https://gist.github.com/%s%s%s",
		    user ? user : "", user ? "/" : "", id) == -1 ? -1 : 1;
	if (strcmp(name, "tweet") == 0 || strcmp(name, "twitter") == 0)
		return buf_printf(u, "https://twitter.com/%s/status/%s",
		    user ? user : "i", id) == -1 ? -1 : 1;
	if (strcmp(name, "x") == 0)
		return buf_printf(u, "https://x.com/%s/status/%s",
		    user ? user : "i", id) == -1 ? -1 : 1;
	if (strcmp(name, "bilibili") == 0)
		return buf_printf(u, "https://www.bilibili.com/video/%s",
		    id) == -1 ? -1 : 1;
	if (strcmp(name, "speakerdeck") == 0)
		return buf_printf(u, "https://speakerdeck.com/player/%s",
		    id) == -1 ? -1 : 1;
	if (strcmp(name, "slideshare") == 0)
		return buf_printf(u,
		    "https://www.slideshare.net/slideshow/embed_code/key/%s",
		    id) == -1 ? -1 : 1;
	return 0;
}

void
gen_put_embed(struct gen *g, const char *name, const char *id,
    const char *user, const char *label)
{
	struct buf	 u;
	int		 r;

	buf_init(&u, GEN_SCAN_MAX * 2);
	if ((r = gen_embed_url(&u, name, id, user)) == -1)
		g->err = 1;
	else if (r == 1)
		gen_put_link(g, 0, label ? label : "", label ? strlen(label) :
		    0, NULL, u.data, u.len);
	buf_free(&u);
}

static int gen_math_sc(struct gen *, int, const char *, size_t);

static const char *const gen_math_names[] = {
	"math", "mathjax", "katex", "latex", "tex"
};

/* Theme variants: {{< mathjax/inline >}}, {{< katex/block >}}. */
static const char *const gen_math_kinds[] = {
	"", "/inline", "/block", "/display"
};

/* The search cache of a math shortcode's name, else -1. */
static int
gen_math_name(const char *name)
{
	size_t	 i, k, n;

	for (i = 0; i < sizeof(gen_math_names) / sizeof(gen_math_names[0]);
	    i++) {
		n = strlen(gen_math_names[i]);
		if (strncasecmp(name, gen_math_names[i], n) != 0)
			continue;
		for (k = 0; k < sizeof(gen_math_kinds) /
		    sizeof(gen_math_kinds[0]); k++)
			if (strcasecmp(name + n, gen_math_kinds[k]) == 0)
				return (int)(i * (sizeof(gen_math_kinds) /
				    sizeof(gen_math_kinds[0])) + k);
	}
	return -1;
}

/*
 * A shortcode we do not know stands for something on the web page: a
 * link when it names an embed we can build a URL for (twitter_simple,
 * vimeo_simple, youtube-lite...), else a one-line note of its name and
 * arguments, "[music: netease song 1429420739]", so the reader knows
 * something was there.  Without arguments it carries nothing to show.
 */
static void
gen_sc_trace(struct gen *g, const struct gen_sc *sc)
{
	static const char *const fam[] = { "youtube", "vimeo", "instagram",
		"gist", "twitter", "tweet", "speakerdeck", "slideshare",
		"bilibili", NULL };
	struct buf	 u;
	const char	*user;
	char		 name[sizeof(sc->name)];
	size_t		 i, k;
	int		 r = 0;

	for (i = 0; i < sizeof(name) - 1 && sc->name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)sc->name[i]);
	name[i] = '\0';
	for (k = 0; fam[k] != NULL && strstr(name, fam[k]) == NULL; k++)
		;
	if (fam[k] != NULL) {
		user = gen_sc_arg(sc, "user", -1);
		buf_init(&u, GEN_SCAN_MAX * 2);
		r = gen_embed_url(&u, fam[k], gen_sc_arg(sc, "id",
		    strcmp(fam[k], "gist") == 0 && user == NULL ? 1 : 0),
		    user != NULL ? user : strcmp(fam[k], "gist") == 0 ?
		    gen_sc_arg(sc, NULL, 0) : NULL);
		if (r == -1)
			g->err = 1;
		else if (r == 1)
			gen_put_link(g, 0, "", 0, NULL, u.data, u.len);
		buf_free(&u);
	}
	if (r != 0 || sc->nargs == 0)
		return;
	gen_puts(g, "\\[");
	gen_put_label(g, sc->name, strlen(sc->name));
	gen_puts(g, ":");
	for (i = 0; i < sc->nargs; i++) {
		gen_puts(g, " ");
		if (sc->key[i] != 0) {
			gen_put_label(g, sc->a.data + sc->key[i],
			    strlen(sc->a.data + sc->key[i]));
			gen_puts(g, "=");
		}
		gen_put_label(g, sc->a.data + sc->val[i],
		    strlen(sc->a.data + sc->val[i]));
	}
	gen_puts(g, "\\]");
	/* Apart from the text of a paired shortcode that follows. */
	if (g->i < g->n && !gen_is_space(g->s[g->i]))
		gen_puts(g, " ");
}

/* The Hugo shortcode at g->i; 0 when there is none. */
static int
gen_hugo(struct gen *g)
{
	static const char *const labels[] = { "caption", "alt", "title",
		NULL };
	static const char *const silent[] = { "param", "toc", "comment",
		"/comment", NULL };
	struct gen_sc	 sc;
	struct buf	 path;
	size_t		 p = g->i, e;
	const char	*v, *label;
	int		 pct = g->s[p + 2] == '%', rv = 0, i;

	if (p < g->skip)
		return 0;
	/* A shortcode inside a comment: Hugo shows the shortcode itself. */
	if (p + 5 <= g->n && g->s[p + 3] == '/' && g->s[p + 4] == '*') {
		e = gen_close(g, &g->nx_scc[pct], p, pct ? "*/%}}" :
		    "*/>}}");
		if (e == SIZE_MAX)
			return 0;
		gen_puts(g, pct ? "{{%" : "{{<");
		gen_put(g, g->s + p + 5, e - p - 5);
		gen_puts(g, pct ? "%}}" : ">}}");
		g->i = e + 5;
		return 1;
	}
	if ((e = gen_close(g, &g->nx_sc[pct], p, pct ? "%}}" : ">}}")) ==
	    SIZE_MAX)
		return 0;
	memset(&sc, 0, sizeof(sc));
	buf_init(&sc.a, GEN_SCAN_MAX * 2);
	buf_init(&path, GEN_SCAN_MAX * 4);
	if (gen_sc_parse(g, p + 3, e, &sc) == -1) {
		g->skip = e;
		goto done;
	}
	rv = 1;
	g->i = e + 3;
	if (sc.closing) {
		if (g->nq > 0 && g->q[g->nq - 1].colons == 0 &&
		    strcmp(g->q[g->nq - 1].name, sc.name) == 0)
			gen_quote_close(g);
		goto done;
	}
	if (strcmp(sc.name, "figure") == 0) {
		v = gen_sc_arg(&sc, "src", 0);
		if ((label = gen_sc_first(&sc, labels)) == NULL)
			label = "";
		if (v != NULL && *v != '\0')
			gen_put_link(g, 1, label, strlen(label), NULL, v,
			    strlen(v));
	} else if (strcmp(sc.name, "ref") == 0 ||
	    strcmp(sc.name, "relref") == 0) {
		if ((v = gen_sc_arg(&sc, "path", 0)) == NULL || *v == '\0')
			goto done;
		if (gen_in_dest(g))
			gen_put_ref(g, v);
		else {
			gen_capture(g, &path);
			gen_put_ref(g, v);
			gen_capture_end(g);
			gen_put_link(g, 0, v, strlen(v), NULL, path.data ?
			    path.data : "", path.len);
		}
	} else if (strcmp(sc.name, "youtube") == 0 ||
	    strcmp(sc.name, "vimeo") == 0 ||
	    strcmp(sc.name, "instagram") == 0) {
		gen_put_embed(g, sc.name, gen_sc_arg(&sc, "id", 0), NULL,
		    gen_sc_arg(&sc, "title", -1));
	} else if (strcmp(sc.name, "gist") == 0) {
		gen_put_embed(g, sc.name, gen_sc_arg(&sc, "id", 1),
		    gen_sc_arg(&sc, "user", 0), NULL);
	} else if (strcmp(sc.name, "tweet") == 0 ||
	    strcmp(sc.name, "x") == 0) {
		v = gen_sc_arg(&sc, "user", -1);
		gen_put_embed(g, sc.name, gen_sc_arg(&sc, "id", v ? -1 : 0),
		    v, NULL);
	} else if (strcmp(sc.name, "highlight") == 0) {
		v = gen_sc_arg(&sc, NULL, 0);
		gen_highlight(g, 1, v ? v : "", v ? strlen(v) : 0, g->i);
	} else if ((i = gen_math_name(sc.name)) >= 0) {
		if (!sc.selfclose)
			gen_math_sc(g, i, sc.name, g->i);
	} else if (!gen_in_list(sc.name, strlen(sc.name), silent) &&
	    !gen_in_list(sc.name, strlen(sc.name), gen_sc_quotes)) {
		gen_sc_trace(g, &sc);
		gen_warn(g, "unknown shortcode", sc.name);
	}
done:
	buf_free(&sc.a);
	buf_free(&path);
	return rv;
}

/* The tag `word' (a Hugo shortcode's "/name" or a Liquid "endname")
 * closing a block opened before `from': [*cs, *ce).  c caches the
 * search for that word. */
static int
gen_block_close(struct gen *g, struct gen_next *c, const char *word,
    int hugo, size_t from, size_t *cs, size_t *ce)
{
	const char	*s = g->s;
	size_t		 e, k, a, b, w = strlen(word);

	for (k = from; (e = gen_find(g, c, k, word)) < g->n; k = e + 1) {
		for (b = e; b > from && (s[b - 1] == ' ' || s[b - 1] == '\t' ||
		    s[b - 1] == '-'); b--)
			;
		for (a = e + w; a < g->n && (s[a] == ' ' || s[a] == '\t' ||
		    s[a] == '-'); a++)
			;
		if (hugo) {
			if (b < from + 3 || s[b - 3] != '{' ||
			    s[b - 2] != '{' || (s[b - 1] != '<' &&
			    s[b - 1] != '%') ||
			    a + 3 > g->n || (strncmp(s + a, ">}}", 3) != 0 &&
			    strncmp(s + a, "%}}", 3) != 0))
				continue;
			*cs = b - 3;
			*ce = a + 3;
		} else {
			if (b < from + 2 || s[b - 2] != '{' ||
			    s[b - 1] != '%' || a + 2 > g->n ||
			    strncmp(s + a, "%}", 2) != 0)
				continue;
			*cs = b - 2;
			*ce = a + 2;
		}
		return 0;
	}
	return -1;
}

/*
 * The text [from, cs) verbatim as a fenced block with info string lang
 * (its first word), in a fence longer than any backtick run inside;
 * the input resumes after ce (and the blank rest of its line).
 */
static void
gen_verbatim(struct gen *g, const char *lang, size_t ln, size_t from,
    size_t cs, size_t ce)
{
	const char	*s = g->s;
	size_t		 k, t, run, fence = 3;

	for (k = from; k < cs; k = t + 1) {
		for (t = k; t < cs && (s[t] == ' ' || s[t] == '\t'); t++)
			;
		for (run = 0; t < cs && s[t] == '`'; t++)
			run++;
		if (run >= fence)
			fence = run + 1;
		while (t < cs && s[t] != '\n')
			t++;
	}
	gen_newline(g);
	for (k = 0; k < fence; k++)
		gen_put(g, "`", 1);
	/* The info string: the language word only (no "linenos"). */
	for (k = 0; k < ln && !gen_is_space(lang[k]) && lang[k] != '`'; k++)
		;
	gen_put(g, lang, k);
	gen_put(g, "\n", 1);
	/* The blank rest of the opening line is not code. */
	for (k = from; k < cs && (s[k] == ' ' || s[k] == '\t' ||
	    s[k] == '\r'); k++)
		;
	if (k < cs && s[k] == '\n')
		from = k + 1;
	for (k = cs; k > from && (s[k - 1] == ' ' || s[k - 1] == '\t' ||
	    s[k - 1] == '\n' || s[k - 1] == '\r'); k--)
		;
	gen_put(g, s + from, k - from);
	gen_newline(g);
	for (k = 0; k < fence; k++)
		gen_put(g, "`", 1);
	gen_put(g, "\n", 1);
	for (k = ce; k < g->n && (s[k] == ' ' || s[k] == '\t' ||
	    s[k] == '\r'); k++)
		;
	g->i = k < g->n && s[k] == '\n' ? k + 1 : ce;
}

/*
 * A code block from {% highlight lang %} or {{< highlight lang >}} whose
 * tag ended at `from': the code up to the closing tag.  Never closed:
 * the opening tag is simply dropped.
 */
void
gen_highlight(struct gen *g, int hugo, const char *lang, size_t ln,
    size_t from)
{
	size_t	 cs, ce;

	if (gen_block_close(g, &g->nx_hl[hugo], hugo ? "/highlight" :
	    "endhighlight", hugo, from, &cs, &ce) == 0)
		gen_verbatim(g, lang, ln, from, cs, ce);
}

/*
 * The body of a math shortcode ({{< math >}}, mathjax, katex, latex,
 * tex) whose tag ended at `from', as the author typed it: Markdown
 * would eat the backslashes of \( \) \[ \], and MathJax needs them.
 * Display math becomes a block with alt text "math", inline math stays
 * in its line with Markdown's marks escaped.  1 when it had a closing
 * tag; a math shortcode without a body only loads the renderer.
 */
static int
gen_math_sc(struct gen *g, int i, const char *name, size_t from)
{
	const char	*s = g->s;
	char		 word[40];	/* "/" and a shortcode name */
	size_t		 cs, ce, k;

	snprintf(word, sizeof(word), "/%s", name);
	if (gen_block_close(g, &g->nx_math[i], word, 1, from, &cs, &ce) ==
	    -1 || cs - from > GEN_SCAN_MAX)
		return 0;
	for (k = from; k < cs && gen_is_space(s[k]); k++)
		;
	if (memchr(s + from, '\n', cs - from) != NULL ||
	    (cs - k >= 2 && (strncmp(s + k, "$$", 2) == 0 ||
	    strncmp(s + k, "\\[", 2) == 0))) {
		gen_verbatim(g, "math", 4, from, cs, ce);
		return 1;
	}
	for (; from < cs; from++) {
		if (strchr("\\`*_[]<>!&|#~$", s[from]) != NULL)
			gen_put(g, "\\", 1);
		gen_put(g, s + from, 1);
	}
	g->i = ce;
	return 1;
}

/*
 * $$ display math $$ starting a line at p: a block with alt text
 * "math", when a $$ closes it at a line end close enough.  1 done.
 */
static int
gen_display_math(struct gen *g, size_t p)
{
	const char	*s = g->s;
	size_t		 e, k;

	for (k = p + 2; (e = gen_find(g, &g->nx_dollar, k, "$$")) < g->n;
	    k = e + 1) {
		if (e - p > GEN_SCAN_MAX)
			return 0;
		for (k = e + 2; k < g->n && (s[k] == ' ' || s[k] == '\t' ||
		    s[k] == '\r'); k++)
			;
		if (k == g->n || s[k] == '\n')
			break;
	}
	if (e >= g->n)
		return 0;
	gen_verbatim(g, "math", 4, p + 2, e, e + 2);
	return 1;
}

/*-------------------------------------------------------------------
 * Kramdown: {: .class}, {:toc}, {::comment}...{:/comment}
 */

/* Length of the attribute list or extension tag at s, else 0. */
static size_t
gen_ial_len(struct gen *g, size_t p)
{
	const char	*s = g->s;
	size_t		 e, i;

	e = gen_find(g, &g->nx_brace, p, "}");
	if (e == g->n || e > gen_eol(g, p))
		return 0;
	i = p + 2;
	if (i < e && (s[i] == ':' || s[i] == '/'))
		return e + 1 - p;		/* {::ext}, {:/ext} */
	while (i < e && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == e || s[i] == '.' || s[i] == '#')
		return e + 1 - p;
	/* key="value", an attribute list reference, {:toc}. */
	if (!isalpha((unsigned char)s[i]) && s[i] != '_')
		return 0;
	while (i < e && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
	    s[i] == '-'))
		i++;
	if (i == e || s[i] == '=' || s[i] == ':' || s[i] == ' ')
		return e + 1 - p;
	return 0;
}

static int
gen_kramdown(struct gen *g)
{
	size_t	 k, e, ek;

	if ((k = gen_ial_len(g, g->i)) == 0)
		return 0;
	if (k >= 11 && strncmp(g->s + g->i, "{::comment", 10) == 0 &&
	    g->s[g->i + k - 2] != '/') {
		e = gen_find(g, &g->nx_end[2], g->i + k, "{:/");
		if (e < g->n && (ek = gen_ial_len(g, e)) > 0) {
			g->i = e + ek;
			return 1;
		}
	}
	g->i += k;
	return 1;
}

/*-------------------------------------------------------------------
 * Hatena: [f:id:user:20200101123456p:plain], [url:embed:cite],
 * [url:title=Text], [asin:ID:detail], [:contents]
 */

static int
gen_hatena(struct gen *g)
{
	static const char *const opts[] = { ":embed", ":cite", ":title",
		":bookmark", ":detail", ":image", ":plain", ":movie",
		":barcode", NULL };
	const char	*s = g->s, *c, *t;
	size_t		 p = g->i, e, n, k, u, un, tn = 0;
	struct buf	 url;
	int		 opt = 0;

	e = gen_find(g, &g->nx_bracket, p, "]");
	if (e == g->n || e > gen_eol(g, p))
		return 0;
	c = s + p + 1;
	n = e - p - 1;
	if (gen_word_eq(c, n, ":contents")) {
		g->i = e + 1;
		return 1;
	}
	if (n > 6 && strncmp(c, "f:id:", 5) == 0) {
		/* f:id:USER:YYYYMMDDhhmmssT[:options] */
		for (u = 5; u < n && (isalnum((unsigned char)c[u]) ||
		    c[u] == '_' || c[u] == '-'); u++)
			;
		un = u - 5;
		if (un == 0 || u + 16 > n || c[u] != ':')
			return 0;
		for (k = u + 1; k < u + 15; k++)
			if (!isdigit((unsigned char)c[k]))
				return 0;
		if (strchr("pjg", c[u + 15]) == NULL || c[u + 15] == '\0' ||
		    (u + 16 < n && c[u + 16] != ':'))
			return 0;
		t = memmem(c + u, n - u, ":title=", 7);
		if (t != NULL) {
			t += 7;
			tn = (size_t)(c + n - t);
			if (tn >= 2 && (t[0] == '"' || t[0] == '\'') &&
			    t[tn - 1] == t[0]) {
				t++;
				tn -= 2;
			}
		}
		buf_init(&url, 512);
		if (buf_printf(&url, "https://cdn-ak.f.st-hatena.com/images/"
		    "fotolife/%c/%.*s/%.8s/%.14s.%s", c[5], (int)un, c + 5,
		    c + u + 1, c + u + 1, c[u + 15] == 'p' ? "png" :
		    c[u + 15] == 'j' ? "jpg" : "gif") == -1)
			g->err = 1;
		else
			gen_put_link(g, 1, t ? t : "", tn, NULL, url.data,
			    url.len);
		buf_free(&url);
		g->i = e + 1;
		return 1;
	}
	if (n > 6 && strncmp(c, "asin:", 5) == 0) {
		for (k = 5; k < n && isalnum((unsigned char)c[k]); k++)
			;
		if (k == 5)
			return 0;
		gen_put_link(g, 0, "", 0, "https://www.amazon.co.jp/dp/",
		    c + 5, k - 5);
		g->i = e + 1;
		return 1;
	}
	if (!(n > 8 && (strncmp(c, "http://", 7) == 0 ||
	    strncmp(c, "https://", 8) == 0)))
		return 0;
	/* A Markdown link, reference or definition is not Hatena's. */
	if (e + 1 < g->n && strchr("([:", s[e + 1]) != NULL)
		return 0;
	if ((t = memmem(c, n, ":title=", 7)) != NULL) {
		un = (size_t)(t - c);
		t += 7;
		tn = (size_t)(c + n - t);
		opt = 1;
	} else if ((t = memmem(c, n, ":embed#", 7)) != NULL) {
		/* [url:embed#caption]: a tweet's text, a gist's name. */
		un = (size_t)(t - c);
		t += 7;
		tn = (size_t)(c + n - t);
	} else {
		/* Options come last, in any order: strip them all. */
		un = n;
		do {
			opt = 0;
			for (k = 0; opts[k] != NULL; k++) {
				u = strlen(opts[k]);
				if (un > u &&
				    strncmp(c + un - u, opts[k], u) == 0) {
					un -= u;
					opt = 1;
				}
			}
		} while (opt);
	}
	for (k = 0; k < un; k++)
		if (gen_is_space(c[k]))
			return 0;
	gen_put_link(g, 0, t ? t : "", tn, NULL, c, un);
	g->i = e + 1;
	return 1;
}

/*-------------------------------------------------------------------
 * Zenn: ^[inline footnotes], ![](url =250x), @[embed](url)
 */

static int
gen_zenn_note(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i, e, eol = gen_eol(g, p);
	int		 depth = 0;
	char		 ref[48];

	/*
	 * Zenn writes the note right after a word ("text^[note]"); after a
	 * blank, a slash or a quote it is more likely a regular expression
	 * ("/^[a-z]+$/") that lost its backticks.
	 */
	if (p < g->skip || g->nnotes >= GEN_MAXNOTES || p == 0 ||
	    strchr(" \t\n/\\'\"(`[|=", s[p - 1]) != NULL)
		return 0;
	for (e = p + 1; e < eol; e++) {
		if (s[e] == '\\' && e + 1 < eol)
			e++;
		else if (s[e] == '[')
			depth++;
		else if (s[e] == ']' && --depth == 0)
			break;
	}
	if (e >= eol) {
		g->skip = eol;
		return 0;
	}
	g->nnotes++;
	if (buf_printf(&g->notes, "\n[^capsuled-zenn-%zu]: ", g->nnotes) ==
	    -1 || buf_append(&g->notes, s + p + 2, e - p - 2) == -1 ||
	    buf_putc(&g->notes, '\n') == -1)
		g->err = 1;
	snprintf(ref, sizeof(ref), "[^capsuled-zenn-%zu]", g->nnotes);
	gen_puts(g, ref);
	g->i = e + 1;
	return 1;
}

/* "](url =250x)": Zenn's image size, dropped. */
static int
gen_size_suffix(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i + 2, e, k, digits = 0;

	e = gen_find(g, &g->nx_paren, p, ")");
	if (e == g->n || e > gen_eol(g, p) || memchr(s + p, '{', e - p))
		return 0;
	for (k = e; k > p && isdigit((unsigned char)s[k - 1]); k--)
		digits++;
	if (k == p || s[k - 1] != 'x')
		return 0;
	for (k--; k > p && isdigit((unsigned char)s[k - 1]); k--)
		digits++;
	if (digits == 0 || k < p + 2 || s[k - 1] != '=' || s[k - 2] != ' ')
		return 0;
	for (k -= 2; k > p && s[k - 1] == ' '; k--)
		;
	gen_put(g, s + g->i, k - g->i);
	gen_put(g, ")", 1);
	g->i = e + 1;
	return 1;
}

/* @[name](arg) alone on a line (indent: its first k bytes): a link
 * line.  Returns 1 if it was. */
static int
gen_zenn_embed(struct gen *g, const char *indent, size_t k, const char *t,
    size_t tn)
{
	const char	*a;
	size_t		 nn, an;
	char		 name[24], arg[1024];

	if (tn < 6 || t[0] != '@' || t[1] != '[' || t[tn - 1] != ')')
		return 0;
	for (nn = 0; 2 + nn < tn && isalnum((unsigned char)t[2 + nn]); nn++)
		;
	if (nn == 0 || nn >= sizeof(name) || 2 + nn + 2 > tn ||
	    t[2 + nn] != ']' || t[3 + nn] != '(')
		return 0;
	a = t + 4 + nn;
	an = tn - 5 - nn;
	while (an > 0 && gen_is_space(*a)) {
		a++;
		an--;
	}
	while (an > 0 && gen_is_space(a[an - 1]))
		an--;
	if (an == 0 || an >= sizeof(arg) || memchr(a, ' ', an) != NULL)
		return 0;
	memcpy(name, t + 2, nn);
	name[nn] = '\0';
	memcpy(arg, a, an);
	arg[an] = '\0';
	gen_put(g, indent, k);
	if (strncmp(arg, "http://", 7) == 0 || strncmp(arg, "https://", 8) ==
	    0)
		gen_put_link(g, 0, "", 0, NULL, arg, an);
	else
		gen_put_embed(g, name, arg, NULL, NULL);
	gen_put(g, "\n", 1);
	return 1;
}

/*-------------------------------------------------------------------
 * Lines
 */

/*
 * A line of a code block, as it is but for the escapes authors write so
 * that Hugo and Jekyll show a tag instead of running it.
 */
static void
gen_code_line(struct gen *g, size_t p, size_t e)
{
	static const struct {
		const char	*from, *to;
	} esc[] = {
		{ "{{</*", "{{<" }, { "*/>}}", ">}}" },
		{ "{{%/*", "{{%" }, { "*/%}}", "%}}" },
	};
	const char	*s = g->s;
	size_t		 i, k, j, w;

	for (i = p; i < e; ) {
		for (k = 0; k < sizeof(esc) / sizeof(esc[0]); k++)
			if (e - i >= 5 && strncmp(s + i, esc[k].from, 5) == 0)
				break;
		if (k < sizeof(esc) / sizeof(esc[0])) {
			gen_puts(g, esc[k].to);
			i += 5;
			continue;
		}
		if (s[i] == '{' && i + 1 < e && s[i + 1] == '%') {
			for (j = i + 2; j < e && (s[j] == ' ' || s[j] == '-');
			    j++)
				;
			for (w = j; w < e && isalpha((unsigned char)s[w]); w++)
				;
			if (gen_word_eq(s + j, w - j, "raw") ||
			    gen_word_eq(s + j, w - j, "endraw")) {
				while (w < e && (s[w] == ' ' || s[w] == '-'))
					w++;
				if (w + 1 < e && s[w] == '%' &&
				    s[w + 1] == '}') {
					i = w + 2;
					continue;
				}
			}
		}
		gen_put(g, s + i, 1);
		i++;
	}
}

/* A code span at g->i: copied through its closing run.  0 if none. */
static int
gen_code_span(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i, run, e, k, eol = gen_eol(g, p);

	for (run = 0; p + run < g->n && s[p + run] == '`'; run++)
		;
	if (run <= GEN_TICKS && g->noticks[run] > p)
		goto literal;
	for (e = p + run; e < eol; e = k) {
		if (s[e] != '`') {
			k = e + 1;
			continue;
		}
		for (k = e; k < eol && s[k] == '`'; k++)
			;
		if (k - e == run) {
			/* Authors escape tags in code spans as in blocks. */
			gen_code_line(g, p, k);
			g->i = k;
			return 1;
		}
	}
	if (run <= GEN_TICKS)
		g->noticks[run] = eol;
literal:
	gen_put(g, s + p, run);
	g->i = p + run;
	return 1;
}

/* Length of s without the line end and trailing blanks. */
static size_t
gen_trim_end(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	return n;
}

/* Is the line one image, "![alt](url)" and perhaps "{: attrs}"? */
static int
gen_image_line(const char *t, size_t n)
{
	size_t	 i, depth = 0;

	if (n < 5 || t[0] != '!' || t[1] != '[')
		return 0;
	for (i = 1; i < n; i++) {
		if (t[i] == '\\' && i + 1 < n)
			i++;
		else if (t[i] == '[')
			depth++;
		else if (t[i] == ']' && --depth == 0)
			break;
	}
	if (i + 1 >= n || t[i + 1] != '(')
		return 0;
	for (i += 2; i < n && t[i] != ')'; i++)
		if (t[i] == '(' || t[i] == '[')
			return 0;
	if (i == n)
		return 0;
	for (i++; i < n && (t[i] == ' ' || t[i] == '\t'); i++)
		;
	return i == n || (t[i] == '{' && t[n - 1] == '}' &&
	    memchr(t + i, '}', n - i - 1) == NULL);
}

/* Leading blanks and block-quote marks: how many marks, and where the
 * text starts. */
static size_t
gen_strip(const char *s, size_t n, int *quotes)
{
	size_t	 i = 0;

	*quotes = 0;
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n && s[i] == '>') {
			++*quotes;
			i++;
			continue;
		}
		return i;
	}
}

/* Is t a table's delimiter row (|---|:--:| or --- | ---)? */
static int
gen_delim_row(const char *t, size_t tn)
{
	size_t	 i;
	int	 pipe = 0, dash = 0;

	for (i = 0; i < tn; i++) {
		if (t[i] == '|')
			pipe = 1;
		else if (t[i] == '-')
			dash = 1;
		else if (t[i] != ':' && t[i] != ' ' && t[i] != '\t')
			return 0;
	}
	return pipe && dash;
}

/*
 * Rows of a table indented deeper than its delimiter row ("  Bob | 27",
 * four spaces or a tab): Goldmark and kramdown read them as rows, and
 * so does cmark-gfm once they stand at the table's own indentation.
 * Tracks the table from its delimiter row to the first line without a
 * pipe; for a deeper row, writes the table's indentation and moves the
 * cursor past the rest (1: the caller goes on with the row's text).
 */
static int
gen_table_row(struct gen *g, const char *s, size_t k, int quotes,
    const char *t, size_t tn)
{
	if (quotes > 0 || tn == 0 || memchr(t, '|', tn) == NULL) {
		g->tindent = SIZE_MAX;
		return 0;
	}
	if (g->tindent == SIZE_MAX) {
		if (gen_delim_row(t, tn) && k < 4)
			g->tindent = k;
		return 0;
	}
	if (k <= g->tindent)
		return 0;
	gen_put(g, s, g->tindent);
	g->i += k;
	return 1;
}

/* Is s a fence opening (``` or ~~~, three or more)? */
static size_t
gen_fence(const char *s, size_t n, char *c)
{
	size_t	 k;

	if (n < 3 || (s[0] != '`' && s[0] != '~'))
		return 0;
	for (k = 0; k < n && s[k] == s[0]; k++)
		;
	if (k < 3 || (s[0] == '`' && memchr(s + k, '`', n - k) != NULL))
		return 0;
	*c = s[0];
	return k;
}

/* The previous output line, if it is a list item: where it starts. */
static size_t
gen_prev_item(const struct gen *g)
{
	const char	*s = g->out->data;
	size_t		 e = g->out->len, b, i;

	if (e == 0 || s[e - 1] != '\n')
		return SIZE_MAX;
	for (b = e - 1; b > 0 && s[b - 1] != '\n'; b--)
		;
	for (i = b; i < e && (s[i] == ' ' || s[i] == '>'); i++)
		;
	if (i + 1 < e && strchr("*-+", s[i]) != NULL && s[i + 1] == ' ')
		return b;
	while (i < e && isdigit((unsigned char)s[i]))
		i++;
	if (i + 1 < e && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ')
		return b;
	return SIZE_MAX;
}

/*
 * Constructs that take a whole line: code fences (tracked), MDX's ESM
 * blocks and JSX tag lines, Zenn :::
 * blocks and @[embeds], GitHub alerts, Kramdown attribute lines, Hugo
 * quote shortcodes.  Returns 1 when the line [g->i, eol] was consumed.
 */
static int
gen_line(struct gen *g, size_t eol)
{
	static const struct {
		const char	*mark, *label;
	} alerts[] = {
		{ "[!NOTE]", "Note:" }, { "[!TIP]", "Tip:" },
		{ "[!IMPORTANT]", "Important:" }, { "[!WARNING]", "Warning:" },
		{ "[!CAUTION]", "Caution:" },
	};
	const char	*s = g->s + g->i, *t, *w;
	size_t		 n = eol - g->i, tn, k, c, wn, e;
	struct gen_sc	 sc;
	int		 quotes, i, done = 0;
	char		 fc;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	k = gen_strip(s, n, &quotes);
	t = s + k;
	tn = n - k;
	if (g->mdx && quotes == 0 && tn > 0 && gen_mdx_line(g, t, tn))
		return 1;
	/*
	 * Every HTML block starts with a tag at the start of a line and
	 * (but for <pre> and the like) ends at a blank line.  A paragraph
	 * taken for one costs nothing: HTML links work there too.
	 */
	if (tn == 0)
		g->html = 0;
	else if (t[0] == '<' && tn > 1 && (isalpha((unsigned char)t[1]) ||
	    t[1] == '/' || t[1] == '!' || t[1] == '?')) {
		for (c = 1; c < tn && (isalnum((unsigned char)t[c]) ||
		    t[c] == '/' || t[c] == '-' || t[c] == '!'); c++)
			;
		if (c == tn || t[c] != ':')	/* not <https://autolink> */
			g->html = 1;
	}
	if (gen_table_row(g, s, k, quotes, t, tn))
		return 0;
	if ((c = gen_fence(t, tn, &fc)) > 0) {
		g->fencec = fc;
		g->fencen = c;
		g->fenceq = quotes;
		gen_put(g, s, (eol < g->n ? eol + 1 : eol) - g->i);
		goto consumed;
	}
	if (quotes == 0 && k == 0 && tn >= 2 && t[0] == '$' && t[1] == '$' &&
	    gen_display_math(g, (size_t)(t - g->s)))
		return 1;
	if (quotes == 0 && tn >= 3 && strncmp(t, ":::", 3) == 0) {
		for (c = 0; c < tn && t[c] == ':'; c++)
			;
		for (k = c; k < tn && t[k] == ' '; k++)
			;
		w = t + k;
		for (wn = 0; k + wn < tn && (isalnum((unsigned char)w[wn]) ||
		    w[wn] == '-' || w[wn] == '_'); wn++)
			;
		if (k == tn) {
			/* The closing :::, the innermost block it matches. */
			for (i = g->nq - 1; i >= 0 && g->q[i].colons != c; i--)
				;
			if (i < 0)
				for (i = g->nq - 1; i >= 0 &&
				    g->q[i].colons == 0; i--)
					;
			if (i >= 0) {
				gen_newline(g);
				g->nq = i;
			}
			gen_put(g, "\n", 1);
			goto consumed;
		}
		if (wn > 0) {
			for (e = k + wn; e < tn && (t[e] == ' ' ||
			    t[e] == '[' || t[e] == ':'); e++)
				;
			while (tn > e && t[tn - 1] == ']')
				tn--;
			/* Zenn's message (alert) and details; :::tip Title
			 * as Docusaurus and VuePress write. */
			if (gen_word_eq(w, wn, "message"))
				gen_quote_open(g, c, w, wn, "", 0, "", 0);
			else if (gen_word_eq(w, wn, "details"))
				gen_quote_open(g, c, w, wn, "", 0, t + e,
				    tn - e);
			else
				gen_quote_open(g, c, w, wn, w, wn, t + e,
				    tn - e);
			goto consumed;
		}
	}
	if (quotes == 0 && gen_zenn_embed(g, s, (size_t)(t - s), t, tn))
		goto consumed;
	/*
	 * An image alone on its line is a picture between paragraphs (Zenn
	 * puts its caption on the next line): its own block, not words
	 * run into the text around it.
	 */
	if (k == 0 && gen_image_line(t, tn)) {
		/* Images on consecutive lines stay one group. */
		if (!g->imgpend) {
			gen_newline(g);
			gen_put(g, "\n", 1);
		}
		g->imgpend = 0;
		g->imgline = 1;
		return 0;
	}
	if (quotes > 0 && tn > 3 && t[0] == '[' && t[1] == '!') {
		for (k = 0; k < sizeof(alerts) / sizeof(alerts[0]); k++)
			if (gen_word_eq(t, tn, alerts[k].mark)) {
				gen_put(g, s, (size_t)(t - s));
				gen_puts(g, alerts[k].label);
				gen_puts(g, "  \n");
				goto consumed;
			}
	}
	if (tn >= 3 && t[0] == '{' && t[1] == ':' && t[2] != ':' &&
	    gen_ial_len(g, (size_t)(t - g->s)) == tn) {
		/* "* TOC" above {:toc}: the list kramdown replaces. */
		if (gen_word_eq(t, tn, "{:toc}") &&
		    (k = gen_prev_item(g)) != SIZE_MAX) {
			g->out->len = k;
			g->out->data[k] = '\0';
		}
		gen_put(g, s, (size_t)(t - s));
		gen_put(g, "\n", 1);
		goto consumed;
	}
	if (quotes == 0 && tn > 6 && t[0] == '{' && t[1] == '{' &&
	    (t[2] == '<' || t[2] == '%') && (size_t)(t - g->s) >= g->skip) {
		e = gen_close(g, &g->nx_sc[t[2] == '%'], (size_t)(t - g->s),
		    t[2] == '%' ? "%}}" : ">}}");
		if (e == SIZE_MAX || e + 3 != (size_t)(t - g->s) + tn)
			return 0;
		memset(&sc, 0, sizeof(sc));
		buf_init(&sc.a, GEN_SCAN_MAX * 2);
		if (gen_sc_parse(g, (size_t)(t - g->s) + 3, e, &sc) == 0 &&
		    gen_in_list(sc.name, strlen(sc.name), gen_sc_quotes) &&
		    !sc.selfclose) {
			if (!sc.closing)
				gen_sc_quote(g, &sc);
			else if (g->nq > 0 && g->q[g->nq - 1].colons == 0 &&
			    strcmp(g->q[g->nq - 1].name, sc.name) == 0)
				gen_quote_close(g);
			done = 1;
		}
		buf_free(&sc.a);
		if (done)
			goto consumed;
	}
	return 0;
consumed:
	g->i = eol < g->n ? eol + 1 : eol;
	return 1;
}

/* One line inside a code fence; 0 when the fence had already ended
 * and the line is left for the caller. */
static int
gen_fence_line(struct gen *g, size_t eol)
{
	const char	*s = g->s + g->i;
	size_t		 n = eol - g->i, k, c;
	int		 quotes;
	char		 fc;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	k = gen_strip(s, n, &quotes);
	/* A quote that ends ends the code block inside it. */
	if (g->fenceq > 0 && quotes < g->fenceq) {
		g->fencec = 0;
		return 0;
	}
	if ((c = gen_fence(s + k, n - k, &fc)) >= g->fencen &&
	    fc == g->fencec && c == n - k)
		g->fencec = 0;
	gen_code_line(g, g->i, eol < g->n ? eol + 1 : eol);
	g->i = eol < g->n ? eol + 1 : eol;
	return 1;
}

/* {% endraw %} at g->i: raw text ends. */
static int
gen_endraw(struct gen *g)
{
	const char	*s = g->s;
	size_t		 p = g->i, e, j;

	if (p + 1 >= g->n || s[p + 1] != '%' ||
	    (e = gen_close(g, &g->nx_tag, p + 2, "%}")) == SIZE_MAX)
		return 0;
	for (j = p + 2; j < e && (s[j] == ' ' || s[j] == '-'); j++)
		;
	if (e - j < 6 || strncmp(s + j, "endraw", 6) != 0)
		return 0;
	g->raw = 0;
	g->i = e + 2;
	return 1;
}

/* Inline text to the end of the line (or further, past a tag that
 * spans lines). */
static void
gen_inline(struct gen *g)
{
	static const char	 special[] = "\n\\`{[^]<";
	const char		*s = g->s;
	size_t			 k;
	char			 c;

	while (g->i < g->n && !g->err) {
		for (k = g->i; k < g->n && strchr(special, s[k]) == NULL; k++)
			;
		gen_put(g, s + g->i, k - g->i);
		g->i = k;
		if (k == g->n)
			break;
		c = s[k];
		if (c == '\n') {
			gen_put(g, "\n", 1);
			g->i++;
			return;
		}
		if (g->raw) {
			if (c != '{' || !gen_endraw(g)) {
				gen_put(g, s + k, 1);
				g->i++;
			}
			continue;
		}
		if (c == '\\' && k + 1 < g->n && s[k + 1] != '\n') {
			gen_put(g, s + k, 2);
			g->i += 2;
			continue;
		}
		if (c == '`' && gen_code_span(g))
			continue;
		if (c == '{' && g->mdx && gen_mdx_comment(g))
			continue;
		if (c == '<' && g->mdx && gen_mdx_link(g))
			continue;
		if (c == '{' && k + 2 < g->n && s[k + 1] == '{' &&
		    (s[k + 2] == '<' || s[k + 2] == '%') && gen_hugo(g))
			continue;
		if (c == '{' && k + 1 < g->n && s[k + 1] == '%' &&
		    gen_liquid(g))
			continue;
		if (c == '{' && k + 1 < g->n && s[k + 1] == '{' &&
		    gen_liquid_out(g))
			continue;
		if (c == '{' && k + 1 < g->n && s[k + 1] == ':' &&
		    gen_kramdown(g))
			continue;
		if (c == '[' && gen_hatena(g))
			continue;
		if (c == '^' && k + 1 < g->n && s[k + 1] == '[' &&
		    gen_zenn_note(g))
			continue;
		if (c == ']' && k + 1 < g->n && s[k + 1] == '(' &&
		    gen_size_suffix(g))
			continue;
		gen_put(g, s + k, 1);
		g->i++;
	}
}

int
gen_rewrite(const char *s, size_t n, const struct md_opts *opts,
    struct buf *out)
{
	struct gen	 g;
	size_t		 eol;
	int		 rv;

	memset(&g, 0, sizeof(g));
	g.s = s;
	g.n = n;
	g.out = out;
	if (opts != NULL) {
		g.warn = opts->warn;
		g.base = opts->path;
		g.site = opts->site;
		g.meta = opts->meta;
		g.mdx = gen_mdx_file(opts->path);
	}
	g.bol = 1;
	g.tindent = SIZE_MAX;
	buf_init(&g.notes, GEN_POOL_MAX);
	while (g.i < g.n && !g.err) {
		eol = gen_eol(&g, g.i);
		if (g.imgpend && (g.raw || g.fencec != 0 ||
		    !gen_image_line(g.s + g.i, gen_trim_end(g.s + g.i,
		    eol - g.i)))) {
			gen_put(&g, "\n", 1);
			g.imgpend = 0;
		}
		if (g.mdx && !g.raw)
			gen_mdx_indent(&g, eol);
		if (g.fencec != 0 && gen_fence_line(&g, eol))
			continue;
		if (!g.raw && gen_line(&g, eol))
			continue;
		gen_inline(&g);
		if (g.imgline) {
			gen_newline(&g);
			g.imgpend = 1;
			g.imgline = 0;
		}
	}
	g.nq = 0;
	if (g.nnotes > 0 && g.fencec == 0) {
		gen_newline(&g);
		gen_put(&g, g.notes.data, g.notes.len);
	}
	rv = g.err ? -1 : 0;
	buf_free(&g.notes);
	return rv;
}

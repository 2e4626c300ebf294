/*
 * genliquid: Jekyll's Liquid in a page, for the generator-syntax pass:
 * {% tag args %} and {{ output }}.  What the site defines (site.KEY,
 * _includes/) comes through opts->site; page.KEY from the front matter.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "gen.h"
#include "markdown.h"

/* The value of key=value (quoted or not) in a Liquid include. */
static int
gen_liquid_param(const char *s, size_t n, const char *key, const char **v,
    size_t *vn)
{
	size_t	 i, k = strlen(key), e;
	char	 q;

	for (i = 0; i + k < n; i++) {
		if ((i > 0 && !gen_is_space(s[i - 1])) ||
		    strncasecmp(s + i, key, k) != 0 || s[i + k] != '=')
			continue;
		i += k + 1;
		if (i < n && (s[i] == '"' || s[i] == '\'')) {
			q = s[i++];
			for (e = i; e < n && s[e] != q; e++)
				;
		} else
			for (e = i; e < n && !gen_is_space(s[e]); e++)
				;
		*v = s + i;
		*vn = e - i;
		return *vn > 0;
	}
	return 0;
}

static int
gen_is_image(const char *s, size_t n)
{
	static const char *const exts[] = { ".png", ".jpg", ".jpeg", ".gif",
		".webp", ".svg", ".avif", NULL };
	size_t	 i, k;

	for (i = 0; exts[i] != NULL; i++) {
		k = strlen(exts[i]);
		if (n >= k && strncasecmp(s + n - k, exts[i], k) == 0)
			return 1;
	}
	return 0;
}

/* {% include name.html key="value" %}: an image or a video, else nothing. */
static int
gen_liquid_include(struct gen *g, const char *a, size_t an)
{
	static const char *const srcs[] = { "url", "src", "image", "file",
		"path", "img", NULL };
	static const char *const labels[] = { "caption", "description",
		"alt", "title", NULL };
	const char	*v, *l = "";
	size_t		 vn, ln = 0, i;
	char		 id[128];

	for (i = 0; labels[i] != NULL; i++)
		if (gen_liquid_param(a, an, labels[i], &l, &ln))
			break;
	for (i = 0; srcs[i] != NULL; i++)
		if (gen_liquid_param(a, an, srcs[i], &v, &vn) &&
		    gen_is_image(v, vn)) {
			gen_put_link(g, 1, l, ln, NULL, v, vn);
			return 1;
		}
	if (an >= 7 && strncasecmp(a, "youtube", 7) == 0 &&
	    gen_liquid_param(a, an, "id", &v, &vn) && vn < sizeof(id)) {
		memcpy(id, v, vn);
		id[vn] = '\0';
		gen_put_embed(g, "youtube", id, NULL, NULL);
		return 1;
	}
	return 0;
}

/*
 * {% include NAME %} with the site's _includes/NAME (opts->site): a
 * plain Markdown or HTML file is part of the page; one that is itself
 * a template (Liquid inside) is not ours to run.  1 when included.
 */
static int
gen_site_include(struct gen *g, const char *a, size_t an)
{
	struct buf	 inc;
	char		 name[256];
	size_t		 k;
	int		 ok = 0;

	if (g->site == NULL || g->site->include == NULL)
		return 0;
	for (k = 0; k < an && !gen_is_space(a[k]); k++)
		;
	if (k == 0 || k >= sizeof(name) || memchr(a, '{', k) != NULL)
		return 0;
	memcpy(name, a, k);
	name[k] = '\0';
	buf_init(&inc, GEN_INCLUDE_MAX);
	if (g->site->include(g->site->arg, name, &inc) == 0 &&
	    (inc.len == 0 || (memmem(inc.data, inc.len, "{{", 2) == NULL &&
	    memmem(inc.data, inc.len, "{%", 2) == NULL))) {
		ok = 1;
		while (inc.len > 0 && (inc.data[inc.len - 1] == '\n' ||
		    inc.data[inc.len - 1] == '\r'))
			inc.len--;
		/* A block of its own when the tag stood alone. */
		if (g->bol)
			gen_newline(g);
		gen_put(g, inc.data != NULL ? inc.data : "", inc.len);
		if (g->bol || memchr(inc.data ? inc.data : "", '\n', inc.len))
			gen_newline(g);
	}
	buf_free(&inc);
	return ok;
}

/*
 * The text parameters of an include we cannot run (content="...",
 * title='...'): that text is what the web page shows.  Paths and URLs
 * are not text.  1 when some were shown.
 */
static int
gen_liquid_text(struct gen *g, const char *a, size_t an)
{
	size_t	 i, e, shown = 0;
	char	 q;

	for (i = 0; i < an; i++) {
		if (a[i] != '=' || i + 1 >= an || (a[i + 1] != '"' &&
		    a[i + 1] != '\''))
			continue;
		q = a[i + 1];
		for (e = i + 2; e < an && a[e] != q; e++)
			;
		if (e > i + 2 && memchr(a + i + 2, ' ', e - i - 2) != NULL &&
		    memchr(a + i + 2, '{', e - i - 2) == NULL) {
			if (shown++ > 0)
				gen_puts(g, " ");
			gen_put(g, a + i + 2, e - i - 2);
		}
		i = e;
	}
	return shown > 0;
}

/* Liquid that only steers the template: dropped without a word. */
static const char *const gen_liquid_silent[] = {
	"if", "elsif", "else", "endif", "unless", "endunless", "for",
	"endfor", "case", "when", "endcase", "assign", "increment",
	"decrement", "cycle", "break", "continue", "tablerow", "endtablerow",
	"endcapture", "endcomment", "endraw", "endhighlight", "seo",
	"feed_meta", "endpaginate", "paginate", "render", "liquid", "echo",
	NULL
};

/* The Liquid tag at g->i; 0 when there is none. */
int
gen_liquid(struct gen *g)
{
	const char	*s = g->s, *a, *word;
	size_t		 p = g->i, e, i, ns, nn, an, ce, k;
	char		 name[32], arg[GEN_SCAN_MAX + 1];
	struct buf	 path;
	int		 dest;

	if (p < g->skip || (e = gen_close(g, &g->nx_tag, p + 2, "%}")) ==
	    SIZE_MAX)
		return 0;
	for (i = p + 2; i < e && (gen_is_space(s[i]) || s[i] == '-'); i++)
		;
	for (ns = i; i < e && (isalnum((unsigned char)s[i]) || s[i] == '_');
	    i++)
		;
	nn = i - ns;
	if (nn == 0 || nn >= sizeof(name)) {
		g->skip = e;
		return 0;
	}
	memcpy(name, s + ns, nn);
	name[nn] = '\0';
	while (i < e && gen_is_space(s[i]))
		i++;
	a = s + i;
	for (an = e - i; an > 0 && (gen_is_space(a[an - 1]) ||
	    a[an - 1] == '-'); an--)
		;
	g->i = e + 2;
	if (strcmp(name, "raw") == 0) {
		g->raw = 1;
		return 1;
	}
	if (strcmp(name, "comment") == 0 || strcmp(name, "capture") == 0) {
		/* Their content is never shown: skip to the end tag. */
		word = name[1] == 'o' ? "endcomment" : "endcapture";
		k = gen_find(g, &g->nx_end[name[1] == 'o' ? 0 : 1], g->i, word);
		if (k < g->n && (ce = gen_find(g, &g->nx_tag, k, "%}")) <
		    g->n)
			g->i = ce + 2;
		return 1;
	}
	if (strcmp(name, "highlight") == 0) {
		gen_highlight(g, 0, a, an, g->i);
		return 1;
	}
	/* Paths: quotes dropped, Liquid variables inside are not ours. */
	if (an >= 2 && (a[0] == '"' || a[0] == '\'') && a[an - 1] == a[0]) {
		a++;
		an -= 2;
	}
	if (strcmp(name, "link") == 0 || strcmp(name, "post_url") == 0) {
		buf_init(&path, GEN_SCAN_MAX * 4);
		for (k = 0; k < an && !gen_is_space(a[k]); k++)
			;
		an = k;
		while (an > 0 && *a == '/') {
			a++;
			an--;
		}
		if (an == 0) {
			buf_free(&path);
			return 1;
		}
		if (!(dest = gen_in_dest(g)))
			gen_capture(g, &path);
		gen_puts(g, name[0] == 'p' ? "/_posts/" : "/");
		gen_put_dest(g, a, an);
		if (name[0] == 'p')
			gen_puts(g, ".md");
		if (!dest) {
			gen_capture_end(g);
			gen_put_link(g, 0, a, an, NULL, path.data ? path.data :
			    "", path.len);
		}
		buf_free(&path);
		return 1;
	}
	if (strcmp(name, "gist") == 0 || strcmp(name, "youtube") == 0 ||
	    strcmp(name, "vimeo") == 0 || strcmp(name, "tweet") == 0 ||
	    strcmp(name, "twitter") == 0) {
		for (k = 0; k < an && !gen_is_space(a[k]); k++)
			;
		if (k > 0 && k < sizeof(arg)) {
			memcpy(arg, a, k);
			arg[k] = '\0';
			gen_put_embed(g, name[0] == 't' ? "tweet" : name, arg,
			    NULL, NULL);
		}
		return 1;
	}
	if (strcmp(name, "include") == 0 || strcmp(name, "include_relative") ==
	    0) {
		if (gen_liquid_include(g, a, an) ||
		    (name[7] == '\0' && gen_site_include(g, a, an)) ||
		    gen_liquid_text(g, a, an))
			return 1;
		for (k = 0; k < an && !gen_is_space(a[k]) && k < 40; k++)
			;
		snprintf(arg, sizeof(arg), "%.*s", (int)k, a);
		gen_warn(g, "dropped Liquid include", arg);
		return 1;
	}
	if (!gen_in_list(name, nn, gen_liquid_silent))
		gen_warn(g, "dropped Liquid tag", name);
	return 1;
}

/* page.KEY from the front matter, appended to v: 0 known, -1 not. */
static int
gen_page_var(const struct page_meta *m, const char *key, size_t kn,
    struct buf *v)
{
	struct tm	 tm;
	time_t		 t;
	size_t		 i;

	if (m == NULL)
		return -1;
	if (gen_word_eq(key, kn, "title") && m->title != NULL)
		return buf_puts(v, m->title) == -1 ? -1 : 0;
	if ((gen_word_eq(key, kn, "description") ||
	    gen_word_eq(key, kn, "excerpt") ||
	    gen_word_eq(key, kn, "summary")) && m->summary != NULL)
		return buf_puts(v, m->summary) == -1 ? -1 : 0;
	if (gen_word_eq(key, kn, "lang") && m->lang != NULL)
		return buf_puts(v, m->lang) == -1 ? -1 : 0;
	if (gen_word_eq(key, kn, "slug") && m->slug != NULL)
		return buf_puts(v, m->slug) == -1 ? -1 : 0;
	if (gen_word_eq(key, kn, "date") && m->has_date) {
		t = m->date + (time_t)m->tzoff * 60;
		if (gmtime_r(&t, &tm) == NULL)
			return -1;
		return buf_printf(v, "%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday) == -1 ? -1 : 0;
	}
	if (gen_word_eq(key, kn, "tags") || gen_word_eq(key, kn,
	    "categories")) {
		for (i = 0; i < m->ntags; i++)
			if (buf_printf(v, "%s%s", i ? ", " : "", m->tags[i]) ==
			    -1)
				return -1;
		return 0;
	}
	return -1;
}

/*
 * {{ output }}: {{ site.KEY }} from the site, {{ page.KEY }} from the
 * front matter (filters after them ignored: relative_url, escape...), a
 * quoted URL through relative_url; anything else is the template's
 * business and dropped.
 */
int
gen_liquid_out(struct gen *g)
{
	const char	*s = g->s, *val = NULL;
	size_t		 p = g->i, e, i, vs;
	char		 q, key[128];
	struct buf	 v;

	if (p < g->skip || (e = gen_close(g, &g->nx_out, p + 2, "}}")) ==
	    SIZE_MAX)
		return 0;
	g->i = e + 2;
	for (i = p + 2; i < e && (gen_is_space(s[i]) || s[i] == '-'); i++)
		;
	if (i < e && (s[i] == '"' || s[i] == '\'')) {
		q = s[i++];
		for (vs = i; i < e && s[i] != q; i++)
			;
		if (i < e && memmem(s + i, e - i, "url", 3) != NULL)
			gen_put(g, s + vs, i - vs);
		return 1;
	}
	for (vs = i; i < e && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
	    s[i] == '.' || s[i] == '-'); i++)
		;
	if (i - vs <= 5 || i - vs - 5 >= sizeof(key))
		return 1;
	memcpy(key, s + vs + 5, i - vs - 5);
	key[i - vs - 5] = '\0';
	buf_init(&v, GEN_SCAN_MAX * 4);
	if (strncmp(s + vs, "site.", 5) == 0 && g->site != NULL &&
	    g->site->var != NULL)
		val = g->site->var(g->site->arg, key);
	else if (strncmp(s + vs, "page.", 5) == 0 &&
	    gen_page_var(g->meta, key, strlen(key), &v) == 0)
		val = v.data != NULL ? v.data : "";
	if (val != NULL) {
		if (gen_in_dest(g))
			gen_put_dest(g, val, strlen(val));
		else
			gen_put(g, val, strlen(val));
	}
	buf_free(&v);
	return 1;
}

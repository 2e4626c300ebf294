/*
 * genmdx: MDX, the Markdown with JSX that Docusaurus, Astro and Next.js
 * blogs write posts in (.mdx), read in the generator-syntax pass:
 * import/export blocks dropped; a JSX element on lines of its own
 * (<Tabs>, <TabItem label="x">, </Tabs>) dropped with its Markdown
 * content kept and unindented (MDX has no indented code); a self-closing
 * component kept as a link when it carries a URL or a known embed's id
 * (the one thing a reader needs from it), else dropped and named in the
 * warnings, since a widget (<TOCInline />, <Comments />) has no words to
 * show; comments in braces dropped.  JSX inside a line is HTML to the
 * Markdown reader, which drops the tags and keeps their text; a router
 * <Link to="..."> becomes the <a href> it renders.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "gen.h"

int
gen_mdx_file(const char *path)
{
	size_t n = path != NULL ? strlen(path) : 0;

	return n > 4 && strcmp(path + n - 4, ".mdx") == 0;
}

/* Spaces and tabs at the start of the line at p, up to eol. */
static size_t
mdx_indent(const struct gen *g, size_t p, size_t eol)
{
	size_t k = p;

	while (k < eol && (g->s[k] == ' ' || g->s[k] == '\t'))
		k++;
	return k - p;
}

void
gen_mdx_indent(struct gen *g, size_t eol)
{
	size_t	*ind, k;

	if (g->njsx == 0)
		return;
	ind = &g->jsxind[(g->njsx > GEN_MAXJSX ? GEN_MAXJSX : g->njsx) - 1];
	k = mdx_indent(g, g->i, eol);
	if (k == eol - g->i || (g->s[eol - 1] == '\r' && k + 1 == eol - g->i))
		return;			/* a blank line */
	/* The first line inside an element sets how far it is indented. */
	if (*ind == SIZE_MAX)
		*ind = k;
	g->i += k < *ind ? k : *ind;
}

/* A line starting an ESM block: import or export and a space, brace or
 * quote (never the word in prose: MDX allows them only at a block's
 * start, where this is called). */
static int
mdx_esm(const char *t, size_t tn)
{
	size_t k;

	if (tn > 7 && strncmp(t, "import", 6) == 0)
		k = 6;
	else if (tn > 7 && strncmp(t, "export", 6) == 0)
		k = 6;
	else
		return 0;
	return t[k] == ' ' || t[k] == '{' || t[k] == '\'' || t[k] == '"' ||
	    t[k] == '*';
}

/* The line before p is blank, or p starts the text. */
static int
mdx_block_start(const struct gen *g, size_t p)
{
	size_t k;

	if (p == 0)
		return 1;
	for (k = p - 1; k > 0 && g->s[k - 1] != '\n'; k--)
		if (!isspace((unsigned char)g->s[k - 1]))
			return 0;
	return 1;
}

/*
 * The '>' that ends the JSX tag opened at p, outside quotes and braces
 * and before a blank line, else SIZE_MAX.  A failed scan marks how far
 * it went, so hostile input is scanned once.
 */
static size_t
mdx_tag_end(struct gen *g, size_t p)
{
	size_t	 k, end = gen_blank(g, p), depth = 0;
	char	 q = 0;

	if (p < g->jsxfail)
		return SIZE_MAX;
	if (end - p > GEN_SCAN_MAX)
		end = p + GEN_SCAN_MAX;
	for (k = p + 1; k < end; k++) {
		if (q != 0) {
			if (g->s[k] == q)
				q = 0;
		} else if (g->s[k] == '"' || g->s[k] == '\'')
			q = depth == 0 ? g->s[k] : 0;
		else if (g->s[k] == '{')
			depth++;
		else if (g->s[k] == '}' && depth > 0)
			depth--;
		else if (g->s[k] == '>' && depth == 0)
			return k;
	}
	g->jsxfail = end;
	return SIZE_MAX;
}

/* A self-closing component: a link when it names a URL or a known
 * embed's id, else nothing. */
static void
mdx_component(struct gen *g, const struct gen_sc *sc, const char *name,
    size_t nn)
{
	static const char *const urls[] = { "src", "href", "url", "link",
	    "to", NULL };
	static const char *const labels[] = { "alt", "title", "caption",
	    "label", NULL };
	static const char *const ids[] = { "id", "videoId", "tweetId",
	    "youtubeId", NULL };
	const char	*u = gen_sc_first(sc, urls), *l = gen_sc_first(sc,
			    labels), *id;

	if (u != NULL) {
		gen_newline(g);
		gen_put(g, "\n", 1);
		/* src is what a picture or a player shows. */
		gen_put_link(g, gen_sc_arg(sc, "src", -1) == u, l ? l : name,
		    l ? strlen(l) : nn, NULL, u, strlen(u));
		gen_put(g, "\n\n", 2);
		return;
	}
	if ((id = gen_sc_first(sc, ids)) != NULL) {
		/* <YouTube id=...>, <Tweet id=...>: the embed's own name. */
		gen_newline(g);
		gen_put(g, "\n", 1);
		gen_put_embed(g, sc->name, id, gen_sc_arg(sc, "user", -1), l);
		gen_put(g, "\n\n", 2);
		return;
	}
	gen_warn(g, "dropped component", sc->name);
}

int
gen_mdx_line(struct gen *g, const char *t, size_t tn)
{
	static const char *const labels[] = { "title", "label", "summary",
	    NULL };
	struct gen_sc	 sc;
	size_t		 p = (size_t)(t - g->s), e, nl, i, nn;
	const char	*name, *l;
	int		 frag, rv = 1;

	if (mdx_esm(t, tn) && t == g->s + g->i && mdx_block_start(g, p)) {
		/* The block runs to the next blank line. */
		e = gen_blank(g, p);
		g->i = e < g->n ? e + 1 : e;
		return 1;
	}
	if (tn < 2 || t[0] != '<' || !(isupper((unsigned char)t[1]) ||
	    t[1] == '>' || (t[1] == '/' && tn > 2 &&
	    (isupper((unsigned char)t[2]) || t[2] == '>'))))
		return 0;
	/* The tag must end its line: text after it is inline HTML. */
	if ((e = mdx_tag_end(g, p)) == SIZE_MAX)
		return 0;
	for (nl = e + 1; nl < g->n && (g->s[nl] == ' ' || g->s[nl] == '\t' ||
	    g->s[nl] == '\r'); nl++)
		;
	if (nl < g->n && g->s[nl] != '\n')
		return 0;
	i = p + 1 + (t[1] == '/');
	name = g->s + i;
	for (nn = 0; i + nn < e && (isalnum((unsigned char)name[nn]) ||
	    name[nn] == '.' || name[nn] == '_'); nn++)
		;
	frag = nn == 0;
	memset(&sc, 0, sizeof(sc));
	sc.jsx = 1;
	buf_init(&sc.a, GEN_SCAN_MAX * 2);
	if (!frag && gen_sc_parse(g, i, g->s[e - 1] == '/' ? e - 1 : e,
	    &sc) == -1)
		rv = 0;
	else if (t[1] == '/') {
		if (g->njsx > 0)
			g->njsx--;
		gen_newline(g);
		gen_put(g, "\n", 1);
	} else if (g->s[e - 1] == '/')
		mdx_component(g, &sc, name, nn);
	else {
		if (g->njsx < GEN_MAXJSX)
			g->jsxind[g->njsx] = SIZE_MAX;
		g->njsx++;
		gen_newline(g);
		gen_put(g, "\n", 1);
		/* <TabItem label="Linux">: the tab's name heads its text. */
		if (!frag && (l = gen_sc_first(&sc, labels)) != NULL) {
			gen_puts(g, l);
			gen_put(g, "\n\n", 2);
		}
	}
	buf_free(&sc.a);
	if (rv)
		g->i = nl < g->n ? nl + 1 : nl;
	return rv;
}

int
gen_mdx_comment(struct gen *g)
{
	size_t e;

	if (g->i + 2 >= g->n || g->s[g->i + 1] != '/' ||
	    g->s[g->i + 2] != '*' ||
	    (e = gen_close(g, &g->nx_mdxc, g->i + 3, "*/}")) == SIZE_MAX)
		return 0;
	g->i = e + 3;
	return 1;
}

int
gen_mdx_link(struct gen *g)
{
	static const char *const urls[] = { "to", "href", NULL };
	struct gen_sc	 sc;
	const char	*s = g->s + g->i, *u;
	size_t		 left = g->n - g->i, e;
	int		 rv = 0;

	if (left >= 7 && strncmp(s, "</Link>", 7) == 0) {
		gen_puts(g, "</a>");
		g->i += 7;
		return 1;
	}
	if (left < 6 || strncmp(s, "<Link", 5) != 0 || !gen_is_space(s[5]) ||
	    (e = mdx_tag_end(g, g->i)) == SIZE_MAX || g->s[e - 1] == '/')
		return 0;
	memset(&sc, 0, sizeof(sc));
	sc.jsx = 1;
	buf_init(&sc.a, GEN_SCAN_MAX * 2);
	if (gen_sc_parse(g, g->i + 1, e, &sc) == 0 &&
	    (u = gen_sc_first(&sc, urls)) != NULL) {
		/* HTML's own link, which the Markdown reader maps. */
		gen_puts(g, "<a href=\"");
		gen_put_dest(g, u, strlen(u));
		gen_puts(g, "\">");
		g->i = e + 1;
		rv = 1;
	}
	buf_free(&sc.a);
	return rv;
}

/*
 * sitetitle: what a page is called when its front matter gives no
 * title, by the rule of the generator that publishes it (the site model
 * knows which; mdtitle.c reads the body).  Checked against each
 * generator's own code and documentation:
 *
 * - Docusaurus (blog and docs plugins, Markdown pages): front matter
 *   title, else a level-1 heading opening the content, else for a blog
 *   post the file name's text after its date (parseBlogFileName), for a
 *   doc its file name without a number prefix ("01-intro" -> "intro").
 * - Jekyll: a document of a collection (posts, drafts, _tabs/ and the
 *   like) gets its slug titleized (Utils.titleize_slug: the name after
 *   the date split at '-', each word capitalized as Ruby does, the rest
 *   of it lowercased): "2020-01-02-my-first-post.md" -> "My First
 *   Post".  A page gets the level 1-3 heading that is its first line
 *   (jekyll-titles-from-headings, always on with GitHub Pages).
 * - Hugo: a page backed by a file has no title unless its front matter
 *   gives one (themes show the file name or nothing): the file's name,
 *   a bundle's or section's folder.
 * - Next.js starters, Astro, Zenn, Hatena: the title is required (the
 *   content schema, Zenn's validator, blogsync's Title), so a page
 *   without one is no page of theirs: the reader's rule (mdtitle.c).
 * - A page without front matter, a file outside the generator's
 *   content, a plain folder: the reader's rule.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "frontmatter.h"
#include "markdown.h"
#include "site.h"
#include "siteint.h"

/* One word of a slug as Ruby's String#capitalize writes it: the first
 * character in title case, the others in lower case. */
static int
capitalize(struct buf *out, const char *p, size_t n)
{
	utf8proc_int32_t	 cp;
	utf8proc_uint8_t	 u[4];
	utf8proc_ssize_t	 k;
	size_t			 i = 0;

	while (i < n) {
		k = utf8proc_iterate((const utf8proc_uint8_t *)p + i,
		    (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0) {
			/* Not UTF-8: the byte as it is. */
			if (buf_putc(out, p[i++]) == -1)
				return -1;
			continue;
		}
		cp = i == 0 ? utf8proc_totitle(cp) : utf8proc_tolower(cp);
		if (buf_append(out, u, (size_t)utf8proc_encode_char(cp, u)) ==
		    -1)
			return -1;
		i += (size_t)k;
	}
	return 0;
}

/* Jekyll's Utils.titleize_slug over the n bytes at p, trailing dots
 * dropped as Document#populate_title drops them. */
static int
titleize(struct buf *out, const char *p, size_t n)
{
	const char	*dash;
	size_t		 w;

	while (n > 0 && p[n - 1] == '.')
		n--;
	/* Ruby's split drops the empty words at the end only. */
	while (n > 0 && p[n - 1] == '-')
		n--;
	while (n > 0) {
		dash = memchr(p, '-', n);
		w = dash != NULL ? (size_t)(dash - p) : n;
		if (capitalize(out, p, w) == -1)
			return -1;
		if (dash == NULL)
			break;
		if (buf_putc(out, ' ') == -1)
			return -1;
		p += w + 1;
		n -= w + 1;
	}
	return 0;
}

/* A document of a Jekyll collection: _posts (also a category's
 * tech/_posts/), _drafts, or _NAME/ when the config declares NAME. */
static int
jekyll_document(const struct site *s, const char *rel)
{
	const char	*slash = strchr(rel, '/'), *v;
	char		 key[160];
	size_t		 i, n;

	if (site_is_post(s, rel) || site_in_dir(rel, "_drafts"))
		return 1;
	if (rel[0] != '_' || slash == NULL || (n = (size_t)(slash - rel - 1))
	    == 0 || n > 100)
		return 0;
	snprintf(key, sizeof(key), "collections.%.*s.output", (int)n, rel + 1);
	if (site_var(s, key) != NULL)
		return 1;
	snprintf(key, sizeof(key), "collections.%.*s.permalink", (int)n,
	    rel + 1);
	if (site_var(s, key) != NULL)
		return 1;
	for (i = 0; i < 64; i++) {
		snprintf(key, sizeof(key), "collections.%zu", i);
		if ((v = site_var(s, key)) == NULL)
			break;
		if (strlen(v) == n && strncmp(v, rel + 1, n) == 0)
			return 1;
	}
	return 0;
}

/* Docusaurus' parseBlogFileName text: the path under the blog folder
 * without extension or "/index", after the last YYYY-MM-DD date and the
 * separator following it. */
static int
docu_blog_name(const char *sub, struct buf *name)
{
	const char	*text = sub, *dot = strrchr(sub, '.');
	size_t		 n = dot != NULL && strchr(dot, '/') == NULL ?
			    (size_t)(dot - sub) : strlen(sub);
	size_t		 i, k;

	if (n >= 6 && strncmp(sub + n - 6, "/index", 6) == 0)
		n -= 6;
	for (i = 0; i + 10 <= n; i++) {
		for (k = 0; k < 10; k++)
			if ((k == 4 || k == 7) ? sub[i + k] != '-' &&
			    sub[i + k] != '/' :
			    (sub[i + k] < '0' || sub[i + k] > '9'))
				break;
		if (k == 10)
			text = sub + i + 10 + (i + 10 < n &&
			    (sub[i + 10] == '-' || sub[i + 10] == '/'));
	}
	return buf_append(name, text, n - (size_t)(text - sub));
}

/* A doc's id from its file: the name without a number prefix
 * ("01-intro", "2. setup"), as DefaultNumberPrefixParser cuts it. */
static int
docu_doc_name(const char *rel, struct buf *name)
{
	const char	*p;
	size_t		 n, k = 0, j;

	site_stem(rel, &p, &n);
	while (k < n && p[k] >= '0' && p[k] <= '9')
		k++;
	for (j = k; j < n && (p[j] == '-' || p[j] == '_' || p[j] == '.' ||
	    p[j] == ' '); j++)
		;
	if (k > 0 && j > k && j < n) {
		p += j;
		n -= j;
	}
	return buf_append(name, p, n);
}

enum md_title_rule
site_title_rule(const struct site *s, const char *rel, int fm,
    struct buf *name)
{
	const char	*p, *blog;
	size_t		 n, i;
	int		 r = 0;

	if (!fm)
		return MD_TITLE_SCREEN;
	switch (s->gen) {
	case SITE_DOCUSAURUS:
		blog = site_docu_dir(s, "blog");
		if (site_in_dir(rel, blog))
			r = docu_blog_name(rel + strlen(blog) + 1, name);
		else if (site_in_dir(rel, site_docu_dir(s, "docs")) ||
		    site_in_dir(rel, "src/pages"))
			r = docu_doc_name(rel, name);
		else
			return MD_TITLE_SCREEN;
		return r == -1 ? MD_TITLE_SCREEN : MD_TITLE_H1;
	case SITE_JEKYLL:
		if (!jekyll_document(s, rel))
			return MD_TITLE_HEADING;
		site_stem(rel, &p, &n);
		i = site_jekyll_date(p, n);
		if (titleize(name, p + i, n - i) == -1)
			name->len = 0;
		return MD_TITLE_NAME;
	case SITE_HUGO:
		for (i = 0; i < s->nlangs && (s->langs[i].val[0] == '\0' ||
		    !site_in_dir(rel, s->langs[i].val)); i++)
			;
		if (!site_in_dir(rel, s->content) && i == s->nlangs)
			return MD_TITLE_SCREEN;
		site_stem(rel, &p, &n);
		if (buf_append(name, p, n) == -1)
			name->len = 0;
		return MD_TITLE_NAME;
	default:
		return MD_TITLE_SCREEN;
	}
}

int
site_page_title(const struct site *s, const char *rel,
    const struct page_meta *m, const char *body, size_t len,
    struct buf *out)
{
	struct buf		 name;
	enum md_title_rule	 rule;
	int			 r;

	buf_init(&name, 4096);
	rule = site_title_rule(s, rel, m->body > 0, &name);
	if ((r = md_page_title(body, len, rule, out)) == 1 && name.len > 0)
		r = buf_append(out, name.data, name.len);
	buf_free(&name);
	return r;
}

/*
 * test-site: the site model read from the fixture blogs' own config
 * files, and the URL scheme it owns: web paths from permalink patterns,
 * the keys old paths are compared by, private names, Liquid's site values
 * and includes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "frontmatter.h"
#include "markdown.h"
#include "site.h"
#include "tap.h"

static struct site *
load(const char *blog)
{
	struct site_override	 o;
	struct site		*s;
	char			 root[4096];
	const char		*top = getenv("TOP_SRCDIR");

	snprintf(root, sizeof(root), "%s/tests/blogs/%s", top ? top : "..",
	    blog);
	memset(&o, 0, sizeof(o));
	if ((s = site_load(root, &o)) == NULL)
		ok(0, "%s: loaded", blog);
	return s;
}

/* The web path of rel with front matter fm (a string). */
static void
path_is(const struct site *s, const char *rel, const char *fm,
    const char *want)
{
	struct page_meta	 m;
	struct buf		 b;
	time_t			 t = 0;

	frontmatter_parse(fm, strlen(fm), &m);
	if (m.has_date)
		t = m.date;
	buf_init(&b, 4096);
	if (site_web_path(s, rel, &m, t, m.tzoff, &b) == -1 ||
	    buf_putc(&b, '\0') == -1)
		ok(0, "web path of %s", rel);
	else
		is_str(b.data, want, rel);
	buf_free(&b);
	page_meta_free(&m);
}

static void
key_is(const struct site *s, const char *path, const char *want)
{
	char *k = site_key(s, path, "", 0);

	is_str(k ? k : "(null)", want, path);
	free(k);
}

static void
hugo(void)
{
	struct site	*s = load("hugo");
	struct buf	 b;

	if (s == NULL)
		return;
	is_int(s->gen, SITE_HUGO, "hugo: detected");
	is_str(s->config, "config.toml", "hugo: config file");
	is_str(s->title, "Harbour Notes", "hugo: title");
	is_str(s->description, "A small Hugo blog about boats, birds and "
	    "light.", "hugo: params.description");
	is_str(s->author, "Jessie Harbour", "hugo: params.author");
	is_str(s->lang, "en-us", "hugo: languageCode");
	is_str(s->bases[0], "https://harbour.example.org", "hugo: baseURL");
	is_str(s->posts[0], "content/posts", "hugo: mainSections 1");
	is_str(s->posts[1], "content/notes", "hugo: mainSections 2");
	is_str(site_var(s, "permalinks.notes"), "/:year/:month/:slug/",
	    "hugo: [permalinks] table read");
	ok(strstr(s->report, "Hugo site; config config.toml; title \"Harbour "
	    "Notes\"") != NULL, "hugo: start-up line: %s", s->report);
	path_is(s, "content/posts/first-light.md", "---\ntitle: X\n---\n",
	    "/posts/first-light/");
	path_is(s, "content/posts/sunset/index.md", "", "/posts/sunset/");
	path_is(s, "content/posts/_index.md", "", "/posts/");
	path_is(s, "content/posts/Mixed Case.md", "---\nslug: Été\n---\n",
	    "/posts/été/");
	path_is(s, "content/notes/tide-tables.md",
	    "---\ntitle: T\ndate: 2023-06-11T07:30:00+01:00\nslug: tides\n"
	    "---\n", "/2023/06/tides/");
	path_is(s, "content/notes/x.md",
	    "---\ntitle: A Note, Without a Date!\ndate: 2022-02-02\n---\n",
	    "/2022/02/a-note-without-a-date/");
	path_is(s, "content/about.md", "---\nurl: /me/\n---\n", "/me/");
	/* Hugo 0.144's token: the slug, else the file's (bundle's) name,
	 * never the title. */
	path_is(s, "content/logbook/Engine Check.md", "---\ntitle: T\n---\n",
	    "/log/engine-check/");
	path_is(s, "content/logbook/fuel/index.md", "---\ntitle: T\n---\n",
	    "/log/fuel/");
	path_is(s, "content/logbook/x.md", "---\ntitle: T\nslug: Oil\n---\n",
	    "/log/oil/");
	ok(site_is_post(s, "content/notes/x.md"), "hugo: notes are posts");
	ok(!site_is_post(s, "content/posts/_index.md") &&
	    site_is_section(s, "content/posts/_index.md"),
	    "hugo: _index.md is a section page, not a post");
	ok(!site_is_post(s, "content/about.md"), "hugo: about is a page");
	ok(site_hides_future(s), "hugo: future posts hidden");
	buf_init(&b, 256);
	is_str(site_term_key(s, "/categories/Ühren"), "categories",
	    "hugo: a category page is the categories taxonomy's");
	is_str(site_term_key(s, "/series"), "series",
	    "hugo: the taxonomies config adds series");
	ok(site_term_key(s, "/categoriesx") == NULL &&
	    site_term_key(s, "/topics/x") == NULL,
	    "hugo: only the site's taxonomies");
	is_int(site_term_path("categories", "Ühren", &b), 0,
	    "hugo: a term's path");
	is_str(b.data ? b.data : "", "/categories/%C3%9Chren/",
	    "hugo: ... in the web's form, encoded");
	buf_free(&b);
	ok(site_private_name(s, "public", 1) &&
	    !site_private_name(s, "public", 0), "hugo: public/ at the top is "
	    "generated output");
	site_free(s);
}

/* Hugo's languages, each in its own content folder. */
static void
hugo_i18n(void)
{
	struct site *s = load("hugo-i18n");

	if (s == NULL)
		return;
	is_str(s->title, "灯台日誌", "hugo-i18n: the default language's title");
	ok(site_taxonomy(s, 0) == NULL &&
	    site_term_key(s, "/tags/watch") == NULL,
	    "hugo-i18n: disableKinds takes the taxonomies away");
	is_str(s->description, "岬の灯台の記録",
	    "hugo-i18n: the default language's description");
	is_str(s->posts[0], "content/ja/logbook",
	    "hugo-i18n: the largest section is the main one (ja)");
	is_str(s->posts[1], "content/en/logbook",
	    "hugo-i18n: the largest section is the main one (en)");
	path_is(s, "content/ja/logbook/storm.md", "", "/logbook/storm/");
	path_is(s, "content/en/logbook/first-watch.md", "",
	    "/en/logbook/first-watch/");
	path_is(s, "content/en/about.en.md", "", "/en/about/");
	path_is(s, "content/en/logbook/_index.md", "", "/en/logbook/");
	path_is(s, "content/en/logbook/lamp/index.en.md", "",
	    "/en/logbook/lamp/");
	/* Translation by file name, in the shared content folder. */
	path_is(s, "content/notes/tide.en.md", "", "/en/notes/tide/");
	path_is(s, "content/notes/tide.ja.md", "", "/notes/tide/");
	path_is(s, "content/notes/v1.2.md", "", "/notes/v1.2/");
	is_str(site_lang_of(s, "content/notes/tide.en.md"), "en",
	    "hugo-i18n: a page's language from its name");
	is_str(site_lang_of(s, "content/en/logbook/first-watch.md"), "en",
	    "hugo-i18n: a page's language from its folder");
	is_str(site_lang_of(s, "content/ja/about.md"), "ja",
	    "hugo-i18n: the default language's folder");
	ok(site_lang_of(s, "README.md") == NULL,
	    "hugo-i18n: outside every language");
	site_free(s);
}

static void
jekyll(void)
{
	struct site	*s = load("jekyll");
	struct md_site	 ms;
	struct buf	 b;

	if (s == NULL)
		return;
	is_int(s->gen, SITE_JEKYLL, "jekyll: detected");
	is_str(site_term_key(s, "/categories/news"), "categories",
	    "jekyll: site.categories has pages at /categories/");
	is_str(site_taxonomy(s, 1), "categories",
	    "jekyll: tags, then categories");
	ok(site_taxonomy(s, 2) == NULL, "jekyll: category counted once");
	is_str(s->title, "Liquid Days", "jekyll: title");
	is_str(s->author, "Mina Park", "jekyll: author.name");
	is_str(s->bases[0], "https://liquid.example.org", "jekyll: url");
	is_str(s->bases[1], "http://liquid.example.org", "jekyll: http too");
	path_is(s, "_posts/2020-05-17-welcome-to-jekyll.markdown",
	    "---\ndate: 2020-05-17 15:00:00 +0900\ncategories: jekyll "
	    "Update\n---\n", "/jekyll/update/2020/05/17/welcome-to-jekyll.html");
	path_is(s, "_posts/2021-02-11-kyoto-notes.md",
	    "---\ndate: 2021-02-11\ncategories: [旅行]\n---\n",
	    "/旅行/2021/02/11/kyoto-notes.html");
	path_is(s, "_posts/2022-07-03-busan-tower.md",
	    "---\ndate: 2022-07-03\npermalink: /2022/busan-tower/\n---\n",
	    "/2022/busan-tower/");
	path_is(s, "_posts/2022-07-03-x.md",
	    "---\ndate: 2022-07-03\npermalink: /:year/:title/\n---\n",
	    "/2022/x/");
	path_is(s, "about.markdown", "---\npermalink: /about/\n---\n",
	    "/about/");
	path_is(s, "docs/guide.md", "", "/docs/guide.html");
	path_is(s, "docs/index.md", "", "/docs/");

	site_md(s, &ms);
	is_str(ms.var(ms.arg, "repository"), "liquiddays/liquid-days",
	    "jekyll: site.repository");
	is_str(ms.var(ms.arg, "author.name"), "Mina Park",
	    "jekyll: site.author.name");
	ok(ms.var(ms.arg, "nosuchkey") == NULL, "jekyll: unknown site.KEY");
	buf_init(&b, 4096);
	ok(ms.include(ms.arg, "note.html", &b) == 0 && b.data != NULL &&
	    strstr(b.data, "Written on a train.") != NULL,
	    "jekyll: include note.html read at load");
	ok(ms.include(ms.arg, "missing.html", &b) == -1,
	    "jekyll: unknown include");
	buf_free(&b);

	key_is(s, "https://liquid.example.org/2022/busan-tower/",
	    "/2022/busan-tower");
	key_is(s, "http://LIQUID.example.org/about/#me", "/about");
	key_is(s, "/jekyll/update/2020/05/17/welcome-to-jekyll.html",
	    "/jekyll/update/2020/05/17/welcome-to-jekyll");
	key_is(s, "/docs/index.html", "/docs");
	key_is(s, "/x/y.html.txt", "/x/y");
	key_is(s, "/", "/");
	key_is(s, "https://other.example.org/a", "(null)");
	key_is(s, "/:year/:title", "(null)");
	key_is(s, "/../../etc/passwd", "(null)");
	site_free(s);
}

/* Front matter defaults by scope and category folders (a theme's
 * config, as Chirpy ships it). */
static void
jekyll_defaults(void)
{
	struct site *s = load("jekyll-defaults");

	if (s == NULL)
		return;
	is_str(site_var(s, "defaults.1.scope.path"), "_posts/field-notes",
	    "jekyll-defaults: list items keep their place in keys");
	is_str(site_var(s, "defaults.1.values.categories.1"), "notes",
	    "jekyll-defaults: a list inside a list item");
	path_is(s, "_posts/2021-04-05-low-tide.md", "---\ndate: 2021-04-05\n"
	    "---\n", "/2021/04/05/low-tide.html");
	/* The scope's categories, then the page's own. */
	path_is(s, "_posts/field-notes/2022-06-01-anemones.md",
	    "---\ndate: 2022-06-01\ncategories: Biology notes\n---\n",
	    "/field/notes/biology/2022/06/01/anemones.html");
	/* Of two scopes with the same path the later wins. */
	path_is(s, "_posts/short/2023-02-02-kelp.md", "---\ndate: 2023-02-02\n"
	    "---\n", "/quick/kelp/");
	path_is(s, "_posts/short/2023-02-02-kelp.md", "---\ndate: 2023-02-02\n"
	    "slug: Sea Kelp\n---\n", "/quick/sea-kelp/");
	/* The page's own permalink beats the defaults. */
	path_is(s, "_posts/short/2023-02-02-kelp.md", "---\ndate: 2023-02-02\n"
	    "permalink: /k/\n---\n", "/k/");
	/* A category's folder: rockpools/_posts/ is a post in rockpools. */
	path_is(s, "rockpools/_posts/2020-09-09-hermit-crabs.md",
	    "---\ndate: 2020-09-09\n---\n",
	    "/rockpools/2020/09/09/hermit-crabs.html");
	ok(site_is_post(s, "rockpools/_posts/2020-09-09-hermit-crabs.md"),
	    "jekyll-defaults: a category folder's _posts holds posts");
	ok(!site_is_post(s, "rockpools/notes.md"),
	    "jekyll-defaults: the category folder itself holds pages");
	path_is(s, "rockpools/_posts/2020-10-2-tide-chart.md",
	    "---\ndate: 2020-10-02\n---\n",
	    "/rockpools/2020/10/02/tide-chart.html");
	ok(site_unpublished(s, "_posts/short/kelp-notes.md") &&
	    site_unpublished(s, "_posts/2021-04-05.md") &&
	    !site_unpublished(s, "rockpools/_posts/2020-10-2-tide-chart.md") &&
	    !site_unpublished(s, "kelp-notes.md"),
	    "jekyll-defaults: only dated names in _posts are published");
	/* A collection's documents: the defaults for its type. */
	path_is(s, "_tabs/about.md", "---\ntitle: About Us\n---\n", "/about/");
	site_free(s);
}

static void
others(void)
{
	static const struct {
		const char	*blog, *rel, *fm, *want;
		enum site_gen	 gen;
	} cases[] = {
		{ "nextjs", "_posts/hello-world.md", "", "/posts/hello-world",
		    SITE_NEXTJS },
		{ "zenn", "articles/rust-async-memo.md", "",
		    "/articles/rust-async-memo", SITE_ZENN },
		{ "zenn", "books/numbered-guide/2.first-run.md", "",
		    "/books/numbered-guide/viewer/first-run", SITE_ZENN },
		{ "zenn", "books/rust-workshop/intro.md", "",
		    "/books/rust-workshop/viewer/intro", SITE_ZENN },
		{ "hatena", "entry/2022/01/03/120000.md",
		    "---\nURL: https://harbour.hatenablog.com/entry/2022/01/03/"
		    "120000\n---\n", "/entry/2022/01/03/120000", SITE_HATENA },
		{ "astro", "src/content/blog/orion.md", "", "/blog/orion/",
		    SITE_ASTRO },
		{ "astro-loader", "content/posts/kitchen/Green Tomato "
		    "Chutney.md", "", "/kitchen/green-tomato-chutney",
		    SITE_ASTRO },
		{ "astro-loader", "content/posts/garden/x.md",
		    "---\nslug: Frost Notes\n---\n", "/frost-notes",
		    SITE_ASTRO },
		{ "astro", "src/content/blog/markdown-style-guide/index.md", "",
		    "/blog/markdown-style-guide/", SITE_ASTRO },
		{ "docusaurus", "blog/2023-08-14-rain-gauge.md", "",
		    "/blog/2023/08/14/rain-gauge", SITE_DOCUSAURUS },
		{ "docusaurus", "blog/2023-09-01-welcome/index.md",
		    "---\nslug: welcome\n---\n", "/blog/welcome",
		    SITE_DOCUSAURUS },
		{ "docusaurus", "docs/setup.md", "", "/docs/setup",
		    SITE_DOCUSAURUS },
		{ "docusaurus-routes", "docs/01-setup/02-wiring.md", "",
		    "/setup/wiring", SITE_DOCUSAURUS },
		{ "docusaurus-routes", "docs/guide/index.md", "", "/guide",
		    SITE_DOCUSAURUS },
		{ "docusaurus-routes", "docs/index.md", "", "/",
		    SITE_DOCUSAURUS },
		{ "docusaurus-routes", "docs/guide/x.md",
		    "---\nslug: /reading\n---\n", "/reading", SITE_DOCUSAURUS },
		{ "docusaurus-routes", "journal/2024-03-01-first-rain.md", "",
		    "/diary/2024/03/01/first-rain", SITE_DOCUSAURUS },
		/* MDX posts; the pages plugin's src/pages/ at /NAME. */
		{ "docusaurus-mdx", "blog/2024-05-01-spring-tides.mdx", "",
		    "/blog/2024/05/01/spring-tides", SITE_DOCUSAURUS },
		{ "docusaurus-mdx", "src/pages/about.md", "", "/about",
		    SITE_DOCUSAURUS },
		{ "docusaurus-mdx", "src/pages/gauges.mdx", "", "/gauges",
		    SITE_DOCUSAURUS },
		/* blogsync's <domain>/entry/: the blog's paths on the web. */
		{ "hatena-blogsync",
		    "tidepool.hatenablog.com/entry/2024/03/10/070000.md",
		    "---\nURL: https://tidepool.hatenablog.com/entry/2024/03/"
		    "10/070000\n---\n", "/entry/2024/03/10/070000",
		    SITE_HATENA },
		{ "hatena-blogsync", "tidepool.hatenablog.com/entry/_draft/1.md",
		    "---\nDraft: true\n---\n", "/entry/_draft/1", SITE_HATENA },
	};
	struct site	*s;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if ((s = load(cases[i].blog)) == NULL)
			continue;
		is_int(s->gen, cases[i].gen, cases[i].blog);
		path_is(s, cases[i].rel, cases[i].fm, cases[i].want);
		site_free(s);
	}
	s = load("zenn");
	ok(s != NULL && s->nbooks == 3 &&
	    !site_unpublished(s, "books/rust-workshop/ownership.md") &&
	    site_unpublished(s, "books/rust-workshop/scratch.md") &&
	    site_unpublished(s, "books/secret-book/plan.md") &&
	    !site_unpublished(s, "books/numbered-guide/1.setup.md") &&
	    !site_unpublished(s, "articles/rust-async-memo.md"),
	    "zenn: a book's config decides which chapters are published");
	site_free(s);
	s = load("astro");
	is_str(s ? s->title : "", "Stargazer Log", "astro: SITE_TITLE");
	site_free(s);
	s = load("docusaurus");
	is_str(s ? s->title : "", "Field Notes", "docusaurus: title");
	is_str(s ? s->description : "", "Docs and a blog about a weather "
	    "station", "docusaurus: tagline");
	is_str(s && s->lang ? s->lang : "(null)", "(null)",
	    "docusaurus: no i18n, no language");
	site_free(s);
	s = load("docusaurus-routes");
	is_str(s && s->lang ? s->lang : "(null)", "en-GB",
	    "docusaurus: i18n.defaultLocale");
	site_free(s);

	ok(site_private_name(NULL, "post.md~", 0) &&
	    site_private_name(NULL, "x.bak", 0) &&
	    site_private_name(NULL, "x.orig", 0) &&
	    site_private_name(NULL, ".x.swp", 0) &&
	    site_private_name(NULL, "#x.md#", 0) &&
	    site_private_name(NULL, "node_modules", 0) &&
	    site_private_name(NULL, "_site", 1) &&
	    !site_private_name(NULL, "public", 1) &&
	    !site_private_name(NULL, "x.md", 0) &&
	    !site_private_name(NULL, "#", 0),
	    "editor, VCS and build leftovers are private");
}

/* The title of rel with front matter fm and body, by its generator's
 * rule (sitetitle.c); "(none)" when the caller names it after its file. */
static void
title_is(const struct site *s, const char *rel, const char *src,
    const char *want)
{
	struct page_meta	 m;
	struct buf		 b;
	int			 r;

	frontmatter_parse(src, strlen(src), &m);
	buf_init(&b, 4096);
	r = site_page_title(s, rel, &m, src + m.body, strlen(src) - m.body,
	    &b);
	if (r == -1 || buf_putc(&b, '\0') == -1)
		ok(0, "title of %s", rel);
	else
		is_str(r == 1 ? "(none)" : b.data, want, rel);
	buf_free(&b);
	page_meta_free(&m);
}

/* A site made of one file (rel: text) in a fresh folder: its title and
 * where the start-up line says it came from. */
static void
made_title(const char *rel, const char *text, const char *want,
    const char *from)
{
	struct site_override	 o;
	struct site		*s = NULL;
	char			 dir[] = "/tmp/test-site-XXXXXX", path[256];
	char			 sub[256], *slash;
	FILE			*fp;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(sub, sizeof(sub), "%s", path);
	if ((slash = strrchr(sub, '/')) != NULL && slash > sub + strlen(dir)) {
		*slash = '\0';
		mkdir(sub, 0700);
	}
	if ((fp = fopen(path, "w")) != NULL) {
		fputs(text, fp);
		fclose(fp);
		memset(&o, 0, sizeof(o));
		s = site_load(dir, &o);
	}
	is_str(s && s->title ? s->title : "(none)", want, rel);
	ok(s != NULL && strstr(s->report, from) != NULL,
	    "%s: the start-up line says %s", rel, from);
	site_free(s);
	unlink(path);
	if (slash != NULL)
		rmdir(sub);
	rmdir(dir);
}

/*
 * blogsync's local_root with one folder per blog, named by its domain:
 * one blog is the site (its folder the content root, its domain the base
 * URL); of several, each keeps its folder as a path prefix.
 */
static void
hatena_blogs(void)
{
	static const char *const blogs[] = { "b.hatenablog.com",
	    "a.hatenablog.jp", "notes" };
	struct site_override	 o;
	struct site		*s;
	struct buf		 b;
	struct page_meta	 m;
	char			 dir[] = "/tmp/test-site-XXXXXX", path[256];
	const char		*fm = "---\nURL: https://b.hatenablog.com/entry/"
				    "2024/01/02/030405\n---\n";
	size_t			 i, n;
	char			*k;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	memset(&o, 0, sizeof(o));
	for (n = 1; n <= 2; n++) {
		/* "notes/entry" is not a domain: never a blog. */
		for (i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, blogs[i]);
			mkdir(path, 0700);
			snprintf(path, sizeof(path), "%s/%s/entry", dir,
			    blogs[i]);
			if (i == 0 || n == 2 || i == 2)
				mkdir(path, 0700);
		}
		if ((s = site_load(dir, &o)) == NULL) {
			ok(0, "hatena %zu blogs: loaded", n);
			continue;
		}
		is_int(s->gen, SITE_HATENA, "hatena: a domain's entry/ is a "
		    "blogsync blog");
		is_str(s->posts[0], n == 1 ? "b.hatenablog.com/entry" :
		    "a.hatenablog.jp/entry", "hatena: the first blog's posts");
		is_str(s->posts[1] ? s->posts[1] : "(null)", n == 1 ?
		    "(null)" : "b.hatenablog.com/entry",
		    "hatena: every blog's posts, by name");
		is_str(s->content, n == 1 ? "b.hatenablog.com" : "",
		    "hatena: one blog is the site; several keep their folders");
		frontmatter_parse(fm, strlen(fm), &m);
		buf_init(&b, 4096);
		if (site_web_path(s, "b.hatenablog.com/entry/2024/01/02/"
		    "030405.md", &m, 0, 0, &b) == -1 || buf_putc(&b, '\0') == -1)
			ok(0, "hatena: web path");
		else
			is_str(b.data, n == 1 ? "/entry/2024/01/02/030405" :
			    "/b.hatenablog.com/entry/2024/01/02/030405",
			    "hatena: the entry's path as Hatena publishes it");
		buf_free(&b);
		page_meta_free(&m);
		k = site_key(s, "https://b.hatenablog.com/entry/x", "", 0);
		is_str(k ? k : "(null)", n == 1 ? "/entry/x" :
		    "/b.hatenablog.com/entry/x",
		    "hatena: a blog's domain leads to its pages");
		free(k);
		ok(strstr(s->report, n == 1 ? "blogsync blog b.hatenablog.com "
		    "served at the root" : "each served under its domain "
		    "folder") != NULL, "hatena: the start-up line says where "
		    "the blogs are served");
		site_free(s);
	}
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s/entry", dir, blogs[i]);
		rmdir(path);
		snprintf(path, sizeof(path), "%s/%s", dir, blogs[i]);
		rmdir(path);
	}
	rmdir(dir);
}

static void
titles(void)
{
	static const char sections[] = "---\ntags: [x]\n---\n\n"
	    "## 簡介\n\nText.\n\n### 使用技術\n\nMore.\n";
	static const char leading[] = "---\ntags: [x]\n---\n\n"
	    "# The Heading\n\nText.\n";
	static const char bare[] = "## Notes\n\nText.\n\n## More\n";
	struct site *s;

	/* Docusaurus: a leading h1, else the file's name after its date;
	 * a doc's without its number prefix. */
	s = load("docusaurus");
	title_is(s, "blog/2023-07-02-emaily.md", sections, "emaily");
	title_is(s, "blog/2023-08-01-Image Editor.md", sections,
	    "Image Editor");
	title_is(s, "blog/2023-09-01-welcome/index.md", sections, "welcome");
	title_is(s, "blog/field-trip.md", sections, "field-trip");
	title_is(s, "blog/2023-07-02-emaily.md", leading, "The Heading");
	title_is(s, "docs/03-wiring.md", sections, "wiring");
	title_is(s, "docs/03-wiring.md", leading, "The Heading");
	/* Without front matter, the reader's rule of issue 13. */
	title_is(s, "docs/notes.md", bare, "(none)");
	title_is(s, "docs/notes.md", "# Notes\n\n# Day 1\n", "Notes");
	site_free(s);

	/* Jekyll: documents titleized from the slug; pages by a first-line
	 * heading (GitHub Pages' jekyll-titles-from-headings). */
	s = load("jekyll-defaults");
	title_is(s, "_posts/2020-01-02-my-first-post.md", leading,
	    "My First Post");
	title_is(s, "_posts/short/2023-5-5-iOS-and-me..md", sections,
	    "Ios And Me");
	title_is(s, "_posts/2020-01-02-écrire-à-la-main.md", sections,
	    "Écrire À La Main");
	title_is(s, "_tabs/tide-tables.md", leading, "Tide Tables");
	title_is(s, "notes/reading.md", "---\nlayout: page\n---\n"
	    "### Reading list\n\nText.\n", "Reading list");
	title_is(s, "notes/reading.md", "---\nlayout: page\n---\n"
	    "Intro.\n\n# Later\n", "(none)");
	site_free(s);

	/* Hugo: a page backed by a file is titled by front matter only:
	 * its name, a section's folder; files outside content/ are no
	 * pages of Hugo's. */
	s = load("hugo");
	title_is(s, "content/posts/winter-plans/index.md", leading,
	    "winter-plans");
	title_is(s, "content/posts/_index.md", leading, "posts");
	title_is(s, "content/notes/tide-tables.md", sections, "tide-tables");
	title_is(s, "README.md", "---\nx: 1\n---\n# Read me\n", "Read me");
	site_free(s);

	/* Generators that require a title: the reader's rule. */
	s = load("nextjs");
	title_is(s, "_posts/untitled.md", sections, "簡介");
	title_is(s, "_posts/untitled.md", "---\nx: 1\n---\nShort line\n\n"
	    "More text that goes on.\n", "Short line");
	site_free(s);

	/* Site titles: config, then plain constants in code, then the
	 * feed template, then the author; the start-up line says which. */
	s = load("nextjs");
	is_str(s ? s->title : "", "Notes from Three Cities",
	    "nextjs: title from lib/constants.js");
	ok(s != NULL && strstr(s->report, "title \"Notes from Three Cities\" "
	    "from lib/constants.js (BLOG_NAME)") != NULL,
	    "nextjs: the start-up line names the constant");
	site_free(s);
	s = load("astro-loader");
	is_str(s ? s->title : "", "Garden Ledger",
	    "astro: title from the feed endpoint");
	site_free(s);
	s = load("astro");
	ok(s != NULL && strstr(s->report, "from src/consts.ts (SITE_TITLE)")
	    != NULL, "astro: SITE_TITLE named as the source");
	site_free(s);
	s = load("zenn");
	ok(s != NULL && s->title == NULL && strstr(s->report,
	    "no site title found (set title: in capsuled.yaml)") != NULL,
	    "zenn: no title, and the start-up line says how to set one");
	site_free(s);
	s = load("jekyll");
	ok(s != NULL && strstr(s->report, "from _config.yml") != NULL,
	    "jekyll: title from _config.yml");
	site_free(s);
	made_title("src/consts.ts", "export const SITE_TITLE: string = "
	    "'Typed Title';\n", "Typed Title", "from src/consts.ts "
	    "(SITE_TITLE)");
	made_title("src/config.ts", "export const SITE: Site = {\n"
	    "  website: 'https://x.example/',\n  title: \"Object Title\",\n"
	    "};\n", "Object Title", "from src/config.ts (SITE)");
	made_title("src/config.ts", "export const SITE = {\n"
	    "  title: `${NAME}'s notes`,\n};\n", "(none)",
	    "no site title found (set title: in capsuled.yaml)");
	made_title("atom.xml", "---\nlayout: null\n---\n<feed>\n"
	    " <title>Rock &amp; Roll Notes</title>\n <entry><title>{{ p }}"
	    "</title></entry>\n</feed>\n", "Rock & Roll Notes",
	    "from atom.xml (its feed title)");
	made_title("atom.xml", "<feed>\n <title>{{ site.name }}</title>\n"
	    "</feed>\n", "(none)", "no site title found");
	made_title("_config.yml", "author: Ada Lovelace\n", "Ada Lovelace",
	    "from the author's name");
	made_title("_config.yml", "title: \"\"\nname: Rock Notes\n"
	    "author: Ada\n", "Rock Notes", "from _config.yml (name)");
}

int
main(void)
{
	hugo();
	hugo_i18n();
	jekyll();
	jekyll_defaults();
	others();
	hatena_blogs();
	titles();
	return tap_done();
}

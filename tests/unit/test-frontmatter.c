/*
 * test-frontmatter: front matter of every generator we read (YAML, TOML,
 * JSON), the date forms, and broken or hostile input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "tap.h"

/* Parse a string literal, NULs included. */
#define PARSE(lit, m)	frontmatter_parse((lit), sizeof(lit) - 1, (m))

static int
has_tags(const struct page_meta *m, const char **want, size_t n)
{
	size_t	 i;

	if (m->ntags != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(m->tags[i], want[i]) != 0)
			return 0;
	return 1;
}

static void
show_tags(const struct page_meta *m)
{
	size_t	 i;

	printf("#   tags:");
	for (i = 0; i < m->ntags; i++)
		printf(" [%s]", m->tags[i]);
	printf("\n");
}

#define TAGS(m, ...) do {						\
	const char *w_[] = { __VA_ARGS__ };				\
	int t_ = has_tags((m), w_, sizeof(w_) / sizeof(w_[0]));		\
	ok(t_, "tags " #__VA_ARGS__);					\
	if (!t_)							\
		show_tags(m);						\
} while (0)

/* Body offset as the text that follows it. */
static const char *
body(const char *src, const struct page_meta *m)
{
	return src + m->body;
}

/* Every string valid UTF-8 with no control characters but \n. */
static int
clean_str(const char *s, int nl)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 k, n;

	if (s == NULL)
		return 1;
	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && !(nl && *p == '\n')) || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
		if (n == 0 || *p > 0xf4)
			return 0;
		for (k = 1; k < n; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

static int
clean_meta(const struct page_meta *m)
{
	size_t	 i;

	if (!clean_str(m->title, 0) || !clean_str(m->summary, 1) ||
	    !clean_str(m->lang, 0) || !clean_str(m->slug, 0) ||
	    !clean_str(m->image, 0) || !clean_str(m->layout, 0))
		return 0;
	for (i = 0; i < m->ntags; i++)
		if (m->tags[i] == NULL || m->tags[i][0] == '\0' ||
		    !clean_str(m->tags[i], 0))
			return 0;
	/* Aliases become redirect paths: one clean word each. */
	for (i = 0; i < m->naliases; i++)
		if (m->aliases[i] == NULL || m->aliases[i][0] == '\0' ||
		    !clean_str(m->aliases[i], 0) ||
		    strchr(m->aliases[i], ' ') != NULL)
			return 0;
	return (m->err == NULL) == (m->err_line == 0);
}

static void
test_dates(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		long long	 t;
		int		 off;
	} d[] = {
		{ "2022-09-04", 1, 1662249600, 0 },
		{ "2022/09/4", 1, 1662249600, 0 },
		/* JavaScript's Date form, as Astro's blog template writes. */
		{ "September 4, 2022", 1, 1662249600, 0 },
		{ "Sep 04 2022", 1, 1662249600, 0 },
		{ "'Sep 4 2022'", 1, 1662249600, 0 },
		{ "'2022/09/4'", 1, 1662249600, 0 },
		{ "\"2022-09-04\"", 1, 1662249600, 0 },
		{ "2022-9-4", 1, 1662249600, 0 },
		{ "  2022-09-04  ", 1, 1662249600, 0 },
		{ "2020-09-04T12:46:54+09:00", 1, 1599191214, 540 },
		{ "2020-09-04 12:46:54 +0900", 1, 1599191214, 540 },
		{ "2020-09-04T12:46:54+0900", 1, 1599191214, 540 },
		{ "2020-09-04T12:46:54+09", 1, 1599191214, 540 },
		{ "2020-09-04T12:46:54Z", 1, 1599223614, 0 },
		{ "2020-09-04t12:46:54z", 1, 1599223614, 0 },
		{ "2020-09-04T12:46:54.123Z", 1, 1599223614, 0 },
		{ "2020-09-04T12:46:54.123456789+00:00", 1, 1599223614, 0 },
		{ "2020-09-04 12:46:54", 1, 1599223614, 0 },
		{ "2020-09-04 12:46:54 UTC", 1, 1599223614, 0 },
		{ "2020-09-04 12:46", 1, 1599223560, 0 },
		{ "2020-09-04T03:46:54-09:00", 1, 1599223614, -540 },
		{ "2020-03-16T05:35:07.322Z", 1, 1584336907, 0 },
		{ "2000-02-29", 1, 951782400, 0 },
		{ "1969-12-31T23:59:59Z", 1, -1, 0 },
		{ "2022-01-01T00:00:00+09:00", 1, 1640962800, 540 },
		{ "2001-02-29", 0, 0, 0 },
		{ "1900-02-29", 0, 0, 0 },
		{ "2022-13-01", 0, 0, 0 },
		{ "2022-00-10", 0, 0, 0 },
		{ "2022-09-31", 0, 0, 0 },
		{ "2022-09-04T24:00:00Z", 0, 0, 0 },
		{ "2022-09-04T12:60:00Z", 0, 0, 0 },
		{ "2022-09-04T12:00:00+2400", 0, 0, 0 },
		{ "2022-09/04", 0, 0, 0 },
		{ "2022-09-04Z", 0, 0, 0 },
		{ "2022-09-04T", 0, 0, 0 },
		{ "2022-09-04 garbage", 0, 0, 0 },
		{ "22-09-04", 0, 0, 0 },
		{ "20220-09-04", 0, 0, 0 },
		{ "Smarch 4 2022", 0, 0, 0 },
		{ "Sep 31 2022", 0, 0, 0 },
		{ "Sep 4", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "'", 0, 0, 0 },
	};
	size_t	 i;
	time_t	 t;
	int	 off, r;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		t = 0;
		off = 0;
		r = frontmatter_parse_date(d[i].s, &t, &off);
		if (!d[i].ok) {
			is_int(r, -1, d[i].s);
			continue;
		}
		is_int(r, 0, d[i].s);
		is_int(t, d[i].t, d[i].s);
		is_int(off, d[i].off, d[i].s);
	}
	is_int(frontmatter_parse_date(NULL, &t, &off), -1, "NULL date");
}

static void
test_none(void)
{
	static const char	 src[] = "# Hello\n\nText.\n";
	struct page_meta	 m;

	is_int(PARSE(src, &m), 0, "none: parses");
	is_int(m.body, 0, "none: body at 0");
	ok(m.title == NULL && m.summary == NULL && m.ntags == 0 &&
	    !m.has_date && !m.draft && m.err == NULL && m.err_line == 0,
	    "none: nothing set");
	is_int(m.breaks, -1, "none: breaks absent");
	page_meta_free(&m);

	is_int(frontmatter_parse("", 0, &m), 0, "empty file");
	is_int(m.body, 0, "empty file: body 0");
	page_meta_free(&m);
	is_int(frontmatter_parse(NULL, 0, &m), 0, "NULL source");
	page_meta_free(&m);
	page_meta_free(&m);	/* twice is harmless */

	/* A rule that is not a fence, and shortcodes that look like JSON. */
	is_int(PARSE("----\ntitle: x\n----\n", &m), 0, "four dashes");
	ok(m.title == NULL && m.body == 0, "four dashes: not front matter");
	page_meta_free(&m);
	is_int(PARSE("--- title: x\n---\n", &m), 0, "text after fence");
	ok(m.title == NULL && m.body == 0, "text after fence: not ours");
	page_meta_free(&m);
	is_int(PARSE("{{< figure src=\"a.png\" >}}\n", &m), 0, "shortcode");
	ok(m.body == 0 && m.err == NULL, "shortcode: not JSON");
	page_meta_free(&m);
	is_int(PARSE("{% include x.html %}\n", &m), 0, "liquid");
	ok(m.body == 0 && m.err == NULL, "liquid: not JSON");
	page_meta_free(&m);
	is_int(PARSE("\n---\ntitle: x\n---\n", &m), 0, "fence not first");
	ok(m.body == 0 && m.title == NULL, "fence not first: not ours");
	page_meta_free(&m);
}

/* The Next.js blog starter: nested author and ogImage, excerpt. */
static void
test_nextjs(void)
{
	static const char	 src[] =
	    "---\n"
	    "title: 'Serving a blog over Gemini'\n"
	    "excerpt: 'Why a small web still matters, and how to get there.'\n"
	    "coverImage: '/assets/blog/gemini/cover.jpg'\n"
	    "date: '2020-03-16T05:35:07.322Z'\n"
	    "author:\n"
	    "  name: Ada Example\n"
	    "  picture: '/assets/blog/authors/ada.jpeg'\n"
	    "ogImage:\n"
	    "  url: '/assets/blog/gemini/cover.jpg'\n"
	    "---\n"
	    "\n"
	    "Body text.\n";
	struct page_meta	 m;

	is_int(PARSE(src, &m), 0, "nextjs: parses");
	is_str(m.title, "Serving a blog over Gemini", "nextjs: title");
	is_str(m.summary, "Why a small web still matters, and how to get "
	    "there.", "nextjs: excerpt as summary");
	ok(m.has_date, "nextjs: has date");
	is_int(m.date, 1584336907, "nextjs: date");
	is_int(m.ntags, 0, "nextjs: no tags");
	is_str(body(src, &m), "\nBody text.\n", "nextjs: body");
	ok(m.err == NULL, "nextjs: no error");
	is_int(m.draft, 0, "nextjs: not a draft");
	is_str(m.image, "/assets/blog/gemini/cover.jpg",
	    "nextjs: coverImage is the image");
	is_int(m.naliases, 0, "nextjs: no aliases");
	page_meta_free(&m);

	/* ogImage.url alone, nested one level; author.picture is not it. */
	is_int(PARSE("---\nauthor:\n  picture: /a.jpeg\nogImage:\n"
	    "  alt: A cover\n  url: /og.png\n  size: {w: 1, h: 2}\n"
	    "title: T\n---\n", &m), 0, "ogImage: parses");
	is_str(m.image, "/og.png", "ogImage: url");
	is_str(m.title, "T", "ogImage: keys after the mapping still read");
	page_meta_free(&m);
}

/* Hugo YAML: categories folded in, `description: |`, unknown keys. */
static void
test_hugo_yaml(void)
{
	static const char	 src[] =
	    "---\n"
	    "title: \"Notes on C\"\n"
	    "date: 2022-09-04T10:00:00+09:00\n"
	    "lastmod: 2022-09-05\n"
	    "draft: false\n"
	    "weight: 10\n"
	    "categories:\n"
	    "  - Programming\n"
	    "  - Life\n"
	    "tags: [c, programming, \"Unix\"]\n"
	    "description: |\n"
	    "  First line.\n"
	    "  Second line.\n"
	    "\n"
	    "  New paragraph.\n"
	    "images: [\"a.png\", \"b.png\"]\n"
	    "aliases:\n"
	    "  - /old/path/\n"
	    "resources:\n"
	    "  - src: a.png\n"
	    "    title: not the title\n"
	    "  - src: b.png\n"
	    "    params: {credit: someone}\n"
	    "slug: notes-on-c\n"
	    "lang: ja_JP\n"
	    "breaks: true\n"
	    "---\n"
	    "Body\n";
	struct page_meta	 m;

	is_int(PARSE(src, &m), 0, "hugo yaml: parses");
	is_str(m.title, "Notes on C", "hugo yaml: title");
	is_int(m.date, 1662253200, "hugo yaml: date");
	is_int(m.tzoff, 540, "hugo yaml: zone");
	TAGS(&m, "Programming", "Life", "c", "Unix");
	is_str(m.summary, "First line.\nSecond line.\n\nNew paragraph.",
	    "hugo yaml: block scalar description");
	is_str(m.slug, "notes-on-c", "hugo yaml: slug");
	is_str(m.lang, "ja-JP", "hugo yaml: lang, _ read as -");
	is_int(m.breaks, 1, "hugo yaml: breaks");
	is_int(m.draft, 0, "hugo yaml: draft false");
	is_str(body(src, &m), "Body\n", "hugo yaml: body");
	ok(m.err == NULL, "hugo yaml: no error");
	is_int(m.naliases, 1, "hugo yaml: one alias");
	is_str(m.naliases > 0 ? m.aliases[0] : NULL, "/old/path/",
	    "hugo yaml: alias");
	is_str(m.image, "a.png", "hugo yaml: the first of images");
	page_meta_free(&m);
}

/* Hugo's default TOML front matter. */
static void
test_hugo_toml(void)
{
	static const char	 src[] =
	    "+++\n"
	    "# a comment\n"
	    "title = \"Caf\\u00e9 \\\"notes\\\"\"\n"
	    "date = 2022-09-04T10:00:00+09:00\n"
	    "lastmod = 2022-09-05 11:00:00Z\n"
	    "draft = true\n"
	    "weight = 1_000\n"
	    "ratio = -1.5e3\n"
	    "hex = 0xdead_beef\n"
	    "when = 07:32:00\n"
	    "tags = [\n"
	    "  \"go\",   # first\n"
	    "  'c:\\path',\n"
	    "  [\"nested\", \"ignored\"],\n"
	    "  { name = \"ignored\" },\n"
	    "]\n"
	    "categories = \"Web Development, Go\"\n"
	    "summary = '''\n"
	    "Literal \\n kept\n"
	    "second line'''\n"
	    "description = \"\"\"\n"
	    "Folded \\\n"
	    "    with a line-ending backslash.\"\"\"\n"
	    "author = { name = \"Ada\", links = [\"x\", {a = 1}] }\n"
	    "\"quoted key\" = 1\n"
	    "site.title = \"dotted, ignored\"\n"
	    "slug = 'my-post'\n"
	    "[params]\n"
	    "title = \"not the page title\"\n"
	    "[[cascade]]\n"
	    "draft = false\n"
	    "+++\n"
	    "Body\n";
	struct page_meta	 m;

	is_int(PARSE(src, &m), 0, "hugo toml: parses");
	is_str(m.title, "Caf\xc3\xa9 \"notes\"", "hugo toml: title, escapes");
	ok(m.has_date, "hugo toml: bare date");
	is_int(m.date, 1662253200, "hugo toml: date value");
	is_int(m.tzoff, 540, "hugo toml: zone");
	is_int(m.draft, 1, "hugo toml: draft");
	/* "Go" is "go" again: tags are deduplicated ignoring ASCII case. */
	TAGS(&m, "go", "c:\\path", "Web Development");
	is_str(m.summary, "Folded with a line-ending backslash.",
	    "hugo toml: description beats summary");
	is_str(m.slug, "my-post", "hugo toml: slug");
	is_int(m.naliases, 0, "hugo toml: no aliases");
	is_str(m.image, NULL, "hugo toml: no image");
	is_str(body(src, &m), "Body\n", "hugo toml: body");
	is_str(m.err, NULL, "hugo toml: no error");
	page_meta_free(&m);

	is_int(PARSE("+++\nsummary = '''\nLiteral \\n kept\nline'''\n"
	    "date = 2022-09-04\n+++\n", &m), 0, "toml literal");
	is_str(m.summary, "Literal \\n kept\nline", "toml: multi-line literal");
	is_int(m.date, 1662249600, "toml: local date");
	page_meta_free(&m);

	is_int(PARSE("+++\ndate = \"2022/09/4\"\nbreaks = false\n+++\n", &m),
	    0, "toml string date");
	is_int(m.date, 1662249600, "toml: date in a string");
	is_int(m.breaks, 0, "toml: breaks false");
	page_meta_free(&m);

	is_int(PARSE("+++\ns = \"\"\"a\"\"\"\"\"\ntitle = \"\"\"x\"\"\"\"\n"
	    "+++\n", &m), 0, "toml quotes");
	is_str(m.title, "x\"", "toml: quote before closing quotes");
	ok(m.err == NULL, "toml: quotes no error");
	page_meta_free(&m);
}

/* Hugo JSON front matter. */
static void
test_hugo_json(void)
{
	static const char	 src[] =
	    "{\n"
	    "  \"title\": \"JSON \\u00e9t\\u00e9 \\ud83d\\ude00\",\n"
	    "  \"date\": \"2022-09-04T10:00:00+09:00\",\n"
	    "  \"tags\": [\"a\", {\"x\": [1, 2]}, \"b\", null, 3],\n"
	    "  \"categories\": \"c\",\n"
	    "  \"params\": {\"title\": \"no\", \"deep\": [[{}]]},\n"
	    "  \"weight\": -1.5e+3,\n"
	    "  \"draft\": false,\n"
	    "  \"summary\": \"line\\nnext\\ttab\",\n"
	    "  \"slug\": null\n"
	    "}\n"
	    "Body with } brace\n";
	struct page_meta	 m;

	is_int(PARSE(src, &m), 0, "hugo json: parses");
	is_str(m.title, "JSON \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80",
	    "hugo json: title, escapes and a surrogate pair");
	is_int(m.date, 1662253200, "hugo json: date");
	TAGS(&m, "a", "b", "3", "c");
	is_str(m.summary, "line\nnext tab", "hugo json: summary");
	is_str(m.slug, NULL, "hugo json: null slug");
	is_int(m.draft, 0, "hugo json: draft false");
	is_str(body(src, &m), "Body with } brace\n", "hugo json: body");
	ok(m.err == NULL, "hugo json: no error");
	page_meta_free(&m);

	is_int(PARSE("{}\nBody\n", &m), 0, "json: empty object");
	is_str(body("{}\nBody\n", &m), "Body\n", "json: empty object body");
	page_meta_free(&m);

	is_int(PARSE("{\"title\": \"\\ud800x\"}\n", &m), 0, "json: lone "
	    "surrogate");
	is_str(m.title, "\xef\xbf\xbdx", "json: lone surrogate is U+FFFD");
	page_meta_free(&m);
}

/* Jekyll: space-separated tags and categories, published: false. */
static void
test_jekyll(void)
{
	static const char	 src[] =
	    "---\n"
	    "layout: post\n"
	    "title:  \"Welcome to my site\"\n"
	    "date:   2020-09-04 12:46:54 +0900\n"
	    "categories: jekyll update\n"
	    "tags: a b\n"
	    "published: false\n"
	    "permalink: /blog/welcome/\n"
	    "---\n"
	    "Body\n";
	struct page_meta	 m;

	is_int(PARSE(src, &m), 0, "jekyll: parses");
	is_str(m.title, "Welcome to my site", "jekyll: title");
	is_int(m.date, 1599191214, "jekyll: date");
	is_int(m.tzoff, 540, "jekyll: zone");
	TAGS(&m, "jekyll", "update", "a", "b");
	is_int(m.draft, 1, "jekyll: published false is a draft");
	is_str(m.layout, "post", "jekyll: layout");
	is_int(m.naliases, 1, "jekyll: permalink is an alias");
	is_str(m.naliases > 0 ? m.aliases[0] : NULL, "/blog/welcome/",
	    "jekyll: permalink path");
	page_meta_free(&m);

	is_int(PARSE("---\npublished: true\ndraft: yes\ncategory: One\n---\n",
	    &m), 0, "jekyll: draft yes");
	is_int(m.draft, 1, "jekyll: draft yes wins over published");
	TAGS(&m, "One");
	page_meta_free(&m);

	is_int(PARSE("---\npublished: 2021-12-31\n---\n", &m), 0,
	    "published as a date");
	ok(m.has_date && m.date == 1640908800 && m.tzoff == 0,
	    "published date: a date, not a flag");
	is_int(m.draft, 0, "published date: not a draft");
	page_meta_free(&m);
}

/* Zenn: emoji, type, topics, published, published_at in Japan time. */
static void
test_zenn(void)
{
	static const char	 src[] =
	    "---\n"
	    "title: \"Zenn\xe3\x81\xae\xe8\xa8\x98\xe4\xba\x8b \xf0\x9f\x8e\x89\"\n"
	    "emoji: \"\xf0\x9f\x98\xb8\"\n"
	    "type: \"tech\"\n"
	    "topics: [\"react\", \"typescript\", \"React\"]\n"
	    "published: true\n"
	    "published_at: 2023-01-02 09:30\n"
	    "---\n"
	    "\xe6\x9c\xac\xe6\x96\x87\n";
	struct page_meta	 m;

	is_int(PARSE(src, &m), 0, "zenn: parses");
	is_str(m.title, "Zenn\xe3\x81\xae\xe8\xa8\x98\xe4\xba\x8b "
	    "\xf0\x9f\x8e\x89", "zenn: title with emoji");
	TAGS(&m, "react", "typescript");
	is_int(m.draft, 0, "zenn: published");
	is_int(m.date, 1672619400, "zenn: published_at is Japan time");
	is_int(m.tzoff, 540, "zenn: zone +09:00");
	page_meta_free(&m);

	is_int(PARSE("---\ntopics: []\npublished: false\n"
	    "published_at: 2023-01-02 09:30\ndate: 2022-09-04\n---\n", &m), 0,
	    "zenn: unpublished");
	is_int(m.draft, 1, "zenn: published false");
	is_int(m.date, 1662249600, "zenn: date beats published_at");
	page_meta_free(&m);
}

/* Old paths (aliases, permalink) and the cover image in every dialect. */
static void
test_aliases_images(void)
{
	struct page_meta	 m;

	is_int(PARSE("+++\naliases = [\"/old/\", \"/2019/01/x.html\", "
	    "\"/old/\", \"rel-name\"]\nimages = [\"/img/a.png\", "
	    "\"/img/b.png\"]\n+++\n", &m), 0, "toml aliases: parses");
	is_int(m.naliases, 3, "toml aliases: three, deduplicated");
	if (m.naliases == 3) {
		is_str(m.aliases[0], "/old/", "toml aliases: first");
		is_str(m.aliases[1], "/2019/01/x.html", "toml aliases: second");
		is_str(m.aliases[2], "rel-name", "toml aliases: relative kept");
	}
	is_str(m.image, "/img/a.png", "toml images: the first");
	page_meta_free(&m);

	is_int(PARSE("{\"aliases\": \"/one/\", \"coverImage\": \"c.jpg\", "
	    "\"images\": [\"i.jpg\"]}\n", &m), 0, "json aliases: parses");
	is_int(m.naliases, 1, "json aliases: a string is one alias");
	is_str(m.image, "c.jpg", "json: coverImage beats images");
	page_meta_free(&m);

	/* Rank, not order: ogImage < images < image < coverImage. */
	is_int(PARSE("---\nogImage: {url: og.png}\nimages: [i.png]\n"
	    "image: im.png\ncoverImage: cv.png\n---\n", &m), 0,
	    "image ranks: parses");
	is_str(m.image, "cv.png", "image ranks: coverImage wins");
	page_meta_free(&m);
	is_int(PARSE("---\ncoverImage: cv.png\nimage: im.png\n"
	    "ogImage:\n  url: og.png\n---\n", &m), 0, "image ranks 2: parses");
	is_str(m.image, "cv.png", "image ranks: coverImage first still wins");
	page_meta_free(&m);

	/* Hugo PaperMod's cover.image; Chirpy's image.path; cover: false. */
	is_int(PARSE("---\ncover:\n  image: /c/p.png\n  alt: x\n---\n", &m),
	    0, "cover.image: parses");
	is_str(m.image, "/c/p.png", "cover.image");
	page_meta_free(&m);
	is_int(PARSE("---\nimage:\n  path: /ch/p.webp\n  lqip: data:x\n---\n",
	    &m), 0, "image.path: parses");
	is_str(m.image, "/ch/p.webp", "image.path");
	page_meta_free(&m);
	is_int(PARSE("---\ncover: false\nimages: []\n---\n", &m), 0,
	    "cover false: parses");
	is_str(m.image, NULL, "cover: false is no image");
	page_meta_free(&m);

	/* Jekyll permalinks: patterns and style names are not paths. */
	is_int(PARSE("---\npermalink: /:categories/:title/\n---\n", &m), 0,
	    "permalink pattern: parses");
	is_int(m.naliases, 0, "permalink pattern: no alias");
	page_meta_free(&m);
	is_int(PARSE("---\npermalink: pretty\n---\n", &m), 0,
	    "permalink style: parses");
	is_int(m.naliases, 0, "permalink style: no alias");
	page_meta_free(&m);
	is_int(PARSE("---\naliases: [/a/]\npermalink: /about/\n---\n", &m), 0,
	    "aliases and permalink: parses");
	is_int(m.naliases, 2, "aliases and permalink: both");
	page_meta_free(&m);

	/* A path with a space is refused and reported. */
	is_int(PARSE("---\naliases:\n  - /ok/\n  - \"/not ok/\"\n---\n", &m),
	    0, "bad alias: parses");
	is_int(m.naliases, 1, "bad alias: dropped");
	ok(m.err != NULL && m.err_line == 4, "bad alias: reported on line 4");
	page_meta_free(&m);
	is_int(PARSE("---\naliases:\n  - {from: /x/}\n  - [/y/]\n---\n", &m),
	    0, "nested aliases: parses");
	is_int(m.naliases, 0, "nested aliases: ignored");
	page_meta_free(&m);
}

static void
test_bom_crlf(void)
{
	static const char	 src[] =
	    "\xef\xbb\xbf---\r\n"
	    "title: CRLF post\r\n"
	    "description: >\r\n"
	    "  folded\r\n"
	    "  text\r\n"
	    "tags:\r\n"
	    "  - x\r\n"
	    "---\r\n"
	    "Body\r\n";
	static const char	 toml[] =
	    "\xef\xbb\xbf+++\r\ntitle = \"t\"\r\ntags = [\r\n\"a\",\r\n]\r\n"
	    "+++\r\nB";
	static const char	 bomonly[] = "\xef\xbb\xbf# Title\n";
	struct page_meta	 m;

	is_int(PARSE(src, &m), 0, "bom crlf: parses");
	is_str(m.title, "CRLF post", "bom crlf: title");
	is_str(m.summary, "folded text", "bom crlf: folded scalar");
	TAGS(&m, "x");
	is_str(body(src, &m), "Body\r\n", "bom crlf: body");
	ok(m.err == NULL, "bom crlf: no error");
	page_meta_free(&m);

	is_int(PARSE(toml, &m), 0, "bom crlf toml: parses");
	is_str(m.title, "t", "bom crlf toml: title");
	TAGS(&m, "a");
	is_str(body(toml, &m), "B", "bom crlf toml: body");
	ok(m.err == NULL, "bom crlf toml: no error");
	page_meta_free(&m);

	is_int(PARSE(bomonly, &m), 0, "bom only");
	is_int(m.body, 0, "bom only: body 0");
	page_meta_free(&m);
}

static void
test_shapes(void)
{
	struct page_meta	 m;
	static const char	 dots[] = "---\ntitle: Dots\n...\nBody\n";
	static const char	 empty[] = "---\n---\nBody\n";
	static const char	 eof[] = "---\ntitle: x\n---";
	static const char	 ws[] = "--- \t\ntitle: x\n---  \nBody";
	static const char	 prose[] =
	    "---\nAn introduction between two rules.\n\nMore text.\n---\nB\n";
	static const char	 comments[] = "---\n# only a comment\n---\nB";
	static const char	 yaml[] =
	    "---\n"
	    "base: &t Anchored title\n"
	    "title: *t\n"
	    "nulls: &n ~\n"
	    "tags: [*t, *n, *missing, ~, \"\", \"  spaced   out  \"]\n"
	    "? [complex, key]\n"
	    ": value\n"
	    "<<: {merged: 1}\n"
	    "summary: ''\n"
	    "excerpt: \"  Second choice  \"\n"
	    "author: [{name: a}, {name: b}]\n"
	    "multi: |\n"
	    "  ---\n"
	    "  not a fence, indented\n"
	    "nested: {a: {b: {c: [1, 2, {d: e}]}}}\n"
	    "Title: Case-insensitive keys, the later wins\n"
	    "---\n"
	    "Body\n";

	is_int(PARSE(dots, &m), 0, "dots close");
	is_str(m.title, "Dots", "dots close: title");
	is_str(body(dots, &m), "Body\n", "dots close: body");
	page_meta_free(&m);

	is_int(PARSE(empty, &m), 0, "empty block");
	is_str(body(empty, &m), "Body\n", "empty block: body");
	ok(m.err == NULL && m.title == NULL, "empty block: nothing");
	page_meta_free(&m);

	is_int(PARSE(eof, &m), 0, "fence at EOF");
	is_str(m.title, "x", "fence at EOF: title");
	is_int(m.body, sizeof(eof) - 1, "fence at EOF: empty body");
	page_meta_free(&m);

	is_int(PARSE(ws, &m), 0, "fences with blanks");
	is_str(m.title, "x", "fences with blanks: title");
	is_str(body(ws, &m), "Body", "fences with blanks: body");
	page_meta_free(&m);

	is_int(PARSE(prose, &m), 0, "prose between rules");
	is_int(m.body, 0, "prose: kept as Markdown");
	is_int(m.err_line, 2, "prose: reported");
	is_str(m.err, "front matter is not a YAML mapping", "prose: message");
	page_meta_free(&m);

	is_int(PARSE(comments, &m), 0, "comments only");
	ok(m.err == NULL && m.body == sizeof(comments) - 2,
	    "comments only: empty front matter");
	page_meta_free(&m);

	is_int(PARSE(yaml, &m), 0, "yaml shapes");
	is_str(m.title, "Case-insensitive keys, the later wins",
	    "yaml shapes: title");
	TAGS(&m, "Anchored title", "spaced out");
	is_str(m.summary, "Second choice", "yaml shapes: empty summary "
	    "does not count");
	is_str(body(yaml, &m), "Body\n", "yaml shapes: body");
	ok(m.err == NULL, "yaml shapes: no error");
	page_meta_free(&m);

	is_int(PARSE("---\ntitle:\nsummary: ~\ndescription: \"\"\n---\n", &m),
	    0, "nulls");
	ok(m.title == NULL && m.summary == NULL, "nulls: stay NULL");
	page_meta_free(&m);

	is_int(PARSE("---\ntitle: \"Two\\nlines\\tand\\x01ctl\"\n---\n", &m),
	    0, "title with controls");
	is_str(m.title, "Two lines and ctl", "title: one line, no controls");
	page_meta_free(&m);

	/* Preference, not order. */
	is_int(PARSE("---\nexcerpt: e\nsummary: s\ndescription: d\n---\n",
	    &m), 0, "summary order 1");
	is_str(m.summary, "d", "description wins");
	page_meta_free(&m);
	is_int(PARSE("---\ndescription: d\nexcerpt: e\nsummary: s\n---\n",
	    &m), 0, "summary order 2");
	is_str(m.summary, "d", "description wins, written first");
	page_meta_free(&m);
	is_int(PARSE("---\nexcerpt: e\nsummary: s\n---\n", &m), 0,
	    "summary order 3");
	is_str(m.summary, "s", "summary beats excerpt");
	page_meta_free(&m);

	is_int(PARSE("---\ntags: \"machine learning, go ,, \"\n---\n", &m), 0,
	    "comma tags");
	TAGS(&m, "machine learning", "go");
	page_meta_free(&m);
}

static void
test_checks(void)
{
	struct page_meta	 m;

	is_int(PARSE("---\nlang: \"en\\r\\nX-Evil: 1\"\ntitle: t\n---\n", &m),
	    0, "lang injection");
	is_str(m.lang, NULL, "lang injection: dropped");
	is_int(m.err_line, 2, "lang injection: reported");
	is_str(m.err, "invalid lang", "lang injection: message");
	is_str(m.title, "t", "lang injection: rest read");
	page_meta_free(&m);

	is_int(PARSE("---\nslug: ../../etc\n---\n", &m), 0, "slug climb");
	is_str(m.slug, NULL, "slug climb: dropped");
	is_str(m.err, "invalid slug", "slug climb: reported");
	page_meta_free(&m);
	is_int(PARSE("---\nslug: guide/./x\n---\n", &m), 0, "slug dot");
	is_str(m.slug, NULL, "slug dot: dropped");
	page_meta_free(&m);
	/* Docusaurus writes slugs as paths. */
	is_int(PARSE("---\nslug: /guide/intro\n---\n", &m), 0, "slug path");
	is_str(m.slug, "/guide/intro", "slug path: kept");
	page_meta_free(&m);
	is_int(PARSE("---\nslug: /\n---\n", &m), 0, "slug root");
	is_str(m.slug, "/", "slug root: kept");
	page_meta_free(&m);

	is_int(PARSE("---\ntitle: a\ndate: soon\n---\n", &m), 0, "bad date");
	ok(!m.has_date, "bad date: no date");
	is_int(m.err_line, 3, "bad date: line");
	is_str(m.err, "unrecognised date", "bad date: message");
	is_str(m.title, "a", "bad date: title kept");
	page_meta_free(&m);

	is_int(PARSE("---\ndraft: maybe\nbreaks: 7\n---\n", &m), 0,
	    "not booleans");
	ok(m.draft == 0 && m.breaks == -1, "not booleans: ignored");
	page_meta_free(&m);
}

static void
test_broken(void)
{
	struct page_meta	 m;
	static const char	 yaml[] =
	    "---\n"
	    "title: Kept\n"
	    "tags: [kept]\n"
	    "date: 2022-09-04\n"
	    "bad: value: here\n"
	    "description: lost\n"
	    "---\n"
	    "Body\n";
	static const char	 quote[] =
	    "---\n"
	    "title: Kept\n"
	    "summary: \"never closed\n"
	    "slug: x\n"
	    "---\n"
	    "Body\n";
	static const char	 unterminated[] =
	    "---\n"
	    "title: Looks like front matter\n"
	    "\n"
	    "But the closing fence never comes.\n";
	static const char	 toml[] =
	    "+++\n"
	    "title = \"Kept\"\n"
	    "tags = [\"a\"]\n"
	    "date = not a date\n"
	    "slug = \"lost\"\n"
	    "+++\n"
	    "Body\n";
	static const char	 json[] =
	    "{\n"
	    "  \"title\": \"Kept\",\n"
	    "  \"tags\": [\"a\" \"b\"],\n"
	    "  \"slug\": \"lost\"\n"
	    "}\n"
	    "Body\n";
	static const char	 jsonopen[] = "{\n  \"title\": \"x\"\nBody\n";

	is_int(PARSE(yaml, &m), 0, "broken yaml: parses");
	is_str(m.title, "Kept", "broken yaml: title kept");
	TAGS(&m, "kept");
	ok(m.has_date && m.date == 1662249600, "broken yaml: date kept");
	is_str(m.summary, NULL, "broken yaml: after the error lost");
	is_int(m.err_line, 5, "broken yaml: file line");
	is_str(m.err, "mapping values are not allowed in this context",
	    "broken yaml: libyaml's message");
	is_str(body(yaml, &m), "Body\n", "broken yaml: body after fence");
	page_meta_free(&m);

	is_int(PARSE(quote, &m), 0, "broken quote: parses");
	is_str(m.title, "Kept", "broken quote: title kept");
	is_int(m.err_line, 3, "broken quote: line of the opening quote");
	is_str(body(quote, &m), "Body\n", "broken quote: body");
	page_meta_free(&m);

	is_int(PARSE("\xef\xbb\xbf---\r\na: 1\r\nb: [\r\n---\r\n", &m), 0,
	    "broken flow, bom crlf");
	is_int(m.err_line, 3, "broken flow: line of the bracket");
	page_meta_free(&m);

	is_int(PARSE(unterminated, &m), 0, "unterminated: parses");
	is_int(m.body, 0, "unterminated: body 0");
	is_str(m.title, NULL, "unterminated: not front matter");
	is_int(m.err_line, 1, "unterminated: line 1");
	is_str(m.err, "front matter block is not closed",
	    "unterminated: message");
	page_meta_free(&m);

	is_int(PARSE("+++\ntitle = \"x\"\n", &m), 0, "unterminated toml");
	ok(m.body == 0 && m.title == NULL && m.err_line == 1,
	    "unterminated toml: not front matter");
	page_meta_free(&m);

	is_int(PARSE(toml, &m), 0, "broken toml: parses");
	is_str(m.title, "Kept", "broken toml: title kept");
	TAGS(&m, "a");
	is_str(m.slug, NULL, "broken toml: after the error lost");
	is_int(m.err_line, 4, "broken toml: file line");
	is_str(m.err, "invalid value", "broken toml: message");
	is_str(body(toml, &m), "Body\n", "broken toml: body");
	page_meta_free(&m);

	is_int(PARSE("+++\ntitle = \"x\n+++\n", &m), 0, "toml open string");
	ok(m.err_line == 2 && m.title == NULL,
	    "toml open string: line 2, nothing read");
	page_meta_free(&m);

	is_int(PARSE("+++\na = \"\\q\"\n+++\n", &m), 0, "toml bad escape");
	is_str(m.err, "invalid escape in string", "toml bad escape: message");
	page_meta_free(&m);

	is_int(PARSE("+++\na = [1,\n2,\n\"x\" \"y\"]\n+++\n", &m), 0,
	    "toml bad array");
	is_int(m.err_line, 4, "toml bad array: line in the array");
	page_meta_free(&m);

	is_int(PARSE("+++\n[params\ntitle = \"no\"\n+++\n", &m), 0,
	    "toml bad header");
	ok(m.err_line == 2 && m.title == NULL, "toml bad header: reported");
	page_meta_free(&m);

	is_int(PARSE(json, &m), 0, "broken json: parses");
	is_str(m.title, "Kept", "broken json: title kept");
	TAGS(&m, "a");
	is_str(m.slug, NULL, "broken json: after the error lost");
	is_int(m.err_line, 3, "broken json: file line");
	is_str(m.err, "expected ',' or ']'", "broken json: message");
	is_str(body(json, &m), "Body\n", "broken json: body after brace");
	page_meta_free(&m);

	is_int(PARSE(jsonopen, &m), 0, "unterminated json");
	ok(m.body == 0 && m.title == NULL && m.err_line == 1,
	    "unterminated json: not front matter");
	page_meta_free(&m);

	is_int(PARSE("{\"title\": \"a\"} trailing\n", &m), 0, "json trailing");
	is_str(m.title, "a", "json trailing: title");
	is_str(body("{\"title\": \"a\"} trailing\n", &m), "trailing\n",
	    "json trailing: body starts after the brace");
	page_meta_free(&m);
}

static void
test_garbage(void)
{
	struct page_meta	 m;
	static const char	 utf8[] =
	    "---\n"
	    "title: Caf\xe9 \xff\xfe\n"
	    "tags: [ok]\n"
	    "---\n"
	    "Body\n";
	static const char	 nul[] =
	    "---\ntitle: a\0b\nslug: s\n---\nBody\0\n";
	static const char	 tomlnul[] =
	    "+++\ntitle = \"a\0b\"\n+++\n";
	static const char	 jsonctl[] =
	    "{\"title\": \"a\x01\", \"slug\": \"s\"}\n";
	char			*big, *p;
	size_t			 i, n;
	uint32_t		 seed = 12345;
	const char		*heads[] = { "---\n", "+++\n", "{\"", "" };

	is_int(PARSE(utf8, &m), 0, "bad utf-8: parses");
	is_str(m.title, "Caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd",
	    "bad utf-8: replaced, rest kept");
	TAGS(&m, "ok");
	is_int(m.err_line, 2, "bad utf-8: line");
	is_str(m.err, "invalid UTF-8", "bad utf-8: message");
	page_meta_free(&m);

	is_int(PARSE(nul, &m), 0, "NUL: parses");
	is_str(m.title, "a\xef\xbf\xbd" "b", "NUL: replaced");
	is_str(m.slug, "s", "NUL: rest kept");
	is_str(m.err, "control character", "NUL: reported");
	is_int(m.body, 27, "NUL: body");
	page_meta_free(&m);

	is_int(PARSE(tomlnul, &m), 0, "toml NUL");
	is_str(m.title, "a\xef\xbf\xbd" "b", "toml NUL: replaced");
	page_meta_free(&m);

	is_int(PARSE(jsonctl, &m), 0, "json control");
	ok(m.err_line == 1 && m.title != NULL, "json control: reported, "
	    "sanitised first");
	page_meta_free(&m);

	/* Deep nesting is bounded, not a stack overflow. */
	n = 200000;
	if ((big = malloc(n + 64)) == NULL)
		abort();
	p = big;
	p += sprintf(p, "+++\na = ");
	for (i = 0; i < n / 2; i++)
		*p++ = '[';
	p += sprintf(p, "\n+++\nB");
	is_int(frontmatter_parse(big, (size_t)(p - big), &m), 0,
	    "deep toml");
	is_str(m.err, "nesting too deep", "deep toml: refused");
	page_meta_free(&m);
	p = big;
	p += sprintf(p, "{\"a\":");
	for (i = 0; i < n / 2; i++)
		*p++ = '[';
	for (i = 0; i < n / 2; i++)
		*p++ = ']';
	p += sprintf(p, "}\nB");
	is_int(frontmatter_parse(big, (size_t)(p - big), &m), 0,
	    "deep json");
	is_str(m.err, "nesting too deep", "deep json: refused");
	is_str(body(big, &m), "B", "deep json: body still found");
	page_meta_free(&m);
	/* libyaml is quadratic in flow depth: cut before it gets there. */
	p = big;
	p += sprintf(p, "---\ntitle: kept\nx: [\n a: ");
	for (i = 0; i < n / 2; i++)
		*p++ = '[';
	for (i = 0; i < n / 2; i++)
		*p++ = ']';
	p += sprintf(p, "]\nslug: lost\n---\nB");
	is_int(frontmatter_parse(big, (size_t)(p - big), &m), 0,
	    "deep yaml");
	is_str(m.title, "kept", "deep yaml: read up to it");
	is_int(m.err_line, 4, "deep yaml: line");
	is_str(m.err, "nesting too deep", "deep yaml: refused");
	is_str(body(big, &m), "B", "deep yaml: body");
	page_meta_free(&m);
	is_int(PARSE("---\na: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	    "]]]]]]]]]]]]]\ntitle: t\n---\n", &m), 0, "yaml depth 62");
	ok(m.err == NULL && m.title != NULL, "yaml depth 62: fine");
	page_meta_free(&m);
	free(big);

	/* Many tags: bounded, deduplicated. */
	n = 1000 * 8 + 64;
	if ((big = malloc(n)) == NULL)
		abort();
	p = big;
	p += sprintf(p, "---\ntags:\n");
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "- t%zu\n", i % 400);
	p += sprintf(p, "---\n");
	is_int(frontmatter_parse(big, (size_t)(p - big), &m), 0, "many tags");
	is_int(m.ntags, 256, "many tags: capped");
	is_str(m.err, "too many tags", "many tags: reported");
	page_meta_free(&m);
	free(big);

	/* Many aliases, likewise. */
	n = 1000 * 12 + 64;
	if ((big = malloc(n)) == NULL)
		abort();
	p = big;
	p += sprintf(p, "---\naliases:\n");
	for (i = 0; i < 1000; i++)
		p += sprintf(p, "- /a/%zu\n", i % 400);
	p += sprintf(p, "---\n");
	is_int(frontmatter_parse(big, (size_t)(p - big), &m), 0,
	    "many aliases");
	is_int(m.naliases, 64, "many aliases: capped");
	is_str(m.err, "too many aliases", "many aliases: reported");
	page_meta_free(&m);
	free(big);

	/* The image and alias keys with random values and shapes. */
	n = 512;
	if ((big = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < 5000; i++) {
		static const char *const keys[] = { "aliases", "images",
		    "ogImage", "image", "coverImage", "permalink", "cover",
		    "url" };
		const char *alpha = "-{}[]\"':,\n /x.png\t";
		size_t	 j, k;

		p = big;
		p += sprintf(p, "---\n");
		for (k = 0; k < 6; k++) {
			seed = seed * 1103515245 + 12345;
			p += sprintf(p, "%s%s:", (seed >> 20) & 1 ? "  " : "",
			    keys[(seed >> 16) % 8]);
			for (j = 0; j < 12; j++) {
				seed = seed * 1103515245 + 12345;
				*p++ = (seed >> 24) % 7 == 0 ?
				    (char)(seed >> 16) : alpha[(seed >> 16) %
				    strlen(alpha)];
			}
			*p++ = '\n';
		}
		p += sprintf(p, "---\n");
		if (frontmatter_parse(big, (size_t)(p - big), &m) != 0 ||
		    !clean_meta(&m)) {
			ok(0, "random image keys %zu", i);
			break;
		}
		page_meta_free(&m);
	}
	ok(i == 5000, "random image and alias keys: 5000 parses, all clean");
	free(big);

	/* Random bytes after each kind of opening. */
	n = 512;
	if ((big = malloc(n)) == NULL)
		abort();
	for (i = 0; i < 20000; i++) {
		size_t	 j, h, len;
		const char *alpha = "-+{}[]\"'\\:,#\n\r\t =&*!|>~.0123456789"
		    "abtrufle";

		h = i % 4;
		len = strlen(heads[h]);
		memcpy(big, heads[h], len);
		for (j = len; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			big[j] = (seed >> 16) & 1 ? alpha[(seed >> 17) % 40] :
			    (char)(seed >> 20);
		}
		seed = seed * 1103515245 + 12345;
		len = len + (seed >> 8) % (n - len);
		if (frontmatter_parse(big, len, &m) != 0 || m.body > len ||
		    !clean_meta(&m)) {
			ok(0, "random input %zu", i);
			break;
		}
		page_meta_free(&m);
	}
	page_meta_free(&m);
	ok(i == 20000, "random input: 20000 parses, all clean");
	free(big);
}

/* Terms per taxonomy: the default map (every kind of tag is a tag) and
 * a site's own (Hugo's series, Jekyll's category), in all three
 * dialects. */
static void
test_terms(void)
{
	static const struct fm_taxonomy site[] = {
		{ "tags", "tags" }, { "categories", "categories" },
		{ "category", "categories" }, { "series", "series" },
		{ NULL, NULL } };
	static const char yaml[] = "---\ntags: [Go, c]\ncategories: Go\n"
	    "series:\n  - Harbour Birds\n  - harbour birds\ntopics: [x]\n"
	    "---\n";
	static const char toml[] = "+++\ncategory = \"News\"\n"
	    "series = [\"S\"]\n+++\n";
	static const char json[] = "{\"tags\": [\"a\"], \"series\": \"S\"}\n";
	struct page_meta m;

	is_int(PARSE(yaml, &m), 0, "terms: default map parses");
	is_int((int)m.nterms, 3, "terms: default map: tags, categories, "
	    "topics are tags, Go once");
	is_str(m.nterms == 3 ? m.terms[2] : "", "tags/x", "terms: topics");
	is_int((int)m.ntags, 3, "terms: series are not tags");
	page_meta_free(&m);
	is_int(frontmatter_parse_site(yaml, sizeof(yaml) - 1, site, &m), 0,
	    "terms: site map parses");
	is_int((int)m.nterms, 4, "terms: Go in two taxonomies, the series "
	    "once, topics not a taxonomy");
	is_str(m.nterms == 4 ? m.terms[2] : "", "categories/Go",
	    "terms: a category");
	is_str(m.nterms == 4 ? m.terms[3] : "", "series/Harbour Birds",
	    "terms: a series");
	is_int((int)m.ntags, 3, "terms: tags as before (Go, c, x)");
	page_meta_free(&m);
	is_int(frontmatter_parse_site(toml, sizeof(toml) - 1, site, &m), 0,
	    "terms: TOML parses");
	is_int((int)m.nterms, 2, "terms: TOML category and series");
	is_str(m.nterms == 2 ? m.terms[0] : "", "categories/News",
	    "terms: Jekyll's category is a category");
	page_meta_free(&m);
	is_int(frontmatter_parse_site(json, sizeof(json) - 1, site, &m), 0,
	    "terms: JSON parses");
	is_str(m.nterms == 2 ? m.terms[1] : "", "series/S",
	    "terms: a JSON series string");
	page_meta_free(&m);
}

int
main(void)
{
	test_dates();
	test_none();
	test_nextjs();
	test_hugo_yaml();
	test_hugo_toml();
	test_hugo_json();
	test_jekyll();
	test_zenn();
	test_aliases_images();
	test_bom_crlf();
	test_shapes();
	test_checks();
	test_broken();
	test_garbage();
	test_terms();
	return tap_done();
}

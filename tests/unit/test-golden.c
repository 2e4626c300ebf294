/*
 * test-golden: renders every NAME.md of the golden directory (argv[1],
 * else $GOLDEN_DIR, else tests/golden) as gemtext, gophermap and plain
 * text and compares byte for byte with NAME.gmi, NAME.gophermap and
 * NAME.txt (GOLDEN_UPDATE=1 rewrites them), and every native gemtext
 * page gmi/NAME.gmi as gophermap and plain text; checks every gophermap
 * line's framing; tests the other entry points; then renders
 * pathological inputs built in memory (huge, deep, broken) against a
 * CPU-time limit.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "doc.h"
#include "frontmatter.h"
#include "gmiparse.h"
#include "markdown.h"
#include "page.h"
#include "tap.h"
#include "textwidth.h"

#define OUT_MAX		((size_t)256 << 20)
/* CPU seconds per pathological render: far above the ~1.5 s the slowest
 * case takes under ASan, so a loaded machine cannot fail it, while a
 * quadratic blow-up (minutes) still does. */
#define TIME_LIMIT	6.0

struct format {
	enum md_format	 fmt;
	const char	*ext;
};

static const struct format formats[] = {
	{ MD_GEMTEXT, "gmi" },
	{ MD_GOPHERMAP, "gophermap" },
	{ MD_TEXT, "txt" },
};

/* Native gemtext is served as it is over Gemini. */
static const struct format gmi_formats[] = {
	{ MD_GOPHERMAP, "gophermap" },
	{ MD_TEXT, "txt" },
};

typedef int	(*render_fn)(const char *, size_t, const char *,
		    enum md_format, struct buf *);

static int
read_file(const char *path, struct buf *b)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 rv = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) == -1) {
			rv = -1;
			break;
		}
	if (ferror(f))
		rv = -1;
	fclose(f);
	return rv;
}

static int
write_file(const char *path, const struct buf *b)
{
	FILE	*f;
	int	 rv = 0;

	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len)
		rv = -1;
	if (fclose(f) != 0)
		rv = -1;
	return rv;
}

/* Every line `T display TAB selector TAB host TAB port CRLF', the menu
 * ending with ".\r\n"; *why says what is wrong. */
static int
check_gophermap(const char *s, size_t n, size_t *lineno, const char **why)
{
	size_t		 i = 0, e, tabs, k, p;
	const char	*port;

	*lineno = 0;
	while (i < n) {
		++*lineno;
		for (e = i; e < n && s[e] != '\n'; e++)
			;
		if (e == n || e == i || s[e - 1] != '\r') {
			*why = "line not ended by CRLF";
			return -1;
		}
		if (e - i == 2 && s[i] == '.') {
			if (e + 1 != n) {
				*why = "text after the final \".\"";
				return -1;
			}
			return 0;
		}
		for (tabs = 0, k = i; k < e - 1; k++) {
			if (s[k] == '\t')
				tabs++;
			if (s[k] == '\r' || s[k] == '\0') {
				*why = "CR or NUL inside a line";
				return -1;
			}
		}
		if (tabs != 3) {
			*why = "not exactly three TABs";
			return -1;
		}
		if (s[i] <= ' ' || s[i] > '~') {
			*why = "bad item type";
			return -1;
		}
		for (p = e - 1; s[p - 1] != '\t'; p--)
			;
		port = s + p;
		if (p == e - 1) {
			*why = "empty port";
			return -1;
		}
		for (; port < s + e - 1; port++)
			if (*port < '0' || *port > '9') {
				*why = "port not numeric";
				return -1;
			}
		i = e + 1;
	}
	*why = "no final \".\" line";
	return -1;
}

static int
valid_utf8(const char *s, size_t n)
{
	size_t	 i, l;
	int32_t	 cp;

	for (i = 0; i < n; i += l) {
		l = tw_next(s + i, n - i, &cp);
		if (cp == TW_INVALID)
			return 0;
	}
	return 1;
}

/* First differing line, for the failure message. */
static void
diff_hint(const struct buf *want, const struct buf *got)
{
	size_t	 i = 0, line = 1, ls = 0, we, ge;

	while (i < want->len && i < got->len && want->data[i] == got->data[i]) {
		if (want->data[i] == '\n') {
			line++;
			ls = i + 1;
		}
		i++;
	}
	for (we = ls; we < want->len && want->data[we] != '\n'; we++)
		;
	for (ge = ls; ge < got->len && got->data[ge] != '\n'; ge++)
		;
	printf("#   first difference at line %zu\n", line);
	printf("#   -%.*s\n", (int)(we - ls), want->data ? want->data + ls : "");
	printf("#   +%.*s\n", (int)(ge - ls), got->data ? got->data + ls : "");
}

/* A native gemtext page served at /docs/NAME.gmi, in fmt. */
static int
render_gmi(const char *src, size_t len, const char *name, enum md_format fmt,
    struct buf *out)
{
	struct md_doc	 d;
	struct md_opts	 o;
	char		 path[512];
	int		 rv;

	snprintf(path, sizeof(path), "/docs/%s.gmi", name);
	if (gmi_parse(&d, src, len, path, "localhost", NULL, OUT_MAX) == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	o.width = 67;
	o.host = "localhost";
	o.port = 7070;
	rv = doc_emit(&d, fmt, &o, out);
	md_doc_free(&d);
	return rv;
}

/*
 * The site every golden case is rendered in: what a Jekyll site's
 * _config.yml and _includes/ would give (the site model fills the same
 * callbacks from the real files).
 */
static const char *
site_var(void *arg, const char *key)
{
	(void)arg;
	if (strcmp(key, "repository") == 0)
		return "https://github.com/example/project";
	if (strcmp(key, "title") == 0)
		return "Example Docs";
	if (strcmp(key, "github.user") == 0)
		return "example";
	return NULL;
}

static int
site_include(void *arg, const char *name, struct buf *out)
{
	(void)arg;
	if (strcmp(name, "note.md") == 0)
		return buf_puts(out, "**Note:** this text comes from an "
		    "include written in Markdown.\n");
	if (strcmp(name, "contact.html") == 0)
		return buf_puts(out, "<p>Write to <a href=\"mailto:team@"
		    "example.org\">the team</a>.</p>\n");
	if (strcmp(name, "callout.html") == 0)
		return buf_puts(out, "<div class=\"callout\">{{ include."
		    "content }}</div>\n");
	return -1;
}

static const struct md_site golden_site = { site_var, site_include, NULL, NULL };

/* NAME.ext rendered as the post /posts/NAME.ext. */
static int
render_ext(const char *src, size_t len, const char *name, const char *ext,
    enum md_format fmt, struct buf *out)
{
	struct page_meta	 meta;
	struct md_opts		 o;
	char			 path[512];
	int			 rv;

	if (frontmatter_parse(src, len, &meta) == -1)
		return -1;
	snprintf(path, sizeof(path), "/posts/%s%s", name, ext);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.meta = &meta;
	o.fallback_title = name;
	o.breaks = -1;
	o.is_post = 1;
	o.width = 67;
	o.host = "localhost";
	o.port = 7070;
	o.site = &golden_site;
	rv = page_render(src + meta.body, len - meta.body, fmt, &o, out);
	page_meta_free(&meta);
	return rv;
}

static int
render(const char *src, size_t len, const char *name, enum md_format fmt,
    struct buf *out)
{
	return render_ext(src, len, name, ".md", fmt, out);
}

/* MDX: the same converter, which reads ESM and JSX in .mdx files. */
static int
render_mdx(const char *src, size_t len, const char *name, enum md_format fmt,
    struct buf *out)
{
	return render_ext(src, len, name, ".mdx", fmt, out);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every dir/NAME.in of a golden directory against NAME.<format>. */
static void
golden(const char *dir, const char *in, render_fn render_as,
    const struct format *fmts, size_t nfmts, int update)
{
	DIR		*dp;
	struct dirent	*de;
	char		**names = NULL, **nn, path[4096];
	size_t		 nnames = 0, i, f, len, lineno;
	struct buf	 src, got, want;
	const char	*why;

	if ((dp = opendir(dir)) == NULL) {
		ok(0, "open %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len <= strlen(in) ||
		    strcmp(de->d_name + len - strlen(in), in) != 0)
			continue;
		if ((nn = realloc(names, (nnames + 1) * sizeof(*nn))) == NULL)
			break;
		names = nn;
		names[nnames++] = strndup(de->d_name, len - strlen(in));
	}
	closedir(dp);
	if (nnames > 0)
		qsort(names, nnames, sizeof(*names), cmp_names);
	ok(nnames > 0, "golden cases found in %s", dir);

	for (i = 0; i < nnames; i++) {
		buf_init(&src, OUT_MAX);
		snprintf(path, sizeof(path), "%s/%s%s", dir, names[i], in);
		if (read_file(path, &src) == -1) {
			ok(0, "read %s", path);
			buf_free(&src);
			continue;
		}
		for (f = 0; f < nfmts; f++) {
			buf_init(&got, OUT_MAX);
			buf_init(&want, OUT_MAX);
			snprintf(path, sizeof(path), "%s/%s.%s", dir, names[i],
			    fmts[f].ext);
			if (render_as(src.data ? src.data : "", src.len,
			    names[i], fmts[f].fmt, &got) == -1)
				ok(0, "%s.%s: render failed", names[i],
				    fmts[f].ext);
			else if (update) {
				int written = write_file(path, &got) == 0;

				ok(written, "%s.%s: written", names[i],
				    fmts[f].ext);
			} else if (read_file(path, &want) == -1)
				ok(0, "%s.%s: missing (make golden-update)",
				    names[i], fmts[f].ext);
			else {
				int same = got.len == want.len &&
				    memcmp(got.data, want.data, got.len) == 0;

				ok(same, "%s.%s", names[i], fmts[f].ext);
				if (!same)
					diff_hint(&want, &got);
			}
			if (fmts[f].fmt == MD_GOPHERMAP) {
				int good = check_gophermap(got.data, got.len,
				    &lineno, &why) == 0;

				ok(good, "%s.gophermap: valid menu lines",
				    names[i]);
				if (!good)
					printf("#   line %zu: %s\n", lineno, why);
			}
			ok(valid_utf8(got.data, got.len), "%s.%s: valid UTF-8",
			    names[i], fmts[f].ext);
			buf_free(&got);
			buf_free(&want);
		}
		buf_free(&src);
		free(names[i]);
	}
	free(names);
}

/*-------------------------------------------------------------------
 * Pathological inputs, built in memory
 */

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
repeat(struct buf *b, const char *s, size_t times)
{
	while (times-- > 0)
		buf_puts(b, s);
}

static void
torture_as(const char *name, const struct buf *in, render_fn render_as,
    const struct format *fmts, size_t nfmts)
{
	struct buf	 out;
	size_t		 f, lineno;
	const char	*why;
	double		 t0, dt;
	int		 rv, good;

	for (f = 0; f < nfmts; f++) {
		buf_init(&out, OUT_MAX);
		t0 = now();
		rv = render_as(in->data, in->len, "torture", fmts[f].fmt,
		    &out);
		dt = now() - t0;
		ok(rv == 0 && dt < TIME_LIMIT, "%s: %s in %.3f s, %zu bytes",
		    name, fmts[f].ext, dt, out.len);
		if (fmts[f].fmt == MD_GOPHERMAP) {
			good = check_gophermap(out.data, out.len, &lineno,
			    &why) == 0;
			ok(good, "%s: valid menu lines", name);
			if (!good)
				printf("#   line %zu: %s\n", lineno, why);
		}
		ok(valid_utf8(out.data, out.len), "%s: %s valid UTF-8", name,
		    fmts[f].ext);
		buf_free(&out);
	}
}

static void
torture(const char *name, const struct buf *in)
{
	torture_as(name, in, render, formats,
	    sizeof(formats) / sizeof(formats[0]));
}

static void
torture_gmi(const char *name, const struct buf *in)
{
	torture_as(name, in, render_gmi, gmi_formats,
	    sizeof(gmi_formats) / sizeof(gmi_formats[0]));
}

static void
pathological(void)
{
	struct buf	 b;
	size_t		 i;
	unsigned	 seed = 12345;

	buf_init(&b, OUT_MAX);
	repeat(&b, "lorem ipsum dolor sit amet ", 40000);
	torture("1 MB Latin paragraph", &b);

	buf_reset(&b);
	repeat(&b, "日本語の文章が改行なしで続きます。", 20000);
	torture("1 MB CJK paragraph", &b);

	buf_reset(&b);
	repeat(&b, "x", 1 << 20);
	torture("1 MB word", &b);

	buf_reset(&b);
	repeat(&b, "line of text\n", 80000);
	torture("1 MB of soft breaks", &b);

	buf_reset(&b);
	repeat(&b, "> ", 10000);
	buf_puts(&b, "deep quote\n");
	torture("10,000 nested quotes", &b);

	buf_reset(&b);
	repeat(&b, "- ", 10000);
	buf_puts(&b, "deep list\n");
	torture("10,000 nested lists", &b);

	buf_reset(&b);
	repeat(&b, "1. > ", 5000);
	buf_puts(&b, "lists in quotes\n");
	torture("5,000 lists in quotes", &b);

	buf_reset(&b);
	repeat(&b, "[", 10000);
	buf_puts(&b, "x");
	repeat(&b, "](u)", 10000);
	torture("10,000 nested brackets", &b);

	buf_reset(&b);
	repeat(&b, "*", 10000);
	buf_puts(&b, "x");
	repeat(&b, "*", 10000);
	torture("10,000 emphasis markers", &b);

	buf_reset(&b);
	for (i = 0; i < 50000; i++)
		buf_printf(&b, "[l%zu](https://example.com/%zu) ", i, i % 5000);
	torture("50,000 links in a paragraph", &b);

	buf_reset(&b);
	repeat(&b, "![](a.png)", 50000);
	torture("50,000 images", &b);

	buf_reset(&b);
	for (i = 0; i < 50000; i++)
		buf_printf(&b, "see [l%zu](/p/%zu.md)  \nand\n", i, i);
	torture("50,000 links between breaks", &b);

	buf_reset(&b);
	repeat(&b, "| a | b |\n|---|---|\n", 1);
	repeat(&b, "| [x](y)<br>[z](w)<br> | <br><br> |\n", 20000);
	torture("20,000 table rows with breaks", &b);

	buf_reset(&b);
	buf_puts(&b, "|");
	repeat(&b, "a|", 2000);
	buf_puts(&b, "\n|");
	repeat(&b, "-|", 2000);
	buf_puts(&b, "\n");
	repeat(&b, "|x\n", 20000);
	torture("2,000 columns over 20,000 short rows", &b);

	buf_reset(&b);
	buf_puts(&b, "|a|\n|-|\n|");
	repeat(&b, "a|", 50000);
	torture("a row of 50,000 cells", &b);

	buf_reset(&b);
	repeat(&b, "- [a](b)\n", 50000);
	torture("50,000 list items of links", &b);

	buf_reset(&b);
	repeat(&b, "<div><a href=\"x\"><script>", 20000);
	torture("20,000 unclosed tags", &b);

	buf_reset(&b);
	repeat(&b, "| a | b |\n|---|---|\n", 1);
	repeat(&b, "| 日本 | [x](y) |\n", 30000);
	torture("30,000 table rows", &b);

	buf_reset(&b);
	buf_puts(&b, "```\n");
	repeat(&b, "unclosed fence\t\x01\xff\n", 30000);
	torture("unclosed fence", &b);

	buf_reset(&b);
	for (i = 0; i < (1 << 18); i++) {
		seed = seed * 1103515245 + 12345;
		buf_putc(&b, (int)(seed >> 16) & 0xff);
	}
	torture("256 KB random bytes", &b);

	buf_reset(&b);
	repeat(&b, "[^a]", 20000);
	buf_puts(&b, "\n\n[^a]: note\n");
	torture("20,000 footnote references", &b);

	/* Generator syntax: every unclosed tag searched for its end. */
	buf_reset(&b);
	repeat(&b, "{{< a \"", 100000);
	torture("100,000 unterminated shortcodes", &b);

	buf_reset(&b);
	repeat(&b, "{{< a b ", 100000);
	buf_puts(&b, ">}}");
	torture("a shortcode of 100,000 arguments", &b);

	buf_reset(&b);
	repeat(&b, "{% highlight x %}\n", 50000);
	torture("50,000 unclosed highlights", &b);

	buf_reset(&b);
	repeat(&b, "{% highlight x %}\n```\n", 20000);
	buf_puts(&b, "{% endhighlight %}\n");
	torture("20,000 highlights, one closing tag", &b);

	buf_reset(&b);
	repeat(&b, "{%{{{:[f:id:^[`", 60000);
	torture("60,000 tag openers on one line", &b);

	buf_reset(&b);
	repeat(&b, ":::message\n", 50000);
	repeat(&b, "text\n", 50000);
	torture("50,000 nested ::: blocks", &b);

	buf_reset(&b);
	repeat(&b, "{{< details >}}\n", 30000);
	repeat(&b, "{{< /details >}}\n", 30000);
	torture("30,000 nested quote shortcodes", &b);

	buf_reset(&b);
	repeat(&b, "x^[note] ", 50000);
	torture("50,000 inline footnotes", &b);

	buf_reset(&b);
	repeat(&b, "`` ", 100000);
	buf_puts(&b, "`{{< figure src=x >}}");
	torture("100,000 unmatched code spans", &b);

	buf_reset(&b);
	repeat(&b, "{% comment %}", 50000);
	torture("50,000 unclosed comments", &b);

	buf_reset(&b);
	repeat(&b, "[https://e.org/x:embed:cite]\n@[card](https://e.org)\n"
	    "{: .c}\n> [!NOTE]\n", 20000);
	torture("20,000 embeds, alerts and attribute lists", &b);

	/* Native gemtext. */
	buf_reset(&b);
	repeat(&b, "=> ../x.gmi a link\n", 50000);
	torture_gmi("gemtext: 50,000 link lines", &b);

	buf_reset(&b);
	repeat(&b, "日本語の文章が改行なしで続きます。", 20000);
	torture_gmi("gemtext: a 1 MB CJK line", &b);

	buf_reset(&b);
	buf_puts(&b, "```\n");
	repeat(&b, "unclosed\t\x01\xff\r\n", 30000);
	torture_gmi("gemtext: unclosed preformatted block", &b);

	buf_reset(&b);
	for (i = 0; i < (1 << 18); i++) {
		seed = seed * 1103515245 + 12345;
		buf_putc(&b, (int)(seed >> 16) & 0xff);
	}
	torture_gmi("gemtext: 256 KB random bytes", &b);
	buf_free(&b);
}

/*-------------------------------------------------------------------
 * The other entry points
 */

static void
map_is(const char *href, enum md_format fmt, const char *want_url,
    enum md_link_kind want_kind, char want_type)
{
	struct buf		 out;
	struct md_target	 t;
	int			 rv;

	buf_init(&out, 4096);
	rv = md_link_map(href, strlen(href), "/posts/a b/page.md", NULL, fmt, &out,
	    &t);
	ok(rv == 0 && t.kind == want_kind &&
	    (want_kind == MDL_NONE || t.type == want_type || fmt == MD_GEMTEXT),
	    "map %s %s: kind %d type %c", fmt == MD_GEMTEXT ? "gemini" :
	    "gopher", href, (int)t.kind, t.type ? t.type : '-');
	is_str(out.data ? out.data : "", want_url, href);
	buf_free(&out);
}

/*
 * A URL scheme as the site model gives one: "/posts/long.md" is a post
 * whose canonical path is far longer than the link (a CJK title made
 * into a permalink), "/LICENSE" a file without an extension.
 */
static int
test_canon(void *arg, const char *path, size_t n, struct buf *out)
{
	int i;

	(void)arg;
	if (n == 14 && memcmp(path, "/posts/long.md", n) == 0) {
		if (buf_puts(out, "/2024/") == -1)
			return -1;
		for (i = 0; i < 100; i++)
			if (buf_puts(out, "灯台") == -1)
				return -1;
		return buf_putc(out, '/') == -1 ? -1 : 1;
	}
	if (n == 8 && memcmp(path, "/LICENSE", n) == 0)
		return buf_append(out, path, n) == -1 ? -1 : 3;
	return 0;
}

static void
map_urls(void)
{
	static const struct md_urls	 urls = { test_canon, NULL, NULL };
	struct buf			 out, want;
	struct md_target		 t;
	int				 i;

	buf_init(&out, 1 << 16);
	buf_init(&want, 1 << 16);
	buf_puts(&want, "/2024/");
	for (i = 0; i < 100; i++)
		buf_puts(&want, "%E7%81%AF%E5%8F%B0");
	buf_putc(&want, '/');
	is_int(md_link_map("long.md", 7, "/posts/a.md", &urls, MD_GOPHERMAP,
	    &out, &t), 0, "map: a canonical path longer than the link");
	is_str(out.data ? out.data : "", want.data, "map: the whole of it");
	is_int(t.type, '1', "map: a page is a menu");
	buf_reset(&out);
	is_int(md_link_map("/LICENSE", 8, "/posts/a.md", &urls, MD_GOPHERMAP,
	    &out, &t), 0, "map: a file without an extension");
	is_str(out.data ? out.data : "", "/LICENSE", "map: its path kept");
	is_int(t.type, '9', "map: the file's type, not a route's menu");
	buf_reset(&out);
	md_link_map("/posts/hello", 12, "/posts/a.md", &urls, MD_GOPHERMAP,
	    &out, &t);
	is_int(t.type, '1', "map: an unknown path without extension: a route");
	buf_free(&out);
	buf_free(&want);
}

/* md_page_title by rule: want is the title, NULL for none. */
static void
title_is(const char *src, enum md_title_rule rule, const char *want,
    const char *name)
{
	struct buf	b;
	char		what[256];
	int		r;

	snprintf(what, sizeof(what), "page title, %s", name);
	buf_init(&b, 4096);
	r = md_page_title(src, strlen(src), rule, &b);
	if (want == NULL)
		is_int(r, 1, what);
	else if (r != 0 || buf_putc(&b, '\0') == -1)
		ok(0, "%s", what);
	else
		is_str(b.data, want, what);
	buf_free(&b);
}

static void
api(void)
{
	struct buf		 b;
	struct md_target	 t;
	struct md_opts		 o;
	const char		*s;

	map_is("other.md", MD_GEMTEXT, "/posts/a%20b/other", MDL_LOCAL, 0);
	map_is("other.md", MD_GOPHERMAP, "/posts/a%20b/other", MDL_LOCAL, '1');
	map_is("other.markdown#part", MD_GEMTEXT, "/posts/a%20b/other",
	    MDL_LOCAL, 0);
	map_is("../x/index.md", MD_GEMTEXT, "/posts/x/", MDL_LOCAL, 0);
	map_is("../x/index.md", MD_GOPHERMAP, "/posts/x/", MDL_LOCAL, '1');
	map_is("/posts/other/", MD_GOPHERMAP, "/posts/other/", MDL_LOCAL, '1');
	map_is("../../../../etc/passwd", MD_GEMTEXT, "/etc/passwd", MDL_LOCAL, 0);
	map_is("./img/cat%20photo.JPG", MD_GOPHERMAP,
	    "/posts/a%20b/img/cat%20photo.JPG", MDL_LOCAL, 'I');
	map_is("/anim.gif?v=2", MD_GOPHERMAP, "/anim.gif", MDL_LOCAL, 'g');
	map_is("/files/x.tar.gz", MD_GOPHERMAP, "/files/x.tar.gz", MDL_LOCAL,
	    '9');
	map_is("/notes.txt", MD_GOPHERMAP, "/notes.txt", MDL_LOCAL, '0');
	map_is("/posts/hello-world", MD_GOPHERMAP, "/posts/hello-world",
	    MDL_LOCAL, '1');
	map_is("日本.md", MD_GEMTEXT,
	    "/posts/a%20b/%E6%97%A5%E6%9C%AC", MDL_LOCAL, 0);
	map_is("#anchor", MD_GEMTEXT, "", MDL_NONE, 0);
	map_is("", MD_GEMTEXT, "", MDL_NONE, 0);
	map_is("javascript:alert(1)", MD_GOPHERMAP, "", MDL_NONE, 0);
	map_is("DATA:text/html,x", MD_GEMTEXT, "", MDL_NONE, 0);
	map_is("https://e.org/a b", MD_GEMTEXT, "https://e.org/a%20b",
	    MDL_REMOTE, 0);
	map_is("https://e.org/x", MD_GOPHERMAP, "URL:https://e.org/x",
	    MDL_REMOTE, 'h');
	map_is("gemini://e.org/", MD_GOPHERMAP, "URL:gemini://e.org/",
	    MDL_REMOTE, 'h');
	map_is("//cdn.e.org/x.js", MD_GEMTEXT, "https://cdn.e.org/x.js",
	    MDL_REMOTE, 0);
	map_is("mailto:me@e.org", MD_GOPHERMAP, "URL:mailto:me@e.org",
	    MDL_REMOTE, 'h');
	map_is("gopher://e.org:7071/0/a%20b.txt", MD_GOPHERMAP, "/a b.txt",
	    MDL_GOPHER, '0');
	map_is("gopher://e.org", MD_GOPHERMAP, "", MDL_GOPHER, '1');
	map_is("gopher://e.org/0/a%09b", MD_GOPHERMAP, "URL:gopher://e.org/0/a%09b",
	    MDL_REMOTE, 'h');
	map_is("gopher://e.org/1/x", MD_GEMTEXT, "gopher://e.org/1/x",
	    MDL_GOPHER, 0);

	buf_init(&b, 4096);
	md_link_map("gopher://[::1]:70/1/x", 21, "/", NULL, MD_GOPHERMAP, &b, &t);
	is_str(t.host, "[::1]", "gopher URL: IPv6 host");
	is_int(t.port, 70, "gopher URL: port");
	buf_reset(&b);

	s = "Intro\n\n# The *first* `heading`\n\n## Second\n";
	is_int(md_page_title(s, strlen(s), MD_TITLE_SCREEN, &b), 0,
	    "page title: found");
	is_str(b.data, "The first heading",
	    "page title: a level-1 heading beats a short first line");
	buf_reset(&b);
	s = "Intro\n\n## Part one\n\n## Part two\n";
	is_int(md_page_title(s, strlen(s), MD_TITLE_SCREEN, &b), 0, "page title: short line");
	is_str(b.data, "Intro",
	    "page title: a section heading is not the title, a short line is");
	buf_reset(&b);
	s = "no heading here, and a sentence that ends.\n";
	is_int(md_page_title(s, strlen(s), MD_TITLE_SCREEN, &b), 1, "page title: none");
	buf_reset(&b);
	s = "A long first paragraph that goes on.\n\n\n\n\n\n\n\n\n\n\n\n"
	    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n# Far down\n";
	is_int(md_page_title(s, strlen(s), MD_TITLE_SCREEN, &b), 1,
	    "page title: never a heading past the first screen");

	/* The generators' own rules (sitetitle.c picks them). */
	title_is("## 概要\n\nText.\n\n### 使い方\n", MD_TITLE_H1, NULL,
	    "Docusaurus: a level-2 heading is no title");
	title_is("import Tabs from '@theme/Tabs';\nimport X from './x';\n\n"
	    "# Setting up `rsync`\n\nText.\n", MD_TITLE_H1,
	    "Setting up rsync", "Docusaurus: h1 after MDX imports");
	title_is("Intro line\n\n# Later\n", MD_TITLE_H1, NULL,
	    "Docusaurus: an h1 after text is no title");
	title_is("### Notes on tides\n\nText.\n", MD_TITLE_HEADING,
	    "Notes on tides", "Jekyll page: a first-line h3");
	title_is("#### Deep\n", MD_TITLE_HEADING, NULL,
	    "Jekyll page: h4 is not taken");
	title_is("# Heading\n", MD_TITLE_NAME, NULL,
	    "Hugo, Jekyll documents: never from the body");

	buf_reset(&b);
	s = "![logo](x.png)\n\nThe *first* paragraph, with a [link](x)\n"
	    "over two lines.\n\nSecond.\n";
	is_int(md_summary(s, strlen(s), 200, &b), 0, "summary: ok");
	is_str(b.data, "The first paragraph, with a link over two lines.",
	    "summary: first text paragraph, one line");
	buf_reset(&b);
	md_summary(s, strlen(s), 30, &b);
	ok(b.len <= 30, "summary: at most max bytes (%zu)", b.len);
	is_str(b.data, "The first paragraph, with a…", "summary: cut at a word");
	buf_reset(&b);
	s = "日本語の文章がずっと続いていきます。";
	md_summary(s, strlen(s), 20, &b);
	is_str(b.data, "日本語の文…", "summary: cut at a character");
	buf_reset(&b);

	s = "# Title\n\nSome *text* with <b>tags</b>.\n\n- one\n- two\n";
	is_int(md_plaintext(s, strlen(s), &b), 0, "plaintext: ok");
	is_str(b.data, "Title\nSome text with tags.\none\ntwo\n",
	    "plaintext: one block per line");
	buf_reset(&b);
	s = "커피를 마셨다.\n\n| 메뉴 | 가격 |\n|------|------|\n"
	    "| 라떼 | 5000 |\n\n```\nlet x = 1;\n```\n\n    indented();\n\n"
	    "맛있었다.\n";
	is_int(md_plaintext(s, strlen(s), &b), 0, "plaintext: tables, code");
	is_str(b.data, "커피를 마셨다.\n맛있었다.\n\f\n메뉴 가격 ---- ---- "
	    "라떼 5000\nlet x = 1;\nindented();\n",
	    "plaintext: the prose, then code and tables after a form feed");
	buf_reset(&b);

	memset(&o, 0, sizeof(o));
	o.breaks = 1;
	s = "line one\nline two";
	is_int(page_render(s, strlen(s), MD_GEMTEXT, &o, &b), 0,
	    "render: minimal opts");
	is_str(b.data, "# Untitled\n\nline one\nline two\n",
	    "render: breaks kept by option, default title");
	buf_reset(&b);
	o.breaks = 0;
	page_render(s, strlen(s), MD_GEMTEXT, &o, &b);
	is_str(b.data, "# Untitled\n\nline one line two\n",
	    "render: breaks joined by option");
	buf_reset(&b);
	page_render(s, strlen(s), MD_GOPHERMAP, &o, &b);
	is_str(b.data, "iUntitled\t\tlocalhost\t70\r\n"
	    "i========\t\tlocalhost\t70\r\n"
	    "i\t\tlocalhost\t70\r\n"
	    "iline one line two\t\tlocalhost\t70\r\n.\r\n",
	    "render: gophermap with default host and port");
	buf_reset(&b);
	s = ".";
	page_render(s, strlen(s), MD_TEXT, &o, &b);
	is_str(b.data, "Untitled\n========\n\n. \n",
	    "render: a lone dot line in text is sent as \". \"");
	buf_free(&b);

	buf_init(&b, 16);
	s = "A paragraph that does not fit in sixteen bytes.";
	is_int(page_render(s, strlen(s), MD_GEMTEXT, &o, &b), -1,
	    "render: output limit reported");
	is_int(b.len, 0, "render: nothing left behind on failure");
	buf_free(&b);
}

int
main(int argc, char *argv[])
{
	const char	*update = getenv("GOLDEN_UPDATE");
	const char	*dir = getenv("GOLDEN_DIR");
	char		 gmidir[4096];
	int		 up = update != NULL && strcmp(update, "1") == 0;

	/* The directory: argv[1], else $GOLDEN_DIR (make check). */
	if (argc > 1)
		dir = argv[1];
	if (dir == NULL || *dir == '\0')
		dir = "tests/golden";
	snprintf(gmidir, sizeof(gmidir), "%s/gmi", dir);
	golden(dir, ".md", render, formats,
	    sizeof(formats) / sizeof(formats[0]), up);
	golden(dir, ".mdx", render_mdx, formats,
	    sizeof(formats) / sizeof(formats[0]), up);
	golden(gmidir, ".gmi", render_gmi, gmi_formats,
	    sizeof(gmi_formats) / sizeof(gmi_formats[0]), up);
	if (!up) {
		api();
		map_urls();
		pathological();
	}
	return tap_done();
}

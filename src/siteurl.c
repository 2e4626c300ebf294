/*
 * siteurl: the URL scheme the site model owns (see site.h): which
 * sources are posts, sections, private or unpublished, and the web path
 * each is published at (Hugo, Jekyll, Zenn, Hatena, Astro, Docusaurus,
 * Next.js rules), which is its canonical capsule path; the keys paths
 * are compared by.  Pure over a loaded struct site.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <utf8proc.h>

#include "buf.h"
#include "frontmatter.h"
#include "site.h"
#include "siteint.h"
#include "url.h"

/*------------------------------------------------------------ kinds */

int
site_has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

/* A Docusaurus plugin's ("docs", "blog") folder and route, as its
 * preset options set them, without the slashes around. */
static const char *
docu_opt(const struct site *s, const char *plugin, const char *opt,
    size_t *n)
{
	char		 key[64];
	const char	*v;

	snprintf(key, sizeof(key), "%s.%s", plugin, opt);
	if ((v = site_var(s, key)) == NULL || strstr(v, "..") != NULL)
		v = plugin;
	while (*v == '/' || *v == '.')
		v++;
	*n = strlen(v);
	while (*n > 0 && v[*n - 1] == '/')
		(*n)--;
	return v;
}

const char *
site_docu_dir(const struct site *s, const char *plugin)
{
	size_t		 n;
	const char	*v = docu_opt(s, plugin, "path", &n);

	/* A path with a trailing slash is the one case not served. */
	return v[n] == '\0' && n > 0 ? v : plugin;
}

int
site_in_dir(const char *rel, const char *dir)
{
	size_t n = strlen(dir);

	return n == 0 || (strncmp(rel, dir, n) == 0 && rel[n] == '/');
}

static const char *
file_name(const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return slash != NULL ? slash + 1 : rel;
}

/* Where a Jekyll post's "_posts/" folder starts in rel ("_posts/x.md",
 * "tech/_posts/x.md"), or NULL when rel is no post. */
static const char *
jekyll_posts_dir(const char *rel)
{
	const char *p;

	if (strncmp(rel, "_posts/", 7) == 0)
		return rel;
	return (p = strstr(rel, "/_posts/")) != NULL ? p + 1 : NULL;
}

int
site_is_section(const struct site *s, const char *rel)
{
	const char	*name = file_name(rel);
	size_t		 i, n;

	if (strncmp(name, "_index.", 7) == 0)
		return 1;
	if (strncmp(name, "index.", 6) != 0)
		return 0;
	/* A posts folder's own index.md lists the posts. */
	n = (size_t)(name - rel);
	for (i = 0; s->posts[i] != NULL; i++)
		if (n > 0 && strlen(s->posts[i]) == n - 1 &&
		    strncmp(rel, s->posts[i], n - 1) == 0)
			return 1;
	return 0;
}

int
site_is_post(const struct site *s, const char *rel)
{
	size_t i;

	if (site_is_section(s, rel))
		return 0;
	/* Jekyll also reads posts from a category's folder: tech/_posts/. */
	if (s->gen == SITE_JEKYLL && (s->posts[0] == NULL ||
	    strcmp(s->posts[0], "_posts") == 0) && jekyll_posts_dir(rel))
		return 1;
	for (i = 0; s->posts[i] != NULL; i++)
		if (site_in_dir(rel, s->posts[i]))
			return 1;
	return 0;
}

int
site_hides_future(const struct site *s)
{
	const char *v;

	if (s->gen == SITE_HUGO)
		return (v = site_var(s, "buildFuture")) == NULL ||
		    strcmp(v, "true") != 0;
	if (s->gen == SITE_JEKYLL)
		return (v = site_var(s, "future")) == NULL ||
		    strcmp(v, "true") != 0;
	return 0;
}

int
site_private_name(const struct site *s, const char *name, int top)
{
	size_t n = strlen(name);

	if (n == 0)
		return 0;
	if (name[n - 1] == '~' || (n > 1 && name[0] == '#' &&
	    name[n - 1] == '#') ||
	    site_has_suffix(name, n, ".bak") || site_has_suffix(name, n, ".orig") ||
	    site_has_suffix(name, n, ".swp") || site_has_suffix(name, n, ".swo") ||
	    site_has_suffix(name, n, ".rej"))
		return 1;
	if (strcmp(name, "node_modules") == 0 || strcmp(name, "_site") == 0)
		return 1;
	/* Hugo writes the site it builds into public/ (Next.js keeps its
	 * static files there instead), and its image cache in resources/. */
	return top && s != NULL && s->gen == SITE_HUGO &&
	    (strcmp(name, "public") == 0 || strcmp(name, "resources") == 0);
}

/*------------------------------------------------------------ paths */

/* Hugo's and Jekyll's slugs: lowercase (every script), spaces and
 * punctuation to '-', letters of other scripts kept. */
static int
urlize(struct buf *out, const char *s, size_t n)
{
	utf8proc_uint8_t	 enc[4];
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;
	size_t			 i;
	int			 dash = 0;

	for (i = 0; i < n; i += (size_t)k) {
		unsigned char c = (unsigned char)s[i];

		k = 1;
		if (c >= 0x80 || isalnum(c) || c == '_' || c == '.') {
			if (dash && out->len > 0 &&
			    out->data[out->len - 1] != '/' &&
			    buf_putc(out, '-') == -1)
				return -1;
			dash = 0;
			if (c < 0x80) {
				if (buf_putc(out, tolower(c)) == -1)
					return -1;
				continue;
			}
			k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
			    (utf8proc_ssize_t)(n - i), &cp);
			if (k < 1) {
				k = 1;
				continue;	/* not UTF-8: dropped */
			}
			if (buf_append(out, enc, (size_t)utf8proc_encode_char(
			    utf8proc_tolower(cp), enc)) == -1)
				return -1;
		} else if (c == '/') {
			dash = 0;
			if (buf_putc(out, '/') == -1)
				return -1;
		} else
			dash = 1;
	}
	if (dash && out->len > 0 && s[n - 1] == '-')
		return buf_putc(out, '-');
	return 0;
}

/* The file's stem, a bundle's folder name. */
void
site_stem(const char *rel, const char **p, size_t *n)
{
	const char	*name = file_name(rel), *dot;

	if ((strncmp(name, "index.", 6) == 0 ||
	    strncmp(name, "_index.", 7) == 0) && name > rel) {
		const char *d = name - 1;

		while (d > rel && d[-1] != '/')
			d--;
		*p = d;
		*n = (size_t)(name - 1 - d);
		return;
	}
	dot = strrchr(name, '.');
	*p = name;
	*n = dot != NULL ? (size_t)(dot - name) : strlen(name);
}

/* A "YYYY-MM-DD-" prefix: its length (11), else 0. */
size_t
site_date_prefix(const char *p, size_t n)
{
	size_t k;

	if (n < 11 || p[10] != '-')
		return 0;
	for (k = 0; k < 10; k++)
		if ((k == 4 || k == 7) ? p[k] != '-' :
		    !isdigit((unsigned char)p[k]))
			return 0;
	return 11;
}

/* Jekyll's post name, YYYY-MM-DD-title.EXT (month and day may have one
 * digit): the length of its date prefix with the '-', else 0. */
size_t
site_jekyll_date(const char *p, size_t n)
{
	size_t	 k = 0, run, part;

	for (part = 0; part < 3; part++) {
		for (run = 0; k < n && isdigit((unsigned char)p[k]); k++)
			run++;
		if (run < (part == 0 ? 2 : 1) || run > (part == 0 ? 4 : 2) ||
		    k >= n || p[k++] != '-')
			return 0;
	}
	return k;
}

struct fields {
	struct tm	 tm;
	const char	*title, *slug, *section, *filename, *categories,
			*path;
	char		 collection[128];
	size_t		 titlen, sluglen, seclen, fnlen, pathlen;
	const char	*ext;
};

/* A permalink pattern with :placeholders filled in. */
static int
expand(struct buf *out, const char *pat, const struct fields *f)
{
	static const char *const names[] = {
		"year", "month", "day", "i_month", "i_day", "short_year",
		"y_day", "title", "slug", "slugorfilename", "section",
		"sections", "filename", "contentbasename", "categories",
		"output_ext", "collection", "path", "name", "hour", "minute",
		"second", "slugorcontentbasename", NULL
	};
	const char	*p = pat, *e;
	size_t		 i, n, best, bestn;
	int		 r = 0;

	if (*p != '/' && buf_putc(out, '/') == -1)
		return -1;
	while (*p != '\0' && r == 0) {
		if (*p != ':') {
			r = buf_putc(out, *p++);
			continue;
		}
		for (e = p + 1; isalnum((unsigned char)*e) || *e == '_'; e++)
			;
		n = (size_t)(e - p - 1);
		best = SIZE_MAX;
		bestn = 0;
		for (i = 0; names[i] != NULL; i++)
			if (strlen(names[i]) <= n && strlen(names[i]) > bestn &&
			    strncmp(p + 1, names[i], strlen(names[i])) == 0) {
				best = i;
				bestn = strlen(names[i]);
			}
		if (best == SIZE_MAX) {
			r = buf_putc(out, *p++);
			continue;
		}
		p += 1 + bestn;
		switch (best) {
		case 0:
			r = buf_printf(out, "%04d", f->tm.tm_year + 1900);
			break;
		case 1:
			r = buf_printf(out, "%02d", f->tm.tm_mon + 1);
			break;
		case 2:
			r = buf_printf(out, "%02d", f->tm.tm_mday);
			break;
		case 3:
			r = buf_printf(out, "%d", f->tm.tm_mon + 1);
			break;
		case 4:
			r = buf_printf(out, "%d", f->tm.tm_mday);
			break;
		case 5:
			r = buf_printf(out, "%02d", f->tm.tm_year % 100);
			break;
		case 6:
			r = buf_printf(out, "%03d", f->tm.tm_yday + 1);
			break;
		case 7:
			r = urlize(out, f->title, f->titlen);
			break;
		case 8:
		case 9:
		case 22:
			r = f->slug != NULL ? urlize(out, f->slug, f->sluglen) :
			    best != 8 ? urlize(out, f->filename, f->fnlen) :
			    urlize(out, f->title, f->titlen);
			break;
		case 10:
		case 11:
			r = buf_append(out, f->section, f->seclen);
			break;
		case 12:
		case 13:
		case 18:
			r = urlize(out, f->filename, f->fnlen);
			break;
		case 14:
			/* Jekyll lowercases categories and keeps the rest. */
			for (e = f->categories; e != NULL && *e != '\0' &&
			    r == 0; e++)
				r = buf_putc(out, tolower((unsigned char)*e));
			break;
		case 15:
			r = buf_puts(out, f->ext);
			break;
		case 16:
			r = buf_puts(out, f->collection);
			break;
		case 17:
			r = buf_append(out, f->path, f->pathlen);
			break;
		case 19:
			r = buf_printf(out, "%02d", f->tm.tm_hour);
			break;
		case 20:
			r = buf_printf(out, "%02d", f->tm.tm_min);
			break;
		default:
			r = buf_printf(out, "%02d", f->tm.tm_sec);
			break;
		}
	}
	if (r == -1)
		return -1;
	/* Empty placeholders leave "//": one slash, as the generators do. */
	for (i = n = 0; i < out->len; i++)
		if (!(out->data[i] == '/' && n > 0 &&
		    out->data[n - 1] == '/'))
			out->data[n++] = out->data[i];
	out->len = n;
	return buf_putc(out, '\0') == -1 ? -1 : (out->len--, 0);
}

/* A Jekyll permalink style name, as its pattern. */
static const char *
jekyll_style(const char *v, int post)
{
	if (v == NULL || strcmp(v, "date") == 0)
		return post ? "/:categories/:year/:month/:day/:title:output_ext"
		    : NULL;
	if (strcmp(v, "pretty") == 0)
		return post ? "/:categories/:year/:month/:day/:title/" : "/";
	if (strcmp(v, "ordinal") == 0)
		return post ? "/:categories/:year/:y_day/:title:output_ext" :
		    NULL;
	if (strcmp(v, "weekdate") == 0)
		return post ? "/:categories/:year/W:week/:short_day/:title"
		    ":output_ext" : NULL;
	if (strcmp(v, "none") == 0)
		return post ? "/:categories/:title:output_ext" : NULL;
	return v;
}

/* The path of rel without its extension, a bundle as its folder. */
static int
plain_path(struct buf *out, const char *rel, int slash, const char *ext)
{
	const char	*name = file_name(rel), *dot;
	size_t		 n;

	if (buf_putc(out, '/') == -1)
		return -1;
	if (strncmp(name, "index.", 6) == 0 ||
	    strncmp(name, "_index.", 7) == 0 ||
	    strncmp(name, "README.", 7) == 0)
		return buf_append(out, rel, (size_t)(name - rel));
	dot = strrchr(name, '.');
	n = dot != NULL ? (size_t)(dot - rel) : strlen(rel);
	if (buf_append(out, rel, n) == -1)
		return -1;
	if (slash)
		return buf_putc(out, '/');
	return ext != NULL ? buf_puts(out, ext) : 0;
}

/*
 * The language a Hugo page is in: its language's contentDir holds it
 * (crel is moved past that folder), or its name says so ("about.en.md";
 * the code leaves the file name).  NULL when the site has one language.
 */
static const char *
hugo_lang(const struct site *s, const char *rel, const char **crel,
    struct fields *f)
{
	const char	*dot, *name;
	size_t		 i, n;
	int		 bundle;

	for (i = 0; i < s->nlangs; i++)
		if (s->langs[i].val[0] != '\0' && site_in_dir(rel,
		    s->langs[i].val)) {
			*crel = rel + strlen(s->langs[i].val) + 1;
			break;
		}
	/* "index.en.md" names its bundle: stem_of gave the folder. */
	name = file_name(rel);
	bundle = strncmp(name, "index.", 6) == 0 ||
	    strncmp(name, "_index.", 7) == 0;
	dot = bundle ? strchr(name, '.') : memrchr(f->filename, '.', f->fnlen);
	for (n = 0; n < s->nlangs && dot != NULL; n++)
		if (strncasecmp(dot + 1, s->langs[n].key,
		    strlen(s->langs[n].key)) == 0 &&
		    dot[1 + strlen(s->langs[n].key)] == '.') {
			if (!bundle)
				f->fnlen = (size_t)(dot - f->filename);
			return s->langs[n].key;
		}
	return i < s->nlangs ? s->langs[i].key : NULL;
}

const char *
site_lang_of(const struct site *s, const char *rel)
{
	struct fields	 f;
	const char	*crel = rel, *code, *v;
	char		 key[128];

	if (s->gen != SITE_HUGO || s->nlangs == 0)
		return NULL;
	memset(&f, 0, sizeof(f));
	site_stem(rel, &f.filename, &f.fnlen);
	if ((code = hugo_lang(s, rel, &crel, &f)) == NULL)
		return NULL;
	snprintf(key, sizeof(key), "languages.%s.languageCode", code);
	return (v = site_var(s, key)) != NULL && *v != '\0' ? v : code;
}

static int
hugo_path(const struct site *s, const char *rel, const struct page_meta *m,
    struct fields *f, struct buf *out)
{
	const char	*crel = rel, *pat = NULL, *name = file_name(rel), *sl;
	const char	*lang;
	size_t		 cn = strlen(s->content);
	char		 key[300];
	int		 ugly;

	if (cn > 0 && site_in_dir(rel, s->content))
		crel += cn + 1;
	lang = hugo_lang(s, rel, &crel, f);
	if (crel == rel && cn > 0)
		return plain_path(out, rel, 0, NULL);
	ugly = site_var(s, "uglyURLs") != NULL &&
	    strcmp(site_var(s, "uglyURLs"), "true") == 0;
	if (m->permalink != NULL) {	/* front matter url */
		if (m->permalink[0] != '/' && buf_putc(out, '/') == -1)
			return -1;
		return buf_puts(out, m->permalink);
	}
	/* Every language but the default one under its code: /en/x/. */
	if (lang != NULL && lang != s->deflang &&
	    (buf_putc(out, '/') == -1 || urlize(out, lang, strlen(lang)) ==
	    -1))
		return -1;
	if (strncmp(name, "_index.", 7) == 0) {
		if (buf_putc(out, '/') == -1 ||
		    urlize(out, crel, (size_t)(name - crel)) == -1)
			return -1;
		if (ugly && out->len > 1) {
			out->len--;
			return buf_puts(out, ".html");
		}
		return 0;
	}
	sl = strchr(crel, '/');
	f->section = sl != NULL ? crel : "";
	f->seclen = sl != NULL ? (size_t)(sl - crel) : 0;
	if (f->seclen > 0) {
		snprintf(key, sizeof(key), "permalinks.%.*s", (int)f->seclen,
		    f->section);
		if ((pat = site_var(s, key)) == NULL) {
			snprintf(key, sizeof(key), "permalinks.page.%.*s",
			    (int)f->seclen, f->section);
			pat = site_var(s, key);
		}
	}
	if (pat != NULL) {
		if (expand(out, pat, f) == -1)
			return -1;
		/* uglyURLs: "/x/" and "/x" are published as "/x.html". */
		if (ugly && out->len > 1) {
			if (out->data[out->len - 1] == '/')
				out->len--;
			return buf_puts(out, ".html");
		}
		return 0;
	}
	/* The folder path, then the slug or the file's name. */
	if (buf_putc(out, '/') == -1)
		return -1;
	if (f->filename > crel && urlize(out, crel,
	    (size_t)(f->filename - crel)) == -1)
		return -1;
	if ((m->slug != NULL ? urlize(out, m->slug, strlen(m->slug)) :
	    urlize(out, f->filename, f->fnlen)) == -1)
		return -1;
	return buf_puts(out, ugly && strncmp(name, "index.", 6) != 0 ?
	    ".html" : "/");
}

/* Whether a defaults scope path ("_posts/tech", "", "docs/[a-z]*") covers
 * rel: a folder of it or the file itself, a glob matched either way. */
static int
scope_covers(const char *scope, const char *rel)
{
	char	 pat[PATH_MAX];
	size_t	 n;

	while (strncmp(scope, "./", 2) == 0)
		scope += 2;
	n = strlen(scope);
	while (n > 0 && scope[n - 1] == '/')
		n--;
	if (n == 0)
		return 1;
	if (n >= sizeof(pat) - 3)
		return 0;
	memcpy(pat, scope, n);
	pat[n] = '\0';
	if (strpbrk(pat, "*?[") == NULL)
		return strcmp(rel, pat) == 0 || (strncmp(rel, pat, n) == 0 &&
		    rel[n] == '/');
	if (fnmatch(pat, rel, FNM_PATHNAME) == 0)
		return 1;
	memcpy(pat + n, "/*", 3);
	return fnmatch(pat, rel, 0) == 0;
}

/*
 * Jekyll's front matter defaults (_config.yml `defaults:`): the value of
 * values.KEY for rel, a document of the given type ("posts", "pages", a
 * collection's name), from the scope that wins where several cover it:
 * the longest path, then one naming the type, then the later entry.  Its
 * config key is copied to k (a list's items are k.0, k.1...).
 */
static const char *
jekyll_default(const struct site *s, const char *rel, const char *type,
    const char *key, char *k, size_t klen)
{
	const char	*best = NULL, *v, *t;
	char		 sk[64];
	unsigned	 item;
	size_t		 i, plen, bestlen = 0;
	int		 end, typed, besttyped = 0;

	for (i = 0; i < s->nvars; i++) {
		end = 0;
		if (sscanf(s->vars[i].key, "defaults.%u.values.%n", &item,
		    &end) != 1 || end == 0 ||
		    strcmp(s->vars[i].key + end, key) != 0)
			continue;
		snprintf(sk, sizeof(sk), "defaults.%u.scope.path", item);
		v = site_var(s, sk);
		snprintf(sk, sizeof(sk), "defaults.%u.scope.type", item);
		t = site_var(s, sk);
		if (!scope_covers(v != NULL ? v : "", rel) ||
		    (t != NULL && strcmp(t, type) != 0))
			continue;
		plen = v != NULL ? strlen(v) : 0;
		typed = t != NULL;
		/* Entries are in file order: a tie goes to the later one. */
		if (best != NULL && (plen < bestlen || (plen == bestlen &&
		    typed < besttyped)))
			continue;
		best = s->vars[i].val;
		bestlen = plen;
		besttyped = typed;
		snprintf(k, klen, "%s", s->vars[i].key);
	}
	return best;
}

/* Append category c (n bytes) to the '/'-joined list in b, lowercased as
 * :categories is, unless it is there already. */
static int
add_category(struct buf *b, const char *c, size_t n)
{
	size_t	 start = b->len, i, seg;

	if (n == 0)
		return 0;
	if (b->len > 0 && buf_putc(b, '/') == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (buf_putc(b, tolower((unsigned char)c[i])) == -1)
			return -1;
	/* Already listed: drop the copy just written. */
	for (i = 0; i < start; i = seg + 1) {
		for (seg = i; seg < start && b->data[seg] != '/'; seg++)
			;
		if (seg - i == n && memcmp(b->data + i, b->data +
		    b->len - n, n) == 0) {
			b->len = start;
			break;
		}
	}
	return 0;
}

/* Add the words of a string of categories, or a '/'-joined list. */
static int
add_categories(struct buf *b, const char *v, const char *seps)
{
	size_t n;

	while (v != NULL && *v != '\0') {
		n = strcspn(v, seps);
		if (add_category(b, v, n) == -1)
			return -1;
		v += n;
		v += strspn(v, seps);
	}
	return 0;
}

/*
 * A Jekyll post's categories as :categories reads them: those its
 * defaults give, those of its front matter, then the folders above its
 * _posts ("tech/_posts/x.md"), lowercased, each once.
 */
static int
jekyll_categories(const struct site *s, const char *rel,
    const struct page_meta *m, struct buf *b)
{
	const char	*v, *posts = jekyll_posts_dir(rel);
	char		 k[300], ik[320];
	unsigned	 i;

	if ((v = jekyll_default(s, rel, "posts", "categories", k,
	    sizeof(k))) == NULL)
		v = jekyll_default(s, rel, "posts", "category", k, sizeof(k));
	if (v != NULL) {
		snprintf(ik, sizeof(ik), "%s.0", k);
		if (site_var(s, ik) == NULL && add_categories(b, v, " ") == -1)
			return -1;
		for (i = 0; site_var(s, ik) != NULL; ) {
			if (add_category(b, site_var(s, ik),
			    strlen(site_var(s, ik))) == -1)
				return -1;
			snprintf(ik, sizeof(ik), "%s.%u", k, ++i);
		}
	}
	if (add_categories(b, m->categories, "/") == -1)
		return -1;
	for (v = rel; posts != NULL && v < posts; v += strcspn(v, "/") + 1)
		if (add_category(b, v, strcspn(v, "/")) == -1)
			return -1;
	return 0;
}

static int
jekyll_path(const struct site *s, const char *rel, const struct page_meta *m,
    struct fields *f, struct buf *out)
{
	const char	*pat = NULL, *global = site_var(s, "permalink");
	const char	*slash = strchr(rel, '/'), *type = "pages";
	char		 key[300], coll[128];
	int		 post = jekyll_posts_dir(rel) != NULL, r;
	struct buf	 cats;

	f->ext = ".html";
	if (post) {
		size_t k = site_jekyll_date(f->filename, f->fnlen);

		f->filename += k;
		f->fnlen -= k;
		type = "posts";
	}
	if (slash != NULL && rel[0] == '_' && !post) {
		/* A collection: _NAME/x.md, when it is output. */
		snprintf(key, sizeof(key), "collections.%.*s.permalink",
		    (int)(slash - rel - 1), rel + 1);
		pat = site_var(s, key);
		snprintf(f->collection, sizeof(f->collection), "%.*s",
		    (int)(slash - rel - 1), rel + 1);
		f->path = slash + 1;
		f->pathlen = strlen(slash + 1);
		if (strrchr(f->path, '.') != NULL)
			f->pathlen = (size_t)(strrchr(f->path, '.') - f->path);
		if (pat == NULL)
			pat = "/:collection/:path:output_ext";
		snprintf(coll, sizeof(coll), "%s", f->collection);
		type = coll;
	}
	if (post || type == coll) {
		/* A document's :title is its slug, else its file name. */
		f->title = m->slug != NULL ? m->slug : f->filename;
		f->titlen = m->slug != NULL ? strlen(m->slug) : f->fnlen;
	}
	if (m->permalink != NULL)
		pat = m->permalink;
	else if ((global = jekyll_default(s, rel, type, "permalink", key,
	    sizeof(key))) != NULL)
		pat = jekyll_style(global, post);
	global = site_var(s, "permalink");
	if (pat == NULL && post)
		pat = jekyll_style(global, post);
	if (pat != NULL && post) {
		buf_init(&cats, 4096);
		r = jekyll_categories(s, rel, m, &cats) == -1 ||
		    buf_putc(&cats, '\0') == -1 ? -1 : 0;
		f->categories = cats.data;
		if (r == 0)
			r = expand(out, pat, f);
		buf_free(&cats);
		return r;
	}
	if (pat != NULL)
		return expand(out, pat, f);
	/* A page: its path, pretty when the site's permalinks are. */
	global = jekyll_style(global, 0);
	return plain_path(out, rel, global != NULL &&
	    global[strlen(global) - 1] == '/', ".html");
}

/* One part of a doc's path, "/" + it without a number prefix ("01-"). */
static int
doc_part(struct buf *out, const char *p, size_t n)
{
	size_t k = 0;

	while (k < n && isdigit((unsigned char)p[k]))
		k++;
	if (k > 0 && k + 1 < n && (p[k] == '-' || p[k] == '_' ||
	    p[k] == '.')) {
		p += k + 1;
		n -= k + 1;
	}
	return buf_putc(out, '/') == -1 ? -1 : buf_append(out, p, n);
}

/*
 * blogsync's URL: the entry's address on the web.  One blog's folder
 * (<domain>/entry/...) is the site's content root, published at the
 * root; of several, each keeps its domain folder as a prefix.
 */
static int
hatena_path(const struct site *s, const char *rel, const struct page_meta *m,
    struct buf *out)
{
	const char	*p, *slash = strchr(rel, '/');
	size_t		 cn = strlen(s->content);

	if (m->permalink != NULL && (p = strstr(m->permalink, "://")) != NULL &&
	    (p = strchr(p + 3, '/')) != NULL) {
		if (s->blogs[0] != NULL && cn == 0 && slash != NULL &&
		    buf_printf(out, "/%.*s", (int)(slash - rel), rel) == -1)
			return -1;
		return buf_puts(out, p);
	}
	if (cn > 0 && site_in_dir(rel, s->content))
		rel += cn + 1;
	return plain_path(out, rel, 0, NULL);
}

static int
docusaurus_path(const struct site *s, const char *rel,
    const struct page_meta *m, struct fields *f, struct buf *out)
{
	const char	*route, *dir = site_docu_dir(s, "blog"), *p, *e;
	size_t		 k, rn;

	route = docu_opt(s, "blog", "routeBasePath", &rn);
	if (site_in_dir(rel, dir)) {
		/* routeBasePath '/' publishes at the root. */
		if (rn > 0 && (buf_putc(out, '/') == -1 ||
		    buf_append(out, route, rn) == -1))
			return -1;
		if (m->slug != NULL)
			return buf_printf(out, "/%s", m->slug +
			    (m->slug[0] == '/')) == -1 ? -1 : 0;
		if ((k = site_date_prefix(f->filename, f->fnlen)) > 0)
			return buf_printf(out, "/%.4s/%.2s/%.2s/%.*s",
			    f->filename, f->filename + 5, f->filename + 8,
			    (int)(f->fnlen - k), f->filename + k) == -1 ?
			    -1 : 0;
		return buf_printf(out, "/%.*s", (int)f->fnlen,
		    f->filename) == -1 ? -1 : 0;
	}
	dir = site_docu_dir(s, "docs");
	if (!site_in_dir(rel, dir)) {
		/* The pages plugin: src/pages/NAME.md(x) at /NAME. */
		if (site_in_dir(rel, "src/pages"))
			return plain_path(out, rel + 10, 0, NULL);
		return plain_path(out, rel, 0, NULL);
	}
	/* A doc: its path under the docs folder, number prefixes ("01-")
	 * dropped from every part; an absolute slug replaces it. */
	route = docu_opt(s, "docs", "routeBasePath", &rn);
	k = out->len;
	if (rn > 0 && (buf_putc(out, '/') == -1 ||
	    buf_append(out, route, rn) == -1))
		return -1;
	if (m->slug != NULL && m->slug[0] == '/')
		return buf_puts(out, m->slug);
	for (p = rel + strlen(dir) + 1; (e = strchr(p, '/')) != NULL;
	    p = e + 1)
		if (doc_part(out, p, (size_t)(e - p)) == -1)
			return -1;
	if (m->slug != NULL)
		return buf_putc(out, '/') == -1 ? -1 : buf_puts(out, m->slug);
	if (strncmp(p, "index.", 6) != 0 && strncmp(p, "README.", 7) != 0 &&
	    doc_part(out, p, strrchr(p, '.') != NULL ?
	    (size_t)(strrchr(p, '.') - p) : strlen(p)) == -1)
		return -1;
	/* The docs' own index at the site's root. */
	return out->len == k ? buf_putc(out, '/') : 0;
}

static int
astro_path(const struct site *s, const char *rel, const struct page_meta *m,
    struct fields *f, struct buf *out)
{
	const char	*base = site_var(s, "astro.posts"), *p;
	const char	*ts = site_var(s, "trailingSlash");
	int		 slash = ts == NULL || strcmp(ts, "never") != 0, r;

	if (base != NULL && site_in_dir(rel, base)) {
		/* A glob loader's entry: its id, the path under base. */
		p = site_var(s, "astro.route");
		if (p != NULL && buf_puts(out, p) == -1)
			return -1;
		if (m->slug != NULL)
			r = buf_putc(out, '/') == -1 ||
			    urlize(out, m->slug + (m->slug[0] == '/'),
			    strlen(m->slug + (m->slug[0] == '/'))) == -1;
		else {
			size_t i = out->len;

			r = plain_path(out, rel + strlen(base) + 1, 0, NULL);
			/* ids are slugs: lowercased, spaces to '-' */
			for (; r == 0 && i < out->len; i++)
				out->data[i] = out->data[i] == ' ' ? '-' :
				    (char)tolower((unsigned char)out->data[i]);
		}
	} else if (site_in_dir(rel, "src/content/blog") ||
	    site_in_dir(rel, "src/content/posts")) {
		p = strchr(rel + 12, '/') + 1;
		r = buf_printf(out, "/%.*s/%.*s", (int)(p - rel - 13),
		    rel + 12, (int)(m->slug ? strlen(m->slug) : f->fnlen),
		    m->slug ? m->slug : f->filename) == -1;
	} else if (site_in_dir(rel, "src/pages"))
		r = plain_path(out, rel + 10, 0, NULL) == -1;
	else
		return plain_path(out, rel, 0, NULL);
	if (r)
		return -1;
	/* trailingSlash: "never" drops it, otherwise pages end in one. */
	if (out->len > 1 && out->data[out->len - 1] == '/')
		out->len--;
	return slash ? buf_putc(out, '/') : 0;
}

/* A Zenn chapter's slug: "3.setup" numbers the chapter setup. */
static void
zenn_chapter(const char **p, size_t *n)
{
	size_t k = 0;

	while (k < *n && isdigit((unsigned char)(*p)[k]))
		k++;
	if (k > 0 && k + 1 < *n && (*p)[k] == '.') {
		*p += k + 1;
		*n -= k + 1;
	}
}

int
site_unpublished(const struct site *s, const char *rel)
{
	const char	*slash, *name = file_name(rel), *stem, *v;
	char		 key[PATH_MAX];
	size_t		 n, i;
	int		 listed = 0;

	/* Jekyll reads only YYYY-MM-DD-title.EXT from a _posts folder. */
	if (s->gen == SITE_JEKYLL && jekyll_posts_dir(rel) != NULL)
		return site_jekyll_date(name, strlen(name)) == 0 ||
		    strchr(name, '.') == NULL;
	/* A Zenn book: published: false hides it all; with a chapters list
	 * only the chapters listed are in the book. */
	if (s->gen != SITE_ZENN || !site_in_dir(rel, "books") ||
	    (slash = strchr(rel + 6, '/')) == NULL || strchr(slash + 1, '/')
	    != NULL || !site_has_suffix(name, strlen(name), ".md"))
		return 0;
	snprintf(key, sizeof(key), "books.%.*s.published",
	    (int)(slash - rel - 6), rel + 6);
	if ((v = site_var(s, key)) != NULL && strcmp(v, "false") == 0)
		return 1;
	stem = name;
	n = strlen(name) - 3;
	zenn_chapter(&stem, &n);
	for (i = 0; ; i++) {
		snprintf(key, sizeof(key), "books.%.*s.chapters.%zu",
		    (int)(slash - rel - 6), rel + 6, i);
		if ((v = site_var(s, key)) == NULL)
			break;
		listed = 1;
		if (strlen(v) == n && strncmp(v, stem, n) == 0)
			return 0;
	}
	return listed;
}

int
site_web_path(const struct site *s, const char *rel,
    const struct page_meta *m, time_t date, int tzoff, struct buf *out)
{
	struct fields	 f;
	time_t		 t = date + (time_t)tzoff * 60;
	const char	*p;
	size_t		 n;

	memset(&f, 0, sizeof(f));
	gmtime_r(&t, &f.tm);
	site_stem(rel, &f.filename, &f.fnlen);
	f.title = m->title != NULL ? m->title : f.filename;
	f.titlen = strlen(f.title);
	if (m->title == NULL)
		f.titlen = f.fnlen;
	f.slug = m->slug;
	f.sluglen = m->slug != NULL ? strlen(m->slug) : 0;
	f.ext = "";
	switch (s->gen) {
	case SITE_HUGO:
		return hugo_path(s, rel, m, &f, out);
	case SITE_JEKYLL:
		return jekyll_path(s, rel, m, &f, out);
	case SITE_NEXTJS:
		if (site_in_dir(rel, "_posts"))
			return buf_printf(out, "/posts/%.*s", (int)f.fnlen,
			    f.filename) == -1 ? -1 : 0;
		break;
	case SITE_ZENN:
		if (site_in_dir(rel, "articles"))
			return buf_printf(out, "/articles/%.*s", (int)f.fnlen,
			    f.filename) == -1 ? -1 : 0;
		if (site_in_dir(rel, "books") && strchr(rel + 6, '/') != NULL) {
			p = rel + 6;
			n = (size_t)(strchr(p, '/') - p);
			zenn_chapter(&f.filename, &f.fnlen);
			return buf_printf(out, "/books/%.*s/viewer/%.*s",
			    (int)n, p, (int)f.fnlen, f.filename) == -1 ?
			    -1 : 0;
		}
		break;
	case SITE_HATENA:
		return hatena_path(s, rel, m, out);
	case SITE_ASTRO:
		return astro_path(s, rel, m, &f, out);
	case SITE_DOCUSAURUS:
		return docusaurus_path(s, rel, m, &f, out);
	case SITE_PLAIN:
		break;
	}
	return plain_path(out, rel, 0, NULL);
}

int
site_source_key(const char *rel, struct buf *out)
{
	const char	*name = file_name(rel), *dot;
	size_t		 n;

	if (buf_putc(out, '/') == -1)
		return -1;
	if (strncmp(name, "index.", 6) == 0 ||
	    strncmp(name, "_index.", 7) == 0) {
		n = (size_t)(name - rel);
		while (n > 0 && rel[n - 1] == '/')
			n--;
		return buf_append(out, rel, n);
	}
	dot = strrchr(name, '.');
	n = dot != NULL ? (size_t)(dot - rel) : strlen(rel);
	return buf_append(out, rel, n);
}

int
site_term_path(const char *tax, const char *term, struct buf *out)
{
	if (buf_putc(out, '/') == -1 ||
	    url_encode_path(out, tax, strlen(tax)) == -1 ||
	    buf_putc(out, '/') == -1)
		return -1;
	if (term == NULL)
		return 0;
	if (url_encode_path(out, term, strlen(term)) == -1)
		return -1;
	return buf_putc(out, '/');
}

const char *
site_term_key(const struct site *s, const char *key)
{
	const char	*t;
	size_t		 i, n;

	for (i = 0; (t = site_taxonomy(s, i)) != NULL; i++) {
		n = strlen(t);
		if (key[0] == '/' && strncmp(key + 1, t, n) == 0 &&
		    (key[n + 1] == '\0' || key[n + 1] == '/'))
			return t;
	}
	return NULL;
}

int
site_term_alias(const struct site *s, const char *key, struct buf *out)
{
	static const char hatena[] = "/archive/category/";
	const char	*name = key + sizeof(hatena) - 1;
	size_t		 n;
	char		*term;
	int		 rc;

	if (s == NULL || s->gen != SITE_HATENA ||
	    strncmp(key, hatena, sizeof(hatena) - 1) != 0)
		return 0;
	n = strlen(name);
	if (n > 0 && name[n - 1] == '/')
		n--;
	if (n == 0 || memchr(name, '/', n) != NULL ||
	    (term = strndup(name, n)) == NULL)
		return 0;
	rc = site_term_path("tags", term, out) == 0;
	free(term);
	return rc;
}

const char *
site_own_url(const struct site *s, const char *url, size_t n,
    size_t *pathlen)
{
	size_t i, k;

	for (i = 0; s != NULL && s->bases != NULL && s->bases[i] != NULL;
	    i++) {
		k = strlen(s->bases[i]);
		if (n >= k && strncasecmp(url, s->bases[i], k) == 0 &&
		    (n == k || url[k] == '/' || url[k] == '?' ||
		    url[k] == '#')) {
			*pathlen = n - k;
			return n == k ? "/" : url + k;
		}
	}
	return NULL;
}

/*
 * Of several blogsync blogs, a URL on one's domain is that blog's
 * folder: "https://a.hatenablog.com/entry/x" -> "/a.hatenablog.com/
 * entry/x", allocated; else NULL.
 */
static char *
hatena_blog_path(const struct site *s, const char *url, size_t n)
{
	const char	*p;
	size_t		 i, k;
	char		*out;

	if (s == NULL || s->blogs[0] == NULL || s->blogs[1] == NULL)
		return NULL;
	if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return NULL;
	for (i = 0; s->blogs[i] != NULL; i++) {
		k = strlen(s->blogs[i]);
		if ((size_t)(p - url) + k > n ||
		    strncasecmp(p, s->blogs[i], k) != 0 ||
		    (p[k] != '/' && p[k] != '\0'))
			continue;
		if ((out = malloc(n + 2)) != NULL)
			snprintf(out, n + 2, "/%.*s", (int)(n - (size_t)(p -
			    url)), p);
		return out;
	}
	return NULL;
}

char *
site_key(const struct site *s, const char *path, const char *dir,
    size_t dirlen)
{
	static const char *const exts[] = { ".html", ".htm", ".gmi", ".md",
	    ".markdown", ".mdx", NULL };
	const char	*own;
	size_t		 n = strlen(path), i, m, bp;
	char		*k;

	if ((k = hatena_blog_path(s, path, n)) != NULL) {
		own = site_key(s, k, "", 0);
		free(k);
		return (char *)own;
	}
	if ((own = site_own_url(s, path, n, &m)) != NULL) {
		path = m > 0 ? own : "/";
		n = m > 0 ? m : 1;
	}
	if (memchr(path, ':', n) != NULL || strstr(path, "//") == path)
		return NULL;	/* a URL or a Jekyll :placeholder */
	if (path[0] == '/')
		dirlen = 0;
	/* The site's base path ("/blog" of a project page) is not ours. */
	bp = s != NULL ? strlen(s->basepath) : 0;
	if (path[0] == '/' && bp > 1 && n >= bp &&
	    strncmp(path, s->basepath, bp) == 0 &&
	    (n == bp || path[bp] == '/')) {
		path += bp;
		n -= bp;
	}
	if ((k = malloc(dirlen + n + 4)) == NULL)
		return NULL;
	snprintf(k, dirlen + n + 4, "/%.*s%s%.*s", (int)dirlen, dir,
	    dirlen ? "/" : "", (int)(path[0] == '/' ? n - 1 : n),
	    path[0] == '/' ? path + 1 : path);
	k[strcspn(k, "?#")] = '\0';
	if (url_normalize_path(k) == -1) {
		free(k);
		return NULL;
	}
	n = strlen(k);
	while (n > 1 && k[n - 1] == '/')
		k[--n] = '\0';
	/* Gopher's plain-text form of a page: "/x/y.html.txt", "/x/y.txt". */
	if (n > 4 && strcasecmp(k + n - 4, ".txt") == 0)
		k[n -= 4] = '\0';
	for (i = 0; exts[i] != NULL; i++) {
		m = strlen(exts[i]);
		if (n > m && strcasecmp(k + n - m, exts[i]) == 0) {
			k[n -= m] = '\0';
			/* "/x/index.html", "/x/_index.md": the folder's page. */
			if (n >= 6 && strcmp(k + n - 6, "/index") == 0)
				k[n -= 6] = '\0';
			else if (n >= 7 && strcmp(k + n - 7, "/_index") == 0)
				k[n -= 7] = '\0';
			if (n == 0)
				k[n++] = '/';
			k[n] = '\0';
			break;
		}
	}
	return k;
}


/*
 * feed: generated pages (see feed.h): home, gemlog, tags, Atom, search,
 * robots.txt, favicon.txt and caps.txt.  Index pages are built from one
 * post-index snapshot and cached under that snapshot's generation;
 * search results are built per query from the in-memory index.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "autoconf.h"
#include "buf.h"
#include "config.h"
#include "defaults.h"
#include "doc.h"
#include "feed.h"
#include "gopher.h"
#include "mime.h"
#include "postindex.h"
#include "router.h"
#include "search.h"
#include "site.h"
#include "store.h"
#include "textwidth.h"
#include "url.h"

#define GEMTEXT_META	"text/gemini; charset=utf-8"
#define TEXT_META	"text/plain; charset=utf-8"
#define ATOM_META	"application/atom+xml"
#define GOPHER_META	"text/gopher"

#define ATOM_MAX_ENTRIES	50	/* newest posts in a feed */
#define CAPS_EXPIRE_SEC		3600
/* U+1FA90 RINGED PLANET, until the configuration names one (host->favicon) */
#define DEFAULT_FAVICON		"\xf0\x9f\xaa\x90"
#define TAG_MAX			4096	/* bytes of a normalised tag name */
#define GEMINI_DEFAULT_PORT	1965

/* What a builder reports. */
#define BUILT		0
#define NOT_FOUND	1
#define FAILED		(-1)

/* A generated document: appends its blocks to the md_doc, the same for
 * both protocols. */
typedef int	(*doc_fn)(const struct conf *, const struct host *,
		    const struct post_index *, const void *arg,
		    struct md_doc *);

/* A page that is not a document (the Atom feed): its bytes for one
 * protocol. */
typedef int	(*build_fn)(const struct conf *, const struct host *,
		    const struct post_index *, const void *arg, int gemini,
		    struct buf *);

/*------------------------------------------------------------ helpers */

static void
reply_set(struct reply *r, int status, const char *meta)
{
	r->status = status;
	snprintf(r->meta, sizeof(r->meta), "%s", meta);
}

/* The buf becomes the body (the buf is emptied either way). */
static void
reply_buf(struct reply *r, int status, const char *meta, struct buf *b)
{
	reply_set(r, status, meta);
	if ((r->body = blob_from_buf(b)) == NULL) {
		buf_free(b);
		reply_set(r, 40, "Out of memory");
	}
}

/* A Gopher type-3 error menu; status and message go to the log. */
static void
reply_gopher_error(struct reply *r, int status, const char *msg,
    const char *selector)
{
	struct buf b;

	buf_init(&b, 4096);
	if (gopher_error(&b, msg, selector) == -1) {
		buf_free(&b);
		reply_set(r, 40, msg);
		return;
	}
	reply_buf(r, status, msg, &b);
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* A post's calendar day where it was written (its own zone). */
static void
post_day(const struct post *p, char *out, size_t len)
{
	struct tm	tm;
	time_t		t = p->date + (time_t)p->tzoff * 60;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/* RFC 3339 in the zone the date was written in:
 * "2022-09-04T10:00:00+09:00". */
static void
rfc3339(time_t when, int tzoff, char *out, size_t len)
{
	struct tm	tm;
	time_t		t = when + (time_t)tzoff * 60;
	size_t		n;
	int		off = tzoff < 0 ? -tzoff : tzoff;

	gmtime_r(&t, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (tzoff == 0)
		snprintf(out + n, len - n, "Z");
	else
		snprintf(out + n, len - n, "%c%02d:%02d", tzoff < 0 ? '-' : '+',
		    off / 60 % 100, off % 60);
}

/* Append s as text on one line: control characters become spaces. */
static int
put_line(struct buf *b, const char *s)
{
	size_t		 i, start = 0;
	unsigned char	 c;

	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f)
			continue;
		if (buf_append(b, s + start, i - start) == -1 ||
		    buf_putc(b, ' ') == -1)
			return -1;
		start = i + 1;
	}
	return buf_append(b, s + start, i - start);
}

/* pre, then text on one line, then post, in that order. */
static int
put3(struct buf *b, const char *pre, const char *text, const char *post)
{
	if (buf_puts(b, pre) == -1 || put_line(b, text) == -1)
		return -1;
	return buf_puts(b, post);
}

/* The post's link in an index: "YYYY-MM-DD Title", as gemfeeds and
 * phlog indexes label them. */
static int
doc_post(struct md_doc *d, enum md_sep sep, const struct post *p)
{
	char		 date[16];
	struct buf	 label;
	int		 rc;

	post_day(p, date, sizeof(date));
	buf_init(&label, 8192);
	rc = buf_printf(&label, "%s %s", date, p->title);
	if (rc == 0)
		rc = doc_local(d, sep, p->gemini, '1', label.data, NULL);
	buf_free(&label);
	return rc;
}

static int
doc_line(struct md_doc *d, enum md_sep sep, const char *s)
{
	return doc_text(d, sep, 0, s, strlen(s));
}

static int
doc_title(struct md_doc *d, int level, const char *s)
{
	return doc_heading(d, d->nblocks > 0 ? MDS_BLANK : MDS_NONE, level,
	    s, strlen(s));
}

static const char *
site_title(const struct host *h)
{
	return h->title != NULL ? h->title : h->name;
}

/* 1 if the post lies in one of the host's client-certificate zones. */
static int
post_protected(const struct host *h, const struct post *p)
{
	char	path[PATH_MAX + 1];

	if (conf_cert_zone(h, p->gemini, NULL) != 0 ||
	    conf_cert_zone(h, p->gopher, NULL) != 0)
		return 1;
	/* The source path catches directory zones whatever the URL
	 * encoding made of the names. */
	if ((size_t)snprintf(path, sizeof(path), "/%s", p->rel) >=
	    sizeof(path))
		return 1;
	return conf_cert_zone(h, path, NULL) != 0;
}

/*
 * The posts that generated pages may show.  Indexes, feeds and search
 * are answered to anyone (and over Gopher, which has no certificates),
 * so a post behind a client-certificate zone must not appear there with
 * its title, summary or text.  Returns a reference (the store's own
 * index when nothing is hidden), or NULL.
 */
static struct post_index *
visible_posts(const struct host *h)
{
	struct post_index	*ix, *v;
	size_t			 i;

	if ((ix = store_posts_whole(h->store)) == NULL || h->nzones == 0)
		return ix;
	for (i = 0; i < ix->n; i++)
		if (post_protected(h, ix->posts[i]))
			break;
	if (i == ix->n)
		return ix;
	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    (v->posts = calloc(ix->n, sizeof(*v->posts))) == NULL) {
		free(v);
		post_index_unref(ix);
		return NULL;
	}
	atomic_init(&v->refs, 1);
	v->gen = ix->gen;	/* the zones are fixed for this store */
	v->partial = ix->partial;
	for (i = 0; i < ix->n; i++) {
		if (post_protected(h, ix->posts[i]))
			continue;
		atomic_fetch_add(&ix->posts[i]->refs, 1);
		v->posts[v->n++] = ix->posts[i];
	}
	post_index_unref(ix);
	return v;
}

/*
 * The language of generated pages: the host's, else the one most posts
 * are written in (a tie goes to the default language if it is one of
 * them, else to the newest post's), else the default.
 */
static const char *
site_lang(const struct conf *c, const struct host *h,
    const struct post_index *ix)
{
	const char	*seen[16];
	size_t		 count[16], nseen = 0, i, k, best = 0;

	if (h->lang != NULL)
		return h->lang;
	for (i = 0; i < ix->n; i++) {
		if (ix->posts[i]->lang == NULL)
			continue;
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], ix->posts[i]->lang) == 0)
				break;
		if (k == nseen) {
			if (nseen == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[nseen] = ix->posts[i]->lang;
			count[nseen++] = 0;
		}
		count[k]++;
	}
	for (k = 1; k < nseen; k++)
		if (count[k] > count[best] || (count[k] == count[best] &&
		    c->default_lang != NULL &&
		    strcmp(seen[k], c->default_lang) == 0))
			best = k;
	return nseen > 0 ? seen[best] : c->default_lang;
}

/* The header of a generated document in fmt. */
static void
doc_meta(const struct conf *c, const struct host *h,
    const struct post_index *ix, enum md_format fmt, struct reply *r)
{
	const char	*lang = site_lang(c, h, ix);

	r->status = 20;
	if (fmt != MD_GEMTEXT)
		snprintf(r->meta, sizeof(r->meta), GOPHER_META);
	else if (lang != NULL)
		snprintf(r->meta, sizeof(r->meta), GEMTEXT_META "; lang=%s",
		    lang);
	else
		snprintf(r->meta, sizeof(r->meta), GEMTEXT_META);
}

/* A built document in fmt, appended to out.  BUILT or FAILED. */
static int
doc_out(const struct conf *c, const struct host *h, const struct md_doc *d,
    enum md_format fmt, struct buf *out)
{
	struct md_opts	o;

	memset(&o, 0, sizeof(o));
	o.width = c->gopher_width >= 20 ? c->gopher_width :
	    DEFAULT_GOPHER_WIDTH;
	o.host = h->name;
	o.port = c->gopher_port;
	return doc_emit(d, fmt, &o, out) == 0 ? BUILT : FAILED;
}

/* What a generated page is and how it is asked for. */
struct page {
	const char	*key;		/* cache key, per protocol; NULL:
					   built for this request only */
	doc_fn		 doc;		/* a document, or NULL ... */
	build_fn	 bytes;		/* ... the bytes themselves (Atom) */
	const char	*meta;		/* with bytes */
	const void	*arg;
	enum md_format	 fmt;
};

/*
 * While a cold index has only its front-matter pass (store_posts), a
 * document built from it says so in its last line instead of waiting,
 * unless it shows nothing the bodies give but titles that are already
 * final (page_titles).  Feeds are left as they are.
 */
#define PARTIAL_NOTE	"Still indexing: summaries and search are not " \
			"complete yet."

static int	doc_home(const struct conf *, const struct host *,
		    const struct post_index *, const void *, struct md_doc *);
static int	doc_gemlog(const struct conf *, const struct host *,
		    const struct post_index *, const void *, struct md_doc *);

/* How many of the newest posts' titles a page shows when that and the
 * front matter are all it shows (the home page, the gemlog), else 0. */
static size_t
page_titles(const struct page *pg)
{
	if (pg->doc == doc_home)
		return HOME_LATEST_POSTS;
	return pg->doc == doc_gemlog ? SIZE_MAX : 0;
}

static int
page_build(const struct conf *c, const struct host *h,
    const struct post_index *ix, const struct page *pg, struct buf *out)
{
	struct md_doc	d;
	int		rc;

	if (pg->doc == NULL)
		return pg->bytes(c, h, ix, pg->arg, pg->fmt == MD_GEMTEXT,
		    out);
	if (doc_init(&d, RENDER_MAX) == -1) {
		md_doc_free(&d);
		return FAILED;
	}
	if ((rc = pg->doc(c, h, ix, pg->arg, &d)) == BUILT && ix->partial &&
	    (page_titles(pg) == 0 || !postindex_titled(ix, page_titles(pg))) &&
	    doc_line(&d, MDS_BLANK, PARTIAL_NOTE) != 0)
		rc = FAILED;
	if (rc == BUILT)
		rc = doc_out(c, h, &d, pg->fmt, out);
	md_doc_free(&d);
	return rc;
}

/*
 * Serve a generated page from the cache, building it on a miss (pages
 * made for one request, without a key, are always built).  The
 * reply is filled unless the builder says NOT_FOUND, which is returned
 * for the caller to answer.
 */
static int
serve_cached(const struct conf *c, const struct host *h,
    const struct page *pg, struct reply *r)
{
	struct post_index	*ix;
	struct blob		*b;
	struct buf		 out;
	int			 rc = BUILT;

	if ((ix = visible_posts(h)) == NULL) {
		reply_set(r, 40, "Cannot read the posts");
		return FAILED;
	}
	b = pg->key != NULL ? store_cached(h->store, pg->key, ix->gen) : NULL;
	if (b == NULL) {
		buf_init(&out, RENDER_MAX);
		if ((rc = page_build(c, h, ix, pg, &out)) == BUILT) {
			if ((b = blob_from_buf(&out)) != NULL && pg->key != NULL)
				store_cache_put(h->store, pg->key, ix->gen, b);
		}
		buf_free(&out);
	}
	if (rc == BUILT && b != NULL) {
		if (pg->doc != NULL)
			doc_meta(c, h, ix, pg->fmt, r);
		else
			reply_set(r, 20, pg->meta);
		r->body = b;
	}
	post_index_unref(ix);
	if (rc == NOT_FOUND)
		return NOT_FOUND;
	if (rc == FAILED) {
		reply_set(r, 40, "Cannot build the page");
		return FAILED;
	}
	if (b == NULL) {
		reply_set(r, 40, "Out of memory");
		return FAILED;
	}
	return BUILT;
}

/* A document page by its builder. */
static int
serve_doc(const struct conf *c, const struct host *h, const char *key,
    doc_fn doc, const void *arg, enum md_format fmt, struct reply *r)
{
	struct page	pg;

	memset(&pg, 0, sizeof(pg));
	pg.key = key;
	pg.doc = doc;
	pg.arg = arg;
	pg.fmt = fmt;
	return serve_cached(c, h, &pg, r);
}

/*------------------------------------------------------------ home */

static int	doc_books(const struct host *, struct md_doc *);

/* Links every index page ends with; self is the page's own path.  The
 * site's taxonomies come where the tags are. */
static int
doc_nav(const struct host *h, struct md_doc *d, const char *self)
{
	static const struct {
		const char	*path, *label, *glabel;
		char		 type;
	} nav[] = {
		{ "/gemlog/", "Gemlog: all posts", "Phlog: all posts", '1' },
		{ NULL, NULL, NULL, '1' },
		{ "/search", "Search", NULL, '7' },
		{ "/atom.xml", "Atom feed", NULL, '0' },
		{ "/", "Home", NULL, '1' },
	};
	const struct site *site = store_site(h->store);
	const char	*tax;
	struct buf	 path, label;
	size_t		 i, k;
	enum md_sep	 sep = MDS_BLANK;
	int		 rc = 0;

	buf_init(&path, PATH_MAX);
	buf_init(&label, PATH_MAX);
	for (i = 0; i < sizeof(nav) / sizeof(nav[0]) && rc == 0; i++) {
		for (k = 0; nav[i].path == NULL &&
		    (tax = site_taxonomy(site, k)) != NULL && rc == 0; k++) {
			buf_reset(&path);
			buf_reset(&label);
			rc |= site_term_path(tax, NULL, &path);
			rc |= doc_tax_label(tax, &label);
			if (rc == 0 && strcmp(path.data, self) != 0) {
				rc |= doc_local(d, sep, path.data, '1',
				    label.data, NULL);
				sep = MDS_NONE;
			}
		}
		if (nav[i].path == NULL || strcmp(nav[i].path, self) == 0)
			continue;
		rc |= doc_local(d, sep, nav[i].path, nav[i].type,
		    nav[i].label, nav[i].glabel);
		sep = MDS_NONE;
	}
	buf_free(&path);
	buf_free(&label);
	return rc ? -1 : 0;
}

static int
doc_home(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, struct md_doc *d)
{
	size_t	i;
	int	rc = 0;

	(void)c;
	(void)arg;
	rc |= doc_title(d, 1, site_title(h));
	if (h->description != NULL)
		rc |= doc_line(d, MDS_BLANK, h->description);
	if (ix->n > 0)
		rc |= doc_title(d, 2, "Latest posts");
	for (i = 0; i < ix->n && i < HOME_LATEST_POSTS; i++)
		rc |= doc_post(d, i == 0 ? MDS_BLANK : MDS_NONE, ix->posts[i]);
	rc |= doc_books(h, d);
	rc |= doc_nav(h, d, "/");
	return rc ? FAILED : BUILT;
}

/*
 * The home of a root without an index file.  A capsule without posts
 * (pages written in gemtext, a folder of notes) gets its root listed
 * instead: the generated home would offer an empty gemlog and no way to
 * its files.
 */
static void
serve_home(const struct conf *c, const struct host *h, enum md_format fmt,
    struct reply *r)
{
	struct post_index	*ix;
	size_t			 n = 1;

	if ((ix = visible_posts(h)) != NULL) {
		n = ix->n;
		post_index_unref(ix);
	}
	if (n == 0 && feed_listing(c, h, "", fmt, r) == 0)
		return;
	serve_doc(c, h, fmt == MD_GEMTEXT ? "home:gemini" : "home:gopher",
	    doc_home, NULL, fmt, r);
}

void
feed_home_gemini(const struct conf *c, const struct host *h, struct reply *r)
{
	serve_home(c, h, MD_GEMTEXT, r);
}

void
feed_home_gopher(const struct conf *c, const struct host *h, struct reply *r)
{
	serve_home(c, h, MD_GOPHERMAP, r);
}

/*------------------------------------------------------------ gemlog */

/*
 * The gemfeed (Gemini subscription companion spec) and the phlog index:
 * the capsule title as the first heading, then one dated link per post,
 * newest first, all on one page so that subscribers always find every
 * post in one place.
 */
static int
doc_gemlog(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, struct md_doc *d)
{
	size_t	i;
	int	rc = 0;

	(void)c;
	(void)arg;
	rc |= doc_title(d, 1, site_title(h));
	rc |= doc_line(d, MDS_BLANK, ix->n > 0 ? "All posts, newest first." :
	    "No posts yet.");
	for (i = 0; i < ix->n; i++)
		rc |= doc_post(d, i == 0 ? MDS_BLANK : MDS_NONE, ix->posts[i]);
	rc |= doc_nav(h, d, "/gemlog/");
	return rc ? FAILED : BUILT;
}

/*------------------------------------------------------------ taxonomies */

/*
 * Terms are matched by their search form, so "Gemini" and "gemini" are
 * one tag, shown as the newest post spells it; the separators that URL
 * forms turn into hyphens count as spaces, so the web's path of a term
 * (Hugo's urlize: "/collections/web-components/" for "Web Components";
 * Jekyll's slugify: "/tags/alzheimer-s-disease/") finds it too.  Not
 * every sign: "C++" and "C#" stay apart from "C".
 */
static int
tag_key(const char *tag, size_t n, struct buf *out)
{
	char	 s[TAG_MAX];
	size_t	 i;

	buf_reset(out);
	if (n >= sizeof(s))
		return -1;
	for (i = 0; i < n; i++)
		s[i] = strchr("-_'.,:;!?\"", tag[i]) != NULL &&
		    tag[i] != '\0' ? ' ' : tag[i];
	return search_normalize(s, n, out);
}

/* The term of p->terms[i] when it is one of taxonomy tax, else NULL. */
static const char *
post_term(const struct post *p, size_t i, const char *tax)
{
	size_t n = strlen(tax);

	return strncmp(p->terms[i], tax, n) == 0 && p->terms[i][n] == '/' ?
	    p->terms[i] + n + 1 : NULL;
}

struct tag_use {
	char		*key;
	const char	*name;
	size_t		 post;		/* index in the snapshot */
};

static int
tag_use_cmp(const void *a, const void *b)
{
	const struct tag_use *x = a, *y = b;
	int d;

	if ((d = strcmp(x->key, y->key)) != 0)
		return d;
	return x->post < y->post ? -1 : x->post > y->post;
}

/* Every (term, post) pair of taxonomy tax in the snapshot, sorted by
 * term then newest first.  Caller frees with tag_uses_free. */
static int
tag_uses(const struct post_index *ix, const char *tax, struct tag_use **out,
    size_t *np)
{
	struct tag_use	*v = NULL, *nv;
	struct buf	 k;
	const char	*t;
	size_t		 i, j, n = 0, cap = 0;

	buf_init(&k, TAG_MAX);
	for (i = 0; i < ix->n; i++) {
		for (j = 0; j < ix->posts[i]->nterms; j++) {
			if ((t = post_term(ix->posts[i], j, tax)) == NULL ||
			    tag_key(t, strlen(t), &k) == -1 || k.len == 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((nv = realloc(v, cap * sizeof(*v))) ==
				    NULL)
					goto fail;
				v = nv;
			}
			v[n].name = t;
			v[n].post = i;
			if ((v[n].key = buf_detach(&k, NULL)) == NULL)
				goto fail;
			n++;
		}
	}
	buf_free(&k);
	if (n > 1)
		qsort(v, n, sizeof(*v), tag_use_cmp);
	*out = v;
	*np = n;
	return 0;
fail:
	buf_free(&k);
	for (i = 0; i < n; i++)
		free(v[i].key);
	free(v);
	return -1;
}

static void
tag_uses_free(struct tag_use *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

/* The term folder of a Hugo term page's source (content/TAX/TERM/
 * _index.md or _index.LANG.md) in *dir, or 0 when rel is none. */
static int
term_dir(const struct site *site, const char *rel, const char *tax,
    const char **dir, size_t *n)
{
	size_t		 c = strlen(site->content), t = strlen(tax);
	const char	*d = rel + c + 1, *end;

	if (site->gen != SITE_HUGO || strncmp(rel, site->content, c) != 0 ||
	    rel[c] != '/' || strncmp(d, tax, t) != 0 || d[t] != '/' ||
	    (end = strchr(d + t + 1, '/')) == NULL ||
	    strncmp(end, "/_index.", 8) != 0 || strchr(end + 1, '/') != NULL)
		return 0;
	*dir = d + t + 1;
	*n = (size_t)(end - *dir);
	return *n > 0;
}

/*
 * A Hugo term page's own content, whose folder names the term (Hugo
 * names it by the term's URL form; the search form matches both).  key
 * is the term's search form; NULL when there is none.
 */
static const struct post *
term_page(const struct host *h, const struct post_index *ix, const char *tax,
    const char *key)
{
	const struct site	*site = store_site(h->store);
	const char		*dir;
	struct buf		 k;
	size_t			 i, n;

	buf_init(&k, TAG_MAX);
	for (i = 0; ix->all != NULL && i < ix->nall; i++) {
		if (ix->all[i]->draft ||
		    !term_dir(site, ix->all[i]->rel, tax, &dir, &n))
			continue;
		buf_reset(&k);
		if (tag_key(dir, n, &k) == 0 && k.len > 0 &&
		    strcmp(k.data, key) == 0)
			break;
	}
	buf_free(&k);
	return ix->all != NULL && i < ix->nall ? ix->all[i] : NULL;
}

/* The list page of taxonomy arg: each term with its post count. */
static int
doc_terms(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, struct md_doc *d)
{
	const char		*tax = arg;
	const struct post	*tp;
	struct tag_use		*v;
	struct buf		 path, label;
	size_t			 n, i, j, count;
	int			 rc = 0;

	(void)c;
	if (tag_uses(ix, tax, &v, &n) == -1)
		return FAILED;
	buf_init(&path, TAG_MAX * 3 + 16);
	buf_init(&label, TAG_MAX * 2);
	rc |= doc_tax_label(tax, &label);
	rc |= doc_title(d, 1, label.data);
	for (i = 0; i < n; i = j) {
		/* One run per term; a post counts once however often it
		 * repeats the term. */
		for (j = i + 1, count = 1; j < n &&
		    strcmp(v[j].key, v[i].key) == 0; j++)
			if (v[j].post != v[j - 1].post)
				count++;
		buf_reset(&path);
		buf_reset(&label);
		/* A term page of its own may live at another path (Hugo's
		 * url:); its title names the term. */
		if ((tp = term_page(h, ix, tax, v[i].key)) != NULL &&
		    site_term_key(store_site(h->store), tp->key) != NULL)
			rc |= buf_puts(&path, tp->gemini);
		else
			rc |= site_term_path(tax, v[i].name, &path);
		rc |= buf_printf(&label, "%s (%zu)", tp != NULL &&
		    tp->title != NULL ? tp->title : v[i].name, count);
		rc |= doc_local(d, i == 0 ? MDS_BLANK : MDS_NONE, path.data,
		    '1', label.data, NULL);
	}
	if (n == 0)
		rc |= doc_line(d, MDS_BLANK, strcmp(tax, "tags") == 0 ?
		    "No tags yet." : "Nothing here yet.");
	buf_reset(&path);
	rc |= site_term_path(tax, NULL, &path);
	rc |= doc_nav(h, d, path.data ? path.data : "");
	buf_free(&path);
	buf_free(&label);
	tag_uses_free(v, n);
	return rc ? FAILED : BUILT;
}

/* Which term page: its taxonomy and the term's search form. */
struct term_arg {
	const char	*tax;
	const char	*key;
};

/* The posts carrying a term, in gemfeed form, after the term page's own
 * title and summary when it has one. */
static int
doc_term(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, struct md_doc *d)
{
	const struct term_arg	*ta = arg;
	const struct post	*p, *tp = term_page(h, ix, ta->tax, ta->key);
	const char		*name = NULL, *t, *summary = NULL;
	struct buf		 k, title;
	size_t			 i, j;
	enum md_sep		 sep = MDS_BLANK;
	int			 rc = 0, found;

	(void)c;
	if (tp != NULL && tp->summary != NULL && *tp->summary != '\0')
		summary = tp->summary;
	buf_init(&k, TAG_MAX);
	buf_init(&title, TAG_MAX * 2 + 64);
	for (i = 0; i < ix->n; i++) {
		p = ix->posts[i];
		for (j = 0, found = 0; j < p->nterms && !found; j++) {
			if ((t = post_term(p, j, ta->tax)) == NULL ||
			    tag_key(t, strlen(t), &k) == -1 ||
			    strcmp(k.data ? k.data : "", ta->key) != 0)
				continue;
			found = 1;
			if (name == NULL) {
				name = tp != NULL && tp->title != NULL ?
				    tp->title : t;
				if (strcmp(ta->tax, "tags") == 0)
					rc |= buf_printf(&title,
					    "Posts tagged %s", name);
				else
					rc |= doc_term_label(ta->tax, name,
					    &title);
				rc |= doc_title(d, 1, title.data);
				if (summary != NULL)
					rc |= doc_line(d, MDS_BLANK, summary);
			}
			rc |= doc_post(d, sep, p);
			sep = MDS_NONE;
		}
	}
	/* A term page of its own is there without posts too, as Hugo
	 * publishes it. */
	if (name == NULL && tp != NULL && tp->title != NULL) {
		name = tp->title;
		rc |= doc_title(d, 1, name);
		if (summary != NULL)
			rc |= doc_line(d, MDS_BLANK, summary);
		rc |= doc_line(d, MDS_BLANK, "No posts yet.");
	}
	buf_free(&k);
	buf_free(&title);
	if (name == NULL)
		return NOT_FOUND;
	rc |= doc_nav(h, d, "");
	return rc ? FAILED : BUILT;
}

/*
 * Where else a term that taxonomy tax lacks is: the page of a term
 * page's own url (Hugo's url: /tags/summary/ for the term 总结), or,
 * for an old capsule path (categories were tags before they had pages
 * of their own), the taxonomy that has the term.  The term's search
 * form goes to key, or the other page's path to moved; 1 when found.
 */
static int
term_elsewhere(const struct host *h, const char *tax, const char *path,
    struct buf *key, struct buf *moved)
{
	const struct site	*site = store_site(h->store);
	struct post_index	*ix;
	const char		*t, *other, *dir;
	char			*k;
	size_t			 i, j, x, n;
	int			 found = 0;

	if ((ix = visible_posts(h)) == NULL)
		return 0;
	if ((k = site_key(site, path, "", 0)) != NULL) {
		for (i = 0; ix->all != NULL && i < ix->nall && !found; i++)
			if (strcmp(ix->all[i]->key, k) == 0 &&
			    !ix->all[i]->draft && term_dir(site,
			    ix->all[i]->rel, tax, &dir, &n)) {
				buf_reset(key);
				found = tag_key(dir, n, key) == 0 &&
				    key->len > 0;
			}
		free(k);
	}
	for (x = 0; !found && (other = site_taxonomy(site, x)) != NULL; x++)
		for (i = 0; strcmp(other, tax) != 0 && i < ix->n && !found;
		    i++)
			for (j = 0; j < ix->posts[i]->nterms && !found; j++)
				if ((t = post_term(ix->posts[i], j, other)) !=
				    NULL && tag_key(t, strlen(t), moved) == 0 &&
				    strcmp(moved->data, key->data) == 0) {
					buf_reset(moved);
					found = site_term_path(other, t,
					    moved) == 0 ? 2 : 0;
				}
	post_index_unref(ix);
	return found;
}

/*
 * A term page of taxonomy tax by name (percent-decoded by the router;
 * path is the whole request path).  Returns BUILT (reply filled),
 * NOT_FOUND or FAILED (reply filled).
 */
static int
serve_term(const struct conf *c, const struct host *h, const char *tax,
    const char *name, size_t n, const char *path, enum md_format fmt,
    struct reply *r)
{
	struct buf	 k, key, moved;
	struct term_arg	 ta;
	int		 rc = NOT_FOUND, again;

	buf_init(&k, TAG_MAX);
	buf_init(&key, TAG_MAX + 64);
	buf_init(&moved, TAG_MAX * 3 + 64);
	if (tag_key(name, n, &k) == -1 || k.len == 0)
		goto out;
	for (again = 1; again >= 0; again--) {
		buf_reset(&key);
		buf_printf(&key, "term:%c:%s:%s", fmt == MD_GEMTEXT ? 'g' :
		    'o', tax, k.data);
		ta.tax = tax;
		ta.key = k.data;
		if ((rc = serve_doc(c, h, key.data ? key.data : "term:",
		    doc_term, &ta, fmt, r)) != NOT_FOUND || again == 0)
			break;
		switch (term_elsewhere(h, tax, path, &k, &moved)) {
		case 1:
			continue;	/* the term its own page names */
		case 2:
			if (fmt == MD_GEMTEXT)
				reply_set(r, 31, moved.data);
			else
				feed_moved(c, h, moved.data, path, r);
			rc = BUILT;
			break;
		}
		break;
	}
out:
	buf_free(&k);
	buf_free(&key);
	buf_free(&moved);
	return rc;
}

/*
 * The taxonomy pages named by path (decoded): a list page ("/tags/"),
 * its slashless form (Gemini: a redirect), a term page in the web's
 * forms ("/tags/NAME/", Hugo's uglyURLs "/tags/NAME.html", and
 * "/tags/NAME.gmi").  1 when the reply is filled, else 0.
 */
static int
serve_taxonomy(const struct conf *c, const struct host *h, const char *path,
    enum md_format fmt, struct reply *r)
{
	const char	*tax, *name;
	char		 key[SITE_TAXNAME_MAX + 32];
	size_t		 n, t;

	if ((tax = site_term_key(store_site(h->store), path)) == NULL)
		return 0;
	t = strlen(tax);
	name = path + t + 1;
	if (*name == '\0' && fmt == MD_GEMTEXT) {
		snprintf(key, sizeof(key), "/%s/", tax);
		reply_set(r, 31, key);
		return 1;
	}
	if (*name == '\0' || strcmp(name, "/") == 0) {
		snprintf(key, sizeof(key), "terms:%s:%s", fmt == MD_GEMTEXT ?
		    "gemini" : "gopher", tax);
		serve_doc(c, h, key, doc_terms, tax, fmt, r);
		return 1;
	}
	name++;
	n = strlen(name);
	if (ends_with(name, n, ".gmi") && fmt == MD_GEMTEXT)
		n -= 4;
	else if (ends_with(name, n, ".html"))
		n -= 5;
	else if (ends_with(name, n, "/"))
		n--;
	if (serve_term(c, h, tax, name, n, path, fmt, r) == NOT_FOUND) {
		if (fmt == MD_GEMTEXT)
			reply_set(r, 51, "No such tag");
		else
			reply_gopher_error(r, 51, "No such tag", path);
	}
	return 1;
}

/*------------------------------------------------------------ atom */

/*
 * XML text: &, <, >, " and ' escaped; characters XML 1.0 does not allow
 * (C0 controls but TAB, LF and CR; U+FFFE, U+FFFF) and the C1 controls
 * dropped; invalid UTF-8 replaced, so a feed parser never stops on it.
 */
static int
xml_put(struct buf *b, const char *s)
{
	size_t	 n = strlen(s), i, len;
	int32_t	 cp;
	int	 rc = 0;

	for (i = 0; i < n && rc == 0; i += len) {
		len = tw_next(s + i, n - i, &cp);
		if (cp == TW_INVALID)
			rc = tw_put(b, 0xfffd);
		else if (cp == '&')
			rc = buf_puts(b, "&amp;");
		else if (cp == '<')
			rc = buf_puts(b, "&lt;");
		else if (cp == '>')
			rc = buf_puts(b, "&gt;");
		else if (cp == '"')
			rc = buf_puts(b, "&quot;");
		else if (cp == '\'')
			rc = buf_puts(b, "&apos;");
		else if ((cp < 0x20 && cp != '\t' && cp != '\n' &&
		    cp != '\r') || (cp >= 0x7f && cp < 0xa0) ||
		    cp == 0xfffe || cp == 0xffff)
			continue;
		else
			rc = buf_append(b, s + i, len);
	}
	return rc;
}

/* "gemini://host[:port]" or "gopher://host:port"; IPv6 in brackets. */
static void
base_url(const struct conf *c, const struct host *h, int gemini, char *out,
    size_t len)
{
	const char	*lb = "", *rb = "";
	int		 n;

	if (strchr(h->name, ':') != NULL) {
		lb = "[";
		rb = "]";
	}
	n = snprintf(out, len, "%s://%s%s%s", gemini ? "gemini" : "gopher",
	    lb, h->name, rb);
	if (n < 0 || (size_t)n >= len)
		return;
	if (!gemini)
		snprintf(out + n, len - (size_t)n, ":%u", c->gopher_port);
	else if (c->gemini_port != GEMINI_DEFAULT_PORT)
		snprintf(out + n, len - (size_t)n, ":%u", c->gemini_port);
}

/* pre, then text escaped for XML, then post. */
static int
xml3(struct buf *b, const char *pre, const char *text, const char *post)
{
	if (buf_puts(b, pre) == -1 || xml_put(b, text) == -1)
		return -1;
	return buf_puts(b, post);
}

/*
 * An entry's updated time is its date: a source file's mtime changes
 * whenever a site is checked out or copied, and would make every post
 * look edited to aggregators after each deployment.
 */
static int
atom_entry(struct buf *b, const struct host *h, const struct post *p,
    const char *base, int gemini)
{
	char	day[16], when[40];
	size_t	i;
	int	rc = 0;

	post_day(p, day, sizeof(day));
	rfc3339(p->date, p->tzoff, when, sizeof(when));
	rc |= buf_puts(b, "  <entry");
	if (p->lang != NULL)
		rc |= xml3(b, " xml:lang=\"", p->lang, "\"");
	/* A tag: URI names the post whatever protocol or port serves it. */
	rc |= xml3(b, ">\n    <id>tag:", h->name, ",");
	rc |= buf_printf(b, "%s:", day);
	rc |= xml3(b, "", p->gopher, "</id>\n");
	rc |= xml3(b, "    <title>", p->title, "</title>\n");
	rc |= buf_printf(b, "    <updated>%s</updated>\n"
	    "    <published>%s</published>\n", when, when);
	/* No type attribute: feed parsers take only an untyped or HTML
	 * alternate link as the entry's link. */
	rc |= xml3(b, "    <link rel=\"alternate\" href=\"", base,
	    gemini ? "" : "/1");
	rc |= xml3(b, "", gemini ? p->gemini : p->gopher, "\"/>\n");
	if (p->summary != NULL && p->summary[0] != '\0')
		rc |= xml3(b, "    <summary>", p->summary, "</summary>\n");
	for (i = 0; i < p->ntags; i++)
		rc |= xml3(b, "    <category term=\"", p->tags[i], "\"/>\n");
	rc |= buf_puts(b, "  </entry>\n");
	return rc;
}

static int
build_atom(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, int gemini, struct buf *b)
{
	char		 base[600], when[40];
	const char	*title = h->title ? h->title : h->name;
	const char	*author = h->author ? h->author : title;
	const char	*lang = h->lang ? h->lang : c->default_lang;
	size_t		 i, newest = 0;
	int		 rc = 0;

	(void)arg;
	base_url(c, h, gemini, base, sizeof(base));
	/* The feed is as new as its newest entry. */
	for (i = 1; i < ix->n && i < ATOM_MAX_ENTRIES; i++)
		if (ix->posts[i]->date > ix->posts[newest]->date)
			newest = i;
	if (ix->n > 0)
		rfc3339(ix->posts[newest]->date, ix->posts[newest]->tzoff,
		    when, sizeof(when));
	else
		rfc3339(time(NULL), 0, when, sizeof(when));

	rc |= buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"");
	if (lang != NULL)
		rc |= xml3(b, " xml:lang=\"", lang, "\"");
	rc |= xml3(b, ">\n  <id>", base, gemini ? "/atom.xml</id>\n" :
	    "/0/atom.xml</id>\n");
	rc |= xml3(b, "  <title>", title, "</title>\n");
	if (h->description != NULL)
		rc |= xml3(b, "  <subtitle>", h->description,
		    "</subtitle>\n");
	rc |= buf_printf(b, "  <updated>%s</updated>\n", when);
	rc |= xml3(b, "  <link rel=\"self\" type=\"" ATOM_META "\" href=\"",
	    base, gemini ? "/atom.xml\"/>\n" : "/0/atom.xml\"/>\n");
	rc |= xml3(b, "  <link rel=\"alternate\" href=\"", base,
	    gemini ? "/gemlog/\"/>\n" : "/1/gemlog/\"/>\n");
	rc |= xml3(b, "  <author><name>", author, "</name></author>\n");
	rc |= buf_puts(b, "  <generator version=\"" PACKAGE_VERSION
	    "\">capsuled</generator>\n");
	for (i = 0; i < ix->n && i < ATOM_MAX_ENTRIES; i++)
		rc |= atom_entry(b, h, ix->posts[i], base, gemini);
	rc |= buf_puts(b, "</feed>\n");
	return rc ? FAILED : BUILT;
}

static void
serve_atom(const struct conf *c, const struct host *h, int gemini,
    struct reply *r)
{
	struct page	pg;

	memset(&pg, 0, sizeof(pg));
	pg.key = gemini ? "atom:gemini" : "atom:gopher";
	pg.bytes = build_atom;
	pg.meta = ATOM_META;
	pg.fmt = gemini ? MD_GEMTEXT : MD_GOPHERMAP;
	serve_cached(c, h, &pg, r);
}

/*------------------------------------------------------------ search */

/* Search results for the query arg (valid UTF-8): NOT_FOUND for a query
 * that normalises to nothing. */
static int
doc_search(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, struct md_doc *d)
{
	const char		*q = arg;
	struct search_hit	*hits;
	struct buf		 line, text;
	size_t			 total, i;
	int			 n, rc = 0;

	(void)c;
	if ((hits = calloc(SEARCH_MAX_HITS, sizeof(*hits))) == NULL)
		return FAILED;
	n = search_run(ix, q, strlen(q), hits, SEARCH_MAX_HITS, &total);
	if (n < 0) {
		free(hits);
		return n == -1 ? NOT_FOUND : FAILED;
	}
	buf_init(&line, 65536);
	rc |= buf_printf(&line, "Search: %s", q);
	rc |= doc_title(d, 1, line.data ? line.data : "");
	buf_reset(&line);
	if (total == 0)
		rc |= buf_printf(&line, "No posts match \"%s\".", q);
	else if (total == 1)
		rc |= buf_puts(&line, "1 post matches.");
	else if (total > (size_t)n)
		rc |= buf_printf(&line, "%zu posts match; the newest %d are "
		    "listed.", total, n);
	else
		rc |= buf_printf(&line, "%zu posts match.", total);
	rc |= doc_line(d, MDS_BLANK, line.data ? line.data : "");
	buf_init(&text, PAGE_SOURCE_MAX);
	for (i = 0; i < (size_t)n; i++) {
		buf_reset(&line);
		buf_reset(&text);
		/* The index keeps no text: read again, and no snippet for a
		 * post changed since it was indexed (its entry is being
		 * replaced) or that cannot be digested. */
		if (postindex_text(h->store, hits[i].post, &text) == 0)
			rc |= search_snippet(text.data ? text.data : "",
			    &hits[i], SEARCH_CONTEXT_COLS, &line);
		rc |= doc_post(d, MDS_BLANK, hits[i].post);
		/* A quotation: a snippet never reads as a link or a
		 * heading. */
		if (line.len > 0)
			rc |= doc_text(d, MDS_NONE, 1, line.data, line.len);
	}
	/* Every way on, the search included (to search again). */
	rc |= doc_nav(h, d, "");
	buf_free(&line);
	buf_free(&text);
	free(hits);
	return rc ? FAILED : BUILT;
}

/* Search the snapshot and answer with the results page.  Returns -1 for
 * a query that normalises to nothing (the reply is not filled). */
static int
search_page(const struct conf *c, const struct host *h, const char *q,
    enum md_format fmt, struct reply *r)
{
	struct page	pg;

	memset(&pg, 0, sizeof(pg));
	pg.doc = doc_search;
	pg.arg = q;
	pg.fmt = fmt;
	return serve_cached(c, h, &pg, r) == NOT_FOUND ? -1 : 0;
}

static void
search_gemini(const struct conf *c, const struct host *h, const char *query,
    struct reply *r)
{
	struct buf q;

	if (query == NULL || *query == '\0') {
		reply_set(r, 10, "Search the posts");
		return;
	}
	buf_init(&q, strlen(query) + 1);
	if (url_decode(query, strlen(query), &q) == -1 ||
	    !url_valid_utf8(q.data ? q.data : "", q.len)) {
		buf_free(&q);
		reply_set(r, 59, "Bad search query");
		return;
	}
	if (search_page(c, h, q.data ? q.data : "", MD_GEMTEXT, r) == -1)
		reply_set(r, 10, "Search the posts");
	buf_free(&q);
}

/* Without a search string (a client that does not know type 7): a menu
 * offering the search. */
static int
doc_search_prompt(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, struct md_doc *d)
{
	int	rc = 0;

	(void)c;
	(void)h;
	(void)ix;
	(void)arg;
	rc |= doc_line(d, MDS_NONE, "Search the posts.");
	rc |= doc_local(d, MDS_BLANK, "/search", '7', "Search", NULL);
	rc |= doc_local(d, MDS_NONE, "/", '1', "Home", NULL);
	return rc ? FAILED : BUILT;
}

/*------------------------------------------------------------ books */

/* A Zenn book's chapter and where it comes in the book. */
struct chapter {
	const struct post	*p;
	long			 order;
	int			 listed;	/* order is from chapters: */
	const char		*name;
};

static int
chapter_cmp(const void *a, const void *b)
{
	const struct chapter *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * A Zenn book's page, as zenn.dev shows /USER/books/SLUG: its title and
 * summary from config.yaml, then its chapters in the order chapters:
 * lists them, else by the number their file names start with, each
 * linking to its viewer path.  Files the book does not list are not
 * chapters (site_unpublished makes them drafts), nor are config.yaml and
 * images, which are not pages.
 */
static int
doc_book(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, struct md_doc *d)
{
	const struct site	*site = store_site(h->store);
	const char		*slug = arg, *v, *name;
	struct chapter		*ch;
	struct buf		 key;
	size_t			 n = 0, i, k, len = strlen(slug);
	int			 rc = 0;

	(void)c;
	if ((ch = calloc(ix->nall + 1, sizeof(*ch))) == NULL)
		return FAILED;
	buf_init(&key, PATH_MAX);
	for (i = 0; ix->all != NULL && i < ix->nall; i++) {
		const struct post *p = ix->all[i];

		if (p->draft || strncmp(p->rel, "books/", 6) != 0 ||
		    strncmp(p->rel + 6, slug, len) != 0 ||
		    p->rel[6 + len] != '/' ||
		    strchr(p->rel + 7 + len, '/') != NULL ||
		    (name = strrchr(p->canon, '/')) == NULL)
			continue;
		ch[n].p = p;
		ch[n].name = name + 1;
		ch[n++].order = strtol(p->rel + 7 + len, NULL, 10);
	}
	for (k = 0; ; k++) {
		buf_reset(&key);
		rc |= buf_printf(&key, "books.%s.chapters.%zu", slug, k);
		if (rc != 0 || (v = site_var(site, key.data)) == NULL)
			break;
		/* A chapter listed twice comes where it is first. */
		for (i = 0; i < n; i++)
			if (!ch[i].listed && strcmp(ch[i].name, v) == 0) {
				ch[i].order = (long)k;
				ch[i].listed = 1;
			}
	}
	if (n > 1)
		qsort(ch, n, sizeof(*ch), chapter_cmp);
	buf_reset(&key);
	rc |= buf_printf(&key, "books.%s.title", slug);
	rc |= doc_title(d, 1, (v = site_var(site, key.data)) != NULL ? v :
	    slug);
	buf_reset(&key);
	rc |= buf_printf(&key, "books.%s.summary", slug);
	if ((v = site_var(site, key.data)) != NULL && *v != '\0')
		rc |= doc_line(d, MDS_BLANK, v);
	if (n > 0)
		rc |= doc_title(d, 2, "Chapters");
	for (i = 0; i < n; i++) {
		buf_reset(&key);
		rc |= buf_printf(&key, "%zu. %s", i + 1, ch[i].p->title ?
		    ch[i].p->title : ch[i].name);
		rc |= doc_local(d, i == 0 ? MDS_BLANK : MDS_NONE,
		    ch[i].p->gemini, '1', key.data, NULL);
	}
	rc |= doc_nav(h, d, "");
	buf_free(&key);
	free(ch);
	return rc ? FAILED : BUILT;
}

/*
 * The book folder rel is ("books/SLUG" of a Zenn site whose config.yaml
 * was read): 1 with its slug copied to slug (unless NULL), -1 when the
 * book is unpublished (private), else 0.
 */
static int
book_of(const struct host *h, const char *rel, char *slug, size_t len)
{
	const struct site	*site = store_site(h->store);
	const char		*v;
	char			 key[PATH_MAX];

	if (site->gen != SITE_ZENN || strncmp(rel, "books/", 6) != 0 ||
	    rel[6] == '\0' || strchr(rel + 6, '/') != NULL)
		return 0;
	if (slug != NULL && (size_t)snprintf(slug, len, "%s", rel + 6) >= len)
		return 0;
	snprintf(key, sizeof(key), "books.%s.published", rel + 6);
	if ((v = site_var(site, key)) != NULL && strcmp(v, "false") == 0)
		return -1;
	snprintf(key, sizeof(key), "books.%s.title", rel + 6);
	return site_var(site, key) != NULL;
}

/* A Zenn site's published books, by title, under their own heading:
 * zenn.dev shows a writer's books beside the articles. */
static int
doc_books(const struct host *h, struct md_doc *d)
{
	const struct site	*site = store_site(h->store);
	struct store_dirent	*v;
	struct buf		 rel, path;
	const char		*title;
	size_t			 n, i, shown = 0;
	int			 rc = 0;

	if (site->gen != SITE_ZENN || store_list(h->store, "books", &v, &n) < 0)
		return 0;
	buf_init(&rel, PATH_MAX);
	buf_init(&path, PATH_MAX * 3);
	for (i = 0; i < n && rc == 0; i++) {
		buf_reset(&rel);
		if (!v[i].is_dir || buf_printf(&rel, "books/%s", v[i].name) ==
		    -1 || book_of(h, rel.data, NULL, 0) != 1)
			continue;
		buf_reset(&path);
		rc |= buf_putc(&path, '/');
		rc |= url_encode_path(&path, rel.data, rel.len);
		rc |= buf_putc(&path, '/');
		buf_reset(&rel);
		rc |= buf_printf(&rel, "books.%s.title", v[i].name);
		if (rc != 0 || (title = site_var(site, rel.data)) == NULL)
			title = v[i].name;
		if (shown++ == 0)
			rc |= doc_title(d, 2, "Books");
		rc |= doc_local(d, shown == 1 ? MDS_BLANK : MDS_NONE,
		    path.data, '1', title, NULL);
	}
	store_list_free(v, n);
	buf_free(&rel);
	buf_free(&path);
	return rc;
}

/*------------------------------------------------------------ listings */

struct listing {
	const char			*rel;	/* "" or "a/b" */
	const struct store_dirent	*v;
	size_t				 n;
};

/*
 * What a listed entry links to, one absolute path for both protocols:
 * a Markdown file as its page at the canonical path the URL scheme gives
 * (store_where of its source path), anything else at its own path.
 * 0, 1 for an entry not to list (a draft, a draft's bundle folder), or
 * -1 on error.
 */
static int
entry_target(struct store *s, const char *rel, const struct store_dirent *e,
    struct buf *path, char *type)
{
	struct store_where	 w;
	char			 src[PATH_MAX];

	*type = e->is_dir ? '1' : mime_gopher_type(e->name);
	/* A draft, or a draft's bundle folder (asked for as a file in it). */
	if ((size_t)snprintf(src, sizeof(src), "%s%s%s%s", rel,
	    *rel ? "/" : "", e->name, e->is_dir ? "/index" : "") >=
	    sizeof(src) || store_is_draft(s, src))
		return 1;
	if (!e->is_dir && store_is_markdown(e->name)) {
		snprintf(src, sizeof(src), "/%s%s%s", rel, *rel ? "/" : "",
		    e->name);
		store_where(s, src, 1, &w);
		if (w.kind == WHERE_PRIVATE)
			return 1;
		/* A source no page is made from stays a text file. */
		if (w.kind == WHERE_MOVED) {
			*type = '1';
			return buf_puts(path, w.to);
		}
	}
	if (*rel != '\0' && (buf_putc(path, '/') == -1 ||
	    url_encode_path(path, rel, strlen(rel)) == -1))
		return -1;
	if (buf_putc(path, '/') == -1 ||
	    url_encode_path(path, e->name, strlen(e->name)) == -1 ||
	    (e->is_dir && buf_putc(path, '/') == -1))
		return -1;
	return 0;
}

/* A directory without an index: ".." and its entries. */
static int
doc_listing(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, struct md_doc *d)
{
	const struct listing	*ls = arg;
	const char		*slash;
	struct buf		 path, label;
	size_t			 i, dirlen = strlen(ls->rel);
	enum md_sep		 sep = MDS_BLANK;
	char			 type;
	int			 rc = 0, e;

	(void)c;
	(void)ix;
	buf_init(&path, PATH_MAX * 3 + 8);
	buf_init(&label, PATH_MAX + 8);
	/* The root is listed as a home page (see serve_home). */
	if (dirlen == 0)
		rc |= buf_puts(&label, site_title(h));
	else
		rc |= buf_printf(&label, "/%s/", ls->rel);
	rc |= doc_title(d, 1, label.data ? label.data : "");
	if (dirlen > 0) {
		slash = strrchr(ls->rel, '/');
		rc |= buf_putc(&path, '/');
		if (slash != NULL) {
			rc |= url_encode_path(&path, ls->rel,
			    (size_t)(slash - ls->rel));
			rc |= buf_putc(&path, '/');
		}
		rc |= doc_local(d, sep, path.data, '1', "..", NULL);
		/* The entries follow ".." directly. */
		sep = MDS_NONE;
	}
	for (i = 0; i < ls->n && rc == 0; i++) {
		buf_reset(&path);
		buf_reset(&label);
		/* An unpublished book's folder is private as a whole. */
		rc |= buf_printf(&label, "%s/%s", ls->rel, ls->v[i].name);
		if (ls->v[i].is_dir && rc == 0 && book_of(h, label.data, NULL,
		    0) == -1)
			continue;
		buf_reset(&label);
		if ((e = entry_target(h->store, ls->rel, &ls->v[i], &path,
		    &type)) != 0) {
			rc |= e == -1;
			continue;
		}
		rc |= buf_printf(&label, "%s%s", ls->v[i].name,
		    ls->v[i].is_dir ? "/" : "");
		rc |= doc_local(d, sep, path.data, type, label.data,
		    NULL);
		sep = MDS_NONE;
	}
	buf_free(&path);
	buf_free(&label);
	return rc ? FAILED : BUILT;
}

int
feed_listing(const struct conf *c, const struct host *h, const char *rel,
    enum md_format fmt, struct reply *r)
{
	struct store_dirent	*v;
	struct listing		 ls;
	struct page		 pg;
	char			 slug[NAME_MAX + 1], key[NAME_MAX + 32];

	switch (book_of(h, rel, slug, sizeof(slug))) {
	case -1:
		return -1;
	case 1:
		snprintf(key, sizeof(key), "book:%c:%s", fmt == MD_GEMTEXT ?
		    'g' : 'o', slug);
		serve_doc(c, h, key, doc_book, slug, fmt, r);
		return 0;
	}
	if (store_list(h->store, rel, &v, &ls.n) < 0)
		return -1;
	ls.rel = rel;
	ls.v = v;
	memset(&pg, 0, sizeof(pg));
	pg.doc = doc_listing;
	pg.arg = &ls;
	pg.fmt = fmt;
	serve_cached(c, h, &pg, r);
	store_list_free(v, ls.n);
	return 0;
}

/*------------------------------------------------------------ moves */

/*
 * Gopher has no redirects: a page that moved answers with a short menu
 * whose first item is the new place, which every client can follow
 * (a type-3 line names it but leads nowhere).  to is one of our paths
 * ("/posts/x/") or a URL (a configured redirect elsewhere).
 */
void
feed_moved(const struct conf *c, const struct host *h, const char *to,
    const char *sel, struct reply *r)
{
	struct doc_target	 t;
	struct md_doc		 d;
	struct buf		 label, url, out;
	int			 rc;

	buf_init(&label, 4096);
	buf_init(&url, 4096);
	buf_init(&out, 16384);
	rc = doc_init(&d, RENDER_MAX);
	rc |= buf_printf(&label, "Moved to %s", to);
	if (to[0] == '/')
		rc |= doc_local(&d, MDS_NONE, to, '1', label.data, NULL);
	else {
		memset(&t, 0, sizeof(t));
		t.kind = MDL_REMOTE;
		t.gem = to;
		t.type = 'h';
		rc |= buf_printf(&url, "URL:%s", to);
		t.sel = url.data ? url.data : "";
		rc |= doc_link(&d, MDS_NONE, &t, label.data, NULL);
	}
	buf_reset(&label);
	rc |= buf_printf(&label, "This page used to be at %s.", sel);
	rc |= doc_line(&d, MDS_BLANK, label.data ? label.data : "");
	if (rc == 0 && doc_out(c, h, &d, MD_GOPHERMAP, &out) != BUILT)
		rc = -1;
	md_doc_free(&d);
	buf_free(&label);
	buf_free(&url);
	if (rc != 0) {
		buf_free(&out);
		reply_set(r, 40, "Out of memory");
		return;
	}
	reply_buf(r, 31, to, &out);
}

/*------------------------------------------------------------ small files */

static void
reply_text(struct reply *r, const char *meta, const char *text)
{
	struct buf b;

	buf_init(&b, 65536);
	if (buf_puts(&b, text) == -1) {
		buf_free(&b);
		reply_set(r, 40, "Out of memory");
		return;
	}
	reply_buf(r, 20, meta, &b);
}

/* Everything may be crawled; a robots.txt in the root replaces this. */
static void
robots(int gemini, struct reply *r)
{
	if (gemini)
		reply_text(r, TEXT_META,
		    "# Default robots.txt of capsuled: everything may be "
		    "crawled.\n"
		    "# A robots.txt file in the capsule root replaces it.\n"
		    "# Gemini virtual user agents: archiver, indexer, "
		    "researcher, webproxy.\n"
		    "User-agent: archiver\n"
		    "User-agent: indexer\n"
		    "User-agent: researcher\n"
		    "User-agent: webproxy\n"
		    "User-agent: *\n"
		    "Disallow:\n");
	else
		reply_text(r, TEXT_META,
		    "# Default robots.txt of capsuled: everything may be "
		    "crawled.\n"
		    "# A robots.txt file in the root replaces it.\n"
		    "User-agent: *\n"
		    "Disallow:\n");
}

static void
favicon(const struct host *h, struct reply *r)
{
	struct buf b;

	buf_init(&b, 1024);
	if (put_line(&b, h->favicon != NULL ? h->favicon : DEFAULT_FAVICON)
	    == -1 || buf_putc(&b, '\n') == -1) {
		buf_free(&b);
		reply_set(r, 40, "Out of memory");
		return;
	}
	reply_buf(r, 20, TEXT_META, &b);
}

/* The gophernicus caps.txt, which Overbite and crawlers read to learn
 * how selectors are built; with gopher_tls, ServerTLSPort tells gophers://
 * clients that the same port speaks TLS too. */
static void
caps(const struct conf *c, const struct host *h, struct reply *r)
{
	struct utsname	 u;
	struct buf	 b;
	const char	*desc = h->description ? h->description : h->title;
	int		 rc = 0;

	buf_init(&b, 65536);
	rc |= buf_printf(&b, "CAPS\r\n\r\n"
	    "##\r\n"
	    "## Generated by capsuled; a caps.txt file in the root "
	    "replaces it.\r\n"
	    "##\r\n\r\n"
	    "CapsVersion=1\r\n"
	    "ExpireCapsAfter=%d\r\n\r\n"
	    "PathDelimeter=/\r\n"
	    "PathIdentity=.\r\n"
	    "PathParent=..\r\n"
	    "PathParentDouble=FALSE\r\n"
	    "PathKeepPreDelimeter=FALSE\r\n"
	    "ServerSupportsStdinScripts=FALSE\r\n"
	    "ServerDefaultEncoding=UTF-8\r\n\r\n"
	    "ServerSoftware=capsuled\r\n"
	    "ServerSoftwareVersion=" PACKAGE_VERSION "\r\n",
	    CAPS_EXPIRE_SEC);
	if (uname(&u) == 0)
		rc |= buf_printf(&b, "ServerArchitecture=%s/%s\r\n", u.sysname,
		    u.machine);
	/* One line each: a newline in the text would start a new key. */
	rc |= put3(&b, "ServerDescription=", desc ? desc : "", "\r\n");
	rc |= buf_puts(&b, "ServerAdmin=\r\n");
	if (c->gopher_tls)
		rc |= buf_printf(&b, "ServerTLSPort=%u\r\n", c->gopher_port);
	if (rc != 0) {
		buf_free(&b);
		reply_set(r, 40, "Out of memory");
		return;
	}
	reply_buf(r, 20, TEXT_META, &b);
}

/*------------------------------------------------------------ dispatch */

int
feed_gemini(const struct conf *c, const struct host *h, const char *path,
    const char *query, struct reply *r)
{
	if (serve_taxonomy(c, h, path, MD_GEMTEXT, r))
		return 1;
	if (strcmp(path, "/gemlog/") == 0)
		serve_doc(c, h, "gemlog:gemini", doc_gemlog, NULL,
		    MD_GEMTEXT, r);
	else if (strcmp(path, "/gemlog") == 0)
		reply_set(r, 31, "/gemlog/");
	else if (strcmp(path, "/atom.xml") == 0)
		serve_atom(c, h, 1, r);
	else if (strcmp(path, "/search") == 0)
		search_gemini(c, h, query, r);
	else if (strcmp(path, "/robots.txt") == 0)
		robots(1, r);
	else if (strcmp(path, "/favicon.txt") == 0)
		favicon(h, r);
	else
		return 0;
	return 1;
}

int
feed_gopher(const struct conf *c, const struct host *h, const char *selector,
    const char *search, struct reply *r)
{
	if (serve_taxonomy(c, h, selector, MD_GOPHERMAP, r))
		return 1;
	if (strcmp(selector, "/gemlog/") == 0 ||
	    strcmp(selector, "/gemlog") == 0)
		serve_doc(c, h, "gemlog:gopher", doc_gemlog, NULL,
		    MD_GOPHERMAP, r);
	else if (strcmp(selector, "/atom.xml") == 0)
		serve_atom(c, h, 0, r);
	else if (strcmp(selector, "/search") == 0) {
		if (search == NULL ||
		    search_page(c, h, search, MD_GOPHERMAP, r) == -1)
			serve_doc(c, h, "search:gopher", doc_search_prompt,
			    NULL, MD_GOPHERMAP, r);
	} else if (strcmp(selector, "/robots.txt") == 0)
		robots(0, r);
	else if (strcmp(selector, "/caps.txt") == 0)
		caps(c, h, r);
	else
		return 0;
	return 1;
}


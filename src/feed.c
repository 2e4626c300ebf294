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
#include "feed.h"
#include "gopher.h"
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

/* A page builder; gemini says which protocol the page is for (builders
 * that serve one protocol only ignore it). */
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

/* "=> URL YYYY-MM-DD Title": the gemfeed entry line. */
static int
gemini_post_line(struct buf *b, const struct post *p)
{
	char date[16];

	post_day(p, date, sizeof(date));
	if (buf_printf(b, "=> %s %s ", p->gemini, date) == -1 ||
	    put_line(b, p->title) == -1)
		return -1;
	return buf_putc(b, '\n');
}

/* A type-1 item labelled "YYYY-MM-DD Title", as phlog indexes are. */
static int
gopher_post_item(struct buf *b, const struct conf *c, const struct host *h,
    const struct post *p)
{
	char		 date[16];
	struct buf	 label;
	int		 rc;

	post_day(p, date, sizeof(date));
	buf_init(&label, 8192);
	rc = put3(&label, date, " ", "");
	if (rc == 0)
		rc = put_line(&label, p->title);
	if (rc == 0)
		rc = gopher_item(b, '1', label.data, label.len, p->gopher,
		    h->name, c->gopher_port);
	buf_free(&label);
	return rc;
}

struct gopher_wrap {
	struct buf	*out;
	const char	*host;
	unsigned	 port;
	const char	*indent;
	struct buf	 line;
};

static int
gopher_wrap_line(void *arg, const char *s, size_t len, size_t width)
{
	struct gopher_wrap *w = arg;

	(void)width;
	buf_reset(&w->line);
	if (buf_puts(&w->line, w->indent) == -1 ||
	    buf_append(&w->line, s, len) == -1)
		return -1;
	return gopher_info(w->out, w->line.data, w->line.len, w->host,
	    w->port);
}

/* Text as info lines wrapped to the Gopher width, after indent. */
static int
gopher_text(struct buf *b, const struct conf *c, const struct host *h,
    const char *s, const char *indent)
{
	struct gopher_wrap	 w;
	struct buf		 flat;
	size_t			 width = c->gopher_width;
	int			 rc;

	if (width < 20)
		width = DEFAULT_GOPHER_WIDTH;
	w.out = b;
	w.host = h->name;
	w.port = c->gopher_port;
	w.indent = indent;
	buf_init(&w.line, 65536);
	buf_init(&flat, RENDER_MAX);
	rc = put_line(&flat, s);
	if (rc == 0)
		rc = tw_wrap(flat.data ? flat.data : "", flat.len,
		    width - strlen(indent), gopher_wrap_line, &w);
	buf_free(&flat);
	buf_free(&w.line);
	return rc;
}

static int
gopher_blank(struct buf *b, const struct conf *c, const struct host *h)
{
	return gopher_info(b, "", 0, h->name, c->gopher_port);
}

/* A wrapped paragraph of info lines and a blank one after it. */
static int
gopher_para(struct buf *b, const struct conf *c, const struct host *h,
    const char *s)
{
	if (gopher_text(b, c, h, s, "") == -1)
		return -1;
	return gopher_blank(b, c, h);
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

	if ((ix = store_posts(h->store)) == NULL || h->nzones == 0)
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
 * While a cold index has only its front-matter pass (store_posts), a
 * page built from it says so in one line instead of waiting: at the end
 * of a gemtext page, first in a menu (its last line is the terminator).
 * Feeds and other formats are left as they are.
 */
static int
partial_note(const struct conf *c, const struct host *h, const char *meta,
    int gemini, struct buf *out)
{
	static const char note[] = "Still indexing: summaries and search "
	    "are not complete yet.";
	struct buf	 menu;
	int		 rc;

	if (gemini)
		return strcmp(meta, GEMTEXT_META) != 0 ? 0 :
		    put3(out, "\n", note, "\n");
	if (out->len < 3 || memcmp(out->data + out->len - 3, ".\r\n", 3) != 0)
		return 0;
	buf_init(&menu, out->max);
	rc = gopher_para(&menu, c, h, note) |
	    buf_append(&menu, out->data, out->len);
	if (rc == 0) {
		buf_free(out);
		*out = menu;
	} else
		buf_free(&menu);
	return rc;
}

/*
 * Serve a generated page from the cache, building it on a miss.  The
 * reply is filled unless the builder says NOT_FOUND, which is returned
 * for the caller to answer.
 */
static int
serve_cached(const struct conf *c, const struct host *h, const char *key,
    const char *meta, build_fn build, const void *arg, int gemini,
    struct reply *r)
{
	struct post_index	*ix;
	struct blob		*b;
	struct buf		 out;
	int			 rc = BUILT;

	if ((ix = visible_posts(h)) == NULL) {
		reply_set(r, 40, "Cannot read the posts");
		return FAILED;
	}
	if ((b = store_cached(h->store, key, ix->gen)) == NULL) {
		buf_init(&out, RENDER_MAX);
		if ((rc = build(c, h, ix, arg, gemini, &out)) == BUILT &&
		    ix->partial && partial_note(c, h, meta, gemini, &out) == -1)
			rc = FAILED;
		if (rc == BUILT) {
			if ((b = blob_from_buf(&out)) != NULL)
				store_cache_put(h->store, key, ix->gen, b);
		}
		buf_free(&out);
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
	reply_set(r, 20, meta);
	r->body = b;
	return BUILT;
}

/*------------------------------------------------------------ home */

static int
build_home_gemini(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, int gemini, struct buf *b)
{
	size_t	i;
	int	rc = 0;

	(void)gemini;
	(void)c;
	(void)arg;
	rc |= put3(b, "# ", h->title, "\n\n");
	if (h->description != NULL)
		rc |= put3(b, "", h->description, "\n\n");
	if (ix->n > 0) {
		rc |= buf_puts(b, "## Latest posts\n\n");
		for (i = 0; i < ix->n && i < HOME_LATEST_POSTS; i++)
			rc |= gemini_post_line(b, ix->posts[i]);
		rc |= buf_puts(b, "\n");
	}
	rc |= buf_puts(b, "=> /gemlog/ Gemlog: all posts\n"
	    "=> /tags/ Tags\n"
	    "=> /search Search\n"
	    "=> /atom.xml Atom feed\n");
	return rc ? FAILED : BUILT;
}

static int
build_home_gopher(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, int gemini, struct buf *b)
{
	size_t	i;
	int	rc = 0;

	(void)gemini;
	(void)arg;
	rc |= gopher_para(b, c, h, h->title);
	if (h->description != NULL)
		rc |= gopher_para(b, c, h, h->description);
	for (i = 0; i < ix->n && i < HOME_LATEST_POSTS; i++)
		rc |= gopher_post_item(b, c, h, ix->posts[i]);
	if (ix->n > 0)
		rc |= gopher_blank(b, c, h);
	rc |= gopher_item(b, '1', "Phlog: all posts", 16, "/gemlog/", h->name,
	    c->gopher_port);
	rc |= gopher_item(b, '1', "Tags", 4, "/tags/", h->name,
	    c->gopher_port);
	rc |= gopher_item(b, '7', "Search", 6, "/search", h->name,
	    c->gopher_port);
	rc |= gopher_item(b, '0', "Atom feed", 9, "/atom.xml", h->name,
	    c->gopher_port);
	rc |= gopher_menu_end(b);
	return rc ? FAILED : BUILT;
}

void
feed_home_gemini(const struct conf *c, const struct host *h, struct reply *r)
{
	serve_cached(c, h, "home:gemini", GEMTEXT_META, build_home_gemini,
	    NULL, 1, r);
}

void
feed_home_gopher(const struct conf *c, const struct host *h, struct reply *r)
{
	serve_cached(c, h, "home:gopher", GOPHER_META, build_home_gopher,
	    NULL, 0, r);
}

/*------------------------------------------------------------ gemlog */

/*
 * The gemfeed (Gemini subscription companion spec): the capsule title
 * as the first heading, then one dated link per post, newest first, all
 * on one page so that subscribers always find every post in one place.
 */
static int
build_gemlog_gemini(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, int gemini, struct buf *b)
{
	size_t	i;
	int	rc = 0;

	(void)gemini;
	(void)c;
	(void)arg;
	rc |= put3(b, "# ", h->title, "\n\n");
	for (i = 0; i < ix->n; i++)
		rc |= gemini_post_line(b, ix->posts[i]);
	if (ix->n == 0)
		rc |= buf_puts(b, "No posts yet.\n");
	rc |= buf_puts(b, "\n=> /tags/ Tags\n"
	    "=> /atom.xml Atom feed\n"
	    "=> / Home\n");
	return rc ? FAILED : BUILT;
}

static int
build_gemlog_gopher(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, int gemini, struct buf *b)
{
	size_t	i;
	int	rc = 0;

	(void)gemini;
	(void)arg;
	rc |= gopher_para(b, c, h, h->title);
	rc |= gopher_para(b, c, h, "All posts, newest first.");
	for (i = 0; i < ix->n; i++)
		rc |= gopher_post_item(b, c, h, ix->posts[i]);
	if (ix->n == 0)
		rc |= gopher_text(b, c, h, "No posts yet.", "");
	rc |= gopher_blank(b, c, h);
	rc |= gopher_item(b, '1', "Tags", 4, "/tags/", h->name,
	    c->gopher_port);
	rc |= gopher_item(b, '0', "Atom feed", 9, "/atom.xml", h->name,
	    c->gopher_port);
	rc |= gopher_item(b, '1', "Home", 4, "/", h->name, c->gopher_port);
	rc |= gopher_menu_end(b);
	return rc ? FAILED : BUILT;
}

/*------------------------------------------------------------ tags */

/* Tags are matched by their search form, so "Gemini" and "gemini" are
 * one tag, shown as the newest post spells it. */
static int
tag_key(const char *tag, struct buf *out)
{
	buf_reset(out);
	return search_normalize(tag, strlen(tag), out);
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

/* Every (tag, post) pair of the snapshot, sorted by tag then newest
 * first.  Caller frees with tag_uses_free. */
static int
tag_uses(const struct post_index *ix, struct tag_use **out, size_t *np)
{
	struct tag_use	*v = NULL, *nv;
	struct buf	 k;
	size_t		 i, j, n = 0, cap = 0;

	buf_init(&k, TAG_MAX);
	for (i = 0; i < ix->n; i++) {
		for (j = 0; j < ix->posts[i]->ntags; j++) {
			if (tag_key(ix->posts[i]->tags[j], &k) == -1 ||
			    k.len == 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((nv = realloc(v, cap * sizeof(*v))) ==
				    NULL)
					goto fail;
				v = nv;
			}
			v[n].name = ix->posts[i]->tags[j];
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


static int
build_tags(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *arg, int gemini, struct buf *b)
{
	struct tag_use	*v;
	struct buf	 path, label;
	size_t		 n, i, j, count;
	int		 rc = 0;

	(void)arg;
	if (tag_uses(ix, &v, &n) == -1)
		return FAILED;
	buf_init(&path, TAG_MAX * 3 + 16);
	buf_init(&label, TAG_MAX * 2);
	if (gemini)
		rc |= buf_puts(b, "# Tags\n\n");
	else
		rc |= gopher_para(b, c, h, "Tags");
	for (i = 0; i < n; i = j) {
		/* One run per tag; a post counts once however often it
		 * repeats the tag. */
		for (j = i + 1, count = 1; j < n &&
		    strcmp(v[j].key, v[i].key) == 0; j++)
			if (v[j].post != v[j - 1].post)
				count++;
		buf_reset(&path);
		buf_reset(&label);
		rc |= site_tag_path(v[i].name, &path);
		rc |= put_line(&label, v[i].name);
		rc |= buf_printf(&label, " (%zu)", count);
		if (gemini)
			rc |= buf_printf(b, "=> %s %s\n", path.data,
			    label.data);
		else
			rc |= gopher_item(b, '1', label.data, label.len,
			    path.data, h->name, c->gopher_port);
	}
	if (n == 0) {
		if (gemini)
			rc |= buf_puts(b, "No tags yet.\n");
		else
			rc |= gopher_text(b, c, h, "No tags yet.", "");
	}
	if (gemini)
		rc |= buf_puts(b, "\n=> /gemlog/ Gemlog: all posts\n"
		    "=> / Home\n");
	else {
		rc |= gopher_blank(b, c, h);
		rc |= gopher_item(b, '1', "Phlog: all posts", 16, "/gemlog/",
		    h->name, c->gopher_port);
		rc |= gopher_item(b, '1', "Home", 4, "/", h->name,
		    c->gopher_port);
		rc |= gopher_menu_end(b);
	}
	buf_free(&path);
	buf_free(&label);
	tag_uses_free(v, n);
	return rc ? FAILED : BUILT;
}

/* The posts carrying the tag whose key is arg, in gemfeed form. */
static int
build_tag(const struct conf *c, const struct host *h,
    const struct post_index *ix, const void *key, int gemini, struct buf *b)
{
	const struct post	*p;
	const char		*name = NULL;
	struct buf		 k, title;
	size_t			 i, j;
	int			 rc = 0, found;

	buf_init(&k, TAG_MAX);
	buf_init(&title, TAG_MAX * 2 + 64);
	for (i = 0; i < ix->n; i++) {
		p = ix->posts[i];
		for (j = 0, found = 0; j < p->ntags && !found; j++) {
			if (tag_key(p->tags[j], &k) == -1 ||
			    strcmp(k.data ? k.data : "", key) != 0)
				continue;
			found = 1;
			if (name == NULL) {
				name = p->tags[j];
				rc |= put3(&title, "Posts tagged ", name, "");
				if (gemini)
					rc |= buf_printf(b, "# %s\n\n",
					    title.data);
				else
					rc |= gopher_para(b, c, h, title.data);
			}
			if (gemini)
				rc |= gemini_post_line(b, p);
			else
				rc |= gopher_post_item(b, c, h, p);
		}
	}
	buf_free(&k);
	buf_free(&title);
	if (name == NULL)
		return NOT_FOUND;
	if (gemini)
		rc |= buf_puts(b, "\n=> /tags/ All tags\n"
		    "=> /gemlog/ Gemlog: all posts\n"
		    "=> / Home\n");
	else {
		rc |= gopher_blank(b, c, h);
		rc |= gopher_item(b, '1', "All tags", 8, "/tags/", h->name,
		    c->gopher_port);
		rc |= gopher_item(b, '1', "Phlog: all posts", 16, "/gemlog/",
		    h->name, c->gopher_port);
		rc |= gopher_item(b, '1', "Home", 4, "/", h->name,
		    c->gopher_port);
		rc |= gopher_menu_end(b);
	}
	return rc ? FAILED : BUILT;
}

/*
 * A tag page by name (percent-decoded by the router).  Returns BUILT
 * (reply filled), NOT_FOUND or FAILED (reply filled).
 */
static int
serve_tag(const struct conf *c, const struct host *h, const char *name,
    size_t n, int gemini, struct reply *r)
{
	struct buf	 k, key;
	int		 rc;

	buf_init(&k, TAG_MAX);
	buf_init(&key, TAG_MAX + 16);
	if (search_normalize(name, n, &k) == -1 || k.len == 0) {
		buf_free(&k);
		return NOT_FOUND;
	}
	buf_printf(&key, "tag:%c:%s", gemini ? 'g' : 'o', k.data);
	rc = serve_cached(c, h, key.data ? key.data : "tag:",
	    gemini ? GEMTEXT_META : GOPHER_META,
	    build_tag, k.data, gemini, r);
	buf_free(&k);
	buf_free(&key);
	return rc;
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

/*------------------------------------------------------------ search */

/* Search the snapshot and build the results page; the query is valid
 * UTF-8.  Returns -1 for a query that normalises to nothing. */
static int
search_page(const struct conf *c, const struct host *h, const char *q,
    int gemini, struct reply *r)
{
	struct post_index	*ix;
	struct search_hit	*hits;
	struct buf		 b, line, text;
	size_t			 total, i;
	int			 n, rc = 0;

	if ((ix = visible_posts(h)) == NULL) {
		reply_set(r, 40, "Cannot read the posts");
		return 0;
	}
	if ((hits = calloc(SEARCH_MAX_HITS, sizeof(*hits))) == NULL) {
		post_index_unref(ix);
		reply_set(r, 40, "Out of memory");
		return 0;
	}
	n = search_run(ix, q, strlen(q), hits, SEARCH_MAX_HITS, &total);
	if (n < 0) {
		free(hits);
		post_index_unref(ix);
		if (n == -1)
			return -1;
		reply_set(r, 40, "Out of memory");
		return 0;
	}
	buf_init(&b, RENDER_MAX);
	buf_init(&line, 65536);
	rc |= put3(&line, "Search: ", q, "");
	if (gemini)
		rc |= buf_printf(&b, "# %s\n\n", line.data);
	else
		rc |= gopher_para(&b, c, h, line.data);
	buf_reset(&line);
	if (total == 0)
		rc |= put3(&line, "No posts match \"", q, "\".");
	else if (total == 1)
		rc |= buf_puts(&line, "1 post matches.");
	else if (total > (size_t)n)
		rc |= buf_printf(&line, "%zu posts match; the newest %d are "
		    "listed.", total, n);
	else
		rc |= buf_printf(&line, "%zu posts match.", total);
	if (gemini)
		rc |= buf_printf(&b, "%s\n\n", line.data);
	else
		rc |= gopher_para(&b, c, h, line.data);
	buf_init(&text, PAGE_SOURCE_MAX);
	for (i = 0; i < (size_t)n; i++) {
		buf_reset(&line);
		buf_reset(&text);
		/* No snippet for a post that changed since it was indexed
		 * (or cannot be digested): its entry is being replaced. */
		if (postindex_text(h->store, hits[i].post, &text) == 0)
			rc |= search_snippet(text.data ? text.data : "",
			    &hits[i], SEARCH_CONTEXT_COLS, &line);
		if (gemini) {
			rc |= gemini_post_line(&b, hits[i].post);
			/* A quote line: a snippet can never read as a link
			 * or a heading. */
			if (line.len > 0)
				rc |= buf_printf(&b, "> %s\n", line.data);
			rc |= buf_putc(&b, '\n');
		} else {
			rc |= gopher_post_item(&b, c, h, hits[i].post);
			if (line.len > 0)
				rc |= gopher_text(&b, c, h, line.data, "  ");
			rc |= gopher_blank(&b, c, h);
		}
	}
	if (gemini)
		rc |= buf_puts(&b, "=> /search Search again\n"
		    "=> /gemlog/ Gemlog: all posts\n"
		    "=> / Home\n");
	else {
		rc |= gopher_item(&b, '7', "Search again", 12, "/search",
		    h->name, c->gopher_port);
		rc |= gopher_item(&b, '1', "Phlog: all posts", 16, "/gemlog/",
		    h->name, c->gopher_port);
		rc |= gopher_item(&b, '1', "Home", 4, "/", h->name,
		    c->gopher_port);
		rc |= gopher_menu_end(&b);
	}
	buf_free(&line);
	buf_free(&text);
	free(hits);
	post_index_unref(ix);
	if (rc != 0) {
		buf_free(&b);
		reply_set(r, 40, "Cannot build the page");
		return 0;
	}
	reply_buf(r, 20, gemini ? GEMTEXT_META : GOPHER_META, &b);
	return 0;
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
	if (search_page(c, h, q.data ? q.data : "", 1, r) == -1)
		reply_set(r, 10, "Search the posts");
	buf_free(&q);
}

/* Without a search string (a client that does not know type 7): a menu
 * offering the search. */
static void
search_prompt_gopher(const struct conf *c, const struct host *h,
    struct reply *r)
{
	struct buf	b;
	int		rc = 0;

	buf_init(&b, 8192);
	rc |= gopher_text(&b, c, h, "Search the posts.", "");
	rc |= gopher_item(&b, '7', "Search", 6, "/search", h->name,
	    c->gopher_port);
	rc |= gopher_item(&b, '1', "Home", 4, "/", h->name, c->gopher_port);
	rc |= gopher_menu_end(&b);
	if (rc != 0) {
		buf_free(&b);
		reply_set(r, 40, "Cannot build the page");
		return;
	}
	reply_buf(r, 20, GOPHER_META, &b);
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

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int
feed_gemini(const struct conf *c, const struct host *h, const char *path,
    const char *query, struct reply *r)
{
	const char	*name;
	size_t		 n;

	if (strcmp(path, "/gemlog/") == 0)
		serve_cached(c, h, "gemlog:gemini", GEMTEXT_META,
		    build_gemlog_gemini, NULL, 1, r);
	else if (strcmp(path, "/gemlog") == 0)
		reply_set(r, 31, "/gemlog/");
	else if (strcmp(path, "/tags/") == 0)
		serve_cached(c, h, "tags:gemini", GEMTEXT_META, build_tags,
		    NULL, 1, r);
	else if (strcmp(path, "/tags") == 0)
		reply_set(r, 31, "/tags/");
	else if (strncmp(path, "/tags/", 6) == 0) {
		name = path + 6;
		n = strlen(name);
		/* The web's forms "/tags/NAME/" and "/tags/NAME.html" (Hugo's
		 * uglyURLs), and "/tags/NAME.gmi". */
		if (ends_with(name, n, ".gmi"))
			n -= 4;
		else if (ends_with(name, n, ".html"))
			n -= 5;
		else if (ends_with(name, n, "/"))
			n--;
		if (serve_tag(c, h, name, n, 1, r) == NOT_FOUND)
			reply_set(r, 51, "No such tag");
	} else if (strcmp(path, "/atom.xml") == 0)
		serve_cached(c, h, "atom:gemini", ATOM_META, build_atom, NULL,
		    1, r);
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
	const char	*name;
	size_t		 n;

	if (strcmp(selector, "/gemlog/") == 0 ||
	    strcmp(selector, "/gemlog") == 0)
		serve_cached(c, h, "gemlog:gopher", GOPHER_META,
		    build_gemlog_gopher, NULL, 0, r);
	else if (strcmp(selector, "/tags/") == 0 ||
	    strcmp(selector, "/tags") == 0)
		serve_cached(c, h, "tags:gopher", GOPHER_META, build_tags,
		    NULL, 0, r);
	else if (strncmp(selector, "/tags/", 6) == 0) {
		name = selector + 6;
		n = strlen(name);
		if (ends_with(name, n, "/"))
			n--;
		else if (ends_with(name, n, ".html"))
			n -= 5;
		if (serve_tag(c, h, name, n, 0, r) == NOT_FOUND)
			reply_gopher_error(r, 51, "No such tag", selector);
	} else if (strcmp(selector, "/atom.xml") == 0)
		serve_cached(c, h, "atom:gopher", ATOM_META, build_atom, NULL,
		    0, r);
	else if (strcmp(selector, "/search") == 0) {
		if (search == NULL ||
		    search_page(c, h, search, 0, r) == -1)
			search_prompt_gopher(c, h, r);
	} else if (strcmp(selector, "/robots.txt") == 0)
		robots(0, r);
	else if (strcmp(selector, "/caps.txt") == 0)
		caps(c, h, r);
	else
		return 0;
	return 1;
}

/*
 * feed: generated pages (see feed.h).  Each page is built from one
 * post-index snapshot and cached under that snapshot's generation.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "defaults.h"
#include "feed.h"
#include "gopher.h"
#include "router.h"
#include "store.h"

static void
ymd(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/* Serve a generated page from the cache, building it on a miss. */
static void
cached_page(const struct host *h, const char *key, const char *meta,
    void (*build)(const struct conf *, const struct host *,
    const struct post_index *, struct buf *), const struct conf *c,
    struct reply *r)
{
	struct post_index	*ix;
	struct blob		*b;
	struct buf		 out;

	r->status = 20;
	snprintf(r->meta, sizeof(r->meta), "%s", meta);
	if ((ix = store_posts(h->store)) == NULL) {
		r->status = 40;
		snprintf(r->meta, sizeof(r->meta), "Cannot read the posts");
		return;
	}
	if ((b = store_cached(h->store, key, ix->gen)) == NULL) {
		buf_init(&out, RENDER_MAX);
		build(c, h, ix, &out);
		if ((b = blob_from_buf(&out)) != NULL)
			store_cache_put(h->store, key, ix->gen, b);
	}
	post_index_unref(ix);
	if ((r->body = b) == NULL) {
		r->status = 40;
		snprintf(r->meta, sizeof(r->meta), "Out of memory");
	}
}

static void
build_home_gemini(const struct conf *c, const struct host *h,
    const struct post_index *ix, struct buf *b)
{
	char	date[16];
	size_t	i;

	(void)c;
	buf_printf(b, "# %s\n\n", h->title);
	if (h->description != NULL)
		buf_printf(b, "%s\n\n", h->description);
	if (ix->n > 0) {
		buf_puts(b, "## Latest posts\n\n");
		for (i = 0; i < ix->n && i < HOME_LATEST_POSTS; i++) {
			ymd(ix->posts[i]->date, date, sizeof(date));
			buf_printf(b, "=> %s %s %s\n", ix->posts[i]->gemini,
			    date, ix->posts[i]->title);
		}
		buf_puts(b, "\n");
	}
	buf_puts(b, "=> /gemlog/ Gemlog: all posts\n"
	    "=> /tags/ Tags\n"
	    "=> /search Search\n"
	    "=> /atom.xml Atom feed\n");
}

static void
build_home_gopher(const struct conf *c, const struct host *h,
    const struct post_index *ix, struct buf *b)
{
	char	line[1200], date[16];
	size_t	i;

	gopher_info(b, h->title, strlen(h->title), h->name, c->gopher_port);
	gopher_info(b, "", 0, h->name, c->gopher_port);
	if (h->description != NULL) {
		gopher_info(b, h->description, strlen(h->description),
		    h->name, c->gopher_port);
		gopher_info(b, "", 0, h->name, c->gopher_port);
	}
	for (i = 0; i < ix->n && i < HOME_LATEST_POSTS; i++) {
		ymd(ix->posts[i]->date, date, sizeof(date));
		snprintf(line, sizeof(line), "%s %s", date,
		    ix->posts[i]->title);
		gopher_item(b, '1', line, strlen(line), ix->posts[i]->gopher,
		    h->name, c->gopher_port);
	}
	if (ix->n > 0)
		gopher_info(b, "", 0, h->name, c->gopher_port);
	gopher_item(b, '1', "Phlog: all posts", 16, "/gemlog/", h->name,
	    c->gopher_port);
	gopher_item(b, '1', "Tags", 4, "/tags/", h->name, c->gopher_port);
	gopher_item(b, '7', "Search", 6, "/search", h->name, c->gopher_port);
	gopher_item(b, '0', "Atom feed", 9, "/atom.xml", h->name,
	    c->gopher_port);
	gopher_menu_end(b);
}

void
feed_home_gemini(const struct conf *c, const struct host *h, struct reply *r)
{
	cached_page(h, "home:gemini", "text/gemini; charset=utf-8",
	    build_home_gemini, c, r);
}

void
feed_home_gopher(const struct conf *c, const struct host *h, struct reply *r)
{
	cached_page(h, "home:gopher", "text/gopher", build_home_gopher, c, r);
}

int
feed_gemini(const struct conf *c, const struct host *h, const char *path,
    const char *query, struct reply *r)
{
	(void)c;
	(void)h;
	(void)path;
	(void)query;
	(void)r;
	return 0;
}

int
feed_gopher(const struct conf *c, const struct host *h, const char *selector,
    const char *search, struct reply *r)
{
	(void)c;
	(void)h;
	(void)selector;
	(void)search;
	(void)r;
	return 0;
}

/*
 * feed: pages generated from the post index: the home page, the gemlog,
 * tag pages, search results, directory listings, Atom feeds, robots.txt,
 * favicon.txt and caps.txt.  The pages people read are built as the
 * converters' document (doc.h) and rendered by the same emitters.
 * Generated pages are cached per index generation, so they are rebuilt
 * only when the set of posts changes.
 */
#ifndef CAPSULED_FEED_H
#define CAPSULED_FEED_H

#include "markdown.h"

struct conf;
struct host;
struct reply;

/* 1 when path names a generated Gemini resource (the reply is filled),
 * else 0.  query is the raw query string or NULL. */
int	feed_gemini(const struct conf *, const struct host *,
	    const char *path, const char *query, struct reply *);

/* 1 when selector names a generated Gopher resource, else 0. */
int	feed_gopher(const struct conf *, const struct host *,
	    const char *selector, const char *search, struct reply *);

/* The home page of a root without an index file (the root's listing
 * when there are no posts). */
void	feed_home_gemini(const struct conf *, const struct host *,
	    struct reply *);
void	feed_home_gopher(const struct conf *, const struct host *,
	    struct reply *);

/*
 * The listing of directory rel ("" or "a/b", as store_list takes it) as
 * a page in fmt: 0 with the reply filled, or -1 when the directory
 * cannot be listed (the caller answers "not found").
 */
int	feed_listing(const struct conf *, const struct host *,
	    const char *rel, enum md_format fmt, struct reply *);

/*
 * A Gopher reply for a page that moved to to (one of our paths or a
 * URL): status 31 and a menu whose first item leads there.
 */
void	feed_moved(const struct conf *, const struct host *, const char *to,
	    const char *sel, struct reply *);

#endif

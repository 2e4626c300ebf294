/*
 * feed: pages generated from the post index: the home page, the gemlog,
 * tag pages, Atom feeds, robots.txt, favicon.txt and caps.txt.  Generated
 * pages are cached per index generation, so they are rebuilt only when
 * the set of posts changes.
 */
#ifndef CAPSULED_FEED_H
#define CAPSULED_FEED_H

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

/* The home page of a root without an index file. */
void	feed_home_gemini(const struct conf *, const struct host *,
	    struct reply *);
void	feed_home_gopher(const struct conf *, const struct host *,
	    struct reply *);

#endif

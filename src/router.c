/*
 * router: names the resource a request is for and fills a reply from the
 * store (see router.h).  The resolution order is the same for both
 * protocols: a real file first (so a capsule's own robots.txt wins), then
 * what the URL scheme names (store_where: a page at its canonical path,
 * an old path of one, a bundle's file), then a directory (its index file
 * or listing), static folders, generated pages, and last a guess from the
 * path's last segment.  Pages, listings and moves are documents rendered
 * by the emitters; this file writes no protocol bytes of its own.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "defaults.h"
#include "feed.h"
#include "gemini.h"
#include "gopher.h"
#include "log.h"
#include "mime.h"
#include "router.h"
#include "store.h"
#include "url.h"

#define GEMTEXT_META	"text/gemini; charset=utf-8"

void
reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

void
reply_clear(struct reply *r)
{
	blob_unref(r->body);
	if (r->fd >= 0)
		close(r->fd);
	reply_init(r);
}

/* META longer than a header allows is cut (gemini_header cuts it again
 * at a character boundary). */
static void
reply_status(struct reply *r, int status, const char *meta)
{
	size_t n = strlen(meta);

	if (n >= sizeof(r->meta))
		n = sizeof(r->meta) - 1;
	r->status = status;
	memcpy(r->meta, meta, n);
	r->meta[n] = '\0';
}

/* Take ownership of b's bytes as the reply body. */
static void
reply_body(struct reply *r, int status, const char *meta, struct buf *b)
{
	reply_status(r, status, meta);
	if ((r->body = blob_from_buf(b)) == NULL)
		reply_status(r, 40, "Out of memory");
}

static void
gopher_fail(struct reply *r, int status, const char *msg, const char *sel)
{
	struct buf b;

	buf_init(&b, 4096);
	if (gopher_error(&b, msg, sel) == -1) {
		buf_free(&b);
		reply_status(r, 40, msg);
		return;
	}
	reply_body(r, status, msg, &b);
}

static void
reply_file(struct store *s, int fd, const struct stat *st, const char *meta,
    struct reply *r)
{
	int err;

	if ((err = store_file(s, fd, st, &r->body)) < 0) {
		close(fd);
		reply_status(r, 40, "Cannot read the file");
		return;
	}
	reply_status(r, 20, meta);
	if (r->body != NULL)
		close(fd);
	else {
		r->fd = fd;
		r->size = st->st_size;
	}
}

/*
 * A gemtext file as it is, with the language of its text (DESIGN.md
 * section 5) when the file is held in memory; a file large enough to be
 * streamed goes without one rather than be read twice.
 */
static void
reply_gemtext(struct store *s, int fd, const struct stat *st,
    struct reply *r)
{
	reply_file(s, fd, st, GEMTEXT_META, r);
	if (r->status == 20 && r->body != NULL)
		snprintf(r->meta, sizeof(r->meta), GEMTEXT_META "; lang=%s",
		    store_lang(s, r->body->data, r->body->len));
}

static void
reply_page(struct store *s, const char *rel, int fd, const struct stat *st,
    enum md_format fmt, struct reply *r)
{
	char	lang[16];
	int	err;

	err = store_page(s, rel, fd, st, fmt, &r->body, lang, sizeof(lang));
	close(fd);
	if (err < 0) {
		/* A draft (-ENOENT) is not there for readers; a page over a
		 * render limit says which, as a failed dynamic page would. */
		int		 slow = err == -ETIME || err == -ETIMEDOUT;
		const char	*msg = err == -ENOENT ? "Not found" :
		    slow ? "This page takes too long to render" :
		    err == -EFBIG ? "This page takes too much memory to "
		    "render" : "Cannot render the page";
		int		 status = err == -ENOENT ? 51 :
		    slow || err == -EFBIG ? 42 : 40;

		if (fmt == MD_GEMTEXT)
			reply_status(r, status, msg);
		else
			gopher_fail(r, status, msg, rel);
		return;
	}
	r->status = 20;
	if (fmt == MD_GEMTEXT && lang[0] != '\0')
		snprintf(r->meta, sizeof(r->meta), GEMTEXT_META "; lang=%s",
		    lang);
	else if (fmt == MD_GEMTEXT)
		snprintf(r->meta, sizeof(r->meta), GEMTEXT_META);
	else
		snprintf(r->meta, sizeof(r->meta), "text/plain");
}

/*
 * Open the Markdown source behind a page path: "a/b" -> "a/b.md",
 * "a/b.markdown" or "a/b.mdx".  Fills rel with the source path.
 */
static int
open_markdown(struct store *s, const char *stem, size_t n, char *rel,
    size_t rellen, struct stat *st)
{
	const char *const *exts = mime_markdown_exts;
	size_t	i;
	int	fd;

	for (i = 0; exts[i] != NULL; i++) {
		if ((size_t)snprintf(rel, rellen, "%.*s%s", (int)n, stem,
		    exts[i]) >= rellen)
			return -ENAMETOOLONG;
		if ((fd = store_open(s, rel, st)) >= 0 && S_ISREG(st->st_mode))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -ENOENT;
}

/* The directory's index file: index.gmi (converted for Gopher), else
 * index.md. */
static int
open_index(struct store *s, const char *dir, char *rel, size_t rellen,
    struct stat *st)
{
	char	stem[PATH_MAX];
	int	fd;

	if ((size_t)snprintf(stem, sizeof(stem), "%s%sindex", dir,
	    *dir ? "/" : "") >= sizeof(stem))
		return -ENAMETOOLONG;
	if ((size_t)snprintf(rel, rellen, "%s.gmi", stem) < rellen) {
		if ((fd = store_open(s, rel, st)) >= 0 && S_ISREG(st->st_mode))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return open_markdown(s, stem, strlen(stem), rel, rellen, st);
}

/* Blog generators keep files that the site serves at "/" in a static
 * directory (Hugo static/, Next.js public/): "/images/x.png" may live in
 * static/images/x.png. */
static int
open_static(struct store *s, const char *p, struct stat *st)
{
	static const char *const dirs[] = { "static", "public", NULL };
	char	rel[PATH_MAX];
	size_t	i;
	int	fd;

	for (i = 0; dirs[i] != NULL; i++) {
		if ((size_t)snprintf(rel, sizeof(rel), "%s/%s", dirs[i], p) >=
		    sizeof(rel))
			continue;
		if ((fd = store_open(s, rel, st)) >= 0 && S_ISREG(st->st_mode))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -ENOENT;
}

/* A directory without an index, or 51 when it cannot be listed. */
static void
list_dir(const struct conf *c, const struct host *h, const char *rel,
    enum md_format fmt, struct reply *r)
{
	if (feed_listing(c, h, rel, fmt, r) == 0)
		return;
	if (fmt == MD_GEMTEXT)
		reply_status(r, 51, "Not found");
	else
		gopher_fail(r, 51, "Not found", rel);
}

/*
 * What the URL scheme says a path is (store_where): 1 when that settles
 * the reply (a page, a bundle's file, a move, a draft), else 0.
 */
static int
route_where(const struct conf *c, const struct host *h, const char *path,
    int gemini, struct reply *r)
{
	struct store_where	 w;
	struct stat		 st;
	int			 fd;

	store_where(h->store, path, gemini, &w);
	switch (w.kind) {
	case WHERE_NONE:
		return 0;
	case WHERE_MOVED:
		if (gemini)
			reply_status(r, 31, w.to);
		else
			feed_moved(c, h, w.to, path, r);
		return 1;
	case WHERE_PRIVATE:
		if (gemini)
			reply_status(r, 51, "Not found");
		else
			gopher_fail(r, 51, "Not found", path);
		return 1;
	case WHERE_SECTION:
		list_dir(c, h, w.rel, gemini ? MD_GEMTEXT : MD_GOPHERMAP, r);
		return 1;
	case WHERE_PAGE:
	case WHERE_FILE:
		break;
	}
	if ((fd = store_open(h->store, w.rel, &st)) < 0 ||
	    !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (w.kind == WHERE_FILE)
		reply_file(h->store, fd, &st, mime_type(w.rel), r);
	else
		reply_page(h->store, w.rel, fd, &st, gemini ? MD_GEMTEXT :
		    w.text ? MD_TEXT : MD_GOPHERMAP, r);
	return 1;
}

/*------------------------------------------------------------ rules */

/*
 * The host's configured redirects and client-certificate zones, which
 * come before any file.  Gopher has no redirects or client certificates:
 * it gets an error line naming the new place, and protected paths are
 * refused outright (else they would leak over the other protocol).
 * Returns 1 when the reply is settled.
 */
static int
route_rules(const struct conf *c, const struct host *h, const char *path,
    const char *fp, int gemini, struct reply *r)
{
	const struct redirect	*rd;
	char			 to[1025];
	int			 zone;

	if ((rd = conf_find_redirect(h, path)) != NULL) {
		if (rd->code == 52)
			snprintf(to, sizeof(to), "Gone");
		else if (conf_redirect_target(rd, path, to, sizeof(to)) == -1)
			return 0;
		if (gemini)
			reply_status(r, rd->code, to);
		else if (rd->code == 52)
			gopher_fail(r, 52, "Gone", path);
		else {
			feed_moved(c, h, to, path, r);
			r->status = rd->code;
		}
		return 1;
	}
	if ((zone = conf_cert_zone(h, path, gemini ? fp : NULL)) == 0)
		return 0;
	if (!gemini)
		gopher_fail(r, 51, "Not available over Gopher", path);
	else if (zone == 60)
		reply_status(r, 60, "A client certificate is required");
	else
		reply_status(r, 61, "This certificate is not authorised");
	return 1;
}

/*------------------------------------------------------------ gemini */

static void
redirect_slash(const char *path, struct reply *r)
{
	struct buf b;

	buf_init(&b, sizeof(r->meta) - 2);
	if (url_encode_path(&b, path, strlen(path)) == -1 ||
	    buf_putc(&b, '/') == -1)
		reply_status(r, 59, "Path too long");
	else
		reply_status(r, 31, b.data);
	buf_free(&b);
}

static void
route_gemini(const struct conf *c, const struct host *h, const char *path,
    int trailing_slash, const char *query, struct reply *r)
{
	struct store	*s = h->store;
	struct stat	 st;
	char		 rel[PATH_MAX], dir[PATH_MAX];
	const char	*p = path + 1;
	size_t		 n = strlen(p);
	int		 fd;

	if ((fd = store_open(s, p, &st)) >= 0 && S_ISREG(st.st_mode)) {
		if (store_is_draft(s, p)) {
			close(fd);
			reply_status(r, 51, "Not found");
		} else if (store_is_gemtext(p))
			reply_gemtext(s, fd, &st, r);
		else
			reply_file(s, fd, &st, mime_type(p), r);
		return;
	}
	/* A page at its canonical path, an old path of one, a bundle's
	 * file: the URL scheme decides before the folders do. */
	if (route_where(c, h, path, 1, r)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	if (fd >= 0) {
		close(fd);
		if (!trailing_slash && *p != '\0') {
			redirect_slash(path, r);
			return;
		}
		if (n > 0 && p[n - 1] == '/')
			n--;
		snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
		fd = open_index(s, dir, rel, sizeof(rel), &st);
		if (fd >= 0 && *dir == '\0' && store_is_stub(s, rel)) {
			close(fd);
			fd = -ENOENT;
		}
		if (fd >= 0) {
			if (store_is_gemtext(rel))
				reply_gemtext(s, fd, &st, r);
			else
				reply_page(s, rel, fd, &st, MD_GEMTEXT, r);
		} else if (*p == '\0')
			feed_home_gemini(c, h, r);
		else
			list_dir(c, h, dir, MD_GEMTEXT, r);
		return;
	}
	if (fd != -ENOENT && fd != -ENOTDIR)
		log_debug("refused /%s: %s", p, strerror(-fd));
	if ((fd = open_static(s, p, &st)) >= 0) {
		reply_file(s, fd, &st, mime_type(p), r);
		return;
	}
	if (feed_gemini(c, h, path, query, r))
		return;
	if (store_guess(s, path, rel, sizeof(rel)))
		reply_status(r, 31, rel);
	else
		reply_status(r, 51, "Not found");
}

/*------------------------------------------------------------ reply cache */

/*
 * Replies that depend on nothing but the files under the root are kept in
 * the store's reply cache, so answering them again touches no file and
 * parses nothing (the store watches the tree and drops them at the first
 * change).  Kept: no query, a body held in memory (not a streamed file),
 * a success or a redirect.  Redirects and certificate zones are decided
 * before this, from the configuration.
 */
static int
reply_cacheable(const struct reply *r)
{
	return r->fd < 0 && (r->status == 20 || r->status == 30 ||
	    r->status == 31);
}

/* The generation to cache under, 0 for none; fills key. */
static unsigned long
reply_lookup(struct store *s, char *key, size_t keylen, int proto,
    int trailing_slash, const char *path, struct reply *r)
{
	unsigned long gen;

	if ((size_t)snprintf(key, keylen, "%c%d%s", proto, trailing_slash,
	    path) >= keylen || (gen = store_reply_gen(s)) == 0)
		return 0;
	if (store_reply_get(s, key, gen, &r->status, r->meta,
	    sizeof(r->meta), &r->body) == 0)
		return ULONG_MAX;	/* answered */
	return gen;
}

static void
reply_keep(struct store *s, const char *key, unsigned long gen,
    const struct reply *r)
{
	if (gen != 0 && reply_cacheable(r))
		store_reply_put(s, key, gen, r->status, r->meta, r->body);
}

/* 1 answered; 0 when quick and the reply is not cached. */
static int
route_gemini_cached(const struct conf *c, const struct host *h,
    const struct url *u, struct reply *r, int quick)
{
	char		key[PATH_MAX + 8];
	unsigned long	gen = 0;

	if (u->query == NULL && (gen = reply_lookup(h->store, key,
	    sizeof(key), 'g', u->trailing_slash, u->path, r)) == ULONG_MAX)
		return 1;
	if (quick)
		return 0;
	route_gemini(c, h, u->path, u->trailing_slash, u->query, r);
	reply_keep(h->store, key, gen, r);
	return 1;
}

/* Requests may name us by host name or by the literal address the client
 * connected to (clients send no SNI for an address). */
static const struct host *
gemini_host(const struct conf *c, const struct origin *o, const char *host)
{
	const struct host *h;

	if ((h = conf_find_host(c, host)) != NULL) {
		if (o->sni != NULL && !conf_same_host(o->sni, host) &&
		    conf_find_host(c, o->sni) != h)
			return NULL;	/* SNI says another host */
		return h;
	}
	if (o->local_addr != NULL && strcasecmp(host, o->local_addr) == 0)
		return o->sni ? conf_find_host(c, o->sni) : &c->hosts[0];
	return NULL;
}

int
router_gemini(const struct conf *c, const struct origin *o, const char *line,
    size_t len, struct reply *r, int quick)
{
	const struct host	*h;
	const char		*err = "Bad request";
	struct url		 u;
	int			 status, done = 1;

	reply_init(r);
	if ((status = gemini_parse_request(line, len, &u, &err)) != 0) {
		reply_status(r, status, err);
		return 1;
	}
	if ((h = gemini_host(c, o, u.host)) == NULL)
		reply_status(r, 53, "Host not served here");
	else if (u.port != -1 && (unsigned)u.port != o->local_port &&
	    (unsigned)u.port != c->gemini_port)
		reply_status(r, 53, "Port not served here");
	else if (!route_rules(c, h, u.path, o->fingerprint, 1, r))
		done = route_gemini_cached(c, h, &u, r, quick);
	url_free(&u);
	return done;
}

/*------------------------------------------------------------ gopher */

/* A directory's own gophermap file, completed into a menu (see
 * gopher_complete_map). */
static int
serve_gophermap(const struct conf *c, const struct host *h, const char *dir,
    int fd, const struct stat *st, struct reply *r)
{
	struct blob	*src;
	struct buf	 b;

	if (store_file(h->store, fd, st, &src) < 0 || src == NULL)
		return -1;
	buf_init(&b, RENDER_MAX);
	if (gopher_complete_map(&b, src->data, src->len, dir, h->name,
	    c->gopher_port) == -1) {
		blob_unref(src);
		buf_free(&b);
		return -1;
	}
	blob_unref(src);
	close(fd);
	reply_body(r, 20, "text/gopher", &b);
	return 0;
}

static void
route_gopher(const struct conf *c, const struct host *h,
    const struct gopher_req *g, struct reply *r)
{
	struct store	*s = h->store;
	struct stat	 st;
	char		 rel[PATH_MAX], dir[PATH_MAX];
	const char	*p = g->selector + 1;
	size_t		 n = strlen(p);
	int		 fd;

	if ((fd = store_open(s, p, &st)) >= 0 && S_ISREG(st.st_mode)) {
		if (store_is_draft(s, p)) {
			close(fd);
			gopher_fail(r, 51, "Not found", g->selector);
		} else if (store_is_gemtext(p))
			/* Gemtext goes out as a menu, like Markdown. */
			reply_page(s, p, fd, &st, MD_GOPHERMAP, r);
		else
			reply_file(s, fd, &st, mime_type(p), r);
		return;
	}
	if (route_where(c, h, g->selector, 0, r)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	if (fd >= 0) {
		close(fd);
		if (n > 0 && p[n - 1] == '/')
			n--;
		snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
		if ((size_t)snprintf(rel, sizeof(rel), "%s%sgophermap", dir,
		    *dir ? "/" : "") >= sizeof(rel))
			fd = -ENAMETOOLONG;
		else
			fd = store_open(s, rel, &st);
		if (fd >= 0 &&
		    S_ISREG(st.st_mode) &&
		    serve_gophermap(c, h, dir, fd, &st, r) == 0)
			return;
		if (fd >= 0)
			close(fd);
		fd = open_index(s, dir, rel, sizeof(rel), &st);
		if (fd >= 0 && *dir == '\0' && store_is_stub(s, rel)) {
			close(fd);
			fd = -ENOENT;
		}
		if (fd >= 0)
			reply_page(s, rel, fd, &st, MD_GOPHERMAP, r);
		else if (*dir == '\0')
			feed_home_gopher(c, h, r);
		else
			list_dir(c, h, dir, MD_GOPHERMAP, r);
		return;
	}
	if (fd != -ENOENT && fd != -ENOTDIR)
		log_debug("refused /%s: %s", p, strerror(-fd));
	if ((fd = open_static(s, p, &st)) >= 0) {
		reply_file(s, fd, &st, mime_type(p), r);
		return;
	}
	if (feed_gopher(c, h, g->selector, g->search, r))
		return;
	if (store_guess(s, g->selector, rel, sizeof(rel)))
		feed_moved(c, h, rel, g->selector, r);
	else
		gopher_fail(r, 51, "Not found", g->selector);
}

/* 1 answered; 0 when quick and the reply is not cached. */
static int
route_gopher_cached(const struct conf *c, const struct host *h,
    const struct gopher_req *g, struct reply *r, int quick)
{
	char		key[PATH_MAX + 8];
	unsigned long	gen = 0;

	if (g->search == NULL && (gen = reply_lookup(h->store, key,
	    sizeof(key), 'o', g->trailing_slash, g->selector, r)) ==
	    ULONG_MAX)
		return 1;
	if (quick)
		return 0;
	route_gopher(c, h, g, r);
	reply_keep(h->store, key, gen, r);
	return 1;
}

int
router_gopher(const struct conf *c, const struct origin *o, const char *line,
    size_t len, struct reply *r, int quick)
{
	struct gopher_req	 g;
	struct buf		 b;
	const char		*err = "Bad selector";
	int			 done = 1;

	reply_init(r);
	if (gopher_parse_request(line, len, &g, &err) == -1) {
		gopher_fail(r, 59, err, "");
		return 1;
	}
	if (g.is_url) {
		buf_init(&b, 8192);
		if (gopher_url_page(&b, g.selector + 4) == 0)
			reply_body(r, 20, "text/html", &b);
		else {
			buf_free(&b);
			gopher_fail(r, 59, "URL scheme not allowed",
			    g.selector);
		}
	} else if (!route_rules(c, o->gopher_host, g.selector, NULL, 0, r))
		done = route_gopher_cached(c, o->gopher_host, &g, r, quick);
	gopher_req_free(&g);
	return done;
}

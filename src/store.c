/*
 * store: content access beneath one root, the render and reply caches,
 * and the post index (see store.h).  One mutex guards the cache table and
 * the index pointer; rendering and scanning happen outside it where they
 * can, and everything handed out is a counted reference, so a reader
 * never sees a buffer change under it.  Every directory under the root
 * is watched with inotify: any event moves the content generation on,
 * which is what lets a whole reply be cached without touching the file
 * system to check it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "autoconf.h"
#include "beneath.h"
#include "buf.h"
#include "defaults.h"
#include "doc.h"
#include "frontmatter.h"
#include "gmiparse.h"
#include "indexfile.h"
#include "isolate.h"
#include "lang.h"
#include "log.h"
#include "markdown.h"
#include "mime.h"
#include "page.h"
#include "postindex.h"
#include "search.h"
#include "site.h"
#include "store.h"
#include "url.h"

#define INDEX_RECHECK_SEC	5	/* for roots inotify cannot watch */
#define WATCH_DEPTH_MAX		32	/* deeper trees are not reply-cached */
#define WATCH_EVENTS		(IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
				 IN_MOVED_TO | IN_CLOSE_WRITE | IN_MODIFY | \
				 IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | \
				 IN_ONLYDIR)
#ifndef ZFS_SUPER_MAGIC
#define ZFS_SUPER_MAGIC		0x2fc12fc1
#endif

struct entry {
	char		*key;
	struct entry	*next;		/* hash chain */
	struct entry	*lru_prev, *lru_next;
	dev_t		 dev;
	ino_t		 ino;		/* or the generation it is valid for */
	off_t		 size;
	struct timespec	 mtime;
	char		 lang[16];
	struct blob	*blob;		/* NULL for a reply without a body */
	int		 status;	/* replies: status and meta */
	char		*meta;
	size_t		 cost;		/* bytes counted against cache_max */
};

struct store {
	struct store_conf	 conf;
	char			*root;		/* realpath */
	struct beneath		 bn;		/* opening, privacy */
	int			 rootfd;
	int			 inotify;	/* -1 when unavailable */
	pthread_mutex_t		 lock;
	pthread_cond_t		 index_cond;	/* a first index is there */
	int			 building;	/* the indexer makes the first */
	int			 wait_body;	/* requests wait for its body pass
						   (store_posts) */
	struct entry		**table;
	size_t			 nbuckets, nentries, bytes;
	struct entry		*lru_head, *lru_tail;
	struct post_index	*index;
	unsigned long		 gen;
	/* The indexer (store_start): makes the index, keeps it current,
	 * saves it as cache_name in conf.cache_dirfd. */
	pthread_t		 indexer;
	int			 indexer_on;
	int			 wake[2];	/* a byte: changes, or stop */
	atomic_int		 stop;
	pthread_mutex_t		 refresh_lock;	/* one index change at once */
	char			 cache_name[64];
	int			 save_failed;	/* said once */
	/* Change tracking (see store_reply_gen). */
	pthread_mutex_t		 sync_lock;	/* handling events, watching */
	const char		*watch_root;	/* the root's path now: a
						   suffix of root once inside
						   a chroot */
	atomic_uint		 syncing;	/* threads reading events */
	atomic_ulong		 cgen;		/* moves on at every change */
	atomic_int		 watch_ok;	/* every directory watched */
	atomic_int		 index_dirty;	/* changes since the scan */
	char			**changed;	/* Markdown files inotify named */
	size_t			 nchanged, capchanged;
	int			 changed_all;	/* or a change no file pins */
	char			**wds;		/* folder (rel) by watch */
	size_t			 nwds;
	struct site		*site;		/* generator, config, URLs */
};

/* Set while routing a request on this thread when something was read
 * that inotify cannot vouch for: the reply is then not cached. */
static _Thread_local int reply_unsafe;

static unsigned long	store_sync(struct store *);
static void		store_free_rest(struct store *);

/*------------------------------------------------------------ blobs */

struct blob *
blob_from_buf(struct buf *b)
{
	struct blob *bl;

	if ((bl = malloc(sizeof(*bl) + b->len + 1)) == NULL)
		return NULL;
	atomic_init(&bl->refs, 1);
	bl->len = b->len;
	if (b->len > 0)
		memcpy(bl->data, b->data, b->len);
	bl->data[b->len] = '\0';
	buf_free(b);
	return bl;
}

struct blob *
blob_ref(struct blob *b)
{
	atomic_fetch_add(&b->refs, 1);
	return b;
}

void
blob_unref(struct blob *b)
{
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

/*------------------------------------------------------------ cache */

static size_t
hash_key(const char *s)
{
	return (size_t)buf_hash(s, strlen(s));
}

static void
lru_unlink(struct store *s, struct entry *e)
{
	if (e->lru_prev != NULL)
		e->lru_prev->lru_next = e->lru_next;
	else
		s->lru_head = e->lru_next;
	if (e->lru_next != NULL)
		e->lru_next->lru_prev = e->lru_prev;
	else
		s->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void
lru_push(struct store *s, struct entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = s->lru_head;
	if (s->lru_head != NULL)
		s->lru_head->lru_prev = e;
	s->lru_head = e;
	if (s->lru_tail == NULL)
		s->lru_tail = e;
}

static struct entry **
cache_slot(struct store *s, const char *key)
{
	struct entry **ep;

	ep = &s->table[hash_key(key) & (s->nbuckets - 1)];
	while (*ep != NULL && strcmp((*ep)->key, key) != 0)
		ep = &(*ep)->next;
	return ep;
}

static void
cache_remove(struct store *s, struct entry **ep)
{
	struct entry *e = *ep;

	*ep = e->next;
	lru_unlink(s, e);
	s->bytes -= e->cost;
	s->nentries--;
	blob_unref(e->blob);
	free(e->meta);
	free(e->key);
	free(e);
}

static void
cache_grow(struct store *s)
{
	struct entry	**nt, *e, *next;
	size_t		  i, nb = s->nbuckets * 2, h;

	if ((nt = calloc(nb, sizeof(*nt))) == NULL)
		return;		/* longer chains, still correct */
	for (i = 0; i < s->nbuckets; i++) {
		for (e = s->table[i]; e != NULL; e = next) {
			next = e->next;
			h = hash_key(e->key) & (nb - 1);
			e->next = nt[h];
			nt[h] = e;
		}
	}
	free(s->table);
	s->table = nt;
	s->nbuckets = nb;
}

static int
same_identity(const struct entry *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino &&
	    e->size == st->st_size &&
	    e->mtime.tv_sec == st->st_mtim.tv_sec &&
	    e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Look key up; a hit with the same identity returns a blob reference. */
static struct blob *
cache_get(struct store *s, const char *key, const struct stat *st,
    char *lang, size_t langlen)
{
	struct entry	**ep, *e;
	struct blob	 *b = NULL;

	pthread_mutex_lock(&s->lock);
	ep = cache_slot(s, key);
	if ((e = *ep) != NULL) {
		if (same_identity(e, st)) {
			b = blob_ref(e->blob);
			if (lang != NULL)
				snprintf(lang, langlen, "%s", e->lang);
			lru_unlink(s, e);
			lru_push(s, e);
		} else
			cache_remove(s, ep);
	}
	pthread_mutex_unlock(&s->lock);
	return b;
}

/* Add e (replacing an entry with its key), then evict down to the
 * budget, oldest first. */
static void
cache_insert(struct store *s, struct entry *e)
{
	struct entry	**ep;
	size_t		  h;

	pthread_mutex_lock(&s->lock);
	ep = cache_slot(s, e->key);
	if (*ep != NULL)
		cache_remove(s, ep);
	h = hash_key(e->key) & (s->nbuckets - 1);
	e->next = s->table[h];
	s->table[h] = e;
	lru_push(s, e);
	s->nentries++;
	s->bytes += e->cost;
	while (s->bytes > s->conf.cache_max && s->lru_tail != NULL &&
	    s->lru_tail != e)
		cache_remove(s, cache_slot(s, s->lru_tail->key));
	if (s->nentries > s->nbuckets)
		cache_grow(s);
	pthread_mutex_unlock(&s->lock);
}

static void
cache_put(struct store *s, const char *key, const struct stat *st,
    const char *lang, struct blob *b)
{
	struct entry *e;

	if (b->len > s->conf.cache_max / 4)
		return;		/* one page must not flush everything */
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->key = strdup(key)) == NULL) {
		free(e);
		return;
	}
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	snprintf(e->lang, sizeof(e->lang), "%s", lang ? lang : "");
	e->blob = blob_ref(b);
	e->cost = b->len;
	cache_insert(s, e);
}

struct blob *
store_cached(struct store *s, const char *key, unsigned long gen)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_ino = (ino_t)gen;
	return cache_get(s, key, &st, NULL, 0);
}

void
store_cache_put(struct store *s, const char *key, unsigned long gen,
    struct blob *b)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_ino = (ino_t)gen;
	cache_put(s, key, &st, NULL, b);
}

/*------------------------------------------------------------ opening */

/* The site's private names (beneath.h's private_seg). */
static int
store_private_seg(const void *site, const char *seg, int top)
{
	return site_private_name(site, seg, top);
}

int
store_open(struct store *s, const char *rel, struct stat *st)
{
	return store_open_real(s, rel, st, NULL, 0);
}

int
store_open_real(struct store *s, const char *rel, struct stat *st,
    char *real, size_t reallen)
{
	int fd;

	if (beneath_private_name(&s->bn, rel))
		return -ENOENT;
	if ((fd = beneath_open(&s->bn, rel, real, reallen)) < 0)
		return fd;
	if (fstat(fd, st) == -1) {
		close(fd);
		return -EIO;
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) {
		close(fd);
		return -ENOENT;
	}
	/* Another name for this file may lie outside every watched
	 * directory, and a change made through it raises no event here. */
	if (S_ISREG(st->st_mode) && st->st_nlink > 1)
		reply_unsafe = 1;
	return fd;
}

int
store_stat_file(struct store *s, int dirfd, const char *name,
    const char *rel, struct stat *st)
{
	if (beneath_private_name(&s->bn, rel))
		return -ENOENT;
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == -1)
		return -errno;
	if (!S_ISREG(st->st_mode) || beneath_private_stat(&s->bn, st))
		return -ENOENT;
	return 0;
}

static int
dirent_by_name(const void *a, const void *b)
{
	return strcmp(((const struct store_dirent *)a)->name,
	    ((const struct store_dirent *)b)->name);
}

int
store_list(struct store *s, const char *rel, struct store_dirent **out,
    size_t *np)
{
	struct store_dirent	*v = NULL, *nv;
	struct dirent		*de;
	struct stat		 st;
	DIR			*d;
	char			 child[PATH_MAX];
	size_t			 n = 0, cap = 0;
	int			 fd;

	*out = NULL;
	*np = 0;
	if ((fd = store_open(s, rel, &st)) < 0)
		return fd;
	if (!S_ISDIR(st.st_mode) || (d = fdopendir(fd)) == NULL) {
		close(fd);
		return -ENOTDIR;
	}
	while ((de = readdir(d)) != NULL) {
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel,
		    *rel ? "/" : "", de->d_name) >= sizeof(child))
			continue;
		if ((fd = store_open(s, child, &st)) < 0)
			continue;	/* hidden, private or outside */
		close(fd);
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		if ((v[n].name = strdup(de->d_name)) == NULL)
			break;
		v[n++].is_dir = S_ISDIR(st.st_mode);
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(*v), dirent_by_name);
	*out = v;
	*np = n;
	return 0;
}

void
store_list_free(struct store_dirent *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

int
store_is_markdown(const char *rel)
{
	return mime_markdown_ext(rel, strlen(rel)) > 0;
}

int
store_is_gemtext(const char *rel)
{
	const char *dot = strrchr(rel, '.');

	return dot != NULL && strchr(dot, '/') == NULL &&
	    (strcasecmp(dot, ".gmi") == 0 || strcasecmp(dot, ".gemini") == 0);
}

/* Read all of fd (at most max bytes) into b. */
int
store_read_all(int fd, struct buf *b, size_t max)
{
	char	 tmp[READ_CHUNK];
	ssize_t	 n;
	off_t	 off = 0;

	for (;;) {
		n = pread(fd, tmp, sizeof(tmp), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -errno;
		if (n == 0)
			return 0;
		if (b->len + (size_t)n > max)
			return -EFBIG;
		if (buf_append(b, tmp, (size_t)n) == -1)
			return -ENOMEM;
		off += n;
	}
}

int
store_file(struct store *s, int fd, const struct stat *st, struct blob **bp)
{
	char		 key[PATH_MAX + 32];
	struct buf	 b;
	int		 r;

	*bp = NULL;
	if (st->st_size > CACHE_FILE_MAX)
		return 0;
	snprintf(key, sizeof(key), "f:%lu:%lu", (unsigned long)st->st_dev,
	    (unsigned long)st->st_ino);
	if ((*bp = cache_get(s, key, st, NULL, 0)) != NULL)
		return 0;
	buf_init(&b, CACHE_FILE_MAX);
	if ((r = store_read_all(fd, &b, CACHE_FILE_MAX)) < 0) {
		buf_free(&b);
		return r == -EFBIG ? 0 : r;	/* it grew: stream it */
	}
	if ((*bp = blob_from_buf(&b)) == NULL)
		return -ENOMEM;
	cache_put(s, key, st, NULL, *bp);
	return 0;
}

/*------------------------------------------------------------ URL scheme */

/*
 * A file inside a page bundle at its web path: "/posts/sunset/cover.jpg"
 * (or the source form "/content/posts/sunset/cover.jpg") is
 * content/posts/sunset/cover.jpg when an ancestor of the path names the
 * bundle sunset/index.md.  Fills rel and returns the bundle, else NULL.
 */
static struct post *
ix_bundle_file(const struct site *site, const struct post_index *ix,
    const char *path, char *rel, size_t rellen)
{
	struct post	*p;
	const char	*slash;
	char		 anc[PATH_MAX], *k;
	size_t		 n = strlen(path), depth;

	for (depth = 0; depth < 4; depth++) {
		while (n > 0 && path[n - 1] != '/')
			n--;
		while (n > 0 && path[n - 1] == '/')
			n--;
		if (n == 0 || n >= sizeof(anc))
			return NULL;
		memcpy(anc, path, n);
		anc[n] = '\0';
		if ((k = site_key(site, anc, "", 0)) == NULL)
			return NULL;
		p = postindex_find(ix, k);
		free(k);
		if (p == NULL)
			continue;
		if (!p->bundle || p->draft)
			return NULL;
		slash = strrchr(p->rel, '/');
		if ((size_t)snprintf(rel, rellen, "%.*s%s",
		    (int)(slash - p->rel + 1), p->rel, path + n + 1) >= rellen)
			return NULL;
		return p;
	}
	return NULL;
}

/*
 * Last resort for a path no page answers to: one whose last segment names
 * exactly one page by its file's stem ("x" for posts/x.md, "slug" for
 * _posts/2020-01-01-slug.md, "b" for b/index.md), as links written for
 * another permalink scheme do ("/posts/x/" on a site that publishes
 * "/x.html").  Drafts never answer.
 */
static struct post *
ix_by_stem(const struct post_index *ix, const char *key)
{
	struct post	*hit = NULL;
	const char	*seg = strrchr(key, '/'), *st;
	size_t		 i, n;
	char		 stem[256];

	seg = seg != NULL ? seg + 1 : key;
	if (*seg == '\0')
		return NULL;
	for (i = 0; i < ix->nall; i++) {
		if (ix->all[i]->draft)
			continue;
		post_base_name(ix->all[i]->rel, stem, sizeof(stem));
		st = stem;
		n = strlen(stem);
		/* Jekyll's and Docusaurus' date prefix is not in the URL. */
		if (n > 11 && stem[4] == '-' && stem[7] == '-' &&
		    stem[10] == '-' && isdigit((unsigned char)stem[0]))
			st += 11;
		if (strcmp(st, seg) != 0)
			continue;
		if (hit != NULL)
			return NULL;	/* two pages fit: no guess */
		hit = ix->all[i];
	}
	return hit;
}

/* What md_link_map's callback reads: the site and one index snapshot;
 * isolated when the render runs in a child, which cannot open files and
 * asks the server instead (link_plain_file). */
struct link_ctx {
	struct store		*s;
	const struct post_index	*ix;
	int			 isolated;
};

/* 1 when path (a link's, "/" first) is a regular file under the root that
 * store_open serves, else 0. */
static int
plain_file(struct store *s, const char *path)
{
	struct stat	 st;
	int		 fd;

	if ((fd = store_open(s, path + (*path == '/'), &st)) < 0)
		return 0;
	close(fd);
	return S_ISREG(st.st_mode);
}

/*
 * A path without an extension that is a regular file under the root (a
 * gemtext capsule's cgi-bin/news, a LICENSE): 3, so that its Gopher item
 * gets the file's type instead of the menu type of a route, else 0.  An
 * isolated render asks the server (render_answer), which looks as it
 * would for a render in the process: the same page either way.
 */
static int
link_plain_file(const struct link_ctx *lc, const char *path, struct buf *out)
{
	const char	*name = strrchr(path, '/');
	struct buf	 a;
	int		 r;

	name = name != NULL ? name + 1 : path;
	if (*name == '\0' || strchr(name, '.') != NULL)
		return 0;
	if (!lc->isolated)
		r = plain_file(lc->s, path);
	else {
		buf_init(&a, 16);
		r = isolate_ask(path, strlen(path), &a) == 0 && a.len == 1 &&
		    a.data[0] == '1';
		buf_free(&a);
	}
	if (!r)
		return 0;
	return buf_puts(out, path) == -1 ? -1 : 3;
}

static int
link_canon(void *arg, const char *path, size_t n, struct buf *out)
{
	const struct link_ctx	*lc = arg;
	const struct site	*site = lc->s->site;
	const struct post	*p;
	char			*k, *d, rel[PATH_MAX];
	int			 r = 0;

	if ((d = strndup(path, n)) == NULL)
		return -1;
	if ((k = site_key(site, d, "", 0)) != NULL &&
	    strcmp(k, "/") != 0 && (p = postindex_find(lc->ix, k)) != NULL)
		r = buf_puts(out, p->canon) == -1 ? -1 : 1;
	else if ((p = ix_bundle_file(site, lc->ix, d, rel,
	    sizeof(rel))) != NULL)
		/* The file's path inside the bundle: "images/x.svg". */
		r = buf_puts(out, p->canon) == -1 ||
		    (out->len > 0 && out->data[out->len - 1] != '/' &&
		    buf_putc(out, '/') == -1) ||
		    buf_puts(out, rel + (strrchr(p->rel, '/') - p->rel + 1)) ==
		    -1 ? -1 : 2;
	else
		r = link_plain_file(lc, d, out);
	free(k);
	free(d);
	return r;
}

static const char *
link_own(void *arg, const char *url, size_t n, size_t *pathlen)
{
	return site_own_url(((const struct link_ctx *)arg)->s->site, url, n,
	    pathlen);
}

/* Whether a Gopher selector is the canonical path canon, or the ".txt"
 * form of it (text). */
static int
gopher_form(const char *path, size_t n, const char *canon, int text)
{
	size_t m = strlen(canon);

	if (text)
		n -= 4;
	while (n > 1 && path[n - 1] == '/')
		n--;
	while (m > 1 && canon[m - 1] == '/')
		m--;
	return n == m && strncmp(path, canon, n) == 0 &&
	    (!text || m > 1);
}

/* A folder of the content root ("/posts" -> content/posts), which Hugo
 * publishes as a list page even without an _index.md. */
static int
section_dir(struct store *s, const char *key, char *rel, size_t rellen)
{
	struct stat	 st;
	int		 fd;

	if (*s->site->content == '\0' || (size_t)snprintf(rel, rellen,
	    "%s%s", s->site->content, key) >= rellen ||
	    (fd = store_open(s, rel, &st)) < 0)
		return 0;
	close(fd);
	return S_ISDIR(st.st_mode);
}

/* A term page in the generator's web form moves to the capsule's. */
static int
term_alias(const struct store *s, const char *key, struct store_where *w)
{
	struct buf	 to;
	int		 moved;

	buf_init(&to, sizeof(w->to));
	if ((moved = site_term_alias(s->site, key, &to) &&
	    to.len < sizeof(w->to))) {
		w->kind = WHERE_MOVED;
		memcpy(w->to, to.data, to.len + 1);
	}
	buf_free(&to);
	return moved;
}

void
store_where(struct store *s, const char *path, int gemini,
    struct store_where *w)
{
	struct post_index	*ix;
	struct post		*p = NULL;
	char			*k;
	size_t			 n = strlen(path);

	memset(w, 0, sizeof(*w));
	w->text = !gemini && n > 4 && strcasecmp(path + n - 4, ".txt") == 0;
	if ((k = site_key(s->site, path, "", 0)) == NULL)
		return;
	if (term_alias(s, k, w)) {
		free(k);
		return;
	}
	/* The taxonomy pages are generated (feed.c), whatever Hugo keeps in
	 * content/tags/ for its term pages. */
	if (strcmp(k, "/") == 0 || site_term_key(s->site, k) != NULL ||
	    (ix = store_posts(s)) == NULL) {
		free(k);
		return;
	}
	if ((p = postindex_find(ix, k)) != NULL) {
		if (p->draft)
			w->kind = WHERE_PRIVATE;
		else if (gemini ? strcmp(path, p->canon) == 0 :
		    gopher_form(path, n, p->canon, w->text)) {
			/* Gopher serves the canonical path (with or without
			 * its slash) and its .txt form; Gemini only the
			 * canonical path itself. */
			w->kind = WHERE_PAGE;
			snprintf(w->rel, sizeof(w->rel), "%s", p->rel);
		} else {
			w->kind = WHERE_MOVED;
			snprintf(w->to, sizeof(w->to), "%s", p->gemini);
		}
	} else if ((p = ix_bundle_file(s->site, ix, path, w->rel,
	    sizeof(w->rel))) != NULL)
		w->kind = WHERE_FILE;
	else if (section_dir(s, k, w->rel, sizeof(w->rel)))
		w->kind = WHERE_SECTION;

	free(k);
	post_index_unref(ix);
}

int
store_guess(struct store *s, const char *path, char *to, size_t tolen)
{
	struct post_index	*ix;
	struct post		*p = NULL;
	char			*k;

	if ((k = site_key(s->site, path, "", 0)) == NULL)
		return 0;
	if ((ix = store_posts(s)) != NULL) {
		if ((p = ix_by_stem(ix, k)) != NULL)
			snprintf(to, tolen, "%s", p->gemini);
		post_index_unref(ix);
	}
	free(k);
	return p != NULL;
}

const struct site *
store_site(const struct store *s)
{
	return s->site;
}

const char *
store_root(const struct store *s)
{
	return s->root;
}

/*------------------------------------------------------------ rendering */

const char *
store_lang(const struct store *s, const char *text, size_t n)
{
	return lang_detect(text, n, s->conf.default_lang);
}

/* The URL scheme as links need it (md_link_map), over lc. */
static void
link_urls(struct store *s, const struct post_index *ix, int isolated,
    struct link_ctx *lc, struct md_urls *mu)
{
	lc->s = s;
	lc->ix = ix;
	lc->isolated = isolated;
	mu->canon = link_canon;
	mu->own = link_own;
	mu->arg = lc;
}

/* What a render says besides the page, logged by the server (a child
 * cannot log: the log's lock may be held by a thread it does not have). */
struct render_notes {
	char		 lang[16];
	unsigned long	 fm_line;	/* front matter error, 0 for none */
	char		 fm_err[128];
	size_t		 warn_len;	/* then the warnings, then the page */
};

/* A native gemtext page in another protocol's form (Gemini sends the
 * file itself); its links are mapped as a Markdown page's are. */
static int
render_gemtext(struct store *s, const struct post_index *ix,
    const char *rel, const char *src, size_t len, enum md_format fmt,
    int isolated, struct buf *out, struct render_notes *rd)
{
	struct md_doc	 d;
	struct md_opts	 o;
	struct md_urls	 mu;
	struct link_ctx	 lc;
	char		 path[PATH_MAX + 2];
	int		 r;

	snprintf(path, sizeof(path), "/%s", rel);
	link_urls(s, ix, isolated, &lc, &mu);
	if (gmi_parse(&d, src, len, path, s->conf.host, &mu,
	    RENDER_MAX) == -1)
		return -ENOMEM;
	memset(&o, 0, sizeof(o));
	o.width = s->conf.width;
	o.host = s->conf.host;
	o.port = s->conf.gopher_port;
	r = doc_emit(&d, fmt, &o, out);
	md_doc_free(&d);
	snprintf(rd->lang, sizeof(rd->lang), "%s", store_lang(s, src, len));
	return r == -1 ? -ENOMEM : 0;
}

/* The page (a Markdown or gemtext source) as fmt into out, and its notes
 * into rd and warn: pure, no logging, so it can run isolated (then
 * isolated is 1).  0, -ENOENT (a draft) or -ENOMEM. */
static int
render_pure(struct store *s, const struct post_index *ix,
    const char *rel, const char *src, size_t len, enum md_format fmt,
    int isolated, struct buf *out, struct render_notes *rd,
    struct buf *warn)
{
	const struct post	*p = store_index_entry(ix, rel);
	struct page_meta	 meta;
	struct md_opts		 o;
	struct md_site		 ms;
	struct md_urls		 mu;
	struct link_ctx		 lc;
	char			 path[PATH_MAX + 2], title[256];
	const char		*l;
	int			 r;

	memset(rd, 0, sizeof(*rd));
	if (store_is_gemtext(rel))
		return render_gemtext(s, ix, rel, src, len, fmt, isolated, out,
		    rd);
	if (frontmatter_parse_site(src, len, site_taxonomy_keys(s->site),
	    &meta) == -1)
		return -ENOMEM;
	if (post_private(s->site, rel, &meta) || (p != NULL && p->draft)) {
		/* Drafts are hidden: generators do not publish them. */
		page_meta_free(&meta);
		return -ENOENT;
	}
	if (meta.err_line != 0) {
		rd->fm_line = meta.err_line;
		snprintf(rd->fm_err, sizeof(rd->fm_err), "%s",
		    meta.err ? meta.err : "error");
	}
	/* The date line shows the date the index found, wherever it came
	 * from (file name, git, mtime). */
	if (!meta.has_date && p != NULL && p->is_post) {
		meta.has_date = 1;
		meta.date = p->date;
		meta.tzoff = p->tzoff;
	}
	snprintf(path, sizeof(path), "/%s", rel);
	post_base_name(rel, title, sizeof(title));
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.meta = &meta;
	o.fallback_title = title;
	o.breaks = meta.breaks != -1 ? meta.breaks : s->conf.breaks;
	o.is_post = site_is_post(s->site, rel);
	o.width = s->conf.width;
	o.host = s->conf.host;
	o.port = s->conf.gopher_port;
	site_md(s->site, &ms);
	o.site = &ms;
	link_urls(s, ix, isolated, &lc, &mu);
	o.urls = &mu;
	/* Generator tags the page loses: said once, with the Gemini render
	 * (the other two formats drop the same ones). */
	if (fmt == MD_GEMTEXT)
		o.warn = warn;
	l = meta.lang ? meta.lang : site_lang_of(s->site, rel);
	if (l == NULL)
		l = lang_detect(src + meta.body, len - meta.body,
		    s->conf.default_lang);
	snprintf(rd->lang, sizeof(rd->lang), "%s", l);
	r = page_render(src + meta.body, len - meta.body, fmt, &o, out);
	page_meta_free(&meta);
	return r == -1 ? -ENOMEM : 0;
}

static void
render_log(const struct store *s, const char *rel,
    const struct render_notes *rd, const char *w, size_t n)
{
	const char *nl, *end = w + n;

	if (rd->fm_line != 0)
		log_warnx("%s/%s:%lu: front matter: %s", s->root, rel,
		    rd->fm_line, rd->fm_err);
	for (; w < end; w = nl + 1) {
		if ((nl = memchr(w, '\n', (size_t)(end - w))) == NULL)
			break;
		log_info("%s/%s: %.*s", s->root, rel, (int)(nl - w), w);
	}
}

struct render_job {
	struct store		*s;
	const struct post_index	*ix;
	const char		*rel, *src;
	size_t			 len;
	enum md_format		 fmt;
};

/* In the server, for an isolated render: whether the link path q names
 * a plain file ("1" or "0"). */
static int
render_answer(void *arg, const char *q, size_t n, struct buf *a)
{
	char path[PATH_MAX];

	if (n >= sizeof(path))
		return buf_putc(a, '0');
	memcpy(path, q, n);
	path[n] = '\0';
	return buf_putc(a, plain_file(arg, path) ? '1' : '0');
}

/* In the child: [int r][notes][warnings][page]. */
static int
render_child(void *arg, struct buf *out)
{
	struct render_job	*j = arg;
	struct render_notes	 rd;
	struct buf		 page, warn;
	int			 r;

	buf_init(&page, RENDER_MAX);
	buf_init(&warn, 4096);
	r = render_pure(j->s, j->ix, j->rel, j->src, j->len, j->fmt, 1, &page,
	    &rd, &warn);
	rd.warn_len = warn.len;
	if (r == -ENOMEM || buf_append(out, &r, sizeof(r)) == -1 ||
	    buf_append(out, &rd, sizeof(rd)) == -1 ||
	    buf_append(out, warn.data, warn.len) == -1 ||
	    buf_append(out, page.data, page.len) == -1)
		r = -ENOMEM;
	buf_free(&page);
	buf_free(&warn);
	return r == -ENOMEM ? -1 : 0;
}

/*
 * Render src: in this process when it is small, else in a child under
 * the render limits.  A source over a limit gives -ETIME (CPU time) or
 * -EFBIG (memory), logged here once with the file and the limit;
 * -ETIMEDOUT when the child ran out of wall-clock time, which may be the
 * machine's load rather than the file's fault.
 */
static int
render_source(struct store *s, const struct post_index *ix, const char *rel,
    const char *src, size_t len, enum md_format fmt, struct buf *out,
    char *lang, size_t langlen)
{
	static const struct isolate_limits lim = { RENDER_CPU_SEC,
	    RENDER_MEM_MAX, RENDER_WALL_MS, RENDER_MAX + 65536 };
	struct render_job	 j = { s, ix, rel, src, len, fmt };
	struct render_notes	 rd;
	struct buf		 warn, got;
	int			 r;

	if (len <= ISOLATE_MIN_BYTES) {
		buf_init(&warn, 4096);
		if ((r = render_pure(s, ix, rel, src, len, fmt, 0, out, &rd,
		    &warn)) != -ENOMEM)
			render_log(s, rel, &rd, warn.data, warn.len);
		buf_free(&warn);
		if (r == 0)
			snprintf(lang, langlen, "%s", rd.lang);
		return r;
	}
	buf_init(&got, lim.out_max);
	if ((r = isolate_run_asking(render_child, &j, render_answer, s, &lim,
	    &got)) != ISOLATE_OK) {
		buf_free(&got);
		log_warnx("%s/%s: rendering stopped at %s (%u s CPU, %lu MB)",
		    s->root, rel, isolate_reason(r), RENDER_CPU_SEC,
		    RENDER_MEM_MAX >> 20);
		return r == ISOLATE_CPU ? -ETIME : r == ISOLATE_TIME ?
		    -ETIMEDOUT : -EFBIG;
	}
	if (got.len < sizeof(r) + sizeof(rd)) {
		buf_free(&got);
		return -EIO;
	}
	memcpy(&r, got.data, sizeof(r));
	memcpy(&rd, got.data + sizeof(r), sizeof(rd));
	if (r == 0 && rd.warn_len <= got.len - sizeof(r) - sizeof(rd)) {
		render_log(s, rel, &rd, got.data + sizeof(r) + sizeof(rd),
		    rd.warn_len);
		snprintf(lang, langlen, "%s", rd.lang);
		if (buf_append(out, got.data + sizeof(r) + sizeof(rd) +
		    rd.warn_len, got.len - sizeof(r) - sizeof(rd) -
		    rd.warn_len) == -1)
			r = -ENOMEM;
	} else if (r == 0)
		r = -EIO;
	buf_free(&got);
	return r;
}

/*
 * A page over a render limit is remembered against its identity, so that
 * it is not tried again (at another few seconds of CPU) until the file
 * changes: the entry's blob holds the error.
 */
static void
render_failed(struct store *s, const char *rel, const struct stat *st,
    int err)
{
	char		 key[PATH_MAX + 8];
	struct buf	 b;
	struct blob	*bl;

	snprintf(key, sizeof(key), "x:%s", rel);
	buf_init(&b, sizeof(err));
	if (buf_append(&b, &err, sizeof(err)) == 0 &&
	    (bl = blob_from_buf(&b)) != NULL) {
		cache_put(s, key, st, NULL, bl);
		blob_unref(bl);
	}
	buf_free(&b);
}

static int
render_known_bad(struct store *s, const char *rel, const struct stat *st)
{
	char		 key[PATH_MAX + 8];
	struct blob	*bl;
	int		 err = 0;

	snprintf(key, sizeof(key), "x:%s", rel);
	if ((bl = cache_get(s, key, st, NULL, 0)) != NULL) {
		if (bl->len == sizeof(err))
			memcpy(&err, bl->data, sizeof(err));
		blob_unref(bl);
	}
	return err;
}

int
store_page(struct store *s, const char *rel, int fd, const struct stat *st,
    enum md_format fmt, struct blob **bp, char *lang, size_t langlen)
{
	static const char	 fmtkey[] = { 'g', 'm', 't' };
	struct post_index	*ix;
	char			 key[PATH_MAX + 32];
	struct buf		 src, out;
	int			 r;

	/* Links point where the index says: a page is rendered again when
	 * the set of pages changes. */
	if ((ix = store_posts(s)) == NULL)
		return -ENOMEM;
	snprintf(key, sizeof(key), "%c:%lu:%s", fmtkey[fmt], ix->gen, rel);
	if ((*bp = cache_get(s, key, st, lang, langlen)) != NULL) {
		post_index_unref(ix);
		return 0;
	}
	/* Whatever path led here (an index file, a page found by the
	 * index), a draft's file is not rendered, under any name. */
	if ((r = render_known_bad(s, rel, st)) == 0 && store_is_draft(s, rel))
		r = -ENOENT;
	if (r != 0) {
		post_index_unref(ix);
		return r;
	}
	buf_init(&src, PAGE_SOURCE_MAX);
	if ((r = store_read_all(fd, &src, PAGE_SOURCE_MAX)) < 0) {
		buf_free(&src);
		post_index_unref(ix);
		return r;
	}
	buf_init(&out, RENDER_MAX);
	r = render_source(s, ix, rel, src.data ? src.data : "", src.len, fmt,
	    &out, lang, langlen);
	buf_free(&src);
	/* Only what the file itself causes is remembered, not a render
	 * that a busy machine made miss the wall-clock limit. */
	if (r == -ETIME || r == -EFBIG)
		render_failed(s, rel, st, r);
	post_index_unref(ix);
	if (r < 0) {
		buf_free(&out);
		return r;
	}
	if ((*bp = blob_from_buf(&out)) == NULL)
		return -ENOMEM;
	cache_put(s, key, st, lang, *bp);
	return 0;
}

/*------------------------------------------------------------ post index */

int
store_is_stub(struct store *s, const char *rel)
{
	struct page_meta	 meta;
	struct stat		 st;
	struct buf		 src;
	size_t			 i;
	int			 fd, stub = 0;

	if ((fd = store_open(s, rel, &st)) < 0)
		return 0;
	buf_init(&src, PAGE_SOURCE_MAX);
	if (S_ISREG(st.st_mode) && store_read_all(fd, &src, PAGE_SOURCE_MAX) == 0 &&
	    frontmatter_parse(src.data ? src.data : "", src.len, &meta) == 0) {
		for (i = meta.body; i < src.len &&
		    isspace((unsigned char)src.data[i]); i++)
			;
		stub = meta.body > 0 && i == src.len;
		page_meta_free(&meta);
	}
	buf_free(&src);
	close(fd);
	return stub;
}

/*------------------------------------------------------------ indexer */

/*
 * Make ix the index (taking its reference), wake those waiting for a
 * first one, and move the content generation on when what it lists
 * changed, so that cached replies built from the previous one (a home
 * page from the quick pass) are not served again.
 */
static void
index_install(struct store *s, struct post_index *ix)
{
	pthread_mutex_lock(&s->lock);
	if (s->index == NULL || !postindex_same(s->index, ix) ||
	    s->index->partial != ix->partial) {
		s->gen++;
		atomic_fetch_add(&s->cgen, 1);
	}
	ix->gen = s->gen;
	post_index_unref(s->index);
	s->index = ix;
	pthread_cond_broadcast(&s->index_cond);
	pthread_mutex_unlock(&s->lock);
}

static struct post_index *
index_ref(struct store *s)
{
	struct post_index *ix;

	pthread_mutex_lock(&s->lock);
	if ((ix = s->index) != NULL)
		atomic_fetch_add(&ix->refs, 1);
	pthread_mutex_unlock(&s->lock);
	return ix;
}

/* What the index file must have been made for: this capsuled, this root,
 * the site model as read now and the capsule's default language.  (What
 * is private is judged afresh by every scan, reused entries included.) */
static uint64_t
index_context(const struct store *s)
{
	uint64_t	h = buf_hash("capsuled " PACKAGE_VERSION,
	    sizeof("capsuled " PACKAGE_VERSION));
	uint64_t	site = site_hash(s->site);

	h = buf_hash_more(h, s->root, strlen(s->root) + 1);
	h = buf_hash_more(h, &site, sizeof(site));
	return buf_hash_more(h, s->conf.default_lang,
	    strlen(s->conf.default_lang) + 1);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The first index: the index file's entries reused for every source
 * whose identity is unchanged, the others loaded (front matter only past
 * the first few) and a full pass if any are left undigested.  Returns 1 when
 * the result differs from the file (so it is worth saving).
 */
static int
index_build(struct store *s)
{
	struct post_index	*cached = NULL, *ix;
	const char		*why;
	long long		 t0 = now_ms(), quick = 0;
	size_t			 from_file = 0;
	int			 differs = 1;

	if (s->conf.cache_dirfd >= 0) {
		cached = indexfile_load(s->conf.cache_dirfd, s->cache_name,
		    index_context(s), s->site, &why);
		if (why != NULL)
			log_warnx("%s: index file %s ignored (%s); it is made "
			    "again", s->root, s->cache_name, why);
		from_file = cached != NULL ? cached->nall : 0;
	}
	/* With the file, the few sources that changed since are loaded
	 * whole at once (a complete first index); a cold index or a large
	 * change takes the front matter first. */
	if ((ix = postindex_scan(s, cached, cached != NULL ?
	    INDEX_WARM_WHOLE : 0)) != NULL) {
		/* The body pass does all the front-matter pass did and
		 * more: after a long one, waiting for it is futile. */
		quick = now_ms() - t0;
		s->wait_body = quick < INDEX_PARTIAL_WAIT_MS;
		atomic_fetch_add(&ix->refs, 1);
		index_install(s, ix);
		if (ix->partial) {
			struct post_index *full;

			full = postindex_scan(s, ix, SIZE_MAX);

			post_index_unref(ix);
			if ((ix = full) != NULL) {
				atomic_fetch_add(&ix->refs, 1);
				index_install(s, ix);
			}
		}
	}
	if (ix != NULL) {
		differs = cached == NULL || !postindex_same(cached, ix);
		log_info("%s: index of %zu sources ready in %lld ms (%zu "
		    "entries from the index file; first pass in %lld ms)",
		    s->root, ix->nall, now_ms() - t0, from_file, quick);
	}
	post_index_unref(ix);
	post_index_unref(cached);
	pthread_mutex_lock(&s->lock);
	s->building = 0;
	pthread_cond_broadcast(&s->index_cond);	/* none: stop waiting */
	pthread_mutex_unlock(&s->lock);
	return differs && ix != NULL;
}

/*
 * Take in the changes inotify reported since the last refresh: just the
 * Markdown files it named are loaded again, everything else is reused.  A
 * change it cannot pin to files (a folder, lost events, a root it cannot
 * watch) walks the tree instead, still reusing every unchanged entry.
 * Returns 1 when the index changed.
 */
static int
index_refresh(struct store *s)
{
	struct post_index	 *old, *ix;
	char			**changed;
	size_t			  n, i;
	int			  all, same;

	pthread_mutex_lock(&s->sync_lock);
	changed = s->changed;
	n = s->nchanged;
	all = s->changed_all || !atomic_load(&s->watch_ok);
	s->changed = NULL;
	s->nchanged = s->capchanged = 0;
	s->changed_all = 0;
	atomic_store(&s->index_dirty, 0);
	pthread_mutex_unlock(&s->sync_lock);
	if ((old = index_ref(s)) == NULL)
		ix = postindex_scan(s, NULL, SIZE_MAX);
	else if (all)
		ix = postindex_scan(s, old, SIZE_MAX);
	else
		ix = postindex_update(s, old, changed, n);
	for (i = 0; i < n; i++)
		free(changed[i]);
	free(changed);
	if (ix == NULL) {
		post_index_unref(old);
		return 0;
	}
	if ((same = old != NULL && postindex_same(old, ix)))
		post_index_unref(ix);
	else {
		index_install(s, ix);
		if (all)
			log_info("%s: index updated by a walk of the tree",
			    s->root);
		else
			log_info("%s: index updated from %zu changed file%s",
			    s->root, n, n == 1 ? "" : "s");
	}
	post_index_unref(old);
	return !same;
}

/* Write the index file (a complete index only); a failure is said once. */
static void
index_save(struct store *s)
{
	struct post_index	*ix;
	int			 r;

	if (s->conf.cache_dirfd < 0 || (ix = index_ref(s)) == NULL)
		return;
	if (!ix->partial && (r = indexfile_save(s->conf.cache_dirfd,
	    s->cache_name, index_context(s), ix)) < 0 && !s->save_failed) {
		s->save_failed = 1;
		log_warnx("%s: cannot write the index file %s: %s", s->root,
		    s->cache_name, strerror(-r));
	}
	post_index_unref(ix);
}

/*
 * What an index build leaves free (file buffers, parse trees, the
 * previous snapshot: tens of MB for a big blog, spread over the arenas
 * of the threads that made them) goes back to the system: glibc keeps
 * freed memory in each arena and returns only the top of the main one
 * by itself.
 */
static void
index_trim(void)
{
	malloc_trim(0);
}

static void
index_wake(struct store *s)
{
	static const char	one = 1;
	ssize_t			r;

	r = s->wake[1] != -1 ? write(s->wake[1], &one, 1) : 0;
	(void)r;	/* a full pipe: the indexer is awake anyway */
}

/*
 * The indexer thread: builds the first index, then waits for changes
 * (inotify, or a timer where the root cannot be watched) and takes them
 * in once they settle, so that no request ever scans; saves the index
 * file after the first build and a while after the last update.
 */
static void *
indexer_main(void *arg)
{
	struct store	*s = arg;
	struct pollfd	 pfd[2];
	char		 drain[64];
	long long	 save_at = -1, walk_at, now;
	int		 timeout, nfd;

	pthread_mutex_lock(&s->refresh_lock);
	if (index_build(s))
		save_at = now_ms();
	pthread_mutex_unlock(&s->refresh_lock);
	index_trim();
	walk_at = now_ms() + INDEX_RECHECK_SEC * 1000;
	while (!atomic_load(&s->stop)) {
		now = now_ms();
		timeout = atomic_load(&s->watch_ok) ? -1 :
		    (int)(walk_at > now ? walk_at - now : 0);
		if (save_at >= 0 && (timeout < 0 || save_at - now < timeout))
			timeout = (int)(save_at > now ? save_at - now : 0);
		pfd[0].fd = s->wake[0];
		pfd[1].fd = s->inotify;
		pfd[0].events = pfd[1].events = POLLIN;
		nfd = s->inotify != -1 ? 2 : 1;
		if (poll(pfd, (nfds_t)nfd, timeout) > 0 &&
		    (pfd[0].revents & POLLIN))
			while (read(s->wake[0], drain, sizeof(drain)) > 0)
				;
		if (atomic_load(&s->stop))
			break;
		(void)store_sync(s);
		now = now_ms();
		if (!atomic_load(&s->watch_ok) && now >= walk_at) {
			atomic_store(&s->index_dirty, 1);
			walk_at = now + INDEX_RECHECK_SEC * 1000;
		}
		if (atomic_load(&s->index_dirty)) {
			/* A burst of changes (an editor's save, a git pull)
			 * is taken in as one. */
			poll(NULL, 0, INDEX_SETTLE_MS);
			(void)store_sync(s);
			pthread_mutex_lock(&s->refresh_lock);
			if (index_refresh(s))
				save_at = now_ms() + INDEX_SAVE_DELAY_MS;
			pthread_mutex_unlock(&s->refresh_lock);
			index_trim();
		}
		if (save_at >= 0 && now_ms() >= save_at) {
			index_save(s);
			save_at = -1;
		}
	}
	if (save_at >= 0)
		index_save(s);
	return NULL;
}

int
store_stopping(const struct store *s)
{
	return atomic_load(&s->stop);
}

int
store_start(struct store *s)
{
	if (s->indexer_on)
		return 0;
	pthread_mutex_lock(&s->lock);
	s->building = 1;
	pthread_mutex_unlock(&s->lock);
	if (pthread_create(&s->indexer, NULL, indexer_main, s) != 0) {
		s->building = 0;
		return -1;
	}
	s->indexer_on = 1;
	return 0;
}

/* The current index; whole: give a cold body pass its time first (a
 * generated page shows what the bodies give), else the first pass will do
 * (routing, drafts and links need only front matter). */
static struct post_index *
posts_get(struct store *s, int whole)
{
	struct post_index	*ix;
	struct timespec		 until;
	int			 waited = !whole;

	(void)store_sync(s);	/* the indexer hears of changes */
	if (!s->indexer_on) {
		/* No indexer (a tool): the caller indexes. */
		pthread_mutex_lock(&s->refresh_lock);
		if (s->index == NULL)
			(void)index_build(s);
		else if (atomic_load(&s->index_dirty) ||
		    !atomic_load(&s->watch_ok))
			(void)index_refresh(s);
		pthread_mutex_unlock(&s->refresh_lock);
	}
	/*
	 * While the first index is made, a request waits for its quick pass;
	 * a generated page gives a cold index's body pass
	 * INDEX_PARTIAL_WAIT_MS more (unless the quick pass alone took that
	 * long), so that a small capsule is never seen half indexed.  After
	 * that, changes never make a request wait: it gets the index as it
	 * is until the indexer installs the next.
	 */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += INDEX_PARTIAL_WAIT_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&s->lock);
	while (s->building && (s->index == NULL ||
	    (s->index->partial && s->wait_body && !waited))) {
		if (s->index == NULL)
			pthread_cond_wait(&s->index_cond, &s->lock);
		else if (pthread_cond_timedwait(&s->index_cond, &s->lock,
		    &until) == ETIMEDOUT)
			waited = 1;
	}
	if ((ix = s->index) != NULL)
		atomic_fetch_add(&ix->refs, 1);
	pthread_mutex_unlock(&s->lock);
	return ix;
}

struct post_index *
store_posts(struct store *s)
{
	return posts_get(s, 0);
}

struct post_index *
store_posts_whole(struct store *s)
{
	return posts_get(s, 1);
}

/*------------------------------------------------------------ watching */

/* File systems whose changes all reach inotify: local ones.  On a network
 * file system another machine may change a file without an event. */
static int
local_fs(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) == -1)
		return 0;
	switch ((unsigned long)sf.f_type) {
	case EXT4_SUPER_MAGIC:	/* also ext2 and ext3 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
	case RAMFS_MAGIC:
	case OVERLAYFS_SUPER_MAGIC:
	case F2FS_SUPER_MAGIC:
	case ZFS_SUPER_MAGIC:
		return 1;
	default:
		return 0;
	}
}

/* Remember that watch wd is the folder rel, so that an event's file
 * name can be made a path. */
static int
watch_name(struct store *s, int wd, const char *rel)
{
	char	**v;
	size_t	  n;

	if ((size_t)wd >= s->nwds) {
		for (n = s->nwds ? s->nwds : 64; n <= (size_t)wd; n *= 2)
			;
		if ((v = realloc(s->wds, n * sizeof(*v))) == NULL)
			return -1;
		memset(v + s->nwds, 0, (n - s->nwds) * sizeof(*v));
		s->wds = v;
		s->nwds = n;
	}
	free(s->wds[wd]);
	return (s->wds[wd] = strdup(rel)) == NULL ? -1 : 0;
}

/* Note the file name in folder wd as changed for the indexer; -1 when
 * it cannot be pinned (then the tree is walked). */
static int
changed_add(struct store *s, int wd, const char *name)
{
	char	**v, *rel;
	size_t	  n;

	if (wd < 0 || (size_t)wd >= s->nwds || s->wds[wd] == NULL ||
	    s->nchanged >= INDEX_CHANGED_MAX)
		return -1;
	if (s->nchanged == s->capchanged) {
		n = s->capchanged ? s->capchanged * 2 : 16;
		if ((v = realloc(s->changed, n * sizeof(*v))) == NULL)
			return -1;
		s->changed = v;
		s->capchanged = n;
	}
	n = strlen(s->wds[wd]);
	if ((rel = malloc(n + strlen(name) + 2)) == NULL)
		return -1;
	sprintf(rel, "%s%s%s", s->wds[wd], n ? "/" : "", name);
	/* One save raises a few events in a row (modify, close). */
	if (s->nchanged > 0 && strcmp(s->changed[s->nchanged - 1], rel) == 0) {
		free(rel);
		return 0;
	}
	s->changed[s->nchanged++] = rel;
	return 0;
}

/*
 * Watch the directory fd (rel beneath the root) and every directory
 * below it.  -1 when one of them
 * cannot be watched: not a local file system, too deep, out of watches,
 * or its path no longer names it.
 */
static int
watch_walk(struct store *s, int fd, const char *rel, int depth)
{
	char		 path[PATH_MAX], child[PATH_MAX];
	struct stat	 a, b;
	struct dirent	*de;
	DIR		*d;
	int		 cfd, wd, r = 0;

	if (depth > WATCH_DEPTH_MAX || !local_fs(fd) || fstat(fd, &a) == -1) {
		close(fd);
		return -1;
	}
	/* inotify takes a path: check it still names the directory we
	 * opened (a rename in between would have raised an event, but the
	 * path must be right for the watch to mean anything). */
	if (*rel == '\0')
		snprintf(path, sizeof(path), "%s", *s->watch_root ?
		    s->watch_root : "/");
	else
		snprintf(path, sizeof(path), "%s/%s", s->watch_root, rel);
	if ((wd = inotify_add_watch(s->inotify, path, WATCH_EVENTS)) == -1 ||
	    stat(path, &b) == -1 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino || watch_name(s, wd, rel) == -1 ||
	    (d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel,
		    *rel ? "/" : "", de->d_name) >= sizeof(child)) {
			r = -1;
			break;
		}
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (cfd == -1) {
			/* Not a directory (DT_UNKNOWN), or gone already. */
			if (errno != ENOTDIR && errno != ELOOP &&
			    errno != ENOENT)
				r = -1;
			continue;
		}
		r = watch_walk(s, cfd, child, depth + 1);
	}
	closedir(d);
	return r;
}

/*
 * inotify takes paths.  After a chroot the root's path is a suffix of the
 * one resolved at start ("/srv/jail/capsule" is now "/capsule"): find the
 * one that still names the root directory.
 */
static int
watch_root_path(struct store *s)
{
	struct stat	 a, b;
	const char	*p;

	if (fstat(s->rootfd, &a) == -1)
		return -1;
	for (p = s->root; p != NULL; p = strchr(p + 1, '/'))
		if (stat(p, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			s->watch_root = p;
			return 0;
		}
	if (stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		s->watch_root = "";	/* the jail is the root */
		return 0;
	}
	return -1;
}

/* (Re)watch the whole tree; decides whether replies may be cached. */
static void
watch_tree(struct store *s)
{
	int fd, ok = 0;

	if (s->inotify != -1 && watch_root_path(s) == 0 &&
	    (fd = openat(s->rootfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1)
		ok = watch_walk(s, fd, "", 0) == 0;
	if (!ok && atomic_load(&s->watch_ok))
		log_warnx("%s: cannot watch every directory for changes: "
		    "replies are not cached", s->root);
	atomic_store(&s->watch_ok, ok);
}

/*
 * Take in the pending events.  A new directory (or one moved in) gets
 * its watches before any request can be answered from the cache, so a
 * file created in it is seen too; a lost event (queue overflow) rewatches
 * everything.  Any event moves the generation on; only those on Markdown
 * files and folders (or a rewatch) make the index scan again, so an
 * image changing does not cost a stat of every page.
 */
static unsigned long
store_sync(struct store *s)
{
	char			 ev[4096] __attribute__((aligned(8)));
	const struct inotify_event *e;
	ssize_t			 n, off;
	int			 rewatch = 0, posts = 0, all = 0;
	unsigned		 others;

	if (s->inotify == -1)
		return 0;
	atomic_fetch_add(&s->syncing, 1);
	if ((n = read(s->inotify, ev, sizeof(ev))) > 0) {
		pthread_mutex_lock(&s->sync_lock);
		do {
			for (off = 0; off < n; off += (ssize_t)sizeof(*e) +
			    (ssize_t)e->len) {
				e = (const struct inotify_event *)(ev + off);
				if ((e->mask & IN_Q_OVERFLOW) ||
				    ((e->mask & IN_ISDIR) &&
				    (e->mask & (IN_CREATE | IN_MOVED_TO))))
					rewatch = 1;
				/* The index holds every Markdown file: a
				 * change to one is loaded again by name, a
				 * folder's makes the indexer walk. */
				if (e->len == 0 || (e->mask & IN_ISDIR))
					posts = all = 1;
				else if (store_is_markdown(e->name)) {
					posts = 1;
					if (changed_add(s, e->wd,
					    e->name) == -1)
						all = 1;
				}
			}
		} while ((n = read(s->inotify, ev, sizeof(ev))) > 0);
		if (rewatch)
			watch_tree(s);
		if (all || rewatch)
			s->changed_all = 1;
		if (posts || rewatch)
			atomic_store(&s->index_dirty, 1);
		atomic_fetch_add(&s->cgen, 1);
		pthread_mutex_unlock(&s->sync_lock);
		if (posts || rewatch)
			index_wake(s);
	}
	/*
	 * Another thread may have read events it has not finished with: its
	 * generation is not out yet, so the cache cannot be trusted for this
	 * request.  Once it is done, the new generation is visible here.
	 */
	others = atomic_fetch_sub(&s->syncing, 1) - 1;
	if (others > 0 || !atomic_load(&s->watch_ok))
		return 0;
	return atomic_load(&s->cgen);
}

unsigned long
store_reply_gen(struct store *s)
{
	reply_unsafe = 0;	/* a new request starts */
	return store_sync(s);
}

/* Reply keys live apart from the render cache's ("f:", "g:", feeds). */
static int
reply_key(char *out, size_t outlen, const char *key)
{
	return (size_t)snprintf(out, outlen, "reply\t%s", key) < outlen ?
	    0 : -1;
}

int
store_reply_get(struct store *s, const char *key, unsigned long gen,
    int *status, char *meta, size_t metalen, struct blob **body)
{
	struct entry	**ep, *e;
	char		  k[PATH_MAX * 2];
	int		  r = -1;

	*body = NULL;
	if (gen == 0 || reply_key(k, sizeof(k), key) == -1)
		return -1;
	pthread_mutex_lock(&s->lock);
	ep = cache_slot(s, k);
	if ((e = *ep) != NULL && e->meta != NULL) {
		if (e->ino == (ino_t)gen) {
			*status = e->status;
			snprintf(meta, metalen, "%s", e->meta);
			*body = e->blob ? blob_ref(e->blob) : NULL;
			lru_unlink(s, e);
			lru_push(s, e);
			r = 0;
		} else
			cache_remove(s, ep);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void
store_reply_put(struct store *s, const char *key, unsigned long gen,
    int status, const char *meta, struct blob *body)
{
	struct entry	*e;
	char		 k[PATH_MAX * 2];
	size_t		 len = body ? body->len : 0;

	if (gen == 0 || reply_unsafe || len > s->conf.cache_max / 4 ||
	    reply_key(k, sizeof(k), key) == -1)
		return;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->key = strdup(k)) == NULL ||
	    (e->meta = strdup(meta)) == NULL) {
		if (e != NULL)
			free(e->key);
		free(e);
		return;
	}
	e->ino = (ino_t)gen;
	e->status = status;
	e->blob = body ? blob_ref(body) : NULL;
	/* Everything it holds, so that many small replies cannot grow the
	 * cache past its budget. */
	e->cost = sizeof(*e) + strlen(k) + strlen(meta) + len;
	cache_insert(s, e);
}

/*------------------------------------------------------------ lifetime */

const char *
store_layout(const struct store *s)
{
	return s->site->report;
}

struct store *
store_new(const struct store_conf *conf, const char **err)
{
	struct store		*s;
	struct site_override	 o;
	char			 real[PATH_MAX];

	if (realpath(conf->root, real) == NULL) {
		*err = "cannot resolve the root directory";
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	s->conf = *conf;
	s->inotify = -1;
	s->rootfd = -1;
	s->nbuckets = 1024;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->index_cond, NULL);
	pthread_mutex_init(&s->sync_lock, NULL);
	pthread_mutex_init(&s->refresh_lock, NULL);
	atomic_init(&s->stop, 0);
	s->wake[0] = s->wake[1] = -1;
	atomic_init(&s->syncing, 0);
	atomic_init(&s->cgen, 1);
	atomic_init(&s->watch_ok, 0);
	atomic_init(&s->index_dirty, 0);
	if ((s->root = strdup(real)) == NULL ||
	    (s->table = calloc(s->nbuckets, sizeof(*s->table))) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	s->bn.root = s->root;
	beneath_private_dir(&s->bn, conf->certs);
	beneath_private_file_dir(&s->bn, conf->config);
	beneath_private_file_dir(&s->bn, conf->log);
	if ((s->rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC))
	    == -1) {
		*err = "cannot open the root directory";
		goto fail;
	}
	s->bn.rootfd = s->rootfd;
	memset(&o, 0, sizeof(o));
	o.posts = conf->posts;
	o.title = conf->title;
	o.description = conf->description;
	o.author = conf->author;
	o.lang = conf->lang;
	o.site_url = conf->site_url;
	if ((s->site = site_load(s->root, &o)) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	if (conf->lang == NULL && s->site->lang != NULL)
		s->conf.default_lang = s->site->lang;
	s->bn.private_seg = store_private_seg;
	s->bn.seg_arg = s->site;
	if (pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		*err = "cannot make a pipe";
		goto fail;
	}
	/* One index file per root and host (a host's default language
	 * shapes its index). */
	snprintf(s->cache_name, sizeof(s->cache_name), "index-%016llx",
	    (unsigned long long)buf_hash_more(buf_hash(s->root,
	    strlen(s->root) + 1), conf->host, strlen(conf->host)));
	/* Without inotify, or with a directory it cannot watch (NFS,
	 * limits), replies are not cached and the index is rechecked by
	 * time.  Watching starts before any content is read. */
	s->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	atomic_store(&s->watch_ok, 1);	/* so a failure is reported */
	watch_tree(s);
	return s;
fail:
	if (s->rootfd >= 0)
		close(s->rootfd);
	store_free_rest(s);
	return NULL;
}

void
store_free(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->indexer_on) {
		atomic_store(&s->stop, 1);
		index_wake(s);
		pthread_join(s->indexer, NULL);
	}
	for (i = 0; i < s->nbuckets; i++)
		while (s->table[i] != NULL)
			cache_remove(s, &s->table[i]);
	post_index_unref(s->index);
	if (s->inotify != -1)
		close(s->inotify);
	close(s->rootfd);
	store_free_rest(s);
}

/* What store_new made before it can fail, and store_free ends with. */
static void
store_free_rest(struct store *s)
{
	size_t i;

	for (i = 0; i < s->nchanged; i++)
		free(s->changed[i]);
	free(s->changed);
	for (i = 0; i < s->nwds; i++)
		free(s->wds[i]);
	free(s->wds);
	if (s->wake[0] != -1) {
		close(s->wake[0]);
		close(s->wake[1]);
	}
	site_free(s->site);
	beneath_free(&s->bn);
	free(s->table);
	free(s->root);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->index_cond);
	pthread_mutex_destroy(&s->sync_lock);
	pthread_mutex_destroy(&s->refresh_lock);
	free(s);
}

const struct store_conf *
store_conf(const struct store *s)
{
	return &s->conf;
}

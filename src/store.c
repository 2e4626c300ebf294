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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/magic.h>

#include "autoconf.h"
#ifdef HAVE_LINUX_OPENAT2_H
#include <linux/openat2.h>
#endif

#include "buf.h"
#include "defaults.h"
#include "doc.h"
#include "frontmatter.h"
#include "gmiparse.h"
#include "lang.h"
#include "log.h"
#include "markdown.h"
#include "mime.h"
#include "page.h"
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
	char			*certs_rel;	/* certs dir inside root, or NULL */
	int			 rootfd;
	int			 inotify;	/* -1 when unavailable */
	pthread_mutex_t		 lock;
	struct entry		**table;
	size_t			 nbuckets, nentries, bytes;
	struct entry		*lru_head, *lru_tail;
	struct post_index	*index;
	time_t			 index_time;
	unsigned long		 gen;
	/* Change tracking (see store_reply_gen). */
	pthread_mutex_t		 sync_lock;	/* handling events, watching */
	const char		*watch_root;	/* the root's path now: a
						   suffix of root once inside
						   a chroot */
	atomic_uint		 syncing;	/* threads reading events */
	atomic_ulong		 cgen;		/* moves on at every change */
	atomic_int		 watch_ok;	/* every directory watched */
	atomic_int		 index_dirty;	/* changes since the scan */
	struct site		*site;		/* generator, config, URLs */
};

/* Set while routing a request on this thread when something was read
 * that inotify cannot vouch for: the reply is then not cached. */
static _Thread_local int reply_unsafe;

static unsigned long	store_sync(struct store *);

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

static int
hidden_or_private(const struct store *s, const char *rel)
{
	const char	*p = rel;
	size_t		 n;

	char		 seg[NAME_MAX + 1];

	for (;;) {
		if (*p == '.')
			return 1;
		/* Editor and VCS leftovers, dependency and build folders. */
		n = strcspn(p, "/");
		if (n < sizeof(seg)) {
			memcpy(seg, p, n);
			seg[n] = '\0';
			if (site_private_name(s->site, seg, p == rel))
				return 1;
		}
		if ((p = strchr(p, '/')) == NULL)
			break;
		p++;
	}
	if (s->certs_rel != NULL) {
		n = strlen(s->certs_rel);
		if (strncmp(rel, s->certs_rel, n) == 0 &&
		    (rel[n] == '\0' || rel[n] == '/'))
			return 1;
	}
	return 0;
}

/*
 * Open rel beneath the root.  openat2 with RESOLVE_BENEATH makes the
 * kernel refuse any path (symlinks included) that leaves the root, with
 * no window between a check and the open.  Where the kernel lacks it,
 * walk the components with O_NOFOLLOW: stricter (no symlinks at all)
 * but equally safe.
 */
static int
open_beneath(int rootfd, const char *rel)
{
	int	 flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	char	 part[PATH_MAX];
	int	 fd, next;
	size_t	 n;

	if (*rel == '\0')
		rel = ".";
#ifdef HAVE_LINUX_OPENAT2_H
	{
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = flags;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, rootfd, rel, &how,
		    sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd >= 0 ? fd : -errno;
	}
#endif
	if ((fd = dup(rootfd)) == -1)
		return -errno;
	while (*rel != '\0') {
		n = strcspn(rel, "/");
		if (n == 0 || n >= sizeof(part)) {
			rel += n + (rel[n] == '/');
			continue;
		}
		memcpy(part, rel, n);
		part[n] = '\0';
		rel += n + (rel[n] == '/');
		if (strcmp(part, "..") == 0) {
			close(fd);
			return -EXDEV;
		}
		next = openat(fd, part, flags | O_NOFOLLOW);
		close(fd);
		if (next == -1)
			return -errno;
		fd = next;
	}
	return fd;
}

int
store_open(struct store *s, const char *rel, struct stat *st)
{
	int fd;

	if (hidden_or_private(s, rel))
		return -ENOENT;
	if ((fd = open_beneath(s->rootfd, rel)) < 0)
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
static int
read_all(int fd, struct buf *b, size_t max)
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
	if ((r = read_all(fd, &b, CACHE_FILE_MAX)) < 0) {
		buf_free(&b);
		return r == -EFBIG ? 0 : r;	/* it grew: stream it */
	}
	if ((*bp = blob_from_buf(&b)) == NULL)
		return -ENOMEM;
	cache_put(s, key, st, NULL, *bp);
	return 0;
}

/* "posts/2022-09-04-hello.md" -> "2022-09-04-hello" (bundles: dir name) */
static void
base_name(const char *rel, char *out, size_t outlen)
{
	const char	*slash, *dot, *start;
	size_t		 n;

	slash = strrchr(rel, '/');
	start = slash ? slash + 1 : rel;
	if (strncmp(start, "index.", 6) == 0 && slash != NULL) {
		const char *p = slash;

		while (p > rel && p[-1] != '/')
			p--;
		start = p;
		n = (size_t)(slash - p);
	} else {
		dot = strrchr(start, '.');
		n = dot ? (size_t)(dot - start) : strlen(start);
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, start, n);
	out[n] = '\0';
}

/*------------------------------------------------------------ URL scheme */

/* The index entry a key (site_key) names, or NULL. */
static struct post *
ix_find(const struct post_index *ix, const char *key)
{
	size_t h;

	if (ix == NULL || ix->nslots == 0)
		return NULL;
	h = hash_key(key) & (ix->nslots - 1);
	for (; ix->slots[h].key != NULL; h = (h + 1) & (ix->nslots - 1))
		if (strcmp(ix->slots[h].key, key) == 0)
			return ix->slots[h].post;
	return NULL;
}

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
		p = ix_find(ix, k);
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
		base_name(ix->all[i]->rel, stem, sizeof(stem));
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

/* What md_link_map's callback reads: the site and one index snapshot. */
struct link_ctx {
	struct store		*s;
	const struct post_index	*ix;
};

/*
 * A path without an extension that is a regular file under the root (a
 * gemtext capsule's cgi-bin/news, a LICENSE): 3, so that its Gopher item
 * gets the file's type instead of the menu type of a route, else 0.
 */
static int
link_plain_file(struct store *s, const char *path, struct buf *out)
{
	const char	*name = strrchr(path, '/');
	struct stat	 st;
	int		 fd;

	name = name != NULL ? name + 1 : path;
	if (*name == '\0' || strchr(name, '.') != NULL ||
	    (fd = store_open(s, path + (*path == '/'), &st)) < 0)
		return 0;
	close(fd);
	if (!S_ISREG(st.st_mode))
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
	    strcmp(k, "/") != 0 && (p = ix_find(lc->ix, k)) != NULL)
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
		r = link_plain_file(lc->s, d, out);
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

/* The index entry of rel, or NULL. */
static const struct post *
ix_entry(const struct post_index *ix, const char *rel)
{
	struct buf	 b;
	const struct post *p = NULL;
	char		*k;
	size_t		 i;

	buf_init(&b, PATH_MAX);
	if (site_source_key(rel, &b) == 0 && buf_putc(&b, '\0') == 0 &&
	    (k = site_key(NULL, b.data, "", 0)) != NULL) {
		p = ix_find(ix, k);
		free(k);
	}
	buf_free(&b);
	if (p != NULL && strcmp(p->rel, rel) == 0)
		return p;
	/* Its key may belong to another page (an alias, a canonical path
	 * equal to this file's source form): look at every entry, so that a
	 * draft is never taken for published. */
	for (i = 0; i < ix->nall; i++)
		if (strcmp(ix->all[i]->rel, rel) == 0)
			return ix->all[i];
	return NULL;
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

void
store_where(struct store *s, const char *path, int gemini,
    struct store_where *w)
{
	struct post_index	*ix;
	struct post		*p = NULL;
	struct buf		 to;
	char			*k;
	size_t			 n = strlen(path);

	memset(w, 0, sizeof(*w));
	w->text = !gemini && n > 4 && strcasecmp(path + n - 4, ".txt") == 0;
	if ((k = site_key(s->site, path, "", 0)) == NULL)
		return;
	/* The tag pages are generated (feed.c), whatever Hugo keeps in
	 * content/tags/ for its term pages; its category pages are those
	 * tag pages too. */
	buf_init(&to, sizeof(w->to) - 1);
	if (site_category_path(s->site, k, &to) == 1) {
		w->kind = WHERE_MOVED;
		snprintf(w->to, sizeof(w->to), "%s", to.data);
	}
	buf_free(&to);
	if (strcmp(k, "/") == 0 || site_is_tag_key(k) ||
	    w->kind == WHERE_MOVED || (ix = store_posts(s)) == NULL) {
		free(k);
		return;
	}
	if ((p = ix_find(ix, k)) != NULL) {
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

/* A folder holding a draft bundle's index: everything in it is the
 * draft's. */
static int
in_draft_bundle(const struct post_index *ix, const char *rel)
{
	const struct post	*p;
	const char		*slash;
	char			 dir[PATH_MAX], *k;
	size_t			 n = strlen(rel);

	while ((slash = memrchr(rel, '/', n)) != NULL) {
		n = (size_t)(slash - rel);
		if (n + 2 > sizeof(dir))
			return 0;
		snprintf(dir, sizeof(dir), "/%.*s", (int)n, rel);
		if ((k = site_key(NULL, dir, "", 0)) == NULL)
			return 0;
		p = ix_find(ix, k);
		free(k);
		if (p != NULL && p->bundle && p->draft &&
		    strncmp(p->rel, rel, n) == 0 && p->rel[n] == '/')
			return 1;
	}
	return 0;
}

int
store_is_draft(struct store *s, const char *rel)
{
	struct post_index	*ix;
	const struct post	*p;
	int			 r;

	if ((ix = store_posts(s)) == NULL)
		return 0;
	r = (store_is_markdown(rel) && (p = ix_entry(ix, rel)) != NULL &&
	    p->draft) || in_draft_bundle(ix, rel);
	post_index_unref(ix);
	return r;
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
link_urls(struct store *s, const struct post_index *ix,
    struct link_ctx *lc, struct md_urls *mu)
{
	lc->s = s;
	lc->ix = ix;
	mu->canon = link_canon;
	mu->own = link_own;
	mu->arg = lc;
}

/* A native gemtext page in another protocol's form (Gemini sends the
 * file itself); its links are mapped as a Markdown page's are. */
static int
render_gemtext(struct store *s, const struct post_index *ix,
    const char *rel, const char *src, size_t len, enum md_format fmt,
    struct buf *out, char *lang, size_t langlen)
{
	struct md_doc	 d;
	struct md_opts	 o;
	struct md_urls	 mu;
	struct link_ctx	 lc;
	char		 path[PATH_MAX + 2];
	int		 r;

	snprintf(path, sizeof(path), "/%s", rel);
	link_urls(s, ix, &lc, &mu);
	if (gmi_parse(&d, src, len, path, s->conf.host, &mu,
	    RENDER_MAX) == -1)
		return -ENOMEM;
	memset(&o, 0, sizeof(o));
	o.width = s->conf.width;
	o.host = s->conf.host;
	o.port = s->conf.gopher_port;
	r = doc_emit(&d, fmt, &o, out);
	md_doc_free(&d);
	snprintf(lang, langlen, "%s", store_lang(s, src, len));
	return r == -1 ? -ENOMEM : 0;
}

static int
render_source(struct store *s, const struct post_index *ix, const char *rel,
    const char *src, size_t len, enum md_format fmt, struct buf *out,
    char *lang, size_t langlen)
{
	const struct post	*p = ix_entry(ix, rel);
	struct page_meta	 meta;
	struct md_opts		 o;
	struct md_site		 ms;
	struct md_urls		 mu;
	struct link_ctx		 lc;
	struct buf		 warn;
	char			 path[PATH_MAX + 2], title[256];
	const char		*l, *w, *nl;
	int			 r;

	if (frontmatter_parse(src, len, &meta) == -1)
		return -ENOMEM;
	if (meta.draft || (p != NULL && p->draft)) {
		/* Drafts are hidden: generators do not publish them. */
		page_meta_free(&meta);
		return -ENOENT;
	}
	if (meta.err_line != 0)
		log_warnx("%s/%s:%lu: front matter: %s", s->root, rel,
		    meta.err_line, meta.err ? meta.err : "error");
	/* The date line shows the date the index found, wherever it came
	 * from (file name, git, mtime). */
	if (!meta.has_date && p != NULL && p->is_post) {
		meta.has_date = 1;
		meta.date = p->date;
		meta.tzoff = p->tzoff;
	}
	snprintf(path, sizeof(path), "/%s", rel);
	base_name(rel, title, sizeof(title));
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
	link_urls(s, ix, &lc, &mu);
	o.urls = &mu;
	/* Generator tags the page loses: said once, with the Gemini render
	 * (the other two formats drop the same ones). */
	buf_init(&warn, 4096);
	if (fmt == MD_GEMTEXT)
		o.warn = &warn;
	l = meta.lang ? meta.lang : site_lang_of(s->site, rel);
	if (l == NULL)
		l = lang_detect(src + meta.body, len - meta.body,
		    s->conf.default_lang);
	snprintf(lang, langlen, "%s", l);
	r = page_render(src + meta.body, len - meta.body, fmt, &o, out);
	for (w = warn.data; r == 0 && w != NULL && *w != '\0'; w = nl + 1) {
		if ((nl = strchr(w, '\n')) == NULL)
			break;
		log_info("%s/%s: %.*s", s->root, rel, (int)(nl - w), w);
	}
	buf_free(&warn);
	page_meta_free(&meta);
	return r == -1 ? -ENOMEM : 0;
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
	buf_init(&src, PAGE_SOURCE_MAX);
	if ((r = read_all(fd, &src, PAGE_SOURCE_MAX)) < 0) {
		buf_free(&src);
		post_index_unref(ix);
		return r;
	}
	buf_init(&out, RENDER_MAX);
	r = (store_is_gemtext(rel) ? render_gemtext : render_source)(s, ix,
	    rel, src.data ? src.data : "", src.len, fmt, &out, lang, langlen);
	buf_free(&src);
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

static void
post_unref(struct post *p)
{
	size_t i;

	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	free(p->rel);
	free(p->canon);
	free(p->gemini);
	free(p->key);
	free(p->srckey);
	free(p->title);
	for (i = 0; i < p->ntags; i++)
		free(p->tags[i]);
	free(p->tags);
	free(p->summary);
	free(p->lang);
	free(p->text);
	for (i = 0; i < p->naliases; i++)
		free(p->aliases[i]);
	free(p->aliases);
	free(p->search);
	free(p);
}

void
post_index_unref(struct post_index *ix)
{
	size_t i;

	if (ix == NULL || atomic_fetch_sub(&ix->refs, 1) != 1)
		return;
	for (i = 0; i < ix->nall; i++)
		post_unref(ix->all[i]);
	/* A view of an index (feed.c's) holds its posts itself. */
	for (i = 0; ix->all == NULL && i < ix->n; i++)
		post_unref(ix->posts[i]);
	free(ix->all);
	free(ix->posts);
	free(ix->slots);
	free(ix);
}

/* The paths a page answers to, all from the site's URL scheme. */
static int
post_paths(const struct site *site, struct post *p,
    const struct page_meta *m)
{
	struct buf	 b;
	const char	*name = strrchr(p->rel, '/');

	name = name != NULL ? name + 1 : p->rel;
	p->bundle = strncmp(name, "index.", 6) == 0 ||
	    strncmp(name, "_index.", 7) == 0;
	buf_init(&b, PATH_MAX * 3);
	if (site_web_path(site, p->rel, m, p->date, p->tzoff, &b) == -1 ||
	    buf_putc(&b, '\0') == -1 ||
	    (p->canon = strdup(b.data)) == NULL)
		goto fail;
	buf_reset(&b);
	if (url_encode_path(&b, p->canon, strlen(p->canon)) == -1 ||
	    buf_putc(&b, '\0') == -1 ||
	    (p->gemini = strdup(b.data)) == NULL)
		goto fail;
	p->gopher = p->gemini;
	buf_reset(&b);
	if (site_source_key(p->rel, &b) == -1 || buf_putc(&b, '\0') == -1 ||
	    (p->srckey = site_key(NULL, b.data, "", 0)) == NULL ||
	    (p->key = site_key(NULL, p->canon, "", 0)) == NULL)
		goto fail;
	buf_free(&b);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

/* A "YYYY-MM-DD-" file-name prefix, as Jekyll names posts. */
static int
date_from_name(const char *rel, time_t *t)
{
	const char	*name = strrchr(rel, '/');
	char		 d[11];
	int		 off;

	name = name ? name + 1 : rel;
	/* A bundle: its folder's name. */
	if (strncmp(name, "index.", 6) == 0 && name > rel + 1) {
		const char *q = name - 1;

		while (q > rel && q[-1] != '/')
			q--;
		name = q;
	}
	if (strlen(name) < 11 || name[10] != '-')
		return -1;
	memcpy(d, name, 10);
	d[10] = '\0';
	return frontmatter_parse_date(d, t, &off);
}

static void
post_aliases(const struct site *site, struct post *p,
    const struct page_meta *m)
{
	const char	*slash = strrchr(p->rel, '/'), *dir = p->rel;
	size_t		 i, dirlen = slash ? (size_t)(slash - p->rel) : 0;
	size_t		 cn = strlen(site->content);
	char		*k;

	if (m->naliases == 0 ||
	    (p->aliases = calloc(m->naliases, sizeof(*p->aliases))) == NULL)
		return;
	/* Hugo's relative aliases are relative to the section's web path,
	 * which drops the content folder: content/posts/x.md is in
	 * /posts/. */
	if (cn > 0 && dirlen > cn && strncmp(p->rel, site->content, cn) == 0 &&
	    p->rel[cn] == '/') {
		dir += cn + 1;
		dirlen -= cn + 1;
	}
	for (i = 0; i < m->naliases; i++)
		if ((k = site_key(site, m->aliases[i], dir, dirlen)) != NULL)
			p->aliases[p->naliases++] = k;
}

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
	if (S_ISREG(st.st_mode) && read_all(fd, &src, PAGE_SOURCE_MAX) == 0 &&
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

/* Private by the generator's rules: a draft, a folder of drafts, a page
 * dated in the future where the generator waits for that date. */
static int
post_private(const struct site *site, const char *rel,
    const struct page_meta *m)
{
	if (m->draft || strncmp(rel, "_drafts/", 8) == 0 ||
	    site_unpublished(site, rel))
		return 1;
	return m->has_date && m->date > time(NULL) &&
	    site_hides_future(site);
}

static struct post *
post_load(struct store *s, const char *rel, int fd, const struct stat *st)
{
	struct page_meta	 meta;
	struct post		*p;
	struct buf		 src, tmp, plain;
	const char		*body;
	size_t			 blen;
	char			 name[256];
	const char		*lang;
	time_t			 added;

	buf_init(&src, PAGE_SOURCE_MAX);
	if (read_all(fd, &src, PAGE_SOURCE_MAX) < 0 ||
	    frontmatter_parse(src.data ? src.data : "", src.len, &meta) == -1) {
		buf_free(&src);
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto out;
	atomic_init(&p->refs, 1);
	body = (src.data ? src.data : "") + meta.body;
	blen = src.len - meta.body;
	p->rel = strdup(rel);
	p->dev = st->st_dev;
	p->ino = st->st_ino;
	p->size = st->st_size;
	p->mtime = st->st_mtim;
	p->draft = post_private(s->site, rel, &meta);
	p->is_post = site_is_post(s->site, rel);
	/* Front matter, the file name, the commit that added the file, and
	 * only then the file's time (a fresh clone's). */
	if (meta.has_date) {
		p->date = meta.date;
		p->tzoff = meta.tzoff;
	} else if (date_from_name(rel, &p->date) == -1) {
		added = site_added(s->site, rel);
		p->date = added != 0 ? added : st->st_mtim.tv_sec;
	}
	p->updated = meta.has_updated ? meta.updated : p->date;
	/* The web path may use the front matter's title (Hugo's :slug). */
	if (post_paths(s->site, p, &meta) == -1)
		goto fail;
	post_aliases(s->site, p, &meta);
	buf_init(&tmp, 4096);
	if (meta.title != NULL) {
		p->title = meta.title;
		meta.title = NULL;
	} else if (site_page_title(s->site, rel, &meta, body, blen, &tmp) == 0)
		p->title = buf_detach(&tmp, NULL);
	else {
		base_name(rel, name, sizeof(name));
		p->title = strdup(name);
	}
	buf_free(&tmp);
	if (p->title == NULL)
		goto fail;
	if (!p->is_post || p->draft)
		goto out;	/* found by path, never listed */
	/* Summary (unless the front matter has one) and search text come
	 * from one parse of the body. */
	buf_init(&tmp, 4096);
	buf_init(&plain, PAGE_SOURCE_MAX);
	if (md_digest(body, blen, 300, meta.summary ? NULL : &tmp,
	    &plain) == 0)
		p->text = buf_detach(&plain, NULL);
	if (meta.summary != NULL) {
		p->summary = meta.summary;
		meta.summary = NULL;
	} else
		p->summary = buf_detach(&tmp, NULL);
	buf_free(&tmp);
	buf_free(&plain);
	if ((lang = meta.lang) == NULL &&
	    (lang = site_lang_of(s->site, rel)) == NULL)
		lang = lang_detect(body, blen, s->conf.default_lang);
	p->lang = strdup(lang);
	p->tags = meta.tags;
	p->ntags = meta.ntags;
	meta.tags = NULL;
	meta.ntags = 0;
	p->search = search_key(p->title, p->tags, p->ntags, p->text);
	if (p->rel == NULL || p->lang == NULL)
		goto fail;
out:
	page_meta_free(&meta);
	buf_free(&src);
	return p;
fail:
	post_unref(p);
	p = NULL;
	goto out;
}

struct scan {
	struct store	 *s;
	struct post	**old;		/* previous snapshot, hashed by rel */
	size_t		  nold;		/* slots in old (a power of two) */
	struct post	**all;
	size_t		  n, cap;
	int		  depth;
};

static void
scan_hash_old(struct scan *sc, const struct post_index *ix)
{
	size_t i, h;

	if (ix == NULL || ix->nall == 0)
		return;
	for (sc->nold = 16; sc->nold < ix->nall * 2; sc->nold *= 2)
		;
	if ((sc->old = calloc(sc->nold, sizeof(*sc->old))) == NULL) {
		sc->nold = 0;
		return;
	}
	for (i = 0; i < ix->nall; i++) {
		h = hash_key(ix->all[i]->rel) & (sc->nold - 1);
		while (sc->old[h] != NULL)
			h = (h + 1) & (sc->nold - 1);
		sc->old[h] = ix->all[i];
	}
}

/* The previous snapshot's post for rel when its file is unchanged. */
static struct post *
scan_reuse(struct scan *sc, const char *rel, const struct stat *st)
{
	struct post	*o;
	size_t		 h;

	if (sc->nold == 0)
		return NULL;
	h = hash_key(rel) & (sc->nold - 1);
	for (; (o = sc->old[h]) != NULL; h = (h + 1) & (sc->nold - 1)) {
		if (strcmp(o->rel, rel) != 0)
			continue;
		if (o->ino != st->st_ino || o->dev != st->st_dev ||
		    o->size != st->st_size ||
		    o->mtime.tv_sec != st->st_mtim.tv_sec ||
		    o->mtime.tv_nsec != st->st_mtim.tv_nsec)
			return NULL;
		atomic_fetch_add(&o->refs, 1);
		return o;
	}
	return NULL;
}

static void
scan_add(struct scan *sc, struct post *p)
{
	struct post **np;

	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 64;
		if ((np = realloc(sc->all, sc->cap * sizeof(*np))) == NULL) {
			post_unref(p);
			sc->cap /= 2;
			return;
		}
		sc->all = np;
	}
	sc->all[sc->n++] = p;
}

/* Every Markdown source under the root that may be served. */
static void
scan_dir(struct scan *sc, const char *rel)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	struct post	*p;
	char		 child[PATH_MAX];
	int		 fd;

	if (sc->depth > 16 || (fd = store_open(sc->s, rel, &st)) < 0)
		return;
	if (!S_ISDIR(st.st_mode) || (d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel,
		    *rel ? "/" : "", de->d_name) >= sizeof(child))
			continue;
		if ((fd = store_open(sc->s, child, &st)) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			sc->depth++;
			scan_dir(sc, child);
			sc->depth--;
			continue;
		}
		if (store_is_markdown(child) &&
		    strncmp(de->d_name, "README.", 7) != 0) {
			if ((p = scan_reuse(sc, child, &st)) == NULL)
				p = post_load(sc->s, child, fd, &st);
			if (p != NULL)
				scan_add(sc, p);
		}
		close(fd);
	}
	closedir(d);
}

static int
post_newer_first(const void *a, const void *b)
{
	const struct post *p = *(struct post *const *)a;
	const struct post *q = *(struct post *const *)b;

	if (p->date != q->date)
		return p->date < q->date ? 1 : -1;
	return strcmp(p->rel, q->rel);
}

/* Put key -> p unless the key is taken: canonical paths go in first, so
 * an alias never hides a page's own path. */
static void
slot_put(struct post_index *ix, const char *key, struct post *p)
{
	size_t h = hash_key(key) & (ix->nslots - 1);

	for (; ix->slots[h].key != NULL; h = (h + 1) & (ix->nslots - 1))
		if (strcmp(ix->slots[h].key, key) == 0)
			return;
	ix->slots[h].key = key;
	ix->slots[h].post = p;
}

static int
index_slots(struct post_index *ix)
{
	size_t i, j, want = 0;

	for (i = 0; i < ix->nall; i++)
		want += 2 + ix->all[i]->naliases;
	for (ix->nslots = 16; ix->nslots < want * 2; ix->nslots *= 2)
		;
	if ((ix->slots = calloc(ix->nslots, sizeof(*ix->slots))) == NULL)
		return -1;
	/* Published pages before drafts, canonical paths before the old
	 * ones: a draft or an alias never shadows a page. */
	for (i = 0; i < ix->nall; i++)
		if (!ix->all[i]->draft)
			slot_put(ix, ix->all[i]->key, ix->all[i]);
	for (i = 0; i < ix->nall; i++)
		if (!ix->all[i]->draft)
			slot_put(ix, ix->all[i]->srckey, ix->all[i]);
	for (i = 0; i < ix->nall; i++)
		for (j = 0; !ix->all[i]->draft && j < ix->all[i]->naliases;
		    j++)
			slot_put(ix, ix->all[i]->aliases[j], ix->all[i]);
	for (i = 0; i < ix->nall; i++)
		if (ix->all[i]->draft) {
			slot_put(ix, ix->all[i]->key, ix->all[i]);
			slot_put(ix, ix->all[i]->srckey, ix->all[i]);
		}
	return 0;
}

static struct post_index *
scan_posts(struct store *s, const struct post_index *old)
{
	struct post_index	*ix;
	struct scan		 sc;
	size_t			 i;

	memset(&sc, 0, sizeof(sc));
	sc.s = s;
	scan_hash_old(&sc, old);
	scan_dir(&sc, "");
	free(sc.old);
	if (sc.n > 1)
		qsort(sc.all, sc.n, sizeof(*sc.all), post_newer_first);
	if ((ix = calloc(1, sizeof(*ix))) == NULL ||
	    (ix->posts = calloc(sc.n + 1, sizeof(*ix->posts))) == NULL) {
		free(ix);
		for (i = 0; i < sc.n; i++)
			post_unref(sc.all[i]);
		free(sc.all);
		return NULL;
	}
	atomic_init(&ix->refs, 1);
	ix->all = sc.all;
	ix->nall = sc.n;
	for (i = 0; i < sc.n; i++)
		if (sc.all[i]->is_post && !sc.all[i]->draft)
			ix->posts[ix->n++] = sc.all[i];
	if (index_slots(ix) == -1) {
		post_index_unref(ix);
		return NULL;
	}
	return ix;
}

/* Unchanged posts are reused by pointer, so equal arrays mean nothing
 * that an index page shows has changed. */
static int
index_same(const struct post_index *a, const struct post_index *b)
{
	return a->nall == b->nall &&
	    (a->nall == 0 || memcmp(a->all, b->all,
	    a->nall * sizeof(*a->all)) == 0);
}

struct post_index *
store_posts(struct store *s)
{
	struct post_index	*ix, *old;
	time_t			 now = time(NULL);
	int			 stale;

	(void)store_sync(s);	/* takes in pending events */
	pthread_mutex_lock(&s->lock);
	/* Watched, the index is rescanned only after a change; otherwise
	 * every few seconds. */
	stale = s->index == NULL || atomic_load(&s->index_dirty) ||
	    (!atomic_load(&s->watch_ok) &&
	    now - s->index_time >= INDEX_RECHECK_SEC);
	if (!stale) {
		ix = s->index;
		atomic_fetch_add(&ix->refs, 1);
		pthread_mutex_unlock(&s->lock);
		return ix;
	}
	/* Scanning under the lock keeps two threads from scanning at once;
	 * unchanged posts are reused, so a rescan costs a stat per file.
	 * Changes made while it runs mark the index dirty again. */
	atomic_store(&s->index_dirty, 0);
	old = s->index;
	if ((ix = scan_posts(s, old)) == NULL) {
		ix = old;
	} else {
		if (old == NULL || !index_same(old, ix))
			s->gen++;
		ix->gen = s->gen;
		s->index = ix;
		post_index_unref(old);
	}
	s->index_time = now;
	if (ix != NULL)
		atomic_fetch_add(&ix->refs, 1);
	pthread_mutex_unlock(&s->lock);
	return ix;
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
	int		 cfd, r = 0;

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
	if (inotify_add_watch(s->inotify, path, WATCH_EVENTS) == -1 ||
	    stat(path, &b) == -1 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino || (d = fdopendir(fd)) == NULL) {
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
	int			 rewatch = 0, posts = 0;
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
				/* The index holds every Markdown file:
				 * its changes and folders' matter. */
				if (e->len == 0 || (e->mask & IN_ISDIR) ||
				    store_is_markdown(e->name))
					posts = 1;
			}
		} while ((n = read(s->inotify, ev, sizeof(ev))) > 0);
		if (rewatch)
			watch_tree(s);
		if (posts || rewatch)
			atomic_store(&s->index_dirty, 1);
		atomic_fetch_add(&s->cgen, 1);
		pthread_mutex_unlock(&s->sync_lock);
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

/* The certificate directory's path relative to the root when it lies
 * inside it (then it must never be served), else NULL. */
static char *
certs_inside(const char *root, const char *certs)
{
	char	 real[PATH_MAX];
	size_t	 n = strlen(root);

	if (certs == NULL || realpath(certs, real) == NULL)
		return NULL;
	if (strncmp(real, root, n) != 0 || real[n] != '/')
		return NULL;
	return strdup(real + n + 1);
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
	pthread_mutex_init(&s->sync_lock, NULL);
	atomic_init(&s->syncing, 0);
	atomic_init(&s->cgen, 1);
	atomic_init(&s->watch_ok, 0);
	atomic_init(&s->index_dirty, 0);
	if ((s->root = strdup(real)) == NULL ||
	    (s->table = calloc(s->nbuckets, sizeof(*s->table))) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	s->certs_rel = certs_inside(s->root, conf->certs);
	if ((s->rootfd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC))
	    == -1) {
		*err = "cannot open the root directory";
		goto fail;
	}
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
	site_free(s->site);
	free(s->certs_rel);
	free(s->table);
	free(s->root);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->sync_lock);
	free(s);
	return NULL;
}

void
store_free(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nbuckets; i++)
		while (s->table[i] != NULL)
			cache_remove(s, &s->table[i]);
	free(s->table);
	post_index_unref(s->index);
	if (s->inotify != -1)
		close(s->inotify);
	close(s->rootfd);
	site_free(s->site);
	free(s->certs_rel);
	free(s->root);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->sync_lock);
	free(s);
}

const struct store_conf *
store_conf(const struct store *s)
{
	return &s->conf;
}

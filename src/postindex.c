/*
 * postindex: the index of a root's Markdown sources (see postindex.h).
 * Each source is loaded once per identity (device, inode, size, mtime):
 * its front matter, its paths from the site model, the title, and for a
 * post the summary and the search text its body gives.  A hostile body
 * is digested in an isolated child, so it costs its own entry only.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "defaults.h"
#include "frontmatter.h"
#include "indexfile.h"
#include "isolate.h"
#include "lang.h"
#include "log.h"
#include "markdown.h"
#include "postindex.h"
#include "search.h"
#include "site.h"
#include "store.h"
#include "url.h"

/* The index entry a key (site_key) names, or NULL. */
struct post *
postindex_find(const struct post_index *ix, const char *key)
{
	size_t h;

	if (ix == NULL || ix->nslots == 0)
		return NULL;
	h = buf_hash(key, strlen(key)) & (ix->nslots - 1);
	for (; ix->slots[h].key != NULL; h = (h + 1) & (ix->nslots - 1))
		if (strcmp(ix->slots[h].key, key) == 0)
			return ix->slots[h].post;
	return NULL;
}

int
postindex_titled(const struct post_index *ix, size_t n)
{
	size_t i;

	for (i = 0; ix->partial && i < ix->n && i < n; i++)
		if (!ix->posts[i]->titled)
			return 0;
	return 1;
}

/* "posts/2022-09-04-hello.md" -> "2022-09-04-hello" (bundles: dir name) */
void
post_base_name(const char *rel, char *out, size_t outlen)
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

void
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
	for (i = 0; i < p->nterms; i++)
		free(p->terms[i]);
	free(p->terms);
	free(p->summary);
	free(p->lang);
	for (i = 0; i < p->naliases; i++)
		free(p->aliases[i]);
	free(p->aliases);
	if (p->map != NULL)
		indexmap_unref(p->map);	/* search points into it */
	else
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

/* Private by the generator's rules: a draft, a folder of drafts, a page
 * dated in the future where the generator waits for that date.  Only
 * the last one changes with time: post_hidden says it for a loaded
 * entry (the index file's, which may be days old). */
static int
post_draft_set(const struct site *site, const char *rel,
    const struct page_meta *m)
{
	return m->draft || strncmp(rel, "_drafts/", 8) == 0 ||
	    site_unpublished(site, rel);
}

int
post_private(const struct site *site, const char *rel,
    const struct page_meta *m)
{
	return post_draft_set(site, rel, m) || (m->has_date &&
	    m->date > time(NULL) && site_hides_future(site));
}

int
post_hidden(const struct site *site, const struct post *p)
{
	return p->draft_set || (p->dated && p->date > time(NULL) &&
	    site_hides_future(site));
}

/* A page's body to digest, and what is wanted of it. */
struct digest_job {
	const struct site	*site;
	const char		*rel;
	const struct page_meta	*meta;
	const char		*body;
	size_t			 blen;
	int			 title, summary, plain;	/* wanted */
};

/* The title its generator's rule finds in the page (into title), the
 * summary and the plain text of its body (each when wanted): pure.  0 or
 * -1; title stays empty when nothing names the page. */
static int
digest_pure(const struct digest_job *j, struct buf *title,
    struct buf *summary, struct buf *plain)
{
	if (j->title && site_page_title(j->site, j->rel, j->meta, j->body,
	    j->blen, title) == -1)
		return -1;
	if (!j->summary && !j->plain)
		return 0;
	return md_digest(j->body, j->blen, 300, j->summary ? summary : NULL,
	    j->plain ? plain : NULL);
}

/* In the child: title NUL summary NUL plain text. */
static int
digest_child(void *arg, struct buf *out)
{
	struct digest_job	*j = arg;
	struct buf		 title, summary, plain;
	int			 r;

	buf_init(&title, 4096);
	buf_init(&summary, 4096);
	buf_init(&plain, PAGE_SOURCE_MAX);
	if ((r = digest_pure(j, &title, &summary, &plain)) == 0 &&
	    (buf_append(out, title.data, title.len) == -1 ||
	    buf_putc(out, '\0') == -1 ||
	    buf_append(out, summary.data, summary.len) == -1 ||
	    buf_putc(out, '\0') == -1 ||
	    buf_append(out, plain.data, plain.len) == -1))
		r = -1;
	buf_free(&title);
	buf_free(&summary);
	buf_free(&plain);
	return r;
}

/*
 * digest_pure for the post index, isolated like a render when the body
 * is big, so that a hostile post costs its own entry (no title from its
 * body, no summary or search text) and one log line, never the index.
 */
static int
post_digest(struct store *s, const char *rel, const struct page_meta *m,
    const char *body, size_t blen, struct buf *title, struct buf *summary,
    struct buf *plain)
{
	static const struct isolate_limits lim = { RENDER_CPU_SEC,
	    RENDER_MEM_MAX, RENDER_WALL_MS, 2 * PAGE_SOURCE_MAX };
	struct digest_job	 j = { store_site(s), rel, m, body, blen,
	    title != NULL, summary != NULL, plain != NULL };
	struct buf		 got;
	const char		*t, *sm, *end;
	int			 r;

	if (blen <= ISOLATE_MIN_BYTES)
		return digest_pure(&j, title, summary, plain);
	buf_init(&got, lim.out_max);
	if ((r = isolate_run(digest_child, &j, &lim, &got)) != ISOLATE_OK) {
		buf_free(&got);
		log_warnx("%s/%s: indexing stopped at %s (%u s CPU, %lu MB)",
		    store_root(s), rel, isolate_reason(r), RENDER_CPU_SEC,
		    RENDER_MEM_MAX >> 20);
		return -1;
	}
	t = got.data;
	end = got.data + got.len;
	r = -1;
	if (t != NULL && (sm = memchr(t, '\0', (size_t)(end - t))) != NULL &&
	    (end = memchr(sm + 1, '\0', (size_t)(end - sm - 1))) != NULL) {
		r = 0;
		if (title != NULL && sm > t)
			r |= buf_append(title, t, (size_t)(sm - t));
		if (summary != NULL)
			r |= buf_append(summary, sm + 1, (size_t)(end - sm - 1));
		if (plain != NULL)
			r |= buf_append(plain, end + 1,
			    got.len - (size_t)(end + 1 - got.data));
	}
	buf_free(&got);
	return r == 0 ? 0 : -1;
}

/* quick: the front matter only (title, date, tags, summary when it has
 * them): the first pass over a cold index, so that the pages listing
 * posts are right early; the full pass adds what the body gives. */
static struct post *
post_load(struct store *s, const char *rel, const char *real, int fd,
    const struct stat *st, int quick)
{
	struct page_meta	 meta;
	struct post		*p;
	struct buf		 src, title, tmp, plain;
	const char		*body;
	size_t			 blen;
	char			 name[256];
	time_t			 added;
	int			 listed;
	const char		*text = NULL, *lang;

	buf_init(&src, PAGE_SOURCE_MAX);
	buf_init(&plain, PAGE_SOURCE_MAX);
	if (store_read_all(fd, &src, PAGE_SOURCE_MAX) < 0 ||
	    frontmatter_parse_site(src.data ? src.data : "", src.len,
	    site_taxonomy_keys(store_site(s)), &meta) == -1) {
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
	/* post_private's, kept apart from the part that changes with
	 * time. */
	p->draft_set = post_draft_set(store_site(s), rel, &meta) ||
	    post_draft_set(store_site(s), real, &meta);
	p->is_post = site_is_post(store_site(s), rel);
	/* Front matter, the file name, the commit that added the file, and
	 * only then the file's time (a fresh clone's). */
	if (meta.has_date) {
		p->date = meta.date;
		p->tzoff = meta.tzoff;
	} else if (date_from_name(rel, &p->date) == -1) {
		added = site_added(store_site(s), rel);
		p->date = added != 0 ? added : st->st_mtim.tv_sec;
	}
	p->updated = meta.has_updated ? meta.updated : p->date;
	p->dated = meta.has_date;
	p->draft = post_hidden(store_site(s), p);
	/* The web path may use the front matter's title (Hugo's :slug). */
	if (post_paths(store_site(s), p, &meta) == -1)
		goto fail;
	post_aliases(store_site(s), p, &meta);
	/* Pages are found by path and never listed: their body gives only
	 * the title; a post's also gives the summary and the search text. */
	listed = p->is_post && !p->draft;
	buf_init(&title, 4096);
	buf_init(&tmp, 4096);
	p->digested = !quick;
	if (!quick && post_digest(s, rel, &meta, body, blen,
	    meta.title ? NULL : &title, meta.summary || !listed ? NULL : &tmp,
	    listed ? &plain : NULL) == 0 && listed)
		text = plain.data;	/* for the key; never kept */
	p->titled = !quick || meta.title != NULL;
	if (meta.title != NULL) {
		p->title = meta.title;
		meta.title = NULL;
	} else if (title.len > 0)
		p->title = buf_detach(&title, NULL);
	else {
		post_base_name(rel, name, sizeof(name));
		p->title = strdup(name);
	}
	/* A page keeps its own description only (a Hugo term page shows
	 * it); a post's summary is the description, else its body's. */
	if (!p->draft && meta.summary != NULL) {
		p->summary = meta.summary;
		meta.summary = NULL;
	} else if (listed)
		p->summary = buf_detach(&tmp, NULL);
	buf_free(&title);
	buf_free(&tmp);
	if (p->title == NULL)
		goto fail;
	if (!listed)
		goto out;	/* found by path, never listed */
	if ((lang = meta.lang) == NULL &&
	    (lang = site_lang_of(store_site(s), rel)) == NULL)
		lang = lang_detect(body, blen, store_conf(s)->default_lang);
	p->lang = strdup(lang);
	p->tags = meta.tags;
	p->ntags = meta.ntags;
	meta.tags = NULL;
	meta.ntags = 0;
	p->terms = meta.terms;
	p->nterms = meta.nterms;
	meta.terms = NULL;
	meta.nterms = 0;
	p->search = search_key(p->title, p->tags, p->ntags, text);
	if (p->rel == NULL || p->lang == NULL)
		goto fail;
out:
	page_meta_free(&meta);
	buf_free(&plain);
	buf_free(&src);
	return p;
fail:
	post_unref(p);
	p = NULL;
	goto out;
}

/* Whether st is the file p was loaded from (device, inode, size, mtime). */
static int
post_same_file(const struct post *p, const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_dev == p->dev &&
	    st->st_ino == p->ino && st->st_size == p->size &&
	    st->st_mtim.tv_sec == p->mtime.tv_sec &&
	    st->st_mtim.tv_nsec == p->mtime.tv_nsec;
}

int
postindex_private(struct store *s, const char *rel, const struct post *p,
    int fd, const struct stat *st)
{
	struct page_meta	 meta;
	struct buf		 src;
	int			 r;

	if (p != NULL && post_same_file(p, st))
		return p->draft;
	/* Changed or new since the index was made: its front matter now,
	 * so that privacy never waits for the indexer. */
	buf_init(&src, PAGE_SOURCE_MAX);
	r = 1;	/* unreadable: refused */
	if (S_ISREG(st->st_mode) &&
	    store_read_all(fd, &src, PAGE_SOURCE_MAX) == 0 &&
	    frontmatter_parse(src.data ? src.data : "", src.len, &meta) == 0) {
		r = post_private(store_site(s), rel, &meta);
		page_meta_free(&meta);
	}
	buf_free(&src);
	return r;
}

int
postindex_text(struct store *s, const struct post *p, struct buf *out)
{
	struct page_meta	 meta;
	struct stat		 st;
	struct buf		 src;
	int			 fd, r = -1;

	if ((fd = store_open(s, p->rel, &st)) < 0)
		return -1;
	/* Only the version the key was made from: a changed file is the
	 * indexer's to take in. */
	buf_init(&src, PAGE_SOURCE_MAX);
	if (post_same_file(p, &st) &&
	    store_read_all(fd, &src, PAGE_SOURCE_MAX) == 0 &&
	    frontmatter_parse(src.data ? src.data : "", src.len, &meta) == 0) {
		r = post_digest(s, p->rel, &meta, (src.data ? src.data : "") +
		    meta.body, src.len - meta.body, NULL, NULL, out);
		page_meta_free(&meta);
	}
	buf_free(&src);
	close(fd);
	return r;
}

/* A source to load once the walk is done. */
struct load {
	char		*rel;
	int		 quick;		/* front matter only */
	struct post	*p;		/* the loader's result */
};

struct scan {
	struct store	 *s;
	size_t		  full_left;	/* sources still to load whole;
					   then front matter only */
	struct post	**old;		/* previous snapshot, hashed by rel */
	size_t		  nold;		/* slots in old (a power of two) */
	struct post	**all;
	size_t		  n, cap;
	struct load	 *load;		/* what the walk found to load */
	size_t		  nload, capload;
	atomic_size_t	  next;		/* the loaders' next one */
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
		h = buf_hash(ix->all[i]->rel, strlen(ix->all[i]->rel)) &
		    (sc->nold - 1);
		while (sc->old[h] != NULL)
			h = (h + 1) & (sc->nold - 1);
		sc->old[h] = ix->all[i];
	}
}

/* The previous snapshot's slot for rel, or NULL. */
static struct post **
scan_old_find(struct scan *sc, const char *rel)
{
	size_t h;

	if (sc->nold == 0)
		return NULL;
	h = buf_hash(rel, strlen(rel)) & (sc->nold - 1);
	for (; sc->old[h] != NULL; h = (h + 1) & (sc->nold - 1))
		if (strcmp(sc->old[h]->rel, rel) == 0)
			return &sc->old[h];
	return NULL;
}

/* The previous snapshot's post for rel when its file is unchanged (and,
 * for a full pass, it was digested). */
static struct post *
scan_reuse(struct scan *sc, const char *rel, const struct stat *st)
{
	struct post **op, *o;

	if ((op = scan_old_find(sc, rel)) == NULL)
		return NULL;
	o = *op;
	if ((!o->digested && sc->full_left > 0) || !post_same_file(o, st))
		return NULL;
	atomic_fetch_add(&o->refs, 1);
	return o;
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

/* Queue rel to be loaded (whole while full_left lasts). */
static void
scan_queue(struct scan *sc, const char *rel)
{
	struct load	*nl;
	size_t		 n;

	if (sc->nload == sc->capload) {
		n = sc->capload ? sc->capload * 2 : 64;
		if ((nl = realloc(sc->load, n * sizeof(*nl))) == NULL)
			return;
		sc->load = nl;
		sc->capload = n;
	}
	if ((sc->load[sc->nload].rel = strdup(rel)) == NULL)
		return;
	sc->load[sc->nload].quick = sc->full_left == 0;
	sc->load[sc->nload].p = NULL;
	sc->nload++;
	if (sc->full_left > 0 && sc->full_left != SIZE_MAX)
		sc->full_left--;
}

static void *
load_worker(void *arg)
{
	struct scan	*sc = arg;
	struct load	*l;
	struct stat	 st;
	size_t		 i;
	char		 real[PATH_MAX];
	int		 fd;

	while ((i = atomic_fetch_add(&sc->next, 1)) < sc->nload &&
	    !store_stopping(sc->s)) {
		l = &sc->load[i];
		/* A symlink to a draft under another name is the draft. */
		if ((fd = store_open_real(sc->s, l->rel, &st, real,
		    sizeof(real))) < 0)
			continue;	/* gone, or never indexed */
		if (S_ISREG(st.st_mode))
			l->p = post_load(sc->s, l->rel, real, fd, &st,
			    l->quick);
		close(fd);
	}
	return NULL;
}

/*
 * Load what the walk queued, on as many threads as there are cores (up
 * to INDEX_LOADERS_MAX): digesting bodies is nearly all of a cold
 * index's time, and each source is independent.  The threads are the
 * indexer's, born under its sandbox.
 */
static void
scan_load(struct scan *sc)
{
	pthread_t	t[INDEX_LOADERS_MAX];
	long		cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t		i, n, started = 0;

	n = cores < 1 ? 1 : cores > INDEX_LOADERS_MAX ? INDEX_LOADERS_MAX :
	    (size_t)cores;
	if (n > sc->nload / 32 + 1)
		n = sc->nload / 32 + 1;	/* a few files: this thread */
	atomic_init(&sc->next, 0);
	for (i = 1; i < n; i++)
		if (pthread_create(&t[started], NULL, load_worker, sc) == 0)
			started++;
	(void)load_worker(sc);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < sc->nload; i++) {
		if (sc->load[i].p != NULL)
			scan_add(sc, sc->load[i].p);
		free(sc->load[i].rel);
	}
	free(sc->load);
	sc->load = NULL;
	sc->nload = sc->capload = 0;
}

/* A file the index holds (once store_open allows it): a Markdown source
 * other than a README, at most SCAN_DEPTH_MAX folders down. */
#define SCAN_DEPTH_MAX	16

static int
indexable(const char *rel)
{
	const char	*name = strrchr(rel, '/'), *p;
	int		 depth = 0;

	for (p = rel; (p = strchr(p, '/')) != NULL; p++)
		depth++;
	name = name != NULL ? name + 1 : rel;
	return depth <= SCAN_DEPTH_MAX + 1 && store_is_markdown(rel) &&
	    strncmp(name, "README.", 7) != 0;
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

	if (sc->depth > SCAN_DEPTH_MAX ||
	    (fd = store_open(sc->s, rel, &st)) < 0)
		return;
	if (!S_ISDIR(st.st_mode) || (d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL && !store_stopping(sc->s)) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s%s%s", rel,
		    *rel ? "/" : "", de->d_name) >= sizeof(child))
			continue;
		/* An unchanged source in a plain file is reused on a stat,
		 * without opening it; a new or changed one is queued, and
		 * the loader opens it beneath the root and judges it there
		 * (once: a cold scan of 10,000 posts saves as many opens);
		 * links and folders are opened and judged here. */
		if (de->d_type == DT_REG && indexable(child)) {
			if (sc->nold > 0 && store_stat_file(sc->s, dirfd(d),
			    de->d_name, child, &st) == 0 &&
			    (p = scan_reuse(sc, child, &st)) != NULL)
				scan_add(sc, p);
			else
				scan_queue(sc, child);
			continue;
		}
		if ((fd = store_open(sc->s, child, &st)) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			sc->depth++;
			scan_dir(sc, child);
			sc->depth--;
			continue;
		}
		if (indexable(child)) {
			if ((p = scan_reuse(sc, child, &st)) != NULL)
				scan_add(sc, p);
			else
				scan_queue(sc, child);
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
	size_t h = buf_hash(key, strlen(key)) & (ix->nslots - 1);

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

int
postindex_in_draft(const struct post_index *ix, const char *rel)
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
		p = postindex_find(ix, k);
		free(k);
		if (p != NULL && p->bundle && p->draft &&
		    strncmp(p->rel, rel, n) == 0 && p->rel[n] == '/')
			return 1;
	}
	return 0;
}

/* The snapshot of what sc collected (its entries' references move to
 * it), or NULL. */
static struct post_index *
scan_finish(struct scan *sc)
{
	struct post_index	*ix = NULL;
	size_t			 i;

	scan_load(sc);
	free(sc->old);
	sc->old = NULL;
	if (sc->n > 1)
		qsort(sc->all, sc->n, sizeof(*sc->all), post_newer_first);
	/* A scan cut short by a stop is never installed, nor saved. */
	if (store_stopping(sc->s) || (ix = calloc(1, sizeof(*ix))) == NULL ||
	    (ix->posts = calloc(sc->n + 1, sizeof(*ix->posts))) == NULL) {
		free(ix);
		for (i = 0; i < sc->n; i++)
			post_unref(sc->all[i]);
		free(sc->all);
		return NULL;
	}
	atomic_init(&ix->refs, 1);
	ix->all = sc->all;
	ix->nall = sc->n;
	if (index_slots(ix) == -1) {
		post_index_unref(ix);
		return NULL;
	}
	/* A post inside a draft's bundle or section is unpublished with it
	 * (Hugo builds no descendant of a draft), whatever its own front
	 * matter says; the entry itself stays as loaded, since the draft
	 * above it may change alone. */
	for (i = 0; i < sc->n; i++) {
		if (sc->all[i]->is_post && !sc->all[i]->draft &&
		    !postindex_in_draft(ix, sc->all[i]->rel))
			ix->posts[ix->n++] = sc->all[i];
		if (!sc->all[i]->digested)
			ix->partial = 1;
	}
	return ix;
}

struct post_index *
postindex_scan(struct store *s, const struct post_index *old,
    size_t full)
{
	struct scan sc;

	memset(&sc, 0, sizeof(sc));
	sc.s = s;
	sc.full_left = full;
	scan_hash_old(&sc, old);
	scan_dir(&sc, "");
	return scan_finish(&sc);
}

static int
rel_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Queue rel to be loaded afresh when it is a source the index holds
 * (the loader opens it beneath the root: gone or refused, it is not). */
static void
update_load(struct scan *sc, const char *rel)
{
	if (indexable(rel))
		scan_queue(sc, rel);
}

struct post_index *
postindex_update(struct store *s, const struct post_index *old,
    char **rels, size_t n)
{
	struct scan	  sc;
	struct post	**op, **gone;
	size_t		  i, j, ngone = 0;

	memset(&sc, 0, sizeof(sc));
	sc.s = s;
	sc.full_left = SIZE_MAX;
	scan_hash_old(&sc, old);
	if (n > 1)
		qsort(rels, n, sizeof(*rels), rel_order);
	/*
	 * The changed files' old entries leave; so does any entry that
	 * shared an identity with one of them (a symlink to the file, a
	 * hard link), whose content changed with it.  Then every one of
	 * those is loaded again from what is there now.
	 */
	if ((gone = calloc(n + 1, sizeof(*gone))) == NULL) {
		free(sc.old);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if ((i == 0 || strcmp(rels[i], rels[i - 1]) != 0) &&
		    (op = scan_old_find(&sc, rels[i])) != NULL)
			gone[ngone++] = *op;
	for (i = 0; old != NULL && i < old->nall; i++) {
		for (j = 0; j < ngone; j++)
			if (old->all[i] == gone[j] ||
			    (old->all[i]->dev == gone[j]->dev &&
			    old->all[i]->ino == gone[j]->ino))
				break;
		if (j < ngone) {
			update_load(&sc, old->all[i]->rel);
			continue;
		}
		atomic_fetch_add(&old->all[i]->refs, 1);
		scan_add(&sc, old->all[i]);
	}
	for (i = 0; i < n; i++)
		if ((i == 0 || strcmp(rels[i], rels[i - 1]) != 0) &&
		    scan_old_find(&sc, rels[i]) == NULL)
			update_load(&sc, rels[i]);	/* a new file */
	free(gone);
	return scan_finish(&sc);
}

/* Unchanged posts are reused by pointer, so equal arrays mean nothing
 * that an index page shows has changed. */
int
postindex_same(const struct post_index *a, const struct post_index *b)
{
	return a->nall == b->nall &&
	    (a->nall == 0 || memcmp(a->all, b->all,
	    a->nall * sizeof(*a->all)) == 0);
}


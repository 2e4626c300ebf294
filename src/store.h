/*
 * store: everything the server knows about one capsule root.  It is the
 * only module that reads content: it opens files beneath the root (never
 * outside it), renders Markdown on first request and caches the result
 * keyed by file identity (device, inode, size, mtime), and keeps the
 * index of posts that feeds, tags and search are built from.  Shared by
 * all worker threads; rendered outputs are immutable reference-counted
 * blobs.
 */
#ifndef CAPSULED_STORE_H
#define CAPSULED_STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "markdown.h"

struct buf;
struct indexmap;

struct blob {
	atomic_uint	 refs;
	size_t		 len;
	char		 data[];
};

struct blob	*blob_from_buf(struct buf *);	/* empties the buf */
struct blob	*blob_ref(struct blob *);
void		 blob_unref(struct blob *);

struct store_conf {
	const char	*root;
	const char	*certs;		/* never served, nor the config */
	const char	*config;	/* file's and the log file's */
	const char	*log;		/* directories: NULL when none */
	const char	*default_lang;
	const char	*host;		/* public name for gopher items */
	unsigned	 gopher_port;
	size_t		 width;		/* gopher wrap width */
	int		 breaks;	/* capsule default: -1 decide */
	const char	*posts;		/* posts directory; NULL: detect */
	size_t		 cache_max;	/* bytes of rendered output kept */
	int		 cache_dirfd;	/* where the index file is kept (the
					   caller's; -1: nowhere) */
	/* The capsule's own settings, which win over the site's config
	 * (NULL: as the site says). */
	const char	*title, *description, *author, *site_url, *lang;
};

/* One page or post as the indexes see it. */
struct post {
	atomic_uint	 refs;
	char		*rel;		/* "content/posts/x.md" */
	char		*canon;		/* its canonical path, the web's:
					   "/posts/x/" (site_web_path) */
	char		*gemini;	/* canon URL-encoded: the Gemini path */
	char		*gopher;	/* and the Gopher selector (the same) */
	char		*key;		/* site_key(canon) */
	char		*srckey;	/* site_source_key(rel) */
	int		 is_post;	/* else a page (section, about...) */
	int		 bundle;	/* rel is a bundle's index: its folder
					   holds the page's files */
	char		*title;
	time_t		 date;
	int		 tzoff;
	time_t		 updated;	/* lastmod, else the date */
	char		**tags;
	size_t		 ntags;
	char		**terms;	/* "TAXONOMY/TERM" (page_meta.terms) */
	size_t		 nterms;
	char		*summary;	/* description, else first paragraph */
	char		*lang;
	char		**aliases;	/* old paths (Hugo aliases, a Jekyll
					   permalink), normalised by
					   alias_key() */
	size_t		 naliases;
	char		*search;	/* search_key(): normalised title, tags
				   and text, matched by search_run (the
				   text itself is read again for snippets:
				   postindex_text) */
	struct indexmap	*map;		/* the index file search points into
					   (then not search's owner), or NULL */
	int		 draft;		/* a draft, or dated in the future
					   where the generator hides those */
	unsigned char	 draft_set;	/* a draft whatever the date */
	unsigned char	 dated;		/* the date is the front matter's */
	int		 digested;	/* title, summary and text from the
					   body are in (not a quick pass) */
	unsigned char	 titled;	/* the title is final: the front
					   matter's, or the body's (digested) */
	dev_t		 dev;		/* identity of the source it came from */
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
};

struct post_slot {
	const char	*key;		/* a post's key, srckey or alias */
	struct post	*post;
};

/* An immutable snapshot of the posts, newest first, drafts excluded;
 * and of every page (drafts included) by each path it answers to. */
struct post_index {
	atomic_uint	  refs;
	unsigned long	  gen;		/* changes whenever the set changes */
	struct post	**posts;
	size_t		  n;
	struct post	**all;		/* every Markdown source, each
					   referenced once; NULL in a view
					   whose posts hold a reference */
	size_t		  nall;
	struct post_slot *slots;	/* open addressing, a power of two */
	size_t		  nslots;
	int		  partial;	/* front matter only: the first pass
					   of a cold index */
};

struct store;

struct store	*store_new(const struct store_conf *, const char **err);
void		 store_free(struct store *);
const struct store_conf *store_conf(const struct store *);

/* The layout found at start ("Hugo layout; posts in content/posts/;
 * static files in static/"), for the log. */
const char	*store_layout(const struct store *);

/*
 * Open a path relative to the root ("" is the root itself) for reading,
 * refusing anything whose real location (symlinks followed) is outside
 * the root, has a hidden component, lies in the certificate, config or
 * log directory or is one of their files, or is neither a regular file
 * nor a directory.  Returns a descriptor and fills *st, or -errno.
 */
int		 store_open(struct store *, const char *rel, struct stat *st);

/* store_open, and the path it really leads to (symlinks followed,
 * relative to the root) into real. */
int		 store_open_real(struct store *, const char *rel,
		    struct stat *st, char *real, size_t reallen);

/*
 * Stat name, a regular file (not a symlink) in the directory dirfd that
 * store_open gave for rel's folder, refusing what store_open would: the
 * index's rescan, which reuses an unchanged entry without opening it.
 * 0 or -errno.
 */
int		 store_stat_file(struct store *, int dirfd, const char *name,
		    const char *rel, struct stat *st);

/* The visible entries of a directory (no hidden names, nothing private),
 * sorted by name.  Caller frees with store_list_free. */
struct store_dirent {
	char	*name;
	int	 is_dir;
};
int		 store_list(struct store *, const char *rel,
		    struct store_dirent **, size_t *);
void		 store_list_free(struct store_dirent *, size_t);

/* Read all of fd (at most max bytes) into b: 0, -EFBIG or -errno. */
int		 store_read_all(int fd, struct buf *b, size_t max);

/* 1 when rel (as opened by store_open) names a Markdown source. */
int		 store_is_markdown(const char *rel);

/* 1 when rel names a native gemtext page (.gmi, .gemini), which
 * store_page converts for Gopher. */
int		 store_is_gemtext(const char *rel);

/* The language of a text without front matter (native gemtext): found
 * by its script, else the capsule's default. */
const char	*store_lang(const struct store *, const char *text, size_t n);

/*
 * The bytes of a regular file opened by store_open: small files come from
 * the cache (a blob), larger ones are left for the caller to stream from
 * fd (returns 0 with *bp NULL).  0 or -errno.
 */
int		 store_file(struct store *, int fd, const struct stat *,
		    struct blob **bp);

/*
 * A Markdown (or, for Gopher, gemtext) file rendered as fmt, cached by
 * identity.  *langp gets the
 * page's language (static storage owned by the entry's lifetime: copy
 * it).  0 or -errno.
 */
int		 store_page(struct store *, const char *rel, int fd,
		    const struct stat *, enum md_format fmt, struct blob **bp,
		    char *lang, size_t langlen);

/*
 * Whether the page at rel is a generator's stub: front matter and no
 * body, as the index.md `jekyll new` writes (layout: home), whose page
 * comes from a theme we do not have.  The generated page serves instead.
 */
int		 store_is_stub(struct store *, const char *rel);

/* The site model read at load (generator, config, URL scheme). */
const struct site *store_site(const struct store *);

/* The root, resolved (realpath). */
const char	*store_root(const struct store *);

/*
 * What a request path (decoded) names, asked of the URL scheme's one
 * owner: the page at its canonical path, an old path of it (the
 * source-file form, an alias, an old permalink, a web path written
 * differently), a file inside a page bundle at its web path, or a draft.
 */
enum store_where_kind {
	WHERE_NONE,
	WHERE_PAGE,	/* rel: the source to render */
	WHERE_FILE,	/* rel: a file to send as it is */
	WHERE_MOVED,	/* to: the canonical path, URL-encoded */
	WHERE_SECTION,	/* rel: a section folder without its own page
			   (Hugo lists it anyway): its listing */
	WHERE_PRIVATE	/* a draft: not there for readers */
};
struct store_where {
	enum store_where_kind kind;
	int		 text;		/* Gopher: the ".txt" form */
	char		 rel[1024];
	char		 to[1024];
};
void		 store_where(struct store *, const char *path, int gemini,
		    struct store_where *);

/*
 * The last resort for a path nothing answers to: 1 with the canonical
 * path (URL-encoded) of the one page whose file the path's last segment
 * names ("/posts/x/" on a site that publishes posts/x.md as "/x.html"),
 * else 0.
 */
int		 store_guess(struct store *, const char *path, char *to,
		    size_t tolen);

/* The entry of the index ix for the source rel, or NULL (never another
 * page's entry whose key the file's source form happens to be). */
const struct post *store_index_entry(const struct post_index *ix,
		    const char *rel);

/* 1 when rel is a file nobody may read: a draft's source, or a file in
 * a draft's page bundle, by its own name or by the file it leads to
 * (a symlink to a draft under another name is the draft). */
int		 store_is_draft(struct store *, const char *rel);

/*
 * Start the indexer thread: it makes the index (from the index file for
 * every unchanged source, else front matter first, then the bodies),
 * takes in each change inotify reports (just the files it names; a walk
 * of the tree for folders, or every few seconds where the root cannot be
 * watched) and saves the index file.  Started once the sandbox is in
 * place, so the thread is born under it.  0 or -1.
 */
int		 store_start(struct store *);

/* 1 once store_free has asked the indexer to stop: a scan in progress
 * gives up (between files) and its result is dropped. */
int		 store_stopping(const struct store *);

/* The current post index (a counted reference; release with
 * post_index_unref).  Waits only for a first index's front-matter pass;
 * a change never makes it wait (the indexer installs the next index).
 * Without an indexer (store_start not called), the caller indexes.
 * store_posts_whole, for generated pages, also gives a cold index's body
 * pass INDEX_PARTIAL_WAIT_MS, so a small capsule is never shown half
 * indexed. */
struct post_index *store_posts(struct store *);
struct post_index *store_posts_whole(struct store *);
void		 post_index_unref(struct post_index *);

/*
 * Whole replies, cached until anything under the root changes, so a hit
 * touches no file and parses nothing.  Every directory under the root is
 * watched with inotify.  store_reply_gen() takes in the pending events
 * (one non-blocking read of the inotify descriptor) and returns the
 * generation to look replies up and store them under, or 0 when they
 * must not be cached: no inotify, a directory that cannot be watched
 * (network file systems, watch limits, deep trees), or events that
 * another thread is still handling.  A file changed, added or removed
 * before a request arrives is seen by that request.
 */
unsigned long	 store_reply_gen(struct store *);

/* A cached reply: 0 with status, meta (copied) and a counted reference
 * to the body (NULL for none), or -1. */
int		 store_reply_get(struct store *, const char *key,
		    unsigned long gen, int *status, char *meta,
		    size_t metalen, struct blob **body);

/* Cache a reply made on this thread after store_reply_gen() returned
 * gen.  Ignored when gen is 0, or when making it read a file that
 * inotify cannot vouch for (one with other hard links, which may change
 * under a name outside the root). */
void		 store_reply_put(struct store *, const char *key,
		    unsigned long gen, int status, const char *meta,
		    struct blob *body);

/* A generated page cached for one index generation: get returns a
 * reference or NULL; put stores a reference to b. */
struct blob	*store_cached(struct store *, const char *key,
		    unsigned long gen);
void		 store_cache_put(struct store *, const char *key,
		    unsigned long gen, struct blob *b);

#endif

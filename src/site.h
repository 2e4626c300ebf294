/*
 * site: the web site a capsule root is the source of.  Read once per
 * (re)load: which generator keeps the folder, its config file and what it
 * says (title, description, author, base URLs, language, permalinks,
 * the values Liquid's site.KEY reads), the includes, and the date git
 * first saw each file.  It owns the URL scheme (DESIGN.md section 4):
 * the web path a source file is published at, which is its canonical
 * capsule path in both protocols.  Immutable once loaded, so any thread
 * (or a forked child) may read it without a lock.
 */
#ifndef CAPSULED_SITE_H
#define CAPSULED_SITE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "markdown.h"

struct buf;
struct fm_taxonomy;
struct md_site;
struct page_meta;

enum site_gen {
	SITE_PLAIN, SITE_HUGO, SITE_JEKYLL, SITE_NEXTJS, SITE_ZENN,
	SITE_HATENA, SITE_ASTRO, SITE_DOCUSAURUS
};

#define SITE_POSTS_MAX	8

struct site_kv {
	char	*key;
	char	*val;
};

struct site_added {
	char	*path;		/* relative to the root */
	time_t	 when;		/* commit time of the first commit with it */
};

struct site {
	enum site_gen	 gen;
	char		*config;	/* the config file read (relative), or
					   NULL */
	char		*content;	/* content root, "" or "content" */
	char		*posts[SITE_POSTS_MAX + 1];	/* NULL-ended */
	char		*blogs[SITE_POSTS_MAX + 1];	/* Hatena blogsync: each
					   blog's folder, named by its domain
					   (NULL-ended; none when entry/ is
					   at the root) */
	char		*title, *description, *author, *lang;
	char		 title_from[128];	/* where title came from */
	char		**bases;	/* the site's own base URLs
					   ("https://x.org/"), NULL-ended */
	char		*basepath;	/* path part of the base URL ("/blog"),
					   "" for none */
	struct site_kv	*vars;		/* config values, dotted keys */
	size_t		 nvars;
	struct site_kv	*includes;	/* Jekyll _includes/, by name */
	size_t		 nincludes;
	size_t		 nbooks;	/* Zenn books read (books.SLUG.*) */
	struct fm_taxonomy *taxa;	/* front matter key -> taxonomy with
					   pages, NULL-key ended; NULL: the
					   default (every kind of tag is a
					   tag) */
	struct site_kv	*langs;		/* Hugo's languages: code -> its
					   contentDir ("" when shared) */
	size_t		 nlangs;
	const char	*deflang;	/* the one published at the root, or
					   NULL when every one has a prefix */
	struct site_added *added;	/* sorted by path */
	size_t		 nadded;
	const char	*history;	/* how dates from git were read */
	char		 report[1024];	/* the start-up line */
};

/* Values the capsule's own configuration sets: they win over the site's. */
struct site_override {
	const char	*posts;
	const char	*title, *description, *author, *lang, *site_url;
};

/* Read the site at root (an absolute path).  NULL only when out of
 * memory. */
struct site	*site_load(const char *root, const struct site_override *);
void		 site_free(struct site *);

const char	*site_gen_name(enum site_gen);

/* A hash of everything the site model read (generator, config values,
 * includes, git dates): what a page's paths and dates were made from. */
uint64_t	 site_hash(const struct site *);

/* A config value by dotted key ("params.author.name"), or NULL. */
const char	*site_var(const struct site *, const char *key);

/* The md_site callbacks (site.KEY, include NAME) over this site. */
void		 site_md(const struct site *, struct md_site *);

/*------------------------------------------------ sitetitle.c: page titles */

/* The generator's rule for naming the page at source rel whose front
 * matter gives no title (fm: it has front matter), and the name it
 * falls back to appended to name when that is not the file's. */
enum md_title_rule site_title_rule(const struct site *, const char *rel,
		    int fm, struct buf *name);

/* The title of that page: by rule from its body (m its front matter),
 * else the generator's name for it, appended to out.  0, 1 when neither
 * names it (the caller takes the file name), -1 on error. */
int		 site_page_title(const struct site *, const char *rel,
		    const struct page_meta *m, const char *body, size_t len,
		    struct buf *out);

/* The date git first saw rel, or 0. */
time_t		 site_added(const struct site *, const char *rel);

/* The taxonomies the front matter of this site feeds (for
 * frontmatter_parse_site), or NULL for the default. */
const struct fm_taxonomy *site_taxonomy_keys(const struct site *);

#define SITE_TAXNAME_MAX	64	/* bytes of a taxonomy's name */

/* The i-th taxonomy the site publishes pages for ("tags",
 * "categories", "series"), or NULL past the last. */
const char	*site_taxonomy(const struct site *, size_t i);

/*------------------------------------------------ siteurl.c: URL scheme */

/* 1 when rel (a source) is in one of the posts folders. */
int		 site_is_post(const struct site *, const char *rel);

/* 1 when rel is a section or list page (_index.md, a section's index),
 * a page rather than a post. */
int		 site_is_section(const struct site *, const char *rel);

/* 1 when the generator would not publish source rel whatever its front
 * matter says: a Jekyll _posts file not named YYYY-MM-DD-title, a chapter
 * of a Zenn book that is unpublished or does not list it. */
int		 site_unpublished(const struct site *, const char *rel);

/* The language a multilingual site says rel is in (Hugo: its
 * language's contentDir or a "name.CODE.md" file name), else NULL. */
const char	*site_lang_of(const struct site *, const char *rel);

/* 1 when the generator hides pages dated in the future (Hugo, Jekyll). */
int		 site_hides_future(const struct site *);

/*
 * The web path the generator publishes source rel at (decoded, starting
 * with '/'), appended to out: its canonical capsule path.  m is the
 * page's front matter, date its date.  0 or -1 (allocation).
 */
int		 site_web_path(const struct site *, const char *rel,
		    const struct page_meta *m, time_t date, int tzoff,
		    struct buf *out);

/* The source-path form of rel, the key its old capsule paths share:
 * "content/posts/x.md" -> "/content/posts/x", a bundle's index.md ->
 * its folder. */
int		 site_source_key(const char *rel, struct buf *out);

/* The page of a taxonomy's term, in the web's form: "/tags/NAME/",
 * "/categories/NAME/", encoded; term NULL: the taxonomy's list page. */
int		 site_term_path(const char *tax, const char *term,
		    struct buf *out);

/* The taxonomy whose list or term pages key (site_key's form) names:
 * "/categories" and "/categories/go" -> "categories", when the site
 * publishes that taxonomy.  Those pages are generated whatever a content
 * folder of that name holds (Hugo keeps term pages' front matter in
 * content/tags/).  NULL otherwise. */
const char	*site_term_key(const struct site *, const char *key);

/* A term page in the generator's own web form that the capsule serves
 * under a taxonomy's path (Hatena's "/archive/category/NAME" is the tag
 * page "/tags/NAME/"): 1 with that path in out, else 0. */
int		 site_term_alias(const struct site *, const char *key,
		    struct buf *out);

/*
 * The form paths are compared in: absolute, dot segments resolved,
 * without a trailing slash or a page extension (.html .htm .gmi .md
 * .markdown, after Gopher's .txt), so that "/2019/old/", "/2019/old.html" and
 * "/2019/old" meet.  A URL on one of the site's own base URLs is cut to
 * its path first, and the base path removed.  Relative paths resolve
 * against dir.  NULL when it cannot be one of our paths.
 */
char		*site_key(const struct site *, const char *path,
		    const char *dir, size_t dirlen);

/* A path of ours when url is on the site's own base URL (the part after
 * it, with its leading '/'), else NULL. */
const char	*site_own_url(const struct site *, const char *url, size_t n,
		    size_t *pathlen);

/*
 * Never served or listed: editor and VCS leftovers (name~, *.bak,
 * *.orig, *.swp, #name#), dependency and generated-site folders
 * (node_modules, _site, .next, Hugo's public/).  name is one path
 * segment; top says it is directly under the root.
 */
int		 site_private_name(const struct site *, const char *name,
		    int top);

/*
 * Whether user uid (primary group gid) can read the site: search every
 * folder above root, read and search root, its content folder and the
 * posts folders.  0, or -1 with the first folder it cannot read copied
 * to bad.  Decided from the mode bits and the user's groups, since the
 * server checks before it becomes that user.
 */
int		 site_readable_by(const struct site *, const char *root,
		    const char *user, char *bad, size_t badlen);

#endif

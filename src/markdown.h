/*
 * markdown: Markdown (cmark-gfm) -> a small protocol-neutral document
 * (blocks + their links), rendered by gemtext.c and gophermap.c; the
 * link mapping both protocols share.  Pure: no globals but the
 * one-time registration of cmark-gfm's extensions, no logging.
 */
#ifndef CAPSULED_MARKDOWN_H
#define CAPSULED_MARKDOWN_H

#include <stddef.h>

#include "buf.h"
#include "frontmatter.h"

enum md_format { MD_GEMTEXT, MD_GOPHERMAP, MD_TEXT };

/*
 * What a page's templates may refer to beyond the page itself: Jekyll's
 * {{ site.KEY }} and {% include NAME %}.  The site model fills it from
 * the generator's config and its include folder, read when the site is
 * loaded, so rendering still reads no file.
 */
/*
 * How a page whose front matter gives no title is named, by the rule of
 * the generator that publishes it (the site model picks the rule,
 * mdtitle.c applies it to the body):
 *   MD_TITLE_SCREEN	the first screen's leading heading or short first
 *			line (plain folders, pages without front matter,
 *			and generators that require a title)
 *   MD_TITLE_H1	a level-1 heading opening the page, after import
 *			lines (Docusaurus)
 *   MD_TITLE_HEADING	a level 1-3 heading as the page's first line
 *			(GitHub Pages' jekyll-titles-from-headings)
 *   MD_TITLE_NAME	never the body: the name the generator gives
 *			(Jekyll documents, Hugo)
 * What the rule does not find, the page's name gives.
 */
enum md_title_rule {
	MD_TITLE_SCREEN, MD_TITLE_H1, MD_TITLE_HEADING, MD_TITLE_NAME
};

struct md_site {
	/* site.KEY as text ("repository", "github.user"), or NULL. */
	const char	*(*var)(void *arg, const char *key);
	/* The include file NAME appended to out: 0, or -1 when the site
	 * has none by that name. */
	int		 (*include)(void *arg, const char *name,
			    struct buf *out);
	/* The rule for the page at source path rel ("posts/a.md"; fm: it
	 * has front matter), the name the generator falls back to appended
	 * to name when it is not the file's ("My First Post").  May be
	 * NULL: MD_TITLE_SCREEN. */
	enum md_title_rule (*title)(void *arg, const char *rel, int fm,
			    struct buf *name);
	void		*arg;
};

/*
 * The site's URL scheme, as links need it (the site model fills it).
 * canon: a local path as resolved (absolute, decoded, dot segments
 * removed, no fragment or query) -> the canonical path of the page (1)
 * or the page-bundle file (2) it names, decoded, appended to out; 3 when
 * it names a file served as it is whose name has no extension (a
 * script, a LICENSE: the path is kept, appended to out, and its Gopher
 * type comes from the name, not the "route" rule); 0 when it names none
 * of these (the path is kept), -1 on error.  own: the path part
 * of a URL on the site's own base URL ("https://blog.example.org/x/"),
 * else NULL.
 */
struct md_urls {
	int		 (*canon)(void *arg, const char *path, size_t n,
			    struct buf *out);
	const char	*(*own)(void *arg, const char *url, size_t n,
			    size_t *pathlen);
	void		*arg;
};

struct md_opts {
	const char		*path;		/* URL path of the source, "/posts/hello.md" */
	const struct page_meta	*meta;		/* may be NULL */
	const char		*fallback_title; /* file name, when no title/heading */
	int			 breaks;	/* -1 decide, 0 join, 1 keep lines */
	int			 is_post;	/* add tag/gemlog/home footer */
	size_t			 width;		/* gopher/text wrap width, 67 */
	const char		*host;		/* gopher host for items */
	unsigned		 port;		/* gopher port for items */
	const struct md_site	*site;		/* may be NULL */
	struct buf		*warn;		/* may be NULL: gets one
						   "dropped shortcode NAME"
						   line per generator tag
						   the page loses */
	const struct md_urls	*urls;		/* may be NULL */
};

/* The title the body of a page without one in its front matter gives
 * by rule (see mdtitle.c).  0 found, 1 none, -1 error. */
int	md_page_title(const char *body, size_t len, enum md_title_rule rule,
	    struct buf *out);

/* Plain text of the first paragraph, at most max bytes cut at a
 * character boundary with "…" (Atom summaries). */
int	md_summary(const char *body, size_t len, size_t max, struct buf *out);

/*
 * The whole page as plain text without markup, one block per line
 * (search index): the prose, then a line holding MD_PLAIN_VERBATIM
 * alone and the code blocks and tables, which search matches but never
 * shows in an excerpt.
 */
#define MD_PLAIN_VERBATIM	'\f'
int	md_plaintext(const char *body, size_t len, struct buf *out);

/* md_summary and md_plaintext from one parse (either buf may be NULL):
 * the post index wants both for every post. */
int	md_digest(const char *body, size_t len, size_t max,
	    struct buf *summary, struct buf *plain);

/*
 * Link mapping, shared by both renderings (and usable by the server):
 * href as written in a page whose URL path is base ("/posts/a.md").
 *   MDL_NONE	no link: a bare "#anchor", an empty or script URL
 *   MDL_LOCAL	a path in this capsule: relative references resolved,
 *		percent-decoded, dot segments removed (never above /),
 *		fragment and query dropped; then the canonical path urls
 *		gives (a page: type 1), else x.md and x.markdown -> /dir/x
 *		(type 1), index.md -> /dir/, a directory "/d/" stays, type
 *		1; other files keep their path, Gopher type from
 *		mime_gopher_type() (type 1 when the last segment has no
 *		extension and urls does not say it is a file: a route).
 *		Re-encoded.  Both protocols get the
 *		same path.  A URL on the site's own base URL (urls->own)
 *		is a local path.
 *   MDL_REMOTE	any other URL, left alone (spaces, controls and
 *		non-ASCII percent-encoded); Gopher: type 'h', "URL:<url>"
 *   MDL_GOPHER	a gopher:// URL: Gopher gets its own type, selector,
 *		host and port; Gemini keeps the URL
 * Appends the Gemini URL (MD_GEMTEXT) or the Gopher selector (other
 * formats) to out and fills *t.  Returns 0 or -1 (allocation).
 */
enum md_link_kind { MDL_NONE, MDL_LOCAL, MDL_REMOTE, MDL_GOPHER };

struct md_target {
	enum md_link_kind	 kind;
	char			 type;		/* Gopher item type */
	char			 host[256];	/* MDL_GOPHER */
	unsigned		 port;		/* MDL_GOPHER */
};

int	md_link_map(const char *href, size_t n, const char *base,
	    const struct md_urls *urls, enum md_format fmt, struct buf *out,
	    struct md_target *t);

/*-------------------------------------------------------------------
 * The intermediate document, for gemtext.c and gophermap.c only.
 * Strings live in one pool (offsets, NUL-terminated); all text is
 * valid UTF-8 without control characters other than LF (line breaks
 * inside a block) and TAB (preformatted text only).
 */

enum md_btype {
	MDB_HEADING,	/* level 1-3, one line */
	MDB_TEXT,	/* paragraph; lines separated by LF */
	MDB_ITEM,	/* list item: depth, number, task */
	MDB_PRE,	/* preformatted: alt text, lines verbatim */
	MDB_RULE	/* thematic break */
};

/* Separation before a block; the larger wins when a block is empty.
 * MDS_QUOTE: an empty line inside a block quote. */
enum md_sep { MDS_NONE, MDS_QUOTE, MDS_BLANK };

struct md_block {
	enum md_btype	 type;
	int		 level;		/* HEADING: 1-3 */
	int		 quote;		/* block-quote depth */
	int		 depth;		/* list depth (ITEM: >= 1) */
	long		 number;	/* ITEM: ordered number, else -1;
					   other blocks in an item: the
					   item's (to hang under its text) */
	int		 task;		/* ITEM: 0 none, 1 open, 2 done */
	enum md_sep	 sep;
	int		 inplace;	/* only links: render its link lines */
	size_t		 text, len;	/* pool */
	size_t		 alt;		/* PRE: pool, alt text */
	size_t		 link0, nlinks;	/* its links, in doc->links */
	int		 gend;		/* last block of a group: the links of
					   blocks gfirst..this follow it */
	size_t		 gfirst;
};

struct md_link {
	size_t		 label;		/* pool: one line, never empty */
	size_t		 glabel;	/* pool: label in Gopher renderings */
	size_t		 href;		/* pool: as written (cleaned) */
	size_t		 gem;		/* pool: Gemini URL */
	size_t		 sel;		/* pool: Gopher selector */
	size_t		 ghost;		/* pool: MDL_GOPHER host */
	unsigned	 gport;		/* MDL_GOPHER port */
	char		 gtype;		/* Gopher item type */
	enum md_link_kind kind;
	int		 image;
	size_t		 start, end;	/* link words in the block's text;
					   end = SIZE_MAX: not in the text */
	size_t		 ref;		/* 1-based, per distinct Gemini URL */
	int		 dup;		/* URL already listed in its group */
	int		 bare;		/* no words in the text (image
					   without alt text) */
};

struct md_doc {
	struct md_block	*blocks;
	size_t		 nblocks, bcap;
	struct md_link	*links;
	size_t		 nlinks, lcap;
	struct buf	 pool;
	size_t		 nrefs;		/* distinct link URLs */
	size_t		 nfoot;		/* footnotes, numbered 1..nfoot */
	int		 breaks;	/* the decision taken: 1 kept lines */
};

#define MD_DOC_PAGE	0x01	/* title/date header, post footer */

static inline const char *
md_str(const struct md_doc *d, size_t off)
{
	return d->pool.data + off;
}

int	md_doc_build(struct md_doc *d, const char *body, size_t len,
	    const struct md_opts *opts, int flags);
void	md_doc_free(struct md_doc *d);

#endif

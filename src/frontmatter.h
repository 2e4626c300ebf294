/*
 * frontmatter: a page's metadata block (YAML `---`, TOML `+++` or JSON
 * `{`) parsed into struct page_meta.  Pure: bytes in, struct out.
 */
#ifndef CAPSULED_FRONTMATTER_H
#define CAPSULED_FRONTMATTER_H

#include <stddef.h>
#include <time.h>

struct page_meta {
	char		*title;		/* NULL when absent */
	int		 has_date;
	time_t		 date;		/* UTC seconds, valid when has_date */
	int		 tzoff;		/* minutes east of UTC as written */
	char		**tags;		/* tags + categories, deduplicated */
	size_t		 ntags;
	char		**terms;	/* "TAXONOMY/TERM": the terms of each
					   taxonomy the site publishes pages
					   for, deduplicated per taxonomy */
	size_t		 nterms;
	char		*summary;	/* description, excerpt or summary */
	char		*lang;		/* NULL when absent */
	char		*slug;		/* NULL when absent */
	int		 draft;		/* draft: true (or published: false) */
	int		 breaks;	/* breaks: true/false; -1 when absent */
	char		**aliases;	/* old paths to redirect from, as
					   written: Hugo aliases (absolute,
					   or relative to the page's
					   section) and a Jekyll permalink
					   that is a plain absolute path */
	size_t		 naliases;
	char		*image;		/* cover image as written (coverImage,
					   image, images[0], ogImage.url),
					   NULL when absent */
	char		*layout;	/* Jekyll's layout ("home" on a site's
					   index.md stub), NULL when absent */
	size_t		 body;		/* offset of the Markdown body */
	unsigned long	 err_line;	/* 1-based source line of the first
					   error, 0 when it parsed cleanly */
	char		*err;		/* message for err_line, else NULL */
	char		*permalink;	/* the page's own path as written:
					   Jekyll permalink, Hugo url,
					   blogsync URL; NULL when absent */
	char		*categories;	/* categories joined by '/' (Jekyll's
					   :categories), NULL when none */
	int		 has_updated;
	time_t		 updated;	/* lastmod, updated */
	int		 hatena;	/* a Hatena blogsync entry (EditURL
					   on blog.hatena.ne.jp) */
};

/*
 * Parse the front matter at the start of src.  Always fills *m (zeroed
 * first, breaks = -1): a file without front matter gives body = 0; broken
 * YAML keeps what was read before the error and sets err_line/err.
 * Returns 0, or -1 only on allocation failure.
 */
int	frontmatter_parse(const char *src, size_t len, struct page_meta *m);

/* Which front matter keys hold the terms of which taxonomy ("category"
 * -> "categories", "series" -> "series"); ended by a NULL key. */
struct fm_taxonomy {
	const char	*key;
	const char	*name;
};

/*
 * frontmatter_parse with the site's taxonomies: the terms under each
 * key of tax go to m->terms as "NAME/TERM".  tax NULL is the default of
 * a site without taxonomies of its own: tags, topics and categories are
 * all tags.
 */
int	frontmatter_parse_site(const char *src, size_t len,
	    const struct fm_taxonomy *tax, struct page_meta *m);
void	page_meta_free(struct page_meta *m);

/*
 * Parse a date in the common blog forms: 2022-09-04, 2022/09/4,
 * 2020-09-04T12:46:54+09:00, "2020-09-04 12:46:54", with Z or an offset.
 * Returns 0 and sets *t (UTC) and *tzoff (minutes), or -1.
 */
int	frontmatter_parse_date(const char *s, time_t *t, int *tzoff);

#endif

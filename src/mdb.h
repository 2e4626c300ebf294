/*
 * mdb: the state of markdown.c's document builder, shared with the
 * parts of the walk kept in their own files (mdhtml.c: raw HTML,
 * mdtable.c: tables, mdemph.c: CJK-friendly emphasis, mdtitle.c: titles,
 * mdlink.c: link mapping).  Internal to the Markdown converter: nothing
 * outside those files includes it.
 */
#ifndef CAPSULED_MDB_H
#define CAPSULED_MDB_H

#include <stddef.h>
#include <stdint.h>

#include <cmark-gfm.h>

#include "buf.h"
#include "markdown.h"

#define MD_MAXOPEN	16	/* links open at once (image in link) */
#define MD_HTML_LISTS	8	/* nested <ol> counters kept */

struct mdb_list {
	long	 next;
	int	 ordered;
	long	 number;	/* the current item's, for its other blocks */
	int	 task;
	int	 loose;		/* blank lines between its blocks */
};

/* A soft-broken line: its width, and whether it ends a sentence. */
struct mdb_line {
	size_t	 width;
	int	 end;
};

struct mdb_open {
	size_t	 start;
	size_t	 href;
	int	 image;
	int	 html;
};

struct mdb {
	struct md_doc		*d;
	const struct md_opts	*opts;
	const char		*base;
	struct buf		 text;		/* the block being built */
	struct buf		 tmp;
	int			 open;
	struct md_block		 cur;
	size_t			 line;		/* start of the current line */
	int			 err;

	struct mdb_open		 links[MD_MAXOPEN];
	int			 nopen;
	int			 overflow;	/* opens past MD_MAXOPEN */

	int			 quote;
	int			 depth;
	int			 nest;		/* open containers */
	struct mdb_list		*lists;
	size_t			 nlists, listcap;
	int			 item_pending;
	long			 item_number;
	int			 item_task;

	int			 gopen;
	size_t			 gfirst;
	size_t			 group;		/* group id, for dedup */

	int			 foot_heading;
	size_t			 foot_pending;

	int			 in_table;
	int			 in_cell;
	size_t			*cells;		/* pool offsets */
	size_t			 ncells, cellcap, ncols, rowstart;
	uint8_t			*align;

	int			 hskip;		/* inside script, style... */
	char			 hskip_name[16];
	int			 hquote, hlist, hpre, hcell;
	long			 hnum[MD_HTML_LISTS];
	int			 hordered[MD_HTML_LISTS];

	cmark_node		*title_node;	/* heading equal to the title */
	int			 drop_heading;

	size_t			 soft;		/* soft breaks seen */
	size_t			 wmax;
	size_t			 hist[257];	/* lines not ending a sentence,
						   by width */
	struct mdb_line		*blines;	/* the block's, until it ends */
	size_t			 nblines, blinecap;
	const char		*src;		/* the Markdown, by line */
	size_t			*srclines;	/* line starts, and the end */
	size_t			 nsrclines;

	size_t			*slots;		/* link index + 1, by URL */
	size_t			 nslots, hcount;
	size_t			*refgroup;	/* per ref: last group seen */
	size_t			 refcap;
};

void	mdb_fail(struct mdb *b);
size_t	mdb_pool_str(struct mdb *b, const char *s, size_t n);
size_t	mdb_pool_line(struct mdb *b, const char *s, size_t n, size_t max);
void	mdb_trim(struct mdb *b, int all);
int	mdb_text(struct mdb *b, const char *s, size_t n);
int	mdb_hard(struct mdb *b);
int	mdb_link_begin(struct mdb *b, const char *href, size_t n, int image,
	    int html);
int	mdb_link_end(struct mdb *b, int html);
int	mdb_begin(struct mdb *b, enum md_btype type);
int	mdb_end(struct mdb *b);

/* mdhtml.c: raw HTML (inl: inline, else a block). */
int	mdb_html(struct mdb *b, const char *s, size_t n, int inl);

/* mdtable.c: a table, row or cell node entered or left. */
int	mdb_table(struct mdb *b, cmark_node *node, const char *type, int enter);

/* mdlink.c: s[0..n) percent-decoded onto out, a malformed escape kept
 * as written.  -1 when out is full. */
int	md_pct_decode(struct buf *out, const char *s, size_t n);

/* markdown.c: s as one line of clean text (at most max bytes, 0: no
 * limit); a heading's plain text. */
int	md_oneline(struct buf *out, const char *s, size_t n, size_t max);
int	md_heading_text(cmark_node *h, struct buf *out);

/*
 * mdtitle.c: the block naming a page without a title in its front
 * matter by rule (a heading, or a one-line paragraph that reads as a
 * title: the page shows it as its title only), its text appended to out;
 * NULL when none.  *err on allocation failure.
 */
cmark_node	*mdb_title_node(cmark_node *root, const char *src, size_t n,
		    enum md_title_rule rule, struct buf *out, int *err);

/* mdemph.c: delimiter runs cmark-gfm left as text next to CJK text
 * paired and emptied (CJK-friendly emphasis). */
void	mdb_cjk_emphasis(cmark_node *root);

#endif

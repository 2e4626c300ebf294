/*
 * gen: the state of the generator-syntax pass, shared by its files
 * (gensyntax.c: the pass, Hugo, Kramdown, Zenn, Hatena links, alerts;
 * genliquid.c: Jekyll Liquid; genmdx.c: MDX).  Internal: nothing else includes it.
 */
#ifndef CAPSULED_GEN_H
#define CAPSULED_GEN_H

#include <stddef.h>

#include "buf.h"
#include "frontmatter.h"
#include "markdown.h"

#define GEN_SCAN_MAX	4096	/* bytes a tag may span */
#define GEN_INCLUDE_MAX	((size_t)1 << 20)	/* bytes of an included file */
#define GEN_MAXQUOTE	8	/* nested ::: blocks kept as quotes */
#define GEN_MAXARGS	16	/* shortcode arguments kept */
#define GEN_MAXWARN	16	/* warnings per page */
#define GEN_MAXNOTES	1000	/* Zenn inline footnotes per page */
#define GEN_TICKS	32	/* code span lengths cached */
#define GEN_NMATH	20	/* math shortcode names and variants */

/* Where a needle next occurs: valid for any p in [from, at]. */
struct gen_next {
	size_t	 from, at;
	int	 valid;
};

/* A shortcode ({{< name key="v" >}}) or JSX tag (<Name key="v" />). */
struct gen_sc {
	char	 name[32];	/* lowercased */
	int	 jsx;		/* set by the caller: 'single' quotes and
				   {expression} values */
	int	 closing;
	int	 selfclose;
	struct buf a;			/* NUL-separated strings */
	size_t	 key[GEN_MAXARGS];	/* 0: positional */
	size_t	 val[GEN_MAXARGS];
	size_t	 nargs;
};

#define GEN_MAXJSX	8	/* nested JSX elements whose indentation
				   is undone */

struct gen_quote {
	size_t	 colons;	/* Zenn :::, 0 for a Hugo shortcode */
	char	 name[24];
};

struct gen {
	const char	*s;
	size_t		 n;
	size_t		 i;		/* read cursor */
	struct buf	*out;
	struct buf	*warn;
	const char	*base;		/* page URL path, or NULL */
	const struct md_site *site;	/* may be NULL */
	const struct page_meta *meta;	/* may be NULL */
	struct gen_quote q[GEN_MAXQUOTE];
	int		 nq;
	int		 bol;		/* output at a line start */
	char		 fencec;	/* open code fence, else 0 */
	size_t		 fencen;
	int		 fenceq;	/* its block-quote depth */
	int		 raw;		/* inside {% raw %} */
	size_t		 tindent;	/* in a table: its indentation,
					   else SIZE_MAX */
	int		 imgline;	/* the line is one image */
	int		 imgpend;	/* a blank line owed after it */
	int		 html;		/* maybe in an HTML block: links
					   written as HTML */
	struct buf	*capture;	/* the output, while captured */
	int		 capbol;
	size_t		 skip;		/* no tag opens before this */
	size_t		 noticks[GEN_TICKS + 1];
	struct gen_next	 nx_sc[2], nx_scc[2], nx_tag, nx_out, nx_brace,
			 nx_nl, nx_bracket, nx_paren, nx_blank, nx_hl[2],
			 nx_math[GEN_NMATH], nx_dollar,
			 nx_end[3], nx_mdxc;
	int		 mdx;		/* an .mdx file: ESM and JSX */
	int		 njsx;		/* open JSX elements */
	size_t		 jsxind[GEN_MAXJSX]; /* indentation inside each */
	size_t		 jsxfail;	/* no JSX tag starts before this */
	struct buf	 notes;		/* Zenn ^[inline] footnotes */
	size_t		 nnotes;
	size_t		 nwarn;
	int		 err;
};

size_t	gen_find(struct gen *g, struct gen_next *c, size_t p,
	    const char *needle);
size_t	gen_close(struct gen *g, struct gen_next *c, size_t p,
	    const char *needle);
/* Start of the next blank line after p (a tag never crosses one). */
size_t	gen_blank(struct gen *g, size_t p);
void	gen_put(struct gen *g, const char *s, size_t n);
void	gen_puts(struct gen *g, const char *s);
void	gen_warn(struct gen *g, const char *what, const char *name);
void	gen_put_dest(struct gen *g, const char *s, size_t n);
void	gen_put_link(struct gen *g, int image, const char *label, size_t ln,
	    const char *pre, const char *url, size_t un);
void	gen_capture(struct gen *g, struct buf *b);
void	gen_capture_end(struct gen *g);
int	gen_in_dest(const struct gen *g);
int	gen_is_space(char c);
int	gen_in_list(const char *s, size_t n, const char *const *list);
void	gen_put_embed(struct gen *g, const char *name, const char *id,
	    const char *user, const char *label);
void	gen_highlight(struct gen *g, int hugo, const char *lang, size_t ln,
	    size_t from);

/*
 * Parse the tag whose name starts at s[i], ending before e (the start of
 * its closing mark).  0, or -1 when it is not one.
 */
int	gen_sc_parse(struct gen *g, size_t i, size_t e, struct gen_sc *sc);
/* Its argument by key, or the pos-th positional one (-1: none). */
const char *gen_sc_arg(const struct gen_sc *sc, const char *key, int pos);
/* The first of keys it sets to a non-empty value. */
const char *gen_sc_first(const struct gen_sc *sc, const char *const *keys);

/* genmdx.c: MDX.  An .mdx source path. */
int	gen_mdx_file(const char *path);
/* Undo the indentation of a line inside JSX elements (MDX has no
 * indented code). */
void	gen_mdx_indent(struct gen *g, size_t eol);
/* A whole line of MDX syntax at t (an ESM block, a JSX tag): 1 when
 * consumed up to g->i. */
int	gen_mdx_line(struct gen *g, const char *t, size_t tn);
/* An MDX comment at g->i (a JS block comment in braces): 1 when
 * dropped. */
int	gen_mdx_comment(struct gen *g);
/* <Link to="x"> or </Link> at g->i as HTML's <a href>: 1 when done. */
int	gen_mdx_link(struct gen *g);

int	gen_word_eq(const char *s, size_t n, const char *w);
void	gen_newline(struct gen *g);

/* genliquid.c: the Liquid tag or output at g->i; 0 when there is
 * none. */
int	gen_liquid(struct gen *g);
int	gen_liquid_out(struct gen *g);

#endif

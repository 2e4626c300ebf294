/*
 * mdemph: CJK-friendly emphasis.  CommonMark's flanking rules refuse a
 * delimiter run between a letter and punctuation, so in
 * `**上下文无关文法（context-free grammar）**生成` or `…；**并且**` the
 * `**` stay as text; kramdown, markdown-it's CJK plugin and Goldmark's
 * CJK extension, which those blogs were written for, accept them.
 * cmark-gfm's delimiter rules cannot be configured, but every run it
 * leaves unmatched stays in the text: pair those afterwards among one
 * container's text, the way the CJK-friendly rule would, when a CJK
 * character or CJK punctuation touches either run of the pair.
 * Emphasis is not shown in our outputs, so a pair is simply dropped.
 * cmark-gfm merges an escaped \* into the same text, so an escaped pair
 * next to CJK text is dropped too: rare, and the price of not
 * reimplementing the inline parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>

#include "buf.h"
#include "markdown.h"
#include "mdb.h"
#include "textwidth.h"

#define EMPH_RUNS	256	/* delimiter runs considered per container */

/* A run of * or _ inside a text node's literal. */
struct emph_run {
	cmark_node	*node;
	size_t		 off, len;
	char		 c;
	int		 cjk;		/* a CJK neighbour on either side */
	int		 open, close;	/* may open / close emphasis */
	int		 gone;		/* paired: dropped */
};

static int
emph_is_cjk(int32_t cp)
{
	return cp > 0 && (tw_is_wide(cp) || tw_is_hangul(cp));
}

static int
emph_space(int32_t cp)
{
	return cp == -1 || cp == ' ' || cp == '\t' || cp == '\n' ||
	    cp == 0x3000 || cp == 0xa0;
}

/* The last character of s[0..n), -1 when empty. */
static int32_t
emph_last(const char *s, size_t n)
{
	size_t	 i;
	int32_t	 cp;

	if (n == 0)
		return -1;
	for (i = n - 1; i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80; i--)
		;
	tw_next(s + i, n - i, &cp);
	return cp;
}

/* The character next to a node on one side: -1 for a line or block
 * edge (white space), 0 for an inline node without text (a link). */
static int32_t
emph_side(cmark_node *n, int before)
{
	const char	*s;
	int32_t		 cp = -1;

	if (n == NULL)
		return -1;
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
		break;
	case CMARK_NODE_SOFTBREAK:
	case CMARK_NODE_LINEBREAK:
		return -1;
	default:
		return 0;
	}
	if ((s = cmark_node_get_literal(n)) == NULL || *s == '\0')
		return 0;
	if (before)
		return emph_last(s, strlen(s));
	tw_next(s, strlen(s), &cp);
	return cp;
}

/* The runs of one text node appended to r[*n]. */
static void
emph_scan(cmark_node *c, struct emph_run *r, size_t *n)
{
	const char	*s;
	size_t		 len, i, k;
	int32_t		 prev, next;

	if ((s = cmark_node_get_literal(c)) == NULL)
		return;
	len = strlen(s);
	for (i = 0; i < len && *n < EMPH_RUNS; i = k) {
		if (s[i] != '*' && s[i] != '_') {
			k = i + 1;
			continue;
		}
		for (k = i + 1; k < len && s[k] == s[i]; k++)
			;
		prev = i > 0 ? emph_last(s, i) :
		    emph_side(cmark_node_previous(c), 1);
		next = -1;
		if (k < len)
			tw_next(s + k, len - k, &next);
		else
			next = emph_side(cmark_node_next(c), 0);
		/* An escaped run reaches us the same way; a run hemmed in
		 * by letters on both sides inside a word of Latin script
		 * is left to CommonMark. */
		r[*n] = (struct emph_run){ c, i, k - i, s[i],
		    emph_is_cjk(prev) || emph_is_cjk(next),
		    !emph_space(next), !emph_space(prev), 0 };
		(*n)++;
	}
}

/* The text node without its dropped runs. */
static void
emph_rewrite(cmark_node *c, const struct emph_run *r, size_t n,
    struct buf *tmp)
{
	const char	*s = cmark_node_get_literal(c);
	size_t		 i, from = 0;

	buf_reset(tmp);
	for (i = 0; i < n; i++) {
		if (r[i].node != c || !r[i].gone)
			continue;
		if (buf_append(tmp, s + from, r[i].off - from) == -1)
			return;
		from = r[i].off + r[i].len;
	}
	if (buf_puts(tmp, s + from) == 0)
		cmark_node_set_literal(c, tmp->data);
}

/* Pair the leftover runs among one container's text children. */
static void
emph_container(cmark_node *parent, struct emph_run *r, struct buf *tmp)
{
	cmark_node	*c;
	size_t		 n = 0, i, k, top, paired = 0;
	size_t		 stack[EMPH_RUNS];

	for (c = cmark_node_first_child(parent); c != NULL;
	    c = cmark_node_next(c))
		if (cmark_node_get_type(c) == CMARK_NODE_TEXT)
			emph_scan(c, r, &n);
	for (i = 0, top = 0; i < n; i++) {
		if (r[i].close) {
			for (k = top; k > 0; k--)
				if (r[stack[k - 1]].c == r[i].c &&
				    r[stack[k - 1]].len == r[i].len)
					break;
			if (k > 0 && (r[i].cjk || r[stack[k - 1]].cjk)) {
				r[stack[k - 1]].gone = r[i].gone = 1;
				top = k - 1;
				paired++;
				continue;
			}
		}
		if (r[i].open)
			stack[top++] = i;
	}
	if (paired == 0)
		return;
	for (i = 0; i < n; i++)
		if (r[i].gone && (i == 0 || r[i - 1].node != r[i].node))
			emph_rewrite(r[i].node, r, n, tmp);
}

void
mdb_cjk_emphasis(cmark_node *root)
{
	cmark_iter		*it;
	cmark_event_type	 ev;
	cmark_node		*n;
	struct emph_run		*r;
	struct buf		 tmp;

	if ((r = calloc(EMPH_RUNS, sizeof(*r))) == NULL)
		return;
	buf_init(&tmp, (size_t)1 << 30);
	if ((it = cmark_iter_new(root)) == NULL) {
		free(r);
		return;
	}
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_first_child(n) != NULL)
			emph_container(n, r, &tmp);
	}
	cmark_iter_free(it);
	buf_free(&tmp);
	free(r);
}

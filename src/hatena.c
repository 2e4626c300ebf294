/*
 * hatena: Hatena notation (はてな記法) into Markdown; see hatena.h.
 * Line by line: the notation's blocks are all marked at a line start
 * (*, >>, <<, >|lang|, ||<, >|, |<, -, +, |), its inline marks are
 * brackets ([tex:...], ((notes)), id:user).  Every line of prose is a
 * line of its own in the notation, so the entry keeps its lines; the
 * caller tells the document builder so.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "hatena.h"

#define HT_MAXQUOTE	8	/* >> quotes nested */
#define HT_FENCE	"~~~~~~~~"	/* longer than any fence in the code */

struct ht {
	struct buf	*out;
	struct buf	 notes;		/* "[^N]: text" lines */
	size_t		 nnotes;
	int		 depth;		/* >> quotes open */
	const char	*cite[HT_MAXQUOTE];	/* >URL> of each quote */
	size_t		 citen[HT_MAXQUOTE];
	int		 pre;		/* 0, or 2 for ||<, 1 for |< */
	int		 table;		/* the previous line was a row */
	int		 list;		/* the previous line was an item */
	int		 err;
};

static void
ht_put(struct ht *h, const char *s, size_t n)
{
	if (!h->err && buf_append(h->out, s, n) == -1)
		h->err = 1;
}

static void
ht_puts(struct ht *h, const char *s)
{
	ht_put(h, s, strlen(s));
}

static void
ht_prefix(struct ht *h)
{
	int	 i;

	for (i = 0; i < h->depth; i++)
		ht_puts(h, "> ");
}

static int
ht_is(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && memcmp(s, w, n) == 0;
}

static int
ht_ends(const char *s, size_t n, const char *w)
{
	size_t	 k = strlen(w);

	return n >= k && memcmp(s + n - k, w, k) == 0;
}

/* >|lang| or >|| opening a super-pre block: the language's length,
 * else -1. */
static long
ht_superpre(const char *s, size_t n)
{
	size_t	 k;

	if (n < 3 || s[0] != '>' || s[1] != '|' || s[n - 1] != '|')
		return -1;
	for (k = 2; k < n - 1; k++)
		if (!isalnum((unsigned char)s[k]) && strchr("_+#.-?", s[k]) ==
		    NULL)
			return -1;
	return (long)(n - 3);
}

/* >URL> or >URL:title> opening a quote with its source. */
static int
ht_citequote(const char *s, size_t n)
{
	return n > 10 && s[0] == '>' && s[n - 1] == '>' &&
	    (strncmp(s + 1, "http://", 7) == 0 ||
	    strncmp(s + 1, "https://", 8) == 0) &&
	    memchr(s + 1, ' ', n - 2) == NULL;
}

static int
ht_idchar(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* The longest run of c in s[0..n). */
static size_t
ht_maxrun(const char *s, size_t n, char c)
{
	size_t	 i, r = 0, best = 0;

	for (i = 0; i < n; i++) {
		r = s[i] == c ? r + 1 : 0;
		if (r > best)
			best = r;
	}
	return best;
}

/* s[0..n) as a code span. */
static void
ht_code(struct ht *h, const char *s, size_t n)
{
	size_t	 k = ht_maxrun(s, n, '`') + 1, i;

	for (i = 0; i < k; i++)
		ht_puts(h, "`");
	ht_puts(h, " ");
	ht_put(h, s, n);
	ht_puts(h, " ");
	for (i = 0; i < k; i++)
		ht_puts(h, "`");
}

/* Prose: Markdown's marks escaped, Hatena's inline notation read. */
static void
ht_inline(struct ht *h, const char *s, size_t n)
{
	size_t	 i, k, e;

	for (i = 0; i < n && !h->err; i++) {
		if (s[i] == '[') {
			for (e = i + 1; e < n && s[e] != ']'; e++)
				;
			if (e == n) {
				ht_puts(h, "\\[");
				continue;
			}
			if (e - i > 5 && strncmp(s + i + 1, "tex:", 4) == 0)
				ht_code(h, s + i + 5, e - i - 5);
			else if (e == i + 1 && e + 1 < n)
				/* [] escapes notation up to the next []. */
				ht_puts(h, "");
			else
				ht_put(h, s + i, e - i + 1);
			i = e;
			continue;
		}
		if (s[i] == '(' && i + 1 < n && s[i + 1] == '(') {
			for (e = i + 2; e + 1 < n && !(s[e] == ')' &&
			    s[e + 1] == ')'); e++)
				;
			if (e + 1 < n && e > i + 2) {
				h->nnotes++;
				if (buf_printf(h->out, "[^%zu]", h->nnotes) ==
				    -1 || buf_printf(&h->notes, "[^%zu]: ",
				    h->nnotes) == -1 || buf_append(&h->notes,
				    s + i + 2, e - i - 2) == -1 ||
				    buf_putc(&h->notes, '\n') == -1)
					h->err = 1;
				i = e + 1;
				continue;
			}
		}
		if (s[i] == 'i' && n - i > 5 && s[i + 1] == 'd' &&
		    s[i + 2] == ':' && (i == 0 || !ht_idchar(s[i - 1])) &&
		    isalpha((unsigned char)s[i + 3])) {
			for (k = i + 3; k < n && ht_idchar(s[k]) &&
			    k - i < 35; k++)
				;
			if (k - i - 3 >= 3) {
				if (buf_printf(h->out, "[id:%.*s](https://"
				    "blog.hatena.ne.jp/%.*s/)", (int)(k - i - 3),
				    s + i + 3, (int)(k - i - 3), s + i + 3) == -1)
					h->err = 1;
				i = k - 1;
				continue;
			}
		}
		if ((n - i > 7 && strncmp(s + i, "http://", 7) == 0) ||
		    (n - i > 8 && strncmp(s + i, "https://", 8) == 0)) {
			for (k = i; k < n && !isspace((unsigned char)s[k]) &&
			    s[k] != '<'; k++)
				;
			ht_put(h, s + i, k - i);
			i = k - 1;
			continue;
		}
		if (strchr("\\`*_~{^", s[i]) != NULL ||
		    (s[i] == '!' && i + 1 < n && s[i + 1] == '['))
			ht_puts(h, "\\");
		ht_put(h, s + i, 1);
	}
}

/* A line of prose, with what Markdown would read as a block escaped. */
static void
ht_text(struct ht *h, const char *s, size_t n)
{
	size_t	 k;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	ht_prefix(h);
	if (n > 0 && strchr("#>=-+", s[0]) != NULL)
		ht_puts(h, "\\");
	else if (n > 0 && isdigit((unsigned char)s[0])) {
		for (k = 0; k < n && isdigit((unsigned char)s[k]); k++)
			;
		if (k < n && (s[k] == '.' || s[k] == ')')) {
			ht_put(h, s, k);
			ht_puts(h, "\\");
			s += k;
			n -= k;
		}
	}
	ht_inline(h, s, n);
	ht_puts(h, "\n");
}

/* |a|b| or |*head|*head|: a table row; the first one gets the
 * delimiter row Markdown wants under its header. */
static void
ht_row(struct ht *h, const char *s, size_t n)
{
	size_t	 i, e, cells = 0;
	int	 first = !h->table;

	if (first) {
		ht_prefix(h);
		ht_puts(h, "\n");
	}
	ht_prefix(h);
	ht_puts(h, "|");
	for (i = 1; i < n; i = e + 1) {
		for (e = i; e < n && s[e] != '|'; e++)
			;
		if (e == n)
			break;
		if (s[i] == '*')
			i++;
		ht_puts(h, " ");
		ht_inline(h, s + i, e - i);
		ht_puts(h, " |");
		cells++;
	}
	ht_puts(h, "\n");
	if (first) {
		ht_prefix(h);
		ht_puts(h, "|");
		while (cells-- > 0)
			ht_puts(h, " --- |");
		ht_puts(h, "\n");
	}
	h->table = 1;
}

/* :term:description, a definition list line, as an item "term —
 * description" (colons inside [links] are the link's; a colon after
 * one would make it a Markdown link definition).  1 done. */
static int
ht_dl(struct ht *h, const char *s, size_t n)
{
	size_t	 k;
	int	 depth = 0;

	for (k = 1; k < n; k++) {
		if (s[k] == '[')
			depth++;
		else if (s[k] == ']' && depth > 0)
			depth--;
		else if (s[k] == ':' && depth == 0)
			break;
	}
	if (k == n || k == 1)
		return 0;
	ht_prefix(h);
	ht_puts(h, "- ");
	ht_inline(h, s + 1, k - 1);
	ht_puts(h, " — ");
	ht_inline(h, s + k + 1, n - k - 1);
	ht_puts(h, "\n");
	h->list = 1;
	return 1;
}

/* -, --, + ... item: 1 with its level and where its text starts. */
static int
ht_item(const char *s, size_t n, size_t *lvl, size_t *text)
{
	size_t	 l, k;

	if (n < 2 || (s[0] != '-' && s[0] != '+'))
		return 0;
	for (l = 0; l < n && (s[l] == '-' || s[l] == '+'); l++)
		;
	for (k = l; k < n && s[k] == ' '; k++)
		;
	if (k == n || l > 3)
		return 0;
	*lvl = l;
	*text = k;
	return 1;
}

static void
ht_line(struct ht *h, const char *s, size_t n)
{
	size_t	 i, k, lvl;
	long	 lang;
	int	 list, row;

	if (h->pre != 0) {
		k = h->pre == 2 ? 3 : 2;
		if (ht_ends(s, n, h->pre == 2 ? "||<" : "|<")) {
			if (n > k) {
				ht_prefix(h);
				ht_put(h, s, n - k);
				ht_puts(h, "\n");
			}
			ht_prefix(h);
			ht_puts(h, HT_FENCE "\n\n");
			h->pre = 0;
			return;
		}
		ht_prefix(h);
		ht_put(h, s, n);
		ht_puts(h, "\n");
		return;
	}
	list = ht_item(s, n, &lvl, &k);
	row = n >= 2 && s[0] == '|' && s[n - 1] == '|';
	/* A list or table ends at the first line that is not one of its
	 * own, where Markdown would read the line as more of it. */
	if ((h->list && !list && !(n > 2 && s[0] == ':')) ||
	    (h->table && !row)) {
		ht_prefix(h);
		ht_puts(h, "\n");
	}
	h->list = 0;
	if (row) {
		ht_row(h, s, n);
		return;
	}
	h->table = 0;
	if ((lang = ht_superpre(s, n)) >= 0 || ht_is(s, n, ">|")) {
		ht_prefix(h);
		ht_puts(h, "\n");
		ht_prefix(h);
		ht_puts(h, HT_FENCE);
		if (lang > 0 && !(lang == 1 && s[2] == '?'))
			ht_put(h, s + 2, (size_t)lang);
		ht_puts(h, "\n");
		h->pre = lang >= 0 ? 2 : 1;
		return;
	}
	if (ht_is(s, n, ">>") || ht_citequote(s, n)) {
		if (h->depth < HT_MAXQUOTE) {
			h->cite[h->depth] = n > 2 ? s + 1 : NULL;
			h->citen[h->depth] = n > 2 ? n - 2 : 0;
			h->depth++;
		}
		ht_puts(h, "\n");
		return;
	}
	if (ht_is(s, n, "<<")) {
		if (h->depth > 0) {
			h->depth--;
			if (h->cite[h->depth] != NULL) {
				ht_prefix(h);
				ht_puts(h, "> ");
				ht_put(h, h->cite[h->depth], h->citen[h->depth]);
				ht_puts(h, "\n");
			}
		}
		ht_puts(h, "\n");
		return;
	}
	if (n >= 4 && strspn(s, "=") >= n) {
		ht_puts(h, "\n");
		return;
	}
	if (n > 1 && s[0] == '*') {
		for (lvl = 0; lvl < n && s[lvl] == '*'; lvl++)
			;
		k = lvl;
		/* *name*Title and *1234567890*Title: an anchor name. */
		while (k < n && ht_idchar(s[k]))
			k++;
		if (k < n && s[k] == '*' && k > lvl)
			k++;
		else
			k = lvl;
		while (k < n && s[k] == ' ')
			k++;
		if (k < n && lvl <= 3) {
			ht_puts(h, "\n");
			ht_prefix(h);
			ht_puts(h, lvl == 1 ? "## " : "### ");
			ht_inline(h, s + k, n - k);
			ht_puts(h, "\n\n");
			return;
		}
	}
	if (list) {
		/* The last mark says the item's kind: -+ is a numbered
		 * item inside a bulleted one. */
		ht_prefix(h);
		for (i = 1; i < lvl; i++)
			ht_puts(h, "    ");
		ht_puts(h, s[lvl - 1] == '+' ? "1. " : "- ");
		ht_inline(h, s + k, n - k);
		ht_puts(h, "\n");
		h->list = 1;
		return;
	}
	if (n > 2 && s[0] == ':' && ht_dl(h, s, n))
		return;
	if (n >= 4 && s[0] == '>' && s[1] == '<' && ht_ends(s, n, "><")) {
		ht_prefix(h);
		ht_put(h, s + 2, n - 4);
		ht_puts(h, "\n");
		return;
	}
	ht_text(h, s, n);
}

/* Marks of the notation and of Markdown, line by line; inside code
 * (fenced, or a super-pre block) nothing counts. */
int
hatena_notation(const char *s, size_t n, int blogsync)
{
	size_t	 i, e, len, k;
	long	 strong = 0, weak = 0, md = 0;
	int	 fence = 0, spre = 0;

	for (i = 0; i < n; i = e + 1) {
		for (e = i; e < n && s[e] != '\n'; e++)
			;
		len = e - i;
		if (len > 0 && s[e - 1] == '\r')
			len--;
		if (spre) {
			if (ht_ends(s + i, len, "||<") || ht_is(s + i, len,
			    "|<")) {
				spre = 0;
				strong++;
			}
			continue;
		}
		if (len >= 3 && (strncmp(s + i, "```", 3) == 0 ||
		    strncmp(s + i, "~~~", 3) == 0)) {
			fence = !fence;
			md += 2;
			continue;
		}
		if (fence)
			continue;
		if (ht_superpre(s + i, len) >= 0 || ht_is(s + i, len, ">|")) {
			spre = 1;
			strong++;
			continue;
		}
		if (ht_is(s + i, len, ">>") || ht_is(s + i, len, "<<") ||
		    ht_citequote(s + i, len))
			strong++;
		else if (len > 1 && s[i] == '*') {
			/* "*見出し", "** 見出し": a heading; "* item" is a
			 * list in both; "**bold**" is Markdown. */
			for (k = 0; k < len && s[i + k] == '*'; k++)
				;
			if (memchr(s + i + k, '*', len - k) != NULL)
				md += k >= 2;
			else if (k >= 2 || s[i + 1] != ' ')
				weak++;
		} else if (len > 2 && s[i] == '#' && (s[i + 1] == ' ' ||
		    s[i + 1] == '#'))
			md++;
		else if (len > 2 && ((s[i] == '|' && s[i + 1] == '*') ||
		    ((s[i] == '-' || s[i] == '+') && s[i + 1] != ' ' &&
		    s[i + 1] != s[i])))
			/* |*header|, -item, +item: Markdown wants a space. */
			weak++;
		if (len > 4 && memmem(s + i, len, "((", 2) != NULL &&
		    memmem(s + i, len, "))", 2) != NULL)
			weak++;
		if (len > 4 && memmem(s + i, len, "](", 2) != NULL)
			md++;
		if (len > 4 && memmem(s + i, len, "[tex:", 5) != NULL)
			weak++;
	}
	if (blogsync)
		return strong + weak > md;
	return strong >= 2 && strong + weak > 2 * md;
}

int
hatena_markdown(const char *s, size_t n, struct buf *out)
{
	struct ht	 h;
	size_t		 i, e, len;

	memset(&h, 0, sizeof(h));
	h.out = out;
	buf_init(&h.notes, out->max);
	for (i = 0; i < n && !h.err; i = e + 1) {
		for (e = i; e < n && s[e] != '\n'; e++)
			;
		len = e - i;
		if (len > 0 && s[e - 1] == '\r')
			len--;
		ht_line(&h, s + i, len);
	}
	if (h.pre != 0)
		ht_puts(&h, HT_FENCE "\n");
	if (h.nnotes > 0) {
		ht_puts(&h, "\n");
		ht_put(&h, h.notes.data, h.notes.len);
	}
	buf_free(&h.notes);
	return h.err ? -1 : 0;
}

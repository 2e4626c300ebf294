/*
 * toml: the TOML subset of front matter (TOML 1.0, plus 1.1's newlines in
 * inline tables and its \e and \x escapes), read in one pass that hands
 * each top-level value to a callback (see toml.h).
 */
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "toml.h"

#define TOML_MAXDEPTH	64	/* nested arrays and inline tables */

/* What becomes of a value. */
enum toml_mode {
	T_VALUE,	/* a top-level key's value: reported */
	T_ITEM,		/* an item of a top-level array: reported */
	T_IGNORE
};

struct toml_lex {
	const char	*s;
	size_t		 n, i;
	unsigned long	 line;	/* line of s[i] */
	struct buf	 str;	/* the string value being decoded */
	struct buf	 key;	/* the top-level key being read */
	struct buf	 tmp;	/* keys nobody reads */
	toml_value_cb	 cb;
	void		*arg;
	const char	*err;
	int		 oom;
	int		 all;	/* toml_read_all: every key, dotted */
	struct buf	 prefix;	/* all: the [table] keys are under */
	int		 aot;	/* all: inside an [[array of tables]] */
};

static int	toml_value(struct toml_lex *, int, enum toml_mode);

static int
toml_eof(const struct toml_lex *lx)
{
	return lx->i >= lx->n;
}

/* The byte k ahead, or NUL past the end. */
static char
toml_peek(const struct toml_lex *lx, size_t k)
{
	return lx->i + k < lx->n ? lx->s[lx->i + k] : '\0';
}

static void
toml_adv(struct toml_lex *lx)
{
	if (lx->i < lx->n && lx->s[lx->i++] == '\n')
		lx->line++;
}

static int
toml_fail(struct toml_lex *lx, const char *msg)
{
	lx->err = msg;
	return -1;
}

static int
toml_put(struct toml_lex *lx, struct buf *b, const char *p, size_t n)
{
	if (buf_append(b, p, n) == -1) {
		lx->oom = 1;
		return -1;
	}
	return 0;
}

static void
toml_report(struct toml_lex *lx, enum toml_mode mode, const char *v,
    size_t n, unsigned long line)
{
	if (mode != T_IGNORE)
		lx->cb(lx->arg, lx->key.data != NULL ? lx->key.data : "",
		    lx->key.len, mode == T_ITEM, v, n, line);
}

static void
toml_ws(struct toml_lex *lx)
{
	while (toml_peek(lx, 0) == ' ' || toml_peek(lx, 0) == '\t')
		lx->i++;
}

/* Blanks, newlines and comments, as allowed inside arrays. */
static void
toml_blank(struct toml_lex *lx)
{
	char	 ch;

	while (!toml_eof(lx)) {
		ch = toml_peek(lx, 0);
		if (ch == '#') {
			while (!toml_eof(lx) && toml_peek(lx, 0) != '\n')
				lx->i++;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			toml_adv(lx);
		else
			break;
	}
}

/* After a value or a header: maybe a comment, then the end of the line. */
static int
toml_eol(struct toml_lex *lx)
{
	toml_ws(lx);
	if (toml_peek(lx, 0) == '#')
		while (!toml_eof(lx) && toml_peek(lx, 0) != '\n')
			lx->i++;
	if (toml_peek(lx, 0) == '\r' && toml_peek(lx, 1) == '\n')
		lx->i++;
	if (toml_eof(lx))
		return 0;
	if (toml_peek(lx, 0) != '\n')
		return toml_fail(lx, "expected the end of the line");
	toml_adv(lx);
	return 0;
}

/* k hex digits into *cp. */
static int
toml_hex(struct toml_lex *lx, size_t k, uint32_t *cp)
{
	size_t	 j;
	char	 ch;

	*cp = 0;
	for (j = 0; j < k; j++) {
		ch = toml_peek(lx, j);
		if (ch >= '0' && ch <= '9')
			*cp = *cp * 16 + (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			*cp = *cp * 16 + (uint32_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			*cp = *cp * 16 + (uint32_t)(ch - 'A' + 10);
		else
			return -1;
	}
	lx->i += k;
	return 0;
}

/* The escape after a backslash, lx->i on the letter. */
static int
toml_escape(struct toml_lex *lx, struct buf *b)
{
	static const char	 pairs[] = "b\bt\tn\nf\fr\re\033\"\"\\\\";
	utf8proc_uint8_t	 u[4];
	uint32_t		 cp;
	char			 ch = toml_peek(lx, 0);
	size_t			 j;

	for (j = 0; ch != '\0' && j + 1 < sizeof(pairs); j += 2)
		if (pairs[j] == ch) {
			lx->i++;
			return toml_put(lx, b, &pairs[j + 1], 1);
		}
	lx->i++;
	if ((ch == 'u' && toml_hex(lx, 4, &cp) == 0) ||
	    (ch == 'U' && toml_hex(lx, 8, &cp) == 0) ||
	    (ch == 'x' && toml_hex(lx, 2, &cp) == 0)) {
		if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return toml_fail(lx, "invalid Unicode escape");
		return toml_put(lx, b, (const char *)u,
		    (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, u));
	}
	return toml_fail(lx, "invalid escape in string");
}

/* A basic or literal string, one line or several, decoded into b. */
static int
toml_string(struct toml_lex *lx, struct buf *b)
{
	char	 q = toml_peek(lx, 0), ch;
	size_t	 k;
	int	 multi;

	buf_reset(b);
	multi = toml_peek(lx, 1) == q && toml_peek(lx, 2) == q;
	lx->i += multi ? 3 : 1;
	if (multi) {
		/* A newline right after the opening quotes is not content. */
		if (toml_peek(lx, 0) == '\r' && toml_peek(lx, 1) == '\n')
			lx->i++;
		if (toml_peek(lx, 0) == '\n')
			toml_adv(lx);
	}
	for (;;) {
		if (toml_eof(lx))
			return toml_fail(lx, "unterminated string");
		ch = toml_peek(lx, 0);
		if (ch == q && !multi) {
			lx->i++;
			return 0;
		}
		if (ch == q) {
			for (k = 0; toml_peek(lx, k) == q; k++)
				;
			if (k > 5)
				return toml_fail(lx, "too many quotes");
			/* Up to two quotes may sit before the closing three. */
			if (toml_put(lx, b, lx->s + lx->i, k >= 3 ? k - 3 : k)
			    == -1)
				return -1;
			lx->i += k;
			if (k >= 3)
				return 0;
			continue;
		}
		if (!multi && (ch == '\n' || ch == '\r'))
			return toml_fail(lx, "unterminated string");
		if (ch != '\\' || q == '\'') {
			if (toml_put(lx, b, &ch, 1) == -1)
				return -1;
			toml_adv(lx);
			continue;
		}
		lx->i++;
		ch = toml_peek(lx, 0);
		if (multi && (ch == ' ' || ch == '\t' || ch == '\r' ||
		    ch == '\n')) {
			/* A line-ending backslash eats the blanks after it. */
			toml_ws(lx);
			if (toml_peek(lx, 0) == '\r')
				lx->i++;
			if (toml_peek(lx, 0) != '\n')
				return toml_fail(lx, "invalid escape in string");
			while ((ch = toml_peek(lx, 0)) == ' ' || ch == '\t' ||
			    ch == '\r' || ch == '\n')
				toml_adv(lx);
			continue;
		}
		if (toml_escape(lx, b) == -1)
			return -1;
	}
}

/*
 * A key, dotted or not; its first part is decoded into out, and *simple
 * says there were no dots.
 */
static int
toml_key(struct toml_lex *lx, struct buf *out, int *simple)
{
	size_t	 start;
	int	 parts = 0;
	char	 ch;

	buf_reset(out);
	for (;;) {
		toml_ws(lx);
		ch = toml_peek(lx, 0);
		if (lx->all && parts > 0 && toml_put(lx, out, ".", 1) == -1)
			return -1;
		if (ch == '"' || ch == '\'') {
			/* Later parts are dropped: str holds nothing yet. */
			if (toml_string(lx, parts == 0 ? out : &lx->str) == -1)
				return -1;
			if (parts > 0 && lx->all && toml_put(lx, out,
			    lx->str.data ? lx->str.data : "", lx->str.len) == -1)
				return -1;
		} else {
			start = lx->i;
			while ((ch = toml_peek(lx, 0)) == '_' || ch == '-' ||
			    (ch >= 'a' && ch <= 'z') ||
			    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
				lx->i++;
			if (lx->i == start)
				return toml_fail(lx, "expected a key");
			if ((parts == 0 || lx->all) && toml_put(lx, out,
			    lx->s + start, lx->i - start) == -1)
				return -1;
		}
		parts++;
		toml_ws(lx);
		if (toml_peek(lx, 0) != '.')
			break;
		lx->i++;
	}
	*simple = parts == 1;
	return 0;
}

/*
 * A bare value: boolean, number, date or time.  Checked for its shape
 * and reported as written; the reader of the value converts it.
 */
static int
toml_bare(struct toml_lex *lx, enum toml_mode mode)
{
	unsigned long	 line = lx->line;
	size_t		 start = lx->i, n, j;
	const char	*t;
	char		 ch;

	for (;;) {
		while ((ch = toml_peek(lx, 0)) != '\0' &&
		    strchr(" \t\r\n,]}#", ch) == NULL)
			lx->i++;
		/* "1979-05-27 07:32:00Z": a space may part date and time. */
		if (lx->i - start == 10 && lx->s[start + 4] == '-' &&
		    toml_peek(lx, 0) == ' ' && toml_peek(lx, 1) >= '0' &&
		    toml_peek(lx, 1) <= '9' && toml_peek(lx, 2) >= '0' &&
		    toml_peek(lx, 2) <= '9' && toml_peek(lx, 3) == ':') {
			lx->i++;
			continue;
		}
		break;
	}
	t = lx->s + start;
	n = lx->i - start;
	if (n == 0)
		return toml_fail(lx, "expected a value");
	j = t[0] == '+' || t[0] == '-';
	if ((n == 4 && memcmp(t, "true", 4) == 0) ||
	    (n == 5 && memcmp(t, "false", 5) == 0) ||
	    (n - j == 3 && (memcmp(t + j, "inf", 3) == 0 ||
	    memcmp(t + j, "nan", 3) == 0))) {
		toml_report(lx, mode, t, n, line);
		return 0;
	}
	if (j == n || t[j] < '0' || t[j] > '9')
		return toml_fail(lx, "invalid value");
	for (; j < n; j++)
		if (strchr("0123456789abcdefABCDEFxXoO_.:+-TtZz ", t[j]) ==
		    NULL)
			return toml_fail(lx, "invalid value");
	toml_report(lx, mode, t, n, line);
	return 0;
}

static int
toml_array(struct toml_lex *lx, int depth, enum toml_mode mode)
{
	enum toml_mode	 inner = mode == T_VALUE ? T_ITEM : T_IGNORE;

	lx->i++;
	for (;;) {
		toml_blank(lx);
		if (toml_peek(lx, 0) == ']')
			break;
		if (toml_value(lx, depth + 1, inner) == -1)
			return -1;
		toml_blank(lx);
		if (toml_peek(lx, 0) == ']')
			break;
		if (toml_peek(lx, 0) != ',')
			return toml_fail(lx, "expected ',' or ']' in array");
		lx->i++;
	}
	lx->i++;
	return 0;
}

/* An inline table: nothing in it is top-level. */
static int
toml_table(struct toml_lex *lx, int depth)
{
	int	 simple;

	lx->i++;
	for (;;) {
		toml_blank(lx);
		if (toml_peek(lx, 0) == '}')
			break;
		if (toml_key(lx, &lx->tmp, &simple) == -1)
			return -1;
		if (toml_peek(lx, 0) != '=')
			return toml_fail(lx, "expected '=' after a key");
		lx->i++;
		toml_ws(lx);
		if (toml_value(lx, depth + 1, T_IGNORE) == -1)
			return -1;
		toml_blank(lx);
		if (toml_peek(lx, 0) == '}')
			break;
		if (toml_peek(lx, 0) != ',')
			return toml_fail(lx, "expected ',' or '}' in table");
		lx->i++;
	}
	lx->i++;
	return 0;
}

static int
toml_value(struct toml_lex *lx, int depth, enum toml_mode mode)
{
	unsigned long	 line = lx->line;
	char		 ch = toml_peek(lx, 0);

	if (depth > TOML_MAXDEPTH)
		return toml_fail(lx, "nesting too deep");
	if (ch == '"' || ch == '\'') {
		if (toml_string(lx, &lx->str) == -1)
			return -1;
		toml_report(lx, mode, lx->str.data != NULL ? lx->str.data : "",
		    lx->str.len, line);
		return 0;
	}
	if (ch == '[')
		return toml_array(lx, depth, mode);
	if (ch == '{')
		return toml_table(lx, depth);
	return toml_bare(lx, mode);
}

/* A [table] or [[array of tables]] header. */
static int
toml_header(struct toml_lex *lx)
{
	int	 aot, simple;

	lx->i++;
	if ((aot = toml_peek(lx, 0) == '['))
		lx->i++;
	if (toml_key(lx, &lx->tmp, &simple) == -1)
		return -1;
	if (toml_peek(lx, 0) != ']' || (aot && toml_peek(lx, 1) != ']'))
		return toml_fail(lx, "expected ']' after a table name");
	lx->i += aot ? 2 : 1;
	lx->aot = aot;
	buf_reset(&lx->prefix);
	if (lx->all && toml_put(lx, &lx->prefix, lx->tmp.data ?
	    lx->tmp.data : "", lx->tmp.len) == -1)
		return -1;
	return toml_eol(lx);
}

/* toml_read_all: the key read, put under its table's name. */
static int
toml_qualify(struct toml_lex *lx)
{
	buf_reset(&lx->tmp);
	if (toml_put(lx, &lx->tmp, lx->prefix.data ? lx->prefix.data : "",
	    lx->prefix.len) == -1 || toml_put(lx, &lx->tmp, ".", 1) == -1 ||
	    toml_put(lx, &lx->tmp, lx->key.data ? lx->key.data : "",
	    lx->key.len) == -1)
		return -1;
	buf_reset(&lx->key);
	return toml_put(lx, &lx->key, lx->tmp.data, lx->tmp.len);
}

static int
toml_parse(struct toml_lex *lx)
{
	int	 intable = 0, simple;
	char	 ch;

	for (;;) {
		toml_ws(lx);
		if (toml_eof(lx))
			return 0;
		ch = toml_peek(lx, 0);
		if (ch == '\n' || ch == '\r' || ch == '#') {
			if (toml_eol(lx) == -1)
				return -1;
			continue;
		}
		if (ch == '[') {
			/* What follows belongs to the table: not ours. */
			if (toml_header(lx) == -1)
				return -1;
			intable = 1;
			continue;
		}
		if (toml_key(lx, &lx->key, &simple) == -1)
			return -1;
		if (toml_peek(lx, 0) != '=')
			return toml_fail(lx, "expected '=' after a key");
		lx->i++;
		toml_ws(lx);
		if (lx->all && intable && toml_qualify(lx) == -1)
			return -1;
		if (toml_value(lx, 0, lx->all ? (lx->aot ? T_IGNORE :
		    T_VALUE) : intable || !simple ? T_IGNORE :
		    T_VALUE) == -1 || toml_eol(lx) == -1)
			return -1;
	}
}

static int
toml_run(const char *s, size_t n, unsigned long line, toml_value_cb cb,
    void *arg, const char **errstr, unsigned long *errline, int all)
{
	struct toml_lex	 lx;
	int		 r;

	memset(&lx, 0, sizeof(lx));
	lx.all = all;
	buf_init(&lx.prefix, n + 16);
	lx.s = s;
	lx.n = n;
	lx.line = line;
	lx.cb = cb;
	lx.arg = arg;
	/* Decoded text is never longer than its source. */
	buf_init(&lx.str, n + 16);
	buf_init(&lx.key, n + 16);
	buf_init(&lx.tmp, n + 16);
	r = toml_parse(&lx);
	buf_free(&lx.str);
	buf_free(&lx.key);
	buf_free(&lx.tmp);
	buf_free(&lx.prefix);
	*errstr = lx.oom ? NULL : lx.err;
	*errline = lx.line;
	return r;
}

int
toml_read(const char *s, size_t n, unsigned long line, toml_value_cb cb,
    void *arg, const char **errstr, unsigned long *errline)
{
	return toml_run(s, n, line, cb, arg, errstr, errline, 0);
}

int
toml_read_all(const char *s, size_t n, unsigned long line, toml_value_cb cb,
    void *arg, const char **errstr, unsigned long *errline)
{
	return toml_run(s, n, line, cb, arg, errstr, errline, 1);
}

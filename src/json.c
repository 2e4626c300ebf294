/*
 * json: the JSON object of Hugo-style front matter, read by recursive
 * descent (depth bounded) that hands the root object's values to a
 * callback (see json.h).
 */
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "json.h"

#define JSON_MAXDEPTH	64	/* nested arrays and objects */

/* What becomes of a value. */
enum json_mode {
	J_ROOT,		/* the root object: its members are reported */
	J_VALUE,	/* a member's value: reported */
	J_ITEM,		/* an item of a member's array: reported */
	J_IGNORE
};

struct json_lex {
	const char	*s;
	size_t		 n, i;
	unsigned long	 line;	/* line of s[i] */
	struct buf	 str;	/* the string value being decoded */
	struct buf	 key;	/* the root member's name */
	struct buf	 tmp;	/* names nobody reads */
	json_value_cb	 cb;
	void		*arg;
	const char	*err;
	int		 oom;
};

static int	json_value(struct json_lex *, int, enum json_mode);

static char
json_peek(const struct json_lex *lx, size_t k)
{
	return lx->i + k < lx->n ? lx->s[lx->i + k] : '\0';
}

static int
json_fail(struct json_lex *lx, const char *msg)
{
	lx->err = msg;
	return -1;
}

static int
json_put(struct json_lex *lx, struct buf *b, const char *p, size_t n)
{
	if (buf_append(b, p, n) == -1) {
		lx->oom = 1;
		return -1;
	}
	return 0;
}

static int
json_put_cp(struct json_lex *lx, struct buf *b, uint32_t cp)
{
	utf8proc_uint8_t	 u[4];

	return json_put(lx, b, (const char *)u,
	    (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, u));
}

static void
json_report(struct json_lex *lx, enum json_mode mode, const char *v,
    size_t n, unsigned long line)
{
	if (mode == J_VALUE || mode == J_ITEM)
		lx->cb(lx->arg, lx->key.data != NULL ? lx->key.data : "",
		    lx->key.len, mode == J_ITEM, v, n, line);
}

static void
json_ws(struct json_lex *lx)
{
	char	 ch;

	while ((ch = json_peek(lx, 0)) == ' ' || ch == '\t' || ch == '\n' ||
	    ch == '\r') {
		if (ch == '\n')
			lx->line++;
		lx->i++;
	}
}

static int
json_hex4(struct json_lex *lx, uint32_t *cp)
{
	size_t	 j;
	char	 ch;

	*cp = 0;
	for (j = 0; j < 4; j++) {
		ch = json_peek(lx, j);
		if (ch >= '0' && ch <= '9')
			*cp = *cp * 16 + (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			*cp = *cp * 16 + (uint32_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			*cp = *cp * 16 + (uint32_t)(ch - 'A' + 10);
		else
			return json_fail(lx, "invalid escape in string");
	}
	lx->i += 4;
	return 0;
}

/* A \u escape, lx->i after the u; pairs surrogates, else U+FFFD. */
static int
json_unicode(struct json_lex *lx, struct buf *b)
{
	uint32_t	 cp, lo;

	if (json_hex4(lx, &cp) == -1)
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff && json_peek(lx, 0) == '\\' &&
	    json_peek(lx, 1) == 'u') {
		lx->i += 2;
		if (json_hex4(lx, &lo) == -1)
			return -1;
		if (lo >= 0xdc00 && lo <= 0xdfff)
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		else {
			if (json_put_cp(lx, b, 0xfffd) == -1)
				return -1;
			cp = lo;
		}
	}
	/* A lone surrogate is not a character. */
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	return json_put_cp(lx, b, cp);
}

static int
json_string(struct json_lex *lx, struct buf *b)
{
	static const char	 pairs[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	size_t			 j;
	char			 ch;

	buf_reset(b);
	lx->i++;
	for (;;) {
		if (lx->i >= lx->n)
			return json_fail(lx, "unterminated string");
		ch = json_peek(lx, 0);
		if (ch == '"') {
			lx->i++;
			return 0;
		}
		if ((unsigned char)ch < 0x20)
			return json_fail(lx, "control character in string");
		lx->i++;
		if (ch != '\\') {
			if (json_put(lx, b, &ch, 1) == -1)
				return -1;
			continue;
		}
		ch = json_peek(lx, 0);
		lx->i++;
		if (ch == 'u') {
			if (json_unicode(lx, b) == -1)
				return -1;
			continue;
		}
		for (j = 0; ch != '\0' && j + 1 < sizeof(pairs); j += 2)
			if (pairs[j] == ch)
				break;
		if (ch == '\0' || j + 1 >= sizeof(pairs))
			return json_fail(lx, "invalid escape in string");
		if (json_put(lx, b, &pairs[j + 1], 1) == -1)
			return -1;
	}
}

/* Decimal digits; their count. */
static size_t
json_digits(struct json_lex *lx)
{
	size_t	 d;

	for (d = 0; json_peek(lx, 0) >= '0' && json_peek(lx, 0) <= '9'; d++)
		lx->i++;
	return d;
}

static int
json_number(struct json_lex *lx, enum json_mode mode)
{
	unsigned long	 line = lx->line;
	size_t		 start = lx->i;

	if (json_peek(lx, 0) == '-')
		lx->i++;
	if (json_digits(lx) == 0)
		return json_fail(lx, "invalid number");
	if (json_peek(lx, 0) == '.') {
		lx->i++;
		if (json_digits(lx) == 0)
			return json_fail(lx, "invalid number");
	}
	if (json_peek(lx, 0) == 'e' || json_peek(lx, 0) == 'E') {
		lx->i++;
		if (json_peek(lx, 0) == '+' || json_peek(lx, 0) == '-')
			lx->i++;
		if (json_digits(lx) == 0)
			return json_fail(lx, "invalid number");
	}
	json_report(lx, mode, lx->s + start, lx->i - start, line);
	return 0;
}

static int
json_object(struct json_lex *lx, int depth, enum json_mode mode)
{
	struct buf	*name = mode == J_ROOT ? &lx->key : &lx->tmp;

	lx->i++;
	json_ws(lx);
	if (json_peek(lx, 0) == '}') {
		lx->i++;
		return 0;
	}
	for (;;) {
		json_ws(lx);
		if (json_peek(lx, 0) != '"')
			return json_fail(lx, "expected a string key");
		if (json_string(lx, name) == -1)
			return -1;
		json_ws(lx);
		if (json_peek(lx, 0) != ':')
			return json_fail(lx, "expected ':' after a key");
		lx->i++;
		if (json_value(lx, depth + 1, mode == J_ROOT ? J_VALUE :
		    J_IGNORE) == -1)
			return -1;
		json_ws(lx);
		if (json_peek(lx, 0) == '}')
			break;
		if (json_peek(lx, 0) != ',')
			return json_fail(lx, "expected ',' or '}'");
		lx->i++;
	}
	lx->i++;
	return 0;
}

static int
json_array(struct json_lex *lx, int depth, enum json_mode mode)
{
	enum json_mode	 inner = mode == J_VALUE ? J_ITEM : J_IGNORE;

	lx->i++;
	json_ws(lx);
	if (json_peek(lx, 0) == ']') {
		lx->i++;
		return 0;
	}
	for (;;) {
		if (json_value(lx, depth + 1, inner) == -1)
			return -1;
		json_ws(lx);
		if (json_peek(lx, 0) == ']')
			break;
		if (json_peek(lx, 0) != ',')
			return json_fail(lx, "expected ',' or ']'");
		lx->i++;
	}
	lx->i++;
	return 0;
}

static int
json_value(struct json_lex *lx, int depth, enum json_mode mode)
{
	static const char	*lits[] = { "true", "false", "null" };
	unsigned long		 line;
	size_t			 i, n;
	char			 ch;

	if (depth > JSON_MAXDEPTH)
		return json_fail(lx, "nesting too deep");
	json_ws(lx);
	line = lx->line;
	ch = json_peek(lx, 0);
	if (ch == '{')
		return json_object(lx, depth, mode);
	if (mode == J_ROOT)
		return json_fail(lx, "expected an object");
	if (ch == '[')
		return json_array(lx, depth, mode);
	if (ch == '"') {
		if (json_string(lx, &lx->str) == -1)
			return -1;
		json_report(lx, mode, lx->str.data != NULL ? lx->str.data : "",
		    lx->str.len, line);
		return 0;
	}
	if (ch == '-' || (ch >= '0' && ch <= '9'))
		return json_number(lx, mode);
	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		n = strlen(lits[i]);
		if (lx->n - lx->i >= n &&
		    memcmp(lx->s + lx->i, lits[i], n) == 0) {
			lx->i += n;
			json_report(lx, mode, i == 2 ? NULL : lits[i], n, line);
			return 0;
		}
	}
	return json_fail(lx, "unexpected character");
}

int
json_read(const char *s, size_t n, unsigned long line, json_value_cb cb,
    void *arg, const char **errstr, unsigned long *errline)
{
	struct json_lex	 lx;
	int		 r;

	memset(&lx, 0, sizeof(lx));
	lx.s = s;
	lx.n = n;
	lx.line = line;
	lx.cb = cb;
	lx.arg = arg;
	/* Decoded text is never longer than its source (a lone surrogate's
	 * six bytes become U+FFFD's three). */
	buf_init(&lx.str, n + 16);
	buf_init(&lx.key, n + 16);
	buf_init(&lx.tmp, n + 16);
	if ((r = json_value(&lx, 0, J_ROOT)) == 0) {
		json_ws(&lx);
		if (lx.i < lx.n)
			r = json_fail(&lx, "text after the object");
	}
	buf_free(&lx.str);
	buf_free(&lx.key);
	buf_free(&lx.tmp);
	*errstr = lx.oom ? NULL : lx.err;
	*errline = lx.line;
	return r;
}

int
json_object_end(const char *s, size_t n, size_t *end)
{
	size_t	 i, depth = 0;
	int	 instr = 0;

	for (i = 0; i < n; i++) {
		if (instr) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				instr = 0;
		} else if (s[i] == '"')
			instr = 1;
		else if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && depth > 0 && --depth == 0) {
			*end = i + 1;
			return 0;
		}
	}
	return -1;
}

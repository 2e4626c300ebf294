/*
 * textwidth: display widths (utf8proc), character classes for joining
 * and breaking lines, the wrapper used by the Gopher renderings, and
 * UTF-8 clean-up.  Pure: no globals, no logging.
 */
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "textwidth.h"

#define TW_REPLACEMENT	0xfffd
#define TW_ZWSP		0x200b
#define TW_ZWJ		0x200d

size_t
tw_next(const char *s, size_t n, int32_t *cp)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 len, k;
	int32_t			 v, min;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		v = u[0] & 0x1f;
		min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		v = u[0] & 0x0f;
		min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		v = u[0] & 0x07;
		min = 0x10000;
	} else
		goto invalid;
	if (n < len)
		goto invalid;
	for (k = 1; k < len; k++) {
		if ((u[k] & 0xc0) != 0x80)
			goto invalid;
		v = (v << 6) | (u[k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		goto invalid;
	*cp = v;
	return len;
invalid:
	*cp = TW_INVALID;
	return 1;
}

int
tw_cpwidth(int32_t cp)
{
	if (cp < 0)
		return 1;
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	return utf8proc_charwidth(cp);
}

size_t
tw_width(const char *s, size_t n)
{
	size_t	 i, w = 0;
	int32_t	 cp;

	for (i = 0; i < n; ) {
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			w++;
			i++;
			continue;
		}
		i += tw_next(s + i, n - i, &cp);
		w += (size_t)tw_cpwidth(cp);
	}
	return w;
}

int
tw_is_hangul(int32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x11ff) ||
	    (cp >= 0x3130 && cp <= 0x318f) ||
	    (cp >= 0xa960 && cp <= 0xa97f) ||
	    (cp >= 0xac00 && cp <= 0xd7ff) ||
	    (cp >= 0xffa0 && cp <= 0xffdc);
}

int
tw_is_wide(int32_t cp)
{
	if (cp < 0x1100 || tw_is_hangul(cp))
		return 0;
	/* Halfwidth katakana and symbols are East Asian Halfwidth. */
	if ((cp >= 0xff61 && cp <= 0xff9f) || (cp >= 0xffe8 && cp <= 0xffee))
		return 1;
	return utf8proc_charwidth(cp) == 2;
}

int
tw_join_space(int32_t before, int32_t after)
{
	if (before == TW_ZWSP || after == TW_ZWSP)
		return 0;
	if (tw_is_wide(before) && tw_is_wide(after))
		return 0;
	return 1;
}

/* Characters that must not start a line (Japanese kinsoku shori). */
static int
tw_no_start(int32_t cp)
{
	static const int32_t	 set[] = {
		'!', ')', ',', '.', ':', ';', '?', ']', '}', '%',
		0x2019, 0x201d, 0x2010, 0x2013, 0x2026, 0x2025, 0x00bb,
		0x3001, 0x3002, 0x3005, 0x303b, 0x301c, 0x301f,
		0x3009, 0x300b, 0x300d, 0x300f, 0x3011, 0x3015, 0x3017,
		0x3019, 0x301b, 0x309b, 0x309c, 0x309d, 0x309e, 0x30fb,
		0x30fc, 0x30fd, 0x30fe, 0xff01, 0xff09, 0xff0c, 0xff0e,
		0xff1a, 0xff1b, 0xff1f, 0xff3d, 0xff5d, 0xff5e, 0xff60,
		0xff61, 0xff63, 0xff64, 0xff65, 0xff70, 0xff9e, 0xff9f,
	};
	static const int32_t	 small[] = {	/* ぁぃぅぇぉっゃゅょゎゕゖ */
		0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083,
		0x3085, 0x3087, 0x308e, 0x3095, 0x3096,
	};
	size_t			 i;

	/* Small kana, hiragana and katakana (katakana = hiragana + 0x60). */
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		if (cp == small[i] || cp == small[i] + 0x60)
			return 1;
	if (cp >= 0x31f0 && cp <= 0x31ff)
		return 1;
	if (cp >= 0xff67 && cp <= 0xff6f)
		return 1;
	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i] == cp)
			return 1;
	return 0;
}

/* Characters that must not end a line: opening brackets and quotes. */
static int
tw_no_end(int32_t cp)
{
	static const int32_t	 set[] = {
		'(', '[', '{', 0x2018, 0x201c, 0x00ab,
		0x3008, 0x300a, 0x300c, 0x300e, 0x3010, 0x3014, 0x3016,
		0x3018, 0x301a, 0x301d, 0xff08, 0xff3b, 0xff5b, 0xff5f,
		0xff62,
	};
	size_t			 i;

	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i] == cp)
			return 1;
	return 0;
}

int
tw_can_break(int32_t a, int32_t b)
{
	if (b >= 0 && tw_cpwidth(b) == 0)
		return 0;
	if (a == TW_ZWJ)
		return 0;
	if (a == TW_ZWSP)
		return 1;
	if (!tw_is_wide(a) && !tw_is_wide(b))
		return 0;
	return !tw_no_start(b) && !tw_no_end(a);
}

int
tw_is_sentence_end(int32_t cp)
{
	static const int32_t	 set[] = {
		'.', '!', '?', ':', 0x2026, 0x2025,
		0x3001, 0x3002, 0x3009, 0x300b, 0x300d, 0x300f, 0x3011,
		0x3015, 0x3017, 0x301c, 0xff01, 0xff09, 0xff0c, 0xff0e,
		0xff1a, 0xff1b, 0xff1f, 0xff3d, 0xff5e, 0xff61, 0xff63,
		0xff64,
	};
	size_t			 i;

	if (cp < 0)
		return 0;
	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i] == cp)
			return 1;
	/* Casual writing ends lines with emoji and symbols (♪, ☆). */
	return cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_SO;
}

int
tw_is_mark(int32_t cp)
{
	utf8proc_category_t	 c;

	if (cp < 0x300)
		return 0;
	c = utf8proc_category(cp);
	return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
	    c == UTF8PROC_CATEGORY_ME;
}

int
tw_is_punct_space(int32_t cp)
{
	utf8proc_category_t	 c;

	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return cp == ' ' || (cp > ' ' && cp < 0x7f &&
		    !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z')));
	c = utf8proc_category(cp);
	return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_ZP;
}

static int
tw_spaces(struct buf *b, size_t n)
{
	static const char	 sp[] = "                ";

	while (n > 0) {
		size_t k = n < sizeof(sp) - 1 ? n : sizeof(sp) - 1;

		if (buf_append(b, sp, k) == -1)
			return -1;
		n -= k;
	}
	return 0;
}

int
tw_wrap(const char *s, size_t n, size_t width, tw_line_fn fn, void *arg)
{
	struct buf	 line;
	size_t		 i, j, l, lw = 0, sp = 0, tokw;
	int32_t		 a, b;
	int		 emitted = 0, rv = -1;

	if (width < 1)
		width = 1;
	/* A line never holds more than the input with its TABs expanded. */
	buf_init(&line, n * TW_TABSTOP + 64);
	for (i = 0; i < n; i = j) {
		if (s[i] == ' ' || s[i] == '\t') {
			if (s[i] == ' ')
				sp++;
			else
				sp += TW_TABSTOP - (lw + sp) % TW_TABSTOP;
			j = i + 1;
			continue;
		}
		/* One token: up to a space or a break opportunity. */
		j = i + tw_next(s + i, n - i, &a);
		tokw = (size_t)tw_cpwidth(a);
		while (j < n && s[j] != ' ' && s[j] != '\t') {
			l = tw_next(s + j, n - j, &b);
			if (tw_can_break(a, b))
				break;
			tokw += (size_t)tw_cpwidth(b);
			j += l;
			a = b;
		}
		if (line.len > 0 && lw + sp + tokw > width) {
			if (fn(arg, line.data, line.len, lw) == -1)
				goto done;
			emitted = 1;
			buf_reset(&line);
			lw = 0;
		}
		if (line.len > 0) {
			if (tw_spaces(&line, sp) == -1)
				goto done;
			lw += sp;
		}
		sp = 0;
		if (lw + tokw <= width) {
			if (buf_append(&line, s + i, j - i) == -1)
				goto done;
			lw += tokw;
			continue;
		}
		/* Longer than a line: split between characters. */
		for (; i < j; i += l) {
			int	 cw;

			l = tw_next(s + i, j - i, &a);
			cw = tw_cpwidth(a);
			if (line.len > 0 && cw > 0 && lw + (size_t)cw > width) {
				if (fn(arg, line.data, line.len, lw) == -1)
					goto done;
				emitted = 1;
				buf_reset(&line);
				lw = 0;
			}
			if (buf_append(&line, s + i, l) == -1)
				goto done;
			lw += (size_t)cw;
		}
	}
	if (line.len > 0 || !emitted) {
		if (fn(arg, line.data != NULL ? line.data : "", line.len,
		    lw) == -1)
			goto done;
	}
	rv = 0;
done:
	buf_free(&line);
	return rv;
}

int
tw_expand_tabs(struct buf *out, const char *s, size_t n)
{
	size_t	 i, start = 0, col = 0, l;
	int32_t	 cp;

	for (i = 0; i < n; i += l) {
		if (s[i] != '\t') {
			l = tw_next(s + i, n - i, &cp);
			col += (size_t)tw_cpwidth(cp);
			continue;
		}
		l = 1;
		if (buf_append(out, s + start, i - start) == -1 ||
		    tw_spaces(out, TW_TABSTOP - col % TW_TABSTOP) == -1)
			return -1;
		col += TW_TABSTOP - col % TW_TABSTOP;
		start = i + 1;
	}
	return buf_append(out, s + start, n - start);
}

int
tw_put(struct buf *out, int32_t cp)
{
	utf8proc_uint8_t	 enc[4];
	utf8proc_ssize_t	 k;

	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = TW_REPLACEMENT;
	k = utf8proc_encode_char(cp, enc);
	return buf_append(out, enc, (size_t)k);
}

int
tw_clean(struct buf *out, const char *s, size_t n, int flags)
{
	size_t	 i, start = 0, l;
	int32_t	 cp;
	int	 keep;

	for (i = 0; i < n; i += l) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			l = 1;
			continue;
		}
		l = tw_next(s + i, n - i, &cp);
		if (cp >= 0xa0 || (cp >= 0x20 && cp < 0x7f))
			continue;
		keep = (cp == '\t' && (flags & TW_KEEP_TAB)) ||
		    (cp == '\n' && (flags & TW_KEEP_LF));
		if (keep)
			continue;
		if (buf_append(out, s + start, i - start) == -1)
			return -1;
		if (cp == TW_INVALID && tw_put(out, TW_REPLACEMENT) == -1)
			return -1;
		start = i + l;
	}
	return buf_append(out, s + start, n - start);
}

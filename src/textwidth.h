/*
 * textwidth: display width of UTF-8 text (utf8proc), the character
 * classes the converters need (East Asian wide, Hangul, line-break
 * rules), word/character wrapping and UTF-8 clean-up.  Pure.
 */
#ifndef CAPSULED_TEXTWIDTH_H
#define CAPSULED_TEXTWIDTH_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define TW_TABSTOP	8
#define TW_INVALID	(-1)	/* tw_next: a byte that starts no valid
				   UTF-8 sequence */

/*
 * Decode the character at s (n > 0 bytes left).  Returns its length in
 * bytes (at least 1) and sets *cp, or TW_INVALID for an invalid,
 * overlong, surrogate or truncated sequence (length 1 then).
 */
size_t	tw_next(const char *s, size_t n, int32_t *cp);

/* Columns of one character: 0 combining/control, 2 wide, invalid 1. */
int	tw_cpwidth(int32_t cp);

/* Display columns of s[0..n): CJK, fullwidth and emoji count 2,
 * combining marks 0, an invalid byte 1. */
size_t	tw_width(const char *s, size_t n);

/* Hangul syllables and jamo. */
int	tw_is_hangul(int32_t cp);

/* East Asian Wide, Fullwidth or Halfwidth, except Hangul: the class
 * for which CSS Text 3 removes a segment break between two of them. */
int	tw_is_wide(int32_t cp);

/*
 * CSS Text 3 segment-break transformation: when a line break between
 * `before' and `after' is joined, does it become a space (1) or
 * nothing (0)?
 */
int	tw_join_space(int32_t before, int32_t after);

/* Can a line be broken between a and b (no space between them)? */
int	tw_can_break(int32_t a, int32_t b);

/* Does the character end a sentence or clause (. ! ? : 。 、 」 ♪ ...)?
 * Latin closing quotes and brackets do not: look before them. */
int	tw_is_sentence_end(int32_t cp);

/* A combining mark (Unicode category M*): never separated from its base. */
int	tw_is_mark(int32_t cp);

/* Punctuation or a separator (Unicode P* or Z*, or ASCII punctuation). */
int	tw_is_punct_space(int32_t cp);

/* Line callback of tw_wrap: one output line without newline, and its
 * display width.  Return -1 to stop. */
typedef int	(*tw_line_fn)(void *arg, const char *line, size_t len,
		    size_t width);

/*
 * Wrap one logical line (no newline inside) to at most width columns:
 * break at spaces, around CJK characters (keeping closing punctuation
 * off the start of a line), split words longer than a line between
 * characters, expand TABs, never justify.  Whitespace at the breaks is
 * dropped.  An empty or blank input gives one empty line.  Returns 0,
 * or -1 if fn failed or memory ran out.
 */
int	tw_wrap(const char *s, size_t n, size_t width, tw_line_fn fn,
	    void *arg);

/* Append s with TABs expanded to spaces (stops every TW_TABSTOP). */
int	tw_expand_tabs(struct buf *out, const char *s, size_t n);

#define TW_KEEP_TAB	0x01
#define TW_KEEP_LF	0x02

/*
 * Append s as valid UTF-8: invalid sequences become U+FFFD, control
 * characters (C0, DEL, C1) are dropped except TAB and LF when flags
 * ask for them.
 */
int	tw_clean(struct buf *out, const char *s, size_t n, int flags);

/* Append one code point as UTF-8 (U+FFFD for invalid ones). */
int	tw_put(struct buf *out, int32_t cp);

#endif

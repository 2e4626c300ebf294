/*
 * url: pure parsing and building of URLs and paths: absolute-URI parse,
 * percent-decoding and -encoding, dot-segment removal that never climbs
 * above the root.
 */
#ifndef CAPSULED_URL_H
#define CAPSULED_URL_H

#include <stddef.h>

struct buf;

struct url {
	char	*scheme;	/* lowercased; NULL for a relative reference */
	char	*host;		/* lowercased, IPv6 without brackets; NULL if
				   no authority, "" for an empty one */
	int	 port;		/* -1 when absent */
	char	*path;		/* percent-decoded, dot segments removed,
				   always starts with '/' ("" -> "/") */
	int	 trailing_slash;/* the decoded path ends in '/' */
	char	*query;		/* raw, still percent-encoded; NULL when
				   absent */
	int	 has_userinfo;
	int	 has_fragment;
};

/*
 * Append s[0..n) to out as a URL path, percent-encoding every byte that
 * is not unreserved, a sub-delimiter, ':', '@' or '/'.  Spaces, '%',
 * '?', '#', controls and non-ASCII bytes are always encoded, so the
 * result is a valid Gemini path and a valid Gopher selector.
 */
int	url_encode_path(struct buf *out, const char *s, size_t n);

/* Append s[0..n) to out with every byte keep refuses percent-encoded
 * (upper-case hex); url_encode_path with a set of one's own. */
int	url_encode(struct buf *out, const char *s, size_t n,
	    int (*keep)(unsigned char));

/* The value of one hex digit, or -1. */
int	url_hexval(unsigned char c);

/*
 * Parse an absolute or relative URI reference.  Returns 0 with *u filled
 * (the caller frees it with url_free), or -1 with *err set: malformed
 * (bad percent escape, bad port, NUL, controls or space, bad IPv6
 * literal), or "path escapes root" when the decoded path contains NUL or
 * its dot segments would climb above "/".  Decoded '/' (%2F) separates
 * segments like a literal one, and %2e%2e is "..": decoding comes before
 * dot-segment removal so no encoding can smuggle a traversal past it.
 * A path that decodes to a control character ("%0A") is refused too.
 * On -1, *u holds nothing to free.
 */
int	url_parse(const char *s, size_t n, struct url *u, const char **err);
void	url_free(struct url *u);

/* Percent-decode s[0..n) appending to out; -1 on a malformed escape, a
 * NUL (raw or decoded) or when out is full. */
int	url_decode(const char *s, size_t n, struct buf *out);

/*
 * Remove dot segments in place from an absolute path ("/a/./b/../c" ->
 * "/a/c"; "/a/b/.." -> "/a/"), collapsing "//" runs.  Returns -1 when
 * ".." would climb above "/" or the path does not start with '/'.
 */
int	url_normalize_path(char *path);

/* 1 if s[0..n) holds a C0 control character (NUL included) or DEL. */
int	url_has_control(const char *s, size_t n);

/* 1 if s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int	url_valid_utf8(const char *s, size_t n);

#endif

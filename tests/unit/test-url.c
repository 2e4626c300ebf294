/*
 * test-url: URI parsing, percent-decoding, dot-segment removal and UTF-8
 * validation (src/url.c), every rule at the parser level.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "url.h"
#include "tap.h"

/* A string literal and its length, NULs included. */
#define S(x)	x, sizeof(x) - 1

static void
parse_ok(const char *s, size_t n, const char *scheme, const char *host,
    int port, const char *path, const char *query)
{
	struct url	 u;
	const char	*err = NULL;
	int		 r;

	r = url_parse(s, n, &u, &err);
	ok(r == 0, "parse %s", s);
	if (r != 0) {
		printf("#   err: %s\n", err);
		return;
	}
	is_str(u.scheme, scheme, "  scheme");
	is_str(u.host, host, "  host");
	is_int(u.port, port, "  port");
	is_str(u.path, path, "  path");
	is_int(u.trailing_slash, path[strlen(path) - 1] == '/',
	    "  trailing_slash");
	is_str(u.query, query, "  query");
	url_free(&u);
}

static void
parse_bad(const char *s, size_t n, const char *want_err, const char *name)
{
	struct url	 u;
	const char	*err = NULL;
	int		 r;

	r = url_parse(s, n, &u, &err);
	is_int(r, -1, name);
	if (r == 0)
		url_free(&u);
	else if (want_err != NULL)
		is_str(err, want_err, "  err");
	ok(u.scheme == NULL && u.host == NULL && u.path == NULL &&
	    u.query == NULL, "  nothing left to free");
}

static void
norm(const char *in, int want_r, const char *want)
{
	char	 p[256];
	int	 r;

	snprintf(p, sizeof(p), "%s", in);
	r = url_normalize_path(p);
	is_int(r, want_r, in);
	if (r == 0 && want_r == 0)
		is_str(p, want, "  result");
}

static void
decode(const char *s, size_t n, int want_r, const char *want)
{
	struct buf	 b;
	int		 r;

	buf_init(&b, 1024);
	r = url_decode(s, n, &b);
	is_int(r, want_r, s);
	if (r == 0 && want_r == 0)
		is_str(b.data ? b.data : "", want, "  result");
	buf_free(&b);
}

static void
test_parse(void)
{
	parse_ok(S("gemini://example.org/"), "gemini", "example.org", -1,
	    "/", NULL);
	/* empty path = "/" */
	parse_ok(S("gemini://example.org"), "gemini", "example.org", -1,
	    "/", NULL);
	/* scheme and host lowercased, path case kept */
	parse_ok(S("GEMINI://EXAMPLE.Org:1965/A/b"), "gemini", "example.org",
	    1965, "/A/b", NULL);
	parse_ok(S("gemini://h/a/./b/../c"), "gemini", "h", -1, "/a/c", NULL);
	parse_ok(S("gemini://h/a/b/.."), "gemini", "h", -1, "/a/", NULL);
	parse_ok(S("gemini://h/a/."), "gemini", "h", -1, "/a/", NULL);
	parse_ok(S("gemini://h//a///b"), "gemini", "h", -1, "/a/b", NULL);
	parse_ok(S("gemini://h/dir"), "gemini", "h", -1, "/dir", NULL);
	parse_ok(S("gemini://h/dir/"), "gemini", "h", -1, "/dir/", NULL);
	/* percent-decoding, %2F is a separator */
	parse_ok(S("gemini://h/a%2Fb"), "gemini", "h", -1, "/a/b", NULL);
	parse_ok(S("gemini://h/caf%C3%A9%20au%20lait"), "gemini", "h", -1,
	    "/café au lait", NULL);
	parse_ok(S("gemini://h/caf\xc3\xa9"), "gemini", "h", -1, "/café",
	    NULL);
	parse_ok(S("gemini://h/a/%2e/b"), "gemini", "h", -1, "/a/b", NULL);
	parse_ok(S("gemini://h/a/b/%2E%2E/c"), "gemini", "h", -1, "/a/c",
	    NULL);
	parse_ok(S("gemini://h/.../..a"), "gemini", "h", -1, "/.../..a",
	    NULL);
	/* query raw, fragment only flagged */
	parse_ok(S("gemini://h/search?hello%20world"), "gemini", "h", -1,
	    "/search", "hello%20world");
	parse_ok(S("gemini://h/search?"), "gemini", "h", -1, "/search", "");
	parse_ok(S("gemini://h?q"), "gemini", "h", -1, "/", "q");
	parse_ok(S("gemini://h/p?a?b/../c"), "gemini", "h", -1, "/p",
	    "a?b/../c");
	/* ports */
	parse_ok(S("gemini://h:0/"), "gemini", "h", 0, "/", NULL);
	parse_ok(S("gemini://h:65535/"), "gemini", "h", 65535, "/", NULL);
	parse_ok(S("gemini://h:01965/"), "gemini", "h", 1965, "/", NULL);
	parse_ok(S("gemini://h:/"), "gemini", "h", -1, "/", NULL);
	/* IPv6 literal, no brackets, lowercased */
	parse_ok(S("gemini://[::1]:1965/"), "gemini", "::1", 1965, "/", NULL);
	parse_ok(S("gemini://[2001:DB8::1]/x"), "gemini", "2001:db8::1", -1,
	    "/x", NULL);
	parse_ok(S("gemini://[::ffff:127.0.0.1]"), "gemini",
	    "::ffff:127.0.0.1", -1, "/", NULL);
	parse_ok(S("gemini://127.0.0.1:1965/"), "gemini", "127.0.0.1", 1965,
	    "/", NULL);
	/* relative references and odd forms */
	parse_ok(S("/foo/bar"), NULL, NULL, -1, "/foo/bar", NULL);
	parse_ok(S("foo/bar"), NULL, NULL, -1, "/foo/bar", NULL);
	parse_ok(S(""), NULL, NULL, -1, "/", NULL);
	parse_ok(S("//h/x"), NULL, "h", -1, "/x", NULL);
	parse_ok(S("1abc:x"), NULL, NULL, -1, "/1abc:x", NULL);
	parse_ok(S("gemini:///p"), "gemini", "", -1, "/p", NULL);
	parse_ok(S("gemini:p"), "gemini", NULL, -1, "/p", NULL);
	/* "localhost:1965/" has the scheme "localhost" (RFC 3986) */
	parse_ok(S("localhost:1965/"), "localhost", NULL, -1, "/1965/", NULL);
	parse_ok(S("gemini://ex%41mple.org/"), "gemini", "example.org", -1,
	    "/", NULL);
	parse_ok(S("gemini://h/a[b]|c"), "gemini", "h", -1, "/a[b]|c", NULL);
}

/* Parse s (which must succeed) and keep *u for the caller's checks. */
static int
parse_keep(const char *s, size_t n, struct url *u)
{
	const char	*err;

	return url_parse(s, n, u, &err);
}

static void
test_flags(void)
{
	struct url	 u;
	int		 r;

	r = parse_keep(S("gemini://user@h/"), &u);
	ok(r == 0 && u.has_userinfo && strcmp(u.host, "h") == 0,
	    "userinfo flagged");
	url_free(&u);
	r = parse_keep(S("gemini://a@b@h:70/"), &u);
	ok(r == 0 && u.has_userinfo && strcmp(u.host, "h") == 0 &&
	    u.port == 70, "host after the last '@'");
	url_free(&u);
	r = parse_keep(S("gemini://h/#frag"), &u);
	ok(r == 0 && u.has_fragment && u.query == NULL, "fragment flagged");
	url_free(&u);
	r = parse_keep(S("gemini://h/?q#f"), &u);
	ok(r == 0 && u.has_fragment && strcmp(u.query, "q") == 0,
	    "query before fragment");
	url_free(&u);
	r = parse_keep(S("gemini://h/#"), &u);
	ok(r == 0 && u.has_fragment, "empty fragment flagged");
	url_free(&u);
	r = parse_keep(S("gemini://h/"), &u);
	ok(r == 0 && !u.has_fragment && !u.has_userinfo, "no flags");
	url_free(&u);
	url_free(&u);	/* freeing twice is harmless */
	ok(1, "url_free twice");
}

static void
test_parse_bad(void)
{
	/* traversal, plain and encoded */
	parse_bad(S("gemini://h/.."), "path escapes root", "/..");
	parse_bad(S("gemini://h/../etc/passwd"), "path escapes root",
	    "/../etc/passwd");
	parse_bad(S("gemini://h/a/../../etc"), "path escapes root",
	    "/a/../../etc");
	parse_bad(S("gemini://h/%2e%2e/etc/passwd"), "path escapes root",
	    "%2e%2e");
	parse_bad(S("gemini://h/%2E%2E"), "path escapes root", "%2E%2E");
	parse_bad(S("gemini://h/.%2e/x"), "path escapes root", ".%2e");
	parse_bad(S("gemini://h/a%2F..%2F..%2Fetc"), "path escapes root",
	    "%2F..%2F");
	parse_bad(S("gemini://h/%2F%2E%2E%2Fetc"), "path escapes root",
	    "%2F%2E%2E%2F");
	parse_bad(S("gemini://h/a/./../../b"), "path escapes root",
	    "dot then dotdot");
	parse_bad(S("../x"), "path escapes root", "relative ../x");
	/* NUL, raw and decoded */
	parse_bad(S("gemini://h/a\0b"), "NUL in URL", "raw NUL");
	parse_bad(S("gemini://h/a%00b"), "NUL in path", "%00 in path");
	parse_bad(S("gemini://h/?a%00"), NULL, "%00 in query");
	/* decoded controls (gopher fuzzer find: "/%0eM") */
	parse_bad(S("gemini://h/%0eM"), "control character in path",
	    "decoded control");
	parse_bad(S("gemini://h/a%0D%0Ab"), "control character in path",
	    "decoded CRLF");
	parse_bad(S("gemini://h/a%09b"), "control character in path",
	    "decoded TAB");
	parse_bad(S("gemini://h/a%7F"), "control character in path",
	    "decoded DEL");
	/* malformed escapes */
	parse_bad(S("gemini://h/%zz"), "bad percent escape", "%zz");
	parse_bad(S("gemini://h/%4"), "bad percent escape", "%4 at end");
	parse_bad(S("gemini://h/%"), "bad percent escape", "% at end");
	parse_bad(S("gemini://h/%g1"), "bad percent escape", "%g1");
	parse_bad(S("gemini://h/?%x1"), NULL, "bad escape in query");
	parse_bad(S("gemini://h%zz/"), NULL, "bad escape in host");
	parse_bad(S("gemini://h%00/"), NULL, "%00 in host");
	parse_bad(S("gemini://h%0a/"), "control character in host",
	    "%0a in host");
	/* controls and spaces */
	parse_bad(S("gemini://h/a b"), NULL, "space");
	parse_bad(S("gemini://h/a\tb"), NULL, "TAB");
	parse_bad(S("gemini://h/a\rb"), NULL, "CR");
	parse_bad(S("gemini://h/a\nb"), NULL, "LF");
	parse_bad(S("gemini://h/\x7f"), NULL, "DEL");
	parse_bad(S("gemini://h/\x01"), NULL, "C0 control");
	/* ports */
	parse_bad(S("gemini://h:65536/"), "bad port", "port 65536");
	parse_bad(S("gemini://h:99999999999999999999/"), "bad port",
	    "huge port");
	parse_bad(S("gemini://h:-1/"), "bad port", "negative port");
	parse_bad(S("gemini://h:abc/"), "bad port", "port abc");
	parse_bad(S("gemini://h:19x5/"), "bad port", "port 19x5");
	parse_bad(S("gemini://h:1:2/"), "bad port", "two colons");
	/* IPv6 */
	parse_bad(S("gemini://[::1/"), "bad IPv6 literal", "no ]");
	parse_bad(S("gemini://[]/"), "bad IPv6 literal", "empty []");
	parse_bad(S("gemini://[zz::1]/"), "bad IPv6 literal", "not hex");
	parse_bad(S("gemini://[::1]x/"), "bad IPv6 literal", "junk after ]");
	parse_bad(S("gemini://[fe80::1%25eth0]/"), "bad IPv6 literal",
	    "zone id");
	parse_bad(S("gemini://[v1.x]/"), "bad IPv6 literal", "IPvFuture");
	parse_bad(S("gemini://[1.2.3.4]/"), "bad IPv6 literal",
	    "IPv4 in brackets");
	parse_bad(S("gemini://::1/"), "bad port", "IPv6 without brackets");
	parse_bad(S("gemini://h]/"), "bad host", "] in host");
}

static void
test_normalize(void)
{
	norm("/", 0, "/");
	norm("/a/./b/../c", 0, "/a/c");
	norm("/a/b/..", 0, "/a/");
	norm("/a/b/../", 0, "/a/");
	norm("/a/.", 0, "/a/");
	norm("/./", 0, "/");
	norm("/.", 0, "/");
	norm("/a/..", 0, "/");
	norm("/a/b/../../", 0, "/");
	norm("//a//b//", 0, "/a/b/");
	norm("///", 0, "/");
	norm("/...", 0, "/...");
	norm("/..a/a..", 0, "/..a/a..");
	norm("/a/b/c/../../d", 0, "/a/d");
	norm("/..", -1, NULL);
	norm("/../", -1, NULL);
	norm("/a/../..", -1, NULL);
	norm("/a/./../../b", -1, NULL);
	norm("//..//a", -1, NULL);
	norm("a/b", -1, NULL);
	norm("", -1, NULL);
}

static void
test_decode(void)
{
	decode(S("a%20b"), 0, "a b");
	decode(S("%41%4a%4A%7e"), 0, "AJJ~");
	decode(S("a+b"), 0, "a+b");
	decode(S("%2e%2E"), 0, "..");
	decode(S("%C3%A9"), 0, "\xc3\xa9");
	decode(S(""), 0, "");
	decode(S("%"), -1, NULL);
	decode(S("%4"), -1, NULL);
	decode(S("%4g"), -1, NULL);
	decode(S("%g4"), -1, NULL);
	decode(S("%00"), -1, NULL);
	decode(S("a\0b"), -1, NULL);
	decode(S("%%41"), -1, NULL);
}

static void
test_decode_limit(void)
{
	struct buf	 b;

	buf_init(&b, 3);
	is_int(url_decode(S("abcd"), &b), -1, "decode past buffer max");
	buf_free(&b);
}

static void
test_utf8(void)
{
	is_int(url_valid_utf8(S("")), 1, "empty");
	is_int(url_valid_utf8(S("plain ascii")), 1, "ASCII");
	is_int(url_valid_utf8(S("caf\xc3\xa9")), 1, "2-byte");
	is_int(url_valid_utf8(S("\xe6\x97\xa5\xe6\x9c\xac")), 1, "3-byte");
	is_int(url_valid_utf8(S("\xf0\x9f\x98\x80")), 1, "4-byte");
	is_int(url_valid_utf8(S("\xed\x9f\xbf")), 1, "U+D7FF");
	is_int(url_valid_utf8(S("\xee\x80\x80")), 1, "U+E000");
	is_int(url_valid_utf8(S("\xf4\x8f\xbf\xbf")), 1, "U+10FFFF");
	is_int(url_valid_utf8(S("\xc0\xaf")), 0, "overlong 2-byte /");
	is_int(url_valid_utf8(S("\xc1\xbf")), 0, "overlong C1");
	is_int(url_valid_utf8(S("\xe0\x80\xaf")), 0, "overlong 3-byte");
	is_int(url_valid_utf8(S("\xe0\x9f\xbf")), 0, "overlong 3-byte max");
	is_int(url_valid_utf8(S("\xf0\x80\x80\xaf")), 0, "overlong 4-byte");
	is_int(url_valid_utf8(S("\xf0\x8f\xbf\xbf")), 0,
	    "overlong 4-byte max");
	is_int(url_valid_utf8(S("\xed\xa0\x80")), 0, "surrogate D800");
	is_int(url_valid_utf8(S("\xed\xbf\xbf")), 0, "surrogate DFFF");
	is_int(url_valid_utf8(S("\xf4\x90\x80\x80")), 0, "U+110000");
	is_int(url_valid_utf8(S("\xf5\x80\x80\x80")), 0, "F5 lead");
	is_int(url_valid_utf8(S("\xff")), 0, "FF");
	is_int(url_valid_utf8(S("\x80")), 0, "lone continuation");
	is_int(url_valid_utf8(S("\xe3\x81")), 0, "truncated 3-byte");
	is_int(url_valid_utf8(S("\xf0\x9f\x98")), 0, "truncated 4-byte");
	is_int(url_valid_utf8(S("\xc3")), 0, "truncated 2-byte");
	is_int(url_valid_utf8(S("\xc3x")), 0, "bad continuation");
	is_int(url_valid_utf8(S("\xe3\x81x")), 0, "bad 3rd byte");
	is_int(url_valid_utf8("\xc3\xa9", 1), 0, "length cuts a char");
}

static void
test_control(void)
{
	is_int(url_has_control(S("plain/caf\xc3\xa9 ~")), 0, "no control");
	is_int(url_has_control(S("a\tb")), 1, "TAB");
	is_int(url_has_control(S("a\0b")), 1, "NUL");
	is_int(url_has_control(S("\x1f")), 1, "US");
	is_int(url_has_control(S("\x7f")), 1, "DEL");
	is_int(url_has_control(S("\xc2\x85")), 0, "C1 as UTF-8 is text");
}

static void
test_encode(void)
{
	struct buf	 b, d;

	buf_init(&b, 1024);
	buf_init(&d, 1024);
	/* tap.h's ok() evaluates its condition twice: no side effects. */
	is_int(url_encode_path(&b, S("/a b/%?#caf\xc3\xa9")), 0, "encode");
	is_str(b.data, "/a%20b/%25%3F%23caf%C3%A9", "  encoded");
	is_int(url_decode(b.data, b.len, &d), 0, "  decodes");
	is_str(d.data, "/a b/%?#caf\xc3\xa9", "  round trip");
	buf_free(&b);
	buf_free(&d);
}

int
main(void)
{
	test_parse();
	test_flags();
	test_parse_bad();
	test_normalize();
	test_decode();
	test_decode_limit();
	test_utf8();
	test_control();
	test_encode();
	return tap_done();
}

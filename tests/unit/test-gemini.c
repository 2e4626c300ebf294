/*
 * test-gemini: request-line framing, request validation and response
 * headers (src/gemini.c), one check per rule of DESIGN.md section 5.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "url.h"
#include "tap.h"

#define S(x)	x, sizeof(x) - 1

static void
line(const char *s, size_t n, int want, size_t want_len, const char *name)
{
	size_t	 len = (size_t)-1;
	int	 r;

	r = gemini_request_line(s, n, &len);
	is_int(r, want, name);
	if (r == 1 && want == 1)
		is_int(len, want_len, "  line length");
}

/* A request "gemini://h/aaa...": exactly n bytes. */
static void
long_url(char *dst, size_t n)
{
	memcpy(dst, "gemini://h/", 11);
	memset(dst + 11, 'a', n - 11);
}

static void
test_request_line(void)
{
	char	 b[1100];

	line(S("gemini://h/\r\n"), 1, 11, "CRLF ends the line");
	line(S("gemini://h/\r\nextra"), 1, 11, "bytes after CRLF ignored");
	line(S(""), 0, 0, "nothing yet");
	line(S("gemini://h/"), 0, 0, "no line end yet");
	line(S("gemini://h/\r"), 0, 0, "CR, LF may follow");
	line(S("\r\n"), 1, 0, "empty line");
	line(S("gemini://h/\n"), -1, 0, "bare LF");
	line(S("\n"), -1, 0, "bare LF alone");
	line(S("gemini://h/\rx"), -1, 0, "CR not followed by LF");
	line(S("gemini://h/\r\r\n"), -1, 0, "CR CR LF");
	line(S("gem\0ini://h/\r\n"), 1, 12, "NUL is the parser's to refuse");

	memset(b, 'a', sizeof(b));
	b[1024] = '\r';
	b[1025] = '\n';
	line(b, 1026, 1, 1024, "1024 bytes + CRLF");
	line(b, 1025, 0, 0, "1024 bytes + CR");
	line(b, 1024, 0, 0, "1024 bytes, no CR yet");
	b[1024] = 'a';
	b[1025] = '\r';
	b[1026] = '\n';
	line(b, 1027, -1, 0, "1025 bytes + CRLF");
	line(b, 1025, -1, 0, "1025 bytes, refused before the CR");
	line(b, sizeof(b), -1, 0, "long junk without a line end");
}

static void
req_ok(const char *s, size_t n, const char *host, int port,
    const char *path, const char *query, const char *name)
{
	struct url	 u;
	const char	*err = NULL;
	int		 r;

	r = gemini_parse_request(s, n, &u, &err);
	is_int(r, 0, name);
	if (r != 0) {
		printf("#   err: %s\n", err ? err : "(null)");
		return;
	}
	is_str(u.scheme, "gemini", "  scheme");
	is_str(u.host, host, "  host");
	is_int(u.port, port, "  port");
	if (path != NULL)
		is_str(u.path, path, "  path");
	else
		is_int(strlen(u.path), n - 10, "  path length");
	is_str(u.query, query, "  query");
	url_free(&u);
}

static void
req_bad(const char *s, size_t n, int status, const char *name)
{
	struct url	 u;
	const char	*err = NULL;
	int		 r;

	r = gemini_parse_request(s, n, &u, &err);
	is_int(r, status, name);
	if (r == 0)
		url_free(&u);
	else
		ok(err != NULL && u.path == NULL && u.host == NULL,
		    "  reason \"%s\", nothing to free", err ? err : "");
}

static void
test_parse_request(void)
{
	char	 b[1100];

	req_ok(S("gemini://example.org/"), "example.org", -1, "/", NULL,
	    "plain request");
	req_ok(S("gemini://example.org"), "example.org", -1, "/", NULL,
	    "empty path is /");
	req_ok(S("GEMINI://EXAMPLE.ORG/Foo.gmi"), "example.org", -1,
	    "/Foo.gmi", NULL, "uppercase scheme and host");
	req_ok(S("gemini://example.org:1965/"), "example.org", 1965, "/",
	    NULL, "port kept for the router");
	req_ok(S("gemini://example.org:7/"), "example.org", 7, "/", NULL,
	    "other port is the router's to refuse");
	req_ok(S("gemini://[::1]:1965/"), "::1", 1965, "/", NULL,
	    "IPv6 literal");
	req_ok(S("gemini://127.0.0.1/"), "127.0.0.1", -1, "/", NULL,
	    "IPv4 literal");
	req_ok(S("gemini://h/a/../b/./c"), "h", -1, "/b/c", NULL,
	    "dot segments resolved");
	req_ok(S("gemini://h/dir/.."), "h", -1, "/", NULL,
	    "dotdot to the root is fine");
	req_ok(S("gemini://h/caf%C3%A9.gmi"), "h", -1, "/café.gmi", NULL,
	    "percent-decoded UTF-8");
	req_ok(S("gemini://h/\xe6\x97\xa5\xe8\xa8\x98/"), "h", -1,
	    "/日記/", NULL, "raw UTF-8 (IRI) path");
	req_ok(S("gemini://h/search?caf%C3%A9"), "h", -1, "/search",
	    "caf%C3%A9", "query stays encoded");

	/* 1024 bytes is the limit */
	long_url(b, 1024);
	req_ok(b, 1024, "h", -1, NULL, NULL, "1024-byte request");
	long_url(b, 1025);
	req_bad(b, 1025, 59, "1025-byte request");

	req_bad(S("gemini://h/\0"), 59, "NUL");
	req_bad(S("gemini://h/a%00"), 59, "encoded NUL");
	req_bad(S("gemini://h/\xc0\xaf"), 59, "overlong UTF-8");
	req_bad(S("gemini://h/\xe0\x80\xaf"), 59, "overlong 3-byte UTF-8");
	req_bad(S("gemini://h/\xed\xa0\x80"), 59, "surrogate");
	req_bad(S("gemini://h/\xe6\x97"), 59, "truncated UTF-8");
	req_bad(S("gemini://h/\xff"), 59, "invalid byte");
	req_bad(S("gemini://h/%FF"), 59, "decoded path not UTF-8");
	req_bad(S("gemini://h/%C0%AF"), 59, "decoded overlong");
	req_bad(S("gemini://user@h/"), 59, "userinfo");
	req_bad(S("gemini://user:pw@h/"), 59, "userinfo with password");
	req_bad(S("https://user@h/"), 59, "userinfo before scheme check");
	req_bad(S("gemini://h/#frag"), 59, "fragment");
	req_bad(S("gemini://h/#"), 59, "empty fragment");
	req_bad(S("/index.gmi"), 59, "relative reference");
	req_bad(S("//h/index.gmi"), 59, "network-path reference");
	req_bad(S("h/index.gmi"), 59, "no scheme");
	req_bad(S(""), 59, "empty request");
	req_bad(S("gemini:///x"), 59, "empty host");
	req_bad(S("gemini:x"), 59, "no authority");
	req_bad(S("gemini://h/../etc/passwd"), 59, "dotdot escape");
	req_bad(S("gemini://h/a/../../x"), 59, "deeper dotdot escape");
	req_bad(S("gemini://h/%2e%2e/etc/passwd"), 59, "%2e%2e escape");
	req_bad(S("gemini://h/%2E%2e%2Fetc"), 59, "%2E%2e%2F escape");
	req_bad(S("gemini://h/a%2F..%2F..%2Fetc"), 59, "%2F escape");
	req_bad(S("gemini://h/%zz"), 59, "bad percent escape");
	req_bad(S("gemini://h/a%0D%0Ab"), 59, "decoded CRLF");
	req_bad(S("gemini://h/%0eM"), 59, "decoded control");
	req_bad(S("gemini://h/a b"), 59, "space");
	req_bad(S("gemini://h/\t"), 59, "TAB");
	req_bad(S("gemini://h:65536/"), 59, "port out of range");
	req_bad(S("gemini://h:x/"), 59, "port not a number");
	req_bad(S("gemini://[::1/"), 59, "bad IPv6 literal");
	req_bad(S("gemini://[zz]/"), 59, "IPv6 literal not hex");

	req_bad(S("https://example.org/"), 53, "https");
	req_bad(S("HTTP://example.org/"), 53, "http uppercase");
	req_bad(S("gopher://example.org/"), 53, "gopher");
	req_bad(S("titan://example.org/x;size=1"), 53, "titan");
	req_bad(S("mailto:a@b"), 53, "mailto");
	req_bad(S("localhost:1965/"), 53, "host mistaken for a scheme");
	req_bad(S("geminix://h/"), 53, "scheme with gemini as prefix");
}

static void
header(int status, const char *meta, const char *want, const char *name)
{
	struct buf	 b;

	buf_init(&b, 4096);
	is_int(gemini_header(&b, status, meta), 0, name);
	is_str(b.data, want, "  bytes");
	buf_free(&b);
}

/* A header for n 'a' bytes followed by tail; returns META's length. */
static size_t
header_len(size_t n, const char *tail)
{
	struct buf	 b;
	char		 meta[4000];
	size_t		 len = 0;

	memset(meta, 'a', n);
	snprintf(meta + n, sizeof(meta) - n, "%s", tail);
	buf_init(&b, 4096);
	if (gemini_header(&b, 20, meta) == 0 && b.len >= 5 &&
	    memcmp(b.data + b.len - 2, "\r\n", 2) == 0)
		len = b.len - 5;
	buf_free(&b);
	return len;
}

static void
test_header(void)
{
	struct buf	 b;

	header(20, "text/gemini; charset=utf-8",
	    "20 text/gemini; charset=utf-8\r\n", "20 gemtext");
	header(20, "text/gemini; charset=utf-8; lang=ja",
	    "20 text/gemini; charset=utf-8; lang=ja\r\n", "20 with lang");
	header(31, "/dir/", "31 /dir/\r\n", "31 redirect");
	header(51, "Not found", "51 Not found\r\n", "51");
	header(10, "Search", "10 Search\r\n", "10 input");
	header(44, "5", "44 5\r\n", "44 slow down");
	header(59, "Bad request", "59 Bad request\r\n", "59");
	header(53, "", "53 \r\n", "empty META");
	header(52, NULL, "52 \r\n", "NULL META");
	header(40, "a\r\nb\rc\nd", "40 a  b c d\r\n",
	    "CR/LF in META become spaces");
	header(20, "\xe6\x97\xa5", "20 \xe6\x97\xa5\r\n", "UTF-8 META");

	is_int(header_len(1024, ""), 1024, "1024-byte META kept");
	is_int(header_len(1025, ""), 1024, "1025-byte META cut to 1024");
	is_int(header_len(3000, ""), 1024, "long META cut to 1024");
	is_int(header_len(1022, "\xc3\xa9"), 1024,
	    "2-byte char ending at 1024");
	is_int(header_len(1023, "\xc3\xa9"), 1023,
	    "2-byte char across 1024 dropped whole");
	is_int(header_len(1021, "\xe2\x82\xac"), 1024,
	    "3-byte char ending at 1024");
	is_int(header_len(1022, "\xe2\x82\xac"), 1022,
	    "3-byte char across 1024 dropped whole");
	is_int(header_len(1023, "\xe2\x82\xac"), 1023,
	    "3-byte char starting at 1023 dropped whole");
	is_int(header_len(1021, "\xf0\x9f\x98\x80"), 1021,
	    "4-byte char across 1024 dropped whole");
	is_int(header_len(1020, "\xf0\x9f\x98\x80"), 1024,
	    "4-byte char ending at 1024");

	buf_init(&b, 64);
	buf_puts(&b, "keep");
	is_int(gemini_header(&b, 9, "x"), -1, "status 9 refused");
	is_int(gemini_header(&b, 70, "x"), -1, "status 70 refused");
	is_int(gemini_header(&b, -20, "x"), -1, "negative status refused");
	is_str(b.data, "keep", "  out untouched");
	buf_free(&b);

	buf_init(&b, 10);
	buf_puts(&b, "ab");
	is_int(gemini_header(&b, 20, "text/gemini"), -1, "buffer full");
	is_int(b.len, 2, "  no half header left");
	is_str(b.data, "ab", "  out as it was");
	buf_free(&b);
}

int
main(void)
{
	test_request_line();
	test_parse_request();
	test_header();
	return tap_done();
}

/*
 * test-gopher: selector framing and parsing, menu lines, type-3 errors
 * and the "URL:" page (src/gopher.c), one check per rule of DESIGN.md
 * section 6.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gopher.h"
#include "tap.h"

#define S(x)	x, sizeof(x) - 1

static void
line(const char *s, size_t n, int want, size_t want_len, const char *name)
{
	size_t	 len = (size_t)-1;
	int	 r;

	r = gopher_request_line(s, n, &len);
	is_int(r, want, name);
	if (r == 1 && want == 1)
		is_int(len, want_len, "  line length");
}

static void
test_request_line(void)
{
	char	 b[1100];

	line(S("/\r\n"), 1, 1, "CRLF");
	line(S("/\n"), 1, 1, "bare LF");
	line(S("\r\n"), 1, 0, "empty selector, CRLF");
	line(S("\n"), 1, 0, "empty selector, bare LF");
	line(S("/a\r\nrest"), 1, 2, "bytes after the line end ignored");
	line(S(""), 0, 0, "nothing yet");
	line(S("/foo"), 0, 0, "no line end yet");
	line(S("/foo\r"), 0, 0, "CR, LF may follow");
	line(S("/a\rb\n"), 1, 4, "lone CR is the parser's to refuse");

	memset(b, 'a', sizeof(b));
	b[1024] = '\r';
	b[1025] = '\n';
	line(b, 1026, 1, 1024, "1024 bytes + CRLF");
	line(b, 1025, 0, 0, "1024 bytes + CR");
	b[1024] = '\n';
	line(b, 1025, 1, 1024, "1024 bytes + LF");
	b[1024] = 'a';
	line(b, 1024, 0, 0, "1024 bytes, no end yet");
	line(b, 1025, -1, 0, "1025 bytes without an end");
	b[1025] = '\n';
	line(b, 1026, -1, 0, "1025 bytes + LF");
	b[1025] = '\r';
	b[1026] = '\n';
	line(b, 1027, -1, 0, "1025 bytes + CRLF");
	b[1024] = '\r';
	b[1025] = 'x';
	line(b, 1026, -1, 0, "1024 bytes + CR + junk");
}

static void
sel_ok(const char *s, size_t n, const char *want, const char *search,
    const char *name)
{
	struct gopher_req	 r;
	const char		*err = NULL;
	int			 rc;

	rc = gopher_parse_request(s, n, &r, &err);
	is_int(rc, 0, name);
	if (rc != 0) {
		printf("#   err: %s\n", err ? err : "(null)");
		return;
	}
	is_str(r.selector, want, "  selector");
	is_str(r.search, search, "  search");
	is_int(r.is_url, 0, "  not URL:");
	is_int(r.trailing_slash, want[strlen(want) - 1] == '/',
	    "  trailing_slash");
	gopher_req_free(&r);
}

static void
sel_bad(const char *s, size_t n, const char *name)
{
	struct gopher_req	 r;
	const char		*err = NULL;
	int			 rc;

	rc = gopher_parse_request(s, n, &r, &err);
	is_int(rc, -1, name);
	if (rc == 0)
		gopher_req_free(&r);
	else
		ok(err != NULL && r.selector == NULL && r.search == NULL,
		    "  reason \"%s\", nothing to free", err ? err : "");
}

static void
test_parse(void)
{
	struct gopher_req	 r;
	const char		*err;
	char			 b[1100];
	int			 rc;

	/* the root */
	sel_ok(S(""), "/", NULL, "empty selector is the root");
	sel_ok(S("/"), "/", NULL, "/ is the root");
	/* robots.txt with and without the slash */
	sel_ok(S("robots.txt"), "/robots.txt", NULL, "robots.txt");
	sel_ok(S("/robots.txt"), "/robots.txt", NULL, "/robots.txt");
	sel_ok(S("posts/a"), "/posts/a", NULL, "relative selector");
	sel_ok(S("/posts/"), "/posts/", NULL, "directory");
	sel_ok(S("/posts"), "/posts", NULL, "no trailing slash");
	/* type prefixes */
	sel_ok(S("/1/posts/"), "/posts/", NULL, "/1/ stripped");
	sel_ok(S("/1/"), "/", NULL, "/1/ alone is the root");
	sel_ok(S("/0/a.txt"), "/a.txt", NULL, "/0/ stripped");
	sel_ok(S("/7/search"), "/search", NULL, "/7/ stripped");
	sel_ok(S("/9/f.zip"), "/f.zip", NULL, "/9/ stripped");
	sel_ok(S("/g/x.gif"), "/x.gif", NULL, "/g/ stripped");
	sel_ok(S("/I/x.png"), "/x.png", NULL, "/I/ stripped");
	sel_ok(S("/h/x.html"), "/x.html", NULL, "/h/ stripped");
	sel_ok(S("/s/x.mp3"), "/x.mp3", NULL, "/s/ stripped");
	sel_ok(S("/1/1/x"), "/1/x", NULL, "only one prefix stripped");
	sel_ok(S("/x/foo"), "/x/foo", NULL, "x is not an item type");
	sel_ok(S("/i/foo"), "/i/foo", NULL, "i is not stripped");
	sel_ok(S("/1"), "/1", NULL, "/1 without a slash is a name");
	sel_ok(S("/1foo/"), "/1foo/", NULL, "/1foo/ is a name");
	sel_ok(S("1/foo"), "/1/foo", NULL, "no leading slash, no prefix");
	/* search strings and Gopher+ */
	sel_ok(S("/search\thello world"), "/search", "hello world",
	    "search after TAB");
	sel_ok(S("/7/search\tq"), "/search", "q", "search with a prefix");
	sel_ok(S("/search\t"), "/search", "", "empty search");
	sel_ok(S("\tq"), "/", "q", "search on the root");
	sel_ok(S("/search\ta\tb"), "/search", "a\tb", "split at the first TAB");
	sel_ok(S("/search\t\xe6\x97\xa5\xe6\x9c\xac"), "/search",
	    "\xe6\x97\xa5\xe6\x9c\xac", "UTF-8 search");
	sel_ok(S("/search\t%41"), "/search", "%41", "search not decoded");
	sel_ok(S("/foo\t$"), "/foo", NULL, "Gopher+ \\t$ stripped");
	sel_ok(S("/foo\t+"), "/foo", NULL, "Gopher+ \\t+ stripped");
	sel_ok(S("\t+"), "/", NULL, "Gopher+ on the root");
	sel_ok(S("/search\tq\t+"), "/search", "q", "search plus Gopher+");
	sel_ok(S("/foo\t$x"), "/foo", "$x", "$x is a search, not Gopher+");
	/* decoding and normalisation */
	sel_ok(S("/my%20file.txt"), "/my file.txt", NULL, "%20 decoded");
	sel_ok(S("/my file.txt"), "/my file.txt", NULL, "raw space kept");
	sel_ok(S("/caf%C3%A9"), "/café", NULL, "encoded UTF-8");
	sel_ok(S("/caf\xc3\xa9"), "/café", NULL, "raw UTF-8");
	sel_ok(S("/a/./b/../c"), "/a/c", NULL, "dot segments");
	sel_ok(S("/a/b/.."), "/a/", NULL, "dotdot leaves a slash");
	sel_ok(S("//a//b"), "/a/b", NULL, "slash runs collapsed");
	sel_ok(S("/a%2Fb"), "/a/b", NULL, "%2F is a separator");

	memset(b, 'a', sizeof(b));
	b[0] = '/';
	b[1024] = '\0';
	sel_ok(b, 1024, b, NULL, "1024 bytes");
	b[1024] = 'a';
	sel_bad(b, 1025, "1025 bytes");

	/* traversal */
	sel_bad(S(".."), "..");
	sel_bad(S("../etc/passwd"), "../etc/passwd");
	sel_bad(S("/../etc/passwd"), "/../etc/passwd");
	sel_bad(S("/a/../../etc"), "/a/../../etc");
	sel_bad(S("/%2e%2e/etc/passwd"), "%2e%2e");
	sel_bad(S("/%2E%2E%2Fetc"), "%2E%2E%2F");
	sel_bad(S("/a%2F..%2F..%2Fetc"), "%2F..%2F");
	sel_bad(S("/1/../etc"), "dotdot after a type prefix");
	sel_bad(S("/1/%2e%2e"), "encoded dotdot after a type prefix");
	/* bytes that never belong in a selector */
	sel_bad(S("/a\0b"), "NUL");
	sel_bad(S("/a%00b"), "encoded NUL");
	sel_bad(S("/a\rb"), "CR inside");
	sel_bad(S("/a\nb"), "LF inside");
	sel_bad(S("/a\x1b[2J"), "escape sequence");
	sel_bad(S("/a\x7f"), "DEL");
	sel_bad(S("/search\tq\0"), "NUL in search");
	sel_bad(S("/\xc0\xaf"), "overlong UTF-8");
	sel_bad(S("/%C0%AF"), "encoded overlong UTF-8");
	sel_bad(S("/\xed\xa0\x80"), "surrogate");
	sel_bad(S("/%ED%A0%80"), "encoded surrogate");
	sel_bad(S("/\xe6\x97"), "truncated UTF-8");
	sel_bad(S("/%FF"), "encoded invalid byte");
	sel_bad(S("/search\t\xff"), "search not UTF-8");
	/* fuzzer find: a decoded control was accepted */
	sel_bad(S("/%0eM"), "decoded control (fuzz regression)");
	sel_bad(S("/a%0D%0A.%0D%0A"), "decoded CRLF");
	sel_bad(S("/a%09b"), "decoded TAB");
	sel_bad(S("/a%7f"), "decoded DEL");
	sel_bad(S("/100%"), "bad percent escape");
	sel_bad(S("/%zz"), "bad percent escape zz");

	/* URL: selectors stay raw */
	rc = gopher_parse_request(S("URL:https://example.org/a%20b?x=1"), &r,
	    &err);
	is_int(rc, 0, "URL: selector");
	if (rc == 0) {
		is_int(r.is_url, 1, "  is_url");
		is_str(r.selector, "URL:https://example.org/a%20b?x=1",
		    "  raw selector");
		is_str(r.search, NULL, "  no search");
		gopher_req_free(&r);
	}
	rc = gopher_parse_request(S("URL:http://x/\t+"), &r, &err);
	is_int(rc, 0, "URL: with Gopher+ suffix");
	if (rc == 0) {
		is_str(r.selector, "URL:http://x/", "  raw selector");
		gopher_req_free(&r);
	}
	sel_bad(S("URL:http://x/\xff"), "URL: not UTF-8");
	sel_bad(S("URL:http://x/\r"), "URL: with CR");
	sel_ok(S("url:x"), "/url:x", NULL, "url: lowercase is a path");
}

/* Number of TABs in s[0..n). */
static int
tabs(const char *s, size_t n)
{
	size_t	 i;
	int	 t = 0;

	for (i = 0; i < n; i++)
		t += s[i] == '\t';
	return t;
}

/* 1 if b holds exactly one line: CRLF only at its end, no other CR/LF. */
static int
one_line(const struct buf *b)
{
	return b->len >= 2 && b->data[b->len - 2] == '\r' &&
	    b->data[b->len - 1] == '\n' &&
	    memchr(b->data, '\r', b->len - 2) == NULL &&
	    memchr(b->data, '\n', b->len - 2) == NULL;
}

static void
item(char type, const char *d, size_t dlen, const char *sel,
    const char *host, unsigned port, const char *want, const char *name)
{
	struct buf	 b;

	buf_init(&b, 4096);
	is_int(gopher_item(&b, type, d, dlen, sel, host, port), 0, name);
	is_str(b.data, want, "  bytes");
	is_int(tabs(b.data, b.len), 3, "  exactly three TABs");
	ok(one_line(&b), "  one CRLF-terminated line");
	buf_free(&b);
}

static void
test_menu(void)
{
	struct buf	 b;

	item('1', S("Posts"), "/posts/", "example.org", 70,
	    "1Posts\t/posts/\texample.org\t70\r\n", "directory item");
	item('0', S("About"), "/about.txt", "h", 7070,
	    "0About\t/about.txt\th\t7070\r\n", "text item");
	item('h', S("Web"), "URL:https://x/", "h", 70,
	    "hWeb\tURL:https://x/\th\t70\r\n", "URL: item");
	item('1', S("a\tb\rc\nd"), "/s\te\r\n", "h", 70,
	    "1a b c d\t/s e  \th\t70\r\n", "TAB/CR/LF replaced by spaces");
	item('1', "ab\0cd", 5, "/", "h", 70,
	    "1ab cd\t/\th\t70\r\n", "NUL in display replaced");
	item('1', "abcdef", 3, "/", "h", 70,
	    "1abc\t/\th\t70\r\n", "display length respected");
	item('1', S(""), "", "h", 70, "1\t\th\t70\r\n", "empty fields");
	item('1', S("."), "/", "h", 70, "1.\t/\th\t70\r\n",
	    "display \".\" is a full line, not a terminator");
	item('9', S("x"), "/x", "h\tevil", 70, "9x\t/x\th evil\t70\r\n",
	    "TAB in host replaced");
	item('I', S("\xe6\x97\xa5"), "/%E6%97%A5.png", "h", 0,
	    "I\xe6\x97\xa5\t/%E6%97%A5.png\th\t0\r\n", "UTF-8 display");

	buf_init(&b, 4096);
	is_int(gopher_item(&b, '\t', S("x"), "/", "h", 70), -1,
	    "TAB as type refused");
	is_int(gopher_item(&b, ' ', S("x"), "/", "h", 70), -1,
	    "space as type refused");
	is_int(gopher_item(&b, '\n', S("x"), "/", "h", 70), -1,
	    "LF as type refused");
	is_int(gopher_item(&b, '\0', S("x"), "/", "h", 70), -1,
	    "NUL as type refused");
	is_int(gopher_item(&b, (char)0xe6, S("x"), "/", "h", 70), -1,
	    "non-ASCII type refused");
	is_int(b.len, 0, "  nothing written");

	/* info lines */
	is_int(gopher_info(&b, S("hello"), "h", 70), 0, "info line");
	is_str(b.data, "ihello\t\th\t70\r\n", "  bytes");
	is_int(tabs(b.data, b.len), 3, "  exactly three TABs");
	buf_reset(&b);
	is_int(gopher_info(&b, S(""), "h", 70), 0, "empty info line");
	is_str(b.data, "i\t\th\t70\r\n", "  bytes");
	buf_reset(&b);
	is_int(gopher_info(&b, S("."), "h", 70), 0, "info line \".\"");
	is_str(b.data, "i.\t\th\t70\r\n", "  never a lone \".\"");
	buf_reset(&b);
	is_int(gopher_info(&b, S("a\tb\r\nc"), "h", 70), 0,
	    "info line with TAB/CRLF");
	is_str(b.data, "ia b  c\t\th\t70\r\n", "  replaced by spaces");
	ok(one_line(&b) && tabs(b.data, b.len) == 3, "  one line, three TABs");
	buf_reset(&b);

	/* terminator */
	is_int(gopher_menu_end(&b), 0, "menu end");
	is_str(b.data, ".\r\n", "  .CRLF");
	buf_free(&b);

	/* failure leaves out as it was */
	buf_init(&b, 16);
	buf_puts(&b, "keep");
	is_int(gopher_item(&b, '1', S("a long display"), "/sel", "h", 70),
	    -1, "buffer full");
	is_str(b.data, "keep", "  out as it was");
	is_int(gopher_error(&b, "Not found", "/x"), -1, "error, buffer full");
	is_str(b.data, "keep", "  out as it was");
	buf_free(&b);
}

static void
test_complete_map(void)
{
	struct buf	 b;
	const char	*src;

	buf_init(&b, 4096);
	src = "Welcome\r\n"
	    "1Notes\tnotes/\r\n"
	    "0Abs\t/a.txt\r\n"
	    "hWeb\tURL:https://x/\r\n"
	    "1Elsewhere\tsub\tother.org\t71\r\n"
	    "1Port left out\tsub\tother.org\r\n"
	    "1Plus\t/p\t\t\t+\n"
	    ".\r\n"
	    "after the end\r\n";
	is_int(gopher_complete_map(&b, src, strlen(src), "dir", "h", 70), 0,
	    "gophermap completed");
	is_str(b.data, "iWelcome\t\th\t70\r\n"
	    "1Notes\t/dir/notes/\th\t70\r\n"
	    "0Abs\t/a.txt\th\t70\r\n"
	    "hWeb\tURL:https://x/\th\t70\r\n"
	    "1Elsewhere\tsub\tother.org\t71\r\n"
	    "1Port left out\tsub\tother.org\t70\r\n"
	    "1Plus\t/p\th\t70\r\n"
	    ".\r\n", "  text as info lines, ours completed, theirs kept, "
	    "nothing after \".\"");
	buf_reset(&b);
	is_int(gopher_complete_map(&b, "1x\ty", 4, "", "h", 70), 0,
	    "root gophermap without a line end");
	is_str(b.data, "1x\t/y\th\t70\r\n.\r\n", "  relative to /");
	buf_free(&b);
	buf_init(&b, 16);
	buf_puts(&b, "keep");
	src = "a line much longer than sixteen bytes\n";
	is_int(gopher_complete_map(&b, src, strlen(src), "", "h", 70), -1,
	    "gophermap, buffer full");
	is_str(b.data, "keep", "  out as it was");
	buf_free(&b);
}

static void
test_error(void)
{
	struct buf	 b;

	buf_init(&b, 4096);
	is_int(gopher_error(&b, "Not found", "/nope"), 0, "type-3 error");
	is_str(b.data, "3Not found\t/nope\terror.host\t1\r\n.\r\n",
	    "  one-line menu");
	buf_reset(&b);
	is_int(gopher_error(&b, "Bad\trequest\r\n", "/a\tb\r\n.\r\n"), 0,
	    "error with hostile selector");
	is_str(b.data, "3Bad request  \t/a b  .  \terror.host\t1\r\n.\r\n",
	    "  sanitised, still one line");
	buf_reset(&b);
	is_int(gopher_error(&b, "Selector too long", NULL), 0,
	    "error without selector");
	is_str(b.data, "3Selector too long\t\terror.host\t1\r\n.\r\n",
	    "  empty selector");
	buf_free(&b);
}

static void
url_page(const char *url, int want, const char *name)
{
	struct buf	 b;

	buf_init(&b, 8192);
	buf_puts(&b, "keep");
	is_int(gopher_url_page(&b, url), want, name);
	if (want == -1)
		is_str(b.data, "keep", "  nothing written");
	buf_free(&b);
}

static void
test_url_page(void)
{
	struct buf	 b;

	buf_init(&b, 8192);
	is_int(gopher_url_page(&b, "URL:https://example.org/a?b=1&c=2"), 0,
	    "URL: page");
	ok(strstr(b.data, "<meta http-equiv=\"refresh\" content=\"0; "
	    "url=https://example.org/a?b=1&amp;c=2\">") != NULL,
	    "  meta refresh, & escaped");
	ok(strstr(b.data, "<a href=\"https://example.org/a?b=1&amp;c=2\">")
	    != NULL, "  link");
	ok(strstr(b.data, "<!DOCTYPE html>") == b.data, "  an HTML page");
	buf_reset(&b);

	is_int(gopher_url_page(&b,
	    "URL:http://x/\"><script>alert('x')</script>"), 0,
	    "URL with quotes and angle brackets");
	ok(strstr(b.data, "<script") == NULL, "  no script tag");
	ok(strstr(b.data, "\"><") == NULL, "  attribute not closed early");
	ok(strstr(b.data, "http://x/%22%3E%3Cscript%3Ealert(%27x%27)"
	    "%3C/script%3E") != NULL, "  escaped");
	buf_reset(&b);

	is_int(gopher_url_page(&b, "gemini://example.org/caf\xc3\xa9 x"), 0,
	    "no URL: prefix, gemini");
	ok(strstr(b.data, "url=gemini://example.org/caf%C3%A9%20x\"") != NULL,
	    "  non-ASCII and space encoded");
	buf_free(&b);

	url_page("URL:gopher://example.org/1/", 0, "gopher scheme");
	url_page("URL:HTTPS://example.org/", 0, "uppercase scheme");
	url_page("URL:http://example.org", 0, "http without path");
	url_page("URL:javascript:alert(1)", -1, "javascript: refused");
	url_page("URL:JavaScript://%0Aalert(1)", -1,
	    "javascript:// refused");
	url_page("URL:data:text/html,<script>x</script>", -1,
	    "data: refused");
	url_page("URL:vbscript:x", -1, "vbscript: refused");
	url_page("URL:ftp://example.org/", -1, "ftp refused");
	url_page("URL:file:///etc/passwd", -1, "file: refused");
	url_page("URL:http:foo", -1, "http without //");
	url_page("URL:http://", -1, "http without host");
	url_page("URL:http:///x", -1, "http with empty host");
	url_page("URL:", -1, "empty");
	url_page("URL:http://x/\ty", -1, "control character");
	url_page("URL:http://x/\x7f", -1, "DEL");
	url_page("URL:httpx://x/", -1, "httpx");
	url_page("URL:ttp://x/", -1, "ttp");
}

int
main(void)
{
	test_request_line();
	test_parse();
	test_menu();
	test_complete_map();
	test_error();
	test_url_page();
	return tap_done();
}

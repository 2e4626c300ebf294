/*
 * test-proxyproto: PROXY protocol v1/v2 headers, valid and malformed,
 * whole and byte by byte (src/proxyproto.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "proxyproto.h"
#include "tap.h"

static const unsigned char sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* "addr port" of a parsed address, for comparisons. */
static const char *
fmt(const struct sockaddr_storage *ss, char *dst, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(dst, len, "%s %u", a, ntohs(s->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(dst, len, "%s %u", a, ntohs(s->sin6_port));
	} else
		snprintf(dst, len, "none");
	return dst;
}

/* A v2 header: 16 fixed bytes, then body (addresses and TLVs). */
static size_t
v2(unsigned char *dst, unsigned vercmd, unsigned famproto,
    const void *body, size_t blen)
{
	memcpy(dst, sig, 12);
	dst[12] = (unsigned char)vercmd;
	dst[13] = (unsigned char)famproto;
	dst[14] = (unsigned char)(blen >> 8);
	dst[15] = (unsigned char)blen;
	if (blen > 0)
		memcpy(dst + 16, body, blen);
	return 16 + blen;
}

/* Every proper prefix of a valid header asks for more bytes. */
static int
prefixes_need_more(const void *buf, size_t len)
{
	struct proxy_info	 pi;
	size_t			 i;

	for (i = 0; i < len; i++)
		if (proxyproto_parse(buf, i, &pi) != 0)
			return 0;
	return 1;
}

/* Malformed v1 lines: each must be refused. */
static const char *const v1_bad[] = {
	"PROXY TCP4 192.0.2.1 198.51.100.7 56324 65536\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 99999 1965\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 123456 1965\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 -1 1965\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 080 1965\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 80 +1965\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 80 \r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 80\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 80 1965 7\r\n",
	"PROXY TCP4 192.0.2.1  198.51.100.7 80 1965\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 80 1965 \r\n",
	"PROXY TCP4 192.0.2.256 198.51.100.7 80 1965\r\n",
	"PROXY TCP4 192.0.2 198.51.100.7 80 1965\r\n",
	"PROXY TCP4 192.0.02.1 198.51.100.7 80 1965\r\n",
	"PROXY TCP4 ::1 ::1 80 1965\r\n",
	"PROXY TCP6 192.0.2.1 198.51.100.7 80 1965\r\n",
	"PROXY TCP6 2001:db8:::1 ::1 80 1965\r\n",
	"PROXY TCP6 2001:db8::1%eth0 ::1 80 1965\r\n",
	"PROXY TCP5 192.0.2.1 198.51.100.7 80 1965\r\n",
	"PROXY tcp4 192.0.2.1 198.51.100.7 80 1965\r\n",
	"PROXY UNKNOWNX\r\n",
	"PROXY \r\n",
	"PROXY\r\n",
	"PROXY  TCP4 192.0.2.1 198.51.100.7 80 1965\r\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 80 1965\n",
	"PROXY TCP4 192.0.2.1 198.51.100.7 80 1965\rX",
	"PROXY TCP4 192.0.2.1\t198.51.100.7 80 1965\r\n",
	"proxy TCP4 192.0.2.1 198.51.100.7 80 1965\r\n",
	"PROXZ TCP4 192.0.2.1 198.51.100.7 80 1965\r\n",
	"GET / HTTP/1.0\r\n",
	"gemini://localhost/\r\n",
	"/\r\n",
};

static void
test_v1(void)
{
	struct proxy_info	 pi;
	char			 a[128], b[128], line[256];
	const char		*h;
	size_t			 n, i;

	h = "PROXY TCP4 192.0.2.1 198.51.100.7 56324 1965\r\nGET";
	n = strlen(h) - 3;
	is_int(proxyproto_parse(h, strlen(h), &pi), n, "v1 TCP4 length");
	is_int(pi.version, 1, "v1 version");
	is_int(pi.local, 0, "v1 TCP4 not local");
	is_str(fmt(&pi.src, a, sizeof(a)), "192.0.2.1 56324", "v1 TCP4 src");
	is_str(fmt(&pi.dst, b, sizeof(b)), "198.51.100.7 1965",
	    "v1 TCP4 dst");
	ok(prefixes_need_more(h, n), "v1 TCP4 prefixes need more");

	h = "PROXY TCP6 2001:db8::1 ::1 65535 0\r\n";
	is_int(proxyproto_parse(h, strlen(h), &pi), strlen(h), "v1 TCP6");
	is_str(fmt(&pi.src, a, sizeof(a)), "2001:db8::1 65535",
	    "v1 TCP6 src");
	is_str(fmt(&pi.dst, b, sizeof(b)), "::1 0", "v1 TCP6 dst");

	h = "PROXY TCP6 ::ffff:192.0.2.9 ::1 1 2\r\n";
	is_int(proxyproto_parse(h, strlen(h), &pi), strlen(h),
	    "v1 TCP6 v4-mapped");

	h = "PROXY UNKNOWN\r\n";
	is_int(proxyproto_parse(h, strlen(h), &pi), strlen(h), "v1 UNKNOWN");
	is_int(pi.local, 1, "v1 UNKNOWN is local");
	is_int(pi.src.ss_family, 0, "v1 UNKNOWN no address");
	h = "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n";
	is_int(proxyproto_parse(h, strlen(h), &pi), strlen(h),
	    "v1 UNKNOWN with ignored addresses");

	/* The longest legal line is exactly 107 bytes. */
	h = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	is_int(strlen(h), 104, "longest real v1 line");
	is_int(proxyproto_parse(h, strlen(h), &pi), 104, "v1 longest");
	memset(line, 0, sizeof(line));
	memcpy(line, "PROXY UNKNOWN ", 14);
	memset(line + 14, 'x', 105 - 14);
	memcpy(line + 105, "\r\n", 2);
	is_int(proxyproto_parse(line, 107, &pi), 107, "v1 107 bytes");
	memset(line + 14, 'x', 106 - 14);
	memcpy(line + 106, "\r\n", 2);
	is_int(proxyproto_parse(line, 108, &pi), -1, "v1 108 bytes");
	is_int(proxyproto_parse(line, 106, &pi), 0,
	    "v1 106 bytes without CRLF: more");
	is_int(proxyproto_parse(line, 107, &pi), -1,
	    "v1 107 bytes ending in CR: invalid");
	memset(line + 14, 'x', 200 - 14);
	is_int(proxyproto_parse(line, 200, &pi), -1, "v1 no CRLF in 200");

	/* Malformed lines. */

	for (i = 0; i < sizeof(v1_bad) / sizeof(v1_bad[0]); i++) {
		snprintf(a, sizeof(a), "v1 malformed %zu: %.*s", i,
		    (int)strcspn(v1_bad[i], "\r\n"), v1_bad[i]);
		is_int(proxyproto_parse(v1_bad[i], strlen(v1_bad[i]), &pi), -1, a);
	}
	is_int(proxyproto_parse("PROXY TCP4 1.2.3.4\x80", 19, &pi), -1,
	    "v1 non-ASCII byte");
	is_int(proxyproto_parse("PROXY TCP4 1.2.3.4\0", 19, &pi), -1,
	    "v1 NUL byte");
	is_int(proxyproto_parse("PRO", 3, &pi), 0, "v1 short prefix: more");
	is_int(proxyproto_parse("PRX", 3, &pi), -1, "v1 wrong short prefix");
	is_int(proxyproto_parse("", 0, &pi), 0, "empty: more");
}

static void
test_v2(void)
{
	struct proxy_info	 pi;
	unsigned char		 h[1024], body[512];
	char			 a[128], b[128];
	size_t			 n, i;

	/* TCP over IPv4: 192.0.2.1:56324 -> 198.51.100.7:1965 */
	memcpy(body, "\xc0\x00\x02\x01\xc6\x33\x64\x07\xdc\x04\x07\xad", 12);
	n = v2(h, 0x21, 0x11, body, 12);
	memcpy(h + n, "\x16\x03\x01", 3);
	is_int(proxyproto_parse(h, n + 3, &pi), 28, "v2 INET length");
	is_int(pi.version, 2, "v2 version");
	is_int(pi.local, 0, "v2 INET not local");
	is_str(fmt(&pi.src, a, sizeof(a)), "192.0.2.1 56324", "v2 INET src");
	is_str(fmt(&pi.dst, b, sizeof(b)), "198.51.100.7 1965",
	    "v2 INET dst");
	ok(prefixes_need_more(h, n), "v2 INET prefixes need more");

	/* TCP over IPv6 with TLVs (ALPN, authority, NOOP padding). */
	memset(body, 0, 36);
	body[0] = 0x20; body[1] = 0x01; body[2] = 0x0d; body[3] = 0xb8;
	body[15] = 0x01;
	body[31] = 0x01;
	body[32] = 0x1f; body[33] = 0x90;	/* 8080 */
	body[34] = 0x1b; body[35] = 0x9e;	/* 7070 */
	memcpy(body + 36, "\x01\x00\x02h2", 5);
	memcpy(body + 41, "\x02\x00\x09localhost", 12);
	memcpy(body + 53, "\x04\x00\x00", 3);
	n = v2(h, 0x21, 0x21, body, 56);
	is_int(proxyproto_parse(h, n, &pi), 72, "v2 INET6 with TLVs");
	is_str(fmt(&pi.src, a, sizeof(a)), "2001:db8::1 8080",
	    "v2 INET6 src");
	is_str(fmt(&pi.dst, b, sizeof(b)), "::1 7070", "v2 INET6 dst");
	ok(prefixes_need_more(h, n), "v2 INET6 prefixes need more");

	/* A TLV that overruns the header. */
	memcpy(body + 53, "\x04\x00\x01", 3);
	n = v2(h, 0x21, 0x21, body, 56);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 TLV overrun");
	n = v2(h, 0x21, 0x21, body, 38);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 truncated TLV header");

	/* LOCAL: HAProxy's health check; addresses ignored. */
	n = v2(h, 0x20, 0x00, NULL, 0);
	is_int(proxyproto_parse(h, n, &pi), 16, "v2 LOCAL");
	is_int(pi.local, 1, "v2 LOCAL is local");
	n = v2(h, 0x20, 0x11, body, 12);
	is_int(proxyproto_parse(h, n, &pi), 28, "v2 LOCAL with INET block");
	is_int(pi.local, 1, "v2 LOCAL ignores the block");
	is_int(pi.src.ss_family, 0, "v2 LOCAL has no address");

	/* PROXY with UNSPEC or UNIX: use the real peer. */
	n = v2(h, 0x21, 0x00, NULL, 0);
	is_int(proxyproto_parse(h, n, &pi), 16, "v2 UNSPEC");
	is_int(pi.local, 1, "v2 UNSPEC is local");
	memset(body, 'x', 216);
	n = v2(h, 0x21, 0x31, body, 216);
	is_int(proxyproto_parse(h, n, &pi), 232, "v2 UNIX");
	is_int(pi.local, 1, "v2 UNIX is local");

	/* Malformed. */
	n = v2(h, 0x21, 0x11, body, 11);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 INET block too short");
	n = v2(h, 0x21, 0x11, body, 11);
	is_int(proxyproto_parse(h, 16, &pi), -1,
	    "v2 INET block too short, known before the body");
	n = v2(h, 0x21, 0x21, body, 12);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 INET6 block too short");
	n = v2(h, 0x21, 0x31, body, 100);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 UNIX block too short");
	n = v2(h, 0x11, 0x11, body, 12);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 version 1 in binary");
	n = v2(h, 0x31, 0x11, body, 12);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 version 3");
	is_int(proxyproto_parse(h, 13, &pi), -1, "v2 bad version early");
	n = v2(h, 0x22, 0x11, body, 12);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 command 2");
	n = v2(h, 0x21, 0x41, body, 12);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 family 4");
	n = v2(h, 0x21, 0x12, body, 12);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 INET over DGRAM");
	n = v2(h, 0x21, 0x10, body, 12);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 INET, UNSPEC transport");
	n = v2(h, 0x21, 0x13, body, 12);
	is_int(proxyproto_parse(h, n, &pi), -1, "v2 transport 3");
	for (i = 0; i < 12; i++) {
		n = v2(h, 0x21, 0x11, body, 12);
		h[i] ^= 0x20;
		if (proxyproto_parse(h, n, &pi) != -1)
			break;
	}
	is_int(i, 12, "v2 any signature byte wrong");
	memcpy(h, sig, 5);
	h[5] = 0;
	is_int(proxyproto_parse(h, 6, &pi), -1, "v2 short wrong signature");
	is_int(proxyproto_parse(h, 4, &pi), 0, "v2 short signature: more");

	/* Length field near its maximum: waits, never overreads. */
	n = v2(h, 0x21, 0x11, body, 12);
	h[14] = 0xff;
	h[15] = 0xff;
	is_int(proxyproto_parse(h, n, &pi), 0, "v2 65535 body: more");

	/* Captured from HAProxy 2.6 with send-proxy-v2: a health check (LOCAL),
	 * then a client at 127.0.0.1:42630 with its request behind. */
	memcpy(h, sig, 12);
	memcpy(h + 12, "\x20\x00\x00\x00", 4);
	is_int(proxyproto_parse(h, 16, &pi), 16, "HAProxy health check");
	is_int(pi.local, 1, "HAProxy health check is LOCAL");
	memcpy(h + 12, "\x21\x11\x00\x0c\x7f\x00\x00\x01\x7f\x00\x00\x01"
	    "\xa6\x86\x7c\xdd" "gemini://x/\r\n", 29);
	is_int(proxyproto_parse(h, 41, &pi), 28, "HAProxy client header");
	is_str(fmt(&pi.src, a, sizeof(a)), "127.0.0.1 42630", "HAProxy client");
	is_str(fmt(&pi.dst, b, sizeof(b)), "127.0.0.1 31965",
	    "HAProxy frontend");

	/* TLS and garbage are not headers. */
	is_int(proxyproto_parse("\x16\x03\x01\x02\x00", 5, &pi), -1,
	    "TLS ClientHello");
	is_int(proxyproto_parse("\r\n\r\n", 4, &pi), 0,
	    "CRLFCRLF is a v2 prefix: more");
	is_int(proxyproto_parse("\r\n\r\nX", 5, &pi), -1, "CRLFCRLF X");
}

int
main(void)
{
	test_v1();
	test_v2();
	return tap_done();
}

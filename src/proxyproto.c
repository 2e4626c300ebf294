/*
 * proxyproto: PROXY protocol v1 and v2 header parsing (see proxyproto.h
 * and HAProxy's proxy-protocol.txt).  Bytes in, addresses out: no
 * sockets, no logging, no allocation.
 */
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "proxyproto.h"

#define V1_PREFIX	"PROXY "
#define V1_PREFIX_LEN	6
#define V2_SIG_LEN	12
#define V2_HDR_LEN	16

#define V2_CMD_LOCAL	0x0
#define V2_CMD_PROXY	0x1
#define V2_AF_UNSPEC	0x0
#define V2_AF_INET	0x1
#define V2_AF_INET6	0x2
#define V2_AF_UNIX	0x3
#define V2_STREAM	0x1

static const unsigned char v2_sig[V2_SIG_LEN] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* A v1 port: 1 to 5 digits, no leading zero, at most 65535. */
static int
v1_port(const char *s, in_port_t *port)
{
	unsigned long	 v = 0;
	size_t		 i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 5 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = htons((in_port_t)v);
	return 0;
}

static int
v1_addr(int af, const char *addr, const char *port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		sin->sin_family = AF_INET;
		if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1 ||
		    v1_port(port, &sin->sin_port) == -1)
			return -1;
	} else {
		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) != 1 ||
		    v1_port(port, &sin6->sin6_port) == -1)
			return -1;
	}
	return 0;
}

/*
 * "PROXY TCP4|TCP6 SRC DST SPORT DPORT\r\n" or "PROXY UNKNOWN ...\r\n",
 * single spaces, at most 107 bytes.  Any control or non-ASCII byte on
 * the line is refused: a sender that emits one is not a proxy we trust.
 */
static int
parse_v1(const unsigned char *p, size_t len, struct proxy_info *out)
{
	char		 line[PROXYPROTO_V1_MAX + 1], *f[5], *s;
	size_t		 n, i, end, nf;
	int		 af;

	n = len < V1_PREFIX_LEN ? len : V1_PREFIX_LEN;
	if (memcmp(p, V1_PREFIX, n) != 0)
		return -1;
	n = len < PROXYPROTO_V1_MAX ? len : PROXYPROTO_V1_MAX;
	for (end = 0; end < n; end++) {
		if (p[end] == '\r')
			break;
		if (p[end] < 0x20 || p[end] > 0x7e)
			return -1;
	}
	if (end == n)
		return len >= PROXYPROTO_V1_MAX ? -1 : 0;
	if (end + 1 == PROXYPROTO_V1_MAX)
		return -1;
	if (end + 1 == len)
		return 0;
	if (p[end + 1] != '\n')
		return -1;

	memcpy(line, p, end);
	line[end] = '\0';
	s = line + V1_PREFIX_LEN;
	if (strcmp(s, "UNKNOWN") == 0 || strncmp(s, "UNKNOWN ", 8) == 0) {
		out->version = 1;
		out->local = 1;
		return (int)(end + 2);
	}
	if (strncmp(s, "TCP4 ", 5) == 0)
		af = AF_INET;
	else if (strncmp(s, "TCP6 ", 5) == 0)
		af = AF_INET6;
	else
		return -1;
	s += 5;

	/* Exactly four fields, one space apart. */
	nf = 0;
	f[nf++] = s;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != ' ')
			continue;
		if (nf == 4)
			return -1;
		s[i] = '\0';
		f[nf++] = s + i + 1;
	}
	if (nf != 4)
		return -1;
	for (i = 0; i < nf; i++)
		if (f[i][0] == '\0')
			return -1;
	if (v1_addr(af, f[0], f[2], &out->src) == -1 ||
	    v1_addr(af, f[1], f[3], &out->dst) == -1)
		return -1;
	out->version = 1;
	return (int)(end + 2);
}

/* TLVs are skipped, but each must fit in the header exactly: a length
 * that overruns means the sender and we disagree about the framing. */
static int
v2_tlvs_ok(const unsigned char *p, size_t off, size_t total)
{
	size_t tlen;

	while (off < total) {
		if (total - off < 3)
			return 0;
		tlen = (size_t)p[off + 1] << 8 | p[off + 2];
		if (tlen > total - off - 3)
			return 0;
		off += 3 + tlen;
	}
	return 1;
}

static int
parse_v2(const unsigned char *p, size_t len, struct proxy_info *out)
{
	struct sockaddr_in	*s4, *d4;
	struct sockaddr_in6	*s6, *d6;
	size_t			 n, blen, total, need;
	unsigned		 cmd, fam, proto;

	n = len < V2_SIG_LEN ? len : V2_SIG_LEN;
	if (memcmp(p, v2_sig, n) != 0)
		return -1;
	if (len > V2_SIG_LEN && (p[12] >> 4) != 2)
		return -1;
	if (len > V2_SIG_LEN && (p[12] & 0x0f) > V2_CMD_PROXY)
		return -1;
	if (len < V2_HDR_LEN)
		return 0;

	cmd = p[12] & 0x0f;
	fam = p[13] >> 4;
	proto = p[13] & 0x0f;
	blen = (size_t)p[14] << 8 | p[15];
	total = V2_HDR_LEN + blen;
	out->version = 2;

	/* LOCAL: the balancer talking for itself; the block is ignored. */
	if (cmd == V2_CMD_LOCAL) {
		if (len < total)
			return 0;
		out->local = 1;
		return (int)total;
	}

	switch (fam) {
	case V2_AF_UNSPEC:
		need = 0;
		break;
	case V2_AF_INET:
		need = 12;
		break;
	case V2_AF_INET6:
		need = 36;
		break;
	case V2_AF_UNIX:
		need = 216;
		break;
	default:
		return -1;
	}
	if ((fam == V2_AF_INET || fam == V2_AF_INET6) && proto != V2_STREAM)
		return -1;
	if (blen < need)
		return -1;
	if (len < total)
		return 0;
	if (fam != V2_AF_UNSPEC && !v2_tlvs_ok(p, V2_HDR_LEN + need, total))
		return -1;

	p += V2_HDR_LEN;
	switch (fam) {
	case V2_AF_INET:
		s4 = (struct sockaddr_in *)&out->src;
		d4 = (struct sockaddr_in *)&out->dst;
		s4->sin_family = d4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p, 4);
		memcpy(&d4->sin_addr, p + 4, 4);
		memcpy(&s4->sin_port, p + 8, 2);
		memcpy(&d4->sin_port, p + 10, 2);
		break;
	case V2_AF_INET6:
		s6 = (struct sockaddr_in6 *)&out->src;
		d6 = (struct sockaddr_in6 *)&out->dst;
		s6->sin6_family = d6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p, 16);
		memcpy(&d6->sin6_addr, p + 16, 16);
		memcpy(&s6->sin6_port, p + 32, 2);
		memcpy(&d6->sin6_port, p + 34, 2);
		break;
	default:
		/* No IP address to use: fall back to the real peer. */
		out->local = 1;
		break;
	}
	return (int)total;
}

int
proxyproto_parse(const void *buf, size_t len, struct proxy_info *out)
{
	const unsigned char *p = buf;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return 0;
	if (p[0] == 'P')
		return parse_v1(p, len, out);
	if (p[0] == v2_sig[0])
		return parse_v2(p, len, out);
	return -1;
}

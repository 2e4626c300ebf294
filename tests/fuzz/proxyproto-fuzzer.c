/*
 * proxyproto-fuzzer: libFuzzer entry for the PROXY protocol v1/v2 parser
 * (src/proxyproto.c).  Checks the length contract, that prefixes of a
 * header ask for more, and that parsed addresses survive a re-encoding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "proxyproto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0 &&
		    ((const struct sockaddr_in *)a)->sin_port ==
		    ((const struct sockaddr_in *)b)->sin_port;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0 &&
		    ((const struct sockaddr_in6 *)a)->sin6_port ==
		    ((const struct sockaddr_in6 *)b)->sin6_port;
	return 0;
}

/* The v1 line for a parsed header, written independently. */
static size_t
v1_line(const struct proxy_info *pi, char *dst, size_t len)
{
	char		 s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	unsigned	 sp, dp;
	int		 n;

	if (pi->src.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)&pi->src;
		const struct sockaddr_in *b = (const void *)&pi->dst;

		inet_ntop(AF_INET, &a->sin_addr, s, sizeof(s));
		inet_ntop(AF_INET, &b->sin_addr, d, sizeof(d));
		sp = ntohs(a->sin_port);
		dp = ntohs(b->sin_port);
	} else {
		const struct sockaddr_in6 *a = (const void *)&pi->src;
		const struct sockaddr_in6 *b = (const void *)&pi->dst;

		inet_ntop(AF_INET6, &a->sin6_addr, s, sizeof(s));
		inet_ntop(AF_INET6, &b->sin6_addr, d, sizeof(d));
		sp = ntohs(a->sin6_port);
		dp = ntohs(b->sin6_port);
	}
	n = snprintf(dst, len, "PROXY %s %s %s %u %u\r\n",
	    pi->src.ss_family == AF_INET ? "TCP4" : "TCP6", s, d, sp, dp);
	return (size_t)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_info	 pi, pi2;
	char			 line[256];
	uint8_t			*copy;
	size_t			 n;
	int			 r, r2;

	/* An exact-size copy so ASan sees any read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	r = proxyproto_parse(copy, size, &pi);
	if (r < -1 || (r > 0 && (size_t)r > size) || r > PROXYPROTO_V2_MAX)
		abort();
	if (r == 0 && size >= PROXYPROTO_V2_MAX)
		abort();
	if (r > 0) {
		if (pi.version != 1 && pi.version != 2)
			abort();
		if (pi.version == 1 && r > PROXYPROTO_V1_MAX)
			abort();
		if (pi.local && (pi.src.ss_family != 0 ||
		    pi.dst.ss_family != 0))
			abort();
		if (!pi.local && ((pi.src.ss_family != AF_INET &&
		    pi.src.ss_family != AF_INET6) ||
		    pi.src.ss_family != pi.dst.ss_family))
			abort();
		/* The header alone parses the same; one byte less waits. */
		if (proxyproto_parse(copy, (size_t)r, &pi2) != r ||
		    proxyproto_parse(copy, (size_t)r - 1, &pi2) != 0)
			abort();
		if (!pi.local) {
			n = v1_line(&pi, line, sizeof(line));
			r2 = proxyproto_parse(line, n, &pi2);
			if (r2 != (int)n || !same_addr(&pi.src, &pi2.src) ||
			    !same_addr(&pi.dst, &pi2.dst))
				abort();
		}
	} else if (size > 0) {
		/* A prefix of something that waits also waits; a prefix of
		 * something invalid is invalid or waits. */
		r2 = proxyproto_parse(copy, size - 1, &pi2);
		if (r == 0 && r2 != 0)
			abort();
	}
	free(copy);
	return 0;
}

/*
 * proxyproto: the PROXY protocol header (v1 text and v2 binary) that a
 * load balancer such as HAProxy or nginx stream puts in front of a
 * proxied connection to name the real client.  A pure parser.
 */
#ifndef CAPSULED_PROXYPROTO_H
#define CAPSULED_PROXYPROTO_H

#include <stddef.h>

#include <sys/socket.h>

#define PROXYPROTO_V1_MAX	107		/* whole line with CRLF */
#define PROXYPROTO_V2_MAX	(16 + 65535)	/* fixed part + length */

struct proxy_info {
	int			 version;	/* 1 or 2 */
	/*
	 * 1 for a v2 LOCAL command (the balancer's own health check), a
	 * v1 UNKNOWN line or a family we cannot use (AF_UNSPEC, AF_UNIX):
	 * src and dst are zeroed and the real peer address applies.
	 */
	int			 local;
	struct sockaddr_storage	 src;		/* the client */
	struct sockaddr_storage	 dst;		/* what it connected to */
};

/*
 * Parse the header at the start of buf.  Returns the header's length
 * (the bytes to drop before the TLS or Gopher stream starts), 0 when buf
 * is a valid beginning but more bytes are needed, or -1 when it is not a
 * valid header (the connection must then be closed: a listener with
 * PROXY enabled never falls back to the raw stream).  At most
 * PROXYPROTO_V2_MAX bytes are ever needed.
 */
int	proxyproto_parse(const void *buf, size_t len, struct proxy_info *out);

#endif

/*
 * listen: the listening sockets.  Sockets are created and bound by hand
 * (SO_REUSEPORT, IPv6-only where asked, a deep backlog) so that they can
 * be bound before privileges are dropped and so that each worker can
 * have its own.
 */
#ifndef CAPSULED_LISTEN_H
#define CAPSULED_LISTEN_H

#include <stddef.h>

#include <uv.h>

#include "conn.h"

struct conf;

struct listener {
	uv_tcp_t	 tcp;
	struct server	*srv;
	enum proto	 proto;
	int		 proxy;		/* PROXY header expected */
	size_t		 index;		/* entry in conf.listen */
	int		 fd;		/* bound socket, before uv_tcp_open */
	char		 addr[64];
	unsigned	 port;
};

/*
 * Bind every listen entry of conf for both protocols.  A port of 0 binds
 * an ephemeral port; the one chosen is written into ports[] (one pair per
 * entry, at least one entry), so that later calls for other workers bind
 * the same ports.  Returns 0, or -1 with *err.
 */
int	listen_bind(const struct conf *, unsigned (*ports)[2],
	    struct listener **, size_t *, const char **err);

/* Start accepting on the server's loop. */
int	listen_start(struct server *, struct listener *, size_t);

/* Stop accepting (closes the handles). */
void	listen_stop(struct listener *, size_t);

#endif

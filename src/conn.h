/*
 * conn: one client connection from accept to close: read the request
 * (through TLS for Gemini), ask the router, stream the reply with
 * backpressure, close_notify, close.  Its state machine is all here.
 */
#ifndef CAPSULED_CONN_H
#define CAPSULED_CONN_H

#include <uv.h>

struct conf;

enum proto {
	PROTO_GEMINI,
	PROTO_GOPHER
};

/* One event loop and what it serves; one per worker thread. */
struct server {
	uv_loop_t		*loop;
	const struct conf	*conf;
	unsigned		 nconns;	/* open connections */
	int			 stopping;	/* no new requests */
	struct conn		*conns;		/* all open connections */
	char			 rbuf[65536];	/* read slab: reads are
						   consumed before the next */
};

/* Take a new connection from a listener: accepts it or refuses it. */
void	conn_accept(struct server *, uv_stream_t *listener, enum proto);

/* Shutting down: close connections that have not sent a request yet
 * (all of them when force is set); the rest finish their responses. */
void	conn_drain(struct server *, int force);

#endif

/*
 * conn: one client connection from accept to close: an optional PROXY
 * header, the request (through TLS for Gemini, and for Gopher when the
 * client starts with a TLS record), the router's answer streamed with
 * backpressure, close_notify, close.  Its state machine is all here.
 */
#ifndef CAPSULED_CONN_H
#define CAPSULED_CONN_H

#include <stdatomic.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"

struct limiter;

enum proto {
	PROTO_GEMINI,
	PROTO_GOPHER
};

/*
 * A loaded configuration and everything built from it (certificates,
 * stores, limits).  A reload makes a new one; each connection keeps the
 * one it was accepted under, so nothing it uses changes or goes away
 * under it.  The last reference frees it through release().
 */
struct generation {
	atomic_uint	 refs;
	struct conf	 conf;
	struct limiter	*limiter;
	void		(*release)(struct generation *);
};

struct generation *gen_ref(struct generation *);
void		 gen_unref(struct generation *);

/* One event loop and what it serves; one per worker thread. */
struct server {
	uv_loop_t		*loop;
	struct generation	*gen;		/* for new connections */
	atomic_uint		*total;		/* connections, all workers */
	unsigned		 nconns;	/* open connections here */
	int			 stopping;	/* no new requests */
	struct conn		*conns;		/* all open connections */
	int			 reserve_fd;	/* given up to shed connections
						   when out of descriptors */
	uint64_t		 emfile_logged;	/* uv_now of the last warning */
	char			 rbuf[65536];	/* read slab: reads are
						   consumed before the next */
};

/* Take a new connection from a listener: accepts it or refuses it.
 * proxy: a PROXY protocol header comes first; index: the listen entry in
 * the configuration (which Gopher host it serves). */
void	conn_accept(struct server *, uv_stream_t *listener, enum proto,
	    int proxy, size_t index);

/* Shutting down: close connections that have not sent a request yet
 * (all of them when force is set); the rest finish their responses. */
void	conn_drain(struct server *, int force);

/* Out of descriptors or slots: close the oldest connection still waiting
 * for its request (other than keep, which may be NULL).  1 when one was
 * closed, 0 when every connection has its request. */
struct conn;
int	conn_drop_idlest(struct server *, const struct conn *keep);

#endif

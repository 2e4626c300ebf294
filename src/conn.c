/*
 * conn: the connection lifecycle (see conn.h).
 *
 *   [PROXY --header parsed-->] READING --request line complete-->
 *   [ROUTING --routed on the thread pool-->] WRITING --all queued and
 *   written--> CLOSING (close_notify, FIN) --> closed, freed in the close
 *   callback
 *
 * The loop itself only answers what needs no content work (errors,
 * configured redirects, the reply cache); anything else is routed on
 * libuv's thread pool (ROUTING), so a page that is slow to render or an
 * index being built never delays another client of this loop.  A
 * connection closed while it is ROUTING is freed once the work is back.
 *
 * Any error jumps to CLOSING.  Output is produced only while fewer than
 * WRITE_HIGH_WATER bytes wait in libuv's queue, so a slow reader makes us
 * pause reading the file, never buffer it.
 *
 * Slots cannot be starved: when they run out, the oldest connection that
 * has not yet sent its request makes room (a completed request is always
 * served), the request timeout shrinks once most slots are taken, and a
 * response must keep a minimum rate over a sliding window, so neither a
 * silent client nor a trickling reader holds a slot for long.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "config.h"
#include "conn.h"
#include "defaults.h"
#include "gemini.h"
#include "gopher.h"
#include "limit.h"
#include "log.h"
#include "proxyproto.h"
#include "router.h"
#include "store.h"
#include "tls.h"

enum conn_state {
	CONN_PROXY,		/* waiting for the PROXY header */
	CONN_READING,
	CONN_ROUTING,		/* on the thread pool: no I/O meanwhile */
	CONN_WRITING,
	CONN_CLOSING
};

struct conn {
	uv_tcp_t	 tcp;
	struct conn	*next, *prev;	/* in srv->conns */
	uv_timer_t	 timer;
	uv_shutdown_t	 shutdown;
	uv_work_t	 work;		/* routing, while CONN_ROUTING */
	struct origin	 origin;	/* what routing needs to know */
	char		 fp[2 * 64 + 1];	/* client cert fingerprint */
	struct server	*srv;
	struct generation *gen;		/* the configuration it runs under */
	enum proto	 proto;
	enum conn_state	 state;
	int		 closing_handles;
	int		 tls_on;	/* Gemini, or Gopher over TLS */
	size_t		 listen_index;	/* its entry in conf.listen */
	struct tls_conn	 tls;
	struct buf	 req;		/* request bytes received */
	size_t		 reqlen;	/* request line length */
	int		 have_line;	/* reqlen is known */
	struct reply	 reply;
	struct buf	 head;		/* Gemini response header */
	size_t		 head_off;
	off_t		 body_off;
	int		 produced;	/* everything handed to libuv */
	size_t		 queued;	/* bytes in libuv's write queue */
	uint64_t	 sent;
	uint64_t	 written;	/* of which libuv has written */
	uint64_t	 start;		/* uv_hrtime at accept */
	struct {
		uint64_t t, written;	/* uv_now, c->written then */
	}		 rate[RATE_SAMPLES];	/* oldest first */
	unsigned	 nrate;
	int		 progress;	/* bytes written since the last tick */
	int		 counted;	/* holds a limiter slot */
	int		 proxy_local;	/* the proxy's own (PROXY LOCAL):
					   not a client, not capped */
	struct sockaddr_storage peer_addr;
	char		 peer[64];
	char		 local[64];
	unsigned	 local_port;
};

struct wreq {
	uv_write_t	 req;
	struct conn	*conn;
	struct blob	*ref;		/* kept alive until written */
	char		*mem;		/* or owned bytes */
	size_t		 len;
};

static void	conn_finish(struct conn *);
static void	conn_abort(struct conn *);
static void	conn_produce(struct conn *);
static void	conn_start_writing(struct conn *);
static void	conn_slow_down(struct conn *, unsigned);
static int	conn_admit(struct conn *);
static void	conn_refuse(struct conn *, const char *);

/*------------------------------------------------------------ helpers */

struct generation *
gen_ref(struct generation *g)
{
	atomic_fetch_add(&g->refs, 1);
	return g;
}

void
gen_unref(struct generation *g)
{
	if (g != NULL && atomic_fetch_sub(&g->refs, 1) == 1)
		g->release(g);
}

static void
addr_string(const struct sockaddr_storage *ss, char *host, size_t hlen,
    unsigned *port)
{
	host[0] = '\0';
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		uv_ip4_name(in, host, hlen);
		*port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		/* An IPv4 client of a dual-stack "::" socket is shown as
		 * the IPv4 address it is (logs, requests for 127.0.0.1). */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host,
			    (socklen_t)hlen);
		else
			uv_ip6_name(in6, host, hlen);
		*port = ntohs(in6->sin6_port);
	}
}

static void
conn_log(struct conn *c)
{
	char	status[8];
	size_t	n = c->have_line ? c->reqlen : c->req.len;
	int	code;

	if (c->state == CONN_PROXY ||
	    (c->state == CONN_READING && c->req.len == 0))
		return;		/* nothing was asked: a probe or a scan */
	if (c->gen->conf.log_format == CONF_LOG_OFF)
		return;
	/* While routing, the reply belongs to the thread pool. */
	code = c->state == CONN_ROUTING ? 0 : c->reply.status;
	snprintf(status, sizeof(status), "%d", code);
	log_access(c->peer, c->proto == PROTO_GEMINI ? "gemini" :
	    c->tls_on ? "gophers" : "gopher",
	    c->req.data ? c->req.data : "", n, code ? status : "-",
	    c->sent, (uv_hrtime() - c->start) / 1000);
}

/* One of what conn_close waits for is done (a handle closed, the routing
 * work back); the last frees the connection. */
static void
conn_release(struct conn *c)
{
	if (--c->closing_handles > 0)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->srv->nconns--;
	atomic_fetch_sub(c->srv->total, 1);
	if (c->counted)
		limiter_close(c->gen->limiter,
		    (struct sockaddr *)&c->peer_addr);
	if (c->tls_on)
		tls_conn_free(&c->tls);
	gen_unref(c->gen);
	reply_clear(&c->reply);
	buf_free(&c->req);
	buf_free(&c->head);
	free(c);
}

static void
on_handle_closed(uv_handle_t *h)
{
	conn_release(h->data);
}

/* The one way out: every path that ends a connection comes here. */
static void
conn_close(struct conn *c)
{
	if (c->closing_handles > 0)
		return;
	conn_log(c);
	/* Routing work in flight still writes into c->reply. */
	c->closing_handles = 2 + (c->state == CONN_ROUTING);
	c->state = CONN_CLOSING;
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

/*
 * A response must move at least response_min_rate bytes/s averaged over
 * the last rate_window: samples of the bytes written are kept at least
 * window / (RATE_SAMPLES - 1) apart, so the oldest still spans the
 * window.  A reader that trickles just enough to keep each write
 * completing is cut once its average falls below the rate, whatever the
 * response's size.  Here a sample is recorded when one is due.
 */
static void
conn_rate_sample(struct conn *c, uint64_t now)
{
	uint64_t win = c->gen->conf.rate_window_ms;

	if (c->nrate > 0 &&
	    now - c->rate[c->nrate - 1].t < win / (RATE_SAMPLES - 1))
		return;
	if (c->nrate == RATE_SAMPLES) {
		memmove(&c->rate[0], &c->rate[1],
		    (RATE_SAMPLES - 1) * sizeof(c->rate[0]));
		c->nrate--;
	}
	c->rate[c->nrate].t = now;
	c->rate[c->nrate++].written = c->written;
}

/* 1 once the rate over the window is below the minimum, else 0. */
static int
conn_too_slow(struct conn *c, uint64_t now)
{
	const struct conf	*conf = &c->gen->conf;
	uint64_t		 win = conf->rate_window_ms, t, w;
	unsigned		 i;

	conn_rate_sample(c, now);
	/* The newest sample at least a window old. */
	for (i = c->nrate; i-- > 0;) {
		t = c->rate[i].t;
		w = c->rate[i].written;
		if (now - t >= win)
			return (c->written - w) * 1000 <
			    (uint64_t)conf->response_min_rate * (now - t);
	}
	return 0;
}

/*
 * Ticks every timeout period (the shorter busy timeout for a connection
 * accepted with most slots taken).  Reading, the request must be
 * complete by the first tick (slowloris and stalled handshakes end
 * there); routing, the reply must be ready by then; writing, each period
 * must see progress and the rate over the window must hold.
 */
static void
on_tick(uv_timer_t *t)
{
	struct conn *c = t->data;

	if (c->state == CONN_WRITING && c->progress &&
	    !conn_too_slow(c, uv_now(c->srv->loop))) {
		c->progress = 0;
		return;
	}
	log_debug("%s: timed out", c->peer);
	conn_abort(c);
}

/*------------------------------------------------------------ writing */

static void
on_written(uv_write_t *req, int status)
{
	struct wreq	*w = (struct wreq *)req;
	struct conn	*c = w->conn;

	c->queued -= w->len;
	if (status >= 0)
		c->written += w->len;
	blob_unref(w->ref);
	free(w->mem);
	free(w);
	if (c->closing_handles > 0)
		return;
	if (status < 0) {
		conn_abort(c);
		return;
	}
	if (c->state <= CONN_ROUTING)
		return;		/* handshake bytes: the reply is awaited */
	c->progress = 1;
	if (!c->produced)
		conn_produce(c);
	else if (c->queued == 0)
		conn_finish(c);
}

/* Queue len bytes: either a slice of a blob (referenced, not copied) or
 * malloc'd memory that the write request now owns. */
static int
conn_write(struct conn *c, struct blob *ref, const char *p, char *mem,
    size_t len)
{
	struct wreq	*w;
	uv_buf_t	 b;

	if ((w = malloc(sizeof(*w))) == NULL) {
		free(mem);
		return -1;
	}
	w->conn = c;
	w->ref = ref ? blob_ref(ref) : NULL;
	w->mem = mem;
	w->len = len;
	b = uv_buf_init((char *)(mem ? mem : p), (unsigned)len);
	c->queued += len;
	c->sent += len;
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0) {
		c->queued -= len;
		blob_unref(w->ref);
		free(w->mem);
		free(w);
		return -1;
	}
	return 0;
}

/* Send whatever TLS has produced (handshake, records, alerts). */
static int
conn_flush_tls(struct conn *c)
{
	struct buf	out;
	size_t		len;
	char		*mem;

	if (tls_pending(&c->tls) == 0)
		return 0;
	buf_init(&out, SIZE_MAX / 2);
	if (tls_take(&c->tls, &out) == -1) {
		buf_free(&out);
		return -1;
	}
	mem = buf_detach(&out, &len);
	return conn_write(c, NULL, NULL, mem, len);
}

/*
 * Fill dst with the next plaintext bytes of the response: header, then
 * body blob, then file.  Returns the count, 0 at the end, -1 on error.
 */
static ssize_t
conn_next_bytes(struct conn *c, char *dst, size_t max)
{
	size_t	 n, total = 0;
	ssize_t	 r;

	if (c->head_off < c->head.len) {
		n = c->head.len - c->head_off;
		if (n > max)
			n = max;
		memcpy(dst, c->head.data + c->head_off, n);
		c->head_off += n;
		total += n;
	}
	if (c->reply.body != NULL && total < max &&
	    (size_t)c->body_off < c->reply.body->len) {
		n = c->reply.body->len - (size_t)c->body_off;
		if (n > max - total)
			n = max - total;
		memcpy(dst + total, c->reply.body->data + c->body_off, n);
		c->body_off += (off_t)n;
		total += n;
	}
	if (c->reply.fd >= 0 && total < max && c->body_off < c->reply.size) {
		n = max - total;
		if ((off_t)n > c->reply.size - c->body_off)
			n = (size_t)(c->reply.size - c->body_off);
		do
			r = pread(c->reply.fd, dst + total, n, c->body_off);
		while (r == -1 && errno == EINTR);
		if (r <= 0)
			return -1;	/* truncated under us: stop */
		c->body_off += r;
		total += (size_t)r;
	}
	return (ssize_t)total;
}

/* Plain Gopher: blobs go out by reference in one write; files by chunks. */
static int
conn_produce_plain(struct conn *c)
{
	struct blob	*b = c->reply.body;
	char		*mem;
	ssize_t		 n;

	if (b != NULL && (size_t)c->body_off < b->len) {
		n = (ssize_t)(b->len - (size_t)c->body_off);
		if (conn_write(c, b, b->data + c->body_off, NULL,
		    (size_t)n) == -1)
			return -1;
		c->body_off += n;
		return 1;
	}
	if ((mem = malloc(READ_CHUNK)) == NULL)
		return -1;
	if ((n = conn_next_bytes(c, mem, READ_CHUNK)) <= 0) {
		free(mem);
		return (int)n;
	}
	return conn_write(c, NULL, NULL, mem, (size_t)n) == -1 ? -1 : 1;
}

/* 1 when every byte of the response has been produced. */
static int
conn_all_produced(const struct conn *c)
{
	return c->head_off >= c->head.len &&
	    (c->reply.body == NULL ||
	    (size_t)c->body_off >= c->reply.body->len) &&
	    (c->reply.fd < 0 || c->body_off >= c->reply.size);
}

/*
 * Gemini: header and body share records, one record (16 KiB) per step so
 * the output stays small.  The last record and close_notify go out in
 * the same write as whatever TLS still held (the session ticket): a small
 * page costs one write and one segment instead of three.
 */
static int
conn_produce_tls(struct conn *c)
{
	char	 rec[TLS_RECORD_MAX];
	ssize_t	 n;
	int	 last;

	if ((n = conn_next_bytes(c, rec, sizeof(rec))) < 0)
		return -1;
	if (n > 0 && tls_write(&c->tls, rec, (size_t)n) != TLS_OK)
		return -1;
	if ((last = n == 0 || conn_all_produced(c)))
		tls_shutdown(&c->tls);
	if (conn_flush_tls(c) == -1)
		return -1;
	return last ? 0 : 1;
}

static void
conn_produce(struct conn *c)
{
	int r;

	while (!c->produced && c->queued < WRITE_HIGH_WATER) {
		r = c->tls_on ? conn_produce_tls(c) : conn_produce_plain(c);
		if (r == -1) {
			conn_abort(c);
			return;
		}
		if (r == 0)
			c->produced = 1;
	}
	if (c->produced && c->queued == 0)
		conn_finish(c);
}

static void
on_shutdown(uv_shutdown_t *req, int status)
{
	(void)status;
	conn_close(req->data);
}

/* Everything is written: FIN after close_notify, then close. */
static void
conn_finish(struct conn *c)
{
	if (c->state == CONN_CLOSING)
		return;
	c->state = CONN_CLOSING;
	c->shutdown.data = c;
	if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp,
	    on_shutdown) < 0)
		conn_close(c);
}

/* Errors: no close_notify after a TLS failure, just close. */
static void
conn_abort(struct conn *c)
{
	conn_close(c);
}

/*------------------------------------------------------------ requests */

/* The routed reply goes out: the Gemini header first. */
static void
conn_reply(struct conn *c)
{
	if (c->proto == PROTO_GEMINI && gemini_header(&c->head,
	    c->reply.status, c->reply.meta) == -1) {
		conn_abort(c);
		return;
	}
	c->state = CONN_WRITING;
	conn_start_writing(c);
	conn_produce(c);
}

static int
conn_route(struct conn *c, int quick)
{
	const struct conf *conf = &c->gen->conf;

	if (c->proto == PROTO_GEMINI)
		return router_gemini(conf, &c->origin, c->req.data, c->reqlen,
		    &c->reply, quick);
	return router_gopher(conf, &c->origin, c->req.data, c->reqlen,
	    &c->reply, quick);
}

/* On a thread-pool thread: the loop's thread does not touch c meanwhile
 * (it only marks it closing, see conn_close). */
static void
on_route_work(uv_work_t *w)
{
	(void)conn_route(w->data, 0);
}

static void
on_route_done(uv_work_t *w, int status)
{
	struct conn *c = w->data;

	if (c->closing_handles > 0) {
		conn_release(c);	/* closed while routing */
		return;
	}
	if (status < 0) {
		conn_abort(c);
		return;
	}
	conn_reply(c);
}

static void
conn_respond(struct conn *c)
{
	const struct conf	*conf = &c->gen->conf;
	struct origin		*o = &c->origin;
	unsigned		 wait;

	uv_read_stop((uv_stream_t *)&c->tcp);
	c->state = CONN_WRITING;
	c->have_line = 1;
	if ((wait = limiter_request(c->gen->limiter,
	    (struct sockaddr *)&c->peer_addr, uv_now(c->srv->loop))) > 0) {
		conn_slow_down(c, wait);
		return;
	}
	memset(o, 0, sizeof(*o));
	o->local_addr = c->local;
	o->local_port = c->local_port;
	o->gopher_host = conf_listen_gopher_host(conf, c->listen_index);
	if (c->proto == PROTO_GEMINI) {
		o->sni = SSL_get_servername(c->tls.ssl,
		    TLSEXT_NAMETYPE_host_name);
		if (tls_peer_fingerprint(&c->tls, c->fp, sizeof(c->fp)) == 0)
			o->fingerprint = c->fp;
	}
	if (conn_route(c, 1)) {
		conn_reply(c);
		return;
	}
	c->work.data = c;
	if (uv_queue_work(c->srv->loop, &c->work, on_route_work,
	    on_route_done) < 0) {
		conn_abort(c);
		return;
	}
	c->state = CONN_ROUTING;
	uv_timer_start(&c->timer, on_tick, conf->timeout_ms, conf->timeout_ms);
}

/* The response starts: the timer now watches its progress and rate
 * (on_tick), from a full period. */
static void
conn_start_writing(struct conn *c)
{
	unsigned period = c->gen->conf.timeout_ms;

	c->nrate = 0;
	conn_rate_sample(c, uv_now(c->srv->loop));
	uv_timer_start(&c->timer, on_tick, period, period);
}

/* An answer without a body: a Gemini header or a Gopher type-3 menu. */
static void
conn_error(struct conn *c, int status, const char *msg)
{
	struct buf b;

	uv_read_stop((uv_stream_t *)&c->tcp);
	c->state = CONN_WRITING;
	reply_clear(&c->reply);
	c->reply.status = status;
	snprintf(c->reply.meta, sizeof(c->reply.meta), "%s", msg);
	if (c->proto == PROTO_GEMINI) {
		if (gemini_header(&c->head, status, msg) == -1) {
			conn_abort(c);
			return;
		}
	} else {
		buf_init(&b, 4096);
		if (gopher_error(&b, msg, "") == -1 ||
		    (c->reply.body = blob_from_buf(&b)) == NULL) {
			buf_free(&b);
			conn_abort(c);
			return;
		}
	}
	conn_start_writing(c);
	conn_produce(c);
}

/* Over the request rate: Gemini 44 with the seconds to wait. */
static void
conn_slow_down(struct conn *c, unsigned wait)
{
	char msg[64];

	if (c->proto == PROTO_GEMINI)
		snprintf(msg, sizeof(msg), "%u", wait);
	else
		snprintf(msg, sizeof(msg), "Slow down: try again in %u s",
		    wait);
	conn_error(c, 44, msg);
}

/* Look at what has been received: respond, reject or wait. */
static void
conn_check_request(struct conn *c, int eof)
{
	int	r;

	if (c->proto == PROTO_GEMINI)
		r = gemini_request_line(c->req.data, c->req.len, &c->reqlen);
	else
		r = gopher_request_line(c->req.data, c->req.len, &c->reqlen);
	if (r == 1)
		conn_respond(c);
	else if (r == -1)
		conn_error(c, 59, c->req.len > GEMINI_MAX_REQUEST ?
		    "Request too long" : "Bad request line");
	else if (eof && c->proto == PROTO_GOPHER && !c->tls_on &&
	    c->req.len > 0) {
		c->reqlen = c->req.len;	/* tolerate a missing line end */
		conn_respond(c);
	} else if (eof)
		conn_close(c);
}

/* Plaintext request bytes, whichever way they arrived. */
static void
conn_request_bytes(struct conn *c, const char *p, size_t n)
{
	size_t room = c->req.max - c->req.len;

	if (n > room)
		n = room;
	(void)buf_append(&c->req, p, n);
	conn_check_request(c, 0);
}

static void
conn_read_tls(struct conn *c, const char *p, size_t n)
{
	enum tls_status	st;

	if (tls_feed(&c->tls, p, n) == -1) {
		conn_abort(c);
		return;
	}
	st = tls_read(&c->tls, &c->req);
	if (st == TLS_ERROR) {
		(void)conn_flush_tls(c);	/* the alert, if any */
		conn_abort(c);
		return;
	}
	/*
	 * A complete request is answered first: what TLS produced while
	 * reading it (the ticket) then leaves with the response, in one
	 * write.  Otherwise it is sent now (handshake flights).
	 */
	if (st == TLS_CLOSED)
		conn_check_request(c, 1);
	else if (c->tls.handshake_done)
		conn_check_request(c, 0);
	if (c->closing_handles == 0 && conn_flush_tls(c) == -1)
		conn_abort(c);
}

/* TLS with the default host's certificate (SNI may switch it): Gemini
 * always, Gopher when the client opens with a TLS record (gophers://). */
static int
conn_start_tls(struct conn *c)
{
	if (tls_conn_init(&c->tls, c->gen->conf.hosts[0].ctx, 1) == -1)
		return -1;
	c->tls_on = 1;
	return 0;
}

/*
 * A Gopher connection whose first byte opens a TLS handshake record is a
 * gophers:// client: served over TLS, or, with gopher_tls off, closed
 * (its ClientHello is no selector, and a plain-text answer would only
 * be binary junk to it).
 */
static void
conn_read_bytes(struct conn *c, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (!c->tls_on && c->proto == PROTO_GOPHER && c->req.len == 0 &&
	    (unsigned char)p[0] == TLS_HANDSHAKE_RECORD) {
		if (!c->gen->conf.gopher_tls) {
			log_info("%s: TLS on the Gopher port, but gopher_tls "
			    "is off: closed", c->peer);
			conn_abort(c);
			return;
		}
		if (conn_start_tls(c) == -1) {
			conn_abort(c);
			return;
		}
	}
	if (c->tls_on)
		conn_read_tls(c, p, n);
	else
		conn_request_bytes(c, p, n);
}

/*
 * Behind a proxy the first bytes are a PROXY v1/v2 header naming the real
 * client: its address replaces the peer's for the log and the limits.
 * Anything else is refused (a listener that expects the header must
 * never trust a connection without one).
 */
static void
conn_read_proxy(struct conn *c, const char *p, size_t n)
{
	struct proxy_info	 pi;
	size_t			 room = c->req.max - c->req.len;
	char			*rest;
	int			 r;

	if (n > room)
		n = room;
	(void)buf_append(&c->req, p, n);
	r = proxyproto_parse(c->req.data, c->req.len, &pi);
	if (r == 0 && c->req.len < c->req.max)
		return;
	if (r <= 0) {
		log_debug("%s: invalid PROXY header", c->peer);
		conn_abort(c);
		return;
	}
	c->proxy_local = pi.local;
	if (!pi.local) {
		unsigned port;

		c->peer_addr = pi.src;
		addr_string(&c->peer_addr, c->peer, sizeof(c->peer), &port);
		/* What the client connected to is the proxy's address:
		 * a request naming us by address names that one. */
		addr_string(&pi.dst, c->local, sizeof(c->local),
		    &c->local_port);
	}
	c->state = CONN_READING;
	if (conn_admit(c) == -1)
		return;
	/* What followed the header is the start of the request. */
	n = c->req.len - (size_t)r;
	if ((rest = malloc(n + 1)) == NULL) {
		conn_abort(c);
		return;
	}
	memcpy(rest, c->req.data + r, n);
	buf_free(&c->req);
	buf_init(&c->req, REQUEST_MAX);
	conn_read_bytes(c, rest, n);
	free(rest);
}

static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct conn *c = h->data;

	(void)hint;
	*b = uv_buf_init(c->srv->rbuf, sizeof(c->srv->rbuf));
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct conn *c = s->data;

	if (c->state > CONN_READING)
		return;
	if (n < 0) {
		if (n == UV_EOF && c->state == CONN_READING && !c->tls_on &&
		    c->proto == PROTO_GOPHER)
			conn_check_request(c, 1);
		else
			conn_abort(c);
		return;
	}
	if (c->state == CONN_PROXY)
		conn_read_proxy(c, b->base, (size_t)n);
	else
		conn_read_bytes(c, b->base, (size_t)n);
}

/*------------------------------------------------------------ accept */

/* At a cap: Gopher gets a type-3 line, Gemini is closed at once (a TLS
 * handshake just to say no would cost more than the connection). */
static void
conn_refuse(struct conn *c, const char *why)
{
	log_debug("%s: refused: %s", c->peer, why);
	if (c->proto == PROTO_GOPHER)
		conn_error(c, 44, why);
	else
		conn_close(c);
}

/*
 * The caps, checked once the client's real address is known.  Over the
 * total, the oldest connection here still waiting for its request makes
 * room: a flood of silent connections then only ever displaces itself,
 * and a client that sends its request promptly is served.  Only when
 * every slot here holds a request being answered is the newcomer
 * refused.  The per-address cap applies to loopback too (a local
 * attacker is still an attacker); the one exception is a proxy's own
 * connection (PROXY LOCAL), which names no client.
 */
static int
conn_admit(struct conn *c)
{
	const struct conf *conf = &c->gen->conf;

	if (atomic_load(c->srv->total) > conf->max_conns &&
	    conn_drop_idlest(c->srv, c) == 0) {
		conn_refuse(c, "Too many connections: try again later");
		return -1;
	}
	if (!c->proxy_local && limiter_open(c->gen->limiter,
	    (struct sockaddr *)&c->peer_addr, uv_now(c->srv->loop)) == -1) {
		conn_refuse(c, "Too many connections from your address");
		return -1;
	}
	c->counted = !c->proxy_local;
	if (c->proto == PROTO_GEMINI && conn_start_tls(c) == -1) {
		conn_close(c);
		return -1;
	}
	return 0;
}

/* How long a new connection has to send its request: the busy timeout
 * once BUSY_PERCENT of the slots are taken, so that under a flood of
 * silent connections slots turn over fast. */
static unsigned
conn_request_timeout(const struct server *srv)
{
	const struct conf	*conf = &srv->gen->conf;
	uint64_t		 total = atomic_load(srv->total);

	if (total * 100 > (uint64_t)conf->max_conns * BUSY_PERCENT &&
	    conf->busy_timeout_ms < conf->timeout_ms)
		return conf->busy_timeout_ms;
	return conf->timeout_ms;
}

void
conn_accept(struct server *srv, uv_stream_t *listener, enum proto proto,
    int proxy, size_t index)
{
	const struct conf	*conf = &srv->gen->conf;
	struct sockaddr_storage	 ss;
	struct conn		*c;
	int			 len;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	c->srv = srv;
	c->gen = gen_ref(srv->gen);
	c->proto = proto;
	c->listen_index = index;
	c->start = uv_hrtime();
	reply_init(&c->reply);
	buf_init(&c->req, proxy ? PROXYPROTO_V2_MAX : REQUEST_MAX);
	buf_init(&c->head, 2048);
	uv_tcp_init(srv->loop, &c->tcp);
	uv_timer_init(srv->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	srv->nconns++;
	atomic_fetch_add(srv->total, 1);
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0) {
		conn_close(c);
		return;
	}
	len = sizeof(c->peer_addr);
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->peer_addr,
	    &len) == 0) {
		unsigned port;

		addr_string(&c->peer_addr, c->peer, sizeof(c->peer), &port);
	}
	len = sizeof(ss);
	if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&ss, &len) == 0)
		addr_string(&ss, c->local, sizeof(c->local), &c->local_port);
	uv_timer_start(&c->timer, on_tick, conn_request_timeout(srv),
	    conf->timeout_ms);
	if (srv->stopping) {
		conn_close(c);
		return;
	}
	/* TCP_NODELAY is inherited from the listening socket (listen.c). */
	if (proxy)
		c->state = CONN_PROXY;
	else {
		c->state = CONN_READING;
		if (conn_admit(c) == -1)
			return;
	}
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
		conn_close(c);
}

void
conn_drain(struct server *srv, int force)
{
	struct conn *c, *next;

	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (force || (c->state <= CONN_READING && c->req.len == 0))
			conn_close(c);
	}
}

int
conn_drop_idlest(struct server *srv, const struct conn *keep)
{
	struct conn *c, *pick = NULL;

	/* New connections are pushed at the head: the last match is the
	 * oldest. */
	for (c = srv->conns; c != NULL; c = c->next)
		if (c->state <= CONN_READING && c->closing_handles == 0 &&
		    c != keep)
			pick = c;
	if (pick == NULL)
		return 0;
	log_debug("%s: shed: slots are full and no request came", pick->peer);
	conn_close(pick);
	return 1;
}

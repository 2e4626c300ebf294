/*
 * gbench: a load generator for Gemini and Gopher servers on loopback.
 * Owns the client side of the benchmark: non-blocking connections driven by
 * epoll, per-request TLS or plain exchanges, failure accounting, latency
 * percentiles, server CPU and RSS sampling from /proc, and the idle mode.
 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define GB_HDR_MAX	1029		/* "NN " + 1024 META + CRLF */
#define GB_URL_MAX	1024		/* longest request we send */
#define GB_READ_CHUNK	65536
#define GB_DUMP_MAX	(64u << 20)	/* -o keeps at most this much */
#define GB_BACKOFF_NS	(10 * 1000000ull)
#define GB_SCAN_NS	(50 * 1000000ull)
#define GB_MAX_EVENTS	256
#define GB_MAX_CONNS	100000

enum gb_proto {
	GB_GEMINI,
	GB_GOPHER
};

enum gb_fail {
	GB_F_CONNECT,
	GB_F_TLS,
	GB_F_STATUS,
	GB_F_TRUNCATED,
	GB_F_NOCLOSE,
	GB_F_TIMEOUT,
	GB_F_MAX
};

static const char *const gb_fail_names[GB_F_MAX] = {
	"connect", "tls", "status", "truncated", "no_close_notify", "timeout"
};

enum gb_state {
	GB_S_IDLE,		/* no request in flight */
	GB_S_BACKOFF,		/* waiting after a connect failure */
	GB_S_CONNECTING,
	GB_S_HANDSHAKE,
	GB_S_SENDING,
	GB_S_READING,
	GB_S_HOLDING,		/* idle mode: established, request never sent */
	GB_S_DONE		/* idle mode: finished, not to be restarted */
};

/*
 * --resume: every connection offers the newest session this worker
 * holds, so one ticket serves many connections (what a client with a
 * session cache may do).  --single-use: each session is offered once
 * and each connection adds the fresh ticket it received, as RFC 8446
 * C.4 advises and browsers do: a server that issues no new ticket on
 * resumption resumes only every other connection.
 */
enum gb_resume {
	GB_RESUME_OFF,
	GB_RESUME_SHARED,
	GB_RESUME_ONCE
};

struct gb_opts {
	enum gb_proto		 proto;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 hostarg[64];
	int			 port;
	char			**urls;		/* request targets, cycled */
	size_t			 nurls;
	int			 conns;
	uint64_t		 requests;	/* 0 = bounded by time only */
	double			 seconds;
	int			 threads;
	enum gb_resume		 resume;
	const char		*sni;
	char			 sni_buf[256];
	char			 expect_status[3];
	long long		 expect_bytes;	/* -1 = not checked */
	double			 timeout;
	long			 server_pid;	/* 0 = not sampled */
	int			 tsv;
	int			 idle;		/* idle mode: connections to hold */
	double			 hold;
	double			 wait_ready;
	const char		*dump_path;
	const char		*lat_path;	/* --latencies: every latency */
	int			 verbose;
};

struct gb_stats {
	uint64_t	 completed;
	uint64_t	 fail[GB_F_MAX];
	uint64_t	 resumed;
	uint64_t	 handshakes;
	/* Handshakes on a slot's second or later connection, when a
	 * client that keeps every fresh ticket always has one to offer:
	 * the share of these resumed is the resumption rate. */
	uint64_t	 warm;
	uint64_t	 warm_resumed;
	uint64_t	 bytes;
	uint64_t	 aborted;	/* in flight when the clock ran out */
	uint64_t	*lat;		/* latency of each completed request, ns */
	size_t		 nlat;
	size_t		 caplat;
	char		 first_header[128];
};

struct gb_shared {
	const struct gb_opts	*o;
	SSL_CTX			*ctx;
	atomic_uint_fast64_t	 started;
	atomic_int		 dump_pending;
	uint64_t		 t_start;
	uint64_t		 t_end;		/* -d deadline */
	pthread_mutex_t		 dump_lock;
};

struct gb_worker;

struct gb_conn {
	struct gb_worker	*w;
	uint32_t		 idx;		/* slot in w->conns */
	uint32_t		 gen;		/* bumped for every socket */
	int			 fd;
	SSL			*ssl;
	enum gb_state		 st;
	uint32_t		 events;	/* what epoll waits for now */
	uint64_t		 t0;
	uint64_t		 deadline;
	const char		*req;
	size_t			 reqlen;
	size_t			 sent;
	char			 hdr[GB_HDR_MAX];
	size_t			 hdrlen;
	int			 hdr_done;
	uint64_t		 body;		/* bytes after the header */
	uint64_t		 total;		/* all plaintext bytes */
	SSL_SESSION		*offered;	/* --single-use: consumed */
	char			*dump;		/* -o: this request is recorded */
	size_t			 dumplen;
	size_t			 dumpcap;
};

struct gb_worker {
	struct gb_shared	*sh;
	pthread_t		 tid;
	int			 ep;
	struct gb_conn		*conns;
	int			 nconns;
	int			 active;	/* conns not IDLE/DONE */
	int			 stopping;
	SSL_SESSION		*sess;		/* newest session for --resume */
	SSL_SESSION		**unused;	/* --single-use: fresh, newest
						   last */
	int			 nunused;
	struct gb_stats		 st;
	char			*scratch;
	char			*reqbuf;	/* one request line per URL */
	size_t			*reqoff;
	size_t			*reqlen;
	/* idle mode */
	int			 idle_left;	/* not yet started */
	int			 held;
	int			 closed_early;
};

static void	 gb_conn_start(struct gb_conn *);
static void	 gb_conn_io(struct gb_conn *);
static void	 gb_keep_fresh(struct gb_conn *);

static uint64_t
gb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
gb_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *
gb_xcalloc(size_t n, size_t sz)
{
	void *p;

	if ((p = calloc(n, sz)) == NULL)
		gb_die("out of memory");
	return p;
}

/*
 * Accept only loopback destinations: the tool opens thousands of
 * connections per second and must never be pointed at someone else.
 */
static int
gb_parse_host(struct gb_opts *o, const char *host)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&o->addr;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&o->addr;

	memset(&o->addr, 0, sizeof(o->addr));
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127)
			return -1;
		s4->sin_family = AF_INET;
		o->addrlen = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return -1;
		s6->sin6_family = AF_INET6;
		o->addrlen = sizeof(*s6);
		return 0;
	}
	return -1;
}

static void
gb_set_port(struct gb_opts *o)
{
	if (o->addr.ss_family == AF_INET)
		((struct sockaddr_in *)&o->addr)->sin_port =
		    htons((uint16_t)o->port);
	else
		((struct sockaddr_in6 *)&o->addr)->sin6_port =
		    htons((uint16_t)o->port);
}

/* Default SNI: the URL's host, unless it is an IP literal. */
static void
gb_sni_from_url(struct gb_opts *o, const char *url)
{
	const char *p, *e;
	size_t len;
	struct in6_addr a6;

	if ((p = strstr(url, "://")) == NULL)
		return;
	p += 3;
	if (*p == '[')
		return;
	for (e = p; *e != '\0' && *e != ':' && *e != '/' && *e != '?'; e++)
		;
	len = (size_t)(e - p);
	if (len == 0 || len >= sizeof(o->sni_buf))
		return;
	memcpy(o->sni_buf, p, len);
	o->sni_buf[len] = '\0';
	if (inet_pton(AF_INET, o->sni_buf, &a6) == 1)
		return;
	o->sni = o->sni_buf;
}

static void
gb_add_url(struct gb_opts *o, const char *u, size_t len)
{
	char *s;

	if (len > GB_URL_MAX)
		gb_die("request target longer than %d bytes", GB_URL_MAX);
	if (memchr(u, '\r', len) != NULL || memchr(u, '\n', len) != NULL)
		gb_die("request target contains CR or LF");
	o->urls = realloc(o->urls, (o->nurls + 1) * sizeof(*o->urls));
	if (o->urls == NULL || (s = malloc(len + 1)) == NULL)
		gb_die("out of memory");
	memcpy(s, u, len);
	s[len] = '\0';
	o->urls[o->nurls++] = s;
}

static void
gb_load_urls(struct gb_opts *o, const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ((f = fopen(path, "r")) == NULL)
		gb_die("%s: %s", path, strerror(errno));
	while ((n = getline(&line, &cap, f)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0 && o->proto == GB_GEMINI)
			continue;
		gb_add_url(o, line, (size_t)n);
	}
	free(line);
	fclose(f);
	if (o->nurls == 0)
		gb_die("%s: no request targets", path);
}

/* --- /proc sampling ----------------------------------------------------- */

/*
 * CPU time of the process in clock ticks: utime + stime cover all its
 * threads; cutime + cstime add reaped children, which is where an
 * inetd-style server (one process per connection) spends its time.
 */
static long long
gb_proc_cpu_ticks(long pid)
{
	char path[64], buf[4096], *p;
	unsigned long long ut, st;
	long long cut, cst;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: skip to the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu %lld %lld", &ut, &st, &cut, &cst) != 4)
		return -1;
	return (long long)(ut + st) + cut + cst;
}

static long
gb_proc_rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

static double
gb_self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* --- TLS ------------------------------------------------------------------ */

static SSL_CTX *
gb_ctx_new(const struct gb_opts *o)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		gb_die("SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Self-signed capsule certificates (TOFU): no chain checks. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/*
	 * No client session cache: with one, OpenSSL retires a TLS 1.3
	 * session as soon as a newer ticket arrives on any connection that
	 * used it, and concurrent connections sharing it lose resumption.
	 * --resume keeps the newest session by hand instead.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	(void)o;
	return ctx;
}

/* --- connections ---------------------------------------------------------- */

/*
 * Events carry slot and generation: a slot closed and reopened within one
 * epoll batch must not receive the old socket's events.
 */
static uint64_t
gb_tag(const struct gb_conn *c)
{
	return (uint64_t)c->gen << 32 | c->idx;
}

static void
gb_want(struct gb_conn *c, uint32_t ev)
{
	struct epoll_event e;

	if (c->events == ev)
		return;
	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.u64 = gb_tag(c);
	if (epoll_ctl(c->w->ep, EPOLL_CTL_MOD, c->fd, &e) == -1)
		gb_die("epoll_ctl: %s", strerror(errno));
	c->events = ev;
}

/*
 * Close the socket.  When the server has not closed its side yet we
 * reset the connection: a normal close would leave this end in TIME_WAIT
 * and a long run would run out of ephemeral ports.
 */
static void
gb_conn_close(struct gb_conn *c, int peer_closed)
{
	struct linger l = { 1, 0 };

	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->offered != NULL) {
		SSL_SESSION_free(c->offered);
		c->offered = NULL;
	}
	if (c->fd != -1) {
		if (!peer_closed)
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l,
			    sizeof(l));
		close(c->fd);
		c->fd = -1;
	}
	free(c->dump);
	c->dump = NULL;
	c->dumplen = c->dumpcap = 0;
	if (c->st != GB_S_IDLE && c->st != GB_S_BACKOFF &&
	    c->st != GB_S_DONE)
		c->w->active--;
	c->st = GB_S_IDLE;
	c->events = 0;
}

static void
gb_fail(struct gb_conn *c, enum gb_fail kind)
{
	struct gb_worker *w = c->w;

	if (w->sh->o->verbose)
		fprintf(stderr, "gbench: request failed: %s\n",
		    gb_fail_names[kind]);
	w->st.fail[kind]++;
	if (c->dump != NULL)	/* let another request record */
		atomic_store(&w->sh->dump_pending, 1);
	gb_conn_close(c, 0);
	if (w->sh->o->idle) {
		c->st = GB_S_DONE;
		return;
	}
	if (kind == GB_F_CONNECT) {
		/* A dead server must not turn into a busy loop. */
		c->st = GB_S_BACKOFF;
		c->deadline = gb_now() + GB_BACKOFF_NS;
		return;
	}
	gb_conn_start(c);
}

static void
gb_record_latency(struct gb_stats *st, uint64_t ns)
{
	uint64_t *n;

	if (st->nlat == st->caplat) {
		st->caplat = st->caplat ? st->caplat * 2 : 65536;
		if ((n = realloc(st->lat, st->caplat * sizeof(*n))) == NULL)
			gb_die("out of memory");
		st->lat = n;
	}
	st->lat[st->nlat++] = ns;
}

static void
gb_dump_write(struct gb_conn *c)
{
	struct gb_shared *sh = c->w->sh;
	FILE *f;

	pthread_mutex_lock(&sh->dump_lock);
	if ((f = fopen(sh->o->dump_path, "w")) != NULL) {
		fwrite(c->dump, 1, c->dumplen, f);
		fclose(f);
	} else
		fprintf(stderr, "gbench: %s: %s\n", sh->o->dump_path,
		    strerror(errno));
	pthread_mutex_unlock(&sh->dump_lock);
}

static void
gb_succeed(struct gb_conn *c, int peer_closed)
{
	struct gb_worker *w = c->w;
	const struct gb_opts *o = w->sh->o;
	uint64_t t = gb_now();

	if (o->expect_bytes >= 0 && c->body != (uint64_t)o->expect_bytes) {
		if (o->verbose)
			fprintf(stderr, "gbench: got %llu body bytes, "
			    "expected %lld\n", (unsigned long long)c->body,
			    o->expect_bytes);
		gb_fail(c, GB_F_TRUNCATED);
		return;
	}
	/* Tickets come before the reply: this session is the newest. */
	if (o->resume == GB_RESUME_SHARED && c->ssl != NULL) {
		if (w->sess != NULL)
			SSL_SESSION_free(w->sess);
		w->sess = SSL_get1_session(c->ssl);
	} else if (o->resume == GB_RESUME_ONCE && c->ssl != NULL)
		gb_keep_fresh(c);
	w->st.completed++;
	w->st.bytes += c->total;
	gb_record_latency(&w->st, t - c->t0);
	if (c->dump != NULL)
		gb_dump_write(c);
	gb_conn_close(c, peer_closed);
	gb_conn_start(c);
}

static int
gb_same_ticket(const SSL_SESSION *a, const SSL_SESSION *b)
{
	const unsigned char	*ta, *tb;
	size_t			 la, lb;

	SSL_SESSION_get0_ticket(a, &ta, &la);
	SSL_SESSION_get0_ticket(b, &tb, &lb);
	return la == lb && (la == 0 || memcmp(ta, tb, la) == 0);
}

/* --single-use: keep the session only if the server sent a new ticket
 * on this connection; the one offered is never offered again. */
static void
gb_keep_fresh(struct gb_conn *c)
{
	struct gb_worker	*w = c->w;
	SSL_SESSION		*s = SSL_get1_session(c->ssl);

	if (s == NULL)
		return;
	if (!SSL_SESSION_is_resumable(s) ||
	    (c->offered != NULL && gb_same_ticket(s, c->offered))) {
		SSL_SESSION_free(s);
		return;
	}
	/* At most one per connection slot: the oldest goes first. */
	if (w->nunused == w->nconns) {
		SSL_SESSION_free(w->unused[0]);
		memmove(w->unused, w->unused + 1,
		    (size_t)(w->nunused - 1) * sizeof(*w->unused));
		w->nunused--;
	}
	w->unused[w->nunused++] = s;
}

/* Claim the next request; returns 0 when the run is over. */
static int
gb_claim(struct gb_worker *w, size_t *idx)
{
	struct gb_shared *sh = w->sh;
	uint64_t n;

	if (w->stopping)
		return 0;
	n = atomic_fetch_add(&sh->started, 1);
	if (sh->o->requests != 0 && n >= sh->o->requests)
		return 0;
	*idx = (size_t)(n % sh->o->nurls);
	return 1;
}

static void
gb_conn_start(struct gb_conn *c)
{
	struct gb_worker *w = c->w;
	const struct gb_opts *o = w->sh->o;
	struct epoll_event e;
	size_t idx = 0;
	int one = 1, r;

	if (o->idle) {
		if (w->idle_left == 0) {
			c->st = GB_S_DONE;
			return;
		}
		w->idle_left--;
	} else if (!gb_claim(w, &idx)) {
		c->st = GB_S_IDLE;
		return;
	}
	c->t0 = gb_now();
	c->deadline = c->t0 + (uint64_t)(o->timeout * 1e9);
	c->req = w->reqbuf + w->reqoff[idx];
	c->reqlen = w->reqlen[idx];
	c->sent = 0;
	c->hdrlen = 0;
	c->hdr_done = 0;
	c->body = c->total = 0;
	w->active++;
	c->st = GB_S_CONNECTING;

	if (o->dump_path != NULL &&
	    atomic_exchange(&w->sh->dump_pending, 0) == 1) {
		c->dumpcap = 65536;
		c->dump = gb_xcalloc(1, c->dumpcap);
	}

	c->fd = socket(o->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		gb_fail(c, GB_F_CONNECT);
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->gen++;
	memset(&e, 0, sizeof(e));
	e.events = c->events = EPOLLOUT;
	e.data.u64 = gb_tag(c);
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &e) == -1)
		gb_die("epoll_ctl: %s", strerror(errno));
	r = connect(c->fd, (const struct sockaddr *)&o->addr, o->addrlen);
	if (r == -1 && errno != EINPROGRESS) {
		gb_fail(c, GB_F_CONNECT);
		return;
	}
	/* Completion (or failure) shows up as EPOLLOUT. */
}

/* Returns 0 while more is needed, 1 when the header is complete, -1 bad. */
static int
gb_parse_header(struct gb_conn *c, const char *p, size_t n, size_t *used)
{
	size_t i, room;

	room = sizeof(c->hdr) - c->hdrlen;
	for (i = 0; i < n && i < room; i++) {
		c->hdr[c->hdrlen++] = p[i];
		if (c->hdrlen >= 2 && c->hdr[c->hdrlen - 2] == '\r' &&
		    c->hdr[c->hdrlen - 1] == '\n') {
			*used = i + 1;
			return 1;
		}
	}
	*used = i;
	if (c->hdrlen == sizeof(c->hdr))
		return -1;
	return 0;
}

/* Keep a printable copy of a reply header for the report. */
static void
gb_keep_header(char *dst, size_t dstsz, const char *hdr, size_t len)
{
	size_t i;

	if (len >= dstsz)
		len = dstsz - 1;
	for (i = 0; i < len; i++)
		dst[i] = isprint((unsigned char)hdr[i]) ? hdr[i] : '?';
	dst[len] = '\0';
}

/* Account plaintext bytes; returns -1 when the request already failed. */
static int
gb_consume(struct gb_conn *c, const char *p, size_t n)
{
	struct gb_worker *w = c->w;
	const struct gb_opts *o = w->sh->o;
	size_t used = 0, keep;
	int r;

	c->total += n;
	if (c->dump != NULL) {
		keep = n;
		if (c->dumplen + keep > GB_DUMP_MAX)
			keep = GB_DUMP_MAX - c->dumplen;
		while (c->dumplen + keep > c->dumpcap) {
			c->dumpcap *= 2;
			if ((c->dump = realloc(c->dump, c->dumpcap)) == NULL)
				gb_die("out of memory");
		}
		memcpy(c->dump + c->dumplen, p, keep);
		c->dumplen += keep;
	}
	if (o->proto == GB_GOPHER || c->hdr_done) {
		c->body += n;
		return 0;
	}
	r = gb_parse_header(c, p, n, &used);
	if (r == 0)
		return 0;
	if (r == -1 || !isdigit((unsigned char)c->hdr[0]) ||
	    !isdigit((unsigned char)c->hdr[1])) {
		gb_fail(c, GB_F_STATUS);
		return -1;
	}
	c->hdr_done = 1;
	c->body += n - used;
	if (w->st.first_header[0] == '\0')
		gb_keep_header(w->st.first_header, sizeof(w->st.first_header),
		    c->hdr, c->hdrlen - 2);
	if (c->hdr[0] != o->expect_status[0] ||
	    c->hdr[1] != o->expect_status[1]) {
		if (o->verbose)
			fprintf(stderr, "gbench: unexpected header: %.*s\n",
			    (int)(c->hdrlen - 2), c->hdr);
		gb_fail(c, GB_F_STATUS);
		return -1;
	}
	return 0;
}

/* SSL_get_error() folded into what the state machine needs. */
static int
gb_ssl_want(struct gb_conn *c, int ret)
{
	switch (SSL_get_error(c->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		gb_want(c, EPOLLIN);
		return 1;
	case SSL_ERROR_WANT_WRITE:
		gb_want(c, EPOLLOUT);
		return 1;
	default:
		return 0;
	}
}

static void
gb_tls_handshake(struct gb_conn *c)
{
	struct gb_worker *w = c->w;
	int r;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r != 1) {
		if (!gb_ssl_want(c, r)) {
			if (w->sh->o->verbose)
				ERR_print_errors_fp(stderr);
			gb_fail(c, GB_F_TLS);
		}
		return;
	}
	/* Verification is off, but a server must still show a cert. */
	if (SSL_get0_peer_certificate(c->ssl) == NULL) {
		gb_fail(c, GB_F_TLS);
		return;
	}
	w->st.handshakes++;
	w->st.warm += c->gen > 1;
	if (SSL_session_reused(c->ssl)) {
		w->st.resumed++;
		w->st.warm_resumed += c->gen > 1;
	}
	if (w->sh->o->idle) {
		c->st = GB_S_HOLDING;
		w->held++;
		gb_want(c, EPOLLIN | EPOLLRDHUP);
		return;
	}
	c->st = GB_S_SENDING;
	gb_conn_io(c);
}

static void
gb_tls_send(struct gb_conn *c)
{
	int r;

	ERR_clear_error();
	r = SSL_write(c->ssl, c->req, (int)c->reqlen);
	if (r <= 0) {
		if (!gb_ssl_want(c, r))
			gb_fail(c, GB_F_TRUNCATED);
		return;
	}
	c->st = GB_S_READING;
	gb_want(c, EPOLLIN);
}

static void
gb_tls_read(struct gb_conn *c)
{
	struct gb_worker *w = c->w;
	unsigned long e;
	char b;
	int r, err;

	for (;;) {
		ERR_clear_error();
		r = SSL_read(c->ssl, w->scratch, GB_READ_CHUNK);
		if (r > 0) {
			if (gb_consume(c, w->scratch, (size_t)r) == -1)
				return;
			continue;
		}
		err = SSL_get_error(c->ssl, r);
		if (err == SSL_ERROR_WANT_READ) {
			gb_want(c, EPOLLIN);
			return;
		}
		if (err == SSL_ERROR_WANT_WRITE) {
			gb_want(c, EPOLLOUT);
			return;
		}
		if (err == SSL_ERROR_ZERO_RETURN) {
			if (!c->hdr_done) {
				gb_fail(c, GB_F_TRUNCATED);
				return;
			}
			/*
			 * We do not answer with our own close_notify (the
			 * server has gone), but the session must count as
			 * cleanly closed: OpenSSL marks the tickets of an
			 * unclean connection unusable.
			 */
			SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN |
			    SSL_RECEIVED_SHUTDOWN);
			/* close_notify seen; has the FIN arrived too? */
			gb_succeed(c, read(c->fd, &b, 1) == 0);
			return;
		}
		e = ERR_peek_error();
		if (err == SSL_ERROR_SYSCALL || (err == SSL_ERROR_SSL &&
		    ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
			gb_fail(c, c->hdr_done ? GB_F_NOCLOSE :
			    GB_F_TRUNCATED);
			return;
		}
		if (w->sh->o->verbose)
			ERR_print_errors_fp(stderr);
		gb_fail(c, GB_F_TLS);
		return;
	}
}

static void
gb_tls_hold(struct gb_conn *c)
{
	struct gb_worker *w = c->w;
	int r;

	/* Post-handshake messages (tickets) arrive here; EOF ends it. */
	ERR_clear_error();
	r = SSL_read(c->ssl, w->scratch, GB_READ_CHUNK);
	if (r <= 0 && SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ)
		return;
	w->held--;
	w->closed_early++;
	gb_conn_close(c, 1);
	c->st = GB_S_DONE;
}

static void
gb_plain_io(struct gb_conn *c)
{
	struct gb_worker *w = c->w;
	ssize_t n;

	if (c->st == GB_S_SENDING) {
		n = write(c->fd, c->req + c->sent, c->reqlen - c->sent);
		if (n == -1) {
			if (errno != EAGAIN)
				gb_fail(c, GB_F_TRUNCATED);
			return;
		}
		c->sent += (size_t)n;
		if (c->sent < c->reqlen)
			return;
		c->st = GB_S_READING;
		gb_want(c, EPOLLIN);
		return;
	}
	for (;;) {
		n = read(c->fd, w->scratch, GB_READ_CHUNK);
		if (n > 0) {
			gb_consume(c, w->scratch, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1 && errno == EINTR)
			continue;
		if (c->st == GB_S_HOLDING) {
			w->held--;
			w->closed_early++;
			gb_conn_close(c, 1);
			c->st = GB_S_DONE;
			return;
		}
		if (n == 0 && c->total > 0)
			gb_succeed(c, 1);
		else
			gb_fail(c, GB_F_TRUNCATED);
		return;
	}
}

static void
gb_connected(struct gb_conn *c)
{
	struct gb_worker *w = c->w;
	const struct gb_opts *o = w->sh->o;
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err != 0) {
		gb_fail(c, GB_F_CONNECT);
		return;
	}
	if (o->proto == GB_GOPHER) {
		if (o->idle) {
			c->st = GB_S_HOLDING;
			w->held++;
			gb_want(c, EPOLLIN | EPOLLRDHUP);
			return;
		}
		c->st = GB_S_SENDING;
		gb_plain_io(c);
		return;
	}
	if ((c->ssl = SSL_new(w->sh->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		gb_fail(c, GB_F_TLS);
		return;
	}
	SSL_set_connect_state(c->ssl);
	if (o->sni != NULL)
		SSL_set_tlsext_host_name(c->ssl, o->sni);
	if (o->resume == GB_RESUME_SHARED && w->sess != NULL)
		SSL_set_session(c->ssl, w->sess);
	else if (o->resume == GB_RESUME_ONCE && w->nunused > 0) {
		c->offered = w->unused[--w->nunused];
		SSL_set_session(c->ssl, c->offered);
	}
	c->st = GB_S_HANDSHAKE;
	gb_tls_handshake(c);
}

static void
gb_conn_io(struct gb_conn *c)
{
	const struct gb_opts *o = c->w->sh->o;

	switch (c->st) {
	case GB_S_CONNECTING:
		gb_connected(c);
		break;
	case GB_S_HANDSHAKE:
		gb_tls_handshake(c);
		break;
	case GB_S_SENDING:
		if (o->proto == GB_GEMINI)
			gb_tls_send(c);
		else
			gb_plain_io(c);
		break;
	case GB_S_READING:
		if (o->proto == GB_GEMINI)
			gb_tls_read(c);
		else
			gb_plain_io(c);
		break;
	case GB_S_HOLDING:
		if (o->proto == GB_GEMINI)
			gb_tls_hold(c);
		else
			gb_plain_io(c);
		break;
	default:
		break;
	}
}

/* --- workers -------------------------------------------------------------- */

static void
gb_scan_timeouts(struct gb_worker *w, uint64_t now)
{
	struct gb_conn *c;
	int i;

	for (i = 0; i < w->nconns; i++) {
		c = &w->conns[i];
		if (c->st == GB_S_BACKOFF) {
			if (now >= c->deadline)
				gb_conn_start(c);
			continue;
		}
		if (c->st == GB_S_IDLE || c->st == GB_S_DONE ||
		    c->st == GB_S_HOLDING)
			continue;
		if (now >= c->deadline)
			gb_fail(c, GB_F_TIMEOUT);
	}
}

static void
gb_worker_prepare(struct gb_worker *w, int nconns)
{
	const struct gb_opts *o = w->sh->o;
	size_t i, total = 0, len;
	const char *eol;
	int k;

	w->nconns = nconns;
	w->conns = gb_xcalloc((size_t)nconns, sizeof(*w->conns));
	w->unused = gb_xcalloc((size_t)nconns, sizeof(*w->unused));
	for (k = 0; k < nconns; k++) {
		w->conns[k].w = w;
		w->conns[k].idx = (uint32_t)k;
		w->conns[k].fd = -1;
	}
	w->scratch = gb_xcalloc(1, GB_READ_CHUNK);
	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		gb_die("epoll_create1: %s", strerror(errno));
	eol = "\r\n";
	for (i = 0; i < o->nurls; i++)
		total += strlen(o->urls[i]) + 2;
	w->reqbuf = gb_xcalloc(1, total + 1);
	w->reqoff = gb_xcalloc(o->nurls, sizeof(*w->reqoff));
	w->reqlen = gb_xcalloc(o->nurls, sizeof(*w->reqlen));
	total = 0;
	for (i = 0; i < o->nurls; i++) {
		len = strlen(o->urls[i]);
		memcpy(w->reqbuf + total, o->urls[i], len);
		memcpy(w->reqbuf + total + len, eol, 2);
		w->reqoff[i] = total;
		w->reqlen[i] = len + 2;
		total += len + 2;
	}
}

static void
gb_worker_free(struct gb_worker *w)
{
	int i;

	for (i = 0; i < w->nconns; i++)
		if (w->conns[i].fd != -1 || w->conns[i].ssl != NULL)
			gb_conn_close(&w->conns[i], 0);
	if (w->sess != NULL)
		SSL_SESSION_free(w->sess);
	while (w->nunused > 0)
		SSL_SESSION_free(w->unused[--w->nunused]);
	free(w->unused);
	close(w->ep);
	free(w->conns);
	free(w->scratch);
	free(w->reqbuf);
	free(w->reqoff);
	free(w->reqlen);
}

static void
gb_poll_once(struct gb_worker *w, int timeout_ms)
{
	struct epoll_event evs[GB_MAX_EVENTS];
	struct gb_conn *c;
	int n, i;

	n = epoll_wait(w->ep, evs, GB_MAX_EVENTS, timeout_ms);
	if (n == -1 && errno != EINTR)
		gb_die("epoll_wait: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		c = &w->conns[evs[i].data.u64 & 0xffffffffu];
		if (c->fd == -1 || c->gen != (uint32_t)(evs[i].data.u64 >> 32))
			continue;
		gb_conn_io(c);
	}
}

static void *
gb_worker_run(void *arg)
{
	struct gb_worker *w = arg;
	struct gb_shared *sh = w->sh;
	uint64_t now, next_scan;
	int i, ms;

	for (i = 0; i < w->nconns; i++)
		gb_conn_start(&w->conns[i]);
	next_scan = gb_now() + GB_SCAN_NS;
	for (;;) {
		now = gb_now();
		if (now >= sh->t_end)
			break;
		if (w->active == 0) {
			/* Only connections in backoff may still start. */
			for (i = 0; i < w->nconns; i++)
				if (w->conns[i].st == GB_S_BACKOFF)
					break;
			if (i == w->nconns)
				break;
		}
		ms = (int)((sh->t_end - now) / 1000000) + 1;
		if (ms > 20)
			ms = 20;
		gb_poll_once(w, ms);
		now = gb_now();
		if (now >= next_scan) {
			gb_scan_timeouts(w, now);
			next_scan = now + GB_SCAN_NS;
		}
	}
	w->stopping = 1;
	for (i = 0; i < w->nconns; i++) {
		if (w->conns[i].st != GB_S_IDLE &&
		    w->conns[i].st != GB_S_BACKOFF) {
			w->st.aborted++;
			gb_conn_close(&w->conns[i], 0);
		}
	}
	return NULL;
}

/* --- reporting ------------------------------------------------------------ */

static int
gb_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double
gb_pct_us(const struct gb_stats *st, double q)
{
	size_t i;

	if (st->nlat == 0)
		return 0;
	i = (size_t)(q * (double)st->nlat);
	if (i > 0 && (double)i == q * (double)st->nlat)
		i--;
	if (i >= st->nlat)
		i = st->nlat - 1;
	return (double)st->lat[i] / 1e3;
}

static void
gb_merge(struct gb_stats *dst, const struct gb_stats *src)
{
	int k;

	dst->completed += src->completed;
	for (k = 0; k < GB_F_MAX; k++)
		dst->fail[k] += src->fail[k];
	dst->resumed += src->resumed;
	dst->warm += src->warm;
	dst->warm_resumed += src->warm_resumed;
	dst->handshakes += src->handshakes;
	dst->bytes += src->bytes;
	dst->aborted += src->aborted;
	if (src->nlat > 0) {
		dst->lat = realloc(dst->lat,
		    (dst->nlat + src->nlat) * sizeof(*dst->lat));
		if (dst->lat == NULL)
			gb_die("out of memory");
		memcpy(dst->lat + dst->nlat, src->lat,
		    src->nlat * sizeof(*src->lat));
		dst->nlat += src->nlat;
	}
	if (dst->first_header[0] == '\0')
		memcpy(dst->first_header, src->first_header,
		    sizeof(dst->first_header));
}

static void
gb_print_tsv_header(void)
{
	printf("proto\tcompleted\tfailures\tf_connect\tf_tls\tf_status\t"
	    "f_truncated\tf_no_close_notify\tf_timeout\thandshakes\tresumed\t"
	    "elapsed_s\treq_per_s\tmb_per_s\tp50_us\tp90_us\tp99_us\t"
	    "max_us\tserver_cpu_us\tclient_cpu_us\tbytes_per_reply\t"
	    "first_header\twarm\twarm_resumed\n");
}

/* --latencies: every completed request's latency in microseconds, one
 * per line, smallest first (for a histogram or a CDF). */
static void
gb_write_latencies(const char *path, const struct gb_stats *st)
{
	FILE	*f;
	size_t	 i;

	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "gbench: %s: %s\n", path, strerror(errno));
		return;
	}
	for (i = 0; i < st->nlat; i++)
		fprintf(f, "%.1f\n", (double)st->lat[i] / 1e3);
	if (fclose(f) != 0)
		fprintf(stderr, "gbench: %s: %s\n", path, strerror(errno));
}

static void
gb_report(const struct gb_opts *o, struct gb_stats *st, double elapsed,
    double srv_cpu_us, double cli_cpu_s)
{
	uint64_t failures = 0;
	double rps, mbps, cli_us, bpr;
	int k;

	for (k = 0; k < GB_F_MAX; k++)
		failures += st->fail[k];
	if (st->nlat > 0)
		qsort(st->lat, st->nlat, sizeof(*st->lat), gb_cmp_u64);
	if (o->lat_path != NULL)
		gb_write_latencies(o->lat_path, st);
	rps = elapsed > 0 ? (double)st->completed / elapsed : 0;
	mbps = elapsed > 0 ? (double)st->bytes / elapsed / 1e6 : 0;
	cli_us = st->completed ? cli_cpu_s * 1e6 / (double)st->completed : 0;
	bpr = st->completed ? (double)st->bytes / (double)st->completed : 0;

	if (o->tsv) {
		printf("%s\t%llu\t%llu", o->proto == GB_GEMINI ? "gemini" :
		    "gopher", (unsigned long long)st->completed,
		    (unsigned long long)failures);
		for (k = 0; k < GB_F_MAX; k++)
			printf("\t%llu", (unsigned long long)st->fail[k]);
		printf("\t%llu\t%llu\t%.3f\t%.1f\t%.3f\t%.0f\t%.0f\t%.0f\t%.0f",
		    (unsigned long long)st->handshakes,
		    (unsigned long long)st->resumed, elapsed, rps, mbps,
		    gb_pct_us(st, 0.50), gb_pct_us(st, 0.90),
		    gb_pct_us(st, 0.99),
		    st->nlat ? (double)st->lat[st->nlat - 1] / 1e3 : 0.0);
		if (srv_cpu_us >= 0)
			printf("\t%.1f", srv_cpu_us);
		else
			printf("\t-");
		printf("\t%.1f\t%.0f\t%s\t%llu\t%llu\n", cli_us, bpr,
		    st->first_header[0] != '\0' ? st->first_header : "-",
		    (unsigned long long)st->warm,
		    (unsigned long long)st->warm_resumed);
		return;
	}
	printf("target        %s port %d, %zu target(s), first: %s\n",
	    o->hostarg, o->port, o->nurls, o->urls[0]);
	printf("load          %s, %d connections, %d thread(s)%s\n",
	    o->proto == GB_GEMINI ? "gemini" : "gopher", o->conns,
	    o->threads, o->resume == GB_RESUME_SHARED ? ", session resumption" :
	    o->resume == GB_RESUME_ONCE ? ", single-use tickets" : "");
	if (st->first_header[0] != '\0')
		printf("first header  %s\n", st->first_header);
	printf("completed     %llu in %.2f s (%llu cut off at the end)\n",
	    (unsigned long long)st->completed, elapsed,
	    (unsigned long long)st->aborted);
	printf("failures      %llu", (unsigned long long)failures);
	for (k = 0; k < GB_F_MAX; k++)
		printf("%s%s %llu", k ? ", " : " (", gb_fail_names[k],
		    (unsigned long long)st->fail[k]);
	printf(")\n");
	if (o->proto == GB_GEMINI)
		printf("handshakes    %llu, resumed %llu; after each "
		    "connection's first: %llu of %llu (%.1f%%)\n",
		    (unsigned long long)st->handshakes,
		    (unsigned long long)st->resumed,
		    (unsigned long long)st->warm_resumed,
		    (unsigned long long)st->warm, st->warm ?
		    100.0 * (double)st->warm_resumed / (double)st->warm : 0.0);
	printf("requests/s    %.1f\n", rps);
	printf("transfer      %.2f MB/s, %.0f bytes/reply\n", mbps, bpr);
	printf("latency us    p50 %.0f  p90 %.0f  p99 %.0f  max %.0f\n",
	    gb_pct_us(st, 0.50), gb_pct_us(st, 0.90), gb_pct_us(st, 0.99),
	    st->nlat ? (double)st->lat[st->nlat - 1] / 1e3 : 0.0);
	if (srv_cpu_us >= 0)
		printf("server cpu    %.1f us/request (pid %ld)\n",
		    srv_cpu_us, o->server_pid);
	printf("client cpu    %.1f us/request\n", cli_us);
}

/* --- modes ---------------------------------------------------------------- */

/* Poll the port until it accepts a connection; 0 when ready. */
static int
gb_wait_ready(const struct gb_opts *o)
{
	uint64_t end = gb_now() + (uint64_t)(o->wait_ready * 1e9);
	struct linger l = { 1, 0 };
	int fd, r;

	do {
		fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1)
			gb_die("socket: %s", strerror(errno));
		r = connect(fd, (const struct sockaddr *)&o->addr,
		    o->addrlen);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(fd);
		if (r == 0)
			return 0;
		usleep(5000);
	} while (gb_now() < end);
	return -1;
}

static int
gb_run_load(struct gb_opts *o, struct gb_shared *sh)
{
	struct gb_worker *ws;
	struct gb_stats total;
	long long cpu0 = -1, cpu1 = -1;
	double elapsed, srv_us = -1, cli0, cli1;
	uint64_t failures = 0;
	int i, per, extra, k;

	ws = gb_xcalloc((size_t)o->threads, sizeof(*ws));
	per = o->conns / o->threads;
	extra = o->conns % o->threads;
	for (i = 0; i < o->threads; i++) {
		ws[i].sh = sh;
		gb_worker_prepare(&ws[i], per + (i < extra));
	}
	if (o->server_pid != 0 &&
	    (cpu0 = gb_proc_cpu_ticks(o->server_pid)) < 0)
		gb_die("cannot read /proc/%ld/stat", o->server_pid);
	cli0 = gb_self_cpu_s();
	sh->t_start = gb_now();
	sh->t_end = sh->t_start + (uint64_t)(o->seconds * 1e9);
	for (i = 0; i < o->threads; i++)
		if (pthread_create(&ws[i].tid, NULL, gb_worker_run,
		    &ws[i]) != 0)
			gb_die("pthread_create failed");
	for (i = 0; i < o->threads; i++)
		pthread_join(ws[i].tid, NULL);
	elapsed = (double)(gb_now() - sh->t_start) / 1e9;
	if (elapsed > o->seconds)
		elapsed = o->seconds;
	cli1 = gb_self_cpu_s();
	memset(&total, 0, sizeof(total));
	for (i = 0; i < o->threads; i++)
		gb_merge(&total, &ws[i].st);
	if (o->server_pid != 0) {
		cpu1 = gb_proc_cpu_ticks(o->server_pid);
		if (cpu1 >= 0 && total.completed > 0)
			srv_us = (double)(cpu1 - cpu0) * 1e6 /
			    (double)sysconf(_SC_CLK_TCK) /
			    (double)total.completed;
	}
	gb_report(o, &total, elapsed, srv_us, cli1 - cli0);
	for (k = 0; k < GB_F_MAX; k++)
		failures += total.fail[k];
	for (i = 0; i < o->threads; i++) {
		free(ws[i].st.lat);
		gb_worker_free(&ws[i]);
	}
	free(ws);
	free(total.lat);
	if (total.completed == 0 || failures > 0)
		return 1;
	return 0;
}

/*
 * Idle mode: open N connections (at most -c handshakes at a time), leave
 * them idle after the handshake, and compare the server's RSS before and
 * while they are held.
 */
static int
gb_run_idle(struct gb_opts *o, struct gb_shared *sh)
{
	struct gb_worker w;
	uint64_t now, end, settle;
	long rss0 = -1, rss1 = -1;
	double per = 0, elapsed;
	int k, rc, started, failed = 0;

	memset(&w, 0, sizeof(w));
	w.sh = sh;
	gb_worker_prepare(&w, o->idle);
	w.idle_left = o->idle;
	if (o->server_pid != 0)
		rss0 = gb_proc_rss_kb(o->server_pid);
	sh->t_start = gb_now();
	sh->t_end = UINT64_MAX;
	end = sh->t_start + (uint64_t)((o->timeout + o->hold) * 1e9);
	started = 0;
	for (;;) {
		/* Keep at most -c handshakes in flight. */
		while (started < o->idle &&
		    w.active - w.held < o->conns)
			gb_conn_start(&w.conns[started++]);
		gb_poll_once(&w, 10);
		now = gb_now();
		gb_scan_timeouts(&w, now);
		if (started == o->idle && w.active == w.held)
			break;
		if (now >= end)
			break;
	}
	elapsed = (double)(gb_now() - sh->t_start) / 1e9;
	/* Let the server finish its post-handshake work before sampling. */
	settle = gb_now() + 500 * 1000000ull;
	while (gb_now() < settle)
		gb_poll_once(&w, 10);
	if (o->server_pid != 0)
		rss1 = gb_proc_rss_kb(o->server_pid);
	end = gb_now() + (uint64_t)(o->hold * 1e9);
	while (gb_now() < end)
		gb_poll_once(&w, 20);
	for (k = 0; k < GB_F_MAX; k++)
		failed += (int)w.st.fail[k];
	if (rss0 >= 0 && rss1 >= 0 && w.held > 0)
		per = (double)(rss1 - rss0) * 1024.0 / (double)w.held;
	if (o->tsv)
		printf("idle\t%d\t%d\t%d\t%d\t%llu\t%.3f\t%ld\t%ld\t%.0f\n",
		    o->idle, w.held, failed, w.closed_early,
		    (unsigned long long)w.st.resumed, elapsed, rss0, rss1,
		    per);
	else {
		printf("idle          %d requested, %d held to the end, "
		    "%d failed, %d closed by the server\n", o->idle, w.held,
		    failed, w.closed_early);
		for (k = 0; k < GB_F_MAX; k++)
			if (w.st.fail[k])
				printf("  %s %llu\n", gb_fail_names[k],
				    (unsigned long long)w.st.fail[k]);
		printf("established   in %.2f s\n", elapsed);
		if (o->server_pid != 0)
			printf("server rss    %ld kB before, %ld kB held: "
			    "%.0f bytes per connection\n", rss0, rss1, per);
	}
	rc = failed > 0 || w.held < o->idle ? 1 : 0;
	gb_worker_free(&w);
	return rc;
}

static int
gb_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		gb_die("cannot find a free port: %s", strerror(errno));
	printf("%d\n", ntohs(sin.sin_port));
	close(fd);
	return 0;
}

static double
gb_num(const char *s, const char *what, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		gb_die("bad %s: %s", what, s);
	return v;
}

/* waitport PORT SECONDS: for scripts starting a server on 127.0.0.1. */
static int
gb_wait_port(const char *port, const char *seconds)
{
	struct gb_opts o;

	memset(&o, 0, sizeof(o));
	gb_parse_host(&o, "127.0.0.1");
	o.port = (int)gb_num(port, "port", 1, 65535);
	o.wait_ready = gb_num(seconds, "seconds", 0, 3600);
	gb_set_port(&o);
	return gb_wait_ready(&o) == 0 ? 0 : 3;
}

static void __attribute__((noreturn))
gb_usage(void)
{
	fprintf(stderr,
"usage: gbench gemini|gopher -p PORT (-u URL_OR_SELECTOR | -U FILE)\n"
"              [-H 127.0.0.1] [-c CONNS] [-n REQUESTS] [-d SECONDS]\n"
"              [-t THREADS] [--resume | --single-use] [--sni NAME]\n"
"              [--expect-status NN]\n"
"              [--expect-bytes N] [--timeout SECONDS] [--server-pid PID]\n"
"              [--idle N [--hold SECONDS]] [--wait-ready SECONDS]\n"
"              [-o FILE] [--latencies FILE] [--tsv] [-v]\n"
"       gbench --tsv-header | gbench freeport | "
"gbench waitport PORT SECONDS\n");
	exit(2);
}

static void
gb_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char *argv[])
{
	enum {
		OPT_RESUME = 256, OPT_SINGLE_USE, OPT_SNI, OPT_EXPECT_STATUS, OPT_EXPECT_BYTES,
		OPT_TIMEOUT, OPT_SERVER_PID, OPT_TSV, OPT_TSV_HEADER,
		OPT_IDLE, OPT_HOLD, OPT_WAIT_READY, OPT_LATENCIES
	};
	static const struct option longopts[] = {
		{ "resume",		no_argument,	   NULL, OPT_RESUME },
		{ "single-use",		no_argument,	   NULL, OPT_SINGLE_USE },
		{ "sni",		required_argument, NULL, OPT_SNI },
		{ "expect-status",	required_argument, NULL,
		    OPT_EXPECT_STATUS },
		{ "expect-bytes",	required_argument, NULL,
		    OPT_EXPECT_BYTES },
		{ "timeout",		required_argument, NULL, OPT_TIMEOUT },
		{ "server-pid",		required_argument, NULL,
		    OPT_SERVER_PID },
		{ "tsv",		no_argument,	   NULL, OPT_TSV },
		{ "tsv-header",		no_argument,	   NULL,
		    OPT_TSV_HEADER },
		{ "idle",		required_argument, NULL, OPT_IDLE },
		{ "hold",		required_argument, NULL, OPT_HOLD },
		{ "wait-ready",		required_argument, NULL,
		    OPT_WAIT_READY },
		{ "latencies",		required_argument, NULL,
		    OPT_LATENCIES },
		{ NULL, 0, NULL, 0 }
	};
	struct gb_opts o;
	struct gb_shared sh;
	const char *host = "127.0.0.1", *urlfile = NULL, *url = NULL;
	int ch, rc;

	if (argc == 2 && strcmp(argv[1], "--tsv-header") == 0) {
		gb_print_tsv_header();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "freeport") == 0)
		return gb_free_port();
	if (argc == 4 && strcmp(argv[1], "waitport") == 0)
		return gb_wait_port(argv[2], argv[3]);
	if (argc < 2)
		gb_usage();
	memset(&o, 0, sizeof(o));
	if (strcmp(argv[1], "gemini") == 0)
		o.proto = GB_GEMINI;
	else if (strcmp(argv[1], "gopher") == 0)
		o.proto = GB_GOPHER;
	else
		gb_usage();
	o.conns = 8;
	o.seconds = 10;
	o.threads = 1;
	o.timeout = 10;
	o.hold = 2;
	o.expect_bytes = -1;
	memcpy(o.expect_status, "20", 3);

	optind = 2;
	while ((ch = getopt_long(argc, argv, "H:p:u:U:c:n:d:t:o:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'H':
			host = optarg;
			break;
		case 'p':
			o.port = (int)gb_num(optarg, "port", 1, 65535);
			break;
		case 'u':
			url = optarg;
			break;
		case 'U':
			urlfile = optarg;
			break;
		case 'c':
			o.conns = (int)gb_num(optarg, "connections", 1,
			    GB_MAX_CONNS);
			break;
		case 'n':
			o.requests = (uint64_t)gb_num(optarg, "requests", 1,
			    1e15);
			break;
		case 'd':
			o.seconds = gb_num(optarg, "seconds", 0.001, 86400);
			break;
		case 't':
			o.threads = (int)gb_num(optarg, "threads", 1, 256);
			break;
		case 'o':
			o.dump_path = optarg;
			break;
		case OPT_LATENCIES:
			o.lat_path = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case OPT_RESUME:
			o.resume = GB_RESUME_SHARED;
			break;
		case OPT_SINGLE_USE:
			o.resume = GB_RESUME_ONCE;
			break;
		case OPT_SNI:
			o.sni = optarg;
			break;
		case OPT_EXPECT_STATUS:
			if (strlen(optarg) != 2 ||
			    !isdigit((unsigned char)optarg[0]) ||
			    !isdigit((unsigned char)optarg[1]))
				gb_die("--expect-status wants two digits");
			memcpy(o.expect_status, optarg, 3);
			break;
		case OPT_EXPECT_BYTES:
			o.expect_bytes = (long long)gb_num(optarg, "bytes", 0,
			    1e15);
			break;
		case OPT_TIMEOUT:
			o.timeout = gb_num(optarg, "timeout", 0.001, 3600);
			break;
		case OPT_SERVER_PID:
			o.server_pid = (long)gb_num(optarg, "pid", 1, INT_MAX);
			break;
		case OPT_TSV:
			o.tsv = 1;
			break;
		case OPT_IDLE:
			o.idle = (int)gb_num(optarg, "idle connections", 1,
			    GB_MAX_CONNS);
			break;
		case OPT_HOLD:
			o.hold = gb_num(optarg, "hold", 0, 3600);
			break;
		case OPT_WAIT_READY:
			o.wait_ready = gb_num(optarg, "wait", 0, 3600);
			break;
		default:
			gb_usage();
		}
	}
	if (optind != argc || o.port == 0)
		gb_usage();
	if (gb_parse_host(&o, host) == -1)
		gb_die("%s: only loopback addresses (127.0.0.0/8, ::1) "
		    "are allowed", host);
	snprintf(o.hostarg, sizeof(o.hostarg), "%s", host);
	gb_set_port(&o);
	if (urlfile != NULL)
		gb_load_urls(&o, urlfile);
	else if (url != NULL)
		gb_add_url(&o, url, strlen(url));
	else if (o.proto == GB_GOPHER)
		gb_add_url(&o, "", 0);
	else if (!o.idle)
		gb_die("gemini needs -u URL or -U FILE");
	else
		gb_add_url(&o, "gemini://localhost/", 19);
	if (o.proto == GB_GEMINI && o.sni == NULL)
		gb_sni_from_url(&o, o.urls[0]);
	if (o.requests != 0 && o.conns > 0 &&
	    (uint64_t)o.conns > o.requests)
		o.conns = (int)o.requests;
	if (o.threads > o.conns)
		o.threads = o.conns;

	signal(SIGPIPE, SIG_IGN);
	gb_raise_nofile();
	if (o.wait_ready > 0 && gb_wait_ready(&o) == -1) {
		fprintf(stderr, "gbench: %s port %d not ready after %.1f s\n",
		    host, o.port, o.wait_ready);
		return 3;
	}

	memset(&sh, 0, sizeof(sh));
	sh.o = &o;
	atomic_init(&sh.started, 0);
	atomic_init(&sh.dump_pending, o.dump_path != NULL);
	pthread_mutex_init(&sh.dump_lock, NULL);
	if (o.proto == GB_GEMINI)
		sh.ctx = gb_ctx_new(&o);

	if (o.idle)
		rc = gb_run_idle(&o, &sh);
	else
		rc = gb_run_load(&o, &sh);

	SSL_CTX_free(sh.ctx);
	pthread_mutex_destroy(&sh.dump_lock);
	for (size_t i = 0; i < o.nurls; i++)
		free(o.urls[i]);
	free(o.urls);
	return rc;
}

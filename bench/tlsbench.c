/*
 * tlsbench: the server's TLS cost with no sockets.  A client SSL and a
 * server tls_conn (src/tls.c, as capsuled uses it) talk over memory; only
 * the server's calls are timed (thread CPU time), so the numbers are what
 * the TLS engine costs per connection, apart from the kernel and the
 * event loop.  Also reports the heap held per idle server connection.
 *
 *   tlsbench [-n COUNT] [-b BODY_BYTES] [-m full|resumed] [--idle N]
 *            [--allocs]
 *
 * --allocs lists what OpenSSL keeps allocated for each idle connection,
 * by source line (OpenSSL's allocator is replaced by a counting one).
 *
 * Under callgrind, count only the server's side with
 *   --toggle-collect='tls_*'
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "certgen.h"
#include "tls.h"

/*
 * Counting allocator for --allocs: live bytes per OpenSSL source line,
 * for the allocations made while counting is on.  A header in front of
 * each block remembers its size and line.
 */
#define SITES	4096

static struct site {
	const char	*file;
	int		 line;
	long		 live, count;
} sites[SITES];
static int counting;

struct block {
	size_t		 size;
	int		 site;		/* -1: made while not counting */
	int		 pad;
};

static int
site_of(const char *file, int line)
{
	size_t h = ((size_t)file * 31 + (size_t)line) % SITES, n;

	for (n = 0; n < SITES; n++, h = (h + 1) % SITES) {
		if (sites[h].file == NULL) {
			sites[h].file = file;
			sites[h].line = line;
		}
		if (sites[h].file == file && sites[h].line == line)
			return (int)h;
	}
	return -1;
}

static void *
count_malloc(size_t n, const char *file, int line)
{
	struct block *b;

	if ((b = malloc(sizeof(*b) + n)) == NULL)
		return NULL;
	b->size = n;
	b->site = counting ? site_of(file, line) : -1;
	if (b->site >= 0) {
		sites[b->site].live += (long)n;
		sites[b->site].count++;
	}
	return b + 1;
}

static void
count_free(void *p, const char *file, int line)
{
	struct block *b;

	(void)file;
	(void)line;
	if (p == NULL)
		return;
	b = (struct block *)p - 1;
	if (b->site >= 0) {
		sites[b->site].live -= (long)b->size;
		sites[b->site].count--;
	}
	free(b);
}

static void *
count_realloc(void *p, size_t n, const char *file, int line)
{
	struct block	*b;
	void		*q;

	if (p == NULL)
		return count_malloc(n, file, line);
	b = (struct block *)p - 1;
	if ((q = count_malloc(n, file, line)) == NULL)
		return NULL;
	memcpy(q, p, b->size < n ? b->size : n);
	count_free(p, file, line);
	return q;
}

static int
site_bigger(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->live < y->live ? 1 : x->live > y->live ? -1 : 0;
}

static void
allocs_report(int nconn)
{
	long	total = 0;
	int	i;

	counting = 0;
	qsort(sites, SITES, sizeof(*sites), site_bigger);
	printf("OpenSSL allocations held per idle connection "
	    "(16 bytes or more):\n");
	for (i = 0; i < SITES && sites[i].live > 0; i++) {
		total += sites[i].live;
		if (sites[i].live / nconn >= 16)
			printf("  %6ld bytes %5.1f blocks  %s:%d\n",
			    sites[i].live / nconn,
			    (double)sites[i].count / nconn, sites[i].file,
			    sites[i].line);
	}
	printf("  %6ld bytes in all\n", total / nconn);
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The client side: a plain SSL over memory BIOs. */
struct cli {
	SSL	*ssl;
	BIO	*in, *out;
};

static void
cli_init(struct cli *c, SSL_CTX *ctx, SSL_SESSION *sess)
{
	c->ssl = SSL_new(ctx);
	c->in = BIO_new(BIO_s_mem());
	c->out = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(c->in, -1);
	SSL_set_bio(c->ssl, c->in, c->out);
	SSL_set_connect_state(c->ssl);
	SSL_set_tlsext_host_name(c->ssl, "localhost");
	if (sess != NULL)
		SSL_set_session(c->ssl, sess);
}

/* Server -> client: what the server produced, timed on the server. */
static void
to_client(struct tls_conn *s, struct cli *c, double *spent)
{
	struct buf	b;
	double		t0;

	buf_init(&b, 1 << 24);
	t0 = cpu_now();
	tls_take(s, &b);
	*spent += cpu_now() - t0;
	if (b.len > 0)
		BIO_write(c->in, b.data, (int)b.len);
	buf_free(&b);
}

/* Client -> server. */
static void
to_server(struct cli *c, struct tls_conn *s, struct buf *req, double *spent)
{
	char	*p;
	long	 n;
	double	 t0;

	n = BIO_get_mem_data(c->out, &p);
	if (n <= 0)
		return;
	t0 = cpu_now();
	tls_feed(s, p, (size_t)n);
	(void)tls_read(s, req);
	*spent += cpu_now() - t0;
	(void)BIO_reset(c->out);
}

/*
 * One connection: handshake, request, a body, close_notify.  hold: stop
 * after the handshake (the server connection is left open).  Returns 0
 * when the client read the whole body.
 */
static int
one(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION **sess, int resume,
    const char *body, size_t blen, struct tls_conn *s, int hold,
    double *spent)
{
	struct cli	 c;
	struct buf	 req;
	char		 rd[16384];
	size_t		 got = 0, off, n;
	int		 r, i;
	double		 t0;

	cli_init(&c, cctx, resume ? *sess : NULL);
	buf_init(&req, 1026);
	t0 = cpu_now();
	tls_conn_init(s, sctx, 1);
	*spent += cpu_now() - t0;
	for (i = 0; i < 10 && !SSL_is_init_finished(c.ssl); i++) {
		(void)SSL_do_handshake(c.ssl);
		to_server(&c, s, &req, spent);
		to_client(s, &c, spent);
	}
	if (hold) {
		/* Let the client take the ticket, as a real one would. */
		(void)SSL_read(c.ssl, rd, sizeof(rd));
		SSL_free(c.ssl);
		buf_free(&req);
		return s->handshake_done ? 0 : -1;
	}
	SSL_write(c.ssl, "gemini://localhost/\r\n", 21);
	to_server(&c, s, &req, spent);
	t0 = cpu_now();
	for (off = 0; off < blen; off += n) {
		n = blen - off > 16384 ? 16384 : blen - off;
		tls_write(s, body + off, n);
	}
	tls_shutdown(s);
	*spent += cpu_now() - t0;
	to_client(s, &c, spent);
	while ((r = SSL_read(c.ssl, rd, sizeof(rd))) > 0)
		got += (size_t)r;
	if (SSL_get_error(c.ssl, r) != SSL_ERROR_ZERO_RETURN)
		got = (size_t)-1;
	/* A cleanly closed connection: its session stays resumable. */
	SSL_set_shutdown(c.ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	if (resume && !SSL_session_reused(c.ssl))
		got = (size_t)-1;
	if (!resume || *sess == NULL) {
		SSL_SESSION_free(*sess);
		*sess = SSL_get1_session(c.ssl);
	}
	t0 = cpu_now();
	tls_conn_free(s);
	*spent += cpu_now() - t0;
	SSL_free(c.ssl);
	buf_free(&req);
	ERR_clear_error();
	return got == blen ? 0 : -1;
}

int
main(int argc, char **argv)
{
	char		 dir[] = "/tmp/tlsbench-XXXXXX", crt[4096], key[4096];
	const char	*err = "";
	SSL_CTX		*sctx, *cctx;
	SSL_SESSION	*sess = NULL;
	struct tls_conn	 s, *held;
	struct mallinfo2 m0, m1;
	char		*body;
	size_t		 blen = 1200;
	double		 spent;
	int		 i, n = 2000, idle = 1000, fails, mode, only = -1;
	int		 allocs = 0;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--allocs") == 0)
			allocs = 1;
	/* Before OpenSSL allocates anything. */
	if (allocs && CRYPTO_set_mem_functions(count_malloc, count_realloc,
	    count_free) != 1) {
		fprintf(stderr, "tlsbench: cannot count allocations\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (strcmp(argv[i], "-b") == 0 && i + 1 < argc)
			blen = (size_t)atol(argv[++i]);
		else if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc)
			idle = atoi(argv[++i]);
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc)
			only = strcmp(argv[++i], "resumed") == 0;
		else if (strcmp(argv[i], "--allocs") == 0)
			continue;
		else {
			fprintf(stderr, "usage: tlsbench [-n COUNT] "
			    "[-b BODY_BYTES] [-m full|resumed] [--idle N] "
			    "[--allocs]\n");
			return 2;
		}
	}
	if (mkdtemp(dir) == NULL || certgen_ensure(dir, "localhost", crt,
	    sizeof(crt), key, sizeof(key), &err) == -1 ||
	    (sctx = tls_server_ctx(crt, key, &err)) == NULL) {
		fprintf(stderr, "tlsbench: %s\n", err);
		return 1;
	}
	unlink(crt);
	unlink(key);
	rmdir(dir);
	cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_OFF);
	if ((body = malloc(blen + 1)) == NULL)
		return 1;
	memset(body, 'x', blen);

	for (mode = 0; mode < 2; mode++) {
		if (only != -1 && mode != only)
			continue;
		/* Warm up, and get a session to resume. */
		for (i = 0; i < 50; i++)
			(void)one(sctx, cctx, &sess, 0, body, blen, &s, 0,
			    &spent);
		spent = 0;
		fails = 0;
		for (i = 0; i < n; i++)
			fails += one(sctx, cctx, &sess, mode, body, blen, &s,
			    0, &spent) != 0;
		printf("%-8s %d connections, %zu-byte body: %.1f us server "
		    "CPU each, %d failed%s\n", mode ? "resumed" : "full", n,
		    blen, spent * 1e6 / n, fails,
		    mode && fails > 0 ? " (not resumed)" : "");
	}

	if (idle > 0) {
		if ((held = calloc((size_t)idle, sizeof(*held))) == NULL)
			return 1;
		m0 = mallinfo2();
		counting = allocs;
		for (i = 0; i < idle; i++)
			(void)one(sctx, cctx, &sess, 0, body, blen, &held[i],
			    1, &spent);
		m1 = mallinfo2();
		if (allocs)
			allocs_report(idle);
		printf("idle     %d server connections after the handshake: "
		    "%.0f bytes of heap each\n", idle,
		    ((double)m1.uordblks - (double)m0.uordblks) / idle);
		for (i = 0; i < idle; i++)
			tls_conn_free(&held[i]);
		free(held);
	}
	SSL_SESSION_free(sess);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	free(body);
	return 0;
}

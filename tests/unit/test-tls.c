/*
 * test-tls: two TLS engines talking to each other in memory, with a
 * certificate made by certgen: handshake, data both ways, close_notify,
 * TLS 1.1 refused, resumption (also with a second server context, as after
 * a reload), and an existing certificate never replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "certgen.h"
#include "tls.h"
#include "tap.h"

/* Move everything each side has produced to the other; 1 if anything
 * moved. */
static int
shuttle(struct tls_conn *a, struct tls_conn *b)
{
	struct buf	 x;
	int		 moved = 0;

	buf_init(&x, 1 << 20);
	if (tls_pending(a) > 0) {
		tls_take(a, &x);
		tls_feed(b, x.data, x.len);
		buf_reset(&x);
		moved = 1;
	}
	if (tls_pending(b) > 0) {
		tls_take(b, &x);
		tls_feed(a, x.data, x.len);
		moved = 1;
	}
	buf_free(&x);
	return moved;
}

/* Run both handshakes to completion (or failure). */
static int
handshake(struct tls_conn *srv, struct tls_conn *cli, struct buf *sp,
    struct buf *cp)
{
	enum tls_status s1 = TLS_WANT, s2 = TLS_WANT;
	int i;

	for (i = 0; i < 20; i++) {
		s2 = tls_read(cli, cp);
		s1 = tls_read(srv, sp);
		if (s1 == TLS_ERROR || s2 == TLS_ERROR)
			return -1;
		if (!shuttle(srv, cli) && srv->handshake_done &&
		    cli->handshake_done)
			return 0;
	}
	return -1;
}

/*
 * One connection from a client context to a server context, with an
 * optional session to resume; returns the client's session afterwards
 * (NULL on failure) and whether it was resumed.
 */
static SSL_SESSION *
connect_once(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *resume, int *reused)
{
	struct tls_conn	 srv, cli;
	struct buf	 sp, cp;
	SSL_SESSION	*sess = NULL;

	tls_conn_init(&srv, sctx, 1);
	tls_conn_init(&cli, cctx, 0);
	if (resume != NULL)
		SSL_set_session(cli.ssl, resume);
	buf_init(&sp, 1026);
	buf_init(&cp, 1 << 16);
	if (handshake(&srv, &cli, &sp, &cp) == 0) {
		tls_write(&cli, "gemini://localhost/\r\n", 21);
		shuttle(&srv, &cli);
		tls_read(&srv, &sp);
		tls_write(&srv, "20 text/gemini\r\n", 16);
		tls_shutdown(&srv);
		shuttle(&srv, &cli);
		if (tls_read(&cli, &cp) == TLS_CLOSED) {
			*reused = SSL_session_reused(cli.ssl);
			/* Closed cleanly: its session stays resumable. */
			SSL_set_shutdown(cli.ssl, SSL_SENT_SHUTDOWN |
			    SSL_RECEIVED_SHUTDOWN);
			sess = SSL_get1_session(cli.ssl);
		}
	}
	tls_conn_free(&srv);
	tls_conn_free(&cli);
	buf_free(&sp);
	buf_free(&cp);
	return sess;
}

int
main(void)
{
	char		 dir[] = "/tmp/capsuled-tls-XXXXXX";
	char		 crt[4096], key[4096], crt2[4096], key2[4096];
	const char	*err = NULL;
	struct stat	 st, st2;
	SSL_CTX		*sctx, *sctx2, *cctx;
	SSL_SESSION	*s1, *s2, *s3;
	int		 reused;
	struct tls_conn	 srv, cli;
	struct buf	 sp, cp;
	int		 r;

	if (mkdtemp(dir) == NULL)
		return 1;
	r = certgen_ensure(dir, "localhost", crt, sizeof(crt), key,
	    sizeof(key), &err);
	is_int(r, 1, "certificate generated on first start");
	ok(stat(key, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "key file mode is 0600");
	stat(crt, &st);
	r = certgen_ensure(dir, "localhost", crt2, sizeof(crt2), key2,
	    sizeof(key2), &err);
	stat(crt2, &st2);
	ok(r == 0 && st.st_ino == st2.st_ino &&
	    st.st_mtim.tv_nsec == st2.st_mtim.tv_nsec,
	    "existing pair reused, not replaced");

	sctx = tls_server_ctx(crt, key, &err);
	ok(sctx != NULL, "server context loads the generated pair");

	/* A normal TLS 1.2+ exchange. */
	cctx = SSL_CTX_new(TLS_client_method());
	tls_conn_init(&srv, sctx, 1);
	tls_conn_init(&cli, cctx, 0);
	SSL_set_tlsext_host_name(cli.ssl, "localhost");
	buf_init(&sp, 1026);
	buf_init(&cp, 1 << 16);
	is_int(handshake(&srv, &cli, &sp, &cp), 0, "handshake completes");
	ok(SSL_version(srv.ssl) == TLS1_3_VERSION, "TLS 1.3 negotiated");
	is_str(SSL_get_servername(srv.ssl, TLSEXT_NAMETYPE_host_name),
	    "localhost", "SNI seen by the server");
	tls_write(&cli, "gemini://localhost/\r\n", 21);
	shuttle(&srv, &cli);
	tls_read(&srv, &sp);
	is_str(sp.data, "gemini://localhost/\r\n", "request decrypted");
	tls_write(&srv, "20 text/gemini\r\nhi\n", 19);
	tls_shutdown(&srv);
	shuttle(&srv, &cli);
	is_int(tls_read(&cli, &cp), TLS_CLOSED,
	    "client sees close_notify after the body");
	is_str(cp.data, "20 text/gemini\r\nhi\n", "response decrypted");
	tls_conn_free(&srv);
	tls_conn_free(&cli);
	SSL_CTX_free(cctx);

	/* Resumption with the ticket of an earlier connection, also on a
	 * second context for the same certificate (a reload). */
	cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_OFF);
	sctx2 = tls_server_ctx(crt, key, &err);
	reused = -1;
	s1 = connect_once(sctx, cctx, NULL, &reused);
	ok(s1 != NULL && reused == 0 && SSL_SESSION_is_resumable(s1),
	    "a full handshake leaves a ticket");
	reused = 0;
	s2 = connect_once(sctx, cctx, s1, &reused);
	ok(s2 != NULL && reused == 1, "the ticket resumes the session");
	reused = 0;
	s3 = connect_once(sctx2, cctx, s2, &reused);
	ok(s3 != NULL && reused == 1,
	    "a new context (a reload) accepts the earlier ticket");
	SSL_SESSION_free(s1);
	SSL_SESSION_free(s2);
	SSL_SESSION_free(s3);
	SSL_CTX_free(sctx2);
	SSL_CTX_free(cctx);

	/* A client that offers TLS 1.1 at most is refused. */
	cctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(cctx, TLS1_VERSION);
	SSL_CTX_set_max_proto_version(cctx, TLS1_1_VERSION);
	SSL_CTX_set_security_level(cctx, 0);
	tls_conn_init(&srv, sctx, 1);
	tls_conn_init(&cli, cctx, 0);
	buf_reset(&sp);
	buf_reset(&cp);
	is_int(handshake(&srv, &cli, &sp, &cp), -1, "TLS 1.1 refused");
	tls_conn_free(&srv);
	tls_conn_free(&cli);
	SSL_CTX_free(cctx);

	/* Half a pair is an error, never silently regenerated. */
	stat(key, &st);
	unlink(crt);
	r = certgen_ensure(dir, "localhost", crt, sizeof(crt), key,
	    sizeof(key), &err);
	is_int(r, -1, "a key without its certificate is an error");
	ok(stat(key, &st2) == 0 && st2.st_ino == st.st_ino &&
	    st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec &&
	    stat(crt, &st2) == -1, "the key is left as it was");

	SSL_CTX_free(sctx);
	buf_free(&sp);
	buf_free(&cp);
	unlink(key);
	rmdir(dir);
	return tap_done();
}

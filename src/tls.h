/*
 * tls: the TLS engine.  OpenSSL runs over an in-memory BIO, so it never
 * touches a socket: ciphertext from the network is fed in, plaintext comes
 * out, and whatever OpenSSL wants to send (handshake flights, tickets,
 * alerts, close_notify) waits in an output buffer until the caller takes
 * it.  No libuv in here, so two engines can be tested against each other.
 */
#ifndef CAPSULED_TLS_H
#define CAPSULED_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "buf.h"

enum tls_status {
	TLS_OK,		/* progress made (or nothing to do) */
	TLS_WANT,	/* needs more input from the peer */
	TLS_CLOSED,	/* the peer sent close_notify */
	TLS_ERROR	/* fatal: drop the connection, no close_notify */
};

/* The first byte of a TLS handshake record: a ClientHello starts so. */
#define TLS_HANDSHAKE_RECORD	0x16

struct tls_conn {
	SSL		*ssl;
	struct buf	 in;		/* network -> SSL, not read yet */
	size_t		 in_off;	/* how much of in SSL has read */
	struct buf	 out;		/* SSL -> network, not taken yet */
	int		 handshake_done;
	int		 failed;	/* after SSL_ERROR_SSL/SYSCALL: no
					   shutdown */
};

/* Server context for one certificate: TLS 1.2+, no renegotiation,
 * SHA-256 suites first, small idle buffers, one session ticket per
 * connection, resumed ones included (a client may use each ticket only
 * once), encrypted with process-wide keys that rotate hourly (shared
 * by every context, so tickets survive a reload and work on every
 * worker).  NULL with *err on failure. */
SSL_CTX		*tls_server_ctx(const char *crt, const char *key,
		    const char **err);

int		 tls_conn_init(struct tls_conn *, SSL_CTX *, int server);
void		 tls_conn_free(struct tls_conn *);
/* Ciphertext from the network (copied: p may be reused at once). */
int		 tls_feed(struct tls_conn *, const void *p, size_t n);

/* Run the handshake if needed, then append decrypted bytes to plain
 * (which stops growing at its maximum: the caller detects overlong
 * requests by its length). */
enum tls_status	 tls_read(struct tls_conn *, struct buf *plain);

/* Encrypt all of p into the output.  Callers pass at most 16 KiB at a
 * time and take the output between calls (or before the next flush);
 * records written in a row accumulate, so several can leave in one
 * write. */
enum tls_status	 tls_write(struct tls_conn *, const void *p, size_t n);

/* Queue close_notify (the peer's is not awaited). */
void		 tls_shutdown(struct tls_conn *);

/* Bytes waiting to go to the network, and taking them: appended to out,
 * or, when out has no storage yet, handed over without a copy (out keeps
 * its maximum).  Nothing is held for the connection afterwards. */
size_t		 tls_pending(const struct tls_conn *);
int		 tls_take(struct tls_conn *, struct buf *out);

/* The SHA-256 fingerprint of the client's certificate as lowercase hex
 * (65 bytes with NUL), or -1 when it sent none. */
int		 tls_peer_fingerprint(struct tls_conn *, char *hex, size_t len);

#endif

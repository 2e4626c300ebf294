/*
 * tls: OpenSSL over memory BIOs (see tls.h).  The rules that keep it
 * correct: clear the error queue before every SSL call, let the caller
 * drain the output BIO after every call (handshake flights and tickets
 * leave through it even when the call "succeeds"), and never send
 * close_notify after a fatal error.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "buf.h"
#include "tls.h"

SSL_CTX *
tls_server_ctx(const char *crt, const char *key, const char **err)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		*err = "SSL_CTX_new failed";
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* One ticket per connection: Gemini clients open one connection per
	 * request, so a second ticket is never used and costs a record. */
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1)
		goto fail;
	if (SSL_CTX_use_certificate_chain_file(ctx, crt) != 1) {
		*err = "cannot load certificate";
		goto out;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		*err = "cannot load private key";
		goto out;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		*err = "private key does not match certificate";
		goto out;
	}
	return ctx;
fail:
	*err = "TLS setup failed";
out:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

int
tls_conn_init(struct tls_conn *t, SSL_CTX *ctx, int server)
{
	memset(t, 0, sizeof(*t));
	if ((t->ssl = SSL_new(ctx)) == NULL)
		return -1;
	t->rbio = BIO_new(BIO_s_mem());
	t->wbio = BIO_new(BIO_s_mem());
	if (t->rbio == NULL || t->wbio == NULL) {
		BIO_free(t->rbio);
		BIO_free(t->wbio);
		SSL_free(t->ssl);
		t->ssl = NULL;
		return -1;
	}
	/* An empty input BIO means "wait for more", not end of file. */
	BIO_set_mem_eof_return(t->rbio, -1);
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	if (server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	return 0;
}

void
tls_conn_free(struct tls_conn *t)
{
	SSL_free(t->ssl);	/* frees both BIOs */
	t->ssl = NULL;
}

int
tls_feed(struct tls_conn *t, const void *p, size_t n)
{
	return BIO_write(t->rbio, p, (int)n) == (int)n ? 0 : -1;
}

/* Fold SSL_get_error into our four outcomes. */
static enum tls_status
tls_status_of(struct tls_conn *t, int r)
{
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT;
	case SSL_ERROR_ZERO_RETURN:
		return TLS_CLOSED;
	default:
		t->failed = 1;
		ERR_clear_error();
		return TLS_ERROR;
	}
}

enum tls_status
tls_read(struct tls_conn *t, struct buf *plain)
{
	char	 tmp[2048];
	int	 r;

	if (!t->handshake_done) {
		ERR_clear_error();
		if ((r = SSL_do_handshake(t->ssl)) != 1)
			return tls_status_of(t, r);
		t->handshake_done = 1;
	}
	for (;;) {
		ERR_clear_error();
		if ((r = SSL_read(t->ssl, tmp, sizeof(tmp))) <= 0)
			return tls_status_of(t, r);
		/* Keep what fits: a full buffer tells the caller the
		 * request is too long. */
		if ((size_t)r > plain->max - plain->len)
			r = (int)(plain->max - plain->len);
		if (buf_append(plain, tmp, (size_t)r) == -1)
			return TLS_ERROR;
		if (plain->len >= plain->max)
			return TLS_OK;
	}
}

enum tls_status
tls_write(struct tls_conn *t, const void *p, size_t n)
{
	int r;

	if (n == 0)
		return TLS_OK;
	ERR_clear_error();
	if ((r = SSL_write(t->ssl, p, (int)n)) <= 0)
		return tls_status_of(t, r);
	return TLS_OK;
}

void
tls_shutdown(struct tls_conn *t)
{
	if (t->failed || !t->handshake_done)
		return;
	ERR_clear_error();
	(void)SSL_shutdown(t->ssl);
	ERR_clear_error();
}

size_t
tls_pending(const struct tls_conn *t)
{
	return BIO_ctrl_pending(t->wbio);
}

int
tls_take(struct tls_conn *t, struct buf *out)
{
	char	*p;
	long	 n;

	n = BIO_get_mem_data(t->wbio, &p);
	if (n <= 0)
		return 0;
	if (buf_append(out, p, (size_t)n) == -1)
		return -1;
	(void)BIO_reset(t->wbio);
	return 0;
}

int
tls_peer_fingerprint(struct tls_conn *t, char *hex, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;
	X509			*cert;

	if ((cert = SSL_get1_peer_certificate(t->ssl)) == NULL)
		return -1;
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) != 1 ||
	    len < mdlen * 2 + 1) {
		X509_free(cert);
		return -1;
	}
	X509_free(cert);
	for (i = 0; i < mdlen; i++) {
		hex[i * 2] = digits[md[i] >> 4];
		hex[i * 2 + 1] = digits[md[i] & 0xf];
	}
	hex[mdlen * 2] = '\0';
	return 0;
}

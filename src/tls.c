/*
 * tls: OpenSSL over an in-memory BIO of our own (see tls.h).  The rules
 * that keep it correct: clear the error queue before every SSL call, let
 * the caller drain the output after every call (handshake flights and
 * tickets leave through it even when the call "succeeds"), and never send
 * close_notify after a fatal error.
 *
 * Costs, measured with bench/tlsbench (server side, no sockets): a full
 * TLS 1.3 handshake is dominated by OpenSSL itself (key generation,
 * signature, key schedule, ticket), so what is done here is to stay out
 * of its way: one BIO per connection that holds no memory while idle and
 * hands its output over without a copy, SHA-256 suites first, one
 * ticket, ticket keys made once per process.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "buf.h"
#include "tls.h"

/* Bytes one connection may have waiting, either way: callers write at
 * most 16 KiB between takes and stop feeding once a request is in, so
 * this only guards against a caller that forgets. */
#define TLS_PENDING_MAX		(1024 * 1024)
/* First allocation for output: a whole server flight (certificate
 * included) fits, so it is not grown step by step. */
#define TLS_OUT_FIRST		4096
/* Ticket keys: a new one every TICKET_ROTATE_SEC; the previous one is
 * still accepted, so every ticket stays usable for its whole lifetime. */
#define TICKET_ROTATE_SEC	3600
#define TICKET_LIFETIME_SEC	TICKET_ROTATE_SEC

/*------------------------------------------------------------ ticket keys */

struct ticket_key {
	unsigned char	 name[16];
	unsigned char	 aes[32];
	unsigned char	 hmac[32];
};

/*
 * Process-wide: every SSL_CTX (one per host, a new set on each reload)
 * and every worker thread encrypts tickets with the same keys, so a
 * ticket is accepted whichever worker or configuration generation the
 * client lands on next.  The lock is held only to rotate or copy a key.
 */
static struct {
	pthread_mutex_t	 lock;
	EVP_CIPHER	*cipher;	/* AES-256-CBC, fetched once */
	struct ticket_key keys[2];	/* [0] current, [1] previous */
	int		 nkeys;
	time_t		 rotated;
} tickets = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int
ticket_new_key(struct ticket_key *k)
{
	return RAND_bytes(k->name, sizeof(k->name)) == 1 &&
	    RAND_priv_bytes(k->aes, sizeof(k->aes)) == 1 &&
	    RAND_priv_bytes(k->hmac, sizeof(k->hmac)) == 1 ? 0 : -1;
}

/* Called with the lock held: make the first key, or rotate. */
static int
ticket_rotate(time_t now)
{
	struct ticket_key k;

	if (tickets.nkeys > 0 && now - tickets.rotated < TICKET_ROTATE_SEC &&
	    now >= tickets.rotated)
		return 0;
	if (ticket_new_key(&k) == -1)
		return -1;
	tickets.keys[1] = tickets.keys[0];
	tickets.keys[0] = k;
	if (tickets.nkeys < 2)
		tickets.nkeys++;
	tickets.rotated = now;
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

static int
ticket_mac_init(EVP_MAC_CTX *hctx, unsigned char *key, size_t len)
{
	OSSL_PARAM p[3];

	p[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key, len);
	p[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	p[2] = OSSL_PARAM_construct_end();
	return EVP_MAC_CTX_set_params(hctx, p);
}

/*
 * OpenSSL asks for a key to encrypt a new ticket (enc = 1) or for the key
 * named in a ticket it received.  Returns 1 (use it), 2 (valid: resume
 * and issue a fresh ticket) or 0: no ticket is sent, or the one received
 * is ignored (a full handshake), which is also what any failure here
 * comes down to, rather than failing the connection.
 *
 * Every resumption renews: clients that use each TLS 1.3 ticket once
 * (RFC 8446 C.4; browsers, Go, GnuTLS) would otherwise have no ticket
 * left and resume only every other connection.
 */
static int
ticket_cb(SSL *ssl, unsigned char name[16], unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct ticket_key	k;
	int			i, r = 0, which = -1;

	(void)ssl;
	pthread_mutex_lock(&tickets.lock);
	if (ticket_rotate(time(NULL)) == 0) {
		if (enc)
			which = 0;
		for (i = 0; !enc && i < tickets.nkeys; i++)
			if (memcmp(name, tickets.keys[i].name, 16) == 0)
				which = i;
		if (which >= 0)
			k = tickets.keys[which];
	}
	pthread_mutex_unlock(&tickets.lock);
	if (which < 0)
		return 0;
	if (enc) {
		memcpy(name, k.name, 16);
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(tickets.cipher))
		    == 1 &&
		    EVP_EncryptInit_ex2(cctx, tickets.cipher, k.aes, iv,
		    NULL) == 1 &&
		    ticket_mac_init(hctx, k.hmac, sizeof(k.hmac)) == 1)
			r = 1;
	} else if (EVP_DecryptInit_ex2(cctx, tickets.cipher, k.aes, iv,
	    NULL) == 1 && ticket_mac_init(hctx, k.hmac, sizeof(k.hmac)) == 1)
		r = 2;
	OPENSSL_cleanse(&k, sizeof(k));
	return r;
}

/*------------------------------------------------------------ the BIO */

/*
 * One BIO per connection carries both directions: OpenSSL reads the
 * ciphertext we were fed and writes records into t->out.  Unlike a pair
 * of memory BIOs it holds no buffer once everything is consumed or taken
 * (an idle connection costs nothing here), and its output is handed to
 * the caller without a copy.
 */
static BIO_METHOD	*bio_method;
static pthread_once_t	 bio_once = PTHREAD_ONCE_INIT;

static int
bio_write(BIO *b, const char *p, int n)
{
	struct tls_conn	*t = BIO_get_data(b);
	char		*np;
	size_t		 need;

	BIO_clear_retry_flags(b);
	if (n <= 0)
		return 0;
	if (t->out.data == NULL) {
		/* Sized for a whole flight, instead of growing from 64. */
		need = (size_t)n + 1 > TLS_OUT_FIRST ? (size_t)n + 1 :
		    TLS_OUT_FIRST;
		if ((np = malloc(need)) == NULL)
			return -1;
		np[0] = '\0';
		t->out.data = np;
		t->out.cap = need;
	}
	return buf_append(&t->out, p, (size_t)n) == -1 ? -1 : n;
}

static int
bio_read(BIO *b, char *p, int n)
{
	struct tls_conn	*t = BIO_get_data(b);
	size_t		 avail = t->in.len - t->in_off;

	BIO_clear_retry_flags(b);
	if (avail == 0) {
		/* Empty means "wait for more", never end of file. */
		BIO_set_retry_read(b);
		return -1;
	}
	if (n <= 0)
		return 0;
	if ((size_t)n > avail)
		n = (int)avail;
	memcpy(p, t->in.data + t->in_off, (size_t)n);
	t->in_off += (size_t)n;
	if (t->in_off == t->in.len) {
		buf_free(&t->in);
		t->in_off = 0;
	}
	return n;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct tls_conn *t = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;	/* the caller takes the output */
	case BIO_CTRL_PENDING:
		return (long)(t->in.len - t->in_off);
	case BIO_CTRL_WPENDING:
		return (long)t->out.len;
	default:
		return 0;
	}
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static void
bio_method_init(void)
{
	BIO_METHOD *m;

	if ((m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	    "capsuled memory")) == NULL)
		return;
	if (BIO_meth_set_write(m, bio_write) != 1 ||
	    BIO_meth_set_read(m, bio_read) != 1 ||
	    BIO_meth_set_ctrl(m, bio_ctrl) != 1 ||
	    BIO_meth_set_create(m, bio_create) != 1) {
		BIO_meth_free(m);
		return;
	}
	bio_method = m;
}

/*------------------------------------------------------------ contexts */

SSL_CTX *
tls_server_ctx(const char *crt, const char *key, const char **err)
{
	static const unsigned char	 sid_ctx[] = "capsuled";
	SSL_CTX				*ctx;

	pthread_once(&bio_once, bio_method_init);
	pthread_mutex_lock(&tickets.lock);
	if (tickets.cipher == NULL)
		tickets.cipher = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
	pthread_mutex_unlock(&tickets.lock);
	if (bio_method == NULL || tickets.cipher == NULL) {
		*err = "TLS setup failed";
		return NULL;
	}
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
	/* Stateless resumption only: nothing is stored per session here. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_timeout(ctx, TICKET_LIFETIME_SEC);
	/* Resuming a session on a host that asks for client certificates
	 * fails without a session id context. */
	if (SSL_CTX_set_session_id_context(ctx, sid_ctx,
	    sizeof(sid_ctx) - 1) != 1 ||
	    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb) != 1)
		goto fail;
	if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1)
		goto fail;
	/* SHA-256 suites first: the key schedule runs a dozen HMACs, and
	 * SHA-256 has hardware support where SHA-384 has none (-9% server
	 * CPU per full handshake, bench/tlsbench). */
	if (SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
	    "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384") != 1)
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

/*------------------------------------------------------------ connections */

int
tls_conn_init(struct tls_conn *t, SSL_CTX *ctx, int server)
{
	BIO *b;

	memset(t, 0, sizeof(*t));
	buf_init(&t->in, TLS_PENDING_MAX);
	buf_init(&t->out, TLS_PENDING_MAX);
	pthread_once(&bio_once, bio_method_init);
	if (bio_method == NULL || (t->ssl = SSL_new(ctx)) == NULL)
		return -1;
	if ((b = BIO_new(bio_method)) == NULL) {
		SSL_free(t->ssl);
		t->ssl = NULL;
		return -1;
	}
	BIO_set_data(b, t);
	/* The same BIO both ways: the SSL takes our one reference. */
	SSL_set_bio(t->ssl, b, b);
	if (server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	return 0;
}

void
tls_conn_free(struct tls_conn *t)
{
	SSL_free(t->ssl);	/* frees the BIO */
	t->ssl = NULL;
	buf_free(&t->in);
	buf_free(&t->out);
	t->in_off = 0;
}

int
tls_feed(struct tls_conn *t, const void *p, size_t n)
{
	/* Consumed input is dropped first, so the buffer only ever holds
	 * what OpenSSL has not read yet (part of a record, usually). */
	if (t->in_off > 0) {
		memmove(t->in.data, t->in.data + t->in_off,
		    t->in.len - t->in_off);
		t->in.len -= t->in_off;
		t->in_off = 0;
	}
	return buf_append(&t->in, p, n);
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
	return t->out.len;
}

int
tls_take(struct tls_conn *t, struct buf *out)
{
	if (t->out.len == 0)
		return 0;
	if (out->data == NULL && t->out.len <= out->max) {
		/* The usual case: hand the bytes over, no copy. */
		out->data = t->out.data;
		out->len = t->out.len;
		out->cap = t->out.cap;
		t->out.data = NULL;
		t->out.len = t->out.cap = 0;
		return 0;
	}
	if (buf_append(out, t->out.data, t->out.len) == -1)
		return -1;
	buf_free(&t->out);
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

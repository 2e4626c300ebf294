/*
 * certgen: self-signed ECDSA P-256 certificates for first start.  The key
 * is written with mode 0600 through O_EXCL, and both files are written
 * under temporary names and linked into place, so a crash never leaves a
 * half-written pair that a later start would mistake for a real one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "certgen.h"

#define CERT_DAYS	(365L * 30)	/* clients pin it: make it last */

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static X509 *
make_cert(EVP_PKEY *pkey, const char *host)
{
	X509		*x;
	X509_NAME	*name;
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;
	ASN1_INTEGER	*serial;
	unsigned char	 rnd[16], addr[16];
	char		 san[300];
	BIGNUM		*bn;

	if ((x = X509_new()) == NULL)
		return NULL;
	X509_set_version(x, 2);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto fail;
	rnd[0] &= 0x7f;		/* a positive serial number */
	bn = BN_bin2bn(rnd, sizeof(rnd), NULL);
	serial = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	if (serial == NULL)
		goto fail;
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_time_adj_ex(X509_getm_notAfter(x), CERT_DAYS, 0, NULL);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)host, -1, -1, 0);
	X509_set_issuer_name(x, name);

	if (inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1)
		snprintf(san, sizeof(san), "IP:%s", host);
	else
		snprintf(san, sizeof(san), "DNS:%s", host);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
	if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
		X509_EXTENSION_free(ext);
		goto fail;
	}
	X509_EXTENSION_free(ext);
	if (X509_sign(x, pkey, EVP_sha256()) == 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

/* Write through fd into a temporary file, then link it to its final name
 * (link fails rather than replacing a file that appeared meanwhile). */
static int
write_pem(const char *path, mode_t mode, EVP_PKEY *pkey, X509 *x)
{
	char	 tmp[4200];
	FILE	*fp;
	int	 fd, ok;

	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode))
	    == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (pkey != NULL)
		ok = PEM_write_PrivateKey(fp, pkey, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_X509(fp, x);
	ok = ok == 1 && fflush(fp) == 0 && fsync(fd) == 0;
	if (fclose(fp) != 0)
		ok = 0;
	if (ok && link(tmp, path) == -1)
		ok = 0;
	unlink(tmp);
	return ok ? 0 : -1;
}

int
certgen_ensure(const char *dir, const char *host, char *crt, size_t crtlen,
    char *key, size_t keylen, const char **err)
{
	EVP_PKEY	*pkey;
	X509		*x;
	int		 hascrt, haskey, r = -1;

	if ((size_t)snprintf(crt, crtlen, "%s/%s.crt", dir, host) >= crtlen ||
	    (size_t)snprintf(key, keylen, "%s/%s.key", dir, host) >= keylen) {
		*err = "certificate path too long";
		return -1;
	}
	hascrt = exists(crt);
	haskey = exists(key);
	if (hascrt && haskey)
		return 0;
	if (hascrt || haskey) {
		*err = hascrt ? "certificate exists without its key" :
		    "key exists without its certificate";
		return -1;
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		*err = "cannot create the certificate directory";
		return -1;
	}
	if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL) {
		*err = "key generation failed";
		ERR_clear_error();
		return -1;
	}
	if ((x = make_cert(pkey, host)) == NULL) {
		*err = "certificate generation failed";
		goto out;
	}
	if (write_pem(key, 0600, pkey, NULL) == -1) {
		*err = "cannot write the key file";
		goto out;
	}
	if (write_pem(crt, 0644, NULL, x) == -1) {
		unlink(key);	/* ours, written a moment ago */
		*err = "cannot write the certificate file";
		goto out;
	}
	r = 1;
out:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(pkey);
	return r;
}

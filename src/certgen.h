/*
 * certgen: the first-start certificate.  Gemini clients pin a host's
 * certificate on first use, so an existing pair is always used as it is
 * and never replaced.
 */
#ifndef CAPSULED_CERTGEN_H
#define CAPSULED_CERTGEN_H

#include <stddef.h>

/*
 * Make sure DIR/HOST.crt and DIR/HOST.key exist, generating a self-signed
 * ECDSA P-256 pair for HOST when both are missing.  Fills crt and key
 * with the paths.  Returns 0 (existing pair), 1 (generated), or -1 with
 * *err (for example only one of the two files exists).
 */
int	certgen_ensure(const char *dir, const char *host, char *crt,
	    size_t crtlen, char *key, size_t keylen, const char **err);

#endif

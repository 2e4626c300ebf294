/*
 * config: struct conf, the running configuration: defaults, then the
 * command line (later a capsuled.yaml file).  Everything else reads it
 * and never changes it.
 */
#ifndef CAPSULED_CONFIG_H
#define CAPSULED_CONFIG_H

#include <stddef.h>

#include <openssl/ssl.h>

struct store;

struct host {
	char		*name;		/* public host name, the default one
					   first */
	char		*root;
	char		*certs;
	char		*title;
	char		*description;
	char		 crt[4096];
	char		 key[4096];
	SSL_CTX		*ctx;
	struct store	*store;
};

struct conf {
	struct host	*hosts;		/* hosts[0] is the default host */
	size_t		 nhosts;
	char		**listen;	/* addresses; none = all */
	size_t		 nlisten;
	unsigned	 gemini_port;
	unsigned	 gopher_port;
	unsigned	 timeout_ms;
	unsigned	 max_conns;
	size_t		 gopher_width;
	const char	*default_lang;
	int		 verbose;
};

/* The host a Gemini request or SNI name is for, or NULL. */
struct host	*conf_find_host(const struct conf *, const char *name);

#endif

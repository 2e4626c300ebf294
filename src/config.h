/*
 * config: struct conf, the running configuration: defaults (conf_init),
 * then the capsuled.yaml file (conf_load), then the command line (main).
 * Everything else reads it and never changes it.  The functions are
 * listed under the file that has them.
 */
#ifndef CAPSULED_CONFIG_H
#define CAPSULED_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include <openssl/ssl.h>

struct store;
struct conf_mem;

#define CONF_FP_LEN	64	/* a SHA-256 fingerprint in hex */

/*
 * A redirect.  A from ending in '/' covers that path and everything
 * below it; if to also ends in '/', the rest of the path is appended
 * (see conf_redirect_target).  Any other from matches exactly.
 */
struct redirect {
	const char	*from;
	const char	*to;		/* NULL for 52 */
	int		 code;		/* 30, 31 or 52 */
};

/* Paths that need a client certificate (Gemini 60/61). */
struct cert_zone {
	const char	*path;		/* prefix, on a segment boundary */
	char		(*fps)[CONF_FP_LEN + 1]; /* lowercase hex, no ':' */
	size_t		 nfps;		/* 0: any certificate will do */
};

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

	const char	**aliases;	/* other names served the same */
	size_t		 naliases;
	const char	*cert_file;	/* explicit pair, else NULL: the */
	const char	*key_file;	/* pair in certs/NAME.crt, .key */
	const char	*author;
	const char	*favicon;
	const char	*posts;		/* posts directory, NULL = detect */
	const char	*site_url;	/* the web version, for feeds */
	const char	*lang;		/* NULL = conf default_lang */
	struct redirect	*redirects;
	size_t		 nredirects;
	struct cert_zone *zones;
	size_t		 nzones;
	unsigned long	 line;		/* where the file defines it, 0 */
};

/*
 * Per-listen-address settings, parallel to conf.listen.  -1 means "as
 * the global setting says", so that command-line overrides of the
 * global ports and proxy_protocol still reach plain entries.
 */
struct listen_opt {
	int		 gemini_port;
	int		 gopher_port;
	int		 proxy;		/* expect a PROXY header */
	const char	*gopher_host;	/* host Gopher serves, NULL: first */
	unsigned long	 line;
};

enum conf_log_dest {
	CONF_LOG_STDERR,
	CONF_LOG_SYSLOG,
	CONF_LOG_FILE,
};

enum conf_log_format {
	CONF_LOG_TEXT,		/* TIME CLIENT PROTO "REQ" STATUS BYTES Nus */
	CONF_LOG_OFF,		/* no access log; errors still logged */
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

	struct listen_opt *listen_opt;	/* nlisten entries */
	const char	*user;		/* switched to when started as root */
	const char	*chroot;	/* NULL: no chroot */
	const char	*cache_dir;	/* the index file's; NULL: the
					   default, "none": not kept */
	int		 allow_root;
	unsigned	 workers;	/* 0: one per core */
	enum conf_log_format log_format;
	enum conf_log_dest log_dest;
	const char	*log_file;	/* for CONF_LOG_FILE */
	unsigned	 max_conns_per_ip;	/* 0: no cap */
	unsigned	 rate;		/* requests/s per address, 0: off */
	unsigned	 burst;
	int		 limit_loopback;	/* the rate applies to loopback */
	unsigned	 response_min_rate;	/* bytes/s */
	unsigned	 rate_window_ms;	/* ... averaged over this */
	unsigned	 busy_timeout_ms;	/* request timeout when busy */
	int		 gopher_tls;	/* TLS on the Gopher port too */
	int		 proxy_protocol;	/* default for every listener */
	const char	*file;		/* the file loaded, or NULL */
	struct conf_mem	*mem;		/* strings the loader allocated */
};

/* Every problem found, each "file:line: message". */
struct conf_errors {
	char		**msgs;
	size_t		 n;
};

/*------------------------------------------------------------ config.c */

/*
 * Fill c with the built-in defaults (defaults.h), including one host
 * (localhost, root "capsule", certs "certs").  Returns 0, or -1 when out
 * of memory.  Free with conf_free.
 */
int		 conf_init(struct conf *);

/*
 * Free what conf_init and the loader allocated: the hosts, listen and
 * listen_opt arrays, each host's aliases, redirects and zones, and every
 * string the loader copied.  Strings that the caller stored in c itself
 * (argv, literals) are not touched.  Not the hosts' ctx or store.
 */
void		 conf_free(struct conf *);

/* Replace the listen list (for --listen); addr is copied.  0 or -1. */
void		 conf_listen_clear(struct conf *);
int		 conf_listen_add(struct conf *, const char *addr);

/* Listener i's effective ports, PROXY setting and Gopher host; i past
 * the end (nlisten == 0: "all addresses") gives the global settings. */
unsigned	 conf_listen_port(const struct conf *, size_t i, int gopher);
int		 conf_listen_proxy(const struct conf *, size_t i);
struct host	*conf_listen_gopher_host(const struct conf *, size_t i);

/* Whether two host names name the same host: any case, a trailing dot
 * (the fully qualified spelling) ignored. */
int		 conf_same_host(const char *, const char *);
/* The host a Gemini request or SNI name is for (name or alias,
 * any case, trailing dot or not), or NULL. */
struct host	*conf_find_host(const struct conf *, const char *name);

/*
 * The redirect for a normalised path ("/a/b", never empty), or NULL.  An
 * exact from wins, then the longest matching directory from.
 */
const struct redirect *conf_find_redirect(const struct host *,
		    const char *path);

/* The target of redirect r for path: to, plus the rest of path below a
 * directory from when to ends in '/'.  0, or -1 when it does not fit. */
int		 conf_redirect_target(const struct redirect *,
		    const char *path, char *dst, size_t dstlen);

/*
 * May a client with this certificate (SHA-256 hex, any case, colons
 * optional; NULL = no certificate) see path?  0 yes, 60 a certificate
 * is required, 61 this certificate is not authorised.  The longest
 * matching zone decides.  Gopher has no client certificates: it must
 * refuse any path for which conf_cert_zone(h, path, NULL) != 0.
 */
int		 conf_cert_zone(const struct host *, const char *path,
		    const char *fingerprint);

/* Normalise a fingerprint ("AB:CD:..", "sha256:abcd..") to 64 lowercase
 * hex digits.  0, or -1 when it is not one. */
int		 conf_fingerprint(const char *, char out[CONF_FP_LEN + 1]);

/*------------------------------------------------------------ confload.c */

/*
 * Read a capsuled.yaml file into c (which conf_init filled) and append
 * every problem found to errs.  A file with a hosts list replaces the
 * default host.  Returns 0, or -1 when errs gained anything; c is then
 * half-loaded and must only be freed.
 */
int		 conf_load(struct conf *, const char *path, struct conf_errors *);

/* conf_load on a buffer; name is used in the messages. */
int		 conf_parse(struct conf *, const char *name, const char *text,
		    size_t len, struct conf_errors *);

void		 conf_errors_free(struct conf_errors *);

/*------------------------------------------------------------ confcheck.c */

/*
 * The checks that touch the file system, for startup and --check: each
 * root is a directory, each certs directory exists or can be created,
 * explicit certificate and key files exist, the chroot is a directory.
 * Appends to errs; returns 0 or -1.
 */
int		 conf_check_paths(const struct conf *, struct conf_errors *);

/*------------------------------------------------------------ confdump.c */

/* The normalised configuration as capsuled.yaml (for --check -v and
 * golden tests); conf_parse reads it back to the same configuration. */
void		 conf_dump(const struct conf *, FILE *);

#endif

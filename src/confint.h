/*
 * confint: what the configuration modules share and nothing else
 * includes: config.c (struct conf, its defaults and lookups), confload.c
 * (capsuled.yaml -> struct conf, and the list of problems found),
 * confcheck.c (the checks that touch the file system).
 */
#ifndef CAPSULED_CONFINT_H
#define CAPSULED_CONFINT_H

#include <stddef.h>

#include "config.h"

/* Every string the loader copies hangs off conf.mem, so that conf_free
 * frees exactly those and nothing main stored in their place. */
struct conf_mem {
	struct conf_mem	*next;
	char		 data[];
};

/* config.c: s[0..n) copied onto c->mem, or NULL when out of memory. */
char		*conf_strndup(struct conf *, const char *s, size_t n);

/* config.c: a host as conf_init makes one, before any setting. */
void		 conf_host_defaults(struct host *);

/* config.c: what a hosts array owns (aliases, redirects, zones), and
 * the array.  The strings are c->mem's. */
void		 conf_hosts_free(struct host *, size_t n);

/*
 * confload.c: where messages go.  Each is "name:line: message" (line 0:
 * "name: message"), appended to errs; past CONF_ERRORS_MAX a last "too
 * many errors" is added and stop is set.  nerr counts every problem,
 * kept or not, so that a caller fails even when out of memory.
 */
struct conf_report {
	const char		*name;	/* the file, or what stands in */
	struct conf_errors	*errs;
	size_t			 nerr;
	int			 stop;
};

void		 conf_report(struct conf_report *, unsigned long line,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* confload.c: user text quoted back in a message: at most 48 bytes then
 * "...", control bytes as '?'.  Returns buf. */
const char	*conf_show(const char *, char buf[64]);

#endif

/*
 * config: struct conf itself: the built-in defaults (conf_init), its
 * one free path (conf_free), the listen list, and the lookups the server
 * makes over it on every connection and request (hosts by name, listen
 * entries, redirects, client-certificate zones).  Loading it from
 * capsuled.yaml is confload.c's, checking its paths confcheck.c's,
 * printing it confdump.c's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "config.h"
#include "confint.h"
#include "defaults.h"
#include "url.h"

#ifndef DEFAULT_USER
#define DEFAULT_USER		"nobody"
#endif
#ifndef DEFAULT_MAX_PER_IP
#define DEFAULT_MAX_PER_IP	32
#endif
#ifndef DEFAULT_RATE
#define DEFAULT_RATE		20
#endif
#ifndef DEFAULT_BURST
#define DEFAULT_BURST		60
#endif
#ifndef DEFAULT_MIN_RATE
#define DEFAULT_MIN_RATE	4096
#endif

char *
conf_strndup(struct conf *c, const char *s, size_t n)
{
	struct conf_mem *m;

	if (n > SIZE_MAX - sizeof(*m) - 1 ||
	    (m = malloc(sizeof(*m) + n + 1)) == NULL)
		return NULL;
	memcpy(m->data, s, n);
	m->data[n] = '\0';
	m->next = c->mem;
	c->mem = m;
	return m->data;
}

/*------------------------------------------------------------ defaults */

void
conf_host_defaults(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->certs = DEFAULT_CERTS;
	h->title = DEFAULT_TITLE;
}

int
conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	if ((c->hosts = calloc(1, sizeof(*c->hosts))) == NULL)
		return -1;
	conf_host_defaults(&c->hosts[0]);
	c->hosts[0].name = DEFAULT_HOSTNAME;
	c->hosts[0].root = DEFAULT_ROOT;
	c->nhosts = 1;
	c->gemini_port = DEFAULT_GEMINI_PORT;
	c->gopher_port = DEFAULT_GOPHER_PORT;
	c->timeout_ms = DEFAULT_TIMEOUT_MS;
	c->max_conns = DEFAULT_MAX_CONNS;
	c->gopher_width = DEFAULT_GOPHER_WIDTH;
	/* Sniffing the first byte costs nothing and a certificate always
	 * exists: gophers:// clients work without configuration. */
	c->gopher_tls = 1;
	c->default_lang = DEFAULT_LANG;
	c->user = DEFAULT_USER;
	c->log_format = CONF_LOG_TEXT;
	c->log_dest = CONF_LOG_STDERR;
	c->max_conns_per_ip = DEFAULT_MAX_PER_IP;
	c->rate = DEFAULT_RATE;
	c->burst = DEFAULT_BURST;
	c->response_min_rate = DEFAULT_MIN_RATE;
	c->rate_window_ms = DEFAULT_RATE_WINDOW_MS;
	c->busy_timeout_ms = DEFAULT_BUSY_TIMEOUT_MS;
	return 0;
}

void
conf_hosts_free(struct host *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(v[i].aliases);
		free(v[i].redirects);
		for (j = 0; j < v[i].nzones; j++)
			free(v[i].zones[j].fps);
		free(v[i].zones);
	}
	free(v);
}

void
conf_free(struct conf *c)
{
	struct conf_mem *m, *next;

	conf_hosts_free(c->hosts, c->nhosts);
	free(c->listen);
	free(c->listen_opt);
	for (m = c->mem; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
	memset(c, 0, sizeof(*c));
}


void
conf_listen_clear(struct conf *c)
{
	free(c->listen);
	free(c->listen_opt);
	c->listen = NULL;
	c->listen_opt = NULL;
	c->nlisten = 0;
}

int
conf_listen_add(struct conf *c, const char *addr)
{
	struct listen_opt	*o;
	char			**v, *s;

	if ((s = conf_strndup(c, addr, strlen(addr))) == NULL)
		return -1;
	if ((v = reallocarray(c->listen, c->nlisten + 1, sizeof(*v))) == NULL)
		return -1;
	c->listen = v;
	o = reallocarray(c->listen_opt, c->nlisten + 1, sizeof(*o));
	if (o == NULL)
		return -1;
	c->listen_opt = o;
	memset(&o[c->nlisten], 0, sizeof(*o));
	o[c->nlisten].gemini_port = -1;
	o[c->nlisten].gopher_port = -1;
	o[c->nlisten].proxy = -1;
	v[c->nlisten++] = s;
	return 0;
}

/*------------------------------------------------------------ lookups */

unsigned
conf_listen_port(const struct conf *c, size_t i, int gopher)
{
	int p;

	if (i >= c->nlisten || c->listen_opt == NULL)
		return gopher ? c->gopher_port : c->gemini_port;
	p = gopher ? c->listen_opt[i].gopher_port :
	    c->listen_opt[i].gemini_port;
	if (p < 0)
		return gopher ? c->gopher_port : c->gemini_port;
	return (unsigned)p;
}

int
conf_listen_proxy(const struct conf *c, size_t i)
{
	if (i >= c->nlisten || c->listen_opt == NULL ||
	    c->listen_opt[i].proxy < 0)
		return c->proxy_protocol;
	return c->listen_opt[i].proxy;
}

struct host *
conf_listen_gopher_host(const struct conf *c, size_t i)
{
	struct host *h = NULL;

	if (i < c->nlisten && c->listen_opt != NULL &&
	    c->listen_opt[i].gopher_host != NULL)
		h = conf_find_host(c, c->listen_opt[i].gopher_host);
	return h != NULL ? h : &c->hosts[0];
}

int
conf_same_host(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	/* "localhost." is the fully qualified spelling of "localhost". */
	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

struct host *
conf_find_host(const struct conf *c, const char *name)
{
	size_t i, j;

	if (name == NULL)
		return NULL;
	for (i = 0; i < c->nhosts; i++) {
		if (c->hosts[i].name == NULL)
			continue;	/* only in a config that failed */
		if (conf_same_host(c->hosts[i].name, name))
			return &c->hosts[i];
		for (j = 0; j < c->hosts[i].naliases; j++)
			if (conf_same_host(c->hosts[i].aliases[j], name))
				return &c->hosts[i];
	}
	return NULL;
}

static int
is_dir_pattern(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '/';
}

const struct redirect *
conf_find_redirect(const struct host *h, const char *path)
{
	const struct redirect	*best = NULL;
	size_t			 i, n, bestlen = 0;

	if (path == NULL || *path == '\0')
		path = "/";
	for (i = 0; i < h->nredirects; i++) {
		const struct redirect *r = &h->redirects[i];

		if (strcmp(r->from, path) == 0)
			return r;
		n = strlen(r->from);
		if (is_dir_pattern(r->from) && strncmp(r->from, path, n) == 0 &&
		    n > bestlen) {
			best = r;
			bestlen = n;
		}
	}
	return best;
}

int
conf_redirect_target(const struct redirect *r, const char *path, char *dst,
    size_t dstlen)
{
	struct buf	 rest;
	size_t		 n, tolen;
	int		 rv;

	if (r->to == NULL)
		return -1;
	n = strlen(r->from);
	tolen = strlen(r->to);
	if (tolen >= dstlen)
		return -1;
	memcpy(dst, r->to, tolen + 1);
	if (path == NULL || !is_dir_pattern(r->from) ||
	    !is_dir_pattern(r->to) || strncmp(r->from, path, n) != 0)
		return 0;
	/* The rest of the path is decoded: encode what would break it out
	 * of one path in the target ("a%3Fb" must not turn into a query,
	 * nor "%20" into a space that ends the Gemini header's URI). */
	buf_init(&rest, dstlen - tolen - 1);
	if ((rv = url_encode_path(&rest, path + n, strlen(path + n))) == 0 &&
	    rest.len > 0)
		memcpy(dst + tolen, rest.data, rest.len + 1);
	buf_free(&rest);
	return rv;
}

/* 1 if zone path zp covers path: a prefix ending at a '/' boundary. */
static int
zone_match(const char *zp, const char *path)
{
	size_t n = strlen(zp);

	if (is_dir_pattern(zp)) {
		if (strncmp(path, zp, n) == 0)
			return 1;
		/* "/private" names the directory "/private/" too. */
		return strncmp(path, zp, n - 1) == 0 && path[n - 1] == '\0';
	}
	return strncmp(path, zp, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int
conf_fingerprint(const char *s, char out[CONF_FP_LEN + 1])
{
	size_t	n = 0;
	char	ch;

	if (strncasecmp(s, "sha256:", 7) == 0)
		s += 7;
	for (; *s != '\0'; s++) {
		ch = *s;
		if (ch == ':')
			continue;
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) ||
		    n == CONF_FP_LEN)
			return -1;
		out[n++] = ch;
	}
	if (n != CONF_FP_LEN)
		return -1;
	out[n] = '\0';
	return 0;
}

int
conf_cert_zone(const struct host *h, const char *path, const char *fp)
{
	const struct cert_zone	*z = NULL;
	char			 want[CONF_FP_LEN + 1];
	size_t			 i, n, best = 0;

	if (path == NULL || *path == '\0')
		path = "/";
	for (i = 0; i < h->nzones; i++) {
		n = strlen(h->zones[i].path);
		if (zone_match(h->zones[i].path, path) && (z == NULL ||
		    n > best)) {
			z = &h->zones[i];
			best = n;
		}
	}
	if (z == NULL)
		return 0;
	if (fp == NULL)
		return 60;
	if (conf_fingerprint(fp, want) == -1)
		return 61;
	if (z->nfps == 0)
		return 0;
	for (i = 0; i < z->nfps; i++)
		if (strcmp(z->fps[i], want) == 0)
			return 0;
	return 61;
}

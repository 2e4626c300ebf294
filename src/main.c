/*
 * main: options, start-up (certificates, stores, listeners), signals and
 * shutdown.  Everything that serves lives in the library; this file only
 * puts it together.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <uv.h>

#include "autoconf.h"

#include "buf.h"
#include "certgen.h"
#include "config.h"
#include "conn.h"
#include "defaults.h"
#include "frontmatter.h"
#include "limit.h"
#include "listen.h"
#include "log.h"
#include "markdown.h"
#include "page.h"
#include "sandbox.h"
#include "site.h"
#include "store.h"
#include "tls.h"

#define SHUTDOWN_GRACE_MS	10000	/* in-flight responses get this */

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: capsuled [--config FILE] [options]\n"
"       capsuled --config FILE --check [-v]\n"
"       capsuled --render gemtext|gopher|text FILE.md\n"
"Serve a folder of Markdown posts as a Gemini capsule and a Gopher hole.\n"
"\n"
"      --config FILE      read settings and hosts from a capsuled.yaml\n"
"      --check            check the configuration, print every error\n"
"                         as file:line: message, and exit\n"
"  -r, --root DIR         capsule root (default " DEFAULT_ROOT ")\n"
"  -n, --hostname NAME    public host name (default " DEFAULT_HOSTNAME ")\n"
"  -g, --gemini-port N    Gemini port (default %d; 0 = any free port)\n"
"  -p, --gopher-port N    Gopher port (default %d; 0 = any free port)\n"
"  -c, --certs DIR        certificate directory (default " DEFAULT_CERTS ")\n"
"  -l, --listen ADDR      listen address, IPv4 or IPv6 (repeatable;\n"
"                         default: all addresses)\n"
"  -t, --timeout MS       request timeout (default %d)\n"
"  -m, --max-conns N      concurrent connection cap (default %d)\n"
"      --max-per-ip N     connections per client address (default %d)\n"
"      --rate N           requests per second per address, 0 = off\n"
"                         (default %d)\n"
"      --burst N          requests allowed in a burst (default %d)\n"
"      --limit-loopback   apply the request rate to loopback too (the\n"
"                         per-address connection cap always applies)\n"
"      --workers N        worker threads (default: one per core)\n"
"  -u, --user NAME        user to switch to when started as root\n"
"                         (default nobody)\n"
"      --chroot DIR       chroot there before switching user\n"
"      --allow-root       keep running as root (not recommended)\n"
"      --cache-dir DIR    where the post index is kept between runs, or\n"
"                         none (default: $XDG_CACHE_HOME/capsuled, as\n"
"                         root " DEFAULT_CACHE_DIR_ROOT ", else\n"
"                         ~/.cache/capsuled)\n"
"  -w, --width N          Gopher text width (default %d)\n"
"      --lang CODE        default language (default " DEFAULT_LANG ")\n"
"      --render FORMAT    print FILE.md converted and exit\n"
"  -v, --verbose          debug logging\n"
"  -h, --help             this help\n"
"  -V, --version          version\n",
	    DEFAULT_GEMINI_PORT, DEFAULT_GOPHER_PORT, DEFAULT_TIMEOUT_MS,
	    DEFAULT_MAX_CONNS, DEFAULT_MAX_PER_IP, DEFAULT_RATE, DEFAULT_BURST,
	    DEFAULT_GOPHER_WIDTH);
}

static unsigned
parse_uint(const char *s, const char *what, unsigned max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v > max)
		fatalx("invalid %s: %s", what, s);
	return (unsigned)v;
}

/* --render: the converter on one file, for authors and golden tests. */
static int
render_file(const char *format, const char *path, const struct conf *c)
{
	struct page_meta	 meta;
	struct md_opts		 o;
	struct buf		 src, out;
	enum md_format		 fmt;
	FILE			*fp;
	char			 tmp[65536], title[256], urlpath[300];
	const char		*base;
	size_t			 n;

	if (strcmp(format, "gemtext") == 0)
		fmt = MD_GEMTEXT;
	else if (strcmp(format, "gopher") == 0)
		fmt = MD_GOPHERMAP;
	else if (strcmp(format, "text") == 0)
		fmt = MD_TEXT;
	else
		fatalx("--render: format must be gemtext, gopher or text");
	if ((fp = fopen(path, "rb")) == NULL)
		fatal("%s", path);
	buf_init(&src, PAGE_SOURCE_MAX);
	while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
		if (buf_append(&src, tmp, n) == -1)
			fatalx("%s: too large", path);
	fclose(fp);
	if (frontmatter_parse(src.data ? src.data : "", src.len, &meta) == -1)
		fatalx("out of memory");
	if (meta.err_line != 0)
		log_warnx("%s:%lu: front matter: %s", path, meta.err_line,
		    meta.err ? meta.err : "error");
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(title, sizeof(title), "%.*s", (int)strcspn(base, "."), base);
	memset(&o, 0, sizeof(o));
	/* Relative links resolve as if the file were served from where it
	 * was named: run from the blog's root, "posts/a.md" is /posts/a.md. */
	if (path[0] != '/' && strstr(path, "..") == NULL)
		snprintf(urlpath, sizeof(urlpath), "/%s", path);
	else
		snprintf(urlpath, sizeof(urlpath), "/%s", base);
	o.path = urlpath;
	o.meta = &meta;
	o.fallback_title = title;
	o.breaks = meta.breaks;
	o.is_post = 0;
	o.width = c->gopher_width;
	o.host = c->hosts[0].name;
	o.port = c->gopher_port;
	buf_init(&out, RENDER_MAX);
	if (page_render(src.data ? src.data + meta.body : "",
	    src.len - meta.body, fmt, &o, &out) == -1)
		fatalx("%s: cannot render", path);
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_free(&out);
	buf_free(&src);
	page_meta_free(&meta);
	return 0;
}

/* The post index's directory (index_dir_open), for every generation. */
static int	index_dirfd = -1;
static char	index_dir[PATH_MAX];

/*------------------------------------------------------------ options */

/* Command-line settings: each overrides the file's when given. */
struct options {
	const char	*config, *root, *hostname, *certs, *user, *chroot;
	const char	*cache_dir;
	const char	*lang, *render;
	const char	**listen;
	size_t		 nlisten;
	long		 gemini_port, gopher_port, timeout, max_conns;
	long		 per_ip, rate, burst, workers, width;
	int		 limit_loopback, allow_root, check;
	char		*jail;		/* the chroot, once inside it */
};

static void
options_parse(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'F' },
		{ "check",	no_argument,		NULL, 'K' },
		{ "root",	required_argument,	NULL, 'r' },
		{ "hostname",	required_argument,	NULL, 'n' },
		{ "gemini-port", required_argument,	NULL, 'g' },
		{ "gopher-port", required_argument,	NULL, 'p' },
		{ "certs",	required_argument,	NULL, 'c' },
		{ "listen",	required_argument,	NULL, 'l' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "max-conns",	required_argument,	NULL, 'm' },
		{ "max-per-ip",	required_argument,	NULL, 'I' },
		{ "rate",	required_argument,	NULL, 'Q' },
		{ "burst",	required_argument,	NULL, 'B' },
		{ "limit-loopback", no_argument,	NULL, 'O' },
		{ "workers",	required_argument,	NULL, 'W' },
		{ "user",	required_argument,	NULL, 'u' },
		{ "chroot",	required_argument,	NULL, 'C' },
		{ "allow-root",	no_argument,		NULL, 'A' },
		{ "cache-dir",	required_argument,	NULL, 'D' },
		{ "width",	required_argument,	NULL, 'w' },
		{ "lang",	required_argument,	NULL, 'L' },
		{ "render",	required_argument,	NULL, 'R' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->gemini_port = o->gopher_port = o->timeout = o->max_conns = -1;
	o->per_ip = o->rate = o->burst = o->workers = o->width = -1;
	while ((ch = getopt_long(argc, argv, "r:n:g:p:c:l:t:m:u:w:vhV",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			o->config = optarg;
			break;
		case 'K':
			o->check = 1;
			break;
		case 'r':
			o->root = optarg;
			break;
		case 'n':
			o->hostname = optarg;
			break;
		case 'g':
			o->gemini_port = parse_uint(optarg, "port", 65535);
			break;
		case 'p':
			o->gopher_port = parse_uint(optarg, "port", 65535);
			break;
		case 'c':
			o->certs = optarg;
			break;
		case 'l':
			o->listen = realloc(o->listen,
			    (o->nlisten + 1) * sizeof(*o->listen));
			if (o->listen == NULL)
				fatal("realloc");
			o->listen[o->nlisten++] = optarg;
			break;
		case 't':
			o->timeout = parse_uint(optarg, "timeout", 3600000);
			break;
		case 'm':
			o->max_conns = parse_uint(optarg, "connection cap",
			    1000000);
			break;
		case 'I':
			o->per_ip = parse_uint(optarg, "per-address cap",
			    1000000);
			break;
		case 'Q':
			o->rate = parse_uint(optarg, "rate", 1000000);
			break;
		case 'B':
			o->burst = parse_uint(optarg, "burst", 1000000);
			break;
		case 'O':
			o->limit_loopback = 1;
			break;
		case 'W':
			o->workers = parse_uint(optarg, "worker count", 256);
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'C':
			o->chroot = optarg;
			break;
		case 'A':
			o->allow_root = 1;
			break;
		case 'D':
			o->cache_dir = optarg;
			break;
		case 'w':
			o->width = parse_uint(optarg, "width", 1000);
			break;
		case 'L':
			o->lang = optarg;
			break;
		case 'R':
			o->render = optarg;
			break;
		case 'v':
			log_verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("capsuled %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
}

/* The command line wins over the file (and over the defaults). */
static int
options_apply(const struct options *o, struct conf *c)
{
	size_t i;

	if (o->root != NULL)
		c->hosts[0].root = (char *)o->root;
	if (o->hostname != NULL)
		c->hosts[0].name = (char *)o->hostname;
	if (o->certs != NULL)
		c->hosts[0].certs = (char *)o->certs;
	if (o->nlisten > 0) {
		conf_listen_clear(c);
		for (i = 0; i < o->nlisten; i++)
			if (conf_listen_add(c, o->listen[i]) == -1)
				return -1;
	}
	if (o->gemini_port >= 0)
		c->gemini_port = (unsigned)o->gemini_port;
	if (o->gopher_port >= 0)
		c->gopher_port = (unsigned)o->gopher_port;
	if (o->timeout >= 0)
		c->timeout_ms = (unsigned)o->timeout;
	if (o->max_conns >= 0)
		c->max_conns = (unsigned)o->max_conns;
	if (o->per_ip >= 0)
		c->max_conns_per_ip = (unsigned)o->per_ip;
	if (o->rate >= 0)
		c->rate = (unsigned)o->rate;
	if (o->burst >= 0)
		c->burst = (unsigned)o->burst;
	if (o->workers >= 0)
		c->workers = (unsigned)o->workers;
	if (o->width >= 0)
		c->gopher_width = (size_t)o->width;
	if (o->limit_loopback)
		c->limit_loopback = 1;
	if (o->allow_root)
		c->allow_root = 1;
	if (o->user != NULL)
		c->user = o->user;
	if (o->chroot != NULL)
		c->chroot = o->chroot;
	if (o->cache_dir != NULL)
		c->cache_dir = o->cache_dir;
	if (o->lang != NULL)
		c->default_lang = o->lang;
	if (c->timeout_ms == 0 || c->max_conns == 0 || c->gopher_width < 20) {
		log_warnx("timeout, connection cap and width (>= 20) must "
		    "be set");
		return -1;
	}
	return 0;
}

/*
 * Inside the chroot, a path written as seen from outside (the way it was
 * read at startup) loses the jail's prefix; other paths are kept.
 */
static const char *
jailed(const char *jail, const char *path)
{
	size_t n;

	if (jail == NULL || path == NULL || path[0] != '/')
		return path;
	n = strlen(jail);
	while (n > 1 && jail[n - 1] == '/')
		n--;
	if (strncmp(path, jail, n) != 0 ||
	    (path[n] != '/' && path[n] != '\0'))
		return path;
	return path[n] == '\0' ? "/" : path + n;
}

/* A reload inside the chroot: the same files, seen from inside. */
static void
conf_jail(struct conf *c, const char *jail)
{
	struct host	*h;
	size_t		 i;

	for (i = 0; i < c->nhosts; i++) {
		h = &c->hosts[i];
		h->root = (char *)jailed(jail, h->root);
		h->certs = (char *)jailed(jail, h->certs);
		h->cert_file = jailed(jail, h->cert_file);
		h->key_file = jailed(jail, h->key_file);
	}
	c->log_file = jailed(jail, c->log_file);
	c->chroot = jailed(jail, c->chroot);
}

/* Defaults, the file, the command line: 0, or -1 with every error
 * printed as file:line: message. */
static int
options_conf(const struct options *o, struct conf *c, int check_paths)
{
	struct conf_errors	 errs;
	size_t			 i;
	int			 r = 0;

	memset(&errs, 0, sizeof(errs));
	if (conf_init(c) == -1)
		fatal("conf_init");
	if (o->config != NULL &&
	    conf_load(c, jailed(o->jail, o->config), &errs) == -1)
		r = -1;
	if (r == 0 && options_apply(o, c) == -1)
		r = -1;
	if (r == 0 && o->jail != NULL)
		conf_jail(c, o->jail);
	if (r == 0 && check_paths && conf_check_paths(c, &errs) == -1)
		r = -1;
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	conf_errors_free(&errs);
	return r;
}

/*------------------------------------------------------------ generations */

/* Client certificates are checked against fingerprints by the router,
 * not against a CA: any certificate offered is accepted here. */
static int
accept_any_cert(int preverify, X509_STORE_CTX *x)
{
	(void)preverify;
	(void)x;
	return 1;
}

/* SNI picks the host's certificate (and whether it asks for client
 * certificates); an unknown name keeps the default host's. */
static int
on_servername(SSL *ssl, int *alert, void *arg)
{
	const struct conf	*c = arg;
	const char		*name;
	struct host		*h;

	(void)alert;
	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if ((h = conf_find_host(c, name)) != NULL &&
	    h->ctx != SSL_get_SSL_CTX(ssl)) {
		SSL_set_SSL_CTX(ssl, h->ctx);
		SSL_set_verify(ssl, SSL_CTX_get_verify_mode(h->ctx),
		    accept_any_cert);
	}
	return SSL_TLSEXT_ERR_OK;
}

static void
gen_release(struct generation *g)
{
	size_t i;

	for (i = 0; i < g->conf.nhosts; i++) {
		store_free(g->conf.hosts[i].store);
		SSL_CTX_free(g->conf.hosts[i].ctx);
	}
	limiter_free(g->limiter);
	conf_free(&g->conf);
	free(g);
}

/* What the site's own config says, where capsuled.yaml says nothing
 * (the strings belong to the store, which lives as long as the host). */
static void
host_from_site(struct host *h, const struct site *site)
{
	if (site->title != NULL)
		h->title = site->title;
	if (h->description == NULL)
		h->description = site->description;
	if (h->author == NULL)
		h->author = site->author;
	if (h->lang == NULL)
		h->lang = site->lang;
	if (h->site_url == NULL && site->bases != NULL)
		h->site_url = site->bases[0];
}

/* Certificates and stores for every host.  Runs at start (as root: it
 * may write a new pair, then hands it to the user we switch to) and on
 * reload (as that user). */
static int
gen_setup_hosts(struct generation *g, const unsigned ports[2])
{
	struct conf		*c = &g->conf;
	struct store_conf	 sc;
	struct passwd		*pw;
	struct host		*h;
	const char		*err;
	char			 bad[PATH_MAX];
	size_t			 i;
	int			 r;

	if (c->gemini_port == 0)
		c->gemini_port = ports[0];
	if (c->gopher_port == 0)
		c->gopher_port = ports[1];
	for (i = 0; i < c->nhosts; i++) {
		h = &c->hosts[i];
		if (h->cert_file != NULL) {
			snprintf(h->crt, sizeof(h->crt), "%s", h->cert_file);
			snprintf(h->key, sizeof(h->key), "%s", h->key_file);
		} else if ((r = certgen_ensure(h->certs, h->name, h->crt,
		    sizeof(h->crt), h->key, sizeof(h->key), &err)) == -1) {
			log_warnx("%s/%s: %s", h->certs, h->name, err);
			return -1;
		} else if (r == 1) {
			log_info("generated a certificate for %s in %s",
			    h->name, h->crt);
			if (geteuid() == 0 && !c->allow_root &&
			    (pw = getpwnam(c->user)) != NULL &&
			    chown(h->key, pw->pw_uid, pw->pw_gid) == -1)
				log_warn("chown %s", h->key);
		}
		if ((h->ctx = tls_server_ctx(h->crt, h->key, &err)) == NULL) {
			log_warnx("%s: %s", h->crt, err);
			return -1;
		}
		SSL_CTX_set_tlsext_servername_callback(h->ctx, on_servername);
		SSL_CTX_set_tlsext_servername_arg(h->ctx, c);
		if (h->nzones > 0)
			SSL_CTX_set_verify(h->ctx, SSL_VERIFY_PEER,
			    accept_any_cert);
		memset(&sc, 0, sizeof(sc));
		sc.root = h->root;
		sc.certs = h->certs;
		sc.config = c->file;
		sc.log = c->log_dest == CONF_LOG_FILE ? c->log_file : NULL;
		sc.default_lang = h->lang ? h->lang : c->default_lang;
		sc.host = h->name;
		sc.gopher_port = c->gopher_port;
		sc.width = c->gopher_width;
		sc.breaks = -1;
		sc.posts = h->posts;
		sc.cache_max = CACHE_MAX_BYTES;
		sc.cache_dirfd = index_dirfd;
		/* The capsule's settings win over the site's config; the
		 * default title is no setting. */
		sc.title = strcmp(h->title, DEFAULT_TITLE) != 0 ? h->title :
		    NULL;
		sc.description = h->description;
		sc.author = h->author;
		sc.site_url = h->site_url;
		sc.lang = h->lang;
		if ((h->store = store_new(&sc, &err)) == NULL) {
			log_warnx("%s: %s", h->root, err);
			return -1;
		}
		host_from_site(h, store_site(h->store));
		log_info("%s: %s", h->root, store_layout(h->store));
		/* Started as root, the server reads as another user: a folder
		 * that user cannot read would answer 51 to everything. */
		if (geteuid() == 0 && !c->allow_root &&
		    site_readable_by(store_site(h->store), store_root(h->store),
		    c->user, bad, sizeof(bad)) == -1)
			log_warnx("%s: the user %s cannot read this folder, so "
			    "nothing under it can be served; make it readable "
			    "(chmod o+rx) or serve as another user (--user)",
			    bad, c->user);
	}
	return 0;
}

static struct generation *
gen_load(const struct options *o, const unsigned ports[2])
{
	struct generation	*g;
	struct limit_conf	 lc;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	atomic_init(&g->refs, 1);
	g->release = gen_release;
	if (options_conf(o, &g->conf, 1) == -1)
		goto fail;
	memset(&lc, 0, sizeof(lc));
	lc.per_ip = g->conf.max_conns_per_ip;
	lc.rate = g->conf.rate;
	lc.burst = g->conf.burst > 0 ? g->conf.burst : 1;
	lc.loopback = g->conf.limit_loopback;
	lc.slots = LIMITER_SLOTS;
	if ((g->limiter = limiter_new(&lc)) == NULL ||
	    gen_setup_hosts(g, ports) == -1)
		goto fail;
	return g;
fail:
	gen_release(g);
	return NULL;
}

static int
log_configure(const struct conf *c)
{
	switch (c->log_dest) {
	case CONF_LOG_FILE:
		return log_open_file(c->log_file);
	case CONF_LOG_SYSLOG:
		return log_open_syslog();
	default:
		return log_open_stderr();
	}
}

/*------------------------------------------------------------ workers */

/* One thread, one loop, its own listening sockets (SO_REUSEPORT lets the
 * kernel spread connections across workers). */
struct worker {
	pthread_t		 thread;
	uv_loop_t		 loop;
	struct server		 srv;
	struct listener		*listeners;
	size_t			 nlisteners;
	uv_async_t		 stop;
	uv_async_t		 reload;
	_Atomic(struct generation *) pending;	/* from the main thread */
	uv_timer_t		 grace;
};

static void
on_grace_over(uv_timer_t *t)
{
	struct worker *w = t->data;

	log_warnx("shutdown: %u connections cut after the grace period",
	    w->srv.nconns);
	conn_drain(&w->srv, 1);
}

/* Stop accepting, let responses in flight finish; the loop then ends by
 * itself once no handle is left. */
static void
on_stop(uv_async_t *a)
{
	struct worker *w = a->data;

	w->srv.stopping = 1;
	listen_stop(w->listeners, w->nlisteners);
	uv_close((uv_handle_t *)&w->stop, NULL);
	uv_close((uv_handle_t *)&w->reload, NULL);
	conn_drain(&w->srv, 0);
	uv_timer_start(&w->grace, on_grace_over, SHUTDOWN_GRACE_MS, 0);
	uv_unref((uv_handle_t *)&w->grace);
}

/* A new configuration for new connections; old ones keep theirs. */
static void
on_reload(uv_async_t *a)
{
	struct worker		*w = a->data;
	struct generation	*g;

	if ((g = atomic_exchange(&w->pending, NULL)) == NULL)
		return;
	gen_unref(w->srv.gen);
	w->srv.gen = g;
}

static void *
worker_main(void *arg)
{
	struct worker		*w = arg;
	struct generation	*g;

	uv_run(&w->loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&w->grace, NULL);
	uv_run(&w->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&w->loop) != 0)
		log_warnx("event loop closed with handles open");
	if ((g = atomic_exchange(&w->pending, NULL)) != NULL)
		gen_unref(g);
	gen_unref(w->srv.gen);
	return NULL;
}

static void
worker_init(struct worker *w, struct generation *g, atomic_uint *total)
{
	uv_loop_init(&w->loop);
	w->srv.loop = &w->loop;
	w->srv.gen = gen_ref(g);
	w->srv.total = total;
	atomic_init(&w->pending, NULL);
	if (listen_start(&w->srv, w->listeners, w->nlisteners) == -1)
		fatalx("cannot start listening");
	uv_async_init(&w->loop, &w->stop, on_stop);
	uv_async_init(&w->loop, &w->reload, on_reload);
	uv_timer_init(&w->loop, &w->grace);
	w->stop.data = w->reload.data = w->grace.data = w;
}

/*------------------------------------------------------------ main thread */

struct runtime {
	uv_signal_t		 sigint, sigterm, sighup, sigusr1;
	struct worker		*workers;
	size_t			 nworkers;
	struct generation	*gen;		/* the current one */
	const struct options	*opts;
	unsigned		 ports[2];	/* as bound */
};

static void
on_signal(uv_signal_t *sig, int signum)
{
	struct runtime	*rt = sig->data;
	size_t		 i;

	log_info("signal %d: shutting down", signum);
	for (i = 0; i < rt->nworkers; i++)
		uv_async_send(&rt->workers[i].stop);
	uv_close((uv_handle_t *)&rt->sigint, NULL);
	uv_close((uv_handle_t *)&rt->sigterm, NULL);
	uv_close((uv_handle_t *)&rt->sighup, NULL);
	uv_close((uv_handle_t *)&rt->sigusr1, NULL);
}

/*
 * The post index of every host is made and kept current by its store's
 * indexer thread, started as soon as a configuration is loaded, so that
 * no request waits for a cold scan or pays for a rescan (nor holds up a
 * loop: the loops never scan).  Started from the main loop once the
 * sandbox is in place, so the threads are born under it.
 */
static void
index_start(struct generation *g)
{
	size_t i;

	for (i = 0; i < g->conf.nhosts; i++)
		if (store_start(g->conf.hosts[i].store) == -1)
			log_warnx("%s: cannot start the indexer",
			    g->conf.hosts[i].root);
}

/*
 * Where the index file is kept: the configured directory, else the XDG
 * cache directory, /var/cache/capsuled for root, ~/.cache/capsuled;
 * never inside a served root (the file says what every page is, drafts
 * included).  Opened once at start, before any chroot, and kept: reloads
 * reuse it.  Made for and owned by the serving user.
 */
static void
index_dir_open(const struct conf *c)
{
	const char	*d = c->cache_dir, *env;
	char		 path[PATH_MAX], real[PATH_MAX], root[PATH_MAX];
	struct passwd	*pw;
	size_t		 i, n;

	if (d != NULL && strcmp(d, "none") == 0)
		return;
	if (d == NULL) {
		if ((env = getenv("XDG_CACHE_HOME")) != NULL && *env == '/')
			snprintf(path, sizeof(path), "%s/capsuled", env);
		else if (geteuid() == 0)
			snprintf(path, sizeof(path), "%s",
			    DEFAULT_CACHE_DIR_ROOT);
		else if ((env = getenv("HOME")) != NULL && *env == '/')
			snprintf(path, sizeof(path), "%s/.cache/capsuled", env);
		else
			return;
		/* The default's parents are made; a configured
		 * directory's must exist. */
		for (n = 1; path[n] != '\0'; n++)
			if (path[n] == '/') {
				path[n] = '\0';
				(void)mkdir(path, 0755);
				path[n] = '/';
			}
		d = path;
	}
	if ((mkdir(d, 0700) == -1 && errno != EEXIST) ||
	    realpath(d, real) == NULL ||
	    (index_dirfd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		log_warn("%s: the post index is not kept between runs", d);
		return;
	}
	for (i = 0; i < c->nhosts; i++) {
		if (realpath(c->hosts[i].root, root) == NULL)
			continue;
		n = strlen(root);
		if (strncmp(real, root, n) == 0 &&
		    (real[n] == '/' || real[n] == '\0')) {
			log_warnx("%s is inside the served root %s: the post "
			    "index is not kept there (set cache_dir)", real,
			    root);
			close(index_dirfd);
			index_dirfd = -1;
			return;
		}
	}
	if (geteuid() == 0 && !c->allow_root &&
	    (pw = getpwnam(c->user)) != NULL &&
	    chown(real, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("chown %s", real);
	snprintf(index_dir, sizeof(index_dir), "%s", real);
	log_info("post index kept in %s", real);
}

/* SIGHUP: read everything again; a broken configuration is reported and
 * the running one kept.  Listen addresses, ports, workers and the user
 * are fixed at start. */
static void
on_sighup(uv_signal_t *sig, int signum)
{
	struct runtime		*rt = sig->data;
	struct generation	*g, *old;
	size_t			 i;

	(void)signum;
	log_info("SIGHUP: reloading the configuration");
	if ((g = gen_load(rt->opts, rt->ports)) == NULL) {
		log_warnx("reload failed: keeping the running configuration");
		return;
	}
	if (log_configure(&g->conf) == -1)
		log_warn("cannot open the log");
	index_start(g);
	for (i = 0; i < rt->nworkers; i++) {
		old = atomic_exchange(&rt->workers[i].pending, gen_ref(g));
		if (old != NULL)
			gen_unref(old);
		uv_async_send(&rt->workers[i].reload);
	}
	gen_unref(rt->gen);
	rt->gen = g;
	log_info("reloaded");
}

static void
on_sigusr1(uv_signal_t *sig, int signum)
{
	(void)sig;
	(void)signum;
	if (log_reopen() == -1)
		log_warn("cannot reopen the log file");
}

/* The directory part of path, "." when there is none. */
static const char *
dir_of(const char *path, char *dst, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return ".";
	if (slash == path)
		return "/";
	snprintf(dst, len, "%.*s", (int)(slash - path), path);
	return dst;
}

/*
 * Give up root and write access once everything privileged is done.
 * Landlock rules hold inodes, not names: an edited config file (editors
 * write a new file and rename it) and a rotated log file are new inodes,
 * so SIGHUP and SIGUSR1 need their directories, not the files.
 * Returns the chroot directory when it was entered, else NULL.
 */
static const char *
drop_privileges(const struct conf *c)
{
	const char	*paths[64], *err;
	char		 cfgdir[PATH_MAX], logdir[PATH_MAX];
	struct passwd	*pw;
	size_t		 i, n = 0, nw = 0;
	int		 root = geteuid() == 0;

	/* The log file is opened again as the user (SIGHUP, SIGUSR1):
	 * root created it, the user must own it. */
	if (root && !c->allow_root && c->log_dest == CONF_LOG_FILE &&
	    (pw = getpwnam(c->user)) != NULL &&
	    chown(c->log_file, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("chown %s", c->log_file);
	if (root && c->allow_root)
		log_warnx("running as root (allow_root)");
	else if (sandbox_drop(c->user, c->chroot, &err) == -1)
		fatalx("cannot switch to user %s: %s", c->user, err);
	else if (root && c->chroot != NULL)
		return c->chroot;	/* entered: no Landlock in there */
	if (c->chroot != NULL)
		return NULL;	/* paths below mean nothing inside it */
	for (i = 0; i < c->nhosts && n + 5 <= 64; i++) {
		paths[n++] = c->hosts[i].root;
		paths[n++] = c->hosts[i].certs;
	}
	if (c->file != NULL)
		paths[n++] = dir_of(c->file, cfgdir, sizeof(cfgdir));
#if defined(__SANITIZE_ADDRESS__) || CAPSULED_HAS_ASAN
	/* LeakSanitizer reads /proc/self at exit: test builds only. */
	paths[n++] = "/proc";
#endif
	if (c->log_dest == CONF_LOG_FILE)
		paths[n + nw++] = dir_of(c->log_file, logdir, sizeof(logdir));
	if (sandbox_landlock(paths, n, paths + n, nw,
	    *index_dir != '\0' ? index_dir : NULL, &err) == -1)
		log_warnx("landlock: %s", err);
	return NULL;
}

static int
check_only(const struct options *o)
{
	struct conf	c;
	int		r;

	r = options_conf(o, &c, 1);
	if (r == 0 && log_verbose)
		conf_dump(&c, stdout);
	conf_free(&c);
	if (r == 0)
		fprintf(stderr, "%s: configuration OK\n",
		    o->config ? o->config : "capsuled");
	return r == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct options		 opts;
	struct runtime		 rt;
	struct conf		 boot;
	uv_loop_t		 loop;
	atomic_uint		 total;
	unsigned		 (*ports)[2];
	const char		*err, *jail;
	size_t			 i, nentries;

	options_parse(&opts, argc, argv);
	argc -= optind;
	argv += optind;
	if (opts.check)
		return check_only(&opts);
	if (opts.render != NULL) {
		if (argc != 1 || options_conf(&opts, &boot, 0) == -1) {
			usage(stderr);
			return 2;
		}
		i = (size_t)render_file(opts.render, argv[0], &boot);
		conf_free(&boot);
		free(opts.listen);
		return (int)i;
	}
	if (argc != 0) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	/* Bind first (ports below 1024 need root), once per worker: the
	 * first bind picks any ephemeral port, the others share it. */
	if (options_conf(&opts, &boot, 0) == -1)
		return 1;
	memset(&rt, 0, sizeof(rt));
	rt.opts = &opts;
	rt.nworkers = boot.workers ? boot.workers :
	    uv_available_parallelism();
	nentries = boot.nlisten ? boot.nlisten : 1;
	if ((rt.workers = calloc(rt.nworkers, sizeof(*rt.workers))) == NULL ||
	    (ports = calloc(nentries, sizeof(*ports))) == NULL)
		fatal("calloc");
	for (i = 0; i < nentries; i++) {
		ports[i][0] = conf_listen_port(&boot, i, 0);
		ports[i][1] = conf_listen_port(&boot, i, 1);
	}
	for (i = 0; i < rt.nworkers; i++)
		if (listen_bind(&boot, ports, &rt.workers[i].listeners,
		    &rt.workers[i].nlisteners, &err) == -1)
			return 1;
	rt.ports[0] = ports[0][0];
	rt.ports[1] = ports[0][1];
	free(ports);
	index_dir_open(&boot);
	conf_free(&boot);

	if ((rt.gen = gen_load(&opts, rt.ports)) == NULL)
		return 1;
	if (log_configure(&rt.gen->conf) == -1)
		fatal("cannot open the log");
	atomic_init(&total, 0);
	for (i = 0; i < rt.nworkers; i++)
		worker_init(&rt.workers[i], rt.gen, &total);
	/*
	 * After the loops are set up: each keeps a descriptor on /dev/null
	 * in reserve (libuv's, for accept() at EMFILE, and listen.c's),
	 * which Landlock or the chroot would refuse later.  Refused, libuv
	 * tries again for every connection it accepts: two failed opens,
	 * about 5 us a connection.  The worker threads start after this,
	 * under the same restrictions.
	 */
	if ((jail = drop_privileges(&rt.gen->conf)) != NULL) {
		/* Reloads read the files from inside; the log is reopened
		 * by its inside name so that SIGUSR1 finds it too. */
		if ((opts.jail = strdup(jail)) == NULL)
			fatal("strdup");
		if (rt.gen->conf.log_dest == CONF_LOG_FILE &&
		    log_open_file(jailed(jail, rt.gen->conf.log_file)) == -1)
			log_warn("%s: not reachable inside %s: SIGUSR1 "
			    "cannot reopen it", rt.gen->conf.log_file, jail);
	}
	uv_loop_init(&loop);
	uv_signal_init(&loop, &rt.sigint);
	uv_signal_init(&loop, &rt.sigterm);
	uv_signal_init(&loop, &rt.sighup);
	uv_signal_init(&loop, &rt.sigusr1);
	rt.sigint.data = rt.sigterm.data = rt.sighup.data = &rt;
	rt.sigusr1.data = &rt;
	uv_signal_start(&rt.sigint, on_signal, SIGINT);
	uv_signal_start(&rt.sigterm, on_signal, SIGTERM);
	uv_signal_start(&rt.sighup, on_sighup, SIGHUP);
	uv_signal_start(&rt.sigusr1, on_sigusr1, SIGUSR1);
	/* Routing and rendering share libuv's thread pool
	 * (4 threads by default): a few pages at their render limits must
	 * not hold up every other uncached request, so give it more room
	 * unless the operator chose.  Read once, at the pool's first use. */
	if (setenv("UV_THREADPOOL_SIZE", THREADPOOL_SIZE, 0) == -1)
		log_warn("setenv");
	index_start(rt.gen);
	for (i = 0; i < rt.nworkers; i++)
		if (pthread_create(&rt.workers[i].thread, NULL, worker_main,
		    &rt.workers[i]) != 0)
			fatalx("cannot start worker threads");
	log_info("serving %s as gemini://%s:%u/ and gopher://%s:%u/ "
	    "with %zu workers", rt.gen->conf.hosts[0].root,
	    rt.gen->conf.hosts[0].name, rt.gen->conf.gemini_port,
	    rt.gen->conf.hosts[0].name, rt.gen->conf.gopher_port,
	    rt.nworkers);
	log_info("ready gemini=%u gopher=%u", rt.ports[0], rt.ports[1]);

	uv_run(&loop, UV_RUN_DEFAULT);
	for (i = 0; i < rt.nworkers; i++) {
		pthread_join(rt.workers[i].thread, NULL);
		free(rt.workers[i].listeners);
	}
	uv_loop_close(&loop);
	free(rt.workers);
	gen_unref(rt.gen);
	if (index_dirfd != -1)
		close(index_dirfd);
	free(opts.listen);
	free(opts.jail);
	log_info("stopped");
	log_open_stderr();
	return 0;
}

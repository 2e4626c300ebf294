/*
 * main: options, start-up (certificates, stores, listeners), signals and
 * shutdown.  Everything that serves lives in the library; this file only
 * puts it together.
 */
#include <errno.h>
#include <getopt.h>
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
#include "listen.h"
#include "log.h"
#include "markdown.h"
#include "store.h"
#include "tls.h"

#define SHUTDOWN_GRACE_MS	10000	/* in-flight responses get this */

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: capsuled [options]\n"
"       capsuled --render gemtext|gopher|text FILE.md\n"
"Serve a folder of Markdown posts as a Gemini capsule and a Gopher hole.\n"
"\n"
"  -r, --root DIR         capsule root (default " DEFAULT_ROOT ")\n"
"  -n, --hostname NAME    public host name (default " DEFAULT_HOSTNAME ")\n"
"  -g, --gemini-port N    Gemini port (default %d; 0 = any free port)\n"
"  -p, --gopher-port N    Gopher port (default %d; 0 = any free port)\n"
"  -c, --certs DIR        certificate directory (default " DEFAULT_CERTS ")\n"
"  -l, --listen ADDR      listen address, IPv4 or IPv6 (repeatable;\n"
"                         default: all addresses)\n"
"  -t, --timeout MS       request timeout (default %d)\n"
"  -m, --max-conns N      concurrent connection cap (default %d)\n"
"  -w, --width N          Gopher text width (default %d)\n"
"      --lang CODE        default language (default " DEFAULT_LANG ")\n"
"      --render FORMAT    print FILE.md converted and exit\n"
"  -v, --verbose          debug logging\n"
"  -h, --help             this help\n"
"  -V, --version          version\n",
	    DEFAULT_GEMINI_PORT, DEFAULT_GOPHER_PORT, DEFAULT_TIMEOUT_MS,
	    DEFAULT_MAX_CONNS, DEFAULT_GOPHER_WIDTH);
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
	if (md_render(src.data ? src.data + meta.body : "",
	    src.len - meta.body, fmt, &o, &out) == -1)
		fatalx("%s: cannot render", path);
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_free(&out);
	buf_free(&src);
	page_meta_free(&meta);
	return 0;
}

/*------------------------------------------------------------ running */

struct runtime {
	struct server	 srv;
	struct listener	*listeners;
	size_t		 nlisteners;
	uv_signal_t	 sigint, sigterm;
	uv_timer_t	 grace;
	int		 stopping;
};

static void
on_grace_over(uv_timer_t *t)
{
	struct runtime *rt = t->data;

	log_warnx("shutdown: %u connections cut after the grace period",
	    rt->srv.nconns);
	conn_drain(&rt->srv, 1);
}

/* Stop accepting, let responses in flight finish, then the loop ends by
 * itself once no handle is left. */
static void
on_signal(uv_signal_t *sig, int signum)
{
	struct runtime *rt = sig->data;

	if (rt->stopping)
		return;
	rt->stopping = 1;
	log_info("signal %d: shutting down", signum);
	rt->srv.stopping = 1;
	listen_stop(rt->listeners, rt->nlisteners);
	uv_close((uv_handle_t *)&rt->sigint, NULL);
	uv_close((uv_handle_t *)&rt->sigterm, NULL);
	conn_drain(&rt->srv, 0);
	uv_timer_start(&rt->grace, on_grace_over, SHUTDOWN_GRACE_MS, 0);
	uv_unref((uv_handle_t *)&rt->grace);
}

static void
setup_host(struct host *h, const struct conf *c)
{
	struct store_conf	 sc;
	const char		*err;
	int			 r;

	r = certgen_ensure(h->certs, h->name, h->crt, sizeof(h->crt), h->key,
	    sizeof(h->key), &err);
	if (r == -1)
		fatalx("%s/%s: %s", h->certs, h->name, err);
	if (r == 1)
		log_info("generated a certificate for %s in %s", h->name,
		    h->crt);
	if ((h->ctx = tls_server_ctx(h->crt, h->key, &err)) == NULL)
		fatalx("%s: %s", h->crt, err);
	memset(&sc, 0, sizeof(sc));
	sc.root = h->root;
	sc.certs = h->certs;
	sc.default_lang = c->default_lang;
	sc.host = h->name;
	sc.gopher_port = c->gopher_port;
	sc.width = c->gopher_width;
	sc.breaks = -1;
	sc.cache_max = CACHE_MAX_BYTES;
	if ((h->store = store_new(&sc, &err)) == NULL)
		fatalx("%s: %s", h->root, err);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root",	required_argument,	NULL, 'r' },
		{ "hostname",	required_argument,	NULL, 'n' },
		{ "gemini-port", required_argument,	NULL, 'g' },
		{ "gopher-port", required_argument,	NULL, 'p' },
		{ "certs",	required_argument,	NULL, 'c' },
		{ "listen",	required_argument,	NULL, 'l' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "max-conns",	required_argument,	NULL, 'm' },
		{ "width",	required_argument,	NULL, 'w' },
		{ "lang",	required_argument,	NULL, 'L' },
		{ "render",	required_argument,	NULL, 'R' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf	 conf;
	struct host	 host;
	struct runtime	 rt;
	uv_loop_t	 loop;
	const char	*render = NULL, *err;
	unsigned	 ports[2];
	size_t		 i;
	int		 ch;

	memset(&conf, 0, sizeof(conf));
	memset(&host, 0, sizeof(host));
	host.name = DEFAULT_HOSTNAME;
	host.root = DEFAULT_ROOT;
	host.certs = DEFAULT_CERTS;
	host.title = DEFAULT_TITLE;
	conf.hosts = &host;
	conf.nhosts = 1;
	conf.gemini_port = DEFAULT_GEMINI_PORT;
	conf.gopher_port = DEFAULT_GOPHER_PORT;
	conf.timeout_ms = DEFAULT_TIMEOUT_MS;
	conf.max_conns = DEFAULT_MAX_CONNS;
	conf.gopher_width = DEFAULT_GOPHER_WIDTH;
	conf.default_lang = DEFAULT_LANG;

	while ((ch = getopt_long(argc, argv, "r:n:g:p:c:l:t:m:w:vhV",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			host.root = optarg;
			break;
		case 'n':
			host.name = optarg;
			break;
		case 'g':
			conf.gemini_port = parse_uint(optarg, "port", 65535);
			break;
		case 'p':
			conf.gopher_port = parse_uint(optarg, "port", 65535);
			break;
		case 'c':
			host.certs = optarg;
			break;
		case 'l':
			conf.listen = realloc(conf.listen,
			    (conf.nlisten + 1) * sizeof(*conf.listen));
			if (conf.listen == NULL)
				fatal("realloc");
			conf.listen[conf.nlisten++] = optarg;
			break;
		case 't':
			conf.timeout_ms = parse_uint(optarg, "timeout",
			    3600000);
			break;
		case 'm':
			conf.max_conns = parse_uint(optarg, "connection cap",
			    1000000);
			break;
		case 'w':
			conf.gopher_width = parse_uint(optarg, "width", 1000);
			break;
		case 'L':
			conf.default_lang = optarg;
			break;
		case 'R':
			render = optarg;
			break;
		case 'v':
			log_verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("capsuled %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (render != NULL) {
		if (argc != 1) {
			usage(stderr);
			return 2;
		}
		return render_file(render, argv[0], &conf);
	}
	if (argc != 0) {
		usage(stderr);
		return 2;
	}
	if (conf.timeout_ms == 0 || conf.max_conns == 0 ||
	    conf.gopher_width < 20)
		fatalx("timeout, connection cap and width (>= 20) must be "
		    "set");

	signal(SIGPIPE, SIG_IGN);
	ports[0] = conf.gemini_port;
	ports[1] = conf.gopher_port;
	memset(&rt, 0, sizeof(rt));
	if (listen_bind(&conf, ports, &rt.listeners, &rt.nlisteners,
	    &err) == -1)
		return 1;
	conf.gemini_port = ports[0];
	conf.gopher_port = ports[1];
	for (i = 0; i < conf.nhosts; i++)
		setup_host(&conf.hosts[i], &conf);

	uv_loop_init(&loop);
	rt.srv.loop = &loop;
	rt.srv.conf = &conf;
	if (listen_start(&rt.srv, rt.listeners, rt.nlisteners) == -1)
		fatalx("cannot start listening");
	uv_signal_init(&loop, &rt.sigint);
	uv_signal_init(&loop, &rt.sigterm);
	uv_timer_init(&loop, &rt.grace);
	rt.sigint.data = rt.sigterm.data = rt.grace.data = &rt;
	uv_signal_start(&rt.sigint, on_signal, SIGINT);
	uv_signal_start(&rt.sigterm, on_signal, SIGTERM);
	log_info("serving %s as gemini://%s:%u/ and gopher://%s:%u/",
	    host.root, host.name, conf.gemini_port, host.name,
	    conf.gopher_port);
	log_info("ready gemini=%u gopher=%u", conf.gemini_port,
	    conf.gopher_port);

	uv_run(&loop, UV_RUN_DEFAULT);

	uv_close((uv_handle_t *)&rt.grace, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0)
		log_warnx("event loop closed with handles open");
	for (i = 0; i < conf.nhosts; i++) {
		store_free(conf.hosts[i].store);
		SSL_CTX_free(conf.hosts[i].ctx);
	}
	free(rt.listeners);
	free(conf.listen);
	log_info("stopped");
	return 0;
}

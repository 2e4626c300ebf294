/*
 * test-config: capsuled.yaml loading (src/conf*.c): defaults, a full
 * file through conf_dump and back, every error kind with its line, many
 * errors in one run, redirect and client-certificate lookups.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "defaults.h"
#include "tap.h"

#define FP_A	"3b8e34ce33096f4e5b5a9e2f47e4530bc852236e8e046fb08eaaa9e11e836a6b"
#define FP_A_COLONS \
	"3B:8E:34:CE:33:09:6F:4E:5B:5A:9E:2F:47:E4:53:0B:" \
	"C8:52:23:6E:8E:04:6F:B0:8E:AA:A9:E1:1E:83:6A:6B"
#define FP_B	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static const char full[] =
	"# every setting\n"
	"listen:\n"
	"  - \"::\"\n"
	"  - address: 127.0.0.1\n"
	"    gemini_port: 11965\n"
	"    gopher_port: 17070\n"
	"    proxy: true\n"
	"    gopher_host: Gemlog.Example.NET\n"
	"  - address: ::1\n"
	"    proxy: off\n"
	"gemini_port: 1966\n"
	"gopher_port: 7071\n"
	"user: capsuled\n"
	"chroot: /var/lib/capsuled\n"
	"allow_root: yes\n"
	"workers: 4\n"
	"log:\n"
	"  format: off\n"
	"  destination: /var/log/capsuled/access.log\n"
	"limits:\n"
	"  max_conns: 2000\n"
	"  max_conns_per_ip: 8\n"
	"  rate: 5\n"
	"  burst: 10\n"
	"  loopback: true\n"
	"  request_timeout: 5s\n"
	"  busy_timeout: 1s\n"
	"  response_min_rate: 1000\n"
	"  rate_window: 20s\n"
	"default_lang: pt-BR\n"
	"gopher_width: 72\n"
	"gopher_tls: true\n"
	"proxy_protocol: false\n"
	"hosts:\n"
	"  - hostname: Example.org\n"
	"    aliases: [www.example.org, \"EXAMPLE.com\"]\n"
	"    root: /srv/a\n"
	"    certs: /var/lib/capsuled/certs\n"
	"    title: \"Say \\\"hi\\\"\"\n"
	"    author: A. Writer\n"
	"    description: >\n"
	"      Two lines\n"
	"      folded.\n"
	"    favicon: \"\xf0\x9f\x9a\x80\"\n"
	"    posts: blog/posts\n"
	"    site_url: https://example.org/\n"
	"    lang: en\n"
	"    redirects:\n"
	"      - from: /old.gmi\n"
	"        to: /new.gmi\n"
	"      - from: /blog/\n"
	"        to: /posts/\n"
	"        code: temporary\n"
	"      - from: /away/\n"
	"        to: gemini://example.net/\n"
	"        code: 31\n"
	"      - from: /dead.gmi\n"
	"        gone: true\n"
	"      - from: /dead2.gmi\n"
	"        code: 52\n"
	"    require_cert:\n"
	"      - path: /private/\n"
	"        fingerprints:\n"
	"          - \"" FP_A_COLONS "\"\n"
	"          - sha256:" FP_B "\n"
	"      - path: /private/inner/\n"
	"        fingerprints: " FP_B "\n"
	"      - path: /members\n"
	"        fingerprints: []\n"
	"  - hostname: gemlog.example.net\n"
	"    root: gemlog\n"
	"    cert: /etc/ssl/gemlog.crt\n"
	"    key: /etc/ssl/gemlog.key\n"
	"    title: Gemlog\n"
	"    description: ~\n";

static const char full_dump[] =
	"# capsuled configuration, normalised\n"
	"listen:\n"
	"  - \"::\"\n"
	"  - address: \"127.0.0.1\"\n"
	"    gemini_port: 11965\n"
	"    gopher_port: 17070\n"
	"    proxy: true\n"
	"    gopher_host: \"gemlog.example.net\"\n"
	"  - address: \"::1\"\n"
	"    proxy: false\n"
	"gemini_port: 1966\n"
	"gopher_port: 7071\n"
	"user: \"capsuled\"\n"
	"chroot: \"/var/lib/capsuled\"\n"
	"allow_root: true\n"
	"workers: 4\n"
	"log:\n"
	"  format: off\n"
	"  destination: \"/var/log/capsuled/access.log\"\n"
	"limits:\n"
	"  max_conns: 2000\n"
	"  max_conns_per_ip: 8\n"
	"  rate: 5\n"
	"  burst: 10\n"
	"  loopback: true\n"
	"  request_timeout: 5000ms\n"
	"  busy_timeout: 1000ms\n"
	"  response_min_rate: 1000\n"
	"  rate_window: 20000ms\n"
	"default_lang: \"pt-BR\"\n"
	"gopher_width: 72\n"
	"gopher_tls: true\n"
	"proxy_protocol: false\n"
	"hosts:\n"
	"  - hostname: \"example.org\"\n"
	"    aliases:\n"
	"      - \"www.example.org\"\n"
	"      - \"example.com\"\n"
	"    root: \"/srv/a\"\n"
	"    certs: \"/var/lib/capsuled/certs\"\n"
	"    title: \"Say \\\"hi\\\"\"\n"
	"    author: \"A. Writer\"\n"
	"    description: \"Two lines folded.\"\n"
	"    favicon: \"\xf0\x9f\x9a\x80\"\n"
	"    posts: \"blog/posts\"\n"
	"    site_url: \"https://example.org/\"\n"
	"    lang: \"en\"\n"
	"    redirects:\n"
	"      - from: \"/old.gmi\"\n"
	"        to: \"/new.gmi\"\n"
	"        code: 31\n"
	"      - from: \"/blog/\"\n"
	"        to: \"/posts/\"\n"
	"        code: 30\n"
	"      - from: \"/away/\"\n"
	"        to: \"gemini://example.net/\"\n"
	"        code: 31\n"
	"      - from: \"/dead.gmi\"\n"
	"        gone: true\n"
	"      - from: \"/dead2.gmi\"\n"
	"        gone: true\n"
	"    client_cert_zones:\n"
	"      - path: \"/private/\"\n"
	"        fingerprints:\n"
	"          - \"" FP_A "\"\n"
	"          - \"" FP_B "\"\n"
	"      - path: \"/private/inner/\"\n"
	"        fingerprints:\n"
	"          - \"" FP_B "\"\n"
	"      - path: \"/members\"\n"
	"        fingerprints: []\n"
	"  - hostname: \"gemlog.example.net\"\n"
	"    root: \"gemlog\"\n"
	"    certs: \"certs\"\n"
	"    cert: \"/etc/ssl/gemlog.crt\"\n"
	"    key: \"/etc/ssl/gemlog.key\"\n"
	"    title: \"Gemlog\"\n";

/* conf_dump into a string; caller frees. */
static char *
dump(const struct conf *c)
{
	char	*s = NULL;
	size_t	 len = 0;
	FILE	*fp;

	if ((fp = open_memstream(&s, &len)) == NULL)
		return NULL;
	conf_dump(c, fp);
	fclose(fp);
	return s;
}

/* Parse text on a fresh conf; the errors joined by newlines (or ""). */
static int
parse(struct conf *c, const char *text, size_t len, char *errs,
    size_t errlen)
{
	struct conf_errors	 e = { 0 };
	size_t			 i, off = 0;
	int			 r;

	if (conf_init(c) == -1)
		return -2;
	r = conf_parse(c, "t.yaml", text, len, &e);
	errs[0] = '\0';
	for (i = 0; i < e.n; i++) {
		snprintf(errs + off, errlen - off, "%s%s", i ? "\n" : "",
		    e.msgs[i]);
		off += strlen(errs + off);
	}
	if (r == 0 && e.n != 0)
		r = -3;
	conf_errors_free(&e);
	return r;
}

static void
test_defaults(void)
{
	struct conf c;

	is_int(conf_init(&c), 0, "conf_init");
	is_int(c.nhosts, 1, "one default host");
	is_str(c.hosts[0].name, DEFAULT_HOSTNAME, "default hostname");
	is_str(c.hosts[0].root, DEFAULT_ROOT, "default root");
	is_str(c.hosts[0].certs, DEFAULT_CERTS, "default certs");
	is_str(c.hosts[0].title, DEFAULT_TITLE, "default title");
	ok(c.hosts[0].description == NULL && c.hosts[0].cert_file == NULL &&
	    c.hosts[0].nredirects == 0 && c.hosts[0].nzones == 0,
	    "default host has nothing else");
	is_int(c.gemini_port, DEFAULT_GEMINI_PORT, "default gemini port");
	is_int(c.gopher_port, DEFAULT_GOPHER_PORT, "default gopher port");
	is_int(c.timeout_ms, DEFAULT_TIMEOUT_MS, "default timeout");
	is_int(c.max_conns, DEFAULT_MAX_CONNS, "default max_conns");
	is_int(c.max_conns_per_ip, DEFAULT_MAX_PER_IP, "default per ip");
	is_int(c.rate, DEFAULT_RATE, "default rate");
	is_int(c.burst, DEFAULT_BURST, "default burst");
	is_int(c.response_min_rate, DEFAULT_MIN_RATE, "default min rate");
	is_int(c.rate_window_ms, DEFAULT_RATE_WINDOW_MS, "default rate window");
	is_int(c.busy_timeout_ms, DEFAULT_BUSY_TIMEOUT_MS,
	    "default busy timeout");
	is_int(c.gopher_width, DEFAULT_GOPHER_WIDTH, "default width");
	is_str(c.default_lang, DEFAULT_LANG, "default lang");
	is_str(c.user, "nobody", "default user");
	ok(c.chroot == NULL && !c.allow_root && c.workers == 0 &&
	    !c.proxy_protocol && !c.limit_loopback,
	    "default switches off");
	ok(c.gopher_tls, "default: gophers on the Gopher port");
	ok(c.log_dest == CONF_LOG_STDERR && c.log_format == CONF_LOG_TEXT,
	    "default log: text on stderr");
	is_int(c.nlisten, 0, "default: all addresses");
	is_int(conf_listen_port(&c, 0, 0), DEFAULT_GEMINI_PORT,
	    "implicit listener gemini port");
	is_int(conf_listen_proxy(&c, 0), 0, "implicit listener no proxy");
	ok(conf_listen_gopher_host(&c, 0) == &c.hosts[0],
	    "implicit listener gopher host");
	conf_free(&c);
}

static void
test_full(void)
{
	struct conf	 c, c2;
	struct host	*h;
	char		 errs[4096], *d1, *d2;

	is_int(parse(&c, full, strlen(full), errs, sizeof(errs)), 0,
	    "full config parses");
	is_str(errs, "", "full config: no errors");
	is_int(c.nhosts, 2, "two hosts");
	is_int(c.nlisten, 3, "three listen entries");
	is_str(c.listen[1], "127.0.0.1", "listen address");
	is_int(conf_listen_port(&c, 0, 0), 1966, "plain entry: global port");
	is_int(conf_listen_port(&c, 1, 0), 11965, "entry gemini port");
	is_int(conf_listen_port(&c, 1, 1), 17070, "entry gopher port");
	is_int(conf_listen_port(&c, 2, 1), 7071, "entry inherits gopher");
	is_int(conf_listen_proxy(&c, 0), 0, "plain entry: global proxy");
	is_int(conf_listen_proxy(&c, 1), 1, "entry proxy");
	c.proxy_protocol = 1;	/* as --proxy-protocol would */
	is_int(conf_listen_proxy(&c, 0), 1, "plain entry follows override");
	is_int(conf_listen_proxy(&c, 2), 0, "explicit off stays off");
	c.proxy_protocol = 0;
	ok(conf_listen_gopher_host(&c, 1) == &c.hosts[1],
	    "entry gopher host");
	ok(conf_listen_gopher_host(&c, 0) == &c.hosts[0],
	    "plain entry gopher host: default");
	is_str(c.user, "capsuled", "user");
	is_int(c.log_dest, CONF_LOG_FILE, "log to a file");
	is_int(c.timeout_ms, 5000, "5s is 5000 ms");
	h = &c.hosts[0];
	is_str(h->name, "example.org", "hostname lowercased");
	is_str(h->description, "Two lines folded.", "folded description");
	is_str(h->title, "Say \"hi\"", "quoted title");
	ok(c.hosts[1].description == NULL, "~ leaves description unset");
	is_str(c.hosts[1].certs, DEFAULT_CERTS, "host certs default");
	ok(conf_find_host(&c, "WWW.EXAMPLE.ORG") == h, "alias, any case");
	ok(conf_find_host(&c, "example.com") == h, "second alias");
	ok(conf_find_host(&c, "gemlog.example.net") == &c.hosts[1],
	    "second host");
	ok(conf_find_host(&c, "example.net") == NULL, "unknown host");
	ok(conf_find_host(&c, NULL) == NULL, "no SNI");
	ok(conf_find_host(&c, "www.example.org.") == h,
	    "trailing dot: the same host");
	ok(conf_find_host(&c, "www.example.org..") == NULL,
	    "two trailing dots: no host");
	ok(conf_same_host("LOCALHOST", "localhost.") &&
	    conf_same_host("localhost.", "localhost") &&
	    !conf_same_host("localhost", "localhos") &&
	    !conf_same_host(".", "") && conf_same_host(".", "."),
	    "conf_same_host: case and one trailing dot ignored");

	d1 = dump(&c);
	is_str(d1, full_dump, "conf_dump normalises the full config");
	is_int(parse(&c2, d1, strlen(d1), errs, sizeof(errs)), 0,
	    "the dump parses");
	is_str(errs, "", "the dump: no errors");
	d2 = dump(&c2);
	is_str(d2, d1, "dump -> parse -> dump is stable");
	free(d1);
	free(d2);
	conf_free(&c2);
	conf_free(&c);

	/* The defaults survive a round trip too. */
	conf_init(&c);
	d1 = dump(&c);
	is_int(parse(&c2, d1, strlen(d1), errs, sizeof(errs)), 0,
	    "default dump parses");
	d2 = dump(&c2);
	is_str(d2, d1, "default dump round trip");
	free(d1);
	free(d2);
	conf_free(&c2);
	conf_free(&c);
}

struct err_case {
	const char	*yaml;
	const char	*want;		/* exact message list */
};

static const struct err_case err_cases[] = {
	/* unknown keys, every section */
	{ "gemini_port: 1965\nfrobnicate: 1\n",
	  "t.yaml:2: unknown key 'frobnicate' in the configuration" },
	{ "log:\n  format: text\n  colour: red\n",
	  "t.yaml:3: unknown key 'colour' in log" },
	{ "limits:\n\n  max_con: 3\n",
	  "t.yaml:3: unknown key 'max_con' in limits" },
	{ "listen:\n  - address: ::1\n    port: 3\n",
	  "t.yaml:3: unknown key 'port' in a listen entry" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    titel: x\n",
	  "t.yaml:4: unknown key 'titel' in a host" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - {from: /a, to: /b, permanent: yes}\n",
	  "t.yaml:5: unknown key 'permanent' in a redirect" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    require_cert:\n"
	  "      - {path: /a, certs: []}\n",
	  "t.yaml:5: unknown key 'certs' in a client certificate zone" },
	/* types and ranges */
	{ "gemini_port: 65536\n",
	  "t.yaml:1: gemini_port: 65536 is out of range (0 to 65535)" },
	{ "\ngopher_port: seventy\n",
	  "t.yaml:2: gopher_port: expected a number, not 'seventy'" },
	{ "gopher_port: -1\n",
	  "t.yaml:1: gopher_port: expected a number, not '-1'" },
	{ "gopher_port: 99999999999999999999999\n",
	  "t.yaml:1: gopher_port: expected a number, not "
	  "'99999999999999999999999'" },
	{ "gemini_port: [1965]\n",
	  "t.yaml:1: gemini_port: expected a single value, not a list" },
	{ "user: {name: x}\n",
	  "t.yaml:1: user: expected a single value, not a mapping" },
	{ "user:\n",
	  "t.yaml:1: user: needs a value" },
	{ "user: \"\"\n",
	  "t.yaml:1: user: must not be empty" },
	{ "allow_root: maybe\n",
	  "t.yaml:1: allow_root: expected true or false, not 'maybe'" },
	{ "workers: 1000\n",
	  "t.yaml:1: workers: 1000 is out of range (0 to 256)" },
	{ "gopher_width: 19\n",
	  "t.yaml:1: gopher_width: 19 is out of range (20 to 1000)" },
	{ "limits:\n  request_timeout: 10 s\n",
	  "t.yaml:2: request_timeout: expected a duration such as 10s or "
	  "500ms, not '10 s'" },
	{ "limits:\n  request_timeout: 0\n",
	  "t.yaml:2: request_timeout: must be between 1ms and 1 hour" },
	{ "limits:\n  request_timeout: 61m\n",
	  "t.yaml:2: request_timeout: must be between 1ms and 1 hour" },
	{ "limits:\n  busy_timeout: 0\n",
	  "t.yaml:2: busy_timeout: must be between 1ms and 1 hour" },
	{ "limits:\n  rate_window: 2h\n",
	  "t.yaml:2: rate_window: expected a duration such as 10s or 500ms, "
	  "not '2h'" },
	{ "limits:\n  response_min_rate: 0\n",
	  "t.yaml:2: response_min_rate: 0 is out of range (1 to "
	  "1000000000)" },
	{ "limits: 5\n",
	  "t.yaml:1: limits: expected a mapping of settings" },
	{ "log:\n  format: json\n",
	  "t.yaml:2: log format: 'json' is not text or off" },
	{ "default_lang: english\n",
	  "t.yaml:1: default_lang: 'english' is not a language tag such as "
	  "en or pt-BR" },
	{ "chroot: var/empty\n",
	  "t.yaml:1: chroot: 'var/empty' must be an absolute path" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    description: "
	  "\"a\\x01b\"\n",
	  "t.yaml:4: description: control characters are not allowed" },
	/* duplicates */
	{ "gemini_port: 1\ngopher_port: 2\ngemini_port: 3\n",
	  "t.yaml:3: duplicate key 'gemini_port' in the configuration" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    require_cert: []\n"
	  "    client_cert_zones: []\n",
	  "t.yaml:5: duplicate key 'client_cert_zones' in a host" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n"
	  "  - hostname: A.ORG\n    root: s\n",
	  "t.yaml:4: duplicate host name 'a.org' (first at line 2)" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n"
	  "  - hostname: b.org\n    aliases: a.org\n    root: s\n",
	  "t.yaml:5: duplicate host name 'a.org' (first at line 2)" },
	{ "listen: [\"::\", 127.0.0.1, \"::\"]\n",
	  "t.yaml:1: duplicate listen address '::' (first at line 1)" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - {from: /a, to: /b}\n      - {from: /a, gone: true}\n",
	  "t.yaml:6: duplicate redirect from '/a' (first at line 5)" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    require_cert:\n"
	  "      - {path: /a}\n      - {path: /a}\n",
	  "t.yaml:6: duplicate client certificate zone '/a' (first at "
	  "line 5)" },
	/* hosts */
	{ "hosts:\n  - hostname: a.org\n    title: t\n",
	  "t.yaml:2: host 'a.org' has no root" },
	{ "hosts:\n  - root: r\n",
	  "t.yaml:2: host without a hostname" },
	{ "hosts:\n  - hostname: \"a b\"\n    root: r\n",
	  "t.yaml:2: hostname: 'a b' is not a valid host name" },
	{ "hosts:\n  - hostname: ../etc\n    root: r\n",
	  "t.yaml:2: hostname: '../etc' is not a valid host name" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    cert: c.crt\n",
	  "t.yaml:2: host: cert and key go together" },
	{ "hosts: []\n",
	  "t.yaml:1: hosts: the list is empty" },
	{ "hosts: a.org\n",
	  "t.yaml:1: hosts: expected a list" },
	{ "hosts:\n  - a.org\n",
	  "t.yaml:2: host: expected a mapping of settings" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    posts: /abs\n",
	  "t.yaml:4: posts: '/abs' must be a directory inside the root" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    posts: a/../..\n",
	  "t.yaml:4: posts: 'a/../..' must be a directory inside the root" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    site_url: a.org\n",
	  "t.yaml:4: site_url: 'a.org' is not an absolute URL" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    lang: x\n",
	  "t.yaml:4: lang: 'x' is not a language tag such as en or pt-BR" },
	{ "listen:\n  - address: ::1\n    gopher_host: b.org\n"
	  "hosts:\n  - hostname: a.org\n    root: r\n",
	  "t.yaml:2: gopher_host 'b.org' is not one of the hosts" },
	{ "listen:\n  - gemini_port: 1\n",
	  "t.yaml:2: listen entry without an address" },
	{ "listen: [localhost]\n",
	  "t.yaml:1: listen: 'localhost' is not an IPv4 or IPv6 address" },
	/* redirects */
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - {from: /a}\n",
	  "t.yaml:5: redirect without a 'to' target" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - {to: /a}\n",
	  "t.yaml:5: redirect without a 'from' path" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - {from: a, to: /b}\n",
	  "t.yaml:5: from: 'a' must be a path starting with '/'" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - {from: /a, to: b}\n",
	  "t.yaml:5: to: 'b' must be a path starting with '/' or an "
	  "absolute URL" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - {from: /a, to: /a b}\n",
	  "t.yaml:5: to: spaces must be written %20" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - from: /a\n        to: /b\n        code: 32\n",
	  "t.yaml:7: code: '32' is not 30 (temporary), 31 (permanent) or "
	  "52 (gone)" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - {from: /a, to: /b, gone: true}\n",
	  "t.yaml:5: redirect: a gone (52) path has no 'to'" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    redirects:\n"
	  "      - from: /a\n        gone: true\n        code: 30\n",
	  "t.yaml:7: redirect: 'gone' and code 30 disagree" },
	/* zones */
	{ "hosts:\n  - hostname: a.org\n    root: r\n    require_cert:\n"
	  "      - path: /a\n        fingerprints: [\"ab:cd\"]\n",
	  "t.yaml:6: fingerprint: 'ab:cd' is not a SHA-256 fingerprint "
	  "(64 hex digits)" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    require_cert:\n"
	  "      - fingerprints: []\n",
	  "t.yaml:5: client certificate zone without a path" },
	{ "hosts:\n  - hostname: a.org\n    root: r\n    require_cert:\n"
	  "      - path: private\n",
	  "t.yaml:5: path: 'private' must start with '/'" },
	/* YAML itself */
	{ "gemini_port: 1965\nlisten: [\"::1\"\n",
	  "t.yaml:3: YAML syntax: did not find expected ',' or ']' while "
	  "parsing a flow sequence" },
	{ "gemini_port: 1965\n\tgopher_port: 7070\n",
	  "t.yaml:2: YAML syntax: found a tab character that violates "
	  "indentation while scanning a plain scalar" },
	{ "- 1\n- 2\n",
	  "t.yaml:1: expected a mapping of settings at the top level" },
	{ "gemini_port: 1\n---\ngopher_port: 2\n",
	  "t.yaml:2: only one YAML document is allowed" },
	{ "---\n---\ngemini_port: 1\n",
	  "t.yaml:2: only one YAML document is allowed" },
	{ "? [a]\n: 1\n",
	  "t.yaml:1: the configuration: a key must be a name" },
};

static void
test_errors(void)
{
	struct conf	c;
	char		errs[4096], name[64];
	size_t		i;
	int		r;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		r = parse(&c, err_cases[i].yaml, strlen(err_cases[i].yaml),
		    errs, sizeof(errs));
		snprintf(name, sizeof(name), "error case %zu", i);
		ok(r == -1, "%s fails", name);
		is_str(errs, err_cases[i].want, name);
		conf_free(&c);
	}

	r = parse(&c, "gemini_port: 1\0", 15, errs, sizeof(errs));
	ok(r == -1 && strstr(errs, "t.yaml") == errs,
	    "NUL byte in the file refused");
	conf_free(&c);
	r = parse(&c, "user: \"a\\0b\"\n", 13, errs, sizeof(errs));
	is_str(errs, "t.yaml:1: user: contains a NUL byte", "escaped NUL");
	conf_free(&c);
	r = parse(&c, "title: \xff\n", 9, errs, sizeof(errs));
	ok(r == -1 && strstr(errs, "not valid UTF-8") != NULL,
	    "invalid UTF-8 refused");
	conf_free(&c);
	r = parse(&c, "x\x1b[2J: 1\n", 10, errs, sizeof(errs));
	ok(r == -1, "escape sequence in a key refused");
	ok(strchr(errs, '\x1b') == NULL, "and not echoed to the terminal");
	conf_free(&c);
}

static void
test_many_errors(void)
{
	static const char text[] =
	    "gemini_port: 99999\n"			/* 1 */
	    "gopher_prt: 70\n"				/* 2 */
	    "limits:\n"					/* 3 */
	    "  rate: fast\n"				/* 4 */
	    "hosts:\n"					/* 5 */
	    "  - hostname: a.org\n"			/* 6 */
	    "    cert: x.crt\n"				/* 7 */
	    "    redirects:\n"				/* 8 */
	    "      - {from: /a, to: /b, code: 99}\n"	/* 9 */
	    "  - hostname: A.org\n"			/* 10 */
	    "    root: s\n"				/* 11 */
	    "    lang: 12\n";				/* 12 */
	static const char want[] =
	    "t.yaml:1: gemini_port: 99999 is out of range (0 to 65535)\n"
	    "t.yaml:2: unknown key 'gopher_prt' in the configuration\n"
	    "t.yaml:4: rate: expected a number, not 'fast'\n"
	    "t.yaml:6: host 'a.org' has no root\n"
	    "t.yaml:6: host: cert and key go together\n"
	    "t.yaml:9: code: '99' is not 30 (temporary), 31 (permanent) or "
	    "52 (gone)\n"
	    "t.yaml:10: duplicate host name 'a.org' (first at line 6)\n"
	    "t.yaml:12: lang: '12' is not a language tag such as en or pt-BR";
	struct conf		 c;
	struct conf_errors	 e = { 0 };
	char			 errs[4096], *big;
	size_t			 i, off;

	is_int(parse(&c, text, strlen(text), errs, sizeof(errs)), -1,
	    "many errors: fails");
	is_str(errs, want, "many errors: all reported, in line order");
	conf_free(&c);

	/* A flood of errors is cut off, not collected without end. */
	big = malloc(200 * 16 + 1);
	for (i = off = 0; i < 200; i++)
		off += (size_t)sprintf(big + off, "k%03zu: 1\n", i);
	conf_init(&c);
	ok(conf_parse(&c, "t.yaml", big, off, &e) == -1, "flood fails");
	is_int(e.n, 101, "flood: 100 messages and a last word");
	is_str(e.msgs[100], "t.yaml: too many errors, giving up",
	    "flood: last word");
	conf_errors_free(&e);
	conf_free(&c);
	free(big);
}

static void
test_aliases(void)
{
	static const char bomb[] =
	    "r: &r {from: /a, to: /b}\n"
	    "h: &h\n"
	    "  hostname: a.org\n"
	    "  root: r\n"
	    "  redirects: &l [*r, *r, *r, *r, *r, *r, *r, *r, *r, *r, *r,"
	    " *r, *r, *r, *r, *r, *r, *r, *r, *r, *r, *r, *r, *r, *r]\n"
	    "hosts: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h, *h, *h, *h,"
	    " *h, *h, *h, *h, *h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	static const char shared[] =
	    "hosts:\n"
	    "  - hostname: a.org\n"
	    "    root: r\n"
	    "    require_cert:\n"
	    "      - path: /x/\n"
	    "        fingerprints: &fps [" FP_A ", " FP_B "]\n"
	    "  - hostname: b.org\n"
	    "    root: s\n"
	    "    require_cert:\n"
	    "      - path: /y/\n"
	    "        fingerprints: *fps\n";
	struct conf	c;
	char		errs[16384];

	is_int(parse(&c, bomb, strlen(bomb), errs, sizeof(errs)), -1,
	    "alias bomb refused");
	ok(strstr(errs, "too many nodes") != NULL, "alias bomb: why");
	conf_free(&c);
	is_int(parse(&c, shared, strlen(shared), errs, sizeof(errs)), 0,
	    "a shared fingerprint list is fine");
	is_int(c.hosts[1].zones[0].nfps, 2, "shared list read twice");
	conf_free(&c);
}

static void
test_lookups(void)
{
	struct conf		 c;
	const struct redirect	*r;
	struct host		*h;
	char			 errs[4096], dst[64];

	parse(&c, full, strlen(full), errs, sizeof(errs));
	h = &c.hosts[0];

	r = conf_find_redirect(h, "/old.gmi");
	ok(r != NULL && r->code == 31, "exact redirect, permanent default");
	is_int(conf_redirect_target(r, "/old.gmi", dst, sizeof(dst)), 0,
	    "exact target");
	is_str(dst, "/new.gmi", "exact target is to");
	ok(conf_find_redirect(h, "/old.gmi/x") == NULL,
	    "exact from is not a prefix");
	ok(conf_find_redirect(h, "/old") == NULL, "no partial match");
	r = conf_find_redirect(h, "/blog/2020/post.gmi");
	ok(r != NULL && r->code == 30, "directory redirect, temporary");
	conf_redirect_target(r, "/blog/2020/post.gmi", dst, sizeof(dst));
	is_str(dst, "/posts/2020/post.gmi", "rest of the path kept");
	r = conf_find_redirect(h, "/blog/");
	conf_redirect_target(r, "/blog/", dst, sizeof(dst));
	is_str(dst, "/posts/", "directory itself");
	/* The rest is decoded: what would end the URI or start a query is
	 * encoded again, the rest of the path kept as it is. */
	conf_redirect_target(r, "/blog/a b?c#d%/é:@~", dst, sizeof(dst));
	is_str(dst, "/posts/a%20b%3Fc%23d%25/%C3%A9:@~", "rest re-encoded");
	is_int(conf_redirect_target(r, "/blog/ab", dst, 10), 0,
	    "rest that just fits");
	is_str(dst, "/posts/ab", "rest that just fits, whole");
	is_int(conf_redirect_target(r, "/blog/ab", dst, 9), -1,
	    "rest one byte too long");
	is_int(conf_redirect_target(r, "/blog/a?", dst, 11), -1,
	    "escape one byte too long");
	ok(conf_find_redirect(h, "/blog") == NULL,
	    "/blog is not under /blog/");
	ok(conf_find_redirect(h, "/blogger") == NULL, "segment boundary");
	r = conf_find_redirect(h, "/away/deep/x.gmi");
	conf_redirect_target(r, "/away/deep/x.gmi", dst, sizeof(dst));
	is_str(dst, "gemini://example.net/deep/x.gmi", "to another capsule");
	is_int(conf_redirect_target(r, "/away/deep/x.gmi", dst, 10), -1,
	    "target too long for dst");
	r = conf_find_redirect(h, "/dead.gmi");
	ok(r != NULL && r->code == 52 && r->to == NULL, "gone: 52");
	is_int(conf_redirect_target(r, "/dead.gmi", dst, sizeof(dst)), -1,
	    "gone has no target");
	ok(conf_find_redirect(h, "/") == NULL, "no redirect for /");
	ok(conf_find_redirect(&c.hosts[1], "/old.gmi") == NULL,
	    "redirects are per host");

	/* Client certificates. */
	is_int(conf_cert_zone(h, "/", NULL), 0, "public page");
	is_int(conf_cert_zone(h, "/index.gmi", FP_A), 0,
	    "public page with a certificate");
	is_int(conf_cert_zone(h, "/private/a.gmi", NULL), 60,
	    "zone without certificate: 60");
	is_int(conf_cert_zone(h, "/private/a.gmi", FP_A), 0,
	    "listed certificate: 0");
	is_int(conf_cert_zone(h, "/private/a.gmi", FP_A_COLONS), 0,
	    "listed certificate, colons and capitals");
	is_int(conf_cert_zone(h, "/private/a.gmi",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef0"),
	    61, "unlisted certificate: 61");
	is_int(conf_cert_zone(h, "/private/a.gmi", "garbage"), 61,
	    "garbage fingerprint: 61");
	is_int(conf_cert_zone(h, "/private", NULL), 60,
	    "the directory without its slash");
	is_int(conf_cert_zone(h, "/private/", NULL), 60, "the directory");
	is_int(conf_cert_zone(h, "/privateer.gmi", NULL), 0,
	    "segment boundary");
	is_int(conf_cert_zone(h, "/private/inner/x", FP_A), 61,
	    "inner zone: longest wins, A not listed there");
	is_int(conf_cert_zone(h, "/private/inner/x", FP_B), 0,
	    "inner zone: B listed");
	is_int(conf_cert_zone(h, "/members", NULL), 60, "any-cert zone: 60");
	is_int(conf_cert_zone(h, "/members/x/y", FP_B), 0,
	    "any-cert zone: any certificate");
	is_int(conf_cert_zone(h, "/membership", NULL), 0,
	    "/members does not cover /membership");
	is_int(conf_cert_zone(&c.hosts[1], "/private/a.gmi", NULL), 0,
	    "zones are per host");
	conf_free(&c);
}

static void
test_fingerprint(void)
{
	char out[CONF_FP_LEN + 1];

	is_int(conf_fingerprint(FP_A_COLONS, out), 0, "colons");
	is_str(out, FP_A, "normalised");
	is_int(conf_fingerprint("SHA256:" FP_B, out), 0, "sha256: prefix");
	is_str(out, FP_B, "prefix dropped");
	is_int(conf_fingerprint(FP_B "00", out), -1, "too long");
	is_int(conf_fingerprint("abc", out), -1, "too short");
	is_int(conf_fingerprint("", out), -1, "empty");
	is_int(conf_fingerprint(
	    "g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    out), -1, "not hex");
}

static void
test_listen_api(void)
{
	struct conf	c;
	char		errs[1024];
	char		addr[] = "::1";
	static const char text[] =
	    "listen:\n  - address: 127.0.0.1\n    proxy: true\n";

	parse(&c, text, strlen(text), errs, sizeof(errs));
	is_int(c.nlisten, 1, "file listen");
	/* main: --listen replaces the file's list */
	conf_listen_clear(&c);
	is_int(conf_listen_add(&c, addr), 0, "conf_listen_add");
	addr[0] = 'X';		/* copied, not borrowed */
	is_int(conf_listen_add(&c, "0.0.0.0"), 0, "second add");
	is_int(c.nlisten, 2, "two addresses");
	is_str(c.listen[0], "::1", "address copied");
	is_int(conf_listen_proxy(&c, 0), 0, "added entry: global proxy");
	is_int(conf_listen_port(&c, 1, 1), DEFAULT_GOPHER_PORT,
	    "added entry: global port");
	conf_free(&c);

	/* A single string is a list of one. */
	parse(&c, "listen: 0.0.0.0\n", 16, errs, sizeof(errs));
	ok(c.nlisten == 1 && strcmp(c.listen[0], "0.0.0.0") == 0,
	    "listen: ADDR");
	conf_free(&c);
	/* Empty list: all addresses. */
	parse(&c, "listen: []\n", 11, errs, sizeof(errs));
	is_int(c.nlisten, 0, "listen: [] is all addresses");
	conf_free(&c);
}

static void
test_overrides(void)
{
	struct conf	c;
	char		errs[1024], root[] = "/tmp/argv-root";

	/* main.c stores argv strings and literals; conf_free leaves them
	 * alone (ASan would catch a bad free). */
	parse(&c, "hosts:\n  - {hostname: a.org, root: /r}\n", 39, errs,
	    sizeof(errs));
	c.hosts[0].root = root;
	c.hosts[0].name = "b.org";
	c.user = "daemon";
	c.default_lang = "ja";
	ok(conf_find_host(&c, "B.ORG") == &c.hosts[0], "overridden name");
	conf_free(&c);
	ok(c.hosts == NULL && c.nhosts == 0 && c.mem == NULL,
	    "conf_free clears the struct");
	conf_free(&c);		/* twice is harmless */

	/* Empty file: defaults kept; globals only: default host kept. */
	is_int(parse(&c, "", 0, errs, sizeof(errs)), 0, "empty file");
	is_str(c.hosts[0].name, DEFAULT_HOSTNAME, "empty file: defaults");
	conf_free(&c);
	is_int(parse(&c, "# nothing\n", 10, errs, sizeof(errs)), 0,
	    "comment only");
	conf_free(&c);
	is_int(parse(&c, "---\n", 4, errs, sizeof(errs)), 0,
	    "an empty document");
	conf_free(&c);
	is_int(parse(&c, "gopher_width: 40\n", 17, errs, sizeof(errs)), 0,
	    "globals only");
	ok(c.nhosts == 1 && strcmp(c.hosts[0].root, DEFAULT_ROOT) == 0 &&
	    c.gopher_width == 40, "globals only: default host kept");
	conf_free(&c);
}

static void
test_files(void)
{
	struct conf		 c;
	struct conf_errors	 e = { 0 };
	const char		*top = getenv("TOP_SRCDIR");
	char			 path[1024], dir[] = "/tmp/capsuled-conf-XXXXXX";
	char			 text[2048];
	FILE			*fp;

	conf_init(&c);
	is_int(conf_load(&c, "/nonexistent/capsuled.yaml", &e), -1,
	    "missing file");
	ok(e.n == 1 && strcmp(e.msgs[0], "/nonexistent/capsuled.yaml: "
	    "No such file or directory") == 0, "missing file: message");
	conf_errors_free(&e);
	conf_free(&c);

	/* The shipped example must always load. */
	snprintf(path, sizeof(path), "%s/contrib/capsuled.yaml",
	    top ? top : ".");
	conf_init(&c);
	is_int(conf_load(&c, path, &e), 0, "contrib/capsuled.yaml loads");
	if (e.n > 0)
		printf("# %s\n", e.msgs[0]);
	is_int(c.nhosts, 2, "example: two hosts");
	conf_errors_free(&e);
	conf_free(&c);

	/* conf_check_paths on a real tree. */
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/root", dir);
	mkdir(path, 0755);
	snprintf(text, sizeof(text),
	    "hosts:\n"
	    "  - hostname: a.org\n"
	    "    root: %s/root\n"
	    "    certs: %s/certs\n"
	    "  - hostname: b.org\n"
	    "    root: %s/missing\n"
	    "    certs: %s/no/certs\n"
	    "  - hostname: c.org\n"
	    "    root: %s/root\n"
	    "    cert: %s/c.crt\n"
	    "    key: %s/root\n",
	    dir, dir, dir, dir, dir, dir, dir);
	snprintf(path, sizeof(path), "%s/capsuled.yaml", dir);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	conf_init(&c);
	is_int(conf_load(&c, path, &e), 0, "paths config loads");
	is_int(conf_check_paths(&c, &e), -1, "conf_check_paths finds errors");
	is_int(e.n, 4, "four path errors");
	if (e.n == 4) {
		snprintf(text, sizeof(text), "%s:5: host b.org: root "
		    "%s/missing: No such file or directory", path, dir);
		is_str(e.msgs[0], text, "missing root");
		snprintf(text, sizeof(text), "%s:5: host b.org: certs "
		    "%s/no/certs: its parent %s/no is missing", path, dir,
		    dir);
		is_str(e.msgs[1], text, "certs cannot be created");
		snprintf(text, sizeof(text), "%s:8: host c.org: cert "
		    "%s/c.crt: No such file or directory", path, dir);
		is_str(e.msgs[2], text, "missing cert");
		snprintf(text, sizeof(text), "%s:8: host c.org: key "
		    "%s/root: not a regular file", path, dir);
		is_str(e.msgs[3], text, "key is a directory");
	}
	conf_errors_free(&e);
	conf_free(&c);
	unlink(path);
	snprintf(path, sizeof(path), "%s/root", dir);
	rmdir(path);
	rmdir(dir);
}

int
main(void)
{
	test_defaults();
	test_full();
	test_errors();
	test_many_errors();
	test_aliases();
	test_lookups();
	test_fingerprint();
	test_listen_api();
	test_overrides();
	test_files();
	return tap_done();
}

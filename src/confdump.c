/*
 * confdump: struct conf written back as normalised capsuled.yaml
 * (conf_dump), for --check -v and the golden tests.  confload.c reads
 * what it writes to the same configuration; the config fuzzer holds the
 * two to that.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"

static void
dump_str(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(fp, "\\x%02x", (unsigned char)*s);
		else
			putc(*s, fp);
	}
	putc('"', fp);
}

static void
dump_kv(FILE *fp, const char *indent, const char *key, const char *val)
{
	if (val == NULL)
		return;
	fprintf(fp, "%s%s: ", indent, key);
	dump_str(fp, val);
	putc('\n', fp);
}

static const char *
yesno(int b)
{
	return b ? "true" : "false";
}

static void
dump_host(FILE *fp, const struct host *h)
{
	size_t i, j;

	fprintf(fp, "  - hostname: ");
	dump_str(fp, h->name != NULL ? h->name : "");
	putc('\n', fp);
	if (h->naliases > 0) {
		fprintf(fp, "    aliases:\n");
		for (i = 0; i < h->naliases; i++) {
			fprintf(fp, "      - ");
			dump_str(fp, h->aliases[i]);
			putc('\n', fp);
		}
	}
	dump_kv(fp, "    ", "root", h->root);
	dump_kv(fp, "    ", "certs", h->certs);
	dump_kv(fp, "    ", "cert", h->cert_file);
	dump_kv(fp, "    ", "key", h->key_file);
	dump_kv(fp, "    ", "title", h->title);
	dump_kv(fp, "    ", "author", h->author);
	dump_kv(fp, "    ", "description", h->description);
	dump_kv(fp, "    ", "favicon", h->favicon);
	dump_kv(fp, "    ", "posts", h->posts);
	dump_kv(fp, "    ", "site_url", h->site_url);
	dump_kv(fp, "    ", "lang", h->lang);
	if (h->nredirects > 0) {
		fprintf(fp, "    redirects:\n");
		for (i = 0; i < h->nredirects; i++) {
			const struct redirect *r = &h->redirects[i];

			fprintf(fp, "      - from: ");
			dump_str(fp, r->from);
			putc('\n', fp);
			if (r->code == 52) {
				fprintf(fp, "        gone: true\n");
				continue;
			}
			dump_kv(fp, "        ", "to", r->to);
			fprintf(fp, "        code: %d\n", r->code);
		}
	}
	if (h->nzones > 0) {
		fprintf(fp, "    client_cert_zones:\n");
		for (i = 0; i < h->nzones; i++) {
			const struct cert_zone *z = &h->zones[i];

			fprintf(fp, "      - path: ");
			dump_str(fp, z->path);
			putc('\n', fp);
			if (z->nfps == 0) {
				fprintf(fp, "        fingerprints: []\n");
				continue;
			}
			fprintf(fp, "        fingerprints:\n");
			for (j = 0; j < z->nfps; j++)
				fprintf(fp, "          - \"%s\"\n", z->fps[j]);
		}
	}
}

void
conf_dump(const struct conf *c, FILE *fp)
{
	size_t i;

	fprintf(fp, "# capsuled configuration, normalised\n");
	if (c->nlisten == 0)
		fprintf(fp, "listen: []\n");
	else
		fprintf(fp, "listen:\n");
	for (i = 0; i < c->nlisten; i++) {
		const struct listen_opt *o = c->listen_opt != NULL ?
		    &c->listen_opt[i] : NULL;

		if (o == NULL || (o->gemini_port < 0 && o->gopher_port < 0 &&
		    o->proxy < 0 && o->gopher_host == NULL)) {
			fprintf(fp, "  - ");
			dump_str(fp, c->listen[i]);
			putc('\n', fp);
			continue;
		}
		fprintf(fp, "  - address: ");
		dump_str(fp, c->listen[i]);
		putc('\n', fp);
		if (o->gemini_port >= 0)
			fprintf(fp, "    gemini_port: %d\n", o->gemini_port);
		if (o->gopher_port >= 0)
			fprintf(fp, "    gopher_port: %d\n", o->gopher_port);
		if (o->proxy >= 0)
			fprintf(fp, "    proxy: %s\n", yesno(o->proxy));
		dump_kv(fp, "    ", "gopher_host", o->gopher_host);
	}
	fprintf(fp, "gemini_port: %u\n", c->gemini_port);
	fprintf(fp, "gopher_port: %u\n", c->gopher_port);
	dump_kv(fp, "", "user", c->user);
	dump_kv(fp, "", "chroot", c->chroot);
	dump_kv(fp, "", "cache_dir", c->cache_dir);
	fprintf(fp, "allow_root: %s\n", yesno(c->allow_root));
	fprintf(fp, "workers: %u\n", c->workers);
	fprintf(fp, "log:\n");
	fprintf(fp, "  format: %s\n",
	    c->log_format == CONF_LOG_OFF ? "off" : "text");
	if (c->log_dest == CONF_LOG_SYSLOG)
		fprintf(fp, "  destination: syslog\n");
	else if (c->log_dest == CONF_LOG_FILE && c->log_file != NULL) {
		/* A file literally named "stderr" stays a file. */
		fprintf(fp, "  destination: ");
		if (strcmp(c->log_file, "stderr") == 0 ||
		    strcmp(c->log_file, "syslog") == 0)
			fprintf(fp, "\"./%s\"\n", c->log_file);
		else {
			dump_str(fp, c->log_file);
			putc('\n', fp);
		}
	} else
		fprintf(fp, "  destination: stderr\n");
	fprintf(fp, "limits:\n");
	fprintf(fp, "  max_conns: %u\n", c->max_conns);
	fprintf(fp, "  max_conns_per_ip: %u\n", c->max_conns_per_ip);
	fprintf(fp, "  rate: %u\n", c->rate);
	fprintf(fp, "  burst: %u\n", c->burst);
	fprintf(fp, "  loopback: %s\n", yesno(c->limit_loopback));
	fprintf(fp, "  request_timeout: %ums\n", c->timeout_ms);
	fprintf(fp, "  busy_timeout: %ums\n", c->busy_timeout_ms);
	fprintf(fp, "  response_min_rate: %u\n", c->response_min_rate);
	fprintf(fp, "  rate_window: %ums\n", c->rate_window_ms);
	dump_kv(fp, "", "default_lang", c->default_lang);
	fprintf(fp, "gopher_width: %zu\n", c->gopher_width);
	fprintf(fp, "gopher_tls: %s\n", yesno(c->gopher_tls));
	fprintf(fp, "proxy_protocol: %s\n", yesno(c->proxy_protocol));
	fprintf(fp, "hosts:\n");
	for (i = 0; i < c->nhosts; i++)
		dump_host(fp, &c->hosts[i]);
}

/*
 * confload: the capsuled.yaml loader (libyaml's document API -> struct
 * conf), which validates every setting as it reads it and reports every
 * problem as "file:line: message", all of them in one run and in file
 * order; and the list of problems itself (struct conf_errors), which
 * confcheck.c appends to as well.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "config.h"
#include "confint.h"

#define CONF_FILE_MAX		(1024 * 1024)	/* bytes of YAML */
#define CONF_ERRORS_MAX		100	/* then "too many errors" */
#define MAX_LISTEN		64
#define MAX_HOSTS		1024
#define MAX_ALIASES		64
#define MAX_REDIRECTS		100000
#define MAX_ZONES		1024
#define MAX_FPS			1024
#define META_MAX		1024	/* a Gemini header's META */

/*------------------------------------------------------------ errors */

void
conf_errors_free(struct conf_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = 0;
}

static void
errors_add(struct conf_report *rep, char *msg)
{
	char **v;

	rep->nerr++;
	if (rep->errs->n > CONF_ERRORS_MAX) {
		free(msg);
		return;
	}
	if (rep->errs->n == CONF_ERRORS_MAX) {
		free(msg);
		if (asprintf(&msg, "%s: too many errors, giving up",
		    rep->name) == -1)
			return;
		rep->stop = 1;
	}
	v = reallocarray(rep->errs->msgs, rep->errs->n + 1, sizeof(*v));
	if (v == NULL) {
		free(msg);
		return;
	}
	rep->errs->msgs = v;
	v[rep->errs->n++] = msg;
}

void
conf_report(struct conf_report *rep, unsigned long line, const char *fmt,
    ...)
{
	va_list	 ap;
	char	*m, *msg;
	int	 r;

	va_start(ap, fmt);
	r = vasprintf(&m, fmt, ap);
	va_end(ap);
	if (r == -1) {
		rep->nerr++;
		return;
	}
	if (line > 0)
		r = asprintf(&msg, "%s:%lu: %s", rep->name, line, m);
	else
		r = asprintf(&msg, "%s: %s", rep->name, m);
	free(m);
	if (r == -1) {
		rep->nerr++;
		return;
	}
	errors_add(rep, msg);
}

/* Short, and no control bytes that could move the cursor of the
 * terminal running --check. */
const char *
conf_show(const char *s, char buf[64])
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < 48; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' :
		    s[i];
	if (s[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/*------------------------------------------------------------ context */

struct seen {
	const char	*s;
	unsigned long	 line;
};

struct pctx {
	struct conf		*c;
	struct conf_report	 r;
	yaml_document_t		*doc;
	size_t			 budget;	/* nodes left to visit */
	struct seen		*names;		/* hostnames and aliases */
	size_t			 nnames;
};

#define LINE(n)		((n) != NULL ?					\
			    (unsigned long)(n)->start_mark.line + 1 : 0)
#define perr(p, n, ...)	conf_report(&(p)->r, LINE(n), __VA_ARGS__)

static void
oom(struct pctx *p, const yaml_node_t *n)
{
	perr(p, n, "out of memory");
	p->r.stop = 1;
}

/*------------------------------------------------------------ scalars */

static yaml_node_t *
node(struct pctx *p, int id)
{
	return yaml_document_get_node(p->doc, id);
}

/* One more node visited.  Aliases let a small file name the same big
 * node many times; the budget keeps the walk linear in the file. */
static int
spend(struct pctx *p, const yaml_node_t *n)
{
	if (p->r.stop)
		return 0;
	if (p->budget == 0) {
		perr(p, n, "too many nodes (aliases repeating large parts?)");
		p->r.stop = 1;
		return 0;
	}
	p->budget--;
	return 1;
}

static const char *
scalar(struct pctx *p, yaml_node_t *n, const char *what)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE) {
		perr(p, n, "%s: expected a single value, not a %s", what,
		    n->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
		return NULL;
	}
	s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		perr(p, n, "%s: contains a NUL byte", what);
		return NULL;
	}
	return s;
}

static int
is_null(const yaml_node_t *n)
{
	const char *s;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	s = (const char *)n->data.scalar.value;
	return *s == '\0' || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

#define STR_OPTIONAL	0x01	/* null unsets it */
#define STR_TEXT	0x02	/* fold newlines and tabs into spaces */

/* A string setting, copied.  Returns 0 (with *dst set, NULL when unset)
 * or -1 (reported). */
static int
get_str(struct pctx *p, yaml_node_t *n, const char *what, int flags,
    char **dst)
{
	const char	*s;
	char		*d, *w;
	size_t		 i;

	if ((s = scalar(p, n, what)) == NULL)
		return -1;
	if (is_null(n)) {
		if (flags & STR_OPTIONAL) {
			*dst = NULL;
			return 0;
		}
		perr(p, n, "%s: needs a value", what);
		return -1;
	}
	if ((d = conf_strndup(p->c, s, strlen(s))) == NULL) {
		oom(p, n);
		return -1;
	}
	if (flags & STR_TEXT) {
		/* Folded YAML text keeps newlines; one line is wanted. */
		for (w = d, i = 0; d[i] != '\0'; i++) {
			if (d[i] == '\n' || d[i] == '\t' || d[i] == '\r') {
				if (w > d && w[-1] != ' ')
					*w++ = ' ';
			} else if (d[i] != ' ' || (w > d && w[-1] != ' '))
				*w++ = d[i];
		}
		while (w > d && w[-1] == ' ')
			w--;
		*w = '\0';
		if (*d == '\0') {
			perr(p, n, "%s: needs a value", what);
			return -1;
		}
	}
	if (*d == '\0') {
		perr(p, n, "%s: must not be empty", what);
		return -1;
	}
	if (has_control(d)) {
		perr(p, n, "%s: control characters are not allowed", what);
		return -1;
	}
	*dst = d;
	return 0;
}

#define GET_STR(p, n, what, flags, field) do {				\
	char *s_;							\
	if (get_str((p), (n), (what), (flags), &s_) == 0)		\
		(field) = s_;						\
} while (0)

static int
parse_ulong(const char *s, unsigned long *v, const char **end)
{
	unsigned long x = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > (ULONG_MAX - 9) / 10)
			return -1;
		x = x * 10 + (unsigned long)(*s - '0');
	}
	*v = x;
	*end = s;
	return 0;
}

static int
get_ulong(struct pctx *p, yaml_node_t *n, const char *what,
    unsigned long min, unsigned long max, unsigned long *dst)
{
	const char	*s, *end;
	char		 sb[64];
	unsigned long	 v;

	if ((s = scalar(p, n, what)) == NULL)
		return -1;
	if (parse_ulong(s, &v, &end) == -1 || *end != '\0') {
		perr(p, n, "%s: expected a number, not '%s'", what,
		    conf_show(s, sb));
		return -1;
	}
	if (v < min || v > max) {
		perr(p, n, "%s: %lu is out of range (%lu to %lu)", what, v, min,
		    max);
		return -1;
	}
	*dst = v;
	return 0;
}

#define GET_NUM(p, n, what, min, max, field) do {			\
	unsigned long v_;						\
	if (get_ulong((p), (n), (what), (min), (max), &v_) == 0)	\
		(field) = v_;						\
} while (0)

static int
get_bool(struct pctx *p, yaml_node_t *n, const char *what, int *dst)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	const char	*s;
	char		 sb[64];
	size_t		 i;

	if ((s = scalar(p, n, what)) == NULL)
		return -1;
	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*dst = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*dst = 0;
			return 0;
		}
	}
	perr(p, n, "%s: expected true or false, not '%s'", what,
	    conf_show(s, sb));
	return -1;
}

/* Milliseconds: "500" and "500ms", "10s", "2m". */
static int
get_duration(struct pctx *p, yaml_node_t *n, const char *what,
    unsigned *dst)
{
	const char	*s, *end;
	char		 sb[64];
	unsigned long	 v, mul;

	if ((s = scalar(p, n, what)) == NULL)
		return -1;
	if (parse_ulong(s, &v, &end) == -1)
		goto bad;
	if (*end == '\0' || strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0)
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else
		goto bad;
	if (v == 0 || v > 3600000 / mul) {
		perr(p, n, "%s: must be between 1ms and 1 hour", what);
		return -1;
	}
	*dst = (unsigned)(v * mul);
	return 0;
bad:
	perr(p, n, "%s: expected a duration such as 10s or 500ms, not '%s'",
	    what, conf_show(s, sb));
	return -1;
}

/*------------------------------------------------------------ validators */

/* DNS name (or IPv4 literal): labels of letters, digits, '-' and '_',
 * since it also names the certificate files HOST.crt and HOST.key. */
static int
valid_hostname(const char *s)
{
	size_t i, label = 0;

	if (strlen(s) > 253)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    (s[i] == '-' && label > 0)) || ++label > 63)
			return 0;
	}
	return label > 0;
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* BCP 47 shape: "en", "ja", "pt-BR", "zh-Hant-TW"; the language
 * itself is two or three letters (ISO 639). */
static int
valid_lang(const char *s)
{
	size_t i, n = 0, part = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '-') {
			if (n == 0 || (part == 0 && (n < 2 || n > 3)))
				return 0;
			part++;
			n = 0;
		} else if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (part > 0 && s[i] >= '0' && s[i] <= '9')) {
			if (++n > 8)
				return 0;
		} else
			return 0;
	}
	return i <= 35 && n > 0 && (part > 0 || (n >= 2 && n <= 3));
}

static int
valid_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET6, s, buf) == 1 ||
	    inet_pton(AF_INET, s, buf) == 1;
}

/* "scheme:..." with a scheme as RFC 3986 spells it. */
static int
has_scheme(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i] != '\0' && s[i] != ':'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
		    s[i] == '-' || s[i] == '.'))
			return 0;
	return s[i] == ':';
}

/* A path below the root: relative and never climbing. */
static int
valid_subdir(const char *s)
{
	const char *seg;

	if (*s == '/')
		return 0;
	for (seg = s; seg != NULL; seg = strchr(seg, '/'), seg = seg ?
	    seg + 1 : NULL)
		if (strncmp(seg, "..", 2) == 0 &&
		    (seg[2] == '/' || seg[2] == '\0'))
			return 0;
	return 1;
}

static int
seen_cmp(const void *a, const void *b)
{
	const struct seen	*x = a, *y = b;
	int			 r;

	if ((r = strcmp(x->s, y->s)) != 0)
		return r;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Report every repeated string after its first use. */
static void
report_dups(struct pctx *p, struct seen *v, size_t n, const char *what)
{
	char	sb[64];
	size_t	i, first = 0;

	if (n < 2)
		return;
	qsort(v, n, sizeof(*v), seen_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i].s, v[first].s) != 0) {
			first = i;
			continue;
		}
		conf_report(&p->r, v[i].line,
		    "duplicate %s '%s' (first at line %lu)", what,
		    conf_show(v[i].s, sb), v[first].line);
	}
}

static void
add_name(struct pctx *p, const char *s, const yaml_node_t *n)
{
	struct seen *v;

	v = reallocarray(p->names, p->nnames + 1, sizeof(*v));
	if (v == NULL) {
		oom(p, n);
		return;
	}
	p->names = v;
	v[p->nnames].s = s;
	v[p->nnames++].line = LINE(n);
}

/*------------------------------------------------------------ mappings */

struct keytab {
	const char	*name;
	int		 idx;
};

static int
is_map(struct pctx *p, yaml_node_t *n, const char *what)
{
	if (n->type == YAML_MAPPING_NODE)
		return 1;
	perr(p, n, "%s: expected a mapping of settings", what);
	return 0;
}

/* The index of a mapping key in tab, or -1 after reporting an unknown
 * or repeated key. */
static int
map_key(struct pctx *p, yaml_node_t *k, const struct keytab *tab,
    uint64_t *seen, const char *where)
{
	const char	*s;
	char		 sb[64];
	size_t		 i;

	if (k == NULL || !spend(p, k))
		return -1;
	if (k->type != YAML_SCALAR_NODE) {
		perr(p, k, "%s: a key must be a name", where);
		return -1;
	}
	s = (const char *)k->data.scalar.value;
	for (i = 0; tab[i].name != NULL; i++)
		if (strcmp(tab[i].name, s) == 0)
			break;
	if (tab[i].name == NULL) {
		perr(p, k, "unknown key '%s' in %s", conf_show(s, sb), where);
		return -1;
	}
	if (*seen & (UINT64_C(1) << tab[i].idx)) {
		perr(p, k, "duplicate key '%s' in %s", s, where);
		return -1;
	}
	*seen |= UINT64_C(1) << tab[i].idx;
	return tab[i].idx;
}

#define FOREACH_PAIR(p, n, pair, k, v)					\
	for ((pair) = (n)->data.mapping.pairs.start;			\
	    (pair) < (n)->data.mapping.pairs.top &&			\
	    ((k) = node((p), (pair)->key), (v) = node((p),		\
	    (pair)->value), 1); (pair)++)

/* The length of a list setting, or -1 (reported); a single value
 * counts as a list of one when single is set. */
static int
list_len(struct pctx *p, yaml_node_t *n, const char *what, int single,
    size_t max, size_t *count)
{
	if (n->type == YAML_SEQUENCE_NODE) {
		*count = (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
		if (*count > max) {
			perr(p, n, "%s: too many entries (at most %zu)", what,
			    max);
			return -1;
		}
		return 0;
	}
	if (single && n->type == YAML_SCALAR_NODE) {
		*count = 1;
		return 0;
	}
	perr(p, n, "%s: expected a list", what);
	return -1;
}

/* Item i of a list setting, counted against the node budget. */
static yaml_node_t *
list_item(struct pctx *p, yaml_node_t *n, size_t i)
{
	yaml_node_t *it = n;

	if (n->type == YAML_SEQUENCE_NODE)
		it = node(p, n->data.sequence.items.start[i]);
	if (it == NULL || !spend(p, it))
		return NULL;
	return it;
}

/*------------------------------------------------------------ sections */

enum { LG_FORMAT, LG_DEST };
static const struct keytab log_keys[] = {
	{ "format", LG_FORMAT },
	{ "destination", LG_DEST },
	{ NULL, 0 }
};

static void
parse_log(struct pctx *p, yaml_node_t *n)
{
	struct conf		*c = p->c;
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v;
	uint64_t		 seen = 0;
	char			*s, sb[64];

	if (!is_map(p, n, "log"))
		return;
	FOREACH_PAIR(p, n, pair, k, v) {
		switch (map_key(p, k, log_keys, &seen, "log")) {
		case LG_FORMAT:
			if (get_str(p, v, "log format", 0, &s) == -1)
				break;
			if (strcmp(s, "text") == 0)
				c->log_format = CONF_LOG_TEXT;
			else if (strcmp(s, "off") == 0)
				c->log_format = CONF_LOG_OFF;
			else
				perr(p, v, "log format: '%s' is not text or "
				    "off", conf_show(s, sb));
			break;
		case LG_DEST:
			if (get_str(p, v, "log destination", 0, &s) == -1)
				break;
			if (strcmp(s, "stderr") == 0)
				c->log_dest = CONF_LOG_STDERR;
			else if (strcmp(s, "syslog") == 0)
				c->log_dest = CONF_LOG_SYSLOG;
			else {
				c->log_dest = CONF_LOG_FILE;
				c->log_file = s;
			}
			break;
		}
	}
}

enum { LM_CONNS, LM_PER_IP, LM_RATE, LM_BURST, LM_LOOPBACK, LM_TIMEOUT,
    LM_MIN_RATE, LM_RATE_WINDOW, LM_BUSY_TIMEOUT };
static const struct keytab limits_keys[] = {
	{ "max_conns", LM_CONNS },
	{ "max_conns_per_ip", LM_PER_IP },
	{ "rate", LM_RATE },
	{ "burst", LM_BURST },
	{ "loopback", LM_LOOPBACK },
	{ "request_timeout", LM_TIMEOUT },
	{ "response_min_rate", LM_MIN_RATE },
	{ "rate_window", LM_RATE_WINDOW },
	{ "busy_timeout", LM_BUSY_TIMEOUT },
	{ NULL, 0 }
};

static void
parse_limits(struct pctx *p, yaml_node_t *n)
{
	struct conf		*c = p->c;
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v;
	uint64_t		 seen = 0;

	if (!is_map(p, n, "limits"))
		return;
	FOREACH_PAIR(p, n, pair, k, v) {
		switch (map_key(p, k, limits_keys, &seen, "limits")) {
		case LM_CONNS:
			GET_NUM(p, v, "max_conns", 1, 1000000, c->max_conns);
			break;
		case LM_PER_IP:
			GET_NUM(p, v, "max_conns_per_ip", 0, 1000000,
			    c->max_conns_per_ip);
			break;
		case LM_RATE:
			GET_NUM(p, v, "rate", 0, 1000000, c->rate);
			break;
		case LM_BURST:
			GET_NUM(p, v, "burst", 1, 1000000, c->burst);
			break;
		case LM_LOOPBACK:
			get_bool(p, v, "loopback", &c->limit_loopback);
			break;
		case LM_TIMEOUT:
			get_duration(p, v, "request_timeout", &c->timeout_ms);
			break;
		case LM_MIN_RATE:
			GET_NUM(p, v, "response_min_rate", 1, 1000000000,
			    c->response_min_rate);
			break;
		case LM_RATE_WINDOW:
			get_duration(p, v, "rate_window", &c->rate_window_ms);
			break;
		case LM_BUSY_TIMEOUT:
			get_duration(p, v, "busy_timeout",
			    &c->busy_timeout_ms);
			break;
		}
	}
}

enum { LS_ADDRESS, LS_GEMINI_PORT, LS_GOPHER_PORT, LS_PROXY,
    LS_GOPHER_HOST };
static const struct keytab listen_keys[] = {
	{ "address", LS_ADDRESS },
	{ "gemini_port", LS_GEMINI_PORT },
	{ "gopher_port", LS_GOPHER_PORT },
	{ "proxy", LS_PROXY },
	{ "gopher_host", LS_GOPHER_HOST },
	{ NULL, 0 }
};

static void
get_address(struct pctx *p, yaml_node_t *n, char **addr)
{
	char *s, sb[64];

	if (get_str(p, n, "listen address", 0, &s) == -1)
		return;
	if (!valid_address(s))
		perr(p, n, "listen: '%s' is not an IPv4 or IPv6 address",
		    conf_show(s, sb));
	else
		*addr = s;
}

static void
parse_listen_entry(struct pctx *p, yaml_node_t *n, char **addr,
    struct listen_opt *o)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v;
	uint64_t		 seen = 0;
	char			*s;

	*addr = NULL;
	memset(o, 0, sizeof(*o));
	o->gemini_port = o->gopher_port = o->proxy = -1;
	o->line = LINE(n);
	if (n->type == YAML_SCALAR_NODE) {
		get_address(p, n, addr);
		return;
	}
	if (!is_map(p, n, "listen entry"))
		return;
	FOREACH_PAIR(p, n, pair, k, v) {
		switch (map_key(p, k, listen_keys, &seen, "a listen entry")) {
		case LS_ADDRESS:
			get_address(p, v, addr);
			break;
		case LS_GEMINI_PORT:
			GET_NUM(p, v, "gemini_port", 0, 65535, o->gemini_port);
			break;
		case LS_GOPHER_PORT:
			GET_NUM(p, v, "gopher_port", 0, 65535, o->gopher_port);
			break;
		case LS_PROXY:
			get_bool(p, v, "proxy", &o->proxy);
			break;
		case LS_GOPHER_HOST:
			if (get_str(p, v, "gopher_host", 0, &s) == 0) {
				lower(s);
				o->gopher_host = s;
			}
			break;
		}
	}
	if (!(seen & (UINT64_C(1) << LS_ADDRESS)))
		perr(p, n, "listen entry without an address");
}

/* Entry j repeats an earlier one: binding it twice would fail, or with
 * SO_REUSEPORT silently split its connections. */
static int
listen_dup(struct pctx *p, yaml_node_t *it, char **addr,
    struct listen_opt *opt, size_t j)
{
	char	sb[64];
	size_t	i;

	for (i = 0; i < j; i++)
		if (strcmp(addr[i], addr[j]) == 0 &&
		    opt[i].gemini_port == opt[j].gemini_port &&
		    opt[i].gopher_port == opt[j].gopher_port) {
			perr(p, it, "duplicate listen address '%s' (first at "
			    "line %lu)", conf_show(addr[j], sb), opt[i].line);
			return 1;
		}
	return 0;
}

static void
parse_listen(struct pctx *p, yaml_node_t *n)
{
	struct conf		*c = p->c;
	yaml_node_t		*it;
	struct listen_opt	*opt;
	char			**addr;
	size_t			 count, i, j;

	if (list_len(p, n, "listen", 1, MAX_LISTEN, &count) == -1)
		return;
	addr = calloc(count ? count : 1, sizeof(*addr));
	opt = calloc(count ? count : 1, sizeof(*opt));
	if (addr == NULL || opt == NULL) {
		free(addr);
		free(opt);
		oom(p, n);
		return;
	}
	for (i = j = 0; i < count; i++) {
		if ((it = list_item(p, n, i)) == NULL)
			break;
		parse_listen_entry(p, it, &addr[j], &opt[j]);
		if (addr[j] != NULL && !listen_dup(p, it, addr, opt, j))
			j++;
	}
	conf_listen_clear(c);
	c->listen = addr;
	c->listen_opt = opt;
	c->nlisten = j;
}

enum { RD_FROM, RD_TO, RD_CODE, RD_GONE };
static const struct keytab redirect_keys[] = {
	{ "from", RD_FROM },
	{ "to", RD_TO },
	{ "code", RD_CODE },
	{ "gone", RD_GONE },
	{ NULL, 0 }
};

static void
parse_redirect(struct pctx *p, yaml_node_t *n, struct redirect *r)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v, *codenode = NULL;
	uint64_t		 seen = 0;
	const char		*s;
	char			*str, sb[64];
	int			 gone = 0, code = 0;

	memset(r, 0, sizeof(*r));
	if (!is_map(p, n, "redirect"))
		return;
	FOREACH_PAIR(p, n, pair, k, v) {
		switch (map_key(p, k, redirect_keys, &seen, "a redirect")) {
		case RD_FROM:
			if (get_str(p, v, "from", 0, &str) == -1)
				break;
			if (*str != '/')
				perr(p, v, "from: '%s' must be a path starting "
				    "with '/'", conf_show(str, sb));
			else
				r->from = str;
			break;
		case RD_TO:
			if (get_str(p, v, "to", 0, &str) == -1)
				break;
			if (*str != '/' && !has_scheme(str))
				perr(p, v, "to: '%s' must be a path starting "
				    "with '/' or an absolute URL",
				    conf_show(str, sb));
			else if (strchr(str, ' ') != NULL)
				perr(p, v, "to: spaces must be written %%20");
			else if (strlen(str) > META_MAX)
				perr(p, v, "to: longer than %d bytes",
				    META_MAX);
			else
				r->to = str;
			break;
		case RD_CODE:
			codenode = v;
			if ((s = scalar(p, v, "code")) == NULL)
				break;
			if (strcmp(s, "30") == 0 ||
			    strcmp(s, "temporary") == 0)
				code = 30;
			else if (strcmp(s, "31") == 0 ||
			    strcmp(s, "permanent") == 0)
				code = 31;
			else if (strcmp(s, "52") == 0 ||
			    strcmp(s, "gone") == 0)
				code = 52;
			else
				perr(p, v, "code: '%s' is not 30 (temporary), "
				    "31 (permanent) or 52 (gone)",
				    conf_show(s, sb));
			break;
		case RD_GONE:
			get_bool(p, v, "gone", &gone);
			break;
		}
	}
	if (!(seen & (UINT64_C(1) << RD_FROM)))
		perr(p, n, "redirect without a 'from' path");
	if (gone && code != 0 && code != 52)
		perr(p, codenode, "redirect: 'gone' and code %d disagree",
		    code);
	if (gone)
		code = 52;
	if (code == 0)
		code = 31;
	r->code = code;
	if (code == 52 && (seen & (UINT64_C(1) << RD_TO)))
		perr(p, n, "redirect: a gone (52) path has no 'to'");
	else if (code != 52 && !(seen & (UINT64_C(1) << RD_TO)))
		perr(p, n, "redirect without a 'to' target");
	if (code == 52)
		r->to = NULL;
}

enum { ZN_PATH, ZN_FPS };
static const struct keytab zone_keys[] = {
	{ "path", ZN_PATH },
	{ "fingerprints", ZN_FPS },
	{ NULL, 0 }
};

static void
parse_zone(struct pctx *p, yaml_node_t *n, struct cert_zone *z)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v, *it;
	uint64_t		 seen = 0;
	char			*str, sb[64];
	size_t			 count, i;

	memset(z, 0, sizeof(*z));
	if (!is_map(p, n, "client certificate zone"))
		return;
	FOREACH_PAIR(p, n, pair, k, v) {
		switch (map_key(p, k, zone_keys, &seen,
		    "a client certificate zone")) {
		case ZN_PATH:
			if (get_str(p, v, "path", 0, &str) == -1)
				break;
			if (*str != '/')
				perr(p, v, "path: '%s' must start with '/'",
				    conf_show(str, sb));
			else
				z->path = str;
			break;
		case ZN_FPS:
			if (list_len(p, v, "fingerprints", 1,
			    MAX_FPS, &count) == -1)
				break;
			free(z->fps);
			z->nfps = 0;
			if ((z->fps = calloc(count ? count : 1,
			    sizeof(*z->fps))) == NULL) {
				oom(p, v);
				break;
			}
			for (i = 0; i < count; i++) {
				if ((it = list_item(p, v, i)) == NULL)
					break;
				if (get_str(p, it, "fingerprint", 0,
				    &str) == -1)
					continue;
				if (conf_fingerprint(str,
				    z->fps[z->nfps]) == -1)
					perr(p, it, "fingerprint: '%s' is not "
					    "a SHA-256 fingerprint (64 hex "
					    "digits)", conf_show(str, sb));
				else
					z->nfps++;
			}
			break;
		}
	}
	if (!(seen & (UINT64_C(1) << ZN_PATH)))
		perr(p, n, "client certificate zone without a path");
}

enum { H_HOSTNAME, H_ALIASES, H_ROOT, H_CERTS, H_CERT, H_KEY, H_TITLE,
    H_AUTHOR, H_DESCRIPTION, H_FAVICON, H_POSTS, H_SITE_URL, H_LANG,
    H_REDIRECTS, H_ZONES };
static const struct keytab host_keys[] = {
	{ "hostname", H_HOSTNAME },
	{ "aliases", H_ALIASES },
	{ "root", H_ROOT },
	{ "certs", H_CERTS },
	{ "cert", H_CERT },
	{ "key", H_KEY },
	{ "title", H_TITLE },
	{ "author", H_AUTHOR },
	{ "description", H_DESCRIPTION },
	{ "favicon", H_FAVICON },
	{ "posts", H_POSTS },
	{ "site_url", H_SITE_URL },
	{ "lang", H_LANG },
	{ "redirects", H_REDIRECTS },
	{ "client_cert_zones", H_ZONES },
	{ "require_cert", H_ZONES },
	{ NULL, 0 }
};

static int
get_hostname(struct pctx *p, yaml_node_t *n, const char *what, char **dst)
{
	char sb[64];

	if (get_str(p, n, what, 0, dst) == -1)
		return -1;
	if (!valid_hostname(*dst)) {
		perr(p, n, "%s: '%s' is not a valid host name", what,
		    conf_show(*dst, sb));
		return -1;
	}
	lower(*dst);
	add_name(p, *dst, n);
	return 0;
}

static void
parse_aliases(struct pctx *p, yaml_node_t *n, struct host *h)
{
	yaml_node_t		*it;
	size_t			 count, i;
	char			*s;

	if (list_len(p, n, "aliases", 1, MAX_ALIASES,
	    &count) == -1)
		return;
	if ((h->aliases = calloc(count ? count : 1,
	    sizeof(*h->aliases))) == NULL) {
		oom(p, n);
		return;
	}
	for (i = 0; i < count; i++) {
		if ((it = list_item(p, n, i)) == NULL)
			break;
		if (get_hostname(p, it, "alias", &s) == 0)
			h->aliases[h->naliases++] = s;
	}
}

/*
 * A host's list of entries named by a key (redirects by from, zones by
 * path).  one parses an item into a slot and returns its key, or NULL
 * to drop it (the slot is reused, one left it with nothing to free);
 * repeated keys are reported as dupwhat.  Returns the array of size-byte
 * slots with *nused set, or NULL (reported).
 */
static void *
parse_keyed(struct pctx *p, yaml_node_t *n, const char *what, size_t max,
    size_t size, const char *dupwhat, size_t *nused,
    const char *(*one)(struct pctx *, yaml_node_t *, void *))
{
	yaml_node_t	*it;
	struct seen	*keys;
	const char	*key;
	char		*v;
	size_t		 count, i;

	*nused = 0;
	if (list_len(p, n, what, 0, max, &count) == -1)
		return NULL;
	v = calloc(count ? count : 1, size);
	keys = calloc(count ? count : 1, sizeof(*keys));
	if (v == NULL || keys == NULL) {
		free(v);
		free(keys);
		oom(p, n);
		return NULL;
	}
	for (i = 0; i < count; i++) {
		if ((it = list_item(p, n, i)) == NULL)
			break;
		if ((key = one(p, it, v + *nused * size)) == NULL)
			continue;
		keys[*nused].s = key;
		keys[(*nused)++].line = LINE(it);
	}
	report_dups(p, keys, *nused, dupwhat);
	free(keys);
	return v;
}

static const char *
redirect_entry(struct pctx *p, yaml_node_t *n, void *slot)
{
	struct redirect *r = slot;

	parse_redirect(p, n, r);
	if (r->from == NULL || (r->to == NULL && r->code != 52))
		return NULL;
	return r->from;
}

static const char *
zone_entry(struct pctx *p, yaml_node_t *n, void *slot)
{
	struct cert_zone *z = slot;

	parse_zone(p, n, z);
	if (z->path == NULL) {
		free(z->fps);
		memset(z, 0, sizeof(*z));
	}
	return z->path;
}

static void
parse_host(struct pctx *p, yaml_node_t *n, struct host *h)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v;
	uint64_t		 seen = 0;
	char			*s, sb[64];

	h->line = LINE(n);
	if (!is_map(p, n, "host"))
		return;
	FOREACH_PAIR(p, n, pair, k, v) {
		switch (map_key(p, k, host_keys, &seen, "a host")) {
		case H_HOSTNAME:
			if (get_hostname(p, v, "hostname", &s) == 0)
				h->name = s;
			break;
		case H_ALIASES:
			parse_aliases(p, v, h);
			break;
		case H_ROOT:
			GET_STR(p, v, "root", 0, h->root);
			break;
		case H_CERTS:
			GET_STR(p, v, "certs", 0, h->certs);
			break;
		case H_CERT:
			GET_STR(p, v, "cert", 0, h->cert_file);
			break;
		case H_KEY:
			GET_STR(p, v, "key", 0, h->key_file);
			break;
		case H_TITLE:
			GET_STR(p, v, "title", STR_TEXT, h->title);
			break;
		case H_AUTHOR:
			GET_STR(p, v, "author", STR_TEXT | STR_OPTIONAL,
			    h->author);
			break;
		case H_DESCRIPTION:
			GET_STR(p, v, "description", STR_TEXT | STR_OPTIONAL,
			    h->description);
			break;
		case H_FAVICON:
			if (get_str(p, v, "favicon", STR_OPTIONAL, &s) == -1)
				break;
			if (s != NULL && (strlen(s) > 64 ||
			    strchr(s, ' ') != NULL))
				perr(p, v, "favicon: one short symbol (an "
				    "emoji), at most 64 bytes, no spaces");
			else
				h->favicon = s;
			break;
		case H_POSTS:
			if (get_str(p, v, "posts", STR_OPTIONAL, &s) == -1)
				break;
			if (s != NULL && !valid_subdir(s))
				perr(p, v, "posts: '%s' must be a directory "
				    "inside the root", conf_show(s, sb));
			else
				h->posts = s;
			break;
		case H_SITE_URL:
			if (get_str(p, v, "site_url", STR_OPTIONAL, &s) == -1)
				break;
			if (s != NULL && (!has_scheme(s) ||
			    strstr(s, "://") == NULL || strchr(s, ' ')))
				perr(p, v, "site_url: '%s' is not an absolute "
				    "URL", conf_show(s, sb));
			else
				h->site_url = s;
			break;
		case H_LANG:
			if (get_str(p, v, "lang", STR_OPTIONAL, &s) == -1)
				break;
			if (s != NULL && !valid_lang(s))
				perr(p, v, "lang: '%s' is not a language tag "
				    "such as en or pt-BR", conf_show(s, sb));
			else
				h->lang = s;
			break;
		case H_REDIRECTS:
			h->redirects = parse_keyed(p, v, "redirects",
			    MAX_REDIRECTS, sizeof(*h->redirects),
			    "redirect from", &h->nredirects, redirect_entry);
			break;
		case H_ZONES:
			h->zones = parse_keyed(p, v, "client_cert_zones",
			    MAX_ZONES, sizeof(*h->zones),
			    "client certificate zone", &h->nzones, zone_entry);
			break;
		}
	}
	if (!(seen & (UINT64_C(1) << H_HOSTNAME)))
		perr(p, n, "host without a hostname");
	if (!(seen & (UINT64_C(1) << H_ROOT)))
		perr(p, n, "host%s%s%s has no root", h->name ? " '" : "",
		    h->name ? conf_show(h->name, sb) : "", h->name ? "'" : "");
	if (!(seen & (UINT64_C(1) << H_CERT)) !=
	    !(seen & (UINT64_C(1) << H_KEY)))
		perr(p, n, "host: cert and key go together");
}

static void
parse_hosts(struct pctx *p, yaml_node_t *n)
{
	struct conf		*c = p->c;
	yaml_node_t		*it;
	struct host		*v;
	size_t			 count, i;

	if (list_len(p, n, "hosts", 0, MAX_HOSTS,
	    &count) == -1)
		return;
	if (count == 0) {
		perr(p, n, "hosts: the list is empty");
		return;
	}
	if ((v = calloc(count, sizeof(*v))) == NULL) {
		oom(p, n);
		return;
	}
	for (i = 0; i < count; i++)
		conf_host_defaults(&v[i]);
	conf_hosts_free(c->hosts, c->nhosts);
	c->hosts = v;
	c->nhosts = count;
	for (i = 0; i < count; i++) {
		if ((it = list_item(p, n, i)) == NULL)
			break;
		parse_host(p, it, &v[i]);
	}
}

enum { G_LISTEN, G_GEMINI_PORT, G_GOPHER_PORT, G_USER, G_CHROOT,
    G_ALLOW_ROOT, G_WORKERS, G_LOG, G_LIMITS, G_DEFAULT_LANG,
    G_GOPHER_WIDTH, G_GOPHER_TLS, G_PROXY, G_CACHE_DIR, G_HOSTS };
static const struct keytab global_keys[] = {
	{ "listen", G_LISTEN },
	{ "gemini_port", G_GEMINI_PORT },
	{ "gopher_port", G_GOPHER_PORT },
	{ "user", G_USER },
	{ "chroot", G_CHROOT },
	{ "allow_root", G_ALLOW_ROOT },
	{ "workers", G_WORKERS },
	{ "log", G_LOG },
	{ "limits", G_LIMITS },
	{ "default_lang", G_DEFAULT_LANG },
	{ "gopher_width", G_GOPHER_WIDTH },
	{ "gopher_tls", G_GOPHER_TLS },
	{ "proxy_protocol", G_PROXY },
	{ "cache_dir", G_CACHE_DIR },
	{ "hosts", G_HOSTS },
	{ NULL, 0 }
};

static void
parse_root(struct pctx *p, yaml_node_t *n)
{
	struct conf		*c = p->c;
	yaml_node_pair_t	*pair;
	yaml_node_t		*k, *v;
	uint64_t		 seen = 0;
	char			*s, sb[64];

	if (!spend(p, n) || is_null(n))
		return;		/* "---" alone: nothing set */
	if (n->type != YAML_MAPPING_NODE) {
		perr(p, n, "expected a mapping of settings at the top level");
		return;
	}
	FOREACH_PAIR(p, n, pair, k, v) {
		switch (map_key(p, k, global_keys, &seen, "the configuration")) {
		case G_LISTEN:
			parse_listen(p, v);
			break;
		case G_GEMINI_PORT:
			GET_NUM(p, v, "gemini_port", 0, 65535, c->gemini_port);
			break;
		case G_GOPHER_PORT:
			GET_NUM(p, v, "gopher_port", 0, 65535, c->gopher_port);
			break;
		case G_USER:
			GET_STR(p, v, "user", 0, c->user);
			break;
		case G_CHROOT:
			if (get_str(p, v, "chroot", STR_OPTIONAL, &s) == -1)
				break;
			if (s != NULL && *s != '/')
				perr(p, v, "chroot: '%s' must be an absolute "
				    "path", conf_show(s, sb));
			else
				c->chroot = s;
			break;
		case G_CACHE_DIR:
			GET_STR(p, v, "cache_dir", 0, c->cache_dir);
			break;
		case G_ALLOW_ROOT:
			get_bool(p, v, "allow_root", &c->allow_root);
			break;
		case G_WORKERS:
			GET_NUM(p, v, "workers", 0, 256, c->workers);
			break;
		case G_LOG:
			parse_log(p, v);
			break;
		case G_LIMITS:
			parse_limits(p, v);
			break;
		case G_DEFAULT_LANG:
			if (get_str(p, v, "default_lang", 0, &s) == -1)
				break;
			if (!valid_lang(s))
				perr(p, v, "default_lang: '%s' is not a "
				    "language tag such as en or pt-BR",
				    conf_show(s, sb));
			else
				c->default_lang = s;
			break;
		case G_GOPHER_WIDTH:
			GET_NUM(p, v, "gopher_width", 20, 1000,
			    c->gopher_width);
			break;
		case G_GOPHER_TLS:
			get_bool(p, v, "gopher_tls", &c->gopher_tls);
			break;
		case G_PROXY:
			get_bool(p, v, "proxy_protocol", &c->proxy_protocol);
			break;
		case G_HOSTS:
			parse_hosts(p, v);
			break;
		}
	}
}

/* Checks across sections, once everything is read. */
static void
parse_finish(struct pctx *p)
{
	struct conf	*c = p->c;
	char		 sb[64];
	size_t		 i;

	report_dups(p, p->names, p->nnames, "host name");
	for (i = 0; i < c->nlisten; i++) {
		const char *gh = c->listen_opt[i].gopher_host;

		if (gh != NULL && conf_find_host(c, gh) == NULL)
			conf_report(&p->r, c->listen_opt[i].line,
			    "gopher_host '%s' is not one of the hosts",
			    conf_show(gh, sb));
	}
}

/* A message's line; those without one (the last word of a flood) go
 * last. */
static unsigned long
msg_line(const char *msg, size_t namelen)
{
	if (strlen(msg) <= namelen || msg[namelen] != ':' ||
	    msg[namelen + 1] < '0' || msg[namelen + 1] > '9')
		return ULONG_MAX;
	return strtoul(msg + namelen + 1, NULL, 10);
}

/* Checks at the end of a section report after the section's contents:
 * put messages back in file order (stable, and there are at most
 * CONF_ERRORS_MAX + 1 of them). */
static void
sort_errors(struct conf_errors *e, size_t from, const char *name)
{
	size_t	 i, j, n = strlen(name);
	char	*m;

	for (i = from + 1; i < e->n; i++) {
		m = e->msgs[i];
		for (j = i; j > from && msg_line(e->msgs[j - 1], n) >
		    msg_line(m, n); j--)
			e->msgs[j] = e->msgs[j - 1];
		e->msgs[j] = m;
	}
}

static void
yaml_error(struct pctx *p, const yaml_parser_t *ps)
{
	unsigned long line = (unsigned long)ps->problem_mark.line + 1;

	if (ps->error == YAML_MEMORY_ERROR)
		conf_report(&p->r, 0, "out of memory");
	else if (ps->error == YAML_READER_ERROR)
		conf_report(&p->r, 0, "not valid UTF-8 text (byte %zu)",
		    ps->problem_offset);
	else if (ps->context != NULL)
		conf_report(&p->r, line, "YAML syntax: %s %s", ps->problem ?
		    ps->problem : "error", ps->context);
	else
		conf_report(&p->r, line, "YAML syntax: %s", ps->problem ?
		    ps->problem : "error");
}

int
conf_parse(struct conf *c, const char *name, const char *text, size_t len,
    struct conf_errors *errs)
{
	struct pctx	 p;
	yaml_parser_t	 ps;
	yaml_document_t	 doc, doc2;
	yaml_node_t	*root;
	size_t		 first = errs->n;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.r.name = name;
	p.r.errs = errs;
	p.doc = &doc;
	if ((c->file = conf_strndup(c, name, strlen(name))) == NULL) {
		conf_report(&p.r, 0, "out of memory");
		return -1;
	}
	if (len > CONF_FILE_MAX) {
		conf_report(&p.r, 0, "larger than %d bytes", CONF_FILE_MAX);
		return -1;
	}
	if (!yaml_parser_initialize(&ps)) {
		conf_report(&p.r, 0, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
	if (!yaml_parser_load(&ps, &doc)) {
		yaml_error(&p, &ps);
		yaml_parser_delete(&ps);
		return -1;
	}
	if ((root = yaml_document_get_root_node(&doc)) != NULL) {
		/* Every node twice over is plenty for honest aliases. */
		p.budget = 2 * (size_t)(doc.nodes.top - doc.nodes.start) + 64;
		parse_root(&p, root);
		parse_finish(&p);
	}
	/* A second document would be silently ignored otherwise. */
	if (!yaml_parser_load(&ps, &doc2))
		yaml_error(&p, &ps);
	else {
		if (yaml_document_get_root_node(&doc2) != NULL)
			conf_report(&p.r,
			    (unsigned long)doc2.start_mark.line + 1,
			    "only one YAML document is allowed");
		yaml_document_delete(&doc2);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&ps);
	free(p.names);
	sort_errors(errs, first, name);
	return p.r.nerr > 0 ? -1 : 0;
}

int
conf_load(struct conf *c, const char *path, struct conf_errors *errs)
{
	struct conf_report	 rep = { .name = path, .errs = errs };
	FILE			*fp;
	char			*text;
	size_t			 len;
	int			 r, e;

	if ((fp = fopen(path, "rb")) == NULL) {
		conf_report(&rep, 0, "%s", strerror(errno));
		return -1;
	}
	if ((text = malloc(CONF_FILE_MAX + 1)) == NULL) {
		fclose(fp);
		conf_report(&rep, 0, "out of memory");
		return -1;
	}
	len = fread(text, 1, CONF_FILE_MAX + 1, fp);
	e = ferror(fp) ? errno : 0;
	fclose(fp);
	if (e != 0) {
		free(text);
		conf_report(&rep, 0, "%s", strerror(e));
		return -1;
	}
	r = conf_parse(c, path, text, len, errs);
	free(text);
	return r;
}

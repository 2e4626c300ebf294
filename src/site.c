/*
 * site: the generator and its config of the web site a capsule root is
 * the source of (see site.h); siteurl.c holds the URL scheme read from
 * it.  Loading reads a few small files and runs one `git log`.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yaml.h>

#include "buf.h"
#include "entity.h"
#include "frontmatter.h"
#include "json.h"
#include "markdown.h"
#include "mime.h"
#include "site.h"
#include "siteint.h"
#include "toml.h"

extern char **environ;

#define SITE_FILE_MAX		(1024 * 1024)	/* a config file */
#define SITE_INCLUDE_MAX	(64 * 1024)	/* one include */
#define SITE_INCLUDES_MAX	256
#define SITE_VARS_MAX		4096
#define SITE_GIT_MAX		(64 * 1024 * 1024)	/* git log output */
#define SITE_YAML_DEPTH		16

/*------------------------------------------------------------ helpers */

static int
exists(const char *root, const char *rel, int dir)
{
	char		path[PATH_MAX];
	struct stat	st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >=
	    sizeof(path) || stat(path, &st) == -1)
		return 0;
	return dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
}

/* A small file under root into b (NUL-terminated). 0 or -1. */
static int
slurp(const char *root, const char *rel, size_t max, struct buf *b)
{
	char	 path[PATH_MAX], tmp[8192];
	ssize_t	 n;
	int	 fd, r = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >=
	    sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	buf_init(b, max);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		if (buf_append(b, tmp, (size_t)n) == -1) {
			r = -1;
			break;
		}
	if (n == -1 || buf_putc(b, '\0') == -1)
		r = -1;
	close(fd);
	if (r == -1)
		buf_free(b);
	else
		b->len--;
	return r;
}

/*------------------------------------------------------------ values */

static void
kv_add(struct site_kv **v, size_t *n, const char *k, size_t kn,
    const char *val, size_t vn)
{
	struct site_kv	*nv;
	size_t		 i;

	for (i = 0; i < *n; i++)
		if (strlen((*v)[i].key) == kn &&
		    strncmp((*v)[i].key, k, kn) == 0) {
			char *s = strndup(val, vn);

			if (s != NULL) {
				free((*v)[i].val);
				(*v)[i].val = s;
			}
			return;
		}
	if (*n >= SITE_VARS_MAX || (*n & (*n - 1)) == 0) {
		if (*n >= SITE_VARS_MAX || (nv = reallocarray(*v,
		    *n ? *n * 2 : 16, sizeof(**v))) == NULL)
			return;
		*v = nv;
	}
	if (((*v)[*n].key = strndup(k, kn)) == NULL)
		return;
	if (((*v)[*n].val = strndup(val, vn)) == NULL) {
		free((*v)[*n].key);
		return;
	}
	(*n)++;
}

static void
kv_free(struct site_kv *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].val);
	}
	free(v);
}

/* Values read under prefix ("params." for config/_default/params.toml). */
struct reader {
	struct site	*s;
	const char	*prefix;
	unsigned	 item;	/* array items seen for the current key */
	char		 last[256];
};

static void
reader_value(void *arg, const char *key, size_t keylen, int item,
    const char *val, size_t vallen, unsigned long line)
{
	struct reader	*r = arg;
	char		 k[512];
	int		 n;

	(void)line;
	if (val == NULL)
		return;
	if (item) {
		/* Lists: "key.0", "key.1"; the first item also as "key". */
		if (strlen(r->last) != keylen ||
		    strncmp(r->last, key, keylen) != 0) {
			snprintf(r->last, sizeof(r->last), "%.*s",
			    (int)keylen, key);
			r->item = 0;
		}
		n = snprintf(k, sizeof(k), "%s%.*s.%u", r->prefix,
		    (int)keylen, key, r->item);
		if (n > 0 && (size_t)n < sizeof(k))
			kv_add(&r->s->vars, &r->s->nvars, k, (size_t)n, val,
			    vallen);
		if (r->item++ > 0)
			return;
	}
	n = snprintf(k, sizeof(k), "%s%.*s", r->prefix, (int)keylen, key);
	if (n > 0 && (size_t)n < sizeof(k))
		kv_add(&r->s->vars, &r->s->nvars, k, (size_t)n, val, vallen);
}

/* YAML config: every scalar under its dotted path of mapping keys. */
static int
read_yaml(struct reader *r, const char *s, size_t n)
{
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	char		*keys[SITE_YAML_DEPTH];
	int		 iskey[SITE_YAML_DEPTH], inseq[SITE_YAML_DEPTH];
	unsigned	 items[SITE_YAML_DEPTH];	/* nodes seen in a
							   sequence */
	int		 depth = -1, done = 0, rc = 0, i;
	struct buf	 k;

	if (!yaml_parser_initialize(&p))
		return -1;
	yaml_parser_set_input_string(&p, (const unsigned char *)s, n);
	buf_init(&k, 4096);
	memset(keys, 0, sizeof(keys));
	memset(items, 0, sizeof(items));
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth >= 0 && depth < SITE_YAML_DEPTH) {
				if (!inseq[depth])
					iskey[depth] = 1;
				else
					items[depth]++;
			}
			depth++;
			if (depth < SITE_YAML_DEPTH) {
				free(keys[depth]);
				keys[depth] = NULL;
				iskey[depth] = 1;
				items[depth] = 0;
				inseq[depth] = ev.type ==
				    YAML_SEQUENCE_START_EVENT;
			}
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (depth >= 0 && depth < SITE_YAML_DEPTH) {
				free(keys[depth]);
				keys[depth] = NULL;
			}
			depth--;
			break;
		case YAML_SCALAR_EVENT:
			if (depth < 0 || depth >= SITE_YAML_DEPTH)
				break;
			if (!inseq[depth] && iskey[depth]) {
				free(keys[depth]);
				keys[depth] = strndup(
				    (const char *)ev.data.scalar.value,
				    ev.data.scalar.length);
				iskey[depth] = 0;
				break;
			}
			iskey[depth] = 1;
			if (inseq[depth])
				items[depth]++;
			buf_reset(&k);
			/* A mapping inside a list is item N of it:
			 * "defaults.0.scope.path". */
			for (i = 0; i <= depth; i++) {
				if (inseq[i] ? i == depth : keys[i] == NULL)
					continue;
				if (k.len > 0)
					buf_putc(&k, '.');
				if (inseq[i])
					buf_printf(&k, "%u", items[i] - 1);
				else
					buf_puts(&k, keys[i]);
			}
			if (k.len > 0)
				reader_value(r, k.data, k.len, depth > 0 &&
				    inseq[depth],
				    (const char *)ev.data.scalar.value,
				    ev.data.scalar.length, 0);
			break;
		case YAML_STREAM_END_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	for (i = 0; i < SITE_YAML_DEPTH; i++)
		free(keys[i]);
	buf_free(&k);
	yaml_parser_delete(&p);
	return rc;
}

/* Read one config file by its extension; 0 when it was there. */
static int
read_config(struct site *s, const char *root, const char *rel,
    const char *prefix)
{
	struct reader	 r;
	struct buf	 b;
	const char	*err;
	unsigned long	 eline;
	size_t		 n = strlen(rel);

	if (slurp(root, rel, SITE_FILE_MAX, &b) == -1)
		return -1;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.prefix = prefix;
	if (site_has_suffix(rel, n, ".toml"))
		(void)toml_read_all(b.data ? b.data : "", b.len, 1,
		    reader_value, &r, &err, &eline);
	else if (site_has_suffix(rel, n, ".json"))
		(void)json_read(b.data ? b.data : "", b.len, 1, reader_value,
		    &r, &err, &eline);
	else
		(void)read_yaml(&r, b.data ? b.data : "", b.len);
	buf_free(&b);
	return 0;
}

/*
 * Sites whose config is a program (Docusaurus, Astro) keep their title in
 * a plain string literal: `title: 'My Site'`, `SITE_TITLE = "..."`.  The
 * first such literal for name in [p, end) is taken (its length in *len);
 * anything computed is left out.
 */
/* Past a name, its value: after ':' or '=', or a TypeScript annotation
 * (": Type ="), and blanks.  NULL when no value follows. */
static const char *
js_value(const char *q, const char *end)
{
	const char *t;

	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= end || (*q != ':' && *q != '='))
		return NULL;
	if (*q++ == ':') {
		for (t = q; t < end && (isalnum((unsigned char)*t) ||
		    strchr(" _.<>[]|", *t) != NULL); t++)
			;
		if (t > q && t + 1 < end && t[0] == '=' && t[1] != '=' &&
		    t[1] != '>')
			q = t + 1;
	}
	while (q < end && isspace((unsigned char)*q))
		q++;
	return q;
}

static const char *
js_string(const char *p, const char *end, const char *name, size_t *len)
{
	const char	*q, *start = p;
	char		 quote;
	size_t		 n = strlen(name);

	for (; (p = memmem(p, (size_t)(end - p), name, n)) != NULL; p += n) {
		/* A whole name, not a member (entry.data.title). */
		if (p > start && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_' || p[-1] == '.'))
			continue;
		if ((q = js_value(p + n, end)) == NULL || q >= end ||
		    (*q != '\'' && *q != '"' && *q != '`'))
			continue;
		quote = *q++;
		for (p = q; p < end && *p != quote && *p != '\n' &&
		    *p != '$'; p++)
			;
		if (p >= end || *p != quote)
			return NULL;
		*len = (size_t)(p - q);
		return q;
	}
	return NULL;
}

/* The object literal `name: { ... }` (or `const name = { ... }`) in
 * [p, end): its braces' span. */
static const char *
js_block(const char *p, const char *end, const char *name,
    const char **bend)
{
	const char	*q, *start;
	size_t		 n = strlen(name);
	int		 depth;

	for (start = p; (p = memmem(p, (size_t)(end - p), name, n)) != NULL;
	    p += n) {
		if ((p > start && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_' || p[-1] == '.')) ||
		    (q = js_value(p + n, end)) == NULL || q >= end || *q != '{')
			continue;
		for (p = q, depth = 0; p < end; p++)
			if (*p == '{')
				depth++;
			else if (*p == '}' && --depth == 0)
				break;
		*bend = p;
		return q;
	}
	return NULL;
}

/* A string literal to take from a JavaScript config: name, inside the
 * object literal block when block is not NULL (Docusaurus' docs:
 * {...}), stored as key. */
struct js_key {
	const char	*block;
	const char	*name;
	const char	*key;
};

/* The nkeys string literals of keys in rel, which is read once; a key
 * already set is kept. */
static void
read_js_strings(struct site *s, const char *root, const char *rel,
    const struct js_key *keys, size_t nkeys)
{
	struct buf	 b;
	const char	*p, *end, *v;
	size_t		 i, n;

	if (slurp(root, rel, SITE_FILE_MAX, &b) == -1)
		return;
	for (i = 0; i < nkeys; i++) {
		if (site_var(s, keys[i].key) != NULL)
			continue;
		p = b.data ? b.data : "";
		end = p + b.len;
		if ((keys[i].block == NULL || (p = js_block(p, end,
		    keys[i].block, &end)) != NULL) &&
		    (v = js_string(p, end, keys[i].name, &n)) != NULL)
			kv_add(&s->vars, &s->nvars, keys[i].key,
			    strlen(keys[i].key), v, n);
	}
	buf_free(&b);
}

/*
 * Sites built by a program (Astro, Next.js) often keep their title in
 * code rather than in a config file: a constant (src/consts.ts
 * `SITE_TITLE = '...'`, lib/constants.js `SITE_NAME`), an object
 * (`export const SITE = { title: '...' }`, siteMetadata.js), the feed
 * endpoint (src/pages/rss.xml.ts `rss({ title: '...' })`) or the page
 * metadata (app/layout.tsx).  Only a plain string literal is taken:
 * nothing is evaluated.  The first found sets what (title or author)
 * and says where it came from.
 */
static void
code_value(struct site *s, const char *root, const char *what, char **dst)
{
	static const struct {
		const char	*file;
		int		 any;	/* a bare `title:` is the site's */
	} files[] = {
		{ "src/consts.ts", 0 }, { "src/consts.js", 0 },
		{ "src/const.ts", 0 }, { "src/constants.ts", 0 },
		{ "src/config.ts", 0 }, { "src/config.js", 0 },
		{ "src/config.mjs", 0 }, { "src/site.config.ts", 1 },
		{ "src/site.config.js", 1 }, { "site.config.ts", 1 },
		{ "site.config.js", 1 }, { "site.config.mjs", 1 },
		{ "data/siteMetadata.js", 1 }, { "data/siteMetadata.ts", 1 },
		{ "siteMetadata.js", 1 }, { "blog.config.ts", 1 },
		{ "blog.config.js", 1 }, { "blog.config.mjs", 1 },
		{ "lib/constants.ts", 0 }, { "lib/constants.js", 0 },
		{ "src/lib/constants.ts", 0 }, { "src/pages/rss.xml.ts", 1 },
		{ "src/pages/rss.xml.js", 1 }, { "src/pages/rss.xml.mjs", 1 },
		{ "src/pages/feed.xml.ts", 1 }, { "src/pages/atom.xml.ts", 1 },
		{ "app/layout.tsx", 1 }, { "app/layout.js", 1 },
		{ "src/app/layout.tsx", 1 },
	};
	static const char *const title_names[] = { "SITE_TITLE", "SITE_NAME",
	    "BLOG_TITLE", "BLOG_NAME", "siteTitle", "siteName", "blogTitle",
	    "blogName", NULL };
	static const char *const author_names[] = { "SITE_AUTHOR",
	    "AUTHOR_NAME", "AUTHOR", "siteAuthor", "authorName", NULL };
	static const char *const blocks[] = { "SITE", "site", "SITE_CONFIG",
	    "siteConfig", "siteMetadata", "config", "metadata", "BLOG",
	    "blog", NULL };
	const char *const *names = strcmp(what, "title") == 0 ?
	    title_names : author_names;
	const char	*p, *end, *v = NULL, *bend, *found = NULL;
	struct buf	 b;
	size_t		 i, j, n = 0;

	for (i = 0; i < sizeof(files) / sizeof(files[0]) && v == NULL; i++) {
		if (slurp(root, files[i].file, SITE_FILE_MAX, &b) == -1)
			continue;
		p = b.data ? b.data : "";
		end = p + b.len;
		for (j = 0; names[j] != NULL && v == NULL; j++)
			if ((v = js_string(p, end, names[j], &n)) != NULL)
				found = names[j];
		for (j = 0; blocks[j] != NULL && v == NULL; j++)
			if ((p = js_block(b.data, end, blocks[j], &bend)) !=
			    NULL && (v = js_string(p, bend, what, &n)) != NULL)
				found = blocks[j];
		if (v == NULL && files[i].any &&
		    (v = js_string(b.data, end, what, &n)) != NULL)
			found = what;
		if (v != NULL && n > 0 && (*dst = strndup(v, n)) != NULL &&
		    dst == &s->title)
			snprintf(s->title_from, sizeof(s->title_from),
			    "%s (%s)", files[i].file, found);
		if (v != NULL && n == 0)
			v = NULL;
		buf_free(&b);
	}
}

/* The feed template a site keeps at its root (Jekyll's atom.xml, in the
 * style of Jekyll Bootstrap) often writes the site's name literally:
 * `<title>Name</title>` before the first entry, without Liquid. */
static void
feed_title(struct site *s, const char *root)
{
	static const char *const files[] = { "atom.xml", "feed.xml",
	    "rss.xml", NULL };
	const char	*p, *e, *stop;
	struct buf	 b, t;
	size_t		 i;

	for (i = 0; files[i] != NULL && s->title == NULL; i++) {
		if (slurp(root, files[i], SITE_FILE_MAX, &b) == -1)
			continue;
		p = b.data ? b.data : "";
		if ((stop = strstr(p, "<entry")) == NULL &&
		    (stop = strstr(p, "<item")) == NULL)
			stop = p + b.len;
		buf_init(&t, 1024);
		if ((p = strstr(p, "<title>")) != NULL && p < stop &&
		    (e = strstr(p += 7, "</title>")) != NULL && e < stop &&
		    e > p && memchr(p, '{', (size_t)(e - p)) == NULL &&
		    memchr(p, '<', (size_t)(e - p)) == NULL &&
		    entity_decode(&t, p, (size_t)(e - p)) == 0 &&
		    buf_putc(&t, '\0') == 0 &&
		    (s->title = buf_detach(&t, NULL)) != NULL)
			snprintf(s->title_from, sizeof(s->title_from),
			    "%s (its feed title)", files[i]);
		buf_free(&t);
		buf_free(&b);
	}
}

const char *
site_var(const struct site *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->nvars; i++)
		if (strcmp(s->vars[i].key, key) == 0)
			return s->vars[i].val;
	/* Hugo's keys are case-insensitive (baseURL, baseurl). */
	for (i = 0; i < s->nvars; i++)
		if (strcasecmp(s->vars[i].key, key) == 0)
			return s->vars[i].val;
	return NULL;
}

static const char *
first_var(const struct site *s, const char *const *keys)
{
	const char *v;

	for (; *keys != NULL; keys++)
		if ((v = site_var(s, *keys)) != NULL && *v != '\0')
			return v;
	return NULL;
}

/*------------------------------------------------------------ includes */

static void
read_includes(struct site *s, const char *root, const char *dir,
    int depth)
{
	char		 rel[PATH_MAX];
	struct dirent	*de;
	struct buf	 b;
	DIR		*d;
	int		 fd;

	if ((size_t)snprintf(rel, sizeof(rel), "%s/%s", root, dir) >=
	    sizeof(rel) || (fd = open(rel, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC | O_NOFOLLOW)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL && s->nincludes < SITE_INCLUDES_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(rel, sizeof(rel), "%s/%s", dir,
		    de->d_name) >= sizeof(rel))
			continue;
		if (exists(root, rel, 1)) {
			if (depth < 2)
				read_includes(s, root, rel, depth + 1);
			continue;
		}
		if (slurp(root, rel, SITE_INCLUDE_MAX, &b) == -1)
			continue;
		/* Named as {% include %} names it: relative to _includes. */
		kv_add(&s->includes, &s->nincludes, rel + 10, strlen(rel + 10),
		    b.data ? b.data : "", b.len);
		buf_free(&b);
	}
	closedir(d);
}

static const char *
md_var(void *arg, const char *key)
{
	return site_var(arg, key);
}

static int
md_include(void *arg, const char *name, struct buf *out)
{
	const struct site	*s = arg;
	size_t			 i;

	for (i = 0; i < s->nincludes; i++)
		if (strcmp(s->includes[i].key, name) == 0)
			return buf_puts(out, s->includes[i].val) == -1 ? -1 :
			    0;
	return -1;
}

static enum md_title_rule
md_title(void *arg, const char *rel, int fm, struct buf *name)
{
	return site_title_rule(arg, rel, fm, name);
}

void
site_md(const struct site *s, struct md_site *m)
{
	m->var = md_var;
	m->include = md_include;
	m->title = md_title;
	m->arg = (void *)(uintptr_t)s;
}

/*------------------------------------------------------------ git */

static int
added_by_path(const void *a, const void *b)
{
	return strcmp(((const struct site_added *)a)->path,
	    ((const struct site_added *)b)->path);
}

/*
 * The date git first saw each file, from one `git log` over the whole
 * tree at load.  Started as root, capsuled reads this before it drops
 * privileges; on a reload it runs as the unprivileged user, whose git
 * refuses a repository someone else owns ("dubious ownership") unless
 * safe.directory allows it, so the command line allows it: the command
 * only reads history (no hooks, no pager, no fsmonitor).
 */
static void
read_history(struct site *s, const char *root)
{
	char *const argv[] = {
		"git", "-c", "safe.directory=*", "-c", "core.fsmonitor=false",
		"-c", "core.quotepath=false", "--no-pager", "-C",
		(char *)(uintptr_t)root, "log", "--diff-filter=A",
		"--no-renames", "--name-only", "--relative", "--format=%x01%ct",
		NULL
	};
	posix_spawn_file_actions_t	 fa;
	struct site_added		*v = NULL, *nv;
	struct buf			 out;
	char				 tmp[65536], *p, *nl;
	size_t				 n = 0, cap = 0, i, j;
	ssize_t				 r;
	time_t				 when = 0;
	pid_t				 pid, w;
	int				 pfd[2], status = -1;

	s->history = "no git history";
	if (pipe2(pfd, O_CLOEXEC) == -1)
		return;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	r = posix_spawnp(&pid, "git", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (r != 0) {
		close(pfd[0]);
		return;
	}
	buf_init(&out, SITE_GIT_MAX);
	while ((r = read(pfd[0], tmp, sizeof(tmp))) > 0 ||
	    (r == -1 && errno == EINTR))
		if (r > 0 && buf_append(&out, tmp, (size_t)r) == -1)
			break;
	close(pfd[0]);
	while ((w = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	if (w != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    buf_putc(&out, '\0') == -1) {
		buf_free(&out);
		return;
	}
	for (p = out.data; p != NULL && *p != '\0'; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		if (*p == '\x01') {
			when = (time_t)strtoll(p + 1, NULL, 10);
			continue;
		}
		if (*p == '\0' || when == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		if ((v[n].path = strdup(p)) == NULL)
			break;
		v[n++].when = when;
	}
	buf_free(&out);
	/* Newest first from git; a file added twice keeps its first add. */
	if (n > 1)
		qsort(v, n, sizeof(*v), added_by_path);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && strcmp(v[j - 1].path, v[i].path) == 0) {
			if (v[i].when < v[j - 1].when)
				v[j - 1].when = v[i].when;
			free(v[i].path);
			continue;
		}
		v[j++] = v[i];
	}
	s->added = v;
	s->nadded = j;
	s->history = "dates from git history";
}

time_t
site_added(const struct site *s, const char *rel)
{
	struct site_added	 k, *hit;

	if (s->nadded == 0)
		return 0;
	k.path = (char *)(uintptr_t)rel;
	hit = bsearch(&k, s->added, s->nadded, sizeof(k), added_by_path);
	return hit != NULL ? hit->when : 0;
}

/*------------------------------------------------------------ loading */

const char *
site_gen_name(enum site_gen g)
{
	static const char *const names[] = {
		"plain", "Hugo", "Jekyll", "Next.js blog starter", "Zenn",
		"Hatena (blogsync)", "Astro", "Docusaurus"
	};

	return names[g];
}

/* Hugo's config file, in the order Hugo looks. */
static const char *
hugo_config(const char *root)
{
	static const char *const names[] = {
		"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
		"config.toml", "config.yaml", "config.yml", "config.json",
		"config/_default/hugo.toml", "config/_default/hugo.yaml",
		"config/_default/config.toml", "config/_default/config.yaml",
		NULL
	};
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		/* config.yaml alone is not Hugo's without content/. */
		if (strncmp(names[i], "config.", 7) == 0 &&
		    strcmp(names[i], "config.toml") != 0 &&
		    !exists(root, "content", 1) &&
		    !exists(root, "archetypes", 1))
			continue;
		if (exists(root, names[i], 0))
			return names[i];
	}
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Hatena blogs as blogsync writes them: <local_root>/<blog domain>/
 * entry/..., one folder per blog (blogsync.yaml at the root names them,
 * but the folders are what is there to serve).  Fills s->blogs, sorted.
 */
static void
hatena_blogs(struct site *s, const char *root)
{
	DIR		*d;
	struct dirent	*de;
	char		 rel[PATH_MAX];
	size_t		 n = 0;

	if ((d = opendir(root)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && n < SITE_POSTS_MAX) {
		/* A domain: dotted, not hidden. */
		if (de->d_name[0] == '.' || strchr(de->d_name, '.') == NULL ||
		    (size_t)snprintf(rel, sizeof(rel), "%s/entry",
		    de->d_name) >= sizeof(rel) || !exists(root, rel, 1))
			continue;
		if ((s->blogs[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(s->blogs, n, sizeof(s->blogs[0]), cmp_str);
}

static void
detect(struct site *s, const char *root)
{
	static const char *const jekyll[] = { "_config.yml", "_config.yaml",
	    NULL };
	static const char *const docu[] = { "docusaurus.config.js",
	    "docusaurus.config.ts", "docusaurus.config.mjs", NULL };
	static const char *const astro[] = { "astro.config.mjs",
	    "astro.config.js", "astro.config.ts", "astro.config.mts", NULL };
	const char	*cfg = NULL;
	size_t		 i;

	if ((cfg = hugo_config(root)) != NULL ||
	    exists(root, "archetypes", 1)) {
		s->gen = SITE_HUGO;
		goto found;
	}
	for (i = 0; jekyll[i] != NULL; i++)
		if (exists(root, jekyll[i], 0)) {
			s->gen = SITE_JEKYLL;
			cfg = jekyll[i];
			goto found;
		}
	for (i = 0; docu[i] != NULL; i++)
		if (exists(root, docu[i], 0)) {
			s->gen = SITE_DOCUSAURUS;
			cfg = docu[i];
			goto found;
		}
	for (i = 0; astro[i] != NULL; i++)
		if (exists(root, astro[i], 0)) {
			s->gen = SITE_ASTRO;
			cfg = astro[i];
			goto found;
		}
	if (exists(root, "src/content/blog", 1)) {
		s->gen = SITE_ASTRO;
		goto found;
	}
	if (exists(root, "articles", 1) || exists(root, "books", 1)) {
		s->gen = SITE_ZENN;
		goto found;
	}
	if (exists(root, "entry", 1)) {
		s->gen = SITE_HATENA;
		goto found;
	}
	hatena_blogs(s, root);
	if (s->blogs[0] != NULL) {
		s->gen = SITE_HATENA;
		goto found;
	}
	if (exists(root, "_posts", 1) && (exists(root, "package.json", 0) ||
	    exists(root, "next.config.js", 0) ||
	    exists(root, "next.config.mjs", 0))) {
		s->gen = SITE_NEXTJS;
		goto found;
	}
	if (exists(root, "blog", 1) && exists(root, "package.json", 0)) {
		s->gen = SITE_DOCUSAURUS;
		goto found;
	}
	s->gen = SITE_PLAIN;
found:
	s->config = cfg != NULL ? strdup(cfg) : NULL;
}

static void
add_posts(struct site *s, const char *root, const char *const *dirs)
{
	size_t n = 0, i;

	while (s->posts[n] != NULL)
		n++;
	for (i = 0; dirs[i] != NULL && n < SITE_POSTS_MAX; i++)
		if (exists(root, dirs[i], 1) &&
		    (s->posts[n] = strdup(dirs[i])) != NULL)
			n++;
}

/* Markdown files under rel, a few levels down (a section's pages). */
static size_t
count_pages(const char *root, const char *rel, int depth)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX], sub[PATH_MAX];
	size_t		 n = 0, len;
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (depth > 4 || (d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < 100000) {
		if (de->d_name[0] == '.' || de->d_name[0] == '_')
			continue;
		len = strlen(de->d_name);
		if (mime_markdown_ext(de->d_name, len) > 0) {
			n++;
			continue;
		}
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", rel,
		    de->d_name) < sizeof(sub) && fstatat(dirfd(d), de->d_name,
		    &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
			n += count_pages(root, sub, depth + 1);
	}
	closedir(d);
	return n;
}

/* The section (content subfolder) with the most pages: Hugo's default
 * main section.  0, or -1 when dir has none. */
static int
largest_section(const char *root, const char *dir, char *name, size_t len)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX], sub[PATH_MAX];
	size_t		 n, best = 0;
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name,
		    &st, AT_SYMLINK_NOFOLLOW) == -1 || !S_ISDIR(st.st_mode) ||
		    (size_t)snprintf(sub, sizeof(sub), "%s/%s", dir,
		    de->d_name) >= sizeof(sub))
			continue;
		if ((n = count_pages(root, sub, 0)) > best) {
			best = n;
			snprintf(name, len, "%s", de->d_name);
		}
	}
	closedir(d);
	return best > 0 ? 0 : -1;
}

/*
 * Hugo's posts: the main sections (params.mainSections, else a section
 * named as blogs name theirs, else the section with the most pages) in
 * the content folder, or in each language's own.
 */
static void
main_sections(struct site *s, const char *root)
{
	static const char *const usual[] = { "posts", "post", "blog",
	    "articles", NULL };
	const char	*v, *dirs[SITE_POSTS_MAX], *names[SITE_POSTS_MAX];
	char		 key[64], rel[PATH_MAX], big[256];
	size_t		 i, j, k, n = 0, ndirs = 0, nnames = 0;

	for (i = 0; i < s->nlangs && ndirs < SITE_POSTS_MAX; i++)
		if (s->langs[i].val[0] != '\0')
			dirs[ndirs++] = s->langs[i].val;
	if (ndirs == 0)
		dirs[ndirs++] = s->content;
	for (i = 0; nnames < SITE_POSTS_MAX; i++) {
		snprintf(key, sizeof(key), "params.mainSections.%zu", i);
		if ((v = site_var(s, key)) == NULL)
			break;
		if (strchr(v, '/') == NULL && strstr(v, "..") == NULL)
			names[nnames++] = v;
	}
	for (i = 0, k = nnames; k == 0 && usual[i] != NULL; i++)
		for (j = 0; j < ndirs; j++)
			if ((size_t)snprintf(rel, sizeof(rel), "%s/%s",
			    dirs[j], usual[i]) < sizeof(rel) &&
			    exists(root, rel, 1) && nnames < SITE_POSTS_MAX) {
				names[nnames++] = usual[i];
				break;
			}
	if (nnames == 0 && largest_section(root, dirs[0], big,
	    sizeof(big)) == 0)
		names[nnames++] = big;
	for (i = 0; i < nnames; i++)
		for (j = 0; j < ndirs && n < SITE_POSTS_MAX; j++)
			if ((size_t)snprintf(rel, sizeof(rel), "%s/%s",
			    dirs[j], names[i]) < sizeof(rel) &&
			    exists(root, rel, 1) &&
			    (s->posts[n] = strdup(rel)) != NULL)
				n++;
}

static void
find_posts(struct site *s, const char *root, const char *override)
{
	static const char *const hugo[] = { "content", NULL };
	static const char *const plain[] = { "posts", "_posts", "articles",
	    "entry", "content/posts", "content/post", "content/blog", NULL };
	static const char *const jekyll[] = { "_posts", NULL };
	static const char *const next[] = { "_posts", NULL };
	static const char *const zenn[] = { "articles", NULL };
	static const char *const hatena[] = { "entry", NULL };
	static const char *const astro[] = { "src/content/blog",
	    "src/content/posts", "src/data/blog", NULL };
	static const char *const docu[] = { "blog", NULL };
	static const char *const *const by_gen[] = {
		plain, hugo, jekyll, next, zenn, hatena, astro, docu
	};
	char		 rel[PATH_MAX];
	size_t		 i;

	if (override != NULL) {
		s->posts[0] = strdup(override);
		return;
	}
	if (s->gen == SITE_HUGO)
		main_sections(s, root);
	if (s->gen == SITE_ASTRO && site_var(s, "astro.posts") != NULL)
		s->posts[0] = strdup(site_var(s, "astro.posts"));
	if (s->gen == SITE_DOCUSAURUS)
		add_posts(s, root, (const char *const[]){ site_docu_dir(s, "blog"),
		    NULL });
	for (i = 0; s->blogs[i] != NULL; i++)
		if ((size_t)snprintf(rel, sizeof(rel), "%s/entry",
		    s->blogs[i]) < sizeof(rel))
			add_posts(s, root, (const char *const[]){ rel, NULL });
	if (s->posts[0] == NULL)
		add_posts(s, root, by_gen[s->gen]);
}

static void
set_str(char **dst, const char *v)
{
	if (v != NULL && *v != '\0' && *dst == NULL)
		*dst = strdup(v);
}

/* The base URLs links may use for this site: "https://host/path/". */
static void
set_bases(struct site *s, const char *url, const char *path)
{
	const char	*slash;
	size_t		 n;

	if (url == NULL || strncmp(url, "http", 4) != 0 ||
	    (s->bases = calloc(4, sizeof(*s->bases))) == NULL)
		return;
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	if ((slash = strstr(url, "://")) != NULL &&
	    (slash = memchr(slash + 3, '/', n - (size_t)(slash + 3 - url)))
	    != NULL) {
		/* "https://x.github.io/blog": the path is the base path. */
		free(s->basepath);
		s->basepath = strndup(slash, n - (size_t)(slash - url));
		n = (size_t)(slash - url);
	} else if (path != NULL && *path != '\0' && strcmp(path, "/") != 0) {
		free(s->basepath);
		/* Docusaurus writes baseUrl as "/repo/". */
		s->basepath = strndup(path, strlen(path) -
		    (path[strlen(path) - 1] == '/'));
	}
	s->bases[0] = strndup(url, n);
	/* The other scheme of the same host, as links often mix them. */
	if (s->bases[0] != NULL && strncmp(url, "https://", 8) == 0 &&
	    (s->bases[1] = malloc(n)) != NULL)
		snprintf(s->bases[1], n, "http://%.*s", (int)(n - 8), url + 8);
	else if (s->bases[0] != NULL && strncmp(url, "http://", 7) == 0 &&
	    (s->bases[1] = malloc(n + 2)) != NULL)
		snprintf(s->bases[1], n + 2, "https://%.*s", (int)(n - 7),
		    url + 7);
}

/*
 * Hugo's languages ([languages.CODE]): each one's own contentDir, and
 * the default one, published at the root unless
 * defaultContentLanguageInSubdir.  Disabled languages are not published
 * and are left out.
 */
static void
read_langs(struct site *s)
{
	const char	*k, *dot, *v;
	char		 code[64], key[128];
	size_t		 i, j, n;

	for (i = 0; i < s->nvars; i++) {
		k = s->vars[i].key;
		if (strncasecmp(k, "languages.", 10) != 0 ||
		    (dot = strchr(k + 10, '.')) == NULL ||
		    (n = (size_t)(dot - k - 10)) == 0 || n >= sizeof(code))
			continue;
		memcpy(code, k + 10, n);
		code[n] = '\0';
		for (j = 0; (v = site_var(s, (snprintf(key, sizeof(key),
		    "disableLanguages.%zu", j), key))) != NULL; j++)
			if (strcasecmp(v, code) == 0)
				break;
		if (v != NULL || strchr(code, '/') != NULL)
			continue;
		snprintf(key, sizeof(key), "languages.%s.contentDir", code);
		v = site_var(s, key);
		if (v == NULL || strstr(v, "..") != NULL)
			v = "";
		n = strlen(v);
		while (n > 0 && v[n - 1] == '/')
			n--;
		kv_add(&s->langs, &s->nlangs, code, strlen(code), v, n);
	}
	if (s->nlangs == 0)
		return;
	v = site_var(s, "defaultContentLanguage");
	for (i = 0; i < s->nlangs; i++)
		if (strcasecmp(s->langs[i].key, v != NULL ? v : "en") == 0)
			s->deflang = s->langs[i].key;
	if ((v = site_var(s, "defaultContentLanguageInSubdir")) != NULL &&
	    strcmp(v, "true") == 0)
		s->deflang = NULL;
}

/*
 * Astro's content collection with a glob loader (content.config.ts:
 * glob({ base: "./content/posts" })): its folder holds the posts, an
 * entry's id is its path there, and the page route is src/pages/NAME/
 * when the site has one for the folder's name, else the site's root
 * ("src/pages/[category]/[slug].astro").
 */
static void
astro_collection(struct site *s, const char *root)
{
	static const char *const names[] = { "src/content.config.ts",
	    "src/content.config.mjs", "src/content.config.js",
	    "src/content/config.ts", "src/content/config.mjs",
	    "src/content/config.js", NULL };
	static const struct js_key base = { NULL, "base", "astro.base" };
	const char	*v, *name;
	char		 dir[PATH_MAX], route[PATH_MAX + 16];
	size_t		 i, n;

	for (i = 0; names[i] != NULL && site_var(s, "astro.base") == NULL;
	    i++)
		read_js_strings(s, root, names[i], &base, 1);
	if ((v = site_var(s, "astro.base")) == NULL)
		return;
	while (strncmp(v, "./", 2) == 0)
		v += 2;
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	if (n == 0 || n >= sizeof(dir) || v[0] == '/' ||
	    strstr(v, "..") != NULL)
		return;
	memcpy(dir, v, n);
	dir[n] = '\0';
	if (!exists(root, dir, 1))
		return;
	kv_add(&s->vars, &s->nvars, "astro.posts", 11, dir, n);
	name = strrchr(dir, '/') != NULL ? strrchr(dir, '/') + 1 : dir;
	snprintf(route, sizeof(route), "src/pages/%s", name);
	if (exists(root, route, 1))
		kv_add(&s->vars, &s->nvars, "astro.route", 11, route + 9,
		    strlen(route + 9));
}

/* Zenn's books: each books/SLUG/config.yaml under "books.SLUG." (title,
 * published, the chapters in order). */
static size_t
read_books(struct site *s, const char *root)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX], rel[PATH_MAX], pre[300];
	size_t		 n = 0;

	snprintf(path, sizeof(path), "%s/books", root);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strchr(de->d_name, '.') != NULL ||
		    (size_t)snprintf(rel, sizeof(rel), "books/%s/config.yaml",
		    de->d_name) >= sizeof(rel) ||
		    (size_t)snprintf(pre, sizeof(pre), "books.%s.",
		    de->d_name) >= sizeof(pre))
			continue;
		if (read_config(s, root, rel, pre) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/*------------------------------------------------------------ taxonomies */

#define SITE_TAXA_MAX	16
#define HUGO_KINDS_MAX	16	/* disableKinds entries read (Hugo has 9
				   kinds) */

/* Hugo's kinds a config may disable (disableKinds) that take the
 * taxonomy pages away. */
static int
hugo_taxa_disabled(const struct site *s)
{
	const char	*v;
	char		 key[32];
	size_t		 i;

	for (i = 0; i < HUGO_KINDS_MAX; i++) {
		snprintf(key, sizeof(key), "disableKinds.%zu", i);
		if ((v = site_var(s, key)) == NULL)
			break;
		if (strcasecmp(v, "taxonomy") == 0 ||
		    strcasecmp(v, "term") == 0 ||
		    strcasecmp(v, "taxonomyTerm") == 0)
			return 1;
	}
	return 0;
}

/*
 * The taxonomies with pages, and the front matter keys feeding them.
 * Hugo: its taxonomies config (singular = "plural"; the plural is both
 * the front matter key and the web path), by default tags and
 * categories; none when disableKinds takes them away.  Jekyll: site.tags
 * and site.categories, which themes publish at /tags/ and /categories/
 * (Chirpy through jekyll-archives, Minimal Mistakes as list pages).
 * Other generators publish tags only, so theirs stay the default map.
 */
static void
read_taxonomies(struct site *s)
{
	static const struct fm_taxonomy hugo_def[] = {
		{ "tags", "tags" }, { "categories", "categories" } };
	static const struct fm_taxonomy jekyll[] = {
		{ "tags", "tags" }, { "tag", "tags" },
		{ "categories", "categories" }, { "category", "categories" } };
	const struct fm_taxonomy *from = NULL;
	size_t		 n = 0, i;

	if (s->gen == SITE_JEKYLL) {
		from = jekyll;
		n = sizeof(jekyll) / sizeof(jekyll[0]);
	} else if (s->gen != SITE_HUGO)
		return;
	if ((s->taxa = calloc(SITE_TAXA_MAX + 1, sizeof(*s->taxa))) == NULL)
		return;
	if (s->gen == SITE_HUGO) {
		if (hugo_taxa_disabled(s))
			return;
		for (i = 0; i < s->nvars && n < SITE_TAXA_MAX; i++)
			if (strncasecmp(s->vars[i].key, "taxonomies.", 11) ==
			    0 && s->vars[i].key[11] != '_' &&
			    *s->vars[i].val != '\0' &&
			    strlen(s->vars[i].val) < SITE_TAXNAME_MAX &&
			    strchr(s->vars[i].val, '/') == NULL) {
				s->taxa[n].key = s->vars[i].val;
				s->taxa[n++].name = s->vars[i].val;
			}
		if (n > 0)
			return;
		from = hugo_def;
		n = sizeof(hugo_def) / sizeof(hugo_def[0]);
	}
	memcpy(s->taxa, from, n * sizeof(*from));
}

const struct fm_taxonomy *
site_taxonomy_keys(const struct site *s)
{
	return s != NULL ? s->taxa : NULL;
}

const char *
site_taxonomy(const struct site *s, size_t i)
{
	size_t	 k, j;

	if (s == NULL || s->taxa == NULL)
		return i == 0 ? "tags" : NULL;
	/* The map may name a taxonomy twice (Jekyll's category and
	 * categories): count each once. */
	for (k = 0; s->taxa[k].key != NULL; k++) {
		for (j = 0; j < k; j++)
			if (strcmp(s->taxa[j].name, s->taxa[k].name) == 0)
				break;
		if (j == k && i-- == 0)
			return s->taxa[k].name;
	}
	return NULL;
}

static void
read_site(struct site *s, const char *root, const struct site_override *o)
{
	/* Not "baseUrl": Hugo's baseURL is looked up without case.  The
	 * classic preset's plugins: where each folder is read from and
	 * published at. */
	static const struct js_key docusaurus_keys[] = {
		{ NULL, "title", "title" }, { NULL, "tagline", "tagline" },
		{ NULL, "url", "url" },
		{ NULL, "baseUrl", "docusaurus.baseUrl" },
		{ "docs", "routeBasePath", "docs.routeBasePath" },
		{ "docs", "path", "docs.path" },
		{ "blog", "routeBasePath", "blog.routeBasePath" },
		{ "blog", "path", "blog.path" },
		{ "i18n", "defaultLocale", "i18n.defaultLocale" },
	};
	static const struct js_key astro_keys[] = {
		{ NULL, "site", "site" },
		{ NULL, "trailingSlash", "trailingSlash" },
	};
	static const struct js_key astro_description = { NULL,
	    "SITE_DESCRIPTION", "SITE_DESCRIPTION" };
	static const char *const titles[] = { "title", "params.title",
	    NULL };
	static const char *const descs[] = { "description",
	    "params.description", "tagline", "params.subtitle", "subtitle",
	    "SITE_DESCRIPTION", NULL };
	static const char *const authors[] = { "author.name", "author",
	    "params.author.name", "params.author", "authors.0", NULL };
	static const char *const langs[] = { "languageCode", "lang",
	    "defaultContentLanguage", "locale", "i18n.defaultLocale", NULL };
	static const char *const urls[] = { "baseURL", "url", "site", NULL };
	const char	*v;
	char		 dir[64], hatena[PATH_MAX] = "";

	if (s->config != NULL) {
		read_config(s, root, s->config, "");
		if (strncmp(s->config, "config/_default/", 16) == 0) {
			/* Hugo's split config: one file per root key. */
			static const char *const parts[] = { "params",
			    "permalinks", "taxonomies", "menus", NULL };
			size_t	 i;
			char	 rel[128], pre[32];

			for (i = 0; parts[i] != NULL; i++) {
				snprintf(rel, sizeof(rel),
				    "config/_default/%s.toml", parts[i]);
				snprintf(pre, sizeof(pre), "%s.", parts[i]);
				if (read_config(s, root, rel, pre) == -1) {
					snprintf(rel, sizeof(rel),
					    "config/_default/%s.yaml",
					    parts[i]);
					(void)read_config(s, root, rel, pre);
				}
			}
		}
	}
	if (s->gen == SITE_DOCUSAURUS && s->config != NULL)
		read_js_strings(s, root, s->config, docusaurus_keys,
		    sizeof(docusaurus_keys) / sizeof(docusaurus_keys[0]));
	if (s->gen == SITE_ASTRO) {
		if (s->config != NULL)
			read_js_strings(s, root, s->config, astro_keys,
			    sizeof(astro_keys) / sizeof(astro_keys[0]));
		astro_collection(s, root);
		read_js_strings(s, root, "src/consts.ts", &astro_description,
		    1);
	}
	if (s->gen == SITE_JEKYLL && exists(root, "_includes", 1))
		read_includes(s, root, "_includes", 0);
	if (s->gen == SITE_ZENN)
		s->nbooks = read_books(s, root);
	if (s->gen == SITE_HUGO) {
		read_langs(s);
		v = site_var(s, "contentDir");
		snprintf(dir, sizeof(dir), "%s", v != NULL && *v != '\0' &&
		    strstr(v, "..") == NULL ? v : "content");
		s->content = strdup(dir);
	} else if (s->blogs[0] != NULL && s->blogs[1] == NULL)
		/* One blogsync blog: its folder is the site, published at
		 * the root as on the web; several keep their folders. */
		s->content = strdup(s->blogs[0]);
	else
		s->content = strdup("");
	/* capsuled.yaml first: it wins. */
	set_str(&s->title, o->title);
	if (s->title != NULL)
		snprintf(s->title_from, sizeof(s->title_from), "capsuled.yaml");
	set_str(&s->description, o->description);
	set_str(&s->author, o->author);
	set_str(&s->lang, o->lang);
	set_str(&s->title, first_var(s, titles));
	set_str(&s->description, first_var(s, descs));
	if (s->deflang != NULL || s->nlangs > 0) {
		/* A multilingual Hugo site titles each language. */
		const char *l = s->deflang ? s->deflang : s->langs[0].key;
		char	    key[128];

		snprintf(key, sizeof(key), "languages.%s.title", l);
		set_str(&s->title, site_var(s, key));
		snprintf(key, sizeof(key), "languages.%s.params.description",
		    l);
		set_str(&s->description, site_var(s, key));
		snprintf(key, sizeof(key), "languages.%s.languageCode", l);
		set_str(&s->lang, site_var(s, key));
	}
	/* jekyll-feed and jekyll-seo-tag title a Jekyll site by name when
	 * it has no title. */
	if (s->gen == SITE_JEKYLL && s->title == NULL &&
	    (v = site_var(s, "name")) != NULL && *v != '\0' &&
	    (s->title = strdup(v)) != NULL)
		snprintf(s->title_from, sizeof(s->title_from), "%s (name)",
		    s->config);
	if (s->title != NULL && s->title_from[0] == '\0')
		snprintf(s->title_from, sizeof(s->title_from), "%s",
		    s->config != NULL ? s->config : "the config");
	set_str(&s->author, first_var(s, authors));
	if (s->title == NULL)
		code_value(s, root, "title", &s->title);
	if (s->title == NULL)
		feed_title(s, root);
	if (s->author == NULL)
		code_value(s, root, "author", &s->author);
	/*
	 * No title anywhere (a Zenn repository has none; some sites build
	 * theirs at run time): a personal blog is known by its author's
	 * name, which is also what the Atom feed names as its author.  The
	 * folder's name is no better guess (blog, zenn-content, a clone's
	 * renamed copy), so without an author the default stays and the
	 * start-up line says how to set one.
	 */
	if (s->title == NULL && s->author != NULL &&
	    (s->title = strdup(s->author)) != NULL)
		snprintf(s->title_from, sizeof(s->title_from),
		    "the author's name");
	set_str(&s->lang, first_var(s, langs));
	if (s->blogs[0] != NULL && s->blogs[1] == NULL)
		snprintf(hatena, sizeof(hatena), "https://%s/", s->blogs[0]);
	set_bases(s, o->site_url != NULL ? o->site_url :
	    first_var(s, urls) != NULL ? first_var(s, urls) :
	    hatena[0] != '\0' ? hatena : NULL,
	    s->gen == SITE_JEKYLL ? site_var(s, "baseurl") :
	    s->gen == SITE_DOCUSAURUS ? site_var(s, "docusaurus.baseUrl") :
	    NULL);
	if (s->basepath == NULL)
		s->basepath = strdup("");
	read_taxonomies(s);
}

/* The start-up line: what was found, and what was read. */
static void
report(struct site *s)
{
	size_t	 n, i;

	n = (size_t)snprintf(s->report, sizeof(s->report), "%s site",
	    site_gen_name(s->gen));
	if (s->config != NULL)
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    "; config %s", s->config);
	if (s->title != NULL && n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    "; title \"%s\" from %s", s->title, s->title_from);
	else if (n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    "; no site title found (set title: in capsuled.yaml)");
	if (s->bases != NULL && s->bases[0] != NULL && n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    "; base URL %s%s", s->bases[0], s->basepath);
	if (n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    "; posts in");
	for (i = 0; s->posts[i] != NULL && n < sizeof(s->report); i++)
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    " %s/", s->posts[i]);
	if (i == 0 && n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    " (none found)");
	/* Why the paths have, or lack, the blog's domain folder. */
	if (s->blogs[1] != NULL && n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    " (several blogsync blogs: each served under its domain "
		    "folder)");
	else if (s->blogs[0] != NULL && n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    " (blogsync blog %s served at the root)", s->blogs[0]);
	for (i = 0; i < s->nvars && n < sizeof(s->report); i++)
		if (strncasecmp(s->vars[i].key, "permalinks.", 11) == 0 ||
		    (strcmp(s->vars[i].key, "permalink") == 0))
			n += (size_t)snprintf(s->report + n,
			    sizeof(s->report) - n, "; %s %s",
			    s->vars[i].key, s->vars[i].val);
	if (s->nbooks > 0 && n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    "; %zu books", s->nbooks);
	for (i = 0; s->taxa != NULL && site_taxonomy(s, i) != NULL &&
	    n < sizeof(s->report); i++)
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    "%s%s", i == 0 ? "; taxonomies " : ", ",
		    site_taxonomy(s, i));
	if (s->nincludes > 0 && n < sizeof(s->report))
		n += (size_t)snprintf(s->report + n, sizeof(s->report) - n,
		    "; %zu includes", s->nincludes);
	if (n < sizeof(s->report))
		snprintf(s->report + n, sizeof(s->report) - n, "; %s (%zu "
		    "files)", s->history, s->nadded);
}

struct site *
site_load(const char *root, const struct site_override *o)
{
	struct site *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	detect(s, root);
	read_site(s, root, o);
	find_posts(s, root, o->posts);
	read_history(s, root);
	if (s->content == NULL || s->basepath == NULL) {
		site_free(s);
		return NULL;
	}
	report(s);
	return s;
}

void
site_free(struct site *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->config);
	free(s->content);
	for (i = 0; s->blogs[i] != NULL; i++)
		free(s->blogs[i]);
	for (i = 0; s->posts[i] != NULL; i++)
		free(s->posts[i]);
	free(s->title);
	free(s->description);
	free(s->author);
	free(s->lang);
	for (i = 0; s->bases != NULL && s->bases[i] != NULL; i++)
		free(s->bases[i]);
	free(s->bases);
	free(s->basepath);
	kv_free(s->vars, s->nvars);
	kv_free(s->includes, s->nincludes);
	kv_free(s->langs, s->nlangs);
	free(s->taxa);
	for (i = 0; i < s->nadded; i++)
		free(s->added[i].path);
	free(s->added);
	free(s);
}

/* FNV-1a of a string and its end, so that ("ab", "") and ("a", "b")
 * differ; NULL hashes as a lone mark. */
static uint64_t
hash_str(uint64_t h, const char *v)
{
	static const char none = 1;

	if (v == NULL)
		return buf_hash_more(h, &none, 1);
	return buf_hash_more(h, v, strlen(v) + 1);
}

static uint64_t
hash_kv(uint64_t h, const struct site_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = hash_str(hash_str(h, kv[i].key), kv[i].val);
	return buf_hash_more(h, &n, sizeof(n));
}

uint64_t
site_hash(const struct site *s)
{
	uint64_t	h = BUF_HASH_SEED;
	size_t		i;

	h = buf_hash_more(h, &s->gen, sizeof(s->gen));
	h = hash_str(h, s->config);
	h = hash_str(h, s->content);
	for (i = 0; s->posts[i] != NULL; i++)
		h = hash_str(h, s->posts[i]);
	h = hash_str(hash_str(h, s->title), s->description);
	h = hash_str(hash_str(h, s->author), s->lang);
	for (i = 0; s->bases != NULL && s->bases[i] != NULL; i++)
		h = hash_str(h, s->bases[i]);
	h = hash_str(h, s->basepath);
	h = hash_kv(h, s->vars, s->nvars);
	h = hash_kv(h, s->includes, s->nincludes);
	h = buf_hash_more(h, &s->nbooks, sizeof(s->nbooks));
	h = hash_kv(h, s->langs, s->nlangs);
	h = hash_str(h, s->deflang);
	for (i = 0; i < s->nadded; i++) {
		h = hash_str(h, s->added[i].path);
		h = buf_hash_more(h, &s->added[i].when,
		    sizeof(s->added[i].when));
	}
	return h;
}

/*------------------------------------------------------------ access */

/* Whether the user may do what need (4 read, 1 search) on path. */
static int
allowed(const char *path, const struct passwd *pw, const gid_t *groups,
    int ngroups, int need)
{
	struct stat	 st;
	int		 i, bits;

	if (stat(path, &st) == -1)
		return 1;	/* not there: nothing to refuse */
	if (pw->pw_uid == 0)
		return 1;
	if (st.st_uid == pw->pw_uid)
		bits = (st.st_mode >> 6) & 7;
	else {
		bits = st.st_mode & 7;
		for (i = 0; i < ngroups; i++)
			if (groups[i] == st.st_gid) {
				bits = (st.st_mode >> 3) & 7;
				break;
			}
	}
	return (bits & need) == need;
}

int
site_readable_by(const struct site *s, const char *root, const char *user,
    char *bad, size_t badlen)
{
	struct passwd	*pw;
	gid_t		 groups[64];
	char		 path[PATH_MAX], *p;
	int		 ngroups = 64;
	size_t		 i;

	if ((pw = getpwnam(user)) == NULL)
		return 0;	/* the privilege drop reports it */
	if (getgrouplist(user, pw->pw_gid, groups, &ngroups) == -1)
		ngroups = 64;
	snprintf(path, sizeof(path), "%s", root);
	for (p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (!allowed(path, pw, groups, ngroups, 1)) {
			snprintf(bad, badlen, "%s", path);
			return -1;
		}
		*p = '/';
	}
	if (!allowed(root, pw, groups, ngroups, 5)) {
		snprintf(bad, badlen, "%s", root);
		return -1;
	}
	for (i = 0; i <= SITE_POSTS_MAX; i++) {
		const char *rel = i == 0 ? s->content : s->posts[i - 1];

		if (rel == NULL)
			break;
		if (*rel == '\0')
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, rel);
		if (!allowed(path, pw, groups, ngroups, 5)) {
			snprintf(bad, badlen, "%s", path);
			return -1;
		}
	}
	return 0;
}

/*
 * site: the generator, its config and the URL scheme of the web site a
 * capsule root is the source of (see site.h).  Loading reads a few small
 * files and runs one `git log`; everything after that is pure over the
 * loaded struct.
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

#include <utf8proc.h>
#include <yaml.h>

#include "buf.h"
#include "frontmatter.h"
#include "json.h"
#include "markdown.h"
#include "site.h"
#include "toml.h"
#include "url.h"

extern char **environ;

#define SITE_FILE_MAX		(1024 * 1024)	/* a config file */
#define SITE_INCLUDE_MAX	(64 * 1024)	/* one include */
#define SITE_INCLUDES_MAX	256
#define SITE_VARS_MAX		4096
#define SITE_GIT_MAX		(64 * 1024 * 1024)	/* git log output */
#define SITE_YAML_DEPTH		16

/*------------------------------------------------------------ helpers */

static int
has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

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
	int		 depth = -1, done = 0, rc = 0, i;
	struct buf	 k;

	if (!yaml_parser_initialize(&p))
		return -1;
	yaml_parser_set_input_string(&p, (const unsigned char *)s, n);
	buf_init(&k, 4096);
	memset(keys, 0, sizeof(keys));
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth >= 0 && depth < SITE_YAML_DEPTH &&
			    !inseq[depth])
				iskey[depth] = 1;
			depth++;
			if (depth < SITE_YAML_DEPTH) {
				free(keys[depth]);
				keys[depth] = NULL;
				iskey[depth] = 1;
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
			buf_reset(&k);
			for (i = 0; i <= depth; i++) {
				if (inseq[i] || keys[i] == NULL)
					continue;
				if (k.len > 0)
					buf_putc(&k, '.');
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
	if (has_suffix(rel, n, ".toml"))
		(void)toml_read_all(b.data ? b.data : "", b.len, 1,
		    reader_value, &r, &err, &eline);
	else if (has_suffix(rel, n, ".json"))
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
 * first such literal for name is taken; anything computed is left out.
 */
static void
read_js_string(struct site *s, const char *root, const char *rel,
    const char *name, const char *key)
{
	struct buf	 b;
	const char	*p, *q;
	char		 quote;
	size_t		 n = strlen(name);

	if (site_var(s, key) != NULL || slurp(root, rel, SITE_FILE_MAX, &b) ==
	    -1)
		return;
	for (p = b.data ? b.data : ""; (p = strstr(p, name)) != NULL; p += n) {
		if (p > b.data && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_'))
			continue;
		q = p + n;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != ':' && *q != '=')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '\'' && *q != '"' && *q != '`')
			continue;
		quote = *q++;
		for (p = q; *p != '\0' && *p != quote && *p != '\n' &&
		    *p != '$'; p++)
			;
		if (*p == quote)
			kv_add(&s->vars, &s->nvars, key, strlen(key), q,
			    (size_t)(p - q));
		break;
	}
	buf_free(&b);
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

void
site_md(const struct site *s, struct md_site *m)
{
	m->var = md_var;
	m->include = md_include;
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

/* Hugo's params.mainSections: the sections whose pages are the posts. */
static void
main_sections(struct site *s, const char *root)
{
	const char	*v, *dir = site_var(s, "contentDir");
	char		 key[64], rel[PATH_MAX];
	size_t		 i, n = 0;

	if (dir == NULL || *dir == '\0' || strstr(dir, "..") != NULL)
		dir = "content";
	for (i = 0; n < SITE_POSTS_MAX && i < SITE_POSTS_MAX; i++) {
		snprintf(key, sizeof(key), "params.mainSections.%zu", i);
		if ((v = site_var(s, key)) == NULL)
			break;
		if (strchr(v, '/') != NULL || strstr(v, "..") != NULL ||
		    (size_t)snprintf(rel, sizeof(rel), "%s/%s", dir, v) >=
		    sizeof(rel) || !exists(root, rel, 1))
			continue;
		if ((s->posts[n] = strdup(rel)) != NULL)
			n++;
	}
}

static void
find_posts(struct site *s, const char *root, const char *override)
{
	static const char *const hugo[] = { "content/posts", "content/post",
	    "content/blog", "content/articles", NULL };
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

	if (override != NULL) {
		s->posts[0] = strdup(override);
		return;
	}
	if (s->gen == SITE_HUGO)
		main_sections(s, root);
	if (s->posts[0] == NULL)
		add_posts(s, root, by_gen[s->gen]);
	if (s->posts[0] == NULL && s->gen == SITE_HUGO)
		add_posts(s, root, (const char *const[]){ "content", NULL });
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
		s->basepath = strdup(path);
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

static void
read_site(struct site *s, const char *root, const struct site_override *o)
{
	static const char *const titles[] = { "title", "params.title",
	    "SITE_TITLE", NULL };
	static const char *const descs[] = { "description",
	    "params.description", "tagline", "params.subtitle", "subtitle",
	    "SITE_DESCRIPTION", NULL };
	static const char *const authors[] = { "author.name", "author",
	    "params.author.name", "params.author", "authors.0", NULL };
	static const char *const langs[] = { "languageCode", "lang",
	    "defaultContentLanguage", "locale", "i18n.defaultLocale", NULL };
	static const char *const urls[] = { "baseURL", "url", "site", NULL };
	const char	*v;
	char		 dir[64];

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
	if (s->gen == SITE_DOCUSAURUS && s->config != NULL) {
		read_js_string(s, root, s->config, "title", "title");
		read_js_string(s, root, s->config, "tagline", "tagline");
		read_js_string(s, root, s->config, "url", "url");
	}
	if (s->gen == SITE_ASTRO) {
		if (s->config != NULL)
			read_js_string(s, root, s->config, "site", "site");
		read_js_string(s, root, "src/consts.ts", "SITE_TITLE",
		    "SITE_TITLE");
		read_js_string(s, root, "src/consts.ts", "SITE_DESCRIPTION",
		    "SITE_DESCRIPTION");
	}
	if (s->gen == SITE_JEKYLL && exists(root, "_includes", 1))
		read_includes(s, root, "_includes", 0);
	if (s->gen == SITE_HUGO) {
		v = site_var(s, "contentDir");
		snprintf(dir, sizeof(dir), "%s", v != NULL && *v != '\0' &&
		    strstr(v, "..") == NULL ? v : "content");
		s->content = strdup(dir);
	} else
		s->content = strdup("");
	/* capsuled.yaml first: it wins. */
	set_str(&s->title, o->title);
	set_str(&s->description, o->description);
	set_str(&s->author, o->author);
	set_str(&s->lang, o->lang);
	set_str(&s->title, first_var(s, titles));
	set_str(&s->description, first_var(s, descs));
	set_str(&s->author, first_var(s, authors));
	set_str(&s->lang, first_var(s, langs));
	set_bases(s, o->site_url != NULL ? o->site_url : first_var(s, urls),
	    s->gen == SITE_JEKYLL ? site_var(s, "baseurl") : NULL);
	if (s->basepath == NULL)
		s->basepath = strdup("");
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
		    "; title \"%s\"", s->title);
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
	for (i = 0; i < s->nvars && n < sizeof(s->report); i++)
		if (strncasecmp(s->vars[i].key, "permalinks.", 11) == 0 ||
		    (strcmp(s->vars[i].key, "permalink") == 0))
			n += (size_t)snprintf(s->report + n,
			    sizeof(s->report) - n, "; %s %s",
			    s->vars[i].key, s->vars[i].val);
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
	for (i = 0; i < s->nadded; i++)
		free(s->added[i].path);
	free(s->added);
	free(s);
}

/*------------------------------------------------------------ kinds */

static int
under(const char *rel, const char *dir)
{
	size_t n = strlen(dir);

	return n == 0 || (strncmp(rel, dir, n) == 0 && rel[n] == '/');
}

static const char *
file_name(const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return slash != NULL ? slash + 1 : rel;
}

int
site_is_section(const struct site *s, const char *rel)
{
	const char	*name = file_name(rel);
	size_t		 i, n;

	if (strncmp(name, "_index.", 7) == 0)
		return 1;
	if (strncmp(name, "index.", 6) != 0)
		return 0;
	/* A posts folder's own index.md lists the posts. */
	n = (size_t)(name - rel);
	for (i = 0; s->posts[i] != NULL; i++)
		if (n > 0 && strlen(s->posts[i]) == n - 1 &&
		    strncmp(rel, s->posts[i], n - 1) == 0)
			return 1;
	return 0;
}

int
site_is_post(const struct site *s, const char *rel)
{
	size_t i;

	if (site_is_section(s, rel))
		return 0;
	for (i = 0; s->posts[i] != NULL; i++)
		if (under(rel, s->posts[i]))
			return 1;
	return 0;
}

int
site_hides_future(const struct site *s)
{
	const char *v;

	if (s->gen == SITE_HUGO)
		return (v = site_var(s, "buildFuture")) == NULL ||
		    strcmp(v, "true") != 0;
	if (s->gen == SITE_JEKYLL)
		return (v = site_var(s, "future")) == NULL ||
		    strcmp(v, "true") != 0;
	return 0;
}

int
site_private_name(const struct site *s, const char *name, int top)
{
	size_t n = strlen(name);

	if (n == 0)
		return 0;
	if (name[n - 1] == '~' || (n > 1 && name[0] == '#' &&
	    name[n - 1] == '#') ||
	    has_suffix(name, n, ".bak") || has_suffix(name, n, ".orig") ||
	    has_suffix(name, n, ".swp") || has_suffix(name, n, ".swo") ||
	    has_suffix(name, n, ".rej"))
		return 1;
	if (strcmp(name, "node_modules") == 0 || strcmp(name, "_site") == 0)
		return 1;
	/* Hugo writes the site it builds into public/ (Next.js keeps its
	 * static files there instead), and its image cache in resources/. */
	return top && s != NULL && s->gen == SITE_HUGO &&
	    (strcmp(name, "public") == 0 || strcmp(name, "resources") == 0);
}

/*------------------------------------------------------------ paths */

/* Hugo's and Jekyll's slugs: lowercase (every script), spaces and
 * punctuation to '-', letters of other scripts kept. */
static int
urlize(struct buf *out, const char *s, size_t n)
{
	utf8proc_uint8_t	 enc[4];
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 k;
	size_t			 i;
	int			 dash = 0;

	for (i = 0; i < n; i += (size_t)k) {
		unsigned char c = (unsigned char)s[i];

		k = 1;
		if (c >= 0x80 || isalnum(c) || c == '_' || c == '.') {
			if (dash && out->len > 0 &&
			    out->data[out->len - 1] != '/' &&
			    buf_putc(out, '-') == -1)
				return -1;
			dash = 0;
			if (c < 0x80) {
				if (buf_putc(out, tolower(c)) == -1)
					return -1;
				continue;
			}
			k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
			    (utf8proc_ssize_t)(n - i), &cp);
			if (k < 1) {
				k = 1;
				continue;	/* not UTF-8: dropped */
			}
			if (buf_append(out, enc, (size_t)utf8proc_encode_char(
			    utf8proc_tolower(cp), enc)) == -1)
				return -1;
		} else if (c == '/') {
			dash = 0;
			if (buf_putc(out, '/') == -1)
				return -1;
		} else
			dash = 1;
	}
	if (dash && out->len > 0 && s[n - 1] == '-')
		return buf_putc(out, '-');
	return 0;
}

/* The file's stem, a bundle's folder name. */
static void
stem_of(const char *rel, const char **p, size_t *n)
{
	const char	*name = file_name(rel), *dot;

	if ((strncmp(name, "index.", 6) == 0 ||
	    strncmp(name, "_index.", 7) == 0) && name > rel) {
		const char *d = name - 1;

		while (d > rel && d[-1] != '/')
			d--;
		*p = d;
		*n = (size_t)(name - 1 - d);
		return;
	}
	dot = strrchr(name, '.');
	*p = name;
	*n = dot != NULL ? (size_t)(dot - name) : strlen(name);
}

/* A "YYYY-MM-DD-" prefix: its length (11), else 0. */
static size_t
date_prefix(const char *p, size_t n)
{
	size_t k;

	if (n < 11 || p[10] != '-')
		return 0;
	for (k = 0; k < 10; k++)
		if ((k == 4 || k == 7) ? p[k] != '-' :
		    !isdigit((unsigned char)p[k]))
			return 0;
	return 11;
}

struct fields {
	struct tm	 tm;
	const char	*title, *slug, *section, *filename, *categories,
			*path;
	char		 collection[128];
	size_t		 titlen, sluglen, seclen, fnlen, pathlen;
	const char	*ext;
};

/* A permalink pattern with :placeholders filled in. */
static int
expand(struct buf *out, const char *pat, const struct fields *f)
{
	static const char *const names[] = {
		"year", "month", "day", "i_month", "i_day", "short_year",
		"y_day", "title", "slug", "slugorfilename", "section",
		"sections", "filename", "contentbasename", "categories",
		"output_ext", "collection", "path", "name", "hour", "minute",
		"second", "slugorcontentbasename", NULL
	};
	const char	*p = pat, *e;
	size_t		 i, n, best, bestn;
	int		 r = 0;

	if (*p != '/' && buf_putc(out, '/') == -1)
		return -1;
	while (*p != '\0' && r == 0) {
		if (*p != ':') {
			r = buf_putc(out, *p++);
			continue;
		}
		for (e = p + 1; isalnum((unsigned char)*e) || *e == '_'; e++)
			;
		n = (size_t)(e - p - 1);
		best = SIZE_MAX;
		bestn = 0;
		for (i = 0; names[i] != NULL; i++)
			if (strlen(names[i]) <= n && strlen(names[i]) > bestn &&
			    strncmp(p + 1, names[i], strlen(names[i])) == 0) {
				best = i;
				bestn = strlen(names[i]);
			}
		if (best == SIZE_MAX) {
			r = buf_putc(out, *p++);
			continue;
		}
		p += 1 + bestn;
		switch (best) {
		case 0:
			r = buf_printf(out, "%04d", f->tm.tm_year + 1900);
			break;
		case 1:
			r = buf_printf(out, "%02d", f->tm.tm_mon + 1);
			break;
		case 2:
			r = buf_printf(out, "%02d", f->tm.tm_mday);
			break;
		case 3:
			r = buf_printf(out, "%d", f->tm.tm_mon + 1);
			break;
		case 4:
			r = buf_printf(out, "%d", f->tm.tm_mday);
			break;
		case 5:
			r = buf_printf(out, "%02d", f->tm.tm_year % 100);
			break;
		case 6:
			r = buf_printf(out, "%03d", f->tm.tm_yday + 1);
			break;
		case 7:
			r = urlize(out, f->title, f->titlen);
			break;
		case 8:
		case 9:
		case 22:
			r = f->slug != NULL ? urlize(out, f->slug, f->sluglen) :
			    best != 8 ? urlize(out, f->filename, f->fnlen) :
			    urlize(out, f->title, f->titlen);
			break;
		case 10:
		case 11:
			r = buf_append(out, f->section, f->seclen);
			break;
		case 12:
		case 13:
		case 18:
			r = urlize(out, f->filename, f->fnlen);
			break;
		case 14:
			/* Jekyll lowercases categories and keeps the rest. */
			for (e = f->categories; e != NULL && *e != '\0' &&
			    r == 0; e++)
				r = buf_putc(out, tolower((unsigned char)*e));
			break;
		case 15:
			r = buf_puts(out, f->ext);
			break;
		case 16:
			r = buf_puts(out, f->collection);
			break;
		case 17:
			r = buf_append(out, f->path, f->pathlen);
			break;
		case 19:
			r = buf_printf(out, "%02d", f->tm.tm_hour);
			break;
		case 20:
			r = buf_printf(out, "%02d", f->tm.tm_min);
			break;
		default:
			r = buf_printf(out, "%02d", f->tm.tm_sec);
			break;
		}
	}
	if (r == -1)
		return -1;
	/* Empty placeholders leave "//": one slash, as the generators do. */
	for (i = n = 0; i < out->len; i++)
		if (!(out->data[i] == '/' && n > 0 &&
		    out->data[n - 1] == '/'))
			out->data[n++] = out->data[i];
	out->len = n;
	return buf_putc(out, '\0') == -1 ? -1 : (out->len--, 0);
}

/* A Jekyll permalink style name, as its pattern. */
static const char *
jekyll_style(const char *v, int post)
{
	if (v == NULL || strcmp(v, "date") == 0)
		return post ? "/:categories/:year/:month/:day/:title:output_ext"
		    : NULL;
	if (strcmp(v, "pretty") == 0)
		return post ? "/:categories/:year/:month/:day/:title/" : "/";
	if (strcmp(v, "ordinal") == 0)
		return post ? "/:categories/:year/:y_day/:title:output_ext" :
		    NULL;
	if (strcmp(v, "weekdate") == 0)
		return post ? "/:categories/:year/W:week/:short_day/:title"
		    ":output_ext" : NULL;
	if (strcmp(v, "none") == 0)
		return post ? "/:categories/:title:output_ext" : NULL;
	return v;
}

/* The path of rel without its extension, a bundle as its folder. */
static int
plain_path(struct buf *out, const char *rel, int slash, const char *ext)
{
	const char	*name = file_name(rel), *dot;
	size_t		 n;

	if (buf_putc(out, '/') == -1)
		return -1;
	if (strncmp(name, "index.", 6) == 0 ||
	    strncmp(name, "_index.", 7) == 0 ||
	    strncmp(name, "README.", 7) == 0)
		return buf_append(out, rel, (size_t)(name - rel));
	dot = strrchr(name, '.');
	n = dot != NULL ? (size_t)(dot - rel) : strlen(rel);
	if (buf_append(out, rel, n) == -1)
		return -1;
	if (slash)
		return buf_putc(out, '/');
	return ext != NULL ? buf_puts(out, ext) : 0;
}

static int
hugo_path(const struct site *s, const char *rel, const struct page_meta *m,
    struct fields *f, struct buf *out)
{
	const char	*crel = rel, *pat = NULL, *name = file_name(rel), *sl;
	size_t		 cn = strlen(s->content);
	char		 key[300];
	int		 ugly;

	if (cn > 0) {
		if (!under(rel, s->content))
			return plain_path(out, rel, 0, NULL);
		crel += cn + 1;
	}
	ugly = site_var(s, "uglyURLs") != NULL &&
	    strcmp(site_var(s, "uglyURLs"), "true") == 0;
	if (m->permalink != NULL) {	/* front matter url */
		if (m->permalink[0] != '/' && buf_putc(out, '/') == -1)
			return -1;
		return buf_puts(out, m->permalink);
	}
	if (strncmp(name, "_index.", 7) == 0) {
		if (buf_putc(out, '/') == -1 ||
		    urlize(out, crel, (size_t)(name - crel)) == -1)
			return -1;
		if (ugly && out->len > 1) {
			out->len--;
			return buf_puts(out, ".html");
		}
		return 0;
	}
	sl = strchr(crel, '/');
	f->section = sl != NULL ? crel : "";
	f->seclen = sl != NULL ? (size_t)(sl - crel) : 0;
	if (f->seclen > 0) {
		snprintf(key, sizeof(key), "permalinks.%.*s", (int)f->seclen,
		    f->section);
		if ((pat = site_var(s, key)) == NULL) {
			snprintf(key, sizeof(key), "permalinks.page.%.*s",
			    (int)f->seclen, f->section);
			pat = site_var(s, key);
		}
	}
	if (pat != NULL) {
		if (expand(out, pat, f) == -1)
			return -1;
		/* uglyURLs: "/x/" and "/x" are published as "/x.html". */
		if (ugly && out->len > 1) {
			if (out->data[out->len - 1] == '/')
				out->len--;
			return buf_puts(out, ".html");
		}
		return 0;
	}
	/* The folder path, then the slug or the file's name. */
	if (buf_putc(out, '/') == -1)
		return -1;
	if (f->filename > crel && urlize(out, crel,
	    (size_t)(f->filename - crel)) == -1)
		return -1;
	if ((m->slug != NULL ? urlize(out, m->slug, strlen(m->slug)) :
	    urlize(out, f->filename, f->fnlen)) == -1)
		return -1;
	return buf_puts(out, ugly && strncmp(name, "index.", 6) != 0 ?
	    ".html" : "/");
}

static int
jekyll_path(const struct site *s, const char *rel, const struct page_meta *m,
    struct fields *f, struct buf *out)
{
	const char	*pat = NULL, *global = site_var(s, "permalink");
	const char	*slash = strchr(rel, '/');
	char		 key[300];
	int		 post = under(rel, "_posts");

	f->ext = ".html";
	if (post) {
		size_t k = date_prefix(f->filename, f->fnlen);

		f->filename += k;
		f->fnlen -= k;
		f->title = f->filename;
		f->titlen = f->fnlen;
		f->categories = m->categories;
	}
	if (slash != NULL && rel[0] == '_' && !post) {
		/* A collection: _NAME/x.md, when it is output. */
		snprintf(key, sizeof(key), "collections.%.*s.permalink",
		    (int)(slash - rel - 1), rel + 1);
		pat = site_var(s, key);
		snprintf(f->collection, sizeof(f->collection), "%.*s",
		    (int)(slash - rel - 1), rel + 1);
		f->path = slash + 1;
		f->pathlen = strlen(slash + 1);
		if (strrchr(f->path, '.') != NULL)
			f->pathlen = (size_t)(strrchr(f->path, '.') - f->path);
		if (pat == NULL)
			pat = "/:collection/:path:output_ext";
	}
	if (m->permalink != NULL)
		pat = m->permalink;
	if (pat == NULL && post)
		pat = jekyll_style(global, post);
	if (pat != NULL)
		return expand(out, pat, f);
	/* A page: its path, pretty when the site's permalinks are. */
	global = jekyll_style(global, 0);
	return plain_path(out, rel, global != NULL &&
	    global[strlen(global) - 1] == '/', ".html");
}

static int
docusaurus_path(const char *rel, const struct page_meta *m,
    struct fields *f, struct buf *out)
{
	size_t k;

	if (under(rel, "blog")) {
		if (m->slug != NULL)
			return buf_printf(out, "/blog/%s", m->slug +
			    (m->slug[0] == '/')) == -1 ? -1 : 0;
		if ((k = date_prefix(f->filename, f->fnlen)) > 0)
			return buf_printf(out, "/blog/%.4s/%.2s/%.2s/%.*s",
			    f->filename, f->filename + 5, f->filename + 8,
			    (int)(f->fnlen - k), f->filename + k) == -1 ?
			    -1 : 0;
		return buf_printf(out, "/blog/%.*s", (int)f->fnlen,
		    f->filename) == -1 ? -1 : 0;
	}
	if (under(rel, "src/pages"))
		return plain_path(out, rel + 9, 0, NULL);
	return plain_path(out, rel, 0, NULL);
}

int
site_web_path(const struct site *s, const char *rel,
    const struct page_meta *m, time_t date, int tzoff, struct buf *out)
{
	struct fields	 f;
	time_t		 t = date + (time_t)tzoff * 60;
	const char	*p;
	size_t		 n;

	memset(&f, 0, sizeof(f));
	gmtime_r(&t, &f.tm);
	stem_of(rel, &f.filename, &f.fnlen);
	f.title = m->title != NULL ? m->title : f.filename;
	f.titlen = strlen(f.title);
	if (m->title == NULL)
		f.titlen = f.fnlen;
	f.slug = m->slug;
	f.sluglen = m->slug != NULL ? strlen(m->slug) : 0;
	f.ext = "";
	switch (s->gen) {
	case SITE_HUGO:
		return hugo_path(s, rel, m, &f, out);
	case SITE_JEKYLL:
		return jekyll_path(s, rel, m, &f, out);
	case SITE_NEXTJS:
		if (under(rel, "_posts"))
			return buf_printf(out, "/posts/%.*s", (int)f.fnlen,
			    f.filename) == -1 ? -1 : 0;
		break;
	case SITE_ZENN:
		if (under(rel, "articles"))
			return buf_printf(out, "/articles/%.*s", (int)f.fnlen,
			    f.filename) == -1 ? -1 : 0;
		if (under(rel, "books") && strchr(rel + 6, '/') != NULL) {
			p = rel + 6;
			n = (size_t)(strchr(p, '/') - p);
			return buf_printf(out, "/books/%.*s/viewer/%.*s",
			    (int)n, p, (int)f.fnlen, f.filename) == -1 ?
			    -1 : 0;
		}
		break;
	case SITE_HATENA:
		/* blogsync's URL: the entry's address on the web. */
		if (m->permalink != NULL &&
		    (p = strstr(m->permalink, "://")) != NULL &&
		    (p = strchr(p + 3, '/')) != NULL)
			return buf_puts(out, p);
		break;
	case SITE_ASTRO:
		if (under(rel, "src/content/blog") ||
		    under(rel, "src/content/posts")) {
			p = strchr(rel + 12, '/') + 1;
			return buf_printf(out, "/%.*s/%.*s/",
			    (int)(p - rel - 13), rel + 12,
			    (int)(m->slug ? strlen(m->slug) : f.fnlen),
			    m->slug ? m->slug : f.filename) == -1 ? -1 : 0;
		}
		if (under(rel, "src/pages"))
			return plain_path(out, rel + 10, 1, NULL);
		break;
	case SITE_DOCUSAURUS:
		return docusaurus_path(rel, m, &f, out);
	case SITE_PLAIN:
		break;
	}
	return plain_path(out, rel, 0, NULL);
}

int
site_source_key(const char *rel, struct buf *out)
{
	const char	*name = file_name(rel), *dot;
	size_t		 n;

	if (buf_putc(out, '/') == -1)
		return -1;
	if (strncmp(name, "index.", 6) == 0 ||
	    strncmp(name, "_index.", 7) == 0) {
		n = (size_t)(name - rel);
		while (n > 0 && rel[n - 1] == '/')
			n--;
		return buf_append(out, rel, n);
	}
	dot = strrchr(name, '.');
	n = dot != NULL ? (size_t)(dot - rel) : strlen(rel);
	return buf_append(out, rel, n);
}

#define SITE_TAGS	"/tags"

int
site_tag_path(const char *tag, struct buf *out)
{
	if (buf_puts(out, SITE_TAGS "/") == -1 ||
	    url_encode_path(out, tag, strlen(tag)) == -1)
		return -1;
	return buf_putc(out, '/');
}

#define SITE_CATEGORIES	"/categories"

int
site_category_path(const struct site *s, const char *key, struct buf *out)
{
	size_t		 n = sizeof(SITE_CATEGORIES) - 1;
	const char	*name = key + n + 1;

	/* Hugo's default taxonomies are tags and categories; elsewhere a
	 * folder of that name is only a folder. */
	if (s == NULL || s->gen != SITE_HUGO ||
	    strncmp(key, SITE_CATEGORIES, n) != 0)
		return 0;
	if (key[n] == '\0')
		return buf_puts(out, SITE_TAGS "/") == -1 ? -1 : 1;
	if (key[n] != '/' || *name == '\0' || strchr(name, '/') != NULL)
		return 0;
	return site_tag_path(name, out) == -1 ? -1 : 1;
}

int
site_is_tag_key(const char *key)
{
	size_t n = sizeof(SITE_TAGS) - 1;

	return strncmp(key, SITE_TAGS, n) == 0 &&
	    (key[n] == '\0' || key[n] == '/');
}

const char *
site_own_url(const struct site *s, const char *url, size_t n,
    size_t *pathlen)
{
	size_t i, k;

	for (i = 0; s != NULL && s->bases != NULL && s->bases[i] != NULL;
	    i++) {
		k = strlen(s->bases[i]);
		if (n >= k && strncasecmp(url, s->bases[i], k) == 0 &&
		    (n == k || url[k] == '/' || url[k] == '?' ||
		    url[k] == '#')) {
			*pathlen = n - k;
			return n == k ? "/" : url + k;
		}
	}
	return NULL;
}

char *
site_key(const struct site *s, const char *path, const char *dir,
    size_t dirlen)
{
	static const char *const exts[] = { ".html", ".htm", ".gmi", ".md",
	    ".markdown", NULL };
	const char	*own;
	size_t		 n = strlen(path), i, m, bp;
	char		*k;

	if ((own = site_own_url(s, path, n, &m)) != NULL) {
		path = m > 0 ? own : "/";
		n = m > 0 ? m : 1;
	}
	if (memchr(path, ':', n) != NULL || strstr(path, "//") == path)
		return NULL;	/* a URL or a Jekyll :placeholder */
	if (path[0] == '/')
		dirlen = 0;
	/* The site's base path ("/blog" of a project page) is not ours. */
	bp = s != NULL ? strlen(s->basepath) : 0;
	if (path[0] == '/' && bp > 1 && n >= bp &&
	    strncmp(path, s->basepath, bp) == 0 &&
	    (n == bp || path[bp] == '/')) {
		path += bp;
		n -= bp;
	}
	if ((k = malloc(dirlen + n + 4)) == NULL)
		return NULL;
	snprintf(k, dirlen + n + 4, "/%.*s%s%.*s", (int)dirlen, dir,
	    dirlen ? "/" : "", (int)(path[0] == '/' ? n - 1 : n),
	    path[0] == '/' ? path + 1 : path);
	k[strcspn(k, "?#")] = '\0';
	if (url_normalize_path(k) == -1) {
		free(k);
		return NULL;
	}
	n = strlen(k);
	while (n > 1 && k[n - 1] == '/')
		k[--n] = '\0';
	/* Gopher's plain-text form of a page: "/x/y.html.txt", "/x/y.txt". */
	if (n > 4 && strcasecmp(k + n - 4, ".txt") == 0)
		k[n -= 4] = '\0';
	for (i = 0; exts[i] != NULL; i++) {
		m = strlen(exts[i]);
		if (n > m && strcasecmp(k + n - m, exts[i]) == 0) {
			k[n -= m] = '\0';
			/* "/x/index.html", "/x/_index.md": the folder's page. */
			if (n >= 6 && strcmp(k + n - 6, "/index") == 0)
				k[n -= 6] = '\0';
			else if (n >= 7 && strcmp(k + n - 7, "/_index") == 0)
				k[n -= 7] = '\0';
			if (n == 0)
				k[n++] = '/';
			k[n] = '\0';
			break;
		}
	}
	return k;
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

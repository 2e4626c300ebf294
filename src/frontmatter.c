/*
 * frontmatter: the metadata block at the top of a Markdown page (YAML
 * `---`, TOML `+++` or a JSON object) read into struct page_meta, with the
 * key conventions of Hugo, Jekyll, the Next.js blog starter and Zenn, and
 * the date forms blogs write.  Pure: bytes in, struct out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>
#include <yaml.h>

#include "buf.h"
#include "entity.h"
#include "frontmatter.h"
#include "json.h"
#include "toml.h"

#define FM_MAXTAGS	256	/* tags kept per page; more is an error */
#define FM_MAXALIASES	64	/* aliases kept per page, likewise */
#define FM_MAXDEPTH	64	/* YAML flow nesting (see fm_yaml_depth) */
#define FM_MAXANCHORS	32	/* YAML scalar anchors remembered */
#define FM_MAXLANG	35	/* longest language tag accepted */
#define FM_JST		540	/* Zenn's published_at is Japan time */

/* The keys we read; everything else is skipped. */
enum fm_key {
	K_NONE,
	K_TITLE,
	K_DATE,		/* date */
	K_PUBDATE,	/* publishDate, pubDate: used when date is absent */
	K_ZENNDATE,	/* published_at: Zenn, Japan time */
	K_TAGS,		/* tags, categories, category, topics */
	K_DESC,
	K_SUMMARY,
	K_EXCERPT,
	K_LANG,
	K_DRAFT,
	K_PUBLISHED,
	K_SLUG,
	K_BREAKS,
	K_ALIASES,	/* aliases (Hugo), redirect_from (Jekyll): old paths */
	K_PERMALINK,	/* permalink: Jekyll's path for the page */
	K_COVER,	/* coverImage, cover_image, featured_image */
	K_IMAGE,	/* image, cover (or their url/path/image key) */
	K_IMAGES,	/* images: Hugo's list, the first one */
	K_OGIMAGE,	/* ogImage (or its url key) */
	K_LAYOUT,	/* layout: Jekyll's template name */
	K_CATS,		/* categories, category: tags, and Jekyll's
			   :categories in permalinks */
	K_URL,		/* url (Hugo), URL (blogsync): the page's path */
	K_UPDATED,	/* lastmod, updated, last_modified_at */
	K_EDITURL,	/* EditURL: a Hatena blogsync entry's */
	K_TERMS		/* a taxonomy of the site's own (series): terms
			   only, not tags */
};

/* A site without taxonomies of its own: every kind of tag is a tag. */
static const struct fm_taxonomy fm_default_tax[] = {
	{ "tags", "tags" }, { "topics", "tags" }, { "categories", "tags" },
	{ "category", "tags" }, { NULL, NULL }
};

static const struct {
	const char	*name;
	enum fm_key	 key;
} fm_keys[] = {
	{ "title",		K_TITLE },
	{ "date",		K_DATE },
	{ "publishdate",	K_PUBDATE },
	{ "pubdate",		K_PUBDATE },
	{ "published_at",	K_ZENNDATE },
	{ "tags",		K_TAGS },
	{ "categories",		K_CATS },
	{ "category",		K_CATS },
	{ "url",		K_URL },
	{ "lastmod",		K_UPDATED },
	{ "updated",		K_UPDATED },
	{ "last_modified_at",	K_UPDATED },
	{ "updateddate",	K_UPDATED },
	{ "topics",		K_TAGS },
	{ "description",	K_DESC },
	{ "summary",		K_SUMMARY },
	{ "excerpt",		K_EXCERPT },
	{ "lang",		K_LANG },
	{ "draft",		K_DRAFT },
	{ "isdraft",		K_DRAFT },	/* Astro themes */
	{ "published",		K_PUBLISHED },
	{ "slug",		K_SLUG },
	{ "breaks",		K_BREAKS },
	{ "aliases",		K_ALIASES },
	{ "redirect_from",	K_ALIASES },	/* jekyll-redirect-from */
	{ "permalink",		K_PERMALINK },
	{ "coverimage",		K_COVER },
	{ "cover_image",	K_COVER },
	{ "featured_image",	K_COVER },
	{ "featuredimage",	K_COVER },
	{ "heroimage",		K_COVER },
	{ "image",		K_IMAGE },
	{ "cover",		K_IMAGE },
	{ "images",		K_IMAGES },
	{ "ogimage",		K_OGIMAGE },
	{ "og_image",		K_OGIMAGE },
	{ "layout",		K_LAYOUT },
	{ "editurl",		K_EDITURL },
};

/* What the three readers share while filling one page_meta. */
struct fm_ctx {
	struct page_meta	*m;
	size_t			 tagcap;
	const struct fm_taxonomy *tax;
	const char		*curtax;	/* the taxonomy of the key last
						   looked up, or NULL */
	size_t			 termcap;
	int			 sumrank;	/* 3 description .. 1 excerpt */
	int			 imgrank;	/* 4 coverImage .. 1 ogImage */
	size_t			 aliascap;
	int			 daterank;	/* 3 date .. 1 published_at */
	int			 draft;		/* -1 absent, else the value */
	int			 published;	/* -1 absent, else the value */
	int			 oom;
};

/*------------------------------------------------------------------
 * Text helpers
 */

/* Length (1-4) and code point of the valid UTF-8 sequence at s, or 0. */
static size_t
fm_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t	 c;
	size_t		 len, k;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int
fm_put_utf8(struct buf *b, uint32_t cp)
{
	utf8proc_uint8_t	 u[4];

	return buf_append(b, u,
	    (size_t)utf8proc_encode_char((utf8proc_int32_t)cp, u));
}

/* Characters libyaml refuses (YAML's printable set) and NEL. */
static int
fm_badchar(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	    (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff;
}

/*
 * Copy a value into a new string that is safe on a Gemini or Gopher
 * line: valid UTF-8 (bad bytes become U+FFFD), no control characters,
 * each whitespace run folded to one space, trimmed.  With keepnl, runs
 * holding newlines become one newline (two for a blank line), so a
 * multi-paragraph summary keeps its shape.  *out is NULL when nothing is
 * left.  Returns -1 on allocation failure.
 */
static int
fm_clean(const char *s, size_t n, int keepnl, char **out)
{
	struct buf	 b;
	size_t		 i, k;
	uint32_t	 cp;
	int		 nl = 0, sp = 0, r = 0;

	*out = NULL;
	if (n > SIZE_MAX / 3 - 1)
		return -1;
	buf_init(&b, n * 3 + 1);
	for (i = 0; i < n && r == 0; i += k) {
		if ((k = fm_utf8((const unsigned char *)s + i, n - i,
		    &cp)) == 0) {
			k = 1;
			cp = 0xfffd;
		}
		if (cp == '\n' && keepnl) {
			nl++;
			continue;
		}
		if (cp == ' ' || fm_badchar(cp) || cp == '\t' || cp == '\r' ||
		    cp == '\n' || cp == 0x2028 || cp == 0x2029) {
			sp = 1;
			continue;
		}
		if (b.len > 0 && nl > 0)
			r = buf_puts(&b, nl > 1 ? "\n\n" : "\n");
		else if (b.len > 0 && sp)
			r = buf_putc(&b, ' ');
		nl = sp = 0;
		if (r == 0)
			r = cp == 0xfffd ? fm_put_utf8(&b, cp) :
			    buf_append(&b, s + i, k);
	}
	if (r == 0 && b.len > 0 && (*out = buf_detach(&b, NULL)) == NULL)
		r = -1;
	buf_free(&b);
	return r;
}

static int
fm_bool(const char *v, size_t n)
{
	static const char	*yes[] = { "true", "yes", "on", "1" };
	static const char	*no[] = { "false", "no", "off", "0" };
	size_t			 i;

	if (v == NULL)
		return -1;
	while (n > 0 && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strlen(yes[i]) == n && strncasecmp(v, yes[i], n) == 0)
			return 1;
		if (strlen(no[i]) == n && strncasecmp(v, no[i], n) == 0)
			return 0;
	}
	return -1;
}

/*------------------------------------------------------------------
 * Dates
 */

/* Read min..max decimal digits at s[*i]. */
static int
fm_num(const char *s, size_t n, size_t *i, size_t min, size_t max, int *v)
{
	size_t	 k;
	int	 x = 0;

	for (k = 0; k < max && *i + k < n && s[*i + k] >= '0' &&
	    s[*i + k] <= '9'; k++)
		x = x * 10 + (s[*i + k] - '0');
	if (k < min)
		return -1;
	*i += k;
	*v = x;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long long
fm_days(int y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
fm_mdays(int y, int m)
{
	static const int	 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/*
 * The date forms blogs write: YYYY-MM-DD or YYYY/M/D, optionally a time
 * after T or spaces (HH:MM, seconds and a fraction optional), optionally
 * a zone (Z, +09:00, +0900, +09, UTC).  *haszone tells whether a zone was
 * written; without one the time is UTC.
 */
/*
 * "Jul 08 2022", "July 8, 2022": the form JavaScript's Date reads, which
 * Astro's blog template writes in pubDate.  Midnight UTC.
 */
static int
fm_date_words(const char *s, size_t n, time_t *t, int *tzoff, int *haszone)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	size_t	 i = 0, k;
	int	 mo = 0, d, y;

	while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') ||
	    (s[i] >= 'a' && s[i] <= 'z')))
		i++;
	if (i < 3)
		return -1;
	for (k = 0; k < 12 && mo == 0; k++)
		if (strncasecmp(s, months + k * 3, 3) == 0)
			mo = (int)k + 1;
	if (mo == 0 || i >= n || s[i++] != ' ' ||
	    fm_num(s, n, &i, 1, 2, &d) == -1)
		return -1;
	if (i < n && s[i] == ',')
		i++;
	if (i >= n || s[i++] != ' ' || fm_num(s, n, &i, 4, 4, &y) == -1 ||
	    i != n || d < 1 || d > fm_mdays(y, mo))
		return -1;
	*t = (time_t)(fm_days(y, mo, d) * 86400);
	*tzoff = 0;
	if (haszone != NULL)
		*haszone = 0;
	return 0;
}

static int
fm_date(const char *s, size_t n, time_t *t, int *tzoff, int *haszone)
{
	size_t	 i = 0;
	int	 y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, off = 0;
	int	 zone = 0, frac;
	char	 sep;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
		s++;
		n -= 2;
	}
	if (n > 0 && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return fm_date_words(s, n, t, tzoff, haszone);
	if (fm_num(s, n, &i, 4, 4, &y) == -1 || i >= n ||
	    (s[i] != '-' && s[i] != '/'))
		return -1;
	sep = s[i++];
	if (fm_num(s, n, &i, 1, 2, &mo) == -1 || i >= n || s[i++] != sep ||
	    fm_num(s, n, &i, 1, 2, &d) == -1)
		return -1;
	if (i < n) {
		if (s[i] == 'T' || s[i] == 't')
			i++;
		else if (s[i] == ' ' || s[i] == '\t') {
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
		} else
			return -1;
		if (fm_num(s, n, &i, 1, 2, &h) == -1 || i >= n ||
		    s[i++] != ':' || fm_num(s, n, &i, 2, 2, &mi) == -1)
			return -1;
		if (i < n && s[i] == ':') {
			i++;
			if (fm_num(s, n, &i, 2, 2, &sec) == -1)
				return -1;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				i++;
				if (fm_num(s, n, &i, 1, 1, &frac) == -1)
					return -1;
				while (i < n && s[i] >= '0' && s[i] <= '9')
					i++;
			}
		}
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
			zone = 1;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			sep = s[i++];
			if (fm_num(s, n, &i, 2, 2, &oh) == -1)
				return -1;
			if (i < n && s[i] == ':')
				i++;
			if (i < n && fm_num(s, n, &i, 2, 2, &om) == -1)
				return -1;
			if (oh > 23 || om > 59)
				return -1;
			off = oh * 60 + om;
			if (sep == '-')
				off = -off;
			zone = 1;
		} else if (n - i == 3 && (strncasecmp(s + i, "UTC", 3) == 0 ||
		    strncasecmp(s + i, "GMT", 3) == 0)) {
			i += 3;
			zone = 1;
		}
	}
	if (i != n)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > fm_mdays(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	*t = (time_t)(fm_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    off * 60);
	*tzoff = off;
	if (haszone != NULL)
		*haszone = zone;
	return 0;
}

int
frontmatter_parse_date(const char *s, time_t *t, int *tzoff)
{
	if (s == NULL)
		return -1;
	return fm_date(s, strlen(s), t, tzoff, NULL);
}

/*------------------------------------------------------------------
 * Key mapping, shared by the three readers
 */

/* The kind of key k; c->curtax becomes the taxonomy it feeds. */
static enum fm_key
fm_lookup(struct fm_ctx *c, const char *k, size_t n)
{
	enum fm_key	 key = K_NONE;
	size_t		 i;

	c->curtax = NULL;
	if (k == NULL)
		return K_NONE;
	for (i = 0; c->tax[i].key != NULL; i++)
		if (strlen(c->tax[i].key) == n &&
		    strncasecmp(k, c->tax[i].key, n) == 0) {
			c->curtax = c->tax[i].name;
			key = K_TERMS;
			break;
		}
	for (i = 0; i < sizeof(fm_keys) / sizeof(fm_keys[0]); i++)
		if (strlen(fm_keys[i].name) == n &&
		    strncasecmp(k, fm_keys[i].name, n) == 0)
			return fm_keys[i].key;
	return key;
}

/* Record an error; the one on the earliest line is kept. */
static void
fm_err(struct fm_ctx *c, unsigned long line, const char *msg)
{
	char	*e;

	if (c->m->err_line != 0 && c->m->err_line <= line)
		return;
	if ((e = strdup(msg)) == NULL) {
		c->oom = 1;
		return;
	}
	free(c->m->err);
	c->m->err = e;
	c->m->err_line = line;
}

static void
fm_setstr(struct fm_ctx *c, char **dst, const char *v, size_t n, int keepnl)
{
	char	*s = NULL;

	if (v != NULL && fm_clean(v, n, keepnl, &s) == -1) {
		c->oom = 1;
		return;
	}
	free(*dst);
	*dst = s;
}

/* Add v to a list of tags (or of terms, each "pre/" + v), unless it is
 * there already. */
static void
fm_addlist(struct fm_ctx *c, char ***list, size_t *np, size_t *cap,
    const char *pre, const char *v, size_t n, unsigned long line)
{
	char	*s, *t, **p;
	size_t	 i;

	if (fm_clean(v, n, 0, &s) == -1) {
		c->oom = 1;
		return;
	}
	if (s == NULL)
		return;
	if (pre != NULL) {
		i = strlen(pre) + strlen(s) + 2;
		if ((t = malloc(i)) == NULL) {
			free(s);
			c->oom = 1;
			return;
		}
		snprintf(t, i, "%s/%s", pre, s);
		free(s);
		s = t;
	}
	/* Case-insensitive, so "Go" and "go" do not make two tag pages. */
	for (i = 0; i < *np; i++)
		if (strcasecmp((*list)[i], s) == 0) {
			free(s);
			return;
		}
	if (*np == FM_MAXTAGS) {
		free(s);
		fm_err(c, line, "too many tags");
		return;
	}
	if (*np == *cap) {
		i = *cap ? *cap * 2 : 8;
		if ((p = reallocarray(*list, i, sizeof(*p))) == NULL) {
			free(s);
			c->oom = 1;
			return;
		}
		*list = p;
		*cap = i;
	}
	(*list)[(*np)++] = s;
}

/* One tag under key k: a tag (unless k is only a taxonomy of the site's)
 * and a term of the taxonomy k feeds. */
static void
fm_addtag(struct fm_ctx *c, enum fm_key k, const char *v, size_t n,
    unsigned long line)
{
	if (k != K_TERMS)
		fm_addlist(c, &c->m->tags, &c->m->ntags, &c->tagcap, NULL, v,
		    n, line);
	if (c->curtax != NULL)
		fm_addlist(c, &c->m->terms, &c->m->nterms, &c->termcap,
		    c->curtax, v, n, line);
}

/*
 * A single string of tags, as Jekyll and Hugo allow: split on commas when
 * there are any ("machine learning, go"), else on spaces ("go c unix").
 */
static void
fm_splittags(struct fm_ctx *c, enum fm_key k, const char *v, size_t n,
    unsigned long line)
{
	size_t	 i, j;
	int	 comma;

	comma = memchr(v, ',', n) != NULL;
	for (i = 0; i < n && !c->oom; i = j + 1) {
		for (j = i; j < n; j++)
			if (comma ? v[j] == ',' : (v[j] == ' ' ||
			    v[j] == '\t' || v[j] == '\n' || v[j] == '\r'))
				break;
		fm_addtag(c, k, v + i, j - i, line);
	}
}

/*
 * A date for one of the date keys; the highest rank written wins (3 date,
 * 2 publishDate, 1 published_at or a date under published).  Zenn's
 * published_at is Japan time when it has no zone (jst).
 */
static void
fm_setdate(struct fm_ctx *c, const char *v, size_t n, int rank, int jst,
    unsigned long line)
{
	time_t	 t;
	int	 off, zone;

	if (fm_date(v, n, &t, &off, &zone) == -1) {
		fm_err(c, line, "unrecognised date");
		return;
	}
	if (rank < c->daterank)
		return;
	if (jst && !zone) {
		off = FM_JST;
		t -= FM_JST * 60;
	}
	c->daterank = rank;
	c->m->has_date = 1;
	c->m->date = t;
	c->m->tzoff = off;
}

/*
 * lang ends up in a Gemini response header and slug in a path, so both
 * are checked here, where the file and line are still known: a language
 * tag is letters, digits and '-' ("_" is read as "-"); a slug is one path
 * segment.
 */
static void
fm_setlang(struct fm_ctx *c, const char *v, size_t n, unsigned long line)
{
	char	*s;
	size_t	 i;

	fm_setstr(c, &c->m->lang, v, n, 0);
	if ((s = c->m->lang) == NULL)
		return;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '_')
			s[i] = '-';
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			break;
	}
	if (s[i] != '\0' || i > FM_MAXLANG || s[0] == '-') {
		free(c->m->lang);
		c->m->lang = NULL;
		fm_err(c, line, "invalid lang");
	}
}

static void
fm_setslug(struct fm_ctx *c, const char *v, size_t n, unsigned long line)
{
	char		*s;
	const char	*seg;
	size_t		 k;
	int		 bad;

	fm_setstr(c, &c->m->slug, v, n, 0);
	if ((s = c->m->slug) == NULL)
		return;
	/* Docusaurus and Astro slugs are paths ("/guide/intro"): any part
	 * but one that climbs. */
	bad = strchr(s, '\\') != NULL;
	for (seg = s; !bad && *seg != '\0'; seg += k + (seg[k] == '/')) {
		k = strcspn(seg, "/");
		bad = (k == 1 && seg[0] == '.') ||
		    (k == 2 && seg[0] == '.' && seg[1] == '.');
	}
	if (bad) {
		free(c->m->slug);
		c->m->slug = NULL;
		fm_err(c, line, "invalid slug");
	}
}

/*
 * An old path of the page, kept as written (absolute, or relative to
 * the page's section as Hugo allows): one line without blanks.
 */
static void
fm_addalias(struct fm_ctx *c, const char *v, size_t n, unsigned long line)
{
	struct page_meta	*m = c->m;
	char			*s, **p;
	size_t			 i;

	if (fm_clean(v, n, 0, &s) == -1) {
		c->oom = 1;
		return;
	}
	if (s == NULL)
		return;
	if (strchr(s, ' ') != NULL) {
		free(s);
		fm_err(c, line, "invalid alias");
		return;
	}
	for (i = 0; i < m->naliases; i++)
		if (strcmp(m->aliases[i], s) == 0) {
			free(s);
			return;
		}
	if (m->naliases == FM_MAXALIASES) {
		free(s);
		fm_err(c, line, "too many aliases");
		return;
	}
	if (m->naliases == c->aliascap) {
		i = c->aliascap ? c->aliascap * 2 : 4;
		if ((p = reallocarray(m->aliases, i, sizeof(*p))) == NULL) {
			free(s);
			c->oom = 1;
			return;
		}
		m->aliases = p;
		c->aliascap = i;
	}
	m->aliases[m->naliases++] = s;
}

/* Jekyll's permalink is an old path too, unless it is a pattern
 * (":year/:title") or a style name ("pretty"). */
static void
fm_permalink(struct fm_ctx *c, const char *v, size_t n, unsigned long line)
{
	if (c->m->permalink == NULL)
		fm_setstr(c, &c->m->permalink, v, n, 0);
	if (n == 0 || v[0] != '/' || memchr(v, ':', n) != NULL)
		return;
	fm_addalias(c, v, n, line);
}

/* Jekyll's :categories: the categories joined by '/', as written. */
static void
fm_addcat(struct fm_ctx *c, const char *v, size_t n)
{
	size_t	 old = c->m->categories ? strlen(c->m->categories) : 0;
	char	*p;

	if (n == 0 || memchr(v, '\0', n) != NULL)
		return;
	if ((p = realloc(c->m->categories, old + n + 2)) == NULL) {
		c->oom = 1;
		return;
	}
	if (old > 0)
		p[old++] = '/';
	memcpy(p + old, v, n);
	p[old + n] = '\0';
	c->m->categories = p;
}

/* lastmod and its kin: when the page last changed. */
static void
fm_setupdated(struct fm_ctx *c, const char *v, size_t n, unsigned long line)
{
	time_t	 t;
	int	 off, zone;

	if (fm_date(v, n, &t, &off, &zone) == -1) {
		fm_err(c, line, "unrecognised date");
		return;
	}
	c->m->has_updated = 1;
	c->m->updated = t;
}

/* The cover image; the highest rank written wins. */
static void
fm_setimage(struct fm_ctx *c, const char *v, size_t n, int rank)
{
	/* "cover: false" in some themes' front matter is not a path. */
	if (v == NULL || rank <= c->imgrank || fm_bool(v, n) != -1)
		return;
	fm_setstr(c, &c->m->image, v, n, 0);
	if (c->m->image != NULL)
		c->imgrank = rank;
}

static int
fm_imgrank(enum fm_key k)
{
	switch (k) {
	case K_COVER:
		return 4;
	case K_IMAGE:
		return 3;
	case K_IMAGES:
		return 2;
	case K_OGIMAGE:
		return 1;
	default:
		return 0;
	}
}

/* The value of a top-level key; v is NULL for a null. */
static void
fm_scalar(struct fm_ctx *c, enum fm_key k, const char *v, size_t n,
    unsigned long line)
{
	int	 b, rank;

	switch (k) {
	case K_TITLE:
		fm_setstr(c, &c->m->title, v, n, 0);
		break;
	case K_DATE:
	case K_PUBDATE:
	case K_ZENNDATE:
		if (v != NULL)
			fm_setdate(c, v, n, k == K_DATE ? 3 :
			    k == K_PUBDATE ? 2 : 1, k == K_ZENNDATE, line);
		break;
	case K_TAGS:
	case K_TERMS:
		if (v != NULL)
			fm_splittags(c, k, v, n, line);
		break;
	case K_CATS:
		if (v != NULL) {
			fm_splittags(c, k, v, n, line);
			/* Jekyll splits a string of categories at spaces. */
			while (n > 0) {
				size_t w = 0;

				while (w < n && v[w] != ' ')
					w++;
				fm_addcat(c, v, w);
				while (w < n && v[w] == ' ')
					w++;
				v += w;
				n -= w;
			}
		}
		break;
	case K_URL:
		if (v != NULL) {
			free(c->m->permalink);
			c->m->permalink = NULL;
			fm_setstr(c, &c->m->permalink, v, n, 0);
		}
		break;
	case K_UPDATED:
		if (v != NULL)
			fm_setupdated(c, v, n, line);
		break;
	case K_DESC:
	case K_SUMMARY:
	case K_EXCERPT:
		/* Preference, not order: description, summary, excerpt. */
		rank = k == K_DESC ? 3 : k == K_SUMMARY ? 2 : 1;
		if (v != NULL && rank >= c->sumrank) {
			char *s;

			if (fm_clean(v, n, 1, &s) == -1) {
				c->oom = 1;
				break;
			}
			if (s == NULL)
				break;
			free(c->m->summary);
			c->m->summary = s;
			c->sumrank = rank;
		}
		break;
	case K_LANG:
		fm_setlang(c, v, n, line);
		break;
	case K_SLUG:
		fm_setslug(c, v, n, line);
		break;
	case K_DRAFT:
		if ((b = fm_bool(v, n)) != -1)
			c->draft = b;
		break;
	case K_PUBLISHED:
		/* Jekyll and Zenn write a boolean; some blogs put a date. */
		if ((b = fm_bool(v, n)) != -1)
			c->published = b;
		else if (v != NULL && n > 0 && v[0] >= '0' && v[0] <= '9')
			fm_setdate(c, v, n, 1, 0, line);
		break;
	case K_BREAKS:
		if ((b = fm_bool(v, n)) != -1)
			c->m->breaks = b;
		break;
	case K_ALIASES:
		if (v != NULL)
			fm_addalias(c, v, n, line);
		break;
	case K_LAYOUT:
		fm_setstr(c, &c->m->layout, v, n, 0);
		break;
	case K_PERMALINK:
		if (v != NULL)
			fm_permalink(c, v, n, line);
		break;
	case K_COVER:
	case K_IMAGE:
	case K_IMAGES:
	case K_OGIMAGE:
		fm_setimage(c, v, n, fm_imgrank(k));
		break;
	case K_EDITURL:
		c->m->hatena = v != NULL && n > 26 &&
		    strncmp(v, "https://blog.hatena.ne.jp/", 26) == 0;
		break;
	case K_NONE:
		break;
	}
}

/* One scalar item of a top-level array: tags, aliases, images. */
static void
fm_item(struct fm_ctx *c, enum fm_key k, const char *v, size_t n,
    unsigned long line)
{
	if (v == NULL)
		return;
	if (k == K_TAGS || k == K_TERMS)
		fm_addtag(c, k, v, n, line);
	else if (k == K_CATS) {
		fm_addtag(c, k, v, n, line);
		fm_addcat(c, v, n);
	}
	else if (k == K_ALIASES)
		fm_addalias(c, v, n, line);
	else if (k == K_IMAGES)
		fm_setimage(c, v, n, fm_imgrank(k));
}

/* Under an image key's mapping (ogImage: {url: ...}), the key that
 * holds the image. */
static int
fm_image_subkey(const char *k, size_t n)
{
	static const char *const keys[] = { "url", "src", "path", "image",
		NULL };
	size_t	 i;

	for (i = 0; keys[i] != NULL; i++)
		if (strlen(keys[i]) == n && strncasecmp(k, keys[i], n) == 0)
			return 1;
	return 0;
}

/*------------------------------------------------------------------
 * YAML, through libyaml's event API: no tree is built and aliases are
 * never expanded, so neither size nor "billion laughs" input can blow up.
 */

struct fm_yaml {
	struct fm_ctx	*c;
	unsigned long	 base;		/* file line of the block's first */
	enum {
		Y_ROOT,			/* before the root node */
		Y_KEY,			/* in the root mapping, want a key */
		Y_VALUE,		/* want the key's value */
		Y_ITEM,			/* in a sequence value */
		Y_SUBKEY,		/* in an image key's mapping */
		Y_SUBVALUE,		/* want that mapping's value */
		Y_DONE
	}		 state;
	enum fm_key	 key;
	size_t		 skip;		/* depth inside an ignored node */
	int		 notmap;	/* the root is not a mapping */
	int		 sub;		/* Y_SUBVALUE: the image itself */
	struct {
		char	*name;
		char	*val;		/* NULL for a null scalar */
		size_t	 len;
	}		 anchors[FM_MAXANCHORS];
	size_t		 nanchors;
};

static int
fm_yaml_null(const yaml_event_t *ev)
{
	const char	*v = (const char *)ev->data.scalar.value;
	size_t		 n = ev->data.scalar.length;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return n == 0 || (n == 1 && v[0] == '~') || (n == 4 &&
	    (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
	    memcmp(v, "NULL", 4) == 0));
}

static void
fm_yaml_anchor(struct fm_yaml *y, const yaml_event_t *ev)
{
	size_t	 i = y->nanchors, n = ev->data.scalar.length;

	if (i == FM_MAXANCHORS)
		return;
	y->anchors[i].val = NULL;
	y->anchors[i].len = 0;
	if ((y->anchors[i].name = strdup((const char *)
	    ev->data.scalar.anchor)) == NULL) {
		y->c->oom = 1;
		return;
	}
	if (!fm_yaml_null(ev)) {
		if ((y->anchors[i].val = malloc(n + 1)) == NULL) {
			free(y->anchors[i].name);
			y->c->oom = 1;
			return;
		}
		memcpy(y->anchors[i].val, ev->data.scalar.value, n);
		y->anchors[i].val[n] = '\0';
		y->anchors[i].len = n;
	}
	y->nanchors++;
}

/* The scalar an alias names, as value and length; 0 if unknown. */
static int
fm_yaml_alias(struct fm_yaml *y, const yaml_event_t *ev, const char **v,
    size_t *n)
{
	size_t	 i;

	/* The latest definition wins, as YAML allows redefining. */
	for (i = y->nanchors; i > 0; i--)
		if (strcmp(y->anchors[i - 1].name,
		    (const char *)ev->data.alias.anchor) == 0) {
			*v = y->anchors[i - 1].val;
			*n = y->anchors[i - 1].len;
			return 1;
		}
	return 0;
}

static void
fm_yaml_event(struct fm_yaml *y, const yaml_event_t *ev)
{
	unsigned long	 line = y->base + ev->start_mark.line;
	const char	*v = NULL;
	size_t		 n = 0;
	int		 start, end, scalar = 0;

	start = ev->type == YAML_MAPPING_START_EVENT ||
	    ev->type == YAML_SEQUENCE_START_EVENT;
	end = ev->type == YAML_MAPPING_END_EVENT ||
	    ev->type == YAML_SEQUENCE_END_EVENT;
	if (ev->type == YAML_SCALAR_EVENT) {
		if (ev->data.scalar.anchor != NULL)
			fm_yaml_anchor(y, ev);
		scalar = 1;
		if (!fm_yaml_null(ev)) {
			v = (const char *)ev->data.scalar.value;
			n = ev->data.scalar.length;
		}
	} else if (ev->type == YAML_ALIAS_EVENT)
		scalar = fm_yaml_alias(y, ev, &v, &n);

	if (y->skip > 0) {
		if (start)
			y->skip++;
		else if (end)
			y->skip--;
		return;
	}
	switch (y->state) {
	case Y_ROOT:
		if (ev->type == YAML_MAPPING_START_EVENT)
			y->state = Y_KEY;
		else if (start || ev->type == YAML_ALIAS_EVENT ||
		    (scalar && v != NULL)) {
			/* Prose between two rules, or a list: not ours. */
			y->notmap = 1;
			y->state = Y_DONE;
			if (start)
				y->skip = 1;
		} else if (scalar)
			y->state = Y_DONE;
		break;
	case Y_KEY:
		if (ev->type == YAML_MAPPING_END_EVENT) {
			y->state = Y_DONE;
			break;
		}
		/* A complex key (a mapping or sequence) names nothing. */
		y->key = scalar ? fm_lookup(y->c, v, n) : K_NONE;
		if (start)
			y->skip = 1;
		y->state = Y_VALUE;
		break;
	case Y_VALUE:
		y->state = Y_KEY;
		if (scalar)
			fm_scalar(y->c, y->key, v, n, line);
		else if (ev->type == YAML_SEQUENCE_START_EVENT)
			y->state = Y_ITEM;
		else if (ev->type == YAML_MAPPING_START_EVENT &&
		    fm_imgrank(y->key) > 0)
			y->state = Y_SUBKEY;
		else if (start)
			y->skip = 1;
		break;
	case Y_SUBKEY:
		if (ev->type == YAML_MAPPING_END_EVENT) {
			y->state = Y_KEY;
			break;
		}
		y->sub = scalar && v != NULL && fm_image_subkey(v, n);
		if (start)
			y->skip = 1;
		y->state = Y_SUBVALUE;
		break;
	case Y_SUBVALUE:
		y->state = Y_SUBKEY;
		if (scalar && y->sub)
			fm_setimage(y->c, v, n, fm_imgrank(y->key));
		else if (start)
			y->skip = 1;
		break;
	case Y_ITEM:
		if (ev->type == YAML_SEQUENCE_END_EVENT)
			y->state = Y_KEY;
		else if (scalar)
			fm_item(y->c, y->key, v, n, line);
		else if (start)
			y->skip = 1;
		break;
	case Y_DONE:
		break;
	}
}

/* Line of the byte at off in s, counting from base. */
static unsigned long
fm_lineat(const char *s, size_t n, size_t off, unsigned long base)
{
	size_t	 i;

	for (i = 0; i < off && i < n; i++)
		if (s[i] == '\n')
			base++;
	return base;
}

/*
 * libyaml checks every open flow level on each token, so "[[[[..." costs
 * time quadratic in its depth (100,000 levels: 16 s).  Brackets are
 * counted here, quotes or not, and the block is cut at the start of the
 * line where they pass FM_MAXDEPTH; no real front matter comes close.
 */
static size_t
fm_yaml_depth(const char *s, size_t n)
{
	size_t	 i, bol = 0, depth = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			bol = i + 1;
		else if (s[i] == '[' || s[i] == '{') {
			if (++depth > FM_MAXDEPTH)
				return bol;
		} else if ((s[i] == ']' || s[i] == '}') && depth > 0)
			depth--;
	}
	return n;
}

static void
fm_yaml(struct fm_ctx *c, const char *s, size_t n, unsigned long base,
    int *notmap)
{
	struct fm_yaml	 y;
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	yaml_event_type_t type;
	unsigned long	 line, cutline = 0;
	size_t		 i, cut;

	memset(&y, 0, sizeof(y));
	y.c = c;
	y.base = base;
	y.state = Y_ROOT;
	if (!yaml_parser_initialize(&p)) {
		c->oom = 1;
		return;
	}
	if ((cut = fm_yaml_depth(s, n)) < n) {
		cutline = fm_lineat(s, n, cut, base);
		n = cut;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)s, n);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!c->oom) {
		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR) {
				c->oom = 1;
				break;
			}
			/*
			 * Reader errors carry a byte offset, not a mark.  An
			 * unclosed quote or bracket is found where libyaml
			 * gave up, often the end of the block; the line that
			 * opened it is the one to fix.
			 */
			if (p.error == YAML_READER_ERROR)
				line = fm_lineat(s, n, p.problem_offset, base);
			else if (p.context != NULL &&
			    (strstr(p.context, "quoted") != NULL ||
			    strstr(p.context, "flow") != NULL))
				line = base + p.context_mark.line;
			else
				line = base + p.problem_mark.line;
			/* Past the last line would name the closing fence. */
			if (n > 0 && line > fm_lineat(s, n, n - 1, base))
				line = fm_lineat(s, n, n - 1, base);
			/* Running into the cut is not the author's error. */
			if (cutline == 0 ||
			    base + p.problem_mark.line < cutline)
				fm_err(c, line, p.problem != NULL ? p.problem :
				    "invalid YAML");
			break;
		}
		fm_yaml_event(&y, &ev);
		type = ev.type;
		yaml_event_delete(&ev);
		if (type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	for (i = 0; i < y.nanchors; i++) {
		free(y.anchors[i].name);
		free(y.anchors[i].val);
	}
	*notmap = y.notmap;
	if (cutline != 0)
		fm_err(c, cutline, "nesting too deep");
}

/*------------------------------------------------------------------
 * Block detection and the entry points
 */

enum fm_dialect {
	D_NONE,
	D_YAML,
	D_TOML,
	D_JSON
};

/*
 * Whether the line at s[i] is the fence (three characters) alone, with
 * trailing blanks allowed; *next is where the following line starts.
 */
static int
fm_fence(const char *s, size_t n, size_t i, const char *fence, size_t *next)
{
	if (n - i < 3 || memcmp(s + i, fence, 3) != 0)
		return 0;
	for (i += 3; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i < n && s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
		i++;
	if (i < n && s[i] != '\n')
		return 0;
	*next = i < n ? i + 1 : n;
	return 1;
}

/*
 * libyaml rejects the whole stream for one bad byte, before it has
 * handed on any key, so invalid UTF-8 and control characters are
 * replaced by U+FFFD first and the first one is reported.  ASCII is left
 * alone, so the structure and line numbers do not move.
 */
static void
fm_sanitize(struct fm_ctx *c, const char *s, size_t n, unsigned long base,
    struct buf *out, const char **blk, size_t *blen)
{
	size_t		 i, k, from = 0;
	uint32_t	 cp;
	int		 bad = 0;

	*blk = s;
	*blen = n;
	for (i = 0; i < n; i += k) {
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			k = 1;
			continue;
		}
		k = fm_utf8((const unsigned char *)s + i, n - i, &cp);
		if (k != 0 && !fm_badchar(cp))
			continue;
		if (k == 0)
			k = 1;
		if (!bad)
			fm_err(c, fm_lineat(s, n, i, base), k == 1 &&
			    (unsigned char)s[i] >= 0x80 ? "invalid UTF-8" :
			    "control character");
		bad = 1;
		if (buf_append(out, s + from, i - from) == -1 ||
		    fm_put_utf8(out, 0xfffd) == -1) {
			c->oom = 1;
			return;
		}
		from = i + k;
	}
	if (!bad)
		return;
	if (buf_append(out, s + from, n - from) == -1) {
		c->oom = 1;
		return;
	}
	*blk = out->data;
	*blen = out->len;
}

/* The TOML and JSON readers' callback: one top-level value. */
static void
fm_value(void *arg, const char *key, size_t keylen, int item, const char *v,
    size_t n, unsigned long line)
{
	struct fm_ctx	*c = arg;

	if (item)
		fm_item(c, fm_lookup(c, key, keylen), v, n, line);
	else
		fm_scalar(c, fm_lookup(c, key, keylen), v, n, line);
}

static void
fm_block(struct fm_ctx *c, enum fm_dialect d, const char *s, size_t n,
    unsigned long base, int *notmap)
{
	struct buf	 clean;
	const char	*blk, *errstr = NULL;
	size_t		 blen;
	unsigned long	 errline = 0;
	int		 r = 0;

	/* Room for every byte to become U+FFFD. */
	buf_init(&clean, n * 3 + 16);
	fm_sanitize(c, s, n, base, &clean, &blk, &blen);
	if (!c->oom) {
		if (d == D_YAML)
			fm_yaml(c, blk, blen, base, notmap);
		else if (d == D_TOML)
			r = toml_read(blk, blen, base, fm_value, c, &errstr,
			    &errline);
		else
			r = json_read(blk, blen, base, fm_value, c, &errstr,
			    &errline);
		if (r == -1 && errstr == NULL)
			c->oom = 1;
		else if (r == -1)
			fm_err(c, errline, errstr);
	}
	buf_free(&clean);
}

/* blogsync stores titles as Hatena's API returns them, with HTML
 * character references: "C&#43;&#43;" is "C++". */
static int
fm_title_entities(struct page_meta *m)
{
	struct buf	 b;

	if (strchr(m->title, '&') == NULL)
		return 0;
	buf_init(&b, strlen(m->title) + 1);
	if (entity_decode(&b, m->title, strlen(m->title)) == -1 ||
	    buf_putc(&b, '\0') == -1) {
		buf_free(&b);
		return -1;
	}
	free(m->title);
	m->title = b.data;
	return 0;
}

int
frontmatter_parse(const char *src, size_t len, struct page_meta *m)
{
	return frontmatter_parse_site(src, len, NULL, m);
}

int
frontmatter_parse_site(const char *src, size_t len,
    const struct fm_taxonomy *tax, struct page_meta *m)
{
	struct fm_ctx	 c;
	enum fm_dialect	 d = D_NONE;
	size_t		 start = 0, bstart = 0, bend = 0, i, next;
	unsigned long	 base = 2;
	int		 closed = 0, notmap = 0;
	const char	*fence = NULL;

	memset(m, 0, sizeof(*m));
	m->breaks = -1;
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.tax = tax != NULL ? tax : fm_default_tax;
	c.draft = c.published = -1;
	if (src == NULL)
		return 0;
	if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
		start = 3;

	if (fm_fence(src, len, start, "---", &bstart)) {
		d = D_YAML;
		fence = "---";
	} else if (fm_fence(src, len, start, "+++", &bstart)) {
		d = D_TOML;
		fence = "+++";
	} else if (start < len && src[start] == '{') {
		/* A JSON key, not "{{< shortcode >}}" or "{% liquid %}". */
		for (i = start + 1; i < len && (src[i] == ' ' ||
		    src[i] == '\t' || src[i] == '\r' || src[i] == '\n'); i++)
			;
		if (i < len && (src[i] == '"' || src[i] == '}'))
			d = D_JSON;
	}
	if (d == D_NONE)
		return 0;

	if (d == D_JSON) {
		bstart = start;
		base = 1;
		if (json_object_end(src + start, len - start, &bend) == 0) {
			bend += start;
			closed = 1;
			for (i = bend; i < len && (src[i] == ' ' ||
			    src[i] == '\t'); i++)
				;
			if (i < len && src[i] == '\r' && i + 1 < len &&
			    src[i + 1] == '\n')
				i++;
			m->body = i < len && src[i] == '\n' ? i + 1 : i;
		}
	} else {
		for (i = bstart; i < len; i = next) {
			if (fm_fence(src, len, i, fence, &next) ||
			    (d == D_YAML && fm_fence(src, len, i, "...",
			    &next))) {
				closed = 1;
				bend = i;
				m->body = next;
				break;
			}
			next = i;
			while (next < len && src[next] != '\n')
				next++;
			if (next < len)
				next++;
		}
	}
	/* An opening fence with no end is most likely a rule in prose. */
	if (!closed)
		fm_err(&c, 1, "front matter block is not closed");
	else
		fm_block(&c, d, src + bstart, bend - bstart, base, &notmap);
	if (notmap && m->err == NULL && !c.oom) {
		/*
		 * Clean YAML that is not a mapping is prose between two
		 * rules (or a forgotten colon): show it rather than lose it.
		 */
		page_meta_free(m);
		m->breaks = -1;
		c.tagcap = 0;
		c.aliascap = 0;
		c.imgrank = 0;
		fm_err(&c, base, "front matter is not a YAML mapping");
	}
	m->draft = c.draft == 1 || c.published == 0;
	if (m->hatena && m->title != NULL && fm_title_entities(m) == -1)
		c.oom = 1;
	if (c.oom) {
		page_meta_free(m);
		m->breaks = -1;
		return -1;
	}
	return 0;
}

void
page_meta_free(struct page_meta *m)
{
	size_t	 i;

	if (m == NULL)
		return;
	free(m->title);
	for (i = 0; i < m->ntags; i++)
		free(m->tags[i]);
	free(m->tags);
	for (i = 0; i < m->nterms; i++)
		free(m->terms[i]);
	free(m->terms);
	free(m->summary);
	free(m->lang);
	free(m->slug);
	for (i = 0; i < m->naliases; i++)
		free(m->aliases[i]);
	free(m->aliases);
	free(m->image);
	free(m->layout);
	free(m->permalink);
	free(m->categories);
	free(m->err);
	memset(m, 0, sizeof(*m));
}

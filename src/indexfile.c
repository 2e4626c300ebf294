/*
 * indexfile: the post index on disk (see indexfile.h).  Layout, host
 * byte order (the file never leaves the machine; the header's order mark
 * refuses one that did):
 *
 *   header   magic[8] version:u32 order:u32 context:u64 count:u64
 *            payload_len:u64 payload_sum:u64 (sum_more)
 *   entry    flags:u32 date:i64 tzoff:i32 updated:i64
 *            dev ino size mtime_sec mtime_nsec: u64 each
 *            rel canon gemini key srckey title summary lang:
 *            strings; search: a string and a NUL (read in place);
 *            then tags, terms and aliases: count:u32 strings
 *   string   len:u32 bytes (STR_NULL for none)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "indexfile.h"
#include "postindex.h"
#include "store.h"

#define MAGIC		"CAPSIDX\n"
#define VERSION		4	/* 3: drafts by the file a symlink leads
				   to; 4: keys read in place, 4 lanes */
#define ORDER		0x01020304u
#define STR_NULL	0xffffffffu
#define HEADER_LEN	48
#define FILE_MAX	((off_t)2 << 30)	/* refused above (2 GB) */
#define LIST_MAX	65536			/* tags or aliases */

enum {
	F_POST = 1, F_BUNDLE = 2, F_DRAFT_SET = 4, F_DATED = 8, F_DRAFT = 16
};

struct header {
	char		magic[8];
	uint32_t	version, order;
	uint64_t	context, count, len, hash;
};
_Static_assert(sizeof(struct header) == HEADER_LEN, "header layout");

/*
 * The payload's checksum: a multiply-xorshift over 8-byte words in four
 * independent lanes (the processor runs them side by side), folded into
 * one at the end, since at start the whole file (tens of MB) is checked
 * before an entry is trusted.  Data hashed in pieces gives the one-piece
 * result when every piece but the last is a whole number of SUM_BLOCK
 * bytes.
 */
#define SUM_SEED	0x63617073756c6564ULL	/* "capsuled" */
#define SUM_MUL		0x9e3779b97f4a7c15ULL
#define SUM_LANES	4
#define SUM_BLOCK	(SUM_LANES * 8)

struct sum {
	uint64_t	lane[SUM_LANES];
};

static uint64_t
sum_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * SUM_MUL;
	return h ^ (h >> 32);
}

static void
sum_init(struct sum *s)
{
	size_t i;

	for (i = 0; i < SUM_LANES; i++)
		s->lane[i] = SUM_SEED + i;
}

static void
sum_more(struct sum *s, const unsigned char *p, size_t n)
{
	uint64_t	w[SUM_LANES];
	size_t		i;

	for (; n >= SUM_BLOCK; p += SUM_BLOCK, n -= SUM_BLOCK) {
		memcpy(w, p, SUM_BLOCK);
		for (i = 0; i < SUM_LANES; i++)
			s->lane[i] = sum_mix(s->lane[i], w[i]);
	}
	/* The last piece's tail, word by word, its length in the last. */
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(w, p, 8);
		s->lane[0] = sum_mix(s->lane[0], w[0]);
	}
	if (n > 0) {
		w[0] = (uint64_t)n << 56;
		memcpy(w, p, n);
		s->lane[0] = sum_mix(s->lane[0], w[0]);
	}
}

static uint64_t
sum_end(const struct sum *s)
{
	uint64_t	h = s->lane[0];
	size_t		i;

	for (i = 1; i < SUM_LANES; i++)
		h = sum_mix(h, s->lane[i]);
	return h;
}

/*------------------------------------------------------------ writing */

#define CHUNK	65536		/* a whole number of SUM_BLOCKs */

struct out {
	int		 fd;
	unsigned char	 chunk[CHUNK];
	size_t		 fill;
	struct sum	 sum;
	uint64_t	 len;
	int		 err;
};

static void
flush_chunk(struct out *o)
{
	const unsigned char	*p = o->chunk;
	size_t			 n = o->fill;
	ssize_t			 w;

	sum_more(&o->sum, o->chunk, o->fill);
	while (o->err == 0 && n > 0) {
		if ((w = write(o->fd, p, n)) == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			o->err = w == -1 ? errno : EIO;
		else {
			p += w;
			n -= (size_t)w;
		}
	}
	o->fill = 0;
}

static void
put(struct out *o, const void *v, size_t n)
{
	const unsigned char	*p = v;
	size_t			 k;

	o->len += n;
	while (n > 0 && o->err == 0) {
		k = CHUNK - o->fill < n ? CHUNK - o->fill : n;
		memcpy(o->chunk + o->fill, p, k);
		o->fill += k;
		p += k;
		n -= k;
		if (o->fill == CHUNK)
			flush_chunk(o);
	}
}

static void
put_u32(struct out *o, uint32_t v)
{
	put(o, &v, sizeof(v));
}

static void
put_u64(struct out *o, uint64_t v)
{
	put(o, &v, sizeof(v));
}

static void
put_str(struct out *o, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n >= STR_NULL) {
		o->err = EOVERFLOW;
		return;
	}
	put_u32(o, s != NULL ? (uint32_t)n : STR_NULL);
	put(o, s, n);
}

/* A string read in place: the NUL after it ends it in the mapping. */
static void
put_cstr(struct out *o, const char *s)
{
	put_str(o, s);
	if (s != NULL)
		put(o, "", 1);
}

static void
put_list(struct out *o, char *const *v, size_t n)
{
	size_t i;

	put_u32(o, (uint32_t)n);
	for (i = 0; i < n; i++)
		put_str(o, v[i]);
}

static void
put_post(struct out *o, const struct post *p)
{
	put_u32(o, (p->is_post ? F_POST : 0) | (p->bundle ? F_BUNDLE : 0) |
	    (p->draft_set ? F_DRAFT_SET : 0) | (p->dated ? F_DATED : 0) |
	    (p->draft ? F_DRAFT : 0));
	put_u64(o, (uint64_t)(int64_t)p->date);
	put_u32(o, (uint32_t)p->tzoff);
	put_u64(o, (uint64_t)(int64_t)p->updated);
	put_u64(o, (uint64_t)p->dev);
	put_u64(o, (uint64_t)p->ino);
	put_u64(o, (uint64_t)p->size);
	put_u64(o, (uint64_t)p->mtime.tv_sec);
	put_u64(o, (uint64_t)p->mtime.tv_nsec);
	put_str(o, p->rel);
	put_str(o, p->canon);
	put_str(o, p->gemini);
	put_str(o, p->key);
	put_str(o, p->srckey);
	put_str(o, p->title);
	put_str(o, p->summary);
	put_str(o, p->lang);
	put_cstr(o, p->search);
	put_list(o, p->tags, p->ntags);
	put_list(o, p->terms, p->nterms);
	put_list(o, p->aliases, p->naliases);
}

int
indexfile_save(int dirfd, const char *name, uint64_t context,
    const struct post_index *ix)
{
	struct header	 h;
	struct out	*o;
	char		 tmp[256];
	size_t		 i;
	int		 err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", name,
	    (long)getpid()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return -ENOMEM;
	(void)unlinkat(dirfd, tmp, 0);	/* a crashed run's */
	if ((o->fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600)) == -1) {
		err = errno;
		free(o);
		return -err;
	}
	sum_init(&o->sum);
	/* The header last: a file cut short by a crash never carries the
	 * length and checksum of a whole one. */
	if (lseek(o->fd, HEADER_LEN, SEEK_SET) == -1)
		o->err = errno;
	for (i = 0; i < ix->nall; i++)
		put_post(o, ix->all[i]);
	flush_chunk(o);
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(h.magic));
	h.version = VERSION;
	h.order = ORDER;
	h.context = context;
	h.count = ix->nall;
	h.len = o->len;
	h.hash = sum_end(&o->sum);
	if (o->err == 0 && (pwrite(o->fd, &h, sizeof(h), 0) !=
	    (ssize_t)sizeof(h) || fdatasync(o->fd) == -1))
		o->err = errno ? errno : EIO;
	if (close(o->fd) == -1 && o->err == 0)
		o->err = errno;
	if (o->err == 0 && renameat(dirfd, tmp, dirfd, name) == -1)
		o->err = errno;
	if (o->err != 0)
		(void)unlinkat(dirfd, tmp, 0);
	err = o->err;
	free(o);
	return -err;
}

/*------------------------------------------------------------ reading */

struct indexmap {
	atomic_uint	 refs;
	void		*addr;
	size_t		 len;
};

void
indexmap_unref(struct indexmap *m)
{
	if (m == NULL || atomic_fetch_sub(&m->refs, 1) != 1)
		return;
	munmap(m->addr, m->len);
	free(m);
}

struct in {
	const unsigned char	*p, *end;
	struct indexmap		*map;
	int			 bad;
};

static void
get(struct in *in, void *v, size_t n)
{
	if (in->bad || (size_t)(in->end - in->p) < n) {
		in->bad = 1;
		memset(v, 0, n);
		return;
	}
	memcpy(v, in->p, n);
	in->p += n;
}

static uint32_t
get_u32(struct in *in)
{
	uint32_t v;

	get(in, &v, sizeof(v));
	return v;
}

static uint64_t
get_u64(struct in *in)
{
	uint64_t v;

	get(in, &v, sizeof(v));
	return v;
}

static char *
get_str(struct in *in)
{
	uint32_t	 n = get_u32(in);
	char		*s;

	if (in->bad || n == STR_NULL)
		return NULL;
	if ((size_t)(in->end - in->p) < n || memchr(in->p, '\0', n) != NULL ||
	    (s = strndup((const char *)in->p, n)) == NULL) {
		in->bad = 1;
		return NULL;
	}
	in->p += n;
	return s;
}

/* A put_cstr string, in place: the entry p takes a reference to the
 * mapping. */
static void
get_cstr(struct in *in, struct post *p)
{
	uint32_t n = get_u32(in);

	if (in->bad || n == STR_NULL)
		return;
	/* The checksum has shown these are the bytes put_cstr wrote (a C
	 * string: no NUL inside); the NUL after it keeps a reader in the
	 * mapping. */
	if ((size_t)(in->end - in->p) <= n || in->p[n] != '\0') {
		in->bad = 1;
		return;
	}
	p->search = (char *)(uintptr_t)in->p;	/* never written */
	p->map = in->map;
	atomic_fetch_add(&in->map->refs, 1);
	in->p += n + 1;
}

static char **
get_list(struct in *in, size_t *np)
{
	uint32_t	  n = get_u32(in), i;
	char		**v;

	*np = 0;
	if (in->bad || n == 0)
		return NULL;
	if (n > LIST_MAX || (v = calloc(n, sizeof(*v))) == NULL) {
		in->bad = 1;
		return NULL;
	}
	for (i = 0; i < n && !in->bad; i++)
		if ((v[i] = get_str(in)) == NULL)
			in->bad = 1;
	*np = i;
	return v;
}

static struct post *
get_post(struct in *in)
{
	struct post	*p;
	uint32_t	 flags;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		in->bad = 1;
		return NULL;
	}
	atomic_init(&p->refs, 1);
	p->digested = 1;
	p->titled = 1;
	flags = get_u32(in);
	p->is_post = (flags & F_POST) != 0;
	p->bundle = (flags & F_BUNDLE) != 0;
	p->draft_set = (flags & F_DRAFT_SET) != 0;
	p->dated = (flags & F_DATED) != 0;
	p->draft = (flags & F_DRAFT) != 0;
	p->date = (time_t)(int64_t)get_u64(in);
	p->tzoff = (int)(int32_t)get_u32(in);
	p->updated = (time_t)(int64_t)get_u64(in);
	p->dev = (dev_t)get_u64(in);
	p->ino = (ino_t)get_u64(in);
	p->size = (off_t)get_u64(in);
	p->mtime.tv_sec = (time_t)get_u64(in);
	p->mtime.tv_nsec = (long)get_u64(in);
	p->rel = get_str(in);
	p->canon = get_str(in);
	p->gemini = get_str(in);
	p->gopher = p->gemini;
	p->key = get_str(in);
	p->srckey = get_str(in);
	p->title = get_str(in);
	p->summary = get_str(in);
	p->lang = get_str(in);
	get_cstr(in, p);
	p->tags = get_list(in, &p->ntags);
	p->terms = get_list(in, &p->nterms);
	p->aliases = get_list(in, &p->naliases);
	/* What post_load never leaves out. */
	if (p->rel == NULL || *p->rel == '\0' || *p->rel == '/' ||
	    p->canon == NULL || p->gemini == NULL || p->key == NULL ||
	    p->srckey == NULL || p->title == NULL)
		in->bad = 1;
	return p;
}

static const char *
check_header(const struct header *h, uint64_t context, size_t size,
    const unsigned char *payload)
{
	struct sum s;

	if (memcmp(h->magic, MAGIC, sizeof(h->magic)) != 0)
		return "not an index file";
	if (h->version != VERSION || h->order != ORDER)
		return "another format version";
	if (h->context != context)
		return "made for another configuration, site or version";
	if (h->len != size - HEADER_LEN)
		return "truncated or damaged (length)";
	sum_init(&s);
	sum_more(&s, payload, h->len);
	if (sum_end(&s) != h->hash)
		return "damaged (checksum)";
	return NULL;
}

struct post_index *
indexfile_load(int dirfd, const char *name, uint64_t context,
    const struct site *site, const char **why)
{
	struct post_index	*ix = NULL;
	struct header		 h;
	struct stat		 st;
	struct post		*p;
	struct in		 in;
	struct indexmap		*m = NULL;
	void			*map = MAP_FAILED;
	uint64_t		 i;
	int			 fd;

	*why = NULL;
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1) {
		if (errno != ENOENT)
			*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (st.st_uid != geteuid())
		*why = "owned by another user";
	else if (st.st_size < HEADER_LEN || st.st_size > FILE_MAX)
		*why = "truncated or damaged (size)";
	else if ((map = mmap(NULL, (size_t)st.st_size, PROT_READ,
	    MAP_PRIVATE | MAP_POPULATE, fd, 0)) == MAP_FAILED)	/* all read */
		*why = strerror(errno);
	else if ((m = calloc(1, sizeof(*m))) == NULL) {
		munmap(map, (size_t)st.st_size);
		*why = strerror(ENOMEM);
	}
	close(fd);
	if (*why != NULL)
		return NULL;
	/* The loader's reference, dropped at the end: the entries keep
	 * the mapping alive. */
	atomic_init(&m->refs, 1);
	m->addr = map;
	m->len = (size_t)st.st_size;
	memcpy(&h, map, sizeof(h));
	if ((*why = check_header(&h, context, (size_t)st.st_size,
	    (const unsigned char *)map + HEADER_LEN)) != NULL)
		goto out;
	in.p = (const unsigned char *)map + HEADER_LEN;
	in.end = (const unsigned char *)map + st.st_size;
	in.bad = 0;
	in.map = m;
	if (h.count > h.len / 64 || (ix = calloc(1, sizeof(*ix))) == NULL ||
	    (ix->all = calloc(h.count + 1, sizeof(*ix->all))) == NULL) {
		*why = "damaged (count)";
		goto out;
	}
	atomic_init(&ix->refs, 1);
	for (i = 0; i < h.count && !in.bad; i++) {
		p = get_post(&in);
		/* A post whose date has come since is loaded again: it was
		 * indexed as private, without what a listing shows. */
		if (in.bad || post_hidden(site, p) != p->draft)
			post_unref(p);
		else
			ix->all[ix->nall++] = p;
	}
	if (in.bad || in.p != in.end)
		*why = "damaged (entries)";
out:
	if (*why != NULL) {
		post_index_unref(ix);
		ix = NULL;
	}
	indexmap_unref(m);
	return ix;
}

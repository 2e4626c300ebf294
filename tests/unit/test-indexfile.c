/*
 * test-indexfile: the post index saved and read back is the same; a file
 * with any one byte changed, cut short anywhere, made for another
 * context or owned by nobody we know is refused whole, with a reason,
 * and never crashes the reader (ASan).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "indexfile.h"
#include "postindex.h"
#include "site.h"
#include "store.h"
#include "tap.h"

#define CONTEXT	0x1234abcdULL

static struct post *
mkpost(const char *rel, const char *title, int is_post, int draft)
{
	struct post *p = calloc(1, sizeof(*p));

	atomic_init(&p->refs, 1);
	p->rel = strdup(rel);
	p->canon = strdup("/posts/x/");
	p->gemini = strdup("/posts/x/");
	p->gopher = p->gemini;
	p->key = strdup("/posts/x");
	p->srckey = strdup("/posts/x");
	p->title = strdup(title);
	p->is_post = is_post;
	p->draft = p->draft_set = draft;
	p->digested = 1;
	p->date = 1700000000;
	p->tzoff = 540;
	p->updated = 1700000100;
	p->dev = 7;
	p->ino = 1234567;
	p->size = 42;
	p->mtime.tv_sec = 1700000200;
	p->mtime.tv_nsec = 999;
	if (is_post && !draft) {
		p->summary = strdup("A summary, 日本語.");
		p->lang = strdup("ja");
		p->search = strdup("title\ntag\nbody text");
		p->ntags = 2;
		p->tags = calloc(2, sizeof(*p->tags));
		p->tags[0] = strdup("tag");
		p->tags[1] = strdup("タグ");
		p->nterms = 1;
		p->terms = calloc(1, sizeof(*p->terms));
		p->terms[0] = strdup("categories/notes");
		p->naliases = 1;
		p->aliases = calloc(1, sizeof(*p->aliases));
		p->aliases[0] = strdup("/old/x");
	}
	return p;
}

static int
same(const struct post *a, const struct post *b)
{
#define S(f) ((a->f == NULL && b->f == NULL) || \
	    (a->f != NULL && b->f != NULL && strcmp(a->f, b->f) == 0))
	size_t i;

	if (!S(rel) || !S(canon) || !S(gemini) || !S(key) || !S(srckey) ||
	    !S(title) || !S(summary) || !S(lang) || !S(search) ||
	    b->gopher != b->gemini || a->is_post != b->is_post ||
	    a->draft != b->draft || a->draft_set != b->draft_set ||
	    a->date != b->date || a->tzoff != b->tzoff ||
	    a->updated != b->updated || a->dev != b->dev ||
	    a->ino != b->ino || a->size != b->size ||
	    a->mtime.tv_sec != b->mtime.tv_sec ||
	    a->mtime.tv_nsec != b->mtime.tv_nsec || !b->digested ||
	    a->ntags != b->ntags || a->nterms != b->nterms ||
	    a->naliases != b->naliases)
		return 0;
	for (i = 0; i < a->nterms; i++)
		if (strcmp(a->terms[i], b->terms[i]) != 0)
			return 0;
	for (i = 0; i < a->ntags; i++)
		if (strcmp(a->tags[i], b->tags[i]) != 0)
			return 0;
	for (i = 0; i < a->naliases; i++)
		if (strcmp(a->aliases[i], b->aliases[i]) != 0)
			return 0;
	return 1;
#undef S
}

static void
put_file(int dirfd, const char *name, const unsigned char *p, size_t n)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd == -1 || write(fd, p, n) != (ssize_t)n)
		perror(name);
	close(fd);
}

int
main(void)
{
	struct post_index	 ix, *got;
	struct post		*posts[3];
	struct site_override	 o;
	struct site		*site;
	struct stat		 st;
	unsigned char		*data, *bad;
	const char		*why;
	char			 dir[] = "/tmp/test-indexfile-XXXXXX";
	size_t			 i, n, refused, flips;
	int			 dirfd, fd;

	if (mkdtemp(dir) == NULL || (dirfd = open(dir, O_PATH |
	    O_DIRECTORY)) == -1)
		return 1;
	memset(&o, 0, sizeof(o));
	site = site_load(dir, &o);
	posts[0] = mkpost("posts/x.md", "Title", 1, 0);
	posts[1] = mkpost("about.md", "About", 0, 0);
	posts[2] = mkpost("posts/draft.md", "Draft", 1, 1);
	memset(&ix, 0, sizeof(ix));
	atomic_init(&ix.refs, 1);
	ix.all = posts;
	ix.nall = 3;

	is_int(indexfile_save(dirfd, "ix", CONTEXT, &ix), 0, "saved");
	got = indexfile_load(dirfd, "ix", CONTEXT, site, &why);
	ok(got != NULL && why == NULL && got->nall == 3,
	    "read back: three entries");
	for (i = 0; got != NULL && i < 3 && i < got->nall; i++)
		ok(same(posts[i], got->all[i]), "entry %zu the same", i);
	post_index_unref(got);
	ok(indexfile_load(dirfd, "missing", CONTEXT, site, &why) == NULL &&
	    why == NULL, "no file: nothing, and no reason to log");
	got = indexfile_load(dirfd, "ix", CONTEXT + 1, site, &why);
	ok(got == NULL && why != NULL && strstr(why, "another") != NULL,
	    "another context refused: %s", why ? why : "(none)");

	/* Every single-byte change and every truncation is refused. */
	fd = openat(dirfd, "ix", O_RDONLY);
	fstat(fd, &st);
	n = (size_t)st.st_size;
	data = malloc(n);
	bad = malloc(n);
	if (read(fd, data, n) != (ssize_t)n)
		return 1;
	close(fd);
	for (i = 0, refused = 0, flips = 0; i < n; i++, flips++) {
		memcpy(bad, data, n);
		bad[i] ^= 0x41;
		put_file(dirfd, "bad", bad, n);
		got = indexfile_load(dirfd, "bad", CONTEXT, site, &why);
		refused += got == NULL && why != NULL;
		post_index_unref(got);
	}
	is_int(refused, flips, "every flipped byte refused");
	for (i = 0, refused = 0; i < n; i++) {
		put_file(dirfd, "bad", data, i);
		got = indexfile_load(dirfd, "bad", CONTEXT, site, &why);
		refused += got == NULL && why != NULL;
		post_index_unref(got);
	}
	is_int(refused, n, "every truncation refused");
	put_file(dirfd, "bad", data, n);
	fchmodat(dirfd, "bad", 0644, 0);
	if (geteuid() == 0 && fchownat(dirfd, "bad", 65534, 65534, 0) == 0) {
		got = indexfile_load(dirfd, "bad", CONTEXT, site, &why);
		ok(got == NULL && why != NULL && strstr(why, "another user"),
		    "a file owned by another user refused");
		post_index_unref(got);
	}

	/* A post indexed as private for its future date comes out when its
	 * date has come: it is loaded again. */
	posts[2]->draft_set = 0;
	posts[2]->dated = 1;
	posts[2]->draft = 1;
	is_int(indexfile_save(dirfd, "ix", CONTEXT, &ix), 0, "saved again");
	got = indexfile_load(dirfd, "ix", CONTEXT, site, &why);
	ok(got != NULL && got->nall == 2,
	    "a post whose date has come is left out to be loaded again");
	post_index_unref(got);

	for (i = 0; i < 3; i++)
		post_unref(posts[i]);
	free(data);
	free(bad);
	unlinkat(dirfd, "ix", 0);
	unlinkat(dirfd, "bad", 0);
	close(dirfd);
	rmdir(dir);
	site_free(site);
	return tap_done();
}

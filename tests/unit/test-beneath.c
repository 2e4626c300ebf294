/*
 * test-beneath: beneath_open says where a name really leads (the path
 * that judges drafts), for plain paths, "." and ".." segments, symlinks
 * to files and folders, relative and absolute, and refuses what leaves
 * the root.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "beneath.h"
#include "tap.h"

static char top[PATH_MAX];

static void
mk(const char *rel, int dir)
{
	char p[2 * PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (dir)
		(void)mkdir(p, 0755);
	else if ((fd = open(p, O_WRONLY | O_CREAT, 0644)) >= 0)
		close(fd);
}

static void
ln(const char *target, const char *rel)
{
	char p[2 * PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	(void)symlink(target, p);
}

/* Where rel leads, or "-errno". */
static const char *
real_of(const struct beneath *b, const char *rel)
{
	static char	real[PATH_MAX];
	int		fd;

	if ((fd = beneath_open(b, rel, real, sizeof(real))) < 0)
		snprintf(real, sizeof(real), "%d", fd);
	else
		close(fd);
	return real;
}

static const struct {
	const char	*rel, *want, *name;
} cases[] = {
	{ "posts/p.md", "posts/p.md", "a plain path is itself" },
	{ "./posts//p.md", "posts/p.md", "\".\" and empty segments go" },
	{ "_drafts/../posts/p.md", "posts/p.md", "\"..\" takes the one "
	    "before" },
	{ "", "", "the root is \"\"" },
	{ "posts/alias.md", "_drafts/d.md", "a relative symlink: the file "
	    "it leads to" },
	{ "notes/d.md", "_drafts/d.md", "through a symlinked folder" },
	{ "chain.md", "_drafts/d.md", "through a chain" },
	{ "posts/abs.md", "_drafts/d.md", "an absolute symlink under the "
	    "root" },
};

int
main(void)
{
	struct beneath	 b;
	char		 root[PATH_MAX + 8], abs[PATH_MAX + 32];
	size_t		 i;
	int		 fd;

	snprintf(top, sizeof(top), "/tmp/capsuled-beneath-XXXXXX");
	if (mkdtemp(top) == NULL)
		return 1;
	mk("root", 1);
	mk("root/_drafts", 1);
	mk("root/_drafts/d.md", 0);
	mk("root/posts", 1);
	mk("root/posts/p.md", 0);
	mk("outside.md", 0);
	ln("../_drafts/d.md", "root/posts/alias.md");
	ln("_drafts", "root/notes");
	ln("notes/d.md", "root/chain.md");
	snprintf(abs, sizeof(abs), "%s/root/_drafts/d.md", top);
	ln(abs, "root/posts/abs.md");
	ln("../../outside.md", "root/posts/out.md");
	snprintf(root, sizeof(root), "%s/root", top);

	memset(&b, 0, sizeof(b));
	b.root = root;
	if ((b.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_str(real_of(&b, cases[i].rel), cases[i].want,
		    cases[i].name);
	is_int(atoi(real_of(&b, "posts/out.md")), -EXDEV,
	    "a symlink out of the root is refused");
	fd = beneath_open(&b, "posts/p.md", NULL, 0);
	is_int(fd >= 0, 1, "real may be NULL");
	if (fd >= 0)
		close(fd);
	close(b.rootfd);
	beneath_free(&b);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		(void)system(cmd);
	}
	return tap_done();
}

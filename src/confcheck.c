/*
 * confcheck: the configuration checks that touch the file system, made
 * at startup and by --check once the file has loaded (conf_check_paths):
 * roots, certificate directories and files, the chroot, the log file's
 * directory.  Kept apart from confload.c so that the loader stays a pure
 * function of the file's text.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confint.h"

/* The directory holding path ("." for a bare name, "/" for "/x"), newly
 * allocated; NULL when out of memory. */
static char *
parent_dir(const char *path)
{
	char *dir, *slash;

	if ((dir = strdup(path)) == NULL)
		return NULL;
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

/* "host NAME: " before a message about one host's paths. */
static const char *
host_prefix(const char *host, char *buf, size_t len)
{
	char sb[64];

	if (host == NULL)
		return "";
	snprintf(buf, len, "host %s: ", conf_show(host, sb));
	return buf;
}

static void
check_dir(struct conf_report *rep, unsigned long line, const char *what,
    const char *host, const char *dir, int may_create)
{
	struct stat	 st;
	char		*parent, hb[80];

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			conf_report(rep, line, "%s%s %s: not a directory",
			    host_prefix(host, hb, sizeof(hb)), what, dir);
		return;
	}
	if (errno != ENOENT || !may_create) {
		conf_report(rep, line, "%s%s %s: %s",
		    host_prefix(host, hb, sizeof(hb)), what, dir,
		    strerror(errno));
		return;
	}
	/* A missing certs directory is created at startup, if its parent
	 * is there. */
	if ((parent = parent_dir(dir)) == NULL)
		return;
	if (stat(parent, &st) == -1 || !S_ISDIR(st.st_mode))
		conf_report(rep, line, "%s%s %s: its parent %s is missing",
		    host_prefix(host, hb, sizeof(hb)), what, dir, parent);
	free(parent);
}

static void
check_file(struct conf_report *rep, unsigned long line, const char *what,
    const char *host, const char *path)
{
	struct stat	st;
	char		hb[80];

	if (stat(path, &st) == -1)
		conf_report(rep, line, "%s%s %s: %s",
		    host_prefix(host, hb, sizeof(hb)), what, path,
		    strerror(errno));
	else if (!S_ISREG(st.st_mode))
		conf_report(rep, line, "%s%s %s: not a regular file",
		    host_prefix(host, hb, sizeof(hb)), what, path);
}

static void
check_log_dir(struct conf_report *rep, const char *path)
{
	char *dir;

	if ((dir = parent_dir(path)) == NULL)
		return;
	check_dir(rep, 0, "log directory", NULL, dir, 0);
	free(dir);
}

int
conf_check_paths(const struct conf *c, struct conf_errors *errs)
{
	struct conf_report	 rep = {
		.name = c->file != NULL ? c->file : "capsuled",
		.errs = errs,
	};
	size_t			 i;

	for (i = 0; i < c->nhosts; i++) {
		const struct host *h = &c->hosts[i];

		check_dir(&rep, h->line, "root", h->name, h->root, 0);
		if (h->cert_file != NULL) {
			check_file(&rep, h->line, "cert", h->name,
			    h->cert_file);
			check_file(&rep, h->line, "key", h->name, h->key_file);
		} else
			check_dir(&rep, h->line, "certs", h->name, h->certs, 1);
	}
	if (c->chroot != NULL)
		check_dir(&rep, 0, "chroot", NULL, c->chroot, 0);
	/* The log file is created at startup (before any chroot), but not
	 * its directory. */
	if (c->log_dest == CONF_LOG_FILE && c->log_file != NULL)
		check_log_dir(&rep, c->log_file);
	return rep.nerr > 0 ? -1 : 0;
}

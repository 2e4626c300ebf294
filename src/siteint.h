/*
 * siteint: what site.c (loading the site) and siteurl.c (its URL scheme)
 * share and nothing else uses.
 */
#ifndef CAPSULED_SITEINT_H
#define CAPSULED_SITEINT_H

#include <stddef.h>

struct site;

/* 1 when the n bytes at s end in suf, without case. */
int		 site_has_suffix(const char *s, size_t n, const char *suf);

/* 1 when rel is inside folder dir ("" is the root, which holds all). */
int		 site_in_dir(const char *rel, const char *dir);

/* The folder a Docusaurus plugin ("docs", "blog") reads, as its preset
 * options set it (path: ...), else its own name. */
const char	*site_docu_dir(const struct site *, const char *plugin);

/* The name part of source rel: its file name without the extension, a
 * bundle's or section's index ("x/index.md", "x/_index.md") its
 * folder's. */
void		 site_stem(const char *rel, const char **p, size_t *n);

/* A "YYYY-MM-DD-" prefix of the n bytes at p: its length (11), else 0. */
size_t		 site_date_prefix(const char *p, size_t n);

/* Jekyll's post name, YYYY-MM-DD-title.EXT (month and day may have one
 * digit): the length of its date prefix with the '-', else 0. */
size_t		 site_jekyll_date(const char *p, size_t n);

#endif

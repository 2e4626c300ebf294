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

/* The folder a Docusaurus plugin ("docs", "blog") reads, as its preset
 * options set it (path: ...), else its own name. */
const char	*site_docu_dir(const struct site *, const char *plugin);

#endif

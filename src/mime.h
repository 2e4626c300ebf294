/*
 * mime: one table from file-name extension to MIME type and Gopher item
 * type, used by both protocols and by the converters' link items.
 */
#ifndef CAPSULED_MIME_H
#define CAPSULED_MIME_H

#include <stddef.h>

/* MIME type for a file name, by extension (case-insensitive); text types
 * carry "; charset=utf-8".  Unknown: "application/octet-stream". */
const char	*mime_type(const char *name);

/* Gopher item type for a file (not a directory): '0' text (including
 * .md, .gmi, .txt), 'g' GIF, 'I' other images, 'h' HTML, '9' anything
 * else. */
char		 mime_gopher_type(const char *name);

/* The Markdown sources pages are made from, by extension: .md,
 * .markdown and MDX's .mdx (Markdown with JSX, as Docusaurus, Astro and
 * Next.js blogs write posts).  NULL-ended, in the order a page path
 * looks for its source. */
extern const char *const mime_markdown_exts[];

/* The length of the n bytes at name's Markdown extension (".md" is 3),
 * else 0. */
size_t		 mime_markdown_ext(const char *name, size_t n);

#endif

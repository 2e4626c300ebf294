/*
 * hatena: Hatena Blog's own notation (はてな記法) read into Markdown.
 * Hatena blogsync entries are written in Markdown, in HTML or in the
 * notation, and nothing in the file says which: hatena_notation()
 * decides from the text, hatena_markdown() rewrites a notation entry
 * as the Markdown the rest of the converter reads.  Pure.
 */
#ifndef CAPSULED_HATENA_H
#define CAPSULED_HATENA_H

#include <stddef.h>

#include "buf.h"

/*
 * 1 when s[0..n) reads as Hatena notation, else 0.  blogsync: the front
 * matter is a blogsync entry's (EditURL on blog.hatena.ne.jp), so the
 * notation needs only to outweigh Markdown; without it only the marks
 * no Markdown page has (super-pre blocks, >> << quotes) count.
 */
int	hatena_notation(const char *s, size_t n, int blogsync);

/*
 * The Markdown of a notation entry, appended to out: * headings, >> <<
 * quotes, >|lang| ||< super-pre and >| |< pre blocks as fenced code,
 * - + lists, :term:description lists, | tables, ((footnotes)), id:user links, [tex:...] as code;
 * [url:title], [url:embed] and [f:id:...] photos are left for the
 * generator-syntax pass, which reads them in Markdown entries too.
 * Markdown's own marks in the prose are escaped.  0 or -1.
 */
int	hatena_markdown(const char *s, size_t n, struct buf *out);

#endif

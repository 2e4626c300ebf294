/*
 * gemtext: renders the converters' intermediate document (markdown.h)
 * as text/gemini.  Pure.
 */
#ifndef CAPSULED_GEMTEXT_H
#define CAPSULED_GEMTEXT_H

struct buf;
struct md_doc;

/* Append the document as gemtext (LF line endings).  0 or -1. */
int	gemtext_emit(const struct md_doc *d, struct buf *out);

#endif

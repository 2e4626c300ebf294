/*
 * entity: HTML character references decoded.  Pure.
 */
#ifndef CAPSULED_ENTITY_H
#define CAPSULED_ENTITY_H

#include <stddef.h>

#include "buf.h"

/* s[0..n) appended to out with character references decoded (the
 * named ones of a common set, decimal and hex); anything else is kept
 * as written.  0 or -1. */
int	entity_decode(struct buf *out, const char *s, size_t n);

#endif

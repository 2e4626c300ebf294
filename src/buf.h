/*
 * buf: the one growable byte buffer.  Every buffer has a maximum size set
 * when it is created, so no input can make it grow without bound.  The
 * contents are always NUL-terminated for convenience, but lengths are
 * explicit and protocol code never relies on the terminator.
 */
#ifndef CAPSULED_BUF_H
#define CAPSULED_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* appends that would pass this fail */
};

void	 buf_init(struct buf *, size_t max);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
int	 buf_append(struct buf *, const void *, size_t);
int	 buf_puts(struct buf *, const char *);
int	 buf_putc(struct buf *, int);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
char	*buf_detach(struct buf *, size_t *lenp);

/* FNV-1a over n bytes: the one hash of every table in the server.
 * buf_hash_more goes on from h (BUF_HASH_SEED to start), so that data
 * in pieces hashes as it would in one. */
#define BUF_HASH_SEED	14695981039346656037ULL
uint64_t buf_hash(const void *, size_t);
uint64_t buf_hash_more(uint64_t h, const void *, size_t);

#endif

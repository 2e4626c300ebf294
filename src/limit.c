/*
 * limit: connection counts and token buckets per client address (see
 * limit.h).  One mutex; the critical sections are a hash and a few
 * compares, far cheaper than the TLS handshake each one guards.
 */
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limit.h"

#define PROBES	8	/* slots tried per address before giving up */

struct slot {
	unsigned char	 addr[16];	/* IPv4 as v4-mapped IPv6 */
	int		 used;
	unsigned	 conns;
	double		 tokens;
	uint64_t	 stamp;		/* ms of the last refill */
};

struct limiter {
	struct limit_conf	 conf;
	pthread_mutex_t		 lock;
	struct slot		*slots;
};

struct limiter *
limiter_new(const struct limit_conf *conf)
{
	struct limiter *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->conf = *conf;
	if (l->conf.slots == 0)
		l->conf.slots = 4096;
	if ((l->slots = calloc(l->conf.slots, sizeof(*l->slots))) == NULL) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	return l;
}

void
limiter_free(struct limiter *l)
{
	if (l == NULL)
		return;
	pthread_mutex_destroy(&l->lock);
	free(l->slots);
	free(l);
}

/* The address as 16 bytes; 0 for loopback when exempt (the request rate
 * unless conf.loopback: tests and local tools make many requests, while
 * connections from loopback are capped like any other's). */
static int
addr_key(const struct sockaddr *sa, unsigned char key[16],
    int exempt_loopback)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		memcpy(key, mapped, 12);
		memcpy(key + 12, &in->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		memcpy(key, &in6->sin6_addr, 16);
	} else
		return 0;
	if (exempt_loopback &&
	    ((memcmp(key, mapped, 12) == 0 && key[12] == 127) ||
	    IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)key)))
		return 0;
	return 1;
}

/* An idle slot (no connections, bucket refilled) may be given to
 * another address. */
static int
slot_idle(const struct limiter *l, const struct slot *s, uint64_t now)
{
	double full = l->conf.burst;

	if (l->conf.rate > 0 && now > s->stamp)
		full = s->tokens + (double)(now - s->stamp) * l->conf.rate / 1000;
	else if (l->conf.rate > 0)
		full = s->tokens;

	return !s->used || (s->conns == 0 && full >= l->conf.burst);
}

/* The slot for key, claiming an idle one if needed; NULL if none. */
static struct slot *
find_slot(struct limiter *l, const unsigned char key[16], uint64_t now,
    int claim)
{
	struct slot	*s, *free_slot = NULL;
	size_t		 i, h = (size_t)buf_hash(key, 16);

	for (i = 0; i < PROBES; i++) {
		s = &l->slots[(h + i) % l->conf.slots];
		if (s->used && memcmp(s->addr, key, 16) == 0)
			return s;
		if (free_slot == NULL && slot_idle(l, s, now))
			free_slot = s;
	}
	if (!claim || free_slot == NULL)
		return NULL;
	memcpy(free_slot->addr, key, 16);
	free_slot->used = 1;
	free_slot->conns = 0;
	free_slot->tokens = l->conf.burst;
	free_slot->stamp = now;
	return free_slot;
}

int
limiter_open(struct limiter *l, const struct sockaddr *sa, uint64_t now)
{
	unsigned char	 key[16];
	struct slot	*s;
	int		 r = 0;

	if (l->conf.per_ip == 0 || !addr_key(sa, key, 0))
		return 0;
	pthread_mutex_lock(&l->lock);
	if ((s = find_slot(l, key, now, 1)) != NULL) {
		if (s->conns >= l->conf.per_ip)
			r = -1;
		else
			s->conns++;
	}
	pthread_mutex_unlock(&l->lock);
	return r;
}

void
limiter_close(struct limiter *l, const struct sockaddr *sa)
{
	unsigned char	 key[16];
	struct slot	*s;

	if (l->conf.per_ip == 0 || !addr_key(sa, key, 0))
		return;
	pthread_mutex_lock(&l->lock);
	/* Without claiming, find_slot never looks at the time. */
	if ((s = find_slot(l, key, 0, 0)) != NULL && s->conns > 0)
		s->conns--;
	pthread_mutex_unlock(&l->lock);
}

unsigned
limiter_request(struct limiter *l, const struct sockaddr *sa, uint64_t now)
{
	unsigned char	 key[16];
	struct slot	*s;
	unsigned	 wait = 0;

	if (l->conf.rate <= 0 || !addr_key(sa, key, !l->conf.loopback))
		return 0;
	pthread_mutex_lock(&l->lock);
	if ((s = find_slot(l, key, now, 1)) != NULL) {
		if (now > s->stamp)
			s->tokens += (double)(now - s->stamp) * l->conf.rate /
			    1000;
		if (s->tokens > l->conf.burst)
			s->tokens = l->conf.burst;
		s->stamp = now;
		if (s->tokens >= 1)
			s->tokens -= 1;
		else
			wait = (unsigned)ceil((1 - s->tokens) / l->conf.rate);
	}
	pthread_mutex_unlock(&l->lock);
	return wait;
}

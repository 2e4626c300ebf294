/*
 * limit: per-client-address accounting shared by all workers: how many
 * connections an address holds, and a token bucket of requests.  The
 * table has a fixed number of slots, so a flood of addresses costs no
 * memory; an address that finds no slot is simply not tracked.
 */
#ifndef CAPSULED_LIMIT_H
#define CAPSULED_LIMIT_H

#include <stdint.h>
#include <sys/socket.h>

struct limiter;

struct limit_conf {
	unsigned	 per_ip;	/* connections per address; 0 = off */
	double		 rate;		/* requests per second; 0 = off */
	double		 burst;		/* bucket size */
	int		 loopback;	/* the rate applies to 127/8 and ::1
					   too (the connection cap always) */
	unsigned	 slots;		/* addresses tracked at most */
};

struct limiter	*limiter_new(const struct limit_conf *);
void		 limiter_free(struct limiter *);

/* A connection from addr at time now_ms (monotonic): 0 when allowed
 * (counted until limiter_close), -1 when the address holds too many
 * already. */
int		 limiter_open(struct limiter *, const struct sockaddr *,
		    uint64_t now_ms);
void		 limiter_close(struct limiter *, const struct sockaddr *);

/* One request from addr at time now_ms: 0 when allowed, else the whole
 * seconds to wait before the next one would be. */
unsigned	 limiter_request(struct limiter *, const struct sockaddr *,
		    uint64_t now_ms);

#endif

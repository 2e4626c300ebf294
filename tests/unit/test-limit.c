/*
 * test-limit: per-address connection caps and token buckets, with the
 * clock passed in so time is exact.
 */
#include <arpa/inet.h>
#include <string.h>

#include "limit.h"
#include "tap.h"

static struct sockaddr_storage
v4(const char *a)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*in = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	inet_pton(AF_INET, a, &in->sin_addr);
	return ss;
}

static struct sockaddr_storage
v6(const char *a)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	in6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, a, &in6->sin6_addr);
	return ss;
}

#define SA(x)	((struct sockaddr *)&(x))

int
main(void)
{
	struct limit_conf	 lc = { 2, 1.0, 3.0, 0, 64 };
	struct limiter		*l;
	struct sockaddr_storage	 a = v4("192.0.2.1"), b = v4("192.0.2.2");
	struct sockaddr_storage	 lo = v4("127.0.0.1"), lo6 = v6("::1");
	struct sockaddr_storage	 m = v6("::ffff:192.0.2.1");
	unsigned		 i, refused;

	l = limiter_new(&lc);
	ok(l != NULL, "limiter created");
	is_int(limiter_open(l, SA(a), 0), 0, "first connection allowed");
	is_int(limiter_open(l, SA(a), 0), 0, "second connection allowed");
	is_int(limiter_open(l, SA(a), 0), -1, "third over the cap of 2");
	is_int(limiter_open(l, SA(m), 0), -1,
	    "the v4-mapped form is the same address");
	is_int(limiter_open(l, SA(b), 0), 0, "another address is separate");
	limiter_close(l, SA(a));
	is_int(limiter_open(l, SA(a), 0), 0, "a closed connection frees one");
	/* The connection cap applies to loopback too: a local client can
	 * exhaust slots like any other. */
	is_int(limiter_open(l, SA(lo), 0), 0, "loopback: first connection");
	is_int(limiter_open(l, SA(lo), 0), 0, "loopback: second connection");
	is_int(limiter_open(l, SA(lo), 0), -1, "loopback: over the cap of 2");
	is_int(limiter_open(l, SA(lo6), 0), 0, "::1 is its own address");
	/* The request rate does not, unless asked (below). */
	for (i = 0; i < 10; i++)
		is_int(limiter_request(l, SA(lo), 0), 0,
		    "loopback exempt from the rate");

	is_int(limiter_request(l, SA(b), 1000), 0, "burst 1/3");
	is_int(limiter_request(l, SA(b), 1000), 0, "burst 2/3");
	is_int(limiter_request(l, SA(b), 1000), 0, "burst 3/3");
	is_int(limiter_request(l, SA(b), 1000), 1, "over: wait 1 s");
	is_int(limiter_request(l, SA(b), 1500), 1, "half a token is not one");
	is_int(limiter_request(l, SA(b), 2100), 0, "refilled after a second");
	is_int(limiter_request(l, SA(b), 100000), 0, "long idle: full again");
	limiter_free(l);

	/* A flood of addresses: the table stays its size and every address
	 * is either tracked or let through, never a crash. */
	lc.slots = 16;
	lc.per_ip = 1;
	l = limiter_new(&lc);
	refused = 0;
	for (i = 0; i < 5000; i++) {
		struct sockaddr_storage x = v4("198.51.100.0");

		((struct sockaddr_in *)&x)->sin_addr.s_addr = htonl(0xc6336400 + i);
		refused += limiter_open(l, SA(x), i) == -1;
	}
	is_int(refused, 0, "5000 distinct addresses, one connection each");
	limiter_free(l);

	lc.loopback = 1;
	lc.slots = 64;
	l = limiter_new(&lc);
	for (i = 0; i < 3; i++)
		is_int(limiter_request(l, SA(lo), 0), 0, "loopback burst");
	is_int(limiter_request(l, SA(lo), 0), 1,
	    "loopback rate-limited when asked");
	limiter_free(l);
	return tap_done();
}

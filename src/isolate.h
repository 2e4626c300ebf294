/*
 * isolate: run one pure function (a render, a digest) in a forked child
 * under CPU-time, memory and descriptor limits, its output returned
 * through a pipe.  A runaway or crashing conversion then costs one page,
 * never the server, its memory or another request.
 */
#ifndef CAPSULED_ISOLATE_H
#define CAPSULED_ISOLATE_H

#include <stddef.h>

struct buf;

struct isolate_limits {
	unsigned	 cpu_sec;	/* RLIMIT_CPU */
	size_t		 mem;		/* RLIMIT_AS (not under ASan) */
	unsigned	 wall_ms;	/* killed after this, whatever it does */
	size_t		 out_max;	/* bytes of output accepted */
};

enum isolate_status {
	ISOLATE_OK = 0,
	ISOLATE_CPU = -1,	/* over the CPU time limit */
	ISOLATE_MEM = -2,	/* out of memory (or output) under the limit */
	ISOLATE_TIME = -3,	/* over the wall-clock limit */
	ISOLATE_FAIL = -4	/* could not run, or crashed */
};

/*
 * fn(arg, out) runs in a child process, which may only write its output:
 * it returns 0, or -1 when an allocation failed.  The child must call
 * nothing that takes a lock another thread may hold (no logging).  On
 * ISOLATE_OK out holds what fn appended.  Blocks the calling thread (never
 * an event loop's) until the child is done.
 */
int		 isolate_run(int (*fn)(void *arg, struct buf *out), void *arg,
		    const struct isolate_limits *, struct buf *out);

/*
 * isolate_run, and the child may ask the server questions it cannot
 * answer itself (whether a file exists: it may not open one): each
 * isolate_ask in the child runs ask(ask_arg, question, n, answer) in the
 * calling thread, at most ISOLATE_ASK_MAX times per run; questions past
 * that, or longer than ISOLATE_ASK_LEN, get an empty answer.
 */
int		 isolate_run_asking(int (*fn)(void *arg, struct buf *out),
		    void *arg, int (*ask)(void *ask_arg, const char *q,
		    size_t n, struct buf *answer), void *ask_arg,
		    const struct isolate_limits *, struct buf *out);

/* In a child run by isolate_run_asking: q's answer appended to answer.
 * 0, or -1 (no server to ask, or the answer does not fit). */
int		 isolate_ask(const char *q, size_t n, struct buf *answer);

/* "the CPU time limit" and so on, for the log and error pages. */
const char	*isolate_reason(int status);

#endif

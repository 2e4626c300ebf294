/*
 * test-isolate: a function run in a child under limits gives back its
 * output, and what it must not do (run away, open files, sockets or
 * programs) ends in the right status or fails inside the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "defaults.h"
#include "isolate.h"
#include "tap.h"

static const struct isolate_limits lim = { 1, 256UL << 20, 10000, 1 << 20 };

static int
echo(void *arg, struct buf *out)
{
	return buf_puts(out, arg);
}

static int
spin(void *arg, struct buf *out)
{
	volatile unsigned long n = 0;

	(void)arg;
	(void)out;
	for (;;)
		n++;
	return 0;
}

static int
too_much(void *arg, struct buf *out)
{
	(void)arg;
	for (;;)
		if (buf_putc(out, 'x') == -1)
			return -1;
}

/* What each forbidden call gave, as errno names. */
static int
escape(void *arg, struct buf *out)
{
	int fd;

	(void)arg;
	fd = open("/etc/passwd", O_RDONLY);
	buf_printf(out, "open %s;", fd == -1 ? strerrorname_np(errno) : "OK");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	buf_printf(out, "socket %s;", fd == -1 ? strerrorname_np(errno) :
	    "OK");
	execl("/bin/true", "true", (char *)NULL);
	return buf_printf(out, "exec %s", strerrorname_np(errno));
}

/* Asks one question twice, then distinct ones past the limit; writes
 * what came back. */
static int
asker(void *arg, struct buf *out)
{
	struct buf	a;
	unsigned	i, empty = 0, failed = 0;
	char		q[32];
	int		r;

	(void)arg;
	buf_init(&a, 64);
	for (i = 0; i < 2; i++) {
		buf_reset(&a);
		r = isolate_ask("question", 8, &a);
		buf_printf(out, "%d:%.*s;", r, (int)a.len, a.data ? a.data :
		    "");
	}
	for (i = 1; i < ISOLATE_ASK_MAX + 10; i++) {
		buf_reset(&a);
		snprintf(q, sizeof(q), "q%u", i);
		if (isolate_ask(q, strlen(q), &a) == -1)
			failed++;
		else if (a.len == 0)
			empty++;
	}
	buf_free(&a);
	return buf_printf(out, "failed %u, empty %u", failed, empty);
}

/* The server's side: the answer is the question reversed. */
static int
answer(void *arg, const char *q, size_t n, struct buf *a)
{
	(*(unsigned *)arg)++;
	while (n > 0)
		if (buf_putc(a, q[--n]) == -1)
			return -1;
	return 0;
}

/* A question where there is nobody to ask. */
static int
ask_alone(void *arg, struct buf *out)
{
	struct buf a;

	(void)arg;
	buf_init(&a, 64);
	buf_printf(out, "%d", isolate_ask("q", 1, &a));
	buf_free(&a);
	return 0;
}

int
main(void)
{
	unsigned	asked = 0;
	struct buf	out;
	int		r;

	buf_init(&out, 1 << 20);
	r = isolate_run(echo, "hello from the child", &lim, &out);
	is_int(r, ISOLATE_OK, "a child's output comes back");
	is_str(out.data ? out.data : "", "hello from the child", "... whole");

	buf_reset(&out);
	r = isolate_run(spin, NULL, &lim, &out);
	is_int(r, ISOLATE_CPU, "a runaway stops at the CPU limit");
	is_str(isolate_reason(r), "the CPU time limit", "... and says so");
	is_int((int)out.len, 0, "... with no output");

	buf_reset(&out);
	r = isolate_run(too_much, NULL, &lim, &out);
	is_int(r, ISOLATE_MEM, "output over the cap: the memory status");

	buf_reset(&out);
	r = isolate_run(escape, NULL, &lim, &out);
	is_int(r, ISOLATE_OK, "a child that tries to escape still returns");
	ok(out.data != NULL && strstr(out.data, "open OK") == NULL &&
	    strstr(out.data, "socket OK") == NULL &&
	    strstr(out.data, "exec EPERM") != NULL,
	    "no file, no socket, no program: %s", out.data ? out.data : "");

	buf_reset(&out);
	r = isolate_run_asking(asker, NULL, answer, &asked, &lim, &out);
	is_int(r, ISOLATE_OK, "a child that asks the server returns");
	is_str(out.data ? out.data : "",
	    "0:noitseuq;0:noitseuq;failed 10, empty 0",
	    "its questions answered by the server, up to the limit");
	is_int((int)asked, ISOLATE_ASK_MAX, "the server answered each "
	    "question once (the same one again is remembered)");

	buf_reset(&out);
	r = isolate_run(ask_alone, NULL, &lim, &out);
	is_str(r == ISOLATE_OK && out.data ? out.data : "", "-1",
	    "with nobody to ask, a question fails in the child");
	buf_free(&out);
	return tap_done();
}

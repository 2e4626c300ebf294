/*
 * isolate: one pure function in a forked child under limits (see
 * isolate.h).
 *
 * Why fork at the moment of need rather than a pool of helpers: the
 * conversions read the page's options and site data, which the child
 * inherits as they are, so nothing is serialised on the way in and the
 * renderer keeps its one in-process entry point; a fork, the pipe and
 * the exit cost about 4 ms over the render itself (a 65 KB post on 2
 * busy cores), paid once per file and version since the result is
 * cached, and only for big sources (ISOLATE_MIN_BYTES).  A pre-forked
 * pool would save the fork but would have to be sent the source and the
 * site data, and its helpers' memory would not be given back after a
 * render as an exiting child's is.
 *
 * What it cannot find out without opening files (whether a link's
 * target is a plain file) it asks the server over a socket, one question
 * at a time, and the server answers as it would for itself: the child
 * gets no descriptor for the root, which would give it every file there
 * (and, through openat with an absolute path, everything the server can
 * see), only the answers.
 *
 * The child inherits a copy of the TLS keys' memory, but it can do
 * nothing with it: every descriptor but its pipe, its question socket
 * and stderr is closed
 * and RLIMIT_NOFILE forbids new ones, it cannot gain privileges, a
 * seccomp filter refuses it every system call that would reach anything
 * else (opening, sockets, processes, execution, tracing, changing the
 * file system), and it dies with the server.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "buf.h"
#include "defaults.h"
#include "isolate.h"

#define CHILD_FD	3	/* the pipe, in the child */
#define CHILD_ASK_FD	4	/* its end of the question socket */

/* What precedes the output on the pipe. */
struct isolate_head {
	int32_t		 r;
	uint64_t	 len;
};

static int
write_all(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_all(int fd, void *p, size_t n)
{
	char	*c = p;
	ssize_t	 r;

	while (n > 0) {
		if ((r = read(fd, c, n)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
set_limit(int resource, rlim_t v)
{
	struct rlimit rl = { v, v };

	(void)setrlimit(resource, &rl);
}

#if defined(__x86_64__)
#define SECCOMP_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH	AUDIT_ARCH_AARCH64
#endif

#ifdef SECCOMP_ARCH
#define DENY(nr)							\
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),		\
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)

/*
 * What a converter never needs and a subverted one would: refused with
 * EPERM.  A list of refusals rather than of permissions, because the
 * allocator and the sanitizers' runtimes make calls that vary by libc
 * and build; writing to the descriptors it has is all that is left.
 */
static void
deny_syscalls(void)
{
	static struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
#ifdef SYS_open
		DENY(SYS_open),
#endif
		DENY(SYS_openat), DENY(SYS_openat2), DENY(SYS_open_by_handle_at),
		DENY(SYS_socket), DENY(SYS_socketpair), DENY(SYS_connect),
		DENY(SYS_accept4), DENY(SYS_sendto), DENY(SYS_sendmsg),
		DENY(SYS_execve), DENY(SYS_execveat), DENY(SYS_clone),
		DENY(SYS_clone3), DENY(SYS_ptrace), DENY(SYS_process_vm_readv),
		DENY(SYS_process_vm_writev), DENY(SYS_kill),
		DENY(SYS_unlinkat), DENY(SYS_renameat2), DENY(SYS_mkdirat),
		DENY(SYS_linkat), DENY(SYS_symlinkat), DENY(SYS_fchmodat),
		DENY(SYS_fchownat), DENY(SYS_truncate), DENY(SYS_ftruncate),
		DENY(SYS_mount), DENY(SYS_setns), DENY(SYS_unshare),
		DENY(SYS_pidfd_open), DENY(SYS_pidfd_getfd), DENY(SYS_bpf),
		DENY(SYS_io_uring_setup), DENY(SYS_memfd_create),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	(void)prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}
#endif

/* In the child: never returns.  _exit, so that no atexit handler (the
 * leak checker included) runs on the parent's copied state. */
static void __attribute__((noreturn))
child(int wfd, int qfd, int (*fn)(void *, struct buf *), void *arg,
    const struct isolate_limits *lim)
{
	struct isolate_head	 h;
	struct buf		 out;
	struct rlimit		 rl;

	/* Both out of the way first: either may sit where the other
	 * goes. */
	if ((wfd = fcntl(wfd, F_DUPFD, CHILD_ASK_FD + 1)) == -1 ||
	    (qfd != -1 && (qfd = fcntl(qfd, F_DUPFD, CHILD_ASK_FD + 1)) ==
	    -1) || dup2(wfd, CHILD_FD) == -1 ||
	    (qfd != -1 && dup2(qfd, CHILD_ASK_FD) == -1))
		_exit(1);
	(void)close_range(qfd != -1 ? CHILD_ASK_FD + 1 : CHILD_FD + 1, ~0U,
	    0);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* The soft limit sends SIGXCPU, the hard one a second later
	 * SIGKILL. */
	rl.rlim_cur = lim->cpu_sec;
	rl.rlim_max = lim->cpu_sec + 1;
	(void)setrlimit(RLIMIT_CPU, &rl);
#if !CAPSULED_HAS_ASAN
	set_limit(RLIMIT_AS, lim->mem);
	/* No file grows; a library's complaint on a stderr that is a file
	 * then fails quietly instead of killing with SIGXFSZ. */
	set_limit(RLIMIT_FSIZE, 0);
	(void)signal(SIGXFSZ, SIG_IGN);
#endif
	set_limit(RLIMIT_NOFILE, CHILD_ASK_FD + 1);
#ifdef SECCOMP_ARCH
	deny_syscalls();	/* after NO_NEW_PRIVS, which it needs */
#endif
	buf_init(&out, lim->out_max);
	h.r = fn(arg, &out) == 0 ? 0 : -1;
	h.len = out.len;
	if (write_all(CHILD_FD, &h, sizeof(h)) == -1 ||
	    write_all(CHILD_FD, out.data ? out.data : "", out.len) == -1)
		_exit(1);
	_exit(h.r == 0 ? 0 : 3);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The server's end of the question socket. */
struct asker {
	int		  fd;		/* -1 once the child is gone */
	int		(*ask)(void *, const char *, size_t, struct buf *);
	void		 *arg;
	unsigned	  asked;
	size_t		  have;		/* bytes of msg read */
	char		  msg[sizeof(uint32_t) + ISOLATE_ASK_LEN];
};

/* Read what the child asks; once a question is whole, answer it.  0, or
 * ISOLATE_FAIL for a question no child of ours would send. */
static int
asker_read(struct asker *a)
{
	uint32_t	 len = 0, alen;
	size_t		 need = sizeof(len);
	struct buf	 ans;
	ssize_t		 n;

	if (a->have >= sizeof(len)) {
		memcpy(&len, a->msg, sizeof(len));
		if (len > ISOLATE_ASK_LEN)
			return ISOLATE_FAIL;
		need += len;
	}
	if ((n = read(a->fd, a->msg + a->have, need - a->have)) == -1 &&
	    (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		a->fd = -1;	/* gone: its output says the rest */
		return 0;
	}
	a->have += (size_t)n;
	if (a->have < sizeof(len))
		return 0;
	memcpy(&len, a->msg, sizeof(len));
	if (len > ISOLATE_ASK_LEN)
		return ISOLATE_FAIL;
	if (a->have < sizeof(len) + len)
		return 0;	/* not whole yet */
	buf_init(&ans, ISOLATE_ASK_LEN);
	if (a->asked < ISOLATE_ASK_MAX &&
	    a->ask(a->arg, a->msg + sizeof(len), len, &ans) == -1)
		buf_reset(&ans);
	a->asked++;
	a->have = 0;
	alen = (uint32_t)ans.len;
	/* The child waits for the answer, so these do not block for
	 * long; MSG_NOSIGNAL, as a killed child must not kill us. */
	if (send(a->fd, &alen, sizeof(alen), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(alen) || (ans.len > 0 && send(a->fd, ans.data,
	    ans.len, MSG_NOSIGNAL) != (ssize_t)ans.len))
		a->fd = -1;
	buf_free(&ans);
	return 0;
}

/* Everything the child writes, until EOF or the deadline, answering its
 * questions meanwhile (a may be NULL): 0, or ISOLATE_TIME / ISOLATE_MEM
 * (more than max) / ISOLATE_FAIL. */
static int
read_child(int fd, struct asker *a, struct buf *b, unsigned wall_ms)
{
	uint64_t	 end = now_ms() + wall_ms, t;
	struct pollfd	 pfd[2];
	char		 tmp[65536];
	ssize_t		 n;
	int		 r;

	pfd[0].fd = fd;
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		if ((t = now_ms()) >= end)
			return ISOLATE_TIME;
		pfd[0].revents = pfd[1].revents = 0;
		pfd[1].fd = a != NULL ? a->fd : -1;
		r = poll(pfd, 2, (int)(end - t));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0)
			return ISOLATE_TIME;
		if (r == -1)
			return ISOLATE_FAIL;
		if (pfd[1].revents != 0 && (r = asker_read(a)) != 0)
			return r;
		if (pfd[0].revents == 0)
			continue;
		if ((n = read(fd, tmp, sizeof(tmp))) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return ISOLATE_FAIL;
		}
		if (n == 0)
			return 0;
		if (buf_append(b, tmp, (size_t)n) == -1)
			return ISOLATE_MEM;
	}
}

/*
 * In a child: each question asked and its answer, so that asking again
 * (a page links the same file many times) costs no round trip.  memo
 * holds [u32 qlen][q][u32 alen][answer] entries, memo_slot an entry's
 * offset + 1 by its question's hash.  The child's own: it exits with
 * them.
 */
#define MEMO_SLOTS	(2 * ISOLATE_ASK_MAX)	/* a power of two */
static struct buf	 memo;
static uint32_t		 memo_slot[MEMO_SLOTS];

static uint32_t *
memo_find(const char *q, uint32_t n)
{
	size_t		 h = buf_hash(q, n) & (MEMO_SLOTS - 1);
	const char	*e;
	uint32_t	 qn;

	for (; memo_slot[h] != 0; h = (h + 1) & (MEMO_SLOTS - 1)) {
		e = memo.data + memo_slot[h] - 1;
		memcpy(&qn, e, sizeof(qn));
		if (qn == n && memcmp(e + sizeof(qn), q, n) == 0)
			break;
	}
	return &memo_slot[h];
}

int
isolate_ask(const char *q, size_t n, struct buf *answer)
{
	/* This child's questions so far (each child starts from the
	 * server's 0): past the server's limit it would only answer
	 * "nothing", so the round trip is saved. */
	static unsigned	 asked;
	char		 msg[sizeof(uint32_t) + ISOLATE_ASK_LEN];
	const char	*e;
	uint32_t	 len = (uint32_t)n, alen, *slot;
	size_t		 off = memo.len;

	if (n > ISOLATE_ASK_LEN)
		return -1;
	if (*(slot = memo_find(q, len)) != 0) {
		e = memo.data + *slot - 1 + sizeof(len) + n;
		memcpy(&alen, e, sizeof(alen));
		return buf_append(answer, e + sizeof(alen), alen);
	}
	if (asked >= ISOLATE_ASK_MAX)
		return -1;
	asked++;
	memcpy(msg, &len, sizeof(len));
	memcpy(msg + sizeof(len), q, n);
	if (write_all(CHILD_ASK_FD, msg, sizeof(len) + n) == -1 ||
	    read_all(CHILD_ASK_FD, &alen, sizeof(alen)) == -1 ||
	    alen > ISOLATE_ASK_LEN || read_all(CHILD_ASK_FD, msg, alen) == -1)
		return -1;
	if (memo.max == 0)
		buf_init(&memo, ISOLATE_ASK_MAX * (2 * sizeof(len) +
		    2 * ISOLATE_ASK_LEN));
	if (buf_append(&memo, &len, sizeof(len)) == 0 &&
	    buf_append(&memo, q, n) == 0 &&
	    buf_append(&memo, &alen, sizeof(alen)) == 0 &&
	    buf_append(&memo, msg, alen) == 0)
		*slot = (uint32_t)off + 1;
	else
		memo.len = off;
	return buf_append(answer, msg, alen);
}

int
isolate_run(int (*fn)(void *, struct buf *), void *arg,
    const struct isolate_limits *lim, struct buf *out)
{
	return isolate_run_asking(fn, arg, NULL, NULL, lim, out);
}

int
isolate_run_asking(int (*fn)(void *, struct buf *), void *arg,
    int (*ask)(void *, const char *, size_t, struct buf *), void *ask_arg,
    const struct isolate_limits *lim, struct buf *out)
{
	struct isolate_head	 h;
	struct asker		*a = NULL;
	struct buf		 got;
	pid_t			 pid;
	int			 p[2], q[2] = { -1, -1 }, st, r;

	if (ask != NULL) {
		if ((a = calloc(1, sizeof(*a))) == NULL)
			return ISOLATE_FAIL;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, q) ==
		    -1) {
			free(a);
			return ISOLATE_FAIL;
		}
		a->fd = q[0];
		a->ask = ask;
		a->arg = ask_arg;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		r = ISOLATE_FAIL;
		goto closeq;
	}
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		r = ISOLATE_FAIL;
		goto closeq;
	}
	if (pid == 0) {
		close(p[0]);
		if (q[0] != -1)
			close(q[0]);
		child(p[1], q[1], fn, arg, lim);
	}
	close(p[1]);
	if (q[1] != -1)
		close(q[1]);
	q[1] = -1;
	buf_init(&got, sizeof(h) + lim->out_max);
	r = read_child(p[0], a, &got, lim->wall_ms);
	close(p[0]);
	if (r != 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (r == 0) {
		/* Under RLIMIT_AS a failed allocation ends in an abort
		 * (cmark's) or a fault (a NULL nobody checked). */
		if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGABRT ||
		    WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS))
			r = ISOLATE_MEM;
		else if (WIFSIGNALED(st))
			r = WTERMSIG(st) == SIGXCPU || WTERMSIG(st) ==
			    SIGKILL ? ISOLATE_CPU : ISOLATE_FAIL;
		else if (WEXITSTATUS(st) == 3)
			r = ISOLATE_MEM;
		else if (WEXITSTATUS(st) != 0 || got.len < sizeof(h))
			r = ISOLATE_FAIL;
	}
	if (r == 0) {
		memcpy(&h, got.data, sizeof(h));
		if (h.len != got.len - sizeof(h) ||
		    buf_append(out, got.data + sizeof(h), (size_t)h.len) == -1)
			r = ISOLATE_MEM;
	}
	buf_free(&got);
closeq:
	if (q[0] != -1)
		close(q[0]);
	if (q[1] != -1)
		close(q[1]);
	free(a);
	return r;
}

const char *
isolate_reason(int status)
{
	switch (status) {
	case ISOLATE_CPU:
		return "the CPU time limit";
	case ISOLATE_MEM:
		return "the memory limit";
	case ISOLATE_TIME:
		return "the time limit";
	default:
		return "a failure";
	}
}

/*
 * bare-gopher: the reference Gopher responder for the benchmark.  One
 * blocking loop: accept, read the selector line, write one preloaded file,
 * close.  It measures what the kernel alone costs per Gopher request.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BG_BACKLOG	511
#define BG_SELECTOR_MAX	1024
#define BG_FILE_MAX	(64 << 20)

static void
bg_usage(void)
{
	fprintf(stderr, "usage: bare-gopher -f FILE [-l 127.0.0.1] "
	    "[-p PORT]\n");
	exit(2);
}

static char *
bg_load(const char *path, size_t *len)
{
	struct stat sb;
	char *p;
	int fd;
	ssize_t n;
	size_t off = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		fprintf(stderr, "bare-gopher: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	if (sb.st_size <= 0 || sb.st_size > BG_FILE_MAX) {
		fprintf(stderr, "bare-gopher: %s: bad size\n", path);
		exit(1);
	}
	if ((p = malloc((size_t)sb.st_size)) == NULL)
		exit(1);
	while (off < (size_t)sb.st_size) {
		n = read(fd, p + off, (size_t)sb.st_size - off);
		if (n <= 0) {
			fprintf(stderr, "bare-gopher: %s: short read\n", path);
			exit(1);
		}
		off += (size_t)n;
	}
	close(fd);
	*len = off;
	return p;
}

/*
 * Read until the end of the selector line.  The request must be consumed:
 * closing a socket with unread input makes the kernel send a reset, and
 * the client may lose the reply.
 */
static int
bg_read_selector(int fd)
{
	char buf[BG_SELECTOR_MAX];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if (memchr(buf + got, '\n', (size_t)n) != NULL)
			return 0;
		got += (size_t)n;
	}
	return -1;
}

static void
bg_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sin;
	struct timeval tv = { 5, 0 };
	socklen_t len;
	const char *file = NULL, *addr = "127.0.0.1";
	char *body;
	size_t bodylen;
	int ch, lfd, fd, one = 1, port = 0;

	while ((ch = getopt(argc, argv, "f:l:p:")) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'l':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			bg_usage();
		}
	}
	if (file == NULL || optind != argc || port < 0 || port > 65535)
		bg_usage();
	body = bg_load(file, &bodylen);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    (ntohl(sin.sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "bare-gopher: %s: loopback only\n", addr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, BG_BACKLOG) == -1) {
		fprintf(stderr, "bare-gopher: listen: %s\n", strerror(errno));
		return 1;
	}
	len = sizeof(sin);
	getsockname(lfd, (struct sockaddr *)&sin, &len);
	printf("ready %d\n", ntohs(sin.sin_port));
	fflush(stdout);

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "bare-gopher: accept: %s\n",
			    strerror(errno));
			usleep(10000);
			continue;
		}
		/* A silent client must not stall the one loop for long. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (bg_read_selector(fd) == 0)
			bg_write_all(fd, body, bodylen);
		close(fd);
	}
}

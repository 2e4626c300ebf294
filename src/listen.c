/*
 * listen: bind and accept (see listen.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "defaults.h"
#include "listen.h"
#include "log.h"

static int
bind_one(const char *addr, unsigned port, int *fdp, unsigned *bound,
    const char **err)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (uv_ip6_addr(addr, (int)port, (struct sockaddr_in6 *)&ss) != 0 &&
	    uv_ip4_addr(addr, (int)port, (struct sockaddr_in *)&ss) != 0) {
		*err = "not an IPv4 or IPv6 address";
		return -1;
	}
	len = ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1) {
		*err = strerror(errno);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	/* Accepted sockets inherit it: one setsockopt per listener instead
	 * of one per connection.  Replies leave in one write, so Nagle
	 * would only delay the close_notify or a streamed file's tail. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* "::" alone serves IPv4 too, unless an IPv4 address is also
	 * listed; a specific IPv6 address is IPv6 only. */
	if (ss.ss_family == AF_INET6) {
		int v6only = strcmp(addr, "::") != 0;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		    sizeof(v6only));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		*err = strerror(errno);
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*bound = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	*fdp = fd;
	return 0;
}

int
listen_bind(const struct conf *conf, unsigned (*ports)[2],
    struct listener **out, size_t *np, const char **err)
{
	struct listener	*v;
	size_t		 naddr = conf->nlisten ? conf->nlisten : 1, i, n = 0;
	const char	*addr;
	int		 p;

	if ((v = calloc(naddr * 2, sizeof(*v))) == NULL) {
		*err = "out of memory";
		return -1;
	}
	for (p = 0; p < 2; p++) {
		for (i = 0; i < naddr; i++) {
			struct listener *l = &v[n];

			/* "All addresses": "::" serves IPv4 too where the
			 * kernel has IPv6, else 0.0.0.0. */
			addr = conf->nlisten ? conf->listen[i] : "::";
			/* Entries asking for the same ephemeral port share
			 * the one the first entry got. */
			if (ports[i][p] == 0 && i > 0 &&
			    conf_listen_port(conf, i, p) ==
			    conf_listen_port(conf, 0, p))
				ports[i][p] = ports[0][p];
			if (bind_one(addr, ports[i][p], &l->fd, &l->port,
			    err) == -1 && (conf->nlisten || bind_one("0.0.0.0",
			    ports[i][p], &l->fd, &l->port, err) == -1)) {
				log_warnx("cannot listen on [%s]:%u: %s",
				    addr, ports[i][p], *err);
				goto fail;
			}
			ports[i][p] = l->port;
			l->proto = p == 0 ? PROTO_GEMINI : PROTO_GOPHER;
			l->proxy = conf_listen_proxy(conf, i);
			l->index = i;
			snprintf(l->addr, sizeof(l->addr), "%s", addr);
			n++;
		}
	}
	*out = v;
	*np = n;
	return 0;
fail:
	while (n > 0)
		close(v[--n].fd);
	free(v);
	return -1;
}

/*
 * Out of descriptors, accept() fails while the connection stays queued,
 * so the loop would wake for it forever.  Give up the reserve descriptor,
 * accept and close everything queued, then take the reserve back: the
 * clients see a closed connection instead of a hang, and we do not spin.
 */
static void
shed_connections(struct listener *l)
{
	struct server	*srv = l->srv;
	uv_os_fd_t	 lfd;
	int		 fd, n = 0;

	if (uv_fileno((uv_handle_t *)&l->tcp, &lfd) != 0)
		return;
	/* Without a reserve (another allocation took its slot), free one by
	 * closing the idlest connection: libuv retries accept() until it
	 * stops failing, so we must make progress here. */
	if (srv->reserve_fd != -1)
		close(srv->reserve_fd);
	else
		(void)conn_drop_idlest(srv, NULL);
	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
		close(fd);
		n++;
	}
	srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (uv_now(srv->loop) - srv->emfile_logged >= 10000 ||
	    srv->emfile_logged == 0) {
		log_warnx("out of file descriptors: closed %d new "
		    "connections", n);
		srv->emfile_logged = uv_now(srv->loop);
	}
}

static void
on_connection(uv_stream_t *s, int status)
{
	struct listener *l = s->data;

	if (status == UV_EMFILE || status == UV_ENFILE)
		shed_connections(l);
	else if (status < 0)
		log_warnx("accept: %s", uv_strerror(status));
	else
		conn_accept(l->srv, s, l->proto, l->proxy, l->index);
}

int
listen_start(struct server *srv, struct listener *v, size_t n)
{
	size_t i;

	srv->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < n; i++) {
		v[i].srv = srv;
		uv_tcp_init(srv->loop, &v[i].tcp);
		v[i].tcp.data = &v[i];
		if (uv_tcp_open(&v[i].tcp, v[i].fd) < 0 ||
		    uv_listen((uv_stream_t *)&v[i].tcp, LISTEN_BACKLOG,
		    on_connection) < 0)
			return -1;
	}
	return 0;
}

void
listen_stop(struct listener *v, size_t n)
{
	size_t i;

	if (n > 0 && v[0].srv != NULL && v[0].srv->reserve_fd != -1) {
		close(v[0].srv->reserve_fd);
		v[0].srv->reserve_fd = -1;
	}
	for (i = 0; i < n; i++)
		if (!uv_is_closing((uv_handle_t *)&v[i].tcp))
			uv_close((uv_handle_t *)&v[i].tcp, NULL);
}

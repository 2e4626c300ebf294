/*
 * listen: bind and accept (see listen.h).
 */
#include <errno.h>
#include <netinet/in.h>
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
listen_bind(const struct conf *conf, unsigned ports[2],
    struct listener **out, size_t *np, const char **err)
{
	static const char	*const any[] = { "::" };
	const char		*const *addrs = any;
	struct listener		*v;
	size_t			 naddr = 1, i, n = 0;
	int			 p;

	if (conf->nlisten > 0) {
		addrs = (const char *const *)conf->listen;
		naddr = conf->nlisten;
	}
	if ((v = calloc(naddr * 2, sizeof(*v))) == NULL) {
		*err = "out of memory";
		return -1;
	}
	for (p = 0; p < 2; p++) {
		for (i = 0; i < naddr; i++) {
			struct listener *l = &v[n];

			if (bind_one(addrs[i], ports[p], &l->fd, &l->port,
			    err) == -1) {
				log_warnx("cannot listen on [%s]:%u: %s",
				    addrs[i], ports[p], *err);
				goto fail;
			}
			ports[p] = l->port;
			l->proto = p == 0 ? PROTO_GEMINI : PROTO_GOPHER;
			snprintf(l->addr, sizeof(l->addr), "%s", addrs[i]);
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

static void
on_connection(uv_stream_t *s, int status)
{
	struct listener *l = s->data;

	if (status < 0) {
		log_warnx("accept: %s", uv_strerror(status));
		return;
	}
	conn_accept(l->srv, s, l->proto);
}

int
listen_start(struct server *srv, struct listener *v, size_t n)
{
	size_t i;

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

	for (i = 0; i < n; i++)
		if (!uv_is_closing((uv_handle_t *)&v[i].tcp))
			uv_close((uv_handle_t *)&v[i].tcp, NULL);
}

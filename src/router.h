/*
 * router: (host, path) -> what to send.  Both protocols see the same tree
 * (DESIGN.md section 4); the router names the resource and asks the store
 * for its bytes, and the protocol framing is left to the connection.
 */
#ifndef CAPSULED_ROUTER_H
#define CAPSULED_ROUTER_H

#include <sys/types.h>

struct buf;
struct conf;
struct gopher_req;
struct store;
struct url;

struct reply {
	int		 status;	/* Gemini status; Gopher logs it too */
	char		 meta[1025];	/* Gemini META */
	struct blob	*body;		/* bytes to send, or NULL */
	int		 fd;		/* >= 0: then stream size bytes */
	off_t		 size;
};

void	reply_init(struct reply *);
void	reply_clear(struct reply *);	/* releases body and fd */

/* Where the request came in: used to accept requests addressed to the
 * literal address the client connected to. */
struct origin {
	const char	*sni;		/* NULL without SNI */
	const char	*local_addr;	/* "127.0.0.1", "::1" */
	unsigned	 local_port;
	const char	*fingerprint;	/* client certificate SHA-256 hex,
					   NULL without one */
	const struct host *gopher_host;	/* the host this Gopher listener
					   serves */
};

/*
 * A Gemini request line (without CRLF): validation, host and port checks,
 * then routing.  With quick set, only what needs no content work is
 * answered (errors, redirects and zones from the configuration, replies
 * in the reply cache), so that an event loop can call it: 0 then means
 * the request needs the full route, called again without quick off the
 * loop.  Returns 1 when *reply holds the answer.
 */
int	router_gemini(const struct conf *, const struct origin *,
	    const char *line, size_t len, struct reply *, int quick);

/* A Gopher request line (without the line end), the same way. */
int	router_gopher(const struct conf *, const struct origin *,
	    const char *line, size_t len, struct reply *, int quick);

#endif

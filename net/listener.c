/* listener.c — TCP listeners on libevent's evconnlistener. */
#include "listener.h"

#include "../common/say.h"

#include <errno.h>
#include <event2/listener.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

struct net_listener {
	struct evconnlistener *ev;
	net_accept_fn fn;
	void *arg;
	int port;
};

static void accept_cb(struct evconnlistener *ev, evutil_socket_t fd, struct sockaddr *sa,
                      int socklen, void *arg)
{
	KB_UNUSED(ev);
	KB_UNUSED(sa);
	KB_UNUSED(socklen);
	struct net_listener *l = arg;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	l->fn(l, fd, l->arg);
}

static void error_cb(struct evconnlistener *ev, void *arg)
{
	KB_UNUSED(ev);
	struct net_listener *l = arg;
	/* EMFILE/ENFILE and the like: libevent keeps the listener; say so and go on. */
	say_ratelimited(SAY_WARN, "net", "accept on port %d failed: %s", l->port,
	                strerror(EVUTIL_SOCKET_ERROR()));
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len,
                   char *err, size_t errlen)
{
	char h[256];
	size_t n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		snprintf(h, sizeof(h), "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(h, sizeof(h), "%s", host);
	char p[16];
	snprintf(p, sizeof(p), "%d", port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(h[0] ? h : NULL, p, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

struct net_listener *listener_bind(struct event_base *base, const char *host, int port,
                                   net_accept_fn fn, void *arg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (resolve(host, port, &ss, &len, err, errlen) < 0)
		return NULL;
	struct net_listener *l = kb_calloc(1, sizeof(*l));
	l->fn = fn;
	l->arg = arg;
	unsigned flags = LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC |
	                 LEV_OPT_DISABLED;
	l->ev = evconnlistener_new_bind(base, accept_cb, l, flags, 1024, (struct sockaddr *)&ss,
	                                (int)len);
	if (!l->ev) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host[0] ? host : "*", port,
		         strerror(errno));
		kb_free(l);
		return NULL;
	}
	evconnlistener_set_error_cb(l->ev, error_cb);
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	getsockname(evconnlistener_get_fd(l->ev), (struct sockaddr *)&bound, &blen);
	l->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
	                                            : ((struct sockaddr_in *)&bound)->sin_port);
	return l;
}

int listener_port(const struct net_listener *l)
{
	return l->port;
}

void listener_enable(struct net_listener *l)
{
	evconnlistener_enable(l->ev);
}

void listener_free(struct net_listener *l)
{
	if (!l)
		return;
	evconnlistener_free(l->ev);
	kb_free(l);
}

/* listener.h — a bound TCP listening socket that hands accepted sockets to a callback.
 * Binding happens at creation (so a taken port fails startup at once, and port 0 resolves
 * to a real port before the broker advertises it); accepting starts with listener_enable.
 * @thread event loop only. */
#ifndef KB_NET_LISTENER_H
#define KB_NET_LISTENER_H

#include "../common/kb.h"

#include <event2/event.h>
#include <event2/util.h>

struct net_listener;

typedef void (*net_accept_fn)(struct net_listener *l, evutil_socket_t fd, void *arg);

/* host "" binds every interface; an IPv6 literal may be given with or without brackets.
 * Returns NULL with a reason in err. */
struct net_listener *listener_bind(struct event_base *base, const char *host, int port,
                                   net_accept_fn fn, void *arg, char *err, size_t errlen);
int listener_port(const struct net_listener *l);
void listener_enable(struct net_listener *l);
void listener_free(struct net_listener *l);

#endif

/* peers.c — pools of outbound connections to other brokers (see peers.h). */
#include "peers.h"

#include "../../common/kerr.h"

#include <stdio.h>

struct peers {
	struct broker *b;
	struct peers_owner owner;
	struct peer *list;
};

static const struct md_endpoint *broker_endpoint(struct broker *b, int32_t id)
{
	if (!b->coord)
		return NULL;
	const struct md_cache *md = coord_metadata(b->coord);
	const char *name = b->cfg.inter_broker_listener_name;
	if (!name || !*name)
		name = b->listeners[0].name;
	for (int i = 0; i < md->nbrokers; i++)
		if (md->brokers[i].id == id)
			return md_broker_endpoint(&md->brokers[i], name);
	return NULL;
}

/* Asked before every connection attempt: the broker may have re-registered elsewhere. */
static bool peer_address(void *arg, char *host, size_t hostlen, int *port)
{
	struct peer *p = arg;
	const struct md_endpoint *ep = broker_endpoint(p->pool->b, p->broker);
	if (!ep)
		return false;
	snprintf(host, hostlen, "%s", ep->host);
	*port = ep->port;
	return true;
}

static void peer_ready(struct outclient *oc, void *arg)
{
	KB_UNUSED(oc);
	struct peer *p = arg;
	if (p->pool->owner.ready)
		p->pool->owner.ready(p->pool->owner.arg, p);
}

static void peer_lost(struct outclient *oc, int16_t error, const char *why, void *arg)
{
	KB_UNUSED(oc);
	struct peer *p = arg;
	if (p->pool->owner.lost)
		p->pool->owner.lost(p->pool->owner.arg, p, error, why);
}

static const struct outclient_ops peer_ops = {peer_ready, peer_lost, peer_address};

struct peers *peers_new(struct broker *b, const struct peers_owner *owner)
{
	struct peers *ps = kb_calloc(1, sizeof(*ps));
	ps->b = b;
	ps->owner = *owner;
	return ps;
}

void peers_free(struct peers *ps)
{
	if (!ps)
		return;
	while (ps->list)
		peers_close(ps->list);
	kb_free(ps);
}

struct peer *peers_get(struct peers *ps, int32_t broker, int64_t now_ms)
{
	struct peer *p;
	for (p = ps->list; p; p = p->next)
		if (p->broker == broker)
			break;
	if (!p) {
		p = kb_calloc(1, sizeof(*p));
		p->pool = ps;
		p->broker = broker;
		const struct peers_owner *o = &ps->owner;
		struct outclient_config oc = {
		        .client_id = o->client_id, .software_name = o->client_id,
		        .software_version = "0.1.0", .max_response_bytes = o->max_response_bytes,
		        .max_request_bytes = o->max_request_bytes,
		        .request_timeout_ms = o->request_timeout_ms, .max_in_flight = o->max_in_flight};
		p->oc = outclient_new(ps->b->base, &oc, &peer_ops, p);
		p->next = ps->list;
		ps->list = p;
	}
	p->used_ms = now_ms;
	return p;
}

void peers_close(struct peer *p)
{
	struct peer **pp = &p->pool->list;
	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	outclient_free(p->oc);
	kb_free(p);
}

int64_t peers_close_idle(struct peers *ps, int64_t now_ms)
{
	int64_t at = INT64_MAX;
	struct peer *next;
	for (struct peer *p = ps->list; p; p = next) {
		next = p->next;
		if (p->inflight == 0 && now_ms - p->used_ms >= ps->owner.idle_ms)
			peers_close(p);
		else
			at = KB_MIN(at, p->used_ms + ps->owner.idle_ms);
	}
	return at;
}

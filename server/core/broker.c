/* broker.c — startup, connection bookkeeping and shutdown. */
#include "broker.h"

#include "../../common/say.h"
#include "../../conf/dynconf.h"
#include "../../coord/acls.h"
#include "../api/api_group.h"
#include "../api/api_txn.h"
#include "../coordsvc/gsvc.h"
#include "../coordsvc/tmarkers.h"
#include "../coordsvc/tverify.h"
#include "../coordsvc/tsvc.h"
#include "../replica/fetcher.h"
#include "../replica/partition.h"
#include "authz.h"
#include "dispatch.h"
#include "purgatory.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- Connections ------------------------------------------------------------------------ */

static int client_frame(struct conn *c, struct conn_slot *slot, uint8_t *frame, size_t len)
{
	return dispatch_frame(conn_user(c), slot, frame, len);
}

static void client_closed(struct conn *c)
{
	struct client *cl = conn_user(c);
	struct broker *b = cl->b;
	if (cl->prev)
		cl->prev->next = cl->next;
	else
		b->clients = cl->next;
	if (cl->next)
		cl->next->prev = cl->prev;
	b->nclients--;
	connlimit_release(b->per_ip, &cl->addr);
	/* Requests parked for a client-chosen time (Fetch MaxWaitMs, Produce/admin TimeoutMs, up
	 * to 24 days) would keep the closed connection and its socket until then. */
	purgatory_expire_key(b->pg, pg_key(PG_KEY_CONN, c));
	kb_free(cl);
}

/* Requests waiting for their turn on this connection (dispatch.c) may go on. */
static void client_turn(struct conn *c)
{
	struct client *cl = conn_user(c);
	purgatory_check(cl->b->pg, pg_key(PG_KEY_CONN_TURN, c));
}

static const struct conn_ops client_ops = {
	.on_frame = client_frame,
	.on_close = client_closed,
	.on_turn = client_turn,
};

struct accept_ctx {
	struct broker *b;
	const char *listener;
};

static void on_accept(struct net_listener *l, evutil_socket_t fd, void *arg)
{
	KB_UNUSED(l);
	struct accept_ctx *ac = arg;
	struct broker *b = ac->b;
	if (b->nclients >= b->cfg.max_connections) {
		say_ratelimited(SAY_WARN, "server", "max.connections (%d) reached; refusing a connection",
		                b->cfg.max_connections);
		evutil_closesocket(fd);
		return;
	}
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	struct connlimit_addr addr;
	if (getpeername(fd, (struct sockaddr *)&ss, &sslen) != 0 ||
	    !connlimit_addr_of((struct sockaddr *)&ss, &addr)) {
		evutil_closesocket(fd); /* already reset by the peer, or not an IP socket */
		return;
	}
	if (!connlimit_acquire(b->per_ip, &addr)) {
		char host[64];
		say_ratelimited(SAY_WARN, "server",
		                "max.connections.per.ip (%d) reached for %s; refusing a connection",
		                connlimit_max(b->per_ip, &addr),
		                connlimit_addr_str(&addr, host, sizeof(host)));
		evutil_closesocket(fd);
		return;
	}
	struct client *cl = kb_calloc(1, sizeof(*cl));
	cl->b = b;
	cl->addr = addr;
	cl->listener = ac->listener;
	struct conn_limits lim = {.max_frame = (size_t)b->cfg.socket_request_max_bytes,
	                          .idle_ms = b->cfg.connections_max_idle_ms};
	cl->next = b->clients;
	if (b->clients)
		b->clients->prev = cl;
	b->clients = cl;
	b->nclients++;
	cl->conn = conn_new(b->base, fd, &lim, &client_ops, cl);
}

/* ---- Startup ------------------------------------------------------------------------------ */

static int bind_listeners(struct broker *b)
{
	char err[256];
	b->socks = kb_calloc((size_t)b->nlisteners, sizeof(*b->socks));
	b->accept = kb_calloc((size_t)b->nlisteners, sizeof(*b->accept));
	for (int i = 0; i < b->nlisteners; i++) {
		const struct kb_listener *kl = &b->listeners[i];
		b->accept[i] = (struct accept_ctx){b, kl->name};
		b->socks[i] = listener_bind(b->base, kl->host, kl->port, on_accept, &b->accept[i], err,
		                            sizeof(err));
		if (!b->socks[i]) {
			say_error("server", "listener %s: %s", kl->name, err);
			return -1;
		}
		say_info("server", "listener %s bound to %s:%d", kl->name, kl->host[0] ? kl->host : "*",
		         listener_port(b->socks[i]));
	}
	return 0;
}

/* advertised.listeners (or listeners), with empty hosts replaced by this machine's name and
 * port 0 by the port the listener of that name actually got. */
static int resolve_advertised(struct broker *b)
{
	const char *list = b->cfg.advertised_listeners ? b->cfg.advertised_listeners
	                                               : b->cfg.listeners;
	struct kb_listener *adv;
	int n;
	char err[256];
	if (conf_parse_listeners(list, b->cfg.listener_security_protocol_map, &adv, &n, err,
	                         sizeof(err)) < 0) {
		say_error("server", "advertised listeners: %s", err);
		return -1;
	}
	char hostname[256] = "localhost";
	gethostname(hostname, sizeof(hostname) - 1);
	b->advertised = kb_calloc((size_t)n, sizeof(*b->advertised));
	b->nadvertised = n;
	for (int i = 0; i < n; i++) {
		int port = adv[i].port;
		for (int j = 0; j < b->nlisteners && port == 0; j++)
			if (strcmp(b->listeners[j].name, adv[i].name) == 0)
				port = listener_port(b->socks[j]);
		const char *host = adv[i].host;
		size_t hl = strlen(host);
		b->advertised[i].listener = kb_strdup(adv[i].name);
		if (hl >= 2 && host[0] == '[')
			b->advertised[i].host = kb_strndup(host + 1, hl - 2);
		else
			b->advertised[i].host = kb_strdup(hl ? host : hostname);
		b->advertised[i].port = port;
	}
	conf_free_listeners(adv, n);
	return 0;
}

/* Metadata changes arrive in bursts (thousands of partition states after a topic creation,
 * a failover or a returning broker), and applying the cache is a pass over every partition:
 * at most one pass per META_SYNC_MIN_MS, so a burst of N changes costs N/rate passes, not N. */
#define META_SYNC_MIN_MS 10

static void schedule_sync(struct broker *b);

static void sync_now(struct broker *b)
{
	b->last_sync_ms = kb_mono_ms();
	bool more = pm_sync(b);
	purgatory_check(b->pg, pg_key(PG_KEY_METADATA, NULL)); /* admin requests waiting on it */
	if (more && !evtimer_pending(b->sync_ev, NULL)) { /* the rest after a turn of the loop */
		struct timeval tv = {0, 0};
		evtimer_add(b->sync_ev, &tv);
	}
}

static void sync_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	sync_now(arg);
}

void broker_sync_soon(struct broker *b)
{
	schedule_sync(b);
}

static void schedule_sync(struct broker *b)
{
	if (evtimer_pending(b->sync_ev, NULL))
		return;
	int64_t wait = b->last_sync_ms + META_SYNC_MIN_MS - kb_mono_ms();
	if (wait <= 0) {
		sync_now(b);
		return;
	}
	struct timeval tv = {0, (suseconds_t)(wait * 1000)};
	evtimer_add(b->sync_ev, &tv);
}

/* Serving starts once registered, once the dynamic broker configs are applied and, with an
 * authorizer, once the ACLs are loaded. */
static void maybe_serve(struct broker *b)
{
	if (b->serving || !b->registered || !coord_broker_configs_loaded(b->coord) ||
	    !authz_ready(b))
		return;
	b->serving = true;
	for (int i = 0; i < b->nlisteners; i++)
		listener_enable(b->socks[i]);
	say_info("server", "broker %d started", b->cfg.broker_id);
}

static struct conf_kv *level_kv(const struct md_config_entry *e, int n)
{
	struct conf_kv *kv = kb_calloc((size_t)n + 1, sizeof(*kv));
	for (int i = 0; i < n; i++)
		kv[i] = (struct conf_kv){e[i].name, e[i].value};
	return kv;
}

/* Dynamic broker configs changed in ZooKeeper: recompute the live keys and apply them where
 * they are not read afresh at each use (partition settings, the per-address limit). */
static void apply_dynamic(struct broker *b)
{
	const struct md_cache *md = coord_metadata(b->coord);
	if (md->dyn_gen == b->dyn_gen)
		return;
	b->dyn_gen = md->dyn_gen;
	struct conf_kv *d = level_kv(md->dyn_default, md->ndyn_default);
	struct conf_kv *k = level_kv(md->dyn_broker, md->ndyn_broker);
	int32_t fetchers = b->cfg.num_replica_fetchers;
	int changed = dynconf_resolve(&b->cfg, &b->static_cfg, d, md->ndyn_default, k,
	                              md->ndyn_broker);
	kb_free(d);
	kb_free(k);
	if (changed == 0)
		return;
	for (size_t i = 0; i < conf_nkeys; i++) {
		if (!b->cfg.dyn[i])
			continue;
		char v[256];
		conf_value_str(&b->cfg, &conf_keys[i], v, sizeof(v));
		say_info("server", "dynamic config %s=%s (%s)", conf_keys[i].name, v,
		         b->cfg.dyn[i] == CONF_SRC_DYNAMIC_BROKER ? "this broker" : "cluster default");
	}
	say_info("server", "%d dynamic config(s) changed", changed);
	connlimit_set_default(b->per_ip, b->cfg.max_connections_per_ip);
	pm_configs_changed(b);
	coord_set_unclean_leader_election(b->coord, b->cfg.unclean_leader_election_enable);
	if (fetchers != b->cfg.num_replica_fetchers)
		say_info("server", "num.replica.fetchers %d -> %d: %d follower(s) moved", (int)fetchers,
		         (int)b->cfg.num_replica_fetchers, fetchers_resize(b));
}

static void on_coord(enum coord_event ev, const char *msg, void *arg)
{
	struct broker *b = arg;
	if (ev == COORD_FATAL) {
		say_error("server", "%s", msg);
		b->exit_code = 1;
		event_base_loopbreak(b->base);
		return;
	}
	if (ev == COORD_METADATA_CHANGED) {
		const char *cid = coord_metadata(b->coord)->cluster_id;
		if (cid && pm_cluster_id(b, cid) < 0) {
			b->exit_code = 1;
			event_base_loopbreak(b->base);
			return;
		}
		apply_dynamic(b);
		schedule_sync(b);
		maybe_serve(b);
		return;
	}
	if (ev == COORD_REGISTERED) {
		b->registered = true;
		maybe_serve(b);
	}
}

/* max.connections.per.ip and its overrides (host names are resolved now, once). */
static int init_per_ip(struct broker *b)
{
	char err[256];
	struct conf_ip_override *o;
	int n;
	b->per_ip = connlimit_new(b->cfg.max_connections_per_ip);
	if (conf_parse_ip_overrides(b->cfg.max_connections_per_ip_overrides, &o, &n, err,
	                            sizeof(err)) != 0) {
		say_error("server", "max.connections.per.ip.overrides: %s", err);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		rc = connlimit_override(b->per_ip, o[i].host, o[i].max, err, sizeof(err));
		if (rc != 0)
			say_error("server", "max.connections.per.ip.overrides: %s", err);
	}
	conf_free_ip_overrides(o, n);
	return rc;
}

int broker_start(struct broker *b)
{
	char err[256];
	conf_copy(&b->static_cfg, &b->cfg); /* the static level of dynamic configs */
	if (authz_init(b, err, sizeof(err)) < 0) {
		say_error("server", "%s", err);
		return -1;
	}
	if (init_per_ip(b) < 0)
		return -1;
	if (conf_parse_listeners(b->cfg.listeners, b->cfg.listener_security_protocol_map,
	                         &b->listeners, &b->nlisteners, err, sizeof(err)) < 0) {
		say_error("server", "listeners: %s", err);
		return -1;
	}
	if (bind_listeners(b) < 0 || resolve_advertised(b) < 0)
		return -1;
	b->pg = purgatory_new(b->base);
	if (pm_open(b) < 0) /* recovers every local log before the broker registers */
		return -1;
	gsvc_start(b, &api_group_answers); /* listens for __consumer_offsets leadership */
	tsvc_start(b, &api_txn_answers);   /* listens for __transaction_state leadership */
	int conn_timeout = b->cfg.zookeeper_connection_timeout_ms >= 0
	                           ? b->cfg.zookeeper_connection_timeout_ms
	                           : b->cfg.zookeeper_session_timeout_ms;
	struct coord_config cc = {
		.zookeeper_connect = b->cfg.zookeeper_connect,
		.session_timeout_ms = b->cfg.zookeeper_session_timeout_ms,
		.connection_timeout_ms = conn_timeout,
		.broker_id = b->cfg.broker_id,
		.rack = b->cfg.broker_rack,
		.endpoints = b->advertised,
		.nendpoints = b->nadvertised,
		.protocol_map = b->cfg.listener_security_protocol_map,
		.policy = {
			.unclean_leader_election = b->cfg.unclean_leader_election_enable,
			.auto_leader_rebalance = b->cfg.auto_leader_rebalance_enable,
			.rebalance_interval_ms = b->cfg.leader_imbalance_check_interval_seconds * 1000,
			.imbalance_pct = b->cfg.leader_imbalance_per_broker_percentage,
			.delete_topic_enable = b->cfg.delete_topic_enable,
		},
	};
	b->sync_ev = evtimer_new(b->base, sync_cb, b);
	b->coord = coord_start(b->base, &cc, on_coord, b);
	if (authz_enabled(b))
		coord_acls_enable(b->coord);
	return 0;
}

void broker_stop(struct broker *b)
{
	for (int i = 0; b->socks && i < b->nlisteners; i++)
		listener_free(b->socks[i]);
	kb_free(b->socks);
	b->socks = NULL;
	if (b->pg)
		purgatory_drop_all(b->pg); /* parked requests go unanswered, as their conns */
	while (b->clients) {
		struct client *cl = b->clients;
		b->clients = cl->next;
		conn_destroy_now(cl->conn);
		kb_free(cl);
	}
	conn_destroy_all(); /* closed connections still delivering their last answers */
	connlimit_free(b->per_ip);
	b->per_ip = NULL;
	coord_stop(b->coord);
	b->coord = NULL;
	authz_free(b);
	conf_free(&b->static_cfg);
	pid_alloc_free(b);
	if (b->sync_ev)
		event_free(b->sync_ev);
	b->sync_ev = NULL;
	pm_close(b); /* flushes every log and writes the checkpoints */
	gsvc_stop(b); /* after pm_close: its STOP events unloaded every coordinator */
	tsvc_stop(b);
	tverify_stop(b);
	tmarkers_stop(b); /* after the coordinators' unload: frees what they did not cancel */
	purgatory_free(b->pg); /* drops anything parked during the shutdown itself */
	b->pg = NULL;
	for (int i = 0; i < b->nadvertised; i++) {
		kb_free(b->advertised[i].listener);
		kb_free(b->advertised[i].host);
	}
	kb_free(b->advertised);
	conf_free_listeners(b->listeners, b->nlisteners);
	kb_free(b->accept);
	b->accept = NULL;
}

/* broker.h — the broker's process-wide context and the per-connection client state.
 * Everything here is owned by the event-loop thread. */
#ifndef KB_SERVER_BROKER_H
#define KB_SERVER_BROKER_H

#include "../../conf/conf.h"
#include "../../coord/coord.h"
#include "../../net/conn.h"
#include "../../net/connlimit.h"
#include "../../net/listener.h"

struct client;
struct accept_ctx;
struct pmgr;
struct purgatory;
struct gsvc;
struct tmarkers;
struct tverify;
struct tsvc;
struct authz;

struct broker {
	struct event_base *base;
	struct kb_config cfg;            /* effective: static + dynamic (conf/dynconf.h) */
	struct kb_config static_cfg;     /* as loaded from the file and --override */
	uint64_t dyn_gen;                /* coord's dyn_gen last applied to cfg */
	bool registered;                 /* our /brokers/ids znode exists */
	struct kb_listener *listeners;   /* `listeners` */
	int nlisteners;
	struct net_listener **socks;     /* one per listener, same order */
	struct accept_ctx *accept;       /* per-listener accept context, same order */
	struct md_endpoint *advertised;  /* resolved advertised endpoints */
	int nadvertised;
	struct coord *coord;
	struct client *clients;          /* every open connection */
	int nclients;
	struct connlimit *per_ip;        /* open connections per address (max.connections.per.ip) */
	bool serving;                    /* listeners accepting */
	struct purgatory *pg;            /* parked requests (server/core/purgatory.c) */
	struct pmgr *pm;                 /* partitions and their logs (server/partition.c) */
	struct fetcher *fetchers;        /* follower fetchers (server/fetcher.c) */
	struct event *sync_ev;           /* deferred pass over the metadata cache */
	struct pid_alloc *pids;          /* producer-id blocks (server/core/pids.c) */
	struct gsvc *groups;             /* group coordinators (server/coordsvc/gsvc.c) */
	struct tmarkers *tmarkers;       /* txn marker channel (server/coordsvc/tmarkers.c) */
	struct tverify *tverify;         /* KIP-890 verification client (server/coordsvc/tverify.c) */
	struct tsvc *txns;               /* transaction coordinators (server/coordsvc/tsvc.c) */
	struct authz *authz;             /* the authorizer (server/core/authz.c) */
	int64_t last_sync_ms;
	int exit_code;
	struct event *sigint, *sigterm;
};

/* One accepted connection. */
struct client {
	struct broker *b;
	struct conn *conn;
	const char *listener;            /* name of the listener it arrived on */
	struct connlimit_addr addr;      /* peer address, counted in broker.per_ip */
	struct client *prev, *next;
};

/* Binds listeners, starts ZooKeeper coordination; serving begins once registered.
 * Returns 0 or -1 (message already logged). */
int broker_start(struct broker *b);
/* Stops accepting, closes every connection, closes the ZooKeeper session, frees all. */
void broker_stop(struct broker *b);

/* Runs a pass over the metadata cache soon (rate-limited as for metadata changes): the
 * partition manager has something new to apply (a log the worker opened). */
void broker_sync_soon(struct broker *b);

/* The request pipeline (server/dispatch.c): one complete frame from a client. */
int dispatch_frame(struct client *cl, struct conn_slot *slot, uint8_t *frame, size_t len);

#endif

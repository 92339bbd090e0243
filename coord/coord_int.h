/* coord_int.h — what the files of coord/ share; not for other modules. */
#ifndef KB_COORD_INT_H
#define KB_COORD_INT_H

#include "coord.h"
#include "zk.h"

struct controller;
struct coord_acls;

struct coord {
	struct event_base *base;
	struct zk *zk;
	struct coord_config cfg;  /* strings owned below */
	struct md_endpoint *eps;
	char *reg_json;
	coord_event_fn fn;
	void *arg;
	struct md_cache md;
	int32_t *live_ids;        /* latest /brokers/ids listing, for racing data reads */
	int nlive;
	bool registered;
	struct event *reg_deadline;
	int64_t holder_session;
	struct event *changed;    /* deferred: coalesces many watch events into one notification */
	struct controller *ctl;
	bool brokers_known;       /* /brokers/ids listed at least once in this session */
	bool topics_known;        /* /brokers/topics listed at least once in this session */
	int pending;              /* reads in flight (a tool waits for 0: a complete view) */
	struct coord_acls *acls;  /* ACLs (acls.c): off until coord_acls_enable */
};

/* A new session: create the persistent paths, register, and start every watched read. */
void coord_session_begin(struct coord *c);
/* Full ZooKeeper path of a Kafka path (chroot prefixed). */
const char *coord_path(struct coord *c, const char *path, char *buf, size_t len);
/* The cache changed: bump the generation and (once per loop turn) tell the listeners. */
void coord_changed(struct coord *c);

/* topics.c: the topic part of the metadata cache. */
void topics_watch(struct coord *c);         /* on every new session */
void topics_free(struct md_cache *md);
struct md_topic *topics_find(struct md_cache *md, const char *name);
void topics_reread_state(struct coord *c, const char *topic, int32_t partition);

/* brokerconf.c: dynamic broker configs in the cache. */
void brokerconf_watch(struct coord *c);     /* on every new session */
void brokerconf_free(struct md_cache *md);

/* acls.c: the watched copy of the ACLs (coord/acls.h). */
void acls_init(struct coord *c);            /* at coord_start */
void acls_session_begin(struct coord *c);   /* on every new session (nothing when off) */
void acls_stopping(struct coord *c);        /* before the session closes at coord_stop */
void acls_free(struct coord *c);            /* after it closed */

#endif

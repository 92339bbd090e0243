/* kadmin.h — shared pieces of the kadmin commands.
 *
 * Every command works in both connection modes. Reads go through a `struct view`: with
 * --zookeeper it is the same watched cache the brokers keep (coord/ in observer mode, loaded
 * completely before use); with --bootstrap-server it is built from a Metadata response.
 * Writes go to ZooKeeper (coord/topic_admin.c, as Kafka's ZooKeeper tools did) or to the
 * controller through the admin APIs. */
#ifndef KB_TOOLS_KADMIN_H
#define KB_TOOLS_KADMIN_H

#include "../coord/coord.h"
#include "../coord/topic_admin.h"
#include "../net/outclient.h"

#include <stdio.h>

/* Exit codes. */
enum { KADMIN_OK = 0, KADMIN_FAILED = 1, KADMIN_USAGE = 2 };

struct kadmin {
	const char *bootstrap;  /* --bootstrap-server */
	const char *zookeeper;  /* --zookeeper */
	int timeout_ms;         /* --timeout-ms */
};

struct view {
	const struct md_cache *md;   /* what commands read */
	/* --zookeeper */
	struct event_base *base;
	struct coord *coord;
	bool zk_failed;              /* the observer reported a fatal error */
	char zk_msg[256];
	/* --bootstrap-server */
	struct md_cache own;
	struct outclient *oc;        /* blocking mode (outclient_open_sync) */
};

/* Loads the cluster view (brokers, controller, topics with partitions and states). */
int view_open(const struct kadmin *ka, struct view *v, char *err, size_t errlen);
void view_close(struct view *v);
/* --bootstrap-server: while the cluster has no controller (a broker just started, or an
 * election is under way), re-reads Metadata every 100 ms for up to --timeout-ms, as Kafka's
 * AdminClient waits for a controller. Returns -1 only when a Metadata call fails. */
int view_wait_controller(const struct kadmin *ka, struct view *v, char *err, size_t errlen);
/* Brings the view up to date (partition leaders, live brokers): --bootstrap-server re-reads
 * Metadata (reconnecting if the connection failed); --zookeeper runs the observer's loop for
 * 100 ms. Pointers into v->md taken before are invalid afterwards. -1 with err on failure. */
int view_refresh(const struct kadmin *ka, struct view *v, char *err, size_t errlen);

/* --zookeeper writes: runs the event loop until the callback fires or the timeout. */
typedef void (*zk_write_fn)(struct view *v, topic_admin_cb done, void *arg, void *ctx);
int view_zk_write(const struct kadmin *ka, struct view *v, zk_write_fn fn, void *ctx, char *err,
                  size_t errlen);

/* --bootstrap-server: a blocking connection to the first reachable of "host:port[,...]". */
int kadmin_connect(const struct kadmin *ka, const char *hostports, struct outclient **out,
                   char *err, size_t errlen);
/* One request at the highest version both sides support (at least vmin). On success *resp
 * (api->response layout) is filled and *reply holds the memory its strings and arrays live
 * in (outclient_reply_free it); on failure -1 with err and *reply NULL. */
int kadmin_call(struct outclient *oc, int16_t key, int16_t vmin, const void *req, void *resp,
                struct outclient_reply **reply, char *err, size_t errlen);
/* A connection to broker `id`, or to the controller (the view's ControllerId). */
int view_node(const struct kadmin *ka, struct view *v, int32_t id, struct outclient **out,
              char *err, size_t errlen);
int view_controller(const struct kadmin *ka, struct view *v, struct outclient **out, char *err,
                    size_t errlen);

/* Command families. argv starts after the family name. */
int cmd_topics(const struct kadmin *ka, int argc, char **argv);
int cmd_configs(const struct kadmin *ka, int argc, char **argv);
int cmd_producers(const struct kadmin *ka, int argc, char **argv); /* kadmin_producers.c */
int cmd_groups(const struct kadmin *ka, int argc, char **argv);    /* kadmin_groups.c */
int cmd_transactions(const struct kadmin *ka, int argc, char **argv); /* kadmin_txns.c */
int cmd_acls(const struct kadmin *ka, int argc, char **argv);     /* kadmin_acls.c */

/* DescribeProducers of one partition at its leader (kadmin_producers.c): on KADMIN_OK the
 * leader's id, an open connection to it and the producer states (valid until
 * producers_free); on failure a message was printed and nothing is held. */
struct ProducerState;
struct producers {
	int32_t leader;
	struct outclient *oc;
	struct outclient_reply *reply;
	const struct ProducerState *states;
	int n;
};
int producers_of(const struct kadmin *ka, struct view *v, const char *topic, int32_t part,
                 struct producers *out);
void producers_free(struct producers *p);
/* `transactions abort ...` (kadmin_txn_abort.c); argv starts after "abort". */
int txns_abort(const struct kadmin *ka, struct view *v, int argc, char **argv);

/* Small helpers. */
bool arg_is_help(int argc, char **argv);
int parse_int_arg(const char *opt, const char *s, int64_t min, int64_t max, int64_t *out);
void print_ids(FILE *out, const int32_t *ids, int n);

#endif

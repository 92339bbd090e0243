/* coord.h — the broker's side of ZooKeeper coordination (Kafka 2.x layout, see
 * ../shared/reference/kafka-protocol.md §6), and the metadata cache fed from it.
 *
 * On every new ZooKeeper session coord:
 *   1. creates the persistent paths Kafka creates (ZkData.PersistentZkPaths), and the chroot;
 *   2. reads /cluster/id, creating it with a fresh id if it is missing;
 *   3. registers /brokers/ids/<broker.id> as an EPHEMERAL znode with Kafka's JSON. If the
 *      znode exists and belongs to another session (a broker killed a moment ago, whose
 *      session has not expired yet, or a live broker) it waits for it to vanish, for at most
 *      the session timeout plus a margin; then it gives up: COORD_FATAL with a message that
 *      names the id and the holder's session;
 *   4. watches /brokers/ids (the live broker set, with each broker's endpoints and rack) and
 *      /controller.
 * The cache is what Metadata answers from; it changes only on the loop thread.
 * @thread event loop only.
 */
#ifndef KB_COORD_H
#define KB_COORD_H

#include "../common/kb.h"
#include "md.h"

#include <event2/event.h>

struct md_endpoint {
	char *listener; /* listener name, e.g. "PLAINTEXT" */
	char *host;
	int port;
};

struct md_broker {
	int32_t id;
	char *rack;     /* NULL when not set */
	struct md_endpoint *endpoints;
	int nendpoints;
};

struct md_cache {
	struct md_broker *brokers; /* live brokers, sorted by id */
	int nbrokers;
	char *cluster_id;          /* NULL until read */
	int32_t controller_id;     /* -1 when none */
	struct md_topic *topics;   /* sorted by name */
	int ntopics;
	char **deleting;           /* names under /admin/delete_topics (incl. unknown topics) */
	int ndeleting;
	uint64_t generation;       /* bumped on every change */
	/* Dynamic broker configs (coord/brokerconf.c, brokers only): /config/brokers/<default>
	 * and /config/brokers/<broker.id>, each read with a watch. */
	struct md_config_entry *dyn_default;
	int ndyn_default;
	struct md_config_entry *dyn_broker;
	int ndyn_broker;
	uint64_t dyn_gen;          /* bumped whenever either level changes */
	int dyn_read;              /* levels read at least once in this session (2: both) */
};

const struct md_topic *md_find_topic(const struct md_cache *md, const char *name);
bool md_broker_live(const struct md_cache *md, int32_t id);
/* Partitions of every topic in the cache (kbroker.max.partitions.per.cluster counts these). */
int64_t md_total_partitions(const struct md_cache *md);

const struct md_endpoint *md_broker_endpoint(const struct md_broker *b, const char *listener);
void md_broker_free(struct md_broker *b);

/* Controller policies (Kafka's broker config keys). */
struct coord_policy {
	bool unclean_leader_election;   /* unclean.leader.election.enable */
	bool auto_leader_rebalance;     /* auto.leader.rebalance.enable */
	int64_t rebalance_interval_ms;  /* leader.imbalance.check.interval.seconds * 1000 */
	int imbalance_pct;              /* leader.imbalance.per.broker.percentage */
	bool delete_topic_enable;       /* delete.topic.enable */
};

/* What a broker registers: its id, rack and advertised endpoints. */
struct coord_config {
	const char *zookeeper_connect;
	int session_timeout_ms;
	int connection_timeout_ms;
	int32_t broker_id;
	const char *rack;
	const struct md_endpoint *endpoints; /* advertised, with resolved host and port */
	int nendpoints;
	const char *protocol_map;            /* listener.security.protocol.map, for the JSON */
	struct coord_policy policy;
};

enum coord_event {
	COORD_REGISTERED,   /* our /brokers/ids znode exists (first time and after re-register) */
	COORD_FATAL,        /* cannot go on: message says why */
	COORD_METADATA_CHANGED, /* the cache changed (coalesced: at most once per loop turn) */
};

typedef void (*coord_event_fn)(enum coord_event ev, const char *msg, void *arg);

struct coord;

/* broker_id < 0 starts an OBSERVER (for tools): the same watched view of the cluster, but no
 * registration, no controller election and nothing created. */
struct coord *coord_start(struct event_base *base, const struct coord_config *cfg,
                          coord_event_fn fn, void *arg);
/* Every broker, topic, assignment, state and config has been read at least once and no
 * read is in flight: the view is complete (tools wait for this). */
bool coord_loaded(const struct coord *c);
/* Closes the session (so our ephemeral znode goes away at once) and frees everything. */
void coord_stop(struct coord *c);
const struct md_cache *coord_metadata(const struct coord *c);

/* ---- For admin request handlers ---------------------------------------------------------- */

struct zk;
bool coord_is_controller(const struct coord *c);
/* zkVersion of /controller_epoch to fence controller writes with; -1 when not controller. */
int32_t coord_fence_version(const struct coord *c);
struct zk *coord_zk(struct coord *c);
/* Preferred-leader election for one partition (partition < 0: the whole topic; topic NULL:
 * everything). Only the controller acts on it. */
void coord_request_preferred(struct coord *c, const char *topic, int32_t partition);
/* unclean.leader.election.enable changed (a dynamic broker config): the controller's next
 * elections use it (a topic's own override still wins), and a pass runs now. */
void coord_set_unclean_leader_election(struct coord *c, bool enable);
/* A partition leader changes its ISR (Kafka 2.x leaders wrote the state znode themselves):
 * the state keeps its leader, epochs and controller epoch, conditional on the zkVersion this
 * broker last read, so a controller's newer decision is never overwritten. On success the
 * cache shows it at once; on a version conflict the state is re-read. `done` (may be NULL)
 * runs on the loop unless the session is closing. Returns -1 when this broker does not lead
 * the partition in the cache (nothing written). */
typedef void (*coord_isr_done_fn)(void *arg, const char *topic, int32_t partition, bool ok);
KB_MUST_USE int coord_alter_isr(struct coord *c, const char *topic, int32_t partition,
                    const int32_t *isr, int nisr, coord_isr_done_fn done, void *arg);
/* Producer ids (coord/pid_block.c): takes the next block of PID_BLOCK_SIZE ids from
 * /latest_producer_id_block with a version-checked write (retried on a conflict), so no two
 * brokers ever get the same ids. `done` runs on the loop with rc 0 and the inclusive range, or
 * rc -1 (session trouble, malformed znode, ids exhausted: the caller may try again later); it
 * does not run when the session is closing (shutdown). */
#define PID_BLOCK_SIZE 1000
typedef void (*coord_pid_block_fn)(void *arg, int rc, int64_t start, int64_t end);
void coord_take_pid_block(struct coord *c, coord_pid_block_fn done, void *arg);
/* Kafka's JSON of the znode (tests): block_end -1 for an empty znode. 0 / -1 malformed. */
int pid_block_decode(const char *data, size_t len, int64_t *block_end);
char *pid_block_encode(int32_t broker, int64_t start, int64_t end); /* heap string */

/* ---- Dynamic broker configs (coord/brokerconf.c) ----------------------------------------
 * Kafka's ZooKeeper layout: /config/brokers/<id> (one broker) and /config/brokers/<default>
 * (the cluster default), each {"version":1,"config":{...}}, and after every write a
 * sequential /config/changes/config_change_NNNNNNNNNN with
 * {"version":2,"entity_path":"brokers/<id>"} (or "brokers/<default>") for Kafka brokers
 * sharing the ensemble. kbroker brokers watch the two znodes of their own id directly (a
 * data watch each, an exists watch while one is missing), which needs no notification
 * bookkeeping and cannot miss a change between sessions: every new session reads both. */
#define COORD_BROKER_DEFAULT (-1)
/* Both levels have been read in this session (a broker serves only after this). */
bool coord_broker_configs_loaded(const struct coord *c);
/* Replaces the configs of broker `id` (COORD_BROKER_DEFAULT: the cluster default) with
 * cfg[0..n) (creating the znode if missing), then creates the change notification. `cb` runs
 * once on the loop: 0, a Kafka error code with a message, or TOPIC_ADMIN_CLOSING
 * (coord/topic_admin.h) at shutdown. */
typedef void (*coord_write_fn)(int16_t error, const char *message, void *arg);
void coord_set_broker_config(struct zk *z, int32_t id, const struct md_config_entry *cfg, int n,
                             coord_write_fn cb, void *arg);

/* The latest /brokers/ids listing (registered brokers, before their data is read). */
const int32_t *coord_live_ids(const struct coord *c, int *n);
int32_t coord_broker_id(const struct coord *c);

/* ---- Broker registration JSON (coord/broker_json.c) -------------------------------------- */

/* Kafka's /brokers/ids/<id> payload (version 4): host/port of the first PLAINTEXT endpoint,
 * jmx_port -1, timestamp as a string, endpoints, listener_security_protocol_map, rack when
 * set. Returns a heap string. */
char *broker_json_encode(const struct coord_config *cfg, int64_t timestamp_ms);
/* Parses a registration written by kbroker or Kafka (versions 1-5). Returns 0 or -1. */
KB_MUST_USE int broker_json_decode(int32_t id, const char *data, size_t len, struct md_broker *out);

/* "NAME://host:port" -> parts; brackets are removed from IPv6 hosts. Returns 0 or -1. */
KB_MUST_USE int endpoint_parse(const char *s, struct md_endpoint *out);

/* A new cluster id: 16 random bytes as URL-safe base64 without padding (22 chars). */
void cluster_id_generate(char out[23]);

#endif

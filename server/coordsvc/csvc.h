/* csvc.h — hosting one coordinator per partition of an internal topic: what the group
 * coordinator service (gsvc.c, __consumer_offsets) and the transaction coordinator service
 * (tsvc.c, __transaction_state) share.
 *
 * A struct csvc watches the role changes of its topic's partitions and keeps one struct cslot
 * per partition index this broker leads (or led):
 *   - LEADER for a partition without a coordinator: ops->open makes one (it serves nothing
 *     yet), then the partition is replayed from its log start to its LOG END (not the high
 *     watermark), one `load_buffer_size` read per event-loop turn, each record handed to
 *     ops->load_record with its batch's header fields; after the last, ops->load_done and the
 *     slot is `loaded`. LEADER in a new epoch of a leadership already held keeps the
 *     coordinator, or unloads and loads again when params.reload_on_new_epoch is set (the
 *     transaction coordinator: its coordinator epoch is the leader epoch);
 *   - FOLLOWER or STOP: the slot is unloaded (ops->close frees the coordinator). Every load
 *     has a new generation number: a wait started by an older load ends without telling the
 *     new coordinator;
 *   - csvc_append: one v2 batch (uncompressed; producer id -1 unless the caller gives header
 *     fields, as TxnOffsetCommit's transactional batches) appended as leader, then parked in the purgatory on the partition's key until the high watermark
 *     covers it (acks -1: min.insync.replicas checked before appending and again when
 *     covered) or the local log end does (acks 1), or `timeout_ms` passes
 *     (REQUEST_TIMED_OUT); the outcome goes to ops->append_done, never inside csvc_append;
 *   - one libevent timer per slot runs ops->tick at ops->next_deadline; csvc_arm re-arms it
 *     (after every call into the coordinator from outside csvc);
 *   - csvc_find: FindCoordinator for a partition index: the partition's live leader, creating
 *     the topic (topic_admin_create_placed) when it does not exist yet.
 * @thread event loop only.
 */
#ifndef KB_SERVER_CSVC_H
#define KB_SERVER_CSVC_H

#include "../../common/kerr.h"
#include "../../log/records.h"
#include "../../net/kp.h"
#include "../core/broker.h"

struct partition;
struct csvc;

/* One partition of the hosted topic. */
struct cslot {
	struct csvc *svc;
	int32_t idx;
	void *c;                   /* the coordinator (ops->open's result); NULL unless leader */
	bool loaded;
	uint64_t gen;              /* new for every load */
	int32_t leader_epoch;      /* of the load */
	int64_t load_next;         /* replay position */
	int64_t load_started_ms;
	int64_t load_records;
	struct event *timer;       /* ops->tick */
	struct event *load_ev;     /* one replay step */
};

/* The header fields of the batch a replayed record belongs to. */
struct csvc_batch {
	int64_t base_offset;
	int64_t producer_id;
	int16_t producer_epoch;
	bool transactional, control;
};

struct csvc_ops {
	/* A new coordinator for sl (p: the partition, this broker its leader), in its loading
	 * state. sl->gen and sl->leader_epoch are already those of the new load. */
	void *(*open)(struct cslot *sl, struct partition *p);
	/* Unload: frees c (sl->c is already NULL). */
	void (*close)(struct cslot *sl, void *c);
	/* One record of the replay (key_len >= 0); a negative return is logged (rate-limited) as
	 * a skipped record. */
	int (*load_record)(struct cslot *sl, const struct csvc_batch *bt, const struct rc_record *r);
	/* After the last record. */
	void (*load_done)(struct cslot *sl);
	int64_t (*next_deadline)(void *c);      /* INT64_MAX: no timer */
	void (*tick)(void *c, int64_t now_ms);
	void (*append_done)(void *c, uint64_t token, int16_t error);
};

struct csvc_params {
	const char *topic;          /* the internal topic */
	const char *tag;            /* log subsystem ("group", "txn") */
	int32_t load_buffer_size;   /* bytes per replay step */
	bool reload_on_new_epoch;
};

/* The topic a FindCoordinator creates. */
struct csvc_topic {
	int32_t partitions;
	int32_t replication_factor;
	const struct md_config_entry *configs;
	int nconfigs;
};

/* One record of an append (value NULL: a tombstone). */
struct csvc_rec {
	const uint8_t *key;
	size_t key_len;
	const uint8_t *value;
	size_t value_len;
};

/* Registers the role listener and loads what this broker already leads. ops and params are
 * kept by reference (static storage). */
struct csvc *csvc_new(struct broker *b, const struct csvc_params *params,
                      const struct csvc_ops *ops, void *arg);
/* Unloads and frees every slot. */
void csvc_free(struct csvc *s);

struct broker *csvc_broker(const struct csvc *s);
void *csvc_arg(const struct csvc *s);

/* The slot of a partition index; NULL when it was never led. */
struct cslot *csvc_slot(struct csvc *s, int32_t idx);
/* Number of slot indexes (csvc_slot(s, i) for i below it may be non-NULL). */
int32_t csvc_nslots(const struct csvc *s);
/* Whether a slot is still loading. */
bool csvc_loading(const struct csvc *s);

/* Re-arms sl's timer from ops->next_deadline. */
void csvc_arm(struct cslot *sl);

/* Appends recs as one batch (header fields from bp: attributes, producer id/epoch, base
 * sequence; NULL: rc_batch_params_default, producer id -1) with acks (-1 or 1) and a wait of
 * at most timeout_ms. The batch is in the local log when this returns KERR_NONE, and
 * ops->append_done(c, token, err) follows later; an error: it failed at once, no callback. */
int16_t csvc_append(struct cslot *sl, uint64_t token, const struct csvc_rec *recs, int n,
                    const struct rc_batch_params *bp, int acks, int32_t timeout_ms);

/* The partition of key: abs(Java hashCode) % the topic's partition count when the topic
 * exists, else % default_partitions (what it will be created with). */
int32_t csvc_partition_for(struct csvc *s, struct kp_str key, int32_t default_partitions);

/* The live leader of partition idx in *node (KERR_NONE), or COORDINATOR_NOT_AVAILABLE: topic
 * being created (creation started here when absent and enough brokers are alive and the
 * cluster's partition limit allows), no leader yet. */
int16_t csvc_find(struct csvc *s, int32_t idx, const struct csvc_topic *t, int32_t *node);
/* Whether the topic exists in the metadata cache. */
bool csvc_topic_exists(struct csvc *s);

/* ---- The replay's walk over a log read (pure; unit-tested) --------------------------------- */

struct csvc_walk {
	/* A record at offset >= next with a non-null key, with its batch's header fields. */
	void (*record)(void *arg, const struct csvc_batch *bt, const struct rc_record *r);
	/* A whole batch whose records cannot be read (bad CRC, codec, framing): skipped. */
	void (*bad_batch)(void *arg, int64_t base_offset);
	void *arg;
};
/* Walks the whole magic-2 batches at the start of buf (bytes read from a log at offset
 * `next`'s batch); a trailing partial batch is left for the next read. Returns the offset
 * after the last whole batch walked (next when none was whole). max_out bounds one batch's
 * decompressed size. */
int64_t csvc_walk_batches(const uint8_t *buf, size_t len, int64_t next, size_t max_out,
                          const struct csvc_walk *wk);

#endif

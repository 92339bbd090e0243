/* partition.h — the broker's partitions (Kafka's ReplicaManager, single-threaded): the local
 * log of every partition this broker holds a replica of, its role, and its high watermark.
 *
 * Source of truth: the metadata cache (coord/). On every change pm_sync() opens logs for new
 * replicas, sets leadership and leader epochs from the partition states, applies topic
 * configs live, and deletes the logs of topics that are gone. Logs found on disk at startup
 * are recovered before the broker registers (pm_open).
 *
 * High watermark: the leader's HW is the smallest log end offset among the ISR members it
 * knows of (its own LEO; followers' LEOs arrive with replication), never moving backwards.
 * With an ISR of just the leader, HW = LEO. Consumers read below the HW only.
 *
 * Disk: log.dirs, each locked (.lock) and stamped with meta.properties (broker.id,
 * cluster.id: a directory from another broker or cluster is refused). Checkpoint files
 * (recovery points, log start offsets, high watermarks) are written off the loop, periodically
 * and at shutdown. Flushes follow flush.messages / flush.ms, and every segment roll flushes
 * what came before it, so restart time grows with unflushed data only.
 * @thread event loop only (jobs run on server/worker.c's thread).
 */
#ifndef KB_SERVER_PARTITION_H
#define KB_SERVER_PARTITION_H

#include "../../log/log.h"
#include "../../log/txnverify.h"
#include "../../net/kp.h"
#include "replica_rules.h"
#include "../core/purgatory.h"

struct broker;
struct pmgr;
struct partition;

/* A partition's settings, resolved from its topic's configs over the broker's defaults
 * (pm_sync re-resolves them when the topic's configs_gen moves). */
struct partition_config {
	struct log_config log;
	int32_t min_insync;        /* min.insync.replicas */
	int64_t ts_before_max_ms;  /* message.timestamp.before.max.ms (else .difference.max.ms) */
	int64_t ts_after_max_ms;   /* message.timestamp.after.max.ms (else .difference.max.ms) */
	int compression;           /* compression.type as a codec 0-4; -1 = producer */
	uint64_t gen;              /* the topic's configs_gen last resolved */
};

/* The partition state (the controller's state znode, via the metadata cache) last applied. */
struct partition_state {
	bool applied;
	bool known;                /* the cache had a state */
	int32_t version;           /* its zkVersion */
	int32_t *isr;              /* only while we are a replica */
	int nisr;
	int32_t leader_id;         /* -1 none */
};

/* Leader side: what each other replica's fetches told us, ISR writes (server/replica.c). */
struct partition_leader {
	struct follower *followers;
	int nfollowers;
	bool isr_inflight;         /* an ISR change of ours is being written */
	int32_t isr_adding;        /* the follower that change adds, -1 none */
	int64_t epoch_start;       /* our log end when this leadership began */
	int64_t isr_write_ms;      /* when it was sent */
	int64_t hw_published;      /* the largest HW of this leadership (for debug checks) */
};

/* Follower side: the fetcher copying from the leader (server/replica/fetcher.c). */
struct partition_follower {
	struct fetcher *fetcher;
	int state;                 /* enum fetch_state */
	uint32_t gen;              /* new on every follower reset: stale answers are ignored */
	uint32_t sent_gen;         /* gen when the request in flight was built */
	int64_t backoff_until;     /* fetch errors: pause this partition until then (mono ms) */
};

struct partition {
	char *topic;
	int32_t id;
	char *dir;                 /* the partition directory */
	int dir_index;             /* which of log.dirs */
	struct plog *log;
	bool leader;               /* this broker leads it now */
	int32_t leader_epoch;
	int64_t hw;                /* high watermark */
	struct partition_config cfg;
	struct partition_state state;
	struct partition_leader lead;
	struct partition_follower fol;
	int64_t last_flush_ms;
	/* flush.messages: the offset the last leader append must be flushed up to before it is
	 * acknowledged (Kafka flushes inside such an append), -1 when it need not wait; and the
	 * largest such offset still waited for (flushes continue until the recovery point gets
	 * there). */
	int64_t ack_flush_upto;
	int64_t flush_wanted;
	int jobs;                  /* worker jobs in flight that hold `log` */
	bool doomed;               /* topic deleted: remove once jobs == 0 */
	/* Compaction (server/replica/cleaning.c): cleanup.policy has compact, and its settings. */
	bool compact;
	double min_dirty_ratio;    /* min.cleanable.dirty.ratio */
	int64_t min_lag_ms, max_lag_ms, delete_retention_ms;
	int64_t clean_ckpt;        /* first dirty offset (cleaner-offset-checkpoint), -1 none */
	bool cleaning;             /* a pass of this log is in flight (it holds a job) */
	/* KIP-890 verification entries of producers whose first transactional write waits for
	 * the coordinator (log/txnverify.h; server/api/api_produce_verify.c). */
	struct tverify_table txnv;
	struct pmgr *pm;
};

/* Follower fetch states (server/fetcher.c). */
enum fetch_state { FS_NONE = 0, FS_TRUNCATE, FS_FETCH };

/* ---- Role changes ---------------------------------------------------------------------------
 * Modules that act when this broker's role for a partition changes register a listener: the
 * replica fetcher (server/replica/fetcher.c) today; the group coordinator (__consumer_offsets)
 * and the transaction coordinator (__transaction_state) will load and unload their state the
 * same way. Events:
 *   PM_ROLE_LEADER    this broker leads the partition, in epoch leader_epoch (new leader or
 *                     new epoch);
 *   PM_ROLE_FOLLOWER  broker leader_id leads it in leader_epoch; leader_id -1: no leader (the
 *                     partition is offline; a later event names the next leader);
 *   PM_ROLE_STOP      the local replica goes away: removed from the assignment, topic deleted,
 *                     or broker shutdown (pm_close). The last event for that partition; it
 *                     also comes for a partition that never had a leader (no event before).
 * Contract:
 *   - listeners run on the event loop, after the partition's state is fully applied: role,
 *     leader id and epoch, ISR, the leader's epoch-cache entry for its epoch and follower
 *     table, and the high watermark recomputed. For STOP, p and its log are still valid
 *     during the call (deleted or closed afterwards); p->doomed is set for removals;
 *   - in registration order, once per change (a new epoch is a change; an ISR-only change is
 *     not);
 *   - a listener must not free or remove p, must not call pm_sync or pm_close (it may run
 *     inside them), and must not register listeners; it may read p, start work that refers
 *     to p by topic/partition and looks it up again later (pm_find), and append to the log;
 *   - a listener hears of changes after it registered only. Partitions that already had a role
 *     are reported by an explicit pm_foreach_role(), which calls fn with a LEADER or FOLLOWER
 *     event for the current role of every live partition whose state has been applied.
 * Register after pm_open (the fetcher registers inside it, so it runs first). */
enum pm_role_event { PM_ROLE_LEADER, PM_ROLE_FOLLOWER, PM_ROLE_STOP };

struct pm_role_change {
	enum pm_role_event event;
	int32_t leader_id;         /* LEADER: this broker; FOLLOWER: the leader or -1; STOP: -1 */
	int32_t leader_epoch;      /* LEADER, FOLLOWER: the epoch; STOP: the last one known */
};

typedef void (*pm_role_fn)(struct partition *p, const struct pm_role_change *c, void *arg);

void pm_add_role_listener(struct broker *b, pm_role_fn fn, void *arg);
/* Calls fn (not the listeners) with the current role of every live partition. */
void pm_foreach_role(struct broker *b, pm_role_fn fn, void *arg);

/* Opens log.dirs and recovers every partition log found. Returns 0 or -1 (logged). */
int pm_open(struct broker *b);
/* The cluster id became known: check or write meta.properties. -1: refuse to run. */
int pm_cluster_id(struct broker *b, const char *cluster_id);
/* Re-reads roles, epochs and configs from the metadata cache. */
/* New replicas' logs are created on the worker (pcreate.h) and adopted by a later pass.
 * Returns true when it stopped early: past KB_PM_OPEN_SLICE_US spent on new partitions in a
 * pass, the rest wait; the caller runs another pass after a turn of the loop. */
bool pm_sync(struct broker *b);
/* The broker's defaults changed (a dynamic broker config): the next pm_sync resolves every
 * partition's settings again, and the cleaner takes its new buffer and I/O settings. */
void pm_configs_changed(struct broker *b);
/* Flushes every log and writes the checkpoints (clean shutdown), then frees all. */
void pm_close(struct broker *b);

/* The local replica of topic/partition, or NULL. */
struct partition *pm_find(struct broker *b, struct kp_str topic, int32_t partition);
/* This broker has the partition's log and leads it now. The metadata cache can name this
 * broker the leader before that (the log is still being created on the worker, or the pass
 * applying the state has not run): Metadata does not name it and CreateTopics does not
 * answer until then, as a Kafka broker shows a leadership only after its LeaderAndIsr. */
bool pm_can_lead(struct broker *b, const char *topic, int32_t partition);
/* Whether the topic exists in the cluster metadata (for UNKNOWN_TOPIC_OR_PARTITION). */
bool pm_topic_known(struct broker *b, struct kp_str topic, int32_t partition);

/* Appends a validated batch as leader; moves the HW; schedules flushes; wakes fetches. */
int partition_append(struct partition *p, uint8_t *batch, size_t len,
                     const struct batch_info *info, int64_t *base_offset);
/* Whether acknowledgements wait for the flush of what they acknowledge: after
 * partition_append, p->ack_flush_upto >= 0 says up to where (see struct partition). Parked
 * requests watching partition_key(p) are woken when the recovery point moves. */
static inline bool partition_flushed(const struct partition *p, int64_t upto)
{
	return upto < 0 || plog_recovery_point(p->log) >= upto;
}
/* Recomputes the HW (after appends, ISR changes, follower progress). */
void partition_update_hw(struct partition *p);

/* Appends batches copied from the leader (follower). KERR_NONE or a log error; *consumed is
 * how many bytes were taken (a trailing partial batch is left). */
int partition_append_replica(struct partition *p, const uint8_t *buf, size_t len,
                             size_t *consumed);
/* Requests parked on a partition (long-poll Fetch, acks=all Produce) watch its key in the
 * broker's purgatory (server/core/purgatory.h). They are re-tried when it gets data, a new
 * high watermark or a new role (partition_wake), and told when it is deleted (key gone). */
static inline struct pg_key partition_key(const struct partition *p)
{
	return pg_key(PG_KEY_PARTITION, p);
}
/* A worker or cleaner job holding p's log finished (p->jobs was counted up for it): a doomed
 * partition is removed once none is left. */
void partition_job_done(struct partition *p);
/* Every partition (sorted by topic, id), for the cleaner's scan. */
struct partition **pm_partitions(struct broker *b, int *n);
/* Re-tries the requests parked on p (deferred). */
void partition_wake(struct partition *p);
struct broker *partition_broker(const struct partition *p);

#endif

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
#include "../../net/kp.h"

struct broker;
struct pmgr;
struct partition;

/* A request parked on partitions (long-poll Fetch, acks=all Produce): woken when a partition
 * it waits on gets data or a new high watermark or changes role, and told to let go of a
 * partition that is being deleted. Both callbacks run on the loop; `wake` should defer work. */
struct delayed {
	void (*wake)(struct delayed *d);
	void (*forget)(struct delayed *d, struct partition *p);
	void (*drop)(struct delayed *d);   /* shutdown: free without answering */
	struct delayed *prev, *next;       /* every parked request (for shutdown) */
};

/* Every parked request is on the broker's list while it lives. */
void delayed_register(struct broker *b, struct delayed *d);
void delayed_unregister(struct broker *b, struct delayed *d);
void delayed_drop_all(struct broker *b);

struct partition {
	char *topic;
	int32_t id;
	char *dir;                 /* the partition directory */
	int dir_index;             /* which of log.dirs */
	struct plog *log;
	struct log_config lcfg;
	bool leader;               /* this broker leads it now */
	int32_t leader_epoch;
	int64_t hw;                /* high watermark */
	int32_t min_insync;        /* min.insync.replicas */
	int64_t ts_diff_max_ms;    /* message.timestamp.difference.max.ms */
	int compression;           /* compression.type as a codec 0-4; -1 = producer */
	uint64_t configs_gen;      /* the topic's configs_gen last resolved */
	bool state_applied;        /* the partition state last applied: */
	bool state_known;
	int32_t state_version;
	int32_t *isr;              /* from the partition state (only while we are a replica) */
	int nisr;
	int32_t leader_id;         /* from the partition state; -1 none */
	/* Leader: what each other replica's fetches told us (server/replica.c). */
	struct follower *followers;
	int nfollowers;
	bool isr_inflight;         /* an ISR change of ours is being written */
	int32_t isr_adding;        /* the follower that change adds, -1 none */
	int64_t epoch_start;       /* our log end when this leadership began */
	int64_t isr_write_ms;      /* when it was sent */
	/* Follower: the fetcher copying from the leader (server/fetcher.c). */
	struct fetcher *fetcher;
	int fstate;                /* enum fetch_state */
	uint32_t fgen;             /* new on every follower reset: stale answers are ignored */
	uint32_t fsent_gen;        /* fgen when the request in flight was built */
	int64_t fbackoff_until;    /* fetch errors: pause this partition until then (mono ms) */
	int64_t last_flush_ms;
	int jobs;                  /* worker jobs in flight that hold `log` */
	bool doomed;               /* topic deleted: remove once jobs == 0 */
	/* Compaction (server/replica/cleaning.c): cleanup.policy has compact, and its settings. */
	bool compact;
	double min_dirty_ratio;    /* min.cleanable.dirty.ratio */
	int64_t min_lag_ms, max_lag_ms, delete_retention_ms;
	int64_t clean_ckpt;        /* first dirty offset (cleaner-offset-checkpoint), -1 none */
	bool cleaning;             /* a pass of this log is in flight (it holds a job) */
	struct delayed **waiters;  /* parked requests to wake on progress */
	int nwaiters, capwaiters;
	struct pmgr *pm;
};

/* Leader side of replication: follower progress, ISR changes, the high watermark. */
struct follower {
	int32_t id;
	int64_t leo;               /* its log end: its last fetch offset; -1 until it fetches */
	int64_t last_caught_up_ms; /* last time it was known to have all we had (mono) */
	int64_t last_fetch_leo;    /* our log end when it fetched last */
	int64_t last_fetch_ms;
};

/* Follower fetch states (server/fetcher.c). */
enum fetch_state { FS_NONE = 0, FS_TRUNCATE, FS_FETCH };

/* Opens log.dirs and recovers every partition log found. Returns 0 or -1 (logged). */
int pm_open(struct broker *b);
/* The cluster id became known: check or write meta.properties. -1: refuse to run. */
int pm_cluster_id(struct broker *b, const char *cluster_id);
/* Re-reads roles, epochs and configs from the metadata cache. */
void pm_sync(struct broker *b);
/* Flushes every log and writes the checkpoints (clean shutdown), then frees all. */
void pm_close(struct broker *b);

/* The local replica of topic/partition, or NULL. */
struct partition *pm_find(struct broker *b, struct kp_str topic, int32_t partition);
/* Whether the topic exists in the cluster metadata (for UNKNOWN_TOPIC_OR_PARTITION). */
bool pm_topic_known(struct broker *b, struct kp_str topic, int32_t partition);

/* Appends a validated batch as leader; moves the HW; schedules flushes; wakes fetches. */
int partition_append(struct partition *p, uint8_t *batch, size_t len,
                     const struct batch_info *info, int64_t *base_offset);
/* Recomputes the HW (after appends, ISR changes, follower progress). */
void partition_update_hw(struct partition *p);

/* Appends batches copied from the leader (follower). KERR_NONE or a log error; *consumed is
 * how many bytes were taken (a trailing partial batch is left). */
int partition_append_replica(struct partition *p, const uint8_t *buf, size_t len,
                             size_t *consumed);
/* A worker or cleaner job holding p's log finished (p->jobs was counted up for it): a doomed
 * partition is removed once none is left. */
void partition_job_done(struct partition *p);
/* Every partition (sorted by topic, id), for the cleaner's scan. */
struct partition **pm_partitions(struct broker *b, int *n);
/* Wakes the requests parked on p (progress, a new HW or role). */
void partition_wake(struct partition *p);
struct broker *partition_broker(const struct partition *p);

/* Registration of parked requests. */
void partition_add_waiter(struct partition *p, struct delayed *d);
void partition_remove_waiter(struct partition *p, struct delayed *d);

#endif

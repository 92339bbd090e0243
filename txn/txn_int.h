/* txn_int.h — the coordinator's internal structures, shared by the files of txn/ only. */
#ifndef KB_TXN_INT_H
#define KB_TXN_INT_H

#include "../common/kerr.h"
#include "../common/limits.h"
#include "txn.h"

#define TXN_NEVER INT64_MAX
#define TXN_NO_PID (-1LL)
#define TXN_NO_EPOCH ((int16_t)-1)

/* What a transactional id holds (Kafka's TransactionMetadata fields), or the target of a
 * transition (TxnTransitMetadata). parts: sorted by (topic, partition), topics owned. */
struct tmeta {
	int64_t pid, last_pid;
	int16_t epoch, last_epoch;
	int32_t timeout_ms;
	enum txn_state state;
	struct txn_tp *parts;
	int nparts;
	int64_t start_ts, update_ts;
};

struct txn {
	struct txn *next; /* hash chain */
	char *id;
	size_t id_len;
	struct tmeta m;
	bool pending;               /* a transition is in flight (Kafka's pendingState) */
	enum txn_state pending_state;
	bool failed_fence;          /* hasFailedEpochFence */
	bool markers_out;           /* io.send_markers called; awaiting txn_markers_done */
	int64_t complete_retry_at;  /* TXN_NEVER unless a CompleteX append must be retried */
};

enum tapp_kind {
	TAPP_INIT,     /* InitProducerId: Empty with a bumped epoch or a new pid */
	TAPP_ADD,      /* AddPartitionsToTxn / AddOffsetsToTxn: Ongoing */
	TAPP_END,      /* EndTxn: PrepareCommit / PrepareAbort */
	TAPP_FENCE,    /* InitProducerId on an Ongoing transaction: PrepareAbort (epoch + 1) */
	TAPP_TIMEOUT,  /* a timed-out transaction: PrepareAbort (epoch + 1) */
	TAPP_COMPLETE, /* markers acknowledged: CompleteCommit / CompleteAbort */
	TAPP_EXPIRE,   /* tombstones of expired ids */
};

struct tappend {
	struct tappend *next;
	uint64_t token;
	enum tapp_kind kind;
	struct txn *t;       /* all kinds but TAPP_EXPIRE */
	struct tmeta transit; /* the state written */
	void *handle;        /* TAPP_INIT, TAPP_ADD, TAPP_END, TAPP_FENCE */
	struct txn **expired; /* TAPP_EXPIRE */
	int16_t *expired_epoch;
	int nexpired;
};

struct txn_coord {
	struct txn_config cfg;
	struct txn_io io;
	bool loaded;
	struct txn **buckets;
	size_t nbuckets, ntxns;
	/* Appends in flight, oldest first: they all go to one partition, so they complete in
	 * order and txn_append_done finds its token at the head. */
	struct tappend *appends, *appends_tail;
	/* Ids with a CompleteX append to retry, and a lower bound of their retry times. */
	size_t nretry;
	int64_t retry_min;
	uint64_t next_token;
	int64_t next_abort_scan, next_expire_scan;
};

/* txn.c */
int64_t tc_now(struct txn_coord *c);
struct txn *tc_find(struct txn_coord *c, struct kp_str id);
struct txn *tc_create(struct txn_coord *c, struct kp_str id);
void tc_remove(struct txn_coord *c, struct txn *t);
void tmeta_free(struct tmeta *m);
/* A deep copy of m (its partitions and their topics). */
struct tmeta tmeta_copy(const struct tmeta *m);
int tp_cmp(const struct txn_tp *a, const struct txn_tp *b);
bool tparts_contains(const struct tmeta *m, const struct txn_tp *tp);
/* Adds parts to m's set (copying topics), keeping it sorted and duplicate-free. */
void tparts_union(struct tmeta *m, const struct txn_tp *parts, int n);
/* Appends the record of (t->id, transit). `a` is owned from here on (freed on failure). Returns
 * KERR_NONE or the mapped error of an append that failed at once (a handled by
 * tapp_done already). */
int16_t tc_append_state(struct txn_coord *c, struct tappend *a);
int16_t tc_map_append_error(int16_t err);
void tappend_free(struct tappend *a);
void t_set_pending(struct txn *t, enum txn_state s);
/* A failed CompleteX append of t is retried at `at`. */
void tc_schedule_retry(struct txn_coord *c, struct txn *t, int64_t at);
/* Tombstones of the ids in a->expired, one append (a owned from here on). */
void t_append_tombstones(struct txn_coord *c, struct tappend *a);
/* Scans start one interval after loading. */
void tc_start_timers(struct txn_coord *c);

/* markers.c */
void t_appended(struct txn_coord *c, struct tappend *a, int16_t err);
/* Prepare-abort a transaction after a fence or timeout (epoch bump in memory first). */
int16_t t_fence_abort(struct txn_coord *c, struct txn *t, enum tapp_kind kind, void *handle);
/* After PrepareX is in the cache: pending = CompleteX, markers sent (or CompleteX written at
 * once when there is no partition). */
void t_start_markers(struct txn_coord *c, struct txn *t);
void t_write_complete(struct txn_coord *c, struct txn *t);
void t_expired_appended(struct txn_coord *c, struct tappend *a, int16_t err);
void t_run_expiry(struct txn_coord *c, int64_t now);
void t_run_abort_scan(struct txn_coord *c, int64_t now);

/* records.c */
void t_rec_of(const struct txn *t, const struct tmeta *m, struct txn_rec *r);

#endif

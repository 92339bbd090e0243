/* txn.h — the transaction coordinator as a pure state machine (Kafka 3.9, ZooKeeper mode).
 *
 * One `struct txn_coord` owns the transactional ids of ONE __transaction_state partition: the
 * server creates it when this broker becomes that partition's leader, replays the partition
 * into it (txn_load_record ... txn_load_done), and frees it when leadership moves away
 * (txn_coord_free answers every parked request with NOT_COORDINATOR). Until txn_load_done
 * every request is answered COORDINATOR_LOAD_IN_PROGRESS.
 *
 * Purity: no sockets, no event loop, no server/ includes. The caller gives (struct txn_io):
 *   - a clock (io.now_ms, wall-clock milliseconds);
 *   - io.append: writes __transaction_state records with acks=all (a state change is one
 *     record; the tombstones of an expiry scan come as several records of one call, which
 *     Kafka writes as one batch; uncompressed, producer id -1), and reports the outcome later
 *     through txn_append_done(token, kerr); the raw append error is mapped as Kafka's
 *     TransactionStateManager does (NOT_ENOUGH_REPLICAS... → COORDINATOR_NOT_AVAILABLE,
 *     NOT_LEADER_OR_FOLLOWER → NOT_COORDINATOR, MESSAGE_TOO_LARGE → UNKNOWN_SERVER_ERROR);
 *   - io.alloc_pid: a new producer id from the broker's block (synchronous; an error such as
 *     COORDINATOR_LOAD_IN_PROGRESS when no id is at hand is passed to the client);
 *   - io.partition_for_group: the __consumer_offsets partition of a group (AddOffsetsToTxn);
 *   - io.send_markers: "write these markers" (WriteTxnMarkers to the partitions' leaders); the
 *     caller retries retriable per-partition errors itself, drops partitions whose topic is
 *     gone, and calls txn_markers_done once every partition has acknowledged;
 *   - answer functions for requests (io.init_done, io.txn_done), each called with the
 *     caller's opaque `handle` exactly once, during the request call or later;
 *   - the timer: txn_next_deadline() says when txn_tick() must run next.
 *
 * Semantics (see /work/shared/reference/exactly-once-and-compaction.md §B2-B4, B8, B9): the
 * states of Kafka's TransactionMetadata, one pending transition at a time (other requests get
 * CONCURRENT_TRANSACTIONS meanwhile), the cache changed only once the append is replicated,
 * EndTxn answered when PrepareCommit/PrepareAbort is replicated (markers follow, CompleteX is
 * written when they are acknowledged), fencing of an Ongoing transaction by InitProducerId
 * (epoch bump, PrepareAbort, CONCURRENT_TRANSACTIONS to the caller), epoch exhaustion (a new
 * producer id at epoch 0), KIP-360 (expected producer id/epoch), the abort of timed-out
 * transactions and the expiry of idle transactional ids.
 *
 * Errors: the functions return the error of the newest request version (PRODUCER_FENCED);
 * txn_error_for_version() maps it to what an older version carries.
 *
 * A failed append of a request's transition clears the pending transition and answers the
 * mapped error; a CompleteCommit/CompleteAbort append failing with COORDINATOR_NOT_AVAILABLE
 * (after mapping) keeps it and is retried by txn_tick after TXN_RETRY_BACKOFF_MS, as Kafka's
 * marker channel manager retries it; other errors leave it to the next coordinator.
 *
 * Strings given to the SM are `struct kp_str` (not NUL-terminated); the SM copies what it
 * keeps. Pointers in results are valid only during the callback (or until the next call into
 * the coordinator, for views).
 *
 * Re-entrancy: callbacks run inside txn_* calls and must not call back into the same
 * coordinator (io.append must not call txn_append_done itself: it returns an error instead
 * when it fails at once; io.send_markers must not call txn_markers_done inside).
 */
#ifndef KB_TXN_H
#define KB_TXN_H

#include "../common/kb.h"
#include "../common/kbuf.h"
#include "../net/kp.h"

/* Kafka's TransactionState ids (the TransactionStatus byte of the log value). */
enum txn_state {
	TXN_EMPTY = 0,
	TXN_ONGOING = 1,
	TXN_PREPARE_COMMIT = 2,
	TXN_PREPARE_ABORT = 3,
	TXN_COMPLETE_COMMIT = 4,
	TXN_COMPLETE_ABORT = 5,
	TXN_DEAD = 6,
	TXN_PREPARE_EPOCH_FENCE = 7,
};
#define TXN_NSTATES 8
/* Kafka's names ("Empty", "Ongoing", "PrepareCommit", ...); "Unknown" outside the enum. */
const char *txn_state_name(enum txn_state s);
/* The state of a name (exact, case-sensitive as Kafka); false when unknown. */
bool txn_state_from_name(struct kp_str name, enum txn_state *out);

/* The topic of AddOffsetsToTxn's partition. */
#define TXN_OFFSETS_TOPIC "__consumer_offsets"
/* Backoff before retrying a failed CompleteX append. */
#define TXN_RETRY_BACKOFF_MS 100

/* Broker configuration the coordinator uses (the server fills it from struct kb_config). */
struct txn_config {
	int32_t max_timeout_ms;      /* transaction.max.timeout.ms (900000) */
	int64_t id_expiration_ms;    /* transactional.id.expiration.ms (604800000) */
	int64_t abort_interval_ms;   /* transaction.abort.timed.out.transaction.cleanup.interval.ms */
	int64_t expire_interval_ms;  /* transaction.remove.expired.transaction.cleanup.interval.ms */
	int32_t coordinator_epoch;   /* the partition's leader epoch, sent with every marker */
	int32_t max_ids;             /* ids kept (new ids past it: COORDINATOR_NOT_AVAILABLE);
	                                0: KB_TXN_MAX_IDS */
};

/* One partition of a transaction. */
struct txn_tp {
	struct kp_str topic;
	int32_t partition;
};

/* One record for __transaction_state. value == NULL is a tombstone. */
struct txn_append_rec {
	const uint8_t *key;
	size_t key_len;
	const uint8_t *value;
	size_t value_len;
};

/* Markers to write for one transaction (partitions sorted by topic, then partition). */
struct txn_markers {
	struct kp_str txn_id;
	int64_t producer_id;
	int16_t producer_epoch; /* the current epoch (after a fence: the bumped one) */
	bool commit;
	int32_t coordinator_epoch;
	int npartitions;
	const struct txn_tp *partitions;
};

struct txn_io {
	void *arg;
	int64_t (*now_ms)(void *arg);
	/* Append `n` records (one batch) with acks=all and an append timeout of
	 * timeout_ms. Returns KERR_NONE when accepted (txn_append_done(c, token, err) follows
	 * later, never inside this call) or an error when it fails at once (then no
	 * txn_append_done). Records are valid only during the call. */
	int16_t (*append)(void *arg, uint64_t token, const struct txn_append_rec *recs, int n,
	                  int32_t timeout_ms);
	/* A new producer id: KERR_NONE and *pid, or the error to answer. */
	int16_t (*alloc_pid)(void *arg, int64_t *pid);
	/* The partition of __consumer_offsets that holds group_id's offsets. */
	int32_t (*partition_for_group)(void *arg, struct kp_str group_id);
	/* Send the markers of one transaction; the caller copies what it keeps. */
	void (*send_markers)(void *arg, const struct txn_markers *m);
	/* InitProducerId's answer (pid -1 and epoch -1 with an error). */
	void (*init_done)(void *arg, void *handle, int16_t error, int64_t pid, int16_t epoch);
	/* AddPartitionsToTxn (v0-3) / AddOffsetsToTxn / EndTxn answer: one error for the whole
	 * request (AddPartitionsToTxn copies it to every partition, as Kafka does). */
	void (*txn_done)(void *arg, void *handle, int16_t error);
};

struct txn_coord;

/* A coordinator in the loading state (requests: COORDINATOR_LOAD_IN_PROGRESS). */
struct txn_coord *txn_coord_new(const struct txn_config *cfg, const struct txn_io *io);
/* Unload: every parked request is answered NOT_COORDINATOR; appends in flight are forgotten
 * (their txn_append_done calls must not be made after this), as are markers in flight. */
void txn_coord_free(struct txn_coord *c);

/* Number of transactional ids held. */
size_t txn_count(const struct txn_coord *c);

/* ---- Requests (each answers through its callback, exactly once) ------------------------- */

/* InitProducerId with a non-null transactional id. expected_pid/expected_epoch: v3+ (KIP-360),
 * -1/-1 when absent; exactly one of them -1 is INVALID_REQUEST. */
void txn_init_producer_id(struct txn_coord *c, struct kp_str txn_id, int32_t timeout_ms,
                          int64_t expected_pid, int16_t expected_epoch, void *handle);

/* AddPartitionsToTxn v0-3 (or one v4+ entry with VerifyOnly=false). Answer via io.txn_done. */
void txn_add_partitions(struct txn_coord *c, struct kp_str txn_id, int64_t pid, int16_t epoch,
                        const struct txn_tp *parts, int n, void *handle);

/* AddOffsetsToTxn: adds __consumer_offsets-(io.partition_for_group(group)). */
void txn_add_offsets(struct txn_coord *c, struct kp_str txn_id, int64_t pid, int16_t epoch,
                     struct kp_str group_id, void *handle);

/* EndTxn. */
void txn_end(struct txn_coord *c, struct kp_str txn_id, int64_t pid, int16_t epoch, bool commit,
             void *handle);

/* AddPartitionsToTxn v4+ VerifyOnly=true (KIP-890 part 1), answered at once: returns a
 * transaction-level error (INVALID_REQUEST, COORDINATOR_LOAD_IN_PROGRESS,
 * INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS: it applies to every
 * partition) or KERR_NONE with errors[i] set per partition: NONE when in the transaction,
 * else TRANSACTION_ABORTABLE. */
int16_t txn_verify_partition(struct txn_coord *c, struct kp_str txn_id, int64_t pid,
                             int16_t epoch, const struct txn_tp *parts, int n, int16_t *errors);

/* The error an older request version carries in place of `err`: PRODUCER_FENCED becomes
 * INVALID_PRODUCER_EPOCH for InitProducerId (key 22) v<4 and AddPartitionsToTxn (24),
 * AddOffsetsToTxn (25), EndTxn (26) v<2; TRANSACTION_ABORTABLE becomes INVALID_TXN_STATE below
 * InitProducerId v5, AddPartitionsToTxn v5, AddOffsetsToTxn v4, EndTxn v4. */
int16_t txn_error_for_version(int16_t api_key, int16_t version, int16_t err);

/* ---- Appends, markers, time ------------------------------------------------------------- */

/* The outcome of io.append(token) (the raw append error; KERR_NONE when replicated). */
void txn_append_done(struct txn_coord *c, uint64_t token, int16_t error);

/* Every partition of the markers sent for (txn_id, pid, epoch) acknowledged (error NONE):
 * CompleteCommit/CompleteAbort is written. error INVALID_PRODUCER_EPOCH or
 * TRANSACTION_COORDINATOR_FENCED: Kafka stops and writes nothing (the id stays pending until
 * the coordinator moves). Returns false when no such markers are outstanding (ignored). */
bool txn_markers_done(struct txn_coord *c, struct kp_str txn_id, int64_t pid, int16_t epoch,
                      int16_t error);

/* Earliest time at which txn_tick has work; INT64_MAX when none (still loading). */
int64_t txn_next_deadline(struct txn_coord *c);
/* Runs what is due at now_ms: the abort of timed-out Ongoing transactions (every
 * abort_interval_ms: Ongoing, no pending transition, start + timeout < now → epoch bump and
 * PrepareAbort, markers), the expiry of idle ids (every expire_interval_ms: Empty/CompleteX,
 * no pending transition, last update <= now - id_expiration_ms → one append of tombstones,
 * removed once replicated), retries of failed Complete appends. */
void txn_tick(struct txn_coord *c, int64_t now_ms);

/* ---- Views (DescribeTransactions, ListTransactions) --------------------------------------- */

struct txn_view {
	struct kp_str txn_id;
	enum txn_state state;
	int64_t producer_id;
	int16_t producer_epoch;
	int32_t timeout_ms;
	int64_t start_ts;       /* -1 when none */
	int64_t last_update_ts;
	bool pending;           /* a transition is in flight */
	int npartitions;        /* sorted by topic, then partition */
	const struct txn_tp *partitions;
};
/* DescribeTransactions for one id: KERR_NONE with *out filled (valid until the next call
 * into c), TRANSACTIONAL_ID_NOT_FOUND, INVALID_REQUEST (empty id), or
 * COORDINATOR_LOAD_IN_PROGRESS. */
int16_t txn_describe(struct txn_coord *c, struct kp_str txn_id, struct txn_view *out);

struct txn_list_filter {
	uint32_t states;        /* bit (1 << state) per state asked; 0 with any_state_asked:
	                           every asked name was unknown, so nothing matches */
	bool any_state_asked;   /* the request had StateFilters */
	int npids;              /* ProducerIdFilters (0: any) */
	const int64_t *pids;
	int64_t duration_ms;    /* v1 DurationFilter: keep now - start > duration; -1: none */
};
/* ListTransactions: calls fn for each matching id; returns COORDINATOR_LOAD_IN_PROGRESS
 * while loading (fn not called), else KERR_NONE. fn must not change the coordinator. */
int16_t txn_list(struct txn_coord *c, const struct txn_list_filter *f,
                 void (*fn)(void *arg, const struct txn_view *v), void *arg);

/* ---- __transaction_state records ------------------------------------------------------- */

/* A decoded value. Partitions point into the value bytes' topics: see txn_rec_free. */
struct txn_rec {
	struct kp_str txn_id;
	int16_t value_version; /* -1: tombstone */
	int64_t producer_id;
	int16_t producer_epoch;
	int32_t timeout_ms;
	int8_t state;          /* raw TransactionStatus */
	int npartitions;       /* -1: null array (Empty) */
	struct txn_tp *partitions; /* kb_calloc'd (decode); topics point into the value */
	int64_t last_update_ts, start_ts;
};

/* Encoders (into a kbuf; check b->err). Key v0; value v0 (what a ZooKeeper-mode Kafka 3.9
 * writes) or v1 (flexible, no tagged fields). Partitions must be grouped by topic (sorted);
 * npartitions -1 writes a null array (Kafka writes null exactly in Empty). */
void txn_rec_key(struct kbuf *b, struct kp_str txn_id);
void txn_rec_value(struct kbuf *b, const struct txn_rec *r, int16_t version);

enum { TXN_REC_VALUE = 0, TXN_REC_OTHER = 1 };
/* Decodes one record (value NULL = tombstone). Strings point into key/value. Returns
 * TXN_REC_VALUE, TXN_REC_OTHER for keys of other versions (skipped on replay, as Kafka), or a
 * negative KP_ERR_* for malformed bytes. On TXN_REC_VALUE call txn_rec_free(r). */
int txn_rec_decode(const uint8_t *key, size_t klen, const uint8_t *value, size_t vlen,
                   struct txn_rec *r);
void txn_rec_free(struct txn_rec *r);

/* Replay, record by record in offset order from the log start to the log end (last value
 * per id wins, a tombstone removes it), only before txn_load_done. Returns 0, or a negative
 * KP_ERR_* for a malformed record or one Kafka would not load (state Dead,
 * PrepareEpochFence or unknown; negative producer id or epoch): skipped. */
int txn_load_record(struct txn_coord *c, const uint8_t *key, size_t klen, const uint8_t *value,
                    size_t vlen);
/* After the last record: the coordinator serves requests; every PrepareCommit/PrepareAbort
 * transaction gets its markers re-sent through io.send_markers (then CompleteX as usual). */
void txn_load_done(struct txn_coord *c);

#endif

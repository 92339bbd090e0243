/* group.h — the consumer-group coordinator (classic protocol) as a pure state machine.
 *
 * One `struct group_coord` owns the groups and committed offsets of ONE __consumer_offsets
 * partition: the server creates it when this broker becomes that partition's leader, replays
 * the partition into it (group_load_record), and frees it when leadership moves away
 * (group_coord_free answers everything still parked with NOT_COORDINATOR).
 *
 * Purity: no sockets, no event loop, no server/ includes. The caller gives:
 *   - a clock (io.now_ms, wall-clock milliseconds: commit timestamps and deadlines alike);
 *   - an append function (io.append) that writes __consumer_offsets records with acks=all and
 *     later reports the outcome through group_append_done(token, kerr);
 *   - answer functions for requests that complete later (io.join_done, io.sync_done,
 *     io.commit_done), each called with the caller's opaque `handle` exactly once;
 *   - the timer: group_next_deadline() says when group_tick() must run next.
 *
 * Semantics follow Kafka 3.9's classic GroupCoordinator (see
 * /work/shared/reference/kafka-protocol.md §8): states Empty / PreparingRebalance /
 * CompletingRebalance / Stable / Dead, KIP-394 (MEMBER_ID_REQUIRED), KIP-345 (static members,
 * FENCED_INSTANCE_ID, a restarted static member takes over without a rebalance), the initial
 * rebalance delay, rebalance and session timeouts, the pending-sync timeout, protocol vote.
 *
 * Strings given to the SM are `struct kp_str` (not NUL-terminated, may point into a request
 * frame); the SM copies what it keeps and never frees or keeps caller memory. Pointers in
 * results passed to callbacks are valid only during the callback.
 *
 * Re-entrancy: callbacks run inside group_* calls. A callback must not call back into the
 * same group_coord (in particular io.append must not call group_append_done itself; it
 * returns an error instead when it fails at once).
 */
#ifndef KB_GROUP_H
#define KB_GROUP_H

#include "../common/kb.h"
#include "../common/kbuf.h"
#include "../net/kp.h"

enum group_state {
	GROUP_EMPTY,
	GROUP_PREPARING_REBALANCE,
	GROUP_COMPLETING_REBALANCE,
	GROUP_STABLE,
	GROUP_DEAD,
};
/* Kafka's names: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead". */
const char *group_state_name(enum group_state s);

/* Broker configuration the coordinator uses (the server fills it from struct kb_config). */
struct group_config {
	int32_t min_session_timeout_ms;     /* group.min.session.timeout.ms */
	int32_t max_session_timeout_ms;     /* group.max.session.timeout.ms */
	int32_t initial_rebalance_delay_ms; /* group.initial.rebalance.delay.ms */
	int32_t max_size;                   /* group.max.size (capped by KB_GROUP_MAX_MEMBERS) */
	int32_t offset_metadata_max_bytes;  /* offset.metadata.max.bytes */
	int64_t offsets_retention_ms;       /* offsets.retention.minutes * 60000 */
	uint64_t seed;                      /* member-id UUIDs: PRNG seed (random in the server) */
	/* Protocol metadata held by members, shared by every coordinator of the broker (NULL:
	 * this coordinator counts alone); checked against KB_GROUPS_META_MAX_BYTES. */
	int64_t *meta_used;
};

/* One record for __consumer_offsets. value == NULL is a tombstone. */
struct group_append_rec {
	const uint8_t *key;
	size_t key_len;
	const uint8_t *value;
	size_t value_len;
};

struct group_join_member {
	struct kp_str member_id;
	struct kp_str instance_id; /* null for dynamic members */
	struct kp_bytes metadata;  /* the member's metadata for the selected protocol */
};

/* A JoinGroup answer. Strings are null where Kafka's Option is empty. The server maps them
 * to the request version (v0-6: null protocol name → ""; KIP-814 skip_assignment is v9+). */
struct group_join_result {
	int16_t error;
	int32_t generation_id;
	struct kp_str protocol_type;
	struct kp_str protocol_name;
	struct kp_str leader;
	struct kp_str member_id;
	bool skip_assignment;
	int nmembers; /* non-zero only for the leader */
	const struct group_join_member *members;
};

struct group_sync_result {
	int16_t error;
	struct kp_str protocol_type;
	struct kp_str protocol_name;
	struct kp_bytes assignment;
};

struct group_io {
	void *arg;
	int64_t (*now_ms)(void *arg);
	/* Append `n` records with acks=all. Returns KERR_NONE when accepted (the caller will call
	 * group_append_done(c, token, err) later, never from inside this call) or an error code
	 * when the append fails at once (then group_append_done must NOT be called). The records
	 * are valid only during the call. */
	int16_t (*append)(void *arg, uint64_t token, const struct group_append_rec *recs, int n);
	void (*join_done)(void *arg, void *handle, const struct group_join_result *res);
	void (*sync_done)(void *arg, void *handle, const struct group_sync_result *res);
	/* A commit that group_commit or group_txn_commit left pending is answered: `error`
	 * applies to every partition whose entry in the caller's errors array was KERR_NONE when
	 * the call returned. */
	void (*commit_done)(void *arg, void *handle, int16_t error);
	/* Like append, for group_txn_commit: the records go in ONE transactional batch
	 * (attributes 0x10) carrying producer_id and producer_epoch with base sequence 0,
	 * appended as the coordinator (Kafka's origin COORDINATOR: no sequence check; an epoch
	 * below the partition's for that producer is refused with INVALID_PRODUCER_EPOCH).
	 * Same completion contract as append. NULL: TxnOffsetCommit gets
	 * COORDINATOR_NOT_AVAILABLE. */
	int16_t (*append_txn)(void *arg, uint64_t token, const struct group_append_rec *recs, int n,
	                      int64_t producer_id, int16_t producer_epoch);
};
/* Log order. Both append functions must place their batch in the partition's log in the
 * order they are called (the server appends to the local log inside the call). The
 * coordinator numbers appended and replayed records in that order and uses the numbers where
 * Kafka compares record offsets (a transactional commit is materialised only over an older
 * committed offset). */

struct group_coord;

struct group_coord *group_coord_new(const struct group_config *cfg, const struct group_io *io);
/* Unload: every parked join/sync/commit is answered with NOT_COORDINATOR; appends in flight
 * are forgotten (their group_append_done calls must not be made after this). */
void group_coord_free(struct group_coord *c);

/* abs(Java String.hashCode(group_id)) % n, with Kafka's Utils.abs (Integer.MIN_VALUE → 0) and
 * the hash taken over UTF-16 code units as Java does (malformed UTF-8 bytes count as U+FFFD). */
int32_t group_partition_for(struct kp_str group_id, int32_t n);

/* ---- Requests -------------------------------------------------------------------------- */

struct group_protocol {
	struct kp_str name;
	struct kp_bytes metadata;
};

struct group_join_req {
	struct kp_str group_id, member_id, instance_id, client_id, client_host;
	int32_t session_timeout_ms;
	int32_t rebalance_timeout_ms; /* < 0 (JoinGroup v0): the session timeout */
	struct kp_str protocol_type;
	int nprotocols;
	const struct group_protocol *protocols;
	bool require_known_member_id; /* JoinGroup v4+ (KIP-394) */
	bool support_skip_assignment; /* JoinGroup v9+ (KIP-814) */
};
/* The answer always arrives through io.join_done(handle), during this call or later. */
void group_join(struct group_coord *c, const struct group_join_req *req, void *handle);

struct group_assignment {
	struct kp_str member_id;
	struct kp_bytes assignment;
};
struct group_sync_req {
	struct kp_str group_id, member_id, instance_id;
	int32_t generation_id;
	struct kp_str protocol_type, protocol_name; /* null when absent (v0-4) */
	int nassignments;
	const struct group_assignment *assignments;
};
/* The answer always arrives through io.sync_done(handle), during this call or later. */
void group_sync(struct group_coord *c, const struct group_sync_req *req, void *handle);

/* Returns the Heartbeat error code. */
int16_t group_heartbeat(struct group_coord *c, struct kp_str group_id, int32_t generation_id,
                        struct kp_str member_id, struct kp_str instance_id);

struct group_leave_member {
	struct kp_str member_id, instance_id, reason;
	int16_t error; /* out */
};
/* LeaveGroup v3+ semantics (v0-2: one member, its error is the top-level error). Returns the
 * top-level error; fills members[i].error. */
int16_t group_leave(struct group_coord *c, struct kp_str group_id,
                    struct group_leave_member *members, int n);

/* ---- Offsets --------------------------------------------------------------------------- */

struct group_commit_part {
	struct kp_str topic;
	int32_t partition;
	int64_t offset;
	int32_t leader_epoch;  /* -1: none */
	struct kp_str metadata; /* null is stored as "" */
	int64_t commit_timestamp; /* -1: now (only OffsetCommit v1 sends another) */
};
struct group_commit_req {
	struct kp_str group_id, member_id, instance_id;
	int32_t generation_id;
	int64_t retention_ms; /* -1: the broker's retention (v2-4 may send one) */
	int nparts;
	const struct group_commit_part *parts;
};
/* Validates and stores a commit. errors[i] is set for every partition. Returns 0 when the
 * whole answer is in `errors`; 1 when some partitions (those with errors[i] == KERR_NONE) are
 * being appended: io.commit_done(handle, err) completes them later. */
int group_commit(struct group_coord *c, const struct group_commit_req *req, int16_t *errors,
                 void *handle);

struct group_offset {
	struct kp_str topic;
	int32_t partition;
	int64_t offset;
	int32_t leader_epoch;
	struct kp_str metadata;
	int64_t commit_timestamp, expire_timestamp; /* expire -1: none */
};
/* One committed offset; false (offset -1, metadata "") when there is none. */
bool group_offset_get(struct group_coord *c, struct kp_str group_id, struct kp_str topic,
                      int32_t partition, struct group_offset *out);
/* Every committed offset of a group (OffsetFetch with null topics); returns the count.
 * `fn` must not change the coordinator; NULL only counts. */
int group_offset_foreach(struct group_coord *c, struct kp_str group_id,
                         void (*fn)(void *arg, const struct group_offset *o), void *arg);

/* Expires offsets (offsets.retention.minutes rules of Kafka 3.9) and removes groups left
 * Empty without offsets; appends the tombstones. The caller runs it every
 * offsets.retention.check.interval.ms. Returns the number of offsets removed. */
int group_expire_offsets(struct group_coord *c);
/* DeleteGroups for one group: KERR_NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, INVALID_GROUP_ID. */
int16_t group_delete(struct group_coord *c, struct kp_str group_id);

struct group_offset_delete_part {
	struct kp_str topic;
	int32_t partition;
	int16_t error; /* out */
};
/* OffsetDelete: returns the group-level error, fills per-partition errors. */
int16_t group_offset_delete(struct group_coord *c, struct kp_str group_id,
                            struct group_offset_delete_part *parts, int n);

/* ---- Transactional offsets (TxnOffsetCommit; Kafka's pendingTransactionalOffsetCommits) ----
 *
 * A TxnOffsetCommit is appended as one transactional batch of the producer and then held
 * PENDING per (producer id, group, partition): invisible to group_offset_get/foreach, but
 * group_offset_unstable reports it (OffsetFetch RequireStable → UNSTABLE_OFFSET_COMMIT).
 * group_txn_complete(pid, commit) — called once the producer's COMMIT/ABORT marker on this
 * partition is replicated, or met on replay — materialises (COMMIT) or drops (ABORT) every
 * pending offset of that producer in every group of the coordinator. COMMIT keeps an existing
 * committed offset that is newer in the log than the transactional record (Kafka's rule).
 *
 * While a group has pending transactional offsets it is not removed: expiry keeps it (Kafka's
 * hasOffsets counts them) and DeleteGroups answers NON_EMPTY_GROUP (Kafka 3.9 deletes the
 * group and loses them live, while a reload of the log brings them back on COMMIT; refusing
 * until the transaction ends keeps the live state and the log's replay the same). Expiry and
 * OffsetDelete remove committed offsets only; a pending transactional offset stays pending.
 * A producer holds at most KB_GROUP_TXN_MAX_PARTITIONS pending partitions in one group
 * (further new partitions: INVALID_REQUEST). */
struct group_txn_commit_req {
	struct kp_str group_id, member_id, instance_id; /* member "" and instance null for v0-2 */
	int32_t generation_id;                          /* -1 for v0-2 */
	int64_t producer_id;
	int16_t producer_epoch;
	int nparts;
	const struct group_commit_part *parts; /* commit_timestamp is ignored (now) */
};
/* TxnOffsetCommit (Kafka 3.9's handleTxnCommitOffsets): an unknown group is created Empty;
 * v3+ checks (generation >= 0, a member id or an instance id given) as OffsetCommit:
 * FENCED_INSTANCE_ID, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION; generation -1 on an Empty group
 * and v0-2 requests (no member) are accepted in any state; no heartbeat, no
 * REBALANCE_IN_PROGRESS. Metadata too large → OFFSET_METADATA_TOO_LARGE for that partition.
 * producer_id < 0 → INVALID_REQUEST. Returns 0 / 1 as group_commit (io.commit_done answers).
 * The offsets are pending from this call on (RequireStable sees them at once); a failed
 * append takes them back: a partition's pending value it replaced comes back (one level:
 * Kafka drops the partition's pending entry, so a fenced zombie's commit would erase the live
 * producer's), else the partition is no longer pending. */
int group_txn_commit(struct group_coord *c, const struct group_txn_commit_req *req,
                     int16_t *errors, void *handle);
/* The transaction of producer_id ended on this partition: COMMIT materialises its pending
 * offsets, ABORT drops them. Nothing pending: no effect. */
void group_txn_complete(struct group_coord *c, int64_t producer_id, bool commit);
/* OffsetFetch RequireStable: whether a commit of this partition is not settled yet (a
 * transactional one pending, or an OffsetCommit still being appended). */
bool group_offset_unstable(struct group_coord *c, struct kp_str group_id, struct kp_str topic,
                           int32_t partition);
/* Producers with pending transactional offsets in the coordinator (all groups), counted once
 * per (producer, group). */
int group_txn_pending_count(struct group_coord *c);

/* ---- Appends, time, views ------------------------------------------------------------- */

/* The outcome of io.append(token): KERR_NONE when every record is committed (acks=all). */
void group_append_done(struct group_coord *c, uint64_t token, int16_t error);

/* Earliest time at which group_tick has work (never later than the truth; it may be earlier
 * after heartbeats, then group_tick finds nothing due); INT64_MAX when none. Cheap: the scan
 * is cached between calls that can bring a deadline forward. */
int64_t group_next_deadline(struct group_coord *c);
/* Runs every timer due at now_ms: initial delay, rebalance timeout, pending-sync timeout,
 * session expiry of members, expiry of pending (MEMBER_ID_REQUIRED) members. */
void group_tick(struct group_coord *c, int64_t now_ms);

struct group_member_view {
	struct kp_str member_id, instance_id, client_id, client_host;
	struct kp_bytes metadata, assignment; /* empty unless the group is Stable */
};
struct group_view {
	struct kp_str group_id;
	enum group_state state;
	int32_t generation_id;
	struct kp_str protocol_type; /* "" when none */
	struct kp_str protocol_name; /* "" unless Stable (Kafka's ProtocolData) */
	struct kp_str leader;
	int nmembers;
	const struct group_member_view *members;
};
/* DescribeGroups: fills *out (valid until the next call into `c`); an unknown group is Dead
 * with no members. Returns false for an unknown group. */
bool group_describe(struct group_coord *c, struct kp_str group_id, struct group_view *out);
/* ListGroups: calls fn for each group that is not Dead. */
void group_foreach(struct group_coord *c, void (*fn)(void *arg, const struct group_view *g),
                   void *arg);

/* ---- __consumer_offsets records ------------------------------------------------------- */

enum group_rec_type { GROUP_REC_OFFSET, GROUP_REC_GROUP, GROUP_REC_OTHER };

struct group_offset_rec {
	struct kp_str group, topic;
	int32_t partition;
	int16_t key_version, value_version; /* value_version -1: tombstone */
	int64_t offset;
	int32_t leader_epoch;
	struct kp_str metadata;
	int64_t commit_timestamp, expire_timestamp;
};

struct group_meta_member_rec {
	struct kp_str member_id, instance_id, client_id, client_host;
	int32_t rebalance_timeout, session_timeout;
	struct kp_bytes subscription, assignment;
};

struct group_meta_rec {
	struct kp_str group;
	int16_t value_version; /* -1: tombstone */
	struct kp_str protocol_type;
	int32_t generation;
	struct kp_str protocol, leader;
	int64_t current_state_timestamp;
	int nmembers;
	struct group_meta_member_rec *members; /* decode: kb_calloc'd, see group_meta_rec_free */
};

/* Encoders (into a kbuf; check b->err). Offset key v1; value v1 when expire_timestamp >= 0,
 * else v3, as Kafka 3.9 writes them. Group key v2; value v3. */
void group_rec_offset_key(struct kbuf *b, struct kp_str group, struct kp_str topic, int32_t partition);
void group_rec_offset_value(struct kbuf *b, const struct group_offset_rec *r);
void group_rec_group_key(struct kbuf *b, struct kp_str group);
void group_rec_group_value(struct kbuf *b, const struct group_meta_rec *r);

/* Decodes one record (value NULL = tombstone). Strings point into key/value. Returns the
 * type, GROUP_REC_OTHER for keys of other versions (skipped on replay), or a negative
 * KP_ERR_* for malformed bytes. For GROUP_REC_GROUP, call group_meta_rec_free(meta). */
int group_rec_decode(const uint8_t *key, size_t klen, const uint8_t *value, size_t vlen,
                     struct group_offset_rec *off, struct group_meta_rec *meta);
void group_meta_rec_free(struct group_meta_rec *meta);

/* Replay of the partition, record by record in offset order (last value per key wins,
 * tombstones delete). Returns 0, or a negative KP_ERR_* for a malformed record (skipped). */
int group_load_record(struct group_coord *c, const uint8_t *key, size_t klen,
                      const uint8_t *value, size_t vlen);
/* The batch of a replayed record (attributes 0x10 transactional, 0x20 control). */
struct group_load_batch {
	int64_t producer_id;
	bool transactional;
	bool control;
};
/* Replay of one record of `batch` (NULL: a plain batch, as group_load_record): an offset
 * record of a transactional batch goes pending under the batch's producer (a tombstone
 * removes that producer's pending offset); a control record (key: int16 version >= 0, int16
 * type) of type 0 ABORT / 1 COMMIT completes the producer's pending offsets as
 * group_txn_complete; other control types are skipped. Returns 0 or a negative KP_ERR_*. */
int group_load_record_in(struct group_coord *c, const struct group_load_batch *batch,
                         const uint8_t *key, size_t klen, const uint8_t *value, size_t vlen);
/* After the last record: groups with members become Stable (with fresh session timers),
 * groups without become Empty, offsets without a group get an Empty group. */
void group_load_done(struct group_coord *c);

/* ConsumerProtocolSubscription (any version ≥ 0): calls fn for each topic. Returns 0 or a
 * negative KP_ERR_* when the bytes are not a subscription. */
int group_subscription_topics(struct kp_bytes meta, void (*fn)(void *arg, struct kp_str topic),
                              void *arg);

#endif

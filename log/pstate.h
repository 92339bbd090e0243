/* pstate.h — per-partition producer state of idempotent and transactional producers (Kafka's
 * ProducerStateManager): pure data and functions, no I/O.
 *
 * Per producer id: its current epoch, the timestamp of its last batch, and the metadata of its
 * last PSTATE_MAX_BATCHES batches (last sequence, last offset, offset delta, max timestamp;
 * first sequence and first offset are derived). A change of epoch forgets the batches.
 *
 * Leader checks (pstate_check), in Kafka 3.9's order (fact sheet §A4):
 *   1. same epoch and (first seq, last seq) equal to a cached batch -> PSTATE_DUPLICATE, with
 *      that batch's original offsets and timestamp (the caller appends nothing);
 *   2. epoch below the producer's                      -> KERR_INVALID_PRODUCER_EPOCH;
 *   3. epoch differs from the producer's: first seq must be 0, unless the producer is unknown
 *      (KIP-360: any sequence)                          -> else KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
 *   4. same epoch: first seq == last seq + 1, or 0 after INT32_MAX (wrap-around)
 *                                                      -> else KERR_OUT_OF_ORDER_SEQUENCE_NUMBER.
 * Never DUPLICATE_SEQUENCE_NUMBER nor UNKNOWN_PRODUCER_ID (Kafka 3.9 does not send them).
 *   5. a non-transactional batch while the producer's transaction is open
 *                                                      -> KERR_INVALID_TXN_STATE.
 * Followers and recovery call pstate_update only (no checks), so every replica holds the same
 * state as its leader.
 *
 * Transactions (fact sheet §A3, §B5, §B7). A transactional data batch of a producer with no
 * open transaction opens one at its first offset (txn_first); a COMMIT/ABORT marker closes it
 * (pstate_end_txn: the epoch is adopted when higher, the coordinator epoch and timestamp are
 * stored); a marker for a producer with no open transaction changes only those fields. The
 * state keeps the open transactions ordered by first offset, and the completed ones whose
 * marker the high watermark has not passed yet ("unreplicated"): the first unstable offset is
 * the smallest first offset of either set, and the last stable offset is
 * max(log start, min(HW, first unstable)). Producers with an open transaction never expire.
 * Leader checks of a marker (pstate_check_marker): epoch below the producer's ->
 * KERR_INVALID_PRODUCER_EPOCH; coordinator epoch below the stored one ->
 * KERR_TRANSACTION_COORDINATOR_FENCED.
 *
 * Memory: one entry per producer id seen and not expired (Kafka has no cap on their number):
 * sizeof(struct pstate_entry) (152 bytes on LP64) plus an 8-byte slot of the hash index at a
 * load factor <= 1/2 (<= 16 bytes): at most 168 bytes per producer per partition; plus 16
 * bytes per open transaction and per completed one not yet below the HW (at most one open
 * transaction per producer).
 *
 * Snapshot (fact sheet §A6, Kafka's format, big-endian): version int16 = 1, CRC-32C of the rest,
 * int32 count, then 46-byte entries (pid, epoch, last seq, last offset, offset delta,
 * timestamp, coordinator epoch, txn first offset). Only the LAST batch of each producer is
 * kept, so after a reload only that batch is recognised as a duplicate (as in Kafka). An entry
 * with a txn first offset reopens its transaction on load.
 */
#ifndef KB_LOG_PSTATE_H
#define KB_LOG_PSTATE_H

#include "../common/kb.h"

#define PSTATE_MAX_BATCHES 5
#define PSTATE_NO_EPOCH (-1)
#define PSTATE_NO_SEQ (-1)
#define PSTATE_NO_TXN (-1)
#define PSTATE_DUPLICATE 1           /* pstate_check: a retry of a cached batch */
#define PSTATE_SNAP_VERSION 1
#define PSTATE_SNAP_HEADER 10        /* version, crc, count */
#define PSTATE_SNAP_ENTRY 46
/* Largest snapshot file read back (a bigger one is treated as corrupt): ~23 million producers. */
#define PSTATE_SNAP_MAX_BYTES ((int64_t)1 << 30)

struct pstate_batch {
	int32_t last_seq;
	int32_t offset_delta;            /* last offset - first offset */
	int64_t last_offset;
	int64_t timestamp;               /* the batch's maxTimestamp */
};

struct pstate_entry {
	int64_t pid;
	int64_t last_ts;                 /* maxTimestamp of the last batch (expiry uses it) */
	int16_t epoch;
	uint8_t n;                       /* cached batches, oldest first from `head` */
	uint8_t head;
	int32_t coord_epoch;             /* from the last marker; -1: none yet */
	int64_t txn_first;               /* first offset of the open transaction, PSTATE_NO_TXN */
	struct pstate_batch b[PSTATE_MAX_BATCHES];
};

/* One idempotent batch, as its header says. */
struct pstate_append {
	int64_t pid;
	int16_t epoch;
	int32_t first_seq;
	int32_t last_seq;                /* pstate_last_seq(first_seq, last offset delta) */
	int64_t first_offset, last_offset;
	int64_t max_ts;
	bool txn;                        /* a transactional batch (attribute 0x10) */
};

/* A COMMIT or ABORT marker (control batch) as appended at `offset`. */
struct pstate_marker {
	int64_t pid;
	int16_t epoch;
	bool commit;
	int32_t coord_epoch;
	int64_t offset;
	int64_t ts;                      /* the control batch's maxTimestamp */
};

/* A transaction a marker closed: [first, last] with last = the marker's offset; lso is the
 * last stable offset Kafka stores in the .txnindex entry of an aborted one: the first offset
 * of the earliest open transaction of another producer, else last + 1. */
struct pstate_txn_done {
	int64_t pid, first, last, lso;
	bool aborted;
};

/* The original batch a duplicate repeats. */
struct pstate_dup {
	int64_t first_offset, last_offset;
	int64_t timestamp;
};

struct pstate;

struct pstate *pstate_new(void);
void pstate_free(struct pstate *ps);
void pstate_clear(struct pstate *ps);
size_t pstate_count(const struct pstate *ps);
/* The entry of pid, NULL when unknown. Valid until the next update, removal or clear. */
const struct pstate_entry *pstate_find(const struct pstate *ps, int64_t pid);
/* Entry i in [0, pstate_count()) in no particular order (snapshots, DescribeProducers). */
const struct pstate_entry *pstate_at(const struct pstate *ps, size_t i);
/* Cached batch k (0 = oldest) of e; k < e->n. */
const struct pstate_batch *pstate_entry_batch(const struct pstate_entry *e, unsigned k);
/* The last sequence of a batch (Kafka's incrementSequence: wraps past INT32_MAX to 0). */
int32_t pstate_last_seq(int32_t base_seq, int32_t last_offset_delta);
/* First sequence of a cached batch. */
int32_t pstate_batch_first_seq(const struct pstate_batch *b);

/* Leader checks (above): KERR_NONE, PSTATE_DUPLICATE (*dup filled),
 * KERR_INVALID_PRODUCER_EPOCH or KERR_OUT_OF_ORDER_SEQUENCE_NUMBER. */
int pstate_check(const struct pstate *ps, const struct pstate_append *a, struct pstate_dup *dup);
/* Records an appended batch (leader after pstate_check, follower, recovery): a new epoch
 * forgets the cached batches; the oldest of PSTATE_MAX_BATCHES+1 goes. */
void pstate_update(struct pstate *ps, const struct pstate_append *a);
/* Leader checks of a marker (above): KERR_NONE, KERR_INVALID_PRODUCER_EPOCH or
 * KERR_TRANSACTION_COORDINATOR_FENCED. */
int pstate_check_marker(const struct pstate *ps, int64_t pid, int16_t epoch, int32_t coord_epoch);
/* Records an appended marker (leader, follower, recovery alike). Returns true with *done when
 * it closed an open transaction (which then counts as unreplicated until the HW passes its
 * marker), false when the producer had none (only epoch, coordinator epoch, timestamp move). */
bool pstate_end_txn(struct pstate *ps, const struct pstate_marker *m, struct pstate_txn_done *done);
/* Forgets completed transactions whose marker lies below hw, then returns the first unstable
 * offset: the smallest first offset of an open or unreplicated transaction, INT64_MAX when
 * there is none. */
int64_t pstate_first_unstable(struct pstate *ps, int64_t hw);
/* Open transactions (for tests and DescribeProducers-like views). */
size_t pstate_open_txns(const struct pstate *ps);
/* Removes producers idle for expiration_ms: now - last_ts >= expiration_ms, unless their
 * transaction is open. Returns how many. */
size_t pstate_expire(struct pstate *ps, int64_t now_ms, int64_t expiration_ms);

/* Snapshot bytes of the whole state (PSTATE_SNAP_HEADER + 46 * count), kb_malloc'ed. */
uint8_t *pstate_snapshot_encode(const struct pstate *ps, size_t *len);
/* Replaces the state with a snapshot's. Entries expired at now_ms (expiration_ms; <0: never)
 * are skipped. -1 (state cleared) when the version, length or CRC is wrong. */
int pstate_snapshot_decode(struct pstate *ps, const uint8_t *p, size_t len, int64_t now_ms,
                           int64_t expiration_ms);

#endif

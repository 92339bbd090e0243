/* pstate.h — per-partition producer state of idempotent producers (Kafka's
 * ProducerStateManager, without transactions): pure data and functions, no I/O.
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
 * Followers and recovery call pstate_update only (no checks), so every replica holds the same
 * state as its leader.
 *
 * Memory: one entry per producer id seen and not expired (Kafka has no cap on their number):
 * sizeof(struct pstate_entry) (144 bytes on LP64) plus an 8-byte slot of the hash index at a
 * load factor <= 1/2 (<= 16 bytes): at most 160 bytes per producer per partition.
 *
 * Snapshot (fact sheet §A6, Kafka's format, big-endian): version int16 = 1, CRC-32C of the rest,
 * int32 count, then 46-byte entries (pid, epoch, last seq, last offset, offset delta,
 * timestamp, coordinator epoch, txn first offset). Only the LAST batch of each producer is
 * kept, so after a reload only that batch is recognised as a duplicate (as in Kafka).
 */
#ifndef KB_LOG_PSTATE_H
#define KB_LOG_PSTATE_H

#include "../common/kb.h"

#define PSTATE_MAX_BATCHES 5
#define PSTATE_NO_EPOCH (-1)
#define PSTATE_NO_SEQ (-1)
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
	int32_t coord_epoch;             /* -1: no transaction markers yet (kept for snapshots) */
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
/* Removes producers idle for expiration_ms: now - last_ts >= expiration_ms. Returns how many. */
size_t pstate_expire(struct pstate *ps, int64_t now_ms, int64_t expiration_ms);

/* Snapshot bytes of the whole state (PSTATE_SNAP_HEADER + 46 * count), kb_malloc'ed. */
uint8_t *pstate_snapshot_encode(const struct pstate *ps, size_t *len);
/* Replaces the state with a snapshot's. Entries expired at now_ms (expiration_ms; <0: never)
 * are skipped. -1 (state cleared) when the version, length or CRC is wrong. */
int pstate_snapshot_decode(struct pstate *ps, const uint8_t *p, size_t len, int64_t now_ms,
                           int64_t expiration_ms);

#endif

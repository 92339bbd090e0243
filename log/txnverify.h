/* txnverify.h — a partition's KIP-890 verification entries (Kafka's VerificationStateEntry,
 * kept per partition x producer id by its ProducerStateManager).
 *
 * A leader that is about to append a producer's first transactional batch on a partition
 * (the producer has no open transaction there) first asks the transaction coordinator
 * whether the partition is in that producer's transaction (server/coordsvc/tverify.h). While
 * it waits, the partition keeps an entry for the producer:
 *   - a guard: a number unique within the table, returned by tverify_touch; the append
 *     carries it and must find it unchanged (tverify_check), else a marker cleared the entry
 *     in between (the transaction ended) → INVALID_TXN_STATE, nothing appended;
 *   - the lowest sequence seen since the entry was created, and the epoch: a touch with a
 *     higher epoch resets the lowest sequence, a lower epoch leaves the entry as it is;
 *     at append a batch whose base sequence is above the lowest seen →
 *     OUT_OF_ORDER_SEQUENCE_NUMBER (an earlier batch of the producer is still unverified);
 *     sequence -1 (TxnOffsetCommit: no sequence) skips that check;
 *   - the time of its last touch: entries untouched for producer.id.expiration.ms go
 *     (tverify_expire; Kafka's removeExpiredProducers does the same with the same setting).
 * A refreshed entry (touched again, same or higher epoch) keeps its guard, so every append
 * waiting on the same verification can proceed. The first transactional append of the
 * producer, or a COMMIT/ABORT marker for it, clears the entry (tverify_clear).
 * Limit: at most `max_entries` entries per table (kbroker.txn.verification.max.entries.per.
 * partition); a touch that would cross it after expiring old entries is refused.
 * Pure: no I/O, no clock (callers pass now_ms). Not thread-safe (the event loop owns it).
 */
#ifndef KB_LOG_TXNVERIFY_H
#define KB_LOG_TXNVERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tverify_entry {
	int64_t pid;
	uint64_t guard;
	int32_t lowest_seq;
	int16_t epoch;
	int64_t touched_ms;
};

struct tverify_table {
	struct tverify_entry *e;
	size_t n, cap;
	uint64_t next_guard;
};

void tverify_table_init(struct tverify_table *t);
void tverify_table_free(struct tverify_table *t);

/* Creates or refreshes pid's entry. Returns its guard (never 0), or 0 when the table is at
 * max_entries even after expiring entries older than expiration_ms (nothing changed). */
uint64_t tverify_touch(struct tverify_table *t, int64_t pid, int16_t epoch, int32_t seq,
                       int64_t now_ms, size_t max_entries, int64_t expiration_ms);
/* At append: KERR_NONE, KERR_INVALID_TXN_STATE (no entry, or its guard is not `guard`) or
 * KERR_OUT_OF_ORDER_SEQUENCE_NUMBER (seq >= 0 and above the lowest sequence seen). */
int16_t tverify_check(const struct tverify_table *t, int64_t pid, uint64_t guard, int32_t seq);
/* The entry of pid, NULL if none (valid until the next change). */
const struct tverify_entry *tverify_find(const struct tverify_table *t, int64_t pid);
/* Drops pid's entry (first transactional append, marker). */
void tverify_clear(struct tverify_table *t, int64_t pid);
/* Drops entries untouched for expiration_ms. Returns how many. */
size_t tverify_expire(struct tverify_table *t, int64_t now_ms, int64_t expiration_ms);

#endif

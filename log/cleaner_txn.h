/* cleaner_txn.h — the transactional side of one cleaning pass (log-internal; cleaner.c uses
 * it). Kafka 3.9's CleanedTransactionMetadata and "last batch of a live producer" rules,
 * C3-C5 of shared/reference/exactly-once-and-compaction.md:
 *
 *   - a data batch is ABORTED when it is transactional and its offset lies inside an aborted
 *     transaction of its producer ([first, marker) of a .txnindex entry): the key map skips
 *     it and the pass drops it whole; every other data batch (plain, or of a committed
 *     transaction) is compacted like plain data;
 *   - a COMMIT marker is needed (kept as it is) when a transactional batch of its producer
 *     was met earlier in this pass since that producer's previous COMMIT, else removable;
 *   - an ABORT marker is needed when batches of its aborted transaction were met (and
 *     dropped) in this pass; its .txnindex entry is then re-appended to the new segment,
 *     otherwise the entry goes and the marker is removable;
 *   - an empty control batch is removable; an unreadable one is kept as it is;
 *   - the last batch of a producer in the partition's producer state (a live one) is kept,
 *     empty when nothing of it survives: the batch holding its last data offset, or, when the
 *     state has no data batch for it, its control batches at its current epoch.
 * "Met in this pass" runs over every batch the pass reads, in offset order, from the log's
 * first cleanable segment on (not per segment group, unlike Kafka): a marker becomes
 * removable only once no batch of its transaction is left in the log, so replaying the log
 * from its start (recovery, a new follower, a coordinator reload) never sees a transaction
 * with data but no marker.
 *
 * Prepared on the loop (copies of the .txnindex entries and of the producer state); read on
 * the cleaner thread only through the job. Memory: 32 bytes per aborted transaction below the
 * cleanable end + 24 per live producer + 16 per producer met with transactional data.
 */
#ifndef KB_LOG_CLEANER_TXN_H
#define KB_LOG_CLEANER_TXN_H

#include "log_int.h"

struct ctx_live {
	int64_t pid;
	int64_t last_data; /* last offset of its last data batch, -1: none in the state */
	int16_t epoch;
};

struct clean_txn {
	struct txi_ent *ab; /* aborted transactions whose first offset is below the cleanable
	                     * end, ordered by (pid, first) */
	bool *ab_seen;      /* per entry: a batch of it was met in this pass */
	size_t nab;
	struct ctx_live *live; /* by pid */
	size_t nlive;
	int64_t *cset;      /* open addressing over pid + 1 (0: empty slot) of the producers
	                     * whose transactional data was met in this pass */
	bool *cseen;        /* per slot: met since that producer's last COMMIT */
	size_t ccap, cused;
};

enum ctx_verdict {
	CTX_DATA,             /* filter its records like any data batch */
	CTX_ABORTED,          /* aborted transaction's data: nothing of it is kept */
	CTX_MARKER_KEEP,      /* control batch kept as it is */
	CTX_MARKER_REMOVABLE, /* control batch: stamp a delete horizon, or drop once it passed */
};

/* On the loop: copies the .txnindex entries of every segment of l whose first offset is
 * < upto, and the live producers of l's producer state (linear; no sorting there). */
void clean_txn_prepare(struct clean_txn *t, const struct plog *l, int64_t upto);
/* On the cleaner thread, before any other use: orders the copies for lookups. */
void clean_txn_sort(struct clean_txn *t);
void clean_txn_free(struct clean_txn *t);
/* Whether the transactional data batch of pid starting at off belongs to an aborted
 * transaction (its entry's index in *idx when so). Stateless: the key map pass uses it. */
bool clean_txn_aborted(const struct clean_txn *t, int64_t pid, int64_t off, size_t *idx);
/* The cleaning pass, every batch in offset order: the verdict above. For a kept ABORT marker,
 * *reappend is its .txnindex entry (the new segment must carry it), else NULL. b is the whole
 * batch (size h->size). */
enum ctx_verdict clean_txn_read(struct clean_txn *t, const struct rb_hdr *h, const uint8_t *b,
                                const struct txi_ent **reappend);
/* Whether the batch is the last batch of a live producer (kept, empty if need be). */
bool clean_txn_live_last(const struct clean_txn *t, const struct rb_hdr *h);

#endif

/* tmarkers.h — the transaction marker channel: sends WriteTxnMarkers for the transaction
 * coordinators of this broker (Kafka's TransactionMarkerChannelManager).
 *
 * One job per tmarkers_send call (one transaction's markers). Its partitions are grouped by
 * their current leader (metadata cache); each leader gets WriteTxnMarkers (v1 when the peer
 * supports it, else v0) over one shared outbound connection per broker (peers.h, the
 * marker channel's pool; net/outclient.c),
 * several jobs' markers batched into one request where they are queued together.
 * Per-partition answers (exactly-once-and-compaction.md §B5):
 *   NONE                                          partition done;
 *   UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND),
 *   REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR, a lost connection or a timeout
 *                                                 retried (leader looked up again) after
 *                                                 TMARKERS_RETRY_BACKOFF_MS;
 *   UNSUPPORTED_FOR_MESSAGE_FORMAT, UNSUPPORTED_VERSION
 *                                                 partition dropped (done);
 *   INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED
 *                                                 the job ends with that error;
 *   anything else                                 logged, retried after the backoff.
 * A partition whose topic no longer exists in the metadata cache is dropped (done). A
 * partition with no leader now waits for one (retried).
 * When no partition is left the job ends: done(arg, txn_id, pid, epoch, KERR_NONE).
 * done is called exactly once per job unless the job is cancelled, never from inside
 * tmarkers_send, and may call tmarkers_send/tmarkers_cancel itself (not tmarkers_stop).
 *
 * Limits: one request carries at most KB_TMARKERS_MAX_PARTITIONS_PER_REQUEST partitions
 * (common/limits.h), one request in flight per destination; jobs are bounded by what the
 * coordinators create (one per transactional id with markers outstanding). Connections are
 * made on demand (the address is read from the metadata cache before every attempt) and
 * closed after a minute unused, or at once when lost while no marker waits for that broker.
 * The implementation's pure part is tmarkers_plan.h.
 * @thread event loop only.
 */
#ifndef KB_SERVER_TMARKERS_H
#define KB_SERVER_TMARKERS_H

#include "../../txn/txn.h"
#include "../core/broker.h"

#define TMARKERS_RETRY_BACKOFF_MS 100

typedef void (*tmarkers_done_fn)(void *arg, struct kp_str txn_id, int64_t pid, int16_t epoch,
                                 int16_t error);

/* Starts a job for m (copied). `owner` groups jobs for tmarkers_cancel (e.g. the coordinator
 * slot that sent them). */
void tmarkers_send(struct broker *b, const struct txn_markers *m, tmarkers_done_fn done,
                   void *arg, const void *owner);
/* Ends every job of owner without calling done (the coordinator unloaded). */
void tmarkers_cancel(struct broker *b, const void *owner);
/* Jobs still running (tests, metrics). */
size_t tmarkers_pending(struct broker *b);
/* Closes every connection and frees every job without calling done (broker shutdown). */
void tmarkers_stop(struct broker *b);

#endif

/* gsvc.h — the group coordinator service: group/'s pure state machine hosted by the broker,
 * on csvc (csvc.h: the hosting it shares with the transaction coordinator, tsvc.h).
 *
 * One struct group_coord per __consumer_offsets partition this broker leads:
 *   - created when the partition's role listener reports LEADER (a new leadership; a new
 *     epoch of a leadership it holds keeps the groups, as in Kafka), then loaded by replaying
 *     the partition from its log start to its log end, one
 *     offsets.load.buffer.size step per event-loop turn (requests for its groups get
 *     COORDINATOR_LOAD_IN_PROGRESS meanwhile);
 *   - freed on FOLLOWER or STOP: everything parked is answered NOT_COORDINATOR, appends in
 *     flight are forgotten (their waits end without telling the freed coordinator: each
 *     load has a generation number the wait checks);
 *   - its appends (offset commits, group metadata, tombstones) are one v2 batch each, appended
 *     as leader and acknowledged once the high watermark covers them
 *     (offsets.commit.required.acks -1, min.insync.replicas checked first) or after the local
 *     append (1), or failed after offsets.commit.timeout.ms — each wait parked in the
 *     purgatory on the partition's key;
 *   - its timers (session expiry, rebalance deadlines) run from one libevent timer per
 *     coordinator, re-armed after every call into it (gsvc_done);
 *   - offsets.retention.check.interval.ms: group_expire_offsets on every loaded coordinator;
 *   - TxnOffsetCommit batches are transactional (attributes 0x10, the producer's id and epoch,
 *     base sequence 0), appended as the coordinator: no idempotence check, an epoch below the
 *     partition's for the producer → INVALID_PRODUCER_EPOCH. The replay hands every batch's
 *     producer id and transactional/control attributes to group/ (group_load_record_in), so
 *     pending transactional offsets and their markers load as they were.
 *
 * __consumer_offsets is created by the first FindCoordinator that needs it (any broker
 * writes it, the controller elects leaders, as for auto-created topics), with
 * offsets.topic.num.partitions partitions, offsets.topic.replication.factor replicas
 * (COORDINATOR_NOT_AVAILABLE while fewer brokers are alive), cleanup.policy=compact,
 * segment.bytes=offsets.topic.segment.bytes, compression.type=producer.
 * @thread event loop only.
 */
#ifndef KB_SERVER_GSVC_H
#define KB_SERVER_GSVC_H

#include "../../group/group.h"
#include "../core/broker.h"

#define GSVC_TOPIC "__consumer_offsets"

/* Registers the role listener and the expiry timer (after pm_open). `answers` gives the
 * join_done, sync_done and commit_done functions every coordinator calls (their `arg` is
 * gsvc's own and must be ignored: the handle says everything); its other fields are ignored. */
void gsvc_start(struct broker *b, const struct group_io *answers);
/* Frees every coordinator (parked requests are answered NOT_COORDINATOR first). */
void gsvc_stop(struct broker *b);

/* The __consumer_offsets partition of a group: from the topic's partition count when it
 * exists, else offsets.topic.num.partitions (what it will be created with). */
int32_t gsvc_partition_for(struct broker *b, struct kp_str group_id);

/* The loaded coordinator of group_id on this broker: KERR_NONE with *out, or
 * COORDINATOR_LOAD_IN_PROGRESS (loading), NOT_COORDINATOR (another broker leads its
 * partition, or nobody), COORDINATOR_NOT_AVAILABLE (no __consumer_offsets yet). */
int16_t gsvc_coordinator(struct broker *b, struct kp_str group_id, struct group_coord **out);

/* FindCoordinator for a group: KERR_NONE with the leader's id in *node, or
 * COORDINATOR_NOT_AVAILABLE (topic being created, too few brokers, no leader yet).
 * Creates the topic when it does not exist. */
int16_t gsvc_find(struct broker *b, struct kp_str group_id, int32_t *node);

/* After every call into the coordinator of group_id: re-arms its timer. */
void gsvc_done(struct broker *b, struct kp_str group_id);

/* A COMMIT (commit true) or ABORT marker of producer `pid` on __consumer_offsets partition
 * `offsets_partition` is replicated (the WriteTxnMarkers handler calls this once the high
 * watermark covers the marker): the producer's pending transactional offsets there are
 * materialised or dropped (group_txn_complete). A partition whose coordinator is not loaded:
 * nothing (its replay reads the marker from the log). */
void gsvc_txn_complete(struct broker *b, int32_t offsets_partition, int64_t pid, bool commit);

/* Every loaded coordinator (ListGroups); fn must not free it. */
void gsvc_foreach(struct broker *b, void (*fn)(void *arg, struct group_coord *c), void *arg);
/* Whether a coordinator of this broker is still loading (ListGroups' error). */
bool gsvc_loading(struct broker *b);


#endif

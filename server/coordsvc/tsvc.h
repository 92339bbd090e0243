/* tsvc.h — the transaction coordinator service: txn/'s pure state machine hosted by the
 * broker, on csvc (csvc.h) as gsvc hosts group/.
 *
 * One struct txn_coord per __transaction_state partition this broker leads:
 *   - created on LEADER with coordinator_epoch = the partition's leader epoch (a new epoch of
 *     a leadership already held unloads and loads again, as Kafka's TransactionStateManager
 *     does), then the partition is replayed from its log start to its LOG END with
 *     txn_load_record, one transaction.state.log.load.buffer.size read per event-loop turn
 *     (COORDINATOR_LOAD_IN_PROGRESS meanwhile), then txn_load_done (which re-sends the markers
 *     of every PrepareCommit/PrepareAbort transaction);
 *   - freed on FOLLOWER or STOP: its marker jobs are cancelled (tmarkers_cancel, owner = the
 *     load), then txn_coord_free answers everything parked with NOT_COORDINATOR;
 *   - io.append: one v2 batch (uncompressed, producer id -1), acks=-1 after a min.insync
 *     check (min.insync.replicas of the topic = transaction.state.log.min.isr), answered
 *     through txn_append_done when the high watermark covers it or after the append timeout
 *     the state machine gives;
 *   - io.alloc_pid: the broker's producer-id blocks (server/core/pids.h pid_take; none at hand:
 *     COORDINATOR_LOAD_IN_PROGRESS, which clients retry, while a block is fetched);
 *   - io.partition_for_group: gsvc_partition_for; io.send_markers: tmarkers_send, whose done
 *     callback calls txn_markers_done if the same load still holds the slot;
 *   - one timer per coordinator from txn_next_deadline / txn_tick, re-armed by tsvc_done after
 *     every call into the coordinator from a handler.
 *
 * __transaction_state is created by the first FindCoordinator(key_type 1) that needs it, with
 * transaction.state.log.num.partitions partitions, .replication.factor replicas
 * (COORDINATOR_NOT_AVAILABLE while fewer brokers are alive), cleanup.policy=compact,
 * compression.type=uncompressed, min.insync.replicas=transaction.state.log.min.isr,
 * segment.bytes=transaction.state.log.segment.bytes.
 * @thread event loop only.
 */
#ifndef KB_SERVER_TSVC_H
#define KB_SERVER_TSVC_H

#include "../../txn/txn.h"
#include "../core/broker.h"

#define TSVC_TOPIC "__transaction_state"

/* Registers the role listener (after pm_open). `answers` gives init_done and txn_done (their
 * `arg` must be ignored: the handle says everything); its other fields are ignored. */
void tsvc_start(struct broker *b, const struct txn_io *answers);
/* Frees every coordinator (parked requests are answered NOT_COORDINATOR first). */
void tsvc_stop(struct broker *b);

/* The __transaction_state partition of a transactional id (Java String.hashCode, as
 * __consumer_offsets): from the topic's partition count when it exists, else
 * transaction.state.log.num.partitions. */
int32_t tsvc_partition_for(struct broker *b, struct kp_str txn_id);

/* The loaded coordinator of txn_id on this broker: KERR_NONE with *out, or
 * COORDINATOR_LOAD_IN_PROGRESS (loading), NOT_COORDINATOR (this broker does not lead its
 * partition: another does, or nobody, or __transaction_state does not exist yet, as Kafka
 * answers), COORDINATOR_NOT_AVAILABLE (the service is stopped). */
int16_t tsvc_coordinator(struct broker *b, struct kp_str txn_id, struct txn_coord **out);

/* FindCoordinator for a transactional id: KERR_NONE with the leader's id in *node, or
 * COORDINATOR_NOT_AVAILABLE (topic being created, too few brokers, no leader yet). */
int16_t tsvc_find(struct broker *b, struct kp_str txn_id, int32_t *node);

/* After every call into the coordinator of txn_id: re-arms its timer. */
void tsvc_done(struct broker *b, struct kp_str txn_id);

/* Every loaded coordinator (ListTransactions); fn must not free it. */
void tsvc_foreach(struct broker *b, void (*fn)(void *arg, struct txn_coord *c), void *arg);
/* Whether a coordinator of this broker is still loading. */
bool tsvc_loading(struct broker *b);

#endif

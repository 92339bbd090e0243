/* tverify.h — KIP-890 part 1, the partition leader's side of asking the transaction
 * coordinator (Kafka's AddPartitionsToTxnManager): is this producer's transaction open with
 * these partitions in it?
 *
 * tverify_ask(txn id, pid, epoch, partitions):
 *   - the coordinator is the leader of __transaction_state partition
 *     tsvc_partition_for(id) (metadata cache). When it is this broker, tsvc's coordinator is
 *     asked directly (txn_verify_partition, no network) and the answer is returned at once;
 *     while it loads: COORDINATOR_LOAD_IN_PROGRESS at once; no leader known or no such
 *     topic: COORDINATOR_NOT_AVAILABLE at once;
 *   - else the question is queued for that broker and sent as AddPartitionsToTxn v4-5 with
 *     VerifyOnly=true over the verification channel's connection (peers.h), questions queued
 *     together going in one request (at most KB_TXN_REQ_MAX_TRANSACTIONS transactions and
 *     KB_TXN_REQ_MAX_PARTITIONS partitions; one request in flight per broker). A question for
 *     a transactional id already queued for that broker (fact sheet §B9 step 3): a higher
 *     epoch answers the queued one INVALID_PRODUCER_EPOCH, the same epoch answers it
 *     NETWORK_EXCEPTION, a lower epoch gets INVALID_PRODUCER_EPOCH itself at once.
 *     Answers: the coordinator's per-partition codes; its top-level error, a lost connection
 *     or a timeout (TVERIFY_REQUEST_TIMEOUT_MS): that code for every partition
 *     (NETWORK_EXCEPTION for transport failures); a broker without v4:
 *     UNSUPPORTED_VERSION (the caller skips verification, as Kafka does).
 * Results are in the coordinator's terms (TRANSACTION_ABORTABLE, PRODUCER_FENCED, ...);
 * tverify_produce_error maps them for a Produce reply (§B9 step 5).
 * Limits: at most KB_TVERIFY_MAX_QUEUED questions queued or in flight per destination
 * broker; past it a question is answered COORDINATOR_NOT_AVAILABLE at once (retriable; a
 * Produce gets NOT_ENOUGH_REPLICAS).
 * @thread event loop only.
 */
#ifndef KB_SERVER_TVERIFY_H
#define KB_SERVER_TVERIFY_H

#include "../../txn/txn.h"
#include "../core/broker.h"

#define TVERIFY_REQUEST_TIMEOUT_MS 30000
#define TVERIFY_PENDING (-1000)

struct tverify_ticket;

/* Called once with the answer: top != KERR_NONE applies to every partition; else errs[i]
 * is partition i's (in the order asked). Never called from inside tverify_ask. */
typedef void (*tverify_done_fn)(void *arg, int16_t top, const int16_t *errs, int n);

/* Returns the top-level answer now (KERR_NONE: errs[0..n) filled) or TVERIFY_PENDING with
 * *ticket set: done(arg, ...) follows unless tverify_cancel(*ticket) comes first.
 * tps, txn_id are copied when queued. */
int tverify_ask(struct broker *b, struct kp_str txn_id, int64_t pid, int16_t epoch,
                const struct txn_tp *tps, int n, int16_t *errs, tverify_done_fn done,
                void *arg, struct tverify_ticket **ticket);
/* The asker is gone: done will not be called. */
void tverify_cancel(struct tverify_ticket *t);
/* Shutdown: frees everything without calling done. */
void tverify_stop(struct broker *b);

/* A verification answer as the Produce reply (version v) carries it; KERR_NONE for "go
 * ahead" — including UNSUPPORTED_VERSION (verification skipped). */
int16_t tverify_produce_error(int16_t err, int16_t produce_version);

#endif

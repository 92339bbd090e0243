/* api_produce_verify.h — KIP-890 part 1 for Produce (fact sheet §B9): before a producer's
 * first transactional batch on a partition is appended, the transaction coordinator is
 * asked whether the partition is in the producer's transaction (server/coordsvc/tverify.h).
 *
 * pverify_start runs before any append, when the request has a transactional_id and
 * transaction.partition.verification.enable is on:
 *   - transactional batches of more than one producer id: every partition gets
 *     INVALID_PRODUCER_ID_MAPPING (nothing appended);
 *   - each partition led here whose batch is transactional and whose producer has no open
 *     transaction on it gets its verification entry created or refreshed (log/txnverify.h;
 *     the table full: NOT_ENOUGH_REPLICAS for it) and is asked about, all in one question;
 *   - a local coordinator answers at once; otherwise the request is parked in the
 *     purgatory (watching its connection) until the answer, then `resume` runs the appends
 *     (partitions are looked up again: one no longer led here gets NOT_LEADER_OR_FOLLOWER).
 *     A parked request whose connection closes, or that waits TVERIFY_REQUEST_TIMEOUT_MS plus
 *     a margin, is answered REQUEST_TIMED_OUT for every partition, nothing appended (the
 *     verification's answer, when it comes, is dropped); shutdown drops it.
 * Answers become Produce errors through tverify_produce_error (Produce v11+ keeps
 * TRANSACTION_ABORTABLE; older versions get INVALID_TXN_STATE; coordinator trouble
 * NOT_ENOUGH_REPLICAS; PRODUCER_FENCED INVALID_PRODUCER_EPOCH; UNSUPPORTED_VERSION skips).
 * At append (pverify_check): a transactional batch of a producer with no open transaction
 * must find its entry with the guard it was verified under and a base sequence not above
 * the lowest seen, else INVALID_TXN_STATE / OUT_OF_ORDER_SEQUENCE_NUMBER; once appended the
 * entry is cleared (pverify_appended).
 * @thread event loop only.
 */
#ifndef KB_SERVER_API_PRODUCE_VERIFY_H
#define KB_SERVER_API_PRODUCE_VERIFY_H

#include "../../log/log.h"
#include "../core/dispatch.h"
#include "../replica/partition.h"

/* Per partition of the request, in request order (topic by topic). */
struct pverify {
	int n;
	int16_t all;        /* every partition's error, nothing appended (0: none) */
	int16_t *err;       /* an error decided before the append (0: none) */
	uint64_t *guard;    /* the verification guard (0: none) */
	bool *skip;         /* the coordinator cannot verify: append unchecked */
};

enum pverify_result { PV_READY, PV_PARKED, PV_CLOSE };

/* Continues the Produce once verified; returns what the handler would. */
typedef enum handler_result (*pverify_resume_fn)(struct kreq *r, const struct pverify *pv);

/* Verification for r (a ProduceRequest with its responses allocated; `total` partitions; a
 * partition whose response already carries an error, an authorization denial, is skipped).
 * PV_READY: *pv (NULL when verification does not apply) is ready for the appends now.
 * PV_PARKED: r is parked; resume(r, pv) runs later, its result finishing r.
 * PV_CLOSE: the request arena cannot hold the state: close, nothing appended. */
enum pverify_result pverify_start(struct kreq *r, int total, struct pverify **pv,
                                  pverify_resume_fn resume);

/* At append of batch `info` on p (partition i of the request): KERR_NONE or the error. */
int16_t pverify_check(const struct pverify *pv, int i, struct partition *p,
                      const struct batch_info *info);
/* After a successful append of `info` on p. */
void pverify_appended(struct partition *p, const struct batch_info *info);

#endif

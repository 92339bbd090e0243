/* api_ack.h — waiting for appends to be acknowledged: the one parked wait of Produce acks=-1
 * (and acks=1 with flush.messages) and of WriteTxnMarkers (whose control batches are appended
 * with acks=-1 semantics).
 *
 * Each item is one append on a partition led here: it settles when the partition is no longer
 * led here (NOT_LEADER_OR_FOLLOWER), or when the high watermark reaches `need` and the
 * recovery point `flushed` (then NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND when need >= 0 and
 * the ISR is below min.insync.replicas), or at the timeout (REQUEST_TIMED_OUT); a partition
 * being deleted settles its items with NOT_LEADER_OR_FOLLOWER. The outcome is written to
 * *err, and `settled` (may be NULL) is called for the item. Once every item is settled the
 * request is answered (kreq_finish H_RESPOND). The items array is kb_malloc'ed by the caller
 * and owned by the wait from ack_wait_park on.
 */
#ifndef KB_SERVER_API_ACK_H
#define KB_SERVER_API_ACK_H

#include "../core/dispatch.h"
#include "../replica/partition.h"

struct ack_item {
	struct partition *p;        /* NULL once settled */
	int64_t need;               /* HW that covers the append (acks=-1), else -1 */
	int64_t flushed;            /* recovery point that covers it (flush.messages), else -1 */
	int16_t *err;               /* where the outcome goes */
	void *ctx;                  /* the caller's, for `settled` */
	bool last;                  /* (the wait's) the request's last item for p */
};

typedef void (*ack_settled_fn)(struct kreq *r, const struct ack_item *it, int16_t err);

/* Whether an item is settled already (nothing to wait for): the HW and the recovery point
 * cover it. */
static inline bool ack_covered(const struct partition *p, int64_t need, int64_t flushed)
{
	return p->hw >= need && partition_flushed(p, flushed);
}

/* Parks r until every item settles (the handler then returns H_ASYNC). */
void ack_wait_park(struct kreq *r, struct ack_item *items, int n, int32_t timeout_ms,
                   ack_settled_fn settled);

#endif

/* api_markers.c — WriteTxnMarkers (key 27), the partition leader's side (fact sheet §B5): the
 * transaction coordinator asks each partition leader to end a producer's transaction.
 *
 * For every marker and partition: the partition must be led here (NOT_LEADER_OR_FOLLOWER; not
 * in the cluster: UNKNOWN_TOPIC_OR_PARTITION) with enough in-sync replicas
 * (NOT_ENOUGH_REPLICAS); the marker's producer epoch may not be below the producer's
 * (INVALID_PRODUCER_EPOCH) nor its coordinator epoch below the one of the producer's last
 * marker (TRANSACTION_COORDINATOR_FENCED). Then the 78-byte control batch (log/log.h
 * rb_marker_build: the leader's clock, baseSequence -1, the marker's producer id and epoch;
 * +0x08 on LogAppendTime topics) is appended as leader, which closes the producer's
 * transaction on the partition (log/pstate.h: the LSO moves once the HW passes the marker; an
 * ABORT is indexed in .txnindex), and the partition is answered once the high watermark covers
 * it, as Produce acks=-1 (api_ack.h: NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT after
 * KB_TXN_MARKER_ACK_TIMEOUT_MS). Kafka answers the same way: the coordinator retries the
 * retriable errors and stops at the fencing ones.
 *
 * A marker on __consumer_offsets-N, once replicated, completes the producer's pending
 * transactional offset commits there (offsets_txn_done below: the group side's
 * gsvc_txn_complete, built on another branch — see the MERGE note).
 *
 * Limits: at most KB_TXN_MARKERS_MAX markers and KB_TXN_MARKER_MAX_PARTITIONS partitions over
 * all markers of a request; past them every partition gets INVALID_REQUEST and nothing is
 * appended. Every response array is allocated before the first append (a request too large
 * to answer is closed with nothing appended). With an authorizer, CLUSTER_ACTION on the
 * cluster is required (else CLUSTER_AUTHORIZATION_FAILED for every partition, nothing
 * appended); without one any client may send it, as to a Kafka broker without an authorizer.
 */
#include "../../common/limits.h"
#include "../../net/kp_msgs.h"
#include "../coordsvc/gsvc.h"
#include "../replica/partition.h"
#include "api_ack.h"
#include "api_authz.h"

#include <string.h>

/* A marker on a group coordinator partition: what to complete once it is replicated. */
struct offsets_done {
	int32_t partition;
	int64_t producer_id;
	bool commit;
};

/* The producer's pending transactional offsets on __consumer_offsets-`partition` are
 * materialised (commit) or dropped (abort), after the marker is replicated (fact sheet §B6). */
static void offsets_txn_done(struct kreq *r, const struct offsets_done *d)
{
	gsvc_txn_complete(r->b, d->partition, d->producer_id, d->commit);
}

static void on_settled(struct kreq *r, const struct ack_item *it, int16_t err)
{
	if (err == KERR_NONE && it->ctx)
		offsets_txn_done(r, it->ctx);
}

static int16_t check_partition(struct kreq *r, struct kp_str topic, int32_t idx,
                               struct partition **out)
{
	struct partition *p = pm_find(r->b, topic, idx);
	*out = p;
	if (!p || !p->leader)
		return pm_topic_known(r->b, topic, idx) ? KERR_NOT_LEADER_OR_FOLLOWER
		                                        : KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (p->state.nisr < p->cfg.min_insync)
		return KERR_NOT_ENOUGH_REPLICAS;
	return 0;
}

/* Appends m's control batch to p as leader; *need: the HW that covers it. */
static int16_t append_marker(struct partition *p, const struct WritableTxnMarker *m,
                             int64_t *need)
{
	int rc = plog_marker_check(p->log, m->ProducerId, m->ProducerEpoch, m->CoordinatorEpoch);
	if (rc != KERR_NONE)
		return (int16_t)rc;
	uint8_t b[RB_MARKER_SIZE];
	int64_t now = kb_wall_ms(), base;
	rb_marker_build(b, m->ProducerId, m->ProducerEpoch, m->TransactionResult,
	                m->CoordinatorEpoch, now);
	struct batch_info info = {.records = 1, .last_offset_delta = 0, .max_timestamp = now,
	                          .base_timestamp = now, .attributes = 0x30,
	                          .producer_id = m->ProducerId, .producer_epoch = m->ProducerEpoch,
	                          .base_sequence = -1, .size = sizeof(b)};
	rc = partition_append(p, b, sizeof(b), &info, &base);
	if (rc != KERR_NONE)
		return (int16_t)rc;
	/* KIP-890: the transaction ended; a write still waiting for its verification must not
	 * start the next one unverified (its guard no longer matches: INVALID_TXN_STATE). */
	tverify_clear(&p->txnv, m->ProducerId);
	*need = base + 1;
	return 0;
}

/* Response arrays for every marker, topic and partition, before anything is appended.
 * Returns false when the arena is exhausted; *total counts the partitions. */
static bool alloc_responses(struct kreq *r, int64_t *total)
{
	const struct WriteTxnMarkersRequest *req = r->req;
	struct WriteTxnMarkersResponse *resp = r->resp;
	const struct WritableTxnMarker *in = req->Markers.elems;
	struct WritableTxnMarkerResult *out =
	        kreq_array(r, &resp->Markers, req->Markers.count, sizeof(*out));
	*total = 0;
	for (int m = 0; out && m < req->Markers.count; m++) {
		const struct WritableTxnMarkerTopic *ti = in[m].Topics.elems;
		out[m].ProducerId = in[m].ProducerId;
		struct WritableTxnMarkerTopicResult *to =
		        kreq_array(r, &out[m].Topics, in[m].Topics.count, sizeof(*to));
		if (!to)
			return false;
		for (int t = 0; t < in[m].Topics.count; t++) {
			to[t].Name = ti[t].Name;
			if (!kreq_array(r, &to[t].Partitions, ti[t].PartitionIndexes.count,
			                sizeof(struct WritableTxnMarkerPartitionResult)))
				return false;
			*total += ti[t].PartitionIndexes.count;
		}
	}
	return out != NULL;
}

static bool is_offsets_topic(struct kp_str topic)
{
	return topic.len == (int32_t)strlen(GSVC_TOPIC) &&
	       memcmp(topic.ptr, GSVC_TOPIC, strlen(GSVC_TOPIC)) == 0;
}

/* One partition of marker m: its error, and an item to wait for when not covered yet. */
static int16_t mark_one(struct kreq *r, const struct WritableTxnMarker *m, struct kp_str topic,
                        int32_t idx, struct ack_item *it)
{
	struct partition *p;
	int64_t need = -1;
	struct offsets_done *d = NULL; /* in the request's arena: lives as long as the wait */
	if (is_offsets_topic(topic)) {
		if (!(d = arena_alloc(&r->arena, sizeof(*d))))
			return KERR_UNKNOWN_SERVER_ERROR; /* nothing appended */
		*d = (struct offsets_done){idx, m->ProducerId, m->TransactionResult};
	}
	int16_t err = check_partition(r, topic, idx, &p);
	if (err == 0)
		err = append_marker(p, m, &need);
	if (err != 0)
		return err;
	*it = (struct ack_item){p, need, p->ack_flush_upto, NULL, d, false};
	return 0;
}

enum handler_result handle_write_txn_markers(struct kreq *r)
{
	const struct WriteTxnMarkersRequest *req = r->req;
	const struct WritableTxnMarker *in = req->Markers.elems;
	int64_t total;
	if (!alloc_responses(r, &total))
		return H_CLOSE;
	struct WritableTxnMarkerResult *out = ((struct WriteTxnMarkersResponse *)r->resp)->Markers.elems;
	bool over = req->Markers.count > KB_TXN_MARKERS_MAX || total > KB_TXN_MARKER_MAX_PARTITIONS;
	int16_t denied = az_cluster(r, ACL_OP_CLUSTER_ACTION); /* sent by brokers only */
	struct ack_item *items = NULL; /* markers the HW does not cover yet */
	int nitems = 0;
	for (int m = 0; m < req->Markers.count; m++) {
		const struct WritableTxnMarkerTopic *ti = in[m].Topics.elems;
		struct WritableTxnMarkerTopicResult *to = out[m].Topics.elems;
		for (int t = 0; t < in[m].Topics.count; t++) {
			const int32_t *idx = ti[t].PartitionIndexes.elems;
			struct WritableTxnMarkerPartitionResult *po = to[t].Partitions.elems;
			for (int k = 0; k < ti[t].PartitionIndexes.count; k++) {
				struct ack_item it;
				po[k].PartitionIndex = idx[k];
				po[k].ErrorCode = over     ? KERR_INVALID_REQUEST
				                  : denied ? denied
				                           : mark_one(r, &in[m], ti[t].Name, idx[k], &it);
				if (over || po[k].ErrorCode != 0)
					continue;
				it.err = &po[k].ErrorCode;
				if (ack_covered(it.p, it.need, it.flushed)) { /* e.g. an ISR of one */
					on_settled(r, &it, KERR_NONE);
					continue;
				}
				if (!items)
					items = kb_calloc((size_t)total, sizeof(*items));
				items[nitems++] = it;
			}
		}
	}
	if (!items)
		return H_RESPOND;
	ack_wait_park(r, items, nitems, KB_TXN_MARKER_ACK_TIMEOUT_MS, on_settled);
	return H_ASYNC;
}

/* api_produce.c — Produce (key 0).
 *
 * Per partition: leadership check → batch validation on the 61-byte header and CRC (no
 * per-record work) → append, whole or not at all. acks=0 gets no answer (and any error closes
 * the connection, the only signal such a producer gets); acks=1 is answered after the local
 * append; acks=-1 first requires min.insync.replicas in-sync replicas, then waits until the
 * high watermark covers every appended batch, or the request's timeout, parked in the
 * purgatory on the partitions it waits for. An append that reaches the topic's
 * flush.messages is acknowledged (acks 1 or -1) only once its fsync completed, as Kafka, whose
 * append flushes before it returns. Every response array is allocated before the first
 * append: a request too large to answer is closed with nothing appended or parked.
 *
 * Authorization (api_authz.h), before any verification or append: WRITE on each topic, once
 * per topic; a denied topic's partitions get TOPIC_AUTHORIZATION_FAILED, the rest proceed.
 * Idempotent batches need no IDEMPOTENT_WRITE (Kafka 3.x, KIP-679: InitProducerId checks it).
 *
 * Idempotent batches (producerId >= 0) get Kafka 3.9's checks from the batch header alone
 * (log/pstate.h): a retry of one of the producer's last 5 batches is answered with the
 * original offsets and appends nothing; a sequence gap or a stale epoch gets its error. Other
 * batches skip all of it.
 *
 * Transactional batches (attribute 0x10) are taken only from a request that carries a
 * transactional_id the principal may WRITE: otherwise every partition of the request gets
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED and nothing is appended (Kafka's KafkaApis). They
 * need a producer id and get the idempotent checks plus INVALID_TXN_STATE for a plain batch inside the producer's open transaction; the
 * first one opens the producer's transaction on the partition (log/pstate.h: it holds the last
 * stable offset until its marker, see api_markers.c). Control batches from clients are
 * refused by batch_validate (INVALID_RECORD).
 * KIP-890 part 1 (fact sheet §B9; api_produce_verify.h): with
 * transaction.partition.verification.enable, a producer's first transactional batch on a
 * partition is appended only once the transaction coordinator confirmed the partition is in
 * its transaction; the request may wait parked for that answer before any append.
 */
#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../log/compress.h"
#include "../../log/legacy.h"
#include "../../log/pstate.h"
#include "../../log/records.h"
#include "../../coord/md.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"
#include "../core/purgatory.h"
#include "../replica/partition.h"
#include "api_ack.h"
#include "api_authz.h"
#include "api_produce_verify.h"

#include <string.h>


/* What an acknowledgement waits for: the high watermark (acks=-1) reaching `hw`, and the
 * recovery point reaching `flushed` (flush.messages; -1: nothing to wait for). */
struct ack_need {
	int64_t hw, flushed;
};

/* One partition's append: its request, its verification state (pv may be NULL) and index. */
struct pslot {
	struct kreq *r;
	const struct pverify *pv;
	int i;
};

static int16_t append_batch(const struct pslot *ps, struct partition *p, struct kp_bytes rec,
                            struct PartitionProduceResponse *out, struct ack_need *need);

#define RB_ATTR_TXN 0x10 /* transactional (kafka-protocol.md §4.1) */

static uint8_t magic_of(struct kp_bytes rec)
{
	return rec.len > RB_MAGIC ? rec.ptr[RB_MAGIC] : 0xff;
}

/* Kafka's hasTransactionalRecords: a magic-2 batch with the transactional bit (Produce v3+
 * carries one batch per partition; a v0-2 message set has no such bit). */
static bool has_txn_records(const struct ProduceRequest *req)
{
	const struct TopicProduceData *in = req->TopicData.elems;
	for (int t = 0; t < req->TopicData.count; t++) {
		const struct PartitionProduceData *pd = in[t].PartitionData.elems;
		for (int k = 0; k < in[t].PartitionData.count; k++) {
			struct kp_bytes rec = pd[k].Records;
			if (rec.len > RB_ATTRIBUTES + 1 && magic_of(rec) == 2 &&
			    (rec.ptr[RB_ATTRIBUTES + 1] & RB_ATTR_TXN))
				return true;
		}
	}
	return false;
}

/* The batch to append: as sent, or converted from a legacy message set (Produce v0-2 with
 * magic 0/1), or recompressed for a topic whose compression.type is not "producer". Returns
 * a Kafka error; *heap is set when *rec now points at memory the caller frees. The costs of
 * conversion fall only on the clients and topics that need it. */
static int16_t prepare_batch(struct kreq *r, struct partition *p, struct kp_bytes *rec,
                             uint8_t **heap)
{
	size_t cap = (size_t)p->cfg.log.max_message_bytes * 2 + (1 << 20);
	uint8_t *out = NULL;
	size_t out_len = 0;
	*heap = NULL;
	if (magic_of(*rec) < 2) {
		int err = 0;
		if (r->version >= 3)
			return KERR_INVALID_RECORD; /* Produce v3+ carries magic 2 only */
		if (rc_legacy_to_v2(rec->ptr, (size_t)rec->len, kb_wall_ms(), cap, &out, &out_len,
		                    &err) < 0)
			return (int16_t)(err ? err : KERR_CORRUPT_MESSAGE);
		*rec = (struct kp_bytes){out, (int32_t)out_len, NULL};
		*heap = out;
	}
	int codec = rec->len > RB_ATTRIBUTES + 1 ? rec->ptr[RB_ATTRIBUTES + 1] & 0x7 : 0;
	if (p->cfg.compression >= 0 && codec != p->cfg.compression) {
		int rc = rc_batch_recompress(rec->ptr, (size_t)rec->len, p->cfg.compression, cap, &out,
		                             &out_len);
		if (rc != RC_OK)
			return (int16_t)rc_err_to_kafka(rc);
		kb_free(*heap);
		*rec = (struct kp_bytes){out, (int32_t)out_len, NULL};
		*heap = out;
	}
	return 0;
}

/* Validates and appends one partition's records. Returns a Kafka error code; on success
 * *need is the high watermark that covers the records (acks=-1). */
static int16_t produce_one(const struct pslot *ps, struct partition *p, struct kp_bytes rec,
                           struct PartitionProduceResponse *out, struct ack_need *need)
{
	struct kreq *r = ps->r;
	if (rec.len <= 0)
		return KERR_CORRUPT_MESSAGE;
	uint8_t *heap;
	int16_t err = prepare_batch(r, p, &rec, &heap);
	if (err == 0)
		err = append_batch(ps, p, rec, out, need);
	kb_free(heap);
	return err;
}

/* A compacted topic takes only records with keys (Kafka's LogValidator): every record of the
 * batch is looked at (decompressed when needed), for compacted topics only. */
static int16_t check_keys(const struct partition *p, struct kp_bytes rec)
{
	struct rc_iter it;
	struct rc_record rr;
	size_t cap = (size_t)p->cfg.log.max_message_bytes * 2 + (1 << 20);
	int rc = rc_iter_init(&it, rec.ptr, (size_t)rec.len, cap);
	if (rc != RC_OK)
		return (int16_t)rc_err_to_kafka(rc);
	int16_t err = 0;
	while ((rc = rc_iter_next(&it, &rr)) == 1)
		if (rr.key_len < 0)
			err = KERR_INVALID_RECORD;
	if (rc < 0)
		err = (int16_t)rc_err_to_kafka(rc);
	rc_iter_free(&it);
	return err;
}

static int16_t append_batch(const struct pslot *ps, struct partition *p, struct kp_bytes rec,
                            struct PartitionProduceResponse *out, struct ack_need *need)
{
	struct kreq *r = ps->r;
	struct batch_info info;
	int rc = batch_validate(rec.ptr, (size_t)rec.len, p->cfg.log.max_message_bytes, &info);
	if (rc != KERR_NONE)
		return (int16_t)rc;
	if ((int64_t)rec.len > p->cfg.log.segment_bytes)
		return KERR_RECORD_LIST_TOO_LARGE; /* no segment could hold it (Kafka's check) */
	if ((info.attributes & 0x7) == 4 && r->version < 7)
		return KERR_UNSUPPORTED_COMPRESSION_TYPE; /* zstd needs Produce v7+ */
	if ((info.attributes & RB_ATTR_TXN) && info.producer_id < 0)
		return KERR_INVALID_RECORD; /* a transaction needs a producer id */
	if (p->compact && (rc = check_keys(p, rec)) != 0)
		return (int16_t)rc;
	int64_t now = kb_wall_ms();
	if (!(info.attributes & 0x8) && !p->cfg.log.message_timestamp_log_append &&
	    ((p->cfg.ts_after_max_ms < INT64_MAX / 2 &&
	      info.max_timestamp > now + p->cfg.ts_after_max_ms) ||
	     (p->cfg.ts_before_max_ms < INT64_MAX / 2 &&
	      info.base_timestamp < now - p->cfg.ts_before_max_ms)))
		return KERR_INVALID_TIMESTAMP;
	if (info.producer_id >= 0 && info.base_sequence < 0)
		return KERR_INVALID_RECORD; /* a producer id needs a sequence (LogValidator) */
	struct pstate_dup dup;
	rc = plog_producer_check(p->log, &info, &dup);
	if (rc == PSTATE_DUPLICATE) { /* a retry: the original offsets, nothing appended */
		out->BaseOffset = dup.first_offset;
		out->LogAppendTimeMs = dup.timestamp;
		out->LogStartOffset = plog_start_offset(p->log);
		need->hw = dup.last_offset + 1;
		/* The original append may still wait for its flush: so does its retry. */
		need->flushed = p->flush_wanted >= 0 ? need->hw : -1;
		return 0;
	}
	if (rc != KERR_NONE)
		return (int16_t)rc;
	if ((rc = pverify_check(ps->pv, ps->i, p, &info)) != KERR_NONE)
		return (int16_t)rc;
	int64_t base;
	/* The frame (or the converted copy) is ours: the batch is stamped in place. */
	rc = partition_append(p, (uint8_t *)rec.ptr, (size_t)rec.len, &info, &base);
	if (rc != KERR_NONE)
		return (int16_t)rc;
	pverify_appended(p, &info);
	out->BaseOffset = base;
	out->LogAppendTimeMs = p->cfg.log.message_timestamp_log_append ? now : -1;
	out->LogStartOffset = plog_start_offset(p->log);
	need->hw = plog_end_offset(p->log);
	need->flushed = p->ack_flush_upto;
	return 0;
}

/* ---- The handler ---------------------------------------------------------------------------- */

static int16_t check_partition(struct kreq *r, struct kp_str topic, int32_t idx,
                               struct partition **out)
{
	const struct ProduceRequest *req = r->req;
	struct partition *p = pm_find(r->b, topic, idx);
	*out = p;
	if (req->Acks != 0 && req->Acks != 1 && req->Acks != -1)
		return KERR_INVALID_REQUIRED_ACKS;
	bool known = pm_topic_known(r->b, topic, idx);
	if (known && md_topic_internal(topic.ptr, (size_t)KB_MAX(topic.len, 0)) &&
	    !kp_str_eq_c(r->hdr.ClientId, "__admin_client"))
		return KERR_INVALID_TOPIC_EXCEPTION; /* Kafka: "Cannot append to internal topic" */
	if (!p || !p->leader)
		return known ? KERR_NOT_LEADER_OR_FOLLOWER : KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (req->Acks == -1 && p->state.nisr < p->cfg.min_insync)
		return KERR_NOT_ENOUGH_REPLICAS;
	return 0;
}

/* Every response array first: a request whose response does not fit the arena is closed
 * before anything of it is appended or parked. The authorization errors are decided here:
 * `txn_denied` (the transactional id may not WRITE) marks every partition, else each topic
 * without WRITE marks its partitions; produce_run keeps an error found in place. */
static bool alloc_responses(struct kreq *r, bool txn_denied, int *total)
{
	const struct ProduceRequest *req = r->req;
	struct ProduceResponse *resp = r->resp;
	const struct TopicProduceData *in = req->TopicData.elems;
	struct TopicProduceResponse *out =
	        kreq_array(r, &resp->Responses, req->TopicData.count, sizeof(*out));
	*total = 0;
	for (int t = 0; out && t < req->TopicData.count; t++) {
		out[t].Name = in[t].Name;
		struct PartitionProduceResponse *po =
		        kreq_array(r, &out[t].PartitionResponses, in[t].PartitionData.count,
		                   sizeof(struct PartitionProduceResponse));
		if (!po)
			return false;
		int16_t err = txn_denied ? KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED
		                         : az_topic(r, ACL_OP_WRITE, in[t].Name);
		for (int k = 0; err && k < in[t].PartitionData.count; k++)
			po[k].ErrorCode = err;
		*total += in[t].PartitionData.count;
	}
	return out != NULL;
}

/* Transactional records with a transactional id the principal may not WRITE: the whole
 * request fails (a null id is refused in produce_run). */
static bool txn_id_denied(struct kreq *r)
{
	const struct ProduceRequest *req = r->req;
	return r->version >= 3 && req->TransactionalId.len >= 0 && authz_enabled(r->b) &&
	       has_txn_records(req) && az_txn(r, ACL_OP_WRITE, req->TransactionalId) != 0;
}

/* The appends, once any verification is answered (pv may be NULL). */
static enum handler_result produce_run(struct kreq *r, const struct pverify *pv)
{
	const struct ProduceRequest *req = r->req;
	struct ProduceResponse *resp = r->resp;
	const struct TopicProduceData *in = req->TopicData.elems;
	int total = pv ? pv->n : 0;
	for (int t = 0; !pv && t < req->TopicData.count; t++)
		total += in[t].PartitionData.count;
	struct TopicProduceResponse *out = resp->Responses.elems;
	struct ack_item *items = NULL; /* acks=-1 batches the HW does not cover yet */
	int nitems = 0, i = 0;
	bool failed = false;
	/* Trap 11: transactional records need a transactional id, for the whole request. */
	int16_t all_err = r->version >= 3 && req->TransactionalId.len < 0 && has_txn_records(req)
	                          ? KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED : 0;
	if (pv && pv->all)
		all_err = pv->all;
	for (int t = 0; t < req->TopicData.count; t++) {
		const struct PartitionProduceData *pd = in[t].PartitionData.elems;
		struct PartitionProduceResponse *po = out[t].PartitionResponses.elems;
		for (int k = 0; k < in[t].PartitionData.count; k++, i++) {
			struct partition *p;
			int16_t denied = po[k].ErrorCode; /* authorization, alloc_responses */
			po[k] = (struct PartitionProduceResponse){
			        .Index = pd[k].Index, .BaseOffset = -1, .LogAppendTimeMs = -1,
			        .LogStartOffset = -1, .ErrorMessage = KP_STR_NULL,
			        .CurrentLeader = {-1, -1}};
			struct ack_need need = {-1, -1};
			struct pslot ps = {r, pv, i};
			int16_t err = all_err  ? all_err
			              : denied ? denied
			                       : check_partition(r, in[t].Name, pd[k].Index, &p);
			if (err == 0 && pv && pv->err[i])
				err = pv->err[i];
			if (err == 0)
				err = produce_one(&ps, p, pd[k].Records, &po[k], &need);
			po[k].ErrorCode = err;
			failed |= err != 0;
			if (req->Acks != -1)
				need.hw = -1;
			if (err == 0 && req->Acks != 0 && !ack_covered(p, need.hw, need.flushed)) {
				if (!items)
					items = kb_calloc((size_t)total, sizeof(*items));
				items[nitems++] = (struct ack_item){p, need.hw, need.flushed, &po[k].ErrorCode,
				                                   NULL, false};
			}
		}
	}
	if (req->Acks == 0) /* no answer; an error closes the connection (Kafka's signal) */
		return failed ? H_CLOSE : H_NO_RESPONSE;
	if (!items)
		return H_RESPOND;
	/* Parked only now, on the one path that returns H_ASYNC (issue 8: a request parked
	 * before an H_CLOSE was freed by dispatch and then used by the next HW wake). */
	ack_wait_park(r, items, nitems, req->Acks == -1 ? req->TimeoutMs : KB_FLUSH_ACK_WAIT_MS,
	              NULL);
	return H_ASYNC;
}

enum handler_result handle_produce(struct kreq *r)
{
	int total;
	bool txn_denied = txn_id_denied(r);
	if (!alloc_responses(r, txn_denied, &total))
		return H_CLOSE;
	if (txn_denied) /* nothing to verify or append */
		return produce_run(r, NULL);
	struct pverify *pv;
	switch (pverify_start(r, total, &pv, produce_run)) {
	case PV_PARKED:
		return H_ASYNC;
	case PV_CLOSE:
		return H_CLOSE;
	default:
		return produce_run(r, pv);
	}
}

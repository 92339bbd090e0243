/* api_produce.c — Produce (key 0).
 *
 * Per partition: leadership check → batch validation on the 61-byte header and CRC (no
 * per-record work) → append, whole or not at all. acks=0 gets no answer (and any error closes
 * the connection, the only signal such a producer gets); acks=1 is answered after the local
 * append; acks=-1 first requires min.insync.replicas in-sync replicas, then waits until the
 * high watermark covers every appended batch, or the request's timeout.
 */
#include "../../common/say.h"
#include "../../log/compress.h"
#include "../../log/legacy.h"
#include "../../log/records.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"
#include "../replica/partition.h"

#include <event2/event.h>
#include <string.h>


static int16_t append_batch(struct kreq *r, struct partition *p, struct kp_bytes rec,
                            struct PartitionProduceResponse *out);

static uint8_t magic_of(struct kp_bytes rec)
{
	return rec.len > RB_MAGIC ? rec.ptr[RB_MAGIC] : 0xff;
}

/* The batch to append: as sent, or converted from a legacy message set (Produce v0-2 with
 * magic 0/1), or recompressed for a topic whose compression.type is not "producer". Returns
 * a Kafka error; *heap is set when *rec now points at memory the caller frees. The costs of
 * conversion fall only on the clients and topics that need it. */
static int16_t prepare_batch(struct kreq *r, struct partition *p, struct kp_bytes *rec,
                             uint8_t **heap)
{
	size_t cap = (size_t)p->lcfg.max_message_bytes * 2 + (1 << 20);
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
	if (p->compression >= 0 && codec != p->compression) {
		int rc = rc_batch_recompress(rec->ptr, (size_t)rec->len, p->compression, cap, &out,
		                             &out_len);
		if (rc != RC_OK)
			return (int16_t)rc_err_to_kafka(rc);
		kb_free(*heap);
		*rec = (struct kp_bytes){out, (int32_t)out_len, NULL};
		*heap = out;
	}
	return 0;
}

/* Validates and appends one partition's records. Returns a Kafka error code. */
static int16_t produce_one(struct kreq *r, struct partition *p, struct kp_bytes rec,
                           struct PartitionProduceResponse *out)
{
	if (rec.len <= 0)
		return KERR_CORRUPT_MESSAGE;
	uint8_t *heap;
	int16_t err = prepare_batch(r, p, &rec, &heap);
	if (err == 0)
		err = append_batch(r, p, rec, out);
	kb_free(heap);
	return err;
}

/* A compacted topic takes only records with keys (Kafka's LogValidator): every record of the
 * batch is looked at (decompressed when needed), for compacted topics only. */
static int16_t check_keys(const struct partition *p, struct kp_bytes rec)
{
	struct rc_iter it;
	struct rc_record rr;
	size_t cap = (size_t)p->lcfg.max_message_bytes * 2 + (1 << 20);
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

static int16_t append_batch(struct kreq *r, struct partition *p, struct kp_bytes rec,
                            struct PartitionProduceResponse *out)
{
	struct batch_info info;
	int rc = batch_validate(rec.ptr, (size_t)rec.len, p->lcfg.max_message_bytes, &info);
	if (rc != KERR_NONE)
		return (int16_t)rc;
	if ((info.attributes & 0x7) == 4 && r->version < 7)
		return KERR_UNSUPPORTED_COMPRESSION_TYPE; /* zstd needs Produce v7+ */
	if (info.attributes & 0x10)
		return KERR_INVALID_RECORD; /* transactional batches: no transaction support */
	if (p->compact && (rc = check_keys(p, rec)) != 0)
		return (int16_t)rc;
	int64_t now = kb_wall_ms();
	if (!(info.attributes & 0x8) && !p->lcfg.message_timestamp_log_append &&
	    p->ts_diff_max_ms < INT64_MAX / 2 &&
	    (info.max_timestamp > now + p->ts_diff_max_ms ||
	     info.base_timestamp < now - p->ts_diff_max_ms))
		return KERR_INVALID_TIMESTAMP;
	int64_t base;
	/* The frame (or the converted copy) is ours: the batch is stamped in place. */
	rc = partition_append(p, (uint8_t *)rec.ptr, (size_t)rec.len, &info, &base);
	if (rc != KERR_NONE)
		return (int16_t)rc;
	out->BaseOffset = base;
	out->LogAppendTimeMs = p->lcfg.message_timestamp_log_append ? now : -1;
	out->LogStartOffset = plog_start_offset(p->log);
	return 0;
}

/* ---- acks=-1: waiting for the high watermark ------------------------------------------------ */

struct pwait_item {
	struct partition *p;        /* NULL once settled */
	int64_t need;               /* HW that covers the batch */
	struct PartitionProduceResponse *out;
};

struct produce_wait {
	struct delayed d;           /* first: the partitions' waiter lists point here */
	struct kreq *r;
	struct pwait_item *items;
	int n;
	struct event *timer, *recheck;
};

static void pwait_release(struct produce_wait *w)
{
	for (int i = 0; i < w->n; i++)
		if (w->items[i].p)
			partition_remove_waiter(w->items[i].p, &w->d);
	delayed_unregister(w->r->b, &w->d);
	event_free(w->timer);
	event_free(w->recheck);
	kb_free(w->items);
	kb_free(w);
}

/* Settles what can be settled; answers when everything is. */
static void pwait_check(struct produce_wait *w, bool timed_out)
{
	bool all = true;
	for (int i = 0; i < w->n; i++) {
		struct pwait_item *it = &w->items[i];
		if (!it->p)
			continue;
		int16_t err = -1;
		if (!it->p->leader)
			err = KERR_NOT_LEADER_OR_FOLLOWER;
		else if (it->p->hw >= it->need)
			err = it->p->nisr < it->p->min_insync ? KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND : 0;
		else if (timed_out)
			err = KERR_REQUEST_TIMED_OUT;
		if (err < 0) {
			all = false;
			continue;
		}
		it->out->ErrorCode = err;
		partition_remove_waiter(it->p, &w->d);
		it->p = NULL;
	}
	if (!all)
		return;
	struct kreq *r = w->r;
	pwait_release(w);
	kreq_finish(r, H_RESPOND);
}

static void pwait_recheck_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	pwait_check(arg, false);
}

static void pwait_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	pwait_check(arg, true);
}

static void pwait_wake(struct delayed *d)
{
	event_active(((struct produce_wait *)d)->recheck, 0, 0);
}

static void pwait_forget(struct delayed *d, struct partition *p)
{
	struct produce_wait *w = (struct produce_wait *)d;
	for (int i = 0; i < w->n; i++)
		if (w->items[i].p == p) {
			w->items[i].out->ErrorCode = KERR_NOT_LEADER_OR_FOLLOWER;
			w->items[i].p = NULL;
		}
	partition_remove_waiter(p, d);
	event_active(w->recheck, 0, 0);
}

static void pwait_drop(struct delayed *d)
{
	struct produce_wait *w = (struct produce_wait *)d;
	struct kreq *r = w->r;
	pwait_release(w);
	kreq_drop(r);
}

static struct produce_wait *pwait_new(struct kreq *r, int n)
{
	struct produce_wait *w = kb_calloc(1, sizeof(*w));
	w->d = (struct delayed){.wake = pwait_wake, .forget = pwait_forget, .drop = pwait_drop};
	w->r = r;
	w->items = kb_calloc((size_t)n + 1, sizeof(*w->items));
	w->timer = evtimer_new(r->b->base, pwait_timeout_cb, w);
	w->recheck = event_new(r->b->base, -1, 0, pwait_recheck_cb, w);
	delayed_register(r->b, &w->d);
	return w;
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
	if (!p || !p->leader)
		return pm_topic_known(r->b, topic, idx) ? KERR_NOT_LEADER_OR_FOLLOWER
		                                        : KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (req->Acks == -1 && p->nisr < p->min_insync)
		return KERR_NOT_ENOUGH_REPLICAS;
	return 0;
}

enum handler_result handle_produce(struct kreq *r)
{
	const struct ProduceRequest *req = r->req;
	struct ProduceResponse *resp = r->resp;
	const struct TopicProduceData *in = req->TopicData.elems;
	struct TopicProduceResponse *out =
	        kreq_array(r, &resp->Responses, req->TopicData.count, sizeof(*out));
	int total = 0;
	for (int t = 0; out && t < req->TopicData.count; t++)
		total += in[t].PartitionData.count;
	struct produce_wait *w = NULL;
	bool failed = false;
	for (int t = 0; out && t < req->TopicData.count; t++) {
		const struct PartitionProduceData *pd = in[t].PartitionData.elems;
		out[t].Name = in[t].Name;
		struct PartitionProduceResponse *po =
		        kreq_array(r, &out[t].PartitionResponses, in[t].PartitionData.count, sizeof(*po));
		if (!po)
			return H_CLOSE;
		for (int k = 0; k < in[t].PartitionData.count; k++) {
			struct partition *p;
			po[k] = (struct PartitionProduceResponse){
			        .Index = pd[k].Index, .BaseOffset = -1, .LogAppendTimeMs = -1,
			        .LogStartOffset = -1, .ErrorMessage = KP_STR_NULL,
			        .CurrentLeader = {-1, -1}};
			int16_t err = check_partition(r, in[t].Name, pd[k].Index, &p);
			if (err == 0)
				err = produce_one(r, p, pd[k].Records, &po[k]);
			po[k].ErrorCode = err;
			failed |= err != 0;
			if (err == 0 && req->Acks == -1 && p->hw < plog_end_offset(p->log)) {
				if (!w)
					w = pwait_new(r, total);
				w->items[w->n++] = (struct pwait_item){p, plog_end_offset(p->log), &po[k]};
				partition_add_waiter(p, &w->d);
			}
		}
	}
	if (!out)
		return H_CLOSE;
	if (req->Acks == 0) /* no answer; an error closes the connection (Kafka's signal) */
		return failed ? H_CLOSE : H_NO_RESPONSE;
	if (!w)
		return H_RESPOND;
	struct timeval tv = {req->TimeoutMs / 1000, (req->TimeoutMs % 1000) * 1000};
	evtimer_add(w->timer, &tv);
	return H_ASYNC;
}

/* api_fetch.c — Fetch (key 1).
 *
 * Reads are file ranges of whole batches, sent from the segment files with sendfile: no
 * record is looked at or copied. Consumers read below the high watermark, followers
 * (replica_id >= 0) up to the log end; a follower's fetch offset tells the leader its
 * progress (server/replica.c). The first partition with data may exceed max_bytes so
 * that a large batch never blocks a consumer (KIP-74). When fewer than min_bytes are
 * available, the request parks on its partitions (max_wait_ms) and is woken by appends and
 * high-watermark moves, not by polling. Fetch sessions are not kept: the answer always
 * carries session id 0, which tells clients to send full requests (KIP-227).
 *
 * Isolation (v4+, fact sheet §B7). read_uncommitted consumers read below the HW and get a null
 * AbortedTransactions list; read_committed ones (isolation_level 1) read whole batches below
 * the last stable offset (the sendfile range ends at the LSO's byte position) and get the
 * aborted transactions overlapping what they read (log.h plog_aborted_txns: from the fetch
 * offset to the offset after the range), an empty list when nothing is read. LastStableOffset
 * is the LSO for both. A parked read_committed fetch is re-tried on the same wakes (appends, HW
 * moves): the LSO moves only with the HW or an append.
 *
 * Fetch from the closest replica (KIP-392, as Kafka 3.9's ReplicaManager). A consumer's Fetch
 * v11+ (the version that carries RackId) may go to a follower: it is served from the
 * follower's log with the same rules (epoch checks against the epoch the follower knows,
 * OFFSET_OUT_OF_RANGE past its log end with its HW in the answer, records below its HW or, for
 * read_committed, its LSO: the follower keeps transaction state too), whatever
 * replica.selector.class says; older versions get NOT_LEADER_OR_FOLLOWER there. A follower's
 * long poll is woken when its HW moves (fetcher.c). With the rack-aware selector, a leader
 * answers such a consumer whose RackId matches no rack of its own with PreferredReadReplica =
 * an in-sync follower in that rack that is alive (listed on the request's listener) and holds
 * the fetch offset (its last fetch offset >= it, its log start <= it), the one with the largest
 * log end (then the most recently caught up), and no records; the answer goes out at once.
 *
 * Authorization (as Kafka 3.9's KafkaApis): a follower's fetch (replica_id >= 0) needs
 * CLUSTER_ACTION on the cluster, else every partition gets TOPIC_AUTHORIZATION_FAILED and the
 * leader learns nothing from it (no ISR or HW change: CVE-2018-1288); a consumer needs READ
 * on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions). Checked once per topic per
 * pass, before anything is read.
 */
#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../log/legacy.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"
#include "../core/purgatory.h"
#include "../replica/partition.h"
#include "../replica/replica.h"
#include "api_authz.h"

#include <string.h>
#include <unistd.h>


/* Whole responses stay below this, whatever max_bytes asks (the frame size is an int32). */
#define FETCH_MAX_RESPONSE_BYTES (INT32_MAX - (64 << 20))

static int32_t replica_id(const struct kreq *r)
{
	const struct FetchRequest *req = r->req;
	return r->version >= 15 ? req->ReplicaState.ReplicaId : req->ReplicaId;
}

/* Consumers whose Fetch carries client metadata (v11+) may read from a follower (Kafka's
 * FetchParams.fetchOnlyLeader is false for them). */
static bool follower_read(const struct kreq *r)
{
	return replica_id(r) < 0 && r->version >= 11;
}

/* The topic name of a request topic: by name (v0-12) or by id (v13+). */
static struct kp_str topic_name(struct kreq *r, const struct FetchTopic *t)
{
	if (r->version < 13)
		return t->Topic;
	const struct md_cache *md = coord_metadata(r->b->coord);
	for (int i = 0; i < md->ntopics; i++)
		if (memcmp(md->topics[i].topic_id, t->TopicId, 16) == 0)
			return kp_str_c(arena_strndup(&r->arena, md->topics[i].name,
			                              strlen(md->topics[i].name)));
	return KP_STR_NULL;
}

/* Errors that do not depend on the data. */
static int16_t partition_error(struct kreq *r, struct partition *p, struct kp_str topic,
                               const struct FetchPartition *in)
{
	if (topic.len < 0)
		return KERR_UNKNOWN_TOPIC_ID;
	if (!p)
		return pm_topic_known(r->b, topic, in->Partition) ? KERR_NOT_LEADER_OR_FOLLOWER
		                                                    : KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (!p->leader && !follower_read(r))
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (in->CurrentLeaderEpoch >= 0 && in->CurrentLeaderEpoch < p->leader_epoch)
		return KERR_FENCED_LEADER_EPOCH;
	if (in->CurrentLeaderEpoch > p->leader_epoch)
		return KERR_UNKNOWN_LEADER_EPOCH;
	int64_t off = in->FetchOffset;
	if (off < plog_start_offset(p->log) || off > plog_end_offset(p->log))
		return KERR_OFFSET_OUT_OF_RANGE;
	return 0;
}

/* Whether broker `id` is alive, reachable on the request's listener, and in rack `rack`. */
static bool broker_in_rack(struct kreq *r, int32_t id, struct kp_str rack)
{
	const struct md_cache *md = coord_metadata(r->b->coord);
	for (int i = 0; i < md->nbrokers; i++) {
		const struct md_broker *b = &md->brokers[i];
		if (b->id == id)
			return b->rack && strlen(b->rack) == (size_t)rack.len &&
			       memcmp(b->rack, rack.ptr, (size_t)rack.len) == 0 &&
			       md_broker_endpoint(b, r->cl->listener) != NULL;
	}
	return false;
}

/* The preferred read replica for a consumer's fetch from this leader (Kafka's
 * findPreferredReadReplica with RackAwareReplicaSelector), or -1: the leader serves it. */
static int32_t preferred_replica(struct kreq *r, const struct partition *p,
                                 const struct FetchPartition *in)
{
	const struct FetchRequest *req = r->req;
	struct kp_str rack = req->RackId;
	if (!p->leader || !follower_read(r) || !conf_rack_aware_selector(&r->b->cfg) ||
	    rack.len <= 0 || rack.len > KB_FETCH_RACK_ID_MAX ||
	    broker_in_rack(r, r->b->cfg.broker_id, rack))
		return -1;
	int n;
	const struct follower *f = replica_followers(p, &n), *best = NULL;
	for (int i = 0; i < n; i++) {
		if (!replica_in_isr(p, f[i].id) || f[i].leo < in->FetchOffset ||
		    f[i].log_start > in->FetchOffset || !broker_in_rack(r, f[i].id, rack))
			continue;
		if (!best || f[i].leo > best->leo ||
		    (f[i].leo == best->leo && f[i].last_caught_up_ms > best->last_caught_up_ms))
			best = &f[i];
	}
	return best ? best->id : -1;
}

/* Fetch v0-3 clients read only the legacy formats (v0/v1: magic 0, v2/v3: magic 1): the
 * range is read into memory and converted, uncompressed. Only those clients pay for it. */
static size_t down_convert(struct kreq *r, struct log_read *lr,
                           struct FetchResponsePartitionData *out)
{
	uint8_t *raw = kb_malloc(lr->len), *conv = NULL;
	size_t conv_len = 0;
	ssize_t n = pread(lr->fd, raw, lr->len, lr->pos);
	log_segment_unref(lr->seg);
	int magic = r->version < 2 ? 0 : 1;
	/* Uncompressed legacy sets can be several times the compressed batches. */
	size_t cap = lr->len * 32 + (1 << 20);
	if (n != (ssize_t)lr->len ||
	    rc_v2_to_legacy(raw, lr->len, magic, cap, &conv, &conv_len) < 0) {
		out->ErrorCode = KERR_KAFKA_STORAGE_ERROR;
		kb_free(raw);
		return 0;
	}
	kb_free(raw);
	uint8_t *copy = arena_alloc(&r->arena, conv_len + 1);
	if (copy) {
		memcpy(copy, conv, conv_len);
		out->Records = (struct kp_bytes){copy, (int32_t)conv_len, NULL};
	}
	kb_free(conv);
	return conv_len;
}

/* read_committed: the aborted transactions overlapping [from, upper) into out's list. */
static int16_t aborted_list(struct kreq *r, struct partition *p, int64_t from, int64_t upper,
                            struct FetchResponsePartitionData *out)
{
	struct log_aborted *ab;
	size_t n;
	if (plog_aborted_txns(p->log, from, upper, &ab, &n) < 0)
		return KERR_UNKNOWN_SERVER_ERROR; /* past KB_FETCH_MAX_ABORTED */
	struct AbortedTransaction *v = kreq_array(r, &out->AbortedTransactions, (int32_t)n,
	                                          sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		v[i] = (struct AbortedTransaction){ab[i].producer_id, ab[i].first_offset};
	kb_free(ab);
	return v ? 0 : KERR_UNKNOWN_SERVER_ERROR;
}

/* The log reads of a measuring pass (keep=false), replayed by the answering pass that follows
 * it in the same call, where the logs cannot have changed: a fetch that is answered finds its
 * batch headers once, not twice (a pread and a header walk per partition). Entries are taken
 * in order, each only if the answering pass asks the same read of the same log (a
 * down-converted answer's sizes can change the budgets of the partitions after it). */
struct read_memo {
	struct memo_read {
		const struct plog *log;
		int64_t offset, upto;
		size_t limit;
		bool min_one;
		int rc;
		struct log_read lr; /* holds a segment reference while .seg is set */
	} *v;
	size_t n, cap, next;
};

static int memo_plog_read(struct read_memo *m, bool keep, struct plog *l, int64_t offset,
                          size_t limit, bool min_one, int64_t upto, struct log_read *lr)
{
	if (m && keep && m->next < m->n) {
		struct memo_read *e = &m->v[m->next++];
		if (e->log == l && e->offset == offset && e->limit == limit &&
		    e->min_one == min_one && e->upto == upto) {
			*lr = e->lr;
			e->lr.seg = NULL; /* the reference moves to the caller */
			return e->rc;
		}
	}
	int rc = plog_read(l, offset, limit, min_one, upto, lr);
	if (m && !keep) {
		KB_GROW(m->v, m->cap, m->n + 1, 16);
		m->v[m->n++] = (struct memo_read){l, offset, upto, limit, min_one, rc, *lr};
		lr->seg = NULL; /* the memo keeps the reference */
	}
	return rc;
}

static void memo_release(struct read_memo *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].lr.seg)
			log_segment_unref(m->v[i].lr.seg);
	kb_free(m->v);
	*m = (struct read_memo){NULL, 0, 0, 0};
}

/* One partition: its answer, and (keep) the file range in the response. Returns bytes. */
static size_t read_partition(struct kreq *r, struct partition *p,
                             const struct FetchPartition *in, size_t budget, bool min_one,
                             bool keep, struct read_memo *memo,
                             struct FetchResponsePartitionData *out)
{
	const struct FetchRequest *req = r->req;
	bool committed = replica_id(r) < 0 && r->version >= 4 && req->IsolationLevel == 1;
	int64_t lso = plog_lso(p->log, p->hw);
	out->HighWatermark = p->hw;
	out->LastStableOffset = lso;
	out->LogStartOffset = plog_start_offset(p->log);
	if (committed) /* an empty list, not null */
		out->AbortedTransactions = (struct kp_array){NULL, 0};
	int64_t upto = replica_id(r) >= 0 ? plog_end_offset(p->log) : committed ? lso : p->hw;
	size_t limit = KB_MIN(budget, (size_t)KB_MAX(in->PartitionMaxBytes, 0));
	struct log_read lr;
	int rc = memo_plog_read(memo, keep, p->log, in->FetchOffset, limit, min_one, upto, &lr);
	if (rc != KERR_NONE) {
		out->ErrorCode = (int16_t)rc;
		return 0;
	}
	if (lr.len == 0)
		return 0;
	if (!keep) {
		if (lr.seg) /* measuring without a memo (with one, the memo holds the range) */
			log_segment_unref(lr.seg);
		return lr.len;
	}
	if (committed && (out->ErrorCode = aborted_list(r, p, in->FetchOffset, lr.next_offset,
	                                                out)) != 0) {
		log_segment_unref(lr.seg);
		return 0;
	}
	if (r->version < 4)
		return down_convert(r, &lr, out);
	struct log_read *held = kb_malloc(sizeof(*held));
	*held = lr;
	kreq_keep_read(r, held);
	out->Records = (struct kp_bytes){NULL, (int32_t)lr.len, held};
	return lr.len;
}

/* The error of every partition of a topic the principal may not fetch from, or 0.
 * `follower_ok`: a follower's CLUSTER_ACTION, decided once per pass. */
static int16_t fetch_denied(struct kreq *r, bool follower_ok, struct kp_str name)
{
	if (replica_id(r) >= 0)
		return follower_ok ? 0 : KERR_TOPIC_AUTHORIZATION_FAILED;
	return az_topic(r, ACL_OP_READ, name);
}

/* One pass over the request. keep=false only measures what is available (recording its reads
 * in memo, if given); keep=true builds the answer (replaying memo's reads, if given). Returns
 * bytes, or -1 when the response could not be allocated; *now counts the partitions that make
 * the answer go out at once: those in error, and those sent to a preferred read replica (as
 * Kafka). */
static int64_t fetch_pass(struct kreq *r, bool keep, struct read_memo *memo, int *now)
{
	const struct FetchRequest *req = r->req;
	struct FetchResponse *resp = r->resp;
	const struct FetchTopic *in = req->Topics.elems;
	size_t budget = (size_t)KB_MIN((int64_t)(req->MaxBytes > 0 ? req->MaxBytes : 0),
	                               (int64_t)FETCH_MAX_RESPONSE_BYTES);
	size_t total = 0;
	struct FetchableTopicResponse *out =
	        keep ? kreq_array(r, &resp->Responses, req->Topics.count, sizeof(*out)) : NULL;
	if (keep && !out)
		return -1;
	bool follower_ok = replica_id(r) < 0 || az_cluster_ok(r, ACL_OP_CLUSTER_ACTION);
	for (int t = 0; t < req->Topics.count; t++) {
		struct kp_str name = topic_name(r, &in[t]);
		int16_t denied = fetch_denied(r, follower_ok, name);
		const struct FetchPartition *fp = in[t].Partitions.elems;
		struct FetchResponsePartitionData *po = NULL;
		if (keep) {
			out[t].Topic = in[t].Topic;
			memcpy(out[t].TopicId, in[t].TopicId, 16);
			po = kreq_array(r, &out[t].Partitions, in[t].Partitions.count, sizeof(*po));
			if (!po)
				return -1;
		}
		for (int k = 0; k < in[t].Partitions.count; k++) {
			struct FetchResponsePartitionData scratch, *o = po ? &po[k] : &scratch;
			*o = (struct FetchResponsePartitionData){
			        .PartitionIndex = fp[k].Partition, .HighWatermark = -1,
			        .LastStableOffset = -1, .LogStartOffset = -1,
			        .DivergingEpoch = {-1, -1}, .CurrentLeader = {-1, -1},
			        .SnapshotId = {-1, -1}, .AbortedTransactions = {NULL, -1},
			        .PreferredReadReplica = -1, .Records = {NULL, 0, NULL}};
			if (denied) {
				o->ErrorCode = denied;
				(*now)++;
				continue;
			}
			struct partition *p = name.len >= 0 ? pm_find(r->b, name, fp[k].Partition) : NULL;
			o->ErrorCode = partition_error(r, p, name, &fp[k]);
			/* As in Kafka, before the offset is checked against the leader's log. */
			if ((o->ErrorCode == 0 || o->ErrorCode == KERR_OFFSET_OUT_OF_RANGE) &&
			    (o->PreferredReadReplica = preferred_replica(r, p, &fp[k])) >= 0) {
				o->ErrorCode = 0;
				o->HighWatermark = p->hw;
				o->LastStableOffset = plog_lso(p->log, p->hw);
				o->LogStartOffset = plog_start_offset(p->log);
				(*now)++;
				continue;
			}
			if (o->ErrorCode == KERR_OFFSET_OUT_OF_RANGE) { /* where to go (followers use it) */
				o->HighWatermark = p->hw;
				o->LogStartOffset = plog_start_offset(p->log);
			}
			if (o->ErrorCode == 0)
				total += read_partition(r, p, &fp[k], budget > total ? budget - total : 0,
				                        total == 0 && r->version >= 3, keep, memo, o);
			*now += o->ErrorCode != 0;
		}
	}
	return (int64_t)total;
}

/* ---- Parking until min_bytes or max_wait_ms ------------------------------------------------ */

/* The parked request is the operation's data: nothing else to keep. */
static void fwait_answer(struct kreq *r, struct read_memo *memo)
{
	int at_once = 0;
	int64_t rc = fetch_pass(r, true, memo, &at_once);
	if (memo)
		memo_release(memo);
	kreq_finish(r, rc < 0 ? H_CLOSE : H_RESPOND);
}

/* Enough data now, a partition in error (e.g. deleted, or no longer led here), or one sent to
 * a preferred read replica? */
static bool fwait_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	struct kreq *r = arg;
	const struct FetchRequest *req = r->req;
	int at_once = 0;
	struct read_memo memo = {NULL, 0, 0, 0};
	if (fetch_pass(r, false, &memo, &at_once) < KB_MAX(req->MinBytes, 1) && !at_once) {
		memo_release(&memo);
		return false;
	}
	fwait_answer(r, &memo);
	return true;
}

static void fwait_expire(void *arg)
{
	fwait_answer(arg, NULL); /* max_wait_ms: whatever there is */
}

static void fwait_drop(void *arg)
{
	kreq_drop(arg);
}

/* A deleted partition needs no letting go (the request holds names, not partitions): the
 * re-try that follows finds it gone and answers. */
static const struct pg_ops fwait_ops = {fwait_try, fwait_expire, fwait_drop, NULL};

static enum handler_result park(struct kreq *r)
{
	const struct FetchRequest *req = r->req;
	const struct FetchTopic *in = req->Topics.elems;
	struct pg_op *op = kreq_park(r, &fwait_ops, r, KB_MAX(req->MaxWaitMs, 0));
	for (int t = 0; t < req->Topics.count; t++) {
		struct kp_str name = topic_name(r, &in[t]);
		const struct FetchPartition *fp = in[t].Partitions.elems;
		for (int k = 0; name.len >= 0 && k < in[t].Partitions.count; k++) {
			struct partition *p = pm_find(r->b, name, fp[k].Partition);
			if (p)
				purgatory_watch(op, partition_key(p));
		}
	}
	return H_ASYNC;
}

/* A follower's fetch offset is its log end: the leader learns its progress from it (once per
 * request, before any waiting). */
static void note_follower(struct kreq *r)
{
	const struct FetchRequest *req = r->req;
	const struct FetchTopic *in = req->Topics.elems;
	for (int t = 0; t < req->Topics.count; t++) {
		struct kp_str name = topic_name(r, &in[t]);
		const struct FetchPartition *fp = in[t].Partitions.elems;
		for (int k = 0; name.len >= 0 && k < in[t].Partitions.count; k++) {
			struct partition *p = pm_find(r->b, name, fp[k].Partition);
			if (p && partition_error(r, p, name, &fp[k]) == 0)
				replica_follower_fetch(p, replica_id(r), fp[k].FetchOffset,
				                       fp[k].LogStartOffset);
		}
	}
}

enum handler_result handle_fetch(struct kreq *r)
{
	const struct FetchRequest *req = r->req;
	struct FetchResponse *resp = r->resp;
	resp->SessionId = 0;
	int at_once = 0;
	struct read_memo memo = {NULL, 0, 0, 0};
	if (replica_id(r) >= 0 && az_cluster_ok(r, ACL_OP_CLUSTER_ACTION))
		note_follower(r);
	if (req->MaxWaitMs > 0 && fetch_pass(r, false, &memo, &at_once) < KB_MAX(req->MinBytes, 1) &&
	    at_once == 0) {
		memo_release(&memo);
		return park(r);
	}
	int64_t rc = fetch_pass(r, true, &memo, &at_once);
	memo_release(&memo);
	return rc < 0 ? H_CLOSE : H_RESPOND;
}

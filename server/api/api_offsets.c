/* api_offsets.c — ListOffsets (key 2), DeleteRecords (key 21), OffsetForLeaderEpoch (key 23).
 *
 * Authorization, once per topic (TOPIC_AUTHORIZATION_FAILED for its partitions): ListOffsets
 * DESCRIBE, DeleteRecords DELETE, OffsetForLeaderEpoch CLUSTER_ACTION on the cluster (a
 * follower) or else DESCRIBE on the topic (KIP-320 consumers). */
#include "../../coord/md.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"
#include "../replica/partition.h"
#include "api_authz.h"


/* Special timestamps of ListOffsets. */
enum { TS_LATEST = -1, TS_EARLIEST = -2, TS_MAX_TIMESTAMP = -3 };

static int16_t leader_partition(struct kreq *r, struct kp_str topic, int32_t idx,
                                int32_t current_epoch, struct partition **out)
{
	struct partition *p = pm_find(r->b, topic, idx);
	*out = p;
	if (!p || !p->leader)
		return pm_topic_known(r->b, topic, idx) ? KERR_NOT_LEADER_OR_FOLLOWER
		                                        : KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (current_epoch >= 0 && current_epoch < p->leader_epoch)
		return KERR_FENCED_LEADER_EPOCH;
	if (current_epoch > p->leader_epoch)
		return KERR_UNKNOWN_LEADER_EPOCH;
	return 0;
}

/* Offset (and timestamp) for one request entry. Consumers see up to the HW (read_committed,
 * v2+: up to the last stable offset, as Kafka's lastFetchableOffset); a replica (replica_id
 * >= 0, or -2 for debugging) up to the log end. */
static int16_t lookup(struct kreq *r, struct partition *p, int64_t ts, int64_t *off,
                      int64_t *ts_out)
{
	const struct ListOffsetsRequest *req = r->req;
	int64_t end = req->ReplicaId != -1    ? plog_end_offset(p->log)
	              : req->IsolationLevel == 1 && r->version >= 2 ? plog_lso(p->log, p->hw)
	                                                            : p->hw;
	*ts_out = -1;
	if (ts == TS_LATEST) {
		*off = end;
	} else if (ts == TS_EARLIEST) {
		*off = plog_start_offset(p->log);
	} else if (ts == TS_MAX_TIMESTAMP && r->version >= 7) {
		int rc = plog_max_timestamp(p->log, off, ts_out);
		if (rc != KERR_NONE)
			return (int16_t)rc;
		if (*off >= end)
			*off = -1, *ts_out = -1; /* not yet committed: nothing to report */
	} else if (ts < 0) {
		return KERR_INVALID_REQUEST;
	} else {
		int rc = plog_offset_for_timestamp(p->log, ts, off, ts_out);
		if (rc != KERR_NONE)
			return (int16_t)rc;
		if (*off >= end)
			*off = -1, *ts_out = -1;
	}
	return 0;
}

enum handler_result handle_list_offsets(struct kreq *r)
{
	const struct ListOffsetsRequest *req = r->req;
	struct ListOffsetsResponse *resp = r->resp;
	const struct ListOffsetsTopic *in = req->Topics.elems;
	struct ListOffsetsTopicResponse *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out)
		return H_CLOSE;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct ListOffsetsPartition *pi = in[t].Partitions.elems;
		out[t].Name = in[t].Name;
		struct ListOffsetsPartitionResponse *po =
		        kreq_array(r, &out[t].Partitions, in[t].Partitions.count, sizeof(*po));
		if (!po)
			return H_CLOSE;
		int16_t denied = az_topic(r, ACL_OP_DESCRIBE, in[t].Name);
		for (int k = 0; k < in[t].Partitions.count; k++) {
			struct partition *p = NULL;
			int64_t off = -1, ts = -1;
			int16_t err = denied ? denied
			                     : leader_partition(r, in[t].Name, pi[k].PartitionIndex,
			                                        pi[k].CurrentLeaderEpoch, &p);
			if (!err)
				err = lookup(r, p, pi[k].Timestamp, &off, &ts);
			po[k] = (struct ListOffsetsPartitionResponse){
			        .PartitionIndex = pi[k].PartitionIndex, .ErrorCode = err,
			        .Timestamp = ts, .Offset = off,
			        .LeaderEpoch = err ? -1 : p->leader_epoch};
			if (r->version == 0 && !err) { /* v0: a list of offsets; at most one here */
				int64_t *v = kreq_array(r, &po[k].OldStyleOffsets, off >= 0 ? 1 : 0,
				                        sizeof(int64_t));
				if (!v)
					return H_CLOSE;
				if (off >= 0)
					v[0] = off;
			}
		}
	}
	return H_RESPOND;
}

/* DeleteRecords: the log start moves to the given offset (-1: the high watermark); the
 * records below can no longer be read and whole segments below it go with retention. */
enum handler_result handle_delete_records(struct kreq *r)
{
	const struct DeleteRecordsRequest *req = r->req;
	struct DeleteRecordsResponse *resp = r->resp;
	const struct DeleteRecordsTopic *in = req->Topics.elems;
	struct DeleteRecordsTopicResult *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out)
		return H_CLOSE;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct DeleteRecordsPartition *pi = in[t].Partitions.elems;
		out[t].Name = in[t].Name;
		struct DeleteRecordsPartitionResult *po =
		        kreq_array(r, &out[t].Partitions, in[t].Partitions.count, sizeof(*po));
		if (!po)
			return H_CLOSE;
		int16_t denied = az_topic(r, ACL_OP_DELETE, in[t].Name);
		for (int k = 0; k < in[t].Partitions.count; k++) {
			struct partition *p = NULL;
			int16_t err = denied;
			if (!err && md_topic_internal(in[t].Name.ptr, (size_t)KB_MAX(in[t].Name.len, 0)) &&
			    pm_topic_known(r->b, in[t].Name, pi[k].PartitionIndex))
				err = KERR_INVALID_TOPIC_EXCEPTION; /* Kafka: not for internal topics */
			if (!err)
				err = leader_partition(r, in[t].Name, pi[k].PartitionIndex, -1, &p);
			int64_t to = err ? 0 : pi[k].Offset == -1 ? p->hw : pi[k].Offset;
			if (!err && (to < 0 || to > p->hw))
				err = KERR_OFFSET_OUT_OF_RANGE;
			if (!err && to > plog_start_offset(p->log))
				err = (int16_t)plog_advance_start(p->log, to);
			po[k] = (struct DeleteRecordsPartitionResult){
			        pi[k].PartitionIndex, err ? -1 : plog_start_offset(p->log), err};
		}
	}
	return H_RESPOND;
}

/* OffsetForLeaderEpoch: where the requested epoch ends in the leader's log (the start of the
 * next larger epoch, or the log end for the current one) and the largest epoch at or below
 * it — how a follower (or a KIP-320 consumer) finds where its log diverged. */
enum handler_result handle_offset_for_leader_epoch(struct kreq *r)
{
	const struct OffsetForLeaderEpochRequest *req = r->req;
	struct OffsetForLeaderEpochResponse *resp = r->resp;
	const struct OffsetForLeaderTopic *in = req->Topics.elems;
	struct OffsetForLeaderTopicResult *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out)
		return H_CLOSE;
	bool cluster = az_cluster_ok(r, ACL_OP_CLUSTER_ACTION);
	for (int t = 0; t < req->Topics.count; t++) {
		const struct OffsetForLeaderPartition *pi = in[t].Partitions.elems;
		out[t].Topic = in[t].Topic;
		struct OffsetForLeaderEpochResponseEpochEndOffset *po =
		        kreq_array(r, &out[t].Partitions, in[t].Partitions.count, sizeof(*po));
		if (!po)
			return H_CLOSE;
		int16_t denied = cluster ? 0 : az_topic(r, ACL_OP_DESCRIBE, in[t].Topic);
		for (int k = 0; k < in[t].Partitions.count; k++) {
			struct partition *p = NULL;
			int32_t epoch = -1;
			int64_t end = -1;
			int16_t err = denied ? denied
			                     : leader_partition(r, in[t].Topic, pi[k].Partition,
			                                        pi[k].CurrentLeaderEpoch, &p);
			if (!err)
				plog_epoch_end_offset(p->log, pi[k].LeaderEpoch, &epoch, &end);
			po[k] = (struct OffsetForLeaderEpochResponseEpochEndOffset){
			        err, pi[k].Partition, epoch, end};
		}
	}
	return H_RESPOND;
}

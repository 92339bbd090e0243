/* api_txn_offsets.c — TxnOffsetCommit (key 28, v0-4) on group/'s coordinator (Kafka 3.9's
 * KafkaApis.handleTxnOffsetCommitRequest and GroupCoordinator.handleTxnCommitOffsets).
 *
 * Partitions of topics the cluster does not have → UNKNOWN_TOPIC_OR_PARTITION (first, as
 * Kafka's KafkaApis filters them before asking the coordinator); then, routed like
 * OffsetCommit, an empty or too long group id → INVALID_GROUP_ID and the coordinator lookup
 * (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE) in every other
 * partition; the rest go to group_txn_commit (v3+ generation, member
 * and instance checks; see group.h), answered once the transactional batch is replicated
 * (api_group.h's waits). The offsets stay pending until the producer's marker
 * (gsvc_txn_complete).
 *
 * Not built: KIP-890 verification of the transaction with its coordinator before the append
 * (Kafka 3.6+), so neither TRANSACTION_ABORTABLE (v4) nor INVALID_TXN_STATE (older versions,
 * its mapping) is ever answered; no ACLs, so no TRANSACTIONAL_ID_/GROUP_AUTHORIZATION_FAILED.
 */
#include "api_group.h"

#include "../../net/kp_msgs.h"
#include "../coordsvc/gsvc.h"
#include "../replica/partition.h"

enum handler_result handle_txn_offset_commit(struct kreq *r)
{
	const struct TxnOffsetCommitRequest *req = r->req;
	struct TxnOffsetCommitResponse *resp = r->resp;
	const struct TxnOffsetCommitRequestTopic *in = req->Topics.elems;
	struct TxnOffsetCommitResponseTopic *out =
	        kreq_array(r, &resp->Topics, req->Topics.count, sizeof(*out));
	if (!out && req->Topics.count > 0)
		return H_CLOSE;
	int total = 0;
	for (int t = 0; t < req->Topics.count; t++) {
		out[t].Name = in[t].Name;
		if (!kreq_array(r, &out[t].Partitions, in[t].Partitions.count,
		                sizeof(struct TxnOffsetCommitResponsePartition)) &&
		    in[t].Partitions.count > 0)
			return H_CLOSE;
		total += KB_MAX(in[t].Partitions.count, 0);
	}
	struct group_coord *c;
	int16_t gerr = group_coord_of(r, req->GroupId, &c);
	struct group_commit_part *parts = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*parts));
	int16_t **where = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*where));
	int16_t *errors = arena_alloc(&r->arena, (size_t)(total + 1) * sizeof(*errors));
	if (!parts || !where || !errors)
		return H_CLOSE;
	int n = 0;
	for (int t = 0; t < req->Topics.count; t++) {
		const struct TxnOffsetCommitRequestPartition *pi = in[t].Partitions.elems;
		struct TxnOffsetCommitResponsePartition *po = out[t].Partitions.elems;
		for (int k = 0; k < in[t].Partitions.count; k++) {
			po[k].PartitionIndex = pi[k].PartitionIndex;
			/* Kafka's KafkaApis filters unknown topics before the coordinator's checks. */
			if (!pm_topic_known(r->b, in[t].Name, pi[k].PartitionIndex)) {
				po[k].ErrorCode = KERR_UNKNOWN_TOPIC_OR_PARTITION;
				continue;
			}
			po[k].ErrorCode = gerr;
			if (gerr != KERR_NONE)
				continue;
			parts[n] = (struct group_commit_part){
			        .topic = in[t].Name, .partition = pi[k].PartitionIndex,
			        .offset = pi[k].CommittedOffset,
			        .leader_epoch = r->version >= 2 ? pi[k].CommittedLeaderEpoch : -1,
			        .metadata = pi[k].CommittedMetadata, .commit_timestamp = -1};
			where[n++] = &po[k].ErrorCode;
		}
	}
	if (gerr != KERR_NONE || n == 0)
		return H_RESPOND;
	bool v3 = r->version >= 3;
	struct group_txn_commit_req cr = {
	        .group_id = req->GroupId,
	        .member_id = v3 ? req->MemberId : KP_STR_LIT(""),
	        .instance_id = v3 ? req->GroupInstanceId : KP_STR_NULL,
	        .generation_id = v3 ? req->GenerationId : -1,
	        .producer_id = req->ProducerId, .producer_epoch = req->ProducerEpoch,
	        .nparts = n, .parts = parts};
	struct gwait *w = gwait_new(r, GW_COMMIT);
	w->errors = errors;
	w->out = where;
	w->n = n;
	int pending = group_txn_commit(c, &cr, errors, w);
	gsvc_done(r->b, req->GroupId);
	for (int i = 0; i < n; i++)
		*where[i] = errors[i];
	if (!pending)
		w->answered = true; /* the whole answer is in errors */
	return gwait_settle(w);
}

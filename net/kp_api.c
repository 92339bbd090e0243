/* kp_api.c — the table of APIs the codec knows, and the request/response headers.
 *
 * Design points:
 *   - Request header v1 = api_key, api_version, correlation_id, client_id (classic nullable
 *     int16-length string, never compact, even in v2); v2 adds a tagged-field section. v2 is
 *     used when the API/version is flexible.
 *   - KIP-511: ApiVersions >= 3 is read with header v2 even above the highest version the codec
 *     knows, so the broker can still answer an unsupported ApiVersions version.
 *   - For an API key the codec does not know, no tag section is read: the caller closes the
 *     connection anyway, and the fixed v1 prefix is all an old broker can rely on.
 *   - Response header v0 = correlation_id; v1 adds an empty tag section (byte 0x00).
 *     ApiVersions responses always use v0 (the caller passes flexible_v1 = false).
 */
#include "kp_msgs.h"

/* Sorted by key. Columns: key, name, vmin, vmax, first flexible version, request, response. */
static const struct kp_api kp_apis[] = {
	{KP_API_PRODUCE, "Produce", 0, 11, 9, &kp_ProduceRequest, &kp_ProduceResponse},
	{KP_API_FETCH, "Fetch", 0, 17, 12, &kp_FetchRequest, &kp_FetchResponse},
	{KP_API_LIST_OFFSETS, "ListOffsets", 0, 9, 6, &kp_ListOffsetsRequest,
	 &kp_ListOffsetsResponse},
	{KP_API_METADATA, "Metadata", 0, 12, 9, &kp_MetadataRequest, &kp_MetadataResponse},
	{KP_API_OFFSET_COMMIT, "OffsetCommit", 0, 8, 8, &kp_OffsetCommitRequest,
	 &kp_OffsetCommitResponse},
	{KP_API_OFFSET_FETCH, "OffsetFetch", 0, 8, 6, &kp_OffsetFetchRequest,
	 &kp_OffsetFetchResponse},
	{KP_API_FIND_COORDINATOR, "FindCoordinator", 0, 4, 3, &kp_FindCoordinatorRequest,
	 &kp_FindCoordinatorResponse},
	{KP_API_JOIN_GROUP, "JoinGroup", 0, 9, 6, &kp_JoinGroupRequest, &kp_JoinGroupResponse},
	{KP_API_HEARTBEAT, "Heartbeat", 0, 4, 4, &kp_HeartbeatRequest, &kp_HeartbeatResponse},
	{KP_API_LEAVE_GROUP, "LeaveGroup", 0, 5, 4, &kp_LeaveGroupRequest, &kp_LeaveGroupResponse},
	{KP_API_SYNC_GROUP, "SyncGroup", 0, 5, 4, &kp_SyncGroupRequest, &kp_SyncGroupResponse},
	{KP_API_DESCRIBE_GROUPS, "DescribeGroups", 0, 5, 5, &kp_DescribeGroupsRequest,
	 &kp_DescribeGroupsResponse},
	{KP_API_LIST_GROUPS, "ListGroups", 0, 4, 3, &kp_ListGroupsRequest, &kp_ListGroupsResponse},
	{KP_API_API_VERSIONS, "ApiVersions", 0, 4, 3, &kp_ApiVersionsRequest,
	 &kp_ApiVersionsResponse},
	{KP_API_CREATE_TOPICS, "CreateTopics", 0, 7, 5, &kp_CreateTopicsRequest,
	 &kp_CreateTopicsResponse},
	{KP_API_DELETE_TOPICS, "DeleteTopics", 0, 6, 4, &kp_DeleteTopicsRequest,
	 &kp_DeleteTopicsResponse},
	{KP_API_DELETE_RECORDS, "DeleteRecords", 0, 2, 2, &kp_DeleteRecordsRequest,
	 &kp_DeleteRecordsResponse},
	{KP_API_INIT_PRODUCER_ID, "InitProducerId", 0, 5, 2, &kp_InitProducerIdRequest,
	 &kp_InitProducerIdResponse},
	{KP_API_OFFSET_FOR_LEADER_EPOCH, "OffsetForLeaderEpoch", 0, 4, 4,
	 &kp_OffsetForLeaderEpochRequest, &kp_OffsetForLeaderEpochResponse},
	{KP_API_ADD_PARTITIONS_TO_TXN, "AddPartitionsToTxn", 0, 5, 3, &kp_AddPartitionsToTxnRequest,
	 &kp_AddPartitionsToTxnResponse},
	{KP_API_ADD_OFFSETS_TO_TXN, "AddOffsetsToTxn", 0, 4, 3, &kp_AddOffsetsToTxnRequest,
	 &kp_AddOffsetsToTxnResponse},
	{KP_API_END_TXN, "EndTxn", 0, 4, 3, &kp_EndTxnRequest, &kp_EndTxnResponse},
	{KP_API_WRITE_TXN_MARKERS, "WriteTxnMarkers", 0, 1, 1, &kp_WriteTxnMarkersRequest,
	 &kp_WriteTxnMarkersResponse},
	{KP_API_TXN_OFFSET_COMMIT, "TxnOffsetCommit", 0, 4, 3, &kp_TxnOffsetCommitRequest,
	 &kp_TxnOffsetCommitResponse},
	{KP_API_DESCRIBE_ACLS, "DescribeAcls", 0, 3, 2, &kp_DescribeAclsRequest,
	 &kp_DescribeAclsResponse},
	{KP_API_CREATE_ACLS, "CreateAcls", 0, 3, 2, &kp_CreateAclsRequest, &kp_CreateAclsResponse},
	{KP_API_DELETE_ACLS, "DeleteAcls", 0, 3, 2, &kp_DeleteAclsRequest, &kp_DeleteAclsResponse},
	{KP_API_DESCRIBE_CONFIGS, "DescribeConfigs", 0, 4, 4, &kp_DescribeConfigsRequest,
	 &kp_DescribeConfigsResponse},
	{KP_API_ALTER_CONFIGS, "AlterConfigs", 0, 2, 2, &kp_AlterConfigsRequest,
	 &kp_AlterConfigsResponse},
	{KP_API_CREATE_PARTITIONS, "CreatePartitions", 0, 3, 2, &kp_CreatePartitionsRequest,
	 &kp_CreatePartitionsResponse},
	{KP_API_DELETE_GROUPS, "DeleteGroups", 0, 2, 2, &kp_DeleteGroupsRequest,
	 &kp_DeleteGroupsResponse},
	{KP_API_ELECT_LEADERS, "ElectLeaders", 0, 2, 2, &kp_ElectLeadersRequest,
	 &kp_ElectLeadersResponse},
	{KP_API_INCREMENTAL_ALTER_CONFIGS, "IncrementalAlterConfigs", 0, 1, 1,
	 &kp_IncrementalAlterConfigsRequest, &kp_IncrementalAlterConfigsResponse},
	{KP_API_OFFSET_DELETE, "OffsetDelete", 0, 0, KP_VMAX, &kp_OffsetDeleteRequest,
	 &kp_OffsetDeleteResponse},
	{KP_API_DESCRIBE_CLUSTER, "DescribeCluster", 0, 1, 0, &kp_DescribeClusterRequest,
	 &kp_DescribeClusterResponse},
	{KP_API_DESCRIBE_PRODUCERS, "DescribeProducers", 0, 0, 0, &kp_DescribeProducersRequest,
	 &kp_DescribeProducersResponse},
	{KP_API_DESCRIBE_TRANSACTIONS, "DescribeTransactions", 0, 0, 0,
	 &kp_DescribeTransactionsRequest, &kp_DescribeTransactionsResponse},
	{KP_API_LIST_TRANSACTIONS, "ListTransactions", 0, 1, 0, &kp_ListTransactionsRequest,
	 &kp_ListTransactionsResponse},
};

const struct kp_api *kp_api_find(int16_t key)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(kp_apis); i++) {
		if (kp_apis[i].key == key)
			return &kp_apis[i];
	}
	return NULL;
}

/* Not bounded by vmax: a version above it is still flexible for header purposes (KIP-511);
 * whether the version is supported is the caller's check. */
bool kp_api_flexible(const struct kp_api *api, int16_t version)
{
	return api && version >= 0 && version >= api->flex_min;
}

/* Whether a request with this key/version carries header v2 (tag section after client_id). */
static bool request_header_flexible(int16_t key, int16_t version)
{
	if (key == KP_API_API_VERSIONS)
		return version >= 3;
	return kp_api_flexible(kp_api_find(key), version);
}

int kp_request_header_read(struct kp_reader *r, struct kp_request_header *h)
{
	h->RequestApiKey = kp_get_i16(r);
	h->RequestApiVersion = kp_get_i16(r);
	h->CorrelationId = kp_get_i32(r);
	h->ClientId = kp_get_str(r, false, true);
	if (!r->err && request_header_flexible(h->RequestApiKey, h->RequestApiVersion))
		kp_skip_tags(r);
	return r->err;
}

void kp_request_header_write(struct kbuf *b, const struct kp_request_header *h, bool flexible)
{
	kp_put_i16(b, h->RequestApiKey);
	kp_put_i16(b, h->RequestApiVersion);
	kp_put_i32(b, h->CorrelationId);
	kp_put_str(b, h->ClientId, false);
	if (flexible)
		kp_put_uvarint(b, 0);
}

void kp_response_header_write(struct kbuf *b, int32_t correlation_id, bool flexible_v1)
{
	kp_put_i32(b, correlation_id);
	if (flexible_v1)
		kp_put_uvarint(b, 0);
}

int kp_response_header_read(struct kp_reader *r, int32_t *correlation_id, bool flexible_v1)
{
	*correlation_id = kp_get_i32(r);
	if (flexible_v1)
		kp_skip_tags(r);
	return r->err;
}

int kp_request_header_version(int16_t key, int16_t version)
{
	if (request_header_flexible(key, version))
		return 2;
	return key == 7 && version == 0 ? 0 : 1; /* ControlledShutdown v0 predates client_id */
}

bool kp_response_header_v1(int16_t key, int16_t version)
{
	return key != KP_API_API_VERSIONS && kp_api_flexible(kp_api_find(key), version);
}

/* Patches the size prefix at 0 once the frame is complete. */
static int frame_finish(struct kbuf *b, int rc)
{
	if (rc == KP_OK && b->err)
		rc = KP_ERR_LIMIT;
	if (rc == KP_OK)
		kp_patch_i32(b, 0, (int32_t)(b->len - 4 + b->ext_bytes));
	return rc;
}

int kp_request_frame_write(struct kbuf *b, const struct kp_request_header *h, const void *body)
{
	const struct kp_api *api = kp_api_find(h->RequestApiKey);
	if (!api)
		return KP_ERR_VERSION;
	int hv = kp_request_header_version(h->RequestApiKey, h->RequestApiVersion);
	kp_put_i32(b, 0);
	if (hv == 0) {
		kp_put_i16(b, h->RequestApiKey);
		kp_put_i16(b, h->RequestApiVersion);
		kp_put_i32(b, h->CorrelationId);
	} else {
		kp_request_header_write(b, h, hv == 2);
	}
	int rc = kp_encode(api->request, h->RequestApiVersion,
	                   kp_api_flexible(api, h->RequestApiVersion), body, b);
	return frame_finish(b, rc);
}

int kp_response_frame_write(struct kbuf *b, int32_t correlation_id, int16_t key, int16_t version,
                            const void *body)
{
	const struct kp_api *api = kp_api_find(key);
	if (!api)
		return KP_ERR_VERSION;
	kp_put_i32(b, 0);
	kp_response_header_write(b, correlation_id, kp_response_header_v1(key, version));
	int rc = kp_encode(api->response, version, kp_api_flexible(api, version), body, b);
	return frame_finish(b, rc);
}

/* test_codec_admin.c — message-level tests of the admin descriptor tables
 * (net/kp_msgs_admin.c): CreateTopics, DeleteTopics, DescribeConfigs, AlterConfigs,
 * CreatePartitions, ElectLeaders, IncrementalAlterConfigs, DescribeCluster.
 *
 *   - Round trips for EVERY version of every message, request and response: a non-trivial
 *     struct (several array elements, nulls where nullable, non-default tagged values in
 *     flexible versions) is encoded, decoded and compared field by field against hand-written
 *     version rules from the schema (fields absent from the version must come back as their
 *     defaults), re-encoded byte-identically, and every truncated prefix must fail to decode
 *     (never crash; each prefix sits in an exact-size buffer for ASan).
 *   - Golden bytes derived by hand from the schema: CreateTopics v5 response with the
 *     TopicConfigErrorCode tag, DescribeCluster v0 response and v1 request, DeleteTopics v6
 *     request.
 *   - Hostile input, encode errors, defaults, descriptor sanity and the API table rows.
 * The harness is a copy of the small helpers of test_codec_msgs.c.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "codec_harness.h"

void suite_codec_admin(void);

static void ck_cra(int16_t v, const struct CreatableReplicaAssignment *a,
		   const struct CreatableReplicaAssignment *b)
{
	(void)v;
	CK(PartitionIndex, true, 0);
	CK_I32S(BrokerIds, true);
}

static void ck_ctc(int16_t v, const struct CreatableTopicConfig *a,
		   const struct CreatableTopicConfig *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_STR(Value, true, STR_EMPTY);
}

static void ck_ct(int16_t v, const struct CreatableTopic *a, const struct CreatableTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK(NumPartitions, true, 0);
	CK(ReplicationFactor, true, 0);
	CK_ARR(Assignments, true, struct CreatableReplicaAssignment, ck_cra);
	CK_ARR(Configs, true, struct CreatableTopicConfig, ck_ctc);
}

static void check_ct_req(int16_t v, const void *in_, const void *out_)
{
	const struct CreateTopicsRequest *a = in_, *b = out_;

	CK_ARR(Topics, true, struct CreatableTopic, ck_ct);
	CK(timeoutMs, true, 60000);
	CK(validateOnly, v >= 1, false);
}

static void test_create_topics_request_all(void)
{
	int32_t b0[] = {1, 2, 3}, b1[] = {2, 3, 1};
	struct CreatableReplicaAssignment asg[] = {{0, ARR(b0)}, {1, ARR(b1)}, {2, EMPTY_ARR}};
	struct CreatableTopicConfig cfg[] = {{KP_STR_LIT("cleanup.policy"), KP_STR_LIT("compact")},
					     {KP_STR_LIT("retention.ms"), KP_STR_NULL}};
	struct CreatableTopic topics[] = {
		{KP_STR_LIT("alpha"), -1, -1, ARR(asg), ARR(cfg)},
		{KP_STR_LIT("beta"), 12, 3, EMPTY_ARR, EMPTY_ARR},
	};
	struct CreateTopicsRequest in = {ARR(topics), 15000, true};

	for (int16_t v = 0; v <= 7; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_CREATE_TOPICS, v), v >= 5);
		ch_roundtrip(&kp_CreateTopicsRequest, v, ch_flexible(KP_API_CREATE_TOPICS, v), &in,
			  check_ct_req);
	}
}

static void ck_ctcs(int16_t v, const struct CreatableTopicConfigs *a,
		    const struct CreatableTopicConfigs *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_STR(Value, true, STR_EMPTY);
	CK(ReadOnly, true, false);
	CK(ConfigSource, true, -1);
	CK(IsSensitive, true, false);
}

static void ck_ctr(int16_t v, const struct CreatableTopicResult *a,
		   const struct CreatableTopicResult *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_UUID(TopicId, v >= 7);
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, v >= 1, STR_EMPTY);
	CK(TopicConfigErrorCode, v >= 5, 0);
	CK(NumPartitions, v >= 5, -1);
	CK(ReplicationFactor, v >= 5, -1);
	CK_ARR(Configs, v >= 5, struct CreatableTopicConfigs, ck_ctcs);
}

static void check_ct_resp(int16_t v, const void *in_, const void *out_)
{
	const struct CreateTopicsResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, v >= 2, 0);
	CK_ARR(Topics, true, struct CreatableTopicResult, ck_ctr);
}

static void test_create_topics_response_all(void)
{
	struct CreatableTopicConfigs cfg[] = {
		{KP_STR_LIT("cleanup.policy"), KP_STR_LIT("delete"), false, 5, false},
		{KP_STR_LIT("sasl.secret"), KP_STR_NULL, true, -1, true},
	};
	struct CreatableTopicResult topics[] = {
		{.Name = KP_STR_LIT("alpha"), .ErrorCode = 0, .ErrorMessage = KP_STR_NULL,
		 .TopicConfigErrorCode = 29, .NumPartitions = 3, .ReplicationFactor = 2,
		 .Configs = ARR(cfg)},
		{.Name = KP_STR_LIT("beta"), .ErrorCode = 36,
		 .ErrorMessage = KP_STR_LIT("Topic 'beta' already exists."),
		 .TopicConfigErrorCode = 0, .NumPartitions = -1, .ReplicationFactor = -1,
		 .Configs = NULL_ARR},
		{.Name = KP_STR_LIT("gamma"), .ErrorMessage = KP_STR_LIT(""),
		 .TopicConfigErrorCode = -1, .NumPartitions = 1, .ReplicationFactor = 1,
		 .Configs = EMPTY_ARR},
	};
	struct CreateTopicsResponse in = {250, ARR(topics)};

	memcpy(topics[0].TopicId, UUID_A, 16);
	memcpy(topics[1].TopicId, UUID_B, 16);
	for (int16_t v = 0; v <= 7; v++)
		ch_roundtrip(&kp_CreateTopicsResponse, v, ch_flexible(KP_API_CREATE_TOPICS, v), &in,
			  check_ct_resp);
}

/* ---- DeleteTopics (key 20): 0-6, flexible 4+ ------------------------------------------- */

static void ck_dts(int16_t v, const struct DeleteTopicState *a, const struct DeleteTopicState *b)
{
	(void)v;
	CK_STR(Name, true, KP_STR_NULL);
	CK_UUID(TopicId, true);
}

static void check_dt_req(int16_t v, const void *in_, const void *out_)
{
	const struct DeleteTopicsRequest *a = in_, *b = out_;

	CK_ARR(Topics, v >= 6, struct DeleteTopicState, ck_dts);
	CK_STRS(TopicNames, v <= 5);
	CK(TimeoutMs, true, 0);
}

static void ck_dtr(int16_t v, const struct DeletableTopicResult *a,
		   const struct DeletableTopicResult *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_UUID(TopicId, v >= 6);
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, v >= 5, KP_STR_NULL);
}

static void check_dt_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DeleteTopicsResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, v >= 1, 0);
	CK_ARR(Responses, true, struct DeletableTopicResult, ck_dtr);
}

static void test_delete_topics_all(void)
{
	struct DeleteTopicState states[] = {{KP_STR_LIT("alpha"), {0}}, {KP_STR_NULL, {0}}};
	struct kp_str names[] = {KP_STR_LIT("alpha"), KP_STR_LIT("beta"), KP_STR_LIT("")};
	struct DeleteTopicsRequest req = {ARR(states), ARR(names), 30000};
	struct DeletableTopicResult res[] = {
		{.Name = KP_STR_LIT("alpha"), .ErrorCode = 0, .ErrorMessage = KP_STR_NULL},
		{.Name = KP_STR_LIT("beta"), .ErrorCode = 3,
		 .ErrorMessage = KP_STR_LIT("unknown topic")},
	};
	struct DeleteTopicsResponse resp = {100, ARR(res)};

	memcpy(states[0].TopicId, UUID_A, 16);
	memcpy(states[1].TopicId, UUID_B, 16);
	memcpy(res[0].TopicId, UUID_A, 16);
	for (int16_t v = 0; v <= 6; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_DELETE_TOPICS, v), v >= 4);
		res[1].Name = v >= 6 ? KP_STR_NULL : KP_STR_LIT("beta"); /* null from v6 */
		ch_roundtrip(&kp_DeleteTopicsRequest, v, v >= 4, &req, check_dt_req);
		ch_roundtrip(&kp_DeleteTopicsResponse, v, v >= 4, &resp, check_dt_resp);
	}
}

/* ---- DescribeConfigs (key 32): 0-4, flexible 4+ ---------------------------------------- */

static void ck_dc_res(int16_t v, const struct DescribeConfigsResource *a,
		      const struct DescribeConfigsResource *b)
{
	(void)v;
	CK(ResourceType, true, 0);
	CK_STR(ResourceName, true, STR_EMPTY);
	CK_STRS(ConfigurationKeys, true);
	if (a->ConfigurationKeys.count < 0)
		CU_ASSERT_TRUE(ch_array_is(b->ConfigurationKeys, -1));
}

static void check_dc_req(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeConfigsRequest *a = in_, *b = out_;

	CK_ARR(Resources, true, struct DescribeConfigsResource, ck_dc_res);
	CK(IncludeSynonyms, v >= 1, false);
	CK(IncludeDocumentation, v >= 3, false);
}

static void ck_dc_syn(int16_t v, const struct DescribeConfigsSynonym *a,
		      const struct DescribeConfigsSynonym *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_STR(Value, true, STR_EMPTY);
	CK(Source, true, 0);
}

static void ck_dc_rr(int16_t v, const struct DescribeConfigsResourceResult *a,
		     const struct DescribeConfigsResourceResult *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK_STR(Value, true, STR_EMPTY);
	CK(ReadOnly, true, false);
	CK(IsDefault, v == 0, false);
	CK(ConfigSource, v >= 1, -1);
	CK(IsSensitive, true, false);
	CK_ARR(Synonyms, v >= 1, struct DescribeConfigsSynonym, ck_dc_syn);
	CK(ConfigType, v >= 3, 0);
	CK_STR(Documentation, v >= 3, STR_EMPTY);
}

static void ck_dc_result(int16_t v, const struct DescribeConfigsResult *a,
			 const struct DescribeConfigsResult *b)
{
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
	CK(ResourceType, true, 0);
	CK_STR(ResourceName, true, STR_EMPTY);
	CK_ARR(Configs, true, struct DescribeConfigsResourceResult, ck_dc_rr);
}

static void check_dc_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeConfigsResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Results, true, struct DescribeConfigsResult, ck_dc_result);
}

static void test_describe_configs_all(void)
{
	struct kp_str keys[] = {KP_STR_LIT("retention.ms"), KP_STR_LIT("segment.bytes")};
	struct DescribeConfigsResource res[] = {
		{2, KP_STR_LIT("alpha"), ARR(keys)},
		{4, KP_STR_LIT("1"), NULL_ARR},
		{2, KP_STR_LIT("beta"), EMPTY_ARR},
	};
	struct DescribeConfigsRequest req = {ARR(res), true, true};
	struct DescribeConfigsSynonym syn[] = {
		{KP_STR_LIT("log.retention.ms"), KP_STR_LIT("604800000"), 4},
		{KP_STR_LIT("log.retention.hours"), KP_STR_NULL, 5},
	};
	struct DescribeConfigsResourceResult cfg[] = {
		{KP_STR_LIT("retention.ms"), KP_STR_LIT("604800000"), false, true, 5, false,
		 ARR(syn), 5, KP_STR_LIT("How long to keep a log.")},
		{KP_STR_LIT("ssl.key.password"), KP_STR_NULL, true, false, 4, true, EMPTY_ARR, 9,
		 KP_STR_NULL},
	};
	struct DescribeConfigsResult results[] = {
		{0, KP_STR_NULL, 2, KP_STR_LIT("alpha"), ARR(cfg)},
		{3, KP_STR_LIT("no such topic"), 2, KP_STR_LIT("beta"), EMPTY_ARR},
	};
	struct DescribeConfigsResponse resp = {5, ARR(results)};

	for (int16_t v = 0; v <= 4; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_DESCRIBE_CONFIGS, v), v >= 4);
		ch_roundtrip(&kp_DescribeConfigsRequest, v, v >= 4, &req, check_dc_req);
		ch_roundtrip(&kp_DescribeConfigsResponse, v, v >= 4, &resp, check_dc_resp);
	}
}

/* ---- AlterConfigs (key 33): 0-2, flexible 2+ ------------------------------------------- */

static void ck_ac_cfg(int16_t v, const struct AlterConfigsRequestAlterableConfig *a,
		      const struct AlterConfigsRequestAlterableConfig *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK_STR(Value, true, STR_EMPTY);
}

static void ck_ac_res(int16_t v, const struct AlterConfigsRequestAlterConfigsResource *a,
		      const struct AlterConfigsRequestAlterConfigsResource *b)
{
	CK(ResourceType, true, 0);
	CK_STR(ResourceName, true, STR_EMPTY);
	CK_ARR(Configs, true, struct AlterConfigsRequestAlterableConfig, ck_ac_cfg);
}

static void check_ac_req(int16_t v, const void *in_, const void *out_)
{
	const struct AlterConfigsRequest *a = in_, *b = out_;

	CK_ARR(Resources, true, struct AlterConfigsRequestAlterConfigsResource, ck_ac_res);
	CK(ValidateOnly, true, false);
}

static void ck_ac_rr(int16_t v, const struct AlterConfigsResponseAlterConfigsResourceResponse *a,
		     const struct AlterConfigsResponseAlterConfigsResourceResponse *b)
{
	(void)v;
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
	CK(ResourceType, true, 0);
	CK_STR(ResourceName, true, STR_EMPTY);
}

static void check_ac_resp(int16_t v, const void *in_, const void *out_)
{
	const struct AlterConfigsResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Responses, true, struct AlterConfigsResponseAlterConfigsResourceResponse, ck_ac_rr);
}

static void test_alter_configs_all(void)
{
	struct AlterConfigsRequestAlterableConfig cfg[] = {
		{KP_STR_LIT("retention.ms"), KP_STR_LIT("1000")},
		{KP_STR_LIT("cleanup.policy"), KP_STR_NULL},
	};
	struct AlterConfigsRequestAlterConfigsResource res[] = {
		{2, KP_STR_LIT("alpha"), ARR(cfg)},
		{4, KP_STR_LIT("1"), EMPTY_ARR},
	};
	struct AlterConfigsRequest req = {ARR(res), true};
	struct AlterConfigsResponseAlterConfigsResourceResponse rr[] = {
		{0, KP_STR_NULL, 2, KP_STR_LIT("alpha")},
		{40, KP_STR_LIT("invalid config"), 4, KP_STR_LIT("1")},
	};
	struct AlterConfigsResponse resp = {9, ARR(rr)};

	for (int16_t v = 0; v <= 2; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_ALTER_CONFIGS, v), v >= 2);
		ch_roundtrip(&kp_AlterConfigsRequest, v, v >= 2, &req, check_ac_req);
		ch_roundtrip(&kp_AlterConfigsResponse, v, v >= 2, &resp, check_ac_resp);
	}
}

/* ---- CreatePartitions (key 37): 0-3, flexible 2+ --------------------------------------- */

static void ck_cp_asg(int16_t v, const struct CreatePartitionsAssignment *a,
		      const struct CreatePartitionsAssignment *b)
{
	(void)v;
	CK_I32S(BrokerIds, true);
}

static void ck_cp_topic(int16_t v, const struct CreatePartitionsTopic *a,
			const struct CreatePartitionsTopic *b)
{
	CK_STR(Name, true, STR_EMPTY);
	CK(Count, true, 0);
	CK_ARR(Assignments, true, struct CreatePartitionsAssignment, ck_cp_asg);
}

static void check_cp_req(int16_t v, const void *in_, const void *out_)
{
	const struct CreatePartitionsRequest *a = in_, *b = out_;

	CK_ARR(Topics, true, struct CreatePartitionsTopic, ck_cp_topic);
	CK(TimeoutMs, true, 0);
	CK(ValidateOnly, true, false);
}

static void ck_cp_res(int16_t v, const struct CreatePartitionsTopicResult *a,
		      const struct CreatePartitionsTopicResult *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, KP_STR_NULL);
}

static void check_cp_resp(int16_t v, const void *in_, const void *out_)
{
	const struct CreatePartitionsResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Results, true, struct CreatePartitionsTopicResult, ck_cp_res);
}

static void test_create_partitions_all(void)
{
	int32_t b0[] = {1, 2}, b1[] = {3};
	struct CreatePartitionsAssignment asg[] = {{ARR(b0)}, {ARR(b1)}, {EMPTY_ARR}};
	struct CreatePartitionsTopic topics[] = {
		{KP_STR_LIT("alpha"), 6, ARR(asg)},
		{KP_STR_LIT("beta"), 2, NULL_ARR},
		{KP_STR_LIT("gamma"), 1, EMPTY_ARR},
	};
	struct CreatePartitionsRequest req = {ARR(topics), 5000, true};
	struct CreatePartitionsTopicResult res[] = {
		{KP_STR_LIT("alpha"), 0, KP_STR_NULL},
		{KP_STR_LIT("beta"), 37, KP_STR_LIT("Topic already has 4 partitions.")},
	};
	struct CreatePartitionsResponse resp = {0, ARR(res)};

	for (int16_t v = 0; v <= 3; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_CREATE_PARTITIONS, v), v >= 2);
		ch_roundtrip(&kp_CreatePartitionsRequest, v, v >= 2, &req, check_cp_req);
		ch_roundtrip(&kp_CreatePartitionsResponse, v, v >= 2, &resp, check_cp_resp);
	}
}

/* ---- ElectLeaders (key 43): 0-2, flexible 2+ ------------------------------------------- */

static void ck_el_tp(int16_t v, const struct TopicPartitions *a, const struct TopicPartitions *b)
{
	(void)v;
	CK_STR(Topic, true, STR_EMPTY);
	CK_I32S(Partitions, true);
}

static void check_el_req(int16_t v, const void *in_, const void *out_)
{
	const struct ElectLeadersRequest *a = in_, *b = out_;

	CK(ElectionType, v >= 1, 0);
	CK_ARR(TopicPartitions, true, struct TopicPartitions, ck_el_tp);
	CK(TimeoutMs, true, 60000);
}

static void ck_el_pr(int16_t v, const struct PartitionResult *a, const struct PartitionResult *b)
{
	(void)v;
	CK(PartitionId, true, 0);
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
}

static void ck_el_rer(int16_t v, const struct ReplicaElectionResult *a,
		      const struct ReplicaElectionResult *b)
{
	CK_STR(Topic, true, STR_EMPTY);
	CK_ARR(PartitionResult, true, struct PartitionResult, ck_el_pr);
}

static void check_el_resp(int16_t v, const void *in_, const void *out_)
{
	const struct ElectLeadersResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, true, 0);
	CK(ErrorCode, v >= 1, 0);
	CK_ARR(ReplicaElectionResults, true, struct ReplicaElectionResult, ck_el_rer);
}

static void test_elect_leaders_all(void)
{
	int32_t p0[] = {0, 1, 2}, p1[] = {7};
	struct TopicPartitions tps[] = {{KP_STR_LIT("alpha"), ARR(p0)},
					{KP_STR_LIT("beta"), ARR(p1)},
					{KP_STR_LIT("gamma"), EMPTY_ARR}};
	struct ElectLeadersRequest req = {1, ARR(tps), 30000};
	struct PartitionResult pr0[] = {{0, 0, KP_STR_NULL}, {1, 84, KP_STR_LIT("not needed")}};
	struct PartitionResult pr1[] = {{7, 83, KP_STR_LIT("")}};
	struct ReplicaElectionResult rer[] = {{KP_STR_LIT("alpha"), ARR(pr0)},
					      {KP_STR_LIT("beta"), ARR(pr1)}};
	struct ElectLeadersResponse resp = {3, 41, ARR(rer)};

	for (int16_t v = 0; v <= 2; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_ELECT_LEADERS, v), v >= 2);
		req.TopicPartitions = ARR(tps);
		ch_roundtrip(&kp_ElectLeadersRequest, v, v >= 2, &req, check_el_req);
		req.TopicPartitions = NULL_ARR; /* null = every partition */
		ch_roundtrip(&kp_ElectLeadersRequest, v, v >= 2, &req, check_el_req);
		ch_roundtrip(&kp_ElectLeadersResponse, v, v >= 2, &resp, check_el_resp);
	}
}

/* ---- IncrementalAlterConfigs (key 44): 0-1, flexible 1+ -------------------------------- */

static void ck_iac_cfg(int16_t v, const struct IncrementalAlterConfigsRequestAlterableConfig *a,
		       const struct IncrementalAlterConfigsRequestAlterableConfig *b)
{
	(void)v;
	CK_STR(Name, true, STR_EMPTY);
	CK(ConfigOperation, true, 0);
	CK_STR(Value, true, STR_EMPTY);
}

static void ck_iac_res(int16_t v, const struct IncrementalAlterConfigsRequestAlterConfigsResource *a,
		       const struct IncrementalAlterConfigsRequestAlterConfigsResource *b)
{
	CK(ResourceType, true, 0);
	CK_STR(ResourceName, true, STR_EMPTY);
	CK_ARR(Configs, true, struct IncrementalAlterConfigsRequestAlterableConfig, ck_iac_cfg);
}

static void check_iac_req(int16_t v, const void *in_, const void *out_)
{
	const struct IncrementalAlterConfigsRequest *a = in_, *b = out_;

	CK_ARR(Resources, true, struct IncrementalAlterConfigsRequestAlterConfigsResource,
	       ck_iac_res);
	CK(ValidateOnly, true, false);
}

static void ck_iac_rr(int16_t v,
		      const struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse *a,
		      const struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse *b)
{
	(void)v;
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
	CK(ResourceType, true, 0);
	CK_STR(ResourceName, true, STR_EMPTY);
}

static void check_iac_resp(int16_t v, const void *in_, const void *out_)
{
	const struct IncrementalAlterConfigsResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Responses, true, struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
	       ck_iac_rr);
}

static void test_incremental_alter_configs_all(void)
{
	struct IncrementalAlterConfigsRequestAlterableConfig cfg[] = {
		{KP_STR_LIT("retention.ms"), 0, KP_STR_LIT("1000")},        /* SET */
		{KP_STR_LIT("cleanup.policy"), 1, KP_STR_NULL},             /* DELETE */
		{KP_STR_LIT("leader.replication.throttled.replicas"), 2, KP_STR_LIT("0:1")},
	};
	struct IncrementalAlterConfigsRequestAlterConfigsResource res[] = {
		{2, KP_STR_LIT("alpha"), ARR(cfg)},
		{4, KP_STR_LIT(""), EMPTY_ARR},
	};
	struct IncrementalAlterConfigsRequest req = {ARR(res), true};
	struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse rr[] = {
		{0, KP_STR_NULL, 2, KP_STR_LIT("alpha")},
		{40, KP_STR_LIT("bad"), 4, KP_STR_LIT("")},
	};
	struct IncrementalAlterConfigsResponse resp = {1, ARR(rr)};

	for (int16_t v = 0; v <= 1; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_INCREMENTAL_ALTER_CONFIGS, v), v >= 1);
		ch_roundtrip(&kp_IncrementalAlterConfigsRequest, v, v >= 1, &req, check_iac_req);
		ch_roundtrip(&kp_IncrementalAlterConfigsResponse, v, v >= 1, &resp, check_iac_resp);
	}
}

/* ---- DescribeCluster (key 60): 0-1, flexible 0+ ---------------------------------------- */

static void check_dcl_req(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeClusterRequest *a = in_, *b = out_;

	CK(IncludeClusterAuthorizedOperations, true, false);
	CK(EndpointType, v >= 1, 1);
}

static void ck_dcl_broker(int16_t v, const struct DescribeClusterBroker *a,
			  const struct DescribeClusterBroker *b)
{
	(void)v;
	CK(BrokerId, true, 0);
	CK_STR(Host, true, STR_EMPTY);
	CK(Port, true, 0);
	CK_STR(Rack, true, KP_STR_NULL);
}

static void check_dcl_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeClusterResponse *a = in_, *b = out_;

	CK(ThrottleTimeMs, true, 0);
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, KP_STR_NULL);
	CK(EndpointType, v >= 1, 1);
	CK_STR(ClusterId, true, STR_EMPTY);
	CK(ControllerId, true, -1);
	CK_ARR(Brokers, true, struct DescribeClusterBroker, ck_dcl_broker);
	CK(ClusterAuthorizedOperations, true, INT32_MIN);
}

static void test_describe_cluster_all(void)
{
	struct DescribeClusterRequest req = {true, 2};
	struct DescribeClusterBroker brokers[] = {
		{1, KP_STR_LIT("host-1"), 9092, KP_STR_LIT("rack-a")},
		{2, KP_STR_LIT("host-2"), 9093, KP_STR_NULL},
		{3, KP_STR_LIT(""), 0, KP_STR_LIT("")},
	};
	struct DescribeClusterResponse resp = {
		.ThrottleTimeMs = 5, .ErrorCode = 0, .ErrorMessage = KP_STR_LIT("ok?"),
		.EndpointType = 2, .ClusterId = KP_STR_LIT("kb-cluster"), .ControllerId = 2,
		.Brokers = ARR(brokers), .ClusterAuthorizedOperations = 0x0ff8,
	};

	for (int16_t v = 0; v <= 1; v++) {
		CU_ASSERT_TRUE(ch_flexible(KP_API_DESCRIBE_CLUSTER, v));
		ch_roundtrip(&kp_DescribeClusterRequest, v, true, &req, check_dcl_req);
		ch_roundtrip(&kp_DescribeClusterResponse, v, true, &resp, check_dcl_resp);
		resp.ErrorMessage = KP_STR_NULL;
		ch_roundtrip(&kp_DescribeClusterResponse, v, true, &resp, check_dcl_resp);
		resp.ErrorMessage = KP_STR_LIT("ok?");
	}
}

/* ---- Golden bytes ---------------------------------------------------------------------- */

static void test_golden_create_topics_v5_response(void)
{
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x00,             /* ThrottleTimeMs */
		0x02,                               /* Topics: 1 */
		0x02, 't',                          /* Name "t" */
		0x00, 0x00,                         /* ErrorCode */
		0x00,                               /* ErrorMessage: null */
		0x00, 0x00, 0x00, 0x03,             /* NumPartitions 3 */
		0x00, 0x01,                         /* ReplicationFactor 1 */
		0x00,                               /* Configs: null */
		0x01,                               /* topic tags: 1 */
		0x00, 0x02, 0x00, 0x28,             /*   tag 0 TopicConfigErrorCode, 2 bytes: 40 */
		0x00,                               /* tags */
	};
	struct CreatableTopicResult t = {.Name = KP_STR_LIT("t"), .ErrorMessage = KP_STR_NULL,
					 .TopicConfigErrorCode = 40, .NumPartitions = 3,
					 .ReplicationFactor = 1, .Configs = NULL_ARR};
	struct CreateTopicsResponse in = {0, {&t, 1}}, out;
	struct arena a;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_CreateTopicsResponse, 5, true, &in, want, sizeof(want), &a, &out);
	CU_ASSERT_EQUAL_FATAL(out.Topics.count, 1);
	const struct CreatableTopicResult *ot = out.Topics.elems;
	CU_ASSERT(ot->TopicConfigErrorCode == 40 && ot->NumPartitions == 3);
	CU_ASSERT(ot->ErrorMessage.len == -1 && ch_array_is(ot->Configs, -1));
	arena_destroy(&a);
}

static void test_golden_describe_cluster(void)
{
	static const uint8_t resp0[] = {
		0x00, 0x00, 0x00, 0x00,             /* ThrottleTimeMs */
		0x00, 0x00,                         /* ErrorCode */
		0x00,                               /* ErrorMessage: null */
		0x02, 'c',                          /* ClusterId "c" */
		0x00, 0x00, 0x00, 0x01,             /* ControllerId 1 */
		0x02,                               /* Brokers: 1 */
		0x00, 0x00, 0x00, 0x01,             /* BrokerId 1 */
		0x02, 'h',                          /* Host "h" */
		0x00, 0x00, 0x23, 0x84,             /* Port 9092 */
		0x00,                               /* Rack: null */
		0x00,                               /* broker tags */
		0x80, 0x00, 0x00, 0x00,             /* ClusterAuthorizedOperations INT32_MIN */
		0x00,                               /* tags */
	};
	static const uint8_t req1[] = {0x01, 0x02, 0x00};
	struct DescribeClusterBroker b = {1, KP_STR_LIT("h"), 9092, KP_STR_NULL};
	struct DescribeClusterResponse in = {
		.ErrorMessage = KP_STR_NULL, .EndpointType = 2, .ClusterId = KP_STR_LIT("c"),
		.ControllerId = 1, .Brokers = {&b, 1}, .ClusterAuthorizedOperations = INT32_MIN,
	}, out;
	struct DescribeClusterRequest rin = {true, 2}, rout;
	struct arena a;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_DescribeClusterResponse, 0, true, &in, resp0, sizeof(resp0), &a, &out);
	CU_ASSERT(out.EndpointType == 1 && out.ControllerId == 1 && out.ErrorMessage.len == -1);
	CU_ASSERT_TRUE(kp_str_eq_c(out.ClusterId, "c"));
	ch_golden(&kp_DescribeClusterRequest, 1, true, &rin, req1, sizeof(req1), &a, &rout);
	arena_destroy(&a);
}

static void test_golden_delete_topics_v6(void)
{
	static const uint8_t want[] = {
		0x02,                                           /* Topics: 1 */
		0x00,                                           /* Name: null */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* TopicId = UUID_A */
		0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01,
		0x00,                                           /* topic tags */
		0x00, 0x00, 0x03, 0xe8,                         /* TimeoutMs 1000 */
		0x00,                                           /* tags */
	};
	struct kp_str names[] = {KP_STR_LIT("ignored")};
	struct DeleteTopicState st = {KP_STR_NULL, {0}};
	struct DeleteTopicsRequest in = {{&st, 1}, ARR(names), 1000}, out;
	struct arena a;

	memcpy(st.TopicId, UUID_A, 16);
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_DeleteTopicsRequest, 6, true, &in, want, sizeof(want), &a, &out);
	CU_ASSERT(ch_array_is(out.TopicNames, 0) && out.Topics.count == 1);
	arena_destroy(&a);
}

/* ---- Hostile input, defaults, table sanity, API table ---------------------------------- */

static void test_hostile(void)
{
	/* DescribeConfigsRequest v0: ConfigurationKeys length -2. */
	static const uint8_t neg[] = {0, 0, 0, 1, 2, 0, 1, 't', 0xff, 0xff, 0xff, 0xfe};
	/* ... and null (allowed). */
	static const uint8_t null_keys[] = {0, 0, 0, 1, 2, 0, 1, 't', 0xff, 0xff, 0xff, 0xff};
	/* CreateTopicsRequest v0: a null topic name. */
	static const uint8_t null_name[] = {0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 1, 0, 1,
					    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xea, 0x60};
	/* CreateTopicsRequest v5: 2^31-1 topics (compact). */
	static const uint8_t huge[16] = {0x80, 0x80, 0x80, 0x80, 0x08};
	/* DeleteTopicsRequest v6: Topics[0] tags claim 200 bytes. */
	static const uint8_t tag_past[] = {0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0, 0, 0x01, 0x07, 0xc8, 0x01, 0, 0, 0, 0, 0};

	CU_ASSERT_EQUAL(ch_decode_err(&kp_DescribeConfigsRequest, 0, false, neg, sizeof(neg), ARENA_MAX),
			KP_ERR_INVALID);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_DescribeConfigsRequest, 0, false, null_keys,
				   sizeof(null_keys), ARENA_MAX), KP_OK);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_CreateTopicsRequest, 0, false, null_name, sizeof(null_name),
				   ARENA_MAX), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_CreateTopicsRequest, 5, true, huge, sizeof(huge), ARENA_MAX),
			KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_DeleteTopicsRequest, 6, true, tag_past, sizeof(tag_past),
				   ARENA_MAX), KP_ERR_INVALID);
}

static void test_encode_errors(void)
{
	struct DeletableTopicResult r = {.Name = KP_STR_NULL};
	struct DeleteTopicsResponse in = {0, {&r, 1}};
	struct CreatableTopicResult t = {.Name = KP_STR_LIT("t"), .Configs = NULL_ARR};
	struct CreateTopicsResponse ct = {0, {&t, 1}};
	struct kbuf b;

	kbuf_init(&b, BUF_MAX);
	CU_ASSERT_EQUAL(kp_encode(&kp_DeleteTopicsResponse, 5, true, &in, &b), KP_ERR_INVALID);
	kbuf_reset(&b);
	CU_ASSERT_EQUAL(kp_encode(&kp_DeleteTopicsResponse, 6, true, &in, &b), KP_OK);
	kbuf_reset(&b);
	CU_ASSERT_EQUAL(kp_encode(&kp_CreateTopicsResponse, 4, false, &ct, &b), KP_OK); /* absent */
	kbuf_reset(&b);
	CU_ASSERT_EQUAL(kp_encode(&kp_CreateTopicsResponse, 5, true, &ct, &b), KP_OK);
	t.ErrorMessage = KP_STR_NULL;
	kbuf_reset(&b);
	CU_ASSERT_EQUAL(kp_encode(&kp_CreateTopicsResponse, 1, false, &ct, &b), KP_OK);
	kbuf_free(&b);
}

static void test_defaults(void)
{
	struct CreateTopicsRequest ct;
	struct ElectLeadersRequest el;
	struct DescribeClusterRequest dq;
	struct DescribeClusterResponse dr;
	struct DeleteTopicsResponse dt;

	memset(&ct, 0x5a, sizeof(ct));
	kp_set_defaults(&kp_CreateTopicsRequest, &ct);
	CU_ASSERT(ct.timeoutMs == 60000 && !ct.validateOnly && ch_array_is(ct.Topics, 0));
	memset(&el, 0x5a, sizeof(el));
	kp_set_defaults(&kp_ElectLeadersRequest, &el);
	CU_ASSERT(el.TimeoutMs == 60000 && el.ElectionType == 0 && ch_array_is(el.TopicPartitions, 0));
	memset(&dq, 0x5a, sizeof(dq));
	kp_set_defaults(&kp_DescribeClusterRequest, &dq);
	CU_ASSERT(dq.EndpointType == 1 && !dq.IncludeClusterAuthorizedOperations);
	memset(&dr, 0x5a, sizeof(dr));
	kp_set_defaults(&kp_DescribeClusterResponse, &dr);
	CU_ASSERT(dr.EndpointType == 1 && dr.ControllerId == -1 && dr.ErrorMessage.len == -1);
	CU_ASSERT(dr.ClusterAuthorizedOperations == INT32_MIN && dr.ClusterId.len == 0);
	memset(&dt, 0x5a, sizeof(dt));
	kp_set_defaults(&kp_DeleteTopicsResponse, &dt);
	CU_ASSERT(dt.ThrottleTimeMs == 0 && ch_array_is(dt.Responses, 0));
}

struct api_row {
	int16_t key, vmax, flex;
	const struct kp_struct *req, *resp;
	uint32_t req_fields, resp_fields;
	uint32_t req_size, resp_size;
};

static const struct api_row admin_apis[] = {
	{KP_API_CREATE_TOPICS, 7, 5, &kp_CreateTopicsRequest, &kp_CreateTopicsResponse, 3, 2,
	 sizeof(struct CreateTopicsRequest), sizeof(struct CreateTopicsResponse)},
	{KP_API_DELETE_TOPICS, 6, 4, &kp_DeleteTopicsRequest, &kp_DeleteTopicsResponse, 3, 2,
	 sizeof(struct DeleteTopicsRequest), sizeof(struct DeleteTopicsResponse)},
	{KP_API_DESCRIBE_CONFIGS, 4, 4, &kp_DescribeConfigsRequest, &kp_DescribeConfigsResponse, 3,
	 2, sizeof(struct DescribeConfigsRequest), sizeof(struct DescribeConfigsResponse)},
	{KP_API_ALTER_CONFIGS, 2, 2, &kp_AlterConfigsRequest, &kp_AlterConfigsResponse, 2, 2,
	 sizeof(struct AlterConfigsRequest), sizeof(struct AlterConfigsResponse)},
	{KP_API_CREATE_PARTITIONS, 3, 2, &kp_CreatePartitionsRequest, &kp_CreatePartitionsResponse,
	 3, 2, sizeof(struct CreatePartitionsRequest), sizeof(struct CreatePartitionsResponse)},
	{KP_API_ELECT_LEADERS, 2, 2, &kp_ElectLeadersRequest, &kp_ElectLeadersResponse, 3, 3,
	 sizeof(struct ElectLeadersRequest), sizeof(struct ElectLeadersResponse)},
	{KP_API_INCREMENTAL_ALTER_CONFIGS, 1, 1, &kp_IncrementalAlterConfigsRequest,
	 &kp_IncrementalAlterConfigsResponse, 2, 2, sizeof(struct IncrementalAlterConfigsRequest),
	 sizeof(struct IncrementalAlterConfigsResponse)},
	{KP_API_DESCRIBE_CLUSTER, 1, 0, &kp_DescribeClusterRequest, &kp_DescribeClusterResponse, 2,
	 8, sizeof(struct DescribeClusterRequest), sizeof(struct DescribeClusterResponse)},
};

static void test_table_sanity(void)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(admin_apis); i++) {
		const struct api_row *r = &admin_apis[i];
		ch_check_desc(r->req, 0);
		ch_check_desc(r->resp, 0);
		CU_ASSERT_EQUAL(r->req->nfields, r->req_fields);
		CU_ASSERT_EQUAL(r->resp->nfields, r->resp_fields);
		CU_ASSERT_EQUAL(r->req->size, r->req_size);
		CU_ASSERT_EQUAL(r->resp->size, r->resp_size);
	}
}

static void test_api_table(void)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(admin_apis); i++) {
		const struct api_row *r = &admin_apis[i];
		const struct kp_api *api = kp_api_find(r->key);
		CU_ASSERT_PTR_NOT_NULL_FATAL(api);
		CU_ASSERT(api->key == r->key && api->vmin == 0 && api->vmax == r->vmax);
		CU_ASSERT_EQUAL(api->flex_min, r->flex);
		CU_ASSERT(api->request == r->req && api->response == r->resp);
		if (r->flex > 0)
			CU_ASSERT_FALSE(kp_api_flexible(api, (int16_t)(r->flex - 1)));
		CU_ASSERT_TRUE(kp_api_flexible(api, r->flex));
		if (i > 0) /* sorted by key */
			CU_ASSERT_TRUE(api > kp_api_find(admin_apis[i - 1].key));
	}
}

void suite_codec_admin(void)
{
	CU_pSuite s = CU_add_suite("codec_admin", NULL, NULL);

	CU_add_test(s, "CreateTopicsRequest v0-7 round trip", test_create_topics_request_all);
	CU_add_test(s, "CreateTopicsResponse v0-7 round trip", test_create_topics_response_all);
	CU_add_test(s, "DeleteTopics v0-6 round trip", test_delete_topics_all);
	CU_add_test(s, "DescribeConfigs v0-4 round trip", test_describe_configs_all);
	CU_add_test(s, "AlterConfigs v0-2 round trip", test_alter_configs_all);
	CU_add_test(s, "CreatePartitions v0-3 round trip", test_create_partitions_all);
	CU_add_test(s, "ElectLeaders v0-2 round trip", test_elect_leaders_all);
	CU_add_test(s, "IncrementalAlterConfigs v0-1 round trip",
		    test_incremental_alter_configs_all);
	CU_add_test(s, "DescribeCluster v0-1 round trip", test_describe_cluster_all);
	CU_add_test(s, "golden CreateTopicsResponse v5 TopicConfigErrorCode",
		    test_golden_create_topics_v5_response);
	CU_add_test(s, "golden DescribeCluster v0 response / v1 request",
		    test_golden_describe_cluster);
	CU_add_test(s, "golden DeleteTopicsRequest v6", test_golden_delete_topics_v6);
	CU_add_test(s, "hostile input", test_hostile);
	CU_add_test(s, "encode errors", test_encode_errors);
	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "descriptor table sanity", test_table_sanity);
	CU_add_test(s, "API table", test_api_table);
}

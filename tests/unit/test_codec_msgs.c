/* test_codec_msgs.c — message-level tests of the walker (net/kp_codec.c), the descriptor
 * tables (net/kp_msgs.c) and the headers/API table (net/kp_api.c).
 *
 *   - Round trips for every version of ApiVersions (0-4) and Metadata (0-12), request and
 *     response: encode, decode, compare field by field against hand-written version rules
 *     (absent fields must come back as their defaults), re-encode byte-identically, and
 *     decode every truncated prefix (must fail, never crash).
 *   - Golden bytes derived by hand from kafka-schemas.md.
 *   - Hostile input: huge counts, bad lengths, nulls, tag order; headers v1/v2 and KIP-511.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "codec_harness.h"

void suite_codec_msgs(void);

static void check_av_req(int16_t v, const void *in_, const void *out_)
{
	const struct ApiVersionsRequest *in = in_, *out = out_;

	if (v >= 3) {
		CU_ASSERT_TRUE(kp_str_eq(out->ClientSoftwareName, in->ClientSoftwareName));
		CU_ASSERT_TRUE(kp_str_eq(out->ClientSoftwareVersion, in->ClientSoftwareVersion));
	} else {
		CU_ASSERT_EQUAL(out->ClientSoftwareName.len, 0);
		CU_ASSERT_EQUAL(out->ClientSoftwareVersion.len, 0);
	}
}

static void test_api_versions_request_all(void)
{
	struct ApiVersionsRequest in = {KP_STR_LIT("kbroker-test"), KP_STR_LIT("1.2.3")};

	for (int16_t v = 0; v <= 4; v++) {
		CU_ASSERT_EQUAL(ch_flexible(KP_API_API_VERSIONS, v), v >= 3);
		ch_roundtrip(&kp_ApiVersionsRequest, v, ch_flexible(KP_API_API_VERSIONS, v), &in,
			  check_av_req);
	}
}

static void check_features(const struct kp_array *in, const struct kp_array *out, bool finalized)
{
	CU_ASSERT_EQUAL_FATAL(out->count, in->count);
	for (int32_t i = 0; i < in->count; i++) {
		if (finalized) {
			const struct FinalizedFeatureKey *a = in->elems, *b = out->elems;
			CU_ASSERT_TRUE(kp_str_eq(a[i].Name, b[i].Name));
			CU_ASSERT_EQUAL(a[i].MaxVersionLevel, b[i].MaxVersionLevel);
			CU_ASSERT_EQUAL(a[i].MinVersionLevel, b[i].MinVersionLevel);
		} else {
			const struct SupportedFeatureKey *a = in->elems, *b = out->elems;
			CU_ASSERT_TRUE(kp_str_eq(a[i].Name, b[i].Name));
			CU_ASSERT_EQUAL(a[i].MinVersion, b[i].MinVersion);
			CU_ASSERT_EQUAL(a[i].MaxVersion, b[i].MaxVersion);
		}
	}
}

static void check_av_resp(int16_t v, const void *in_, const void *out_)
{
	const struct ApiVersionsResponse *in = in_, *out = out_;

	CU_ASSERT_EQUAL(out->ErrorCode, in->ErrorCode);
	CU_ASSERT_EQUAL_FATAL(out->ApiKeys.count, in->ApiKeys.count);
	const struct ApiVersion *a = in->ApiKeys.elems, *b = out->ApiKeys.elems;
	for (int32_t i = 0; i < in->ApiKeys.count; i++) {
		CU_ASSERT_EQUAL(a[i].ApiKey, b[i].ApiKey);
		CU_ASSERT_EQUAL(a[i].MinVersion, b[i].MinVersion);
		CU_ASSERT_EQUAL(a[i].MaxVersion, b[i].MaxVersion);
	}
	CU_ASSERT_EQUAL(out->ThrottleTimeMs, v >= 1 ? in->ThrottleTimeMs : 0);
	if (v >= 3) {
		check_features(&in->SupportedFeatures, &out->SupportedFeatures, false);
		CU_ASSERT_EQUAL(out->FinalizedFeaturesEpoch, in->FinalizedFeaturesEpoch);
		check_features(&in->FinalizedFeatures, &out->FinalizedFeatures, true);
		CU_ASSERT_EQUAL(out->ZkMigrationReady, in->ZkMigrationReady);
	} else {
		CU_ASSERT_TRUE(ch_array_is(out->SupportedFeatures, 0));
		CU_ASSERT_EQUAL(out->FinalizedFeaturesEpoch, -1);
		CU_ASSERT_TRUE(ch_array_is(out->FinalizedFeatures, 0));
		CU_ASSERT_FALSE(out->ZkMigrationReady);
	}
}

static void test_api_versions_response_all(void)
{
	struct ApiVersion keys[] = {{18, 0, 4}, {3, 0, 12}, {0, 3, 11}};
	struct SupportedFeatureKey sup[] = {{KP_STR_LIT("metadata.version"), 1, 20},
					    {KP_STR_LIT("kraft.version"), 0, 1}};
	struct FinalizedFeatureKey fin[] = {{KP_STR_LIT("metadata.version"), 20, 1}};
	struct ApiVersionsResponse in = {
		.ErrorCode = 35,
		.ApiKeys = ARR(keys),
		.ThrottleTimeMs = 250,
		.SupportedFeatures = ARR(sup),
		.FinalizedFeaturesEpoch = 42,
		.FinalizedFeatures = ARR(fin),
		.ZkMigrationReady = true,
	};

	for (int16_t v = 0; v <= 4; v++)
		ch_roundtrip(&kp_ApiVersionsResponse, v, ch_flexible(KP_API_API_VERSIONS, v), &in,
			  check_av_resp);
	/* Only some tags non-default: the others must come back as defaults. */
	in.SupportedFeatures = (struct kp_array){NULL, 0};
	in.FinalizedFeaturesEpoch = -1;
	for (int16_t v = 3; v <= 4; v++)
		ch_roundtrip(&kp_ApiVersionsResponse, v, true, &in, check_av_resp);
}

/* ---- Metadata round trips -------------------------------------------------------------- */

static void check_md_req(int16_t v, const void *in_, const void *out_)
{
	const struct MetadataRequest *in = in_, *out = out_;

	CU_ASSERT_EQUAL_FATAL(out->Topics.count, in->Topics.count);
	if (in->Topics.count < 0)
		CU_ASSERT_PTR_NULL(out->Topics.elems);
	const struct MetadataRequestTopic *a = in->Topics.elems, *b = out->Topics.elems;
	for (int32_t i = 0; i < in->Topics.count; i++) {
		CU_ASSERT_EQUAL(memcmp(b[i].TopicId, v >= 10 ? a[i].TopicId : UUID_ZERO, 16), 0);
		CU_ASSERT_TRUE(kp_str_eq(b[i].Name, a[i].Name));
	}
	CU_ASSERT_EQUAL(out->AllowAutoTopicCreation, v >= 4 ? in->AllowAutoTopicCreation : true);
	CU_ASSERT_EQUAL(out->IncludeClusterAuthorizedOperations,
			v >= 8 && v <= 10 ? in->IncludeClusterAuthorizedOperations : false);
	CU_ASSERT_EQUAL(out->IncludeTopicAuthorizedOperations,
			v >= 8 ? in->IncludeTopicAuthorizedOperations : false);
}

static void test_metadata_request_all(void)
{
	for (int16_t v = 0; v <= 12; v++) {
		struct MetadataRequestTopic topics[] = {
			{.Name = KP_STR_LIT("alpha")},
			{.Name = v >= 10 ? KP_STR_NULL : KP_STR_LIT("beta")},
			{.Name = KP_STR_LIT("")},
		};
		memcpy(topics[0].TopicId, UUID_A, 16);
		memcpy(topics[1].TopicId, UUID_B, 16);
		struct MetadataRequest in = {
			.Topics = ARR(topics),
			.AllowAutoTopicCreation = false,
			.IncludeClusterAuthorizedOperations = true,
			.IncludeTopicAuthorizedOperations = true,
		};
		CU_ASSERT_EQUAL(ch_flexible(KP_API_METADATA, v), v >= 9);
		ch_roundtrip(&kp_MetadataRequest, v, v >= 9, &in, check_md_req);
		if (v >= 1) { /* null = all topics */
			in.Topics = NULL_ARR;
			ch_roundtrip(&kp_MetadataRequest, v, v >= 9, &in, check_md_req);
		}
	}
}

static void check_md_broker(int16_t v, const struct MetadataResponseBroker *a,
			    const struct MetadataResponseBroker *b)
{
	CU_ASSERT_EQUAL(b->NodeId, a->NodeId);
	CU_ASSERT_TRUE(kp_str_eq(b->Host, a->Host));
	CU_ASSERT_EQUAL(b->Port, a->Port);
	CU_ASSERT_TRUE(kp_str_eq(b->Rack, v >= 1 ? a->Rack : KP_STR_NULL));
}

static void check_md_partition(int16_t v, const struct MetadataResponsePartition *a,
			       const struct MetadataResponsePartition *b)
{
	CU_ASSERT_EQUAL(b->ErrorCode, a->ErrorCode);
	CU_ASSERT_EQUAL(b->PartitionIndex, a->PartitionIndex);
	CU_ASSERT_EQUAL(b->LeaderId, a->LeaderId);
	CU_ASSERT_EQUAL(b->LeaderEpoch, v >= 7 ? a->LeaderEpoch : -1);
	CU_ASSERT_TRUE(ch_i32_array_eq(b->ReplicaNodes, a->ReplicaNodes));
	CU_ASSERT_TRUE(ch_i32_array_eq(b->IsrNodes, a->IsrNodes));
	CU_ASSERT_TRUE(v >= 5 ? ch_i32_array_eq(b->OfflineReplicas, a->OfflineReplicas)
			      : ch_array_is(b->OfflineReplicas, 0));
}

static void check_md_topic(int16_t v, const struct MetadataResponseTopic *a,
			   const struct MetadataResponseTopic *b)
{
	CU_ASSERT_EQUAL(b->ErrorCode, a->ErrorCode);
	CU_ASSERT_TRUE(kp_str_eq(b->Name, a->Name));
	CU_ASSERT_EQUAL(memcmp(b->TopicId, v >= 10 ? a->TopicId : UUID_ZERO, 16), 0);
	CU_ASSERT_EQUAL(b->IsInternal, v >= 1 ? a->IsInternal : false);
	CU_ASSERT_EQUAL_FATAL(b->Partitions.count, a->Partitions.count);
	const struct MetadataResponsePartition *pa = a->Partitions.elems, *pb = b->Partitions.elems;
	for (int32_t i = 0; i < a->Partitions.count; i++)
		check_md_partition(v, &pa[i], &pb[i]);
	CU_ASSERT_EQUAL(b->TopicAuthorizedOperations,
			v >= 8 ? a->TopicAuthorizedOperations : INT32_MIN);
}

static void check_md_resp(int16_t v, const void *in_, const void *out_)
{
	const struct MetadataResponse *in = in_, *out = out_;

	CU_ASSERT_EQUAL(out->ThrottleTimeMs, v >= 3 ? in->ThrottleTimeMs : 0);
	CU_ASSERT_EQUAL_FATAL(out->Brokers.count, in->Brokers.count);
	const struct MetadataResponseBroker *ba = in->Brokers.elems, *bb = out->Brokers.elems;
	for (int32_t i = 0; i < in->Brokers.count; i++)
		check_md_broker(v, &ba[i], &bb[i]);
	CU_ASSERT_TRUE(kp_str_eq(out->ClusterId, v >= 2 ? in->ClusterId : KP_STR_NULL));
	CU_ASSERT_EQUAL(out->ControllerId, v >= 1 ? in->ControllerId : -1);
	CU_ASSERT_EQUAL_FATAL(out->Topics.count, in->Topics.count);
	const struct MetadataResponseTopic *ta = in->Topics.elems, *tb = out->Topics.elems;
	for (int32_t i = 0; i < in->Topics.count; i++)
		check_md_topic(v, &ta[i], &tb[i]);
	CU_ASSERT_EQUAL(out->ClusterAuthorizedOperations,
			v >= 8 && v <= 10 ? in->ClusterAuthorizedOperations : INT32_MIN);
}

static void test_metadata_response_version(int16_t v)
{
	int32_t rep0[] = {1, 2, 3}, isr0[] = {1, 2}, off0[] = {3}, rep1[] = {2};
	struct MetadataResponsePartition parts[] = {
		{0, 0, 1, 5, ARR(rep0), ARR(isr0), ARR(off0)},
		{9, 1, -1, 7, ARR(rep1), {NULL, 0}, {NULL, 0}},
	};
	struct MetadataResponseTopic topics[] = {
		{.ErrorCode = 0, .Name = KP_STR_LIT("alpha"), .IsInternal = true,
		 .Partitions = ARR(parts), .TopicAuthorizedOperations = 0x0f},
		{.ErrorCode = 3, .Name = v >= 12 ? KP_STR_NULL : KP_STR_LIT("beta"),
		 .IsInternal = false, .Partitions = {NULL, 0},
		 .TopicAuthorizedOperations = INT32_MIN + 1},
	};
	struct MetadataResponseBroker brokers[] = {
		{1, KP_STR_LIT("host-a"), 9092, KP_STR_LIT("rack-1")},
		{2, KP_STR_LIT("host-b"), 9093, KP_STR_NULL},
		{3, KP_STR_LIT(""), 0, KP_STR_LIT("")},
	};
	struct MetadataResponse in = {
		.ThrottleTimeMs = 100,
		.Brokers = ARR(brokers),
		.ClusterId = v % 2 ? KP_STR_NULL : KP_STR_LIT("kb-cluster"),
		.ControllerId = 2,
		.Topics = ARR(topics),
		.ClusterAuthorizedOperations = 0xff,
	};

	memcpy(topics[0].TopicId, UUID_A, 16);
	memcpy(topics[1].TopicId, UUID_B, 16);
	ch_roundtrip(&kp_MetadataResponse, v, ch_flexible(KP_API_METADATA, v), &in, check_md_resp);
}

static void test_metadata_response_all(void)
{
	for (int16_t v = 0; v <= 12; v++)
		test_metadata_response_version(v);
}

/* ---- Golden bytes ---------------------------------------------------------------------- */

static void test_golden_api_versions_request(void)
{
	struct arena a;
	static const uint8_t v3[] = {0x03, 'k', 'b', 0x04, '1', '.', '0', 0x00};
	struct ApiVersionsRequest in = {KP_STR_LIT("kb"), KP_STR_LIT("1.0")}, out;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_ApiVersionsRequest, 0, false, &in, NULL, 0, &a, &out); /* v0 body is empty */
	CU_ASSERT_EQUAL(out.ClientSoftwareName.len, 0);
	ch_golden(&kp_ApiVersionsRequest, 3, true, &in, v3, sizeof(v3), &a, &out);
	CU_ASSERT_TRUE(kp_str_eq_c(out.ClientSoftwareName, "kb"));
	CU_ASSERT_TRUE(kp_str_eq_c(out.ClientSoftwareVersion, "1.0"));
	arena_destroy(&a);
}

static void test_golden_api_versions_response(void)
{
	struct arena a;
	static const uint8_t v0[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12,
				     0x00, 0x00, 0x00, 0x04};
	static const uint8_t v3[] = {
		0x00, 0x00,                         /* ErrorCode */
		0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00, /* ApiKeys: 1 entry + its tags */
		0x00, 0x00, 0x00, 0x00,             /* ThrottleTimeMs */
		0x00,                               /* no tagged fields */
	};
	static const uint8_t v3_tags[] = {
		0x00, 0x00, 0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x03,                                           /* three tagged fields */
		0x00, 0x09, 0x02, 0x03, 'm', 'v', 0x00, 0x01, 0x00, 0x14, 0x00, /* 0: features */
		0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x05,          /* 1: FinalizedFeaturesEpoch */
		0x03, 0x01, 0x01,                               /* 3: ZkMigrationReady */
	};
	struct ApiVersion key = {18, 0, 4};
	struct SupportedFeatureKey sup = {KP_STR_LIT("mv"), 1, 20};
	struct ApiVersionsResponse in = {
		.ApiKeys = {&key, 1},
		.FinalizedFeaturesEpoch = -1,
	}, out;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_ApiVersionsResponse, 0, false, &in, v0, sizeof(v0), &a, &out);
	ch_golden(&kp_ApiVersionsResponse, 3, true, &in, v3, sizeof(v3), &a, &out);
	in.SupportedFeatures = (struct kp_array){&sup, 1};
	in.FinalizedFeaturesEpoch = 5;
	in.ZkMigrationReady = true;
	ch_golden(&kp_ApiVersionsResponse, 3, true, &in, v3_tags, sizeof(v3_tags), &a, &out);
	CU_ASSERT_EQUAL(out.FinalizedFeaturesEpoch, 5);
	CU_ASSERT_TRUE(out.ZkMigrationReady);
	CU_ASSERT_TRUE(ch_array_is(out.FinalizedFeatures, 0));
	CU_ASSERT_EQUAL_FATAL(out.SupportedFeatures.count, 1);
	const struct SupportedFeatureKey *f = out.SupportedFeatures.elems;
	CU_ASSERT(kp_str_eq_c(f->Name, "mv") && f->MinVersion == 1 && f->MaxVersion == 20);
	arena_destroy(&a);
}

static void test_golden_metadata_request(void)
{
	struct arena a;
	static const uint8_t v0[] = {0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't'};
	static const uint8_t v1_null[] = {0xff, 0xff, 0xff, 0xff};
	static const uint8_t v9[] = {0x02, 0x02, 't', 0x00, 0x01, 0x00, 0x00, 0x00};
	static const uint8_t v12[] = {
		0x02,                                           /* Topics: 1 */
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, /* TopicId = UUID_A */
		0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01,
		0x00,                                           /* Name: null */
		0x00,                                           /* topic tags */
		0x01,                                           /* AllowAutoTopicCreation */
		0x01,                                           /* IncludeTopicAuthorizedOperations */
		0x00,                                           /* tags */
	};
	struct MetadataRequestTopic t = {.Name = KP_STR_LIT("t")};
	struct MetadataRequest in = {.Topics = {&t, 1}, .AllowAutoTopicCreation = true}, out;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_MetadataRequest, 0, false, &in, v0, sizeof(v0), &a, &out);
	ch_golden(&kp_MetadataRequest, 9, true, &in, v9, sizeof(v9), &a, &out);
	in.Topics = NULL_ARR;
	ch_golden(&kp_MetadataRequest, 1, false, &in, v1_null, sizeof(v1_null), &a, &out);
	CU_ASSERT_TRUE(ch_array_is(out.Topics, -1));
	CU_ASSERT_TRUE(out.AllowAutoTopicCreation); /* absent in v1: default true */
	t.Name = KP_STR_NULL;
	memcpy(t.TopicId, UUID_A, 16);
	in.Topics = (struct kp_array){&t, 1};
	in.IncludeTopicAuthorizedOperations = true;
	ch_golden(&kp_MetadataRequest, 12, true, &in, v12, sizeof(v12), &a, &out);
	const struct MetadataRequestTopic *ot = out.Topics.elems;
	CU_ASSERT(out.Topics.count == 1 && ot->Name.len == -1 && ot->Name.ptr == NULL);
	arena_destroy(&a);
}

static void test_golden_metadata_response(void)
{
	struct arena a;
	static const uint8_t v0[] = {
		0x00, 0x00, 0x00, 0x01,             /* Brokers: 1 */
		0x00, 0x00, 0x00, 0x01,             /* NodeId 1 */
		0x00, 0x01, 'h',                    /* Host "h" */
		0x00, 0x00, 0x23, 0x84,             /* Port 9092 */
		0x00, 0x00, 0x00, 0x00,             /* Topics: 0 */
	};
	static const uint8_t v9[] = {
		0x00, 0x00, 0x00, 0x00,                         /* ThrottleTimeMs */
		0x02,                                           /* Brokers: 1 */
		0x00, 0x00, 0x00, 0x01, 0x02, 'h', 0x00, 0x00, 0x23, 0x84,
		0x00,                                           /* Rack: null */
		0x00,                                           /* broker tags */
		0x02, 'c',                                      /* ClusterId "c" */
		0x00, 0x00, 0x00, 0x01,                         /* ControllerId */
		0x02,                                           /* Topics: 1 */
		0x00, 0x00, 0x02, 't', 0x00,                    /* ErrorCode, Name, IsInternal */
		0x02,                                           /* Partitions: 1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* ErrorCode, PartitionIndex */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* LeaderId, LeaderEpoch */
		0x02, 0x00, 0x00, 0x00, 0x01,                   /* ReplicaNodes [1] */
		0x02, 0x00, 0x00, 0x00, 0x01,                   /* IsrNodes [1] */
		0x01,                                           /* OfflineReplicas [] */
		0x00,                                           /* partition tags */
		0x80, 0x00, 0x00, 0x00,                         /* TopicAuthorizedOperations */
		0x00,                                           /* topic tags */
		0x80, 0x00, 0x00, 0x00,                         /* ClusterAuthorizedOperations */
		0x00,                                           /* tags */
	};
	int32_t one = 1;
	struct MetadataResponsePartition p = {0, 0, 1, 0, {&one, 1}, {&one, 1}, {NULL, 0}};
	struct MetadataResponseTopic t = {.Name = KP_STR_LIT("t"), .Partitions = {&p, 1},
					  .TopicAuthorizedOperations = INT32_MIN};
	struct MetadataResponseBroker b = {1, KP_STR_LIT("h"), 9092, KP_STR_NULL};
	struct MetadataResponse in = {.Brokers = {&b, 1}, .ClusterId = KP_STR_LIT("c"),
				      .ControllerId = 1, .Topics = {NULL, 0},
				      .ClusterAuthorizedOperations = INT32_MIN}, out;

	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_MetadataResponse, 0, false, &in, v0, sizeof(v0), &a, &out);
	CU_ASSERT_EQUAL(out.ControllerId, -1);
	CU_ASSERT_EQUAL(out.ClusterId.len, -1);
	in.Topics = (struct kp_array){&t, 1};
	ch_golden(&kp_MetadataResponse, 9, true, &in, v9, sizeof(v9), &a, &out);
	arena_destroy(&a);
}

/* ---- Hostile input --------------------------------------------------------------------- */

static void test_huge_counts(void)
{
	/* MetadataResponse v0 declaring 2^31-1 brokers in a 20-byte frame. */
	static const uint8_t classic[20] = {0x7f, 0xff, 0xff, 0xff};
	/* ApiVersionsResponse v3: ApiKeys compact count uvarint 2^31 -> 2^31-1 entries. */
	static const uint8_t compact[16] = {0x00, 0x00, 0x80, 0x80, 0x80, 0x80, 0x08};
	/* MetadataResponse v1: one topic whose partition declares 0x10000000 replicas. */
	static const uint8_t inner[] = {
		0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1, /* no brokers, controller, 1 topic */
		0, 0, 0, 1, 't', 0, 0, 0, 0, 1,     /* ErrorCode, Name, IsInternal, 1 partition */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0,       /* ErrorCode, index, leader */
		0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct arena a;
	void *out = kb_malloc(KB_MAX(kp_MetadataResponse.size, kp_ApiVersionsResponse.size));
	size_t left;

	arena_init(&a, 256);
	CU_ASSERT_EQUAL(ch_decode(&kp_MetadataResponse, 0, false, classic, sizeof(classic), &a, out,
			       &left), KP_ERR_LIMIT);
	CU_ASSERT(a.used == 0 && a.head == NULL); /* refused before allocating */
	CU_ASSERT_EQUAL(ch_decode(&kp_ApiVersionsResponse, 3, true, compact, sizeof(compact), &a, out,
			       &left), KP_ERR_LIMIT);
	CU_ASSERT(a.used == 0 && a.head == NULL);
	CU_ASSERT_EQUAL(ch_decode(&kp_MetadataResponse, 1, false, inner, sizeof(inner), &a, out,
			       &left), KP_ERR_LIMIT);
	CU_ASSERT(a.used < 256);
	arena_destroy(&a);
	free(out);
}

/* The count fits the bytes, but the C structs would cross the arena ceiling. */
static void test_arena_ceiling(void)
{
	uint8_t in[4 + 100 * 2] = {0, 0, 0, 100}; /* 100 topics with empty names */

	CU_ASSERT_EQUAL(ch_decode_err(&kp_MetadataRequest, 0, false, in, sizeof(in), 1024),
			KP_ERR_LIMIT);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_MetadataRequest, 0, false, in, sizeof(in), ARENA_MAX),
			KP_OK);
}

static void test_bad_lengths(void)
{
	static const uint8_t past[] = {0, 0, 0, 1, 0x00, 0x05, 'a', 'b'};
	static const uint8_t neg2_str[] = {0, 0, 0, 1, 0xff, 0xfe};
	static const uint8_t null_str[] = {0, 0, 0, 1, 0xff, 0xff};
	static const uint8_t neg2_arr[] = {0xff, 0xff, 0xff, 0xfe};
	static const uint8_t null_arr[] = {0xff, 0xff, 0xff, 0xff};
	static const uint8_t cpast[] = {0x02, 0x09, 'a', 0x00, 0x01, 0x00, 0x00, 0x00};
	const struct kp_struct *mr = &kp_MetadataRequest;

	CU_ASSERT_EQUAL(ch_decode_err(mr, 0, false, past, sizeof(past), ARENA_MAX), KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(ch_decode_err(mr, 9, true, cpast, sizeof(cpast), ARENA_MAX), KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(ch_decode_err(mr, 0, false, neg2_str, sizeof(neg2_str), ARENA_MAX),
			KP_ERR_INVALID);
	CU_ASSERT_EQUAL(ch_decode_err(mr, 0, false, null_str, sizeof(null_str), ARENA_MAX),
			KP_ERR_INVALID); /* Name not nullable before v10 */
	CU_ASSERT_EQUAL(ch_decode_err(mr, 1, false, neg2_arr, sizeof(neg2_arr), ARENA_MAX),
			KP_ERR_INVALID);
	CU_ASSERT_EQUAL(ch_decode_err(mr, 0, false, null_arr, sizeof(null_arr), ARENA_MAX),
			KP_ERR_INVALID); /* Topics not nullable in v0 */
	CU_ASSERT_EQUAL(ch_decode_err(mr, 1, false, null_arr, sizeof(null_arr), ARENA_MAX), KP_OK);
}

static void test_compact_nulls(void)
{
	static const uint8_t av_null[] = {0x00, 0x01, 0x00};
	static const uint8_t md9_null_name[] = {0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
	static const uint8_t md10_null_name[] = {0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						 0, 0, 0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
	/* MetadataResponse v9, one broker with a null Host (padded past the count check). */
	static const uint8_t host_null[] = {0, 0, 0, 0, 0x02, 0, 0, 0, 1, 0x00, 0, 0, 0, 0,
					    0, 0, 0, 0, 0, 0};

	CU_ASSERT_EQUAL(ch_decode_err(&kp_ApiVersionsRequest, 3, true, av_null, sizeof(av_null),
				   ARENA_MAX), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_MetadataRequest, 9, true, md9_null_name,
				   sizeof(md9_null_name), ARENA_MAX), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_MetadataRequest, 10, true, md10_null_name,
				   sizeof(md10_null_name), ARENA_MAX), KP_OK);
	CU_ASSERT_EQUAL(ch_decode_err(&kp_MetadataResponse, 9, true, host_null, sizeof(host_null),
				   ARENA_MAX), KP_ERR_INVALID);
}

/* ApiVersionsResponse v3 with no api keys, followed by `tags`. */
static int av3_with_tags(const uint8_t *tags, size_t n, struct ApiVersionsResponse *out,
			 size_t *left)
{
	static const uint8_t head[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
	uint8_t buf[64];
	struct arena a;

	KB_ASSERT(sizeof(head) + n <= sizeof(buf));
	memcpy(buf, head, sizeof(head));
	memcpy(buf + sizeof(head), tags, n);
	arena_init(&a, ARENA_MAX);
	int rc = ch_decode(&kp_ApiVersionsResponse, 3, true, buf, sizeof(head) + n, &a, out, left);
	arena_destroy(&a); /* only scalars are inspected afterwards */
	return rc;
}

static void test_tag_errors(void)
{
	static const uint8_t order[] = {0x02, 0x03, 0x01, 0x01, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 5};
	static const uint8_t dup[] = {0x02, 0x03, 0x01, 0x01, 0x03, 0x01, 0x00};
	static const uint8_t past[] = {0x01, 0x03, 0x05, 0x01};
	static const uint8_t huge_size[] = {0x01, 0x03, 0xff, 0xff, 0xff, 0xff, 0x0f};
	static const uint8_t huge_count[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	static const uint8_t short_payload[] = {0x01, 0x01, 0x04, 0, 0, 0, 5};
	struct ApiVersionsResponse out;
	size_t left;

	CU_ASSERT_EQUAL(av3_with_tags(order, sizeof(order), &out, &left), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(av3_with_tags(dup, sizeof(dup), &out, &left), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(av3_with_tags(past, sizeof(past), &out, &left), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(av3_with_tags(huge_size, sizeof(huge_size), &out, &left), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(av3_with_tags(huge_count, sizeof(huge_count), &out, &left),
			KP_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(av3_with_tags(short_payload, sizeof(short_payload), &out, &left),
			KP_ERR_TRUNCATED);
}

static void test_tags_skipped(void)
{
	static const uint8_t unknown[] = {0x02, 0x03, 0x01, 0x01, 0x09, 0x03, 0xaa, 0xbb, 0xcc};
	static const uint8_t extra[] = {0x01, 0x03, 0x03, 0x01, 0xff, 0xff};
	static const uint8_t epoch[] = {0x01, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0x01, 0x00};
	/* MetadataRequest v9 with unknown tags on the topic element and at top level. */
	static const uint8_t md9[] = {0x02, 0x02, 't', 0x01, 0x00, 0x02, 0xaa, 0xbb,
				      0x01, 0x00, 0x00, 0x02, 0x05, 0x00, 0x07, 0x01, 0xff};
	struct ApiVersionsResponse out;
	struct MetadataRequest mr;
	struct arena a;
	size_t left;

	CU_ASSERT_EQUAL(av3_with_tags(unknown, sizeof(unknown), &out, &left), KP_OK);
	CU_ASSERT(out.ZkMigrationReady && left == 0 && out.FinalizedFeaturesEpoch == -1);
	CU_ASSERT_EQUAL(av3_with_tags(extra, sizeof(extra), &out, &left), KP_OK);
	CU_ASSERT(out.ZkMigrationReady && left == 0);
	CU_ASSERT_EQUAL(av3_with_tags(epoch, sizeof(epoch), &out, &left), KP_OK);
	CU_ASSERT(out.FinalizedFeaturesEpoch == 256 && !out.ZkMigrationReady && left == 0);
	arena_init(&a, ARENA_MAX);
	CU_ASSERT_EQUAL(ch_decode(&kp_MetadataRequest, 9, true, md9, sizeof(md9), &a, &mr, &left),
			KP_OK);
	CU_ASSERT_EQUAL(left, 0);
	CU_ASSERT_EQUAL_FATAL(mr.Topics.count, 1);
	CU_ASSERT_TRUE(kp_str_eq_c(((struct MetadataRequestTopic *)mr.Topics.elems)->Name, "t"));
	CU_ASSERT(mr.AllowAutoTopicCreation && !mr.IncludeTopicAuthorizedOperations);
	arena_destroy(&a);
}

static void test_encode_errors(void)
{
	struct MetadataRequestTopic t = {.Name = KP_STR_NULL};
	struct MetadataRequest in = {.Topics = NULL_ARR};
	struct kbuf b;

	kbuf_init(&b, BUF_MAX);
	CU_ASSERT_EQUAL(kp_encode(&kp_MetadataRequest, 0, false, &in, &b), KP_ERR_INVALID);
	CU_ASSERT_EQUAL(kp_encode(&kp_MetadataRequest, -1, false, &in, &b), KP_ERR_VERSION);
	in.Topics = (struct kp_array){&t, 1};
	kbuf_reset(&b);
	CU_ASSERT_EQUAL(kp_encode(&kp_MetadataRequest, 9, true, &in, &b), KP_ERR_INVALID);
	kbuf_reset(&b);
	CU_ASSERT_EQUAL(kp_encode(&kp_MetadataRequest, 10, true, &in, &b), KP_OK);
	t.Name = (struct kp_str){"x", -2};
	kbuf_reset(&b);
	CU_ASSERT_EQUAL(kp_encode(&kp_MetadataRequest, 12, true, &in, &b), KP_ERR_INVALID);
	in.Topics = (struct kp_array){NULL, 3};
	kbuf_reset(&b);
	CU_ASSERT_EQUAL(kp_encode(&kp_MetadataRequest, 12, true, &in, &b), KP_ERR_INVALID);
	kbuf_free(&b);

	t.Name = KP_STR_LIT("a-topic-name");
	in.Topics = (struct kp_array){&t, 1};
	kbuf_init(&b, 8);
	CU_ASSERT_EQUAL(kp_encode(&kp_MetadataRequest, 0, false, &in, &b), KP_ERR_LIMIT);
	kbuf_free(&b);
}

static void test_bad_version(void)
{
	static const uint8_t in[] = {0, 0, 0, 0};
	struct MetadataRequest out;
	struct arena a;
	size_t left;

	arena_init(&a, ARENA_MAX);
	CU_ASSERT_EQUAL(ch_decode(&kp_MetadataRequest, -1, false, in, sizeof(in), &a, &out, &left),
			KP_ERR_VERSION);
	CU_ASSERT(out.AllowAutoTopicCreation && out.Topics.count == 0);
	arena_destroy(&a);
}

/* ---- Defaults, sizes, table sanity ----------------------------------------------------- */

static void test_defaults(void)
{
	struct MetadataResponse mr;
	struct MetadataRequest mq;
	struct ApiVersionsResponse av;

	memset(&mr, 0x5a, sizeof(mr));
	kp_set_defaults(&kp_MetadataResponse, &mr);
	CU_ASSERT(mr.ThrottleTimeMs == 0 && mr.ControllerId == -1);
	CU_ASSERT(mr.ClusterId.len == -1 && mr.ClusterId.ptr == NULL);
	CU_ASSERT(ch_array_is(mr.Brokers, 0) && ch_array_is(mr.Topics, 0));
	CU_ASSERT_EQUAL(mr.ClusterAuthorizedOperations, INT32_MIN);
	memset(&mq, 0x5a, sizeof(mq));
	kp_set_defaults(&kp_MetadataRequest, &mq);
	CU_ASSERT(ch_array_is(mq.Topics, 0) && mq.AllowAutoTopicCreation);
	CU_ASSERT(!mq.IncludeClusterAuthorizedOperations && !mq.IncludeTopicAuthorizedOperations);
	memset(&av, 0x5a, sizeof(av));
	kp_set_defaults(&kp_ApiVersionsResponse, &av);
	CU_ASSERT(av.FinalizedFeaturesEpoch == -1 && !av.ZkMigrationReady);
	CU_ASSERT(ch_array_is(av.SupportedFeatures, 0) && ch_array_is(av.FinalizedFeatures, 0));
}

static void test_min_wire_size(void)
{
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_ApiVersionsRequest, 0, false), 0);
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_ApiVersionsRequest, 3, true), 3);
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_ApiVersionsResponse, 0, false), 6);
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_ApiVersionsResponse, 3, true), 8); /* tags: 0 */
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_MetadataRequest, 0, false), 4);
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_MetadataRequest, 9, true), 5);
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_MetadataRequest, 12, true), 4);
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_MetadataResponse, 0, false), 8);
	CU_ASSERT_EQUAL(kp_min_wire_size(&kp_MetadataResponse, 9, true), 4 + 1 + 1 + 4 + 1 + 4 + 1);
}

static void test_table_sanity(void)
{
	ch_check_desc(&kp_ApiVersionsRequest, 0);
	ch_check_desc(&kp_ApiVersionsResponse, 0);
	ch_check_desc(&kp_MetadataRequest, 0);
	ch_check_desc(&kp_MetadataResponse, 0);
	CU_ASSERT_EQUAL(kp_ApiVersionsResponse.size, sizeof(struct ApiVersionsResponse));
	CU_ASSERT_EQUAL(kp_MetadataResponse.nfields, 6);
	CU_ASSERT_EQUAL(kp_MetadataRequest.nfields, 4);
	CU_ASSERT_EQUAL(kp_ApiVersionsResponse.nfields, 7);
}

/* ---- APIs and headers ------------------------------------------------------------------ */

static void test_api_table(void)
{
	const struct kp_api *md = kp_api_find(KP_API_METADATA);
	const struct kp_api *av = kp_api_find(KP_API_API_VERSIONS);

	CU_ASSERT_PTR_NOT_NULL_FATAL(md);
	CU_ASSERT_PTR_NOT_NULL_FATAL(av);
	CU_ASSERT(md->vmin == 0 && md->vmax == 12 && md->flex_min == 9);
	CU_ASSERT(md->request == &kp_MetadataRequest && md->response == &kp_MetadataResponse);
	CU_ASSERT(av->vmin == 0 && av->vmax == 4 && av->flex_min == 3);
	CU_ASSERT(av->request == &kp_ApiVersionsRequest && av->response == &kp_ApiVersionsResponse);
	CU_ASSERT_PTR_NULL(kp_api_find(999));
	CU_ASSERT_PTR_NULL(kp_api_find(-1));
	CU_ASSERT_FALSE(kp_api_flexible(md, 8));
	CU_ASSERT_TRUE(kp_api_flexible(md, 9));
	CU_ASSERT_TRUE(kp_api_flexible(av, 7)); /* KIP-511: above vmax still flexible */
	CU_ASSERT_FALSE(kp_api_flexible(av, -1));
	CU_ASSERT_FALSE(kp_api_flexible(NULL, 5));
}

/* Reads a request header from p[0..n) and returns the bytes left after it (or -1). */
static long header_left(const uint8_t *p, size_t n, struct kp_request_header *h)
{
	struct kp_reader r;

	kp_reader_init(&r, p, n);
	if (kp_request_header_read(&r, h))
		return -1;
	return (long)kp_remaining(&r);
}

static void test_request_header(void)
{
	static const uint8_t v1[] = {0, 3, 0, 8, 0, 0, 0, 7, 0, 3, 'c', 'l', 'i', 0xaa};
	static const uint8_t v2[] = {0, 3, 0, 9, 0, 0, 0, 7, 0, 3, 'c', 'l', 'i', 0x00, 0xaa};
	static const uint8_t v2_tag[] = {0, 3, 0, 9, 0, 0, 0, 7, 0xff, 0xff,
					 0x01, 0x05, 0x02, 0xaa, 0xbb, 0x00};
	static const uint8_t av7[] = {0, 18, 0, 7, 0, 0, 0, 1, 0, 1, 'x', 0x00, 0x03, 'k', 'b'};
	static const uint8_t av2[] = {0, 18, 0, 2, 0, 0, 0, 1, 0, 1, 'x', 0x00};
	static const uint8_t unknown[] = {0x03, 0xe7, 0, 9, 0, 0, 0, 1, 0, 1, 'x', 0x00};
	struct kp_request_header h;

	CU_ASSERT_EQUAL(header_left(v1, sizeof(v1), &h), 1);
	CU_ASSERT(h.RequestApiKey == 3 && h.RequestApiVersion == 8 && h.CorrelationId == 7);
	CU_ASSERT_TRUE(kp_str_eq_c(h.ClientId, "cli"));
	CU_ASSERT_EQUAL(header_left(v2, sizeof(v2), &h), 1); /* tag byte consumed */
	CU_ASSERT_TRUE(kp_str_eq_c(h.ClientId, "cli"));
	CU_ASSERT_EQUAL(header_left(v2_tag, sizeof(v2_tag), &h), 1);
	CU_ASSERT_EQUAL(h.ClientId.len, -1);
	CU_ASSERT_EQUAL(header_left(av7, sizeof(av7), &h), 3); /* KIP-511: header v2 */
	CU_ASSERT(h.RequestApiKey == 18 && h.RequestApiVersion == 7);
	CU_ASSERT_EQUAL(header_left(av2, sizeof(av2), &h), 1); /* header v1 */
	CU_ASSERT_EQUAL(header_left(unknown, sizeof(unknown), &h), 1); /* no tags read */
	CU_ASSERT_EQUAL(h.RequestApiKey, 999);
	for (size_t n = 0; n < sizeof(v2) - 1; n++) {
		uint8_t *copy = kb_malloc(n);
		memcpy(copy, v2, n);
		CU_ASSERT_EQUAL(header_left(copy, n, &h), -1);
		free(copy);
	}
}

static void test_header_write(void)
{
	static const uint8_t req[] = {0, 3, 0, 9, 0, 0, 0, 7, 0, 3, 'c', 'l', 'i', 0x00};
	static const uint8_t resp1[] = {0, 0, 0, 7, 0x00};
	struct kp_request_header h = {3, 9, 7, KP_STR_LIT("cli")}, back;
	struct kp_reader r;
	struct kbuf b;
	int32_t corr = 0;

	kbuf_init(&b, 64);
	kp_request_header_write(&b, &h, true);
	CU_ASSERT(b.len == sizeof(req) && memcmp(b.data, req, sizeof(req)) == 0);
	kbuf_reset(&b);
	h.RequestApiVersion = 8;
	kp_request_header_write(&b, &h, false);
	CU_ASSERT(b.len == sizeof(req) - 1 && memcmp(b.data + 4, req + 4, sizeof(req) - 5) == 0);
	kp_reader_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(kp_request_header_read(&r, &back), KP_OK);
	CU_ASSERT(back.RequestApiVersion == 8 && kp_str_eq(back.ClientId, h.ClientId));
	kbuf_reset(&b);
	kp_response_header_write(&b, 7, true);
	CU_ASSERT(b.len == sizeof(resp1) && memcmp(b.data, resp1, sizeof(resp1)) == 0);
	kp_reader_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(kp_response_header_read(&r, &corr, true), KP_OK);
	CU_ASSERT(corr == 7 && kp_remaining(&r) == 0);
	kbuf_reset(&b);
	kp_response_header_write(&b, -5, false);
	CU_ASSERT_EQUAL(b.len, 4);
	kp_reader_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(kp_response_header_read(&r, &corr, false), KP_OK);
	CU_ASSERT_EQUAL(corr, -5);
	kp_reader_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(kp_response_header_read(&r, &corr, true), KP_ERR_TRUNCATED);
	kbuf_free(&b);
}

void suite_codec_msgs(void)
{
	CU_pSuite s = CU_add_suite("codec_msgs", NULL, NULL);

	CU_add_test(s, "ApiVersionsRequest v0-4 round trip", test_api_versions_request_all);
	CU_add_test(s, "ApiVersionsResponse v0-4 round trip", test_api_versions_response_all);
	CU_add_test(s, "MetadataRequest v0-12 round trip", test_metadata_request_all);
	CU_add_test(s, "MetadataResponse v0-12 round trip", test_metadata_response_all);
	CU_add_test(s, "golden ApiVersionsRequest v0/v3", test_golden_api_versions_request);
	CU_add_test(s, "golden ApiVersionsResponse v0/v3", test_golden_api_versions_response);
	CU_add_test(s, "golden MetadataRequest v0/v1/v9/v12", test_golden_metadata_request);
	CU_add_test(s, "golden MetadataResponse v0/v9", test_golden_metadata_response);
	CU_add_test(s, "huge array counts", test_huge_counts);
	CU_add_test(s, "arena ceiling while decoding", test_arena_ceiling);
	CU_add_test(s, "bad lengths", test_bad_lengths);
	CU_add_test(s, "compact nulls", test_compact_nulls);
	CU_add_test(s, "tag section errors", test_tag_errors);
	CU_add_test(s, "unknown tags skipped", test_tags_skipped);
	CU_add_test(s, "encode errors", test_encode_errors);
	CU_add_test(s, "bad version", test_bad_version);
	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "min wire size", test_min_wire_size);
	CU_add_test(s, "descriptor table sanity", test_table_sanity);
	CU_add_test(s, "API table", test_api_table);
	CU_add_test(s, "request header v1/v2, KIP-511", test_request_header);
	CU_add_test(s, "header write/read", test_header_write);
}

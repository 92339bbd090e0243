/* test_codec_producer.c — InitProducerId (key 22) and DescribeProducers (key 61): golden bytes
 * computed by hand from the schemas (kafka-schemas.md; Kafka's DescribeProducers JSON), in
 * classic and flexible versions, plus truncation checks and the descriptor structure. */
#include "codec_harness.h"

void suite_codec_producer(void);

static void test_init_producer_id_request(void)
{
	static const uint8_t v0[] = {
		0xff, 0xff,             /* TransactionalId: null */
		0x00, 0x00, 0xea, 0x60, /* TransactionTimeoutMs 60000 */
	};
	static const uint8_t v4[] = {
		0x03, 't', 'x',         /* TransactionalId "tx" (compact) */
		0x00, 0x00, 0xea, 0x60, /* TransactionTimeoutMs */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /* ProducerId 42 */
		0x00, 0x03,             /* ProducerEpoch 3 */
		0x00,                   /* tags */
	};
	struct InitProducerIdRequest in = {KP_STR_NULL, 60000, -1, -1}, out;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_InitProducerIdRequest, 0, false, &in, v0, sizeof(v0), &a, &out);
	CU_ASSERT_EQUAL(out.TransactionalId.len, -1);
	CU_ASSERT_EQUAL(out.ProducerId, -1); /* absent before v3: the default */
	CU_ASSERT_EQUAL(out.ProducerEpoch, -1);
	struct InitProducerIdRequest in4 = {KP_STR_LIT("tx"), 60000, 42, 3};
	ch_golden(&kp_InitProducerIdRequest, 4, true, &in4, v4, sizeof(v4), &a, &out);
	CU_ASSERT_EQUAL(out.ProducerId, 42);
	CU_ASSERT_EQUAL(out.ProducerEpoch, 3);
	ch_check_truncations(&kp_InitProducerIdRequest, 4, true, v4, sizeof(v4));
	arena_destroy(&a);
}

static void test_init_producer_id_response(void)
{
	static const uint8_t v2[] = {
		0x00, 0x00, 0x00, 0x00, /* ThrottleTimeMs */
		0x00, 0x00,             /* ErrorCode */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* ProducerId 1000 */
		0x00, 0x00,             /* ProducerEpoch 0 */
		0x00,                   /* tags */
	};
	struct InitProducerIdResponse in = {0, 0, 1000, 0}, out;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_InitProducerIdResponse, 2, true, &in, v2, sizeof(v2), &a, &out);
	ch_golden(&kp_InitProducerIdResponse, 1, false, &in, v2, sizeof(v2) - 1, &a, &out);
	arena_destroy(&a);
}

static void test_describe_producers(void)
{
	static const uint8_t req_bytes[] = {
		0x02,                   /* Topics: 1 */
		0x02, 't',              /* Name "t" */
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, /* PartitionIndexes [0, 5] */
		0x00,                   /* topic tags */
		0x00,                   /* tags */
	};
	int32_t idx[] = {0, 5};
	struct DescribeProducersTopicRequest t = {KP_STR_LIT("t"), ARR(idx)};
	struct DescribeProducersRequest req = {{&t, 1}}, rout;
	static const uint8_t resp_bytes[] = {
		0x00, 0x00, 0x00, 0x00, /* ThrottleTimeMs */
		0x02,                   /* Topics: 1 */
		0x02, 't',              /* Name */
		0x02,                   /* Partitions: 1 */
		0x00, 0x00, 0x00, 0x00, /* PartitionIndex 0 */
		0x00, 0x00,             /* ErrorCode */
		0x00,                   /* ErrorMessage: null */
		0x02,                   /* ActiveProducers: 1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, /* ProducerId 7 */
		0x00, 0x00, 0x00, 0x01, /* ProducerEpoch 1 (int32) */
		0x00, 0x00, 0x00, 0x04, /* LastSequence 4 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, /* LastTimestamp 5 */
		0xff, 0xff, 0xff, 0xff, /* CoordinatorEpoch -1 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* CurrentTxnStartOffset -1 */
		0x00, 0x00, 0x00, 0x00, /* tags: producer, partition, topic, response */
	};
	struct ProducerState ps = {7, 1, 4, 5, -1, -1};
	struct DescribeProducersPartitionResponse p = {0, 0, KP_STR_NULL, {&ps, 1}};
	struct DescribeProducersTopicResponse tr = {KP_STR_LIT("t"), {&p, 1}};
	struct DescribeProducersResponse resp = {0, {&tr, 1}}, out;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_DescribeProducersRequest, 0, true, &req, req_bytes, sizeof(req_bytes), &a,
	          &rout);
	ch_golden(&kp_DescribeProducersResponse, 0, true, &resp, resp_bytes, sizeof(resp_bytes), &a,
	          &out);
	ch_check_truncations(&kp_DescribeProducersResponse, 0, true, resp_bytes, sizeof(resp_bytes));
	ch_check_desc(&kp_DescribeProducersResponse, 0);
	ch_check_desc(&kp_InitProducerIdRequest, 0);
	CU_ASSERT_TRUE(ch_flexible(KP_API_DESCRIBE_PRODUCERS, 0));
	CU_ASSERT_TRUE(ch_flexible(KP_API_INIT_PRODUCER_ID, 2));
	CU_ASSERT_FALSE(ch_flexible(KP_API_INIT_PRODUCER_ID, 1));
	arena_destroy(&a);
}

void suite_codec_producer(void)
{
	CU_pSuite s = CU_add_suite("codec_producer", NULL, NULL);
	CU_add_test(s, "InitProducerId request v0, v4", test_init_producer_id_request);
	CU_add_test(s, "InitProducerId response v1, v2", test_init_producer_id_response);
	CU_add_test(s, "DescribeProducers request and response v0", test_describe_producers);
}

/* kp_msgs_producer.c — descriptor tables of InitProducerId and DescribeProducers (structs in
 * kp_msgs_producer.h), transcribed by hand from Kafka 3.9's message JSON. */
#include "kp_msgs.h"

/* ---- InitProducerId (key 22): valid 0-5, flexible 2+ -------------------------------------- */

static const struct kp_field InitProducerIdRequest_fields[] = {
	/* InitProducerIdRequest.TransactionalId: string [0+] {null 0+} */
	KP_FIELD_NULL(struct InitProducerIdRequest, TransactionalId, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
	/* InitProducerIdRequest.TransactionTimeoutMs: int32 [0+] */
	KP_FIELD(struct InitProducerIdRequest, TransactionTimeoutMs, KP_INT32, 0, KP_VMAX),
	/* InitProducerIdRequest.ProducerId: int64 [3+] {def -1} */
	KP_FIELD_DEF(struct InitProducerIdRequest, ProducerId, KP_INT64, 3, KP_VMAX, -1),
	/* InitProducerIdRequest.ProducerEpoch: int16 [3+] {def -1} */
	KP_FIELD_DEF(struct InitProducerIdRequest, ProducerEpoch, KP_INT16, 3, KP_VMAX, -1),
};
const struct kp_struct kp_InitProducerIdRequest =
	KP_STRUCT_DESC(struct InitProducerIdRequest, InitProducerIdRequest_fields);

static const struct kp_field InitProducerIdResponse_fields[] = {
	/* InitProducerIdResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct InitProducerIdResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* InitProducerIdResponse.ErrorCode: int16 [0+] */
	KP_FIELD(struct InitProducerIdResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* InitProducerIdResponse.ProducerId: int64 [0+] {def -1} */
	KP_FIELD_DEF(struct InitProducerIdResponse, ProducerId, KP_INT64, 0, KP_VMAX, -1),
	/* InitProducerIdResponse.ProducerEpoch: int16 [0+] */
	KP_FIELD(struct InitProducerIdResponse, ProducerEpoch, KP_INT16, 0, KP_VMAX),
};
const struct kp_struct kp_InitProducerIdResponse =
	KP_STRUCT_DESC(struct InitProducerIdResponse, InitProducerIdResponse_fields);

/* ---- DescribeProducers (key 61): valid 0, flexible 0+ ------------------------------------- */

static const struct kp_field DescribeProducersTopicRequest_fields[] = {
	/* DescribeProducersRequest.Topics[].Name: string [0+] */
	KP_FIELD(struct DescribeProducersTopicRequest, Name, KP_STRING, 0, KP_VMAX),
	/* DescribeProducersRequest.Topics[].PartitionIndexes: []int32 [0+] */
	KP_FIELD_ARRAY(struct DescribeProducersTopicRequest, PartitionIndexes, KP_INT32, 0, KP_VMAX,
		       NULL),
};
static const struct kp_struct DescribeProducersTopicRequest_desc =
	KP_STRUCT_DESC(struct DescribeProducersTopicRequest, DescribeProducersTopicRequest_fields);

static const struct kp_field DescribeProducersRequest_fields[] = {
	/* DescribeProducersRequest.Topics: []TopicRequest [0+] */
	KP_FIELD_ARRAY(struct DescribeProducersRequest, Topics, KP_STRUCT, 0, KP_VMAX,
		       &DescribeProducersTopicRequest_desc),
};
const struct kp_struct kp_DescribeProducersRequest =
	KP_STRUCT_DESC(struct DescribeProducersRequest, DescribeProducersRequest_fields);

static const struct kp_field ProducerState_fields[] = {
	/* ...ActiveProducers[].ProducerId: int64 [0+] */
	KP_FIELD(struct ProducerState, ProducerId, KP_INT64, 0, KP_VMAX),
	/* ...ActiveProducers[].ProducerEpoch: int32 [0+] */
	KP_FIELD(struct ProducerState, ProducerEpoch, KP_INT32, 0, KP_VMAX),
	/* ...ActiveProducers[].LastSequence: int32 [0+] {def -1} */
	KP_FIELD_DEF(struct ProducerState, LastSequence, KP_INT32, 0, KP_VMAX, -1),
	/* ...ActiveProducers[].LastTimestamp: int64 [0+] {def -1} */
	KP_FIELD_DEF(struct ProducerState, LastTimestamp, KP_INT64, 0, KP_VMAX, -1),
	/* ...ActiveProducers[].CoordinatorEpoch: int32 [0+] */
	KP_FIELD(struct ProducerState, CoordinatorEpoch, KP_INT32, 0, KP_VMAX),
	/* ...ActiveProducers[].CurrentTxnStartOffset: int64 [0+] {def -1} */
	KP_FIELD_DEF(struct ProducerState, CurrentTxnStartOffset, KP_INT64, 0, KP_VMAX, -1),
};
static const struct kp_struct ProducerState_desc =
	KP_STRUCT_DESC(struct ProducerState, ProducerState_fields);

static const struct kp_field DescribeProducersPartitionResponse_fields[] = {
	/* DescribeProducersResponse.Topics[].Partitions[].PartitionIndex: int32 [0+] */
	KP_FIELD(struct DescribeProducersPartitionResponse, PartitionIndex, KP_INT32, 0, KP_VMAX),
	/* DescribeProducersResponse.Topics[].Partitions[].ErrorCode: int16 [0+] */
	KP_FIELD(struct DescribeProducersPartitionResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* DescribeProducersResponse.Topics[].Partitions[].ErrorMessage: string [0+] {null 0+}
	 * {def null} */
	KP_FIELD_NULL(struct DescribeProducersPartitionResponse, ErrorMessage, KP_STRING, 0,
		      KP_VMAX, 0, KP_VMAX, true),
	/* DescribeProducersResponse.Topics[].Partitions[].ActiveProducers: []ProducerState [0+] */
	KP_FIELD_ARRAY(struct DescribeProducersPartitionResponse, ActiveProducers, KP_STRUCT, 0,
		       KP_VMAX, &ProducerState_desc),
};
static const struct kp_struct DescribeProducersPartitionResponse_desc =
	KP_STRUCT_DESC(struct DescribeProducersPartitionResponse,
		       DescribeProducersPartitionResponse_fields);

static const struct kp_field DescribeProducersTopicResponse_fields[] = {
	/* DescribeProducersResponse.Topics[].Name: string [0+] */
	KP_FIELD(struct DescribeProducersTopicResponse, Name, KP_STRING, 0, KP_VMAX),
	/* DescribeProducersResponse.Topics[].Partitions: []PartitionResponse [0+] */
	KP_FIELD_ARRAY(struct DescribeProducersTopicResponse, Partitions, KP_STRUCT, 0, KP_VMAX,
		       &DescribeProducersPartitionResponse_desc),
};
static const struct kp_struct DescribeProducersTopicResponse_desc =
	KP_STRUCT_DESC(struct DescribeProducersTopicResponse, DescribeProducersTopicResponse_fields);

static const struct kp_field DescribeProducersResponse_fields[] = {
	/* DescribeProducersResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct DescribeProducersResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* DescribeProducersResponse.Topics: []TopicResponse [0+] */
	KP_FIELD_ARRAY(struct DescribeProducersResponse, Topics, KP_STRUCT, 0, KP_VMAX,
		       &DescribeProducersTopicResponse_desc),
};
const struct kp_struct kp_DescribeProducersResponse =
	KP_STRUCT_DESC(struct DescribeProducersResponse, DescribeProducersResponse_fields);

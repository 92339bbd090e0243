/* kp_msgs_producer.h — C structs for the producer-id messages, with Kafka's own struct and
 * field names (Kafka 3.9 message JSON: InitProducerIdRequest/Response.json,
 * DescribeProducersRequest/Response.json; see ../shared/reference/kafka-schemas.md).
 * Descriptor tables are in kp_msgs_producer.c. Include kp_msgs.h rather than this file. */
#ifndef KB_KP_MSGS_PRODUCER_H
#define KB_KP_MSGS_PRODUCER_H

#include "kp.h"

extern const struct kp_struct kp_InitProducerIdRequest, kp_InitProducerIdResponse;
extern const struct kp_struct kp_DescribeProducersRequest, kp_DescribeProducersResponse;

/* ---- InitProducerId (key 22), versions 0-5, flexible 2+ ----------------------------------- */

struct InitProducerIdRequest {
	struct kp_str TransactionalId; /* nullable */
	int32_t TransactionTimeoutMs;
	int64_t ProducerId;            /* 3+, default -1 */
	int16_t ProducerEpoch;         /* 3+, default -1 */
};

struct InitProducerIdResponse {
	int32_t ThrottleTimeMs;
	int16_t ErrorCode;
	int64_t ProducerId;            /* default -1 */
	int16_t ProducerEpoch;
};

/* ---- DescribeProducers (key 61), version 0, flexible 0+ ----------------------------------- */

struct DescribeProducersTopicRequest {
	struct kp_str Name;
	struct kp_array PartitionIndexes; /* int32 */
};

struct DescribeProducersRequest {
	struct kp_array Topics; /* struct DescribeProducersTopicRequest */
};

struct ProducerState {
	int64_t ProducerId;
	int32_t ProducerEpoch;
	int32_t LastSequence;          /* default -1 */
	int64_t LastTimestamp;         /* default -1 */
	int32_t CoordinatorEpoch;
	int64_t CurrentTxnStartOffset; /* default -1 */
};

struct DescribeProducersPartitionResponse {
	int32_t PartitionIndex;
	int16_t ErrorCode;
	struct kp_str ErrorMessage;    /* nullable, default null */
	struct kp_array ActiveProducers; /* struct ProducerState */
};

struct DescribeProducersTopicResponse {
	struct kp_str Name;
	struct kp_array Partitions;    /* struct DescribeProducersPartitionResponse */
};

struct DescribeProducersResponse {
	int32_t ThrottleTimeMs;
	struct kp_array Topics;        /* struct DescribeProducersTopicResponse */
};

#endif

"""ktxn — the transaction coordinator's APIs for the integration tests, as field tables for
kgroup's generic encoder/decoder (written from /work/shared/reference/kafka-schemas.md and
Kafka 3.9's DescribeTransactions/ListTransactions JSON, without looking at the broker's C
codec).

Covered: InitProducerId (22) v0-5, AddPartitionsToTxn (24) v0-5, AddOffsetsToTxn (25) v0-4,
EndTxn (26) v0-4, DescribeTransactions (65) v0, ListTransactions (66) v0-1. Use
`kgroup.group_request(conn, ktxn.END_TXN, 3, {...})`.
"""

import kgroup
from kgroup import F, FLEX, REQ, RESP

INIT_PRODUCER_ID, ADD_PARTITIONS_TO_TXN, ADD_OFFSETS_TO_TXN, END_TXN = 22, 24, 25, 26
DESCRIBE_TRANSACTIONS, LIST_TRANSACTIONS = 65, 66

# Kafka error codes (kafka-protocol.md §5).
NONE = 0
UNKNOWN_TOPIC_OR_PARTITION = 3
COORDINATOR_LOAD_IN_PROGRESS = 14
COORDINATOR_NOT_AVAILABLE = 15
NOT_COORDINATOR = 16
INVALID_REQUEST = 42
INVALID_PRODUCER_EPOCH = 47
INVALID_TXN_STATE = 48
INVALID_PRODUCER_ID_MAPPING = 49
INVALID_TRANSACTION_TIMEOUT = 50
CONCURRENT_TRANSACTIONS = 51
OPERATION_NOT_ATTEMPTED = 55
PRODUCER_FENCED = 90
TRANSACTIONAL_ID_NOT_FOUND = 105
TRANSACTION_ABORTABLE = 120

FLEX[INIT_PRODUCER_ID] = 2
REQ[INIT_PRODUCER_ID] = [F("transactional_id", "str", null_from=0),
                         F("transaction_timeout_ms", "i32"),
                         F("producer_id", "i64", 3, default=-1),
                         F("producer_epoch", "i16", 3, default=-1)]
RESP[INIT_PRODUCER_ID] = [F("throttle_time_ms", "i32"), F("error_code", "i16"),
                          F("producer_id", "i64"), F("producer_epoch", "i16")]

_TOPICS = [F("name", "str"), F("partitions", ("arr", "i32"))]
_TOPIC_RESULTS = [F("name", "str"),
                  F("results_by_partition", ("arr", [F("partition_index", "i32"),
                                                      F("partition_error_code", "i16")]))]
FLEX[ADD_PARTITIONS_TO_TXN] = 3
REQ[ADD_PARTITIONS_TO_TXN] = [
    F("transactions", ("arr", [F("transactional_id", "str"), F("producer_id", "i64"),
                               F("producer_epoch", "i16"), F("verify_only", "bool"),
                               F("topics", ("arr", _TOPICS))]), 4),
    F("v3_and_below_transactional_id", "str", 0, 3),
    F("v3_and_below_producer_id", "i64", 0, 3),
    F("v3_and_below_producer_epoch", "i16", 0, 3),
    F("v3_and_below_topics", ("arr", _TOPICS), 0, 3)]
RESP[ADD_PARTITIONS_TO_TXN] = [
    F("throttle_time_ms", "i32"), F("error_code", "i16", 4),
    F("results_by_transaction", ("arr", [F("transactional_id", "str"),
                                         F("topic_results", ("arr", _TOPIC_RESULTS))]), 4),
    F("results_by_topic_v3_and_below", ("arr", _TOPIC_RESULTS), 0, 3)]

FLEX[ADD_OFFSETS_TO_TXN] = 3
REQ[ADD_OFFSETS_TO_TXN] = [F("transactional_id", "str"), F("producer_id", "i64"),
                           F("producer_epoch", "i16"), F("group_id", "str")]
RESP[ADD_OFFSETS_TO_TXN] = [F("throttle_time_ms", "i32"), F("error_code", "i16")]

FLEX[END_TXN] = 3
REQ[END_TXN] = [F("transactional_id", "str"), F("producer_id", "i64"),
                F("producer_epoch", "i16"), F("committed", "bool")]
RESP[END_TXN] = [F("throttle_time_ms", "i32"), F("error_code", "i16")]

FLEX[DESCRIBE_TRANSACTIONS] = 0
REQ[DESCRIBE_TRANSACTIONS] = [F("transactional_ids", ("arr", "str"))]
RESP[DESCRIBE_TRANSACTIONS] = [
    F("throttle_time_ms", "i32"),
    F("transaction_states", ("arr", [
        F("error_code", "i16"), F("transactional_id", "str"), F("transaction_state", "str"),
        F("transaction_timeout_ms", "i32"), F("transaction_start_time_ms", "i64"),
        F("producer_id", "i64"), F("producer_epoch", "i16"),
        F("topics", ("arr", [F("topic", "str"), F("partitions", ("arr", "i32"))]))]))]

FLEX[LIST_TRANSACTIONS] = 0
REQ[LIST_TRANSACTIONS] = [F("state_filters", ("arr", "str")),
                          F("producer_id_filters", ("arr", "i64")),
                          F("duration_filter", "i64", 1, default=-1)]
RESP[LIST_TRANSACTIONS] = [
    F("throttle_time_ms", "i32"), F("error_code", "i16"),
    F("unknown_state_filters", ("arr", "str")),
    F("transaction_states", ("arr", [F("transactional_id", "str"), F("producer_id", "i64"),
                                     F("transaction_state", "str")]))]


def call(broker, api, version, values, timeout=20.0):
    with broker.conn(timeout) as c:
        return kgroup.group_request(c, api, version, values, timeout=timeout)


def find_coordinator(broker, txn_id, version=4, timeout=20.0):
    """(error, node_id) of FindCoordinator key_type 1 for one id."""
    if version >= 4:
        r = call(broker, kgroup.FIND_COORDINATOR, version,
                 {"key_type": 1, "coordinator_keys": [txn_id]}, timeout)
        c = r["coordinators"][0]
        assert c["key"] == txn_id
        return c["error_code"], c["node_id"]
    r = call(broker, kgroup.FIND_COORDINATOR, version, {"key": txn_id, "key_type": 1}, timeout)
    return r["error_code"], r["node_id"]


def java_hash(s):
    """Java String.hashCode over UTF-16 code units, as a signed 32-bit int."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def partition_for(txn_id, n):
    h = java_hash(txn_id)
    return 0 if h == -(1 << 31) else abs(h) % n

/* limits.h — every hard limit that is not a config key, with its reason. Each one is enforced
 * at the boundary, before memory is committed, and has a test that crosses it. Config-backed
 * limits (socket.request.max.bytes, max.connections, connections.max.idle.ms, ...) live in
 * conf/conf_table.c. */
#ifndef KB_LIMITS_H
#define KB_LIMITS_H

/* Smallest request frame that can hold a request header v1: api_key(2) api_version(2)
 * correlation_id(4) client_id length(2). Anything shorter cannot be parsed: close. */
#define KB_FRAME_MIN_BYTES 10

/* Decoded-request memory may exceed the frame (a 1-byte empty struct element becomes a C
 * struct). The per-request arena is capped at frame_len * factor + slack. */
#define KB_DECODE_ARENA_FACTOR 16
#define KB_DECODE_ARENA_SLACK (64 * 1024)

/* Once a request is decoded, its arena may grow by this much for the response the broker
 * builds (not client-controlled: bounded by the cluster's own metadata), e.g. Metadata for
 * every partition of a large cluster. */
#define KB_RESPONSE_ARENA_BYTES (256u * 1024 * 1024)

/* Requests read from one connection but not yet answered. Past it the connection stops
 * reading (TCP backpressure), it is never an error. librdkafka pipelines up to
 * max.in.flight (default 1,000,000), so this must be a pause, not a refusal. */
#define KB_CONN_MAX_INFLIGHT 128

/* Requests one connection may have handled in one turn of the event loop; the rest of what
 * it pipelined waits for the next turn, after every other ready connection (Kafka goes
 * further and handles one request per connection at a time). */
#define KB_CONN_FRAMES_PER_TURN 1

/* The event loop's priorities (libevent: a turn runs only the most urgent level that has
 * work). Everything runs at KB_LOOP_PRIO_NORMAL except the pipelined backlog of a connection
 * that has had frames left over for more than KB_CONN_FAIR_TURNS turns in a row: that goes
 * at KB_LOOP_PRIO_BACKLOG, so a client pipelining hundreds of requests (or never reading)
 * is served only when no connection with fresh work waits, instead of adding a full round
 * of every such connection to each fresh request's latency. Their work is still all done. */
#define KB_LOOP_PRIORITIES 3
#define KB_LOOP_PRIO_NORMAL 1   /* libevent's default with 3 levels (n / 2) */
#define KB_LOOP_PRIO_BACKLOG 2
#define KB_CONN_FAIR_TURNS 8
/* Backlog callbacks (or microseconds of them) the loop runs before it polls for new events
 * again (server/core/main.c), so fresh work waits for a slice of the backlog, not all of it. */
#define KB_LOOP_BACKLOG_SLICE_CALLBACKS 16
#define KB_LOOP_BACKLOG_SLICE_US 1000

/* Loop time one metadata pass may spend on partitions new to this broker (resolving their
 * settings and handing their creation to the worker, or adopting the logs it opened; see
 * server/replica/pcreate.h): past it (at least one per pass) the rest wait for the next pass,
 * after one turn of the loop (server/core/broker.c), so a burst of new partitions (a
 * 1,000-partition topic) is spread over several turns. */
#define KB_PM_OPEN_SLICE_US 2000

/* Response bytes queued on one connection before the broker stops reading more requests
 * from it; reading resumes once the queue drains below half. It is a pause, never an error:
 * a larger response is still sent whole. (File ranges of Fetch responses count too.) */
#define KB_CONN_MAX_OUTPUT_BYTES (4u * 1024 * 1024)

/* Response bytes queued over ALL connections. Past it, every connection that still has
 * responses queued stops reading until its queue is empty, so clients that send requests and
 * never read the answers (test_hostile.py) cannot make the broker hold more than about this
 * plus one response per connection. Readers keep going, one batch at a time. */
#define KB_CONNS_MAX_OUTPUT_BYTES (32u * 1024 * 1024)

/* Largest encoded response held in memory at once (records travel as file ranges). */
#define KB_RESPONSE_MAX_BYTES (256u * 1024 * 1024)

/* Longest ZooKeeper znode payload we read (ZooKeeper's own jute.maxbuffer is 1 MiB). */
#define KB_ZK_MAX_DATA_BYTES (1024 * 1024)

/* A follower accepts response frames from a leader of up to replica.fetch.response.max.bytes
 * plus this: a leader may exceed what was asked by one batch (KIP-74), and a topic's
 * max.message.bytes may be set high. Larger frames drop the connection (crossed by
 * test_replication.py's misbehaving leader). */
#define KB_REPLICA_RESPONSE_SLACK_BYTES (64u << 20)

/* Largest request a follower encodes (its own Fetch / OffsetForLeaderEpoch). */
#define KB_REPLICA_REQUEST_MAX_BYTES (256u << 20)

/* Outbound client (net/outclient.h): requests one connection may have in flight, and the
 * API keys whose version ranges it keeps from ApiVersions (Kafka's keys are below 100;
 * entries for larger keys are ignored). */
#define KB_OUTCLIENT_MAX_INFLIGHT 128
#define KB_OUTCLIENT_MAX_API_KEY 128
/* ---- Admin requests (CreateTopics, CreatePartitions, DeleteTopics, AlterConfigs, ...) ----
 * Kafka itself has none of these; without them one request could make the controller
 * allocate without bound (2^31 partitions) or spend seconds in quadratic checks. Each is
 * checked before anything is allocated or written to ZooKeeper, and crossed by
 * tests/integration/test_limits.py. The cluster-wide total is the config key
 * kbroker.max.partitions.per.cluster. */

/* Partitions of one topic (a CreateTopics count or assignment, a CreatePartitions count):
 * librdkafka's own client-side cap. Over it: INVALID_PARTITIONS. A topic's assignment must
 * also fit one znode (KB_ZK_MAX_WRITE_BYTES), which with large broker ids can bind first. */
#define KB_MAX_PARTITIONS_PER_TOPIC 100000

/* Partitions asked for by one request, summed over its topics (asked, not granted: the
 * topic that crosses it and every later one get INVALID_PARTITIONS). */
#define KB_MAX_PARTITIONS_PER_REQUEST 100000

/* Topics (resources) in one admin request. Duplicate and collision checks are quadratic in
 * it. Over it: every item of the request is answered INVALID_REQUEST, none is looked at. */
#define KB_MAX_TOPICS_PER_ADMIN_REQUEST 1000

/* ZooKeeper reads one CreatePartitions request has in flight (the controller reads each
 * topic's assignment before computing its new one): the rest of its topics wait their turn,
 * so a connection's pipelined requests cannot queue unbounded reads. */
#define KB_ADMIN_READS_PER_REQUEST 16

/* Config entries for one resource in CreateTopics/AlterConfigs/IncrementalAlterConfigs
 * (a topic has ~30 keys; duplicates are searched quadratically). Over it: INVALID_REQUEST. */
#define KB_MAX_CONFIGS_PER_RESOURCE 1000

/* Longest config value accepted from a request (every topic value is a number, a name or a
 * short list; all of a topic's values must fit one znode). Over it: INVALID_CONFIG. */
#define KB_MAX_CONFIG_VALUE_BYTES 4096

/* Largest znode payload we write (a topic's assignment): ZooKeeper refuses packets above
 * jute.maxbuffer (1 MiB - 1 by default) and drops the session's connection, so a multi-op
 * must stay below it with room for its paths and other ops. Over it: POLICY_VIOLATION. */
#define KB_ZK_MAX_WRITE_BYTES (960 * 1024)

/* Longest line in a properties file. */
#define KB_CONF_MAX_LINE 65536

/* A request that waits for its turn on a connection (server/core/dispatch.c in_turn) waits
 * at most this long: the requests before it end by their own deadlines (at most a client's
 * timeout), so this only bounds a bug. On expiry the connection is closed. */
#define KB_TURN_WAIT_MAX_MS (25LL * 3600 * 1000)

/* An acks=1 Produce whose append reached flush.messages waits for that fsync (as Kafka's
 * append flushes before answering); past this it gets REQUEST_TIMED_OUT (a failing disk). */
#define KB_FLUSH_ACK_WAIT_MS 60000

/* Consumer groups (group/). Kafka has no such limits; these bound what one request can make
 * the coordinator keep. A group id past its limit answers INVALID_GROUP_ID; a member or
 * instance id, too many protocols or too much protocol metadata, or an oversized assignment
 * answer INVALID_REQUEST; too many partitions in one OffsetCommit fail each with
 * INVALID_REQUEST. Crossed by tests/unit/test_group.c. */
#define KB_GROUP_ID_MAX_BYTES 4096           /* group id, member id, group instance id */
#define KB_GROUP_MAX_MEMBERS 100000          /* hard ceiling over group.max.size */
#define KB_GROUP_MAX_PROTOCOLS 64            /* JoinGroup protocols per member */
#define KB_GROUP_PROTOCOL_META_MAX_BYTES (1 << 20) /* all protocol metadata of one member */
#define KB_GROUP_ASSIGNMENT_MAX_BYTES (1 << 20)    /* one member's assignment (SyncGroup) */
#define KB_GROUP_MAX_COMMIT_PARTITIONS 100000 /* partitions in one OffsetCommit */
/* Protocol metadata (names + subscriptions) the members of one group may hold together, and
 * all groups of a broker together. Past the first, a new member (or a rejoin with more
 * metadata) gets GROUP_MAX_SIZE_REACHED; past the second, COORDINATOR_NOT_AVAILABLE (the
 * client retries later). They also bound the leader's JoinGroup response and keep the group's
 * metadata record near max.message.bytes. */
#define KB_GROUP_META_MAX_BYTES (32 << 20)
#define KB_GROUPS_META_MAX_BYTES (256LL << 20)

/* Transactions (txn/). Kafka has no such limits; they bound what requests can make one
 * transaction coordinator keep. A transactional id past its limit, a topic name longer than
 * Kafka allows, or a transaction that would hold too many partitions (or whose
 * __transaction_state record would exceed KB_TXN_VALUE_MAX_BYTES, under the default
 * max.message.bytes) answer INVALID_REQUEST; a new transactional id past the number one
 * coordinator keeps answers COORDINATOR_NOT_AVAILABLE (ids expire after
 * transactional.id.expiration.ms). Crossed by tests/unit/test_txn.c. */
#define KB_TXN_ID_MAX_BYTES 4096        /* transactional id */
#define KB_TXN_TOPIC_MAX_BYTES 249      /* Kafka's longest topic name */
#define KB_TXN_MAX_PARTITIONS 10000     /* partitions in one transaction */
#define KB_TXN_VALUE_MAX_BYTES (900 * 1024) /* one TransactionLogValue */
#define KB_TXN_MAX_IDS 1000000          /* transactional ids per coordinator */

/* The transaction marker channel (server/coordsvc/tmarkers.c). One WriteTxnMarkers request
 * carries at most this many partitions, summed over its markers (a transaction with more on
 * one leader goes in several requests); requests and answers are bounded in bytes (a larger
 * answer closes the connection and the partitions are retried). */
#define KB_TMARKERS_MAX_PARTITIONS_PER_REQUEST 1000
#define KB_TMARKERS_REQUEST_MAX_BYTES (1 << 20)
#define KB_TMARKERS_RESPONSE_MAX_BYTES (1 << 20)

/* Transaction coordinator requests (server/api/api_txn*.c), checked before anything is
 * allocated for the coordinator. AddPartitionsToTxn past a limit answers INVALID_REQUEST on
 * every partition (v0-3) or as its top-level ErrorCode (v4+); DescribeTransactions answers
 * INVALID_REQUEST for every id; ListTransactions answers INVALID_REQUEST. Crossed by
 * tests/integration/test_txn_coord.py. */
#define KB_TXN_REQ_MAX_PARTITIONS 10000   /* partitions named in one AddPartitionsToTxn */
#define KB_TXN_REQ_MAX_TRANSACTIONS 1000  /* transactions in one AddPartitionsToTxn v4+ */
#define KB_TXN_DESCRIBE_MAX_IDS 1000      /* ids in one DescribeTransactions */
#define KB_TXN_LIST_MAX_FILTERS 1000      /* state + producer id filters of ListTransactions */

/* Transactional offset commits (group/, TxnOffsetCommit). Kafka has no such limit: pending
 * partitions one producer holds in one group (what one request may carry); a commit that would
 * add more answers INVALID_REQUEST for the new partitions. Crossed by test_group_txn.c. */
#define KB_GROUP_TXN_MAX_PARTITIONS KB_GROUP_MAX_COMMIT_PARTITIONS
/* Transactions on the partition side (log/txnindex.c, server/api/api_markers.c). Kafka has no
 * such limits. Aborted transactions one read_committed Fetch partition may list (past it the
 * partition answers UNKNOWN_SERVER_ERROR; reaching it needs that many aborted transactions
 * overlapping one fetched range); markers in one WriteTxnMarkers request and partitions per
 * marker (past them: INVALID_REQUEST for each partition, nothing appended). */
#define KB_FETCH_MAX_ABORTED 100000
#define KB_TXN_MARKERS_MAX 10000
#define KB_TXN_MARKER_MAX_PARTITIONS 100000
/* How long WriteTxnMarkers waits for its markers to be replicated (Kafka: request.timeout.ms,
 * default 30 s); then REQUEST_TIMED_OUT, which the coordinator retries. */
#define KB_TXN_MARKER_ACK_TIMEOUT_MS 30000
/* Fetch v11+ RackId (KIP-392): compared with the brokers' racks in place (it points into the
 * request frame, nothing is allocated). Kafka has no such limit; a longer RackId is treated as
 * no rack (the leader serves, no preferred read replica). Crossed by test_fetch_follower.py. */
#define KB_FETCH_RACK_ID_MAX 1024

/* KIP-890 verification questions (server/coordsvc/tverify.c): queued or in flight per
 * destination broker (past it: COORDINATOR_NOT_AVAILABLE at once, NOT_ENOUGH_REPLICAS to the
 * producer), and the frame sizes of the verification channel's requests and answers (a full
 * request of KB_TXN_REQ_MAX_TRANSACTIONS ids of up to KB_TXN_ID_MAX_BYTES fits). Entries per
 * partition are the config key kbroker.txn.verification.max.entries.per.partition. */
#define KB_TVERIFY_MAX_QUEUED 10000
#define KB_TVERIFY_REQUEST_MAX_BYTES (8 << 20)
#define KB_TVERIFY_RESPONSE_MAX_BYTES (8 << 20)

/* ACLs (auth/, coord/acls.c). Kafka has no such limit: entries stored for one resource
 * pattern (one znode; at ~100 bytes per entry 1000 fit well under KB_ZK_MAX_WRITE_BYTES).
 * An add that would pass it answers INVALID_REQUEST; a znode written by another tool with more
 * is refused (not loaded) and logged. Crossed by test_acl.c. */
#define KB_ACLS_PER_RESOURCE_MAX 1000
/* The longest ACL resource name (Kafka has none; it is a znode name): as long as the longest
 * group or transactional id kbroker accepts. Longer: INVALID_REQUEST at CreateAcls. */
#define KB_ACL_NAME_MAX_BYTES 4096

/* ACL requests (server/api/api_acls*.c), checked before anything is allocated for them.
 * Kafka has no such limits. CreateAcls with more than KB_ACL_CREATIONS_MAX creations answers
 * INVALID_REQUEST for every creation, DeleteAcls with more than KB_ACL_FILTERS_MAX filters
 * INVALID_REQUEST for every filter (nothing written); a resource name, principal or host
 * longer than KB_ACL_STRING_MAX bytes is INVALID_REQUEST for that creation or filter
 * (DescribeAcls: the request's ErrorCode) — as long as the longest group or transactional id
 * (KB_GROUP_ID_MAX_BYTES, KB_TXN_ID_MAX_BYTES), so every resource can be named. DeleteAcls
 * filters matching more than KB_ACL_DELETE_MAX_MATCHES (resource, filter) pairs answer
 * INVALID_REQUEST for every filter with nothing deleted (the per-resource filter lists would
 * otherwise grow as filters x resources). Crossed by tests/integration/test_acls.py. */
#define KB_ACL_CREATIONS_MAX 1000
#define KB_ACL_FILTERS_MAX 1000
#define KB_ACL_STRING_MAX 4096
#define KB_ACL_DELETE_MAX_MATCHES 100000

#endif

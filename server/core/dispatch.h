/* dispatch.h — the request pipeline and the API table.
 *
 * frame → request header → table lookup (unknown key: close) → version check (unsupported:
 * close, except ApiVersions: a v0 answer with UNSUPPORTED_VERSION, KIP-511) → decode the body
 * into a per-request arena (parse error: close) → handler fills a response struct whose
 * fields start at their defaults → encode → the connection's response slot.
 *
 * The table (dispatch.c) is the single place that says which APIs and versions the broker
 * serves; ApiVersions is generated from it, so advertised and implemented cannot diverge.
 * Every implemented API is advertised from version 0 (librdkafka's feature probes depend on
 * it: kafka-protocol.md §3.3).
 */
#ifndef KB_SERVER_DISPATCH_H
#define KB_SERVER_DISPATCH_H

#include "../../common/arena.h"
#include "../../common/kerr.h"
#include "../../net/kp.h"
#include "broker.h"

struct kreq {
	struct broker *b;
	struct client *cl;       /* valid only while the handler runs (the client may go) */
	struct conn *conn;       /* valid until the slot is filled (conn.h guarantees it) */
	struct conn_slot *slot;
	struct kp_request_header hdr;
	const struct kp_api *api;
	int16_t version;
	bool flexible;
	struct arena arena;  /* decoded request and response live here */
	void *req;           /* decoded request body (api->request layout) */
	void *resp;          /* response body, defaults set (api->response layout) */
	uint8_t *frame;      /* the request bytes; strings in req point into it */
	/* File ranges (struct log_read, heap) the response sends with sendfile; released by
	 * kreq_drop unless the response took them. */
	struct log_read **reads;
	int nreads, capreads;
	const struct api_entry *entry; /* its row of the API table */
};

struct log_read;
/* Makes a read part of r's response: `bytes` then names it as an external record set. */
void kreq_keep_read(struct kreq *r, struct log_read *lr);
/* Gives back (unrefs and frees) every read kept so far (a fetch re-reading). */
void kreq_release_reads(struct kreq *r);

enum handler_result {
	H_RESPOND = 0,     /* encode r->resp and send it now */
	H_CLOSE = -1,      /* protocol violation: close the connection, no response */
	H_NO_RESPONSE = 1, /* nothing is sent (Produce acks=0) */
	H_ASYNC = 2        /* the handler keeps r and calls kreq_finish() later */
};

/* Completes a request a handler kept (H_ASYNC): encodes r->resp (H_RESPOND) or sends nothing
 * (H_NO_RESPONSE), and frees r. The connection may have closed meanwhile; that is fine. */
void kreq_finish(struct kreq *r, enum handler_result how);
/* Frees a kept request without answering (shutdown). */
void kreq_drop(struct kreq *r);

typedef enum handler_result (*api_handler_fn)(struct kreq *r);

struct api_entry {
	int16_t key;
	int16_t min, max;      /* served versions (within the codec's) */
	api_handler_fn handler;
	/* The answer reads state that requests before it on the connection may change or that
	 * goes stale while they wait (metadata, offsets, group views): the handler runs only
	 * once every earlier request of the connection is answered, as Kafka, which reads a
	 * connection's next request only then. Others (Produce, Fetch, writes that take effect
	 * in arrival order anyway) run at once, so pipelined acks=all produces overlap. */
	bool in_turn;
};

extern const struct api_entry api_table[];
extern const size_t api_table_len;
const struct api_entry *api_find(int16_t key);

/* Handlers (server/api_*.c). */
enum handler_result handle_api_versions(struct kreq *r);
enum handler_result handle_metadata(struct kreq *r);
enum handler_result handle_produce(struct kreq *r);
enum handler_result handle_fetch(struct kreq *r);
enum handler_result handle_list_offsets(struct kreq *r);
enum handler_result handle_delete_records(struct kreq *r);
enum handler_result handle_offset_for_leader_epoch(struct kreq *r);
enum handler_result handle_create_topics(struct kreq *r);
enum handler_result handle_delete_topics(struct kreq *r);
enum handler_result handle_create_partitions(struct kreq *r);
enum handler_result handle_elect_leaders(struct kreq *r);
enum handler_result handle_describe_cluster(struct kreq *r);
enum handler_result handle_describe_configs(struct kreq *r);
enum handler_result handle_alter_configs(struct kreq *r);
enum handler_result handle_incremental_alter_configs(struct kreq *r);
enum handler_result handle_init_producer_id(struct kreq *r);
enum handler_result handle_describe_producers(struct kreq *r);
enum handler_result handle_write_txn_markers(struct kreq *r);
enum handler_result handle_find_coordinator(struct kreq *r);
enum handler_result handle_join_group(struct kreq *r);
enum handler_result handle_sync_group(struct kreq *r);
enum handler_result handle_heartbeat(struct kreq *r);
enum handler_result handle_leave_group(struct kreq *r);
enum handler_result handle_offset_commit(struct kreq *r);
enum handler_result handle_offset_fetch(struct kreq *r);
enum handler_result handle_describe_groups(struct kreq *r);
enum handler_result handle_list_groups(struct kreq *r);
enum handler_result handle_delete_groups(struct kreq *r);
enum handler_result handle_offset_delete(struct kreq *r);
enum handler_result handle_add_partitions_to_txn(struct kreq *r);
enum handler_result handle_add_offsets_to_txn(struct kreq *r);
enum handler_result handle_end_txn(struct kreq *r);
enum handler_result handle_describe_transactions(struct kreq *r);
enum handler_result handle_list_transactions(struct kreq *r);
enum handler_result handle_txn_offset_commit(struct kreq *r);
enum handler_result handle_describe_acls(struct kreq *r);
enum handler_result handle_create_acls(struct kreq *r);
enum handler_result handle_delete_acls(struct kreq *r);
/* Frees the producer-id allocator (server/core/pids.c) after coord_stop. */
void pid_alloc_free(struct broker *b);

struct pg_ops;
struct pg_op;
/* Parks r's work in the broker's purgatory (purgatory_park) and makes it expire early when
 * r's connection closes (it watches the connection's key; broker.c expires that key on
 * close). The handler then returns H_ASYNC. */
struct pg_op *kreq_park(struct kreq *r, const struct pg_ops *ops, void *arg, int64_t timeout_ms);

/* Allocates a zeroed array of n elements in the request arena (NULL past its ceiling). */
void *kreq_array(struct kreq *r, struct kp_array *a, int32_t n, size_t elem_size);

#endif

/* dispatch.c — the API table and the request pipeline (see dispatch.h). */
#include "dispatch.h"
#include "purgatory.h"

#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../log/log.h"
#include "../../net/kp_msgs.h"

#include <event2/buffer.h>

#include <string.h>

const struct api_entry api_table[] = {
	{KP_API_PRODUCE, 0, 11, handle_produce},
	{KP_API_FETCH, 0, 11, handle_fetch},
	{KP_API_LIST_OFFSETS, 0, 7, handle_list_offsets, true},
	{KP_API_METADATA, 0, 12, handle_metadata, true},
	{KP_API_OFFSET_COMMIT, 0, 8, handle_offset_commit},
	{KP_API_OFFSET_FETCH, 0, 8, handle_offset_fetch, true},
	{KP_API_FIND_COORDINATOR, 0, 4, handle_find_coordinator, true},
	{KP_API_JOIN_GROUP, 0, 9, handle_join_group},
	{KP_API_HEARTBEAT, 0, 4, handle_heartbeat},
	{KP_API_LEAVE_GROUP, 0, 5, handle_leave_group},
	{KP_API_SYNC_GROUP, 0, 5, handle_sync_group},
	{KP_API_DESCRIBE_GROUPS, 0, 5, handle_describe_groups, true},
	{KP_API_LIST_GROUPS, 0, 4, handle_list_groups, true},
	{KP_API_API_VERSIONS, 0, 4, handle_api_versions},
	{KP_API_CREATE_TOPICS, 0, 7, handle_create_topics},
	{KP_API_DELETE_TOPICS, 0, 6, handle_delete_topics},
	{KP_API_DELETE_RECORDS, 0, 2, handle_delete_records},
	{KP_API_INIT_PRODUCER_ID, 0, 4, handle_init_producer_id},
	{KP_API_OFFSET_FOR_LEADER_EPOCH, 0, 4, handle_offset_for_leader_epoch, true},
	{KP_API_ADD_PARTITIONS_TO_TXN, 0, 5, handle_add_partitions_to_txn, true},
	{KP_API_ADD_OFFSETS_TO_TXN, 0, 4, handle_add_offsets_to_txn, true},
	{KP_API_END_TXN, 0, 4, handle_end_txn, true},
	{KP_API_WRITE_TXN_MARKERS, 0, 1, handle_write_txn_markers},
	{KP_API_TXN_OFFSET_COMMIT, 0, 4, handle_txn_offset_commit},
	{KP_API_DESCRIBE_ACLS, 0, 3, handle_describe_acls, true},
	{KP_API_CREATE_ACLS, 0, 3, handle_create_acls, true},
	{KP_API_DELETE_ACLS, 0, 3, handle_delete_acls, true},
	{KP_API_DESCRIBE_CONFIGS, 0, 4, handle_describe_configs, true},
	{KP_API_ALTER_CONFIGS, 0, 2, handle_alter_configs},
	{KP_API_CREATE_PARTITIONS, 0, 3, handle_create_partitions},
	{KP_API_DELETE_GROUPS, 0, 2, handle_delete_groups},
	{KP_API_ELECT_LEADERS, 0, 2, handle_elect_leaders},
	{KP_API_INCREMENTAL_ALTER_CONFIGS, 0, 1, handle_incremental_alter_configs},
	{KP_API_OFFSET_DELETE, 0, 0, handle_offset_delete},
	{KP_API_DESCRIBE_CLUSTER, 0, 1, handle_describe_cluster, true},
	{KP_API_DESCRIBE_PRODUCERS, 0, 0, handle_describe_producers, true},
	{KP_API_DESCRIBE_TRANSACTIONS, 0, 0, handle_describe_transactions, true},
	{KP_API_LIST_TRANSACTIONS, 0, 1, handle_list_transactions, true},
};
const size_t api_table_len = KB_ARRAY_LEN(api_table);

const struct api_entry *api_find(int16_t key)
{
	for (size_t i = 0; i < api_table_len; i++)
		if (api_table[i].key == key)
			return &api_table[i];
	return NULL;
}

void *kreq_array(struct kreq *r, struct kp_array *a, int32_t n, size_t elem_size)
{
	a->count = 0;
	a->elems = arena_alloc(&r->arena, (size_t)(n > 0 ? n : 1) * elem_size);
	if (a->elems)
		a->count = n;
	return a->elems;
}

void kreq_keep_read(struct kreq *r, struct log_read *lr)
{
	KB_GROW(r->reads, r->capreads, r->nreads + 1, 8);
	r->reads[r->nreads++] = lr;
}

void kreq_release_reads(struct kreq *r)
{
	for (int i = 0; i < r->nreads; i++)
		if (r->reads[i]) {
			log_segment_unref(r->reads[i]->seg);
			kb_free(r->reads[i]);
		}
	r->nreads = 0;
}

static void file_segment_done(struct evbuffer_file_segment const *fs, int flags, void *arg)
{
	KB_UNUSED(fs);
	KB_UNUSED(flags);
	struct log_read *lr = arg;
	log_segment_unref(lr->seg); /* the segment's file may close now */
	kb_free(lr);
}

/* The response as an evbuffer: encoded bytes with the file ranges spliced in where the
 * encoder left them; each range goes out by sendfile (no mmap, no copy). */
static struct evbuffer *splice_files(struct kreq *r, const struct kbuf *out)
{
	struct evbuffer *eb = evbuffer_new();
	/* Without this flag libevent reads file segments into memory instead of keeping them
	 * as sendfile chains; the chains keep it when moved into the socket's output. */
	evbuffer_set_flags(eb, EVBUFFER_FLAG_DRAINS_TO_FD);
	size_t prev = 0;
	for (int i = 0; i < out->next; i++) {
		const struct kbuf_ext *x = &out->ext[i];
		struct log_read *lr = (struct log_read *)x->src;
		evbuffer_add(eb, out->data + prev, x->pos - prev);
		prev = x->pos;
		struct evbuffer_file_segment *fs = evbuffer_file_segment_new(
		        lr->fd, lr->pos, (ev_off_t)lr->len,
		        EVBUF_FS_DISABLE_MMAP | EVBUF_FS_DISABLE_LOCKING);
		KB_ASSERT(fs);
		for (int k = 0; k < r->nreads; k++)
			if (r->reads[k] == lr)
				r->reads[k] = NULL; /* the buffer owns it now */
		evbuffer_file_segment_add_cleanup_cb(fs, file_segment_done, lr);
		evbuffer_add_file_segment(eb, fs, 0, (ev_off_t)lr->len);
		evbuffer_file_segment_free(fs);
	}
	evbuffer_add(eb, out->data + prev, out->len - prev);
	return eb;
}

/* Encodes `body` as the response to r (size prefix, header, body) and fills the slot. */
static int respond(struct kreq *r, int16_t version, const void *body)
{
	struct kbuf out;
	kbuf_init(&out, KB_RESPONSE_MAX_BYTES);
	int rc = kp_response_frame_write(&out, r->hdr.CorrelationId, r->api->key, version, body);
	if (rc != KP_OK) {
		say_error("server", "%s: cannot encode %s v%d response: %s", conn_peer(r->conn),
		          r->api->name, version, kp_err_str(rc));
		kbuf_free(&out);
		return -1;
	}
	if (out.next == 0) {
		conn_slot_fill(r->conn, r->slot, out.data, out.len);
	} else {
		struct evbuffer *eb = splice_files(r, &out);
		conn_slot_fill_buf(r->conn, r->slot, eb);
		evbuffer_free(eb);
	}
	kbuf_free(&out);
	return 0;
}

/* KIP-511: an ApiVersions version we do not serve gets a v0 answer, error 35, with our
 * ranges so the client can retry at a version we do. */
static int answer_unsupported_api_versions(struct kreq *r)
{
	struct ApiVersionsResponse *resp = arena_alloc(&r->arena, sizeof(*resp));
	kp_set_defaults(&kp_ApiVersionsResponse, resp);
	r->resp = resp;
	handle_api_versions(r);
	resp->ErrorCode = KERR_UNSUPPORTED_VERSION;
	return respond(r, 0, resp);
}

void kreq_drop(struct kreq *r)
{
	kreq_release_reads(r);
	kb_free(r->reads);
	arena_destroy(&r->arena);
	kb_free(r->frame);
	kb_free(r);
}

/* Encodes and sends r's response per `how`; -1 when the connection must close. */
static int complete(struct kreq *r, enum handler_result how)
{
	switch (how) {
	case H_RESPOND:
		/* (ApiVersions keeps response header v0 in every version: KIP-511.) */
		return respond(r, r->version, r->resp);
	case H_NO_RESPONSE:
		conn_slot_skip(r->conn, r->slot);
		return 0;
	case H_ASYNC:
	case H_CLOSE:
		break;
	}
	return -1;
}

void kreq_finish(struct kreq *r, enum handler_result how)
{
	if (complete(r, how) < 0) {
		/* A response we cannot encode: the client is owed an answer it will never get, so
		 * close its connection rather than leave it waiting. */
		conn_slot_skip(r->conn, r->slot);
		if (!conn_is_closed(r->conn))
			conn_close(r->conn);
	}
	kreq_drop(r);
}

/* ---- Requests waiting for their turn (api_entry.in_turn) ---------------------------------- */

static bool turn_try(struct pg_op *op, void *arg)
{
	KB_UNUSED(op);
	struct kreq *r = arg;
	/* A closed connection's client (r->cl) is gone: the expiry that follows answers. */
	if (conn_is_closed(r->conn) || !conn_slot_first(r->conn, r->slot))
		return false;
	enum handler_result how = r->entry->handler(r);
	if (how != H_ASYNC) /* (an in-turn handler that parks owns r from here) */
		kreq_finish(r, how);
	return true;
}

static void turn_expire(void *arg)
{
	kreq_finish(arg, H_NO_RESPONSE); /* its connection closed: nobody to answer */
}

static void turn_drop(void *arg)
{
	kreq_drop(arg);
}

static const struct pg_ops turn_ops = {turn_try, turn_expire, turn_drop, NULL};

/* Parks r until the requests before it on its connection are answered (conn.c's on_turn
 * checks the key); no deadline of its own: those requests have theirs. */
static void wait_turn(struct kreq *r)
{
	struct pg_op *op = kreq_park(r, &turn_ops, r, KB_TURN_WAIT_MAX_MS);
	purgatory_watch(op, pg_key(PG_KEY_CONN_TURN, r->conn));
}

static int run(struct kreq *r, struct kp_reader *rd, const struct api_entry *e)
{
	const char *peer = conn_peer(r->cl->conn);
	if (r->version < e->min || r->version > e->max) {
		if (e->key == KP_API_API_VERSIONS)
			return answer_unsupported_api_versions(r);
		say_ratelimited(SAY_WARN, "server", "%s: %s v%d is not supported; closing", peer,
		                r->api->name, r->version);
		return -1;
	}
	r->flexible = kp_api_flexible(r->api, r->version);
	r->req = arena_alloc(&r->arena, r->api->request->size);
	r->resp = arena_alloc(&r->arena, r->api->response->size);
	if (!r->req || !r->resp)
		return -1;
	int rc = kp_decode(r->api->request, r->version, r->flexible, rd, &r->arena, r->req);
	if (rc != KP_OK) {
		say_ratelimited(SAY_WARN, "server", "%s: malformed %s v%d request: %s; closing", peer,
		                r->api->name, r->version, kp_err_str(rc));
		return -1;
	}
	/* The decode ceiling guarded against hostile lengths; the response is ours to size. */
	r->arena.max = r->arena.used + KB_RESPONSE_ARENA_BYTES;
	kp_set_defaults(r->api->response, r->resp);
	r->entry = e;
	if (e->in_turn && !conn_slot_first(r->conn, r->slot)) {
		wait_turn(r);
		return 1;
	}
	enum handler_result how = e->handler(r);
	if (how == H_ASYNC)
		return 1;
	return complete(r, how);
}

int dispatch_frame(struct client *cl, struct conn_slot *slot, uint8_t *frame, size_t len)
{
	struct kreq *r = kb_calloc(1, sizeof(*r));
	*r = (struct kreq){.b = cl->b, .cl = cl, .conn = cl->conn, .slot = slot, .frame = frame};
	arena_init(&r->arena, len * KB_DECODE_ARENA_FACTOR + KB_DECODE_ARENA_SLACK);
	struct kp_reader rd;
	kp_reader_init(&rd, frame, len);
	int rc = -1;
	if (kp_request_header_read(&rd, &r->hdr) != KP_OK) {
		say_ratelimited(SAY_WARN, "server", "%s: unreadable request header; closing",
		                conn_peer(cl->conn));
	} else {
		const struct api_entry *e = api_find(r->hdr.RequestApiKey);
		r->api = kp_api_find(r->hdr.RequestApiKey);
		r->version = r->hdr.RequestApiVersion;
		if (e && r->api)
			rc = run(r, &rd, e);
		else
			say_ratelimited(SAY_WARN, "server", "%s: unknown api key %d; closing",
			                conn_peer(cl->conn), r->hdr.RequestApiKey);
	}
	if (rc == 1) /* H_ASYNC: the handler owns r now */
		return 0;
	kreq_drop(r);
	return rc;
}

struct pg_op *kreq_park(struct kreq *r, const struct pg_ops *ops, void *arg, int64_t timeout_ms)
{
	struct pg_op *op = purgatory_park(r->b->pg, ops, arg, timeout_ms);
	purgatory_watch(op, pg_key(PG_KEY_CONN, r->conn));
	return op;
}

/* test_tmarkers_loop.c — server/coordsvc/tmarkers.c on a real event loop over real loopback
 * sockets. The partition leaders are small in-process Kafka servers (net/listener + net/conn,
 * answering ApiVersions and WriteTxnMarkers with the real codec, as test_outclient.c's); the
 * broker's metadata cache is a struct coord filled by hand (no ZooKeeper in unit tests).
 * Covers: every leader reached, several jobs batched into one request per leader, v0 when
 * the peer has no v1, done never inside tmarkers_send and exactly once, a NOT_LEADER answer
 * retried after the backoff at the new leader, a dead leader (connection refused) replaced,
 * topic-gone drops, a fencing error ending the job, cancellation and shutdown with requests
 * in flight (their late answers ignored; ASan checks the memory), an idle connection the peer
 * closed not reopened until needed. */
#include "../../common/kerr.h"
#include "../../coord/coord_int.h"
#include "../../net/conn.h"
#include "../../net/kp_msgs.h"
#include "../../net/listener.h"
#include "../../server/coordsvc/tmarkers.h"

#include <CUnit/CUnit.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

#define NSRV 3
#define MAXGOT 256

/* ---- The leaders --------------------------------------------------------------------------- */

struct got {
	int64_t pid;
	bool commit;
	int32_t coord_epoch;
	char topic[16];
	int32_t partition;
	int req;                  /* which request of this server */
	int64_t at_ms;
};

struct held {
	struct conn *c;
	struct conn_slot *slot;
	struct kbuf frame;
};

struct fsrv {
	int32_t id;
	struct net_listener *l;
	int port;
	int16_t wtm_max;          /* WriteTxnMarkers versions listed: 0..wtm_max */
	bool hold;                /* keep the answers until released */
	struct held held[8];
	int nheld;
	int nreq;
	int16_t version[32];      /* per request */
	int markers[32];          /* markers per request */
	struct got got[MAXGOT];
	int ngot;
	struct conn *conns[8];
	int nconns;
	int accepts;
};

static struct fsrv S[NSRV];
static struct event_base *g_base;
/* The error a leader gives a partition (NULL: NONE). May change the cluster. */
static int16_t (*g_err)(struct fsrv *s, const struct got *g);

static void srv_send(struct fsrv *s, struct conn *c, struct conn_slot *slot, int32_t corr,
                     int16_t key, int16_t version, const void *body)
{
	struct kbuf b;
	kbuf_init(&b, 1 << 20);
	CU_ASSERT_EQUAL(kp_response_frame_write(&b, corr, key, version, body), KP_OK);
	if (s->hold && key == KP_API_WRITE_TXN_MARKERS && s->nheld < 8) {
		s->held[s->nheld++] = (struct held){c, slot, b};
		return;
	}
	conn_slot_fill(c, slot, b.data, b.len);
	kbuf_free(&b);
}

static void answer_versions(struct fsrv *s, struct conn *c, struct conn_slot *slot, int32_t corr,
                            int16_t v)
{
	struct ApiVersion keys[] = {{KP_API_API_VERSIONS, 0, 3},
	                            {KP_API_WRITE_TXN_MARKERS, 0, s->wtm_max}};
	struct ApiVersionsResponse r;
	kp_set_defaults(&kp_ApiVersionsResponse, &r);
	r.ApiKeys = (struct kp_array){keys, 2};
	srv_send(s, c, slot, corr, KP_API_API_VERSIONS, v > 3 ? 3 : v, &r);
}

/* Answers every partition of the request with g_err's code. */
static void answer_markers(struct fsrv *s, struct conn *c, struct conn_slot *slot, int32_t corr,
                           int16_t v, const struct WriteTxnMarkersRequest *req, struct arena *a)
{
	int nreq = s->nreq++;
	if (nreq < 32) {
		s->version[nreq] = v;
		s->markers[nreq] = req->Markers.count;
	}
	const struct WritableTxnMarker *m = req->Markers.elems;
	struct WritableTxnMarkerResult *mr = arena_alloc(a, sizeof(*mr) * (size_t)req->Markers.count + 1);
	for (int i = 0; i < req->Markers.count; i++) {
		const struct WritableTxnMarkerTopic *t = m[i].Topics.elems;
		struct WritableTxnMarkerTopicResult *tr =
		        arena_alloc(a, sizeof(*tr) * (size_t)m[i].Topics.count + 1);
		for (int k = 0; k < m[i].Topics.count; k++) {
			const int32_t *ids = t[k].PartitionIndexes.elems;
			int np = t[k].PartitionIndexes.count;
			struct WritableTxnMarkerPartitionResult *pr = arena_alloc(a, sizeof(*pr) * (size_t)np + 1);
			for (int x = 0; x < np; x++) {
				struct got g = {.pid = m[i].ProducerId, .commit = m[i].TransactionResult,
				                .coord_epoch = m[i].CoordinatorEpoch, .partition = ids[x],
				                .req = nreq, .at_ms = kb_mono_ms()};
				snprintf(g.topic, sizeof(g.topic), "%.*s", (int)t[k].Name.len, t[k].Name.ptr);
				if (s->ngot < MAXGOT)
					s->got[s->ngot++] = g;
				pr[x] = (struct WritableTxnMarkerPartitionResult){ids[x],
				                                                  g_err ? g_err(s, &g) : KERR_NONE};
			}
			tr[k] = (struct WritableTxnMarkerTopicResult){t[k].Name, {pr, np}};
		}
		mr[i] = (struct WritableTxnMarkerResult){m[i].ProducerId, {tr, m[i].Topics.count}};
	}
	struct WriteTxnMarkersResponse resp = {{mr, req->Markers.count}};
	srv_send(s, c, slot, corr, KP_API_WRITE_TXN_MARKERS, v, &resp);
}

static int srv_frame(struct conn *c, struct conn_slot *slot, uint8_t *frame, size_t len)
{
	struct fsrv *s = conn_user(c);
	struct kp_reader r;
	kp_reader_init(&r, frame, len);
	struct kp_request_header h;
	int rc = kp_request_header_read(&r, &h);
	if (rc == KP_OK && h.RequestApiKey == KP_API_API_VERSIONS) {
		answer_versions(s, c, slot, h.CorrelationId, h.RequestApiVersion);
	} else if (rc == KP_OK && h.RequestApiKey == KP_API_WRITE_TXN_MARKERS) {
		struct arena a;
		arena_init(&a, 1 << 20);
		struct WriteTxnMarkersRequest req;
		rc = kp_decode(&kp_WriteTxnMarkersRequest, h.RequestApiVersion, h.RequestApiVersion >= 1,
		               &r, &a, &req);
		CU_ASSERT_EQUAL(rc, KP_OK);
		if (rc == KP_OK)
			answer_markers(s, c, slot, h.CorrelationId, h.RequestApiVersion, &req, &a);
		arena_destroy(&a);
	} else {
		rc = -1;
	}
	free(frame);
	return rc == KP_OK ? 0 : -1;
}

static void srv_close(struct conn *c)
{
	struct fsrv *s = conn_user(c);
	for (int i = 0; i < s->nheld; i++)
		if (s->held[i].c == c && s->held[i].slot) {
			conn_slot_skip(c, s->held[i].slot);
			s->held[i].slot = NULL;
		}
	for (int i = 0; i < s->nconns; i++)
		if (s->conns[i] == c)
			s->conns[i] = s->conns[--s->nconns];
}

static const struct conn_ops srv_ops = {srv_frame, srv_close, NULL};

static void srv_accept(struct net_listener *l, evutil_socket_t fd, void *arg)
{
	KB_UNUSED(l);
	struct fsrv *s = arg;
	struct conn_limits lim = {.max_frame = 1 << 20, .idle_ms = -1};
	struct conn *c = conn_new(g_base, fd, &lim, &srv_ops, s);
	s->accepts++;
	if (s->nconns < 8)
		s->conns[s->nconns++] = c;
}

/* ---- The broker side ---------------------------------------------------------------------- */

static struct {
	struct event_base *base;
	struct broker b;
	struct coord co;
	struct md_broker brokers[NSRV + 1];
	struct md_endpoint eps[NSRV + 1];
	struct md_topic topic;
	struct md_partition parts[6];
	int dead_port;
	int done;
	int16_t last_err;
	char last_id[32];
	int done_inside_send;
	bool sending;
} L;

static void done_fn(void *arg, struct kp_str txn_id, int64_t pid, int16_t epoch, int16_t error)
{
	KB_UNUSED(arg);
	KB_UNUSED(pid);
	KB_UNUSED(epoch);
	L.done++;
	L.done_inside_send += L.sending;
	L.last_err = error;
	snprintf(L.last_id, sizeof(L.last_id), "%.*s", (int)txn_id.len, txn_id.ptr);
}

/* Topic "t", 6 partitions, leaders 1, 2, 3, 1, 2, 3; brokers 1-3 are the fake leaders and
 * broker 4 is registered at a port nobody listens on. */
static void setup(void)
{
	memset(&L, 0, sizeof(L));
	memset(S, 0, sizeof(S));
	g_err = NULL;
	L.base = g_base = event_base_new();
	char err[128];
	struct net_listener *dead = listener_bind(L.base, "127.0.0.1", 0, NULL, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dead);
	L.dead_port = listener_port(dead);
	listener_free(dead);
	for (int i = 0; i < NSRV; i++) {
		struct fsrv *s = &S[i];
		s->id = i + 1;
		s->wtm_max = 1;
		s->l = listener_bind(L.base, "127.0.0.1", 0, srv_accept, s, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(s->l);
		s->port = listener_port(s->l);
		listener_enable(s->l);
	}
	for (int i = 0; i <= NSRV; i++) {
		L.eps[i] = (struct md_endpoint){"PLAINTEXT", "127.0.0.1",
		                                i < NSRV ? S[i].port : L.dead_port};
		L.brokers[i] = (struct md_broker){.id = i + 1, .endpoints = &L.eps[i], .nendpoints = 1};
	}
	for (int p = 0; p < 6; p++)
		L.parts[p] = (struct md_partition){.id = p, .has_state = true,
		                                   .state = {.leader = 1 + p % 3, .leader_epoch = 1}};
	L.topic = (struct md_topic){.name = "t", .partitions = L.parts, .npartitions = 6};
	L.co.md = (struct md_cache){.brokers = L.brokers, .nbrokers = NSRV + 1, .topics = &L.topic,
	                            .ntopics = 1, .controller_id = 1};
	L.co.brokers_known = L.co.topics_known = true;
	L.b.base = L.base;
	L.b.coord = &L.co;
	L.b.cfg.inter_broker_listener_name = "PLAINTEXT";
}

static void teardown(void)
{
	tmarkers_stop(&L.b);
	CU_ASSERT_PTR_NULL(L.b.tmarkers);
	for (int i = 0; i < NSRV; i++) {
		for (int k = 0; k < S[i].nheld; k++)
			kbuf_free(&S[i].held[k].frame);
		while (S[i].nconns > 0)
			conn_destroy_now(S[i].conns[--S[i].nconns]);
		listener_free(S[i].l);
	}
	conn_destroy_all();
	event_base_free(L.base);
}

/* Runs the loop until pred() or ms pass; returns pred(). */
static bool run_until(bool (*pred)(void), int ms)
{
	int64_t end = kb_mono_ms() + ms;
	while (!pred() && kb_mono_ms() < end) {
		struct timeval tv = {0, 5000};
		event_base_loopexit(L.base, &tv);
		event_base_loop(L.base, EVLOOP_ONCE);
	}
	return pred();
}

static void run_for(int ms)
{
	int64_t end = kb_mono_ms() + ms;
	while (kb_mono_ms() < end) {
		struct timeval tv = {0, 5000};
		event_base_loopexit(L.base, &tv);
		event_base_loop(L.base, EVLOOP_ONCE);
	}
}

static int want_done;
static bool enough_done(void)
{
	return L.done >= want_done;
}

static void send_job(const char *id, int64_t pid, const struct txn_tp *tps, int n,
                     const void *owner)
{
	struct txn_markers m = {.txn_id = kp_str_c(id), .producer_id = pid, .producer_epoch = 3,
	                        .commit = true, .coordinator_epoch = 11, .npartitions = n,
	                        .partitions = tps};
	L.sending = true;
	tmarkers_send(&L.b, &m, done_fn, NULL, owner);
	L.sending = false;
}

static const struct txn_tp ALL6[] = {{KP_STR_LIT("t"), 0}, {KP_STR_LIT("t"), 1},
                                     {KP_STR_LIT("t"), 2}, {KP_STR_LIT("t"), 3},
                                     {KP_STR_LIT("t"), 4}, {KP_STR_LIT("t"), 5}};

/* ---- Tests -------------------------------------------------------------------------------- */

static void test_every_leader_batched(void)
{
	setup();
	S[2].wtm_max = 0; /* broker 3 speaks v0 only */
	send_job("j1", 101, ALL6, 6, NULL);
	send_job("j2", 102, ALL6, 6, NULL);
	send_job("j3", 103, ALL6, 6, NULL);
	CU_ASSERT_EQUAL(L.done, 0);
	CU_ASSERT_EQUAL(tmarkers_pending(&L.b), 3);
	want_done = 3;
	CU_ASSERT_FATAL(run_until(enough_done, 5000));
	CU_ASSERT_EQUAL(L.last_err, KERR_NONE);
	CU_ASSERT_EQUAL(L.done_inside_send, 0);
	CU_ASSERT_EQUAL(tmarkers_pending(&L.b), 0);
	for (int i = 0; i < NSRV; i++) {
		/* The three jobs were queued together: one request with three markers. */
		CU_ASSERT_EQUAL(S[i].nreq, 1);
		CU_ASSERT_EQUAL(S[i].markers[0], 3);
		CU_ASSERT_EQUAL(S[i].version[0], i == 2 ? 0 : 1);
		CU_ASSERT_EQUAL(S[i].ngot, 6); /* 2 partitions x 3 jobs */
		for (int k = 0; k < S[i].ngot; k++) {
			CU_ASSERT_EQUAL(S[i].got[k].partition % 3, i); /* only its own partitions */
			CU_ASSERT(S[i].got[k].commit);
			CU_ASSERT_EQUAL(S[i].got[k].coord_epoch, 11);
		}
	}
	run_for(50);
	CU_ASSERT_EQUAL(L.done, 3); /* exactly once */
	teardown();
}

/* Broker 1 is no longer t-0's leader: it says so, and the cluster shows broker 2. */
static int16_t moved_err(struct fsrv *s, const struct got *g)
{
	if (s->id == 1 && g->partition == 0) {
		L.parts[0].state.leader = 2;
		return KERR_NOT_LEADER_OR_FOLLOWER;
	}
	return KERR_NONE;
}

static void test_retry_at_new_leader(void)
{
	setup();
	g_err = moved_err;
	send_job("mv", 7, ALL6, 1, NULL); /* t-0 only */
	want_done = 1;
	CU_ASSERT_FATAL(run_until(enough_done, 5000));
	CU_ASSERT_EQUAL(L.last_err, KERR_NONE);
	CU_ASSERT_EQUAL_FATAL(S[0].ngot, 1);
	CU_ASSERT_EQUAL_FATAL(S[1].ngot, 1);
	CU_ASSERT_EQUAL(S[1].got[0].partition, 0);
	/* Not before the backoff. */
	CU_ASSERT(S[1].got[0].at_ms - S[0].got[0].at_ms >= TMARKERS_RETRY_BACKOFF_MS - 1);
	teardown();
}

static void test_dead_leader_replaced(void)
{
	setup();
	L.parts[1].state.leader = 4; /* registered, nobody listening */
	send_job("dead", 8, ALL6, 2, NULL); /* t-0 (broker 1), t-1 (broker 4) */
	run_for(400);
	CU_ASSERT_EQUAL(L.done, 0);
	CU_ASSERT_EQUAL(S[0].ngot, 1);
	L.parts[1].state.leader = 3; /* a new leader is elected */
	want_done = 1;
	CU_ASSERT_FATAL(run_until(enough_done, 5000));
	CU_ASSERT_EQUAL(L.last_err, KERR_NONE);
	CU_ASSERT_EQUAL_FATAL(S[2].ngot, 1);
	CU_ASSERT_EQUAL(S[2].got[0].partition, 1);
	CU_ASSERT_EQUAL(S[0].ngot, 1); /* t-0 was not sent again */
	teardown();
}

static void test_topic_gone_and_no_leader(void)
{
	setup();
	const struct txn_tp tps[] = {{KP_STR_LIT("gone"), 0}, {KP_STR_LIT("t"), 2},
	                             {KP_STR_LIT("t"), 9}};
	send_job("gone", 9, tps, 3, NULL); /* t-9: no such partition either */
	want_done = 1;
	CU_ASSERT_FATAL(run_until(enough_done, 5000));
	CU_ASSERT_EQUAL(L.last_err, KERR_NONE);
	CU_ASSERT_EQUAL(S[0].ngot + S[1].ngot + S[2].ngot, 1);
	/* A partition without a leader waits; while the view is incomplete, so does an unknown
	 * topic. */
	L.parts[4].state.leader = -1;
	L.co.pending = 1;
	send_job("wait", 10, tps, 1, NULL);
	send_job("wait2", 11, &ALL6[4], 1, NULL);
	run_for(300);
	CU_ASSERT_EQUAL(L.done, 1);
	CU_ASSERT_EQUAL(tmarkers_pending(&L.b), 2);
	L.co.pending = 0;
	L.parts[4].state.leader = 2;
	want_done = 3;
	CU_ASSERT_FATAL(run_until(enough_done, 5000));
	CU_ASSERT_EQUAL(S[1].ngot, 1);
	teardown();
}

static int16_t fenced_err(struct fsrv *s, const struct got *g)
{
	KB_UNUSED(g);
	return s->id == 2 ? KERR_TRANSACTION_COORDINATOR_FENCED : KERR_NONE;
}

static void test_fenced_ends_job(void)
{
	setup();
	g_err = fenced_err;
	send_job("fenced", 12, ALL6, 6, NULL);
	want_done = 1;
	CU_ASSERT_FATAL(run_until(enough_done, 5000));
	CU_ASSERT_EQUAL(L.last_err, KERR_TRANSACTION_COORDINATOR_FENCED);
	CU_ASSERT_STRING_EQUAL(L.last_id, "fenced");
	run_for(2 * TMARKERS_RETRY_BACKOFF_MS);
	CU_ASSERT_EQUAL(L.done, 1);
	CU_ASSERT_EQUAL(S[1].nreq, 1); /* not retried */
	teardown();
}

static bool all_held(void)
{
	return S[0].nheld == 1 && S[1].nheld == 1;
}

static void release_held(struct fsrv *s)
{
	for (int k = 0; k < s->nheld; k++) {
		if (s->held[k].slot)
			conn_slot_fill(s->held[k].c, s->held[k].slot, s->held[k].frame.data,
			               s->held[k].frame.len);
		kbuf_free(&s->held[k].frame);
	}
	s->nheld = 0;
	s->hold = false;
}

static void test_cancel_in_flight(void)
{
	setup();
	int owner_a, owner_b;
	S[0].hold = S[1].hold = true;
	send_job("a", 20, ALL6, 2, &owner_a);   /* t-0 (1), t-1 (2) */
	send_job("b", 21, &ALL6[2], 1, &owner_b); /* t-2 (3) */
	CU_ASSERT_FATAL(run_until(all_held, 5000));
	want_done = 1;
	CU_ASSERT(run_until(enough_done, 5000)); /* b is answered */
	CU_ASSERT_STRING_EQUAL(L.last_id, "b");
	tmarkers_cancel(&L.b, &owner_a);
	CU_ASSERT_EQUAL(tmarkers_pending(&L.b), 0);
	/* The answers arrive after the cancellation: ignored. */
	release_held(&S[0]);
	release_held(&S[1]);
	run_for(2 * TMARKERS_RETRY_BACKOFF_MS);
	CU_ASSERT_EQUAL(L.done, 1);
	/* The channel still works for others. */
	send_job("c", 22, ALL6, 2, &owner_a);
	want_done = 2;
	CU_ASSERT(run_until(enough_done, 5000));
	CU_ASSERT_STRING_EQUAL(L.last_id, "c");
	teardown();
}

static bool first_held(void)
{
	return S[0].nheld == 1;
}

static void test_stop_in_flight(void)
{
	setup();
	S[0].hold = true;
	send_job("s", 30, ALL6, 1, NULL);
	CU_ASSERT_FATAL(run_until(first_held, 5000));
	tmarkers_stop(&L.b); /* frees the job and the connection; done is not called */
	CU_ASSERT_EQUAL(L.done, 0);
	release_held(&S[0]);
	run_for(50);
	CU_ASSERT_EQUAL(L.done, 0);
	teardown();
}

/* The peer closes an idle connection: it is not reopened until markers need it. */
static void test_idle_connection_not_reopened(void)
{
	setup();
	send_job("i1", 40, ALL6, 1, NULL); /* t-0: broker 1 */
	want_done = 1;
	CU_ASSERT_FATAL(run_until(enough_done, 5000));
	CU_ASSERT_EQUAL(S[0].accepts, 1);
	for (int i = 0; i < S[0].nconns; i++)
		conn_close(S[0].conns[i]);
	run_for(1000); /* the client's reconnect backoff is 50 ms doubling to 1 s */
	CU_ASSERT_EQUAL(S[0].accepts, 1);
	send_job("i2", 41, ALL6, 1, NULL);
	want_done = 2;
	CU_ASSERT(run_until(enough_done, 5000));
	CU_ASSERT_EQUAL(L.last_err, KERR_NONE);
	CU_ASSERT_EQUAL(S[0].accepts, 2);
	teardown();
}

void suite_tmarkers_loop(void);
void suite_tmarkers_loop(void)
{
	CU_pSuite s = CU_add_suite("tmarkers_loop", NULL, NULL);
	CU_add_test(s, "every leader, jobs batched, v0/v1", test_every_leader_batched);
	CU_add_test(s, "NOT_LEADER: retried at the new leader", test_retry_at_new_leader);
	CU_add_test(s, "dead leader replaced", test_dead_leader_replaced);
	CU_add_test(s, "topic gone dropped, no leader waits", test_topic_gone_and_no_leader);
	CU_add_test(s, "fencing error ends the job", test_fenced_ends_job);
	CU_add_test(s, "cancellation with requests in flight", test_cancel_in_flight);
	CU_add_test(s, "stop with a request in flight", test_stop_in_flight);
	CU_add_test(s, "an idle connection closed by the peer stays closed",
	            test_idle_connection_not_reopened);
}

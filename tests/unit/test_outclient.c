/* test_outclient.c — net/outclient against a tiny Kafka server in the same process: a real
 * loopback listener and net/conn connections on the test's event_base, answering with the
 * real codec. Covers in-order correlation, per-request timeout, oversized and garbage
 * frames, connection refused with the backoff schedule, ApiVersions negotiation and its
 * KIP-511 fallbacks, in-flight requests failed on disconnect, freeing from a callback, and
 * the blocking mode (server on its own thread). */
#include "../../common/kerr.h"
#include "../../net/conn.h"
#include "../../net/kp_msgs.h"
#include "../../net/listener.h"
#include "../../net/outclient.h"

#include <CUnit/CUnit.h>
#include <event2/event.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- The fake server ------------------------------------------------------------------- */

enum srv_mode { ANSWER, HOLD, OVERSIZE, GARBAGE, WRONG_CORR };

struct held {
	struct conn *c;
	struct conn_slot *slot;
	int32_t corr;
};

struct srv {
	struct event_base *base;
	struct net_listener *l;
	int port;
	int accepts;
	int16_t av_max;        /* highest ApiVersions version served */
	bool av_unlisted;      /* the error-35 answer omits ApiVersions from its list */
	int16_t md_max;        /* Metadata versions served: 0..md_max */
	int16_t hold_version;  /* requests at this version are held whatever the mode */
	enum srv_mode mode;    /* for requests other than ApiVersions */
	int16_t av_seen[8];
	int nav;
	struct held held[32];
	int nheld;
	struct conn *conns[16];
	int nconns;
};

static struct srv sv;

static void srv_send(struct conn *c, struct conn_slot *slot, int32_t corr, int16_t key,
                     int16_t version, const void *body)
{
	struct kbuf b;
	kbuf_init(&b, 1 << 20);
	CU_ASSERT_EQUAL(kp_response_frame_write(&b, corr, key, version, body), KP_OK);
	conn_slot_fill(c, slot, b.data, b.len);
	kbuf_free(&b);
}

static void answer_api_versions(struct conn *c, struct conn_slot *slot, int32_t corr, int16_t v)
{
	struct ApiVersion keys[] = {{KP_API_METADATA, 0, sv.md_max},
	                            {KP_API_API_VERSIONS, 0, sv.av_max},
	                            {KP_API_FETCH, 4, 11}};
	struct ApiVersionsResponse r;
	kp_set_defaults(&kp_ApiVersionsResponse, &r);
	r.ApiKeys = (struct kp_array){keys, 3};
	if (v > sv.av_max) { /* KIP-511: a v0 answer with error 35 */
		r.ErrorCode = KERR_UNSUPPORTED_VERSION;
		r.ApiKeys = (struct kp_array){sv.av_unlisted ? NULL : &keys[1], sv.av_unlisted ? 0 : 1};
		v = 0;
	}
	srv_send(c, slot, corr, KP_API_API_VERSIONS, v, &r);
}

static void answer_metadata(struct conn *c, struct conn_slot *slot, int32_t corr, int16_t v)
{
	struct MetadataResponse r;
	kp_set_defaults(&kp_MetadataResponse, &r);
	r.ControllerId = corr; /* lets the client check which answer it got */
	srv_send(c, slot, corr, KP_API_METADATA, v, &r);
}

/* Answers held request i (its slot is then no longer the test's). */
static void answer_held(int i)
{
	answer_metadata(sv.held[i].c, sv.held[i].slot, sv.held[i].corr, 1);
	sv.held[i].slot = NULL;
}

static void raw_fill(struct conn *c, struct conn_slot *slot, uint32_t size, int32_t corr,
                     size_t body)
{
	uint8_t f[64] = {(uint8_t)(size >> 24), (uint8_t)(size >> 16), (uint8_t)(size >> 8),
	                 (uint8_t)size, (uint8_t)(corr >> 24), (uint8_t)(corr >> 16),
	                 (uint8_t)(corr >> 8), (uint8_t)corr};
	memset(f + 8, 0xff, sizeof(f) - 8);
	conn_slot_fill(c, slot, f, 8 + body);
}

static int srv_frame(struct conn *c, struct conn_slot *slot, uint8_t *frame, size_t len)
{
	struct kp_reader r;
	kp_reader_init(&r, frame, len);
	struct kp_request_header h;
	int rc = kp_request_header_read(&r, &h);
	free(frame);
	if (rc != KP_OK)
		return -1;
	if (h.RequestApiKey == KP_API_API_VERSIONS) {
		if (sv.nav < 8)
			sv.av_seen[sv.nav++] = h.RequestApiVersion;
		answer_api_versions(c, slot, h.CorrelationId, h.RequestApiVersion);
		return 0;
	}
	switch (h.RequestApiVersion == sv.hold_version ? HOLD : sv.mode) {
	case ANSWER:
		answer_metadata(c, slot, h.CorrelationId, h.RequestApiVersion);
		break;
	case HOLD:
		sv.held[sv.nheld++] = (struct held){c, slot, h.CorrelationId};
		break;
	case OVERSIZE:
		raw_fill(c, slot, 4097, h.CorrelationId, 0); /* limit in these tests: 4096 */
		break;
	case GARBAGE:
		raw_fill(c, slot, 40, h.CorrelationId, 36);
		break;
	case WRONG_CORR:
		answer_metadata(c, slot, h.CorrelationId + 1000, h.RequestApiVersion);
		break;
	}
	return 0;
}

/* A connection going away releases the answers held on it, so it can be freed. */
static void srv_close(struct conn *c)
{
	for (int i = 0; i < sv.nheld; i++)
		if (sv.held[i].c == c && sv.held[i].slot) {
			conn_slot_skip(c, sv.held[i].slot);
			sv.held[i].slot = NULL;
		}
	for (int i = 0; i < sv.nconns; i++)
		if (sv.conns[i] == c)
			sv.conns[i] = sv.conns[--sv.nconns];
}

static const struct conn_ops srv_ops = {srv_frame, srv_close};

static void srv_accept(struct net_listener *l, evutil_socket_t fd, void *arg)
{
	KB_UNUSED(l);
	KB_UNUSED(arg);
	struct conn_limits lim = {.max_frame = 1 << 20, .idle_ms = -1};
	struct conn *c = conn_new(sv.base, fd, &lim, &srv_ops, NULL);
	sv.accepts++;
	if (sv.nconns < 16)
		sv.conns[sv.nconns++] = c;
}

static void srv_start(struct event_base *base)
{
	memset(&sv, 0, sizeof(sv));
	sv.base = base;
	sv.av_max = 4;
	sv.md_max = 9;
	sv.hold_version = -1;
	char err[128];
	sv.l = listener_bind(base, "127.0.0.1", 0, srv_accept, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sv.l);
	sv.port = listener_port(sv.l);
	listener_enable(sv.l);
}

/* The server drops every connection at once (held answers are never sent). */
static void srv_drop_all(void)
{
	while (sv.nconns > 0)
		conn_destroy_now(sv.conns[--sv.nconns]);
	sv.nheld = 0;
}

static void srv_stop(void)
{
	srv_drop_all();
	listener_free(sv.l);
}

/* ---- The client side -------------------------------------------------------------------- */

#define MAX_EVENTS 64

struct event_rec {
	char what;          /* 'R' ready, 'L' lost, 'A' answer */
	int16_t error;
	int32_t tag;        /* answers: ControllerId (the correlation id) or the request's tag */
	int64_t at;
	const char *detail;
};

static struct {
	struct event_base *base;
	struct outclient *oc;
	struct event_rec ev[MAX_EVENTS];
	int nev;
	bool free_in_callback;
} cx;

static void record(char what, int16_t error, int32_t tag, const char *detail)
{
	if (cx.nev < MAX_EVENTS)
		cx.ev[cx.nev++] = (struct event_rec){what, error, tag, kb_mono_ms(), detail};
}

static int count(char what)
{
	int n = 0;
	for (int i = 0; i < cx.nev; i++)
		n += cx.ev[i].what == what;
	return n;
}

static void on_ready(struct outclient *oc, void *arg)
{
	KB_UNUSED(oc);
	KB_UNUSED(arg);
	record('R', 0, 0, "");
}

static void on_lost(struct outclient *oc, int16_t error, const char *detail, void *arg)
{
	KB_UNUSED(oc);
	KB_UNUSED(arg);
	record('L', error, 0, detail);
}

static const struct outclient_ops ops = {on_ready, on_lost, NULL};

static void on_answer(struct outclient_reply *r, void *arg)
{
	int32_t tag = (int32_t)(intptr_t)arg;
	if (r->error == KERR_NONE) {
		CU_ASSERT_EQUAL(r->api_key, KP_API_METADATA);
		tag = ((struct MetadataResponse *)r->body)->ControllerId;
	}
	record('A', r->error, tag, r->detail);
	outclient_reply_free(r);
	if (cx.free_in_callback && cx.oc) {
		struct outclient *oc = cx.oc;
		cx.oc = NULL;
		outclient_free(oc);
	}
}

static struct outclient_config config(int port)
{
	return (struct outclient_config){
	        .host = "127.0.0.1", .port = port, .client_id = "unit", .software_name = "kb-unit",
	        .software_version = "1.0", .max_response_bytes = 4096, .max_request_bytes = 4096,
	        .request_timeout_ms = 2000, .connect_timeout_ms = 2000,
	        .reconnect_backoff_ms = 20, .reconnect_backoff_max_ms = 80, .max_in_flight = 8};
}

static void setup(void)
{
	memset(&cx, 0, sizeof(cx));
	cx.base = event_base_new();
	srv_start(cx.base);
}

static void teardown(void)
{
	outclient_free(cx.oc);
	srv_stop();
	event_base_free(cx.base);
}

/* Runs the loop until cond holds or ms pass; returns cond. */
#define SPIN_UNTIL(cond, ms)                                                                  \
	({                                                                                        \
		int64_t end_ = kb_mono_ms() + (ms);                                                   \
		while (!(cond) && kb_mono_ms() < end_) {                                              \
			struct timeval tv_ = {0, 5000};                                                   \
			event_base_loopexit(cx.base, &tv_);                                               \
			event_base_dispatch(cx.base);                                                     \
		}                                                                                     \
		(cond);                                                                               \
	})

static void connect_ready(struct outclient_config cfg)
{
	cx.oc = outclient_new(cx.base, &cfg, &ops, NULL);
	CU_ASSERT_FALSE(outclient_ready(cx.oc)); /* nothing happens inside outclient_new */
	CU_ASSERT_FATAL(SPIN_UNTIL(outclient_ready(cx.oc), 3000));
}

static int16_t send_md(int32_t tag, int32_t timeout_ms)
{
	struct MetadataRequest req;
	kp_set_defaults(&kp_MetadataRequest, &req);
	return outclient_send(cx.oc, KP_API_METADATA, 1, &req, timeout_ms, on_answer,
	                      (void *)(intptr_t)tag);
}

/* ---- Tests ------------------------------------------------------------------------------ */

static void test_pipelined_answers_in_order(void)
{
	setup();
	sv.mode = HOLD;
	connect_ready(config(sv.port));
	CU_ASSERT_EQUAL(sv.nav, 1);
	CU_ASSERT_EQUAL(sv.av_seen[0], 3); /* ApiVersions v3 first */
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(send_md(i, 0), KERR_NONE);
	CU_ASSERT_EQUAL(outclient_inflight(cx.oc), 5);
	CU_ASSERT_FATAL(SPIN_UNTIL(sv.nheld == 5, 2000));
	for (int i = 4; i >= 0; i--) /* answered last first: conn still writes them in order */
		answer_held(i);
	CU_ASSERT_FATAL(SPIN_UNTIL(count('A') == 5, 2000));
	int32_t prev = -1;
	for (int i = 0; i < cx.nev; i++)
		if (cx.ev[i].what == 'A') {
			CU_ASSERT_EQUAL(cx.ev[i].error, KERR_NONE);
			CU_ASSERT(cx.ev[i].tag > prev); /* correlation ids in send order */
			prev = cx.ev[i].tag;
		}
	CU_ASSERT_EQUAL(outclient_inflight(cx.oc), 0);
	CU_ASSERT_EQUAL(count('L'), 0);
	teardown();
}

static void test_version_negotiation(void)
{
	setup();
	connect_ready(config(sv.port));
	CU_ASSERT_EQUAL(outclient_version(cx.oc, KP_API_METADATA, 0, KP_VMAX), 9);
	CU_ASSERT_EQUAL(outclient_version(cx.oc, KP_API_METADATA, 1, 4), 4);
	CU_ASSERT_EQUAL(outclient_version(cx.oc, KP_API_METADATA, 10, 12), -1);
	CU_ASSERT_EQUAL(outclient_version(cx.oc, KP_API_FETCH, 0, 3), -1);   /* broker min 4 */
	CU_ASSERT_EQUAL(outclient_version(cx.oc, KP_API_FETCH, 0, 20), 11);
	CU_ASSERT_EQUAL(outclient_version(cx.oc, KP_API_PRODUCE, 0, 11), -1); /* not served */
	CU_ASSERT_EQUAL(outclient_version(cx.oc, 999, 0, 11), -1);
	/* Refused before anything is queued. */
	struct MetadataRequest req;
	kp_set_defaults(&kp_MetadataRequest, &req);
	CU_ASSERT_EQUAL(outclient_send(cx.oc, KP_API_METADATA, 10, &req, 0, on_answer, NULL),
	                KERR_UNSUPPORTED_VERSION);
	CU_ASSERT_EQUAL(outclient_send(cx.oc, KP_API_PRODUCE, 3, &req, 0, on_answer, NULL),
	                KERR_UNSUPPORTED_VERSION);
	CU_ASSERT_EQUAL(outclient_inflight(cx.oc), 0);
	teardown();

	/* KIP-511: v3 refused; the broker lists ApiVersions 0-2: retry at 2. */
	setup();
	sv.av_max = 2;
	connect_ready(config(sv.port));
	CU_ASSERT_EQUAL(sv.nav, 2);
	CU_ASSERT_EQUAL(sv.av_seen[0], 3);
	CU_ASSERT_EQUAL(sv.av_seen[1], 2);
	CU_ASSERT_EQUAL(outclient_version(cx.oc, KP_API_METADATA, 0, KP_VMAX), 9);
	teardown();

	/* ...and without ApiVersions in its list: retry at v0. */
	setup();
	sv.av_max = 0;
	sv.av_unlisted = true;
	connect_ready(config(sv.port));
	CU_ASSERT_EQUAL(sv.nav, 2);
	CU_ASSERT_EQUAL(sv.av_seen[1], 0);
	CU_ASSERT_EQUAL(outclient_version(cx.oc, KP_API_METADATA, 0, KP_VMAX), 9);
	CU_ASSERT_EQUAL(send_md(1, 0), KERR_NONE);
	CU_ASSERT(SPIN_UNTIL(count('A') == 1, 2000));
	CU_ASSERT_EQUAL(cx.ev[cx.nev - 1].error, KERR_NONE);
	teardown();
}

static void test_request_timeout(void)
{
	setup();
	sv.mode = HOLD;
	connect_ready(config(sv.port));
	int64_t t0 = kb_mono_ms();
	CU_ASSERT_EQUAL(send_md(1, 100), KERR_NONE);
	CU_ASSERT_EQUAL(send_md(2, 5000), KERR_NONE);
	CU_ASSERT_FATAL(SPIN_UNTIL(count('L') == 1, 3000));
	/* The first timed out; the second was behind it on a connection now closed. */
	CU_ASSERT_EQUAL(cx.ev[1].what, 'A');
	CU_ASSERT_EQUAL(cx.ev[1].error, KERR_REQUEST_TIMED_OUT);
	CU_ASSERT_EQUAL(cx.ev[1].tag, 1);
	CU_ASSERT(cx.ev[1].at - t0 >= 100 && cx.ev[1].at - t0 < 1500);
	CU_ASSERT_EQUAL(cx.ev[2].what, 'A');
	CU_ASSERT_EQUAL(cx.ev[2].error, KERR_NETWORK_EXCEPTION);
	CU_ASSERT_EQUAL(cx.ev[2].tag, 2);
	CU_ASSERT_EQUAL(cx.ev[3].what, 'L');
	CU_ASSERT_EQUAL(cx.ev[3].error, KERR_REQUEST_TIMED_OUT);
	CU_ASSERT_FALSE(outclient_ready(cx.oc));
	CU_ASSERT_EQUAL(send_md(3, 0), KERR_NETWORK_EXCEPTION); /* not ready: refused at once */
	/* It reconnects by itself after the backoff. */
	CU_ASSERT(SPIN_UNTIL(count('R') == 2, 3000));
	CU_ASSERT_EQUAL(sv.accepts, 2);
	teardown();
}

static void check_bad_answer(enum srv_mode mode, int16_t error, const char *detail)
{
	setup();
	sv.mode = mode;
	connect_ready(config(sv.port));
	CU_ASSERT_EQUAL(send_md(1, 0), KERR_NONE);
	CU_ASSERT_EQUAL(send_md(2, 0), KERR_NONE);
	CU_ASSERT_FATAL(SPIN_UNTIL(count('L') == 1, 3000));
	CU_ASSERT_EQUAL(cx.nev, 4); /* R, A(1), A(2), L */
	CU_ASSERT_EQUAL(cx.ev[1].error, error);
	CU_ASSERT_STRING_EQUAL(cx.ev[1].detail, detail);
	CU_ASSERT_EQUAL(cx.ev[2].error, KERR_NETWORK_EXCEPTION);
	CU_ASSERT_EQUAL(cx.ev[3].error, error);
	CU_ASSERT_STRING_EQUAL(cx.ev[3].detail, detail);
	CU_ASSERT_FALSE(outclient_ready(cx.oc));
	CU_ASSERT(SPIN_UNTIL(sv.nconns == 0, 2000)); /* the server saw the connection close */
	teardown();
}

static void test_bad_answers_close(void)
{
	check_bad_answer(OVERSIZE, KERR_NETWORK_EXCEPTION, "response frame above the limit");
	check_bad_answer(GARBAGE, KERR_CORRUPT_MESSAGE, "malformed response");
	check_bad_answer(WRONG_CORR, KERR_NETWORK_EXCEPTION, "response correlation id out of order");
}

static void test_refused_then_backoff_schedule(void)
{
	CU_ASSERT_EQUAL(outclient_backoff_ms(20, 80, 0), 0);
	CU_ASSERT_EQUAL(outclient_backoff_ms(20, 80, 1), 20);
	CU_ASSERT_EQUAL(outclient_backoff_ms(20, 80, 2), 40);
	CU_ASSERT_EQUAL(outclient_backoff_ms(20, 80, 3), 80);
	CU_ASSERT_EQUAL(outclient_backoff_ms(20, 80, 40), 80);
	CU_ASSERT_EQUAL(outclient_backoff_ms(1000, 100, 3), 1000); /* max below base: base */
	CU_ASSERT_EQUAL(outclient_backoff_ms(50, 1000, 6), 1000);

	setup();
	int port = sv.port;
	listener_free(sv.l); /* nothing listens there any more */
	sv.l = NULL;
	struct outclient_config cfg = config(port);
	cx.oc = outclient_new(cx.base, &cfg, &ops, NULL);
	CU_ASSERT_FATAL(SPIN_UNTIL(count('L') == 5, 5000));
	int64_t want[] = {20, 40, 80, 80};
	for (int i = 0; i < 4; i++) {
		int64_t gap = cx.ev[i + 1].at - cx.ev[i].at;
		/* libevent's timers run on a coarse monotonic clock: a few ms early at times. */
		CU_ASSERT(gap >= want[i] - 6);
		CU_ASSERT(gap < want[i] + 500);
		CU_ASSERT_EQUAL(cx.ev[i].error, KERR_NETWORK_EXCEPTION);
		CU_ASSERT_STRING_EQUAL(cx.ev[i].detail, "connection failed");
	}
	CU_ASSERT_EQUAL(count('R'), 0);
	outclient_free(cx.oc);
	cx.oc = NULL;
	event_base_free(cx.base);
}

static void test_disconnect_fails_inflight(void)
{
	setup();
	sv.mode = HOLD;
	connect_ready(config(sv.port));
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(send_md(10 + i, 0), KERR_NONE);
	CU_ASSERT_FATAL(SPIN_UNTIL(sv.nheld == 3, 2000));
	srv_drop_all();
	CU_ASSERT_FATAL(SPIN_UNTIL(count('L') == 1, 2000));
	CU_ASSERT_EQUAL(cx.nev, 5);
	for (int i = 0; i < 3; i++) { /* in send order, before on_lost */
		CU_ASSERT_EQUAL(cx.ev[1 + i].what, 'A');
		CU_ASSERT_EQUAL(cx.ev[1 + i].tag, 10 + i);
		CU_ASSERT_EQUAL(cx.ev[1 + i].error, KERR_NETWORK_EXCEPTION);
	}
	CU_ASSERT_EQUAL(cx.ev[4].what, 'L');
	CU_ASSERT_EQUAL(outclient_inflight(cx.oc), 0);
	teardown();

	/* Freeing the client from inside an answer's callback: the rest fail, nothing leaks. */
	setup();
	sv.mode = HOLD;
	connect_ready(config(sv.port));
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(send_md(20 + i, 0), KERR_NONE);
	CU_ASSERT_FATAL(SPIN_UNTIL(sv.nheld == 3, 2000));
	cx.free_in_callback = true;
	answer_held(0);
	CU_ASSERT(SPIN_UNTIL(count('A') == 3, 2000));
	CU_ASSERT_EQUAL(cx.ev[1].error, KERR_NONE);
	CU_ASSERT_EQUAL(cx.ev[2].error, KERR_NETWORK_EXCEPTION);
	CU_ASSERT_STRING_EQUAL(cx.ev[2].detail, "client closed");
	CU_ASSERT_EQUAL(count('L'), 0);
	CU_ASSERT_PTR_NULL(cx.oc);
	teardown();
}

static void test_in_flight_limit(void)
{
	setup();
	sv.mode = HOLD;
	struct outclient_config cfg = config(sv.port);
	cfg.max_in_flight = 2;
	connect_ready(cfg);
	CU_ASSERT_EQUAL(send_md(1, 0), KERR_NONE);
	CU_ASSERT(outclient_can_send(cx.oc));
	CU_ASSERT_EQUAL(send_md(2, 0), KERR_NONE);
	CU_ASSERT_FALSE(outclient_can_send(cx.oc));
	CU_ASSERT_EQUAL(send_md(3, 0), KERR_NETWORK_EXCEPTION);
	/* A request larger than max_request_bytes is refused, not truncated. */
	char big[5000];
	memset(big, 'x', sizeof(big));
	struct MetadataRequestTopic t = {.Name = {big, (int32_t)sizeof(big)}};
	struct MetadataRequest req;
	kp_set_defaults(&kp_MetadataRequest, &req);
	req.Topics = (struct kp_array){&t, 1};
	outclient_free(cx.oc);
	cfg.max_in_flight = 8;
	cx.nev = 0;
	connect_ready(cfg);
	CU_ASSERT_EQUAL(outclient_send(cx.oc, KP_API_METADATA, 1, &req, 0, on_answer, NULL),
	                KERR_INVALID_REQUEST);
	teardown();
}

/* The shared frame writers: header versions per API, and the size prefix. */
static void test_frame_writers(void)
{
	CU_ASSERT_EQUAL(kp_request_header_version(KP_API_API_VERSIONS, 3), 2);
	CU_ASSERT_EQUAL(kp_request_header_version(KP_API_API_VERSIONS, 2), 1);
	CU_ASSERT_EQUAL(kp_request_header_version(KP_API_METADATA, 9), 2);
	CU_ASSERT_EQUAL(kp_request_header_version(KP_API_FETCH, 11), 1);
	CU_ASSERT_EQUAL(kp_request_header_version(7, 0), 0); /* ControlledShutdown v0 */
	CU_ASSERT_FALSE(kp_response_header_v1(KP_API_API_VERSIONS, 3));
	CU_ASSERT(kp_response_header_v1(KP_API_METADATA, 9));
	CU_ASSERT_FALSE(kp_response_header_v1(KP_API_METADATA, 8));

	struct ApiVersionsRequest av = {KP_STR_LIT("a"), KP_STR_LIT("1")};
	struct kp_request_header h = {KP_API_API_VERSIONS, 3, 77, KP_STR_LIT("cid")};
	struct kbuf b;
	kbuf_init(&b, 1024);
	CU_ASSERT_EQUAL_FATAL(kp_request_frame_write(&b, &h, &av), KP_OK);
	struct kp_reader r;
	kp_reader_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(kp_get_i32(&r), (int32_t)b.len - 4);
	struct kp_request_header back;
	CU_ASSERT_EQUAL(kp_request_header_read(&r, &back), KP_OK);
	CU_ASSERT_EQUAL(back.CorrelationId, 77);
	CU_ASSERT(kp_str_eq_c(back.ClientId, "cid"));
	struct ApiVersionsRequest avb;
	CU_ASSERT_EQUAL(kp_decode(&kp_ApiVersionsRequest, 3, true, &r, NULL, &avb), KP_OK);
	CU_ASSERT(kp_str_eq_c(avb.ClientSoftwareName, "a"));
	CU_ASSERT_EQUAL(kp_remaining(&r), 0);
	kbuf_reset(&b);
	h.RequestApiKey = 999;
	CU_ASSERT_EQUAL(kp_request_frame_write(&b, &h, &av), KP_ERR_VERSION);
	kbuf_reset(&b);
	struct MetadataResponse md;
	kp_set_defaults(&kp_MetadataResponse, &md);
	CU_ASSERT_EQUAL(kp_response_frame_write(&b, 5, KP_API_METADATA, 9, &md), KP_OK);
	CU_ASSERT_EQUAL(b.data[8], 0); /* header v1: an empty tag section after the id */
	kp_reader_init(&r, b.data, b.len);
	CU_ASSERT_EQUAL(kp_get_i32(&r), (int32_t)b.len - 4);
	kbuf_reset(&b);
	b.max = 6; /* too small for any frame: the limit, never a partial frame reported OK */
	CU_ASSERT_EQUAL(kp_response_frame_write(&b, 5, KP_API_METADATA, 9, &md), KP_ERR_LIMIT);
	kbuf_free(&b);
}

/* ---- Blocking mode: the server runs on its own thread and event_base ----------------- */

static void *srv_thread(void *arg)
{
	struct event_base *base = arg;
	event_base_dispatch(base);
	return NULL;
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	srv_stop();
	event_base_loopbreak(arg);
}

static void test_blocking_mode(void)
{
	char err[256];
	struct outclient_config cfg = config(1); /* port 1: refused */
	CU_ASSERT_PTR_NULL(outclient_open_sync(&cfg, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "connection failed"));

	struct event_base *base = event_base_new();
	srv_start(base);
	sv.hold_version = 2; /* set before the thread starts; never written again */
	int stop[2];
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, stop) == 0);
	struct event *stop_ev = event_new(base, stop[0], EV_READ, stop_cb, base);
	event_add(stop_ev, NULL);
	pthread_t th;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, srv_thread, base) == 0);
	cfg = config(sv.port);
	struct outclient *oc = outclient_open_sync(&cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(oc);
	CU_ASSERT_EQUAL(outclient_version(oc, KP_API_METADATA, 0, KP_VMAX), 9);
	struct MetadataRequest req;
	kp_set_defaults(&kp_MetadataRequest, &req);
	for (int i = 0; i < 3; i++) {
		struct outclient_reply *r = outclient_call_sync(oc, KP_API_METADATA, 4, &req, err,
		                                                sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(r->version, 4);
		CU_ASSERT_EQUAL(((struct MetadataResponse *)r->body)->ControllerId, 2 + i);
		outclient_reply_free(r);
	}
	/* v2 is held by the server: the call gives up after the request timeout. */
	cfg.request_timeout_ms = 150;
	struct outclient *oc2 = outclient_open_sync(&cfg, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(oc2);
	int64_t t0 = kb_mono_ms();
	CU_ASSERT_PTR_NULL(outclient_call_sync(oc2, KP_API_METADATA, 2, &req, err, sizeof(err)));
	CU_ASSERT(kb_mono_ms() - t0 >= 150);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "request timed out"));
	CU_ASSERT_PTR_NULL(outclient_call_sync(oc2, KP_API_METADATA, 4, &req, err, sizeof(err)));
	outclient_free(oc2);
	outclient_free(oc);
	CU_ASSERT(write(stop[1], "x", 1) == 1); /* the server stops itself on its own thread */
	pthread_join(th, NULL);
	event_free(stop_ev);
	event_base_free(base);
	close(stop[0]);
	close(stop[1]);
}

void suite_outclient(void);
void suite_outclient(void)
{
	CU_pSuite s = CU_add_suite("outclient", NULL, NULL);
	CU_add_test(s, "pipelined requests answered in order", test_pipelined_answers_in_order);
	CU_add_test(s, "ApiVersions negotiation and KIP-511 fallback", test_version_negotiation);
	CU_add_test(s, "request timeout closes and reconnects", test_request_timeout);
	CU_add_test(s, "oversized, garbage, out-of-order answers close", test_bad_answers_close);
	CU_add_test(s, "connection refused: backoff schedule", test_refused_then_backoff_schedule);
	CU_add_test(s, "disconnect fails every request in flight", test_disconnect_fails_inflight);
	CU_add_test(s, "in-flight and request size limits", test_in_flight_limit);
	CU_add_test(s, "frame writers and header versions", test_frame_writers);
	CU_add_test(s, "blocking mode", test_blocking_mode);
}

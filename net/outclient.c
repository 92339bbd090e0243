/* outclient.c — one outbound Kafka connection (see outclient.h for the contract).
 *
 * State: WAIT (no socket; the timer starts the next attempt) → CONNECTING (the timer is the
 * connect timeout) → NEGOTIATING (ApiVersions in flight, as an ordinary queued request with
 * an internal callback) → READY. Every failure goes through fail(), which closes the socket,
 * bumps `gen` (so a read loop notices its connection went away under a callback), fails the
 * in-flight FIFO, calls on_lost and arms the reconnect. Entry points from libevent bracket
 * their work with enter()/leave(); outclient_free inside a callback only marks the client
 * dead and leave() frees it once nothing of ours is on the stack.
 */
#include "outclient.h"

#include "../common/kerr.h"
#include "../common/limits.h"
#include "kp_msgs.h"
#include "sockread.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* The ApiVersions version tried first (KIP-511's, flexible; the codec knows up to 4). */
#define OC_API_VERSIONS_FIRST 3

enum oc_state { OC_WAIT, OC_CONNECTING, OC_NEGOTIATING, OC_READY };

struct oc_req {
	struct oc_req *next;
	int32_t corr;
	int16_t key, version;
	int64_t deadline;           /* mono ms */
	outclient_reply_fn cb;
	void *arg;
};

struct outclient {
	struct event_base *base;
	struct outclient_config cfg; /* strings point at the copies below */
	char *host, *client_id, *sw_name, *sw_version;
	struct outclient_ops ops;
	void *arg;
	enum oc_state state;
	struct bufferevent *bev;
	struct event *timer;         /* next attempt, connect timeout, or earliest deadline */
	struct oc_req *head, *tail;  /* in flight, in send order */
	int ninflight;
	int32_t next_corr;
	int failures;                /* failed attempts since the last READY */
	uint32_t gen;                /* bumped when a connection closes */
	int busy;                    /* our entry points on the stack */
	bool dead;                   /* outclient_free called */
	bool in_connect, connect_failed;
	int16_t av_version;          /* ApiVersions version being tried */
	int16_t vmin[KB_OUTCLIENT_MAX_API_KEY], vmax[KB_OUTCLIENT_MAX_API_KEY]; /* broker's */
	/* Blocking mode. */
	bool sync, own_base, sync_lost;
	const char *sync_detail;
	char peer[300];
};

/* ---- Small pieces -------------------------------------------------------------------------- */

int64_t outclient_backoff_ms(int32_t base_ms, int32_t max_ms, int failures)
{
	int64_t d = KB_MAX(base_ms, 0), cap = KB_MAX(max_ms, base_ms);
	for (int i = 1; i < failures && d < cap; i++)
		d *= 2;
	return failures < 1 ? 0 : KB_MIN(d, cap);
}

static void arm(struct outclient *oc, int64_t ms)
{
	ms = KB_MAX(ms, 0);
	/* From now, not from the loop's cached time (which may be a callback's length ago). */
	event_base_update_cache_time(oc->base);
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	evtimer_add(oc->timer, &tv);
}

/* The timer follows the earliest deadline in flight (at most max_in_flight of them). */
static void arm_deadline(struct outclient *oc)
{
	if (!oc->head) {
		evtimer_del(oc->timer);
		return;
	}
	int64_t soonest = oc->head->deadline;
	for (struct oc_req *q = oc->head->next; q; q = q->next)
		soonest = KB_MIN(soonest, q->deadline);
	arm(oc, KB_MAX(soonest - kb_mono_ms(), 1));
}

static char *dup_or_null(const char *s)
{
	return s ? kb_strdup(s) : NULL;
}

static void destroy(struct outclient *oc)
{
	struct event_base *own = oc->own_base ? oc->base : NULL;
	event_free(oc->timer);
	kb_free(oc->host);
	kb_free(oc->client_id);
	kb_free(oc->sw_name);
	kb_free(oc->sw_version);
	kb_free(oc);
	if (own)
		event_base_free(own);
}

static void enter(struct outclient *oc)
{
	oc->busy++;
}

static void leave(struct outclient *oc)
{
	if (--oc->busy == 0 && oc->dead)
		destroy(oc);
}

void outclient_reply_free(struct outclient_reply *r)
{
	if (!r)
		return;
	arena_destroy(&r->arena);
	kb_free(r->frame);
	kb_free(r);
}

static struct oc_req *pop(struct outclient *oc)
{
	struct oc_req *q = oc->head;
	oc->head = q->next;
	if (!oc->head)
		oc->tail = NULL;
	oc->ninflight--;
	return q;
}

static void deliver_error(struct oc_req *q, int16_t err, const char *detail)
{
	struct outclient_reply *r = kb_calloc(1, sizeof(*r));
	arena_init(&r->arena, 0);
	r->error = err;
	r->detail = detail;
	r->api_key = q->key;
	r->version = q->version;
	q->cb(r, q->arg);
	kb_free(q);
}

/* Fails every request in flight, oldest first: those past their deadline (when by_deadline)
 * with REQUEST_TIMED_OUT, the others with err/detail. */
static void fail_inflight(struct outclient *oc, int16_t err, const char *detail,
                          bool by_deadline)
{
	int64_t now = kb_mono_ms();
	while (oc->head) {
		struct oc_req *q = pop(oc);
		if (by_deadline && q->deadline <= now)
			deliver_error(q, KERR_REQUEST_TIMED_OUT, "request timed out");
		else
			deliver_error(q, err, detail);
	}
}

static void close_socket(struct outclient *oc)
{
	if (oc->bev)
		bufferevent_free(oc->bev);
	oc->bev = NULL;
	oc->gen++;
	oc->state = OC_WAIT;
	evtimer_del(oc->timer);
}

/* The one failure path: see the file comment. */
static void fail(struct outclient *oc, int16_t err, const char *detail, bool timeout)
{
	if (oc->state == OC_WAIT || oc->dead)
		return;
	close_socket(oc);
	oc->failures++;
	enter(oc);
	fail_inflight(oc, KERR_NETWORK_EXCEPTION,
	              timeout ? "connection closed after a request timed out" : detail, timeout);
	if (!oc->dead && oc->ops.on_lost)
		oc->ops.on_lost(oc, err, detail, oc->arg);
	if (!oc->dead && !oc->sync && oc->state == OC_WAIT)
		arm(oc, outclient_backoff_ms(oc->cfg.reconnect_backoff_ms,
		                             oc->cfg.reconnect_backoff_max_ms, oc->failures));
	leave(oc);
}

/* ---- Sending --------------------------------------------------------------------------------- */

static void free_bytes(const void *data, size_t len, void *arg)
{
	KB_UNUSED(len);
	KB_UNUSED(arg);
	kb_free((void *)data);
}

/* Encodes and queues one request (no state checks: the caller's job). */
static int16_t enqueue(struct outclient *oc, int16_t key, int16_t version, const void *req,
                       int32_t timeout_ms, outclient_reply_fn cb, void *arg)
{
	struct kbuf b;
	kbuf_init(&b, oc->cfg.max_request_bytes);
	struct kp_request_header h = {key, version, oc->next_corr, kp_str_c(oc->client_id)};
	int rc = kp_request_frame_write(&b, &h, req);
	if (rc != KP_OK || b.next != 0) { /* external bytes cannot travel on this path */
		kbuf_free(&b);
		return rc == KP_ERR_VERSION ? KERR_UNSUPPORTED_VERSION : KERR_INVALID_REQUEST;
	}
	oc->next_corr = oc->next_corr == INT32_MAX ? 0 : oc->next_corr + 1;
	size_t len;
	uint8_t *bytes = kbuf_detach(&b, &len);
	kbuf_free(&b);
	evbuffer_add_reference(bufferevent_get_output(oc->bev), bytes, len, free_bytes, NULL);
	struct oc_req *q = kb_calloc(1, sizeof(*q));
	*q = (struct oc_req){.corr = h.CorrelationId, .key = key, .version = version, .cb = cb,
	                     .arg = arg,
	                     .deadline = kb_mono_ms() + (timeout_ms > 0 ? timeout_ms
	                                                                : oc->cfg.request_timeout_ms)};
	if (oc->tail)
		oc->tail->next = q;
	else
		oc->head = q;
	oc->tail = q;
	oc->ninflight++;
	arm_deadline(oc);
	return KERR_NONE;
}

bool outclient_ready(const struct outclient *oc)
{
	return !oc->dead && oc->state == OC_READY;
}

bool outclient_can_send(const struct outclient *oc)
{
	return outclient_ready(oc) && oc->ninflight < oc->cfg.max_in_flight;
}

int outclient_inflight(const struct outclient *oc)
{
	return oc->ninflight;
}

const char *outclient_peer(const struct outclient *oc)
{
	return oc->peer;
}

int16_t outclient_version(const struct outclient *oc, int16_t key, int16_t min, int16_t max)
{
	const struct kp_api *api = kp_api_find(key);
	if (!api || oc->state != OC_READY || key < 0 || key >= KB_OUTCLIENT_MAX_API_KEY ||
	    oc->vmax[key] < 0)
		return -1;
	int16_t lo = KB_MAX(KB_MAX(min, api->vmin), oc->vmin[key]);
	int16_t hi = KB_MIN(KB_MIN(max, api->vmax), oc->vmax[key]);
	return lo <= hi && lo >= 0 ? hi : -1;
}

int16_t outclient_send(struct outclient *oc, int16_t key, int16_t version, const void *req,
                       int32_t timeout_ms, outclient_reply_fn cb, void *arg)
{
	if (!outclient_can_send(oc))
		return KERR_NETWORK_EXCEPTION;
	if (outclient_version(oc, key, version, version) != version)
		return KERR_UNSUPPORTED_VERSION;
	return enqueue(oc, key, version, req, timeout_ms, cb, arg);
}

void outclient_drop(struct outclient *oc, const char *why)
{
	fail(oc, KERR_NETWORK_EXCEPTION, why, false);
}

/* ---- Negotiation ------------------------------------------------------------------------------ */

static void api_versions_reply(struct outclient_reply *reply, void *arg);

static void send_api_versions(struct outclient *oc)
{
	struct ApiVersionsRequest req = {kp_str_c(oc->sw_name), kp_str_c(oc->sw_version)};
	if (enqueue(oc, KP_API_API_VERSIONS, oc->av_version, &req, 0, api_versions_reply, oc) !=
	    KERR_NONE)
		fail(oc, KERR_INVALID_REQUEST, "cannot encode ApiVersions", false);
}

/* The version to retry at after UNSUPPORTED_VERSION: the broker's highest ApiVersions
 * version below the one refused if it lists one, else 0. */
static int16_t api_versions_retry(const struct ApiVersionsResponse *r, int16_t refused)
{
	const struct ApiVersion *e = r->ApiKeys.elems;
	for (int32_t i = 0; i < r->ApiKeys.count; i++)
		if (e[i].ApiKey == KP_API_API_VERSIONS)
			return (int16_t)KB_MAX(KB_MIN(e[i].MaxVersion, refused - 1), 0);
	return 0;
}

static void api_versions_reply(struct outclient_reply *reply, void *arg)
{
	struct outclient *oc = arg;
	const struct ApiVersionsResponse *r = reply->body;
	if (reply->error || oc->dead) { /* the failure path reports it */
		outclient_reply_free(reply);
		return;
	}
	if (r->ErrorCode == KERR_UNSUPPORTED_VERSION && oc->av_version > 0) {
		oc->av_version = api_versions_retry(r, oc->av_version);
		outclient_reply_free(reply);
		send_api_versions(oc);
		return;
	}
	if (r->ErrorCode != KERR_NONE) {
		int16_t code = r->ErrorCode;
		outclient_reply_free(reply);
		fail(oc, code, "the broker refused ApiVersions", false);
		return;
	}
	for (int k = 0; k < KB_OUTCLIENT_MAX_API_KEY; k++)
		oc->vmin[k] = oc->vmax[k] = -1;
	const struct ApiVersion *e = r->ApiKeys.elems;
	for (int32_t i = 0; i < r->ApiKeys.count; i++)
		if (e[i].ApiKey >= 0 && e[i].ApiKey < KB_OUTCLIENT_MAX_API_KEY &&
		    e[i].MinVersion >= 0 && e[i].MinVersion <= e[i].MaxVersion) {
			oc->vmin[e[i].ApiKey] = e[i].MinVersion;
			oc->vmax[e[i].ApiKey] = e[i].MaxVersion;
		}
	outclient_reply_free(reply);
	oc->state = OC_READY;
	oc->failures = 0;
	if (oc->ops.on_ready)
		oc->ops.on_ready(oc, oc->arg);
}

/* ---- Receiving --------------------------------------------------------------------------------- */

static int decode_body(struct outclient_reply *rep, const uint8_t *p, size_t n)
{
	const struct kp_api *api = kp_api_find(rep->api_key);
	arena_destroy(&rep->arena);
	arena_init(&rep->arena, rep->frame_len * KB_DECODE_ARENA_FACTOR + KB_DECODE_ARENA_SLACK);
	rep->body = arena_alloc(&rep->arena, api->response->size);
	struct kp_reader r;
	kp_reader_init(&r, p, n);
	if (!rep->body)
		return KP_ERR_LIMIT;
	return kp_decode(api->response, rep->version, kp_api_flexible(api, rep->version), &r,
	                 &rep->arena, rep->body);
}

/* One whole answer for q (the oldest request). false: the connection must go. */
static bool handle_frame(struct outclient *oc, struct oc_req *q, uint8_t *frame, size_t n)
{
	struct kp_reader r;
	kp_reader_init(&r, frame, n);
	int32_t corr = -1;
	kp_response_header_read(&r, &corr, kp_response_header_v1(q->key, q->version));
	struct outclient_reply *rep = kb_calloc(1, sizeof(*rep));
	*rep = (struct outclient_reply){.detail = "", .api_key = q->key, .version = q->version,
	                                .frame = frame, .frame_len = n};
	arena_init(&rep->arena, 0);
	size_t at = n - kp_remaining(&r);
	int rc = r.err ? r.err : corr != q->corr ? KP_ERR_INVALID : decode_body(rep, frame + at, n - at);
	if (rc != KP_OK && !r.err && corr == q->corr && q->key == KP_API_API_VERSIONS &&
	    q->version > 0) {
		/* KIP-511: a broker refusing our ApiVersions version answers in v0. */
		rep->version = 0;
		rc = decode_body(rep, frame + at, n - at);
	}
	if (rc != KP_OK) {
		bool order = !r.err && corr != q->corr;
		outclient_reply_free(rep);
		const char *why = order ? "response correlation id out of order" : "malformed response";
		int16_t code = order ? KERR_NETWORK_EXCEPTION : KERR_CORRUPT_MESSAGE;
		deliver_error(q, code, why);
		fail(oc, code, why, false);
		return false;
	}
	q->cb(rep, q->arg);
	kb_free(q);
	return true;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct outclient *oc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint32_t gen = oc->gen;
	/* The bufferevent has read at most 4 KiB: the rest of an incomplete response now, in
	 * large reads (sockread.h). */
	size_t missing = sock_frame_missing(in, 4, oc->cfg.max_response_bytes);
	if (missing > 0)
		sock_read_more(bufferevent_getfd(bev), in, missing);
	enter(oc);
	while (!oc->dead && oc->gen == gen && evbuffer_get_length(in) >= 4) {
		uint8_t sz[4];
		evbuffer_copyout(in, sz, 4);
		uint32_t n = (uint32_t)sz[0] << 24 | (uint32_t)sz[1] << 16 | (uint32_t)sz[2] << 8 | sz[3];
		if (n > oc->cfg.max_response_bytes) {
			fail(oc, KERR_NETWORK_EXCEPTION, "response frame above the limit", false);
			break;
		}
		if (n < 4) {
			fail(oc, KERR_CORRUPT_MESSAGE, "malformed response", false);
			break;
		}
		if (!oc->head) {
			fail(oc, KERR_NETWORK_EXCEPTION, "unexpected response", false);
			break;
		}
		if (evbuffer_get_length(in) < 4 + (size_t)n)
			break;
		evbuffer_drain(in, 4);
		uint8_t *frame = kb_malloc(n);
		evbuffer_remove(in, frame, n);
		if (!handle_frame(oc, pop(oc), frame, n))
			break;
	}
	if (!oc->dead && oc->gen == gen)
		arm_deadline(oc);
	leave(oc);
}

/* ---- Connecting -------------------------------------------------------------------------------- */

static void on_connected(struct outclient *oc)
{
	evtimer_del(oc->timer);
	int one = 1;
	setsockopt(bufferevent_getfd(oc->bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	oc->state = OC_NEGOTIATING;
	oc->av_version = KB_MIN(OC_API_VERSIONS_FIRST, kp_api_find(KP_API_API_VERSIONS)->vmax);
	send_api_versions(oc);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	KB_UNUSED(bev);
	struct outclient *oc = arg;
	if (oc->in_connect && !(what & BEV_EVENT_CONNECTED)) {
		oc->connect_failed = true; /* reported once bufferevent_socket_connect returns */
		return;
	}
	enter(oc);
	if (what & BEV_EVENT_CONNECTED)
		on_connected(oc);
	else
		fail(oc, KERR_NETWORK_EXCEPTION,
		     oc->state == OC_CONNECTING ? "connection failed"
		     : what & BEV_EVENT_EOF     ? "connection closed by the peer"
		                                : "connection lost",
		     false);
	leave(oc);
}

static void start_connect(struct outclient *oc)
{
	char host[256] = "";
	int port = oc->cfg.port;
	bool have = oc->ops.address ? oc->ops.address(oc->arg, host, sizeof(host), &port)
	                            : snprintf(host, sizeof(host), "%s", oc->host ? oc->host : "") > 0;
	if (oc->dead)
		return;
	bool v6 = strchr(host, ':') != NULL;
	snprintf(oc->peer, sizeof(oc->peer), "%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
	oc->state = OC_CONNECTING;
	if (!have || !host[0] || port <= 0 || port > 65535) {
		fail(oc, KERR_NETWORK_EXCEPTION, "no address to connect to", false);
		return;
	}
	oc->bev = bufferevent_socket_new(oc->base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(oc->bev, read_cb, NULL, event_cb, oc);
	bufferevent_enable(oc->bev, EV_READ | EV_WRITE);
	arm(oc, oc->cfg.connect_timeout_ms);
	oc->in_connect = true;
	oc->connect_failed = false;
	/* Hosts are usually addresses; a name goes to the system resolver (blocking). */
	int rc = bufferevent_socket_connect_hostname(oc->bev, NULL, AF_UNSPEC, host, port);
	oc->in_connect = false;
	if (rc < 0 || oc->connect_failed)
		fail(oc, KERR_NETWORK_EXCEPTION, "connection failed", false);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct outclient *oc = arg;
	enter(oc);
	if (oc->state == OC_WAIT) {
		start_connect(oc);
	} else if (oc->state == OC_CONNECTING) {
		fail(oc, KERR_NETWORK_EXCEPTION, "connection timed out", false);
	} else {
		int64_t now = kb_mono_ms();
		bool expired = false;
		for (struct oc_req *q = oc->head; q && !expired; q = q->next)
			expired = q->deadline <= now;
		if (expired)
			fail(oc, KERR_REQUEST_TIMED_OUT, "request timed out", true);
		else
			arm_deadline(oc); /* woke a little early */
	}
	leave(oc);
}

struct outclient *outclient_new(struct event_base *base, const struct outclient_config *cfg,
                                const struct outclient_ops *ops, void *arg)
{
	struct outclient *oc = kb_calloc(1, sizeof(*oc));
	oc->base = base;
	oc->cfg = *cfg;
	oc->host = dup_or_null(cfg->host);
	oc->client_id = dup_or_null(cfg->client_id);
	oc->sw_name = kb_strdup(cfg->software_name ? cfg->software_name : "kbroker");
	oc->sw_version = kb_strdup(cfg->software_version ? cfg->software_version : "0");
	oc->cfg.max_in_flight = KB_MAX(1, KB_MIN(cfg->max_in_flight, KB_OUTCLIENT_MAX_INFLIGHT));
	/* Zero means the default (Kafka's client defaults where it has one). */
	struct outclient_config *c = &oc->cfg;
	c->max_response_bytes = c->max_response_bytes ? c->max_response_bytes : 64u << 20;
	c->max_request_bytes = c->max_request_bytes ? c->max_request_bytes : 64u << 20;
	c->request_timeout_ms = c->request_timeout_ms > 0 ? c->request_timeout_ms : 30000;
	c->connect_timeout_ms = c->connect_timeout_ms > 0 ? c->connect_timeout_ms : 10000;
	if (c->reconnect_backoff_ms <= 0 && c->reconnect_backoff_max_ms <= 0) {
		c->reconnect_backoff_ms = 50;
		c->reconnect_backoff_max_ms = 1000;
	}
	if (ops)
		oc->ops = *ops;
	oc->arg = arg;
	oc->next_corr = 1;
	oc->state = OC_WAIT;
	oc->timer = evtimer_new(base, timer_cb, oc);
	arm(oc, 0);
	return oc;
}

void outclient_free(struct outclient *oc)
{
	if (!oc || oc->dead)
		return;
	oc->dead = true;
	close_socket(oc);
	enter(oc);
	fail_inflight(oc, KERR_NETWORK_EXCEPTION, "client closed", false);
	leave(oc);
}

/* ---- Blocking mode ------------------------------------------------------------------------------ */

static void sync_lost(struct outclient *oc, int16_t error, const char *detail, void *arg)
{
	KB_UNUSED(error);
	KB_UNUSED(arg);
	oc->sync_lost = true;
	oc->sync_detail = detail;
}

static const struct outclient_ops sync_ops = {.on_lost = sync_lost};

struct outclient *outclient_open_sync(const struct outclient_config *cfg, char *err,
                                      size_t errlen)
{
	struct outclient *oc = outclient_new(event_base_new(), cfg, &sync_ops, NULL);
	oc->own_base = oc->sync = true;
	while (oc->state != OC_READY && !oc->sync_lost)
		if (event_base_loop(oc->base, EVLOOP_ONCE) != 0)
			break;
	if (oc->state == OC_READY)
		return oc;
	snprintf(err, errlen, "%s: %s", oc->peer, oc->sync_lost ? oc->sync_detail : "no answer");
	outclient_free(oc);
	return NULL;
}

struct sync_call {
	bool done;
	struct outclient_reply *reply;
};

static void sync_reply(struct outclient_reply *reply, void *arg)
{
	struct sync_call *c = arg;
	c->done = true;
	c->reply = reply;
}

struct outclient_reply *outclient_call_sync(struct outclient *oc, int16_t key, int16_t version,
                                            const void *req, char *err, size_t errlen)
{
	const struct kp_api *api = kp_api_find(key);
	const char *name = api ? api->name : "?";
	struct sync_call c = {0};
	int16_t rc = outclient_send(oc, key, version, req, 0, sync_reply, &c);
	if (rc != KERR_NONE) {
		snprintf(err, errlen, "%s: cannot send %s v%d: %s", oc->peer, name, version,
		         oc->sync_lost ? oc->sync_detail : kerr_name(rc));
		return NULL;
	}
	while (!c.done)
		if (event_base_loop(oc->base, EVLOOP_ONCE) != 0)
			break;
	if (c.done && c.reply->error == KERR_NONE)
		return c.reply;
	snprintf(err, errlen, "%s: %s v%d: %s", oc->peer, name, version,
	         c.done ? c.reply->detail : "no answer");
	outclient_reply_free(c.reply);
	return NULL;
}

bool outclient_parse_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s)
		return false;
	const char *h = s;
	size_t hl = (size_t)(colon - s);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (hl == 0 || hl >= hostlen || *end || end == colon + 1 || p <= 0 || p > 65535)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (int)p;
	return true;
}

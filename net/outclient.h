/* outclient.h — one outbound Kafka connection: the client side of the protocol, used by the
 * broker (replica fetchers; later WriteTxnMarkers and controller requests) and by the tools.
 *
 * Life of a connection:
 *   outclient_new → (at once, on the loop) connect to the address (ops->address, asked before
 *   every attempt, or cfg->host:port) within connect_timeout_ms → ApiVersions v3 (on
 *   UNSUPPORTED_VERSION: again at the broker's highest ApiVersions version below 3 if it
 *   lists one, else v0 — KIP-511) → READY: ops->on_ready. The broker's version ranges are
 *   kept; outclient_version() intersects them with the caller's range and the codec's.
 *   A failed attempt or a lost connection calls ops->on_lost and, after the reconnect
 *   backoff, tries again by itself (never in blocking mode).
 *
 * Requests: outclient_send encodes at once (request header v0-2 per API, size prefix) and
 * queues the bytes; up to max_in_flight requests wait for answers, which Kafka sends in
 * order on a connection. Each answer's size is checked against max_response_bytes BEFORE
 * anything is allocated, its correlation id must be the oldest request's, and its body is
 * decoded into a per-reply arena (capped at frame * KB_DECODE_ARENA_FACTOR + slack) and
 * handed to the request's callback. Every request gets exactly one callback, never from
 * inside outclient_send.
 *
 * Failures (error codes are Kafka's, common/kerr.h):
 *   - a request unanswered after its timeout: its callback gets KERR_REQUEST_TIMED_OUT;
 *   - then, and on every other connection failure (peer closed, socket error, a frame over
 *     the limit or under 4 bytes, an answer nobody asked for, a correlation id out of order:
 *     KERR_NETWORK_EXCEPTION; an undecodable answer: KERR_CORRUPT_MESSAGE), the connection is
 *     closed, every request still in flight gets KERR_NETWORK_EXCEPTION (in send order),
 *     then ops->on_lost(error, detail) runs once, and a reconnect is scheduled after
 *     min(base * 2^(failures-1), max) ms (reconnect.backoff.ms / reconnect.backoff.max.ms;
 *     `failures` counts attempts since the last READY, so the first retry waits `base`).
 *
 * Blocking mode (tools): outclient_open_sync / outclient_call_sync drive the same code on a
 * private event_base until the answer, the timeout or a failure; no reconnects.
 *
 * Reentrancy: callbacks may call outclient_send, outclient_drop and outclient_free on their
 * own client; freeing is deferred until no callback of the client is on the stack.
 * @thread the event loop of its event_base only.
 */
#ifndef KB_NET_OUTCLIENT_H
#define KB_NET_OUTCLIENT_H

#include "../common/arena.h"
#include "kp.h"

struct event_base;
struct outclient;

/* One answer. The callback owns it and releases it with outclient_reply_free. */
struct outclient_reply {
	int16_t error;         /* KERR_NONE: `body` is the decoded response; else why not */
	const char *detail;    /* static text: what failed ("" on success) */
	int16_t api_key;
	int16_t version;
	void *body;            /* api->response layout, arrays in `arena`; NULL on error */
	struct arena arena;
	uint8_t *frame;        /* strings and bytes of `body` point into it */
	size_t frame_len;
};
void outclient_reply_free(struct outclient_reply *r);

typedef void (*outclient_reply_fn)(struct outclient_reply *reply, void *arg);

struct outclient_ops {
	/* Connected and versions negotiated: requests may be sent. Optional. */
	void (*on_ready)(struct outclient *oc, void *arg);
	/* A connection attempt failed, or the connection was lost (after the in-flight requests'
	 * callbacks ran). `detail` is static text. Optional. */
	void (*on_lost)(struct outclient *oc, int16_t error, const char *detail, void *arg);
	/* Where to connect, asked before every attempt: fill host (NUL-terminated) and port.
	 * false: no address now (the attempt fails with KERR_NETWORK_EXCEPTION). NULL: the
	 * config's host and port. */
	bool (*address)(void *arg, char *host, size_t hostlen, int *port);
};

/* Zero fields take defaults: 64 MiB frames both ways, 30 s requests, 10 s connects,
 * reconnect backoff 50 ms doubling to 1 s (Kafka's client defaults). */
struct outclient_config {
	const char *host;               /* when ops->address is NULL; copied */
	int port;
	const char *client_id;          /* request header client_id; copied */
	const char *software_name;      /* ApiVersions v3+ ([A-Za-z0-9.-]); copied */
	const char *software_version;
	size_t max_response_bytes;      /* larger response frames close the connection */
	size_t max_request_bytes;       /* encoding ceiling for one request frame */
	int32_t request_timeout_ms;     /* default per-request timeout (ApiVersions too) */
	int32_t connect_timeout_ms;
	int32_t reconnect_backoff_ms;   /* first delay after a failure */
	int32_t reconnect_backoff_max_ms;
	int max_in_flight;              /* 1..KB_OUTCLIENT_MAX_INFLIGHT */
};

/* Starts connecting on `base` (the first attempt runs from the loop, not from here). */
struct outclient *outclient_new(struct event_base *base, const struct outclient_config *cfg,
                                const struct outclient_ops *ops, void *arg);
/* Closes the connection; in-flight requests' callbacks run now with KERR_NETWORK_EXCEPTION
 * ("client closed": they must not use the client), on_lost does not. */
void outclient_free(struct outclient *oc);

bool outclient_ready(const struct outclient *oc);
/* Ready and below max_in_flight. */
bool outclient_can_send(const struct outclient *oc);
int outclient_inflight(const struct outclient *oc);
/* "host:port" of the current or last attempt. */
const char *outclient_peer(const struct outclient *oc);

/* Highest version of `key` in [min, max] that the codec and the broker both support; -1 if
 * none or not negotiated yet. */
int16_t outclient_version(const struct outclient *oc, int16_t key, int16_t min, int16_t max);

/* Sends `req` (api->request layout) as `key` at `version`. timeout_ms <= 0: the config's.
 * Returns KERR_NONE (cb runs exactly once, later), or without calling cb:
 * KERR_NETWORK_EXCEPTION (not ready, or max_in_flight reached), KERR_UNSUPPORTED_VERSION
 * (an API or version the codec or broker does not have), KERR_INVALID_REQUEST (cannot be
 * encoded at that version, or larger than max_request_bytes). */
int16_t outclient_send(struct outclient *oc, int16_t key, int16_t version, const void *req,
                       int32_t timeout_ms, outclient_reply_fn cb, void *arg);

/* The owner distrusts the connection (e.g. the peer answered nonsense): close it as a
 * failure (in-flight requests fail, on_lost(KERR_NETWORK_EXCEPTION, why), reconnect after
 * the backoff). No-op while not connected. */
void outclient_drop(struct outclient *oc, const char *why);

/* The reconnect delay after `failures` (>= 1) failed attempts in a row. */
int64_t outclient_backoff_ms(int32_t base_ms, int32_t max_ms, int failures);

/* ---- Blocking mode (tools) ---------------------------------------------------------------- */

/* Connects and negotiates on a private event_base; NULL with err on the first failure or
 * after connect_timeout_ms + request_timeout_ms. Free with outclient_free. */
struct outclient *outclient_open_sync(const struct outclient_config *cfg, char *err,
                                      size_t errlen);
/* Sends and waits for the answer (or the request timeout). NULL with err on failure; a
 * failed call leaves the client unusable (not ready). */
struct outclient_reply *outclient_call_sync(struct outclient *oc, int16_t key, int16_t version,
                                            const void *req, char *err, size_t errlen);

/* "host:port", "[v6]:port": splits into host (brackets removed) and port; false when
 * malformed. */
bool outclient_parse_hostport(const char *s, char *host, size_t hostlen, int *port);

#endif

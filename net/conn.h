/* conn.h — one client connection: length-prefixed framing, in-order responses, backpressure,
 * idle timeout. The connection knows nothing of Kafka beyond the 4-byte size prefix.
 *
 * Life of a request:
 *   bytes arrive → a frame is complete (size checked against max_frame BEFORE anything is
 *   allocated; size < KB_FRAME_MIN_BYTES or > max_frame closes the connection) → a response
 *   slot is reserved in arrival order → ops->on_frame(c, slot, frame) handles it. A handler
 *   fills its slot now or later (conn_slot_fill / conn_slot_skip); filled slots are written to
 *   the socket strictly in arrival order, so pipelined requests are answered in order even
 *   when a later one finishes first.
 *
 * Backpressure: the connection stops reading while KB_CONN_MAX_INFLIGHT slots are unfilled or
 * more than KB_CONN_MAX_OUTPUT_BYTES wait in its output buffer, and resumes when both drop
 * (output below half the cap). Over all connections, once more than KB_CONNS_MAX_OUTPUT_BYTES
 * wait, a connection also stops reading while any of its own output waits (so clients that
 * never read cannot pile up responses). The client sees TCP backpressure, never an error.
 * Fairness: one turn of the event loop handles at most KB_CONN_FRAMES_PER_TURN requests of a
 * connection; the rest of its pipeline waits until other ready connections had their turn.
 *
 * Closing: conn_close() may be called from anywhere, including inside on_frame. The
 * connection is marked closed at once (no more reading or callbacks, later slot fills are
 * ignored); responses already queued are still delivered (bounded in time), and it is freed
 * at a safe point — never while one of its own callbacks is on the stack. on_close runs once.
 *
 * @thread event loop only.
 */
#ifndef KB_NET_CONN_H
#define KB_NET_CONN_H

#include "../common/kb.h"

#include <event2/event.h>
#include <event2/util.h>

struct conn;
struct conn_slot;
struct evbuffer;

struct conn_ops {
	/* One complete frame (without its size prefix). `frame` is owned by the callee (free()).
	 * Return 0 to go on reading, -1 to close the connection (a protocol violation). */
	int (*on_frame)(struct conn *c, struct conn_slot *slot, uint8_t *frame, size_t len);
	/* The connection is going away (peer closed, error, idle, conn_close). Runs once. */
	void (*on_close)(struct conn *c);
	/* Optional: the oldest unfinished slot changed (earlier responses are all done), so a
	 * request waiting for its turn (conn_slot_first) may go on. May run inside a handler's
	 * conn_slot_fill: it must only schedule work. */
	void (*on_turn)(struct conn *c);
};

struct conn_limits {
	size_t max_frame;   /* socket.request.max.bytes */
	int64_t idle_ms;    /* connections.max.idle.ms; -1 = never */
};

/* Takes ownership of fd. `user` is returned by conn_user(). */
struct conn *conn_new(struct event_base *base, evutil_socket_t fd, const struct conn_limits *lim,
                      const struct conn_ops *ops, void *user);
void *conn_user(const struct conn *c);
const char *conn_peer(const struct conn *c); /* "ip:port" of the client */
bool conn_is_closed(const struct conn *c);

/* Fills a slot with a complete response frame (size prefix included) and frees nothing of the
 * caller's: the bytes are copied into the output buffer (or moved: see conn_slot_fill_buf).
 * Filling a slot of a closed connection just releases it. */
void conn_slot_fill(struct conn *c, struct conn_slot *slot, const void *bytes, size_t len);
/* Moves everything in `buf` (size prefix included) into the slot; buf is left empty. This is
 * how file-backed (sendfile) responses travel. */
void conn_slot_fill_buf(struct conn *c, struct conn_slot *slot, struct evbuffer *buf);
/* The request gets no response (Produce acks=0). */
void conn_slot_skip(struct conn *c, struct conn_slot *slot);
/* Whether every request that arrived before this slot's has been answered (or skipped):
 * what Kafka guarantees for every request, which it reads only after answering the one
 * before. */
bool conn_slot_first(const struct conn *c, const struct conn_slot *slot);

void conn_close(struct conn *c);

/* Bytes waiting in the output buffers of all connections (the global budget's count). */
size_t conn_total_output(void);

/* Closes and frees everything at shutdown, without calling on_close for the caller's state
 * that is already gone. */
void conn_destroy_now(struct conn *c);
/* Shutdown: frees every connection still open, including closed ones still draining. */
void conn_destroy_all(void);

#endif

/* conn.c — client connections over libevent bufferevents (see conn.h for the contract).
 *
 * State kept per connection:
 *   - a FIFO of response slots, one per request read, in arrival order; a slot is "done" once
 *     filled or skipped; done slots at the head are moved to the socket's output buffer;
 *   - `inflight` = slots not done yet; the struct is freed only when it is closed, no
 *     callback of ours is on the stack (`depth` == 0) and no slot is still held by a handler
 *     (inflight == 0) — so a handler that answers later never touches freed memory;
 *   - closing stops reading at once, but answers already queued for earlier requests are
 *     still written (a bad frame must not swallow the responses it follows), for at most
 *     CONN_DRAIN_TIMEOUT_MS; a peer that shut down its side (EOF) still gets the answers to
 *     what it sent before, one whose socket failed (error) discards them.
 * Every connection is on one list so that shutdown can free those still draining.
 */
#include "conn.h"

#include "../common/limits.h"
#include "../common/say.h"
#include "sockread.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

struct conn_slot {
	struct conn_slot *next;
	struct evbuffer *out; /* response bytes when filled before reaching the head */
	bool done;
};

/* How long a closed connection may take to deliver responses it already owed. */
#define CONN_DRAIN_TIMEOUT_MS 5000

struct conn {
	struct bufferevent *bev;
	struct conn *prev_all, *next_all; /* every connection (for conn_destroy_all) */
	const struct conn_ops *ops;
	void *user;
	struct conn_limits lim;
	struct conn_slot *head, *tail;
	struct evbuffer_cb_entry *out_cb; /* keeps total_output */
	struct event *more; /* next turn of process_input when frames were left buffered */
	int inflight;     /* slots handed to handlers and not done yet */
	int streak;       /* turns in a row that ended with frames left over */
	int depth;        /* our callbacks currently on the stack */
	bool closed;      /* no more reading or callbacks */
	bool paused;      /* reading stopped for backpressure */
	bool dead;        /* the peer is gone: nothing more can be written */
	bool eof;         /* the peer has shut down its side: handle what it sent, then close */
	char peer[64];
};

static void process_input(struct conn *c);
static void maybe_free(struct conn *c);

static struct conn *all_conns;

void *conn_user(const struct conn *c)
{
	return c->user;
}

const char *conn_peer(const struct conn *c)
{
	return c->peer;
}

bool conn_is_closed(const struct conn *c)
{
	return c->closed;
}

static void describe_peer(struct conn *c, evutil_socket_t fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
			port = ntohs(sin->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
			port = ntohs(sin6->sin6_port);
		}
	}
	snprintf(c->peer, sizeof(c->peer), "%s:%d", host, port);
}

/* Bytes in the output buffers of every connection, kept by output_cb. */
static size_t total_output;

static void output_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	KB_UNUSED(buf);
	KB_UNUSED(arg);
	total_output += info->n_added;
	total_output -= KB_MIN(total_output, info->n_deleted);
}

size_t conn_total_output(void)
{
	return total_output;
}

static size_t pending_output(const struct conn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* Over all connections' budget, a connection with answers still queued reads no more. */
static bool globally_over(const struct conn *c)
{
	return total_output > KB_CONNS_MAX_OUTPUT_BYTES && pending_output(c) > 0;
}

static bool over_limits(const struct conn *c)
{
	return c->inflight >= KB_CONN_MAX_INFLIGHT || pending_output(c) > KB_CONN_MAX_OUTPUT_BYTES ||
	       globally_over(c);
}

static void pause_reading(struct conn *c)
{
	if (!c->paused) {
		c->paused = true;
		bufferevent_disable(c->bev, EV_READ);
	}
}

/* Resumes reading once both limits allow it, and handles frames already buffered (libevent
 * does not call the read callback again for bytes it already holds). */
static void maybe_resume(struct conn *c)
{
	if (c->closed || !c->paused)
		return;
	if (c->inflight >= KB_CONN_MAX_INFLIGHT ||
	    pending_output(c) > KB_CONN_MAX_OUTPUT_BYTES / 2 || globally_over(c))
		return;
	c->paused = false;
	bufferevent_enable(c->bev, EV_READ);
	process_input(c);
}

/* An answer whose turn has come: written to the socket at once when nothing is queued
 * before it (most answers: no EV_WRITE registration, which cost two epoll_ctl calls and a
 * loop pass per answer), whatever the socket does not take queued in the output buffer as
 * before (errors too: the bufferevent's own write reports them). File ranges go by
 * sendfile either way: one evbuffer_write stops at the boundary between memory and a file
 * range (a writev, then a sendfile), so it is called again while each call makes progress;
 * the call after a short write fails with EAGAIN and the rest is queued. */
static void out_buf(struct conn *c, struct evbuffer *buf)
{
	struct evbuffer *output = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(output) == 0)
		while (evbuffer_get_length(buf) > 0 && evbuffer_write(buf, bufferevent_getfd(c->bev)) > 0)
			;
	if (evbuffer_get_length(buf) > 0)
		evbuffer_add_buffer(output, buf);
}

static void out_bytes(struct conn *c, const uint8_t *bytes, size_t len)
{
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		ssize_t k = send(bufferevent_getfd(c->bev), bytes, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k > 0) {
			bytes += k;
			len -= (size_t)k;
		}
	}
	if (len > 0)
		bufferevent_write(c->bev, bytes, len);
}

/* Moves every done slot at the head of the FIFO to the socket. */
static void flush_slots(struct conn *c)
{
	while (c->head && c->head->done) {
		struct conn_slot *s = c->head;
		c->head = s->next;
		if (!c->head)
			c->tail = NULL;
		if (s->out) {
			if (!c->closed)
				out_buf(c, s->out);
			evbuffer_free(s->out);
		}
		kb_free(s);
	}
}

static struct conn_slot *slot_open(struct conn *c)
{
	struct conn_slot *s = kb_calloc(1, sizeof(*s));
	if (c->tail)
		c->tail->next = s;
	else
		c->head = s;
	c->tail = s;
	c->inflight++;
	return s;
}

static void slot_done(struct conn *c, struct conn_slot *s)
{
	KB_ASSERT(!s->done);
	s->done = true;
	c->inflight--;
	c->depth++;
	bool was_head = c->head == s;
	flush_slots(c);
	if (was_head && c->head && !c->closed && c->ops->on_turn)
		c->ops->on_turn(c);
	maybe_resume(c);
	c->depth--;
	maybe_free(c);
}

void conn_slot_fill(struct conn *c, struct conn_slot *s, const void *bytes, size_t len)
{
	if (!c->closed) {
		if (c->head == s)
			out_bytes(c, bytes, len);
		else {
			s->out = evbuffer_new();
			evbuffer_add(s->out, bytes, len);
		}
	}
	slot_done(c, s);
}

void conn_slot_fill_buf(struct conn *c, struct conn_slot *s, struct evbuffer *buf)
{
	if (!c->closed) {
		if (c->head == s)
			out_buf(c, buf);
		else {
			s->out = evbuffer_new();
			evbuffer_add_buffer(s->out, buf);
		}
	} else {
		evbuffer_drain(buf, evbuffer_get_length(buf));
	}
	slot_done(c, s);
}

bool conn_slot_first(const struct conn *c, const struct conn_slot *s)
{
	return c->head == s;
}

void conn_slot_skip(struct conn *c, struct conn_slot *s)
{
	slot_done(c, s);
}

/* Reads the size prefix; returns the frame size, 0 if not enough bytes yet, -1 if the size
 * is out of bounds (the connection must close). */
static int64_t frame_size(struct conn *c, struct evbuffer *in)
{
	uint8_t hdr[4];
	if (evbuffer_copyout(in, hdr, 4) < 4)
		return 0;
	int32_t size = (int32_t)((uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	                         (uint32_t)hdr[2] << 8 | hdr[3]);
	if (size < KB_FRAME_MIN_BYTES || (size_t)size > c->lim.max_frame) {
		say_ratelimited(SAY_WARN, "net",
		                "%s: frame size %d outside [%d, %zu] (socket.request.max.bytes); closing",
		                c->peer, size, KB_FRAME_MIN_BYTES, c->lim.max_frame);
		return -1;
	}
	if (evbuffer_get_length(in) < 4 + (size_t)size)
		return 0;
	return size;
}

/* Handles buffered frames, at most KB_CONN_FRAMES_PER_TURN of them: if more are left, the
 * rest wait for a zero timer, which runs after the next poll, so that one connection with
 * many pipelined requests cannot hold the loop while other connections wait. */
static void process_input(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	int turn = 0;
	c->depth++;
	while (!c->closed) {
		if (over_limits(c)) {
			pause_reading(c);
			break;
		}
		if (turn++ == KB_CONN_FRAMES_PER_TURN && !c->eof) {
			if (evbuffer_get_length(in) > 0) {
				static const struct timeval now = {0, 0};
				c->streak++;
				/* (Fails harmlessly on a loop without priorities, e.g. unit tests.) */
				event_priority_set(c->more, c->streak > KB_CONN_FAIR_TURNS
				                                    ? KB_LOOP_PRIO_BACKLOG
				                                    : KB_LOOP_PRIO_NORMAL);
				evtimer_add(c->more, &now);
			}
			break;
		}
		int64_t size = frame_size(c, in);
		if (size < 0) {
			conn_close(c);
			break;
		}
		if (size == 0) {
			c->streak = 0; /* caught up with what it sent */
			break;
		}
		evbuffer_drain(in, 4);
		uint8_t *frame = kb_malloc((size_t)size);
		evbuffer_remove(in, frame, (size_t)size);
		struct conn_slot *s = slot_open(c);
		if (c->ops->on_frame(c, s, frame, (size_t)size) < 0) {
			if (!s->done)
				slot_done(c, s);
			conn_close(c);
			break;
		}
	}
	c->depth--;
	maybe_free(c);
}

/* The bufferevent has read at most 4 KiB (sockread.h): the rest of a frame that is still
 * incomplete comes in now, in large reads, never past the one-frame input cap. */
static void read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t missing = sock_frame_missing(in, KB_FRAME_MIN_BYTES, c->lim.max_frame);
	size_t cap = c->lim.max_frame + 4, len = evbuffer_get_length(in);
	if (missing > 0 && len < cap)
		sock_read_more(bufferevent_getfd(bev), in, KB_MIN(missing, cap - len));
	process_input(c);
}

static void more_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct conn *c = arg;
	if (!c->paused) /* a paused connection resumes through maybe_resume */
		process_input(c);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
	KB_UNUSED(bev);
	struct conn *c = arg;
	c->depth++;
	maybe_resume(c);
	c->depth--;
	maybe_free(c); /* a closed connection that has now delivered everything goes */
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	c->depth++;
	if (c->closed) {
		c->dead = true; /* draining failed: peer gone, or the drain timed out */
	} else if (what & BEV_EVENT_TIMEOUT) {
		if ((what & BEV_EVENT_READING) && c->inflight > 0) {
			/* Waiting on our own answers is not idleness. */
			bufferevent_enable(bev, EV_READ);
		} else {
			say_debug("net", "%s: idle past connections.max.idle.ms; closing", c->peer);
			conn_close(c);
		}
	} else if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR)) {
		/* The peer shut down its side (half-close or close): requests it sent before are
		 * still handled, and their answers written while it reads (CONN_DRAIN_TIMEOUT_MS). */
		c->eof = true;
		if (!c->paused)
			process_input(c);
		conn_close(c);
	} else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		c->dead = true;
		conn_close(c);
	}
	c->depth--;
	maybe_free(c);
}

struct conn *conn_new(struct event_base *base, evutil_socket_t fd, const struct conn_limits *lim,
                      const struct conn_ops *ops, void *user)
{
	struct conn *c = kb_calloc(1, sizeof(*c));
	c->ops = ops;
	c->user = user;
	c->lim = *lim;
	describe_peer(c, fd);
	evutil_make_socket_nonblocking(fd);
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	KB_ASSERT(c->bev);
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	c->out_cb = evbuffer_add_cb(bufferevent_get_output(c->bev), output_cb, NULL);
	KB_ASSERT(c->out_cb);
	c->more = evtimer_new(base, more_cb, c);
	KB_ASSERT(c->more);
	/* Never buffer more than one maximal frame of input ahead of the parser. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, c->lim.max_frame + 4);
	bufferevent_setwatermark(c->bev, EV_WRITE, KB_CONN_MAX_OUTPUT_BYTES / 2, 0);
	if (c->lim.idle_ms >= 0) {
		struct timeval tv = {.tv_sec = c->lim.idle_ms / 1000,
		                     .tv_usec = (c->lim.idle_ms % 1000) * 1000};
		bufferevent_set_timeouts(c->bev, &tv, &tv);
	}
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next_all = all_conns;
	if (all_conns)
		all_conns->prev_all = c;
	all_conns = c;
	return c;
}

void conn_close(struct conn *c)
{
	if (c->closed)
		return;
	c->closed = true;
	bufferevent_disable(c->bev, EV_READ);
	if (!c->dead && pending_output(c) > 0) {
		/* Deliver what earlier requests are owed: wake when the output is empty. */
		struct timeval tv = {CONN_DRAIN_TIMEOUT_MS / 1000, (CONN_DRAIN_TIMEOUT_MS % 1000) * 1000};
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
		bufferevent_set_timeouts(c->bev, NULL, &tv);
	} else {
		bufferevent_disable(c->bev, EV_WRITE);
	}
	if (c->ops->on_close)
		c->ops->on_close(c);
	maybe_free(c);
}

static void free_now(struct conn *c)
{
	if (c->prev_all)
		c->prev_all->next_all = c->next_all;
	else
		all_conns = c->next_all;
	if (c->next_all)
		c->next_all->prev_all = c->prev_all;
	while (c->head) {
		struct conn_slot *s = c->head;
		c->head = s->next;
		if (s->out)
			evbuffer_free(s->out);
		kb_free(s);
	}
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_remove_cb_entry(out, c->out_cb);
	total_output -= KB_MIN(total_output, evbuffer_get_length(out));
	event_free(c->more);
	bufferevent_free(c->bev);
	kb_free(c);
}

static void maybe_free(struct conn *c)
{
	bool draining = !c->dead && pending_output(c) > 0;
	if (c->closed && c->depth == 0 && c->inflight == 0 && !draining)
		free_now(c);
}

void conn_destroy_now(struct conn *c)
{
	c->closed = true;
	free_now(c);
}

void conn_destroy_all(void)
{
	while (all_conns)
		conn_destroy_now(all_conns);
}

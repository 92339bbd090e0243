/* test_conn.c — net/conn over a real socketpair and a real libevent loop: framing limits,
 * in-order responses when handlers finish out of order, backpressure, idle timeout. */
#include "../../common/limits.h"
#include "../../net/conn.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <event2/event.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct held {
	struct conn_slot *slot;
	int32_t tag;
};

struct fixture {
	struct event_base *base;
	struct conn *c;
	int peer;               /* the client's end */
	struct held held[KB_CONN_MAX_INFLIGHT + 16];
	int nheld;
	bool hold;              /* keep slots instead of answering at once */
	bool closed;
	int turns;              /* on_turn calls */
};

static struct fixture fx;

static void answer(struct conn_slot *slot, int32_t tag)
{
	uint8_t resp[8] = {0, 0, 0, 4};
	resp[4] = (uint8_t)(tag >> 24);
	resp[5] = (uint8_t)(tag >> 16);
	resp[6] = (uint8_t)(tag >> 8);
	resp[7] = (uint8_t)tag;
	conn_slot_fill(fx.c, slot, resp, sizeof(resp));
}

/* Each test frame carries a 4-byte tag after 6 filler bytes; the response echoes the tag. */
static int on_frame(struct conn *c, struct conn_slot *slot, uint8_t *frame, size_t len)
{
	KB_UNUSED(c);
	int32_t tag = (int32_t)((uint32_t)frame[6] << 24 | (uint32_t)frame[7] << 16 |
	                        (uint32_t)frame[8] << 8 | frame[9]);
	free(frame);
	if (len < 10)
		return -1;
	if (fx.hold)
		fx.held[fx.nheld++] = (struct held){slot, tag};
	else
		answer(slot, tag);
	return 0;
}

static void on_close(struct conn *c)
{
	KB_UNUSED(c);
	fx.closed = true;
}

static void on_turn(struct conn *c)
{
	KB_UNUSED(c);
	fx.turns++;
}

static const struct conn_ops ops = {on_frame, on_close, on_turn};

static void setup(int64_t idle_ms, size_t max_frame)
{
	memset(&fx, 0, sizeof(fx));
	int sv[2];
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	fx.base = event_base_new();
	struct conn_limits lim = {.max_frame = max_frame, .idle_ms = idle_ms};
	fx.c = conn_new(fx.base, sv[0], &lim, &ops, NULL);
	fx.peer = sv[1];
}

static void teardown(void)
{
	if (!fx.closed)
		conn_destroy_now(fx.c);
	close(fx.peer);
	event_base_free(fx.base);
}

static void spin(int rounds)
{
	for (int i = 0; i < rounds; i++)
		event_base_loop(fx.base, EVLOOP_NONBLOCK);
}

static void send_frame(int32_t size, int32_t tag)
{
	uint8_t f[14] = {(uint8_t)(size >> 24), (uint8_t)(size >> 16), (uint8_t)(size >> 8),
	                 (uint8_t)size};
	f[10] = (uint8_t)(tag >> 24);
	f[11] = (uint8_t)(tag >> 16);
	f[12] = (uint8_t)(tag >> 8);
	f[13] = (uint8_t)tag;
	CU_ASSERT(write(fx.peer, f, sizeof(f)) == (ssize_t)sizeof(f));
}

/* Reads one 8-byte response; returns its tag, or -1 on EOF/timeout. */
static int32_t read_response(void)
{
	uint8_t r[8];
	size_t got = 0;
	for (int i = 0; i < 200 && got < sizeof(r); i++) {
		spin(2);
		struct pollfd p = {fx.peer, POLLIN, 0};
		if (poll(&p, 1, 5) <= 0)
			continue;
		ssize_t n = read(fx.peer, r + got, sizeof(r) - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	if (got < sizeof(r))
		return -1;
	return (int32_t)((uint32_t)r[4] << 24 | (uint32_t)r[5] << 16 | (uint32_t)r[6] << 8 | r[7]);
}

static bool peer_sees_eof(void)
{
	for (int i = 0; i < 200; i++) {
		spin(2);
		struct pollfd p = {fx.peer, POLLIN, 0};
		if (poll(&p, 1, 5) > 0) {
			char b[64];
			ssize_t n = read(fx.peer, b, sizeof(b));
			if (n == 0 || (n < 0 && errno == ECONNRESET))
				return true;
		}
	}
	return false;
}

static void test_echo_in_order(void)
{
	setup(-1, 1024);
	for (int i = 0; i < 5; i++)
		send_frame(10, 100 + i);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(read_response(), 100 + i);
	teardown();
}

static void test_out_of_order_fill_keeps_order(void)
{
	setup(-1, 1024);
	fx.hold = true;
	send_frame(10, 1);
	send_frame(10, 2);
	send_frame(10, 3);
	for (int i = 0; i < 50 && fx.nheld < 3; i++)
		spin(1);
	CU_ASSERT_EQUAL_FATAL(fx.nheld, 3);
	answer(fx.held[2].slot, 3); /* last first: nothing may be sent yet */
	answer(fx.held[1].slot, 2);
	struct pollfd p = {fx.peer, POLLIN, 0};
	spin(3);
	CU_ASSERT_EQUAL(poll(&p, 1, 20), 0);
	answer(fx.held[0].slot, 1);
	CU_ASSERT_EQUAL(read_response(), 1);
	CU_ASSERT_EQUAL(read_response(), 2);
	CU_ASSERT_EQUAL(read_response(), 3);
	teardown();
}

/* conn_slot_first and on_turn: a slot is first once every earlier one is done; on_turn
 * fires when the oldest unfinished slot changes, not for fills behind it. */
static void test_turns(void)
{
	setup(-1, 1024);
	fx.hold = true;
	send_frame(10, 1);
	send_frame(10, 2);
	send_frame(10, 3);
	for (int i = 0; i < 50 && fx.nheld < 3; i++)
		spin(1);
	CU_ASSERT_EQUAL_FATAL(fx.nheld, 3);
	CU_ASSERT_TRUE(conn_slot_first(fx.c, fx.held[0].slot));
	CU_ASSERT_FALSE(conn_slot_first(fx.c, fx.held[2].slot));
	answer(fx.held[1].slot, 2); /* behind the head: no turn */
	CU_ASSERT_EQUAL(fx.turns, 0);
	CU_ASSERT_FALSE(conn_slot_first(fx.c, fx.held[2].slot));
	answer(fx.held[0].slot, 1); /* 1 and 2 go out: 3 is first */
	CU_ASSERT_EQUAL(fx.turns, 1);
	CU_ASSERT_TRUE(conn_slot_first(fx.c, fx.held[2].slot));
	answer(fx.held[2].slot, 3); /* the last: no slot left, no turn */
	CU_ASSERT_EQUAL(fx.turns, 1);
	CU_ASSERT_EQUAL(read_response(), 1);
	CU_ASSERT_EQUAL(read_response(), 2);
	CU_ASSERT_EQUAL(read_response(), 3);
	teardown();
}

static void test_bad_sizes_close(void)
{
	int32_t sizes[] = {-1, 0, KB_FRAME_MIN_BYTES - 1, 1025, INT32_MAX, INT32_MIN};
	for (size_t i = 0; i < KB_ARRAY_LEN(sizes); i++) {
		setup(-1, 1024);
		send_frame(sizes[i], 7);
		CU_ASSERT(peer_sees_eof());
		CU_ASSERT(fx.closed);
		close(fx.peer);
		event_base_free(fx.base);
	}
	/* The limit itself is accepted. */
	setup(-1, 14);
	uint8_t f[18] = {0, 0, 0, 14};
	CU_ASSERT(write(fx.peer, f, sizeof(f)) == 18);
	CU_ASSERT_EQUAL(read_response(), 0);
	teardown();
}

static void test_backpressure_pauses_reading(void)
{
	setup(-1, 1024);
	fx.hold = true;
	int total = KB_CONN_MAX_INFLIGHT + 10;
	for (int i = 0; i < total; i++)
		send_frame(10, i);
	spin(50);
	CU_ASSERT_EQUAL(fx.nheld, KB_CONN_MAX_INFLIGHT); /* stopped reading at the limit */
	for (int i = 0; i < 10; i++)
		answer(fx.held[i].slot, fx.held[i].tag);
	spin(50);
	CU_ASSERT_EQUAL(fx.nheld, total); /* resumed, and read what was already buffered */
	for (int i = 10; i < total; i++)
		answer(fx.held[i].slot, fx.held[i].tag);
	for (int i = 0; i < total; i++)
		CU_ASSERT_EQUAL(read_response(), i);
	teardown();
}

static void test_idle_timeout_closes(void)
{
	setup(100, 1024);
	send_frame(10, 1);
	CU_ASSERT_EQUAL(read_response(), 1);
	/* A truncated frame is not activity that keeps the connection: it still times out. */
	uint8_t partial[6] = {0, 0, 0, 100, 1, 2};
	CU_ASSERT(write(fx.peer, partial, sizeof(partial)) == 6);
	bool eof = false;
	for (int i = 0; i < 100 && !eof; i++) {
		usleep(10000);
		eof = peer_sees_eof();
	}
	CU_ASSERT(eof);
	CU_ASSERT(fx.closed);
	close(fx.peer);
	event_base_free(fx.base);
}

static void test_close_with_held_slot_is_safe(void)
{
	setup(-1, 1024);
	fx.hold = true;
	send_frame(10, 1);
	for (int i = 0; i < 50 && fx.nheld < 1; i++)
		spin(1);
	CU_ASSERT_EQUAL_FATAL(fx.nheld, 1);
	close(fx.peer); /* the client goes away while we still owe an answer */
	for (int i = 0; i < 50 && !fx.closed; i++)
		spin(1);
	CU_ASSERT(fx.closed);
	answer(fx.held[0].slot, 1); /* frees the connection; must not touch freed memory */
	event_base_free(fx.base);
}

/* ---- The output budget over all connections ---------------------------------------------- */

#define BIG_RESPONSE (1u << 20)
#define NOREADERS 40

static struct conn *big_conns[NOREADERS + 1];
static int big_answered[NOREADERS + 1];

/* Answers every frame with BIG_RESPONSE bytes; the connection's user is its index. */
static int big_on_frame(struct conn *c, struct conn_slot *slot, uint8_t *frame, size_t len)
{
	KB_UNUSED(len);
	free(frame);
	static uint8_t *resp;
	if (!resp) {
		resp = calloc(1, BIG_RESPONSE);
		resp[0] = (BIG_RESPONSE - 4) >> 24;
		resp[1] = (uint8_t)((BIG_RESPONSE - 4) >> 16);
	}
	big_answered[(intptr_t)conn_user(c)]++;
	conn_slot_fill(c, slot, resp, BIG_RESPONSE);
	return 0;
}

static const struct conn_ops big_ops = {big_on_frame, NULL};

/* Clients that send requests and never read: together they cannot make the broker hold much
 * more than KB_CONNS_MAX_OUTPUT_BYTES (plus one response each), though each alone stays under
 * its own cap; and a client that reads is still answered meanwhile. */
static void test_global_output_budget(void)
{
	struct event_base *base = event_base_new();
	struct conn_limits lim = {.max_frame = 1024, .idle_ms = -1};
	int peers[NOREADERS + 1];
	uint8_t frames[32 * 14] = {0};
	for (int i = 0; i < 32; i++)
		frames[i * 14 + 3] = 10;
	for (int i = 0; i <= NOREADERS; i++) {
		int sv[2];
		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		big_conns[i] = conn_new(base, sv[0], &lim, &big_ops, (void *)(intptr_t)i);
		peers[i] = sv[1];
		big_answered[i] = 0;
		if (i < NOREADERS)
			CU_ASSERT(write(peers[i], frames, sizeof(frames)) == (ssize_t)sizeof(frames));
	}
	for (int r = 0; r < 200; r++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	size_t held = conn_total_output();
	CU_ASSERT(held > KB_CONNS_MAX_OUTPUT_BYTES);
	CU_ASSERT(held <= KB_CONNS_MAX_OUTPUT_BYTES + NOREADERS * (size_t)BIG_RESPONSE);
	int answered = 0;
	for (int i = 0; i < NOREADERS; i++)
		answered += big_answered[i];
	CU_ASSERT(answered < NOREADERS * 32);
	/* The reader: three requests, three whole responses. */
	CU_ASSERT(write(peers[NOREADERS], frames, 3 * 14) == 3 * 14);
	size_t got = 0;
	static uint8_t buf[1 << 16];
	for (int r = 0; r < 5000 && got < 3 * (size_t)BIG_RESPONSE; r++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		ssize_t n = recv(peers[NOREADERS], buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
	}
	CU_ASSERT_EQUAL(got, 3 * (size_t)BIG_RESPONSE);
	CU_ASSERT_EQUAL(big_answered[NOREADERS], 3);
	for (int i = 0; i <= NOREADERS; i++) {
		conn_destroy_now(big_conns[i]);
		close(peers[i]);
	}
	CU_ASSERT_EQUAL(conn_total_output(), 0);
	event_base_free(base);
}

/* A client that pipelines requests and then shuts down its side still gets every answer (the
 * broker handles all it received, past the per-turn limit), then sees the connection close. */
static void test_half_close_still_answered(void)
{
	setup(-1, 1024);
	for (int i = 0; i < 3 * KB_CONN_FRAMES_PER_TURN + 2; i++)
		send_frame(10, 300 + i);
	CU_ASSERT(shutdown(fx.peer, SHUT_WR) == 0);
	for (int i = 0; i < 3 * KB_CONN_FRAMES_PER_TURN + 2; i++)
		CU_ASSERT_EQUAL(read_response(), 300 + i);
	CU_ASSERT(peer_sees_eof());
	CU_ASSERT(fx.closed);
	close(fx.peer);
	event_base_free(fx.base);
}

/* ---- Fairness between connections ------------------------------------------------------- */

static int fair_handled[2];

static int fair_on_frame(struct conn *c, struct conn_slot *slot, uint8_t *frame, size_t len)
{
	KB_UNUSED(len);
	free(frame);
	fair_handled[(intptr_t)conn_user(c)]++;
	static const uint8_t resp[8] = {0, 0, 0, 4, 0, 0, 0, 1};
	conn_slot_fill(c, slot, resp, sizeof(resp));
	return 0;
}

static const struct conn_ops fair_ops = {fair_on_frame, NULL};

/* A connection that pipelines many requests is handled KB_CONN_FRAMES_PER_TURN at a time, so a
 * request on another connection is answered before the pipeline is through. */
static void test_pipeline_does_not_hold_the_loop(void)
{
	enum { PIPELINED = 8 * KB_CONN_FRAMES_PER_TURN };
	struct event_base *base = event_base_new();
	struct conn_limits lim = {.max_frame = 1024, .idle_ms = -1};
	struct conn *c[2];
	int peer[2];
	for (int i = 0; i < 2; i++) {
		int sv[2];
		CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
		c[i] = conn_new(base, sv[0], &lim, &fair_ops, (void *)(intptr_t)i);
		peer[i] = sv[1];
		fair_handled[i] = 0;
	}
	uint8_t frames[PIPELINED * 14] = {0};
	for (int i = 0; i < PIPELINED; i++)
		frames[i * 14 + 3] = 10;
	CU_ASSERT(write(peer[0], frames, sizeof(frames)) == (ssize_t)sizeof(frames));
	event_base_loop(base, EVLOOP_ONCE);
	CU_ASSERT_EQUAL(fair_handled[0], KB_CONN_FRAMES_PER_TURN);
	CU_ASSERT(write(peer[1], frames, 14) == 14);
	for (int r = 0; r < 10 && fair_handled[1] == 0; r++)
		event_base_loop(base, EVLOOP_ONCE);
	CU_ASSERT_EQUAL(fair_handled[1], 1);
	CU_ASSERT(fair_handled[0] <= 3 * KB_CONN_FRAMES_PER_TURN);
	for (int r = 0; r < 100 && fair_handled[0] < PIPELINED; r++)
		event_base_loop(base, EVLOOP_ONCE);
	CU_ASSERT_EQUAL(fair_handled[0], PIPELINED);
	static uint8_t buf[PIPELINED * 8 + 1];
	size_t got = 0;
	for (int r = 0; r < 100 && got < PIPELINED * 8; r++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		ssize_t n = recv(peer[0], buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
	}
	CU_ASSERT_EQUAL(got, PIPELINED * 8);
	for (int i = 0; i < 2; i++) {
		conn_destroy_now(c[i]);
		close(peer[i]);
	}
	event_base_free(base);
}

void suite_conn(void);
void suite_conn(void)
{
	CU_pSuite s = CU_add_suite("conn", NULL, NULL);
	CU_add_test(s, "pipelined frames answered in order", test_echo_in_order);
	CU_add_test(s, "out-of-order completion keeps order", test_out_of_order_fill_keeps_order);
	CU_add_test(s, "conn_slot_first and on_turn", test_turns);
	CU_add_test(s, "bad frame sizes close the connection", test_bad_sizes_close);
	CU_add_test(s, "in-flight limit pauses and resumes reading", test_backpressure_pauses_reading);
	CU_add_test(s, "idle timeout closes", test_idle_timeout_closes);
	CU_add_test(s, "closing with a held slot is safe", test_close_with_held_slot_is_safe);
	CU_add_test(s, "output budget over all connections", test_global_output_budget);
	CU_add_test(s, "a pipeline does not hold the loop", test_pipeline_does_not_hold_the_loop);
	CU_add_test(s, "half-close: what was sent is still answered", test_half_close_still_answered);
}

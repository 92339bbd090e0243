/* test_sockread.c — net/sockread over a real socketpair, into a real bufferevent's input
 * buffer: the rest of a frame in large reads, never more than asked, the buffer's end frozen
 * again afterwards; the frame arithmetic at its edges. */
#include "../../net/sockread.h"

#include <CUnit/CUnit.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void put_size(uint8_t *p, uint32_t n)
{
	p[0] = (uint8_t)(n >> 24);
	p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
}

static void test_frame_missing(void)
{
	struct evbuffer *in = evbuffer_new();
	uint8_t b[4];
	CU_ASSERT_EQUAL(sock_frame_missing(in, 10, 1000), 0);      /* empty */
	put_size(b, 100);
	evbuffer_add(in, b, 3);
	CU_ASSERT_EQUAL(sock_frame_missing(in, 10, 1000), 0);      /* no whole prefix yet */
	evbuffer_add(in, b + 3, 1);
	CU_ASSERT_EQUAL(sock_frame_missing(in, 10, 1000), 100);
	uint8_t body[150] = {0};
	evbuffer_add(in, body, 40);
	CU_ASSERT_EQUAL(sock_frame_missing(in, 10, 1000), 60);
	evbuffer_add(in, body, 60);
	CU_ASSERT_EQUAL(sock_frame_missing(in, 10, 1000), 0);      /* complete */
	CU_ASSERT_EQUAL(sock_frame_missing(in, 101, 1000), 0);     /* below the minimum */
	CU_ASSERT_EQUAL(sock_frame_missing(in, 10, 99), 0);        /* above the maximum */
	evbuffer_drain(in, evbuffer_get_length(in));
	put_size(b, 0xffffffffu);                                   /* not a negative size */
	evbuffer_add(in, b, 4);
	CU_ASSERT_EQUAL(sock_frame_missing(in, 10, (size_t)1 << 40), (size_t)0xffffffffu);
	evbuffer_free(in);
}

/* A bufferevent on one end of a socketpair (its input is what sock_read_more fills). */
struct pair {
	struct event_base *base;
	struct bufferevent *bev;
	int peer;
};

static void pair_open(struct pair *p)
{
	int sv[2];
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	int sz = 1 << 20;
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	evutil_make_socket_nonblocking(sv[0]);
	p->base = event_base_new();
	p->bev = bufferevent_socket_new(p->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	p->peer = sv[1];
}

static void pair_close(struct pair *p)
{
	bufferevent_free(p->bev);
	event_base_free(p->base);
	close(p->peer);
}

static void test_reads_what_is_asked_and_no_more(void)
{
	struct pair p;
	pair_open(&p);
	enum { N = 150000 };
	uint8_t *src = malloc(N), *dst = malloc(N);
	for (size_t i = 0; i < N; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	CU_ASSERT_FATAL(write(p.peer, src, N) == N);
	struct evbuffer *in = bufferevent_get_input(p.bev);
	evutil_socket_t fd = bufferevent_getfd(p.bev);

	CU_ASSERT_EQUAL(sock_read_more(fd, in, 100000), 100000);   /* several growing reads */
	CU_ASSERT_EQUAL(evbuffer_get_length(in), 100000);
	CU_ASSERT_EQUAL(sock_read_more(fd, in, 1 << 20), N - 100000); /* short read: drained */
	CU_ASSERT_EQUAL(sock_read_more(fd, in, 1 << 20), 0);       /* nothing there: EAGAIN */
	CU_ASSERT_EQUAL_FATAL(evbuffer_get_length(in), N);
	CU_ASSERT_EQUAL(evbuffer_remove(in, dst, N), N);
	CU_ASSERT(memcmp(src, dst, N) == 0);
	/* The end is frozen again, as the bufferevent keeps it outside its own reads. */
	CU_ASSERT_EQUAL(evbuffer_add(in, src, 1), -1);
	CU_ASSERT_EQUAL(sock_read_more(fd, in, 0), 0);
	free(src);
	free(dst);
	pair_close(&p);
}

static void test_eof_and_errors_left_for_the_next_read(void)
{
	struct pair p;
	pair_open(&p);
	CU_ASSERT_FATAL(write(p.peer, "abc", 3) == 3);
	close(p.peer);
	p.peer = -1;
	struct evbuffer *in = bufferevent_get_input(p.bev);
	evutil_socket_t fd = bufferevent_getfd(p.bev);
	CU_ASSERT_EQUAL(sock_read_more(fd, in, 1000), 3);
	CU_ASSERT_EQUAL(sock_read_more(fd, in, 1000), 0);           /* EOF: nothing read */
	char c;
	CU_ASSERT_EQUAL(read(fd, &c, 1), 0);                        /* still there to be seen */
	CU_ASSERT_EQUAL(evbuffer_get_length(in), 3);
	bufferevent_free(p.bev);
	event_base_free(p.base);
}

void suite_sockread(void);
void suite_sockread(void)
{
	CU_pSuite s = CU_add_suite("sockread", NULL, NULL);
	CU_add_test(s, "frame arithmetic at its edges", test_frame_missing);
	CU_add_test(s, "reads what is asked and no more", test_reads_what_is_asked_and_no_more);
	CU_add_test(s, "EOF is left for the next read", test_eof_and_errors_left_for_the_next_read);
}

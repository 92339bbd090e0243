/* waiters.c — see waiters.h. */
#include "waiters.h"

#include <event2/event.h>

struct waiter {
	struct kreq *r;
	void *ctx;
	waiter_check_fn check;
	struct event *deadline;
	struct waiter *prev, *next;
};

static void unlink_free(struct broker *b, struct waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		b->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
	event_free(w->deadline);
	kb_free(w->ctx);
	kb_free(w);
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct waiter *w = arg;
	struct broker *b = w->r->b;
	bool done = w->check(w->r, w->ctx, true);
	KB_ASSERT(done); /* a check must finish its request at the deadline */
	unlink_free(b, w);
}

void waiter_add(struct kreq *r, int64_t timeout_ms, waiter_check_fn check, void *ctx)
{
	struct broker *b = r->b;
	struct waiter *w = kb_calloc(1, sizeof(*w));
	w->r = r;
	w->ctx = ctx;
	w->check = check;
	w->deadline = evtimer_new(b->base, deadline_cb, w);
	if (timeout_ms < 0)
		timeout_ms = 0;
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	evtimer_add(w->deadline, &tv);
	w->next = b->waiters;
	if (b->waiters)
		b->waiters->prev = w;
	b->waiters = w;
}

void waiters_recheck(struct broker *b)
{
	for (struct waiter *w = b->waiters, *next; w; w = next) {
		next = w->next;
		if (w->check(w->r, w->ctx, false))
			unlink_free(b, w);
	}
}

void waiters_expire_conn(struct broker *b, const struct conn *c)
{
	for (struct waiter *w = b->waiters; w; w = w->next)
		if (w->r->conn == c)
			event_active(w->deadline, EV_TIMEOUT, 0);
}

void waiters_drop_all(struct broker *b)
{
	while (b->waiters) {
		struct waiter *w = b->waiters;
		kreq_drop(w->r);
		unlink_free(b, w);
	}
}

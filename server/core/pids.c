/* pids.c — the broker's producer-id allocator (see pids.h). */
#include "pids.h"

#include "../../common/say.h"
#include "../../coord/coord.h"
#include "purgatory.h"

#include <event2/event.h>

#define PID_RETRY_MS 500 /* after a failed block fetch, with requests waiting */

struct pid_alloc {
	struct broker *b;
	int64_t next, end;             /* ids [next, end] of the current block are free */
	int64_t pre_start, pre_end;    /* a prefetched block, -1 when none */
	bool fetching;
	struct event *retry;
};

static void fetch_block(struct pid_alloc *a);

static void block_done(void *arg, int rc, int64_t start, int64_t end)
{
	struct pid_alloc *a = arg;
	a->fetching = false;
	if (rc < 0) { /* retried while requests wait (a failure may come before they park) */
		struct timeval tv = {0, PID_RETRY_MS * 1000};
		evtimer_add(a->retry, &tv);
		return;
	}
	say_info("server", "producer ids %lld-%lld taken", (long long)start, (long long)end);
	if (a->next > a->end) {
		a->next = start;
		a->end = end;
	} else {
		a->pre_start = start;
		a->pre_end = end;
	}
	purgatory_check(a->b->pg, pg_key(PG_KEY_PRODUCER_IDS, a));
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct pid_alloc *a = arg;
	if (!a->fetching && purgatory_watchers(a->b->pg, pg_key(PG_KEY_PRODUCER_IDS, a)) > 0)
		fetch_block(a);
}

static void fetch_block(struct pid_alloc *a)
{
	if (a->fetching || !a->b->coord)
		return;
	a->fetching = true;
	coord_take_pid_block(a->b->coord, block_done, a);
}

static struct pid_alloc *pid_alloc_of(struct broker *b)
{
	if (!b->pids) {
		struct pid_alloc *a = kb_calloc(1, sizeof(*a));
		*a = (struct pid_alloc){.b = b, .next = 0, .end = -1, .pre_start = -1, .pre_end = -1};
		a->retry = evtimer_new(b->base, retry_cb, a);
		b->pids = a;
	}
	return b->pids;
}

void pid_alloc_free(struct broker *b)
{
	if (!b->pids)
		return;
	event_free(b->pids->retry);
	kb_free(b->pids);
	b->pids = NULL;
}

int64_t pid_take(struct broker *b)
{
	struct pid_alloc *a = pid_alloc_of(b);
	if (a->next > a->end && a->pre_start >= 0) {
		a->next = a->pre_start;
		a->end = a->pre_end;
		a->pre_start = a->pre_end = -1;
	}
	int64_t id = a->next <= a->end ? a->next++ : -1;
	/* Prefetch at 90% use of the current block, or fetch now when empty. */
	if (a->pre_start < 0 && (a->next > a->end || a->end - a->next < PID_BLOCK_SIZE / 10))
		fetch_block(a);
	return id;
}

void pid_prefetch(struct broker *b)
{
	struct pid_alloc *a = pid_alloc_of(b);
	if (a->next > a->end && a->pre_start < 0)
		fetch_block(a);
}


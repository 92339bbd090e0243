/* purgatory.c — see purgatory.h.
 *
 * Structures: every (op, key) watch is one entry, linked three ways — into its key's watch
 * list (what purgatory_check walks), into its operation's list (what ending the operation
 * walks), and into a hash table by (op, key) (what keeps entries unique). Watch lists are
 * found by key in a second hash table and freed when their last entry goes. Re-tries go
 * through a FIFO queue drained by one libevent callback. An operation is reference counted:
 * one reference while parked, one while queued, one while a callback of it runs; its memory
 * goes with the last. */
#include "purgatory.h"

#include "../../common/kb.h"

#include <event2/event.h>

/* ---- A small chained hash table (nodes embed struct hnode first) -------------------------- */

struct hnode {
	struct hnode *next;
	uint64_t hash;
};

struct htab {
	struct hnode **b;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

#define HT_MIN_CAP 64

static void ht_resize(struct htab *t, size_t cap)
{
	struct hnode **nb = kb_calloc(cap, sizeof(*nb));
	for (size_t i = 0; i < t->cap; i++)
		for (struct hnode *h = t->b[i], *next; h; h = next) {
			next = h->next;
			size_t j = h->hash & (cap - 1);
			h->next = nb[j];
			nb[j] = h;
		}
	kb_free(t->b);
	t->b = nb;
	t->cap = cap;
}

static void ht_insert(struct htab *t, struct hnode *h, uint64_t hash)
{
	if (t->n >= t->cap)
		ht_resize(t, t->cap ? t->cap * 2 : HT_MIN_CAP);
	size_t j = hash & (t->cap - 1);
	h->hash = hash;
	h->next = t->b[j];
	t->b[j] = h;
	t->n++;
}

static void ht_remove(struct htab *t, struct hnode *h)
{
	struct hnode **pp = &t->b[h->hash & (t->cap - 1)];
	while (*pp != h)
		pp = &(*pp)->next;
	*pp = h->next;
	t->n--;
	if (t->cap > HT_MIN_CAP && t->n < t->cap / 8) /* a burst's table does not stay */
		ht_resize(t, t->cap / 2);
}

static struct hnode *ht_chain(const struct htab *t, uint64_t hash)
{
	return t->cap ? t->b[hash & (t->cap - 1)] : NULL;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* ---- Structures ------------------------------------------------------------------------- */

struct pg_entry;

struct pg_watch {
	struct hnode h;               /* first: in purgatory.watches */
	struct pg_key key;
	struct pg_entry *head, *tail; /* oldest first: re-tries go in parking order */
	size_t n;
};

struct pg_entry {
	struct hnode h;               /* first: in purgatory.entries, by (op, key) */
	struct pg_op *op;
	struct pg_watch *w;
	struct pg_entry *wprev, *wnext;
	struct pg_entry *oprev, *onext;
};

struct pg_op {
	struct purgatory *pg;
	const struct pg_ops *ops;
	void *arg;
	struct pg_entry *entries;     /* its watches */
	struct pg_op *prev, *next;    /* parked operations */
	struct pg_op *qnext;          /* the re-try queue */
	int refs;
	bool ended, queued;
	/* The deadline's struct event follows at TIMER_OFFSET (event_get_struct_event_size). */
};

#define TIMER_OFFSET ((sizeof(struct pg_op) + 15) / 16 * 16)

struct purgatory {
	struct event_base *base;
	struct htab watches, entries;
	struct pg_op *parked;
	size_t nparked;
	struct pg_op *qhead, *qtail;
	struct event *run;
	bool scheduled;
};

static struct event *op_timer(struct pg_op *op)
{
	return (struct event *)((char *)op + TIMER_OFFSET);
}

static bool key_eq(struct pg_key a, struct pg_key b)
{
	return a.kind == b.kind && a.id == b.id;
}

static uint64_t key_hash(struct pg_key k)
{
	return mix64((uint64_t)k.id ^ ((uint64_t)k.kind << 56));
}

static uint64_t entry_hash(const struct pg_op *op, uint64_t khash)
{
	return mix64(khash ^ (uint64_t)(uintptr_t)op);
}

static struct pg_watch *watch_find(const struct purgatory *pg, struct pg_key key, uint64_t kh)
{
	for (struct hnode *h = ht_chain(&pg->watches, kh); h; h = h->next) {
		struct pg_watch *w = (struct pg_watch *)h;
		if (h->hash == kh && key_eq(w->key, key))
			return w;
	}
	return NULL;
}

static struct pg_entry *entry_find(const struct purgatory *pg, const struct pg_op *op,
                                   struct pg_key key, uint64_t eh)
{
	for (struct hnode *h = ht_chain(&pg->entries, eh); h; h = h->next) {
		struct pg_entry *e = (struct pg_entry *)h;
		if (h->hash == eh && e->op == op && key_eq(e->w->key, key))
			return e;
	}
	return NULL;
}

static void entry_free(struct purgatory *pg, struct pg_entry *e)
{
	struct pg_watch *w = e->w;
	if (e->wprev)
		e->wprev->wnext = e->wnext;
	else
		w->head = e->wnext;
	if (e->wnext)
		e->wnext->wprev = e->wprev;
	else
		w->tail = e->wprev;
	if (--w->n == 0) {
		ht_remove(&pg->watches, &w->h);
		kb_free(w);
	}
	if (e->oprev)
		e->oprev->onext = e->onext;
	else
		e->op->entries = e->onext;
	if (e->onext)
		e->onext->oprev = e->oprev;
	ht_remove(&pg->entries, &e->h);
	kb_free(e);
}

/* ---- Life of an operation --------------------------------------------------------------- */

static void op_unref(struct pg_op *op)
{
	KB_ASSERT(op->refs > 0);
	if (--op->refs == 0) {
		KB_ASSERT(op->ended && !op->queued);
		kb_free(op);
	}
}

/* Ends op: off every key, its timer and the parked list. The parked reference is the
 * caller's to drop (after any final callback). */
static void op_end(struct pg_op *op)
{
	struct purgatory *pg = op->pg;
	KB_ASSERT(!op->ended);
	op->ended = true;
	event_del(op_timer(op));
	while (op->entries)
		entry_free(pg, op->entries);
	if (op->prev)
		op->prev->next = op->next;
	else
		pg->parked = op->next;
	if (op->next)
		op->next->prev = op->prev;
	pg->nparked--;
}

static void expire_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct pg_op *op = arg;
	op_end(op);
	op->ops->on_expire(op->arg);
	op_unref(op); /* parked */
}

static void schedule(struct purgatory *pg)
{
	if (!pg->scheduled) {
		pg->scheduled = true;
		event_active(pg->run, 0, 0);
	}
}

static void enqueue(struct purgatory *pg, struct pg_op *op)
{
	if (op->ended || op->queued)
		return;
	op->queued = true;
	op->refs++;
	op->qnext = NULL;
	if (pg->qtail)
		pg->qtail->qnext = op;
	else
		pg->qhead = op;
	pg->qtail = op;
	schedule(pg);
}

static struct pg_op *dequeue(struct purgatory *pg)
{
	struct pg_op *op = pg->qhead;
	pg->qhead = op->qnext;
	if (!pg->qhead)
		pg->qtail = NULL;
	op->queued = false;
	return op;
}

static void try_one(struct pg_op *op)
{
	op->refs++;
	bool done = op->ops->try_complete(op, op->arg);
	if (done && !op->ended) {
		op_end(op);
		op_unref(op); /* parked */
	}
	op_unref(op);
}

/* Drains the queue as it was on entry; what callbacks queue meanwhile runs on the next pass
 * of the loop, so an operation that re-checks its own key cannot spin here. */
static void run_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct purgatory *pg = arg;
	pg->scheduled = false;
	struct pg_op *last = pg->qtail;
	while (last && pg->qhead) {
		struct pg_op *op = dequeue(pg);
		bool stop = op == last;
		if (!op->ended)
			try_one(op);
		op_unref(op); /* queued */
		if (stop)
			break;
	}
	if (pg->qhead)
		schedule(pg);
}

/* ---- API -------------------------------------------------------------------------------- */

struct purgatory *purgatory_new(struct event_base *base)
{
	struct purgatory *pg = kb_calloc(1, sizeof(*pg));
	pg->base = base;
	pg->run = event_new(base, -1, 0, run_cb, pg);
	KB_ASSERT(pg->run);
	return pg;
}

void purgatory_free(struct purgatory *pg)
{
	if (!pg)
		return;
	purgatory_drop_all(pg);
	while (pg->qhead)
		op_unref(dequeue(pg));
	KB_ASSERT(pg->watches.n == 0 && pg->entries.n == 0);
	event_free(pg->run);
	kb_free(pg->watches.b);
	kb_free(pg->entries.b);
	kb_free(pg);
}

struct pg_op *purgatory_park(struct purgatory *pg, const struct pg_ops *ops, void *arg,
                             int64_t timeout_ms)
{
	struct pg_op *op = kb_calloc(1, TIMER_OFFSET + event_get_struct_event_size());
	*op = (struct pg_op){.pg = pg, .ops = ops, .arg = arg, .refs = 1, .next = pg->parked};
	if (pg->parked)
		pg->parked->prev = op;
	pg->parked = op;
	pg->nparked++;
	int rc = event_assign(op_timer(op), pg->base, -1, 0, expire_cb, op);
	KB_ASSERT(rc == 0);
	if (timeout_ms < 0)
		timeout_ms = 0;
	struct timeval tv = {(time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000 * 1000)};
	evtimer_add(op_timer(op), &tv);
	return op;
}

bool purgatory_watch(struct pg_op *op, struct pg_key key)
{
	struct purgatory *pg = op->pg;
	uint64_t kh = key_hash(key), eh = entry_hash(op, kh);
	if (op->ended || entry_find(pg, op, key, eh))
		return false;
	struct pg_watch *w = watch_find(pg, key, kh);
	if (!w) {
		w = kb_calloc(1, sizeof(*w));
		w->key = key;
		ht_insert(&pg->watches, &w->h, kh);
	}
	struct pg_entry *e = kb_calloc(1, sizeof(*e));
	e->op = op;
	e->w = w;
	e->wprev = w->tail;
	if (w->tail)
		w->tail->wnext = e;
	else
		w->head = e;
	w->tail = e;
	w->n++;
	e->onext = op->entries;
	if (op->entries)
		op->entries->oprev = e;
	op->entries = e;
	ht_insert(&pg->entries, &e->h, eh);
	return true;
}

bool purgatory_unwatch(struct pg_op *op, struct pg_key key)
{
	struct pg_entry *e = entry_find(op->pg, op, key, entry_hash(op, key_hash(key)));
	if (!e)
		return false;
	entry_free(op->pg, e);
	return true;
}

void purgatory_check(struct purgatory *pg, struct pg_key key)
{
	struct pg_watch *w = watch_find(pg, key, key_hash(key));
	for (struct pg_entry *e = w ? w->head : NULL; e; e = e->wnext)
		enqueue(pg, e->op);
}

void purgatory_retry(struct pg_op *op)
{
	enqueue(op->pg, op);
}

bool purgatory_complete(struct pg_op *op)
{
	if (op->ended)
		return false;
	op_end(op);
	op_unref(op); /* parked */
	return true;
}

void purgatory_key_gone(struct purgatory *pg, struct pg_key key)
{
	uint64_t kh = key_hash(key);
	struct pg_watch *w;
	/* Looked up again each time: the watch goes with its last entry. */
	while ((w = watch_find(pg, key, kh)) != NULL) {
		struct pg_op *op = w->head->op;
		op->refs++;
		entry_free(pg, w->head);
		if (!op->ended && op->ops->on_key_gone)
			op->ops->on_key_gone(op, op->arg, key);
		enqueue(pg, op);
		op_unref(op);
	}
}

void purgatory_expire_key(struct purgatory *pg, struct pg_key key)
{
	/* Each watcher's own timer fires now: deferred to the loop, and through the one path
	 * that ends an operation at its deadline (so exactly-once holds as for any expiry). */
	struct pg_watch *w = watch_find(pg, key, key_hash(key));
	for (struct pg_entry *e = w ? w->head : NULL; e; e = e->wnext)
		event_active(op_timer(e->op), EV_TIMEOUT, 0);
}

void purgatory_drop_all(struct purgatory *pg)
{
	while (pg->parked) {
		struct pg_op *op = pg->parked;
		op_end(op);
		op->ops->on_drop(op->arg);
		op_unref(op); /* parked */
	}
}

size_t purgatory_parked(const struct purgatory *pg)
{
	return pg->nparked;
}

size_t purgatory_entries(const struct purgatory *pg)
{
	return pg->entries.n;
}

size_t purgatory_watchers(const struct purgatory *pg, struct pg_key key)
{
	const struct pg_watch *w = watch_find(pg, key, key_hash(key));
	return w ? w->n : 0;
}

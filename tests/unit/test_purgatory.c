/* test_purgatory.c — the purgatory as a data structure on a real libevent base: deferred
 * completion on check, expiry at the deadline, exactly-once endings, unique entries, keys
 * that go away, operations ending others from inside a check, drop-all, and many operations
 * (ASan/LSan watch the memory). */
#include "../../common/kb.h"
#include "../../server/core/purgatory.h"

#include <CUnit/CUnit.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An owner: counts what happened to its operation. */
struct top {
	struct purgatory *pg;
	struct pg_op *op;
	bool ready;               /* try_complete finishes it */
	int tries, completed, expired, dropped, gone, taken;
	struct pg_key gone_key;
	struct top *victim;       /* try_complete ends this one (the test answers for it) */
	struct top *spawn;        /* try_complete parks this one on spawn_key and checks it */
	struct pg_key spawn_key;
	bool complete_self;       /* try_complete ends itself with purgatory_complete */
};

static const struct pg_ops t_ops;

static int endings(const struct top *t)
{
	return t->completed + t->expired + t->dropped + t->taken;
}

static bool t_try(struct pg_op *op, void *arg)
{
	struct top *t = arg;
	CU_ASSERT_PTR_EQUAL(op, t->op);
	CU_ASSERT_EQUAL(endings(t), 0); /* never re-tried once ended */
	t->tries++;
	if (t->victim && purgatory_complete(t->victim->op))
		t->victim->taken++;
	if (t->spawn) {
		struct top *s = t->spawn;
		t->spawn = NULL;
		s->pg = t->pg;
		s->op = purgatory_park(t->pg, &t_ops, s, 60000);
		purgatory_watch(s->op, t->spawn_key);
		purgatory_check(t->pg, t->spawn_key);
	}
	if (t->complete_self) {
		CU_ASSERT_TRUE(purgatory_complete(op));
		CU_ASSERT_FALSE(purgatory_complete(op)); /* valid inside its own callback */
		CU_ASSERT_FALSE(purgatory_watch(op, pg_key(PG_KEY_GROUP, t)));
		t->taken++;
		return true;
	}
	if (!t->ready)
		return false;
	t->completed++;
	return true;
}

static void t_expire(void *arg)
{
	struct top *t = arg;
	CU_ASSERT_EQUAL(endings(t), 0);
	t->expired++;
}

static void t_drop(void *arg)
{
	struct top *t = arg;
	CU_ASSERT_EQUAL(endings(t), 0);
	t->dropped++;
}

static void t_gone(struct pg_op *op, void *arg, struct pg_key key)
{
	struct top *t = arg;
	CU_ASSERT_PTR_EQUAL(op, t->op);
	t->gone++;
	t->gone_key = key;
}

static const struct pg_ops t_ops = {t_try, t_expire, t_drop, t_gone};

static const struct pg_key K1 = {PG_KEY_PARTITION, 0x1000};
static const struct pg_key K2 = {PG_KEY_PARTITION, 0x2000};
static const struct pg_key KM = {PG_KEY_METADATA, 0};
static const struct pg_key KM1 = {PG_KEY_METADATA, 0x1000}; /* same id as K1, other kind */

static struct event_base *base;
static struct purgatory *pg;

static void setup(void)
{
	base = event_base_new();
	pg = purgatory_new(base);
}

static void teardown(void)
{
	purgatory_free(pg);
	event_base_free(base);
}

/* Runs what is active now, a few loop passes (deferred work may reschedule once). */
static void spin(void)
{
	for (int i = 0; i < 4; i++)
		event_base_loop(base, EVLOOP_NONBLOCK);
}

static void park(struct top *t, int64_t timeout_ms)
{
	t->pg = pg;
	t->op = purgatory_park(pg, &t_ops, t, timeout_ms);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_completion_on_check(void)
{
	setup();
	struct top a = {0}, b = {0};
	park(&a, 60000);
	park(&b, 60000);
	CU_ASSERT_TRUE(purgatory_watch(a.op, K1));
	CU_ASSERT_TRUE(purgatory_watch(a.op, K2));
	CU_ASSERT_TRUE(purgatory_watch(b.op, K2));
	CU_ASSERT_EQUAL(purgatory_parked(pg), 2);
	purgatory_check(pg, KM1); /* nobody watches it (same id as K1, other kind) */
	purgatory_check(pg, K1);
	CU_ASSERT_EQUAL(a.tries, 0); /* deferred, never inside the caller */
	spin();
	CU_ASSERT_EQUAL(a.tries, 1);
	CU_ASSERT_EQUAL(b.tries, 0);
	purgatory_check(pg, K1);
	purgatory_check(pg, K2);
	purgatory_check(pg, K2);
	spin();
	CU_ASSERT_EQUAL(a.tries, 2); /* several changes, one re-try */
	CU_ASSERT_EQUAL(b.tries, 1);
	a.ready = true;
	purgatory_check(pg, K2);
	spin();
	CU_ASSERT_EQUAL(a.completed, 1);
	CU_ASSERT_EQUAL(b.tries, 2);
	CU_ASSERT_EQUAL(purgatory_parked(pg), 1);
	CU_ASSERT_EQUAL(purgatory_watchers(pg, K1), 0);
	CU_ASSERT_EQUAL(purgatory_watchers(pg, K2), 1);
	CU_ASSERT_EQUAL(purgatory_entries(pg), 1);
	purgatory_check(pg, K1);
	spin();
	CU_ASSERT_EQUAL(a.tries, 3); /* not re-tried after it ended */
	b.ready = true;
	purgatory_retry(b.op);
	spin();
	CU_ASSERT_EQUAL(b.completed, 1);
	CU_ASSERT_EQUAL(purgatory_parked(pg), 0);
	CU_ASSERT_EQUAL(purgatory_entries(pg), 0);
	teardown();
}

static void test_expiry_at_deadline(void)
{
	setup();
	struct top a = {0}, z = {0};
	int64_t t0 = now_ms();
	park(&a, 1000);
	park(&z, -5); /* below 0 counts as 0 */
	purgatory_watch(a.op, K1);
	purgatory_watch(z.op, K1);
	struct timeval tv = {0, 30 * 1000};
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	CU_ASSERT_EQUAL(z.expired, 1);
	CU_ASSERT_EQUAL(a.expired, 0);
	CU_ASSERT_EQUAL(purgatory_watchers(pg, K1), 1);
	while (a.expired == 0 && now_ms() - t0 < 5000)
		event_base_loop(base, EVLOOP_ONCE);
	CU_ASSERT_EQUAL(a.expired, 1);
	/* libevent times deadlines with a coarse monotonic clock: allow it a few ms early. */
	CU_ASSERT(now_ms() - t0 >= 1000 - 10);
	CU_ASSERT_EQUAL(purgatory_parked(pg), 0);
	CU_ASSERT_EQUAL(purgatory_entries(pg), 0);
	purgatory_check(pg, K1);
	spin();
	CU_ASSERT_EQUAL(a.tries + z.tries, 0);
	teardown();
}

static void test_exactly_once(void)
{
	setup();
	/* Ready and due in the same pass: one of completion or expiry, never both. */
	struct top r[20];
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 20; i++) {
		park(&r[i], 0);
		purgatory_watch(r[i].op, K1);
		r[i].ready = true;
	}
	purgatory_check(pg, K1);
	spin();
	struct timeval tv = {0, 20 * 1000};
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(endings(&r[i]), 1);
	/* An operation that ends itself inside its callback, then returns true: one ending. */
	struct top s = {.complete_self = true};
	park(&s, 60000);
	purgatory_watch(s.op, K2);
	purgatory_check(pg, K2);
	purgatory_check(pg, K2);
	spin();
	CU_ASSERT_EQUAL(s.tries, 1);
	CU_ASSERT_EQUAL(endings(&s), 1);
	CU_ASSERT_EQUAL(purgatory_parked(pg), 0);
	purgatory_drop_all(pg);
	CU_ASSERT_EQUAL(s.dropped, 0);
	teardown();
}

static void test_unique_entries(void)
{
	setup();
	struct top a = {0};
	park(&a, 60000);
	CU_ASSERT_TRUE(purgatory_watch(a.op, K1));
	CU_ASSERT_FALSE(purgatory_watch(a.op, K1));
	CU_ASSERT_TRUE(purgatory_watch(a.op, KM1)); /* other kind: another key */
	CU_ASSERT_TRUE(purgatory_watch(a.op, KM));
	CU_ASSERT_EQUAL(purgatory_watchers(pg, K1), 1);
	CU_ASSERT_EQUAL(purgatory_entries(pg), 3);
	purgatory_check(pg, K1);
	spin();
	CU_ASSERT_EQUAL(a.tries, 1);
	CU_ASSERT_TRUE(purgatory_unwatch(a.op, K1));
	CU_ASSERT_FALSE(purgatory_unwatch(a.op, K1));
	CU_ASSERT_EQUAL(purgatory_watchers(pg, K1), 0);
	CU_ASSERT_EQUAL(purgatory_watchers(pg, KM1), 1);
	purgatory_check(pg, K1);
	spin();
	CU_ASSERT_EQUAL(a.tries, 1);
	CU_ASSERT_TRUE(purgatory_watch(a.op, K1)); /* again after unwatching */
	CU_ASSERT_EQUAL(purgatory_entries(pg), 3);
	teardown();
	CU_ASSERT_EQUAL(a.dropped, 1); /* purgatory_free drops what is left */
}

static void test_key_gone(void)
{
	setup();
	struct top a = {0}, b = {0}, c = {0};
	park(&a, 60000);
	park(&b, 60000);
	park(&c, 60000);
	purgatory_watch(a.op, K1);
	purgatory_watch(a.op, K2);
	purgatory_watch(b.op, K1);
	purgatory_watch(c.op, K2);
	purgatory_key_gone(pg, K1);
	CU_ASSERT_EQUAL(a.gone, 1);
	CU_ASSERT_EQUAL(b.gone, 1);
	CU_ASSERT_EQUAL(c.gone, 0);
	CU_ASSERT_EQUAL(a.gone_key.kind, K1.kind);
	CU_ASSERT_EQUAL(a.gone_key.id, K1.id);
	CU_ASSERT_EQUAL(purgatory_watchers(pg, K1), 0);
	CU_ASSERT_EQUAL(purgatory_watchers(pg, K2), 2);
	CU_ASSERT_EQUAL(purgatory_entries(pg), 2);
	CU_ASSERT_EQUAL(a.tries + b.tries, 0); /* told now, re-tried later */
	b.ready = true;
	spin();
	CU_ASSERT_EQUAL(a.tries, 1);
	CU_ASSERT_EQUAL(b.completed, 1);
	CU_ASSERT_EQUAL(c.tries, 0);
	purgatory_key_gone(pg, K1); /* nobody left on it */
	CU_ASSERT_EQUAL(a.gone, 1);
	CU_ASSERT_EQUAL(purgatory_parked(pg), 2);
	teardown();
}

static void test_op_ends_another_inside_check(void)
{
	setup();
	struct top a = {0}, b = {0}, c = {0};
	park(&a, 60000);
	park(&b, 60000);
	purgatory_watch(a.op, K1);
	purgatory_watch(b.op, K1);
	purgatory_watch(b.op, K2);
	a.victim = &b;   /* a's check ends b, queued right behind it */
	a.spawn = &c;    /* and parks c on K2, checking K2: c is re-tried on a later pass */
	a.spawn_key = K2;
	a.ready = true;
	b.ready = true;
	purgatory_check(pg, K1);
	spin();
	CU_ASSERT_EQUAL(a.completed, 1);
	CU_ASSERT_EQUAL(b.taken, 1);
	CU_ASSERT_EQUAL(b.tries, 0);
	CU_ASSERT_EQUAL(endings(&b), 1);
	CU_ASSERT_EQUAL(c.tries, 1);
	CU_ASSERT_EQUAL(endings(&c), 0);
	CU_ASSERT_EQUAL(purgatory_parked(pg), 1);
	CU_ASSERT_EQUAL(purgatory_watchers(pg, K2), 1);
	CU_ASSERT_EQUAL(purgatory_entries(pg), 1);
	teardown();
	CU_ASSERT_EQUAL(c.dropped, 1);
}

static void test_drop_all(void)
{
	setup();
	struct top t[8];
	memset(t, 0, sizeof(t));
	for (int i = 0; i < 8; i++) {
		park(&t[i], 60000);
		purgatory_watch(t[i].op, i % 2 ? K1 : K2);
		purgatory_watch(t[i].op, KM);
	}
	purgatory_check(pg, KM); /* queued, not yet run */
	purgatory_drop_all(pg);
	for (int i = 0; i < 8; i++) {
		CU_ASSERT_EQUAL(t[i].dropped, 1);
		CU_ASSERT_EQUAL(endings(&t[i]), 1);
	}
	CU_ASSERT_EQUAL(purgatory_parked(pg), 0);
	CU_ASSERT_EQUAL(purgatory_entries(pg), 0);
	spin();
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(t[i].tries, 0);
	teardown();
}

static struct pg_key key_of(int k)
{
	return (struct pg_key){PG_KEY_PARTITION, (uintptr_t)(8 + k * 8)};
}

static void test_many_ops(void)
{
	setup();
	enum { N = 20000, KEYS = 1000 };
	struct top *t = kb_calloc(N, sizeof(*t));
	srand(7);
	for (int i = 0; i < N; i++) {
		park(&t[i], i % 10 == 0 ? 0 : 60000); /* a tenth expire at once */
		int nk = 1 + rand() % 8;
		for (int k = 0; k < nk; k++)
			purgatory_watch(t[i].op, key_of(rand() % KEYS));
		t[i].ready = i % 3 == 0;
	}
	size_t entries = purgatory_entries(pg);
	CU_ASSERT(entries >= N && entries <= (size_t)N * 8);
	for (int k = 0; k < KEYS; k++)
		purgatory_check(pg, key_of(k));
	for (int k = 0; k < KEYS; k += 7)
		purgatory_key_gone(pg, key_of(k));
	for (int i = 1; i < N; i += 5)
		if (endings(&t[i]) == 0 && purgatory_complete(t[i].op))
			t[i].taken++;
	struct timeval tv = {0, 50 * 1000};
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	size_t left = 0;
	for (int i = 0; i < N; i++) {
		CU_ASSERT(endings(&t[i]) <= 1);
		CU_ASSERT(t[i].tries <= 1); /* every change came before the pass: one re-try */
		left += endings(&t[i]) == 0;
	}
	CU_ASSERT_EQUAL(purgatory_parked(pg), left);
	CU_ASSERT(left > 0 && left < N);
	teardown();
	for (int i = 0; i < N; i++)
		CU_ASSERT_EQUAL(endings(&t[i]), 1);
	kb_free(t);
}

void suite_purgatory(void);
void suite_purgatory(void)
{
	CU_pSuite s = CU_add_suite("purgatory", NULL, NULL);
	CU_add_test(s, "completion on check, deferred, once per pass", test_completion_on_check);
	CU_add_test(s, "expiry at the deadline", test_expiry_at_deadline);
	CU_add_test(s, "exactly one ending", test_exactly_once);
	CU_add_test(s, "entries unique per (op, key)", test_unique_entries);
	CU_add_test(s, "a key that goes away tells its ops", test_key_gone);
	CU_add_test(s, "an op ends another inside a check", test_op_ends_another_inside_check);
	CU_add_test(s, "drop-all at shutdown", test_drop_all);
	CU_add_test(s, "many ops", test_many_ops);
}

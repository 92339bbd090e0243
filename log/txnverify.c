/* txnverify.c — a partition's KIP-890 verification entries (see txnverify.h). A table holds
 * few entries (producers mid-verification on one partition), bounded by max_entries: a flat
 * array searched linearly. */
#include "txnverify.h"

#include "../common/kerr.h"
#include "../common/kb.h"

void tverify_table_init(struct tverify_table *t)
{
	*t = (struct tverify_table){.next_guard = 1};
}

void tverify_table_free(struct tverify_table *t)
{
	kb_free(t->e);
	tverify_table_init(t);
}

static struct tverify_entry *find(const struct tverify_table *t, int64_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].pid == pid)
			return &t->e[i];
	return NULL;
}

const struct tverify_entry *tverify_find(const struct tverify_table *t, int64_t pid)
{
	return find(t, pid);
}

uint64_t tverify_touch(struct tverify_table *t, int64_t pid, int16_t epoch, int32_t seq,
                       int64_t now_ms, size_t max_entries, int64_t expiration_ms)
{
	struct tverify_entry *e = find(t, pid);
	if (!e) {
		if (t->n >= max_entries)
			tverify_expire(t, now_ms, expiration_ms);
		if (t->n >= max_entries)
			return 0;
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 4;
			t->e = kb_realloc(t->e, t->cap * sizeof(*t->e));
		}
		e = &t->e[t->n++];
		*e = (struct tverify_entry){.pid = pid, .guard = t->next_guard++, .lowest_seq = seq,
		                            .epoch = epoch};
		if (t->next_guard == 0)
			t->next_guard = 1;
	} else if (epoch > e->epoch) {
		e->epoch = epoch;
		e->lowest_seq = seq;
	} else if (epoch == e->epoch && (e->lowest_seq < 0 || (seq >= 0 && seq < e->lowest_seq))) {
		e->lowest_seq = seq;
	}
	e->touched_ms = now_ms;
	return e->guard;
}

int16_t tverify_check(const struct tverify_table *t, int64_t pid, uint64_t guard, int32_t seq)
{
	const struct tverify_entry *e = find(t, pid);
	if (!e || e->guard != guard)
		return KERR_INVALID_TXN_STATE;
	if (seq >= 0 && e->lowest_seq >= 0 && seq > e->lowest_seq)
		return KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
	return KERR_NONE;
}

static void remove_at(struct tverify_table *t, size_t i)
{
	t->e[i] = t->e[--t->n];
}

void tverify_clear(struct tverify_table *t, int64_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].pid == pid) {
			remove_at(t, i);
			return;
		}
}

size_t tverify_expire(struct tverify_table *t, int64_t now_ms, int64_t expiration_ms)
{
	size_t gone = 0;
	for (size_t i = 0; i < t->n;) {
		if (now_ms - t->e[i].touched_ms >= expiration_ms) {
			remove_at(t, i);
			gone++;
		} else {
			i++;
		}
	}
	return gone;
}

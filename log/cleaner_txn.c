/* cleaner_txn.c — the transactional side of one cleaning pass. Contract in cleaner_txn.h. */
#include "cleaner_txn.h"
#include "pstate.h"

#include <stdlib.h>
#include <string.h>

static int ab_cmp(const void *a, const void *b)
{
	const struct txi_ent *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

static int live_cmp(const void *a, const void *b)
{
	const struct ctx_live *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void clean_txn_prepare(struct clean_txn *t, const struct plog *l, int64_t upto)
{
	size_t cap = 0;
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < l->n; i++) {
		const struct log_segment *s = l->segs[i];
		for (size_t k = 0; k < s->xn; k++)
			if (s->txi[k].first < upto) {
				KB_GROW(t->ab, cap, t->nab + 1, 8);
				t->ab[t->nab++] = s->txi[k];
			}
	}
	t->ab_seen = kb_calloc(KB_MAX(t->nab, 1), sizeof(*t->ab_seen));
	size_t n = pstate_count(l->ps);
	t->live = kb_malloc(KB_MAX(n, 1) * sizeof(*t->live));
	for (size_t i = 0; i < n; i++) {
		const struct pstate_entry *e = pstate_at(l->ps, i);
		int64_t last = e->n ? pstate_entry_batch(e, e->n - 1u)->last_offset : -1;
		t->live[t->nlive++] = (struct ctx_live){e->pid, last, e->epoch};
	}
}

void clean_txn_sort(struct clean_txn *t)
{
	if (t->nab)
		qsort(t->ab, t->nab, sizeof(*t->ab), ab_cmp);
	if (t->nlive)
		qsort(t->live, t->nlive, sizeof(*t->live), live_cmp);
}

void clean_txn_free(struct clean_txn *t)
{
	kb_free(t->ab);
	kb_free(t->ab_seen);
	kb_free(t->live);
	kb_free(t->cset);
	kb_free(t->cseen);
	memset(t, 0, sizeof(*t));
}

bool clean_txn_aborted(const struct clean_txn *t, int64_t pid, int64_t off, size_t *idx)
{
	/* the last entry <= (pid, off): the producer's latest transaction starting at or before
	 * off (a producer has one transaction at a time on a partition) */
	size_t lo = 0, hi = t->nab;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct txi_ent *e = &t->ab[mid];
		if (e->pid < pid || (e->pid == pid && e->first <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	const struct txi_ent *e = &t->ab[lo - 1];
	if (e->pid != pid || off >= e->last)
		return false;
	if (idx)
		*idx = lo - 1;
	return true;
}

/* The entry of the ABORT marker of pid at offset off, or SIZE_MAX. */
static size_t abort_entry(const struct clean_txn *t, int64_t pid, int64_t off)
{
	size_t i;
	if (off <= 0 || !clean_txn_aborted(t, pid, off - 1, &i) || t->ab[i].last != off)
		return SIZE_MAX;
	return i;
}

/* ---- Producers met with transactional data ------------------------------------------------ */

static size_t cset_slot(const struct clean_txn *t, int64_t pid)
{
	uint64_t h = (uint64_t)pid * 0x9e3779b97f4a7c15ULL;
	size_t i = (size_t)(h ^ (h >> 29)) & (t->ccap - 1);
	while (t->cset[i] != 0 && t->cset[i] != pid + 1)
		i = (i + 1) & (t->ccap - 1);
	return i;
}

static void cset_grow(struct clean_txn *t)
{
	int64_t *old = t->cset;
	bool *olds = t->cseen;
	size_t ocap = t->ccap;
	t->ccap = ocap ? ocap * 2 : 64;
	t->cset = kb_calloc(t->ccap, sizeof(*t->cset));
	t->cseen = kb_calloc(t->ccap, sizeof(*t->cseen));
	for (size_t i = 0; i < ocap; i++)
		if (old[i]) {
			size_t k = cset_slot(t, old[i] - 1);
			t->cset[k] = old[i];
			t->cseen[k] = olds[i];
		}
	kb_free(old);
	kb_free(olds);
}

static void cset_set(struct clean_txn *t, int64_t pid, bool seen)
{
	if ((t->cused + 1) * 2 > t->ccap) {
		if (!seen && t->ccap == 0)
			return;
		cset_grow(t);
	}
	size_t i = cset_slot(t, pid);
	if (t->cset[i] == 0) {
		if (!seen)
			return;
		t->cset[i] = pid + 1;
		t->cused++;
	}
	t->cseen[i] = seen;
}

static bool cset_seen(const struct clean_txn *t, int64_t pid)
{
	if (t->ccap == 0)
		return false;
	size_t i = cset_slot(t, pid);
	return t->cset[i] != 0 && t->cseen[i];
}

/* ---- The pass ----------------------------------------------------------------------------- */

enum ctx_verdict clean_txn_read(struct clean_txn *t, const struct rb_hdr *h, const uint8_t *b,
                                const struct txi_ent **reappend)
{
	*reappend = NULL;
	if (!(h->attrs & RB_ATTR_CONTROL)) {
		size_t i;
		if (!(h->attrs & RB_ATTR_TRANSACTIONAL) || h->producer_id < 0)
			return CTX_DATA;
		if (clean_txn_aborted(t, h->producer_id, h->base, &i)) {
			t->ab_seen[i] = true;
			return CTX_ABORTED;
		}
		cset_set(t, h->producer_id, true);
		return CTX_DATA;
	}
	if (h->count == 0)
		return CTX_MARKER_REMOVABLE; /* an empty control batch was cleaned already */
	bool commit;
	int32_t coord_epoch;
	size_t i = abort_entry(t, h->producer_id, h->base);
	if (!rb_marker_parse(b, (size_t)h->size, &commit, &coord_epoch)) {
		if (i != SIZE_MAX) /* kept as it is: so is its index entry */
			*reappend = &t->ab[i];
		return CTX_MARKER_KEEP;
	}
	if (commit) {
		bool seen = cset_seen(t, h->producer_id);
		cset_set(t, h->producer_id, false);
		return seen ? CTX_MARKER_KEEP : CTX_MARKER_REMOVABLE;
	}
	if (i != SIZE_MAX && t->ab_seen[i]) {
		*reappend = &t->ab[i];
		return CTX_MARKER_KEEP;
	}
	return CTX_MARKER_REMOVABLE;
}

bool clean_txn_live_last(const struct clean_txn *t, const struct rb_hdr *h)
{
	if (h->producer_id < 0)
		return false;
	struct ctx_live key = {.pid = h->producer_id};
	const struct ctx_live *e = t->nlive ? bsearch(&key, t->live, t->nlive, sizeof(*t->live),
	                                              live_cmp) : NULL;
	if (!e)
		return false;
	if (e->last_data >= 0)
		return h->last == e->last_data;
	return (h->attrs & RB_ATTR_CONTROL) && h->producer_epoch == e->epoch;
}

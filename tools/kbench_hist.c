/* kbench_hist.c — the log-linear histogram of kbench_hist.h. */
#include "tools/kbench_hist.h"

#include <string.h>

void kh_init(struct kh_hist *h)
{
	for (unsigned i = 0; i < KH_BUCKETS; i++)
		atomic_init(&h->counts[i], 0);
	atomic_init(&h->total, 0);
	atomic_init(&h->sum_ns, 0);
	atomic_init(&h->min_ns, UINT64_MAX);
	atomic_init(&h->max_ns, 0);
}

unsigned kh_index(uint64_t ns)
{
	if (ns > KH_MAX_NS)
		ns = KH_MAX_NS;
	if (ns < KH_SUB)
		return (unsigned)ns;
	unsigned msb = 63u - (unsigned)__builtin_clzll(ns);
	unsigned shift = msb - (KH_BITS - 1); /* ns >> shift is in [KH_SUB/2, KH_SUB) */
	return KH_SUB + (shift - 1) * (KH_SUB / 2) + (unsigned)((ns >> shift) - KH_SUB / 2);
}

void kh_bucket_range(unsigned idx, uint64_t *lo, uint64_t *hi)
{
	if (idx < KH_SUB) {
		*lo = *hi = idx;
		return;
	}
	unsigned k = idx - KH_SUB;
	unsigned shift = k / (KH_SUB / 2) + 1;
	uint64_t m = k % (KH_SUB / 2) + KH_SUB / 2;
	*lo = m << shift;
	*hi = ((m + 1) << shift) - 1;
}

void kh_record(struct kh_hist *h, uint64_t ns)
{
	atomic_fetch_add_explicit(&h->counts[kh_index(ns)], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->total, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
	uint64_t cur = atomic_load_explicit(&h->max_ns, memory_order_relaxed);
	while (ns > cur && !atomic_compare_exchange_weak_explicit(&h->max_ns, &cur, ns,
	                                                           memory_order_relaxed,
	                                                           memory_order_relaxed))
		;
	cur = atomic_load_explicit(&h->min_ns, memory_order_relaxed);
	while (ns < cur && !atomic_compare_exchange_weak_explicit(&h->min_ns, &cur, ns,
	                                                           memory_order_relaxed,
	                                                           memory_order_relaxed))
		;
}

void kh_snapshot(struct kh_hist *h, struct kh_snap *out)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < KH_BUCKETS; i++) {
		out->counts[i] = atomic_load_explicit(&h->counts[i], memory_order_relaxed);
		total += out->counts[i];
	}
	out->total = total; /* the buckets, not the racing counter, define the snapshot */
	out->sum_ns = atomic_load_explicit(&h->sum_ns, memory_order_relaxed);
	out->min_ns = atomic_load_explicit(&h->min_ns, memory_order_relaxed);
	out->max_ns = atomic_load_explicit(&h->max_ns, memory_order_relaxed);
}

void kh_diff(const struct kh_snap *a, const struct kh_snap *b, struct kh_snap *out)
{
	uint64_t total = 0, top = 0;
	for (unsigned i = 0; i < KH_BUCKETS; i++) {
		out->counts[i] = a->counts[i] >= b->counts[i] ? a->counts[i] - b->counts[i] : 0;
		total += out->counts[i];
		if (out->counts[i])
			top = i;
	}
	out->total = total;
	out->sum_ns = a->sum_ns >= b->sum_ns ? a->sum_ns - b->sum_ns : 0;
	out->min_ns = a->min_ns;
	uint64_t lo, hi;
	kh_bucket_range((unsigned)top, &lo, &hi);
	out->max_ns = total ? (hi < a->max_ns ? hi : a->max_ns) : 0;
}

uint64_t kh_quantile(const struct kh_snap *s, double q)
{
	if (s->total == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	uint64_t rank = (uint64_t)(q * (double)s->total + 0.999999);
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < KH_BUCKETS; i++) {
		seen += s->counts[i];
		if (seen >= rank) {
			uint64_t lo, hi;
			kh_bucket_range(i, &lo, &hi);
			return hi < s->max_ns ? hi : s->max_ns;
		}
	}
	return s->max_ns;
}

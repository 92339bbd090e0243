/* kbench_hist.h — a small log-linear latency histogram (nanoseconds), safe to record into
 * from several threads at once.
 *
 * Values below 2^KH_BITS nanoseconds get one bucket each; above that, every power of two is
 * split into 2^(KH_BITS-1) equal buckets, so a bucket's width is at most 1/128 of its value
 * (relative error < 0.8%). Values above KH_MAX_NS (about 36 minutes) land in the last bucket;
 * min, max and the sum are kept exactly. Recording is a relaxed atomic add; snapshots taken
 * while others record are consistent enough for a progress line (counts may lag by a few).
 */
#ifndef KB_KBENCH_HIST_H
#define KB_KBENCH_HIST_H

#include <stdatomic.h>
#include <stdint.h>

#define KH_BITS 8
#define KH_SUB (1u << KH_BITS)
#define KH_MAX_SHIFT 33 /* octaves above the linear range: values up to 2^(KH_BITS + 33) ns */
#define KH_BUCKETS (KH_SUB + KH_MAX_SHIFT * (KH_SUB / 2))
#define KH_MAX_NS ((((uint64_t)KH_SUB) << KH_MAX_SHIFT) - 1)

struct kh_hist {
	_Atomic uint64_t counts[KH_BUCKETS];
	_Atomic uint64_t total;
	_Atomic uint64_t sum_ns;
	_Atomic uint64_t min_ns; /* UINT64_MAX while empty */
	_Atomic uint64_t max_ns;
};

/* A plain (non-atomic) copy, for percentiles and interval differences. */
struct kh_snap {
	uint64_t counts[KH_BUCKETS];
	uint64_t total, sum_ns, min_ns, max_ns;
};

void kh_init(struct kh_hist *h);
void kh_record(struct kh_hist *h, uint64_t ns);
void kh_snapshot(struct kh_hist *h, struct kh_snap *out);
/* out = a - b, bucket by bucket (b taken earlier from the same histogram); min/max of a. */
void kh_diff(const struct kh_snap *a, const struct kh_snap *b, struct kh_snap *out);
/* The value at quantile q (0..1): the upper edge of the bucket holding the ceil(q*total)-th
 * smallest value, never above the exact max. 0 for an empty histogram. */
uint64_t kh_quantile(const struct kh_snap *s, double q);

/* Bucket index of a value and the inclusive value range of a bucket (exposed for tests). */
unsigned kh_index(uint64_t ns);
void kh_bucket_range(unsigned idx, uint64_t *lo, uint64_t *hi);

#endif

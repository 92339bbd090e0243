/* Unit tests of kbench's log-linear histogram (tools/kbench_hist.h): bucket edges are
 * contiguous and tight, quantiles match a sorted array within the bucket precision, and
 * interval differences isolate the values recorded between two snapshots. */
#include <CUnit/CUnit.h>
#include <stdlib.h>

#include "tools/kbench_hist.h"

void suite_kbench_hist(void);

static void test_buckets_contiguous(void)
{
	uint64_t prev_hi = 0;
	for (unsigned i = 0; i < KH_BUCKETS; i++) {
		uint64_t lo, hi;
		kh_bucket_range(i, &lo, &hi);
		if (i > 0)
			CU_ASSERT_EQUAL(lo, prev_hi + 1);
		CU_ASSERT(hi >= lo);
		/* a bucket is at most 1/128 of its lower edge wide (exact below 256) */
		CU_ASSERT((hi - lo) * 128 <= lo || lo < KH_SUB);
		CU_ASSERT_EQUAL(kh_index(lo), i);
		CU_ASSERT_EQUAL(kh_index(hi), i);
		prev_hi = hi;
	}
	CU_ASSERT_EQUAL(prev_hi, KH_MAX_NS);
	CU_ASSERT_EQUAL(kh_index(UINT64_MAX), KH_BUCKETS - 1); /* clamped, never out of range */
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void test_quantiles_match_sorted(void)
{
	static struct kh_hist h;
	static struct kh_snap s;
	enum { N = 100000 };
	static uint64_t v[N];
	kh_init(&h);
	uint64_t x = 12345;
	for (int i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		v[i] = 1000 + (x >> 40) % 50000000; /* 1 us .. 50 ms, spread over many octaves */
		kh_record(&h, v[i]);
	}
	qsort(v, N, sizeof v[0], cmp_u64);
	kh_snapshot(&h, &s);
	CU_ASSERT_EQUAL(s.total, N);
	CU_ASSERT_EQUAL(s.min_ns, v[0]);
	CU_ASSERT_EQUAL(s.max_ns, v[N - 1]);
	const double qs[] = {0.5, 0.9, 0.99, 0.999, 0.9999, 1.0};
	for (unsigned i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		uint64_t exact = v[(size_t)(qs[i] * N + 0.999999) - 1];
		uint64_t got = kh_quantile(&s, qs[i]);
		CU_ASSERT(got >= exact);               /* the bucket's upper edge, never below */
		CU_ASSERT((got - exact) * 128 <= exact); /* and within its width */
	}
	CU_ASSERT_EQUAL(kh_quantile(&s, 1.0), v[N - 1]);
}

static void test_interval_diff(void)
{
	static struct kh_hist h;
	static struct kh_snap a, b, d;
	kh_init(&h);
	for (int i = 0; i < 1000; i++)
		kh_record(&h, 5000000); /* 5 ms */
	kh_snapshot(&h, &a);
	for (int i = 0; i < 10; i++)
		kh_record(&h, 100000); /* 0.1 ms */
	kh_snapshot(&h, &b);
	kh_diff(&b, &a, &d);
	CU_ASSERT_EQUAL(d.total, 10);
	CU_ASSERT(kh_quantile(&d, 0.99) >= 100000 && kh_quantile(&d, 0.99) < 101000);
	CU_ASSERT(d.max_ns < 101000); /* the interval's top bucket, not the all-time max */
	kh_diff(&b, &b, &d);
	CU_ASSERT_EQUAL(d.total, 0);
	CU_ASSERT_EQUAL(kh_quantile(&d, 0.5), 0);
}

void suite_kbench_hist(void)
{
	CU_pSuite s = CU_add_suite("kbench_hist", NULL, NULL);
	CU_add_test(s, "bucket edges contiguous and within 1/128", test_buckets_contiguous);
	CU_add_test(s, "quantiles vs a sorted array", test_quantiles_match_sorted);
	CU_add_test(s, "interval differences", test_interval_diff);
}

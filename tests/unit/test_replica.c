/* test_replica.c — the replication rules of server/replica/replica_rules.h: the leader's high
 * watermark, ISR expansion (KAFKA-7128) and shrink (caught-up time), and the follower's
 * truncation point (KIP-101/279), first as plain inputs and outputs, then end to end on real
 * logs whose epoch caches answer the OffsetForLeaderEpoch questions. */
#include "../../server/replica/replica_rules.h"
#include "log_harness.h"

#include <CUnit/CUnit.h>
#include <string.h>

#define FOLLOWER(id_, leo_) ((struct follower){(id_), (leo_), 0, -1, 0})

/* ---- High watermark ------------------------------------------------------------------------ */

static void test_hw_smallest_isr_leo(void)
{
	struct follower f[] = {FOLLOWER(2, 40), FOLLOWER(3, 55)};
	int32_t isr[] = {1, 2, 3};
	CU_ASSERT_EQUAL(rr_high_watermark(10, 60, 1, isr, 3, -1, f, 2), 40);
	f[0].leo = 70; /* a follower can be ahead of what the leader knew: capped by the leader */
	f[1].leo = 80;
	CU_ASSERT_EQUAL(rr_high_watermark(10, 60, 1, isr, 3, -1, f, 2), 60);
	/* a replica outside the ISR does not hold the HW back */
	int32_t isr2[] = {1, 3};
	f[1].leo = 58;
	f[0].leo = 0;
	CU_ASSERT_EQUAL(rr_high_watermark(10, 60, 1, isr2, 2, -1, f, 2), 58);
	/* an ISR of the leader alone: HW = LEO */
	int32_t alone[] = {1};
	CU_ASSERT_EQUAL(rr_high_watermark(10, 60, 1, alone, 1, -1, f, 2), 60);
	CU_ASSERT_EQUAL(rr_high_watermark(10, 60, 1, alone, 0, -1, NULL, 0), 60);
}

static void test_hw_never_backwards(void)
{
	struct follower f[] = {FOLLOWER(2, 30)};
	int32_t isr[] = {1, 2};
	/* the follower truncated below the HW (or the leader's log end is below it): hold */
	CU_ASSERT_EQUAL(rr_high_watermark(35, 60, 1, isr, 2, -1, f, 1), 35);
	CU_ASSERT_EQUAL(rr_high_watermark(35, 20, 1, isr, 1, -1, f, 1), 35);
	for (int64_t leo = 0; leo < 50; leo += 7) {
		f[0].leo = leo;
		CU_ASSERT(rr_high_watermark(25, 60, 1, isr, 2, -1, f, 1) >= 25);
	}
}

static void test_hw_unknown_progress_holds(void)
{
	int32_t isr[] = {1, 2, 3};
	struct follower f[] = {FOLLOWER(2, 50), FOLLOWER(3, -1)};
	/* member 3 has not fetched under this leadership */
	CU_ASSERT_EQUAL(rr_high_watermark(12, 60, 1, isr, 3, -1, f, 2), 12);
	/* member 3 is not even a known replica (ISR from a newer state than our replicas) */
	CU_ASSERT_EQUAL(rr_high_watermark(12, 60, 1, isr, 3, -1, f, 1), 12);
	f[1].leo = 45;
	CU_ASSERT_EQUAL(rr_high_watermark(12, 60, 1, isr, 3, -1, f, 2), 45);
}

static void test_hw_member_being_added(void)
{
	int32_t isr[] = {1, 2};
	struct follower f[] = {FOLLOWER(2, 60), FOLLOWER(3, 41)};
	/* 3's addition is in flight: it counts already (the maximal ISR) */
	CU_ASSERT_EQUAL(rr_high_watermark(40, 60, 1, isr, 2, 3, f, 2), 41);
	CU_ASSERT_EQUAL(rr_high_watermark(40, 60, 1, isr, 2, -1, f, 2), 60);
	/* adding a member already in the ISR changes nothing, and self never counts */
	CU_ASSERT_EQUAL(rr_high_watermark(40, 60, 1, isr, 2, 2, f, 2), 60);
	CU_ASSERT_EQUAL(rr_high_watermark(40, 60, 1, isr, 2, 1, f, 2), 60);
	f[1].leo = -1;
	CU_ASSERT_EQUAL(rr_high_watermark(40, 60, 1, isr, 2, 3, f, 2), 40);
}

static void test_hw_empty_logs(void)
{
	int32_t isr[] = {1, 2, 3};
	struct follower f[] = {FOLLOWER(2, 0), FOLLOWER(3, 0)};
	CU_ASSERT_EQUAL(rr_high_watermark(0, 0, 1, isr, 3, -1, f, 2), 0);
	CU_ASSERT_EQUAL(rr_high_watermark(0, 5, 1, isr, 3, -1, f, 2), 0);
}

/* ---- ISR expansion ------------------------------------------------------------------------- */

static void test_join_needs_hw_and_epoch_start(void)
{
	CU_ASSERT_TRUE(rr_may_join_isr(50, 50, 40));
	CU_ASSERT_TRUE(rr_may_join_isr(60, 50, 60));
	CU_ASSERT_FALSE(rr_may_join_isr(49, 50, 40));
	/* KAFKA-7128: the new leader took over at 60 with its HW still at 50 (the old leader's
	 * last HW had not reached it). A follower at 55 has reached the HW but may hold offsets
	 * 50..54 of the old epoch that the new leader's log does not: not in sync yet. */
	CU_ASSERT_FALSE(rr_may_join_isr(55, 50, 60));
	CU_ASSERT_TRUE(rr_may_join_isr(60, 50, 60));
	/* empty logs: everything (nothing) is replicated */
	CU_ASSERT_TRUE(rr_may_join_isr(0, 0, 0));
	CU_ASSERT_FALSE(rr_may_join_isr(-1, 0, 0)); /* never fetched */
}

/* ---- Caught-up time and ISR shrink --------------------------------------------------------- */

static void test_caught_up_rule(void)
{
	struct follower f = {2, -1, 1000, -1, 1000};
	/* first fetch, behind: not caught up (no previous fetch to compare with) */
	rr_follower_fetched(&f, 10, 50, 2000);
	CU_ASSERT_EQUAL(f.leo, 10);
	CU_ASSERT_EQUAL(f.last_caught_up_ms, 1000);
	CU_ASSERT_EQUAL(f.last_fetch_leo, 50);
	/* reaches what the leader had at its previous fetch: caught up as of that fetch */
	rr_follower_fetched(&f, 50, 90, 3000);
	CU_ASSERT_EQUAL(f.last_caught_up_ms, 2000);
	/* behind what we had before: unchanged */
	rr_follower_fetched(&f, 70, 120, 4000);
	CU_ASSERT_EQUAL(f.last_caught_up_ms, 2000);
	/* at our log end: caught up now */
	rr_follower_fetched(&f, 120, 120, 5000);
	CU_ASSERT_EQUAL(f.last_caught_up_ms, 5000);
	/* never moves back: a previous-fetch match older than the last caught-up time */
	f.last_fetch_ms = 100;
	rr_follower_fetched(&f, 120, 130, 6000);
	CU_ASSERT_EQUAL(f.last_caught_up_ms, 5000);
	/* a steady producer: always one batch behind, yet caught up at every fetch */
	struct follower g = {3, -1, 0, -1, 0};
	int64_t leo = 10;
	for (int64_t t = 100; t <= 1000; t += 100, leo += 10) {
		rr_follower_fetched(&g, leo - 10, leo, t);
		if (t > 100)
			CU_ASSERT_EQUAL(g.last_caught_up_ms, t - 100);
	}
}

static void test_shrink(void)
{
	int32_t isr[] = {3, 1, 2, 4}, keep[4];
	struct follower f[] = {{2, 50, 9000, 60, 9000}, {3, 60, 20000, 60, 20000},
	                       {4, 10, 10000, 60, 10000}};
	/* lag 10000 at 20000: 2 (caught up at 9000) goes; 4 (10000: exactly the limit) stays;
	 * the leader stays whatever it is, the order is kept */
	int n = rr_isr_keep(isr, 4, 1, f, 3, 20000, 10000, keep);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(keep[0], 3);
	CU_ASSERT_EQUAL(keep[1], 1);
	CU_ASSERT_EQUAL(keep[2], 4);
	/* one millisecond later 4 goes too */
	CU_ASSERT_EQUAL(rr_isr_keep(isr, 4, 1, f, 3, 20001, 10000, keep), 2);
	/* a member we have no entry for (not one of our replicas) goes */
	int32_t isr2[] = {1, 7};
	CU_ASSERT_EQUAL(rr_isr_keep(isr2, 2, 1, f, 3, 20000, 10000, keep), 1);
	CU_ASSERT_EQUAL(keep[0], 1);
	/* nothing lags: all kept */
	CU_ASSERT_EQUAL(rr_isr_keep(isr, 4, 1, f, 3, 9500, 10000, keep), 4);
	CU_ASSERT_EQUAL(rr_isr_keep(isr, 0, 1, f, 3, 9500, 10000, keep), 0);
}

/* ---- Follower truncation: plain inputs ----------------------------------------------------- */

static void test_truncation_rules(void)
{
	struct rr_epoch_answer a;
	/* no cached epoch: nothing to ask, the HW (never above the LEO) */
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, -1, NULL, -1), 50);
	CU_ASSERT_EQUAL(rr_truncation_offset(40, 50, -1, NULL, -1), 40);
	CU_ASSERT_EQUAL(rr_truncation_offset(0, 0, -1, NULL, -1), 0);
	/* the leader does not know the epoch (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET) */
	a = (struct rr_epoch_answer){-1, -1};
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, 3, &a, -1), 50);
	CU_ASSERT_EQUAL(rr_truncation_offset(30, 50, 3, &a, -1), 30);
	/* same epoch on both: the leader's end, unless our log is shorter */
	a = (struct rr_epoch_answer){3, 70};
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, 3, &a, 80), 70);
	CU_ASSERT_EQUAL(rr_truncation_offset(65, 50, 3, &a, 65), 65);
	/* it may cut below our HW: the leader's log is the truth (KIP-101) */
	a = (struct rr_epoch_answer){3, 40};
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, 3, &a, 80), 40);
	/* KIP-279: the leader's last epoch <= ours is older (2): where our epoch 2 ends counts */
	a = (struct rr_epoch_answer){2, 70};
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, 3, &a, 60), 60);
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, 3, &a, 75), 70);
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, 3, &a, -1), 70);
	/* own_end is only looked at when the answered epoch is older than ours */
	a = (struct rr_epoch_answer){3, 70};
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, 3, &a, 10), 70);
	/* an answer for an epoch newer than ours (a confused leader): still capped by our log */
	a = (struct rr_epoch_answer){9, 500};
	CU_ASSERT_EQUAL(rr_truncation_offset(80, 50, 3, &a, -1), 80);
}

/* ---- Follower truncation on real logs ------------------------------------------------------ */

static struct plog *open_at(const char *name)
{
	char dir[192], err[512];
	snprintf(dir, sizeof(dir), "%s/%s", g_root, name);
	struct log_config c = small_cfg();
	struct plog *l = NULL;
	int rc = plog_open(dir, &c, 0, -1, &l, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\nplog_open: %s\n", err);
	CU_ASSERT_FATAL(rc == 0 && l != NULL);
	return l;
}

/* Appends `n` one-record batches of leader epoch `epoch`. */
static void put(struct plog *l, int n, int32_t epoch)
{
	for (int i = 0; i < n; i++) {
		struct tbatch b = make_batch(1, 1000, 1, 8);
		struct batch_info info = {.size = b.len, .last_offset_delta = 0};
		CU_ASSERT_EQUAL_FATAL(plog_append(l, b.p, b.len, &info, epoch, 1, NULL), KERR_NONE);
		free(b.p);
	}
}

/* What the fetcher does: ask the leader where the follower's latest epoch ends (the leader's
 * OffsetForLeaderEpoch handler answers with plog_epoch_end_offset), apply the rule, truncate. */
static int64_t truncate_follower(struct plog *follower, int64_t hw, struct plog *leader)
{
	int32_t latest = plog_latest_epoch(follower);
	struct rr_epoch_answer a = {-1, -1};
	int64_t own_end = -1;
	int32_t own_epoch;
	if (latest >= 0) {
		plog_epoch_end_offset(leader, latest, &a.epoch, &a.end_offset);
		plog_epoch_end_offset(follower, a.epoch, &own_epoch, &own_end);
	}
	int64_t to = rr_truncation_offset(plog_end_offset(follower), hw, latest, &a, own_end);
	if (to < plog_end_offset(follower))
		CU_ASSERT_EQUAL(plog_truncate_to(follower, to), KERR_NONE);
	return to;
}

/* Every epoch entry of `f` that starts below its LEO is one of `l`'s, with the same start:
 * after truncation the follower's log is a prefix of the leader's, epoch by epoch. */
static void expect_epoch_prefix(struct plog *f, struct plog *l)
{
	for (int32_t e = 0; e < 10; e++) {
		int32_t fe, le;
		int64_t fend, lend;
		plog_epoch_end_offset(f, e, &fe, &fend);
		plog_epoch_end_offset(l, e, &le, &lend);
		if (fe < 0 || fe != e)
			continue;
		CU_ASSERT_EQUAL(le, fe);
		CU_ASSERT(fend <= lend);
	}
}

static void test_truncation_back_to_back_leaders(void)
{
	/* Both had epoch 0 (offsets 0-9). The follower then took epoch 1 (10-14) and lost it
	 * before replicating; the leader won epochs 2 and 3 in a row (12 and 15 on). The
	 * follower asks about epoch 1: the leader's largest epoch <= 1 is 0, ending at 12 on the
	 * leader, but the follower's epoch 0 ends at 10 (KIP-279): truncate to 10, not 12. */
	struct plog *f = open_at("f-0"), *l = open_at("l-0");
	put(f, 10, 0);
	put(f, 5, 1);
	put(l, 12, 0);
	put(l, 3, 2);
	plog_assign_epoch(l, 3);
	put(l, 4, 3);
	CU_ASSERT_EQUAL(truncate_follower(f, 8, l), 10);
	CU_ASSERT_EQUAL(plog_end_offset(f), 10);
	CU_ASSERT_EQUAL(plog_latest_epoch(f), 0);
	/* asking again now (epoch 0) leaves it where it is: the divergence is gone */
	CU_ASSERT_EQUAL(truncate_follower(f, 8, l), 10);
	expect_epoch_prefix(f, l);
	CHECK_LOG(f);
	plog_close(f);
	plog_close(l);
}

static void test_truncation_epoch_older_than_leaders(void)
{
	/* The follower is behind on an older epoch that the leader continued: epoch 1 ends at
	 * 30 on the leader, the follower has 0-19 of it: nothing to cut. */
	struct plog *f = open_at("f-1"), *l = open_at("l-1");
	put(f, 5, 0);
	put(f, 15, 1);
	put(l, 5, 0);
	put(l, 25, 1);
	plog_assign_epoch(l, 4);
	put(l, 5, 4);
	CU_ASSERT_EQUAL(truncate_follower(f, 20, l), 20);
	CU_ASSERT_EQUAL(plog_end_offset(f), 20);
	expect_epoch_prefix(f, l);
	plog_close(f);
	plog_close(l);
}

static void test_truncation_unknown_epoch_and_empty(void)
{
	/* The follower holds an epoch (7) above anything the leader has (2): the leader answers
	 * UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET and the follower falls back to its HW. */
	struct plog *f = open_at("f-2"), *l = open_at("l-2");
	put(f, 6, 7);
	put(l, 4, 2);
	CU_ASSERT_EQUAL(truncate_follower(f, 3, l), 3);
	CU_ASSERT_EQUAL(plog_end_offset(f), 3);
	plog_close(f);
	plog_close(l);
	/* empty follower, empty leader: nothing to do */
	f = open_at("f-3");
	l = open_at("l-3");
	CU_ASSERT_EQUAL(truncate_follower(f, 0, l), 0);
	/* empty leader, follower with data of an epoch the leader never had: its HW */
	put(f, 4, 1);
	CU_ASSERT_EQUAL(truncate_follower(f, 2, l), 2);
	CU_ASSERT_EQUAL(plog_end_offset(f), 2);
	CHECK_LOG(f);
	plog_close(f);
	plog_close(l);
}

void suite_replica(void);
void suite_replica(void)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown("replica", NULL, NULL, fixture_setup,
	                                                   fixture_teardown);
	CU_add_test(s, "hw: smallest log end of the ISR", test_hw_smallest_isr_leo);
	CU_add_test(s, "hw: never backwards", test_hw_never_backwards);
	CU_add_test(s, "hw: unknown progress holds it", test_hw_unknown_progress_holds);
	CU_add_test(s, "hw: a member being added counts", test_hw_member_being_added);
	CU_add_test(s, "hw: empty logs", test_hw_empty_logs);
	CU_add_test(s, "isr: joining needs the HW and the epoch start (KAFKA-7128)",
	            test_join_needs_hw_and_epoch_start);
	CU_add_test(s, "isr: caught-up time", test_caught_up_rule);
	CU_add_test(s, "isr: shrink after replica.lag.time.max.ms", test_shrink);
	CU_add_test(s, "truncation: the rules", test_truncation_rules);
	CU_add_test(s, "truncation: back-to-back leader changes (KIP-279)",
	            test_truncation_back_to_back_leaders);
	CU_add_test(s, "truncation: an epoch older than the leader's",
	            test_truncation_epoch_older_than_leaders);
	CU_add_test(s, "truncation: unknown epoch, empty logs",
	            test_truncation_unknown_epoch_and_empty);
}

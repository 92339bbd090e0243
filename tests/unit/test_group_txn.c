/* test_group_txn.c — transactional offset commits in the group state machine: pending
 * offsets invisible until the marker, COMMIT/ABORT, Kafka's "newer committed offset wins"
 * rule, TxnOffsetCommit checks, RequireStable, expiry/DeleteGroups with pending offsets, the
 * per-producer limit, and replay of transactional and control batches. */
#include "group_harness.h"

#include "../../common/kerr.h"
#include "../../common/limits.h"

#include <string.h>

#define S(x) kp_str_c(x)

/* One TxnOffsetCommit of one partition. v0-2 style when member is NULL. */
static int16_t txc(intptr_t h, const char *group, int64_t pid, const char *member, int32_t gen,
                   const char *instance, const char *topic, int32_t part, int64_t off,
                   int *pending)
{
	struct group_commit_part p = {S(topic), part, off, 5, S("tm"), -1};
	struct group_txn_commit_req r = {.group_id = S(group),
	                                 .member_id = member ? S(member) : S(""),
	                                 .instance_id = instance ? S(instance) : KP_STR_NULL,
	                                 .generation_id = gen, .producer_id = pid,
	                                 .producer_epoch = 2, .nparts = 1, .parts = &p};
	int16_t err;
	*pending = group_txn_commit(GF.c, &r, &err, (void *)h);
	return err;
}

static int64_t off_of(struct group_coord *c, const char *group, const char *topic, int32_t p)
{
	struct group_offset o;
	return group_offset_get(c, S(group), S(topic), p, &o) ? o.offset : -1;
}

static bool unstable(struct group_coord *c, const char *group, const char *topic, int32_t p)
{
	return group_offset_unstable(c, S(group), S(topic), p);
}

static void test_pending_commit_abort(void)
{
	gt_setup();
	int pend;
	CU_ASSERT_EQUAL(txc(1, "g", 7, NULL, -1, NULL, "t", 0, 10, &pend), KERR_NONE);
	CU_ASSERT_EQUAL(pend, 1);
	/* The batch: the producer's id and epoch, through append_txn. */
	CU_ASSERT_EQUAL_FATAL(GF.npend, 1);
	CU_ASSERT_EQUAL(GF.pend[0].recs[0].batch.producer_id, 7);
	CU_ASSERT_TRUE(GF.pend[0].recs[0].batch.transactional);
	CU_ASSERT_EQUAL(GF.pend[0].epoch, 2);
	CU_ASSERT_TRUE(unstable(GF.c, "g", "t", 0)); /* pending from the call on */
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(fx_commit_of(&GF, 1), KERR_NONE);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), -1); /* invisible until the marker */
	CU_ASSERT_EQUAL(group_offset_foreach(GF.c, S("g"), NULL, NULL), 0);
	CU_ASSERT_TRUE(unstable(GF.c, "g", "t", 0));
	CU_ASSERT_FALSE(unstable(GF.c, "g", "t", 1));
	CU_ASSERT_EQUAL(group_txn_pending_count(GF.c), 1);
	/* Another producer's marker changes nothing. */
	group_txn_complete(GF.c, 8, true);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), -1);
	group_txn_complete(GF.c, 7, true);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), 10);
	CU_ASSERT_FALSE(unstable(GF.c, "g", "t", 0));
	struct group_offset o;
	CU_ASSERT_TRUE(group_offset_get(GF.c, S("g"), S("t"), 0, &o));
	CU_ASSERT_EQUAL(o.leader_epoch, 5);
	CU_ASSERT(kp_str_eq_c(o.metadata, "tm"));
	CU_ASSERT_EQUAL(o.commit_timestamp, GF.now);
	CU_ASSERT_EQUAL(group_txn_pending_count(GF.c), 0);
	/* ABORT drops; the committed offset stays. */
	txc(2, "g", 7, NULL, -1, NULL, "t", 0, 20, &pend);
	txc(3, "g", 7, NULL, -1, NULL, "t", 1, 21, &pend);
	txc(4, "h", 7, NULL, -1, NULL, "t", 0, 22, &pend); /* the same producer, another group */
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(group_txn_pending_count(GF.c), 2);
	group_txn_complete(GF.c, 7, false);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), 10);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 1), -1);
	CU_ASSERT_EQUAL(off_of(GF.c, "h", "t", 0), -1);
	CU_ASSERT_FALSE(unstable(GF.c, "g", "t", 1));
	CU_ASSERT_EQUAL(group_txn_pending_count(GF.c), 0);
	/* Two groups of one producer complete together; a later commit replaces the earlier. */
	txc(5, "g", 9, NULL, -1, NULL, "t", 0, 30, &pend);
	txc(6, "g", 9, NULL, -1, NULL, "t", 0, 31, &pend);
	txc(7, "h", 9, NULL, -1, NULL, "t", 0, 32, &pend);
	fx_ack(&GF, KERR_NONE);
	group_txn_complete(GF.c, 9, true);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), 31);
	CU_ASSERT_EQUAL(off_of(GF.c, "h", "t", 0), 32);
	fx_fini(&GF);
}

/* Kafka's rule: a COMMIT materialises a transactional offset only over an older one. */
static void test_newer_commit_wins(void)
{
	gt_setup();
	int pend;
	txc(1, "g", 7, NULL, -1, NULL, "t", 0, 10, &pend);              /* T, then N */
	gt_commit1(2, "g", "", -1, "t", 0, 50, "", &pend);
	txc(3, "g", 7, NULL, -1, NULL, "t", 1, 11, &pend);
	fx_ack(&GF, KERR_NONE);
	gt_commit1(4, "g", "", -1, "t", 1, 60, "", &pend);              /* T acked, then N */
	fx_ack(&GF, KERR_NONE);
	gt_commit1(5, "g", "", -1, "t", 2, 70, "", &pend);              /* N, then T */
	fx_ack(&GF, KERR_NONE);
	txc(6, "g", 7, NULL, -1, NULL, "t", 2, 12, &pend);
	fx_ack(&GF, KERR_NONE);
	group_txn_complete(GF.c, 7, true);
	fx_marker(&GF, 7, true);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), 50);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 1), 60);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 2), 12);
	/* An older OffsetCommit whose append completes after the COMMIT does not go back. */
	gt_commit1(7, "g", "", -1, "t", 3, 80, "", &pend);  /* N in flight */
	txc(8, "g", 7, NULL, -1, NULL, "t", 3, 13, &pend);  /* T after it in the log */
	CU_ASSERT_TRUE(unstable(GF.c, "g", "t", 3));
	group_txn_complete(GF.c, 7, true);                  /* before N's acknowledgement */
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 3), 13);
	/* The same history replayed gives the same offsets. */
	fx_marker(&GF, 7, true);
	struct group_coord *c2 = fx_replay(&GF);
	for (int p = 0; p < 4; p++)
		CU_ASSERT_EQUAL(off_of(c2, "g", "t", p), off_of(GF.c, "g", "t", p));
	group_coord_free(c2);
	fx_fini(&GF);
}

static void test_txn_commit_checks(void)
{
	gt_setup();
	char ida[160], idb[160];
	gt_two_stable(ida, idb); /* group "g", generation 1 */
	int pend;
	/* v0-2 (no member, generation -1) is accepted in a Stable group. */
	CU_ASSERT_EQUAL(txc(1, "g", 7, NULL, -1, NULL, "t", 0, 1, &pend), KERR_NONE);
	/* v3+ with group metadata: checked like OffsetCommit. */
	CU_ASSERT_EQUAL(txc(2, "g", 7, ida, 9, NULL, "t", 0, 1, &pend), KERR_ILLEGAL_GENERATION);
	CU_ASSERT_EQUAL(txc(3, "g", 7, "zz", 1, NULL, "t", 0, 1, &pend), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(txc(4, "g", 7, "", 1, NULL, "t", 0, 1, &pend), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(txc(5, "g", 7, ida, -1, NULL, "t", 0, 1, &pend), KERR_ILLEGAL_GENERATION);
	CU_ASSERT_EQUAL(txc(6, "g", 7, ida, 1, "nosuch", "t", 0, 1, &pend), KERR_UNKNOWN_MEMBER_ID);
	CU_ASSERT_EQUAL(txc(7, "g", 7, ida, 1, NULL, "t", 0, 2, &pend), KERR_NONE);
	CU_ASSERT_EQUAL(pend, 1);
	/* A generation >= 0 on an unknown group: created, then UNKNOWN_MEMBER_ID (and dropped). */
	CU_ASSERT_EQUAL(txc(8, "new", 7, "m", 0, NULL, "t", 0, 1, &pend), KERR_UNKNOWN_MEMBER_ID);
	struct group_view v;
	CU_ASSERT_FALSE(group_describe(GF.c, S("new"), &v));
	/* Producer id / epoch must be set; a bad group id is refused. */
	CU_ASSERT_EQUAL(txc(9, "g", -1, NULL, -1, NULL, "t", 0, 1, &pend), KERR_INVALID_REQUEST);
	char big[KB_GROUP_ID_MAX_BYTES + 2];
	memset(big, 'g', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	CU_ASSERT_EQUAL(txc(10, big, 7, NULL, -1, NULL, "t", 0, 1, &pend), KERR_INVALID_GROUP_ID);
	/* Metadata too large: that partition only. */
	char meta[4098];
	memset(meta, 'x', 4097);
	meta[4097] = 0;
	struct group_commit_part ps[2] = {{S("t"), 5, 1, -1, S(meta), -1}, {S("t"), 6, 2, -1, KP_STR_NULL, -1}};
	struct group_txn_commit_req r = {S("g"), S(""), KP_STR_NULL, -1, 7, 2, 2, ps};
	int16_t errs[2];
	CU_ASSERT_EQUAL(group_txn_commit(GF.c, &r, errs, (void *)11), 1);
	CU_ASSERT_EQUAL(errs[0], KERR_OFFSET_METADATA_TOO_LARGE);
	CU_ASSERT_EQUAL(errs[1], KERR_NONE);
	CU_ASSERT_FALSE(unstable(GF.c, "g", "t", 5));
	CU_ASSERT_TRUE(unstable(GF.c, "g", "t", 6));
	/* A failed append drops what it made pending and answers the mapped error. */
	CU_ASSERT_EQUAL(txc(12, "g", 8, NULL, -1, NULL, "u", 0, 1, &pend), KERR_NONE);
	CU_ASSERT_TRUE(unstable(GF.c, "g", "u", 0));
	fx_ack(&GF, KERR_NOT_LEADER_OR_FOLLOWER);
	CU_ASSERT_EQUAL(fx_commit_of(&GF, 12), KERR_NOT_COORDINATOR);
	CU_ASSERT_FALSE(unstable(GF.c, "g", "u", 0));
	CU_ASSERT_FALSE(unstable(GF.c, "g", "t", 6)); /* acknowledged with the same error */
	GF.append_fail = KERR_NOT_ENOUGH_REPLICAS;    /* refused at once */
	CU_ASSERT_EQUAL(txc(13, "g", 8, NULL, -1, NULL, "u", 1, 1, &pend), KERR_COORDINATOR_NOT_AVAILABLE);
	CU_ASSERT_EQUAL(pend, 0);
	CU_ASSERT_FALSE(unstable(GF.c, "g", "u", 1));
	GF.append_fail = 0;
	CU_ASSERT_EQUAL(group_txn_pending_count(GF.c), 0);
	/* CompletingRebalance does not refuse transactional commits (Kafka has no such check). */
	gt_join(14, "g", ida, "range");
	gt_join(15, "g", idb, "range");
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_COMPLETING_REBALANCE);
	CU_ASSERT_EQUAL(txc(16, "g", 7, ida, 2, NULL, "t", 0, 3, &pend), KERR_NONE);
	/* Unload with a transactional append in flight: answered NOT_COORDINATOR, nothing leaks. */
	group_coord_free(GF.c);
	GF.c = NULL;
	CU_ASSERT_EQUAL(fx_commit_of(&GF, 16), KERR_NOT_COORDINATOR);
	fx_fini(&GF);
}

static void test_expiry_delete_pending(void)
{
	gt_setup();
	int pend;
	txc(1, "g", 7, NULL, -1, NULL, "t", 0, 10, &pend);
	gt_commit1(2, "g", "", -1, "t", 1, 5, "", &pend);
	fx_ack(&GF, KERR_NONE);
	/* DeleteGroups waits for the transaction. */
	CU_ASSERT_EQUAL(group_delete(GF.c, S("g")), KERR_NON_EMPTY_GROUP);
	/* Expiry removes the committed offset only; the group and the pending offset stay. */
	GF.now += GF.cfg.offsets_retention_ms + 1;
	CU_ASSERT_EQUAL(group_expire_offsets(GF.c), 1);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 1), -1);
	struct group_view v;
	CU_ASSERT_TRUE(group_describe(GF.c, S("g"), &v));
	CU_ASSERT_TRUE(unstable(GF.c, "g", "t", 0));
	/* OffsetDelete of a pending partition removes nothing pending. */
	struct group_offset_delete_part d = {S("t"), 0, -1};
	CU_ASSERT_EQUAL(group_offset_delete(GF.c, S("g"), &d, 1), KERR_NONE);
	CU_ASSERT_TRUE(unstable(GF.c, "g", "t", 0));
	fx_ack(&GF, KERR_NONE);
	group_txn_complete(GF.c, 7, true);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), 10);
	CU_ASSERT_EQUAL(group_delete(GF.c, S("g")), KERR_NONE);
	CU_ASSERT_FALSE(group_describe(GF.c, S("g"), &v));
	/* OffsetDelete while a commit is in flight, then a transactional commit of the same
	 * partition: the in-flight commit is not applied (Kafka drops it with the offset). */
	gt_commit1(4, "d", "", -1, "t", 0, 1, "", &pend);
	gt_commit1(4, "d", "", -1, "t", 1, 1, "", &pend); /* keeps the group */
	fx_ack(&GF, KERR_NONE);
	gt_commit1(5, "d", "", -1, "t", 0, 2, "", &pend);
	CU_ASSERT_EQUAL(group_offset_delete(GF.c, S("d"), &d, 1), KERR_NONE);
	txc(6, "d", 7, NULL, -1, NULL, "t", 0, 3, &pend);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(off_of(GF.c, "d", "t", 0), -1);
	CU_ASSERT_TRUE(unstable(GF.c, "d", "t", 0));
	group_txn_complete(GF.c, 7, false);
	CU_ASSERT_EQUAL(off_of(GF.c, "d", "t", 0), -1);
	CU_ASSERT_FALSE(unstable(GF.c, "d", "t", 0));
	/* A group that only ever had an aborted transactional offset goes at the next expiry. */
	txc(3, "x", 7, NULL, -1, NULL, "t", 0, 10, &pend);
	fx_ack(&GF, KERR_NONE);
	group_txn_complete(GF.c, 7, false);
	group_expire_offsets(GF.c);
	CU_ASSERT_FALSE(group_describe(GF.c, S("x"), &v));
	fx_fini(&GF);
}

/* A failed append of a new value for a pending partition (a fenced zombie of the producer)
 * gives back the value it replaced, instead of dropping the producer's pending offset. */
static void test_failed_replacement(void)
{
	gt_setup();
	int pend;
	txc(1, "g", 7, NULL, -1, NULL, "t", 0, 10, &pend);
	fx_ack(&GF, KERR_NONE);
	GF.append_fail = KERR_INVALID_PRODUCER_EPOCH; /* refused at once */
	CU_ASSERT_EQUAL(txc(2, "g", 7, NULL, -1, NULL, "t", 0, 12, &pend), KERR_INVALID_PRODUCER_EPOCH);
	GF.append_fail = 0;
	CU_ASSERT_TRUE(unstable(GF.c, "g", "t", 0));
	txc(3, "g", 7, NULL, -1, NULL, "t", 0, 13, &pend); /* fails after the append */
	fx_ack(&GF, KERR_NOT_LEADER_OR_FOLLOWER);
	CU_ASSERT_EQUAL(fx_commit_of(&GF, 3), KERR_NOT_COORDINATOR);
	txc(4, "g", 7, NULL, -1, NULL, "t", 0, 14, &pend); /* two in flight, both fail */
	txc(5, "g", 7, NULL, -1, NULL, "t", 0, 15, &pend);
	fx_ack(&GF, KERR_REQUEST_TIMED_OUT);
	/* One value is remembered: two failed replacements in flight drop the pending offset,
	 * as Kafka's failPendingTxnOffsetCommit always does. */
	CU_ASSERT_FALSE(unstable(GF.c, "g", "t", 0));
	txc(6, "g", 7, NULL, -1, NULL, "t", 0, 16, &pend);
	txc(7, "g", 7, NULL, -1, NULL, "t", 0, 17, &pend);
	fx_ack(&GF, KERR_NONE);
	group_txn_complete(GF.c, 7, true);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), 17);
	txc(8, "g", 7, NULL, -1, NULL, "t", 0, 20, &pend);
	fx_ack(&GF, KERR_NONE);
	GF.append_fail = KERR_INVALID_PRODUCER_EPOCH;
	txc(9, "g", 7, NULL, -1, NULL, "t", 0, 21, &pend);
	GF.append_fail = 0;
	group_txn_complete(GF.c, 7, true);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", 0), 20);
	fx_fini(&GF);
}

/* KB_GROUP_TXN_MAX_PARTITIONS pending partitions per producer and group. */
static void test_txn_limit(void)
{
	gt_setup();
	int n = KB_GROUP_TXN_MAX_PARTITIONS;
	struct group_commit_part *ps = kb_calloc((size_t)n + 1, sizeof(*ps));
	int16_t *errs = kb_calloc((size_t)n + 1, sizeof(*errs));
	for (int i = 0; i <= n; i++)
		ps[i] = (struct group_commit_part){S("t"), i, i, -1, S(""), -1};
	struct group_txn_commit_req r = {S("g"), S(""), KP_STR_NULL, -1, 7, 0, n + 1, ps};
	CU_ASSERT_EQUAL(group_txn_commit(GF.c, &r, errs, (void *)1), 0); /* past a request's limit */
	CU_ASSERT_EQUAL(errs[0], KERR_INVALID_REQUEST);
	r.nparts = n;
	CU_ASSERT_EQUAL(group_txn_commit(GF.c, &r, errs, (void *)2), 1);
	CU_ASSERT_EQUAL(errs[n - 1], KERR_NONE);
	fx_ack(&GF, KERR_NONE);
	r.parts = &ps[n - 1]; /* one held already, one new */
	r.nparts = 2;
	CU_ASSERT_EQUAL(group_txn_commit(GF.c, &r, errs, (void *)3), 1);
	CU_ASSERT_EQUAL(errs[0], KERR_NONE);
	CU_ASSERT_EQUAL(errs[1], KERR_INVALID_REQUEST);
	r.producer_id = 8; /* another producer has its own allowance */
	CU_ASSERT_EQUAL(group_txn_commit(GF.c, &r, errs, (void *)4), 1);
	CU_ASSERT_EQUAL(errs[1], KERR_NONE);
	fx_ack(&GF, KERR_NONE);
	group_txn_complete(GF.c, 7, true);
	CU_ASSERT_EQUAL(off_of(GF.c, "g", "t", n - 1), n - 1);
	CU_ASSERT_EQUAL(group_offset_foreach(GF.c, S("g"), NULL, NULL), n);
	kb_free(ps);
	kb_free(errs);
	fx_fini(&GF);
}

/* Replay: offsets of transactional batches go pending per producer; markers complete them. */
static void test_txn_replay(void)
{
	gt_setup();
	char ida[160], idb[160];
	gt_two_stable(ida, idb);
	int pend;
	gt_commit1(1, "g", ida, 1, "t", 0, 5, "", &pend);
	txc(2, "g", 7, ida, 1, NULL, "t", 0, 10, &pend);  /* committed below */
	txc(3, "g", 8, NULL, -1, NULL, "t", 1, 20, &pend); /* aborted below */
	txc(4, "g", 9, NULL, -1, NULL, "t", 2, 30, &pend); /* still open */
	txc(5, "solo", 9, NULL, -1, NULL, "u", 0, 40, &pend);
	fx_ack(&GF, KERR_NONE);
	fx_marker(&GF, 7, true);
	group_txn_complete(GF.c, 7, true);
	fx_marker(&GF, 8, false);
	group_txn_complete(GF.c, 8, false);
	fx_marker(&GF, 42, true); /* a marker of a producer with nothing here */
	struct group_coord *c2 = fx_replay(&GF);
	CU_ASSERT_EQUAL(off_of(c2, "g", "t", 0), 10);
	CU_ASSERT_EQUAL(off_of(c2, "g", "t", 1), -1);
	CU_ASSERT_FALSE(unstable(c2, "g", "t", 1));
	CU_ASSERT_EQUAL(off_of(c2, "g", "t", 2), -1);
	CU_ASSERT_TRUE(unstable(c2, "g", "t", 2));
	CU_ASSERT_TRUE(unstable(c2, "solo", "u", 0));
	CU_ASSERT_EQUAL(group_txn_pending_count(c2), 2);
	struct group_view v;
	CU_ASSERT_TRUE(group_describe(c2, S("solo"), &v)); /* a group of pending offsets only */
	CU_ASSERT_EQUAL(v.state, GROUP_EMPTY);
	CU_ASSERT_TRUE(group_describe(c2, S("g"), &v));
	CU_ASSERT_EQUAL(v.state, GROUP_STABLE);
	/* The marker of the open transaction, live on the new coordinator. */
	group_txn_complete(c2, 9, true);
	CU_ASSERT_EQUAL(off_of(c2, "g", "t", 2), 30);
	CU_ASSERT_EQUAL(off_of(c2, "solo", "u", 0), 40);
	/* Malformed control records are reported, not applied. */
	struct group_load_batch ctl = {9, true, true};
	static const uint8_t shortkey[2] = {0, 0}, negver[4] = {0xff, 0xff, 0, 1};
	CU_ASSERT(group_load_record_in(c2, &ctl, shortkey, 2, NULL, 0) < 0);
	CU_ASSERT(group_load_record_in(c2, &ctl, negver, 4, NULL, 0) < 0);
	/* A transactional tombstone removes that producer's pending offset. */
	struct kbuf k;
	kbuf_init(&k, SIZE_MAX);
	group_rec_offset_key(&k, S("g"), S("t"), 0);
	txc(6, "g", 11, NULL, -1, NULL, "t", 0, 99, &pend);
	fx_ack(&GF, KERR_NONE);
	struct group_load_batch tb = {11, true, false};
	CU_ASSERT_EQUAL(group_load_record_in(GF.c, &tb, k.data, k.len, NULL, 0), 0);
	CU_ASSERT_FALSE(unstable(GF.c, "g", "t", 0));
	kbuf_free(&k);
	group_coord_free(c2);
	fx_fini(&GF);
}

void group_txn_offsets_tests(CU_pSuite s)
{
	CU_add_test(s, "txn offsets: pending until COMMIT, ABORT drops", test_pending_commit_abort);
	CU_add_test(s, "txn offsets: a newer committed offset wins", test_newer_commit_wins);
	CU_add_test(s, "txn offsets: TxnOffsetCommit checks, failed appends", test_txn_commit_checks);
	CU_add_test(s, "txn offsets: expiry and DeleteGroups keep pending", test_expiry_delete_pending);
	CU_add_test(s, "txn offsets: a failed replacement gives the pending value back",
	            test_failed_replacement);
	CU_add_test(s, "txn offsets: pending partitions per producer limit", test_txn_limit);
	CU_add_test(s, "txn offsets: replay of transactional and control batches", test_txn_replay);
}

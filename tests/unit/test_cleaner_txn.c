/* test_cleaner_txn.c — the cleaner and transactions (log/cleaner_txn.h, C2-C5 of the fact
 * sheet), on real files: aborted data dropped whole, committed transactional keys compacting
 * older plain values and compacted by newer ones, COMMIT/ABORT markers kept while their data
 * is in the log, then stamped with a delete horizon (0x40, baseTimestamp) and dropped once it
 * passed (a clock given to each pass), the cleaned segments' .txnindex, the last batch of a
 * live producer kept empty, the range stopping below the LSO, and the read_committed view and
 * a full replay (no snapshot) unchanged by every pass. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/kerr.h"
#include "log/pstate.h"
#include "log/records.h"
#include "log_harness.h"

void suite_cleaner_txn(void);

#define T0 1700000000000LL /* the passes' clock */
#define RET 60000          /* delete.retention.ms */

/* ---- Writing ------------------------------------------------------------------------------ */

static int32_t g_seq[8]; /* next sequence of producers 100, 200, ... (pid / 100 - 1) */

/* One keyed record in its own batch; pid -1: no producer. Returns its offset. */
static int64_t put(struct plog *l, const char *key, const char *val, size_t vlen, int64_t pid,
                   bool txn)
{
	char v[1024];
	memset(v, '.', sizeof(v));
	memcpy(v, val, strlen(val));
	vlen = KB_MAX(vlen, strlen(val));
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	if (pid >= 0) {
		bp.producer_id = pid;
		bp.producer_epoch = 0;
		bp.base_sequence = g_seq[pid / 100 - 1]++;
	}
	bp.attributes = txn ? RB_ATTR_TRANSACTIONAL : 0;
	struct rc_build_record r = {.timestamp = kb_wall_ms(), .key = (const uint8_t *)key,
	                            .key_len = (int32_t)strlen(key), .value = (const uint8_t *)v,
	                            .value_len = (int32_t)vlen};
	uint8_t *b;
	size_t len;
	struct batch_info info;
	struct pstate_dup d;
	int64_t base = -1;
	CU_ASSERT_FATAL(rc_batch_build(&bp, &r, 1, 0, 1 << 20, &b, &len) == RC_OK);
	CU_ASSERT_FATAL(batch_validate(b, len, 1 << 20, &info) == KERR_NONE);
	CU_ASSERT_EQUAL(plog_producer_check(l, &info, &d), KERR_NONE);
	CU_ASSERT_EQUAL(plog_append(l, b, len, &info, 0, kb_wall_ms(), &base), KERR_NONE);
	free(b);
	return base;
}

static int64_t marker(struct plog *l, int64_t pid, int16_t epoch, bool commit)
{
	uint8_t b[RB_MARKER_SIZE];
	int64_t now = kb_wall_ms();
	CU_ASSERT_EQUAL(rb_marker_build(b, pid, epoch, commit, 0, now), RB_MARKER_SIZE);
	struct batch_info info = {.records = 1, .max_timestamp = now, .base_timestamp = now,
	                          .attributes = 0x30, .producer_id = pid, .producer_epoch = epoch,
	                          .base_sequence = -1, .size = sizeof(b)};
	CU_ASSERT_EQUAL(plog_marker_check(l, pid, epoch, 0), KERR_NONE);
	int64_t base = -1;
	CU_ASSERT_EQUAL(plog_append(l, b, sizeof(b), &info, 0, kb_wall_ms(), &base), KERR_NONE);
	return base;
}

static void fillers(struct plog *l, int from, int n)
{
	for (int i = from; i < from + n; i++) {
		char k[16];
		snprintf(k, sizeof(k), "F%d", i);
		put(l, k, "f", 900, -1, false);
	}
}

/* ---- Reading the files back ----------------------------------------------------------------- */

struct sbatch {
	int64_t base, last, pid, base_ts;
	int32_t count;
	int16_t attrs;
};
struct srec {
	int64_t off;
	char key[16], val[16]; /* val "" for a control record */
	size_t batch;          /* index into the batches */
};
#define SMAX 512
static struct sbatch g_b[SMAX];
static struct srec g_r[SMAX];
static size_t g_nb, g_nr;

static void scan(struct plog *l)
{
	g_nb = g_nr = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct log_segment *s = l->segs[i];
		uint8_t *buf = malloc((size_t)s->size + 1);
		CU_ASSERT_FATAL(pread(s->fd, buf, (size_t)s->size, 0) == s->size);
		for (int64_t pos = 0; pos < s->size;) {
			struct rb_hdr h;
			CU_ASSERT_FATAL(rb_header_parse(buf + pos, (size_t)(s->size - pos), &h) == RB_HDR_OK);
			CU_ASSERT_FATAL(g_nb < SMAX);
			g_b[g_nb] = (struct sbatch){h.base, h.last, h.producer_id, h.base_ts, h.count, h.attrs};
			struct rc_iter it;
			struct rc_record r;
			CU_ASSERT_FATAL(rc_iter_init(&it, buf + pos, (size_t)h.size, 1 << 20) == RC_OK);
			while (rc_iter_next(&it, &r) == 1) {
				CU_ASSERT_FATAL(g_nr < SMAX);
				struct srec *o = &g_r[g_nr++];
				memset(o, 0, sizeof(*o));
				o->off = r.offset;
				o->batch = g_nb;
				if (!(h.attrs & RB_ATTR_CONTROL)) {
					memcpy(o->key, r.key, KB_MIN((size_t)r.key_len, sizeof(o->key) - 1));
					memcpy(o->val, r.value, KB_MIN((size_t)r.value_len, (size_t)2));
				}
			}
			rc_iter_free(&it);
			g_nb++;
			pos += h.size;
		}
		free(buf);
	}
}

static const struct sbatch *batch_at(int64_t base)
{
	for (size_t i = 0; i < g_nb; i++)
		if (g_b[i].base == base)
			return &g_b[i];
	return NULL;
}

static const struct srec *rec_at(int64_t off)
{
	for (size_t i = 0; i < g_nr; i++)
		if (g_r[i].off == off)
			return &g_r[i];
	return NULL;
}

/* What a read_committed reader of the whole log ends with for key: the value of its last
 * record outside every aborted range the log returns ("" when none). From the last scan. */
static const char *committed(struct plog *l, const char *key)
{
	struct log_aborted *ab;
	size_t nab;
	const char *v = "";
	CU_ASSERT_EQUAL_FATAL(plog_aborted_txns(l, 0, plog_end_offset(l), &ab, &nab), 0);
	for (size_t i = 0; i < g_nr; i++) {
		const struct sbatch *b = &g_b[g_r[i].batch];
		bool skip = (b->attrs & RB_ATTR_CONTROL) != 0;
		for (size_t k = 0; k < nab && !skip; k++) /* the client's rule: the range [first,
		                                           * that producer's next ABORT marker] */
			skip = (b->attrs & RB_ATTR_TRANSACTIONAL) && ab[k].producer_id == b->pid &&
			       b->base >= ab[k].first_offset;
		if (!skip && strcmp(g_r[i].key, key) == 0)
			v = g_r[i].val;
	}
	free(ab);
	return v;
}

static size_t count_val(const char *val)
{
	size_t n = 0;
	for (size_t i = 0; i < g_nr; i++)
		n += strcmp(g_r[i].val, val) == 0;
	return n;
}

/* ---- Passes ------------------------------------------------------------------------------- */

static struct log_clean_params params_at(int64_t now, int64_t hw)
{
	return (struct log_clean_params){
		.first_dirty = -1, .min_dirty_ratio = 0.5, .max_lag_ms = INT64_MAX,
		.delete_retention_ms = RET, .map_bytes = 1 << 20, .map_load = 0.9, .now_ms = now,
		.hw = hw, .force = true};
}

static bool clean_at(struct plog *l, int64_t now, int64_t hw, struct log_clean_stats *st)
{
	struct log_clean_params p = params_at(now, hw);
	struct log_clean_job *j = plog_clean_prepare(l, &p);
	if (!j)
		return false;
	CU_ASSERT_EQUAL_FATAL(plog_clean_complete(l, j, log_clean_run(j), st), 0);
	CHECK_LOG(l);
	scan(l);
	return true;
}

static void drop_snapshots(void)
{
	DIR *d = opendir(g_dir);
	struct dirent *de;
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n > 9 && strcmp(de->d_name + n - 9, ".snapshot") == 0) {
			char p[512];
			snprintf(p, sizeof(p), "%s/%s", g_dir, de->d_name);
			unlink(p);
		}
	}
	closedir(d);
}

/* Close, remove every producer snapshot and reopen: the whole log is replayed. */
static struct plog *replay_all(struct plog *l, const struct log_config *c)
{
	flush_all(l);
	int64_t rp = plog_recovery_point(l);
	plog_close(l);
	drop_snapshots();
	return open_log(c, rp, -1);
}

static void expect_view(struct plog *l)
{
	CU_ASSERT_STRING_EQUAL(committed(l, "K1"), "c1");
	CU_ASSERT_STRING_EQUAL(committed(l, "K2"), "a0");
	CU_ASSERT_STRING_EQUAL(committed(l, "K3"), "p2");
	CU_ASSERT_STRING_EQUAL(committed(l, "K4"), "");
	CU_ASSERT_STRING_EQUAL(committed(l, "K5"), "c2");
	CU_ASSERT_EQUAL(count_val("x."), 0); /* read_uncommitted: no aborted record either */
}

/* ---- Tests -------------------------------------------------------------------------------- */

static void test_aborted_committed_markers(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	struct log_clean_stats st;
	memset(g_seq, 0, sizeof(g_seq));
	CU_ASSERT_EQUAL(put(l, "K1", "a0", 60, -1, false), 0);
	CU_ASSERT_EQUAL(put(l, "K2", "a0", 60, -1, false), 1);
	CU_ASSERT_EQUAL(put(l, "K1", "c1", 60, 100, true), 2);
	CU_ASSERT_EQUAL(put(l, "K3", "c1", 60, 100, true), 3);
	CU_ASSERT_EQUAL(marker(l, 100, 0, true), 4);
	CU_ASSERT_EQUAL(put(l, "K2", "x", 60, 200, true), 5);
	CU_ASSERT_EQUAL(put(l, "K4", "x", 60, 200, true), 6);
	CU_ASSERT_EQUAL(marker(l, 200, 0, false), 7);
	CU_ASSERT_EQUAL(put(l, "K3", "p2", 60, -1, false), 8);
	CU_ASSERT_EQUAL(put(l, "K5", "c2", 60, 100, true), 9);
	CU_ASSERT_EQUAL(marker(l, 100, 0, true), 10);
	fillers(l, 0, 12);
	CU_ASSERT_TRUE_FATAL(l->n >= 3);
	scan(l);
	CU_ASSERT_EQUAL(count_val("x."), 2);

	/* Pass 1: K1=a0 goes (the committed K1=c1 is newer), K2=a0 stays (the aborted K2=x does
	 * not count), K3=c1 goes (plain K3=p2 is newer); the aborted data goes, but 6 is producer
	 * 200's last batch: kept empty. Both markers' data was met: kept, the ABORT indexed. */
	CU_ASSERT_TRUE_FATAL(clean_at(l, T0, INT64_MAX, &st));
	CU_ASSERT_PTR_NULL(rec_at(0));
	CU_ASSERT_PTR_NOT_NULL(rec_at(1));
	CU_ASSERT_PTR_NOT_NULL(rec_at(2));
	CU_ASSERT_PTR_NULL(batch_at(3));
	CU_ASSERT_PTR_NULL(batch_at(5));
	CU_ASSERT_PTR_NOT_NULL_FATAL(batch_at(6));
	CU_ASSERT_EQUAL(batch_at(6)->count, 0);
	CU_ASSERT_TRUE(batch_at(6)->attrs & RB_ATTR_TRANSACTIONAL);
	CU_ASSERT_PTR_NOT_NULL(rec_at(4));
	CU_ASSERT_PTR_NOT_NULL(rec_at(7));
	CU_ASSERT_EQUAL(l->segs[0]->xn, 1);
	CU_ASSERT_EQUAL(l->segs[0]->txi[0].first, 5);
	CU_ASSERT_EQUAL(l->segs[0]->txi[0].last, 7);
	CU_ASSERT_EQUAL(st.records_removed, 4);
	expect_view(l);

	/* The producers expire. Pass 2: 6 (an emptied aborted batch) is met, then dropped: the
	 * ABORT stays one more pass, indexed. Pass 3: nothing of it left: stamped, unindexed. */
	CU_ASSERT_TRUE(plog_expire_producers(l, kb_wall_ms() + 3 * 86400000LL) >= 2);
	CU_ASSERT_TRUE_FATAL(clean_at(l, T0 + 1, INT64_MAX, &st));
	CU_ASSERT_PTR_NULL(batch_at(6));
	CU_ASSERT_PTR_NOT_NULL(rec_at(7));
	CU_ASSERT_EQUAL(l->segs[0]->xn, 1);
	CU_ASSERT_TRUE_FATAL(clean_at(l, T0 + 2, INT64_MAX, &st));
	CU_ASSERT_PTR_NOT_NULL_FATAL(batch_at(7));
	CU_ASSERT_TRUE(batch_at(7)->attrs & RB_ATTR_DELETE_HORIZON);
	CU_ASSERT_EQUAL(batch_at(7)->base_ts, T0 + 2 + RET);
	CU_ASSERT_EQUAL(l->segs[0]->xn, 0);
	CU_ASSERT_FALSE(batch_at(4)->attrs & RB_ATTR_DELETE_HORIZON); /* K1=c1 still there */
	expect_view(l);

	/* Before the horizon it stays as it is; at the horizon it goes. */
	CU_ASSERT_TRUE_FATAL(clean_at(l, T0 + 2 + RET - 1, INT64_MAX, &st));
	CU_ASSERT_PTR_NOT_NULL_FATAL(batch_at(7));
	CU_ASSERT_EQUAL(batch_at(7)->base_ts, T0 + 2 + RET);
	CU_ASSERT_TRUE_FATAL(clean_at(l, T0 + 2 + RET, INT64_MAX, &st));
	CU_ASSERT_PTR_NULL(batch_at(7));
	CU_ASSERT_PTR_NOT_NULL(rec_at(4));
	expect_view(l);

	/* Newer plain values of K1 and K5 compact the committed ones away; their COMMITs then
	 * go the same way: kept in the pass that still met their data, stamped in the next,
	 * dropped after the horizon. A full replay finds no transaction left open. */
	put(l, "K1", "p3", 60, -1, false);
	put(l, "K5", "p3", 60, -1, false);
	fillers(l, 100, 8);
	int64_t t = T0 + 10 * RET;
	CU_ASSERT_TRUE_FATAL(clean_at(l, t, INT64_MAX, &st));
	CU_ASSERT_PTR_NULL(rec_at(2));
	CU_ASSERT_PTR_NULL(rec_at(9));
	CU_ASSERT_PTR_NOT_NULL(rec_at(4));
	CU_ASSERT_PTR_NOT_NULL(rec_at(10));
	CU_ASSERT_TRUE_FATAL(clean_at(l, t + 1, INT64_MAX, &st));
	CU_ASSERT_TRUE(batch_at(4)->attrs & RB_ATTR_DELETE_HORIZON);
	CU_ASSERT_TRUE(batch_at(10)->attrs & RB_ATTR_DELETE_HORIZON);
	l = replay_all(l, &c);
	CU_ASSERT_EQUAL(pstate_open_txns(plog_producers(l)), 0);
	/* The replay made producer 100 live again (from its markers, at epoch 0, with no data
	 * batch): after the horizon its markers stay as empty control batches, and go once it
	 * expired. */
	CU_ASSERT_TRUE_FATAL(clean_at(l, t + 1 + RET, INT64_MAX, &st));
	CU_ASSERT_PTR_NULL(rec_at(4));
	CU_ASSERT_PTR_NULL(rec_at(10));
	CU_ASSERT_EQUAL(batch_at(4)->count, 0);
	CU_ASSERT_EQUAL(batch_at(10)->count, 0);
	CU_ASSERT_TRUE(plog_expire_producers(l, kb_wall_ms() + 3 * 86400000LL) >= 1);
	CU_ASSERT_TRUE_FATAL(clean_at(l, t + 2 + RET, INT64_MAX, &st));
	CU_ASSERT_PTR_NULL(batch_at(4));
	CU_ASSERT_PTR_NULL(batch_at(10));
	for (size_t i = 0; i < g_nb; i++) /* no control batch left in the cleaned part */
		CU_ASSERT_FALSE(g_b[i].base < l->segs[l->n - 1]->base && (g_b[i].attrs & RB_ATTR_CONTROL));
	CU_ASSERT_STRING_EQUAL(committed(l, "K1"), "p3");
	CU_ASSERT_STRING_EQUAL(committed(l, "K2"), "a0");
	CU_ASSERT_STRING_EQUAL(committed(l, "K3"), "p2");
	CU_ASSERT_STRING_EQUAL(committed(l, "K5"), "p3");
	l = replay_all(l, &c);
	CU_ASSERT_EQUAL(pstate_open_txns(plog_producers(l)), 0);
	CU_ASSERT_EQUAL(plog_lso(l, plog_end_offset(l)), plog_end_offset(l));
	plog_close(l);
}

/* C2: an open transaction, or one whose marker the HW has not passed, stops the range at the
 * segment holding its first offset. */
static void test_lso_bounds_range(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	struct log_clean_stats st;
	memset(g_seq, 0, sizeof(g_seq));
	CU_ASSERT_EQUAL(put(l, "K", "o", 60, -1, false), 0);
	CU_ASSERT_EQUAL(put(l, "K", "n", 60, 300, true), 1); /* open */
	fillers(l, 0, 16);
	CU_ASSERT_TRUE_FATAL(l->n >= 4);
	CU_ASSERT_FALSE(clean_at(l, T0, INT64_MAX, &st)); /* nothing below the LSO (1) */
	int64_t m = marker(l, 300, 0, true);
	CU_ASSERT_FALSE(clean_at(l, T0, m, &st));         /* marker not below the HW */
	CU_ASSERT_TRUE_FATAL(clean_at(l, T0, m + 1, &st));
	CU_ASSERT_PTR_NULL(rec_at(0));
	CU_ASSERT_PTR_NOT_NULL(rec_at(1));
	CU_ASSERT_STRING_EQUAL(committed(l, "K"), "n.");
	plog_close(l);
}

/* A producer whose last entry is a (fencing) ABORT at a higher epoch, with no data batch in
 * its state: its control batches at that epoch stay, emptied once removable. */
static void test_live_producer_marker(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	struct log_clean_stats st;
	memset(g_seq, 0, sizeof(g_seq));
	CU_ASSERT_EQUAL(put(l, "K", "x", 60, 400, true), 0);
	CU_ASSERT_EQUAL(marker(l, 400, 1, false), 1);
	fillers(l, 0, 12);
	CU_ASSERT_EQUAL(pstate_find(plog_producers(l), 400)->n, 0);
	CU_ASSERT_TRUE_FATAL(clean_at(l, T0, INT64_MAX, &st));
	CU_ASSERT_PTR_NULL(batch_at(0)); /* not the producer's last batch any more */
	CU_ASSERT_EQUAL(batch_at(1)->count, 1);
	CU_ASSERT_EQUAL(l->segs[0]->xn, 1);
	CU_ASSERT_TRUE_FATAL(clean_at(l, T0 + 1, INT64_MAX, &st));
	CU_ASSERT_TRUE(batch_at(1)->attrs & RB_ATTR_DELETE_HORIZON);
	CU_ASSERT_EQUAL(l->segs[0]->xn, 0);
	for (int k = 0; k < 2; k++) { /* after the horizon: kept, empty, and stays so */
		CU_ASSERT_TRUE_FATAL(clean_at(l, T0 + 1 + RET + k, INT64_MAX, &st));
		const struct sbatch *b = batch_at(1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_EQUAL(b->count, 0);
		CU_ASSERT_EQUAL(b->attrs & (RB_ATTR_CONTROL | RB_ATTR_DELETE_HORIZON), RB_ATTR_CONTROL);
		CU_ASSERT_EQUAL(b->base_ts, -1);
		CU_ASSERT_EQUAL(b->pid, 400);
	}
	flush_all(l); /* reopened from its snapshot, the producer keeps its epoch */
	int64_t rp = plog_recovery_point(l);
	plog_close(l);
	l = open_log(&c, rp, -1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pstate_find(plog_producers(l), 400));
	CU_ASSERT_EQUAL(pstate_find(plog_producers(l), 400)->epoch, 1);
	l = replay_all(l, &c); /* a full replay ignores empty control batches, as Kafka's */
	CU_ASSERT_EQUAL(pstate_open_txns(plog_producers(l)), 0);
	plog_close(l);
}

/* The data of a committed transaction in one segment group, its COMMIT in the next: the
 * marker stays while that data is in the log (Kafka decides per group and would stamp it:
 * the pass here tracks producers over all groups, so a replay never finds the data
 * without its marker). */
static void test_marker_in_later_group(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	struct log_clean_stats st;
	memset(g_seq, 0, sizeof(g_seq));
	CU_ASSERT_EQUAL(put(l, "K", "c", 60, 500, true), 0);
	fillers(l, 0, 5);                    /* > 4 KiB: the COMMIT lands in a later segment */
	int64_t m = marker(l, 500, 0, true);
	fillers(l, 10, 12);
	CU_ASSERT_TRUE_FATAL(l->segs[1]->base <= m);
	CU_ASSERT_TRUE(plog_expire_producers(l, kb_wall_ms() + 3 * 86400000LL) >= 1);
	for (int k = 0; k < 3; k++)          /* segments stay about 4 KiB: one per group */
		CU_ASSERT_TRUE_FATAL(clean_at(l, T0 + (int64_t)k * 2 * RET, INT64_MAX, &st));
	CU_ASSERT_TRUE(st.segments_in > 1 && st.segments_out == st.segments_in);
	CU_ASSERT_PTR_NOT_NULL(rec_at(0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec_at(m));
	CU_ASSERT_FALSE(batch_at(m)->attrs & RB_ATTR_DELETE_HORIZON);
	l = replay_all(l, &c);
	CU_ASSERT_EQUAL(pstate_open_txns(plog_producers(l)), 0);
	plog_close(l);
}

void suite_cleaner_txn(void)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown("cleaner_txn", NULL, NULL,
	                                                   fixture_setup, fixture_teardown);
	CU_add_test(s, "aborted data, committed keys, markers over passes, .txnindex, replay",
	            test_aborted_committed_markers);
	CU_add_test(s, "the range ends below the LSO", test_lso_bounds_range);
	CU_add_test(s, "a live producer's last marker kept empty", test_live_producer_marker);
	CU_add_test(s, "a COMMIT in a later group than its data stays", test_marker_in_later_group);
}

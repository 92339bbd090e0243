/* test_txnindex.c — transactions on the partition side (log/pstate.h, log/txnindex.c): open
 * and completed transactions in the producer state, the last stable offset, the marker checks,
 * the 78-byte control batch, the .txnindex file (Kafka's 34-byte entries, byte for byte), the
 * read_committed lookup and its stop rule, truncation, recovery rebuilding the index, and the
 * cleaner keeping it when it merges segments. Real files in a temporary directory. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/kerr.h"
#include "log/pstate.h"
#include "log/records.h"
#include "log_harness.h"

void suite_txnindex(void);

/* ---- The pure state -------------------------------------------------------------------------- */

static struct pstate_append tap(int64_t pid, int16_t epoch, int32_t seq, int n, int64_t off,
                                bool txn)
{
	return (struct pstate_append){.pid = pid, .epoch = epoch, .first_seq = seq,
	                              .last_seq = pstate_last_seq(seq, n - 1), .first_offset = off,
	                              .last_offset = off + n - 1, .max_ts = 1000 + off, .txn = txn};
}

static struct pstate_marker mk(int64_t pid, int16_t epoch, bool commit, int32_t ce, int64_t off)
{
	return (struct pstate_marker){pid, epoch, commit, ce, off, 5000 + off};
}

static void test_state_rules(void)
{
	struct pstate *ps = pstate_new();
	struct pstate_dup d;
	struct pstate_txn_done done;
	struct pstate_append a;
	/* A opens a transaction at 0, B writes plainly, C opens one at 5. */
	a = tap(1, 0, 0, 3, 0, true);
	CU_ASSERT_EQUAL(pstate_check(ps, &a, &d), KERR_NONE);
	pstate_update(ps, &a);
	a = tap(2, 0, 0, 2, 3, false);
	pstate_update(ps, &a);
	a = tap(3, 0, 0, 2, 5, true);
	pstate_update(ps, &a);
	CU_ASSERT_EQUAL(pstate_open_txns(ps), 2);
	CU_ASSERT_EQUAL(pstate_find(ps, 1)->txn_first, 0);
	CU_ASSERT_EQUAL(pstate_find(ps, 2)->txn_first, PSTATE_NO_TXN);
	CU_ASSERT_EQUAL(pstate_first_unstable(ps, 7), 0);
	/* Inside its transaction A may not write plainly; a second transactional batch is fine
	 * and does not move the transaction's start. */
	a = tap(1, 0, 3, 1, 7, false);
	CU_ASSERT_EQUAL(pstate_check(ps, &a, &d), KERR_INVALID_TXN_STATE);
	a = tap(1, 0, 3, 1, 7, true);
	CU_ASSERT_EQUAL(pstate_check(ps, &a, &d), KERR_NONE);
	pstate_update(ps, &a);
	CU_ASSERT_EQUAL(pstate_find(ps, 1)->txn_first, 0);
	/* Marker checks: a lower producer epoch, then (once a marker stored one) a lower
	 * coordinator epoch. */
	CU_ASSERT_EQUAL(pstate_check_marker(ps, 1, -1, 0), KERR_INVALID_PRODUCER_EPOCH);
	CU_ASSERT_EQUAL(pstate_check_marker(ps, 1, 0, 3), KERR_NONE);
	CU_ASSERT_EQUAL(pstate_check_marker(ps, 99, 0, 0), KERR_NONE); /* unknown producer */
	/* ABORT of A at 8: its range [0, 8], LSO at the abort = C's first offset. */
	struct pstate_marker m = mk(1, 0, false, 3, 8);
	CU_ASSERT_TRUE(pstate_end_txn(ps, &m, &done));
	CU_ASSERT_EQUAL(done.pid, 1);
	CU_ASSERT_EQUAL(done.first, 0);
	CU_ASSERT_EQUAL(done.last, 8);
	CU_ASSERT_EQUAL(done.lso, 5);
	CU_ASSERT_TRUE(done.aborted);
	CU_ASSERT_EQUAL(pstate_find(ps, 1)->txn_first, PSTATE_NO_TXN);
	CU_ASSERT_EQUAL(pstate_find(ps, 1)->coord_epoch, 3);
	CU_ASSERT_EQUAL(pstate_check_marker(ps, 1, 0, 2), KERR_TRANSACTION_COORDINATOR_FENCED);
	/* A completed transaction stays unstable until the HW passes its marker. */
	CU_ASSERT_EQUAL(pstate_first_unstable(ps, 8), 0);
	CU_ASSERT_EQUAL(pstate_first_unstable(ps, 9), 5);
	CU_ASSERT_EQUAL(pstate_first_unstable(ps, 8), 5); /* forgotten once passed */
	/* COMMIT of C at 9 with no other transaction open: LSO at the marker + 1. */
	m = mk(3, 0, true, 3, 9);
	CU_ASSERT_TRUE(pstate_end_txn(ps, &m, &done));
	CU_ASSERT_FALSE(done.aborted);
	CU_ASSERT_EQUAL(done.lso, 10);
	CU_ASSERT_EQUAL(pstate_first_unstable(ps, 10), INT64_MAX);
	CU_ASSERT_EQUAL(pstate_open_txns(ps), 0);
	/* A marker for a producer with no open transaction: epoch, coordinator epoch and time
	 * only (a higher epoch is adopted and forgets the cached batches). */
	m = mk(2, 4, false, 7, 10);
	CU_ASSERT_FALSE(pstate_end_txn(ps, &m, &done));
	CU_ASSERT_EQUAL(pstate_find(ps, 2)->epoch, 4);
	CU_ASSERT_EQUAL(pstate_find(ps, 2)->n, 0);
	CU_ASSERT_EQUAL(pstate_find(ps, 2)->coord_epoch, 7);
	CU_ASSERT_EQUAL(pstate_find(ps, 2)->last_ts, 5010);
	CU_ASSERT_EQUAL(pstate_first_unstable(ps, 11), INT64_MAX);
	pstate_free(ps);
}

/* Expiry spares open transactions; snapshots carry them and reopen them on load. */
static void test_state_expiry_and_snapshot(void)
{
	struct pstate *ps = pstate_new();
	struct pstate_append a = tap(5, 1, 0, 2, 100, true); /* open, timestamp 1100 */
	pstate_update(ps, &a);
	a = tap(6, 1, 0, 2, 102, false);
	pstate_update(ps, &a);
	a = tap(7, 1, 0, 2, 104, true);
	pstate_update(ps, &a);
	size_t len;
	uint8_t *snap = pstate_snapshot_encode(ps, &len);
	CU_ASSERT_EQUAL(pstate_expire(ps, 1000000, 10), 1); /* only 6 goes */
	CU_ASSERT_PTR_NULL(pstate_find(ps, 6));
	CU_ASSERT_EQUAL(pstate_first_unstable(ps, 200), 100);
	struct pstate *back = pstate_new();
	/* Load with expiry: 6 is skipped, the transactional ones are not. */
	CU_ASSERT_EQUAL(pstate_snapshot_decode(back, snap, len, 1000000, 10), 0);
	CU_ASSERT_EQUAL(pstate_count(back), 2);
	CU_ASSERT_EQUAL(pstate_open_txns(back), 2);
	CU_ASSERT_EQUAL(pstate_find(back, 7)->txn_first, 104);
	CU_ASSERT_EQUAL(pstate_first_unstable(back, 200), 100);
	/* Byte 38 of an entry is its txn first offset (fact sheet §A6). */
	for (size_t k = 0; k < 3; k++) {
		const uint8_t *q = snap + PSTATE_SNAP_HEADER + k * PSTATE_SNAP_ENTRY;
		int64_t pid = (int64_t)be64_get(q), first = (int64_t)be64_get(q + 38);
		CU_ASSERT_EQUAL(first, pid == 5 ? 100 : pid == 7 ? 104 : -1);
	}
	struct pstate_marker m = mk(5, 1, true, 0, 106);
	struct pstate_txn_done done;
	CU_ASSERT_TRUE(pstate_end_txn(back, &m, &done));
	CU_ASSERT_EQUAL(done.lso, 104);
	CU_ASSERT_EQUAL(pstate_first_unstable(back, 107), 104);
	free(snap);
	pstate_free(ps);
	pstate_free(back);
}

/* ---- Inside a partition log ------------------------------------------------------------------ */

/* A transactional batch of n records of producer pid (epoch 0, sequence seq). */
static int64_t txn_append(struct plog *l, int64_t pid, int32_t seq, int n, bool txn)
{
	struct tbatch b = make_batch(n, kb_wall_ms(), 0, 200);
	be64_put(b.p + RB_PRODUCER_ID, (uint64_t)pid);
	be16_put(b.p + RB_PRODUCER_EPOCH, 0);
	be32_put(b.p + RB_BASE_SEQUENCE, (uint32_t)seq);
	be16_put(b.p + RB_ATTRIBUTES, txn ? RB_ATTR_TRANSACTIONAL : 0);
	fix_crc(b.p, b.len);
	struct batch_info info;
	struct pstate_dup d;
	int64_t base = -1;
	CU_ASSERT_EQUAL_FATAL(batch_validate(b.p, b.len, 1 << 20, &info), KERR_NONE);
	CU_ASSERT_EQUAL(plog_producer_check(l, &info, &d), KERR_NONE);
	CU_ASSERT_EQUAL(plog_append(l, b.p, b.len, &info, 0, kb_wall_ms(), &base), KERR_NONE);
	free(b.p);
	return base;
}

static int64_t marker(struct plog *l, int64_t pid, bool commit, int32_t coord_epoch)
{
	uint8_t b[RB_MARKER_SIZE];
	CU_ASSERT_EQUAL(rb_marker_build(b, pid, 0, commit, coord_epoch, 1234), RB_MARKER_SIZE);
	struct batch_info info = {.records = 1, .last_offset_delta = 0, .max_timestamp = 1234,
	                          .base_timestamp = 1234, .attributes = 0x30, .producer_id = pid,
	                          .producer_epoch = 0, .base_sequence = -1, .size = sizeof(b)};
	/* Produce refuses control batches from clients: the validation says so. */
	struct batch_info v;
	CU_ASSERT_EQUAL(batch_validate(b, sizeof(b), 1 << 20, &v), KERR_INVALID_RECORD);
	CU_ASSERT_EQUAL(plog_marker_check(l, pid, 0, coord_epoch), KERR_NONE);
	int64_t base = -1;
	CU_ASSERT_EQUAL(plog_append(l, b, sizeof(b), &info, 0, kb_wall_ms(), &base), KERR_NONE);
	return base;
}

static void expect_entry(const uint8_t *p, int64_t pid, int64_t first, int64_t last, int64_t lso)
{
	CU_ASSERT_EQUAL(be16_get(p), 0);
	CU_ASSERT_EQUAL((int64_t)be64_get(p + 2), pid);
	CU_ASSERT_EQUAL((int64_t)be64_get(p + 10), first);
	CU_ASSERT_EQUAL((int64_t)be64_get(p + 18), last);
	CU_ASSERT_EQUAL((int64_t)be64_get(p + 26), lso);
}

/* The whole .txnindex of the segment based at base (malloc'ed; *len bytes). */
static uint8_t *read_txi(int64_t base, size_t *len)
{
	char path[256];
	seg_file(base, ".txnindex", path, sizeof(path));
	int64_t n = exists(path) ? file_size(path) : 0;
	*len = (size_t)n;
	uint8_t *buf = calloc(1, (size_t)n + 1);
	int fd = open(path, O_RDONLY);
	if (fd >= 0) {
		CU_ASSERT(pread(fd, buf, (size_t)n, 0) == n);
		close(fd);
	}
	return buf;
}

static size_t aborted(struct plog *l, int64_t from, int64_t upper, struct log_aborted *out,
                      size_t max)
{
	struct log_aborted *v;
	size_t n;
	CU_ASSERT_EQUAL_FATAL(plog_aborted_txns(l, from, upper, &v, &n), 0);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = v[i];
	free(v);
	return n;
}

/* The control batch, the LSO, the .txnindex bytes, the lookup, truncation and recovery. */
static void test_log_abort_commit(void)
{
	struct log_config c = small_cfg();
	c.segment_bytes = 1 << 20;
	struct plog *l = open_log(&c, 0, -1);
	int64_t a0 = txn_append(l, 1, 0, 3, true);   /* 0..2: A's transaction */
	int64_t b0 = txn_append(l, 2, 0, 3, false);  /* 3..5: B, idempotent, plain */
	int64_t c0 = txn_append(l, 3, 0, 2, true);   /* 6..7: C's transaction */
	CU_ASSERT_EQUAL(a0, 0);
	CU_ASSERT_EQUAL(b0, 3);
	CU_ASSERT_EQUAL(c0, 6);
	CU_ASSERT_EQUAL(plog_lso(l, plog_end_offset(l)), 0); /* A's open transaction holds it */
	CU_ASSERT_EQUAL(plog_lso(l, 2), 0);
	/* The marker: 78 bytes, attributes 0x30, a record of key (0, 0) and value (0, 7). */
	uint8_t mb[RB_MARKER_SIZE];
	rb_marker_build(mb, 1, 0, false, 7, 1234);
	bool commit = true;
	int32_t ce = -1;
	CU_ASSERT_TRUE(rb_marker_parse(mb, sizeof(mb), &commit, &ce));
	CU_ASSERT_FALSE(commit);
	CU_ASSERT_EQUAL(ce, 7);
	CU_ASSERT_EQUAL(be32_get(mb + RB_LENGTH), 66);
	CU_ASSERT_EQUAL(be16_get(mb + RB_ATTRIBUTES), 0x30);
	CU_ASSERT_EQUAL((int32_t)be32_get(mb + RB_BASE_SEQUENCE), -1);
	CU_ASSERT_EQUAL(be32_get(mb + RB_CRC), crc32c(0, mb + RB_ATTRIBUTES, 78 - RB_ATTRIBUTES));
	static const uint8_t rec[] = {0x20, 0, 0, 0, 0x08, 0, 0, 0, 0, 0x0c, 0, 0, 0, 0, 0, 7, 0};
	CU_ASSERT_EQUAL(memcmp(mb + 61, rec, sizeof(rec)), 0);
	/* ABORT of A at 8: entry (1, 0, 8, lso 6 = C's first offset). */
	CU_ASSERT_EQUAL(marker(l, 1, false, 7), 8);
	size_t len;
	uint8_t *f = read_txi(0, &len);
	CU_ASSERT_EQUAL_FATAL(len, 34);
	expect_entry(f, 1, 0, 8, 6);
	free(f);
	CU_ASSERT_EQUAL(plog_marker_check(l, 1, 0, 6), KERR_TRANSACTION_COORDINATOR_FENCED);
	CU_ASSERT_EQUAL(plog_marker_check(l, 1, -1, 7), KERR_INVALID_PRODUCER_EPOCH);
	CU_ASSERT_EQUAL(plog_lso(l, 8), 0); /* the marker is not below the HW yet */
	CU_ASSERT_EQUAL(plog_lso(l, 9), 6); /* now C's transaction holds it */
	struct log_aborted ab[16];
	CU_ASSERT_EQUAL(aborted(l, 0, 9, ab, 16), 1);
	CU_ASSERT_EQUAL(ab[0].producer_id, 1);
	CU_ASSERT_EQUAL(ab[0].first_offset, 0);
	CU_ASSERT_EQUAL(aborted(l, 9, 9, ab, 16), 0);   /* marker below the fetch offset */
	CU_ASSERT_EQUAL(aborted(l, 3, 6, ab, 16), 1);   /* overlaps the middle */
	/* COMMIT of C at 9: no index entry, LSO = HW once the marker is below it. */
	CU_ASSERT_EQUAL(marker(l, 3, true, 7), 9);
	f = read_txi(0, &len);
	CU_ASSERT_EQUAL(len, 34);
	free(f);
	CU_ASSERT_EQUAL(plog_lso(l, 9), 6);
	CU_ASSERT_EQUAL(plog_lso(l, 10), 10);
	/* A marker for a producer with no open transaction is appended and changes nothing. */
	CU_ASSERT_EQUAL(marker(l, 2, false, 7), 10);
	CU_ASSERT_EQUAL(plog_lso(l, 11), 11);
	f = read_txi(0, &len);
	CU_ASSERT_EQUAL(len, 34);
	free(f);
	/* A new transaction of A after its abort: a second entry, lso = its marker + 1. */
	CU_ASSERT_EQUAL(txn_append(l, 1, 3, 2, true), 11);
	CU_ASSERT_EQUAL(plog_lso(l, 13), 11);
	CU_ASSERT_EQUAL(marker(l, 1, false, 8), 13);
	CHECK_LOG(l);
	f = read_txi(0, &len);
	CU_ASSERT_EQUAL_FATAL(len, 68);
	expect_entry(f, 1, 0, 8, 6);
	expect_entry(f + 34, 1, 11, 13, 14);
	free(f);
	/* Truncation below the second abort reopens A's transaction and drops its entry. */
	CU_ASSERT_EQUAL(plog_truncate_to(l, 13), KERR_NONE);
	f = read_txi(0, &len);
	CU_ASSERT_EQUAL(len, 34);
	free(f);
	CU_ASSERT_EQUAL(plog_lso(l, 13), 11);
	CU_ASSERT_EQUAL(marker(l, 1, false, 8), 13);
	CU_ASSERT_EQUAL(plog_lso(l, 14), 14);
	CHECK_LOG(l);
	/* Crash, every batch unflushed (recovery point 0): the index is rebuilt the same. */
	int64_t leo = plog_end_offset(l);
	plog_discard(l);
	char path[256];
	seg_file(0, ".txnindex", path, sizeof(path));
	write_file(path, "garbage", 7, false);
	l = open_log(&c, 0, -1);
	f = read_txi(0, &len);
	CU_ASSERT_EQUAL_FATAL(len, 68);
	expect_entry(f, 1, 0, 8, 6);
	expect_entry(f + 34, 1, 11, 13, 14);
	free(f);
	CU_ASSERT_EQUAL(plog_end_offset(l), leo);
	CU_ASSERT_EQUAL(aborted(l, 0, leo, ab, 16), 2);
	/* An open transaction survives a crash too (rebuilt from the log) and a clean close
	 * (carried by the snapshot at the LEO). */
	CU_ASSERT_EQUAL(txn_append(l, 4, 0, 1, true), leo);
	CU_ASSERT_EQUAL(plog_lso(l, leo + 1), leo);
	plog_discard(l);
	l = open_log(&c, 0, -1);
	CU_ASSERT_EQUAL(plog_lso(l, leo + 1), leo);
	CU_ASSERT_EQUAL(pstate_find(plog_producers(l), 4)->txn_first, leo);
	flush_all(l);
	int64_t rp = plog_recovery_point(l);
	plog_close(l);
	l = open_log(&c, rp, -1);
	CU_ASSERT_EQUAL(plog_lso(l, leo + 1), leo);
	CU_ASSERT_EQUAL(aborted(l, 0, leo, ab, 16), 2);
	plog_close(l);
	/* A torn trailing entry (a crash mid-write) in a flushed segment: the whole entries are
	 * kept, the rest is cut off, and the log checks clean. */
	write_file(path, "\0\0\0\0\0", 5, true);
	CU_ASSERT_EQUAL(file_size(path), 68 + 5);
	l = open_log(&c, rp, -1);
	CU_ASSERT_EQUAL(file_size(path), 68);
	CU_ASSERT_EQUAL(aborted(l, 0, leo, ab, 16), 2);
	plog_close(l);
}

/* Ten aborted transactions over several segments: the lookup's stop rule, retention of a
 * segment, and a cleaning pass that merges segments keeping every entry. */
static void test_log_segments_and_cleaner(void)
{
	struct log_config c = small_cfg(); /* 4 KiB segments: ~5 batches each */
	struct plog *l = open_log(&c, 0, -1);
	int64_t first[10], last[10];
	for (int i = 0; i < 10; i++) {
		first[i] = txn_append(l, 10 + i, 0, 5, true);
		last[i] = marker(l, 10 + i, false, 0);
		flush_all(l);
	}
	CU_ASSERT_TRUE_FATAL(l->n >= 4);
	CHECK_LOG(l);
	/* Each entry's lso is its marker + 1 = the next transaction's first offset: a fetch of
	 * [0, first[5]) gets transactions 0-4 and stops at the 5th entry. */
	struct log_aborted ab[16];
	CU_ASSERT_EQUAL(aborted(l, 0, first[5], ab, 16), 5);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(ab[i].producer_id, 10 + i);
	CU_ASSERT_EQUAL(aborted(l, last[2], first[4], ab, 16), 2); /* 2 and 3 */
	CU_ASSERT_EQUAL(ab[0].producer_id, 12);
	CU_ASSERT_EQUAL(aborted(l, 0, plog_end_offset(l), ab, 16), 10);
	size_t files = 0, total = 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t len;
		uint8_t *f = read_txi(l->segs[i]->base, &len);
		files += len > 0;
		total += len;
		free(f);
	}
	CU_ASSERT_EQUAL(total, 10 * 34);
	CU_ASSERT_TRUE(files >= 3);
	/* Clean with 64 KiB groups: the non-active segments merge into one, which carries the
	 * entries of all of them (the swapped-out files go). */
	size_t nseg = l->n;
	struct log_config big = c;
	big.segment_bytes = 64 << 10;
	plog_set_config(l, &big);
	struct log_clean_params p = {.first_dirty = -1, .min_dirty_ratio = 0.5, .min_lag_ms = 0,
	                             .max_lag_ms = INT64_MAX, .delete_retention_ms = 60000,
	                             .map_bytes = 1 << 20, .map_load = 0.9, .now_ms = kb_wall_ms(), .hw = INT64_MAX,
	                             .force = true};
	struct log_clean_job *j = plog_clean_prepare(l, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	struct log_clean_stats st;
	CU_ASSERT_EQUAL_FATAL(plog_clean_complete(l, j, log_clean_run(j), &st), 0);
	CU_ASSERT_EQUAL(l->n, 2);
	CU_ASSERT_TRUE(nseg > 2);
	CHECK_LOG(l);
	CU_ASSERT_EQUAL(aborted(l, 0, plog_end_offset(l), ab, 16), 10);
	CU_ASSERT_EQUAL(aborted(l, 0, first[5], ab, 16), 5);
	size_t len;
	uint8_t *f = read_txi(0, &len);
	CU_ASSERT_EQUAL(len, l->segs[0]->xn * 34);
	CU_ASSERT_TRUE(l->segs[0]->xn >= 8);
	expect_entry(f, 10, first[0], last[0], first[1]);
	free(f);
	/* Reopened (flushed: trusted files) the entries are all there. */
	flush_all(l);
	int64_t rp = plog_recovery_point(l);
	plog_close(l);
	l = open_log(&c, rp, -1);
	CU_ASSERT_EQUAL(aborted(l, 0, plog_end_offset(l), ab, 16), 10);
	/* Retention of the first segment takes its .txnindex with it. */
	int64_t base1 = l->segs[1]->base;
	CU_ASSERT_EQUAL(plog_advance_start(l, base1), KERR_NONE);
	struct log_delete_job *dj = plog_retention_prepare(l, kb_wall_ms());
	CU_ASSERT_PTR_NOT_NULL_FATAL(dj);
	log_delete_run(dj);
	char path[256];
	seg_file(0, ".txnindex", path, sizeof(path));
	CU_ASSERT_FALSE(exists(path));
	CU_ASSERT_EQUAL(plog_lso(l, 0), base1); /* clamped to the log start */
	CHECK_LOG(l);
	plog_close(l);
}

/* One keyed record (value of vlen bytes) in a batch of producer pid (-1: none). */
static int64_t keyed(struct plog *l, const char *key, char fill, size_t vlen, int64_t pid,
                     bool txn)
{
	char v[1024];
	memset(v, fill, sizeof(v));
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	bp.producer_id = pid;
	bp.producer_epoch = pid >= 0 ? 0 : -1;
	bp.base_sequence = pid >= 0 ? 0 : -1;
	bp.attributes = txn ? RB_ATTR_TRANSACTIONAL : 0;
	struct rc_build_record r = {.offset_delta = 0, .timestamp = kb_wall_ms(),
	                            .key = (const uint8_t *)key, .key_len = (int32_t)strlen(key),
	                            .value = (const uint8_t *)v, .value_len = (int32_t)vlen};
	uint8_t *b;
	size_t len;
	struct batch_info info;
	int64_t base = -1;
	CU_ASSERT_FATAL(rc_batch_build(&bp, &r, 1, 0, 1 << 20, &b, &len) == RC_OK);
	CU_ASSERT_FATAL(batch_validate(b, len, 1 << 20, &info) == KERR_NONE);
	CU_ASSERT_EQUAL(plog_append(l, b, len, &info, 0, kb_wall_ms(), &base), KERR_NONE);
	free(b);
	return base;
}

/* An aborted transactional record of key K must not make the cleaner drop K's older committed
 * value (its key does not enter the map), and is itself removed (kept as an empty batch: it
 * is producer 60's last batch); plain later values still replace older ones. */
static void test_cleaner_aborted_keys(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	CU_ASSERT_EQUAL(keyed(l, "K", 'o', 100, -1, false), 0);     /* K = old, committed */
	CU_ASSERT_EQUAL(keyed(l, "J", 'o', 100, -1, false), 1);     /* J = old */
	CU_ASSERT_EQUAL(keyed(l, "K", 'a', 100, 60, true), 2);      /* K in a transaction */
	CU_ASSERT_EQUAL(marker(l, 60, false, 0), 3);                /* ... aborted */
	CU_ASSERT_EQUAL(keyed(l, "J", 'n', 100, -1, false), 4);     /* J = new */
	for (int i = 0; i < 12; i++) {                              /* more segments */
		char k[16];
		snprintf(k, sizeof(k), "F%d", i);
		keyed(l, k, 'f', 900, -1, false);
	}
	CU_ASSERT_TRUE_FATAL(l->n >= 3);
	struct log_clean_params p = {.first_dirty = -1, .min_dirty_ratio = 0.5, .min_lag_ms = 0,
	                             .max_lag_ms = INT64_MAX, .delete_retention_ms = 60000,
	                             .map_bytes = 1 << 20, .map_load = 0.9, .now_ms = kb_wall_ms(), .hw = INT64_MAX,
	                             .force = true};
	struct log_clean_job *j = plog_clean_prepare(l, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	struct log_clean_stats st;
	CU_ASSERT_EQUAL_FATAL(plog_clean_complete(l, j, log_clean_run(j), &st), 0);
	CHECK_LOG(l);
	struct log_read lr;
	CU_ASSERT_EQUAL(plog_read(l, 0, 1 << 20, true, plog_end_offset(l), &lr), KERR_NONE);
	CU_ASSERT_EQUAL(lr.first_offset, 0);                         /* K = old survived */
	log_segment_unref(lr.seg);
	CU_ASSERT_EQUAL(plog_read(l, 1, 1 << 20, true, plog_end_offset(l), &lr), KERR_NONE);
	CU_ASSERT_EQUAL(lr.first_offset, 2);                         /* J = old went */
	log_segment_unref(lr.seg);
	CU_ASSERT_EQUAL(st.records_removed, 2);                      /* J = old, aborted K */
	struct log_aborted ab[4];
	CU_ASSERT_EQUAL(aborted(l, 0, plog_end_offset(l), ab, 4), 1);
	plog_close(l);
}

void suite_txnindex(void)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown("txnindex", NULL, NULL, fixture_setup,
	                                                   fixture_teardown);
	CU_add_test(s, "state: open/complete, LSO, marker checks", test_state_rules);
	CU_add_test(s, "state: expiry spares open transactions, snapshots", test_state_expiry_and_snapshot);
	CU_add_test(s, "log: marker, .txnindex bytes, LSO, truncation, recovery", test_log_abort_commit);
	CU_add_test(s, "log: stop rule over segments, cleaner merge, retention",
	            test_log_segments_and_cleaner);
	CU_add_test(s, "cleaner: aborted keys never remove committed values",
	            test_cleaner_aborted_keys);
}

/* test_pstate.c — idempotent producer state (log/pstate.h, log/pstate_log.c): Kafka 3.9's
 * checks on a leader append (fact sheet §A4) on the pure structure, then the state inside a
 * real partition log: duplicates found after appends, snapshots written at rolls and close in
 * Kafka's format and read back, a corrupt snapshot ignored and the state rebuilt from the log,
 * truncation, expiry, and many producers. */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/kerr.h"
#include "coord/coord.h"
#include "log/pstate.h"
#include "log_harness.h"

void suite_pstate(void);

/* ---- The pure checks ------------------------------------------------------------------------ */

static struct pstate_append ap(int64_t pid, int16_t epoch, int32_t seq, int32_t n, int64_t off)
{
	return (struct pstate_append){.pid = pid, .epoch = epoch, .first_seq = seq,
	                              .last_seq = pstate_last_seq(seq, n - 1), .first_offset = off,
	                              .last_offset = off + n - 1, .max_ts = 1000 + off};
}

/* Checks a, and records it when accepted; returns the check's result. */
static int put(struct pstate *ps, struct pstate_append a)
{
	struct pstate_dup d;
	int rc = pstate_check(ps, &a, &d);
	if (rc == KERR_NONE)
		pstate_update(ps, &a);
	return rc;
}

static void test_sequence_rules(void)
{
	struct pstate *ps = pstate_new();
	struct pstate_dup d;
	/* Unknown producer: any sequence (KIP-360), any epoch. */
	CU_ASSERT_EQUAL(put(ps, ap(7, 3, 42, 5, 0)), KERR_NONE);
	/* In order: 47 follows 42..46. */
	CU_ASSERT_EQUAL(put(ps, ap(7, 3, 47, 1, 5)), KERR_NONE);
	/* A gap, and a sequence going back (not a cached batch). */
	struct pstate_append gap = ap(7, 3, 49, 1, 6), back = ap(7, 3, 40, 2, 6);
	CU_ASSERT_EQUAL(pstate_check(ps, &gap, &d), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	CU_ASSERT_EQUAL(pstate_check(ps, &back, &d), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	/* A stale epoch, even in sequence. */
	struct pstate_append stale = ap(7, 2, 48, 1, 6);
	CU_ASSERT_EQUAL(pstate_check(ps, &stale, &d), KERR_INVALID_PRODUCER_EPOCH);
	/* A new epoch must start at 0. */
	struct pstate_append bump5 = ap(7, 4, 5, 1, 6);
	CU_ASSERT_EQUAL(pstate_check(ps, &bump5, &d), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	CU_ASSERT_EQUAL(put(ps, ap(7, 4, 0, 2, 6)), KERR_NONE);
	/* The bump forgot the old epoch's batches: its retries are stale now. */
	struct pstate_append old = ap(7, 3, 47, 1, 5);
	CU_ASSERT_EQUAL(pstate_check(ps, &old, &d), KERR_INVALID_PRODUCER_EPOCH);
	const struct pstate_entry *e = pstate_find(ps, 7);
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e->epoch, 4);
	CU_ASSERT_EQUAL(e->n, 1);
	CU_ASSERT_EQUAL(pstate_entry_batch(e, 0)->last_seq, 1);
	/* Another producer is independent. */
	CU_ASSERT_EQUAL(put(ps, ap(8, 0, 0, 1, 8)), KERR_NONE);
	CU_ASSERT_EQUAL(pstate_count(ps), 2);
	pstate_free(ps);
}

static void test_wrap_around(void)
{
	struct pstate *ps = pstate_new();
	CU_ASSERT_EQUAL(pstate_last_seq(INT32_MAX - 1, 3), 1);
	CU_ASSERT_EQUAL(pstate_last_seq(INT32_MAX, 0), INT32_MAX);
	CU_ASSERT_EQUAL(put(ps, ap(1, 0, INT32_MAX - 2, 3, 0)), KERR_NONE); /* ..MAX */
	CU_ASSERT_EQUAL(put(ps, ap(1, 0, 0, 2, 3)), KERR_NONE);             /* wraps to 0 */
	CU_ASSERT_EQUAL(put(ps, ap(1, 0, 2, 1, 5)), KERR_NONE);
	/* A batch that itself wraps: MAX-1, MAX, 0, 1 — then 2 follows. */
	CU_ASSERT_EQUAL(put(ps, ap(2, 0, INT32_MAX - 1, 4, 6)), KERR_NONE);
	CU_ASSERT_EQUAL(put(ps, ap(2, 0, 3, 1, 10)), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	CU_ASSERT_EQUAL(put(ps, ap(2, 0, 2, 1, 10)), KERR_NONE);
	/* ... and its retry is found although its sequences wrap. */
	struct pstate_dup d;
	struct pstate_append retry = ap(2, 0, INT32_MAX - 1, 4, 99);
	CU_ASSERT_EQUAL(pstate_check(ps, &retry, &d), PSTATE_DUPLICATE);
	CU_ASSERT_EQUAL(d.first_offset, 6);
	CU_ASSERT_EQUAL(d.last_offset, 9);
	/* INT32_MAX is not followed by INT32_MAX + 1 in any other form than 0. */
	CU_ASSERT_EQUAL(put(ps, ap(3, 0, INT32_MAX, 1, 11)), KERR_NONE);
	CU_ASSERT_EQUAL(put(ps, ap(3, 0, 1, 1, 12)), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	pstate_free(ps);
}

static void test_duplicates_last_five(void)
{
	struct pstate *ps = pstate_new();
	/* Six batches of 3 records: sequences 0-2, 3-5, ..., 15-17 at offsets 100, 103, ... */
	for (int i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(put(ps, ap(5, 1, i * 3, 3, 100 + i * 3)), KERR_NONE);
	struct pstate_dup d;
	for (int i = 1; i < 6; i++) { /* each of the last five: the original offsets */
		struct pstate_append a = ap(5, 1, i * 3, 3, 999);
		a.max_ts = 1;
		CU_ASSERT_EQUAL(pstate_check(ps, &a, &d), PSTATE_DUPLICATE);
		CU_ASSERT_EQUAL(d.first_offset, 100 + i * 3);
		CU_ASSERT_EQUAL(d.last_offset, 102 + i * 3);
		CU_ASSERT_EQUAL(d.timestamp, 1000 + 100 + i * 3); /* the original batch's */
	}
	/* The sixth-oldest is not cached any more: out of order, not a duplicate. */
	struct pstate_append oldest = ap(5, 1, 0, 3, 999);
	CU_ASSERT_EQUAL(pstate_check(ps, &oldest, &d), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	/* Same first sequence, different length: not the same batch. */
	struct pstate_append other = ap(5, 1, 15, 2, 999);
	CU_ASSERT_EQUAL(pstate_check(ps, &other, &d), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	/* A duplicate under another epoch is judged by the epoch rules. */
	struct pstate_append newer = ap(5, 2, 15, 3, 999);
	CU_ASSERT_EQUAL(pstate_check(ps, &newer, &d), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	struct pstate_append older = ap(5, 0, 15, 3, 999);
	CU_ASSERT_EQUAL(pstate_check(ps, &older, &d), KERR_INVALID_PRODUCER_EPOCH);
	pstate_free(ps);
}

static void test_expiry_and_many(void)
{
	struct pstate *ps = pstate_new();
	enum { N = 10000 };
	for (int i = 0; i < N; i++) {
		struct pstate_append a = ap(1000 + i, 0, 0, 1, i);
		a.max_ts = i; /* producer i last wrote at time i */
		pstate_update(ps, &a);
	}
	CU_ASSERT_EQUAL(pstate_count(ps), N);
	/* At time N + 100 with a 5000 ms expiry: those with i <= N + 100 - 5000 go. */
	CU_ASSERT_EQUAL(pstate_expire(ps, N + 100, 5000), (size_t)(N + 100 - 5000 + 1));
	CU_ASSERT_EQUAL(pstate_count(ps), (size_t)(5000 - 101));
	for (int i = 0; i < N; i++) {
		const struct pstate_entry *e = pstate_find(ps, 1000 + i);
		if (i <= N + 100 - 5000) {
			CU_ASSERT_PTR_NULL(e);
		} else {
			CU_ASSERT_FATAL(e != NULL);
			CU_ASSERT_EQUAL(pstate_entry_batch(e, 0)->last_offset, i);
		}
	}
	/* Snapshot round trip of what is left, with the last batch of each producer. */
	size_t len;
	uint8_t *snap = pstate_snapshot_encode(ps, &len);
	CU_ASSERT_EQUAL(len, PSTATE_SNAP_HEADER + pstate_count(ps) * PSTATE_SNAP_ENTRY);
	struct pstate *back = pstate_new();
	CU_ASSERT_EQUAL(pstate_snapshot_decode(back, snap, len, 0, -1), 0);
	CU_ASSERT_EQUAL(pstate_count(back), pstate_count(ps));
	for (size_t k = 0; k < pstate_count(ps); k++) {
		const struct pstate_entry *a = pstate_at(ps, k);
		const struct pstate_entry *b = pstate_find(back, a->pid);
		CU_ASSERT_FATAL(b != NULL);
		CU_ASSERT_EQUAL(b->epoch, a->epoch);
		CU_ASSERT_EQUAL(b->last_ts, a->last_ts);
		CU_ASSERT_EQUAL(b->n, 1);
		CU_ASSERT_EQUAL(pstate_entry_batch(b, 0)->last_offset,
		                pstate_entry_batch(a, a->n - 1u)->last_offset);
	}
	/* Loading skips expired entries. */
	CU_ASSERT_EQUAL(pstate_snapshot_decode(back, snap, len, N + 200, 5000), 0);
	CU_ASSERT_EQUAL(pstate_count(back), (size_t)(5000 - 201));
	/* Any flipped byte after the CRC, a wrong version, a wrong length: corrupt. */
	snap[len - 1] ^= 1;
	CU_ASSERT_EQUAL(pstate_snapshot_decode(back, snap, len, 0, -1), -1);
	CU_ASSERT_EQUAL(pstate_count(back), 0);
	snap[len - 1] ^= 1;
	snap[1] = 2;
	CU_ASSERT_EQUAL(pstate_snapshot_decode(back, snap, len, 0, -1), -1);
	snap[1] = 1;
	CU_ASSERT_EQUAL(pstate_snapshot_decode(back, snap, len - 1, 0, -1), -1);
	CU_ASSERT_EQUAL(pstate_snapshot_decode(back, snap, len, 0, -1), 0);
	kb_free(snap);
	pstate_free(back);
	pstate_free(ps);
}

/* ---- Inside a partition log ------------------------------------------------------------------ */

/* An idempotent batch of n records (sequence seq, producer pid/epoch), timestamped now. */
static struct tbatch pbatch(int64_t pid, int16_t epoch, int32_t seq, int n)
{
	struct tbatch b = make_batch(n, kb_wall_ms(), 0, 200);
	be64_put(b.p + RB_PRODUCER_ID, (uint64_t)pid);
	be16_put(b.p + RB_PRODUCER_EPOCH, (uint16_t)epoch);
	be32_put(b.p + RB_BASE_SEQUENCE, (uint32_t)seq);
	fix_crc(b.p, b.len);
	return b;
}

/* What the leader does: check, then append unless rejected or a duplicate. Returns the check
 * result; *base gets the batch's (or the original's) base offset. */
static int produce(struct plog *l, int64_t pid, int16_t epoch, int32_t seq, int n, int64_t *base)
{
	struct tbatch b = pbatch(pid, epoch, seq, n);
	struct batch_info info;
	CU_ASSERT_EQUAL_FATAL(batch_validate(b.p, b.len, 1 << 20, &info), KERR_NONE);
	struct pstate_dup d;
	int rc = plog_producer_check(l, &info, &d);
	if (rc == PSTATE_DUPLICATE)
		*base = d.first_offset;
	else if (rc == KERR_NONE)
		CU_ASSERT_EQUAL(plog_append(l, b.p, b.len, &info, 0, kb_wall_ms(), base), KERR_NONE);
	free(b.p);
	return rc;
}

static int snapshots_in(int64_t *offs, int max)
{
	int n = 0;
	DIR *d = opendir(g_dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strlen(de->d_name) == 29 && strcmp(de->d_name + 20, ".snapshot") == 0 && n < max)
			offs[n++] = strtoll(de->d_name, NULL, 10);
	if (d)
		closedir(d);
	return n;
}

static void test_log_duplicates_and_close(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	int64_t base, b1, b2;
	CU_ASSERT_EQUAL(produce(l, 11, 0, 0, 4, &b1), KERR_NONE);
	CU_ASSERT_EQUAL(produce(l, 11, 0, 4, 4, &b2), KERR_NONE);
	int64_t leo = plog_end_offset(l);
	/* Retries: original offsets, nothing appended. */
	CU_ASSERT_EQUAL(produce(l, 11, 0, 0, 4, &base), PSTATE_DUPLICATE);
	CU_ASSERT_EQUAL(base, b1);
	CU_ASSERT_EQUAL(produce(l, 11, 0, 4, 4, &base), PSTATE_DUPLICATE);
	CU_ASSERT_EQUAL(base, b2);
	CU_ASSERT_EQUAL(plog_end_offset(l), leo);
	CU_ASSERT_EQUAL(produce(l, 11, 0, 9, 1, &base), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	CU_ASSERT_EQUAL(plog_end_offset(l), leo);
	/* Clean close: a snapshot at the LEO; reopening finds the last batch only (§0 trap 2). */
	flush_all(l);
	plog_close(l);
	char path[256];
	snprintf(path, sizeof(path), "%s/%020" PRId64 ".snapshot", g_dir, leo);
	CU_ASSERT_TRUE(exists(path));
	CU_ASSERT_EQUAL(file_size(path), PSTATE_SNAP_HEADER + PSTATE_SNAP_ENTRY);
	l = open_log(&c, leo, -1);
	CU_ASSERT_EQUAL(produce(l, 11, 0, 4, 4, &base), PSTATE_DUPLICATE);
	CU_ASSERT_EQUAL(base, b2);
	CU_ASSERT_EQUAL(produce(l, 11, 0, 0, 4, &base), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	CU_ASSERT_EQUAL(produce(l, 11, 0, 8, 1, &base), KERR_NONE);
	plog_close(l);
}

/* Rolls write snapshots at segment bases through the flush job; after a crash (no close) the
 * newest is loaded and the rest replayed; a corrupt one is deleted and the state rebuilt. */
static void test_log_snapshots_crash_and_corruption(void)
{
	struct log_config c = small_cfg(); /* 4 KiB segments: a batch of 4 x 200 B fills ~1/4 */
	struct plog *l = open_log(&c, 0, -1);
	int64_t base, bases[40];
	for (int i = 0; i < 40; i++) { /* the broker flushes after every roll */
		CU_ASSERT_EQUAL(produce(l, 100 + i % 4, 0, (i / 4) * 4, 4, &bases[i]), KERR_NONE);
		flush_all(l);
	}
	CU_ASSERT_TRUE(l->n >= 5);
	flush_all(l);
	int64_t snaps[64];
	int ns = snapshots_in(snaps, 64);
	CU_ASSERT_TRUE(ns >= 3);
	for (int k = 0; k < ns; k++) { /* every snapshot is at a segment base */
		size_t i = plog_floor_index(l, snaps[k]);
		CU_ASSERT_EQUAL(l->segs[i]->base, snaps[k]);
	}
	int64_t leo = plog_end_offset(l), rp = plog_recovery_point(l);
	plog_discard(l); /* a crash: no close snapshot */
	l = open_log(&c, rp, -1);
	for (int p = 0; p < 4; p++) { /* each producer's last batch is recognised */
		CU_ASSERT_EQUAL(produce(l, 100 + p, 0, 36, 4, &base), PSTATE_DUPLICATE);
		CU_ASSERT_EQUAL(base, bases[36 + p]);
	}
	CU_ASSERT_EQUAL(plog_end_offset(l), leo);
	plog_discard(l);
	/* Corrupt every snapshot: all are dropped, the whole log is replayed, same answers. */
	ns = snapshots_in(snaps, 64);
	for (int k = 0; k < ns; k++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%020" PRId64 ".snapshot", g_dir, snaps[k]);
		flip_byte(path, file_size(path) - 1);
	}
	l = open_log(&c, rp, -1);
	CU_ASSERT_EQUAL(snapshots_in(snaps, 64), 0);
	for (int p = 0; p < 4; p++) { /* the full replay keeps 5 batches per producer */
		CU_ASSERT_EQUAL(produce(l, 100 + p, 0, 32, 4, &base), PSTATE_DUPLICATE);
		CU_ASSERT_EQUAL(base, bases[32 + p]);
		CU_ASSERT_EQUAL(produce(l, 100 + p, 0, 44, 4, &base), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	}
	plog_close(l);
}

static void test_log_truncation_and_replica(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	int64_t base, b[12];
	for (int i = 0; i < 12; i++)
		CU_ASSERT_EQUAL(produce(l, 9, 2, i * 4, 4, &b[i]), KERR_NONE);
	flush_all(l);
	plog_close(l); /* a snapshot at the LEO, which truncation must not trust */
	l = open_log(&c, b[11] + 4, -1);
	/* Truncate away the last 5 batches: the state is as after batch 6. */
	CU_ASSERT_EQUAL(plog_truncate_to(l, b[7]), KERR_NONE);
	CU_ASSERT_EQUAL(plog_end_offset(l), b[7]);
	CU_ASSERT_EQUAL(produce(l, 9, 2, 6 * 4, 4, &base), PSTATE_DUPLICATE);
	CU_ASSERT_EQUAL(base, b[6]);
	CU_ASSERT_EQUAL(produce(l, 9, 2, 11 * 4, 4, &base), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	CU_ASSERT_EQUAL(produce(l, 9, 2, 7 * 4, 4, &base), KERR_NONE); /* it may be written again */
	CU_ASSERT_EQUAL(base, b[7]);
	/* A replica append records producers without checks, from the batches' own offsets. */
	struct tbatch rb = pbatch(77, 0, 500, 3);
	be64_put(rb.p + RB_BASE_OFFSET, (uint64_t)plog_end_offset(l));
	int64_t rbase = plog_end_offset(l);
	CU_ASSERT_EQUAL(plog_append_replica(l, rb.p, rb.len, kb_wall_ms(), NULL), KERR_NONE);
	free(rb.p);
	CU_ASSERT_EQUAL(produce(l, 77, 0, 500, 3, &base), PSTATE_DUPLICATE);
	CU_ASSERT_EQUAL(base, rbase);
	/* Truncating fully forgets every producer and every snapshot. */
	CU_ASSERT_EQUAL(plog_truncate_fully(l, 1000), KERR_NONE);
	int64_t snaps[8];
	CU_ASSERT_EQUAL(snapshots_in(snaps, 8), 0);
	CU_ASSERT_EQUAL(pstate_count(plog_producers(l)), 0);
	CU_ASSERT_EQUAL(produce(l, 9, 2, 77, 1, &base), KERR_NONE); /* unknown again: any seq */
	plog_close(l);
}

/* A flush job carrying a roll's snapshot completes after a truncation: the snapshot it wrote
 * describes data that is gone and must not stay behind. */
static void test_log_truncation_during_flush(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	int64_t base, first = -1;
	int i = 0;
	while (l->n < 2) { /* up to the first roll: a snapshot is pending at the new base */
		CU_ASSERT_EQUAL_FATAL(produce(l, 5, 0, i * 4, 4, &base), KERR_NONE);
		if (first < 0)
			first = base;
		i++;
	}
	CU_ASSERT_TRUE(plog_snapshot_pending(l));
	int64_t roll = plog_active_base(l);
	struct log_flush_job *j = plog_flush_prepare(l);
	CU_ASSERT_FATAL(j != NULL);
	CU_ASSERT_EQUAL(plog_truncate_to(l, first + 4), KERR_NONE); /* below the roll */
	CU_ASSERT_EQUAL(log_flush_run(j), 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/%020" PRId64 ".snapshot", g_dir, roll);
	CU_ASSERT_TRUE(exists(path)); /* the job wrote it... */
	plog_flush_complete(l, j, 0);
	CU_ASSERT_FALSE(exists(path)); /* ...and completion removed it */
	CU_ASSERT_EQUAL(produce(l, 5, 0, 4, 4, &base), KERR_NONE); /* state as after batch 0 */
	CU_ASSERT_EQUAL(base, first + 4);
	plog_close(l);
}

static void test_log_expiry(void)
{
	struct log_config c = small_cfg();
	c.producer_id_expiration_ms = 60000;
	struct plog *l = open_log(&c, 0, -1);
	int64_t base;
	CU_ASSERT_EQUAL(produce(l, 1, 0, 0, 1, &base), KERR_NONE);
	CU_ASSERT_EQUAL(plog_expire_producers(l, kb_wall_ms()), 0);
	CU_ASSERT_EQUAL(plog_expire_producers(l, kb_wall_ms() + 60000), 1);
	/* Forgotten: its next batch is accepted at any sequence; the retry is not recognised. */
	CU_ASSERT_EQUAL(produce(l, 1, 0, 0, 1, &base), KERR_NONE);
	CU_ASSERT_EQUAL(plog_end_offset(l), 2);
	plog_close(l);
}

/* /latest_producer_id_block: Kafka's JSON (bounds as strings), what Kafka writes read back. */
static void test_pid_block_json(void)
{
	char *j = pid_block_encode(3, 1000, 1999);
	CU_ASSERT_STRING_EQUAL(j, "{\"version\":1,\"broker\":3,\"block_start\":\"1000\","
	                          "\"block_end\":\"1999\"}");
	int64_t end = 0;
	CU_ASSERT_EQUAL(pid_block_decode(j, strlen(j), &end), 0);
	CU_ASSERT_EQUAL(end, 1999);
	kb_free(j);
	CU_ASSERT_EQUAL(pid_block_decode("", 0, &end), 0); /* created empty: no block yet */
	CU_ASSERT_EQUAL(end, -1);
	const char *num = "{\"version\":1,\"broker\":0,\"block_start\":0,\"block_end\":999}";
	CU_ASSERT_EQUAL(pid_block_decode(num, strlen(num), &end), 0);
	CU_ASSERT_EQUAL(end, 999);
	const char *bad[] = {"{", "[]", "{\"block_end\":\"12x\"}", "{\"block_end\":-5}",
	                     "{\"version\":1}", "null"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++)
		CU_ASSERT_EQUAL(pid_block_decode(bad[i], strlen(bad[i]), &end), -1);
}

void suite_pstate(void)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown("pstate", NULL, NULL, fixture_setup,
	                                                    fixture_teardown);
	CU_add_test(s, "sequence and epoch rules, unknown producer", test_sequence_rules);
	CU_add_test(s, "sequence wrap-around at INT32_MAX", test_wrap_around);
	CU_add_test(s, "duplicates of the last 5 batches, not the 6th", test_duplicates_last_five);
	CU_add_test(s, "expiry, 10,000 producers, snapshot encoding", test_expiry_and_many);
	CU_add_test(s, "log: duplicates, snapshot at close", test_log_duplicates_and_close);
	CU_add_test(s, "log: roll snapshots, crash, corrupt snapshots",
	            test_log_snapshots_crash_and_corruption);
	CU_add_test(s, "log: truncation, replica appends", test_log_truncation_and_replica);
	CU_add_test(s, "log: truncation while a snapshot is being written",
	            test_log_truncation_during_flush);
	CU_add_test(s, "log: expiry", test_log_expiry);
	CU_add_test(s, "producer-id block JSON", test_pid_block_json);
}

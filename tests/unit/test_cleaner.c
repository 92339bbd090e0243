/* test_cleaner.c — log compaction (log/cleaner.c) on real segment files.
 *
 * Every test writes keyed records through plog_append into small segments, remembers what
 * each offset held (g_orig), cleans, and then reads every segment file back batch by batch:
 * each surviving record must be the very record written at its offset, and the set of
 * survivors must be exactly what the rules say (the latest record of each key below the
 * cleaned end, tombstones until a pass at or after their batch's delete horizon (KIP-534:
 * stamped by the first pass that keeps them, at its start + delete.retention.ms), everything
 * at or above the end). plog_check runs after every step and after reopening. */
#include "log_harness.h"

#include "log/records.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOW 1700000000000LL
#define RETENTION 60000
#define MAXREC 20000

struct orig {
	int key;    /* -1: none written at this offset */
	int val;    /* -1: tombstone */
	int64_t ts;
};
static struct orig g_orig[MAXREC];
static int64_t g_n; /* offsets written */
static int g_seq;

static void reset_model(void)
{
	for (int i = 0; i < MAXREC; i++)
		g_orig[i].key = -1;
	g_n = 0;
	g_seq = 0;
}

/* One batch of n records (key keys[i], a fresh value or a tombstone when tomb[i]). */
static void append_kv(struct plog *l, const int *keys, const bool *tomb, int n, int codec,
                      int64_t ts)
{
	char kb[64][16], vb[64][48];
	struct rc_build_record r[64];
	struct rc_batch_params bp;
	struct batch_info info;
	uint8_t *b;
	size_t len;
	int64_t base;

	CU_ASSERT_FATAL(n <= 64 && g_n + n < MAXREC);
	rc_batch_params_default(&bp);
	for (int i = 0; i < n; i++) {
		int v = tomb && tomb[i] ? -1 : g_seq++;
		snprintf(kb[i], sizeof(kb[i]), "k%05d", keys[i]);
		snprintf(vb[i], sizeof(vb[i]), "v%07d-xxxxxxxxxxxxxxxxxxxxxxxx", v);
		r[i] = (struct rc_build_record){.offset_delta = i, .timestamp = ts,
		                                .key = (const uint8_t *)kb[i], .key_len = 6,
		                                .value = (const uint8_t *)vb[i],
		                                .value_len = v < 0 ? -1 : (int32_t)strlen(vb[i])};
		g_orig[g_n + i] = (struct orig){keys[i], v, ts};
	}
	CU_ASSERT_FATAL(rc_batch_build(&bp, r, n, codec, 1 << 20, &b, &len) == RC_OK);
	CU_ASSERT_FATAL(batch_validate(b, len, 1 << 20, &info) == KERR_NONE);
	CU_ASSERT_FATAL(plog_append(l, b, len, &info, 0, NOW, &base) == KERR_NONE);
	CU_ASSERT_EQUAL(base, g_n);
	g_n += n;
	free(b);
}

/* `batches` batches of 5 records over keys [0, nkeys), in a fixed pseudo-random order. */
static void fill_from(struct plog *l, int batches, int key0, int nkeys, int codec, int64_t ts)
{
	static uint32_t rnd = 12345;
	for (int b = 0; b < batches; b++) {
		int keys[5];
		for (int i = 0; i < 5; i++) {
			rnd = rnd * 1103515245u + 12345u;
			keys[i] = key0 + (int)((rnd >> 8) % (uint32_t)nkeys);
		}
		append_kv(l, keys, NULL, 5, codec, ts);
	}
}

static void fill(struct plog *l, int batches, int nkeys, int codec, int64_t ts)
{
	fill_from(l, batches, 0, nkeys, codec, ts);
}

struct seen {
	int64_t off[MAXREC];
	int64_t n;
	int empty_batches;
	int codecs; /* bit per codec of non-empty batches */
	int stamped;         /* batches with a delete horizon (attribute 0x40) */
	int64_t horizon;     /* the last one's */
};
static struct seen g_seen;

/* Reads every batch of every segment file; each record must be the one written there. */
static void read_back(struct plog *l)
{
	int64_t prev = -1;
	g_seen.n = 0;
	g_seen.empty_batches = 0;
	g_seen.codecs = 0;
	g_seen.stamped = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct log_segment *s = l->segs[i];
		uint8_t *buf = malloc((size_t)s->size + 1);
		CU_ASSERT_FATAL(pread(s->fd, buf, (size_t)s->size, 0) == s->size);
		for (int64_t pos = 0; pos < s->size;) {
			struct rc_iter it;
			struct rc_record r;
			CU_ASSERT_FATAL(rc_iter_init(&it, buf + pos, (size_t)(s->size - pos), 1 << 24) ==
			                RC_OK);
			if (it.count == 0)
				g_seen.empty_batches++;
			else
				g_seen.codecs |= 1 << (it.attributes & 7);
			if (it.attributes & RB_ATTR_DELETE_HORIZON) {
				g_seen.stamped++;
				g_seen.horizon = (int64_t)be64_get(buf + pos + RB_BASE_TIMESTAMP);
			}
			int rc;
			while ((rc = rc_iter_next(&it, &r)) == 1) {
				char k[16], v[48];
				CU_ASSERT_FATAL(r.offset > prev && r.offset < g_n);
				prev = r.offset;
				struct orig *o = &g_orig[r.offset];
				snprintf(k, sizeof(k), "k%05d", o->key);
				CU_ASSERT(r.key_len == 6 && memcmp(r.key, k, 6) == 0);
				CU_ASSERT_EQUAL(r.timestamp, o->ts); /* a stamped horizon moves none */
				if (o->val < 0) {
					CU_ASSERT_EQUAL(r.value_len, -1);
				} else {
					snprintf(v, sizeof(v), "v%07d-", o->val);
					CU_ASSERT(r.value_len > 9 && memcmp(r.value, v, 9) == 0);
				}
				g_seen.off[g_seen.n++] = r.offset;
			}
			CU_ASSERT_EQUAL(rc, 0);
			pos += (int64_t)be32_get(buf + pos + RB_LENGTH) + RB_LOG_OVERHEAD;
			rc_iter_free(&it);
		}
		free(buf);
	}
}

/* Whether offset o survives a clean of everything below `end` (see the file comment). */
/* Set once a pass ran at or after the tombstones' delete horizon (test_tombstones). */
static bool g_tombs_expired;

static bool expected(int64_t o, int64_t end, int64_t now)
{
	KB_UNUSED(now);
	if (o >= end)
		return true;
	for (int64_t k = o + 1; k < end; k++)
		if (g_orig[k].key == g_orig[o].key)
			return false;
	return g_orig[o].val >= 0 || !g_tombs_expired;
}

/* The log holds exactly the survivors of a clean below `end`. */
static void expect_exact(struct plog *l, int64_t end)
{
	int64_t j = 0;
	read_back(l);
	for (int64_t o = 0; o < g_n; o++) {
		if (!expected(o, end, NOW))
			continue;
		CU_ASSERT_FATAL(j < g_seen.n);
		if (g_seen.off[j] != o)
			fprintf(stderr, "\nexpected offset %" PRId64 ", found %" PRId64 "\n", o,
			        g_seen.off[j]);
		CU_ASSERT_FATAL(g_seen.off[j] == o);
		j++;
	}
	CU_ASSERT_EQUAL(j, g_seen.n);
}

static struct log_clean_params params(int64_t map_bytes);
#define P1M (*(struct log_clean_params[]){params(1 << 20)})
static struct log_clean_params params(int64_t map_bytes)
{
	return (struct log_clean_params){
		.first_dirty = -1, .min_dirty_ratio = 0.5, .min_lag_ms = 0, .max_lag_ms = INT64_MAX,
		.delete_retention_ms = RETENTION, .map_bytes = map_bytes, .map_load = 0.9,
		.io_bytes_per_sec = 0, .now_ms = NOW, .hw = INT64_MAX, .force = true};
}

/* One whole pass; returns its end offset (-1 when there was nothing to do). */
static int64_t clean_once(struct plog *l, const struct log_clean_params *p)
{
	struct log_clean_stats st;
	struct log_clean_job *j = plog_clean_prepare(l, p);
	if (!j)
		return -1;
	CU_ASSERT_EQUAL_FATAL(plog_clean_complete(l, j, log_clean_run(j), &st), 0);
	CHECK_LOG(l);
	CU_ASSERT(st.bytes_after <= st.bytes_before);
	return st.end_offset;
}

static struct plog *reopen(struct plog *l, const struct log_config *c)
{
	int64_t rp = plog_recovery_point(l);
	plog_close(l);
	return open_log(c, rp, -1);
}

static void test_basic(void)
{
	struct log_config c = small_cfg();
	reset_model();
	struct plog *l = open_log(&c, 0, -1);
	fill(l, 200, 20, RC_CODEC_NONE, NOW);
	flush_all(l);
	int64_t before = plog_size_bytes(l), leo = plog_end_offset(l);
	int64_t active = plog_active_base(l);
	CU_ASSERT(l->n > 5);
	struct log_clean_params p0 = params(1 << 20);
	int64_t end = clean_once(l, &p0);
	CU_ASSERT_EQUAL(end, active);
	CU_ASSERT_EQUAL(plog_end_offset(l), leo);
	CU_ASSERT(plog_size_bytes(l) < before / 2);
	expect_exact(l, end);
	/* A read from an offset that was removed starts at the next surviving batch. */
	struct log_read rd;
	CU_ASSERT_EQUAL(plog_read(l, 1, 1 << 20, true, leo, &rd), KERR_NONE);
	CU_ASSERT(rd.len > 0 && rd.first_offset >= 1);
	log_segment_unref(rd.seg);
	l = reopen(l, &c);
	expect_exact(l, end);
	/* Nothing dirty left below the active segment: no second pass. */
	struct log_clean_params p = params(1 << 20);
	p.first_dirty = end;
	CU_ASSERT_EQUAL(clean_once(l, &p), -1);
	plog_close(l);
}

static void test_groups_and_ratio(void)
{
	struct log_config c = small_cfg();
	reset_model();
	struct plog *l = open_log(&c, 0, -1);
	fill(l, 200, 20, RC_CODEC_NONE, NOW);
	flush_all(l);
	size_t nseg = l->n;
	struct log_clean_params p = params(1 << 20);
	p.force = false;
	p.min_dirty_ratio = 0.99;
	p.first_dirty = 100; /* a little clean part: ratio below 0.99 */
	CU_ASSERT_PTR_NULL(plog_clean_prepare(l, &p));
	p.first_dirty = -1;
	c.segment_bytes = 3 * 4096; /* groups of up to three old segments */
	plog_set_config(l, &c);
	int64_t end = clean_once(l, &p);
	CU_ASSERT(end > 0);
	CU_ASSERT(l->n < nseg - 2);
	expect_exact(l, end);
	l = reopen(l, &c);
	expect_exact(l, end);
	plog_close(l);
}

static void test_compressed(void)
{
	for (int codec = 1; codec <= 4; codec++) {
		struct log_config c = small_cfg();
		reset_model();
		rm_tree(g_dir);
		struct plog *l = open_log(&c, 0, -1);
		fill(l, 300, 20, codec, NOW);
		flush_all(l);
		struct log_clean_params p = params(1 << 20);
		int64_t end = clean_once(l, &p);
		CU_ASSERT(end > 0);
		expect_exact(l, end);
		CU_ASSERT_EQUAL(g_seen.codecs, 1 << codec); /* rebuilt with the same codec */
		l = reopen(l, &c);
		expect_exact(l, end);
		plog_close(l);
	}
}

/* Batches whose records all go are dropped, except a group's last one (kept empty). */
static void test_empty_batches(void)
{
	struct log_config c = small_cfg();
	reset_model();
	struct plog *l = open_log(&c, 0, -1);
	fill(l, 100, 3, RC_CODEC_NONE, NOW); /* 3 keys: nearly every batch goes */
	flush_all(l);
	size_t nseg = l->n;
	struct log_clean_params p0 = params(1 << 20);
	int64_t end = clean_once(l, &p0);
	expect_exact(l, end);
	CU_ASSERT(g_seen.empty_batches >= 1);
	CU_ASSERT(g_seen.empty_batches <= (int)nseg);
	CU_ASSERT_EQUAL(l->n, nseg); /* one new segment per old one (4 KiB groups) */
	/* A read never starts with a segment's empty tail batch: it goes on to the next one. */
	for (int64_t o = 0; o < plog_active_base(l); o += 7) {
		struct log_read rd;
		uint8_t h[RB_HEADER_SIZE];
		CU_ASSERT_EQUAL_FATAL(plog_read(l, o, 1 << 20, true, g_n, &rd), KERR_NONE);
		CU_ASSERT_FATAL(rd.len >= RB_HEADER_SIZE);
		CU_ASSERT(pread(rd.fd, h, sizeof(h), rd.pos) == (ssize_t)sizeof(h));
		CU_ASSERT(be32_get(h + RB_RECORDS_COUNT) > 0);
		log_segment_unref(rd.seg);
	}
	l = reopen(l, &c);
	expect_exact(l, end);
	plog_close(l);
}

/* The tombstones found in the log, and whether every record of keys 0-9 below tomb_at is
 * gone (their older values). */
static int count_tombstones(int64_t tomb_at)
{
	int n = 0;
	for (int64_t i = 0; i < g_seen.n; i++) {
		int64_t o = g_seen.off[i];
		n += g_orig[o].val < 0;
		CU_ASSERT(g_orig[o].key >= 10 || o >= tomb_at);
	}
	return n;
}

/* KIP-534: a tombstone's age is not its timestamp (here one written 2 x delete.retention.ms
 * in the past): the first pass keeps it and stamps its batch's delete horizon (pass start +
 * delete.retention.ms); passes before the horizon keep it; the first pass at the horizon
 * removes it. */
static void test_tombstones(void)
{
	struct log_config c = small_cfg();
	reset_model();
	g_tombs_expired = false;
	struct plog *l = open_log(&c, 0, -1);
	int keys[10];
	bool tomb[10];
	for (int i = 0; i < 10; i++)
		keys[i] = i, tomb[i] = true;
	fill(l, 20, 10, RC_CODEC_NONE, NOW - 10 * RETENTION);
	append_kv(l, keys, tomb, 5, RC_CODEC_NONE, NOW - 2 * RETENTION); /* old timestamps */
	append_kv(l, keys + 5, tomb + 5, 5, RC_CODEC_NONE, NOW - RETENTION / 2);
	int64_t tomb_at = g_n - 10;
	fill_from(l, 40, 10, 100, RC_CODEC_NONE, NOW); /* other keys: rolls past the tombstones */
	flush_all(l);
	int64_t end = clean_once(l, &P1M);
	CU_ASSERT(end > tomb_at + 10);
	expect_exact(l, end);
	CU_ASSERT_EQUAL(count_tombstones(tomb_at), 10);
	/* Stamped: attribute 0x40, baseTimestamp = NOW + RETENTION, on both tombstone batches. */
	CU_ASSERT_EQUAL(g_seen.stamped, 2);
	CU_ASSERT_EQUAL(g_seen.horizon, NOW + RETENTION);
	/* Just before the horizon: kept. At it: gone. */
	struct log_clean_params p = params(1 << 20);
	p.now_ms = NOW + RETENTION - 1;
	CU_ASSERT(clean_once(l, &p) >= end);
	expect_exact(l, end);
	CU_ASSERT_EQUAL(count_tombstones(tomb_at), 10);
	p.now_ms = NOW + RETENTION;
	CU_ASSERT(clean_once(l, &p) >= end);
	g_tombs_expired = true;
	expect_exact(l, end);
	CU_ASSERT_EQUAL(count_tombstones(tomb_at), 0);
	l = reopen(l, &c);
	expect_exact(l, end);
	plog_close(l);
}

/* A key map of 57 keys over 200 keys: several passes, each resuming at the last one's end. */
static void test_small_map(void)
{
	struct log_config c = small_cfg();
	reset_model();
	struct plog *l = open_log(&c, 0, -1);
	fill(l, 300, 200, RC_CODEC_NONE, NOW);
	flush_all(l);
	int64_t active = plog_active_base(l), end = -1;
	/* A map that cannot hold one batch (5 records) refuses to clean and changes nothing. */
	struct log_clean_params p = params(4 * 24);
	struct log_clean_stats st;
	struct log_clean_job *j = plog_clean_prepare(l, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(plog_clean_complete(l, j, log_clean_run(j), &st), -1);
	expect_exact(l, 0);
	p = params(64 * 24);
	int passes = 0;
	while (end < active) {
		int64_t e = clean_once(l, &p);
		CU_ASSERT_FATAL(e > end && passes < 100);
		end = e;
		p.first_dirty = end;
		passes++;
	}
	CU_ASSERT(passes >= 3);
	expect_exact(l, active);
	l = reopen(l, &c);
	expect_exact(l, active);
	plog_close(l);
}

/* A truncation while the pass ran: the pass is dropped, its files removed. */
static void test_log_changed(void)
{
	struct log_config c = small_cfg();
	reset_model();
	struct plog *l = open_log(&c, 0, -1);
	fill(l, 100, 20, RC_CODEC_NONE, NOW);
	flush_all(l);
	struct log_clean_stats st;
	struct log_clean_job *j = plog_clean_prepare(l, &P1M);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(log_clean_run(j), 0);
	char p[256];
	seg_file(0, ".log.cleaned", p, sizeof(p));
	CU_ASSERT(exists(p));
	CU_ASSERT_EQUAL(plog_truncate_to(l, 60), KERR_NONE);
	g_n = 60;
	CU_ASSERT_EQUAL(plog_clean_complete(l, j, 0, &st), -1);
	CU_ASSERT(!exists(p));
	CHECK_LOG(l);
	expect_exact(l, 0);
	plog_close(l);
}

/* A reader holding an old segment keeps reading it after the swap. */
static void test_reader_keeps_old(void)
{
	struct log_config c = small_cfg();
	reset_model();
	struct plog *l = open_log(&c, 0, -1);
	fill(l, 100, 20, RC_CODEC_NONE, NOW);
	flush_all(l);
	struct log_read rd;
	CU_ASSERT_EQUAL(plog_read(l, 0, 1 << 20, true, g_n, &rd), KERR_NONE);
	uint8_t *before = malloc(rd.len), *after = malloc(rd.len);
	CU_ASSERT(pread(rd.fd, before, rd.len, rd.pos) == (ssize_t)rd.len);
	CU_ASSERT(clean_once(l, &P1M) > 0);
	struct log_delete_job *dj = plog_retention_prepare(l, NOW); /* unlinks the old files */
	CU_ASSERT_PTR_NOT_NULL(dj);
	if (dj)
		log_delete_run(dj);
	CU_ASSERT(pread(rd.fd, after, rd.len, rd.pos) == (ssize_t)rd.len);
	CU_ASSERT(memcmp(before, after, rd.len) == 0);
	log_segment_unref(rd.seg);
	free(before);
	free(after);
	expect_exact(l, plog_active_base(l));
	plog_close(l);
}

/* A crash at each step of the swap (a forked child dies there): the reopened log is either
 * the old one or the cleaned one, group by group, and a later pass finishes the job. */
static void test_crash_steps(void)
{
	for (int step = LOG_CLEAN_CRASH_RUN; step <= LOG_CLEAN_CRASH_FINAL; step++) {
		struct log_config c = small_cfg();
		reset_model();
		rm_tree(g_dir);
		struct plog *l = open_log(&c, 0, -1);
		fill(l, 150, 20, RC_CODEC_NONE, NOW);
		flush_all(l);
		c.segment_bytes = 3 * 4096;
		plog_set_config(l, &c);
		int64_t size0 = plog_size_bytes(l), rp = plog_recovery_point(l);
		int64_t active = plog_active_base(l);
		fflush(NULL);
		pid_t pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			struct log_clean_stats st;
			log_debug_clean_crash_at = step;
			struct log_clean_job *j = plog_clean_prepare(l, &P1M);
			if (j)
				plog_clean_complete(l, j, log_clean_run(j), &st);
			_exit(0);
		}
		int status;
		CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
		CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 99);
		plog_discard(l); /* the parent's view is stale: drop it without touching files */
		l = open_log(&c, rp, -1);
		if (step == LOG_CLEAN_CRASH_RUN)
			CU_ASSERT_EQUAL(plog_size_bytes(l), size0);
		if (step >= LOG_CLEAN_CRASH_SWAP)
			CU_ASSERT(plog_size_bytes(l) < size0);
		/* Every record is the one written there; the latest of each key is present. */
		read_back(l);
		int64_t j = 0;
		for (int64_t o = 0; o < g_n; o++) {
			while (j < g_seen.n && g_seen.off[j] < o)
				j++;
			if (expected(o, active, NOW))
				CU_ASSERT(j < g_seen.n && g_seen.off[j] == o);
		}
		CU_ASSERT(clean_once(l, &P1M) == active);
		expect_exact(l, active);
		l = reopen(l, &c);
		expect_exact(l, active);
		plog_close(l);
	}
}

void suite_cleaner(void);
void suite_cleaner(void)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown("cleaner", NULL, NULL, fixture_setup,
	                                                  fixture_teardown);
	CU_add_test(s, "latest value per key at its offset, across segments", test_basic);
	CU_add_test(s, "dirty ratio; segments grouped up to segment.bytes", test_groups_and_ratio);
	CU_add_test(s, "compressed batches rebuilt with their codec", test_compressed);
	CU_add_test(s, "emptied batches dropped, a group's last kept empty", test_empty_batches);
	CU_add_test(s, "tombstones before and after delete.retention.ms", test_tombstones);
	CU_add_test(s, "a small key map: several passes", test_small_map);
	CU_add_test(s, "a truncation during the pass drops it", test_log_changed);
	CU_add_test(s, "a reader holding an old segment", test_reader_keeps_old);
	CU_add_test(s, "a crash at each step of the swap", test_crash_steps);
}

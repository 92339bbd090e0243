/* test_epoch.c — unit tests of what replication needs from log/: replica appends (batches
 * copied from a leader's log as they are) and the leader epoch cache with its
 * leader-epoch-checkpoint file (queries, truncation, log start, persistence, crash rebuild).
 *
 * The "leader" is a real log in its own directory, built with plog_append; the follower is
 * fed the leader's bytes as plog_read returns them, cut into arbitrary chunks. Since both
 * apply the same roll and index rules, the follower's segments must match the leader's
 * exactly, and so must the bytes read back.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log_harness.h"

void suite_epoch(void);

/* ---- Leader logs and their bytes ------------------------------------------------------------- */

static struct plog *open_dir(const char *dir, const struct log_config *c, int64_t rp)
{
	char err[512];
	struct plog *l = NULL;
	int rc = plog_open(dir, c, rp, -1, &l, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\nplog_open: %s\n", err);
	CU_ASSERT_FATAL(rc == 0 && l != NULL);
	return l;
}

/* Appends b (freed) as the leader does in `epoch`, without validation (control batches too). */
static int64_t lappend(struct plog *l, struct tbatch b, int32_t epoch)
{
	struct batch_info info = {.size = b.len,
	                          .last_offset_delta = (int32_t)be32_get(b.p + RB_LAST_OFFSET_DELTA)};
	int64_t base = -1;
	CU_ASSERT_EQUAL_FATAL(plog_append(l, b.p, b.len, &info, epoch, 1, &base), KERR_NONE);
	free(b.p);
	CHECK_LOG(l);
	return base;
}

static struct tbatch control_batch(void)
{
	struct tbatch b = make_batch(1, 5000, 0, 4);
	be16_put(b.p + RB_ATTRIBUTES, RB_ATTR_CONTROL | RB_ATTR_TRANSACTIONAL);
	be64_put(b.p + RB_PRODUCER_ID, 1000);
	be16_put(b.p + RB_PRODUCER_EPOCH, 0);
	fix_crc(b.p, b.len);
	return b;
}

/* What compaction leaves: 2 records over offsets base..base+5. */
static struct tbatch sparse_batch(void)
{
	struct tbatch b = make_batch(2, 6000, 1, 30);
	be32_put(b.p + RB_LAST_OFFSET_DELTA, 5);
	fix_crc(b.p, b.len);
	return b;
}

#define LEADER_BATCHES 60

static int32_t epoch_of(int i)
{
	return i < 10 ? 0 : i < 30 ? 2 : 5;
}

/* 60 batches in epochs 0, 2, 5 over several segments; batch 15 is a transaction marker,
 * batch 40 a compacted one. */
static struct plog *build_leader(const struct log_config *c, char *dir, size_t n)
{
	snprintf(dir, n, "%s/leader-0", g_root);
	struct plog *l = open_dir(dir, c, 0);
	for (int i = 0; i < LEADER_BATCHES; i++) {
		struct tbatch b = i == 15 ? control_batch() : i == 40 ? sparse_batch()
		                  : make_batch(1 + i % 3, 1000 + 10 * i, 1, 40 + (size_t)(i * 53) % 300);
		lappend(l, b, epoch_of(i));
	}
	CU_ASSERT(l->n >= 3);
	return l;
}

/* Offset of the batch after the one at p. */
static int64_t next_offset_of(const uint8_t *p)
{
	return (int64_t)be64_get(p + RB_BASE_OFFSET) + (int32_t)be32_get(p + RB_LAST_OFFSET_DELTA) + 1;
}

static size_t batch_size(const uint8_t *p)
{
	return be32_get(p + RB_LENGTH) + RB_LOG_OVERHEAD;
}

/* Every byte of the log from `from` on, as plog_read hands it out (malloc'ed). */
static uint8_t *read_all(struct plog *l, int64_t from, size_t *len)
{
	uint8_t *out = NULL;
	size_t n = 0;
	for (int64_t off = from; off < plog_end_offset(l);) {
		struct log_read r;
		int rc = plog_read(l, off, 1 << 20, true, plog_end_offset(l), &r);
		CU_ASSERT_FATAL(rc == KERR_NONE && r.len > 0);
		out = realloc(out, n + r.len);
		CU_ASSERT_FATAL(pread(r.fd, out + n, r.len, r.pos) == (ssize_t)r.len);
		log_segment_unref(r.seg);
		for (size_t p = n; p < n + r.len; p += batch_size(out + p))
			off = next_offset_of(out + p);
		n += r.len;
	}
	*len = n;
	return out;
}

/* Position of batch k in buf (len when there are fewer). */
static size_t nth(const uint8_t *buf, size_t len, int k)
{
	size_t p = 0;
	for (int i = 0; i < k && p < len; i++)
		p += batch_size(buf + p);
	return KB_MIN(p, len);
}

static bool same_epochs(const struct plog *a, const struct plog *b)
{
	if (a->epochs.n != b->epochs.n)
		return false;
	for (size_t i = 0; i < a->epochs.n; i++)
		if (a->epochs.e[i].epoch != b->epochs.e[i].epoch ||
		    a->epochs.e[i].start != b->epochs.e[i].start)
			return false;
	return true;
}

/* Same segments, same indexes, same epochs, same LEO. */
static void same_layout(const struct plog *a, const struct plog *b)
{
	CU_ASSERT_EQUAL_FATAL(a->n, b->n);
	CU_ASSERT_EQUAL(a->leo, b->leo);
	for (size_t i = 0; i < a->n; i++) {
		const struct log_segment *x = a->segs[i], *y = b->segs[i];
		CU_ASSERT(x->base == y->base && x->size == y->size && x->next_offset == y->next_offset);
		CU_ASSERT(x->max_ts == y->max_ts && x->max_ts_off == y->max_ts_off);
		CU_ASSERT_FATAL(x->on == y->on && x->tn == y->tn);
		for (size_t k = 0; k < x->on; k++)
			CU_ASSERT(x->oidx[k].rel == y->oidx[k].rel && x->oidx[k].pos == y->oidx[k].pos);
		for (size_t k = 0; k < x->tn; k++)
			CU_ASSERT(x->tidx[k].ts == y->tidx[k].ts && x->tidx[k].rel == y->tidx[k].rel);
	}
	CU_ASSERT_TRUE(same_epochs(a, b));
}

/* Feeds buf to the follower in chunks of `step` bytes, as a fetcher would: each call gets
 * what the last one left plus the next chunk. */
static void feed(struct plog *f, const uint8_t *buf, size_t len, size_t step)
{
	size_t pos = 0, avail = 0;
	while (pos < len) {
		size_t used = 99;
		avail = KB_MIN(len - pos, avail + step);
		CU_ASSERT_EQUAL_FATAL(plog_append_replica(f, buf + pos, avail, 1, &used), KERR_NONE);
		CU_ASSERT_FATAL(used <= avail);
		pos += used;
		avail -= used;
		if (used)
			CHECK_LOG(f);
	}
}

/* ---- Replica appends ------------------------------------------------------------------------- */

static void test_replica_copy(void)
{
	struct log_config c = small_cfg();
	char ldir[128];
	struct plog *ld = build_leader(&c, ldir, sizeof(ldir));
	size_t len, back_len, used;
	uint8_t *buf = read_all(ld, 0, &len);
	const size_t steps[] = {7, 100, 700, 5000, 1 << 20};

	for (size_t s = 0; s < KB_ARRAY_LEN(steps); s++) {
		struct plog *f = open_log(&c, 0, -1);
		/* one batch, then a partial one (ignored), then the rest in chunks */
		size_t b1 = nth(buf, len, 1);
		CU_ASSERT_EQUAL(plog_append_replica(f, buf, b1 + 30, 1, &used), KERR_NONE);
		CU_ASSERT_EQUAL(used, b1);
		CU_ASSERT_EQUAL(plog_end_offset(f), next_offset_of(buf));
		CU_ASSERT_EQUAL(plog_append_replica(f, buf + b1, 5, 1, &used), KERR_NONE); /* no length */
		CU_ASSERT_EQUAL(used, 0);
		CU_ASSERT_EQUAL(plog_append_replica(f, buf + b1, 0, 1, &used), KERR_NONE);
		CU_ASSERT_EQUAL(used, 0);
		feed(f, buf + b1, len - b1, steps[s]);
		same_layout(ld, f);
		uint8_t *back = read_all(f, 0, &back_len);
		CU_ASSERT_EQUAL_FATAL(back_len, len);
		CU_ASSERT_EQUAL(memcmp(back, buf, len), 0); /* offsets, epochs, CRCs: untouched */
		free(back);
		plog_close(f);
		rm_tree(g_dir);
	}
	plog_close(ld);
	free(buf);
}

static void test_replica_skip(void)
{
	struct log_config c = small_cfg();
	char ldir[128];
	struct plog *ld = build_leader(&c, ldir, sizeof(ldir));
	size_t len, used;
	uint8_t *buf = read_all(ld, 0, &len);
	struct plog *f = open_log(&c, 0, -1);
	size_t b10 = nth(buf, len, 10), b20 = nth(buf, len, 20);

	CU_ASSERT_EQUAL(plog_append_replica(f, buf, b20, 1, &used), KERR_NONE);
	CU_ASSERT_EQUAL(used, b20);
	int64_t leo = plog_end_offset(f);
	/* all held already: taken, nothing written */
	CU_ASSERT_EQUAL(plog_append_replica(f, buf, b20, 1, &used), KERR_NONE);
	CU_ASSERT(used == b20 && plog_end_offset(f) == leo);
	/* half held: the held half is stepped over, the rest appended */
	CU_ASSERT_EQUAL(plog_append_replica(f, buf + b10, len - b10, 1, &used), KERR_NONE);
	CU_ASSERT_EQUAL(used, len - b10);
	CHECK_LOG(f);
	same_layout(ld, f);
	plog_close(f);
	plog_close(ld);
	free(buf);
}

static void test_replica_out_of_range(void)
{
	struct log_config c = small_cfg();
	char ldir[128];
	struct plog *ld = build_leader(&c, ldir, sizeof(ldir));
	size_t len, used;
	uint8_t *buf = read_all(ld, 0, &len);
	struct plog *f = open_log(&c, 0, -1);
	size_t b1 = nth(buf, len, 1), b2 = nth(buf, len, 2), b3 = nth(buf, len, 3);

	/* a gap in the middle [b0 b2] (a compacted leader): taken, the LEO jumps, the log is
	 * valid with the gap and reopens with it */
	uint8_t *gap = malloc(len);
	memcpy(gap, buf, b1);
	memcpy(gap + b1, buf + b2, b3 - b2);
	CU_ASSERT_EQUAL(plog_append_replica(f, gap, b1 + b3 - b2, 1, &used), KERR_NONE);
	CU_ASSERT(used == b1 + b3 - b2 && plog_end_offset(f) == next_offset_of(buf + b2));
	CHECK_LOG(f);
	int64_t leo = plog_end_offset(f);
	plog_close(f);
	f = open_log(&c, 0, -1);
	CU_ASSERT_EQUAL(plog_end_offset(f), leo);
	/* an overlap: a batch starting below the LEO but ending above it */
	struct tbatch o = make_batch(3, 1, 1, 10);
	be64_put(o.p + RB_BASE_OFFSET, (uint64_t)plog_end_offset(f) - 1);
	CU_ASSERT_EQUAL(plog_append_replica(f, o.p, o.len, 1, &used), KERR_OFFSET_OUT_OF_RANGE);
	CU_ASSERT_EQUAL(used, 0);
	CHECK_LOG(f);
	free(o.p);
	free(gap);
	plog_close(f);
	plog_close(ld);
	free(buf);
}

static void corrupt_at(uint8_t *b, int how)
{
	switch (how) {
	case 0: b[RB_HEADER_SIZE + 2] ^= 1; break;              /* payload: CRC */
	case 1: b[RB_MAGIC] = 1; break;                          /* magic */
	case 2: be32_put(b + RB_LENGTH, 48); break;              /* batchLength too small */
	case 3: be32_put(b + RB_LENGTH, 0x7fffff00u); break;     /* absurd batchLength */
	case 4: be32_put(b + RB_LAST_OFFSET_DELTA, (uint32_t)-1); fix_crc(b, batch_size(b)); break;
	}
}

static void test_replica_corrupt(void)
{
	struct log_config c = small_cfg();
	char ldir[128];
	struct plog *ld = build_leader(&c, ldir, sizeof(ldir));
	size_t len, used;
	uint8_t *buf = read_all(ld, 0, &len);
	size_t b5 = nth(buf, len, 5), b6 = nth(buf, len, 6);

	for (int how = 0; how < 5; how++) {
		struct plog *f = open_log(&c, 0, -1);
		uint8_t *bad = malloc(len);
		memcpy(bad, buf, len);
		corrupt_at(bad + b5, how);
		int rc = plog_append_replica(f, bad, len, 1, &used);
		CU_ASSERT_EQUAL(rc, KERR_CORRUPT_MESSAGE);
		CU_ASSERT_EQUAL(used, b5); /* the five batches before it are in, nothing after */
		CU_ASSERT_EQUAL(plog_end_offset(f), (int64_t)be64_get(buf + b5));
		CHECK_LOG(f);
		/* the good copy continues from there */
		CU_ASSERT_EQUAL(plog_append_replica(f, buf + b5, len - b5, 1, &used), KERR_NONE);
		CU_ASSERT_EQUAL(used, len - b5);
		same_layout(ld, f);
		free(bad);
		plog_close(f);
		rm_tree(g_dir);
	}
	/* a corrupt length in an incomplete tail is still corruption, not "wait for more" */
	struct plog *f = open_log(&c, 0, -1);
	uint8_t *bad = malloc(b6);
	memcpy(bad, buf, b6);
	corrupt_at(bad + b5, 3);
	CU_ASSERT_EQUAL(plog_append_replica(f, bad, b5 + 20, 1, &used), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(used, b5);
	free(bad);
	plog_close(f);
	plog_close(ld);
	free(buf);
}

static void test_replica_control_and_epochs(void)
{
	struct log_config c = small_cfg();
	struct plog *f = open_log(&c, 0, -1);
	struct tbatch b[4] = {make_batch(2, 100, 1, 10), control_batch(), sparse_batch(),
	                      make_batch(1, 100, 1, 10)};
	const int32_t ep[4] = {3, 3, 4, -1};
	uint8_t buf[4096];
	size_t n = 0, used;
	int64_t off = 0;

	for (int i = 0; i < 4; i++) {
		be64_put(b[i].p + RB_BASE_OFFSET, (uint64_t)off);
		be32_put(b[i].p + RB_LEADER_EPOCH, (uint32_t)ep[i]);
		off = next_offset_of(b[i].p);
		memcpy(buf + n, b[i].p, b[i].len);
		n += b[i].len;
		free(b[i].p);
	}
	CU_ASSERT_EQUAL(plog_append_replica(f, buf, n, 1, &used), KERR_NONE);
	CU_ASSERT(used == n && plog_end_offset(f) == off);
	CHECK_LOG(f);
	/* epochs as the batches carry them; -1 (no epoch) adds nothing */
	CU_ASSERT_EQUAL_FATAL(f->epochs.n, 2);
	CU_ASSERT(f->epochs.e[0].epoch == 3 && f->epochs.e[0].start == 0);
	CU_ASSERT(f->epochs.e[1].epoch == 4 && f->epochs.e[1].start == 3);
	CU_ASSERT_EQUAL(plog_latest_epoch(f), 4);
	plog_close(f);
}

/* A write that fails: the run it carried is not in, the runs before it are. */
static void test_replica_storage_error(void)
{
	struct log_config c = small_cfg();
	char ldir[128], p[256];
	struct plog *ld = build_leader(&c, ldir, sizeof(ldir));
	size_t len, used;
	uint8_t *buf = read_all(ld, 0, &len);
	struct plog *f = open_log(&c, 0, -1);
	size_t b3 = nth(buf, len, 3);

	CU_ASSERT_EQUAL(plog_append_replica(f, buf, b3, 1, &used), KERR_NONE);
	struct log_segment *s = plog_active(f);
	int saved = dup(s->fd);
	seg_file(s->base, ".log", p, sizeof(p));
	int ro = open(p, O_RDONLY);
	dup2(ro, s->fd);
	CU_ASSERT_EQUAL(plog_append_replica(f, buf + b3, len - b3, 1, &used),
	                KERR_KAFKA_STORAGE_ERROR);
	CU_ASSERT_EQUAL(used, 0); /* the first run goes to this segment: nothing written */
	CU_ASSERT_EQUAL(plog_end_offset(f), (int64_t)be64_get(buf + b3));
	dup2(saved, s->fd);
	close(saved);
	close(ro);
	CHECK_LOG(f);
	CU_ASSERT_EQUAL(plog_append_replica(f, buf + b3, len - b3, 1, &used), KERR_NONE);
	same_layout(ld, f);
	plog_close(f);
	plog_close(ld);
	free(buf);
}

/* ---- The epoch cache ------------------------------------------------------------------------- */

static void expect_entries(const struct plog *l, const int32_t *epochs, const int64_t *starts,
                           size_t n)
{
	CU_ASSERT_EQUAL_FATAL(l->epochs.n, n);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(l->epochs.e[i].epoch, epochs[i]);
		CU_ASSERT_EQUAL(l->epochs.e[i].start, starts[i]);
	}
}

static void expect_end(const struct plog *l, int32_t req, int32_t epoch, int64_t end)
{
	int32_t e = 99;
	int64_t o = 99;
	plog_epoch_end_offset(l, req, &e, &o);
	if (e != epoch || o != end)
		fprintf(stderr, "\nend offset for %d: (%d, %" PRId64 "), want (%d, %" PRId64 ")\n",
		        req, e, o, epoch, end);
	CU_ASSERT(e == epoch && o == end);
}

/* Five batches of 3 records in epochs 0 0 2 2 5: entries (0,0) (2,6) (5,12), LEO 15. */
static struct plog *five(const struct log_config *c)
{
	struct plog *l = open_log(c, 0, -1);
	const int32_t ep[5] = {0, 0, 2, 2, 5};
	for (int i = 0; i < 5; i++)
		lappend(l, make_batch(3, 1000 + i, 1, 20), ep[i]);
	return l;
}

static void test_epoch_queries(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);

	CU_ASSERT_EQUAL(plog_latest_epoch(l), -1);
	expect_end(l, 0, -1, -1); /* empty cache */
	expect_end(l, -1, -1, -1);
	plog_close(l);
	fixture_teardown();
	fixture_setup();

	l = five(&c);
	expect_entries(l, (int32_t[]){0, 2, 5}, (int64_t[]){0, 6, 12}, 3);
	CU_ASSERT_EQUAL(plog_latest_epoch(l), 5);
	expect_end(l, 0, 0, 6);
	expect_end(l, 1, 0, 6);   /* no epoch 1: the largest below it, ends where 2 starts */
	expect_end(l, 2, 2, 12);
	expect_end(l, 3, 2, 12);
	expect_end(l, 4, 2, 12);
	expect_end(l, 5, 5, 15);  /* the latest: the LEO */
	expect_end(l, 6, -1, -1); /* above the latest */
	expect_end(l, -1, -1, -1);
	/* below the first cached epoch: Kafka answers (requested, first start) */
	CU_ASSERT_EQUAL(plog_advance_start(l, 7), 0);
	CU_ASSERT_EQUAL(plog_truncate_to(l, 9), KERR_NONE);
	expect_entries(l, (int32_t[]){2}, (int64_t[]){7}, 1);
	lappend(l, make_batch(1, 1, 1, 10), 5);
	expect_end(l, 1, 1, 7);
	expect_end(l, 2, 2, 9);
	CHECK_LOG(l);
	plog_close(l);
}

static void test_epoch_append_rules(void)
{
	struct log_config c = small_cfg();
	struct plog *l = five(&c);

	lappend(l, make_batch(1, 1, 1, 10), -1); /* no epoch: nothing */
	lappend(l, make_batch(1, 1, 1, 10), 5);  /* the latest: nothing */
	expect_entries(l, (int32_t[]){0, 2, 5}, (int64_t[]){0, 6, 12}, 3);
	/* an older epoch after a newer one: the cache follows the log (Kafka's assign) */
	lappend(l, make_batch(1, 1, 1, 10), 3);
	expect_entries(l, (int32_t[]){0, 2, 3}, (int64_t[]){0, 6, 17}, 3);
	CHECK_LOG(l);
	/* becoming leader: (epoch, LEO) before any data; lower or equal epochs: nothing */
	plog_assign_epoch(l, 7);
	plog_assign_epoch(l, 6);
	plog_assign_epoch(l, 7);
	expect_entries(l, (int32_t[]){0, 2, 3, 7}, (int64_t[]){0, 6, 17, 18}, 4);
	expect_end(l, 3, 3, 18);
	expect_end(l, 7, 7, 18);
	CHECK_LOG(l);
	/* another election before any data: the empty epoch 7 gives way */
	plog_assign_epoch(l, 8);
	expect_entries(l, (int32_t[]){0, 2, 3, 8}, (int64_t[]){0, 6, 17, 18}, 4);
	expect_end(l, 7, 3, 18);
	lappend(l, make_batch(2, 1, 1, 10), 8); /* data of the assigned epoch: no new entry */
	expect_entries(l, (int32_t[]){0, 2, 3, 8}, (int64_t[]){0, 6, 17, 18}, 4);
	expect_end(l, 8, 8, 20);
	CHECK_LOG(l);
	plog_close(l);
}

/* segment.bytes: one batch of five() per segment. */
static struct log_config one_per_segment(void)
{
	struct log_config c = small_cfg();
	struct tbatch probe = make_batch(3, 0, 1, 20);
	c.segment_bytes = (int64_t)probe.len;
	free(probe.p);
	return c;
}

static void test_epoch_truncation(void)
{
	struct log_config c = one_per_segment();
	struct plog *l = five(&c);

	CU_ASSERT_EQUAL(plog_truncate_to(l, 20), KERR_NONE); /* past the LEO: nothing */
	expect_entries(l, (int32_t[]){0, 2, 5}, (int64_t[]){0, 6, 12}, 3);
	CU_ASSERT_EQUAL(plog_truncate_to(l, 12), KERR_NONE);
	expect_entries(l, (int32_t[]){0, 2}, (int64_t[]){0, 6}, 2);
	expect_end(l, 2, 2, 12);
	CHECK_LOG(l);
	/* inside the batch 6..8: it goes whole, and so does epoch 2 */
	CU_ASSERT_EQUAL(plog_truncate_to(l, 7), KERR_NONE);
	CU_ASSERT_EQUAL(plog_end_offset(l), 6);
	expect_entries(l, (int32_t[]){0}, (int64_t[]){0}, 1);
	lappend(l, make_batch(1, 1, 1, 10), 4);
	expect_entries(l, (int32_t[]){0, 4}, (int64_t[]){0, 6}, 2);
	CHECK_LOG(l);
	/* below the first segment: the log restarts empty, so does the cache */
	CU_ASSERT_EQUAL(plog_advance_start(l, 6), KERR_NONE);
	expect_entries(l, (int32_t[]){4}, (int64_t[]){6}, 1);
	struct log_delete_job *j = plog_retention_prepare(l, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	log_delete_run(j);
	CU_ASSERT_EQUAL(l->segs[0]->base, 6);
	CU_ASSERT_EQUAL(plog_truncate_to(l, 2), KERR_NONE);
	CU_ASSERT_EQUAL(plog_end_offset(l), 2);
	CU_ASSERT_EQUAL(l->epochs.n, 0);
	CU_ASSERT_EQUAL(plog_latest_epoch(l), -1);
	CU_ASSERT_TRUE(plog_epochs_dirty(l));
	CHECK_LOG(l);
	plog_close(l);
}

/* Kafka's truncateFullyAndStartAt, also at an offset where a segment already starts. */
static void test_truncate_fully(void)
{
	struct log_config c = one_per_segment();
	struct plog *l = five(&c);
	char p[256];

	CU_ASSERT_EQUAL(plog_truncate_fully(l, -1), KERR_OFFSET_OUT_OF_RANGE);
	CU_ASSERT_EQUAL(plog_truncate_fully(l, 9), KERR_NONE); /* segment 9 exists: emptied, kept */
	CU_ASSERT(l->n == 1 && l->segs[0]->base == 9 && l->segs[0]->size == 0);
	CU_ASSERT(plog_start_offset(l) == 9 && plog_end_offset(l) == 9);
	CU_ASSERT_EQUAL(plog_recovery_point(l), 9);
	CU_ASSERT_EQUAL(l->epochs.n, 0);
	seg_file(9, ".log", p, sizeof(p));
	CU_ASSERT_EQUAL(file_size(p), 0);
	seg_file(12, ".log.deleted", p, sizeof(p));
	CU_ASSERT_TRUE(exists(p));
	CHECK_LOG(l);
	lappend(l, make_batch(2, 1, 1, 10), 6);
	expect_entries(l, (int32_t[]){6}, (int64_t[]){9}, 1);
	CU_ASSERT_EQUAL(plog_truncate_fully(l, 100), KERR_NONE); /* past everything: a new segment */
	CU_ASSERT(l->n == 1 && l->segs[0]->base == 100 && plog_end_offset(l) == 100);
	CHECK_LOG(l);
	struct log_delete_job *j = plog_retention_prepare(l, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	log_delete_run(j);
	CU_ASSERT_FALSE(exists(p));
	seg_file(9, ".log.deleted", p, sizeof(p));
	CU_ASSERT_FALSE(exists(p));
	plog_close(l);
	l = open_log(&c, 100, 100);
	CU_ASSERT(l->n == 1 && plog_start_offset(l) == 100 && plog_end_offset(l) == 100);
	CU_ASSERT_EQUAL(l->epochs.n, 0);
	plog_close(l);
}

static void test_epoch_log_start(void)
{
	struct log_config c = one_per_segment();
	struct plog *l = five(&c);

	CU_ASSERT_EQUAL(plog_advance_start(l, 4), KERR_NONE); /* inside epoch 0 */
	expect_entries(l, (int32_t[]){0, 2, 5}, (int64_t[]){4, 6, 12}, 3);
	CU_ASSERT_EQUAL(plog_advance_start(l, 8), KERR_NONE); /* inside epoch 2: epoch 0 ends */
	expect_entries(l, (int32_t[]){2, 5}, (int64_t[]){8, 12}, 2);
	expect_end(l, 0, 0, 8);
	CU_ASSERT_EQUAL(plog_advance_start(l, 12), KERR_NONE); /* exactly where epoch 5 starts */
	expect_entries(l, (int32_t[]){5}, (int64_t[]){12}, 1);
	CHECK_LOG(l);
	plog_close(l);
	fixture_teardown();
	fixture_setup();

	/* retention moves the log start to the first remaining segment */
	l = five(&c);
	c.retention_bytes = 2 * (int64_t)l->segs[0]->size;
	plog_set_config(l, &c);
	struct log_delete_job *j = plog_retention_prepare(l, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	log_delete_run(j);
	CU_ASSERT_EQUAL(plog_start_offset(l), 9);
	expect_entries(l, (int32_t[]){2, 5}, (int64_t[]){9, 12}, 2);
	CHECK_LOG(l);
	plog_close(l);
}

/* ---- The file -------------------------------------------------------------------------------- */

static void epoch_file(char *p, size_t n)
{
	snprintf(p, n, "%s/leader-epoch-checkpoint", g_dir);
}

static void expect_file(const char *want)
{
	char p[256], got[512];
	epoch_file(p, sizeof(p));
	FILE *f = fopen(p, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	size_t n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\nleader-epoch-checkpoint:\n%s---- want:\n%s----\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_epoch_persistence(void)
{
	struct log_config c = small_cfg();
	struct plog *l = five(&c);
	char p[256], tmp[300];

	epoch_file(p, sizeof(p));
	CU_ASSERT_TRUE(plog_epochs_dirty(l));
	CU_ASSERT_FALSE(exists(p)); /* never written by an append */
	flush_all(l);
	CU_ASSERT_FALSE(plog_epochs_dirty(l));
	expect_file("0\n3\n0 0\n2 6\n5 12\n");
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	CU_ASSERT_FALSE(exists(tmp));
	/* only the cache changed: a flush job anyway, which writes it */
	plog_assign_epoch(l, 6);
	CU_ASSERT_TRUE(plog_epochs_dirty(l));
	struct log_flush_job *j = plog_flush_prepare(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_FALSE(plog_epochs_dirty(l));
	plog_flush_complete(l, j, -5); /* failed: dirty again, the file untouched */
	CU_ASSERT_TRUE(plog_epochs_dirty(l));
	expect_file("0\n3\n0 0\n2 6\n5 12\n");
	flush_all(l);
	expect_file("0\n4\n0 0\n2 6\n5 12\n6 15\n");
	CU_ASSERT_PTR_NULL(plog_flush_prepare(l));
	/* a change left for plog_close */
	CU_ASSERT_EQUAL(plog_truncate_to(l, 12), 0);
	plog_close(l);
	expect_file("0\n2\n0 0\n2 6\n");
	l = open_log(&c, 12, -1);
	expect_entries(l, (int32_t[]){0, 2}, (int64_t[]){0, 6}, 2);
	CU_ASSERT_FALSE(plog_epochs_dirty(l));
	/* the empty epoch at the LEO does not survive a restart (Kafka drops it too) */
	plog_assign_epoch(l, 9);
	plog_close(l);
	expect_file("0\n3\n0 0\n2 6\n9 12\n");
	l = open_log(&c, 12, -1);
	expect_entries(l, (int32_t[]){0, 2}, (int64_t[]){0, 6}, 2);
	CU_ASSERT_TRUE(plog_epochs_dirty(l));
	plog_close(l);
	/* the checkpointed log start cuts the first entries */
	l = open_log(&c, 12, 7);
	expect_entries(l, (int32_t[]){2}, (int64_t[]){7}, 1);
	plog_close(l);
}

/* Epochs 0 0 2 flushed, then 2 5 7 written without a flush, then a crash (no plog_close). */
static int64_t crashed(const struct log_config *c)
{
	struct plog *l = open_log(c, 0, -1);
	const int32_t ep[6] = {0, 0, 2, 2, 5, 7};
	int64_t rp = 0;
	for (int i = 0; i < 6; i++) {
		lappend(l, make_batch(3, 1000 + i, 1, 100), ep[i]);
		if (i == 2) {
			flush_all(l);
			rp = plog_recovery_point(l);
		}
	}
	plog_discard(l);
	return rp;
}

static void expect_rebuilt(const struct plog *l)
{
	expect_entries(l, (int32_t[]){0, 2, 5, 7}, (int64_t[]){0, 6, 12, 15}, 4);
	CU_ASSERT_EQUAL(plog_end_offset(l), 18);
}

static void test_epoch_crash(void)
{
	struct log_config c = small_cfg();
	char p[256];
	epoch_file(p, sizeof(p));

	/* stale file (0,0) (2,6): the epochs after the recovery point come from the batches */
	int64_t rp = crashed(&c);
	CU_ASSERT_EQUAL(rp, 9);
	expect_file("0\n2\n0 0\n2 6\n");
	struct plog *l = open_log(&c, rp, -1);
	expect_rebuilt(l);
	plog_close(l);

	/* file lost: a full scan (recovery point 0) rebuilds everything */
	unlink(p);
	l = open_log(&c, 0, -1);
	expect_rebuilt(l);
	CU_ASSERT_TRUE(plog_epochs_dirty(l));
	plog_close(l);

	/* a file claiming epochs the data after the recovery point contradicts (it was written
	 * before a truncation whose replacement data never reached the file): from rp on, the
	 * batches win */
	const char *stale = "0\n4\n0 0\n2 6\n8 10\n9 16\n";
	write_file(p, stale, strlen(stale), false);
	l = open_log(&c, rp, -1);
	expect_rebuilt(l);
	plog_close(l);

	/* a file with entries past the end of the recovered log (a recovery point past it too):
	 * they go */
	const char *past = "0\n5\n0 0\n2 6\n5 12\n7 15\n8 40\n";
	write_file(p, past, strlen(past), false);
	l = open_log(&c, 100, -1);
	expect_rebuilt(l);
	plog_close(l);

	/* a torn tail: the batch of epoch 7 is cut off by recovery, and its entry with it */
	char seg[256];
	seg_file(0, ".log", seg, sizeof(seg));
	CU_ASSERT_EQUAL(truncate(seg, file_size(seg) - 10), 0);
	l = open_log(&c, rp, -1);
	CU_ASSERT_EQUAL(plog_end_offset(l), 15);
	expect_entries(l, (int32_t[]){0, 2, 5}, (int64_t[]){0, 6, 12}, 3);
	plog_close(l);
}

static void test_epoch_garbage_file(void)
{
	struct log_config c = small_cfg();
	char p[256];
	static const char *const bad[] = {
		"", "garbage", "1\n1\n0 0\n", "0\n2\n0 0\n", "0\n1\n0 0 0\n", "0\n1\n-1 0\n",
		"0\n1\n0 -1\n", "0\n2\n3 5\n2 9\n", "0\n2\n3 5\n3 9\n", "0\n2\n2 5\n3 4\n",
		"0\n1\n0 x\n", "0\n1\n 0 0\n", "0\n1\n0 0",
	};

	epoch_file(p, sizeof(p));
	struct plog *l = five(&c);
	plog_close(l);
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		write_file(p, bad[i], strlen(bad[i]), false);
		l = open_log(&c, 0, -1); /* a full scan makes up for the lost file */
		expect_entries(l, (int32_t[]){0, 2, 5}, (int64_t[]){0, 6, 12}, 3);
		CU_ASSERT_TRUE(plog_epochs_dirty(l)); /* rewritten by the next flush */
		plog_discard(l);
	}
	/* with a recovery point, the garbage is only replaced by what recovery scanned */
	write_file(p, "junk\n", 5, false);
	l = open_log(&c, 9, -1);
	expect_entries(l, (int32_t[]){2, 5}, (int64_t[]){9, 12}, 2);
	flush_all(l);
	expect_file("0\n2\n2 9\n5 12\n");
	plog_close(l);
}

void suite_epoch(void)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown("epoch", NULL, NULL, fixture_setup,
	                                                    fixture_teardown);

	CU_add_test(s, "replica append: a leader's log copied byte for byte", test_replica_copy);
	CU_add_test(s, "replica append: batches held already are skipped", test_replica_skip);
	CU_add_test(s, "replica append: gaps and overlaps", test_replica_out_of_range);
	CU_add_test(s, "replica append: corrupt batches", test_replica_corrupt);
	CU_add_test(s, "replica append: control and compacted batches, their epochs",
	            test_replica_control_and_epochs);
	CU_add_test(s, "replica append: a failed write", test_replica_storage_error);
	CU_add_test(s, "epoch cache: end offsets", test_epoch_queries);
	CU_add_test(s, "epoch cache: appends and elections", test_epoch_append_rules);
	CU_add_test(s, "epoch cache: truncation", test_epoch_truncation);
	CU_add_test(s, "epoch cache: the log start moves", test_epoch_log_start);
	CU_add_test(s, "truncate fully, at a new or an existing segment base", test_truncate_fully);
	CU_add_test(s, "epoch file: written by flushes and close, read at open",
	            test_epoch_persistence);
	CU_add_test(s, "epoch file: rebuilt after a crash", test_epoch_crash);
	CU_add_test(s, "epoch file: garbage is ignored", test_epoch_garbage_file);
}

/* test_log.c — unit tests of log/: batch validation, append and roll, indexes, reads by
 * offset and timestamp, reopen, crash recovery on crafted damage, the recovery point,
 * retention, truncation, flush and delete jobs, checkpoint files.
 *
 * Every test works on real files in a fresh mkdtemp() directory (removed afterwards) and runs
 * plog_check() after every mutation. Batches are built by log_harness.c: uncompressed magic-2
 * batches of N records with correct varints and CRC and chosen timestamps.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_harness.h"

void suite_log(void);

/* What the tests expect of the log: one entry per appended batch. */
struct mbatch {
	int64_t base, last, pos, size, max_ts;
	size_t seg;
};
struct model {
	struct mbatch b[1024];
	size_t n;
};

static int64_t append_raw(struct plog *l, struct tbatch b, int64_t now, struct model *m)
{
	struct batch_info info;
	int64_t base = -1;
	CU_ASSERT_EQUAL_FATAL(batch_validate(b.p, b.len, 1 << 20, &info), KERR_NONE);
	CU_ASSERT_EQUAL_FATAL(plog_append(l, b.p, b.len, &info, 7, now, &base), KERR_NONE);
	if (m) {
		struct log_segment *s = plog_active(l);
		m->b[m->n++] = (struct mbatch){base, base + info.last_offset_delta,
		                               s->size - (int64_t)b.len, (int64_t)b.len,
		                               (int64_t)be64_get(b.p + RB_MAX_TIMESTAMP), l->n - 1};
	}
	free(b.p);
	CHECK_LOG(l);
	return base;
}

static int64_t app(struct plog *l, int n, int64_t ts0, size_t vlen, int64_t now, struct model *m)
{
	return append_raw(l, make_batch(n, ts0, 10, vlen), now, m);
}

/* A log of `nb` batches of 1-4 records and 20-200 byte values, timestamps ascending. */
static struct plog *build_log(const struct log_config *c, int nb, struct model *m)
{
	struct plog *l = open_log(c, 0, -1);
	for (int i = 0; i < nb; i++)
		app(l, 1 + i % 4, 1000 + 100 * i, 20 + (size_t)(i * 37) % 180, 5000 + i, m);
	CHECK_LOG(l);
	return l;
}

/* ---- Validation ---------------------------------------------------------------------------- */

static int validate_modified(void (*mod)(uint8_t *p), bool recrc)
{
	struct tbatch b = make_batch(3, 1000, 1, 10);
	struct batch_info info;
	mod(b.p);
	if (recrc)
		fix_crc(b.p, b.len);
	int rc = batch_validate(b.p, b.len, 1 << 20, &info);
	free(b.p);
	return rc;
}

static void mod_magic(uint8_t *p) { p[RB_MAGIC] = 1; }
static void mod_length_small(uint8_t *p) { be32_put(p + RB_LENGTH, 48); }
static void mod_length_big(uint8_t *p) { be32_put(p + RB_LENGTH, be32_get(p + RB_LENGTH) + 1); }
static void mod_length_neg(uint8_t *p) { be32_put(p + RB_LENGTH, 0x80000000u); }
static void mod_payload(uint8_t *p) { p[RB_HEADER_SIZE + 3] ^= 1; }
static void mod_count(uint8_t *p) { be32_put(p + RB_RECORDS_COUNT, 4); }
static void mod_count_zero(uint8_t *p)
{
	be32_put(p + RB_RECORDS_COUNT, 0);
	be32_put(p + RB_LAST_OFFSET_DELTA, (uint32_t)-1);
}
static void mod_control(uint8_t *p) { be16_put(p + RB_ATTRIBUTES, RB_ATTR_CONTROL); }
static void mod_codec5(uint8_t *p) { be16_put(p + RB_ATTRIBUTES, 5); }
static void mod_codec6(uint8_t *p) { be16_put(p + RB_ATTRIBUTES, 6); }
static void mod_codec7(uint8_t *p) { be16_put(p + RB_ATTRIBUTES, 7); }
static void mod_codec4(uint8_t *p) { be16_put(p + RB_ATTRIBUTES, 4); }
static void mod_epoch(uint8_t *p) { be32_put(p + RB_LEADER_EPOCH, 77); } /* outside the CRC */

static void test_validate(void)
{
	struct tbatch b = make_batch(3, 1000, 1, 10);
	struct batch_info info;
	struct log_config c;

	log_config_defaults(&c);
	CU_ASSERT(c.segment_bytes == 1073741824 && c.index_interval_bytes == 4096 &&
	          c.max_message_bytes == 1048588 && c.retention_bytes == -1);

	CU_ASSERT_EQUAL(batch_validate(b.p, b.len, 1 << 20, &info), KERR_NONE);
	CU_ASSERT_EQUAL(info.records, 3);
	CU_ASSERT_EQUAL(info.last_offset_delta, 2);
	CU_ASSERT_EQUAL(info.size, b.len);
	CU_ASSERT_EQUAL(info.base_timestamp, 1000);
	CU_ASSERT_EQUAL(info.max_timestamp, 1002);
	CU_ASSERT_EQUAL(info.producer_id, -1);
	/* truncated: shorter than a header, and shorter than batchLength says */
	CU_ASSERT_EQUAL(batch_validate(b.p, 60, 1 << 20, &info), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(batch_validate(b.p, 0, 1 << 20, &info), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(batch_validate(b.p, b.len - 1, 1 << 20, &info), KERR_CORRUPT_MESSAGE);
	/* too large: exactly the limit passes */
	CU_ASSERT_EQUAL(batch_validate(b.p, b.len, (int32_t)b.len, &info), KERR_NONE);
	CU_ASSERT_EQUAL(batch_validate(b.p, b.len, (int32_t)b.len - 1, &info),
	                KERR_MESSAGE_TOO_LARGE);
	/* two batches in one payload; one batch plus garbage */
	uint8_t *two = malloc(2 * b.len);
	memcpy(two, b.p, b.len);
	memcpy(two + b.len, b.p, b.len);
	CU_ASSERT_EQUAL(batch_validate(two, 2 * b.len, 1 << 20, &info), KERR_INVALID_RECORD);
	memset(two + b.len, 0x33, b.len);
	CU_ASSERT_EQUAL(batch_validate(two, 2 * b.len, 1 << 20, &info), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(batch_validate(two, b.len + 5, 1 << 20, &info), KERR_CORRUPT_MESSAGE);
	free(two);
	free(b.p);

	CU_ASSERT_EQUAL(validate_modified(mod_magic, true), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(validate_modified(mod_length_small, false), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(validate_modified(mod_length_big, false), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(validate_modified(mod_length_neg, false), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(validate_modified(mod_payload, false), KERR_CORRUPT_MESSAGE);
	CU_ASSERT_EQUAL(validate_modified(mod_count, true), KERR_INVALID_RECORD);
	CU_ASSERT_EQUAL(validate_modified(mod_count_zero, true), KERR_INVALID_RECORD);
	CU_ASSERT_EQUAL(validate_modified(mod_control, true), KERR_INVALID_RECORD);
	CU_ASSERT_EQUAL(validate_modified(mod_codec5, true), KERR_UNSUPPORTED_COMPRESSION_TYPE);
	CU_ASSERT_EQUAL(validate_modified(mod_codec6, true), KERR_UNSUPPORTED_COMPRESSION_TYPE);
	CU_ASSERT_EQUAL(validate_modified(mod_codec7, true), KERR_UNSUPPORTED_COMPRESSION_TYPE);
	CU_ASSERT_EQUAL(validate_modified(mod_codec4, true), KERR_NONE);
	CU_ASSERT_EQUAL(validate_modified(mod_epoch, false), KERR_NONE);
	CU_ASSERT_EQUAL(validate_modified(mod_control, false), KERR_CORRUPT_MESSAGE);
}

/* ---- Append, roll, indexes --------------------------------------------------------------- */

/* Reads the batch at `pos` of segment file `base` and checks it. */
static void check_batch_on_disk(int64_t seg_base, int64_t pos, int64_t size, int64_t base)
{
	char p[256];
	seg_file(seg_base, ".log", p, sizeof(p));
	uint8_t *buf = malloc((size_t)size);
	int fd = open(p, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(pread(fd, buf, (size_t)size, pos) == size);
	close(fd);
	struct batch_info info;
	CU_ASSERT_EQUAL(batch_validate(buf, (size_t)size, 1 << 20, &info), KERR_NONE);
	CU_ASSERT_EQUAL((int64_t)be64_get(buf + RB_BASE_OFFSET), base);
	CU_ASSERT_EQUAL((int32_t)be32_get(buf + RB_LEADER_EPOCH), 7);
	free(buf);
}

static void test_append_offsets(void)
{
	struct log_config c = small_cfg();
	struct model m = {.n = 0};
	struct plog *l = open_log(&c, 0, -1);

	CU_ASSERT_EQUAL(plog_end_offset(l), 0);
	CU_ASSERT_EQUAL(app(l, 3, 1000, 10, 1, &m), 0);
	CHECK_LOG(l);
	CU_ASSERT_EQUAL(app(l, 1, 1100, 10, 1, &m), 3);
	CU_ASSERT_EQUAL(app(l, 5, 1200, 10, 1, &m), 4);
	CHECK_LOG(l);
	CU_ASSERT_EQUAL(plog_end_offset(l), 9);
	CU_ASSERT_EQUAL(plog_unflushed_messages(l), 9);
	for (size_t i = 0; i < m.n; i++)
		check_batch_on_disk(0, m.b[i].pos, m.b[i].size, m.b[i].base);
	CU_ASSERT_EQUAL(plog_size_bytes(l), m.b[2].pos + m.b[2].size);
	plog_close(l);
}

/* An empty or idle partition holds one descriptor: the index files exist on disk, but their
 * descriptors open with the first entry (and close again after a restart until then). */
static void test_index_fds_lazy(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	char p[256];
	seg_file(0, ".index", p, sizeof(p));
	CU_ASSERT_TRUE(exists(p));
	seg_file(0, ".timeindex", p, sizeof(p));
	CU_ASSERT_TRUE(exists(p));
	CU_ASSERT_EQUAL(plog_active(l)->ofd, -1);
	CU_ASSERT_EQUAL(plog_active(l)->tfd, -1);
	CU_ASSERT_EQUAL(app(l, 1, 1000, 10, 1, NULL), 0); /* below index.interval.bytes */
	CU_ASSERT_EQUAL(plog_active(l)->ofd, -1);
	CU_ASSERT_EQUAL(app(l, 3, 1100, 300, 1, NULL), 1); /* past it now: */
	CU_ASSERT_EQUAL(plog_active(l)->ofd, -1);
	CU_ASSERT_EQUAL(app(l, 1, 1500, 10, 1, NULL), 4); /* so this batch gets an entry */
	CU_ASSERT_TRUE(plog_active(l)->ofd >= 0 && plog_active(l)->tfd >= 0);
	CHECK_LOG(l);
	flush_all(l);
	plog_close(l);
	l = open_log(&c, 5, -1); /* flushed: nothing to rewrite, nothing held open */
	CU_ASSERT_EQUAL(plog_active(l)->ofd, -1);
	CU_ASSERT_EQUAL(app(l, 3, 2000, 300, 1, NULL), 5);
	CU_ASSERT_EQUAL(app(l, 1, 2500, 10, 1, NULL), 8);
	CU_ASSERT_TRUE(plog_active(l)->ofd >= 0);
	CHECK_LOG(l);
	plog_close(l);
	l = open_log(&c, 5, -1); /* unflushed tail scanned, indexes checked against it */
	CU_ASSERT_EQUAL(plog_end_offset(l), 9);
	CHECK_LOG(l);
	plog_close(l);
}

/* A write that fails (here: descriptors swapped for read-only ones) changes nothing. */
static void test_append_failure(void)
{
	struct log_config c = small_cfg();
	struct plog *l = build_log(&c, 3, NULL);
	struct log_segment *s = plog_active(l);
	struct tbatch b = make_batch(2, 1, 1, 10);
	struct batch_info info;
	char p[256];
	int64_t leo = plog_end_offset(l), size = s->size;

	CU_ASSERT_EQUAL(batch_validate(b.p, b.len, 1 << 20, &info), KERR_NONE);
	int saved = dup(s->fd);
	seg_file(s->base, ".log", p, sizeof(p));
	int ro = open(p, O_RDONLY);
	dup2(ro, s->fd);
	CU_ASSERT_EQUAL(plog_append(l, b.p, b.len, &info, 7, 1, NULL), KERR_KAFKA_STORAGE_ERROR);
	CU_ASSERT(plog_end_offset(l) == leo && s->size == size);
	dup2(saved, s->fd);
	close(saved);
	CHECK_LOG(l);
	/* the index write fails: the batch already written is cut off again */
	CU_ASSERT_EQUAL(seg_open_index_fds(s), 0);
	saved = dup(s->ofd);
	seg_file(s->base, ".index", p, sizeof(p));
	dup2(ro, s->ofd);
	size_t on = s->on;
	int rc = KERR_NONE;
	for (int i = 0; i < 20 && rc == KERR_NONE; i++) {
		leo = plog_end_offset(l);
		size = s->size;
		struct tbatch big = make_batch(2, 1, 1, 100);
		rc = batch_validate(big.p, big.len, 1 << 20, &info);
		rc = rc ? rc : plog_append(l, big.p, big.len, &info, 7, 1, NULL);
		free(big.p);
	}
	CU_ASSERT_EQUAL(rc, KERR_KAFKA_STORAGE_ERROR);
	CU_ASSERT(plog_end_offset(l) == leo && s->size == size && s->on == on);
	dup2(saved, s->ofd);
	close(saved);
	close(ro);
	CHECK_LOG(l);
	CU_ASSERT_EQUAL(batch_validate(b.p, b.len, 1 << 20, &info), KERR_NONE);
	CU_ASSERT_EQUAL(plog_append(l, b.p, b.len, &info, 7, 1, NULL), KERR_NONE);
	CHECK_LOG(l);
	free(b.p);
	plog_close(l);
}

static void test_log_append_time(void)
{
	struct log_config c = small_cfg();
	c.message_timestamp_log_append = true;
	struct plog *l = open_log(&c, 0, -1);
	struct tbatch b = make_batch(2, 1000, 5, 10);
	struct batch_info info;
	int64_t base, off, ts;

	CU_ASSERT_EQUAL(batch_validate(b.p, b.len, 1 << 20, &info), KERR_NONE);
	CU_ASSERT_EQUAL(plog_append(l, b.p, b.len, &info, 7, 987654, &base), KERR_NONE);
	CU_ASSERT_TRUE(be16_get(b.p + RB_ATTRIBUTES) & RB_ATTR_LOG_APPEND_TIME);
	CU_ASSERT_EQUAL((int64_t)be64_get(b.p + RB_MAX_TIMESTAMP), 987654);
	CU_ASSERT_EQUAL(batch_validate(b.p, b.len, 1 << 20, &info), KERR_NONE); /* CRC recomputed */
	CHECK_LOG(l);
	check_batch_on_disk(0, 0, (int64_t)b.len, 0);
	CU_ASSERT_EQUAL(plog_max_timestamp(l, &off, &ts), 0);
	CU_ASSERT_EQUAL(ts, 987654);
	CU_ASSERT_EQUAL(off, 1);
	CU_ASSERT_EQUAL(plog_offset_for_timestamp(l, 5000, &off, &ts), 0); /* record timestamps are ignored */
	CU_ASSERT_EQUAL(off, 0);
	CU_ASSERT_EQUAL(ts, 987654);
	free(b.p);
	plog_close(l);
}

static void test_roll_bytes(void)
{
	struct log_config c = small_cfg();
	struct model m = {.n = 0};
	struct plog *l = open_log(&c, 0, -1);
	char p[256];

	for (int i = 0; i < 40; i++)
		app(l, 2, 1000 + i, 300, 1, &m);
	CHECK_LOG(l);
	CU_ASSERT(l->n > 1);
	for (size_t i = 0; i < l->n; i++) {
		struct log_segment *s = l->segs[i];
		CU_ASSERT(s->size <= c.segment_bytes);
		if (i + 1 < l->n) /* rolled only because the next batch did not fit */
			CU_ASSERT(s->size + (int64_t)m.b[0].size > c.segment_bytes);
		seg_file(s->base, ".log", p, sizeof(p));
		CU_ASSERT_EQUAL(file_size(p), s->size);
		CU_ASSERT_EQUAL(l->segs[i]->base, i ? l->segs[i - 1]->next_offset : 0);
	}
	for (size_t i = 0; i < m.n; i++)
		check_batch_on_disk(l->segs[m.b[i].seg]->base, m.b[i].pos, m.b[i].size, m.b[i].base);
	/* a batch larger than segment.bytes still goes in, alone in its segment */
	app(l, 1, 5000, 5000, 1, &m);
	CU_ASSERT_EQUAL(plog_active(l)->size, (int64_t)m.b[m.n - 1].size);
	app(l, 1, 5000, 10, 1, &m);
	CU_ASSERT_EQUAL(m.b[m.n - 1].pos, 0);
	CHECK_LOG(l);
	plog_close(l);
}

static void test_roll_ms(void)
{
	struct log_config c = small_cfg();
	c.segment_ms = 100;
	struct plog *l = open_log(&c, 0, -1);

	app(l, 1, 1, 10, 1000, NULL);
	app(l, 1, 1, 10, 1050, NULL);
	app(l, 1, 1, 10, 1099, NULL);
	CU_ASSERT_EQUAL(l->n, 1);
	app(l, 1, 1, 10, 1100, NULL); /* 100 ms after the segment's first append */
	CU_ASSERT_EQUAL(l->n, 2);
	CU_ASSERT_EQUAL(plog_active(l)->base, 3);
	app(l, 1, 1, 10, 1199, NULL);
	CU_ASSERT_EQUAL(l->n, 2);
	app(l, 1, 1, 10, 1200, NULL);
	CU_ASSERT_EQUAL(l->n, 3);
	CHECK_LOG(l);
	plog_close(l);
}

static void test_roll_offset_range(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	struct tbatch b = make_batch(1, 1000, 0, 10);

	/* a batch claiming 2^31-1 records: no per-record validation, so it is accepted */
	be32_put(b.p + RB_LAST_OFFSET_DELTA, INT32_MAX - 1);
	be32_put(b.p + RB_RECORDS_COUNT, INT32_MAX);
	fix_crc(b.p, b.len);
	CU_ASSERT_EQUAL(append_raw(l, b, 1, NULL), 0);
	CU_ASSERT_EQUAL(plog_end_offset(l), INT32_MAX);
	CU_ASSERT_EQUAL(l->n, 1);
	app(l, 2, 1000, 10, 1, NULL); /* last offset - base would be INT32_MAX + 1 */
	CU_ASSERT_EQUAL(l->n, 2);
	CU_ASSERT_EQUAL(plog_active(l)->base, INT32_MAX);
	CHECK_LOG(l);
	plog_close(l);
}

static void test_index_entries(void)
{
	struct log_config c = small_cfg();
	c.segment_bytes = 1 << 20;
	struct model m = {.n = 0};
	struct plog *l = build_log(&c, 120, &m);
	struct log_segment *s = plog_active(l);
	int64_t last_pos = 0;
	size_t k = 0;

	CU_ASSERT_EQUAL(l->n, 1);
	for (size_t i = 0; i < m.n; i++) {
		if (m.b[i].pos - last_pos > c.index_interval_bytes) {
			CU_ASSERT_FATAL(k < s->on);
			CU_ASSERT_EQUAL(s->oidx[k].pos, m.b[i].pos);
			CU_ASSERT_EQUAL(s->oidx[k].rel, m.b[i].last);
			last_pos = m.b[i].pos;
			k++;
		}
	}
	CU_ASSERT_EQUAL(k, s->on);
	CU_ASSERT(s->on > 20);
	CU_ASSERT(s->tn > 20 && s->tn <= s->on); /* timestamps ascend: one per index entry */
	char p[256];
	seg_file(0, ".index", p, sizeof(p));
	CU_ASSERT_EQUAL(file_size(p), (int64_t)s->on * 8);
	seg_file(0, ".timeindex", p, sizeof(p));
	CU_ASSERT_EQUAL(file_size(p), (int64_t)s->tn * 12);
	plog_close(l);
}

/* ---- Reads ---------------------------------------------------------------------------------- */

static void expect_read(struct plog *l, const struct model *m, int64_t off, size_t max_bytes,
                        bool min_one, int64_t upto)
{
	struct log_read r;
	size_t b0 = 0, len = 0;
	int rc = plog_read(l, off, max_bytes, min_one, upto, &r);

	CU_ASSERT_EQUAL_FATAL(rc, KERR_NONE);
	while (m->b[b0].last < off)
		b0++;
	for (size_t b = b0; b < m->n && m->b[b].seg == m->b[b0].seg && m->b[b].last < upto; b++) {
		if (len + (size_t)m->b[b].size > max_bytes)
			break;
		len += (size_t)m->b[b].size;
	}
	if (len == 0 && min_one && m->b[b0].last < upto)
		len = (size_t)m->b[b0].size;
	CU_ASSERT_EQUAL(r.len, len);
	if (len) {
		CU_ASSERT_EQUAL(r.pos, m->b[b0].pos);
		CU_ASSERT_EQUAL(r.first_offset, m->b[b0].base);
		CU_ASSERT_PTR_EQUAL(r.seg, l->segs[m->b[b0].seg]);
		CU_ASSERT_EQUAL(r.fd, l->segs[m->b[b0].seg]->fd);
	} else {
		CU_ASSERT_PTR_NULL(r.seg);
	}
	log_segment_unref(r.seg);
}

static void test_read_every_offset(void)
{
	struct log_config c = small_cfg();
	struct model m = {.n = 0};
	struct plog *l = build_log(&c, 90, &m);
	static const size_t maxes[] = {0, 1, 100, 300, 700, 2000, 5000, SIZE_MAX};
	int64_t leo = plog_end_offset(l);

	CU_ASSERT(l->n >= 4);
	for (int64_t off = 0; off < leo; off++)
		for (size_t k = 0; k < KB_ARRAY_LEN(maxes); k++) {
			expect_read(l, &m, off, maxes[k], true, leo);
			expect_read(l, &m, off, maxes[k], false, leo);
			expect_read(l, &m, off, maxes[k], true, leo / 2);
			expect_read(l, &m, off, maxes[k], true, off + 3);
		}
	struct log_read r;
	CU_ASSERT_EQUAL(plog_read(l, leo, 1000, true, leo, &r), KERR_NONE);
	CU_ASSERT(r.len == 0 && r.seg == NULL);
	CU_ASSERT_EQUAL(plog_read(l, leo + 1, 1000, true, leo, &r), KERR_OFFSET_OUT_OF_RANGE);
	CU_ASSERT_EQUAL(plog_read(l, -1, 1000, true, leo, &r), KERR_OFFSET_OUT_OF_RANGE);
	/* the bytes of a range are whole, valid batches */
	CU_ASSERT_EQUAL(plog_read(l, 5, 3000, true, leo, &r), KERR_NONE);
	uint8_t *buf = malloc(r.len);
	CU_ASSERT(pread(r.fd, buf, r.len, r.pos) == (ssize_t)r.len);
	for (size_t p = 0; p < r.len;) {
		size_t sz = be32_get(buf + p + RB_LENGTH) + RB_LOG_OVERHEAD;
		CU_ASSERT_EQUAL_FATAL(batch_validate(buf + p, sz, 1 << 20, NULL), KERR_NONE);
		p += sz;
	}
	free(buf);
	log_segment_unref(r.seg);
	CU_ASSERT_EQUAL(plog_advance_start(l, 10), KERR_NONE);
	CU_ASSERT_EQUAL(plog_read(l, 9, 1000, true, leo, &r), KERR_OFFSET_OUT_OF_RANGE);
	expect_read(l, &m, 10, 1000, true, leo);
	CU_ASSERT_EQUAL(plog_advance_start(l, leo + 1), KERR_OFFSET_OUT_OF_RANGE);
	CU_ASSERT_EQUAL(plog_advance_start(l, 3), KERR_NONE); /* never backwards */
	CU_ASSERT_EQUAL(plog_start_offset(l), 10);
	CHECK_LOG(l);
	plog_close(l);
}

/* ---- Timestamps ------------------------------------------------------------------------------ */

static void test_timestamps(void)
{
	struct log_config c = small_cfg();
	struct model m = {.n = 0};
	struct plog *l = build_log(&c, 60, &m); /* record k of batch i: 1000 + 100 i + 10 k */
	int64_t off, ts;

	for (size_t i = 0; i < m.n; i++)
		for (int64_t o = m.b[i].base; o <= m.b[i].last; o++) {
			int64_t t = 1000 + 100 * (int64_t)i + 10 * (o - m.b[i].base);
			CU_ASSERT_EQUAL(plog_offset_for_timestamp(l, t, &off, &ts), KERR_NONE);
			CU_ASSERT_EQUAL(off, o);
			CU_ASSERT_EQUAL(ts, t);
			CU_ASSERT_EQUAL(plog_offset_for_timestamp(l, t - 1, &off, &ts), 0); /* between records */
			CU_ASSERT_EQUAL(off, o);
		}
	CU_ASSERT_EQUAL(plog_offset_for_timestamp(l, 0, &off, &ts), 0);
	CU_ASSERT_EQUAL(off, 0);
	CU_ASSERT_EQUAL(plog_offset_for_timestamp(l, 1000000, &off, &ts), 0);
	CU_ASSERT(off == -1 && ts == -1);
	CU_ASSERT_EQUAL(plog_max_timestamp(l, &off, &ts), 0);
	CU_ASSERT_EQUAL(ts, m.b[m.n - 1].max_ts);
	CU_ASSERT_EQUAL(off, m.b[m.n - 1].last);
	CU_ASSERT_EQUAL(plog_advance_start(l, m.b[3].base + 1), 0);
	CHECK_LOG(l);
	CU_ASSERT_EQUAL(plog_offset_for_timestamp(l, 0, &off, &ts), 0);
	CU_ASSERT_EQUAL(off, m.b[3].base + 1);
	/* a batch with an older maxTimestamp does not change the maximum */
	app(l, 1, 50, 10, 1, &m);
	CU_ASSERT_EQUAL(plog_max_timestamp(l, &off, &ts), 0);
	CU_ASSERT_EQUAL(off, m.b[m.n - 2].last);
	/* compressed batches answer at batch granularity */
	struct tbatch b = make_batch(3, 9000000, 10, 10);
	be16_put(b.p + RB_ATTRIBUTES, 1);
	fix_crc(b.p, b.len);
	int64_t base = append_raw(l, b, 1, &m);
	CU_ASSERT_EQUAL(plog_offset_for_timestamp(l, 9000015, &off, &ts), 0);
	CU_ASSERT_EQUAL(off, base);
	CU_ASSERT_EQUAL(ts, 9000020);
	CHECK_LOG(l);
	plog_close(l);
}

/* ---- Reopen and recovery -------------------------------------------------------------------- */

struct seg_state {
	int64_t base, size, next, max_ts, max_off;
	size_t on, tn;
	struct oidx_ent o[512];
	struct tidx_ent t[512];
};
struct log_state {
	size_t n;
	int64_t leo, start;
	struct seg_state s[64];
};

static void save_state(const struct plog *l, struct log_state *st)
{
	st->n = l->n;
	st->leo = l->leo;
	st->start = l->log_start;
	for (size_t i = 0; i < l->n && i < 64; i++) {
		const struct log_segment *s = l->segs[i];
		struct seg_state *d = &st->s[i];
		*d = (struct seg_state){s->base, s->size, s->next_offset, s->max_ts, s->max_ts_off,
		                        s->on, s->tn};
		if (s->on)
			memcpy(d->o, s->oidx, KB_MIN(s->on, 512) * sizeof(*s->oidx));
		if (s->tn)
			memcpy(d->t, s->tidx, KB_MIN(s->tn, 512) * sizeof(*s->tidx));
	}
}

static bool same_state(const struct log_state *a, const struct log_state *b)
{
	if (a->n != b->n || a->leo != b->leo || a->start != b->start)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct seg_state *x = &a->s[i], *y = &b->s[i];
		if (x->base != y->base || x->size != y->size || x->next != y->next ||
		    x->max_ts != y->max_ts || x->max_off != y->max_off || x->on != y->on ||
		    x->tn != y->tn)
			return false;
		for (size_t k = 0; k < x->on; k++) /* field by field: the structs have padding */
			if (x->o[k].rel != y->o[k].rel || x->o[k].pos != y->o[k].pos)
				return false;
		for (size_t k = 0; k < x->tn; k++)
			if (x->t[k].ts != y->t[k].ts || x->t[k].rel != y->t[k].rel)
				return false;
	}
	return true;
}

static struct log_state g_st1, g_st2;

static void test_reopen(void)
{
	struct log_config c = small_cfg();
	struct plog *l = build_log(&c, 80, NULL);
	CU_ASSERT_EQUAL(plog_advance_start(l, 7), 0);
	flush_all(l);
	int64_t rp = plog_recovery_point(l);
	save_state(l, &g_st1);
	plog_close(l);

	l = open_log(&c, rp, 7); /* clean shutdown: everything flushed */
	save_state(l, &g_st2);
	CU_ASSERT_TRUE(same_state(&g_st1, &g_st2));
	CU_ASSERT_EQUAL(plog_recovery_point(l), rp);
	plog_close(l);
	l = open_log(&c, 0, 7); /* nothing flushed: full scan, same result */
	save_state(l, &g_st2);
	CU_ASSERT_TRUE(same_state(&g_st1, &g_st2));
	plog_close(l);
	l = open_log(&c, g_st1.s[2].base + 3, 7); /* recovery point inside a segment */
	save_state(l, &g_st2);
	CU_ASSERT_TRUE(same_state(&g_st1, &g_st2));
	plog_close(l);
}

static void test_empty_dir_and_segment(void)
{
	struct log_config c = small_cfg();
	struct plog *l = open_log(&c, 0, -1);
	char p[256];

	CU_ASSERT_EQUAL(plog_end_offset(l), 0);
	plog_close(l);
	l = open_log(&c, 0, -1);
	CU_ASSERT(l->n == 1 && plog_end_offset(l) == 0);
	app(l, 3, 1000, 10, 1, NULL);
	plog_close(l);
	seg_file(3, ".log", p, sizeof(p)); /* an empty active segment (no index files) */
	write_file(p, "", 0, false);
	l = open_log(&c, 0, -1);
	CU_ASSERT(l->n == 2 && plog_end_offset(l) == 3);
	CU_ASSERT_EQUAL(app(l, 1, 1000, 10, 1, NULL), 3);
	CHECK_LOG(l);
	plog_close(l);
	fixture_teardown();
	fixture_setup();
	l = open_log(&c, 0, 500); /* empty log starting at the checkpointed log start */
	CU_ASSERT(plog_start_offset(l) == 500 && plog_end_offset(l) == 500);
	CU_ASSERT_EQUAL(app(l, 1, 1000, 10, 1, NULL), 500);
	CHECK_LOG(l);
	plog_close(l);
}

/* Builds a log, closes it, applies `damage`, reopens with recovery point rp. */
static struct plog *damaged(struct model *m, int nb, int64_t rp, void (*damage)(struct model *))
{
	struct log_config c = small_cfg();
	struct plog *l = build_log(&c, nb, m);
	save_state(l, &g_st1);
	plog_close(l);
	damage(m);
	return open_log(&c, rp, -1);
}

static void last_log(const struct model *m, char *p, size_t n)
{
	seg_file(g_st1.s[g_st1.n - 1].base, ".log", p, n);
	(void)m;
}

static void dmg_torn(struct model *m)
{
	char p[256];
	last_log(m, p, sizeof(p));
	CU_ASSERT(truncate(p, m->b[m->n - 1].pos + m->b[m->n - 1].size / 2) == 0);
}

static void dmg_torn_header(struct model *m)
{
	char p[256];
	last_log(m, p, sizeof(p));
	CU_ASSERT(truncate(p, m->b[m->n - 1].pos + 30) == 0);
}

static void dmg_garbage(struct model *m)
{
	char p[256];
	uint8_t junk[300];
	memset(junk, 0xab, sizeof(junk));
	last_log(m, p, sizeof(p));
	write_file(p, junk, sizeof(junk), true);
}

static void dmg_zero_tail(struct model *m)
{
	char p[256];
	uint8_t zeros[4096] = {0};
	last_log(m, p, sizeof(p));
	write_file(p, zeros, sizeof(zeros), true); /* a preallocated or half-written tail */
}

static void dmg_flip_last(struct model *m)
{
	char p[256];
	last_log(m, p, sizeof(p));
	flip_byte(p, m->b[m->n - 1].pos + m->b[m->n - 1].size - 3);
}

static void test_recover_tail(void)
{
	void (*damages[])(struct model *) = {dmg_torn, dmg_torn_header, dmg_garbage, dmg_flip_last,
	                                     dmg_zero_tail};
	for (size_t d = 0; d < KB_ARRAY_LEN(damages); d++) {
		struct model m = {.n = 0};
		struct plog *l = damaged(&m, 70, 0, damages[d]);
		bool lost = damages[d] != dmg_garbage && damages[d] != dmg_zero_tail;
		CU_ASSERT_EQUAL(plog_end_offset(l), lost ? m.b[m.n - 1].base : m.b[m.n - 1].last + 1);
		CU_ASSERT_EQUAL(l->n, g_st1.n);
		/* appends continue right after the last good batch */
		int64_t leo = plog_end_offset(l);
		CU_ASSERT_EQUAL(app(l, 2, 99, 10, 1, NULL), leo);
		CHECK_LOG(l);
		plog_close(l);
		fixture_teardown();
		fixture_setup();
	}
}

static size_t g_victim; /* model index of the batch the middle damage hits */

static void dmg_flip_middle(struct model *m)
{
	char p[256];
	g_victim = m->n / 3;
	seg_file(g_st1.s[m->b[g_victim].seg].base, ".log", p, sizeof(p));
	flip_byte(p, m->b[g_victim].pos + RB_HEADER_SIZE + 2);
}

static void test_recover_middle(void)
{
	struct model m = {.n = 0};
	struct plog *l = damaged(&m, 90, 0, dmg_flip_middle);
	size_t seg = m.b[g_victim].seg;
	char p[256];

	CU_ASSERT(g_st1.n >= 3 && seg + 1 < g_st1.n);
	CU_ASSERT_EQUAL(plog_end_offset(l), m.b[g_victim].base);
	CU_ASSERT_EQUAL(l->n, seg + 1);
	for (size_t i = seg + 1; i < g_st1.n; i++) { /* later segments are gone */
		seg_file(g_st1.s[i].base, ".log", p, sizeof(p));
		CU_ASSERT_FALSE(exists(p));
		seg_file(g_st1.s[i].base, ".index", p, sizeof(p));
		CU_ASSERT_FALSE(exists(p));
	}
	CU_ASSERT_EQUAL(app(l, 1, 1, 10, 1, NULL), m.b[g_victim].base);
	CHECK_LOG(l);
	plog_close(l);
}

static void dmg_no_index(struct model *m)
{
	char p[256];
	for (size_t i = 0; i < g_st1.n; i++) {
		seg_file(g_st1.s[i].base, i % 2 ? ".index" : ".timeindex", p, sizeof(p));
		CU_ASSERT(unlink(p) == 0);
	}
	(void)m;
}

static void dmg_index_garbage(struct model *m)
{
	char p[256];
	uint8_t junk[64];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 151 + 7);
	seg_file(g_st1.s[0].base, ".index", p, sizeof(p));
	write_file(p, junk, sizeof(junk), false);
	seg_file(g_st1.s[1].base, ".index", p, sizeof(p));
	write_file(p, junk, 5, true); /* wrong size */
	seg_file(g_st1.s[2].base, ".timeindex", p, sizeof(p));
	write_file(p, junk, 24, false);
	(void)m;
}

static void dmg_index_past_end(struct model *m)
{
	char p[256];
	uint8_t e[8];
	be32_put(e, 1000);
	be32_put(e + 4, 1 << 30);
	for (size_t i = 0; i < g_st1.n; i++) {
		seg_file(g_st1.s[i].base, ".index", p, sizeof(p));
		write_file(p, e, sizeof(e), true);
	}
	(void)m;
}

/* An entry that looks sane (ascending, inside the file) but points into a batch. */
static void dmg_index_misplaced(struct model *m)
{
	char p[256];
	uint8_t e[8];
	const struct seg_state *s = &g_st1.s[0];
	be32_put(e, (uint32_t)s->o[s->on - 1].rel + 1);
	be32_put(e + 4, (uint32_t)s->o[s->on - 1].pos + 7);
	seg_file(s->base, ".index", p, sizeof(p));
	write_file(p, e, sizeof(e), true);
	(void)m;
}

static void test_recover_indexes(void)
{
	void (*damages[])(struct model *) = {dmg_no_index, dmg_index_garbage, dmg_index_past_end,
	                                     dmg_index_misplaced};
	for (size_t d = 0; d < KB_ARRAY_LEN(damages); d++) {
		for (int flushed = 0; flushed < 2; flushed++) {
			struct model m = {.n = 0};
			struct log_config c = small_cfg();
			struct plog *l = build_log(&c, 90, &m);
			flush_all(l);
			int64_t rp = flushed ? plog_recovery_point(l) : 0;
			save_state(l, &g_st1);
			plog_close(l);
			damages[d](&m);
			l = open_log(&c, rp, -1);
			save_state(l, &g_st2);
			CU_ASSERT_TRUE(same_state(&g_st1, &g_st2));
			plog_close(l);
			fixture_teardown();
			fixture_setup();
		}
	}
}

static void test_recover_extra_files(void)
{
	static const char *const keep[] = {"leader-epoch-checkpoint", "foo.log", "123.log",
	                                   "0000000000000000000x.log", "00000000000000000001.index",
	                                   "000000000000000000000.log"};
	static const char *const gone[] = {"00000000000000000000.log.deleted", "x.cleaned",
	                                   "00000000000000000005.log.swap"};
	struct log_config c = small_cfg();
	struct plog *l = build_log(&c, 10, NULL);
	char p[512];

	save_state(l, &g_st1);
	plog_close(l);
	for (size_t i = 0; i < KB_ARRAY_LEN(keep); i++) {
		snprintf(p, sizeof(p), "%s/%s", g_dir, keep[i]);
		write_file(p, "junk\n", 5, false);
	}
	for (size_t i = 0; i < KB_ARRAY_LEN(gone); i++) {
		snprintf(p, sizeof(p), "%s/%s", g_dir, gone[i]);
		write_file(p, "junk\n", 5, false);
	}
	l = open_log(&c, 0, -1);
	save_state(l, &g_st2);
	CU_ASSERT_TRUE(same_state(&g_st1, &g_st2));
	for (size_t i = 0; i < KB_ARRAY_LEN(keep); i++) {
		snprintf(p, sizeof(p), "%s/%s", g_dir, keep[i]);
		CU_ASSERT_TRUE(exists(p));
	}
	for (size_t i = 0; i < KB_ARRAY_LEN(gone); i++) {
		snprintf(p, sizeof(p), "%s/%s", g_dir, gone[i]);
		CU_ASSERT_FALSE(exists(p));
	}
	plog_close(l);
}

static void test_recover_gap(void)
{
	struct log_config c = small_cfg();
	struct plog *l = build_log(&c, 5, NULL);
	int64_t leo = plog_end_offset(l);
	char other[200], from[512], to[512];

	plog_close(l);
	snprintf(other, sizeof(other), "%s/other-0", g_root);
	CU_ASSERT_FATAL(plog_open(other, &c, 0, 1000, &l, from, sizeof(from)) == 0);
	app(l, 2, 5000, 10, 1, NULL);
	plog_close(l);
	static const char *const sfx[] = {".log", ".index", ".timeindex"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s/%020d%s", other, 1000, sfx[i]);
		seg_file(1000, sfx[i], to, sizeof(to));
		CU_ASSERT(rename(from, to) == 0);
	}
	l = open_log(&c, 0, -1); /* kept, with a warning */
	CU_ASSERT_EQUAL(l->n, 2);
	CU_ASSERT_EQUAL(plog_end_offset(l), 1002);
	struct log_read r;
	CU_ASSERT_EQUAL(plog_read(l, leo + 10, 10000, true, 1002, &r), KERR_NONE);
	CU_ASSERT_EQUAL(r.first_offset, 1000); /* an offset in the gap reads the next batch */
	log_segment_unref(r.seg);
	CU_ASSERT_EQUAL(app(l, 1, 1, 10, 1, NULL), 1002);
	CHECK_LOG(l);
	plog_close(l);
}

/* ---- Recovery point ------------------------------------------------------------------------ */

static void test_recovery_point(void)
{
	struct log_config c = small_cfg();
	struct model m = {.n = 0};
	struct plog *l = build_log(&c, 120, &m);
	char p[256];

	flush_all(l);
	int64_t rp = plog_recovery_point(l), unflushed = 0;
	CU_ASSERT_EQUAL(rp, plog_end_offset(l));
	CU_ASSERT_EQUAL(plog_unflushed_messages(l), 0);
	for (int i = 0; i < 12; i++)
		app(l, 2, 90000 + i, 150, 1, &m);
	for (size_t i = 0; i < m.n; i++)
		unflushed += m.b[i].base >= rp ? m.b[i].size : 0;
	save_state(l, &g_st1);
	CU_ASSERT(l->n >= 6);
	plog_close(l);

	/* intact: only the unflushed bytes are CRC-checked, flushed segments walk their tails */
	log_debug_crc_bytes = log_debug_scan_bytes = 0;
	l = open_log(&c, rp, -1);
	CU_ASSERT_EQUAL(log_debug_crc_bytes, unflushed);
	CU_ASSERT(log_debug_scan_bytes <= unflushed + (int64_t)g_st1.n * (256 + 2 * 1000));
	save_state(l, &g_st2);
	CU_ASSERT_TRUE(same_state(&g_st1, &g_st2));
	plog_close(l);

	/* a flushed segment's damaged index is rebuilt, by headers, without CRC work */
	seg_file(g_st1.s[1].base, ".index", p, sizeof(p));
	write_file(p, "garbage!garbage!x", 17, false);
	log_debug_crc_bytes = log_debug_scan_bytes = 0;
	l = open_log(&c, rp, -1);
	CU_ASSERT_EQUAL(log_debug_crc_bytes, unflushed);
	CU_ASSERT(log_debug_scan_bytes >= g_st1.s[1].size);
	save_state(l, &g_st2);
	CU_ASSERT_TRUE(same_state(&g_st1, &g_st2));
	plog_close(l);

	/* proof that flushed data is not read: a flipped payload byte there goes unnoticed */
	seg_file(g_st1.s[0].base, ".log", p, sizeof(p));
	flip_byte(p, m.b[1].pos + RB_HEADER_SIZE + 1);
	char err[256];
	CU_ASSERT_FATAL(plog_open(g_dir, &c, rp, -1, &l, err, sizeof(err)) == 0);
	CU_ASSERT_EQUAL(plog_end_offset(l), g_st1.leo);
	CU_ASSERT_EQUAL(plog_check(l, err, sizeof(err)), -1); /* plog_check does see it */
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "CRC"));
	plog_close(l);
	/* while a recovery point of 0 scans everything and truncates there */
	l = open_log(&c, 0, -1);
	CU_ASSERT_EQUAL(plog_end_offset(l), m.b[1].base);
	plog_close(l);
}

/* ---- Retention ------------------------------------------------------------------------------- */

/* One batch per segment: segment.bytes is the size of one batch. */
static struct plog *one_per_segment(struct log_config *c, int nb, struct model *m)
{
	struct tbatch probe = make_batch(2, 0, 10, 100);
	*c = small_cfg();
	c->segment_bytes = (int64_t)probe.len;
	free(probe.p);
	struct plog *l = open_log(c, 0, -1);
	for (int i = 0; i < nb; i++)
		append_raw(l, make_batch(2, 1000 * (i + 1), 10, 100), 1, m);
	CU_ASSERT_EQUAL(l->n, (size_t)nb);
	CHECK_LOG(l);
	return l;
}

/* expect_rolled: the active segment had expired and was rolled before deletion. */
static void run_retention_rolled(struct plog *l, int64_t now, size_t expect_deleted,
                                 size_t expect_rolled)
{
	int64_t bases[64];
	size_t n0 = l->n;
	char p[256];
	for (size_t i = 0; i < n0; i++)
		bases[i] = l->segs[i]->base;
	struct log_delete_job *j = plog_retention_prepare(l, now);
	CU_ASSERT_EQUAL(l->n, n0 + expect_rolled - expect_deleted);
	CU_ASSERT_EQUAL(j != NULL, expect_deleted > 0);
	CHECK_LOG(l);
	for (size_t i = 0; i < expect_deleted; i++) {
		seg_file(bases[i], ".log", p, sizeof(p));
		CU_ASSERT_FALSE(exists(p));
		seg_file(bases[i], ".log.deleted", p, sizeof(p));
		CU_ASSERT_TRUE(exists(p));
	}
	if (j)
		log_delete_run(j);
	for (size_t i = 0; i < expect_deleted; i++) {
		seg_file(bases[i], ".log.deleted", p, sizeof(p));
		CU_ASSERT_FALSE(exists(p));
	}
	CU_ASSERT(plog_start_offset(l) >= l->segs[0]->base);
}

static void run_retention(struct plog *l, int64_t now, size_t expect_deleted)
{
	run_retention_rolled(l, now, expect_deleted, 0);
}

static void test_retention_time(void)
{
	struct log_config c;
	struct model m = {.n = 0};
	struct plog *l = one_per_segment(&c, 5, &m); /* max timestamps 1010, 2010, ... 5010 */

	l->cfg.retention_ms = 1500;
	run_retention(l, 3000, 1);  /* 3000 - 1010 > 1500 only */
	run_retention(l, 3000, 0);
	run_retention(l, 4000, 1);  /* 4000 - 2010 > 1500 */
	/* Everything has expired: the active segment is rolled so that it can go too (Kafka's
	 * rule), leaving an empty active segment at the LEO. */
	run_retention_rolled(l, 1000000, 3, 1);
	CU_ASSERT_EQUAL(l->n, 1);
	CU_ASSERT_EQUAL(l->segs[0]->size, 0);
	run_retention(l, 1000000, 0);
	CU_ASSERT_EQUAL(plog_start_offset(l), 10);
	CU_ASSERT_EQUAL(plog_end_offset(l), 10);
	CU_ASSERT_EQUAL(app(l, 1, 1, 10, 1, NULL), 10);
	CHECK_LOG(l);
	plog_close(l);
}

static void test_retention_size(void)
{
	struct log_config c;
	struct model m = {.n = 0};
	struct plog *l = one_per_segment(&c, 5, &m);
	int64_t sz = m.b[0].size;

	l->cfg.retention_bytes = sz * 5 / 2;
	run_retention(l, 0, 2); /* 5 -> 3 segments: 3 sz >= 2.5 sz, 2 sz would be below */
	CU_ASSERT_EQUAL(plog_size_bytes(l), 3 * sz);
	l->cfg.retention_bytes = 0;
	run_retention(l, 0, 2);
	l->cfg.retention_bytes = -1;
	plog_close(l);
}

static void test_retention_log_start(void)
{
	struct log_config c;
	struct model m = {.n = 0};
	struct plog *l = one_per_segment(&c, 5, &m);

	CU_ASSERT_EQUAL(plog_advance_start(l, 5), KERR_NONE); /* inside segment 2 (offsets 4, 5) */
	run_retention(l, 0, 2);
	CU_ASSERT_EQUAL(plog_start_offset(l), 5);
	CU_ASSERT_EQUAL(plog_advance_start(l, 10), KERR_NONE); /* the LEO: all but the active */
	run_retention(l, 0, 2);
	CU_ASSERT_EQUAL(plog_start_offset(l), 10);
	plog_close(l);
}

static void test_read_survives_delete(void)
{
	struct log_config c;
	struct model m = {.n = 0};
	struct plog *l = one_per_segment(&c, 3, &m);
	struct log_read r;
	char p[256];

	CU_ASSERT_EQUAL(plog_read(l, 1, 100000, true, plog_end_offset(l), &r), KERR_NONE);
	CU_ASSERT_EQUAL(r.first_offset, 0);
	CU_ASSERT_EQUAL(plog_advance_start(l, 2), 0);
	struct log_delete_job *j = plog_retention_prepare(l, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	log_delete_run(j);
	seg_file(0, ".log.deleted", p, sizeof(p));
	CU_ASSERT_FALSE(exists(p));
	uint8_t *buf = malloc(r.len);
	CU_ASSERT(pread(r.fd, buf, r.len, r.pos) == (ssize_t)r.len); /* still readable */
	CU_ASSERT_EQUAL(batch_validate(buf, r.len, 1 << 20, NULL), KERR_NONE);
	free(buf);
	log_segment_unref(r.seg); /* the last reference: closes the descriptor */
	CU_ASSERT(fcntl(r.fd, F_GETFD) == -1 || r.fd == l->segs[0]->fd);
	CHECK_LOG(l);
	plog_close(l);
}

/* ---- Truncation, flush, delete ------------------------------------------------------------- */

static void test_truncate(void)
{
	struct log_config c = small_cfg();
	struct model m = {.n = 0};
	struct plog *l = build_log(&c, 80, &m);
	size_t v = m.n / 2;
	char p[256];
	int64_t last_base = plog_active(l)->base;

	CU_ASSERT(l->n >= 4);
	CU_ASSERT_EQUAL(plog_truncate_to(l, plog_end_offset(l) + 5), KERR_NONE); /* no-op */
	CU_ASSERT_EQUAL(plog_truncate_to(l, m.b[v].last), KERR_NONE); /* inside a batch: all of it */
	CU_ASSERT_EQUAL(plog_end_offset(l), m.b[v].base);
	CU_ASSERT_EQUAL(l->n, m.b[v].seg + 1);
	CHECK_LOG(l);
	CU_ASSERT_EQUAL(app(l, 2, 1, 10, 1, NULL), m.b[v].base);
	CHECK_LOG(l);
	/* at a segment's base: the segment stays, empty, as the active one */
	int64_t b1 = l->segs[1]->base;
	CU_ASSERT_EQUAL(plog_truncate_to(l, b1), KERR_NONE);
	CU_ASSERT(l->n == 2 && plog_active(l)->size == 0 && plog_end_offset(l) == b1);
	CHECK_LOG(l);
	struct log_delete_job *j = plog_retention_prepare(l, 0); /* unlinks the dropped files */
	CU_ASSERT_PTR_NOT_NULL(j);
	log_delete_run(j);
	seg_file(last_base, ".log", p, sizeof(p));
	CU_ASSERT_FALSE(exists(p));
	seg_file(last_base, ".log.deleted", p, sizeof(p));
	CU_ASSERT_FALSE(exists(p));
	CU_ASSERT_EQUAL(app(l, 1, 1, 10, 1, NULL), b1);
	CHECK_LOG(l);
	/* offset 2 lies inside batch 1 (offsets 1..2): truncation drops the whole batch */
	CU_ASSERT_EQUAL(plog_advance_start(l, 3), 0);
	CU_ASSERT_EQUAL(plog_truncate_to(l, 2), KERR_NONE);
	CU_ASSERT_EQUAL(plog_end_offset(l), 1);
	CU_ASSERT_EQUAL(plog_start_offset(l), 1);
	CU_ASSERT_EQUAL(l->n, 1);
	CHECK_LOG(l);
	CU_ASSERT_EQUAL(app(l, 1, 1, 10, 1, NULL), 1);
	CHECK_LOG(l);
	plog_close(l);
}

static void test_truncate_fully(void)
{
	struct log_config c;
	struct model m = {.n = 0};
	struct plog *l = one_per_segment(&c, 4, &m);

	CU_ASSERT_EQUAL(plog_advance_start(l, 4), 0);
	run_retention(l, 0, 2); /* first segment now starts at 4 */
	CU_ASSERT_EQUAL(plog_truncate_to(l, 3), KERR_NONE);
	CU_ASSERT_EQUAL(l->n, 1);
	CU_ASSERT(plog_end_offset(l) == 3 && plog_start_offset(l) == 3);
	CU_ASSERT_EQUAL(plog_recovery_point(l), 3);
	CHECK_LOG(l);
	CU_ASSERT_EQUAL(app(l, 2, 1, 10, 1, NULL), 3);
	CHECK_LOG(l);
	struct log_delete_job *j = plog_retention_prepare(l, 0);
	CU_ASSERT_PTR_NOT_NULL(j);
	log_delete_run(j);
	save_state(l, &g_st1);
	plog_close(l);
	l = open_log(&c, 0, 3);
	save_state(l, &g_st2);
	CU_ASSERT_TRUE(same_state(&g_st1, &g_st2));
	plog_close(l);
}

static void test_flush(void)
{
	struct log_config c = small_cfg();
	struct plog *l = build_log(&c, 30, NULL);

	CU_ASSERT_EQUAL(plog_recovery_point(l), 0);
	struct log_flush_job *j = plog_flush_prepare(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_PTR_NULL(plog_flush_prepare(l)); /* one at a time */
	app(l, 1, 1, 10, 1, NULL);                 /* appended after prepare: not covered */
	CU_ASSERT_EQUAL(log_flush_run(j), 0);
	plog_flush_complete(l, j, 0);
	CU_ASSERT_EQUAL(plog_recovery_point(l), plog_end_offset(l) - 1);
	CU_ASSERT_EQUAL(plog_unflushed_messages(l), 1);
	flush_all(l);
	CU_ASSERT_EQUAL(plog_unflushed_messages(l), 0);
	CU_ASSERT_PTR_NULL(plog_flush_prepare(l)); /* nothing to do */
	for (size_t i = 0; i + 1 < l->n; i++)     /* flushed inactive segments: no index fds */
		CU_ASSERT(l->segs[i]->ofd < 0 && l->segs[i]->tfd < 0);
	/* a truncation while a flush is in flight: the flush does not move the recovery point */
	int64_t rp = plog_recovery_point(l);
	app(l, 3, 1, 10, 1, NULL);
	j = plog_flush_prepare(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(plog_truncate_to(l, rp + 1), 0);
	app(l, 3, 1, 10, 1, NULL);
	plog_flush_complete(l, j, log_flush_run(j));
	CU_ASSERT_EQUAL(plog_recovery_point(l), rp);
	/* a failed flush leaves everything to the next one */
	j = plog_flush_prepare(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	plog_flush_complete(l, j, -5);
	CU_ASSERT_EQUAL(plog_recovery_point(l), rp);
	flush_all(l);
	CU_ASSERT_EQUAL(plog_recovery_point(l), plog_end_offset(l));
	/* truncating into a flushed inactive segment reopens its index files */
	CU_ASSERT_EQUAL(plog_truncate_to(l, l->segs[0]->next_offset - 1), KERR_NONE);
	app(l, 1, 1, 10, 1, NULL);
	CHECK_LOG(l);
	plog_close(l);
}

static void test_delete_partition(void)
{
	struct log_config c = small_cfg();
	struct plog *l = build_log(&c, 30, NULL);
	struct log_read r;

	CU_ASSERT_EQUAL(plog_read(l, 0, 1000, true, plog_end_offset(l), &r), KERR_NONE);
	struct log_delete_job *j = plog_delete_prepare(l);
	CU_ASSERT_FALSE(exists(g_dir)); /* renamed to <dir>.<hex>-delete at once */
	log_delete_run(j);
	CU_ASSERT(pread(r.fd, &(uint8_t){0}, 1, r.pos) == 1);
	log_segment_unref(r.seg);
	CU_ASSERT_EQUAL(rmdir(g_root), 0); /* nothing left behind */
	CU_ASSERT_EQUAL(mkdir(g_root, 0700), 0);
}

/* ---- Checkpoints ----------------------------------------------------------------------------- */

static void test_checkpoint(void)
{
	char path[256];
	struct ckpt_entry in[3] = {{"orders", 0, 42}, {"orders", 11, 0}, {"a.b-c_d", 3, INT64_MAX}};
	struct ckpt_entry *out;
	int n;

	snprintf(path, sizeof(path), "%s/recovery-point-offset-checkpoint", g_root);
	CU_ASSERT_EQUAL(ckpt_read(path, &out, &n), 0); /* missing */
	CU_ASSERT(n == 0 && out == NULL);
	CU_ASSERT_EQUAL(ckpt_write(path, in, 3), 0);
	CU_ASSERT_EQUAL(ckpt_read(path, &out, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_STRING_EQUAL(out[i].topic, in[i].topic);
		CU_ASSERT_EQUAL(out[i].partition, in[i].partition);
		CU_ASSERT_EQUAL(out[i].offset, in[i].offset);
	}
	ckpt_free(out, n);
	char tmp[300];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CU_ASSERT_FALSE(exists(tmp));
	CU_ASSERT_EQUAL(ckpt_write(path, NULL, 0), 0);
	CU_ASSERT(ckpt_read(path, &out, &n) == 0 && n == 0);
	ckpt_free(out, n);

	static const char *const bad[] = {
		"", "1\n0\n", "0\n", "0\n1\n", "0\n2\nt 0 1\n", "0\n1\nt 0 1\nt 1 2\n",
		"0\n1\nt 0\n", "0\n1\nt x 1\n", "0\n1\nt 0 1x\n", "0\n1\n 0 1\n", "0\n1\nt  0 1\n",
		"0\n1\nt 0 1", "0\n-1\n", "0\n1\nt -1 5\n", "0\n1\nt 0 99999999999999999999\n",
		"0\nabc\n", "0\n1\nt 0 1 2\n",
	};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		write_file(path, bad[i], strlen(bad[i]), false);
		out = (void *)1;
		n = 7;
		CU_ASSERT_EQUAL(ckpt_read(path, &out, &n), -1);
		CU_ASSERT(n == 0 && out == NULL);
	}
	char longline[3000];
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "0\n1\n", 4);
	memcpy(longline + sizeof(longline) - 6, " 0 1\n", 5);
	write_file(path, longline, sizeof(longline) - 1, false);
	CU_ASSERT_EQUAL(ckpt_read(path, &out, &n), -1);
}

void suite_log(void)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown("log", NULL, NULL,
	                                                    fixture_setup, fixture_teardown);

	CU_add_test(s, "batch_validate: every error path", test_validate);
	CU_add_test(s, "append: offsets, baseOffset and epoch patched, CRC intact",
	            test_append_offsets);
	CU_add_test(s, "append: a failed write changes nothing", test_append_failure);
	CU_add_test(s, "index descriptors open with the first entry", test_index_fds_lazy);
	CU_add_test(s, "append: LogAppendTime rewrites maxTimestamp and CRC", test_log_append_time);
	CU_add_test(s, "roll by segment.bytes", test_roll_bytes);
	CU_add_test(s, "roll by segment.ms", test_roll_ms);
	CU_add_test(s, "roll when relative offsets would overflow", test_roll_offset_range);
	CU_add_test(s, "index entries every index.interval.bytes", test_index_entries);
	CU_add_test(s, "read at every offset, max_bytes, min_one, upto", test_read_every_offset);
	CU_add_test(s, "offset for timestamp, max timestamp", test_timestamps);
	CU_add_test(s, "reopen gives identical state", test_reopen);
	CU_add_test(s, "empty directory, empty active segment", test_empty_dir_and_segment);
	CU_add_test(s, "recovery: torn, garbage, zeroed, flipped tails", test_recover_tail);
	CU_add_test(s, "recovery: corrupt middle batch drops the rest", test_recover_middle);
	CU_add_test(s, "recovery: missing and corrupt indexes", test_recover_indexes);
	CU_add_test(s, "recovery: leftovers and foreign files", test_recover_extra_files);
	CU_add_test(s, "recovery: gap between segments", test_recover_gap);
	CU_add_test(s, "recovery point: flushed data not scanned", test_recovery_point);
	CU_add_test(s, "retention by time", test_retention_time);
	CU_add_test(s, "retention by size", test_retention_size);
	CU_add_test(s, "retention below the log start", test_retention_log_start);
	CU_add_test(s, "a read reference survives deletion", test_read_survives_delete);
	CU_add_test(s, "truncate_to", test_truncate);
	CU_add_test(s, "truncate below the first segment", test_truncate_fully);
	CU_add_test(s, "flush job moves the recovery point", test_flush);
	CU_add_test(s, "delete a partition directory", test_delete_partition);
	CU_add_test(s, "checkpoint files", test_checkpoint);
}

/* log_harness.h — what the log test suites share: a temporary directory per test, file
 * helpers, a builder of valid magic-2 batches, and log open/check/flush wrappers that assert.
 *
 * Every test works on real files in a fresh mkdtemp() directory g_root (removed afterwards);
 * the partition directory is g_dir = g_root/orders-0. */
#ifndef KB_TEST_LOG_HARNESS_H
#define KB_TEST_LOG_HARNESS_H

#include <CUnit/CUnit.h>
#include <stdio.h>

#include "log/log_int.h"

extern char g_root[64];
extern char g_dir[128];

void fixture_setup(void);
void fixture_teardown(void);
void rm_tree(const char *path); /* a directory and everything in it */

void seg_file(int64_t base, const char *suffix, char *buf, size_t n);
bool exists(const char *p);
int64_t file_size(const char *p);
void flip_byte(const char *p, int64_t pos);
void write_file(const char *p, const void *data, size_t len, bool append);

/* A batch built here (malloc'ed; the caller frees p). */
struct tbatch {
	uint8_t *p;
	size_t len;
};
void fix_crc(uint8_t *p, size_t len);
/* n records; record i has timestamp ts0 + i * step and a vlen-byte value. Base offset 0,
 * partitionLeaderEpoch -1, no producer. */
struct tbatch make_batch(int n, int64_t ts0, int64_t step, size_t vlen);

#define CHECK_LOG(l)                                                                       \
	do {                                                                                   \
		char e_[512];                                                                      \
		int rc_ = plog_check(l, e_, sizeof(e_));                                           \
		if (rc_)                                                                           \
			fprintf(stderr, "\nplog_check (line %d): %s\n", __LINE__, e_);                 \
		CU_ASSERT_EQUAL(rc_, 0);                                                           \
	} while (0)

/* segment.bytes 4096, index.interval.bytes 256, no retention by time. */
struct log_config small_cfg(void);
/* plog_open of g_dir that must succeed; the log passes plog_check. */
struct plog *open_log(const struct log_config *c, int64_t rp, int64_t start);
/* Prepares, runs and completes a flush job (if there is anything to do). */
void flush_all(struct plog *l);

#endif

/* log_harness.c — shared fixtures of the log test suites (log_harness.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_harness.h"

#include "../../common/varint.h"

/* ---- Fixture: a temporary directory ---------------------------------------------------------- */

char g_root[64];
char g_dir[128];

void fixture_setup(void)
{
	strcpy(g_root, "/tmp/kblog-test.XXXXXX");
	if (!mkdtemp(g_root))
		abort();
	snprintf(g_dir, sizeof(g_dir), "%s/orders-0", g_root);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

void rm_tree(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

void fixture_teardown(void)
{
	rm_tree(g_root);
}

void seg_file(int64_t base, const char *suffix, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%020" PRId64 "%s", g_dir, base, suffix);
}

bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

int64_t file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? st.st_size : -1;
}

void flip_byte(const char *p, int64_t pos)
{
	int fd = open(p, O_RDWR);
	uint8_t b = 0;
	CU_ASSERT_FATAL(fd >= 0 && pread(fd, &b, 1, pos) == 1);
	b ^= 0x5a;
	CU_ASSERT(pwrite(fd, &b, 1, pos) == 1);
	close(fd);
}

void write_file(const char *p, const void *data, size_t len, bool append)
{
	int fd = open(p, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, data, len) == (ssize_t)len);
	close(fd);
}

/* ---- Batches --------------------------------------------------------------------------------- */

static size_t put_varint(uint8_t *p, int64_t v)
{
	return (size_t)(kb_varint_put(p, v) - p);
}

void fix_crc(uint8_t *p, size_t len)
{
	be32_put(p + RB_CRC, crc32c(0, p + RB_ATTRIBUTES, len - RB_ATTRIBUTES));
}

static size_t put_record(uint8_t *p, int i, int64_t ts_delta, size_t vlen)
{
	uint8_t *body = malloc(vlen + 32);
	size_t b = 0, n;
	body[b++] = 0;
	b += put_varint(body + b, ts_delta);
	b += put_varint(body + b, i);
	b += put_varint(body + b, -1);
	b += put_varint(body + b, (int64_t)vlen);
	memset(body + b, 'a' + i % 26, vlen);
	b += vlen;
	b += put_varint(body + b, 0);
	n = put_varint(p, (int64_t)b);
	memcpy(p + n, body, b);
	free(body);
	return n + b;
}

struct tbatch make_batch(int n, int64_t ts0, int64_t step, size_t vlen)
{
	uint8_t *p = calloc(1, RB_HEADER_SIZE + (size_t)n * (vlen + 48));
	size_t off = RB_HEADER_SIZE;
	int64_t max = ts0;
	for (int i = 0; i < n; i++) {
		off += put_record(p + off, i, i * step, vlen);
		max = KB_MAX(max, ts0 + i * step);
	}
	be64_put(p + RB_BASE_OFFSET, 0);
	be32_put(p + RB_LENGTH, (uint32_t)(off - RB_LOG_OVERHEAD));
	be32_put(p + RB_LEADER_EPOCH, (uint32_t)-1);
	p[RB_MAGIC] = 2;
	be16_put(p + RB_ATTRIBUTES, 0);
	be32_put(p + RB_LAST_OFFSET_DELTA, (uint32_t)(n - 1));
	be64_put(p + RB_BASE_TIMESTAMP, (uint64_t)ts0);
	be64_put(p + RB_MAX_TIMESTAMP, (uint64_t)max);
	be64_put(p + RB_PRODUCER_ID, (uint64_t)-1);
	be16_put(p + RB_PRODUCER_EPOCH, (uint16_t)-1);
	be32_put(p + RB_BASE_SEQUENCE, (uint32_t)-1);
	be32_put(p + RB_RECORDS_COUNT, (uint32_t)n);
	fix_crc(p, off);
	return (struct tbatch){p, off};
}

/* ---- Logs ------------------------------------------------------------------------------------ */

struct log_config small_cfg(void)
{
	struct log_config c;
	log_config_defaults(&c);
	c.segment_bytes = 4096;
	c.index_interval_bytes = 256;
	c.retention_ms = -1;
	return c;
}

struct plog *open_log(const struct log_config *c, int64_t rp, int64_t start)
{
	char err[512];
	struct plog *l = NULL;
	int rc = plog_open(g_dir, c, rp, start, &l, err, sizeof(err));
	if (rc)
		fprintf(stderr, "\nplog_open: %s\n", err);
	CU_ASSERT_FATAL(rc == 0 && l != NULL);
	CHECK_LOG(l);
	return l;
}

void flush_all(struct plog *l)
{
	struct log_flush_job *j = plog_flush_prepare(l);
	if (j)
		plog_flush_complete(l, j, log_flush_run(j));
	CHECK_LOG(l);
}

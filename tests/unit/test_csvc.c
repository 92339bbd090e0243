/* test_csvc.c — the replay walk of server/coordsvc/csvc.c (csvc_walk_batches) over real
 * batches built by log/records: offsets before `next` skipped, null keys skipped, header
 * fields (producer id/epoch, transactional, control) passed with each record, a trailing
 * partial batch left for the next read, an unreadable batch skipped whole, compressed batches. */
#include "../../common/kb.h"
#include "../../log/log.h"
#include "../../server/coordsvc/csvc.h"

#include <CUnit/CUnit.h>
#include <string.h>

void suite_csvc(void);

struct seen {
	int64_t offsets[64];
	int64_t pids[64];
	bool control[64], txn[64];
	char keys[64][8];
	int n;
	int64_t bad[8];
	int nbad;
};

static void on_record(void *arg, const struct csvc_batch *bt, const struct rc_record *r)
{
	struct seen *s = arg;
	if (s->n >= 64)
		return;
	s->offsets[s->n] = r->offset;
	s->pids[s->n] = bt->producer_id;
	s->control[s->n] = bt->control;
	s->txn[s->n] = bt->transactional;
	snprintf(s->keys[s->n], sizeof(s->keys[0]), "%.*s", (int)r->key_len, (const char *)r->key);
	s->n++;
}

static void on_bad(void *arg, int64_t base)
{
	struct seen *s = arg;
	if (s->nbad < 8)
		s->bad[s->nbad++] = base;
}

/* Appends one batch of n records with keys "k<offset>" (NULL keys where null_key[i]). */
static void add_batch(uint8_t **buf, size_t *len, int64_t base, int n, int16_t attrs,
                      int64_t pid, int codec, const bool *null_key)
{
	struct rc_build_record recs[8];
	char keys[8][8];
	for (int i = 0; i < n; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", (int)(base + i));
		bool nk = null_key && null_key[i];
		recs[i] = (struct rc_build_record){.offset_delta = i, .timestamp = 1000 + i,
		                                   .key = nk ? NULL : (const uint8_t *)keys[i],
		                                   .key_len = nk ? -1 : (int32_t)strlen(keys[i]),
		                                   .value = (const uint8_t *)"v", .value_len = 1};
	}
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	bp.base_offset = base;
	bp.attributes = attrs;
	bp.producer_id = pid;
	bp.producer_epoch = pid >= 0 ? 3 : -1;
	uint8_t *b = NULL;
	size_t blen = 0;
	CU_ASSERT_EQUAL_FATAL(rc_batch_build(&bp, recs, n, codec, 1 << 20, &b, &blen), RC_OK);
	*buf = kb_realloc(*buf, *len + blen);
	memcpy(*buf + *len, b, blen);
	*len += blen;
	kb_free(b);
}

static void test_walk_offsets_and_headers(void)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	add_batch(&buf, &len, 0, 3, 0, -1, 0, NULL);
	bool nulls[2] = {false, true};
	add_batch(&buf, &len, 3, 2, 0x10, 42, 0, nulls);        /* transactional */
	add_batch(&buf, &len, 5, 1, 0x30, 42, 0, NULL);         /* control */
	add_batch(&buf, &len, 6, 4, 0, -1, 3 /* lz4 */, NULL);
	struct seen s = {0};
	struct csvc_walk wk = {on_record, on_bad, &s};
	/* From offset 1: record 0 skipped, 4 has a null key. */
	CU_ASSERT_EQUAL(csvc_walk_batches(buf, len, 1, 1 << 20, &wk), 10);
	int64_t want[] = {1, 2, 3, 5, 6, 7, 8, 9};
	CU_ASSERT_EQUAL_FATAL(s.n, 8);
	for (int i = 0; i < 8; i++) {
		CU_ASSERT_EQUAL(s.offsets[i], want[i]);
		char k[8];
		snprintf(k, sizeof(k), "k%d", (int)want[i]);
		CU_ASSERT_STRING_EQUAL(s.keys[i], k);
	}
	CU_ASSERT(!s.txn[0] && s.pids[0] == -1);
	CU_ASSERT(s.txn[2] && !s.control[2] && s.pids[2] == 42);
	CU_ASSERT(s.txn[3] && s.control[3]);
	CU_ASSERT(!s.txn[4] && !s.control[4]);
	CU_ASSERT_EQUAL(s.nbad, 0);
	kb_free(buf);
}

static void test_walk_partial_and_corrupt(void)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	add_batch(&buf, &len, 10, 2, 0, -1, 0, NULL);
	size_t first = len;
	add_batch(&buf, &len, 12, 2, 0, -1, 0, NULL);
	add_batch(&buf, &len, 14, 2, 0, -1, 0, NULL);
	struct seen s = {0};
	struct csvc_walk wk = {on_record, on_bad, &s};
	/* The third batch cut short: walked up to the end of the second. */
	CU_ASSERT_EQUAL(csvc_walk_batches(buf, len - 1, 10, 1 << 20, &wk), 14);
	CU_ASSERT_EQUAL(s.n, 4);
	/* Nothing whole (less than a header, or a cut first batch): `next` comes back. */
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(csvc_walk_batches(buf, 30, 10, 1 << 20, &wk), 10);
	CU_ASSERT_EQUAL(csvc_walk_batches(buf, first - 1, 10, 1 << 20, &wk), 10);
	CU_ASSERT_EQUAL(s.n, 0);
	/* The second batch unreadable (magic 1): skipped whole, the walk goes on. */
	buf[first + RB_MAGIC] = 1;
	CU_ASSERT_EQUAL(csvc_walk_batches(buf, len, 10, 1 << 20, &wk), 16);
	CU_ASSERT_EQUAL(s.nbad, 1);
	CU_ASSERT_EQUAL(s.bad[0], 12);
	CU_ASSERT_EQUAL(s.n, 4);
	CU_ASSERT_EQUAL(s.offsets[2], 14);
	/* A batch length pointing past the buffer ends the walk there. */
	memset(&s, 0, sizeof(s));
	buf[first + RB_LENGTH] = 0x7f;
	CU_ASSERT_EQUAL(csvc_walk_batches(buf, len, 10, 1 << 20, &wk), 12);
	CU_ASSERT_EQUAL(s.n, 2);
	kb_free(buf);
}

void suite_csvc(void)
{
	CU_pSuite s = CU_add_suite("csvc", NULL, NULL);
	CU_add_test(s, "walk: offsets, null keys, batch headers, compression",
	            test_walk_offsets_and_headers);
	CU_add_test(s, "walk: partial, unreadable and overlong batches",
	            test_walk_partial_and_corrupt);
}

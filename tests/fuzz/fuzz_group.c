/* fuzz_group — what the group coordinator decodes from __consumer_offsets: offset and group
 * metadata records (replayed when a broker becomes coordinator; a corrupt or foreign record
 * must be skipped, never crash the load), consumer subscriptions in JoinGroup metadata, and a
 * whole replay into a coordinator (with transactional and control batches) followed by the
 * views, transaction completions and expiry a broker runs on it.
 *
 * Input: byte 0 picks the mode; the rest is a sequence of records, each
 *   u16 key length, key bytes, i32 value length (-1: tombstone), value bytes.
 * Mode 2 takes the rest as one subscription blob. */
#include "common/kerr.h"
#include "group/group.h"
#include "tests/fuzz/fuzz_recs.h"

#include <string.h>

static void decode_only(struct rd *r)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	while (next_rec(r, &k, &kl, &v, &vl)) {
		struct group_offset_rec off;
		struct group_meta_rec meta;
		memset(&meta, 0, sizeof(meta));
		int t = group_rec_decode(k, kl, v, vl, &off, &meta);
		if (t == GROUP_REC_GROUP)
			group_meta_rec_free(&meta);
	}
}

static int64_t now(void *arg)
{
	(void)arg;
	return 1700000000000LL;
}

static int16_t append(void *arg, uint64_t token, const struct group_append_rec *recs, int n)
{
	(void)arg, (void)token, (void)recs, (void)n;
	return KERR_NOT_LEADER_OR_FOLLOWER; /* expiry's tombstones fail at once */
}

static void view(void *arg, const struct group_view *g)
{
	int *n = arg;
	*n += g->nmembers;
}

static void replay(struct rd *r)
{
	struct group_config cfg = {.min_session_timeout_ms = 1, .max_session_timeout_ms = 100000,
	                           .max_size = 1000, .offset_metadata_max_bytes = 4096,
	                           .offsets_retention_ms = 1000, .seed = 1};
	struct group_io io = {.now_ms = now, .append = append};
	struct group_coord *c = group_coord_new(&cfg, &io);
	const uint8_t *k, *v;
	size_t kl, vl;
	/* The batch of each record comes from its key length (seeds stay valid): plain,
	 * transactional of one of 4 producers, or a control record of one of them. */
	while (next_rec(r, &k, &kl, &v, &vl)) {
		struct group_load_batch b = {(int64_t)(kl / 5 % 4), kl % 5 == 3, kl % 5 == 4};
		(void)group_load_record_in(c, kl % 5 >= 3 ? &b : NULL, k, kl, v, vl);
	}
	group_load_done(c);
	group_txn_complete(c, 1, true);
	group_txn_complete(c, 2, false);
	int members = 0;
	group_foreach(c, view, &members);
	group_tick(c, now(NULL) + 200000);
	(void)group_expire_offsets(c);
	group_coord_free(c);
}

static void topic(void *arg, struct kp_str t)
{
	size_t *n = arg;
	*n += (size_t)(t.len > 0 ? t.len : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct rd r = {data + 1, data + size};
	switch (data[0] % 3) {
	case 0: decode_only(&r); break;
	case 1: replay(&r); break;
	default: {
		size_t n = 0;
		(void)group_subscription_topics((struct kp_bytes){data + 1, (int32_t)(size - 1), NULL},
		                                topic, &n);
		break;
	}
	}
	return 0;
}

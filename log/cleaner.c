/* cleaner.c — log compaction: the key map, one cleaning pass, the swap. Contract in log.h
 * (Compaction); the rules follow C2-C6 of shared/reference/exactly-once-and-compaction.md.
 *
 * Threads: plog_clean_prepare and plog_clean_complete run on the loop; log_clean_run on a
 * cleaner thread and touches only the job: the segments it holds references to (their .log
 * descriptors, read with pread: appends never reach a non-active segment) and the new files.
 *
 * Memory of a pass: the key map (at most map_bytes), one batch read buffer and its decoded
 * records (each at most CLEAN_MAX_BATCH_BYTES), an output buffer of CLEAN_OUT_FLUSH bytes,
 * the new segments' in-memory indexes, and the transactions' state (cleaner_txn.h: copies of
 * the aborted-transaction entries and of the producer state, a set of producer ids).
 */
#include "cleaner_txn.h"
#include "log_int.h"
#include "records.h"

#include "../common/say.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Largest batch the cleaner reads, and largest decoded records section it builds: a bigger
 * one is copied unchanged (data is never lost because the cleaner cannot look inside). */
#define CLEAN_MAX_BATCH_BYTES ((size_t)64 << 20)
#define CLEAN_OUT_FLUSH ((size_t)1 << 20) /* output is written in pieces of about this size */
#define KMAP_SLOT_BYTES 24                 /* 16-byte key hash + 8-byte offset, as Kafka's */

/* ---- Key map: open addressing over 128-bit key hashes ------------------------------------ */

struct kmap_slot {
	uint64_t h1, h2;
	int64_t off1; /* offset + 1; 0 = empty */
};
_Static_assert(sizeof(struct kmap_slot) == KMAP_SLOT_BYTES, "slot size");

struct kmap {
	struct kmap_slot *s;
	size_t slots, n, max;
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t rotl64(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

/* Two independently mixed 64-bit lanes: a collision (two keys taken for one) needs both. */
static void key_hash(const uint8_t *k, size_t n, uint64_t *h1, uint64_t *h2)
{
	uint64_t a = 0x9e3779b97f4a7c15ULL ^ n, b = 0xc2b2ae3d27d4eb4fULL + n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, k + i, 8);
		a = mix64(a ^ w);
		b = rotl64((b ^ w) * 0x100000001b3ULL, 29) + 0x165667b19e3779f9ULL;
	}
	w = 0;
	if (n > i)
		memcpy(&w, k + i, n - i);
	a = mix64(a ^ w ^ ((uint64_t)(n - i) << 56));
	b = mix64(b ^ rotl64(w, 17) ^ 0x27d4eb2f165667c5ULL);
	*h1 = a;
	*h2 = b ^ rotl64(a, 23);
}

static int kmap_init(struct kmap *m, int64_t bytes, double load)
{
	m->slots = bytes > 0 ? (size_t)(bytes / KMAP_SLOT_BYTES) : 0;
	m->max = (size_t)((double)m->slots * load);
	m->n = 0;
	if (m->max < 1 || m->max >= m->slots + 1) {
		m->s = NULL;
		return -1;
	}
	m->max = KB_MIN(m->max, m->slots - 1); /* a probe always ends at an empty slot */
	m->s = kb_calloc(m->slots, sizeof(*m->s));  /* untouched pages cost nothing */
	return 0;
}

static struct kmap_slot *kmap_find(const struct kmap *m, uint64_t h1, uint64_t h2)
{
	size_t i = (size_t)(h1 % m->slots);
	for (;;) {
		struct kmap_slot *s = &m->s[i];
		if (s->off1 == 0 || (s->h1 == h1 && s->h2 == h2))
			return s;
		i = i + 1 == m->slots ? 0 : i + 1;
	}
}

static void kmap_put(struct kmap *m, const uint8_t *key, size_t n, int64_t off)
{
	uint64_t h1, h2;
	key_hash(key, n, &h1, &h2);
	struct kmap_slot *s = kmap_find(m, h1, h2);
	if (s->off1 == 0) {
		KB_ASSERT(m->n < m->max);
		m->n++;
		s->h1 = h1;
		s->h2 = h2;
	}
	s->off1 = off + 1;
}

static int64_t kmap_get(const struct kmap *m, const uint8_t *key, size_t n)
{
	uint64_t h1, h2;
	key_hash(key, n, &h1, &h2);
	return kmap_find(m, h1, h2)->off1 - 1; /* -1: absent */
}

/* ---- The job ------------------------------------------------------------------------------ */

struct clean_group {
	size_t from, to;         /* job segments [from, to) */
	struct log_segment *out; /* the new segment (its .cleaned files), NULL once swapped in */
};

struct log_clean_job {
	char *dir;
	struct log_clean_params p;
	struct log_config cfg;
	struct log_segment **segs; /* the cleanable segments, referenced */
	size_t n;
	struct clean_txn txn;      /* aborted transactions, live producers, markers' state */
	size_t first_dirty_idx;
	int64_t first_dirty;
	int64_t uncleanable;       /* base of the first segment not cleanable */
	uint64_t gen;
	struct kmap map;
	int64_t end;               /* records at or above it are not in the map's scope */
	size_t ncleaned;           /* segments [0, ncleaned) are rewritten */
	struct clean_group *groups;
	size_t ngroups, gcap;
	/* run state */
	uint8_t *rbuf;
	size_t rcap;
	uint8_t *obuf;
	size_t olen, ocap;
	int64_t opos;              /* file position of obuf[0] in the current output */
	int64_t t0, io_t0, io_bytes;
	struct log_clean_stats st;
};

int64_t plog_clean_first_dirty(const struct plog *l, int64_t checkpoint)
{
	if (checkpoint < l->log_start || checkpoint > l->leo)
		return l->log_start;
	return checkpoint;
}

/* maxTimestamp of the segment's first batch (C2's needCompactionNow), -1 when unreadable. */
static int64_t first_batch_ts(const struct log_segment *s)
{
	uint8_t b[RB_HEADER_SIZE];
	struct rb_hdr h;
	if (s->size < RB_HEADER_SIZE || pread(s->fd, b, sizeof(b), 0) != (ssize_t)sizeof(b) ||
	    rb_header_parse(b, sizeof(b), &h) == RB_HDR_BAD)
		return -1;
	return h.max_ts;
}

struct log_clean_job *plog_clean_prepare(struct plog *l, const struct log_clean_params *p)
{
	int64_t fd = plog_clean_first_dirty(l, p->first_dirty), clean = 0, dirty = 0;
	bool urgent = false;
	size_t u = 0, fdi = SIZE_MAX;

	if (l->clean_inflight)
		return NULL;
	int64_t lso = plog_lso(l, p->hw); /* C2: nothing at or above it is cleaned */
	for (; u + 1 < l->n; u++) {
		const struct log_segment *s = l->segs[u];
		if (s->next_offset > lso)
			break;
		if (p->min_lag_ms > 0 && p->now_ms - seg_largest_ts(s) < p->min_lag_ms)
			break;
		if (s->next_offset <= fd) {
			clean += s->size;
			continue;
		}
		fdi = KB_MIN(fdi, u);
		dirty += s->size;
		if (!urgent && s->size > 0 && p->max_lag_ms >= 0) {
			int64_t ts = first_batch_ts(s);
			urgent = ts >= 0 && p->now_ms - ts > p->max_lag_ms;
		}
	}
	if (dirty == 0 || fdi == SIZE_MAX)
		return NULL;
	double ratio = (double)dirty / (double)(clean + dirty);
	if (!p->force && !(ratio > p->min_dirty_ratio) && !urgent)
		return NULL;
	struct log_clean_job *j = kb_calloc(1, sizeof(*j));
	j->dir = kb_strdup(l->dir);
	j->p = *p;
	j->cfg = l->cfg;
	j->n = u;
	j->segs = kb_malloc(u * sizeof(*j->segs));
	for (size_t i = 0; i < u; i++) {
		log_segment_ref(l->segs[i]);
		j->segs[i] = l->segs[i];
	}
	j->first_dirty_idx = fdi;
	j->first_dirty = KB_MAX(fd, l->segs[fdi]->base);
	j->uncleanable = l->segs[u]->base;
	clean_txn_prepare(&j->txn, l, j->uncleanable);
	j->gen = l->gen;
	j->st.dirty_ratio = ratio;
	l->clean_inflight = true;
	return j;
}

/* ---- Run: reading ------------------------------------------------------------------------- */

static void throttle(struct log_clean_job *j, int64_t bytes)
{
	j->io_bytes += bytes;
	if (j->p.io_bytes_per_sec <= 0)
		return;
	double due_ms = (double)j->io_bytes * 1000.0 / j->p.io_bytes_per_sec;
	int64_t ahead = (int64_t)due_ms - (kb_mono_ms() - j->io_t0);
	if (ahead > 5) {
		struct timespec ts = {ahead / 1000, (ahead % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

/* Reads the batch at pos of s: 1 with it in j->rbuf and *h, 0 at the end, -1 on an error. */
static int read_batch(struct log_clean_job *j, const struct log_segment *s, int64_t pos,
                      struct rb_hdr *h)
{
	uint8_t hb[RB_HEADER_SIZE];
	if (pos >= s->size)
		return 0;
	if (s->size - pos < RB_HEADER_SIZE ||
	    pread(s->fd, hb, sizeof(hb), (off_t)pos) != (ssize_t)sizeof(hb) ||
	    rb_header_parse(hb, sizeof(hb), h) == RB_HDR_BAD || h->size > s->size - pos ||
	    (size_t)h->size > CLEAN_MAX_BATCH_BYTES) {
		say_warn("log", "%s.log: cleaner cannot read the batch at %" PRId64, s->path, pos);
		return -1;
	}
	KB_GROW(j->rbuf, j->rcap, (size_t)h->size, 64 * 1024);
	for (size_t got = 0; got < (size_t)h->size;) {
		ssize_t k = pread(s->fd, j->rbuf + got, (size_t)h->size - got, (off_t)(pos + got));
		if (k <= 0 && !(k < 0 && errno == EINTR)) {
			say_warn("log", "%s.log: cleaner read failed at %" PRId64, s->path, pos);
			return -1;
		}
		got += k > 0 ? (size_t)k : 0;
	}
	throttle(j, h->size);
	j->st.bytes_read += h->size;
	return 1;
}

/* Adds the keys of the batch in rbuf (records at or above first_dirty) to the map. Control
 * batches and the batches of aborted transactions stay out (C3); committed transactional
 * data enters like plain data (the range ends below the LSO: no transaction there is open). */
static void map_batch(struct log_clean_job *j, const struct rb_hdr *h)
{
	struct rc_iter it;
	struct rc_record r;
	if (h->attrs & RB_ATTR_CONTROL)
		return;
	if ((h->attrs & RB_ATTR_TRANSACTIONAL) &&
	    clean_txn_aborted(&j->txn, h->producer_id, h->base, NULL))
		return;
	if (rc_iter_init(&it, j->rbuf, (size_t)h->size, CLEAN_MAX_BATCH_BYTES) != RC_OK)
		return;
	while (rc_iter_next(&it, &r) == 1)
		if (r.key_len >= 0 && r.offset >= j->first_dirty)
			kmap_put(&j->map, r.key, (size_t)r.key_len, r.offset);
	rc_iter_free(&it);
}

/* The map pass over the dirty segments; sets j->end. -1 when not even one batch fits. */
static int build_map(struct log_clean_job *j)
{
	j->end = j->uncleanable;
	for (size_t i = j->first_dirty_idx; i < j->n; i++) {
		const struct log_segment *s = j->segs[i];
		struct rb_hdr h;
		int rc;
		for (int64_t pos = 0; (rc = read_batch(j, s, pos, &h)) == 1; pos += h.size) {
			if (h.last < j->first_dirty)
				continue;
			if (j->map.n + (size_t)KB_MAX(h.count, 0) > j->map.max) {
				if (j->map.n == 0) {
					say_warn("log", "%s: the cleaner's key map (%zu keys) cannot hold "
					         "one batch of %d records", j->dir, j->map.max, h.count);
					return -1;
				}
				j->end = h.base; /* full: the rest stays dirty for the next pass */
				return 0;
			}
			map_batch(j, &h);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- Run: writing ------------------------------------------------------------------------- */

static void set_crc(uint8_t *b, size_t size)
{
	be32_put(b + RB_CRC, crc32c(0, b + RB_ATTRIBUTES, size - RB_ATTRIBUTES));
}

static int out_flush(struct log_clean_job *j, struct log_segment *out)
{
	size_t done = 0;
	while (done < j->olen) {
		ssize_t k = pwrite(out->fd, j->obuf + done, j->olen - done, (off_t)(j->opos + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			say_warn("log", "%s.log.cleaned: write: %s", out->path, strerror(errno));
			return -1;
		}
		done += (size_t)k;
	}
	throttle(j, (int64_t)j->olen);
	j->opos += (int64_t)j->olen;
	j->olen = 0;
	return 0;
}

/* Appends one finished batch to the new segment (indexes as an append would make them). */
static int emit(struct log_clean_job *j, struct log_segment *out, const uint8_t *b, size_t size)
{
	struct rb_hdr h;
	bool oadd, tadd;
	if (rb_header_parse(b, size, &h) != RB_HDR_OK || out->size + (int64_t)size > INT32_MAX)
		return -1;
	if (j->olen + size > j->ocap && j->olen && out_flush(j, out) < 0)
		return -1;
	KB_GROW(j->obuf, j->ocap, j->olen + size, CLEAN_OUT_FLUSH);
	memcpy(j->obuf + j->olen, b, size);
	j->olen += size;
	seg_note_batch(out, out->size, &h, j->cfg.index_interval_bytes, &oadd, &tadd);
	return 0;
}

/* Kafka's writeEmptyHeader: same offsets, producer fields, flags and maxTimestamp, no records,
 * no compression, baseTimestamp -1 (so no delete horizon either). */
static int emit_empty(struct log_clean_job *j, struct log_segment *out, const uint8_t *b)
{
	uint8_t e[RB_HEADER_SIZE];
	memcpy(e, b, RB_HEADER_SIZE);
	be32_put(e + RB_LENGTH, RB_HEADER_SIZE - RB_LOG_OVERHEAD);
	be16_put(e + RB_ATTRIBUTES, be16_get(e + RB_ATTRIBUTES) &
	                            ~(RB_ATTR_CODEC_MASK | RB_ATTR_DELETE_HORIZON));
	be64_put(e + RB_BASE_TIMESTAMP, (uint64_t)-1);
	be32_put(e + RB_RECORDS_COUNT, 0);
	set_crc(e, sizeof(e));
	return emit(j, out, e, sizeof(e));
}

/* C4's record rule (see log.h). A tombstone stays until its batch's delete horizon has
 * passed (KIP-534): a batch without one keeps its tombstones, and the pass stamps it. */
static bool keep_record(const struct log_clean_job *j, const struct rb_hdr *h,
                        const struct rc_record *r)
{
	if (r->offset >= j->end)
		return true;
	if (r->key_len < 0)
		return false;
	int64_t latest = kmap_get(&j->map, r->key, (size_t)r->key_len);
	if (latest >= 0 && r->offset < latest)
		return false;
	return r->value_len >= 0 || !(h->attrs & RB_ATTR_DELETE_HORIZON) || j->p.now_ms < h->base_ts;
}

/* The retained records of the batch in rbuf, rebuilt with its codec: 1 built (*nb), 0 keep
 * the batch as it is (everything kept and no horizon to add, or undecodable), 2 nothing
 * kept. `all`: every record is kept (a control batch); `horizon` > 0: stamp this delete
 * horizon (attribute 0x40, baseTimestamp = horizon; KIP-534), which forces a rebuild. A data
 * batch without a horizon that keeps a tombstone of the cleaned range gets one: this pass's
 * start + delete.retention.ms, as Kafka's cleaner stamps it. */
static int filter_batch(struct log_clean_job *j, const struct rb_hdr *h, bool all,
                        int64_t horizon, uint8_t **nb, size_t *nsize, int64_t *kept,
                        int64_t *removed)
{
	struct rc_iter it;
	struct rc_record r;
	struct rc_build_record *recs = NULL;
	size_t n = 0, cap = 0;
	int32_t total = 0;
	int rc;

	if (rc_iter_init(&it, j->rbuf, (size_t)h->size, CLEAN_MAX_BATCH_BYTES) != RC_OK)
		return 0;
	bool stamp = !all && horizon <= 0 && !(h->attrs & RB_ATTR_DELETE_HORIZON);
	while ((rc = rc_iter_next(&it, &r)) == 1) {
		total++;
		if (!all && !keep_record(j, h, &r))
			continue;
		if (stamp && r.value_len < 0 && r.offset < j->end && horizon <= 0)
			horizon = KB_MAX(j->p.now_ms + KB_MAX(j->p.delete_retention_ms, 0), 1);
		KB_GROW(recs, cap, n + 1, 64);
		recs[n++] = (struct rc_build_record){
			.offset_delta = (int32_t)(r.offset - h->base), .timestamp = r.timestamp,
			.key = r.key, .key_len = r.key_len, .value = r.value, .value_len = r.value_len,
			.header_count = r.header_count, .headers = r.headers,
			.headers_len = r.headers_len};
	}
	int out = 0;
	if (rc == 0 && ((size_t)total != n || (horizon > 0 && n > 0))) {
		*kept += (int64_t)n;
		*removed += total - (int64_t)n;
		out = 2;
		if (n) {
			struct rc_batch_params bp = {
				.base_offset = h->base, .leader_epoch = h->epoch,
				.attributes = (int16_t)(h->attrs & ~RB_ATTR_CODEC_MASK),
				.producer_id = h->producer_id, .producer_epoch = h->producer_epoch,
				.base_sequence = h->base_seq, .log_append_time = h->max_ts,
				.delete_horizon = horizon > 0 ? horizon
				                  : (h->attrs & RB_ATTR_DELETE_HORIZON) ? h->base_ts : 0};
			out = rc_batch_build(&bp, recs, (int32_t)n, h->attrs & RB_ATTR_CODEC_MASK,
			                     CLEAN_MAX_BATCH_BYTES, nb, nsize) == RC_OK ? 1 : 0;
			if (out == 1) { /* lastOffsetDelta stays (so does lastSequence) */
				be32_put(*nb + RB_LAST_OFFSET_DELTA, (uint32_t)h->lod);
				set_crc(*nb, *nsize);
			}
		}
	} else if (rc == 0) {
		*kept += total;
	}
	kb_free(recs);
	rc_iter_free(&it);
	return out;
}

/* A removable control batch (C4/C5): 2 dropped once its delete horizon has passed, 0 kept
 * as it is while the horizon is ahead, 1 rebuilt with a new horizon (the first pass that
 * finds it removable). */
static int removable_marker(struct log_clean_job *j, const struct rb_hdr *h, uint8_t **nb,
                            size_t *nsize)
{
	int64_t kept = 0, removed = 0;
	if (h->count == 0)
		return 2;
	if (h->attrs & RB_ATTR_DELETE_HORIZON)
		return h->base_ts <= j->p.now_ms ? 2 : 0;
	int64_t horizon = j->p.now_ms + KB_MAX(j->p.delete_retention_ms, 0);
	return filter_batch(j, h, true, KB_MAX(horizon, 1), nb, nsize, &kept, &removed);
}

/* One batch of the group into the new segment; `last`: the group's last batch (kept, empty
 * if need be, so the group's offset range survives: see log.h). */
static int clean_batch(struct log_clean_job *j, struct log_segment *out, const struct rb_hdr *h,
                       bool last)
{
	int what = 0;
	uint8_t *nb = NULL;
	size_t nsize = 0;
	const struct txi_ent *reappend;

	switch (clean_txn_read(&j->txn, h, j->rbuf, &reappend)) {
	case CTX_DATA:
		what = filter_batch(j, h, false, 0, &nb, &nsize, &j->st.records_kept,
		                    &j->st.records_removed);
		break;
	case CTX_ABORTED:
		what = 2;
		j->st.records_removed += KB_MAX(h->count, 0);
		break;
	case CTX_MARKER_KEEP:
		what = 0;
		break;
	case CTX_MARKER_REMOVABLE:
		what = removable_marker(j, h, &nb, &nsize);
		break;
	}
	if (what == 2)
		last = last || clean_txn_live_last(&j->txn, h);
	if (reappend) { /* an ABORT marker kept: its transaction stays indexed (C4) */
		KB_GROW(out->txi, out->xcap, out->xn + 1, 4);
		out->txi[out->xn++] = *reappend;
	}
	int rc = 0;
	if (what == 0)
		rc = emit(j, out, j->rbuf, (size_t)h->size);
	else if (what == 1)
		rc = emit(j, out, nb, nsize);
	else if (last)
		rc = emit_empty(j, out, j->rbuf);
	free(nb);
	return rc;
}

static int finish_segment(struct log_clean_job *j, struct log_segment *out)
{
	if (out_flush(j, out) < 0 || fdatasync(out->fd) < 0 || seg_txi_write_all(out) < 0 ||
	    seg_write_index_tail(out, 0, 0) < 0 || seg_finalize_time(out) < 0 ||
	    fdatasync(out->ofd) < 0 || fdatasync(out->tfd) < 0) {
		say_warn("log", "%s: writing the cleaned segment: %s", out->path, strerror(errno));
		return -1;
	}
	seg_close_index_fds(out);
	out->idx_dirty = false;
	return 0;
}

static int clean_group(struct log_clean_job *j, struct clean_group *g)
{
	struct log_segment *out = seg_new(j->dir, j->segs[g->from]->base);
	size_t last_seg = g->from;

	g->out = out;
	out->tmp_ext = ".cleaned";
	if (seg_create_files(out) < 0) {
		say_warn("log", "%s.log.cleaned: create: %s", out->path, strerror(errno));
		return -1;
	}
	for (size_t i = g->from; i < g->to; i++)
		if (j->segs[i]->size > 0)
			last_seg = i;
	j->olen = 0;
	j->opos = 0;
	for (size_t i = g->from; i < g->to; i++) {
		const struct log_segment *s = j->segs[i];
		struct rb_hdr h;
		int rc;
		j->st.bytes_before += s->size;
		for (int64_t pos = 0; (rc = read_batch(j, s, pos, &h)) == 1; pos += h.size)
			if (clean_batch(j, out, &h, i == last_seg && pos + h.size == s->size) < 0)
				return -1;
		if (rc < 0)
			return -1;
	}
	out->last_append_ms = j->segs[g->to - 1]->last_append_ms;
	if (finish_segment(j, out) < 0)
		return -1;
	j->st.bytes_after += out->size;
	return 0;
}

/* C6's grouping: consecutive segments while their sizes sum to at most segment.bytes and
 * their offsets fit a segment's int32 relative offsets. */
static void make_groups(struct log_clean_job *j)
{
	int64_t max_bytes = KB_MIN(j->cfg.segment_bytes, (int64_t)INT32_MAX);
	for (size_t i = 0; i < j->ncleaned;) {
		size_t k = i + 1;
		int64_t size = j->segs[i]->size;
		while (k < j->ncleaned && size + j->segs[k]->size <= max_bytes &&
		       j->segs[k]->next_offset - 1 - j->segs[i]->base <= INT32_MAX) {
			size += j->segs[k]->size;
			k++;
		}
		KB_GROW(j->groups, j->gcap, j->ngroups + 1, 4);
		j->groups[j->ngroups++] = (struct clean_group){i, k, NULL};
		i = k;
	}
}

int log_clean_run(struct log_clean_job *j)
{
	int rc = 0;
	j->t0 = j->io_t0 = kb_mono_ms();
	clean_txn_sort(&j->txn);
	if (kmap_init(&j->map, j->p.map_bytes, j->p.map_load) < 0) {
		say_warn("log", "%s: log.cleaner.dedupe.buffer.size too small for a key map", j->dir);
		return -1;
	}
	if (build_map(j) < 0)
		rc = -1;
	while (rc == 0 && j->ncleaned < j->n && j->segs[j->ncleaned]->base < j->end)
		j->ncleaned++;
	if (rc == 0)
		make_groups(j);
	for (size_t g = 0; rc == 0 && g < j->ngroups; g++)
		rc = clean_group(j, &j->groups[g]);
	kb_free(j->map.s);
	j->map.s = NULL;
	kb_free(j->rbuf);
	kb_free(j->obuf);
	j->rbuf = j->obuf = NULL;
	j->st.first_offset = j->n ? j->segs[0]->base : 0;
	j->st.end_offset = j->end;
	j->st.segments_in = (int64_t)j->ncleaned;
	j->st.segments_out = (int64_t)j->ngroups;
	return rc;
}

/* ---- Complete: the swap, on the loop ------------------------------------------------------ */

int log_debug_clean_crash_at;

static void crash_point(int step)
{
	if (step && log_debug_clean_crash_at == step)
		_exit(99);
}

static void job_free(struct log_clean_job *j)
{
	for (size_t g = 0; g < j->ngroups; g++) {
		struct log_segment *out = j->groups[g].out;
		if (!out)
			continue;
		seg_unlink_files(out); /* under its current (.cleaned / .swap) names */
		log_segment_unref(out);
	}
	for (size_t i = 0; i < j->n; i++)
		log_segment_unref(j->segs[i]);
	clean_txn_free(&j->txn);
	kb_free(j->segs);
	kb_free(j->groups);
	kb_free(j->map.s);
	kb_free(j->rbuf);
	kb_free(j->obuf);
	kb_free(j->dir);
	kb_free(j);
}

/* The job's segments are still the log's first ones, untouched by truncation or retention. */
static bool log_unchanged(const struct plog *l, const struct log_clean_job *j)
{
	if (j->gen != l->gen || l->n <= j->ncleaned)
		return false;
	for (size_t i = 0; i < j->ncleaned; i++)
		if (l->segs[i] != j->segs[i])
			return false;
	return true;
}

/* Steps 3-6 of C6 for one group, whose old segments are the log's [from, from + count).
 * Groups go in ascending order, so at any moment only groups above the one being swapped
 * still have .cleaned files: plog_open's rule (a .swap at or above the lowest .cleaned is
 * unfinished) then rolls back exactly the group that had not fully become .swap. */
static int swap_group(struct plog *l, struct clean_group *g, size_t from)
{
	struct log_segment *out = g->out;
	size_t k = g->to - g->from;

	if (seg_rename_ext(out, ".swap") < 0)
		return -1;
	crash_point(LOG_CLEAN_CRASH_SWAP);
	bool old_left = false; /* an old segment's files kept their live names */
	for (size_t i = from; i < from + k; i++) {
		if (plog_detach_segment(l, l->segs[i]) < 0)
			old_left = true;
		crash_point(i == from ? LOG_CLEAN_CRASH_FIRST_DELETED : 0);
	}
	crash_point(LOG_CLEAN_CRASH_ALL_DELETED);
	l->segs[from] = out;
	memmove(l->segs + from + 1, l->segs + from + k, (l->n - from - k) * sizeof(*l->segs));
	l->n -= k - 1;
	g->out = NULL; /* the log holds it now */
	/* With old files still under their live names the cleaned segment stays .swap: the next
	 * open finishes the swap, removing the old segments its range covers (C6). */
	if (old_left)
		say_warn("log", "%s: old segments could not be renamed; cleaned segment left as "
		         ".swap (the next open finishes the swap)", out->path);
	else if (seg_rename_ext(out, NULL) < 0)
		say_warn("log", "%s: cleaned segment left as .swap (the next open finishes it)",
		         out->path);
	crash_point(LOG_CLEAN_CRASH_FINAL);
	struct log_segment *next = l->segs[from + 1];
	if (next->base > out->next_offset && out->size > 0)
		next->gap_before = true;
	return 0;
}

int plog_clean_complete(struct plog *l, struct log_clean_job *j, int rc,
                        struct log_clean_stats *st)
{
	l->clean_inflight = false;
	crash_point(LOG_CLEAN_CRASH_RUN);
	if (rc != 0 || !log_unchanged(l, j)) {
		if (rc == 0)
			say_info("log", "%s: cleaning dropped: the log changed meanwhile", l->dir);
		job_free(j);
		return -1;
	}
	size_t removed = 0; /* old segments replaced so far, minus the new ones */
	for (size_t g = 0; g < j->ngroups; g++) {
		size_t k = j->groups[g].to - j->groups[g].from;
		if (swap_group(l, &j->groups[g], j->groups[g].from - removed) < 0) {
			job_free(j);
			return -1;
		}
		removed += k - 1;
	}
	l->dir_dirty = true;
	j->st.duration_ms = kb_mono_ms() - j->t0;
	*st = j->st;
	double mbps = (double)j->st.bytes_read / 1048576.0 /
	              ((double)KB_MAX(j->st.duration_ms, 1) / 1000.0);
	say_info("log", "%s: cleaned offsets [%" PRId64 ", %" PRId64 "): %" PRId64 " -> %" PRId64
	         " bytes in %" PRId64 " -> %" PRId64 " segments, %" PRId64 " records kept, %"
	         PRId64 " removed, %" PRId64 " ms, %.1f MB/s", l->dir, j->st.first_offset,
	         j->st.end_offset, j->st.bytes_before, j->st.bytes_after, j->st.segments_in,
	         j->st.segments_out, j->st.records_kept, j->st.records_removed, j->st.duration_ms,
	         mbps);
	job_free(j);
	return 0;
}

/* plog.c — the partition log: a sorted array of segments, the last one active.
 *
 * Append: validate (caller) -> roll if needed -> patch baseOffset = LEO and the leader epoch
 * (outside the CRC; LogAppendTime also sets attribute bit 3 and maxTimestamp and recomputes
 * the CRC) -> one pwrite at the end of the active segment -> index entries. No fsync here.
 *
 * Roll: a new segment at the LEO when the active one is non-empty and the batch would take it
 * past segment.bytes (or past 2 GiB: positions are int32), when segment.ms has passed since
 * its first append, or when the batch's last offset would not fit the int32 relative offset.
 *
 * Read: binary search of the segments by base offset, then the offset index for the last
 * entry at or below the offset, then batch headers (buffered preads) up to the batch holding
 * the offset; the end of the range is found the same way from the index entry below
 * min(start + max_bytes) and from the batch holding `upto`. Reads return file ranges.
 *
 * Replica append: batches copied from a leader keep every field; each is checked (framing,
 * CRC) and must start at the LEO. Consecutive batches bound for the same segment (the roll
 * rules applied as if each came alone) go in with one write. Both appends share write_at_leo,
 * which also feeds each batch's partitionLeaderEpoch to the epoch cache (epoch.c).
 *
 * Segments leave the log in two ways: retention (jobs.c) and truncation (below); either way
 * their files are renamed to *.deleted on the loop and unlinked later off the loop. Both also
 * trim the epoch cache.
 */
#include "log_int.h"

#include "../common/say.h"

#include <inttypes.h>
#include <string.h>

/* ---- Segment array ------------------------------------------------------------------------ */

void plog_push_segment(struct plog *l, struct log_segment *s)
{
	KB_GROW(l->segs, l->cap, l->n + 1, 8);
	l->segs[l->n++] = s;
}

size_t plog_floor_index(const struct plog *l, int64_t off)
{
	size_t lo = 0, hi = l->n; /* segments [0, lo) have base <= off */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->segs[mid]->base <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

struct log_segment *plog_active(const struct plog *l)
{
	return l->segs[l->n - 1];
}

int plog_detach_segment(struct plog *l, struct log_segment *s)
{
	int rc = seg_rename_deleted(s);
	if (rc < 0)
		say_error("log", "%s: a dropped segment's files could neither be renamed nor removed; "
		          "they would load again at the next open", s->path);
	l->pending_del = kb_realloc(l->pending_del, (l->npending + 1) * sizeof(*l->pending_del));
	l->pending_del[l->npending++] = s;
	return rc;
}

void plog_discard(struct plog *l)
{
	for (size_t i = 0; i < l->n; i++)
		log_segment_unref(l->segs[i]);
	for (size_t i = 0; i < l->npending; i++)
		log_segment_unref(l->pending_del[i]);
	kb_free(l->segs);
	kb_free(l->pending_del);
	kb_free(l->dir);
	epc_free(&l->epochs);
	plog_pstate_free(l);
	kb_free(l);
}

/* The active segment gets no final time index entry here (Kafka writes one at close): open
 * recomputes its largest timestamp from the tail anyway, and a final entry would make the
 * active segment's index depend on how often the broker restarted. */
void plog_close(struct plog *l)
{
	if (!l)
		return;
	if (l->epochs.dirty)
		epc_write(l->dir, l->epochs.e, l->epochs.n, false);
	plog_pstate_close(l);
	for (size_t i = 0; i < l->npending; i++)
		seg_unlink_files(l->pending_del[i]);
	plog_discard(l);
}

void plog_set_config(struct plog *l, const struct log_config *cfg)
{
	l->cfg = *cfg;
}

int64_t plog_start_offset(const struct plog *l)
{
	return l->log_start;
}

int64_t plog_end_offset(const struct plog *l)
{
	return l->leo;
}

int64_t plog_size_bytes(const struct plog *l)
{
	int64_t total = 0;
	for (size_t i = 0; i < l->n; i++)
		total += l->segs[i]->size;
	return total;
}

int64_t plog_unflushed_messages(const struct plog *l)
{
	return l->leo - l->recovery_point;
}

int64_t plog_active_base(const struct plog *l)
{
	return plog_active(l)->base;
}

int64_t plog_recovery_point(const struct plog *l)
{
	return l->recovery_point;
}

/* ---- Append ------------------------------------------------------------------------------- */

/* Whether a batch of `len` bytes ending at offset `last` must go into a new segment, when
 * `pending` bytes already accepted for the active segment go in before it (a replica's run of
 * batches written with one write: the rules are applied as if each batch went alone). */
static bool need_roll(const struct plog *l, int64_t pending, size_t len, int64_t last,
                      int64_t now_ms)
{
	const struct log_segment *s = plog_active(l);
	int64_t max_bytes = KB_MIN(l->cfg.segment_bytes, (int64_t)INT32_MAX);
	int64_t size = s->size + pending;
	int64_t first = s->first_append_ms >= 0 ? s->first_append_ms : pending ? now_ms : -1;
	if (size == 0)
		return false;
	if (size + (int64_t)len > max_bytes)
		return true;
	if (first >= 0 && now_ms - first >= l->cfg.segment_ms)
		return true;
	return last - s->base > INT32_MAX;
}

int plog_roll(struct plog *l)
{
	struct log_segment *old = plog_active(l);
	struct log_segment *s = seg_new(l->dir, l->leo);

	if (seg_create_files(s) < 0) {
		log_segment_unref(s);
		return -1;
	}
	if (seg_finalize_time(old) < 0)
		say_warn("log", "%s.timeindex: final entry not written", old->path);
	plog_push_segment(l, s);
	l->dir_dirty = true;
	plog_pstate_roll(l);
	return 0;
}

static void stamp_batch(const struct plog *l, uint8_t *batch, size_t len, int32_t leader_epoch,
                        int64_t now_ms)
{
	be64_put(batch + RB_BASE_OFFSET, (uint64_t)l->leo);
	be32_put(batch + RB_LEADER_EPOCH, (uint32_t)leader_epoch);
	if (!l->cfg.message_timestamp_log_append)
		return;
	be16_put(batch + RB_ATTRIBUTES, be16_get(batch + RB_ATTRIBUTES) | RB_ATTR_LOG_APPEND_TIME);
	be64_put(batch + RB_MAX_TIMESTAMP, (uint64_t)now_ms);
	be32_put(batch + RB_CRC, crc32c(0, batch + RB_ATTRIBUTES, len - RB_ATTRIBUTES));
}

#if KB_DEBUG_CHECKS
/* Sanitizer build, after every write: the batches just written start at or after the previous
 * LEO and follow each other in ascending order without overlap (a compacted leader's batches
 * reach followers with offset gaps; a leader's own appends start exactly at the LEO), and the
 * segment and the LEO moved by exactly them.
 * The 1st, 2nd, 4th, 8th... write of a log also runs plog_check() over the whole log (every
 * file read back, CRCs included), so that costs at most a few times what is written. */
static void check_write(struct plog *l, const struct log_segment *s, const uint8_t *p,
                        size_t len, int64_t leo_before, int64_t size_before)
{
	int64_t next = leo_before;
	for (size_t off = 0; off < len; off += be32_get(p + off + RB_LENGTH) + RB_LOG_OVERHEAD) {
		int64_t base = (int64_t)be64_get(p + off + RB_BASE_OFFSET);
		KB_DCHECK(base >= next, "%s: batch at offset %lld written after offset %lld", l->dir,
		          (long long)base, (long long)next);
		next = base + (int32_t)be32_get(p + off + RB_LAST_OFFSET_DELTA) + 1;
	}
	KB_DCHECK(next == l->leo && s->next_offset == l->leo && s == plog_active(l),
	          "%s: batches end at %lld, segment at %lld, LEO %lld", l->dir, (long long)next,
	          (long long)s->next_offset, (long long)l->leo);
	KB_DCHECK(s->size == size_before + (int64_t)len, "%s: segment size %lld after %zu bytes "
	          "on %lld", l->dir, (long long)s->size, len, (long long)size_before);
	l->appends++;
	if ((l->appends & (l->appends - 1)) == 0) {
		char err[512];
		KB_DCHECK(plog_check(l, err, sizeof(err)) == 0, "%s: %s", l->dir, err);
	}
}
#endif

/* The one write path of both appends: whole checked batches starting at the LEO go to the
 * active segment (the caller rolled it when need_roll() said so) with one write; then the LEO
 * moves and each batch's partitionLeaderEpoch enters the epoch cache. */
static int write_at_leo(struct plog *l, const uint8_t *p, size_t len, int64_t now_ms)
{
	struct log_segment *s = plog_active(l);
	KB_DEBUG_ONLY(int64_t leo_before = l->leo; int64_t size_before = s->size;)

	KB_ASSERT(len >= RB_HEADER_SIZE && (int64_t)be64_get(p + RB_BASE_OFFSET) >= l->leo);
	if (seg_append(s, p, len, l->cfg.index_interval_bytes, now_ms) < 0)
		return KERR_KAFKA_STORAGE_ERROR;
	l->leo = s->next_offset;
	for (size_t off = 0; off < len; off += be32_get(p + off + RB_LENGTH) + RB_LOG_OVERHEAD)
		epc_assign(&l->epochs, (int32_t)be32_get(p + off + RB_LEADER_EPOCH),
		           (int64_t)be64_get(p + off + RB_BASE_OFFSET), l->dir);
	KB_DEBUG_ONLY(check_write(l, s, p, len, leo_before, size_before);)
	plog_pstate_note(l, p, len);
	return KERR_NONE;
}

int plog_append(struct plog *l, uint8_t *batch, size_t len, const struct batch_info *info,
                int32_t leader_epoch, int64_t now_ms, int64_t *base_offset)
{
	int64_t base = l->leo;

	KB_ASSERT(len == info->size && len >= RB_HEADER_SIZE);
	if (need_roll(l, 0, len, base + info->last_offset_delta, now_ms) && plog_roll(l) < 0)
		return KERR_KAFKA_STORAGE_ERROR;
	stamp_batch(l, batch, len, leader_epoch, now_ms);
	int rc = write_at_leo(l, batch, len, now_ms);
	if (rc == KERR_NONE && base_offset)
		*base_offset = base;
	return rc;
}

/* Writes the accepted batches buf[*run, end) if there are any; *run = end once written. */
static int write_run(struct plog *l, const uint8_t *buf, size_t *run, size_t end, int64_t now_ms)
{
	int rc = end > *run ? write_at_leo(l, buf + *run, end - *run, now_ms) : KERR_NONE;
	if (rc == KERR_NONE)
		*run = end;
	return rc;
}

/* Batches are checked one by one and gathered into runs that go into the same segment; a run
 * is written when the next batch needs a new segment, is skipped, is bad, or at the end. */
int plog_append_replica(struct plog *l, const uint8_t *buf, size_t len, int64_t now_ms,
                        size_t *consumed)
{
	size_t run = 0, off = 0; /* buf[run, off): accepted, not yet written */
	int64_t next = l->leo;   /* where the next batch must start */
	int rc = KERR_NONE;

	while (off < len && rc == KERR_NONE) {
		struct rb_hdr h;
		int c = rb_check_replica(buf + off, len - off, &h);
		if (c == RB_INCOMPLETE)
			break;
		if (c != KERR_NONE) {
			rc = c;
		} else if (h.last < next) { /* held already: write what precedes it, step over it */
			if ((rc = write_run(l, buf, &run, off, now_ms)) == KERR_NONE)
				run = off + (size_t)h.size;
			off += (size_t)h.size;
		} else if (h.base < next) { /* overlaps the LEO (a gap above it is fine: compaction) */
			rc = KERR_OFFSET_OUT_OF_RANGE;
		} else {
			if (off > run && need_roll(l, (int64_t)(off - run), (size_t)h.size, h.last, now_ms))
				rc = write_run(l, buf, &run, off, now_ms);
			if (rc == KERR_NONE && off == run &&
			    need_roll(l, 0, (size_t)h.size, h.last, now_ms) && plog_roll(l) < 0)
				rc = KERR_KAFKA_STORAGE_ERROR;
			off += (size_t)h.size;
			next = h.last + 1;
		}
	}
	/* After a bad batch the ones before it still go in; a storage error stops everything. */
	if (rc != KERR_KAFKA_STORAGE_ERROR && write_run(l, buf, &run, off, now_ms) != KERR_NONE)
		rc = KERR_KAFKA_STORAGE_ERROR;
	if (consumed)
		*consumed = run;
	return rc;
}

/* ---- Read --------------------------------------------------------------------------------- */

static int read_in_segment(struct log_segment *s, int64_t offset, size_t max_bytes,
                           bool min_one, int64_t upto, struct log_read *out, bool *empty_tail)
{
	uint8_t buf[LOG_HDR_BUF];
	struct rdr r;
	struct rb_hdr h, uh;
	int64_t pos, end = s->size, upos;

	rdr_init(&r, s->fd, s->size, buf, sizeof(buf), sizeof(buf));
	if (seg_find(s, &r, offset, &pos, &h) != 0)
		return KERR_KAFKA_STORAGE_ERROR;
	if (h.last >= upto)
		return KERR_NONE;
	if (upto < s->next_offset) {
		if (seg_find(s, &r, upto, &upos, &uh) != 0)
			return KERR_KAFKA_STORAGE_ERROR;
		end = upos;
	}
	int64_t limit = pos + (int64_t)KB_MIN(max_bytes, (size_t)INT32_MAX);
	if (limit < end && (end = seg_boundary_le(s, &r, pos, limit)) < 0)
		return KERR_KAFKA_STORAGE_ERROR;
	if (end == pos) {
		if (!min_one)
			return KERR_NONE;
		end = pos + h.size;
	}
	int64_t next = s->next_offset; /* the base of the batch after the range */
	if (end < s->size) {
		struct rb_hdr nh;
		if (rdr_header(&r, end, &nh) != 1)
			return KERR_KAFKA_STORAGE_ERROR;
		next = nh.base;
	}
	log_segment_ref(s);
	*out = (struct log_read){.seg = s, .fd = s->fd, .pos = (off_t)pos,
	                         .len = (size_t)(end - pos), .first_offset = h.base,
	                         .next_offset = next};
	*empty_tail = h.count == 0 && end == pos + h.size && end == s->size;
	return KERR_NONE;
}

int plog_read(struct plog *l, int64_t offset, size_t max_bytes, bool min_one, int64_t upto,
              struct log_read *out)
{
	*out = (struct log_read){.seg = NULL, .fd = -1, .pos = 0, .len = 0, .first_offset = offset,
	                         .next_offset = offset};
	if (offset < l->log_start || offset > l->leo)
		return KERR_OFFSET_OUT_OF_RANGE;
	for (size_t i = plog_floor_index(l, offset); i < l->n; i++) {
		struct log_segment *s = l->segs[i];
		bool empty_tail = false;
		if (offset >= s->next_offset)
			continue;
		int rc = read_in_segment(s, offset, max_bytes, min_one, upto, out, &empty_tail);
		if (rc != KERR_NONE || !empty_tail || i + 1 == l->n)
			return rc;
		/* Only the empty batch that ends a cleaned segment (cleaner.c): read on from the
		 * next segment, so a reader never gets a response without records. */
		log_segment_unref(out->seg);
		*out = (struct log_read){.seg = NULL, .fd = -1, .first_offset = offset,
		                         .next_offset = offset};
		offset = l->segs[i + 1]->base;
	}
	return KERR_NONE; /* offset == LEO */
}

/* ---- Timestamps --------------------------------------------------------------------------- */

/* The batch found: its first record at or after ts (uncompressed CreateTime batches), else the
 * batch itself (its first offset at or above the log start, its maxTimestamp). */
static void resolve_record(const struct plog *l, const struct log_segment *s, int64_t pos,
                           const struct rb_hdr *h, int64_t ts, int64_t *offset,
                           int64_t *timestamp)
{
	enum { MAX_WALK = 64 << 20 };
	*offset = KB_MAX(h->base, l->log_start);
	*timestamp = h->max_ts;
	if ((h->attrs & (RB_ATTR_CODEC_MASK | RB_ATTR_LOG_APPEND_TIME)) || h->size > MAX_WALK)
		return;
	uint8_t *b = kb_malloc((size_t)h->size);
	struct rdr r;
	rdr_init(&r, s->fd, s->size, b, (size_t)h->size, (size_t)h->size);
	const uint8_t *p = rdr_get(&r, pos, (size_t)h->size);
	int64_t o, t;
	if (p && rb_find_record_ts(p, (size_t)h->size, ts, *offset, &o, &t)) {
		*offset = o;
		*timestamp = t;
	}
	kb_free(b);
}

/* KERR_NONE when found, 1 when no batch qualifies after all, or an error. */
static int ts_in_segment(const struct plog *l, const struct log_segment *s, int64_t ts,
                         int64_t *offset, int64_t *timestamp)
{
	uint8_t buf[LOG_HDR_BUF];
	struct rdr r;
	size_t lo = 0, hi = s->tn; /* time entries [0, lo) have ts < target */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->tidx[mid].ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	int64_t pos = lo ? seg_oidx_pos(s, s->base + s->tidx[lo - 1].rel) : 0;
	pos = KB_MAX(pos, seg_oidx_pos(s, l->log_start));
	rdr_init(&r, s->fd, s->size, buf, sizeof(buf), sizeof(buf));
	while (pos < s->size) {
		struct rb_hdr h;
		if (rdr_header(&r, pos, &h) != 1)
			return KERR_KAFKA_STORAGE_ERROR;
		if (h.max_ts >= ts && h.last >= l->log_start) {
			resolve_record(l, s, pos, &h, ts, offset, timestamp);
			return KERR_NONE;
		}
		pos += h.size;
	}
	return 1;
}

int plog_offset_for_timestamp(struct plog *l, int64_t ts, int64_t *offset, int64_t *timestamp)
{
	*offset = -1;
	*timestamp = -1;
	for (size_t i = plog_floor_index(l, l->log_start); i < l->n; i++) {
		struct log_segment *s = l->segs[i];
		if (s->size == 0 || s->max_ts < ts || s->next_offset <= l->log_start)
			continue;
		int rc = ts_in_segment(l, s, ts, offset, timestamp);
		if (rc != 1)
			return rc;
	}
	return KERR_NONE;
}

int plog_max_timestamp(struct plog *l, int64_t *offset, int64_t *timestamp)
{
	*offset = -1;
	*timestamp = -1;
	for (size_t i = 0; i < l->n; i++) {
		if (l->segs[i]->max_ts > *timestamp) {
			*timestamp = l->segs[i]->max_ts;
			*offset = l->segs[i]->max_ts_off;
		}
	}
	return KERR_NONE;
}

/* ---- Truncation and log start ------------------------------------------------------------- */

/* A segment already based at `offset` is emptied and kept: creating its files anew would
 * truncate them under their old name before the rename to *.deleted. */
int plog_truncate_fully(struct plog *l, int64_t offset)
{
	if (offset < 0)
		return KERR_OFFSET_OUT_OF_RANGE;
	struct log_segment *keep = l->segs[plog_floor_index(l, offset)];
	if (keep->base == offset) {
		if (seg_truncate(keep, 0, offset) < 0)
			return KERR_KAFKA_STORAGE_ERROR;
		seg_txi_truncate(keep, offset);
	} else {
		keep = seg_new(l->dir, offset);
		if (seg_create_files(keep) < 0) {
			log_segment_unref(keep);
			return KERR_KAFKA_STORAGE_ERROR;
		}
		l->dir_dirty = true;
	}
	l->gen++;
	int rc = KERR_NONE;
	while (l->n > 0) {
		struct log_segment *s = l->segs[--l->n];
		if (s != keep && plog_detach_segment(l, s) < 0)
			rc = KERR_KAFKA_STORAGE_ERROR;
	}
	keep->gap_before = false;
	plog_push_segment(l, keep);
	l->leo = l->log_start = l->recovery_point = offset;
	epc_clear(&l->epochs); /* none of the data its entries describe is left */
	plog_pstate_reset(l);
	return rc;
}

static int truncate_segment(struct log_segment *s, int64_t offset)
{
	uint8_t buf[LOG_HDR_BUF];
	struct rdr r;
	struct rb_hdr h;
	int64_t pos;

	rdr_init(&r, s->fd, s->size, buf, sizeof(buf), sizeof(buf));
	if (seg_find(s, &r, offset, &pos, &h) != 0 || seg_truncate(s, pos, h.base) < 0)
		return KERR_KAFKA_STORAGE_ERROR;
	return KERR_NONE;
}

int plog_truncate_to(struct plog *l, int64_t offset)
{
	if (offset < 0)
		return KERR_OFFSET_OUT_OF_RANGE;
	if (offset >= l->leo)
		return KERR_NONE;
	l->gen++;
	if (offset < l->segs[0]->base)
		return plog_truncate_fully(l, offset);
	size_t k = plog_floor_index(l, offset);
	int detached = 0;
	while (l->n > k + 1)
		detached |= plog_detach_segment(l, l->segs[--l->n]);
	struct log_segment *s = l->segs[k];
	int rc = offset < s->next_offset ? truncate_segment(s, offset) : KERR_NONE;
	if (rc == KERR_NONE && detached < 0)
		rc = KERR_KAFKA_STORAGE_ERROR;
	l->leo = s->next_offset;
	seg_txi_truncate(s, l->leo); /* aborted transactions whose marker is gone */
	l->recovery_point = KB_MIN(l->recovery_point, l->leo);
	l->log_start = KB_MIN(l->log_start, l->leo);
	/* The new LEO, not `offset`: when a batch straddled it, its epoch's entry goes too. */
	epc_truncate_end(&l->epochs, l->leo);
	plog_pstate_truncated(l, kb_wall_ms());
	return rc;
}

int plog_advance_start(struct plog *l, int64_t new_start)
{
	if (new_start > l->leo)
		return KERR_OFFSET_OUT_OF_RANGE;
	if (new_start > l->log_start) {
		l->log_start = new_start;
		epc_truncate_start(&l->epochs, new_start);
	}
	return KERR_NONE;
}

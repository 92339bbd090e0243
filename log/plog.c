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
 * Segments leave the log in two ways: retention (jobs.c) and truncation (below); either way
 * their files are renamed to *.deleted on the loop and unlinked later off the loop.
 */
#include "log_int.h"

#include "../common/say.h"

#include <inttypes.h>
#include <string.h>

/* ---- Segment array ------------------------------------------------------------------------ */

void plog_push_segment(struct plog *l, struct log_segment *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->segs = kb_realloc(l->segs, l->cap * sizeof(*l->segs));
	}
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

void plog_detach_segment(struct plog *l, struct log_segment *s)
{
	seg_rename_deleted(s);
	l->pending_del = kb_realloc(l->pending_del, (l->npending + 1) * sizeof(*l->pending_del));
	l->pending_del[l->npending++] = s;
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
	kb_free(l);
}

/* The active segment gets no final time index entry here (Kafka writes one at close): open
 * recomputes its largest timestamp from the tail anyway, and a final entry would make the
 * active segment's index depend on how often the broker restarted. */
void plog_close(struct plog *l)
{
	if (!l)
		return;
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

static bool need_roll(const struct plog *l, const struct log_segment *s, size_t len,
                      const struct batch_info *info, int64_t now_ms)
{
	int64_t max_bytes = KB_MIN(l->cfg.segment_bytes, (int64_t)INT32_MAX);
	if (s->size == 0)
		return false;
	if (s->size + (int64_t)len > max_bytes)
		return true;
	if (s->first_append_ms >= 0 && now_ms - s->first_append_ms >= l->cfg.segment_ms)
		return true;
	return l->leo + info->last_offset_delta - s->base > INT32_MAX;
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

int plog_append(struct plog *l, uint8_t *batch, size_t len, const struct batch_info *info,
                int32_t leader_epoch, int64_t now_ms, int64_t *base_offset)
{
	struct rb_hdr h;

	KB_ASSERT(len == info->size && len >= RB_HEADER_SIZE);
	if (need_roll(l, plog_active(l), len, info, now_ms) && plog_roll(l) < 0)
		return LOG_ERR_KAFKA_STORAGE_ERROR;
	stamp_batch(l, batch, len, leader_epoch, now_ms);
	KB_ASSERT(rb_hdr_parse(batch, &h) && h.size == (int64_t)len);
	if (seg_append(plog_active(l), batch, &h, l->cfg.index_interval_bytes, now_ms) < 0)
		return LOG_ERR_KAFKA_STORAGE_ERROR;
	l->leo = h.last + 1;
	if (base_offset)
		*base_offset = h.base;
	return LOG_OK;
}

/* ---- Read --------------------------------------------------------------------------------- */

static int read_in_segment(struct log_segment *s, int64_t offset, size_t max_bytes,
                           bool min_one, int64_t upto, struct log_read *out)
{
	uint8_t buf[LOG_HDR_BUF];
	struct rdr r;
	struct rb_hdr h, uh;
	int64_t pos, end = s->size, upos;

	rdr_init(&r, s->fd, s->size, buf, sizeof(buf), sizeof(buf));
	if (seg_find(s, &r, offset, &pos, &h) != 0)
		return LOG_ERR_KAFKA_STORAGE_ERROR;
	if (h.last >= upto)
		return LOG_OK;
	if (upto < s->next_offset) {
		if (seg_find(s, &r, upto, &upos, &uh) != 0)
			return LOG_ERR_KAFKA_STORAGE_ERROR;
		end = upos;
	}
	int64_t limit = pos + (int64_t)KB_MIN(max_bytes, (size_t)INT32_MAX);
	if (limit < end && (end = seg_boundary_le(s, &r, pos, limit)) < 0)
		return LOG_ERR_KAFKA_STORAGE_ERROR;
	if (end == pos) {
		if (!min_one)
			return LOG_OK;
		end = pos + h.size;
	}
	log_segment_ref(s);
	*out = (struct log_read){.seg = s, .fd = s->fd, .pos = (off_t)pos,
	                         .len = (size_t)(end - pos), .first_offset = h.base};
	return LOG_OK;
}

int plog_read(struct plog *l, int64_t offset, size_t max_bytes, bool min_one, int64_t upto,
              struct log_read *out)
{
	*out = (struct log_read){.seg = NULL, .fd = -1, .pos = 0, .len = 0, .first_offset = offset};
	if (offset < l->log_start || offset > l->leo)
		return LOG_ERR_OFFSET_OUT_OF_RANGE;
	for (size_t i = plog_floor_index(l, offset); i < l->n; i++) {
		struct log_segment *s = l->segs[i];
		if (offset < s->next_offset)
			return read_in_segment(s, offset, max_bytes, min_one, upto, out);
	}
	return LOG_OK; /* offset == LEO */
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

/* LOG_OK when found, 1 when no batch qualifies after all, or an error. */
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
			return LOG_ERR_KAFKA_STORAGE_ERROR;
		if (h.max_ts >= ts && h.last >= l->log_start) {
			resolve_record(l, s, pos, &h, ts, offset, timestamp);
			return LOG_OK;
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
	return LOG_OK;
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
	return LOG_OK;
}

/* ---- Truncation and log start ------------------------------------------------------------- */

static int truncate_fully(struct plog *l, int64_t offset)
{
	struct log_segment *s = seg_new(l->dir, offset);
	if (seg_create_files(s) < 0) {
		log_segment_unref(s);
		return LOG_ERR_KAFKA_STORAGE_ERROR;
	}
	while (l->n > 0)
		plog_detach_segment(l, l->segs[--l->n]);
	plog_push_segment(l, s);
	l->dir_dirty = true;
	l->leo = l->log_start = l->recovery_point = offset;
	return LOG_OK;
}

static int truncate_segment(struct log_segment *s, int64_t offset)
{
	uint8_t buf[LOG_HDR_BUF];
	struct rdr r;
	struct rb_hdr h;
	int64_t pos;

	rdr_init(&r, s->fd, s->size, buf, sizeof(buf), sizeof(buf));
	if (seg_find(s, &r, offset, &pos, &h) != 0 || seg_truncate(s, pos, h.base) < 0)
		return LOG_ERR_KAFKA_STORAGE_ERROR;
	return LOG_OK;
}

int plog_truncate_to(struct plog *l, int64_t offset)
{
	if (offset < 0)
		return LOG_ERR_OFFSET_OUT_OF_RANGE;
	if (offset >= l->leo)
		return LOG_OK;
	l->gen++;
	if (offset < l->segs[0]->base)
		return truncate_fully(l, offset);
	size_t k = plog_floor_index(l, offset);
	while (l->n > k + 1)
		plog_detach_segment(l, l->segs[--l->n]);
	struct log_segment *s = l->segs[k];
	int rc = offset < s->next_offset ? truncate_segment(s, offset) : LOG_OK;
	l->leo = s->next_offset;
	l->recovery_point = KB_MIN(l->recovery_point, l->leo);
	l->log_start = KB_MIN(l->log_start, l->leo);
	return rc;
}

int plog_advance_start(struct plog *l, int64_t new_start)
{
	if (new_start > l->leo)
		return LOG_ERR_OFFSET_OUT_OF_RANGE;
	if (new_start > l->log_start)
		l->log_start = new_start;
	return LOG_OK;
}

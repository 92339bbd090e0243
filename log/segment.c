/* segment.c — one log segment: its files, its in-memory indexes, append, lookups, truncation.
 *
 * Files of a segment with base offset B (20-digit zero-padded decimal, Kafka's naming):
 *   B.log        concatenated RecordBatches, offsets B, B+1, ... without holes
 *   B.index      8-byte entries:  off 0 int32 BE  batch last offset - B
 *                                 off 4 int32 BE  file position of that batch in B.log
 *   B.timeindex  12-byte entries: off 0 int64 BE  largest batch maxTimestamp so far
 *                                 off 8 int32 BE  last offset of the batch that reached it - B
 * Both index files hold exactly the entries of the in-memory arrays (log_int.h explains the
 * indexing rule). While a segment is deleted its files are renamed to "<name>.deleted".
 *
 * Lifetime: refs starts at 1 (the log's reference); log_segment_unref() on the last reference
 * closes the descriptors and frees the struct, from any thread. The event loop owns every
 * field except refs; off-loop code only uses the descriptors and the path of a detached one.
 */
#include "log_int.h"

#include "../common/say.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files that leave with a segment: its own, and the producer snapshot at its base. */
static const char *const seg_all_suffixes[] = {".log", ".index", ".timeindex", ".txnindex",
                                               ".snapshot"};
/* A segment's own files: what a cleaning swap renames (.cleaned -> .swap -> live). */
static const char *const seg_suffixes[] = {".log", ".index", ".timeindex", ".txnindex"};

struct log_segment *seg_new(const char *dir, int64_t base)
{
	struct log_segment *s = kb_calloc(1, sizeof(*s));
	size_t n = strlen(dir) + 32;

	atomic_init(&s->refs, 1);
	s->base = base;
	s->path = kb_malloc(n);
	snprintf(s->path, n, "%s/%020" PRId64, dir, base);
	s->fd = s->ofd = s->tfd = s->xfd = -1;
	s->next_offset = base;
	s->max_ts = s->max_ts_off = -1;
	s->first_append_ms = s->last_append_ms = -1;
	return s;
}

void seg_path(const struct log_segment *s, const char *suffix, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", s->path, suffix,
	         s->deleted ? ".deleted" : s->tmp_ext ? s->tmp_ext : "");
}

int seg_rename_ext(struct log_segment *s, const char *ext)
{
	int rc = 0;
	for (size_t i = 0; i < KB_ARRAY_LEN(seg_suffixes); i++) {
		char from[4096], to[4096];
		seg_path(s, seg_suffixes[i], from, sizeof(from));
		snprintf(to, sizeof(to), "%s%s%s", s->path, seg_suffixes[i], ext ? ext : "");
		if (rename(from, to) < 0 && errno != ENOENT) {
			say_warn("log", "rename %s: %s", from, strerror(errno));
			rc = -1;
		}
	}
	if (rc == 0)
		s->tmp_ext = ext;
	return rc;
}

static int seg_open_file(const struct log_segment *s, const char *suffix, int flags)
{
	char p[4096];
	seg_path(s, suffix, p, sizeof(p));
	int fd = open(p, O_RDWR | O_CLOEXEC | flags, 0644);
	if (fd < 0)
		say_ratelimited(SAY_WARN, "log", "open %s: %s", p, strerror(errno));
	return fd;
}

/* The index files are created (Kafka's layout) but their descriptors are opened again only
 * when the first entry is written (seg_open_index_fds): an empty or idle partition holds one
 * descriptor, not three, so a broker with many partitions stays within its file limit. */
int seg_create_files(struct log_segment *s)
{
	s->fd = seg_open_file(s, ".log", O_CREAT | O_TRUNC);
	s->ofd = seg_open_file(s, ".index", O_CREAT | O_TRUNC);
	s->tfd = seg_open_file(s, ".timeindex", O_CREAT | O_TRUNC);
	if (s->fd >= 0 && s->ofd >= 0 && s->tfd >= 0) {
		seg_close_index_fds(s);
		return 0;
	}
	seg_unlink_files(s);
	return -1;
}

int seg_open_index_fds(struct log_segment *s)
{
	if (s->ofd < 0)
		s->ofd = seg_open_file(s, ".index", O_CREAT);
	if (s->tfd < 0)
		s->tfd = seg_open_file(s, ".timeindex", O_CREAT);
	return s->ofd >= 0 && s->tfd >= 0 ? 0 : -1;
}

void seg_close_index_fds(struct log_segment *s)
{
	if (s->ofd >= 0)
		close(s->ofd);
	if (s->tfd >= 0)
		close(s->tfd);
	if (s->xfd >= 0)
		close(s->xfd);
	s->ofd = s->tfd = s->xfd = -1;
}

/* A file that cannot be renamed is unlinked at once: a .log left under its own name would
 * come back as a segment at the next open. */
int seg_rename_deleted(struct log_segment *s)
{
	int rc = 0;
	for (size_t i = 0; i < KB_ARRAY_LEN(seg_all_suffixes); i++) {
		char from[4096], to[4200];
		seg_path(s, seg_all_suffixes[i], from, sizeof(from));
		snprintf(to, sizeof(to), "%s.deleted", from);
		if (rename(from, to) == 0 || errno == ENOENT)
			continue;
		say_warn("log", "rename %s: %s; unlinking it now", from, strerror(errno));
		if (unlink(from) < 0 && errno != ENOENT)
			rc = -1;
	}
	s->deleted = true;
	return rc;
}

void seg_unlink_files(const struct log_segment *s)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(seg_all_suffixes); i++) {
		char p[4096];
		seg_path(s, seg_all_suffixes[i], p, sizeof(p));
		if (unlink(p) < 0 && errno != ENOENT)
			say_warn("log", "unlink %s: %s", p, strerror(errno));
	}
}

void log_segment_ref(struct log_segment *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void log_segment_unref(struct log_segment *s)
{
	if (!s || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (s->fd >= 0)
		close(s->fd);
	seg_close_index_fds(s);
	kb_free(s->oidx);
	kb_free(s->tidx);
	kb_free(s->txi);
	kb_free(s->path);
	kb_free(s);
}

/* ---- In-memory indexes -------------------------------------------------------------------- */

static void oidx_push(struct log_segment *s, int32_t rel, int32_t pos)
{
	KB_GROW(s->oidx, s->ocap, s->on + 1, 16);
	s->oidx[s->on++] = (struct oidx_ent){rel, pos};
}

/* Kafka's TimeIndex.maybeAppend: only a timestamp larger than the last entry's. */
static bool tidx_maybe_push(struct log_segment *s)
{
	int64_t last = s->tn ? s->tidx[s->tn - 1].ts : -1;
	if (s->max_ts <= last)
		return false;
	KB_GROW(s->tidx, s->tcap, s->tn + 1, 16);
	s->tidx[s->tn++] = (struct tidx_ent){s->max_ts, (int32_t)(s->max_ts_off - s->base)};
	return true;
}

void seg_note_batch(struct log_segment *s, int64_t pos, const struct rb_hdr *h,
                    int32_t interval, bool *oadd, bool *tadd)
{
	int64_t last_pos = s->on ? s->oidx[s->on - 1].pos : 0;

	*oadd = *tadd = false;
	if (h->max_ts > s->max_ts) {
		s->max_ts = h->max_ts;
		s->max_ts_off = h->last;
	}
	if (pos - last_pos > KB_MAX(interval, 0)) {
		KB_ASSERT(pos <= INT32_MAX && h->last - s->base <= INT32_MAX);
		oidx_push(s, (int32_t)(h->last - s->base), (int32_t)pos);
		*oadd = true;
		*tadd = tidx_maybe_push(s);
	}
	s->size = pos + h->size;
	s->next_offset = h->last + 1;
}

static int pwrite_full(int fd, const void *buf, size_t len, int64_t pos)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t k = pwrite(fd, p, len, (off_t)pos);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		pos += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Encodes entries [from, to) of both indexes and writes them at their file positions. */
static int write_entries(struct log_segment *s, size_t ofrom, size_t tfrom)
{
	size_t on = s->on - ofrom, tn = s->tn - tfrom;
	uint8_t *buf = kb_malloc(KB_MAX(on * OIDX_ENTRY_SIZE, tn * TIDX_ENTRY_SIZE));
	int rc = 0;

	for (size_t i = 0; i < on; i++) {
		be32_put(buf + i * OIDX_ENTRY_SIZE, (uint32_t)s->oidx[ofrom + i].rel);
		be32_put(buf + i * OIDX_ENTRY_SIZE + 4, (uint32_t)s->oidx[ofrom + i].pos);
	}
	if (on && pwrite_full(s->ofd, buf, on * OIDX_ENTRY_SIZE, (int64_t)(ofrom * OIDX_ENTRY_SIZE)))
		rc = -1;
	for (size_t i = 0; i < tn; i++) {
		be64_put(buf + i * TIDX_ENTRY_SIZE, (uint64_t)s->tidx[tfrom + i].ts);
		be32_put(buf + i * TIDX_ENTRY_SIZE + 8, (uint32_t)s->tidx[tfrom + i].rel);
	}
	if (tn && pwrite_full(s->tfd, buf, tn * TIDX_ENTRY_SIZE, (int64_t)(tfrom * TIDX_ENTRY_SIZE)))
		rc = -1;
	kb_free(buf);
	if (on || tn)
		s->idx_dirty = true;
	return rc;
}

int seg_write_index_tail(struct log_segment *s, size_t ofrom, size_t tfrom)
{
	if (seg_open_index_fds(s) < 0 || write_entries(s, ofrom, tfrom) < 0 ||
	    ftruncate(s->ofd, (off_t)(s->on * OIDX_ENTRY_SIZE)) < 0 ||
	    ftruncate(s->tfd, (off_t)(s->tn * TIDX_ENTRY_SIZE)) < 0) {
		say_warn("log", "%s: writing index files: %s", s->path, strerror(errno));
		return -1;
	}
	s->idx_dirty = true;
	return 0;
}

/* ---- Append ------------------------------------------------------------------------------- */

struct seg_snap {
	int64_t size, next_offset, max_ts, max_ts_off;
	size_t on, tn;
};

static void seg_undo(struct log_segment *s, const struct seg_snap *snap)
{
	s->size = snap->size;
	s->next_offset = snap->next_offset;
	s->max_ts = snap->max_ts;
	s->max_ts_off = snap->max_ts_off;
	s->on = snap->on;
	s->tn = snap->tn;
	if (ftruncate(s->fd, (off_t)s->size) < 0)
		say_warn("log", "%s.log: truncating a failed append: %s", s->path, strerror(errno));
	if (s->ofd >= 0 && ftruncate(s->ofd, (off_t)(s->on * OIDX_ENTRY_SIZE)) < 0)
		say_warn("log", "%s.index: truncate: %s", s->path, strerror(errno));
	if (s->tfd >= 0 && ftruncate(s->tfd, (off_t)(s->tn * TIDX_ENTRY_SIZE)) < 0)
		say_warn("log", "%s.timeindex: truncate: %s", s->path, strerror(errno));
}

int seg_append(struct log_segment *s, const uint8_t *buf, size_t len, int32_t interval,
               int64_t now_ms)
{
	struct seg_snap snap = {s->size, s->next_offset, s->max_ts, s->max_ts_off, s->on, s->tn};
	bool oadd = false, tadd = false;

	if (pwrite_full(s->fd, buf, len, s->size) < 0) {
		say_ratelimited(SAY_WARN, "log", "%s.log: write: %s", s->path, strerror(errno));
		seg_undo(s, &snap);
		return -1;
	}
	for (size_t off = 0; off < len;) {
		struct rb_hdr h;
		bool o, t;
		KB_ASSERT(rb_header_parse(buf + off, len - off, &h) == RB_HDR_OK &&
		          rb_hdr_offsets_ok(&h) && h.base >= s->next_offset);
		seg_note_batch(s, snap.size + (int64_t)off, &h, interval, &o, &t);
		oadd |= o;
		tadd |= t;
		off += (size_t)h.size;
	}
	if ((oadd || tadd) &&
	    (seg_open_index_fds(s) < 0 || write_entries(s, snap.on, snap.tn) < 0)) {
		say_ratelimited(SAY_WARN, "log", "%s.index: write: %s", s->path, strerror(errno));
		seg_undo(s, &snap);
		return -1;
	}
	if (s->first_append_ms < 0)
		s->first_append_ms = now_ms;
	s->last_append_ms = now_ms;
	return 0;
}

int seg_finalize_time(struct log_segment *s)
{
	size_t tn = s->tn;
	if (!tidx_maybe_push(s))
		return 0;
	if (seg_open_index_fds(s) < 0 || write_entries(s, s->on, tn) < 0) {
		s->tn = tn;
		return -1;
	}
	return 0;
}

/* ---- Lookups ------------------------------------------------------------------------------ */

int64_t seg_oidx_pos(const struct log_segment *s, int64_t off)
{
	size_t lo = 0, hi = s->on; /* answer: entries [0, lo) have offset <= off */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->base + s->oidx[mid].rel <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? s->oidx[lo - 1].pos : 0;
}

static int bad_file(const struct log_segment *s, int64_t pos)
{
	say_ratelimited(SAY_ERROR, "log", "%s.log: inconsistent batch at position %" PRId64,
	                s->path, pos);
	return -1;
}

int seg_find(const struct log_segment *s, struct rdr *r, int64_t off, int64_t *pos,
             struct rb_hdr *h)
{
	if (off >= s->next_offset)
		return 1;
	int64_t p = seg_oidx_pos(s, off);
	while (p < s->size) {
		if (rdr_header(r, p, h) != 1)
			return bad_file(s, p);
		if (h->last >= off) {
			*pos = p;
			return 0;
		}
		p += h->size;
	}
	return bad_file(s, p);
}

int64_t seg_boundary_le(const struct log_segment *s, struct rdr *r, int64_t from, int64_t limit)
{
	if (limit >= s->size)
		return s->size;
	size_t lo = 0, hi = s->on; /* entries [0, lo) have pos <= limit */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->oidx[mid].pos <= limit)
			lo = mid + 1;
		else
			hi = mid;
	}
	int64_t p = lo && s->oidx[lo - 1].pos > from ? s->oidx[lo - 1].pos : from;
	for (;;) {
		struct rb_hdr h;
		if (rdr_header(r, p, &h) != 1)
			return bad_file(s, p);
		if (p + h.size > limit)
			return p;
		p += h.size;
	}
}

int seg_reload_max_ts(struct log_segment *s, struct rdr *r)
{
	s->max_ts = s->tn ? s->tidx[s->tn - 1].ts : -1;
	s->max_ts_off = s->tn ? s->base + s->tidx[s->tn - 1].rel : -1;
	int64_t p = s->on ? s->oidx[s->on - 1].pos : 0;
	while (p < s->size) {
		struct rb_hdr h;
		if (rdr_header(r, p, &h) != 1)
			return bad_file(s, p);
		if (h.max_ts > s->max_ts) {
			s->max_ts = h.max_ts;
			s->max_ts_off = h.last;
		}
		p += h.size;
	}
	return 0;
}

int seg_truncate(struct log_segment *s, int64_t pos, int64_t new_next)
{
	if (ftruncate(s->fd, (off_t)pos) < 0) {
		say_warn("log", "%s.log: truncate: %s", s->path, strerror(errno));
		return -1;
	}
	while (s->on && s->oidx[s->on - 1].pos >= pos)
		s->on--;
	while (s->tn && s->base + s->tidx[s->tn - 1].rel >= new_next)
		s->tn--;
	s->size = pos;
	s->next_offset = new_next;
	if (pos == 0)
		s->first_append_ms = -1;
	if (seg_write_index_tail(s, s->on, s->tn) < 0)
		say_warn("log", "%s: index files may be longer than the log; rebuilt at open", s->path);
	uint8_t buf[LOG_HDR_BUF];
	struct rdr r;
	rdr_init(&r, s->fd, s->size, buf, sizeof(buf), sizeof(buf));
	int64_t old_ts = s->max_ts, old_off = s->max_ts_off;
	if (seg_reload_max_ts(s, &r) < 0 && old_ts > s->max_ts) {
		/* A header it could not read: keep the old largest timestamp, never below the
		 * truth, so retention by time can only wait longer, never delete early. */
		s->max_ts = old_ts;
		s->max_ts_off = KB_MIN(old_off, new_next - 1);
	}
	return 0;
}

int64_t seg_largest_ts(const struct log_segment *s)
{
	return s->max_ts >= 0 ? s->max_ts : s->last_append_ms;
}

/* recover.c — plog_open: the directory listing, leftovers, and recovery of each segment.
 *
 * Directory: "<20 digits>.log" files are segments (sorted by base offset); "*.deleted",
 * "*.cleaned" and "*.swap" are leftovers of interrupted deletions/compactions, finished or
 * rolled back as Kafka does (remove_leftovers); every other name (checkpoints, leader-epoch-checkpoint, orphan indexes, names that
 * are not 20 digits) is ignored. A missing .index/.timeindex is created and rebuilt.
 *
 * Recovery point rp: every offset below it was fsynced (log, and index files) before the
 * checkpoint was written. Each segment gets a trust level from where rp falls:
 *   TRUST_ALL      the next segment starts at or below rp: the whole segment was flushed.
 *                  Its .log is trusted and never scanned batch by batch. Its indexes are
 *                  checked cheaply: sizes are whole entries, entries ascend, positions lie
 *                  inside the .log, the batch at the last offset index entry really has that
 *                  last offset, time index offsets lie below the segment end. Then only the
 *                  tail after the last index entry (<= index.interval.bytes + one batch) is
 *                  walked by header, to learn the end offset and the largest timestamp.
 *                  Indexes that fail a check are rebuilt by walking every batch header (no
 *                  CRC: the data itself is trusted).
 *   TRUST_PARTIAL  the segment holds rp: the index entries below rp are trusted (the flush
 *                  synced them), the walk restarts at the last of them, and batches from rp on
 *                  are CRC-checked.
 *   TRUST_NONE     the segment starts at or after rp: every batch is CRC-checked and both
 *                  indexes are rebuilt.
 * A walked batch must be complete (its length within the file), magic 2, above the previous
 * one in offset (a cleaned segment has gaps between batches: log compaction), its start position and relative offset within int32, and its CRC
 * right when it ends at or after rp. The first batch that fails ends the segment: the .log is
 * truncated there. When that happens at or after rp (unflushed data), everything after it is
 * suspect, so later segment files are deleted; below rp (flushed data, real corruption) later
 * segments are kept and the hole is reported as a gap. A segment whose base lies past the
 * previous segment's end is kept with a warning (gap); one whose base lies inside the previous
 * segment (overlap) is deleted with everything after it.
 * So the time to open grows with the data after rp, not with the size of the log.
 *
 * Leader epochs: leader-epoch-checkpoint is trusted below rp (a flush writes it before the
 * recovery point may move, epoch.c); its entries from rp on are dropped, and every batch
 * verified (those ending at or after rp) adds its epoch when that is above the latest. Then
 * entries at or past the recovered LEO go, and the first ones are cut at the log start.
 */
#include "log_int.h"

#include "../common/say.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Atomic int64_t log_debug_crc_bytes;
_Atomic int64_t log_debug_scan_bytes;

#define HDR_WALK_WANT (64u * 1024) /* read size while walking headers only */

static int fail(char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* ---- Index files -------------------------------------------------------------------------- */

struct idx_load {
	int64_t file_bytes;
	bool sane; /* every entry of the file passed the checks */
};

/* Reads up to max_n entries of `esize` bytes; NULL when the file cannot be read. */
static uint8_t *read_entries(int fd, size_t esize, size_t max_n, size_t *n, struct idx_load *ld)
{
	struct stat st;
	ld->sane = true;
	ld->file_bytes = 0;
	*n = 0;
	if (fstat(fd, &st) < 0) {
		ld->sane = false;
		return NULL;
	}
	ld->file_bytes = st.st_size;
	size_t cnt = (size_t)st.st_size / esize;
	if ((size_t)st.st_size % esize || cnt > max_n)
		ld->sane = false;
	cnt = KB_MIN(cnt, max_n);
	uint8_t *buf = kb_malloc(cnt * esize);
	size_t got = 0;
	while (got < cnt * esize) {
		ssize_t k = pread(fd, buf + got, cnt * esize - got, (off_t)got);
		if (k <= 0 && !(k < 0 && errno == EINTR))
			break;
		got += k > 0 ? (size_t)k : 0;
	}
	if (got < cnt * esize)
		ld->sane = false;
	*n = got / esize;
	return buf;
}

static void load_oidx(struct log_segment *s, int64_t log_size, struct idx_load *ld)
{
	size_t n;
	uint8_t *buf = read_entries(s->ofd, OIDX_ENTRY_SIZE,
	                            (size_t)(log_size / RB_HEADER_SIZE) + 1, &n, ld);
	int64_t prev_rel = -1, prev_pos = -1;
	s->on = 0;
	for (size_t i = 0; i < n; i++) {
		int32_t rel = (int32_t)be32_get(buf + i * OIDX_ENTRY_SIZE);
		int32_t pos = (int32_t)be32_get(buf + i * OIDX_ENTRY_SIZE + 4);
		if (rel <= prev_rel || pos <= prev_pos || pos >= log_size) {
			ld->sane = false;
			break;
		}
		KB_GROW(s->oidx, s->ocap, s->on + 1, 16);
		s->oidx[s->on++] = (struct oidx_ent){rel, pos};
		prev_rel = rel;
		prev_pos = pos;
	}
	kb_free(buf);
}

static void load_tidx(struct log_segment *s, int64_t log_size, struct idx_load *ld)
{
	size_t n;
	uint8_t *buf = read_entries(s->tfd, TIDX_ENTRY_SIZE,
	                            (size_t)(log_size / RB_HEADER_SIZE) + 1, &n, ld);
	int64_t prev_ts = -1, prev_rel = 0;
	s->tn = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t ts = (int64_t)be64_get(buf + i * TIDX_ENTRY_SIZE);
		int32_t rel = (int32_t)be32_get(buf + i * TIDX_ENTRY_SIZE + 8);
		if (ts <= prev_ts || rel < prev_rel) {
			ld->sane = false;
			break;
		}
		KB_GROW(s->tidx, s->tcap, s->tn + 1, 16);
		s->tidx[s->tn++] = (struct tidx_ent){ts, rel};
		prev_ts = ts;
		prev_rel = rel;
	}
	kb_free(buf);
}

/* How many loaded entries of each index recovery keeps (see the rules at the top). */
static void choose_start(const struct log_segment *s, enum seg_trust trust, int64_t rp,
                         const struct idx_load *ol, const struct idx_load *tl, size_t *keep_o,
                         size_t *keep_t)
{
	*keep_o = *keep_t = 0;
	bool time_present = s->tn > 0 || s->on == 0;
	if (trust == TRUST_ALL && ol->sane && tl->sane && time_present) {
		*keep_o = s->on;
		*keep_t = s->tn;
	} else if (trust == TRUST_PARTIAL && time_present) {
		size_t k = 0;
		while (k < s->on && s->base + s->oidx[k].rel < rp)
			k++;
		*keep_o = k;
		size_t t = 0;
		while (k && t < s->tn && s->tidx[t].rel <= s->oidx[k - 1].rel)
			t++;
		*keep_t = t;
	}
}

/* ---- Replay ------------------------------------------------------------------------------- */

/* Walks batches from s->size to the end of the file; *stop is where the valid data ends. The
 * epochs of the batches it verifies go to ec. */
static int replay(struct log_segment *s, struct rdr *r, int64_t rp, int32_t interval,
                  struct epoch_cache *ec, int64_t *stop)
{
	int64_t pos = s->size;
	while (pos < r->fsize) {
		struct rb_hdr h;
		int rc = rdr_header(r, pos, &h);
		if (rc < 0)
			return -1;
		if (rc == 0 || h.base < s->next_offset || pos > INT32_MAX ||
		    h.last - s->base > INT32_MAX)
			break;
		if (h.last >= rp) {
			uint32_t crc;
			r->want = r->cap;
			if (!rdr_crc(r, pos + RB_ATTRIBUTES, pos + h.size, &crc)) {
				if (r->err)
					return -1;
				break;
			}
			if (crc != h.crc)
				break;
			atomic_fetch_add_explicit(&log_debug_crc_bytes, h.size, memory_order_relaxed);
			if (ec)
				epc_recovered(ec, h.epoch, h.base);
		}
		atomic_fetch_add_explicit(&log_debug_scan_bytes, h.size, memory_order_relaxed);
		bool oadd, tadd;
		seg_note_batch(s, pos, &h, interval, &oadd, &tadd);
		pos += h.size;
	}
	*stop = pos;
	return 0;
}

/* Resets the segment to the kept index prefixes and replays from the last kept entry.
 * 1: the kept entries proved wrong (start over from position 0), 0 ok, -1 I/O error. */
static int replay_from(struct log_segment *s, struct rdr *r, size_t keep_o, size_t keep_t,
                       int64_t rp, int32_t interval, struct epoch_cache *ec, int64_t *stop)
{
	s->on = keep_o;
	s->tn = keep_t;
	s->max_ts = keep_t ? s->tidx[keep_t - 1].ts : -1;
	s->max_ts_off = keep_t ? s->base + s->tidx[keep_t - 1].rel : -1;
	s->size = 0;
	s->next_offset = s->base;
	if (keep_o) {
		struct rb_hdr h;
		int64_t p = s->oidx[keep_o - 1].pos;
		int rc = rdr_header(r, p, &h);
		if (rc < 0)
			return -1;
		if (rc == 0 || h.last != s->base + s->oidx[keep_o - 1].rel || h.base < s->base)
			return 1;
		s->size = p;
		s->next_offset = h.base;
	}
	if (replay(s, r, rp, interval, ec, stop) < 0)
		return -1;
	if (keep_t && s->base + s->tidx[keep_t - 1].rel >= s->next_offset)
		return 1;
	return 0;
}

static void load_times(struct log_segment *s, const struct stat *st)
{
	if (s->size == 0)
		return;
	s->last_append_ms = (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
	s->first_append_ms = s->last_append_ms;
	struct statx stx;
	if (statx(s->fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) == 0 && (stx.stx_mask & STATX_BTIME))
		s->first_append_ms = (int64_t)stx.stx_btime.tv_sec * 1000 + stx.stx_btime.tv_nsec / 1000000;
}

/* What the index files held when recovery started, to rewrite only what changed. */
struct idx_file {
	struct oidx_ent *o;
	struct tidx_ent *t;
	size_t on, tn;
};

static void snapshot_files(const struct log_segment *s, struct idx_file *f)
{
	f->on = s->on;
	f->tn = s->tn;
	f->o = kb_malloc(KB_MAX(s->on, 1) * sizeof(*f->o));
	f->t = kb_malloc(KB_MAX(s->tn, 1) * sizeof(*f->t));
	if (s->on)
		memcpy(f->o, s->oidx, s->on * sizeof(*f->o));
	if (s->tn)
		memcpy(f->t, s->tidx, s->tn * sizeof(*f->t));
}

static void write_indexes(struct log_segment *s, struct idx_file *f, const struct idx_load *ol,
                          const struct idx_load *tl)
{
	size_t o = 0, t = 0;
	while (o < s->on && o < f->on && s->oidx[o].rel == f->o[o].rel && s->oidx[o].pos == f->o[o].pos)
		o++;
	while (t < s->tn && t < f->tn && s->tidx[t].ts == f->t[t].ts && s->tidx[t].rel == f->t[t].rel)
		t++;
	kb_free(f->o);
	kb_free(f->t);
	if (o == s->on && ol->file_bytes == (int64_t)(s->on * OIDX_ENTRY_SIZE) && t == s->tn &&
	    tl->file_bytes == (int64_t)(s->tn * TIDX_ENTRY_SIZE))
		return;
	if (ol->file_bytes || tl->file_bytes)
		say_info("log", "%s: index files repaired from entry %zu/%zu (now %zu/%zu entries)",
		         s->path, o, t, s->on, s->tn);
	/* On failure the in-memory index (just rebuilt, authoritative) still serves reads; the
	 * files stay suspect and are checked and repaired again at the next open. */
	if (seg_write_index_tail(s, o, t) < 0)
		say_warn("log", "%s: repairing the index files failed; they are checked again at the "
		         "next open", s->path);
}

/* Replays the segment (from the kept index entries, or from 0 if they prove wrong) and cuts
 * the .log after the last valid batch. 0, or -1 on an I/O error. */
static int replay_and_cut(struct log_segment *s, struct rdr *r, int64_t fsize, size_t keep_o,
                          size_t keep_t, int64_t rp, int32_t interval, struct epoch_cache *ec,
                          int64_t *trunc_off)
{
	int64_t stop;
	size_t mark = ec ? ec->n : 0; /* recovery only adds entries: a restart forgets its own */
	int rc = replay_from(s, r, keep_o, keep_t, rp, interval, ec, &stop);
	if (rc == 1) {
		if (ec)
			ec->n = mark;
		rc = replay_from(s, r, 0, 0, rp, interval, ec, &stop);
	}
	if (rc < 0)
		return -1;
	if (stop < fsize) {
		say_warn("log", "%s.log: invalid or incomplete batch at position %" PRId64
		         " (offset %" PRId64 "); truncating %" PRId64 " bytes", s->path, stop,
		         s->next_offset, fsize - stop);
		if (ftruncate(s->fd, (off_t)stop) < 0)
			return -1;
		*trunc_off = s->next_offset;
	}
	return 0;
}

int seg_recover(struct log_segment *s, enum seg_trust trust, int64_t rp, int32_t interval,
                struct rdr *r, struct epoch_cache *ec, int64_t *trunc_off, char *err,
                size_t errlen)
{
	struct stat st;
	struct idx_load ol, tl;
	struct idx_file files;
	size_t keep_o, keep_t;

	*trunc_off = -1;
	if (fstat(s->fd, &st) < 0 || seg_open_index_fds(s) < 0)
		return fail(err, errlen, "open", s->path);
	load_oidx(s, st.st_size, &ol);
	load_tidx(s, st.st_size, &tl);
	snapshot_files(s, &files);
	choose_start(s, trust, rp, &ol, &tl, &keep_o, &keep_t);
	rdr_init(r, s->fd, st.st_size, r->buf, r->cap, trust == TRUST_NONE ? r->cap : HDR_WALK_WANT);
	if (replay_and_cut(s, r, st.st_size, keep_o, keep_t, rp, interval, ec, trunc_off) < 0) {
		kb_free(files.o);
		kb_free(files.t);
		return fail(err, errlen, "recover", s->path);
	}
	write_indexes(s, &files, &ol, &tl);
	load_times(s, &st);
	return 0;
}

/* ---- Directory ---------------------------------------------------------------------------- */

static bool parse_log_name(const char *name, int64_t *base)
{
	uint64_t v = 0;
	if (strlen(name) != 24 || strcmp(name + 20, ".log") != 0)
		return false;
	for (int i = 0; i < 20; i++) {
		if (name[i] < '0' || name[i] > '9' || v > (uint64_t)INT64_MAX / 10)
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
		if (v > (uint64_t)INT64_MAX)
			return false;
	}
	*base = (int64_t)v;
	return true;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* "<20 digits>.<rest>": the base offset and a pointer to rest (after the dot). */
static bool parse_seg_name(const char *name, int64_t *base, const char **rest)
{
	uint64_t v = 0;
	if (strlen(name) < 22 || name[20] != '.')
		return false;
	for (int i = 0; i < 20; i++) {
		if (name[i] < '0' || name[i] > '9' || v > (uint64_t)INT64_MAX / 10)
			return false;
		v = v * 10 + (uint64_t)(name[i] - '0');
		if (v > (uint64_t)INT64_MAX)
			return false;
	}
	*base = (int64_t)v;
	*rest = name + 21;
	return true;
}

static bool is_seg_kind(const char *rest, const char *ext)
{
	static const char *const kinds[] = {"log", "index", "timeindex", "txnindex"};
	for (size_t i = 0; i < KB_ARRAY_LEN(kinds); i++) {
		size_t k = strlen(kinds[i]);
		if (strncmp(rest, kinds[i], k) == 0 && strcmp(rest + k, ext) == 0)
			return true;
	}
	return false;
}

static void unlink_warn(DIR *d, const char *dir, const char *name)
{
	if (unlinkat(dirfd(d), name, 0) < 0 && errno != ENOENT)
		say_warn("log", "%s/%s: unlink: %s", dir, name, strerror(errno));
}

/* The offset after the last batch of a fully written (fsynced) .log.swap file, or base when
 * it cannot be read. */
static int64_t swap_next_offset(const char *dir, int64_t base)
{
	char p[4096];
	struct rdr r;
	struct stat st;
	int64_t pos = 0, next = base;
	snprintf(p, sizeof(p), "%s/%020" PRId64 ".log.swap", dir, base);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return base;
	}
	rdr_init(&r, fd, st.st_size, kb_malloc(HDR_WALK_WANT), HDR_WALK_WANT, HDR_WALK_WANT);
	for (struct rb_hdr h; pos < st.st_size && rdr_header(&r, pos, &h) == 1; pos += h.size)
		next = h.last + 1;
	kb_free(r.buf);
	close(fd);
	return next;
}

/* Leftovers of interrupted deletions and cleaner swaps, as Kafka's LogLoader treats them:
 *   1. every *.deleted file goes;
 *   2. every *.cleaned file goes, and so does every *.swap file at or above the lowest
 *      *.cleaned base offset (that swap had not finished becoming .swap);
 *   3. a remaining <base>.log.swap replaces the segments it was cleaned from: every non-swap
 *      segment file whose base lies in [lowest swap base, highest swap end) goes, then the
 *      .swap suffixes are stripped. A cleaned group always ends with the last batch of the
 *      group (kept as an empty batch when all its records went, cleaner.c), so that range
 *      covers exactly the old segments the swap replaces. */
static void remove_leftovers(const char *dir, DIR *d)
{
	struct dirent *de;
	int64_t min_cleaned = INT64_MAX, swap_lo = INT64_MAX, swap_hi = -1, base;
	const char *rest;

	while ((de = readdir(d)) != NULL) {
		if (has_suffix(de->d_name, ".deleted"))
			unlink_warn(d, dir, de->d_name);
		else if (has_suffix(de->d_name, ".cleaned") &&
		         parse_seg_name(de->d_name, &base, &rest))
			min_cleaned = KB_MIN(min_cleaned, base);
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		bool swap = has_suffix(de->d_name, ".swap");
		bool named = parse_seg_name(de->d_name, &base, &rest);
		if (has_suffix(de->d_name, ".cleaned") || (swap && (!named || base >= min_cleaned)))
			unlink_warn(d, dir, de->d_name);
		else if (swap && is_seg_kind(rest, ".swap") && strncmp(rest, "log.", 4) == 0) {
			swap_lo = KB_MIN(swap_lo, base);
			swap_hi = KB_MAX(swap_hi, swap_next_offset(dir, base));
		}
	}
	if (swap_hi < 0)
		return;
	say_warn("log", "%s: finishing an interrupted cleaner swap of offsets [%" PRId64 ", %" PRId64
	         ")", dir, swap_lo, swap_hi);
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (parse_seg_name(de->d_name, &base, &rest) && is_seg_kind(rest, "") &&
		    base >= swap_lo && base < swap_hi)
			unlink_warn(d, dir, de->d_name);
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".swap") || !parse_seg_name(de->d_name, &base, &rest))
			continue;
		char to[256];
		snprintf(to, sizeof(to), "%.*s", (int)(strlen(de->d_name) - 5), de->d_name);
		if (renameat(dirfd(d), de->d_name, dirfd(d), to) < 0)
			say_warn("log", "%s/%s: rename: %s", dir, de->d_name, strerror(errno));
	}
}

static int list_dir(const char *dir, int64_t **bases, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	size_t cap = 0;
	struct dirent *de;

	if (!d)
		return fail(err, errlen, "opendir", dir);
	remove_leftovers(dir, d);
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		int64_t base;
		if (parse_log_name(de->d_name, &base)) {
			KB_GROW(*bases, cap, *n + 1, 16);
			(*bases)[(*n)++] = base;
		}
	}
	closedir(d);
	if (*n)
		qsort(*bases, *n, sizeof(**bases), cmp_i64);
	return 0;
}

/* ---- Open --------------------------------------------------------------------------------- */

static enum seg_trust trust_of(const int64_t *bases, size_t nb, size_t i, int64_t rp)
{
	int64_t next = i + 1 < nb ? bases[i + 1] : INT64_MAX;
	if (bases[i] >= rp)
		return TRUST_NONE;
	return next <= rp ? TRUST_ALL : TRUST_PARTIAL;
}

static void drop_segment(struct log_segment *s, const char *why)
{
	say_warn("log", "%s: %s; deleting the segment", s->path, why);
	seg_unlink_files(s);
	log_segment_unref(s);
}

/* Loads segment s; sets *dropping when everything after it must go. */
static int load_one(struct plog *l, struct log_segment *s, enum seg_trust trust, int64_t rp,
                    struct rdr *r, bool *dropping, char *err, size_t errlen)
{
	char p[4096];
	int64_t trunc_off;
	struct log_segment *prev = l->n ? l->segs[l->n - 1] : NULL;

	seg_path(s, ".log", p, sizeof(p));
	s->fd = open(p, O_RDWR | O_CLOEXEC);
	if (s->fd < 0 || seg_recover(s, trust, rp, l->cfg.index_interval_bytes, r, &l->epochs,
	                             &trunc_off, err, errlen) < 0) {
		if (s->fd < 0)
			fail(err, errlen, "open", p);
		log_segment_unref(s);
		return -1;
	}
	seg_txi_load(s);
	if (trunc_off >= 0)
		seg_txi_truncate(s, s->next_offset); /* markers cut off with the torn tail */
	if (prev && prev->size > 0 && s->base > prev->next_offset) {
		say_warn("log", "%s: gap: previous segment ends at offset %" PRId64, s->path,
		         prev->next_offset);
		s->gap_before = true;
	}
	plog_push_segment(l, s);
	if (trunc_off >= rp)
		*dropping = true;
	return 0;
}

static int load_segments(struct plog *l, const int64_t *bases, size_t nb, int64_t rp,
                         char *err, size_t errlen)
{
	struct rdr r;
	bool dropping = false;
	int rc = 0;

	rdr_init(&r, -1, 0, kb_malloc(LOG_SCAN_BUF), LOG_SCAN_BUF, LOG_SCAN_BUF);
	for (size_t i = 0; i < nb && rc == 0; i++) {
		struct log_segment *s = seg_new(l->dir, bases[i]);
		struct log_segment *prev = l->n ? l->segs[l->n - 1] : NULL;
		if (dropping) {
			drop_segment(s, "follows a truncated unflushed batch");
		} else if (prev && s->base < prev->next_offset) {
			drop_segment(s, "overlaps the previous segment");
			dropping = true;
		} else {
			rc = load_one(l, s, trust_of(bases, nb, i, rp), rp, &r, &dropping, err, errlen);
		}
	}
	kb_free(r.buf);
	return rc;
}

static int create_first(struct plog *l, int64_t start, char *err, size_t errlen)
{
	struct log_segment *s = seg_new(l->dir, start > 0 ? start : 0);
	if (seg_create_files(s) < 0) {
		fail(err, errlen, "create", s->path);
		log_segment_unref(s);
		return -1;
	}
	plog_push_segment(l, s);
	l->dir_dirty = true;
	return 0;
}

static void finish_open(struct plog *l, int64_t rp, int64_t start)
{
	int64_t first = l->segs[0]->base;
	l->leo = plog_active(l)->next_offset;
	l->recovery_point = KB_MIN(KB_MAX(rp, first), l->leo);
	l->log_start = start < 0 ? first : KB_MIN(KB_MAX(start, first), l->leo);
	epc_truncate_end(&l->epochs, l->leo);
	epc_truncate_start(&l->epochs, l->log_start);
	for (size_t i = 0; i + 1 < l->n; i++) {
		struct log_segment *s = l->segs[i];
		if (seg_finalize_time(s) < 0) /* inactive: as after a roll */
			say_warn("log", "%s.timeindex: final entry not written", s->path);
		if (s->next_offset <= l->recovery_point) {
			seg_close_index_fds(s);
			s->idx_dirty = false;
		}
	}
	if (l->n && !plog_active(l)->idx_dirty) /* reopened at its next entry */
		seg_close_index_fds(plog_active(l));
}

int plog_open(const char *dir, const struct log_config *cfg, int64_t recovery_point,
              int64_t log_start_offset, struct plog **out, char *err, size_t errlen)
{
	int64_t *bases = NULL;
	size_t nb = 0;

	*out = NULL;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return fail(err, errlen, "mkdir", dir);
	if (list_dir(dir, &bases, &nb, err, errlen) < 0)
		return -1;
	struct plog *l = kb_calloc(1, sizeof(*l));
	l->dir = kb_strdup(dir);
	l->cfg = *cfg;
	/* The file may predate anything from the recovery point on (it is written by flushes):
	 * those entries are rebuilt from the batches recovery verifies. */
	epc_load(&l->epochs, dir);
	epc_truncate_end(&l->epochs, recovery_point);
	int rc = load_segments(l, bases, nb, recovery_point, err, errlen);
	kb_free(bases);
	if (rc == 0 && l->n == 0)
		rc = create_first(l, log_start_offset, err, errlen);
	if (rc < 0) {
		plog_discard(l);
		return -1;
	}
	finish_open(l, recovery_point, log_start_offset);
	plog_pstate_open(l, kb_wall_ms());
	*out = l;
	return 0;
}

/* pstate_log.c — the producer state of a partition log: kept up to date by every append
 * (leader and replica alike, from the 61-byte batch headers only), snapshotted to
 * "<20-digit offset>.snapshot" (Kafka's format, pstate.h), rebuilt at open and after truncation.
 *
 * Snapshots. A roll encodes the state at the new segment's base on the loop (a memory copy);
 * the next flush job writes it (tmp file, fsync, rename, directory fsync) after the data it
 * covers is synced, so a snapshot never describes data the disk lacks. plog_close writes one
 * at the LEO (shutdown: the loop has stopped; no fsync, see plog_pstate_close). A segment's snapshot has the segment's name and
 * leaves with it (retention, truncation: segment.c renames/unlinks it with the other files).
 *
 * Open (Kafka's LogLoader, simplified): snapshots past the LEO, and every snapshot that is not
 * at a segment base except the greatest when it is >= the last base (a clean shutdown's), are
 * deleted; the newest remaining one that reads back (version, length, CRC-32C) is loaded (a
 * corrupt one is deleted and the next older one tried); then the batch headers from its
 * offset to the LEO are replayed. Without any snapshot the whole log is replayed. So restart
 * time is the snapshot's size plus the headers after it (normally the active segment, or
 * nothing after a clean shutdown), whatever the number of producers.
 *
 * Truncation below what the state covers: snapshots past the new LEO are deleted, the state
 * is reloaded from the newest remaining snapshot and the headers up to the new LEO replayed
 * (on the loop: a follower truncating is rare, and reads small files). Log start moves keep
 * producers (KAFKA-7190); they leave by expiry only (producer.id.expiration.ms, by the
 * batch's own max timestamp).
 */
#include "log_int.h"
#include "pstate.h"

#include "../common/say.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNAP_SUFFIX ".snapshot"
#define PSTATE_SCAN_WANT (64u * 1024)
#define PSTATE_MARKER_READ 4096

static void snap_path(const char *dir, int64_t off, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%020" PRId64 SNAP_SUFFIX, dir, off);
}

/* The header of the batch at p (61 bytes) as a producer append, false for batches without a
 * producer id and control batches. */
static bool header_append(const uint8_t *p, struct pstate_append *a)
{
	int64_t pid = (int64_t)be64_get(p + RB_PRODUCER_ID);
	if (pid < 0 || (be16_get(p + RB_ATTRIBUTES) & RB_ATTR_CONTROL))
		return false;
	int32_t delta = (int32_t)be32_get(p + RB_LAST_OFFSET_DELTA);
	int32_t base_seq = (int32_t)be32_get(p + RB_BASE_SEQUENCE);
	a->pid = pid;
	a->epoch = (int16_t)be16_get(p + RB_PRODUCER_EPOCH);
	a->first_seq = base_seq;
	a->last_seq = pstate_last_seq(base_seq, delta);
	a->first_offset = (int64_t)be64_get(p + RB_BASE_OFFSET);
	a->last_offset = a->first_offset + delta;
	a->max_ts = (int64_t)be64_get(p + RB_MAX_TIMESTAMP);
	a->txn = (be16_get(p + RB_ATTRIBUTES) & RB_ATTR_TRANSACTIONAL) != 0;
	return true;
}

/* The whole batch p[0, size) in segment s into the state: a data batch with a producer id, or
 * a readable COMMIT/ABORT marker (an empty or unreadable control batch is ignored, as Kafka). */
static void note_batch(struct plog *l, struct log_segment *s, const uint8_t *p, size_t size)
{
	struct pstate_append a;
	struct pstate_marker m;
	int64_t pid = (int64_t)be64_get(p + RB_PRODUCER_ID);
	if (header_append(p, &a)) {
		pstate_update(l->ps, &a);
	} else if (pid >= 0 && (be16_get(p + RB_ATTRIBUTES) & RB_ATTR_CONTROL) &&
	           rb_marker_parse(p, size, &m.commit, &m.coord_epoch)) {
		m.pid = pid;
		m.epoch = (int16_t)be16_get(p + RB_PRODUCER_EPOCH);
		m.offset = (int64_t)be64_get(p + RB_BASE_OFFSET);
		m.ts = (int64_t)be64_get(p + RB_MAX_TIMESTAMP);
		plog_txn_marker(l, s, &m);
	}
}

void plog_pstate_note(struct plog *l, const uint8_t *p, size_t len)
{
	for (size_t off = 0; off < len; off += be32_get(p + off + RB_LENGTH) + RB_LOG_OVERHEAD)
		note_batch(l, plog_active(l), p + off, be32_get(p + off + RB_LENGTH) + RB_LOG_OVERHEAD);
	l->ps_map_end = l->leo;
}

int plog_producer_check(struct plog *l, const struct batch_info *info, struct pstate_dup *dup)
{
	if (info->producer_id < 0)
		return KERR_NONE;
	struct pstate_append a = {.pid = info->producer_id, .epoch = info->producer_epoch,
	                          .first_seq = info->base_sequence,
	                          .last_seq = pstate_last_seq(info->base_sequence,
	                                                      info->last_offset_delta)};
	a.txn = (info->attributes & RB_ATTR_TRANSACTIONAL) != 0;
	return pstate_check(l->ps, &a, dup);
}

const struct pstate *plog_producers(const struct plog *l)
{
	return l->ps;
}

size_t plog_expire_producers(struct plog *l, int64_t now_ms)
{
	if (l->cfg.producer_id_expiration_ms <= 0) /* unset (a zeroed config): never */
		return 0;
	return pstate_expire(l->ps, now_ms, l->cfg.producer_id_expiration_ms);
}

/* ---- Writing snapshots ------------------------------------------------------------------------ */

int pstate_snapshot_write(const char *dir, int64_t off, const uint8_t *buf, size_t len,
                          bool durable)
{
	char path[4200], tmp[4300];
	snap_path(dir, off, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	for (size_t done = 0; done < len;) {
		ssize_t k = write(fd, buf + done, len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			close(fd);
			goto fail;
		}
		done += (size_t)k;
	}
	if ((durable && fsync(fd) < 0) || close(fd) < 0 || rename(tmp, path) < 0)
		goto fail;
	if (durable) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return 0;
fail:
	say_warn("log", "producer snapshot %s: %s", path, strerror(errno));
	unlink(tmp);
	return -1;
}

/* A roll: the state as of the new segment's base, for the next flush job to write. */
void plog_pstate_roll(struct plog *l)
{
	if (l->ps_map_end <= l->ps_snap_off)
		return;
	kb_free(l->snap_buf);
	l->snap_buf = pstate_snapshot_encode(l->ps, &l->snap_len);
	l->snap_pending_off = l->ps_map_end;
	l->ps_snap_off = l->ps_map_end;
}

bool plog_snapshot_pending(const struct plog *l)
{
	return l->snap_buf != NULL;
}

/* Without fsync (a broker with many partitions stops in time): a snapshot lost or torn by a
 * power failure fails its CRC at the next open, which then falls back to an older one and
 * replays more of the log. Nothing is written for a log unchanged since its last snapshot. */
void plog_pstate_close(struct plog *l)
{
	if (l->snap_buf)
		pstate_snapshot_write(l->dir, l->snap_pending_off, l->snap_buf, l->snap_len, false);
	if (l->ps_map_end > l->ps_snap_off) {
		size_t len;
		uint8_t *buf = pstate_snapshot_encode(l->ps, &len);
		pstate_snapshot_write(l->dir, l->ps_map_end, buf, len, false);
		kb_free(buf);
	}
}

/* ---- Loading ---------------------------------------------------------------------------------- */

static bool parse_snap_name(const char *name, int64_t *off)
{
	size_t n = strlen(name);
	if (n != 20 + strlen(SNAP_SUFFIX) || strcmp(name + 20, SNAP_SUFFIX) != 0)
		return false;
	int64_t v = 0;
	for (int i = 0; i < 20; i++) {
		if (name[i] < '0' || name[i] > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (name[i] - '0');
	}
	*off = v;
	return true;
}

static int cmp_off(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Offsets of the snapshot files in dir, ascending (kb_malloc'ed). */
static int64_t *list_snapshots(const char *dir, size_t *n)
{
	size_t cap = 0;
	int64_t *v = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		int64_t off;
		if (!parse_snap_name(de->d_name, &off))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			v = kb_realloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = off;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_off);
	return v;
}

static void unlink_snapshot(const char *dir, int64_t off)
{
	char path[4200];
	snap_path(dir, off, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT)
		say_warn("log", "unlink %s: %s", path, strerror(errno));
}

void plog_pstate_drop_snapshot(struct plog *l, int64_t off)
{
	unlink_snapshot(l->dir, off);
}

static bool is_segment_base(const struct plog *l, int64_t off)
{
	size_t i = plog_floor_index(l, off);
	return l->n && l->segs[i]->base == off;
}

/* Reads snapshot `off` into the state: 0, or -1 (unreadable or corrupt). */
static int load_snapshot(struct plog *l, int64_t off, int64_t now_ms)
{
	char path[4200];
	snap_path(l->dir, off, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < PSTATE_SNAP_HEADER ||
	    st.st_size > (off_t)PSTATE_SNAP_MAX_BYTES) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	uint8_t *buf = kb_malloc((size_t)st.st_size);
	ssize_t got = pread(fd, buf, (size_t)st.st_size, 0);
	close(fd);
	int rc = got == st.st_size ? pstate_snapshot_decode(l->ps, buf, (size_t)got, now_ms,
	                                                    l->cfg.producer_id_expiration_ms > 0
	                                                            ? l->cfg.producer_id_expiration_ms
	                                                            : -1)
	                           : -1;
	kb_free(buf);
	return rc;
}

/* Replays the headers of the batches in [from, LEO) into the state. 0 or -1 (I/O). */
static int replay_headers(struct plog *l, int64_t from)
{
	struct rdr r;
	int rc = 0;
	uint8_t *buf = kb_malloc(PSTATE_SCAN_WANT);
	for (size_t i = plog_floor_index(l, from); i < l->n && rc == 0; i++) {
		struct log_segment *s = l->segs[i];
		struct rb_hdr h;
		int64_t pos;
		if (s->next_offset <= from || s->size == 0)
			continue;
		rdr_init(&r, s->fd, s->size, buf, PSTATE_SCAN_WANT, PSTATE_SCAN_WANT);
		if (seg_find(s, &r, from, &pos, &h) != 0) {
			rc = -1;
			break;
		}
		while (pos < s->size) {
			const uint8_t *p = rdr_get(&r, pos, RB_HEADER_SIZE);
			int hr = p ? rb_header_parse(p, RB_HEADER_SIZE, &h) : RB_HDR_BAD;
			if ((hr != RB_HDR_OK && hr != RB_HDR_PARTIAL) || !rb_hdr_offsets_ok(&h)) {
				rc = -1;
				break;
			}
			/* A marker is read whole (78 bytes, a few KiB at most: a larger control batch
			 * is not one Kafka writes and is ignored like an unreadable one). */
			if (h.base >= from && (h.attrs & RB_ATTR_CONTROL) && h.size <= PSTATE_MARKER_READ)
				p = rdr_get(&r, pos, (size_t)h.size);
			if (p && h.base >= from)
				note_batch(l, s, p, (h.attrs & RB_ATTR_CONTROL) ? (size_t)h.size
				                                                  : RB_HEADER_SIZE);
			pos += h.size;
		}
	}
	kb_free(buf);
	return rc;
}

/* Newest loadable snapshot at or below `upto` into the state (corrupt ones deleted); returns
 * its offset, or -1 with the state empty. */
static int64_t load_newest(struct plog *l, const int64_t *snaps, size_t n, int64_t upto,
                           int64_t now_ms)
{
	for (size_t k = n; k-- > 0;) {
		if (snaps[k] > upto || snaps[k] < 0)
			continue;
		if (load_snapshot(l, snaps[k], now_ms) == 0)
			return snaps[k];
		say_warn("log", "%s: producer snapshot %020" PRId64 " is corrupt; deleted", l->dir,
		         snaps[k]);
		unlink_snapshot(l->dir, snaps[k]);
	}
	pstate_clear(l->ps);
	return -1;
}

/* Loads the newest snapshot <= the LEO and replays the rest of the log after it. */
static void rebuild(struct plog *l, int64_t now_ms)
{
	size_t n;
	int64_t *snaps = list_snapshots(l->dir, &n);
	int64_t last_base = plog_active(l)->base;
	for (size_t k = 0; k < n; k++) {
		bool keep = snaps[k] <= l->leo &&
		            (is_segment_base(l, snaps[k]) || (k == n - 1 && snaps[k] >= last_base));
		if (!keep) {
			unlink_snapshot(l->dir, snaps[k]);
			snaps[k] = -1;
		}
	}
	int64_t from = load_newest(l, snaps, n, l->leo, now_ms);
	l->ps_snap_off = from;
	if (from < 0)
		from = l->segs[0]->base;
	/* .txnindex entries from here on are written again by the replay; below the recovery
	 * point (and the snapshot, written after a flush synced them) they are trusted. */
	for (size_t i = 0; i < l->n; i++)
		seg_txi_truncate(l->segs[i], KB_MAX(from, l->recovery_point));
	if (replay_headers(l, from) < 0)
		say_warn("log", "%s: producer state replay stopped by a read error", l->dir);
	l->ps_map_end = l->leo;
	kb_free(snaps);
}

void plog_pstate_open(struct plog *l, int64_t now_ms)
{
	l->ps = pstate_new();
	rebuild(l, now_ms);
}

void plog_pstate_truncated(struct plog *l, int64_t now_ms)
{
	if (l->ps_map_end <= l->leo) {
		l->ps_map_end = l->leo;
		return;
	}
	kb_free(l->snap_buf); /* describes data that is gone */
	l->snap_buf = NULL;
	rebuild(l, now_ms);
}

void plog_pstate_reset(struct plog *l)
{
	size_t n;
	int64_t *snaps = list_snapshots(l->dir, &n);
	for (size_t k = 0; k < n; k++)
		unlink_snapshot(l->dir, snaps[k]);
	kb_free(snaps);
	kb_free(l->snap_buf);
	l->snap_buf = NULL;
	pstate_clear(l->ps);
	l->ps_snap_off = -1;
	l->ps_map_end = l->leo;
}

void plog_pstate_free(struct plog *l)
{
	pstate_free(l->ps);
	kb_free(l->snap_buf);
}

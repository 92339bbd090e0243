/* txnindex.c — transactions on the partition side: the aborted-transaction index of each
 * segment (Kafka's TransactionIndex), the last stable offset, and the lookup a read_committed
 * Fetch makes. Rules: fact sheet §B7.
 *
 * File "<20-digit base>.txnindex": no header, no CRC, 34-byte big-endian entries
 *     off 0  int16 version 0      off 2  int64 producer id
 *     off 10 int64 first offset   off 18 int64 last offset (the ABORT marker's)
 *     off 26 int64 last stable offset at the abort
 * created when the segment gets its first entry (the segment holding the ABORT marker). The
 * entries are also kept in memory (lookups never read the file); appends pwrite one entry,
 * and the flush job fsyncs the file with the segment's others. It is renamed, deleted and
 * cleaned with its segment (segment.c lists it among the segment's files; the cleaner carries
 * the entries of the segments it merges into the new one). Truncation drops the entries whose
 * marker is gone; recovery drops those it cannot trust and the producer-state replay writes
 * them again (pstate_log.c).
 */
#include "log_int.h"
#include "pstate.h"

#include "../common/limits.h"
#include "../common/say.h"
#include "../common/varint.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void encode(uint8_t *p, const struct txi_ent *e)
{
	be16_put(p, 0);
	be64_put(p + 2, (uint64_t)e->pid);
	be64_put(p + 10, (uint64_t)e->first);
	be64_put(p + 18, (uint64_t)e->last);
	be64_put(p + 26, (uint64_t)e->lso);
}

static int open_txi(struct log_segment *s, int flags)
{
	char p[4096];
	if (s->xfd >= 0)
		return 0;
	seg_path(s, ".txnindex", p, sizeof(p));
	s->xfd = open(p, O_RDWR | O_CLOEXEC | flags, 0644);
	if (s->xfd < 0 && (errno != ENOENT || (flags & O_CREAT)))
		say_ratelimited(SAY_WARN, "log", "open %s: %s", p, strerror(errno));
	return s->xfd >= 0 ? 0 : -1;
}

static void push(struct log_segment *s, const struct txi_ent *e)
{
	KB_GROW(s->txi, s->xcap, s->xn + 1, 4);
	s->txi[s->xn++] = *e;
}

void seg_txi_load(struct log_segment *s)
{
	struct stat st;
	s->xn = 0;
	if (open_txi(s, 0) < 0)
		return;
	if (fstat(s->xfd, &st) == 0 && st.st_size >= TXI_ENTRY_SIZE) {
		size_t n = (size_t)st.st_size / TXI_ENTRY_SIZE;
		uint8_t *buf = kb_malloc(n * TXI_ENTRY_SIZE);
		ssize_t got = pread(s->xfd, buf, n * TXI_ENTRY_SIZE, 0);
		n = got > 0 ? (size_t)got / TXI_ENTRY_SIZE : 0;
		for (size_t i = 0; i < n; i++) {
			const uint8_t *p = buf + i * TXI_ENTRY_SIZE;
			struct txi_ent e = {(int64_t)be64_get(p + 2), (int64_t)be64_get(p + 10),
			                    (int64_t)be64_get(p + 18), (int64_t)be64_get(p + 26)};
			if (p[0] != 0 || e.last < s->base || e.first > e.last ||
			    (s->xn && e.last <= s->txi[s->xn - 1].last)) {
				say_warn("log", "%s.txnindex: invalid entry %zu; the rest is ignored", s->path,
				         i);
				break;
			}
			push(s, &e);
		}
		kb_free(buf);
	}
	/* What was ignored goes, so the file is the entries again (appends go after them). */
	if (fstat(s->xfd, &st) == 0 && st.st_size != (off_t)(s->xn * TXI_ENTRY_SIZE) &&
	    ftruncate(s->xfd, (off_t)(s->xn * TXI_ENTRY_SIZE)) < 0)
		say_warn("log", "%s.txnindex: truncate: %s", s->path, strerror(errno));
	close(s->xfd);
	s->xfd = -1;
}

static int write_entries_at(struct log_segment *s, size_t from)
{
	size_t n = s->xn - from;
	uint8_t *buf = kb_malloc(KB_MAX(n, 1) * TXI_ENTRY_SIZE);
	for (size_t i = 0; i < n; i++)
		encode(buf + i * TXI_ENTRY_SIZE, &s->txi[from + i]);
	size_t done = 0;
	while (done < n * TXI_ENTRY_SIZE) {
		ssize_t k = pwrite(s->xfd, buf + done, n * TXI_ENTRY_SIZE - done,
		                   (off_t)(from * TXI_ENTRY_SIZE + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		done += (size_t)k;
	}
	kb_free(buf);
	return done == n * TXI_ENTRY_SIZE ? 0 : -1;
}

int seg_txi_append(struct log_segment *s, const struct txi_ent *e)
{
	if (s->xn && e->last <= s->txi[s->xn - 1].last)
		return 0;
	push(s, e);
	if (open_txi(s, O_CREAT) < 0 || write_entries_at(s, s->xn - 1) < 0) {
		say_ratelimited(SAY_WARN, "log", "%s.txnindex: write: %s", s->path, strerror(errno));
		return -1; /* the entry stays in memory; recovery writes it again after a crash */
	}
	s->idx_dirty = true;
	return 0;
}

void seg_txi_truncate(struct log_segment *s, int64_t off)
{
	size_t n = s->xn;
	while (s->xn && s->txi[s->xn - 1].last >= off)
		s->xn--;
	if (s->xn == n)
		return;
	if (open_txi(s, O_CREAT) < 0 || ftruncate(s->xfd, (off_t)(s->xn * TXI_ENTRY_SIZE)) < 0)
		say_warn("log", "%s.txnindex: truncate: %s", s->path, strerror(errno));
	s->idx_dirty = true;
}

int seg_txi_write_all(struct log_segment *s)
{
	if (s->xn == 0)
		return 0;
	int rc = open_txi(s, O_CREAT | O_TRUNC) < 0 || write_entries_at(s, 0) < 0 ||
	         fdatasync(s->xfd) < 0 ? -1 : 0;
	if (rc < 0)
		say_warn("log", "%s.txnindex: write: %s", s->path, strerror(errno));
	return rc;
}

/* ---- Markers ------------------------------------------------------------------------------ */

bool rb_marker_parse(const uint8_t *p, size_t size, bool *commit, int32_t *coord_epoch)
{
	if (size < RB_HEADER_SIZE || (be16_get(p + RB_ATTRIBUTES) & RB_ATTR_CODEC_MASK) ||
	    (int32_t)be32_get(p + RB_RECORDS_COUNT) < 1)
		return false;
	const uint8_t *q = p + RB_HEADER_SIZE, *end = p + size;
	int32_t len, off_delta, klen, vlen;
	int64_t ts_delta;
	if (kb_varint32_read(&q, end, &len) != KB_VAR_OK || len < 0 || len > end - q)
		return false;
	end = q + len;
	if (q >= end)
		return false;
	q++; /* record attributes */
	if (kb_varint64_read(&q, end, &ts_delta) != KB_VAR_OK ||
	    kb_varint32_read(&q, end, &off_delta) != KB_VAR_OK ||
	    kb_varint32_read(&q, end, &klen) != KB_VAR_OK || klen < 4 || klen > end - q)
		return false;
	/* key: int16 version (any >= 0 read as 0), int16 type 0 ABORT / 1 COMMIT */
	int16_t kver = (int16_t)be16_get(q), type = (int16_t)be16_get(q + 2);
	q += klen;
	if (kver < 0 || (type != 0 && type != 1) ||
	    kb_varint32_read(&q, end, &vlen) != KB_VAR_OK || vlen < 6 || vlen > end - q ||
	    (int16_t)be16_get(q) < 0)
		return false;
	*commit = type == 1;
	*coord_epoch = (int32_t)be32_get(q + 2);
	return true;
}

size_t rb_marker_build(uint8_t *out, int64_t pid, int16_t epoch, bool commit,
                       int32_t coord_epoch, int64_t now_ms)
{
	static const uint8_t rec_head[] = {0x20, 0x00, 0x00, 0x00, 0x08}; /* len 16, attrs, deltas,
	                                                                     key length 4 */
	memset(out, 0, RB_MARKER_SIZE);
	be32_put(out + RB_LENGTH, RB_MARKER_SIZE - RB_LOG_OVERHEAD);
	be32_put(out + RB_LEADER_EPOCH, (uint32_t)-1);
	out[RB_MAGIC] = 2;
	be16_put(out + RB_ATTRIBUTES, RB_ATTR_TRANSACTIONAL | RB_ATTR_CONTROL);
	be32_put(out + RB_LAST_OFFSET_DELTA, 0);
	be64_put(out + RB_BASE_TIMESTAMP, (uint64_t)now_ms);
	be64_put(out + RB_MAX_TIMESTAMP, (uint64_t)now_ms);
	be64_put(out + RB_PRODUCER_ID, (uint64_t)pid);
	be16_put(out + RB_PRODUCER_EPOCH, (uint16_t)epoch);
	be32_put(out + RB_BASE_SEQUENCE, (uint32_t)-1);
	be32_put(out + RB_RECORDS_COUNT, 1);
	uint8_t *q = out + RB_HEADER_SIZE;
	memcpy(q, rec_head, sizeof(rec_head));
	q += sizeof(rec_head);
	be16_put(q, 0);                   /* key version */
	be16_put(q + 2, commit ? 1 : 0);  /* key type */
	q[4] = 0x0c;                      /* value length 6 */
	be16_put(q + 5, 0);               /* value version */
	be32_put(q + 7, (uint32_t)coord_epoch);
	q[11] = 0x00;                     /* no headers */
	be32_put(out + RB_CRC, crc32c(0, out + RB_ATTRIBUTES, RB_MARKER_SIZE - RB_ATTRIBUTES));
	return RB_MARKER_SIZE;
}

void plog_txn_marker(struct plog *l, struct log_segment *s, const struct pstate_marker *m)
{
	struct pstate_txn_done d;
	if (!pstate_end_txn(l->ps, m, &d) || !d.aborted)
		return;
	struct txi_ent e = {d.pid, d.first, d.last, d.lso};
	if (seg_txi_append(s, &e) < 0)
		say_ratelimited(SAY_WARN, "log", "%s: aborted transaction of producer %lld not "
		                "indexed on disk", l->dir, (long long)d.pid);
}

/* ---- The last stable offset and the fetch lookup ------------------------------------------- */

int plog_marker_check(const struct plog *l, int64_t pid, int16_t epoch, int32_t coord_epoch)
{
	return pstate_check_marker(l->ps, pid, epoch, coord_epoch);
}

int64_t plog_lso(struct plog *l, int64_t hw)
{
	int64_t fu = pstate_first_unstable(l->ps, hw);
	return KB_MAX(l->log_start, KB_MIN(hw, fu));
}

int plog_aborted_txns(const struct plog *l, int64_t from, int64_t upper,
                      struct log_aborted **out, size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = plog_floor_index(l, from); i < l->n; i++) {
		const struct log_segment *s = l->segs[i];
		for (size_t k = 0; k < s->xn; k++) {
			const struct txi_ent *e = &s->txi[k];
			if (e->last >= from && e->first < upper) {
				if (*n == KB_FETCH_MAX_ABORTED) {
					kb_free(*out);
					*out = NULL;
					*n = 0;
					return -1;
				}
				KB_GROW(*out, cap, *n + 1, 8);
				(*out)[(*n)++] = (struct log_aborted){e->pid, e->first};
			}
			if (e->lso >= upper)
				return 0;
		}
	}
	return 0;
}

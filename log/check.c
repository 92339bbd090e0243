/* check.c — plog_check(): verifies log.h's invariants against the files, for tests and the
 * sanitizer build's debug checks (plog.c runs it at the 1st, 2nd, 4th, ... write of a log). It
 * reads every batch of every segment (CRC included) and both index files, so it is slow by
 * design and never used by a broker built without KB_DEBUG_CHECKS.
 *
 * Per segment: the .log size equals the segment size; batches are complete, magic 2,
 * CRC-valid and ascending in offset from the base offset (gaps: compaction); next_offset follows the last batch; every
 * offset index entry points at the start of a batch with that last offset; every time index
 * entry names a batch whose maxTimestamp is the entry's timestamp, timestamps ascending; the
 * largest timestamp and its offset match the batches; the index files hold exactly the
 * in-memory entries. Across segments: sorted, contiguous (or an empty segment, or a gap
 * reported at open), LEO and log start and recovery point in range. Epoch cache: epochs
 * ascending strictly, start offsets non-decreasing and within [log start, LEO].
 */
#include "log_int.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

KB_PRINTF(3, 4) static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

struct walk {
	size_t k, t;         /* next offset / time index entry to match */
	int64_t max_ts, max_off, prev_ts;
};

static int check_batch(const struct log_segment *s, struct walk *w, int64_t pos,
                       const struct rb_hdr *h, char *err, size_t errlen)
{
	if (w->k < s->on && s->oidx[w->k].pos == pos) {
		if (s->base + s->oidx[w->k].rel != h->last)
			return bad(err, errlen, "%s: index entry %zu offset mismatch", s->path, w->k);
		w->k++;
	}
	while (w->t < s->tn && s->base + s->tidx[w->t].rel == h->last) {
		if (s->tidx[w->t].ts != h->max_ts || s->tidx[w->t].ts <= w->prev_ts)
			return bad(err, errlen, "%s: time index entry %zu wrong", s->path, w->t);
		w->prev_ts = s->tidx[w->t++].ts;
	}
	if (h->max_ts > w->max_ts) {
		w->max_ts = h->max_ts;
		w->max_off = h->last;
	}
	return 0;
}

static int walk_batches(const struct log_segment *s, char *err, size_t errlen)
{
	struct rdr r;
	struct walk w = {0, 0, -1, -1, -1};
	int64_t pos = 0, next = s->base;
	int rc = 0;

	rdr_init(&r, s->fd, s->size, kb_malloc(LOG_SCAN_BUF), LOG_SCAN_BUF, LOG_SCAN_BUF);
	while (rc == 0 && pos < s->size) {
		struct rb_hdr h;
		uint32_t crc;
		if (rdr_header(&r, pos, &h) != 1 || h.base < next) {
			rc = bad(err, errlen, "%s: bad batch at %" PRId64, s->path, pos);
			break;
		}
		if (!rdr_crc(&r, pos + RB_ATTRIBUTES, pos + h.size, &crc) || crc != h.crc)
			rc = bad(err, errlen, "%s: CRC mismatch at %" PRId64, s->path, pos);
		else
			rc = check_batch(s, &w, pos, &h, err, errlen);
		next = h.last + 1;
		pos += h.size;
	}
	kb_free(r.buf);
	if (rc)
		return rc;
	if (next != s->next_offset)
		return bad(err, errlen, "%s: next offset %" PRId64 " != %" PRId64, s->path,
		           s->next_offset, next);
	if (w.k != s->on || w.t != s->tn)
		return bad(err, errlen, "%s: index entries not on batches (%zu/%zu, %zu/%zu)", s->path,
		           w.k, s->on, w.t, s->tn);
	if (w.max_ts != s->max_ts || (w.max_ts >= 0 && w.max_off != s->max_ts_off))
		return bad(err, errlen, "%s: max timestamp %" PRId64 "@%" PRId64 " != %" PRId64
		           "@%" PRId64, s->path, s->max_ts, s->max_ts_off, w.max_ts, w.max_off);
	return 0;
}

static int check_file(const struct log_segment *s, const char *suffix, size_t esize, size_t n,
                      bool time, char *err, size_t errlen)
{
	char p[4096];
	seg_path(s, suffix, p, sizeof(p));
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size != n * esize) {
		if (fd >= 0)
			close(fd);
		return bad(err, errlen, "%s: size does not match %zu entries", p, n);
	}
	uint8_t *buf = kb_malloc(n * esize);
	bool ok = pread(fd, buf, n * esize, 0) == (ssize_t)(n * esize);
	for (size_t i = 0; ok && i < n; i++) {
		const uint8_t *e = buf + i * esize;
		if (time)
			ok = (int64_t)be64_get(e) == s->tidx[i].ts &&
			     (int32_t)be32_get(e + 8) == s->tidx[i].rel;
		else
			ok = (int32_t)be32_get(e) == s->oidx[i].rel &&
			     (int32_t)be32_get(e + 4) == s->oidx[i].pos;
	}
	kb_free(buf);
	close(fd);
	return ok ? 0 : bad(err, errlen, "%s: entries differ from memory", p);
}

/* .txnindex: markers ascend inside the segment; the file holds at least those entries. */
static int check_txi(const struct log_segment *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->xn; i++) {
		const struct txi_ent *e = &s->txi[i];
		if (e->last < s->base || e->last >= s->next_offset || e->first > e->last ||
		    (i && e->last <= e[-1].last))
			return bad(err, errlen, "%s.txnindex: entry %zu (marker %" PRId64 ") out of order "
			           "or outside the segment", s->path, i, e->last);
	}
	char p[4096];
	struct stat st;
	seg_path(s, ".txnindex", p, sizeof(p));
	if (s->xn && (stat(p, &st) < 0 || (size_t)st.st_size != s->xn * TXI_ENTRY_SIZE))
		return bad(err, errlen, "%s: size does not match %zu entries", p, s->xn);
	return 0;
}

static int check_segment(const struct log_segment *s, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(s->fd, &st) < 0 || st.st_size != s->size)
		return bad(err, errlen, "%s.log: file size != %" PRId64, s->path, s->size);
	if (walk_batches(s, err, errlen) < 0 ||
	    check_file(s, ".index", OIDX_ENTRY_SIZE, s->on, false, err, errlen) < 0 ||
	    check_file(s, ".timeindex", TIDX_ENTRY_SIZE, s->tn, true, err, errlen) < 0 ||
	    check_txi(s, err, errlen) < 0)
		return -1;
	return 0;
}

static int check_epochs(const struct plog *l, char *err, size_t errlen)
{
	const struct epoch_cache *c = &l->epochs;
	for (size_t i = 0; i < c->n; i++) {
		const struct epoch_ent *e = &c->e[i];
		if (e->epoch < 0 || e->start < l->log_start || e->start > l->leo ||
		    (i && (e->epoch <= e[-1].epoch || e->start < e[-1].start)))
			return bad(err, errlen, "epoch entry %zu (%" PRId32 ", %" PRId64 ") out of order "
			           "or outside [%" PRId64 ", %" PRId64 "]", i, e->epoch, e->start,
			           l->log_start, l->leo);
	}
	return 0;
}

int plog_check(struct plog *l, char *err, size_t errlen)
{
	if (l->n == 0)
		return bad(err, errlen, "no segment");
	for (size_t i = 0; i < l->n; i++) {
		const struct log_segment *s = l->segs[i], *prev = i ? l->segs[i - 1] : NULL;
		if (prev && (s->base < prev->next_offset ||
		             (s->base > prev->next_offset && prev->size > 0 && !s->gap_before)))
			return bad(err, errlen, "%s: base %" PRId64 " after segment ending at %" PRId64,
			           s->path, s->base, prev->next_offset);
		if (check_segment(s, err, errlen) < 0)
			return -1;
	}
	if (l->leo != plog_active(l)->next_offset)
		return bad(err, errlen, "LEO %" PRId64 " != active segment end", l->leo);
	if (l->log_start < l->segs[0]->base || l->log_start > l->leo)
		return bad(err, errlen, "log start %" PRId64 " out of range", l->log_start);
	if (l->recovery_point > l->leo)
		return bad(err, errlen, "recovery point %" PRId64 " past LEO", l->recovery_point);
	return check_epochs(l, err, errlen);
}

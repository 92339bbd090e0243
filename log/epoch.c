/* epoch.c — the leader epoch cache (Kafka's LeaderEpochFileCache, KIP-101/KIP-279) and its
 * file, <partition dir>/leader-epoch-checkpoint.
 *
 * Entries (epoch, start offset): the first offset written in each leader epoch the log holds
 * data of (or, for the current leader, its epoch from the LEO where it took over). Epochs
 * ascend strictly, start offsets never decrease, every start lies in [log start, LEO].
 * Appends feed it (the epoch in each batch's partitionLeaderEpoch), truncation cuts its end,
 * a moving log start cuts its beginning. A follower asks its leader where its last epoch ends
 * (OffsetForLeaderEpoch) and truncates there: that is how it finds where the logs diverge.
 *
 * The file is Kafka's checkpoint text format with "<epoch> <start offset>" entries. It is
 * never written on the event loop with fsync: a change only marks the cache dirty; the next
 * flush job snapshots the entries when it is prepared and rewrites the file (tmp, fsync,
 * rename, directory fsync) on its worker before its completion may move the recovery point;
 * plog_close writes a dirty cache without fsync. So the file on disk always holds every entry
 * that starts below the recovery point, and plog_open rebuilds the rest: it drops the entries
 * from the recovery point on and adds the epoch of every batch recovery verifies (all those
 * ending at or after the recovery point), as if they were appended again.
 */
#include "log_int.h"

#include "../common/say.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ---- The cache ------------------------------------------------------------------------------ */

static void push(struct epoch_cache *c, int32_t epoch, int64_t start)
{
	KB_GROW(c->e, c->cap, c->n + 1, 8);
	c->e[c->n++] = (struct epoch_ent){epoch, start};
	c->dirty = true;
}

void epc_free(struct epoch_cache *c)
{
	kb_free(c->e);
	*c = (struct epoch_cache){NULL, 0, 0, false};
}

void epc_assign(struct epoch_cache *c, int32_t epoch, int64_t start, const char *dir)
{
	const struct epoch_ent *last = c->n ? &c->e[c->n - 1] : NULL;
	if (epoch < 0 || start < 0 || (last && last->epoch == epoch && last->start <= start))
		return;
	size_t keep = c->n;
	while (keep && (c->e[keep - 1].epoch >= epoch || c->e[keep - 1].start >= start))
		keep--;
	/* One dropped entry starting right here had no data (a leader that appended nothing):
	 * expected. Anything else means this replica held data the new entry contradicts. */
	if (c->n - keep > 1 || (c->n > keep && c->e[keep].start != start))
		say_warn("log", "%s: leader epoch %" PRId32 " at offset %" PRId64 " replaces %zu "
		         "cached epoch entries", dir, epoch, start, c->n - keep);
	c->n = keep;
	push(c, epoch, start);
}

void epc_recovered(struct epoch_cache *c, int32_t epoch, int64_t base)
{
	const struct epoch_ent *last = c->n ? &c->e[c->n - 1] : NULL;
	if (epoch < 0 || (last && epoch <= last->epoch))
		return;
	push(c, epoch, last ? KB_MAX(base, last->start) : base);
}

void epc_truncate_end(struct epoch_cache *c, int64_t end)
{
	while (c->n && c->e[c->n - 1].start >= end) {
		c->n--;
		c->dirty = true;
	}
}

void epc_truncate_start(struct epoch_cache *c, int64_t start)
{
	size_t k = 0; /* entries [0, k) start at or before `start` */
	while (k < c->n && c->e[k].start <= start)
		k++;
	if (k == 0 || (k == 1 && c->e[0].start == start))
		return;
	c->e[k - 1].start = start;
	memmove(c->e, c->e + k - 1, (c->n - (k - 1)) * sizeof(*c->e));
	c->n -= k - 1;
	c->dirty = true;
}

void epc_clear(struct epoch_cache *c)
{
	if (c->n)
		c->dirty = true;
	c->n = 0;
}

/* ---- The file ------------------------------------------------------------------------------- */

static void epoch_path(const char *dir, char *buf, size_t n)
{
	snprintf(buf, n, "%s/" EPOCH_CKPT_FILE, dir);
}

/* "<epoch> <start>", in the cache's order: anything else makes the whole file garbage. */
static bool parse_epoch(void *ctx, char *line)
{
	struct epoch_cache *c = ctx;
	char *sp = strchr(line, ' ');
	int64_t epoch, start;
	if (!sp || sp == line)
		return false;
	*sp = '\0';
	if (!ckpt_parse_i64(line, 0, INT32_MAX, &epoch) ||
	    !ckpt_parse_i64(sp + 1, 0, INT64_MAX, &start))
		return false;
	if (c->n && (epoch <= c->e[c->n - 1].epoch || start < c->e[c->n - 1].start))
		return false;
	push(c, (int32_t)epoch, start);
	return true;
}

void epc_load(struct epoch_cache *c, const char *dir)
{
	char path[4096];
	epoch_path(dir, path, sizeof(path));
	c->n = 0;
	int rc = ckpt_read_file(path, parse_epoch, c);
	if (rc < 0)
		c->n = 0; /* rebuilt by recovery from what it scans; rewritten by the next flush */
	c->dirty = rc < 0;
}

static bool print_epoch(FILE *f, const void *ctx, size_t i)
{
	const struct epoch_ent *e = (const struct epoch_ent *)ctx + i;
	return fprintf(f, "%" PRId32 " %" PRId64, e->epoch, e->start) > 0;
}

int epc_write(const char *dir, const struct epoch_ent *e, size_t n, bool durable)
{
	char path[4096];
	epoch_path(dir, path, sizeof(path));
	return ckpt_write_file(path, n, print_epoch, e, durable);
}

/* ---- The log's API -------------------------------------------------------------------------- */

void plog_assign_epoch(struct plog *l, int32_t epoch)
{
	if (epoch > plog_latest_epoch(l))
		epc_assign(&l->epochs, epoch, l->leo, l->dir);
}

int32_t plog_latest_epoch(const struct plog *l)
{
	return l->epochs.n ? l->epochs.e[l->epochs.n - 1].epoch : LOG_UNDEFINED_EPOCH;
}

/* Kafka's LeaderEpochFileCache.endOffsetFor, edge cases included. */
void plog_epoch_end_offset(const struct plog *l, int32_t epoch, int32_t *out_epoch,
                           int64_t *out_end_offset)
{
	const struct epoch_cache *c = &l->epochs;
	size_t hi = 0; /* the first entry with a larger epoch */

	*out_epoch = LOG_UNDEFINED_EPOCH;
	*out_end_offset = LOG_UNDEFINED_EPOCH_OFFSET;
	if (epoch < 0 || c->n == 0)
		return;
	if (epoch == c->e[c->n - 1].epoch) {
		*out_epoch = epoch;
		*out_end_offset = l->leo;
		return;
	}
	while (hi < c->n && c->e[hi].epoch <= epoch)
		hi++;
	if (hi == c->n)
		return; /* above every epoch this log knows */
	*out_epoch = hi ? c->e[hi - 1].epoch : epoch;
	*out_end_offset = c->e[hi].start;
}

bool plog_epochs_dirty(const struct plog *l)
{
	return l->epochs.dirty;
}

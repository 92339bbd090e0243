/* jobs.c — the work that leaves the event loop: fsync (flush) and file deletion.
 *
 * A job is prepared on the loop (it copies what it needs and takes segment references), run
 * on any thread (it touches only what it holds), and — for flushes — completed on the loop.
 *
 * Flush: the job holds the descriptors of every segment with data at/after the recovery
 * point or index writes since the last flush, plus a directory fsync when files were created.
 * Completing it moves the recovery point to the LEO at prepare time, unless a truncation
 * happened meanwhile (a generation counter): then the data above the truncation point is not
 * the data the job synced. At most one flush per log is in flight (prepare returns NULL while
 * one is), which lets completion close the index descriptors of flushed inactive segments
 * without racing a job that still uses them.
 *
 * A flush also rewrites the leader-epoch-checkpoint when the epoch cache changed: the entries
 * are copied at prepare, the file is written (tmp, fsync, rename, directory fsync) after the
 * data syncs, and a failure counts as a failed flush (the recovery point stays, the cache is
 * dirty again). A log with only a changed epoch cache gets a flush job too (see epoch.c for
 * why the recovery point must never pass entries the file lacks).
 *
 * Retention: whole segments leave the log at prepare time (renamed to *.deleted, so a crash
 * before the job runs leaves files that the next open removes); the job unlinks the files and
 * drops the references, so a reader holding one keeps its descriptor until it lets go.
 */
#include "log_int.h"

#include "../common/say.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* ---- Flush -------------------------------------------------------------------------------- */

struct log_flush_job {
	struct log_segment **segs;
	size_t n;
	int *fds;
	size_t nfds;
	char *dir;       /* fsync'ed when set */
	int64_t target;
	uint64_t gen;
	char *epoch_dir; /* leader-epoch-checkpoint rewritten there when set, with: */
	struct epoch_ent *epochs;
	size_t nepochs;
	uint8_t *snap;   /* a producer snapshot to write after the data syncs (pstate_log.c) */
	size_t snap_len;
	int64_t snap_off;
};

static void snapshot_epochs(struct plog *l, struct log_flush_job *j)
{
	const struct epoch_cache *c = &l->epochs;
	j->epoch_dir = kb_strdup(l->dir);
	j->epochs = kb_malloc(KB_MAX(c->n, 1) * sizeof(*j->epochs));
	if (c->n)
		memcpy(j->epochs, c->e, c->n * sizeof(*j->epochs));
	j->nepochs = c->n;
	l->epochs.dirty = false;
}

static bool needs_flush(const struct plog *l, const struct log_segment *s)
{
	return (s->next_offset > l->recovery_point && s->size > 0) || s->idx_dirty;
}

struct log_flush_job *plog_flush_prepare(struct plog *l)
{
	size_t n = 0;
	if (l->flush_inflight)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		n += needs_flush(l, l->segs[i]);
	if (n == 0 && !l->dir_dirty && !l->epochs.dirty && !l->snap_buf)
		return NULL;
	struct log_flush_job *j = kb_calloc(1, sizeof(*j));
	j->segs = kb_calloc(n, sizeof(*j->segs));
	j->fds = kb_calloc(4 * n, sizeof(*j->fds));
	for (size_t i = 0; i < l->n; i++) {
		struct log_segment *s = l->segs[i];
		if (!needs_flush(l, s))
			continue;
		log_segment_ref(s);
		j->segs[j->n++] = s;
		j->fds[j->nfds++] = s->fd;
		if (s->ofd >= 0)
			j->fds[j->nfds++] = s->ofd;
		if (s->tfd >= 0)
			j->fds[j->nfds++] = s->tfd;
		if (s->xfd >= 0)
			j->fds[j->nfds++] = s->xfd;
		s->idx_dirty = false;
	}
	if (l->dir_dirty)
		j->dir = kb_strdup(l->dir);
	l->dir_dirty = false;
	if (l->epochs.dirty)
		snapshot_epochs(l, j);
	if (l->snap_buf) {
		if (!j->epoch_dir)
			j->epoch_dir = kb_strdup(l->dir);
		j->snap = l->snap_buf;
		j->snap_len = l->snap_len;
		j->snap_off = l->snap_pending_off;
		l->snap_buf = NULL;
	}
	j->target = l->leo;
	j->gen = l->gen;
	l->flush_inflight = true;
	return j;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int log_flush_run(struct log_flush_job *j)
{
	int rc;
	for (size_t i = 0; i < j->nfds; i++)
		if (fdatasync(j->fds[i]) < 0)
			return -errno;
	if (j->dir && (rc = fsync_dir(j->dir)) < 0)
		return rc;
	if (j->epochs && epc_write(j->epoch_dir, j->epochs, j->nepochs, true) < 0)
		return -EIO;
	/* A snapshot that cannot be written is not a failed flush: an older one (or a replay
	 * of more of the log) stands in for it. */
	if (j->snap)
		pstate_snapshot_write(j->epoch_dir, j->snap_off, j->snap, j->snap_len, true);
	return 0;
}

/* Index descriptors of inactive segments that are fully flushed are no longer needed. */
static void close_flushed_indexes(struct plog *l)
{
	for (size_t i = 0; i + 1 < l->n; i++) {
		struct log_segment *s = l->segs[i];
		if (s->next_offset <= l->recovery_point && !s->idx_dirty)
			seg_close_index_fds(s);
	}
}

void plog_flush_complete(struct plog *l, struct log_flush_job *j, int rc)
{
	l->flush_inflight = false;
	/* A truncation while the job ran may have removed the data its snapshot describes. */
	if (j->snap && j->gen != l->gen)
		plog_pstate_drop_snapshot(l, j->snap_off);
	if (rc == 0 && j->gen == l->gen) {
		l->recovery_point = KB_MAX(l->recovery_point, KB_MIN(j->target, l->leo));
		close_flushed_indexes(l);
	} else {
		if (rc != 0)
			say_warn("log", "%s: flush failed: %s", l->dir, strerror(-rc));
		for (size_t i = 0; i < j->n; i++)
			j->segs[i]->idx_dirty = true;
		l->dir_dirty = l->dir_dirty || j->dir != NULL;
		l->epochs.dirty = l->epochs.dirty || (rc != 0 && j->epochs != NULL);
	}
	for (size_t i = 0; i < j->n; i++)
		log_segment_unref(j->segs[i]);
	kb_free(j->segs);
	kb_free(j->fds);
	kb_free(j->dir);
	kb_free(j->epoch_dir);
	kb_free(j->epochs);
	kb_free(j->snap);
	kb_free(j);
}

/* ---- Deletion ----------------------------------------------------------------------------- */

struct log_delete_job {
	struct log_segment **segs;
	size_t n, cap;
	char *dir; /* a whole directory to empty and remove (topic deletion) */
};

static void job_add(struct log_delete_job *j, struct log_segment *s)
{
	KB_GROW(j->segs, j->cap, j->n + 1, 8);
	j->segs[j->n++] = s;
}

/* Whether segment i may go: never the active one; then time, size and log start rules. */
static bool deletable(const struct plog *l, size_t i, int64_t now_ms, int64_t *excess)
{
	const struct log_segment *s = l->segs[i];
	if (i + 1 >= l->n)
		return false;
	if (l->segs[i + 1]->base <= l->log_start)
		return true;
	if (l->cfg.retention_ms >= 0 && now_ms - seg_largest_ts(s) > l->cfg.retention_ms)
		return true;
	return l->cfg.retention_bytes >= 0 && *excess - s->size >= 0;
}

struct log_delete_job *plog_retention_prepare(struct plog *l, int64_t now_ms)
{
	struct log_segment *active = plog_active(l);
	if (active->size > 0 && l->cfg.retention_ms >= 0 &&
	    now_ms - seg_largest_ts(active) > l->cfg.retention_ms && plog_roll(l) < 0)
		say_warn("log", "%s: cannot roll an expired active segment", l->dir);
	int64_t excess = plog_size_bytes(l) - l->cfg.retention_bytes;
	size_t k = 0;

	while (deletable(l, k, now_ms, &excess)) {
		excess -= l->segs[k]->size;
		/* Ignored on purpose (it logs): a segment whose files stay under their live names
		 * loads again at the next open and is deleted by retention then. More data kept for
		 * a while, never less. */
		KB_IGNORED(plog_detach_segment(l, l->segs[k]));
		k++;
	}
	if (k) {
		memmove(l->segs, l->segs + k, (l->n - k) * sizeof(*l->segs));
		l->n -= k;
		l->log_start = KB_MAX(l->log_start, l->segs[0]->base);
		l->recovery_point = KB_MAX(l->recovery_point, l->segs[0]->base);
		epc_truncate_start(&l->epochs, l->log_start);
	}
	if (l->npending == 0)
		return NULL;
	struct log_delete_job *j = kb_calloc(1, sizeof(*j));
	for (size_t i = 0; i < l->npending; i++)
		job_add(j, l->pending_del[i]);
	l->npending = 0;
	return j;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d) {
		say_warn("log", "opendir %s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0)
			say_warn("log", "unlink %s/%s: %s", dir, de->d_name, strerror(errno));
	}
	closedir(d);
	if (rmdir(dir) < 0)
		say_warn("log", "rmdir %s: %s", dir, strerror(errno));
}

void log_delete_run(struct log_delete_job *j)
{
	for (size_t i = 0; i < j->n; i++) {
		if (!j->dir)
			seg_unlink_files(j->segs[i]);
		log_segment_unref(j->segs[i]);
	}
	if (j->dir)
		remove_dir(j->dir);
	kb_free(j->segs);
	kb_free(j->dir);
	kb_free(j);
}

/* Kafka's name for a partition directory being deleted: "<dir>.<32 hex digits>-delete". */
static char *delete_name(const char *dir)
{
	uint8_t rnd[16];
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		uint64_t t = (uint64_t)kb_wall_ms() ^ ((uint64_t)getpid() << 32);
		for (size_t i = 0; i < sizeof(rnd); i++)
			rnd[i] = (uint8_t)(t >> (8 * (i % 8))) ^ (uint8_t)(i * 37);
	}
	size_t n = strlen(dir) + 48;
	char *p = kb_malloc(n);
	int k = snprintf(p, n, "%s.", dir);
	for (size_t i = 0; i < sizeof(rnd); i++)
		k += snprintf(p + k, n - (size_t)k, "%02x", rnd[i]);
	snprintf(p + k, n - (size_t)k, "-delete");
	return p;
}

struct log_delete_job *plog_delete_prepare(struct plog *l)
{
	struct log_delete_job *j = kb_calloc(1, sizeof(*j));
	char *to = delete_name(l->dir);

	if (rename(l->dir, to) == 0) {
		j->dir = to;
	} else {
		say_warn("log", "rename %s: %s; deleting in place", l->dir, strerror(errno));
		kb_free(to);
		j->dir = kb_strdup(l->dir);
	}
	for (size_t i = 0; i < l->n; i++)
		job_add(j, l->segs[i]);
	for (size_t i = 0; i < l->npending; i++)
		job_add(j, l->pending_del[i]);
	l->n = l->npending = 0;
	plog_discard(l);
	return j;
}

/* partition.c — the broker's partitions (see partition.h): lookup, roles from the metadata
 * cache, appends and the high watermark, and the flush/retention/checkpoint duties. */
#include "partition.h"
#include "../../common/limits.h"

#include "../../common/say.h"
#include "../../conf/topic_conf.h"
#include "../core/broker.h"
#include "cleaning.h"
#include "fetcher.h"
#include "logdirs.h"
#include "pcreate.h"
#include "replica.h"
#include "../core/worker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Seconds between the periodic duties' checks (flush.ms, retention, checkpoints). */
#define PM_TICK_MS 250

struct pmgr {
	struct broker *b;
	struct logdir *dirs;
	int ndirs;
	struct partition **parts;   /* sorted by (topic, id) */
	int n, cap;
	struct worker *worker;
	struct event *tick;
	int64_t last_retention_ms, last_ckpt_ms, last_hw_ckpt_ms, last_expiry_ms;
	bool cluster_checked;
	bool rp_dirty;              /* a flush moved a recovery point: checkpoint it soon */
	bool closing;               /* pm_close runs: no new worker jobs (it flushes itself) */
	struct role_listener {
		pm_role_fn fn;
		void *arg;
	} *listeners;               /* in registration order */
	int nlisteners;
	bool notifying;             /* listeners are running (they may not register) */
	struct cleaning *cleaning;  /* the log cleaner, NULL when disabled */
	struct pcreate *creating;   /* new replicas' logs being created on create_worker */
	struct worker *create_worker; /* its own thread: never queued behind a slow fsync */
	uint64_t pass;              /* pm_sync passes so far */
};

/* ---- Lookup -------------------------------------------------------------------------------- */

static int cmp_key(const struct partition *p, const char *topic, size_t tlen, int32_t id)
{
	size_t plen = strlen(p->topic);
	int c = memcmp(p->topic, topic, KB_MIN(plen, tlen));
	if (c == 0 && plen != tlen)
		c = plen < tlen ? -1 : 1;
	if (c == 0)
		c = (p->id > id) - (p->id < id);
	return c;
}

static int find_index(const struct pmgr *pm, const char *topic, size_t tlen, int32_t id,
                      bool *found)
{
	int lo = 0, hi = pm->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = cmp_key(pm->parts[mid], topic, tlen, id);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

struct partition *pm_find(struct broker *b, struct kp_str topic, int32_t partition)
{
	bool found;
	if (topic.len < 0)
		return NULL;
	int i = find_index(b->pm, topic.ptr, (size_t)topic.len, partition, &found);
	return found && !b->pm->parts[i]->doomed ? b->pm->parts[i] : NULL;
}

bool pm_can_lead(struct broker *b, const char *topic, int32_t partition)
{
	struct partition *p = pm_find(b, kp_str_c(topic), partition);
	return p && p->leader;
}

bool pm_topic_known(struct broker *b, struct kp_str topic, int32_t partition)
{
	char name[256];
	if (topic.len <= 0 || topic.len >= (int32_t)sizeof(name))
		return false;
	memcpy(name, topic.ptr, (size_t)topic.len);
	name[topic.len] = '\0';
	const struct md_topic *t = md_find_topic(coord_metadata(b->coord), name);
	return t && !t->deleting && partition >= 0 && partition < t->npartitions;
}

static void insert(struct pmgr *pm, struct partition *p)
{
	bool found;
	int i = find_index(pm, p->topic, strlen(p->topic), p->id, &found);
	KB_ASSERT(!found);
	KB_GROW(pm->parts, pm->cap, pm->n + 1, 64);
	memmove(&pm->parts[i + 1], &pm->parts[i], (size_t)(pm->n - i) * sizeof(*pm->parts));
	pm->parts[i] = p;
	pm->n++;
}

/* ---- Configuration ---------------------------------------------------------------------- */

/* The log settings of a partition: topic overrides over the broker's defaults. */
static void resolve_config(struct broker *b, const struct md_topic *t, struct partition *p)
{
	int n = t ? t->nconfigs : 0;
	struct conf_kv *ov = kb_calloc((size_t)n + 1, sizeof(*ov));
	for (int i = 0; i < n; i++)
		ov[i] = (struct conf_kv){t->configs[i].name, t->configs[i].value};
	const struct kb_config *c = &b->cfg;
	struct log_config *l = &p->cfg.log;
	l->segment_bytes = topic_conf_int(c, ov, n, "segment.bytes");
	l->segment_ms = topic_conf_int(c, ov, n, "segment.ms");
	l->index_interval_bytes = (int32_t)topic_conf_int(c, ov, n, "index.interval.bytes");
	l->max_message_bytes = (int32_t)topic_conf_int(c, ov, n, "max.message.bytes");
	l->retention_ms = topic_conf_int(c, ov, n, "retention.ms");
	l->retention_bytes = topic_conf_int(c, ov, n, "retention.bytes");
	l->flush_messages = topic_conf_int(c, ov, n, "flush.messages");
	l->flush_ms = topic_conf_int(c, ov, n, "flush.ms");
	l->producer_id_expiration_ms = c->producer_id_expiration_ms;
	char buf[64];
	int src;
	const char *tt = topic_conf_value(c, ov, n, "message.timestamp.type", buf, sizeof(buf), &src);
	l->message_timestamp_log_append = tt && strcmp(tt, "LogAppendTime") == 0;
	const char *cp = topic_conf_value(c, ov, n, "cleanup.policy", buf, sizeof(buf), &src);
	if (cp && !conf_list_has(cp, "delete")) { /* compact only: no retention by time/size */
		l->retention_ms = -1;
		l->retention_bytes = -1;
	}
	p->compact = cp && conf_list_has(cp, "compact");
	const char *ratio = topic_conf_value(c, ov, n, "min.cleanable.dirty.ratio", buf,
	                                     sizeof(buf), &src);
	p->min_dirty_ratio = conf_double(ratio);
	p->min_lag_ms = topic_conf_int(c, ov, n, "min.compaction.lag.ms");
	p->max_lag_ms = topic_conf_int(c, ov, n, "max.compaction.lag.ms");
	p->delete_retention_ms = topic_conf_int(c, ov, n, "delete.retention.ms");
	p->cfg.min_insync = (int32_t)topic_conf_int(c, ov, n, "min.insync.replicas");
	/* Kafka 3.6+: before/after, each falling back on the older difference when unset. */
	int64_t diff = topic_conf_int(c, ov, n, "message.timestamp.difference.max.ms");
	p->cfg.ts_before_max_ms = topic_conf_int(c, ov, n, "message.timestamp.before.max.ms");
	p->cfg.ts_after_max_ms = topic_conf_int(c, ov, n, "message.timestamp.after.max.ms");
	if (p->cfg.ts_before_max_ms == INT64_MAX)
		p->cfg.ts_before_max_ms = diff;
	if (p->cfg.ts_after_max_ms == INT64_MAX)
		p->cfg.ts_after_max_ms = diff;
	static const char *const codecs[] = {"uncompressed", "gzip", "snappy", "lz4", "zstd"};
	const char *ct = topic_conf_value(c, ov, n, "compression.type", buf, sizeof(buf), &src);
	p->cfg.compression = -1;
	for (int i = 0; ct && i < 5; i++)
		if (strcmp(ct, codecs[i]) == 0)
			p->cfg.compression = i;
	kb_free(ov);
	if (p->log)
		plog_set_config(p->log, l);
}

/* ---- Opening, creating and removing partitions -------------------------------------------- */

static struct partition *partition_new(struct pmgr *pm, const char *topic, int32_t id,
                                       int dir_index, const char *path)
{
	struct partition *p = kb_calloc(1, sizeof(*p));
	tverify_table_init(&p->txnv);
	p->topic = kb_strdup(topic);
	p->id = id;
	p->dir = kb_strdup(path);
	p->dir_index = dir_index;
	p->pm = pm;
	p->leader_epoch = -1;
	p->state.leader_id = -1;
	p->lead.isr_adding = -1;
	p->last_flush_ms = kb_mono_ms();
	p->ack_flush_upto = -1;
	p->flush_wanted = -1;
	p->clean_ckpt = -1;
	resolve_config(pm->b, NULL, p);
	return p;
}

/* The checkpointed positions of p, once its log is open. */
static void partition_log_opened(struct pmgr *pm, struct partition *p)
{
	const struct logdir *d = &pm->dirs[p->dir_index];
	p->hw = KB_MIN(ckpt_lookup(d->hw, d->nhw, p->topic, p->id, 0), plog_end_offset(p->log));
	p->clean_ckpt = ckpt_lookup(d->cl, d->ncl, p->topic, p->id, -1);
}

/* Opens (recovering) the log of p from its directory, with the checkpointed positions. */
static int partition_open_log(struct pmgr *pm, struct partition *p)
{
	const struct logdir *d = &pm->dirs[p->dir_index];
	int64_t rp = ckpt_lookup(d->rp, d->nrp, p->topic, p->id, 0);
	int64_t ls = ckpt_lookup(d->ls, d->nls, p->topic, p->id, -1);
	char err[256];
	int64_t t0 = kb_mono_ms();
	if (plog_open(p->dir, &p->cfg.log, rp, ls, &p->log, err, sizeof(err)) < 0) {
		say_ratelimited(SAY_ERROR, "server", "%s: %s", p->dir, err);
		return -1;
	}
	partition_log_opened(pm, p);
	int64_t ms = kb_mono_ms() - t0;
	if (ms > 100)
		say_info("server", "%s-%d: recovered in %lld ms", p->topic, p->id, (long long)ms);
	return 0;
}

static void on_disk(const char *topic, int32_t id, const char *path, void *arg)
{
	struct pmgr *pm = arg;
	int di = 0;
	for (int i = 0; i < pm->ndirs; i++)
		if (strncmp(path, pm->dirs[i].path, strlen(pm->dirs[i].path)) == 0)
			di = i;
	bool found;
	find_index(pm, topic, strlen(topic), id, &found);
	if (found) {
		say_error("server", "%s-%d exists in two log dirs; using the first", topic, id);
		return;
	}
	struct partition *p = partition_new(pm, topic, id, di, path);
	if (partition_open_log(pm, p) < 0) {
		kb_free(p->topic);
		kb_free(p->dir);
		kb_free(p);
		return;
	}
	pm->dirs[di].npartitions++;
	insert(pm, p);
}

/* A log opened by the worker becomes a partition of this broker. */
static struct partition *partition_adopt(struct pmgr *pm, const char *topic, int32_t id, int di,
                                         const char *path, struct plog *log)
{
	struct partition *p = partition_new(pm, topic, id, di, path);
	p->log = log;
	partition_log_opened(pm, p);
	pm->dirs[di].npartitions++;
	insert(pm, p);
	return p;
}

/* A new replica: a directory in the least used log dir and an empty log, made by the worker
 * (pcreate.h). NULL until it is ready (or when it failed: the next pass starts over). */
static struct partition *partition_create(struct pmgr *pm, const struct md_topic *t, int32_t id)
{
	struct plog *log = NULL;
	int di = 0;
	switch (pcreate_take(pm->creating, t->name, id, pm->pass, &log, &di)) {
	case PCREATE_OPENED: {
		char path[4400];
		snprintf(path, sizeof(path), "%s/%s-%d", pm->dirs[di].path, t->name, id);
		return partition_adopt(pm, t->name, id, di, path, log);
	}
	case PCREATE_WAIT:
	case PCREATE_FAILED:
		return NULL;
	case PCREATE_ABSENT:
		break;
	}
	for (int i = 1; i < pm->ndirs; i++)
		if (pm->dirs[i].npartitions + pcreate_in_dir(pm->creating, i) <
		    pm->dirs[di].npartitions + pcreate_in_dir(pm->creating, di))
			di = i;
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s-%d", pm->dirs[di].path, t->name, id);
	struct partition settings = {0}; /* the topic's log settings, for the open */
	resolve_config(pm->b, t, &settings);
	const struct logdir *d = &pm->dirs[di];
	struct pcreate_spec spec = {
		.path = path,
		.dir_index = di,
		.cfg = settings.cfg.log,
		.recovery_point = ckpt_lookup(d->rp, d->nrp, t->name, id, 0),
		.log_start = ckpt_lookup(d->ls, d->nls, t->name, id, -1),
	};
	pcreate_start(pm->creating, t->name, id, &spec, pm->pass);
	return NULL;
}

static void partition_free(struct partition *p)
{
	KB_DCHECK(!p->fol.fetcher, "%s-%d freed while a fetcher holds it", p->topic, p->id);
	replica_free(p);
	tverify_table_free(&p->txnv);
	kb_free(p->topic);
	kb_free(p->dir);
	kb_free(p);
}

static int delete_run(void *job)
{
	log_delete_run(job);
	return 0;
}

/* Removes a doomed partition once no job holds its log: the directory goes off the loop. */
static void partition_reap(struct pmgr *pm, struct partition *p)
{
	if (p->jobs > 0)
		return;
	bool found;
	int i = find_index(pm, p->topic, strlen(p->topic), p->id, &found);
	KB_ASSERT(found && pm->parts[i] == p);
	memmove(&pm->parts[i], &pm->parts[i + 1], (size_t)(pm->n - i - 1) * sizeof(*pm->parts));
	pm->n--;
	pm->dirs[p->dir_index].npartitions--;
	struct log_delete_job *j = plog_delete_prepare(p->log);
	if (j)
		worker_submit(pm->worker, delete_run, NULL, j, NULL);
	say_info("server", "deleted log %s-%d", p->topic, p->id);
	partition_free(p);
}

/* ---- Role listeners --------------------------------------------------------------------- */

void pm_add_role_listener(struct broker *b, pm_role_fn fn, void *arg)
{
	struct pmgr *pm = b->pm;
	KB_ASSERT(!pm->notifying);
	pm->listeners = kb_realloc(pm->listeners, (size_t)(pm->nlisteners + 1) *
	                                          sizeof(*pm->listeners));
	pm->listeners[pm->nlisteners++] = (struct role_listener){fn, arg};
}

static void notify_role(struct pmgr *pm, struct partition *p, enum pm_role_event ev)
{
	struct pm_role_change c = {ev, ev == PM_ROLE_STOP ? -1 : p->state.leader_id, p->leader_epoch};
	pm->notifying = true;
	for (int i = 0; i < pm->nlisteners; i++)
		pm->listeners[i].fn(p, &c, pm->listeners[i].arg);
	pm->notifying = false;
}

void pm_foreach_role(struct broker *b, pm_role_fn fn, void *arg)
{
	struct pmgr *pm = b->pm;
	for (int i = 0; i < pm->n; i++) {
		struct partition *p = pm->parts[i];
		if (p->doomed || !p->state.applied || (p->state.leader_id < 0 && p->leader_epoch < 0))
			continue;
		struct pm_role_change c = {p->leader ? PM_ROLE_LEADER : PM_ROLE_FOLLOWER,
		                           p->state.leader_id, p->leader_epoch};
		fn(p, &c, arg);
	}
}

void partition_job_done(struct partition *p)
{
	p->jobs--;
	if (p->doomed)
		partition_reap(p->pm, p);
}

struct partition **pm_partitions(struct broker *b, int *n)
{
	*n = b->pm->n;
	return b->pm->parts;
}

static void partition_doom(struct pmgr *pm, struct partition *p)
{
	p->doomed = true;
	p->leader = false;
	notify_role(pm, p, PM_ROLE_STOP);
	purgatory_key_gone(pm->b->pg, partition_key(p)); /* parked requests let go of p */
	partition_reap(pm, p);
}

/* ---- Roles from the metadata cache ---------------------------------------------------------- */

static bool in_list(const int32_t *v, int n, int32_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

void partition_wake(struct partition *p)
{
	purgatory_check(p->pm->b->pg, partition_key(p));
}

struct broker *partition_broker(const struct partition *p)
{
	return p->pm->b;
}

/* The leader's HW follows the ISR's log ends (server/replica.c), never backwards, and never
 * above its own log end (debug checks: hw_published is the largest HW of this leadership).
 * Returns whether it moved. */
static bool advance_hw(struct partition *p)
{
	if (!p->leader || !p->log)
		return false;
	KB_DCHECK(p->hw >= p->lead.hw_published, "%s-%d: HW moved backwards from %lld to %lld",
	          p->topic, p->id, (long long)p->lead.hw_published, (long long)p->hw);
	int64_t hw = replica_leader_hw(p);
	bool moved = hw > p->hw;
	if (moved) {
		p->hw = hw;
		plog_lso(p->log, hw); /* completed transactions below it are forgotten */
	}
	KB_DCHECK(p->hw <= plog_end_offset(p->log), "%s-%d: HW %lld above log end %lld",
	          p->topic, p->id, (long long)p->hw, (long long)plog_end_offset(p->log));
	p->lead.hw_published = p->hw;
	return moved;
}

void partition_update_hw(struct partition *p)
{
	if (advance_hw(p))
		partition_wake(p);
}

static void apply_state(struct broker *b, struct partition *p, const struct md_partition *mp)
{
	bool changed = replica_apply_state(p, mp, b->cfg.broker_id);
	partition_update_hw(p);
	if (changed)
		notify_role(b->pm, p, p->leader ? PM_ROLE_LEADER : PM_ROLE_FOLLOWER);
}

void pm_configs_changed(struct broker *b)
{
	for (int i = 0; b->pm && i < b->pm->n; i++)
		b->pm->parts[i]->cfg.gen = 0; /* configs_gen is never 0 */
	if (b->pm)
		cleaning_reconfigure(b->pm->cleaning, &b->cfg);
}

/* p was just inserted: the seen marks (one per pm->parts entry) shift; p's is unset. */
static uint8_t *seen_inserted(struct pmgr *pm, uint8_t *seen, const struct partition *p)
{
	bool found;
	seen = kb_realloc(seen, (size_t)pm->n + 1);
	int idx = find_index(pm, p->topic, strlen(p->topic), p->id, &found);
	memmove(&seen[idx + 1], &seen[idx], (size_t)(pm->n - 1 - idx));
	seen[idx] = 0;
	return seen;
}

bool pm_sync(struct broker *b)
{
	struct pmgr *pm = b->pm;
	pm->pass++;
	int opens = 0;
	int64_t start_us = kb_mono_us();
	bool more = false;
	const struct md_cache *md = coord_metadata(b->coord);
	int32_t self = b->cfg.broker_id;
	uint8_t *seen = kb_calloc((size_t)pm->n + 1, 1);
	for (int i = 0; i < md->ntopics; i++) {
		const struct md_topic *t = &md->topics[i];
		for (int k = 0; !t->deleting && k < t->npartitions; k++) {
			const struct md_partition *mp = &t->partitions[k];
			if (!in_list(mp->replicas, mp->nreplicas, self))
				continue;
			bool found;
			int idx = find_index(pm, t->name, strlen(t->name), k, &found);
			if (!found && opens > 0 && kb_mono_us() - start_us >= KB_PM_OPEN_SLICE_US) {
				more = true; /* the next pass opens it */
				continue;
			}
			opens += !found;
			struct partition *p = found ? pm->parts[idx] : partition_create(pm, t, k);
			if (!p || p->doomed)
				continue;
			if (!found) {
				seen = seen_inserted(pm, seen, p);
				idx = find_index(pm, t->name, strlen(t->name), k, &found);
			}
			seen[idx] = 1;
			/* Only what changed: this runs for every partition at every metadata change. */
			if (p->cfg.gen != t->configs_gen) {
				resolve_config(b, t, p);
				p->cfg.gen = t->configs_gen;
			}
			if (!p->state.applied || p->state.version != mp->state_version ||
			    p->state.known != mp->has_state ||
			    (mp->has_state && (p->state.leader_id != mp->state.leader ||
			                       p->leader_epoch != mp->state.leader_epoch))) {
				apply_state(b, p, mp);
				p->state.applied = true;
				p->state.version = mp->state_version;
				p->state.known = mp->has_state;
			}
		}
	}
	/* Only a complete view may condemn a log: the topic is gone, or we left its replicas. A
	 * log the worker opened for such a partition is adopted here only to be removed with the
	 * rest (a pass cut short by the slice did not ask for every partition: not then). */
	char *otopic, *opath;
	int32_t oid;
	int odi;
	struct plog *olog;
	while (!more && coord_loaded(b->coord) &&
	       pcreate_orphan(pm->creating, pm->pass, &otopic, &oid, &opath, &odi, &olog)) {
		seen = seen_inserted(pm, seen, partition_adopt(pm, otopic, oid, odi, opath, olog));
		kb_free(otopic);
		kb_free(opath);
	}
	if (coord_loaded(b->coord))
		for (int i = pm->n - 1; i >= 0; i--)
			if (!seen[i] && !pm->parts[i]->doomed)
				partition_doom(pm, pm->parts[i]);
	kb_free(seen);
	return more;
}

/* ---- Appends and flushes ------------------------------------------------------------------- */

struct flush_ctx {
	struct partition *p;
	struct log_flush_job *job;
};

/* Test hook: KB_TEST_FLUSH_DELAY_MS makes every flush sleep first (a slow disk), so tests can
 * see that acknowledgements wait for it. Read once; 0 (unset) in production. */
static int flush_delay_ms = -1;

static int flush_run(void *job)
{
	if (flush_delay_ms > 0)
		usleep((useconds_t)flush_delay_ms * 1000);
	return log_flush_run(((struct flush_ctx *)job)->job);
}

static void schedule_flush(struct partition *p);

static void flush_done(void *job, int rc, void *arg)
{
	KB_UNUSED(arg);
	struct flush_ctx *f = job;
	struct partition *p = f->p;
	int64_t before = plog_recovery_point(p->log);
	plog_flush_complete(p->log, f->job, rc);
	/* Restart time follows unflushed data only if the checkpoint on disk keeps up. */
	bool moved = plog_recovery_point(p->log) != before;
	p->pm->rp_dirty |= moved;
	kb_free(f);
	p->jobs--;
	if (p->doomed) {
		partition_reap(p->pm, p);
		return;
	}
	/* Appends that arrived while this flush ran and wait for theirs (flush.messages); at
	 * shutdown pm_close flushes everything itself once the worker stopped. */
	if (!p->pm->closing && (p->flush_wanted > plog_recovery_point(p->log) ||
	                        plog_unflushed_messages(p->log) >= p->cfg.log.flush_messages))
		schedule_flush(p);
	if (moved && p->flush_wanted >= 0)
		partition_wake(p);
}

/* Hands every unflushed byte of p to the worker (no-op when a flush is already running). */
static void schedule_flush(struct partition *p)
{
	struct log_flush_job *j = p->doomed || p->pm->closing ? NULL : plog_flush_prepare(p->log);
	if (!j)
		return;
	struct flush_ctx *f = kb_malloc(sizeof(*f));
	*f = (struct flush_ctx){p, j};
	p->jobs++;
	p->last_flush_ms = kb_mono_ms();
	worker_submit(p->pm->worker, flush_run, flush_done, f, NULL);
}

/* Flush after a roll (Kafka does, so the recovery point keeps up) or by flush.messages; in
 * the second case the append is acknowledged only once flushed, as in Kafka, where the
 * append itself flushes. */
static void after_append(struct partition *p, int64_t active_before)
{
	bool by_count = plog_unflushed_messages(p->log) >= p->cfg.log.flush_messages;
	p->ack_flush_upto = by_count ? plog_end_offset(p->log) : -1;
	if (by_count)
		p->flush_wanted = KB_MAX(p->flush_wanted, p->ack_flush_upto);
	if (plog_active_base(p->log) != active_before || by_count)
		schedule_flush(p);
}

int partition_append_replica(struct partition *p, const uint8_t *buf, size_t len,
                             size_t *consumed)
{
	int64_t active = plog_active_base(p->log);
	int rc = plog_append_replica(p->log, buf, len, kb_wall_ms(), consumed);
	after_append(p, active);
	return rc;
}

int partition_append(struct partition *p, uint8_t *batch, size_t len,
                     const struct batch_info *info, int64_t *base_offset)
{
	int64_t active = plog_active_base(p->log);
	int rc = plog_append(p->log, batch, len, info, p->leader_epoch, kb_wall_ms(), base_offset);
	if (rc != KERR_NONE)
		return rc;
	after_append(p, active);
	advance_hw(p);
	partition_wake(p); /* new data, and perhaps a new HW: one re-try either way */
	return KERR_NONE;
}

/* ---- Periodic duties: flush.ms, retention, checkpoints ------------------------------------- */

struct ckpt_job {
	char *path;
	struct ckpt_entry *e;
	int n;
};

static int ckpt_run(void *job)
{
	struct ckpt_job *c = job;
	int rc = ckpt_write(c->path, c->e, c->n);
	if (rc < 0)
		say_warn("server", "writing %s failed", c->path);
	ckpt_free(c->e, c->n);
	kb_free(c->path);
	kb_free(c);
	return rc;
}

enum ckpt_kind { CKPT_RECOVERY, CKPT_START, CKPT_HW };

static int64_t ckpt_value(const struct partition *p, enum ckpt_kind k)
{
	return k == CKPT_RECOVERY ? plog_recovery_point(p->log)
	       : k == CKPT_START  ? plog_start_offset(p->log) : p->hw;
}

/* One checkpoint file per log dir, built on the loop, written by the worker (or now). */
static void write_checkpoints(struct pmgr *pm, enum ckpt_kind kind, bool now)
{
	static const char *const names[] = {"recovery-point-offset-checkpoint",
	                                    "log-start-offset-checkpoint",
	                                    "replication-offset-checkpoint"};
	for (int d = 0; d < pm->ndirs; d++) {
		struct ckpt_job *c = kb_calloc(1, sizeof(*c));
		c->e = kb_calloc((size_t)pm->n + 1, sizeof(*c->e));
		for (int i = 0; i < pm->n; i++) {
			const struct partition *p = pm->parts[i];
			if (p->dir_index == d && !p->doomed)
				c->e[c->n++] = (struct ckpt_entry){kb_strdup(p->topic), p->id,
				                                   ckpt_value(p, kind)};
		}
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", pm->dirs[d].path, names[kind]);
		c->path = kb_strdup(path);
		if (now)
			ckpt_run(c);
		else
			worker_submit(pm->worker, ckpt_run, NULL, c, NULL);
	}
}

static void retention_done(void *job, int rc, void *arg)
{
	KB_UNUSED(job);
	KB_UNUSED(rc);
	struct partition *p = arg;
	p->jobs--;
	if (p->doomed)
		partition_reap(p->pm, p);
}

static void run_retention(struct pmgr *pm, int64_t now_wall)
{
	for (int i = 0; i < pm->n; i++) {
		struct partition *p = pm->parts[i];
		struct log_delete_job *j = p->doomed ? NULL : plog_retention_prepare(p->log, now_wall);
		if (!j)
			continue;
		if (p->hw < plog_start_offset(p->log))
			p->hw = plog_start_offset(p->log);
		p->jobs++;
		worker_submit(pm->worker, delete_run, retention_done, j, p);
	}
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct pmgr *pm = arg;
	const struct kb_config *c = &pm->b->cfg;
	int64_t now = kb_mono_ms();
	for (int i = 0; i < pm->n; i++) {
		struct partition *p = pm->parts[i];
		if (!p->doomed && plog_unflushed_messages(p->log) > 0 &&
		    now - p->last_flush_ms >= p->cfg.log.flush_ms)
			schedule_flush(p);
		else if (!p->doomed && (plog_epochs_dirty(p->log) || plog_snapshot_pending(p->log)))
			schedule_flush(p); /* leader-epoch-checkpoint, producer snapshot */
		if (!p->doomed)
			replica_check_isr(p, now);
	}
	if (now - pm->last_expiry_ms >= c->producer_id_expiration_check_interval_ms) {
		pm->last_expiry_ms = now;
		int64_t wall = kb_wall_ms();
		for (int i = 0; i < pm->n; i++)
			if (!pm->parts[i]->doomed) {
				plog_expire_producers(pm->parts[i]->log, wall);
				tverify_expire(&pm->parts[i]->txnv, wall, c->producer_id_expiration_ms);
			}
	}
	cleaning_tick(pm->cleaning, now);
	if (now - pm->last_retention_ms >= c->log_retention_check_interval_ms) {
		pm->last_retention_ms = now;
		run_retention(pm, kb_wall_ms());
	}
	if (pm->rp_dirty || now - pm->last_ckpt_ms >= c->log_flush_offset_checkpoint_interval_ms) {
		pm->last_ckpt_ms = now;
		pm->rp_dirty = false;
		write_checkpoints(pm, CKPT_RECOVERY, false);
		write_checkpoints(pm, CKPT_START, false);
	}
	if (now - pm->last_hw_ckpt_ms >= c->replica_high_watermark_checkpoint_interval_ms) {
		pm->last_hw_ckpt_ms = now;
		write_checkpoints(pm, CKPT_HW, false);
	}
}

/* ---- Life cycle ------------------------------------------------------------------------------ */

/* The worker opened a new replica's log: the next pass adopts it. */
static void created_ready(void *arg)
{
	struct pmgr *pm = arg;
	if (!pm->closing)
		broker_sync_soon(pm->b);
}

int pm_open(struct broker *b)
{
	struct pmgr *pm = kb_calloc(1, sizeof(*pm));
	pm->b = b;
	b->pm = pm;
	if (flush_delay_ms < 0) {
		const char *d = getenv("KB_TEST_FLUSH_DELAY_MS");
		int64_t v = 0;
		flush_delay_ms = d && kb_parse_i64(d, 1, 600000, &v) ? (int)v : 0;
	}
	char **dirs;
	int n;
	char err[512];
	if (conf_log_dirs(&b->cfg, &dirs, &n) < 0 || n == 0) {
		say_error("server", "log.dirs: no usable directory");
		return -1;
	}
	pm->dirs = kb_calloc((size_t)n, sizeof(*pm->dirs));
	pm->ndirs = n;
	for (int i = 0; i < n; i++)
		pm->dirs[i].path = kb_strdup(dirs[i]);
	conf_free_log_dirs(dirs, n);
	if (logdirs_open(pm->dirs, n, b->cfg.broker_id, err, sizeof(err)) < 0) {
		say_error("server", "%s", err);
		return -1;
	}
	pm->worker = worker_start(b->base);
	pm->create_worker = worker_start(b->base);
	pm->creating = pcreate_new(pm->create_worker, created_ready, pm);
	fetchers_init(b);
	int64_t t0 = kb_mono_ms();
	for (int i = 0; i < n; i++)
		logdirs_scan(&pm->dirs[i], on_disk, pm);
	say_info("server", "loaded %d partition logs from %d log dirs in %lld ms", pm->n, n,
	         (long long)(kb_mono_ms() - t0));
	int64_t now = kb_mono_ms();
	pm->last_retention_ms = pm->last_ckpt_ms = pm->last_hw_ckpt_ms = pm->last_expiry_ms = now;
	const char **paths = kb_calloc((size_t)n, sizeof(*paths));
	for (int i = 0; i < n; i++)
		paths[i] = pm->dirs[i].path;
	pm->cleaning = cleaning_start(b, paths, n);
	kb_free(paths);
	pm->tick = event_new(b->base, -1, EV_PERSIST, tick_cb, pm);
	struct timeval tv = {0, PM_TICK_MS * 1000};
	event_add(pm->tick, &tv);
	return 0;
}

int pm_cluster_id(struct broker *b, const char *cluster_id)
{
	struct pmgr *pm = b->pm;
	char err[512];
	if (pm->cluster_checked)
		return 0;
	if (logdirs_cluster(pm->dirs, pm->ndirs, b->cfg.broker_id, cluster_id, err,
	                    sizeof(err)) < 0) {
		say_error("server", "%s", err);
		return -1;
	}
	pm->cluster_checked = true;
	return 0;
}

/* Clean shutdown: every log flushed and checkpointed, so the next start recovers nothing. */
void pm_close(struct broker *b)
{
	struct pmgr *pm = b->pm;
	if (!pm)
		return;
	pm->closing = true;
	if (pm->tick)
		event_free(pm->tick);
	for (int i = 0; i < pm->n; i++)
		if (!pm->parts[i]->doomed)
			notify_role(pm, pm->parts[i], PM_ROLE_STOP);
	fetchers_stop(b);
	cleaning_stop(pm->cleaning); /* passes in flight finish first */
	worker_stop(pm->worker); /* runs queued jobs and delivers their completions */
	worker_stop(pm->create_worker);
	pcreate_free(pm->creating); /* logs opened for partitions never adopted */
	for (int i = 0; i < pm->n; i++) {
		struct partition *p = pm->parts[i];
		struct log_flush_job *j = plog_flush_prepare(p->log);
		if (j)
			plog_flush_complete(p->log, j, log_flush_run(j));
	}
	write_checkpoints(pm, CKPT_RECOVERY, true);
	write_checkpoints(pm, CKPT_START, true);
	write_checkpoints(pm, CKPT_HW, true);
	for (int i = 0; i < pm->n; i++) {
		plog_close(pm->parts[i]->log);
		partition_free(pm->parts[i]);
	}
	kb_free(pm->parts);
	kb_free(pm->listeners);
	logdirs_close(pm->dirs, pm->ndirs);
	kb_free(pm->dirs);
	kb_free(pm);
	b->pm = NULL;
}

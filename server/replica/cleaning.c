/* cleaning.c — see cleaning.h. */
#include "cleaning.h"

#include "../../common/say.h"
#include "../core/broker.h"
#include "../core/worker.h"
#include "partition.h"

#include <stdio.h>
#include <string.h>

#define CLEANER_CKPT_FILE "cleaner-offset-checkpoint"

struct cslot {
	struct worker *w;
	bool busy;
};

struct cleaning {
	struct broker *b;
	struct cslot *slots;
	int nslots;
	char **dirs;
	bool *ckpt_dirty;          /* per log dir: a pass moved a first dirty offset */
	int ndirs;
	int64_t map_bytes;         /* per thread */
	double load, io_rate;      /* io_rate per thread; <= 0 unlimited */
	bool configured;           /* the three above were set (cleaning_reconfigure) */
	int64_t next_search_ms;    /* mono: when an idle thread looks for work again */
	int rr;                    /* where the last search stopped */
};

struct cjob {
	struct cleaning *c;
	struct cslot *slot;
	struct partition *p;
	struct log_clean_job *j;
};

struct cleaning *cleaning_start(struct broker *b, const char *const *dirs, int ndirs)
{
	const struct kb_config *cfg = &b->cfg;
	if (!cfg->log_cleaner_enable || cfg->log_cleaner_threads <= 0)
		return NULL;
	struct cleaning *c = kb_calloc(1, sizeof(*c));
	c->b = b;
	c->nslots = cfg->log_cleaner_threads;
	c->slots = kb_calloc((size_t)c->nslots, sizeof(*c->slots));
	for (int i = 0; i < c->nslots; i++)
		c->slots[i].w = worker_start(b->base);
	c->ndirs = ndirs;
	c->dirs = kb_calloc((size_t)ndirs, sizeof(*c->dirs));
	c->ckpt_dirty = kb_calloc((size_t)ndirs, sizeof(*c->ckpt_dirty));
	for (int i = 0; i < ndirs; i++)
		c->dirs[i] = kb_strdup(dirs[i]);
	cleaning_reconfigure(c, cfg);
	return c;
}

void cleaning_reconfigure(struct cleaning *c, const struct kb_config *cfg)
{
	if (!c)
		return;
	int64_t map_bytes = KB_MIN(cfg->log_cleaner_dedupe_buffer_size / c->nslots,
	                           (int64_t)INT32_MAX);
	double load = conf_double(cfg->log_cleaner_io_buffer_load_factor);
	double io_rate = conf_double(cfg->log_cleaner_io_max_bytes_per_second) / c->nslots;
	if (io_rate >= 1e300)
		io_rate = 0; /* Kafka's default, Double.MAX_VALUE: no throttle */
	if (c->configured && map_bytes == c->map_bytes && load == c->load && io_rate == c->io_rate)
		return;
	c->configured = true;
	c->map_bytes = map_bytes;
	c->load = load;
	c->io_rate = io_rate;
	say_info("server", "log cleaner: %d thread(s), %lld-byte key map each", c->nslots,
	         (long long)c->map_bytes);
}

static int clean_run(void *job)
{
	struct cjob *cj = job;
	return log_clean_run(cj->j);
}

static void clean_done(void *job, int rc, void *arg)
{
	KB_UNUSED(arg);
	struct cjob *cj = job;
	struct partition *p = cj->p;
	struct log_clean_stats st;
	if (plog_clean_complete(p->log, cj->j, rc, &st) == 0) {
		p->clean_ckpt = st.end_offset;
		cj->c->ckpt_dirty[p->dir_index] = true;
		cj->c->next_search_ms = 0; /* more work may be waiting */
	} else {
		cj->c->next_search_ms = kb_mono_ms() + cj->c->b->cfg.log_cleaner_backoff_ms;
	}
	p->cleaning = false;
	cj->slot->busy = false;
	kb_free(cj);
	partition_job_done(p);
}

static struct log_clean_job *try_prepare(struct cleaning *c, struct partition *p)
{
	if (!p->compact || p->doomed || p->cleaning || !p->log)
		return NULL;
	struct log_clean_params prm = {
		.first_dirty = p->clean_ckpt, .min_dirty_ratio = p->min_dirty_ratio,
		.min_lag_ms = p->min_lag_ms, .max_lag_ms = p->max_lag_ms,
		.delete_retention_ms = p->delete_retention_ms, .map_bytes = c->map_bytes,
		.map_load = c->load, .io_bytes_per_sec = c->io_rate, .now_ms = kb_wall_ms(),
		.hw = p->hw};
	return plog_clean_prepare(p->log, &prm);
}

/* Gives the idle slot the next eligible log; false when there is none. */
static bool start_one(struct cleaning *c, struct cslot *slot)
{
	int n;
	struct partition **parts = pm_partitions(c->b, &n);
	for (int k = 0; k < n; k++) {
		int i = (c->rr + k) % n;
		struct partition *p = parts[i];
		struct log_clean_job *j = try_prepare(c, p);
		if (!j)
			continue;
		struct cjob *cj = kb_calloc(1, sizeof(*cj));
		*cj = (struct cjob){c, slot, p, j};
		p->cleaning = true;
		p->jobs++;
		slot->busy = true;
		c->rr = i + 1;
		worker_submit(slot->w, clean_run, clean_done, cj, NULL);
		return true;
	}
	return false;
}

struct ckpt_job {
	char *path;
	struct ckpt_entry *e;
	int n;
};

static int ckpt_job_run(void *job)
{
	struct ckpt_job *k = job;
	int rc = ckpt_write(k->path, k->e, k->n);
	if (rc < 0)
		say_warn("server", "writing %s failed", k->path);
	ckpt_free(k->e, k->n);
	kb_free(k->path);
	kb_free(k);
	return rc;
}

/* cleaner-offset-checkpoint of log dir d: every live partition of it with a value. */
static void write_ckpt(struct cleaning *c, int d, bool now)
{
	int n;
	struct partition **parts = pm_partitions(c->b, &n);
	struct ckpt_job *k = kb_calloc(1, sizeof(*k));
	k->e = kb_calloc((size_t)n + 1, sizeof(*k->e));
	for (int i = 0; i < n; i++) {
		const struct partition *p = parts[i];
		if (p->dir_index == d && !p->doomed && p->clean_ckpt >= 0)
			k->e[k->n++] = (struct ckpt_entry){kb_strdup(p->topic), p->id, p->clean_ckpt};
	}
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", c->dirs[d], CLEANER_CKPT_FILE);
	k->path = kb_strdup(path);
	c->ckpt_dirty[d] = false;
	if (now)
		ckpt_job_run(k);
	else
		worker_submit(c->slots[0].w, ckpt_job_run, NULL, k, NULL);
}

void cleaning_tick(struct cleaning *c, int64_t now_mono)
{
	if (!c)
		return;
	for (int d = 0; d < c->ndirs; d++)
		if (c->ckpt_dirty[d])
			write_ckpt(c, d, false);
	if (now_mono < c->next_search_ms)
		return;
	for (int i = 0; i < c->nslots; i++) {
		if (!c->slots[i].busy && !start_one(c, &c->slots[i])) {
			c->next_search_ms = now_mono + c->b->cfg.log_cleaner_backoff_ms;
			break;
		}
	}
}

void cleaning_stop(struct cleaning *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nslots; i++)
		worker_stop(c->slots[i].w); /* passes in flight finish and complete */
	for (int d = 0; d < c->ndirs; d++) {
		if (c->ckpt_dirty[d])
			write_ckpt(c, d, true);
		kb_free(c->dirs[d]);
	}
	kb_free(c->dirs);
	kb_free(c->ckpt_dirty);
	kb_free(c->slots);
	kb_free(c);
}

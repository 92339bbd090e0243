/* pcreate.c — new replicas' logs created on the worker (see pcreate.h). */
#include "pcreate.h"

#include "../../common/say.h"
#include "../core/worker.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

enum entry_state { E_PENDING, E_OPENED, E_FAILED };

struct entry {
	struct pcreate *pc;
	char *topic;
	int32_t id;
	struct pcreate_spec spec; /* spec.path owned */
	enum entry_state state;
	struct plog *log;         /* E_OPENED */
	uint64_t pass;            /* last pass that asked for it */
	char err[256];            /* written by the worker */
};

struct pcreate {
	struct worker *worker;
	void (*ready)(void *arg);
	void *arg;
	struct entry **v;         /* sorted by (topic, id) */
	int n, cap;
};

struct pcreate *pcreate_new(struct worker *w, void (*ready)(void *arg), void *arg)
{
	struct pcreate *pc = kb_calloc(1, sizeof(*pc));
	pc->worker = w;
	pc->ready = ready;
	pc->arg = arg;
	return pc;
}

static int cmp(const struct entry *e, const char *topic, int32_t id)
{
	int c = strcmp(e->topic, topic);
	return c ? c : (e->id > id) - (e->id < id);
}

static int find(const struct pcreate *pc, const char *topic, int32_t id, bool *found)
{
	int lo = 0, hi = pc->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = cmp(pc->v[mid], topic, id);
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

static void entry_free(struct entry *e)
{
	kb_free(e->topic);
	kb_free((char *)e->spec.path);
	kb_free(e);
}

static struct entry *remove_at(struct pcreate *pc, int i)
{
	struct entry *e = pc->v[i];
	memmove(&pc->v[i], &pc->v[i + 1], (size_t)(pc->n - i - 1) * sizeof(*pc->v));
	pc->n--;
	return e;
}

/* On the worker: only the entry's own fields. */
static int create_run(void *job)
{
	struct entry *e = job;
	if (mkdir(e->spec.path, 0755) < 0 && errno != EEXIST) {
		snprintf(e->err, sizeof(e->err), "creating %s: %s", e->spec.path, strerror(errno));
		return -1;
	}
	return plog_open(e->spec.path, &e->spec.cfg, e->spec.recovery_point, e->spec.log_start,
	                 &e->log, e->err, sizeof(e->err));
}

static void create_done(void *job, int rc, void *arg)
{
	struct entry *e = job;
	struct pcreate *pc = arg;
	e->state = rc == 0 ? E_OPENED : E_FAILED;
	if (rc < 0)
		say_ratelimited(SAY_ERROR, "server", "%s", e->err);
	else
		say_info("server", "created log %s", e->spec.path);
	if (rc == 0 && pc->ready)
		pc->ready(pc->arg);
}

void pcreate_start(struct pcreate *pc, const char *topic, int32_t id,
                   const struct pcreate_spec *spec, uint64_t pass)
{
	bool found;
	int at = find(pc, topic, id, &found);
	KB_ASSERT(!found);
	struct entry *e = kb_calloc(1, sizeof(*e));
	e->pc = pc;
	e->topic = kb_strdup(topic);
	e->id = id;
	e->spec = *spec;
	e->spec.path = kb_strdup(spec->path);
	e->state = E_PENDING;
	e->pass = pass;
	if (pc->n == pc->cap) {
		pc->cap = pc->cap ? 2 * pc->cap : 16;
		pc->v = kb_realloc(pc->v, (size_t)pc->cap * sizeof(*pc->v));
	}
	memmove(&pc->v[at + 1], &pc->v[at], (size_t)(pc->n - at) * sizeof(*pc->v));
	pc->v[at] = e;
	pc->n++;
	worker_submit(pc->worker, create_run, create_done, e, pc);
}

enum pcreate_status pcreate_take(struct pcreate *pc, const char *topic, int32_t id,
                                 uint64_t pass, struct plog **log, int *dir_index)
{
	bool found;
	int i = find(pc, topic, id, &found);
	if (!found)
		return PCREATE_ABSENT;
	struct entry *e = pc->v[i];
	e->pass = pass;
	if (e->state == E_PENDING)
		return PCREATE_WAIT;
	remove_at(pc, i);
	enum pcreate_status st = e->state == E_OPENED ? PCREATE_OPENED : PCREATE_FAILED;
	*log = e->log;
	*dir_index = e->spec.dir_index;
	entry_free(e);
	return st;
}

bool pcreate_orphan(struct pcreate *pc, uint64_t pass, char **topic, int32_t *id,
                    char **path, int *dir_index, struct plog **log)
{
	for (int i = 0; i < pc->n; i++) {
		struct entry *e = pc->v[i];
		if (e->pass == pass || e->state == E_PENDING)
			continue;
		remove_at(pc, i);
		if (e->state == E_FAILED) { /* nothing on disk to keep track of */
			entry_free(e);
			i--;
			continue;
		}
		*topic = e->topic;
		*id = e->id;
		*path = (char *)e->spec.path;
		*dir_index = e->spec.dir_index;
		*log = e->log;
		kb_free(e);
		return true;
	}
	return false;
}

int pcreate_in_dir(const struct pcreate *pc, int dir_index)
{
	int n = 0;
	for (int i = 0; pc && i < pc->n; i++)
		n += pc->v[i]->spec.dir_index == dir_index;
	return n;
}

void pcreate_free(struct pcreate *pc)
{
	if (!pc)
		return;
	for (int i = 0; i < pc->n; i++) {
		struct entry *e = pc->v[i];
		KB_DCHECK(e->state != E_PENDING, "%s-%d: creation still running", e->topic, e->id);
		if (e->state == E_OPENED)
			plog_close(e->log);
		entry_free(e);
	}
	kb_free(pc->v);
	kb_free(pc);
}

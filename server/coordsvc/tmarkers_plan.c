/* tmarkers_plan.c — the pure bookkeeping of the transaction marker channel (see
 * tmarkers_plan.h). */
#include "tmarkers_plan.h"

#include "../../common/kerr.h"
#include "../../net/kp_msgs.h"

#include <string.h>

enum tmplan_class tmplan_classify(int16_t err)
{
	switch (err) {
	case KERR_NONE:
		return TMC_DONE;
	case KERR_UNKNOWN_TOPIC_OR_PARTITION:
	case KERR_NOT_LEADER_OR_FOLLOWER:
	case KERR_NOT_ENOUGH_REPLICAS:
	case KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
	case KERR_REQUEST_TIMED_OUT:
	case KERR_KAFKA_STORAGE_ERROR:
	case KERR_NETWORK_EXCEPTION: /* the connection was lost with the request in flight */
	case TMPLAN_UNANSWERED:
		return TMC_RETRY;
	case KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
	case KERR_UNSUPPORTED_VERSION:
		return TMC_DROP;
	case KERR_INVALID_PRODUCER_EPOCH:
	case KERR_TRANSACTION_COORDINATOR_FENCED:
		return TMC_FAIL;
	default:
		return TMC_UNEXPECTED;
	}
}

/* ---- Lists ----------------------------------------------------------------------------- */

static void list_push(struct tmplan_list *l, struct tmplan_job *j)
{
	j->next = NULL;
	j->prev = l->tail;
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	l->n++;
}

static void list_remove(struct tmplan_list *l, struct tmplan_job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		l->head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		l->tail = j->prev;
	j->prev = j->next = NULL;
	l->n--;
}

static struct tmplan_list *list_of(struct tmplan *p, const struct tmplan_job *j)
{
	return j->life == TMJ_ACTIVE ? &p->active : j->life == TMJ_FINISHED ? &p->finished : &p->dead;
}

static void move_to(struct tmplan *p, struct tmplan_job *j, uint8_t life)
{
	list_remove(list_of(p, j), j);
	j->life = life;
	list_push(list_of(p, j), j);
}

static void job_free(struct tmplan_job *j)
{
	for (int i = 0; i < j->nparts; i++)
		kb_free(j->parts[i].topic);
	kb_free(j->parts);
	kb_free(j->txn_id);
	kb_free(j);
}

/* ---- Jobs ------------------------------------------------------------------------------ */

void tmplan_init(struct tmplan *p, int64_t backoff_ms)
{
	memset(p, 0, sizeof(*p));
	p->next_id = 1;
	p->backoff_ms = backoff_ms;
}

static void free_list(struct tmplan_list *l)
{
	while (l->head) {
		struct tmplan_job *j = l->head;
		list_remove(l, j);
		job_free(j);
	}
}

void tmplan_destroy(struct tmplan *p)
{
	free_list(&p->active);
	free_list(&p->finished);
	free_list(&p->dead);
}

struct tmplan_job *tmplan_add(struct tmplan *p, const struct txn_markers *m, const void *owner,
                              tmplan_done_fn done, void *arg, int64_t now)
{
	struct tmplan_job *j = kb_calloc(1, sizeof(*j));
	j->id = p->next_id++;
	j->owner = owner;
	j->txn_id_len = m->txn_id.len > 0 ? m->txn_id.len : 0;
	j->txn_id = kb_strndup(m->txn_id.ptr ? m->txn_id.ptr : "", (size_t)j->txn_id_len);
	j->pid = m->producer_id;
	j->epoch = m->producer_epoch;
	j->commit = m->commit;
	j->coordinator_epoch = m->coordinator_epoch;
	j->done = done;
	j->arg = arg;
	j->nparts = m->npartitions > 0 ? m->npartitions : 0;
	j->parts = kb_calloc((size_t)(j->nparts ? j->nparts : 1), sizeof(*j->parts));
	for (int i = 0; i < j->nparts; i++) {
		const struct txn_tp *tp = &m->partitions[i];
		struct tmplan_part *pt = &j->parts[i];
		pt->topic = kb_strndup(tp->topic.ptr ? tp->topic.ptr : "",
		                       (size_t)(tp->topic.len > 0 ? tp->topic.len : 0));
		pt->partition = tp->partition;
		pt->st = TMP_WAIT;
		pt->leader = -1;
		pt->due_ms = now;
	}
	j->nleft = j->nparts;
	j->error = KERR_NONE;
	j->life = j->nparts ? TMJ_ACTIVE : TMJ_FINISHED;
	list_push(list_of(p, j), j);
	return j;
}

size_t tmplan_pending(const struct tmplan *p)
{
	return p->active.n + p->finished.n;
}

static void finish(struct tmplan *p, struct tmplan_job *j, int16_t err)
{
	if (j->life != TMJ_ACTIVE)
		return;
	j->error = err;
	for (int i = 0; i < j->nparts; i++) /* abandoned: SENT ones keep their reference */
		if (j->parts[i].st == TMP_WAIT)
			j->parts[i].st = TMP_DONE;
	move_to(p, j, TMJ_FINISHED);
}

static void part_done(struct tmplan *p, struct tmplan_job *j, struct tmplan_part *pt)
{
	pt->st = TMP_DONE;
	if (--j->nleft == 0)
		finish(p, j, KERR_NONE);
}

/* A DEAD job with no reference left is freed. */
static void maybe_free(struct tmplan *p, struct tmplan_job *j)
{
	if (j->life == TMJ_DEAD && j->nsent == 0) {
		list_remove(&p->dead, j);
		job_free(j);
	}
}

/* ---- Routing and requests -------------------------------------------------------------- */

void tmplan_leaders_free(struct tmplan_leaders *l)
{
	kb_free(l->ids);
	memset(l, 0, sizeof(*l));
}

static void leaders_add(struct tmplan_leaders *l, int32_t id)
{
	for (int i = 0; i < l->n; i++)
		if (l->ids[i] == id)
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->ids = kb_realloc(l->ids, sizeof(*l->ids) * (size_t)l->cap);
	}
	l->ids[l->n++] = id;
}

void tmplan_route(struct tmplan *p, int64_t now, tmplan_leader_fn fn, void *arg,
                  struct tmplan_leaders *out)
{
	struct tmplan_job *next;
	for (struct tmplan_job *j = p->active.head; j; j = next) {
		next = j->next; /* j may finish (move lists) */
		for (int i = 0; i < j->nparts && j->life == TMJ_ACTIVE; i++) {
			struct tmplan_part *pt = &j->parts[i];
			if (pt->st != TMP_WAIT || pt->due_ms > now)
				continue;
			int32_t leader = fn(arg, pt->topic, pt->partition);
			pt->leader = leader >= 0 ? leader : -1;
			if (leader == TMPLAN_GONE)
				part_done(p, j, pt);
			else if (leader < 0)
				pt->due_ms = now + p->backoff_ms;
			else
				leaders_add(out, leader);
		}
	}
}

int tmplan_take(struct tmplan *p, int32_t leader, int64_t now, int max,
                struct tmplan_entry *out)
{
	int n = 0;
	for (struct tmplan_job *j = p->active.head; j && n < max; j = j->next)
		for (int i = 0; i < j->nparts && n < max; i++) {
			struct tmplan_part *pt = &j->parts[i];
			if (pt->st != TMP_WAIT || pt->due_ms > now || pt->leader != leader)
				continue;
			pt->st = TMP_SENT;
			pt->sends++;
			j->nsent++;
			out[n++] = (struct tmplan_entry){j, i};
		}
	return n;
}

enum tmplan_class tmplan_answer(struct tmplan *p, const struct tmplan_entry *e, int16_t err,
                                int64_t now)
{
	struct tmplan_job *j = e->job;
	struct tmplan_part *pt = &j->parts[e->part];
	enum tmplan_class c = tmplan_classify(err);
	j->nsent--;
	if (j->life != TMJ_ACTIVE || pt->st != TMP_SENT) {
		if (pt->st == TMP_SENT)
			pt->st = TMP_DONE; /* its job ended meanwhile */
		maybe_free(p, j);
		return c;
	}
	switch (c) {
	case TMC_DONE:
	case TMC_DROP:
		part_done(p, j, pt);
		break;
	case TMC_FAIL:
		pt->st = TMP_DONE;
		finish(p, j, err);
		break;
	case TMC_RETRY:
	case TMC_UNEXPECTED:
		pt->st = TMP_WAIT;
		pt->due_ms = now + p->backoff_ms;
		break;
	}
	return c;
}

bool tmplan_waits_for(const struct tmplan *p, int32_t leader)
{
	for (const struct tmplan_job *j = p->active.head; j; j = j->next)
		for (int i = 0; i < j->nparts; i++)
			if (j->parts[i].st == TMP_WAIT && j->parts[i].leader == leader)
				return true;
	return false;
}

/* ---- Ending jobs ----------------------------------------------------------------------- */

struct tmplan_job *tmplan_pop_finished(struct tmplan *p)
{
	struct tmplan_job *j = p->finished.head;
	if (j)
		move_to(p, j, TMJ_DEAD);
	return j;
}

void tmplan_release(struct tmplan *p, struct tmplan_job *j)
{
	maybe_free(p, j);
}

static size_t cancel_list(struct tmplan *p, struct tmplan_list *l, const void *owner, bool all)
{
	size_t n = 0;
	struct tmplan_job *next;
	for (struct tmplan_job *j = l->head; j; j = next) {
		next = j->next;
		if (!all && j->owner != owner)
			continue;
		move_to(p, j, TMJ_DEAD);
		maybe_free(p, j);
		n++;
	}
	return n;
}

size_t tmplan_cancel(struct tmplan *p, const void *owner)
{
	return cancel_list(p, &p->active, owner, false) + cancel_list(p, &p->finished, owner, false);
}

size_t tmplan_cancel_all(struct tmplan *p)
{
	return cancel_list(p, &p->active, NULL, true) + cancel_list(p, &p->finished, NULL, true);
}

int64_t tmplan_next_due(const struct tmplan *p)
{
	int64_t at = INT64_MAX;
	for (const struct tmplan_job *j = p->active.head; j; j = j->next)
		for (int i = 0; i < j->nparts; i++)
			if (j->parts[i].st == TMP_WAIT && j->parts[i].due_ms < at)
				at = j->parts[i].due_ms;
	return at;
}

/* ---- Wire -------------------------------------------------------------------------------- */

/* Entries [i, end) that belong to e[i].job. */
static int job_run(const struct tmplan_entry *e, int n, int i)
{
	int k = i;
	while (k < n && e[k].job == e[i].job)
		k++;
	return k;
}

static const char *topic_of(const struct tmplan_entry *e)
{
	return e->job->parts[e->part].topic;
}

static int topic_run(const struct tmplan_entry *e, int end, int i)
{
	int k = i;
	while (k < end && strcmp(topic_of(&e[k]), topic_of(&e[i])) == 0)
		k++;
	return k;
}

static int16_t fill_marker(const struct tmplan_entry *e, int i, int end, struct arena *a,
                           struct WritableTxnMarker *m)
{
	const struct tmplan_job *j = e[i].job;
	int nt = 0;
	for (int k = i; k < end; k = topic_run(e, end, k))
		nt++;
	struct WritableTxnMarkerTopic *t = arena_alloc(a, sizeof(*t) * (size_t)nt);
	if (!t)
		return KERR_INVALID_REQUEST;
	nt = 0;
	for (int k = i; k < end;) {
		int ke = topic_run(e, end, k);
		int32_t *ids = arena_alloc(a, sizeof(*ids) * (size_t)(ke - k));
		if (!ids)
			return KERR_INVALID_REQUEST;
		for (int x = k; x < ke; x++)
			ids[x - k] = e[x].job->parts[e[x].part].partition;
		t[nt++] = (struct WritableTxnMarkerTopic){.Name = kp_str_c(topic_of(&e[k])),
		                                          .PartitionIndexes = {ids, ke - k}};
		k = ke;
	}
	*m = (struct WritableTxnMarker){.ProducerId = j->pid, .ProducerEpoch = j->epoch,
	                                .TransactionResult = j->commit, .Topics = {t, nt},
	                                .CoordinatorEpoch = j->coordinator_epoch};
	return KERR_NONE;
}

int16_t tmplan_request(const struct tmplan_entry *e, int n, struct arena *a,
                       struct WriteTxnMarkersRequest *out)
{
	int nm = 0;
	for (int i = 0; i < n; i = job_run(e, n, i))
		nm++;
	struct WritableTxnMarker *m = arena_alloc(a, sizeof(*m) * (size_t)(nm ? nm : 1));
	if (!m)
		return KERR_INVALID_REQUEST;
	nm = 0;
	for (int i = 0; i < n;) {
		int end = job_run(e, n, i);
		int16_t rc = fill_marker(e, i, end, a, &m[nm++]);
		if (rc != KERR_NONE)
			return rc;
		i = end;
	}
	*out = (struct WriteTxnMarkersRequest){.Markers = {m, nm}};
	return KERR_NONE;
}

/* The first entry at or after *cursor (wrapping) for (pid, topic, partition) still
 * unanswered; -1 when none. */
static int find_entry(const struct tmplan_entry *e, int n, const int16_t *errs, int cursor,
                      int64_t pid, struct kp_str topic, int32_t partition)
{
	for (int c = 0; c < n; c++) {
		int i = (cursor + c) % n;
		const struct tmplan_part *pt = &e[i].job->parts[e[i].part];
		if (errs[i] == TMPLAN_UNANSWERED && e[i].job->pid == pid &&
		    pt->partition == partition && kp_str_eq_c(topic, pt->topic))
			return i;
	}
	return -1;
}

void tmplan_match(const struct tmplan_entry *e, int n, const struct WriteTxnMarkersResponse *resp,
                  int16_t *errs)
{
	for (int i = 0; i < n; i++)
		errs[i] = TMPLAN_UNANSWERED;
	if (n == 0)
		return;
	/* Kafka answers each partition asked once; a peer answering more costs O(n) per result,
	 * so only the first 2n results are looked at (the rest are retried). */
	int cursor = 0, budget = 2 * n;
	const struct WritableTxnMarkerResult *m = resp->Markers.elems;
	for (int mi = 0; mi < resp->Markers.count; mi++) {
		const struct WritableTxnMarkerTopicResult *t = m[mi].Topics.elems;
		for (int ti = 0; ti < m[mi].Topics.count; ti++) {
			const struct WritableTxnMarkerPartitionResult *p = t[ti].Partitions.elems;
			for (int pi = 0; pi < t[ti].Partitions.count; pi++) {
				if (budget-- == 0)
					return;
				int i = find_entry(e, n, errs, cursor, m[mi].ProducerId, t[ti].Name,
				                   p[pi].PartitionIndex);
				if (i < 0)
					continue;
				/* A real code is never TMPLAN_UNANSWERED (it would read as unanswered). */
				errs[i] = p[pi].ErrorCode == TMPLAN_UNANSWERED ? KERR_UNKNOWN_SERVER_ERROR
				                                               : p[pi].ErrorCode;
				cursor = (i + 1) % n;
			}
		}
	}
}

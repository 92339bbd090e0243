/* txn.c — the coordinator's table of transactional ids, partition sets, the append
 * machinery, views and the per-version error mapping. */
#include "txn_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const STATE_NAMES[TXN_NSTATES] = {
	"Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort",
	"Dead", "PrepareEpochFence",
};

const char *txn_state_name(enum txn_state s)
{
	return (unsigned)s < TXN_NSTATES ? STATE_NAMES[s] : "Unknown";
}

bool txn_state_from_name(struct kp_str name, enum txn_state *out)
{
	for (int i = 0; i < TXN_NSTATES; i++)
		if (kp_str_eq_c(name, STATE_NAMES[i])) {
			*out = (enum txn_state)i;
			return true;
		}
	return false;
}

int64_t tc_now(struct txn_coord *c)
{
	return c->io.now_ms(c->io.arg);
}

/* ---- The table -------------------------------------------------------------------------- */

static uint64_t hash_id(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 1099511628211ULL;
	return h;
}

struct txn *tc_find(struct txn_coord *c, struct kp_str id)
{
	if (id.len < 0)
		return NULL;
	size_t n = (size_t)id.len;
	for (struct txn *t = c->buckets[hash_id(id.ptr, n) % c->nbuckets]; t; t = t->next)
		if (t->id_len == n && memcmp(t->id, id.ptr, n) == 0)
			return t;
	return NULL;
}

static void rehash(struct txn_coord *c)
{
	size_t nb = c->nbuckets * 2;
	struct txn **b = kb_calloc(nb, sizeof(*b));
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct txn *t = c->buckets[i];
		while (t) {
			struct txn *next = t->next;
			size_t k = hash_id(t->id, t->id_len) % nb;
			t->next = b[k];
			b[k] = t;
			t = next;
		}
	}
	kb_free(c->buckets);
	c->buckets = b;
	c->nbuckets = nb;
}

/* A new id in Empty with no producer (Kafka creates it this way before the first write). */
struct txn *tc_create(struct txn_coord *c, struct kp_str id)
{
	if (c->ntxns >= c->nbuckets)
		rehash(c);
	struct txn *t = kb_calloc(1, sizeof(*t));
	t->id_len = (size_t)KB_MAX(id.len, 0);
	t->id = kb_strndup(id.ptr ? id.ptr : "", t->id_len);
	t->m = (struct tmeta){.pid = TXN_NO_PID, .last_pid = TXN_NO_PID, .epoch = TXN_NO_EPOCH,
	                      .last_epoch = TXN_NO_EPOCH, .state = TXN_EMPTY, .start_ts = -1,
	                      .update_ts = -1};
	t->complete_retry_at = TXN_NEVER;
	size_t k = hash_id(t->id, t->id_len) % c->nbuckets;
	t->next = c->buckets[k];
	c->buckets[k] = t;
	c->ntxns++;
	return t;
}

static void txn_free(struct txn *t)
{
	tmeta_free(&t->m);
	kb_free(t->id);
	kb_free(t);
}

void tc_remove(struct txn_coord *c, struct txn *t)
{
	struct txn **pp = &c->buckets[hash_id(t->id, t->id_len) % c->nbuckets];
	while (*pp && *pp != t)
		pp = &(*pp)->next;
	KB_ASSERT(*pp == t);
	*pp = t->next;
	c->ntxns--;
	if (t->complete_retry_at != TXN_NEVER)
		c->nretry--;
	txn_free(t);
}

size_t txn_count(const struct txn_coord *c)
{
	return c->ntxns;
}

/* ---- Partition sets ---------------------------------------------------------------------- */

void tmeta_free(struct tmeta *m)
{
	for (int i = 0; i < m->nparts; i++)
		kb_free((char *)m->parts[i].topic.ptr);
	kb_free(m->parts);
	m->parts = NULL;
	m->nparts = 0;
}

static struct kp_str str_dup(struct kp_str s)
{
	int32_t n = KB_MAX(s.len, 0);
	return (struct kp_str){kb_strndup(s.ptr ? s.ptr : "", (size_t)n), n};
}

struct tmeta tmeta_copy(const struct tmeta *m)
{
	struct tmeta r = *m;
	r.parts = m->nparts ? kb_calloc((size_t)m->nparts, sizeof(*r.parts)) : NULL;
	for (int i = 0; i < m->nparts; i++)
		r.parts[i] = (struct txn_tp){str_dup(m->parts[i].topic), m->parts[i].partition};
	return r;
}

int tp_cmp(const struct txn_tp *a, const struct txn_tp *b)
{
	int32_t la = KB_MAX(a->topic.len, 0), lb = KB_MAX(b->topic.len, 0);
	int r = memcmp(a->topic.ptr ? a->topic.ptr : "", b->topic.ptr ? b->topic.ptr : "",
	               (size_t)KB_MIN(la, lb));
	if (r)
		return r;
	if (la != lb)
		return la < lb ? -1 : 1;
	return a->partition < b->partition ? -1 : a->partition > b->partition;
}

static int find_pos(const struct tmeta *m, const struct txn_tp *tp, bool *found)
{
	int lo = 0, hi = m->nparts;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		int r = tp_cmp(&m->parts[mid], tp);
		if (r == 0) {
			*found = true;
			return mid;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

bool tparts_contains(const struct tmeta *m, const struct txn_tp *tp)
{
	bool found;
	find_pos(m, tp, &found);
	return found;
}

static int tp_qcmp(const void *a, const void *b)
{
	return tp_cmp(a, b);
}

/* Sorts a copy of parts, then merges it into m's set: O((n + m) log n). */
void tparts_union(struct tmeta *m, const struct txn_tp *parts, int n)
{
	if (n <= 0)
		return;
	struct txn_tp *add = kb_calloc((size_t)n, sizeof(*add));
	memcpy(add, parts, sizeof(*add) * (size_t)n);
	qsort(add, (size_t)n, sizeof(*add), tp_qcmp);
	struct txn_tp *out = kb_calloc((size_t)(m->nparts + n), sizeof(*out));
	int i = 0, k = 0, o = 0;
	while (i < m->nparts || k < n) {
		int r = i == m->nparts ? 1 : k == n ? -1 : tp_cmp(&m->parts[i], &add[k]);
		if (r <= 0) {
			out[o++] = m->parts[i++]; /* keeps its owned topic */
			if (r == 0)
				k++;
		} else if (o > 0 && tp_cmp(&out[o - 1], &add[k]) == 0) {
			k++; /* a duplicate in the request */
		} else {
			out[o++] = (struct txn_tp){str_dup(add[k].topic), add[k].partition};
			k++;
		}
	}
	kb_free(add);
	kb_free(m->parts);
	m->parts = out;
	m->nparts = o;
}

void tc_schedule_retry(struct txn_coord *c, struct txn *t, int64_t at)
{
	if (t->complete_retry_at == TXN_NEVER)
		c->nretry++;
	t->complete_retry_at = at;
	c->retry_min = c->nretry == 1 ? at : KB_MIN(c->retry_min, at);
}

void t_set_pending(struct txn *t, enum txn_state s)
{
	t->pending = true;
	t->pending_state = s;
}

/* ---- Appends ----------------------------------------------------------------------------- */

int16_t tc_map_append_error(int16_t err)
{
	switch (err) {
	case KERR_UNKNOWN_TOPIC_OR_PARTITION:
	case KERR_NOT_ENOUGH_REPLICAS:
	case KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
	case KERR_REQUEST_TIMED_OUT:
		return KERR_COORDINATOR_NOT_AVAILABLE;
	case KERR_NOT_LEADER_OR_FOLLOWER:
	case KERR_KAFKA_STORAGE_ERROR:
		return KERR_NOT_COORDINATOR;
	case KERR_MESSAGE_TOO_LARGE:
	case KERR_RECORD_LIST_TOO_LARGE:
		return KERR_UNKNOWN_SERVER_ERROR;
	default:
		return err;
	}
}

void tappend_free(struct tappend *a)
{
	tmeta_free(&a->transit);
	kb_free(a->expired);
	kb_free(a->expired_epoch);
	kb_free(a);
}

static int16_t tc_append(struct txn_coord *c, struct tappend *a, const struct txn_append_rec *recs,
                         int n, int32_t timeout_ms)
{
	a->token = c->next_token++;
	a->next = NULL;
	if (c->appends_tail)
		c->appends_tail->next = a;
	else
		c->appends = a;
	c->appends_tail = a;
	uint64_t token = a->token;
	int16_t err = c->io.append(c->io.arg, token, recs, n, timeout_ms);
	if (err != KERR_NONE)
		txn_append_done(c, token, err); /* handles and frees `a` */
	return err;
}

int16_t tc_append_state(struct txn_coord *c, struct tappend *a)
{
	struct kbuf kb, vb;
	kbuf_init(&kb, SIZE_MAX);
	kbuf_init(&vb, SIZE_MAX);
	struct txn_rec r;
	t_rec_of(a->t, &a->transit, &r);
	txn_rec_key(&kb, r.txn_id);
	txn_rec_value(&vb, &r, 0);
	kb_free(r.partitions);
	struct txn_append_rec rec = {kb.data, kb.len, vb.data, vb.len};
	int16_t err = tc_append(c, a, &rec, 1, KB_MAX(a->transit.timeout_ms, 1));
	kbuf_free(&kb);
	kbuf_free(&vb);
	return err;
}

/* Tombstones of the ids in a->expired, one append. */
void t_append_tombstones(struct txn_coord *c, struct tappend *a)
{
	struct kbuf buf;
	kbuf_init(&buf, SIZE_MAX);
	size_t *off = kb_calloc((size_t)a->nexpired + 1, sizeof(*off));
	for (int i = 0; i < a->nexpired; i++) {
		off[i] = buf.len;
		txn_rec_key(&buf, (struct kp_str){a->expired[i]->id, (int32_t)a->expired[i]->id_len});
	}
	off[a->nexpired] = buf.len;
	struct txn_append_rec *recs = kb_calloc((size_t)a->nexpired, sizeof(*recs));
	for (int i = 0; i < a->nexpired; i++)
		recs[i] = (struct txn_append_rec){buf.data + off[i], off[i + 1] - off[i], NULL, 0};
	KB_IGNORED(tc_append(c, a, recs, a->nexpired, c->cfg.max_timeout_ms)); /* handled inside */
	kb_free(recs);
	kb_free(off);
	kbuf_free(&buf);
}

void txn_append_done(struct txn_coord *c, uint64_t token, int16_t error)
{
	struct tappend **pp = &c->appends, *prev = NULL;
	while (*pp && (*pp)->token != token) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	struct tappend *a = *pp;
	if (!a)
		return;
	*pp = a->next;
	if (c->appends_tail == a)
		c->appends_tail = prev;
	if (a->kind == TAPP_EXPIRE)
		t_expired_appended(c, a, error);
	else
		t_appended(c, a, error);
	tappend_free(a);
}

/* ---- Lifecycle --------------------------------------------------------------------------- */

struct txn_coord *txn_coord_new(const struct txn_config *cfg, const struct txn_io *io)
{
	struct txn_coord *c = kb_calloc(1, sizeof(*c));
	c->cfg = *cfg;
	if (c->cfg.max_ids <= 0 || c->cfg.max_ids > KB_TXN_MAX_IDS)
		c->cfg.max_ids = KB_TXN_MAX_IDS;
	c->io = *io;
	c->nbuckets = 64;
	c->buckets = kb_calloc(c->nbuckets, sizeof(*c->buckets));
	c->next_token = 1;
	c->next_abort_scan = c->next_expire_scan = TXN_NEVER;
	return c;
}

void txn_coord_free(struct txn_coord *c)
{
	if (!c)
		return;
	c->appends_tail = NULL;
	while (c->appends) {
		struct tappend *a = c->appends;
		c->appends = a->next;
		if (a->handle && (a->kind == TAPP_INIT || a->kind == TAPP_FENCE))
			c->io.init_done(c->io.arg, a->handle, KERR_NOT_COORDINATOR, TXN_NO_PID, TXN_NO_EPOCH);
		else if (a->handle)
			c->io.txn_done(c->io.arg, a->handle, KERR_NOT_COORDINATOR);
		tappend_free(a);
	}
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct txn *t = c->buckets[i];
		while (t) {
			struct txn *next = t->next;
			txn_free(t);
			t = next;
		}
	}
	kb_free(c->buckets);
	kb_free(c);
}

/* ---- Time -------------------------------------------------------------------------------- */

int64_t txn_next_deadline(struct txn_coord *c)
{
	if (!c->loaded)
		return TXN_NEVER;
	int64_t d = KB_MIN(c->next_abort_scan, c->next_expire_scan);
	return c->nretry ? KB_MIN(d, c->retry_min) : d;
}

static int64_t add_interval(int64_t now, int64_t iv)
{
	iv = KB_MAX(iv, 1);
	return now > TXN_NEVER - iv ? TXN_NEVER : now + iv;
}

void txn_tick(struct txn_coord *c, int64_t now)
{
	if (!c->loaded)
		return;
	if (c->nretry && c->retry_min <= now) {
		/* A retry that fails at once reschedules itself later than now, after the walk
		 * (appends never add or remove ids). */
		struct txn **due = kb_calloc(c->nretry, sizeof(*due));
		size_t ndue = 0;
		c->retry_min = TXN_NEVER;
		for (size_t i = 0; i < c->nbuckets; i++)
			for (struct txn *t = c->buckets[i]; t; t = t->next) {
				if (t->complete_retry_at <= now && ndue < c->nretry)
					due[ndue++] = t;
				else if (t->complete_retry_at != TXN_NEVER)
					c->retry_min = KB_MIN(c->retry_min, t->complete_retry_at);
			}
		for (size_t i = 0; i < ndue; i++) {
			due[i]->complete_retry_at = TXN_NEVER;
			c->nretry--;
			t_write_complete(c, due[i]);
		}
		kb_free(due);
	}
	if (now >= c->next_abort_scan) {
		c->next_abort_scan = add_interval(now, c->cfg.abort_interval_ms);
		t_run_abort_scan(c, now);
	}
	if (now >= c->next_expire_scan) {
		c->next_expire_scan = add_interval(now, c->cfg.expire_interval_ms);
		t_run_expiry(c, now);
	}
}

/* Called by txn_load_done: scans start one interval after loading. */
void tc_start_timers(struct txn_coord *c)
{
	int64_t now = tc_now(c);
	c->next_abort_scan = add_interval(now, c->cfg.abort_interval_ms);
	c->next_expire_scan = add_interval(now, c->cfg.expire_interval_ms);
}

/* ---- Views ------------------------------------------------------------------------------- */

static void fill_view(const struct txn *t, struct txn_view *v)
{
	*v = (struct txn_view){.txn_id = {t->id, (int32_t)t->id_len}, .state = t->m.state,
	                       .producer_id = t->m.pid, .producer_epoch = t->m.epoch,
	                       .timeout_ms = t->m.timeout_ms, .start_ts = t->m.start_ts,
	                       .last_update_ts = t->m.update_ts, .pending = t->pending,
	                       .npartitions = t->m.nparts, .partitions = t->m.parts};
}

int16_t txn_describe(struct txn_coord *c, struct kp_str txn_id, struct txn_view *out)
{
	if (txn_id.len <= 0)
		return KERR_INVALID_REQUEST;
	if (!c->loaded)
		return KERR_COORDINATOR_LOAD_IN_PROGRESS;
	struct txn *t = tc_find(c, txn_id);
	/* An id being expired (pending Dead) is as good as gone, as in Kafka. */
	if (!t || t->m.state == TXN_DEAD || (t->pending && t->pending_state == TXN_DEAD))
		return KERR_TRANSACTIONAL_ID_NOT_FOUND;
	fill_view(t, out);
	return KERR_NONE;
}

static bool list_match(const struct txn *t, const struct txn_list_filter *f, int64_t now)
{
	if (t->m.state == TXN_DEAD || (t->pending && t->pending_state == TXN_DEAD))
		return false;
	if (f->npids > 0) {
		bool hit = false;
		for (int i = 0; i < f->npids && !hit; i++)
			hit = f->pids[i] == t->m.pid;
		if (!hit)
			return false;
	}
	if (f->any_state_asked && !(f->states & (1u << t->m.state)))
		return false;
	if (f->duration_ms >= 0 && now - t->m.start_ts <= f->duration_ms)
		return false;
	return true;
}

int16_t txn_list(struct txn_coord *c, const struct txn_list_filter *f,
                 void (*fn)(void *arg, const struct txn_view *v), void *arg)
{
	if (!c->loaded)
		return KERR_COORDINATOR_LOAD_IN_PROGRESS;
	int64_t now = tc_now(c);
	for (size_t i = 0; i < c->nbuckets; i++)
		for (struct txn *t = c->buckets[i]; t; t = t->next)
			if (list_match(t, f, now)) {
				struct txn_view v;
				fill_view(t, &v);
				fn(arg, &v);
			}
	return KERR_NONE;
}

/* ---- Errors by request version ----------------------------------------------------------- */

int16_t txn_error_for_version(int16_t api_key, int16_t version, int16_t err)
{
	int16_t fenced_from, abortable_from;
	switch (api_key) {
	case 22: /* InitProducerId */
		fenced_from = 4;
		abortable_from = 5;
		break;
	case 24: /* AddPartitionsToTxn */
		fenced_from = 2;
		abortable_from = 5;
		break;
	case 25: /* AddOffsetsToTxn */
		fenced_from = 2;
		abortable_from = 4;
		break;
	case 26: /* EndTxn */
		fenced_from = 2;
		abortable_from = 4;
		break;
	default:
		return err;
	}
	if (err == KERR_PRODUCER_FENCED && version < fenced_from)
		return KERR_INVALID_PRODUCER_EPOCH;
	if (err == KERR_TRANSACTION_ABORTABLE && version < abortable_from)
		return KERR_INVALID_TXN_STATE;
	return err;
}

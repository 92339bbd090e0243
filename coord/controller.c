/* controller.c — election, fencing and the reconcile pass (see controller.h). */
#include "controller.h"

#include "../common/say.h"
#include "election.h"
#include "topic_admin.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* ZooKeeper caps a request at jute.maxbuffer (1 MiB); 200 state writes stay far below. */
#define CTL_MAX_OPS_PER_MULTI 200
#define CTL_MAX_ELECTION_RETRIES 3

struct controller {
	struct coord *c;
	bool active;
	bool electing;
	int election_retries;
	int32_t epoch;
	int32_t epoch_version;     /* zkVersion of /controller_epoch we won with */
	int inflight;              /* multi-ops not completed */
	bool dirty;                /* a change arrived while writes were in flight */
	struct event *reconcile_ev;
	struct event *rebalance_ev;
	bool pref_all;             /* a preferred election of every partition was asked for */
	int64_t pass_started_ms;   /* for the failover figure in the log */
	int pass_changes;
};

enum item_kind { IT_CHECK, IT_STATE_CREATE, IT_STATE_SET, IT_DELETE };

struct item {
	enum item_kind kind;
	char *topic;
	int32_t partition;
	enum decision why;
	struct md_state state;
	char *path;   /* full path */
	char *data;
};

struct batch {
	struct controller *k;
	int n;
	zoo_op_t ops[CTL_MAX_OPS_PER_MULTI + 1];
	zoo_op_result_t results[CTL_MAX_OPS_PER_MULTI + 1];
	struct Stat stats[CTL_MAX_OPS_PER_MULTI + 1];
	struct item items[CTL_MAX_OPS_PER_MULTI + 1];
};

static void schedule(struct controller *k);
static void watch_preferred(struct controller *k);
static void add_delete(struct controller *k, const char *rel);

bool ctl_active(const struct controller *k)
{
	return k->active;
}

bool ctl_electing(const struct controller *k)
{
	return k->electing;
}

int32_t ctl_epoch(const struct controller *k)
{
	return k->epoch;
}

int32_t ctl_epoch_version(const struct controller *k)
{
	return k->active ? k->epoch_version : -1;
}

static zhandle_t *ZH(struct controller *k)
{
	return zk_handle(k->c->zk);
}

static char *fullpath(struct controller *k, const char *rel)
{
	char buf[1024];
	return kb_strdup(coord_path(k->c, rel, buf, sizeof(buf)));
}

static void resign(struct controller *k, const char *why)
{
	if (!k->active)
		return;
	say_warn("controller", "resigning as controller (epoch %d): %s", k->epoch, why);
	k->active = false;
	event_del(k->rebalance_ev);
}

/* ---- Election ---------------------------------------------------------------------------- */

struct election {
	struct controller *k;
	int32_t next_epoch;
	zoo_op_t ops[2];
	zoo_op_result_t results[2];
	struct Stat stat;
	char *paths[2];
	char *datas[2];
};

static void election_free(struct election *e)
{
	for (int i = 0; i < 2; i++) {
		kb_free(e->paths[i]);
		kb_free(e->datas[i]);
	}
	kb_free(e);
}

static void elected(int rc, const void *data)
{
	struct election *e = (struct election *)data;
	struct controller *k = e->k;
	k->electing = false;
	if (rc == ZOK) {
		k->active = true;
		k->epoch = e->next_epoch;
		k->epoch_version = e->stat.version;
		k->election_retries = 0;
		say_info("controller", "broker %d is the controller (epoch %d)", k->c->cfg.broker_id,
		         k->epoch);
		watch_preferred(k);
		if (k->c->cfg.policy.auto_leader_rebalance) {
			int64_t ms = k->c->cfg.policy.rebalance_interval_ms;
			struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
			event_add(k->rebalance_ev, &tv);
		}
		schedule(k);
	} else if (rc != ZCLOSING && e->results[1].err == ZBADVERSION &&
	           e->results[0].err != ZNODEEXISTS &&
	           ++k->election_retries <= CTL_MAX_ELECTION_RETRIES) {
		ctl_maybe_elect(k); /* the epoch moved under us, /controller still free: again */
	}
	election_free(e);
}

static void epoch_created(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	struct controller *k = (struct controller *)data;
	k->electing = false;
	if (rc == ZOK || rc == ZNODEEXISTS)
		ctl_maybe_elect(k);
}

static void epoch_read(int rc, const char *value, int len, const struct Stat *st,
                       const void *data)
{
	struct controller *k = (struct controller *)data;
	if (rc == ZNONODE) {
		char *p = fullpath(k, "/controller_epoch");
		if (zoo_acreate(ZH(k), p, "0", 1, &ZOO_OPEN_ACL_UNSAFE, 0, epoch_created, k) != ZOK)
			k->electing = false; /* refused: epoch_created will never run */
		kb_free(p);
		zk_kick(k->c->zk);
		return;
	}
	if (rc != ZOK || !value || len <= 0 || len > 11) {
		k->electing = false;
		return;
	}
	char num[16];
	struct election *e = kb_calloc(1, sizeof(*e));
	e->k = k;
	if (election_next_epoch(value, len, &e->next_epoch) < 0) {
		say_error("controller", "/controller_epoch holds %.*s, not an epoch below %d: not "
		          "electing", KB_MIN(len, 32), value, INT32_MAX);
		kb_free(e);
		k->electing = false;
		return;
	}
	char json[160];
	snprintf(json, sizeof(json), "{\"version\":1,\"brokerid\":%d,\"timestamp\":\"%lld\"}",
	         k->c->cfg.broker_id, (long long)kb_wall_ms());
	e->paths[0] = fullpath(k, "/controller");
	e->datas[0] = kb_strdup(json);
	e->paths[1] = fullpath(k, "/controller_epoch");
	snprintf(num, sizeof(num), "%d", e->next_epoch);
	e->datas[1] = kb_strdup(num);
	zoo_create_op_init(&e->ops[0], e->paths[0], e->datas[0], (int)strlen(e->datas[0]),
	                   &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, NULL, 0);
	zoo_set_op_init(&e->ops[1], e->paths[1], e->datas[1], (int)strlen(e->datas[1]), st->version,
	                &e->stat);
	if (zoo_amulti(ZH(k), 2, e->ops, e->results, elected, e) != ZOK) {
		k->electing = false;
		election_free(e);
		return;
	}
	zk_kick(k->c->zk);
}

void ctl_maybe_elect(struct controller *k)
{
	if (k->active || k->electing || !k->c->registered || k->c->cfg.broker_id < 0)
		return;
	k->electing = true;
	char *p = fullpath(k, "/controller_epoch");
	int rc = zoo_aget(ZH(k), p, 0, epoch_read, k);
	if (rc != ZOK) { /* refused: epoch_read will never run to clear `electing` */
		say_warn("controller", "ZooKeeper refused reading /controller_epoch: %s", zerror(rc));
		k->electing = false;
	}
	kb_free(p);
	zk_kick(k->c->zk);
}

/* ---- Batched, fenced writes ----------------------------------------------------------- */

static struct batch *batch_new(struct controller *k)
{
	struct batch *b = kb_calloc(1, sizeof(*b));
	b->k = k;
	b->items[0] = (struct item){.kind = IT_CHECK, .path = fullpath(k, "/controller_epoch")};
	zoo_check_op_init(&b->ops[0], b->items[0].path, k->epoch_version);
	b->n = 1;
	return b;
}

static void batch_free(struct batch *b)
{
	for (int i = 0; i < b->n; i++) {
		kb_free(b->items[i].topic);
		kb_free(b->items[i].path);
		kb_free(b->items[i].data);
		md_state_free(&b->items[i].state);
	}
	kb_free(b);
}

/* Successful writes go into the cache at once (the watches will confirm them later). */
static void write_through(struct controller *k, struct batch *b)
{
	for (int i = 1; i < b->n; i++) {
		struct item *it = &b->items[i];
		if (it->kind != IT_STATE_CREATE && it->kind != IT_STATE_SET)
			continue;
		struct md_topic *t = topics_find(&k->c->md, it->topic);
		if (!t || it->partition >= t->npartitions)
			continue;
		struct md_partition *p = &t->partitions[it->partition];
		md_state_free(&p->state);
		p->state = it->state;
		it->state = (struct md_state){0};
		p->state_version = it->kind == IT_STATE_CREATE ? 0 : b->stats[i].version;
		p->has_state = true;
		p->state_absent = false;
		k->pass_changes++;
	}
	k->c->md.generation++;
}

static void log_failure(struct controller *k, struct batch *b, int rc)
{
	for (int i = 0; i < b->n; i++) {
		int err = b->results[i].err;
		if (err == ZOK || err == ZRUNTIMEINCONSISTENCY)
			continue;
		if (i == 0 && err == ZBADVERSION) {
			resign(k, "a write was fenced: /controller_epoch moved (a newer controller exists)");
			return;
		}
		struct item *it = &b->items[i];
		if (it->kind == IT_DELETE && err == ZNONODE)
			return; /* already gone */
		say_warn("controller", "write of %s failed: %s; will re-read and retry", it->path,
		         zerror(err));
		if (it->topic && it->partition >= 0)
			topics_reread_state(k->c, it->topic, it->partition);
		return;
	}
	say_warn("controller", "multi-op failed: %s", zerror(rc));
}

static void batch_done(int rc, const void *data)
{
	struct batch *b = (struct batch *)data;
	struct controller *k = b->k;
	k->inflight--;
	if (rc == ZCLOSING) {
		batch_free(b);
		return;
	}
	if (rc == ZOK)
		write_through(k, b);
	else {
		log_failure(k, b, rc);
		k->dirty = true;
	}
	batch_free(b);
	if (k->inflight == 0) {
		if (k->pass_changes > 0)
			say_info("controller", "applied %d partition state changes in %lld ms",
			         k->pass_changes, (long long)(kb_mono_ms() - k->pass_started_ms));
		k->pass_changes = 0;
		coord_changed(k->c);
		if (k->dirty) {
			k->dirty = false;
			schedule(k);
		}
	}
}

static void batch_send(struct controller *k, struct batch *b)
{
	if (b->n <= 1) {
		batch_free(b);
		return;
	}
	if (zoo_amulti(ZH(k), b->n, b->ops, b->results, batch_done, b) != ZOK) {
		batch_free(b);
		k->dirty = true;
		return;
	}
	k->inflight++;
}

/* Appends an op to *bp, sending the batch first when it is full. */
static struct item *batch_slot(struct controller *k, struct batch **bp)
{
	if ((*bp)->n > CTL_MAX_OPS_PER_MULTI) {
		batch_send(k, *bp);
		*bp = batch_new(k);
	}
	return &(*bp)->items[(*bp)->n];
}

static void parent_created(int rc, const char *value, const void *data)
{
	KB_UNUSED(rc);
	KB_UNUSED(value);
	KB_UNUSED(data); /* NODEEXISTS is the usual answer; the state write reports real trouble */
}

static void ensure_parent(struct controller *k, const char *rel)
{
	char *p = fullpath(k, rel);
	/* Ignored when refused, on purpose: the state create after it is refused the same way
	 * (batch_send marks the pass dirty), or fails with NONODE and is retried. */
	(void)zoo_acreate(ZH(k), p, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, parent_created, NULL);
	kb_free(p);
}

static void add_state_write(struct controller *k, struct batch **bp, const struct md_topic *t,
                            int32_t pid, enum decision why, struct md_state *ns)
{
	const struct md_partition *p = &t->partitions[pid];
	char rel[600];
	if (why == DECIDE_CREATE) {
		/* Plain creates of the parents go first (FIFO per session); they are idempotent. */
		snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions", t->name);
		ensure_parent(k, rel);
		snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions/%d", t->name, pid);
		ensure_parent(k, rel);
	}
	struct item *it = batch_slot(k, bp);
	struct batch *b = *bp;
	int i = b->n++;
	snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions/%d/state", t->name, pid);
	*it = (struct item){.kind = why == DECIDE_CREATE ? IT_STATE_CREATE : IT_STATE_SET,
	                    .topic = kb_strdup(t->name), .partition = pid, .why = why,
	                    .state = *ns, .path = fullpath(k, rel), .data = md_state_encode(ns)};
	*ns = (struct md_state){0};
	if (it->kind == IT_STATE_CREATE)
		zoo_create_op_init(&b->ops[i], it->path, it->data, (int)strlen(it->data),
		                   &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
	else
		zoo_set_op_init(&b->ops[i], it->path, it->data, (int)strlen(it->data),
		                p->state_version, &b->stats[i]);
	if (why != DECIDE_CREATE)
		say_info("controller", "%s-%d: %s: leader %d -> %d, epoch %d, isr of %d", t->name, pid,
		         decision_name(why), p->state.leader, it->state.leader, it->state.leader_epoch,
		         it->state.nisr);
}

/* A delete travels alone in its own fenced multi, so one missing node fails nothing else. */
static void add_delete(struct controller *k, const char *rel)
{
	struct batch *b = batch_new(k);
	int i = b->n++;
	b->items[i] = (struct item){.kind = IT_DELETE, .partition = -1, .path = fullpath(k, rel)};
	zoo_delete_op_init(&b->ops[i], b->items[i].path, -1);
	batch_send(k, b);
}

/* ---- The reconcile pass --------------------------------------------------------------- */

static bool is_live(int32_t id, void *arg)
{
	const struct coord *c = arg;
	for (int i = 0; i < c->nlive; i++)
		if (c->live_ids[i] == id)
			return true;
	return false;
}

static bool topic_unclean(const struct controller *k, const struct md_topic *t)
{
	const char *v = md_topic_config(t, "unclean.leader.election.enable");
	if (v)
		return strcasecmp(v, "true") == 0;
	return k->c->cfg.policy.unclean_leader_election;
}

/* Asked-for preferred elections are flags on the partitions (md_partition.preferred_wanted),
 * not a list: a request naming the same partition 100,000 times costs the pass nothing. */
static void clear_preferred(struct controller *k)
{
	k->pref_all = false; /* the partitions' flags are cleared by the pass that reads them */
}

/* Kafka's order: states, partition nodes, the partitions node, the topic, its config, and
 * last the deletion marker (so a crash midway is finished by the next controller). */
static void delete_topic(struct controller *k, const struct md_topic *t)
{
	char rel[600];
	for (int p = 0; p < t->npartitions; p++) {
		snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions/%d/state", t->name, p);
		add_delete(k, rel);
		snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions/%d", t->name, p);
		add_delete(k, rel);
	}
	snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions", t->name);
	add_delete(k, rel);
	snprintf(rel, sizeof(rel), "/brokers/topics/%s", t->name);
	add_delete(k, rel);
	snprintf(rel, sizeof(rel), "/config/topics/%s", t->name);
	add_delete(k, rel);
	snprintf(rel, sizeof(rel), "/admin/delete_topics/%s", t->name);
	add_delete(k, rel);
	say_info("controller", "deleting topic %s", t->name);
}

/* Deletion markers: finish deletions, and drop markers of unknown topics (or of every topic
 * when delete.topic.enable is false). */
static void process_deletions(struct controller *k)
{
	const struct md_cache *md = &k->c->md;
	for (int i = 0; i < md->ndeleting; i++) {
		const struct md_topic *t = topics_find(&k->c->md, md->deleting[i]);
		char rel[600];
		if (t && k->c->cfg.policy.delete_topic_enable) {
			delete_topic(k, t);
			continue;
		}
		if (t)
			say_warn("controller", "topic %s marked for deletion but delete.topic.enable is "
			         "false: removing the marker", md->deleting[i]);
		snprintf(rel, sizeof(rel), "/admin/delete_topics/%s", md->deleting[i]);
		add_delete(k, rel);
	}
}

static void reconcile_topic(struct controller *k, struct batch **bp, struct md_topic *t)
{
	bool unclean = topic_unclean(k, t);
	for (int32_t p = 0; p < t->npartitions; p++) {
		struct md_state ns;
		bool pref = k->pref_all || t->partitions[p].preferred_wanted;
		t->partitions[p].preferred_wanted = false;
		enum decision d = decide_partition(&t->partitions[p], is_live, k->c, unclean, pref,
		                                   k->epoch, &ns);
		if (d != DECIDE_NONE)
			add_state_write(k, bp, t, p, d, &ns);
	}
}

static void reconcile(struct controller *k)
{
	if (!k->active || !k->c->brokers_known)
		return;
	if (k->inflight > 0) {
		k->dirty = true;
		return;
	}
	k->pass_started_ms = kb_mono_ms();
	struct batch *b = batch_new(k);
	struct md_cache *md = &k->c->md;
	for (int i = 0; i < md->ntopics; i++)
		if (!md->topics[i].deleting)
			reconcile_topic(k, &b, &md->topics[i]);
	batch_send(k, b);
	process_deletions(k);
	clear_preferred(k);
	zk_kick(k->c->zk);
}

static void reconcile_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	reconcile(arg);
}

static void schedule(struct controller *k)
{
	if (k->active)
		event_active(k->reconcile_ev, 0, 0);
}

void ctl_on_change(struct controller *k)
{
	schedule(k);
}

void ctl_request_preferred(struct controller *k, const char *topic, int32_t partition)
{
	struct md_topic *t = topic ? topics_find(&k->c->md, topic) : NULL;
	if (!topic)
		k->pref_all = true;
	if (t && partition >= 0 && partition < t->npartitions)
		t->partitions[partition].preferred_wanted = true;
	for (int32_t p = 0; t && partition < 0 && p < t->npartitions; p++)
		t->partitions[p].preferred_wanted = true;
	schedule(k);
}

/* ---- Automatic preferred-leader rebalance (auto.leader.rebalance.enable) ----------------- */

/* Per broker: of the partitions it is preferred leader for, the share it does not lead.
 * Above leader.imbalance.per.broker.percentage, those partitions get a preferred election. */
static void rebalance_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct controller *k = arg;
	if (!k->active)
		return;
	const struct md_cache *md = &k->c->md;
	for (int b = 0; b < k->c->nlive; b++) {
		int32_t id = k->c->live_ids[b];
		int preferred = 0, not_led = 0;
		for (int i = 0; i < md->ntopics; i++)
			for (int p = 0; p < md->topics[i].npartitions; p++) {
				const struct md_partition *mp = &md->topics[i].partitions[p];
				if (mp->nreplicas > 0 && mp->replicas[0] == id && mp->has_state) {
					preferred++;
					not_led += mp->state.leader != id;
				}
			}
		if (preferred > 0 && not_led * 100 > preferred * k->c->cfg.policy.imbalance_pct) {
			say_info("controller", "broker %d leads %d of its %d preferred partitions: "
			         "rebalancing", id, preferred - not_led, preferred);
			for (int i = 0; i < md->ntopics; i++)
				for (int p = 0; p < md->topics[i].npartitions; p++) {
					const struct md_partition *mp = &md->topics[i].partitions[p];
					if (mp->nreplicas > 0 && mp->replicas[0] == id)
						ctl_request_preferred(k, md->topics[i].name, p);
				}
		}
	}
	int64_t ms = k->c->cfg.policy.rebalance_interval_ms;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	event_add(k->rebalance_ev, &tv);
}

/* ---- Lifecycle --------------------------------------------------------------------------- */

struct controller *ctl_new(struct coord *c)
{
	struct controller *k = kb_calloc(1, sizeof(*k));
	k->c = c;
	k->epoch = -1;
	k->epoch_version = -1;
	k->reconcile_ev = event_new(c->base, -1, 0, reconcile_cb, k);
	k->rebalance_ev = evtimer_new(c->base, rebalance_cb, k);
	return k;
}

void ctl_session_reset(struct controller *k)
{
	if (k->active)
		resign(k, "the ZooKeeper session was replaced");
	k->electing = false;
	k->inflight = 0; /* completions of the old session arrived as ZCLOSING */
	k->dirty = false;
}

void ctl_resync(struct controller *k)
{
	watch_preferred(k);
}

void ctl_free(struct controller *k)
{
	if (!k)
		return;
	clear_preferred(k);
	event_free(k->reconcile_ev);
	event_free(k->rebalance_ev);
	kb_free(k);
}

/* ---- /admin/preferred_replica_election (written by tools in ZooKeeper mode) ------------ */

/* {"version":1,"partitions":[{"topic":"t","partition":0},...]}: queue each, then remove the
 * request (fenced, after this pass's writes: FIFO per session). */
static void preferred_read(int rc, const char *value, int len, const struct Stat *st,
                           const void *data)
{
	KB_UNUSED(st);
	struct controller *k = (struct controller *)data;
	if (rc != ZOK || !k->active || !value)
		return;
	json_error_t jerr;
	json_t *o = json_loadb(value, (size_t)len, 0, &jerr);
	json_t *parts = json_object_get(o, "partitions");
	size_t i;
	json_t *e;
	if (json_is_array(parts)) {
		json_array_foreach(parts, i, e) {
			json_t *t = json_object_get(e, "topic"), *p = json_object_get(e, "partition");
			if (json_is_string(t) && json_is_integer(p))
				ctl_request_preferred(k, json_string_value(t), (int32_t)json_integer_value(p));
		}
	} else {
		say_warn("controller", "ignoring a malformed /admin/preferred_replica_election");
	}
	json_decref(o);
	reconcile(k);
	add_delete(k, "/admin/preferred_replica_election");
}

static void preferred_changed(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	KB_UNUSED(path);
	struct controller *k = ctx;
	if (k->active && (type == ZOO_CREATED_EVENT || type == ZOO_CHANGED_EVENT ||
	                  type == ZOO_DELETED_EVENT))
		watch_preferred(k);
}

static void preferred_exists(int rc, const struct Stat *st, const void *data)
{
	KB_UNUSED(st);
	struct controller *k = (struct controller *)data;
	coord_read_lost(k->c, rc);
	if (rc == ZOK)
		watch_preferred(k);
}

static void preferred_get(int rc, const char *value, int len, const struct Stat *st,
                          const void *data)
{
	struct controller *k = (struct controller *)data;
	coord_read_lost(k->c, rc);
	if (rc == ZNONODE && k->active) {
		char *p = fullpath(k, "/admin/preferred_replica_election");
		if (zoo_awexists(ZH(k), p, preferred_changed, k, preferred_exists, k) != ZOK)
			say_warn("controller", "cannot watch %s: preferred elections written by tools "
			         "wait for the next controller", p);
		kb_free(p);
		zk_kick(k->c->zk);
		return;
	}
	preferred_read(rc, value, len, st, data);
}

static void watch_preferred(struct controller *k)
{
	if (!k->active)
		return;
	char *p = fullpath(k, "/admin/preferred_replica_election");
	if (zoo_awget(ZH(k), p, preferred_changed, k, preferred_get, k) != ZOK)
		say_warn("controller", "cannot watch %s: preferred elections written by tools "
		         "wait for the next controller", p);
	kb_free(p);
	zk_kick(k->c->zk);
}

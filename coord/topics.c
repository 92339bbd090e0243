/* topics.c — the topic part of the metadata cache, fed by ZooKeeper watches.
 *
 * Watched (every broker): /brokers/topics (children: the topic set), each topic's assignment
 * znode (data: partitions added), each partition's state znode (data: leader, epoch, ISR),
 * each /config/topics/<t> (data: topic configs, applied live), /admin/delete_topics
 * (children: topics being deleted).
 *
 * Why watches and not controller requests: brokers learn every change straight from
 * ZooKeeper, the same source of truth the controller writes to, with no second channel to
 * keep consistent; a change costs one notification plus one read per broker. The watch
 * contexts never point at cache entries (which come and go): watchers find their topic and
 * partition again from the znode path, and completions carry a small heap request with the
 * names, so a topic deleted meanwhile is simply not found.
 */
#include "../common/say.h"
#include "coord_int.h"

#include <stdio.h>
#include <string.h>

/* ---- The sorted topic array ------------------------------------------------------------ */

static int topic_index(const struct md_cache *md, const char *name, bool *found)
{
	int lo = 0, hi = md->ntopics;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int cmp = strcmp(md->topics[mid].name, name);
		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

struct md_topic *topics_find(struct md_cache *md, const char *name)
{
	bool found;
	int i = topic_index(md, name, &found);
	return found ? &md->topics[i] : NULL;
}

/* Config versions, for users that cache what they derived from a topic's configs. */
static uint64_t configs_gen;

static struct md_topic *topic_add(struct md_cache *md, const char *name)
{
	bool found;
	int i = topic_index(md, name, &found);
	if (found)
		return &md->topics[i];
	md->topics = kb_realloc(md->topics, (size_t)(md->ntopics + 1) * sizeof(*md->topics));
	memmove(&md->topics[i + 1], &md->topics[i], (size_t)(md->ntopics - i) * sizeof(*md->topics));
	md->ntopics++;
	memset(&md->topics[i], 0, sizeof(md->topics[i]));
	md->topics[i].name = kb_strdup(name);
	md->topics[i].configs_gen = ++configs_gen;
	return &md->topics[i];
}

static void topic_remove(struct md_cache *md, int i)
{
	md_topic_free(&md->topics[i]);
	memmove(&md->topics[i], &md->topics[i + 1],
	        (size_t)(md->ntopics - i - 1) * sizeof(*md->topics));
	md->ntopics--;
}

void topics_free(struct md_cache *md)
{
	for (int i = 0; i < md->ndeleting; i++)
		kb_free(md->deleting[i]);
	kb_free(md->deleting);
	md->deleting = NULL;
	md->ndeleting = 0;
	for (int i = 0; i < md->ntopics; i++)
		md_topic_free(&md->topics[i]);
	kb_free(md->topics);
	md->topics = NULL;
	md->ntopics = 0;
}

/* ---- Requests carry names, not pointers ------------------------------------------------ */

struct treq {
	struct coord *c;
	char *topic;
	int32_t partition;
};

static struct treq *treq_new(struct coord *c, const char *topic, int32_t partition)
{
	struct treq *r = kb_malloc(sizeof(*r));
	*r = (struct treq){c, kb_strdup(topic), partition};
	return r;
}

static void treq_free(struct treq *r)
{
	kb_free(r->topic);
	kb_free(r);
}

static void data_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx);

/* A watched read (or existence check) of a topic's znode `rel`, counted in `pending` until
 * its completion runs. A call the client refuses at once (session gone) never completes:
 * undo the count and the request here. */
static void watch_get(struct coord *c, const char *rel, data_completion_t done,
                      const char *topic, int32_t partition)
{
	char buf[1024];
	struct treq *r = treq_new(c, topic, partition);
	c->pending++;
	if (zoo_awget(zk_handle(c->zk), coord_path(c, rel, buf, sizeof(buf)), data_watcher, c,
	              done, r) != ZOK) {
		c->pending--;
		treq_free(r);
		return;
	}
	zk_kick(c->zk);
}

static void watch_exists(struct coord *c, const char *rel, stat_completion_t done,
                         const char *topic, int32_t partition)
{
	char buf[1024];
	struct treq *r = treq_new(c, topic, partition);
	c->pending++;
	if (zoo_awexists(zk_handle(c->zk), coord_path(c, rel, buf, sizeof(buf)), data_watcher, c,
	                 done, r) != ZOK) {
		c->pending--;
		treq_free(r);
		return;
	}
	zk_kick(c->zk);
}

/* Splits a full znode path into the Kafka path's parts after a known prefix. */
static const char *after(struct coord *c, const char *full, const char *prefix)
{
	const char *p = zk_unpath(c->zk, full);
	size_t n = strlen(prefix);
	return strncmp(p, prefix, n) == 0 ? p + n : NULL;
}

static void read_assignment(struct coord *c, const char *topic);
static void read_state(struct coord *c, const char *topic, int32_t partition);
static void read_config(struct coord *c, const char *topic);

/* ---- Watchers: find the target from the path ------------------------------------------- */

static void data_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	struct coord *c = ctx;
	if (type != ZOO_CHANGED_EVENT && type != ZOO_CREATED_EVENT && type != ZOO_DELETED_EVENT)
		return;
	const char *rest;
	char topic[256];
	if ((rest = after(c, path, "/config/topics/")) != NULL) {
		if (topics_find(&c->md, rest))
			read_config(c, rest);
	} else if ((rest = after(c, path, "/brokers/topics/")) != NULL) {
		const char *slash = strchr(rest, '/');
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		if (n >= sizeof(topic))
			return;
		snprintf(topic, sizeof(topic), "%.*s", (int)n, rest);
		if (!topics_find(&c->md, topic))
			return;
		int32_t p;
		if (!slash)
			read_assignment(c, topic);
		else if (sscanf(slash, "/partitions/%d/state", &p) == 1)
			read_state(c, topic, p);
	}
}

/* ---- Partition state ------------------------------------------------------------------- */

static void state_exists(int rc, const struct Stat *st, const void *data)
{
	KB_UNUSED(st);
	struct treq *r = (struct treq *)data;
	r->c->pending--;
	coord_read_lost(r->c, rc);
	if (rc == ZOK) /* created between the read and this check */
		read_state(r->c, r->topic, r->partition);
	treq_free(r);
}

static void state_read(int rc, const char *value, int len, const struct Stat *st,
                       const void *data)
{
	struct treq *r = (struct treq *)data;
	r->c->pending--;
	coord_read_lost(r->c, rc);
	struct coord *c = r->c;
	struct md_topic *t = rc == ZCLOSING ? NULL : topics_find(&c->md, r->topic);
	struct md_partition *p = t && r->partition < t->npartitions ? &t->partitions[r->partition]
	                                                             : NULL;
	if (p && rc == ZNONODE) {
		md_state_free(&p->state);
		p->has_state = false;
		p->state_absent = true;
		p->state_version = -1;
		char rel[600];
		snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions/%d/state", r->topic,
		         r->partition);
		watch_exists(c, rel, state_exists, r->topic, r->partition);
		coord_changed(c);
	} else if (p && rc == ZOK && value) {
		struct md_state s;
		if (md_state_decode(value, len, &s) == 0) {
			md_state_free(&p->state);
			p->state = s;
			p->has_state = true;
			p->state_absent = false;
			p->state_version = st->version;
			coord_changed(c);
		} else {
			say_ratelimited(SAY_WARN, "coord", "%s-%d: unreadable partition state", r->topic,
			                r->partition);
		}
	}
	treq_free(r);
}

static void read_state(struct coord *c, const char *topic, int32_t partition)
{
	char rel[600];
	snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions/%d/state", topic, partition);
	watch_get(c, rel, state_read, topic, partition);
}

void topics_reread_state(struct coord *c, const char *topic, int32_t partition)
{
	read_state(c, topic, partition);
}

/* ---- Assignment ------------------------------------------------------------------------ */

/* Installs a new assignment, keeping what is known of partitions that already existed. */
static void apply_assignment(struct coord *c, struct md_topic *t, struct md_partition *parts,
                             int n, const uint8_t id[16])
{
	int old = t->npartitions;
	for (int i = 0; i < n && i < old; i++) {
		parts[i].has_state = t->partitions[i].has_state;
		parts[i].state_absent = t->partitions[i].state_absent;
		parts[i].state = t->partitions[i].state;
		parts[i].state_version = t->partitions[i].state_version;
		t->partitions[i].state = (struct md_state){0};
	}
	for (int i = 0; i < old; i++) {
		kb_free(t->partitions[i].replicas);
		md_state_free(&t->partitions[i].state);
	}
	kb_free(t->partitions);
	t->partitions = parts;
	t->npartitions = n;
	memcpy(t->topic_id, id, 16);
	for (int i = old; i < n; i++)
		read_state(c, t->name, i);
	coord_changed(c);
}

static void assignment_read(int rc, const char *value, int len, const struct Stat *st,
                            const void *data)
{
	KB_UNUSED(st);
	struct treq *r = (struct treq *)data;
	r->c->pending--;
	coord_read_lost(r->c, rc);
	struct coord *c = r->c;
	struct md_topic *t = rc == ZOK ? topics_find(&c->md, r->topic) : NULL;
	if (t && value) {
		struct md_partition *parts;
		int n;
		uint8_t id[16];
		if (md_assignment_decode(value, len, &parts, &n, id) == 0)
			apply_assignment(c, t, parts, n, id);
		else
			say_ratelimited(SAY_WARN, "coord", "topic %s: unreadable assignment", r->topic);
	}
	treq_free(r);
}

static void read_assignment(struct coord *c, const char *topic)
{
	char rel[600];
	snprintf(rel, sizeof(rel), "/brokers/topics/%s", topic);
	watch_get(c, rel, assignment_read, topic, -1);
}

/* ---- Topic config ---------------------------------------------------------------------- */

static void config_exists(int rc, const struct Stat *st, const void *data)
{
	KB_UNUSED(st);
	struct treq *r = (struct treq *)data;
	r->c->pending--;
	coord_read_lost(r->c, rc);
	if (rc == ZOK && topics_find(&r->c->md, r->topic))
		read_config(r->c, r->topic);
	treq_free(r);
}

static void config_read(int rc, const char *value, int len, const struct Stat *st,
                        const void *data)
{
	KB_UNUSED(st);
	struct treq *r = (struct treq *)data;
	r->c->pending--;
	coord_read_lost(r->c, rc);
	struct coord *c = r->c;
	struct md_topic *t = rc == ZCLOSING ? NULL : topics_find(&c->md, r->topic);
	if (t && rc == ZNONODE) {
		md_configs_free(t->configs, t->nconfigs);
		t->configs = NULL;
		t->nconfigs = 0;
		t->configs_gen = ++configs_gen;
		char rel[600];
		snprintf(rel, sizeof(rel), "/config/topics/%s", r->topic);
		watch_exists(c, rel, config_exists, r->topic, -1);
		coord_changed(c);
	} else if (t && rc == ZOK && value) {
		struct md_config_entry *cfg;
		int n;
		if (md_config_decode(value, len, &cfg, &n) == 0) {
			md_configs_free(t->configs, t->nconfigs);
			t->configs = cfg;
			t->nconfigs = n;
			t->configs_gen = ++configs_gen;
			coord_changed(c);
		}
	}
	treq_free(r);
}

static void read_config(struct coord *c, const char *topic)
{
	char rel[600];
	snprintf(rel, sizeof(rel), "/config/topics/%s", topic);
	watch_get(c, rel, config_read, topic, -1);
}

/* ---- The topic set and deletions ------------------------------------------------------ */

static bool listed(const struct String_vector *v, const char *name)
{
	for (int i = 0; i < v->count; i++)
		if (strcmp(v->data[i], name) == 0)
			return true;
	return false;
}

static void topics_changed(zhandle_t *zh, int type, int state, const char *path, void *ctx);

static void topics_listed(int rc, const struct String_vector *names, const void *data)
{
	struct coord *c = (struct coord *)data;
	c->pending--;
	coord_read_lost(c, rc);
	if (rc != ZOK) {
		if (rc != ZCLOSING)
			say_warn("coord", "listing /brokers/topics failed: %s", zerror(rc));
		return;
	}
	c->topics_known = true;
	bool any = false;
	for (int i = c->md.ntopics - 1; i >= 0; i--)
		if (!listed(names, c->md.topics[i].name)) {
			topic_remove(&c->md, i);
			any = true;
		}
	for (int i = 0; i < names->count; i++) {
		if (topics_find(&c->md, names->data[i]) || md_topic_name_invalid(names->data[i]))
			continue;
		topic_add(&c->md, names->data[i]);
		read_assignment(c, names->data[i]);
		read_config(c, names->data[i]);
		any = true;
	}
	if (any)
		coord_changed(c);
}

static void watch_topic_set(struct coord *c)
{
	char buf[1024];
	c->pending++;
	if (zoo_awget_children(zk_handle(c->zk), coord_path(c, "/brokers/topics", buf, sizeof(buf)),
	                       topics_changed, c, topics_listed, c) != ZOK)
		c->pending--; /* refused at once: it will never complete */
	zk_kick(c->zk);
}

static void topics_changed(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	KB_UNUSED(path);
	if (type == ZOO_CHILD_EVENT)
		watch_topic_set(ctx);
}

static void deletions_changed(zhandle_t *zh, int type, int state, const char *path, void *ctx);

static void deletions_listed(int rc, const struct String_vector *names, const void *data)
{
	struct coord *c = (struct coord *)data;
	c->pending--;
	coord_read_lost(c, rc);
	if (rc != ZOK)
		return;
	bool any = false;
	for (int i = 0; i < c->md.ntopics; i++) {
		bool d = listed(names, c->md.topics[i].name);
		any |= d != c->md.topics[i].deleting;
		c->md.topics[i].deleting = d;
	}
	for (int i = 0; i < c->md.ndeleting; i++)
		kb_free(c->md.deleting[i]);
	c->md.deleting = kb_realloc(c->md.deleting, (size_t)(names->count + 1) * sizeof(char *));
	for (int i = 0; i < names->count; i++)
		c->md.deleting[i] = kb_strdup(names->data[i]);
	c->md.ndeleting = names->count;
	if (any || names->count)
		coord_changed(c);
}

static void watch_deletions(struct coord *c)
{
	char buf[1024];
	c->pending++;
	if (zoo_awget_children(zk_handle(c->zk),
	                       coord_path(c, "/admin/delete_topics", buf, sizeof(buf)),
	                       deletions_changed, c, deletions_listed, c) != ZOK)
		c->pending--; /* refused at once: it will never complete */
	zk_kick(c->zk);
}

static void deletions_changed(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	KB_UNUSED(path);
	if (type == ZOO_CHILD_EVENT)
		watch_deletions(ctx);
}

/* On every new session: watches died with the old one, so everything cached is read (and
 * watched) again; topics that vanished meanwhile drop out when the listing arrives. */
void topics_watch(struct coord *c)
{
	watch_topic_set(c);
	watch_deletions(c);
	for (int i = 0; i < c->md.ntopics; i++) {
		const struct md_topic *t = &c->md.topics[i];
		read_assignment(c, t->name);
		read_config(c, t->name);
		for (int p = 0; p < t->npartitions; p++)
			read_state(c, t->name, p);
	}
}

/* ---- A leader's ISR change ------------------------------------------------------------- */

struct isr_write {
	struct coord *c;
	char *topic;
	int32_t partition;
	struct md_state state;
	char *json;
	coord_isr_done_fn done;
	void *arg;
};

static void isr_written(int rc, const struct Stat *st, const void *data)
{
	struct isr_write *w = (struct isr_write *)data;
	struct coord *c = w->c;
	struct md_topic *t = rc == ZCLOSING ? NULL : topics_find(&c->md, w->topic);
	struct md_partition *p = t && w->partition < t->npartitions ? &t->partitions[w->partition]
	                                                             : NULL;
	if (p && rc == ZOK) { /* write through; the watch confirms it later */
		md_state_free(&p->state);
		p->state = w->state;
		w->state = (struct md_state){0};
		p->state_version = st->version;
		p->has_state = true;
		p->state_absent = false;
		coord_changed(c);
	} else if (p && rc == ZBADVERSION) { /* someone else wrote it: learn what */
		say_info("coord", "%s-%d: ISR change not written (%s); re-reading the state",
		         w->topic, w->partition, zerror(rc));
		read_state(c, w->topic, w->partition);
	} else if (p && rc != ZCLOSING) { /* session trouble: a new session re-reads it all */
		say_info("coord", "%s-%d: ISR change not written (%s)", w->topic, w->partition,
		         zerror(rc));
	}
	if (w->done && rc != ZCLOSING)
		w->done(w->arg, w->topic, w->partition, rc == ZOK);
	md_state_free(&w->state);
	kb_free(w->json);
	kb_free(w->topic);
	kb_free(w);
}

int coord_alter_isr(struct coord *c, const char *topic, int32_t partition,
                    const int32_t *isr, int nisr, coord_isr_done_fn done, void *arg)
{
	const struct md_topic *t = md_find_topic(&c->md, topic);
	const struct md_partition *p = t ? md_topic_partition(t, partition) : NULL;
	if (!p || !p->has_state || p->state.leader != c->cfg.broker_id)
		return -1;
	struct isr_write *w = kb_calloc(1, sizeof(*w));
	*w = (struct isr_write){c, kb_strdup(topic), partition, p->state, NULL, done, arg};
	w->state.isr = kb_malloc(sizeof(int32_t) * (size_t)(nisr > 0 ? nisr : 1));
	memcpy(w->state.isr, isr, sizeof(int32_t) * (size_t)nisr);
	w->state.nisr = nisr;
	w->json = md_state_encode(&w->state);
	char rel[600], buf[1024];
	snprintf(rel, sizeof(rel), "/brokers/topics/%s/partitions/%d/state", topic, partition);
	if (zoo_aset(zk_handle(c->zk), coord_path(c, rel, buf, sizeof(buf)), w->json,
	             (int)strlen(w->json), p->state_version, isr_written, w) != ZOK) {
		md_state_free(&w->state);
		kb_free(w->json);
		kb_free(w->topic);
		kb_free(w);
		return -1;
	}
	zk_kick(c->zk);
	return 0;
}

int64_t md_total_partitions(const struct md_cache *md)
{
	int64_t n = 0;
	for (int i = 0; i < md->ntopics; i++)
		n += md->topics[i].npartitions;
	return n;
}

/* brokerconf.c — dynamic broker configs in ZooKeeper (contract in coord.h): the two levels a
 * broker watches (/config/brokers/<default> and /config/brokers/<its id>), and the write
 * Kafka's AdminZkClient.changeBrokerConfig does (the entity znode, then a sequential change
 * notification under /config/changes). */
#include "../common/kerr.h"
#include "../common/say.h"
#include "coord_int.h"
#include "topic_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LEVEL_DEFAULT = 0, LEVEL_BROKER = 1 };

static void level_path(const struct coord *c, int level, char *rel, size_t len)
{
	if (level == LEVEL_DEFAULT)
		snprintf(rel, len, "/config/brokers/<default>");
	else
		snprintf(rel, len, "/config/brokers/%d", (int)c->cfg.broker_id);
}

/* A read carries its coord and level; the watcher finds the level from the path. */
struct breq {
	struct coord *c;
	int level;
};

static void read_level(struct coord *c, int level);

static void level_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	KB_UNUSED(zh);
	KB_UNUSED(state);
	struct coord *c = ctx;
	if (type != ZOO_CHANGED_EVENT && type != ZOO_CREATED_EVENT && type != ZOO_DELETED_EVENT)
		return;
	const char *rel = zk_unpath(c->zk, path);
	char mine[64];
	for (int level = LEVEL_DEFAULT; level <= LEVEL_BROKER; level++) {
		level_path(c, level, mine, sizeof(mine));
		if (strcmp(rel, mine) == 0)
			read_level(c, level);
	}
}

static void set_level(struct coord *c, int level, struct md_config_entry *cfg, int n)
{
	struct md_cache *md = &c->md;
	struct md_config_entry **e = level == LEVEL_DEFAULT ? &md->dyn_default : &md->dyn_broker;
	int *ne = level == LEVEL_DEFAULT ? &md->ndyn_default : &md->ndyn_broker;
	md_configs_free(*e, *ne);
	*e = cfg;
	*ne = n;
	md->dyn_gen++;
	md->dyn_read |= 1 << level;
	coord_changed(c);
}

static void level_exists(int rc, const struct Stat *st, const void *data)
{
	KB_UNUSED(st);
	struct breq *r = (struct breq *)data;
	r->c->pending--;
	coord_read_lost(r->c, rc);
	if (rc == ZOK) /* created between the read and this check */
		read_level(r->c, r->level);
	kb_free(r);
}

static void level_read(int rc, const char *value, int len, const struct Stat *st,
                       const void *data)
{
	KB_UNUSED(st);
	struct breq *r = (struct breq *)data;
	struct coord *c = r->c;
	c->pending--;
	coord_read_lost(c, rc);
	char rel[64], full[1024];
	level_path(c, r->level, rel, sizeof(rel));
	if (rc == ZNONODE) {
		set_level(c, r->level, NULL, 0);
		struct breq *x = kb_malloc(sizeof(*x));
		*x = *r;
		c->pending++;
		if (zoo_awexists(zk_handle(c->zk), coord_path(c, rel, full, sizeof(full)),
		                 level_watcher, c, level_exists, x) != ZOK) {
			c->pending--;
			kb_free(x);
		}
		zk_kick(c->zk);
	} else if (rc == ZOK) {
		struct md_config_entry *cfg = NULL;
		int n = 0;
		if (value && md_config_decode(value, len, &cfg, &n) == 0) {
			set_level(c, r->level, cfg, n);
		} else {
			say_warn("coord", "%s: malformed config JSON ignored", rel);
			set_level(c, r->level, NULL, 0);
		}
	} else if (rc != ZCLOSING) {
		say_warn("coord", "reading %s failed: %s", rel, zerror(rc));
	}
	kb_free(r);
}

static void read_level(struct coord *c, int level)
{
	char rel[64], full[1024];
	level_path(c, level, rel, sizeof(rel));
	struct breq *r = kb_malloc(sizeof(*r));
	*r = (struct breq){c, level};
	c->pending++;
	if (zoo_awget(zk_handle(c->zk), coord_path(c, rel, full, sizeof(full)), level_watcher, c,
	              level_read, r) != ZOK) {
		c->pending--;
		kb_free(r);
		return;
	}
	zk_kick(c->zk);
}

void brokerconf_watch(struct coord *c)
{
	c->md.dyn_read = 0;
	if (c->cfg.broker_id < 0)
		return; /* observers (tools) read what they need themselves */
	read_level(c, LEVEL_DEFAULT);
	read_level(c, LEVEL_BROKER);
}

void brokerconf_reread(struct coord *c)
{
	if (c->cfg.broker_id < 0)
		return;
	read_level(c, LEVEL_DEFAULT);
	read_level(c, LEVEL_BROKER);
}

void brokerconf_free(struct md_cache *md)
{
	md_configs_free(md->dyn_default, md->ndyn_default);
	md_configs_free(md->dyn_broker, md->ndyn_broker);
	md->dyn_default = md->dyn_broker = NULL;
	md->ndyn_default = md->ndyn_broker = 0;
}

bool coord_broker_configs_loaded(const struct coord *c)
{
	return c->md.dyn_read == 3;
}

/* ---- Writing ---------------------------------------------------------------------------- */

struct bwrite {
	struct zk *z;
	char *path;       /* full path of the entity znode */
	char *json;       /* its new content */
	char *entity;     /* "brokers/<id>" for the notification */
	coord_write_fn cb;
	void *arg;
	bool created;     /* a create was tried (ZNODEEXISTS then means: set again) */
};

static void bwrite_end(struct bwrite *w, int zrc, const char *what)
{
	if (zrc == ZCLOSING) {
		w->cb(TOPIC_ADMIN_CLOSING, "the ZooKeeper session is closing", w->arg);
	} else if (zrc != ZOK) {
		char m[256];
		snprintf(m, sizeof(m), "%s: %s", what, zerror(zrc));
		w->cb(topic_admin_error(zrc), m, w->arg);
	} else {
		w->cb(KERR_NONE, NULL, w->arg);
	}
	kb_free(w->path);
	kb_free(w->json);
	kb_free(w->entity);
	kb_free(w);
}

/* ---- Purging old notifications ----------------------------------------------------------
 * Kafka's brokers delete change notifications older than 15 minutes
 * (ZkNodeChangeNotificationListener's changeExpirationMs); kbroker brokers do not read them,
 * so the writer purges instead, or /config/changes would grow with every write: after each
 * notification, the oldest BROKERCONF_PURGE_BATCH of them are checked and those created
 * more than BROKERCONF_NOTE_TTL_MS ago deleted. */
#define BROKERCONF_NOTE_TTL_MS (15 * 60 * 1000)
#define BROKERCONF_PURGE_BATCH 64

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b); /* fixed-width sequence numbers */
}

static void purge_listed(int rc, const struct String_vector *names, const void *data)
{
	struct zk *z = (struct zk *)data;
	if (rc != ZOK || !names)
		return;
	char **v = kb_calloc((size_t)names->count + 1, sizeof(*v));
	int n = 0;
	for (int i = 0; i < names->count; i++)
		if (strncmp(names->data[i], "config_change_", 14) == 0)
			v[n++] = names->data[i];
	qsort(v, (size_t)n, sizeof(*v), cmp_names);
	for (int i = 0; i < n - 1 && i < BROKERCONF_PURGE_BATCH; i++) { /* never the newest */
		char rel[128], full[1024];
		snprintf(rel, sizeof(rel), "/config/changes/%.100s", v[i]);
		zk_delete_if_older(z, zk_path(z, rel, full, sizeof(full)), BROKERCONF_NOTE_TTL_MS);
	}
	kb_free(v);
	zk_kick(z);
}

static void purge_notes(struct zk *z)
{
	char full[1024];
	if (zoo_aget_children(zk_handle(z), zk_path(z, "/config/changes", full, sizeof(full)), 0,
	                      purge_listed, z) == ZOK)
		zk_kick(z);
}

static void notified(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	struct bwrite *w = (struct bwrite *)data;
	struct zk *z = w->z;
	bwrite_end(w, rc, "creating the config change notification");
	if (rc == ZOK)
		purge_notes(z);
}

static void entity_done(int rc, const void *data);

static void entity_created(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	entity_done(rc, data);
}

static void entity_set(int rc, const struct Stat *st, const void *data)
{
	KB_UNUSED(st);
	entity_done(rc, data);
}

/* The entity znode is written (or failed): create the notification, or fall back. */
static void entity_done(int rc, const void *data)
{
	struct bwrite *w = (struct bwrite *)data;
	zhandle_t *zh = zk_handle(w->z);
	int sub;
	if (rc == ZNONODE && !w->created) { /* never written: create it */
		w->created = true;
		sub = zoo_acreate(zh, w->path, w->json, (int)strlen(w->json), &ZOO_OPEN_ACL_UNSAFE, 0,
		                  entity_created, w);
	} else if (rc == ZNODEEXISTS) { /* created meanwhile by someone else: overwrite */
		sub = zoo_aset(zh, w->path, w->json, (int)strlen(w->json), -1, entity_set, w);
	} else if (rc != ZOK) {
		bwrite_end(w, rc, "writing the broker config");
		return;
	} else {
		char note[300], path[1024];
		snprintf(note, sizeof(note), "{\"version\":2,\"entity_path\":\"%s\"}", w->entity);
		zk_path(w->z, "/config/changes/config_change_", path, sizeof(path));
		sub = zoo_acreate(zh, path, note, (int)strlen(note), &ZOO_OPEN_ACL_UNSAFE,
		                  ZOO_SEQUENCE, notified, w);
	}
	if (sub != ZOK)
		bwrite_end(w, sub, "ZooKeeper refused the request");
	else
		zk_kick(w->z);
}

void coord_set_broker_config(struct zk *z, int32_t id, const struct md_config_entry *cfg, int n,
                             coord_write_fn cb, void *arg)
{
	struct bwrite *w = kb_calloc(1, sizeof(*w));
	char rel[96], full[1024], entity[64];
	if (id == COORD_BROKER_DEFAULT)
		snprintf(entity, sizeof(entity), "brokers/<default>");
	else
		snprintf(entity, sizeof(entity), "brokers/%d", (int)id);
	snprintf(rel, sizeof(rel), "/config/%s", entity);
	*w = (struct bwrite){z, kb_strdup(zk_path(z, rel, full, sizeof(full))),
	                     md_config_encode(cfg, n), kb_strdup(entity), cb, arg, false};
	int sub = zoo_aset(zk_handle(z), w->path, w->json, (int)strlen(w->json), -1, entity_set, w);
	if (sub != ZOK)
		bwrite_end(w, sub, "ZooKeeper refused the request");
	else
		zk_kick(z);
}

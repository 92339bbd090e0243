/* api_configs.c — DescribeConfigs (32), AlterConfigs (33), IncrementalAlterConfigs (44).
 *
 * Topic configs are overrides stored in /config/topics/<t>; every broker watches them, so a
 * change applies live everywhere. Broker configs: static (the file, --override) plus the
 * dynamic levels in /config/brokers/<id> and /config/brokers/<default> (conf/dynconf.h);
 * a broker describes and alters only itself and the cluster default, as Kafka's ZooKeeper-
 * mode brokers (clients send a broker's resource to that broker), see api_configs_broker.c.
 *
 * Authorization, per resource and before anything is looked at (Kafka's KafkaApis):
 * DescribeConfigs needs DESCRIBE_CONFIGS, the alters ALTER_CONFIGS, on the topic
 * (TOPIC_AUTHORIZATION_FAILED) or, for a BROKER resource, on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED). */
#include "../../common/limits.h"
#include "../../conf/dynconf.h"
#include "../../conf/topic_conf.h"
#include "../../coord/topic_admin.h"
#include "../../net/kp_msgs.h"
#include "../core/admin_op.h"
#include "../core/dispatch.h"
#include "api_authz.h"
#include "api_configs.h"

#include <stdio.h>
#include <string.h>

enum { RESOURCE_TOPIC = 2, RESOURCE_BROKER = 4 };

/* The error of a resource the principal may not `op` (0: allowed; other types answer their
 * own error later). */
static int16_t config_denied(struct kreq *r, int8_t type, struct kp_str name, int8_t op)
{
	if (type == RESOURCE_TOPIC)
		return az_topic(r, op, name);
	if (type == RESOURCE_BROKER)
		return az_cluster(r, op);
	return 0;
}

static char *cstr(struct kreq *r, struct kp_str s)
{
	return arena_strndup(&r->arena, s.ptr ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
}

static struct kp_str astr(struct kreq *r, const char *s)
{
	return s ? kp_str_c(arena_strndup(&r->arena, s, strlen(s))) : KP_STR_NULL;
}

static bool wanted(const struct kp_array *keys, const char *name)
{
	if (keys->count < 0)
		return true; /* null: every key */
	const struct kp_str *k = keys->elems;
	for (int i = 0; i < keys->count; i++)
		if (kp_str_eq_c(k[i], name))
			return true;
	return false;
}

/* The topic's overrides as conf_kv pairs (pointing into the cache). */
static struct conf_kv *overrides(struct kreq *r, const struct md_topic *t)
{
	struct conf_kv *ov = arena_alloc(&r->arena, sizeof(*ov) * ((size_t)t->nconfigs + 1));
	for (int i = 0; ov && i < t->nconfigs; i++)
		ov[i] = (struct conf_kv){t->configs[i].name, t->configs[i].value};
	return ov;
}

/* Synonyms (v1+, when asked): the override, then the broker keys behind it, then the default. */
static void topic_synonyms(struct kreq *r, struct DescribeConfigsResourceResult *e,
                           const struct topic_conf_key *k, const char *override)
{
	struct DescribeConfigsSynonym *s = kreq_array(r, &e->Synonyms, TOPIC_CONF_MAX_SYNONYMS + 3,
	                                              sizeof(*s));
	if (!s)
		return;
	int n = 0;
	if (override)
		s[n++] = (struct DescribeConfigsSynonym){astr(r, k->name), astr(r, override),
		                                         CONF_SRC_DYNAMIC_TOPIC};
	for (int i = 0; k->synonyms[i]; i++) {
		const struct conf_key *bk = conf_find(k->synonyms[i]);
		char buf[256];
		int src;
		if (bk && conf_is_set(&r->b->cfg, bk->name) &&
		    conf_describe(&r->b->cfg, bk, buf, sizeof(buf), &src) > 0)
			s[n++] = (struct DescribeConfigsSynonym){kp_str_c(bk->name), astr(r, buf),
			                                         (int8_t)src};
	}
	/* As Kafka: the default is a synonym only through a broker key (none behind the configs
	 * kbroker has no broker key for, e.g. remote.storage.enable). */
	if (k->def && k->synonyms[0])
		s[n++] = (struct DescribeConfigsSynonym){kp_str_c(k->synonyms[0]), kp_str_c(k->def),
		                                         CONF_SRC_DEFAULT};
	e->Synonyms.count = n;
}

static int describe_topic(struct kreq *r, const struct DescribeConfigsResource *in,
                          struct DescribeConfigsResult *out)
{
	const struct DescribeConfigsRequest *req = r->req;
	const struct md_topic *t = md_find_topic(coord_metadata(r->b->coord),
	                                         cstr(r, in->ResourceName));
	if (!t || t->deleting) {
		out->ErrorCode = KERR_UNKNOWN_TOPIC_OR_PARTITION;
		return 0;
	}
	struct conf_kv *ov = overrides(r, t);
	struct DescribeConfigsResourceResult *e =
	        kreq_array(r, &out->Configs, (int32_t)topic_conf_nkeys, sizeof(*e));
	if (!ov || !e)
		return -1;
	int n = 0;
	for (size_t i = 0; i < topic_conf_nkeys; i++) {
		const struct topic_conf_key *k = &topic_conf_keys[i];
		if (!wanted(&in->ConfigurationKeys, k->name))
			continue;
		char buf[KB_MAX_CONFIG_VALUE_BYTES + 1];
		int src;
		const char *v = topic_conf_value(&r->b->cfg, ov, t->nconfigs, k->name, buf, sizeof(buf),
		                                 &src);
		struct DescribeConfigsResourceResult *c = &e[n++];
		*c = (struct DescribeConfigsResourceResult){
		        .Name = kp_str_c(k->name), .Value = astr(r, v), .IsDefault = src == CONF_SRC_DEFAULT,
		        .ConfigSource = (int8_t)src, .ConfigType = (int8_t)topic_conf_type(k->name),
		        .Documentation = req->IncludeDocumentation ? kp_str_c(k->doc) : KP_STR_NULL};
		if (req->IncludeSynonyms)
			topic_synonyms(r, c, k, src == CONF_SRC_DYNAMIC_TOPIC ? v : NULL);
	}
	out->Configs.count = n;
	return 0;
}

enum handler_result handle_describe_configs(struct kreq *r)
{
	const struct DescribeConfigsRequest *req = r->req;
	struct DescribeConfigsResponse *resp = r->resp;
	const struct DescribeConfigsResource *in = req->Resources.elems;
	struct DescribeConfigsResult *out =
	        kreq_array(r, &resp->Results, req->Resources.count, sizeof(*out));
	if (!out)
		return H_CLOSE;
	for (int i = 0; i < req->Resources.count; i++) {
		out[i] = (struct DescribeConfigsResult){.ResourceType = in[i].ResourceType,
		                                        .ResourceName = in[i].ResourceName};
		int rc = 0;
		int16_t denied = config_denied(r, in[i].ResourceType, in[i].ResourceName,
		                               ACL_OP_DESCRIBE_CONFIGS);
		if (denied)
			out[i].ErrorCode = denied;
		else if (in[i].ResourceType == RESOURCE_TOPIC)
			rc = describe_topic(r, &in[i], &out[i]);
		else if (in[i].ResourceType == RESOURCE_BROKER)
			rc = configs_describe_broker(r, &in[i], &out[i]);
		else {
			out[i].ErrorCode = KERR_INVALID_REQUEST;
			out[i].ErrorMessage = astr(r, "only topic and broker configs exist in kbroker");
		}
		if (rc < 0)
			return H_CLOSE;
	}
	return H_RESPOND;
}

/* ---- AlterConfigs and IncrementalAlterConfigs --------------------------------------------- */

/* The common shape of both responses' per-resource results. */
struct alter_result {
	int16_t ErrorCode;
	struct kp_str ErrorMessage;
	int8_t ResourceType;
	struct kp_str ResourceName;
};

/* A working copy of a topic's overrides. */
struct cfgset {
	struct md_config_entry *e;
	int n;
	bool full; /* a copy did not fit the request's arena: the set is incomplete */
};

/* How long an alter waits for this broker's own cache to show what it wrote (the write
 * itself has succeeded by then; this gives clients read-your-writes on this broker). */
#define ALTER_VISIBLE_WAIT_MS 5000

struct alter_state {
	struct alter_result *res;
	char **topics;              /* per resource: the topic written, NULL if none */
	struct cfgset *want;        /* per resource: the overrides written */
	int8_t *level;              /* per resource: LEVEL_NONE, or the broker level written */
	int n;
};

/* alter_state.level: no broker level written; else COORD_BROKER_DEFAULT or LEVEL_SELF. */
enum { LEVEL_NONE = -3, LEVEL_SELF = 0 };

static void alter_set_error(struct kreq *r, void *st, int idx, int16_t error, const char *m)
{
	struct alter_state *s = st;
	s->res[idx].ErrorCode = error;
	s->res[idx].ErrorMessage = error ? astr(r, m) : KP_STR_NULL;
	if (error) {
		s->topics[idx] = NULL;
		s->level[idx] = LEVEL_NONE;
	}
}

static const char *entry_value(const struct md_config_entry *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0)
			return e[i].value;
	return NULL;
}

static bool same_entries(const struct md_config_entry *e, int n, const struct cfgset *want)
{
	if (n != want->n)
		return false;
	for (int i = 0; i < want->n; i++) {
		const char *v = entry_value(e, n, want->e[i].name);
		if (!v || strcmp(v, want->e[i].value) != 0)
			return false;
	}
	return true;
}

static bool same_configs(const struct md_topic *t, const struct cfgset *want)
{
	return same_entries(t->configs, t->nconfigs, want);
}

/* Whether this broker's cache (and so its effective config) shows a broker level written. */
static bool level_shown(const struct md_cache *md, int level, const struct cfgset *want)
{
	if (level == COORD_BROKER_DEFAULT)
		return same_entries(md->dyn_default, md->ndyn_default, want);
	return same_entries(md->dyn_broker, md->ndyn_broker, want);
}

static bool alter_ready(struct kreq *r, void *st, bool timed_out)
{
	struct alter_state *s = st;
	const struct md_cache *md = coord_metadata(r->b->coord);
	bool all = true;
	for (int i = 0; i < s->n; i++) {
		const struct md_topic *t = s->topics[i] ? md_find_topic(md, s->topics[i]) : NULL;
		if (t && !timed_out && !same_configs(t, &s->want[i]))
			all = false;
		else
			s->topics[i] = NULL;
		if (s->level[i] != LEVEL_NONE && !timed_out && !level_shown(md, s->level[i], &s->want[i]))
			all = false;
		else
			s->level[i] = LEVEL_NONE;
	}
	return all;
}

static void cfg_put(struct kreq *r, struct cfgset *c, const char *name, const char *value)
{
	char *v = arena_strndup(&r->arena, value, strlen(value));
	int i = 0;
	while (i < c->n && strcmp(c->e[i].name, name) != 0)
		i++;
	char *k = i < c->n ? c->e[i].name : arena_strndup(&r->arena, name, strlen(name));
	if (!c->e || !k || !v) {
		c->full = true;
		return;
	}
	c->e[i] = (struct md_config_entry){k, v};
	if (i == c->n)
		c->n++;
}

static void cfg_del(struct cfgset *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->e[i].name, name) == 0)
			c->e[i] = c->e[--c->n];
}

/* APPEND (2) / SUBTRACT (3) on a list config: items added if missing, or removed.
 * NULL when the request's arena cannot hold the result. */
static const char *list_op(struct kreq *r, const char *current, const char *items, bool add)
{
	size_t cap = strlen(current) + strlen(items) + 2;
	char *out = arena_alloc(&r->arena, cap);
	char *cur = arena_strndup(&r->arena, current, strlen(current)), *save = NULL;
	char *it = arena_strndup(&r->arena, items, strlen(items));
	if (!out || !cur || !it)
		return NULL;
	out[0] = '\0';
	for (char *t = strtok_r(cur, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (add || !conf_list_has(items, t))
			snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "," : "", t);
	save = NULL;
	for (char *t = strtok_r(it, ",", &save); add && t; t = strtok_r(NULL, ",", &save))
		if (!conf_list_has(out, t))
			snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? "," : "", t);
	return out;
}

/* One change (op 0 set, 1 delete, 2 append, 3 subtract) applied to c. */
static int16_t apply_op(struct kreq *r, struct cfgset *c, const struct md_topic *t,
                        const char *name, int8_t op, struct kp_str value, char *m, size_t mlen)
{
	const struct topic_conf_key *k = topic_conf_find(name);
	if (!k) {
		snprintf(m, mlen, "Unknown topic config name: %s", name);
		return KERR_INVALID_CONFIG;
	}
	if (op == 1) {
		cfg_del(c, name);
		return 0;
	}
	if (value.len > KB_MAX_CONFIG_VALUE_BYTES) {
		snprintf(m, mlen, "%s: the value is too long", name);
		return KERR_INVALID_CONFIG;
	}
	if (value.len < 0 || op < 0 || op > 3 || (op >= 2 && k->type != CONF_LIST)) {
		snprintf(m, mlen, "%s: %s", name, value.len < 0 ? "null value" : "operation not valid "
		         "for this config (APPEND/SUBTRACT need a list config)");
		return KERR_INVALID_CONFIG;
	}
	const char *v = cstr(r, value);
	if (op >= 2) {
		char buf[KB_MAX_CONFIG_VALUE_BYTES + 1];
		int src;
		struct conf_kv *ov = overrides(r, t);
		const char *cur = topic_conf_value(&r->b->cfg, ov, t->nconfigs, name, buf, sizeof(buf),
		                                   &src);
		v = list_op(r, cur ? cur : "", v, op == 2);
		if (!v) {
			c->full = true;
			return 0;
		}
	}
	if (topic_conf_validate(name, v, m, mlen) < 0)
		return KERR_INVALID_CONFIG;
	cfg_put(r, c, name, v);
	return 0;
}

/* Starts from the topic's overrides (incremental) or from nothing (AlterConfigs replaces).
 * The set outlives this turn of the loop (the request waits for the cache to show it), while
 * the cache replaces its strings whenever the znode changes: copy them into the request. */
static struct cfgset start_set(struct kreq *r, const struct md_topic *t, int extra, bool keep)
{
	struct cfgset c = {arena_alloc(&r->arena, sizeof(*c.e) * ((size_t)(t->nconfigs + extra) + 1)),
	                   0, false};
	c.full = c.e == NULL;
	for (int i = 0; keep && c.e && i < t->nconfigs; i++)
		cfg_put(r, &c, t->configs[i].name, t->configs[i].value);
	return c;
}

/* Common checks of one resource; returns the topic or NULL with the error set. */
static const struct md_topic *alter_target(struct kreq *r, int8_t type, struct kp_str name,
                                           struct alter_result *res)
{
	*res = (struct alter_result){0, KP_STR_NULL, type, name};
	if (type != RESOURCE_TOPIC) {
		res->ErrorCode = KERR_INVALID_REQUEST;
		res->ErrorMessage = astr(r, "AlterConfigs is only supported for topics and brokers");
		return NULL;
	}
	const struct md_topic *t = md_find_topic(coord_metadata(r->b->coord), cstr(r, name));
	if (!t || t->deleting)
		res->ErrorCode = KERR_UNKNOWN_TOPIC_OR_PARTITION;
	return t && !t->deleting ? t : NULL;
}

static void alter_write(struct kreq *r, struct admin_op *op, int i, const char *topic,
                        const struct cfgset *c)
{
	struct alter_state *s = op_state(op);
	s->topics[i] = arena_strndup(&r->arena, topic, strlen(topic));
	s->want[i] = *c;
	void (*cb)(int16_t, const char *, void *);
	void *arg;
	admin_op_write(op, i, &cb, &arg);
	topic_admin_set_config(coord_zk(r->b->coord), NULL, topic, c->e, c->n, cb, arg);
}

/* One resource of either request: its type and name, its changes, and whether they start
 * from the topic's current overrides (incremental) or replace them (AlterConfigs). */
struct alter_in {
	int8_t type;
	struct kp_str name;
	int nchanges;
	bool incremental;
	/* The k-th change: name, operation (0 set, 1 delete, 2 append, 3 subtract), value. */
	void (*change)(const void *resource, int k, struct kp_str *name, int8_t *op,
	               struct kp_str *value);
	const void *resource;
};

/* Kafka's checks of the resulting set as a whole (topic_conf_validate_set). */
static int check_set(struct kreq *r, const struct cfgset *c, char *m, size_t mlen)
{
	struct conf_kv *kv = arena_alloc(&r->arena, sizeof(*kv) * ((size_t)c->n + 1));
	if (!kv)
		return 0; /* c->full reports the arena's limit; the values were checked one by one */
	for (int i = 0; i < c->n; i++)
		kv[i] = (struct conf_kv){c->e[i].name, c->e[i].value};
	return topic_conf_validate_set(&r->b->cfg, kv, c->n, m, mlen);
}

static void alter_broker(struct kreq *r, struct admin_op *op, struct alter_state *s, int i,
                         const struct alter_in *in, bool validate_only);

static void alter_one(struct kreq *r, struct admin_op *op, struct alter_state *s, int i,
                      const struct alter_in *in, bool validate_only)
{
	int16_t denied = config_denied(r, in->type, in->name, ACL_OP_ALTER_CONFIGS);
	if (denied) {
		s->res[i] = (struct alter_result){denied, KP_STR_NULL, in->type, in->name};
		return;
	}
	if (in->type == RESOURCE_BROKER) {
		s->res[i] = (struct alter_result){0, KP_STR_NULL, in->type, in->name};
		alter_broker(r, op, s, i, in, validate_only);
		return;
	}
	const struct md_topic *t = alter_target(r, in->type, in->name, &s->res[i]);
	if (!t)
		return;
	if (in->nchanges > KB_MAX_CONFIGS_PER_RESOURCE) { /* before the quadratic set building */
		alter_set_error(r, s, i, KERR_INVALID_REQUEST, "too many config entries for one topic");
		return;
	}
	struct cfgset c = start_set(r, t, in->nchanges, in->incremental);
	char m[256] = "";
	int16_t code = 0;
	for (int k = 0; code == 0 && k < in->nchanges; k++) {
		struct kp_str name, value;
		int8_t o;
		in->change(in->resource, k, &name, &o, &value);
		code = apply_op(r, &c, t, cstr(r, name), o, value, m, sizeof(m));
	}
	if (code == 0 && c.full) {
		code = KERR_INVALID_REQUEST;
		snprintf(m, sizeof(m), "the topic's configs do not fit this request's memory limit");
	}
	if (code == 0 && check_set(r, &c, m, sizeof(m)) < 0)
		code = KERR_INVALID_CONFIG;
	if (code)
		alter_set_error(r, s, i, code, m);
	else if (!validate_only)
		alter_write(r, op, i, t->name, &c);
}

/* ---- BROKER resources: dynamic broker configs --------------------------------------------- */

/* Kafka refuses a name given twice in one resource (INVALID_REQUEST). */
static bool duplicate_name(const struct alter_in *in, char *m, size_t mlen)
{
	for (int a = 0; a < in->nchanges; a++)
		for (int b = 0; b < a; b++) {
			struct kp_str na, nb, v;
			int8_t o;
			in->change(in->resource, a, &na, &o, &v);
			in->change(in->resource, b, &nb, &o, &v);
			if (na.len == nb.len && (na.len <= 0 || memcmp(na.ptr, nb.ptr, (size_t)na.len) == 0)) {
				snprintf(m, mlen, "Error due to duplicate config keys : %.*s",
				         (int)KB_MIN(KB_MAX(na.len, 0), 200), na.ptr ? na.ptr : "");
				return true;
			}
		}
	return false;
}

/* One change to a broker level's set: SET, DELETE, or APPEND/SUBTRACT on a list key. */
static int16_t broker_op(struct kreq *r, struct cfgset *c, const char *name, int8_t op,
                         struct kp_str value, char *m, size_t mlen)
{
	static const char *const ops[] = {"SET", "DELETE", "APPEND", "SUBTRACT"};
	if (op < 0 || op > 3) {
		snprintf(m, mlen, "%s: unknown operation %d", name, (int)op);
		return KERR_INVALID_REQUEST;
	}
	if (op == 1) {
		cfg_del(c, name);
		return 0;
	}
	if (value.len < 0) {
		snprintf(m, mlen, "Null value not supported for : %s:%s", ops[op], name);
		return KERR_INVALID_REQUEST;
	}
	if (value.len > KB_MAX_CONFIG_VALUE_BYTES) { /* before copying it */
		snprintf(m, mlen, "%s: the value is longer than %d bytes", name,
		         KB_MAX_CONFIG_VALUE_BYTES);
		return KERR_INVALID_CONFIG;
	}
	const char *v = cstr(r, value);
	if (op >= 2) {
		const struct conf_key *k = conf_find(name);
		if (!k) {
			snprintf(m, mlen, "Unknown broker config name: %s", name);
			return KERR_INVALID_CONFIG;
		}
		if (k->type != CONF_LIST) { /* Kafka 3.9: INVALID_CONFIG */
			snprintf(m, mlen, "Config value %s is not allowed for config key: %s",
			         op == 2 ? "append" : "subtract", name);
			return KERR_INVALID_CONFIG;
		}
		int j = 0;
		while (j < c->n && strcmp(c->e[j].name, name) != 0)
			j++;
		const char *cur = j < c->n ? c->e[j].value : k->def ? k->def : "";
		v = list_op(r, cur, v, op == 2);
	}
	if (!v) {
		c->full = true;
		return 0;
	}
	cfg_put(r, c, name, v);
	return 0;
}

/* Validates the level's resulting set as a whole (conf/dynconf.h). */
static int16_t broker_check(struct kreq *r, const struct cfgset *c, char *m, size_t mlen)
{
	struct conf_kv *kv = arena_alloc(&r->arena, sizeof(*kv) * ((size_t)c->n + 1));
	if (!kv) {
		snprintf(m, mlen, "the broker's configs do not fit this request's memory limit");
		return KERR_INVALID_REQUEST;
	}
	for (int i = 0; i < c->n; i++)
		kv[i] = (struct conf_kv){c->e[i].name, c->e[i].value};
	return (int16_t)dynconf_validate(kv, c->n, m, mlen);
}

static void alter_broker(struct kreq *r, struct admin_op *op, struct alter_state *s, int i,
                         const struct alter_in *in, bool validate_only)
{
	char m[768] = "";
	int16_t code = 0;
	int level = configs_broker_level(r, in->name, false, m, sizeof(m));
	if (level == CONFIGS_BAD_BROKER)
		code = KERR_INVALID_REQUEST;
	else if (in->nchanges > KB_MAX_CONFIGS_PER_RESOURCE) { /* before the quadratic checks */
		code = KERR_INVALID_REQUEST;
		snprintf(m, sizeof(m), "too many config entries for one broker resource (limit %d)",
		         KB_MAX_CONFIGS_PER_RESOURCE);
	} else if (duplicate_name(in, m, sizeof(m)))
		code = KERR_INVALID_REQUEST;
	if (code) {
		alter_set_error(r, s, i, code, m);
		return;
	}
	/* Incremental changes start from the level's current set, AlterConfigs replaces it. */
	const struct md_cache *md = coord_metadata(r->b->coord);
	const struct md_config_entry *cur = level == COORD_BROKER_DEFAULT ? md->dyn_default
	                                                                   : md->dyn_broker;
	int ncur = level == COORD_BROKER_DEFAULT ? md->ndyn_default : md->ndyn_broker;
	struct cfgset c = {arena_alloc(&r->arena, sizeof(*c.e) * ((size_t)(ncur + in->nchanges) + 1)),
	                   0, false};
	c.full = c.e == NULL;
	for (int k = 0; in->incremental && c.e && k < ncur; k++)
		cfg_put(r, &c, cur[k].name, cur[k].value);
	for (int k = 0; code == 0 && k < in->nchanges; k++) {
		struct kp_str name, value;
		int8_t o;
		in->change(in->resource, k, &name, &o, &value);
		code = broker_op(r, &c, cstr(r, name), o, value, m, sizeof(m));
	}
	if (code == 0 && c.full) {
		code = KERR_INVALID_REQUEST;
		snprintf(m, sizeof(m), "the broker's configs do not fit this request's memory limit");
	}
	if (code == 0)
		code = broker_check(r, &c, m, sizeof(m));
	if (code) {
		alter_set_error(r, s, i, code, m);
		return;
	}
	if (validate_only)
		return;
	s->want[i] = c;
	s->level[i] = (int8_t)(level == COORD_BROKER_DEFAULT ? COORD_BROKER_DEFAULT : LEVEL_SELF);
	void (*cb)(int16_t, const char *, void *);
	void *arg;
	admin_op_write(op, i, &cb, &arg);
	coord_set_broker_config(coord_zk(r->b->coord), level, c.e, c.n, cb, arg);
}

static struct alter_state *alter_state_new(struct kreq *r, struct kp_array *responses, int n)
{
	struct alter_state *s = arena_alloc(&r->arena, sizeof(*s));
	if (!s)
		return NULL;
	s->res = kreq_array(r, responses, n, sizeof(*s->res));
	s->n = n;
	s->topics = arena_alloc(&r->arena, sizeof(char *) * ((size_t)n + 1));
	s->want = arena_alloc(&r->arena, sizeof(struct cfgset) * ((size_t)n + 1));
	s->level = arena_alloc(&r->arena, (size_t)n + 1);
	for (int i = 0; s->level && i < n; i++)
		s->level[i] = LEVEL_NONE;
	return s->res && s->topics && s->want && s->level ? s : NULL;
}

static void full_change(const void *resource, int k, struct kp_str *name, int8_t *op,
                        struct kp_str *value)
{
	const struct AlterConfigsRequestAlterConfigsResource *res = resource;
	const struct AlterConfigsRequestAlterableConfig *e = res->Configs.elems;
	*name = e[k].Name;
	*op = 0;
	*value = e[k].Value;
}

enum handler_result handle_alter_configs(struct kreq *r)
{
	const struct AlterConfigsRequest *req = r->req;
	struct AlterConfigsResponse *resp = r->resp;
	const struct AlterConfigsRequestAlterConfigsResource *in = req->Resources.elems;
	_Static_assert(sizeof(struct alter_result) ==
	               sizeof(struct AlterConfigsResponseAlterConfigsResourceResponse), "layout");
	struct alter_state *s = alter_state_new(r, &resp->Responses, req->Resources.count);
	if (!s)
		return H_CLOSE;
	struct admin_op *op = admin_op_new(r, ALTER_VISIBLE_WAIT_MS, s, alter_set_error,
	                                   alter_ready);
	for (int i = 0; i < req->Resources.count; i++) {
		struct alter_in a = {in[i].ResourceType, in[i].ResourceName, in[i].Configs.count,
		                     false, full_change, &in[i]};
		alter_one(r, op, s, i, &a, req->ValidateOnly);
	}
	return admin_op_start(op);
}

static void incremental_change(const void *resource, int k, struct kp_str *name, int8_t *op,
                               struct kp_str *value)
{
	const struct IncrementalAlterConfigsRequestAlterConfigsResource *res = resource;
	const struct IncrementalAlterConfigsRequestAlterableConfig *e = res->Configs.elems;
	*name = e[k].Name;
	*op = e[k].ConfigOperation;
	*value = e[k].Value;
}

enum handler_result handle_incremental_alter_configs(struct kreq *r)
{
	const struct IncrementalAlterConfigsRequest *req = r->req;
	struct IncrementalAlterConfigsResponse *resp = r->resp;
	const struct IncrementalAlterConfigsRequestAlterConfigsResource *in = req->Resources.elems;
	_Static_assert(sizeof(struct alter_result) ==
	               sizeof(struct IncrementalAlterConfigsResponseAlterConfigsResourceResponse),
	               "layout");
	struct alter_state *s = alter_state_new(r, &resp->Responses, req->Resources.count);
	if (!s)
		return H_CLOSE;
	struct admin_op *op = admin_op_new(r, ALTER_VISIBLE_WAIT_MS, s, alter_set_error,
	                                   alter_ready);
	for (int i = 0; i < req->Resources.count; i++) {
		struct alter_in a = {in[i].ResourceType, in[i].ResourceName, in[i].Configs.count,
		                     true, incremental_change, &in[i]};
		alter_one(r, op, s, i, &a, req->ValidateOnly);
	}
	return admin_op_start(op);
}

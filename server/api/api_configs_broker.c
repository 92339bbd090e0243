/* api_configs_broker.c — BROKER resources of DescribeConfigs and the checks shared with their
 * alteration (api_configs.c), as Kafka's ZooKeeper-mode brokers answer them:
 *   - name "" (the cluster default) lists the dynamic default configs only, any broker;
 *   - name "<id>" must be this broker's id (clients send it to that broker): every key with
 *     its effective value and source (DYNAMIC_BROKER_CONFIG 2, DYNAMIC_DEFAULT_BROKER_CONFIG 3,
 *     STATIC_BROKER_CONFIG 4, DEFAULT_CONFIG 5), read_only unless kbroker applies it live,
 *     and with synonyms (v1+, when asked) the value at each level, highest first. */
#include "../../conf/dynconf.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"
#include "api_configs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int configs_broker_level(struct kreq *r, struct kp_str name, bool describe, char *m, size_t mlen)
{
	if (name.len <= 0)
		return COORD_BROKER_DEFAULT;
	char buf[16];
	if (name.len >= (int)sizeof(buf)) {
		snprintf(m, mlen, "Broker id must be an integer, but it is: %.*s",
		         (int)KB_MIN(name.len, 64), name.ptr);
		return CONFIGS_BAD_BROKER;
	}
	memcpy(buf, name.ptr, (size_t)name.len);
	buf[name.len] = '\0';
	int64_t id;
	if (!kb_parse_i64(buf, 0, INT32_MAX, &id)) {
		snprintf(m, mlen, "Broker id must be an integer, but it is: %s", buf);
		return CONFIGS_BAD_BROKER;
	}
	if (id != r->b->cfg.broker_id) {
		snprintf(m, mlen, "Unexpected broker id, expected %d%s, but received %s",
		         (int)r->b->cfg.broker_id, describe ? " or empty string" : "", buf);
		return CONFIGS_BAD_BROKER;
	}
	return (int)id;
}

static const char *level_value(const struct md_config_entry *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0)
			return e[i].value;
	return NULL;
}

/* The value at each level, highest first (Kafka's synonyms of one key). */
static void broker_synonyms(struct kreq *r, struct DescribeConfigsResourceResult *e,
                            const struct conf_key *k)
{
	const struct md_cache *md = coord_metadata(r->b->coord);
	struct DescribeConfigsSynonym *s = kreq_array(r, &e->Synonyms, 4, sizeof(*s));
	if (!s)
		return;
	int n = 0;
	const char *v = level_value(md->dyn_broker, md->ndyn_broker, k->name);
	if (v && dynconf_mode(k->name) == DYNCONF_LIVE)
		s[n++] = (struct DescribeConfigsSynonym){kp_str_c(k->name), astr(r, v),
		                                         CONF_SRC_DYNAMIC_BROKER};
	v = level_value(md->dyn_default, md->ndyn_default, k->name);
	if (v && dynconf_mode(k->name) == DYNCONF_LIVE)
		s[n++] = (struct DescribeConfigsSynonym){kp_str_c(k->name), astr(r, v),
		                                         CONF_SRC_DYNAMIC_DEFAULT};
	char buf[1024];
	int src;
	if (conf_is_set(&r->b->static_cfg, k->name) &&
	    conf_describe(&r->b->static_cfg, k, buf, sizeof(buf), &src) > 0)
		s[n++] = (struct DescribeConfigsSynonym){kp_str_c(k->name), astr(r, buf),
		                                         CONF_SRC_STATIC_BROKER};
	if (k->def)
		s[n++] = (struct DescribeConfigsSynonym){kp_str_c(k->name), kp_str_c(k->def),
		                                         CONF_SRC_DEFAULT};
	e->Synonyms.count = n;
}

/* Resource "": the dynamic default configs, and nothing else (as Kafka). */
static int describe_default(struct kreq *r, const struct DescribeConfigsResource *in,
                            struct DescribeConfigsResult *out)
{
	const struct DescribeConfigsRequest *req = r->req;
	const struct md_cache *md = coord_metadata(r->b->coord);
	struct DescribeConfigsResourceResult *e =
	        kreq_array(r, &out->Configs, md->ndyn_default, sizeof(*e));
	if (!e && md->ndyn_default > 0)
		return -1;
	int n = 0;
	for (int i = 0; i < md->ndyn_default; i++) {
		const char *name = md->dyn_default[i].name;
		const struct conf_key *k = conf_find(name); /* NULL: a custom config, stored only */
		if (!wanted(&in->ConfigurationKeys, name))
			continue;
		struct DescribeConfigsResourceResult *c = &e[n++];
		*c = (struct DescribeConfigsResourceResult){
		        .Name = astr(r, name), .Value = astr(r, md->dyn_default[i].value),
		        .ReadOnly = k && dynconf_mode(k->name) != DYNCONF_LIVE,
		        .ConfigSource = CONF_SRC_DYNAMIC_DEFAULT,
		        .ConfigType = k ? (int8_t)conf_kafka_type(k->type) : 0,
		        .Documentation = req->IncludeDocumentation && k ? kp_str_c(k->doc)
		                                                        : KP_STR_NULL};
		if (req->IncludeSynonyms) {
			struct DescribeConfigsSynonym *s = kreq_array(r, &c->Synonyms, 1, sizeof(*s));
			if (s)
				s[0] = (struct DescribeConfigsSynonym){c->Name, c->Value,
				                                       CONF_SRC_DYNAMIC_DEFAULT};
		}
	}
	out->Configs.count = n;
	return 0;
}

int configs_describe_broker(struct kreq *r, const struct DescribeConfigsResource *in,
                            struct DescribeConfigsResult *out)
{
	const struct DescribeConfigsRequest *req = r->req;
	char m[256];
	int level = configs_broker_level(r, in->ResourceName, true, m, sizeof(m));
	if (level == CONFIGS_BAD_BROKER) {
		out->ErrorCode = KERR_INVALID_REQUEST;
		out->ErrorMessage = astr(r, m);
		return 0;
	}
	if (level == COORD_BROKER_DEFAULT)
		return describe_default(r, in, out);
	struct DescribeConfigsResourceResult *e =
	        kreq_array(r, &out->Configs, (int32_t)conf_nkeys, sizeof(*e));
	if (!e)
		return -1;
	int n = 0;
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (!wanted(&in->ConfigurationKeys, k->name))
			continue;
		char buf[1024];
		int src;
		bool has = conf_describe(&r->b->cfg, k, buf, sizeof(buf), &src) > 0;
		struct DescribeConfigsResourceResult *c = &e[n++];
		*c = (struct DescribeConfigsResourceResult){
		        .Name = kp_str_c(k->name), .Value = has ? astr(r, buf) : KP_STR_NULL,
		        .ReadOnly = dynconf_mode(k->name) != DYNCONF_LIVE,
		        .IsDefault = src == CONF_SRC_DEFAULT, .ConfigSource = (int8_t)src,
		        .ConfigType = (int8_t)conf_kafka_type(k->type),
		        .Documentation = req->IncludeDocumentation ? kp_str_c(k->doc) : KP_STR_NULL};
		if (req->IncludeSynonyms)
			broker_synonyms(r, c, k);
	}
	out->Configs.count = n;
	return 0;
}

/* dynconf.c — dynamic broker configs: the key classes, validation of a level's set, and the
 * precedence per-broker > cluster default > static > default (contract in dynconf.h). */
#include "dynconf.h"

#include "../common/kerr.h"
#include "../common/limits.h"
#include "conf_int.h"

#include <stdio.h>
#include <string.h>

/* Kafka 3.9 updates these dynamically (DynamicBrokerConfig.AllDynamicConfigs: the first
 * broker synonym of each topic config, the cleaner's, thread pools', listeners' and socket
 * server's keys, producer.id.expiration.ms), and kbroker applies them live: the topic
 * defaults through the partitions' config resolution (server/replica/partition.c), the rest
 * where they are read (the cleaner's idle wait, the accept path), num.replica.fetchers by
 * moving followers to their new fetcher (server/replica/fetcher.c),
 * unclean.leader.election.enable in the controller's policy (coord.h), the cleaner's buffer
 * and I/O limit for its next passes (server/replica/cleaning.c). */
static const char *const live_keys[] = {
	"compression.type",
	"log.cleaner.backoff.ms",
	"log.cleaner.dedupe.buffer.size",
	"log.cleaner.delete.retention.ms",
	"log.cleaner.io.buffer.load.factor",
	"log.cleaner.io.max.bytes.per.second",
	"log.cleaner.max.compaction.lag.ms",
	"log.cleaner.min.cleanable.ratio",
	"log.cleaner.min.compaction.lag.ms",
	"log.cleanup.policy",
	"log.flush.interval.messages",
	"log.flush.interval.ms",
	"log.index.interval.bytes",
	"log.index.size.max.bytes",
	"log.message.timestamp.difference.max.ms",
	"log.message.timestamp.type",
	"log.retention.bytes",
	"log.retention.ms",
	"log.roll.ms",
	"log.segment.bytes",
	"log.segment.delete.delay.ms",
	"max.connections",
	"max.connections.per.ip",
	"message.max.bytes",
	"min.insync.replicas",
	"num.replica.fetchers",
	"producer.id.expiration.ms",
	"unclean.leader.election.enable",
};

/* Dynamic in Kafka 3.9, but kbroker reads them once at start: refused honestly. */
static const char *const restart_keys[] = {
	"advertised.listeners",              /* registered once per session */
	"listener.security.protocol.map",
	"listeners",                         /* bound at start */
	"log.cleaner.threads",               /* cleaner threads are started once */
	"max.connections.per.ip.overrides",  /* host names resolved once at start */
	"num.recovery.threads.per.data.dir", /* used by start-up recovery only */
};

static bool listed(const char *const *set, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(set[i], name) == 0)
			return true;
	return false;
}

enum dynconf_mode dynconf_mode(const char *name)
{
	if (!conf_find(name))
		return DYNCONF_STATIC;
	if (listed(live_keys, KB_ARRAY_LEN(live_keys), name))
		return DYNCONF_LIVE;
	if (listed(restart_keys, KB_ARRAY_LEN(restart_keys), name))
		return DYNCONF_RESTART;
	return DYNCONF_STATIC;
}

/* Appends "[a, b]" of the names in kv of class `mode` to buf; returns how many. */
static int names_of(const struct conf_kv *kv, int n, enum dynconf_mode mode, char *buf,
                    size_t len)
{
	int count = 0;
	size_t o = strlen(buf);
	for (int i = 0; i < n && o + 1 < len; i++) {
		if (!conf_find(kv[i].name) || dynconf_mode(kv[i].name) != mode)
			continue;
		o += (size_t)snprintf(buf + o, len - o, "%s%.100s", count ? ", " : "[", kv[i].name);
		count++;
	}
	if (count && o + 1 < len)
		snprintf(buf + o, len - o, "]");
	return count;
}

static int check_value(const struct conf_kv *e, char *err, size_t errlen)
{
	const struct conf_key *k = conf_find(e->name);
	if (!e->value)
		return conf_fail(err, errlen, "Null value not supported for configuration %s", e->name);
	if (strlen(e->value) > KB_MAX_CONFIG_VALUE_BYTES)
		return conf_fail(err, errlen, "Invalid value for configuration %s: longer than %d bytes",
		                 e->name, KB_MAX_CONFIG_VALUE_BYTES);
	struct kb_config scratch;
	memset(&scratch, 0, sizeof(scratch));
	char why[REASON_MAX];
	int rc = conf_set_field(&scratch, k, e->value, why, sizeof(why));
	if (rc == 0 && strcmp(e->name, "log.retention.ms") == 0 && scratch.log_retention_ms == 0)
		rc = conf_fail(why, sizeof(why), "retention must be -1 (unlimited) or at least 1 ms");
	if (rc == 0 && strcmp(e->name, "max.connections.per.ip") == 0 &&
	    scratch.max_connections_per_ip == 0)
		rc = conf_fail(why, sizeof(why), "0 needs max.connections.per.ip.overrides, which "
		                                 "kbroker reads at start only");
	conf_free(&scratch);
	if (rc != 0)
		return conf_fail(err, errlen, "Invalid value %.100s for configuration %s: %s", e->value,
		                 e->name, why);
	return 0;
}

int dynconf_validate(const struct conf_kv *kv, int n, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) /* a custom (unknown) name: only its value's size */
		if (!conf_find(kv[i].name) && kv[i].value &&
		    strlen(kv[i].value) > KB_MAX_CONFIG_VALUE_BYTES) {
			conf_fail(err, errlen, "Invalid value for configuration %.200s: longer than %d "
			          "bytes", kv[i].name, KB_MAX_CONFIG_VALUE_BYTES);
			return KERR_INVALID_REQUEST;
		}
	char names[512] = "";
	if (names_of(kv, n, DYNCONF_STATIC, names, sizeof(names)) > 0) {
		conf_fail(err, errlen, "Cannot update these configs dynamically: %s", names);
		return KERR_INVALID_REQUEST;
	}
	if (names_of(kv, n, DYNCONF_RESTART, names, sizeof(names)) > 0) {
		conf_fail(err, errlen, "Cannot update these configs dynamically: %s (requires a restart "
		                       "in kbroker)", names);
		return KERR_INVALID_REQUEST;
	}
	for (int i = 0; i < n; i++) /* Kafka 3.9 answers a bad broker value INVALID_REQUEST */
		if (conf_find(kv[i].name) && check_value(&kv[i], err, errlen) != 0)
			return KERR_INVALID_REQUEST;
	return KERR_NONE;
}

/* ---- Precedence ------------------------------------------------------------------------ */

static void copy_field(struct kb_config *dst, const struct kb_config *src, const struct conf_key *k)
{
	char *d = (char *)dst + k->offset;
	const char *s = (const char *)src + k->offset;
	switch (k->type) {
	case CONF_INT:
		memcpy(d, s, sizeof(int32_t));
		return;
	case CONF_LONG:
		memcpy(d, s, sizeof(int64_t));
		return;
	case CONF_BOOL:
		memcpy(d, s, sizeof(bool));
		return;
	case CONF_STRING:
	case CONF_LIST: {
		char **df = (char **)(void *)d;
		char *const *sf = (char *const *)(const void *)s;
		if (*df == *sf)
			return;
		kb_free(*df);
		*df = *sf ? kb_strdup(*sf) : NULL;
		return;
	}
	}
}

void conf_copy(struct kb_config *dst, const struct kb_config *src)
{
	memcpy(dst, src, sizeof(*dst));
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (k->type != CONF_STRING && k->type != CONF_LIST)
			continue;
		char **f = (char **)(void *)((char *)dst + k->offset);
		if (*f)
			*f = kb_strdup(*f);
	}
}

/* The last valid value of `name` in kv, or NULL. */
static const char *level_value(const struct conf_kv *kv, int n, const char *name)
{
	char why[REASON_MAX];
	for (int i = n - 1; i >= 0; i--)
		if (strcmp(kv[i].name, name) == 0 && check_value(&kv[i], why, sizeof(why)) == 0)
			return kv[i].value;
	return NULL;
}

static bool same_field(const struct kb_config *a, const struct kb_config *b,
                       const struct conf_key *k)
{
	const char *x = (const char *)a + k->offset, *y = (const char *)b + k->offset;
	switch (k->type) {
	case CONF_INT: return memcmp(x, y, sizeof(int32_t)) == 0;
	case CONF_LONG: return memcmp(x, y, sizeof(int64_t)) == 0;
	case CONF_BOOL: return memcmp(x, y, sizeof(bool)) == 0;
	case CONF_STRING:
	case CONF_LIST: {
		const char *s = *(char *const *)(const void *)x, *t = *(char *const *)(const void *)y;
		return (!s && !t) || (s && t && strcmp(s, t) == 0);
	}
	}
	return false;
}

int dynconf_resolve(struct kb_config *eff, const struct kb_config *stat,
                    const struct conf_kv *dflt, int nd, const struct conf_kv *brk, int nb)
{
	int changed = 0;
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (dynconf_mode(k->name) != DYNCONF_LIVE)
			continue;
		struct kb_config before;
		memset(&before, 0, sizeof(before));
		copy_field(&before, eff, k);
		uint8_t old_src = eff->dyn[i];
		bool old_set = eff->set[i];
		const char *v = level_value(brk, nb, k->name);
		uint8_t src = CONF_SRC_DYNAMIC_BROKER;
		if (!v) {
			v = level_value(dflt, nd, k->name);
			src = CONF_SRC_DYNAMIC_DEFAULT;
		}
		char why[REASON_MAX];
		if (v && conf_set_field(eff, k, v, why, sizeof(why)) == 0) {
			eff->set[i] = true;
			eff->dyn[i] = src;
		} else {
			copy_field(eff, stat, k);
			eff->set[i] = stat->set[i];
			eff->dyn[i] = 0;
		}
		if (!same_field(&before, eff, k) || old_src != eff->dyn[i] || old_set != eff->set[i])
			changed++;
		if (k->type == CONF_STRING || k->type == CONF_LIST)
			kb_free(*(char **)(void *)((char *)&before + k->offset));
	}
	return changed;
}

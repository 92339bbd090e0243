/* conf.c — loading the broker configuration: typed values from text, defaults → file →
 * --override layering (the file through the .properties reader, props.c), required and
 * cross-key checks, the log keys that fall back on others, and DescribeConfigs values. The
 * keys themselves are in conf_table.c, listener syntax in listeners.c, topic configs in
 * topic_conf.c, the generated --help-config and example server.properties in conf_doc.c. */
#include "conf_int.h"

#include "../common/limits.h"
#include "../common/say.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int conf_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

char *conf_trimmed_dup(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return kb_strndup(s, n);
}

const struct conf_key *conf_find(const char *name)
{
	for (size_t i = 0; i < conf_nkeys; i++)
		if (strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

/* An optional key without default: it has no value until set. */
static bool no_default(const struct conf_key *k)
{
	return !k->def && !k->required;
}

/* Whether k (a row of conf_keys, else treated as set) was given a value. */
static bool key_is_set(const struct kb_config *cfg, const struct conf_key *k)
{
	if (conf_find(k->name) != k)
		return true;
	return cfg->set[k - conf_keys];
}

bool conf_is_set(const struct kb_config *cfg, const char *name)
{
	const struct conf_key *k = conf_find(name);
	return k && cfg->set[k - conf_keys];
}

static bool blank_text(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

/* ---- Typed values ----------------------------------------------------------------------- */

static int parse_integer(const struct conf_key *k, const char *v, int64_t *out, char *err,
                         size_t errlen)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (end == v || *end != '\0')
		return conf_fail(err, errlen, "not an integer: '%.64s'", v);
	if (errno == ERANGE)
		return conf_fail(err, errlen, "out of range: '%.64s' (valid values: [%lld, %lld])", v,
		            (long long)k->min, (long long)k->max);
	if (x < k->min)
		return conf_fail(err, errlen, "value %lld is below the minimum %lld", x, (long long)k->min);
	if (x > k->max)
		return conf_fail(err, errlen, "value %lld is above the maximum %lld", x, (long long)k->max);
	*out = x;
	return 0;
}

static int parse_bool(const char *v, bool *out, char *err, size_t errlen)
{
	if (strcasecmp(v, "true") == 0)
		*out = true;
	else if (strcasecmp(v, "false") == 0)
		*out = false;
	else
		return conf_fail(err, errlen, "not a boolean (true or false): '%.64s'", v);
	return 0;
}

static int store_string(char **field, const struct conf_key *k, const char *v, char *err,
                        size_t errlen)
{
	/* A key whose default is itself empty (authorizer.class.name, super.users) may be empty. */
	if (*v == '\0' && ((k->def && *k->def) || k->required))
		return conf_fail(err, errlen, "must not be empty");
	if (*v != '\0' && k->validate && k->validate(v, err, errlen) != 0)
		return -1;
	kb_free(*field);
	*field = *v == '\0' ? NULL : kb_strdup(v);
	return 0;
}

static int store_value(void *field, const struct conf_key *k, const char *v, char *err,
                       size_t errlen)
{
	int64_t x;
	if ((k->type == CONF_INT || k->type == CONF_LONG) && *v == '\0' && no_default(k)) {
		if (k->type == CONF_INT)
			*(int32_t *)field = 0;
		else
			*(int64_t *)field = 0;
		return 0;
	}
	switch (k->type) {
	case CONF_INT:
		if (parse_integer(k, v, &x, err, errlen) != 0)
			return -1;
		*(int32_t *)field = (int32_t)x;
		return 0;
	case CONF_LONG:
		if (parse_integer(k, v, &x, err, errlen) != 0)
			return -1;
		*(int64_t *)field = x;
		return 0;
	case CONF_BOOL:
		return parse_bool(v, field, err, errlen);
	case CONF_STRING:
	case CONF_LIST:
		return store_string(field, k, v, err, errlen);
	}
	return conf_fail(err, errlen, "unknown type %d", (int)k->type);
}

int conf_set_field(void *base, const struct conf_key *k, const char *value, char *err,
                   size_t errlen)
{
	char *v = conf_trimmed_dup(value, strlen(value));
	int rc = store_value((char *)base + k->offset, k, v, err, errlen);
	kb_free(v);
	return rc;
}

int conf_set(struct kb_config *cfg, const char *key, const char *value, const char *where,
             char *err, size_t errlen)
{
	const struct conf_key *k = conf_find(key);
	if (!k) {
		say_warn("conf", "%s: unknown key '%s' ignored", where, key);
		return 0;
	}
	char why[REASON_MAX];
	if (conf_set_field(cfg, k, value, why, sizeof(why)) != 0)
		return conf_fail(err, errlen, "%s: %s: %s", where, key, why);
	cfg->set[k - conf_keys] = !(no_default(k) && blank_text(value));
	return 0;
}

void conf_value_str(const struct kb_config *cfg, const struct conf_key *k, char *buf, size_t len)
{
	const char *field = (const char *)cfg + k->offset;
	if ((k->type == CONF_INT || k->type == CONF_LONG) && no_default(k) && !key_is_set(cfg, k)) {
		snprintf(buf, len, "null");
		return;
	}
	switch (k->type) {
	case CONF_INT:
		snprintf(buf, len, "%d", (int)*(const int32_t *)field);
		return;
	case CONF_LONG:
		snprintf(buf, len, "%lld", (long long)*(const int64_t *)field);
		return;
	case CONF_BOOL:
		snprintf(buf, len, "%s", *(const bool *)field ? "true" : "false");
		return;
	case CONF_STRING:
	case CONF_LIST: {
		const char *s = *(char *const *)field;
		snprintf(buf, len, "%s", s ? s : "null");
		return;
	}
	}
	snprintf(buf, len, "?");
}

int conf_describe(const struct kb_config *cfg, const struct conf_key *k, char *buf, size_t len,
                  int *source)
{
	*source = key_is_set(cfg, k) ? CONF_SRC_STATIC_BROKER : CONF_SRC_DEFAULT;
	if (conf_find(k->name) == k && cfg->dyn[k - conf_keys])
		*source = cfg->dyn[k - conf_keys];
	bool has_value;
	if (k->type == CONF_STRING || k->type == CONF_LIST)
		has_value = *(char *const *)((const char *)cfg + k->offset) != NULL;
	else
		has_value = !no_default(k) || key_is_set(cfg, k);
	if (!has_value) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	conf_value_str(cfg, k, buf, len);
	return 1;
}

int conf_kafka_type(enum conf_type t)
{
	switch (t) {
	case CONF_INT: return CONF_KT_INT;
	case CONF_LONG: return CONF_KT_LONG;
	case CONF_BOOL: return CONF_KT_BOOLEAN;
	case CONF_STRING: return CONF_KT_STRING;
	case CONF_LIST: return CONF_KT_LIST;
	}
	return CONF_KT_UNKNOWN;
}

/* ---- The log keys that fall back on others ---------------------------------------------- */

int64_t conf_log_retention_ms(const struct kb_config *cfg)
{
	int64_t ms;
	if (conf_is_set(cfg, "log.retention.ms"))
		ms = cfg->log_retention_ms;
	else if (conf_is_set(cfg, "log.retention.minutes"))
		ms = (int64_t)cfg->log_retention_minutes * 60 * 1000;
	else
		ms = (int64_t)cfg->log_retention_hours * 3600 * 1000;
	return ms < 0 ? -1 : ms;
}

int64_t conf_log_roll_ms(const struct kb_config *cfg)
{
	if (conf_is_set(cfg, "log.roll.ms"))
		return cfg->log_roll_ms;
	return (int64_t)cfg->log_roll_hours * 3600 * 1000;
}

int64_t conf_log_flush_ms(const struct kb_config *cfg)
{
	if (conf_is_set(cfg, "log.flush.interval.ms"))
		return cfg->log_flush_interval_ms;
	return cfg->log_flush_scheduler_interval_ms;
}

void conf_free_log_dirs(char **dirs, int n)
{
	for (int i = 0; i < n; i++)
		kb_free(dirs[i]);
	kb_free(dirs);
}

/* Splits a comma-separated directory list (see conf_log_dirs); with out NULL only checks it. */
static int split_dirs(const char *v, char ***out, int *count, char *err, size_t errlen)
{
	char **dirs = NULL;
	int n = 0, rc = 0;
	for (const char *p = v;;) {
		size_t len = strcspn(p, ","), m = len;
		const char *d = p;
		while (m > 0 && isspace((unsigned char)*d)) {
			d++;
			m--;
		}
		while (m > 0 && isspace((unsigned char)d[m - 1]))
			m--;
		while (m > 1 && d[m - 1] == '/')
			m--;
		if (m == 0) {
			rc = conf_fail(err, errlen, "'%.64s' has an empty directory", v);
			break;
		}
		for (int i = 0; i < n && rc == 0; i++)
			if (strlen(dirs[i]) == m && memcmp(dirs[i], d, m) == 0)
				rc = conf_fail(err, errlen, "directory '%.*s' is listed twice", (int)KB_MIN(m, 256),
				          d);
		if (rc != 0)
			break;
		dirs = kb_realloc(dirs, (size_t)(n + 1) * sizeof(*dirs));
		dirs[n++] = kb_strndup(d, m);
		p += len;
		if (*p == '\0')
			break;
		p++;
	}
	if (rc != 0 || !out) {
		conf_free_log_dirs(dirs, n);
	} else {
		*out = dirs;
		*count = n;
	}
	return rc;
}

int conf_check_log_dirs(const char *v, char *err, size_t errlen)
{
	return split_dirs(v, NULL, NULL, err, errlen);
}

/* Kafka loads any class implementing ReplicaSelector; kbroker has Kafka's two built in. */
int conf_check_replica_selector(const char *v, char *err, size_t errlen)
{
	if (strcmp(v, CONF_LEADER_SELECTOR) == 0 || strcmp(v, CONF_RACK_AWARE_SELECTOR) == 0)
		return 0;
	return conf_fail(err, errlen, "class '%.128s' is not available: kbroker has "
	                 CONF_LEADER_SELECTOR " and " CONF_RACK_AWARE_SELECTOR, v);
}

/* Kafka loads any class implementing Authorizer; kbroker has the ZooKeeper ACL authorizer. */
int conf_check_authorizer_class(const char *v, char *err, size_t errlen)
{
	if (!*v || strcmp(v, CONF_ACL_AUTHORIZER) == 0 || strcmp(v, CONF_SIMPLE_ACL_AUTHORIZER) == 0)
		return 0;
	return conf_fail(err, errlen, "class '%.128s' is not available: kbroker has "
	                 CONF_ACL_AUTHORIZER " (also accepted as " CONF_SIMPLE_ACL_AUTHORIZER ")", v);
}

bool conf_authorizer_on(const struct kb_config *cfg)
{
	return cfg->authorizer_class_name && cfg->authorizer_class_name[0];
}

bool conf_rack_aware_selector(const struct kb_config *cfg)
{
	return cfg->replica_selector_class &&
	       strcmp(cfg->replica_selector_class, CONF_RACK_AWARE_SELECTOR) == 0;
}

int conf_log_dirs(const struct kb_config *cfg, char ***dirs, int *n)
{
	const char *v = cfg->log_dirs ? cfg->log_dirs : cfg->log_dir;
	char why[REASON_MAX];
	*dirs = NULL;
	*n = 0;
	return v ? split_dirs(v, dirs, n, why, sizeof(why)) : -1;
}

bool conf_list_has(const char *list, const char *item)
{
	size_t want = strlen(item);
	for (const char *p = list; p;) {
		while (isspace((unsigned char)*p))
			p++;
		size_t n = strcspn(p, ",");
		size_t m = n;
		while (m > 0 && isspace((unsigned char)p[m - 1]))
			m--;
		if (m == want && memcmp(p, item, m) == 0)
			return true;
		p = p[n] ? p + n + 1 : NULL;
	}
	return false;
}

void conf_free(struct kb_config *cfg)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (k->type == CONF_STRING || k->type == CONF_LIST) {
			char **field = (char **)((char *)cfg + k->offset);
			kb_free(*field);
			*field = NULL;
		}
	}
}

/* ---- Loading ---------------------------------------------------------------------------- */

struct loader {
	struct kb_config *cfg;
	const char *path;
	int *line; /* per key: file line that set it, -1 an override, 0 the default */
	char *err;
	size_t errlen;
};

static size_t key_index(const struct conf_key *k)
{
	return (size_t)(k - conf_keys);
}

/* Where key idx got its value, for messages. */
static void where_of(const struct loader *ld, size_t idx, char *buf, size_t len)
{
	if (ld->line[idx] > 0)
		snprintf(buf, len, "%s:%d", ld->path, ld->line[idx]);
	else
		snprintf(buf, len, "%s", ld->line[idx] < 0 ? "--override" : "(default)");
}

static int key_fail(const struct loader *ld, const char *key, const char *why)
{
	char where[WHERE_MAX];
	where_of(ld, key_index(conf_find(key)), where, sizeof(where));
	return conf_fail(ld->err, ld->errlen, "%s: %s: %s", where, key, why);
}

static void load_defaults(struct loader *ld)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		char why[REASON_MAX];
		if (conf_keys[i].def && conf_set_field(ld->cfg, &conf_keys[i], conf_keys[i].def,
		                                       why, sizeof(why)) != 0)
			kb_panic(__FILE__, __LINE__, "default of %s: %s", conf_keys[i].name, why);
	}
}

/* Applies one key=value of the file. */
static int file_entry(struct loader *ld, const char *key, const char *val, int lineno)
{
	char where[WHERE_MAX];
	snprintf(where, sizeof(where), "%s:%d", ld->path, lineno);
	const struct conf_key *k = conf_find(key);
	if (k && ld->line[key_index(k)] > 0)
		say_warn("conf", "%s: %s is set again (first set on line %d); line %d wins", where,
		         key, ld->line[key_index(k)], lineno);
	if (conf_set(ld->cfg, key, val, where, ld->err, ld->errlen) != 0)
		return -1;
	if (k)
		ld->line[key_index(k)] = lineno;
	return 0;
}

static int load_file(struct loader *ld, const char *path)
{
	struct props_reader r;
	int rc = props_open(&r, path, ld->err, ld->errlen);
	while (rc == 0 && (rc = props_next(&r, ld->err, ld->errlen)) > 0)
		rc = file_entry(ld, r.key, r.val, r.start);
	props_close(&r);
	return rc;
}

static int load_overrides(struct loader *ld, int n, char *const overrides[])
{
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(overrides[i], '=');
		if (!eq)
			return conf_fail(ld->err, ld->errlen, "--override: '%.64s': expected key=value",
			            overrides[i]);
		char *key = kb_strndup(overrides[i], (size_t)(eq - overrides[i]));
		char *k = conf_trimmed_dup(key, strlen(key));
		int rc = conf_set(ld->cfg, k, eq + 1, "--override", ld->err, ld->errlen);
		const struct conf_key *ck = conf_find(k);
		if (rc == 0 && ck)
			ld->line[key_index(ck)] = -1;
		kb_free(key);
		kb_free(k);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int check_required(const struct loader *ld)
{
	for (size_t i = 0; i < conf_nkeys; i++) {
		if (!conf_keys[i].required || ld->line[i] != 0)
			continue;
		if (ld->path)
			return conf_fail(ld->err, ld->errlen, "%s: %s: required", ld->path,
			            conf_keys[i].name);
		return conf_fail(ld->err, ld->errlen, "%s: required", conf_keys[i].name);
	}
	return 0;
}

/* Kafka refuses an effective retention of 0: it must be -1 (unlimited) or at least 1 ms. */
static int check_retention(const struct loader *ld)
{
	if (conf_log_retention_ms(ld->cfg) != 0)
		return 0;
	const char *key = conf_is_set(ld->cfg, "log.retention.ms")        ? "log.retention.ms"
	                  : conf_is_set(ld->cfg, "log.retention.minutes") ? "log.retention.minutes"
	                                                                   : "log.retention.hours";
	return key_fail(ld, key, "retention must be -1 (unlimited) or at least 1 ms");
}

/* ---- Cross-key checks of the listeners -------------------------------------------------- */

static bool unspecified_address(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return a4.s_addr == htonl(INADDR_ANY);
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_UNSPECIFIED(&a6);
}

static int check_ports(const struct kb_listener *l, int n, char *why, size_t len)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (l[i].port != 0 && l[i].port == l[j].port)
				return conf_fail(why, len, "listeners %s and %s both use port %d", l[j].name,
				            l[i].name, l[i].port);
	return 0;
}

/* With advertised.listeners unset the listeners themselves are advertised. */
static int check_bound_advertisable(const struct kb_listener *l, int n, char *why, size_t len)
{
	for (int i = 0; i < n; i++)
		if (unspecified_address(l[i].host))
			return conf_fail(why, len,
			            "listener %s on %s cannot be advertised to clients; set "
			            "advertised.listeners",
			            l[i].name, l[i].host);
	return 0;
}

static bool has_name(const struct kb_listener *l, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return true;
	return false;
}

static int check_advertised(const struct kb_listener *a, int na, const struct kb_listener *l,
                            int nl, char *why, size_t len)
{
	for (int i = 0; i < na; i++) {
		if (!has_name(l, nl, a[i].name))
			return conf_fail(why, len, "listener name %s is not one of listeners", a[i].name);
		if (a[i].host[0] == '\0')
			return conf_fail(why, len, "listener %s has an empty host; give one clients can reach",
			            a[i].name);
		if (unspecified_address(a[i].host))
			return conf_fail(why, len,
			            "listener %s: %s is not an address clients can reach; give a host "
			            "name or a routable address",
			            a[i].name, a[i].host);
		if (a[i].port == 0)
			return conf_fail(why, len, "listener %s: port 0 cannot be advertised", a[i].name);
	}
	return 0;
}

static int check_listeners(const struct loader *ld)
{
	const struct kb_config *c = ld->cfg;
	struct kb_listener *l = NULL, *a = NULL;
	int nl = 0, na = 0, rc = 0;
	char why[REASON_MAX];
	const char *map = c->listener_security_protocol_map;
	if (conf_parse_listeners(c->listeners, map, &l, &nl, why, sizeof(why)) != 0 ||
	    check_ports(l, nl, why, sizeof(why)) != 0)
		rc = key_fail(ld, "listeners", why);
	else if (!c->advertised_listeners && check_bound_advertisable(l, nl, why, sizeof(why)))
		rc = key_fail(ld, "listeners", why);
	else if (c->advertised_listeners &&
	         (conf_parse_listeners(c->advertised_listeners, map, &a, &na, why, sizeof(why)) != 0 ||
	          check_advertised(a, na, l, nl, why, sizeof(why)) != 0))
		rc = key_fail(ld, "advertised.listeners", why);
	else if (c->inter_broker_listener_name && *c->inter_broker_listener_name) {
		bool found = false;
		for (int i = 0; i < nl; i++)
			found |= strcmp(l[i].name, c->inter_broker_listener_name) == 0;
		if (!found)
			rc = key_fail(ld, "inter.broker.listener.name", "not one of the listeners");
	}
	conf_free_listeners(l, nl);
	conf_free_listeners(a, na);
	return rc;
}

/* Kafka: a per-IP limit of 0 refuses every client unless some hosts are let in by overrides. */
static int check_per_ip(const struct loader *ld)
{
	if (ld->cfg->max_connections_per_ip != 0 || ld->cfg->max_connections_per_ip_overrides)
		return 0;
	return key_fail(ld, "max.connections.per.ip",
	                "can be 0 only if max.connections.per.ip.overrides is set");
}

int conf_load(struct kb_config *cfg, const char *path, int noverrides, char *const overrides[],
              char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	struct loader ld = {.cfg = cfg, .path = path, .err = err, .errlen = errlen};
	ld.line = kb_calloc(conf_nkeys, sizeof(*ld.line));
	load_defaults(&ld);
	int rc = path ? load_file(&ld, path) : 0;
	if (rc == 0)
		rc = load_overrides(&ld, noverrides, overrides);
	if (rc == 0)
		rc = check_required(&ld);
	if (rc == 0)
		rc = check_listeners(&ld);
	if (rc == 0)
		rc = check_retention(&ld);
	if (rc == 0)
		rc = check_per_ip(&ld);
	kb_free(ld.line);
	if (rc != 0)
		conf_free(cfg);
	return rc;
}


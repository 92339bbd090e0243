/* md_json.c — Kafka 2.x's JSON for topic assignments, partition states and topic configs
 * (see md.h), topic ids, and topic-name rules. Decoders accept what Kafka writes (older
 * assignment versions without topic_id included) and reject anything malformed. */
#include "md.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void md_uuid_generate(uint8_t id[16])
{
	if (getrandom(id, 16, 0) != 16)
		KB_ASSERT(!"getrandom failed");
}

void md_uuid_encode(const uint8_t id[16], char out[23])
{
	uint8_t raw[18] = {0};
	memcpy(raw, id, 16);
	int o = 0;
	for (int i = 0; i < 18 && o < 22; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
		for (int k = 3; k >= 0 && o < 22; k--)
			out[o++] = b64url[(v >> (6 * k)) & 63];
	}
	out[22] = '\0';
}

int md_uuid_decode(const char *s, uint8_t id[16])
{
	if (!s || strlen(s) != 22)
		return -1;
	uint8_t raw[18] = {0};
	uint32_t acc = 0;
	int bits = 0, o = 0;
	for (int i = 0; i < 22; i++) {
		const char *p = strchr(b64url, s[i]);
		if (!p || !s[i])
			return -1;
		acc = (acc << 6) | (uint32_t)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			raw[o++] = (uint8_t)(acc >> bits);
		}
	}
	memcpy(id, raw, 16);
	return 0;
}

/* ---- Small jansson helpers ---------------------------------------------------------------- */

static char *dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	KB_ASSERT(s);
	char *out = kb_strdup(s);
	free(s);
	return out;
}

static json_t *int_array(const int32_t *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

/* Reads a JSON array of broker ids (int32, >= 0 unless allow_neg). */
static int read_ids(json_t *a, int32_t **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (!json_is_array(a))
		return -1;
	size_t len = json_array_size(a);
	int32_t *v = kb_calloc(len + 1, sizeof(*v));
	for (size_t i = 0; i < len; i++) {
		json_t *x = json_array_get(a, i);
		if (!json_is_integer(x) || json_integer_value(x) < 0 ||
		    json_integer_value(x) > INT32_MAX) {
			kb_free(v);
			return -1;
		}
		v[i] = (int32_t)json_integer_value(x);
	}
	*out = v;
	*n = (int)len;
	return 0;
}

static bool get_i32(json_t *o, const char *key, int32_t *out)
{
	json_t *x = json_object_get(o, key);
	if (!json_is_integer(x) || json_integer_value(x) < INT32_MIN ||
	    json_integer_value(x) > INT32_MAX)
		return false;
	*out = (int32_t)json_integer_value(x);
	return true;
}

/* ---- Assignment ---------------------------------------------------------------------- */

char *md_assignment_encode(const struct md_partition *parts, int n, const uint8_t topic_id[16])
{
	json_t *o = json_object();
	json_t *p = json_object();
	for (int i = 0; i < n; i++) {
		char key[16];
		snprintf(key, sizeof(key), "%d", parts[i].id);
		json_object_set_new(p, key, int_array(parts[i].replicas, parts[i].nreplicas));
	}
	char id[23];
	md_uuid_encode(topic_id, id);
	json_object_set_new(o, "version", json_integer(3));
	json_object_set_new(o, "partitions", p);
	json_object_set_new(o, "adding_replicas", json_object());
	json_object_set_new(o, "removing_replicas", json_object());
	json_object_set_new(o, "topic_id", json_string(id));
	return dump(o);
}

static void free_parts(struct md_partition *parts, int n)
{
	for (int i = 0; i < n; i++)
		kb_free(parts[i].replicas);
	kb_free(parts);
}

int md_assignment_decode(const char *json, size_t len, struct md_partition **out, int *nout,
                         uint8_t topic_id[16])
{
	json_error_t jerr;
	json_t *o = json_loadb(json, len, 0, &jerr);
	json_t *p = json_object_get(o, "partitions");
	size_t n = json_is_object(p) ? json_object_size(p) : 0;
	if (!json_is_object(o) || !json_is_object(p) || n > 1000000) {
		json_decref(o);
		return -1;
	}
	struct md_partition *parts = kb_calloc(n + 1, sizeof(*parts));
	for (size_t i = 0; i < n; i++) {
		char key[16];
		snprintf(key, sizeof(key), "%zu", i);
		parts[i].id = (int32_t)i;
		parts[i].state_version = -1;
		if (read_ids(json_object_get(p, key), &parts[i].replicas, &parts[i].nreplicas) < 0) {
			free_parts(parts, (int)n);
			json_decref(o);
			return -1; /* partitions must be exactly 0..n-1 */
		}
	}
	memset(topic_id, 0, 16);
	json_t *id = json_object_get(o, "topic_id");
	if (json_is_string(id) && md_uuid_decode(json_string_value(id), topic_id) < 0)
		memset(topic_id, 0, 16); /* unreadable: the topic has no id, as before KIP-516 */
	json_decref(o);
	*out = parts;
	*nout = (int)n;
	return 0;
}

/* ---- Partition state ------------------------------------------------------------------- */

char *md_state_encode(const struct md_state *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "controller_epoch", json_integer(s->controller_epoch));
	json_object_set_new(o, "leader", json_integer(s->leader));
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "leader_epoch", json_integer(s->leader_epoch));
	json_object_set_new(o, "isr", int_array(s->isr, s->nisr));
	return dump(o);
}

int md_state_decode(const char *json, size_t len, struct md_state *s)
{
	memset(s, 0, sizeof(*s));
	json_error_t jerr;
	json_t *o = json_loadb(json, len, 0, &jerr);
	int rc = -1;
	if (json_is_object(o) && get_i32(o, "leader", &s->leader) &&
	    get_i32(o, "leader_epoch", &s->leader_epoch) &&
	    get_i32(o, "controller_epoch", &s->controller_epoch) &&
	    read_ids(json_object_get(o, "isr"), &s->isr, &s->nisr) == 0 && s->leader >= -1)
		rc = 0;
	json_decref(o);
	if (rc < 0)
		md_state_free(s);
	return rc;
}

/* ---- Topic config -------------------------------------------------------------------- */

char *md_config_encode(const struct md_config_entry *c, int n)
{
	json_t *o = json_object();
	json_t *cfg = json_object();
	for (int i = 0; i < n; i++)
		json_object_set_new(cfg, c[i].name, json_string(c[i].value));
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "config", cfg);
	return dump(o);
}

int md_config_decode(const char *json, size_t len, struct md_config_entry **out, int *nout)
{
	json_error_t jerr;
	json_t *o = json_loadb(json, len, 0, &jerr);
	json_t *cfg = json_object_get(o, "config");
	if (!json_is_object(o) || !json_is_object(cfg)) {
		json_decref(o);
		return -1;
	}
	struct md_config_entry *c = kb_calloc(json_object_size(cfg) + 1, sizeof(*c));
	int n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(cfg, k, v) {
		if (!json_is_string(v))
			continue; /* Kafka writes strings only */
		c[n].name = kb_strdup(k);
		c[n].value = kb_strdup(json_string_value(v));
		n++;
	}
	json_decref(o);
	*out = c;
	*nout = n;
	return 0;
}

/* ---- Model helpers -------------------------------------------------------------------- */

const char *md_topic_config(const struct md_topic *t, const char *name)
{
	for (int i = 0; i < t->nconfigs; i++)
		if (strcmp(t->configs[i].name, name) == 0)
			return t->configs[i].value;
	return NULL;
}

const struct md_partition *md_topic_partition(const struct md_topic *t, int32_t id)
{
	return id >= 0 && id < t->npartitions ? &t->partitions[id] : NULL;
}

bool md_state_in_isr(const struct md_state *s, int32_t broker)
{
	for (int i = 0; i < s->nisr; i++)
		if (s->isr[i] == broker)
			return true;
	return false;
}

void md_state_free(struct md_state *s)
{
	kb_free(s->isr);
	s->isr = NULL;
	s->nisr = 0;
}

void md_configs_free(struct md_config_entry *c, int n)
{
	for (int i = 0; i < n; i++) {
		kb_free(c[i].name);
		kb_free(c[i].value);
	}
	kb_free(c);
}

void md_topic_free(struct md_topic *t)
{
	for (int i = 0; i < t->npartitions; i++) {
		kb_free(t->partitions[i].replicas);
		md_state_free(&t->partitions[i].state);
	}
	kb_free(t->partitions);
	md_configs_free(t->configs, t->nconfigs);
	kb_free(t->name);
	memset(t, 0, sizeof(*t));
}

/* ---- Topic names ----------------------------------------------------------------------- */

#define MD_TOPIC_NAME_MAX 249

const char *md_topic_name_invalid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0)
		return "topic name is empty";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "topic name cannot be \".\" or \"..\"";
	if (n > MD_TOPIC_NAME_MAX)
		return "topic name is longer than 249 characters";
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		          c == '.' || c == '_' || c == '-';
		if (!ok)
			return "topic name contains characters other than ASCII alphanumerics, '.', '_' "
			       "and '-'";
	}
	return NULL;
}

bool md_topic_internal(const char *name, size_t len)
{
	static const char off[] = "__consumer_offsets", txn[] = "__transaction_state";
	return name && ((len == sizeof(off) - 1 && memcmp(name, off, len) == 0) ||
	                (len == sizeof(txn) - 1 && memcmp(name, txn, len) == 0));
}

bool md_topic_names_collide(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return false;
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	for (size_t i = 0; i < n; i++) {
		char x = a[i] == '.' ? '_' : a[i], y = b[i] == '.' ? '_' : b[i];
		if (x != y)
			return false;
	}
	return true;
}

/* broker_json.c — Kafka's broker registration JSON and the /cluster/id value. */
#include "coord.h"
#include "md.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static bool is_plaintext(const struct coord_config *cfg, const char *listener)
{
	/* The map is "NAME:PROTO,NAME:PROTO"; a listener is PLAINTEXT if mapped so. */
	size_t n = strlen(listener);
	for (const char *p = cfg->protocol_map; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		while (len && (*p == ' ')) {
			p++;
			len--;
		}
		if (len > n && strncasecmp(p, listener, n) == 0 && p[n] == ':')
			return strncmp(p + n + 1, "PLAINTEXT", 9) == 0 && len - n - 1 == 9;
		p = comma ? comma + 1 : NULL;
	}
	return strcmp(listener, "PLAINTEXT") == 0;
}

static json_t *protocol_map_json(const struct coord_config *cfg)
{
	json_t *map = json_object();
	for (const char *p = cfg->protocol_map; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[256];
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		char *colon = strchr(item, ':');
		if (colon) {
			*colon = '\0';
			/* Only the listeners this broker has, as Kafka writes it. */
			for (int i = 0; i < cfg->nendpoints; i++)
				if (strcasecmp(cfg->endpoints[i].listener, item) == 0)
					json_object_set_new(map, cfg->endpoints[i].listener,
					                    json_string(colon + 1));
		}
		p = comma ? comma + 1 : NULL;
	}
	return map;
}

char *broker_json_encode(const struct coord_config *cfg, int64_t timestamp_ms)
{
	json_t *o = json_object();
	json_t *eps = json_array();
	const struct md_endpoint *plain = NULL;
	for (int i = 0; i < cfg->nendpoints; i++) {
		const struct md_endpoint *e = &cfg->endpoints[i];
		char buf[512];
		bool v6 = strchr(e->host, ':') != NULL;
		snprintf(buf, sizeof(buf), "%s://%s%s%s:%d", e->listener, v6 ? "[" : "", e->host,
		         v6 ? "]" : "", e->port);
		json_array_append_new(eps, json_string(buf));
		if (!plain && is_plaintext(cfg, e->listener))
			plain = e;
	}
	char ts[32];
	snprintf(ts, sizeof(ts), "%lld", (long long)timestamp_ms);
	json_object_set_new(o, "listener_security_protocol_map", protocol_map_json(cfg));
	json_object_set_new(o, "endpoints", eps);
	json_object_set_new(o, "jmx_port", json_integer(-1));
	json_object_set_new(o, "host", plain ? json_string(plain->host) : json_null());
	json_object_set_new(o, "timestamp", json_string(ts));
	json_object_set_new(o, "port", json_integer(plain ? plain->port : -1));
	if (cfg->rack)
		json_object_set_new(o, "rack", json_string(cfg->rack));
	json_object_set_new(o, "version", json_integer(4));
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	char *out = kb_strdup(s);
	free(s);
	return out;
}

int endpoint_parse(const char *s, struct md_endpoint *out)
{
	const char *sep = strstr(s, "://");
	if (!sep || sep == s)
		return -1;
	const char *hp = sep + 3;
	const char *colon = strrchr(hp, ':');
	if (!colon)
		return -1;
	const char *h0 = hp, *h1 = colon;
	if (*h0 == '[') {
		if (h1 - h0 < 2 || h1[-1] != ']')
			return -1;
		h0++;
		h1--;
	}
	if (h1 <= h0 || memchr(h0, '[', (size_t)(h1 - h0)) || memchr(h0, ']', (size_t)(h1 - h0)))
		return -1; /* empty host, or brackets left over */
	int64_t port;
	if (!kb_parse_i64(colon + 1, 0, 65535, &port))
		return -1;
	out->listener = kb_strndup(s, (size_t)(sep - s));
	out->host = kb_strndup(h0, (size_t)(h1 - h0));
	out->port = (int)port;
	return 0;
}

int broker_json_decode(int32_t id, const char *data, size_t len, struct md_broker *out)
{
	memset(out, 0, sizeof(*out));
	out->id = id;
	json_error_t jerr;
	json_t *o = json_loadb(data, len, 0, &jerr);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	json_t *rack = json_object_get(o, "rack");
	if (json_is_string(rack))
		out->rack = kb_strdup(json_string_value(rack));
	json_t *eps = json_object_get(o, "endpoints");
	size_t n = json_is_array(eps) ? json_array_size(eps) : 0;
	out->endpoints = kb_calloc(n ? n : 1, sizeof(*out->endpoints));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(eps, i);
		if (json_is_string(e) && endpoint_parse(json_string_value(e),
		                                        &out->endpoints[out->nendpoints]) == 0)
			out->nendpoints++;
	}
	if (n == 0) { /* version 1 registrations: host and port only */
		json_t *h = json_object_get(o, "host"), *p = json_object_get(o, "port");
		if (json_is_string(h) && json_is_integer(p)) {
			out->endpoints[0] = (struct md_endpoint){kb_strdup("PLAINTEXT"),
			                                         kb_strdup(json_string_value(h)),
			                                         (int)json_integer_value(p)};
			out->nendpoints = 1;
		}
	}
	json_decref(o);
	return 0;
}

void md_broker_free(struct md_broker *b)
{
	for (int i = 0; i < b->nendpoints; i++) {
		kb_free(b->endpoints[i].listener);
		kb_free(b->endpoints[i].host);
	}
	kb_free(b->endpoints);
	kb_free(b->rack);
	memset(b, 0, sizeof(*b));
}

const struct md_endpoint *md_broker_endpoint(const struct md_broker *b, const char *listener)
{
	for (int i = 0; i < b->nendpoints; i++)
		if (strcmp(b->endpoints[i].listener, listener) == 0)
			return &b->endpoints[i];
	return NULL;
}

void cluster_id_generate(char out[23])
{
	uint8_t raw[16];
	md_uuid_generate(raw);
	md_uuid_encode(raw, out);
}

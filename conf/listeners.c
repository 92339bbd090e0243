/* listeners.c — parsing of `listeners` / `advertised.listeners` (NAME://host:port, ...) and
 * of `listener.security.protocol.map` (NAME:PROTOCOL, ...).
 *
 * Listener names are case-insensitive and stored upper-case, as Kafka does. Entries are
 * comma-separated; blanks around an entry are ignored, and so are empty entries (a trailing
 * comma), as in Kafka. A host is empty, a host name, an IPv4 literal or a bracketed IPv6
 * literal; it is stored without brackets. Cross-key rules (advertised names must exist in
 * `listeners`, unique ports, routable advertised hosts) live in conf.c. */
#include "conf_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The only security protocol kbroker implements. */
#define IMPLEMENTED_PROTOCOL "PLAINTEXT"

static const char *const known_protocols[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT",
                                              "SASL_SSL"};

/* One NAME:PROTOCOL pair of the map; both upper-case, heap-allocated. */
struct map_entry {
	char *name;
	char *protocol;
};

static void upcase(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

static bool valid_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Splits a comma-separated list into trimmed, non-empty, heap-allocated entries. */
static char **split_list(const char *list, int *n)
{
	char **v = NULL;
	int count = 0;
	const char *p = list;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char *e = conf_trimmed_dup(p, len);
		if (*e != '\0') {
			v = kb_realloc(v, sizeof(*v) * (size_t)(count + 1));
			v[count++] = e;
		} else {
			kb_free(e);
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	*n = count;
	return v;
}

static void free_strings(char **v, int n)
{
	for (int i = 0; i < n; i++)
		kb_free(v[i]);
	kb_free(v);
}

static void free_map(struct map_entry *m, int n)
{
	for (int i = 0; i < n; i++) {
		kb_free(m[i].name);
		kb_free(m[i].protocol);
	}
	kb_free(m);
}

static bool known_protocol(const char *p)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(known_protocols); i++)
		if (strcmp(p, known_protocols[i]) == 0)
			return true;
	return false;
}

/* Parses one NAME:PROTOCOL entry into e (upper-cased). */
static int parse_map_entry(const char *s, struct map_entry *e, char *err, size_t errlen)
{
	const char *colon = strchr(s, ':');
	if (!colon)
		return conf_fail(err, errlen, "entry '%s' is not NAME:PROTOCOL", s);
	char *name = conf_trimmed_dup(s, (size_t)(colon - s));
	char *proto = conf_trimmed_dup(colon + 1, strlen(colon + 1));
	upcase(name);
	upcase(proto);
	if (!valid_name(name)) {
		conf_fail(err, errlen, "entry '%s': listener name must be letters, digits and '_'", s);
		goto bad;
	}
	if (!known_protocol(proto)) {
		conf_fail(err, errlen,
		     "entry '%s': unknown security protocol '%s' "
		     "(expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)",
		     s, proto);
		goto bad;
	}
	e->name = name;
	e->protocol = proto;
	return 0;
bad:
	kb_free(name);
	kb_free(proto);
	return -1;
}

static const char *map_lookup(const struct map_entry *m, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(m[i].name, name) == 0)
			return m[i].protocol;
	return NULL;
}

static int parse_map(const char *map, struct map_entry **out, int *count, char *err,
                     size_t errlen)
{
	int n;
	char **items = split_list(map, &n);
	struct map_entry *m = kb_calloc((size_t)n, sizeof(*m));
	int got = 0;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		struct map_entry e;
		rc = parse_map_entry(items[i], &e, err, errlen);
		if (rc == 0 && map_lookup(m, got, e.name)) {
			rc = conf_fail(err, errlen, "listener name %s is mapped more than once", e.name);
			kb_free(e.name);
			kb_free(e.protocol);
		} else if (rc == 0) {
			m[got++] = e;
		}
	}
	free_strings(items, n);
	if (rc == 0 && got == 0)
		rc = conf_fail(err, errlen, "no NAME:PROTOCOL entries");
	if (rc != 0) {
		free_map(m, got);
		return -1;
	}
	*out = m;
	*count = got;
	return 0;
}

int conf_check_protocol_map(const char *map, char *err, size_t errlen)
{
	struct map_entry *m;
	int n;
	if (parse_map(map, &m, &n, err, errlen) != 0)
		return -1;
	free_map(m, n);
	return 0;
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Validates an unbracketed host: empty, a host name, or an IPv4 literal. */
static int check_host(const char *h, char *err, size_t errlen)
{
	bool numeric = true;
	if (strchr(h, ':'))
		return conf_fail(err, errlen, "host '%s': an IPv6 address must be in brackets, e.g. [::1]",
		            h);
	for (const char *p = h; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!isalnum(c) && c != '.' && c != '-' && c != '_')
			return conf_fail(err, errlen, "host '%s': invalid character '%c'", h, *p);
		if (!isdigit(c) && c != '.')
			numeric = false;
	}
	struct in_addr a4;
	if (*h != '\0' && numeric && inet_pton(AF_INET, h, &a4) != 1)
		return conf_fail(err, errlen, "host '%s' is not a valid IPv4 address", h);
	return 0;
}

static int parse_port(const char *s, int *port, char *err, size_t errlen)
{
	if (!all_digits(s) || strlen(s) > 5)
		return conf_fail(err, errlen, "port '%s' is not a number from 0 to 65535", s);
	long v = strtol(s, NULL, 10);
	if (v > 65535)
		return conf_fail(err, errlen, "port %ld is out of range 0-65535", v);
	*port = (int)v;
	return 0;
}

/* Splits "host:port" or "[v6]:port" into host (no brackets) and port. */
static int parse_hostport(const char *hp, struct kb_listener *l, char *err, size_t errlen)
{
	const char *colon;
	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');
		if (!close || close[1] != ':')
			return conf_fail(err, errlen, "'%s' is not [ipv6-address]:port", hp);
		l->host = kb_strndup(hp + 1, (size_t)(close - hp - 1));
		struct in6_addr a6;
		if (inet_pton(AF_INET6, l->host, &a6) != 1)
			return conf_fail(err, errlen, "host '[%s]' is not a valid IPv6 address", l->host);
		colon = close + 1;
	} else {
		colon = strrchr(hp, ':');
		if (!colon)
			return conf_fail(err, errlen, "'%s' is not host:port", hp);
		l->host = kb_strndup(hp, (size_t)(colon - hp));
		if (check_host(l->host, err, errlen) != 0)
			return -1;
	}
	return parse_port(colon + 1, &l->port, err, errlen);
}

/* Parses one NAME://host:port entry into l (fields heap-allocated even on failure). */
static int parse_entry(const char *s, const struct map_entry *m, int nm, struct kb_listener *l,
                       char *err, size_t errlen)
{
	const char *sep = strstr(s, "://");
	if (!sep)
		return conf_fail(err, errlen, "'%s' is not NAME://host:port", s);
	l->name = kb_strndup(s, (size_t)(sep - s));
	upcase(l->name);
	if (!valid_name(l->name))
		return conf_fail(err, errlen, "'%s': listener name must be letters, digits and '_'", s);
	if (parse_hostport(sep + 3, l, err, errlen) != 0) {
		size_t used = strnlen(err, errlen);
		if (used + 1 < errlen)
			conf_fail(err + used, errlen - used, " (in '%s')", s);
		return -1;
	}
	const char *proto = map_lookup(m, nm, l->name);
	if (!proto)
		return conf_fail(err, errlen,
		            "listener name %s has no entry in listener.security.protocol.map", l->name);
	l->protocol = kb_strdup(proto);
	if (strcmp(proto, IMPLEMENTED_PROTOCOL) != 0)
		return conf_fail(err, errlen,
		            "listener %s: security protocol %s is not supported by kbroker yet",
		            l->name, proto);
	return 0;
}

static bool name_seen(const struct kb_listener *l, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return true;
	return false;
}

static int parse_entries(char **items, int n, const struct map_entry *m, int nm,
                         struct kb_listener *l, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		if (parse_entry(items[i], m, nm, &l[i], err, errlen) != 0)
			return -1;
		if (name_seen(l, i, l[i].name))
			return conf_fail(err, errlen, "listener name %s appears more than once", l[i].name);
	}
	return 0;
}

int conf_parse_listeners(const char *list, const char *protocol_map, struct kb_listener **out,
                         int *count, char *err, size_t errlen)
{
	struct map_entry *m;
	int nm;
	if (parse_map(protocol_map ? protocol_map : "", &m, &nm, err, errlen) != 0) {
		char why[256];
		snprintf(why, sizeof(why), "%s", err);
		return conf_fail(err, errlen, "listener.security.protocol.map: %s", why);
	}
	int n;
	char **items = split_list(list ? list : "", &n);
	struct kb_listener *l = kb_calloc((size_t)n, sizeof(*l));
	int rc = n == 0 ? conf_fail(err, errlen, "no listeners given (expected NAME://host:port,...)")
	                : parse_entries(items, n, m, nm, l, err, errlen);
	free_strings(items, n);
	free_map(m, nm);
	if (rc != 0) {
		conf_free_listeners(l, n);
		return -1;
	}
	*out = l;
	*count = n;
	return 0;
}

void conf_free_listeners(struct kb_listener *l, int count)
{
	if (!l)
		return;
	for (int i = 0; i < count; i++) {
		kb_free(l[i].name);
		kb_free(l[i].host);
		kb_free(l[i].protocol);
	}
	kb_free(l);
}

/* ---- max.connections.per.ip.overrides ---------------------------------------------------- */

static bool valid_host(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 255)
		return false;
	if (h[0] == '[')
		return n > 2 && h[n - 1] == ']';
	for (const char *p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_' && *p != ':' &&
		    *p != '%')
			return false;
	return true;
}

int conf_parse_ip_overrides(const char *v, struct conf_ip_override **out, int *count, char *err,
                            size_t errlen)
{
	int n;
	char **items = split_list(v ? v : "", &n);
	struct conf_ip_override *o = n ? kb_calloc((size_t)n, sizeof(*o)) : NULL;
	int rc = 0, done = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char *colon = strrchr(items[i], ':');
		if (!colon) {
			rc = conf_fail(err, errlen, "entry '%.64s' is not host:count", items[i]);
			break;
		}
		char *host = conf_trimmed_dup(items[i], (size_t)(colon - items[i]));
		char *num = conf_trimmed_dup(colon + 1, strlen(colon + 1));
		int64_t max;
		if (!valid_host(host))
			rc = conf_fail(err, errlen, "entry '%.64s': '%.64s' is not a host name or address",
			               items[i], host);
		else if (!kb_parse_i64(num, 0, INT32_MAX, &max))
			rc = conf_fail(err, errlen, "entry '%.64s': count '%.32s' is not 0-2147483647",
			               items[i], num);
		for (int j = 0; j < done && rc == 0; j++)
			if (strcmp(o[j].host, host) == 0)
				rc = conf_fail(err, errlen, "host '%.64s' is listed twice", host);
		kb_free(num);
		if (rc != 0) {
			kb_free(host);
			break;
		}
		o[done++] = (struct conf_ip_override){host, (int32_t)max};
	}
	free_strings(items, n);
	if (rc != 0) {
		conf_free_ip_overrides(o, done);
		return -1;
	}
	*out = o;
	*count = done;
	return 0;
}

void conf_free_ip_overrides(struct conf_ip_override *o, int count)
{
	for (int i = 0; i < count; i++)
		kb_free(o[i].host);
	kb_free(o);
}

int conf_check_ip_overrides(const char *v, char *err, size_t errlen)
{
	struct conf_ip_override *o;
	int n;
	if (conf_parse_ip_overrides(v, &o, &n, err, errlen) != 0)
		return -1;
	conf_free_ip_overrides(o, n);
	return 0;
}

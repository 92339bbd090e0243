/* conf.c — loading the broker configuration: typed values from text, the Java .properties
 * reader, defaults → file → --override layering, required and cross-key checks, the log keys
 * that fall back on others, DescribeConfigs values, and the two generated documents
 * (`--help-config` and the example server.properties). The keys themselves are in
 * conf_table.c, listener syntax in listeners.c, topic configs in topic_conf.c.
 *
 * Properties syntax (the subset of java.util.Properties that server.properties files use):
 * a logical line is `key=value`, `key: value` or `key value` — the key ends at its first
 * unescaped '=', ':' or blank, and blanks around the separator are skipped. Leading blanks
 * are ignored; blank lines and lines starting with '#' or '!' are comments. A line ending in
 * an odd number of backslashes continues on the next line, whose leading blanks are dropped.
 * Escapes: \t \n \r \f \uXXXX, and a backslash before any other character stands for that
 * character (\\ \= \: \# \ ). Lines end in \n, \r\n or \r. Unlike Java, trailing blanks of a
 * value are dropped (as Kafka itself trims every value), and a physical or logical line
 * longer than KB_CONF_MAX_LINE bytes is an error. Bytes are taken as they are (UTF-8). */
#include "conf.h"

#include "../common/limits.h"
#include "../common/say.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WRAP_COLUMNS 90
#define REASON_MAX 512
#define WHERE_MAX 1024

static int fail(char *err, size_t errlen, const char *fmt, ...) KB_PRINTF(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

static char *trimmed_dup(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
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
		return fail(err, errlen, "not an integer: '%.64s'", v);
	if (errno == ERANGE)
		return fail(err, errlen, "out of range: '%.64s' (valid values: [%lld, %lld])", v,
		            (long long)k->min, (long long)k->max);
	if (x < k->min)
		return fail(err, errlen, "value %lld is below the minimum %lld", x, (long long)k->min);
	if (x > k->max)
		return fail(err, errlen, "value %lld is above the maximum %lld", x, (long long)k->max);
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
		return fail(err, errlen, "not a boolean (true or false): '%.64s'", v);
	return 0;
}

static int store_string(char **field, const struct conf_key *k, const char *v, char *err,
                        size_t errlen)
{
	if (*v == '\0' && (k->def || k->required))
		return fail(err, errlen, "must not be empty");
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
	return fail(err, errlen, "unknown type %d", (int)k->type);
}

int conf_set_field(void *base, const struct conf_key *k, const char *value, char *err,
                   size_t errlen)
{
	char *v = trimmed_dup(value);
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
		return fail(err, errlen, "%s: %s: %s", where, key, why);
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
			rc = fail(err, errlen, "'%.64s' has an empty directory", v);
			break;
		}
		for (int i = 0; i < n && rc == 0; i++)
			if (strlen(dirs[i]) == m && memcmp(dirs[i], d, m) == 0)
				rc = fail(err, errlen, "directory '%.*s' is listed twice", (int)KB_MIN(m, 256),
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

/* ---- The .properties reader ------------------------------------------------------------- */

struct reader {
	FILE *f;
	const char *path;
	int lineno;    /* physical line number of the line last read */
	char *phys;    /* one physical line, KB_CONF_MAX_LINE + 1 bytes */
	char *logical; /* the joined logical line, KB_CONF_MAX_LINE + 1 bytes */
	size_t len;    /* length of the logical line */
	int start;     /* line number where the logical line starts */
};

/* Reads one physical line without its terminator. Returns 1, 0 at end of file, -1 if the
 * line is too long. */
static int read_physical(struct reader *r, size_t *len)
{
	size_t n = 0;
	int c;
	while ((c = getc(r->f)) != EOF && c != '\n' && c != '\r') {
		if (n == KB_CONF_MAX_LINE)
			return -1;
		r->phys[n++] = (char)c;
	}
	if (c == '\r') {
		int next = getc(r->f);
		if (next != '\n' && next != EOF)
			ungetc(next, r->f);
	}
	if (c == EOF && n == 0)
		return 0;
	r->lineno++;
	r->phys[n] = '\0';
	*len = n;
	return 1;
}

static bool odd_trailing_backslashes(const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && s[n - 1 - k] == '\\')
		k++;
	return k % 2 == 1;
}

static int too_long(const struct reader *r, int line, char *err, size_t errlen)
{
	return fail(err, errlen, "%s:%d: line longer than %d bytes", r->path, line,
	            KB_CONF_MAX_LINE);
}

/* Appends physical text (blanks skipped at its start) to the logical line. Returns whether
 * the logical line continues. */
static int append_physical(struct reader *r, size_t n, bool *more, char *err, size_t errlen)
{
	const char *p = r->phys;
	while (n > 0 && is_blank(*p)) {
		p++;
		n--;
	}
	*more = odd_trailing_backslashes(p, n);
	if (*more)
		n--;
	if (r->len + n > KB_CONF_MAX_LINE)
		return too_long(r, r->start, err, errlen);
	memcpy(r->logical + r->len, p, n);
	r->len += n;
	r->logical[r->len] = '\0';
	return 0;
}

/* Reads the next logical line (comments and blank lines skipped). Returns 1, 0 at end of
 * file, -1 with err. */
static int read_logical(struct reader *r, char *err, size_t errlen)
{
	size_t n;
	int got;
	for (;;) {
		if ((got = read_physical(r, &n)) <= 0)
			return got < 0 ? too_long(r, r->lineno + 1, err, errlen) : 0;
		size_t i = 0;
		while (i < n && is_blank(r->phys[i]))
			i++;
		if (i < n && r->phys[i] != '#' && r->phys[i] != '!')
			break;
	}
	r->len = 0;
	r->start = r->lineno;
	bool more;
	if (append_physical(r, n, &more, err, errlen) != 0)
		return -1;
	while (more) {
		if ((got = read_physical(r, &n)) < 0)
			return too_long(r, r->lineno + 1, err, errlen);
		if (got == 0)
			break;
		if (append_physical(r, n, &more, err, errlen) != 0)
			return -1;
	}
	return 1;
}

static void put_utf8(unsigned cp, char *out, size_t *o)
{
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xC0 | (cp >> 6));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*o)++] = (char)(0xE0 | (cp >> 12));
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*o)++] = (char)(0x80 | (cp & 0x3F));
	}
}

/* Decodes the escape whose backslash is at s[*i]; advances *i past it. */
static int unescape(const char *s, size_t n, size_t *i, char *out, size_t *o)
{
	(*i)++;
	if (*i >= n)
		return 0; /* a lone final backslash stands for nothing */
	char c = s[(*i)++];
	switch (c) {
	case 't': out[(*o)++] = '\t'; return 0;
	case 'n': out[(*o)++] = '\n'; return 0;
	case 'r': out[(*o)++] = '\r'; return 0;
	case 'f': out[(*o)++] = '\f'; return 0;
	case 'u': break;
	default: out[(*o)++] = c; return 0;
	}
	unsigned cp = 0;
	for (int k = 0; k < 4; k++, (*i)++) {
		if (*i >= n || !isxdigit((unsigned char)s[*i]))
			return -1;
		char h = s[*i];
		cp = cp * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : (h | 0x20) - 'a' + 10);
	}
	if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	put_utf8(cp, out, o);
	return 0;
}

/* Splits a logical line into key and value (each a buffer of at least len + 1 bytes). */
static int split_line(const char *s, size_t n, char *key, char *val)
{
	size_t i = 0, o = 0;
	while (i < n && s[i] != '=' && s[i] != ':' && !is_blank(s[i])) {
		if (s[i] != '\\')
			key[o++] = s[i++];
		else if (unescape(s, n, &i, key, &o) != 0)
			return -1;
	}
	key[o] = '\0';
	while (i < n && is_blank(s[i]))
		i++;
	if (i < n && (s[i] == '=' || s[i] == ':'))
		i++;
	while (i < n && is_blank(s[i]))
		i++;
	for (o = 0; i < n;) {
		if (s[i] != '\\')
			val[o++] = s[i++];
		else if (unescape(s, n, &i, val, &o) != 0)
			return -1;
	}
	while (o > 0 && isspace((unsigned char)val[o - 1]))
		o--;
	val[o] = '\0';
	return 0;
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
	return fail(ld->err, ld->errlen, "%s: %s: %s", where, key, why);
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

static int read_entries(struct loader *ld, struct reader *r)
{
	char *key = kb_malloc(KB_CONF_MAX_LINE + 1);
	char *val = kb_malloc(KB_CONF_MAX_LINE + 1);
	int rc, got;
	while ((got = read_logical(r, ld->err, ld->errlen)) > 0) {
		if (split_line(r->logical, r->len, key, val) != 0) {
			rc = fail(ld->err, ld->errlen, "%s:%d: malformed \\uXXXX escape", r->path,
			          r->start);
			break;
		}
		if ((rc = file_entry(ld, key, val, r->start)) != 0)
			break;
	}
	if (got < 0)
		rc = -1;
	else if (got == 0)
		rc = ferror(r->f) ? fail(ld->err, ld->errlen, "%s: read error", r->path) : 0;
	kb_free(key);
	kb_free(val);
	return rc;
}

static int load_file(struct loader *ld, const char *path)
{
	struct reader r = {.path = path};
	r.f = fopen(path, "r");
	if (!r.f)
		return fail(ld->err, ld->errlen, "%s: cannot open: %s", path, strerror(errno));
	r.phys = kb_malloc(KB_CONF_MAX_LINE + 1);
	r.logical = kb_malloc(KB_CONF_MAX_LINE + 1);
	int rc = read_entries(ld, &r);
	kb_free(r.phys);
	kb_free(r.logical);
	fclose(r.f);
	return rc;
}

static int load_overrides(struct loader *ld, int n, char *const overrides[])
{
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(overrides[i], '=');
		if (!eq)
			return fail(ld->err, ld->errlen, "--override: '%.64s': expected key=value",
			            overrides[i]);
		char *key = kb_strndup(overrides[i], (size_t)(eq - overrides[i]));
		char *k = trimmed_dup(key);
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
			return fail(ld->err, ld->errlen, "%s: %s: required", ld->path,
			            conf_keys[i].name);
		return fail(ld->err, ld->errlen, "%s: required", conf_keys[i].name);
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
				return fail(why, len, "listeners %s and %s both use port %d", l[j].name,
				            l[i].name, l[i].port);
	return 0;
}

/* With advertised.listeners unset the listeners themselves are advertised. */
static int check_bound_advertisable(const struct kb_listener *l, int n, char *why, size_t len)
{
	for (int i = 0; i < n; i++)
		if (unspecified_address(l[i].host))
			return fail(why, len,
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
			return fail(why, len, "listener name %s is not one of listeners", a[i].name);
		if (a[i].host[0] == '\0')
			return fail(why, len, "listener %s has an empty host; give one clients can reach",
			            a[i].name);
		if (unspecified_address(a[i].host))
			return fail(why, len,
			            "listener %s: %s is not an address clients can reach; give a host "
			            "name or a routable address",
			            a[i].name, a[i].host);
		if (a[i].port == 0)
			return fail(why, len, "listener %s: port 0 cannot be advertised", a[i].name);
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
	kb_free(ld.line);
	if (rc != 0)
		conf_free(cfg);
	return rc;
}

/* ---- Generated documents ---------------------------------------------------------------- */

static const char *type_name(enum conf_type t)
{
	switch (t) {
	case CONF_INT: return "int";
	case CONF_LONG: return "long";
	case CONF_BOOL: return "boolean";
	case CONF_STRING: return "string";
	case CONF_LIST: return "list";
	}
	return "?";
}

static void valid_text(const struct conf_key *k, char *buf, size_t len)
{
	if (k->valid)
		snprintf(buf, len, "%s", k->valid);
	else if (k->type == CONF_INT || k->type == CONF_LONG)
		snprintf(buf, len, "[%lld, %lld]", (long long)k->min, (long long)k->max);
	else if (k->type == CONF_BOOL)
		snprintf(buf, len, "true or false");
	else
		snprintf(buf, len, "any");
}

/* Writes text word-wrapped so no line passes WRAP_COLUMNS (a longer word gets its own line);
 * the first line starts with `first`, the others with `rest` (both of the same width). */
static void wrap(FILE *out, const char *first, const char *rest, const char *text)
{
	size_t width = WRAP_COLUMNS - strlen(first), col = 0;
	const char *prefix = first;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " ");
		if (w == 0)
			break;
		if (col > 0 && col + 1 + w > width) {
			fputc('\n', out);
			col = 0;
			prefix = rest;
		}
		fprintf(out, "%s%.*s", col == 0 ? prefix : " ", (int)w, p);
		col += (col == 0 ? 0 : 1) + w;
		p += w;
	}
	if (col > 0)
		fputc('\n', out);
}

void conf_print_help(FILE *out)
{
	fprintf(out, "kbroker configuration keys (server.properties, or --override key=value)\n");
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		char valid[REASON_MAX];
		valid_text(k, valid, sizeof(valid));
		fprintf(out, "\n%s\n", k->name);
		fprintf(out, "    type:      %s\n", type_name(k->type));
		fprintf(out, "    default:   %s\n",
		        k->def ? k->def : k->required ? "(none)" : "(unset)");
		wrap(out, "    valid:     ", "               ", valid);
		fprintf(out, "    required:  %s\n", k->required ? "yes" : "no");
		wrap(out, "    ", "    ", k->doc);
	}
}

static const char *const example_header =
	"This file was generated by `kbroker --print-example-config` and documents every key "
	"kbroker honours; any other key (e.g. one from a Kafka server.properties) is reported "
	"as unknown and ignored. Syntax: Java .properties, one key=value per line; lines "
	"starting with # or ! are comments; a backslash at the end of a line continues it. "
	"Keys with a default are shown set to it, keys without one show an example (commented "
	"out unless the key is required). Command-line `--override key=value` arguments take "
	"precedence over this file.";

static void example_key(FILE *out, const struct conf_key *k)
{
	char valid[REASON_MAX], line[REASON_MAX + 32];
	valid_text(k, valid, sizeof(valid));
	snprintf(line, sizeof(line), "Valid values: %s.", valid);
	fprintf(out, "\n");
	wrap(out, "# ", "# ", k->doc);
	if (k->required)
		fprintf(out, "# Type: %s. Required, no default.\n", type_name(k->type));
	else
		fprintf(out, "# Type: %s. Default: %s.\n", type_name(k->type),
		        k->def ? k->def : "unset");
	wrap(out, "# ", "#   ", line);
	if (k->def)
		fprintf(out, "%s=%s\n", k->name, k->def);
	else
		fprintf(out, "%s%s=%s\n", k->required ? "" : "#", k->name,
		        k->example ? k->example : "");
}

void conf_print_example(FILE *out)
{
	fprintf(out, "# server.properties: configuration of one kbroker broker.\n#\n");
	wrap(out, "# ", "# ", example_header);
	for (size_t i = 0; i < conf_nkeys; i++)
		example_key(out, &conf_keys[i]);
}

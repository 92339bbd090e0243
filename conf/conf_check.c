/* conf_check.c — value checkers of the configuration table (conf_table.c): the ZooKeeper
 * connect string, values from a fixed set (compression, timestamp type, cleanup policy) and
 * bounded decimals. Each returns 0, or -1 with a message in err (conf_fail). */
#include "conf_int.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Validates a "/a/b" chroot: no trailing '/', no empty, "." or ".." components. */
static int zk_check_chroot(const char *c, char *err, size_t errlen)
{
	size_t n = strlen(c);
	if (n == 1 || c[n - 1] == '/')
		return conf_fail(err, errlen, "chroot '%s' must not end with '/'", c);
	for (const char *p = c; *p; p++) {
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return conf_fail(err, errlen, "chroot '%s' contains a blank or control character",
			               c);
	}
	for (const char *p = c; p; p = strchr(p + 1, '/')) {
		const char *end = strchr(p + 1, '/');
		size_t len = end ? (size_t)(end - p - 1) : strlen(p + 1);
		if (len == 0 || (len == 1 && p[1] == '.') ||
		    (len == 2 && p[1] == '.' && p[2] == '.'))
			return conf_fail(err, errlen, "chroot '%s' has an empty, '.' or '..' component", c);
	}
	return 0;
}

static bool zk_host_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '_';
}

/* Validates one "host:port" or "[v6]:port" server of the ensemble ([s, s+n)). */
static int zk_check_server(const char *s, size_t n, char *err, size_t errlen)
{
	size_t i = 0;
	if (n > 0 && s[0] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i == n || i < 3)
			goto bad;
		for (size_t j = 1; j < i; j++)
			if (!isxdigit((unsigned char)s[j]) && s[j] != ':' && s[j] != '.')
				goto bad;
		i++;
	} else {
		while (i < n && zk_host_char(s[i]))
			i++;
		if (i == 0)
			goto bad;
	}
	if (i >= n || s[i] != ':' || n - i - 1 == 0 || n - i - 1 > 5)
		goto bad;
	long port = 0;
	for (size_t j = i + 1; j < n; j++) {
		if (!isdigit((unsigned char)s[j]))
			goto bad;
		port = port * 10 + (s[j] - '0');
	}
	if (port < 1 || port > 65535)
		return conf_fail(err, errlen, "server '%.*s': port must be 1-65535", (int)n, s);
	return 0;
bad:
	return conf_fail(err, errlen, "server '%.*s' is not host:port", (int)n, s);
}

/* zookeeper.connect: host:port[,host:port...][/chroot]. */
int conf_check_zk_connect(const char *v, char *err, size_t errlen)
{
	const char *chroot = strchr(v, '/');
	size_t servers = chroot ? (size_t)(chroot - v) : strlen(v);
	if (servers == 0)
		return conf_fail(err, errlen, "'%s' has no host:port", v);
	const char *p = v;
	while (p < v + servers) {
		const char *comma = memchr(p, ',', (size_t)(v + servers - p));
		size_t len = comma ? (size_t)(comma - p) : (size_t)(v + servers - p);
		if (zk_check_server(p, len, err, errlen) != 0)
			return -1;
		if (!comma)
			break;
		p = comma + 1;
		if (p == v + servers)
			return conf_fail(err, errlen, "'%s' ends its server list with ','", v);
	}
	return chroot ? zk_check_chroot(chroot, err, errlen) : 0;
}

/* ---- Values from a fixed set ------------------------------------------------------------ */

static const char *const cleanup_policies[] = {"compact", "delete"};
static const char *const compression_types[] = {"uncompressed", "zstd", "lz4", "snappy", "gzip",
                                                 "producer"};
static const char *const timestamp_types[] = {"CreateTime", "LogAppendTime"};

static bool one_of(const char *v, size_t n, const char *const *set, size_t nset)
{
	for (size_t i = 0; i < nset; i++)
		if (strlen(set[i]) == n && strncmp(v, set[i], n) == 0)
			return true;
	return false;
}

static void join(const char *const *set, size_t nset, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < nset && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", set[i]);
}

static int check_one_of(const char *v, const char *const *set, size_t nset, char *err,
                        size_t errlen)
{
	if (one_of(v, strlen(v), set, nset))
		return 0;
	char all[128];
	join(set, nset, all, sizeof(all));
	return conf_fail(err, errlen, "'%.64s' is not one of %s", v, all);
}

int conf_check_compression_type(const char *v, char *err, size_t errlen)
{
	return check_one_of(v, compression_types, KB_ARRAY_LEN(compression_types), err, errlen);
}

int conf_check_timestamp_type(const char *v, char *err, size_t errlen)
{
	return check_one_of(v, timestamp_types, KB_ARRAY_LEN(timestamp_types), err, errlen);
}

static int check_double(const char *v, double lo, double hi, bool lo_open, const char *range,
                        char *err, size_t errlen)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (end == v || *end != '\0' || errno == ERANGE || !isfinite(d) || d < lo || d > hi ||
	    (lo_open && d == lo))
		return conf_fail(err, errlen, "'%.64s' is not a number in %s", v, range);
	return 0;
}

int conf_check_ratio(const char *v, char *err, size_t errlen)
{
	return check_double(v, 0, 1, false, "[0, 1]", err, errlen);
}

int conf_check_load_factor(const char *v, char *err, size_t errlen)
{
	return check_double(v, 0, 1, true, "(0, 1]", err, errlen);
}

int conf_check_positive_double(const char *v, char *err, size_t errlen)
{
	return check_double(v, 0, DBL_MAX, true, "(0, 1.7976931348623157E308]", err, errlen);
}

double conf_double(const char *v)
{
	return v ? strtod(v, NULL) : 0;
}

/* A comma-separated list of compact and/or delete (blanks around items allowed). */
int conf_check_cleanup_policy(const char *v, char *err, size_t errlen)
{
	const char *p = v;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		size_t n = strcspn(p, ",");
		while (n > 0 && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0)
			return conf_fail(err, errlen, "'%.64s' has an empty item", v);
		if (!one_of(p, n, cleanup_policies, KB_ARRAY_LEN(cleanup_policies)))
			return conf_fail(err, errlen, "'%.*s' is not one of compact, delete",
			               (int)KB_MIN(n, 64), p);
		p += strcspn(p, ",");
		if (*p == '\0')
			return 0;
		p++;
	}
}

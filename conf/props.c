/* props.c — the Java .properties reader behind conf_load (see conf_int.h).
 *
 * Properties syntax (the subset of java.util.Properties that server.properties files use):
 * a logical line is `key=value`, `key: value` or `key value` — the key ends at its first
 * unescaped '=', ':' or blank, and blanks around the separator are skipped. Leading blanks
 * are ignored; blank lines and lines starting with '#' or '!' are comments. A line ending in
 * an odd number of backslashes continues on the next line, whose leading blanks are dropped.
 * Escapes: \t \n \r \f \uXXXX, and a backslash before any other character stands for that
 * character (\\ \= \: \# \ ). Lines end in \n, \r\n or \r. Unlike Java, trailing blanks of a
 * value are dropped (as Kafka itself trims every value), and a physical or logical line
 * longer than KB_CONF_MAX_LINE bytes is an error. Bytes are taken as they are (UTF-8).
 */
#include "conf_int.h"

#include "../common/limits.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

/* Reads one physical line without its terminator. Returns 1, 0 at end of file, -1 if the
 * line is too long. */
static int read_physical(struct props_reader *r, size_t *len)
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

static int too_long(const struct props_reader *r, int line, char *err, size_t errlen)
{
	return conf_fail(err, errlen, "%s:%d: line longer than %d bytes", r->path, line,
	            KB_CONF_MAX_LINE);
}

/* Appends physical text (blanks skipped at its start) to the logical line. Returns whether
 * the logical line continues. */
static int append_physical(struct props_reader *r, size_t n, bool *more, char *err, size_t errlen)
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
static int read_logical(struct props_reader *r, char *err, size_t errlen)
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

int props_open(struct props_reader *r, const char *path, char *err, size_t errlen)
{
	*r = (struct props_reader){.path = path};
	r->f = fopen(path, "r");
	if (!r->f)
		return conf_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	r->phys = kb_malloc(KB_CONF_MAX_LINE + 1);
	r->logical = kb_malloc(KB_CONF_MAX_LINE + 1);
	r->key = kb_malloc(KB_CONF_MAX_LINE + 1);
	r->val = kb_malloc(KB_CONF_MAX_LINE + 1);
	return 0;
}

int props_next(struct props_reader *r, char *err, size_t errlen)
{
	int got = read_logical(r, err, errlen);
	if (got == 0 && ferror(r->f))
		return conf_fail(err, errlen, "%s: read error", r->path);
	if (got <= 0)
		return got;
	if (split_line(r->logical, r->len, r->key, r->val) != 0)
		return conf_fail(err, errlen, "%s:%d: malformed \\uXXXX escape", r->path, r->start);
	return 1;
}

void props_close(struct props_reader *r)
{
	kb_free(r->phys);
	kb_free(r->logical);
	kb_free(r->key);
	kb_free(r->val);
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}

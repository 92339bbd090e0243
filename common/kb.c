/* kb.c — allocation wrappers, panic and clocks. */
#include "kb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void kb_panic(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "PANIC %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void kb_dcheck_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "PANIC %s:%d: invariant failed: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void *oom(size_t n)
{
	kb_panic(__FILE__, __LINE__, "out of memory allocating %zu bytes", n);
}

void *kb_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom(n);
}

void *kb_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	return p ? p : oom(count * size);
}

void *kb_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom(n);
}

void *kb_grow(void *p, size_t *cap, size_t need, size_t elem, size_t init, size_t max)
{
	size_t c = KB_MAX(*cap, KB_MAX(init, (size_t)1));

	if (need > max || (elem && need > SIZE_MAX / elem))
		kb_panic(__FILE__, __LINE__, "array of %zu x %zu bytes past its bound %zu", need, elem,
		         max);
	while (c < need)
		c = c > max / 2 ? max : c * 2;
	c = KB_MIN(c, KB_MAX(max, need));
	if (elem && c > SIZE_MAX / elem)
		c = need; /* doubling would overflow the byte size; need itself fits */
	*cap = c;
	return kb_realloc(p, c * elem);
}

char *kb_strdup(const char *s)
{
	return kb_strndup(s, strlen(s));
}

char *kb_strndup(const char *s, size_t n)
{
	char *d = kb_malloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

int64_t kb_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kb_mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t kb_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool kb_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	const char *p = s[0] == '-' ? s + 1 : s;
	if (*p < '0' || *p > '9')
		return false; /* empty, blank, '+', or a lone '-' */
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

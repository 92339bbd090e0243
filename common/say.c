/* say.c — diagnostics to stderr, one line per call. */
#include "say.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

enum say_level say_min_level = SAY_INFO;

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void say_at(enum say_level level, const char *module, const char *fmt, ...)
{
	if (level < say_min_level)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	char line[2048];
	int n = snprintf(line, sizeof(line), "%s.%03ldZ %-5s [%s] ", when, ts.tv_nsec / 1000000,
	                 level_names[level], module);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

bool say_ratelimit_ok(struct say_ratelimit *rl)
{
	enum { PER_SECOND = 5 };
	int64_t now = kb_mono_ms();
	if (now - rl->window_ms >= 1000) {
		if (rl->suppressed > 0)
			say_at(SAY_WARN, "say", "%d similar lines suppressed", rl->suppressed);
		rl->window_ms = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count < PER_SECOND) {
		rl->count++;
		return true;
	}
	rl->suppressed++;
	return false;
}

/* say.h — diagnostics to stderr. ("log" means the commit log in this project, so the
 * diagnostic functions are called say_*.)  Each line: ISO time, level, module, message. */
#ifndef KB_SAY_H
#define KB_SAY_H

#include "kb.h"

enum say_level { SAY_DEBUG = 0, SAY_INFO = 1, SAY_WARN = 2, SAY_ERROR = 3 };

/* Lines below this level are dropped; default SAY_INFO, KB_DEBUG=1 in the environment
 * lowers it to SAY_DEBUG. */
extern enum say_level say_min_level;

void say_at(enum say_level level, const char *module, const char *fmt, ...) KB_PRINTF(3, 4);

#define say_debug(mod, ...) say_at(SAY_DEBUG, mod, __VA_ARGS__)
#define say_info(mod, ...) say_at(SAY_INFO, mod, __VA_ARGS__)
#define say_warn(mod, ...) say_at(SAY_WARN, mod, __VA_ARGS__)
#define say_error(mod, ...) say_at(SAY_ERROR, mod, __VA_ARGS__)

/* Rate-limited variant for anything a remote peer can trigger (malformed input): at most
 * `per_sec` lines per second per call site, the rest are counted and summarised. */
#define say_ratelimited(level, mod, ...)                                                    \
	do {                                                                                   \
		static struct say_ratelimit say_rl_;                                               \
		if (say_ratelimit_ok(&say_rl_))                                                    \
			say_at(level, mod, __VA_ARGS__);                                               \
	} while (0)

struct say_ratelimit {
	int64_t window_ms;
	int count;
	int suppressed;
};
bool say_ratelimit_ok(struct say_ratelimit *rl);

#endif

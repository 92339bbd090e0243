/* kb.h — the few types, macros and allocation wrappers every kbroker module uses.
 *
 * Conventions (see README "Conventions"):
 *   - action functions return 0 on success or a negative error code; predicates return bool;
 *   - allocation goes through kb_malloc/kb_calloc/kb_realloc/kb_strdup, which abort on OOM.
 *     Sizes that come from the network are bounded before they reach an allocator, so OOM
 *     cannot be triggered by a client;
 *   - KB_ASSERT is for our own invariants only, never for bad input.
 */
#ifndef KB_KB_H
#define KB_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define KB_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KB_MAX(a, b) ((a) > (b) ? (a) : (b))
#define KB_UNUSED(x) ((void)(x))

#if defined(__GNUC__)
#define KB_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define KB_NORETURN __attribute__((noreturn))
#define KB_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define KB_PRINTF(fmt, args)
#define KB_NORETURN
#define KB_WARN_UNUSED
#endif

KB_NORETURN void kb_panic(const char *file, int line, const char *fmt, ...) KB_PRINTF(3, 4);

/* Always-on assertion for cheap invariants of our own state. */
#define KB_ASSERT(cond)                                                                    \
	do {                                                                                   \
		if (!(cond))                                                                       \
			kb_panic(__FILE__, __LINE__, "assertion failed: %s", #cond);                   \
	} while (0)

/* Run-time invariant checks of the sanitizer build (make SAN=1 defines KB_DEBUG_CHECKS=1):
 * KB_DCHECK(cond, fmt, ...) panics with file:line, the condition and a message when cond is
 * false; in other builds it compiles to nothing (cond and the arguments are not evaluated,
 * so they may be costly or name debug-only helpers). For our own state only, never input.
 * KB_DEBUG_ONLY(stmt) keeps bookkeeping those checks need out of other builds. */
#ifndef KB_DEBUG_CHECKS
#define KB_DEBUG_CHECKS 0
#endif
#if KB_DEBUG_CHECKS
#define KB_DCHECK(cond, ...)                                                               \
	do {                                                                                   \
		if (!(cond))                                                                       \
			kb_dcheck_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                        \
	} while (0)
#define KB_DEBUG_ONLY(stmt) stmt
#else
#define KB_DCHECK(cond, ...) ((void)0)
#define KB_DEBUG_ONLY(stmt)
#endif
KB_NORETURN void kb_dcheck_fail(const char *file, int line, const char *cond, const char *fmt,
                                ...) KB_PRINTF(4, 5);

void *kb_malloc(size_t n);
void *kb_calloc(size_t count, size_t size);
void *kb_realloc(void *p, size_t n);
char *kb_strdup(const char *s);
char *kb_strndup(const char *s, size_t n);
#define kb_free(p) free(p)

/* Monotonic clock in milliseconds, and wall clock in milliseconds since the epoch. */
int64_t kb_mono_ms(void);
int64_t kb_wall_ms(void);

#include <stdlib.h>

#endif

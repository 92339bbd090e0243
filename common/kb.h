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
/* On a mutator whose result matters (log/, coord/): the compiler flags every caller that
 * ignores it. Ignoring one on purpose takes KB_IGNORED(call) AND a comment saying why (GCC
 * does not accept a (void) cast for these). */
#define KB_MUST_USE __attribute__((warn_unused_result))
#else
#define KB_PRINTF(fmt, args)
#define KB_NORETURN
#define KB_WARN_UNUSED
#define KB_MUST_USE
#endif

/* The result of a KB_MUST_USE call, dropped on purpose: say why next to it. */
#define KB_IGNORED(call)                                                                   \
	do {                                                                                   \
		if (call) {                                                                        \
		}                                                                                  \
	} while (0)

KB_NORETURN void kb_panic(const char *file, int line, const char *fmt, ...) KB_PRINTF(3, 4);

/* Always-on assertion for cheap invariants of our own state. */
#define KB_ASSERT(cond)                                                                    \
	do {                                                                                   \
		if (!(cond))                                                                       \
			kb_panic(__FILE__, __LINE__, "assertion failed: %s", #cond);                   \
	} while (0)

void *kb_malloc(size_t n);
void *kb_calloc(size_t count, size_t size);
void *kb_realloc(void *p, size_t n);
char *kb_strdup(const char *s);
char *kb_strndup(const char *s, size_t n);
#define kb_free(p) free(p)

/* Strict decimal integer: optional '-', then digits only (no blanks, '+', or trailing
 * characters), no overflow, within [lo, hi]. Returns false (and leaves *out alone)
 * otherwise. For every number read from a file, a znode, a config or a name. */
bool kb_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* Monotonic clock in milliseconds, and wall clock in milliseconds since the epoch. */
int64_t kb_mono_ms(void);
int64_t kb_wall_ms(void);

#include <stdlib.h>

#endif

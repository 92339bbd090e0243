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

#include <limits.h>
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

/* Grows an array by doubling: returns p reallocated to hold at least `need` elements of
 * `elem` bytes, with *cap (the capacity, in elements) doubled from max(*cap, init) until it
 * covers need, clamped to `max`. need must be <= max and need * elem must fit in size_t:
 * callers bound what a request controls first, so a violation is our bug (kb_panic). */
void *kb_grow(void *p, size_t *cap, size_t need, size_t elem, size_t init, size_t max);

/* KB_GROW(arr, cap, need, init): makes room for `need` elements in the array `arr` whose
 * capacity field `cap` is an int or a size_t (its type bounds the capacity). */
#define KB_CAP_MAX(cap) _Generic((cap), int: (size_t)INT_MAX, default: SIZE_MAX)
#define KB_GROW(arr, cap, need, init)                                                      \
	do {                                                                                   \
		if ((size_t)(need) > (size_t)(cap)) {                                              \
			size_t kb_cap_ = (size_t)(cap);                                                \
			(arr) = kb_grow((arr), &kb_cap_, (size_t)(need), sizeof(*(arr)), (init),      \
			                KB_CAP_MAX(cap));                                              \
			(cap) = kb_cap_;                                                               \
		}                                                                                  \
	} while (0)
/* Strict decimal integer: optional '-', then digits only (no blanks, '+', or trailing
 * characters), no overflow, within [lo, hi]. Returns false (and leaves *out alone)
 * otherwise. For every number read from a file, a znode, a config or a name. */
bool kb_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* Monotonic clock in milliseconds (and microseconds), and wall clock in milliseconds since
 * the epoch. */
int64_t kb_mono_ms(void);
int64_t kb_mono_us(void);
int64_t kb_wall_ms(void);

#include <stdlib.h>

#endif

/* arena.h — a bump allocator for per-request memory (decoded requests and the responses
 * built from them). Everything is freed at once with arena_destroy. The arena has a ceiling:
 * an allocation that would take it past `max` bytes returns NULL instead of growing, which is
 * how decoders turn a hostile declared length into an error rather than unbounded memory. */
#ifndef KB_ARENA_H
#define KB_ARENA_H

#include "kb.h"

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used;  /* bytes handed out, for the ceiling */
	size_t max;   /* ceiling on `used` */
};

void arena_init(struct arena *a, size_t max);
void arena_destroy(struct arena *a);
/* Returns n zeroed bytes aligned to 8, or NULL when the ceiling would be crossed. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies a string of n bytes into the arena, NUL-terminated; NULL past the ceiling. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

#endif

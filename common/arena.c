/* arena.c — capped bump allocator (see arena.h).
 *
 * Design points:
 *   - Memory comes in chunks (a singly linked list, newest first); allocations bump a cursor
 *     inside the newest chunk and are never freed one by one.
 *   - The ceiling is checked BEFORE any malloc: `used` counts the (8-rounded) bytes handed
 *     out, and a request that would take it past `max` returns NULL. A chunk is also never
 *     sized beyond what the ceiling still allows, so a small arena never mallocs a big chunk.
 *   - Chunks are calloc'ed and the cursor only moves forward, so every allocation is zeroed.
 *     Chunk payloads start on a max_align_t boundary and sizes are rounded to 8, so every
 *     allocation is 8-aligned.
 */
#include "arena.h"

#include <string.h>

#define ARENA_CHUNK_BYTES 8192
#define ARENA_ALIGN 8

struct arena_chunk {
	struct arena_chunk *next;
	size_t cap; /* payload bytes */
	size_t pos; /* payload bytes handed out */
	max_align_t mem[];
};

void arena_init(struct arena *a, size_t max)
{
	a->head = NULL;
	a->used = 0;
	a->max = max;
}

void arena_destroy(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *next = c->next;
		kb_free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}

/* Adds a chunk able to hold at least n bytes (n is 8-rounded and within the ceiling). A large
 * request gets a chunk of its own, linked behind the current one so that the space left in
 * the current chunk keeps serving small requests. */
static struct arena_chunk *arena_add_chunk(struct arena *a, size_t n)
{
	size_t cap = KB_MIN((size_t)ARENA_CHUNK_BYTES, a->max - a->used);
	bool own = n > ARENA_CHUNK_BYTES / 4;

	cap = KB_MAX(cap, n);
	if (own)
		cap = n;
	struct arena_chunk *c = kb_calloc(1, sizeof(*c) + cap);
	c->cap = cap;
	c->pos = 0;
	if (own && a->head) {
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
	if (n == 0)
		n = 1; /* every call returns a distinct, valid pointer */
	if (n > SIZE_MAX - (ARENA_ALIGN - 1))
		return NULL;
	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n > a->max - a->used)
		return NULL;

	struct arena_chunk *c = a->head;
	if (!c || c->cap - c->pos < n)
		c = arena_add_chunk(a, n);
	void *p = (char *)c->mem + c->pos;
	c->pos += n;
	a->used += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *d = arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

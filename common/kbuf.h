/* kbuf.h — a growable byte buffer with a hard ceiling (curl's dynbuf idea).
 *
 * Invariants: len <= cap <= max (once allocated); data is NULL iff cap == 0.
 * Growing past `max` fails: the buffer sets its sticky `err` flag, the write is dropped, and
 * every later write is a no-op, so writers can emit a run of fields and check `err` once.
 */
#ifndef KB_KBUF_H
#define KB_KBUF_H

#include "kb.h"

struct kbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	bool err;
};

void kbuf_init(struct kbuf *b, size_t max);
void kbuf_free(struct kbuf *b);
/* Empties the buffer, keeping its memory and ceiling; clears err. */
void kbuf_reset(struct kbuf *b);
/* Appends n bytes of room and returns a pointer to them, or NULL (err set) past max. */
uint8_t *kbuf_extend(struct kbuf *b, size_t n);
void kbuf_append(struct kbuf *b, const void *p, size_t n);
/* Hands the bytes to the caller (who frees them with free()); the buffer becomes empty. */
uint8_t *kbuf_detach(struct kbuf *b, size_t *len);

#endif

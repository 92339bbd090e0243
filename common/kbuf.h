/* kbuf.h — a growable byte buffer with a hard ceiling (curl's dynbuf idea).
 *
 * Invariants: len <= cap <= max (once allocated); data is NULL iff cap == 0.
 * Growing past `max` fails: the buffer sets its sticky `err` flag, the write is dropped, and
 * every later write is a no-op, so writers can emit a run of fields and check `err` once.
 */
#ifndef KB_KBUF_H
#define KB_KBUF_H

#include "kb.h"

/* Bytes that belong at `pos` in the output but are not in the buffer (a file range sent by
 * sendfile): the encoder wrote their length prefix and left `len` bytes for the caller to
 * splice in from `src`. */
struct kbuf_ext {
	size_t pos;
	size_t len;
	const void *src;
};

struct kbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
	bool err;
	struct kbuf_ext *ext;   /* in ascending pos order */
	int next, ext_cap;
	size_t ext_bytes;       /* sum of ext[].len (counts toward the frame size) */
};

void kbuf_init(struct kbuf *b, size_t max);
void kbuf_free(struct kbuf *b);
/* Empties the buffer, keeping its memory and ceiling; clears err. */
void kbuf_reset(struct kbuf *b);
/* Appends n bytes of room and returns a pointer to them, or NULL (err set) past max. */
uint8_t *kbuf_extend(struct kbuf *b, size_t n);
void kbuf_append(struct kbuf *b, const void *p, size_t n);
/* Notes `len` external bytes from `src` at the current end of the buffer. */
void kbuf_add_ext(struct kbuf *b, const void *src, size_t len);
/* Hands the bytes to the caller (who frees them with free()); the buffer becomes empty. */
uint8_t *kbuf_detach(struct kbuf *b, size_t *len);

#endif

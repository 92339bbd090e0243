/* legacy.c — magic 0/1 MessageSets: parsing, encoding, up- and down-conversion (see
 * legacy.h for the rules and the choices made).
 *
 * Up-conversion collects the messages (plain ones, and the inner messages of each
 * decompressed wrapper) into an array of `lrec` pointing into the input or into the
 * decompressed inner sets, which stay alive until the batch is built by rc_batch_build().
 * Memory: the input, the decompressed inner sets (all together <= max_out), the array (one
 * entry per message of >= 26 bytes of input or inner set) and the output (<= max_out).
 */
#include "legacy.h"

#include <string.h>
#include <zlib.h>

#include "log_int.h"
#include "records.h"

/* ---- Parsing and encoding ----------------------------------------------------------------- */

/* Nullable BYTES with int32 length at *q inside [.., end). */
static bool legacy_bytes(const uint8_t **q, const uint8_t *end, const uint8_t **data,
                         int32_t *len)
{
	if (end - *q < 4)
		return false;
	*len = (int32_t)be32_get(*q);
	*q += 4;
	if (*len < -1 || *len > end - *q)
		return false;
	*data = *len < 0 ? NULL : *q;
	if (*len > 0)
		*q += *len;
	return true;
}

int rc_legacy_next(const uint8_t **p, const uint8_t *end, struct rc_legacy_msg *m)
{
	const uint8_t *e = *p;
	size_t avail = (size_t)(end - e);
	if (avail == 0)
		return 0;
	if (avail < RC_LEGACY_LOG_OVERHEAD)
		return RC_ERR_CORRUPT;
	int32_t size = (int32_t)be32_get(e + 8);
	if (size < RC_LEGACY_V0_MIN || (size_t)size > avail - RC_LEGACY_LOG_OVERHEAD)
		return RC_ERR_CORRUPT;
	const uint8_t *msg = e + RC_LEGACY_LOG_OVERHEAD, *mend = msg + size;
	if (crc32(0, msg + 4, (uInt)(size - 4)) != be32_get(msg))
		return RC_ERR_CORRUPT;
	m->offset = (int64_t)be64_get(e);
	m->magic = (int8_t)msg[4];
	m->attributes = (int8_t)msg[5];
	if (m->magic != 0 && m->magic != 1)
		return RC_ERR_INVALID;
	if (m->magic == 1 && size < RC_LEGACY_V1_MIN)
		return RC_ERR_CORRUPT;
	m->timestamp = m->magic ? (int64_t)be64_get(msg + 6) : -1;
	const uint8_t *q = msg + (m->magic ? 14 : 6);
	if (!legacy_bytes(&q, mend, &m->key, &m->key_len) ||
	    !legacy_bytes(&q, mend, &m->value, &m->value_len) || q != mend)
		return RC_ERR_CORRUPT;
	*p = mend;
	return 1;
}

void rc_legacy_append(struct kbuf *b, int magic, int64_t offset, int8_t attributes,
                      int64_t timestamp, const uint8_t *key, int32_t key_len,
                      const uint8_t *value, int32_t value_len)
{
	size_t kl = key_len > 0 ? (size_t)key_len : 0, vl = value_len > 0 ? (size_t)value_len : 0;
	size_t msize = (magic ? RC_LEGACY_V1_MIN : RC_LEGACY_V0_MIN) + kl + vl;
	if (msize > INT32_MAX) {
		b->err = true;
		return;
	}
	uint8_t *p = kbuf_extend(b, RC_LEGACY_LOG_OVERHEAD + msize);
	if (!p)
		return;
	be64_put(p, (uint64_t)offset);
	be32_put(p + 8, (uint32_t)msize);
	uint8_t *msg = p + RC_LEGACY_LOG_OVERHEAD, *q = msg + 4;
	*q++ = (uint8_t)magic;
	*q++ = (uint8_t)attributes;
	if (magic) {
		be64_put(q, (uint64_t)timestamp);
		q += 8;
	}
	be32_put(q, (uint32_t)(key_len < 0 ? -1 : key_len));
	if (kl)
		memcpy(q + 4, key, kl);
	q += 4 + kl;
	be32_put(q, (uint32_t)(value_len < 0 ? -1 : value_len));
	if (vl)
		memcpy(q + 4, value, vl);
	be32_put(msg, (uint32_t)crc32(0, msg + 4, (uInt)(msize - 4)));
}

/* ---- Up-conversion -------------------------------------------------------------------------- */

struct lrec {
	int64_t offset;
	int64_t timestamp;
	const uint8_t *key;
	int32_t key_len;
	const uint8_t *value;
	int32_t value_len;
};

struct upconv {
	struct lrec *recs;
	size_t n, cap;
	uint8_t **bufs; /* decompressed inner sets */
	size_t nbufs, bcap;
	int magic;      /* of the first message; -1 before */
	int codec;      /* of the last wrapper */
	bool lat;       /* some message had LogAppendTime */
	int64_t now_ms;
	size_t budget;  /* decompression allowance left */
};

static void up_add(struct upconv *c, const struct rc_legacy_msg *m, int64_t ts)
{
	KB_GROW(c->recs, c->cap, c->n + 1, 64);
	c->recs[c->n++] = (struct lrec){.offset = m->offset, .timestamp = ts, .key = m->key,
	                                .key_len = m->key_len, .value = m->value,
	                                .value_len = m->value_len};
}

static void up_keep(struct upconv *c, uint8_t *buf)
{
	KB_GROW(c->bufs, c->bcap, c->nbufs + 1, 8);
	c->bufs[c->nbufs++] = buf;
}

/* The timestamp a record gets: see legacy.h. `attrs` carries the governing timestamp type
 * (the message's own, or its wrapper's for an inner message). */
static int64_t up_timestamp(struct upconv *c, int magic, int8_t attrs, int64_t ts)
{
	if (magic == 0)
		return -1;
	if (attrs & RC_LEGACY_ATTR_LOG_APPEND_TIME) {
		c->lat = true;
		return c->now_ms;
	}
	return ts;
}

/* v1 wrappers: inner offsets are relative; make them absolute (Kafka's rule). */
static int up_fix_offsets(struct upconv *c, size_t first, int64_t wrapper_offset)
{
	int64_t last = c->recs[c->n - 1].offset;
	if (last < 0 || wrapper_offset < last)
		return RC_OK; /* offsets stay as sent */
	int64_t base = wrapper_offset - last;
	for (size_t i = first; i < c->n; i++)
		if (__builtin_add_overflow(c->recs[i].offset, base, &c->recs[i].offset))
			return RC_ERR_INVALID;
	return RC_OK;
}

static int up_inner(struct upconv *c, const struct rc_legacy_msg *w, const uint8_t *set,
                    size_t len)
{
	const uint8_t *q = set, *end = set + len;
	struct rc_legacy_msg m;
	size_t first = c->n;
	int r;
	while ((r = rc_legacy_next(&q, end, &m)) == 1) {
		if (m.magic != w->magic || (m.attributes & RB_ATTR_CODEC_MASK))
			return RC_ERR_INVALID; /* magic mismatch, or nested compression */
		up_add(c, &m, up_timestamp(c, m.magic, w->attributes, m.timestamp));
	}
	if (r < 0)
		return r;
	if (c->n == first)
		return RC_ERR_INVALID; /* a wrapper with no inner messages */
	return w->magic == 1 ? up_fix_offsets(c, first, w->offset) : RC_OK;
}

static int up_wrapper(struct upconv *c, const struct rc_legacy_msg *w)
{
	int codec = w->attributes & RB_ATTR_CODEC_MASK;
	if (codec > RC_CODEC_LZ4)
		return RC_ERR_CODEC; /* zstd needs magic 2; 5-7 are undefined */
	if (!w->value)
		return RC_ERR_INVALID;
	uint8_t *set;
	size_t len;
	int rc = rc_decompress(codec, w->value, (size_t)w->value_len, c->budget, &set, &len);
	if (rc != RC_OK)
		return rc;
	up_keep(c, set);
	c->budget -= len;
	c->codec = codec;
	return up_inner(c, w, set, len);
}

static int up_message(struct upconv *c, const struct rc_legacy_msg *m)
{
	if (c->magic < 0)
		c->magic = m->magic;
	else if (m->magic != c->magic)
		return RC_ERR_INVALID;
	if (m->attributes & RB_ATTR_CODEC_MASK)
		return up_wrapper(c, m);
	up_add(c, m, up_timestamp(c, m->magic, m->attributes, m->timestamp));
	return RC_OK;
}

static int up_build(struct upconv *c, size_t max_out, uint8_t **out, size_t *out_len)
{
	if (c->n == 0)
		return RC_ERR_INVALID;
	if (c->n > INT32_MAX)
		return RC_ERR_TOO_BIG;
	struct rc_build_record *br = kb_calloc(c->n, sizeof(*br));
	for (size_t i = 0; i < c->n; i++) {
		const struct lrec *l = &c->recs[i];
		br[i] = (struct rc_build_record){
			.offset_delta = (int32_t)i,
			.timestamp = c->lat ? c->now_ms : l->timestamp,
			.key = l->key, .key_len = l->key_len,
			.value = l->value, .value_len = l->value_len,
		};
	}
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	bp.base_offset = c->recs[0].offset;
	if (c->lat) {
		bp.attributes = RB_ATTR_LOG_APPEND_TIME;
		bp.log_append_time = c->now_ms;
	}
	int rc = rc_batch_build(&bp, br, (int32_t)c->n, c->codec, max_out, out, out_len);
	kb_free(br);
	return rc;
}

int rc_legacy_to_v2(const uint8_t *msgset, size_t len, int64_t now_ms, size_t max_out,
                    uint8_t **out, size_t *out_len, int *error)
{
	struct upconv c = {.magic = -1, .now_ms = now_ms, .budget = max_out};
	const uint8_t *p = msgset, *end = msgset + len;
	struct rc_legacy_msg m;
	int r;
	*out = NULL;
	*out_len = 0;
	while ((r = rc_legacy_next(&p, end, &m)) == 1)
		if ((r = up_message(&c, &m)) != RC_OK)
			break;
	if (r == 0)
		r = up_build(&c, max_out, out, out_len);
	for (size_t i = 0; i < c.nbufs; i++)
		kb_free(c.bufs[i]);
	kb_free(c.bufs);
	kb_free(c.recs);
	*error = rc_err_to_kafka(r);
	return r;
}

/* ---- Down-conversion ------------------------------------------------------------------------ */

static int down_batch(struct kbuf *b, const uint8_t *batch, size_t size, int magic,
                      size_t max_out)
{
	struct rc_iter it;
	struct rc_record r;
	int rc = rc_iter_init(&it, batch, size, max_out);
	if (rc != RC_OK)
		return rc;
	int8_t attrs = magic == 1 && (it.attributes & RB_ATTR_LOG_APPEND_TIME)
	                       ? RC_LEGACY_ATTR_LOG_APPEND_TIME
	                       : 0;
	while ((rc = rc_iter_next(&it, &r)) == 1)
		rc_legacy_append(b, magic, r.offset, attrs, r.timestamp, r.key, r.key_len, r.value,
		                 r.value_len);
	rc_iter_free(&it);
	if (rc == 0 && b->err)
		rc = RC_ERR_TOO_BIG;
	return rc;
}

int rc_v2_to_legacy(const uint8_t *batches, size_t len, int magic, size_t max_out,
                    uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (magic != 0 && magic != 1)
		return RC_ERR_INVALID;
	struct kbuf b;
	kbuf_init(&b, max_out);
	int rc = RC_OK;
	size_t pos = 0;
	while (rc == RC_OK && len - pos >= RB_HEADER_SIZE) {
		const uint8_t *p = batches + pos;
		struct rb_hdr h;
		int hr = rb_header_parse(p, len - pos, &h);
		if (hr == RB_HDR_BAD) {
			rc = RC_ERR_CORRUPT;
			break;
		}
		if (hr != RB_HDR_OK)
			break; /* partial tail */
		size_t size = (size_t)h.size;
		if (!(h.attrs & RB_ATTR_CONTROL))
			rc = down_batch(&b, p, size, magic, max_out);
		pos += size;
	}
	if (rc != RC_OK) {
		kbuf_free(&b);
		return rc;
	}
	*out = kbuf_detach(&b, out_len);
	return RC_OK;
}

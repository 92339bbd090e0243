/* records.c — iterating, building and recompressing the records of magic-2 batches (see
 * records.h).
 *
 * Record (kafka-protocol.md §4.2), all varints zig-zag:
 *   length varint (bytes after it) | attributes int8 | timestampDelta varlong |
 *   offsetDelta varint | keyLength varint (-1 null) key | valueLength varint (-1 null) value |
 *   headerCount varint | headers: keyLength varint (>= 0) key, valueLength varint (-1 null) value
 *
 * Reading rules (Kafka's DefaultRecord.readFrom, made strict): a varint is at most 5 bytes
 * (varlong 10) and may not carry bits past 32 (64); every length is checked against the end
 * of its record before use; the fields must fill the record's length exactly; the batch must
 * hold exactly recordsCount records and nothing after them. Any violation is RC_ERR_INVALID.
 */
#include "records.h"

#include <string.h>

#include "log_int.h"
#include "../common/varint.h"

/* ---- Varints (common/varint.h) --------------------------------------------------------- */

static bool rd_varint(const uint8_t **p, const uint8_t *end, int32_t *v)
{
	return kb_varint32_read(p, end, v) == KB_VAR_OK;
}

static bool rd_varlong(const uint8_t **p, const uint8_t *end, int64_t *v)
{
	return kb_varint64_read(p, end, v) == KB_VAR_OK;
}

/* Nullable bytes: varint length (-1 = null) then the bytes, within [*p, end). */
static bool rd_bytes(const uint8_t **p, const uint8_t *end, const uint8_t **data, int32_t *len)
{
	if (!rd_varint(p, end, len) || *len < -1 || *len > end - *p)
		return false;
	*data = *len < 0 ? NULL : *p;
	if (*len > 0)
		*p += *len;
	return true;
}

static uint8_t *put_bytes(uint8_t *p, const uint8_t *data, int32_t len)
{
	p = kb_varint_put(p, len);
	if (len > 0) {
		memcpy(p, data, (size_t)len);
		p += len;
	}
	return p;
}

/* ---- Headers ------------------------------------------------------------------------------ */

int rc_header_next(const uint8_t **p, const uint8_t *end, struct rc_header *h)
{
	const uint8_t *q = *p;
	if (!rd_bytes(&q, end, &h->key, &h->key_len) || h->key_len < 0)
		return RC_ERR_INVALID; /* header keys are not nullable */
	if (!rd_bytes(&q, end, &h->value, &h->value_len))
		return RC_ERR_INVALID;
	*p = q;
	return RC_OK;
}

void rc_headers_encode(struct kbuf *b, const struct rc_header *h, int32_t n)
{
	for (int32_t i = 0; i < n; i++) {
		int32_t kl = KB_MAX(h[i].key_len, 0), vl = KB_MAX(h[i].value_len, -1);
		size_t sz = kb_varint_size(kl) + (size_t)kl + kb_varint_size(vl) +
		            (vl > 0 ? (size_t)vl : 0);
		uint8_t *p = kbuf_extend(b, sz);
		if (!p)
			return;
		p = put_bytes(p, h[i].key, kl);
		put_bytes(p, h[i].value, vl);
	}
}

/* n headers exactly filling [p, p + len). */
static bool headers_check(const uint8_t *p, size_t len, int32_t n)
{
	if (len == 0)
		return n == 0;
	const uint8_t *end = p + len;
	struct rc_header h;
	for (int32_t i = 0; i < n; i++)
		if (rc_header_next(&p, end, &h) != RC_OK)
			return false;
	return p == end;
}

/* ---- Iteration ---------------------------------------------------------------------------- */

static void iter_fill_header(struct rc_iter *it, const struct rb_hdr *h)
{
	it->base_offset = h->base;
	it->leader_epoch = h->epoch;
	it->attributes = h->attrs;
	it->last_offset_delta = h->lod;
	it->base_timestamp = h->base_ts;
	it->max_timestamp = h->max_ts;
	it->producer_id = h->producer_id;
	it->producer_epoch = h->producer_epoch;
	it->base_sequence = h->base_seq;
	it->count = h->count;
}

int rc_iter_init(struct rc_iter *it, const uint8_t *batch, size_t len, size_t max_out)
{
	memset(it, 0, sizeof(*it));
	struct rb_hdr h;
	if (rb_header_parse(batch, len, &h) != RB_HDR_OK)
		return RC_ERR_CORRUPT;
	size_t size = (size_t)h.size;
	iter_fill_header(it, &h);
	if (it->count < 0)
		return RC_ERR_INVALID;
	int codec = it->attributes & RB_ATTR_CODEC_MASK;
	const uint8_t *body = batch + RB_HEADER_SIZE;
	size_t body_len = size - RB_HEADER_SIZE;
	if (codec > RC_CODEC_ZSTD)
		return RC_ERR_CODEC;
	if (codec == RC_CODEC_NONE) {
		it->records = body;
		it->records_len = body_len;
	} else {
		int rc = rc_decompress(codec, body, body_len, max_out, &it->owned,
		                       &it->records_len);
		if (rc != RC_OK)
			return rc;
		it->records = it->owned;
	}
	it->p = it->records;
	return RC_OK;
}

/* The fields of one record body [q, end). */
static bool record_body(const uint8_t *q, const uint8_t *end, struct rc_record *r)
{
	int64_t tsd;
	int32_t od;
	r->attributes = (int8_t)*q++;
	if (!rd_varlong(&q, end, &tsd) || !rd_varint(&q, end, &od) || od < 0)
		return false;
	r->timestamp_delta = tsd;
	r->offset_delta = od;
	if (!rd_bytes(&q, end, &r->key, &r->key_len) ||
	    !rd_bytes(&q, end, &r->value, &r->value_len) ||
	    !rd_varint(&q, end, &r->header_count) || r->header_count < 0)
		return false;
	r->headers = q;
	r->headers_len = (size_t)(end - q);
	return headers_check(q, r->headers_len, r->header_count);
}

int rc_iter_next(struct rc_iter *it, struct rc_record *r)
{
	const uint8_t *end = it->records + it->records_len, *q = it->p;
	if (it->index >= it->count)
		return q == end ? 0 : RC_ERR_INVALID;
	int32_t rlen;
	if (!rd_varint(&q, end, &rlen) || rlen < 1 || rlen > end - q)
		return RC_ERR_INVALID;
	memset(r, 0, sizeof(*r));
	if (!record_body(q, q + rlen, r))
		return RC_ERR_INVALID;
	if (__builtin_add_overflow(it->base_offset, (int64_t)r->offset_delta, &r->offset))
		return RC_ERR_INVALID;
	if (it->attributes & RB_ATTR_LOG_APPEND_TIME)
		r->timestamp = it->max_timestamp;
	else if (__builtin_add_overflow(it->base_timestamp, r->timestamp_delta, &r->timestamp))
		return RC_ERR_INVALID;
	it->p = q + rlen;
	it->index++;
	return 1;
}

void rc_iter_free(struct rc_iter *it)
{
	kb_free(it->owned);
	it->owned = NULL;
	it->records = it->p = NULL;
	it->records_len = 0;
}

/* ---- Assembling a batch ------------------------------------------------------------------ */

/* hdr: the 61 header bytes (batchLength, codec bits and CRC are set here). */
static int batch_assemble(const uint8_t *hdr, const uint8_t *recs, size_t rlen, int codec,
                          size_t max_out, uint8_t **out, size_t *out_len)
{
	uint8_t *z = NULL;
	const uint8_t *body = recs;
	size_t blen = rlen;
	if (codec != RC_CODEC_NONE) {
		int rc = rc_compress(codec, recs, rlen, &z, &blen);
		if (rc != RC_OK)
			return rc;
		body = z;
	}
	size_t total = RB_HEADER_SIZE + blen;
	if (blen > max_out - KB_MIN(max_out, (size_t)RB_HEADER_SIZE) ||
	    total - RB_LOG_OVERHEAD > INT32_MAX) {
		kb_free(z);
		return RC_ERR_TOO_BIG;
	}
	uint8_t *b = kb_malloc(total);
	memcpy(b, hdr, RB_HEADER_SIZE);
	if (blen)
		memcpy(b + RB_HEADER_SIZE, body, blen);
	kb_free(z);
	b[RB_MAGIC] = 2;
	be32_put(b + RB_LENGTH, (uint32_t)(total - RB_LOG_OVERHEAD));
	uint16_t attrs = be16_get(b + RB_ATTRIBUTES);
	be16_put(b + RB_ATTRIBUTES, (uint16_t)((attrs & ~RB_ATTR_CODEC_MASK) | codec));
	be32_put(b + RB_CRC, crc32c(0, b + RB_ATTRIBUTES, total - RB_ATTRIBUTES));
	*out = b;
	*out_len = total;
	return RC_OK;
}

int rc_batch_recompress(const uint8_t *batch, size_t len, int target_codec, size_t max_out,
                        uint8_t **out, size_t *out_len)
{
	struct rc_iter it;
	struct rc_record r;
	*out = NULL;
	*out_len = 0;
	if (target_codec < RC_CODEC_NONE || target_codec > RC_CODEC_ZSTD)
		return RC_ERR_CODEC;
	int rc = rc_iter_init(&it, batch, len, max_out);
	if (rc != RC_OK)
		return rc;
	while ((rc = rc_iter_next(&it, &r)) == 1)
		;
	if (rc == 0 && it.records_len > max_out)
		rc = RC_ERR_TOO_BIG;
	if (rc == 0)
		rc = batch_assemble(batch, it.records, it.records_len, target_codec, max_out, out,
		                    out_len);
	rc_iter_free(&it);
	return rc;
}

/* ---- Building ---------------------------------------------------------------------------- */

void rc_batch_params_default(struct rc_batch_params *bp)
{
	*bp = (struct rc_batch_params){
		.base_offset = 0,
		.leader_epoch = -1,
		.attributes = 0,
		.producer_id = -1,
		.producer_epoch = -1,
		.base_sequence = -1,
		.log_append_time = -1,
	};
}

static bool build_record_ok(const struct rc_build_record *r, int32_t prev_delta)
{
	return r->offset_delta >= 0 && r->offset_delta > prev_delta && r->key_len >= -1 &&
	       r->value_len >= -1 && r->header_count >= 0 && r->headers_len <= INT32_MAX &&
	       (r->headers_len == 0 || r->headers) && (r->key_len <= 0 || r->key) &&
	       (r->value_len <= 0 || r->value) &&
	       headers_check(r->headers, r->headers_len, r->header_count);
}

static int record_encode(struct kbuf *b, const struct rc_build_record *r, int64_t base_ts)
{
	int64_t tsd;
	if (__builtin_sub_overflow(r->timestamp, base_ts, &tsd))
		return RC_ERR_INVALID;
	size_t body = 1 + kb_varint_size(tsd) + kb_varint_size(r->offset_delta) +
	              kb_varint_size(r->key_len) + (size_t)KB_MAX(r->key_len, 0) +
	              kb_varint_size(r->value_len) + (size_t)KB_MAX(r->value_len, 0) +
	              kb_varint_size(r->header_count) + r->headers_len;
	if (body > INT32_MAX)
		return RC_ERR_TOO_BIG;
	uint8_t *p = kbuf_extend(b, kb_varint_size((int64_t)body) + body);
	if (!p)
		return RC_ERR_TOO_BIG;
	p = kb_varint_put(p, (int64_t)body);
	*p++ = 0; /* attributes */
	p = kb_varint_put(p, tsd);
	p = kb_varint_put(p, r->offset_delta);
	p = put_bytes(p, r->key, r->key_len);
	p = put_bytes(p, r->value, r->value_len);
	p = kb_varint_put(p, r->header_count);
	if (r->headers_len)
		memcpy(p, r->headers, r->headers_len);
	return RC_OK;
}

static void build_header(uint8_t *h, const struct rc_batch_params *bp,
                         const struct rc_build_record *recs, int32_t n)
{
	int64_t max_ts = recs[0].timestamp;
	for (int32_t i = 1; i < n; i++)
		max_ts = KB_MAX(max_ts, recs[i].timestamp);
	if (bp->attributes & RB_ATTR_LOG_APPEND_TIME)
		max_ts = bp->log_append_time;
	memset(h, 0, RB_HEADER_SIZE);
	be64_put(h + RB_BASE_OFFSET, (uint64_t)bp->base_offset);
	be32_put(h + RB_LEADER_EPOCH, (uint32_t)bp->leader_epoch);
	h[RB_MAGIC] = 2;
	uint16_t attrs = (uint16_t)(bp->attributes & ~(RB_ATTR_CODEC_MASK | RB_ATTR_DELETE_HORIZON));
	if (bp->delete_horizon > 0)
		attrs |= RB_ATTR_DELETE_HORIZON;
	be16_put(h + RB_ATTRIBUTES, attrs);
	be32_put(h + RB_LAST_OFFSET_DELTA, (uint32_t)recs[n - 1].offset_delta);
	be64_put(h + RB_BASE_TIMESTAMP,
	         (uint64_t)(bp->delete_horizon > 0 ? bp->delete_horizon : recs[0].timestamp));
	be64_put(h + RB_MAX_TIMESTAMP, (uint64_t)max_ts);
	be64_put(h + RB_PRODUCER_ID, (uint64_t)bp->producer_id);
	be16_put(h + RB_PRODUCER_EPOCH, (uint16_t)bp->producer_epoch);
	be32_put(h + RB_BASE_SEQUENCE, (uint32_t)bp->base_sequence);
	be32_put(h + RB_RECORDS_COUNT, (uint32_t)n);
}

int rc_batch_build(const struct rc_batch_params *bp, const struct rc_build_record *recs,
                   int32_t n, int codec, size_t max_out, uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (codec < RC_CODEC_NONE || codec > RC_CODEC_ZSTD)
		return RC_ERR_CODEC;
	if (n < 1)
		return RC_ERR_INVALID;
	struct kbuf b;
	kbuf_init(&b, max_out);
	int rc = RC_OK;
	for (int32_t i = 0; i < n && rc == RC_OK; i++) {
		if (!build_record_ok(&recs[i], i ? recs[i - 1].offset_delta : -1))
			rc = RC_ERR_INVALID;
		else
			rc = record_encode(&b, &recs[i], bp->delete_horizon > 0 ? bp->delete_horizon
			                                                         : recs[0].timestamp);
	}
	if (rc == RC_OK) {
		uint8_t hdr[RB_HEADER_SIZE];
		build_header(hdr, bp, recs, n);
		rc = batch_assemble(hdr, b.data, b.len, codec, max_out, out, out_len);
	}
	kbuf_free(&b);
	return rc;
}

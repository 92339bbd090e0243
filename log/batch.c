/* batch.c — RecordBatch (magic 2) headers: parsing, produce-time validation, walking the
 * records of one uncompressed batch (ListOffsets by timestamp), the checks of batches a
 * follower copies from its leader, and the buffered reader that reads batch headers from
 * segment files.
 *
 * Header (61 bytes, big-endian; kafka-protocol.md §4.1):
 *   off size field                   notes
 *     0    8 baseOffset              written by the broker (outside the CRC)
 *     8    4 batchLength             bytes after this field: total size - 12, >= 49
 *    12    4 partitionLeaderEpoch    written by the broker (outside the CRC)
 *    16    1 magic                   2
 *    17    4 crc                     CRC-32C of bytes 21 .. end of batch
 *    21    2 attributes              bits 0-2 codec, 3 LogAppendTime, 4 transactional, 5 control
 *    23    4 lastOffsetDelta
 *    27    8 baseTimestamp
 *    35    8 maxTimestamp
 *    43    8 producerId
 *    51    2 producerEpoch
 *    53    4 baseSequence
 *    57    4 recordsCount
 *    61      records (one compressed blob when codec != 0)
 *
 * Validation never looks at the records: header fields plus one CRC pass over the batch.
 */
#include "log_int.h"
#include "../common/varint.h"

#include <errno.h>
#include <unistd.h>

void log_config_defaults(struct log_config *c)
{
	*c = (struct log_config){
		.segment_bytes = 1073741824,
		.segment_ms = 604800000,
		.index_interval_bytes = 4096,
		.max_message_bytes = 1048588,
		.retention_ms = 604800000,
		.retention_bytes = -1,
		.flush_messages = INT64_MAX,
		.flush_ms = INT64_MAX,
		.message_timestamp_log_append = false,
		.producer_id_expiration_ms = 86400000,
	};
}

int rb_header_parse(const uint8_t *p, size_t len, struct rb_hdr *h)
{
	h->size = 0;
	if (len < RB_LOG_OVERHEAD)
		return RB_HDR_SHORT;
	int32_t blen = (int32_t)be32_get(p + RB_LENGTH);
	if (blen < RB_MIN_LENGTH || (len > RB_MAGIC && p[RB_MAGIC] != 2))
		return RB_HDR_BAD;
	h->size = (int64_t)blen + RB_LOG_OVERHEAD;
	if (len < RB_HEADER_SIZE)
		return RB_HDR_SHORT;
	h->base = (int64_t)be64_get(p + RB_BASE_OFFSET);
	h->lod = (int32_t)be32_get(p + RB_LAST_OFFSET_DELTA);
	h->last = (int64_t)((uint64_t)h->base + (uint64_t)(int64_t)h->lod); /* may wrap */
	h->max_ts = (int64_t)be64_get(p + RB_MAX_TIMESTAMP);
	h->base_ts = (int64_t)be64_get(p + RB_BASE_TIMESTAMP);
	h->producer_id = (int64_t)be64_get(p + RB_PRODUCER_ID);
	h->crc = be32_get(p + RB_CRC);
	h->count = (int32_t)be32_get(p + RB_RECORDS_COUNT);
	h->epoch = (int32_t)be32_get(p + RB_LEADER_EPOCH);
	h->base_seq = (int32_t)be32_get(p + RB_BASE_SEQUENCE);
	h->producer_epoch = (int16_t)be16_get(p + RB_PRODUCER_EPOCH);
	h->attrs = (int16_t)be16_get(p + RB_ATTRIBUTES);
	return (uint64_t)h->size > len ? RB_HDR_PARTIAL : RB_HDR_OK;
}

bool rb_hdr_offsets_ok(const struct rb_hdr *h)
{
	return h->lod >= 0 && h->base >= 0 && h->base <= INT64_MAX - h->lod;
}

/* The order follows the framing: a length that cannot be a batch is corruption even when the
 * batch is incomplete (waiting for more bytes would never help), then completeness, then the
 * header fields and the CRC. */
int rb_check_replica(const uint8_t *p, size_t avail, struct rb_hdr *h)
{
	int rc = rb_header_parse(p, avail, h);
	if (rc == RB_HDR_BAD || h->size > RB_REPLICA_MAX_SIZE)
		return KERR_CORRUPT_MESSAGE;
	if (rc != RB_HDR_OK)
		return RB_INCOMPLETE;
	if (!rb_hdr_offsets_ok(h) ||
	    crc32c(0, p + RB_ATTRIBUTES, (size_t)h->size - RB_ATTRIBUTES) != h->crc)
		return KERR_CORRUPT_MESSAGE;
	return KERR_NONE;
}

/* Bytes after the first batch: another whole batch (INVALID_RECORD, "exactly one batch"),
 * or garbage (CORRUPT_MESSAGE). */
static int trailing_bytes_error(const uint8_t *p, size_t len)
{
	struct rb_hdr h;
	return rb_header_parse(p, len, &h) == RB_HDR_OK ? KERR_INVALID_RECORD
	                                                : KERR_CORRUPT_MESSAGE;
}

static void fill_info(const struct rb_hdr *h, struct batch_info *info)
{
	*info = (struct batch_info){
		.records = h->count,
		.last_offset_delta = h->lod,
		.max_timestamp = h->max_ts,
		.base_timestamp = h->base_ts,
		.attributes = h->attrs,
		.producer_id = h->producer_id,
		.producer_epoch = h->producer_epoch,
		.base_sequence = h->base_seq,
		.size = (size_t)h->size,
	};
}

/* Order follows Kafka's: framing, size, CRC, then the fields the CRC vouches for. */
int batch_validate(const uint8_t *p, size_t len, int32_t max_message_bytes,
                   struct batch_info *info)
{
	struct rb_hdr h;
	if (rb_header_parse(p, len, &h) != RB_HDR_OK)
		return KERR_CORRUPT_MESSAGE;
	size_t size = (size_t)h.size;
	if (size < len)
		return trailing_bytes_error(p + size, len - size);
	if (max_message_bytes >= 0 && size > (size_t)max_message_bytes)
		return KERR_MESSAGE_TOO_LARGE;
	if (crc32c(0, p + RB_ATTRIBUTES, size - RB_ATTRIBUTES) != h.crc)
		return KERR_CORRUPT_MESSAGE;
	if ((h.attrs & RB_ATTR_CODEC_MASK) > 4)
		return KERR_UNSUPPORTED_COMPRESSION_TYPE;
	if (h.attrs & RB_ATTR_CONTROL)
		return KERR_INVALID_RECORD;
	if (h.count <= 0 || (int64_t)h.count != (int64_t)h.lod + 1)
		return KERR_INVALID_RECORD;
	if (info)
		fill_info(&h, info);
	return KERR_NONE;
}

/* ---- Records (kafka-protocol.md §4.2), only to answer ListOffsets precisely --------------- */

bool rb_find_record_ts(const uint8_t *p, size_t size, int64_t ts, int64_t min_off,
                       int64_t *off, int64_t *rts)
{
	struct rb_hdr h;
	if (rb_header_parse(p, size, &h) != RB_HDR_OK || h.size != (int64_t)size ||
	    !rb_hdr_offsets_ok(&h) || (h.attrs & RB_ATTR_CODEC_MASK))
		return false;
	const uint8_t *q = p + RB_HEADER_SIZE, *end = p + size;
	for (int32_t i = 0; i < h.count; i++) {
		int32_t len, od;
		int64_t tsd, t, o;
		if (kb_varint32_read(&q, end, &len) != KB_VAR_OK || len < 1 || len > end - q)
			return false;
		const uint8_t *rec = q + 1, *rend = q + len; /* skip the attributes byte */
		if (kb_varint64_read(&rec, rend, &tsd) != KB_VAR_OK ||
		    kb_varint32_read(&rec, rend, &od) != KB_VAR_OK)
			return false;
		if (__builtin_add_overflow(h.base_ts, tsd, &t) || od < 0 ||
		    __builtin_add_overflow(h.base, od, &o))
			return false;
		if (t >= ts && o >= min_off) {
			*off = o;
			*rts = t;
			return true;
		}
		q = rend;
	}
	return false;
}

/* ---- Buffered positional reader ----------------------------------------------------------- */

void rdr_init(struct rdr *r, int fd, int64_t fsize, uint8_t *buf, size_t cap, size_t want)
{
	*r = (struct rdr){.fd = fd, .fsize = fsize, .buf = buf, .cap = cap,
	                  .want = KB_MIN(want, cap)};
}

const uint8_t *rdr_get(struct rdr *r, int64_t pos, size_t n)
{
	if (pos < 0 || n > r->cap || pos > r->fsize - (int64_t)n)
		return NULL;
	if (pos >= r->off && pos + (int64_t)n <= r->off + (int64_t)r->len)
		return r->buf + (pos - r->off);
	size_t want = KB_MIN(KB_MAX(n, r->want), r->cap);
	if ((int64_t)want > r->fsize - pos)
		want = (size_t)(r->fsize - pos);
	size_t got = 0;
	r->len = 0;
	while (got < want) {
		ssize_t k = pread(r->fd, r->buf + got, want - got, pos + (off_t)got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r->err = true;
			return NULL;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r->off = pos;
	r->len = got;
	return got >= n ? r->buf : NULL;
}

int rdr_header(struct rdr *r, int64_t pos, struct rb_hdr *h)
{
	const uint8_t *p = rdr_get(r, pos, RB_HEADER_SIZE);
	if (!p)
		return r->err ? -1 : 0;
	int rc = rb_header_parse(p, RB_HEADER_SIZE, h);
	if ((rc != RB_HDR_OK && rc != RB_HDR_PARTIAL) || !rb_hdr_offsets_ok(h) ||
	    h->size > r->fsize - pos)
		return 0;
	return 1;
}

bool rdr_crc(struct rdr *r, int64_t pos, int64_t end, uint32_t *crc)
{
	uint32_t c = 0;
	while (pos < end) {
		size_t n = (size_t)KB_MIN(end - pos, (int64_t)r->cap);
		const uint8_t *p = rdr_get(r, pos, n);
		if (!p)
			return false;
		c = crc32c(c, p, n);
		pos += (int64_t)n;
	}
	*crc = c;
	return true;
}

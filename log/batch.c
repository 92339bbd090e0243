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

bool rb_hdr_parse(const uint8_t *p, struct rb_hdr *h)
{
	int32_t blen = (int32_t)be32_get(p + RB_LENGTH);
	int32_t lod = (int32_t)be32_get(p + RB_LAST_OFFSET_DELTA);
	int64_t base = (int64_t)be64_get(p + RB_BASE_OFFSET);

	if (p[RB_MAGIC] != 2 || blen < RB_MIN_LENGTH || lod < 0 || base < 0 ||
	    base > INT64_MAX - lod)
		return false;
	h->base = base;
	h->last = base + lod;
	h->size = (int64_t)blen + RB_LOG_OVERHEAD;
	h->max_ts = (int64_t)be64_get(p + RB_MAX_TIMESTAMP);
	h->base_ts = (int64_t)be64_get(p + RB_BASE_TIMESTAMP);
	h->crc = be32_get(p + RB_CRC);
	h->count = (int32_t)be32_get(p + RB_RECORDS_COUNT);
	h->epoch = (int32_t)be32_get(p + RB_LEADER_EPOCH);
	h->attrs = (int16_t)be16_get(p + RB_ATTRIBUTES);
	return true;
}

/* The order follows the framing: a length that cannot be a batch is corruption even when the
 * batch is incomplete (waiting for more bytes would never help), then completeness, then the
 * header fields and the CRC. */
int rb_check_replica(const uint8_t *p, size_t avail, struct rb_hdr *h)
{
	if (avail < RB_LOG_OVERHEAD)
		return RB_INCOMPLETE;
	int64_t blen = (int32_t)be32_get(p + RB_LENGTH);
	if (blen < RB_MIN_LENGTH || blen + RB_LOG_OVERHEAD > RB_REPLICA_MAX_SIZE ||
	    (avail > RB_MAGIC && p[RB_MAGIC] != 2))
		return KERR_CORRUPT_MESSAGE;
	if ((uint64_t)blen + RB_LOG_OVERHEAD > avail)
		return RB_INCOMPLETE;
	if (!rb_hdr_parse(p, h) ||
	    crc32c(0, p + RB_ATTRIBUTES, (size_t)h->size - RB_ATTRIBUTES) != h->crc)
		return KERR_CORRUPT_MESSAGE;
	return KERR_NONE;
}

/* Bytes after the first batch: another whole batch (INVALID_RECORD, "exactly one batch"),
 * or garbage (CORRUPT_MESSAGE). */
static int trailing_bytes_error(const uint8_t *p, size_t len)
{
	if (len < RB_HEADER_SIZE || p[RB_MAGIC] != 2)
		return KERR_CORRUPT_MESSAGE;
	int64_t blen = (int32_t)be32_get(p + RB_LENGTH);
	if (blen < RB_MIN_LENGTH || (uint64_t)blen + RB_LOG_OVERHEAD > len)
		return KERR_CORRUPT_MESSAGE;
	return KERR_INVALID_RECORD;
}

static void fill_info(const uint8_t *p, size_t size, struct batch_info *info)
{
	info->records = (int32_t)be32_get(p + RB_RECORDS_COUNT);
	info->last_offset_delta = (int32_t)be32_get(p + RB_LAST_OFFSET_DELTA);
	info->max_timestamp = (int64_t)be64_get(p + RB_MAX_TIMESTAMP);
	info->base_timestamp = (int64_t)be64_get(p + RB_BASE_TIMESTAMP);
	info->attributes = (int16_t)be16_get(p + RB_ATTRIBUTES);
	info->producer_id = (int64_t)be64_get(p + RB_PRODUCER_ID);
	info->producer_epoch = (int16_t)be16_get(p + RB_PRODUCER_EPOCH);
	info->base_sequence = (int32_t)be32_get(p + RB_BASE_SEQUENCE);
	info->size = size;
}

/* Order follows Kafka's: framing, size, CRC, then the fields the CRC vouches for. */
int batch_validate(const uint8_t *p, size_t len, int32_t max_message_bytes,
                   struct batch_info *info)
{
	if (len < RB_HEADER_SIZE || p[RB_MAGIC] != 2)
		return KERR_CORRUPT_MESSAGE;
	int64_t blen = (int32_t)be32_get(p + RB_LENGTH);
	if (blen < RB_MIN_LENGTH || (uint64_t)blen + RB_LOG_OVERHEAD > len)
		return KERR_CORRUPT_MESSAGE;
	size_t size = (size_t)blen + RB_LOG_OVERHEAD;
	if (size < len)
		return trailing_bytes_error(p + size, len - size);
	if (max_message_bytes >= 0 && size > (size_t)max_message_bytes)
		return KERR_MESSAGE_TOO_LARGE;
	if (crc32c(0, p + RB_ATTRIBUTES, size - RB_ATTRIBUTES) != be32_get(p + RB_CRC))
		return KERR_CORRUPT_MESSAGE;
	uint16_t attrs = be16_get(p + RB_ATTRIBUTES);
	if ((attrs & RB_ATTR_CODEC_MASK) > 4)
		return KERR_UNSUPPORTED_COMPRESSION_TYPE;
	if (attrs & RB_ATTR_CONTROL)
		return KERR_INVALID_RECORD;
	int64_t count = (int32_t)be32_get(p + RB_RECORDS_COUNT);
	int64_t lod = (int32_t)be32_get(p + RB_LAST_OFFSET_DELTA);
	if (count <= 0 || count != lod + 1)
		return KERR_INVALID_RECORD;
	if (info)
		fill_info(p, size, info);
	return KERR_NONE;
}

/* ---- Records (kafka-protocol.md §4.2), only to answer ListOffsets precisely --------------- */

static bool varlong(const uint8_t **p, const uint8_t *end, int64_t *v)
{
	uint64_t u = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;
		u |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
			return true;
		}
	}
	return false;
}

bool rb_find_record_ts(const uint8_t *p, size_t size, int64_t ts, int64_t min_off,
                       int64_t *off, int64_t *rts)
{
	struct rb_hdr h;
	if (size < RB_HEADER_SIZE || !rb_hdr_parse(p, &h) || h.size != (int64_t)size ||
	    (h.attrs & RB_ATTR_CODEC_MASK))
		return false;
	const uint8_t *q = p + RB_HEADER_SIZE, *end = p + size;
	for (int32_t i = 0; i < h.count; i++) {
		int64_t len, tsd, od, t, o;
		if (!varlong(&q, end, &len) || len < 1 || len > end - q)
			return false;
		const uint8_t *rec = q + 1, *rend = q + len; /* skip the attributes byte */
		if (!varlong(&rec, rend, &tsd) || !varlong(&rec, rend, &od))
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
	if (!rb_hdr_parse(p, h) || h->size > r->fsize - pos)
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

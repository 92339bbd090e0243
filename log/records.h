/* records.h — the records inside a magic-2 RecordBatch (kafka-protocol.md §4.1, §4.2).
 *
 * Only for work off the hot path: legacy conversion, recompression, validation of
 * compressed batches when needed. Appends and fetches keep batches opaque.
 *
 * Every varint and length read from a batch is bounds-checked; malformed input gives an
 * error (compress.h's RC_ERR_*), never a crash. Functions are @any-thread. Buffers returned
 * through `out` are malloc'd and released with free().
 */
#ifndef KB_LOG_RECORDS_H
#define KB_LOG_RECORDS_H

#include "../common/kbuf.h"
#include "compress.h"

/* One record as it sits in the batch. Pointers point into the batch or into the iterator's
 * decompressed copy; they stay valid until rc_iter_free(). */
struct rc_record {
	int8_t attributes;       /* unused by Kafka, 0 */
	int64_t timestamp_delta;
	int32_t offset_delta;
	int64_t offset;          /* baseOffset + offset_delta */
	int64_t timestamp;       /* baseTimestamp + delta; maxTimestamp under LogAppendTime */
	const uint8_t *key;      /* NULL when key_len == -1 */
	int32_t key_len;         /* -1 = null */
	const uint8_t *value;
	int32_t value_len;       /* -1 = null */
	int32_t header_count;
	const uint8_t *headers;  /* the encoded headers (already checked), headers_len bytes */
	size_t headers_len;
};

/* One record header (key is not nullable; value may be: -1). */
struct rc_header {
	const uint8_t *key;
	int32_t key_len;
	const uint8_t *value;
	int32_t value_len;
};

struct rc_iter {
	/* The batch header, decoded. */
	int64_t base_offset;
	int32_t leader_epoch;
	int16_t attributes;
	int32_t last_offset_delta;
	int64_t base_timestamp;
	int64_t max_timestamp;
	int64_t producer_id;
	int16_t producer_epoch;
	int32_t base_sequence;
	int32_t count;          /* recordsCount */
	/* The (decompressed) records section: [records, records + records_len). */
	const uint8_t *records;
	size_t records_len;
	/* private */
	const uint8_t *p;
	uint8_t *owned;
	int32_t index;
};

/* Opens the batch at `batch` (len >= its size; bytes past batchLength + 12 are ignored):
 * header checked (magic 2, batchLength >= 49 and within len, recordsCount >= 0, codec 0-4),
 * the records decompressed when the codec is not 0, into at most max_out bytes. The CRC is
 * NOT checked (batch_validate() does that; segment data is CRC-checked by recovery).
 * Returns RC_OK (call rc_iter_free() afterwards), or an RC_ERR_* (nothing to free). */
int rc_iter_init(struct rc_iter *it, const uint8_t *batch, size_t len, size_t max_out);
/* 1 with the next record, 0 after the last one (exactly recordsCount records, filling the
 * records section exactly), or a negative RC_ERR_INVALID for any malformation. */
int rc_iter_next(struct rc_iter *it, struct rc_record *r);
void rc_iter_free(struct rc_iter *it);

/* Reads the header at *p (before end), advancing *p: RC_OK or RC_ERR_INVALID. */
int rc_header_next(const uint8_t **p, const uint8_t *end, struct rc_header *h);
/* Appends n headers encoded as in a record (no count prefix) to b (kbuf's sticky err). */
void rc_headers_encode(struct kbuf *b, const struct rc_header *h, int32_t n);

/* Same records, same header fields except the codec bits of the attributes; batchLength and
 * CRC-32C recomputed. The records are walked (and so validated) on the way. max_out caps
 * both the decompressed records and the resulting batch. RC_ERR_CODEC for a source or
 * target codec outside 0-4. */
int rc_batch_recompress(const uint8_t *batch, size_t len, int target_codec, size_t max_out,
                        uint8_t **out, size_t *out_len);

/* ---- Building batches ---------------------------------------------------------------------- */

struct rc_build_record {
	int32_t offset_delta;   /* >= 0, strictly increasing */
	int64_t timestamp;      /* absolute (-1 = none) */
	const uint8_t *key;
	int32_t key_len;        /* -1 = null */
	const uint8_t *value;
	int32_t value_len;      /* -1 = null */
	int32_t header_count;
	const uint8_t *headers; /* header_count headers as rc_headers_encode() writes them */
	size_t headers_len;
};

struct rc_batch_params {
	int64_t base_offset;
	int32_t leader_epoch;
	int16_t attributes;    /* timestamp type, transactional, control; codec bits ignored */
	int64_t producer_id;
	int16_t producer_epoch;
	int32_t base_sequence;
	int64_t log_append_time; /* maxTimestamp when attributes has LogAppendTime (bit 3) */
	int64_t delete_horizon;  /* > 0: KIP-534's delete horizon: attribute 0x40 set and
	                          * baseTimestamp = it (records' timestamps stay absolute) */
};
/* base offset 0; leader epoch, producer id/epoch, base sequence, append time -1; attrs 0. */
void rc_batch_params_default(struct rc_batch_params *bp);

/* Builds one v2 batch of n >= 1 records compressed with `codec` (0-4): baseTimestamp is the
 * first record's timestamp, maxTimestamp the largest (or log_append_time under
 * LogAppendTime), lastOffsetDelta the last record's offset delta, CRC-32C computed. The
 * uncompressed records and the batch must each fit in max_out (else RC_ERR_TOO_BIG).
 * RC_ERR_INVALID for n < 1, bad offset deltas, lengths < -1 or timestamp deltas that
 * overflow; RC_ERR_CODEC for a codec outside 0-4. */
int rc_batch_build(const struct rc_batch_params *bp, const struct rc_build_record *recs,
                   int32_t n, int codec, size_t max_out, uint8_t **out, size_t *out_len);

#endif

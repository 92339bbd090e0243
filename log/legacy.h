/* legacy.h — MessageSets of magic 0 and 1 (kafka-protocol.md §4.3): up-conversion of old
 * produce payloads to one magic-2 batch, down-conversion of stored batches for old Fetch
 * versions, and the message encoder/decoder both use. Off the hot path; @any-thread.
 *
 * Entry: offset int64 | message_size int32 | crc uint32 (CRC-32/IEEE of magic..end) |
 *        magic int8 | attributes int8 (bits 0-2 codec, bit 3 LogAppendTime in v1) |
 *        [timestamp int64, v1 only] | key BYTES (-1 null) | value BYTES (-1 null)
 */
#ifndef KB_LOG_LEGACY_H
#define KB_LOG_LEGACY_H

#include "../common/kbuf.h"
#include "compress.h"

#define RC_LEGACY_LOG_OVERHEAD 12 /* offset + message_size */
#define RC_LEGACY_V0_MIN 14       /* crc magic attributes keylen valuelen */
#define RC_LEGACY_V1_MIN 22       /* ... + timestamp */
#define RC_LEGACY_ATTR_LOG_APPEND_TIME 0x08

struct rc_legacy_msg {
	int64_t offset;
	int8_t magic;
	int8_t attributes;
	int64_t timestamp;      /* -1 for magic 0 */
	const uint8_t *key;     /* NULL when key_len == -1 */
	int32_t key_len;
	const uint8_t *value;   /* NULL when value_len == -1 */
	int32_t value_len;
};

/* Reads the entry at *p (before end), advancing *p past it: 1 with a message, 0 when
 * *p == end, RC_ERR_CORRUPT for a truncated entry, a size below the minimum, a CRC mismatch
 * or key/value lengths that do not fill the message exactly; RC_ERR_INVALID for a magic
 * other than 0/1. */
int rc_legacy_next(const uint8_t **p, const uint8_t *end, struct rc_legacy_msg *m);

/* Appends one entry of magic 0 or 1 to b, CRC computed (timestamp ignored for magic 0;
 * key_len/value_len < 0 = null). kbuf's sticky err when it does not fit. */
void rc_legacy_append(struct kbuf *b, int magic, int64_t offset, int8_t attributes,
                      int64_t timestamp, const uint8_t *key, int32_t key_len,
                      const uint8_t *value, int32_t value_len);

/* Up-conversion of a magic 0/1 MessageSet (several messages, plain and/or compressed
 * wrappers whose value is an inner MessageSet) into ONE magic-2 batch:
 *   - every message's CRC-32 is verified (mismatch: CORRUPT_MESSAGE);
 *   - all messages must have the same magic; inner messages the wrapper's magic, no codec;
 *     a wrapper needs a non-null value holding at least one message (else INVALID_RECORD);
 *     wrapper codecs 1-3 only (zstd and 5-7: UNSUPPORTED_COMPRESSION_TYPE);
 *   - codec of the result: the codec of the last compressed wrapper (uncompressed when there
 *     is none) — Kafka's rule with compression.type=producer (the "source codec"), which
 *     keeps what the producer chose and the size it budgeted for;
 *   - offsets: baseOffset is the first message's absolute offset as sent (v0 wrapper: inner
 *     offsets are absolute; v1 wrapper: inner offsets are relative, absolute = wrapper
 *     offset - last inner offset + inner offset, unless that is negative, in which case they
 *     stay as sent, as Kafka's DeepRecordsIterator does). Offset deltas are 0..n-1: the
 *     broker assigns consecutive offsets on append whatever the client wrote, as Kafka's
 *     LogValidator does, and plog_append() overwrites baseOffset anyway;
 *   - timestamps: magic 0 -> -1 (NO_TIMESTAMP, as Kafka); magic 1 CreateTime -> the message's
 *     own (an inner message's own under a CreateTime wrapper); LogAppendTime (a plain
 *     message's bit 3, or its wrapper's) -> the batch gets LogAppendTime with maxTimestamp =
 *     now_ms and every record now_ms: the broker is the one appending, now;
 *   - producer id/epoch/sequence and leader epoch -1 (legacy has no idempotence).
 * max_out caps the decompressed inner sets (all together) and the result. Returns RC_OK
 * (*error = 0) or an RC_ERR_* with *error its Kafka code (2, 87, 76, or 10 when max_out is
 * exceeded). An empty MessageSet is INVALID_RECORD. */
int rc_legacy_to_v2(const uint8_t *msgset, size_t len, int64_t now_ms, size_t max_out,
                    uint8_t **out, size_t *out_len, int *error);

/* Down-conversion for old Fetch versions: a run of magic-2 batches as read from a segment
 * (the last may be cut short: a partial tail is dropped, as clients drop it) -> a MessageSet
 * of magic `magic` (0 or 1), one uncompressed message per record, absolute offsets:
 *   - control batches are dropped; record headers are lost (legacy has none);
 *   - magic 1: the record's timestamp and the batch's timestamp type (bit 3); magic 0: none;
 *   - always uncompressed, whatever the batch codec. NOTE: Kafka itself re-compresses each
 *     converted batch with the batch's own codec (RecordsUtil.convertRecordBatch uses
 *     MemoryRecords.builder(..., batch.compressionType(), ...)) and answers Fetch < v10 on
 *     zstd data with UNSUPPORTED_COMPRESSION_TYPE. Plain messages are valid for every old
 *     client, avoid the magic-0 LZ4 checksum quirk and make zstd data readable, at the cost
 *     of bandwidth (this module's choice, not Kafka's).
 * The batches' CRCs are not checked (segment data is checked by recovery). max_out caps
 * each batch's decompressed records and the output (RC_ERR_TOO_BIG). RC_ERR_INVALID for a
 * magic other than 0/1; RC_ERR_CORRUPT when a whole batch is not magic 2 or has
 * batchLength < 49; the records' own errors otherwise. */
int rc_v2_to_legacy(const uint8_t *batches, size_t len, int magic, size_t max_out,
                    uint8_t **out, size_t *out_len);

#endif

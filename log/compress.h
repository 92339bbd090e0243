/* compress.h — the four Kafka compression codecs (kafka-protocol.md §4.4), for the few places
 * that look inside record data: legacy conversion, recompression, validation of compressed
 * batches. The produce/fetch hot path never calls these. Everything here is @any-thread
 * (no shared state besides the debug counter).
 *
 * Codec numbers are the RecordBatch attribute values: 1 gzip, 2 snappy, 3 lz4, 4 zstd.
 * Buffers returned through `out` are malloc'd (never NULL on success, even when empty) and
 * released by the caller with free().
 */
#ifndef KB_LOG_COMPRESS_H
#define KB_LOG_COMPRESS_H

#include "../common/kb.h"

enum {
	RC_CODEC_NONE = 0,
	RC_CODEC_GZIP = 1,
	RC_CODEC_SNAPPY = 2,
	RC_CODEC_LZ4 = 3,
	RC_CODEC_ZSTD = 4,
};

/* Errors of compress.c, records.c and legacy.c (negative, as the project's convention). */
enum {
	RC_OK = 0,
	RC_ERR_CODEC = -1,   /* codec number not 1-4 (or not allowed where it appeared) */
	RC_ERR_CORRUPT = -2, /* compressed data, framing or a checksum is wrong */
	RC_ERR_TOO_BIG = -3, /* the result would exceed the caller's max_out */
	RC_ERR_INVALID = -4, /* inconsistent records (counts, varints, lengths, magic) */
};

/* The Kafka error code for one of the errors above: CODEC -> 76 UNSUPPORTED_COMPRESSION_TYPE,
 * CORRUPT -> 2 CORRUPT_MESSAGE, INVALID -> 87 INVALID_RECORD, TOO_BIG -> 10
 * MESSAGE_TOO_LARGE; 0 for RC_OK. */
int rc_err_to_kafka(int rc);

/* Decompresses `in` with `codec`. `max_out` is a hard cap on the result: a stream that would
 * produce more fails with RC_ERR_TOO_BIG, having allocated at most max_out + 1 bytes of
 * output (the extra byte is how "more than max_out" is seen). Declared sizes (zstd frame
 * content size, snappy block length) above the cap fail before any output is allocated.
 *   gzip   a gzip (or zlib) stream; concatenated gzip members are read in turn (as Java's
 *          GZIPInputStream does);
 *   snappy xerial/snappy-java framing when the input starts with its 8-byte magic, otherwise
 *          one raw snappy block (what librdkafka writes) — the detection every Kafka reader
 *          does;
 *   lz4    LZ4 frames, including Kafka's magic-0 frames whose header checksum was computed
 *          over the magic number too (see compress.c);
 *   zstd   zstd frames, streaming, with or without a content size; the decoder's window is
 *          limited (see compress.c).
 * Returns RC_OK, RC_ERR_CODEC, RC_ERR_CORRUPT or RC_ERR_TOO_BIG. */
int rc_decompress(int codec, const uint8_t *in, size_t len, size_t max_out, uint8_t **out,
                  size_t *out_len);

/* Compresses `in` the way the Java client writes each codec:
 *   gzip   one standard gzip member, zlib's default level;
 *   snappy xerial framing (header version 1, compatible 1), 32 KiB of input per chunk;
 *   lz4    one standard LZ4 frame, 64 KiB independent blocks, no block or content checksum,
 *          no content size (correct header checksum: readers of magic 1/2);
 *   zstd   one zstd frame, level 3.
 * Returns RC_OK or RC_ERR_CODEC. */
int rc_compress(int codec, const uint8_t *in, size_t len, uint8_t **out, size_t *out_len);

/* The LZ4 frame header checksum byte of the `n` bytes at p: (XXH32(p, n, 0) >> 8) & 0xff.
 * n < 16 (a frame descriptor is at most 15 bytes, magic included). Exposed so tests can forge
 * Kafka's "broken" magic-0 frames (checksum over magic + descriptor). */
uint8_t rc_lz4_header_checksum(const uint8_t *p, size_t n);

/* Debug counter (tests): the largest output buffer rc_decompress() has allocated so far. */
extern _Atomic int64_t rc_debug_out_peak;

#endif

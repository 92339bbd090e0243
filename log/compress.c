/* compress.c — gzip (zlib), snappy (libsnappy C API), lz4 (liblz4 frame API) and zstd
 * (libzstd streaming API) behind rc_decompress()/rc_compress() (see compress.h).
 *
 * Output buffer discipline (decompression). All decoders write into one `obuf` that grows by
 * doubling from a size guessed from the input, but never beyond max_out + 1 bytes: once the
 * stream has produced more than max_out bytes the call fails with RC_ERR_TOO_BIG. So a
 * decompression bomb costs at most max_out + 1 bytes of output memory, whatever it claims.
 * Sizes declared up front (snappy's block length, zstd's frame content size) are checked
 * against the cap before anything is allocated.
 *
 * Decoder memory besides the output: zlib keeps a 32 KiB window; liblz4 at most one 4 MiB
 * block; zstd keeps a window as large as the frame declares, which for frames without a
 * content size is not bounded by the output. The zstd decoder therefore refuses windows
 * above max(2^23, max_out rounded up to a power of two), at most 2^27 (zstd's own default):
 * 8 MiB covers every level up to 19 of a streaming writer that did not pledge a size (Java's
 * zstd-jni writes level 3, window 2 MiB).
 *
 * Kafka's broken LZ4 header checksum. An LZ4 frame starts with magic 0x184D2204, a frame
 * descriptor (FLG, BD, optional 8-byte content size, optional 4-byte dictionary id) and one
 * checksum byte HC = (XXH32(descriptor) >> 8) & 0xff. Kafka's magic-0 writer (and
 * kafka-python's lz4_encode_old_kafka) hashed the 4 magic bytes too. liblz4 has no switch to
 * skip the header check (skipChecksums covers block and content checksums only), and the
 * signature of rc_decompress() has no magic parameter, so instead: when the HC byte is not
 * the correct one but equals the "broken" value, the header is fed to liblz4 from a copy with
 * HC corrected, then the rest of the frame straight from the input (the decoder is streaming,
 * so nothing else is copied). A checksum that is neither value is still an error. This
 * accepts broken frames regardless of the message magic, as librdkafka does; a frame whose
 * correct checksum happens to equal the broken one needs no fix-up.
 */
#include "compress.h"

#include <limits.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <stdatomic.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

_Atomic int64_t rc_debug_out_peak;

int rc_err_to_kafka(int rc)
{
	switch (rc) {
	case RC_OK:
		return 0;
	case RC_ERR_CODEC:
		return 76;
	case RC_ERR_TOO_BIG:
		return 10;
	case RC_ERR_INVALID:
		return 87;
	default:
		return 2;
	}
}

/* ---- Output buffer with a hard cap -------------------------------------------------------- */

#define OBUF_MIN_CAP 256

struct obuf {
	uint8_t *p;
	size_t len, cap;
	size_t max;   /* max_out: more than this is RC_ERR_TOO_BIG */
	size_t limit; /* max + 1 (saturating): the most ever allocated */
};

static void ob_init(struct obuf *o, size_t max)
{
	*o = (struct obuf){.max = max, .limit = max == SIZE_MAX ? max : max + 1};
}

static void ob_note_peak(size_t cap)
{
	int64_t c = (int64_t)KB_MIN(cap, (size_t)INT64_MAX);
	int64_t cur = atomic_load(&rc_debug_out_peak);
	while (c > cur && !atomic_compare_exchange_weak(&rc_debug_out_peak, &cur, c))
		;
}

static void ob_set_cap(struct obuf *o, size_t cap)
{
	o->p = kb_realloc(o->p, cap);
	o->cap = cap;
	ob_note_peak(cap);
}

/* Makes room for at least `need` more bytes, more if doubling allows. False when len + need
 * would pass the allocation limit. */
static bool ob_reserve(struct obuf *o, size_t need)
{
	if (need > o->limit - o->len)
		return false;
	if (o->cap - o->len >= need)
		return true;
	size_t want = o->len + need; /* <= limit */
	size_t cap = KB_MAX(o->cap, (size_t)OBUF_MIN_CAP);
	while (cap < want && cap <= o->limit / 2)
		cap *= 2;
	ob_set_cap(o, cap < want ? o->limit : KB_MIN(cap, o->limit));
	return true;
}

/* Free space for a streaming decoder: grows when full. NULL when the buffer already holds
 * `limit` bytes (so the stream is over the cap). */
static uint8_t *ob_room(struct obuf *o, size_t *room)
{
	if (o->len == o->cap && !ob_reserve(o, 1))
		return NULL;
	*room = o->cap - o->len;
	return o->p + o->len;
}

/* First allocation, from a size hint (the expected output), never above the limit. */
static void ob_start(struct obuf *o, size_t hint)
{
	size_t cap = KB_MIN(KB_MAX(hint, (size_t)OBUF_MIN_CAP), o->limit);
	if (cap)
		ob_set_cap(o, cap);
}

static size_t guess_out(size_t in_len)
{
	return in_len > SIZE_MAX / 4 ? SIZE_MAX : in_len * 4;
}

static int ob_finish(struct obuf *o, int rc, uint8_t **out, size_t *out_len)
{
	if (rc == RC_OK && o->len > o->max)
		rc = RC_ERR_TOO_BIG;
	if (rc != RC_OK) {
		kb_free(o->p);
		*out = NULL;
		*out_len = 0;
		return rc;
	}
	if (o->cap - o->len > 4096 || !o->p)
		o->p = kb_realloc(o->p, o->len ? o->len : 1);
	*out = o->p;
	*out_len = o->len;
	return RC_OK;
}

/* ---- gzip ----------------------------------------------------------------------------------- */

static void z_feed(z_stream *zs, const uint8_t *in, size_t len, size_t *pos)
{
	if (zs->avail_in == 0 && *pos < len) {
		size_t n = KB_MIN(len - *pos, (size_t)UINT_MAX);
		zs->next_in = (Bytef *)(uintptr_t)(in + *pos);
		zs->avail_in = (uInt)n;
		*pos += n;
	}
}

/* After a member ended with input left: RC_OK to go on when another gzip member follows
 * (magic 1f 8b), RC_ERR_CORRUPT for trailing garbage. */
static int gz_next_member(z_stream *zs, const uint8_t *in, size_t len)
{
	size_t at = (size_t)(zs->next_in - in); /* next unread byte */
	if (len - at < 2 || in[at] != 0x1f || in[at + 1] != 0x8b)
		return RC_ERR_CORRUPT;
	return inflateReset(zs) == Z_OK ? RC_OK : RC_ERR_CORRUPT;
}

static int gz_loop(z_stream *zs, const uint8_t *in, size_t len, struct obuf *o)
{
	size_t pos = 0;
	for (;;) {
		size_t room;
		uint8_t *dst = ob_room(o, &room);
		if (!dst)
			return RC_ERR_TOO_BIG;
		z_feed(zs, in, len, &pos);
		zs->next_out = dst;
		zs->avail_out = (uInt)KB_MIN(room, (size_t)UINT_MAX);
		uInt before = zs->avail_out;
		int r = inflate(zs, Z_NO_FLUSH);
		o->len += before - zs->avail_out;
		if (o->len > o->max)
			return RC_ERR_TOO_BIG;
		if (r == Z_STREAM_END) {
			if (zs->avail_in == 0 && pos == len)
				return RC_OK;
			if (gz_next_member(zs, in, len) != RC_OK)
				return RC_ERR_CORRUPT;
		} else if (r == Z_BUF_ERROR) {
			if (zs->avail_out != 0 && zs->avail_in == 0 && pos == len)
				return RC_ERR_CORRUPT; /* truncated */
		} else if (r != Z_OK) {
			return RC_ERR_CORRUPT;
		}
	}
}

static int gzip_decompress(const uint8_t *in, size_t len, struct obuf *o)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	KB_ASSERT(inflateInit2(&zs, 15 + 32) == Z_OK); /* gzip or zlib header, 32 KiB window */
	ob_start(o, guess_out(len));
	int rc = gz_loop(&zs, in, len, o);
	inflateEnd(&zs);
	return rc;
}

static int gzip_compress(const uint8_t *in, size_t len, struct obuf *o)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	KB_ASSERT(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	                       Z_DEFAULT_STRATEGY) == Z_OK);
	ob_start(o, (size_t)deflateBound(&zs, (uLong)len));
	size_t pos = 0;
	int r;
	do {
		size_t room;
		uint8_t *dst = ob_room(o, &room);
		KB_ASSERT(dst);
		z_feed(&zs, in, len, &pos);
		zs.next_out = dst;
		zs.avail_out = (uInt)KB_MIN(room, (size_t)UINT_MAX);
		uInt before = zs.avail_out;
		r = deflate(&zs, pos == len ? Z_FINISH : Z_NO_FLUSH);
		o->len += before - zs.avail_out;
		KB_ASSERT(r == Z_OK || r == Z_STREAM_END || r == Z_BUF_ERROR);
	} while (r != Z_STREAM_END);
	deflateEnd(&zs);
	return RC_OK;
}

/* ---- snappy ----------------------------------------------------------------------------- */

static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
#define XERIAL_HEADER 16
#define XERIAL_BLOCK 32768

/* One raw snappy block appended to o. */
static int snappy_block(const uint8_t *in, size_t len, struct obuf *o)
{
	size_t n;
	if (snappy_uncompressed_length((const char *)in, len, &n) != SNAPPY_OK)
		return RC_ERR_CORRUPT;
	if (n > o->max - o->len)
		return RC_ERR_TOO_BIG;
	if (n == 0)
		return snappy_validate_compressed_buffer((const char *)in, len) == SNAPPY_OK
		               ? RC_OK
		               : RC_ERR_CORRUPT;
	if (!ob_reserve(o, n))
		return RC_ERR_TOO_BIG;
	size_t got = n;
	if (snappy_uncompress((const char *)in, len, (char *)o->p + o->len, &got) != SNAPPY_OK ||
	    got != n)
		return RC_ERR_CORRUPT;
	o->len += n;
	return RC_OK;
}

/* xerial: 16-byte header (magic, int32 version, int32 compatible), then chunks of int32 BE
 * length + raw block. The version fields are not checked (librdkafka doesn't either). */
static int xerial_decompress(const uint8_t *in, size_t len, struct obuf *o)
{
	if (len < XERIAL_HEADER)
		return RC_ERR_CORRUPT;
	size_t pos = XERIAL_HEADER;
	ob_start(o, guess_out(len));
	while (pos < len) {
		if (len - pos < 4)
			return RC_ERR_CORRUPT;
		uint32_t n = (uint32_t)in[pos] << 24 | (uint32_t)in[pos + 1] << 16 |
		             (uint32_t)in[pos + 2] << 8 | in[pos + 3];
		pos += 4;
		if (n == 0 || n > len - pos)
			return RC_ERR_CORRUPT;
		int rc = snappy_block(in + pos, n, o);
		if (rc != RC_OK)
			return rc;
		pos += n;
	}
	return RC_OK;
}

static int snappy_decompress(const uint8_t *in, size_t len, struct obuf *o)
{
	if (len >= sizeof(xerial_magic) && memcmp(in, xerial_magic, sizeof(xerial_magic)) == 0)
		return xerial_decompress(in, len, o);
	return snappy_block(in, len, o);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int snappy_compress_xerial(const uint8_t *in, size_t len, struct obuf *o)
{
	size_t blocks = len / XERIAL_BLOCK + 1;
	size_t per = 4 + snappy_max_compressed_length(XERIAL_BLOCK);
	ob_start(o, XERIAL_HEADER + blocks * per);
	memcpy(o->p, xerial_magic, sizeof(xerial_magic));
	put_be32(o->p + 8, 1);
	put_be32(o->p + 12, 1);
	o->len = XERIAL_HEADER;
	for (size_t pos = 0; pos < len; pos += XERIAL_BLOCK) {
		size_t n = KB_MIN(len - pos, (size_t)XERIAL_BLOCK);
		size_t clen = snappy_max_compressed_length(n);
		KB_ASSERT(o->cap - o->len >= 4 + clen);
		KB_ASSERT(snappy_compress((const char *)in + pos, n, (char *)o->p + o->len + 4,
		                          &clen) == SNAPPY_OK);
		put_be32(o->p + o->len, (uint32_t)clen);
		o->len += 4 + clen;
	}
	return RC_OK;
}

/* ---- lz4 -------------------------------------------------------------------------------- */

#define LZ4_FRAME_MAGIC 0x184D2204u
#define XXH_P1 2654435761u
#define XXH_P2 2246822519u
#define XXH_P3 3266489917u
#define XXH_P4 668265263u
#define XXH_P5 374761393u

static uint32_t rotl32(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

/* XXH32 with seed 0 for inputs shorter than 16 bytes (the only ones a frame header has). */
uint8_t rc_lz4_header_checksum(const uint8_t *p, size_t n)
{
	KB_ASSERT(n < 16);
	uint32_t h = XXH_P5 + (uint32_t)n;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t w = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
		             (uint32_t)p[i + 3] << 24;
		h = rotl32(h + w * XXH_P3, 17) * XXH_P4;
	}
	for (; i < n; i++)
		h = rotl32(h + p[i] * XXH_P5, 11) * XXH_P1;
	h ^= h >> 15;
	h *= XXH_P2;
	h ^= h >> 13;
	h *= XXH_P3;
	h ^= h >> 16;
	return (uint8_t)(h >> 8);
}

/* When `in` starts with an LZ4 frame whose header checksum is Kafka's broken one, copies the
 * header into hdr with the checksum corrected and returns its length; otherwise 0. */
static size_t lz4_fix_broken_header(const uint8_t *in, size_t len, uint8_t hdr[19])
{
	if (len < 7)
		return 0;
	uint32_t magic = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |
	                 (uint32_t)in[3] << 24;
	if (magic != LZ4_FRAME_MAGIC)
		return 0;
	uint8_t flg = in[4];
	size_t hlen = 4 + 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
	/* Kafka's broken frames (KafkaLZ4BlockOutputStream) carry neither a content size nor a
	 * dictionary id: their header is 7 bytes. A longer header is never one of them, and its
	 * "checksum over the magic too" would not be a short-input XXH32 either. */
	if (len < hlen || hlen != 7)
		return 0;
	uint8_t hc = in[hlen - 1];
	if (hc == rc_lz4_header_checksum(in + 4, hlen - 5) ||
	    hc != rc_lz4_header_checksum(in, hlen - 1))
		return 0;
	memcpy(hdr, in, hlen);
	hdr[hlen - 1] = rc_lz4_header_checksum(in + 4, hlen - 5);
	return hlen;
}

/* Feeds all of src to the decoder, growing the output as needed. *hint is liblz4's last
 * return value (0 when a frame just completed). */
static int lz4_feed(LZ4F_dctx *d, const uint8_t *src, size_t len, struct obuf *o, size_t *hint)
{
	size_t pos = 0;
	for (;;) {
		size_t room;
		uint8_t *dst = ob_room(o, &room);
		if (!dst)
			return RC_ERR_TOO_BIG;
		size_t dn = room, sn = len - pos;
		size_t r = LZ4F_decompress(d, dst, &dn, src + pos, &sn, NULL);
		if (LZ4F_isError(r))
			return RC_ERR_CORRUPT;
		pos += sn;
		o->len += dn;
		if (o->len > o->max)
			return RC_ERR_TOO_BIG;
		if (sn || dn) /* an idle call after a frame's end reports the next header */
			*hint = r;
		if (pos == len && dn < room)
			return RC_OK; /* input used up and nothing left pending */
		if (sn == 0 && dn == 0)
			return RC_ERR_CORRUPT; /* no progress: cannot happen with room, be safe */
	}
}

static int lz4_decompress(const uint8_t *in, size_t len, struct obuf *o)
{
	LZ4F_dctx *d = NULL;
	KB_ASSERT(!LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)));
	uint8_t hdr[19];
	size_t hlen = lz4_fix_broken_header(in, len, hdr);
	size_t hint = 1;
	ob_start(o, guess_out(len));
	int rc = RC_OK;
	if (hlen)
		rc = lz4_feed(d, hdr, hlen, o, &hint);
	if (rc == RC_OK)
		rc = lz4_feed(d, in + hlen, len - hlen, o, &hint);
	if (rc == RC_OK && hint != 0)
		rc = RC_ERR_CORRUPT; /* truncated frame */
	LZ4F_freeDecompressionContext(d);
	return rc;
}

static int lz4_compress(const uint8_t *in, size_t len, struct obuf *o)
{
	LZ4F_preferences_t prefs;
	memset(&prefs, 0, sizeof(prefs));
	prefs.frameInfo.blockSizeID = LZ4F_max64KB;
	prefs.frameInfo.blockMode = LZ4F_blockIndependent;
	prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
	prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
	prefs.frameInfo.frameType = LZ4F_frame;
	size_t bound = LZ4F_compressFrameBound(len, &prefs);
	ob_start(o, bound);
	size_t n = LZ4F_compressFrame(o->p, o->cap, in, len, &prefs);
	KB_ASSERT(!LZ4F_isError(n));
	o->len = n;
	return RC_OK;
}

/* ---- zstd ------------------------------------------------------------------------------- */

#define ZSTD_WINDOW_LOG_FLOOR 23
#define ZSTD_WINDOW_LOG_CEIL 27

static int zstd_window_log(size_t max_out)
{
	int wl = ZSTD_WINDOW_LOG_FLOOR;
	while (wl < ZSTD_WINDOW_LOG_CEIL && ((size_t)1 << wl) < max_out)
		wl++;
	return wl;
}

static int zstd_loop(ZSTD_DCtx *d, const uint8_t *in, size_t len, struct obuf *o)
{
	ZSTD_inBuffer ib = {in, len, 0};
	size_t hint = 1; /* last return of a call that made progress: 0 = frame complete */
	for (;;) {
		size_t room, before = ib.pos;
		uint8_t *dst = ob_room(o, &room);
		if (!dst)
			return RC_ERR_TOO_BIG;
		ZSTD_outBuffer ob = {dst, room, 0};
		size_t r = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(r))
			return ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge
			               ? RC_ERR_TOO_BIG
			               : RC_ERR_CORRUPT;
		o->len += ob.pos;
		if (o->len > o->max)
			return RC_ERR_TOO_BIG;
		if (ob.pos || ib.pos != before) /* an idle call after a frame's end asks for more */
			hint = r;
		if (ib.pos == ib.size && ob.pos < ob.size) /* all flushed: complete or truncated */
			return hint == 0 ? RC_OK : RC_ERR_CORRUPT;
	}
}

static int zstd_decompress(const uint8_t *in, size_t len, size_t max_out, struct obuf *o)
{
	unsigned long long fcs = ZSTD_getFrameContentSize(in, len);
	if (fcs == ZSTD_CONTENTSIZE_ERROR)
		return RC_ERR_CORRUPT;
	size_t hint = guess_out(len);
	if (fcs != ZSTD_CONTENTSIZE_UNKNOWN) {
		if (fcs > max_out)
			return RC_ERR_TOO_BIG;
		hint = (size_t)fcs + 1; /* + 1: no regrow to see that the stream ends there */
	}
	ZSTD_DCtx *d = ZSTD_createDCtx();
	KB_ASSERT(d);
	KB_ASSERT(!ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
	                                               zstd_window_log(max_out))));
	ob_start(o, hint);
	int rc = zstd_loop(d, in, len, o);
	ZSTD_freeDCtx(d);
	return rc;
}

static int zstd_compress(const uint8_t *in, size_t len, struct obuf *o)
{
	ob_start(o, ZSTD_compressBound(len));
	size_t n = ZSTD_compress(o->p, o->cap, in, len, 3);
	KB_ASSERT(!ZSTD_isError(n));
	o->len = n;
	return RC_OK;
}

/* ---- Entry points ------------------------------------------------------------------------- */

int rc_decompress(int codec, const uint8_t *in, size_t len, size_t max_out, uint8_t **out,
                  size_t *out_len)
{
	struct obuf o;
	int rc;
	ob_init(&o, max_out);
	switch (codec) {
	case RC_CODEC_GZIP:
		rc = gzip_decompress(in, len, &o);
		break;
	case RC_CODEC_SNAPPY:
		rc = snappy_decompress(in, len, &o);
		break;
	case RC_CODEC_LZ4:
		rc = lz4_decompress(in, len, &o);
		break;
	case RC_CODEC_ZSTD:
		rc = zstd_decompress(in, len, max_out, &o);
		break;
	default:
		rc = RC_ERR_CODEC;
	}
	return ob_finish(&o, rc, out, out_len);
}

int rc_compress(int codec, const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
	struct obuf o;
	int rc;
	ob_init(&o, SIZE_MAX);
	switch (codec) {
	case RC_CODEC_GZIP:
		rc = gzip_compress(in, len, &o);
		break;
	case RC_CODEC_SNAPPY:
		rc = snappy_compress_xerial(in, len, &o);
		break;
	case RC_CODEC_LZ4:
		rc = lz4_compress(in, len, &o);
		break;
	case RC_CODEC_ZSTD:
		rc = zstd_compress(in, len, &o);
		break;
	default:
		rc = RC_ERR_CODEC;
	}
	return ob_finish(&o, rc, out, out_len);
}

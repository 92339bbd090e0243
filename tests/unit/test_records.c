/* test_records.c — unit tests of log/compress.c, log/records.c and log/legacy.c: codec round
 * trips and framings (xerial and raw snappy, liblz4 default frames, Kafka's broken LZ4 header
 * checksum, gzip members, zstd frames without a content size), decompression caps against
 * bombs, corrupt input, record iteration of hand-built batches (nulls, headers, varint
 * edges, malformations), recompression between every pair of codecs, legacy up-conversion
 * (magic 0/1, plain and wrapped) and down-conversion, and golden legacy message bytes.
 */
#include <CUnit/CUnit.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "log/legacy.h"
#include "log/log_int.h"
#include "log/records.h"

void suite_records(void);

#define MiB (1024u * 1024u)

static uint32_t g_rng = 2463534242u;

static uint32_t rnd(void)
{
	g_rng ^= g_rng << 13;
	g_rng ^= g_rng >> 17;
	g_rng ^= g_rng << 5;
	return g_rng;
}

/* kind 0: compressible text, 1: random bytes. */
static uint8_t *gen(size_t n, int kind)
{
	static const char words[] = "kafka broker record batch offset topic partition ";
	uint8_t *p = kb_malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		p[i] = kind ? (uint8_t)rnd()
		            : (uint8_t)words[(i * 7 + i / 97) % (sizeof(words) - 1)];
	return p;
}

/* rc_decompress(); on success the output must be want[0..wlen) (only its length when want
 * is NULL), on failure out must be NULL. Returns rc_decompress()'s result. */
static int dec(int codec, const void *z, size_t zlen, size_t max, const void *want, size_t wlen)
{
	uint8_t *out;
	size_t olen;
	int rc = rc_decompress(codec, z, zlen, max, &out, &olen);
	CU_ASSERT(rc == RC_OK ? olen == wlen && (!want || !wlen || memcmp(out, want, wlen) == 0)
	                      : out == NULL && olen == 0);
	free(out);
	return rc;
}

static void check_roundtrip(int codec, const uint8_t *in, size_t len)
{
	uint8_t *z;
	size_t zlen;
	CU_ASSERT_FATAL(rc_compress(codec, in, len, &z, &zlen) == RC_OK);
	CU_ASSERT(dec(codec, z, zlen, len, in, len) == RC_OK);
	if (len > 0)
		CU_ASSERT(dec(codec, z, zlen, len - 1, in, len) == RC_ERR_TOO_BIG);
	free(z);
}

/* ---- Codecs ------------------------------------------------------------------------------ */

static void test_codec_roundtrips(void)
{
	static const size_t sizes[] = {0, 1, 11, 32768, 32769, 65536 + 7, 3 * MiB + 5};
	for (int codec = 1; codec <= 4; codec++)
		for (size_t s = 0; s < KB_ARRAY_LEN(sizes); s++)
			for (int kind = 0; kind < 2; kind++) {
				uint8_t *in = gen(sizes[s], kind);
				check_roundtrip(codec, in, sizes[s]);
				free(in);
			}
	uint8_t *out;
	size_t olen;
	CU_ASSERT(rc_compress(0, (const uint8_t *)"x", 1, &out, &olen) == RC_ERR_CODEC);
	CU_ASSERT(rc_compress(5, (const uint8_t *)"x", 1, &out, &olen) == RC_ERR_CODEC);
	CU_ASSERT(dec(0, "x", 1, 10, NULL, 0) == RC_ERR_CODEC && dec(-1, "x", 1, 10, NULL, 0) < 0);
	CU_ASSERT(rc_err_to_kafka(RC_ERR_CODEC) == 76 && rc_err_to_kafka(RC_ERR_CORRUPT) == 2 &&
	          rc_err_to_kafka(RC_ERR_INVALID) == 87 && rc_err_to_kafka(RC_ERR_TOO_BIG) == 10 &&
	          rc_err_to_kafka(RC_OK) == 0);
}

static void test_snappy_framings(void)
{
	size_t n = 100000, clen;
	uint8_t *in = gen(n, 0), *z;
	/* raw block, as librdkafka writes */
	size_t rlen = snappy_max_compressed_length(n);
	char *raw = kb_malloc(rlen);
	CU_ASSERT_FATAL(snappy_compress((char *)in, n, raw, &rlen) == SNAPPY_OK);
	CU_ASSERT(dec(2, raw, rlen, n, in, n) == RC_OK);
	free(raw);
	/* xerial, ours: header, then ceil(n / 32 KiB) chunks of <= 32 KiB input each */
	CU_ASSERT_FATAL(rc_compress(2, in, n, &z, &clen) == RC_OK);
	static const uint8_t hdr[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0,
	                                0,    0,   0,   1,   0,   0,   0,   1};
	CU_ASSERT(clen > 16 && memcmp(z, hdr, 16) == 0);
	size_t pos = 16, chunks = 0, total = 0;
	while (pos + 4 <= clen) {
		size_t cl = be32_get(z + pos), ul = 0;
		CU_ASSERT_FATAL(pos + 4 + cl <= clen);
		CU_ASSERT(snappy_uncompressed_length((char *)z + pos + 4, cl, &ul) == SNAPPY_OK);
		CU_ASSERT(ul <= 32768 && (ul == 32768 || total + ul == n));
		total += ul;
		chunks++;
		pos += 4 + cl;
	}
	CU_ASSERT(pos == clen && chunks == 4 && total == n);
	/* damaged xerial: truncated chunk, zero-length chunk, short header */
	CU_ASSERT(dec(2, z, clen - 1, n, NULL, 0) == RC_ERR_CORRUPT);
	CU_ASSERT(dec(2, z, 18, n, NULL, 0) == RC_ERR_CORRUPT);
	CU_ASSERT(dec(2, z, 12, n, NULL, 0) == RC_ERR_CORRUPT);
	memset(z + 16, 0, 4);
	CU_ASSERT(dec(2, z, 20, n, NULL, 0) == RC_ERR_CORRUPT);
	CU_ASSERT(dec(2, hdr, 16, 0, NULL, 0) == RC_OK); /* header only: empty */
	free(z);
	free(in);
}

static uint8_t *lz4_frame(const uint8_t *in, size_t n, const LZ4F_preferences_t *prefs,
                          size_t *zlen)
{
	size_t bound = LZ4F_compressFrameBound(n, prefs);
	uint8_t *z = kb_malloc(bound);
	*zlen = LZ4F_compressFrame(z, bound, in, n, prefs);
	KB_ASSERT(!LZ4F_isError(*zlen));
	return z;
}

static void test_lz4_frames(void)
{
	size_t n = 300000, zlen;
	uint8_t *in = gen(n, 0), *z;
	/* XXH32 reference values: "" 0x02CC5D05, "a" 0x550D7456, "abc" 0x32D153FF */
	CU_ASSERT(rc_lz4_header_checksum((const uint8_t *)"", 0) == 0x5D);
	CU_ASSERT(rc_lz4_header_checksum((const uint8_t *)"a", 1) == 0x74);
	CU_ASSERT(rc_lz4_header_checksum((const uint8_t *)"abc", 3) == 0x53);
	/* liblz4's defaults (linked 64 KiB blocks) */
	z = lz4_frame(in, n, NULL, &zlen);
	CU_ASSERT(z[6] == rc_lz4_header_checksum(z + 4, 2));
	CU_ASSERT(dec(3, z, zlen, n, in, n) == RC_OK);
	free(z);
	/* every option on: content size, content and block checksums, 4 MiB blocks */
	LZ4F_preferences_t p;
	memset(&p, 0, sizeof(p));
	p.frameInfo.contentSize = n;
	p.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
	p.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
	p.frameInfo.blockSizeID = LZ4F_max4MB;
	z = lz4_frame(in, n, &p, &zlen);
	CU_ASSERT(z[14] == rc_lz4_header_checksum(z + 4, 10));
	CU_ASSERT(dec(3, z, zlen, n, in, n) == RC_OK);
	CU_ASSERT(dec(3, z, zlen, n - 1, in, n) == RC_ERR_TOO_BIG);
	z[zlen - 2] ^= 1; /* content checksum */
	CU_ASSERT(dec(3, z, zlen, n, NULL, 0) == RC_ERR_CORRUPT);
	free(z);
	/* A 19-byte header (content size + dictionary id) with a wrong checksum is refused;
	 * it once reached the short-input checksum with 18 bytes and aborted the broker
	 * (found by fuzz-decompress; the reproducer is in tests/fuzz/regress/decompress). */
	uint8_t longhdr[32] = { 0x04, 0x22, 0x4D, 0x18, 0x69, 0x40 };
	longhdr[18] = 0xAB;
	CU_ASSERT(dec(3, longhdr, sizeof longhdr, n, NULL, 0) != RC_OK);
	/* ours: FLG 0x60 (v01, independent blocks), BD 0x40 (64 KiB), correct checksum */
	CU_ASSERT_FATAL(rc_compress(3, in, n, &z, &zlen) == RC_OK);
	CU_ASSERT(be32_get(z) == 0x04224D18 && z[4] == 0x60 && z[5] == 0x40);
	CU_ASSERT(z[6] == rc_lz4_header_checksum(z + 4, 2));
	/* Kafka magic-0 "broken" checksum (over magic + descriptor) is accepted */
	uint8_t good = z[6], broken = rc_lz4_header_checksum(z, 6);
	CU_ASSERT_FATAL(good != broken);
	z[6] = broken;
	CU_ASSERT(dec(3, z, zlen, n, in, n) == RC_OK);
	z[6] = (uint8_t)(good + 1) == broken ? (uint8_t)(good + 2) : (uint8_t)(good + 1);
	CU_ASSERT(dec(3, z, zlen, n, NULL, 0) == RC_ERR_CORRUPT);
	z[6] = good;
	CU_ASSERT(dec(3, z, zlen - 1, n, NULL, 0) == RC_ERR_CORRUPT);
	free(z);
	free(in);
}

/* ---- Streams without a declared size (as streaming writers produce) --------------------- */

static size_t gz_stream(const uint8_t *chunk, size_t n, int reps, uint8_t *z, size_t cap)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	KB_ASSERT(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	zs.next_out = z;
	zs.avail_out = (uInt)cap;
	for (int i = 0; i <= reps; i++) {
		zs.next_in = (Bytef *)(uintptr_t)chunk;
		zs.avail_in = i < reps ? (uInt)n : 0;
		int r = deflate(&zs, i < reps ? Z_NO_FLUSH : Z_FINISH);
		KB_ASSERT(zs.avail_in == 0 && r == (i < reps ? Z_OK : Z_STREAM_END));
	}
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static size_t lz4_stream(const uint8_t *chunk, size_t n, int reps, uint8_t *z, size_t cap)
{
	LZ4F_cctx *cc;
	KB_ASSERT(!LZ4F_isError(LZ4F_createCompressionContext(&cc, LZ4F_VERSION)));
	size_t pos = LZ4F_compressBegin(cc, z, cap, NULL); /* liblz4's default frame */
	for (int i = 0; i < reps; i++)
		pos += LZ4F_compressUpdate(cc, z + pos, cap - pos, chunk, n, NULL);
	pos += LZ4F_compressEnd(cc, z + pos, cap - pos, NULL);
	KB_ASSERT(!LZ4F_isError(pos));
	LZ4F_freeCompressionContext(cc);
	return pos;
}

static size_t zstd_stream(const uint8_t *chunk, size_t n, int reps, uint8_t *z, size_t cap)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_outBuffer ob = {z, cap, 0};
	size_t r;
	for (int i = 0; i < reps; i++) {
		ZSTD_inBuffer ib = {chunk, n, 0};
		while (ib.pos < ib.size)
			KB_ASSERT(!ZSTD_isError(
				ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue)));
	}
	ZSTD_inBuffer none = {NULL, 0, 0};
	while ((r = ZSTD_compressStream2(cc, &ob, &none, ZSTD_e_end)) != 0)
		KB_ASSERT(!ZSTD_isError(r));
	ZSTD_freeCCtx(cc);
	return ob.pos;
}

/* `reps` copies of chunk through codec 1, 3 or 4, streamed. */
static uint8_t *stream(int codec, const uint8_t *chunk, size_t n, int reps, size_t *len)
{
	size_t cap = 2 * n + 2 * MiB;
	uint8_t *z = kb_malloc(cap);
	*len = codec == 1 ? gz_stream(chunk, n, reps, z, cap)
	       : codec == 3 ? lz4_stream(chunk, n, reps, z, cap)
	                    : zstd_stream(chunk, n, reps, z, cap);
	return z;
}

static void test_streamed_inputs(void)
{
	static const size_t sizes[] = {1, 255, 256, 257, 4096, 65536, 65537, 300000};
	static const int codecs[] = {1, 3, 4};
	uint8_t *in = gen(300000, 0), *z;
	size_t zlen;
	for (size_t c = 0; c < 3; c++)
		for (size_t s = 0; s < KB_ARRAY_LEN(sizes); s++) { /* output ends on buffer edges */
			size_t n = sizes[s];
			z = stream(codecs[c], in, n, 1, &zlen);
			CU_ASSERT(dec(codecs[c], z, zlen, n, in, n) == RC_OK);
			CU_ASSERT(dec(codecs[c], z, zlen, n - 1, in, n) == RC_ERR_TOO_BIG);
			uint8_t *two = kb_malloc(2 * zlen + 3); /* two frames/members in a row */
			memcpy(two, z, zlen);
			memcpy(two + zlen, z, zlen);
			CU_ASSERT(dec(codecs[c], two, 2 * zlen, 2 * n, NULL, 2 * n) == RC_OK);
			memcpy(two + zlen, "abc", 3); /* trailing garbage */
			CU_ASSERT(dec(codecs[c], two, zlen + 3, 2 * n, NULL, 0) < 0);
			free(two);
			if (codecs[c] == 4)
				CU_ASSERT(ZSTD_getFrameContentSize(z, zlen) ==
				          ZSTD_CONTENTSIZE_UNKNOWN);
			free(z);
		}
	uLongf zl = compressBound(1000); /* a zlib stream is accepted as gzip too */
	z = kb_malloc(zl);
	CU_ASSERT_FATAL(compress2(z, &zl, in, 1000, 6) == Z_OK);
	CU_ASSERT(dec(1, z, zl, 1000, in, 1000) == RC_OK);
	free(z);
	free(in);
}

/* ---- Bombs: 100 MiB of zeros, streamed from a 1 MiB buffer; cap 1 MiB ------------------- */

#define BOMB_CAP (1 * MiB)

static void expect_bomb(int codec, uint8_t *z, size_t zlen, bool allocates)
{
	uint8_t *out = (uint8_t *)1;
	size_t olen = 1;
	atomic_store(&rc_debug_out_peak, 0);
	CU_ASSERT(rc_decompress(codec, z, zlen, BOMB_CAP, &out, &olen) == RC_ERR_TOO_BIG);
	CU_ASSERT(out == NULL && olen == 0);
	int64_t peak = atomic_load(&rc_debug_out_peak);
	CU_ASSERT(peak <= (int64_t)BOMB_CAP + 1);
	CU_ASSERT(allocates ? peak > 0 : peak == 0);
	free(z);
}

static void test_decompression_caps(void)
{
	size_t zlen, n = 8 * MiB;
	uint8_t *zeros = kb_calloc(1, n), *z;
	for (int codec = 1; codec <= 4; codec++) {
		if (codec == 2)
			continue; /* snappy has no streaming writer here; its cases follow */
		z = stream(codec, zeros, MiB, 100, &zlen);
		expect_bomb(codec, z, zlen, true);
	}
	/* declared sizes above the cap fail before any output is allocated */
	CU_ASSERT_FATAL(rc_compress(4, zeros, n, &z, &zlen) == RC_OK); /* content size in frame */
	expect_bomb(4, z, zlen, false);
	size_t rlen = snappy_max_compressed_length(n);
	z = kb_malloc(rlen);
	CU_ASSERT_FATAL(snappy_compress((char *)zeros, n, (char *)z, &rlen) == SNAPPY_OK);
	expect_bomb(2, z, rlen, false);
	CU_ASSERT_FATAL(rc_compress(2, zeros, n, &z, &zlen) == RC_OK); /* xerial chunks */
	expect_bomb(2, z, zlen, true);
	free(zeros);
}

static void test_corrupt_compressed(void)
{
	size_t n = 65536, zlen;
	uint8_t *in = gen(n, 0), *z, *junk = gen(1000, 1);
	for (int codec = 1; codec <= 4; codec++) {
		CU_ASSERT_FATAL(rc_compress(codec, in, n, &z, &zlen) == RC_OK);
		size_t cuts[] = {0, 1, 5, zlen / 2, zlen - 1};
		for (size_t i = 0; i < KB_ARRAY_LEN(cuts); i++)
			CU_ASSERT(dec(codec, z, cuts[i], n, NULL, 0) < 0);
		CU_ASSERT(dec(codec, junk, 1000, n, NULL, 0) < 0);
		for (int k = 0; k < 300; k++) { /* random damage: any result, never a crash */
			uint8_t *d = kb_malloc(zlen);
			memcpy(d, z, zlen);
			for (int f = 0; f < 3; f++)
				d[rnd() % zlen] ^= (uint8_t)(1 + rnd() % 255);
			uint8_t *out;
			size_t olen;
			if (rc_decompress(codec, d, zlen, n, &out, &olen) == RC_OK)
				free(out);
			free(d);
		}
		free(z);
	}
	free(junk);
	free(in);
}

/* ---- Hand-built batches ----------------------------------------------------------------- */

struct hb {
	uint8_t b[65536];
	size_t n;
};

static void hb_raw(struct hb *h, const void *p, size_t n)
{
	KB_ASSERT(h->n + n <= sizeof(h->b));
	memcpy(h->b + h->n, p, n);
	h->n += n;
}

static void hb_varint(struct hb *h, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	do {
		uint8_t c = (uint8_t)(u & 0x7f);
		u >>= 7;
		if (u)
			c |= 0x80;
		hb_raw(h, &c, 1);
	} while (u);
}

static void hb_bytes(struct hb *h, const char *s, int32_t len)
{
	hb_varint(h, len);
	if (len > 0)
		hb_raw(h, s, (size_t)len);
}

/* One record: attributes 0, deltas, key, value (length -1 = null), hc raw headers. */
static void hb_rec(struct hb *h, int64_t tsd, int32_t od, const char *k, int32_t kl,
                   const char *v, int32_t vl, int32_t hc, const struct hb *hdrs)
{
	static struct hb r;
	r.n = 0;
	hb_raw(&r, "\0", 1);
	hb_varint(&r, tsd), hb_varint(&r, od), hb_bytes(&r, k, kl), hb_bytes(&r, v, vl);
	hb_varint(&r, hc);
	if (hdrs)
		hb_raw(&r, hdrs->b, hdrs->n);
	hb_varint(h, (int64_t)r.n);
	hb_raw(h, r.b, r.n);
}

/* A batch around a records section: header fields by hand, CRC-32C computed. */
static uint8_t *hand_batch(const uint8_t *recs, size_t rlen, int32_t count, int16_t attrs,
                           int64_t base_ts, int64_t max_ts, size_t *len)
{
	*len = RB_HEADER_SIZE + rlen;
	uint8_t *b = kb_calloc(1, *len);
	be64_put(b, 1000);                    /* baseOffset */
	be32_put(b + 8, (uint32_t)(*len - 12));
	be32_put(b + 12, 7);                  /* leader epoch */
	b[16] = 2;
	be16_put(b + 21, (uint16_t)attrs);
	be32_put(b + 23, (uint32_t)(count - 1));
	be64_put(b + 27, (uint64_t)base_ts);
	be64_put(b + 35, (uint64_t)max_ts);
	be64_put(b + 43, 42);                 /* producerId */
	be16_put(b + 51, 3);
	be32_put(b + 53, 9);
	be32_put(b + 57, (uint32_t)count);
	if (rlen)
		memcpy(b + RB_HEADER_SIZE, recs, rlen);
	be32_put(b + 17, crc32c(0, b + 21, *len - 21));
	return b;
}

static char g_big[20000];

/* Four records: plain; null key + headers + negative ts delta; empty key + null value;
 * multi-byte varint lengths. */
static void four_records(struct hb *h)
{
	static struct hb hd;
	hd.n = 0;
	hb_bytes(&hd, "a", 1), hb_varint(&hd, -1), hb_bytes(&hd, "bb", 2), hb_bytes(&hd, "xyz", 3);
	memset(g_big, 'v', sizeof(g_big));
	h->n = 0;
	hb_rec(h, 0, 0, "k0", 2, "v0", 2, 0, NULL);
	hb_rec(h, -5, 1, NULL, -1, "hello", 5, 2, &hd);
	hb_rec(h, (int64_t)1 << 40, 2, "", 0, NULL, -1, 0, NULL);
	hb_rec(h, 7, 3, g_big, 300, g_big, (int32_t)sizeof(g_big), 0, NULL);
}

static void check_four(const uint8_t *batch, size_t len)
{
	struct rc_iter it;
	struct rc_record r;
	struct rc_header hd;
	CU_ASSERT_FATAL(rc_iter_init(&it, batch, len, 1 * MiB) == RC_OK);
	CU_ASSERT(it.base_offset == 1000 && it.leader_epoch == 7 && it.count == 4 &&
	          it.producer_id == 42 && it.producer_epoch == 3 && it.base_sequence == 9);
	CU_ASSERT_FATAL(rc_iter_next(&it, &r) == 1);
	CU_ASSERT(r.offset == 1000 && r.timestamp == 5000 && r.key_len == 2 &&
	          memcmp(r.key, "k0", 2) == 0 && r.value_len == 2 && r.header_count == 0);
	CU_ASSERT_FATAL(rc_iter_next(&it, &r) == 1);
	CU_ASSERT(r.offset == 1001 && r.timestamp == 4995 && r.key == NULL && r.key_len == -1);
	CU_ASSERT(r.value_len == 5 && memcmp(r.value, "hello", 5) == 0 && r.header_count == 2);
	const uint8_t *hp = r.headers, *he = r.headers + r.headers_len;
	CU_ASSERT(rc_header_next(&hp, he, &hd) == RC_OK && hd.key_len == 1 && hd.value == NULL &&
	          hd.value_len == -1);
	CU_ASSERT(rc_header_next(&hp, he, &hd) == RC_OK && hd.key_len == 2 && hd.value_len == 3 &&
	          memcmp(hd.value, "xyz", 3) == 0 && hp == he);
	CU_ASSERT_FATAL(rc_iter_next(&it, &r) == 1);
	CU_ASSERT(r.timestamp_delta == (int64_t)1 << 40 && r.key_len == 0 && r.key != NULL &&
	          r.value == NULL && r.value_len == -1);
	CU_ASSERT_FATAL(rc_iter_next(&it, &r) == 1);
	CU_ASSERT(r.offset == 1003 && r.key_len == 300 && r.value_len == (int32_t)sizeof(g_big));
	CU_ASSERT(rc_iter_next(&it, &r) == 0);
	rc_iter_free(&it);
}

static void test_iter_hand_built(void)
{
	struct hb h;
	size_t len;
	four_records(&h);
	uint8_t *b = hand_batch(h.b, h.n, 4, 0, 5000, 5000 + ((int64_t)1 << 40), &len);
	CU_ASSERT(batch_validate(b, len, -1, NULL) == KERR_NONE);
	check_four(b, len);
	/* the builder writes the same bytes */
	struct rc_build_record br[4];
	struct rc_iter it;
	CU_ASSERT_FATAL(rc_iter_init(&it, b, len, MiB) == RC_OK);
	for (int i = 0; i < 4; i++) {
		struct rc_record r;
		CU_ASSERT_FATAL(rc_iter_next(&it, &r) == 1);
		br[i] = (struct rc_build_record){r.offset_delta, r.timestamp, r.key, r.key_len,
		                                 r.value, r.value_len, r.header_count, r.headers,
		                                 r.headers_len};
	}
	struct rc_batch_params bp = {1000, 7, 0, 42, 3, 9, -1};
	uint8_t *o;
	size_t olen;
	CU_ASSERT(rc_batch_build(&bp, br, 4, 0, MiB, &o, &olen) == RC_OK);
	CU_ASSERT(olen == len && memcmp(o, b, len) == 0);
	free(o);
	rc_iter_free(&it);
	/* every codec wraps the same records */
	for (int codec = 1; codec <= 4; codec++) {
		CU_ASSERT_FATAL(rc_batch_recompress(b, len, codec, MiB, &o, &olen) == RC_OK);
		check_four(o, olen);
		free(o);
	}
	free(b);
	/* LogAppendTime: every record reads maxTimestamp */
	b = hand_batch(h.b, h.n, 4, RB_ATTR_LOG_APPEND_TIME, 5000, 123456, &len);
	struct rc_record r;
	CU_ASSERT_FATAL(rc_iter_init(&it, b, len, MiB) == RC_OK);
	while (rc_iter_next(&it, &r) == 1)
		CU_ASSERT(r.timestamp == 123456);
	rc_iter_free(&it);
	free(b);
}

/* Runs an iterator to its end: 0 when every record read, else the error. */
static int iter_all(const uint8_t *b, size_t len)
{
	struct rc_iter it;
	struct rc_record r;
	int rc = rc_iter_init(&it, b, len, MiB);
	if (rc != RC_OK)
		return rc;
	while ((rc = rc_iter_next(&it, &r)) == 1)
		;
	rc_iter_free(&it);
	return rc;
}

static int iter_raw(const void *recs, size_t rlen, int32_t count)
{
	size_t len;
	uint8_t *b = hand_batch(recs, rlen, count, 0, 0, 0, &len);
	int rc = iter_all(b, len);
	free(b);
	return rc;
}

#define BAD RC_ERR_INVALID

/* One record per case (zig-zag varints: 12 = 6, 1 = -1, 2 = 1). */
static const struct {
	uint8_t b[16];
	uint8_t n;
	int rc;
} g_edges[] = {
	{{12, 0, 0, 0, 1, 1, 0}, 7, 0},                                   /* minimal record */
	{{22, 0, 0x80, 0, 0x82, 0x80, 0, 1, 2, 'v', 0x80, 0}, 12, 0},      /* non-minimal */
	{{30, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 0, 1, 1, 0}, 16, 0}, /* -2^63 */
	{{30, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 3, 0, 1, 1, 0}, 16, BAD}, /* >64b */
	{{20, 0, 0, 0, 255, 255, 255, 255, 0x0f, 1, 0}, 11, BAD},          /* key len INT32_MIN */
	{{22, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 1, 0}, 12, BAD},   /* 6-byte varint */
	{{20, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x10, 1, 0}, 11, BAD},      /* > 32 bits */
	{{12, 0, 0, 1, 1, 1, 0}, 7, BAD},                                  /* offset delta -1 */
	{{12, 0, 0, 0, 3, 1, 0}, 7, BAD},                                  /* key length -2 */
	{{14, 0, 0, 0, 1, 8, 'a', 0}, 8, BAD},                             /* value past record */
	{{16, 0, 0, 0, 1, 1, 2, 1, 1}, 9, BAD},                            /* null header key */
	{{12, 0, 0, 0, 1, 1, 1}, 7, BAD},                                  /* header count -1 */
	{{0}, 1, BAD},                                                     /* record length 0 */
	{{40, 0, 0, 0, 1, 1, 0}, 7, BAD},                                  /* length past end */
	{{14, 0, 0, 0, 1, 1, 0, 0}, 8, BAD},                               /* a byte left over */
};

static void test_iter_varint_edges(void)
{
	for (size_t i = 0; i < KB_ARRAY_LEN(g_edges); i++)
		CU_ASSERT(iter_raw(g_edges[i].b, g_edges[i].n, 1) == g_edges[i].rc);
	CU_ASSERT(iter_raw(NULL, 0, 0) == 0); /* count 0, no records */
}

static void test_iter_malformed(void)
{
	struct hb h;
	size_t len;
	four_records(&h);
	for (size_t t = 0; t < h.n; t += t < 400 ? 1 : 61) /* truncations of the records */
		CU_ASSERT(iter_raw(h.b, t, 4) < 0);
	CU_ASSERT(iter_raw(h.b, h.n, 5) == RC_ERR_INVALID); /* count too large */
	CU_ASSERT(iter_raw(h.b, h.n, 3) == RC_ERR_INVALID); /* bytes left over */
	CU_ASSERT(iter_raw(h.b, h.n, -1) == RC_ERR_INVALID);
	uint8_t *b = hand_batch(h.b, h.n, 4, 0, 0, 0, &len);
	CU_ASSERT(rc_iter_init(&(struct rc_iter){0}, b, 60, MiB) == RC_ERR_CORRUPT);
	CU_ASSERT(iter_all(b, len - 1) == RC_ERR_CORRUPT); /* batchLength past len */
	b[16] = 1;
	CU_ASSERT(iter_all(b, len) == RC_ERR_CORRUPT);
	b[16] = 2;
	be16_put(b + 21, 5);
	CU_ASSERT(iter_all(b, len) == RC_ERR_CODEC);
	be16_put(b + 21, 1); /* gzip claimed, records are not gzip */
	CU_ASSERT(iter_all(b, len) == RC_ERR_CORRUPT);
	be16_put(b + 21, 0);
	be32_put(b + 8, 40);
	CU_ASSERT(iter_all(b, len) == RC_ERR_CORRUPT);
	free(b);
	/* random garbage and random damage: errors or records, never a crash */
	uint8_t junk[512];
	for (int k = 0; k < 3000; k++) {
		size_t n = rnd() % sizeof(junk);
		for (size_t i = 0; i < n; i++)
			junk[i] = (uint8_t)(rnd() % 4 ? rnd() % 8 : rnd());
		(void)iter_raw(junk, n, (int32_t)(rnd() % 6));
		uint8_t d[sizeof(h.b)];
		memcpy(d, h.b, h.n);
		d[rnd() % h.n] ^= (uint8_t)(1 + rnd() % 255);
		(void)iter_raw(d, h.n, 4);
	}
}

/* ---- Building and recompressing ---------------------------------------------------------- */

#define NREC 60

struct recset {
	struct rc_build_record r[NREC];
	uint8_t hdrs[NREC][64];
	char keys[NREC][16];
	uint8_t *val;
};

static void recset_make(struct recset *s)
{
	s->val = gen(100000, 0);
	for (int i = 0; i < NREC; i++) {
		struct kbuf kb;
		kbuf_init(&kb, sizeof(s->hdrs[i]));
		struct rc_header hd[2] = {{(const uint8_t *)"trace", 5, (const uint8_t *)"id", 2},
		                          {(const uint8_t *)"n", 1, NULL, -1}};
		rc_headers_encode(&kb, hd, i % 3);
		if (kb.len)
			memcpy(s->hdrs[i], kb.data, kb.len);
		snprintf(s->keys[i], sizeof(s->keys[i]), "key-%d", i);
		s->r[i] = (struct rc_build_record){
			.offset_delta = i * 2, .timestamp = 1700000000000 + (i * 37) % 11 - 5,
			.key = i % 5 ? (const uint8_t *)s->keys[i] : NULL,
			.key_len = i % 5 ? (int32_t)strlen(s->keys[i]) : -1,
			.value = i % 7 ? s->val + i : NULL,
			.value_len = i % 7 ? 1000 + i * 1500 : -1,
			.header_count = i % 3, .headers = s->hdrs[i], .headers_len = kb.len};
		kbuf_free(&kb);
	}
}

static void check_recset(const struct recset *s, const uint8_t *b, size_t len, int codec)
{
	struct rc_iter it;
	struct rc_record r;
	CU_ASSERT(crc32c(0, b + RB_ATTRIBUTES, len - RB_ATTRIBUTES) == be32_get(b + RB_CRC));
	CU_ASSERT_FATAL(rc_iter_init(&it, b, len, 8 * MiB) == RC_OK);
	CU_ASSERT((it.attributes & 7) == codec && it.count == NREC && it.base_offset == 500);
	CU_ASSERT(it.producer_id == 77 && it.producer_epoch == 2 && it.base_sequence == 10 &&
	          it.leader_epoch == 4 && (it.attributes & RB_ATTR_TRANSACTIONAL));
	CU_ASSERT(it.last_offset_delta == (NREC - 1) * 2 && it.base_timestamp == s->r[0].timestamp);
	for (int i = 0; i < NREC; i++) {
		const struct rc_build_record *e = &s->r[i];
		CU_ASSERT_FATAL(rc_iter_next(&it, &r) == 1);
		CU_ASSERT(r.offset == 500 + e->offset_delta && r.timestamp == e->timestamp);
		CU_ASSERT(r.key_len == e->key_len && r.value_len == e->value_len);
		CU_ASSERT(e->key_len < 0 || memcmp(r.key, e->key, (size_t)e->key_len) == 0);
		CU_ASSERT(e->value_len < 0 || memcmp(r.value, e->value, (size_t)e->value_len) == 0);
		CU_ASSERT(r.header_count == e->header_count && r.headers_len == e->headers_len &&
		          memcmp(r.headers, e->headers, e->headers_len) == 0);
	}
	CU_ASSERT(rc_iter_next(&it, &r) == 0);
	rc_iter_free(&it);
}

static void test_build_recompress(void)
{
	static struct recset s;
	recset_make(&s);
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	bp.base_offset = 500, bp.leader_epoch = 4, bp.producer_id = 77, bp.producer_epoch = 2;
	bp.base_sequence = 10, bp.attributes = RB_ATTR_TRANSACTIONAL;
	uint8_t *b, *o;
	size_t len, olen;
	for (int src = 0; src <= 4; src++) {
		CU_ASSERT_FATAL(rc_batch_build(&bp, s.r, NREC, src, 8 * MiB, &b, &len) == RC_OK);
		check_recset(&s, b, len, src);
		for (int dst = 0; dst <= 4; dst++) {
			CU_ASSERT_FATAL(rc_batch_recompress(b, len, dst, 8 * MiB, &o, &olen) == 0);
			CU_ASSERT(memcmp(o + RB_BASE_TIMESTAMP, b + RB_BASE_TIMESTAMP, 34) == 0);
			check_recset(&s, o, olen, dst);
			free(o);
		}
		CU_ASSERT(rc_batch_recompress(b, len, 5, 8 * MiB, &o, &olen) == RC_ERR_CODEC);
		CU_ASSERT(rc_batch_recompress(b, len, 0, 100000, &o, &olen) == RC_ERR_TOO_BIG);
		free(b);
	}
	/* invalid inputs to the builder */
	CU_ASSERT(rc_batch_build(&bp, s.r, 0, 0, MiB, &b, &len) == RC_ERR_INVALID);
	CU_ASSERT(rc_batch_build(&bp, s.r, 2, 7, MiB, &b, &len) == RC_ERR_CODEC);
	CU_ASSERT(rc_batch_build(&bp, s.r, NREC, 0, 4096, &b, &len) == RC_ERR_TOO_BIG);
	struct rc_build_record bad[2] = {s.r[1], s.r[1]};
	CU_ASSERT(rc_batch_build(&bp, bad, 2, 0, MiB, &b, &len) == RC_ERR_INVALID);
	bad[1] = s.r[2];
	bad[1].key_len = -2;
	CU_ASSERT(rc_batch_build(&bp, bad, 2, 0, MiB, &b, &len) == RC_ERR_INVALID);
	bad[1] = s.r[2];
	bad[1].header_count = 1; /* 2 headers encoded */
	CU_ASSERT(rc_batch_build(&bp, bad, 2, 0, MiB, &b, &len) == RC_ERR_INVALID);
	bad[0].timestamp = INT64_MIN, bad[1] = s.r[2];
	CU_ASSERT(rc_batch_build(&bp, bad, 2, 0, MiB, &b, &len) == RC_ERR_INVALID);
	free(s.val);
}

/* ---- Legacy ------------------------------------------------------------------------------ */

static void test_legacy_golden(void)
{
	static const uint8_t v1[] = {
		0, 0, 0, 0, 0, 0, 0, 7,         /* offset */
		0, 0, 0, 30,                    /* message size */
		0xfa, 0x8f, 0x80, 0xf5,         /* CRC-32 of the rest (computed with Python zlib) */
		1, 0,                           /* magic, attributes */
		0, 0, 0x01, 0x74, 0x87, 0x6e, 0x80, 0x00, /* 1600000000000 */
		0, 0, 0, 3, 'k', 'e', 'y', 0, 0, 0, 5, 'v', 'a', 'l', 'u', 'e'};
	static const uint8_t v0[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19, 0x87, 0xa7, 0x7a, 0xb2,
	                             0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 5,
	                             'h', 'e', 'l', 'l', 'o'};
	struct kbuf b;
	kbuf_init(&b, 1024);
	rc_legacy_append(&b, 1, 7, 0, 1600000000000, (const uint8_t *)"key", 3,
	                 (const uint8_t *)"value", 5);
	CU_ASSERT(b.len == sizeof(v1) && memcmp(b.data, v1, sizeof(v1)) == 0);
	CU_ASSERT(crc32(0, v1 + 16, sizeof(v1) - 16) == be32_get(v1 + 12));
	kbuf_reset(&b);
	rc_legacy_append(&b, 0, 0, 0, 99, NULL, -1, (const uint8_t *)"hello", 5);
	CU_ASSERT(b.len == sizeof(v0) && memcmp(b.data, v0, sizeof(v0)) == 0);
	const uint8_t *p = v1;
	struct rc_legacy_msg m;
	CU_ASSERT(rc_legacy_next(&p, v1 + sizeof(v1), &m) == 1);
	CU_ASSERT(m.offset == 7 && m.magic == 1 && m.timestamp == 1600000000000 &&
	          m.key_len == 3 && m.value_len == 5 && p == v1 + sizeof(v1));
	kbuf_free(&b);
}

/* A legacy set of n messages "v<i>" (key "k<i>" except i == 1: null key). */
static void legacy_set(struct kbuf *b, int magic, int64_t first_off, int n, int64_t ts0)
{
	for (int i = 0; i < n; i++) {
		char k[2] = {'k', (char)('0' + i % 10)}, v[2] = {'v', (char)('0' + i % 10)};
		rc_legacy_append(b, magic, first_off + i, 0, ts0 + i * 10,
		                 i == 1 ? NULL : (uint8_t *)k, i == 1 ? -1 : 2, (uint8_t *)v, 2);
	}
}

/* Wraps `inner` into one wrapper message of `codec`. raw_snappy / broken_lz4: the framings
 * of librdkafka and of Kafka's magic-0 writer. */
static void wrap(struct kbuf *out, const struct kbuf *inner, int magic, int codec,
                 int64_t off, int64_t ts, int8_t extra_attrs, bool variant)
{
	uint8_t *z;
	size_t zlen;
	if (codec == 2 && variant) {
		zlen = snappy_max_compressed_length(inner->len);
		z = kb_malloc(zlen);
		KB_ASSERT(snappy_compress((char *)inner->data, inner->len, (char *)z, &zlen) == 0);
	} else {
		KB_ASSERT(rc_compress(codec, inner->data, inner->len, &z, &zlen) == RC_OK);
		if (codec == 3 && variant)
			z[6] = rc_lz4_header_checksum(z, 6);
	}
	rc_legacy_append(out, magic, off, (int8_t)(codec | extra_attrs), ts, NULL, -1, z,
	                 (int32_t)zlen);
	free(z);
}

#define UP_NOW 777 /* now_ms of every up-conversion here */
#define UP_LAT -2  /* check_up(): LogAppendTime expected */

/* Up-converts and checks: codec, base offset, n records "v<i>", timestamps (ts0 + 10 * i,
 * -1 for none, UP_LAT for LogAppendTime). */
static void check_up(const struct kbuf *set, int codec, int64_t base, int n, int64_t ts0)
{
	uint8_t *o;
	size_t olen;
	int err = -1;
	CU_ASSERT_FATAL(rc_legacy_to_v2(set->data, set->len, UP_NOW, MiB, &o, &olen, &err) == 0);
	CU_ASSERT(err == 0 && batch_validate(o, olen, -1, NULL) == KERR_NONE);
	struct rc_iter it;
	struct rc_record r;
	CU_ASSERT_FATAL(rc_iter_init(&it, o, olen, MiB) == RC_OK);
	CU_ASSERT((it.attributes & 7) == codec && it.base_offset == base && it.count == n);
	CU_ASSERT(it.producer_id == -1 && it.base_sequence == -1 && it.leader_epoch == -1);
	bool lat = it.attributes & RB_ATTR_LOG_APPEND_TIME;
	CU_ASSERT(ts0 == UP_LAT ? lat && it.max_timestamp == UP_NOW : !lat);
	for (int i = 0; i < n; i++) {
		char v[2] = {'v', (char)('0' + i % 3)};
		CU_ASSERT_FATAL(rc_iter_next(&it, &r) == 1);
		CU_ASSERT(r.offset_delta == i && r.value_len == 2 && memcmp(r.value, v, 2) == 0);
		CU_ASSERT(r.key_len == (i % 3 == 1 ? -1 : 2));
		int64_t ts = ts0 == UP_LAT ? UP_NOW : ts0 < 0 ? -1 : ts0 + (i % 3) * 10;
		CU_ASSERT(r.timestamp == ts);
	}
	CU_ASSERT(rc_iter_next(&it, &r) == 0);
	if (ts0 == -1)
		CU_ASSERT(it.max_timestamp == -1 && it.base_timestamp == -1);
	rc_iter_free(&it);
	free(o);
}

static void test_legacy_up_plain_and_wrapped(void)
{
	struct kbuf in, set;
	kbuf_init(&in, MiB);
	kbuf_init(&set, MiB);
	legacy_set(&set, 0, 0, 3, 0);
	check_up(&set, 0, 0, 3, -1);
	kbuf_reset(&set);
	legacy_set(&set, 1, 5, 3, 1000);
	check_up(&set, 0, 5, 3, 1000);
	/* v1: relative inner offsets 0..2, wrapper 41 -> 39..41; v0: absolute 39..41 */
	for (int magic = 0; magic <= 1; magic++)
		for (int codec = 1; codec <= 3; codec++)
			for (int variant = 0; variant < 2; variant++) {
				kbuf_reset(&in);
				kbuf_reset(&set);
				legacy_set(&in, magic, magic ? 0 : 39, 3, 2000);
				wrap(&set, &in, magic, codec, 41, 9999, 0, variant);
				check_up(&set, codec, 39, 3, magic ? 2000 : -1);
			}
	/* gzip wrapper, lz4 wrapper, plain: one batch, codec of the last wrapper */
	kbuf_reset(&set);
	kbuf_reset(&in);
	legacy_set(&in, 1, 0, 3, 2000);
	wrap(&set, &in, 1, 1, 12, 0, 0, false);
	wrap(&set, &in, 1, 3, 15, 0, 0, false);
	legacy_set(&set, 1, 16, 3, 2000);
	check_up(&set, 3, 10, 9, 2000);
	kbuf_reset(&set); /* LogAppendTime wrapper: the batch is stamped now */
	wrap(&set, &in, 1, 1, 2, 5, RC_LEGACY_ATTR_LOG_APPEND_TIME, false);
	check_up(&set, 1, 0, 3, UP_LAT);
	kbuf_free(&in);
	kbuf_free(&set);
}

static void expect_up_error(struct kbuf *set, size_t max_out, int rc, int kafka)
{
	uint8_t *o = (uint8_t *)1;
	size_t olen;
	int err = 0;
	CU_ASSERT(rc_legacy_to_v2(set->data, set->len, 1, max_out, &o, &olen, &err) == rc);
	CU_ASSERT(err == kafka && o == NULL);
	kbuf_reset(set);
}

static void test_legacy_up_errors(void)
{
	struct kbuf in, set, nested;
	kbuf_init(&in, MiB), kbuf_init(&set, MiB), kbuf_init(&nested, MiB);
	expect_up_error(&set, MiB, RC_ERR_INVALID, 87); /* empty */
	legacy_set(&set, 1, 0, 3, 0);
	set.len--; /* truncated */
	expect_up_error(&set, MiB, RC_ERR_CORRUPT, 2);
	legacy_set(&set, 1, 0, 3, 0);
	set.data[set.len - 1] ^= 1; /* value byte: CRC mismatch */
	expect_up_error(&set, MiB, RC_ERR_CORRUPT, 2);
	legacy_set(&in, 1, 0, 3, 0);
	in.data[in.len - 1] ^= 1; /* inner CRC */
	wrap(&set, &in, 1, 1, 2, 0, 0, false);
	expect_up_error(&set, MiB, RC_ERR_CORRUPT, 2);
	in.data[in.len - 1] ^= 1;
	wrap(&set, &in, 0, 1, 2, 0, 0, false); /* inner magic 1 in a v0 wrapper */
	expect_up_error(&set, MiB, RC_ERR_INVALID, 87);
	wrap(&set, &in, 1, 4, 2, 0, 0, false); /* zstd in a legacy wrapper */
	expect_up_error(&set, MiB, RC_ERR_CODEC, 76);
	wrap(&set, &in, 1, 1, 2, 0, 0, false);
	expect_up_error(&set, 40, RC_ERR_TOO_BIG, 10); /* inner set over max_out */
	wrap(&nested, &in, 1, 2, 2, 0, 0, false);
	wrap(&set, &nested, 1, 1, 2, 0, 0, false); /* compression inside compression */
	expect_up_error(&set, MiB, RC_ERR_INVALID, 87);
	rc_legacy_append(&set, 1, 0, 1, 0, NULL, -1, NULL, -1); /* wrapper with null value */
	expect_up_error(&set, MiB, RC_ERR_INVALID, 87);
	rc_legacy_append(&set, 1, 0, 1, 0, NULL, -1, (const uint8_t *)"junk", 4);
	expect_up_error(&set, MiB, RC_ERR_CORRUPT, 2);
	legacy_set(&set, 0, 0, 1, 0);
	legacy_set(&set, 1, 1, 1, 0); /* mixed magic */
	expect_up_error(&set, MiB, RC_ERR_INVALID, 87);
	legacy_set(&set, 1, 0, 1, 0);
	set.data[16] = 2; /* magic 2 message */
	be32_put(set.data + 12, (uint32_t)crc32(0, set.data + 16, (uInt)(set.len - 16)));
	expect_up_error(&set, MiB, RC_ERR_INVALID, 87);
	kbuf_free(&nested), kbuf_free(&in), kbuf_free(&set);
}

static const char *const g_vals[] = {"a", "bb", "ccc", "dddd", "eeeee", "f"};

/* Record i of the v2 log: key = first letter (null for i == 1), value g_vals[i]. */
static struct rc_build_record v2_rec(int i, int32_t delta, const uint8_t *hdr, size_t hlen)
{
	return (struct rc_build_record){
		.offset_delta = delta, .timestamp = 5000 + i * 3,
		.key = i == 1 ? NULL : (const uint8_t *)g_vals[i], .key_len = i == 1 ? -1 : 1,
		.value = (const uint8_t *)g_vals[i], .value_len = (int32_t)strlen(g_vals[i]),
		.header_count = hlen ? 1 : 0, .headers = hdr, .headers_len = hlen};
}

/* Batches at 100 (3 records, zstd), 103 (2, none, one with a header), control at 105,
 * 106 (LogAppendTime 9000); followed by `tail` bytes of a partial batch (not in len). */
static uint8_t *v2_log(size_t *len, size_t *lat_at, size_t *tail)
{
	uint8_t hdr[] = {2, 'h', 1}; /* header "h" with a null value */
	static const uint8_t ctl_key[] = {0, 0, 0, 1}, ctl_val[] = {0, 0, 0, 0, 0, 5};
	struct rc_build_record a[3] = {v2_rec(0, 0, NULL, 0), v2_rec(1, 1, NULL, 0),
	                               v2_rec(2, 2, NULL, 0)};
	struct rc_build_record b2[2] = {v2_rec(3, 0, NULL, 0), v2_rec(4, 1, hdr, sizeof(hdr))};
	struct rc_build_record c = {0, 5100, ctl_key, 4, ctl_val, 6, 0, NULL, 0};
	struct rc_build_record d = v2_rec(5, 0, NULL, 0);
	struct rc_batch_params bp;
	uint8_t *b[4];
	size_t bl[4];
	rc_batch_params_default(&bp);
	bp.base_offset = 100;
	KB_ASSERT(rc_batch_build(&bp, a, 3, 4, MiB, &b[0], &bl[0]) == 0);
	bp.base_offset = 103;
	KB_ASSERT(rc_batch_build(&bp, b2, 2, 0, MiB, &b[1], &bl[1]) == 0);
	bp.base_offset = 105, bp.attributes = RB_ATTR_CONTROL | RB_ATTR_TRANSACTIONAL;
	KB_ASSERT(rc_batch_build(&bp, &c, 1, 0, MiB, &b[2], &bl[2]) == 0);
	bp.base_offset = 106, bp.attributes = RB_ATTR_LOG_APPEND_TIME, bp.log_append_time = 9000;
	KB_ASSERT(rc_batch_build(&bp, &d, 1, 0, MiB, &b[3], &bl[3]) == 0);
	*len = bl[0] + bl[1] + bl[2] + bl[3];
	*lat_at = bl[0] + bl[1] + bl[2];
	*tail = bl[0] - 1;
	uint8_t *all = kb_malloc(*len + *tail), *p = all;
	for (int k = 0; k < 4; k++) {
		memcpy(p, b[k], bl[k]);
		p += bl[k];
		free(b[k]);
	}
	memcpy(p, all, *tail);
	return all;
}

static void check_down(const uint8_t *o, size_t olen, int magic)
{
	static const int64_t offs[] = {100, 101, 102, 103, 104, 106};
	const char *const *vals = g_vals;
	const uint8_t *p = o;
	struct rc_legacy_msg m;
	for (int i = 0; i < 6; i++) {
		CU_ASSERT_FATAL(rc_legacy_next(&p, o + olen, &m) == 1);
		CU_ASSERT(m.magic == magic && m.offset == offs[i] && (m.attributes & 7) == 0);
		CU_ASSERT(m.value_len == (int32_t)strlen(vals[i]) &&
		          memcmp(m.value, vals[i], strlen(vals[i])) == 0);
		CU_ASSERT(i == 1 ? m.key == NULL : m.key_len == 1 && m.key[0] == vals[i][0]);
		int64_t ts = magic == 0 ? -1 : i == 5 ? 9000 : 5000 + i * 3;
		CU_ASSERT(m.timestamp == ts && m.attributes == (magic && i == 5 ? 8 : 0));
	}
	CU_ASSERT(rc_legacy_next(&p, o + olen, &m) == 0);
}

static void test_legacy_down_conversion(void)
{
	size_t len, lat_at, tail, olen, tlen, ulen;
	uint8_t *log = v2_log(&len, &lat_at, &tail), *o, *t, *u;
	for (int magic = 0; magic <= 1; magic++) {
		CU_ASSERT_FATAL(rc_v2_to_legacy(log, len, magic, MiB, &o, &olen) == RC_OK);
		check_down(o, olen, magic);
		size_t tails[] = {len + 30, len + 61, len + tail}; /* partial header / batch */
		for (size_t i = 0; i < KB_ARRAY_LEN(tails); i++) {
			CU_ASSERT_FATAL(rc_v2_to_legacy(log, tails[i], magic, MiB, &t, &tlen) == 0);
			CU_ASSERT(tlen == olen && memcmp(t, o, olen) == 0);
			free(t);
		}
		/* and back up (without the LogAppendTime batch): same keys, values, timestamps */
		CU_ASSERT_FATAL(rc_v2_to_legacy(log, lat_at, magic, MiB, &t, &tlen) == RC_OK);
		int err;
		CU_ASSERT_FATAL(rc_legacy_to_v2(t, tlen, 1, MiB, &u, &ulen, &err) == RC_OK);
		struct rc_iter it;
		struct rc_record r;
		const uint8_t *p = o;
		struct rc_legacy_msg m;
		CU_ASSERT_FATAL(rc_iter_init(&it, u, ulen, MiB) == RC_OK && it.count == 5);
		CU_ASSERT(it.base_offset == 100);
		while (rc_iter_next(&it, &r) == 1 && rc_legacy_next(&p, o + olen, &m) == 1) {
			CU_ASSERT(r.key_len == m.key_len && r.value_len == m.value_len &&
			          memcmp(r.value, m.value, (size_t)m.value_len) == 0);
			CU_ASSERT(r.timestamp == (magic ? m.timestamp : -1) && r.header_count == 0);
		}
		rc_iter_free(&it);
		free(u);
		free(t);
		free(o);
	}
	CU_ASSERT(rc_v2_to_legacy(log, 62, 1, MiB, &o, &olen) == RC_OK && olen == 0);
	free(o);
	CU_ASSERT(rc_v2_to_legacy(log, len, 2, MiB, &o, &olen) == RC_ERR_INVALID);
	CU_ASSERT(rc_v2_to_legacy(log, len, 1, 100, &o, &olen) == RC_ERR_TOO_BIG);
	log[lat_at + RB_MAGIC] = 1;
	CU_ASSERT(rc_v2_to_legacy(log, len, 1, MiB, &o, &olen) == RC_ERR_CORRUPT && o == NULL);
	free(log);
}

void suite_records(void)
{
	CU_pSuite s = CU_add_suite("records", NULL, NULL);
	CU_add_test(s, "codec round trips", test_codec_roundtrips);
	CU_add_test(s, "snappy raw and xerial", test_snappy_framings);
	CU_add_test(s, "lz4 frames and Kafka's broken checksum", test_lz4_frames);
	CU_add_test(s, "streamed gzip, lz4, zstd; members, frames", test_streamed_inputs);
	CU_add_test(s, "decompression caps (bombs)", test_decompression_caps);
	CU_add_test(s, "corrupt compressed input", test_corrupt_compressed);
	CU_add_test(s, "iterate hand-built batches", test_iter_hand_built);
	CU_add_test(s, "varint edges", test_iter_varint_edges);
	CU_add_test(s, "malformed records", test_iter_malformed);
	CU_add_test(s, "build and recompress every codec", test_build_recompress);
	CU_add_test(s, "legacy golden bytes", test_legacy_golden);
	CU_add_test(s, "legacy up-conversion", test_legacy_up_plain_and_wrapped);
	CU_add_test(s, "legacy up-conversion errors", test_legacy_up_errors);
	CU_add_test(s, "down-conversion", test_legacy_down_conversion);
}

/* crc32c.c — CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum of
 * RecordBatch magic 2 (bytes 21..end of the batch).
 *
 * Two implementations with identical results:
 *   - software: slicing-by-8 tables (8 x 256 words, built once with pthread_once);
 *   - SSE4.2: the crc32 instruction, 8 bytes at a time, compiled with a target attribute so
 *     the rest of the tree needs no -msse4.2; chosen at run time with
 *     __builtin_cpu_supports("sse4.2"). The instruction takes 3 cycles but a new one can
 *     start every cycle, so long buffers run as three independent lanes (three consecutive
 *     stretches of LANE bytes each, checksummed in one interleaved loop) joined afterwards:
 *     the CRC register is linear, so crc(s, A||B) = shift(crc(s, A), |B|) ^ crc(0, B) in the
 *     unconditioned (register) domain, where shift(x, n) is x run through n zero bytes. The
 *     shift by one fixed lane length is a linear map of 32 bits, kept as 4 tables of 256
 *     words (built once from the 32 basis vectors). Lanes of 4096 bytes, then of 256 for
 *     what is left, then the 8-byte loop.
 * Convention: crc32c(0, buf, len) is the standard CRC; crc32c(crc32c(0, a), b) == crc32c(0, ab),
 * so long ranges can be checksummed in chunks. Test vectors: "123456789" -> 0xE3069283,
 * 32 zero bytes -> 0x8A9136AA.
 */
#include "log_int.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define CRC32C_X86 1
#else
#define CRC32C_X86 0
#endif

#define CRC32C_POLY 0x82F63B78u

static uint32_t crc_table[8][256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void crc_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			crc_table[k][i] = (crc_table[k - 1][i] >> 8) ^ crc_table[0][crc_table[k - 1][i] & 0xff];
}

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&crc_table_once, crc_table_init);
	crc = ~crc;
	while (len >= 8) {
		uint32_t lo = crc ^ le32(p), hi = le32(p + 4);
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

#if CRC32C_X86 && defined(__x86_64__)
enum { LANE_LONG = 4096, LANE_SHORT = 256 };

/* shift tables: sh[k][v] = register v << 8k run through LANE zero bytes */
static uint32_t shift_long[4][256], shift_short[4][256];
static pthread_once_t shift_once = PTHREAD_ONCE_INIT;

__attribute__((target("sse4.2"))) static uint32_t zeros_through(uint32_t reg, size_t n)
{
	uint64_t c = reg;
	for (size_t i = 0; i < n / 8; i++)
		c = _mm_crc32_u64(c, 0);
	return (uint32_t)c;
}

static void shift_table(uint32_t sh[4][256], size_t lane)
{
	uint32_t basis[32];
	for (int b = 0; b < 32; b++)
		basis[b] = zeros_through(1u << b, lane);
	for (int k = 0; k < 4; k++)
		for (uint32_t v = 0; v < 256; v++) {
			uint32_t x = 0;
			for (int b = 0; b < 8; b++)
				if (v & (1u << b))
					x ^= basis[8 * k + b];
			sh[k][v] = x;
		}
}

static void shift_init(void)
{
	shift_table(shift_long, LANE_LONG);
	shift_table(shift_short, LANE_SHORT);
}

static inline uint32_t shift(const uint32_t sh[4][256], uint32_t x)
{
	return sh[0][x & 0xff] ^ sh[1][(x >> 8) & 0xff] ^ sh[2][(x >> 16) & 0xff] ^ sh[3][x >> 24];
}

/* three lanes of `lane` bytes from p, register in and out */
__attribute__((target("sse4.2"))) static uint32_t crc_3lanes(uint32_t reg, const uint8_t *p,
							     size_t lane, const uint32_t sh[4][256])
{
	uint64_t a = reg, b = 0, c = 0;
	for (size_t i = 0; i < lane; i += 8) {
		uint64_t wa, wb, wc;
		memcpy(&wa, p + i, 8);
		memcpy(&wb, p + lane + i, 8);
		memcpy(&wc, p + 2 * lane + i, 8);
		a = _mm_crc32_u64(a, wa);
		b = _mm_crc32_u64(b, wb);
		c = _mm_crc32_u64(c, wc);
	}
	return shift(sh, shift(sh, (uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)c;
}

__attribute__((target("sse4.2"))) uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t reg = ~crc;

	if (len >= 3 * LANE_SHORT) {
		pthread_once(&shift_once, shift_init);
		for (; len >= 3 * LANE_LONG; p += 3 * LANE_LONG, len -= 3 * LANE_LONG)
			reg = crc_3lanes(reg, p, LANE_LONG, shift_long);
		for (; len >= 3 * LANE_SHORT; p += 3 * LANE_SHORT, len -= 3 * LANE_SHORT)
			reg = crc_3lanes(reg, p, LANE_SHORT, shift_short);
	}
	uint64_t c = reg;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		c = _mm_crc32_u64(c, w);
		p += 8;
		len -= 8;
	}
	uint32_t c32 = (uint32_t)c;
	while (len--)
		c32 = _mm_crc32_u8(c32, *p++);
	return ~c32;
}

bool crc32c_have_hw(void)
{
	return __builtin_cpu_supports("sse4.2");
}
#else
uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return crc32c_sw(crc, buf, len);
}

bool crc32c_have_hw(void)
{
	return false;
}
#endif

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
	return crc32c_have_hw() ? crc32c_hw(crc, buf, len) : crc32c_sw(crc, buf, len);
}

/* crc32c.c — CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum of
 * RecordBatch magic 2 (bytes 21..end of the batch).
 *
 * Two implementations with identical results:
 *   - software: slicing-by-8 tables (8 x 256 words, built once with pthread_once);
 *   - SSE4.2: the crc32 instruction, 8 bytes at a time, compiled with a target attribute so
 *     the rest of the tree needs no -msse4.2; chosen at run time with
 *     __builtin_cpu_supports("sse4.2").
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
__attribute__((target("sse4.2"))) uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t c = ~crc;

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

/* test_crc.c — unit tests of log/crc32c.c: the standard CRC-32C test vectors, agreement of
 * the software and SSE4.2 paths on random buffers (every length 0..1100, every alignment),
 * and chaining (crc of a||b from crc of a). */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_int.h"

void suite_crc(void);

static void test_crc_vectors(void)
{
	uint8_t zeros[32] = {0}, ones[32];
	memset(ones, 0xff, sizeof(ones));

	CU_ASSERT_EQUAL(crc32c(0, "123456789", 9), 0xE3069283u);
	CU_ASSERT_EQUAL(crc32c_sw(0, "123456789", 9), 0xE3069283u);
	CU_ASSERT_EQUAL(crc32c(0, zeros, 32), 0x8A9136AAu);
	CU_ASSERT_EQUAL(crc32c_sw(0, zeros, 32), 0x8A9136AAu);
	CU_ASSERT_EQUAL(crc32c(0, ones, 32), 0x62A8AB43u); /* RFC 3720 B.4 */
	CU_ASSERT_EQUAL(crc32c(0, "", 0), 0u);
	if (crc32c_have_hw()) {
		CU_ASSERT_EQUAL(crc32c_hw(0, "123456789", 9), 0xE3069283u);
		CU_ASSERT_EQUAL(crc32c_hw(0, zeros, 32), 0x8A9136AAu);
	}
}

static void test_crc_hw_sw_agree(void)
{
	enum { N = 1100 };
	uint8_t *buf = malloc(N + 16);
	unsigned seed = 12345;
	bool ok = true;

	for (size_t i = 0; i < N + 16; i++)
		buf[i] = (uint8_t)rand_r(&seed);
	for (size_t len = 0; len <= N; len++) {
		size_t align = len % 8;
		uint32_t sw = crc32c_sw(0, buf + align, len);
		ok = ok && crc32c(0, buf + align, len) == sw;
		if (crc32c_have_hw())
			ok = ok && crc32c_hw(0, buf + align, len) == sw;
	}
	CU_ASSERT_TRUE(ok);
	free(buf);
}

/* Lengths around the three-lane paths (3 x 256 and 3 x 4096 bytes, and their sums with
 * tails), every alignment 0..7, and chained calls that split a buffer inside a lane. */
static void test_crc_lanes(void)
{
	enum { N = 3 * 4096 * 2 + 3 * 256 * 3 + 64 };
	uint8_t *buf = malloc(N + 8);
	unsigned seed = 777;
	static const size_t lens[] = {767, 768, 769, 775, 776, 1535, 1536, 1543, 2304, 12287,
				      12288, 12289, 12295, 13056, 13063, 24576, 25343, N};
	bool ok = true;

	for (size_t i = 0; i < N + 8; i++)
		buf[i] = (uint8_t)rand_r(&seed);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (size_t align = 0; align < 8; align++) {
			uint32_t sw = crc32c_sw(0, buf + align, lens[i]);
			ok = ok && crc32c(0, buf + align, lens[i]) == sw;
			/* split inside a lane: 1000 bytes, then the rest */
			ok = ok && (lens[i] < 1000 || crc32c(crc32c(0, buf + align, 1000), buf + align + 1000,
							    lens[i] - 1000) == sw);
			if (crc32c_have_hw())
				ok = ok && crc32c_hw(0, buf + align, lens[i]) == sw;
		}
	/* all-zero and all-one registers through the lanes */
	memset(buf, 0, N);
	ok = ok && crc32c(0, buf, N) == crc32c_sw(0, buf, N);
	ok = ok && crc32c(0xffffffffu, buf, N) == crc32c_sw(0xffffffffu, buf, N);
	CU_ASSERT_TRUE(ok);
	free(buf);
}

static void test_crc_chaining(void)
{
	uint8_t buf[777];
	unsigned seed = 99;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand_r(&seed);
	uint32_t whole = crc32c(0, buf, sizeof(buf));
	bool ok = true;
	for (size_t cut = 0; cut <= sizeof(buf); cut += 7) {
		ok = ok && crc32c(crc32c(0, buf, cut), buf + cut, sizeof(buf) - cut) == whole;
		ok = ok && crc32c_sw(crc32c_sw(0, buf, cut), buf + cut, sizeof(buf) - cut) == whole;
	}
	CU_ASSERT_TRUE(ok);
}

void suite_crc(void)
{
	CU_pSuite s = CU_add_suite("crc", NULL, NULL);

	CU_add_test(s, "crc32c test vectors", test_crc_vectors);
	CU_add_test(s, "crc32c hw and sw agree on random buffers", test_crc_hw_sw_agree);
	CU_add_test(s, "crc32c chaining", test_crc_chaining);
	CU_add_test(s, "crc32c three-lane lengths and alignments", test_crc_lanes);
}

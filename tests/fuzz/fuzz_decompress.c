/* fuzz_decompress — each codec's decompression with the caller's output cap, as the broker
 * runs it on client batches (gzip, snappy raw and xerial, lz4 frames incl. Kafka's old header
 * checksum, zstd). The first byte picks the codec; the result never exceeds the cap. */
#include "log/compress.h"

#include <stdlib.h>

#define MAX_OUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int codec = data[0] % 6; /* 0 and 5 must be refused */
	uint8_t *out = NULL;
	size_t out_len = 0;
	int rc = rc_decompress(codec, data + 1, size - 1, MAX_OUT, &out, &out_len);
	if (rc == RC_OK) {
		if (out_len > MAX_OUT)
			abort();
		free(out);
	}
	return 0;
}

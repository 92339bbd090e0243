/* fuzz_legacy — the legacy formats: a magic 0/1 MessageSet (Produce v0-2) converted to one
 * magic-2 batch, and magic-2 batches (as read from a segment) down-converted to magic 0 and 1
 * for Fetch v0-3. A successful up-conversion must yield a batch that batch_validate()
 * accepts and that down-converts again. */
#include "log/legacy.h"
#include "log/log.h"

#include <stdlib.h>

#define MAX_OUT (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	int error = 0;
	if (rc_legacy_to_v2(data, size, 1700000000000LL, MAX_OUT, &out, &out_len, &error) == 0) {
		struct batch_info info;
		KB_ASSERT(batch_validate(out, out_len, INT32_MAX, &info) == KERR_NONE);
		uint8_t *back = NULL;
		size_t back_len = 0;
		if (rc_v2_to_legacy(out, out_len, 1, MAX_OUT, &back, &back_len) == 0)
			free(back);
		free(out);
	}
	for (int magic = 0; magic <= 1; magic++) {
		uint8_t *down = NULL;
		size_t down_len = 0;
		if (rc_v2_to_legacy(data, size, magic, MAX_OUT, &down, &down_len) == 0)
			free(down);
	}
	return 0;
}

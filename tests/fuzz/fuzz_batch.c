/* fuzz_batch — what a Produce payload goes through: batch_validate() (the append path's
 * header-only checks), and, as the legacy conversion and recompression paths do, the record
 * iterator over the batch (decompressing into a capped buffer). The input also runs through
 * the record iterator as a segment batch would (no CRC check there), and the control-batch
 * reader (rb_marker_parse) as replication and recovery do; a marker built from the input's
 * first bytes reads back the same. */
#include "log/log_int.h"
#include "log/records.h"

#include <string.h>

#define MAX_OUT (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct batch_info info;
	int err = batch_validate(data, size, 1 << 20, &info);
	if (err == KERR_NONE) {
		KB_ASSERT(info.size == size);
		KB_ASSERT(info.records == info.last_offset_delta + 1);
	}
	bool commit;
	int32_t ce;
	if (rb_marker_parse(data, size, &commit, &ce))
		KB_ASSERT(size >= RB_MARKER_SIZE - 1);
	if (size >= 15) {
		uint8_t m[RB_MARKER_SIZE];
		int64_t pid = (int64_t)be64_get(data);
		int16_t epoch = (int16_t)be16_get(data + 8);
		int32_t want = (int32_t)be32_get(data + 10);
		rb_marker_build(m, pid, epoch, data[14] & 1, want, 0);
		KB_ASSERT(rb_marker_parse(m, sizeof(m), &commit, &ce) && ce == want &&
		          commit == (data[14] & 1));
	}
	struct rc_iter it;
	if (rc_iter_init(&it, data, size, MAX_OUT) == RC_OK) {
		struct rc_record rec;
		int n = 0, rc;
		while ((rc = rc_iter_next(&it, &rec)) == 1) {
			if (rec.key_len > 0)
				KB_ASSERT(rec.key != NULL);
			n++;
		}
		rc_iter_free(&it);
	}
	return 0;
}

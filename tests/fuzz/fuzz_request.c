/* fuzz_request — the request pipeline's decoding, as the broker runs it on a frame: the
 * request header, then the body of every API the codec knows at the version the header
 * names, into an arena capped like the broker's (a multiple of the frame). A decoded body is
 * encoded again and decoded once more: the second decode must succeed and re-encode to the
 * same bytes (the walker's round trip). The first input byte chooses request or response
 * decoding (responses are what kadmin and the replica fetchers read). */
#include "common/arena.h"
#include "common/kb.h"
#include "common/kbuf.h"
#include "net/kp.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_FACTOR 8
#define ENCODE_CAP (64u << 20)

static void roundtrip(const struct kp_struct *desc, int16_t version, bool flexible,
                      const void *decoded, size_t frame_len)
{
	struct kbuf b1, b2;
	kbuf_init(&b1, ENCODE_CAP);
	kbuf_init(&b2, ENCODE_CAP);
	if (kp_encode(desc, version, flexible, decoded, &b1) == KP_OK) {
		struct arena a;
		arena_init(&a, (b1.len + 64) * ARENA_FACTOR + frame_len);
		void *again = arena_alloc(&a, desc->size);
		struct kp_reader r;
		kp_reader_init(&r, b1.data, b1.len);
		if (again && kp_decode(desc, version, flexible, &r, &a, again) == KP_OK) {
			KB_ASSERT(kp_remaining(&r) == 0);
			KB_ASSERT(kp_encode(desc, version, flexible, again, &b2) == KP_OK);
			KB_ASSERT(b2.len == b1.len && (b1.len == 0 || memcmp(b1.data, b2.data, b1.len) == 0));
		}
		arena_destroy(&a);
	}
	kbuf_free(&b1);
	kbuf_free(&b2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool response = data[0] & 1;
	data++, size--;

	struct kp_reader r;
	kp_reader_init(&r, data, size);
	int16_t key, version;
	if (!response) {
		struct kp_request_header h;
		if (kp_request_header_read(&r, &h) != KP_OK)
			return 0;
		key = h.RequestApiKey;
		version = h.RequestApiVersion;
	} else {
		/* A response names no API: take it and the version from two bytes. */
		if (size < 3)
			return 0;
		key = (int16_t)(data[0] % 128); /* every key up to 127 (transactions: 65, 66) */
		version = (int16_t)(data[1] % 20);
		kp_reader_init(&r, data + 2, size - 2);
		int32_t corr;
		const struct kp_api *api0 = kp_api_find(key);
		if (!api0 || kp_response_header_read(&r, &corr, key != KP_API_API_VERSIONS &&
		                                        kp_api_flexible(api0, version)) != KP_OK)
			return 0;
	}
	const struct kp_api *api = kp_api_find(key);
	if (!api || version < api->vmin || version > api->vmax)
		return 0;
	bool flexible = kp_api_flexible(api, version);
	const struct kp_struct *desc = response ? api->response : api->request;

	struct arena a;
	arena_init(&a, (size + 64) * ARENA_FACTOR);
	void *out = arena_alloc(&a, desc->size);
	if (out && kp_decode(desc, version, flexible, &r, &a, out) == KP_OK)
		roundtrip(desc, version, flexible, out, size);
	arena_destroy(&a);
	return 0;
}

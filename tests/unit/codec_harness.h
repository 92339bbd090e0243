/* codec_harness.h — what the codec test suites share: encode/decode wrappers that assert,
 * the round-trip and truncation checks, golden-byte comparison, and small value helpers. */
#ifndef KB_TEST_CODEC_HARNESS_H
#define KB_TEST_CODEC_HARNESS_H

#include <CUnit/CUnit.h>
#include <string.h>

#include "net/kp_msgs.h"

#define BUF_MAX (1 << 20)
#define ARENA_MAX (1 << 20)
#define ARR(a) ((struct kp_array){(a), (int32_t)KB_ARRAY_LEN(a)})
#define NULL_ARR ((struct kp_array){NULL, -1})
#define EMPTY_ARR ((struct kp_array){NULL, 0})
#define STR_EMPTY ((struct kp_str){NULL, 0})
#define BYTES_LIT(s) ((struct kp_bytes){(const uint8_t *)(s), (int32_t)(sizeof(s) - 1)})
#define BYTES_NULL ((struct kp_bytes){NULL, -1})

extern const uint8_t UUID_A[16], UUID_B[16], UUID_ZERO[16];

/* Checks one decoded message against its input at version v. */
typedef void (*check_fn)(int16_t v, const void *in, const void *out);

bool ch_flexible(int16_t key, int16_t v);
uint8_t *ch_encode(const struct kp_struct *desc, int16_t v, bool flex, const void *in,
		       size_t *len);
int ch_decode(const struct kp_struct *desc, int16_t v, bool flex, const uint8_t *p,
		  size_t len, struct arena *a, void *out, size_t *left);
void ch_check_truncations(const struct kp_struct *desc, int16_t v, bool flex,
			      const uint8_t *p, size_t len);
void ch_roundtrip(const struct kp_struct *desc, int16_t v, bool flex, const void *in,
		      check_fn check);
void ch_golden(const struct kp_struct *desc, int16_t v, bool flex, const void *in,
		   const uint8_t *want, size_t n, struct arena *a, void *out);
int ch_decode_err(const struct kp_struct *desc, int16_t v, bool flex, const uint8_t *p,
		      size_t n, size_t arena_max);
bool ch_i32_array_eq(struct kp_array a, struct kp_array b);
bool ch_array_is(struct kp_array a, int32_t count);
bool ch_i64_array_eq(struct kp_array a, struct kp_array b);
bool ch_bytes_eq(struct kp_bytes a, struct kp_bytes b);
bool ch_str_array_eq(struct kp_array a, struct kp_array b);
/* Structural checks of a descriptor table and everything nested in it. */
void ch_check_desc(const struct kp_struct *d, int depth);

/* Field checks: `a` is the input, `b` the decoded struct, `v` the version; a field absent
 * from the version must come back as `def`. */
#define CK(f, present, def) CU_ASSERT_EQUAL(b->f, (present) ? a->f : (def))
#define CK_STR(f, present, def) CU_ASSERT_TRUE(kp_str_eq(b->f, (present) ? a->f : (def)))
#define CK_UUID(f, present) CU_ASSERT_EQUAL(memcmp(b->f, (present) ? a->f : UUID_ZERO, 16), 0)
#define CK_STRS(f, present) CU_ASSERT_TRUE((present) ? ch_str_array_eq(b->f, a->f) : ch_array_is(b->f, 0))
#define CK_BYTES(f) CU_ASSERT_TRUE(ch_bytes_eq(b->f, a->f))
#define CK_I32S(f, present) \
	CU_ASSERT_TRUE((present) ? ch_i32_array_eq(b->f, a->f) : ch_array_is(b->f, 0))
#define CK_I64S(f, present) \
	CU_ASSERT_TRUE((present) ? ch_i64_array_eq(b->f, a->f) : ch_array_is(b->f, 0))
/* An array of structs of type T, each element checked by fn(v, in_elem, out_elem). */
#define CK_ARR(f, present, T, fn)                                                          \
	do {                                                                                \
		if (present) {                                                              \
			CU_ASSERT_EQUAL_FATAL(b->f.count, a->f.count);                      \
			if (a->f.count < 0)                                                 \
				CU_ASSERT_PTR_NULL(b->f.elems);                             \
			for (int32_t i_ = 0; i_ < a->f.count; i_++)                         \
				fn(v, (const T *)a->f.elems + i_, (const T *)b->f.elems + i_); \
		} else {                                                                    \
			CU_ASSERT_TRUE(ch_array_is(b->f, 0));                                  \
		}                                                                           \
	} while (0)

#endif

/* test_codec_acl.c — the ACL APIs' descriptor tables (net/kp_msgs_acl.c): round trips at
 * every version the codec knows (field-by-field against the schema's version rules,
 * byte-identical re-encoding, every truncated prefix refused), golden bytes built by hand
 * from Kafka 3.9's DescribeAcls/CreateAcls/DeleteAcls JSON (v0 without pattern types: they
 * decode as 3, LITERAL), null where the schema forbids it, and the API table rows. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "codec_harness.h"
#include "common/kerr.h"
#include "net/kp_msgs.h"

void suite_codec_acl(void);

static const struct kp_str NULLS = {NULL, -1};

#define RT(key, desc, in, check)                                                            \
	for (int16_t v = 0; v <= kp_api_find(key)->vmax; v++)                               \
	ch_roundtrip(&(desc), v, ch_flexible((key), v), &(in), (check))

#define I32(x) (uint8_t)((uint32_t)(x) >> 24), (uint8_t)((uint32_t)(x) >> 16),             \
	(uint8_t)((uint32_t)(x) >> 8), (uint8_t)(x)
#define I16(x) (uint8_t)((uint16_t)(x) >> 8), (uint8_t)(x)

/* ---- DescribeAcls 0-3 (flexible 2+) ------------------------------------------------------- */

static void check_da_req(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeAclsRequest *a = in_, *b = out_;
	CK(ResourceTypeFilter, true, 0);
	CK_STR(ResourceNameFilter, true, STR_EMPTY);
	CK(PatternTypeFilter, v >= 1, 3);
	CK_STR(PrincipalFilter, true, STR_EMPTY);
	CK_STR(HostFilter, true, STR_EMPTY);
	CK(Operation, true, 0);
	CK(PermissionType, true, 0);
}

static void ck_ad(int16_t v, const struct AclDescription *a, const struct AclDescription *b)
{
	(void)v;
	CK_STR(Principal, true, STR_EMPTY);
	CK_STR(Host, true, STR_EMPTY);
	CK(Operation, true, 0);
	CK(PermissionType, true, 0);
}

static void ck_dares(int16_t v, const struct DescribeAclsResource *a,
                     const struct DescribeAclsResource *b)
{
	CK(Type, true, 0);
	CK_STR(Name, true, STR_EMPTY);
	CK(PatternType, v >= 1, 3);
	CK_ARR(Acls, true, struct AclDescription, ck_ad);
}

static void check_da_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DescribeAclsResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, true, 0);
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
	CK_ARR(Resources, true, struct DescribeAclsResource, ck_dares);
}

static void test_describe_roundtrip(void)
{
	/* Every filter string null, then every one set. */
	struct DescribeAclsRequest q = {1, NULLS, 1, NULLS, NULLS, 1, 1};
	RT(KP_API_DESCRIBE_ACLS, kp_DescribeAclsRequest, q, check_da_req);
	q = (struct DescribeAclsRequest){2, KP_STR_LIT("orders"), 2, KP_STR_LIT("User:alice"),
	                                 KP_STR_LIT("10.0.0.1"), 3, 3};
	RT(KP_API_DESCRIBE_ACLS, kp_DescribeAclsRequest, q, check_da_req);

	struct AclDescription ad[] = {{KP_STR_LIT("User:alice"), KP_STR_LIT("*"), 3, 3},
	                              {KP_STR_LIT("User:*"), KP_STR_LIT("10.0.0.1"), 4, 2}};
	struct DescribeAclsResource res[] = {{2, KP_STR_LIT("orders"), 3, ARR(ad)},
	                                     {3, KP_STR_LIT("grp"), 3, {ad, 1}},
	                                     {4, KP_STR_LIT("kafka-cluster"), 3, EMPTY_ARR}};
	struct DescribeAclsResponse r = {7, 0, NULLS, ARR(res)};
	RT(KP_API_DESCRIBE_ACLS, kp_DescribeAclsResponse, r, check_da_resp);
	r = (struct DescribeAclsResponse){0, KERR_SECURITY_DISABLED,
	                                  KP_STR_LIT("No Authorizer is configured"), EMPTY_ARR};
	RT(KP_API_DESCRIBE_ACLS, kp_DescribeAclsResponse, r, check_da_resp);
	/* A prefixed resource round trips where the version has the field. */
	res[0].PatternType = 4;
	r = (struct DescribeAclsResponse){0, 0, NULLS, {res, 1}};
	for (int16_t v = 1; v <= 3; v++)
		ch_roundtrip(&kp_DescribeAclsResponse, v, v >= 2, &r, check_da_resp);
}

static void test_describe_golden(void)
{
	static const uint8_t q_v1[] = {
		0x02,                           /* ResourceTypeFilter TOPIC */
		I16(1), 't',                    /* ResourceNameFilter "t" */
		0x04,                           /* PatternTypeFilter PREFIXED */
		I16(-1),                        /* PrincipalFilter null */
		I16(1), '*',                    /* HostFilter "*" */
		0x01, 0x01,                     /* Operation ANY, PermissionType ANY */
	};
	static const uint8_t q_v2[] = {
		0x02, 0x02, 't', 0x04, 0x00, 0x02, '*', 0x01, 0x01,
		0x00,                           /* tags */
	};
	/* v0: no PatternTypeFilter on the wire; decodes as LITERAL. */
	static const uint8_t q_v0[] = {0x02, I16(1), 't', I16(-1), I16(1), '*', 0x01, 0x01};
	static const uint8_t r_v1[] = {
		I32(0), I16(0), I16(-1),        /* ThrottleTimeMs, ErrorCode, ErrorMessage null */
		I32(1),                         /* Resources: 1 */
		0x02, I16(1), 't', 0x04,        /* Type TOPIC, Name "t", PatternType PREFIXED */
		I32(1),                         /* Acls: 1 */
		I16(6), 'U', 's', 'e', 'r', ':', 'a', /* Principal "User:a" */
		I16(1), '*',                    /* Host "*" */
		0x03, 0x03,                     /* Operation READ, PermissionType ALLOW */
	};
	static const uint8_t r_v3[] = {
		I32(0), I16(0), 0x00,           /* ..., ErrorMessage null (compact) */
		0x02, 0x02, 0x02, 't', 0x04,    /* Resources: 1; TOPIC "t" PREFIXED */
		0x02, 0x07, 'U', 's', 'e', 'r', ':', 'a', 0x02, '*', 0x03, 0x03, 0x00, /* Acls */
		0x00, 0x00,                     /* resource, response tags */
	};
	struct DescribeAclsRequest q = {2, KP_STR_LIT("t"), 4, NULLS, KP_STR_LIT("*"), 1, 1}, qo;
	struct AclDescription ad = {KP_STR_LIT("User:a"), KP_STR_LIT("*"), 3, 3};
	struct DescribeAclsResource res = {2, KP_STR_LIT("t"), 4, {&ad, 1}};
	struct DescribeAclsResponse r = {0, 0, NULLS, {&res, 1}}, ro;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_DescribeAclsRequest, 1, false, &q, q_v1, sizeof(q_v1), &a, &qo);
	CU_ASSERT(qo.PatternTypeFilter == 4 && qo.PrincipalFilter.len == -1);
	ch_golden(&kp_DescribeAclsRequest, 2, true, &q, q_v2, sizeof(q_v2), &a, &qo);
	q.PatternTypeFilter = 3;
	ch_golden(&kp_DescribeAclsRequest, 0, false, &q, q_v0, sizeof(q_v0), &a, &qo);
	CU_ASSERT_EQUAL(qo.PatternTypeFilter, 3);
	ch_golden(&kp_DescribeAclsResponse, 1, false, &r, r_v1, sizeof(r_v1), &a, &ro);
	ch_golden(&kp_DescribeAclsResponse, 3, true, &r, r_v3, sizeof(r_v3), &a, &ro);
	CU_ASSERT(ro.ErrorMessage.len == -1 && ro.Resources.count == 1);
	ch_check_truncations(&kp_DescribeAclsRequest, 2, true, q_v2, sizeof(q_v2));
	ch_check_truncations(&kp_DescribeAclsResponse, 1, false, r_v1, sizeof(r_v1));
	arena_destroy(&a);
}

/* ---- CreateAcls 0-3 (flexible 2+) --------------------------------------------------------- */

static void ck_ca(int16_t v, const struct CreatableAcl *a, const struct CreatableAcl *b)
{
	CK(ResourceType, true, 0);
	CK_STR(ResourceName, true, STR_EMPTY);
	CK(ResourcePatternType, v >= 1, 3);
	CK_STR(Principal, true, STR_EMPTY);
	CK_STR(Host, true, STR_EMPTY);
	CK(Operation, true, 0);
	CK(PermissionType, true, 0);
}

static void check_ca_req(int16_t v, const void *in_, const void *out_)
{
	const struct CreateAclsRequest *a = in_, *b = out_;
	CK_ARR(Creations, true, struct CreatableAcl, ck_ca);
}

static void ck_car(int16_t v, const struct AclCreationResult *a, const struct AclCreationResult *b)
{
	(void)v;
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
}

static void check_ca_resp(int16_t v, const void *in_, const void *out_)
{
	const struct CreateAclsResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, true, 0);
	CK_ARR(Results, true, struct AclCreationResult, ck_car);
}

static void test_create(void)
{
	struct CreatableAcl c[] = {
		{2, KP_STR_LIT("orders"), 3, KP_STR_LIT("User:alice"), KP_STR_LIT("*"), 3, 3},
		{2, KP_STR_LIT("ord"), 4, KP_STR_LIT("User:bob"), KP_STR_LIT("10.1.2.3"), 4, 2},
		{4, KP_STR_LIT("kafka-cluster"), 3, KP_STR_LIT("User:*"), KP_STR_LIT("*"), 2, 3},
	};
	struct CreateAclsRequest q = {ARR(c)};
	RT(KP_API_CREATE_ACLS, kp_CreateAclsRequest, q, check_ca_req);
	struct CreateAclsRequest empty = {EMPTY_ARR};
	RT(KP_API_CREATE_ACLS, kp_CreateAclsRequest, empty, check_ca_req);
	struct AclCreationResult res[] = {{0, NULLS},
	                                  {KERR_INVALID_REQUEST, KP_STR_LIT("bad principal")},
	                                  {KERR_CLUSTER_AUTHORIZATION_FAILED, STR_EMPTY}};
	struct CreateAclsResponse r = {3, ARR(res)};
	RT(KP_API_CREATE_ACLS, kp_CreateAclsResponse, r, check_ca_resp);

	static const uint8_t q_v0[] = {
		I32(1),                         /* Creations: 1 */
		0x03, I16(1), 'g',              /* ResourceType GROUP, ResourceName "g" */
		I16(3), 'U', ':', 'x',          /* Principal "U:x" (no pattern type in v0) */
		I16(1), '*', 0x03, 0x03,        /* Host "*", READ, ALLOW */
	};
	static const uint8_t q_v2[] = {
		0x02, 0x03, 0x02, 'g', 0x04,    /* Creations: 1; GROUP "g" PREFIXED */
		0x04, 'U', ':', 'x', 0x02, '*', 0x03, 0x03, 0x00, /* ..., creation tags */
		0x00,                           /* tags */
	};
	static const uint8_t r_v3[] = {
		I32(0), 0x03,                   /* ThrottleTimeMs, Results: 2 */
		I16(0), 0x00, 0x00,             /* NONE, null message, tags */
		I16(42), 0x02, 'x', 0x00,       /* INVALID_REQUEST "x" */
		0x00,                           /* tags */
	};
	struct CreatableAcl c0 = {3, KP_STR_LIT("g"), 3, KP_STR_LIT("U:x"), KP_STR_LIT("*"), 3, 3};
	struct CreateAclsRequest q0 = {{&c0, 1}}, qo;
	struct AclCreationResult rr[] = {{0, NULLS}, {KERR_INVALID_REQUEST, KP_STR_LIT("x")}};
	struct CreateAclsResponse r3 = {0, ARR(rr)}, ro;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_CreateAclsRequest, 0, false, &q0, q_v0, sizeof(q_v0), &a, &qo);
	CU_ASSERT_EQUAL_FATAL(qo.Creations.count, 1);
	CU_ASSERT_EQUAL(((struct CreatableAcl *)qo.Creations.elems)->ResourcePatternType, 3);
	c0.ResourcePatternType = 4;
	ch_golden(&kp_CreateAclsRequest, 2, true, &q0, q_v2, sizeof(q_v2), &a, &qo);
	ch_golden(&kp_CreateAclsResponse, 3, true, &r3, r_v3, sizeof(r_v3), &a, &ro);
	ch_check_truncations(&kp_CreateAclsRequest, 0, false, q_v0, sizeof(q_v0));
	/* Principal, Host and ResourceName are not nullable. */
	static const uint8_t null_principal[] = {0x02, 0x03, 0x02, 'g', 0x04, 0x00, 0x02, '*',
	                                         0x03, 0x03, 0x00, 0x00};
	CU_ASSERT_EQUAL(ch_decode_err(&kp_CreateAclsRequest, 2, true, null_principal,
	                              sizeof(null_principal), ARENA_MAX), KP_ERR_INVALID);
	static const uint8_t null_name_v1[] = {I32(1), 0x02, I16(-1), 0x03, I16(1), 'u',
	                                       I16(1), '*', 0x03, 0x03};
	CU_ASSERT_EQUAL(ch_decode_err(&kp_CreateAclsRequest, 1, false, null_name_v1,
	                              sizeof(null_name_v1), ARENA_MAX), KP_ERR_INVALID);
	/* A creation count the bytes cannot hold is refused before allocating. */
	static const uint8_t huge[] = {I32(0x7fffffff), 0x02};
	CU_ASSERT_EQUAL(ch_decode_err(&kp_CreateAclsRequest, 1, false, huge, sizeof(huge),
	                              ARENA_MAX), KP_ERR_LIMIT);
	arena_destroy(&a);
}

/* ---- DeleteAcls 0-3 (flexible 2+) --------------------------------------------------------- */

static void ck_df(int16_t v, const struct DeleteAclsFilter *a, const struct DeleteAclsFilter *b)
{
	CK(ResourceTypeFilter, true, 0);
	CK_STR(ResourceNameFilter, true, STR_EMPTY);
	CK(PatternTypeFilter, v >= 1, 3);
	CK_STR(PrincipalFilter, true, STR_EMPTY);
	CK_STR(HostFilter, true, STR_EMPTY);
	CK(Operation, true, 0);
	CK(PermissionType, true, 0);
}

static void check_dl_req(int16_t v, const void *in_, const void *out_)
{
	const struct DeleteAclsRequest *a = in_, *b = out_;
	CK_ARR(Filters, true, struct DeleteAclsFilter, ck_df);
}

static void ck_dm(int16_t v, const struct DeleteAclsMatchingAcl *a,
                  const struct DeleteAclsMatchingAcl *b)
{
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
	CK(ResourceType, true, 0);
	CK_STR(ResourceName, true, STR_EMPTY);
	CK(PatternType, v >= 1, 3);
	CK_STR(Principal, true, STR_EMPTY);
	CK_STR(Host, true, STR_EMPTY);
	CK(Operation, true, 0);
	CK(PermissionType, true, 0);
}

static void ck_dfr(int16_t v, const struct DeleteAclsFilterResult *a,
                   const struct DeleteAclsFilterResult *b)
{
	CK(ErrorCode, true, 0);
	CK_STR(ErrorMessage, true, STR_EMPTY);
	CK_ARR(MatchingAcls, true, struct DeleteAclsMatchingAcl, ck_dm);
}

static void check_dl_resp(int16_t v, const void *in_, const void *out_)
{
	const struct DeleteAclsResponse *a = in_, *b = out_;
	CK(ThrottleTimeMs, true, 0);
	CK_ARR(FilterResults, true, struct DeleteAclsFilterResult, ck_dfr);
}

static void test_delete(void)
{
	struct DeleteAclsFilter f[] = {
		{1, NULLS, 1, NULLS, NULLS, 1, 1},
		{2, KP_STR_LIT("orders"), 2, KP_STR_LIT("User:alice"), KP_STR_LIT("*"), 3, 3},
	};
	struct DeleteAclsRequest q = {ARR(f)};
	RT(KP_API_DELETE_ACLS, kp_DeleteAclsRequest, q, check_dl_req);
	struct DeleteAclsMatchingAcl m[] = {
		{0, NULLS, 2, KP_STR_LIT("orders"), 3, KP_STR_LIT("User:alice"), KP_STR_LIT("*"), 3, 3},
		{0, NULLS, 2, KP_STR_LIT("ord"), 4, KP_STR_LIT("User:bob"), KP_STR_LIT("h"), 4, 2},
	};
	struct DeleteAclsFilterResult fr[] = {{0, NULLS, ARR(m)},
	                                      {KERR_INVALID_REQUEST, KP_STR_LIT("bad"), EMPTY_ARR}};
	struct DeleteAclsResponse r = {0, ARR(fr)};
	RT(KP_API_DELETE_ACLS, kp_DeleteAclsResponse, r, check_dl_resp);

	static const uint8_t q_v1[] = {
		I32(1),                         /* Filters: 1 */
		0x02, I16(-1), 0x01,            /* TOPIC, any name, PatternTypeFilter ANY */
		I16(-1), I16(-1), 0x01, 0x01,   /* any principal/host, ANY, ANY */
	};
	static const uint8_t r_v2[] = {
		I32(0), 0x02,                   /* ThrottleTimeMs, FilterResults: 1 */
		I16(0), 0x00,                   /* ErrorCode, ErrorMessage null */
		0x02,                           /* MatchingAcls: 1 */
		I16(0), 0x00, 0x02, 0x02, 't', 0x03, /* NONE, null, TOPIC "t" LITERAL */
		0x04, 'U', ':', 'a', 0x02, '*', 0x04, 0x03, 0x00, /* U:a * WRITE ALLOW, tags */
		0x00, 0x00,                     /* filter result, response tags */
	};
	struct DeleteAclsFilter f1 = {2, NULLS, 1, NULLS, NULLS, 1, 1};
	struct DeleteAclsRequest q1 = {{&f1, 1}}, qo;
	struct DeleteAclsMatchingAcl m1 = {0, NULLS, 2, KP_STR_LIT("t"), 3, KP_STR_LIT("U:a"),
	                                   KP_STR_LIT("*"), 4, 3};
	struct DeleteAclsFilterResult fr1 = {0, NULLS, {&m1, 1}};
	struct DeleteAclsResponse r2 = {0, {&fr1, 1}}, ro;
	struct arena a;
	arena_init(&a, ARENA_MAX);
	ch_golden(&kp_DeleteAclsRequest, 1, false, &q1, q_v1, sizeof(q_v1), &a, &qo);
	ch_golden(&kp_DeleteAclsResponse, 2, true, &r2, r_v2, sizeof(r_v2), &a, &ro);
	/* v0: the same filter without its pattern type reads as LITERAL. */
	static const uint8_t q_v0[] = {I32(1), 0x02, I16(-1), I16(-1), I16(-1), 0x01, 0x01};
	f1.PatternTypeFilter = 3;
	ch_golden(&kp_DeleteAclsRequest, 0, false, &q1, q_v0, sizeof(q_v0), &a, &qo);
	CU_ASSERT_EQUAL(((struct DeleteAclsFilter *)qo.Filters.elems)->PatternTypeFilter, 3);
	ch_check_truncations(&kp_DeleteAclsResponse, 2, true, r_v2, sizeof(r_v2));
	arena_destroy(&a);
}

/* ---- The API table ------------------------------------------------------------------------ */

static const struct {
	int16_t key;
	const char *name;
	const struct kp_struct *req, *resp;
} acl_apis[] = {
	{KP_API_DESCRIBE_ACLS, "DescribeAcls", &kp_DescribeAclsRequest, &kp_DescribeAclsResponse},
	{KP_API_CREATE_ACLS, "CreateAcls", &kp_CreateAclsRequest, &kp_CreateAclsResponse},
	{KP_API_DELETE_ACLS, "DeleteAcls", &kp_DeleteAclsRequest, &kp_DeleteAclsResponse},
};

static void test_api_rows(void)
{
	CU_ASSERT_EQUAL(KP_API_DESCRIBE_ACLS, 29);
	CU_ASSERT_EQUAL(KP_API_CREATE_ACLS, 30);
	CU_ASSERT_EQUAL(KP_API_DELETE_ACLS, 31);
	for (size_t i = 0; i < KB_ARRAY_LEN(acl_apis); i++) {
		const struct kp_api *api = kp_api_find(acl_apis[i].key);
		CU_ASSERT_PTR_NOT_NULL_FATAL(api);
		CU_ASSERT(api->vmin == 0 && api->vmax == 3 && api->flex_min == 2);
		CU_ASSERT_STRING_EQUAL(api->name, acl_apis[i].name);
		CU_ASSERT(api->request == acl_apis[i].req && api->response == acl_apis[i].resp);
		CU_ASSERT_EQUAL(kp_request_header_version(api->key, 1), 1);
		CU_ASSERT_EQUAL(kp_request_header_version(api->key, 2), 2);
		CU_ASSERT_FALSE(kp_response_header_v1(api->key, 1));
		CU_ASSERT_TRUE(kp_response_header_v1(api->key, 2));
		ch_check_desc(api->request, 0);
		ch_check_desc(api->response, 0);
		for (int16_t v = 0; v <= api->vmax; v++) {
			uint64_t req[16], resp[16];
			CU_ASSERT_FATAL(api->request->size <= sizeof(req) &&
			                api->response->size <= sizeof(resp));
			kp_set_defaults(api->request, req);
			kp_set_defaults(api->response, resp);
			size_t n;
			free(ch_encode(api->request, v, kp_api_flexible(api, v), req, &n));
			free(ch_encode(api->response, v, kp_api_flexible(api, v), resp, &n));
		}
	}
	/* The pattern-type defaults are LITERAL (3), as the schemas say. */
	struct DescribeAclsRequest d;
	kp_set_defaults(&kp_DescribeAclsRequest, &d);
	CU_ASSERT_EQUAL(d.PatternTypeFilter, 3);
}

void suite_codec_acl(void)
{
	CU_pSuite s = CU_add_suite("codec_acl", NULL, NULL);
	CU_add_test(s, "DescribeAcls round trips v0-3", test_describe_roundtrip);
	CU_add_test(s, "DescribeAcls golden v0-v2 requests, v1/v3 responses", test_describe_golden);
	CU_add_test(s, "CreateAcls v0-3 round trips, golden v0/v2/v3, nulls refused", test_create);
	CU_add_test(s, "DeleteAcls v0-3 round trips, golden v0/v1/v2", test_delete);
	CU_add_test(s, "API table rows and descriptors", test_api_rows);
}

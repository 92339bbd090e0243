/* test_server.c — the API table and the ApiVersions handler. */
#include "../../net/kp_msgs.h"
#include "../../server/core/dispatch.h"

#include <CUnit/CUnit.h>
#include <string.h>

/* The table is what ApiVersions advertises: ascending keys, each served version range inside
 * what the codec can encode, and min 0 (librdkafka's feature probes need it). */
static void test_table_consistent_with_codec(void)
{
	CU_ASSERT(api_table_len > 0);
	for (size_t i = 0; i < api_table_len; i++) {
		const struct api_entry *e = &api_table[i];
		const struct kp_api *api = kp_api_find(e->key);
		CU_ASSERT_PTR_NOT_NULL_FATAL(api);
		CU_ASSERT_EQUAL(e->min, 0);
		CU_ASSERT(e->min >= api->vmin && e->max <= api->vmax && e->min <= e->max);
		CU_ASSERT_PTR_NOT_NULL(e->handler);
		if (i > 0)
			CU_ASSERT(api_table[i - 1].key < e->key);
		CU_ASSERT_PTR_EQUAL(api_find(e->key), e);
	}
	CU_ASSERT_PTR_NULL(api_find(32767));
	CU_ASSERT_PTR_NULL(api_find(-1));
}

static enum handler_result run_api_versions(int16_t version, const char *name,
                                            const char *ver, struct ApiVersionsResponse *resp,
                                            struct arena *a)
{
	static struct ApiVersionsRequest req;
	req.ClientSoftwareName = kp_str_c(name);
	req.ClientSoftwareVersion = kp_str_c(ver);
	struct kreq r = {.version = version, .req = &req, .resp = resp};
	r.arena = *a;
	kp_set_defaults(&kp_ApiVersionsResponse, resp);
	enum handler_result hr = handle_api_versions(&r);
	*a = r.arena;
	return hr;
}

static void test_api_versions_lists_table(void)
{
	struct arena a;
	arena_init(&a, 1 << 16);
	struct ApiVersionsResponse resp;
	CU_ASSERT_EQUAL(run_api_versions(3, "librdkafka", "2.0.2", &resp, &a), H_RESPOND);
	CU_ASSERT_EQUAL(resp.ErrorCode, 0);
	CU_ASSERT_EQUAL_FATAL(resp.ApiKeys.count, (int32_t)api_table_len);
	const struct ApiVersion *v = resp.ApiKeys.elems;
	for (size_t i = 0; i < api_table_len; i++) {
		CU_ASSERT_EQUAL(v[i].ApiKey, api_table[i].key);
		CU_ASSERT_EQUAL(v[i].MinVersion, api_table[i].min);
		CU_ASSERT_EQUAL(v[i].MaxVersion, api_table[i].max);
	}
	arena_destroy(&a);
}

/* KIP-511 software names: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? */
static void test_api_versions_software_name(void)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{"a", true}, {"apache-kafka-java", true}, {"confluent-kafka-python", true},
		{"1.7.0", true}, {"a.b-c", true}, {"", false}, {"-a", false}, {"a-", false},
		{".a", false}, {"a.", false}, {"a b", false}, {"a_b", false}, {"é", false},
	};
	for (size_t i = 0; i < KB_ARRAY_LEN(cases); i++) {
		struct arena a;
		arena_init(&a, 1 << 16);
		struct ApiVersionsResponse resp;
		run_api_versions(3, cases[i].name, "1.0", &resp, &a);
		CU_ASSERT_EQUAL(resp.ErrorCode, cases[i].ok ? 0 : KERR_INVALID_REQUEST);
		run_api_versions(3, "ok", cases[i].name, &resp, &a);
		CU_ASSERT_EQUAL(resp.ErrorCode, cases[i].ok ? 0 : KERR_INVALID_REQUEST);
		/* v0-2 carry no names: never validated. */
		run_api_versions(2, cases[i].name, cases[i].name, &resp, &a);
		CU_ASSERT_EQUAL(resp.ErrorCode, 0);
		arena_destroy(&a);
	}
}

void suite_server(void);
void suite_server(void)
{
	CU_pSuite s = CU_add_suite("server", NULL, NULL);
	CU_add_test(s, "API table matches the codec", test_table_consistent_with_codec);
	CU_add_test(s, "ApiVersions lists the table", test_api_versions_lists_table);
	CU_add_test(s, "ApiVersions validates software names", test_api_versions_software_name);
}

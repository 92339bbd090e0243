/* test_coord.c — broker registration JSON, endpoint strings, cluster ids. */
#include "../../coord/coord.h"

#include <CUnit/CUnit.h>
#include <jansson.h>
#include <string.h>

static void test_registration_round_trip(void)
{
	struct md_endpoint eps[] = {{"INTERNAL", "10.0.0.1", 9093}, {"PLAINTEXT", "::1", 9092}};
	struct coord_config cfg = {.broker_id = 7, .rack = "r1", .endpoints = eps, .nendpoints = 2,
	                           .protocol_map = "INTERNAL:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL"};
	char *s = broker_json_encode(&cfg, 1700000000123);
	json_error_t jerr;
	json_t *o = json_loads(s, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	/* Kafka 2.x version-4 registration fields. */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "version")), 4);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "host")), "10.0.0.1");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "port")), 9093);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "jmx_port")), -1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "timestamp")), "1700000000123");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "rack")), "r1");
	json_t *e = json_object_get(o, "endpoints");
	CU_ASSERT_EQUAL_FATAL(json_array_size(e), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(e, 0)), "INTERNAL://10.0.0.1:9093");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(e, 1)), "PLAINTEXT://[::1]:9092");
	json_t *m = json_object_get(o, "listener_security_protocol_map");
	CU_ASSERT_EQUAL(json_object_size(m), 2); /* only this broker's listeners */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(m, "INTERNAL")), "PLAINTEXT");
	json_decref(o);

	struct md_broker b;
	CU_ASSERT_EQUAL_FATAL(broker_json_decode(7, s, strlen(s), &b), 0);
	CU_ASSERT_EQUAL(b.id, 7);
	CU_ASSERT_STRING_EQUAL(b.rack, "r1");
	CU_ASSERT_EQUAL_FATAL(b.nendpoints, 2);
	const struct md_endpoint *p = md_broker_endpoint(&b, "PLAINTEXT");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->host, "::1");
	CU_ASSERT_EQUAL(p->port, 9092);
	CU_ASSERT_PTR_NULL(md_broker_endpoint(&b, "SSL"));
	md_broker_free(&b);
	free(s);

	cfg.rack = NULL;
	s = broker_json_encode(&cfg, 1);
	CU_ASSERT_PTR_NULL(strstr(s, "rack"));
	free(s);
}

static void test_decode_kafka_written_and_bad(void)
{
	const char *kafka = "{\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},"
	                    "\"endpoints\":[\"PLAINTEXT://kafka-1:9092\"],\"jmx_port\":-1,"
	                    "\"features\":{},\"host\":\"kafka-1\",\"timestamp\":\"1\",\"port\":9092,"
	                    "\"version\":5}";
	struct md_broker b;
	CU_ASSERT_EQUAL_FATAL(broker_json_decode(1, kafka, strlen(kafka), &b), 0);
	CU_ASSERT_EQUAL(b.nendpoints, 1);
	CU_ASSERT_STRING_EQUAL(b.endpoints[0].host, "kafka-1");
	CU_ASSERT_PTR_NULL(b.rack);
	md_broker_free(&b);
	const char *v1 = "{\"version\":1,\"host\":\"old\",\"port\":9092,\"jmx_port\":-1}";
	CU_ASSERT_EQUAL_FATAL(broker_json_decode(2, v1, strlen(v1), &b), 0);
	CU_ASSERT_EQUAL(b.nendpoints, 1);
	CU_ASSERT_STRING_EQUAL(b.endpoints[0].listener, "PLAINTEXT");
	md_broker_free(&b);
	const char *bad[] = {"", "{", "[1,2]", "null", "{\"endpoints\":[1,\"x\",\"A://h:99999\"]}"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++) {
		int rc = broker_json_decode(3, bad[i], strlen(bad[i]), &b);
		if (rc == 0) {
			CU_ASSERT_EQUAL(b.nendpoints, 0); /* parsed, but nothing usable */
			md_broker_free(&b);
		}
	}
}

static void test_endpoint_parse(void)
{
	struct md_endpoint e;
	CU_ASSERT_EQUAL_FATAL(endpoint_parse("PLAINTEXT://h:1", &e), 0);
	CU_ASSERT_STRING_EQUAL(e.listener, "PLAINTEXT");
	CU_ASSERT_STRING_EQUAL(e.host, "h");
	CU_ASSERT_EQUAL(e.port, 1);
	free(e.listener);
	free(e.host);
	CU_ASSERT_EQUAL_FATAL(endpoint_parse("X://[fe80::1]:65535", &e), 0);
	CU_ASSERT_STRING_EQUAL(e.host, "fe80::1");
	free(e.listener);
	free(e.host);
	const char *bad[] = {"", "h:1", "://h:1", "X://h", "X://h:", "X://h:65536", "X://h:-1",
	                     "X://h:1x", "X://[:1", "X://]:1"};
	for (size_t i = 0; i < KB_ARRAY_LEN(bad); i++)
		CU_ASSERT_EQUAL(endpoint_parse(bad[i], &e), -1);
}

static void test_cluster_id(void)
{
	char a[23], b[23];
	cluster_id_generate(a);
	cluster_id_generate(b);
	CU_ASSERT_EQUAL(strlen(a), 22);
	CU_ASSERT(strcmp(a, b) != 0);
	for (int i = 0; i < 22; i++)
		CU_ASSERT(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
		                 a[i]) != NULL);
	/* 128 bits in 22 digits: the last digit carries 2 bits, so its low 4 bits are zero. */
	const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	CU_ASSERT_EQUAL((strchr(alpha, a[21]) - alpha) & 15, 0);
}

void suite_coord(void);
void suite_coord(void)
{
	CU_pSuite s = CU_add_suite("coord", NULL, NULL);
	CU_add_test(s, "registration JSON round trip", test_registration_round_trip);
	CU_add_test(s, "Kafka-written and malformed registrations", test_decode_kafka_written_and_bad);
	CU_add_test(s, "endpoint strings", test_endpoint_parse);
	CU_add_test(s, "cluster id format", test_cluster_id);
}

/* seeds — writes the fuzz targets' starting corpora under DIR/<target>/: valid inputs made by
 * the project's own encoders (a request at every version of every API the codec knows, with
 * schema defaults; batches in every codec; legacy message sets; compressed blobs; segment
 * files; znode JSON; a properties file), so the fuzzers start from the formats' structure.
 *   build/fuzz/bin/fuzz-seeds tests/fuzz/corpus */
#include "common/arena.h"
#include "common/kbuf.h"
#include "group/group.h"
#include "log/compress.h"
#include "log/legacy.h"
#include "log/log.h"
#include "log/records.h"
#include "net/kp.h"
#include "txn/txn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *root;

static void put(const char *target, const char *name, const void *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, target);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

static void requests(void)
{
	for (int16_t key = 0; key < 100; key++) {
		const struct kp_api *api = kp_api_find(key);
		if (!api)
			continue;
		for (int16_t v = api->vmin; v <= api->vmax; v++) {
			bool flex = kp_api_flexible(api, v);
			struct kbuf b;
			kbuf_init(&b, 1 << 20);
			kp_put_i8(&b, 0); /* request, not response */
			struct kp_request_header h = { key, v, 7, kp_str_c("seed") };
			kp_request_header_write(&b, &h, flex);
			struct arena a;
			arena_init(&a, 1 << 20);
			void *body = arena_alloc(&a, api->request->size);
			kp_set_defaults(api->request, body);
			if (kp_encode(api->request, v, flex, body, &b) == KP_OK) {
				char name[64];
				snprintf(name, sizeof name, "req-%d-v%d", key, v);
				put("request", name, b.data, b.len);
			}
			arena_destroy(&a);
			kbuf_free(&b);
		}
	}
}

static int batch(int codec, int n, uint8_t **out, size_t *len)
{
	struct rc_batch_params bp;
	rc_batch_params_default(&bp);
	struct rc_build_record recs[8];
	static const uint8_t key[] = "key", val[] = "value-value-value-value";
	for (int i = 0; i < n; i++) {
		recs[i] = (struct rc_build_record){ i, 1700000000000LL + i, key, i % 3 ? 3 : -1,
		                                    val, i % 4 ? (int32_t)sizeof val - 1 : -1, 0,
		                                    NULL, 0 };
	}
	return rc_batch_build(&bp, recs, n, codec, 1 << 20, out, len);
}

static void batches(void)
{
	for (int codec = 0; codec <= 4; codec++) {
		uint8_t *p;
		size_t n;
		if (batch(codec, 1 + codec, &p, &n) != RC_OK)
			exit(1);
		char name[32];
		snprintf(name, sizeof name, "batch-codec%d", codec);
		put("batch", name, p, n);
		/* Several batches in a row: a fetch response's records or a segment. */
		uint8_t *two = malloc(2 * n);
		memcpy(two, p, n);
		memcpy(two + n, p, n);
		put("legacy", name, two, 2 * n);
		free(two);
		free(p);
	}
}

static void legacy(void)
{
	for (int magic = 0; magic <= 1; magic++) {
		struct kbuf b;
		kbuf_init(&b, 1 << 20);
		for (int i = 0; i < 3; i++)
			rc_legacy_append(&b, magic, i, 0, 1700000000000LL, (const uint8_t *)"k", 1,
			                 (const uint8_t *)"legacy value", 12);
		char name[32];
		snprintf(name, sizeof name, "msgset-magic%d", magic);
		put("legacy", name, b.data, b.len);
		/* A compressed wrapper (gzip) holding the set. */
		uint8_t *z;
		size_t zn;
		if (rc_compress(1, b.data, b.len, &z, &zn) == RC_OK) {
			struct kbuf w;
			kbuf_init(&w, 1 << 20);
			rc_legacy_append(&w, magic, 2, 1, 1700000000000LL, NULL, -1, z, (int32_t)zn);
			snprintf(name, sizeof name, "msgset-gzip-magic%d", magic);
			put("legacy", name, w.data, w.len);
			kbuf_free(&w);
			free(z);
		}
		kbuf_free(&b);
	}
}

static void compressed(void)
{
	static const char text[] = "the quick brown fox jumps over the lazy dog, again and again";
	for (int codec = 1; codec <= 4; codec++) {
		uint8_t *z;
		size_t zn;
		if (rc_compress(codec, (const uint8_t *)text, sizeof text, &z, &zn) != RC_OK)
			exit(1);
		uint8_t *in = malloc(zn + 1);
		in[0] = (uint8_t)codec;
		memcpy(in + 1, z, zn);
		char name[32];
		snprintf(name, sizeof name, "codec%d", codec);
		put("decompress", name, in, zn + 1);
		free(in);
		free(z);
	}
}

static void segments(void)
{
	/* A log of three batches at offsets 0, 1-2, 3-5; no index files (4 zero bytes). */
	struct kbuf b;
	kbuf_init(&b, 1 << 20);
	uint8_t zero4[4] = { 0, 0, 0, 0 };
	kbuf_append(&b, zero4, 4);
	int64_t base = 0;
	for (int i = 1; i <= 3; i++) {
		uint8_t *p;
		size_t n;
		if (batch(i == 2 ? 1 : 0, i, &p, &n) != RC_OK)
			exit(1);
		for (int k = 0; k < 8; k++)
			p[k] = (uint8_t)((uint64_t)base >> (56 - 8 * k));
		kbuf_append(&b, p, n);
		base += i;
		free(p);
	}
	put("recover", "three-batches", b.data, b.len);
	kbuf_free(&b);
}

static void json(void)
{
	static const char *const docs[] = {
		"\x00{\"version\":3,\"partitions\":{\"0\":[1,2,3],\"1\":[2,3,1]},\"adding_replicas\":{},"
		"\"removing_replicas\":{},\"topic_id\":\"AAAAAAAAAAAAAAAAAAAAAA\"}",
		"\x01{\"controller_epoch\":7,\"leader\":1,\"version\":1,\"leader_epoch\":4,\"isr\":[1,2,3]}",
		"\x02{\"version\":1,\"config\":{\"cleanup.policy\":\"compact\",\"retention.ms\":\"86400000\"}}",
		"\x03{\"version\":4,\"host\":\"127.0.0.1\",\"port\":9092,\"jmx_port\":-1,\"timestamp\":"
		"\"1700000000000\",\"endpoints\":[\"PLAINTEXT://127.0.0.1:9092\"],"
		"\"listener_security_protocol_map\":{\"PLAINTEXT\":\"PLAINTEXT\"},\"rack\":\"r1\"}",
		"\x04PLAINTEXT://[::1]:9092",
		"\x05" "AAECAwQFBgcICQoLDA0ODw",
		"\x06{\"version\":1,\"acls\":[{\"principal\":\"User:alice\",\"permissionType\":"
		"\"Allow\",\"operation\":\"Read\",\"host\":\"*\"},{\"principal\":\"User:*\","
		"\"permissionType\":\"Deny\",\"operation\":\"AlterConfigs\",\"host\":\"10.0.0.1\"}]}",
		"\x06{\"version\":1,\"acls\":[]}",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		char name[16];
		snprintf(name, sizeof name, "doc%zu", i);
		size_t n = strlen(docs[i] + 1) + 1; /* the selector byte may be NUL */
		put("json", name, docs[i], n);
	}
}

/* fuzz_group's records: u16 key length, key, i32 value length, value. */
static void grec(struct kbuf *out, const struct kbuf *k, const struct kbuf *v)
{
	kp_put_i16(out, (int16_t)k->len);
	kbuf_append(out, k->data, k->len);
	kp_put_i32(out, v ? (int32_t)v->len : -1);
	if (v)
		kbuf_append(out, v->data, v->len);
}

static void group_records(void)
{
	struct kbuf k, v, all;
	kbuf_init(&all, 1 << 20);
	kp_put_i8(&all, 1); /* replay mode; the same bytes decode in mode 0 */
	kbuf_init(&k, 1 << 16);
	kbuf_init(&v, 1 << 16);
	group_rec_offset_key(&k, KP_STR_LIT("g"), KP_STR_LIT("orders"), 3);
	struct group_offset_rec o = {.group = KP_STR_LIT("g"), .topic = KP_STR_LIT("orders"),
	                             .partition = 3, .offset = 42, .leader_epoch = 5,
	                             .metadata = KP_STR_LIT("m"), .commit_timestamp = 1700000000000LL,
	                             .expire_timestamp = -1};
	group_rec_offset_value(&v, &o);
	grec(&all, &k, &v);
	kbuf_reset(&k);
	kbuf_reset(&v);
	group_rec_group_key(&k, KP_STR_LIT("g"));
	static const uint8_t sub[] = {0, 1, 0, 0, 0, 1, 0, 6, 'o', 'r', 'd', 'e', 'r', 's',
	                              0xff, 0xff, 0xff, 0xff};
	struct group_meta_member_rec m = {
	        .member_id = KP_STR_LIT("c-1"), .instance_id = KP_STR_NULL,
	        .client_id = KP_STR_LIT("c"), .client_host = KP_STR_LIT("/127.0.0.1"),
	        .rebalance_timeout = 30000, .session_timeout = 10000,
	        .subscription = {sub, (int32_t)sizeof(sub), NULL},
	        .assignment = {sub, (int32_t)sizeof(sub), NULL}};
	struct group_meta_rec g = {.group = KP_STR_LIT("g"), .value_version = 3,
	                           .protocol_type = KP_STR_LIT("consumer"), .generation = 4,
	                           .protocol = KP_STR_LIT("range"), .leader = KP_STR_LIT("c-1"),
	                           .current_state_timestamp = 1700000000000LL, .nmembers = 1,
	                           .members = &m};
	group_rec_group_value(&v, &g);
	grec(&all, &k, &v);
	grec(&all, &k, NULL); /* a tombstone */
	put("group", "offset-group-tombstone", all.data, all.len);
	uint8_t subs[1 + sizeof(sub)] = {2};
	memcpy(subs + 1, sub, sizeof(sub));
	put("group", "subscription", subs, sizeof(subs));
	kbuf_free(&k);
	kbuf_free(&v);
	kbuf_free(&all);
}

/* fuzz_txn's records (the same framing): a transaction in each state, a tombstone. */
static void txn_records(void)
{
	struct kbuf k, v, all;
	kbuf_init(&all, 1 << 20);
	kp_put_i8(&all, 1); /* replay and drive; the same bytes decode in mode 0 */
	kbuf_init(&k, 1 << 16);
	kbuf_init(&v, 1 << 16);
	struct txn_tp parts[3] = {{KP_STR_LIT("orders"), 0}, {KP_STR_LIT("orders"), 2},
	                          {KP_STR_LIT("__consumer_offsets"), 7}};
	static const char *const ids[] = {"empty", "ongoing", "prepc", "prepa", "commit", "abort"};
	for (int st = 0; st <= 5; st++) {
		kbuf_reset(&k);
		kbuf_reset(&v);
		txn_rec_key(&k, kp_str_c(ids[st]));
		struct txn_rec r = {.producer_id = 1000 + st, .producer_epoch = (int16_t)st,
		                    .timeout_ms = 60000, .state = (int8_t)st,
		                    .npartitions = st == 0 ? -1 : st >= 4 ? 0 : 3, .partitions = parts,
		                    .last_update_ts = 1700000000000LL,
		                    .start_ts = st == 0 ? -1 : 1700000000000LL};
		txn_rec_value(&v, &r, (int16_t)(st % 2));
		grec(&all, &k, &v);
	}
	grec(&all, &k, NULL); /* a tombstone of the last */
	put("txn", "every-state-tombstone", all.data, all.len);
	kbuf_free(&k);
	kbuf_free(&v);
	kbuf_free(&all);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	root = argv[1];
	mkdir(root, 0755);
	requests();
	batches();
	legacy();
	compressed();
	segments();
	json();
	group_records();
	txn_records();
	return 0;
}

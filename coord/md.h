/* md.h — the cluster metadata model shared by coord/, server/ and tools/: topics with their
 * replica assignments, partition states and configs, exactly as Kafka 2.x keeps them in
 * ZooKeeper, plus the JSON codecs for those znodes (coord/md_json.c).
 *
 *   /brokers/topics/<t>                      assignment: {"version":3,"partitions":{"0":[1,2]},
 *                                            "adding_replicas":{},"removing_replicas":{},
 *                                            "topic_id":"<22-char base64url>"}
 *   /brokers/topics/<t>/partitions/<p>/state {"controller_epoch":7,"leader":1,"version":1,
 *                                            "leader_epoch":4,"isr":[1,2]}
 *   /config/topics/<t>                       {"version":1,"config":{"retention.ms":"1000"}}
 */
#ifndef KB_COORD_MD_H
#define KB_COORD_MD_H

#include "../common/kb.h"

struct md_state {
	int32_t leader;           /* -1: no leader */
	int32_t leader_epoch;
	int32_t controller_epoch;
	int32_t *isr;
	int nisr;
};

struct md_partition {
	int32_t id;
	int32_t *replicas;        /* assignment; the first is the preferred leader */
	int nreplicas;
	bool has_state;           /* the state znode exists and was read */
	bool state_absent;        /* ZooKeeper said the state znode does not exist */
	struct md_state state;
	int32_t state_version;    /* zkVersion of the state znode (for conditional writes) */
	bool preferred_wanted;    /* controller: a preferred election was asked for (cleared by
	                           * the next reconcile pass, as Kafka's request is one-shot) */
};

struct md_config_entry {
	char *name;
	char *value;
};

struct md_topic {
	char *name;
	uint8_t topic_id[16];
	struct md_partition *partitions; /* index = partition id */
	int npartitions;
	struct md_config_entry *configs; /* /config/topics/<t> */
	int nconfigs;
	uint64_t configs_gen;            /* changes whenever configs are replaced (never 0) */
	bool deleting;                   /* listed under /admin/delete_topics */
};

const char *md_topic_config(const struct md_topic *t, const char *name); /* NULL: unset */
const struct md_partition *md_topic_partition(const struct md_topic *t, int32_t id);
bool md_state_in_isr(const struct md_state *s, int32_t broker);
void md_state_free(struct md_state *s);
void md_topic_free(struct md_topic *t);
void md_configs_free(struct md_config_entry *c, int n);

/* ---- JSON codecs. Decoders return 0 or -1 (malformed: never trusted, never a crash). ---- */

/* Assignment: partitions 0..n-1 must all be present. */
char *md_assignment_encode(const struct md_partition *parts, int n, const uint8_t topic_id[16]);
KB_MUST_USE int md_assignment_decode(const char *json, size_t len, struct md_partition **parts, int *n,
                         uint8_t topic_id[16]);
char *md_state_encode(const struct md_state *s);
KB_MUST_USE int md_state_decode(const char *json, size_t len, struct md_state *s);
char *md_config_encode(const struct md_config_entry *c, int n);
KB_MUST_USE int md_config_decode(const char *json, size_t len, struct md_config_entry **c, int *n);

/* Topic ids: 16 random bytes, written as 22 chars of URL-safe base64 without padding. */
void md_uuid_generate(uint8_t id[16]);
void md_uuid_encode(const uint8_t id[16], char out[23]);
KB_MUST_USE int md_uuid_decode(const char *s, uint8_t id[16]);

/* Kafka's topic name rules: 1..249 chars of [a-zA-Z0-9._-], not "." or "..". Returns NULL
 * when valid, else the reason. */
const char *md_topic_name_invalid(const char *name);
/* '.' and '_' collide in metric names: "a.b" and "a_b" may not coexist. */
bool md_topic_names_collide(const char *a, const char *b);
/* Kafka's internal topics: __consumer_offsets and __transaction_state (`len` bytes of name,
 * not necessarily NUL-terminated). Clients may not produce to them (INVALID_TOPIC_EXCEPTION
 * unless the client id is "__admin_client"), delete their records, or add them to a
 * transaction, as in Kafka. */
bool md_topic_internal(const char *name, size_t len);

#endif

/* topic_admin.h — writing topics into ZooKeeper the way Kafka 2.x's AdminZkClient does, shared
 * by the controller (CreateTopics, CreatePartitions, AlterConfigs), by any broker
 * auto-creating a topic, and by `kadmin --zookeeper`.
 *
 * A write may be fenced: it then starts with a `check` of /controller_epoch at the version
 * the controller won with, so a deposed controller's writes fail (NOT_CONTROLLER) instead of
 * overwriting its successor's decisions.
 * Results come back as Kafka error codes through a callback on the loop thread. */
#ifndef KB_COORD_TOPIC_ADMIN_H
#define KB_COORD_TOPIC_ADMIN_H

#include "md.h"
#include "zk.h"

struct zk_fence {
	int32_t epoch_version; /* zkVersion of /controller_epoch; < 0: unfenced */
};

/* The session is closing (shutdown): the write's fate is unknown and the caller must only
 * release what it holds, not answer anyone. */
#define TOPIC_ADMIN_CLOSING (-100)

/* A write conditional on a znode's version (topic_admin_set_assignment with version >= 0)
 * found another version: someone changed it since it was read. The caller reads it again. */
#define TOPIC_ADMIN_CONFLICT (-101)

/* Called exactly once per write, with a Kafka error code (0 = done), TOPIC_ADMIN_CLOSING or
 * TOPIC_ADMIN_CONFLICT. */
typedef void (*topic_admin_cb)(int16_t error, const char *message, void *arg);

/* Creates /brokers/topics/<t> (assignment + topic id) and /config/topics/<t> in one
 * transaction. TOPIC_ALREADY_EXISTS (36) if the topic exists. */
void topic_admin_create(struct zk *z, const struct zk_fence *f, const char *name,
                        const struct md_partition *parts, int n, const uint8_t topic_id[16],
                        const struct md_config_entry *cfg, int ncfg, topic_admin_cb cb,
                        void *arg);

/* Auto-creation (Metadata's auto.create.topics.enable, __consumer_offsets): n partitions of
 * rf replicas placed over the live brokers of md (md_place), a new topic id, unfenced, as
 * any broker may. Returns 0 when the write was sent (cb follows), -1 with err when the
 * placement is impossible (rf above the live brokers; cb is not called). */
struct md_cache;
int topic_admin_create_placed(struct zk *z, const struct md_cache *md, const char *name,
                              int32_t n, int16_t rf, const struct md_config_entry *cfg,
                              int ncfg, topic_admin_cb cb, void *arg, char *err,
                              size_t errlen);

/* Rewrites the assignment with more partitions, conditional on the assignment's zkVersion
 * (-1: unconditional; a version that no longer matches: TOPIC_ADMIN_CONFLICT). */
void topic_admin_set_assignment(struct zk *z, const struct zk_fence *f, const char *name,
                                const struct md_partition *parts, int n,
                                const uint8_t topic_id[16], int32_t version, topic_admin_cb cb,
                                void *arg);

/* Reads /brokers/topics/<t> from ZooKeeper itself, not from a metadata cache that may lag
 * behind a write just made (the controller decides from what is written, as Kafka's does).
 * `cb` runs exactly once on the loop: error 0 with the decoded assignment (partitions
 * 0..n-1; valid only during the call), its topic id and the znode's zkVersion;
 * UNKNOWN_TOPIC_OR_PARTITION when the znode is missing; UNKNOWN_SERVER_ERROR (message says
 * why) for ZooKeeper trouble or malformed JSON; TOPIC_ADMIN_CLOSING at shutdown. */
typedef void (*topic_admin_read_cb)(int16_t error, const char *message,
                                    const struct md_partition *parts, int n,
                                    const uint8_t topic_id[16], int32_t version, void *arg);
void topic_admin_read_assignment(struct zk *z, const char *name, topic_admin_read_cb cb,
                                 void *arg);

/* Creates /admin/delete_topics/<t> (already marked: success). */
void topic_admin_mark_delete(struct zk *z, const char *name, topic_admin_cb cb, void *arg);

/* Replaces /config/topics/<t> (creating it if missing). */
void topic_admin_set_config(struct zk *z, const struct zk_fence *f, const char *name,
                            const struct md_config_entry *cfg, int n, topic_admin_cb cb,
                            void *arg);

/* Creates one persistent znode with `data` (e.g. /admin/preferred_replica_election).
 * An existing node: error 36, message "exists" (the caller decides). */
void topic_admin_create_node(struct zk *z, const char *rel_path, const char *data,
                             topic_admin_cb cb, void *arg);

/* Whether the assignment of these partitions fits one ZooKeeper write
 * (KB_ZK_MAX_WRITE_BYTES). The writes above refuse one that does not, with
 * POLICY_VIOLATION through the callback, before sending anything. */
bool topic_admin_assignment_fits(const struct md_partition *parts, int n);

/* Kafka error code for a ZooKeeper result code of a topic write. */
int16_t topic_admin_error(int zrc);

#endif

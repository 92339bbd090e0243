/* dynconf.h — dynamic broker configs (Kafka's DynamicBrokerConfig, ZooKeeper mode): which
 * keys may change without a restart, validation of a requested set, and the precedence that
 * gives every broker its effective configuration. Pure functions, no I/O.
 *
 * Levels, highest first: per-broker dynamic (/config/brokers/<id>), cluster-default dynamic
 * (/config/brokers/<default>), static (server.properties, --override), the key's default.
 * Each znode holds {"version":1,"config":{"key":"value",...}} (coord/md.h's config JSON).
 *
 * Every key kbroker has is in one of three classes (dynconf_mode):
 *   DYNCONF_LIVE    — Kafka updates it dynamically and kbroker applies it live: the topic
 *                     defaults Kafka marks dynamic (log.retention.ms, log.segment.bytes,
 *                     message.max.bytes, log.cleanup.policy, ...: every topic without an
 *                     override follows the new value), producer.id.expiration.ms,
 *                     log.cleaner.backoff.ms, max.connections, max.connections.per.ip,
 *                     num.replica.fetchers (followers move to their new fetcher),
 *                     unclean.leader.election.enable (the controller's next elections),
 *                     the cleaner's dedupe buffer, load factor and I/O limit (next passes);
 *   DYNCONF_RESTART — Kafka updates it dynamically but kbroker cannot yet (the cleaner
 *                     thread count, listeners, per-address overrides, ...): refused with
 *                     INVALID_REQUEST "... requires a restart in kbroker", never pretended;
 *   DYNCONF_STATIC  — read-only in Kafka too (broker.id, log.dirs, zookeeper.connect,
 *                     log.retention.hours: only the first synonym of a topic config is
 *                     dynamic): INVALID_REQUEST "Cannot update these configs dynamically: ...".
 */
#ifndef KB_CONF_DYNCONF_H
#define KB_CONF_DYNCONF_H

#include "conf.h"
#include "topic_conf.h"

enum dynconf_mode { DYNCONF_STATIC = 0, DYNCONF_LIVE, DYNCONF_RESTART };

/* The class of broker key `name` (DYNCONF_STATIC for a name kbroker does not have). */
enum dynconf_mode dynconf_mode(const char *name);

/* Checks the complete set a level would hold after a request (kv[0..n), names unique):
 * a name kbroker does not have is accepted and stored with no effect (Kafka's ZooKeeper mode
 * allows custom broker configs: DynamicConfig.Broker validates with customPropsAllowed, and
 * Kafka's own SASL/SSL keys, which kbroker does not serve, land here); names Kafka cannot
 * update dynamically
 * → KERR_INVALID_REQUEST "Cannot update these configs dynamically: [a, b]"; names kbroker
 * cannot apply live → KERR_INVALID_REQUEST "Cannot update these configs dynamically: [a]
 * (requires a restart in kbroker)"; a value the key's type, bounds or validator refuses, or
 * longer than KB_MAX_CONFIG_VALUE_BYTES → KERR_INVALID_CONFIG "Invalid value v for
 * configuration k: reason"; a retention of 0 → KERR_INVALID_CONFIG. Returns 0 (KERR_NONE) or
 * the code, with the message in err. */
int dynconf_validate(const struct conf_kv *kv, int n, char *err, size_t errlen);

/* Recomputes the DYNCONF_LIVE keys of `eff` from the static configuration `stat` and the two
 * dynamic levels (dflt: the cluster default, brk: this broker; either may be empty): per key
 * the broker value, else the default one, else the static one. eff->set / eff->dyn record
 * where each came from. Keys of other classes are left as they are, so a string of eff that
 * someone holds is never freed unless its key is live. A stored value that does not
 * validate (written by someone else) is skipped, as if absent. Returns the number of live
 * keys whose value or source changed. */
int dynconf_resolve(struct kb_config *eff, const struct kb_config *stat,
                    const struct conf_kv *dflt, int nd, const struct conf_kv *brk, int nb);

/* A deep copy of src into dst (dst's previous contents are not freed). */
void conf_copy(struct kb_config *dst, const struct kb_config *src);

#endif

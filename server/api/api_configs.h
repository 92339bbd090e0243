/* api_configs.h — what api_configs.c (the handlers) and api_configs_broker.c (BROKER
 * resources) share. */
#ifndef KB_API_CONFIGS_H
#define KB_API_CONFIGS_H

#include "../core/dispatch.h"

/* configs_broker_level: a resource name that is not this broker's id (or not an id). */
#define CONFIGS_BAD_BROKER (-2)

/* The level a BROKER resource name means: COORD_BROKER_DEFAULT for "" (or null), this
 * broker's id for its own id, else CONFIGS_BAD_BROKER with Kafka's message in m ("Unexpected
 * broker id, expected 1, but received 2" — DescribeConfigs: "expected 1 or empty string" —
 * / "Broker id must be an integer, but it is: x"):
 * a ZooKeeper-mode Kafka broker describes and alters only itself and the default. */
int configs_broker_level(struct kreq *r, struct kp_str name, bool describe, char *m, size_t mlen);

/* DescribeConfigs of one BROKER resource (see api_configs_broker.c). -1: arena exhausted. */
int configs_describe_broker(struct kreq *r, const struct DescribeConfigsResource *in,
                            struct DescribeConfigsResult *out);

#endif

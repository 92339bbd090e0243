/* kadmin_api.h — the --bootstrap-server side of kadmin's writes: admin requests sent to the
 * controller (CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs,
 * IncrementalAlterConfigs, ElectLeaders). Each returns 0, or -1 with the broker's error
 * (name and message) in err. */
#ifndef KB_TOOLS_KADMIN_API_H
#define KB_TOOLS_KADMIN_API_H

#include "kadmin.h"

int kapi_create_topic(const struct kadmin *ka, struct view *v, const char *name,
                      int32_t partitions, int16_t rf, const struct md_partition *assignment,
                      int nassigned, const struct md_config_entry *cfg, int ncfg, char *err,
                      size_t errlen);
int kapi_delete_topic(const struct kadmin *ka, struct view *v, const char *name, char *err,
                      size_t errlen);
int kapi_create_partitions(const struct kadmin *ka, struct view *v, const char *name,
                           int32_t count, char *err, size_t errlen);

/* A described config entry. */
struct kapi_config {
	char *name;
	char *value;     /* NULL: null (sensitive or unset) */
	int8_t source;   /* Kafka's config_source */
	bool read_only;
};
/* resource_type: 2 topic, 4 broker. */
int kapi_describe_configs(const struct kadmin *ka, struct view *v, int8_t resource_type,
                          const char *name, struct kapi_config **out, int *n, char *err,
                          size_t errlen);
void kapi_configs_free(struct kapi_config *c, int n);
/* op per entry: 0 set, 1 delete (IncrementalAlterConfigs). */
int kapi_alter_configs(const struct kadmin *ka, struct view *v, int8_t resource_type,
                       const char *name, const struct md_config_entry *set, int nset,
                       char *const *del, int ndel, char *err, size_t errlen);
/* Preferred-leader election for a topic's partitions (topic NULL: all). */
int kapi_elect_preferred(const struct kadmin *ka, struct view *v, const char *topic, char *err,
                         size_t errlen);


#endif

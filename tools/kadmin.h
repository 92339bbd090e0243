/* kadmin.h — shared pieces of the kadmin commands. */
#ifndef KB_TOOLS_KADMIN_H
#define KB_TOOLS_KADMIN_H

#include "../coord/coord.h"

#include <stdio.h>

/* Exit codes. */
enum { KADMIN_OK = 0, KADMIN_FAILED = 1, KADMIN_USAGE = 2 };

struct kadmin {
	const char *bootstrap;  /* --bootstrap-server */
	const char *zookeeper;  /* --zookeeper */
	int timeout_ms;         /* --timeout-ms */
};

/* What `cluster describe` prints, gathered by either connection mode. */
struct cluster_view {
	char *cluster_id;
	int32_t controller_id;
	struct md_broker *brokers;
	int nbrokers;
};

void cluster_view_free(struct cluster_view *v);
void cluster_view_print(const struct cluster_view *v, FILE *out);

/* --zookeeper mode: reads /cluster/id, /controller and /brokers/ids. Returns 0 or -1. */
int kadmin_zk_cluster(const struct kadmin *ka, struct cluster_view *v, char *err, size_t errlen);

#endif

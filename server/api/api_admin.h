/* api_admin.h — what the topic admin handlers (api_admin.c: CreateTopics, DeleteTopics,
 * ElectLeaders, DescribeCluster; api_partitions.c: CreatePartitions) share: request-arena
 * helpers, placement, the waiting rule and the named limits on what a request may add
 * (api_admin_util.c). Not for other modules. */
#ifndef KB_SERVER_API_ADMIN_H
#define KB_SERVER_API_ADMIN_H

#include "../../coord/election.h"
#include "../../coord/topic_admin.h"
#include "../../net/kp_msgs.h"
#include "../core/dispatch.h"

#define ADM_TOO_MANY_TOPICS "the request names more topics than a broker takes at once"

/* The controller-epoch fence for this broker's writes (unfenced if not the controller). */
struct zk_fence adm_fence(struct kreq *r);
/* A request string as a C string in the request arena ("" for null). */
char *adm_cstr(struct kreq *r, struct kp_str s);
/* A message copied into the request arena (NULL: a null string). */
struct kp_str adm_msg(struct kreq *r, const char *m);
/* Writes text into m and returns code. */
int16_t adm_fail(char *m, size_t mlen, int16_t code, const char *text);

/* Every one of the first nparts partitions of t has a live leader in the cache, and those
 * this broker leads it can serve (pm_can_lead). */
bool adm_topic_ready(struct kreq *r, const struct md_cache *md, const struct md_topic *t,
                     int32_t nparts);

/* The common waiting rule of the topic admin requests: an item still waiting is settled
 * once done(i) says so; at the deadline it is settled anyway, with REQUEST_TIMED_OUT when
 * the request asked to wait (timeout > 0). adm_settle_items returns true when nothing waits
 * any more. */
struct settle {
	bool *waiting;
	int n;
	int32_t timeout_ms;
	bool (*done)(struct kreq *r, void *st, int i);
	int16_t *(*error)(void *st, int i);
};

bool adm_settle_items(struct kreq *r, void *st, const struct settle *x, bool timed_out);

/* The partitions one request may still add: what it asked for so far, what it was granted
 * (validate_only too, so a validation answers what the real request would), and the
 * cluster's partitions before it, against the named limits. */
struct budget {
	int64_t asked;
	int64_t granted;
	int64_t existing;
	int64_t cap;
};

struct budget adm_budget_new(struct kreq *r);
/* A topic that will have `total` partitions, `add` of them new: 0, or INVALID_PARTITIONS /
 * POLICY_VIOLATION with m. Counts `add` as asked. */
int16_t adm_budget_check(struct budget *b, int64_t total, int64_t add, char *m, size_t mlen);
/* The assignment must fit one znode write (POLICY_VIOLATION otherwise). */
int16_t adm_check_fits(const struct md_partition *parts, int n, char *m, size_t mlen);
/* An explicit assignment: partitions 0..n-1 once each, same replica count, distinct live
 * brokers. *out (heap, as->count entries, free with md_parts_free) is set even on error. */
int16_t adm_check_assignment(const struct md_cache *md, const struct kp_array *as,
                             struct md_partition **out, char *m, size_t mlen);

#endif

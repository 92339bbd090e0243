/* waiters.h — requests parked until the cluster metadata satisfies them, or a deadline.
 *
 * CreateTopics answers once its partitions have leaders, ElectLeaders once the new leaders
 * are written, DeleteTopics once the topics are gone (as Kafka's delayed admin operations
 * do). A waiter is re-checked each time the metadata cache changes and once at its deadline;
 * its check function finishes the request (kreq_finish) and returns true when done. At
 * shutdown every waiter is dropped without an answer (the connections are going too). */
#ifndef KB_SERVER_WAITERS_H
#define KB_SERVER_WAITERS_H

#include "dispatch.h"

struct waiter;

/* Returns true once it has finished w's request; `timed_out` on the final call. */
typedef bool (*waiter_check_fn)(struct kreq *r, void *ctx, bool timed_out);

/* Parks r (the handler then returns H_ASYNC). ctx is freed with free() when done. */
void waiter_add(struct kreq *r, int64_t timeout_ms, waiter_check_fn check, void *ctx);
/* Re-checks every waiter (called on COORD_METADATA_CHANGED). */
void waiters_recheck(struct broker *b);
void waiters_drop_all(struct broker *b);
/* Connection c has closed: its waiters reach their deadline now (deferred), so the
 * connection is freed at once rather than after the request's own timeout. */
void waiters_expire_conn(struct broker *b, const struct conn *c);

#endif

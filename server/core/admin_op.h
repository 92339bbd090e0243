/* admin_op.h — the life of an admin request that writes to ZooKeeper and then waits for the
 * cluster to act on the writes (Kafka's delayed create/delete/elect operations):
 *
 *   handler: validates, starts N writes (admin_op_write), then returns admin_op_start(op)
 *   each write completes → its per-item result is recorded (set_error hook)
 *   all writes done → `ready` is checked now and on every metadata change (parked in the
 *   purgatory on the metadata key), until it says done or timeout_ms passes (ready is then
 *   called with timed_out = true and must finish every item); then the response goes out.
 * A timeout of 0 answers as soon as the writes are done. If the ZooKeeper session closes
 * (shutdown) the request is dropped unanswered. All per-request state lives in r->arena. */
#ifndef KB_SERVER_ADMIN_OP_H
#define KB_SERVER_ADMIN_OP_H

#include "dispatch.h"

struct admin_op;

/* Records a write's result for item idx (error 0 = written). */
typedef void (*admin_set_error_fn)(struct kreq *r, void *state, int idx, int16_t error,
                                   const char *message);
/* Returns true when every item is settled (on timed_out it must settle the rest). */
typedef bool (*admin_ready_fn)(struct kreq *r, void *state, bool timed_out);

struct admin_op *admin_op_new(struct kreq *r, int32_t timeout_ms, void *state,
                              admin_set_error_fn set_error, admin_ready_fn ready);
/* The state given to admin_op_new. */
void *op_state(struct admin_op *op);
/* The callback and argument to give a topic_admin_* write for item idx. */
void admin_op_write(struct admin_op *op, int idx, void (**cb)(int16_t, const char *, void *),
                    void **arg);
/* Ends the handler: H_RESPOND when everything is settled already, else H_ASYNC (writes in
 * flight, or waiting for the cluster). */
enum handler_result admin_op_start(struct admin_op *op);

#endif

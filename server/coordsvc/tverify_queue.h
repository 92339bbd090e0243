/* tverify_queue.h — the pure part of tverify.c: one destination broker's queue of
 * verification questions not sent yet, its same-transactional-id rules (fact sheet §B9
 * step 3) and how a request is cut from it.
 *
 * Items are the caller's (embedded in its tickets); the queue only links them, in arrival
 * order. tvq_same_id applies Kafka's rules to a new question for an id already queued:
 *   new epoch lower   → the new question gets INVALID_PRODUCER_EPOCH (queue unchanged);
 *   new epoch higher  → the queued one leaves the queue, to be answered INVALID_PRODUCER_EPOCH;
 *   same epoch        → the queued one leaves the queue, to be answered NETWORK_EXCEPTION;
 * so an id is queued at most once. tvq_take cuts the next request: the oldest items, at most
 * max_txn of them and max_parts partitions over them (the first is always taken).
 * @thread any (no state beyond the queue).
 */
#ifndef KB_SERVER_TVERIFY_QUEUE_H
#define KB_SERVER_TVERIFY_QUEUE_H

#include "../../net/kp.h"

#include <stdint.h>

struct tvq_item {
	struct tvq_item *next;
	const char *id;
	int32_t id_len;
	int16_t epoch;
	int nparts;
};

struct tvq {
	struct tvq_item *head, **tail;
	int n;
};

void tvq_init(struct tvq *q);
void tvq_push(struct tvq *q, struct tvq_item *it);
void tvq_remove(struct tvq *q, struct tvq_item *it);
/* The rules above: returns the new question's error (KERR_NONE: push it); *displaced is the
 * item removed from the queue (NULL if none) and *displaced_err its answer. */
int16_t tvq_same_id(struct tvq *q, struct kp_str id, int16_t epoch, struct tvq_item **displaced,
                    int16_t *displaced_err);
/* Removes and returns the next request's items (linked by next, oldest first); *ntxn their
 * number. NULL when the queue is empty. */
struct tvq_item *tvq_take(struct tvq *q, int max_txn, int max_parts, int *ntxn);

#endif

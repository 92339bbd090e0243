/* tverify_queue.c — a destination's queue of verification questions (see tverify_queue.h). */
#include "tverify_queue.h"

#include "../../common/kerr.h"

#include <string.h>

void tvq_init(struct tvq *q)
{
	q->head = NULL;
	q->tail = &q->head;
	q->n = 0;
}

void tvq_push(struct tvq *q, struct tvq_item *it)
{
	it->next = NULL;
	*q->tail = it;
	q->tail = &it->next;
	q->n++;
}

void tvq_remove(struct tvq *q, struct tvq_item *it)
{
	struct tvq_item **pp = &q->head;
	while (*pp && *pp != it)
		pp = &(*pp)->next;
	if (!*pp)
		return;
	*pp = it->next;
	if (q->tail == &it->next)
		q->tail = pp;
	it->next = NULL;
	q->n--;
}

int16_t tvq_same_id(struct tvq *q, struct kp_str id, int16_t epoch, struct tvq_item **displaced,
                    int16_t *displaced_err)
{
	*displaced = NULL;
	for (struct tvq_item *it = q->head; it; it = it->next) {
		if (it->id_len != id.len || (id.len > 0 && memcmp(it->id, id.ptr, (size_t)id.len)))
			continue;
		if (epoch < it->epoch)
			return KERR_INVALID_PRODUCER_EPOCH;
		*displaced_err = epoch > it->epoch ? KERR_INVALID_PRODUCER_EPOCH
		                                   : KERR_NETWORK_EXCEPTION;
		tvq_remove(q, it);
		*displaced = it;
		return KERR_NONE;
	}
	return KERR_NONE;
}

struct tvq_item *tvq_take(struct tvq *q, int max_txn, int max_parts, int *ntxn)
{
	struct tvq_item *first = NULL, **tail = &first;
	int parts = 0;
	*ntxn = 0;
	while (q->head && *ntxn < max_txn && (*ntxn == 0 || parts + q->head->nparts <= max_parts)) {
		struct tvq_item *it = q->head;
		tvq_remove(q, it);
		*tail = it;
		tail = &it->next;
		parts += it->nparts;
		(*ntxn)++;
	}
	return first;
}

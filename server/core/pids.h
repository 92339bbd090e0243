/* pids.h — the broker's producer-id allocator (pids.c), shared by the idempotent
 * InitProducerId path (server/api/api_producer.c) and the transaction coordinator
 * (server/coordsvc/tsvc.c).
 *
 * Ids come in blocks of PID_BLOCK_SIZE from ZooKeeper (/latest_producer_id_block); the next
 * block is fetched once 90% of the current one is used, so callers rarely find none.
 * @thread event loop only.
 */
#ifndef KB_SERVER_PIDS_H
#define KB_SERVER_PIDS_H

#include "broker.h"

/* The next free producer id, or -1 when none is at hand (a block fetch is then under way;
 * purgatory key PG_KEY_PRODUCER_IDS of b->pids is checked when it arrives). */
int64_t pid_take(struct broker *b);
/* Starts fetching a block when none is at hand (takes no id). */
void pid_prefetch(struct broker *b);
/* Frees the allocator (broker_stop, after coord_stop). */
void pid_alloc_free(struct broker *b);

#endif

/* replica.h — the leader's side of replication (Kafka 2.x's Partition/ISR logic).
 *
 * Followers copy the leader's log by fetching (server/fetcher.c); each follower fetch offset
 * is that follower's log end offset. From those the leader
 *   - computes the high watermark: the smallest log end among the ISR (its own included),
 *     never moving backwards; a member whose progress is unknown under this leadership holds
 *     it where it is;
 *   - adds a follower to the ISR once its log end reaches the HW and the start of the
 *     leader's epoch (it has everything committed), and removes members that have not been
 *     caught up for replica.lag.time.max.ms;
 *   - writes those ISR changes itself to the partition's state znode, conditional on the
 *     zkVersion it knows (coord_alter_isr), one change in flight per partition. While an
 *     addition is in flight the newcomer already counts for the HW (a "maximal" ISR), so
 *     the HW can never pass what a member of the ISR ZooKeeper may hold lacks.
 * The rules themselves (HW, ISR join and shrink, caught-up time) are the pure functions of
 * replica_rules.h; this file applies them to live partitions and writes the ISR changes.
 * @thread event loop only.
 */
#ifndef KB_SERVER_REPLICA_H
#define KB_SERVER_REPLICA_H

#include "../../coord/md.h"
#include "partition.h"

/* The partition's state changed: role, epoch or ISR (called by pm_sync with the cache).
 * Returns whether the leader or the leader epoch changed (pm_sync then tells the role
 * listeners, once the HW is recomputed). */
bool replica_apply_state(struct partition *p, const struct md_partition *mp, int32_t self);
/* A follower fetched `offset` (already checked to lie within the log); log_start is the log
 * start offset it sent (Fetch v5+, else -1). */
void replica_follower_fetch(struct partition *p, int32_t follower, int64_t offset,
                            int64_t log_start);
/* Whether broker `id` is in the partition's ISR as last applied. */
bool replica_in_isr(const struct partition *p, int32_t id);
/* The leader's view of the other replicas (*n = 0 when not leader); valid until the next
 * state change of p. */
const struct follower *replica_followers(const struct partition *p, int *n);
/* The candidate HW from the ISR's log ends (the caller keeps it monotonic). */
int64_t replica_leader_hw(const struct partition *p);
/* Periodic: shrink the ISR of lagging followers. */
void replica_check_isr(struct partition *p, int64_t now_ms);
/* Frees the leader-side state (partition going away). */
void replica_free(struct partition *p);

#endif

/* controller.h — the cluster controller (Kafka 2.x, ZooKeeper mode), run by whichever broker
 * wins /controller. Private to coord/; other modules use coord.h.
 *
 * Election: read /controller_epoch (create "0" if missing), then ONE multi-op that creates the
 * ephemeral /controller and bumps /controller_epoch conditional on the version just read.
 * The winner keeps that new zkVersion: every later controller write is a multi-op that starts
 * with a `check` of /controller_epoch at it, so a deposed ("zombie") controller's writes all
 * fail with BADVERSION — and on that failure it resigns.
 *
 * Work is level-triggered: any change of the cache (brokers, topics, states, deletion
 * markers) schedules one reconcile pass that compares every partition with what it should be
 * (election.h) and writes the differences in batches of fenced multi-ops. Successful writes
 * go straight into the cache (write-through) so the next pass does not repeat them; a pass
 * never starts while the previous one's writes are in flight. */
#ifndef KB_COORD_CONTROLLER_H
#define KB_COORD_CONTROLLER_H

#include "coord_int.h"

struct controller *ctl_new(struct coord *c);
void ctl_free(struct controller *k);
/* A new ZooKeeper session: we are not controller any more (the ephemeral is gone). */
void ctl_session_reset(struct controller *k);
/* /controller is absent: try to become controller. */
void ctl_maybe_elect(struct controller *k);
/* Reconnected within the session after a lost watched read (coord_resync): an active
 * controller watches /admin/preferred_replica_election again. */
void ctl_resync(struct controller *k);
/* The cache changed. */
void ctl_on_change(struct controller *k);
bool ctl_active(const struct controller *k);
/* An election is under way (its ZooKeeper calls are in flight). */
bool ctl_electing(const struct controller *k);
int32_t ctl_epoch(const struct controller *k);
int32_t ctl_epoch_version(const struct controller *k);
/* Ask for a preferred-leader election of one partition (partition < 0: every partition of the
 * topic; topic NULL: every partition). */
void ctl_request_preferred(struct controller *k, const char *topic, int32_t partition);

#endif

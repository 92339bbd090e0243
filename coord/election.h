/* election.h — the controller's decisions, as pure functions (no ZooKeeper, no I/O), so every
 * rule can be tested directly. */
#ifndef KB_COORD_ELECTION_H
#define KB_COORD_ELECTION_H

#include "md.h"

typedef bool (*broker_live_fn)(int32_t id, void *arg);

enum decision {
	DECIDE_NONE = 0,      /* no change */
	DECIDE_CREATE,        /* new partition: first state */
	DECIDE_ELECT,         /* leader gone: a new leader from the ISR */
	DECIDE_ELECT_UNCLEAN, /* leader gone, no ISR member alive: a live non-ISR replica */
	DECIDE_OFFLINE,       /* leader gone, nobody eligible: leader -1 */
	DECIDE_SHRINK,        /* dead followers leave the ISR */
	DECIDE_PREFERRED,     /* move leadership back to the first replica */
};

const char *decision_name(enum decision d);

/* What the partition's state should become (kafka-protocol.md §6-§7):
 *  - no state yet (and known absent): leader = first live replica, ISR = live replicas,
 *    leader_epoch 0; nothing while no replica is alive;
 *  - leader dead or -1: the first replica (assignment order) that is alive and in the ISR;
 *    with `unclean`, else the first live replica (ISR = just it); if none, leader -1 and the
 *    ISR keeps its live members, or its last members if none is alive (so a returning
 *    member can lead again without data loss);
 *  - leader alive, dead members in the ISR: they leave it;
 *  - `preferred`: the first replica becomes leader when it is alive, in the ISR and not
 *    already leader.
 * Every change bumps leader_epoch and stamps controller_epoch. `out` gets a fresh ISR array
 * (caller frees with md_state_free) when the result is not DECIDE_NONE. */
enum decision decide_partition(const struct md_partition *p, broker_live_fn live, void *arg,
                               bool unclean, bool preferred, int32_t controller_epoch,
                               struct md_state *out);

/* Kafka's replica placement (AdminUtils.assignReplicasToBrokers): the first replica of
 * partition p on broker (start + p) % n, followers shifted so leadership and replicas spread
 * evenly; with racks, brokers are interleaved by rack and each partition's replicas take
 * distinct racks while racks remain. `brokers` are sorted ids, `racks` parallel (NULL
 * entries: no rack). start/shift < 0 pick random values. Returns 0, or -1 with err when
 * rf > n or arguments are out of range. *out gets n_parts partitions (replicas set). */
KB_MUST_USE int assign_replicas(const int32_t *brokers, const char *const *racks, int n, int32_t n_parts,
                    int16_t rf, int start, int shift, int32_t first_partition,
                    struct md_partition **out, char *err, size_t errlen);

/* assign_replicas over the live brokers of a metadata cache (rack-aware when every broker
 * has a rack), shift random. */
struct md_cache;
KB_MUST_USE int md_place(const struct md_cache *md, int32_t n_parts, int16_t rf, int start,
                         int32_t first_partition, struct md_partition **out, char *err,
                         size_t errlen);
/* Frees what assign_replicas / md_place returned. */
void md_parts_free(struct md_partition *parts, int n);

/* The epoch after the one stored in /controller_epoch (`len` bytes, not NUL-terminated).
 * Returns 0 with *next, or -1 when the data is not a canonical epoch in [0, INT32_MAX - 1]
 * (garbage, negative, or the last epoch there is): the caller must not elect on it. */
KB_MUST_USE int election_next_epoch(const char *data, int len, int32_t *next);

#endif

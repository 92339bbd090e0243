/* replica_rules.h — the replication rules as pure functions: plain inputs, plain outputs, no
 * broker, log, socket or clock. server/replica/replica.c (leader side) and fetcher.c (follower
 * side) apply them to live partitions; tests/unit/test_replica.c checks them one by one.
 *
 * Leader side (Kafka 2.x's Partition):
 *   - the high watermark is the smallest log end offset among the ISR members (the leader's
 *     own included, plus a member being added while its ISR write is in flight), and never
 *     moves backwards; a member whose progress is unknown under this leadership holds it;
 *   - a follower joins the ISR once its log end reaches both the HW and the start offset of
 *     the leader's current epoch (KAFKA-7128: otherwise a new leader could count a follower
 *     that still holds a diverging tail of the old epoch as in sync);
 *   - a follower is "caught up" at a fetch that reaches the leader's log end, or that reaches
 *     what the leader's log end was at its previous fetch (then it was caught up as of that
 *     previous fetch); members not caught up for replica.lag.time.max.ms leave the ISR.
 * Follower side (KIP-101, KIP-279): where to truncate a log before fetching from a new leader.
 */
#ifndef KB_SERVER_REPLICA_RULES_H
#define KB_SERVER_REPLICA_RULES_H

#include <stdbool.h>
#include <stdint.h>

/* What a leader knows of one other replica, from that replica's fetches. */
struct follower {
	int32_t id;
	int64_t leo;               /* its log end: its last fetch offset; -1 until it fetches */
	int64_t last_caught_up_ms; /* last time it was known to have all we had (mono) */
	int64_t last_fetch_leo;    /* our log end when it fetched last; -1 before */
	int64_t last_fetch_ms;
	int64_t log_start;         /* its log start offset (Fetch v5+), -1 unknown */
};

/* The entry for replica `id` in f[0..n), or NULL. */
const struct follower *rr_find(const struct follower *f, int n, int32_t id);

/* Follower f fetched from `offset` at now_ms while the leader's log end was leader_leo:
 * records its log end and moves last_caught_up_ms by the caught-up rule above. */
void rr_follower_fetched(struct follower *f, int64_t offset, int64_t leader_leo, int64_t now_ms);

/* The leader's next high watermark: max(hw, min(leader_leo, LEO of every ISR member other than
 * `self`, and of `adding` when >= 0)); hw itself when any of those members is missing from
 * f[] or has not fetched yet (leo < 0). */
int64_t rr_high_watermark(int64_t hw, int64_t leader_leo, int32_t self, const int32_t *isr,
                          int nisr, int32_t adding, const struct follower *f, int nf);

/* Whether a follower at log end follower_leo may join the ISR of a leader whose HW is hw and
 * whose current epoch started at epoch_start (KAFKA-7128). */
bool rr_may_join_isr(int64_t follower_leo, int64_t hw, int64_t epoch_start);

/* The ISR after dropping members not caught up for more than lag_max_ms: writes the members
 * kept (in ISR order; the leader always, a member with no entry in f[] never) to keep[],
 * which has room for nisr entries, and returns their count. */
int rr_isr_keep(const int32_t *isr, int nisr, int32_t leader, const struct follower *f, int nf,
                int64_t now_ms, int64_t lag_max_ms, int32_t *keep);

/* The leader's OffsetForLeaderEpoch answer for the follower's latest epoch (no error). */
struct rr_epoch_answer {
	int32_t epoch;             /* the leader's largest epoch <= the one asked, -1 unknown */
	int64_t end_offset;        /* where that epoch ends on the leader, -1 unknown */
};

/* Where a follower whose log ends at leo, with high watermark hw and latest cached epoch
 * latest_epoch (-1: none), truncates before fetching from a new leader:
 *   - no cached epoch (nothing to ask; `answer` is ignored and may be NULL): its HW;
 *   - the leader does not know the epoch (end_offset < 0): its HW;
 *   - otherwise the leader's end offset, and when the leader answered an epoch older than
 *     latest_epoch also own_end: where the follower's own log leaves the answered epoch
 *     (plog_epoch_end_offset for answer->epoch; -1 unknown, then not used).
 * Never above leo: a log is only ever cut, not extended. */
int64_t rr_truncation_offset(int64_t leo, int64_t hw, int32_t latest_epoch,
                             const struct rr_epoch_answer *answer, int64_t own_end);

#endif

/* fetcher.h — the follower side of replication (Kafka's ReplicaFetcherThread, on the loop).
 *
 * For every leader this broker follows there are num.replica.fetchers fetchers (a partition
 * goes to one by hash), each with one connection to the leader's inter.broker.listener.name
 * endpoint and at most one request in flight. A partition that starts following (new leader
 * or epoch) first finds where its log and the leader's diverge: it asks OffsetForLeaderEpoch
 * for its latest epoch and truncates to the end offset of that epoch on the leader (Kafka's
 * KIP-101/279; with no epoch to ask about, to its high watermark; the rule is
 * replica_rules.h's rr_truncation_offset). Then it fetches from its log end with replica_id =
 * this broker, appends what comes as it is (the leader assigned the offsets and epochs), takes
 * the leader's high watermark (capped by its own log end) and log start. Errors pause just
 * that partition for replica.fetch.backoff.ms; a connection error or a request unanswered for
 * replica.socket.timeout.ms pauses the fetcher and reconnects.
 * @thread event loop only.
 */
#ifndef KB_SERVER_FETCHER_H
#define KB_SERVER_FETCHER_H

#include "partition.h"

/* Registers the fetchers as a role listener (partition.h; pm_open does): a FOLLOWER event
 * with a leader starts (or restarts, with a truncation first) copying from p->state.leader_id in
 * p->leader_epoch; LEADER, FOLLOWER without a leader, and STOP stop copying p. */
void fetchers_init(struct broker *b);
/* num.replica.fetchers changed (a dynamic broker config): every follower whose slot is now
 * another fetcher moves there (fetchers left empty close). Returns how many moved. */
int fetchers_resize(struct broker *b);
/* Shutdown: every fetcher closed and freed. */
void fetchers_stop(struct broker *b);

#endif

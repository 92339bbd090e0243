/* api_group.h — shared by the consumer-group handlers (api_group.c: coordinator lookup and
 * membership; api_group_offsets.c: offsets and group administration).
 *
 * A request the coordinator may answer later (JoinGroup, SyncGroup, an OffsetCommit waiting
 * for its append) travels as a struct gwait, the `handle` group/ holds:
 *   - the handler calls the coordinator with w->inline_call set: an answer given during that
 *     call is just recorded (the handler responds at once and frees w);
 *   - otherwise the handler parks r (kreq_park: its connection closing expires the wait) and
 *     returns H_ASYNC; the coordinator's later answer completes the wait, sends the response
 *     and frees w;
 *   - a wait that ends first (connection closed, shutdown) lets go of r but not of w: the
 *     coordinator still holds the handle and always answers it eventually (at the latest when
 *     it is unloaded), which frees w.
 */
#ifndef KB_SERVER_API_GROUP_H
#define KB_SERVER_API_GROUP_H

#include "../../group/group.h"
#include "../core/dispatch.h"

enum gwait_kind { GW_JOIN, GW_SYNC, GW_COMMIT };

struct gwait {
	enum gwait_kind kind;
	struct kreq *r;          /* NULL once the request is gone */
	struct pg_op *op;        /* while parked */
	bool inline_call, answered;
	/* GW_COMMIT: the partitions the coordinator is appending (errors[i] == KERR_NONE when
	 * group_commit returned) and where their response error codes go */
	int16_t *errors;
	int16_t **out;
	int n;
};

struct gwait *gwait_new(struct kreq *r, enum gwait_kind kind);
/* After the call into the coordinator: H_RESPOND (answered inline; w freed) or H_ASYNC. */
enum handler_result gwait_settle(struct gwait *w);
/* The coordinator's answer arrived for w (during the call or later): completes it. */
void gwait_answered(struct gwait *w);

/* The coordinator of group_id for a request, with its error when there is none:
 * INVALID_GROUP_ID for a null id or one longer than KB_GROUP_ID_MAX_BYTES; then
 * GROUP_AUTHORIZATION_FAILED unless the principal may do the API's operation on the group
 * (Kafka's KafkaApis, before the coordinator: READ for JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup, OffsetCommit, TxnOffsetCommit; DESCRIBE for OffsetFetch, DescribeGroups; DELETE
 * for DeleteGroups, OffsetDelete); then INVALID_GROUP_ID for an empty id where the API needs
 * one; then gsvc_coordinator's errors. */
int16_t group_coord_of(struct kreq *r, struct kp_str group_id, struct group_coord **c);

/* Copies into r's arena (group/ results are valid only during a callback). Copies of null
 * stay null; false when the arena is exhausted. */
bool kreq_copy_str(struct kreq *r, struct kp_str *s);
bool kreq_copy_bytes(struct kreq *r, struct kp_bytes *b);

/* The answers every coordinator calls (registered by broker.c through gsvc_start). */
extern const struct group_io api_group_answers;

#endif

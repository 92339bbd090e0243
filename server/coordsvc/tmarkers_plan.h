/* tmarkers_plan.h — the pure bookkeeping of the transaction marker channel (tmarkers.c holds
 * the sockets and timers): jobs and their partitions, routing to leaders, batching into
 * WriteTxnMarkers requests, the per-partition error classification, the retry schedule,
 * owner cancellation and the release of cancelled jobs once no request refers to them.
 *
 * A job is one transaction's markers (struct txn_markers, copied). Each of its partitions is
 *   WAIT  queued: sent when due (due_ms <= now) and routed to a leader;
 *   SENT  in one request in flight (the request holds a reference: job->nsent);
 *   DONE  acknowledged, dropped (topic gone, UNSUPPORTED_*), or abandoned (job ended).
 * A job's life: ACTIVE → FINISHED (every partition DONE, or a fatal error: queued until the
 * caller pops it and calls done) → DEAD (done called, or cancelled). A DEAD job is freed as
 * soon as no request refers to it (nsent == 0); until then answers about it only drop their
 * reference, so a cancelled job's late answers never touch freed memory and never count.
 *
 * Jobs are kept in send order, and requests take partitions in that order (oldest first).
 * No allocation here can fail (kb_malloc aborts); nothing here blocks or reads a clock.
 * @thread one thread (the event loop).
 */
#ifndef KB_SERVER_TMARKERS_PLAN_H
#define KB_SERVER_TMARKERS_PLAN_H

#include "../../common/arena.h"
#include "../../txn/txn.h"

/* The per-partition outcome of a WriteTxnMarkers answer (exactly-once-and-compaction.md §B5
 * and tmarkers.h). */
enum tmplan_class {
	TMC_DONE,       /* NONE: acknowledged */
	TMC_RETRY,      /* retriable (or no answer): leader looked up again after the backoff */
	TMC_DROP,       /* UNSUPPORTED_FOR_MESSAGE_FORMAT, UNSUPPORTED_VERSION: partition done */
	TMC_FAIL,       /* INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED: job ends */
	TMC_UNEXPECTED, /* anything else: logged by the caller, retried after the backoff */
};
enum tmplan_class tmplan_classify(int16_t err);

/* The error given to an entry its request's answer did not mention (classified TMC_RETRY). */
#define TMPLAN_UNANSWERED INT16_MIN

enum { TMP_WAIT, TMP_SENT, TMP_DONE };
enum { TMJ_ACTIVE, TMJ_FINISHED, TMJ_DEAD };

/* Same type as tmarkers_done_fn (tmarkers.h). */
typedef void (*tmplan_done_fn)(void *arg, struct kp_str txn_id, int64_t pid, int16_t epoch,
                               int16_t error);

struct tmplan_part {
	char *topic;               /* NUL-terminated copy */
	int32_t partition;
	uint8_t st;                /* TMP_* */
	int32_t leader;            /* where it was routed last (-1: not routed) */
	int64_t due_ms;            /* WAIT: not before this time */
	int32_t sends;             /* requests it was sent in so far */
};

struct tmplan_job {
	uint64_t id;
	const void *owner;
	char *txn_id;              /* copy (NUL-terminated for logs) */
	int32_t txn_id_len;
	int64_t pid;
	int16_t epoch;
	bool commit;
	int32_t coordinator_epoch;
	struct tmplan_part *parts; /* in txn_markers order (topic, then partition) */
	int nparts;
	int nleft;                 /* partitions not DONE */
	int nsent;                 /* partitions SENT: references held by requests in flight */
	int16_t error;             /* what done gets */
	uint8_t life;              /* TMJ_* */
	tmplan_done_fn done;
	void *arg;
	struct tmplan_job *prev, *next; /* in the list of its life */
};

struct tmplan_list {
	struct tmplan_job *head, *tail;
	size_t n;
};

struct tmplan {
	struct tmplan_list active;   /* in send order */
	struct tmplan_list finished; /* done not called yet, in finishing order */
	struct tmplan_list dead;     /* cancelled or done, still referenced by requests */
	uint64_t next_id;
	int64_t backoff_ms;          /* TMARKERS_RETRY_BACKOFF_MS in the broker */
};

/* One partition of one job in a request. */
struct tmplan_entry {
	struct tmplan_job *job;
	int part;
};

void tmplan_init(struct tmplan *p, int64_t backoff_ms);
/* Frees every job, whatever its state (requests referring to them must be gone). */
void tmplan_destroy(struct tmplan *p);

/* A new ACTIVE job, every partition WAIT and due at `now`. A job with no partition is
 * FINISHED at once (done with NONE when popped). */
struct tmplan_job *tmplan_add(struct tmplan *p, const struct txn_markers *m, const void *owner,
                              tmplan_done_fn done, void *arg, int64_t now);

/* Jobs whose done is still to come (ACTIVE and FINISHED). */
size_t tmplan_pending(const struct tmplan *p);

/* Where a partition is: its leader's broker id (>= 0), TMPLAN_NO_LEADER (the partition
 * exists with no leader now) or TMPLAN_GONE (no such topic or partition). */
#define TMPLAN_NO_LEADER (-1)
#define TMPLAN_GONE (-2)
typedef int32_t (*tmplan_leader_fn)(void *arg, const char *topic, int32_t partition);

/* Distinct broker ids (routing's output). */
struct tmplan_leaders {
	int32_t *ids;
	int n, cap;
};
void tmplan_leaders_free(struct tmplan_leaders *l);

/* Routes every due WAIT partition of the ACTIVE jobs: asks `fn` for its leader (each time:
 * leaders move); a gone partition is DONE (its job may finish); one with no leader waits
 * another backoff. The distinct leaders of the routed partitions are added to `out`. */
void tmplan_route(struct tmplan *p, int64_t now, tmplan_leader_fn fn, void *arg,
                  struct tmplan_leaders *out);

/* Takes up to `max` due WAIT partitions routed to `leader` (oldest job first, each job's in
 * order) into out[], marks them SENT (one reference each). Returns the count. */
int tmplan_take(struct tmplan *p, int32_t leader, int64_t now, int max,
                struct tmplan_entry *out);

/* The answer for one SENT entry (err: the partition's error code, a request-level failure
 * such as NETWORK_EXCEPTION or REQUEST_TIMED_OUT, or TMPLAN_UNANSWERED). Drops the reference;
 * for a job that is not DEAD, applies the classification: DONE/DROP → partition DONE (the job
 * FINISHES with NONE when none is left); RETRY/UNEXPECTED → WAIT, due at now + backoff;
 * FAIL → the job FINISHES with err (its other partitions are abandoned). A DEAD job whose
 * last reference this was is freed: e->job must not be used afterwards. Returns the class. */
enum tmplan_class tmplan_answer(struct tmplan *p, const struct tmplan_entry *e, int16_t err,
                                int64_t now);

/* The oldest FINISHED job, now DEAD (NULL when none). The caller calls its done, then
 * tmplan_release. */
struct tmplan_job *tmplan_pop_finished(struct tmplan *p);
/* After done: frees the job unless requests still refer to it (then the last answer does). */
void tmplan_release(struct tmplan *p, struct tmplan_job *j);

/* Every ACTIVE or FINISHED job of owner becomes DEAD without done. Returns how many. */
size_t tmplan_cancel(struct tmplan *p, const void *owner);
/* Every ACTIVE or FINISHED job becomes DEAD without done (shutdown). */
size_t tmplan_cancel_all(struct tmplan *p);

/* Whether a WAIT partition of an ACTIVE job was last routed to `leader` (it will be sent
 * there unless its leader changes): the connection to that broker is still needed. */
bool tmplan_waits_for(const struct tmplan *p, int32_t leader);

/* ---- Wire (net/kp_msgs_txn.h) ----------------------------------------------------------- */

struct WriteTxnMarkersRequest;
struct WriteTxnMarkersResponse;

/* The request for n entries as tmplan_take gave them: each run of entries of one job is one
 * marker (its pid, epoch, result, coordinator epoch), each run of one topic in it one topic.
 * Arrays go in `a`. KERR_NONE, or KERR_INVALID_REQUEST when `a` is full. */
int16_t tmplan_request(const struct tmplan_entry *e, int n, struct arena *a,
                       struct WriteTxnMarkersRequest *out);

/* errs[i] for entry i: the ErrorCode of the first result of resp for (its job's producer id,
 * topic, partition) not given to an earlier entry, or TMPLAN_UNANSWERED when none (results
 * nobody asked about are ignored). Linear when the answer follows the request's order. */
void tmplan_match(const struct tmplan_entry *e, int n, const struct WriteTxnMarkersResponse *resp,
                  int16_t *errs);

/* The earliest due time of a WAIT partition of an ACTIVE job (INT64_MAX: none). A value <= now
 * means partitions are ready but waiting for a connection. */
int64_t tmplan_next_due(const struct tmplan *p);

#endif

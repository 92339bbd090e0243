/* tmarkers.c — the transaction marker channel (see tmarkers.h): tmarkers_plan.c's jobs driven
 * by the event loop, with one outbound connection per destination broker (peers.h).
 *
 * Everything happens in one deferred "kick" (never inside tmarkers_send or a reply callback):
 * route the due partitions to their current leaders (metadata cache), send each leader one
 * WriteTxnMarkers request of up to KB_TMARKERS_MAX_PARTITIONS_PER_REQUEST partitions when its
 * connection is ready and idle (one request in flight per broker, as Kafka's channel manager:
 * markers queued meanwhile go together in the next one), call done for finished jobs, close
 * connections idle for TMARKERS_IDLE_MS, and arm the one timer for the next due retry. A
 * connection lost while no partition waits for its broker is closed rather than retried.
 * Replies only update the plan and kick.
 *
 * Jobs per broker: each transaction coordinator has at most one markers job per transactional
 * id (one pending transition at a time), so jobs are bounded by the ids of the coordinators
 * this broker hosts (KB_TXN_MAX_IDS each); a job's partitions by KB_TXN_MAX_PARTITIONS.
 */
#include "tmarkers.h"

#include "../../common/kerr.h"
#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../net/kp_msgs.h"
#include "peers.h"
#include "tmarkers_plan.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>

/* A connection nobody sent on for this long is closed (Kafka: connections.max.idle.ms). */
#define TMARKERS_IDLE_MS 60000
/* A request unanswered this long fails (the connection is closed, its partitions retried).
 * Longer than a leader's own wait for its markers' replication (30 s, Kafka's
 * request.timeout.ms, after which it answers REQUEST_TIMED_OUT), so a slow leader answers
 * before the connection is given up. */
#define TMARKERS_REQUEST_TIMEOUT_MS 40000
#define TMARKERS_CLIENT_ID "kbroker-txn-markers"

/* One request in flight: the partitions it carries. */
struct tm_req {
	struct tmarkers *tm;
	struct peer *d;
	int n;
	struct tmplan_entry e[];
};

struct tmarkers {
	struct broker *b;
	struct tmplan plan;
	struct peers *peers;
	struct event *kick_ev;     /* deferred work */
	struct event *timer;       /* the next due retry, or the next idle check */
	bool stopping;
};

static void kick(struct tmarkers *tm)
{
	if (!tm->stopping)
		event_active(tm->kick_ev, 0, 0);
}

/* ---- Destinations (peers.h) ------------------------------------------------------------- */

static void dest_ready(void *arg, struct peer *d)
{
	KB_UNUSED(d);
	kick(arg);
}

/* A connection nothing waits for is closed rather than retried in the background (its
 * broker may be gone for good); one partitions wait for reconnects after the backoff. */
static void dest_lost(void *arg, struct peer *d, int16_t error, const char *why)
{
	struct tmarkers *tm = arg;
	if (d->inflight == 0 && !tmplan_waits_for(&tm->plan, d->broker)) {
		peers_close(d); /* allowed inside the client's own callback (outclient.h) */
		return;
	}
	say_ratelimited(SAY_INFO, "txn", "markers to broker %d: %s (%s); retrying", d->broker, why,
	                kerr_name(error));
	kick(tm);
}

/* ---- Requests ---------------------------------------------------------------------------- */

static void log_answer(struct peer *d, const struct tmplan_entry *e, int16_t err,
                       enum tmplan_class c)
{
	const struct tmplan_job *j = e->job;
	const struct tmplan_part *pt = &j->parts[e->part];
	if (j->life != TMJ_ACTIVE)
		return;
	if (c == TMC_UNEXPECTED)
		say_ratelimited(SAY_WARN, "txn", "markers for %s (pid %lld) on %s-%d: broker %d "
		                "answered %s; retrying", j->txn_id, (long long)j->pid, pt->topic,
		                pt->partition, d->broker, kerr_name(err));
	else if (c == TMC_RETRY)
		say_ratelimited(SAY_INFO, "txn", "markers for %s on %s-%d: broker %d: %s; retrying",
		                j->txn_id, pt->topic, pt->partition, d->broker,
		                err == TMPLAN_UNANSWERED ? "not answered" : kerr_name(err));
	else if (c == TMC_DROP)
		say_ratelimited(SAY_INFO, "txn", "markers for %s on %s-%d: broker %d answered %s; "
		                "partition dropped", j->txn_id, pt->topic, pt->partition, d->broker,
		                kerr_name(err));
	else if (c == TMC_FAIL)
		say_ratelimited(SAY_WARN, "txn", "markers for %s (pid %lld epoch %d): broker %d "
		                "answered %s on %s-%d; not completing", j->txn_id, (long long)j->pid,
		                j->epoch, d->broker, kerr_name(err), pt->topic, pt->partition);
}

/* Answers every entry of r (errs[i], or `err` for all when errs is NULL), frees r. */
static void answer_all(struct tmarkers *tm, struct tm_req *r, const int16_t *errs, int16_t err)
{
	int64_t now = kb_mono_ms();
	for (int i = 0; i < r->n; i++) {
		int16_t e = errs ? errs[i] : err;
		if (!tm->stopping)
			log_answer(r->d, &r->e[i], e, tmplan_classify(e));
		tmplan_answer(&tm->plan, &r->e[i], e, now); /* may free r->e[i].job */
	}
	kb_free(r);
}

static void on_reply(struct outclient_reply *reply, void *arg)
{
	struct tm_req *r = arg;
	struct peer *d = r->d;
	struct tmarkers *tm = r->tm;
	d->inflight--;
	d->used_ms = kb_mono_ms();
	if (reply->error != KERR_NONE) {
		answer_all(tm, r, NULL, reply->error);
	} else {
		int16_t *errs = kb_malloc(sizeof(*errs) * (size_t)(r->n ? r->n : 1));
		tmplan_match(r->e, r->n, reply->body, errs);
		answer_all(tm, r, errs, KERR_NONE);
		kb_free(errs);
	}
	outclient_reply_free(reply);
	kick(tm);
}

/* Sends one request of the due partitions routed to d's broker, when d can send. */
static void send_to(struct tmarkers *tm, struct peer *d, struct tmplan_entry *scratch,
                    int64_t now)
{
	if (!outclient_can_send(d->oc))
		return;
	int16_t v = outclient_version(d->oc, KP_API_WRITE_TXN_MARKERS, 0, 1);
	if (v < 0) {
		say_ratelimited(SAY_WARN, "txn", "broker %d does not serve WriteTxnMarkers v0-1; "
		                "retrying", d->broker);
		return;
	}
	int n = tmplan_take(&tm->plan, d->broker, now, KB_TMARKERS_MAX_PARTITIONS_PER_REQUEST,
	                    scratch);
	if (n == 0)
		return;
	struct tm_req *r = kb_malloc(sizeof(*r) + sizeof(r->e[0]) * (size_t)n);
	r->tm = tm;
	r->d = d;
	r->n = n;
	memcpy(r->e, scratch, sizeof(r->e[0]) * (size_t)n);
	struct arena a;
	arena_init(&a, (size_t)KB_TMARKERS_REQUEST_MAX_BYTES * 4);
	struct WriteTxnMarkersRequest req;
	int16_t rc = tmplan_request(r->e, n, &a, &req);
	if (rc == KERR_NONE)
		rc = outclient_send(d->oc, KP_API_WRITE_TXN_MARKERS, v, &req, 0, on_reply, r);
	arena_destroy(&a);
	if (rc == KERR_NONE) {
		d->inflight++;
		return;
	}
	say_ratelimited(SAY_WARN, "txn", "cannot send WriteTxnMarkers v%d to broker %d: %s", v,
	                d->broker, kerr_name(rc));
	answer_all(tm, r, NULL, rc); /* retried after the backoff */
}

/* ---- The kick -------------------------------------------------------------------------- */

static int32_t leader_of(void *arg, const char *topic, int32_t partition)
{
	struct broker *b = arg;
	if (!b->coord)
		return TMPLAN_NO_LEADER;
	const struct md_topic *t = md_find_topic(coord_metadata(b->coord), topic);
	const struct md_partition *mp = t ? md_topic_partition(t, partition) : NULL;
	if (!mp) /* gone, once the view of the cluster is complete (not a topic not read yet) */
		return coord_loaded(b->coord) ? TMPLAN_GONE : TMPLAN_NO_LEADER;
	return mp->has_state && mp->state.leader >= 0 ? mp->state.leader : TMPLAN_NO_LEADER;
}

static void call_done(struct tmarkers *tm)
{
	struct tmplan_job *j;
	while (!tm->stopping && (j = tmplan_pop_finished(&tm->plan))) {
		struct kp_str id = {j->txn_id, j->txn_id_len};
		if (j->done)
			j->done(j->arg, id, j->pid, j->epoch, j->error);
		tmplan_release(&tm->plan, j);
	}
}

static void arm(struct tmarkers *tm, int64_t now, int64_t idle_at)
{
	int64_t at = tmplan_next_due(&tm->plan);
	if (at <= now) /* ready but waiting for a connection: look at the leaders again then */
		at = now + TMARKERS_RETRY_BACKOFF_MS;
	at = KB_MIN(at, idle_at);
	if (at == INT64_MAX) {
		evtimer_del(tm->timer);
		return;
	}
	int64_t ms = KB_MAX(at - now, 0);
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	evtimer_add(tm->timer, &tv);
}

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct tmarkers *tm = arg;
	int64_t now = kb_mono_ms();
	struct tmplan_leaders ls = {0};
	tmplan_route(&tm->plan, now, leader_of, tm->b, &ls);
	struct tmplan_entry *scratch =
	        kb_malloc(sizeof(*scratch) * KB_TMARKERS_MAX_PARTITIONS_PER_REQUEST);
	for (int i = 0; i < ls.n; i++) {
		/* A destination that cannot send now kicks when it can (ready, answered, lost);
		 * meanwhile arm() looks at the leaders again every backoff. */
		send_to(tm, peers_get(tm->peers, ls.ids[i], now), scratch, now);
	}
	kb_free(scratch);
	tmplan_leaders_free(&ls);
	call_done(tm); /* done may send or cancel: both only queue work for the next kick */
	arm(tm, now, peers_close_idle(tm->peers, now));
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	kick_cb(-1, 0, arg);
}

/* ---- The contract ------------------------------------------------------------------------ */

static struct tmarkers *tm_get(struct broker *b)
{
	if (!b->tmarkers) {
		struct tmarkers *tm = kb_calloc(1, sizeof(*tm));
		tm->b = b;
		tmplan_init(&tm->plan, TMARKERS_RETRY_BACKOFF_MS);
		tm->kick_ev = event_new(b->base, -1, 0, kick_cb, tm);
		tm->timer = evtimer_new(b->base, timer_cb, tm);
		struct peers_owner o = {
		        .arg = tm, .ready = dest_ready, .lost = dest_lost,
		        .client_id = TMARKERS_CLIENT_ID,
		        .max_response_bytes = KB_TMARKERS_RESPONSE_MAX_BYTES,
		        .max_request_bytes = KB_TMARKERS_REQUEST_MAX_BYTES,
		        .request_timeout_ms = TMARKERS_REQUEST_TIMEOUT_MS, .max_in_flight = 1,
		        .idle_ms = TMARKERS_IDLE_MS};
		tm->peers = peers_new(b, &o);
		b->tmarkers = tm;
	}
	return b->tmarkers;
}

void tmarkers_send(struct broker *b, const struct txn_markers *m, tmarkers_done_fn done,
                   void *arg, const void *owner)
{
	struct tmarkers *tm = tm_get(b);
	tmplan_add(&tm->plan, m, owner, done, arg, kb_mono_ms());
	kick(tm);
}

void tmarkers_cancel(struct broker *b, const void *owner)
{
	if (b->tmarkers)
		tmplan_cancel(&b->tmarkers->plan, owner);
}

size_t tmarkers_pending(struct broker *b)
{
	return b->tmarkers ? tmplan_pending(&b->tmarkers->plan) : 0;
}

void tmarkers_stop(struct broker *b)
{
	struct tmarkers *tm = b->tmarkers;
	if (!tm)
		return;
	tm->stopping = true;
	tmplan_cancel_all(&tm->plan);
	peers_free(tm->peers); /* in-flight callbacks run now and drop their references */
	tmplan_destroy(&tm->plan);
	event_free(tm->kick_ev);
	event_free(tm->timer);
	kb_free(tm);
	b->tmarkers = NULL;
}

/* fetcher.c — the follower side of replication (see fetcher.h). */
#include "fetcher.h"

#include "../../common/arena.h"
#include "../../common/kbuf.h"
#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../net/kp_msgs.h"
#include "../../net/outclient.h"
#include "../core/broker.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The API versions a follower speaks: the highest in these ranges both sides support (the
 * fields it relies on: Fetch CurrentLeaderEpoch 9+, OffsetForLeaderEpoch ReplicaId 3+). */
#define FETCH_VMIN 9
#define FETCH_VMAX 11
#define EPOCH_VMIN 3
#define EPOCH_VMAX 3
#define FETCHER_CLIENT_ID "kbroker-replica-fetcher"

struct fetcher {
	struct broker *b;
	int32_t leader;
	int index;                  /* which of num.replica.fetchers */
	struct partition **parts;   /* the partitions it copies */
	int n, cap;
	struct outclient *oc;       /* the connection to the leader (reconnects by itself) */
	bool inflight;
	int failures;               /* in a row; logged at the first, on a new reason, or 10 s on */
	int64_t failure_logged_ms;
	char last_reason[64];
	struct event *kick;         /* deferred: build the next request */
	struct event *timer;        /* the end of the soonest partition backoff */
	struct fetcher *next;
};

static uint32_t next_gen = 1;

static void kick(struct fetcher *f)
{
	event_active(f->kick, 0, 0);
}

static void fetcher_free(struct fetcher *f)
{
	struct fetcher **pp = &f->b->fetchers;
	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	outclient_free(f->oc); /* a request in flight gets its callback now, f still valid */
	event_free(f->kick);
	event_free(f->timer);
	kb_free(f->parts);
	kb_free(f);
}

/* ---- The connection ------------------------------------------------------------------------ */

static const struct md_endpoint *leader_endpoint(struct fetcher *f)
{
	const struct md_cache *md = coord_metadata(f->b->coord);
	const char *name = f->b->cfg.inter_broker_listener_name;
	if (!name || !*name)
		name = f->b->listeners[0].name;
	for (int i = 0; i < md->nbrokers; i++)
		if (md->brokers[i].id == f->leader)
			return md_broker_endpoint(&md->brokers[i], name);
	return NULL;
}

/* Asked before every connection attempt: the leader's registration may have changed. */
static bool leader_address(void *arg, char *host, size_t hostlen, int *port)
{
	const struct md_endpoint *ep = leader_endpoint(arg);
	if (!ep)
		return false;
	snprintf(host, hostlen, "%s", ep->host);
	*port = ep->port;
	return true;
}

static void on_ready(struct outclient *oc, void *arg)
{
	KB_UNUSED(oc);
	kick(arg);
}

static void on_lost(struct outclient *oc, int16_t error, const char *why, void *arg)
{
	KB_UNUSED(oc);
	KB_UNUSED(error);
	struct fetcher *f = arg;
	int64_t now = kb_mono_ms();
	if (f->failures++ == 0 || strcmp(why, f->last_reason) != 0 ||
	    now - f->failure_logged_ms >= 10000) {
		say_warn("replica", "fetching from broker %d: %s; retrying every %d ms (%d failures)",
		         f->leader, why, f->b->cfg.replica_fetch_backoff_ms, f->failures);
		f->failure_logged_ms = now;
		snprintf(f->last_reason, sizeof(f->last_reason), "%s", why);
	}
	f->inflight = false;
}

static const struct outclient_ops fetcher_ops = {on_ready, on_lost, leader_address};

static void connect_leader(struct fetcher *f)
{
	const struct kb_config *cfg = &f->b->cfg;
	struct outclient_config oc = {
	        .client_id = FETCHER_CLIENT_ID, .software_name = FETCHER_CLIENT_ID,
	        .software_version = "0.1.0",
	        .max_response_bytes = (size_t)cfg->replica_fetch_response_max_bytes +
	                              KB_REPLICA_RESPONSE_SLACK_BYTES,
	        .max_request_bytes = KB_REPLICA_REQUEST_MAX_BYTES,
	        .request_timeout_ms = cfg->replica_socket_timeout_ms,
	        .connect_timeout_ms = cfg->replica_socket_timeout_ms,
	        /* Kafka's replica fetcher retries at a steady replica.fetch.backoff.ms. */
	        .reconnect_backoff_ms = KB_MAX(cfg->replica_fetch_backoff_ms, 1),
	        .reconnect_backoff_max_ms = KB_MAX(cfg->replica_fetch_backoff_ms, 1),
	        .max_in_flight = 1};
	f->oc = outclient_new(f->b->base, &oc, &fetcher_ops, f);
}

static void on_reply(struct outclient_reply *reply, void *arg);

static void send_request(struct fetcher *f, int16_t key, int16_t vmin, int16_t vmax,
                         const void *req)
{
	int16_t v = outclient_version(f->oc, key, vmin, vmax);
	int16_t rc = v < 0 ? KERR_UNSUPPORTED_VERSION
	                   : outclient_send(f->oc, key, v, req, 0, on_reply, f);
	if (rc == KERR_NONE) {
		f->inflight = true;
		return;
	}
	say_error("replica", "cannot send %s v%d-%d to broker %d: %s", kp_api_find(key)->name, vmin,
	          vmax, f->leader, kerr_name(rc));
	outclient_drop(f->oc, "cannot send a replica request");
}

static int cmp_part(const void *a, const void *b)
{
	const struct partition *x = *(struct partition *const *)a, *y = *(struct partition *const *)b;
	int c = strcmp(x->topic, y->topic);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Groups the partitions in state `st` by topic into `topics` (FetchTopic or
 * OffsetForLeaderTopic, told apart by `fetch`). Returns the topic count. */
static int group(struct fetcher *f, struct arena *a, int st, bool fetch, struct kp_array *out)
{
	int64_t now = kb_mono_ms();
	struct partition **sel = arena_alloc(a, sizeof(*sel) * (size_t)(f->n + 1));
	int n = 0;
	for (int i = 0; sel && i < f->n; i++)
		if (f->parts[i]->fol.state == st && f->parts[i]->fol.backoff_until <= now)
			sel[n++] = f->parts[i];
	if (n == 0)
		return 0;
	qsort(sel, (size_t)n, sizeof(*sel), cmp_part);
	size_t tsz = fetch ? sizeof(struct FetchTopic) : sizeof(struct OffsetForLeaderTopic);
	size_t psz = fetch ? sizeof(struct FetchPartition) : sizeof(struct OffsetForLeaderPartition);
	uint8_t *topics = arena_alloc(a, tsz * (size_t)n);
	int nt = 0;
	for (int i = 0; topics && i < n;) {
		int j = i;
		while (j < n && strcmp(sel[j]->topic, sel[i]->topic) == 0)
			j++;
		uint8_t *parts = arena_alloc(a, psz * (size_t)(j - i));
		if (!parts)
			return 0;
		for (int k = i; k < j; k++) {
			struct partition *p = sel[k];
			p->fol.sent_gen = p->fol.gen;
			if (fetch)
				((struct FetchPartition *)parts)[k - i] = (struct FetchPartition){
				        .Partition = p->id, .CurrentLeaderEpoch = p->leader_epoch,
				        .FetchOffset = plog_end_offset(p->log), .LastFetchedEpoch = -1,
				        .LogStartOffset = plog_start_offset(p->log),
				        .PartitionMaxBytes = f->b->cfg.replica_fetch_max_bytes};
			else
				((struct OffsetForLeaderPartition *)parts)[k - i] =
				        (struct OffsetForLeaderPartition){p->id, p->leader_epoch,
				                                          plog_latest_epoch(p->log)};
		}
		struct kp_array pa = {parts, j - i};
		if (fetch)
			((struct FetchTopic *)topics)[nt] = (struct FetchTopic){
			        .Topic = kp_str_c(sel[i]->topic), .Partitions = pa};
		else
			((struct OffsetForLeaderTopic *)topics)[nt] =
			        (struct OffsetForLeaderTopic){kp_str_c(sel[i]->topic), pa};
		nt++;
		i = j;
	}
	*out = (struct kp_array){topics, nt};
	return nt;
}

/* Truncates p's log to `to`; on failure (a storage error: the log is unchanged or cut
 * shorter) the partition backs off and must not fetch as if it had truncated. */
static bool truncate_failed(struct fetcher *f, struct partition *p, int64_t to)
{
	int rc = plog_truncate_to(p->log, to);
	if (rc == KERR_NONE)
		return false;
	say_ratelimited(SAY_WARN, "replica", "%s-%d: truncating to %lld failed (%s); retrying",
	                p->topic, p->id, (long long)to, kerr_name(rc));
	p->fol.backoff_until = kb_mono_ms() + f->b->cfg.replica_fetch_backoff_ms;
	return true;
}

/* A follower with no epoch to ask about falls back to its high watermark (Kafka's rule
 * before KIP-101), which never exceeds what the leader has committed. */
static void truncate_without_epoch(struct fetcher *f)
{
	for (int i = 0; i < f->n; i++) {
		struct partition *p = f->parts[i];
		int32_t latest = plog_latest_epoch(p->log);
		if (p->fol.state != FS_TRUNCATE || latest >= 0)
			continue;
		int64_t leo = plog_end_offset(p->log);
		int64_t to = rr_truncation_offset(leo, p->hw, latest, NULL, -1);
		if (to < leo && truncate_failed(f, p, to))
			continue; /* stays in FS_TRUNCATE: retried after the backoff */
		p->fol.state = FS_FETCH;
	}
}

static void next_request(struct fetcher *f)
{
	struct arena a;
	arena_init(&a, 64u << 20);
	truncate_without_epoch(f);
	struct OffsetForLeaderEpochRequest er = {.ReplicaId = f->b->cfg.broker_id};
	struct FetchRequest fr = {
	        .ReplicaId = f->b->cfg.broker_id, .MaxWaitMs = f->b->cfg.replica_fetch_wait_max_ms,
	        .MinBytes = f->b->cfg.replica_fetch_min_bytes,
	        .MaxBytes = f->b->cfg.replica_fetch_response_max_bytes, .IsolationLevel = 0,
	        .SessionId = 0, .SessionEpoch = -1, .RackId = KP_STR_LIT("")};
	if (group(f, &a, FS_TRUNCATE, false, &er.Topics))
		send_request(f, KP_API_OFFSET_FOR_LEADER_EPOCH, EPOCH_VMIN, EPOCH_VMAX, &er);
	else if (group(f, &a, FS_FETCH, true, &fr.Topics))
		send_request(f, KP_API_FETCH, FETCH_VMIN, FETCH_VMAX, &fr);
	arena_destroy(&a);
}

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct fetcher *f = arg;
	if (f->n == 0) {
		fetcher_free(f);
		return;
	}
	if (!f->oc)
		connect_leader(f); /* on_ready kicks again */
	if (f->inflight || !outclient_ready(f->oc))
		return;
	next_request(f);
	if (!f->inflight) { /* everything paused: look again when that ends */
		int64_t soonest = 0, now = kb_mono_ms();
		for (int i = 0; i < f->n; i++)
			if (f->parts[i]->fol.backoff_until > now &&
			    (!soonest || f->parts[i]->fol.backoff_until < soonest))
				soonest = f->parts[i]->fol.backoff_until;
		if (soonest) {
			int64_t ms = soonest - now;
			struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
			evtimer_add(f->timer, &tv);
		}
	}
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	kick(arg);
}

/* ---- Answers ---------------------------------------------------------------------------- */

/* The partition an answer entry is about, if it is still ours and unchanged since sent. */
static struct partition *answered(struct fetcher *f, struct kp_str topic, int32_t id)
{
	struct partition *p = pm_find(f->b, topic, id);
	return p && p->fol.fetcher == f && p->fol.sent_gen == p->fol.gen ? p : NULL;
}

static void pause_partition(struct partition *p, struct fetcher *f, int16_t err)
{
	say_ratelimited(SAY_INFO, "replica", "%s-%d: leader %d answered error %d; retrying",
	                p->topic, p->id, f->leader, err);
	p->fol.backoff_until = kb_mono_ms() + f->b->cfg.replica_fetch_backoff_ms;
}

static void on_epochs(struct fetcher *f, const struct OffsetForLeaderEpochResponse *resp)
{
	const struct OffsetForLeaderTopicResult *t = resp->Topics.elems;
	for (int i = 0; i < resp->Topics.count; i++) {
		const struct OffsetForLeaderEpochResponseEpochEndOffset *e = t[i].Partitions.elems;
		for (int k = 0; k < t[i].Partitions.count; k++) {
			struct partition *p = answered(f, t[i].Topic, e[k].Partition);
			if (!p || p->fol.state != FS_TRUNCATE)
				continue;
			if (e[k].ErrorCode) {
				pause_partition(p, f, e[k].ErrorCode);
				continue;
			}
			int64_t leo = plog_end_offset(p->log), own_end = -1;
			int32_t own_epoch;
			plog_epoch_end_offset(p->log, e[k].LeaderEpoch, &own_epoch, &own_end);
			struct rr_epoch_answer ans = {e[k].LeaderEpoch, e[k].EndOffset};
			int64_t to = rr_truncation_offset(leo, p->hw, plog_latest_epoch(p->log), &ans,
			                                  own_end);
			if (to < leo) {
				say_info("replica", "%s-%d: truncating from %lld to %lld (leader %d epoch %d)",
				         p->topic, p->id, (long long)leo, (long long)to, f->leader,
				         p->leader_epoch);
				if (truncate_failed(f, p, to))
					continue; /* stays in FS_TRUNCATE: asks the leader again */
			}
			p->hw = KB_MIN(p->hw, plog_end_offset(p->log));
			p->fol.state = FS_FETCH;
		}
	}
}

/* The leader moved its log start past our whole log: start over where it starts. */
static void restart_at(struct fetcher *f, struct partition *p, int64_t start)
{
	say_info("replica", "%s-%d: log end %lld is below the leader's log start %lld: "
	         "restarting the log there", p->topic, p->id,
	         (long long)plog_end_offset(p->log), (long long)start);
	int rc = plog_truncate_fully(p->log, start);
	if (rc != KERR_NONE) { /* log unchanged: the next fetch is out of range again */
		say_ratelimited(SAY_WARN, "replica", "%s-%d: restarting the log at %lld failed (%s); "
		                "retrying", p->topic, p->id, (long long)start, kerr_name(rc));
		p->fol.backoff_until = kb_mono_ms() + f->b->cfg.replica_fetch_backoff_ms;
		return;
	}
	p->hw = start;
}

static void on_fetch_partition(struct fetcher *f, struct partition *p,
                               const struct FetchResponsePartitionData *d)
{
	if (d->ErrorCode == KERR_OFFSET_OUT_OF_RANGE) {
		if (d->LogStartOffset > plog_end_offset(p->log))
			restart_at(f, p, d->LogStartOffset);
		else
			p->fol.state = FS_TRUNCATE; /* ahead of the leader: find the divergence again */
		return;
	}
	if (d->ErrorCode) {
		pause_partition(p, f, d->ErrorCode);
		return;
	}
	if (d->Records.ptr && d->Records.len > 0) {
		size_t used = 0;
		int rc = partition_append_replica(p, d->Records.ptr, (size_t)d->Records.len, &used);
		if (rc == KERR_OFFSET_OUT_OF_RANGE) {
			p->fol.state = FS_TRUNCATE;
			return;
		}
		if (rc != KERR_NONE) {
			say_ratelimited(SAY_WARN, "replica", "%s-%d: appending the leader's data failed "
			                "(error %d)", p->topic, p->id, rc);
			p->fol.backoff_until = kb_mono_ms() + f->b->cfg.replica_fetch_backoff_ms;
			return;
		}
	}
	if (d->LogStartOffset > plog_start_offset(p->log) &&
	    d->LogStartOffset <= plog_end_offset(p->log)) {
		/* Checked in range above; a failure leaves the old start (more data kept, never
		 * less), and the next response carries the leader's start again. */
		int rc = plog_advance_start(p->log, d->LogStartOffset);
		if (rc != KERR_NONE)
			say_ratelimited(SAY_WARN, "replica", "%s-%d: moving the log start to %lld failed "
			                "(%s)", p->topic, p->id, (long long)d->LogStartOffset,
			                kerr_name(rc));
	}
	if (d->HighWatermark >= 0)
		p->hw = KB_MIN(d->HighWatermark, plog_end_offset(p->log));
	/* The replicated batches fed the producer state as on the leader (log/pstate_log.c):
	 * open transactions, markers, .txnindex. Completed transactions below the new HW are
	 * forgotten here, so a new leader starts with the leader's LSO state. */
	plog_lso(p->log, p->hw);
}

static void on_fetch(struct fetcher *f, const struct FetchResponse *resp)
{
	if (resp->ErrorCode) {
		outclient_drop(f->oc, "the leader refused the fetch");
		return;
	}
	const struct FetchableTopicResponse *t = resp->Responses.elems;
	for (int i = 0; i < resp->Responses.count; i++) {
		const struct FetchResponsePartitionData *d = t[i].Partitions.elems;
		for (int k = 0; k < t[i].Partitions.count; k++) {
			struct partition *p = answered(f, t[i].Topic, d[k].PartitionIndex);
			if (!p || p->fol.state != FS_FETCH)
				continue;
			int64_t hw = p->hw;
			on_fetch_partition(f, p, &d[k]);
			if (p->hw != hw) /* consumers long-polling this follower (KIP-392) */
				partition_wake(p);
		}
	}
}

/* The answer to the one request in flight (or its failure, which on_lost reports). */
static void on_reply(struct outclient_reply *reply, void *arg)
{
	struct fetcher *f = arg;
	f->inflight = false;
	if (reply->error == KERR_NONE) {
		if (f->failures)
			say_info("replica", "fetching from broker %d again", f->leader);
		f->failures = 0;
		if (reply->api_key == KP_API_FETCH)
			on_fetch(f, reply->body);
		else
			on_epochs(f, reply->body);
		kick(f);
	}
	outclient_reply_free(reply);
}

/* ---- Membership ------------------------------------------------------------------------- */

static struct fetcher *fetcher_for(struct broker *b, int32_t leader, int index)
{
	for (struct fetcher *f = b->fetchers; f; f = f->next)
		if (f->leader == leader && f->index == index)
			return f;
	struct fetcher *f = kb_calloc(1, sizeof(*f));
	f->b = b;
	f->leader = leader;
	f->index = index;
	f->kick = event_new(b->base, -1, 0, kick_cb, f);
	f->timer = evtimer_new(b->base, timer_cb, f);
	f->next = b->fetchers;
	b->fetchers = f;
	return f;
}

static uint32_t hash_partition(const struct partition *p)
{
	uint32_t h = 2166136261u; /* FNV-1a over the name, then the id */
	for (const char *s = p->topic; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return (h ^ (uint32_t)p->id) * 16777619u;
}

static void fetcher_unfollow(struct partition *p)
{
	struct fetcher *f = p->fol.fetcher;
	p->fol.gen = next_gen++;
	p->fol.state = FS_NONE;
	if (!f)
		return;
	for (int i = 0; i < f->n; i++)
		if (f->parts[i] == p) {
			f->parts[i] = f->parts[--f->n];
			break;
		}
	p->fol.fetcher = NULL;
	if (f->n == 0)
		kick(f); /* frees it on the loop, outside any callback of its own */
}

/* The fetcher slot of p among num.replica.fetchers (as it is now). */
static int fetcher_index(const struct partition *p)
{
	int nf = KB_MAX(partition_broker(p)->cfg.num_replica_fetchers, 1);
	return (int)(hash_partition(p) % (uint32_t)nf);
}

static void fetcher_follow(struct partition *p)
{
	struct broker *b = partition_broker(p);
	struct fetcher *f = fetcher_for(b, p->state.leader_id, fetcher_index(p));
	if (p->fol.fetcher != f) {
		fetcher_unfollow(p);
		KB_GROW(f->parts, f->cap, f->n + 1, 16);
		f->parts[f->n++] = p;
		p->fol.fetcher = f;
	}
	p->fol.gen = next_gen++;
	p->fol.state = FS_TRUNCATE;
	p->fol.backoff_until = 0;
	kick(f);
}

static void on_role(struct partition *p, const struct pm_role_change *c, void *arg)
{
	KB_UNUSED(arg);
	if (c->event == PM_ROLE_FOLLOWER && c->leader_id >= 0)
		fetcher_follow(p);
	else
		fetcher_unfollow(p);
}

/* A follower whose slot moved restarts on its new fetcher (truncation check first, as after
 * any restart: safe, and its old fetcher's late answers are ignored by the generation). */
static void on_resize(struct partition *p, const struct pm_role_change *c, void *arg)
{
	KB_UNUSED(c);
	int *moved = arg;
	if (p->fol.fetcher && p->fol.fetcher->index != fetcher_index(p)) {
		fetcher_follow(p);
		(*moved)++;
	}
}

int fetchers_resize(struct broker *b)
{
	int moved = 0;
	pm_foreach_role(b, on_resize, &moved);
	return moved;
}

void fetchers_init(struct broker *b)
{
	pm_add_role_listener(b, on_role, NULL);
}

void fetchers_stop(struct broker *b)
{
	while (b->fetchers) {
		struct fetcher *f = b->fetchers;
		for (int i = 0; i < f->n; i++) {
			f->parts[i]->fol.fetcher = NULL;
			f->parts[i]->fol.state = FS_NONE;
		}
		f->n = 0;
		fetcher_free(f);
	}
}

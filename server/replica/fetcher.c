/* fetcher.c — the follower side of replication (see fetcher.h). */
#include "fetcher.h"

#include "../../common/arena.h"
#include "../../common/kbuf.h"
#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../net/kp_msgs.h"
#include "../core/broker.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The API versions a follower speaks (both served by every kbroker). */
#define FETCH_VERSION 11
#define EPOCH_VERSION 3
#define FETCHER_CLIENT_ID "kbroker-replica-fetcher"

struct fetcher {
	struct broker *b;
	int32_t leader;
	int index;                  /* which of num.replica.fetchers */
	struct partition **parts;   /* the partitions it copies */
	int n, cap;
	struct bufferevent *bev;
	bool connected;
	bool inflight;
	int16_t inflight_key;
	int32_t corr;
	int64_t backoff_until;      /* mono ms: no request before */
	int failures;               /* in a row; logged at the first, on a new reason, or 10 s on */
	int64_t failure_logged_ms;
	const char *last_reason;
	struct event *kick;         /* deferred: build the next request */
	struct event *timer;        /* backoff expiry */
	struct fetcher *next;
};

static uint32_t next_gen = 1;

static void kick(struct fetcher *f)
{
	event_active(f->kick, 0, 0);
}

static void disconnect(struct fetcher *f)
{
	if (f->bev)
		bufferevent_free(f->bev);
	f->bev = NULL;
	f->connected = false;
	f->inflight = false;
}

static void fetcher_free(struct fetcher *f)
{
	struct fetcher **pp = &f->b->fetchers;
	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	disconnect(f);
	event_free(f->kick);
	event_free(f->timer);
	kb_free(f->parts);
	kb_free(f);
}

static void backoff(struct fetcher *f, const char *why)
{
	int ms = f->b->cfg.replica_fetch_backoff_ms;
	int64_t now = kb_mono_ms();
	if (f->failures++ == 0 || why != f->last_reason || now - f->failure_logged_ms >= 10000) {
		say_warn("replica", "fetching from broker %d: %s; retrying every %d ms (%d failures)",
		         f->leader, why, ms, f->failures);
		f->failure_logged_ms = now;
		f->last_reason = why;
	}
	disconnect(f);
	f->backoff_until = now + ms;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(f->timer, &tv);
}

/* ---- Sending ---------------------------------------------------------------------------- */

static bool send_request(struct fetcher *f, int16_t key, int16_t version, const void *req)
{
	const struct kp_api *api = kp_api_find(key);
	bool flex = kp_api_flexible(api, version);
	struct kp_request_header h = {key, version, ++f->corr, KP_STR_LIT(FETCHER_CLIENT_ID)};
	struct kbuf b;
	kbuf_init(&b, KB_REPLICA_REQUEST_MAX_BYTES);
	kp_put_i32(&b, 0);
	kp_request_header_write(&b, &h, flex);
	int rc = kp_encode(api->request, version, flex, req, &b);
	if (rc != KP_OK || b.err) {
		say_error("replica", "cannot encode %s v%d: %s", api->name, version, kp_err_str(rc));
		kbuf_free(&b);
		return false;
	}
	kp_patch_i32(&b, 0, (int32_t)(b.len - 4));
	bufferevent_write(f->bev, b.data, b.len);
	kbuf_free(&b);
	int ms = f->b->cfg.replica_socket_timeout_ms;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	bufferevent_set_timeouts(f->bev, &tv, NULL);
	f->inflight = true;
	f->inflight_key = key;
	return true;
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
		if (to < leo)
			plog_truncate_to(p->log, to);
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
		send_request(f, KP_API_OFFSET_FOR_LEADER_EPOCH, EPOCH_VERSION, &er);
	else if (group(f, &a, FS_FETCH, true, &fr.Topics))
		send_request(f, KP_API_FETCH, FETCH_VERSION, &fr);
	arena_destroy(&a);
}

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

static void read_cb(struct bufferevent *bev, void *arg);
static void event_cb(struct bufferevent *bev, short what, void *arg);

static void connect_leader(struct fetcher *f)
{
	const struct md_endpoint *ep = leader_endpoint(f);
	if (!ep) {
		backoff(f, "no registered endpoint for the inter-broker listener");
		return;
	}
	f->bev = bufferevent_socket_new(f->b->base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(f->bev, read_cb, NULL, event_cb, f);
	bufferevent_enable(f->bev, EV_READ | EV_WRITE);
	int ms = f->b->cfg.replica_socket_timeout_ms;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	bufferevent_set_timeouts(f->bev, &tv, &tv);
	/* Hosts are usually addresses; a name is resolved by the system resolver. */
	if (bufferevent_socket_connect_hostname(f->bev, NULL, AF_UNSPEC, ep->host, ep->port) < 0)
		backoff(f, "cannot connect");
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
	int64_t wait = f->backoff_until - kb_mono_ms();
	if (wait > 0) { /* a timer may fire a little early: wait out the rest */
		struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)((wait % 1000) * 1000)};
		evtimer_add(f->timer, &tv);
		return;
	}
	if (f->inflight)
		return;
	if (!f->bev)
		connect_leader(f);
	else if (f->connected)
		next_request(f);
	if (f->connected && !f->inflight) { /* everything paused: look again when that ends */
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

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	KB_UNUSED(bev);
	struct fetcher *f = arg;
	if (what & BEV_EVENT_CONNECTED) {
		f->connected = true;
		bufferevent_set_timeouts(f->bev, NULL, NULL); /* only requests are timed */
		kick(f);
		return;
	}
	backoff(f, what & BEV_EVENT_TIMEOUT ? "request timed out"
	           : what & BEV_EVENT_EOF   ? "connection closed by the leader"
	                                    : "connection failed");
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
				plog_truncate_to(p->log, to);
			}
			p->hw = KB_MIN(p->hw, plog_end_offset(p->log));
			p->fol.state = FS_FETCH;
		}
	}
}

/* The leader moved its log start past our whole log: start over where it starts. */
static void restart_at(struct partition *p, int64_t start)
{
	say_info("replica", "%s-%d: log end %lld is below the leader's log start %lld: "
	         "restarting the log there", p->topic, p->id,
	         (long long)plog_end_offset(p->log), (long long)start);
	plog_truncate_fully(p->log, start);
	p->hw = start;
}

static void on_fetch_partition(struct fetcher *f, struct partition *p,
                               const struct FetchResponsePartitionData *d)
{
	if (d->ErrorCode == KERR_OFFSET_OUT_OF_RANGE) {
		if (d->LogStartOffset > plog_end_offset(p->log))
			restart_at(p, d->LogStartOffset);
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
	    d->LogStartOffset <= plog_end_offset(p->log))
		plog_advance_start(p->log, d->LogStartOffset);
	if (d->HighWatermark >= 0)
		p->hw = KB_MIN(d->HighWatermark, plog_end_offset(p->log));
}

static void on_fetch(struct fetcher *f, const struct FetchResponse *resp)
{
	if (resp->ErrorCode) {
		backoff(f, "the leader refused the fetch");
		return;
	}
	const struct FetchableTopicResponse *t = resp->Responses.elems;
	for (int i = 0; i < resp->Responses.count; i++) {
		const struct FetchResponsePartitionData *d = t[i].Partitions.elems;
		for (int k = 0; k < t[i].Partitions.count; k++) {
			struct partition *p = answered(f, t[i].Topic, d[k].PartitionIndex);
			if (p && p->fol.state == FS_FETCH)
				on_fetch_partition(f, p, &d[k]);
		}
	}
}

/* One whole response frame (without its size): decode and apply. false: drop the link. */
static bool on_frame(struct fetcher *f, uint8_t *frame, size_t len)
{
	int16_t key = f->inflight_key;
	int16_t version = key == KP_API_FETCH ? FETCH_VERSION : EPOCH_VERSION;
	const struct kp_api *api = kp_api_find(key);
	bool flex = kp_api_flexible(api, version);
	struct kp_reader r;
	kp_reader_init(&r, frame, len);
	int32_t corr = -1;
	kp_response_header_read(&r, &corr, flex);
	if (corr != f->corr)
		return false;
	struct arena a;
	arena_init(&a, len * KB_DECODE_ARENA_FACTOR + KB_DECODE_ARENA_SLACK);
	void *resp = arena_alloc(&a, api->response->size);
	bool ok = resp && kp_decode(api->response, version, flex, &r, &a, resp) == KP_OK;
	f->inflight = false;
	if (ok && key == KP_API_FETCH)
		on_fetch(f, resp);
	else if (ok)
		on_epochs(f, resp);
	arena_destroy(&a);
	return ok;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct fetcher *f = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t limit = (size_t)f->b->cfg.replica_fetch_response_max_bytes +
	               KB_REPLICA_RESPONSE_SLACK_BYTES;
	while (f->bev && evbuffer_get_length(in) >= 4) {
		uint8_t sz[4];
		evbuffer_copyout(in, sz, 4);
		uint32_t n = (uint32_t)sz[0] << 24 | (uint32_t)sz[1] << 16 | (uint32_t)sz[2] << 8 | sz[3];
		if (n > limit || !f->inflight) {
			backoff(f, n > limit ? "response frame above the limit" : "unexpected response");
			return;
		}
		if (evbuffer_get_length(in) < 4 + (size_t)n)
			return;
		evbuffer_drain(in, 4);
		uint8_t *frame = kb_malloc(n + 1);
		evbuffer_remove(in, frame, n);
		bool ok = on_frame(f, frame, n);
		kb_free(frame);
		if (!ok) {
			backoff(f, "malformed response");
			return;
		}
		if (!f->bev) /* the answer itself made it back off: `in` went with the link */
			return;
		bufferevent_set_timeouts(f->bev, NULL, NULL);
		if (f->failures)
			say_info("replica", "fetching from broker %d again", f->leader);
		f->failures = 0;
		kick(f);
	}
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

static void fetcher_follow(struct partition *p)
{
	struct broker *b = partition_broker(p);
	int nf = KB_MAX(b->cfg.num_replica_fetchers, 1);
	struct fetcher *f = fetcher_for(b, p->state.leader_id, (int)(hash_partition(p) % (uint32_t)nf));
	if (p->fol.fetcher != f) {
		fetcher_unfollow(p);
		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 16;
			f->parts = kb_realloc(f->parts, (size_t)f->cap * sizeof(*f->parts));
		}
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

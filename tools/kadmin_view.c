/* kadmin_view.c — loading the cluster view in either connection mode, and the plumbing for
 * writes: waiting on ZooKeeper callbacks, and finding the controller. */
#include "../common/limits.h"
#include "../common/say.h"
#include "../net/kp_msgs.h"
#include "kadmin.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Largest response kadmin accepts (a response from a non-Kafka port is not trusted). */
#define KADMIN_MAX_RESPONSE (64u << 20)

/* ---- --zookeeper: coord as an observer ------------------------------------------------- */

struct zk_wait {
	struct view *v;
	bool done;
	bool failed;
	char msg[256];
};

static void observer_event(enum coord_event ev, const char *msg, void *arg)
{
	struct view *v = arg;
	if (ev == COORD_FATAL) {
		snprintf(v->zk_msg, sizeof(v->zk_msg), "%s", msg ? msg : "ZooKeeper failed");
		v->zk_failed = true;
		event_base_loopbreak(v->base);
	}
}

/* Polls for "view complete" (coord_loaded), which can become true without a change event. */
static void poll_loaded(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct zk_wait *w = arg;
	if (coord_loaded(w->v->coord)) {
		w->done = true;
		event_base_loopbreak(w->v->base);
	}
}

static int run_until(struct view *v, struct zk_wait *w, int timeout_ms, bool poll)
{
	struct event *tick = event_new(v->base, -1, EV_PERSIST, poll_loaded, w);
	struct timeval tv = {0, 20000};
	if (poll)
		event_add(tick, &tv);
	int64_t deadline = kb_mono_ms() + timeout_ms;
	while (!w->done && !w->failed && !v->zk_failed && kb_mono_ms() < deadline) {
		struct timeval left = {0, 100000};
		event_base_loopexit(v->base, &left);
		event_base_dispatch(v->base);
	}
	event_free(tick);
	return w->done ? 0 : -1;
}

static int open_zk(const struct kadmin *ka, struct view *v, char *err, size_t errlen)
{
	say_min_level = SAY_ERROR;
	v->base = event_base_new();
	struct zk_wait w = {.v = v};
	struct coord_config cc = {.zookeeper_connect = ka->zookeeper, .session_timeout_ms = 10000,
	                          .connection_timeout_ms = ka->timeout_ms, .broker_id = -1,
	                          .protocol_map = ""};
	v->coord = coord_start(v->base, &cc, observer_event, v);
	if (run_until(v, &w, ka->timeout_ms, true) < 0) {
		snprintf(err, errlen, "%s", v->zk_failed ? v->zk_msg : "timed out reading ZooKeeper");
		return -1;
	}
	v->md = coord_metadata(v->coord);
	if (!v->md->cluster_id) {
		snprintf(err, errlen, "no Kafka cluster under %s (no /cluster/id)", ka->zookeeper);
		return -1;
	}
	return 0;
}

static void write_done(int16_t error, const char *message, void *arg)
{
	struct zk_wait *w = arg;
	w->done = error == 0;
	w->failed = error != 0;
	snprintf(w->msg, sizeof(w->msg), "%s (error %d)", message ? message : "failed", error);
	event_base_loopbreak(w->v->base);
}

int view_zk_write(const struct kadmin *ka, struct view *v, zk_write_fn fn, void *ctx, char *err,
                  size_t errlen)
{
	struct zk_wait w = {.v = v};
	fn(v, write_done, &w, ctx);
	if (run_until(v, &w, ka->timeout_ms, false) < 0) {
		snprintf(err, errlen, "%s", w.failed ? w.msg : v->zk_failed ? v->zk_msg
		                                                             : "timed out writing to ZooKeeper");
		return -1;
	}
	return 0;
}

/* ---- --bootstrap-server: a view from Metadata ----------------------------------------- */

static char *dup_str(struct kp_str s)
{
	return s.len >= 0 ? kb_strndup(s.ptr, (size_t)s.len) : NULL;
}

static int32_t *dup_ids(const struct kp_array *a, int *n)
{
	*n = a->count > 0 ? a->count : 0;
	int32_t *out = kb_calloc((size_t)*n + 1, sizeof(int32_t));
	if (*n)
		memcpy(out, a->elems, (size_t)*n * sizeof(int32_t));
	return out;
}

static void own_brokers(struct md_cache *md, const struct MetadataResponse *resp)
{
	const struct MetadataResponseBroker *mb = resp->Brokers.elems;
	md->nbrokers = resp->Brokers.count;
	md->brokers = kb_calloc((size_t)md->nbrokers + 1, sizeof(*md->brokers));
	for (int i = 0; i < md->nbrokers; i++) {
		struct md_broker *b = &md->brokers[i];
		b->id = mb[i].NodeId;
		b->rack = dup_str(mb[i].Rack);
		b->endpoints = kb_calloc(1, sizeof(*b->endpoints));
		b->endpoints[0] = (struct md_endpoint){kb_strdup(""), dup_str(mb[i].Host), mb[i].Port};
		b->nendpoints = 1;
	}
}

static void own_topic(struct md_topic *t, const struct MetadataResponseTopic *mt)
{
	t->name = dup_str(mt->Name);
	memcpy(t->topic_id, mt->TopicId, 16);
	const struct MetadataResponsePartition *mp = mt->Partitions.elems;
	t->npartitions = mt->Partitions.count;
	t->partitions = kb_calloc((size_t)t->npartitions + 1, sizeof(*t->partitions));
	for (int i = 0; i < t->npartitions; i++) {
		int32_t id = mp[i].PartitionIndex;
		if (id < 0 || id >= t->npartitions)
			continue; /* a broker bug; never index out of range */
		struct md_partition *p = &t->partitions[id];
		p->id = id;
		p->replicas = dup_ids(&mp[i].ReplicaNodes, &p->nreplicas);
		p->has_state = true;
		p->state.leader = mp[i].LeaderId;
		p->state.leader_epoch = mp[i].LeaderEpoch;
		p->state.isr = dup_ids(&mp[i].IsrNodes, &p->state.nisr);
	}
}

static void own_free(struct md_cache *md)
{
	for (int i = 0; i < md->nbrokers; i++)
		md_broker_free(&md->brokers[i]);
	kb_free(md->brokers);
	for (int i = 0; i < md->ntopics; i++)
		md_topic_free(&md->topics[i]);
	kb_free(md->topics);
	kb_free(md->cluster_id);
	memset(md, 0, sizeof(*md));
}

static int cmp_topic(const void *a, const void *b)
{
	return strcmp(((const struct md_topic *)a)->name, ((const struct md_topic *)b)->name);
}

int kadmin_connect(const struct kadmin *ka, const char *hostports, struct outclient **out,
                   char *err, size_t errlen)
{
	struct outclient_config cfg = {
	        .client_id = "kadmin", .software_name = "kbroker-kadmin", .software_version = "0.1.0",
	        .max_response_bytes = KADMIN_MAX_RESPONSE, .max_request_bytes = KB_RESPONSE_MAX_BYTES,
	        .request_timeout_ms = ka->timeout_ms, .connect_timeout_ms = ka->timeout_ms,
	        .max_in_flight = 1};
	char *list = kb_strdup(hostports), *save = NULL, last[256] = "no address given";
	*out = NULL;
	for (char *hp = strtok_r(list, ",", &save); hp && !*out; hp = strtok_r(NULL, ",", &save)) {
		char host[256];
		if (!outclient_parse_hostport(hp, host, sizeof(host), &cfg.port)) {
			snprintf(last, sizeof(last), "%s: not host:port", hp);
			continue;
		}
		cfg.host = host;
		*out = outclient_open_sync(&cfg, last, sizeof(last));
	}
	kb_free(list);
	if (!*out)
		snprintf(err, errlen, "cannot connect to any of %s (%s)", hostports, last);
	return *out ? 0 : -1;
}

int kadmin_call(struct outclient *oc, int16_t key, int16_t vmin, const void *req, void *resp,
                struct outclient_reply **reply, char *err, size_t errlen)
{
	const struct kp_api *api = kp_api_find(key);
	int16_t ver = outclient_version(oc, key, vmin, KP_VMAX);
	*reply = NULL;
	if (ver < 0) {
		snprintf(err, errlen, "%s does not serve %s v%d+", outclient_peer(oc), api->name, vmin);
		return -1;
	}
	*reply = outclient_call_sync(oc, key, ver, req, err, errlen);
	if (!*reply)
		return -1;
	memcpy(resp, (*reply)->body, api->response->size);
	return 0;
}

/* Reads Metadata for every topic over v->oc into v->own (freed first). */
static int load_metadata(struct view *v, char *err, size_t errlen)
{
	own_free(&v->own);
	struct MetadataRequest req;
	kp_set_defaults(&kp_MetadataRequest, &req);
	req.Topics.count = -1; /* all topics */
	req.AllowAutoTopicCreation = false;
	struct MetadataResponse resp;
	struct outclient_reply *reply;
	int rc = kadmin_call(v->oc, KP_API_METADATA, 1, &req, &resp, &reply, err, errlen);
	if (rc == 0) {
		struct md_cache *md = &v->own;
		md->cluster_id = dup_str(resp.ClusterId);
		md->controller_id = resp.ControllerId;
		own_brokers(md, &resp);
		const struct MetadataResponseTopic *mt = resp.Topics.elems;
		md->topics = kb_calloc((size_t)resp.Topics.count + 1, sizeof(*md->topics));
		for (int i = 0; i < resp.Topics.count; i++)
			if (mt[i].ErrorCode == 0 && mt[i].Name.len > 0)
				own_topic(&md->topics[md->ntopics++], &mt[i]);
		qsort(md->topics, (size_t)md->ntopics, sizeof(*md->topics), cmp_topic);
		v->md = md;
	}
	outclient_reply_free(reply);
	return rc;
}

static int open_bootstrap(const struct kadmin *ka, struct view *v, char *err, size_t errlen)
{
	if (kadmin_connect(ka, ka->bootstrap, &v->oc, err, errlen) < 0)
		return -1;
	return load_metadata(v, err, errlen);
}

int view_wait_controller(const struct kadmin *ka, struct view *v, char *err, size_t errlen)
{
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!ka->zookeeper && v->md->controller_id < 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		int64_t waited = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (waited >= ka->timeout_ms)
			break;
		struct timespec pause = {0, 100 * 1000000L};
		nanosleep(&pause, NULL);
		if (load_metadata(v, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int view_refresh(const struct kadmin *ka, struct view *v, char *err, size_t errlen)
{
	if (ka->zookeeper) {
		struct timeval tv = {0, 100000};
		event_base_loopexit(v->base, &tv);
		event_base_dispatch(v->base);
		if (v->zk_failed) {
			snprintf(err, errlen, "%s", v->zk_msg);
			return -1;
		}
		return 0;
	}
	if (!v->oc || !outclient_ready(v->oc)) {
		outclient_free(v->oc);
		v->oc = NULL;
		if (kadmin_connect(ka, ka->bootstrap, &v->oc, err, errlen) < 0)
			return -1;
	}
	return load_metadata(v, err, errlen);
}

int view_open(const struct kadmin *ka, struct view *v, char *err, size_t errlen)
{
	memset(v, 0, sizeof(*v));
	return ka->zookeeper ? open_zk(ka, v, err, errlen) : open_bootstrap(ka, v, err, errlen);
}

void view_close(struct view *v)
{
	if (v->coord)
		coord_stop(v->coord);
	if (v->base)
		event_base_free(v->base);
	own_free(&v->own);
	outclient_free(v->oc);
	memset(v, 0, sizeof(*v));
}

int view_node(const struct kadmin *ka, struct view *v, int32_t id, struct outclient **out,
              char *err, size_t errlen)
{
	const struct md_cache *md = v->md;
	for (int i = 0; i < md->nbrokers; i++) {
		const struct md_broker *b = &md->brokers[i];
		if (b->id != id || b->nendpoints < 1)
			continue;
		char hp[300];
		bool v6 = strchr(b->endpoints[0].host, ':') != NULL;
		snprintf(hp, sizeof(hp), "%s%s%s:%d", v6 ? "[" : "", b->endpoints[0].host, v6 ? "]" : "",
		         b->endpoints[0].port);
		return kadmin_connect(ka, hp, out, err, errlen);
	}
	if (id == md->controller_id || id < 0)
		snprintf(err, errlen, "the cluster has no controller right now (try again)");
	else
		snprintf(err, errlen, "broker %d is not alive", id);
	return -1;
}

int view_controller(const struct kadmin *ka, struct view *v, struct outclient **out, char *err,
                    size_t errlen)
{
	return view_node(ka, v, v->md->controller_id, out, err, errlen);
}

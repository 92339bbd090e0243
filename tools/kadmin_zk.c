/* kadmin_zk.c — `--zookeeper` mode: reading the Kafka tree directly, on the same ZooKeeper
 * glue the broker uses (coord/zk.c), with a private event loop that ends when every answer
 * has arrived or --timeout-ms passes. */
#include "../common/say.h"
#include "../coord/zk.h"
#include "kadmin.h"

#include <stdio.h>
#include <string.h>

struct zk_job {
	struct event_base *base;
	struct zk *zk;
	struct cluster_view *v;
	int pending;       /* requests not answered yet */
	bool failed;
	char *err;
	size_t errlen;
};

static void job_done(struct zk_job *j)
{
	if (--j->pending == 0)
		event_base_loopbreak(j->base);
}

static void fail(struct zk_job *j, const char *what, int rc)
{
	if (!j->failed)
		snprintf(j->err, j->errlen, "%s: %s", what, zerror(rc));
	j->failed = true;
	event_base_loopbreak(j->base);
}

/* Returns the string value of "key":"..." or "key":number in a small JSON object. */
static char *json_field(const char *json, int len, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *k = memmem(json, (size_t)len, pat, strlen(pat));
	if (!k)
		return NULL;
	k += strlen(pat);
	const char *end = json + len;
	bool quoted = k < end && *k == '"';
	k += quoted;
	const char *e = k;
	while (e < end && (quoted ? *e != '"' : (*e != ',' && *e != '}')))
		e++;
	return kb_strndup(k, (size_t)(e - k));
}

static void got_cluster_id(int rc, const char *value, int len, const struct Stat *st,
                           const void *data)
{
	KB_UNUSED(st);
	struct zk_job *j = (struct zk_job *)data;
	if (rc == ZOK && value)
		j->v->cluster_id = json_field(value, len, "id");
	else if (rc != ZNONODE)
		return fail(j, "/cluster/id", rc);
	job_done(j);
}

static void got_controller(int rc, const char *value, int len, const struct Stat *st,
                           const void *data)
{
	KB_UNUSED(st);
	struct zk_job *j = (struct zk_job *)data;
	if (rc == ZOK && value) {
		char *id = json_field(value, len, "brokerid");
		j->v->controller_id = id ? (int32_t)strtol(id, NULL, 10) : -1;
		kb_free(id);
	} else if (rc != ZNONODE) {
		return fail(j, "/controller", rc);
	}
	job_done(j);
}

struct broker_get {
	struct zk_job *j;
	int32_t id;
};

static void got_broker(int rc, const char *value, int len, const struct Stat *st,
                       const void *data)
{
	KB_UNUSED(st);
	struct broker_get *g = (struct broker_get *)data;
	struct zk_job *j = g->j;
	struct cluster_view *v = j->v;
	if (rc == ZOK && value) {
		struct md_broker *b = &v->brokers[v->nbrokers];
		if (broker_json_decode(g->id, value, len, b) == 0)
			v->nbrokers++;
	} else if (rc != ZNONODE) {
		kb_free(g);
		return fail(j, "/brokers/ids/<id>", rc);
	}
	kb_free(g);
	job_done(j);
}

static int cmp_id(const void *a, const void *b)
{
	const struct md_broker *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static void got_ids(int rc, const struct String_vector *names, const void *data)
{
	struct zk_job *j = (struct zk_job *)data;
	if (rc != ZOK)
		return fail(j, "/brokers/ids", rc);
	j->v->brokers = kb_calloc((size_t)names->count + 1, sizeof(*j->v->brokers));
	for (int i = 0; i < names->count; i++) {
		char rel[300], buf[1024];
		snprintf(rel, sizeof(rel), "/brokers/ids/%s", names->data[i]);
		struct broker_get *g = kb_malloc(sizeof(*g));
		*g = (struct broker_get){j, (int32_t)strtol(names->data[i], NULL, 10)};
		j->pending++;
		zoo_aget(zk_handle(j->zk), zk_path(j->zk, rel, buf, sizeof(buf)), 0, got_broker, g);
	}
	zk_kick(j->zk);
	job_done(j);
}

static void on_state(struct zk *z, enum zk_state st, bool new_session, void *arg)
{
	struct zk_job *j = arg;
	if (st == ZK_FATAL)
		return fail(j, "ZooKeeper", ZCONNECTIONLOSS);
	if (st != ZK_CONNECTED || !new_session)
		return;
	char b1[1024], b2[1024], b3[1024];
	zhandle_t *zh = zk_handle(z);
	j->pending = 3;
	zoo_aget(zh, zk_path(z, "/cluster/id", b1, sizeof(b1)), 0, got_cluster_id, j);
	zoo_aget(zh, zk_path(z, "/controller", b2, sizeof(b2)), 0, got_controller, j);
	zoo_aget_children(zh, zk_path(z, "/brokers/ids", b3, sizeof(b3)), 0, got_ids, j);
	zk_kick(z);
}

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	KB_UNUSED(fd);
	KB_UNUSED(what);
	struct zk_job *j = arg;
	if (!j->failed)
		snprintf(j->err, j->errlen, "timed out talking to ZooKeeper");
	j->failed = true;
	event_base_loopbreak(j->base);
}

int kadmin_zk_cluster(const struct kadmin *ka, struct cluster_view *v, char *err, size_t errlen)
{
	say_min_level = SAY_WARN;
	struct zk_job j = {.v = v, .err = err, .errlen = errlen};
	j.base = event_base_new();
	struct event *t = evtimer_new(j.base, timeout_cb, &j);
	struct timeval tv = {ka->timeout_ms / 1000, (ka->timeout_ms % 1000) * 1000};
	evtimer_add(t, &tv);
	j.zk = zk_new(j.base, ka->zookeeper, 10000, ka->timeout_ms, on_state, &j);
	event_base_dispatch(j.base);
	zk_free(j.zk);
	event_free(t);
	event_base_free(j.base);
	if (!j.failed)
		qsort(v->brokers, (size_t)v->nbrokers, sizeof(*v->brokers), cmp_id);
	return j.failed ? -1 : 0;
}

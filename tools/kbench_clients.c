/* kbench_clients.c — kbench's librdkafka side: configuration, topic creation, the mock
 * cluster, and the producer and consumer threads (contract in kbench.h). */
#include "tools/kbench.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "common/kb.h"

struct client {
	struct kbench_state *st;
	int idx;
	pthread_t tid;
	bool producer;
	/* Paced producers: delivery reports are served by a thread of their own (dr_main). */
	rd_kafka_t *rk;
	atomic_bool dr_stop;
};

uint64_t kbench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fail(struct kbench_state *st, const char *fmt, ...) KB_PRINTF(2, 3);

/* Records the first failure (later ones are dropped) and stops the run. */
static void fail(struct kbench_state *st, const char *fmt, ...)
{
	if (!atomic_exchange(&st->failed, true)) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(st->errmsg, sizeof st->errmsg, fmt, ap);
		va_end(ap);
	}
	atomic_store(&st->stop, true);
}

static int set(rd_kafka_conf_t *c, const char *k, const char *v, struct kbench_state *st)
{
	char err[256];
	if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
		fail(st, "librdkafka property %s: %s", k, err);
		return -1;
	}
	return 0;
}

/* The properties every client shares: bootstrap, client.id, then each -X key=value. */
static rd_kafka_conf_t *base_conf(struct kbench_state *st, const char *client_id)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	int rc = set(c, "bootstrap.servers", st->bootstrap, st);
	rc |= set(c, "client.id", client_id, st);
	for (int i = 0; i < st->conf->n_x && rc == 0; i++) {
		char kv[512];
		snprintf(kv, sizeof kv, "%s", st->conf->x[i]);
		char *eq = strchr(kv, '=');
		if (!eq) {
			fail(st, "-X %s: expected key=value%s", kv, "");
			rc = -1;
			break;
		}
		*eq = '\0';
		rc |= set(c, kv, eq + 1, st);
	}
	rd_kafka_conf_set_opaque(c, st);
	if (rc) {
		rd_kafka_conf_destroy(c);
		return NULL;
	}
	return c;
}

static void topic_names(struct kbench_state *st)
{
	const struct kbench_conf *cf = st->conf;
	st->topic_names = kb_calloc((size_t)cf->topics, sizeof(char *));
	st->topic_partitions = kb_calloc((size_t)cf->topics, sizeof(int));
	for (int i = 0; i < cf->topics; i++) {
		char name[300];
		if (cf->topics == 1)
			snprintf(name, sizeof name, "%s", cf->topic);
		else
			snprintf(name, sizeof name, "%s-%d", cf->topic, i);
		st->topic_names[i] = kb_strdup(name);
	}
}

static int create_topics(struct kbench_state *st, rd_kafka_t *rk)
{
	const struct kbench_conf *cf = st->conf;
	char err[256];
	rd_kafka_NewTopic_t **nt = kb_calloc((size_t)cf->topics, sizeof(*nt));
	int rc = 0;
	for (int i = 0; i < cf->topics; i++) {
		nt[i] = rd_kafka_NewTopic_new(st->topic_names[i], cf->partitions, cf->replication,
		                              err, sizeof err);
		if (!nt[i]) {
			fail(st, "topic %s: %s", st->topic_names[i], err);
			rc = -1;
			goto out;
		}
		for (int k = 0; k < cf->n_topic_conf; k++) {
			char kv[512];
			snprintf(kv, sizeof kv, "%s", cf->topic_conf[k]);
			char *eq = strchr(kv, '=');
			if (eq) {
				*eq = '\0';
				rd_kafka_NewTopic_set_config(nt[i], kv, eq + 1);
			}
		}
	}
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	rd_kafka_AdminOptions_set_operation_timeout(opt, 60000, err, sizeof err);
	rd_kafka_AdminOptions_set_request_timeout(opt, 90000, err, sizeof err);
	rd_kafka_CreateTopics(rk, nt, (size_t)cf->topics, opt, q);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 120000);
	if (!ev || rd_kafka_event_error(ev)) {
		fail(st, "CreateTopics: %s%s", ev ? rd_kafka_event_error_string(ev) : "timed out", "");
		rc = -1;
	} else {
		size_t n;
		const rd_kafka_topic_result_t **res =
		    rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
		for (size_t i = 0; i < n; i++) {
			rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
			if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
				fail(st, "CreateTopics %s: %s", rd_kafka_topic_result_name(res[i]),
				     rd_kafka_err2str(e));
				rc = -1;
			}
		}
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opt);
	rd_kafka_queue_destroy(q);
out:
	for (int i = 0; i < cf->topics; i++)
		if (nt[i])
			rd_kafka_NewTopic_destroy(nt[i]);
	free(nt);
	return rc;
}

/* True once every topic is in the metadata with all its partitions led. */
static bool topics_ready(struct kbench_state *st, rd_kafka_t *rk)
{
	const struct rd_kafka_metadata *md;
	if (rd_kafka_metadata(rk, 1, NULL, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return false;
	int ready = 0;
	for (int t = 0; t < st->conf->topics; t++) {
		for (int i = 0; i < md->topic_cnt; i++) {
			const rd_kafka_metadata_topic_t *mt = &md->topics[i];
			if (strcmp(mt->topic, st->topic_names[t]) != 0 || mt->err || !mt->partition_cnt)
				continue;
			bool led = true;
			for (int p = 0; p < mt->partition_cnt; p++)
				led &= mt->partitions[p].leader >= 0 && !mt->partitions[p].err;
			if (led && (!st->conf->create || mt->partition_cnt >= st->conf->partitions)) {
				st->topic_partitions[t] = mt->partition_cnt;
				ready++;
			}
		}
	}
	rd_kafka_metadata_destroy(md);
	return ready == st->conf->topics;
}

int kbench_prepare(struct kbench_state *st)
{
	const struct kbench_conf *cf = st->conf;
	char err[256];
	topic_names(st);
	if (cf->mock_brokers > 0) {
		rd_kafka_conf_t *c = rd_kafka_conf_new();
		char n[16];
		snprintf(n, sizeof n, "%d", cf->mock_brokers);
		if (set(c, "test.mock.num.brokers", n, st))
			return -1;
		rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
		if (!host) {
			fail(st, "mock cluster: %s%s", err, "");
			return -1;
		}
		st->mock_host = host;
		rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(host);
		snprintf(st->bootstrap, sizeof st->bootstrap, "%s", rd_kafka_mock_cluster_bootstraps(mc));
		for (int i = 0; i < cf->topics; i++)
			rd_kafka_mock_topic_create(mc, st->topic_names[i], cf->partitions,
			                           cf->replication);
	} else {
		snprintf(st->bootstrap, sizeof st->bootstrap, "%s", cf->bootstrap);
	}
	rd_kafka_conf_t *c = base_conf(st, "kbench-admin");
	if (!c)
		return -1;
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
	if (!rk) {
		fail(st, "admin client: %s%s", err, "");
		return -1;
	}
	int rc = 0;
	if (cf->create && cf->mock_brokers == 0)
		rc = create_topics(st, rk);
	uint64_t deadline = kbench_now_ns() + 120ull * 1000000000ull;
	while (rc == 0 && !topics_ready(st, rk)) {
		if (kbench_now_ns() > deadline) {
			fail(st, "topics not ready (every partition led) after 120 s%s%s", "", "");
			rc = -1;
		}
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	rd_kafka_destroy(rk);
	return rc;
}

/* ---- producers ---- */

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	KB_UNUSED(rk);
	struct kbench_state *st = opaque;
	if (m->err) {
		atomic_fetch_add(&st->errors, 1);
		return;
	}
	uint64_t now = kbench_now_ns(), due = (uint64_t)(uintptr_t)m->_private;
	atomic_fetch_add_explicit(&st->acked, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->acked_bytes, m->len, memory_order_relaxed);
	if (due >= st->measure_ns && due < st->end_ns)
		kh_record(&st->pub, now > due ? now - due : 0);
	if (now >= st->measure_ns && now < st->end_ns) {
		atomic_fetch_add_explicit(&st->m_acked, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&st->m_acked_bytes, m->len, memory_order_relaxed);
	}
}

static rd_kafka_t *producer_new(struct client *cl)
{
	struct kbench_state *st = cl->st;
	const struct kbench_conf *cf = st->conf;
	char id[32], v[32], err[256];
	snprintf(id, sizeof id, "kbench-p%d", cl->idx);
	rd_kafka_conf_t *c = base_conf(st, id);
	if (!c)
		return NULL;
	int rc = set(c, "acks", cf->acks, st);
	rc |= set(c, "compression.type", cf->compression, st);
	rc |= set(c, "enable.idempotence", cf->idempotence ? "true" : "false", st);
	if (cf->linger_ms >= 0) {
		snprintf(v, sizeof v, "%d", cf->linger_ms);
		rc |= set(c, "linger.ms", v, st);
	}
	if (cf->batch_size >= 0) {
		snprintf(v, sizeof v, "%d", cf->batch_size);
		rc |= set(c, "batch.size", v, st);
	}
	if (rc) {
		rd_kafka_conf_destroy(c);
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(c, dr_cb);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
	if (!rk)
		fail(st, "producer: %s%s", err, "");
	return rk;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = {(time_t)(t / 1000000000ull), (long)(t % 1000000000ull)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void producer_loop(struct client *cl, rd_kafka_t *rk, rd_kafka_topic_t **rkt,
                          unsigned char *buf)
{
	struct kbench_state *st = cl->st;
	const struct kbench_conf *cf = st->conf;
	double rate = cf->rate / cf->producers;
	uint64_t interval = rate > 0 ? (uint64_t)(1e9 / rate) : 0, rnd = 88172645463325252ull + cl->idx;
	uint64_t i = 0;
	char key[32];
	while (!atomic_load_explicit(&st->stop, memory_order_relaxed)) {
		uint64_t now = kbench_now_ns(), due = now;
		if (now >= st->end_ns)
			break;
		if (interval) {
			due = st->t0_ns + i * interval;
			if (due >= st->end_ns)
				break;
			if (due > now)
				sleep_until(due);
		}
		memcpy(buf, &due, 8);
		size_t klen = 0;
		if (cf->keys == KB_KEYS_RANDOM)
			klen = (size_t)snprintf(key, sizeof key, "%016" PRIx64, xorshift(&rnd));
		else if (cf->keys == KB_KEYS_ROUNDROBIN)
			klen = (size_t)snprintf(key, sizeof key, "key-%" PRIu64, i % cf->key_count);
		rd_kafka_topic_t *t = rkt[i % (uint64_t)cf->topics];
		while (rd_kafka_produce(t, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, buf, cf->size,
		                        klen ? key : NULL, klen, (void *)(uintptr_t)due) == -1) {
			/* A topic just created may be unknown to the broker this client asked for
			 * metadata (Kafka propagates metadata asynchronously): retry for 10 s. */
			bool young = kbench_now_ns() < st->t0_ns + 10ull * 1000000000ull;
			if (errno != ENOBUFS && !(errno == ENOENT && young)) {
				fail(st, "produce: %s", rd_kafka_err2str(rd_kafka_last_error()));
				return;
			}
			/* queue full: serve delivery reports, then retry */
			rd_kafka_poll(rk, errno == ENOENT ? 100 : 1);
			if (atomic_load_explicit(&st->stop, memory_order_relaxed))
				return;
		}
		atomic_fetch_add_explicit(&st->sent, 1, memory_order_relaxed);
		if ((++i & 63) == 0 && !interval)
			rd_kafka_poll(rk, 0);
	}
}

/* A paced producer sleeps until each message is due, and a delivery report that came in
 * meanwhile would wait for its next poll: up to one interval added to the publish latency.
 * So its reports are served here, as they arrive. */
static void *dr_main(void *arg)
{
	struct client *cl = arg;
	while (!atomic_load(&cl->dr_stop))
		rd_kafka_poll(cl->rk, 50);
	return NULL;
}

static void *producer_main(void *arg)
{
	struct client *cl = arg;
	struct kbench_state *st = cl->st;
	const struct kbench_conf *cf = st->conf;
	rd_kafka_t *rk = producer_new(cl);
	pthread_t dr;
	bool dr_thread = false;
	if (rk && cf->rate > 0) {
		cl->rk = rk;
		atomic_store(&cl->dr_stop, false);
		dr_thread = pthread_create(&dr, NULL, dr_main, cl) == 0;
		if (!dr_thread)
			fail(st, "producer: %s", "pthread_create failed");
	}
	if (rk && (cf->rate <= 0 || dr_thread)) {
		rd_kafka_topic_t **rkt = kb_calloc((size_t)cf->topics, sizeof(*rkt));
		for (int t = 0; t < cf->topics; t++)
			rkt[t] = rd_kafka_topic_new(rk, st->topic_names[t], NULL);
		unsigned char *buf = kb_malloc(cf->size);
		for (unsigned k = 0; k < cf->size; k++)
			buf[k] = (unsigned char)('a' + (k * 7 + (unsigned)cl->idx) % 26);
		uint64_t magic = KBENCH_MAGIC;
		memcpy(buf + 8, &magic, 8);
		producer_loop(cl, rk, rkt, buf);
		/* Wait for the outstanding acknowledgements (bounded; stop cuts it short). */
		uint64_t deadline = kbench_now_ns() + 60ull * 1000000000ull;
		while (rd_kafka_outq_len(rk) > 0 && kbench_now_ns() < deadline &&
		       !atomic_load(&st->stop))
			rd_kafka_poll(rk, 50);
		if (dr_thread) {
			atomic_store(&cl->dr_stop, true);
			pthread_join(dr, NULL);
		}
		free(buf);
		for (int t = 0; t < cf->topics; t++)
			rd_kafka_topic_destroy(rkt[t]);
		free(rkt);
		rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
		rd_kafka_poll(rk, 0);
		rd_kafka_destroy(rk);
	} else if (rk) {
		rd_kafka_destroy(rk);
	}
	atomic_fetch_sub(&st->producers_live, 1);
	return NULL;
}

/* ---- consumers: the legacy per-partition API (no consumer group needed) ---- */

static void consumed(struct kbench_state *st, const rd_kafka_message_t *m, uint64_t now)
{
	atomic_fetch_add_explicit(&st->recv, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&st->recv_bytes, m->len, memory_order_relaxed);
	if (now >= st->measure_ns && now < st->end_ns) {
		atomic_fetch_add_explicit(&st->m_recv, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&st->m_recv_bytes, m->len, memory_order_relaxed);
	}
	uint64_t due, magic;
	if (m->len < KBENCH_MIN_SIZE)
		return;
	memcpy(&due, m->payload, 8);
	memcpy(&magic, (const char *)m->payload + 8, 8);
	if (magic == KBENCH_MAGIC && due >= st->measure_ns && due < st->end_ns && due <= now)
		kh_record(&st->e2e, now - due);
}

static void *consumer_main(void *arg)
{
	struct client *cl = arg;
	struct kbench_state *st = cl->st;
	const struct kbench_conf *cf = st->conf;
	char id[32], err[256];
	snprintf(id, sizeof id, "kbench-c%d", cl->idx);
	rd_kafka_conf_t *c = base_conf(st, id);
	rd_kafka_t *rk = NULL;
	if (c && set(c, "enable.partition.eof", "true", st) == 0)
		rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
	else if (c)
		rd_kafka_conf_destroy(c);
	if (!rk) {
		if (c)
			fail(st, "consumer: %s%s", err, "");
		atomic_fetch_sub(&st->consumers_live, 1);
		return NULL;
	}
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_topic_t **rkt = kb_calloc((size_t)cf->topics, sizeof(*rkt));
	int mine = 0, eof = 0, n = 0;
	for (int t = 0; t < cf->topics; t++) {
		rkt[t] = rd_kafka_topic_new(rk, st->topic_names[t], NULL);
		for (int p = 0; p < st->topic_partitions[t]; p++, n++)
			if (n % cf->consumers == cl->idx) {
				rd_kafka_consume_start_queue(rkt[t], p, cf->from_beginning
				                                            ? RD_KAFKA_OFFSET_BEGINNING
				                                            : RD_KAFKA_OFFSET_END, q);
				mine++;
			}
	}
	rd_kafka_message_t *msgs[1024];
	while (!atomic_load_explicit(&st->stop, memory_order_relaxed)) {
		/* librdkafka's batch call waits out its whole timeout unless the array fills, which
		 * would add up to that timeout to every end-to-end latency: take what is queued
		 * without waiting, and when nothing is, block for one message only. */
		ssize_t got = rd_kafka_consume_batch_queue(q, 0, msgs, KB_ARRAY_LEN(msgs));
		if (got == 0 && (msgs[0] = rd_kafka_consume_queue(q, 100)) != NULL)
			got = 1;
		uint64_t now = kbench_now_ns();
		for (ssize_t i = 0; i < got; i++) {
			if (msgs[i]->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
				eof++;
			} else if (msgs[i]->err) {
				atomic_fetch_add(&st->errors, 1);
			} else {
				consumed(st, msgs[i], now);
			}
			rd_kafka_message_destroy(msgs[i]);
		}
		/* With nothing producing, each partition reports its end once. */
		if (cf->until_eof && eof >= mine)
			break;
	}
	atomic_fetch_add(&st->eof_partitions, (uint64_t)(eof > mine ? mine : eof));
	n = 0;
	for (int t = 0; t < cf->topics; t++) {
		for (int p = 0; p < st->topic_partitions[t]; p++, n++)
			if (n % cf->consumers == cl->idx)
				rd_kafka_consume_stop(rkt[t], p);
		rd_kafka_topic_destroy(rkt[t]);
	}
	free(rkt);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	atomic_fetch_sub(&st->consumers_live, 1);
	return NULL;
}

int kbench_start(struct kbench_state *st)
{
	const struct kbench_conf *cf = st->conf;
	int np = cf->mode == KB_MODE_CONSUME ? 0 : cf->producers;
	int nc = cf->mode == KB_MODE_PRODUCE ? 0 : cf->consumers;
	struct client *cls = kb_calloc((size_t)(np + nc), sizeof(*cls));
	st->threads = cls;
	atomic_store(&st->producers_live, np);
	atomic_store(&st->consumers_live, nc);
	for (int i = 0; i < np + nc; i++) {
		cls[i].st = st;
		cls[i].producer = i < np;
		cls[i].idx = i < np ? i : i - np;
		if (pthread_create(&cls[i].tid, NULL, cls[i].producer ? producer_main : consumer_main,
		                   &cls[i]) != 0)
			kb_panic(__FILE__, __LINE__, "pthread_create failed");
		st->n_threads++;
	}
	return 0;
}

void kbench_join(struct kbench_state *st)
{
	struct client *cls = st->threads;
	for (int i = 0; i < st->n_threads; i++)
		pthread_join(cls[i].tid, NULL);
}

void kbench_teardown(struct kbench_state *st)
{
	free(st->threads);
	for (int i = 0; st->topic_names && i < st->conf->topics; i++)
		free(st->topic_names[i]);
	free(st->topic_names);
	free(st->topic_partitions);
	if (st->mock_host)
		rd_kafka_destroy(st->mock_host);
}

/* kbench.h — kbench, the load generator that drives kbroker and Apache Kafka alike through
 * librdkafka (so the client side is identical for every broker).
 *
 * A run is one workload (OpenMessaging-Benchmark style: topics, partitions, message size, key
 * distribution, producers, consumers, target rate, warm-up, duration, producer settings) in
 * one of three modes:
 *   produce  producers only: throughput of acknowledged messages, publish latency
 *   consume  consumers only (from the beginning or the end), throughput
 *   e2e      both: end-to-end latency (send to receive) plus publish latency
 * Every message carries the time it was INTENDED to be sent (CLOCK_MONOTONIC ns, in its first
 * 8 bytes and as its delivery opaque): with a target rate, message i of a producer is due at
 * start + i/rate whether or not the previous one went out on time, so a stalled broker shows
 * up in the latency of every message it delayed (no coordinated omission).
 * Threads: one per producer and per consumer, each with its own rd_kafka_t; the main thread
 * prints a progress line every second and writes the JSON result (kbench.c).
 */
#ifndef KB_KBENCH_H
#define KB_KBENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "tools/kbench_hist.h"

#define KBENCH_MAX_PIDS 16
#define KBENCH_MAX_X 64
#define KBENCH_MAX_TOPICS 1024
#define KBENCH_MAX_THREADS 64
#define KBENCH_MIN_SIZE 16 /* stamp (8) + magic (8) */
#define KBENCH_MAX_SIZE (64u << 20)
#define KBENCH_MAGIC 0x6b62656e63683031ull /* "kbench01" */

enum kbench_mode { KB_MODE_PRODUCE, KB_MODE_CONSUME, KB_MODE_E2E };
enum kbench_keys { KB_KEYS_NONE, KB_KEYS_RANDOM, KB_KEYS_ROUNDROBIN };

struct kbench_conf {
	enum kbench_mode mode;
	const char *bootstrap;  /* NULL with mock_brokers > 0 */
	int mock_brokers;       /* librdkafka's in-process mock cluster instead of a broker */
	const char *topic;      /* topic name, or prefix "<topic>-<i>" when topics > 1 */
	int topics, partitions, replication;
	bool create;            /* create the topics (CreateTopics) before the run */
	const char *topic_conf[KBENCH_MAX_X]; /* key=value topic configs for --create */
	int n_topic_conf;
	unsigned size;          /* message value size in bytes */
	enum kbench_keys keys;
	unsigned key_count;     /* distinct keys for roundrobin */
	int producers, consumers;
	double rate;            /* messages/s over all producers; 0 = as fast as possible */
	double warmup_s, duration_s;
	const char *acks, *compression;
	int linger_ms, batch_size; /* < 0: librdkafka's default */
	bool idempotence;
	bool from_beginning;    /* consumers start at the log start (else at the end) */
	bool until_eof;         /* consume mode: stop once every partition reached its end */
	const char *x[KBENCH_MAX_X]; /* extra librdkafka properties key=value, all clients */
	int n_x;
	int pids[KBENCH_MAX_PIDS];
	int n_pids;
	const char *json_path, *label;
	bool quiet;
};

/* Shared run state: counters are updated by the client threads, read by the main thread. */
struct kbench_state {
	const struct kbench_conf *conf;
	char bootstrap[512];    /* resolved (the mock cluster's address with --mock) */
	char **topic_names;
	uint64_t t0_ns;         /* run start (CLOCK_MONOTONIC) */
	uint64_t measure_ns;    /* warm-up end: latencies of messages due before it are not kept */
	uint64_t end_ns;        /* producers stop sending at this time */
	_Atomic bool stop;      /* consumers stop; producers give up flushing */
	_Atomic uint64_t sent, acked, acked_bytes, errors, recv, recv_bytes, eof_partitions;
	_Atomic uint64_t m_acked, m_acked_bytes, m_recv, m_recv_bytes; /* in the measured window */
	struct kh_hist pub;     /* publish latency: intended send -> delivery report */
	struct kh_hist e2e;     /* end-to-end: intended send -> consumer receive */
	char errmsg[256];
	_Atomic bool failed;
	_Atomic int producers_live, consumers_live;
	int *topic_partitions;  /* partition count of each topic, from metadata */
	void *mock_host;        /* rd_kafka_t hosting the mock cluster */
	void *threads;          /* internal: the client threads */
	int n_threads;
};

uint64_t kbench_now_ns(void);
/* Creates (with conf->create) the topics and waits until every partition has a leader.
 * Returns 0, or -1 with st->errmsg set. */
int kbench_prepare(struct kbench_state *st);
/* Starts the producer and consumer threads; kbench_join waits for them. */
int kbench_start(struct kbench_state *st);
void kbench_join(struct kbench_state *st);
void kbench_teardown(struct kbench_state *st);

#endif

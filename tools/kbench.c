/* kbench.c — kbench's command line, progress line, broker /proc sampling and JSON result
 * (the workload itself runs in kbench_clients.c; see kbench.h). */
#include "tools/kbench.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/kb.h"

#define TIMELINE_MAX 7200

struct proc_sample {
	double cpu_s;
	long hwm_kib, rss_kib;
	bool ok;
};

struct tick {
	double t, sent_s, acked_s, acked_mb_s, recv_s, recv_mb_s;
	double pub_p50_ms, pub_p99_ms, e2e_p50_ms, e2e_p99_ms;
};

static void usage(FILE *f)
{
	fputs(
	    "usage: kbench --mode produce|consume|e2e (--bootstrap HOST:PORT | --mock N) [options]\n"
	    "workload (OpenMessaging-Benchmark style):\n"
	    "  --topic NAME          topic, or prefix NAME-<i> with --topics > 1 (default kbench)\n"
	    "  --topics N            number of topics (1)\n"
	    "  --partitions N        partitions per topic, with --create (6)\n"
	    "  --replication N       replication factor, with --create (1)\n"
	    "  --create              create the topics first (CreateTopics; existing ones are kept)\n"
	    "  --topic-config K=V    topic config for --create (repeatable), e.g. flush.messages=1\n"
	    "  --size BYTES          message value size, >= 16 (1024)\n"
	    "  --keys none|random|roundrobin   key distribution (none); --key-count N (1000)\n"
	    "  --producers N --consumers N     client threads (1, 1)\n"
	    "  --rate MSG/S          target rate over all producers, 0 = as fast as possible (0)\n"
	    "  --warmup S --duration S         seconds (5, 30); nothing before the warm-up ends\n"
	    "                        counts in the results\n"
	    "  --acks A --linger-ms N --batch-size N --compression C --idempotence\n"
	    "  --from-beginning      consumers start at the log start (default: at the end)\n"
	    "  --until-eof           consume mode: stop when every partition reached its end\n"
	    "  -X key=value          any librdkafka property, for every client (repeatable)\n"
	    "measurement:\n"
	    "  --broker-pid PID      a broker process to charge CPU and RSS to (repeatable)\n"
	    "  --json FILE           write the result as JSON ('-' = stdout)\n"
	    "  --label TEXT          a name for the run, copied into the JSON\n"
	    "  --quiet               no progress line\n",
	    f);
}

static int parse_int(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "kbench: %s must be an integer in [%ld, %ld], got '%s'\n", what, lo, hi,
		        s);
		exit(2);
	}
	return (int)v;
}

static double parse_double(const char *s, double lo, double hi, const char *what)
{
	char *end;
	double v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !(v >= lo && v <= hi)) {
		fprintf(stderr, "kbench: %s must be a number in [%g, %g], got '%s'\n", what, lo, hi, s);
		exit(2);
	}
	return v;
}

static void add_opt(const char **arr, int *n, const char *v, const char *what)
{
	if (*n >= KBENCH_MAX_X) {
		fprintf(stderr, "kbench: at most %d %s\n", KBENCH_MAX_X, what);
		exit(2);
	}
	arr[(*n)++] = v;
}

enum {
	O_TOPICS = 256, O_PARTS, O_REPL, O_CREATE, O_TCONF, O_SIZE, O_KEYS, O_KEYCOUNT, O_PROD,
	O_CONS, O_RATE, O_WARM, O_DUR, O_ACKS, O_LINGER, O_BATCH, O_COMP, O_IDEM, O_BEGIN, O_EOF,
	O_PID, O_JSON, O_LABEL, O_QUIET, O_MOCK, O_MODE, O_BOOT, O_TOPIC
};

static void parse_args(int argc, char **argv, struct kbench_conf *c)
{
	static const struct option opts[] = {
	    {"mode", 1, 0, O_MODE}, {"bootstrap", 1, 0, O_BOOT}, {"mock", 1, 0, O_MOCK},
	    {"topic", 1, 0, O_TOPIC}, {"topics", 1, 0, O_TOPICS}, {"partitions", 1, 0, O_PARTS},
	    {"replication", 1, 0, O_REPL}, {"create", 0, 0, O_CREATE},
	    {"topic-config", 1, 0, O_TCONF}, {"size", 1, 0, O_SIZE}, {"keys", 1, 0, O_KEYS},
	    {"key-count", 1, 0, O_KEYCOUNT}, {"producers", 1, 0, O_PROD},
	    {"consumers", 1, 0, O_CONS}, {"rate", 1, 0, O_RATE}, {"warmup", 1, 0, O_WARM},
	    {"duration", 1, 0, O_DUR}, {"acks", 1, 0, O_ACKS}, {"linger-ms", 1, 0, O_LINGER},
	    {"batch-size", 1, 0, O_BATCH}, {"compression", 1, 0, O_COMP},
	    {"idempotence", 0, 0, O_IDEM}, {"from-beginning", 0, 0, O_BEGIN},
	    {"until-eof", 0, 0, O_EOF}, {"broker-pid", 1, 0, O_PID}, {"json", 1, 0, O_JSON},
	    {"label", 1, 0, O_LABEL}, {"quiet", 0, 0, O_QUIET}, {"help", 0, 0, 'h'},
	    {0, 0, 0, 0}};
	*c = (struct kbench_conf){.mode = KB_MODE_PRODUCE, .topic = "kbench", .topics = 1,
	                          .partitions = 6, .replication = 1, .size = 1024,
	                          .key_count = 1000, .producers = 1, .consumers = 1,
	                          .warmup_s = 5, .duration_s = 30, .acks = "1",
	                          .compression = "none", .linger_ms = -1, .batch_size = -1};
	bool mode_set = false;
	int o;
	while ((o = getopt_long(argc, argv, "b:X:h", opts, NULL)) != -1) {
		switch (o) {
		case O_MODE:
			mode_set = true;
			if (!strcmp(optarg, "produce"))
				c->mode = KB_MODE_PRODUCE;
			else if (!strcmp(optarg, "consume"))
				c->mode = KB_MODE_CONSUME;
			else if (!strcmp(optarg, "e2e"))
				c->mode = KB_MODE_E2E;
			else
				mode_set = false;
			break;
		case 'b': case O_BOOT: c->bootstrap = optarg; break;
		case O_MOCK: c->mock_brokers = parse_int(optarg, 1, 16, "--mock"); break;
		case O_TOPIC: c->topic = optarg; break;
		case O_TOPICS: c->topics = parse_int(optarg, 1, KBENCH_MAX_TOPICS, "--topics"); break;
		case O_PARTS: c->partitions = parse_int(optarg, 1, 100000, "--partitions"); break;
		case O_REPL: c->replication = parse_int(optarg, 1, 16, "--replication"); break;
		case O_CREATE: c->create = true; break;
		case O_TCONF: add_opt(c->topic_conf, &c->n_topic_conf, optarg, "--topic-config"); break;
		case O_SIZE:
			c->size = (unsigned)parse_int(optarg, KBENCH_MIN_SIZE, KBENCH_MAX_SIZE, "--size");
			break;
		case O_KEYS:
			if (!strcmp(optarg, "none"))
				c->keys = KB_KEYS_NONE;
			else if (!strcmp(optarg, "random"))
				c->keys = KB_KEYS_RANDOM;
			else if (!strcmp(optarg, "roundrobin"))
				c->keys = KB_KEYS_ROUNDROBIN;
			else {
				fprintf(stderr, "kbench: --keys none|random|roundrobin\n");
				exit(2);
			}
			break;
		case O_KEYCOUNT:
			c->key_count = (unsigned)parse_int(optarg, 1, 100000000, "--key-count");
			break;
		case O_PROD:
			c->producers = parse_int(optarg, 1, KBENCH_MAX_THREADS / 2, "--producers");
			break;
		case O_CONS:
			c->consumers = parse_int(optarg, 1, KBENCH_MAX_THREADS / 2, "--consumers");
			break;
		case O_RATE: c->rate = parse_double(optarg, 0, 1e9, "--rate"); break;
		case O_WARM: c->warmup_s = parse_double(optarg, 0, 86400, "--warmup"); break;
		case O_DUR: c->duration_s = parse_double(optarg, 0.1, 86400, "--duration"); break;
		case O_ACKS: c->acks = optarg; break;
		case O_LINGER: c->linger_ms = parse_int(optarg, 0, 900000, "--linger-ms"); break;
		case O_BATCH: c->batch_size = parse_int(optarg, 1, 1 << 30, "--batch-size"); break;
		case O_COMP: c->compression = optarg; break;
		case O_IDEM: c->idempotence = true; break;
		case O_BEGIN: c->from_beginning = true; break;
		case O_EOF: c->until_eof = true; break;
		case 'X': add_opt(c->x, &c->n_x, optarg, "-X"); break;
		case O_PID:
			if (c->n_pids >= KBENCH_MAX_PIDS) {
				fprintf(stderr, "kbench: at most %d --broker-pid\n", KBENCH_MAX_PIDS);
				exit(2);
			}
			c->pids[c->n_pids++] = parse_int(optarg, 1, 1 << 30, "--broker-pid");
			break;
		case O_JSON: c->json_path = optarg; break;
		case O_LABEL: c->label = optarg; break;
		case O_QUIET: c->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc || !mode_set || (!c->bootstrap == !c->mock_brokers)) {
		fprintf(stderr, "kbench: need --mode and exactly one of --bootstrap, --mock\n");
		usage(stderr);
		exit(2);
	}
}

/* utime + stime of a process, and its current and peak resident set, from /proc. */
static struct proc_sample proc_read(int pid)
{
	struct proc_sample s = {0};
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return s;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	unsigned long long ut = 0, stt = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
	                 &stt) != 2)
		return s;
	s.cpu_s = (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if ((f = fopen(path, "r"))) {
		while (fgets(buf, sizeof buf, f)) {
			sscanf(buf, "VmHWM: %ld", &s.hwm_kib);
			sscanf(buf, "VmRSS: %ld", &s.rss_kib);
		}
		fclose(f);
	}
	s.ok = true;
	return s;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static json_t *hist_json(const struct kh_snap *s)
{
	json_t *j = json_object();
	json_object_set_new(j, "count", json_integer((json_int_t)s->total));
	if (s->total) {
		json_object_set_new(j, "min_ms", json_real(ms(s->min_ns)));
		json_object_set_new(j, "mean_ms", json_real(ms(s->sum_ns) / (double)s->total));
		json_object_set_new(j, "p50_ms", json_real(ms(kh_quantile(s, 0.50))));
		json_object_set_new(j, "p90_ms", json_real(ms(kh_quantile(s, 0.90))));
		json_object_set_new(j, "p99_ms", json_real(ms(kh_quantile(s, 0.99))));
		json_object_set_new(j, "p999_ms", json_real(ms(kh_quantile(s, 0.999))));
		json_object_set_new(j, "p9999_ms", json_real(ms(kh_quantile(s, 0.9999))));
		json_object_set_new(j, "max_ms", json_real(ms(s->max_ns)));
	}
	return j;
}


static json_t *rate_json(uint64_t msgs, uint64_t bytes, double secs)
{
	json_t *j = json_object();
	json_object_set_new(j, "messages", json_integer((json_int_t)msgs));
	json_object_set_new(j, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(j, "msg_per_s", json_real(secs > 0 ? (double)msgs / secs : 0));
	json_object_set_new(j, "MB_per_s", json_real(secs > 0 ? (double)bytes / secs / 1e6 : 0));
	json_object_set_new(j, "MiB_per_s",
	                    json_real(secs > 0 ? (double)bytes / secs / 1048576.0 : 0));
	return j;
}

static const char *mode_name(enum kbench_mode m)
{
	return m == KB_MODE_PRODUCE ? "produce" : m == KB_MODE_CONSUME ? "consume" : "e2e";
}

static json_t *workload_json(const struct kbench_conf *c, const char *bootstrap)
{
	static const char *keys[] = {"none", "random", "roundrobin"};
	json_t *tc = json_array(), *x = json_array();
	for (int i = 0; i < c->n_topic_conf; i++)
		json_array_append_new(tc, json_string(c->topic_conf[i]));
	for (int i = 0; i < c->n_x; i++)
		json_array_append_new(x, json_string(c->x[i]));
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:o, s:i, s:s, s:i, s:i, s:f, s:f, s:f, s:s,"
	                 " s:i, s:i, s:s, s:b, s:b, s:o}",
	                 "bootstrap", bootstrap, "topic", c->topic, "topics", c->topics,
	                 "partitions", c->partitions, "replication", c->replication,
	                 "topic_config", tc, "size", (int)c->size, "keys", keys[c->keys],
	                 "producers", c->producers, "consumers", c->consumers, "rate", c->rate,
	                 "warmup_s", c->warmup_s, "duration_s", c->duration_s, "acks", c->acks,
	                 "linger_ms", c->linger_ms, "batch_size", c->batch_size, "compression",
	                 c->compression, "idempotence", c->idempotence, "from_beginning",
	                 c->from_beginning, "librdkafka", x);
}

struct run_result {
	double window_s;
	struct proc_sample b0[KBENCH_MAX_PIDS], b1[KBENCH_MAX_PIDS], c0, c1;
	struct tick *ticks;
	int n_ticks;
};

static json_t *result_json(struct kbench_state *st, struct run_result *r, struct kh_snap *pub,
                           struct kh_snap *e2e)
{
	const struct kbench_conf *c = st->conf;
	json_t *j = json_object();
	if (c->label)
		json_object_set_new(j, "label", json_string(c->label));
	json_object_set_new(j, "mode", json_string(mode_name(c->mode)));
	json_object_set_new(j, "workload", workload_json(c, st->bootstrap));
	json_object_set_new(j, "window_s", json_real(r->window_s));
	uint64_t pm = atomic_load(&st->m_acked), pb = atomic_load(&st->m_acked_bytes);
	uint64_t cm = atomic_load(&st->m_recv), cb = atomic_load(&st->m_recv_bytes);
	json_object_set_new(j, "produced", rate_json(pm, pb, r->window_s));
	json_object_set_new(j, "consumed", rate_json(cm, cb, r->window_s));
	json_object_set_new(j, "totals", json_pack("{s:I, s:I, s:I, s:I}", "sent",
	                                           (json_int_t)atomic_load(&st->sent), "acked",
	                                           (json_int_t)atomic_load(&st->acked), "received",
	                                           (json_int_t)atomic_load(&st->recv), "errors",
	                                           (json_int_t)atomic_load(&st->errors)));
	json_object_set_new(j, "publish_latency", hist_json(pub));
	json_object_set_new(j, "e2e_latency", hist_json(e2e));
	/* Broker cost is charged to the measured traffic: produced bytes, or consumed ones. */
	uint64_t msgs = c->mode == KB_MODE_CONSUME ? cm : pm;
	uint64_t bytes = c->mode == KB_MODE_CONSUME ? cb : pb;
	json_t *bs = json_array();
	double cpu = 0;
	long hwm = 0;
	for (int i = 0; i < c->n_pids; i++) {
		double d = r->b1[i].ok && r->b0[i].ok ? r->b1[i].cpu_s - r->b0[i].cpu_s : 0;
		cpu += d;
		hwm += r->b1[i].hwm_kib;
		json_array_append_new(bs, json_pack("{s:i, s:b, s:f, s:I, s:I}", "pid", c->pids[i],
		                                    "alive", r->b1[i].ok, "cpu_s", d, "rss_peak_kib",
		                                    (json_int_t)r->b1[i].hwm_kib, "rss_kib",
		                                    (json_int_t)r->b1[i].rss_kib));
	}
	json_object_set_new(j, "brokers", bs);
	if (c->n_pids) {
		json_object_set_new(j, "broker_cpu_s", json_real(cpu));
		json_object_set_new(j, "broker_cpu_s_per_gib",
		                    bytes ? json_real(cpu / ((double)bytes / 1073741824.0)) : json_null());
		json_object_set_new(j, "broker_cpu_s_per_million_msgs",
		                    msgs ? json_real(cpu / ((double)msgs / 1e6)) : json_null());
		json_object_set_new(j, "broker_rss_peak_kib", json_integer(hwm));
	}
	json_object_set_new(j, "client_cpu_s", json_real(r->c1.cpu_s - r->c0.cpu_s));
	json_t *tl = json_array();
	for (int i = 0; i < r->n_ticks; i++) {
		struct tick *t = &r->ticks[i];
		json_array_append_new(
		    tl, json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "t", t->t,
		                  "sent_per_s", t->sent_s, "acked_per_s", t->acked_s, "acked_MB_per_s",
		                  t->acked_mb_s, "recv_per_s", t->recv_s, "recv_MB_per_s", t->recv_mb_s,
		                  "pub_p50_ms", t->pub_p50_ms, "pub_p99_ms", t->pub_p99_ms,
		                  "e2e_p50_ms", t->e2e_p50_ms, "e2e_p99_ms", t->e2e_p99_ms));
	}
	json_object_set_new(j, "timeline", tl);
	json_object_set_new(j, "error", atomic_load(&st->failed) ? json_string(st->errmsg)
	                                                         : json_null());
	return j;
}

/* Interval state of the progress line. */
struct progress {
	uint64_t sent, acked, acked_b, recv, recv_b, t_ns;
	struct kh_snap *pub, *e2e, *tmp, *diff;
};

static void progress_tick(struct kbench_state *st, struct progress *pg, struct run_result *r,
                          uint64_t now)
{
	double dt = (double)(now - pg->t_ns) / 1e9;
	uint64_t sent = atomic_load(&st->sent), acked = atomic_load(&st->acked);
	uint64_t ab = atomic_load(&st->acked_bytes), recv = atomic_load(&st->recv);
	uint64_t rb = atomic_load(&st->recv_bytes);
	struct tick t = {.t = (double)(now - st->t0_ns) / 1e9,
	                 .sent_s = (double)(sent - pg->sent) / dt,
	                 .acked_s = (double)(acked - pg->acked) / dt,
	                 .acked_mb_s = (double)(ab - pg->acked_b) / dt / 1e6,
	                 .recv_s = (double)(recv - pg->recv) / dt,
	                 .recv_mb_s = (double)(rb - pg->recv_b) / dt / 1e6};
	kh_snapshot(&st->pub, pg->tmp);
	kh_diff(pg->tmp, pg->pub, pg->diff);
	t.pub_p50_ms = ms(kh_quantile(pg->diff, 0.5));
	t.pub_p99_ms = ms(kh_quantile(pg->diff, 0.99));
	memcpy(pg->pub, pg->tmp, sizeof *pg->tmp);
	kh_snapshot(&st->e2e, pg->tmp);
	kh_diff(pg->tmp, pg->e2e, pg->diff);
	t.e2e_p50_ms = ms(kh_quantile(pg->diff, 0.5));
	t.e2e_p99_ms = ms(kh_quantile(pg->diff, 0.99));
	memcpy(pg->e2e, pg->tmp, sizeof *pg->tmp);
	*pg = (struct progress){sent, acked, ab, recv, rb, now, pg->pub, pg->e2e, pg->tmp, pg->diff};
	if (r->n_ticks < TIMELINE_MAX)
		r->ticks[r->n_ticks++] = t;
	if (!st->conf->quiet)
		fprintf(stderr,
		        "kbench %6.1fs%s sent %9.0f/s acked %9.0f/s %8.2f MB/s recv %9.0f/s %8.2f MB/s"
		        " | pub p50 %.3f p99 %.3f ms | e2e p50 %.3f p99 %.3f ms | err %" PRIu64 "\n",
		        t.t, now < st->measure_ns ? " (warm-up)" : "", t.sent_s, t.acked_s,
		        t.acked_mb_s, t.recv_s, t.recv_mb_s, t.pub_p50_ms, t.pub_p99_ms, t.e2e_p50_ms,
		        t.e2e_p99_ms, atomic_load(&st->errors));
}

static void sample_all(const struct kbench_conf *c, struct proc_sample *b, struct proc_sample *me)
{
	for (int i = 0; i < c->n_pids; i++)
		b[i] = proc_read(c->pids[i]);
	*me = proc_read((int)getpid());
}

/* True when the run is over: producers done (and, e2e, their messages received), consumers done, or a consume-only run past its end. */
static bool finished(struct kbench_state *st, uint64_t now, uint64_t *drain_since)
{
	const struct kbench_conf *c = st->conf;
	if (atomic_load(&st->failed))
		return true;
	if (c->mode == KB_MODE_CONSUME)
		return atomic_load(&st->consumers_live) == 0 || now >= st->end_ns;
	if (atomic_load(&st->producers_live) > 0)
		return false;
	if (c->mode == KB_MODE_PRODUCE)
		return true;
	/* e2e: wait for the consumers until they have everything, or nothing new came for 2 s
	 * (messages sent before they were positioned at the end are never seen), at most 10 s. */
	static uint64_t last_recv, last_change;
	uint64_t recv = atomic_load(&st->recv);
	if (!*drain_since)
		*drain_since = last_change = now;
	if (recv != last_recv) {
		last_recv = recv;
		last_change = now;
	}
	return recv >= atomic_load(&st->acked) || now - last_change > 2000000000ull ||
	       now - *drain_since > 10ull * 1000000000ull;
}

static void print_summary(struct kbench_state *st, json_t *j)
{
	json_t *p = json_object_get(j, "produced"), *c = json_object_get(j, "consumed");
	json_t *pl = json_object_get(j, "publish_latency"), *el = json_object_get(j, "e2e_latency");
	printf("kbench %s: window %.1f s\n", mode_name(st->conf->mode),
	       json_real_value(json_object_get(j, "window_s")));
	printf("  produced %.0f msg/s %.2f MB/s | consumed %.0f msg/s %.2f MB/s\n",
	       json_real_value(json_object_get(p, "msg_per_s")),
	       json_real_value(json_object_get(p, "MB_per_s")),
	       json_real_value(json_object_get(c, "msg_per_s")),
	       json_real_value(json_object_get(c, "MB_per_s")));
	const char *names[] = {"publish", "e2e"};
	json_t *hs[] = {pl, el};
	for (int i = 0; i < 2; i++)
		if (json_integer_value(json_object_get(hs[i], "count")))
			printf("  %s latency ms: p50 %.3f p99 %.3f p99.9 %.3f p99.99 %.3f max %.3f "
			       "(n=%" JSON_INTEGER_FORMAT ")\n",
			       names[i], json_real_value(json_object_get(hs[i], "p50_ms")),
			       json_real_value(json_object_get(hs[i], "p99_ms")),
			       json_real_value(json_object_get(hs[i], "p999_ms")),
			       json_real_value(json_object_get(hs[i], "p9999_ms")),
			       json_real_value(json_object_get(hs[i], "max_ms")),
			       json_integer_value(json_object_get(hs[i], "count")));
	if (json_object_get(j, "broker_cpu_s"))
		printf("  broker CPU %.2f s (%.2f s/GiB, %.3f s/M msgs), peak RSS %" JSON_INTEGER_FORMAT
		       " KiB\n",
		       json_real_value(json_object_get(j, "broker_cpu_s")),
		       json_number_value(json_object_get(j, "broker_cpu_s_per_gib")),
		       json_number_value(json_object_get(j, "broker_cpu_s_per_million_msgs")),
		       json_integer_value(json_object_get(j, "broker_rss_peak_kib")));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct kbench_conf conf;
	static struct kbench_state st;
	static struct kh_snap snaps[6];
	parse_args(argc, argv, &conf);
	st.conf = &conf;
	kh_init(&st.pub);
	kh_init(&st.e2e);
	if (kbench_prepare(&st) != 0) {
		fprintf(stderr, "kbench: %s\n", st.errmsg);
		kbench_teardown(&st);
		return 1;
	}
	struct run_result r = {.ticks = kb_calloc(TIMELINE_MAX, sizeof(struct tick))};
	uint64_t now = kbench_now_ns();
	st.t0_ns = now;
	st.measure_ns = now + (uint64_t)(conf.warmup_s * 1e9);
	st.end_ns = st.measure_ns + (uint64_t)(conf.duration_s * 1e9);
	struct progress pg = {.t_ns = now, .pub = &snaps[0], .e2e = &snaps[1], .tmp = &snaps[2],
	                      .diff = &snaps[3]};
	bool began = false, ended = false;
	if (st.measure_ns == now) {
		sample_all(&conf, r.b0, &r.c0);
		began = true;
	}
	kbench_start(&st);
	uint64_t next_tick = now + 1000000000ull, drain_since = 0, window_end = st.end_ns;
	for (;;) {
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
		now = kbench_now_ns();
		if (!began && now >= st.measure_ns) {
			sample_all(&conf, r.b0, &r.c0);
			began = true;
		}
		if (began && !ended && now >= st.end_ns) {
			sample_all(&conf, r.b1, &r.c1);
			ended = true;
		}
		if (now >= next_tick) {
			progress_tick(&st, &pg, &r, now);
			next_tick += 1000000000ull;
		}
		if (finished(&st, now, &drain_since))
			break;
	}
	atomic_store(&st.stop, true);
	if (!began) { /* stopped inside the warm-up: an empty window */
		sample_all(&conf, r.b0, &r.c0);
		st.measure_ns = now;
	}
	if (!ended) { /* finished early (consume --until-eof): the window ends now */
		sample_all(&conf, r.b1, &r.c1);
		window_end = now;
	}
	kbench_join(&st);
	r.window_s = (double)(window_end - st.measure_ns) / 1e9;
	kh_snapshot(&st.pub, &snaps[4]);
	kh_snapshot(&st.e2e, &snaps[5]);
	json_t *j = result_json(&st, &r, &snaps[4], &snaps[5]);
	print_summary(&st, j);
	int rc = atomic_load(&st.failed) ? 1 : 0;
	if (rc)
		fprintf(stderr, "kbench: %s\n", st.errmsg);
	if (conf.json_path) {
		int flags = JSON_INDENT(1) | JSON_REAL_PRECISION(6);
		if (!strcmp(conf.json_path, "-") ? json_dumpf(j, stdout, flags)
		                                 : json_dump_file(j, conf.json_path, flags)) {
			fprintf(stderr, "kbench: cannot write %s\n", conf.json_path);
			rc = 1;
		}
	}
	json_decref(j);
	free(r.ticks);
	kbench_teardown(&st);
	return rc;
}

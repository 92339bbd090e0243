/* main.c — `kbroker CONFIG_FILE [--override key=value]...`, like kafka-server-start.sh.
 *
 * Startup: load and validate the config (an invalid value stops here with key and
 * file:line) → raise the open-file limit → bind listeners → ZooKeeper session, registration
 * → accept connections. SIGINT/SIGTERM: stop accepting, close connections, close the
 * ZooKeeper session (our ephemeral registration goes at once), exit 0. */
#include "../../common/limits.h"
#include "../../common/say.h"
#include "../../conf/topic_conf.h"
#include "broker.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define KBROKER_VERSION "0.1.0"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: kbroker CONFIG_FILE [--override key=value]...\n"
	        "       kbroker --help-config          every config key: type, bounds, default, doc\n"
	        "       kbroker --help-topic-config    every topic config (Kafka 3.9's): the same\n"
	        "       kbroker --print-example-config a documented server.properties\n"
	        "       kbroker --version\n");
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	KB_UNUSED(what);
	struct broker *b = arg;
	say_info("server", "signal %d: shutting down", (int)sig);
	event_base_loopbreak(b->base);
}

static void raise_nofile_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Parses argv into the config file and override list. Returns 0, 1 (handled: exit 0), or -1. */
static int parse_args(int argc, char **argv, const char **path, char **overrides, int *nover)
{
	*nover = 0;
	*path = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 1;
		} else if (strcmp(a, "--help-config") == 0) {
			conf_print_help(stdout);
			return 1;
		} else if (strcmp(a, "--help-topic-config") == 0) {
			topic_conf_print_help(stdout);
			return 1;
		} else if (strcmp(a, "--print-example-config") == 0) {
			conf_print_example(stdout);
			return 1;
		} else if (strcmp(a, "--version") == 0) {
			printf("kbroker %s\n", KBROKER_VERSION);
			return 1;
		} else if (strcmp(a, "--override") == 0 && i + 1 < argc) {
			overrides[(*nover)++] = argv[++i];
		} else if (a[0] != '-' && !*path) {
			*path = a;
		} else {
			fprintf(stderr, "kbroker: unexpected argument '%s'\n", a);
			usage(stderr);
			return -1;
		}
	}
	if (!*path) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The loop checks for new events after KB_LOOP_BACKLOG_SLICE_CALLBACKS backlog callbacks
 * (or KB_LOOP_BACKLOG_SLICE_US), instead of running every active backlog callback first:
 * with hundreds of pipelining connections that was one request each, milliseconds in all,
 * before a fresh request or a follower's fetch was even read. */
static struct event_base *new_event_base(void)
{
	struct event_config *cfg = event_config_new();
	if (!cfg)
		return NULL;
	struct timeval slice = {0, KB_LOOP_BACKLOG_SLICE_US};
	struct event_base *base = NULL;
	if (event_config_set_max_dispatch_interval(cfg, &slice, KB_LOOP_BACKLOG_SLICE_CALLBACKS,
	                                           KB_LOOP_PRIO_BACKLOG) == 0)
		base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	return base;
}

/* Test hook: KB_TEST_SHUTDOWN_PAUSE_MS holds the shutdown right after the signal events are
 * freed, so a test can deliver SIGTERMs exactly there (unset in production). */
static void shutdown_test_pause(void)
{
	const char *v = getenv("KB_TEST_SHUTDOWN_PAUSE_MS");
	int64_t ms = 0;
	if (v && kb_parse_i64(v, 0, 10000, &ms) && ms > 0) {
		struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	if (getenv("KB_DEBUG"))
		say_min_level = SAY_DEBUG;
	const char *path;
	char **overrides = kb_calloc((size_t)argc, sizeof(char *));
	int nover;
	int rc = parse_args(argc, argv, &path, overrides, &nover);
	if (rc != 0) {
		kb_free(overrides);
		return rc > 0 ? 0 : 2;
	}
	struct broker b = {0};
	char err[512];
	if (conf_load(&b.cfg, path, nover, overrides, err, sizeof(err)) < 0) {
		fprintf(stderr, "kbroker: invalid configuration: %s\n", err);
		kb_free(overrides);
		return 2;
	}
	kb_free(overrides);
	raise_nofile_limit();
	signal(SIGPIPE, SIG_IGN);
	b.base = new_event_base();
	if (!b.base || event_base_priority_init(b.base, KB_LOOP_PRIORITIES) < 0) {
		fprintf(stderr, "kbroker: cannot set up the event loop\n");
		return 1;
	}
	/* Ignored before libevent takes them over, so that freeing its signal events at shutdown
	 * restores "ignored", never the default action: a second SIGTERM (impatient supervisors
	 * send several; the integration harness does) must not kill the process halfway through
	 * closing its ZooKeeper session and flushing its logs. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	b.sigint = evsignal_new(b.base, SIGINT, on_signal, &b);
	b.sigterm = evsignal_new(b.base, SIGTERM, on_signal, &b);
	event_add(b.sigint, NULL);
	event_add(b.sigterm, NULL);
	say_info("server", "kbroker %s starting: broker.id=%d zookeeper.connect=%s", KBROKER_VERSION,
	         b.cfg.broker_id, b.cfg.zookeeper_connect);
	if (broker_start(&b) == 0)
		event_base_dispatch(b.base);
	else
		b.exit_code = 1;
	/* Shutting down: freeing libevent's signal events restores SIG_IGN (set above), so more
	 * SIGTERMs are ignored from here on, with no moment where the default action applies. */
	event_free(b.sigint);
	event_free(b.sigterm);
	shutdown_test_pause();
	broker_stop(&b);
	event_base_free(b.base);
	conf_free(&b.cfg);
	say_info("server", "stopped (exit %d)", b.exit_code);
	return b.exit_code;
}

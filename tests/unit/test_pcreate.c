/* test_pcreate.c — server/replica/pcreate.c with a real worker thread, event loop and files:
 * a new log is created off the loop and handed over once ready (WAIT until then, the ready
 * callback once per log); a log no pass asks for any more is handed over as an orphan (only
 * once done, and not while asked for); a creation the file system refuses is FAILED, not
 * announced, and starts over when asked again; logs never taken are closed at the end. */
#include "log_harness.h"

#include "../../server/core/worker.h"
#include "../../server/replica/pcreate.h"

#include <event2/event.h>
#include <string.h>
#include <sys/stat.h>

struct ctx {
	struct event_base *base;
	struct worker *w;
	struct pcreate *pc;
	int ready;
};

static void on_ready(void *arg)
{
	struct ctx *c = arg;
	c->ready++;
	event_base_loopbreak(c->base);
}

static void setup(struct ctx *c)
{
	fixture_setup();
	memset(c, 0, sizeof(*c));
	c->base = event_base_new();
	c->w = worker_start(c->base);
	c->pc = pcreate_new(c->w, on_ready, c);
}

static void teardown(struct ctx *c)
{
	worker_stop(c->w);
	pcreate_free(c->pc);
	event_base_free(c->base);
	fixture_teardown();
}

/* Runs the loop until `n` ready callbacks or every job is done (bounded: 5 s). */
static void wait_ready(struct ctx *c, int n)
{
	for (int i = 0; i < 500 && c->ready < n && worker_pending(c->w) > 0; i++) {
		struct timeval tv = {0, 10000};
		event_base_loopexit(c->base, &tv);
		event_base_dispatch(c->base);
	}
}

static struct pcreate_spec spec_for(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", g_root, name);
	struct pcreate_spec s = {.path = path, .dir_index = 0, .recovery_point = 0,
	                         .log_start = -1};
	log_config_defaults(&s.cfg);
	return s;
}

static void test_created_off_loop_then_taken(void)
{
	struct ctx c;
	setup(&c);
	char path[256];
	struct pcreate_spec s = spec_for("t-0", path, sizeof(path));
	struct plog *log = NULL;
	int di = -1;
	CU_ASSERT_EQUAL(pcreate_take(c.pc, "t", 0, 1, &log, &di), PCREATE_ABSENT);
	pcreate_start(c.pc, "t", 0, &s, 1);
	CU_ASSERT_EQUAL(pcreate_in_dir(c.pc, 0), 1);
	CU_ASSERT_EQUAL(pcreate_in_dir(c.pc, 1), 0);
	wait_ready(&c, 1);
	CU_ASSERT_EQUAL(c.ready, 1);
	CU_ASSERT_TRUE(exists(path));
	CU_ASSERT_EQUAL(pcreate_take(c.pc, "t", 0, 2, &log, &di), PCREATE_OPENED);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_EQUAL(di, 0);
	CU_ASSERT_EQUAL(plog_end_offset(log), 0);
	CU_ASSERT_EQUAL(pcreate_in_dir(c.pc, 0), 0);
	/* Taken: the entry is gone, a new ask starts over. */
	CU_ASSERT_EQUAL(pcreate_take(c.pc, "t", 0, 3, &log, &di), PCREATE_ABSENT);
	plog_close(log);
	teardown(&c);
}

static void test_orphans(void)
{
	struct ctx c;
	setup(&c);
	char p0[256], p1[256];
	struct pcreate_spec s0 = spec_for("t-0", p0, sizeof(p0));
	struct pcreate_spec s1 = spec_for("t-1", p1, sizeof(p1));
	pcreate_start(c.pc, "t", 0, &s0, 1);
	pcreate_start(c.pc, "t", 1, &s1, 1);
	char *topic, *path;
	int32_t id;
	int di;
	struct plog *log;
	/* Still pending: never an orphan, whatever the pass. */
	if (worker_pending(c.w) == 2)
		CU_ASSERT_FALSE(pcreate_orphan(c.pc, 2, &topic, &id, &path, &di, &log));
	wait_ready(&c, 2);
	CU_ASSERT_EQUAL(c.ready, 2);
	/* Pass 2 asks for t-1 only: t-0 is the orphan, handed over once. */
	struct plog *l1 = NULL;
	CU_ASSERT_EQUAL(pcreate_take(c.pc, "t", 1, 2, &l1, &di), PCREATE_OPENED);
	plog_close(l1);
	CU_ASSERT_TRUE_FATAL(pcreate_orphan(c.pc, 2, &topic, &id, &path, &di, &log));
	CU_ASSERT_STRING_EQUAL(topic, "t");
	CU_ASSERT_EQUAL(id, 0);
	CU_ASSERT_STRING_EQUAL(path, p0);
	CU_ASSERT_PTR_NOT_NULL(log);
	plog_close(log);
	kb_free(topic);
	kb_free(path);
	CU_ASSERT_FALSE(pcreate_orphan(c.pc, 2, &topic, &id, &path, &di, &log));
	/* One asked for in the current pass is not an orphan. */
	char p2[256];
	struct pcreate_spec s2 = spec_for("u-0", p2, sizeof(p2));
	pcreate_start(c.pc, "u", 0, &s2, 3);
	wait_ready(&c, 3);
	CU_ASSERT_EQUAL(c.ready, 3);
	CU_ASSERT_FALSE(pcreate_orphan(c.pc, 3, &topic, &id, &path, &di, &log));
	CU_ASSERT_EQUAL(pcreate_take(c.pc, "u", 0, 4, &log, &di), PCREATE_OPENED);
	plog_close(log);
	teardown(&c);
}

static void test_failure_not_announced_and_retried(void)
{
	struct ctx c;
	setup(&c);
	char path[320], blocker[256];
	/* A regular file where the partition's parent directory should be: mkdir fails. */
	snprintf(blocker, sizeof(blocker), "%s/notadir", g_root);
	write_file(blocker, "x", 1, false);
	snprintf(path, sizeof(path), "%s/t-0", blocker);
	struct pcreate_spec s = {.path = path, .dir_index = 0, .log_start = -1};
	log_config_defaults(&s.cfg);
	pcreate_start(c.pc, "t", 0, &s, 1);
	wait_ready(&c, 1);
	CU_ASSERT_EQUAL(c.ready, 0); /* a failure asks for no pass */
	struct plog *log = NULL;
	int di;
	CU_ASSERT_EQUAL(pcreate_take(c.pc, "t", 0, 2, &log, &di), PCREATE_FAILED);
	CU_ASSERT_PTR_NULL(log);
	CU_ASSERT_EQUAL(pcreate_take(c.pc, "t", 0, 3, &log, &di), PCREATE_ABSENT);
	/* Failed entries are dropped, not handed over as orphans. */
	pcreate_start(c.pc, "t", 0, &s, 4);
	wait_ready(&c, 1);
	char *topic, *opath;
	int32_t id;
	CU_ASSERT_FALSE(pcreate_orphan(c.pc, 5, &topic, &id, &opath, &di, &log));
	CU_ASSERT_EQUAL(pcreate_take(c.pc, "t", 0, 6, &log, &di), PCREATE_ABSENT);
	teardown(&c);
}

static void test_untaken_closed_at_free(void)
{
	struct ctx c;
	setup(&c);
	char path[256];
	struct pcreate_spec s = spec_for("t-0", path, sizeof(path));
	pcreate_start(c.pc, "t", 0, &s, 1);
	teardown(&c); /* worker_stop delivers the completion; pcreate_free closes the log */
	CU_ASSERT_EQUAL(c.ready, 1);
}

void suite_pcreate(void);
void suite_pcreate(void)
{
	CU_pSuite s = CU_add_suite("pcreate", NULL, NULL);
	CU_add_test(s, "created off the loop, then taken", test_created_off_loop_then_taken);
	CU_add_test(s, "orphans: done, not asked for, once", test_orphans);
	CU_add_test(s, "a failure is not announced and starts over",
	            test_failure_not_announced_and_retried);
	CU_add_test(s, "logs never taken closed at the end", test_untaken_closed_at_free);
}

/* pid_block.c — producer-id blocks from ZooKeeper, as Kafka's ZK-mode ProducerIdManager takes
 * them (fact sheet §A1): read /latest_producer_id_block with its zkVersion, write the next
 * block {"version":1,"broker":<id>,"block_start":"<n>","block_end":"<n+999>"} conditional on
 * that version; on BADVERSION (another broker took a block meanwhile) read again and retry, so
 * two brokers never hand out the same ids even when they race. An empty znode means no block
 * was ever taken: the first is 0..999. A missing znode is created with the first block
 * (NODEEXISTS: retry). Everything runs on the loop through the async C binding. */
#include "coord_int.h"

#include "../common/say.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PID_BLOCK_PATH "/latest_producer_id_block"
#define PID_BLOCK_MAX_RETRIES 100 /* conflicts in a row before giving up (then retried later) */

struct pid_take {
	struct coord *c;
	coord_pid_block_fn done;
	void *arg;
	int64_t start, end;
	char *json;
	int retries;
};

static void take_read(struct pid_take *t);

static void take_finish(struct pid_take *t, int rc)
{
	t->done(t->arg, rc, t->start, t->end);
	kb_free(t->json);
	kb_free(t);
}

/* A block end from the JSON: Kafka writes a string; a number is accepted too. */
static bool json_long(json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return false;
	*out = (int64_t)x;
	return true;
}

int pid_block_decode(const char *data, size_t len, int64_t *block_end)
{
	if (len == 0) {
		*block_end = -1; /* no block taken yet */
		return 0;
	}
	json_error_t e;
	json_t *o = json_loadb(data, len, 0, &e);
	int64_t end;
	int rc = o && json_is_object(o) && json_long(json_object_get(o, "block_end"), &end) &&
	                 end >= -1 ? 0 : -1;
	if (rc == 0)
		*block_end = end;
	json_decref(o);
	return rc;
}

char *pid_block_encode(int32_t broker, int64_t start, int64_t end)
{
	char buf[160];
	snprintf(buf, sizeof(buf),
	         "{\"version\":1,\"broker\":%" PRId32 ",\"block_start\":\"%" PRId64
	         "\",\"block_end\":\"%" PRId64 "\"}",
	         broker, start, end);
	return kb_strdup(buf);
}

static void retry_or_fail(struct pid_take *t, int rc)
{
	if (++t->retries > PID_BLOCK_MAX_RETRIES) {
		say_warn("coord", "%s: gave up after %d conflicts", PID_BLOCK_PATH, t->retries - 1);
		take_finish(t, -1);
		return;
	}
	KB_UNUSED(rc);
	take_read(t);
}

static void take_written(int rc, const struct Stat *st, const void *data)
{
	KB_UNUSED(st);
	struct pid_take *t = (struct pid_take *)data;
	if (rc == ZCLOSING) { /* shutting down: nobody waits any more */
		kb_free(t->json);
		kb_free(t);
	} else if (rc == ZOK) {
		take_finish(t, 0);
	} else if (rc == ZBADVERSION) {
		retry_or_fail(t, rc);
	} else {
		say_warn("coord", "writing %s: %s", PID_BLOCK_PATH, zerror(rc));
		take_finish(t, -1);
	}
}

static void take_created(int rc, const char *value, const void *data)
{
	KB_UNUSED(value);
	struct pid_take *t = (struct pid_take *)data;
	if (rc == ZNODEEXISTS) {
		retry_or_fail(t, rc);
		return;
	}
	take_written(rc, NULL, data);
}

static void take_data(int rc, const char *value, int len, const struct Stat *st,
                      const void *data)
{
	struct pid_take *t = (struct pid_take *)data;
	struct coord *c = t->c;
	char buf[1024];
	const char *path = coord_path(c, PID_BLOCK_PATH, buf, sizeof(buf));
	int64_t prev_end = -1;
	if (rc == ZCLOSING) {
		kb_free(t->json);
		kb_free(t);
		return;
	}
	if (rc != ZOK && rc != ZNONODE) {
		say_warn("coord", "reading %s: %s", PID_BLOCK_PATH, zerror(rc));
		take_finish(t, -1);
		return;
	}
	if (rc == ZOK && pid_block_decode(value, len > 0 ? (size_t)len : 0, &prev_end) < 0) {
		say_warn("coord", "%s holds malformed JSON: no producer ids", PID_BLOCK_PATH);
		take_finish(t, -1);
		return;
	}
	if (prev_end > INT64_MAX - 2 * PID_BLOCK_SIZE) {
		say_error("coord", "producer ids exhausted (%s ends at %" PRId64 ")", PID_BLOCK_PATH,
		          prev_end);
		take_finish(t, -1);
		return;
	}
	t->start = prev_end + 1;
	t->end = t->start + PID_BLOCK_SIZE - 1;
	kb_free(t->json);
	t->json = pid_block_encode(c->cfg.broker_id, t->start, t->end);
	int zrc = rc == ZNONODE
	                  ? zoo_acreate(zk_handle(c->zk), path, t->json, (int)strlen(t->json),
	                                &ZOO_OPEN_ACL_UNSAFE, 0, take_created, t)
	                  : zoo_aset(zk_handle(c->zk), path, t->json, (int)strlen(t->json),
	                             st->version, take_written, t);
	if (zrc != ZOK) {
		take_finish(t, -1);
		return;
	}
	zk_kick(c->zk);
}

static void take_read(struct pid_take *t)
{
	char buf[1024];
	if (zoo_aget(zk_handle(t->c->zk), coord_path(t->c, PID_BLOCK_PATH, buf, sizeof(buf)), 0,
	             take_data, t) != ZOK) {
		take_finish(t, -1);
		return;
	}
	zk_kick(t->c->zk);
}

void coord_take_pid_block(struct coord *c, coord_pid_block_fn done, void *arg)
{
	struct pid_take *t = kb_calloc(1, sizeof(*t));
	*t = (struct pid_take){.c = c, .done = done, .arg = arg, .start = -1, .end = -1};
	take_read(t);
}

/* topic_admin.c — topic writes to ZooKeeper (see topic_admin.h). Every write here is one
 * ZooKeeper multi-op (atomic), optionally led by the controller-epoch check. */
#include "topic_admin.h"
#include "election.h"

#include "../common/kerr.h"
#include "../common/limits.h"
#include "../common/say.h"

#include <stdio.h>
#include <string.h>

enum { MAX_OPS = 4 };

/* One multi-op in flight: ops, results and every buffer they point at live until it
 * completes (the client fills results, and stats of setData ops, at completion). */
struct txn {
	struct zk *z;
	int n;
	zoo_op_t ops[MAX_OPS];
	zoo_op_result_t results[MAX_OPS];
	struct Stat stats[MAX_OPS];
	char *bufs[2 * MAX_OPS];
	int nbufs;
	topic_admin_cb cb;
	void *arg;
	/* topic_admin_create retries with setData when only the config node existed */
	char *retry_name;
	char *retry_assignment;
	char *retry_config;
	bool fenced;
	int32_t epoch_version;
};

int16_t topic_admin_error(int zrc)
{
	switch (zrc) {
	case ZOK:
		return KERR_NONE;
	case ZNODEEXISTS:
		return KERR_TOPIC_ALREADY_EXISTS;
	case ZNONODE:
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	case ZBADVERSION:
		return KERR_NOT_CONTROLLER; /* the fence (or a concurrent change) failed */
	default:
		return KERR_UNKNOWN_SERVER_ERROR;
	}
}

static char *keep(struct txn *t, char *s)
{
	KB_ASSERT(t->nbufs < 2 * MAX_OPS);
	t->bufs[t->nbufs++] = s;
	return s;
}

static const char *full_path(struct txn *t, const char *rel)
{
	char buf[1024];
	return keep(t, kb_strdup(zk_path(t->z, rel, buf, sizeof(buf))));
}

static struct txn *txn_new(struct zk *z, const struct zk_fence *f, topic_admin_cb cb, void *arg)
{
	struct txn *t = kb_calloc(1, sizeof(*t));
	t->z = z;
	t->cb = cb;
	t->arg = arg;
	t->fenced = f && f->epoch_version >= 0;
	t->epoch_version = f ? f->epoch_version : -1;
	if (t->fenced)
		zoo_check_op_init(&t->ops[t->n++], full_path(t, "/controller_epoch"), f->epoch_version);
	return t;
}

static void txn_free(struct txn *t)
{
	for (int i = 0; i < t->nbufs; i++)
		kb_free(t->bufs[i]);
	kb_free(t->retry_name);
	kb_free(t->retry_assignment);
	kb_free(t->retry_config);
	kb_free(t);
}

static void txn_create(struct txn *t, const char *rel, char *data)
{
	keep(t, data);
	zoo_create_op_init(&t->ops[t->n++], full_path(t, rel), data, (int)strlen(data),
	                   &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
}

static void txn_set(struct txn *t, const char *rel, char *data, int32_t version)
{
	keep(t, data);
	int i = t->n++;
	zoo_set_op_init(&t->ops[i], full_path(t, rel), data, (int)strlen(data), version, &t->stats[i]);
}

static void txn_send(struct txn *t, void_completion_t done);

/* First failing op of a failed multi; its code is the one to report. */
static int failing_op(const struct txn *t, int *which)
{
	for (int i = 0; i < t->n; i++)
		if (t->results[i].err != ZOK && t->results[i].err != ZRUNTIMEINCONSISTENCY) {
			*which = i;
			return t->results[i].err;
		}
	*which = -1;
	return ZSYSTEMERROR;
}

static void report(struct txn *t, int rc)
{
	if (rc == ZCLOSING) {
		if (t->cb)
			t->cb(TOPIC_ADMIN_CLOSING, "the ZooKeeper session is closing", t->arg);
		return;
	}
	int which = -1;
	int zrc = rc == ZOK ? ZOK : failing_op(t, &which);
	if (rc != ZOK && which < 0)
		zrc = rc; /* the whole multi failed (connection loss, ...) */
	int16_t err = topic_admin_error(zrc);
	char msg[256] = "";
	if (t->fenced && which == 0 && zrc == ZBADVERSION)
		snprintf(msg, sizeof(msg), "this broker is no longer the controller");
	else if (zrc == ZBADVERSION && which > 0)
		err = TOPIC_ADMIN_CONFLICT; /* only a versioned setData can fail so */
	else if (zrc != ZOK)
		snprintf(msg, sizeof(msg), "ZooKeeper: %s", zerror(zrc));
	else
		err = 0;
	if (t->cb)
		t->cb(err, msg[0] ? msg : NULL, t->arg);
}

static void created(int rc, const void *data)
{
	struct txn *t = (struct txn *)data;
	int which = -1;
	if (rc != ZOK && rc != ZCLOSING && failing_op(t, &which) == ZNODEEXISTS &&
	    which == t->n - 1 && t->retry_name) {
		/* Only /config/topics/<t> existed (left from an earlier topic): overwrite it. */
		struct txn *r = txn_new(t->z, &(struct zk_fence){t->epoch_version}, t->cb, t->arg);
		char rel[600];
		snprintf(rel, sizeof(rel), "/brokers/topics/%s", t->retry_name);
		txn_create(r, rel, t->retry_assignment);
		t->retry_assignment = NULL;
		snprintf(rel, sizeof(rel), "/config/topics/%s", t->retry_name);
		txn_set(r, rel, t->retry_config, -1);
		t->retry_config = NULL;
		txn_send(r, created);
		txn_free(t);
		return;
	}
	report(t, rc);
	txn_free(t);
}

static void done(int rc, const void *data)
{
	struct txn *t = (struct txn *)data;
	report(t, rc);
	txn_free(t);
}

static void txn_send(struct txn *t, void_completion_t completion)
{
	int rc = zoo_amulti(zk_handle(t->z), t->n, t->ops, t->results, completion, t);
	if (rc != ZOK) {
		if (t->cb)
			t->cb(KERR_UNKNOWN_SERVER_ERROR, zerror(rc), t->arg);
		txn_free(t);
		return;
	}
	zk_kick(t->z);
}

/* A cheap upper bound first: "<id>":[<replica>,...], with every number at most 11 bytes. */
bool topic_admin_assignment_fits(const struct md_partition *parts, int n)
{
	int64_t bound = 256;
	for (int i = 0; i < n; i++)
		bound += 16 + 12 * (int64_t)parts[i].nreplicas;
	if (bound <= KB_ZK_MAX_WRITE_BYTES)
		return true;
	static const uint8_t no_id[16];
	char *json = md_assignment_encode(parts, n, no_id);
	bool fits = strlen(json) <= KB_ZK_MAX_WRITE_BYTES;
	kb_free(json);
	return fits;
}

static bool refuse_large(const struct md_partition *parts, int n, topic_admin_cb cb, void *arg)
{
	if (topic_admin_assignment_fits(parts, n))
		return false;
	if (cb)
		cb(KERR_POLICY_VIOLATION, "the assignment is larger than a ZooKeeper write may be",
		   arg);
	return true;
}

void topic_admin_create(struct zk *z, const struct zk_fence *f, const char *name,
                        const struct md_partition *parts, int n, const uint8_t topic_id[16],
                        const struct md_config_entry *cfg, int ncfg, topic_admin_cb cb,
                        void *arg)
{
	if (refuse_large(parts, n, cb, arg))
		return;
	struct txn *t = txn_new(z, f, cb, arg);
	char rel[600];
	snprintf(rel, sizeof(rel), "/brokers/topics/%s", name);
	txn_create(t, rel, md_assignment_encode(parts, n, topic_id));
	snprintf(rel, sizeof(rel), "/config/topics/%s", name);
	txn_create(t, rel, md_config_encode(cfg, ncfg));
	t->retry_name = kb_strdup(name);
	t->retry_assignment = md_assignment_encode(parts, n, topic_id);
	t->retry_config = md_config_encode(cfg, ncfg);
	txn_send(t, created);
}

int topic_admin_create_placed(struct zk *z, const struct md_cache *md, const char *name,
                              int32_t n, int16_t rf, const struct md_config_entry *cfg,
                              int ncfg, topic_admin_cb cb, void *arg, char *err,
                              size_t errlen)
{
	struct md_partition *parts = NULL;
	if (md_place(md, n, rf, -1, 0, &parts, err, errlen) < 0)
		return -1;
	uint8_t id[16];
	md_uuid_generate(id);
	topic_admin_create(z, NULL, name, parts, n, id, cfg, ncfg, cb, arg);
	md_parts_free(parts, n);
	return 0;
}

void topic_admin_set_assignment(struct zk *z, const struct zk_fence *f, const char *name,
                                const struct md_partition *parts, int n,
                                const uint8_t topic_id[16], int32_t version, topic_admin_cb cb,
                                void *arg)
{
	if (refuse_large(parts, n, cb, arg))
		return;
	struct txn *t = txn_new(z, f, cb, arg);
	char rel[600];
	snprintf(rel, sizeof(rel), "/brokers/topics/%s", name);
	txn_set(t, rel, md_assignment_encode(parts, n, topic_id), version);
	txn_send(t, done);
}

static void marked(int rc, const void *data)
{
	struct txn *t = (struct txn *)data;
	int which;
	if (rc != ZOK && rc != ZCLOSING && failing_op(t, &which) == ZNODEEXISTS) {
		if (t->cb)
			t->cb(0, NULL, t->arg); /* already marked for deletion */
		txn_free(t);
		return;
	}
	done(rc, data);
}

void topic_admin_mark_delete(struct zk *z, const char *name, topic_admin_cb cb, void *arg)
{
	struct txn *t = txn_new(z, NULL, cb, arg);
	char rel[600];
	snprintf(rel, sizeof(rel), "/admin/delete_topics/%s", name);
	txn_create(t, rel, kb_strdup(""));
	txn_send(t, marked);
}

static void config_set(int rc, const void *data)
{
	struct txn *t = (struct txn *)data;
	int which;
	if (rc != ZOK && rc != ZCLOSING && failing_op(t, &which) == ZNONODE && t->retry_name) {
		struct txn *r = txn_new(t->z, &(struct zk_fence){t->epoch_version}, t->cb, t->arg);
		char rel[600];
		snprintf(rel, sizeof(rel), "/config/topics/%s", t->retry_name);
		txn_create(r, rel, t->retry_config);
		t->retry_config = NULL;
		txn_send(r, done);
		txn_free(t);
		return;
	}
	done(rc, data);
}

void topic_admin_set_config(struct zk *z, const struct zk_fence *f, const char *name,
                            const struct md_config_entry *cfg, int n, topic_admin_cb cb,
                            void *arg)
{
	struct txn *t = txn_new(z, f, cb, arg);
	char rel[600];
	snprintf(rel, sizeof(rel), "/config/topics/%s", name);
	txn_set(t, rel, md_config_encode(cfg, n), -1);
	t->retry_name = kb_strdup(name);
	t->retry_config = md_config_encode(cfg, n);
	txn_send(t, config_set);
}

void topic_admin_create_node(struct zk *z, const char *rel_path, const char *data,
                             topic_admin_cb cb, void *arg)
{
	struct txn *t = txn_new(z, NULL, cb, arg);
	txn_create(t, rel_path, kb_strdup(data));
	txn_send(t, done);
}

/* ---- Reading an assignment ------------------------------------------------------------ */

struct read_ctx {
	topic_admin_read_cb cb;
	void *arg;
};

static void assignment_read(int rc, const char *value, int len, const struct Stat *st,
                            const void *data)
{
	struct read_ctx *x = (struct read_ctx *)data;
	struct md_partition *parts = NULL;
	int n = 0;
	uint8_t id[16] = {0};
	if (rc == ZCLOSING)
		x->cb(TOPIC_ADMIN_CLOSING, "the ZooKeeper session is closing", NULL, 0, id, -1, x->arg);
	else if (rc == ZNONODE)
		x->cb(KERR_UNKNOWN_TOPIC_OR_PARTITION, "the topic does not exist", NULL, 0, id, -1,
		      x->arg);
	else if (rc != ZOK)
		x->cb(KERR_UNKNOWN_SERVER_ERROR, zerror(rc), NULL, 0, id, -1, x->arg);
	else if (len <= 0 || md_assignment_decode(value, (size_t)len, &parts, &n, id) < 0)
		x->cb(KERR_UNKNOWN_SERVER_ERROR, "the topic's assignment znode is malformed", NULL, 0,
		      id, -1, x->arg);
	else
		x->cb(KERR_NONE, NULL, parts, n, id, st->version, x->arg);
	for (int i = 0; i < n; i++)
		kb_free(parts[i].replicas);
	kb_free(parts);
	kb_free(x);
}

void topic_admin_read_assignment(struct zk *z, const char *name, topic_admin_read_cb cb,
                                 void *arg)
{
	char rel[600], buf[1024];
	snprintf(rel, sizeof(rel), "/brokers/topics/%s", name);
	struct read_ctx *x = kb_malloc(sizeof(*x));
	*x = (struct read_ctx){cb, arg};
	int rc = zoo_aget(zk_handle(z), zk_path(z, rel, buf, sizeof(buf)), 0, assignment_read, x);
	if (rc != ZOK) {
		uint8_t id[16] = {0};
		kb_free(x);
		cb(KERR_UNKNOWN_SERVER_ERROR, zerror(rc), NULL, 0, id, -1, arg);
		return;
	}
	zk_kick(z);
}

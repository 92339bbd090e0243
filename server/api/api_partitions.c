/* api_partitions.c — CreatePartitions (37), on the controller only.
 *
 * The controller decides from what ZooKeeper holds, not from its metadata cache, which may
 * not show yet a topic just created (CreateTopics with timeout 0 answers once the znodes are
 * written) or may show it with fewer partitions than it has: for each topic it reads
 * /brokers/topics/<t> with its zkVersion, computes the new assignment from that (existing
 * partitions unchanged, new ones placed or taken from the request), and writes it fenced by
 * the controller epoch and conditional on that version. A conflicting write (someone changed
 * the assignment between the read and the write) is retried from a fresh read, at most
 * KB_CREATE_PARTITIONS_MAX_CONFLICTS times.
 *
 * As in Kafka: a topic named twice in one request gets INVALID_REQUEST (each time), a topic
 * queued for deletion INVALID_TOPIC_EXCEPTION, an unknown one UNKNOWN_TOPIC_OR_PARTITION.
 * The answer then waits (up to the request's timeout) for the new partitions' leaders.
 * ALTER on each topic is required (after the duplicate check, as Kafka): TOPIC_AUTHORIZATION_FAILED. */
#include "api_admin.h"

#include "../../common/limits.h"
#include "../core/admin_op.h"
#include "api_authz.h"

#include <stdio.h>
#include <string.h>

/* Conflicting assignment writes in a row before an item gives up (REQUEST_TIMED_OUT). */
#define KB_CREATE_PARTITIONS_MAX_CONFLICTS 10

struct partitions_state {
	int32_t timeout_ms;
	struct CreatePartitionsTopicResult *res;
	int32_t *counts;
	bool *waiting;
	int n;
	struct budget bud;
	struct zk_fence fence;   /* taken when the request arrived, kept for every write */
	bool validate_only;
	struct grow **queue;     /* the topics to read, started KB_ADMIN_READS_PER_REQUEST at a
	                          * time: each one ending starts the next */
	int nqueue, next;
};

/* One topic's read → compute → write chain; ends by calling done exactly once. */
struct grow {
	struct kreq *r;
	struct partitions_state *s;
	const struct CreatePartitionsTopic *in;
	const char *name;
	int idx;
	void (*done)(int16_t, const char *, void *);
	void *done_arg;
	int conflicts;
	int32_t granted;         /* partitions taken from the request's budget */
};

static void partitions_set_error(struct kreq *r, void *st, int idx, int16_t error, const char *m)
{
	struct partitions_state *s = st;
	s->res[idx].ErrorCode = error;
	s->res[idx].ErrorMessage = adm_msg(r, m);
	s->waiting[idx] = error == 0 && !s->validate_only; /* a validation writes nothing */
}

static bool grown(struct kreq *r, void *st, int i)
{
	struct partitions_state *s = st;
	const struct md_cache *md = coord_metadata(r->b->coord);
	return adm_topic_ready(r, md, md_find_topic(md, adm_cstr(r, s->res[i].Name)), s->counts[i]);
}

static int16_t *partitions_error(void *st, int i)
{
	return &((struct partitions_state *)st)->res[i].ErrorCode;
}

static bool partitions_ready(struct kreq *r, void *st, bool timed_out)
{
	struct partitions_state *s = st;
	struct settle x = {s->waiting, s->n, s->timeout_ms, grown, partitions_error};
	return adm_settle_items(r, st, &x, timed_out);
}

/* The new partitions alone: the request's explicit assignments, or Kafka-style placement. */
static int16_t new_partitions(struct kreq *r, const struct CreatePartitionsTopic *t, int add,
                              int16_t rf, struct md_partition **added, char *m, size_t mlen)
{
	if (t->Assignments.count < 0) {
		char err[160];
		if (md_place(coord_metadata(r->b->coord), add, rf, -1, 0, added, err, sizeof(err)) < 0)
			return adm_fail(m, mlen, KERR_INVALID_REPLICA_ASSIGNMENT, err);
		return 0;
	}
	if (t->Assignments.count != add)
		return adm_fail(m, mlen, KERR_INVALID_REPLICA_ASSIGNMENT,
		                "give one assignment per new partition");
	struct CreatableReplicaAssignment *a =
	        arena_alloc(&r->arena, sizeof(*a) * ((size_t)add + 1));
	if (!a)
		return adm_fail(m, mlen, KERR_INVALID_REQUEST, "out of request memory");
	const struct CreatePartitionsAssignment *in = t->Assignments.elems;
	for (int i = 0; i < add; i++)
		a[i] = (struct CreatableReplicaAssignment){i, in[i].BrokerIds};
	struct kp_array as = {a, add};
	int16_t code = adm_check_assignment(coord_metadata(r->b->coord), &as, added, m, mlen);
	if (code) {
		md_parts_free(*added, add);
		*added = NULL;
	}
	return code;
}

/* The whole new assignment from the one read in ZooKeeper (old partitions unchanged), into
 * *all (t->Count entries, heap). */
static int16_t compute(struct grow *g, const struct md_partition *old_parts, int old,
                       struct md_partition **all, char *m, size_t mlen)
{
	const struct CreatePartitionsTopic *t = g->in;
	*all = NULL;
	if (t->Count <= old) {
		snprintf(m, mlen, "the topic has %d partitions; the count can only grow", old);
		return KERR_INVALID_PARTITIONS;
	}
	int add = t->Count - old; /* after the check: Count may be INT32_MIN */
	int16_t code = adm_budget_check(&g->s->bud, t->Count, add, m, mlen);
	if (code)
		return code;
	g->s->bud.granted += add; /* taken now: a validation answers what the request would */
	g->granted = add;
	struct md_partition *added = NULL;
	int16_t rf = (int16_t)(old > 0 ? old_parts[0].nreplicas : 1);
	code = new_partitions(g->r, t, add, rf, &added, m, mlen);
	if (code)
		return code;
	*all = kb_calloc((size_t)t->Count, sizeof(**all));
	for (int i = 0; i < old; i++) {
		(*all)[i] = old_parts[i];
		(*all)[i].replicas = kb_calloc((size_t)old_parts[i].nreplicas + 1, sizeof(int32_t));
		memcpy((*all)[i].replicas, old_parts[i].replicas,
		       (size_t)old_parts[i].nreplicas * sizeof(int32_t));
	}
	for (int i = 0; i < add; i++) {
		(*all)[old + i] = added[i];
		(*all)[old + i].id = old + i;
	}
	kb_free(added);
	return adm_check_fits(*all, t->Count, m, mlen);
}

static void grow_read(struct grow *g);

/* The next waiting topic is started before this one reports: its report may be the
 * request's last, after which the state (in the request's arena) is gone. */
static void grow_end(struct grow *g, int16_t error, const char *message)
{
	struct partitions_state *s = g->s;
	if (s->next < s->nqueue)
		grow_read(s->queue[s->next++]);
	g->done(error, message, g->done_arg);
	kb_free(g);
}

static void grow_written(int16_t error, const char *message, void *arg)
{
	struct grow *g = arg;
	if (error != TOPIC_ADMIN_CONFLICT) {
		grow_end(g, error, message);
		return;
	}
	g->s->bud.granted -= g->granted; /* read again, compute again */
	g->s->bud.asked -= g->granted;
	g->granted = 0;
	if (++g->conflicts > KB_CREATE_PARTITIONS_MAX_CONFLICTS) {
		char m[160];
		snprintf(m, sizeof(m), "the topic's assignment changed under %d writes in a row",
		         g->conflicts);
		grow_end(g, KERR_REQUEST_TIMED_OUT, m);
		return;
	}
	grow_read(g);
}

static void grow_have(int16_t error, const char *message, const struct md_partition *parts,
                      int n, const uint8_t topic_id[16], int32_t version, void *arg)
{
	struct grow *g = arg;
	if (error) {
		grow_end(g, error, message);
		return;
	}
	char m[256] = "";
	struct md_partition *all = NULL;
	int16_t code = compute(g, parts, n, &all, m, sizeof(m));
	if (code || g->s->validate_only) {
		if (all)
			md_parts_free(all, g->in->Count);
		grow_end(g, code, code ? m : NULL);
		return;
	}
	topic_admin_set_assignment(coord_zk(g->r->b->coord), &g->s->fence, g->name, all,
	                           g->in->Count, topic_id, version, grow_written, g);
	md_parts_free(all, g->in->Count);
}

static void grow_read(struct grow *g)
{
	topic_admin_read_assignment(coord_zk(g->r->b->coord), g->name, grow_have, g);
}

static bool named_twice(const struct CreatePartitionsTopic *in, int n, int i)
{
	for (int k = 0; k < n; k++)
		if (k != i && kp_str_eq(in[k].Name, in[i].Name))
			return true;
	return false;
}

static bool queued_for_deletion(const struct md_cache *md, const char *name)
{
	const struct md_topic *t = md_find_topic(md, name);
	if (t && t->deleting)
		return true;
	for (int i = 0; i < md->ndeleting; i++)
		if (strcmp(md->deleting[i], name) == 0)
			return true;
	return false;
}

/* What is refused before reading anything (0: go and read). */
static int16_t precheck(struct kreq *r, const struct CreatePartitionsTopic *in, int n, int i,
                        const char *name, char *m, size_t mlen)
{
	if (!coord_is_controller(r->b->coord))
		return adm_fail(m, mlen, KERR_NOT_CONTROLLER, "not the controller");
	if (n > KB_MAX_TOPICS_PER_ADMIN_REQUEST)
		return adm_fail(m, mlen, KERR_INVALID_REQUEST, ADM_TOO_MANY_TOPICS);
	if (named_twice(in, n, i))
		return adm_fail(m, mlen, KERR_INVALID_REQUEST, "duplicate topic in request");
	if (az_topic(r, ACL_OP_ALTER, in[i].Name))
		return adm_fail(m, mlen, KERR_TOPIC_AUTHORIZATION_FAILED,
		                "The topic authorization is failed.");
	if (queued_for_deletion(coord_metadata(r->b->coord), name))
		return adm_fail(m, mlen, KERR_INVALID_TOPIC_EXCEPTION,
		                "the topic is queued for deletion");
	if (in[i].Count > KB_MAX_PARTITIONS_PER_TOPIC) /* before anything is read or placed */
		return adm_fail(m, mlen, KERR_INVALID_PARTITIONS, "too many partitions for a topic");
	return 0;
}

enum handler_result handle_create_partitions(struct kreq *r)
{
	const struct CreatePartitionsRequest *req = r->req;
	struct CreatePartitionsResponse *resp = r->resp;
	const struct CreatePartitionsTopic *in = req->Topics.elems;
	int n = req->Topics.count;
	struct partitions_state *s = arena_alloc(&r->arena, sizeof(*s));
	if (!s)
		return H_CLOSE;
	*s = (struct partitions_state){.timeout_ms = req->TimeoutMs, .n = n,
	                               .bud = adm_budget_new(r), .fence = adm_fence(r),
	                               .validate_only = req->ValidateOnly};
	s->res = kreq_array(r, &resp->Results, n, sizeof(*s->res));
	s->counts = arena_alloc(&r->arena, sizeof(int32_t) * ((size_t)n + 1));
	s->waiting = arena_alloc(&r->arena, (size_t)n + 1);
	s->queue = arena_alloc(&r->arena, sizeof(*s->queue) * ((size_t)n + 1));
	if (!s->res || !s->counts || !s->waiting || !s->queue)
		return H_CLOSE;
	struct admin_op *op = admin_op_new(r, req->TimeoutMs, s, partitions_set_error,
	                                   partitions_ready);
	for (int i = 0; i < n; i++) {
		char m[256] = "", *name = adm_cstr(r, in[i].Name);
		s->res[i] = (struct CreatePartitionsTopicResult){in[i].Name, 0, KP_STR_NULL};
		s->counts[i] = in[i].Count;
		s->waiting[i] = false;
		int16_t code = name ? precheck(r, in, n, i, name, m, sizeof(m))
		                    : adm_fail(m, sizeof(m), KERR_INVALID_REQUEST, "out of memory");
		s->res[i].ErrorCode = code;
		s->res[i].ErrorMessage = code ? adm_msg(r, m) : KP_STR_NULL;
		if (code)
			continue;
		struct grow *g = kb_calloc(1, sizeof(*g));
		*g = (struct grow){.r = r, .s = s, .in = &in[i], .name = name, .idx = i};
		admin_op_write(op, i, &g->done, &g->done_arg); /* counted now: none ends the op */
		s->queue[s->nqueue++] = g;
	}
	while (s->next < s->nqueue && s->next < KB_ADMIN_READS_PER_REQUEST)
		grow_read(s->queue[s->next++]);
	return admin_op_start(op);
}

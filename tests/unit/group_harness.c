/* group_harness.c — see group_harness.h: the fixture, then the steps the group test files share. */
#include "group_harness.h"

#include "../../common/kerr.h"

#include <string.h>

static int64_t fx_now(void *arg)
{
	return ((struct fx *)arg)->now;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = kb_malloc(n + 1);
	if (n)
		memcpy(d, p, n);
	return d;
}

static int16_t fx_append_any(struct fx *f, uint64_t token, const struct group_append_rec *recs,
                             int n, int64_t pid, int16_t epoch)
{
	if (f->append_fail)
		return f->append_fail;
	KB_ASSERT(f->npend < FX_MAX);
	struct fx_append *a = &f->pend[f->npend++];
	a->token = token;
	a->appended = n;
	a->n = n <= 16 ? n : 0;
	a->epoch = epoch;
	for (int i = 0; i < a->n; i++) {
		a->recs[i].key = dup_bytes(recs[i].key, recs[i].key_len);
		a->recs[i].klen = recs[i].key_len;
		a->recs[i].value = recs[i].value ? dup_bytes(recs[i].value, recs[i].value_len) : NULL;
		a->recs[i].vlen = recs[i].value_len;
		a->recs[i].batch = (struct group_load_batch){pid, pid >= 0, false};
	}
	return KERR_NONE;
}

static int16_t fx_append_cb(void *arg, uint64_t token, const struct group_append_rec *recs, int n)
{
	return fx_append_any(arg, token, recs, n, -1, -1);
}

static int16_t fx_append_txn_cb(void *arg, uint64_t token, const struct group_append_rec *recs,
                                int n, int64_t pid, int16_t epoch)
{
	return fx_append_any(arg, token, recs, n, pid, epoch);
}

static void copy_str(char *dst, size_t cap, struct kp_str s)
{
	size_t n = s.len > 0 ? KB_MIN((size_t)s.len, cap - 1) : 0;
	if (n)
		memcpy(dst, s.ptr, n);
	dst[n] = 0;
}

static void fx_join_cb(void *arg, void *handle, const struct group_join_result *r)
{
	struct fx *f = arg;
	KB_ASSERT(f->njoins < FX_MAX);
	struct fx_join *j = &f->joins[f->njoins++];
	j->handle = (intptr_t)handle;
	j->error = r->error;
	j->generation = r->generation_id;
	copy_str(j->member_id, sizeof(j->member_id), r->member_id);
	copy_str(j->leader, sizeof(j->leader), r->leader);
	copy_str(j->protocol, sizeof(j->protocol), r->protocol_name);
	j->protocol_null = r->protocol_name.len < 0;
	j->skip = r->skip_assignment;
	j->nmembers = r->nmembers;
}

static void fx_sync_cb(void *arg, void *handle, const struct group_sync_result *r)
{
	struct fx *f = arg;
	KB_ASSERT(f->nsyncs < FX_MAX);
	struct fx_sync *s = &f->syncs[f->nsyncs++];
	s->handle = (intptr_t)handle;
	s->error = r->error;
	s->alen = r->assignment.len;
	copy_str(s->assignment, sizeof(s->assignment),
	         (struct kp_str){(const char *)r->assignment.ptr, r->assignment.len});
}

static void fx_commit_cb(void *arg, void *handle, int16_t err)
{
	struct fx *f = arg;
	KB_ASSERT(f->ncommits < FX_MAX);
	f->commit_handle[f->ncommits] = (intptr_t)handle;
	f->commit_err[f->ncommits++] = err;
}

void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->now = 1000000;
	f->cfg = (struct group_config){.min_session_timeout_ms = 6000,
	                               .max_session_timeout_ms = 1800000,
	                               .initial_rebalance_delay_ms = 3000,
	                               .max_size = 1000,
	                               .offset_metadata_max_bytes = 4096,
	                               .offsets_retention_ms = 7LL * 24 * 3600 * 1000,
	                               .seed = 42};
}

struct group_coord *fx_new_coord(struct fx *f)
{
	struct group_io io = {f, fx_now, fx_append_cb, fx_join_cb, fx_sync_cb, fx_commit_cb,
	                      fx_append_txn_cb};
	return group_coord_new(&f->cfg, &io);
}

void fx_start(struct fx *f)
{
	f->c = fx_new_coord(f);
}

static void free_rec(struct fx_rec *r)
{
	kb_free(r->key);
	kb_free(r->value);
}

void fx_fini(struct fx *f)
{
	group_coord_free(f->c);
	f->c = NULL;
	for (int i = 0; i < f->npend; i++)
		for (int k = 0; k < f->pend[i].n; k++)
			free_rec(&f->pend[i].recs[k]);
	for (int i = 0; i < f->nlog; i++)
		free_rec(&f->log[i]);
	f->npend = f->nlog = 0;
}

void fx_ack(struct fx *f, int16_t err)
{
	while (f->npend) {
		struct fx_append a = f->pend[0];
		memmove(&f->pend[0], &f->pend[1], sizeof(a) * (size_t)(--f->npend));
		for (int k = 0; k < a.n; k++) {
			if (err == KERR_NONE && f->nlog < 512)
				f->log[f->nlog++] = a.recs[k];
			else
				free_rec(&a.recs[k]);
		}
		group_append_done(f->c, a.token, err);
	}
}

void fx_marker(struct fx *f, int64_t pid, bool commit)
{
	KB_ASSERT(f->nlog < 512);
	struct fx_rec *r = &f->log[f->nlog++];
	static const uint8_t key[2][4] = {{0, 0, 0, 0}, {0, 0, 0, 1}};
	static const uint8_t value[6] = {0, 0, 0, 0, 0, 3}; /* version 0, coordinator epoch 3 */
	r->key = dup_bytes(key[commit], 4);
	r->klen = 4;
	r->value = dup_bytes(value, 6);
	r->vlen = 6;
	r->batch = (struct group_load_batch){pid, true, true};
}

struct group_coord *fx_replay(struct fx *f)
{
	struct group_coord *c = fx_new_coord(f);
	for (int i = 0; i < f->nlog; i++)
		CU_ASSERT_EQUAL(group_load_record_in(c, &f->log[i].batch, f->log[i].key,
		                                     f->log[i].klen, f->log[i].value, f->log[i].vlen), 0);
	group_load_done(c);
	return c;
}

const struct fx_join *fx_join_of(const struct fx *f, intptr_t handle)
{
	const struct fx_join *r = NULL;
	for (int i = 0; i < f->njoins; i++)
		if (f->joins[i].handle == handle)
			r = &f->joins[i];
	return r;
}

const struct fx_sync *fx_sync_of(const struct fx *f, intptr_t handle)
{
	const struct fx_sync *r = NULL;
	for (int i = 0; i < f->nsyncs; i++)
		if (f->syncs[i].handle == handle)
			r = &f->syncs[i];
	return r;
}

int16_t fx_commit_of(const struct fx *f, intptr_t handle)
{
	int16_t r = -100;
	for (int i = 0; i < f->ncommits; i++)
		if (f->commit_handle[i] == handle)
			r = f->commit_err[i];
	return r;
}

/* ---- Steps shared by the group test files ------------------------------------------- */

#define S(x) kp_str_c(x)

struct fx GF;
bool GF_skip_ok; /* JoinGroup v9+ (KIP-814) in gt_join_full */

void gt_setup(void)
{
	fx_init(&GF);
	fx_start(&GF);
}

void gt_adv(int64_t ms)
{
	GF.now += ms;
	group_tick(GF.c, GF.now);
}

/* Members that joined a new group together: the initial delay runs twice (a member arrived
 * during the first one), then the round completes. */
void gt_settle(void)
{
	gt_adv(3000);
	gt_adv(3000);
}

/* JoinGroup with protocols named in `protos` ("range,roundrobin"), each with metadata `meta`. */
void gt_join_full(intptr_t h, const char *group, const char *member, const char *instance,
                      const char *type, const char *protos, const char *meta, int32_t session,
                      bool require_known)
{
	struct group_protocol p[8];
	char names[8][32];
	int n = 0;
	for (const char *s = protos; *s && n < 8;) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		memcpy(names[n], s, len);
		names[n][len] = 0;
		p[n].name = S(names[n]);
		p[n].metadata = (struct kp_bytes){(const uint8_t *)meta, (int32_t)strlen(meta), NULL};
		n++;
		s += len + (e ? 1 : 0);
	}
	struct group_join_req r = {.group_id = S(group), .member_id = S(member),
	                           .instance_id = S(instance), .client_id = S("client"),
	                           .client_host = S("/127.0.0.1"), .session_timeout_ms = session,
	                           .rebalance_timeout_ms = 20000, .protocol_type = S(type),
	                           .nprotocols = n, .protocols = p,
	                           .require_known_member_id = require_known,
	                           .support_skip_assignment = GF_skip_ok};
	group_join(GF.c, &r, (void *)h);
}

void gt_join(intptr_t h, const char *group, const char *member, const char *protos)
{
	gt_join_full(h, group, member, NULL, "consumer", protos, "M", 10000, false);
}

void gt_sync2(intptr_t h, const char *group, const char *member, int32_t gen,
                  const char *m1, const char *a1, const char *m2, const char *a2)
{
	struct group_assignment as[2] = {
		{S(m1), {(const uint8_t *)a1, a1 ? (int32_t)strlen(a1) : 0, NULL}},
		{S(m2), {(const uint8_t *)a2, a2 ? (int32_t)strlen(a2) : 0, NULL}}};
	struct group_sync_req r = {.group_id = S(group), .member_id = S(member),
	                           .instance_id = KP_STR_NULL, .generation_id = gen,
	                           .protocol_type = KP_STR_NULL, .protocol_name = KP_STR_NULL,
	                           .nassignments = m2 ? 2 : m1 ? 1 : 0, .assignments = as};
	group_sync(GF.c, &r, (void *)h);
}

enum group_state gt_state(const char *group)
{
	struct group_view v;
	group_describe(GF.c, S(group), &v);
	return v.state;
}

int32_t gt_generation(const char *group)
{
	struct group_view v;
	group_describe(GF.c, S(group), &v);
	return v.generation_id;
}

int16_t gt_commit1(intptr_t h, const char *group, const char *member, int32_t gen,
                       const char *topic, int32_t part, int64_t off, const char *meta, int *pending)
{
	struct group_commit_part p = {S(topic), part, off, 7, S(meta), -1};
	struct group_commit_req r = {S(group), S(member), KP_STR_NULL, gen, -1, 1, &p};
	int16_t err;
	*pending = group_commit(GF.c, &r, &err, (void *)h);
	return err;
}

/* One member joins a new group and syncs; returns its member id (static storage). */
const char *gt_stable_one(const char *group, intptr_t h)
{
	static char id[160];
	gt_join(h, group, "", "range");
	gt_adv(3000);
	const struct fx_join *j = fx_join_of(&GF, h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL_FATAL(j->error, KERR_NONE);
	strcpy(id, j->member_id);
	gt_sync2(h + 1, group, id, j->generation, id, "A1", NULL, NULL);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(gt_state(group), GROUP_STABLE);
	return id;
}

void gt_two_stable(char *ida, char *idb)
{
	gt_join(1, "g", "", "range");
	gt_join(2, "g", "", "range");
	gt_settle();
	strcpy(ida, fx_join_of(&GF, 1)->member_id);
	strcpy(idb, fx_join_of(&GF, 2)->member_id);
	gt_sync2(10, "g", ida, 1, ida, "AA", idb, "BB");
	gt_sync2(11, "g", idb, 1, NULL, NULL, NULL, NULL);
	fx_ack(&GF, KERR_NONE);
	CU_ASSERT_EQUAL(gt_state("g"), GROUP_STABLE);
}


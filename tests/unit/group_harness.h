/* group_harness.h — a test fixture for group/: a settable clock, appends held until the test
 * acknowledges them (the records kept as the partition's log), and the answers of parked
 * requests recorded by handle. */
#ifndef KB_TEST_GROUP_HARNESS_H
#define KB_TEST_GROUP_HARNESS_H

#include "../../group/group.h"

#include <CUnit/CUnit.h>

#define FX_MAX 64

struct fx_rec {
	uint8_t *key, *value; /* value NULL: tombstone */
	size_t klen, vlen;
	struct group_load_batch batch; /* producer id (-1), transactional, control */
};

struct fx_append {
	uint64_t token;
	int n;                /* records kept (none when more than 16 were appended) */
	int appended;         /* records appended */
	int16_t epoch;        /* append_txn's producer epoch */
	struct fx_rec recs[16];
};

struct fx_join {
	intptr_t handle;
	int16_t error;
	int32_t generation;
	char member_id[160], leader[160], protocol[32];
	bool protocol_null, skip;
	int nmembers;
};

struct fx_sync {
	intptr_t handle;
	int16_t error;
	char assignment[64];
	int32_t alen;
};

struct fx {
	struct group_coord *c;
	struct group_config cfg;
	int64_t now;
	int16_t append_fail; /* io.append answers this at once when non-zero */
	struct fx_append pend[FX_MAX];
	int npend;
	struct fx_rec log[512]; /* acknowledged records, in order */
	int nlog;
	struct fx_join joins[FX_MAX];
	int njoins;
	struct fx_sync syncs[FX_MAX];
	int nsyncs;
	intptr_t commit_handle[FX_MAX];
	int16_t commit_err[FX_MAX];
	int ncommits;
};

void fx_init(struct fx *f);
void fx_start(struct fx *f); /* creates the coordinator from f->cfg */
void fx_fini(struct fx *f);
/* Another coordinator on the same fixture (a new leader of the partition). */
struct group_coord *fx_new_coord(struct fx *f);
/* Acknowledges every pending append with `err` (appends made meanwhile too). */
void fx_ack(struct fx *f, int16_t err);
/* A transaction marker (control record, type 1 COMMIT / 0 ABORT) for pid at the log's end. */
void fx_marker(struct fx *f, int64_t pid, bool commit);
/* A new coordinator loaded from the fixture's log (batch context included). */
struct group_coord *fx_replay(struct fx *f);
const struct fx_join *fx_join_of(const struct fx *f, intptr_t handle);
const struct fx_sync *fx_sync_of(const struct fx *f, intptr_t handle);
int16_t fx_commit_of(const struct fx *f, intptr_t handle); /* -100 when unanswered */

void group_records_tests(CU_pSuite s);
void group_offsets_tests(CU_pSuite s);
void group_txn_offsets_tests(CU_pSuite s);

/* Steps on one shared fixture GF (test_group*.c). gt_join_full joins with the protocols
 * named in `protos` ("range,roundrobin"), each with metadata `meta`; GF_skip_ok sets
 * JoinGroup v9+ behaviour. gt_settle runs the initial delay twice (members that joined
 * together). gt_stable_one and gt_two_stable bring a group to Stable and return ids. */
extern struct fx GF;
extern bool GF_skip_ok;
void gt_setup(void);
void gt_adv(int64_t ms);
void gt_settle(void);
void gt_join_full(intptr_t h, const char *group, const char *member, const char *instance,
                  const char *type, const char *protos, const char *meta, int32_t session,
                  bool require_known);
void gt_join(intptr_t h, const char *group, const char *member, const char *protos);
void gt_sync2(intptr_t h, const char *group, const char *member, int32_t gen,
              const char *m1, const char *a1, const char *m2, const char *a2);
enum group_state gt_state(const char *group);
int32_t gt_generation(const char *group);
int16_t gt_commit1(intptr_t h, const char *group, const char *member, int32_t gen,
                   const char *topic, int32_t part, int64_t off, const char *meta, int *pending);
const char *gt_stable_one(const char *group, intptr_t h);
void gt_two_stable(char *ida, char *idb);

#endif

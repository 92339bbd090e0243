/* txn_harness.h — a test fixture for txn/: a settable clock, appends held until the test
 * acknowledges them (the records kept as the partition's log), a producer-id allocator,
 * the markers asked for, and the answers of requests recorded by handle. */
#ifndef KB_TEST_TXN_HARNESS_H
#define KB_TEST_TXN_HARNESS_H

#include "../../txn/txn.h"

#include <CUnit/CUnit.h>

#define TFX_MAX 128

struct tfx_rec {
	uint8_t *key, *value; /* value NULL: tombstone */
	size_t klen, vlen;
};

struct tfx_append {
	uint64_t token;
	int n;
	struct tfx_rec *recs;
	int32_t timeout_ms;
};

struct tfx_answer {
	intptr_t handle;
	int16_t error;
	int64_t pid;
	int16_t epoch;
};

struct tfx_markers {
	char txn_id[64];
	int64_t pid;
	int16_t epoch;
	bool commit;
	int32_t coordinator_epoch;
	char parts[256]; /* "t-0,t-1,u-3" */
};

struct tfx {
	struct txn_coord *c;
	struct txn_config cfg;
	int64_t now;
	int16_t append_fail; /* io.append answers this at once when non-zero */
	int16_t alloc_fail;  /* io.alloc_pid answers this when non-zero */
	int64_t next_pid;
	int nallocs;
	struct tfx_append pend[TFX_MAX];
	int npend;
	struct tfx_rec log[2048]; /* acknowledged records, in order */
	int nlog;
	struct tfx_answer answers[TFX_MAX];
	int nanswers;
	struct tfx_markers markers[TFX_MAX];
	int nmarkers;
};

extern struct tfx TF;

uint8_t *tfx_dup(const uint8_t *p, size_t n); /* kb_malloc'd copy */
void tfx_setup(void);    /* TF with a loaded coordinator */
void tfx_teardown(void);
struct txn_coord *tfx_new_coord(struct tfx *f);
/* Acknowledges every pending append with `err` (appends made meanwhile too). */
void tfx_ack(struct tfx *f, int16_t err);
/* Acknowledges the i-th pending append only. */
void tfx_ack_one(struct tfx *f, int i, int16_t err);
/* The latest answer for handle; NULL when none. */
const struct tfx_answer *tfx_answer_of(const struct tfx *f, intptr_t handle);
int16_t tfx_err_of(const struct tfx *f, intptr_t handle); /* -100 when unanswered */
const struct tfx_markers *tfx_last_markers(const struct tfx *f);
/* Replays f->log into a new coordinator (freeing the old one without answers counted). */
void tfx_failover(struct tfx *f);
/* "state pid epoch timeout start update [parts]" of an id, or "none". */
void tfx_dump(struct txn_coord *c, const char *id, char *out, size_t cap);

/* Steps on TF. */
struct txn_tp *tt_parts(const char *spec, int *n); /* "t-0,t-1": static storage */
int16_t tt_init(intptr_t h, const char *id, int32_t timeout, int64_t exp_pid, int16_t exp_epoch,
                bool ack, int64_t *pid, int16_t *epoch);
int16_t tt_add(intptr_t h, const char *id, int64_t pid, int16_t epoch, const char *spec, bool ack);
int16_t tt_end(intptr_t h, const char *id, int64_t pid, int16_t epoch, bool commit, bool ack);
enum txn_state tt_state(const char *id);
int16_t tt_epoch(const char *id);
/* InitProducerId + AddPartitionsToTxn(spec), acknowledged: an Ongoing transaction. */
void tt_ongoing(const char *id, const char *spec, int64_t *pid, int16_t *epoch);

void txn_records_tests(CU_pSuite s);
void txn_flow_tests(CU_pSuite s);

#endif

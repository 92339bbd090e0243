/* kadmin_txns.c — `kadmin transactions list|describe` (abort: kadmin_txn_abort.c), after kafka-transactions.sh: list asks
 * every live broker for the transactions it coordinates (ListTransactions); describe asks the
 * id's coordinator (FindCoordinator key type 1, then DescribeTransactions), retried while the
 * coordinator is unknown, loading or moving, up to --timeout-ms. Columns as Kafka prints
 * them. */
#include "kadmin_groups.h"

#include "../common/kerr.h"
#include "../net/kp_msgs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char txns_usage[] =
        "usage: kadmin (--bootstrap-server ... | --zookeeper ...) transactions COMMAND\n"
        "  list              every transactional id of every live broker's coordinators:\n"
        "                    TransactionalId Coordinator ProducerId TransactionState\n"
        "  describe ID       the id's transaction at its coordinator: CoordinatorId\n"
        "                    TransactionalId ProducerId ProducerEpoch TransactionState\n"
        "                    TransactionTimeoutMs CurrentTransactionStartTimeMs\n"
        "                    TransactionDurationMs TopicPartitions\n"
        "  abort --topic T --partition N (--start-offset O | --producer-id ID\n"
        "        --producer-epoch E --coordinator-epoch C)\n"
        "                    writes an ABORT marker on the partition for the producer whose\n"
        "                    open transaction starts at O there (from DescribeProducers), or\n"
        "                    for the producer given: ends a hanging transaction\n"
        "Transactions live on their coordinators (brokers), so with --zookeeper the brokers are\n"
        "found in ZooKeeper and asked.\n";

/* ---- list ---------------------------------------------------------------------------------- */

struct listed {
	char *id, *state;
	int32_t coordinator;
	int64_t pid;
};

static char *dup_str(struct kp_str s)
{
	return kb_strndup(s.len > 0 ? s.ptr : "", s.len > 0 ? (size_t)s.len : 0);
}

/* ListTransactions on one broker, appended to *out; COORDINATOR_LOAD_IN_PROGRESS and
 * COORDINATOR_NOT_AVAILABLE are retried until --timeout-ms. */
static int list_on(const struct kadmin *ka, struct view *v, int32_t id, struct listed **out,
                   int *n)
{
	char err[512];
	int64_t deadline = kb_mono_ms() + ka->timeout_ms;
	for (;;) {
		struct outclient *oc = NULL;
		struct outclient_reply *reply = NULL;
		struct ListTransactionsRequest req;
		kp_set_defaults(&kp_ListTransactionsRequest, &req);
		struct ListTransactionsResponse resp;
		int16_t code = KERR_NETWORK_EXCEPTION;
		if (view_node(ka, v, id, &oc, err, sizeof(err)) == 0 &&
		    kadmin_call(oc, KP_API_LIST_TRANSACTIONS, 0, &req, &resp, &reply, err,
		                sizeof(err)) == 0) {
			code = resp.ErrorCode;
			snprintf(err, sizeof(err), "%s", kerr_name(code));
		}
		if (code == KERR_NONE) {
			const struct ListTransactionsTransactionState *t = resp.TransactionStates.elems;
			*out = kb_realloc(*out, (size_t)(*n + resp.TransactionStates.count + 1) *
			                                sizeof(**out));
			for (int i = 0; i < resp.TransactionStates.count; i++)
				(*out)[(*n)++] = (struct listed){dup_str(t[i].TransactionalId),
				                                 dup_str(t[i].TransactionState), id,
				                                 t[i].ProducerId};
		}
		outclient_reply_free(reply);
		outclient_free(oc);
		if (code == KERR_NONE)
			return 0;
		bool retry = code == KERR_COORDINATOR_LOAD_IN_PROGRESS ||
		             code == KERR_COORDINATOR_NOT_AVAILABLE;
		if (!retry || kb_mono_ms() + 200 > deadline) {
			fprintf(stderr, "kadmin: ListTransactions on broker %d: %s\n", id, err);
			return -1;
		}
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static int cmp_listed(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->id, ((const struct listed *)b)->id);
}

static int txns_list(const struct kadmin *ka, struct view *v)
{
	struct listed *l = NULL;
	int n = 0, rc = KADMIN_OK;
	for (int i = 0; i < v->md->nbrokers; i++)
		if (list_on(ka, v, v->md->brokers[i].id, &l, &n) < 0)
			rc = KADMIN_FAILED;
	if (n > 1)
		qsort(l, (size_t)n, sizeof(*l), cmp_listed);
	struct kg_table t;
	kg_table_init(&t, 4);
	kg_table_row(&t, (const char *[]){"TransactionalId", "Coordinator", "ProducerId",
	                                  "TransactionState"});
	for (int i = 0; i < n; i++) {
		/* an id seen on two brokers (its coordinator moved between the calls): once */
		if (i == 0 || strcmp(l[i - 1].id, l[i].id) != 0) {
			char coord[16], pid[24];
			snprintf(coord, sizeof(coord), "%" PRId32, l[i].coordinator);
			snprintf(pid, sizeof(pid), "%" PRId64, l[i].pid);
			kg_table_row(&t, (const char *[]){l[i].id, coord, pid, l[i].state});
		}
	}
	for (int i = 0; i < n; i++) {
		kb_free(l[i].id);
		kb_free(l[i].state);
	}
	kb_free(l);
	kg_table_print(&t, stdout);
	kg_table_free(&t);
	return rc;
}

/* ---- describe ------------------------------------------------------------------------------ */

static int16_t describe_error(const void *resp, int16_t version)
{
	KB_UNUSED(version);
	const struct DescribeTransactionsResponse *r = resp;
	return r->TransactionStates.count == 1
	               ? ((const struct DescribeTransactionsTransactionState *)
	                          r->TransactionStates.elems)->ErrorCode
	               : KERR_COORDINATOR_NOT_AVAILABLE;
}

/* "topic-0,topic-1,other-3" (malloc'd). */
static char *partitions_str(const struct DescribeTransactionsTransactionState *s)
{
	size_t cap = 1, len = 0;
	const struct DescribeTransactionsTopicData *t = s->Topics.elems;
	for (int i = 0; i < s->Topics.count; i++)
		cap += (size_t)(t[i].Partitions.count > 0 ? t[i].Partitions.count : 0) *
		       ((size_t)(t[i].Topic.len > 0 ? t[i].Topic.len : 0) + 13);
	char *out = kb_malloc(cap);
	out[0] = '\0';
	for (int i = 0; i < s->Topics.count; i++) {
		const int32_t *p = t[i].Partitions.elems;
		for (int k = 0; k < t[i].Partitions.count; k++)
			len += (size_t)snprintf(out + len, cap - len, "%s%.*s-%" PRId32,
			                        len ? "," : "", t[i].Topic.len > 0 ? t[i].Topic.len : 0,
			                        t[i].Topic.ptr ? t[i].Topic.ptr : "", p[k]);
	}
	return out;
}

static int txns_describe(const struct kadmin *ka, struct view *v, const char *id)
{
	char err[512];
	struct kp_str key = kp_str_c(id);
	struct DescribeTransactionsRequest req = {{&key, 1}};
	struct DescribeTransactionsResponse resp;
	struct outclient_reply *reply = NULL;
	int16_t version;
	int32_t coordinator = -1;
	if (kg_coord_call_type(ka, v, 1, id, KP_API_DESCRIBE_TRANSACTIONS, 0, &req, &resp, &reply,
	                       &version, &coordinator, describe_error, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s: %s\n", id, err);
		return KADMIN_FAILED;
	}
	const struct DescribeTransactionsTransactionState *s = resp.TransactionStates.elems;
	int rc = KADMIN_FAILED;
	if (s->ErrorCode != KERR_NONE) {
		fprintf(stderr, "kadmin: %s: %s\n", id, kerr_name(s->ErrorCode));
	} else {
		char cells[6][32];
		snprintf(cells[0], 32, "%" PRId32, coordinator);
		snprintf(cells[1], 32, "%" PRId64, s->ProducerId);
		snprintf(cells[2], 32, "%" PRId16, s->ProducerEpoch);
		snprintf(cells[3], 32, "%" PRId32, s->TransactionTimeoutMs);
		snprintf(cells[4], 32, "None");
		snprintf(cells[5], 32, "None");
		if (s->TransactionStartTimeMs >= 0) {
			snprintf(cells[4], 32, "%" PRId64, s->TransactionStartTimeMs);
			snprintf(cells[5], 32, "%" PRId64, kb_wall_ms() - s->TransactionStartTimeMs);
		}
		char *state = dup_str(s->TransactionState), *parts = partitions_str(s);
		struct kg_table t;
		kg_table_init(&t, 9);
		kg_table_row(&t, (const char *[]){"CoordinatorId", "TransactionalId", "ProducerId",
		                                  "ProducerEpoch", "TransactionState",
		                                  "TransactionTimeoutMs",
		                                  "CurrentTransactionStartTimeMs",
		                                  "TransactionDurationMs", "TopicPartitions"});
		kg_table_row(&t, (const char *[]){cells[0], id, cells[1], cells[2], state, cells[3],
		                                  cells[4], cells[5], parts});
		kg_table_print(&t, stdout);
		kg_table_free(&t);
		kb_free(state);
		kb_free(parts);
		rc = KADMIN_OK;
	}
	outclient_reply_free(reply);
	return rc;
}

int cmd_transactions(const struct kadmin *ka, int argc, char **argv)
{
	if (arg_is_help(argc, argv)) {
		fputs(txns_usage, stdout);
		return KADMIN_OK;
	}
	bool list = argc == 1 && strcmp(argv[0], "list") == 0;
	bool describe = argc == 2 && strcmp(argv[0], "describe") == 0 && argv[1][0] != '\0';
	bool abort_ = argc >= 1 && strcmp(argv[0], "abort") == 0;
	if (!list && !describe && !abort_) {
		fputs(txns_usage, stderr);
		return KADMIN_USAGE;
	}
	struct view v;
	char err[512];
	if (view_open(ka, &v, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		view_close(&v);
		return KADMIN_FAILED;
	}
	int rc = list       ? txns_list(ka, &v)
	         : describe ? txns_describe(ka, &v, argv[1])
	                    : txns_abort(ka, &v, argc - 1, argv + 1);
	view_close(&v);
	return rc;
}

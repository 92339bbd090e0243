/* kadmin_txn_abort.c — `kadmin transactions abort`, after kafka-transactions.sh abort: ends a
 * hanging transaction on one partition by writing an ABORT marker there, as the coordinator
 * would (WriteTxnMarkers to the partition's leader). The producer is named either by the
 * transaction's first offset on the partition (--start-offset: its id, epoch and coordinator
 * epoch come from the leader's DescribeProducers) or directly (--producer-id,
 * --producer-epoch, --coordinator-epoch). The leader refuses an epoch below the producer's
 * (INVALID_PRODUCER_EPOCH) or a coordinator epoch below the last marker's
 * (TRANSACTION_COORDINATOR_FENCED). */
#include "kadmin.h"

#include "../common/kerr.h"
#include "../net/kp_msgs.h"

#include <inttypes.h>
#include <string.h>

struct abort_args {
	const char *topic;
	int64_t partition, start_offset, pid, epoch, coord_epoch;
};

static int parse(int argc, char **argv, struct abort_args *a)
{
	*a = (struct abort_args){NULL, -1, -1, -1, -1, -1};
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i];
		int64_t *dst = NULL, max = INT32_MAX;
		if (strcmp(o, "--topic") == 0 && i + 1 < argc) {
			a->topic = argv[++i];
			continue;
		}
		if (strcmp(o, "--partition") == 0)
			dst = &a->partition;
		else if (strcmp(o, "--start-offset") == 0)
			dst = &a->start_offset, max = INT64_MAX;
		else if (strcmp(o, "--producer-id") == 0)
			dst = &a->pid, max = INT64_MAX;
		else if (strcmp(o, "--producer-epoch") == 0)
			dst = &a->epoch, max = INT16_MAX;
		else if (strcmp(o, "--coordinator-epoch") == 0)
			dst = &a->coord_epoch;
		if (!dst || i + 1 >= argc || parse_int_arg(o, argv[i + 1], 0, max, dst) < 0)
			return -1;
		i++;
	}
	bool by_offset = a->start_offset >= 0 && a->pid < 0 && a->epoch < 0 && a->coord_epoch < 0;
	bool by_pid = a->start_offset < 0 && a->pid >= 0 && a->epoch >= 0 && a->coord_epoch >= 0;
	return a->topic && a->partition >= 0 && (by_offset || by_pid) ? 0 : -1;
}

/* WriteTxnMarkers with one ABORT marker for (pid, epoch) on topic-part. */
static int write_abort(struct outclient *oc, int32_t leader, const struct abort_args *a)
{
	char err[512];
	int32_t idx = (int32_t)a->partition;
	struct WritableTxnMarkerTopic t = {kp_str_c(a->topic), {&idx, 1}};
	struct WritableTxnMarker m = {a->pid, (int16_t)a->epoch, false, {&t, 1},
	                              (int32_t)a->coord_epoch};
	struct WriteTxnMarkersRequest req = {{&m, 1}};
	struct WriteTxnMarkersResponse resp;
	struct outclient_reply *reply = NULL;
	if (kadmin_call(oc, KP_API_WRITE_TXN_MARKERS, 0, &req, &resp, &reply, err,
	                sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: broker %d: %s\n", leader, err);
		return KADMIN_FAILED;
	}
	int16_t code = KERR_UNKNOWN_SERVER_ERROR;
	const struct WritableTxnMarkerResult *r = resp.Markers.elems;
	if (resp.Markers.count == 1 && r->Topics.count == 1) {
		const struct WritableTxnMarkerTopicResult *tr = r->Topics.elems;
		if (tr->Partitions.count == 1)
			code = ((const struct WritableTxnMarkerPartitionResult *)tr->Partitions.elems)
			               ->ErrorCode;
	}
	outclient_reply_free(reply);
	if (code != KERR_NONE) {
		fprintf(stderr, "kadmin: aborting the transaction of producer %" PRId64 " on %s-%" PRId64
		        ": %s\n", a->pid, a->topic, a->partition, kerr_name(code));
		return KADMIN_FAILED;
	}
	printf("Aborted the transaction of producer %" PRId64 " (epoch %" PRId64 ") on %s-%" PRId64
	       "\n", a->pid, a->epoch, a->topic, a->partition);
	return KADMIN_OK;
}

int txns_abort(const struct kadmin *ka, struct view *v, int argc, char **argv)
{
	struct abort_args a;
	if (parse(argc, argv, &a) < 0) {
		fprintf(stderr, "kadmin: usage: transactions abort --topic T --partition N "
		        "(--start-offset O | --producer-id ID --producer-epoch E "
		        "--coordinator-epoch C)\n");
		return KADMIN_USAGE;
	}
	struct producers ps;
	if (producers_of(ka, v, a.topic, (int32_t)a.partition, &ps) != KADMIN_OK)
		return KADMIN_FAILED;
	int rc = KADMIN_FAILED;
	if (a.start_offset >= 0) {
		const struct ProducerState *s = ps.states;
		int i = 0;
		while (i < ps.n && s[i].CurrentTxnStartOffset != a.start_offset)
			i++;
		if (i == ps.n) {
			fprintf(stderr, "kadmin: no open transaction starts at offset %" PRId64
			        " of %s-%" PRId64 "\n", a.start_offset, a.topic, a.partition);
			goto out;
		}
		a.pid = s[i].ProducerId;
		a.epoch = s[i].ProducerEpoch;
		a.coord_epoch = s[i].CoordinatorEpoch < 0 ? 0 : s[i].CoordinatorEpoch;
	}
	rc = write_abort(ps.oc, ps.leader, &a);
out:
	producers_free(&ps);
	return rc;
}

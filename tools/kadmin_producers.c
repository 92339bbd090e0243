/* kadmin_producers.c — `producers describe --topic NAME --partition N`: the active idempotent
 * and transactional producers of one partition, from DescribeProducers (key 61) sent to the partition's leader
 * (found in the cluster view, in either connection mode: the producer state lives only in the
 * brokers). Columns as Kafka's kafka-transactions.sh describe-producers prints them. */
#include "kadmin.h"

#include "../common/kerr.h"
#include "../net/kp_msgs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int producers_of(const struct kadmin *ka, struct view *v, const char *topic, int32_t part,
                 struct producers *out)
{
	char err[512];
	*out = (struct producers){0};
	const struct md_topic *t = md_find_topic(v->md, topic);
	const struct md_partition *p = t ? md_topic_partition(t, part) : NULL;
	if (!p) {
		fprintf(stderr, "kadmin: no partition %s-%d\n", topic, part);
		return KADMIN_FAILED;
	}
	if (!p->has_state || p->state.leader < 0) {
		fprintf(stderr, "kadmin: %s-%d has no leader right now\n", topic, part);
		return KADMIN_FAILED;
	}
	out->leader = p->state.leader;
	if (view_node(ka, v, p->state.leader, &out->oc, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		return KADMIN_FAILED;
	}
	int32_t idx = part;
	struct DescribeProducersTopicRequest tr = {kp_str_c(topic), {&idx, 1}};
	struct DescribeProducersRequest req = {{&tr, 1}};
	struct DescribeProducersResponse resp;
	if (kadmin_call(out->oc, KP_API_DESCRIBE_PRODUCERS, 0, &req, &resp, &out->reply, err,
	                sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: broker %d: %s\n", p->state.leader, err);
	} else if (resp.Topics.count != 1 ||
	           ((struct DescribeProducersTopicResponse *)resp.Topics.elems)->Partitions.count != 1) {
		fprintf(stderr, "kadmin: malformed DescribeProducers response\n");
	} else {
		const struct DescribeProducersTopicResponse *tp = resp.Topics.elems;
		const struct DescribeProducersPartitionResponse *pp = tp->Partitions.elems;
		if (pp->ErrorCode == 0) {
			out->states = pp->ActiveProducers.elems;
			out->n = pp->ActiveProducers.count;
			return KADMIN_OK;
		}
		fprintf(stderr, "kadmin: %s-%d: %s\n", topic, part, kerr_name(pp->ErrorCode));
	}
	producers_free(out);
	return KADMIN_FAILED;
}

void producers_free(struct producers *p)
{
	outclient_reply_free(p->reply);
	outclient_free(p->oc);
	*p = (struct producers){0};
}

static int describe(const struct kadmin *ka, struct view *v, const char *topic, int32_t part)
{
	struct producers ps;
	if (producers_of(ka, v, topic, part, &ps) != KADMIN_OK)
		return KADMIN_FAILED;
	const struct ProducerState *s = ps.states;
	printf("%-20s %-14s %-23s %-13s %-14s %s\n", "ProducerId", "ProducerEpoch",
	       "LatestCoordinatorEpoch", "LastSequence", "LastTimestamp",
	       "CurrentTransactionStartOffset");
	for (int i = 0; i < ps.n; i++) {
		char start[24] = "None"; /* no open transaction (Kafka prints None) */
		if (s[i].CurrentTxnStartOffset >= 0)
			snprintf(start, sizeof(start), "%" PRId64, s[i].CurrentTxnStartOffset);
		printf("%-20" PRId64 " %-14" PRId32 " %-23" PRId32 " %-13" PRId32 " %-14" PRId64
		       " %s\n",
		       s[i].ProducerId, s[i].ProducerEpoch, s[i].CoordinatorEpoch, s[i].LastSequence,
		       s[i].LastTimestamp, start);
	}
	producers_free(&ps);
	return KADMIN_OK;
}

int cmd_producers(const struct kadmin *ka, int argc, char **argv)
{
	if (arg_is_help(argc, argv)) {
		printf("usage: kadmin (--bootstrap-server ... | --zookeeper ...) producers describe "
		       "--topic NAME --partition N\n"
		       "Lists the idempotent producers the partition's leader knows: id, epoch, last\n"
		       "sequence and the max timestamp of their last batch.\n");
		return KADMIN_OK;
	}
	const char *topic = NULL;
	int64_t part = -1;
	if (argc < 1 || strcmp(argv[0], "describe") != 0)
		goto bad;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--topic") == 0 && i + 1 < argc)
			topic = argv[++i];
		else if (strcmp(argv[i], "--partition") == 0 && i + 1 < argc) {
			if (parse_int_arg(argv[i], argv[i + 1], 0, INT32_MAX, &part) < 0)
				return KADMIN_USAGE;
			i++;
		} else
			goto bad;
	}
	if (!topic || part < 0)
		goto bad;
	struct view v;
	char err[512];
	if (view_open(ka, &v, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		return KADMIN_FAILED;
	}
	int rc = describe(ka, &v, topic, (int32_t)part);
	view_close(&v);
	return rc;
bad:
	fprintf(stderr, "kadmin: usage: producers describe --topic NAME --partition N\n");
	return KADMIN_USAGE;
}

/* kadmin.c — the administration tool: argument parsing, `cluster describe` and
 * `leaders elect-preferred` (topics and configs live in their own files).
 *
 *   kadmin (--bootstrap-server HOST:PORT[,...] | --zookeeper HOST:PORT[/chroot]) COMMAND ...
 *
 * --bootstrap-server talks to brokers through the Kafka protocol (the same codec the broker
 * uses); --zookeeper reads and writes ZooKeeper directly, as Kafka's tools did. */
#include "kadmin.h"

#include "../common/kb.h"
#include "kadmin_api.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
        "usage: kadmin (--bootstrap-server HOST:PORT[,...] | --zookeeper HOST:PORT[/chroot])\n"
        "              [--timeout-ms N] COMMAND ...\n"
        "\n"
        "commands:\n"
        "  topics create NAME --partitions N --replication-factor R [--config k=v]...\n"
        "  topics list | describe [NAME] | delete NAME | alter NAME --partitions N\n"
        "  configs describe --topic NAME | --broker ID | --broker-default\n"
        "  configs alter (--topic NAME | --broker ID | --broker-default) [--set k=v]...\n"
        "        [--delete k]...\n"
        "  cluster describe        cluster id, controller, brokers with endpoints and racks\n"
        "  leaders elect-preferred [--topic NAME]\n"
        "  producers describe --topic NAME --partition N   idempotent producers (leader's view)\n"
        "  groups list [--state S] | describe GROUP | delete GROUP...   consumer groups\n"
        "  groups reset-offsets GROUP --topic T[:P,...] (--to-earliest | --to-latest |\n"
        "         --to-offset N | --to-datetime T | --shift-by N) [--execute]\n"
        "  groups delete-offsets GROUP --topic T[:P,...]\n"
        "  transactions list | describe ID | abort ...   transactions at their coordinators;\n"
        "                                  abort ends a hanging one on a partition\n"
        "  acls list [FILTER] | add ... | remove ...   ACLs (brokers with an authorizer)\n"
        "\n"
        "Every command takes --help. Exit status: 0 success, 1 failure, 2 usage error.\n";

static int usage(FILE *out, int code)
{
	fputs(usage_text, out);
	return code;
}

bool arg_is_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int parse_int_arg(const char *opt, const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "kadmin: %s takes a number in [%lld, %lld], got '%s'\n", opt,
		        (long long)min, (long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

void print_ids(FILE *out, const int32_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%d", i ? "," : "", ids[i]);
}

/* ---- cluster describe ----------------------------------------------------------------- */

static void print_cluster(const struct md_cache *md)
{
	printf("Cluster id: %s\n", md->cluster_id ? md->cluster_id : "(none)");
	if (md->controller_id >= 0)
		printf("Controller: %d\n", md->controller_id);
	else
		printf("Controller: (none)\n");
	printf("Brokers: %d\n", md->nbrokers);
	for (int i = 0; i < md->nbrokers; i++) {
		const struct md_broker *b = &md->brokers[i];
		printf("  %d", b->id);
		for (int e = 0; e < b->nendpoints; e++) {
			const struct md_endpoint *ep = &b->endpoints[e];
			bool v6 = strchr(ep->host, ':') != NULL;
			printf(" %s%s%s%s%s:%d", ep->listener, ep->listener[0] ? "://" : "",
			       v6 ? "[" : "", ep->host, v6 ? "]" : "", ep->port);
		}
		printf(" rack=%s\n", b->rack ? b->rack : "(none)");
	}
}

static int cmd_cluster(const struct kadmin *ka, int argc, char **argv)
{
	if (arg_is_help(argc, argv)) {
		printf("usage: kadmin (--bootstrap-server ... | --zookeeper ...) cluster describe\n"
		       "Prints the cluster id, the controller, and each live broker with its\n"
		       "endpoints and rack. With --bootstrap-server a broker shows the endpoint of\n"
		       "the listener you connected through; with --zookeeper every endpoint.\n");
		return KADMIN_OK;
	}
	if (argc != 1 || strcmp(argv[0], "describe") != 0)
		return usage(stderr, KADMIN_USAGE);
	struct view v;
	char err[512];
	int rc = view_open(ka, &v, err, sizeof(err));
	if (rc == 0)
		print_cluster(v.md);
	else
		fprintf(stderr, "kadmin: %s\n", err);
	view_close(&v);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}

/* ---- leaders elect-preferred ----------------------------------------------------------- */

/* --zookeeper: Kafka's request znode, {"version":1,"partitions":[{"topic":..,"partition":..}]}
 * which the controller reads, acts on and deletes. */
static char *preferred_request_json(const struct md_cache *md, const char *topic)
{
	json_t *parts = json_array();
	for (int i = 0; i < md->ntopics; i++) {
		const struct md_topic *t = &md->topics[i];
		if (topic && strcmp(t->name, topic) != 0)
			continue;
		for (int p = 0; p < t->npartitions; p++) {
			json_t *e = json_object();
			json_object_set_new(e, "topic", json_string(t->name));
			json_object_set_new(e, "partition", json_integer(p));
			json_array_append_new(parts, e);
		}
	}
	json_t *o = json_object();
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "partitions", parts);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	char *out = kb_strdup(s);
	free(s);
	return out;
}

struct elect_ctx {
	char *json;
};

static void zk_write_preferred(struct view *v, topic_admin_cb done, void *arg, void *ctx)
{
	struct elect_ctx *e = ctx;
	topic_admin_create_node(coord_zk(v->coord), "/admin/preferred_replica_election", e->json,
	                        done, arg);
}

static int cmd_leaders(const struct kadmin *ka, int argc, char **argv)
{
	if (arg_is_help(argc, argv)) {
		printf("usage: kadmin (--bootstrap-server ... | --zookeeper ...) leaders "
		       "elect-preferred [--topic NAME]\n"
		       "Moves leadership of every partition (or of one topic's partitions) back to its\n"
		       "preferred replica, the first in its replica list, where that replica is alive\n"
		       "and in sync.\n");
		return KADMIN_OK;
	}
	const char *topic = NULL;
	if (argc == 3 && strcmp(argv[1], "--topic") == 0)
		topic = argv[2];
	else if (argc != 1)
		return usage(stderr, KADMIN_USAGE);
	if (strcmp(argv[0], "elect-preferred") != 0)
		return usage(stderr, KADMIN_USAGE);
	struct view v;
	char err[512];
	int rc = view_open(ka, &v, err, sizeof(err));
	if (rc == 0 && topic && !md_find_topic(v.md, topic)) {
		snprintf(err, sizeof(err), "topic '%s' does not exist", topic);
		rc = -1;
	}
	if (rc == 0 && ka->zookeeper) {
		struct elect_ctx e = {preferred_request_json(v.md, topic)};
		rc = view_zk_write(ka, &v, zk_write_preferred, &e, err, sizeof(err));
		kb_free(e.json);
	} else if (rc == 0) {
		rc = kapi_elect_preferred(ka, &v, topic, err, sizeof(err));
	}
	if (rc == 0)
		printf("Preferred leader election requested%s%s.\n", topic ? " for " : "",
		       topic ? topic : "");
	else
		fprintf(stderr, "kadmin: %s\n", err);
	view_close(&v);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}

int main(int argc, char **argv)
{
	struct kadmin ka = {.timeout_ms = 30000};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		int64_t ms;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return usage(stdout, KADMIN_OK);
		else if (strcmp(a, "--bootstrap-server") == 0 && has_value)
			ka.bootstrap = argv[++i];
		else if (strcmp(a, "--zookeeper") == 0 && has_value)
			ka.zookeeper = argv[++i];
		else if (strcmp(a, "--timeout-ms") == 0 && has_value) {
			if (parse_int_arg(a, argv[++i], 1, INT32_MAX, &ms) < 0)
				return KADMIN_USAGE;
			ka.timeout_ms = (int)ms;
		} else {
			fprintf(stderr, "kadmin: unknown or incomplete option '%s'\n", a);
			return usage(stderr, KADMIN_USAGE);
		}
	}
	if (i >= argc)
		return usage(stderr, KADMIN_USAGE);
	if (!ka.bootstrap == !ka.zookeeper && !arg_is_help(argc - i, argv + i)) {
		fprintf(stderr, "kadmin: give exactly one of --bootstrap-server and --zookeeper\n");
		return usage(stderr, KADMIN_USAGE);
	}
	const char *cmd = argv[i];
	int n = argc - i - 1;
	char **rest = argv + i + 1;
	if (strcmp(cmd, "topics") == 0)
		return cmd_topics(&ka, n, rest);
	if (strcmp(cmd, "configs") == 0)
		return cmd_configs(&ka, n, rest);
	if (strcmp(cmd, "cluster") == 0)
		return cmd_cluster(&ka, n, rest);
	if (strcmp(cmd, "leaders") == 0)
		return cmd_leaders(&ka, n, rest);
	if (strcmp(cmd, "producers") == 0)
		return cmd_producers(&ka, n, rest);
	if (strcmp(cmd, "groups") == 0)
		return cmd_groups(&ka, n, rest);
	if (strcmp(cmd, "transactions") == 0)
		return cmd_transactions(&ka, n, rest);
	if (strcmp(cmd, "acls") == 0)
		return cmd_acls(&ka, n, rest);
	fprintf(stderr, "kadmin: unknown command '%s'\n", cmd);
	return usage(stderr, KADMIN_USAGE);
}

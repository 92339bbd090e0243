/* kadmin.c — the administration tool.
 *
 *   kadmin (--bootstrap-server HOST:PORT[,...] | --zookeeper HOST:PORT[/chroot]) COMMAND ...
 *
 * --bootstrap-server talks to brokers through the Kafka protocol (the same codec the broker
 * uses); --zookeeper reads and writes ZooKeeper directly, as Kafka's tools did. */
#include "kadmin.h"

#include "../common/kb.h"
#include "../net/kp_msgs.h"
#include "kclient.h"

#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
        "usage: kadmin (--bootstrap-server HOST:PORT[,...] | --zookeeper HOST:PORT[/chroot])\n"
        "              [--timeout-ms N] COMMAND ...\n"
        "\n"
        "commands:\n"
        "  cluster describe    cluster id, controller, and the live brokers with their\n"
        "                      endpoints and racks\n"
        "\n"
        "Every command takes --help. Exit status: 0 success, 1 failure, 2 usage error.\n";

static int usage(FILE *out, int code)
{
	fputs(usage_text, out);
	return code;
}

void cluster_view_free(struct cluster_view *v)
{
	for (int i = 0; i < v->nbrokers; i++)
		md_broker_free(&v->brokers[i]);
	kb_free(v->brokers);
	kb_free(v->cluster_id);
	memset(v, 0, sizeof(*v));
}

void cluster_view_print(const struct cluster_view *v, FILE *out)
{
	fprintf(out, "Cluster id: %s\n", v->cluster_id ? v->cluster_id : "(none)");
	if (v->controller_id >= 0)
		fprintf(out, "Controller: %d\n", v->controller_id);
	else
		fprintf(out, "Controller: (none)\n");
	fprintf(out, "Brokers: %d\n", v->nbrokers);
	for (int i = 0; i < v->nbrokers; i++) {
		const struct md_broker *b = &v->brokers[i];
		fprintf(out, "  %d", b->id);
		for (int e = 0; e < b->nendpoints; e++) {
			const struct md_endpoint *ep = &b->endpoints[e];
			bool v6 = strchr(ep->host, ':') != NULL;
			fprintf(out, " %s://%s%s%s:%d", ep->listener, v6 ? "[" : "", ep->host,
			        v6 ? "]" : "", ep->port);
		}
		fprintf(out, " rack=%s\n", b->rack ? b->rack : "(none)");
	}
}

/* --bootstrap-server mode: Metadata with no topics gives brokers, controller, cluster id. */
static int bootstrap_cluster(const struct kadmin *ka, struct cluster_view *v, char *err,
                             size_t errlen)
{
	struct kclient k;
	if (kclient_connect(&k, ka->bootstrap, ka->timeout_ms, err, errlen) < 0)
		return -1;
	int16_t ver = kclient_version(&k, KP_API_METADATA);
	struct MetadataRequest req;
	kp_set_defaults(&kp_MetadataRequest, &req);
	req.Topics.count = 0; /* v1+: none; v0 has no way to ask for none: all */
	struct MetadataResponse resp;
	struct arena a;
	arena_init(&a, 64 << 20);
	uint8_t *frame = NULL;
	int rc = ver < 0 ? -1 : kclient_call(&k, KP_API_METADATA, ver, &req, &resp, &a, &frame, err,
	                                     errlen);
	if (ver < 0)
		snprintf(err, errlen, "the broker does not serve Metadata");
	if (rc == 0) {
		v->cluster_id = resp.ClusterId.len >= 0
		                        ? kb_strndup(resp.ClusterId.ptr, (size_t)resp.ClusterId.len)
		                        : NULL;
		v->controller_id = resp.ControllerId;
		v->nbrokers = resp.Brokers.count;
		v->brokers = kb_calloc((size_t)v->nbrokers + 1, sizeof(*v->brokers));
		const struct MetadataResponseBroker *mb = resp.Brokers.elems;
		for (int i = 0; i < v->nbrokers; i++) {
			struct md_broker *b = &v->brokers[i];
			b->id = mb[i].NodeId;
			if (mb[i].Rack.len >= 0)
				b->rack = kb_strndup(mb[i].Rack.ptr, (size_t)mb[i].Rack.len);
			b->endpoints = kb_calloc(1, sizeof(*b->endpoints));
			b->endpoints[0] = (struct md_endpoint){
			        kb_strdup("PLAINTEXT"), kb_strndup(mb[i].Host.ptr, (size_t)mb[i].Host.len),
			        mb[i].Port};
			b->nendpoints = 1;
		}
	}
	kb_free(frame);
	arena_destroy(&a);
	kclient_close(&k);
	return rc;
}

static int cmd_cluster(const struct kadmin *ka, int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "--help") == 0)
		return usage(argc < 1 ? stderr : stdout, argc < 1 ? KADMIN_USAGE : KADMIN_OK);
	if (strcmp(argv[0], "describe") != 0) {
		fprintf(stderr, "kadmin: unknown cluster command '%s'\n", argv[0]);
		return KADMIN_USAGE;
	}
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: kadmin (--bootstrap-server ... | --zookeeper ...) cluster describe\n"
		       "Prints the cluster id, the controller, and each live broker with its\n"
		       "endpoints and rack. With --bootstrap-server a broker shows the endpoint of\n"
		       "the listener you connected through; with --zookeeper every endpoint.\n");
		return KADMIN_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "kadmin: unexpected argument '%s'\n", argv[1]);
		return KADMIN_USAGE;
	}
	struct cluster_view v = {.controller_id = -1};
	char err[512];
	int rc = ka->zookeeper ? kadmin_zk_cluster(ka, &v, err, sizeof(err))
	                       : bootstrap_cluster(ka, &v, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		cluster_view_free(&v);
		return KADMIN_FAILED;
	}
	cluster_view_print(&v, stdout);
	cluster_view_free(&v);
	return KADMIN_OK;
}

int main(int argc, char **argv)
{
	struct kadmin ka = {.timeout_ms = 30000};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return usage(stdout, KADMIN_OK);
		else if (strcmp(a, "--bootstrap-server") == 0 && has_value)
			ka.bootstrap = argv[++i];
		else if (strcmp(a, "--zookeeper") == 0 && has_value)
			ka.zookeeper = argv[++i];
		else if (strcmp(a, "--timeout-ms") == 0 && has_value) {
			char *end;
			long ms = strtol(argv[++i], &end, 10);
			if (*end || ms <= 0 || ms > INT32_MAX) {
				fprintf(stderr, "kadmin: --timeout-ms takes a positive number\n");
				return KADMIN_USAGE;
			}
			ka.timeout_ms = (int)ms;
		}
		else {
			fprintf(stderr, "kadmin: unknown or incomplete option '%s'\n", a);
			return usage(stderr, KADMIN_USAGE);
		}
	}
	if (!ka.bootstrap == !ka.zookeeper) {
		fprintf(stderr, "kadmin: give exactly one of --bootstrap-server and --zookeeper\n");
		return usage(stderr, KADMIN_USAGE);
	}
	if (i >= argc)
		return usage(stderr, KADMIN_USAGE);
	if (strcmp(argv[i], "cluster") == 0)
		return cmd_cluster(&ka, argc - i - 1, argv + i + 1);
	fprintf(stderr, "kadmin: unknown command '%s'\n", argv[i]);
	return usage(stderr, KADMIN_USAGE);
}

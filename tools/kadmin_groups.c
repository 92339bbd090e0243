/* kadmin_groups.c — `kadmin groups list|describe|delete` (reset-offsets and delete-offsets are
 * in kadmin_groups_offsets.c), after kafka-consumer-groups.sh: the same requests to the same
 * brokers, our own plain columns. */
#include "kadmin_groups.h"

#include "../common/kerr.h"
#include "../net/kp_msgs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char groups_usage[] =
        "usage: kadmin (--bootstrap-server ... | --zookeeper ...) groups COMMAND\n"
        "  list [--state S[,S...]]     every group of every live broker: GROUP PROTOCOL-TYPE "
        "STATE\n"
        "  describe GROUP              state, protocol, members with their assignments, then\n"
        "                              TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG "
        "CONSUMER-ID\n"
        "  reset-offsets GROUP --topic T[:P,P...]... (--to-earliest | --to-latest |\n"
        "                --to-offset N | --to-datetime YYYY-MM-DDTHH:MM:SS[.sss][Z|+HH:MM] |\n"
        "                --shift-by N) [--execute]\n"
        "                              prints TOPIC PARTITION NEW-OFFSET; commits it only with\n"
        "                              --execute, and only while the group has no members\n"
        "                              (Empty or Dead). Offsets are clamped to the log's range;\n"
        "                              --shift-by moves committed offsets; a time without a\n"
        "                              zone is local time; no record that late: the log end.\n"
        "  delete GROUP...             DeleteGroups (refused with NON_EMPTY_GROUP while the\n"
        "                              group has members)\n"
        "  delete-offsets GROUP --topic T[:P,P...]...   OffsetDelete\n"
        "Groups live on their coordinators (brokers), so with --zookeeper the brokers are found\n"
        "in ZooKeeper and asked. Requests answered COORDINATOR_NOT_AVAILABLE,\n"
        "COORDINATOR_LOAD_IN_PROGRESS or NOT_COORDINATOR are retried for up to --timeout-ms.\n";

static int usage(FILE *out, int code)
{
	fputs(groups_usage, out);
	return code;
}

/* ---- list ---------------------------------------------------------------------------------- */

static const char *const known_states[] = {"PreparingRebalance", "CompletingRebalance", "Stable",
                                           "Dead", "Empty"};

struct listed {
	char *id, *type, *state;
};

/* --state "stable,Empty": canonical names; -1 on an unknown one. */
static int parse_states(const char *arg, struct kp_str *out, int *n)
{
	char *copy = kb_strdup(arg), *save = NULL;
	int rc = 0;
	*n = 0;
	for (char *s = strtok_r(copy, ",", &save); s && rc == 0; s = strtok_r(NULL, ",", &save)) {
		rc = -1;
		for (size_t i = 0; i < KB_ARRAY_LEN(known_states); i++)
			if (strcasecmp(s, known_states[i]) == 0 && *n < (int)KB_ARRAY_LEN(known_states)) {
				out[(*n)++] = kp_str_c(known_states[i]);
				rc = 0;
			}
		if (rc < 0)
			fprintf(stderr, "kadmin: unknown group state '%s' (one of PreparingRebalance, "
			        "CompletingRebalance, Stable, Dead, Empty)\n", s);
	}
	kb_free(copy);
	return *n > 0 ? rc : -1;
}

static bool state_wanted(struct kp_str state, const struct kp_str *states, int nstates)
{
	if (nstates == 0)
		return true;
	for (int i = 0; i < nstates; i++)
		if (state.len == states[i].len && strncasecmp(state.ptr, states[i].ptr,
		                                              (size_t)state.len) == 0)
			return true;
	return false;
}

static char *dup_or_null(struct kp_str s)
{
	return s.len >= 0 ? kb_strndup(s.ptr, (size_t)s.len) : NULL;
}

/* ListGroups on one broker, appended to *out (duplicates are removed later). Broker
 * errors COORDINATOR_LOAD_IN_PROGRESS/NOT_AVAILABLE are retried until the deadline. */
static int list_on(const struct kadmin *ka, struct view *v, int32_t id, const struct kp_str *states,
                   int nstates, struct listed **out, int *n)
{
	char err[512];
	int64_t deadline = kb_mono_ms() + ka->timeout_ms;
	for (;;) {
		struct outclient *oc = NULL;
		struct outclient_reply *reply = NULL;
		struct ListGroupsRequest req;
		kp_set_defaults(&kp_ListGroupsRequest, &req);
		req.StatesFilter = (struct kp_array){(void *)states, nstates};
		req.TypesFilter = (struct kp_array){NULL, 0};
		struct ListGroupsResponse resp;
		int16_t code = KERR_NETWORK_EXCEPTION;
		if (view_node(ka, v, id, &oc, err, sizeof(err)) == 0 &&
		    kadmin_call(oc, KP_API_LIST_GROUPS, 0, &req, &resp, &reply, err, sizeof(err)) == 0) {
			code = resp.ErrorCode;
			snprintf(err, sizeof(err), "%s", kerr_name(code));
		}
		if (code == KERR_NONE) {
			const struct ListedGroup *g = resp.Groups.elems;
			*out = kb_realloc(*out, (size_t)(*n + resp.Groups.count + 1) * sizeof(**out));
			for (int i = 0; i < resp.Groups.count; i++) {
				/* v0-3 carry no state: nothing passes a --state filter */
				if (g[i].GroupId.len < 0 || (reply->version < 4 && nstates > 0) ||
				    !state_wanted(g[i].GroupState, states, nstates))
					continue;
				(*out)[(*n)++] = (struct listed){dup_or_null(g[i].GroupId),
				                                 dup_or_null(g[i].ProtocolType),
				                                 reply->version >= 4 ? dup_or_null(g[i].GroupState)
				                                                     : NULL};
			}
		}
		outclient_reply_free(reply);
		outclient_free(oc);
		bool retry = code == KERR_COORDINATOR_LOAD_IN_PROGRESS ||
		             code == KERR_COORDINATOR_NOT_AVAILABLE;
		if (code == KERR_NONE)
			return 0;
		if (!retry || kb_mono_ms() + 200 > deadline) {
			fprintf(stderr, "kadmin: ListGroups on broker %d: %s\n", id, err);
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

static int groups_list(const struct kadmin *ka, int argc, char **argv)
{
	struct kp_str states[KB_ARRAY_LEN(known_states)];
	int nstates = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--state") == 0 && i + 1 < argc) {
			if (parse_states(argv[++i], states, &nstates) < 0)
				return KADMIN_USAGE;
		} else {
			fprintf(stderr, "kadmin: usage: groups list [--state S[,S...]]\n");
			return KADMIN_USAGE;
		}
	}
	struct view v;
	char err[512];
	if (view_open(ka, &v, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		view_close(&v);
		return KADMIN_FAILED;
	}
	struct listed *groups = NULL;
	int n = 0, rc = KADMIN_OK;
	for (int i = 0; i < v.md->nbrokers; i++)
		if (list_on(ka, &v, v.md->brokers[i].id, states, nstates, &groups, &n) < 0)
			rc = KADMIN_FAILED;
	if (n > 1)
		qsort(groups, (size_t)n, sizeof(*groups), cmp_listed);
	/* a group seen on two brokers (its coordinator moved between the calls): once */
	int kept = 0;
	for (int i = 0; i < n; i++) {
		if (kept > 0 && strcmp(groups[kept - 1].id, groups[i].id) == 0) {
			kb_free(groups[i].id);
			kb_free(groups[i].type);
			kb_free(groups[i].state);
			continue;
		}
		groups[kept++] = groups[i];
	}
	n = kept;
	struct kg_table t;
	kg_table_init(&t, 3);
	kg_table_row(&t, (const char *[]){"GROUP", "PROTOCOL-TYPE", "STATE"});
	for (int i = 0; i < n; i++)
		kg_table_row(&t, (const char *[]){groups[i].id, groups[i].type, groups[i].state});
	kg_table_print(&t, stdout);
	kg_table_free(&t);
	for (int i = 0; i < n; i++) {
		kb_free(groups[i].id);
		kb_free(groups[i].type);
		kb_free(groups[i].state);
	}
	kb_free(groups);
	view_close(&v);
	return rc;
}

/* ---- describe ------------------------------------------------------------------------------ */

static void print_members(const struct kg_group *g)
{
	struct kg_table t;
	kg_table_init(&t, 5);
	kg_table_row(&t, (const char *[]){"MEMBER-ID", "GROUP-INSTANCE-ID", "CLIENT-ID", "HOST",
	                                  "ASSIGNMENT"});
	for (int i = 0; i < g->nmembers; i++) {
		const struct kg_member *m = &g->members[i];
		kg_table_row(&t, (const char *[]){m->member_id, m->instance_id, m->client_id, m->host,
		                                  m->assignment});
	}
	kg_table_print(&t, stdout);
	kg_table_free(&t);
}

static void print_offsets(const struct kg_part *parts, int n)
{
	struct kg_table t;
	kg_table_init(&t, 6);
	kg_table_row(&t, (const char *[]){"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
	                                  "LAG", "CONSUMER-ID"});
	for (int i = 0; i < n; i++) {
		const struct kg_part *p = &parts[i];
		char part[16], cur[24], end[24], lag[24];
		snprintf(part, sizeof(part), "%" PRId32, p->partition);
		snprintf(cur, sizeof(cur), "%s", "-");
		snprintf(end, sizeof(end), "%s", "-");
		snprintf(lag, sizeof(lag), "%s", "-");
		if (p->committed >= 0)
			snprintf(cur, sizeof(cur), "%" PRId64, p->committed);
		if (p->end >= 0)
			snprintf(end, sizeof(end), "%" PRId64, p->end);
		else if (p->error != KERR_NONE)
			snprintf(end, sizeof(end), "%s", kerr_name(p->error));
		if (p->committed >= 0 && p->end >= 0)
			snprintf(lag, sizeof(lag), "%" PRId64,
			         p->end > p->committed ? p->end - p->committed : 0);
		kg_table_row(&t, (const char *[]){p->topic, part, cur, end, lag, p->owner});
	}
	kg_table_print(&t, stdout);
	kg_table_free(&t);
}

/* Rows: every committed partition, and every partition a member is assigned. */
static void add_assigned(const struct kg_group *g, struct kg_part **parts, int *n)
{
	for (int i = 0; i < g->nmembers; i++) {
		const struct kg_member *m = &g->members[i];
		for (int k = 0; k < m->as.ntopics; k++) {
			const struct kg_assigned_topic *at = &m->as.topics[k];
			char *topic = kb_strndup(at->topic.ptr, (size_t)at->topic.len);
			for (int j = 0; j < at->nparts; j++)
				kg_part_add(parts, n, topic, at->parts[j])->owner = m->member_id;
			kb_free(topic);
		}
	}
}

static int describe(const struct kadmin *ka, struct view *v, const char *group)
{
	char err[512];
	struct kg_group g;
	if (kg_describe_group(ka, v, group, &g, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		return KADMIN_FAILED;
	}
	int rc = KADMIN_OK;
	struct kg_part *parts = NULL;
	int n = 0;
	if (g.state && strcmp(g.state, "Dead") == 0) {
		fprintf(stderr, "kadmin: consumer group '%s' does not exist\n", group);
		rc = KADMIN_FAILED;
		goto out;
	}
	if (kg_fetch_offsets(ka, v, group, &parts, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		rc = KADMIN_FAILED;
		goto out;
	}
	add_assigned(&g, &parts, &n);
	kg_parts_sort_unique(parts, &n);
	kg_list_offsets(ka, v, parts, n, -1);
	printf("Group: %s\nCoordinator: %d\nState: %s\nProtocolType: %s\nProtocol: %s\n"
	       "Members: %d\n", group, g.coordinator, g.state ? g.state : "-",
	       g.protocol_type && g.protocol_type[0] ? g.protocol_type : "-",
	       g.protocol && g.protocol[0] ? g.protocol : "-", g.nmembers);
	if (g.nmembers > 0) {
		printf("\n");
		print_members(&g);
	}
	printf("\n");
	print_offsets(parts, n);
out:
	kg_parts_free(parts, n);
	kg_group_free(&g);
	return rc;
}

static int groups_describe(const struct kadmin *ka, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "kadmin: usage: groups describe GROUP\n");
		return KADMIN_USAGE;
	}
	struct view v;
	char err[512];
	int rc = KADMIN_FAILED;
	if (view_open(ka, &v, err, sizeof(err)) < 0)
		fprintf(stderr, "kadmin: %s\n", err);
	else
		rc = describe(ka, &v, argv[0]);
	view_close(&v);
	return rc;
}

/* ---- delete -------------------------------------------------------------------------------- */

static int16_t delete_error(const void *resp, int16_t version)
{
	KB_UNUSED(version);
	const struct DeleteGroupsResponse *r = resp;
	return r->Results.count == 1 ? ((const struct DeletableGroupResult *)r->Results.elems)->ErrorCode
	                             : KERR_NONE;
}

static int delete_group(const struct kadmin *ka, struct view *v, const char *group)
{
	char err[512];
	struct kp_str name = kp_str_c(group);
	struct DeleteGroupsRequest req = {{&name, 1}};
	struct DeleteGroupsResponse resp;
	struct outclient_reply *reply;
	int16_t ver;
	if (kg_coord_call(ka, v, group, KP_API_DELETE_GROUPS, 0, &req, &resp, &reply, &ver,
	                  NULL, delete_error, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: group '%s': %s\n", group, err);
		return KADMIN_FAILED;
	}
	int rc = KADMIN_FAILED;
	if (resp.Results.count != 1) {
		fprintf(stderr, "kadmin: malformed DeleteGroups response\n");
	} else if (delete_error(&resp, ver) != KERR_NONE) {
		fprintf(stderr, "kadmin: group '%s': %s\n", group, kerr_name(delete_error(&resp, ver)));
	} else {
		printf("Deleted group %s.\n", group);
		rc = KADMIN_OK;
	}
	outclient_reply_free(reply);
	return rc;
}

static int groups_delete(const struct kadmin *ka, int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "kadmin: usage: groups delete GROUP...\n");
		return KADMIN_USAGE;
	}
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '-') {
			fprintf(stderr, "kadmin: usage: groups delete GROUP...\n");
			return KADMIN_USAGE;
		}
	struct view v;
	char err[512];
	int rc = KADMIN_OK;
	if (view_open(ka, &v, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		rc = KADMIN_FAILED;
	} else {
		for (int i = 0; i < argc; i++)
			if (delete_group(ka, &v, argv[i]) != KADMIN_OK)
				rc = KADMIN_FAILED;
	}
	view_close(&v);
	return rc;
}

int cmd_groups(const struct kadmin *ka, int argc, char **argv)
{
	if (argc < 1)
		return usage(stderr, KADMIN_USAGE);
	if (arg_is_help(argc, argv))
		return usage(stdout, KADMIN_OK);
	const char *cmd = argv[0];
	if (strcmp(cmd, "list") == 0)
		return groups_list(ka, argc - 1, argv + 1);
	if (strcmp(cmd, "describe") == 0)
		return groups_describe(ka, argc - 1, argv + 1);
	if (strcmp(cmd, "delete") == 0)
		return groups_delete(ka, argc - 1, argv + 1);
	if (strcmp(cmd, "reset-offsets") == 0)
		return groups_reset_offsets(ka, argc - 1, argv + 1);
	if (strcmp(cmd, "delete-offsets") == 0)
		return groups_delete_offsets(ka, argc - 1, argv + 1);
	fprintf(stderr, "kadmin: unknown groups command '%s'\n", cmd);
	return usage(stderr, KADMIN_USAGE);
}

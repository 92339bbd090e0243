/* kadmin_topics.c — `kadmin topics create|list|describe|delete|alter`. Output follows Kafka's
 * kafka-topics.sh so scripts written for it read ours. */
#include "../common/kb.h"
#include "../conf/topic_conf.h"
#include "../coord/election.h"
#include "kadmin.h"
#include "kadmin_api.h"

#include <stdlib.h>
#include <string.h>

static const char topics_usage[] =
        "usage: kadmin (--bootstrap-server ... | --zookeeper ...) topics COMMAND\n"
        "  create NAME --partitions N --replication-factor R [--config k=v]...\n"
        "         [--replica-assignment B:B:B,B:B:B...]   (one entry per partition)\n"
        "  list\n"
        "  describe [NAME]          leader, replicas and ISR of every partition; the topic's\n"
        "                           config overrides and effective cleanup.policy\n"
        "  delete NAME\n"
        "  alter NAME --partitions N   (partitions can only be added)\n";

static int usage(FILE *out, int code)
{
	fputs(topics_usage, out);
	return code;
}

/* ---- Options of create/alter --------------------------------------------------------- */

struct topic_opts {
	const char *name;
	int64_t partitions;          /* -1: not given */
	int64_t rf;                  /* -1: not given */
	struct md_config_entry *configs;
	int nconfigs;
	struct md_partition *assignment; /* --replica-assignment */
	int nassigned;
};

static void opts_free(struct topic_opts *o)
{
	md_configs_free(o->configs, o->nconfigs);
	for (int i = 0; i < o->nassigned; i++)
		kb_free(o->assignment[i].replicas);
	kb_free(o->assignment);
}

/* "1:2:3,2:3:1": partition i's replicas are the i-th comma-separated list. */
static int parse_assignment(const char *s, struct topic_opts *o)
{
	char *copy = kb_strdup(s), *save = NULL;
	for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		o->assignment = kb_realloc(o->assignment, (size_t)(o->nassigned + 1) * sizeof(*o->assignment));
		struct md_partition *p = &o->assignment[o->nassigned];
		*p = (struct md_partition){.id = o->nassigned++, .state_version = -1};
		char *save2 = NULL;
		for (char *b = strtok_r(part, ":", &save2); b; b = strtok_r(NULL, ":", &save2)) {
			int64_t id;
			if (parse_int_arg("--replica-assignment", b, 0, INT32_MAX, &id) < 0) {
				kb_free(copy);
				return -1;
			}
			p->replicas = kb_realloc(p->replicas, (size_t)(p->nreplicas + 1) * sizeof(int32_t));
			p->replicas[p->nreplicas++] = (int32_t)id;
		}
	}
	kb_free(copy);
	return o->nassigned > 0 ? 0 : -1;
}

static int add_config(struct topic_opts *o, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv) {
		fprintf(stderr, "kadmin: --config takes key=value, got '%s'\n", kv);
		return -1;
	}
	char name[256], err[256];
	snprintf(name, sizeof(name), "%.*s", (int)(eq - kv), kv);
	if (topic_conf_validate(name, eq + 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		return -1;
	}
	o->configs = kb_realloc(o->configs, (size_t)(o->nconfigs + 1) * sizeof(*o->configs));
	o->configs[o->nconfigs++] = (struct md_config_entry){kb_strdup(name), kb_strdup(eq + 1)};
	return 0;
}

static int parse_opts(int argc, char **argv, struct topic_opts *o)
{
	*o = (struct topic_opts){.partitions = -1, .rf = -1};
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;
		if (a[0] != '-' && !o->name)
			o->name = a;
		else if (strcmp(a, "--partitions") == 0 && val && ++i)
			rc = parse_int_arg(a, val, 1, INT32_MAX, &o->partitions);
		else if (strcmp(a, "--replication-factor") == 0 && val && ++i)
			rc = parse_int_arg(a, val, 1, INT16_MAX, &o->rf);
		else if (strcmp(a, "--config") == 0 && val && ++i)
			rc = add_config(o, val);
		else if (strcmp(a, "--replica-assignment") == 0 && val && ++i)
			rc = parse_assignment(val, o);
		else {
			fprintf(stderr, "kadmin: unexpected or incomplete argument '%s'\n", a);
			rc = -1;
		}
		if (rc < 0)
			return -1;
	}
	if (!o->name) {
		fprintf(stderr, "kadmin: a topic name is required\n");
		return -1;
	}
	return 0;
}

/* ---- create ------------------------------------------------------------------------------ */

struct create_ctx {
	const struct topic_opts *o;
	struct md_partition *parts;
	int n;
	uint8_t id[16];
};

static void zk_create(struct view *v, topic_admin_cb done, void *arg, void *ctx)
{
	struct create_ctx *c = ctx;
	topic_admin_create(coord_zk(v->coord), NULL, c->o->name, c->parts, c->n, c->id,
	                   c->o->configs, c->o->nconfigs, done, arg);
}

static int check_new_name(const struct md_cache *md, const char *name)
{
	const char *why = md_topic_name_invalid(name);
	if (why) {
		fprintf(stderr, "kadmin: invalid topic name '%s': %s\n", name, why);
		return -1;
	}
	if (md_find_topic(md, name)) {
		fprintf(stderr, "kadmin: topic '%s' already exists\n", name);
		return -1;
	}
	for (int i = 0; i < md->ntopics; i++)
		if (md_topic_names_collide(md->topics[i].name, name)) {
			fprintf(stderr, "kadmin: topic '%s' collides with existing topic '%s' ('.' and "
			        "'_' are interchangeable in metric names)\n", name, md->topics[i].name);
			return -1;
		}
	return 0;
}

static int zk_create_topic(const struct kadmin *ka, struct view *v, const struct topic_opts *o,
                           char *err, size_t errlen)
{
	struct create_ctx c = {.o = o};
	md_uuid_generate(c.id);
	if (o->assignment) {
		c.parts = o->assignment;
		c.n = o->nassigned;
	} else if (md_place(v->md, (int32_t)o->partitions, (int16_t)o->rf, -1, 0, &c.parts, err,
	                 errlen) < 0) {
		return -1;
	} else {
		c.n = (int)o->partitions;
	}
	int rc = view_zk_write(ka, v, zk_create, &c, err, errlen);
	if (c.parts != o->assignment) {
		for (int i = 0; i < c.n; i++)
			kb_free(c.parts[i].replicas);
		kb_free(c.parts);
	}
	return rc;
}

static int topics_create(const struct kadmin *ka, int argc, char **argv)
{
	struct topic_opts o;
	if (parse_opts(argc, argv, &o) < 0) {
		opts_free(&o);
		return KADMIN_USAGE;
	}
	if (!o.assignment && (o.partitions < 0 || o.rf < 0)) {
		fprintf(stderr, "kadmin: topics create needs --partitions and --replication-factor "
		        "(or --replica-assignment)\n");
		opts_free(&o);
		return KADMIN_USAGE;
	}
	struct view v;
	char err[512];
	int rc = view_open(ka, &v, err, sizeof(err));
	if (rc == 0)
		rc = check_new_name(v.md, o.name) < 0 ? 1 : 0;
	if (rc == 0 && ka->zookeeper)
		rc = zk_create_topic(ka, &v, &o, err, sizeof(err));
	else if (rc == 0)
		rc = kapi_create_topic(ka, &v, o.name, (int32_t)o.partitions, (int16_t)o.rf,
		                       o.assignment, o.nassigned, o.configs, o.nconfigs, err,
		                       sizeof(err));
	if (rc < 0)
		fprintf(stderr, "kadmin: %s\n", err);
	else if (rc == 0)
		printf("Created topic %s.\n", o.name);
	view_close(&v);
	opts_free(&o);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}

/* ---- list / describe ------------------------------------------------------------------- */

static int topics_list(const struct kadmin *ka)
{
	struct view v;
	char err[512];
	if (view_open(ka, &v, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		view_close(&v);
		return KADMIN_FAILED;
	}
	for (int i = 0; i < v.md->ntopics; i++)
		printf("%s%s\n", v.md->topics[i].name,
		       v.md->topics[i].deleting ? " - marked for deletion" : "");
	view_close(&v);
	return KADMIN_OK;
}

static void describe_topic(const struct md_topic *t, const char *cleanup_policy)
{
	char id[23];
	md_uuid_encode(t->topic_id, id);
	int rf = t->npartitions > 0 ? t->partitions[0].nreplicas : 0;
	printf("Topic: %s\tTopicId: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: ",
	       t->name, id, t->npartitions, rf);
	for (int i = 0; i < t->nconfigs; i++)
		printf("%s%s=%s", i ? "," : "", t->configs[i].name, t->configs[i].value);
	printf("\tCleanupPolicy: %s%s\n", cleanup_policy, t->deleting ? "\tMarkedForDeletion: true" : "");
	for (int p = 0; p < t->npartitions; p++) {
		const struct md_partition *mp = &t->partitions[p];
		printf("\tTopic: %s\tPartition: %d\tLeader: ", t->name, p);
		if (mp->has_state && mp->state.leader >= 0)
			printf("%d", mp->state.leader);
		else
			printf("none");
		printf("\tReplicas: ");
		print_ids(stdout, mp->replicas, mp->nreplicas);
		printf("\tIsr: ");
		print_ids(stdout, mp->has_state ? mp->state.isr : NULL, mp->has_state ? mp->state.nisr : 0);
		printf("\n");
	}
}

/* --bootstrap-server views carry no configs: fetch each topic's overrides. Returns the
 * topic's effective cleanup.policy (override or broker default), NULL if unknown. */
static char *fetch_overrides(const struct kadmin *ka, struct view *v, const char *name,
                             struct md_topic *keep)
{
	bool keep_overrides = keep != NULL;
	struct kapi_config *c;
	int n;
	char err[256], *policy = NULL;
	if (kapi_describe_configs(ka, v, 2, name, &c, &n, err, sizeof(err)) < 0)
		return NULL;
	struct md_topic *t = keep;
	if (keep_overrides)
		t->configs = kb_calloc((size_t)n + 1, sizeof(*t->configs));
	for (int i = 0; i < n; i++) {
		if (keep_overrides && c[i].source == 1 && c[i].value)
			t->configs[t->nconfigs++] = (struct md_config_entry){kb_strdup(c[i].name),
			                                                     kb_strdup(c[i].value)};
		if (strcmp(c[i].name, "cleanup.policy") == 0 && c[i].value && !policy)
			policy = kb_strdup(c[i].value);
	}
	kapi_configs_free(c, n);
	return policy;
}

/* cleanup.policy: the topic's override; without one, the value a broker reports (its
 * log.cleanup.policy), which --zookeeper asks the controller for. */
static char *cleanup_policy(const struct kadmin *ka, struct view *v, const struct md_topic *t)
{
	for (int i = 0; i < t->nconfigs; i++)
		if (strcmp(t->configs[i].name, "cleanup.policy") == 0)
			return kb_strdup(t->configs[i].value);
	char *p = fetch_overrides(ka, v, t->name, NULL);
	return p ? p : kb_strdup("unknown");
}

static int topics_describe(const struct kadmin *ka, const char *name)
{
	struct view v;
	char err[512];
	if (view_open(ka, &v, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		view_close(&v);
		return KADMIN_FAILED;
	}
	char **policy = kb_calloc((size_t)v.md->ntopics + 1, sizeof(char *));
	for (int i = 0; i < v.md->ntopics; i++) {
		const struct md_topic *t = &v.md->topics[i];
		if (name && strcmp(t->name, name) != 0)
			continue;
		if (!ka->zookeeper)
			policy[i] = fetch_overrides(ka, &v, t->name, &v.own.topics[i]);
		if (!policy[i])
			policy[i] = cleanup_policy(ka, &v, t);
	}
	int rc = name ? KADMIN_FAILED : KADMIN_OK;
	for (int i = 0; i < v.md->ntopics; i++)
		if (!name || strcmp(v.md->topics[i].name, name) == 0) {
			describe_topic(&v.md->topics[i], policy[i]);
			rc = KADMIN_OK;
		}
	if (rc != KADMIN_OK)
		fprintf(stderr, "kadmin: topic '%s' does not exist\n", name);
	for (int i = 0; i < v.md->ntopics; i++)
		kb_free(policy[i]);
	kb_free(policy);
	view_close(&v);
	return rc;
}

/* ---- delete / alter ------------------------------------------------------------------ */

static void zk_mark_delete(struct view *v, topic_admin_cb done, void *arg, void *ctx)
{
	topic_admin_mark_delete(coord_zk(v->coord), ctx, done, arg);
}

static int topics_delete(const struct kadmin *ka, int argc, char **argv)
{
	if (argc != 1 || argv[0][0] == '-') {
		fprintf(stderr, "kadmin: topics delete takes one topic name\n");
		return KADMIN_USAGE;
	}
	struct view v;
	char err[512];
	int rc = view_open(ka, &v, err, sizeof(err));
	if (rc == 0 && !md_find_topic(v.md, argv[0])) {
		snprintf(err, sizeof(err), "topic '%s' does not exist", argv[0]);
		rc = -1;
	}
	if (rc == 0)
		rc = ka->zookeeper ? view_zk_write(ka, &v, zk_mark_delete, argv[0], err, sizeof(err))
		                   : kapi_delete_topic(ka, &v, argv[0], err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "kadmin: %s\n", err);
	else
		printf("Topic %s is marked for deletion.\n", argv[0]);
	view_close(&v);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}

struct alter_ctx {
	const struct md_topic *t;
	struct md_partition *parts;
	int n;
};

static void zk_set_assignment(struct view *v, topic_admin_cb done, void *arg, void *ctx)
{
	struct alter_ctx *c = ctx;
	topic_admin_set_assignment(coord_zk(v->coord), NULL, c->t->name, c->parts, c->n,
	                           c->t->topic_id, -1, done, arg);
}

/* The existing partitions keep their replicas; new ones are placed the way Kafka adds
 * partitions: continuing from where partition 0's first replica sits in the broker list. */
static int zk_add_partitions(const struct kadmin *ka, struct view *v, const struct md_topic *t,
                             int32_t count, char *err, size_t errlen)
{
	const struct md_cache *md = v->md;
	int start = 0;
	for (int i = 0; i < md->nbrokers; i++)
		if (t->npartitions > 0 && t->partitions[0].nreplicas > 0 &&
		    md->brokers[i].id == t->partitions[0].replicas[0])
			start = i;
	int16_t rf = (int16_t)(t->npartitions > 0 ? t->partitions[0].nreplicas : 1);
	struct md_partition *added;
	if (md_place(md, count - t->npartitions, rf, start, t->npartitions, &added, err, errlen) < 0)
		return -1;
	struct alter_ctx c = {.t = t, .n = count};
	c.parts = kb_calloc((size_t)count, sizeof(*c.parts));
	for (int i = 0; i < t->npartitions; i++)
		c.parts[i] = t->partitions[i];
	for (int i = t->npartitions; i < count; i++)
		c.parts[i] = added[i - t->npartitions];
	int rc = view_zk_write(ka, v, zk_set_assignment, &c, err, errlen);
	for (int i = t->npartitions; i < count; i++)
		kb_free(c.parts[i].replicas);
	kb_free(c.parts);
	kb_free(added);
	return rc;
}

static int topics_alter(const struct kadmin *ka, int argc, char **argv)
{
	struct topic_opts o;
	if (parse_opts(argc, argv, &o) < 0 || o.partitions < 0 || o.rf >= 0 || o.nconfigs ||
	    o.assignment) {
		if (o.name)
			fprintf(stderr, "kadmin: topics alter takes NAME --partitions N (configs: use "
			        "'kadmin configs alter')\n");
		opts_free(&o);
		return KADMIN_USAGE;
	}
	struct view v;
	char err[512];
	int rc = view_open(ka, &v, err, sizeof(err));
	const struct md_topic *t = rc == 0 ? md_find_topic(v.md, o.name) : NULL;
	if (rc == 0 && !t) {
		snprintf(err, sizeof(err), "topic '%s' does not exist", o.name);
		rc = -1;
	} else if (rc == 0 && o.partitions <= t->npartitions) {
		snprintf(err, sizeof(err), "topic '%s' has %d partitions; the count can only grow",
		         o.name, t->npartitions);
		rc = -1;
	}
	if (rc == 0)
		rc = ka->zookeeper ? zk_add_partitions(ka, &v, t, (int32_t)o.partitions, err, sizeof(err))
		                   : kapi_create_partitions(ka, &v, o.name, (int32_t)o.partitions, err,
		                                            sizeof(err));
	if (rc < 0)
		fprintf(stderr, "kadmin: %s\n", err);
	else
		printf("Topic %s now has %lld partitions.\n", o.name, (long long)o.partitions);
	view_close(&v);
	opts_free(&o);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}

int cmd_topics(const struct kadmin *ka, int argc, char **argv)
{
	if (argc < 1)
		return usage(stderr, KADMIN_USAGE);
	if (arg_is_help(argc, argv))
		return usage(stdout, KADMIN_OK);
	const char *cmd = argv[0];
	if (strcmp(cmd, "create") == 0)
		return topics_create(ka, argc - 1, argv + 1);
	if (strcmp(cmd, "list") == 0 && argc == 1)
		return topics_list(ka);
	if (strcmp(cmd, "describe") == 0 && argc <= 2)
		return topics_describe(ka, argc == 2 ? argv[1] : NULL);
	if (strcmp(cmd, "delete") == 0)
		return topics_delete(ka, argc - 1, argv + 1);
	if (strcmp(cmd, "alter") == 0)
		return topics_alter(ka, argc - 1, argv + 1);
	fprintf(stderr, "kadmin: unknown or malformed topics command '%s'\n", cmd);
	return usage(stderr, KADMIN_USAGE);
}

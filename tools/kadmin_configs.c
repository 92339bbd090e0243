/* kadmin_configs.c — `kadmin configs describe|alter`: topic configs (both modes) and broker
 * configs (--bootstrap-server: what the broker runs with, with each key's source; altered as
 * dynamic broker configs, per broker or as the cluster default). */
#include "../common/kb.h"
#include "../conf/topic_conf.h"
#include "kadmin.h"
#include "kadmin_api.h"

#include <string.h>

static const char configs_usage[] =
        "usage: kadmin (--bootstrap-server ... | --zookeeper ...) configs COMMAND\n"
        "  describe --topic NAME    with --bootstrap-server: every config and its source;\n"
        "                           with --zookeeper: the topic's overrides\n"
        "  describe --broker ID     (--bootstrap-server) the broker's configuration, each key\n"
        "                           with its source (DYNAMIC_BROKER_CONFIG, ..., DEFAULT_CONFIG)\n"
        "  describe --broker-default  (--bootstrap-server) the cluster-default dynamic configs\n"
        "  alter (--topic NAME | --broker ID | --broker-default) [--set k=v[,k=v...]]...\n"
        "        [--delete k[,k...]]...  (broker configs: --bootstrap-server, keys kbroker\n"
        "                           applies live only; a list value cannot hold ',' here)\n";

static int usage(FILE *out, int code)
{
	fputs(configs_usage, out);
	return code;
}

static const char *source_name(int8_t s)
{
	static const char *const names[] = {"UNKNOWN", "DYNAMIC_TOPIC_CONFIG",
	                                    "DYNAMIC_BROKER_CONFIG", "DYNAMIC_DEFAULT_BROKER_CONFIG",
	                                    "STATIC_BROKER_CONFIG", "DEFAULT_CONFIG",
	                                    "DYNAMIC_BROKER_LOGGER_CONFIG"};
	return s >= 0 && s <= 6 ? names[s] : "UNKNOWN";
}

struct target {
	const char *topic;
	const char *broker;
};

static int parse_target(int argc, char **argv, struct target *t, int *used)
{
	*t = (struct target){0};
	*used = 0;
	if (argc >= 2 && strcmp(argv[0], "--topic") == 0)
		t->topic = argv[1];
	else if (argc >= 2 && strcmp(argv[0], "--broker") == 0)
		t->broker = argv[1];
	else if (argc >= 1 && strcmp(argv[0], "--broker-default") == 0) {
		t->broker = "";
		*used = 1;
		return 0;
	} else
		return -1;
	*used = 2;
	return 0;
}

static int describe(const struct kadmin *ka, const struct target *tg)
{
	struct view v;
	char err[512];
	int rc = view_open(ka, &v, err, sizeof(err));
	const struct md_topic *t = rc == 0 && tg->topic ? md_find_topic(v.md, tg->topic) : NULL;
	if (rc == 0 && tg->topic && !t) {
		snprintf(err, sizeof(err), "topic '%s' does not exist", tg->topic);
		rc = -1;
	}
	if (rc == 0 && ka->zookeeper && tg->broker) {
		snprintf(err, sizeof(err), "broker configs come from the broker itself: use "
		         "--bootstrap-server");
		rc = -1;
	}
	if (rc == 0 && ka->zookeeper) {
		printf("Configs for topic '%s' (overrides; every other key has the broker's value):\n",
		       t->name);
		for (int i = 0; i < t->nconfigs; i++)
			printf("  %s=%s\n", t->configs[i].name, t->configs[i].value);
	} else if (rc == 0) {
		struct kapi_config *c;
		int n;
		rc = kapi_describe_configs(ka, &v, tg->topic ? 2 : 4, tg->topic ? tg->topic : tg->broker,
		                           &c, &n, err, sizeof(err));
		if (rc == 0) {
			if (tg->topic || tg->broker[0])
				printf("Configs for %s '%s':\n", tg->topic ? "topic" : "broker",
				       tg->topic ? tg->topic : tg->broker);
			else
				printf("Default configs for brokers in the cluster (dynamic):\n");
			for (int i = 0; i < n; i++)
				printf("  %s=%s (%s)\n", c[i].name, c[i].value ? c[i].value : "null",
				       source_name(c[i].source));
			kapi_configs_free(c, n);
		}
	}
	if (rc < 0)
		fprintf(stderr, "kadmin: %s\n", err);
	view_close(&v);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}

/* ---- alter --------------------------------------------------------------------------------- */

struct changes {
	struct md_config_entry *set;
	int nset;
	char **del;
	int ndel;
};

static void changes_free(struct changes *c)
{
	md_configs_free(c->set, c->nset);
	for (int i = 0; i < c->ndel; i++)
		kb_free(c->del[i]);
	kb_free(c->del);
}

/* One --set k=v (topic: checked here; broker: the broker checks). */
static int add_set(struct changes *c, const char *v, size_t len, bool topic)
{
	const char *eq = memchr(v, '=', len);
	if (!eq || eq == v) {
		fprintf(stderr, "kadmin: --set takes key=value, got '%.*s'\n", (int)len, v);
		return -1;
	}
	char *name = kb_strndup(v, (size_t)(eq - v));
	char *value = kb_strndup(eq + 1, len - (size_t)(eq + 1 - v));
	c->set = kb_realloc(c->set, (size_t)(c->nset + 1) * sizeof(*c->set));
	c->set[c->nset++] = (struct md_config_entry){name, value};
	char err[256];
	if (topic && topic_conf_validate(name, value, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: %s\n", err);
		return -1;
	}
	return 0;
}

static int add_delete(struct changes *c, const char *v, size_t len, bool topic)
{
	char *name = kb_strndup(v, len);
	if (topic && !topic_conf_find(name)) {
		fprintf(stderr, "kadmin: unknown topic config '%s'\n", name);
		kb_free(name);
		return -1;
	}
	c->del = kb_realloc(c->del, (size_t)(c->ndel + 1) * sizeof(char *));
	c->del[c->ndel++] = name;
	return 0;
}

static int parse_changes(int argc, char **argv, struct changes *c, bool topic)
{
	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			fprintf(stderr, "kadmin: %s needs a value\n", argv[i]);
			return -1;
		}
		const char *v = argv[i + 1];
		bool set = strcmp(argv[i], "--set") == 0;
		if (set && topic) { /* a topic value may be a list: one k=v per --set */
			if (add_set(c, v, strlen(v), true) < 0)
				return -1;
		} else if (set || strcmp(argv[i], "--delete") == 0) {
			/* --delete, and broker --set: comma-separated, as kafka-configs.sh */
			for (const char *p = v;;) {
				size_t n = strcspn(p, ",");
				if ((set ? add_set(c, p, n, topic) : add_delete(c, p, n, topic)) < 0)
					return -1;
				if (!p[n])
					break;
				p += n + 1;
			}
		} else {
			fprintf(stderr, "kadmin: unexpected argument '%s'\n", argv[i]);
			return -1;
		}
	}
	if (c->nset + c->ndel == 0) {
		fprintf(stderr, "kadmin: configs alter needs --set or --delete\n");
		return -1;
	}
	return 0;
}

/* The topic's overrides after the changes: existing minus deleted, then set ones. */
static int merged(const struct md_topic *t, const struct changes *c, struct md_config_entry **out)
{
	int n = 0;
	struct md_config_entry *m = kb_calloc((size_t)(t->nconfigs + c->nset) + 1, sizeof(*m));
	for (int i = 0; i < t->nconfigs; i++) {
		bool drop = false;
		for (int k = 0; k < c->ndel; k++)
			drop |= strcmp(c->del[k], t->configs[i].name) == 0;
		for (int k = 0; k < c->nset; k++)
			drop |= strcmp(c->set[k].name, t->configs[i].name) == 0;
		if (!drop)
			m[n++] = (struct md_config_entry){kb_strdup(t->configs[i].name),
			                                  kb_strdup(t->configs[i].value)};
	}
	for (int k = 0; k < c->nset; k++)
		m[n++] = (struct md_config_entry){kb_strdup(c->set[k].name), kb_strdup(c->set[k].value)};
	*out = m;
	return n;
}

struct alter_ctx {
	const char *topic;
	struct md_config_entry *cfg;
	int n;
};

static void zk_set_config(struct view *v, topic_admin_cb done, void *arg, void *ctx)
{
	struct alter_ctx *a = ctx;
	topic_admin_set_config(coord_zk(v->coord), NULL, a->topic, a->cfg, a->n, done, arg);
}

static int alter(const struct kadmin *ka, const struct target *tg, int argc, char **argv)
{
	struct changes c = {0};
	if (tg->broker && ka->zookeeper) {
		fprintf(stderr, "kadmin: broker configs are altered through a broker: use "
		        "--bootstrap-server\n");
		return KADMIN_USAGE;
	}
	if (parse_changes(argc, argv, &c, tg->topic != NULL) < 0) {
		changes_free(&c);
		return KADMIN_USAGE;
	}
	struct view v;
	char err[512];
	int rc = view_open(ka, &v, err, sizeof(err));
	const struct md_topic *t = rc == 0 && tg->topic ? md_find_topic(v.md, tg->topic) : NULL;
	if (rc == 0 && tg->topic && !t) {
		snprintf(err, sizeof(err), "topic '%s' does not exist", tg->topic);
		rc = -1;
	}
	if (rc == 0 && tg->broker) {
		rc = kapi_alter_configs(ka, &v, 4, tg->broker, c.set, c.nset, c.del, c.ndel, err,
		                        sizeof(err));
		if (rc == 0 && tg->broker[0])
			printf("Completed updating config for broker %s.\n", tg->broker);
		else if (rc == 0)
			printf("Completed updating default config for brokers in the cluster.\n");
	} else if (rc == 0 && ka->zookeeper) {
		struct alter_ctx a = {.topic = tg->topic};
		a.n = merged(t, &c, &a.cfg);
		rc = view_zk_write(ka, &v, zk_set_config, &a, err, sizeof(err));
		md_configs_free(a.cfg, a.n);
	} else if (rc == 0) {
		rc = kapi_alter_configs(ka, &v, 2, tg->topic, c.set, c.nset, c.del, c.ndel, err,
		                        sizeof(err));
	}
	if (rc == 0 && tg->topic)
		printf("Completed updating config for topic %s.\n", tg->topic);
	else if (rc != 0)
		fprintf(stderr, "kadmin: %s\n", err);
	view_close(&v);
	changes_free(&c);
	return rc == 0 ? KADMIN_OK : KADMIN_FAILED;
}

int cmd_configs(const struct kadmin *ka, int argc, char **argv)
{
	if (arg_is_help(argc, argv))
		return usage(stdout, KADMIN_OK);
	struct target tg;
	int used;
	if (argc < 1 || parse_target(argc - 1, argv + 1, &tg, &used) < 0)
		return usage(stderr, KADMIN_USAGE);
	if (strcmp(argv[0], "describe") == 0 && argc == 1 + used)
		return describe(ka, &tg);
	if (strcmp(argv[0], "alter") == 0)
		return alter(ka, &tg, argc - 1 - used, argv + 1 + used);
	return usage(stderr, KADMIN_USAGE);
}

/* kadmin_acls.c — `kadmin acls list|add|remove`, after kafka-acls.sh: DescribeAcls,
 * CreateAcls and DeleteAcls sent to one broker (every broker answers from the same watched
 * ACLs; with --zookeeper the first live broker found there is asked). Output as kafka-acls.sh
 * prints it: each resource pattern, then its entries. */
#include "kadmin.h"

#include "../auth/acl.h"
#include "../common/kerr.h"
#include "../net/kp_msgs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char acls_usage[] =
        "usage: kadmin (--bootstrap-server ... | --zookeeper ...) acls COMMAND [OPTIONS]\n"
        "  list   [RESOURCE] [--principal P] [--host H] [--operation OP]\n"
        "                      the ACLs the filter matches (default: every ACL)\n"
        "  add    (--allow | --deny) --principal P [--host H] --operation OP RESOURCE\n"
        "  remove [--allow | --deny] [--principal P] [--host H] [--operation OP] RESOURCE\n"
        "                      removes every ACL of the resource the filter matches\n"
        "RESOURCE: --topic T | --group G | --cluster | --transactional-id X [--prefixed]\n"
        "          or --resource-type TYPE [--resource-name N] [--pattern-type P]\n"
        "TYPE: topic group cluster transactional-id delegation-token user any\n"
        "P: literal prefixed match any (list: any; add, remove: literal)\n"
        "OP: Read Write Create Delete Alter Describe ClusterAction DescribeConfigs\n"
        "    AlterConfigs IdempotentWrite CreateTokens DescribeTokens All (list, remove: Any)\n"
        "P is a principal such as User:alice; H an address or * (add's default).\n";

enum acls_cmd { ACLS_LIST, ACLS_ADD, ACLS_REMOVE };

struct acls_args {
	int8_t type, pattern, op, perm;
	const char *name, *principal, *host;
	bool resource;          /* a resource was given */
};

/* "ClusterAction", "cluster_action", "cluster-action" and "CLUSTER_ACTION" are the same. */
static bool name_is(const char *arg, const char *name)
{
	for (;; arg++, name++) {
		while (*arg == '_' || *arg == '-')
			arg++;
		while (*name == '_' || *name == '-')
			name++;
		if (tolower((unsigned char)*arg) != tolower((unsigned char)*name))
			return false;
		if (*arg == '\0')
			return true;
	}
}

static const char *const type_names[] = {NULL, "any", "topic", "group", "cluster",
                                         "transactional-id", "delegation-token", "user"};
static const char *const pattern_names[] = {NULL, "any", "match", "literal", "prefixed"};

static int8_t lookup(const char *arg, const char *const *names, int n)
{
	for (int i = 1; i < n; i++)
		if (name_is(arg, names[i]))
			return (int8_t)i;
	return 0;
}

static int8_t op_code(const char *arg)
{
	if (name_is(arg, "any"))
		return ACL_OP_ANY;
	for (int8_t op = ACL_OP_ALL; op <= ACL_OP_DESCRIBE_TOKENS; op++)
		if (acl_op_zk(op) && name_is(arg, acl_op_zk(op)))
			return op;
	return ACL_OP_UNKNOWN;
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "kadmin: acls: %s '%s'\n%s", what, arg, acls_usage);
	return KADMIN_USAGE;
}

static void set_res(struct acls_args *a, int8_t type, const char *name)
{
	a->type = type;
	a->name = name;
	a->resource = true;
}

/* Parses argv (after the subcommand) into a; defaults per command. */
static int parse(enum acls_cmd cmd, int argc, char **argv, struct acls_args *a)
{
	*a = (struct acls_args){.type = ACL_RES_ANY, .pattern = cmd == ACLS_LIST ? ACL_PAT_ANY
	                                                                          : ACL_PAT_LITERAL,
	                        .op = ACL_OP_ANY, .perm = ACL_PERM_ANY,
	                        .host = cmd == ACLS_ADD ? "*" : NULL};
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		if (strcmp(o, "--cluster") == 0) {
			set_res(a, ACL_RES_CLUSTER, ACL_CLUSTER_NAME);
			takes = false;
		} else if (strcmp(o, "--prefixed") == 0) {
			a->pattern = ACL_PAT_PREFIXED;
			takes = false;
		} else if (strcmp(o, "--allow") == 0 || strcmp(o, "--deny") == 0) {
			a->perm = o[2] == 'a' ? ACL_PERM_ALLOW : ACL_PERM_DENY;
			takes = false;
		} else if (!val) {
			return bad("unknown or incomplete option", o);
		} else if (strcmp(o, "--topic") == 0) {
			set_res(a, ACL_RES_TOPIC, val);
		} else if (strcmp(o, "--group") == 0) {
			set_res(a, ACL_RES_GROUP, val);
		} else if (strcmp(o, "--transactional-id") == 0) {
			set_res(a, ACL_RES_TXN_ID, val);
		} else if (strcmp(o, "--resource-type") == 0) {
			a->type = lookup(val, type_names, (int)KB_ARRAY_LEN(type_names));
			a->resource = true;
			if (a->type == ACL_RES_UNKNOWN)
				return bad("unknown resource type", val);
		} else if (strcmp(o, "--resource-name") == 0) {
			a->name = val;
		} else if (strcmp(o, "--pattern-type") == 0) {
			a->pattern = lookup(val, pattern_names, (int)KB_ARRAY_LEN(pattern_names));
			if (a->pattern == ACL_PAT_UNKNOWN)
				return bad("unknown pattern type", val);
		} else if (strcmp(o, "--principal") == 0) {
			a->principal = val;
		} else if (strcmp(o, "--host") == 0) {
			a->host = val;
		} else if (strcmp(o, "--operation") == 0) {
			a->op = op_code(val);
			if (a->op == ACL_OP_UNKNOWN)
				return bad("unknown operation", val);
		} else {
			return bad("unknown option", o);
		}
		i += takes;
	}
	if (cmd != ACLS_LIST && !a->resource)
		return bad("a resource is needed:", "--topic/--group/--cluster/--transactional-id");
	if (cmd == ACLS_ADD && (a->perm == ACL_PERM_ANY || !a->principal || a->op == ACL_OP_ANY ||
	                        !a->name))
		return bad("add needs --allow or --deny, --principal, --operation and a resource",
		           "");
	return KADMIN_OK;
}

/* ---- Output -------------------------------------------------------------------------------- */

static const char *upper_name(const char *const *names, int n, int8_t code, char *buf,
                              size_t len)
{
	const char *s = code > 0 && code < n ? names[code] : "unknown";
	size_t i = 0;
	for (; s[i] && i + 1 < len; i++)
		buf[i] = s[i] == '-' ? '_' : (char)toupper((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

static void print_resource(const char *what, int8_t type, struct kp_str name, int8_t pattern)
{
	char t[32], p[16];
	printf("%s `ResourcePattern(resourceType=%s, name=%.*s, patternType=%s)`: \n", what,
	       upper_name(type_names, (int)KB_ARRAY_LEN(type_names), type, t, sizeof(t)),
	       name.len > 0 ? name.len : 0, name.ptr ? name.ptr : "",
	       upper_name(pattern_names, (int)KB_ARRAY_LEN(pattern_names), pattern, p, sizeof(p)));
}

static void print_entry(struct kp_str principal, struct kp_str host, int8_t op, int8_t perm)
{
	const char *o = acl_op_zk(op), *pm = acl_perm_zk(perm);
	char ob[40], pb[16];
	size_t i, j = 0;
	for (i = 0; o && o[i] && j + 2 < sizeof(ob); i++) { /* "ClusterAction" -> CLUSTER_ACTION */
		if (i > 0 && isupper((unsigned char)o[i]))
			ob[j++] = '_';
		ob[j++] = (char)toupper((unsigned char)o[i]);
	}
	ob[j] = '\0';
	for (i = 0; pm && pm[i] && i + 1 < sizeof(pb); i++)
		pb[i] = (char)toupper((unsigned char)pm[i]);
	pb[i] = '\0';
	printf(" \t(principal=%.*s, host=%.*s, operation=%s, permissionType=%s)\n",
	       principal.len > 0 ? principal.len : 0, principal.ptr ? principal.ptr : "",
	       host.len > 0 ? host.len : 0, host.ptr ? host.ptr : "", ob, pb);
}

static void print_error(const char *what, int16_t code, struct kp_str msg)
{
	fprintf(stderr, "kadmin: %s: %s%s%.*s\n", what, kerr_name(code), msg.len > 0 ? ": " : "",
	        msg.len > 0 ? msg.len : 0, msg.ptr ? msg.ptr : "");
}

/* ---- Requests ------------------------------------------------------------------------------ */

static int acls_list(struct outclient *oc, const struct acls_args *a)
{
	struct DescribeAclsRequest req = {a->type, kp_str_c(a->name), a->pattern,
	                                  kp_str_c(a->principal), kp_str_c(a->host), a->op, a->perm};
	struct DescribeAclsResponse resp;
	struct outclient_reply *reply = NULL;
	char err[512];
	if (kadmin_call(oc, KP_API_DESCRIBE_ACLS, 1, &req, &resp, &reply, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: DescribeAcls: %s\n", err);
		return KADMIN_FAILED;
	}
	int rc = KADMIN_OK;
	if (resp.ErrorCode != KERR_NONE) {
		print_error("DescribeAcls", resp.ErrorCode, resp.ErrorMessage);
		rc = KADMIN_FAILED;
	}
	const struct DescribeAclsResource *r = resp.Resources.elems;
	for (int i = 0; i < resp.Resources.count; i++) {
		print_resource("Current ACLs for resource", r[i].Type, r[i].Name, r[i].PatternType);
		const struct AclDescription *d = r[i].Acls.elems;
		for (int k = 0; k < r[i].Acls.count; k++)
			print_entry(d[k].Principal, d[k].Host, d[k].Operation, d[k].PermissionType);
		printf("\n");
	}
	outclient_reply_free(reply);
	return rc;
}

static int acls_add(struct outclient *oc, const struct acls_args *a)
{
	struct CreatableAcl c = {a->type, kp_str_c(a->name), a->pattern, kp_str_c(a->principal),
	                         kp_str_c(a->host), a->op, a->perm};
	struct CreateAclsRequest req = {{&c, 1}};
	struct CreateAclsResponse resp;
	struct outclient_reply *reply = NULL;
	char err[512];
	if (kadmin_call(oc, KP_API_CREATE_ACLS, 1, &req, &resp, &reply, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: CreateAcls: %s\n", err);
		return KADMIN_FAILED;
	}
	int rc = KADMIN_FAILED;
	const struct AclCreationResult *res = resp.Results.elems;
	if (resp.Results.count != 1) {
		fprintf(stderr, "kadmin: CreateAcls: %d results for 1 creation\n", resp.Results.count);
	} else if (res->ErrorCode != KERR_NONE) {
		print_error("CreateAcls", res->ErrorCode, res->ErrorMessage);
	} else {
		print_resource("Added ACL for resource", c.ResourceType, c.ResourceName,
		               c.ResourcePatternType);
		print_entry(c.Principal, c.Host, c.Operation, c.PermissionType);
		rc = KADMIN_OK;
	}
	outclient_reply_free(reply);
	return rc;
}

static int acls_remove(struct outclient *oc, const struct acls_args *a)
{
	struct DeleteAclsFilter f = {a->type, kp_str_c(a->name), a->pattern, kp_str_c(a->principal),
	                             kp_str_c(a->host), a->op, a->perm};
	struct DeleteAclsRequest req = {{&f, 1}};
	struct DeleteAclsResponse resp;
	struct outclient_reply *reply = NULL;
	char err[512];
	if (kadmin_call(oc, KP_API_DELETE_ACLS, 1, &req, &resp, &reply, err, sizeof(err)) < 0) {
		fprintf(stderr, "kadmin: DeleteAcls: %s\n", err);
		return KADMIN_FAILED;
	}
	int rc = KADMIN_FAILED;
	const struct DeleteAclsFilterResult *fr = resp.FilterResults.elems;
	if (resp.FilterResults.count != 1) {
		fprintf(stderr, "kadmin: DeleteAcls: %d results for 1 filter\n",
		        resp.FilterResults.count);
	} else if (fr->ErrorCode != KERR_NONE) {
		print_error("DeleteAcls", fr->ErrorCode, fr->ErrorMessage);
	} else {
		const struct DeleteAclsMatchingAcl *m = fr->MatchingAcls.elems;
		printf("Removed %d ACL(s)\n", fr->MatchingAcls.count);
		rc = KADMIN_OK;
		for (int i = 0; i < fr->MatchingAcls.count; i++) {
			if (m[i].ErrorCode != KERR_NONE) {
				print_error("DeleteAcls", m[i].ErrorCode, m[i].ErrorMessage);
				rc = KADMIN_FAILED;
			}
			print_resource("Removed ACL of resource", m[i].ResourceType, m[i].ResourceName, m[i].PatternType);
			print_entry(m[i].Principal, m[i].Host, m[i].Operation, m[i].PermissionType);
		}
	}
	outclient_reply_free(reply);
	return rc;
}

/* A connection to a broker: the bootstrap servers, or the first live broker in ZooKeeper. */
static int connect_any(const struct kadmin *ka, struct outclient **oc)
{
	char err[512];
	if (ka->bootstrap) {
		if (kadmin_connect(ka, ka->bootstrap, oc, err, sizeof(err)) == 0)
			return 0;
		fprintf(stderr, "kadmin: %s\n", err);
		return -1;
	}
	struct view v;
	int rc = view_open(ka, &v, err, sizeof(err));
	for (int i = 0; rc == 0 && i < v.md->nbrokers; i++)
		if (view_node(ka, &v, v.md->brokers[i].id, oc, err, sizeof(err)) == 0) {
			view_close(&v);
			return 0;
		}
	if (rc == 0 && v.md->nbrokers == 0)
		snprintf(err, sizeof(err), "no live broker in ZooKeeper");
	fprintf(stderr, "kadmin: %s\n", err);
	view_close(&v);
	return -1;
}

int cmd_acls(const struct kadmin *ka, int argc, char **argv)
{
	if (arg_is_help(argc, argv)) {
		fputs(acls_usage, stdout);
		return KADMIN_OK;
	}
	enum acls_cmd cmd;
	if (argc >= 1 && strcmp(argv[0], "list") == 0)
		cmd = ACLS_LIST;
	else if (argc >= 1 && strcmp(argv[0], "add") == 0)
		cmd = ACLS_ADD;
	else if (argc >= 1 && strcmp(argv[0], "remove") == 0)
		cmd = ACLS_REMOVE;
	else {
		fputs(acls_usage, stderr);
		return KADMIN_USAGE;
	}
	struct acls_args a;
	int rc = parse(cmd, argc - 1, argv + 1, &a);
	if (rc != KADMIN_OK)
		return rc;
	struct outclient *oc = NULL;
	if (connect_any(ka, &oc) < 0)
		return KADMIN_FAILED;
	rc = cmd == ACLS_LIST ? acls_list(oc, &a) : cmd == ACLS_ADD ? acls_add(oc, &a)
	                                                             : acls_remove(oc, &a);
	outclient_free(oc);
	return rc;
}

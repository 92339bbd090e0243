/* acl.h — Kafka's ACL model and authorization rules, pure (no I/O, no ZooKeeper, no server).
 *
 * An ACL binding is a resource pattern (type, pattern type, name) plus an access control
 * entry (principal, host, operation, permission). The numeric codes are Kafka's wire codes
 * (ResourceType, PatternType, AclOperation, AclPermissionType), so the codec's int8 fields map
 * onto them directly. The ZooKeeper names are those of Kafka's AclAuthorizer (ZkAclStore):
 *   /kafka-acl/<ZkType>/<name>                     LITERAL patterns
 *   /kafka-acl-extended/prefixed/<ZkType>/<name>   PREFIXED patterns
 * with data {"version":1,"acls":[{"principal":"User:a","permissionType":"Allow",
 * "operation":"Read","host":"*"}]} (acl_json_*).
 *
 * Authorization (acl_authorize), as Kafka's AclAuthorizer decides it:
 *   1. a principal named in super.users is allowed everything;
 *   2. the ACLs that apply to (type, name) are: LITERAL ones on `name`, LITERAL ones on the
 *      wildcard name "*" of that type, PREFIXED ones whose name is a prefix of `name`;
 *   3. if none apply, the answer is allow.everyone.if.no.acl.found;
 *   4. a DENY entry matching the principal (or "User:*"), the host (or "*") and the
 *      operation (or ALL) denies;
 *   5. else an ALLOW entry matching principal, host and operation allows, where ALLOW of
 *      READ, WRITE, DELETE or ALTER implies DESCRIBE, ALLOW of ALTER_CONFIGS implies
 *      DESCRIBE_CONFIGS, and ALL implies every operation;
 *   6. else denied.
 */
#ifndef KB_AUTH_ACL_H
#define KB_AUTH_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum acl_restype {
	ACL_RES_UNKNOWN = 0, ACL_RES_ANY = 1, ACL_RES_TOPIC = 2, ACL_RES_GROUP = 3,
	ACL_RES_CLUSTER = 4, ACL_RES_TXN_ID = 5, ACL_RES_TOKEN = 6, ACL_RES_USER = 7
};
enum acl_pattern {
	ACL_PAT_UNKNOWN = 0, ACL_PAT_ANY = 1, ACL_PAT_MATCH = 2, ACL_PAT_LITERAL = 3,
	ACL_PAT_PREFIXED = 4
};
enum acl_op {
	ACL_OP_UNKNOWN = 0, ACL_OP_ANY = 1, ACL_OP_ALL = 2, ACL_OP_READ = 3, ACL_OP_WRITE = 4,
	ACL_OP_CREATE = 5, ACL_OP_DELETE = 6, ACL_OP_ALTER = 7, ACL_OP_DESCRIBE = 8,
	ACL_OP_CLUSTER_ACTION = 9, ACL_OP_DESCRIBE_CONFIGS = 10, ACL_OP_ALTER_CONFIGS = 11,
	ACL_OP_IDEMPOTENT_WRITE = 12, ACL_OP_CREATE_TOKENS = 13, ACL_OP_DESCRIBE_TOKENS = 14
};
enum acl_perm { ACL_PERM_UNKNOWN = 0, ACL_PERM_ANY = 1, ACL_PERM_DENY = 2, ACL_PERM_ALLOW = 3 };

#define ACL_CLUSTER_NAME "kafka-cluster" /* the only name of the CLUSTER resource */
#define ACL_WILDCARD "*"                 /* any resource name / principal "User:*" / host */
#define ACL_ANONYMOUS "User:ANONYMOUS"   /* the principal of a PLAINTEXT connection */

/* One access control entry (heap strings, owned by whatever holds the entry). */
struct acl_ace {
	char *principal; /* "Type:name", e.g. "User:alice"; "User:*" matches every user */
	char *host;      /* an address as the peer's IP prints, or "*" */
	int8_t op;       /* enum acl_op, never ANY/UNKNOWN in a stored entry */
	int8_t perm;     /* ACL_PERM_ALLOW or ACL_PERM_DENY */
};

/* The entries stored for one resource pattern (one znode). */
struct acl_resource {
	int8_t type;        /* enum acl_restype (a concrete type) */
	int8_t pattern;     /* ACL_PAT_LITERAL or ACL_PAT_PREFIXED */
	char *name;
	int32_t zk_version; /* the znode's version these entries were read at */
	struct acl_ace *aces;
	int naces;
};

/* Every stored ACL, sorted by (type, pattern, name); what a broker authorizes from. */
struct acl_store {
	struct acl_resource *res;
	int nres, cap;
	uint64_t gen; /* bumped by every change */
};

/* The authorizer's configuration. */
struct acl_policy {
	char **super_users; /* super.users, split on ';' and trimmed */
	int nsuper;
	bool allow_if_no_acl; /* allow.everyone.if.no.acl.found */
};

/* A filter (DescribeAcls, DeleteAcls): NULL strings and ANY codes match everything. Pattern
 * MATCH matches every pattern that applies to `name` (as step 2 above); ANY matches LITERAL
 * and PREFIXED patterns with exactly this name. */
struct acl_filter {
	int8_t type, pattern;
	const char *name;
	const char *principal, *host;
	int8_t op, perm;
};

void acl_store_init(struct acl_store *s);
void acl_store_free(struct acl_store *s);
const struct acl_resource *acl_store_get(const struct acl_store *s, int8_t type,
                                         int8_t pattern, const char *name);
/* Replaces the entries of one resource pattern with `aces` (taking ownership of the array
 * and its strings; naces 0 removes the resource) unless the store already holds a version
 * newer than zk_version (then frees `aces`). Returns whether it changed the store. A
 * removal (naces 0) applies whatever the version. */
bool acl_store_put(struct acl_store *s, int8_t type, int8_t pattern, const char *name,
                   struct acl_ace *aces, int naces, int32_t zk_version);
void acl_aces_free(struct acl_ace *aces, int n);

/* Parses super.users ("User:a;User:b"); 0, or -1 on a malformed principal. */
int acl_policy_parse(struct acl_policy *p, const char *super_users, bool allow_if_no_acl);
void acl_policy_free(struct acl_policy *p);

/* The decision above for `principal` from `host` doing `op` on (type, name). */
bool acl_authorize(const struct acl_store *s, const struct acl_policy *p, const char *principal,
                   const char *host, int8_t op, int8_t type, const char *name);
/* Operations a resource type supports (Kafka's AclEntry.supportedOperations: TOPIC READ,
 * WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS; GROUP READ,
 * DESCRIBE, DELETE; CLUSTER CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS,
 * IDEMPOTENT_WRITE, ALTER, DESCRIBE; TRANSACTIONAL_ID DESCRIBE, WRITE; DELEGATION_TOKEN
 * DESCRIBE; USER CREATE_TOKENS, DESCRIBE_TOKENS) as a bitfield of 1 << op, ALL not included. */
uint32_t acl_supported_ops(int8_t type);
/* The authorized-operations bitfield Kafka returns (Metadata, DescribeGroups,
 * DescribeCluster): bit `op` set for each supported operation that acl_authorize allows. */
int32_t acl_authorized_ops(const struct acl_store *s, const struct acl_policy *p,
                           const char *principal, const char *host, int8_t type, const char *name);

bool acl_filter_matches_resource(const struct acl_filter *f, const struct acl_resource *r);
bool acl_filter_matches_ace(const struct acl_filter *f, const struct acl_ace *a);
/* Why a binding cannot be created (CreateAcls validation, Kafka's messages), or NULL when it
 * can: concrete type/pattern/op/perm, a principal "Type:name", a non-empty name and host,
 * "kafka-cluster" for CLUSTER, an operation the type supports or ALL, a name that fits a znode
 * path (no '/', not "." or ".."). */
const char *acl_binding_invalid(int8_t type, int8_t pattern, const char *name,
                                const char *principal, const char *host, int8_t op, int8_t perm);

/* ZooKeeper names: "Topic", "Group", "Cluster", "TransactionalId", "DelegationToken",
 * "User"; operations "Read", ... "All"; permissions "Allow"/"Deny". NULL / UNKNOWN when
 * there is none. */
const char *acl_restype_zk(int8_t type);
int8_t acl_restype_from_zk(const char *s);
const char *acl_op_zk(int8_t op);
int8_t acl_op_from_zk(const char *s);
const char *acl_perm_zk(int8_t perm);
int8_t acl_perm_from_zk(const char *s);

/* The znode's JSON (above). decode: 0 and a heap array (n may be 0), or -1 on anything
 * malformed (unknown operation or permission, missing field, more than max entries).
 * encode: a heap NUL-terminated string. */
int acl_json_decode(const char *buf, size_t len, int max, struct acl_ace **out, int *n);
char *acl_json_encode(const struct acl_ace *aces, int n);

#endif

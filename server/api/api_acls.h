/* api_acls.h — what the ACL handlers share (api_acls.c: DescribeAcls, CreateAcls, strings
 * and filters; api_acls_delete.c: DeleteAcls). Request strings are converted to the
 * NUL-terminated C strings auth/acl.h takes, in the request's arena. */
#ifndef KB_SERVER_API_ACLS_H
#define KB_SERVER_API_ACLS_H

#include "../../auth/acl.h"
#include "../core/dispatch.h"

#define ACLS_STR_(x) #x
#define ACLS_STR(x) ACLS_STR_(x)

/* Kafka's messages: CreateAcls/DeleteAcls without an authorizer; a denied cluster right. */
extern const char ACLS_MSG_DISABLED[];
extern const char ACLS_MSG_CLUSTER_DENIED[];

/* A NUL-terminated copy of s in r's arena (NULL for a null string: "any" in a filter).
 * 0 done; 1 refused with *why (longer than KB_ACL_STRING_MAX, or a NUL byte inside);
 * -1 the arena is full. */
int acls_cstr(struct kreq *r, struct kp_str s, char **out, const char **why);

/* A request's filter fields (DescribeAcls, DeleteAcls). */
struct acls_filter_in {
	int8_t type, pattern;
	struct kp_str name, principal, host;
	int8_t op, perm;
};
/* Converts and checks a filter: every code must be a known one (ANY allowed, UNKNOWN and
 * out-of-range codes not), strings as acls_cstr. 0, 1 (*why), or -1 (arena full). */
int acls_filter_from(struct kreq *r, const struct acls_filter_in *in, struct acl_filter *f,
                     const char **why);
/* f matches the resource pattern and at least one of its entries. */
bool acls_resource_matches(const struct acl_filter *f, const struct acl_resource *res);

#endif

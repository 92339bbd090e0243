/* kp_msgs_acl.h — C structs for the ACL messages, with Kafka's own struct and field names
 * (Kafka 3.9 message JSON: DescribeAcls, CreateAcls, DeleteAcls Request/Response.json). All
 * three are versions 0-3, flexible from 2. The int8 codes (resource type, pattern type,
 * operation, permission) are Kafka's wire codes, the values of auth/acl.h's enums. Version 0
 * has no pattern type: it reads as 3 (LITERAL), the schema's default. Descriptor tables are
 * in kp_msgs_acl.c. Include kp_msgs.h rather than this file. The codec knows these APIs;
 * whether the broker serves (and advertises) them is the dispatch table's business. */
#ifndef KB_KP_MSGS_ACL_H
#define KB_KP_MSGS_ACL_H

#include "kp.h"

extern const struct kp_struct kp_DescribeAclsRequest, kp_DescribeAclsResponse;
extern const struct kp_struct kp_CreateAclsRequest, kp_CreateAclsResponse;
extern const struct kp_struct kp_DeleteAclsRequest, kp_DeleteAclsResponse;

/* ---- DescribeAcls (key 29), versions 0-3, flexible 2+ ------------------------------------ */

struct DescribeAclsRequest {
	int8_t ResourceTypeFilter;
	struct kp_str ResourceNameFilter;  /* nullable: any name */
	int8_t PatternTypeFilter;          /* 1+, default 3 (LITERAL) */
	struct kp_str PrincipalFilter;     /* nullable: any principal */
	struct kp_str HostFilter;          /* nullable: any host */
	int8_t Operation;
	int8_t PermissionType;
};

struct AclDescription {
	struct kp_str Principal;
	struct kp_str Host;
	int8_t Operation;
	int8_t PermissionType;
};

struct DescribeAclsResource {
	int8_t Type;
	struct kp_str Name;
	int8_t PatternType;                /* 1+, default 3 (LITERAL) */
	struct kp_array Acls;              /* struct AclDescription */
};

struct DescribeAclsResponse {
	int32_t ThrottleTimeMs;
	int16_t ErrorCode;
	struct kp_str ErrorMessage;        /* nullable */
	struct kp_array Resources;         /* struct DescribeAclsResource */
};

/* ---- CreateAcls (key 30), versions 0-3, flexible 2+ -------------------------------------- */

struct CreatableAcl {
	int8_t ResourceType;
	struct kp_str ResourceName;
	int8_t ResourcePatternType;        /* 1+, default 3 (LITERAL) */
	struct kp_str Principal;
	struct kp_str Host;
	int8_t Operation;
	int8_t PermissionType;
};

struct CreateAclsRequest {
	struct kp_array Creations;         /* struct CreatableAcl */
};

struct AclCreationResult {
	int16_t ErrorCode;
	struct kp_str ErrorMessage;        /* nullable */
};

struct CreateAclsResponse {
	int32_t ThrottleTimeMs;
	struct kp_array Results;           /* struct AclCreationResult, one per creation, in order */
};

/* ---- DeleteAcls (key 31), versions 0-3, flexible 2+ -------------------------------------- */

struct DeleteAclsFilter {
	int8_t ResourceTypeFilter;
	struct kp_str ResourceNameFilter;  /* nullable: any name */
	int8_t PatternTypeFilter;          /* 1+, default 3 (LITERAL) */
	struct kp_str PrincipalFilter;     /* nullable: any principal */
	struct kp_str HostFilter;          /* nullable: any host */
	int8_t Operation;
	int8_t PermissionType;
};

struct DeleteAclsRequest {
	struct kp_array Filters;           /* struct DeleteAclsFilter */
};

struct DeleteAclsMatchingAcl {
	int16_t ErrorCode;
	struct kp_str ErrorMessage;        /* nullable */
	int8_t ResourceType;
	struct kp_str ResourceName;
	int8_t PatternType;                /* 1+, default 3 (LITERAL) */
	struct kp_str Principal;
	struct kp_str Host;
	int8_t Operation;
	int8_t PermissionType;
};

struct DeleteAclsFilterResult {
	int16_t ErrorCode;
	struct kp_str ErrorMessage;        /* nullable */
	struct kp_array MatchingAcls;      /* struct DeleteAclsMatchingAcl */
};

struct DeleteAclsResponse {
	int32_t ThrottleTimeMs;
	struct kp_array FilterResults;     /* struct DeleteAclsFilterResult, one per filter */
};

#endif
